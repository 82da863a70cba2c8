# shellcheck shell=bash
# A Secret Service for tests: a private D-Bus session bus with
# gnome-keyring-daemon unlocked by a test password, its keyring files in a
# directory of the test's own (never the user's ~/.local/share/keyrings).
#
#   keyring_reexec "$@"     at the top of a test script, before
#                           tusk_test_init: re-runs the script inside
#                           dbus-run-session (unless already in one made
#                           by this harness), then unlocks the keyring;
#                           the outer run waits and passes on the status
#   keyring_unlock [DIR]    start + unlock gnome-keyring on the current
#                           session bus; exports DBUS_SESSION_BUS_ADDRESS
#                           (already set) and GNOME_KEYRING_CONTROL
#   keyring_run CMD...      run CMD in a new session with an unlocked keyring
#   keyring_unavailable CMD...   run CMD with no session bus at all
#   keyring_lookup KEY      secret-tool lookup service com.tusk.app key KEY
#
# TUSK_KEYRING_PASSWORD (default "tusk-test-password") unlocks it.

TUSK_KEYRING_PASSWORD=${TUSK_KEYRING_PASSWORD:-tusk-test-password}

keyring_unlock() {
	local dir=${1:-}
	if [[ -z ${DBUS_SESSION_BUS_ADDRESS:-} ]]; then
		echo "keyring.sh: no session bus (run inside dbus-run-session)" >&2
		return 1
	fi
	if [[ -z $dir ]]; then
		dir=$(mktemp -d "${TMPDIR:-/tmp}/tusk-keyring.XXXXXX")
	fi
	mkdir -p "$dir"
	chmod 700 "$dir"
	local out
	# gnome-keyring keeps its files in $XDG_DATA_HOME/keyrings; only the
	# daemon sees this XDG_DATA_HOME, clients reach it over D-Bus.
	out=$(printf %s "$TUSK_KEYRING_PASSWORD" |
		XDG_DATA_HOME=$dir gnome-keyring-daemon --unlock --components=secrets) || {
		echo "keyring.sh: gnome-keyring-daemon --unlock failed" >&2
		return 1
	}
	local line
	while IFS= read -r line; do
		case "$line" in
		*=*) export "${line?}" ;;
		esac
	done <<<"$out"
	export TUSK_KEYRING_DIR=$dir
	# --unlock returns before the daemon owns org.freedesktop.secrets; a
	# client that came first would D-Bus-activate a second, unconfigured
	# gnome-keyring-daemon.
	local i
	for ((i = 0; i < 200; i++)); do
		if dbus-send --session --print-reply --dest=org.freedesktop.DBus \
			/org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner \
			string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
			return 0
		fi
		sleep 0.05
	done
	echo "keyring.sh: gnome-keyring-daemon did not take org.freedesktop.secrets" >&2
	return 1
}

keyring_reexec() {
	if [[ -z ${_TUSK_KEYRING_SESSION:-} ]]; then
		local dir=${TUSK_KEYRING_DIR:-} made=0 rc=0
		if [[ -z $dir ]]; then
			dir=$(mktemp -d "${TMPDIR:-/tmp}/tusk-keyring.XXXXXX")
			made=1
		fi
		_TUSK_KEYRING_SESSION=1 TUSK_KEYRING_DIR=$dir dbus-run-session -- bash "$0" "$@" || rc=$?
		[[ $made -eq 0 ]] || rm -rf "$dir"
		exit "$rc"
	fi
	# Inside a session the harness made (scripts/test runs every suite in
	# one): its keyring is already unlocked. Unlocking again from several
	# suites at once made the keyring flicker for the others.
	if dbus-send --session --print-reply --dest=org.freedesktop.DBus \
		/org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner \
		string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
		return 0
	fi
	keyring_unlock "$TUSK_KEYRING_DIR"
}

# shellcheck disable=SC2016 # expanded by the inner bash
keyring_run() {
	local dir=${TUSK_KEYRING_DIR:-} made=0 rc=0
	if [[ -z $dir ]]; then
		dir=$(mktemp -d "${TMPDIR:-/tmp}/tusk-keyring.XXXXXX")
		made=1
	fi
	_TUSK_KEYRING_SESSION=1 TUSK_KEYRING_DIR=$dir dbus-run-session -- bash -c '
		set -euo pipefail
		. "$0"
		keyring_unlock "$TUSK_KEYRING_DIR"
		exec "$@"' "$TUSK_HARNESS_DIR/keyring.sh" "$@" || rc=$?
	[[ $made -eq 0 ]] || rm -rf "$dir"
	return "$rc"
}

keyring_unavailable() {
	env -u DBUS_SESSION_BUS_ADDRESS -u GNOME_KEYRING_CONTROL "$@"
}

keyring_lookup() {
	secret-tool lookup service com.tusk.app key "$1"
}
