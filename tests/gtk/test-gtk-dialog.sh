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

# shellcheck source=tests/gtk/gtk-lib.sh
. "$TUSK_HARNESS_DIR/../gtk/gtk-lib.sh"
gtk_suite_begin dialog drive-dialog.py

# password authentication needs a server of its own (its pg_hba.conf)
pg_start "$T/pg"
password="typed-$RANDOM-$RANDOM"
pg_psql -c "create role gtk_bob login password '$password'" -c "create database dlg owner gtk_bob"
pg_hba_add "host all gtk_bob 127.0.0.1/32 scram-sha-256"

export TUSK_DLG_PASSWORD=$password TUSK_DLG_PGPORT=$PG_PORT TUSK_DLG_DB=dlg TUSK_DLG_USER=gtk_bob

gtk_display_start

export TUSK_LOG=debug
tuskd_start
window_start

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

