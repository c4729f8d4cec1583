# bash completion for vigil(1): commands, agent names, preset names.
_vigil() {
	local cur prev words cword
	_init_completion 2>/dev/null || {
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD - 1]}
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	}
	local cmds="spawn ls status attach send nudge stop rm watch checkpoint handoff resume log triage doctor version"
	local i cmd=""
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-H | -L | -c) ((i++)) ;;
		-*) ;;
		*) cmd=${words[i]}; break ;;
		esac
	done
	case $prev in
	-H | -C) COMPREPLY=($(compgen -d -- "$cur")); return ;;
	-c | -T) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	-p) COMPREPLY=($(compgen -W "claude codex aider gemini shell" -- "$cur")); return ;;
	--restart) COMPREPLY=($(compgen -W "on-failure always no" -- "$cur")); return ;;
	esac
	if [ -z "$cmd" ]; then
		COMPREPLY=($(compgen -W "$cmds -H -L -c --help" -- "$cur"))
		return
	fi
	case $cmd in
	status | attach | send | nudge | stop | rm | log | checkpoint | handoff | resume | triage)
		local names
		names=$(vigil ls 2>/dev/null | awk '$1 != "watchdog:" && $1 != "no" { print $2 }')
		COMPREPLY=($(compgen -W "$names" -- "$cur"))
		;;
	esac
}
complete -F _vigil vigil
