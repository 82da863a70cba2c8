#!/usr/bin/env bash
# LISTEN / NOTIFY end to end on a PostgreSQL of the test's own: NOTIFY from
# psql reaches `tuskctl listen` (jsonl and psql-like text), only for its
# channels; notify.list shows the dedicated backend; after the server is
# restarted (pg_ctl -m immediate) the backend is re-established, every
# channel listened again and a gap reported, and notifications flow again;
# Ctrl-C stops tuskctl listen and the daemon UNLISTENs; bad input (unknown
# connection, bad channel names) gets the documented errors.
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
tusk_test_init
export TUSK_VALIDATE_REPLIES=1
pg_start "$T/pg"
tuskd_start

raw() { rpc_raw "$1"; }
is() {
	local want=$1
	shift
	[[ "$("$@")" == "$want" ]]
}
lines() { wc -l <"$1"; }
channels() { listeners | jq -c '.[0].channels'; }
discarded() { pg_psql -At -c "select query from pg_stat_activity where pid = $1"; }
listeners() {
	raw '{"jsonrpc":"2.0","id":1,"method":"notify.list"}' | jq -c '.result.listeners'
}
assert_rc 0 "conn add" tctl conn add nt "postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
cid=$(tctl --json conn show nt | jq -r .id)

start_listen() { # OUT ERR ARGS...
	local out=$1 err=$2
	shift 2
	"$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart listen "$@" >"$out" 2>"$err" &
	LPID=$!
	at_exit "kill $LPID 2>/dev/null || true"
	wait_until 15 grep -q 'Ctrl-C stops' "$err" || { show_file "$err"; fail "tuskctl listen $* did not start"; }
}
start_listen "$T/j.out" "$T/j.err" -d nt orders 'Mixed Case' --format jsonl
jpid=$LPID
start_listen "$T/t.out" "$T/t.err" -d nt orders
tpid=$LPID
pass "tuskctl listen starts on a saved connection not opened before"

pg_psql -c "notify orders, 'order 1 {\"x\": \"é\"}'" -c 'notify "Mixed Case"' -c "notify other, 'not ours'"
wait_until 10 is 2 lines "$T/j.out" || true
assert_eq "$(jq -c '[.channel, .payload, .connection_id == "'"$cid"'", (.pid > 0), (.received_at | test("Z$"))]' "$T/j.out")" \
	"$(printf '%s\n' '["orders","order 1 {\"x\": \"é\"}",true,true,true]' '["Mixed Case","",true,true,true]')" \
	"jsonl: both channels, exact payloads, in order; not the other channel"
wait_until 10 grep -q 'order 1' "$T/t.out" || true
assert_contains "$(cat "$T/t.out")" "Asynchronous notification \"orders\" with payload \"order 1 {\"x\": \"é\"}\" received from server process with PID" \
	"text: psql's line"
assert_not_contains "$(cat "$T/t.out")" "Mixed Case" "the text listener has only its channel"

l=$(listeners)
assert_eq "$(jq -c '[length, .[0].connection_id == "'"$cid"'", .[0].name, .[0].channels, .[0].status, (.[0].backend_pid > 0), .[0].received]' <<<"$l")" \
	'[1,true,"nt",["Mixed Case","orders"],"listening",true,2]' \
	"notify.list: one backend, both channels, listening, 2 received (not the other channel)"
bpid=$(jq '.[0].backend_pid' <<<"$l")
assert_eq "$(pg_psql -At -c "select count(*) from pg_stat_activity where pid = $bpid")" 1 \
	"the listening backend is a real server process"

# ---- server restart: re-established, gap reported --------------------------
pg_restart_immediate
wait_until 30 grep -q '"gap":true' "$T/j.out" || { show_file "$TUSKD_STDERR"; fail "no gap event after the server restart"; }
gap=$(grep '"gap":true' "$T/j.out")
assert_eq "$(jq -c '[.connection_id == "'"$cid"'", (.channels | sort), (.lost_at <= .restored_at), (.reason | length > 0)]' <<<"$gap")" \
	'[true,["Mixed Case","orders"],true,true]' "the gap event names the channels, when, and why"
wait_until 10 grep -q 'may have been missed' "$T/t.out" &&
	pass "text: the gap is printed" || flunk "text: the gap is printed" "$(cat "$T/t.out")"
l=$(listeners)
assert_eq "$(jq -c '[.[0].status, (.[0].backend_pid != '"$bpid"')]' <<<"$l")" '["listening",true]' \
	"a new backend listens"
bpid=$(jq '.[0].backend_pid' <<<"$l")
pg_psql -c "notify orders, 'after the restart'"
wait_until 10 grep -q 'after the restart' "$T/j.out" &&
	pass "notifications flow again after the restart" ||
	flunk "notifications flow again after the restart" "$(cat "$T/j.out")"

# ---- Ctrl-C ---------------------------------------------------------------------
kill -INT "$jpid"
rc=0
wait "$jpid" || rc=$?
assert_eq "$rc" 130 "Ctrl-C stops tuskctl listen (exit 130)"
wait_until 10 is '["orders"]' channels &&
	pass "its channel without another listener is unlistened" ||
	flunk "its channel without another listener is unlistened" "$(listeners)"
kill -INT "$tpid"
wait "$tpid" || true
wait_until 10 is '[]' listeners && pass "the last Ctrl-C ends the listening backend" ||
	flunk "the last Ctrl-C ends the listening backend" "$(listeners)"
wait_until 10 is "DISCARD ALL" discarded "$bpid" &&
	pass "the backend went back to the pool reset (DISCARD ALL: no LISTEN left)" ||
	flunk "the backend went back to the pool reset" "$(pg_psql -At -c "select state, query from pg_stat_activity where pid = $bpid")"
assert_eq "$(tctl --json conn status nt | jq -c '[.connections[0].busy]')" '[0]' \
	"the pool has no busy backend left"

# ---- bad input ---------------------------------------------------------------------
run tctl listen -d nosuch orders
assert_eq "$RC" 1 "listen on an unknown connection exits 1"
assert_contains "$ERR" "nosuch" "the error names it"
r=$(raw '{"jsonrpc":"2.0","id":2,"method":"notify.listen","params":{"connection_id":"nosuch","channel":"a"}}')
assert_eq "$(jq -c '.error.code' <<<"$r")" -32006 "raw: unknown connection is connection_not_found"
long=$(printf 'c%.0s' {1..64})
r=$(raw '{"jsonrpc":"2.0","id":3,"method":"notify.listen","params":{"connection_id":"nt","channel":"'"$long"'"}}')
assert_eq "$(jq -c '.error.code' <<<"$r")" -32602 "a 64-character channel is invalid_params"
long=$(printf 'é%.0s' {1..32})
r=$(raw '{"jsonrpc":"2.0","id":4,"method":"notify.listen","params":{"connection_id":"nt","channel":"'"$long"'"}}')
assert_eq "$(jq -c '[.error.code, .error.message]' <<<"$r")" \
	'[-32051,"channel: 64 bytes, PostgreSQL names are at most 63"]' "32 é (64 bytes) is invalid_input"
r=$(raw '{"jsonrpc":"2.0","id":5,"method":"notify.listen","params":{"connection_id":"nt","channel":""}}')
assert_eq "$(jq -c '.error.code' <<<"$r")" -32602 "an empty channel is invalid_params"
r=$(raw '{"jsonrpc":"2.0","id":6,"method":"notify.listen","params":{"connection_id":"nt","channel":"a\u0000b"}}')
assert_contains "$(jq -c '.error.code' <<<"$r")" "-32" "a channel with a NUL byte is refused"
r=$(raw '{"jsonrpc":"2.0","id":7,"method":"notify.listen","params":{"connection_id":"nt"}}')
assert_eq "$(jq -c '.error.code' <<<"$r")" -32602 "a missing channel is invalid_params"
r=$(raw '{"jsonrpc":"2.0","id":8,"method":"notify.unlisten","params":{"connection_id":"nt","channel":"never"}}')
assert_eq "$(jq -c '[.result.channels, .result.status]' <<<"$r")" '[[],"stopped"]' \
	"unlisten of a channel never listened changes nothing"
run tctl listen -d nt
assert_eq "$RC" 2 "listen without a channel is a usage error"
run tctl listen -d nt x --format csv
assert_eq "$RC" 2 "an unknown --format is a usage error"
# A quoted name is passed as it is: no SQL injection through a channel.
start_listen "$T/q.out" "$T/q.err" -d nt 'x"; drop table t; --'
pg_psql -c "notify \"x\"\"; drop table t; --\", 'quoted'"
wait_until 10 grep -q quoted "$T/q.out" && pass "a channel name with quotes works as a name" ||
	flunk "a channel name with quotes works as a name" "$(cat "$T/q.out")"
kill -INT "$LPID"
wait "$LPID" || true
assert_rc 0 "the daemon still answers" tctl ping
tuskd_stop
