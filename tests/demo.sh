#!/bin/sh
# demo.sh - a demo fleet of fake agents on a private tmux socket, so that a
# new user sees vigil at work without any AI CLI installed.
#   tests/demo.sh          start the fleet and show it
#   tests/demo.sh stop     stop the fleet and remove the demo's state
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
# The demo's thresholds are seconds, not minutes, so that every tier acts
# within about a minute. See vigil.conf(5).
[watch]
interval = 500ms
[preset fake]
command = fake-agent work 700
process = fake-agent
nudge = please continue
CONF

"$VIGIL" spawn worker -p fake -t "refactor the parser" >/dev/null || exit 1
"$VIGIL" spawn chatty -p fake -- fake-agent prompt >/dev/null
"$VIGIL" spawn frozen -p fake -- fake-agent hang >/dev/null
"$VIGIL" send chatty "hello from vigil" >/dev/null

echo "vigil demo: three fake agents on tmux socket 'vigil-demo'"
echo
"$VIGIL" ls
echo
echo "recent events:"
"$VIGIL" log -n 8
echo
echo "Try, with the demo's environment:"
echo "  export VIGIL_HOME=$VIGIL_HOME VIGIL_SOCKET=vigil-demo VIGIL_CONFIG=$VIGIL_CONFIG"
echo "  $VIGIL ls                # the fleet"
echo "  $VIGIL attach worker     # watch an agent (detach: Ctrl-b d)"
echo "  $VIGIL log -f            # events as they happen"
echo "Stop the demo: make demo-stop"
