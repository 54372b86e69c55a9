/* Files and signatures across implementations. Run as its own process, linked to one
 * libotr or the other:
 *   t_interop write DIR        generate key + instag, add fingerprints, write all files
 *   t_interop read DIR         read the three files, print what they hold
 *   t_interop sign DIR         sign 00..1f with DIR's key, print the signature
 *   t_interop verify DIR SIG   verify SIG over 00..1f with DIR's key */
#include "common.h"

static const char *ACCT = "me@example.org", *PROTO = "prpl-test";

static void paths(const char *dir, char *k, char *f, char *t) {
    sprintf(k, "%s/otr.private_key", dir);
    sprintf(f, "%s/otr.fingerprints", dir);
    sprintf(t, "%s/otr.instance_tags", dir);
}

int main(int argc, char **argv) {
    char k[512], f[512], t[512];
    OTRL_INIT;
    if (argc < 3) return 2;
    paths(argv[2], k, f, t);
    OtrlUserState us = otrl_userstate_create();
    if (!strcmp(argv[1], "write")) {
        /* Two keys, so the writer also rewrites a key it read. */
        if (otrl_privkey_generate(us, k, "other@example.org", PROTO)) return 1;
        if (otrl_privkey_generate(us, k, ACCT, PROTO)) return 1;
        if (otrl_instag_generate(us, t, ACCT, PROTO)) return 1;
        unsigned char fp[20];
        for (int i = 0; i < 20; i++) fp[i] = (unsigned char)(i * 13);
        ConnContext *c = otrl_context_find(us, "buddy", ACCT, PROTO, OTRL_INSTAG_MASTER, 1, NULL, NULL, NULL);
        otrl_context_set_trust(otrl_context_find_fingerprint(c, fp, 1, NULL), "verified");
        fp[0] = 0xff;
        otrl_context_find_fingerprint(c, fp, 1, NULL);
        if (otrl_privkey_write_fingerprints(us, f)) return 1;
    } else {
        gcry_error_t e1 = otrl_privkey_read(us, k), e2 = otrl_privkey_read_fingerprints(us, f, NULL, NULL),
                     e3 = otrl_instag_read(us, t);
        if (e1 || e2 || e3) { printf("read errors %08x %08x %08x\n", e1, e2, e3); return 1; }
    }
    unsigned char data[32];
    for (int i = 0; i < 32; i++) data[i] = i;
    OtrlPrivKey *key = otrl_privkey_find(us, ACCT, PROTO);
    if (!strcmp(argv[1], "write") || !strcmp(argv[1], "read")) {
        walk_keys(us);
        walk_contexts(us);
        walk_instags(us);
    } else if (!strcmp(argv[1], "sign")) {
        unsigned char *sig;
        size_t len;
        if (!key || otrl_privkey_sign(&sig, &len, key, data, 32)) return 1;
        hex(sig, len);
        printf("\n");
        free(sig);
    } else if (!strcmp(argv[1], "verify") && argc > 3) {
        unsigned char sig[40];
        for (int i = 0; i < 40; i++) sscanf(argv[3] + 2 * i, "%2hhx", &sig[i]);
        gcry_error_t e = otrl_privkey_verify(sig, 40, OTRL_PUBKEY_TYPE_DSA, key->privkey, data, 32);
        sig[7] ^= 1;
        printf("verify=%08x tampered=%08x\n", e, otrl_privkey_verify(sig, 40, OTRL_PUBKEY_TYPE_DSA, key->privkey, data, 32));
    }
    otrl_userstate_free(us);
    return 0;
}
