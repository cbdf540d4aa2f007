#!/usr/bin/env python3
"""Writes the small end-to-end fixtures under fixtures/e2e/ (committed; rebuild with
`make fixtures`). Deterministic: gzip headers carry no name or time. Files whose size would
bloat the repository (multi-MiB lines) are generated at test time by tests/e2e/run.py."""
import gzip
import io
import os

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "e2e")


def write(rel, data):
    path = os.path.join(ROOT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def gz(data):
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0) as g:
        g.write(data)
    return buf.getvalue()


def main():
    # Pattern set used by the e2e cases.
    write("patterns/test.rules", b"""# e2e rules: one per behaviour the tests look at
[rule ssh-failed-password]
severity    = medium
description = Failed SSH password
tags        = attack.t1110, credential-access
regex       = Failed password for (?:invalid user )?(?<user>\\S+) from (?<src_ip>[0-9a-fA-F:.]+)
test.match   = Jan  3 12:00:01 web1 sshd[811]: Failed password for root from 203.0.113.5 port 4242 ssh2
test.nomatch = Jan  3 12:00:02 web1 sshd[811]: Accepted password for root from 203.0.113.5 port 4242 ssh2

[rule ssh-accepted]
severity    = high
description = Successful SSH login
tags        = attack.t1078
regex       = Accepted (?<method>password|publickey) for (?<user>\\S+) from (?<src_ip>[0-9a-fA-F:.]+)
test.match   = Jan  3 12:10:00 web1 sshd[900]: Accepted password for deploy from 203.0.113.5 port 5555 ssh2
test.nomatch = Jan  3 12:10:00 web1 sshd[900]: Failed password for deploy from 203.0.113.5 port 5555 ssh2

[rule marker-needle]
severity    = low
description = Test marker used inside long lines and UTF-16 text
regex       = NEEDLE-(?<n>[0-9]+)#
test.match   = xx NEEDLE-42# yy
test.nomatch = xx NEEDLE-# yy

[rule anchored-end]
severity    = info
description = Line ending in a keyword (anchors must work per line, also with CRLF)
regex       = session closed$
test.match   = Jan  3 12:00:00 web1 sshd[1]: session closed
test.nomatch = Jan  3 12:00:00 web1 sshd[1]: session closed for user
""")
    write("patterns/iocs.ioc", b"""# e2e indicators (some defanged, as feeds publish them)
# severity: high
198.51.100.23
evil-cdn[.]example
hxxp://bad[.]example/payload.sh
d2f1c0a0b9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2
Attacker@Evil-Mail.example
198.51.100.23
""")
    write("badpatterns/bad.rules", b"""# one good rule, then a broken one
[rule good-one]
severity = low
regex = hello
test.match = hello world
test.nomatch = goodbye

[rule sqli-union]
severity = high
description = broken on purpose
regex = union\\s+(select
test.match = union select
test.nomatch = union all
""")

    # Indicator feeds as MISP and STIX export them (issue 5): 7 literal MISP attributes in 6
    # rows plus 2 rows of types we do not hunt; 5 STIX indicators expanding to 6 literals, plus
    # 2 patterns that cannot be literals.
    write("feeds/misp-export.csv", b'''uuid,event_id,category,type,value,comment,to_ids,date
5f1c0001,42,Network activity,ip-dst,198.51.100.23,C2 server,1,1767441600
5f1c0002,42,Network activity,domain,evil-cdn.example,"dropper host, seen in curl",1,1767441600
5f1c0003,42,Network activity,domain|ip,stage2.evil-cdn.example|203.0.113.77,,1,1767441600
5f1c0004,42,Payload delivery,filename|sha256,x.sh|D2F1C0A0B9E8D7C6B5A4F3E2D1C0B9A8F7E6D5C4B3A2F1E0D9C8B7A6F5E4D3C2,,1,1767441600
5f1c0005,42,Payload delivery,md5,0123456789abcdef0123456789abcdef,,1,1767441600
5f1c0006,42,Network activity,url,hxxp://bad[.]example/payload.sh,"multi
line comment",1,1767441600
5f1c0007,42,Other,text,just a note,,0,1767441600
5f1c0008,42,Financial fraud,btc,1BoatSLRHtKNngkdXEeobR76b53LETtpyT,,1,1767441600
''')
    write("feeds/stix-bundle.json", b'''{"type":"bundle","id":"bundle--1","objects":[
 {"type":"identity","id":"identity--1","name":"CERT"},
 {"type":"indicator","id":"indicator--1","name":"C2 IP","pattern_type":"stix","pattern":"[ipv4-addr:value = '198.51.100.23']"},
 {"type":"indicator","id":"indicator--2","name":"Dropper domains","pattern_type":"stix","pattern":"[domain-name:value = 'evil-cdn.example' OR domain-name:value = 'update.evil-cdn.example']"},
 {"type":"indicator","id":"indicator--3","name":"Payload","pattern_type":"stix","pattern":"[file:hashes.'SHA-256' = 'd2f1c0a0b9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2']"},
 {"type":"indicator","id":"indicator--4","name":"Mail","pattern_type":"stix","pattern":"[email-addr:value = 'attacker@evil-mail.example'] OR [url:value = 'http://bad.example/payload.sh']"},
 {"type":"indicator","id":"indicator--5","name":"Combined","pattern_type":"stix","pattern":"[ipv4-addr:value = '203.0.113.5' AND network-traffic:dst_port = 22]"},
 {"type":"indicator","id":"indicator--6","name":"Sigma","pattern_type":"sigma","pattern":"title: x"}
]}
''')

    # Evidence for the golden run: a small web server's logs.
    auth = []
    auth.append(b"Dec 31 23:58:00 web1 sshd[700]: Failed password for root from 203.0.113.5 port 4000 ssh2")
    auth.append(b"Dec 31 23:59:59 web1 sshd[700]: Failed password for invalid user admin from 203.0.113.5 port 4001 ssh2")
    auth.append(b"Jan  1 00:00:05 web1 sshd[701]: Accepted password for deploy from 203.0.113.5 port 4002 ssh2")
    auth.append(b"Jan  1 00:00:06 web1 sshd[701]: pam_unix(sshd:session): session closed")
    auth.append(b"    continuation line mentioning 198.51.100.23:443 without its own time")
    auth.append(b"Jan  1 00:01:00 web1 app[3]: peer 198.51.100.230 is fine, so is 10.198.51.100.23.7 and x198.51.100.23")
    auth.append(b"Jan  1 00:02:00 web1 app[3]: fetched from update.evil-cdn.example and not from notevil-cdn.example or evil-cdn.example.org")
    auth.append(b"Jan  1 00:03:00 web1 app[3]: bytes \xff\xfe\x01 invalid utf-8 and a tab\there near 198.51.100.23")
    auth.append(b"=HYPERLINK(\"http://x\") 198.51.100.23 formula-looking line")
    auth.append(b"Jan  1 00:04:00 web1 app[3]: mail from attacker@evil-mail.EXAMPLE, hash D2F1C0A0B9E8D7C6B5A4F3E2D1C0B9A8F7E6D5C4B3A2F1E0D9C8B7A6F5E4D3C2")
    auth.append(b"Jan  1 00:05:00 web1 app[3]: GET http://bad.example/payload.sh via curl")
    # CRLF line endings: anchors and messages must not see the \r
    write("case/var/log/auth.log", b"\r\n".join(auth) + b"\r\n")

    app = [
        b'{"@timestamp":"2026-01-01T00:10:00.123456789Z","msg":"connect 198.51.100.23"}',
        b'{"level":"info","time":1767226260.5,"msg":"NEEDLE-7# seen"}',
        b'{"timestamp_desc":"x","msg":"no time here NEEDLE-8#"}',
    ]
    write("case/app/events.jsonl", b"\n".join(app) + b"\n")

    # Rotated log, two gzip members (as logrotate + append produce).
    part1 = b"2026-01-01 01:00:00 web1 proxy: tunnel to 198.51.100.23 opened\n"
    part2 = b"2026-01-01T01:00:01+01:00 web1 proxy: NEEDLE-9# in second member\n"
    write("case/var/log/proxy.log.1.gz", gz(part1) + gz(part2))

    # UTF-16LE with BOM, as Windows exports are.
    text = "2026-01-01T02:00:00Z first line\r\n2026-01-01T02:00:01Z NEEDLE-16# from ünïcode host\r\n"
    write("case/win/export-utf16.log", b"\xff\xfe" + text.encode("utf-16-le"))
    textbe = "2026-01-01T02:00:02Z big endian NEEDLE-17#\n"
    write("case/win/export-utf16be.log", b"\xfe\xff" + textbe.encode("utf-16-be"))

    write("case/empty.log", b"")
    # No time anywhere: events keep null datetime/timestamp and sort last.
    write("case/notime.txt", b"free text with NEEDLE-99# and no clock at all\n")

    # Access log with a few NUL bytes from a logged binary request: still text.
    acc = (b'203.0.113.5 - - [01/Jan/2026:00:20:00 +0000] "GET /x HTTP/1.1" 200 12 "-" "curl"\n' * 20
           + b'203.0.113.5 - - [01/Jan/2026:00:20:01 +0000] "\x00\x00\x16\x03\x01" 400 0 "-" "-" NEEDLE-21#\n')
    write("case/var/log/nginx/access.log", acc)

    # Binary: an ELF-like blob with an indicator inside that must not be reported.
    blob = bytes((i * 7) % 256 for i in range(4096)).replace(b"\n", b"\x00") + b"198.51.100.23"
    write("case/bin/tool.bin", blob)

    # Truncated gzip: a complete-looking member cut in half.
    full = gz(b"".join(b"2026-01-01T03:00:%02dZ row %d NEEDLE-3%d#\n" % (i, i, i) for i in range(40)))
    write("case/var/log/old.log.gz", full[: len(full) // 2])

    # A gzip that is corrupt (bad deflate data after a valid header).
    import hashlib
    rows = b"".join(b"2026-01-01T04:00:%02dZ row %s NEEDLE-44#\n" % (i, hashlib.sha256(b"%d" % i).hexdigest().encode())
                    for i in range(50))
    bad = bytearray(gz(rows))
    for i in range(len(bad) * 3 // 4, len(bad) * 3 // 4 + 16):
        bad[i] ^= 0x5A
    write("case/var/log/broken.log.gz", bytes(bad))

    # Zone-less ISO stamps: --tz decides what they mean.
    write("tz/local.log", b"2026-07-01 12:00:00 server NEEDLE-1#\n2026-03-08 02:30:00 in the gap NEEDLE-2#\n")

    # Binary only, for the 'nothing could be scanned' exit.
    write("onlybinary/blob.bin", bytes(range(256)) * 64)

    print("fixtures written under", os.path.normpath(ROOT))


if __name__ == "__main__":
    main()
