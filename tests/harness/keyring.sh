# shellcheck shell=bash
# A Secret Service for tests: a private D-Bus session bus with
# gnome-keyring-daemon unlocked by a test password, its keyring files in a
# directory of the test's own (never the user's ~/.local/share/keyrings).
#
#   keyring_reexec "$@"     at the top of a test script, before
#                           tusk_test_init: re-runs the script inside
#                           dbus-run-session (unless already in one made
#                           by this harness), then unlocks the keyring
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
}

keyring_reexec() {
	if [[ -z ${_TUSK_KEYRING_SESSION:-} ]]; then
		export _TUSK_KEYRING_SESSION=1
		exec dbus-run-session -- bash "$0" "$@"
	fi
	keyring_unlock "${TUSK_KEYRING_DIR:-}"
}

# shellcheck disable=SC2016 # expanded by the inner bash
keyring_run() {
	_TUSK_KEYRING_SESSION=1 dbus-run-session -- bash -c '
		set -euo pipefail
		. "$0"
		keyring_unlock "${TUSK_KEYRING_DIR:-}"
		exec "$@"' "$TUSK_HARNESS_DIR/keyring.sh" "$@"
}

keyring_unavailable() {
	env -u DBUS_SESSION_BUS_ADDRESS -u GNOME_KEYRING_CONTROL "$@"
}

keyring_lookup() {
	secret-tool lookup service com.tusk.app key "$1"
}
