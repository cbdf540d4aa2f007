#!/bin/sh
# Timberline throughput benchmark against ripgrep / ugrep / GNU grep on a generated corpus, in
# three forms (plain files, per-file .gz, one .tar.gz) with indicator sets of 10 to 100,000.
#
#   sh bench/run.sh [path/to/timberline]        (what `make bench` runs)
#
# Knobs (environment; bench/README.md has the details):
#   BENCH_MB=1000          corpus size in MB (20-50 for a quick run)
#   BENCH_RUNS=3           hyperfine runs per command (after 1 warm-up)
#   BENCH_THREADS=2        timberline -j, rg -j, ugrep -J, xargs -P for the zcat floor
#   BENCH_DIR=build/bench  corpus, reports and results
#   BENCH_PEER_TIMEOUT=120 seconds before a peer command is killed and reported as "> cap"
#   BENCH_SLOW=30          a command whose first run took longer gets hyperfine --runs 1
#   BENCH_TL_TIMEOUT=3600  the same cap for timberline (0 = none)
#   BENCH_SETS="10 1000 10000 100000"   BENCH_FORMS="plain gz tar"   subsets for quick runs
#   BENCH_SKIP_GREP=1      leave GNU grep out
#   BENCH_CATCHALL=1       also the catch-all memory run (one event per line; slow)
#   BENCH_KEEP=1           keep every report and peer output (they are deleted once counted)
#   BENCH_PAIRS=5          alternating -j1/-jN runs for the scaling figure (plain, 1,000 set)
#   BENCH_INTL=0.03        share of name/message fields in UTF-8 (gen-corpus.py --intl; 0 = ASCII)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"

BIN=${1:-build/timberline}
MB=${BENCH_MB:-1000}
RUNS=${BENCH_RUNS:-3}
T=${BENCH_THREADS:-2}
OUT=${BENCH_DIR:-build/bench}
CAP=${BENCH_PEER_TIMEOUT:-120}
SLOW=${BENCH_SLOW:-30}
TLCAP=${BENCH_TL_TIMEOUT:-3600}
SETS=${BENCH_SETS:-10 1000 10000 100000}
FORMS=${BENCH_FORMS:-plain gz tar}
KEEP=${BENCH_KEEP:-0}
PAIRS=${BENCH_PAIRS:-5}
INTL=${BENCH_INTL:-0.03}

case "$BIN" in /*) ;; *) BIN="$root/$BIN" ;; esac
[ -x "$BIN" ] || { echo "bench: $BIN is not an executable (run make first)" >&2; exit 2; }
case "$OUT" in /*) ;; *) OUT="$root/$OUT" ;; esac
T0=$(date +%s)

# ---------------------------------------------------------------- tools
missing=""
command -v rg >/dev/null 2>&1 || missing="$missing ripgrep"
command -v ugrep >/dev/null 2>&1 || missing="$missing ugrep"
command -v hyperfine >/dev/null 2>&1 || missing="$missing hyperfine"
[ -x /usr/bin/time ] || missing="$missing time"
command -v grep >/dev/null 2>&1 || missing="$missing grep"
command -v gzip >/dev/null 2>&1 || missing="$missing gzip"   # rg -z shells out to gzip; zcat
command -v timeout >/dev/null 2>&1 || missing="$missing coreutils"
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

# ---------------------------------------------------------------- layout
C=$OUT/corpus
P=$C/patterns
CMD=$OUT/cmd          # one shell script per measured command (what hyperfine runs)
TV=$OUT/time          # /usr/bin/time -v of each command's first run
HF=$OUT/hyperfine     # hyperfine JSON per command
RC=$OUT/rc            # the tool's own exit code, last run
ERR=$OUT/err          # the command's stderr, last run
O=$OUT/out            # peer outputs (line counts kept in *.lines)
REP=$OUT/reports      # timberline report directories
ID=$OUT/identity      # -j1 vs -jN comparisons
LOG=$OUT/bench.log    # hyperfine's own output
PLAN=$OUT/measurements.tsv
rm -rf "$CMD" "$TV" "$HF" "$RC" "$ERR" "$O" "$REP" "$ID" "$OUT/xdg-cold"
mkdir -p "$OUT" "$CMD" "$TV" "$HF" "$RC" "$ERR" "$O" "$REP" "$ID"
: >"$LOG"
: >"$PLAN"
# Compiled pattern databases go to a private cache: "warm" means warmed by this bench.
export XDG_CACHE_HOME="$OUT/xdg-cache"

# Benchmark a private copy: a rebuild of $BIN during the run must not mix two binaries.
BIN_ORIG=$BIN
BIN=$OUT/timberline.snapshot
cp "$BIN_ORIG" "$BIN"

# ---------------------------------------------------------------- corpus
# Regenerate when absent, of another size, or made by another version of gen-corpus.py.
if ! python3 - "$C" "$MB" "$here/gen-corpus.py" "$INTL" 2>/dev/null <<'PY'
import hashlib, json, os, sys
c = sys.argv[1]
d = json.load(open(os.path.join(c, "corpus.json")))
sha = hashlib.sha256(open(sys.argv[3], "rb").read()).hexdigest()
ok = abs(d["mb"] - float(sys.argv[2])) < 1e-9 and d.get("generator_sha256") == sha
ok = ok and abs(d.get("intl", -1) - float(sys.argv[4])) < 1e-9
ok = ok and all(os.path.exists(os.path.join(c, f)) for f in ("plain", "gz", "tar/corpus.tar.gz", "patterns"))
sys.exit(0 if ok else 1)
PY
then
    need=$(awk "BEGIN{printf \"%d\", $MB * 1.5 + 1000}")
    avail=$(df -Pm "$OUT" | awk 'NR==2 {print $4}')
    if [ "$avail" -lt "$need" ]; then
        echo "bench: $OUT has ${avail} MB free; a ${MB} MB corpus with its gz forms and reports needs ~${need} MB" >&2
        exit 2
    fi
    echo "bench: generating a ${MB} MB corpus (plain, per-file gz, tar.gz) in $C"
    python3 "$here/gen-corpus.py" --dir "$C" --mb "$MB" --intl "$INTL"
fi
BYTES=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["decoded_bytes"])' "$C/corpus.json")

data() { # FORM -> what the tools are pointed at
    case $1 in
        plain) echo "$C/plain" ;;
        gz) echo "$C/gz" ;;
        tar) echo "$C/tar/corpus.tar.gz" ;;
    esac
}

# ---------------------------------------------------------------- pattern checks
echo "bench: checking the pattern sets (timberline patterns check; peer dialects)"
pc_rc=0
"$BIN" patterns check "$P/rules.rules" >"$OUT/patterns-check.txt" 2>&1 || pc_rc=$?
for n in $SETS; do
    "$BIN" patterns check "$P/iocs-$n.ioc" >>"$OUT/patterns-check.txt" 2>&1 || pc_rc=$?
done
echo "$pc_rc" >"$OUT/patterns-check.rc"
[ "$pc_rc" = 0 ] || { echo "bench: WARNING: timberline patterns check failed (exit $pc_rc):" >&2; grep '^FAIL' "$OUT/patterns-check.txt" >&2 || true; }
python3 "$here/gen-corpus.py" --check-peers "$C" >"$OUT/check-peers.json" 2>"$OUT/check-peers.txt" ||
    { echo "bench: WARNING: a peer dialect disagrees with a rule's test lines:" >&2; cat "$OUT/check-peers.txt" >&2; }

# ---------------------------------------------------------------- machine facts
python3 "$here/results.py" facts "$OUT" "$BIN_ORIG" "$BIN" "$root" \
    "MB=$MB INTL=$INTL RUNS=$RUNS THREADS=$T PEER_TIMEOUT=$CAP SLOW=$SLOW TL_TIMEOUT=$TLCAP SETS=$SETS FORMS=$FORMS" >"$OUT/facts.json"
python3 -c 'import json,sys; [print("%-11s %s" % (k + ":", v)) for k, v in json.load(open(sys.argv[1]))["summary"].items()]' "$OUT/facts.json"

# Warm the page cache so every tool reads from memory (the first tool must not pay for disk).
find "$C/plain" "$C/gz" "$C/tar" -type f -exec cat {} + >/dev/null

# ---------------------------------------------------------------- measuring
# measure ID TOOL FORM SET CAP EXPECT 'COMMAND' ['PREPARE']
#   Writes COMMAND (one shell line) to $CMD/ID.sh, followed by a check that the tool's exit code
#   is EXPECT: timberline exits 1 when it found hits, rg/ugrep/grep exit 0, and on the 1-line
#   file 0 and 1; anything else (exit 2, a crash) fails the command instead of being timed.
#   1. one run under /usr/bin/time -v and `timeout CAP`: peak RSS, and the verdict "timeout";
#   2. unless it timed out or failed: hyperfine, --warmup 1 --runs $RUNS, or --runs 1 when the
#      first run took longer than $SLOW seconds. Every run stays under `timeout CAP`.
# Outputs go to files: hyperfine sends stdout to /dev/null, and GNU grep (and newer ripgrep) stop
# at the first match when their output is /dev/null, which is not a fair race.
nmeas=0
measure() { # (see above)
    m_hf=1
    run_cmd "$@"
}
once() { # ID TOOL FORM SET CAP EXPECT 'COMMAND': only the /usr/bin/time -v run, no hyperfine
    m_hf=0
    run_cmd "$@"
}
run_cmd() {
    m_id=$1 m_tool=$2 m_form=$3 m_set=$4 m_cap=$5 m_exp=$6 m_cmd=$7 m_prep=${8:-}
    nmeas=$((nmeas + 1))
    # The tool runs in the background so that, when `timeout` signals the whole process group,
    # this shell still reaps it: its peak RSS then reaches /usr/bin/time even after a kill.
    # shellcheck disable=SC2016  # $! $? $rc belong to the generated script
    printf 'trap '"'"'wait; exit 124'"'"' TERM\nexec 2>%s\n%s &\nwait $!\nrc=$?; echo $rc >%s; [ $rc -eq %s ]\n' \
        "'$ERR/$m_id.txt'" "$m_cmd" "'$RC/$m_id'" "$m_exp" >"$CMD/$m_id.sh"
    [ -z "$m_prep" ] || sh -c "$m_prep"
    m_rc=0
    /usr/bin/time -v -o "$TV/$m_id.txt" timeout -k 5 "$m_cap" sh "$CMD/$m_id.sh" >>"$LOG" 2>&1 || m_rc=$?
    m_el=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, a, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + a[i]; print s}' "$TV/$m_id.txt")
    m_trc=$(cat "$RC/$m_id" 2>/dev/null || echo '?')
    if [ "$m_rc" = 124 ] || [ "$m_rc" = 137 ]; then
        m_st=timeout
    elif [ "$m_rc" != 0 ]; then
        m_st=error
    else
        m_st=ok
        if [ "$m_hf" = 1 ]; then
            if awk -v e="$m_el" -v s="$SLOW" 'BEGIN {exit !(e > s)}'; then
                set -- --runs 1
            else
                set -- --warmup 1 --runs "$RUNS"
            fi
            [ -z "$m_prep" ] || set -- "$@" --prepare "$m_prep"
            echo "== $m_id" >>"$LOG"
            hyperfine --style basic "$@" --export-json "$HF/$m_id.json" -n "$m_id" \
                "timeout -k 5 $m_cap sh '$CMD/$m_id.sh'" >>"$LOG" 2>&1 || m_st=error-in-hyperfine
            m_trc=$(cat "$RC/$m_id" 2>/dev/null || echo '?')
        fi
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$m_id" "$m_tool" "$m_form" "$m_set" "$m_st" "$m_trc" "$m_el" "$m_cap" >>"$PLAN"
    # peer outputs: keep the line count; the files can be large
    if [ -f "$O/$m_id.out" ]; then
        wc -l <"$O/$m_id.out" | tr -d ' ' >"$O/$m_id.lines"
        [ "$KEEP" = 1 ] || rm -f "$O/$m_id.out"
    fi
    printf 'bench: [%3d] %-22s %-8s first run %7.2f s  %s\n' "$nmeas" "$m_id" "$m_st" "$m_el" \
        "$(python3 "$here/results.py" brief "$OUT" "$m_id" "$BYTES")"
}

skip() { # ID TOOL FORM SET REASON: recorded, not run
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "-" "" "$CAP" >>"$PLAN"
    printf 'bench:       %-22s %s\n' "$1" "$5"
}

pats() { # SET -> timberline pattern arguments
    if [ "$1" -ge 1000 ]; then echo "-p '$P/iocs-$1.ioc' -p '$P/rules.rules'"; else echo "-p '$P/iocs-$1.ioc'"; fi
}

compare() { # ID-of-jN-run  ID-of-j1-run
    python3 "$here/results.py" compare "$REP/$1" "$REP/$2" >"$ID/$1.json" || true
}

tidy() { # ID: keep summary.json + manifest.json of a report, drop the large files
    [ "$KEEP" = 1 ] || rm -f "$REP/$1/timeline.jsonl" "$REP/$1/timeline.csv" "$REP/$1/report.html"
}

# ---------------------------------------------------------------- fixed costs (1-line file)
# Pattern compilation and start-up: every pattern set against one line without a hit. timberline
# cold = empty private cache (compile + store, --prepare empties it before each run), warm =
# loaded from the cache. A peer whose 1-line run already exceeds the cap (or fails: ugrep refuses
# some pattern sets as too complex) is not run on the corpus.
mkdir -p "$OUT/tiny"
echo "Dec 12 00:00:00 web1 systemd[1]: Started Session 1 of User deploy." >"$OUT/tiny/one.log"
tiny=$OUT/tiny
for n in $SETS; do
    measure "tl-cold-tiny-$n" timberline tiny "$n" "$TLCAP" 0 \
        "XDG_CACHE_HOME='$OUT/xdg-cold' '$BIN' scan -q -j$T $(pats "$n") -o '$REP/tl-cold-tiny-$n' --force '$tiny'" \
        "rm -rf '$OUT/xdg-cold'"
    measure "tl-tiny-$n" timberline tiny "$n" "$TLCAP" 0 \
        "'$BIN' scan -q -j$T $(pats "$n") -o '$REP/tl-tiny-$n' --force '$tiny'"
    measure "rgF-tiny-$n" rg tiny "$n" "$CAP" 1 \
        "rg --no-config -j$T --regex-size-limit 1G -n -F -i -f '$P/iocs-$n.txt' '$tiny' >'$O/rgF-tiny-$n.out'"
    measure "ugF-tiny-$n" ugrep tiny "$n" "$CAP" 1 \
        "ugrep -J$T -r -n -F -i -f '$P/iocs-$n.txt' '$tiny' >'$O/ugF-tiny-$n.out'"
    if [ "$n" -ge 1000 ]; then
        measure "ugC-tiny-$n" ugrep tiny "$n" "$CAP" 1 \
            "ugrep -J$T -r -n -f '$P/combined-$n.txt' '$tiny' >'$O/ugC-tiny-$n.out'"
    fi
    if [ "${BENCH_SKIP_GREP:-0}" != 1 ]; then
        measure "grF-tiny-$n" grep tiny "$n" "$CAP" 1 \
            "LC_ALL=C grep -r -n -F -i -f '$P/iocs-$n.txt' '$tiny' >'$O/grF-tiny-$n.out'"
        if [ "$n" -ge 1000 ]; then
            measure "grE-tiny-$n" grep tiny "$n" "$CAP" 1 \
                "LC_ALL=C grep -r -n -E -f '$P/combined-$n.ere' '$tiny' >'$O/grE-tiny-$n.out'"
        fi
    fi
done
measure "rgR-tiny" rg tiny rules "$CAP" 1 \
    "rg --no-config -j$T -n -f '$P/rules-regex.txt' '$tiny' >'$O/rgR-tiny.out'"

tiny_status() { # PEER-ID-PREFIX SET
    awk -F'\t' -v id="$1-tiny-$2" '$1 == id {s = $5} END {print s}' "$PLAN"
}

peer() { # KIND FORM SET ID CMD: run unless its 1-line run already timed out or failed
    case $(tiny_status "$1" "$3") in
        timeout) skip "$4" "$1" "$2" "$3" "timeout-on-1-line" ;;
        error*) skip "$4" "$1" "$2" "$3" "error-on-1-line" ;;
        *) measure "$4" "$1" "$2" "$3" "$CAP" 0 "$5" ;;
    esac
}

# ---------------------------------------------------------------- the corpus runs
for form in $FORMS; do
    d=$(data "$form")
    case $form in
        plain) rz="" uz="-r" ;;
        gz) rz="-z" uz="-r -z" ;;
        tar) rz="-a -z" uz="-z" ;;  # rg -a: the tar stream has NULs; without it rg stops at the first match
    esac
    for n in $SETS; do
        id=tl-$form-$n
        measure "$id" timberline "$form" "$n" "$TLCAP" 1 \
            "'$BIN' scan -q -j$T $(pats "$n") -o '$REP/$id' --force '$d'"
        # -j1 on the same input: outputs must be byte-identical (bar run-specific fields)
        once "$id-j1" timberline-j1 "$form" "$n" "$TLCAP" 1 \
            "'$BIN' scan -q -j1 $(pats "$n") -o '$REP/$id-j1' --force '$d'"
        compare "$id" "$id-j1"
        tidy "$id"
        tidy "$id-j1"
        peer rgF "$form" "$n" "rgF-$form-$n" \
            "rg --no-config -j$T --regex-size-limit 1G $rz -n -F -i -f '$P/iocs-$n.txt' '$d' >'$O/rgF-$form-$n.out'"
        peer ugF "$form" "$n" "ugF-$form-$n" \
            "ugrep -J$T $uz -n -F -i -f '$P/iocs-$n.txt' '$d' >'$O/ugF-$form-$n.out'"
        if [ "$n" -ge 1000 ]; then
            peer ugC "$form" "$n" "ugC-$form-$n" \
                "ugrep -J$T $uz -n -f '$P/combined-$n.txt' '$d' >'$O/ugC-$form-$n.out'"
        fi
        if [ "$form" = plain ] && [ "${BENCH_SKIP_GREP:-0}" != 1 ]; then
            peer grF plain "$n" "grF-plain-$n" \
                "LC_ALL=C grep -r -n -F -i -f '$P/iocs-$n.txt' '$d' >'$O/grF-plain-$n.out'"
            if [ "$n" -ge 1000 ]; then
                peer grE plain "$n" "grE-plain-$n" \
                    "LC_ALL=C grep -r -n -E -f '$P/combined-$n.ere' '$d' >'$O/grE-plain-$n.out'"
            fi
        fi
    done
    # the regex half of "rg split" does not depend on the set. rg's default is Unicode classes:
    # \b and \w then also mean letters beyond ASCII, and its fast DFA gives up on the first
    # non-ASCII byte near them. --no-unicode gives ASCII classes, as timberline's byte mode does.
    measure "rgR-$form" rg "$form" rules "$CAP" 0 \
        "rg --no-config -j$T $rz -n -f '$P/rules-regex.txt' '$d' >'$O/rgR-$form.out'"
    measure "rgRa-$form" rg "$form" rules "$CAP" 0 \
        "rg --no-config -j$T --no-unicode $rz -n -f '$P/rules-regex.txt' '$d' >'$O/rgRa-$form.out'"
    case $form in
        gz) measure zcat-gz zcat gz - "$CAP" 0 \
                "find '$d' -type f -name '*.gz' | sort | xargs -P$T -n1 zcat >/dev/null" ;;
        tar) measure zcat-tar zcat tar - "$CAP" 0 "zcat '$d' >/dev/null" ;;
    esac
done

# -jN / -j1 scaling, timed: plain corpus, 1,000 set
case " $FORMS " in *" plain "*)
    case " $SETS " in *" 1000 "*)
        measure tl-j1-plain-1000 timberline-j1 plain 1000 "$TLCAP" 1 \
            "'$BIN' scan -q -j1 $(pats 1000) -o '$REP/tl-j1-plain-1000' --force '$C/plain'"
        tidy tl-j1-plain-1000
        # One -j1 sample against one -jN sample swings by a quarter on a shared machine:
        # alternate the two, BENCH_PAIRS times, and report the ratio of the means too.
        echo "bench: $PAIRS alternating -j1/-j$T pairs (plain, 1,000 set)"
        : >"$OUT/scaling-pairs.tsv"
        k=0
        while [ "$k" -lt "$PAIRS" ]; do
            k=$((k + 1))
            for jj in 1 "$T"; do
                rm -rf "$REP/pair"
                pr=0
                /usr/bin/time -f %e -o "$OUT/pair.time" timeout -k 5 "$TLCAP" sh -c \
                    "'$BIN' scan -q -j$jj $(pats 1000) -o '$REP/pair' '$C/plain'" >/dev/null 2>&1 || pr=$?
                [ "$pr" = 1 ] || echo "bench: WARNING: pair run -j$jj exited $pr" >&2
                printf '%s\t%s\t%s\t%s\n' "$k" "$jj" "$(tail -1 "$OUT/pair.time")" "$pr" >>"$OUT/scaling-pairs.tsv"
            done
        done
        rm -rf "$REP/pair" "$OUT/pair.time" ;;
    esac ;;
esac

# ---------------------------------------------------------------- catch-all memory run
if [ "${BENCH_CATCHALL:-0}" = 1 ]; then
    echo "bench: catch-all run (one event per line, default --memory)"
    c_rc=0
    /usr/bin/time -v -o "$TV/catchall.txt" timeout -k 5 "$TLCAP" "$BIN" scan -q -j"$T" \
        -p "$P/catchall.rules" -o "$REP/catchall" --force "$C/plain" >>"$LOG" 2>&1 || c_rc=$?
    echo "$c_rc" >"$RC/catchall"
    du -sk "$REP/catchall" | cut -f1 >"$REP/catchall.kib"
    tidy catchall
fi

# ---------------------------------------------------------------- results
T1=$(date +%s)
python3 "$here/results.py" aggregate "$OUT" "$((T1 - T0))"
echo
cat "$OUT/results.md"
echo
echo "bench: $((T1 - T0)) s; written $OUT/results.md, $OUT/results.json (raw: $OUT/hyperfine, $OUT/time, $OUT/bench.log)"
