#!/usr/bin/env bash
# How an execution ends, as a person sees it through tuskctl and another
# client sees it on the socket: every way a query is stopped is recorded
# with its reason (a timeout is "cancelled", as the protocol says; Ctrl-C,
# a client that hangs up, a daemon that stops, a cancel on the server);
# `tuskctl history` shows and filters the reason; the statement's type comes
# from its SQL whatever the outcome; the one shape of a history entry; and
# query.completed carries the result summary with its columns.
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
tusk_test_init
pg_use_shared
tuskd_start

DB="host=$PGHOST port=$PGPORT user=$PGUSER dbname=postgres"
tag="tuskout_$$_$RANDOM"
q() { tctl -d "$DB" "$@"; }
active_with() {
	pg_psql -At -c "select count(*) from pg_stat_activity where state = 'active' \
		and query like '%$1%' and pid <> pg_backend_pid()"
}
running() { [[ $(active_with "$1") == 1 ]]; }
gone() { [[ $(active_with "$1") == 0 ]]; }
# The newest history entry whose SQL has word $1, as JSON.
entry() {
	tctl history --search "$1" --limit 1 --json | jq -c '.entries[0]'
}
field() { jq -r ".$2" <<<"$1"; }

# ---- a timeout: cancelled, reason timeout, type select ------------------
run tctl --timeout 300 -d "$DB" -c "select pg_sleep(3) as ${tag}_t1"
assert_eq "$RC" 1 "a query past its timeout exits 1"
assert_contains "$ERR" "Query timeout after 300ms" "it says it timed out"
e=$(entry "${tag}_t1")
assert_eq "$(field "$e" status)" cancelled "history: a timeout is status cancelled (as the schema says)"
assert_eq "$(field "$e" stop_reason)" timeout "history: its stop_reason is timeout"
assert_eq "$(field "$e" query_type)" select "history: a timed-out select is a select"
assert_contains "$(field "$e" error)" "Query timeout after 300ms" "history keeps the message"

# The server's own statement_timeout is the same truth.
run q -c "set statement_timeout = 200; select pg_sleep(3) as ${tag}_t2"
assert_eq "$RC" 1 "a query past the server's statement_timeout exits 1"
e=$(entry "${tag}_t2")
assert_eq "$(field "$e" status)/$(field "$e" stop_reason)" cancelled/timeout \
	"history: statement_timeout is cancelled/timeout too"
assert_eq "$(field "$e" query_type)" select "history: its type is select (the last statement)"

# ---- the type comes from the SQL whatever the outcome -------------------
run q -c "insert into ${tag}_missing values (1)"
e=$(entry "${tag}_missing")
assert_eq "$(field "$e" status)" error "a failed insert is an error"
assert_eq "$(field "$e" stop_reason)" null "an error has no stop_reason"
assert_eq "$(field "$e" query_type)" insert "a failed insert is still an insert"
assert_rc 0 "a select that completes" q -c "select 1 as ${tag}_ok"
e=$(entry "${tag}_ok")
assert_eq "$(field "$e" status)/$(field "$e" query_type)/$(field "$e" stop_reason)" ok/select/null \
	"history: ok, select, no stop_reason"

# ---- Ctrl-C: cancel_request ---------------------------------------------
"$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart -d "$DB" \
	-c "select pg_sleep(60) as ${tag}_int" >"$T/int.out" 2>"$T/int.err" &
qpid=$!
wait_until 10 running "${tag}_int" || fail "the pg_sleep query did not start"
kill -INT "$qpid"
wait "$qpid" || true
wait_until 5 gone "${tag}_int" || flunk "the Ctrl-C'd query left the server"
e=$(entry "${tag}_int")
assert_eq "$(field "$e" status)/$(field "$e" stop_reason)" cancelled/cancel_request \
	"history: Ctrl-C is cancelled/cancel_request"

# ---- the client goes away: client_gone ----------------------------------
"$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart -d "$DB" \
	-c "select pg_sleep(60) as ${tag}_gone" >/dev/null 2>&1 &
qpid=$!
wait_until 10 running "${tag}_gone" || fail "the second pg_sleep query did not start"
kill -KILL "$qpid"
wait "$qpid" 2>/dev/null || true
wait_until 5 gone "${tag}_gone" || flunk "the orphaned query left the server"
wait_until 5 eval '[[ $(field "$(entry "${tag}_gone")" stop_reason) == client_gone ]]' ||
	true
e=$(entry "${tag}_gone")
assert_eq "$(field "$e" status)/$(field "$e" stop_reason)" cancelled/client_gone \
	"history: a client that hung up is cancelled/client_gone"

# ---- cancelled on the server: server ------------------------------------
"$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart -d "$DB" \
	-c "select pg_sleep(60) as ${tag}_srv" >/dev/null 2>"$T/srv.err" &
qpid=$!
wait_until 10 running "${tag}_srv" || fail "the third pg_sleep query did not start"
pg_psql -At -c "select pg_cancel_backend(pid) from pg_stat_activity \
	where query like '%${tag}_srv%' and pid <> pg_backend_pid()" >/dev/null
rc=0
wait "$qpid" || rc=$?
assert_eq "$rc" 1 "a query cancelled on the server exits 1"
e=$(entry "${tag}_srv")
assert_eq "$(field "$e" status)/$(field "$e" stop_reason)" cancelled/server \
	"history: pg_cancel_backend is cancelled/server"

# ---- tuskctl history shows and filters the reason -----------------------
run tctl history --search "$tag"
assert_eq "$RC" 0 "tuskctl history lists them"
assert_contains "$OUT" "cancelled (timeout)" "the table shows 'cancelled (timeout)'"
assert_contains "$OUT" "cancelled (client_gone)" "and 'cancelled (client_gone)'"
assert_contains "$OUT" "cancelled (cancel_request)" "and 'cancelled (cancel_request)'"
run tctl history --search "$tag" --stop-reason timeout --json
assert_eq "$(jq -r '.total' <<<"$OUT")" 2 "--stop-reason timeout finds the two timeouts"
assert_eq "$(jq -r '[.entries[].stop_reason] | unique | join(",")' <<<"$OUT")" timeout \
	"and nothing else"
assert_rc 2 "--stop-reason takes only known reasons" tctl history --stop-reason crash
assert_contains "$ERR" "cancel_request, timeout, client_gone, daemon_stopping or server" \
	"the usage error names them"

# ---- one shape of a history entry ---------------------------------------
keys=$(tctl history --search "$tag" --limit 1 --json | jq -c '.entries[0] | keys')
assert_eq "$keys" '["connection_id","database","duration_ms","error","executed_at","id","query_type","rows","sql","status","stop_reason"]' \
	"an entry has exactly the protocol's HistoryEntry members"

# ---- query.completed carries the result summary -------------------------
# A subscriber on the raw socket sees another client's query finish.
mkfifo "$T/sub.in"
timeout 30 socat -t 5 - "UNIX-CONNECT:$TUSKD_SOCKET" <"$T/sub.in" >"$T/sub.out" &
subpid=$!
exec 7>"$T/sub.in"
printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"events.subscribe","params":{"topics":["query"]}}' >&7
wait_until 5 grep -q '"result"' "$T/sub.out" || fail "events.subscribe did not answer"
pass "events.subscribe answers"
assert_rc 0 "another client runs a query" \
	q -c "select 42::int4 as ${tag}_n, 'x'::text as label union all select 7, 'y'"
wait_until 10 grep -q '"query.completed"' "$T/sub.out" || true
completed=$(grep '"query.completed"' "$T/sub.out" | head -n 1)
exec 7>&-
wait "$subpid" 2>/dev/null || true
assert_ne "$completed" "" "the subscriber gets query.completed"
p=$(jq -c '.params' <<<"$completed")
assert_eq "$(jq -r '.rows' <<<"$p")" 2 "query.completed: rows"
assert_eq "$(jq -r '.truncated' <<<"$p")" false "query.completed: truncated flag"
assert_eq "$(jq -r '.results[0].command_tag' <<<"$p")" "SELECT 2" "query.completed: command tag"
assert_eq "$(jq -r '.results[0].rows_affected' <<<"$p")" 2 "query.completed: rows affected"
assert_eq "$(jq -r '.results[0].row_count' <<<"$p")" 2 "query.completed: row count"
assert_eq "$(jq -r '.results[0].execution_time_ms | type' <<<"$p")" number "query.completed: execution time"
assert_eq "$(jq -r '[.results[0].columns[] | .name + ":" + .type_name] | join(",")' <<<"$p")" \
	"${tag}_n:integer,label:text" "query.completed: columns with their types"

# ---- the daemon stops: daemon_stopping ----------------------------------
"$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart -d "$DB" \
	-c "select pg_sleep(60) as ${tag}_stop" >/dev/null 2>&1 &
qpid=$!
wait_until 10 running "${tag}_stop" || fail "the last pg_sleep query did not start"
tuskd_stop
wait "$qpid" 2>/dev/null || true
tuskd_start
e=$(entry "${tag}_stop")
assert_eq "$(field "$e" status)/$(field "$e" stop_reason)" cancelled/daemon_stopping \
	"history: a query the stopping daemon cut is cancelled/daemon_stopping"

# ---- history.record off: executions are not kept ------------------------
assert_rc 0 "settings set history.record false" tctl settings set history.record false
assert_rc 0 "a query with history off" q -c "select 1 as ${tag}_off"
assert_rc 0 "settings reset history.record" tctl settings reset history.record
assert_rc 0 "a query with history on again" q -c "select 1 as ${tag}_on"
assert_eq "$(entry "${tag}_on" | jq -r '.status')" ok "history on: the execution is kept"
assert_eq "$(entry "${tag}_off")" null "history.record false: the execution is not kept"
