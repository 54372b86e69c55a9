/* The OTR DH/SMP group (RFC 3526 group 5) as bytes, for tests that build values at
 * its edges (0, 1, p-1, p, q, ...). Shared by t_sm.c and t_smp.c. */
#ifndef CABI_GROUP_H
#define CABI_GROUP_H
#include <stdio.h>
#include <string.h>

static const char *P_HEX =
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA237327FFFFFFFFFFFFFFFF";

static void unhex(const char *h, unsigned char *out) {
    for (int i = 0; h[2 * i]; i++) sscanf(h + 2 * i, "%2hhx", &out[i]);
}

/* Big-endian add of a small signed value to a 192-byte number. */
static void addsmall(const unsigned char *in, int d, unsigned char *out) {
    memcpy(out, in, 192);
    int carry = d;
    for (int i = 191; i >= 0 && carry; i--) {
        int v = out[i] + carry;
        carry = 0;
        while (v < 0) { v += 256; carry--; }
        while (v > 255) { v -= 256; carry++; }
        out[i] = (unsigned char)v;
    }
}
#endif
