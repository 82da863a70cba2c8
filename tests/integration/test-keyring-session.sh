#!/usr/bin/env bash
# Run a keyring suite in a D-Bus session bus of its own with a real
# gnome-keyring unlocked by $TUSK_KEYRING_PASSWORD, its keyring files in a
# temp dir (never ~/.local/share/keyrings), all torn down afterwards:
#
#   test-keyring-session.sh COMMAND [ARG]...
#
# A private session per suite, not one shared by the whole run, because the
# suites lock the keyring and pause gnome-keyring-daemon on purpose.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
harness=$here/../harness
for tool in dbus-run-session gnome-keyring-daemon secret-tool dbus-send; do
	if ! command -v "$tool" >/dev/null; then
		echo "test-keyring-session.sh: $tool is missing (scripts/deps install test)" >&2
		exit 1
	fi
done

dir=$(mktemp -d "${TMPDIR:-/tmp}/tusk-keyring.XXXXXX")
trap 'rm -rf "$dir"' EXIT
export TUSK_KEYRING_DIR=$dir
export TUSK_KEYRING_PASSWORD=${TUSK_KEYRING_PASSWORD:-tusk-test-password}

rc=0
# shellcheck disable=SC2016 # expanded by the inner bash
dbus-run-session -- bash -c '
	set -euo pipefail
	. "$0/keyring.sh"
	keyring_unlock "$TUSK_KEYRING_DIR"
	# gnome-keyring --unlock returns before it owns the name; a client
	# that came first would D-Bus-activate a second, unconfigured daemon.
	for _ in $(seq 200); do
		if dbus-send --session --print-reply --dest=org.freedesktop.DBus \
			/org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner \
			string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true"; then
			exec "$@"
		fi
		sleep 0.05
	done
	echo "test-keyring-session.sh: gnome-keyring did not take org.freedesktop.secrets" >&2
	exit 1' "$harness" "$@" || rc=$?
exit "$rc"
