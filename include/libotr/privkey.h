/* privkey.h: our keys, the private-key file, signatures and the fingerprint store.
 * Part of a Rust re-implementation of libotr 4.1.1 with libotr's C API and ABI;
 * declarations follow libotr's, comments are ours. */

#ifndef __PRIVKEY_H__
#define __PRIVKEY_H__

#include <stdio.h>
#include "privkey-t.h"
#include "userstate.h"

/* Characters in a human-readable fingerprint, NUL included. */
#define OTRL_PRIVKEY_FPRINT_HUMAN_LEN 45

#ifdef __cplusplus
extern "C" {
#endif

void otrl_privkey_hash_to_human(char human[OTRL_PRIVKEY_FPRINT_HUMAN_LEN], const unsigned char hash[20]);
char *otrl_privkey_fingerprint(OtrlUserState us, char fingerprint[OTRL_PRIVKEY_FPRINT_HUMAN_LEN], const char *accountname, const char *protocol);
unsigned char *otrl_privkey_fingerprint_raw(OtrlUserState us, unsigned char hash[20], const char *accountname, const char *protocol);
gcry_error_t otrl_privkey_read(OtrlUserState us, const char *filename);
gcry_error_t otrl_privkey_read_FILEp(OtrlUserState us, FILE *privf);
void otrl_privkey_pending_forget_all(OtrlUserState us);
gcry_error_t otrl_privkey_generate_start(OtrlUserState us, const char *accountname, const char *protocol, void **newkeyp);
gcry_error_t otrl_privkey_generate_calculate(void *newkey);
gcry_error_t otrl_privkey_generate_finish(OtrlUserState us, void *newkey, const char *filename);
gcry_error_t otrl_privkey_generate_finish_FILEp(OtrlUserState us, void *newkey, FILE *privf);
void otrl_privkey_generate_cancelled(OtrlUserState us, void *newkey);
gcry_error_t otrl_privkey_generate(OtrlUserState us, const char *filename, const char *accountname, const char *protocol);
gcry_error_t otrl_privkey_generate_FILEp(OtrlUserState us, FILE *privf, const char *accountname, const char *protocol);
gcry_error_t otrl_privkey_read_fingerprints(OtrlUserState us, const char *filename, void (*add_app_data)(void *, ConnContext *), void *data);
gcry_error_t otrl_privkey_read_fingerprints_FILEp(OtrlUserState us, FILE *storef, void (*add_app_data)(void *, ConnContext *), void *data);
gcry_error_t otrl_privkey_write_fingerprints(OtrlUserState us, const char *filename);
gcry_error_t otrl_privkey_write_fingerprints_FILEp(OtrlUserState us, FILE *storef);
OtrlPrivKey *otrl_privkey_find(OtrlUserState us, const char *accountname, const char *protocol);
void otrl_privkey_forget(OtrlPrivKey *privkey);
void otrl_privkey_forget_all(OtrlUserState us);
gcry_error_t otrl_privkey_sign(unsigned char **sigp, size_t *siglenp, OtrlPrivKey *privkey, const unsigned char *data, size_t len);
gcry_error_t otrl_privkey_verify(const unsigned char *sigbuf, size_t siglen, unsigned short pubkey_type, gcry_sexp_t pubs, const unsigned char *data, size_t len);

#ifdef __cplusplus
}
#endif

#endif
