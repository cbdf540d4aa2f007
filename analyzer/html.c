/* report.html writer: one self-contained page for people. Aggregates (charts, rule tallies,
 * indicator sightings, entities) are computed here over every event; only the first
 * TL_HTML_MAX_EVENTS events are embedded as JSON for the client-side timeline table.
 *
 * SAFETY: evidence bytes reach the page only through html_text (character references) or
 * json_text (inside <script type="application/json">, with < > & escaped), both on top of
 * tl_escape_text. The script renders with textContent/createElement only. The CSP meta tag
 * allows exactly the inline <style> and <script> below, by SHA-256. */
#include "timberline/html.h"
#include "timberline/outfile.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "timberline/escape.h"
#include "timberline/timestamp.h"

/* ---- static assets (hashed for the CSP; no style= attributes anywhere) ---- */

static const char CSS[] =
    "\n:root{--info:#7b8ea8;--low:#3f8fd2;--medium:#d9a400;--high:#e06a1b;--critical:#c0182b;"
    "--ink:#1d2430;--mute:#5d6776;--line:#d8dde5;--bg:#f6f7f9}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    "color:var(--ink);background:#fff}\n"
    "header{background:#1d2430;color:#fff;padding:18px 28px 14px}\n"
    "header h1{margin:0 0 4px;font-size:22px;font-weight:600}\n"
    "header .sub{color:#b9c3d3;margin:0 0 12px}\n"
    "header dl{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));"
    "gap:4px 24px;margin:0}\n"
    "header dl div{min-width:0}\n"
    "header dt{color:#9fb0c8;font-size:11px;text-transform:uppercase;letter-spacing:.04em}\n"
    "header dd{margin:0;overflow-wrap:anywhere}\n"
    "header .bad{color:#ffb4a8;font-weight:600}\n"
    "nav{position:sticky;top:0;z-index:2;background:#eef1f5;border-bottom:1px solid var(--line);"
    "padding:6px 28px}\n"
    "nav a{margin-right:16px;color:#24518f;text-decoration:none}\n"
    "main{padding:4px 28px 40px}\n"
    "section{margin-top:22px}\n"
    "h2{font-size:18px;border-bottom:2px solid var(--line);padding-bottom:4px;margin:0 0 10px}\n"
    "h3{font-size:15px;margin:14px 0 6px}\n"
    "p.note{color:var(--mute);margin:4px 0 8px}\n"
    "p.warn{background:#fff4d6;border-left:4px solid var(--medium);padding:6px 10px}\n"
    "table{border-collapse:collapse;width:100%;font-size:13px}\n"
    "th,td{text-align:left;padding:3px 8px;border-bottom:1px solid var(--line);"
    "vertical-align:top}\n"
    "th{background:var(--bg);position:sticky;top:34px;z-index:1;white-space:nowrap}\n"
    "th.sort{cursor:pointer;user-select:none}\n"
    "th.sort::after{content:' \\2195';color:#9aa4b2}\n"
    "th[aria-sort=ascending]::after{content:' \\2191';color:var(--ink)}\n"
    "th[aria-sort=descending]::after{content:' \\2193';color:var(--ink)}\n"
    "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}\n"
    "td.mono,.mono{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,monospace;font-size:12px}\n"
    "td.msg{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,monospace;font-size:12px;"
    "white-space:pre-wrap;overflow-wrap:anywhere;unicode-bidi:isolate}\n"
    "td,dd,li{unicode-bidi:isolate}\n"
    "td.hash{font-family:ui-monospace,monospace;font-size:11px;overflow-wrap:anywhere}\n"
    "td.t{white-space:nowrap;font-variant-numeric:tabular-nums}\n"
    "mark{background:#ffe27a;color:inherit;padding:0 1px}\n"
    ".sev{display:inline-block;min-width:58px;text-align:center;border-radius:3px;color:#fff;"
    "font-size:11px;padding:0 4px;font-weight:600}\n"
    ".sev-info{background:var(--info)}.sev-low{background:var(--low)}"
    ".sev-medium{background:var(--medium)}.sev-high{background:var(--high)}"
    ".sev-critical{background:var(--critical)}\n"
    "tr.bad td{background:#fde8e6}\n"
    "tr.explain td{background:#fff6f5;color:#7a1d12;border-bottom:1px solid #f2c4bd}\n"
    "tr.group td{background:var(--bg);font-weight:600}\n"
    "tr.d1 td:first-child{padding-left:24px}tr.d2 td:first-child{padding-left:40px}"
    "tr.d3 td:first-child{padding-left:56px}tr.d4 td:first-child,tr.d5 td:first-child,"
    "tr.d6 td:first-child{padding-left:72px}\n"
    "svg.chart{width:100%;height:auto;display:block;max-width:1200px}\n"
    "svg text{font-family:system-ui,sans-serif}\n"
    ".legend span{display:inline-block;margin-right:12px;font-size:12px}\n"
    ".legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}\n"
    ".legend i.sev-info{background:var(--info)}.legend i.sev-low{background:var(--low)}"
    ".legend i.sev-medium{background:var(--medium)}.legend i.sev-high{background:var(--high)}"
    ".legend i.sev-critical{background:var(--critical)}\n"
    ".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:12px}\n"
    ".card{border:1px solid var(--line);border-radius:4px;padding:6px 10px}\n"
    ".card h3{margin:2px 0 6px}\n"
    "form.filters{display:flex;flex-wrap:wrap;gap:8px 14px;align-items:end;margin:6px 0 8px;"
    "padding:8px 10px;background:var(--bg);border:1px solid var(--line);border-radius:4px}\n"
    "form.filters label{display:flex;flex-direction:column;font-size:11px;color:var(--mute)}\n"
    "form.filters input,form.filters select{font:inherit;font-size:13px;padding:2px 4px}\n"
    "input.wide{width:260px}\n"
    ".pager{display:flex;gap:10px;align-items:center;margin:6px 0}\n"
    ".pager button{font:inherit;padding:2px 10px}\n"
    "details{margin:8px 0}\n"
    "summary{cursor:pointer;color:#24518f}\n"
    "ul.plain{margin:4px 0;padding-left:20px}\n"
    "@media print{nav,form.filters,.pager,.noprint{display:none}"
    "header{background:#fff;color:#000;border-bottom:2px solid #000;padding:0 0 8px}"
    "header dt,header .sub{color:#444}header .bad{color:#a00}"
    "main{padding:0}th{position:static}section{break-inside:auto}"
    "h2{break-after:avoid}tr{break-inside:avoid}svg.chart{break-inside:avoid}"
    "body{font-size:11px}table{font-size:10px}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}\n";

static const char JS[] =
    "\n(function () {\n"
    "'use strict';\n"
    "var D = JSON.parse(document.getElementById('tl-data').textContent);\n"
    "var PAGE = 500;\n"
    "function el(tag, cls, text) {\n"
    "  var e = document.createElement(tag);\n"
    "  if (cls) e.className = cls;\n"
    "  if (text !== undefined && text !== null) e.textContent = text;\n"
    "  return e;\n"
    "}\n"
    "function pad(n, w) { n = String(n); while (n.length < w) n = '0' + n; return n; }\n"
    "function fmt(us) {\n"
    "  if (us === null) return '';\n"
    "  var s = Math.floor(us / 1e6), f = us - s * 1e6;\n"
    "  return new Date(s * 1000).toISOString().slice(0, 19).replace('T', ' ') + '.' + pad(f, 6);\n"
    "}\n"
    "/* ---- sortable static tables ---- */\n"
    "Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function (t) {\n"
    "  var ths = t.tHead.rows[0].cells;\n"
    "  Array.prototype.forEach.call(ths, function (th, col) {\n"
    "    if (!th.classList.contains('sort')) return;\n"
    "    th.tabIndex = 0;\n"
    "    function go() {\n"
    "      var asc = th.getAttribute('aria-sort') !== 'ascending';\n"
    "      Array.prototype.forEach.call(ths, function (o) { o.removeAttribute('aria-sort'); });\n"
    "      th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');\n"
    "      var num = th.classList.contains('num') || th.hasAttribute('data-num');\n"
    "      var body = t.tBodies[0], rows = Array.prototype.slice.call(body.rows);\n"
    "      function key(r) {\n"
    "        var c = r.cells[col], v = c.hasAttribute('data-v') ? c.getAttribute('data-v') : c.textContent;\n"
    "        return num ? (v === '' ? -Infinity : Number(v)) : v;\n"
    "      }\n"
    "      var keyed = rows.map(function (r, i) { return [key(r), i, r]; });\n"
    "      keyed.sort(function (a, b) {\n"
    "        var x = a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;\n"
    "        return (asc ? x : -x) || a[1] - b[1];\n"
    "      });\n"
    "      keyed.forEach(function (k) { body.appendChild(k[2]); });\n"
    "    }\n"
    "    th.addEventListener('click', go);\n"
    "    th.addEventListener('keydown', function (e) { if (e.key === 'Enter') go(); });\n"
    "  });\n"
    "});\n"
    "/* ---- the timeline table ---- */\n"
    "var E = D.ev, SEV = D.sev, R = D.rules, S = D.src, Q = D.q;\n"
    "var tbody = document.getElementById('tl-rows'), status = document.getElementById('tl-status');\n"
    "var fText = document.getElementById('f-text'), fSev = document.getElementById('f-sev'),\n"
    "    fRule = document.getElementById('f-rule'), fFrom = document.getElementById('f-from'),\n"
    "    fTo = document.getElementById('f-to');\n"
    "var times = new Array(E.length), hay = null, matching = [], page = 0;\n"
    "for (var i = 0; i < E.length; i++) times[i] = fmt(E[i][0]);\n"
    "SEV.forEach(function (s, i) { var o = el('option', null, s + ' and above'); o.value = String(i); fSev.appendChild(o); });\n"
    "var seen = {};\n"
    "E.forEach(function (e) { seen[e[2]] = 1; });\n"
    "Object.keys(seen).map(Number).sort(function (a, b) { return R[a][0] < R[b][0] ? -1 : R[a][0] > R[b][0] ? 1 : 0; })\n"
    "  .forEach(function (r) { var o = el('option', null, R[r][0]); o.value = String(r); fRule.appendChild(o); });\n"
    "function normTime(v) { return v.trim().replace('T', ' '); }\n"
    "function filter() {\n"
    "  var text = fText.value.trim().toLowerCase(), sev = fSev.value === '' ? -1 : Number(fSev.value),\n"
    "      rule = fRule.value === '' ? -1 : Number(fRule.value), from = normTime(fFrom.value), to = normTime(fTo.value);\n"
    "  if (text && !hay) hay = E.map(function (e) {\n"
    "    return (e[6] + e[7] + e[8] + '\\n' + R[e[2]][0] + '\\n' + S[e[3]] + ':' + e[4]).toLowerCase();\n"
    "  });\n"
    "  matching = [];\n"
    "  for (var i = 0; i < E.length; i++) {\n"
    "    var e = E[i];\n"
    "    if (sev >= 0 && R[e[2]][1] < sev) continue;\n"
    "    if (rule >= 0 && e[2] !== rule) continue;\n"
    "    if ((from || to) && e[0] === null) continue;\n"
    "    if (from && times[i] < from) continue;\n"
    "    if (to && times[i].slice(0, to.length) > to) continue;\n"
    "    if (text && hay[i].indexOf(text) < 0) continue;\n"
    "    matching.push(i);\n"
    "  }\n"
    "  page = 0;\n"
    "  render();\n"
    "}\n"
    "function row(i) {\n"
    "  var e = E[i], r = R[e[2]], tr = el('tr');\n"
    "  var td = el('td', 't', times[i] || '(no time)');\n"
    "  td.title = Q[e[1]];\n"
    "  tr.appendChild(td);\n"
    "  td = el('td');\n"
    "  td.appendChild(el('span', 'sev sev-' + SEV[r[1]], SEV[r[1]]));\n"
    "  tr.appendChild(td);\n"
    "  tr.appendChild(el('td', 'mono', r[0]));\n"
    "  tr.appendChild(el('td', 'mono', S[e[3]] + ':' + e[4]));\n"
    "  td = el('td', 'msg');\n"
    "  if (e[5] & 1) td.appendChild(document.createTextNode('[\\u2026] '));\n"
    "  td.appendChild(document.createTextNode(e[6]));\n"
    "  td.appendChild(el('mark', null, e[7]));\n"
    "  td.appendChild(document.createTextNode(e[8]));\n"
    "  if (e[5] & 2) td.appendChild(document.createTextNode(' [\\u2026]'));\n"
    "  tr.appendChild(td);\n"
    "  return tr;\n"
    "}\n"
    "function render() {\n"
    "  var pages = Math.max(1, Math.ceil(matching.length / PAGE));\n"
    "  if (page >= pages) page = pages - 1;\n"
    "  if (page < 0) page = 0;\n"
    "  var a = page * PAGE, b = Math.min(matching.length, a + PAGE), frag = document.createDocumentFragment();\n"
    "  for (var k = a; k < b; k++) frag.appendChild(row(matching[k]));\n"
    "  while (tbody.firstChild) tbody.removeChild(tbody.firstChild);\n"
    "  tbody.appendChild(frag);\n"
    "  status.textContent = matching.length ? 'Rows ' + (a + 1).toLocaleString('en') + '\\u2013' + b.toLocaleString('en') +\n"
    "    ' of ' + matching.length.toLocaleString('en') + ' matching events (page ' + (page + 1) + ' of ' + pages + ')' :\n"
    "    'No embedded event matches the filters.';\n"
    "  status.setAttribute('data-matching', String(matching.length));\n"
    "  document.getElementById('pg-prev').disabled = page === 0;\n"
    "  document.getElementById('pg-next').disabled = page >= pages - 1;\n"
    "}\n"
    "var timer = 0;\n"
    "function later() { clearTimeout(timer); timer = setTimeout(filter, 150); }\n"
    "[fText, fFrom, fTo].forEach(function (x) { x.addEventListener('input', later); });\n"
    "[fSev, fRule].forEach(function (x) { x.addEventListener('change', filter); });\n"
    "document.getElementById('f-form').addEventListener('submit', function (e) { e.preventDefault(); filter(); });\n"
    "document.getElementById('f-form').addEventListener('reset', function () { setTimeout(filter, 0); });\n"
    "document.getElementById('pg-prev').addEventListener('click', function () { page--; render(); });\n"
    "document.getElementById('pg-next').addEventListener('click', function () { page++; render(); });\n"
    "document.getElementById('tl-js').hidden = false;\n"
    "filter();\n"
    "document.body.setAttribute('data-render-ms', String(Math.round(performance.now())));\n"
    "})();\n";


/* Writes and empties b once it is large, so the page never sits whole in memory. */
static void flush_if(tl_outfile *o, tl_buf *b, size_t over)
{
    if (b->len >= over) tl_outfile_write_buf(o, b);
}

/* ---- escaping ---- */

/* Bidi controls that would reorder what the reader sees: U+061C, U+200E/F, U+202A..E,
 * U+2066..9. Returns the code point when one starts at p, else 0. */
static unsigned bidi_at(const unsigned char *p, size_t avail)
{
    if (avail >= 2 && p[0] == 0xD8 && p[1] == 0x9C) return 0x061C;
    if (avail < 3 || p[0] != 0xE2) return 0;
    if (p[1] == 0x80 && (p[2] == 0x8E || p[2] == 0x8F || (p[2] >= 0xAA && p[2] <= 0xAE)))
        return 0x2000 + (p[2] - 0x80);
    if (p[1] == 0x81 && p[2] >= 0xA6 && p[2] <= 0xA9) return 0x2040 + (p[2] - 0x80);
    return 0;
}

/* tmp: scratch, reused by the caller. json: 0 html text, 1 JSON string body. */
static void esc(tl_buf *out, tl_buf *tmp, const char *s, size_t len, int json)
{
    tl_buf_reset(tmp);
    tl_escape_text(tmp, s, len, 0);
    const unsigned char *p = (const unsigned char *)(tmp->data ? tmp->data : "");
    size_t n = tmp->len;
    tl_buf_reserve(out, n + 16);
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && p[j] >= 0x20 && p[j] < 0x7F && p[j] != '&' && p[j] != '<' &&
               p[j] != '>' && p[j] != '"' && p[j] != '\'' && p[j] != '\\')
            j++;
        if (j > i) {
            tl_buf_append(out, p + i, j - i);
            i = j;
            if (i >= n) break;
        }
        unsigned char c = p[i];
        unsigned cp = c >= 0x80 ? bidi_at(p + i, n - i) : 0;
        if (cp) {
            tl_buf_printf(out, json ? "\\\\u%04X" : "\\u%04X", cp);
            i += cp == 0x061C ? 2 : 3;
            continue;
        }
        if (json && c == 0xE2 && i + 2 < n && p[i + 1] == 0x80 && (p[i + 2] == 0xA8 || p[i + 2] == 0xA9)) {
            tl_buf_puts(out, p[i + 2] == 0xA8 ? "\\u2028" : "\\u2029");
            i += 3;
            continue;
        }
        const char *rep = NULL;
        char hex[8];
        switch (c) {
        case '&': rep = json ? "\\u0026" : "&amp;"; break;
        case '<': rep = json ? "\\u003c" : "&lt;"; break;
        case '>': rep = json ? "\\u003e" : "&gt;"; break;
        case '"': rep = json ? "\\\"" : "&quot;"; break;
        case '\'': rep = json ? "'" : "&#39;"; break;
        case '\\': rep = json ? "\\\\" : "\\"; break;
        case '\t': rep = json ? "\\t" : "\t"; break;
        default:
            if (c < 0x20 || (json && c == 0x7F)) { /* cannot survive tl_escape_text; be safe */
                snprintf(hex, sizeof hex, "\\u%04x", c);
                rep = hex;
            }
        }
        if (rep) tl_buf_puts(out, rep);
        else tl_buf_putc(out, (char)c);
        i++;
    }
}

void tl_html_escape(tl_buf *out, const char *s, size_t len)
{
    tl_buf tmp = TL_BUF_INIT;
    esc(out, &tmp, s, len, 0);
    tl_buf_free(&tmp);
}

void tl_html_json_str(tl_buf *out, const char *s, size_t len)
{
    tl_buf tmp = TL_BUF_INIT;
    tl_buf_putc(out, '"');
    esc(out, &tmp, s, len, 1);
    tl_buf_putc(out, '"');
    tl_buf_free(&tmp);
}

void tl_html_csp_hash(const char *s, size_t len, char out[52])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_Digest(s, len, md, &n, EVP_sha256(), NULL) != 1 || n != 32)
        tl_panic(__FILE__, __LINE__, "EVP_Digest sha256");
    memcpy(out, "sha256-", 7);
    if (EVP_EncodeBlock((unsigned char *)out + 7, md, 32) != 44)
        tl_panic(__FILE__, __LINE__, "EVP_EncodeBlock");
    out[51] = '\0';
}

/* ---- writer context ---- */

typedef struct ctx {
    tl_buf b;   /* page text waiting to be written */
    tl_buf tmp; /* scratch for esc() */
    const tl_scan_result *res;
    const tl_pattern_set *set;
    tl_rule_stats *st; /* per rule, over all events */
    size_t *keys;      /* key-moment rules, by first sighting */
    size_t nkeys;
    tl_outfile *o;
} ctx;

static void flushc(ctx *c) { flush_if(c->o, &c->b, 1 << 20); }

static void H(ctx *c, const char *s) { esc(&c->b, &c->tmp, s, strlen(s), 0); }
static void Hn(ctx *c, const char *s, size_t n) { esc(&c->b, &c->tmp, s, n, 0); }
static void P(ctx *c, const char *s) { tl_buf_puts(&c->b, s); }
#define F(c, ...) tl_buf_printf(&(c)->b, __VA_ARGS__)

static void put_count(tl_buf *b, uint64_t n)
{
    char d[32];
    int len = snprintf(d, sizeof d, "%llu", (unsigned long long)n);
    for (int i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0) tl_buf_putc(b, ',');
        tl_buf_putc(b, d[i]);
    }
}

static void put_size(tl_buf *b, uint64_t n)
{
    if (n < 1024) tl_buf_printf(b, "%llu B", (unsigned long long)n);
    else if (n < 1024 * 1024) tl_buf_printf(b, "%.1f KiB", n / 1024.0);
    else if (n < 1024ull * 1024 * 1024) tl_buf_printf(b, "%.1f MiB", n / 1048576.0);
    else tl_buf_printf(b, "%.2f GiB", n / 1073741824.0);
}

/* "2026-01-03 12:00:01.250000" (UTC); `full` keeps the +00:00 form. */
static void put_time(tl_buf *b, int64_t us, int full)
{
    char t[48];
    tl_ts_format_utc(us, t, sizeof t);
    if (full) {
        tl_buf_puts(b, t);
        return;
    }
    t[10] = ' ';
    t[26] = '\0';
    tl_buf_puts(b, t);
}

static const char *SEVN[5] = {"info", "low", "medium", "high", "critical"};
static const char *SEVC[5] = {"#7b8ea8", "#3f8fd2", "#d9a400", "#e06a1b", "#c0182b"};

static tl_severity sev_of(const ctx *c, const tl_event *ev)
{
    return tl_pattern_set_rule(c->set, ev->rule)->severity;
}

static void time_cell(ctx *c, int have, int64_t us);
static void sev_cell(ctx *c, tl_severity s);

/* ---- header ---- */

static int plain_arg(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./=:,+-@%", *s))
            return 0;
    return 1;
}

static void fact(ctx *c, const char *name)
{
    P(c, "<div><dt>");
    P(c, name);
    P(c, "</dt><dd>");
}

static void write_header(ctx *c, const tl_run_info *info)
{
    const tl_scan_result *res = c->res;
    uint64_t total = 0, scanned = 0, bad = 0;
    for (size_t i = 0; i < res->evidence.n; i++) {
        const tl_evidence_item *it = &res->evidence.items[i];
        total += it->size;
        if (it->status == TL_EV_OK || it->status == TL_EV_TRUNCATED || it->status == TL_EV_CORRUPT)
            scanned++;
        if (it->status != TL_EV_OK) bad++;
    }
    P(c, "<header><h1>Timberline report");
    if (info && info->case_id) {
        P(c, ": ");
        H(c, info->case_id);
    }
    P(c, "</h1><p class=\"sub\">");
    put_count(&c->b, (size_t)res->timeline.total);
    P(c, " events from ");
    put_count(&c->b, res->evidence.n);
    P(c, " evidence items. Times are UTC.</p><dl>");
    fact(c, "Case");
    H(c, info && info->case_id ? info->case_id : "(none given)");
    P(c, "</dd></div>");
    fact(c, "Analyst");
    H(c, info && info->analyst ? info->analyst : "(none given)");
    P(c, "</dd></div>");
    fact(c, "Tool");
    P(c, "Timberline ");
    H(c, info && info->version ? info->version : "?");
    P(c, "</dd></div>");
    char host[256] = "";
    if (gethostname(host, sizeof host - 1) != 0) snprintf(host, sizeof host, "unknown");
    fact(c, "Host");
    H(c, host);
    P(c, "</dd></div>");
    if (info) {
        fact(c, "Started");
        put_time(&c->b, info->start_us, 1);
        P(c, "</dd></div>");
        fact(c, "Finished");
        put_time(&c->b, info->end_us, 1);
        P(c, "</dd></div>");
        fact(c, "Zone for times without offset");
        H(c, info->tz_name ? info->tz_name : "UTC");
        P(c, "</dd></div>");
        fact(c, "Threads / fail-on");
        F(c, "%d / ", info->threads);
        H(c, info->fail_on ? info->fail_on : "info");
        P(c, "</dd></div>");
    }
    fact(c, "Evidence");
    put_count(&c->b, res->evidence.n);
    P(c, " items, ");
    put_size(&c->b, total);
    P(c, " on disk, ");
    put_size(&c->b, res->bytes);
    P(c, " decoded, ");
    put_count(&c->b, res->lines);
    P(c, " lines</dd></div>");
    fact(c, "Completeness");
    if (scanned == res->evidence.n && !bad) {
        P(c, "complete: every item read in full");
    } else {
        P(c, "<span class=\"bad\">");
        put_count(&c->b, scanned);
        P(c, " of ");
        put_count(&c->b, res->evidence.n);
        P(c, " items scanned; ");
        put_count(&c->b, bad);
        P(c, " not read in full (see <a href=\"#evidence\">Evidence</a>)</span>");
    }
    P(c, "</dd></div>");
    fact(c, "Warnings");
    uint64_t nw = bad + res->nwarnings;
    if (nw) P(c, "<span class=\"bad\">");
    put_count(&c->b, nw);
    if (nw) P(c, "</span> (<a href=\"#warnings\">list</a>)");
    P(c, "</dd></div>");
    if (info) {
        P(c, "<div class=\"wide\"><dt>Command line</dt><dd class=\"mono\">");
        for (int i = 0; i < info->argc; i++) {
            if (i) P(c, " ");
            const char *a = info->argv[i];
            if (plain_arg(a)) {
                H(c, a);
                continue;
            }
            P(c, "&#39;");
            for (const char *q = a; *q; q++) {
                if (*q == '\'') P(c, "&#39;\\&#39;&#39;");
                else Hn(c, q, 1);
            }
            P(c, "&#39;");
        }
        P(c, "</dd></div>");
    }
    P(c, "</dl>");
    size_t nf = tl_pattern_set_nfiles(c->set);
    P(c, "<details class=\"facts\"><summary>");
    put_count(&c->b, nf);
    P(c, " pattern files, ");
    put_count(&c->b, tl_pattern_set_count(c->set));
    P(c, " rules</summary><table><thead><tr><th>Pattern file</th><th class=\"num\">Rules</th>"
         "<th>SHA-256</th></tr></thead><tbody>");
    for (size_t i = 0; i < nf; i++) {
        const tl_pattern_file *pf = tl_pattern_set_file(c->set, i);
        P(c, "<tr><td class=\"mono\">");
        H(c, pf->path);
        F(c, "</td><td class=\"num\">%zu</td><td class=\"hash\">", pf->nrules);
        H(c, pf->sha256);
        P(c, "</td></tr>");
    }
    P(c, "</tbody></table></details></header>\n");
}

/* ---- activity charts (inline SVG, computed over all events) ---- */

enum { SVG_W = 1000, SVG_L = 230, SVG_R = 12, PLOT_W = SVG_W - SVG_L - SVG_R, NCOL = 385,
       MAX_BUCKETS = 480, MAX_LANES = 40, LANE_H = 18 };

static const struct {
    int64_t sec;
    const char *name;
} STEPS[] = {{1, "1 second"},      {5, "5 seconds"},   {10, "10 seconds"}, {30, "30 seconds"},
             {60, "1 minute"},     {300, "5 minutes"}, {600, "10 minutes"}, {900, "15 minutes"},
             {1800, "30 minutes"}, {3600, "1 hour"},   {10800, "3 hours"}, {21600, "6 hours"},
             {43200, "12 hours"},  {86400, "1 day"},   {604800, "7 days"}, {2592000, "30 days"},
             {31536000, "365 days"}};

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

typedef struct window {
    int64_t start, step; /* microseconds; first bucket starts at `start` */
    size_t nb;
    const char *step_name;
} window;

static void choose_window(int64_t t0, int64_t t1, window *w)
{
    size_t k = 0, nsteps = sizeof STEPS / sizeof STEPS[0];
    for (;; k++) {
        int64_t step = STEPS[k].sec * 1000000;
        int64_t a = floor_div(t0, step), z = floor_div(t1, step);
        if ((uint64_t)(z - a + 1) <= MAX_BUCKETS || k + 1 == nsteps) {
            w->start = a * step;
            w->step = step;
            w->nb = (size_t)(z - a + 1);
            w->step_name = STEPS[k].name;
            return;
        }
    }
}

static void svg_axis_label(ctx *c, int64_t us, const window *w)
{
    char t[48];
    tl_ts_format_utc(us, t, sizeof t);
    if (w->step >= 86400ll * 1000000) t[10] = '\0'; /* 2026-01-03 */
    else if (w->step >= 60ll * 1000000) {
        t[16] = '\0'; /* 01-03 12:00 */
        t[10] = ' ';
        memmove(t, t + 5, strlen(t + 5) + 1);
    } else {
        t[19] = '\0';
        memmove(t, t + 11, strlen(t + 11) + 1); /* 12:00:05 */
    }
    P(c, t);
}

/* One chart: stacked histogram + first-sighting marks + per-source swimlanes over window w. */
static void write_chart(ctx *c, const window *w, const char *caption)
{
    const tl_scan_result *res = c->res;
    size_t nb = w->nb, nitems = res->evidence.n;
    uint64_t *cnt = tl_xcalloc(nb * 5, sizeof *cnt);
    int64_t wend = w->start + (int64_t)nb * w->step;
    int *lane_of = tl_xcalloc(nitems ? nitems : 1, sizeof *lane_of); /* item -> lane+1 */
    uint64_t *item_hits = tl_xcalloc(nitems ? nitems : 1, sizeof *item_hits);
    /* One pass. Lanes go to the MAX_LANES lowest-numbered items with a hit in the window, so
     * lane marks are kept for the lowest-numbered items seen so far only: an item pushed out
     * of that set has MAX_LANES lower ones with hits and can never get a lane. (This was two
     * passes, and each pass over a spilled timeline reads every run back.) */
    size_t ncand = 0;
    size_t cand[MAX_LANES];                       /* item numbers, ascending */
    unsigned char *cmark = tl_xcalloc((size_t)MAX_LANES * NCOL, 1); /* marks per candidate */
    tl_timeline_iter *ti = tl_timeline_iter_new(&res->timeline);
    const tl_event *ev;
    while ((ev = tl_timeline_iter_next(ti)) != NULL) {
        if (ev->quality == TL_TSQ_NONE || ev->ts_us < w->start || ev->ts_us >= wend) continue;
        size_t bkt = (size_t)((ev->ts_us - w->start) / w->step);
        cnt[bkt * 5 + sev_of(c, ev)]++;
        item_hits[ev->item]++;
        size_t it = ev->item, k = 0;
        while (k < ncand && cand[k] < it) k++;
        if (k == ncand || cand[k] != it) {
            if (ncand == MAX_LANES) {
                if (k == ncand) continue; /* MAX_LANES lower items already have hits */
                ncand--;                  /* the highest one leaves */
            }
            memmove(&cand[k + 1], &cand[k], (ncand - k) * sizeof *cand);
            memmove(cmark + (k + 1) * NCOL, cmark + k * NCOL, (ncand - k) * NCOL);
            memset(cmark + k * NCOL, 0, NCOL);
            cand[k] = it;
            ncand++;
        }
        size_t col = (size_t)((long double)(ev->ts_us - w->start) * NCOL / (long double)(wend - w->start));
        if (col >= NCOL) col = NCOL - 1;
        /* lane marks: per column, the highest severity seen + 1 (0 = none) */
        unsigned char sv = (unsigned char)(sev_of(c, ev) + 1);
        unsigned char *m = &cmark[k * NCOL + col];
        if (sv > *m) *m = sv;
    }
    tl_timeline_iter_free(ti);
    size_t nlanes = 0, hidden = 0;
    for (size_t i = 0; i < nitems; i++) {
        if (!item_hits[i]) continue;
        if (nlanes < MAX_LANES) lane_of[i] = (int)++nlanes;
        else hidden++;
    }
    TL_ASSERT(nlanes == ncand);
    unsigned char *mark = cmark; /* lane k's marks are row k: the candidates are the lanes */
    uint64_t max = 0;
    for (size_t k = 0; k < nb; k++) {
        uint64_t t = 0;
        for (int s = 0; s < 5; s++) t += cnt[k * 5 + s];
        if (t > max) max = t;
    }
    const int TOP = 50, HH = 150, AX = 22, LTOP = TOP + HH + AX + 8;
    int height = LTOP + (int)nlanes * LANE_H + 6;
    double bw = (double)PLOT_W / (double)nb;
    F(c, "<figure><svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" "
         "xmlns=\"http://www.w3.org/2000/svg\"><title>",
      SVG_W, height);
    H(c, caption);
    P(c, "</title>");
    /* frame, gridlines, y labels */
    F(c, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#f6f7f9\"/>", SVG_L, TOP,
      PLOT_W, HH);
    F(c, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#d8dde5\"/>", SVG_L,
      TOP + HH / 2, SVG_L + PLOT_W, TOP + HH / 2);
    F(c, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\" fill=\"#5d6776\">",
      SVG_L - 6, TOP + 10);
    put_count(&c->b, max);
    F(c, "</text><text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\" fill=\"#5d6776\">"
         "events per %s</text>",
      SVG_L - 6, TOP + 24, w->step_name);
    F(c, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\" fill=\"#5d6776\">0</text>",
      SVG_L - 6, TOP + HH);
    /* bars, stacked info at the bottom .. critical on top; a non-empty segment is >= 1.5 px */
    for (size_t k = 0; k < nb && max; k++) {
        double x = SVG_L + (double)k * bw, y = TOP + HH, wdt = bw > 2 ? bw - 0.6 : bw;
        uint64_t tot = 0;
        for (int s = 0; s < 5; s++) tot += cnt[k * 5 + s];
        if (!tot) continue;
        P(c, "<g><title>");
        put_time(&c->b, w->start + (int64_t)k * w->step, 0);
        P(c, " +");
        P(c, w->step_name);
        P(c, ": ");
        put_count(&c->b, tot);
        P(c, " events");
        for (int s = 4; s >= 0; s--) {
            if (!cnt[k * 5 + s]) continue;
            F(c, ", %s ", SEVN[s]);
            put_count(&c->b, cnt[k * 5 + s]);
        }
        P(c, "</title>");
        for (int s = 0; s < 5; s++) {
            uint64_t v = cnt[k * 5 + s];
            if (!v) continue;
            double h = (double)v * HH / (double)max;
            if (h < 1.5) h = 1.5;
            y -= h;
            if (y < TOP) y = TOP;
            F(c, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" fill=\"%s\"/>", x, y,
              wdt, h, SEVC[s]);
        }
        P(c, "</g>");
    }
    /* key moments (numbered like the list under the charts), staggered over 3 rows */
    double lastx[3] = {-100, -100, -100};
    for (size_t k = 0; k < c->nkeys; k++) {
        size_t r = c->keys[k];
        const tl_rule *rule = tl_pattern_set_rule(c->set, r);
        int64_t t = c->st[r].first_us;
        if (t < w->start || t >= wend) continue;
        double x = SVG_L + (double)(t - w->start) * PLOT_W / (double)(wend - w->start);
        int row = 0;
        while (row < 2 && x - lastx[row] < 15) row++;
        lastx[row] = x;
        int cy = TOP - 8 - row * 15;
        F(c, "<g><title>%zu. first seen ", k + 1);
        put_time(&c->b, t, 0);
        P(c, ": ");
        H(c, rule->id);
        F(c, "</title><line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" "
             "stroke-width=\"0.8\"/><circle cx=\"%.1f\" cy=\"%d\" r=\"7\" fill=\"%s\"/>"
             "<text x=\"%.1f\" y=\"%d\" font-size=\"9\" text-anchor=\"middle\" "
             "fill=\"#fff\" font-weight=\"700\">%zu</text></g>",
          x, cy + 7, x, TOP + HH, SEVC[rule->severity], x, cy, SEVC[rule->severity], x, cy + 3,
          k + 1);
    }
    /* x axis ticks: about 8 labels on bucket boundaries */
    size_t every = (nb + 7) / 8;
    if (!every) every = 1;
    int64_t first_idx = floor_div(w->start, w->step);
    for (size_t k = 0; k <= nb; k++) {
        if ((first_idx + (int64_t)k) % (int64_t)every != 0) continue; /* stable tick grid */
        double x = SVG_L + (double)k * bw;
        if (x < SVG_L + 30 || x > SVG_W - 30) continue;
        F(c, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#9aa4b2\"/>", x, TOP + HH,
          x, TOP + HH + 4);
        F(c, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"%s\" fill=\"#1d2430\">", x,
          TOP + HH + 16, "middle");
        svg_axis_label(c, w->start + (int64_t)k * w->step, w);
        P(c, "</text>");
    }
    /* swimlanes */
    F(c, "<text x=\"4\" y=\"%d\" font-size=\"11\" font-weight=\"600\" fill=\"#5d6776\">"
         "events per source</text>",
      LTOP - 2);
    double cw = (double)PLOT_W / NCOL;
    for (size_t i = 0; i < nitems; i++) {
        int lane = lane_of[i];
        if (!lane) continue;
        int y = LTOP + (lane - 1) * LANE_H;
        const char *src = res->evidence.items[i].source;
        size_t sl = strlen(src);
        F(c, "<g><title>");
        H(c, src);
        P(c, ": ");
        put_count(&c->b, item_hits[i]);
        P(c, " events in this window</title>");
        F(c, "<rect x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>", y, SVG_W,
          LANE_H, lane % 2 ? "#ffffff" : "#f3f5f8");
        F(c, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\" fill=\"#1d2430\">",
          SVG_L - 6, y + 13);
        if (sl > 34) { /* keep the tail: the file name matters most */
            size_t cut = sl - 33;
            while (cut < sl && ((unsigned char)src[cut] & 0xC0) == 0x80) cut++;
            P(c, "\xE2\x80\xA6");
            H(c, src + cut);
        } else {
            H(c, src);
        }
        P(c, "</text></g>");
        const unsigned char *m = &mark[(size_t)(lane - 1) * NCOL];
        for (int pass = 1; pass <= 5; pass++) /* higher severities drawn last, on top */
            for (size_t col = 0; col < NCOL; col++)
                if (m[col] == pass)
                    F(c, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>",
                      SVG_L + col * cw, y + 3 + (pass >= 4 ? 0 : 2), cw < 2 ? 2.0 : cw,
                      pass >= 4 ? LANE_H - 6 : LANE_H - 10, SEVC[pass - 1]);
    }
    P(c, "</svg><figcaption class=\"note\">");
    H(c, caption);
    P(c, "; bars: events per ");
    P(c, w->step_name);
    P(c, ", stacked by severity; numbered circles: key moments (listed below); lanes: highest "
         "severity per time slice.");
    if (hidden) {
        P(c, " ");
        put_count(&c->b, hidden);
        P(c, " more sources with events are not drawn.");
    }
    P(c, "</figcaption></figure>\n");
    free(cnt);
    free(lane_of);
    free(item_hits);
    free(mark);
}

static int cmp_first(const void *a, const void *b, void *arg)
{
    const ctx *c = arg;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    if (c->st[x].first_us != c->st[y].first_us)
        return c->st[x].first_us < c->st[y].first_us ? -1 : 1;
    return strcmp(tl_pattern_set_rule(c->set, x)->id, tl_pattern_set_rule(c->set, y)->id);
}

enum { MAX_KEYS = 30, RARE_HITS = 5 };

/* Key moments: the first sighting of every high/critical rule and every indicator, and of
 * medium rules that fired rarely (a successful login among failures). Earliest first. */
static void find_keys(ctx *c)
{
    size_t nr = tl_pattern_set_count(c->set);
    c->keys = tl_xcalloc(nr ? nr : 1, sizeof *c->keys);
    c->nkeys = 0;
    for (size_t r = 0; r < nr; r++) {
        const tl_rule *rule = tl_pattern_set_rule(c->set, r);
        if (!c->st[r].have_time) continue;
        if (rule->severity >= TL_SEV_HIGH || rule->kind == TL_RULE_IOC ||
            (rule->severity == TL_SEV_MEDIUM && c->st[r].hits <= RARE_HITS))
            c->keys[c->nkeys++] = r;
    }
    if (c->nkeys) qsort_r(c->keys, c->nkeys, sizeof *c->keys, cmp_first, c);
    if (c->nkeys > MAX_KEYS) c->nkeys = MAX_KEYS;
}

static void write_keys(ctx *c)
{
    if (!c->nkeys) return;
    P(c, "<h3>Key moments</h3><p class=\"note\">First sighting of each high or critical rule, "
         "each indicator, and each medium rule with at most 5 hits");
    if (c->nkeys == MAX_KEYS) P(c, " (the earliest 30)");
    P(c, ".</p><table id=\"keys-table\"><thead><tr><th class=\"num\">#</th><th>First seen (UTC)"
         "</th><th>Severity</th><th>Rule</th><th class=\"num\">Hits</th><th>Description</th>"
         "</tr></thead><tbody>");
    for (size_t k = 0; k < c->nkeys; k++) {
        size_t r = c->keys[k];
        const tl_rule *rule = tl_pattern_set_rule(c->set, r);
        F(c, "<tr><td class=\"num\">%zu</td>", k + 1);
        time_cell(c, 1, c->st[r].first_us);
        sev_cell(c, rule->severity);
        P(c, "<td class=\"mono\">");
        H(c, rule->id);
        P(c, "</td><td class=\"num\">");
        put_count(&c->b, c->st[r].hits);
        P(c, "</td><td>");
        H(c, rule->description);
        P(c, "</td></tr>\n");
    }
    P(c, "</tbody></table>");
}

static void write_activity(ctx *c)
{
    /* ranges from the per-rule tallies: they cover every event, spilled ones included (the
     * in-memory part alone gave a range that depended on when the timeline spilled) */
    const tl_timeline *tl = &c->res->timeline;
    int have = 0, have_hi = 0;
    int64_t t0 = 0, t1 = 0, h0 = 0, h1 = 0;
    uint64_t notime = 0;
    for (size_t r = 0; r < tl->ntally; r++) {
        const tl_rule_tally *t = &tl->tally[r];
        notime += t->hits - t->timed;
        if (!t->timed) continue;
        if (!have || t->first_us < t0) t0 = t->first_us;
        if (!have || t->last_us > t1) t1 = t->last_us;
        have = 1;
        if (tl_pattern_set_rule(c->set, r)->severity >= TL_SEV_HIGH) {
            if (!have_hi || t->first_us < h0) h0 = t->first_us;
            if (!have_hi || t->last_us > h1) h1 = t->last_us;
            have_hi = 1;
        }
    }
    P(c, "<section id=\"activity\"><h2>Activity over time</h2>");
    P(c, "<p class=\"legend\">");
    for (int s = 4; s >= 0; s--) F(c, "<span><i class=\"sev-%s\"></i>%s</span>", SEVN[s], SEVN[s]);
    P(c, "</p>");
    if (!have) {
        P(c, "<p class=\"note\">No event carries a timestamp, so there is nothing to chart.</p>");
    } else {
        window w;
        choose_window(t0, t1, &w);
        tl_buf cap = TL_BUF_INIT;
        tl_buf_puts(&cap, "All events, ");
        put_time(&cap, t0, 0);
        tl_buf_puts(&cap, " to ");
        put_time(&cap, t1, 0);
        tl_buf_puts(&cap, " UTC");
        write_chart(c, &w, cap.data);
        /* zoom on the high/critical activity when it is a small part of the whole range */
        if (have_hi && t1 > t0 && (h1 - h0) <= (t1 - t0) / 4) {
            int64_t pad = (h1 - h0) / 20;
            if (pad < 60ll * 1000000) pad = 60ll * 1000000;
            int64_t a = h0 - pad < t0 ? t0 : h0 - pad, z = h1 + pad > t1 ? t1 : h1 + pad;
            window fw;
            choose_window(a, z, &fw);
            tl_buf_reset(&cap);
            tl_buf_puts(&cap, "Focus on high and critical activity, ");
            put_time(&cap, a, 0);
            tl_buf_puts(&cap, " to ");
            put_time(&cap, z, 0);
            tl_buf_puts(&cap, " UTC");
            P(c, "<h3>Focus: high and critical activity</h3>");
            write_chart(c, &fw, cap.data);
        }
        tl_buf_free(&cap);
        write_keys(c);
    }
    if (notime) {
        P(c, "<p class=\"note\">");
        put_count(&c->b, notime);
        P(c, " events have no timestamp and are not charted.</p>");
    }
    P(c, "</section>\n");
}

/* ---- rules, indicators, entities ---- */

static void time_cell(ctx *c, int have, int64_t us)
{
    if (!have) {
        P(c, "<td class=\"t\" data-v=\"\"></td>");
        return;
    }
    P(c, "<td class=\"t\">");
    put_time(&c->b, us, 0);
    P(c, "</td>");
}

static void sev_cell(ctx *c, tl_severity s)
{
    F(c, "<td data-v=\"%d\"><span class=\"sev sev-%s\">%s</span></td>", (int)s, SEVN[s], SEVN[s]);
}

static int cmp_rules(const void *a, const void *b, void *arg)
{
    const ctx *c = arg;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    const tl_rule *rx = tl_pattern_set_rule(c->set, x), *ry = tl_pattern_set_rule(c->set, y);
    if (rx->severity != ry->severity) return rx->severity > ry->severity ? -1 : 1;
    if (c->st[x].hits != c->st[y].hits) return c->st[x].hits > c->st[y].hits ? -1 : 1;
    return strcmp(rx->id, ry->id);
}

static void write_rules(ctx *c)
{
    size_t nr = tl_pattern_set_count(c->set), nhit = 0;
    size_t *order = tl_xcalloc(nr ? nr : 1, sizeof *order);
    for (size_t i = 0; i < nr; i++) order[i] = i;
    if (nr) qsort_r(order, nr, sizeof *order, cmp_rules, c);
    for (size_t i = 0; i < nr; i++) nhit += c->st[i].hits > 0;
    P(c, "<section id=\"rules\"><h2>Rules</h2><p class=\"note\">");
    put_count(&c->b, nhit);
    P(c, " of ");
    put_count(&c->b, nr);
    P(c, " rules matched. Click a column heading to sort.</p>");
    P(c, "<table class=\"sortable\" id=\"rules-table\"><thead><tr><th class=\"sort\">Rule</th>"
         "<th class=\"sort\" data-num=\"1\">Severity</th><th class=\"sort\">Description</th>"
         "<th class=\"sort\">Tags</th><th class=\"sort num\">Hits</th>"
         "<th class=\"sort\">First seen (UTC)</th><th class=\"sort\">Last seen (UTC)</th>"
         "</tr></thead><tbody>");
    for (size_t k = 0; k < nr; k++) {
        size_t i = order[k];
        if (!c->st[i].hits) continue;
        const tl_rule *r = tl_pattern_set_rule(c->set, i);
        P(c, "<tr><td class=\"mono\">");
        H(c, r->id);
        P(c, "</td>");
        sev_cell(c, r->severity);
        P(c, "<td>");
        H(c, r->description);
        P(c, "</td><td>");
        for (size_t t = 0; t < r->ntags; t++) {
            if (t) P(c, ", ");
            H(c, r->tags[t]);
        }
        F(c, "</td><td class=\"num\" data-v=\"%llu\">", (unsigned long long)c->st[i].hits);
        put_count(&c->b, c->st[i].hits);
        P(c, "</td>");
        time_cell(c, c->st[i].have_time, c->st[i].first_us);
        time_cell(c, c->st[i].have_time, c->st[i].last_us);
        P(c, "</tr>\n");
        flushc(c);
    }
    P(c, "</tbody></table>");
    if (nhit < nr) {
        P(c, "<details><summary>");
        put_count(&c->b, nr - nhit);
        P(c, " rules without hits</summary><ul class=\"plain mono\">");
        for (size_t k = 0; k < nr; k++) {
            size_t i = order[k];
            if (c->st[i].hits) continue;
            P(c, "<li>");
            H(c, tl_pattern_set_rule(c->set, i)->id);
            P(c, "</li>");
        }
        P(c, "</ul></details>");
    }
    P(c, "</section>\n");
    free(order);
}

typedef struct pair {
    uint32_t rule, item;
    uint64_t n; /* sightings of the rule in the item */
} pair;

static int cmp_pair(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    if (x->rule != y->rule) return x->rule < y->rule ? -1 : 1;
    return x->item < y->item ? -1 : x->item > y->item;
}

static int cmp_ioc(const void *a, const void *b, void *arg)
{
    const ctx *c = arg;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    if (c->st[x].first_us != c->st[y].first_us && c->st[x].have_time && c->st[y].have_time)
        return c->st[x].first_us < c->st[y].first_us ? -1 : 1;
    if (c->st[x].have_time != c->st[y].have_time) return c->st[x].have_time ? -1 : 1;
    return strcmp(tl_pattern_set_rule(c->set, x)->id, tl_pattern_set_rule(c->set, y)->id);
}

enum { MAX_IOC_SOURCES = 8 };

static void write_indicators(ctx *c)
{
    const tl_timeline *tl = &c->res->timeline;
    size_t nr = tl_pattern_set_count(c->set), np = 0, nioc = 0;
    size_t *order = tl_xcalloc(nr ? nr : 1, sizeof *order);
    for (size_t i = 0; i < nr; i++)
        if (tl_pattern_set_rule(c->set, i)->kind == TL_RULE_IOC && c->st[i].hits) order[nioc++] = i;
    P(c, "<section id=\"indicators\"><h2>Indicator sightings</h2>");
    if (!nioc) {
        P(c, "<p class=\"note\">No indicator from an IOC list was seen.</p></section>\n");
        free(order);
        return;
    }
    qsort_r(order, nioc, sizeof *order, cmp_ioc, c);
    /* (indicator, evidence) pairs over every event, spilled ones included; folded to the
     * distinct ones whenever the buffer fills, so memory follows the distinct pairs only */
    size_t pcap = 4096;
    pair *pairs = tl_xcalloc(pcap, sizeof *pairs);
    tl_timeline_iter *ti = tl_timeline_iter_new(tl);
    const tl_event *ev;
    for (;;) {
        ev = tl_timeline_iter_next(ti);
        if (np == pcap || !ev) {
            qsort(pairs, np, sizeof *pairs, cmp_pair);
            size_t u = 0;
            for (size_t i = 0; i < np; i++) {
                if (u && cmp_pair(&pairs[u - 1], &pairs[i]) == 0) pairs[u - 1].n += pairs[i].n;
                else pairs[u++] = pairs[i];
            }
            np = u;
            if (np * 2 > pcap) {
                pcap *= 2;
                pairs = tl_xrealloc(pairs, pcap * sizeof *pairs);
            }
        }
        if (!ev) break;
        if (tl_pattern_set_rule(c->set, ev->rule)->kind == TL_RULE_IOC)
            pairs[np++] = (pair){ev->rule, ev->item, 1};
    }
    tl_timeline_iter_free(ti);
    P(c, "<p class=\"note\">Each indicator from the IOC lists that was seen, in order of first "
         "sighting, with the evidence it was seen in.</p>");
    P(c, "<table class=\"sortable\" id=\"ioc-table\"><thead><tr><th class=\"sort\">Indicator</th>"
         "<th class=\"sort\">Type</th><th class=\"sort\">List</th>"
         "<th class=\"sort\" data-num=\"1\">Severity</th><th class=\"sort num\">Hits</th>"
         "<th class=\"sort\">First seen (UTC)</th><th class=\"sort\">Last seen (UTC)</th>"
         "<th>Seen in</th></tr></thead><tbody>");
    for (size_t k = 0; k < nioc; k++) {
        size_t r = order[k];
        const tl_rule *rule = tl_pattern_set_rule(c->set, r);
        const char *list = strrchr(rule->file, '/');
        P(c, "<tr><td class=\"mono\">");
        Hn(c, rule->literal, rule->literal_len);
        P(c, "</td><td>");
        P(c, tl_ioc_type_name(rule->ioc_type));
        P(c, "</td><td class=\"mono\">");
        H(c, list ? list + 1 : rule->file);
        P(c, "</td>");
        sev_cell(c, rule->severity);
        F(c, "<td class=\"num\" data-v=\"%llu\">", (unsigned long long)c->st[r].hits);
        put_count(&c->b, c->st[r].hits);
        P(c, "</td>");
        time_cell(c, c->st[r].have_time, c->st[r].first_us);
        time_cell(c, c->st[r].have_time, c->st[r].last_us);
        P(c, "<td class=\"mono\">");
        /* binary search the first pair of this rule, then walk its items */
        size_t lo = 0, hi = np;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (pairs[mid].rule < r) lo = mid + 1;
            else hi = mid;
        }
        size_t shown = 0, more = 0;
        for (size_t p = lo; p < np && pairs[p].rule == r;) {
            size_t q = p + 1; /* pairs are distinct: one entry per item */
            if (shown < MAX_IOC_SOURCES) {
                if (shown) P(c, "<br>");
                H(c, c->res->evidence.items[pairs[p].item].source);
                P(c, " (");
                put_count(&c->b, pairs[p].n);
                P(c, ")");
                shown++;
            } else {
                more++;
            }
            p = q;
        }
        if (more) {
            P(c, "<br>and ");
            put_count(&c->b, more);
            P(c, " more sources");
        }
        P(c, "</td></tr>\n");
        flushc(c);
    }
    P(c, "</tbody></table></section>\n");
    free(pairs);
    free(order);
}

/* Entities: (capture name, value) -> count over every event, in an open-addressing table. */
typedef struct ent {
    const char *val; /* owned copy: spilled events do not outlive the iterator step */
    size_t len;
    uint32_t name;   /* index in the sorted capture-name list */
    uint64_t count;
} ent;

typedef struct ent_table {
    ent *slot;
    size_t cap, n;
    size_t bytes;      /* held in copies of values */
    uint64_t untracked; /* sightings of new values refused once the table was full */
} ent_table;

/* The table is bounded like every other part of the run (--memory covers the timeline, not
 * this): past these, new distinct values are counted as untracked and the page says so. */
#define ENT_MAX_VALUES 500000u
#define ENT_MAX_BYTES (24u << 20)

static uint64_t ent_hash(uint32_t name, const char *v, size_t len)
{
    uint64_t h = 1469598103934665603ull ^ name;
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)v[i]) * 1099511628211ull;
    return h ^ (h >> 29);
}

static void ent_add(ent_table *t, uint32_t name, const char *v, size_t len);

static void ent_grow(ent_table *t)
{
    ent_table nt = {tl_xcalloc(t->cap ? t->cap * 2 : 1024, sizeof(ent)), t->cap ? t->cap * 2 : 1024,
                    0, t->bytes, t->untracked};
    for (size_t i = 0; i < t->cap; i++) {
        ent *e = &t->slot[i];
        if (!e->val) continue;
        size_t j = ent_hash(e->name, e->val, e->len) & (nt.cap - 1);
        while (nt.slot[j].val) j = (j + 1) & (nt.cap - 1);
        nt.slot[j] = *e;
        nt.n++;
    }
    free(t->slot);
    *t = nt;
}

static void ent_add(ent_table *t, uint32_t name, const char *v, size_t len)
{
    if ((t->n + 1) * 2 > t->cap && t->n < ENT_MAX_VALUES) ent_grow(t);
    size_t j = ent_hash(name, v, len) & (t->cap - 1);
    for (;; j = (j + 1) & (t->cap - 1)) {
        ent *e = &t->slot[j];
        if (!e->val) {
            if (t->n >= ENT_MAX_VALUES || t->bytes + len > ENT_MAX_BYTES) {
                t->untracked++;
                return;
            }
            *e = (ent){tl_xstrndup(v ? v : "", len), len, name, 1};
            t->n++;
            t->bytes += len + 1;
            return;
        }
        if (e->name == name && e->len == len && memcmp(e->val, v, len) == 0) {
            e->count++;
            return;
        }
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_ent(const void *a, const void *b)
{
    const ent *x = a, *y = b;
    if (x->name != y->name) return x->name < y->name ? -1 : 1;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    size_t m = x->len < y->len ? x->len : y->len;
    int d = memcmp(x->val, y->val, m);
    return d ? d : (x->len < y->len ? -1 : x->len > y->len);
}

typedef struct name_rank {
    uint32_t name;
    uint64_t events;
    const char *str;
} name_rank;

static int cmp_name_rank(const void *a, const void *b)
{
    const name_rank *x = a, *y = b;
    if (x->events != y->events) return x->events > y->events ? -1 : 1;
    return strcmp(x->str, y->str);
}

enum { TOP_ENTITIES = 10 };

static void write_entities(ctx *c)
{
    size_t nr = tl_pattern_set_count(c->set), nn = 0, capn = 0;
    for (size_t r = 0; r < nr; r++) capn += tl_pattern_set_rule(c->set, r)->ncapnames;
    const char **names = tl_xcalloc(capn ? capn : 1, sizeof *names);
    for (size_t r = 0; r < nr; r++) {
        const tl_rule *rule = tl_pattern_set_rule(c->set, r);
        for (size_t k = 0; k < rule->ncapnames; k++) names[nn++] = rule->capnames[k];
    }
    qsort(names, nn, sizeof *names, cmp_str);
    size_t u = 0;
    for (size_t i = 0; i < nn; i++)
        if (!u || strcmp(names[u - 1], names[i]) != 0) names[u++] = names[i];
    nn = u;
    P(c, "<section id=\"entities\"><h2>Top entities</h2>");
    ent_table t = {NULL, 0, 0, 0, 0};
    name_rank *nrk = tl_xcalloc(nn ? nn : 1, sizeof *nrk);
    for (size_t i = 0; i < nn; i++) nrk[i] = (name_rank){(uint32_t)i, 0, names[i]};
    /* every event, spilled runs included: the cards are aggregates over the whole timeline */
    tl_timeline_iter *ti = tl_timeline_iter_new(&c->res->timeline);
    const tl_event *ev;
    while ((ev = tl_timeline_iter_next(ti)) != NULL) {
        for (size_t f = 0; f < ev->nfields; f++) {
            const char *key = ev->fields[f].name;
            const char **hit = bsearch(&key, names, nn, sizeof *names, cmp_str);
            if (!hit) continue;
            uint32_t id = (uint32_t)(hit - names);
            nrk[id].events++;
            ent_add(&t, id, ev->fields[f].value, ev->fields[f].len);
        }
    }
    tl_timeline_iter_free(ti);
    if (!t.n) {
        P(c, "<p class=\"note\">No rule with named captures matched, so there are no extracted "
             "entities.</p></section>\n");
    } else {
        P(c, "<p class=\"note\">Values of the rules' named captures (<span class=\"mono\">"
             "(?&lt;name&gt;\xE2\x80\xA6)</span>) over all events, most frequent first.</p>");
        if (t.untracked) {
            P(c, "<p class=\"note\">Too many distinct values to keep in memory: ");
            put_count(&c->b, t.untracked);
            P(c, " sightings of values first seen after the first ");
            put_count(&c->b, t.n);
            P(c, " distinct ones are not in these tables (the listed counts are exact; a value "
                 "that only appeared late may be missing). timeline.jsonl has every event.</p>");
        }
        P(c, "<div class=\"cards\">");
        size_t m = 0;
        for (size_t i = 0; i < t.cap; i++)
            if (t.slot[i].val) {
                ent e = t.slot[i];
                t.slot[i].val = NULL; /* each copy stays in exactly one slot, for the free */
                t.slot[m++] = e;
            }
        qsort(t.slot, m, sizeof *t.slot, cmp_ent);
        size_t *first = tl_xcalloc(nn + 1, sizeof *first), *distinct = tl_xcalloc(nn + 1, sizeof *distinct);
        for (size_t i = m; i-- > 0;) {
            first[t.slot[i].name] = i;
            distinct[t.slot[i].name]++;
        }
        qsort(nrk, nn, sizeof *nrk, cmp_name_rank);
        for (size_t k = 0; k < nn; k++) {
            uint32_t id = nrk[k].name;
            if (!nrk[k].events) continue;
            P(c, "<div class=\"card\"><h3 class=\"mono\">");
            H(c, names[id]);
            P(c, "</h3><p class=\"note\">");
            put_count(&c->b, nrk[k].events);
            P(c, " events, ");
            put_count(&c->b, distinct[id]);
            P(c, " distinct values</p><table class=\"entity\"><thead><tr><th>Value</th>"
                 "<th class=\"num\">Events</th></tr></thead><tbody>");
            for (size_t j = first[id], shown = 0;
                 j < m && t.slot[j].name == id && shown < TOP_ENTITIES; j++, shown++) {
                P(c, "<tr><td class=\"mono msg\">");
                Hn(c, t.slot[j].val, t.slot[j].len > 300 ? 300 : t.slot[j].len);
                if (t.slot[j].len > 300) P(c, " [\xE2\x80\xA6]");
                P(c, "</td><td class=\"num\">");
                put_count(&c->b, t.slot[j].count);
                P(c, "</td></tr>");
            }
            P(c, "</tbody></table></div>\n");
            flushc(c);
        }
        P(c, "</div></section>\n");
        free(first);
        free(distinct);
    }
    for (size_t i = 0; i < t.cap; i++) free((char *)t.slot[i].val);
    free(t.slot);
    free(nrk);
    free(names);
}

/* ---- timeline: the embedded events ---- */

enum { CUT_PRE = 240, CUT_HIT = 400, CUT_POST = 400 };

/* Moves a cut position off UTF-8 continuation bytes: forward for a start, back for an end. */
static size_t cut_fwd(const char *s, size_t at, size_t end)
{
    while (at < end && ((unsigned char)s[at] & 0xC0) == 0x80) at++;
    return at;
}

static size_t cut_back(const char *s, size_t at, size_t start)
{
    while (at > start && ((unsigned char)s[at] & 0xC0) == 0x80) at--;
    return at;
}

static void json_part(ctx *c, const char *s, size_t len)
{
    tl_buf_putc(&c->b, '"');
    esc(&c->b, &c->tmp, s, len, 1);
    tl_buf_putc(&c->b, '"');
}

/* One event: [ts|null, quality, rule, item, line, cutflags, "pre", "hit", "post"].
 * cutflags: 1 text cut before, 2 text cut after (the full line is in timeline.jsonl). */
static void json_event(ctx *c, const tl_event *ev)
{
    const char *m = ev->message ? ev->message : "";
    size_t ml = ev->message_len, hs = ml, hl = 0;
    if (ev->indicator_len && ev->indicator_len <= ml) {
        const char *at = memmem(m, ml, ev->indicator, ev->indicator_len);
        if (at) {
            hs = (size_t)(at - m);
            hl = ev->indicator_len;
        }
    }
    int cut = 0;
    size_t ps = 0;
    if (hs > CUT_PRE) {
        ps = cut_fwd(m, hs - CUT_PRE, hs);
        cut |= 1;
    }
    size_t he = hs + hl;
    if (hl > CUT_HIT) {
        he = cut_back(m, hs + CUT_HIT, hs);
        cut |= 2;
    }
    size_t pe = ml;
    if (cut & 2) pe = he;
    else if (ml - he > CUT_POST) {
        pe = cut_back(m, he + CUT_POST, he);
        cut |= 2;
    }
    if (ev->quality == TL_TSQ_NONE) {
        P(c, "[null,");
    } else {
        P(c, "[");
        tl_buf_put_i64(&c->b, (long long)ev->ts_us);
        P(c, ",");
    }
    tl_buf_put_i64(&c->b, (long long)ev->quality);
    P(c, ",");
    tl_buf_put_u64(&c->b, ev->rule);
    P(c, ",");
    tl_buf_put_u64(&c->b, ev->item);
    P(c, ",");
    tl_buf_put_u64(&c->b, (unsigned long long)ev->line);
    P(c, ",");
    tl_buf_put_i64(&c->b, cut);
    P(c, ",");
    if (hl == 0 && hs == ml) { /* no highlight: the text goes into "pre" */
        json_part(c, m + ps, pe - ps);
        P(c, ",\"\",\"\"]");
        return;
    }
    json_part(c, m + ps, hs - ps);
    P(c, ",");
    json_part(c, m + hs, he - hs);
    P(c, ",");
    json_part(c, m + he, pe - he);
    P(c, "]");
}

/* Writes the timeline section into the page and the event data block into *data_out (owned
 * by the caller afterwards). */
static void write_timeline(ctx *c, tl_buf *data_out)
{
    const tl_scan_result *res = c->res;
    size_t n = (size_t)res->timeline.total, emb = 0;
    size_t nr = tl_pattern_set_count(c->set);
    /* data first into its own buffer, so the note above the table can state the real count */
    tl_buf data = TL_BUF_INIT;
    tl_buf keep = c->b;
    c->b = data;
    P(c, "<script type=\"application/json\" id=\"tl-data\">{\"sev\":[");
    for (int s = 0; s < 5; s++) F(c, "%s\"%s\"", s ? "," : "", SEVN[s]);
    P(c, "],\"q\":[");
    for (int q = 0; q <= TL_TSQ_INHERITED; q++)
        F(c, "%s\"%s\"", q ? "," : "", tl_ts_quality_name((tl_ts_quality)q));
    P(c, "],\"rules\":[");
    for (size_t r = 0; r < nr; r++) {
        const tl_rule *rule = tl_pattern_set_rule(c->set, r);
        P(c, r ? ",[" : "[");
        json_part(c, rule->id, strlen(rule->id));
        F(c, ",%d]", (int)rule->severity);
    }
    P(c, "],\"src\":[");
    for (size_t i = 0; i < res->evidence.n; i++) {
        if (i) P(c, ",");
        const char *s = res->evidence.items[i].source;
        json_part(c, s, strlen(s));
    }
    P(c, "],\"ev\":[");
    size_t base = c->b.len;
    tl_timeline_iter *ti = tl_timeline_iter_new(&res->timeline);
    const tl_event *ev;
    for (; emb < n && emb < TL_HTML_MAX_EVENTS && (ev = tl_timeline_iter_next(ti)) != NULL; emb++) {
        if (c->b.len - base > TL_HTML_MAX_JSON_BYTES) break;
        if (emb) P(c, ",\n");
        json_event(c, ev);
    }
    tl_timeline_iter_free(ti);
    F(c, "],\"total\":%zu,\"embedded\":%zu}</script>\n", n, emb);
    data = c->b;
    c->b = keep;

    P(c, "<section id=\"timeline\"><h2>Timeline</h2>");
    if (emb < n) {
        F(c, "<p class=\"warn\" id=\"tl-truncated\" data-embedded=\"%zu\" data-total=\"%zu\">"
             "This page holds the first ",
          emb, n);
        put_count(&c->b, emb);
        P(c, " of ");
        put_count(&c->b, n);
        P(c, " events (in timeline order). Every event is in <b>timeline.jsonl</b> and "
             "<b>timeline.csv</b> next to this file; the charts, rule counts, indicators and "
             "entities above cover all events.</p>");
    } else {
        F(c, "<p class=\"note\" data-embedded=\"%zu\" data-total=\"%zu\">All ", emb, n);
        put_count(&c->b, n);
        P(c, " events, in timeline order (time, then source and line). Long lines are shortened "
             "around the match; the full text is in timeline.jsonl and timeline.csv.</p>");
    }
    P(c, "<noscript><p class=\"warn\">The timeline table needs JavaScript; the events are in "
         "timeline.jsonl and timeline.csv.</p></noscript>"
         "<div id=\"tl-js\" hidden>"
         "<form class=\"filters\" id=\"f-form\" autocomplete=\"off\">"
         "<label>Text<input id=\"f-text\" class=\"wide\" type=\"search\" "
         "placeholder=\"message, rule or source\"></label>"
         "<label>Severity<select id=\"f-sev\"><option value=\"\">any</option></select></label>"
         "<label>Rule<select id=\"f-rule\"><option value=\"\">any</option></select></label>"
         "<label>From (UTC)<input id=\"f-from\" type=\"text\" size=\"19\" "
         "placeholder=\"2026-01-03 12:00\"></label>"
         "<label>To (UTC)<input id=\"f-to\" type=\"text\" size=\"19\" "
         "placeholder=\"2026-01-03 13:00\"></label>"
         "<button type=\"reset\">Clear</button></form>"
         "<div class=\"pager\"><button type=\"button\" id=\"pg-prev\">\xE2\x97\x80 Previous</button>"
         "<span id=\"tl-status\"></span>"
         "<button type=\"button\" id=\"pg-next\">Next \xE2\x96\xB6</button></div></div>"
         "<table id=\"tl-table\"><thead><tr><th>Time (UTC)</th><th>Severity</th><th>Rule</th>"
         "<th>Source:line</th><th>Message (match highlighted)</th></tr></thead>"
         "<tbody id=\"tl-rows\"></tbody></table></section>\n");
    flushc(c);
    *data_out = data; /* written at the end of the body, just before the script */
}

/* ---- evidence and integrity ---- */

static const char *status_explain(tl_ev_status s)
{
    switch (s) {
    case TL_EV_OK: return "read completely";
    case TL_EV_TRUNCATED:
        return "the compressed stream ends early; everything before the damage was scanned, "
               "events after it may be missing";
    case TL_EV_CORRUPT:
        return "the compressed data is damaged; everything before the damage was scanned, "
               "events after it may be missing";
    case TL_EV_SKIPPED_BINARY:
        return "binary content (or an archive format not read yet); not scanned";
    case TL_EV_UNREADABLE: return "could not be opened or read; not scanned";
    case TL_EV_SYMLINK:
        return "a symbolic link below a directory argument; recorded, not followed";
    case TL_EV_SKIPPED_SPECIAL: return "a device, FIFO or socket; recorded, not read";
    case TL_EV_PENDING: return "not processed (the run did not reach it)";
    default: /* statuses added later (archives, limits): the manifest message says more */
        return "not read completely";
    }
}

static void write_evidence(ctx *c)
{
    const tl_evidence_list *ev = &c->res->evidence;
    uint64_t by[TL_EV_PENDING + 1] = {0}, total = 0;
    for (size_t i = 0; i < ev->n; i++) {
        by[ev->items[i].status]++;
        total += ev->items[i].size;
    }
    P(c, "<section id=\"evidence\"><h2>Evidence and integrity</h2><p class=\"note\">");
    put_count(&c->b, ev->n);
    P(c, " items, ");
    put_size(&c->b, total);
    P(c, ". Status: ");
    int first = 1;
    for (int s = 0; s <= TL_EV_PENDING; s++) {
        if (!by[s]) continue;
        F(c, "%s%s ", first ? "" : ", ", tl_ev_status_name((tl_ev_status)s));
        put_count(&c->b, by[s]);
        first = 0;
    }
    P(c, ". SHA-256 is of the raw file bytes, as recorded in manifest.json.</p>");
    P(c, "<table id=\"evidence-table\"><thead><tr><th>Source</th><th>Kind</th>"
         "<th class=\"num\">Size</th><th class=\"num\">Lines</th><th>Modified (UTC)</th>"
         "<th>SHA-256</th><th>Status</th></tr></thead><tbody>");
    /* one group per evidence argument, items in walk order; archive members follow their
     * container (parent >= 0) and are indented by depth */
    const char *group = NULL;
    for (size_t i = 0; i < ev->n; i++) {
        const tl_evidence_item *it = &ev->items[i];
        if (it->parent < 0 && it->given && (!group || strcmp(group, it->given) != 0)) {
            size_t k = 0;
            for (size_t j = i; j < ev->n; j++)
                if (ev->items[j].parent < 0 && ev->items[j].given &&
                    strcmp(ev->items[j].given, it->given) == 0)
                    k++;
                else if (ev->items[j].parent < 0)
                    break;
            group = it->given;
            P(c, "<tr class=\"group\"><td colspan=\"7\">Argument <span class=\"mono\">");
            H(c, it->given);
            P(c, "</span> (");
            put_count(&c->b, k);
            P(c, k == 1 ? " file)</td></tr>" : " files)</td></tr>");
        }
        int depth = it->depth < 0 ? 0 : it->depth > 6 ? 6 : it->depth;
        F(c, "<tr class=\"%s d%d\" data-status=\"%s\"><td class=\"mono\">",
          it->status == TL_EV_OK ? "ok" : "bad", depth, tl_ev_status_name(it->status));
        if (depth) P(c, "\xE2\x86\xB3 "); /* member of the archive above */
        H(c, it->source);
        P(c, "</td><td>");
        H(c, it->kind[0] ? it->kind : "-");
        F(c, "</td><td class=\"num\" title=\"%llu bytes\">", (unsigned long long)it->size);
        put_size(&c->b, it->size);
        P(c, "</td><td class=\"num\">");
        put_count(&c->b, it->lines);
        P(c, "</td><td class=\"t\">");
        put_time(&c->b, it->mtime_sec * 1000000 + it->mtime_nsec / 1000, 0);
        P(c, "</td><td class=\"hash\">");
        H(c, it->sha256[0] ? it->sha256 : "(not read)");
        P(c, "</td><td>");
        if (it->status != TL_EV_OK) P(c, "<b>");
        P(c, tl_ev_status_name(it->status));
        if (it->status != TL_EV_OK) P(c, "</b>");
        P(c, "</td></tr>\n");
        if (it->status != TL_EV_OK) {
            P(c, "<tr class=\"explain\"><td colspan=\"7\">");
            P(c, status_explain(it->status));
            if (it->message) {
                P(c, ": ");
                H(c, it->message);
            }
            if (it->link_target) {
                P(c, "; points to ");
                H(c, it->link_target);
            }
            P(c, "</td></tr>\n");
        }
        flushc(c);
    }
    P(c, "</tbody></table></section>\n");
}

enum { MAX_WARNINGS_SHOWN = 1000 };

static void write_warnings(ctx *c)
{
    const tl_scan_result *res = c->res;
    P(c, "<section id=\"warnings\"><h2>Warnings</h2>");
    size_t bad = 0;
    for (size_t i = 0; i < res->evidence.n; i++) bad += res->evidence.items[i].status != TL_EV_OK;
    if (!bad && !res->nwarnings) {
        P(c, "<p class=\"note\">None: every evidence item was read completely and every match "
             "was decided.</p></section>\n");
        return;
    }
    P(c, "<ul class=\"plain\">");
    if (bad) {
        P(c, "<li>");
        put_count(&c->b, bad);
        P(c, " evidence items were not read completely; see <a href=\"#evidence\">Evidence and "
             "integrity</a>.</li>");
    }
    for (size_t i = 0; i < res->nwarnings && i < MAX_WARNINGS_SHOWN; i++) {
        P(c, "<li class=\"mono\">");
        H(c, res->warnings[i]);
        P(c, "</li>");
        flushc(c);
    }
    P(c, "</ul>");
    if (res->nwarnings > MAX_WARNINGS_SHOWN) {
        P(c, "<p class=\"note\">");
        put_count(&c->b, res->nwarnings - MAX_WARNINGS_SHOWN);
        P(c, " more warnings are listed in summary.json.</p>");
    }
    P(c, "</section>\n");
}

/* ---- the page ---- */

int tl_html_write(const char *dir, const tl_scan_result *res, const tl_pattern_set *set,
                  const tl_run_info *info, char sha256[65], tl_error *err)
{
    tl_outfile o;
    int rc = tl_outfile_open(&o, dir, "report.html", err);
    if (rc) return rc;
    size_t nr = tl_pattern_set_count(set);
    ctx c = {TL_BUF_INIT, TL_BUF_INIT, res, set, tl_xcalloc(nr ? nr : 1, sizeof *c.st), NULL, 0, &o};
    tl_report_rule_stats(res, set, c.st);
    find_keys(&c);
    char css_hash[52], js_hash[52];
    tl_html_csp_hash(CSS, sizeof CSS - 1, css_hash);
    tl_html_csp_hash(JS, sizeof JS - 1, js_hash);

    P(&c, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
    F(&c, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "script-src '%s'; style-src '%s'; img-src data:; form-action 'none'; "
          "base-uri 'none'\">\n",
      js_hash, css_hash);
    P(&c, "<meta name=\"referrer\" content=\"no-referrer\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta name=\"generator\" content=\"Timberline\">\n<title>Timberline report");
    if (info && info->case_id) {
        P(&c, ": ");
        H(&c, info->case_id);
    }
    P(&c, "</title>\n<style>");
    P(&c, CSS);
    P(&c, "</style>\n</head>\n<body>\n");
    write_header(&c, info);
    P(&c, "<nav><a href=\"#activity\">Activity</a><a href=\"#rules\">Rules</a>"
          "<a href=\"#indicators\">Indicators</a><a href=\"#entities\">Entities</a>"
          "<a href=\"#timeline\">Timeline</a><a href=\"#evidence\">Evidence</a>"
          "<a href=\"#warnings\">Warnings</a></nav>\n<main>\n");
    write_activity(&c);
    flushc(&c);
    write_rules(&c);
    write_indicators(&c);
    write_entities(&c);
    tl_buf data = TL_BUF_INIT;
    write_timeline(&c, &data);
    write_evidence(&c);
    write_warnings(&c);
    P(&c, "</main>\n");
    flush_if(&o, &c.b, 0);
    tl_outfile_write(&o, data.data, data.len);
    tl_buf_free(&data);
    P(&c, "<script>");
    P(&c, JS);
    P(&c, "</script>\n</body></html>\n");
    flush_if(&o, &c.b, 0);
    tl_buf_free(&c.b);
    tl_buf_free(&c.tmp);
    free(c.st);
    free(c.keys);
    rc = tl_outfile_close(&o, err);
    if (rc == TL_OK && sha256) memcpy(sha256, o.sha256, sizeof o.sha256);
    return rc;
}
