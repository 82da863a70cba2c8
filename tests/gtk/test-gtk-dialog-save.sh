#!/usr/bin/env bash
# A Save in the connection dialog finishes when the dialog is reopened
# meanwhile: test-gtk-dialog-save.c (the real dialog on a real tuskd, the
# password to a real gnome-keyring) under an Xvfb of its own and in a D-Bus
# session with an unlocked keyring. Without the AT-SPI bridge: GTK 4.8's
# segfaulted the window in this sequence (g_variant_new_object_path on a
# NULL path), so the dialog is driven in process.
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
keyring_reexec "$@"
tusk_test_init
bin=${1:?the gtk-dialog-save test binary}

# the daemons it starts (their pids in $T/tuskd.pids) are stopped even when
# a failed assertion aborts it before its teardown; their dirs are under $T
stop_daemons() {
	local pid
	while read -r pid; do
		kill "$pid" 2>/dev/null || true
	done <"$T/tuskd.pids"
}
: >"$T/tuskd.pids"
at_exit stop_daemons
export TUSK_DIALOG_SAVE_PIDS=$T/tuskd.pids TMPDIR=$T

Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$T/display" >"$T/xvfb.log" 2>&1 &
at_exit "kill $!"
wait_until 10 test -s "$T/display" || fail "Xvfb did not start" "$(cat "$T/xvfb.log")"
if DISPLAY=:$(tr -dc 0-9 <"$T/display") GDK_BACKEND=x11 GSK_RENDERER=cairo NO_AT_BRIDGE=1 \
	GTK_A11Y=none timeout 120 "$bin" --verbose "${@:2}" >"$T/out.log" 2>&1; then
	pass "the save finished after the dialog was reopened ($(grep -c '^ok' "$T/out.log") cases)"
else
	show_file "$T/out.log"
	fail "the save did not finish after the dialog was reopened"
fi
