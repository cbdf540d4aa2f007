#!/bin/sh
# Browser test for report.html (issue 7): installs Debian's chromium if missing (root only),
# renders the demo report and a hostile-content report headless, and checks the DOM.
# Usage: tests/html/run.sh [BIN] [--big]   (--big adds the 1,000,000-event size/speed check)
set -u
cd "$(dirname "$0")/../.."
BIN=${1:-build/timberline}
[ $# -gt 0 ] && shift
if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "== installing chromium (apt-get)"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || exit 2
    else
        echo "check-html: chromium is missing; run as root on Debian or install it" >&2
        exit 2
    fi
fi
exec python3 tests/html/browser_test.py "$BIN" "$@"
