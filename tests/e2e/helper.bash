# helper.bash - what every end-to-end test loads. Each test gets its own
# trash directory, its own tmux server (own TMUX_TMPDIR and -L socket), its
# own VIGIL_HOME and HOME, and cleans up only what it started.

setup() {
	: "${VIGIL:=$BATS_TEST_DIRNAME/../../vigil}"
	export VIGIL
	FIX=$(cd "$BATS_TEST_DIRNAME/../fixtures" && pwd)
	export FIX
	# A short path: tmux socket paths are limited to about 100 bytes.
	T=$(mktemp -d /tmp/vigil-e2e.XXXXXX)
	export T
	export TMUX_TMPDIR=$T/tmux
	mkdir -p "$TMUX_TMPDIR"
	export VIGIL_HOME=$T/home
	export VIGIL_SOCKET=vt$$n$BATS_TEST_NUMBER
	export VIGIL_CONFIG=$T/config
	export HOME=$T
	export XDG_CONFIG_HOME=$T/.config XDG_STATE_HOME=$T/.state
	unset TMUX TMUX_PANE
	export PATH="$FIX:$PATH"
	cat >"$VIGIL_CONFIG" <<-CONF
	[watch]
	interval = 100ms
	confirm = 500ms
	ready_timeout = 3s
	[preset fake]
	command = fake-agent work
	process = fake-agent
	CONF
	WATCH_PIDS=""
}

teardown() {
	# A failed test shows what its watchdog said.
	if [ -z "${BATS_TEST_COMPLETED:-}" ] && [ -s "$T/watch.log" ]; then
		echo "--- watch.log"
		tail -n 40 "$T/watch.log"
	fi
	# A test that stopped the tmux server must not leave it stopped.
	[ -n "${STOPPED_PID:-}" ] && kill -CONT "$STOPPED_PID" 2>/dev/null
	for p in $WATCH_PIDS; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	tmux -L "$VIGIL_SOCKET" kill-server 2>/dev/null
	# The agents' wrappers may still be writing their exit files.
	rm -rf "$T" 2>/dev/null || { sleep 0.5; rm -rf "$T"; }
}

# tmuxt runs tmux on the test's own server.
tmuxt() {
	tmux -L "$VIGIL_SOCKET" "$@"
}

# must_fail CODE CMD... runs CMD, which must exit with CODE (never with a
# signal, > 128, which is a crash) and print exactly one line on stderr.
must_fail() {
	local want=$1
	shift
	local errf=$T/must_fail.err
	local got=0
	"$@" >"$T/must_fail.out" 2>"$errf" || got=$?
	if [ "$got" -gt 128 ]; then
		echo "crashed with status $got: $*" >&2
		cat "$errf" >&2
		return 1
	fi
	if [ "$got" -ne "$want" ]; then
		echo "exit $got, want $want: $*" >&2
		cat "$errf" >&2
		return 1
	fi
	local lines
	# -a: a line that quotes bad bytes back is still a line of text.
	lines=$(grep -avc '^vigil: warning:' "$errf" || true)
	if [ "$lines" -ne 1 ]; then
		echo "want one line on stderr, got $lines: $*" >&2
		cat "$errf" >&2
		return 1
	fi
	ERR=$(grep -av '^vigil: warning:' "$errf" || true)
}

# wait_for SECONDS CMD...: retry CMD until it succeeds or time runs out.
wait_for() {
	local limit=$1
	shift
	local end=$(($(date +%s%N) / 1000000 + limit * 1000))
	while ! "$@" >/dev/null 2>&1; do
		if [ $(($(date +%s%N) / 1000000)) -ge "$end" ]; then
			echo "timed out after ${limit}s waiting for: $*" >&2
			return 1
		fi
		sleep 0.05
	done
}

# field NAME KEY: one field of the agent's ls --json object.
field() {
	"$VIGIL" ls --json | jq -r --arg n "$1" ".[] | select(.name == \$n) | .$2"
}

state_is() {
	[ "$(field "$1" state)" = "$2" ]
}

# screen NAME: the text of the agent's pane and a little history (a dead
# pane scrolls its last screen up a line to say "Pane is dead").
screen() {
	tmuxt capture-pane -p -J -S -20 -t "=$1:"
}

screen_has() {
	screen "$1" | grep -qF -- "$2"
}

# snapshot of what a bad command must not change.
fingerprint() {
	{
		"$VIGIL" ls --json | jq -c 'map(del(.pid, .agent_pid))'
		"$VIGIL" log --json
	} 2>/dev/null
}

# start_watch [ARGS]: a watchdog in the background, stopped in teardown.
start_watch() {
	"$VIGIL" watch "$@" 2>>"$T/watch.log" &
	WATCH_PIDS="$WATCH_PIDS $!"
	WATCH_PID=$!
}

events() {
	"$VIGIL" log --json "$@" | jq -r '.kind'
}

# count_events NAME KIND [DETAIL-START]: how many events of KIND the agent
# has (NAME "-": the fleet's own events), those whose detail starts so.
count_events() {
	local who=$1 kind=$2 start=${3-}
	local args=(--json)
	[ "$who" = - ] || args=("$who" --json)
	"$VIGIL" log "${args[@]}" | jq -s --arg k "$kind" --arg s "$start" \
		'[.[] | select(.kind == $k and (.detail | startswith($s)))] | length'
}

# has_event NAME KIND [DETAIL-START]: at least one such event.
has_event() {
	[ "$(count_events "$@")" -gt 0 ]
}

# events_at_least NAME KIND N: the agent has N or more events of KIND.
events_at_least() {
	[ "$(count_events "$1" "$2")" -ge "$3" ]
}
