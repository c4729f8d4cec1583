#!/usr/bin/env bash
# tick.sh - the cost of one watchdog tick against the shell watchdog the
# field uses today (../shared/bench/shell-watchdog-tick.sh: 3-4 tmux execs
# per agent), on the same fleet, in the same run; and the number of tmux
# execs per tick at 10, 50 and 500 agents (a counting `tmux` first on
# PATH). CPU is user+system of the command and its children, plus the tmux
# server's own, read from /proc before and after.
# Usage: bench/tick.sh [RUNS]   (default 10 ticks per measurement)
. "$(dirname "$0")/lib.sh"
runs=${1:-10}
shell_tick=$(cd "$(dirname "$0")/.." && pwd)/../shared/bench/shell-watchdog-tick.sh
[ -x "$shell_tick" ] || shell_tick=""
cat >"$VIGIL_CONFIG" <<CONF
[preset b]
command = sleep 1000000
process = sleep
CONF

# ticks_of USER+SYS of the process tree of one command, plus the server's.
server_ticks() {
	pid=$("$REAL_TMUX" -L "$VIGIL_SOCKET" display-message -p '#{pid}' 2>/dev/null)
	[ -n "$pid" ] && awk '{ print $14 + $15 }' "/proc/$pid/stat" || echo 0
}
hz=$(getconf CLK_TCK)

# cpu_ms CMD...: mean CPU milliseconds per run of CMD over $runs runs
# (bash's time: user and system of the runs and the children they waited for).
cpu_ms() {
	local s0 s1 out
	s0=$(server_ticks)
	TIMEFORMAT='%3U %3S'
	out=$( { time (for ((k = 0; k < runs; k++)); do "$@" >/dev/null 2>&1; done); } 2>&1)
	s1=$(server_ticks)
	echo "$out" | tail -1 | awk -v s=$((s1 - s0)) -v hz="$hz" -v n="$runs" \
		'{ printf "%.2f", (($1 + $2) * 1000 + s * 1000 / hz) / n }'
}

machine
have=0
for n in 10 50 500; do
	i=$((have + 1))
	while [ "$i" -le "$n" ]; do
		"$VIGIL" spawn "a$i" -p b >/dev/null || exit 1
		i=$((i + 1))
	done
	have=$n
	"$VIGIL" watch --once 2>/dev/null # settle: booting -> working
	reset_execs
	"$VIGIL" watch --once 2>/dev/null
	e=$(execs)
	v=$(cpu_ms "$VIGIL" watch --once)
	line="agents $n: vigil watch --once: ${v} ms CPU per tick, $e tmux exec(s) per tick"
	if [ -n "$shell_tick" ] && [ "$n" -le 50 ]; then
		reset_execs
		"$shell_tick" "$VIGIL_SOCKET" "$B/shell-state" >/dev/null 2>&1
		se=$(execs)
		sv=$(cpu_ms "$shell_tick" "$VIGIL_SOCKET" "$B/shell-state")
		ratio=$(awk -v a="$sv" -v b="$v" 'BEGIN { printf "%.0f", a / b }')
		line="$line; shell watchdog: ${sv} ms CPU, $se tmux execs per tick; vigil ${ratio}x cheaper"
	fi
	echo "$line"
	[ "$e" -le 2 ] || { echo "FAIL: more than 2 tmux execs per tick"; exit 1; }
done
