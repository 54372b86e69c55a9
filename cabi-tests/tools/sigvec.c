/* Prints a DSA signature made by the library it is linked to (the real libotr when
 * generating test vectors): the first key of KEYFILE signs the 32 bytes 00 01 .. 1f.
 *   gcc sigvec.c -o sigvec -lotr -lgcrypt && ./sigvec KEYFILE > src/crypto/testdata/libotr_sig_alice.hex */
#include <stdio.h>
#include <stdlib.h>
#include <libotr/proto.h>
#include <libotr/privkey.h>
int main(int argc, char **argv) {
    OTRL_INIT;
    OtrlUserState us = otrl_userstate_create();
    if (argc < 2 || otrl_privkey_read(us, argv[1])) return 1;
    OtrlPrivKey *k = otrl_privkey_find(us, "alice@example.org", "prpl-jabber");
    unsigned char data[32], *sig; size_t len;
    for (int i = 0; i < 32; i++) data[i] = i;
    if (!k || otrl_privkey_sign(&sig, &len, k, data, 32)) return 1;
    for (size_t i = 0; i < len; i++) printf("%02x", sig[i]);
    printf("\n");
    free(sig);
    otrl_userstate_free(us);
    return 0;
}
