/* Streaming SHA-256 over OpenSSL's libcrypto (EVP), so evidence is hashed while it is read. */
#ifndef TIMBERLINE_HASH_H
#define TIMBERLINE_HASH_H

#include <stddef.h>

#include "timberline/error.h"

typedef struct tl_sha256 tl_sha256;

/* Returns a fresh context; owned by the caller, free with tl_sha256_free. Aborts on OOM. */
tl_sha256 *tl_sha256_new(void);
void tl_sha256_update(tl_sha256 *h, const void *data, size_t len);
/* Writes 64 lowercase hex digits and a NUL into hex (>= 65 bytes). The context may then be
 * reused only after tl_sha256_reset. */
void tl_sha256_final_hex(tl_sha256 *h, char hex[65]);
void tl_sha256_reset(tl_sha256 *h);
void tl_sha256_free(tl_sha256 *h);

/* Hashes a whole file (read-only). Returns 0 or TL_EIO with a message. */
int tl_sha256_file(const char *path, char hex[65], unsigned long long *size, tl_error *err);

#endif
