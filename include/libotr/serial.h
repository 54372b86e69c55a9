/* serial.h: helper macros for reading and writing OTR wire data in C.
 * Part of a Rust re-implementation of libotr 4.1.1 with libotr's C API and ABI;
 * declarations follow libotr's, comments are ours. */

#ifndef __SERIAL_H__
#define __SERIAL_H__

/* These macros work on locals of the calling function: `bufp` (unsigned char *),
 * `lenp` (size_t, bytes left), and for MPIs `format` (a gcry_mpi_format); the read
 * macros jump to a label `invval` when the input is short or malformed. */

#undef DEBUG

#define debug_data(t,b,l)
#define debug_int(t,b)

#define write_int(x) do { \
	bufp[0] = ((x) >> 24) & 0xff; \
	bufp[1] = ((x) >> 16) & 0xff; \
	bufp[2] = ((x) >> 8) & 0xff; \
	bufp[3] = (x) & 0xff; \
	bufp += 4; lenp -= 4; \
    } while(0)

#define write_mpi(x,nx,dx) do { \
	write_int(nx); \
	gcry_mpi_print(format, bufp, lenp, NULL, (x)); \
	debug_data((dx), bufp, (nx)); \
	bufp += (nx); lenp -= (nx); \
    } while(0)

#define require_len(l) do { \
	if (lenp < (l)) goto invval; \
    } while(0)

#define read_int(x) do { \
	require_len(4); \
	(x) = (bufp[0] << 24) | (bufp[1] << 16) | (bufp[2] << 8) | bufp[3]; \
	bufp += 4; lenp -= 4; \
    } while(0)

#define read_mpi(x) do { \
	size_t mpilen; \
	read_int(mpilen); \
	if (mpilen) { \
	    require_len(mpilen); \
	    gcry_mpi_scan(&(x), GCRYMPI_FMT_USG, bufp, mpilen, NULL); \
	} else { \
	    (x) = gcry_mpi_set_ui(NULL, 0); \
	} \
	bufp += mpilen; lenp -= mpilen; \
    } while(0)

#define write_header(version,msgtype) do { \
	bufp[0] = 0x00; \
	bufp[1] = (version) & 0xff; \
	bufp[2] = (msgtype); \
	debug_data("Header", bufp, 3); \
	bufp += 3; lenp -= 3; \
    } while(0)

#define skip_header(x) do { \
	require_len(3); \
	if (bufp[0] != 0x00 || bufp[2] != (x)) goto invval; \
	if (bufp[1] != 0x01 && bufp[1] != 0x02 && bufp[1] != 0x03) goto invval; \
	bufp += 3; lenp -= 3; \
    } while(0)

#endif
