/* On-disk cache of compiled vectorscan databases, so a large pattern set is compiled once:
 * hs_serialize_database output keyed by the SHA-256 of everything the compile depends on
 * (the exact compile inputs, vectorscan's version, the host platform), stored as
 * <dir>/<key>.hsdb and written atomically (temp file + rename). A file that does not verify
 * (magic, key, trailing SHA-256, hs_deserialize_database) is ignored and later overwritten.
 * A load touches the file's mtime, so mtime is "last used"; each store prunes what has not been
 * used for TIMBERLINE_CACHE_MAX_DAYS, then the least recently used past TIMBERLINE_CACHE_MAX_MB. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pattern_internal.h"
#include "timberline/buf.h"
#include "timberline/hash.h"

#define MAGIC "TLHSDB1\n"
#define MAX_CACHE_FILE (1u << 30)
/* A CI job that re-hunts with each new indicator feed adds an entry per version of the feed
 * (tens of MB for 100,000 literals); without a bound the cache only grows. */
#define CACHE_MAX_MB_DEFAULT 2048
#define CACHE_MAX_DAYS_DEFAULT 90
#define TMP_STALE_SECONDS (24 * 3600) /* a .tmp this old was left by a killed compile */

char *tl_pcache_dir(const char *override)
{
    if (override) return tl_xstrdup(override);
    tl_buf b = TL_BUF_INIT;
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    if (xdg && xdg[0] == '/') tl_buf_printf(&b, "%s/timberline", xdg);
    else if (home && home[0] == '/') tl_buf_printf(&b, "%s/.cache/timberline", home);
    else return NULL;
    return tl_buf_steal(&b, NULL);
}

static void put_u64(tl_buf *b, uint64_t v)
{
    unsigned char x[8];
    for (int i = 0; i < 8; i++) x[i] = (unsigned char)(v >> (8 * i));
    tl_buf_append(b, x, 8);
}

static int get_u64(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
    if ((size_t)(end - *p) < 8) return -1;
    *v = 0;
    for (int i = 0; i < 8; i++) *v |= (uint64_t)(*p)[i] << (8 * i);
    *p += 8;
    return 0;
}

static void put_db(tl_buf *b, const hs_database_t *db)
{
    char *bytes = NULL;
    size_t n = 0;
    if (db && hs_serialize_database(db, &bytes, &n) != HS_SUCCESS) {
        bytes = NULL;
        n = 0;
    }
    put_u64(b, db ? n + 1 : 0); /* 0 = no database */
    if (n) tl_buf_append(b, bytes, n);
    free(bytes); /* vectorscan uses malloc unless an allocator was set */
}

static int get_db(const unsigned char **p, const unsigned char *end, hs_database_t **out)
{
    uint64_t n;
    *out = NULL;
    if (get_u64(p, end, &n)) return -1;
    if (!n) return 0;
    n--;
    if (!n || (uint64_t)(end - *p) < n) return -1;
    if (hs_deserialize_database((const char *)*p, (size_t)n, out) != HS_SUCCESS) {
        *out = NULL;
        return -1;
    }
    *p += n;
    return 0;
}

static int read_all(const char *path, unsigned char **out, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
        (unsigned long long)st.st_size > MAX_CACHE_FILE) {
        close(fd);
        return -1;
    }
    size_t n = (size_t)st.st_size, got = 0;
    unsigned char *data = tl_xmalloc(n);
    while (got < n) {
        ssize_t r = read(fd, data + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fd);
    if (got != n) {
        free(data);
        return -1;
    }
    *out = data;
    *len = n;
    return 0;
}

int tl_pcache_load(tl_pattern_set *set, const char *dir, const char key[65])
{
    tl_buf path = TL_BUF_INIT;
    tl_buf_printf(&path, "%s/%s.hsdb", dir, key);
    unsigned char *data = NULL;
    size_t len = 0;
    int rc = -1;
    hs_database_t *lit = NULL, *re = NULL;
    if (read_all(path.data, &data, &len)) goto out;
    if (len < 8 + 64 + 64 || memcmp(data, MAGIC, 8) != 0 || memcmp(data + 8, key, 64) != 0)
        goto out;
    {
        char sum[65];
        tl_sha256 *h = tl_sha256_new();
        tl_sha256_update(h, data, len - 64);
        tl_sha256_final_hex(h, sum);
        tl_sha256_free(h);
        if (memcmp(sum, data + len - 64, 64) != 0) goto out;
    }
    const unsigned char *p = data + 8 + 64, *end = data + len - 64;
    if (get_db(&p, end, &lit) || get_db(&p, end, &re)) goto out;
    uint64_t nref;
    if (get_u64(&p, end, &nref) || nref > set->nrules) goto out;
    /* Check every refusal before applying any, so a bad file leaves the set untouched. */
    const unsigned char *q = p;
    for (uint64_t i = 0; i < nref; i++) {
        uint64_t ri = 0, wl = 0;
        if (get_u64(&q, end, &ri) || get_u64(&q, end, &wl) || ri >= set->nrules ||
            set->rules[ri].kind != TL_RULE_REGEX || (uint64_t)(end - q) < wl)
            goto out;
        q += wl;
    }
    if (q != end) goto out;
    for (uint64_t i = 0; i < nref; i++) {
        uint64_t ri = 0, wl = 0;
        get_u64(&p, end, &ri);
        get_u64(&p, end, &wl);
        tl_rule *r = &set->rules[ri];
        r->unfiltered = 1;
        r->screen = TL_SCREEN_ALL_LINES;
        free(r->unfiltered_why);
        r->unfiltered_why = tl_xcalloc(1, (size_t)wl + 1);
        memcpy(r->unfiltered_why, p, (size_t)wl);
        p += wl;
    }
    rc = 0;
    (void)utimensat(AT_FDCWD, path.data, NULL, 0); /* last used; a read-only cache stays as is */
out:
    if (rc == 0) {
        hs_free_database(set->lit_db);
        set->lit_db = lit;
        set->re_db = re;
    } else {
        hs_free_database(lit);
        hs_free_database(re);
    }
    free(data);
    tl_buf_free(&path);
    return rc;
}

static int mkdir_p(const char *dir)
{
    char *d = tl_xstrdup(dir);
    for (char *s = d + 1; *s; s++) {
        if (*s != '/') continue;
        *s = '\0';
        if (mkdir(d, 0700) != 0 && errno != EEXIST) {
            free(d);
            return -1;
        }
        *s = '/';
    }
    int rc = mkdir(d, 0700) != 0 && errno != EEXIST ? -1 : 0;
    free(d);
    return rc;
}

/* A limit from the environment: 0 = none; garbage or a negative value = the default; capped
 * so that the byte and second arithmetic below cannot overflow. */
static long env_limit(const char *name, long dflt, long max)
{
    const char *v = getenv(name);
    if (!v || !*v) return dflt;
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || *end || x < 0) return dflt;
    return x > max ? max : x;
}

struct centry {
    char name[64 + 5 + 1];
    time_t mtime;
    off_t size;
};

static int by_mtime(const void *a, const void *b)
{
    const struct centry *x = a, *y = b;
    if (x->mtime != y->mtime) return x->mtime < y->mtime ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int hex64(const char *n)
{
    for (size_t i = 0; i < 64; i++)
        if (!((n[i] >= '0' && n[i] <= '9') || (n[i] >= 'a' && n[i] <= 'f'))) return 0;
    return 1;
}

/* <64 hex>.hsdb */
static int is_entry_name(const char *n)
{
    return strlen(n) == 64 + 5 && hex64(n) && strcmp(n + 64, ".hsdb") == 0;
}

/* .<64 hex>.<pid>.<serial>.tmp, as tl_pcache_store names its temporary files */
static int is_tmp_name(const char *n)
{
    if (n[0] != '.' || strlen(n) < 1 + 64 + 1 + 1 + 1 + 1 + 4 || !hex64(n + 1) || n[65] != '.')
        return 0;
    const char *p = n + 66;
    for (int part = 0; part < 2; part++) {
        const char *d = p;
        while (*p >= '0' && *p <= '9') p++;
        if (p == d || *p != '.') return 0;
        p++;
    }
    return strcmp(p, "tmp") == 0;
}

void tl_pcache_prune(const char *dir, const char *keep_key, time_t now)
{
    long max_mb = env_limit("TIMBERLINE_CACHE_MAX_MB", CACHE_MAX_MB_DEFAULT, 1L << 30);
    long max_days = env_limit("TIMBERLINE_CACHE_MAX_DAYS", CACHE_MAX_DAYS_DEFAULT, 1L << 20);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return;
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        return;
    }
    struct centry *e = NULL;
    size_t n = 0, cap = 0;
    uint64_t total = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        struct stat sb;
        const char *nm = de->d_name;
        int entry = is_entry_name(nm);
        int tmp = !entry && is_tmp_name(nm);
        /* only our own names: anything else in the directory is not ours to delete */
        if (!entry && !tmp) continue;
        if (fstatat(dfd, nm, &sb, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(sb.st_mode)) continue;
        if (tmp) {
            if (now - sb.st_mtime > TMP_STALE_SECONDS) (void)unlinkat(dfd, nm, 0);
            continue;
        }
        if (keep_key && strncmp(nm, keep_key, 64) == 0) {
            total += (uint64_t)sb.st_size;
            continue;
        }
        if (max_days && now - sb.st_mtime > (time_t)max_days * 86400) {
            (void)unlinkat(dfd, nm, 0);
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            e = tl_xrealloc(e, cap * sizeof *e);
        }
        memcpy(e[n].name, nm, 64 + 5 + 1); /* is_entry_name: exactly 69 bytes */
        e[n].mtime = sb.st_mtime;
        e[n].size = sb.st_size;
        total += (uint64_t)sb.st_size;
        n++;
    }
    if (n > 1) qsort(e, n, sizeof *e, by_mtime);
    /* Another scan may prune at the same time: an entry it removed first still counts as
     * gone. (One it re-stored between our stat and unlink is lost: a recompile, no harm.) */
    uint64_t limit = (uint64_t)max_mb << 20;
    for (size_t i = 0; max_mb && i < n && total > limit; i++) {
        if (unlinkat(dfd, e[i].name, 0) == 0 || errno == ENOENT) total -= (uint64_t)e[i].size;
    }
    free(e);
    closedir(d);
}

void tl_pcache_store(const tl_pattern_set *set, const char *dir, const char key[65])
{
    tl_buf b = TL_BUF_INIT, tmp = TL_BUF_INIT, path = TL_BUF_INIT;
    tl_buf_append(&b, MAGIC, 8);
    tl_buf_append(&b, key, 64);
    put_db(&b, set->lit_db);
    put_db(&b, set->re_db);
    size_t nref = 0;
    for (size_t i = 0; i < set->nrules; i++)
        if (set->rules[i].unfiltered) nref++;
    put_u64(&b, nref);
    for (size_t i = 0; i < set->nrules; i++) {
        const tl_rule *r = &set->rules[i];
        if (!r->unfiltered) continue;
        const char *why = r->unfiltered_why ? r->unfiltered_why : "";
        put_u64(&b, i);
        put_u64(&b, strlen(why));
        tl_buf_puts(&b, why);
    }
    char sum[65];
    tl_sha256 *h = tl_sha256_new();
    tl_sha256_update(h, b.data, b.len);
    tl_sha256_final_hex(h, sum);
    tl_sha256_free(h);
    tl_buf_append(&b, sum, 64);

    if (mkdir_p(dir) != 0) goto out;
    static unsigned serial;
    tl_buf_printf(&tmp, "%s/.%s.%ld.%u.tmp", dir, key, (long)getpid(), serial++);
    tl_buf_printf(&path, "%s/%s.hsdb", dir, key);
    int fd = open(tmp.data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) goto out;
    size_t done = 0;
    while (done < b.len) {
        ssize_t w = write(fd, b.data + done, b.len - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        done += (size_t)w;
    }
    int ok = done == b.len;
    if (close(fd) != 0) ok = 0;
    if (!ok || rename(tmp.data, path.data) != 0) unlink(tmp.data);
    else tl_pcache_prune(dir, key, time(NULL));
out:
    tl_buf_free(&b);
    tl_buf_free(&tmp);
    tl_buf_free(&path);
}
