#!/usr/bin/env bats
# The foundation, end to end: spawn, ls, status, send, stop, rm, log,
# against a real tmux on a private socket.

load helper

@test "spawn starts the agent in its own session; ls shows it" {
	run "$VIGIL" spawn alpha -p fake
	[ "$status" -eq 0 ]
	tmuxt has-session -t =alpha
	wait_for 5 screen_has alpha "step 2"
	run "$VIGIL" ls
	[ "$status" -eq 0 ]
	[[ "$output" == *alpha* ]]
	[[ "$output" == *"watchdog: not running"* ]]
	[ "$(field alpha preset)" = fake ]
	[ "$(field alpha dir)" = "$(pwd -P)" ]
	[ "$(field alpha tier)" = 0 ]
	[ "$(field alpha restarts)" = 0 ]
	[ "$(field alpha cooldown_until)" = null ]
	# pid is the agent's own: the child of vigil's wrapper, the pane's process.
	pid=$(field alpha pid)
	[ "$(ps -o ppid= -p "$pid" | tr -d ' ')" = "$(tmuxt display-message -p -t =alpha: '#{pane_pid}')" ]
	[[ "$(ps -o args= -p "$pid")" == *fake-agent* ]]
	[ "$("$VIGIL" ls --json | jq -r '.[0].last_change | type')" = number ]
}

@test "ls --json is one array with the contract's fields" {
	"$VIGIL" spawn a1 -p fake
	"$VIGIL" spawn a2 -p fake --no-restart
	run "$VIGIL" ls --json
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq length)" = 2 ]
	for k in name state tier pid preset dir restarts cooldown_until last_change; do
		echo "$output" | jq -e ".[0] | has(\"$k\")" >/dev/null
	done
	[ "$(echo "$output" | jq -r '.[1].restart')" = no ]
}

@test "spawn sets VIGIL_AGENT and VIGIL_HOME in the pane" {
	"$VIGIL" spawn envy -- fake-agent env
	wait_for 5 screen_has envy "agent=envy home=$VIGIL_HOME"
}

@test "spawn passes the command as argv, with no shell between" {
	"$VIGIL" spawn lit -- fake-agent args 'x;y $HOME' '"q"' "it's"
	wait_for 5 screen_has lit 'x;y $HOME|"q"|it'"'"'s|'
}

@test "spawn -C runs the agent in that dir" {
	mkdir "$T/work dir"
	"$VIGIL" spawn indir -C "$T/work dir" -- bash -c 'pwd; sleep 100'
	wait_for 5 screen_has indir "$T/work dir"
	[ "$(field indir dir)" = "$T/work dir" ]
}

@test "the session keeps a dead pane so the exit status can be read" {
	"$VIGIL" spawn quick -- fake-agent crash 3 10
	wait_for 5 bash -c "[ \"\$(tmux -L $VIGIL_SOCKET display-message -p -t =quick: '#{pane_dead}')\" = 1 ]"
	# tmux 3.3a may never fill in #{pane_dead_status}; vigil's wrapper does.
	[ "$(field quick state)" = dead ]
	[ "$(field quick exit_code)" = 3 ]
	[ "$(field quick pid)" = null ]
	screen_has quick "working, about to crash"
}

@test "send types text literally, with ; \$ quotes and a trailing ;" {
	"$VIGIL" spawn p -- fake-agent prompt
	wait_for 5 screen_has p "> "
	run "$VIGIL" send p 'x;y $HOME "q" '"'"'s'"'"' end;'
	[ "$status" -eq 0 ]
	wait_for 5 screen_has p 'you said: x;y $HOME "q" '"'"'s'"'"' end;'
}

@test "send of several lines goes as one paste and is submitted" {
	"$VIGIL" spawn p -- fake-agent prompt
	wait_for 5 screen_has p "> "
	run "$VIGIL" send p $'first line\nsecond line'
	[ "$status" -eq 0 ]
	wait_for 5 screen_has p "you said: second line"
}

@test "send and nudge to a missing agent fail with 1" {
	must_fail 1 "$VIGIL" send ghost hello
	[[ "$ERR" == *"no such agent 'ghost'"* ]]
	must_fail 1 "$VIGIL" nudge ghost
}

@test "nudge types the preset's nudge and logs it" {
	cat >>"$VIGIL_CONFIG" <<-CONF
	nudge = please go on
	CONF
	"$VIGIL" spawn n -p fake -- fake-agent prompt
	wait_for 5 screen_has n "> "
	run "$VIGIL" nudge n
	[ "$status" -eq 0 ]
	wait_for 5 screen_has n "you said: please go on"
	events n | grep -qx nudge
}

@test "a second spawn of a live name exits 1 and leaves the first alone" {
	"$VIGIL" spawn dup -p fake
	pid=$(field dup pid)
	must_fail 1 "$VIGIL" spawn dup -- fake-agent hang
	[[ "$ERR" == *"'dup' exists"* ]]
	[ "$(field dup pid)" = "$pid" ]
	[ "$("$VIGIL" log dup --json | jq -s length)" = 1 ]
}

@test "status shows one agent with its events; --json too" {
	"$VIGIL" spawn s1 -p fake -t "fix the tests"
	run "$VIGIL" status s1
	[ "$status" -eq 0 ]
	[[ "$output" == *s1* ]]
	[[ "$output" == *spawn* ]]
	[[ "$output" == *"fix the tests"* ]]
	run "$VIGIL" status s1 --json
	[ "$(echo "$output" | jq -r .name)" = s1 ]
	[ "$(echo "$output" | jq -r '.events[0].kind')" = spawn ]
	must_fail 1 "$VIGIL" status nobody
}

@test "stop kills the session, records stopped and a stop event" {
	"$VIGIL" spawn st -p fake
	run "$VIGIL" stop st --reason "done for today"
	[ "$status" -eq 0 ]
	! tmuxt has-session -t =st 2>/dev/null
	[ "$(field st state)" = stopped ]
	[ "$("$VIGIL" log st --json | jq -r 'select(.kind == "stop") | .detail')" = "done for today" ]
	run "$VIGIL" stop st
	[ "$status" -eq 0 ]
}

@test "rm forgets a stopped agent but keeps its history" {
	"$VIGIL" spawn gone -p fake
	must_fail 1 "$VIGIL" rm gone
	[[ "$ERR" == *"stop it first"* ]]
	"$VIGIL" stop gone
	run "$VIGIL" rm gone
	[ "$status" -eq 0 ]
	[ "$("$VIGIL" ls --json)" = "[]" ]
	events gone | grep -qx spawn
	events gone | grep -qx stop
	must_fail 1 "$VIGIL" rm gone
}

@test "log: oldest first, -n, a name, --json with ts agent kind tier detail" {
	"$VIGIL" spawn l1 -p fake
	"$VIGIL" spawn l2 -p fake
	"$VIGIL" stop l1
	run "$VIGIL" log --json
	# stop writes stop, then a checkpoint and a handoff for resume.
	[ "$(echo "$output" | jq -s length)" = 5 ]
	[ "$(echo "$output" | jq -rs 'map(.kind) | join(",")')" = \
	    "spawn,spawn,stop,checkpoint,handoff" ]
	echo "$output" | head -1 | jq -e 'has("ts") and has("agent") and has("kind") and has("tier") and has("detail")'
	echo "$output" | head -1 | jq -e '.ts | type == "number"'
	[ "$("$VIGIL" log -n 1 --json | jq -r .kind)" = handoff ]
	[ "$("$VIGIL" log l2 --json | jq -rs 'map(.agent) | unique | join(",")')" = l2 ]
	run "$VIGIL" log
	[ "${#lines[@]}" -eq 5 ]
	[[ "${lines[0]}" == *l1*spawn* ]]
}

@test "log -f follows new events" {
	"$VIGIL" spawn f1 -p fake
	"$VIGIL" log -f --json >"$T/follow" &
	fpid=$!
	wait_for 5 grep -q spawn "$T/follow"
	"$VIGIL" stop f1
	wait_for 5 grep -q '"stop"' "$T/follow"
	kill "$fpid"
	wait "$fpid" || true
}

@test "doctor checks tmux, the store, the config and presets" {
	run "$VIGIL" doctor
	[ "$status" -eq 0 ]
	[[ "$output" == *"ok    tmux"* ]]
	[[ "$output" == *"ok    store"* ]]
	[[ "$output" == *"preset fake"* ]]
	[[ "$output" == *"preset claude"* ]]
}

@test "version prints the version" {
	run "$VIGIL" version
	[ "$status" -eq 0 ]
	[[ "$output" == "vigil "* ]]
}

@test "state dir is 0700 and vigil.db 0600" {
	"$VIGIL" ls >/dev/null
	[ "$(stat -c %a "$VIGIL_HOME")" = 700 ]
	[ "$(stat -c %a "$VIGIL_HOME/vigil.db")" = 600 ]
}

@test "attach -r attaches a read-only client to the agent's session" {
	command -v script >/dev/null || skip "script(1) not installed"
	"$VIGIL" spawn watched -p fake
	script -qfec "$VIGIL attach watched -r" /dev/null >/dev/null 2>&1 &
	spid=$!
	wait_for 5 bash -c "tmux -L $VIGIL_SOCKET list-clients -F '#{session_name} #{client_readonly}' | grep -qx 'watched 1'"
	tmuxt detach-client -s watched
	wait "$spid" || true
	must_fail 1 "$VIGIL" attach ghost
}

@test "attach with no name picks the only agent, or asks for one" {
	must_fail 1 "$VIGIL" attach
	"$VIGIL" spawn one -p fake
	"$VIGIL" spawn two -p fake
	must_fail 64 "$VIGIL" attach
	[[ "$ERR" == *one* ]] && [[ "$ERR" == *two* ]]
}
