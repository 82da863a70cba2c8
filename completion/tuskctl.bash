# bash completion for tuskctl (installed as
# share/bash-completion/completions/tuskctl). Commands, their sub-commands
# and flags, and saved connection and group names asked from a running
# tuskd (tuskctl names …, which never starts one).

_tuskctl_names() {
	local socket=()
	[[ -n ${_tuskctl_socket:-} ]] && socket=(--socket "$_tuskctl_socket")
	"${COMP_WORDS[0]}" "${socket[@]}" --no-autostart names "$1" 2>/dev/null
}

_tuskctl() {
	local cur prev cmd="" sub="" i w
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	_tuskctl_socket=
	local commands="query shell cancel history schema describe complete conn group open close
		secret ssh listen events workspace session ping status settings shutdown names help"
	local global="-d --dbname -c --command -f --file -S --socket -j --json --no-autostart
		--timeout -h --help --version -o --output -x --expanded -t --no-header --null
		--no-pager --format --csv --session --typed -q --quiet"
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		-S | --socket) _tuskctl_socket=${COMP_WORDS[i + 1]} ;;
		esac
		if [[ -z $cmd && $w != -* && ${COMP_WORDS[i - 1]} != @(-d|--dbname|-c|--command|-f|--file|-S|--socket|--timeout|-o|--output|--null|--format|--session) ]]; then
			cmd=$w
		elif [[ -n $cmd && -z $sub && $w != -* ]]; then
			sub=$w
		fi
	done
	case $prev in
	-d | --dbname)
		mapfile -t COMPREPLY < <(compgen -W "$(_tuskctl_names connections)" -- "$cur")
		return
		;;
	--group | --parent)
		mapfile -t COMPREPLY < <(compgen -W "$(_tuskctl_names groups)" -- "$cur")
		return
		;;
	-f | --file | -o | --output | -S | --socket | --ssh-key)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return
		;;
	--format)
		mapfile -t COMPREPLY < <(compgen -W "aligned csv tsv json jsonl text" -- "$cur")
		return
		;;
	--kind)
		mapfile -t COMPREPLY < <(compgen -W "schema table view materialized_view
			foreign_table partitioned_table function sequence type" -- "$cur")
		return
		;;
	--status)
		mapfile -t COMPREPLY < <(compgen -W "ok error cancelled" -- "$cur")
		return
		;;
	esac
	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "$global" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
		fi
		return
	fi
	local words=""
	case $cmd in
	conn)
		if [[ -z $sub ]]; then
			words="list show add edit rm test import status"
		else
			case $sub in
			show | rm | test | status | edit) words="$(_tuskctl_names connections)" ;;
			esac
			words+=" --json --group --color --readonly --password-stdin --ssh --ssh-key
				--ssh-agent --ssh-password-stdin --dry-run --name --host --port --db --user
				--sslmode --no-readonly --connect-timeout --statement-timeout --app-name"
		fi
		;;
	group)
		[[ -z $sub ]] && words="list add rm" || words="$(_tuskctl_names groups) --parent --color --sort"
		;;
	open | close | secret | ssh)
		case $cmd in
		secret) [[ -z $sub ]] && words="set rm has" ;;
		ssh) [[ -z $sub ]] && words="trust" ;;
		esac
		[[ -z $words ]] && words="$(_tuskctl_names connections) --ssh --passphrase
			--ssl-passphrase --all --password-stdin --fingerprint --yes"
		;;
	query) words="list -d --dbname -c --command -f --file --format --csv --session --typed -q
		--quiet -o --output -x --expanded -t --no-header --null --no-pager" ;;
	shell) words="-d --dbname" ;;
	history) words="list rm clear -d --dbname --search --status --limit --offset --json --yes" ;;
	schema | describe | complete) words="-d --dbname --kind --refresh --system --json --ddl
		--context --format" ;;
	settings) [[ -z $sub ]] && words="list get set reset" ;;
	session)
		if [[ -z $sub ]]; then words="release"
		elif [[ $sub == release ]]; then words="$(_tuskctl_names connections)"; fi
		;;
	events) words="connection query schema notify config workspace" ;;
	names) words="connections groups" ;;
	help) words=$commands ;;
	esac
	mapfile -t COMPREPLY < <(compgen -W "$words --help" -- "$cur")
}

complete -F _tuskctl tuskctl
