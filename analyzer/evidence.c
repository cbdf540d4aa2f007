/* Evidence walk: files and directories in a deterministic order, never following symlinks
 * below a directory argument and never writing anything. */
#include "timberline/evidence.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "timberline/buf.h"
#include "timberline/escape.h"

const char *tl_ev_status_name(tl_ev_status s)
{
    static const char *names[] = {"ok",
                                  "truncated",
                                  "corrupt",
                                  "skipped-binary",
                                  "unreadable",
                                  "symlink",
                                  "skipped-special",
                                  "limit",
                                  "encrypted",
                                  "hang",
                                  "crashed",
                                  "unsupported-nested",
                                  "unsupported-format",
                                  "hardlink",
                                  "depth-limit",
                                  "pending"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

static tl_evidence_item *push(tl_evidence_list *l)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 32;
        l->items = tl_xrealloc(l->items, l->cap * sizeof *l->items);
    }
    tl_evidence_item *it = &l->items[l->n++];
    memset(it, 0, sizeof *it);
    it->status = TL_EV_PENDING;
    it->parent = -1;
    it->root = l->n - 1;
    return it;
}

size_t tl_evidence_add_member(tl_evidence_list *l, size_t parent, const char *name,
                              size_t name_len)
{
    tl_evidence_item *it = push(l);
    size_t idx = l->n - 1;
    const tl_evidence_item *p = &l->items[parent];
    tl_buf src = TL_BUF_INIT, nm = TL_BUF_INIT;
    tl_escape_text(&nm, name, name_len, 1);
    tl_buf_printf(&src, "%s!%s", p->source, nm.data ? nm.data : "");
    it->source = tl_buf_steal(&src, NULL);
    it->member_name = tl_buf_steal(&nm, NULL);
    it->path = tl_xstrdup(p->path);
    it->given = tl_xstrdup(p->given);
    it->abs_path = tl_xstrdup(p->abs_path);
    it->parent = (long)parent;
    it->depth = p->depth + 1;
    it->root = p->root;
    return idx;
}

static char *strip_slashes(const char *arg)
{
    size_t n = strlen(arg);
    while (n > 1 && arg[n - 1] == '/') n--;
    return tl_xstrndup(arg, n);
}

/* Absolute form of a path without resolving its last component (a symlink stays itself). */
static char *absolute(const char *path)
{
    char *slash = strrchr(path, '/');
    char dirbuf[PATH_MAX];
    const char *dir = ".", *base = path;
    if (slash) {
        size_t n = (size_t)(slash - path);
        if (n == 0) n = 1; /* "/x" */
        if (n >= sizeof dirbuf) return tl_xstrdup(path);
        memcpy(dirbuf, path, n);
        dirbuf[n] = '\0';
        dir = dirbuf;
        base = slash + 1;
    }
    char *real = realpath(dir, NULL);
    if (!real) return tl_xstrdup(path);
    tl_buf b = TL_BUF_INIT;
    tl_buf_puts(&b, real);
    free(real);
    if (*base && strcmp(base, ".") != 0) {
        if (b.len == 0 || b.data[b.len - 1] != '/') tl_buf_putc(&b, '/');
        tl_buf_puts(&b, base);
    }
    return tl_buf_steal(&b, NULL);
}

static void fill_stat(tl_evidence_item *it, const struct stat *st)
{
    it->mtime_sec = (int64_t)st->st_mtim.tv_sec;
    it->mtime_nsec = (int)st->st_mtim.tv_nsec;
    it->size = (uint64_t)st->st_size;
}

static void set_msg(tl_evidence_item *it, tl_ev_status st, const char *msg)
{
    it->status = st;
    free(it->message);
    it->message = tl_xstrdup(msg);
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk_dir(tl_evidence_list *out, const char *given, const char *path,
                     const char *source, int depth)
{
    /* O_NOATIME: listing a directory must not touch its access time either. */
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOATIME);
    if (fd < 0 && errno == EPERM) fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d && fd >= 0) close(fd);
    if (!d) {
        tl_evidence_item *it = push(out);
        it->path = tl_xstrdup(path);
        it->given = tl_xstrdup(given);
        it->source = tl_xstrdup(source);
        it->abs_path = absolute(path);
        set_msg(it, TL_EV_UNREADABLE, strerror(errno));
        return;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        names = tl_xrealloc(names, (n + 1) * sizeof *names);
        names[n++] = tl_xstrdup(de->d_name);
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_name);
    for (size_t i = 0; i < n; i++) {
        tl_buf p = TL_BUF_INIT, s = TL_BUF_INIT;
        tl_buf_puts(&p, path);
        if (p.data[p.len - 1] != '/') tl_buf_putc(&p, '/');
        tl_buf_puts(&p, names[i]);
        tl_buf_puts(&s, source);
        tl_buf_putc(&s, '/');
        tl_escape_text(&s, names[i], strlen(names[i]), 1);
        struct stat st;
        if (lstat(p.data, &st) != 0) {
            tl_evidence_item *it = push(out);
            it->path = tl_xstrdup(p.data);
            it->given = tl_xstrdup(given);
            it->source = tl_xstrdup(s.data);
            it->abs_path = absolute(p.data);
            set_msg(it, TL_EV_UNREADABLE, strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            if (depth >= 64) {
                tl_evidence_item *it = push(out);
                it->path = tl_xstrdup(p.data);
                it->given = tl_xstrdup(given);
                it->source = tl_xstrdup(s.data);
                it->abs_path = absolute(p.data);
                set_msg(it, TL_EV_UNREADABLE, "directory nesting deeper than 64 levels");
            } else {
                walk_dir(out, given, p.data, s.data, depth + 1);
            }
        } else {
            tl_evidence_item *it = push(out);
            it->path = tl_xstrdup(p.data);
            it->given = tl_xstrdup(given);
            it->source = tl_xstrdup(s.data);
            it->abs_path = absolute(p.data);
            fill_stat(it, &st);
            if (S_ISLNK(st.st_mode)) {
                char target[PATH_MAX];
                ssize_t tn = readlink(p.data, target, sizeof target - 1);
                tl_buf t = TL_BUF_INIT;
                if (tn >= 0) tl_escape_text(&t, target, (size_t)tn, 0);
                it->link_target = tl_buf_steal(&t, NULL);
                tl_buf msg = TL_BUF_INIT;
                tl_buf_printf(&msg, "symlink to '%s', not followed", it->link_target);
                set_msg(it, TL_EV_SYMLINK, msg.data);
                tl_buf_free(&msg);
            } else if (!S_ISREG(st.st_mode)) {
                set_msg(it, TL_EV_SKIPPED_SPECIAL, "not a regular file (device, FIFO or socket)");
            }
        }
        tl_buf_free(&p);
        tl_buf_free(&s);
        free(names[i]);
    }
    free(names);
}

int tl_evidence_walk(tl_evidence_list *out, char *const *args, size_t nargs, tl_error *err)
{
    for (size_t a = 0; a < nargs; a++) {
        struct stat st;
        if (stat(args[a], &st) != 0) {
            int e = errno;
            return tl_error_set(err, e == ENOENT ? TL_ENOTFOUND : TL_EIO, "%s: %s", args[a],
                                strerror(e));
        }
        char *base = strip_slashes(args[a]);
        tl_buf src = TL_BUF_INIT;
        tl_escape_text(&src, base, strlen(base), 1);
        if (S_ISDIR(st.st_mode)) {
            walk_dir(out, args[a], base, src.data, 0);
        } else {
            tl_evidence_item *it = push(out);
            it->path = tl_xstrdup(base);
            it->given = tl_xstrdup(args[a]);
            it->source = tl_xstrdup(src.data);
            char *real = realpath(base, NULL);
            it->abs_path = real ? real : absolute(base);
            fill_stat(it, &st);
            if (!S_ISREG(st.st_mode))
                set_msg(it, TL_EV_SKIPPED_SPECIAL, "not a regular file (device, FIFO or socket)");
        }
        tl_buf_free(&src);
        free(base);
    }
    return TL_OK;
}

void tl_evidence_list_free(tl_evidence_list *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->n; i++) {
        tl_evidence_item *it = &l->items[i];
        free(it->path);
        free(it->given);
        free(it->source);
        free(it->abs_path);
        free(it->link_target);
        free(it->message);
        free(it->member_name);
    }
    free(l->items);
    memset(l, 0, sizeof *l);
}

/* Resolves as much of `path` as exists, then appends the rest, so a not-yet-created output
 * directory still compares correctly against the evidence. */
static char *resolve_partial(const char *path)
{
    char *real = realpath(path, NULL);
    if (real) return real;
    char *copy = tl_xstrdup(path);
    char *slash = strrchr(copy, '/');
    char *result;
    if (!slash) {
        result = resolve_partial(".");
        tl_buf b = TL_BUF_INIT;
        tl_buf_puts(&b, result);
        tl_buf_putc(&b, '/');
        tl_buf_puts(&b, copy);
        free(result);
        result = tl_buf_steal(&b, NULL);
    } else {
        *slash = '\0';
        char *parent = resolve_partial(*copy ? copy : "/");
        tl_buf b = TL_BUF_INIT;
        tl_buf_puts(&b, parent);
        if (b.len == 0 || b.data[b.len - 1] != '/') tl_buf_putc(&b, '/');
        tl_buf_puts(&b, slash + 1);
        free(parent);
        result = tl_buf_steal(&b, NULL);
    }
    free(copy);
    return result;
}

int tl_evidence_contains(char *const *args, size_t nargs, const char *dir)
{
    char *d = resolve_partial(dir);
    int inside = 0;
    for (size_t a = 0; a < nargs && !inside; a++) {
        struct stat st;
        if (stat(args[a], &st) != 0 || !S_ISDIR(st.st_mode)) continue;
        char *e = realpath(args[a], NULL);
        if (!e) continue;
        size_t n = strlen(e);
        if (strcmp(e, "/") == 0 || (strncmp(d, e, n) == 0 && (d[n] == '/' || d[n] == '\0')))
            inside = 1;
        free(e);
    }
    free(d);
    return inside;
}
