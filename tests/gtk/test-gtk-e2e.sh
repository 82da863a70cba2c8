#!/usr/bin/env bash
# The tusk window end to end, driven through its accessibility tree
# (drive-e2e.py) under Xvfb, in its own D-Bus session with an unlocked
# gnome-keyring, against a real tuskd and PostgreSQL: add a
# connection through the dialog (password to the keyring), open it, run a
# query and read the grid, find it in history, a syntax error's position,
# Escape cancelling pg_sleep(60) within a second, a 1M-row result scrolled
# to its end, the schema browser's
# Select Top 100, the tab saved in the
# daemon's workspace, a killed window coming
# back with its tab, and tuskd restarted under the window. Screenshots of
# every step go to $TUSK_BUILD_DIR/gtk-shots/e2e.
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
keyring_reexec "$@"
tusk_test_init

# shellcheck source=tests/gtk/gtk-lib.sh
. "$TUSK_HARNESS_DIR/../gtk/gtk-lib.sh"
gtk_suite_begin e2e drive-e2e.py

# a server of its own: password authentication needs its own pg_hba.conf
pg_start "$T/pg"
password="pw-$RANDOM-$RANDOM"
db=shop
pg_psql -c "create role gtk_alice login password '$password'" -c "create database $db owner gtk_alice"
pg_hba_add "host all gtk_alice 127.0.0.1/32 scram-sha-256"
pg_psql -d "$db" -c "create table items (id int primary key, name text)" \
	-c "insert into items values (1, 'apple'), (2, 'pear')" -c "alter table items owner to gtk_alice"
export TUSKD_SOCKET
export TUSK_E2E_EXPORT_DIR=$T TUSK_E2E_PASSWORD=$password TUSK_E2E_PGPORT=$PG_PORT TUSK_E2E_DB=$db TUSK_E2E_USER=gtk_alice

gtk_display_start

tuskd_start

window_start
drive main
if cmp -s "$T/million.csv" <(pg_psql -d "$db" --csv -c "select i, 'r' || i as s from generate_series(1, 1000000) i"); then
	pass "the exported file is byte-identical to psql --csv ($(wc -l <"$T/million.csv") lines)"
else
	flunk "the exported file differs from psql --csv" "$(head -3 "$T/million.csv" 2>&1)"
fi
id=$(tctl --json conn list | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["connections"][0]["id"])')
assert_eq "$(keyring_lookup "tusk:connection:$id")" "$password" "the password went to the keyring"
assert_not_contains "$(cat "$TUSKD_DATA"/* 2>/dev/null | tr -d '\0')" "$password" "the password is not in tusk.db"

in_daemon() { tctl workspace --sql 2>/dev/null | grep -q "kept across a kill"; }
if wait_until 10 in_daemon; then
	pass "the tab's text is in the daemon's workspace (tuskctl workspace --sql)"
else
	flunk "the tab's text did not reach the daemon's workspace"
fi

window_kill
# without its local copy the window takes its tabs from the daemon
rm -f "$TUSK_STATE_DIR/window.json"
window_start
drive restored

tuskd_stop
drive away
tuskd_start
drive back
window_stop
