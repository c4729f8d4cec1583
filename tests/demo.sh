#!/bin/sh
# demo.sh - a demo fleet of fake agents under the watchdog, on a private
# tmux socket, so that a new user sees vigil at work without any AI CLI.
#   tests/demo.sh          start the fleet and the watchdog, show them live
#   tests/demo.sh stop     stop the fleet and the watchdog, remove the state
# DEMO_SECONDS (default 60) is how long the live view lasts.
set -u
: "${VIGIL:=$(cd "$(dirname "$0")/.." && pwd)/vigil}"
here=$(cd "$(dirname "$0")" && pwd)
DEMO=${VIGIL_DEMO_DIR:-${TMPDIR:-/tmp}/vigil-demo-$(id -u)}
export VIGIL_HOME="$DEMO/home" VIGIL_SOCKET=vigil-demo VIGIL_CONFIG="$DEMO/config"
export PATH="$here/fixtures:$PATH"

if [ "${1:-}" = stop ]; then
	[ -f "$DEMO/watch.pid" ] && kill "$(cat "$DEMO/watch.pid")" 2>/dev/null
	tmux -L vigil-demo kill-server 2>/dev/null
	rm -rf "$DEMO"
	echo "demo stopped and removed ($DEMO)"
	exit 0
fi

if tmux -L vigil-demo has-session 2>/dev/null; then
	echo "a demo is already running; stop it first: make demo-stop"
	exit 1
fi
mkdir -p "$DEMO"
cat >"$VIGIL_CONFIG" <<CONF
# The demo's thresholds are seconds, not minutes, so that the tiers act
# within about a minute. See vigil.conf(5).
[watch]
interval = 500ms
warn_after = 6s
nudge_after = 12s
triage_after = 20s
terminate_after = 35s
max_nudges = 1
[triage]
command = fake-triage continue
[crash]
backoff_base = 2s
backoff_factor = 2
max_in_window = 10
max_restarts = 3
[preset fake]
command = fake-agent work 700
process = fake-agent
nudge = please continue
CONF

"$VIGIL" spawn worker -p fake -t "refactor the parser" >/dev/null || exit 1
"$VIGIL" spawn chatty -p fake -- fake-agent prompt >/dev/null
"$VIGIL" spawn crasher -p fake -- fake-agent crash 1 1500 >/dev/null
"$VIGIL" spawn frozen -p fake -- fake-agent hang >/dev/null
"$VIGIL" spawn spinner -p fake -- fake-agent spinner >/dev/null
"$VIGIL" send chatty "hello from vigil" >/dev/null
# Its own session: the watchdog outlives the terminal that ran make demo.
if command -v setsid >/dev/null; then
	setsid "$VIGIL" watch 2>"$DEMO/watch.log" &
else
	"$VIGIL" watch 2>"$DEMO/watch.log" &
fi
echo $! >"$DEMO/watch.pid"

secs=${DEMO_SECONDS:-60}
end=$(($(date +%s) + secs))
while [ "$(date +%s)" -lt "$end" ]; do
	[ -t 1 ] && printf '\033[H\033[2J'
	echo "vigil demo: five fake agents under the watchdog, tmux socket 'vigil-demo'"
	echo "(live for $((end - $(date +%s)))s more) The crasher is restarted with growing"
	echo "delays, then given up as failed; the frozen one and the spinner (a spinner"
	echo "and a clock redrawn in place, no real progress) walk warn, nudge, AI triage"
	echo "(a fake model here) and terminate."
	echo
	"$VIGIL" ls
	echo
	echo "events:"
	"$VIGIL" log -n 12
	[ -t 1 ] || break
	sleep 2
done
echo
echo "The fleet and the watchdog keep running. With the demo's environment:"
echo "  export VIGIL_HOME=$VIGIL_HOME VIGIL_SOCKET=vigil-demo VIGIL_CONFIG=$VIGIL_CONFIG"
echo "  $VIGIL ls                # the fleet"
echo "  $VIGIL attach worker     # watch an agent (detach: Ctrl-b d)"
echo "  $VIGIL log -f            # events as they happen"
echo "Stop the demo: make demo-stop"
