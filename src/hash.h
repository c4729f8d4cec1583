/*
 * hash.h - MD5 of a byte string as lowercase hex, via OpenSSL libcrypto's
 * EVP interface. The watchdog hashes each normalised pane snapshot and
 * compares the hash with the last one; MD5 is for change detection only,
 * never for security.
 */
#ifndef VIGIL_HASH_H
#define VIGIL_HASH_H

#include <stddef.h>

#define HASH_HEX_LEN 32 /* hex digits in an MD5; out holds one more, a NUL */

/*
 * hash_md5_hex writes the MD5 of data (len bytes; data may be NULL when len
 * is 0) into out as 32 lowercase hex digits and a NUL. Should libcrypto
 * refuse MD5 (a FIPS-only build) out is "" instead: a caller must then treat
 * the screen as unknown rather than compare it.
 */
void hash_md5_hex(const void *data, size_t len, char out[HASH_HEX_LEN + 1]);

#endif
