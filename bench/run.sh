#!/bin/sh
# Timberline throughput benchmark against ripgrep / ugrep / GNU grep on a generated corpus.
#
#   sh bench/run.sh [path/to/timberline]        (what `make bench` runs)
#
# Knobs (environment): BENCH_MB (corpus size, default 100), BENCH_RUNS (hyperfine runs, 3),
# BENCH_THREADS (timberline -j, 2), BENCH_DIR (output directory, build/bench),
# BENCH_SKIP_GREP=1 (leave GNU grep out: it is the slowest entry).
# Everything is written under $BENCH_DIR; see bench/README.md for what is measured.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"

BIN=${1:-build/timberline}
MB=${BENCH_MB:-100}
RUNS=${BENCH_RUNS:-3}
THREADS=${BENCH_THREADS:-2}
OUT=${BENCH_DIR:-build/bench}
C=$OUT/corpus
RES=$OUT/results.txt

case "$BIN" in /*) ;; *) BIN="$root/$BIN" ;; esac
[ -x "$BIN" ] || { echo "bench: $BIN is not an executable (run make first)" >&2; exit 2; }

# ---------------------------------------------------------------- tools
missing=""
command -v rg >/dev/null 2>&1 || missing="$missing ripgrep"
command -v ugrep >/dev/null 2>&1 || missing="$missing ugrep"
command -v hyperfine >/dev/null 2>&1 || missing="$missing hyperfine"
[ -x /usr/bin/time ] || missing="$missing time"
command -v grep >/dev/null 2>&1 || missing="$missing grep"
command -v gzip >/dev/null 2>&1 || missing="$missing gzip"   # rg -z shells out to gzip
command -v python3 >/dev/null 2>&1 || missing="$missing python3"
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "bench: installing:$missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q >/dev/null
        # shellcheck disable=SC2086
        apt-get install -y -q --no-install-recommends $missing >/dev/null
    else
        echo "bench: missing tools:$missing (apt-get install -y$missing)" >&2
        exit 2
    fi
fi

# ---------------------------------------------------------------- corpus
mkdir -p "$OUT"
# Benchmark a private copy: a rebuild of $BIN during the run must not mix two binaries.
BIN_ORIG=$BIN
BIN=$root/$OUT/timberline.snapshot
case "$OUT" in /*) BIN=$OUT/timberline.snapshot ;; esac
cp "$BIN_ORIG" "$BIN"
# Regenerate when absent, of another size, or made by another version of gen-corpus.py.
if ! python3 - "$C/corpus.json" "$MB" "$here/gen-corpus.py" 2>/dev/null <<'PY'
import hashlib, json, sys
d = json.load(open(sys.argv[1]))
sha = hashlib.sha256(open(sys.argv[3], "rb").read()).hexdigest()
sys.exit(0 if abs(d["mb"] - float(sys.argv[2])) < 1e-9 and d.get("generator_sha256") == sha else 1)
PY
then
    echo "bench: generating a ${MB} MB corpus in $C"
    python3 "$here/gen-corpus.py" --dir "$C" --mb "$MB"
fi
read -r DEC PLAIN GZDEC STORED LINES <<EOF
$(python3 -c '
import json,sys; d=json.load(open(sys.argv[1]))
print(d["decoded_bytes"], d["decoded_bytes"]-d["gzip_decoded_bytes"], d["gzip_decoded_bytes"], d["stored_bytes"], d["lines"])' "$C/corpus.json")
EOF

# ---------------------------------------------------------------- machine facts
{
    echo "== Timberline benchmark  $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "host:       $(uname -srm), nproc=$(nproc), $(awk '/MemTotal/ {printf "%.1f GiB RAM", $2/1048576}' /proc/meminfo)"
    echo "cpu:        $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
    echo "load:       $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min; other tenants skew absolute numbers)"
    echo "binary:     $BIN_ORIG (sha256 $(sha256sum "$BIN" | cut -c1-16), built $(date -u -r "$BIN_ORIG" +%Y-%m-%dT%H:%M:%SZ)), run from a copy"
    echo "timberline: $("$BIN" --version 2>&1 | head -1)  [$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo ', tree modified')]"
    echo "ripgrep:    $(rg --version | head -1)"
    echo "ugrep:      $(ugrep --version | head -1)"
    echo "grep:       $(grep --version | head -1)"
    echo "hyperfine:  $(hyperfine --version)"
    echo "corpus:     $C/logs: $(awk "BEGIN{printf \"%.1f\", $DEC/1e6}") MB decoded in $LINES lines, $(awk "BEGIN{printf \"%.1f\", $GZDEC/1e6}") MB of it in .gz ($(awk "BEGIN{printf \"%.1f\", $STORED/1e6}") MB on disk)"
    echo "patterns:   1000 indicators ($C/iocs.ioc, $C/iocs.txt) + 20 regex rules ($C/rules.rules, $C/rules-regex.txt)"
} | tee "$OUT/facts.txt"

# Warm the page cache so every tool reads from memory (the first tool must not pay for disk).
cat "$C"/logs/*/* "$C"/logs/*/*/* >/dev/null 2>&1 || true

# ---------------------------------------------------------------- commands
# Each tool writes its output to a file: hyperfine sends stdout to /dev/null, and GNU grep (and
# newer ripgrep) stop at the first match when they detect /dev/null, which is not a fair race.
# timberline exits 1 when it found hits; the wrapper turns exactly that into success, so a real
# error (exit 2) still fails the benchmark.
TL_OUT=$OUT/tl-report
TL="'$BIN' scan -q -j$THREADS -p '$C/iocs.ioc' -p '$C/rules.rules' -o '$TL_OUT' --force '$C/logs'; [ \$? -eq 1 ]"
TL_IOC="'$BIN' scan -q -j$THREADS -p '$C/iocs.ioc' -o '$OUT/tl-report-ioc' --force '$C/logs'; [ \$? -eq 1 ]"
TL_RE="'$BIN' scan -q -j$THREADS -p '$C/rules.rules' -o '$OUT/tl-report-rules' --force '$C/logs'; [ \$? -eq 1 ]"
RG_IOC="rg -F -i -z -n -f '$C/iocs.txt' '$C/logs' > '$OUT/rg-ioc.out'"
RG_RE="rg -z -n -f '$C/rules-regex.txt' '$C/logs' > '$OUT/rg-rules.out'"
UG_IOC="ugrep -r -z -F -i -n -f '$C/iocs.txt' '$C/logs' > '$OUT/ugrep-ioc.out'"
# GNU grep cannot read .gz: it only gets the plain files (MB/s below is over those bytes).
# Fixed costs: the same pattern sets against a one-line file without hits (pattern compilation,
# report writing, process start).
mkdir -p "$OUT/tiny"
echo "Dec 12 00:00:00 web1 systemd[1]: Started Session 1 of User deploy." >"$OUT/tiny/one.log"
TL_0="'$BIN' scan -q -j$THREADS -p '$C/iocs.ioc' -p '$C/rules.rules' -o '$OUT/tl-report-tiny' --force '$OUT/tiny'; [ \$? -le 1 ]"
RG_0="rg -F -i -z -n -f '$C/iocs.txt' '$OUT/tiny' > '$OUT/rg-tiny.out'; [ \$? -le 1 ]"
GR_IOC="LC_ALL=C grep -r -F -i -n --exclude='*.gz' -f '$C/iocs.txt' '$C/logs' > '$OUT/grep-ioc.out'"

set -- -n "timberline scan -j$THREADS (IOC+rules)" "$TL" \
       -n "timberline scan -j$THREADS (IOC only)" "$TL_IOC" \
       -n "timberline scan -j$THREADS (rules only)" "$TL_RE" \
       -n "rg -F -i -z -f iocs.txt" "$RG_IOC" \
       -n "rg -z -f rules-regex.txt" "$RG_RE" \
       -n "ugrep -z -F -i -f iocs.txt" "$UG_IOC"
if [ "${BENCH_SKIP_GREP:-0}" != 1 ]; then
    set -- "$@" -n "grep -F -i -f iocs.txt (plain files only)" "$GR_IOC"
fi
set -- "$@" -n "startup: timberline, 1-line file" "$TL_0" -n "startup: rg -F -i, 1-line file" "$RG_0"

echo
echo "== hyperfine (--warmup 1 --runs $RUNS)"
hyperfine --warmup 1 --runs "$RUNS" --style basic \
    --export-json "$OUT/hyperfine.json" --export-markdown "$OUT/hyperfine.md" "$@"

# ---------------------------------------------------------------- peak memory
echo
echo "== /usr/bin/time -v (one run each)"
timev() { # NAME OUTFILE CMD...
    name=$1 f=$2
    shift 2
    rc=0
    /usr/bin/time -v -o "$f" "$@" || rc=$?
    printf '%s exit=%s\n' "$name" "$rc" >>"$f"
}
timev timberline "$OUT/time-timberline.txt" "$BIN" scan -q -j"$THREADS" -p "$C/iocs.ioc" \
    -p "$C/rules.rules" -o "$TL_OUT" --force "$C/logs"
timev rg "$OUT/time-rg.txt" sh -c "rg -F -i -z -n -f '$C/iocs.txt' '$C/logs' > '$OUT/rg-ioc.out'"
for t in timberline rg; do
    awk -v t="$t" -F': ' '/Elapsed/ {e=$2} /Maximum resident/ {r=$2} /exit=/ {x=$0}
        END {printf "%-11s elapsed %s  max RSS %.1f MiB  (%s)\n", t, e, r/1024, x}' "$OUT/time-$t.txt"
done | tee "$OUT/time-summary.txt"

# ---------------------------------------------------------------- table
echo
python3 - "$OUT" "$DEC" "$PLAIN" <<'PY' >"$OUT/table.txt"
import json, os, re, sys
out, dec, plain = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
res = json.load(open(os.path.join(out, "hyperfine.json")))["results"]

def lines(path):
    try:
        with open(path, "rb") as f:
            return sum(1 for _ in f)
    except OSError:
        return None

def rss(name):
    try:
        t = open(os.path.join(out, "time-%s.txt" % name)).read()
    except OSError:
        return None
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", t)
    return int(m.group(1)) / 1024 if m else None

outputs = {"rg -F": "rg-ioc.out", "rg -z -f": "rg-rules.out", "ugrep": "ugrep-ioc.out", "grep": "grep-ioc.out"}
rg = next(r for r in res if r["command"].startswith("rg -F"))
rg_re = next(r for r in res if r["command"].startswith("rg -z -f"))
tl = next(r for r in res if r["command"].startswith("timberline") and "IOC+rules" in r["command"])
start_tl = next((r["mean"] for r in res if r["command"].startswith("startup: timberline")), None)
rows = []
for r in res:
    name = r["command"]
    nbytes = plain if name.startswith("grep") else dec
    hits = ""
    for k, f in outputs.items():
        if name.startswith(k):
            n = lines(os.path.join(out, f))
            hits = "%d lines" % n if n is not None else ""
    if name.startswith("timberline"):
        rep = {"IOC+rules": "tl-report", "IOC only": "tl-report-ioc", "rules only": "tl-report-rules"}
        for k, d in rep.items():
            if k in name:
                try:
                    s = json.load(open(os.path.join(out, d, "summary.json")))
                    hits = "%d events" % s["counts"]["events"]
                except OSError:
                    pass
    if name.startswith("startup"):
        rows.append((name, r["mean"], r["stddev"] or 0.0, r["min"], None, None, None, "fixed cost"))
        continue
    # Only timberline's fixed cost is a clean constant; rg -F -i also warms a lazy DFA per
    # thread while scanning, so subtracting its 1-line time would flatter it (see README).
    fixed = start_tl if name.startswith("timberline") else None
    net = nbytes / 1e6 / (r["mean"] - fixed) if fixed is not None and r["mean"] > fixed else None
    rows.append((name, r["mean"], r["stddev"] or 0.0, r["min"], nbytes / 1e6 / r["mean"], net,
                 r["mean"] / rg["mean"], hits))

w = max(len(x[0]) for x in rows)
hdr = "%-*s %8s %7s %8s %7s %9s %8s  %s" % (w, "command", "mean s", "+/- s", "min s", "MB/s",
                                           "net MB/s", "x rg -F", "output")
print("== results (decoded bytes; %.1f MB, grep: %.1f MB plain only)" % (dec / 1e6, plain / 1e6))
print(hdr)
print("-" * len(hdr))
f = lambda v, fmt: (fmt % v) if v is not None else "-"
for name, mean, sd, mn, mbs, net, ratio, hits in rows:
    print("%-*s %8.3f %7.3f %8.3f %7s %9s %8s  %s" % (w, name, mean, sd, mn, f(mbs, "%.1f"),
                                                    f(net, "%.1f"), f(ratio, "%.2f"), hits))
print("(net MB/s: bytes / (mean - timberline's 1-line startup row): scan throughput without the fixed")
print(" cost of compiling the pattern set and writing the report)")
print()
print("timberline / rg -F (IOCs only)            : %.2fx the time" % (tl["mean"] / rg["mean"]))
print("timberline / (rg -F + rg rules), two passes: %.2fx the time" % (tl["mean"] / (rg["mean"] + rg_re["mean"])))
ug = next((r for r in res if r["command"].startswith("ugrep")), None)
if ug:
    print("timberline / ugrep -F (IOCs only)         : %.2fx the time" % (tl["mean"] / ug["mean"]))
a, b = rss("timberline"), rss("rg")
if a and b:
    print("peak RSS (/usr/bin/time -v): timberline %.1f MiB, rg -F %.1f MiB (%.1fx)" % (a, b, a / b))
PY
{
    cat "$OUT/facts.txt"
    echo
    cat "$OUT/table.txt"
    echo
    echo "== /usr/bin/time -v (one run each)"
    cat "$OUT/time-summary.txt"
} >"$RES"
cat "$OUT/table.txt"
echo
echo "bench: written $RES, $OUT/hyperfine.json, $OUT/hyperfine.md"
