/* instag.h: instance tags, one per account, and the instance-tag file.
 * Part of a Rust re-implementation of libotr 4.1.1 with libotr's C API and ABI;
 * declarations follow libotr's, comments are ours. */

#ifndef __INSTAG_H__
#define __INSTAG_H__

#include <stdio.h>
#include "privkey-t.h"

#ifndef OTRL_USERSTATE_TYPEDEF
#define OTRL_USERSTATE_TYPEDEF
typedef struct s_OtrlUserState *OtrlUserState;
#endif

/* Special values of their_instance when looking up a context. */
#define OTRL_INSTAG_MASTER 0	/* the master context */
#define OTRL_INSTAG_BEST 1	/* the most secure, most recent instance */
#define OTRL_INSTAG_RECENT 2	/* the instance most recently talked with */
#define OTRL_INSTAG_RECENT_RECEIVED 3
#define OTRL_INSTAG_RECENT_SENT 4

/* Real instance tags are at least this. */
#define OTRL_MIN_VALID_INSTAG 0x100

typedef unsigned int otrl_instag_t;

/* Our tag for one account, in the user state's instag_root list. */
typedef struct s_OtrlInsTag {
    struct s_OtrlInsTag *next;
    struct s_OtrlInsTag **tous;

    char *accountname;
    char *protocol;
    otrl_instag_t instag;
} OtrlInsTag;

#ifdef __cplusplus
extern "C" {
#endif

void otrl_instag_forget(OtrlInsTag *instag);
void otrl_instag_forget_all(OtrlUserState us);
OtrlInsTag *otrl_instag_find(OtrlUserState us, const char *accountname, const char *protocol);
gcry_error_t otrl_instag_read(OtrlUserState us, const char *filename);
gcry_error_t otrl_instag_read_FILEp(OtrlUserState us, FILE *instf);
otrl_instag_t otrl_instag_get_new();
gcry_error_t otrl_instag_generate(OtrlUserState us, const char *filename, const char *accountname, const char *protocol);
gcry_error_t otrl_instag_generate_FILEp(OtrlUserState us, FILE *instf, const char *accountname, const char *protocol);
gcry_error_t otrl_instag_write(OtrlUserState us, const char *filename);
gcry_error_t otrl_instag_write_FILEp(OtrlUserState us, FILE *instf);

#ifdef __cplusplus
}
#endif

#endif
