/* SHA-256 via libcrypto's EVP interface: a maintained, audited implementation rather than our own. */
#include "timberline/hash.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct tl_sha256 {
    EVP_MD_CTX *ctx;
};

tl_sha256 *tl_sha256_new(void)
{
    tl_sha256 *h = tl_xmalloc(sizeof *h);
    h->ctx = EVP_MD_CTX_new();
    if (!h->ctx || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1)
        tl_panic(__FILE__, __LINE__, "EVP sha256 init");
    return h;
}

void tl_sha256_update(tl_sha256 *h, const void *data, size_t len)
{
    if (len && EVP_DigestUpdate(h->ctx, data, len) != 1)
        tl_panic(__FILE__, __LINE__, "EVP_DigestUpdate");
}

void tl_sha256_final_hex(tl_sha256 *h, char hex[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(h->ctx, md, &n) != 1 || n != 32)
        tl_panic(__FILE__, __LINE__, "EVP_DigestFinal_ex");
    static const char H[] = "0123456789abcdef";
    for (unsigned i = 0; i < 32; i++) {
        hex[2 * i] = H[md[i] >> 4];
        hex[2 * i + 1] = H[md[i] & 15];
    }
    hex[64] = '\0';
}

void tl_sha256_reset(tl_sha256 *h)
{
    if (EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1)
        tl_panic(__FILE__, __LINE__, "EVP sha256 reset");
}

void tl_sha256_free(tl_sha256 *h)
{
    if (!h) return;
    EVP_MD_CTX_free(h->ctx);
    free(h);
}

int tl_sha256_file(const char *path, char hex[65], unsigned long long *size, tl_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return tl_error_set(err, TL_EIO, "%s: %s", path, strerror(errno));
    tl_sha256 *h = tl_sha256_new();
    unsigned long long total = 0;
    char buf[1 << 16];
    int rc = TL_OK;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            rc = tl_error_set(err, TL_EIO, "%s: %s", path, strerror(errno));
            break;
        }
        if (n == 0) break;
        tl_sha256_update(h, buf, (size_t)n);
        total += (unsigned long long)n;
    }
    close(fd);
    if (rc == TL_OK) tl_sha256_final_hex(h, hex);
    if (size) *size = total;
    tl_sha256_free(h);
    return rc;
}
