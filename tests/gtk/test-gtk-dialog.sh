#!/usr/bin/env bash
# The connection dialog end to end, driven through the window's
# accessibility tree (drive-dialog.py) under Xvfb with an unlocked
# gnome-keyring, against a real tuskd and PostgreSQL: Test of an unsaved
# connection with a typed password (wrong: the server's error; right:
# connected) that reaches tuskd but no argv, log or file; the TLS page's
# controls. Screenshots go to $TUSK_BUILD_DIR/gtk-shots/dialog.
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
keyring_reexec "$@"
tusk_test_init

GTK_BIN=${TUSK_GTK:?TUSK_GTK names the tusk binary}
PY=/usr/bin/python3
DRIVE=$TUSK_HARNESS_DIR/../gtk/drive-dialog.py
SHOTS=${TUSK_BUILD_DIR:-$T}/gtk-shots/dialog
rm -rf "$SHOTS"
mkdir -p "$SHOTS"
export TUSK_SHOTS=$SHOTS

# password authentication needs a server of its own (its pg_hba.conf)
pg_start "$T/pg"
password="typed-$RANDOM-$RANDOM"
pg_psql -c "create role gtk_bob login password '$password'" -c "create database dlg owner gtk_bob"
pg_hba_add "host all gtk_bob 127.0.0.1/32 scram-sha-256"

export TUSK_DLG_PASSWORD=$password TUSK_DLG_PGPORT=$PG_PORT TUSK_DLG_DB=dlg TUSK_DLG_USER=gtk_bob

Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$T/display" >"$T/xvfb.log" 2>&1 &
xvfb_pid=$!
at_exit "kill $xvfb_pid"
wait_until 10 test -s "$T/display" || fail "Xvfb did not start" "$(cat "$T/xvfb.log")"
display=$(tr -dc 0-9 <"$T/display")
export DISPLAY=:$display GDK_BACKEND=x11 GSK_RENDERER=cairo NO_AT_BRIDGE=0
/usr/libexec/at-spi-bus-launcher --launch-immediately >"$T/atspi.log" 2>&1 &
atspi_pid=$!
at_exit "kill $atspi_pid"

export TUSK_LOG=debug
tuskd_start
"$GTK_BIN" --socket "$TUSKD_SOCKET" --no-autostart >>"$T/tusk.log" 2>&1 &
window_pid=$!
at_exit "kill $window_pid"

drive() {
	if "$PY" "$DRIVE" "$@"; then
		pass "phase $1"
	else
		show_file "$T/tusk.log"
		fail "phase $1 failed"
	fi
}

drive typed
assert_eq "$(tctl --json conn list | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["connections"]))')" 0 \
	"Test saved nothing"
no_password_anywhere() {
	local where
	where=$(cat "$TUSKD_DATA"/* "$TUSKD_STDERR" "$T/tusk.log" 2>/dev/null | tr -d '\0')
	assert_not_contains "$where" "$password" "the typed password is not in tusk.db or any log ($1)"
	assert_not_contains "$(ps -eo args)" "$password" "nor in any process's argv ($1)"
}
no_password_anywhere "after Test"

