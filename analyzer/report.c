/* Report writers. Every evidence byte goes through escape.c; every file is written to a temp
 * name and renamed, so a crash never leaves a half-written report that looks complete. */
#include "timberline/report.h"

#include <archive.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>

#include "timberline/buf.h"
#include "timberline/outfile.h"
#include "timberline/escape.h"
#include "timberline/hash.h"
#include "timberline/html.h"
#include "timberline/pool.h"
#include "timberline/timestamp.h"


/* ---- shared pieces ---- */

static void put_time(tl_buf *b, int64_t us)
{
    char t[48];
    tl_ts_format_utc(us, t, sizeof t);
    tl_buf_puts(b, t);
}

static const char *ts_desc(tl_ts_quality q)
{
    return q == TL_TSQ_NONE ? "No timestamp" : "Log entry time";
}

void tl_report_rule_stats(const tl_scan_result *res, const tl_pattern_set *set,
                          tl_rule_stats *stats)
{
    size_t n = tl_pattern_set_count(set);
    memset(stats, 0, n * sizeof *stats);
    for (size_t i = 0; i < n && i < res->timeline.ntally; i++) {
        const tl_rule_tally *t = &res->timeline.tally[i];
        stats[i].hits = t->hits;
        stats[i].have_time = t->timed > 0;
        stats[i].first_us = t->first_us;
        stats[i].last_us = t->last_us;
    }
}

/* ---- timeline.jsonl / timeline.csv ---- */

static void jsonl_event(tl_buf *b, const tl_event *ev, const tl_scan_result *res,
                        const tl_pattern_set *set, int is_new)
{
    const tl_rule *r = tl_pattern_set_rule(set, ev->rule);
    const tl_evidence_item *it = &res->evidence.items[ev->item];
    tl_buf_puts(b, "{\"datetime\":");
    if (ev->quality == TL_TSQ_NONE) {
        tl_buf_puts(b, "null,\"timestamp\":null");
    } else {
        tl_buf_putc(b, '"');
        put_time(b, ev->ts_us);
        tl_buf_puts(b, "\",\"timestamp\":");
        tl_buf_put_i64(b, (long long)ev->ts_us);
    }
    tl_buf_puts(b, ",\"timestamp_desc\":\"");
    tl_buf_puts(b, ts_desc(ev->quality));
    tl_buf_puts(b, "\",\"ts_quality\":\"");
    tl_buf_puts(b, tl_ts_quality_name(ev->quality));
    tl_buf_puts(b, "\",\"message\":");
    tl_escape_json_str(b, ev->message, ev->message_len);
    tl_buf_puts(b, ",\"rule\":");
    tl_escape_json_str(b, r->id, strlen(r->id));
    tl_buf_puts(b, ",\"severity\":\"");
    tl_buf_puts(b, tl_severity_name(r->severity));
    tl_buf_puts(b, "\",\"tags\":[");
    for (size_t t = 0; t < r->ntags; t++) {
        if (t) tl_buf_putc(b, ',');
        tl_escape_json_str(b, r->tags[t], strlen(r->tags[t]));
    }
    tl_buf_puts(b, "],\"indicator\":");
    tl_escape_json_str(b, ev->indicator, ev->indicator_len);
    tl_buf_puts(b, ",\"fields\":{");
    for (size_t f = 0; f < ev->nfields; f++) {
        if (f) tl_buf_putc(b, ',');
        tl_escape_json_str(b, ev->fields[f].name, strlen(ev->fields[f].name));
        tl_buf_putc(b, ':');
        tl_escape_json_str(b, ev->fields[f].value, ev->fields[f].len);
    }
    tl_buf_puts(b, "},\"source\":");
    /* source names are already escaped text; JSON-escape that text */
    tl_escape_json_str(b, it->source, strlen(it->source));
    tl_buf_puts(b, ",\"line\":");
    tl_buf_put_u64(b, (unsigned long long)ev->line);
    tl_buf_puts(b, ",\"offset\":");
    tl_buf_put_u64(b, (unsigned long long)ev->offset);
    tl_buf_puts(b, ",\"evidence_sha256\":\"");
    tl_buf_puts(b, res->evidence.items[it->root].sha256);
    tl_buf_puts(b, "\",\"flags\":[");
    int first = 1;
    for (int bit = 0; bit < TL_FLAG_COUNT; bit++) {
        if (!(ev->flags & (1u << bit))) continue;
        tl_buf_printf(b, "%s\"%s\"", first ? "" : ",", tl_flag_name(bit));
        first = 0;
    }
    tl_buf_puts(b, "]");
    if (is_new >= 0) tl_buf_puts(b, is_new ? ",\"new\":true" : ",\"new\":false");
    tl_buf_puts(b, "}\n");
}

static const char CSV_HEADER[] = "datetime,timestamp,timestamp_desc,ts_quality,message,rule,"
                                 "severity,tags,indicator,fields,source,line,offset,"
                                 "evidence_sha256,flags\n";

static void csv_event(tl_buf *b, tl_buf *tmp, const tl_event *ev, const tl_scan_result *res,
                      const tl_pattern_set *set, int is_new)
{
    const tl_rule *r = tl_pattern_set_rule(set, ev->rule);
    const tl_evidence_item *it = &res->evidence.items[ev->item];
    if (ev->quality != TL_TSQ_NONE) {
        put_time(b, ev->ts_us);
        tl_buf_putc(b, ',');
        tl_buf_put_i64(b, (long long)ev->ts_us);
    } else {
        tl_buf_putc(b, ',');
    }
    tl_buf_putc(b, ',');
    tl_buf_puts(b, ts_desc(ev->quality));
    tl_buf_putc(b, ',');
    tl_buf_puts(b, tl_ts_quality_name(ev->quality));
    tl_buf_putc(b, ',');
    tl_escape_csv(b, ev->message, ev->message_len, 1);
    tl_buf_putc(b, ',');
    tl_escape_csv(b, r->id, strlen(r->id), 1);
    tl_buf_putc(b, ',');
    tl_buf_puts(b, tl_severity_name(r->severity));
    tl_buf_putc(b, ',');
    tl_buf_reset(tmp);
    for (size_t t = 0; t < r->ntags; t++) {
        if (t) tl_buf_putc(tmp, ';');
        tl_buf_puts(tmp, r->tags[t]);
    }
    tl_escape_csv(b, tmp->data ? tmp->data : "", tmp->len, 1);
    tl_buf_putc(b, ',');
    tl_escape_csv(b, ev->indicator, ev->indicator_len, 1);
    tl_buf_putc(b, ',');
    tl_buf_reset(tmp);
    for (size_t f = 0; f < ev->nfields; f++) {
        if (f) tl_buf_putc(tmp, ';');
        tl_buf_puts(tmp, ev->fields[f].name);
        tl_buf_putc(tmp, '=');
        tl_buf_append(tmp, ev->fields[f].value, ev->fields[f].len);
    }
    tl_escape_csv(b, tmp->data ? tmp->data : "", tmp->len, 1);
    tl_buf_putc(b, ',');
    tl_escape_csv(b, it->source, strlen(it->source), 1);
    tl_buf_putc(b, ',');
    tl_buf_put_u64(b, (unsigned long long)ev->line);
    tl_buf_putc(b, ',');
    tl_buf_put_u64(b, (unsigned long long)ev->offset);
    tl_buf_putc(b, ',');
    tl_buf_puts(b, res->evidence.items[it->root].sha256);
    tl_buf_putc(b, ',');
    int first = 1;
    for (int bit = 0; bit < TL_FLAG_COUNT; bit++) {
        if (!(ev->flags & (1u << bit))) continue;
        tl_buf_printf(b, "%s%s", first ? "" : ";", tl_flag_name(bit));
        first = 0;
    }
    if (is_new >= 0) tl_buf_puts(b, is_new ? ",true" : ",false");
    tl_buf_putc(b, '\n');
}

/* A report file this run wrote and its digest (taken while writing), for SHA256SUMS. */
struct written {
    const char *name;
    char sha256[65];
};

static int close_into(tl_outfile *o, const char *name, struct written *w, tl_error *err)
{
    int rc = tl_outfile_close(o, err);
    if (rc == TL_OK && w) {
        w->name = name;
        memcpy(w->sha256, o->sha256, sizeof w->sha256);
    }
    return rc;
}

/* timeline.jsonl, and new_events.jsonl with --baseline (the same records, filtered). */
static int write_jsonl(const char *dir, const tl_scan_result *res, const tl_pattern_set *set,
                       int with_new, struct written *w, tl_error *err)
{
    tl_outfile j, nw = {0};
    int rc = tl_outfile_open(&j, dir, "timeline.jsonl", err);
    if (rc) return rc;
    if (with_new && (rc = tl_outfile_open(&nw, dir, "new_events.jsonl", err)) != TL_OK) {
        tl_outfile_abort(&j);
        return rc;
    }
    tl_buf b = TL_BUF_INIT;
    tl_timeline_iter *it = tl_timeline_iter_new(&res->timeline);
    const tl_event *ev;
    while ((ev = tl_timeline_iter_next(it)) != NULL) {
        int is_new = with_new ? ev->is_new : -1;
        size_t at = b.len;
        jsonl_event(&b, ev, res, set, is_new);
        if (is_new == 1) tl_outfile_write(&nw, b.data + at, b.len - at);
        /* one write per ~64 KiB, not per event */
        if (b.len >= (64u << 10)) tl_outfile_write_buf(&j, &b);
    }
    tl_outfile_write_buf(&j, &b);
    tl_timeline_iter_free(it);
    tl_buf_free(&b);
    rc = close_into(&j, "timeline.jsonl", &w[0], err);
    int rc2 = with_new ? close_into(&nw, "new_events.jsonl", &w[1], rc ? NULL : err) : TL_OK;
    return rc ? rc : rc2;
}

static int write_csv(const char *dir, const tl_scan_result *res, const tl_pattern_set *set,
                     int with_new, struct written *w, tl_error *err)
{
    tl_outfile c;
    int rc = tl_outfile_open(&c, dir, "timeline.csv", err);
    if (rc) return rc;
    tl_buf b = TL_BUF_INIT, tmp = TL_BUF_INIT;
    if (with_new) {
        /* the `new` column exists only with --baseline, so plain reports keep their shape */
        tl_outfile_write(&c, CSV_HEADER, sizeof CSV_HEADER - 2);
        tl_outfile_puts(&c, ",new\n");
    } else {
        tl_outfile_puts(&c, CSV_HEADER);
    }
    tl_timeline_iter *it = tl_timeline_iter_new(&res->timeline);
    const tl_event *ev;
    while ((ev = tl_timeline_iter_next(it)) != NULL) {
        csv_event(&b, &tmp, ev, res, set, with_new ? ev->is_new : -1);
        if (b.len >= (64u << 10)) tl_outfile_write_buf(&c, &b);
    }
    tl_outfile_write_buf(&c, &b);
    tl_timeline_iter_free(it);
    tl_buf_free(&b);
    tl_buf_free(&tmp);
    return close_into(&c, "timeline.csv", w, err);
}

/* ---- manifest.json / summary.json ---- */

static void jstr(tl_buf *b, const char *s)
{
    if (!s) tl_buf_puts(b, "null");
    else tl_escape_json_str(b, s, strlen(s));
}

static void jtime_or_null(tl_buf *b, int have, int64_t us)
{
    if (!have) {
        tl_buf_puts(b, "null");
        return;
    }
    tl_buf_putc(b, '"');
    put_time(b, us);
    tl_buf_putc(b, '"');
}

static void indent(tl_buf *b, int level)
{
    for (int i = 0; i < level; i++) tl_buf_puts(b, "  ");
}

/* One evidence item and, recursively, its members. */
static void manifest_item(tl_buf *b, const tl_scan_result *res, size_t i, const size_t *first,
                          const size_t *next, int level)
{
    const tl_evidence_item *it = &res->evidence.items[i];
    indent(b, level);
    tl_buf_puts(b, "{\"source\": ");
    jstr(b, it->source);
    tl_buf e = TL_BUF_INIT;
    if (it->parent < 0) {
        tl_escape_text(&e, it->given, strlen(it->given), 0);
        tl_buf_puts(b, ", \"given_path\": ");
        jstr(b, e.data);
        tl_buf_reset(&e);
        tl_escape_text(&e, it->path, strlen(it->path), 0);
        tl_buf_puts(b, ", \"path\": ");
        jstr(b, e.data);
        tl_buf_reset(&e);
        tl_escape_text(&e, it->abs_path, strlen(it->abs_path), 0);
        tl_buf_puts(b, ", \"absolute_path\": ");
        jstr(b, e.data);
    } else {
        tl_buf_puts(b, ", \"member_path\": ");
        jstr(b, it->member_name);
    }
    tl_buf_free(&e);
    tl_buf_printf(b, ", \"size\": %llu, \"sha256\": ", (unsigned long long)it->size);
    jstr(b, it->sha256[0] ? it->sha256 : NULL);
    if (it->content_sha256[0]) {
        tl_buf_puts(b, ", \"content_sha256\": ");
        jstr(b, it->content_sha256);
    }
    tl_buf_puts(b, ", \"mtime\": ");
    jtime_or_null(b, 1, it->mtime_sec * 1000000 + it->mtime_nsec / 1000);
    tl_buf_puts(b, ", \"kind\": ");
    jstr(b, it->kind[0] ? it->kind : NULL);
    if (it->format[0]) {
        tl_buf_puts(b, ", \"format\": ");
        jstr(b, it->format);
    }
    tl_buf_printf(b, ", \"status\": \"%s\", \"message\": ", tl_ev_status_name(it->status));
    jstr(b, it->message);
    if (it->link_target) {
        tl_buf_puts(b, ", \"link_target\": ");
        jstr(b, it->link_target);
    }
    tl_buf_printf(b, ", \"lines\": %llu, \"decoded_bytes\": %llu",
                  (unsigned long long)it->lines, (unsigned long long)it->decoded_bytes);
    if (it->scanned) {
        /* how times were read in this stream, and how the matched lines got theirs */
        tl_buf_puts(b, ", \"timestamps\": {\"format\": ");
        jstr(b, it->ts_format[0] ? it->ts_format : "none");
        tl_buf_puts(b, ", \"date_order\": ");
        jstr(b, it->ts_order[0] ? it->ts_order : NULL);
        tl_buf_puts(b, ", \"zone\": ");
        jstr(b, it->ts_zone);
        tl_buf_printf(b, ", \"matched_lines\": {\"parsed\": %llu, \"inferred-year\": %llu, "
                         "\"inherited\": %llu, \"none\": %llu}}",
                      (unsigned long long)it->ts_counts[TL_TSQ_PARSED],
                      (unsigned long long)it->ts_counts[TL_TSQ_INFERRED_YEAR],
                      (unsigned long long)it->ts_counts[TL_TSQ_INHERITED],
                      (unsigned long long)it->ts_counts[TL_TSQ_NONE]);
    }
    if (first[i] != (size_t)-1) {
        tl_buf_puts(b, ", \"members\": [\n");
        for (size_t c = first[i]; c != (size_t)-1; c = next[c]) {
            manifest_item(b, res, c, first, next, level + 1);
            tl_buf_puts(b, next[c] != (size_t)-1 ? ",\n" : "\n");
        }
        indent(b, level);
        tl_buf_putc(b, ']');
    }
    tl_buf_putc(b, '}');
}

static int write_manifest(const char *dir, const tl_scan_result *res, const tl_pattern_set *set,
                          const tl_run_info *info, struct written *w, tl_error *err)
{
    tl_buf b = TL_BUF_INIT;
    struct utsname un;
    char host[256] = "";
    if (gethostname(host, sizeof host - 1) != 0) snprintf(host, sizeof host, "unknown");
    if (uname(&un) != 0) memset(&un, 0, sizeof un);
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) snprintf(cwd, sizeof cwd, "?");
    char pcre[64];
    tl_pattern_pcre2_version(pcre, sizeof pcre);

    tl_buf_printf(&b, "{\n  \"schema_version\": %d,\n  \"tool\": {\"name\": \"timberline\", "
                      "\"version\": ",
                  TL_SCHEMA_VERSION);
    jstr(&b, info->version);
    tl_buf_puts(&b, "},\n  \"libraries\": {\"pcre2\": ");
    jstr(&b, pcre);
    tl_buf_puts(&b, ", \"libarchive\": ");
    jstr(&b, archive_version_details());
    tl_buf_puts(&b, ", \"zlib\": ");
    jstr(&b, zlibVersion());
    tl_buf_puts(&b, ", \"libhs\": ");
    jstr(&b, tl_pattern_hs_version());
    tl_buf_puts(&b, ", \"openssl\": ");
    jstr(&b, OpenSSL_version(OPENSSL_VERSION));
    tl_buf_puts(&b, "},\n  \"host\": {\"name\": ");
    jstr(&b, host);
    tl_buf_puts(&b, ", \"system\": ");
    tl_buf tmp = TL_BUF_INIT;
    tl_buf_printf(&tmp, "%s %s %s", un.sysname, un.release, un.machine);
    jstr(&b, tmp.data);
    tl_buf_free(&tmp);
    tl_buf_puts(&b, "},\n  \"case\": ");
    jstr(&b, info->case_id);
    tl_buf_puts(&b, ",\n  \"analyst\": ");
    jstr(&b, info->analyst);
    tl_buf_puts(&b, ",\n  \"command_line\": [");
    for (int i = 0; i < info->argc; i++) {
        if (i) tl_buf_puts(&b, ", ");
        jstr(&b, info->argv[i]);
    }
    tl_buf_puts(&b, "],\n  \"working_directory\": ");
    jstr(&b, cwd);
    tl_buf_puts(&b, ",\n  \"started\": ");
    jtime_or_null(&b, 1, info->start_us);
    tl_buf_puts(&b, ",\n  \"finished\": ");
    jtime_or_null(&b, 1, info->end_us);
    tl_buf_printf(&b, ",\n  \"threads\": %d,\n  \"timezone\": ", info->threads);
    jstr(&b, info->tz_name);
    tl_buf_puts(&b, ",\n  \"fail_on\": ");
    jstr(&b, info->fail_on);
    tl_buf_puts(&b, ",\n  \"pattern_files\": [");
    for (size_t i = 0; i < tl_pattern_set_nfiles(set); i++) {
        const tl_pattern_file *pf = tl_pattern_set_file(set, i);
        tl_buf_puts(&b, i ? ",\n    {\"path\": " : "\n    {\"path\": ");
        jstr(&b, pf->path);
        tl_buf_printf(&b, ", \"sha256\": \"%s\", \"rules\": %zu}", pf->sha256, pf->nrules);
    }
    tl_buf_printf(&b, "%s],\n  \"rules_loaded\": %zu,\n  \"evidence\": [",
                  tl_pattern_set_nfiles(set) ? "\n  " : "", tl_pattern_set_count(set));
    /* the evidence tree: members below the archive they came from, in archive order */
    size_t n = res->evidence.n;
    size_t *first = tl_xcalloc(n ? n : 1, sizeof *first), *next = tl_xcalloc(n ? n : 1, sizeof *next);
    size_t *last = tl_xcalloc(n ? n : 1, sizeof *last);
    for (size_t i = 0; i < n; i++) first[i] = next[i] = last[i] = (size_t)-1;
    size_t ntop = 0;
    for (size_t i = 0; i < n; i++) {
        long p = res->evidence.items[i].parent;
        if (p < 0) {
            ntop++;
            continue;
        }
        if (first[p] == (size_t)-1) first[p] = i;
        else next[last[p]] = i;
        last[p] = i;
    }
    int k = 0;
    for (size_t i = 0; i < n; i++) {
        if (res->evidence.items[i].parent >= 0) continue;
        tl_buf_puts(&b, k++ ? ",\n" : "\n");
        manifest_item(&b, res, i, first, next, 2);
    }
    free(first);
    free(next);
    free(last);
    tl_buf_printf(&b, "%s]\n}\n", ntop ? "\n  " : "");
    tl_outfile o;
    int rc = tl_outfile_open(&o, dir, "manifest.json", err);
    if (rc == TL_OK) {
        tl_outfile_write_buf(&o, &b);
        rc = close_into(&o, "manifest.json", w, err);
    }
    tl_buf_free(&b);
    return rc;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_rule_id(const void *a, const void *b, void *arg)
{
    const tl_pattern_set *set = arg;
    return strcmp(tl_pattern_set_rule(set, *(const size_t *)a)->id,
                  tl_pattern_set_rule(set, *(const size_t *)b)->id);
}

static int write_summary(const char *dir, const tl_scan_result *res, const tl_pattern_set *set,
                         int with_new, struct written *w, tl_error *err)
{
    size_t nrules = tl_pattern_set_count(set);
    tl_rule_stats *st = tl_xcalloc(nrules ? nrules : 1, sizeof *st);
    tl_report_rule_stats(res, set, st);
    tl_buf b = TL_BUF_INIT;
    uint64_t by_status[TL_EV_PENDING + 1] = {0};
    uint64_t files = 0, members = 0, scanned = 0;
    for (size_t i = 0; i < res->evidence.n; i++) {
        const tl_evidence_item *it = &res->evidence.items[i];
        by_status[it->status]++;
        if (it->parent < 0) files++;
        else members++;
        if (it->scanned) scanned++;
    }
    uint64_t by_sev[5] = {0}, with_ts = 0;
    tl_buf filtered = TL_BUF_INIT; /* only behind --since/--until, so plain runs keep their bytes */
    tl_buf_puts(&filtered, "");
    if (res->filtered)
        tl_buf_printf(&filtered, ", \"events_outside_since_until\": %llu",
                      (unsigned long long)res->filtered);
    int64_t tmin = 0, tmax = 0;
    uint64_t nnew = 0;
    for (size_t i = 0; i < nrules && i < res->timeline.ntally; i++) {
        const tl_rule_tally *t = &res->timeline.tally[i];
        by_sev[tl_pattern_set_rule(set, i)->severity] += t->hits;
        nnew += t->fresh;
        if (!t->timed) continue;
        if (!with_ts || t->first_us < tmin) tmin = t->first_us;
        if (!with_ts || t->last_us > tmax) tmax = t->last_us;
        with_ts += t->timed;
    }
    if (with_new)
        tl_buf_printf(&filtered, ", \"new_events\": %llu", (unsigned long long)nnew);
    tl_buf_printf(&b,
                  "{\n  \"schema_version\": %d,\n  \"complete\": true,\n  \"counts\": {\"files\": "
                  "%llu, \"members\": %llu, \"streams_scanned\": %llu, \"bytes\": %llu, \"lines\": "
                  "%llu, \"events\": %zu, \"events_without_timestamp\": %llu, \"rules\": %zu%s},\n",
                  TL_SCHEMA_VERSION, (unsigned long long)files, (unsigned long long)members,
                  (unsigned long long)scanned,
                  (unsigned long long)res->bytes, (unsigned long long)res->lines,
                  (size_t)res->timeline.total, (unsigned long long)(res->timeline.total - with_ts),
                  nrules, filtered.data);
    tl_buf_puts(&b, "  \"evidence_status\": {");
    int first = 1;
    for (int s = 0; s <= TL_EV_PENDING; s++) {
        if (!by_status[s]) continue;
        tl_buf_printf(&b, "%s\"%s\": %llu", first ? "" : ", ", tl_ev_status_name((tl_ev_status)s),
                      (unsigned long long)by_status[s]);
        first = 0;
    }
    tl_buf_puts(&b, "},\n  \"events_by_severity\": {");
    for (int s = 0; s < 5; s++)
        tl_buf_printf(&b, "%s\"%s\": %llu", s ? ", " : "", tl_severity_name((tl_severity)s),
                      (unsigned long long)by_sev[s]);
    tl_buf_puts(&b, "},\n  \"time_range\": {\"first\": ");
    jtime_or_null(&b, with_ts > 0, tmin);
    tl_buf_puts(&b, ", \"last\": ");
    jtime_or_null(&b, with_ts > 0, tmax);
    tl_buf_puts(&b, "},\n  \"rules\": [");
    /* rules in id order so the file is stable whatever order the pattern files load in */
    size_t *order = tl_xcalloc(nrules ? nrules : 1, sizeof *order);
    for (size_t i = 0; i < nrules; i++) order[i] = i;
    if (nrules) qsort_r(order, nrules, sizeof *order, cmp_rule_id, (void *)set);
    for (size_t k = 0; k < nrules; k++) {
        size_t i = order[k];
        const tl_rule *r = tl_pattern_set_rule(set, i);
        tl_buf_puts(&b, k ? ",\n    {\"id\": " : "\n    {\"id\": ");
        jstr(&b, r->id);
        tl_buf_printf(&b, ", \"severity\": \"%s\", \"hits\": %llu, \"first_seen\": ",
                      tl_severity_name(r->severity), (unsigned long long)st[i].hits);
        jtime_or_null(&b, st[i].have_time, st[i].first_us);
        tl_buf_puts(&b, ", \"last_seen\": ");
        jtime_or_null(&b, st[i].have_time, st[i].last_us);
        tl_buf_putc(&b, '}');
    }
    tl_buf_printf(&b, "%s],\n  \"warnings\": [", nrules ? "\n  " : "");
    size_t nw = 0;
    for (size_t i = 0; i < res->evidence.n; i++) {
        const tl_evidence_item *it = &res->evidence.items[i];
        if (it->status == TL_EV_OK || it->status == TL_EV_SYMLINK || it->status == TL_EV_HARDLINK)
            continue;
        tl_buf e = TL_BUF_INIT;
        tl_buf_printf(&e, "%s: %s", it->source, tl_ev_status_name(it->status));
        if (it->message) tl_buf_printf(&e, ": %s", it->message);
        tl_buf_puts(&b, nw++ ? ",\n    " : "\n    ");
        jstr(&b, e.data);
        tl_buf_free(&e);
    }
    for (size_t i = 0; i < res->nwarnings; i++) {
        tl_buf_puts(&b, nw++ ? ",\n    " : "\n    ");
        jstr(&b, res->warnings[i]);
    }
    tl_buf_printf(&b, "%s]\n}\n", nw ? "\n  " : "");
    free(order);
    free(st);
    tl_buf_free(&filtered);
    tl_outfile o;
    int rc = tl_outfile_open(&o, dir, "summary.json", err);
    if (rc == TL_OK) {
        tl_outfile_write_buf(&o, &b);
        rc = close_into(&o, "summary.json", w, err);
    }
    tl_buf_free(&b);
    return rc;
}

/* SHA256SUMS in sha256sum(1) format over every report file, so `sha256sum -c` and
 * `timberline verify` can re-check the report itself. Files this run wrote use the digest
 * taken while writing; anything else in the directory (left by an earlier run into the same
 * --force directory) is read and hashed, so the list still covers the whole directory. */
static int write_sums(const char *dir, const struct written *w, size_t nw, tl_error *err)
{
    DIR *d = opendir(dir);
    if (!d) return tl_error_set(err, TL_EIO, "%s: %s", dir, strerror(errno));
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || strcmp(de->d_name, "SHA256SUMS") == 0) continue;
        names = tl_xrealloc(names, (n + 1) * sizeof *names);
        names[n++] = tl_xstrdup(de->d_name);
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_name);
    tl_buf b = TL_BUF_INIT;
    int rc = TL_OK;
    for (size_t i = 0; i < n; i++) {
        const char *known = NULL;
        for (size_t k = 0; k < nw; k++)
            if (w[k].name && strcmp(w[k].name, names[i]) == 0) known = w[k].sha256;
        tl_buf path = TL_BUF_INIT;
        tl_buf_printf(&path, "%s/%s", dir, names[i]);
        struct stat st;
        if (rc == TL_OK && known) {
            tl_buf_printf(&b, "%s  %s\n", known, names[i]);
        } else if (rc == TL_OK && stat(path.data, &st) == 0 && S_ISREG(st.st_mode)) {
            char hex[65];
            unsigned long long size;
            rc = tl_sha256_file(path.data, hex, &size, err);
            if (rc == TL_OK) tl_buf_printf(&b, "%s  %s\n", hex, names[i]);
        }
        tl_buf_free(&path);
        free(names[i]);
    }
    free(names);
    if (rc == TL_OK) {
        tl_outfile o;
        rc = tl_outfile_open(&o, dir, "SHA256SUMS", err);
        if (rc == TL_OK) {
            tl_outfile_write_buf(&o, &b);
            rc = tl_outfile_close(&o, err);
        }
    }
    tl_buf_free(&b);
    return rc;
}

/* The big files are independent readers of the finished timeline, so they are written side by
 * side on the pool; summary.json (the "report is complete" marker) and SHA256SUMS follow. */
enum { W_JSONL, W_CSV, W_HTML, W_MANIFEST, W_NTASKS };

struct write_task {
    int kind;
    const char *dir;
    const tl_scan_result *res;
    const tl_pattern_set *set;
    const tl_run_info *info;
    struct written w[2];
    int rc;
    tl_error err;
};

static void run_write_task(void *worker_ctx, void *job)
{
    (void)worker_ctx;
    struct write_task *t = job;
    int with_new = t->info->baseline_dir != NULL;
    tl_error_clear(&t->err);
    switch (t->kind) {
    case W_JSONL: t->rc = write_jsonl(t->dir, t->res, t->set, with_new, t->w, &t->err); break;
    case W_CSV: t->rc = write_csv(t->dir, t->res, t->set, with_new, t->w, &t->err); break;
    case W_HTML:
        t->rc = tl_html_write(t->dir, t->res, t->set, t->info, t->w[0].sha256, &t->err);
        if (t->rc == TL_OK) t->w[0].name = "report.html";
        break;
    default: t->rc = write_manifest(t->dir, t->res, t->set, t->info, t->w, &t->err); break;
    }
}

int tl_report_write(const char *dir, const tl_scan_result *res, const tl_pattern_set *set,
                    const tl_run_info *info, tl_error *err)
{
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return tl_error_set(err, TL_EIO, "%s: cannot create report directory: %s", dir,
                            strerror(errno));
    struct write_task t[W_NTASKS];
    memset(t, 0, sizeof t);
    /* -j1: all in this thread. Otherwise one thread per file: a writer spends part of its
     * time waiting in fsync, and another file's formatting can use the core meanwhile (with
     * two writer threads on a 1 GB scan, report.html started only after both timelines were
     * synced, and ran alone) */
    int threads = info->threads > 1 ? W_NTASKS : 0;
    tl_pool *pool;
    int rc = tl_pool_create(&pool, threads, W_NTASKS, run_write_task, NULL, err);
    if (rc) return rc;
    for (int k = 0; k < W_NTASKS; k++) {
        t[k] = (struct write_task){.kind = k, .dir = dir, .res = res, .set = set, .info = info};
        tl_pool_submit(pool, &t[k]);
    }
    while (tl_pool_take(pool) != NULL) {
    }
    tl_pool_free(pool);
    /* the first failure in a fixed order, so the message does not depend on timing */
    for (int k = 0; k < W_NTASKS && rc == TL_OK; k++)
        if (t[k].rc != TL_OK) {
            if (err) *err = t[k].err;
            rc = t[k].rc;
        }
    struct written w[2 * W_NTASKS + 1];
    size_t nw = 0;
    for (int k = 0; k < W_NTASKS; k++)
        for (int i = 0; i < 2; i++)
            if (t[k].w[i].name) w[nw++] = t[k].w[i];
    memset(&w[nw], 0, sizeof w[nw]);
    if (!rc) rc = write_summary(dir, res, set, info->baseline_dir != NULL, &w[nw++], err);
    if (!rc) rc = write_sums(dir, w, nw, err); /* over everything, so it comes last */
    return rc;
}
