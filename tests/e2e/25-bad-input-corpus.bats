#!/usr/bin/env bats
# The bad-input corpus (issue 9, item 3): every command, fed bad names,
# unknown flags, missing values, bad durations and counts, long and
# invalid text, a broken or read-only store, a state dir on a file and
# bad configs. Each row must give the documented exit code, exactly one
# line on stderr, no crash (must_fail), and change nothing: ls --json and
# log --json of a fleet of two agents are compared before and after, and no
# tmux session may appear. 20-bad-input.bats has the first cases; this file
# adds the rest and does not repeat them.
#
# A row is "CODE|ARG|ARG...". An ARG written as a placeholder is replaced
# whole: @E@ empty, @N@ the value of the round ($NAME), @L@ 10,000 chars,
# @B@ bytes that are not UTF-8 ($'\xff\xfe'), @BL@ 10,000 chars then @B@.
# Where a check is made once for all commands (the config and the socket
# name are read before dispatch), the bad values take the commands in
# turn rather than every pair: each run costs a fork and exec of vigil.

load helper

# A name or text put in by ${x/pattern/string} is taken as it is.
shopt -u patsub_replacement 2>/dev/null || true

LONG=$(head -c 10000 /dev/zero | tr '\0' a)
BAD=$'\xff\xfe'
# The names every command that takes NAME must refuse with 64 (usage);
# '-x' is read as an unknown flag, which is 64 too.
BAD_NAMES=('x;y' '' '-x' '_hidden' "$(printf 'a%.0s' $(seq 65))" "$LONG" "$BAD"
	$'a\nb')
# Every command, with arguments that would be good.
EVERY=('spawn|c|-p|fake' ls 'status|a' 'attach|a' 'send|b|hi' 'nudge|b|hi' 'stop|a'
	'rm|a' 'watch|--once' 'checkpoint|a|-s|x' 'handoff|a' 'resume|a'
	'resume|a|--dry-run' 'log|a|-n|1' 'triage|a' 'triage|a|--dry-run' doctor
	version)

# The read-only test makes vigil.db immutable: undo that before the trash
# directory is removed.
eval "helper_$(declare -f teardown)"
teardown() {
	[ -z "${IMMUTABLE:-}" ] || chattr -i "$IMMUTABLE" 2>/dev/null || true
	helper_teardown
}

# fleet: two agents, a (the fake preset, working) and b (an idle prompt),
# then the snapshot that bad input must leave as it is.
fleet() {
	"$VIGIL" spawn a -p fake >/dev/null
	"$VIGIL" spawn b -- fake-agent prompt >/dev/null
	wait_for 5 screen_has b "> "
	BEFORE=$(fingerprint)
	SESSIONS=$(tmuxt list-sessions -F '#{session_name}' | sort)
}

# unchanged: the fleet's records and tmux's sessions are as fleet left them.
unchanged() {
	[ "$(fingerprint)" = "$BEFORE" ] || {
		echo "the store changed:" >&2
		diff <(echo "$BEFORE") <(fingerprint) >&2
		return 1
	}
	[ "$(tmuxt list-sessions -F '#{session_name}' | sort)" = "$SESSIONS" ] || {
		echo "tmux sessions changed:" >&2
		tmuxt list-sessions >&2
		return 1
	}
}

# expect CODE ARG...: vigil with ARGs exits CODE; a non-zero CODE also
# wants exactly one line on stderr (must_fail), 0 wants no crash. A
# watchdog that should have refused to start must not hang the suite.
expect() {
	local want=$1
	shift
	local run=("$VIGIL")
	[[ " $* " != *" watch "* ]] || run=(timeout 30 "$VIGIL")
	if [ "$want" -ne 0 ]; then
		must_fail "$want" "${run[@]}" "$@"
		return
	fi
	local got=0
	"${run[@]}" "$@" >"$T/expect.out" 2>"$T/expect.err" || got=$?
	[ "$got" -eq 0 ] || {
		echo "exit $got, want 0: vigil $*" >&2
		cat "$T/expect.err" >&2
		return 1
	}
}

# rows ROW...: expect each "CODE|ARG..." row, placeholders replaced (few
# commands per row: bats traces each one, and there are hundreds of rows).
rows() {
	local row
	local -a f
	for row in "$@"; do
		IFS='|' read -r -a f <<<"$row"
		f=("${f[@]/#@E@/}")
		f=("${f[@]/#@N@/$NAME}")
		f=("${f[@]/#@L@/$LONG}")
		f=("${f[@]/#@BL@/$LONG$BAD}")
		f=("${f[@]/#@B@/$BAD}")
		expect "${f[@]}" || {
			echo "in row: $row (@N@ = '$NAME')" >&2
			return 1
		}
	done
}

# every CODE GLOBAL: every command once after the global flags GLOBAL
# ("-H|DIR"), each wanting CODE but version, which reads neither the store
# nor the config (0).
every() {
	local code=$1 global=$2 cmd want
	for cmd in "${EVERY[@]}"; do
		want=$code
		[ "$cmd" != version ] || want=0
		rows "$want|$global|$cmd" || return 1
	done
}

@test "corpus: every command that takes NAME refuses each bad name with 64" {
	fleet
	for NAME in "${BAD_NAMES[@]}"; do
		rows '64|status|@N@|--json' '64|attach|@N@' '64|send|@N@|hi' '64|nudge|@N@' \
			'64|stop|@N@|--reason|r' '64|rm|@N@' '64|checkpoint|@N@|-s|x' \
			'64|handoff|@N@' '64|resume|@N@|--dry-run' '64|log|@N@' '64|triage|@N@'
		# checkpoint takes its NAME from the pane's VIGIL_AGENT too.
		[ -z "$NAME" ] || VIGIL_AGENT=$NAME must_fail 64 "$VIGIL" checkpoint -s x
	done
	# spawn's bad names are in 20-bad-input.bats; the one it lacks is here.
	NAME=$BAD rows '64|spawn|@N@|-p|fake'
	unchanged
}

@test "corpus: unknown flags, short and long, and flags given a value they do not take: 64" {
	fleet
	local cmd
	for cmd in "${EVERY[@]}"; do
		rows "64|${cmd}|-Z" "64|${cmd}|--bogus"
		# Named whole, even by the commands without long options.
		[[ "$ERR" == *"unknown flag '--bogus'" ]]
	done
	rows '64|send|b|--@B@' '64|version|--bogus=1' '64|-Z|ls' '64|--bogus|ls' \
		'64|ls|--json=1' '64|watch|--once=1' '64|resume|a|--dry-run=1' \
		'64|triage|a|--dry-run=yes' '64|spawn|c|-p|fake|--worktree=x' \
		'64|spawn|c|-p|fake|--no-restart=1' '64|attach|a|--read-only=1'
	unchanged
}

@test "corpus: a flag without its value: 64" {
	fleet
	rows '64|spawn|c|-t' '64|spawn|c|--task' '64|spawn|c|-T' '64|spawn|c|--task-file' \
		'64|spawn|c|--dir' '64|spawn|c|--preset' '64|spawn|c|--restart' \
		'64|stop|a|--reason' '64|handoff|a|--reason' '64|checkpoint|a|-s' \
		'64|checkpoint|a|--summary' '64|checkpoint|a|--pending' \
		'64|checkpoint|a|--questions' '64|watch|-i' '64|watch|--interval' \
		'64|watch|--once|-i' '64|-H' '64|-L' '64|-c' '64|-H|@E@|ls'
	unchanged
}

@test "corpus: bad durations and bad counts: 64, and no watchdog starts" {
	fleet
	local d
	for d in soon -5s 0 0s 9ms 0.001s @E@ 1x 1.5.s 1s-2 1e3s 99999999999999999999h 367d; do
		rows "64|watch|-i|$d"
	done
	rows '64|watch|--once|--interval=-1s' '64|watch|--interval=0'
	for d in -1 -5 @E@ 1.5 0x10 1e3 99999999999999999999 ten; do
		rows "64|log|a|-n|$d"
	done
	[ ! -e "$VIGIL_HOME/watch.lock" ]
	unchanged
}

@test "corpus: the wrong number of arguments: 64" {
	fleet
	rows '64|send' '64|send|b' '64|send|b|x|y' '64|nudge' '64|nudge|b|x|y' '64|stop' \
		'64|stop|a|b' '64|rm' '64|rm|a|b' '64|status' '64|status|a|b' '64|log|a|b' \
		'64|triage' '64|triage|a|b' '64|resume' '64|resume|a|b' '64|handoff' \
		'64|handoff|a|b' '64|checkpoint|a|b' '64|doctor|x' '64|version|x' '64|ls|x' \
		'64|watch|x' '64|attach|a|b' '64|spawn' '64|spawn|c|d|-p|fake' '64|spawn|c|--' \
		'64|spawn|--|fake-agent|work'
	# No NAME and no VIGIL_AGENT; no NAME and two agents to choose from.
	rows '64|checkpoint' '64|attach'
	unchanged
}

@test "corpus: unknown commands and bad socket names: 64, on one line" {
	fleet
	# Commands match whole: no prefix, no case folding.
	rows '64|@E@' '64|@L@' '64|@B@' '64|LS' '64|ls ' '64|sta'
	# A newline in what is echoed back must not make a second line.
	NAME=$'ls\n' rows '64|@N@'
	NAME=$'--bo\ngus' rows '64|@N@|ls'
	[[ "$ERR" == *'\x0a'* ]]
	# -L is checked before any command: the names take the commands in turn.
	local -a socks=('' a/b "$LONG" "$(printf 's%.0s' $(seq 101))" "$BAD" $'a\nb' $'a\tb')
	local i
	for i in "${!EVERY[@]}"; do
		NAME=${socks[i % ${#socks[@]}]} rows "64|-L|@N@|${EVERY[i]}"
	done
	for NAME in "${socks[@]}"; do
		VIGIL_SOCKET=$NAME must_fail 64 "$VIGIL" ls
	done
	unchanged
}

@test "corpus: text that is not UTF-8: 65; too long a reason: 65" {
	fleet
	printf 'fix the \xc3 bug\n' >"$T/bad.txt"
	printf 'fix it\0 and then rm -rf /\n' >"$T/nul.txt"
	head -c $((1024 * 1024 + 1)) /dev/zero | tr '\0' a >"$T/big.txt"
	# send and spawn -t are in 20-bad-input.bats; 10,000 chars and then
	# a bad byte is bad too.
	rows '65|send|b|@BL@' '65|nudge|b|@B@' '65|nudge|b|@BL@' '65|spawn|c|-p|fake|-t|@BL@' \
		'65|spawn|c|--|fake-agent|args|@B@' "65|spawn|c|-p|fake|-T|$T/bad.txt" \
		"65|spawn|c|-p|fake|-T|$T/nul.txt" "65|spawn|c|-p|fake|-T|$T/big.txt" \
		'65|stop|a|--reason|@B@' '65|checkpoint|a|-s|@B@' '65|checkpoint|a|--pending|@B@' \
		'65|checkpoint|a|--questions|@BL@' '65|handoff|a|--reason|@B@'
	[[ "$ERR" == *"not valid UTF-8"* ]]
	# stop keeps a reason to 4096 bytes (handoff, to 64 KiB): 10,000 is bad data.
	rows '65|stop|a|--reason|@L@'
	# 10,000 chars of good text for an agent that is not there, or taken: 1.
	rows '1|send|zz|@L@' '1|nudge|zz|@L@' '1|checkpoint|zz|-s|@L@' \
		'1|handoff|zz|--reason|@L@' '1|spawn|a|-p|fake|-t|@L@'
	! screen_has b aaaaaaaaaa
	unchanged
}

@test "corpus: a 10,000-char text is taken where text is accepted" {
	"$VIGIL" spawn b -- fake-agent prompt >/dev/null
	wait_for 5 screen_has b "> "
	rows '0|send|b|@L@' '0|nudge|b|@L@' '0|checkpoint|b|-s|@L@' \
		'0|checkpoint|b|--pending|@L@|--questions|@L@' '0|handoff|b|--reason|@L@' \
		'0|spawn|c|-t|@L@|--|fake-agent|prompt'
	[ "$(count_events b checkpoint)" -ge 3 ]
	[ "$(count_events b nudge manual:)" = 1 ]
	has_event c spawn
}

@test "corpus: a named input that is missing or not a file: 66" {
	fleet
	echo x >"$T/afile"
	mkdir "$T/adir"
	# -T naming a directory, a path through a file, a name too long: the
	# file cannot be read, which the contract calls a missing input (66),
	# not bad data (65, for what a file holds).
	rows "66|spawn|c|-p|fake|-T|$T/adir" "66|spawn|c|-p|fake|-T|$T/afile/x" \
		"66|spawn|c|-p|fake|-T|/tmp/$LONG" '66|spawn|c|-p|fake|-T|@B@' \
		"66|spawn|c|-p|fake|-C|$T/afile/x" "66|spawn|c|-p|fake|-C|/tmp/$LONG" \
		'66|spawn|c|-p|fake|-C|@B@'
	unchanged
}

@test "corpus: a bad config: 65 for what it holds, 66 when it cannot be read" {
	fleet
	mkdir "$T/confdir"
	printf '[watch]\ninterval = 1s\nnudge_after = soon\n' >"$T/value.conf"
	printf '[preset fake]\nidle = [z-a]\n' >"$T/regex.conf"
	printf '[preset fake]\ncommand = fake-agent %s\n' "$LONG" >"$T/long.conf"
	printf '[watch]\ninterval = 1s\n# %s\n' "$LONG" >"$T/comment.conf"
	printf '[watch]\ninterval = \xff\n' >"$T/utf8.conf"
	head -c 4096 /dev/zero >"$T/zeros.conf"
	printf '[watch]\ninterval = 1s\n\0\n' >"$T/nul.conf"
	# A directory cannot be read: an input the user named is missing (66);
	# what a file holds (a value, a regex, a line, NUL bytes) is data (65).
	every 65 "-c|$T/value.conf"
	[[ "$ERR" == *"$T/value.conf:3: nudge_after"* ]]
	local -a confs=(66:confdir 66:nope.conf 65:regex.conf 65:long.conf 65:comment.conf
		65:utf8.conf 65:zeros.conf 65:nul.conf)
	local i c
	for i in "${!EVERY[@]}"; do
		[ "${EVERY[i]}" != version ] || continue
		c=${confs[i % ${#confs[@]}]}
		rows "${c%%:*}|-c|$T/${c#*:}|${EVERY[i]}"
		[[ "$ERR" == *"$T/${c#*:}"* ]]
	done
	# The same through VIGIL_CONFIG, and at the default path, which may be
	# missing but may not be a directory.
	VIGIL_CONFIG=$T/confdir must_fail 66 "$VIGIL" ls
	VIGIL_CONFIG=$T/nul.conf must_fail 65 "$VIGIL" stop a
	[[ "$ERR" == *"$T/nul.conf:3: a NUL byte"* ]]
	mkdir -p "$XDG_CONFIG_HOME/vigil/config"
	(unset VIGIL_CONFIG && must_fail 66 "$VIGIL" spawn c -p fake)
	# Input without end is read up to its first error, never for ever.
	must_fail 65 timeout 10 "$VIGIL" -c /dev/zero ls
	must_fail 65 timeout 10 "$VIGIL" -c /dev/urandom ls
	unchanged
}

@test "corpus: a vigil.db of random bytes, or a real one cut in half: 1, file untouched" {
	fleet
	mkdir -p "$T/random" "$T/half"
	head -c 65536 /dev/urandom >"$T/random/vigil.db"
	cp "$VIGIL_HOME/vigil.db" "$T/half/vigil.db"
	truncate -s $(($(stat -c %s "$T/half/vigil.db") / 2)) "$T/half/vigil.db"
	local h
	for h in random half; do
		sum=$(md5sum <"$T/$h/vigil.db")
		every 1 "-H|$T/$h"
		[ "$(md5sum <"$T/$h/vigil.db")" = "$sum" ]
	done
	unchanged
}

@test "corpus: a read-only vigil.db: writers refuse with 1 before acting, readers read" {
	fleet
	# As root, chmod 444 stops no write: make the file immutable instead
	# (chattr +i, root only); as another user, chmod 444 is enough. When
	# neither works (root without CAP_LINUX_IMMUTABLE, a filesystem with no
	# such flag), no file here is read-only to us: skip.
	if chattr +i "$VIGIL_HOME/vigil.db" 2>/dev/null; then
		IMMUTABLE=$VIGIL_HOME/vigil.db
	elif [ "$(id -u)" -ne 0 ]; then
		chmod 444 "$VIGIL_HOME/vigil.db"
	else
		skip "root without chattr +i: no file is read-only to root"
	fi
	sum=$(md5sum <"$VIGIL_HOME/vigil.db")
	# Writers: 1, before anything is done (a nudge is not typed, no tick
	# runs, no lock is taken). send records nothing, so it may type: left out.
	rows '1|spawn|c|-p|fake' '1|nudge|b|marker-nudge' '1|stop|a' '1|rm|a' \
		'1|watch|--once' '1|checkpoint|a|-s|x' '1|handoff|a' '1|resume|a' \
		'1|triage|a' '1|stop|a|--reason|why'
	[[ "$ERR" == *"read-only"* ]]
	rows '1|doctor'
	grep -q '^FAIL  store: .*read-only' "$T/must_fail.out"
	# Readers: the store reads fine.
	rows '0|ls' '0|ls|--json' '0|status|a' '0|status|b|--json' '0|log' \
		'0|log|a|--json' '0|triage|a|--dry-run'
	[ "$(md5sum <"$VIGIL_HOME/vigil.db")" = "$sum" ]
	! screen_has b marker-nudge
	[ ! -e "$VIGIL_HOME/watch.lock" ]
	unchanged
}

@test "corpus: a state dir that is a file, under a file or too long: 1" {
	fleet
	echo x >"$T/afile"
	every 1 "-H|$T/afile"
	local -a homes=("$T/afile/sub" "/tmp/$LONG")
	local i
	for i in "${!EVERY[@]}"; do
		[ "${EVERY[i]}" != version ] || continue
		NAME=${homes[i % 2]} rows "1|-H|@N@|${EVERY[i]}"
	done
	VIGIL_HOME=$T/afile must_fail 1 "$VIGIL" stop a
	[ "$(cat "$T/afile")" = x ]
	unchanged
}
