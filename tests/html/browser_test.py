#!/usr/bin/env python3
"""report.html in a real browser: renders the demo report and a hostile-content report in
headless Chromium (--dump-dom after the page script ran, plus a --screenshot PNG under build/)
and checks the rendered DOM: table row counts, no injected element, the render time, and no
network resource URL. With --big, also scans 1,000,000 matching lines and checks the page
stays under 50 MB and renders in under 5 s. Prints `N passed, N failed`."""
import html.parser
import json
import os
import re
import subprocess
import sys
import tempfile
import time

BIN = sys.argv[1] if len(sys.argv) > 1 else "build/timberline"
BIG = "--big" in sys.argv[2:]
PAGE = 500  # rows per page in the timeline table (the JS PAGE constant)
MAX_EMBEDDED = 50000
results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + detail), flush=True)


def chromium(url, *extra):
    with tempfile.TemporaryDirectory() as prof:
        cmd = ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--no-first-run", "--user-data-dir=" + prof, "--virtual-time-budget=10000",
               *extra, url]
        t = time.monotonic()
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=300)
        return p.stdout.decode("utf-8", "replace"), time.monotonic() - t


class Dom(html.parser.HTMLParser):
    """Collects what the checks need from a DOM dump."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = {}
        self.handlers = []  # (tag, attr) for on* attributes
        self.urls = []      # (tag, attr, value) for src/href/action/...
        self.body = {}
        self.stack = []
        self.rows = {}      # tbody id -> row count
        self.status = {}
        self.cur_tbody = None

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        a = dict(attrs)
        for k, v in attrs:
            if k.startswith("on"):
                self.handlers.append((tag, k))
            if k in ("src", "href", "action", "formaction", "data", "poster", "xlink:href"):
                self.urls.append((tag, k, v or ""))
            if k == "style":
                self.handlers.append((tag, k))
        if tag == "body":
            self.body = a
        if tag == "tbody":
            self.cur_tbody = a.get("id")
            self.rows.setdefault(self.cur_tbody, 0)
        if tag == "tr" and self.cur_tbody is not None:
            self.rows[self.cur_tbody] += 1
        if a.get("id") == "tl-status":
            self.status = a

    def handle_endtag(self, tag):
        if tag == "tbody":
            self.cur_tbody = None


def remote(v):
    v = v.strip().lower()
    return v.startswith("http:") or v.startswith("https:") or v.startswith("//") or \
        v.startswith("javascript:") or v.startswith("ftp:")


def check_report(label, path, expect_events, max_ms=None, screenshot=None):
    url = "file://" + os.path.abspath(path)
    raw = open(path, "rb").read().decode("utf-8", "replace")
    dom_text, secs = chromium(url, "--dump-dom")
    d = Dom()
    d.feed(dom_text)
    ms = d.body.get("data-render-ms")
    check(label + ": script ran (data-render-ms on <body>)", ms is not None and ms.isdigit(),
          "body attrs %r" % d.body)
    ms = int(ms) if ms and ms.isdigit() else None
    embedded = min(expect_events, MAX_EMBEDDED)
    matching = d.status.get("data-matching")
    check(label + ": timeline filter matched every embedded event",
          matching == str(embedded), "data-matching=%r, want %d" % (matching, embedded))
    rows = d.rows.get("tl-rows", -1)
    check(label + ": timeline table holds %d rows" % min(PAGE, embedded),
          rows == min(PAGE, embedded), "got %d" % rows)
    check(label + ": rules table rendered", d.rows.get(None, 0) >= 0 and d.tags.get("table", 0) >= 3,
          "tables=%d" % d.tags.get("table", 0))
    check(label + ": no <img>, <iframe>, <object>, <embed>, <base>, <a href=javascript>",
          not any(d.tags.get(t) for t in ("img", "iframe", "object", "embed", "base", "frame")),
          repr({t: d.tags.get(t) for t in ("img", "iframe", "object", "embed", "base")}))
    check(label + ": exactly 2 <script> elements (data + hashed code)",
          d.tags.get("script") == 2, "got %r" % d.tags.get("script"))
    check(label + ": exactly 1 <style> element", d.tags.get("style") == 1,
          "got %r" % d.tags.get("style"))
    check(label + ": no on* handler or style= attribute in the DOM", not d.handlers,
          repr(d.handlers[:5]))
    bad = [u for u in d.urls if remote(u[2])]
    # the raw file as well, inside real tags only: evidence text mentioning URLs is fine as
    # text (its `<` is always written &lt;, so it never forms a tag)
    raw_bad = [m for tag in re.findall(r"<[a-zA-Z][^>]*>", raw)
               for m in re.findall(r'\s(?:src|href|action|xlink:href)\s*=\s*["\']?\s*(?:https?:|//)',
                                   tag, re.I)]
    check(label + ": no network resource URL in src/href", not bad and not raw_bad,
          repr(bad[:5] or raw_bad[:5]))
    check(label + ": CSP meta present", "Content-Security-Policy" in raw and
          "default-src 'none'" in raw)
    if max_ms is not None:
        check(label + ": rendered in < %d ms (data-render-ms=%s, chromium wall %.1f s)"
              % (max_ms, ms, secs), ms is not None and ms < max_ms, "render %s ms" % ms)
    if screenshot:
        with tempfile.TemporaryDirectory():
            chromium(url, "--window-size=1280,2200", "--screenshot=" + os.path.abspath(screenshot))
        check(label + ": screenshot " + screenshot, os.path.exists(screenshot) and
              os.path.getsize(screenshot) > 10000)
    return d, ms, secs


def scan(args):
    p = subprocess.run([BIN, "scan", "-q", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stderr.decode("utf-8", "replace")


def summary_events(outdir):
    with open(os.path.join(outdir, "summary.json")) as f:
        return json.load(f)["counts"]["events"]


def main():
    os.makedirs("build", exist_ok=True)
    # 1. the demo report (what `make demo` writes)
    p = subprocess.run(["sh", "scripts/demo.sh", BIN], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    check("demo: scan wrote build/demo-report/report.html",
          p.returncode in (0, 1) and os.path.exists("build/demo-report/report.html"),
          p.stderr.decode()[-500:])
    if os.path.exists("build/demo-report/report.html"):
        n = summary_events("build/demo-report")
        check_report("demo", "build/demo-report/report.html", n, max_ms=5000,
                     screenshot="build/html-demo.png")

    # 2. the hostile-content report
    base = "build/html-hostile"
    subprocess.run(["rm", "-rf", base])
    gen = subprocess.run([sys.executable, "tests/html/make_hostile.py", base],
                         stdout=subprocess.PIPE, check=True)
    want = int(gen.stdout.decode().strip())
    rc, err = scan(["-p", base + "/hostile.rules", "-p", base + "/hostile.ioc",
                    "--case", "<script>alert('case')</script>", "--analyst", "\"><img src=x>",
                    "-o", base + "/report", base + "/evidence"])
    check("hostile: scan exit 1 (hits)", rc == 1, "exit %d: %s" % (rc, err[-500:]))
    if os.path.exists(base + "/report/report.html"):
        got = summary_events(base + "/report")
        check("hostile: %d events" % want, got == want, "got %d" % got)
        d, _, _ = check_report("hostile", base + "/report/report.html", got,
                               screenshot="build/html-hostile.png")
        raw = open(base + "/report/report.html", "rb").read()
        check("hostile: no raw NUL or U+202E byte in the page",
              b"\x00" not in raw and b"\xe2\x80\xae" not in raw)
        check("hostile: payload text shown escaped", b"&lt;script&gt;alert(&#39;case&#39;)" in raw)

    # 3. optional: 1,000,000 events
    if BIG:
        big = "build/html-big"
        subprocess.run(["rm", "-rf", big])
        os.makedirs(big + "/evidence")
        with open(big + "/big.rules", "w") as f:
            f.write("[rule big-failed-password]\nseverity = medium\n"
                    "regex = Failed password for (?<user>\\S+) from (?<src_ip>[0-9.]+)\n")
        with open(big + "/evidence/auth.log", "w") as f:
            for i in range(1000000):
                f.write("2026-01-%02dT%02d:%02d:%02dZ web1 sshd[%d]: Failed password for user%d "
                        "from 203.0.%d.%d port %d ssh2\n" % (
                            1 + i // 86400 % 28, i // 3600 % 24, i // 60 % 60, i % 60,
                            1000 + i % 5000, i % 997, i % 250, i % 199, 1024 + i % 60000))
        t = time.monotonic()
        rc, err = scan(["-p", big + "/big.rules", "-o", big + "/report", big + "/evidence"])
        scan_s = time.monotonic() - t
        check("big: scan of 1,000,000 lines exit 1 (%.1f s)" % scan_s, rc == 1, err[-300:])
        page = big + "/report/report.html"
        if os.path.exists(page):
            n = summary_events(big + "/report")
            size = os.path.getsize(page)
            check("big: %d events" % n, n == 1000000)
            check("big: report.html %.1f MB < 50 MB" % (size / 1e6), size < 50 * 1000 * 1000)
            check_report("big", page, n, max_ms=5000)

    passed = sum(1 for r in results if r)
    failed = len(results) - passed
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
