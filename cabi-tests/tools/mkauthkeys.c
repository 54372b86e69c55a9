/* Writes the two fixed DSA keys t_auth.c uses, with the real libotr:
 *   gcc -std=gnu11 cabi-tests/tools/mkauthkeys.c -o /tmp/mkauthkeys -lotr -lgcrypt
 *   /tmp/mkauthkeys cabi-tests/data
 * (Only rerun to replace the keys; the expected trace prints their fingerprints.) */
#include <stdio.h>
#include <gcrypt.h>
#include <libotr/proto.h>
#include <libotr/privkey.h>

int main(int argc, char **argv) {
    char path[1024];
    if (argc < 2) return 2;
    OTRL_INIT;
    OtrlUserState us = otrl_userstate_create();
    snprintf(path, sizeof path, "%s/auth_alice.key", argv[1]);
    if (otrl_privkey_generate(us, path, "alice@example.org", "prpl-test")) return 1;
    otrl_userstate_free(us);
    us = otrl_userstate_create();
    snprintf(path, sizeof path, "%s/auth_bob.key", argv[1]);
    if (otrl_privkey_generate(us, path, "bob@example.org", "prpl-test")) return 1;
    otrl_userstate_free(us);
    return 0;
}
