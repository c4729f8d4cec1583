#!/usr/bin/env bats
# Tiers 1-4 against a real tmux, thresholds in milliseconds: a hang walks
# warn, nudge, triage and terminate in order; a spinner alone is no
# progress; steady output is never warned; an idle prompt is nudged; a
# nudge is held while a person is attached or the CLI says it is busy; a
# trust dialog is told, never answered.

load helper

tiers_conf() {
	cat >>"$VIGIL_CONFIG" <<-CONF
	nudge = please go on
	idle = ^>\\s*\$
	busy = (?i)esc to interrupt
	[watch]
	interval = 100ms
	warn_after = 400ms
	nudge_after = 800ms
	triage_after = 1400ms
	terminate_after = 3s
	max_nudges = 1
	[triage]
	command = fake-triage continue
	[crash]
	max_restarts = 0
	CONF
}

# tier_kinds NAME: the escalation events in order.
tier_kinds() {
	"$VIGIL" log "$1" --json |
		jq -r 'select(.kind | test("^(warn|nudge|triage|verdict|terminate)$")) | .kind' |
		tr '\n' ' '
}

@test "a hang walks warn, nudge, triage, verdict, terminate, in order" {
	tiers_conf
	"$VIGIL" spawn h -p fake -- fake-agent hang
	start_watch
	wait_for 10 has_event h nudge
	# The nudge was typed into the pane (the terminal echoes it).
	wait_for 5 screen_has h "please go on"
	wait_for 15 has_event h terminate
	[ "$(tier_kinds h | cut -d' ' -f1-5)" = "warn nudge triage verdict terminate" ]
	has_event h verdict "CONTINUE"
	[ "$("$VIGIL" log h --json | jq -rs '[.[] | select(.kind == "warn")][0].tier')" = 1 ]
	[ "$("$VIGIL" log h --json | jq -rs '[.[] | select(.kind == "terminate")][0].tier')" = 4 ]
	# Terminate hands off first (then kills: no restarts are allowed here).
	wait_for 5 has_event h handoff
}

@test "a spinner and an elapsed counter redrawn in place are no progress" {
	tiers_conf
	"$VIGIL" spawn spin -p fake -- fake-agent spinner
	start_watch
	wait_for 10 has_event spin warn
	wait_for 5 bash -c "\"$VIGIL\" ls | grep -q 'unchanged for'"
	run "$VIGIL" ls
	[[ "$output" == *"tier "[1-9]* ]]
}

@test "an agent that keeps printing is never warned" {
	tiers_conf
	"$VIGIL" spawn busy1 -p fake -- fake-agent work 100
	start_watch
	sleep 3
	[ "$(count_events busy1 warn)" = 0 ]
	[ "$(count_events busy1 nudge)" = 0 ]
	[ "$(field busy1 tier)" = 0 ]
}

@test "an agent idle at its prompt is nudged without a warning first" {
	tiers_conf
	"$VIGIL" spawn idle1 -p fake -- fake-agent prompt
	start_watch
	wait_for 10 has_event idle1 nudge
	[ "$(tier_kinds idle1 | cut -d' ' -f1)" = nudge ]
	wait_for 5 screen_has idle1 "you said: please go on"
}

@test "while a person is attached the nudge is held" {
	command -v script >/dev/null || skip "script(1) not installed"
	tiers_conf
	"$VIGIL" spawn att -p fake -- fake-agent prompt
	script -qfec "$VIGIL attach att -r" /dev/null >/dev/null 2>&1 &
	spid=$!
	wait_for 5 bash -c "[ \$(tmux -L $VIGIL_SOCKET list-clients | wc -l) -ge 1 ]"
	start_watch
	wait_for 10 has_event att nudge "held: a person is attached"
	! screen_has att "you said: please go on"
	tmuxt detach-client -s att
	wait "$spid" || true
	wait_for 10 screen_has att "you said: please go on"
}

@test "a busy agent is not nudged, but is terminated by time" {
	tiers_conf
	"$VIGIL" spawn think -p fake -- fake-agent busy
	start_watch
	wait_for 15 has_event think terminate
	has_event think nudge "held: busy"
	[ "$(count_events think nudge)" = "$(count_events think nudge held)" ]
	has_event think triage
}

@test "a trust dialog is told and notified, never answered" {
	tiers_conf
	export NOTIFY_LOG=$T/notify.log
	printf '[notify]\ncommand = fake-notify\n' >>"$VIGIL_CONFIG"
	"$VIGIL" spawn tr -p claude -- fake-agent trust
	start_watch
	wait_for 10 has_event tr warn "trust dialog"
	wait_for 5 grep -q '^warn|tr|trust dialog' "$NOTIFY_LOG"
	sleep 1
	! screen_has tr "please go on"
	[ "$(count_events tr warn 'trust dialog')" = 1 ]
}
