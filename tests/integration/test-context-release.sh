#!/usr/bin/env bash
# context.release through `tuskctl session release NAME CONTEXT`, checked
# on the server (pg_stat_activity): a named context inside a transaction is
# rolled back at once and its backend is idle in the pool again; one that
# holds a SET is reset (DISCARD ALL) and let go; one running pg_sleep is
# cancelled on the server and let go when the query ends; a context that
# holds nothing, and a saved connection that is not open, hold nothing;
# an unknown connection is connection_not_found; bad usage is exit 2; with
# rollback false (raw JSON-RPC) an open transaction stays and is reported. The
# context idle timeout is 600 s here, so only the release can end them.
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
# shellcheck source=tests/harness/rpc.sh
. "$(dirname "$0")/../harness/rpc.sh"
tusk_test_init
export TUSK_VALIDATE_REPLIES=1
pg_use_shared
tuskd_start

tag="rel_$$_$RANDOM"
pg_psql -c "create database $tag" >/dev/null
at_exit "pg_psql -c 'drop database if exists $tag (force)' >/dev/null 2>&1"
pg_psql -d "$tag" -c "create table $tag (x int)" >/dev/null
DBURI="postgresql://$PGUSER@$PGHOST:$PGPORT/$tag"
tctl conn add rel "$DBURI" >/dev/null || fail "conn add rel"
tctl conn add idle "$DBURI" >/dev/null || fail "conn add idle"
assert_eq "$(tctl --json settings get query.context_idle_timeout_sec | jq .value)" 600 "contexts idle out only after 600 s"

# backends STATE APPNAME: this server's backends in STATE (a pg_stat_activity
# state) whose application_name is APPNAME.
backends() {
	pg_psql -At -c "select count(*) from pg_stat_activity where state = '$1' and application_name = '$2'"
}
is() {
	local want=$1
	shift
	[[ "$("$@")" == "$want" ]]
}

# ---- a transaction --------------------------------------------------------------
assert_rc 0 "begin in context t1" tctl -d rel --session t1 -c "begin"
assert_rc 0 "name the backend" tctl -d rel --session t1 -c "set local application_name = '$tag-t1'"
assert_rc 0 "insert in the transaction" tctl -d rel --session t1 -c "insert into $tag values (1)"
assert_eq "$(backends 'idle in transaction' "$tag-t1")" 1 "the context holds a backend idle in transaction"
assert_rc 0 "session release rel t1" tctl session release rel t1
assert_eq "$OUT" "released t1 on rel: its open transaction was rolled back" "release says it rolled back"
wait_until 10 is 0 backends 'idle in transaction' "$tag-t1" ||
	fail "the backend is still idle in transaction after the release"
pass "the server's transaction ended at once"
assert_eq "$(pg_psql -d "$tag" -At -c "select count(*) from $tag")" 0 "the insert was rolled back"
assert_rc 0 "the context starts afresh" tctl -d rel --session t1 -c "insert into $tag values (2)"
assert_eq "$(pg_psql -d "$tag" -At -c "select count(*) from $tag")" 1 "a new statement in t1 commits on its own"

# ---- rollback false: a transaction stays (what the window asks about) --------------
assert_rc 0 "begin in context t2" tctl -d rel --session t2 -c "begin"
assert_rc 0 "name it" tctl -d rel --session t2 -c "set local application_name = '$tag-t2'"
reply=$(rpc_call context.release '{"connection_id": "rel", "context": "t2", "rollback": false}')
assert_eq "$(rpc_field result <<<"$reply" | jq -c '[.held, .released, .transaction_state]')" \
	'[true,false,"in_transaction"]' "rollback false: the open transaction is reported, not released"
assert_eq "$(backends 'idle in transaction' "$tag-t2")" 1 "the transaction is still open on the server"
assert_rc 0 "commit it in the context" tctl -d rel --session t2 -c "insert into $tag values (3); commit"
reply=$(rpc_call context.release '{"connection_id": "rel", "context": "t2", "rollback": false}')
assert_eq "$(rpc_field result <<<"$reply" | jq -c '[.held, .released]')" '[false,false]' \
	"after COMMIT the context holds nothing"
assert_eq "$(pg_psql -d "$tag" -At -c "select count(*) from $tag where x = 3")" 1 "the commit stands"
reply=$(rpc_call context.release '{"connection_id": "rel"}')
assert_eq "$(rpc_field error.data.kind <<<"$reply")" invalid_params "a missing context is invalid_params"
reply=$(rpc_call context.release '{"connection_id": "nosuch", "context": "t2"}')
assert_eq "$(rpc_field error.data.kind <<<"$reply")" connection_not_found "an unknown connection is connection_not_found"

# ---- a SET ------------------------------------------------------------------------
assert_rc 0 "set in context s1" tctl -d rel --session s1 -c "set application_name = '$tag-s1'"
assert_eq "$(backends idle "$tag-s1")" 1 "the SET holds a backend for s1"
assert_rc 0 "--json session release rel s1" tctl --json session release rel s1
assert_eq "$(jq -c '[.held, .released, .transaction_state, .cancelled, .context]' <<<"$OUT")" \
	'[true,true,"idle",false,"s1"]' "release reports the held session"
assert_eq "$(jq -r .connection_id <<<"$OUT")" "$(tctl --json conn show rel | jq -r .id)" \
	"release names the saved connection's id"
wait_until 10 is 0 backends idle "$tag-s1" || fail "the SET survived the release"
pass "the backend was reset (DISCARD ALL) on its way back to the pool"
run tctl -d rel --session s1 -c "show application_name"
assert_not_contains "$OUT" "$tag-s1" "the context's next statement does not see the old SET"

# ---- a running query --------------------------------------------------------------
# The SET in a call of its own pins the backend; pg_sleep runs on it next.
assert_rc 0 "set in context q1" tctl -d rel --session q1 -c "set application_name = '$tag-q1'"
"$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart -d rel --session q1 \
	-c "select pg_sleep(60)" >"$T/q1.out" 2>"$T/q1.err" &
q1=$!
wait_until 20 is 1 backends active "$tag-q1" || fail "pg_sleep did not start"
reply=$(rpc_call context.release '{"connection_id": "rel", "context": "q1", "rollback": false}')
assert_eq "$(rpc_field result <<<"$reply" | jq -c '[.held, .released, .transaction_state, .cancelled]')" \
	'[true,false,"running",false]' "rollback false leaves a running context alone"
assert_eq "$(backends active "$tag-q1")" 1 "its query still runs"
started=$SECONDS
assert_rc 0 "session release of a running context" tctl session release rel q1
assert_eq "$OUT" "released q1 on rel: its running query was cancelled, its transaction (if any) rolled back" \
	"release says it cancelled the query"
q1rc=0
wait "$q1" || q1rc=$?
assert_eq "$q1rc" 1 "the query's own tuskctl ends with the SQL error status"
assert_contains "$(cat "$T/q1.err")" "cancel" "it was cancelled on the server"
(((SECONDS - started) < 10)) || fail "the cancel took $((SECONDS - started)) s"
wait_until 10 is 0 backends idle "$tag-q1" || fail "the cancelled context kept its backend (and its SET)"
pass "the cancelled context let its backend go, reset"

# ---- a query still waiting for a backend (a full pool) ----------------------------------
assert_rc 0 "a pool of one" tctl settings set pool.max_size 1
assert_rc 0 "close rel (its pool takes the new size)" tctl close rel
"$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart -d rel --session w1 \
	-c "select pg_sleep(3)" >/dev/null 2>&1 &
w1=$!
sleeping() { tctl --json query list | jq -e '[.queries[] | select(.context == "w1" and .state == "running")] | length == 1' >/dev/null; }
wait_until 20 sleeping || fail "the first query does not run"
"$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart -d rel --session w2 \
	-c "select 'w2 ran'" >"$T/w2.out" 2>"$T/w2.err" &
w2=$!
waiting() { tctl --json query list | jq -e '[.queries[] | select(.context == "w2" and .state == "waiting")] | length == 1' >/dev/null; }
wait_until 10 waiting || fail "the second query is not waiting"
assert_rc 0 "release the context whose query waits for a backend" tctl session release rel w2
assert_eq "$(tctl ping >/dev/null && echo alive)" alive "tuskd is still running"
w2rc=0
wait "$w2" || w2rc=$?
assert_eq "$w2rc" 1 "the waiting query was cancelled"
assert_not_contains "$(cat "$T/w2.out")" "w2 ran" "it never ran"
wait "$w1" || true
assert_rc 0 "release it again: nothing held" tctl session release rel w2
assert_eq "$OUT" "released w2 on rel: it held nothing" "a second release holds nothing"
assert_rc 0 "pool size back" tctl settings reset pool.max_size

# ---- SET LOCAL and SET TRANSACTION hold nothing after their transaction ------------------
assert_rc 0 "set local outside a transaction" tctl -d rel --session l1 -c "set local work_mem = '2MB'"
assert_rc 0 "begin; set local; commit in one call" \
	tctl -d rel --session l2 -c "begin; set local work_mem = '2MB'; set transaction read only; commit"
for ctx in l1 l2; do
	reply=$(rpc_call context.release "{\"connection_id\": \"rel\", \"context\": \"$ctx\"}")
	assert_eq "$(rpc_field result.held <<<"$reply")" false "SET LOCAL ($ctx) leaves nothing held"
done
assert_rc 0 "a session SET in the same call holds" \
	tctl -d rel --session l3 -c "set local work_mem = '2MB'; set work_mem = '3MB'"
reply=$(rpc_call context.release '{"connection_id": "rel", "context": "l3"}')
assert_eq "$(rpc_field result.held <<<"$reply")" true "a session SET beside a SET LOCAL holds"

# ---- nothing held ---------------------------------------------------------------
assert_rc 0 "release a context that ran nothing" tctl session release rel never
assert_eq "$OUT" "released never on rel: it held nothing" "nothing held"
assert_rc 0 "release on a saved connection that is not open" tctl --json session release idle x
assert_eq "$(jq -c '[.held, .released, .transaction_state]' <<<"$OUT")" '[false,false,"none"]' \
	"a closed connection holds nothing"
assert_eq "$(tctl --json conn status | jq -r '[.connections[] | select(.name == "idle")] | length')" 0 \
	"release does not open the connection"

# ---- bad input ----------------------------------------------------------------------
assert_rc 1 "release on an unknown connection" tctl session release nosuch t1
assert_contains "$ERR" "nosuch" "the error names the connection"
assert_rc 2 "release without a context" tctl session release rel
assert_contains "$ERR" "usage: tuskctl session release NAME CONTEXT" "usage says what it takes"
assert_rc 2 "an unknown session subcommand" tctl session drop rel t1
run tctl session release rel "$(printf 'x%.0s' {1..300})"
assert_eq "$RC" 1 "a context name past 256 characters is refused"
assert_contains "$ERR" "context" "the error names the member"

tuskd_stop
