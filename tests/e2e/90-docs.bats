#!/usr/bin/env bats
# The documentation stays true: the man pages lint clean, every command the
# binary knows is documented, and make install puts everything in place.

load helper

ROOT=$BATS_TEST_DIRNAME/../..

@test "man pages are mandoc -Tlint clean" {
	run mandoc -Tlint -Wwarning "$ROOT/man/vigil.1" "$ROOT/man/vigil.conf.5"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "every command is in vigil(1) and the README" {
	cmds=$("$VIGIL" --help | awk '/^  [a-z]/ && NF > 1 && $1 !~ /^-/ { print $1 }')
	[ -n "$cmds" ]
	for c in $cmds; do
		grep -qw "Ic $c" "$ROOT/man/vigil.1" || { echo "vigil.1 lacks $c"; false; }
		grep -q "vigil $c\\b" "$ROOT/README.md" || { echo "README lacks $c"; false; }
	done
}

@test "make install puts binary, man pages and completion under DESTDIR" {
	make -s -C "$ROOT" install DESTDIR="$T/dest" PREFIX=/usr/local VIGIL_BIN="$VIGIL" >/dev/null
	[ -x "$T/dest/usr/local/bin/vigil" ]
	[ -f "$T/dest/usr/local/share/man/man1/vigil.1" ]
	[ -f "$T/dest/usr/local/share/man/man5/vigil.conf.5" ]
	[ -f "$T/dest/usr/local/share/bash-completion/completions/vigil" ]
	grep -qx 'ExecStart=/usr/local/bin/vigil watch' "$T/dest/usr/local/lib/systemd/user/vigil.service"
	"$T/dest/usr/local/bin/vigil" version
}
