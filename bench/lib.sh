# lib.sh - shared by the benchmarks: a private tmux server and state dir,
# a `tmux` wrapper first on PATH that counts execs, and cleanup.
: "${VIGIL:=$(cd "$(dirname "$0")/.." && pwd)/vigil}"
B=$(mktemp -d /tmp/vigil-bench.XXXXXX)
export TMUX_TMPDIR=$B/tmux VIGIL_HOME=$B/home VIGIL_SOCKET=vb$$ VIGIL_CONFIG=$B/config
export HOME=$B
mkdir -p "$TMUX_TMPDIR" "$B/bin"
REAL_TMUX=$(command -v tmux)
cat >"$B/bin/tmux" <<WRAP
#!/bin/sh
echo "\$*" >>"$B/tmux.log"
exec "$REAL_TMUX" "\$@"
WRAP
chmod +x "$B/bin/tmux"
export PATH="$B/bin:$(cd "$(dirname "$0")/../tests/fixtures" && pwd):$PATH"
: >"$VIGIL_CONFIG"

cleanup() {
	[ -n "${WATCH_PID:-}" ] && kill "$WATCH_PID" 2>/dev/null
	"$REAL_TMUX" -L "$VIGIL_SOCKET" kill-server 2>/dev/null
	sleep 0.3 # the agents' wrappers write their exit files as they go
	rm -rf "$B"
}
trap cleanup EXIT INT TERM

# execs: how many tmux processes ran since the last reset_execs.
reset_execs() { : >"$B/tmux.log"; }
execs() { wc -l <"$B/tmux.log" | tr -d ' '; }

# spawn_fleet N [CMD...]: N cheap agents.
spawn_fleet() {
	n=$1
	shift
	[ $# -gt 0 ] || set -- sleep 1000000
	i=1
	while [ "$i" -le "$n" ]; do
		"$VIGIL" spawn "a$i" -- "$@" >/dev/null || return 1
		i=$((i + 1))
	done
}

# ms_of CMD...: wall milliseconds of one run.
ms_of() {
	s=$(date +%s%N)
	"$@" >/dev/null
	echo $(( ($(date +%s%N) - s) / 1000000 ))
}

machine() {
	echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME"), $(tmux -V), $(date +%Y-%m-%d)"
}
