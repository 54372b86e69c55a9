/* dh.h: Diffie-Hellman key pairs and the session keys derived from them.
 * Part of a Rust re-implementation of libotr 4.1.1 with libotr's C API and ABI;
 * declarations follow libotr's, comments are ours. */

#ifndef __DH_H__
#define __DH_H__

#include "privkey-t.h"

/* The 1536-bit group of RFC 3526 (group 5), generator 2. */
#define DH1536_GROUP_ID 5

typedef struct {
    unsigned int groupid;	/* 0 when unused */
    gcry_mpi_t priv, pub;
} DH_keypair;

/* Which half of the secure session id to show in bold. */
typedef enum {
    OTRL_SESSIONID_FIRST_HALF_BOLD,
    OTRL_SESSIONID_SECOND_HALF_BOLD
} OtrlSessionIdHalf;

/* Keys for one (our key, their key) pair. */
typedef struct {
    unsigned char sendctr[16];
    unsigned char rcvctr[16];
    gcry_cipher_hd_t sendenc;
    gcry_cipher_hd_t rcvenc;
    gcry_md_hd_t sendmac;
    unsigned char sendmackey[20];
    int sendmacused;
    gcry_md_hd_t rcvmac;
    unsigned char rcvmackey[20];
    int rcvmacused;
    unsigned char extrakey[32];
} DH_sesskeys;

/* Size of the extra symmetric key. */
#define OTRL_EXTRAKEY_BYTES 32

#ifdef __cplusplus
extern "C" {
#endif

void otrl_dh_init(void);
void otrl_dh_keypair_init(DH_keypair *kp);
void otrl_dh_keypair_copy(DH_keypair *dst, const DH_keypair *src);
void otrl_dh_keypair_free(DH_keypair *kp);
gcry_error_t otrl_dh_gen_keypair(unsigned int groupid, DH_keypair *kp);
gcry_error_t otrl_dh_session(DH_sesskeys *sess, const DH_keypair *kp, gcry_mpi_t y);
gcry_error_t otrl_dh_compute_v2_auth_keys(const DH_keypair *our_dh, gcry_mpi_t their_pub, unsigned char *sessionid, size_t *sessionidlenp, gcry_cipher_hd_t *enc_c, gcry_cipher_hd_t *enc_cp, gcry_md_hd_t *mac_m1, gcry_md_hd_t *mac_m1p, gcry_md_hd_t *mac_m2, gcry_md_hd_t *mac_m2p);
gcry_error_t otrl_dh_compute_v1_session_id(const DH_keypair *our_dh, gcry_mpi_t their_pub, unsigned char *sessionid, size_t *sessionidlenp, OtrlSessionIdHalf *halfp);
void otrl_dh_session_free(DH_sesskeys *sess);
void otrl_dh_session_blank(DH_sesskeys *sess);
void otrl_dh_incctr(unsigned char *ctr);
int otrl_dh_cmpctr(const unsigned char *ctr1, const unsigned char *ctr2);

#ifdef __cplusplus
}
#endif

#endif
