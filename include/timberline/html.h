/* report.html: one self-contained page (inline CSS, JS and SVG, no external resources) that a
 * person reads: run facts, activity charts, rules, indicators, entities, the timeline and the
 * chain of custody. Every evidence byte is escaped; a CSP meta tag allows only the page's own
 * inline script and style, by hash. */
#ifndef TIMBERLINE_HTML_H
#define TIMBERLINE_HTML_H

#include <stddef.h>

#include "timberline/buf.h"
#include "timberline/error.h"
#include "timberline/pattern.h"
#include "timberline/report.h"
#include "timberline/scan.h"

/* Events embedded in the page for the client-side table; the rest are only in
 * timeline.jsonl/csv (aggregates such as charts and counts always cover every event). */
#define TL_HTML_MAX_EVENTS 50000
/* Upper bound on the embedded event JSON, so pathological lines cannot blow up the page. */
#define TL_HTML_MAX_JSON_BYTES (32u << 20)

/* Writes dir/report.html atomically (temp name + rename). `res` must hold the sorted timeline.
 * Everything is borrowed for the duration of the call. Returns 0 or TL_EIO with a message
 * naming the file; on success `sha256` (if not NULL) gets the page's digest. Thread-safe as
 * long as the inputs are not modified meanwhile. */
int tl_html_write(const char *dir, const tl_scan_result *res, const tl_pattern_set *set,
                  const tl_run_info *info, char sha256[65], tl_error *err);

/* Appends `len` evidence bytes as HTML text/attribute content: tl_escape_text (control bytes
 * and invalid UTF-8 as \xNN), bidi controls (U+202A..E, U+2066..9, U+200E/F, U+061C) shown as
 * literal `\u202E`, then & < > " ' as character references. */
void tl_html_escape(tl_buf *out, const char *s, size_t len);

/* Appends `len` evidence bytes as a quoted JSON string that is safe inside a <script> element:
 * the same readable text as tl_html_escape (before the character references), JSON-escaped,
 * with < > & U+2028 U+2029 written \u003c \u003e \u0026 \u2028 \u2029. */
void tl_html_json_str(tl_buf *out, const char *s, size_t len);

/* Writes the CSP source for `len` bytes: "sha256-" + base64 of the raw digest, NUL-terminated
 * (needs 52 bytes). */
void tl_html_csp_hash(const char *s, size_t len, char out[52]);

#endif
