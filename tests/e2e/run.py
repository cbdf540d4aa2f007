#!/usr/bin/env python3
"""End-to-end tests: the real timberline binary on fixtures/e2e (and files generated here),
compared against golden output in tests/e2e/expected and against explicit assertions.
Usage: run.py BINARY   (UPDATE=1 rewrites the golden files). Prints 'N passed, N failed'."""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
EXPECTED = os.path.join(HERE, "expected")
BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "build", "timberline"))
WORK = os.path.join(os.path.dirname(BIN), "e2e-work")
GOLDEN_FILES = ("timeline.jsonl", "timeline.csv", "summary.json")

results = []


def test(fn):
    results.append(fn)
    return fn


def run(args, cwd=None, env=None, expect=None):
    e = dict(os.environ)
    e.pop("TZ", None)
    if env:
        e.update(env)
    p = subprocess.run([BIN] + args, cwd=cwd or WORK, env=e, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=600)
    out, err = p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    if expect is not None and p.returncode != expect:
        raise AssertionError("exit %d, expected %d for %s\nstdout: %s\nstderr: %s"
                             % (p.returncode, expect, " ".join(args), out[-2000:], err[-2000:]))
    return p.returncode, out, err


def events(outdir):
    with open(os.path.join(WORK, outdir, "timeline.jsonl"), encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def read(path):
    with open(os.path.join(WORK, path), "rb") as f:
        return f.read()


def setup():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    for d in ("case", "patterns", "badpatterns", "tz", "onlybinary"):
        shutil.copytree(os.path.join(REPO, "fixtures", "e2e", d), os.path.join(WORK, d), symlinks=True)
    # git keeps no mtimes; year inference needs the one the "seized" file had.
    t = 1767268800  # 2026-01-01T12:00:00Z
    os.utime(os.path.join(WORK, "case/var/log/auth.log"), (t, t))
    # long lines are generated, not committed
    os.makedirs(os.path.join(WORK, "long"))
    with open(os.path.join(WORK, "long/two-mib.log"), "wb") as f:
        f.write(b"2026-01-01T05:00:00Z start " + b"A" * (1 << 20) + b" NEEDLE-2048# "
                + b"B" * (1 << 20) + b"\n2026-01-01T05:00:01Z after NEEDLE-5#\n")
    os.makedirs(os.path.join(WORK, "huge"))
    line = bytearray(b"2026-01-01T06:00:00Z huge ")
    line += b"x" * (10 * 1000 * 1000)
    # markers: across the first piece boundary (chunk 256 KiB), in the middle, at the end
    for marker, pos in ((b"zzmarkeraaa", 262144 - 5), (b"zzmarkerbbb", 5 * 1000 * 1000),
                        (b"zzmarkerccc", len(line) - 20)):
        line[pos - 1:pos + len(marker) + 1] = b" " + marker + b" "
    with open(os.path.join(WORK, "huge/ten-mb.log"), "wb") as f:
        f.write(bytes(line) + b"\n2026-01-01T06:00:01Z next zzmarkeraaa\n")
    with open(os.path.join(WORK, "huge.ioc"), "w") as f:
        f.write("# severity: medium\nzzmarkeraaa\nzzmarkerbbb\nzzmarkerccc\n")
    # a symlink below a directory argument must be recorded, never followed
    os.makedirs(os.path.join(WORK, "linkcase"))
    with open(os.path.join(WORK, "outside-secret.log"), "w") as f:
        f.write("2026-01-01T00:00:00Z NEEDLE-666# must never be read\n")
    os.symlink("../outside-secret.log", os.path.join(WORK, "linkcase/link.log"))
    with open(os.path.join(WORK, "linkcase/real.log"), "w") as f:
        f.write("2026-01-01T00:00:00Z NEEDLE-1# real\n")
    # hostile file names: '!' separates archive levels, control bytes must not reach outputs
    os.makedirs(os.path.join(WORK, "names"))
    with open(os.path.join(WORK, b"names/we!rd\x01name.log".decode("latin-1")), "w") as f:
        f.write("2026-01-01T00:00:00Z NEEDLE-3# odd name\n")


# ---------------------------------------------------------------- golden and determinism

def golden_compare(outdir, name):
    problems = []
    for fn in GOLDEN_FILES:
        got = read(os.path.join(outdir, fn))
        exp_path = os.path.join(EXPECTED, name, fn)
        if os.environ.get("UPDATE"):
            os.makedirs(os.path.dirname(exp_path), exist_ok=True)
            with open(exp_path, "wb") as f:
                f.write(got)
            continue
        with open(exp_path, "rb") as f:
            exp = f.read()
        if got != exp:
            problems.append("%s differs from %s" % (fn, exp_path))
    if problems:
        raise AssertionError("; ".join(problems))


@test
def golden_case_j1():
    run(["scan", "-q", "-j1", "-p", "patterns", "-o", "out-j1", "case"], expect=1)
    golden_compare("out-j1", "case")


def same_bytes(a, b):
    for fn in GOLDEN_FILES:
        if read(os.path.join(a, fn)) != read(os.path.join(b, fn)):
            raise AssertionError("%s differs between %s and %s" % (fn, a, b))


@test
def j4_is_byte_identical():
    run(["scan", "-q", "-j4", "-p", "patterns", "-o", "out-j4", "case"], expect=1)
    same_bytes("out-j1", "out-j4")


@test
def small_chunks_are_byte_identical():
    # many chunk boundaries: every stream is cut at 256 KiB
    run(["scan", "-q", "-j3", "--chunk-size", "262144", "-p", "patterns", "-o", "out-chunks", "case"], expect=1)
    same_bytes("out-j1", "out-chunks")


@test
def tz_and_locale_do_not_change_output():
    env = {"TZ": "America/New_York", "LC_ALL": "de_DE.UTF-8", "LANG": "de_DE.UTF-8"}
    locdir = os.path.join(os.path.dirname(BIN), "locale")
    if not os.path.isdir(os.path.join(locdir, "de_DE.UTF-8")):
        os.makedirs(locdir, exist_ok=True)
        subprocess.run(["localedef", "-i", "de_DE", "-f", "UTF-8", os.path.join(locdir, "de_DE.UTF-8")],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not os.path.isdir(os.path.join(locdir, "de_DE.UTF-8")):
        raise AssertionError("could not build the de_DE.UTF-8 locale (package 'locales' missing?)")
    env["LOCPATH"] = locdir
    # prove the locale is real: a C program would see a comma decimal separator
    chk = subprocess.run(["python3", "-c", "import locale; locale.setlocale(locale.LC_ALL, ''); "
                          "print(locale.localeconv()['decimal_point'])"],
                         env=dict(os.environ, **env), stdout=subprocess.PIPE)
    if chk.stdout.strip() != b",":
        raise AssertionError("de_DE.UTF-8 not active in the test environment: %r" % chk.stdout)
    run(["scan", "-q", "-j2", "-p", "patterns", "-o", "out-locale", "case"], env=env, expect=1)
    same_bytes("out-j1", "out-locale")


# ---------------------------------------------------------------- behaviour

def by_source(evs, src):
    return [e for e in evs if e["source"] == src]


@test
def ioc_boundaries_subdomains_defanging():
    evs = by_source(events("out-j1"), "case/var/log/auth.log")
    got = sorted((e["line"], e["rule"]) for e in evs if e["rule"].startswith("iocs:"))
    exp = sorted([
        (5, "iocs:198.51.100.23"),              # ...198.51.100.23:443
        (7, "iocs:evil-cdn.example"),           # update.evil-cdn.example (subdomain)
        (8, "iocs:198.51.100.23"),
        (9, "iocs:198.51.100.23"),
        (10, "iocs:attacker@evil-mail.example"),  # case-insensitive e-mail
        (10, "iocs:d2f1c0a0b9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2"),  # hash, upper-case in log
        (11, "iocs:http://bad.example/payload.sh"),  # refanged hxxp://bad[.]example
    ])
    if got != exp:
        raise AssertionError("IOC hits %s, expected %s" % (got, exp))
    # line 6 has 198.51.100.230, 10.198.51.100.23.7 and x198.51.100.23: no hit at all
    if any(e["line"] == 6 for e in evs):
        raise AssertionError("boundary violated on line 6")


@test
def duplicate_indicator_is_merged_with_warning():
    _, _, err = run(["scan", "-q", "-p", "patterns", "-o", "out-dup", "tz"], expect=1)
    if "repeated" not in err or "merged" not in err:
        raise AssertionError("no warning for the repeated indicator: %s" % err)


@test
def crlf_lines():
    evs = by_source(events("out-j1"), "case/var/log/auth.log")
    for e in evs:
        if "\r" in e["message"] or "\\x0D" in e["message"]:
            raise AssertionError("CR leaked into message: %r" % e["message"])
    anchored = [e for e in evs if e["rule"] == "anchored-end"]
    if [e["line"] for e in anchored] != [4] or anchored[0]["offset"] != 288:
        raise AssertionError("anchored rule on CRLF line: %r" % anchored)


@test
def invalid_utf8_and_control_bytes_escaped():
    evs = [e for e in events("out-j1") if e["line"] == 8 and e["source"].endswith("auth.log")]
    m = evs[0]["message"]
    if "bytes \\xFF\\xFE\\x01 invalid" not in m or "tab\there" not in m:
        raise AssertionError("escaping wrong: %r" % m)
    raw = read("out-j1/timeline.jsonl")
    raw.decode("utf-8")  # every output must be valid UTF-8


@test
def utf16_with_bom():
    evs = events("out-j1")
    le = [e for e in evs if e["source"] == "case/win/export-utf16.log"]
    be = [e for e in evs if e["source"] == "case/win/export-utf16be.log"]
    if len(le) != 1 or le[0]["line"] != 2 or le[0]["offset"] != 68 or "ünïcode" not in le[0]["message"]:
        raise AssertionError("UTF-16LE: %r" % le)
    if len(be) != 1 or be[0]["indicator"] != "NEEDLE-17#":
        raise AssertionError("UTF-16BE: %r" % be)


@test
def two_mib_line_hit_in_middle():
    run(["scan", "-q", "-p", "patterns", "-o", "out-long", "long"], expect=1)
    evs = events("out-long")
    mid = [e for e in evs if e["indicator"] == "NEEDLE-2048#"]
    if len(mid) != 1 or mid[0]["line"] != 1 or "long-line" not in mid[0]["flags"]:
        raise AssertionError("2 MiB line: %r" % [(e["indicator"], e["line"], e["flags"]) for e in evs])
    if len(mid[0]["message"].encode()) > 65536 + 64 or "NEEDLE-2048#" not in mid[0]["message"]:
        raise AssertionError("message of a long line must be capped and show the hit")
    after = [e for e in evs if e["indicator"] == "NEEDLE-5#"]
    if len(after) != 1 or after[0]["line"] != 2 or after[0]["offset"] != 27 + 2 * (1 << 20) + 14 + 1:
        raise AssertionError("line after the long line: %r" % after)


@test
def ten_mb_line_in_pieces_loses_nothing():
    for j in ("1", "2"):
        out = "out-huge-j" + j
        run(["scan", "-q", "-j" + j, "--chunk-size", "262144", "-p", "huge.ioc", "-o", out, "huge"], expect=1)
        evs = events(out)
        first = sorted(e["indicator"] for e in evs if e["line"] == 1)
        if first != ["zzmarkeraaa", "zzmarkerbbb", "zzmarkerccc"]:
            raise AssertionError("pieces lost or doubled hits: %r" % first)
        for e in evs:
            if e["line"] == 1 and (e["offset"] != 0 or "long-line" not in e["flags"]
                                   or e["datetime"] != "2026-01-01T06:00:00.000000+00:00"):
                raise AssertionError("long-line event: %r" % {k: e[k] for k in ("offset", "flags", "datetime")})
        nxt = [e for e in evs if e["line"] == 2]
        if len(nxt) != 1 or nxt[0]["offset"] != 10 * 1000 * 1000 + 27:
            raise AssertionError("line after the huge one: %r" % nxt)
    same_bytes("out-huge-j1", "out-huge-j2")


@test
def empty_file_is_fine():
    os.makedirs(os.path.join(WORK, "emptyonly"), exist_ok=True)
    open(os.path.join(WORK, "emptyonly/e.log"), "w").close()
    run(["scan", "-q", "-p", "patterns", "-o", "out-empty", "emptyonly/e.log"], expect=0)
    m = json.loads(read("out-empty/manifest.json"))
    ev = m["evidence"][0]
    if ev["status"] != "ok" or ev["lines"] != 0 or ev["sha256"] != hashlib.sha256(b"").hexdigest():
        raise AssertionError("empty file: %r" % ev)
    if read("out-empty/timeline.jsonl") != b"":
        raise AssertionError("events from an empty file")


@test
def damaged_and_binary_recorded():
    m = json.loads(read("out-j1/manifest.json"))
    st = {e["source"]: e for e in m["evidence"]}
    checks = {
        "case/var/log/old.log.gz": "truncated",
        "case/var/log/broken.log.gz": "corrupt",
        "case/bin/tool.bin": "skipped-binary",
        "case/var/log/nginx/access.log": "ok",   # a few NULs do not make a log binary
        "case/empty.log": "ok",
    }
    for src, status in checks.items():
        if st[src]["status"] != status:
            raise AssertionError("%s: %s, expected %s" % (src, st[src]["status"], status))
    evs = events("out-j1")
    trunc = [e for e in evs if e["source"] == "case/var/log/old.log.gz"]
    if len(trunc) < 10:
        raise AssertionError("data before the truncation was not scanned")
    if any(e["source"] == "case/bin/tool.bin" for e in evs):
        raise AssertionError("binary file was scanned")
    if not any(e["source"] == "case/var/log/nginx/access.log" and e["indicator"] == "NEEDLE-21#" for e in evs):
        raise AssertionError("access log with NULs not scanned")
    # hashes are of the raw files, all of them, also the damaged and skipped ones
    for src, e in st.items():
        want = hashlib.sha256(read(src)).hexdigest()
        if e["sha256"] != want:
            raise AssertionError("%s: sha256 %s != %s" % (src, e["sha256"], want))
        if not os.path.isabs(e["absolute_path"]):
            raise AssertionError("absolute_path not absolute")
    summ = json.loads(read("out-j1/summary.json"))
    if not summ["complete"] or summ["evidence_status"].get("truncated") != 1:
        raise AssertionError("summary counts: %r" % summ["evidence_status"])


@test
def year_inference_and_inheritance():
    evs = by_source(events("out-j1"), "case/var/log/auth.log")
    want = {1: ("2025-12-31T23:58:00.000000+00:00", "inferred-year"),
            3: ("2026-01-01T00:00:05.000000+00:00", "inferred-year"),
            5: ("2026-01-01T00:00:06.000000+00:00", "inherited")}
    for e in evs:
        if e["line"] in want and (e["datetime"], e["ts_quality"]) != want[e["line"]]:
            raise AssertionError("line %d: %s %s" % (e["line"], e["datetime"], e["ts_quality"]))
    nginx = [e for e in events("out-j1") if e["source"] == "case/app/events.jsonl"]
    if [e["ts_quality"] for e in nginx] != ["parsed", "parsed", "inherited"]:
        raise AssertionError("JSON lines times: %r" % [(e["datetime"], e["ts_quality"]) for e in nginx])
    if nginx[0]["timestamp"] != 1767226200123456:  # nanoseconds truncated, never rounded
        raise AssertionError("fraction: %r" % nginx[0]["timestamp"])


@test
def csv_formula_guard_and_shape():
    import csv
    import io
    rows = list(csv.reader(io.StringIO(read("out-j1/timeline.csv").decode("utf-8"))))
    header = rows[0]
    if header != ["datetime", "timestamp", "timestamp_desc", "ts_quality", "message", "rule", "severity",
                  "tags", "indicator", "fields", "source", "line", "offset", "evidence_sha256", "flags"]:
        raise AssertionError("header %r" % header)
    if len(rows) - 1 != len(events("out-j1")):
        raise AssertionError("CSV and JSONL disagree on the event count")
    formula = [r for r in rows[1:] if "HYPERLINK" in r[4]]
    if not formula or not formula[0][4].startswith("'="):
        raise AssertionError("formula not neutralised: %r" % formula)
    jl = events("out-j1")
    for r, e in zip(rows[1:], jl):
        if r[11] != str(e["line"]) or r[6] != e["severity"]:
            raise AssertionError("CSV row out of step with JSONL")
    keys = list(jl[0].keys())
    if keys != header:
        raise AssertionError("JSONL keys %r" % keys)


@test
def timeline_sorted():
    evs = events("out-j1")
    def key(e):
        return (e["timestamp"] is None, e["timestamp"] or 0, e["source"], e["line"], e["offset"], e["rule"])
    if [key(e) for e in evs] != sorted(key(e) for e in evs):
        raise AssertionError("timeline not sorted")


@test
def tz_option_and_dst_gap():
    run(["scan", "-q", "--tz", "America/New_York", "-p", "patterns", "-o", "out-tz", "tz"], expect=1)
    evs = {e["indicator"]: e for e in events("out-tz")}
    if evs["NEEDLE-1#"]["datetime"] != "2026-07-01T16:00:00.000000+00:00":
        raise AssertionError("summer time: %s" % evs["NEEDLE-1#"]["datetime"])
    if "dst-gap" not in evs["NEEDLE-2#"]["flags"]:
        raise AssertionError("gap not flagged: %r" % evs["NEEDLE-2#"])
    run(["scan", "-q", "--tz", "+05:45", "-p", "patterns", "-o", "out-tz2", "tz"], expect=1)
    evs = {e["indicator"]: e for e in events("out-tz2")}
    if evs["NEEDLE-1#"]["datetime"] != "2026-07-01T06:15:00.000000+00:00":
        raise AssertionError("fixed offset: %s" % evs["NEEDLE-1#"]["datetime"])
    m = json.loads(read("out-tz2/manifest.json"))
    if m["timezone"] != "+05:45":
        raise AssertionError("zone not in manifest")


@test
def fail_on_threshold():
    # tz/ holds only 'low' hits (marker-needle)
    run(["scan", "-q", "--fail-on", "medium", "-p", "patterns", "-o", "out-fail1", "tz"], expect=0)
    run(["scan", "-q", "--fail-on", "low", "-p", "patterns", "-o", "out-fail2", "tz"], expect=1)
    run(["scan", "-q", "--fail-on", "severe", "-p", "patterns", "-o", "out-fail3", "tz"], expect=2)


@test
def bad_regex_refuses_to_scan():
    _, _, err = run(["scan", "-q", "-p", "badpatterns", "-o", "out-bad", "case"], expect=2)
    want = "badpatterns/bad.rules:11: rule 'sqli-union': regex: missing closing parenthesis at offset 15"
    if want not in err:
        raise AssertionError("message %r lacks %r" % (err, want))
    if os.path.exists(os.path.join(WORK, "out-bad", "summary.json")):
        raise AssertionError("a report was written despite a broken rule")


@test
def patterns_check_exit_codes():
    code, out, _ = run(["patterns", "check", "patterns"], expect=0)
    if "0 failed" not in out.splitlines()[-1]:
        raise AssertionError(out)
    code, out, _ = run(["patterns", "check", "badpatterns/bad.rules"], expect=1)
    if "FAIL badpatterns/bad.rules:11: rule 'sqli-union'" not in out or "1 failed" not in out:
        raise AssertionError(out)
    run(["patterns", "check", "no/such/dir"], expect=2)
    run(["patterns"], expect=2)
    # a test line that no longer matches is a failure naming file:line
    with open(os.path.join(WORK, "stale.rules"), "w") as f:
        f.write("[rule stale]\nseverity = low\nregex = foo\\d+\ntest.match = foo\ntest.nomatch = bar\n")
    code, out, _ = run(["patterns", "check", "stale.rules"], expect=1)
    if "FAIL stale.rules:4: rule 'stale': test.match" not in out:
        raise AssertionError(out)


@test
def rule_file_errors_name_file_and_line():
    with open(os.path.join(WORK, "broken-syntax.rules"), "w") as f:
        f.write("[rule a]\nseverity = urgent\nregex = x\ncolour = red\n[rule a]\nregex = y\n")
    _, out, _ = run(["patterns", "check", "broken-syntax.rules"], expect=1)
    for want in ("broken-syntax.rules:2: rule 'a': bad severity 'urgent'",
                 "broken-syntax.rules:4: rule 'a': unknown key 'colour'",
                 "broken-syntax.rules:5: rule 'a': duplicate id"):
        if want not in out:
            raise AssertionError("missing %r in %s" % (want, out))


@test
def usage_errors_exit_2():
    run(["scan", "-q", "-p", "patterns", "-o", "out-x", "does/not/exist"], expect=2)
    run(["scan", "-q", "-p", "patterns", "-o", "case/report", "case"], expect=2)      # out inside evidence
    run(["scan", "-q", "-p", "patterns", "-o", "out-j1", "tz"], expect=2)            # non-empty out
    run(["scan", "-q", "--force", "-p", "patterns", "-o", "out-j1-forced", "tz"], expect=1)
    run(["scan", "-q", "--tz", "Mars/Olympus", "-p", "patterns", "-o", "out-y", "tz"], expect=2)
    run(["scan", "-q", "--bogus", "tz"], expect=2)
    run(["scan"], expect=2)
    run(["frobnicate"], expect=2)
    run(["--version"], expect=0)
    if os.path.exists(os.path.join(WORK, "case", "report")):
        raise AssertionError("report directory created inside the evidence")


@test
def nothing_scannable_is_an_error():
    _, _, err = run(["scan", "-q", "-p", "patterns", "-o", "out-nb", "onlybinary"], expect=2)
    if "no evidence file could be scanned" not in err:
        raise AssertionError(err)
    m = json.loads(read("out-nb/manifest.json"))
    if m["evidence"][0]["status"] != "skipped-binary":
        raise AssertionError("binary not recorded")


@test
def strict_turns_problems_into_exit_2():
    run(["scan", "-q", "--strict", "-p", "patterns", "-o", "out-strict", "case"], expect=2)
    run(["scan", "-q", "--strict", "-p", "patterns", "-o", "out-strict2", "tz"], expect=1)


@test
def symlinks_recorded_not_followed():
    run(["scan", "-q", "-p", "patterns", "-o", "out-link", "linkcase/"], expect=1)
    evs = events("out-link")
    if any("NEEDLE-666" in e["message"] for e in evs):
        raise AssertionError("symlink was followed")
    m = json.loads(read("out-link/manifest.json"))
    st = {e["source"]: e for e in m["evidence"]}
    if st["linkcase/link.log"]["status"] != "symlink" or st["linkcase/link.log"]["link_target"] != "../outside-secret.log":
        raise AssertionError("symlink record: %r" % st["linkcase/link.log"])
    if "linkcase/real.log" not in st:
        raise AssertionError("trailing slash not stripped from the source")


@test
def hostile_names_escaped():
    run(["scan", "-q", "-p", "patterns", "-o", "out-names", "names"], expect=1)
    evs = events("out-names")
    if evs[0]["source"] != "names/we\\x21rd\\x01name.log":
        raise AssertionError("source %r" % evs[0]["source"])


@test
def manifest_records_run_facts():
    run(["scan", "-q", "-j2", "--case", "CASE-42", "--analyst", "A. Analyst", "-p", "patterns",
         "-o", "out-facts", "tz"], expect=1)
    m = json.loads(read("out-facts/manifest.json"))
    for k in ("schema_version", "tool", "libraries", "host", "command_line", "working_directory",
              "started", "finished", "threads", "pattern_files", "evidence"):
        if k not in m:
            raise AssertionError("manifest lacks %s" % k)
    if m["case"] != "CASE-42" or m["analyst"] != "A. Analyst" or m["threads"] != 2:
        raise AssertionError("case/analyst/threads: %r" % m)
    for lib in ("pcre2", "libarchive", "zlib", "libhs"):
        if not m["libraries"].get(lib):
            raise AssertionError("no version for %s" % lib)
    for pf in m["pattern_files"]:
        if pf["sha256"] != hashlib.sha256(read(pf["path"])).hexdigest():
            raise AssertionError("pattern file hash wrong")
    leftovers = [n for n in os.listdir(os.path.join(WORK, "out-facts")) if n.startswith(".")]
    if leftovers:
        raise AssertionError("temp files left: %r" % leftovers)


@test
def evidence_is_not_modified():
    before = {}
    for root, _, files in os.walk(os.path.join(WORK, "case")):
        for n in files:
            p = os.path.join(root, n)
            st = os.lstat(p)
            before[p] = (st.st_mtime_ns, st.st_size, hashlib.sha256(open(p, "rb").read()).hexdigest())
    run(["scan", "-q", "-p", "patterns", "-o", "out-ro", "case"], expect=1)
    for p, v in before.items():
        st = os.lstat(p)
        if (st.st_mtime_ns, st.st_size, hashlib.sha256(open(p, "rb").read()).hexdigest()) != v:
            raise AssertionError("evidence changed: %s" % p)
    for root, _, files in os.walk(os.path.join(WORK, "case")):
        for n in files:
            if os.path.join(root, n) not in before:
                raise AssertionError("file written into the evidence: %s" % n)


@test
def demo_case_tells_the_story():
    subprocess.run([sys.executable, os.path.join(REPO, "scripts", "make-demo-case.py"), "--set-mtimes"], check=True)
    run(["scan", "-q", "-o", os.path.join(WORK, "out-demo"), "fixtures/demo-case"], cwd=REPO, expect=1)
    summ = json.loads(read("out-demo/summary.json"))
    hits = {r["id"]: r["hits"] for r in summ["rules"]}
    for rule in ("ssh-failed-password", "ssh-accepted-password", "sudo-root-shell", "demo-c2:198.51.100.23"):
        if not hits.get(rule):
            raise AssertionError("demo: no hits for %s" % rule)
    evs = events("out-demo")
    brute = [e for e in evs if e["rule"] == "ssh-failed-password" and e["fields"].get("src_ip") == "203.0.113.5"]
    accepted = [e for e in evs if e["rule"] == "ssh-accepted-password" and e["fields"].get("src_ip") == "203.0.113.5"]
    if not brute or not accepted or accepted[0]["timestamp"] < brute[0]["timestamp"]:
        raise AssertionError("demo story out of order")


def main():
    if not os.path.exists(BIN):
        print("no binary at %s" % BIN)
        return 2
    setup()
    passed = failed = 0
    for fn in results:
        try:
            fn()
            passed += 1
            print("ok   %s" % fn.__name__)
        except Exception as e:  # report and go on: every test runs
            failed += 1
            print("FAIL %s: %s" % (fn.__name__, e))
            if os.environ.get("VERBOSE"):
                traceback.print_exc()
    print("e2e: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
