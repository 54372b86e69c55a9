/* proto.h: library initialisation, policies, and protocol-level functions.
 * Part of a Rust re-implementation of libotr 4.1.1 with libotr's C API and ABI;
 * declarations follow libotr's, comments are ours. */

#ifndef __PROTO_H__
#define __PROTO_H__

#include <stdlib.h>
#include "privkey-t.h"
#include "version.h"
#include "context.h"
#include "tlv.h"

/* Whitespace tags: the base tag, then one 8-byte tag per offered version. */
#define OTRL_MESSAGE_TAG_BASE " \t  \t\t\t\t \t \t \t  "
#define OTRL_MESSAGE_TAG_V1 " \t \t  \t "
#define OTRL_MESSAGE_TAG_V2 "  \t\t  \t "
#define OTRL_MESSAGE_TAG_V3 "  \t\t  \t\t"

/* Data message flags. */
#define OTRL_MSGFLAGS_IGNORE_UNREADABLE 0x01

typedef unsigned int OtrlPolicy;

#define OTRL_POLICY_ALLOW_V1 0x01
#define OTRL_POLICY_ALLOW_V2 0x02
#define OTRL_POLICY_ALLOW_V3 0x04
#define OTRL_POLICY_REQUIRE_ENCRYPTION 0x08
#define OTRL_POLICY_SEND_WHITESPACE_TAG 0x10
#define OTRL_POLICY_WHITESPACE_START_AKE 0x20
#define OTRL_POLICY_ERROR_START_AKE 0x40

#define OTRL_POLICY_VERSION_MASK \
	(OTRL_POLICY_ALLOW_V1 | OTRL_POLICY_ALLOW_V2 | OTRL_POLICY_ALLOW_V3)

/* Length of "\0\x03\x02"-style binary headers and of "?OTR". */
#define OTRL_HEADER_LEN 3
#define OTRL_B64_HEADER_LEN 4

/* Common policies. */
#define OTRL_POLICY_NEVER 0x00
#define OTRL_POLICY_OPPORTUNISTIC \
	(OTRL_POLICY_ALLOW_V2 | OTRL_POLICY_ALLOW_V3 | \
	 OTRL_POLICY_SEND_WHITESPACE_TAG | OTRL_POLICY_WHITESPACE_START_AKE | \
	 OTRL_POLICY_ERROR_START_AKE)
#define OTRL_POLICY_MANUAL (OTRL_POLICY_ALLOW_V2 | OTRL_POLICY_ALLOW_V3)
#define OTRL_POLICY_ALWAYS \
	(OTRL_POLICY_ALLOW_V2 | OTRL_POLICY_ALLOW_V3 | \
	 OTRL_POLICY_REQUIRE_ENCRYPTION | OTRL_POLICY_WHITESPACE_START_AKE | \
	 OTRL_POLICY_ERROR_START_AKE)
#define OTRL_POLICY_DEFAULT OTRL_POLICY_OPPORTUNISTIC

typedef enum {
    OTRL_MSGTYPE_NOTOTR,
    OTRL_MSGTYPE_TAGGEDPLAINTEXT,
    OTRL_MSGTYPE_QUERY,
    OTRL_MSGTYPE_DH_COMMIT,
    OTRL_MSGTYPE_DH_KEY,
    OTRL_MSGTYPE_REVEALSIG,
    OTRL_MSGTYPE_SIGNATURE,
    OTRL_MSGTYPE_V1_KEYEXCH,
    OTRL_MSGTYPE_DATA,
    OTRL_MSGTYPE_ERROR,
    OTRL_MSGTYPE_UNKNOWN
} OtrlMessageType;

typedef enum {
    OTRL_FRAGMENT_UNFRAGMENTED,
    OTRL_FRAGMENT_INCOMPLETE,
    OTRL_FRAGMENT_COMPLETE
} OtrlFragmentResult;

typedef enum {
    OTRL_FRAGMENT_SEND_SKIP,	/* the application sends the fragments itself */
    OTRL_FRAGMENT_SEND_ALL,
    OTRL_FRAGMENT_SEND_ALL_BUT_FIRST,
    OTRL_FRAGMENT_SEND_ALL_BUT_LAST
} OtrlFragmentPolicy;

/* Initialise the library; call once, before anything else, through OTRL_INIT, which
 * passes the version of the headers the application was compiled with and exits the
 * program if the library cannot serve that version (a different major version). */
#define OTRL_INIT do { \
	if (otrl_init(OTRL_VERSION_MAJOR, OTRL_VERSION_MINOR, \
		    OTRL_VERSION_SUB)) { \
	    exit(1); \
	} \
    } while (0)

#ifdef __cplusplus
extern "C" {
#endif

gcry_error_t otrl_init(unsigned int ver_major, unsigned int ver_minor, unsigned int ver_sub);
const char *otrl_version(void);
char *otrl_proto_default_query_msg(const char *ourname, OtrlPolicy policy);
unsigned int otrl_proto_query_bestversion(const char *querymsg, OtrlPolicy policy);
unsigned int otrl_proto_whitespace_bestversion(const char *msg, const char **starttagp, const char **endtagp, OtrlPolicy policy);
OtrlMessageType otrl_proto_message_type(const char *message);
int otrl_proto_message_version(const char *message);
gcry_error_t otrl_proto_instance(const char *otrmsg, unsigned int *instance_from, unsigned int *instance_to);
gcry_error_t otrl_proto_create_data(char **encmessagep, ConnContext *context, const char *msg, const OtrlTLV *tlvs, unsigned char flags, unsigned char *extrakey);
gcry_error_t otrl_proto_data_read_flags(const char *datamsg, unsigned char *flagsp);
gcry_error_t otrl_proto_accept_data(char **plaintextp, OtrlTLV **tlvsp, ConnContext *context, const char *datamsg, unsigned char *flagsp, unsigned char *extrakey);
OtrlFragmentResult otrl_proto_fragment_accumulate(char **unfragmessagep, ConnContext *context, const char *msg);
gcry_error_t otrl_proto_fragment_create(int mms, int fragment_count, char ***fragments, ConnContext *context, const char *message);
void otrl_proto_fragment_free(char ***fragments, unsigned short arraylen);

#ifdef __cplusplus
}
#endif

#endif
