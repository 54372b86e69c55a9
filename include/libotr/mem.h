/* mem.h: memory helpers.
 * Part of a Rust re-implementation of libotr 4.1.1 with libotr's C API and ABI;
 * declarations follow libotr's, comments are ours. */

#ifndef __MEM_H__
#define __MEM_H__

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Kept for compatibility: libotr installs its allocator into libgcrypt here. This
 * library does not use libgcrypt, so there is nothing to set up. */
void otrl_mem_init(void);

/* Compare len bytes in constant time: 0 if equal, non-zero if they differ. */
int otrl_mem_differ(const unsigned char *buf1, const unsigned char *buf2,
	size_t len);

#ifdef __cplusplus
}
#endif

#endif
