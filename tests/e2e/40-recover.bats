#!/usr/bin/env bats
# Checkpoints, handoffs and resume, end to end, against real git
# repositories made in the test's trash dir and a real tmux.

load helper

# mkrepo DIR: a repo on branch main with a.txt in one commit.
mkrepo() {
	mkdir -p "$1"
	git -C "$1" init -q -b main
	git -C "$1" config user.name Test
	git -C "$1" config user.email test@example.com
	echo one >"$1/a.txt"
	git -C "$1" add a.txt
	git -C "$1" commit -q -m "first commit"
}

# gitstate DIR: what a snapshot must not change, byte for byte.
gitstate() {
	git -C "$1" status --porcelain=v1 --untracked-files=all
	git -C "$1" rev-parse HEAD 2>/dev/null || echo unborn
	git -C "$1" symbolic-ref -q HEAD || echo detached
	git -C "$1" diff --cached
	git -C "$1" for-each-ref --format='%(refname) %(objectname)' refs/heads refs/tags
	git -C "$1" stash list
}

snapshots() {
	git -C "$1" for-each-ref --format='%(refname)' "refs/vigil/snapshots/$2"
}

# cpjson NAME FIELD: a field of the last checkpoint in status --json.
cpjson() {
	"$VIGIL" status "$1" --json | jq -r ".checkpoint.$2"
}

hojson() {
	"$VIGIL" status "$1" --json | jq -r ".handoff.$2"
}

@test "checkpoint snapshots uncommitted and untracked work; git status stays byte-identical" {
	mkrepo "$T/r"
	echo two >"$T/r/a.txt"
	echo staged >"$T/r/s.txt"
	git -C "$T/r" add s.txt
	mkdir "$T/r/new"
	echo fresh >"$T/r/new/n.txt"
	gitstate "$T/r" >"$T/before"
	"$VIGIL" spawn c1 -C "$T/r" -- fake-agent prompt
	wait_for 5 screen_has c1 "fake agent ready"
	run "$VIGIL" checkpoint c1 -s "fixed the parser" --pending "tests" --questions "API?"
	[ "$status" -eq 0 ]
	ref=$(snapshots "$T/r" c1)
	[ -n "$ref" ]
	[[ "$output" == "checkpoint 1 of c1: snapshot $ref (3 changed files)" ]]
	gitstate "$T/r" >"$T/after"
	cmp "$T/before" "$T/after"
	[ "$(git -C "$T/r" show "$ref:a.txt")" = two ]
	[ "$(git -C "$T/r" show "$ref:s.txt")" = staged ]
	[ "$(git -C "$T/r" show "$ref:new/n.txt")" = fresh ]
	[ "$(git -C "$T/r" rev-parse "$ref^")" = "$(git -C "$T/r" rev-parse HEAD)" ]
	[ "$("$VIGIL" log c1 --json | jq -r 'select(.kind == "checkpoint") | .detail')" = \
	    "by agent: fixed the parser" ]
	[ "$(cpjson c1 summary)" = "fixed the parser" ]
	[ "$(cpjson c1 pending)" = tests ]
	[ "$(cpjson c1 questions)" = "API?" ]
	[ "$(cpjson c1 branch)" = main ]
	[ "$(cpjson c1 snapshot)" = "$ref" ]
	[ "$("$VIGIL" status c1 --json | jq -r '.checkpoint.files | join(",")')" = \
	    "M a.txt,? new/n.txt,A s.txt" ]
	# Nothing changed since: no second snapshot, the same one is named.
	run "$VIGIL" checkpoint c1
	[ "$status" -eq 0 ]
	[ "$(snapshots "$T/r" c1 | wc -l)" -eq 1 ]
	[ "$(cpjson c1 snapshot)" = "$ref" ]
	gitstate "$T/r" >"$T/after"
	cmp "$T/before" "$T/after"
}

@test "stop makes a handoff; resume --dry-run prints the prompt and changes nothing" {
	mkrepo "$T/r"
	echo two >"$T/r/a.txt"
	echo fresh >"$T/r/untracked.txt"
	"$VIGIL" spawn d1 -C "$T/r" -t "speed up the parser" -- fake-agent prompt
	wait_for 5 screen_has d1 "you said: speed up the parser"
	"$VIGIL" checkpoint d1 -s "tokenizer rewritten" --pending "run the benchmarks" \
	    --questions "keep the old API?"
	run "$VIGIL" stop d1 --reason "night is over"
	[ "$status" -eq 0 ]
	[[ "$output" == *"handoff 1"* ]]
	[ "$(hojson d1 reason)" = "night is over" ]
	[ "$(hojson d1 resumed)" = null ]
	[ "$(hojson d1 checkpoint)" = "$(cpjson d1 id)" ]
	[ "$(cpjson d1 source)" = stop ]
	[ "$("$VIGIL" log d1 --json | jq -r .kind | tr '\n' ' ')" = \
	    "spawn checkpoint stop checkpoint handoff " ]
	before=$(fingerprint)
	run "$VIGIL" resume d1 --dry-run
	[ "$status" -eq 0 ]
	[[ "$output" == *"speed up the parser"* ]]
	[[ "$output" == *"- Summary: tokenizer rewritten"* ]]
	[[ "$output" == *"- Pending work: run the benchmarks"* ]]
	[[ "$output" == *"- Open questions: keep the old API?"* ]]
	[[ "$output" == *"night is over"* ]]
	[[ "$output" == *"- Branch: main"* ]]
	[[ "$output" == *"first commit"* ]]
	[[ "$output" == *"M a.txt"* ]]
	[[ "$output" == *"? untracked.txt"* ]]
	ref=$(snapshots "$T/r" d1)
	[[ "$output" == *"git checkout $ref -- ."* ]]
	[[ "$output" == *"The git state now is the same as at the checkpoint"* ]]
	[ "$(fingerprint)" = "$before" ]
	[ "$(field d1 state)" = stopped ]
	# The state now next to the state then, and the difference said plainly.
	git -C "$T/r" checkout -q -b elsewhere
	run "$VIGIL" resume d1 --dry-run
	[[ "$output" == *"CHANGED since the checkpoint: the branch was main and is now elsewhere"* ]]
}

@test "a vigil copied without its prompts dir fills the same prompt from its built-in copy" {
	"$VIGIL" spawn c1 -C "$T" -t "port the tests" -- fake-agent prompt
	"$VIGIL" stop c1 --reason "copied"
	mkdir "$T/bin"
	cp "$VIGIL" "$T/bin/vigil"
	want=$("$VIGIL" resume c1 --dry-run)
	[[ "$want" == *"port the tests"* ]]
	[ "$("$T/bin/vigil" resume c1 --dry-run)" = "$want" ]
	[ "$(field c1 state)" = stopped ]
	# A [prompts] dir set in the config is the only place looked at.
	printf '[prompts]\ndir = %s\n' "$T/none" >>"$VIGIL_CONFIG"
	must_fail 1 "$T/bin/vigil" resume c1 --dry-run
	[[ "$ERR" == *"$T/none/resume.md"* ]]
}

@test "a resume prompt that cannot be filled does not keep a crashed agent down" {
	mkdir "$T/prompts"
	printf '[prompts]\ndir = %s\n' "$T/prompts" >>"$VIGIL_CONFIG"
	"$VIGIL" spawn b1 -p fake
	start_watch
	wait_for 10 state_is b1 working
	"$VIGIL" handoff b1 --reason "before the night"
	pid=$(field b1 pid)
	kill -9 "$pid"
	wait_for 10 has_event b1 error "cannot resume from handoff 1, starting afresh"
	wait_for 10 state_is b1 working
	[ "$(field b1 pid)" != "$pid" ]
	# Started afresh: the handoff still waits for a resume.
	[ "$(hojson b1 resumed)" = null ]
	! has_event b1 resume
}

@test "resume starts the agent with the preset's resume command and types the prompt, once" {
	cat >>"$VIGIL_CONFIG" <<-CONF
	[preset fakeres]
	command = fake-agent work
	resume_command = fake-agent prompt
	process = fake-agent
	CONF
	mkrepo "$T/r"
	echo two >"$T/r/a.txt"
	"$VIGIL" spawn r1 -p fakeres -C "$T/r"
	wait_for 5 screen_has r1 "step 1"
	"$VIGIL" checkpoint r1 -s "half way there" --pending "the other half"
	"$VIGIL" stop r1
	run "$VIGIL" resume r1
	[ "$status" -eq 0 ]
	[[ "$output" == *"resumed r1 from handoff 1"* ]]
	[[ "$output" == *"typed the resume prompt"* ]]
	wait_for 5 screen_has r1 "you said: - Summary: half way there"
	screen_has r1 "you said: - Pending work: the other half"
	screen_has r1 "you said: - Branch: main"
	[ "$(field r1 state)" = booting ]
	[ "$(hojson r1 resumed)" != null ]
	[ "$(hojson r1 to_session)" != null ]
	[ "$("$VIGIL" status r1 --json | jq -r .note)" = "resumed from handoff 1" ]
	[ "$("$VIGIL" log r1 --json | jq -r 'select(.kind == "resume") | .detail')" = \
	    "from handoff 1 (stopped by hand): fake-agent prompt" ]
	must_fail 1 "$VIGIL" resume r1
	[ "$ERR" = "vigil: resume: nothing to resume for 'r1'" ]
	[ "$("$VIGIL" log r1 --json | jq -r .kind | grep -c resume)" -eq 1 ]
}

@test "resume of an agent spawned with a command starts that command afresh" {
	"$VIGIL" spawn f1 -- fake-agent prompt
	wait_for 5 screen_has f1 "fake agent ready"
	"$VIGIL" stop f1
	run "$VIGIL" resume f1
	[ "$status" -eq 0 ]
	[[ "$output" == *"a fresh start"* ]]
	wait_for 5 screen_has f1 "you said: When you reach a good point to stop"
	tmuxt has-session -t =f1
}

@test "resume refuses a running agent and an agent with nothing to resume" {
	"$VIGIL" spawn live -- fake-agent prompt
	wait_for 5 screen_has live "fake agent ready"
	must_fail 1 "$VIGIL" resume live
	[ "$ERR" = "vigil: resume: nothing to resume for 'live'" ]
	run "$VIGIL" handoff live --reason "for later"
	[ "$status" -eq 0 ]
	[[ "$output" == *"handoff 1 of live"* ]]
	before=$(fingerprint)
	pid=$(field live pid)
	must_fail 1 "$VIGIL" resume live
	[[ "$ERR" == *"agent 'live' is booting; stop it first (vigil stop live)"* ]]
	[ "$(fingerprint)" = "$before" ]
	[ "$(field live pid)" = "$pid" ]
	must_fail 1 "$VIGIL" resume ghost
	[[ "$ERR" == *"no such agent 'ghost'"* ]]
	must_fail 64 "$VIGIL" resume 'x;y'
	must_fail 64 "$VIGIL" resume live --bogus
	must_fail 64 "$VIGIL" resume
	must_fail 64 "$VIGIL" handoff
	must_fail 64 "$VIGIL" checkpoint live --pending
	[ "$(fingerprint)" = "$before" ]
}

@test "a dir that is no repo: checkpoints without git facts" {
	mkdir "$T/plain"
	"$VIGIL" spawn p1 -C "$T/plain" -- fake-agent prompt
	wait_for 5 screen_has p1 "fake agent ready"
	run "$VIGIL" checkpoint p1 -s "no git here"
	[ "$status" -eq 0 ]
	[ "$output" = "checkpoint 1 of p1: no git facts (not a git repository)" ]
	[ "$(cpjson p1 branch)" = null ]
	[ "$(cpjson p1 head)" = null ]
	[ "$(cpjson p1 snapshot)" = null ]
	"$VIGIL" stop p1
	run "$VIGIL" resume p1 --dry-run
	[ "$status" -eq 0 ]
	[[ "$output" == *"- Summary: no git here"* ]]
	[[ "$output" == *"not a git repository, then as now"* ]]
	[[ "$output" == *"No snapshot: the directory is not a git repository."* ]]
}

@test "unborn HEAD: the snapshot has no parent and the prompt says no commits yet" {
	mkdir "$T/u"
	git -C "$T/u" init -q -b main
	echo draft >"$T/u/draft.txt"
	gitstate "$T/u" >"$T/before"
	"$VIGIL" spawn u1 -C "$T/u" -- fake-agent prompt
	wait_for 5 screen_has u1 "fake agent ready"
	run "$VIGIL" checkpoint u1
	[ "$status" -eq 0 ]
	ref=$(snapshots "$T/u" u1)
	[ -n "$ref" ]
	[ "$(git -C "$T/u" show "$ref:draft.txt")" = draft ]
	! git -C "$T/u" cat-file -p "$ref" | grep -q '^parent'
	gitstate "$T/u" >"$T/after"
	cmp "$T/before" "$T/after"
	[ "$(cpjson u1 branch)" = main ]
	[ "$(cpjson u1 head)" = null ]
	"$VIGIL" stop u1
	run "$VIGIL" resume u1 --dry-run
	[[ "$output" == *"- Branch: main (no commits yet)"* ]]
	[[ "$output" == *"- Last commit: none (no commits yet)"* ]]
}

@test "detached HEAD: recorded as such, and the prompt says so" {
	mkrepo "$T/d"
	echo two >"$T/d/a.txt"
	git -C "$T/d" commit -q -am second
	git -C "$T/d" checkout -q --detach HEAD~1
	head=$(git -C "$T/d" rev-parse HEAD)
	"$VIGIL" spawn h1 -C "$T/d" -- fake-agent prompt
	wait_for 5 screen_has h1 "fake agent ready"
	"$VIGIL" checkpoint h1
	[ "$(cpjson h1 branch)" = null ]
	[ "$(cpjson h1 head)" = "$head" ]
	[ "$(cpjson h1 snapshot)" = null ]
	"$VIGIL" stop h1
	run "$VIGIL" resume h1 --dry-run
	[[ "$output" == *"- Branch: none (detached HEAD at ${head:0:12})"* ]]
	[[ "$output" == *"Nothing was uncommitted at the checkpoint"* ]]
}

@test "an agent checkpoints itself from its pane through VIGIL_AGENT" {
	PATH="$(dirname "$VIGIL"):$PATH"
	export PATH
	mkrepo "$T/r"
	"$VIGIL" spawn self -C "$T/r" -- bash -c \
	    'vigil checkpoint -s "from inside" --pending "more"; exec fake-agent prompt'
	wait_for 10 screen_has self "fake agent ready"
	screen_has self "checkpoint 1 of self"
	[ "$(cpjson self summary)" = "from inside" ]
	[ "$(cpjson self source)" = agent ]
	must_fail 64 env -u VIGIL_AGENT "$VIGIL" checkpoint -s "who am I"
	[[ "$ERR" == *"VIGIL_AGENT is not set"* ]]
	VIGIL_AGENT=self run "$VIGIL" checkpoint -s "named by env"
	[ "$status" -eq 0 ]
	[ "$(cpjson self summary)" = "named by env" ]
}

@test "spawn --worktree: a worktree on branch vigil/NAME; rm refuses it dirty" {
	mkrepo "$T/r"
	mkdir "$T/r/sub"
	echo s >"$T/r/sub/s.txt"
	git -C "$T/r" add sub
	git -C "$T/r" commit -q -m sub
	run "$VIGIL" spawn w1 --worktree -C "$T/r/sub" -- fake-agent prompt
	[ "$status" -eq 0 ]
	wt=$VIGIL_HOME/worktrees/w1
	[[ "$output" == *"worktree $wt on branch vigil/w1"* ]]
	[ "$(field w1 dir)" = "$wt/sub" ]
	[ "$(git -C "$wt" symbolic-ref --short HEAD)" = vigil/w1 ]
	[ -z "$(git -C "$T/r" status --porcelain)" ]
	[ "$(git -C "$T/r" rev-parse vigil/w1)" = "$(git -C "$T/r" rev-parse main)" ]
	wait_for 5 screen_has w1 "fake agent ready"
	echo draft >"$wt/draft.txt"
	"$VIGIL" stop w1
	must_fail 1 "$VIGIL" rm w1
	[[ "$ERR" == *"uncommitted changes: ? draft.txt"* ]]
	[[ "$ERR" == *"agent 'w1' kept"* ]]
	[ "$(field w1 state)" = stopped ]
	[ -f "$wt/draft.txt" ]
	rm "$wt/draft.txt"
	run "$VIGIL" rm w1
	[ "$status" -eq 0 ]
	[ ! -e "$wt" ]
	[ "$("$VIGIL" ls --json)" = "[]" ]
	git -C "$T/r" rev-parse --verify -q vigil/w1 >/dev/null
}

@test "spawn --worktree outside a repo fails with one line and records nothing" {
	mkdir "$T/plain"
	must_fail 1 "$VIGIL" spawn w2 --worktree -C "$T/plain" -- fake-agent prompt
	[[ "$ERR" == *"not in a git repository"* ]]
	[ ! -e "$VIGIL_HOME/worktrees/w2" ]
	! tmuxt has-session -t =w2 2>/dev/null
	mkdir "$T/empty"
	git -C "$T/empty" init -q
	must_fail 1 "$VIGIL" spawn w3 --worktree -C "$T/empty" -- fake-agent prompt
	[[ "$ERR" == *"no commits yet"* ]]
	[ "$("$VIGIL" ls --json 2>/dev/null || echo '[]')" = "[]" ]
}

@test "status shows the last checkpoint and handoff" {
	mkrepo "$T/r"
	"$VIGIL" spawn s1 -C "$T/r" -- fake-agent prompt
	run "$VIGIL" status s1 --json
	[ "$(echo "$output" | jq -c '[.checkpoint, .handoff]')" = "[null,null]" ]
	"$VIGIL" checkpoint s1 -s "first step"
	"$VIGIL" stop s1 --reason "lunch"
	run "$VIGIL" status s1
	[ "$status" -eq 0 ]
	[[ "$output" == *"checkpoint 2 at "*" by stop"* ]]
	[[ "$output" == *"handoff  1 at "*": lunch; open (vigil resume s1)"* ]]
}

@test "resume leaves the prompt for the watchdog when the CLI is not ready in time" {
	cat >>"$VIGIL_CONFIG" <<-CONF
	[watch]
	ready_timeout = 400ms
	CONF
	"$VIGIL" spawn busy1 -- fake-agent work 100
	"$VIGIL" stop busy1
	run "$VIGIL" resume busy1
	[ "$status" -eq 0 ]
	[[ "$output" == *"resumed busy1 from handoff 1"* ]]
	[[ "$output" != *"typed the resume prompt"* ]]
	[[ "$output" == *"vigil: resume: warning: 'busy1' was not ready within 400ms; its resume prompt waits for the watchdog to type it"* ]]
	! screen_has busy1 "You are resuming"
	[ "$(hojson busy1 resumed)" != null ]
}

@test "resume never types the prompt into an interactive shell" {
	"$VIGIL" spawn sh1 -- bash --norc --noprofile
	"$VIGIL" stop sh1
	run "$VIGIL" resume sh1
	[ "$status" -eq 0 ]
	[[ "$output" == *"not typed into a shell; the resume prompt:"* ]]
	[[ "$output" == *"You are resuming work on a task."* ]]
	# resume has returned: anything it typed would be there by now.
	! screen_has sh1 "resuming"
}
