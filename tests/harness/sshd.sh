# shellcheck shell=bash
# An OpenSSH server on 127.0.0.1 for tunnel tests (recipe in TESTING.md),
# with its own host key, user key and authorized_keys under a directory.
# Needs root (sshd's privilege separation). Source it from a bash test, or
# run it as a command from a C test:
#
#   sshd.sh setup DIR PORT   keys + sshd_config in DIR (once)
#   sshd.sh start DIR        start sshd, wait until it listens
#   sshd.sh stop DIR         kill sshd and every session process it forked
#   sshd.sh add-user NAME PASSWORD / del-user NAME   (password auth)
#
# DIR/userkey is an unencrypted ed25519 key of root in authorized_keys;
# DIR/hostkey.pub is the server's host key.

sshd_setup() {
	local dir=$1 port=$2
	mkdir -p "$dir" /run/sshd
	chmod 700 "$dir"
	ssh-keygen -q -t ed25519 -N '' -C tusk-test-host -f "$dir/hostkey"
	ssh-keygen -q -t ed25519 -N '' -C tusk-test-user -f "$dir/userkey"
	cp "$dir/userkey.pub" "$dir/authorized_keys"
	cat >"$dir/sshd_config" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $dir/hostkey
AuthorizedKeysFile $dir/authorized_keys
PidFile $dir/sshd.pid
AllowTcpForwarding yes
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication yes
KbdInteractiveAuthentication no
LogLevel VERBOSE
CONF
	echo "$port" >"$dir/port"
}

sshd_start() {
	local dir=$1 port
	port=$(cat "$dir/port")
	/usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log"
	for _ in $(seq 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			return 0
		fi
		sleep 0.05
	done
	echo "sshd did not start; see $dir/sshd.log" >&2
	return 1
}

# Sessions live in processes sshd forked: kill those first (by parent
# pid), then the listener itself, so every client sees its connection drop.
sshd_stop() {
	local dir=$1 pid kid
	[[ -f $dir/sshd.pid ]] || return 0
	pid=$(cat "$dir/sshd.pid")
	for kid in $(pgrep -P "$pid" || true); do
		kill -9 "$kid" 2>/dev/null || true
	done
	kill "$pid" 2>/dev/null || true
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	rm -f "$dir/sshd.pid"
}

# For a tunnel test that sources lib.sh: sshd on PORT under $T/sshd
# (stopped at exit), the daemon's HOME under $T/home with an empty
# ~/.ssh/known_hosts, and an ssh-agent (killed at exit) holding the key sshd
# lets root in with.
sshd_for_tunnels() {
	local port=$1
	sshd_setup "$T/sshd" "$port"
	at_exit "sshd_stop $T/sshd"
	sshd_start "$T/sshd" || fail "sshd did not start"
	export HOME=$T/home
	mkdir -p "$HOME/.ssh"
	: >"$HOME/.ssh/known_hosts"
	eval "$(ssh-agent -a "$T/agent.sock" -s)" >/dev/null
	at_exit "kill $SSH_AGENT_PID"
	ssh-add -q "$T/sshd/userkey" 2>/dev/null
}

sshd_add_user() {
	useradd -M -d /nonexistent -s /bin/sh "$1"
	printf '%s:%s\n' "$1" "$2" | chpasswd
}

sshd_del_user() {
	userdel "$1" 2>/dev/null || true
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	set -euo pipefail
	cmd=$1
	shift
	case $cmd in
	setup) sshd_setup "$@" ;;
	start) sshd_start "$@" ;;
	stop) sshd_stop "$@" ;;
	add-user) sshd_add_user "$@" ;;
	del-user) sshd_del_user "$@" ;;
	*)
		echo "usage: sshd.sh setup|start|stop|add-user|del-user ..." >&2
		exit 2
		;;
	esac
fi
