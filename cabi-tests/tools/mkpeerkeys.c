/* Writes the fixed key material of the two-process interop harness
 * (cabi-tests/interop/) with the library it is linked to (run once, with the real
 * libotr 4.1.1; the output is committed under cabi-tests/data/interop/):
 *   alice.private_key, bob.private_key       1024-bit DSA keys made by otrl_privkey_generate
 *   alice.instance_tags, bob.instance_tags   fixed tags a11ce000 / b0b00000
 *   alice.fingerprints.trusted               bob's fingerprint, trust "verified"
 *   bob.fingerprints.trusted                 alice's fingerprint, trust "verified"
 *   facts.txt                                fingerprints in raw hex
 *
 *   gcc -std=gnu11 -Wall cabi-tests/tools/mkpeerkeys.c -o /tmp/mkpeerkeys -lotr -lgcrypt
 *   /tmp/mkpeerkeys cabi-tests/data/interop */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libotr/proto.h>
#include <libotr/privkey.h>
#include <libotr/context.h>
#include <libotr/instag.h>
#include <libotr/userstate.h>

#define PROTO "prpl-interop"
static const char *names[2] = { "alice@example.org", "bob@example.org" };
static const char *files[2] = { "alice", "bob" };
static const unsigned int tags[2] = { 0xa11ce000u, 0xb0b00000u };

static char *path(const char *dir, const char *who, const char *what) {
    static char buf[2][4096];
    static int n;
    n ^= 1;
    snprintf(buf[n], sizeof buf[n], "%s/%s.%s", dir, who, what);
    return buf[n];
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: mkpeerkeys DIR\n"); return 2; }
    const char *dir = argv[1];
    OTRL_INIT;
    OtrlUserState us[2];
    unsigned char fp[2][20];
    for (int i = 0; i < 2; i++) {
        us[i] = otrl_userstate_create();
        if (otrl_privkey_generate(us[i], path(dir, files[i], "private_key"), names[i], PROTO)) return 3;
        FILE *f = fopen(path(dir, files[i], "instance_tags"), "w");
        if (!f) return 4;
        fprintf(f, "%s\t%s\t%08x\n", names[i], PROTO, tags[i]);
        fclose(f);
        if (otrl_instag_read(us[i], path(dir, files[i], "instance_tags"))) return 5;
        OtrlInsTag *t = otrl_instag_find(us[i], names[i], PROTO);
        if (!t || t->instag != tags[i]) return 6;
        if (!otrl_privkey_fingerprint_raw(us[i], fp[i], names[i], PROTO)) return 7;
    }
    FILE *facts = fopen(path(dir, "facts", "txt"), "w");
    if (!facts) return 8;
    for (int i = 0; i < 2; i++) {
        int o = 1 - i;
        ConnContext *c = otrl_context_find(us[i], names[o], names[i], PROTO, OTRL_INSTAG_MASTER, 1, NULL, NULL, NULL);
        Fingerprint *f = otrl_context_find_fingerprint(c, fp[o], 1, NULL);
        otrl_context_set_trust(f, "verified");
        if (otrl_privkey_write_fingerprints(us[i], path(dir, files[i], "fingerprints.trusted"))) return 9;
        fprintf(facts, "%s\t%s\tinstag=%08x\tfingerprint=", files[i], names[i], tags[i]);
        for (int k = 0; k < 20; k++) fprintf(facts, "%02x", fp[i][k]);
        fprintf(facts, "\n");
    }
    fclose(facts);
    for (int i = 0; i < 2; i++) otrl_userstate_free(us[i]);
    return 0;
}
