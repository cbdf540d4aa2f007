#!/bin/sh
# The `deps` step of `make demo` / `make check`: checks each needed library with pkg-config and
# apt-installs only what is missing (Debian 12). Safe to run repeatedly; fast when all is there.
set -u
missing=""
need() { # need PKGCONFIG-NAME DEBIAN-PACKAGE
    pkg-config --exists "$1" 2>/dev/null || missing="$missing $2"
}
need libpcre2-8 libpcre2-dev
need zlib zlib1g-dev
need libarchive libarchive-dev
need libcrypto libssl-dev
need check check
need jansson libjansson-dev
# libhs comes from vectorscan or hyperscan; they conflict, so only add vectorscan when neither is there.
need libhs libvectorscan-dev
# ISA-L: gzip inflate about twice as fast as zlib (zlib stays as the reference path)
need libisal libisal-dev
# Non-library needs: the zone database (--tz, tests), a locale compiler for the non-C-locale test.
[ -f /usr/share/zoneinfo/America/New_York ] || missing="$missing tzdata"
[ -d /usr/share/i18n/locales ] && [ -f /usr/share/i18n/charmaps/UTF-8.gz ] || missing="$missing locales"
command -v gzip >/dev/null 2>&1 || missing="$missing gzip"

if [ -z "$missing" ]; then
    exit 0
fi
echo "deps: missing Debian packages:$missing"
if [ "$(id -u)" != 0 ]; then
    echo "deps: not root; run as root or install them yourself: apt-get install$missing" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "deps: no apt-get here; install the equivalents of:$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has empty package lists: update once, then install.
apt-get update -q >/dev/null || { echo "deps: apt-get update failed" >&2; exit 1; }
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null || { echo "deps: apt-get install failed:$missing" >&2; exit 1; }
echo "deps: installed$missing"
