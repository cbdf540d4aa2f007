#!/usr/bin/env python3
"""End-to-end tests: the real timberline binary on fixtures/e2e (and files generated here),
compared against golden output in tests/e2e/expected and against explicit assertions.
Usage: run.py BINARY   (UPDATE=1 rewrites the golden files). Prints 'N passed, N failed'."""
import collections
import hashlib
import json
import os
import re
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
    for d in ("case", "patterns", "badpatterns", "tz", "onlybinary", "feeds"):
        shutil.copytree(os.path.join(REPO, "fixtures", "e2e", d), os.path.join(WORK, d), symlinks=True)
    shutil.copytree(os.path.join(REPO, "fixtures", "archives"), os.path.join(WORK, "archives"))
    shutil.copytree(os.path.join(REPO, "fixtures", "timestamps"), os.path.join(WORK, "ts"))
    os.rename(os.path.join(WORK, "ts", "expected.json"), os.path.join(WORK, "ts-expected.json"))
    for n, m in json.load(open(os.path.join(WORK, "ts-expected.json")))["mtimes"].items():
        os.utime(os.path.join(WORK, "ts", n), (m, m))
    with open(os.path.join(WORK, "hit.rules"), "w") as f:
        f.write("[rule hit]\nseverity = low\nregex = HIT\ntest.match = a HIT\ntest.nomatch = a hit\n")
    with open(os.path.join(WORK, "every-line.rules"), "w") as f:
        f.write("[rule every-line]\nseverity = info\nregex = .\ntest.match = x\ntest.nomatch =\n")
    for n in os.listdir(os.path.join(WORK, "archives")):
        t = 1767441600 + 7200  # 2026-01-03T14:00:00Z: the seizure time of the archives
        os.utime(os.path.join(WORK, "archives", n), (t, t))
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


# ---------------------------------------------------------------- archives

def walk_manifest(items, out=None):
    out = {} if out is None else out
    for e in items:
        out[e["source"]] = e
        walk_manifest(e.get("members", []), out)
    return out


def tree_snapshot(root):
    snap = {}
    for d, _, files in os.walk(root):
        for n in files:
            p = os.path.join(d, n)
            st = os.lstat(p)
            snap[p] = (st.st_mtime_ns, st.st_size, hashlib.sha256(open(p, "rb").read()).hexdigest())
    return snap


A = "archives/web1-varlog.tar.gz"


@test
def archives_sources_lines_and_statuses():
    before = tree_snapshot(os.path.join(WORK, "archives"))
    work_before = set(os.listdir(WORK))
    run(["scan", "-q", "-p", "patterns", "-o", "out-arch", "archives"], expect=1)
    got = sorted((e["indicator"], e["source"], e["line"]) for e in events("out-arch") if e["rule"] == "marker-needle")
    exp = sorted([
        ("NEEDLE-101#", A + "!var/log/auth.log", 2),
        ("NEEDLE-102#", A + "!var/log/auth.log.1.gz", 2),
        ("NEEDLE-103#", A + "!var/log/syslog.2.bz2", 2),
        ("NEEDLE-104#", A + "!var/log/kern.log.3.xz", 2),
        ("NEEDLE-105#", A + "!var/log/app.log.4.zst", 1),
        ("NEEDLE-106#", A + "!var/log/nginx/access.log", 1),
        ("NEEDLE-107#", A + "!backup/old-logs.zip!weblogs/access.log", 2),
        ("NEEDLE-108#", A + "!backup/old-logs.zip!weblogs/error.log.1.gz", 1),
        ("NEEDLE-109#", A + "!var/log/ip-list.txt", 3),          # single tokens: text, not mtree
        ("NEEDLE-110#", A + "!home/deploy/.bash_history", 3),
        ("NEEDLE-111#", A + "!../../../../tmp/timberline-traversal.log", 1),
        ("NEEDLE-112#", A + "!/etc/cron.d/evil", 1),
        ("NEEDLE-113#", A + "!var/log/ctl\\x01name\x7f.log", 1),
        ("NEEDLE-114#", "archives/weblogs.zip!access.log.1", 1),
        ("NEEDLE-106#", "archives/weblogs.zip!access.log", 1),
        ("NEEDLE-114#", "archives/truncated.zip!access.log.1", 1),
        ("NEEDLE-106#", "archives/truncated.zip!access.log", 1),
        ("NEEDLE-115#", "archives/export.7z!export/system.log", 1),
        ("NEEDLE-117#", "archives/syslog.7.xz", 1),
        # the truncated tarball keeps the members before the cut
        ("NEEDLE-101#", "archives/truncated.tar.gz!var/log/auth.log", 2),
        ("NEEDLE-102#", "archives/truncated.tar.gz!var/log/auth.log.1.gz", 2),
        ("NEEDLE-103#", "archives/truncated.tar.gz!var/log/syslog.2.bz2", 2),
        ("NEEDLE-104#", "archives/truncated.tar.gz!var/log/kern.log.3.xz", 2),
    ])
    if got != exp:
        raise AssertionError("archive hits differ:\n got %r\n exp %r" % (sorted(set(got) - set(exp)), sorted(set(exp) - set(got))))
    m = walk_manifest(json.loads(read("out-arch/manifest.json"))["evidence"])
    want = {
        A: "ok", A + "!etc/passwd-link": "symlink", A + "!var/log/auth.log.hard": "hardlink",
        A + "!var/log/Security.evtx": "unsupported-format", A + "!var/log/empty.log": "ok",
        A + "!backup/old-logs.zip": "ok", "archives/encrypted.zip!secret.log": "encrypted",
        "archives/truncated.tar.gz": "truncated", "archives/truncated.zip": "truncated",
        "archives/bomb.log.bz2": "limit", "archives/empty.tar": "ok",
    }
    for src, status in want.items():
        if src not in m or m[src]["status"] != status:
            raise AssertionError("%s: %s, expected %s" % (src, m.get(src, {}).get("status"), status))
    if m[A + "!etc/passwd-link"].get("link_target") != "/etc/passwd":
        raise AssertionError("symlink target not recorded")
    # hashes: the evidence file raw, the member as stored (the .gz bytes), the decompressed stream
    import gzip as _gz, tarfile as _tar
    raw = read(A)
    if m[A]["sha256"] != hashlib.sha256(raw).hexdigest():
        raise AssertionError("tarball sha256")
    with _tar.open(fileobj=__import__("io").BytesIO(_gz.decompress(raw))) as tf:
        stored = tf.extractfile("var/log/auth.log.1.gz").read()
    mem = m[A + "!var/log/auth.log.1.gz"]
    if mem["sha256"] != hashlib.sha256(stored).hexdigest() or \
            mem["content_sha256"] != hashlib.sha256(_gz.decompress(stored)).hexdigest():
        raise AssertionError("member hashes: %r" % mem)
    if mem["mtime"] != "2026-01-02T12:00:00.000000+00:00":
        raise AssertionError("member mtime: %s" % mem["mtime"])
    # year inference used the member's own mtime: Jan 1 00:00 after Dec 31 in kern.log.3.xz
    ev = [e for e in events("out-arch") if e["indicator"] == "NEEDLE-104#"][0]
    if ev["datetime"] != "2026-01-01T00:00:00.000000+00:00":
        raise AssertionError("member year inference: %s" % ev["datetime"])
    # nothing written outside --out, nothing changed in the evidence
    if os.path.exists("/tmp/timberline-traversal.log") or os.path.exists("/etc/cron.d/evil"):
        raise AssertionError("a member name was used as a path")
    if set(os.listdir(WORK)) - work_before != {"out-arch"}:
        raise AssertionError("files appeared outside --out: %r" % (set(os.listdir(WORK)) - work_before))
    if tree_snapshot(os.path.join(WORK, "archives")) != before:
        raise AssertionError("the evidence tree changed")


@test
def bomb_is_stopped_fast_and_small():
    import resource
    import time
    os.makedirs(os.path.join(WORK, "bomb"), exist_ok=True)
    shutil.copy(os.path.join(WORK, "archives/bomb.log.bz2"), os.path.join(WORK, "bomb"))
    t = time.time()
    run(["scan", "-q", "-p", "patterns", "-o", "out-bomb", "bomb"], expect=0)
    took = time.time() - t
    rss_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    m = json.loads(read("out-bomb/manifest.json"))["evidence"][0]
    if m["status"] != "limit" or took > 60:
        raise AssertionError("bomb: %s in %.1f s" % (m["status"], took))
    # ASan's shadow memory and quarantine inflate RSS; the 256 MiB bound is for real builds
    if rss_mib > 256 and "ASAN_OPTIONS" not in os.environ:
        raise AssertionError("peak RSS %.0f MiB" % rss_mib)
    print("     bomb: %.2f s, peak RSS of any scan so far %.0f MiB" % (took, rss_mib))


@test
def verify_detects_a_flipped_byte():
    os.makedirs(os.path.join(WORK, "vcase"), exist_ok=True)
    for n in ("web1-varlog.tar.gz", "syslog.7.xz"):
        shutil.copy(os.path.join(WORK, "archives", n), os.path.join(WORK, "vcase", n))
    run(["scan", "-q", "-p", "patterns", "-o", "out-verify", "vcase"], expect=1)
    code, out, _ = run(["verify", "out-verify"], expect=0)
    if "0 differ" not in out:
        raise AssertionError(out)
    p = os.path.join(WORK, "vcase", "syslog.7.xz")
    data = bytearray(open(p, "rb").read())
    data[len(data) // 2] ^= 0x01
    open(p, "wb").write(bytes(data))
    code, out, _ = run(["verify", "out-verify"], expect=1)
    if "MISMATCH evidence" not in out or "syslog.7.xz" not in out:
        raise AssertionError(out)
    data[len(data) // 2] ^= 0x01
    open(p, "wb").write(bytes(data))
    # a report file edited after the fact is caught too
    rp = os.path.join(WORK, "out-verify", "timeline.csv")
    orig = open(rp, "rb").read()
    open(rp, "wb").write(orig.replace(b"NEEDLE", b"NEEDLF", 1))
    run(["verify", "out-verify"], expect=1)
    open(rp, "wb").write(orig)
    # on another machine: the evidence copied elsewhere, found through --evidence-root
    other = os.path.join(WORK, "elsewhere")
    shutil.copytree(os.path.join(WORK, "vcase"), os.path.join(other, "vcase"))
    shutil.rmtree(os.path.join(WORK, "vcase"))
    run(["verify", "out-verify"], expect=1)  # original paths gone
    run(["verify", "out-verify", "--evidence-root", other], expect=0)
    shutil.copytree(os.path.join(other, "vcase"), os.path.join(WORK, "vcase"))
    run(["verify", "no-such-report"], expect=2)


@test
def decoder_hang_is_stopped_and_the_rest_reported():
    import time
    t = time.time()
    _, _, err = run(["scan", "-q", "--stall-timeout", "1", "-p", "patterns", "-o", "out-hang", "archives"],
                    env={"TIMBERLINE_TEST_UNPACK_STALL": "nginx/access.log"}, expect=1)
    took = time.time() - t
    m = walk_manifest(json.loads(read("out-hang/manifest.json"))["evidence"])
    if m[A]["status"] != "hang" or "no progress" not in (m[A]["message"] or ""):
        raise AssertionError("tarball: %r" % {k: m[A][k] for k in ("status", "message")})
    if m[A + "!var/log/nginx/access.log"]["status"] != "hang":
        raise AssertionError("the member in progress is not marked")
    evs = events("out-hang")
    srcs = {e["source"] for e in evs}
    if A + "!var/log/auth.log" not in srcs:
        raise AssertionError("members read before the hang were lost")
    if "archives/weblogs.zip!access.log" not in srcs or "archives/syslog.7.xz" not in srcs:
        raise AssertionError("the rest of the evidence was not reported")
    if took > 30:
        raise AssertionError("took %.1f s" % took)


@test
def unpack_worker_runs_under_a_seccomp_filter():
    # The stall hook holds a worker mid-member for --stall-timeout seconds: long enough to read
    # its /proc status. The filter's own rules are covered by tests/check_sandbox.c.
    import time
    e = dict(os.environ)
    e.pop("TZ", None)
    e["TIMBERLINE_TEST_UNPACK_STALL"] = "nginx/access.log"
    p = subprocess.Popen([BIN, "scan", "-q", "--stall-timeout", "3", "-p", "patterns", "-o", "out-sandbox",
                          "archives/web1-varlog.tar.gz"], cwd=WORK, env=e,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen, fds, names = {}, [], set()
    deadline = time.time() + 60
    while p.poll() is None and time.time() < deadline:
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open("/proc/%s/cmdline" % pid, "rb") as f:
                    cmd = f.read().split(b"\0")
                with open("/proc/%s/status" % pid) as f:
                    st = dict(l.split(":\t", 1) for l in f.read().splitlines() if ":\t" in l)
            except OSError:
                continue
            # a worker: spawned as `__unpack`, or forked by the zygote and named tl-unpack
            if len(cmd) > 1 and (cmd[1] == b"__unpack" or st.get("Name") == "tl-unpack") and \
                    st.get("PPid") == str(p.pid):
                seen[pid] = (st.get("Seccomp", "?").strip(), st.get("NoNewPrivs", "?").strip())
                names.add(st.get("Name", "?").strip())
                if seen[pid][0] == "2":
                    # once confined, it holds its own five descriptors (3 is closed once the
                    # ring is mapped) and the evidence it reads, nothing else
                    extra = sorted(int(x) for x in os.listdir("/proc/%s/fd" % pid) if int(x) > 5)
                    if extra:
                        fds.append("descriptors beyond 0-5: %r" % extra)
                    for fd in os.listdir("/proc/%s/fd" % pid):
                        try:
                            t = os.readlink("/proc/%s/fd/%s" % (pid, fd))
                        except OSError:
                            continue
                        if t.startswith("/") and not t.startswith(("/dev/", "/memfd:")) and \
                                not t.endswith("archives/web1-varlog.tar.gz"):
                            fds.append("fd %s -> %s" % (fd, t))
                    break
        if any(v[0] == "2" for v in seen.values()):
            break
        time.sleep(0.02)
    err = p.communicate(timeout=120)[1].decode("utf-8", "replace")
    if p.returncode != 1:
        raise AssertionError("exit %d: %s" % (p.returncode, err[-1000:]))
    if not any(v == ("2", "1") for v in seen.values()):
        raise AssertionError("no worker seen with Seccomp 2 and NoNewPrivs 1: %r" % seen)
    if fds:
        raise AssertionError("the worker holds other files: %s" % ", ".join(fds))
    if names != {"tl-unpack"}:
        raise AssertionError("the worker was not forked by the zygote: %r" % names)


@test
def decoder_crash_is_recorded_and_the_rest_reported():
    run(["scan", "-q", "-p", "patterns", "-o", "out-crash", "archives"],
        env={"TIMBERLINE_TEST_UNPACK_CRASH": "nginx/access.log"}, expect=1)
    m = walk_manifest(json.loads(read("out-crash/manifest.json"))["evidence"])
    if m[A]["status"] != "crashed" or "signal 9" not in (m[A]["message"] or ""):
        raise AssertionError("tarball: %r" % {k: m[A][k] for k in ("status", "message")})
    srcs = {e["source"] for e in events("out-crash")}
    if A + "!var/log/auth.log" not in srcs or "archives/export.7z!export/system.log" not in srcs:
        raise AssertionError("evidence before/after the crash was lost")
    # the data the dying decoder had already sent is kept
    if A + "!var/log/nginx/access.log" not in srcs:
        raise AssertionError("the crashed member's data before the crash was lost")


@test
def damage_sweep():
    """Every archive fixture truncated at many offsets and with flipped bytes: no crash of the
    scanner, no sanitizer report, no hang, and a damage status where the format can tell."""
    sweep = os.path.join(WORK, "sweep")
    os.makedirs(sweep, exist_ok=True)
    truncs = {}
    for n in ("web1-varlog.tar.gz", "weblogs.zip", "export.7z", "syslog.7.xz", "encrypted.zip", "truncated.tar.gz"):
        data = open(os.path.join(WORK, "archives", n), "rb").read()
        L = len(data)
        for k in range(1, 17):  # 16 truncations + 16 single-byte flips = 32 variants
            cut = L * k // 17
            name = "t%02d-%s" % (k, n)
            open(os.path.join(sweep, name), "wb").write(data[:cut])
            truncs[name] = n
            pos = (L * (2 * k - 1)) // 34
            flipped = bytearray(data)
            flipped[pos] ^= 0xA5
            open(os.path.join(sweep, "f%02d-%s" % (k, n)), "wb").write(bytes(flipped))
    code, _, err = run(["scan", "-q", "--stall-timeout", "20", "-p", "patterns", "-o", "out-sweep", "sweep"])
    if code not in (0, 1):
        raise AssertionError("exit %d: %s" % (code, err[-1500:]))
    for marker in ("AddressSanitizer", "runtime error:", "LeakSanitizer"):
        if marker in err:
            raise AssertionError("sanitizer report: %s" % err[err.index(marker) - 200:][:1500])
    m = json.loads(read("out-sweep/manifest.json"))["evidence"]
    tops = {e["source"].split("/")[-1]: e for e in m}
    if len(tops) != 6 * 32:
        raise AssertionError("%d of %d variants recorded" % (len(tops), 6 * 32))
    missed = [n for n, orig in truncs.items()
              if orig.endswith((".gz", ".xz", ".zip", ".7z")) and tops[n]["status"] in ("ok", "pending")
              and not any(mm["status"] != "ok" for mm in walk_manifest(tops[n].get("members", [])).values())]
    if missed:
        raise AssertionError("truncations not reported as damage: %r" % missed)
    # the worker isolates decoder crashes, but none of these inputs should cause one
    crashed = [n for n, e in tops.items() if e["status"] in ("crashed", "hang")]
    if crashed:
        raise AssertionError("decoder crashed or hung on: %r" % crashed)


@test
def parallel_readers_are_byte_identical():
    """Several readers unpack archives at once and members join the evidence list as they are
    met; the report must not show it: -j1 (one thread) against -j4 with spilled runs, over the
    archive fixtures, the damaged sweep and the case, every report file compared (run facts
    such as the command line and times aside)."""
    src = ["archives", "sweep", "case"]
    run(["scan", "-q", "-j1", "--stall-timeout", "20", "-p", "patterns", "-o", "out-par1"] + src)
    run(["scan", "-q", "-j4", "--memory", "1M", "--stall-timeout", "20", "-p", "patterns", "-o", "out-par4"] + src)
    same_bytes("out-par1", "out-par4")
    m1 = json.loads(read("out-par1/manifest.json"))
    m4 = json.loads(read("out-par4/manifest.json"))
    if m1["evidence"] != m4["evidence"]:
        raise AssertionError("manifest evidence trees differ between -j1 and -j4")
    data = lambda d: re.search(r'<script type="application/json" id="tl-data">.*?</script>',
                               read(d + "/report.html").decode(), re.S).group(0)
    if data("out-par1") != data("out-par4"):
        raise AssertionError("report.html event data differs between -j1 and -j4")
    if len(json.loads(read("out-par1/summary.json"))["warnings"]) < 2:
        raise AssertionError("expected the damaged variants to produce warnings to compare")


@test
def inflate_engines_agree():
    """ISA-L is the gzip engine, zlib the reference: on the archive fixtures and every damaged
    variant of the sweep both give the same events, hashes, decoded sizes and statuses."""
    for src, out in (("archives", "out-arch"), ("sweep", "out-sweep")):
        if not os.path.isdir(os.path.join(WORK, out)):
            raise AssertionError("%s missing: this test runs after the archive tests" % out)
        run(["scan", "-q", "--stall-timeout", "20", "-p", "patterns", "-o", out + "-zlib", src],
            env={"TIMBERLINE_INFLATE": "zlib"})
        if read(out + "/timeline.jsonl") != read(out + "-zlib/timeline.jsonl"):
            raise AssertionError("%s: events differ between ISA-L and zlib" % src)
        # past damage the engines may hand out a different number of bytes before they notice
        # (and so different member bytes, even "truncated" for one and "corrupt" for the
        # other): on the damaged variants only "damaged or not" has to agree
        def facts(d):
            r = {}
            for k, e in walk_manifest(json.loads(read(d + "/manifest.json"))["evidence"]).items():
                if src == "sweep":
                    r[k] = e["status"] == "ok"
                else:
                    r[k] = (e["status"], e.get("sha256"), e.get("content_sha256"), e.get("decoded_bytes"))
            return r
        a, b = facts(out), facts(out + "-zlib")
        diff = [(k, a.get(k), b.get(k)) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
        if diff:
            raise AssertionError("%s: ISA-L and zlib disagree on %d items, e.g. %r" % (src, len(diff), diff[:3]))


@test
def zygote_and_direct_spawn_agree():
    """Workers forked by the zygote and workers spawned one by one (the fallback) give the same
    events and the same manifest facts on the archive fixtures and the damaged sweep, crashes
    and hangs included (see the decoder tests)."""
    for src, out in (("archives", "out-arch-zygote"), ("sweep", "out-sweep-zygote")):
        if not os.path.isdir(os.path.join(WORK, src)):
            raise AssertionError("%s missing: this test runs after the archive tests" % src)
        # the hook makes any fallback to a direct spawn an error: this run used the zygote only
        run(["scan", "-q", "--stall-timeout", "20", "-p", "patterns", "-o", out, src],
            env={"TIMBERLINE_TEST_REQUIRE_ZYGOTE": "1"})
        run(["scan", "-q", "--stall-timeout", "20", "-p", "patterns", "-o", out + "-direct", src],
            env={"TIMBERLINE_UNPACK_NO_ZYGOTE": "1"})
        if read(out + "/timeline.jsonl") != read(out + "-direct/timeline.jsonl"):
            raise AssertionError("%s: events differ between zygote and direct spawn" % src)

        def facts(d):
            return {k: (e["status"], e.get("message"), e.get("sha256"), e.get("content_sha256"),
                        e.get("decoded_bytes"))
                    for k, e in walk_manifest(json.loads(read(d + "/manifest.json"))["evidence"]).items()}
        a, b = facts(out), facts(out + "-direct")
        diff = [(k, a.get(k), b.get(k)) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
        if diff:
            raise AssertionError("%s: %d items differ, e.g. %r" % (src, len(diff), diff[:3]))
    # the hook itself: with no zygote allowed, no archive can be read
    run(["scan", "-q", "-p", "patterns", "-o", "out-no-worker", "archives"],
        env={"TIMBERLINE_TEST_REQUIRE_ZYGOTE": "1", "TIMBERLINE_UNPACK_NO_ZYGOTE": "1"})
    m = walk_manifest(json.loads(read("out-no-worker/manifest.json"))["evidence"])
    if m[A]["status"] != "unreadable":
        raise AssertionError("the require-zygote hook did not bite: %r" % m[A]["status"])
    # the fault paths through the fallback too
    _, _, err = run(["scan", "-q", "-p", "patterns", "-o", "out-crash-direct", "archives"],
                    env={"TIMBERLINE_TEST_UNPACK_CRASH": "nginx/access.log",
                         "TIMBERLINE_UNPACK_NO_ZYGOTE": "1"}, expect=1)
    m = walk_manifest(json.loads(read("out-crash-direct/manifest.json"))["evidence"])
    if m[A]["status"] != "crashed" or "signal 9" not in (m[A]["message"] or ""):
        raise AssertionError("direct spawn, crash: %r" % {k: m[A][k] for k in ("status", "message")})


# ---------------------------------------------------------------- timestamps

@test
def every_timestamp_format_exact():
    exp = json.load(open(os.path.join(WORK, "ts-expected.json")))["files"]
    run(["scan", "-q", "-p", "hit.rules", "-o", "out-ts", "ts"], expect=1)
    evs = events("out-ts")
    seen = {}
    for e in evs:
        name = e["source"].split("/")[-1]
        if name == "cloudtrail.json":
            continue
        want = exp[name][e["line"] - 1]
        if e["datetime"] != want:
            raise AssertionError("%s:%d: %s, expected %s (%s)" % (name, e["line"], e["datetime"], want, e["message"][:90]))
        seen[name] = seen.get(name, 0) + 1
    # CloudTrail: one line, each record its own event, in record order by byte offset
    ct = sorted((e for e in evs if e["source"].endswith("cloudtrail.json")), key=lambda e: e["offset"])
    if [e["datetime"] for e in ct] != exp["cloudtrail.json"][0] or any(e["line"] != 1 for e in ct):
        raise AssertionError("CloudTrail records: %r" % [(e["line"], e["offset"], e["datetime"]) for e in ct][:5])
    for name, lines in exp.items():
        if name != "cloudtrail.json" and seen.get(name, 0) != sum(1 for l in lines if l is not None or name == "dmesg.log"):
            raise AssertionError("%s: %d events checked" % (name, seen.get(name, 0)))
    if len(exp) < 20:
        raise AssertionError("only %d format fixtures" % len(exp))


@test
def every_line_rule_gets_real_times():
    run(["scan", "-q", "-p", "every-line.rules", "-o", "out-ts-all", "ts"], expect=1)
    per = {}
    for e in events("out-ts-all"):
        name = e["source"].split("/")[-1]
        good, total = per.get(name, (0, 0))
        per[name] = (good + (e["ts_quality"] in ("parsed", "inferred-year")), total + 1)
    for name, (good, total) in per.items():
        if name != "dmesg.log" and good < 0.99 * total:
            raise AssertionError("%s: %d of %d events parsed or inferred" % (name, good, total))
    m = json.loads(read("out-ts-all/manifest.json"))
    st = {e["source"].split("/")[-1]: e["timestamps"] for e in m["evidence"]}
    if st["dmy-dates.log"]["date_order"] != "dmy (evidence)" or st["syslog-rfc3164.log"]["format"] != "rfc3164":
        raise AssertionError("manifest time facts: %r" % st["dmy-dates.log"])


@test
def dst_repeat_by_stream_order_and_tz_map():
    os.makedirs(os.path.join(WORK, "sites", "berlin"), exist_ok=True)
    os.makedirs(os.path.join(WORK, "sites", "denver"), exist_ok=True)
    with open(os.path.join(WORK, "sites", "berlin", "app.log"), "w") as f:
        f.write("2026-10-25 02:30:00 HIT first pass\n2026-10-25 02:45:00 HIT\n"
                "2026-10-25 02:15:00 HIT clocks went back\n2026-03-29 02:30:00 HIT in the gap\n")
    with open(os.path.join(WORK, "sites", "denver", "app.log"), "w") as f:
        f.write("2026-01-03 05:00:00 HIT mountain time\n")
    with open(os.path.join(WORK, "tzmap.txt"), "w") as f:
        f.write("# site zones\n*/berlin/* Europe/Berlin\n*/denver/*  America/Denver\n")
    run(["scan", "-q", "--tz-map", "tzmap.txt", "-p", "hit.rules", "-o", "out-dst", "sites"], expect=1)
    got = {(e["source"].split("/")[1], e["line"]): (e["datetime"], e["flags"]) for e in events("out-dst")}
    want = {("berlin", 1): ("2026-10-25T00:30:00.000000+00:00", ["dst-repeat"]),
            ("berlin", 2): ("2026-10-25T00:45:00.000000+00:00", ["dst-repeat"]),
            ("berlin", 3): ("2026-10-25T01:15:00.000000+00:00", ["dst-repeat"]),
            ("berlin", 4): ("2026-03-29T00:30:00.000000+00:00", ["dst-gap"]),
            ("denver", 1): ("2026-01-03T12:00:00.000000+00:00", [])}
    if got != want:
        raise AssertionError("got %r" % got)


@test
def since_until_and_assume_year():
    run(["scan", "-q", "--since", "2026-07-01", "-p", "patterns", "-o", "out-since", "tz"], expect=1)
    evs = events("out-since")
    if [e["indicator"] for e in evs] != ["NEEDLE-1#"]:
        raise AssertionError("--since kept %r" % [e["indicator"] for e in evs])
    if json.loads(read("out-since/summary.json"))["counts"].get("events_outside_since_until") != 1:
        raise AssertionError("filtered events not counted")
    run(["scan", "-q", "--until", "2026-07-01T00:00:00Z", "-p", "patterns", "-o", "out-until", "tz"], expect=1)
    if [e["indicator"] for e in events("out-until")] != ["NEEDLE-2#"]:
        raise AssertionError("--until")
    run(["scan", "-q", "--assume-year", "2024", "-p", "hit.rules", "-o", "out-year", "ts/syslog-rfc3164.log"], expect=1)
    evs = events("out-year")
    if not evs[0]["datetime"].startswith("2024-12-31") or not evs[-1]["datetime"].startswith("2025-01-01"):
        raise AssertionError("--assume-year: %s .. %s" % (evs[0]["datetime"], evs[-1]["datetime"]))
    run(["scan", "-q", "--since", "yesterday", "-p", "patterns", "-o", "out-bad-since", "tz"], expect=2)
    run(["scan", "-q", "--date-order", "ydm", "-p", "patterns", "-o", "out-bad-order", "tz"], expect=2)


# ---------------------------------------------------------------- CI mode

def junit_suite(path):
    import xml.etree.ElementTree as ET
    root = ET.parse(path).getroot()
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    if suite is None:
        raise AssertionError("no <testsuite> in %s" % path)
    cases = suite.findall("testcase")
    fails = [c for c in cases if c.find("failure") is not None]
    for c in cases:
        if not c.get("classname") or not c.get("name"):
            raise AssertionError("testcase without classname/name")
    if int(suite.get("tests")) != len(cases) or int(suite.get("failures")) != len(fails):
        raise AssertionError("suite counts disagree with its testcases")
    return cases, fails


@test
def patterns_check_junit():
    run(["patterns", "check", os.path.join(REPO, "patterns"), "--junit", "check.xml"], expect=0)
    cases, fails = junit_suite(os.path.join(WORK, "check.xml"))
    if fails or len(cases) < 160:  # one testcase per test line of every shipped rule
        raise AssertionError("%d cases, %d failures" % (len(cases), len(fails)))
    run(["patterns", "check", "--junit", "bad.xml", "badpatterns"], expect=1)
    cases, fails = junit_suite(os.path.join(WORK, "bad.xml"))
    msgs = [f.find("failure").get("message") for f in fails]
    if len(fails) != 1 or "badpatterns/bad.rules:11: rule 'sqli-union'" not in msgs[0]:
        raise AssertionError("failures: %r" % msgs)
    with open(os.path.join(WORK, "lint.rules"), "w") as f:
        f.write("[rule empty-ok]\nseverity = low\nregex = x*\ntest.match = x\ntest.nomatch = \n"
                "[rule untested]\nseverity = low\nregex = hello\n")
    _, out, _ = run(["patterns", "check", "lint.rules"], expect=1)
    if "rule 'empty-ok': lint: matches the empty string" not in out or "rule 'untested': lint: no test.match" not in out:
        raise AssertionError(out)


@test
def misp_and_stix_feeds_load():
    _, out, err = run(["patterns", "check", "feeds"], expect=0)
    if "0 rules, 13 indicators in 2 files" not in out:
        raise AssertionError(out)
    for want in ("misp-export.csv: 7 MISP attributes loaded, 2 skipped",
                 "stix-bundle.json: 6 STIX indicator values loaded, 2 skipped",
                 "indicator--5: pattern combines comparisons with something other than OR"):
        if want not in err:
            raise AssertionError("missing %r in %s" % (want, err))
    run(["scan", "-q", "-p", "feeds", "-o", "out-feeds", "case"], expect=1)
    got = sorted({(e["rule"], e["fields"].get("ioc_type")) for e in events("out-feeds")})
    want = [("misp-export:198.51.100.23", "ipv4"), ("misp-export:d2f1c0a0b9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2", "hash"),
            ("misp-export:evil-cdn.example", "domain"), ("misp-export:http://bad.example/payload.sh", "url"),
            ("stix-bundle:198.51.100.23", "ipv4"), ("stix-bundle:attacker@evil-mail.example", "email"),
            ("stix-bundle:d2f1c0a0b9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2", "hash"),
            ("stix-bundle:evil-cdn.example", "domain"), ("stix-bundle:http://bad.example/payload.sh", "url"),
            ("stix-bundle:update.evil-cdn.example", "domain")]
    if got != want:
        raise AssertionError("feed hits: %r" % got)


@test
def baseline_reports_only_new_sightings():
    run(["scan", "-q", "-p", "patterns", "-o", "out-base1", "case"], expect=1)
    with open(os.path.join(WORK, "today.ioc"), "w") as f:
        f.write("# severity: critical\nevil-mail.example\n")
    code, _, _ = run(["scan", "-q", "-p", "patterns", "-p", "today.ioc", "--baseline", "out-base1",
                      "--junit", "scan.xml", "-o", "out-base2", "case"], expect=1)
    evs = events("out-base2")
    new = [e for e in evs if e["new"]]
    if [(e["rule"], e["line"]) for e in new] != [("today:evil-mail.example", 10)]:
        raise AssertionError("new events: %r" % [(e["rule"], e["source"], e["line"]) for e in new])
    if len(evs) != len(events("out-base1")) + 1 or any("new" not in e for e in evs):
        raise AssertionError("old events must stay, marked new=false")
    nj = [json.loads(l) for l in read("out-base2/new_events.jsonl").decode().splitlines()]
    if [e["rule"] for e in nj] != ["today:evil-mail.example"]:
        raise AssertionError("new_events.jsonl: %r" % nj)
    if json.loads(read("out-base2/summary.json"))["counts"]["new_events"] != 1:
        raise AssertionError("summary new_events")
    cases, fails = junit_suite(os.path.join(WORK, "scan.xml"))
    if [c.get("name") for c in fails] != ["today:evil-mail.example"]:
        raise AssertionError("scan junit failures: %r" % [c.get("name") for c in fails])
    # unchanged evidence, unchanged indicators: nothing new, exit 0
    run(["scan", "-q", "-p", "patterns", "--baseline", "out-base1", "-o", "out-base3", "case"], expect=0)
    if read("out-base3/new_events.jsonl") != b"":
        raise AssertionError("new events without a change")
    # plain runs keep the exact Timesketch shape: no `new` key, no new_events.jsonl
    if "new" in events("out-base1")[0] or os.path.exists(os.path.join(WORK, "out-base1", "new_events.jsonl")):
        raise AssertionError("`new` leaked into a run without --baseline")
    run(["scan", "-q", "-p", "patterns", "--baseline", "no-such-report", "-o", "out-base4", "case"], expect=2)


@test
def known_binary_logs_named_not_just_skipped():
    os.makedirs(os.path.join(WORK, "binlogs"), exist_ok=True)
    with open(os.path.join(WORK, "binlogs", "Security.evtx"), "wb") as f:
        f.write(b"ElfFile\0" + bytes(range(256)) * 16)
    with open(os.path.join(WORK, "binlogs", "wtmp"), "wb") as f:
        # utmp records: type 7 (USER_PROCESS), pid, line, id, user, host, then mostly NULs
        rec = (b"\x07\x00\x00\x00" + (4242).to_bytes(4, "little") + b"pts/0".ljust(32, b"\0")
               + b"ts/0" + b"deploy".ljust(32, b"\0") + b"203.0.113.5".ljust(256, b"\0"))
        f.write(rec.ljust(384, b"\0") * 4)
    with open(os.path.join(WORK, "binlogs", "utmp-notes.txt"), "w") as f:
        f.write("2026-01-01T00:00:00Z NEEDLE-5# a text file whose name starts like utmp\n")
    run(["scan", "-q", "-p", "patterns", "-o", "out-binlogs", "binlogs"], expect=1)
    st = {e["source"].split("/")[-1]: e for e in json.loads(read("out-binlogs/manifest.json"))["evidence"]}
    if st["Security.evtx"]["status"] != "unsupported-format" or "windows-evtx" not in st["Security.evtx"]["message"]:
        raise AssertionError("evtx: %r" % st["Security.evtx"])
    if st["wtmp"]["status"] != "unsupported-format" or st["utmp-notes.txt"]["status"] != "ok":
        raise AssertionError("utmp by name: %r / %r" % (st["wtmp"]["status"], st["utmp-notes.txt"]["status"]))


@test
def unpack_ring_and_hasher_agree():
    """The worker hands text over in shared memory and hashes on a side thread; the reference
    path (TIMBERLINE_UNPACK_SIMPLE=1) uses the pipe and hashes in place. Members larger than
    the ring (so it wraps and the worker waits for room), a nested .gz and a zip: same events,
    same hashes and sizes, and the hashes are those of the bytes themselves."""
    import gzip, io, tarfile, zipfile
    d = os.path.join(WORK, "ring")
    os.makedirs(d, exist_ok=True)
    def text(n, tag):
        lines = []
        for i in range(n):
            ip = "198.51.100.23" if i % 4999 == 17 else "10.1.%d.%d" % (i % 256, (i * 7) % 256)
            lines.append("2026-02-03T04:%02d:%02d.%03dZ host %s %s request %d from %s\n"
                         % ((i // 60) % 60, i % 60, i % 1000, tag, "x" * (i % 37), i, ip))
        return "".join(lines).encode()
    big, mid, small = text(90000, "big"), text(40000, "mid"), text(300, "small")
    tbuf = io.BytesIO()
    with tarfile.open(fileobj=tbuf, mode="w:gz") as tf:
        for name, data in (("var/log/big.log", big), ("var/log/nested.log.gz", gzip.compress(mid, mtime=0)),
                           ("var/log/small.log", small)):
            ti = tarfile.TarInfo(name)
            ti.size, ti.mtime = len(data), 1700000000
            tf.addfile(ti, io.BytesIO(data))
    open(os.path.join(d, "case.tar.gz"), "wb").write(tbuf.getvalue())
    with zipfile.ZipFile(os.path.join(d, "logs.zip"), "w") as zf:
        zf.writestr(zipfile.ZipInfo("stored.log", (2026, 1, 1, 0, 0, 0)), big, zipfile.ZIP_STORED)
        zf.writestr(zipfile.ZipInfo("deflated.log", (2026, 1, 1, 0, 0, 0)), mid, zipfile.ZIP_DEFLATED)
    run(["scan", "-q", "-j2", "-p", "patterns", "-o", "out-ring", "ring"], expect=1)
    run(["scan", "-q", "-j2", "-p", "patterns", "-o", "out-ring-simple", "ring"], expect=1,
        env={"TIMBERLINE_UNPACK_SIMPLE": "1"})
    if read("out-ring/timeline.jsonl") != read("out-ring-simple/timeline.jsonl"):
        raise AssertionError("events differ between the ring and the pipe")
    facts = lambda o: {k: (e["status"], e.get("sha256"), e.get("content_sha256"), e.get("decoded_bytes"))
                       for k, e in walk_manifest(json.loads(read(o + "/manifest.json"))["evidence"]).items()}
    a, b = facts("out-ring"), facts("out-ring-simple")
    if a != b:
        raise AssertionError("manifest facts differ: %r" % [(k, a.get(k), b.get(k)) for k in a if a.get(k) != b.get(k)][:3])
    expect = {"big.log": big, "nested.log.gz": mid, "small.log": small, "stored.log": big, "deflated.log": mid}
    seen = 0
    for k, (st, sha, csha, size) in a.items():
        leaf = k.split("!")[-1].split("/")[-1]
        if leaf in expect:
            data = expect[leaf]
            # content_sha256 is left out where the content is the stored bytes themselves
            if st != "ok" or (csha or sha) != hashlib.sha256(data).hexdigest() or size != len(data):
                raise AssertionError("%s: %r, expected content sha256 %s and %d bytes"
                                     % (k, (st, csha, size), hashlib.sha256(data).hexdigest(), len(data)))
            seen += 1
    if seen != 5:
        raise AssertionError("found %d of 5 leaf members in the manifest: %r" % (seen, sorted(a)))
    top = {e["source"].split("/")[-1]: e for e in json.loads(read("out-ring/manifest.json"))["evidence"]}
    if top["case.tar.gz"]["sha256"] != hashlib.sha256(tbuf.getvalue()).hexdigest():
        raise AssertionError("raw hash of the tar.gz is wrong")
    n = sum(1 for e in events("out-ring") if e.get("indicator") == "198.51.100.23")
    if n != 2 * (19 + 8) + 1:
        raise AssertionError("expected %d sightings, got %d" % (2 * (19 + 8) + 1, n))


@test
def chart_lanes_are_the_first_sources_spilled_or_not():
    """The activity chart draws one lane per source up to 40, for the lowest-numbered sources
    with events, in one pass over the timeline: 75 sources, the lanes are f00..f39 and the
    rest is counted, and spilling the timeline (1 MiB, -j2) changes nothing."""
    d = os.path.join(WORK, "lanes")
    os.makedirs(d, exist_ok=True)
    import random
    rnd = random.Random(5)
    for k in range(75):
        with open(os.path.join(d, "f%02d.log" % k), "w") as f:
            for i in range(rnd.randint(5, 60)):
                t = rnd.randint(0, 86400 * 3)
                day, r = divmod(t, 86400)
                f.write("2026-01-%02dT%02d:%02d:%02dZ host sshd: Failed password for root from 203.0.113.%d port 22\n"
                        % (1 + day, r // 3600, (r // 60) % 60, r % 60, rnd.randint(1, 9)))
    with open(os.path.join(WORK, "lanes.ioc"), "w") as f:
        f.write("# severity: high\n" + "".join("203.0.113.%d\n" % i for i in range(1, 10)))
    run(["scan", "-q", "-j1", "-p", "lanes.ioc", "-o", "out-lanes1", "lanes"], expect=1)
    run(["scan", "-q", "-j2", "--memory", "1M", "-p", "lanes.ioc", "-o", "out-lanes2", "lanes"], expect=1)
    sect = lambda o: re.search(r'<section id="activity">.*?</section>', read(o + "/report.html").decode(), re.S).group(0)
    a, b = sect("out-lanes1"), sect("out-lanes2")
    if a != b:
        raise AssertionError("activity chart differs after spilling")
    drawn = sorted(set(re.findall(r"f(\d\d)\.log", a)))
    if drawn != ["%02d" % k for k in range(40)]:
        raise AssertionError("lanes drawn for %r, expected f00..f39" % drawn)
    if "35 more sources with events are not drawn" not in a:
        raise AssertionError("hidden sources not counted: %r" % a[-400:])


@test
def yearless_streams_wait_in_slices_and_agree():
    """Year-less logs (their year comes from the stream's end) wait as pending events, go to
    pending files under a tiny budget, and are committed a slice at a time after the stream
    ends, several streams queued at once; a stream that starts with full dates commits straight
    away until its first year-less stamp. Every layout must give the bytes of the all-in-memory
    -j1 run, with the December-to-January roll-over resolved from each file's mtime."""
    d = os.path.join(WORK, "yearless")
    os.makedirs(d, exist_ok=True)
    mons = ["Nov", "Dec", "Jan", "Feb"]
    for k in range(7):
        with open(os.path.join(d, "syslog.%d" % k), "w") as f:
            if k == 3:  # full dates first, then classic syslog
                for i in range(3000):
                    f.write("2025-11-%02dT10:%02d:%02dZ host%d app: HIT boot %d\n" % (1 + i % 28, (i // 60) % 60, i % 60, k, i))
            for i in range(6000 + 1500 * k):
                # (stream 3 stays in January and February: a roll-over after full dates is
                # counted only between chunks, a known limit noted in the README)
                m = mons[min(3, i * 4 // (6000 + 1500 * k))] if k != 3 else mons[2 + i * 2 // 10500]
                f.write("%s %2d %02d:%02d:%02d host%d sshd[%d]: HIT session %d of stream %d\n"
                        % (m, 1 + (i * 7) % 28, (i // 3600) % 24, (i // 60) % 60, i % 60, k, 100 + i, i, k))
        t = 1772000000 + 86400 * k  # late February / March 2026: the January lines are 2026
        os.utime(os.path.join(d, "syslog.%d" % k), (t, t))
    run(["scan", "-q", "-j1", "-p", "every-line.rules", "-o", "out-yl-mem", "yearless"], expect=1)
    for j, out in ((1, "out-yl-j1s"), (2, "out-yl-j2s"), (4, "out-yl-j4s")):
        run(["scan", "-q", "-j%d" % j, "--memory", "1M", "--chunk-size", "262144",
             "-p", "every-line.rules", "-o", out, "yearless"], expect=1)
        same_bytes("out-yl-mem", out)
    want = 3000 + sum(6000 + 1500 * k for k in range(7))
    got = json.loads(read("out-yl-j2s/summary.json"))["counts"]["events"]
    if got != want:
        raise AssertionError("events: %d, expected %d" % (got, want))
    years = collections.Counter()
    with open(os.path.join(WORK, "out-yl-j2s", "timeline.jsonl")) as f:
        for line in f:
            e = json.loads(line)
            years[(e["datetime"][:7], e["ts_quality"])] += 1
    for mon, yr in (("11", "2025"), ("12", "2025"), ("01", "2026"), ("02", "2026")):
        if not years[(yr + "-" + mon, "inferred-year")]:
            raise AssertionError("no %s-%s events with an inferred year: %r" % (yr, mon, sorted(years.items())))
    if years[("2025-11", "parsed")] != 3000:
        raise AssertionError("full-date lines: %r" % sorted(years.items()))


@test
def same_named_members_keep_archive_order():
    """Two members of one tar under the same name, one year-less and one with full dates, whose
    lines tie on time, line and offset: archive order settles it, whatever the thread count or
    chunk size (read order did not: the year-less member's events are committed in slices)."""
    import io
    import tarfile
    path = os.path.join(WORK, "twins.tar")
    with tarfile.open(path, "w") as tf:
        for k, fmt in enumerate(("Jan  5 %02d:%02d:%02d host HIT %05d\n", "2026-01-05T%02d:%02d:%02dZ HIT %05d\n")):
            data = "".join(fmt % (i // 3600 % 24, i // 60 % 60, i % 60, i) for i in range(6000)).encode()
            ti = tarfile.TarInfo("m.log")
            ti.size, ti.mtime = len(data), 1767571200
            tf.addfile(ti, io.BytesIO(data))
    base = ["scan", "-q", "--assume-year", "2026", "-p", "every-line.rules"]
    run(base + ["-j1", "-o", "out-twins-1", "twins.tar"], expect=1)
    for j, extra in ((2, []), (4, ["--chunk-size", "65536", "--memory", "1M"]), (1, ["--chunk-size", "65536"])):
        out = "out-twins-%d%s" % (j, "s" if extra else "")
        run(base + ["-j%d" % j] + extra + ["-o", out, "twins.tar"], expect=1)
        same_bytes("out-twins-1", out)
    first = [json.loads(l)["message"] for l in read("out-twins-1/timeline.jsonl").decode().splitlines()[:2]]
    if not (first[0].startswith("Jan") and first[1].startswith("2026")):
        raise AssertionError("tied events not in archive order: %r" % first)


FAIL_SHIM = r"""
/* e2e only: makes the Nth spill-run open (TL_FAIL=run:N) or the Nth flush of a pending-events
 * file (TL_FAIL=pend:N) fail with ENOSPC, as a full disk would. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
static int want(const char *kind)
{
    static int seen[2];
    const char *f = getenv("TL_FAIL");
    size_t k = strlen(kind);
    if (!f || strncmp(f, kind, k) != 0 || f[k] != ':') return 0;
    return ++seen[kind[0] == 'p'] == atoi(f + k + 1);
}
FILE *fopen(const char *p, const char *m)
{
    static FILE *(*real)(const char *, const char *);
    if (!real) real = (FILE * (*)(const char *, const char *)) dlsym(RTLD_NEXT, "fopen");
    if (strstr(p, "/run-") && m[0] == 'w' && want("run")) { errno = ENOSPC; return NULL; }
    return real(p, m);
}
int fflush(FILE *f)
{
    static int (*real)(FILE *);
    if (!real) real = (int (*)(FILE *))dlsym(RTLD_NEXT, "fflush");
    char link[64], target[512];
    ssize_t n;
    if (f && fileno(f) >= 0) {
        snprintf(link, sizeof link, "/proc/self/fd/%d", fileno(f));
        n = readlink(link, target, sizeof target - 1);
        if (n > 0) {
            target[n] = 0;
            if (strstr(target, "/pending.") && want("pend")) { errno = ENOSPC; return EOF; }
        }
    }
    return real(f);
}
"""


@test
def full_disk_while_spilling_loses_nothing():
    """A spill run that cannot be written, or a pending-events file that fills the disk, keeps
    those events in memory with a warning: the reports are the in-memory run's, byte for byte,
    at -j1 (runs written in line) and -j2 (runs written on the side thread)."""
    src = os.path.join(WORK, "failshim.c")
    with open(src, "w") as f:
        f.write(FAIL_SHIM)
    shim = os.path.join(WORK, "failshim.so")
    subprocess.run(["cc", "-shared", "-fPIC", "-O1", "-o", shim, src, "-ldl"], check=True)
    if not os.path.isdir(os.path.join(WORK, "yearless")):
        raise AssertionError("yearless missing: this test runs after the year-less test")
    run(["scan", "-q", "-j1", "-p", "every-line.rules", "-o", "out-full-mem", "yearless"], expect=1)
    # ASan must otherwise come first among the loaded libraries
    asan = os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"
    for fail, j, why in (("run:2", 1, "cannot spill the timeline"), ("run:2", 2, "cannot spill the timeline"),
                         ("pend:2", 1, "cannot spill pending events"), ("pend:3", 2, "cannot spill pending events")):
        out = "out-full-%s-j%d" % (fail.replace(":", ""), j)
        run(["scan", "-q", "-j%d" % j, "--memory", "1M", "-p", "every-line.rules", "-o", out, "yearless"],
            env={"LD_PRELOAD": shim, "TL_FAIL": fail, "ASAN_OPTIONS": asan}, expect=1)
        for fn in ("timeline.jsonl", "timeline.csv"):  # summary.json differs by the warning
            if read(os.path.join("out-full-mem", fn)) != read(os.path.join(out, fn)):
                raise AssertionError("%s -j%d: %s differs from the in-memory run" % (fail, j, fn))
        if json.loads(read(out + "/summary.json"))["counts"] != json.loads(read("out-full-mem/summary.json"))["counts"]:
            raise AssertionError("%s -j%d: counts differ" % (fail, j))
        warns = json.loads(read(out + "/summary.json"))["warnings"]
        if not any(why in w and "No space left" in w for w in warns):
            raise AssertionError("%s -j%d: no %r warning in %r" % (fail, j, why, warns))


@test
def flat_memory_spill_is_byte_identical():
    # a catch-all rule over 150,000 lines, with a 1 MiB event budget: many sorted runs on disk
    os.makedirs(os.path.join(WORK, "many"), exist_ok=True)
    for k in range(3):
        with open(os.path.join(WORK, "many", "app%d.log" % k), "w") as f:
            for i in range(50000):
                f.write("2026-01-0%dT%02d:%02d:%02d.%06dZ host%d svc: HIT request %d from 10.0.%d.%d\n"
                        % (1 + k, (i // 3600) % 24, (i // 60) % 60, i % 60, (i * 7919) % 1000000, k, i, i % 256, (i * 31) % 256))
    run(["scan", "-q", "-j1", "-p", "every-line.rules", "-o", "out-flat-mem", "many"], expect=1)
    run(["scan", "-q", "-j2", "--memory", "1M", "-p", "every-line.rules", "-o", "out-flat-spill", "many"], expect=1)
    same_bytes("out-flat-mem", "out-flat-spill")
    if json.loads(read("out-flat-spill/summary.json"))["counts"]["events"] != 150000:
        raise AssertionError("events lost")
    left = [n for n in os.listdir(os.path.join(WORK, "out-flat-spill")) if n.startswith(".")]
    if left:
        raise AssertionError("spill files left behind: %r" % left)
    run(["scan", "-q", "--memory", "12", "-p", "patterns", "-o", "out-flat-bad", "tz"], expect=2)
    # the HTML aggregates read the spilled runs too: the entity cards (named captures) must be
    # the same whether the events stayed in memory or went to disk
    with open(os.path.join(WORK, "host-capture.rules"), "w") as f:
        f.write("[rule host-svc]\nseverity = info\nregex = (?<host>host\\d) svc: HIT request \\d+ from (?<ip>[0-9.]+)\n"
                "test.match = 2026 host1 svc: HIT request 5 from 10.0.0.1\ntest.nomatch = x\n")
    with open(os.path.join(WORK, "many.ioc"), "w") as f:
        f.write("10.0.5.155\n")
    run(["scan", "-q", "-j1", "-p", "host-capture.rules", "-p", "many.ioc", "-o", "out-ent-mem", "many"], expect=1)
    run(["scan", "-q", "-j2", "--memory", "1M", "-p", "host-capture.rules", "-p", "many.ioc", "-o", "out-ent-spill", "many"], expect=1)
    sect = lambda d, name: re.search(r"<section id=\"%s\">.*?</section>" % name, read(d + "/report.html").decode(), re.S).group(0)
    a, b = sect("out-ent-mem", "entities"), sect("out-ent-spill", "entities")
    if a != b or ">150,000 events" not in a:
        raise AssertionError("entity cards differ after spilling or miss events: %r" % b[:600])
    # the charts' time range and the indicator sightings also cover the spilled runs
    for name in ("activity", "indicators"):
        a, b = sect("out-ent-mem", name), sect("out-ent-spill", name)
        if a != b:
            raise AssertionError("report.html section %s differs after spilling" % name)
    if "2026-01-01 00:00:00" not in sect("out-ent-spill", "activity") or "2026-01-03 13:53:19" not in sect("out-ent-spill", "activity"):
        raise AssertionError("activity range does not span every event: %r" % sect("out-ent-spill", "activity")[:400])
    if sect("out-ent-spill", "indicators").count("(196)") != 3:
        raise AssertionError("indicator sightings per file wrong: %r" % sect("out-ent-spill", "indicators")[-800:])


def main():
    if not os.path.exists(BIN):
        print("no binary at %s" % BIN)
        return 2
    setup()
    passed = failed = 0
    only = os.environ.get("E2E_ONLY")  # a name substring, to run a few tests while working on them
    for fn in results:
        if only and only not in fn.__name__:
            continue
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
