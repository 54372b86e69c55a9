/* make demo: the library at work, through its C API.
 * Today: a user's identity — a fresh DSA key and instance tag in a temporary
 * directory, read back by a second user state. (Conversations and SMP join this demo
 * as the library learns them.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libotr/proto.h>
#include <libotr/privkey.h>
#include <libotr/instag.h>
#include <libotr/userstate.h>

static void step(const char *what) { printf("\n== %s\n", what); }

int main(void) {
    char dir[] = "/tmp/otr-demo-XXXXXX", keyf[64], tagf[64];
    char fp1[OTRL_PRIVKEY_FPRINT_HUMAN_LEN], fp2[OTRL_PRIVKEY_FPRINT_HUMAN_LEN];
    const char *acct = "alice@example.org", *proto = "prpl-jabber";

    OTRL_INIT;
    printf("libotr %s (Rust re-implementation)\n", otrl_version());
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
    snprintf(keyf, sizeof keyf, "%s/otr.private_key", dir);
    snprintf(tagf, sizeof tagf, "%s/otr.instance_tags", dir);

    step("Alice generates her long-term DSA key");
    OtrlUserState alice = otrl_userstate_create();
    gcry_error_t err = otrl_privkey_generate(alice, keyf, acct, proto);
    if (err) { printf("otrl_privkey_generate failed: %08x\n", err); return 1; }
    printf("%s/%s fingerprint: %s\n", acct, proto, otrl_privkey_fingerprint(alice, fp1, acct, proto));

    step("...and an instance tag");
    if ((err = otrl_instag_generate(alice, tagf, acct, proto))) { printf("instag failed: %08x\n", err); return 1; }
    printf("instance tag: %08x\n", otrl_instag_find(alice, acct, proto)->instag);

    step("A fresh user state reads both files back");
    OtrlUserState again = otrl_userstate_create();
    if ((err = otrl_privkey_read(again, keyf)) || (err = otrl_instag_read(again, tagf))) {
        printf("reading back failed: %08x\n", err);
        return 1;
    }
    otrl_privkey_fingerprint(again, fp2, acct, proto);
    printf("fingerprint read back: %s (%s)\n", fp2, strcmp(fp1, fp2) ? "DIFFERENT!" : "same");
    printf("instance tag read back: %08x\n", otrl_instag_find(again, acct, proto)->instag);

    otrl_userstate_free(alice);
    otrl_userstate_free(again);
    unlink(keyf);
    unlink(tagf);
    rmdir(dir);
    return strcmp(fp1, fp2) != 0;
}
