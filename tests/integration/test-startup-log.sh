#!/usr/bin/env bash
# What tuskd says while it starts reaches its daily log file, not only
# stderr: a corrupt database moved aside, a database of a newer Tusk (the
# in-memory fallback), and a missing Secret Service.
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
tusk_test_init

# ---- a corrupt database is moved aside ----------------------------------
tuskd_paths
mkdir -p "$TUSKD_DATA"
head -c 8192 /dev/urandom >"$TUSKD_DATA/tusk.db"
tuskd_start
log=$(tuskd_log_file)
assert_exists "$log" "the daily log file exists"
assert_contains "$(cat "$log")" "was damaged" "the log file says the database was damaged"
assert_contains "$(cat "$log")" "tusk.db.corrupt-" "and where it was moved"
tuskd_stop

# ---- a newer schema on disk: storage falls back to memory ---------------
tuskd_new_home
tuskd_paths
mkdir -p "$TUSKD_DATA"
sqlite3 "$TUSKD_DATA/tusk.db" "PRAGMA user_version = 9999"
tuskd_start
log=$(tuskd_log_file)
assert_contains "$(cat "$log")" "written by a newer Tusk (schema 9999)" \
	"the log file says the database is of a newer Tusk"
assert_contains "$(cat "$log")" "in-memory database" "and that storage is in memory"
tuskd_stop

# ---- no Secret Service --------------------------------------------------
tuskd_new_home
saved_bus=${DBUS_SESSION_BUS_ADDRESS:-}
unset DBUS_SESSION_BUS_ADDRESS
tuskd_start
log=$(tuskd_log_file)
# The keyring is probed on a worker right after start.
tctl secret has nosuch >/dev/null 2>&1 || true
if wait_until 10 grep -q "Secret Service keyring: unavailable" "$log"; then
	pass "the log file says the keyring is unavailable"
else
	flunk "the log file says the keyring is unavailable" "$(cat "$log")"
fi
tuskd_stop
if [[ -n $saved_bus ]]; then
	export DBUS_SESSION_BUS_ADDRESS=$saved_bus
fi
