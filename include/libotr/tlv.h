/* tlv.h: type/length/value records carried in data messages.
 * Part of a Rust re-implementation of libotr 4.1.1 with libotr's C API and ABI;
 * declarations follow libotr's, comments are ours. */

#ifndef __TLV_H__
#define __TLV_H__

#include <stddef.h>

typedef struct s_OtrlTLV {
    unsigned short type;
    unsigned short len;
    unsigned char *data;
    struct s_OtrlTLV *next;
} OtrlTLV;

#define OTRL_TLV_PADDING 0x0000	/* ignored */
#define OTRL_TLV_DISCONNECTED 0x0001	/* the peer ended the private conversation */
#define OTRL_TLV_SMP1 0x0002
#define OTRL_TLV_SMP2 0x0003
#define OTRL_TLV_SMP3 0x0004
#define OTRL_TLV_SMP4 0x0005
#define OTRL_TLV_SMP_ABORT 0x0006
#define OTRL_TLV_SMP1Q 0x0007	/* SMP1 with a question */
#define OTRL_TLV_SYMKEY 0x0008	/* use of the extra symmetric key */

#ifdef __cplusplus
extern "C" {
#endif

OtrlTLV *otrl_tlv_new(unsigned short type, unsigned short len, const unsigned char *data);
OtrlTLV *otrl_tlv_parse(const unsigned char *serialized, size_t seriallen);
void otrl_tlv_free(OtrlTLV *tlv);
size_t otrl_tlv_seriallen(const OtrlTLV *tlv);
void otrl_tlv_serialize(unsigned char *buf, const OtrlTLV *tlv);
OtrlTLV *otrl_tlv_find(OtrlTLV *tlvs, unsigned short type);

#ifdef __cplusplus
}
#endif

#endif
