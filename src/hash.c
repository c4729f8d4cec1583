/*
 * hash.c - MD5 through EVP_MD_CTX, not the deprecated MD5() call, so that
 * OpenSSL 3 builds without deprecation warnings. One context per call: a
 * tick hashes a few hundred short texts, and the allocation is noise next
 * to the capture itself.
 */
#include <openssl/evp.h>

#include "hash.h"

void
hash_md5_hex(const void *data, size_t len, char out[HASH_HEX_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (ctx == NULL)
		goto fail;
	if (EVP_DigestInit_ex(ctx, EVP_md5(), NULL) != 1)
		goto fail;
	/* An empty update is skipped: data may be NULL then. */
	if (len > 0 && EVP_DigestUpdate(ctx, data, len) != 1)
		goto fail;
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 ||
	    mdlen * 2 != HASH_HEX_LEN)
		goto fail;
	EVP_MD_CTX_free(ctx);
	for (unsigned int i = 0; i < mdlen; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0x0f];
	}
	out[HASH_HEX_LEN] = '\0';
	return;
fail:
	out[0] = '\0';
	EVP_MD_CTX_free(ctx);
}
