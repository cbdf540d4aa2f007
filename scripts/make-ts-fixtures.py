#!/usr/bin/env python3
"""Writes fixtures/timestamps/: one small log per timestamp format family Timberline reads,
120 lines each, every line a hit for the rule `HIT`, plus expected.json with the UTC datetime
every line must get (computed here with Python's datetime/zoneinfo, independently of the C
parser) and the file mtimes year inference needs. Rebuild with `make fixtures`."""
import datetime as dt
import json
import os
import shutil
from zoneinfo import ZoneInfo

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "timestamps")
UTC = dt.timezone.utc
N = 120
STEP = dt.timedelta(minutes=7, seconds=13, microseconds=123456)
MON = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
DOW = "Mon Tue Wed Thu Fri Sat Sun".split()


def iso_out(t):
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def trunc(t, digits):
    """Keep `digits` fraction digits (the log writes no more)."""
    us = t.microsecond - t.microsecond % (10 ** (6 - digits)) if digits < 6 else t.microsecond
    return t.replace(microsecond=us)


def frac(t, digits):
    return ("%06d" % t.microsecond)[:digits]


def series(start, n=N, step=STEP):
    return [start + i * step for i in range(n)]


FIX = {}  # name -> (lines, expected datetimes, mtime or None)


def add(name, times, fmt, digits=0, mtime=None, header=(), expected=None):
    lines, exp = list(header), [None] * len(header)
    for i, t in enumerate(times):
        t = trunc(t, digits)
        lines.append(fmt(t, i))
        exp.append(iso_out(t) if expected is None else expected(t))
    FIX[name] = (lines, exp, mtime)


def main():
    shutil.rmtree(ROOT, ignore_errors=True)
    os.makedirs(ROOT)
    base = dt.datetime(2026, 1, 3, 9, 0, 0, 250000, tzinfo=UTC)

    # RFC 3164, year-less, crossing New Year inside the file; the mtime decides the year.
    yl = series(dt.datetime(2025, 12, 31, 20, 0, 1, tzinfo=UTC))
    add("syslog-rfc3164.log", yl,
        lambda t, i: "%s %2d %s web1 sshd[%d]: HIT Failed password" % (MON[t.month - 1], t.day, t.strftime("%H:%M:%S"), 800 + i),
        mtime=yl[-1] + dt.timedelta(hours=2))
    add("rsyslog-hp.log", series(base),
        lambda t, i: "%s.%s+01:00 web1 sshd[1]: HIT" % (t.astimezone(dt.timezone(dt.timedelta(hours=1))).strftime("%Y-%m-%dT%H:%M:%S"), frac(t, 6)), digits=6)
    add("rfc5424.log", series(base),
        lambda t, i: "<34>1 %s.%sZ web1 app 1 ID47 - HIT" % (t.strftime("%Y-%m-%dT%H:%M:%S"), frac(t, 3)), digits=3)
    kat = dt.timezone(dt.timedelta(hours=5, minutes=45))
    add("iso-offsets.log", series(base),
        lambda t, i: "%s %s HIT" % ((t.astimezone(kat).strftime("%Y-%m-%dT%H:%M:%S") + "," + frac(t, 6) + "+05:45") if i % 3 == 0 else
                                    (t.astimezone(dt.timezone(-dt.timedelta(hours=3, minutes=30))).strftime("%Y-%m-%d %H:%M:%S") + "-0330") if i % 3 == 1 else
                                    (t.strftime("%Y-%m-%dT%H:%M:%S") + "Z"), "x"), digits=6)
    # iso-offsets: lines 1/2 mod 3 carry no fraction: their expectations drop it
    lines, exp, m = FIX["iso-offsets.log"]
    FIX["iso-offsets.log"] = (lines, [iso_out(trunc(t, 6)) if i % 3 == 0 else iso_out(trunc(t, 0))
                                      for i, t in enumerate(series(base))], m)
    add("apache-access.log", series(base),
        lambda t, i: '203.0.113.%d - - [%s -0700] "GET /HIT HTTP/1.1" 200 512 "-" "curl/8.0"' % (
            i % 250, t.astimezone(dt.timezone(-dt.timedelta(hours=7))).strftime("%d/%b/%Y:%H:%M:%S")))
    add("nginx-error.log", series(base),
        lambda t, i: "%s [error] 1234#1234: *%d HIT upstream timed out" % (t.strftime("%Y/%m/%d %H:%M:%S"), i))
    add("log4j.log", series(base),
        lambda t, i: "%s,%s INFO  [main] com.example.App - HIT %d" % (t.strftime("%Y-%m-%d %H:%M:%S"), frac(t, 3), i), digits=3)
    add("python-logging.log", series(base),
        lambda t, i: "%s,%s - app.worker - WARNING - HIT %d" % (t.strftime("%Y-%m-%d %H:%M:%S"), frac(t, 3), i), digits=3)
    add("go-log.log", series(base),
        lambda t, i: "%s.%s main.go:42: HIT %d" % (t.strftime("%Y/%m/%d %H:%M:%S"), frac(t, 6), i), digits=6)
    add("linux-audit.log", series(base),
        lambda t, i: "type=USER_LOGIN msg=audit(%d.%s:%d): pid=1 uid=0 HIT res=failed" % (int(t.timestamp()), frac(t, 3), 4000 + i), digits=3)

    def epoch_line(t, i):
        secs = int(t.timestamp())
        unit = i % 4
        v = [str(secs), "%d%s" % (secs, frac(t, 3)), "%d%s" % (secs, frac(t, 6)), "%d%s000" % (secs, frac(t, 6))][unit]
        return '{"ts":%s,"level":"info","msg":"HIT %d"}' % (v, i)
    add("json-epoch.jsonl", series(base), epoch_line, digits=6)
    lines, exp, m = FIX["json-epoch.jsonl"]
    FIX["json-epoch.jsonl"] = (lines, [iso_out(trunc(t, [0, 3, 6, 6][i % 4])) for i, t in enumerate(series(base))], m)
    keys = ["@timestamp", "timestamp", "time", "date", "eventTime", "EventTime", "TimeCreated"]
    add("json-keys.jsonl", series(base),
        lambda t, i: '{"%s":"%s.%sZ","msg":"HIT %d"}' % (keys[i % len(keys)], t.strftime("%Y-%m-%dT%H:%M:%S"), frac(t, 3), i), digits=3)
    # IIS / W3C extended: header, then date and time fields in UTC
    add("iis-w3c.log", series(base, 250),  # 2 header lines stay under 1% of the file
        lambda t, i: "%s %s 10.0.0.5 GET /HIT/%d - 443 - 203.0.113.9 Mozilla/5.0 - 200 0 0 15" % (t.strftime("%Y-%m-%d"), t.strftime("%H:%M:%S"), i),
        header=["#Software: Microsoft Internet Information Services 10.0",
                "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken"])
    add("windows-cbs.log", series(base),
        lambda t, i: "%s, Info                  CBS    HIT Session: %d_0 initialized" % (t.strftime("%Y-%m-%d %H:%M:%S"), 30000000 + i))

    def ampm(t):
        h = t.hour % 12 or 12
        return "%d/%d/%d %d:%s %s" % (t.month, t.day, t.year, h, t.strftime("%M:%S"), "AM" if t.hour < 12 else "PM")
    add("windows-evt-export.csv", series(base),
        lambda t, i: "Information,%s,Microsoft-Windows-Security-Auditing,4625,Logon,HIT An account failed to log on" % ampm(t))
    # year-less logcat; the mtime decides the year
    lc = series(dt.datetime(2026, 3, 17, 16, 13, 38, 811000, tzinfo=UTC))
    add("android-logcat.log", lc,
        lambda t, i: "%s.%s  1702  2395 D WindowManager: HIT %d" % (t.strftime("%m-%d %H:%M:%S"), frac(t, 3), i), digits=3,
        mtime=lc[-1] + dt.timedelta(minutes=5))
    add("hdfs-yymmdd.log", series(dt.datetime(2008, 11, 9, 20, 36, 15, tzinfo=UTC)),
        lambda t, i: "%s %d INFO dfs.DataNode$PacketResponder: HIT block blk_%d" % (t.strftime("%y%m%d %H%M%S"), 100 + i, i))
    add("spark-yy.log", series(dt.datetime(2017, 6, 9, 20, 10, 40, tzinfo=UTC)),
        lambda t, i: "%s INFO executor.CoarseGrainedExecutorBackend: HIT task %d" % (t.strftime("%y/%m/%d %H:%M:%S"), i))
    add("bgl-db2.log", series(dt.datetime(2005, 6, 3, 15, 42, 50, 675872, tzinfo=UTC)),
        lambda t, i: "- %d %s R02-M1-N0-C:J12-U11 %s.%s R02-M1-N0-C:J12-U11 RAS KERNEL INFO HIT %d" % (
            int(t.timestamp()), t.strftime("%Y.%m.%d"), t.strftime("%Y-%m-%d-%H.%M.%S"), frac(t, 6), i), digits=6)
    add("healthapp-compact.log", series(dt.datetime(2017, 12, 23, 22, 15, 29, 606000, tzinfo=UTC)),
        lambda t, i: "%s:%s|Step_LSC|30002312|HIT %d" % (t.strftime("%Y%m%d-%H:%M:%S"), frac(t, 3), i), digits=3)
    px = series(dt.datetime(2026, 10, 30, 16, 49, 6, tzinfo=UTC))
    add("proxifier-mmdd.log", px,
        lambda t, i: "[%s] chrome.exe - HIT proxy.example:5070 open through proxy" % t.strftime("%m.%d %H:%M:%S"),
        mtime=px[-1] + dt.timedelta(hours=1))
    add("apache-error-ctime.log", series(dt.datetime(2005, 12, 4, 4, 47, 44, tzinfo=UTC)),
        lambda t, i: "[%s %s %02d %s %d] [notice] HIT workerEnv.init() ok" % (DOW[t.weekday()], MON[t.month - 1], t.day, t.strftime("%H:%M:%S"), t.year))
    add("mon-day-year.log", series(dt.datetime(2005, 6, 14, 15, 16, 1, tzinfo=UTC)),
        lambda t, i: "%s %2d %s %d combo sshd(pam_unix)[%d]: HIT" % (MON[t.month - 1], t.day, t.strftime("%H:%M:%S"), t.year, 19900 + i))
    # day-first dates: a day over 12 in the first lines settles the order for the stream
    add("dmy-dates.log", series(dt.datetime(2026, 4, 13, 10, 0, 0, tzinfo=UTC)),
        lambda t, i: "%02d/%02d/%d %s app: HIT %d" % (t.day, t.month, t.year, t.strftime("%H:%M:%S"), i))
    # dmesg: seconds since boot, never a wall-clock time
    FIX["dmesg.log"] = (["[%6d.%06d] HIT usb 1-1: new high-speed USB device number %d" % (5 + i, (i * 7919) % 1000000, i) for i in range(N)],
                        [None] * N, None)
    # CloudTrail: one line, many records; each record is an event with its own time and offset
    recs = ['{"eventVersion":"1.08","eventTime":"%s","eventName":"ConsoleLogin","awsRegion":"eu-west-1","responseElements":{"ConsoleLogin":"Failure"},"note":"HIT"}' % t.strftime("%Y-%m-%dT%H:%M:%SZ") for t in series(base, 30)]
    FIX["cloudtrail.json"] = (['{"Records":[' + ",".join(recs) + "]}"], [[iso_out(trunc(t, 0)) for t in series(base, 30)]], None)

    expected = {"files": {}, "mtimes": {}}
    for name, (lines, exp, mtime) in sorted(FIX.items()):
        with open(os.path.join(ROOT, name), "w", newline="\n") as f:
            f.write("\n".join(lines) + "\n")
        expected["files"][name] = exp
        if mtime is not None:
            expected["mtimes"][name] = int(mtime.timestamp())
    with open(os.path.join(ROOT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")
    print("%d timestamp fixtures in fixtures/timestamps" % len(FIX))


if __name__ == "__main__":
    main()
