#!/usr/bin/env bash
# chaos.sh - the drill: a fleet of fake agents (working, hanging, crashing,
# rate-limited) under a watchdog with short thresholds, and a fault
# injector that, in random order, kills agents, sessions, the tmux server
# and the watchdog itself (kill -9, mid-tick), stops an agent for longer
# than terminate_after, floods a pane, prints a rate-limit line into one,
# and holds an exclusive lock on the store. After each fault it waits for
# recovery by the contract and measures how long it took.
#
# Usage: bench/chaos.sh [--quick] [--count N] [--seed S] [--only K,K...]
#   --quick   100 faults (CI); the default is 1000
#   --only    only these kinds of fault (0-7, as numbered in the case below)
# Report: faults injected, recovered, not recovered (which), recovery time
# p50/p95/max, events lost (every event seen is still in the log at the
# end), and PRAGMA integrity_check. Exit status 0 only if all recovered,
# none lost, integrity ok.
. "$(dirname "$0")/lib.sh"

count=1000
seed=$$
only=
while [ $# -gt 0 ]; do
	case $1 in
	--quick) count=100 ;;
	--count) count=$2; shift ;;
	--seed) seed=$2; shift ;;
	--only) only=,$2,; shift ;;
	*) echo "usage: bench/chaos.sh [--quick] [--count N] [--seed S] [--only K,K...]" >&2; exit 64 ;;
	esac
	shift
done
RANDOM=$seed
command -v sqlite3 >/dev/null || { echo "chaos: needs the sqlite3 CLI (apt-get install sqlite3)" >&2; exit 69; }
LIMIT=30 # seconds a recovery may take before it counts as not recovered

cat >"$VIGIL_CONFIG" <<CONF
[watch]
interval = 100ms
warn_after = 500ms
nudge_after = 1s
triage_after = 1500ms
terminate_after = 2500ms
max_nudges = 1
boot_grace = 3s
tmux_timeout = 2s
[crash]
backoff_base = 100ms
backoff_factor = 2
backoff_max = 1s
window = 2s
max_in_window = 10
max_restarts = 1000000
[ratelimit]
cooldown = 1s
max_renewals = 1
margin = 0ms
shared = no
[triage]
command = fake-triage continue
timeout = 2s
max_per_hour = 100000
max_parallel = 4
[preset fake]
command = fake-agent work 300
process = fake-agent
nudge = please continue
idle = ^>\\s*$
ratelimit = chaos usage limit reached
[preset limited]
command = fake-agent ratelimit
process = fake-agent
nudge = please continue
ratelimit = (?i)usage limit reached
resume = continue
CONF

machine
echo "chaos: $count faults, seed $seed"
"$VIGIL" spawn w1 -p fake >/dev/null || exit 1
"$VIGIL" spawn w2 -p fake >/dev/null
"$VIGIL" spawn w3 -p fake -- fake-agent prompt >/dev/null
"$VIGIL" spawn hang -p fake -- fake-agent hang >/dev/null
"$VIGIL" spawn crash -p fake -- fake-agent crash 1 3000 >/dev/null
"$VIGIL" spawn limit -p limited -- fake-agent ratelimit "Claude usage limit reached." 2 >/dev/null
AGENTS="w1 w2 w3 hang crash limit"
DB=$VIGIL_HOME/vigil.db

start_watch() {
	"$VIGIL" watch 2>>"$B/watch.log" &
	WATCH_PID=$!
}
start_watch

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# since KIND AGENT T: the first event of KIND for AGENT after T (ms), or "".
first_event_after() {
	sqlite3 -cmd ".timeout 10000" "$DB" \
		"SELECT min(ts) FROM events WHERE kind IN ($1) AND agent = '$2' AND ts > $3" 2>/dev/null
}
beat() {
	sqlite3 -cmd ".timeout 10000" "$DB" "SELECT beat FROM heartbeat WHERE id = 1" 2>/dev/null
}
# ls_pid NAME: the pid ls shows for NAME (the wrapper's while it is still
# starting the agent), or "".
ls_pid() {
	"$VIGIL" ls --json 2>/dev/null | jq -r --arg n "$1" '.[] | select(.name == $n) | .pid // empty'
}
# is_agent PID: PID runs a fake agent (bash fake-agent ...), not its wrapper
# (vigil _run ... -- fake-agent ...).
is_agent() { tr '\0' '\n' 2>/dev/null <"/proc/$1/cmdline" | head -2 | grep -q '/fake-agent$'; }
# agent_pid NAME: the pid of NAME's agent process, once it runs, or "".
agent_pid() {
	local k p
	for ((k = 0; k < 40; k++)); do
		p=$(ls_pid "$1")
		if [ -n "$p" ] && is_agent "$p"; then
			echo "$p"
			return
		fi
		sleep 0.05
	done
}
tty_of() {
	"$REAL_TMUX" -L "$VIGIL_SOCKET" display-message -p -t "=$1:" '#{pane_tty}' 2>/dev/null
}
pick() { set -- $AGENTS; shift $((RANDOM % $#)); echo "$1"; }

# wait_event KINDS AGENT T [OLDPID]: until such an event after T; echoes
# its time. With OLDPID, an agent that runs again as another process counts
# too: a restart decided before T (the tick's time) may launch after it.
wait_event() {
	local end=$(($(now_ms) + LIMIT * 1000)) t p
	while [ "$(now_ms)" -lt "$end" ]; do
		t=$(first_event_after "$1" "$2" "$3")
		[ -n "$t" ] && { echo "$t"; return 0; }
		if [ -n "${4:-}" ]; then
			p=$(ls_pid "$2")
			if [ -n "$p" ] && [ "$p" != "$4" ] && is_agent "$p"; then
				now_ms
				return 0
			fi
		fi
		sleep 0.05
	done
	return 1
}
# wait_beat T: until the watchdog's heartbeat is after T; echoes its time.
wait_beat() {
	local end=$(($(now_ms) + LIMIT * 1000)) b
	while [ "$(now_ms)" -lt "$end" ]; do
		b=$(beat)
		[ -n "$b" ] && [ "$b" -gt "$1" ] && { echo "$b"; return 0; }
		sleep 0.05
	done
	return 1
}

: >"$B/times"
: >"$B/failures"
seen=$B/seen.log
recovered=0
failed=0
declare -A kinds
for ((i = 1; i <= count; i++)); do
	fault=$((RANDOM % 8))
	victim=$(pick)
	case $only in "" | *",$fault,"*) ;; *) i=$((i - 1)); continue ;; esac
	t0=$(now_ms)
	done_at=""
	case $fault in
	0) # kill -9 an agent's process: a crash, a restart
		name="kill -9 agent"
		p=$(agent_pid "$victim")
		if [ -z "$p" ] || [ "$p" = null ]; then i=$((i - 1)); sleep 0.2; continue; fi
		kill -9 "$p" 2>/dev/null
		done_at=$(wait_event "'restart','resume'" "$victim" "$t0" "$p")
		;;
	1) # kill its session: dead, a restart
		name="kill-session"
		p=$(ls_pid "$victim")
		"$REAL_TMUX" -L "$VIGIL_SOCKET" kill-session -t "=$victim" 2>/dev/null
		done_at=$(wait_event "'restart','resume'" "$victim" "$t0" "${p:-none}")
		;;
	2) # kill -9 the watchdog at a random moment, start it again
		name="kill -9 watchdog"
		sleep "0.$((RANDOM % 10))$((RANDOM % 10))"
		t0=$(now_ms)
		kill -9 "$WATCH_PID" 2>/dev/null
		wait "$WATCH_PID" 2>/dev/null
		start_watch
		done_at=$(wait_beat "$t0")
		;;
	3) # stop an agent for longer than terminate_after: terminated, restarted
		name="SIGSTOP agent"
		victim=$(set -- w1 w2 w3; shift $((RANDOM % 3)); echo "$1")
		p=$(agent_pid "$victim")
		if [ -z "$p" ] || [ "$p" = null ]; then i=$((i - 1)); sleep 0.2; continue; fi
		kill -STOP "$p" 2>/dev/null
		done_at=$(wait_event "'restart','resume'" "$victim" "$t0" "$p")
		kill -CONT "$p" 2>/dev/null
		;;
	4) # flood a pane with output: the watchdog keeps ticking
		name="flood a pane"
		tty=$(tty_of "$victim")
		if [ -n "$tty" ] && [ -w "$tty" ]; then
			head -c 2000000 /dev/urandom | base64 -w 200 >"$tty" 2>/dev/null
		fi
		done_at=$(wait_beat "$(now_ms)")
		;;
	5) # a rate-limit line in a working agent's pane: cooling
		name="rate-limit line"
		# Into an agent that works now (cooling already, it would not count).
		victim=$("$VIGIL" ls --json 2>/dev/null | jq -r '[.[] | select(.state == "working" and
		    (.name == "w1" or .name == "w2"))] | .[0].name // empty')
		if [ -z "$victim" ]; then i=$((i - 1)); sleep 0.2; continue; fi
		p=$(ls_pid "$victim")
		tty=$(tty_of "$victim")
		[ -n "$tty" ] && printf '\nchaos usage limit reached (%d)\n' "$i" >"$tty" 2>/dev/null
		# Or its pane was being replaced as the line went in: it runs anew.
		done_at=$(wait_event "'ratelimit'" "$victim" "$t0" "${p:-none}")
		;;
	6) # hold an exclusive lock on the store for a few seconds
		name="exclusive lock"
		secs=$((2 + RANDOM % 3))
		sqlite3 "$DB" "BEGIN EXCLUSIVE;" ".shell sleep $secs" "COMMIT;" >/dev/null 2>&1
		# Recovery counts from the release of the lock.
		t0=$(now_ms)
		done_at=$(wait_beat "$t0")
		;;
	7) # kill the tmux server: every agent started again
		name="kill the tmux server"
		declare -A before=()
		for a in $AGENTS; do before[$a]=$(ls_pid "$a"); done
		"$REAL_TMUX" -L "$VIGIL_SOCKET" kill-server 2>/dev/null
		done_at=""
		all=1
		for a in $AGENTS; do
			t=$(wait_event "'restart','resume'" "$a" "$t0" "${before[$a]:-none}") ||
			    { all=0; victim=$a; break; }
			[ -z "$done_at" ] || [ "$t" -gt "$done_at" ] && done_at=$t
		done
		[ $all = 1 ] || done_at=""
		;;
	esac
	kinds[$name]=$((${kinds[$name]:-0} + 1))
	if [ -n "${CHAOS_VERBOSE:-}" ]; then
		if [ -n "$done_at" ]; then
			echo "fault $i: $name ($victim): recovered in $((done_at - t0))ms" >&2
		else
			echo "fault $i: $name ($victim): NOT RECOVERED" >&2
		fi
	fi
	if [ -n "$done_at" ]; then
		recovered=$((recovered + 1))
		echo $((done_at - t0)) >>"$B/times"
	else
		failed=$((failed + 1))
		echo "fault $i: $name ($victim) not recovered within ${LIMIT}s" | tee -a "$B/failures"
		# What the victim looks like now, for whoever reads the report.
		{
			"$VIGIL" ls 2>&1 | grep -E "^[a-z-]+ +$victim "
			pp=$("$REAL_TMUX" -L "$VIGIL_SOCKET" display-message -p -t "=$victim:" '#{pane_pid}' 2>&1)
			echo "  pane pid $pp"
			ps -o pid,stat,etime,args --pid "$pp" --ppid "$pp" 2>&1 | sed 's/^/  /'
			sqlite3 -cmd ".timeout 10000" "$DB" "SELECT ts, kind, detail FROM events
			    WHERE agent = '$victim' ORDER BY id DESC LIMIT 8" 2>&1 | sed 's/^/  /'
		} | tee -a "$B/failures"
	fi
	# Remember every event seen so far; at the end each must still be there.
	if ((i % 10 == 0)); then
		sqlite3 -cmd ".timeout 10000" "$DB" "SELECT id || '|' || ts || '|' || kind FROM events" \
			>>"$seen" 2>/dev/null
		printf "chaos: %d/%d faults, %d recovered\n" "$i" "$count" "$recovered" >&2
	fi
done
echo >&2
kill "$WATCH_PID" 2>/dev/null
wait "$WATCH_PID" 2>/dev/null
WATCH_PID=

sort -u "$seen" >"$B/seen.sorted"
sqlite3 "$DB" "SELECT id || '|' || ts || '|' || kind FROM events" | sort -u >"$B/final.sorted"
lost=$(comm -23 "$B/seen.sorted" "$B/final.sorted" | wc -l)
integrity=$(sqlite3 "$DB" "PRAGMA integrity_check")
nevents=$(wc -l <"$B/final.sorted")
stats=$(sort -n "$B/times" | awk '{ v[NR] = $1 } END { if (NR == 0) { print "none"; exit }
	printf "p50 %.0f ms, p95 %.0f ms, max %.0f ms", v[int(NR * 0.5 + 0.5)],
	    v[int(NR * 0.95 + 0.5)], v[NR] }')
echo "faults injected: $count ($(for k in "${!kinds[@]}"; do printf '%s %d, ' "$k" "${kinds[$k]}"; done | sed 's/, $//'))"
echo "recovered: $recovered; not recovered: $failed"
[ "$failed" -eq 0 ] || cat "$B/failures"
echo "recovery time: $stats"
echo "events: $nevents in the log, lost: $lost"
echo "integrity_check: $integrity"
[ "$failed" -eq 0 ] && [ "$lost" -eq 0 ] && [ "$integrity" = ok ]
