/* Writes the fixed DSA keys used by the conversation traces (t_conv, t_malformed),
 * once, with the real libotr; the outputs are committed under cabi-tests/data/:
 *   gcc -std=gnu11 cabi-tests/tools/genkeys.c -o /tmp/genkeys -lotr -lgcrypt
 *   /tmp/genkeys cabi-tests/data
 * alice.key: alice@example.org/prpl-test; bob.key: bob@example.org/prpl-test;
 * bob-alt.key: a second key for bob@example.org/prpl-test (a second client of bob,
 * or bob after re-keying, so the peer sees a new fingerprint). */
#include <stdio.h>
#include <libotr/proto.h>
#include <libotr/privkey.h>
#include <libotr/userstate.h>

static int gen(const char *dir, const char *file, const char *account) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    OtrlUserState us = otrl_userstate_create();
    gcry_error_t e = otrl_privkey_generate(us, path, account, "prpl-test");
    char fp[OTRL_PRIVKEY_FPRINT_HUMAN_LEN];
    if (!e && otrl_privkey_fingerprint(us, fp, account, "prpl-test")) printf("%s %s %s\n", file, account, fp);
    otrl_userstate_free(us);
    return e != 0;
}

int main(int argc, char **argv) {
    OTRL_INIT;
    const char *dir = argc > 1 ? argv[1] : ".";
    return gen(dir, "alice.key", "alice@example.org") | gen(dir, "bob.key", "bob@example.org") |
           gen(dir, "bob-alt.key", "bob@example.org");
}
