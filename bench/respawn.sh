#!/usr/bin/env bash
# respawn.sh - how fast the watchdog acts on an agent's end:
#   exit -> crash event      (the agent writes its exit time just before it exits)
#   exit -> running again    (the restarted agent writes its start time first)
# over N crashes of an agent restarted at once each time; and the watchdog's
# resident memory with 100 agents.
# Usage: bench/respawn.sh [CRASHES]   (default 30)
. "$(dirname "$0")/lib.sh"
n=${1:-30}
cat >"$VIGIL_CONFIG" <<CONF
[watch]
interval = 2s
[crash]
backoff_base = 0ms
window = 1s
max_in_window = 10
max_restarts = 100000
CONF
machine
cat >"$B/crasher" <<'AGENT'
#!/bin/sh
date +%s%N >>"$1/starts"
sleep 0.3
date +%s%N >>"$1/exits"
exit 1
AGENT
chmod +x "$B/crasher"
"$VIGIL" spawn c -- "$B/crasher" "$B" >/dev/null
"$VIGIL" watch 2>/dev/null &
WATCH_PID=$!
while [ ! -f "$B/exits" ] || [ "$(wc -l <"$B/exits")" -lt "$n" ]; do sleep 0.2; done
sleep 0.5
kill "$WATCH_PID"
wait "$WATCH_PID" 2>/dev/null
WATCH_PID=

# Crash events in order (ms), paired with exit times (ns) and next starts.
"$VIGIL" log c --json | jq -r 'select(.kind == "crash") | .ts * 1000 | floor' >"$B/crash_ms"
awk '{ printf "%.0f\n", $1 / 1000000 }' "$B/exits" >"$B/exit_ms"
awk '{ printf "%.0f\n", $1 / 1000000 }' "$B/starts" | tail -n +2 >"$B/restart_ms"
stats() { sort -n | awk '{ v[NR] = $1 } END {
	printf "p50 %.0f ms, p95 %.0f ms, max %.0f ms (n=%d)", v[int(NR * 0.5 + 0.5)],
	    v[int(NR * 0.95 + 0.5)], v[NR], NR }'; }
echo "exit -> crash event:    $(paste "$B/exit_ms" "$B/crash_ms" | head -n "$n" | awk 'NF == 2 { print $2 - $1 }' | stats)"
echo "exit -> running again:  $(paste "$B/exit_ms" "$B/restart_ms" | head -n "$n" | awk 'NF == 2 { print $2 - $1 }' | stats)"

# Memory: the watchdog with 100 agents.
"$VIGIL" stop c >/dev/null
cat >"$VIGIL_CONFIG" <<CONF
[watch]
interval = 200ms
[preset b]
command = sleep 1000000
process = sleep
CONF
for i in $(seq 100); do "$VIGIL" spawn "m$i" -p b >/dev/null || exit 1; done
"$VIGIL" watch 2>/dev/null &
WATCH_PID=$!
sleep 5
rss=$(awk '/VmRSS/ { print $2 }' "/proc/$WATCH_PID/status")
hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$WATCH_PID/status")
echo "watchdog RSS with 100 agents after 5s (25 ticks): $((rss / 1024)).$(( (rss % 1024) * 10 / 1024 )) MB (peak $((hwm / 1024)).$(( (hwm % 1024) * 10 / 1024 )) MB)"
