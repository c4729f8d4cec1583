#!/bin/sh
# run-e2e.sh - run the bats end-to-end tests against a real tmux, one
# PASS/FAIL line per test with its time, the log of a failing test only,
# and a summary line at the end:   e2e: N passed, M failed (, K skipped)
# Usage: VIGIL=/path/to/vigil tests/run-e2e.sh [FILE.bats...]
here=$(cd "$(dirname "$0")" && pwd)
: "${VIGIL:=$here/../vigil}"
export VIGIL
[ $# -gt 0 ] || set -- "$here"/e2e/*.bats
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT INT TERM
bats --tap --timing "$@" >"$out" 2>&1
rc=$?
awk '
	/^ok [0-9]+ .* # skip/ {
		line = $0; sub(/^ok [0-9]+ /, "", line)
		print "SKIP e2e " line; skip++; infail = 0; next
	}
	/^ok / {
		line = $0; sub(/^ok [0-9]+ /, "", line)
		print "PASS e2e " line; pass++; infail = 0; next
	}
	/^not ok / {
		line = $0; sub(/^not ok [0-9]+ /, "", line)
		print "FAIL e2e " line; fail++; infail = 1; next
	}
	/^#/ { if (infail) print "    " $0; next }
	/^1\.\.[0-9]+/ { plan = substr($0, 4) + 0; next }
	{ if (infail) print "    " $0 }
	END {
		if (plan > pass + fail + skip) {
			print "FAIL e2e: " plan - pass - fail - skip " tests did not report"
			fail += plan - pass - fail - skip
		}
		if (skip)
			printf "e2e: %d passed, %d failed, %d skipped\n", pass, fail, skip
		else
			printf "e2e: %d passed, %d failed\n", pass, fail
		exit fail > 0
	}
' "$out"
awk_rc=$?
if [ "$rc" -ne 0 ] && [ "$awk_rc" -eq 0 ]; then
	cat "$out"
	echo "e2e: bats exited with status $rc"
	exit 1
fi
exit $awk_rc
