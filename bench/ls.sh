#!/usr/bin/env bash
# ls.sh - `vigil ls` with 200 agents: wall time and tmux execs per call.
# The whole fleet must cost one tmux exec, never one per agent.
# Usage: bench/ls.sh [AGENTS]
. "$(dirname "$0")/lib.sh"
n=${1:-200}
machine
spawn_fleet "$n" || exit 1
for form in "ls" "ls --json"; do
	best=999999 total=0 runs=10
	reset_execs
	i=0
	while [ $i -lt $runs ]; do
		# shellcheck disable=SC2086
		t=$(ms_of "$VIGIL" $form)
		total=$((total + t))
		[ "$t" -lt "$best" ] && best=$t
		i=$((i + 1))
	done
	e=$(execs)
	echo "vigil $form, $n agents: best ${best}ms, mean $((total / runs))ms, tmux execs per call: $((e / runs))"
	[ $((e / runs)) -le 1 ] || { echo "FAIL: more than one tmux exec per call"; exit 1; }
done
