#!/bin/sh
# run-unit.sh - run cmocka test binaries, one PASS/FAIL line per test case,
# the output of a failing binary kept, and a summary line at the end:
#   unit: N passed, M failed
# Usage: tests/run-unit.sh BINARY...
pass=0 fail=0
log=$(mktemp) || exit 1
trap 'rm -f "$log"' EXIT INT TERM
for bin in "$@"; do
	name=$(basename "$bin")
	start=$(date +%s%N)
	CMOCKA_MESSAGE_OUTPUT=TAP "$bin" >"$log" 2>&1
	rc=$?
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	grep -E '^(not )?ok ' "$log" | while IFS= read -r line; do
		case $line in
		"not ok"*) echo "FAIL unit $name:${line#not ok * - }" ;;
		*) echo "PASS unit $name:${line#ok * - }" ;;
		esac
	done
	# A crash (sanitizer, signal) before the plan is complete is a failure too.
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "FAIL unit $name: exited with status $rc"
	fi
	if [ "$f" -ne 0 ]; then
		echo "---- $name output ----"
		cat "$log"
		echo "----"
	fi
	echo "     unit $name: $p passed, $f failed (${ms}ms)"
	pass=$((pass + p))
	fail=$((fail + f))
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
