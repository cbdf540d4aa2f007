/* Escaping of hostile evidence bytes for every output: JSON strings, CSV cells, source names.
 * One rule everywhere: control bytes other than TAB (and DEL) and invalid UTF-8 become `\xNN`. */
#ifndef TIMBERLINE_ESCAPE_H
#define TIMBERLINE_ESCAPE_H

#include <stddef.h>

#include "timberline/buf.h"

/* Length of the valid UTF-8 sequence starting at s (1..4), or 0 when the bytes at s are not
 * valid UTF-8 (overlong forms, surrogates and code points above U+10FFFF are invalid). */
size_t tl_utf8_seq_len(const unsigned char *s, size_t avail);

/* Appends `len` bytes as readable text: valid UTF-8 and TAB/DEL kept, other control bytes and
 * invalid UTF-8 written `\xNN`. With `escape_bang`, `!` and `\` also become `\xNN` (source
 * names, where `!` separates archive levels). */
void tl_escape_text(tl_buf *out, const char *s, size_t len, int escape_bang);

/* Appends `len` bytes as the body of a JSON string (no quotes): text as tl_escape_text, then
 * `"`, `\` and TAB JSON-escaped. */
void tl_escape_json(tl_buf *out, const char *s, size_t len);
/* Same, with the surrounding quotes. */
void tl_escape_json_str(tl_buf *out, const char *s, size_t len);

/* Appends one CSV cell (RFC 4180: quoted only when it contains `,` `"` CR or LF); text as
 * tl_escape_text; with `formula_guard`, a cell starting with = + - @ gets a leading `'`. */
void tl_escape_csv(tl_buf *out, const char *s, size_t len, int formula_guard);

#endif
