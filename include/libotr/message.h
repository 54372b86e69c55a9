/* message.h: the message-level API applications call, and their callbacks.
 * Part of a Rust re-implementation of libotr 4.1.1 with libotr's C API and ABI;
 * declarations follow libotr's, comments are ours. */

#ifndef __MESSAGE_H__
#define __MESSAGE_H__

#include "proto.h"
#include "context.h"
#include "tlv.h"
#include "userstate.h"

#define OTR_ERROR_PREFIX "?OTR Error: "

/* Kinds of error message we send to the peer (the text comes from the
 * otr_error_message callback). */
typedef enum {
    OTRL_ERRCODE_NONE,
    OTRL_ERRCODE_ENCRYPTION_ERROR,
    OTRL_ERRCODE_MSG_NOT_IN_PRIVATE,
    OTRL_ERRCODE_MSG_UNREADABLE,
    OTRL_ERRCODE_MSG_MALFORMED
} OtrlErrorCode;

/* SMP progress reported through handle_smp_event. */
typedef enum {
    OTRL_SMPEVENT_NONE,
    OTRL_SMPEVENT_ERROR,
    OTRL_SMPEVENT_ABORT,
    OTRL_SMPEVENT_CHEATED,
    OTRL_SMPEVENT_ASK_FOR_ANSWER,
    OTRL_SMPEVENT_ASK_FOR_SECRET,
    OTRL_SMPEVENT_IN_PROGRESS,
    OTRL_SMPEVENT_SUCCESS,
    OTRL_SMPEVENT_FAILURE
} OtrlSMPEvent;

/* Events reported through handle_msg_event. */
typedef enum {
    OTRL_MSGEVENT_NONE,
    OTRL_MSGEVENT_ENCRYPTION_REQUIRED,
    OTRL_MSGEVENT_ENCRYPTION_ERROR,
    OTRL_MSGEVENT_CONNECTION_ENDED,
    OTRL_MSGEVENT_SETUP_ERROR,
    OTRL_MSGEVENT_MSG_REFLECTED,
    OTRL_MSGEVENT_MSG_RESENT,
    OTRL_MSGEVENT_RCVDMSG_NOT_IN_PRIVATE,
    OTRL_MSGEVENT_RCVDMSG_UNREADABLE,
    OTRL_MSGEVENT_RCVDMSG_MALFORMED,
    OTRL_MSGEVENT_LOG_HEARTBEAT_RCVD,
    OTRL_MSGEVENT_LOG_HEARTBEAT_SENT,
    OTRL_MSGEVENT_RCVDMSG_GENERAL_ERR,
    OTRL_MSGEVENT_RCVDMSG_UNENCRYPTED,
    OTRL_MSGEVENT_RCVDMSG_UNRECOGNIZED,
    OTRL_MSGEVENT_RCVDMSG_FOR_OTHER_INSTANCE
} OtrlMessageEvent;

typedef enum {
    OTRL_NOTIFY_ERROR,
    OTRL_NOTIFY_WARNING,
    OTRL_NOTIFY_INFO
} OtrlNotifyLevel;

/* Direction of a message handed to convert_msg. */
typedef enum {
    OTRL_CONVERT_SENDING,
    OTRL_CONVERT_RECEIVING
} OtrlConvertType;

/* The application's callbacks. Any may be NULL; the library then skips it. */
typedef struct s_OtrlMessageAppOps {
    /* The policy for this context. */
    OtrlPolicy (*policy)(void *opdata, ConnContext *context);

    /* No key for this account: create one (e.g. otrl_privkey_generate). */
    void (*create_privkey)(void *opdata, const char *accountname,
	    const char *protocol);

    /* 1 if the buddy is logged in, 0 if not, -1 if unknown. */
    int (*is_logged_in)(void *opdata, const char *accountname,
	    const char *protocol, const char *recipient);

    /* Send message to recipient over the network. */
    void (*inject_message)(void *opdata, const char *accountname,
	    const char *protocol, const char *recipient, const char *message);

    /* The context list changed. */
    void (*update_context_list)(void *opdata);

    /* A fingerprint not seen before for this buddy. */
    void (*new_fingerprint)(void *opdata, OtrlUserState us,
	    const char *accountname, const char *protocol,
	    const char *username, unsigned char fingerprint[20]);

    /* Trust changed: save the fingerprints (otrl_privkey_write_fingerprints). */
    void (*write_fingerprints)(void *opdata);

    /* A private conversation started, or ended. */
    void (*gone_secure)(void *opdata, ConnContext *context);
    void (*gone_insecure)(void *opdata, ConnContext *context);

    /* An existing private conversation was refreshed (is_reply: the peer asked). */
    void (*still_secure)(void *opdata, ConnContext *context, int is_reply);

    /* Largest message the network takes, for fragmenting (0: no limit). */
    int (*max_message_size)(void *opdata, ConnContext *context);

    /* A display name for the account, and its release. */
    const char *(*account_name)(void *opdata, const char *account,
	    const char *protocol);
    void (*account_name_free)(void *opdata, const char *account_name);

    /* The peer wants to use the extra symmetric key for `use`. */
    void (*received_symkey)(void *opdata, ConnContext *context,
	    unsigned int use, const unsigned char *usedata,
	    size_t usedatalen, const unsigned char *symkey);

    /* Text for an error message to the peer, and its release. */
    const char *(*otr_error_message)(void *opdata, ConnContext *context,
	    OtrlErrorCode err_code);
    void (*otr_error_message_free)(void *opdata, const char *err_msg);

    /* Prefix for a message resent after a new AKE, and its release. */
    const char *(*resent_msg_prefix)(void *opdata, ConnContext *context);
    void (*resent_msg_prefix_free)(void *opdata, const char *prefix);

    /* SMP progress; progress_percent 0-100, question set with ASK_FOR_ANSWER. */
    void (*handle_smp_event)(void *opdata, OtrlSMPEvent smp_event,
	    ConnContext *context, unsigned short progress_percent,
	    char *question);

    /* Something the user may want to know about. */
    void (*handle_msg_event)(void *opdata, OtrlMessageEvent msg_event,
	    ConnContext *context, const char *message,
	    gcry_error_t err);

    /* No instance tag for this account: create one (e.g. otrl_instag_generate). */
    void (*create_instag)(void *opdata, const char *accountname,
	    const char *protocol);

    /* Rewrite a message before encryption or after decryption, and its release. */
    void (*convert_msg)(void *opdata, ConnContext *context,
	    OtrlConvertType convert_type, char ** dest, const char *src);
    void (*convert_free)(void *opdata, ConnContext *context, char *dest);

    /* Call otrl_message_poll every `interval` seconds (0: stop). */
    void (*timer_control)(void *opdata, unsigned int interval);
} OtrlMessageAppOps;

#ifdef __cplusplus
extern "C" {
#endif

void otrl_message_free(char *message);
gcry_error_t otrl_message_sending(OtrlUserState us, const OtrlMessageAppOps *ops, void *opdata, const char *accountname, const char *protocol, const char *recipient, otrl_instag_t instag, const char *original_msg, OtrlTLV *tlvs, char **messagep, OtrlFragmentPolicy fragPolicy, ConnContext **contextp, void (*add_appdata)(void *, ConnContext *), void *data);
int otrl_message_receiving(OtrlUserState us, const OtrlMessageAppOps *ops, void *opdata, const char *accountname, const char *protocol, const char *sender, const char *message, char **newmessagep, OtrlTLV **tlvsp, ConnContext **contextp, void (*add_appdata)(void *, ConnContext *), void *data);
void otrl_message_disconnect(OtrlUserState us, const OtrlMessageAppOps *ops, void *opdata, const char *accountname, const char *protocol, const char *username, otrl_instag_t instance);
void otrl_message_disconnect_all_instances(OtrlUserState us, const OtrlMessageAppOps *ops, void *opdata, const char *accountname, const char *protocol, const char *username);
void otrl_message_initiate_smp(OtrlUserState us, const OtrlMessageAppOps *ops, void *opdata, ConnContext *context, const unsigned char *secret, size_t secretlen);
void otrl_message_initiate_smp_q(OtrlUserState us, const OtrlMessageAppOps *ops, void *opdata, ConnContext *context, const char *question, const unsigned char *secret, size_t secretlen);
void otrl_message_respond_smp(OtrlUserState us, const OtrlMessageAppOps *ops, void *opdata, ConnContext *context, const unsigned char *secret, size_t secretlen);
void otrl_message_abort_smp(OtrlUserState us, const OtrlMessageAppOps *ops, void *opdata, ConnContext *context);
gcry_error_t otrl_message_symkey(OtrlUserState us, const OtrlMessageAppOps *ops, void *opdata, ConnContext *context, unsigned int use, const unsigned char *usedata, size_t usedatalen, unsigned char *symkey);
unsigned int otrl_message_poll_get_default_interval(OtrlUserState us);
void otrl_message_poll(OtrlUserState us, const OtrlMessageAppOps *ops, void *opdata);

#ifdef __cplusplus
}
#endif

#endif
