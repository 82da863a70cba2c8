#!/usr/bin/env bash
# Issue 9, faults with real processes: a keyring item deleted behind
# tuskd's back (a clear credential error, no hang); PostgreSQL killed under
# a running query (a connection error, tuskd alive, the pool recovers); a
# client killed mid-stream (its query gone from pg_stat_activity within 1 s,
# tuskd's memory back near its baseline); a full or unwritable log
# directory (logging goes on to stderr, queries work). A private
# PostgreSQL with scram-sha-256, the real gnome-keyring (run through
# test-keyring-session.sh).
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
tusk_test_init
[[ -n ${DBUS_SESSION_BUS_ADDRESS:-} ]] || fail "run me through tests/integration/test-keyring-session.sh"

pg_start "$T/pg"
pg_psql -c "create role tuskf login password 'fault pw'" >/dev/null
pg_hba_add "host all tuskf 127.0.0.1/32 scram-sha-256"
uri="postgresql://tuskf@127.0.0.1:$PG_PORT/postgres"
tuskd_start
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$TUSKD_PID/status"; }
active_with() {
	pg_psql -At -c "select count(*) from pg_stat_activity where state = 'active' \
		and query like '%$1%' and pid <> pg_backend_pid()"
}
running() { [[ $(active_with "$1") -ge 1 ]]; }
now_ms() { date +%s%3N; }

run tctl conn add kr "$uri" --password-stdin <<<"fault pw"
assert_eq "$RC" 0 "conn add with a password"
assert_rc 0 "a query with the stored password" tctl -d kr -c "select 1"

# ---- PostgreSQL killed under a running query --------------------------
"$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart -d kr -c "select pg_sleep(60) /* f_kill */" \
	>"$T/k.out" 2>"$T/k.err" &
qpid=$!
wait_until 10 running f_kill || fail "the query did not start"
pg_restart_immediate
rc=0
wait "$qpid" || rc=$?
assert_eq "$rc" 1 "the query's tuskctl exits 1"
assert_contains "$(cat "$T/k.err")" "connection" "with a connection error: $(head -n 1 "$T/k.err")"
assert_rc 0 "tuskd is alive" tctl ping
run tctl -d kr -c "select 'recovered'"
assert_eq "$RC" 0 "the next query on the same connection works (the pool recovered)"
assert_contains "$OUT" "recovered" "and returns its row"

# ---- a client killed mid-stream ---------------------------------------
stream="select g, repeat('x', 200) from generate_series(1, 100000000) g /* f_stream */"
"$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart -d kr --format csv -c "$stream" >/dev/null 2>&1 &
spid=$!
sleep 2
kill -9 "$spid"
wait "$spid" 2>/dev/null || true
sleep 1
base=$(rss)
note "tuskd RSS after a first stream: ${base} kB"
"$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart -d kr --format csv -c "$stream" >/dev/null 2>&1 &
spid=$!
wait_until 10 running f_stream || fail "the stream did not start"
sleep 2
peak=$(rss)
kill -9 "$spid"
t0=$(now_ms)
wait "$spid" 2>/dev/null || true
gone_ms=
while (($(now_ms) - t0 < 5000)); do
	if [[ $(active_with f_stream) == 0 ]]; then
		gone_ms=$(($(now_ms) - t0))
		break
	fi
	sleep 0.02
done
note "the server-side query was gone ${gone_ms:-never} ms after the kill"
if [[ -n $gone_ms && $gone_ms -le 1000 ]]; then pass "the killed client's query is gone from pg_stat_activity within 1 s (${gone_ms} ms)"; else flunk "the killed client's query is gone within 1 s" "${gone_ms:-not within 5 s}"; fi
sleep 1
after=$(rss)
note "tuskd RSS: baseline ${base} kB, streaming ${peak} kB, after the kill ${after} kB"
if ((after <= base + 16384)); then pass "tuskd's memory is back near its baseline (${after} kB vs ${base} kB)"; else flunk "tuskd's memory is back near its baseline" "${after} kB vs ${base} kB"; fi
assert_rc 0 "tuskd still answers" tctl ping

# ---- a keyring item deleted behind tuskd's back -----------------------
id=$(tctl --json conn show kr | sed -n 's/^  "id": "\([^"]*\)".*/\1/p')
assert_ne "$id" "" "the connection's id"
assert_rc 0 "close its pool" tctl close kr
secret-tool clear service com.tusk.app key "tusk:connection:$id"
assert_eq "$(keyring_lookup "tusk:connection:$id" || true)" "" "the item is gone from the keyring"
t0=$(now_ms)
run timeout 30 "$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart -d kr -c "select 1"
took=$(($(now_ms) - t0))
assert_eq "$RC" 1 "the query fails, it does not hang (${took} ms)"
assert_contains "$ERR" "no longer in the keyring" "the error says the password is gone"
assert_contains "$ERR" "secret set kr" "and how to store it again"
run tctl secret set kr --password-stdin <<<"fault pw"
assert_rc 0 "after secret set the query works again" tctl -d kr -c "select 1"
tuskd_stop

# ---- a full log file, an unwritable log directory ---------------------
for kind in full unwritable; do
	TUSKD_HOME=$T/log-$kind
	mkdir -p "$TUSKD_HOME"
	if [[ $kind == full ]]; then
		# Every write to the log file fails with ENOSPC.
		mkdir -p "$TUSKD_HOME/state/logs"
		ln -s /dev/full "$TUSKD_HOME/state/logs/tuskd.log.$(date +%F)"
	else
		# A file where the state directory should be: no log directory
		# can be made there, whoever runs it.
		: >"$TUSKD_HOME/state"
	fi
	tuskd_start
	lines=$(wc -l <"$TUSKD_STDERR")
	run tctl -d "$uri" -c "select 'logged'"
	assert_eq "$RC" 1 "log $kind: a query without a password fails as expected"
	run tctl -d "postgresql://postgres@127.0.0.1:$PG_PORT/postgres" -c "select 'works'"
	assert_eq "$RC" 0 "log $kind: queries work"
	assert_contains "$OUT" "works" "log $kind: and return rows"
	wait_until 5 test "$(wc -l <"$TUSKD_STDERR")" -gt "$lines" || true
	assert_ne "$(wc -l <"$TUSKD_STDERR")" "$lines" "log $kind: logging to stderr goes on"
	tuskd_stop
done
