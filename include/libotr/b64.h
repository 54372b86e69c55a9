/* b64.h: base64, and the "?OTR:...." framing of encoded messages.
 * Part of a Rust re-implementation of libotr 4.1.1 with libotr's C API and ABI;
 * declarations follow libotr's, comments are ours. */

#ifndef __B64_H__
#define __B64_H__

#include <stddef.h>

/* Three raw bytes become four base64 characters. */
#define OTRL_B64_DECODED_LEN 3
#define OTRL_B64_ENCODED_LEN 4

/* The most bytes that encoded_len base64 characters can decode to. */
#define OTRL_B64_MAX_DECODED_SIZE(encoded_len) \
	(((encoded_len) + OTRL_B64_ENCODED_LEN - 1) / OTRL_B64_ENCODED_LEN \
	 * OTRL_B64_DECODED_LEN)

#ifdef __cplusplus
extern "C" {
#endif

/* Encode datalen bytes into base64data, which must have room for
 * ((datalen+2)/3)*4 characters; no NUL is written. Returns the characters written. */
size_t otrl_base64_encode(char *base64data, const unsigned char *data,
	size_t datalen);

/* Decode base64len characters into data (room for
 * OTRL_B64_MAX_DECODED_SIZE(base64len) bytes); characters outside the alphabet are
 * skipped. Returns the number of bytes written. */
size_t otrl_base64_decode(unsigned char *data, const char *base64data,
	size_t base64len);

/* "?OTR:" + base64(buf) + "." as a malloc'd string (free with free()). */
char *otrl_base64_otr_encode(const unsigned char *buf, size_t buflen);

/* Decode the "?OTR:....." message in msg into a malloc'd *bufp of *lenp bytes.
 * Returns 0 on success, -1 if memory ran out, -2 if msg holds no such message. */
int otrl_base64_otr_decode(const char *msg, unsigned char **bufp, size_t *lenp);

#ifdef __cplusplus
}
#endif

#endif
