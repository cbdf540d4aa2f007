/* Report verification: SHA256SUMS over the report files, manifest hashes over the evidence.
 * The manifest is parsed with jansson (a maintained JSON library) rather than by hand. */
#include "timberline/verify.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "timberline/buf.h"
#include "timberline/hash.h"

static int check_file(const char *path, const char *want, const char *label, FILE *out,
                      int *bad)
{
    char hex[65];
    unsigned long long size;
    tl_error e;
    if (tl_sha256_file(path, hex, &size, &e) != TL_OK) {
        fprintf(out, "MISSING  %s (%s)\n", label, e.msg);
        (*bad)++;
        return 0;
    }
    if (strcmp(hex, want) != 0) {
        fprintf(out, "MISMATCH %s: sha256 %s, recorded %s\n", label, hex, want);
        (*bad)++;
        return 0;
    }
    fprintf(out, "OK       %s\n", label);
    return 1;
}

int tl_verify_report(const char *dir, const char *evidence_root, FILE *out, tl_error *err)
{
    int bad = 0, good = 0;
    tl_buf path = TL_BUF_INIT;
    tl_buf_printf(&path, "%s/SHA256SUMS", dir);
    FILE *f = fopen(path.data, "re");
    if (!f) {
        int rc = tl_error_set(err, TL_EIO, "%s: %s", path.data, strerror(errno));
        tl_buf_free(&path);
        return rc;
    }
    char line[4096];
    int nsums = 0;
    while (fgets(line, sizeof line, f)) {
        size_t n = strlen(line);
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
        if (n < 67 || line[64] != ' ' || line[65] != ' ') {
            if (n) {
                fprintf(out, "MISMATCH SHA256SUMS: malformed line '%s'\n", line);
                bad++;
            }
            continue;
        }
        line[64] = '\0';
        const char *name = line + 66;
        if (strchr(name, '/')) { /* only files of the report directory itself */
            fprintf(out, "MISMATCH SHA256SUMS names a path outside the report: %s\n", name);
            bad++;
            continue;
        }
        tl_buf p = TL_BUF_INIT, label = TL_BUF_INIT;
        tl_buf_printf(&p, "%s/%s", dir, name);
        tl_buf_printf(&label, "report %s", name);
        good += check_file(p.data, line, label.data, out, &bad);
        nsums++;
        tl_buf_free(&p);
        tl_buf_free(&label);
    }
    fclose(f);
    if (!nsums) {
        fprintf(out, "MISMATCH SHA256SUMS lists no files\n");
        bad++;
    }

    tl_buf_reset(&path);
    tl_buf_printf(&path, "%s/manifest.json", dir);
    json_error_t jerr;
    json_t *root = json_load_file(path.data, 0, &jerr);
    if (!root) {
        int rc = tl_error_set(err, TL_ECORRUPT, "%s:%d: %s", path.data, jerr.line, jerr.text);
        tl_buf_free(&path);
        return rc;
    }
    json_t *ev = json_object_get(root, "evidence");
    size_t i;
    json_t *item;
    json_array_foreach(ev, i, item)
    {
        const char *sha = json_string_value(json_object_get(item, "sha256"));
        const char *abs = json_string_value(json_object_get(item, "absolute_path"));
        const char *rel = json_string_value(json_object_get(item, "path"));
        const char *src = json_string_value(json_object_get(item, "source"));
        const char *status = json_string_value(json_object_get(item, "status"));
        if (!sha) {
            fprintf(out, "SKIP     evidence %s (no hash recorded: %s)\n", src ? src : "?",
                    status ? status : "?");
            continue;
        }
        tl_buf p = TL_BUF_INIT, label = TL_BUF_INIT;
        if (evidence_root) {
            const char *r = rel ? rel : "";
            while (*r == '/') r++;
            tl_buf_printf(&p, "%s/%s", evidence_root, r);
        } else {
            tl_buf_puts(&p, abs ? abs : "");
        }
        tl_buf_printf(&label, "evidence %s", p.data);
        good += check_file(p.data, sha, label.data, out, &bad);
        tl_buf_free(&p);
        tl_buf_free(&label);
    }
    json_decref(root);
    tl_buf_free(&path);
    fprintf(out, "%d verified, %d differ\n", good, bad);
    return bad ? 1 : 0;
}
