#!/bin/sh
# deps.sh - find missing build and test dependencies; install them with
# apt-get when run as root, else print the exact apt-get line and fail.
# Usage: build-aux/deps.sh [--print]   (--print: only list the packages)
set -u

missing=""
add() { case " $missing " in *" $1 "*) ;; *) missing="$missing $1" ;; esac; }

command -v pkg-config >/dev/null 2>&1 || add pkg-config
command -v cc >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1 || add gcc
command -v make >/dev/null 2>&1 || add make
command -v tmux >/dev/null 2>&1 || add tmux
command -v bats >/dev/null 2>&1 || add bats
command -v git >/dev/null 2>&1 || add git
command -v mandoc >/dev/null 2>&1 || add mandoc
command -v jq >/dev/null 2>&1 || add jq
command -v sqlite3 >/dev/null 2>&1 || add sqlite3
[ -e /usr/share/zoneinfo/Europe/Rome ] || add tzdata

# Libraries: pkg-config module -> Debian package.
for pair in sqlite3:libsqlite3-dev libcrypto:libssl-dev libgit2:libgit2-dev \
    inih:libinih-dev jansson:libjansson-dev libpcre2-8:libpcre2-dev \
    cmocka:libcmocka-dev; do
	mod=${pair%%:*} pkg=${pair#*:}
	if command -v pkg-config >/dev/null 2>&1; then
		pkg-config --exists "$mod" 2>/dev/null || add "$pkg"
	else
		add "$pkg"
	fi
done

missing=${missing# }
[ -z "$missing" ] && exit 0
if [ "${1:-}" = "--print" ]; then
	echo "$missing"
	exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "deps: installing $missing"
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086
	apt-get install -y -q $missing >/dev/null 2>&1 ||
		{ apt-get update -q >/dev/null && apt-get install -y -q $missing; } || {
		echo "deps: apt-get could not install: $missing" >&2
		exit 1
	}
	exit 0
fi
echo "vigil: missing build dependencies; install them with:" >&2
echo "  sudo apt-get install -y $missing" >&2
exit 1
