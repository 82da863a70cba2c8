#!/usr/bin/env bash
# Sessions that survive tuskd: two saved connections (a scram-sha-256 role
# whose password is only in the real gnome-keyring) open when tuskd gets
# SIGTERM, or SIGKILL, are open again after it starts; a named context that
# was inside a transaction is reported lost (tuskctl session, the
# context.lost event replayed to a client subscribing to topic connection)
# with the statements rolled back, and the server really rolled them back;
# closing a connection takes it off the list; session.restore=false restores
# nothing; and all of it under systemd-socket-activate too.
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
keyring_reexec "$@"
tusk_test_init
export TUSK_VALIDATE_REPLIES=1
command -v systemd-socket-activate >/dev/null || fail "systemd-socket-activate is not installed (scripts/deps install test)"
pg_start "$T/pg"
pw="s3cret-$RANDOM-$RANDOM"
pg_psql -c "create role alice login password '$pw'" -c "create database app owner alice"
pg_hba_add "host all alice 127.0.0.1/32 scram-sha-256"

tuskd_start
keyring_ok() { [[ $(tctl --json status | jq -r .keyring) == ok ]]; }
wait_until 30 keyring_ok || fail "the keyring is $(tctl --json status | jq -r .keyring), not ok"
assert_rc 0 "conn add a1 (password to the keyring)" \
	tctl conn add a1 "postgresql://alice@127.0.0.1:$PG_PORT/app" --password-stdin <<<"$pw"
assert_rc 0 "conn add a2" \
	tctl conn add a2 "postgresql://alice@127.0.0.1:$PG_PORT/postgres" --password-stdin <<<"$pw"
assert_rc 0 "conn add a3 (never opened)" tctl conn add a3 "postgresql://alice@127.0.0.1:$PG_PORT/postgres"
assert_eq "$(keyring_lookup "tusk:connection:$(tctl --json conn show a1 | jq -r .id)")" "$pw" \
	"the password is in the keyring"

# Connected pools, by name, as tuskd reports them.
open_names() {
	tctl --json conn status | jq -r '[.connections[] | select(.status == "connected") | .name] | sort | join(",")'
}
# Backends of alice on the server (the pools really reconnected).
alice_backends() {
	pg_psql -At -c "select string_agg(distinct datname, ',' order by datname) from pg_stat_activity where usename = 'alice'"
}
# is WANT CMD...: CMD prints exactly WANT (for wait_until, which re-runs it).
is() {
	local want=$1
	shift
	[[ "$("$@")" == "$want" ]]
}
lost_summary() {
	tctl --json session | jq -c '[.lost_contexts[] | [.name, .context, .transaction_state, .statement_count, .statements]]'
}

open_two() {
	assert_rc 0 "open a1" tctl open a1
	assert_rc 0 "open a2" tctl open a2
	assert_eq "$(open_names)" "a1,a2" "a1 and a2 are open"
}
# A transaction in named context s1 of a1: begin, create, insert.
start_txn() {
	assert_rc 0 "begin in context s1" tctl -d a1 --session s1 -c "begin"
	assert_rc 0 "create table in it" tctl -d a1 --session s1 -c "create table lost_$1 (x int)"
	assert_rc 0 "insert in it" tctl -d a1 --session s1 -c "insert into lost_$1 values (1)"
}
check_restored() { # HOW TAG
	wait_until 20 is "a1,a2" open_names &&
		pass "$1: a1 and a2 are open again" || flunk "$1: a1 and a2 are open again" "$(tctl conn status)"
	assert_eq "$(alice_backends)" "app,postgres" "$1: the server has alice's backends on both databases (password from the keyring)"
	assert_eq "$(tctl --json session | jq -c '[.restore, [.restored[] | [.name, .state]]]')" \
		'[true,[["a1","open"],["a2","open"]]]' "$1: session.status lists both as restored"
	assert_eq "$(lost_summary)" \
		"[[\"a1\",\"s1\",\"in_transaction\",3,[\"begin\",\"create table lost_$2 (x int)\",\"insert into lost_$2 values (1)\"]]]" \
		"$1: the transaction of context s1 is reported lost with its statements"
	run tctl session
	assert_contains "$OUT" "lost: a1 context s1 was in_transaction" "$1: tuskctl session says so"
	assert_eq "$(pg_psql -d app -At -c "select count(*) from pg_class where relname = 'lost_$2'")" 0 \
		"$1: the server rolled it back"
	assert_rc 0 "$1: context s1 works again, empty" tctl -d a1 --session s1 -c "select 1"
	assert_rc 0 "$1: and holds a new transaction" tctl -d a1 --session s1 -c "begin"
	assert_rc 0 "$1: which commits" tctl -d a1 --session s1 -c "commit"
}

# ---- SIGTERM -------------------------------------------------------------------
open_two
start_txn term
tuskd_stop
tuskd_start
check_restored SIGTERM term
# A client subscribing to topic connection is told, once.
"$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart events connection >"$T/ev.out" 2>"$T/ev.err" &
evpid=$!
at_exit "kill $evpid 2>/dev/null || true"
wait_until 10 grep -q '"context.lost"' "$T/ev.out" &&
	pass "context.lost is replayed to a client that subscribes" ||
	flunk "context.lost is replayed to a client that subscribes" "$(cat "$T/ev.out" "$T/ev.err")"
assert_eq "$(jq -c 'select(.method == "context.lost") | [.params.name, .params.context, .params.statement_count]' "$T/ev.out")" \
	'["a1","s1",3]' "context.lost names the connection, the context and what ran"
kill "$evpid"

# ---- SIGKILL ---------------------------------------------------------------------
start_txn kill
tuskd_kill9 "$TUSKD_PID"
tuskd_start
check_restored SIGKILL kill

# ---- a closed connection stays closed ----------------------------------------------
assert_rc 0 "close a2" tctl close a2
tuskd_stop
tuskd_start
wait_until 20 is a1 open_names && pass "after close a2 only a1 comes back" ||
	flunk "after close a2 only a1 comes back" "$(open_names)"
assert_eq "$(lost_summary)" '[]' "no transaction was open: nothing lost"

# ---- session.restore = false -----------------------------------------------------------
assert_rc 0 "settings set session.restore false" tctl settings set session.restore false
tuskd_stop
tuskd_start
sleep 1
assert_eq "$(open_names)" "" "with session.restore off nothing is reopened"
assert_eq "$(tctl --json session | jq -c '[.restore, .restored]')" '[false,[]]' "session.status says so"
assert_rc 0 "settings reset session.restore" tctl settings reset session.restore
tuskd_stop

# ---- systemd socket activation: SIGTERM and SIGKILL, then the next connection starts it --
activate() {
	rm -f "$TUSKD_SOCKET"
	# It passes on only the variables named: the session bus (the
	# keyring) and tuskd's directories, as a systemd user manager would.
	systemd-socket-activate -l "$TUSKD_SOCKET" -E DBUS_SESSION_BUS_ADDRESS \
		-E TUSK_STATE_DIR -E TUSK_CACHE_DIR -E TUSK_LOG -E TUSK_VALIDATE_REPLIES \
		"$TUSKD" --data-dir "$TUSKD_DATA" \
		</dev/null >>"$TUSKD_STDERR" 2>&1 &
	TUSKD_PID=$!
	_tuskd_running+=("$TUSKD_PID:$TUSKD_STDERR")
	wait_until 10 test -S "$TUSKD_SOCKET" || fail "systemd-socket-activate did not bind"
}
activate
open_two
start_txn act
kill -TERM "$TUSKD_PID"
wait "$TUSKD_PID" && pass "socket-activated tuskd exits 0 on SIGTERM" || flunk "socket-activated tuskd exits 0 on SIGTERM"
_tuskd_forget "$TUSKD_PID"
activate
check_restored "socket activation, SIGTERM" act
assert_eq "$(tr '\0' '\n' <"/proc/$TUSKD_PID/environ" | grep -c '^LISTEN_FDS=1$')" 1 "it runs socket-activated"
start_txn act2
kill -KILL "$TUSKD_PID"
wait "$TUSKD_PID" || true
_tuskd_forget "$TUSKD_PID"
activate
check_restored "socket activation, SIGKILL" act2
tuskd_stop
if grep -q "$pw" "$TUSKD_DATA"/tusk.db* "$TUSKD_STDERR" "$TUSKD_STATE"/logs/* 2>/dev/null; then
	flunk "the password is in no file of tuskd"
else
	pass "the password is in no file of tuskd"
fi
