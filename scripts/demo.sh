#!/bin/sh
# `make demo`: scans the bundled demo evidence with the shipped patterns into build/demo-report/
# and prints the summary. Exit 1 from the scan means "hits found", which is the point here.
set -u
BIN=${1:-build/timberline}
python3 scripts/make-demo-case.py --set-mtimes || exit 2
rm -rf build/demo-report
echo "== timberline scan fixtures/demo-case (shipped patterns/)"
"$BIN" scan -o build/demo-report --case DEMO-2026-001 --analyst "demo" fixtures/demo-case
rc=$?
if [ "$rc" -gt 1 ]; then
    echo "demo: scan failed (exit $rc)" >&2
    exit "$rc"
fi
echo "== demo report written to build/demo-report/ (exit code $rc: 1 means qualifying hits)"
ls -l build/demo-report
