#!/usr/bin/env bats
# Rate limits against a real tmux: recognised on screen, cooled until the
# reset time the message gives, nothing escalated meanwhile, kept across a
# watchdog's kill -9, renewed with shorter cooldowns while the limit still
# shows, a forced restart after max_renewals, the resume text when the
# limit is gone, shared by agents of one account, a quota exit is not a
# crash, and an overload the CLI retries is not a limit.

load helper

rl_conf() {
	cat >>"$VIGIL_CONFIG" <<-CONF
	[watch]
	interval = 100ms
	warn_after = 300ms
	nudge_after = 600ms
	triage_after = 900ms
	terminate_after = 60s
	[ratelimit]
	cooldown = 2s
	max_renewals = 2
	margin = 0ms
	CONF
}

@test "a limit with a reset time cools the agent until then" {
	rl_conf
	export NOTIFY_LOG=$T/notify.log
	printf '[notify]\ncommand = fake-notify\n' >>"$VIGIL_CONFIG"
	"$VIGIL" spawn lim -p claude -- fake-agent ratelimit "You've hit your usage limit. Try again in 2h 30m."
	start_watch
	wait_for 10 state_is lim cooling
	until=$(field lim cooldown_until)
	now=$(date +%s)
	[ $((until - now)) -ge $((9000 - 30)) ] && [ $((until - now)) -le 9000 ]
	has_event lim ratelimit
	[[ "$("$VIGIL" log lim --json | jq -r 'select(.kind == "ratelimit") | .detail')" == *"reset read from the message"* ]]
	wait_for 5 grep -q '^ratelimit|lim|' "$NOTIFY_LOG"
	run "$VIGIL" ls
	[[ "$output" == *"cooling 2h"* ]]
	run "$VIGIL" status lim
	[[ "$output" == *"Try again in 2h 30m"* ]]
}

@test "no warning and no nudge while cooling" {
	rl_conf
	"$VIGIL" spawn quiet -p claude -- fake-agent ratelimit "You've hit your usage limit. Try again in 2h 30m."
	start_watch
	wait_for 10 state_is quiet cooling
	sleep 2
	[ "$(count_events quiet warn)" = 0 ]
	[ "$(count_events quiet nudge)" = 0 ]
	[ "$(count_events quiet ratelimit)" = 1 ]
}

@test "a watchdog killed with -9 and started again keeps the cooldown" {
	rl_conf
	"$VIGIL" spawn keep -p claude -- fake-agent ratelimit "You've hit your usage limit. Try again in 2h 30m."
	start_watch
	wait_for 10 state_is keep cooling
	until=$(field keep cooldown_until)
	kill -9 "$WATCH_PID"
	wait "$WATCH_PID" || true
	start_watch
	sleep 1.5
	[ "$(field keep state)" = cooling ]
	[ "$(field keep cooldown_until)" = "$until" ]
	[ "$(count_events keep ratelimit)" = 1 ]
}

@test "a limit that still shows is renewed with shorter cooldowns, then restarted" {
	rl_conf
	"$VIGIL" spawn stuck -p claude -- fake-agent ratelimit "Claude usage limit reached."
	start_watch
	wait_for 20 has_event stuck renew "the limit still shows after"
	[ "$("$VIGIL" log stuck --json | jq -rs '[.[] | select(.kind == "renew")][0:2] | map(.detail | split(" ")[0]) | join(",")')" = "2s,1s" ]
	wait_for 10 has_event stuck restart
	has_event stuck handoff
}

@test "when the limit is gone at expiry, the resume text is typed" {
	rl_conf
	"$VIGIL" spawn back -p claude -- fake-agent ratelimit "Claude usage limit reached." 1
	start_watch
	wait_for 10 state_is back cooling
	wait_for 10 has_event back cooldown-end
	wait_for 10 screen_has back "you said: continue"
	[ "$(count_events back renew)" = 0 ]
	[ "$(count_events back crash)" = 0 ]
}

@test "a second agent of the same preset is cooled with the first" {
	rl_conf
	"$VIGIL" spawn first -p claude -- fake-agent ratelimit "You've hit your usage limit. Try again in 2h 30m."
	"$VIGIL" spawn second -p claude -- fake-agent work 100
	start_watch
	wait_for 10 state_is first cooling
	wait_for 10 state_is second cooling
	[ "$(field first cooldown_until)" = "$(field second cooldown_until)" ]
	has_event second ratelimit "2h"
	[[ "$("$VIGIL" log second --json | jq -r 'select(.kind == "ratelimit") | .detail')" == *"shared with first"* ]]
}

@test "[ratelimit] shared = no keeps agents' limits their own" {
	rl_conf
	sed -i 's/^margin = 0ms$/margin = 0ms\nshared = no/' "$VIGIL_CONFIG"
	"$VIGIL" spawn one -p claude -- fake-agent ratelimit "You've hit your usage limit. Try again in 2h 30m."
	"$VIGIL" spawn two -p claude -- fake-agent work 100
	start_watch
	wait_for 10 state_is one cooling
	sleep 1
	[ "$(field two state)" = working ]
}

@test "an exit on a quota cools down instead of counting as a crash" {
	rl_conf
	"$VIGIL" spawn q -p claude -- fake-agent quota "You've hit your usage limit. Try again in 2h 30m."
	start_watch
	wait_for 10 state_is q cooling
	# The agent is gone; it stays cooling, and is no crash.
	wait_for 10 bash -c "[ \"\$(tmux -L $VIGIL_SOCKET display-message -p -t =q: '#{pane_dead}')\" = 1 ]"
	sleep 0.5
	[ "$(field q state)" = cooling ]
	[ "$(count_events q crash)" = 0 ]
	[ "$(count_events q restart)" = 0 ]
	has_event q ratelimit
}

@test "an exit on a quota seen only after the exit cools down too" {
	rl_conf
	"$VIGIL" spawn q2 -p claude -- fake-agent quota "You've hit your usage limit. Try again in 2h 30m."
	# No watchdog while it runs: the first look is at its dead pane.
	sleep 1.5
	run "$VIGIL" watch --once
	[ "$(field q2 state)" = cooling ]
	[ "$(count_events q2 crash)" = 0 ]
	has_event q2 ratelimit "exited on a quota"
}

@test "an overload the CLI retries by itself is not a limit" {
	rl_conf
	"$VIGIL" spawn over -p claude -- fake-agent ratelimit 'API Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}} · Retrying in 1 seconds… (attempt 1/10)'
	start_watch
	sleep 1.5
	[ "$(count_events over ratelimit)" = 0 ]
	[ "$(field over state)" != cooling ]
}
