/* userstate.h: the per-application state that holds every list.
 * Part of a Rust re-implementation of libotr 4.1.1 with libotr's C API and ABI;
 * declarations follow libotr's, comments are ours. */

#ifndef __USERSTATE_H__
#define __USERSTATE_H__

#include "context.h"
#include "privkey-t.h"
#include "instag.h"

struct s_OtrlUserState {
    ConnContext *context_root;
    OtrlPrivKey *privkey_root;
    OtrlInsTag *instag_root;
    OtrlPendingPrivKey *pending_root;
    int timer_running;
};

#ifndef OTRL_USERSTATE_TYPEDEF
#define OTRL_USERSTATE_TYPEDEF
typedef struct s_OtrlUserState *OtrlUserState;
#endif

#ifdef __cplusplus
extern "C" {
#endif

OtrlUserState otrl_userstate_create(void);
void otrl_userstate_free(OtrlUserState us);

#ifdef __cplusplus
}
#endif

#endif
