/* auth.h: the authenticated key exchange (AKE) state.
 * Part of a Rust re-implementation of libotr 4.1.1 with libotr's C API and ABI;
 * declarations follow libotr's, comments are ours. */

#ifndef __AUTH_H__
#define __AUTH_H__

#include <time.h>
#include "privkey-t.h"
#include "dh.h"

struct context;

typedef enum {
    OTRL_AUTHSTATE_NONE,
    OTRL_AUTHSTATE_AWAITING_DHKEY,
    OTRL_AUTHSTATE_AWAITING_REVEALSIG,
    OTRL_AUTHSTATE_AWAITING_SIG,
    OTRL_AUTHSTATE_V1_SETUP
} OtrlAuthState;

/* Everything one AKE needs; embedded in each context. */
typedef struct {
    OtrlAuthState authstate;
    struct context *context;	/* the context this belongs to */
    DH_keypair our_dh;
    unsigned int our_keyid;
    unsigned char *encgx;	/* encrypted g^x we committed to */
    size_t encgx_len;
    unsigned char r[16];	/* the key encgx is encrypted with */
    unsigned char hashgx[32];	/* SHA-256 of g^x */
    gcry_mpi_t their_pub;
    unsigned int their_keyid;
    gcry_cipher_hd_t enc_c, enc_cp;
    gcry_md_hd_t mac_m1, mac_m1p, mac_m2, mac_m2p;
    unsigned char their_fingerprint[20];
    int initiated;	/* we started this AKE */
    unsigned int protocol_version;
    unsigned char secure_session_id[20];
    size_t secure_session_id_len;
    OtrlSessionIdHalf session_id_half;
    char *lastauthmsg;	/* the last AKE message we sent */
    time_t commit_sent_time;
} OtrlAuthInfo;

#ifdef __cplusplus
extern "C" {
#endif

void otrl_auth_new(struct context *context);
void otrl_auth_clear(OtrlAuthInfo *auth);
gcry_error_t otrl_auth_start_v23(OtrlAuthInfo *auth, int version);
gcry_error_t otrl_auth_handle_commit(OtrlAuthInfo *auth, const char *commitmsg, int version);
gcry_error_t otrl_auth_handle_key(OtrlAuthInfo *auth, const char *keymsg, int *havemsgp, OtrlPrivKey *privkey);
gcry_error_t otrl_auth_handle_revealsig(OtrlAuthInfo *auth, const char *revealmsg, int *havemsgp, OtrlPrivKey *privkey, gcry_error_t (*auth_succeeded)(const OtrlAuthInfo *, void *), void *asdata);
gcry_error_t otrl_auth_handle_signature(OtrlAuthInfo *auth, const char *sigmsg, int *havemsgp, gcry_error_t (*auth_succeeded)(const OtrlAuthInfo *, void *), void *asdata);
gcry_error_t otrl_auth_start_v1(OtrlAuthInfo *auth, DH_keypair *our_dh, unsigned int our_keyid, OtrlPrivKey *privkey);
gcry_error_t otrl_auth_handle_v1_key_exchange(OtrlAuthInfo *auth, const char *keyexchmsg, int *havemsgp, OtrlPrivKey *privkey, DH_keypair *our_dh, unsigned int our_keyid, gcry_error_t (*auth_succeeded)(const OtrlAuthInfo *, void *), void *asdata);
void otrl_auth_copy_on_key(OtrlAuthInfo *m_auth, OtrlAuthInfo *auth);

#ifdef __cplusplus
}
#endif

#endif
