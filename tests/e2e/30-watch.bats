#!/usr/bin/env bats
# The watchdog's tier 0 against a real tmux: crashes, backoff, crash loops,
# max_restarts, zombies, lost sessions and servers, exit 0, the lock, the
# heartbeat, a wedged tmux, and a watchdog killed with -9.

load helper

# conf TEXT: append to the test's config.
conf() {
	printf '%s\n' "$@" >>"$VIGIL_CONFIG"
}

crash_conf() {
	conf "[crash]" "backoff_base = 300ms" "backoff_factor = 2" "backoff_max = 5s" \
		"window = 60s" "max_in_window = 10" "max_restarts = 3" "cooldown = 1s"
}

# kinds NAME: the agent's event kinds in order (the checkpoints the
# watchdog takes before each restart left out).
kinds() {
	"$VIGIL" log "$1" --json | jq -r 'select(.kind != "checkpoint") | .kind' | tr '\n' ' '
}

@test "a crashing agent is restarted with growing delays, then failed" {
	crash_conf
	export NOTIFY_LOG=$T/notify.log
	conf "[notify]" "command = fake-notify"
	"$VIGIL" spawn c -- fake-agent crash 1 300
	start_watch
	wait_for 20 state_is c failed
	[ "$(kinds c)" = "spawn crash restart crash backoff restart crash backoff restart crash failed " ]
	[ "$("$VIGIL" log c --json | jq -r 'select(.kind == "backoff") | .detail' | cut -d' ' -f1 | tr '\n' ' ')" = "300ms 600ms " ]
	[ "$(field c restarts)" = 3 ]
	[ "$(field c exit_code)" = 1 ]
	wait_for 5 grep -q '^failed|c|gave up after 3 restarts' "$NOTIFY_LOG"
}

@test "three crashes within the window start a crash-loop cooldown" {
	crash_conf
	sed -i 's/max_in_window = 10/max_in_window = 3/; s/max_restarts = 3/max_restarts = 10/' "$VIGIL_CONFIG"
	export NOTIFY_LOG=$T/notify.log
	conf "[notify]" "command = fake-notify"
	"$VIGIL" spawn loop -- fake-agent crash 1 300
	start_watch
	wait_for 20 has_event loop crashloop
	detail=$("$VIGIL" log loop --json | jq -r 'select(.kind == "crashloop") | .detail')
	[[ "$detail" == "1s cooldown after 3 crashes in 1m"* ]]
	wait_for 5 grep -q '^crashloop|loop|1s' "$NOTIFY_LOG"
	# After the cooldown it is started again.
	n=$(count_events loop restart)
	wait_for 10 events_at_least loop restart $((n + 1))
}

@test "exit 0 is done, and nothing restarts it" {
	"$VIGIL" spawn d -- fake-agent exit0 300
	start_watch
	wait_for 10 state_is d done
	sleep 0.5
	[ "$(kinds d)" = "spawn done " ]
}

@test "--restart always restarts after exit 0" {
	crash_conf
	"$VIGIL" spawn again --restart always -- fake-agent exit0 300
	start_watch
	wait_for 10 has_event again restart
}

@test "--no-restart agents are recorded and left" {
	"$VIGIL" spawn once --no-restart -- fake-agent crash 4 300
	start_watch
	wait_for 10 state_is once dead
	sleep 0.5
	[ "$(kinds once)" = "spawn crash " ]
	[ "$(field once exit_code)" = 4 ]
}

@test "the agent killed inside a live pane is a zombie, and restarted" {
	"$VIGIL" spawn z -p fake -- bash -c 'fake-agent work; exec sleep 1000'
	start_watch
	wait_for 10 state_is z working
	wait_for 10 bash -c "[[ \$(ps -o args= -p \$(\"$VIGIL\" ls --json | jq '.[0].pid')) == *fake-agent* ]]"
	pid=$(field z pid)
	kill -9 "$pid"
	wait_for 10 has_event z zombie
	wait_for 10 has_event z restart
	wait_for 10 state_is z working
	[ "$(field z pid)" != "$pid" ]
	[ "$(field z restarts)" = 1 ]
}

@test "kill -9 of the agent is a crash (signal 9) and a restart" {
	"$VIGIL" spawn k -p fake
	start_watch
	wait_for 10 state_is k working
	pid=$(field k pid)
	kill -9 "$pid"
	wait_for 10 has_event k crash "signal 9"
	wait_for 10 state_is k working
	[ "$(field k pid)" != "$pid" ]
}

@test "a restarted agent starts on a clean pane: nothing of the last one is read again" {
	# Its mark scrolls into the pane's history, where a capture still reads.
	"$VIGIL" spawn c -- sh -c 'echo "run $$"; seq 55; sleep 2; exit 1'
	wait_for 5 screen_has c "run "
	first=$(screen c | grep '^run ')
	start_watch
	# The restart is recorded before it is made: wait for the new mark.
	new_run() { screen c | grep '^run ' | grep -qvxF "$first"; }
	wait_for 10 new_run
	[ "$(screen c | grep -c '^run ')" -eq 1 ]
}

@test "a killed session is dead, and started again" {
	"$VIGIL" spawn s -p fake
	start_watch
	wait_for 10 state_is s working
	tmuxt kill-session -t =s
	# Seen as the session gone, or as the hangup its wrapper recorded.
	wait_for 10 bash -c "[ \$(\"$VIGIL\" log s --json | jq -s '[.[] | select(.kind == \"dead\" or .kind == \"crash\")] | length') -gt 0 ]"
	wait_for 10 tmuxt has-session -t =s
	wait_for 10 state_is s working
}

@test "the tmux server gone: every agent is started again" {
	"$VIGIL" spawn s1 -p fake
	"$VIGIL" spawn s2 -p fake
	start_watch
	wait_for 10 state_is s1 working
	wait_for 10 state_is s2 working
	tmuxt kill-server
	wait_for 15 tmuxt has-session -t =s1
	wait_for 15 tmuxt has-session -t =s2
	wait_for 10 state_is s1 working
	# Each agent's end was seen: the server gone, or its wrapper's hangup.
	has_event s1 dead "the " || has_event s1 crash "signal 1"
	has_event s2 dead "the " || has_event s2 crash "signal 1"
}

@test "a stopped agent is left alone by the watchdog" {
	"$VIGIL" spawn st -p fake
	start_watch
	wait_for 10 state_is st working
	"$VIGIL" stop st
	sleep 1
	[ "$(field st state)" = stopped ]
	! tmuxt has-session -t =st 2>/dev/null
	[ "$(kinds st)" = "spawn stop handoff " ]
}

@test "an exit is acted on at once, not at the next tick" {
	"$VIGIL" spawn fast -- fake-agent crash 1 1500
	start_watch -i 20s
	wait_for 10 has_event fast restart
	spawn_ts=$("$VIGIL" log fast --json | jq -s '.[0].ts')
	crash_ts=$("$VIGIL" log fast --json | jq -s '[.[] | select(.kind == "crash")][0].ts')
	# The agent lives 1.5s; a 20s tick could not have seen its end so soon.
	awk -v a="$spawn_ts" -v b="$crash_ts" 'BEGIN { exit !(b - a < 5) }'
}

@test "a second watchdog exits 75 naming the holder; --once too" {
	start_watch
	wait_for 5 bash -c "\"$VIGIL\" ls | grep -q 'watchdog: pid $WATCH_PID'"
	must_fail 75 "$VIGIL" watch
	[[ "$ERR" == *"pid $WATCH_PID"* ]]
	must_fail 75 "$VIGIL" watch --once
}

@test "watch --once runs one tick: booting becomes working" {
	"$VIGIL" spawn one -p fake
	[ "$(field one state)" = booting ]
	run "$VIGIL" watch --once
	[ "$status" -eq 0 ]
	[ "$(field one state)" = working ]
	run "$VIGIL" ls
	[[ "$output" == *"watchdog: not running"* ]]
}

@test "SIGTERM ends the watchdog cleanly; ls says so" {
	start_watch
	wait_for 5 bash -c "\"$VIGIL\" ls | grep -q 'watchdog: pid $WATCH_PID'"
	kill -TERM "$WATCH_PID"
	wait "$WATCH_PID"
	run "$VIGIL" ls
	[[ "$output" == *"watchdog: not running"* ]]
	grep -q "vigil: watch: stopped" "$T/watch.log"
}

@test "kill -9 of the watchdog keeps counters, schedule and states" {
	conf "[crash]" "backoff_base = 3s" "backoff_factor = 2" "max_in_window = 10" \
		"max_restarts = 10" "window = 60s"
	"$VIGIL" spawn r -- fake-agent crash 1 300
	start_watch
	# First crash restarts at once, the second waits 3s.
	wait_for 15 state_is r restarting
	kill -9 "$WATCH_PID"
	wait "$WATCH_PID" || true
	[ "$(field r restarts)" = 1 ]
	before=$("$VIGIL" log r --json | jq -s 'length')
	start_watch
	wait_for 15 events_at_least r restart 2
	# Exactly one restart for that crash: the schedule went on, nothing doubled.
	restarts=$(count_events r restart)
	crashes=$(count_events r crash)
	[ "$restarts" -le "$crashes" ]
	[ "$("$VIGIL" log r --json | jq -s '[.[] | select(.kind == "backoff")][0].detail' | cut -c2-3)" = 3s ]
}

@test "a wedged tmux server is an event and a notification, not a hung watchdog" {
	export NOTIFY_LOG=$T/notify.log
	conf "[watch]" "tmux_timeout = 300ms" "[notify]" "command = fake-notify"
	"$VIGIL" spawn w -p fake
	start_watch
	wait_for 10 state_is w working
	spid=$(tmuxt display-message -p '#{pid}')
	STOPPED_PID=$spid
	kill -STOP "$spid"
	wait_for 10 grep -q '^error||tmux does not answer' "$NOTIFY_LOG"
	kill -CONT "$spid"
	wait_for 10 has_event - error "tmux answers again"
	# Nothing was restarted because of it.
	[ "$(count_events w restart)" = 0 ]
	kill -0 "$WATCH_PID"
}

@test "a notify hook that hangs is killed at its timeout and never blocks a tick" {
	crash_conf
	export NOTIFY_LOG=$T/notify.log
	conf "[notify]" "command = fake-notify sleep 60" "timeout = 500ms"
	sed -i 's/max_restarts = 3/max_restarts = 0/' "$VIGIL_CONFIG"
	"$VIGIL" spawn h -- fake-agent crash 1 300
	"$VIGIL" spawn ok -p fake
	start_watch
	wait_for 10 state_is h failed
	wait_for 5 grep -q '^failed|h|' "$NOTIFY_LOG"
	wait_for 5 state_is ok working
	# The hook's sleep was killed with its process group.
	wait_for 5 bash -c "! pgrep -f 'sleep 60' -P \$(pgrep -f fake-notify || echo 1) >/dev/null"
}

@test "an agent that exits 0 because its session was killed is restarted, not done" {
	"$VIGIL" spawn eof -p fake -- fake-agent prompt
	start_watch
	wait_for 10 state_is eof working
	tmuxt kill-session -t =eof
	wait_for 10 has_event eof restart
	[ "$(count_events eof done)" = 0 ]
	wait_for 10 state_is eof working
}

@test "a tick costs two tmux execs however many agents: 200 panes, every one captured" {
	local i
	for ((i = 1; i <= 200; i++)); do
		"$VIGIL" spawn "s$i" -- sleep 1000 >/dev/null
	done
	"$VIGIL" watch --once 2>/dev/null # booting -> working
	# A tmux first on PATH that counts its runs.
	mkdir -p "$T/bin"
	printf '#!/bin/sh\necho x >>"%s"\nexec "%s" "$@"\n' "$T/execs" "$(command -v tmux)" \
		>"$T/bin/tmux"
	chmod +x "$T/bin/tmux"
	PATH="$T/bin:$PATH" "$VIGIL" watch --once 2>/dev/null
	[ "$(wc -l <"$T/execs")" -eq 2 ]
	# One tmux command line holds about 190 captures: all 200 were read.
	[ "$(sqlite3 "$VIGIL_HOME/vigil.db" "SELECT count(*) FROM agents WHERE hash IS NOT NULL")" -eq 200 ]
}
