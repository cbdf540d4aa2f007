#!/usr/bin/env python3
"""Writes the hostile-content fixture for the report.html browser test into OUTDIR (under
build/, never committed): evidence lines carrying markup, event handlers, javascript: URLs, an
RTL override and NUL bytes, a file whose *name* is markup, and the rule/IOC files that match
them. Prints the number of events the scan must produce."""
import os
import sys

out = sys.argv[1] if len(sys.argv) > 1 else "build/html-hostile"
ev = os.path.join(out, "evidence")
os.makedirs(ev, exist_ok=True)

PAYLOADS = [
    b"<script>alert(1)</script>",
    b"\"><img src=x onerror=alert(1)>",
    b"'><svg onload=alert(1)>",
    b"<a href=\"javascript:alert(1)\">click</a>",
    b"javascript:alert(document.cookie)",
    b"</script><script>alert(2)</script>",
    b"<!-- comment --><iframe src=//evil.example/x></iframe>",
    b"\xe2\x80\xaegpj.exe bidi override U+202E",
    b"nul\x00byte\x00in\x00line",
    b"line\xe2\x80\xa8separator and \xe2\x80\xa9paragraph",
    b"invalid utf8 \xff\xfe here",
    b"<style>body{display:none}</style>",
    b"<base href=https://evil.example/>",
    b"&lt;already&gt; entity &amp; amp",
    b"{{constructor.constructor('alert(3)')()}}",
]

lines = []
for i, p in enumerate(PAYLOADS):
    ts = b"2026-01-03T12:%02d:%02dZ" % (i // 60, i % 60)
    lines.append(ts + b" web1 app: HOSTILE user=\"><img/src=x/onerror=alert(" + str(i).encode()
                 + b")> payload=" + p)
# the C2 indicator inside markup, for the IOC section
lines.append(b"2026-01-03T12:30:00Z web1 app: fetch <img src=\"http://c2.evil.example/p\">")

with open(os.path.join(ev, "app.log"), "wb") as f:
    f.write(b"\n".join(lines) + b"\n")
# a file name that is itself markup
with open(os.path.join(ev, "<img src=x onerror=alert(9)>.log"), "wb") as f:
    f.write(b"2026-01-03T13:00:00Z web1 app: HOSTILE user=name payload=<b>file name test</b>\n")

with open(os.path.join(out, "hostile.rules"), "wb") as f:
    f.write(b"[rule hostile-payload]\n")
    f.write(b"severity = high\n")
    f.write(b"description = Hostile payload <script>alert('desc')</script>\n")
    f.write(b"tags = <img src=x onerror=alert(5)>, xss\n")
    f.write(b"regex = HOSTILE user=(?<user>\\S+) payload=(?<payload>.+)\n")
with open(os.path.join(out, "hostile.ioc"), "wb") as f:
    f.write(b"# severity: critical\n# description: C2 <script>alert(6)</script>\n")
    f.write(b"c2.evil.example\n")

# events: one per HOSTILE line in app.log, one in the markup-named file, one IOC hit (the
# iframe payload names evil.example, which c2.evil.example does not cover)
print(len(PAYLOADS) + 1 + 1)
