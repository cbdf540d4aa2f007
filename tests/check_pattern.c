/* Unit tests for the pattern module: rule-file and IOC-list parsing, refanging, indicator type
 * detection, diagnostics with file:line, compile errors and unfiltered (screen-less) rules. */
#include <check.h>

#include "testutil.h"
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../analyzer/pattern_internal.h"
#include "timberline/pattern.h"

/* One scratch directory for the whole run, made in main() and removed there, so a failing
 * (forked) test cannot leave files behind. */
static char tmpdir[64];

/* Writes `text` to tmpdir/name (subdirectories must exist). Returns the path in a static
 * buffer that the next call overwrites. */
static const char *put(const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot create %s", path);
    size_t n = strlen(text);
    ck_assert_uint_eq(fwrite(text, 1, n, f), n);
    fclose(f);
    return path;
}

static const char *sub(const char *name)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    return path;
}

/* Loads one file (must be readable) into a fresh set. Caller frees. */
static tl_pattern_set *load(const char *name, const char *text)
{
    const char *path = put(name, text);
    tl_pattern_set *set = tl_pattern_set_new();
    tl_error err = {0};
    int rc = tl_pattern_set_load(set, path, &err);
    ck_assert_msg(rc == 0, "load %s: %d %s", path, rc, err.msg);
    return set;
}

static const tl_rule *rule_by_id(const tl_pattern_set *set, const char *id)
{
    for (size_t i = 0; i < tl_pattern_set_count(set); i++)
        if (strcmp(tl_pattern_set_rule(set, i)->id, id) == 0) return tl_pattern_set_rule(set, i);
    ck_abort_msg("no rule '%s'", id);
    return NULL;
}

/* Index of the first diagnostic containing every given fragment (NULL-terminated), or -1. */
static long find_diag(const tl_pattern_set *set, int *is_error, ...)
{
    for (size_t i = 0; i < tl_pattern_set_ndiags(set); i++) {
        int e = 0;
        const char *d = tl_pattern_set_diag(set, i, &e);
        va_list ap;
        va_start(ap, is_error);
        int all = 1;
        const char *frag;
        while ((frag = va_arg(ap, const char *)) != NULL)
            if (!strstr(d, frag)) all = 0;
        va_end(ap);
        if (all) {
            if (is_error) *is_error = e;
            return (long)i;
        }
    }
    return -1;
}

static void dump_diags(const tl_pattern_set *set)
{
    for (size_t i = 0; i < tl_pattern_set_ndiags(set); i++) {
        int e = 0;
        const char *d = tl_pattern_set_diag(set, i, &e);
        fprintf(stderr, "  diag %zu (%s): %s\n", i, e ? "error" : "warning", d);
    }
}

#define EXPECT_DIAG(set, want_error, ...)                                                        \
    do {                                                                                         \
        int e_ = -1;                                                                             \
        long i_ = find_diag(set, &e_, __VA_ARGS__, (const char *)NULL);                          \
        if (i_ < 0) dump_diags(set);                                                             \
        ck_assert_msg(i_ >= 0, "no diagnostic with: %s", #__VA_ARGS__);                          \
        ck_assert_msg(e_ == (want_error), "diagnostic %ld: is_error %d, want %d", i_, e_,        \
                      want_error);                                                               \
    } while (0)

/* ---- core: rule files ---- */

START_TEST(test_rule_file_fields)
{
    tl_pattern_set *set = load("core.rules",
                               "# auth rules\n"
                               "\n"
                               "[rule ssh-fail]\n"
                               "severity = high\n"
                               "description =  SSH password failure  \n"
                               "tags = auth, ssh ,, brute\n"
                               "regex = Failed password for (?<user>\\S+) from (?<ip>\\S+)\n"
                               "test.match = Failed password for root from 10.0.0.1\n"
                               "test.nomatch = Accepted password for root from 10.0.0.1\n"
                               "\n"
                               "[rule minimal_1.x]\n"
                               "regex = panic\n");
    ck_assert_uint_eq(tl_pattern_set_ndiags(set), 0);
    ck_assert_uint_eq(tl_pattern_set_count(set), 2);
    ck_assert_uint_eq(tl_pattern_set_nfiles(set), 1);
    ck_assert_uint_eq(tl_pattern_set_file(set, 0)->nrules, 2);

    const tl_rule *r = tl_pattern_set_rule(set, 0);
    ck_assert_str_eq(r->id, "ssh-fail");
    ck_assert_int_eq(r->kind, TL_RULE_REGEX);
    ck_assert_int_eq(r->severity, TL_SEV_HIGH);
    ck_assert_str_eq(r->description, "SSH password failure");
    ck_assert_uint_eq(r->ntags, 3);
    ck_assert_str_eq(r->tags[0], "auth");
    ck_assert_str_eq(r->tags[1], "ssh");
    ck_assert_str_eq(r->tags[2], "brute");
    ck_assert_str_eq(r->regex, "Failed password for (?<user>\\S+) from (?<ip>\\S+)");
    ck_assert_int_eq(r->line, 3);
    ck_assert_int_eq(r->regex_line, 7);
    ck_assert_ptr_nonnull(strstr(r->file, "core.rules"));
    ck_assert_uint_eq(r->ntests, 2);
    ck_assert_str_eq(r->tests[0].line, "Failed password for root from 10.0.0.1");
    ck_assert_int_eq(r->tests[0].expect_match, 1);
    ck_assert_int_eq(r->tests[0].src_line, 8);
    ck_assert_int_eq(r->tests[1].expect_match, 0);
    ck_assert_int_eq(r->tests[1].src_line, 9);

    /* Defaults: medium severity, empty description, no tags. */
    const tl_rule *m = tl_pattern_set_rule(set, 1);
    ck_assert_str_eq(m->id, "minimal_1.x");
    ck_assert_int_eq(m->severity, TL_SEV_MEDIUM);
    ck_assert_str_eq(m->description, "");
    ck_assert_uint_eq(m->ntags, 0);
    ck_assert_uint_eq(m->ntests, 0);

    tl_error err = {0};
    ck_assert_int_eq(tl_pattern_set_compile(set, &err), 0);
    /* Named captures come out sorted by name. */
    ck_assert_uint_eq(r->ncapnames, 2);
    ck_assert_str_eq(r->capnames[0], "ip");
    ck_assert_str_eq(r->capnames[1], "user");
    ck_assert_int_eq(r->unfiltered, 0);
    ck_assert_uint_eq(m->ncapnames, 0);
    tl_pattern_set_free(set);
}
END_TEST

START_TEST(test_hash_is_comment_only_first)
{
    tl_pattern_set *set = load("hash.rules",
                               "   # an indented comment\n"
                               "\t#tab-indented comment\n"
                               "[rule frag]\n"
                               "regex = GET /index\\.php#section-\\d+\n"
                               "test.match = GET /index.php#section-2 # still part of the value\n"
                               "[rule hashes]\n"
                               "description = three #s in a row\n"
                               "regex = [#]{3} (?#inline pcre comment)done\n"
                               "test.match = ### done\n");
    ck_assert_uint_eq(tl_pattern_set_nerrors(set), 0);
    ck_assert_uint_eq(tl_pattern_set_count(set), 2);
    const tl_rule *f = rule_by_id(set, "frag");
    ck_assert_str_eq(f->regex, "GET /index\\.php#section-\\d+");
    ck_assert_str_eq(f->tests[0].line, "GET /index.php#section-2 # still part of the value");
    const tl_rule *h = rule_by_id(set, "hashes");
    ck_assert_str_eq(h->description, "three #s in a row");
    ck_assert_str_eq(h->regex, "[#]{3} (?#inline pcre comment)done");
    tl_error err = {0};
    ck_assert_int_eq(tl_pattern_set_compile(set, &err), 0);
    tl_pattern_set_free(set);
}
END_TEST

START_TEST(test_value_with_equals_and_crlf)
{
    /* Only the first '=' splits key and value; CRLF line ends are trimmed. */
    tl_pattern_set *set = load("crlf.rules",
                               "[rule kv]\r\n"
                               "severity = low\r\n"
                               "regex = user=(?=admin)\\w+\r\n"
                               "test.match = user=admin\r\n");
    ck_assert_uint_eq(tl_pattern_set_ndiags(set), 0);
    const tl_rule *r = rule_by_id(set, "kv");
    ck_assert_str_eq(r->regex, "user=(?=admin)\\w+");
    ck_assert_str_eq(r->tests[0].line, "user=admin");
    ck_assert_int_eq(r->severity, TL_SEV_LOW);
    tl_pattern_set_free(set);
}
END_TEST

START_TEST(test_severity_names)
{
    static const char *names[] = {"info", "low", "medium", "high", "critical"};
    for (int i = 0; i < 5; i++) {
        tl_severity s = (tl_severity)99;
        ck_assert_int_eq(tl_severity_parse(names[i], &s), 0);
        ck_assert_int_eq(s, i);
        ck_assert_str_eq(tl_severity_name(s), names[i]);
    }
    tl_severity s = TL_SEV_LOW;
    ck_assert_int_eq(tl_severity_parse("High", &s), TL_EUSAGE);
    ck_assert_int_eq(tl_severity_parse("severe", &s), TL_EUSAGE);
    ck_assert_int_eq(tl_severity_parse("", &s), TL_EUSAGE);
    ck_assert_int_eq(tl_severity_parse("high ", &s), TL_EUSAGE);
    ck_assert_int_eq(s, TL_SEV_LOW); /* untouched on failure */
    ck_assert_str_eq(tl_severity_name((tl_severity)42), "?");
}
END_TEST

/* ---- core: IOC lists ---- */

START_TEST(test_ioc_list_refang_and_types)
{
    tl_pattern_set *set = load("c2-infra.ioc",
                               "# severity: Critical\n"
                               "# description: Known C2 infrastructure\n"
                               "# tags: apt, c2\n"
                               "198.51.100[.]23\n"
                               "Evil[.]Example\n"
                               "update(.)bad{.}example\n"
                               "bad[dot]example(dot)org\n"
                               "hXXps://Bad[.]example/Path#frag\n"
                               "hxxp[:]//plain[.]example[/]x\n"
                               "Mallory[@]Evil[.]Example\n"
                               "ops[at]evil(.)example\n"
                               "D41D8CD98F00B204E9800998ECF8427E\n"
                               "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709\n"
                               "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855\n"
                               "2001:DB8::BAD:1\n"
                               "  mimikatz.exe sekurlsa   # inline comment\n"
                               "256.1.2.3\n"
                               "1.2.3\n");
    ck_assert_uint_eq(tl_pattern_set_nerrors(set), 0);
    struct {
        const char *literal;
        tl_ioc_type type;
        int caseless;
        int line;
    } want[] = {
        {"198.51.100.23", TL_IOC_IPV4, 0, 4},
        {"evil.example", TL_IOC_DOMAIN, 1, 5},
        {"update.bad.example", TL_IOC_DOMAIN, 1, 6},
        {"bad.example.org", TL_IOC_DOMAIN, 1, 7},
        {"https://Bad.example/Path#frag", TL_IOC_URL, 0, 8}, /* URLs keep their case */
        {"http://plain.example/x", TL_IOC_URL, 0, 9},
        {"mallory@evil.example", TL_IOC_EMAIL, 1, 10},
        {"ops@evil.example", TL_IOC_EMAIL, 1, 11},
        {"d41d8cd98f00b204e9800998ecf8427e", TL_IOC_HASH, 1, 12},
        {"da39a3ee5e6b4b0d3255bfef95601890afd80709", TL_IOC_HASH, 1, 13},
        {"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", TL_IOC_HASH, 1, 14},
        {"2001:db8::bad:1", TL_IOC_IPV6, 1, 15},
        {"mimikatz.exe sekurlsa", TL_IOC_LITERAL, 0, 16},
        {"256.1.2.3", TL_IOC_LITERAL, 0, 17}, /* not an address: octet over 255 */
        {"1.2.3", TL_IOC_LITERAL, 0, 18},
    };
    size_t n = sizeof want / sizeof want[0];
    ck_assert_uint_eq(tl_pattern_set_count(set), n);
    ck_assert_uint_eq(tl_pattern_set_file(set, 0)->nrules, n);
    for (size_t i = 0; i < n; i++) {
        const tl_rule *r = tl_pattern_set_rule(set, i);
        ck_assert_int_eq(r->kind, TL_RULE_IOC);
        ck_assert_str_eq(r->literal, want[i].literal);
        ck_assert_uint_eq(r->literal_len, strlen(want[i].literal));
        ck_assert_msg(r->ioc_type == want[i].type, "%s: type %s, want %s", r->literal,
                      tl_ioc_type_name(r->ioc_type), tl_ioc_type_name(want[i].type));
        ck_assert_int_eq(r->caseless, want[i].caseless);
        ck_assert_int_eq(r->line, want[i].line);
        /* The id is "<list name>:<indicator>". */
        char id[256];
        snprintf(id, sizeof id, "c2-infra:%s", want[i].literal);
        ck_assert_str_eq(r->id, id);
        /* Header comments apply to every indicator below them (severity case-insensitive). */
        ck_assert_int_eq(r->severity, TL_SEV_CRITICAL);
        ck_assert_str_eq(r->description, "Known C2 infrastructure");
        ck_assert_uint_eq(r->ntags, 2);
        ck_assert_str_eq(r->tags[0], "apt");
        ck_assert_str_eq(r->tags[1], "c2");
    }
    tl_error err = {0};
    ck_assert_int_eq(tl_pattern_set_compile(set, &err), 0);
    tl_pattern_set_free(set);
}
END_TEST

START_TEST(test_ioc_defaults_header_changes_and_bom)
{
    tl_pattern_set *set = load("plain.txt",
                               "\xEF\xBB\xBF" "first.example\r\n"
                               "# severity: low\r\n"
                               "second.example\r\n"
                               "#description: later ones\n"
                               "third.example\n");
    ck_assert_uint_eq(tl_pattern_set_nerrors(set), 0);
    ck_assert_uint_eq(tl_pattern_set_count(set), 3);
    const tl_rule *a = tl_pattern_set_rule(set, 0);
    ck_assert_str_eq(a->id, "plain:first.example"); /* BOM stripped, list name from basename */
    ck_assert_int_eq(a->ioc_type, TL_IOC_DOMAIN);
    ck_assert_int_eq(a->severity, TL_SEV_HIGH); /* IOC default */
    ck_assert_str_eq(a->description, "");
    const tl_rule *b = tl_pattern_set_rule(set, 1);
    ck_assert_str_eq(b->literal, "second.example");
    ck_assert_int_eq(b->severity, TL_SEV_LOW);
    ck_assert_str_eq(b->description, "");
    const tl_rule *c = tl_pattern_set_rule(set, 2);
    ck_assert_int_eq(c->severity, TL_SEV_LOW);
    ck_assert_str_eq(c->description, "later ones");
    tl_pattern_set_free(set);
}
END_TEST

START_TEST(test_ioc_type_names)
{
    ck_assert_str_eq(tl_ioc_type_name(TL_IOC_IPV4), "ipv4");
    ck_assert_str_eq(tl_ioc_type_name(TL_IOC_IPV6), "ipv6");
    ck_assert_str_eq(tl_ioc_type_name(TL_IOC_DOMAIN), "domain");
    ck_assert_str_eq(tl_ioc_type_name(TL_IOC_EMAIL), "email");
    ck_assert_str_eq(tl_ioc_type_name(TL_IOC_HASH), "hash");
    ck_assert_str_eq(tl_ioc_type_name(TL_IOC_URL), "url");
    ck_assert_str_eq(tl_ioc_type_name(TL_IOC_LITERAL), "literal");
    ck_assert_str_eq(tl_ioc_type_name((tl_ioc_type)77), "?");
}
END_TEST

START_TEST(test_directory_load_order)
{
    ck_assert_int_eq(mkdir(sub("pdir"), 0700), 0);
    ck_assert_int_eq(mkdir(sub("pdir/nested"), 0700), 0);
    put("pdir/b.rules", "[rule b-one]\nregex = b1\n[rule b-two]\nregex = b2\n");
    put("pdir/a.ioc", "abc\n");
    put("pdir/nested/c.txt", "zzz.example\n");
    put("pdir/.hidden.rules", "[rule hidden]\nregex = h\n");
    put("pdir/README.md", "not a pattern file\n");
    put("pdir/Z.rules", "[rule upper]\nregex = z\n");
    tl_pattern_set *set = tl_pattern_set_new();
    tl_error err = {0};
    ck_assert_int_eq(tl_pattern_set_load(set, sub("pdir"), &err), 0);
    /* Byte order of names: "Z.rules" < "a.ioc" < "b.rules" < "nested"; hidden and other
     * extensions ignored without a diagnostic. */
    ck_assert_uint_eq(tl_pattern_set_nfiles(set), 4);
    ck_assert_ptr_nonnull(strstr(tl_pattern_set_file(set, 0)->path, "/Z.rules"));
    ck_assert_ptr_nonnull(strstr(tl_pattern_set_file(set, 1)->path, "/a.ioc"));
    ck_assert_ptr_nonnull(strstr(tl_pattern_set_file(set, 2)->path, "/b.rules"));
    ck_assert_ptr_nonnull(strstr(tl_pattern_set_file(set, 3)->path, "/nested/c.txt"));
    ck_assert_uint_eq(tl_pattern_set_file(set, 0)->nrules, 1);
    ck_assert_uint_eq(tl_pattern_set_file(set, 1)->nrules, 1);
    ck_assert_uint_eq(tl_pattern_set_file(set, 2)->nrules, 2);
    ck_assert_uint_eq(tl_pattern_set_file(set, 3)->nrules, 1);
    /* SHA-256 of "abc\n" (sha256sum). */
    ck_assert_str_eq(tl_pattern_set_file(set, 1)->sha256,
                     "edeaaff3f1774ad2888673770c6d64097e391bc362d7d6fb34982ddf0efd18cb");
    ck_assert_uint_eq(tl_pattern_set_ndiags(set), 0);
    static const char *ids[] = {"upper", "a:abc", "b-one", "b-two", "c:zzz.example"};
    ck_assert_uint_eq(tl_pattern_set_count(set), 5);
    for (size_t i = 0; i < 5; i++) ck_assert_str_eq(tl_pattern_set_rule(set, i)->id, ids[i]);
    ck_assert_int_eq(tl_pattern_set_compile(set, &err), 0);
    tl_pattern_set_free(set);
}
END_TEST

START_TEST(test_unfiltered_rule)
{
    /* \K is refused by the vectorscan screen even in prefilter mode: the rule must survive as
     * an unfiltered one (matched on every line) with the reason, not fail. */
    tl_pattern_set *set = load("unf.rules",
                               "[rule keep]\nregex = \\w=\\K\\w+\n"
                               "[rule screened]\nregex = user=\\w+\n");
    tl_error err = {0};
    ck_assert_int_eq(tl_pattern_set_compile(set, &err), 0);
    ck_assert_uint_eq(tl_pattern_set_nerrors(set), 0);
    const tl_rule *k = rule_by_id(set, "keep");
    ck_assert_int_eq(k->unfiltered, 1);
    ck_assert_ptr_nonnull(k->unfiltered_why);
    ck_assert_msg(strlen(k->unfiltered_why) > 0, "empty reason");
    const tl_rule *s = rule_by_id(set, "screened");
    ck_assert_int_eq(s->unfiltered, 0);
    ck_assert_ptr_null(s->unfiltered_why);
    tl_pattern_set_free(set);
}
END_TEST

START_TEST(test_empty_set_and_versions)
{
    tl_pattern_set *set = load("empty.rules", "# nothing here\n\n");
    ck_assert_uint_eq(tl_pattern_set_count(set), 0);
    ck_assert_uint_eq(tl_pattern_set_nfiles(set), 1);
    ck_assert_uint_eq(tl_pattern_set_file(set, 0)->nrules, 0);
    tl_error err = {0};
    ck_assert_int_eq(tl_pattern_set_compile(set, &err), 0);
    tl_pattern_set_free(set);
    tl_pattern_set_free(NULL); /* no-op */
    char v[64] = "";
    tl_pattern_pcre2_version(v, sizeof v);
    ck_assert_msg(v[0] >= '1' && v[0] <= '9' && strchr(v, '.'), "pcre2 version '%s'", v);
    ck_assert_ptr_nonnull(tl_pattern_hs_version());
    ck_assert_uint_gt(strlen(tl_pattern_hs_version()), 0);
}
END_TEST

/* ---- limits ---- */

START_TEST(test_many_rules)
{
    /* Enough rules to grow the rule array and rehash the id index several times; the last
     * one repeats the first id and must still be found as a duplicate. */
    size_t n = 3000;
    size_t cap = n * 48 + 64;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(text + len, cap - len, "[rule r%zu]\nregex = tok%zu\\b\n", i, i);
    len += (size_t)snprintf(text + len, cap - len, "[rule r0]\nregex = again\n");
    tl_pattern_set *set = load("many.rules", text);
    free(text);
    ck_assert_uint_eq(tl_pattern_set_count(set), n);
    ck_assert_uint_eq(tl_pattern_set_nerrors(set), 1);
    EXPECT_DIAG(set, 1, "many.rules:6001:", "'r0'", "duplicate id", "many.rules:1)");
    for (size_t i = 0; i < n; i += 97) {
        char id[32];
        snprintf(id, sizeof id, "r%zu", i);
        ck_assert_str_eq(tl_pattern_set_rule(set, i)->id, id);
        ck_assert_int_eq(tl_pattern_set_rule(set, i)->line, (int)(2 * i + 1));
    }
    tl_pattern_set_free(set);
}
END_TEST

START_TEST(test_ioc_short_and_duplicate)
{
    tl_pattern_set *set = load("dups.ioc",
                               "abc\n"
                               "ab\n"
                               "[.]\n"
                               "EVIL.example\n"
                               "evil[.]EXAMPLE\n"
                               "  \n");
    /* "ab" and "." (refanged) are too short: errors. The second evil.example is a warning
     * and merged into the first. */
    ck_assert_uint_eq(tl_pattern_set_count(set), 2);
    ck_assert_uint_eq(tl_pattern_set_nerrors(set), 2);
    ck_assert_uint_eq(tl_pattern_set_ndiags(set), 3);
    EXPECT_DIAG(set, 1, "dups.ioc:2:", "'ab'", "too short");
    EXPECT_DIAG(set, 1, "dups.ioc:3:", "'.'", "too short");
    EXPECT_DIAG(set, 0, "dups.ioc:5:", "repeated", "dups.ioc:4");
    ck_assert_str_eq(tl_pattern_set_rule(set, 1)->literal, "evil.example");
    tl_pattern_set_free(set);
}
END_TEST

/* A regex of `n` alternatives on one line ("(?:w00000|w00001|...)\\b"). Caller frees. */
static tl_pattern_set *load_alternation(const char *name, size_t n)
{
    char *text = malloc(n * 8 + 64);
    ck_assert_ptr_nonnull(text);
    size_t len = (size_t)sprintf(text, "[rule big]\nregex = (?:");
    for (size_t i = 0; i < n; i++) len += (size_t)sprintf(text + len, "%sw%05zu", i ? "|" : "", i);
    sprintf(text + len, ")\\b\n");
    tl_pattern_set *set = load(name, text);
    free(text);
    ck_assert_uint_eq(tl_pattern_set_ndiags(set), 0);
    ck_assert_uint_eq(strlen(rule_by_id(set, "big")->regex), 3 + 7 * n - 1 + 3);
    return set;
}

START_TEST(test_long_regex_line)
{
    /* A 2 KB line: read whole, compiled, screened. (Kept at 300 alternatives: the vectorscan
     * prefilter build grows steeply with them, ~11 s for 1000.) */
    tl_pattern_set *set = load_alternation("big.rules", 300);
    tl_error err = {0};
    int rc = tl_pattern_set_compile(set, &err);
    if (rc) dump_diags(set);
    ck_assert_int_eq(rc, 0);
    ck_assert_int_eq(rule_by_id(set, "big")->unfiltered, 0);
    tl_pattern_set_free(set);
}
END_TEST

START_TEST(test_regex_too_large)
{
    /* Past PCRE2's compiled-size limit: a compile diagnostic at the regex line, no crash. */
    tl_pattern_set *set = load_alternation("huge.rules", 20000);
    tl_error err = {0};
    ck_assert_int_eq(tl_pattern_set_compile(set, &err), TL_EPATTERN);
    EXPECT_DIAG(set, 1, "huge.rules:2:", "'big'", "regex:");
    tl_pattern_set_free(set);
}
END_TEST

/* ---- errors ---- */

START_TEST(test_rule_diagnostics)
{
    tl_pattern_set *set = load("bad.rules",
                               "severity = high\n"            /* 1: outside a section */
                               "[rule one]\n"                 /* 2 */
                               "severity = severe\n"          /* 3: bad severity */
                               "colour = red\n"               /* 4: unknown key */
                               "regex = one\n"                /* 5 */
                               "just some words\n"            /* 6: no '=' */
                               "[rule one]\n"                 /* 7: duplicate id */
                               "regex = again\n"              /* 8 */
                               "[rule two]\n"                 /* 9 */
                               "severity = High\n"            /* 10: case matters */
                               "severity = low\n"             /* 11: twice */
                               "regex = two\n"                /* 12 */
                               "regex = second\n"             /* 13: twice */
                               "[rule three]\n"               /* 14: no regex */
                               "description = nothing\n"      /* 15 */
                               "[rule bad id]\n"              /* 16 */
                               "regex = skipped quietly\n"    /* 17 */
                               "[rul four]\n"                 /* 18 */
                               "[rule]\n"                     /* 19 */
                               "[rule empty]\n"               /* 20 */
                               "regex =\n"                    /* 21: empty regex */
                               "[rule ok]\n"                  /* 22: loading goes on */
                               "regex = fine\n");             /* 23 */
    EXPECT_DIAG(set, 1, "bad.rules:1:", "'severity' outside");
    EXPECT_DIAG(set, 1, "bad.rules:3:", "'one'", "bad severity 'severe'");
    EXPECT_DIAG(set, 1, "bad.rules:4:", "'one'", "unknown key 'colour'");
    EXPECT_DIAG(set, 1, "bad.rules:6:", "key = value");
    EXPECT_DIAG(set, 1, "bad.rules:7:", "'one'", "duplicate id", "bad.rules:2");
    EXPECT_DIAG(set, 1, "bad.rules:10:", "bad severity 'High'");
    EXPECT_DIAG(set, 1, "bad.rules:11:", "severity given twice");
    EXPECT_DIAG(set, 1, "bad.rules:13:", "regex given twice");
    EXPECT_DIAG(set, 1, "bad.rules:14:", "'three'", "missing 'regex'");
    EXPECT_DIAG(set, 1, "bad.rules:16:", "bad id");
    EXPECT_DIAG(set, 1, "bad.rules:18:", "[rule ID]");
    EXPECT_DIAG(set, 1, "bad.rules:19:", "[rule ID]");
    EXPECT_DIAG(set, 1, "bad.rules:20:", "'empty'", "missing 'regex'");
    EXPECT_DIAG(set, 1, "bad.rules:21:", "'empty'", "empty regex");
    /* Keys after a bad header are not reported again, one diagnostic per problem. */
    ck_assert_int_eq(find_diag(set, NULL, "bad.rules:17:", (const char *)NULL), -1);
    ck_assert_uint_eq(tl_pattern_set_ndiags(set), 14);
    ck_assert_uint_eq(tl_pattern_set_nerrors(set), 14);
    /* The rules that are whole are kept: first "one", "two", "ok" (and "empty", whose regex
     * line was rejected, is dropped for missing it). */
    ck_assert_uint_eq(tl_pattern_set_count(set), 3);
    ck_assert_str_eq(rule_by_id(set, "one")->regex, "one");
    ck_assert_int_eq(rule_by_id(set, "one")->line, 2);
    ck_assert_str_eq(rule_by_id(set, "two")->regex, "two");
    ck_assert_str_eq(rule_by_id(set, "ok")->regex, "fine");
    tl_error err = {0};
    ck_assert_int_eq(tl_pattern_set_compile(set, &err), TL_EPATTERN);
    ck_assert_int_eq(err.code, TL_EPATTERN);
    ck_assert_ptr_nonnull(strstr(err.msg, "14"));
    tl_pattern_set_free(set);
}
END_TEST

START_TEST(test_compile_error_points_at_regex)
{
    tl_pattern_set *set = load("cerr.rules",
                               "[rule good]\n"
                               "regex = fine\n"
                               "[rule broken]\n"
                               "description = unbalanced\n"
                               "regex = (abc\n"
                               "[rule also-broken]\n"
                               "regex = a{2,1}\n");
    ck_assert_uint_eq(tl_pattern_set_nerrors(set), 0);
    tl_error err = {0};
    ck_assert_int_eq(tl_pattern_set_compile(set, &err), TL_EPATTERN);
    EXPECT_DIAG(set, 1, "cerr.rules:5:", "'broken'", "regex:", "offset");
    EXPECT_DIAG(set, 1, "cerr.rules:7:", "'also-broken'", "regex:");
    ck_assert_uint_eq(tl_pattern_set_nerrors(set), 2);
    /* The good rule is still compiled and screenable. */
    ck_assert_int_eq(rule_by_id(set, "good")->unfiltered, 0);
    tl_pattern_set_free(set);
}
END_TEST

START_TEST(test_duplicate_across_files)
{
    ck_assert_int_eq(mkdir(sub("dupdir"), 0700), 0);
    put("dupdir/1.rules", "[rule shared]\nregex = first\n");
    put("dupdir/2.rules", "\n\n[rule shared]\nregex = second\n");
    tl_pattern_set *set = tl_pattern_set_new();
    tl_error err = {0};
    ck_assert_int_eq(tl_pattern_set_load(set, sub("dupdir"), &err), 0);
    ck_assert_uint_eq(tl_pattern_set_count(set), 1);
    ck_assert_str_eq(tl_pattern_set_rule(set, 0)->regex, "first");
    EXPECT_DIAG(set, 1, "2.rules:3:", "'shared'", "duplicate id", "1.rules:1)");
    ck_assert_uint_eq(tl_pattern_set_file(set, 1)->nrules, 0);
    tl_pattern_set_free(set);
}
END_TEST

START_TEST(test_ioc_bad_severity)
{
    tl_pattern_set *set = load("sev.ioc", "# severity: extreme\nhost.example\n");
    EXPECT_DIAG(set, 1, "sev.ioc:1:", "bad severity 'extreme'");
    ck_assert_uint_eq(tl_pattern_set_count(set), 1);
    ck_assert_int_eq(tl_pattern_set_rule(set, 0)->severity, TL_SEV_HIGH); /* default kept */
    tl_pattern_set_free(set);
}
END_TEST

START_TEST(test_load_path_errors)
{
    tl_pattern_set *set = tl_pattern_set_new();
    tl_error err = {0};
    int rc = tl_pattern_set_load(set, sub("does-not-exist.rules"), &err);
    ck_assert_int_eq(rc, TL_ENOTFOUND);
    ck_assert_int_eq(err.code, TL_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(err.msg, "does-not-exist.rules"));

    /* A file named directly with an unknown extension is a diagnostic, not a failure. */
    const char *p = put("notes.md", "[rule x]\nregex = y\n");
    tl_error_clear(&err);
    ck_assert_int_eq(tl_pattern_set_load(set, p, &err), 0);
    EXPECT_DIAG(set, 1, "notes.md", "not a pattern file");
    ck_assert_uint_eq(tl_pattern_set_count(set), 0);

    /* An unreadable file is TL_EIO (skipped when running as root, who reads anything). */
    if (geteuid() != 0) {
        p = put("locked.rules", "[rule x]\nregex = y\n");
        ck_assert_int_eq(chmod(p, 0), 0);
        tl_error_clear(&err);
        ck_assert_int_eq(tl_pattern_set_load(set, p, &err), TL_EIO);
        ck_assert_ptr_nonnull(strstr(err.msg, "locked.rules"));
    }
    tl_pattern_set_free(set);
}
END_TEST

/* Regression guard (found by this test; fixed in 39f92f1 while it was being written): a rule
 * file saved by a Windows editor starts with a UTF-8 BOM. load_ioc_text stripped it but
 * load_rules_text did not, so the first header became "expected 'key = value'" and the rule
 * was lost. */
START_TEST(test_rule_file_with_bom)
{
    tl_pattern_set *set = load("bom.rules", "\xEF\xBB\xBF[rule bom]\nregex = x\n");
    if (tl_pattern_set_ndiags(set)) dump_diags(set);
    ck_assert_uint_eq(tl_pattern_set_nerrors(set), 0);
    ck_assert_uint_eq(tl_pattern_set_count(set), 1);
    ck_assert_str_eq(tl_pattern_set_rule(set, 0)->id, "bom");
    ck_assert_int_eq(tl_pattern_set_rule(set, 0)->line, 1);
    tl_pattern_set_free(set);
}
END_TEST

/* Required-literal extraction: the sets it finds, and the syntax it refuses to guess about. */
static int has_lit(const tl_litset *ls, const char *s, int caseless)
{
    for (size_t i = 0; i < ls->n; i++)
        if (ls->v[i].len == strlen(s) && memcmp(ls->v[i].s, s, ls->v[i].len) == 0 &&
            ls->v[i].caseless == caseless)
            return 1;
    return 0;
}

START_TEST(test_literal_extraction)
{
    tl_litset ls;
    ck_assert_int_eq(tl_lit_extract("sshd\\[\\d+\\]: Failed password for (?<u>\\S+)", &ls), 0);
    ck_assert_uint_eq(ls.n, 1);
    ck_assert(has_lit(&ls, "]: Failed password for ", 0));
    ck_assert_int_eq(tl_lit_extract("a(?:bc|de)f", &ls), 0);
    ck_assert(ls.n == 2 && has_lit(&ls, "abcf", 0) && has_lit(&ls, "adef", 0));
    ck_assert_int_eq(tl_lit_extract("x(?i:SeLect)\\s", &ls), 0);
    ck_assert(has_lit(&ls, "xSeLect", 1));
    ck_assert_int_eq(tl_lit_extract("(?i)union.*all", &ls), 0);
    ck_assert(has_lit(&ls, "union", 1));
    ck_assert_int_eq(tl_lit_extract("%2[eE]%2[eE]", &ls), 0);
    ck_assert(has_lit(&ls, "%2E%2E", 1));
    ck_assert_int_eq(tl_lit_extract("for (?:invalid )?user", &ls), 0);
    ck_assert(ls.n == 2 && has_lit(&ls, "for user", 0) && has_lit(&ls, "for invalid user", 0));
    ck_assert_int_eq(tl_lit_extract("(?:nikto|\\d+|sqlmap)", &ls), -1); /* a branch without one */
    ck_assert_int_eq(tl_lit_extract("\\x41\\Q.*\\E\\.", &ls), 0);
    ck_assert(has_lit(&ls, "A.*.", 0));
    ck_assert_int_eq(tl_lit_extract("^\\Aabc\\b(?=zzz)\\z$", &ls), 0);
    ck_assert(ls.n == 1 && has_lit(&ls, "abc", 0));
    /* Given up on: backreferences, recursion, extended mode, conditionals, verbs, braces
     * that are not strict quantifiers, optional-only literals. */
    const char *no[] = {"(abc)\\1", "(?x) a b c", "(?R)abc", "(?(1)abc|def)", "(*UTF)abc",
                        "abc{,3}", "ab{x", "(?:abc)?", "a*", "[^abc]+", "abc(?1)", "\\k<n>abc",
                        "[[:]|[:]]abcdef" /* PCRE2: the class "[[:]", then an alternative */};
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        ck_assert_msg(tl_lit_extract(no[i], &ls) == -1, "%s", no[i]);
}
END_TEST

/* With the built-in sample of log lines the extractor picks the rarer of two required sets:
 * " HTTP/1.1" is longer but sits in every access-log line; the path names sit in none. */
START_TEST(test_literal_choice_by_sample)
{
    const char *re = "\\] \"(?:GET|POST) [^\" ]*(?:pma|adminer)[^\" ]* HTTP/1\\.1\" 200";
    tl_litset ls;
    ck_assert_int_eq(tl_lit_extract(re, &ls), 0);
    ck_assert(ls.n == 1 && has_lit(&ls, " HTTP/1.1\" 200", 0)); /* the longest */
    tl_lit_sample smp;
    tl_lit_sample_init(&smp);
    ck_assert_uint_gt(smp.nlines, 100);
    ck_assert_ptr_nonnull(memmem(smp.text, smp.len, " HTTP/1.1\" 200", 14));
    ck_assert_int_eq(tl_lit_extract_on(re, &ls, &smp), 0);
    ck_assert(ls.n == 2 && has_lit(&ls, "pma", 0) && has_lit(&ls, "adminer", 0));
    tl_lit_sample_free(&smp);
}
END_TEST

/* Required runs: what the extractor reads out of a pattern, what it refuses, and that a line
 * PCRE2 matches always passes the gate (random lines over a small alphabet, several shapes). */
static int in_class(const tl_run_gate *g, const char *chars)
{
    for (const char *c = chars; *c; c++)
        if (!g->in[(unsigned char)*c]) return 0;
    return 1;
}

START_TEST(test_run_gate)
{
    tl_run_gate g;
    ck_assert_int_eq(tl_run_extract("\\b[A-Za-z0-9+/]{60,}={1,2}", &g), 0);
    ck_assert_uint_eq(g.min, 60);
    ck_assert(in_class(&g, "azAZ09+/") && !g.in['='] && !g.in[' '] && !g.in['-']);
    ck_assert_int_eq(tl_run_extract("(?i)key=[a-f0-9]{32}\\b", &g), 0);
    ck_assert(g.min == 32 && in_class(&g, "abcdefABCDEF0123456789") && !g.in['g']);
    ck_assert_int_eq(tl_run_extract("[^\\s\"]{40,}", &g), 0);
    ck_assert(g.min == 40 && !g.in[' '] && !g.in['"'] && !g.in['\n'] && g.in['x'] && g.in[0xC3]);
    ck_assert_int_eq(tl_run_extract("(?:foo|bar)=\\w{16,}?;\\d{20}", &g), 0);
    ck_assert(g.min == 20 && in_class(&g, "0123456789")); /* the longer of two runs */
    ck_assert_int_eq(tl_run_extract("(?<tok>[0-9a-f]{8})-\\x41{24}", &g), 0);
    ck_assert(g.min == 24 && g.in['A'] && !g.in['a']);
    ck_assert_int_eq(tl_run_extract("(?#a comment [)[a-c]{16,}", &g), 0);
    ck_assert(g.min == 16 && in_class(&g, "abc"));
    /* given up: top-level alternatives, optional or short runs, verbs, extended mode,
     * backreferences, conditionals, quoting */
    const char *no[] = {"a|[a-z]{20,}", "(?:[a-z]{20,})?", "[a-z]{20,}(*ACCEPT)", "(*UTF)[a-z]{20,}",
                        "(?x)[a-z]{20,}", "(?ix:a)[a-z]{20,}", "[a-z]{15,}", "(a)\\1[a-z]{20,}",
                        "(?(1)a|b)[a-z]{20,}", "\\Q[a-z]{20,}\\E", "[a-z]{0,20}", "[[:alpha:]]{20,}",
                        "[a-z]{20,", ".{20,}", "x{20,}|y",
                        /* PCRE2 reads "[[:]" as a class, then "|" (found by review) */
                        "[[:]|[:]][A-Z]{16,}",
                        /* a comment ends at its first ')': "(?#[)" then "|" */
                        "(?#[)|(])[A-Z]{16,}", "(?#\\Q)|(\\E)[A-Z]{16,}",
                        /* extended mode behind option letters other than x */
                        "(?ax)\\d+ # [A-Z]{16,}", "[A-Z]{16,}(?#c)+"};
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        ck_assert_msg(tl_run_extract(no[i], &g) == -1, "%s", no[i]);
    /* the scan: a run of exactly min bytes anywhere */
    ck_assert_int_eq(tl_run_extract("[ab]{16,}", &g), 0);
    ck_assert(tl_run_present(&g, (const unsigned char *)"abababababababab", 16));
    ck_assert(!tl_run_present(&g, (const unsigned char *)"ababababababab a", 16));
    ck_assert(tl_run_present(&g, (const unsigned char *)"xx abababababababab", 19));
    ck_assert(tl_run_present(&g, (const unsigned char *)"bbbbbbbbbbbbbbbbxx", 18));
    ck_assert(!tl_run_present(&g, (const unsigned char *)"aaaaaaaaaaaaaaaxaaaaaaaaaaaaaaa", 31));
    ck_assert(!tl_run_present(&g, (const unsigned char *)"", 0));
    /* never a line PCRE2 matches that the gate rejects */
    const char *shapes[] = {"[ab]{16,}", "x?[ab]{16}[xy]", "(?i)[AB]{16,}c?", "(?:q|r)?[^c ]{16,}",
                            "\\b[ab+/]{16,}={1,2}", "[a-c]{3}[ab]{17,}", "(?=a)[ab]{16,}[c ]"};
    unsigned seed = 11;
    char line[128];
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        ck_assert_msg(tl_run_extract(shapes[s], &g) == 0, "%s", shapes[s]);
        int err;
        PCRE2_SIZE off;
        pcre2_code *re = pcre2_compile((PCRE2_SPTR)shapes[s], PCRE2_ZERO_TERMINATED, 0, &err, &off, NULL);
        ck_assert_ptr_nonnull(re);
        pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
        size_t hits = 0;
        for (int k = 0; k < 4000; k++) {
            size_t n = (size_t)(rand_r(&seed) % 100);
            static const char abc[] = "ababababababababababAB+/c x=q"; /* long a/b runs are common */
            for (size_t i = 0; i < n; i++) line[i] = abc[rand_r(&seed) % (sizeof abc - 1)];
            if (pcre2_match(re, (PCRE2_SPTR)line, n, 0, 0, md, NULL) < 0) continue;
            hits++;
            ck_assert_msg(tl_run_present(&g, (const unsigned char *)line, n), "%s: %.*s", shapes[s],
                          (int)n, line);
        }
        ck_assert_msg(hits > 5, "%s: too few matching lines to mean anything", shapes[s]);
        pcre2_match_data_free(md);
        pcre2_code_free(re);
    }
}
END_TEST

START_TEST(test_screens_and_cache)
{
    const char *text = "[rule lit]\nregex = Failed password for (?<u>\\S+)\n"
                       "[rule nolit]\nregex = (?:\\(\\)|%28%29) *(?:\\{|%7[bB]) *:?;\n"
                       "[rule blob]\nregex = \\b[A-Za-z0-9+/]{60,}={1,2}\n"
                       "[rule refused]\nregex = \\w=\\K\\w+\n";
    char dir[256];
    snprintf(dir, sizeof dir, "%s/cache-a", tmpdir);
    tl_error err = {0};
    for (int pass = 0; pass < 4; pass++) {
        if (pass == 2) {
            /* Corrupt the cached file: it must be ignored, recompiled and overwritten. */
            char path[512];
            DIR *d = opendir(dir);
            ck_assert_ptr_nonnull(d);
            struct dirent *de;
            int found = 0;
            while ((de = readdir(d)) != NULL) {
                if (!strstr(de->d_name, ".hsdb")) continue;
                snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
                FILE *f = fopen(path, "r+b");
                ck_assert_ptr_nonnull(f);
                fseek(f, 100, SEEK_SET);
                fputc('X', f);
                fclose(f);
                found++;
            }
            closedir(d);
            ck_assert_int_eq(found, 1);
        }
        tl_pattern_set *set = load("screens.rules", text);
        tl_pattern_set_cache(set, 1, dir);
        ck_assert_int_eq(tl_pattern_set_compile(set, &err), 0);
        ck_assert_int_eq(tl_pattern_set_cache_hit(set), pass == 1 || pass == 3);
        ck_assert_int_eq(rule_by_id(set, "lit")->screen, TL_SCREEN_LITERAL);
        ck_assert_int_eq(rule_by_id(set, "nolit")->screen, TL_SCREEN_REGEX);
        /* measured on a cold compile (and kept in the cache): a long class repeat costs the
         * prefilter several times what PCRE2 on every line does, so it leaves the screen */
        const tl_rule *blob = rule_by_id(set, "blob");
        ck_assert_int_eq(blob->screen, TL_SCREEN_ALL_LINES);
        ck_assert_int_eq(blob->unfiltered, 1);
        ck_assert_ptr_nonnull(strstr(blob->unfiltered_why, "prefilter costs more"));
        if (!tl_pattern_set_cache_hit(set)) ck_assert(rule_by_id(set, "nolit")->screen_cost > 0);
        const tl_rule *rf = rule_by_id(set, "refused");
        ck_assert_int_eq(rf->screen, TL_SCREEN_ALL_LINES);
        ck_assert_int_eq(rf->unfiltered, 1);
        ck_assert_ptr_nonnull(rf->unfiltered_why);
        tl_pattern_set_free(set);
    }
    /* Switched off, or an unusable directory: compiled, nothing cached, no error. */
    const char *bad[] = {"/proc/timberline-cannot-write", NULL};
    char file_as_dir[300];
    snprintf(file_as_dir, sizeof file_as_dir, "%s/screens.rules/sub", tmpdir);
    bad[1] = file_as_dir;
    for (int k = 0; k < 3; k++) {
        tl_pattern_set *set = load("screens.rules", text);
        if (k < 2) tl_pattern_set_cache(set, 1, bad[k]);
        else tl_pattern_set_cache(set, 0, dir);
        ck_assert_int_eq(tl_pattern_set_compile(set, &err), 0);
        ck_assert_int_eq(tl_pattern_set_cache_hit(set), 0);
        ck_assert_int_eq(rule_by_id(set, "lit")->screen, TL_SCREEN_LITERAL);
        tl_pattern_set_free(set);
    }
}
END_TEST

static void put_sized(const char *dir, const char *name, size_t bytes, time_t mtime)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    for (size_t i = 0; i < bytes; i++) fputc('x', f);
    fclose(f);
    struct timespec ts[2] = {{mtime, 0}, {mtime, 0}};
    ck_assert_int_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
}

static int exists_in(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return access(path, F_OK) == 0;
}

static time_t mtime_of(const char *path)
{
    struct stat sb;
    ck_assert_int_eq(stat(path, &sb), 0);
    return sb.st_mtime;
}

START_TEST(test_cache_is_pruned_by_age_and_size)
{
    char dir[256];
    snprintf(dir, sizeof dir, "%s/cache-prune", tmpdir);
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    time_t now = time(NULL);
    char a[80], b[80], c[80], k[80];
    snprintf(a, sizeof a, "%064d.hsdb", 0);
    memset(a, 'a', 64);
    snprintf(b, sizeof b, "%s", a);
    memset(b, 'b', 64);
    snprintf(c, sizeof c, "%s", a);
    memset(c, 'c', 64);
    snprintf(k, sizeof k, "%s", a);
    memset(k, 'd', 64);
    put_sized(dir, a, 1000, now - 100 * 86400);        /* unused for 100 days */
    put_sized(dir, b, 600 << 10, now - 7200);          /* recent, the older of two */
    put_sized(dir, c, 600 << 10, now - 3600);          /* recent */
    put_sized(dir, k, 1 << 20, now - 200 * 86400);     /* the one just stored: always kept */
    char tmp_old[100], tmp_new[100];
    snprintf(tmp_old, sizeof tmp_old, ".%.64s.123.0.tmp", a); /* left by a killed compile */
    snprintf(tmp_new, sizeof tmp_new, ".%.64s.456.1.tmp", b); /* a compile in progress */
    put_sized(dir, "notes.txt", 10, now - 400 * 86400);      /* not ours */
    put_sized(dir, ".notes.tmp", 10, now - 400 * 86400);     /* not ours either */
    put_sized(dir, tmp_old, 10, now - 2 * 86400);
    put_sized(dir, tmp_new, 10, now - 60);
    unsetenv("TIMBERLINE_CACHE_MAX_DAYS"); /* the defaults, whatever the caller's environment */
    setenv("TIMBERLINE_CACHE_MAX_MB", "2", 1);
    tl_pcache_prune(dir, k, now);
    unsetenv("TIMBERLINE_CACHE_MAX_MB");
    ck_assert(!exists_in(dir, a));
    ck_assert(!exists_in(dir, b)); /* 2.2 MiB > 2: the least recently used goes */
    ck_assert(exists_in(dir, c));
    ck_assert(exists_in(dir, k));
    ck_assert(exists_in(dir, "notes.txt"));
    ck_assert(exists_in(dir, ".notes.tmp"));
    ck_assert(!exists_in(dir, tmp_old));
    ck_assert(exists_in(dir, tmp_new));
    /* default limits, nothing to keep: the 200-day-old entry goes, the recent one stays */
    tl_pcache_prune(dir, NULL, now);
    ck_assert(exists_in(dir, c));
    ck_assert(!exists_in(dir, k));

    /* through the pattern set: a store prunes, a load marks the entry as used */
    char dir2[256];
    snprintf(dir2, sizeof dir2, "%s/cache-lru", tmpdir);
    ck_assert_int_eq(mkdir(dir2, 0700), 0);
    put_sized(dir2, a, 1000, now - 100 * 86400);
    const char *text = "[rule lit]\nregex = Failed password for (?<u>\\S+)\n";
    tl_error err = {0};
    char stored[512] = "";
    for (int pass = 0; pass < 2; pass++) {
        tl_pattern_set *set = load("prune.rules", text);
        tl_pattern_set_cache(set, 1, dir2);
        ck_assert_int_eq(tl_pattern_set_compile(set, &err), 0);
        ck_assert_int_eq(tl_pattern_set_cache_hit(set), pass == 1);
        tl_pattern_set_free(set);
        if (pass == 0) {
            ck_assert(!exists_in(dir2, a));
            DIR *d = opendir(dir2);
            ck_assert_ptr_nonnull(d);
            struct dirent *de;
            while ((de = readdir(d)) != NULL)
                if (strstr(de->d_name, ".hsdb")) snprintf(stored, sizeof stored, "%s/%s", dir2, de->d_name);
            closedir(d);
            ck_assert(stored[0]);
            struct timespec old[2] = {{now - 50 * 86400, 0}, {now - 50 * 86400, 0}};
            ck_assert_int_eq(utimensat(AT_FDCWD, stored, old, 0), 0);
        }
    }
    ck_assert(mtime_of(stored) >= now - 60);
}
END_TEST

static Suite *pattern_suite(void)
{
    Suite *s = suite_create("pattern");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_rule_file_fields);
    tcase_add_test(core, test_hash_is_comment_only_first);
    tcase_add_test(core, test_value_with_equals_and_crlf);
    tcase_add_test(core, test_severity_names);
    tcase_add_test(core, test_ioc_list_refang_and_types);
    tcase_add_test(core, test_ioc_defaults_header_changes_and_bom);
    tcase_add_test(core, test_ioc_type_names);
    tcase_add_test(core, test_directory_load_order);
    tcase_add_test(core, test_unfiltered_rule);
    tcase_add_test(core, test_literal_extraction);
    tcase_add_test(core, test_screens_and_cache);
    tcase_add_test(core, test_cache_is_pruned_by_age_and_size);
    tcase_add_test(core, test_literal_choice_by_sample);
    tcase_add_test(core, test_run_gate);
    tcase_add_test(core, test_empty_set_and_versions);
    suite_add_tcase(s, core);

    TCase *limits = tcase_create("limits");
    tcase_add_test(limits, test_many_rules);
    tcase_add_test(limits, test_ioc_short_and_duplicate);
    tcase_add_test(limits, test_long_regex_line);
    tcase_add_test(limits, test_regex_too_large);
    tcase_set_timeout(limits, 60);
    suite_add_tcase(s, limits);

    TCase *errors = tcase_create("errors");
    tcase_add_test(errors, test_rule_diagnostics);
    tcase_add_test(errors, test_compile_error_points_at_regex);
    tcase_add_test(errors, test_duplicate_across_files);
    tcase_add_test(errors, test_ioc_bad_severity);
    tcase_add_test(errors, test_load_path_errors);
    tcase_add_test(errors, test_rule_file_with_bom);
    suite_add_tcase(s, errors);
    return s;
}

int main(void)
{
    return tl_test_main(pattern_suite(), tmpdir, sizeof tmpdir, "pattern");
}
