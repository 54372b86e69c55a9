/* version.h: the library version this API describes.
 * Part of a Rust re-implementation of libotr 4.1.1 with libotr's C API and ABI;
 * declarations follow libotr's, comments are ours. */

#ifndef __VERSION_H__
#define __VERSION_H__

#define OTRL_VERSION "4.1.1"

#define OTRL_VERSION_MAJOR 4
#define OTRL_VERSION_MINOR 1
#define OTRL_VERSION_SUB 1

#endif
