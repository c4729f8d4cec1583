#!/usr/bin/env bats
# Bad input gets one line on stderr, the documented exit code, and changes
# nothing: ls --json and log --json are compared before and after.

load helper

@test "each bad name exits 64 and changes nothing" {
	"$VIGIL" spawn keep -p fake
	before=$(fingerprint)
	long=$(printf 'a%.0s' $(seq 65))
	for bad in 'x;y' '' '-x' '_hidden' 'a b' 'a/b' "$long" 'é' $'a\nb' '$(id)'; do
		must_fail 64 "$VIGIL" spawn "$bad" -p fake
		[[ "$ERR" == *"invalid agent name"* ]] || [[ "$ERR" == *"unknown flag"* ]]
	done
	must_fail 64 "$VIGIL" status 'x;y'
	must_fail 64 "$VIGIL" stop 'x;y'
	must_fail 64 "$VIGIL" send 'x;y' hi
	must_fail 64 "$VIGIL" log 'x;y'
	[ "$(fingerprint)" = "$before" ]
	! tmuxt has-session -t '=x;y' 2>/dev/null
}

@test "unknown flags, unknown commands, missing values exit 64" {
	must_fail 64 "$VIGIL" spawn a --bogus
	must_fail 64 "$VIGIL" ls --bogus
	must_fail 64 "$VIGIL" frobnicate
	must_fail 64 "$VIGIL" spawn a -C
	must_fail 64 "$VIGIL" spawn a -p
	must_fail 64 "$VIGIL" log -n
	must_fail 64 "$VIGIL" log -n -3
	must_fail 64 "$VIGIL" log -n x
	must_fail 64 "$VIGIL" --bogus ls
	must_fail 64 "$VIGIL"
	[ ! -e "$VIGIL_HOME/vigil.db" ]
}

@test "unknown preset, conflicting flags, bad restart policy exit 64" {
	must_fail 64 "$VIGIL" spawn a -p nosuch
	[[ "$ERR" == *"unknown preset 'nosuch'"* ]]
	must_fail 64 "$VIGIL" spawn a -p fake -t x -T "$T/config"
	must_fail 64 "$VIGIL" spawn a -p fake --restart always --no-restart
	must_fail 64 "$VIGIL" spawn a -p fake --restart sometimes
	must_fail 64 "$VIGIL" spawn a b -p fake
	[ ! -e "$VIGIL_HOME/vigil.db" ]
}

@test "a named input that is missing exits 66" {
	must_fail 66 "$VIGIL" spawn a -p fake -C "$T/nope"
	must_fail 66 "$VIGIL" spawn a -p fake -C "$T/config"
	must_fail 66 "$VIGIL" spawn a -p fake -T "$T/nope.txt"
	must_fail 66 "$VIGIL" -c "$T/nope.conf" ls
	VIGIL_CONFIG=$T/nope.conf must_fail 66 "$VIGIL" ls
	mkdir "$T/confdir"
	must_fail 66 "$VIGIL" -c "$T/confdir" ls
	[ ! -e "$VIGIL_HOME/vigil.db" ]
}

@test "a bad config value exits 65 naming file, line and key" {
	printf '[watch]\ninterval = 1s\nwarn_after = soon\n' >"$T/bad.conf"
	must_fail 65 "$VIGIL" -c "$T/bad.conf" ls
	[[ "$ERR" == *"$T/bad.conf:3"* ]]
	[[ "$ERR" == *warn_after* ]]
	printf '[crash]\nmax_restarts = -1\n' >"$T/neg.conf"
	must_fail 65 "$VIGIL" -c "$T/neg.conf" ls
	printf '[preset x]\nratelimit = (unclosed\n' >"$T/re.conf"
	must_fail 65 "$VIGIL" -c "$T/re.conf" ls
	[[ "$ERR" == *"re.conf:2"* ]]
	printf 'not ini at all\n' >"$T/syn.conf"
	must_fail 65 "$VIGIL" -c "$T/syn.conf" ls
}

@test "an unknown config key is a one-line warning, not an error" {
	printf '[watch]\nwarn_afterr = 5m\n' >"$T/typo.conf"
	run "$VIGIL" -c "$T/typo.conf" ls
	[ "$status" -eq 0 ]
	[[ "$output" == *"$T/typo.conf:2: unknown key 'warn_afterr' in [watch]"* ]]
}

@test "the default config path missing is not an error" {
	unset VIGIL_CONFIG
	run "$VIGIL" ls
	[ "$status" -eq 0 ]
}

@test "a preset program not on PATH exits 69 naming it" {
	must_fail 69 env PATH=/usr/bin:/bin "$VIGIL" spawn a -p claude
	[[ "$ERR" == *"'claude'"* ]]
	must_fail 69 "$VIGIL" spawn a -- no-such-program-xyz
	[[ "$ERR" == *no-such-program-xyz* ]]
	[ "$("$VIGIL" ls --json)" = "[]" ]
}

@test "missing tmux exits 69" {
	mkdir "$T/bin"
	for p in bash env fake-agent; do ln -s "$(command -v $p)" "$T/bin/$p"; done
	must_fail 69 env PATH="$T/bin" "$VIGIL" spawn a -- fake-agent work
	[[ "$ERR" == *tmux* ]]
}

@test "a vigil.db that is not a database: exit 1, file untouched" {
	mkdir -p "$VIGIL_HOME"
	printf 'this is not sqlite\n%.0s' $(seq 100) >"$VIGIL_HOME/vigil.db"
	sum=$(md5sum <"$VIGIL_HOME/vigil.db")
	must_fail 1 "$VIGIL" ls
	[[ "$ERR" == *"not a vigil database"* ]]
	must_fail 1 "$VIGIL" spawn a -p fake
	[ "$(md5sum <"$VIGIL_HOME/vigil.db")" = "$sum" ]
	[ ! -e "$VIGIL_HOME/vigil.db-wal" ]
	! tmuxt has-session -t =a 2>/dev/null
}

@test "an SQLite file of another program is not a vigil database" {
	mkdir -p "$VIGIL_HOME"
	sqlite3 "$VIGIL_HOME/vigil.db" 'CREATE TABLE t(x); INSERT INTO t VALUES(1);' 2>/dev/null ||
		skip "sqlite3 CLI not installed"
	sum=$(md5sum <"$VIGIL_HOME/vigil.db")
	must_fail 1 "$VIGIL" ls
	[ "$(md5sum <"$VIGIL_HOME/vigil.db")" = "$sum" ]
}

@test "-H naming a file is a clear error" {
	echo x >"$T/afile"
	must_fail 1 "$VIGIL" -H "$T/afile" ls
	[[ "$ERR" == *"not a directory"* ]]
}

@test "text that is not UTF-8 and a 10,000-char argument" {
	"$VIGIL" spawn u -- fake-agent prompt
	before=$(fingerprint)
	must_fail 65 "$VIGIL" send u $'\xff\xfe'
	must_fail 65 "$VIGIL" spawn v -p fake -t $'bad \xc3'
	long=$(head -c 10000 /dev/zero | tr '\0' a)
	must_fail 64 "$VIGIL" spawn "$long" -p fake
	must_fail 64 "$VIGIL" status "$long"
	[ "$(fingerprint)" = "$before" ]
}
