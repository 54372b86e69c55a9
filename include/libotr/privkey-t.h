/* privkey-t.h: the private-key list types, and the libgcrypt types the API uses.
 * Part of a Rust re-implementation of libotr 4.1.1 with libotr's C API and ABI;
 * declarations follow libotr's, comments are ours. */

#ifndef __PRIVKEY_T_H__
#define __PRIVKEY_T_H__

#include <stddef.h>

/* libgcrypt types that appear in this API. libotr's headers include <gcrypt.h>; we
 * do too when it is installed, so plugins that rely on that keep compiling. Without
 * it we declare the same typedefs (this library does not link libgcrypt: fields of
 * these types hold the library's own objects). Define OTRL_NO_GCRYPT_H to skip
 * <gcrypt.h>. */
#ifndef OTRL_GCRY_TYPES_DECLARED
#define OTRL_GCRY_TYPES_DECLARED
#if !defined(OTRL_NO_GCRYPT_H) && defined(__has_include)
#if __has_include(<gcrypt.h>)
#include <gcrypt.h>
#endif
#endif
#ifndef _GCRYPT_H
#ifndef GPG_ERROR_H
typedef unsigned int gpg_error_t;
#endif
typedef gpg_error_t gcry_error_t;
typedef struct gcry_mpi *gcry_mpi_t;
typedef struct gcry_sexp *gcry_sexp_t;
typedef struct gcry_md_handle *gcry_md_hd_t;
typedef struct gcry_cipher_handle *gcry_cipher_hd_t;
#endif
#endif

/* One of our long-term keys, in the user state's privkey_root list. */
typedef struct s_OtrlPrivKey {
    struct s_OtrlPrivKey *next;
    struct s_OtrlPrivKey **tous;	/* the pointer that points at this entry */

    char *accountname;
    char *protocol;
    unsigned short pubkey_type;	/* OTRL_PUBKEY_TYPE_* */
    gcry_sexp_t privkey;	/* the key itself (an object of this library) */
    unsigned char *pubkey_data;	/* the public key as OTR serialises it */
    size_t pubkey_datalen;
} OtrlPrivKey;

#define OTRL_PUBKEY_TYPE_DSA 0

/* An account for which a key is being generated. */
typedef struct s_OtrlPendingPrivKey {
    struct s_OtrlPendingPrivKey *next;
    struct s_OtrlPendingPrivKey **tous;

    char *accountname;
    char *protocol;
} OtrlPendingPrivKey;

#endif
