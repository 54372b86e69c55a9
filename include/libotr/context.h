/* context.h: conversation contexts and the fingerprints we know.
 * Part of a Rust re-implementation of libotr 4.1.1 with libotr's C API and ABI;
 * declarations follow libotr's, comments are ours. */

#ifndef __CONTEXT_H__
#define __CONTEXT_H__

#include "context_priv.h"
#include "auth.h"
#include "sm.h"
#include "instag.h"

#ifndef OTRL_USERSTATE_TYPEDEF
#define OTRL_USERSTATE_TYPEDEF
typedef struct s_OtrlUserState *OtrlUserState;
#endif

typedef enum {
    OTRL_MSGSTATE_PLAINTEXT,	/* not encrypted */
    OTRL_MSGSTATE_ENCRYPTED,	/* a private conversation is up */
    OTRL_MSGSTATE_FINISHED	/* the peer ended it; we should too */
} OtrlMessageState;

/* A fingerprint we know for a buddy; the list hangs off the master context and
 * its first element (fingerprint_root, embedded in the context) is empty. */
typedef struct s_fingerprint {
    struct s_fingerprint *next;
    struct s_fingerprint **tous;
    unsigned char *fingerprint;	/* 20 bytes, or NULL in fingerprint_root */
    struct context *context;	/* the (master) context it belongs to */
    char *trust;	/* NULL or "" if not trusted; any other text if trusted */
} Fingerprint;

/* Everything about a conversation with one buddy instance. Contexts form the user
 * state's context_root list, sorted by username, accountname, protocol and their
 * instance; a master context (their_instance 0) precedes its child instances. */
typedef struct context {
    struct context *next;
    struct context **tous;

    ConnContextPriv *context_priv;

    char *username;	/* the buddy */
    char *accountname;	/* our account */
    char *protocol;

    struct context *m_context;	/* the master context (itself for a master) */
    struct context *recent_rcvd_child;
    struct context *recent_sent_child;
    struct context *recent_child;

    otrl_instag_t our_instance;
    otrl_instag_t their_instance;

    OtrlMessageState msgstate;

    OtrlAuthInfo auth;

    Fingerprint fingerprint_root;
    Fingerprint *active_fingerprint;	/* the key in use while ENCRYPTED */

    unsigned char sessionid[20];
    size_t sessionid_len;
    OtrlSessionIdHalf sessionid_half;

    unsigned int protocol_version;	/* of the current private session */

    enum {
	OFFER_NOT,
	OFFER_SENT,
	OFFER_REJECTED,
	OFFER_ACCEPTED
    } otr_offer;	/* did we offer OTR with a whitespace tag? */

    void *app_data;	/* the application's; app_data_free(app_data) runs */
    void (*app_data_free)(void *);	/* when the context is freed */

    OtrlSMState *smstate;
} ConnContext;

#ifdef __cplusplus
extern "C" {
#endif

ConnContext *otrl_context_find(OtrlUserState us, const char *user, const char *accountname, const char *protocol, otrl_instag_t their_instance, int add_if_missing, int *addedp, void (*add_app_data)(void *, ConnContext *), void *data);
int otrl_context_is_fingerprint_trusted(Fingerprint *fprint);
void otrl_context_update_recent_child(ConnContext *context, unsigned int sent_msg);
Fingerprint *otrl_context_find_fingerprint(ConnContext *context, unsigned char fingerprint[20], int add_if_missing, int *addedp);
void otrl_context_set_trust(Fingerprint *fprint, const char *trust);
void otrl_context_force_finished(ConnContext *context);
void otrl_context_force_plaintext(ConnContext *context);
void otrl_context_forget_fingerprint(Fingerprint *fprint, int and_maybe_context);
int otrl_context_forget(ConnContext *context);
void otrl_context_forget_all(OtrlUserState us);
ConnContext *otrl_context_find_recent_instance(ConnContext *context, otrl_instag_t recent_instag);
ConnContext *otrl_context_find_recent_secure_instance(ConnContext *context);

#ifdef __cplusplus
}
#endif

#endif
