#!/usr/bin/env bash
# tuskctl query as real processes against the run's PostgreSQL: a --session
# transaction spanning processes, Ctrl-C and `tuskctl cancel` ending the
# query on the server, exit codes, csv byte-identical to psql --csv for -c,
# -f and stdin, json lines, a read-only saved connection, and history of
# ok / error / cancelled runs.
#
# The read-only saved connection comes last, and no transient query follows
# it: pool_open_transient (daemon/db/pool.c) takes a pool that is the tail
# of the pool list for an unregistered one (`p->next || pools == p`) and
# registers it again, which makes the list a cycle and hangs the daemon in
# pool_janitor. test-pool-cycle.sh reproduces it; once that is fixed this
# order no longer matters.
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
tusk_test_init
pg_use_shared
tuskd_start

DB="host=$PGHOST port=$PGPORT user=$PGUSER dbname=postgres"
tag="tuskcli_$$_$RANDOM"
tbl="${tag}_t"
pg_psql -c "create table $tbl (x int)"
at_exit "pg_psql -c 'drop table if exists $tbl' >/dev/null 2>&1"

q() { tctl -d "$DB" "$@"; }
count_psql() { pg_psql -At -c "select count(*) from $tbl"; }
# Rows of pg_stat_activity still running a statement that contains $1.
active_with() {
	pg_psql -At -c "select count(*) from pg_stat_activity where state = 'active' \
		and query like '%$1%' and pid <> pg_backend_pid()"
}
running() { [[ $(active_with "$1") == 1 ]]; }
gone() { [[ $(active_with "$1") == 0 ]]; }
alive() {
	[[ -r /proc/$1/stat ]] && [[ $(awk '{print $3}' "/proc/$1/stat") != Z ]]
}

# ---- a transaction over three processes on one backend ----------------
assert_rc 0 "--session s1 begin" q --session s1 -c "begin"
assert_eq "$OUT" "BEGIN" "begin prints BEGIN"
run q --session s1 --format csv -c "select pg_backend_pid()"
pid1=${OUT##*$'\n'}
assert_rc 0 "--session s1 insert" q --session s1 -c "insert into $tbl values (7)"
assert_eq "$OUT" "INSERT 0 1" "insert prints its tag"
assert_rc 0 "a fourth process in s1 reads the uncommitted row" \
	q --session s1 --format csv -c "select count(*), pg_backend_pid() from $tbl"
assert_eq "$OUT" $'count,pg_backend_pid\n'"1,$pid1" "it sees 1 row, on the same backend"
assert_eq "$(count_psql)" 0 "psql does not see the uncommitted row"
assert_eq "$(pg_psql -At -c "select state from pg_stat_activity where pid = $pid1")" \
	"idle in transaction" "the session's backend waits inside the transaction"
assert_rc 0 "--session s1 rollback" q --session s1 -c "rollback"
assert_eq "$OUT" "ROLLBACK" "rollback prints ROLLBACK"
assert_eq "$(count_psql)" 0 "after the rollback the row is gone for psql"
run q --format csv -c "select count(*) from $tbl"
assert_eq "$OUT" $'count\n0' "and for tuskctl"

# ---- Ctrl-C -----------------------------------------------------------
mark="${tag}_sigint"
# Not through a shell function: SIGINT must reach tuskctl itself.
"$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart -d "$DB" -c "select pg_sleep(60) /* $mark */" >"$T/int.out" 2>"$T/int.err" &
qpid=$!
wait_until 10 running "$mark" || fail "the pg_sleep query did not start" "$(cat "$T/int.err")"
t0=$(date +%s%N)
kill -INT "$qpid"
deadline=$((SECONDS + 5))
while alive "$qpid" && ((SECONDS < deadline)); do sleep 0.01; done
rc=0
wait "$qpid" || rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
assert_ne "$rc" 0 "tuskctl exits non-zero after SIGINT"
if ((ms < 2000)); then pass "it exits promptly ($ms ms)"; else flunk "it exits promptly" "$ms ms"; fi
assert_contains "$(cat "$T/int.err")" "Query cancelled" "it says the query was cancelled"
if wait_until 1 gone "$mark"; then
	pass "the query left pg_stat_activity within 1 s"
else
	flunk "the query left pg_stat_activity within 1 s"
fi

# ---- tuskctl cancel QUERY_ID from another process ----------------------
mark2="${tag}_cancel"
"$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart -d "$DB" -c "select pg_sleep(60) /* $mark2 */" >"$T/c.out" 2>"$T/c.err" &
qpid=$!
wait_until 10 running "$mark2" || fail "the second pg_sleep query did not start"
# tuskctl has no command for query.list: ask the socket directly. This
# daemon runs nothing else, so the only query is ours.
list=$(printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"query.list"}' |
	timeout 5 socat -t 2 - "UNIX-CONNECT:$TUSKD_SOCKET")
qid=$(grep -o '"query_id":"[^"]*"' <<<"$list" | head -n 1 | cut -d'"' -f4)
assert_ne "$qid" "" "query.list names the running query"
assert_contains "$list" '"state":"running"' "query.list says it is running"
assert_rc 0 "tuskctl cancel QUERY_ID" tctl cancel "$qid"
assert_eq "$OUT" "cancel sent to query $qid" "cancel says so"
deadline=$((SECONDS + 5))
while alive "$qpid" && ((SECONDS < deadline)); do sleep 0.01; done
rc=0
wait "$qpid" || rc=$?
assert_eq "$rc" 1 "the cancelled tuskctl exits 1"
assert_contains "$(cat "$T/c.err")" "Query cancelled" "and says the query was cancelled"
if wait_until 1 gone "$mark2"; then
	pass "the cancelled query left pg_stat_activity within 1 s"
else
	flunk "the cancelled query left pg_stat_activity within 1 s"
fi

# ---- exit codes --------------------------------------------------------
assert_rc 0 "select 1 exits 0" q -c "select 1 as ${tag}_ok"
nosuch="${tag}_missing"
assert_rc 1 "an SQL error exits 1" q -c "select * from $nosuch"
run pg_psql -c "select * from $nosuch"
psql_err=$(head -n 1 <<<"$ERR")
run q -c "select * from $nosuch"
assert_eq "$(head -n 1 <<<"$ERR")" "$psql_err" "stderr starts with the server's ERROR line, as psql's"
assert_eq "$OUT" "" "nothing on stdout for a failed query"
assert_rc 2 "-c and -f together is a usage error" q -c "select 1" -f /dev/null
assert_rc 2 "an unknown --format is a usage error" q --format nope -c "select 1"
assert_rc 2 "an unreadable -f file is a usage error" q -f "$T/no/such.sql"
assert_rc 3 "an unreachable daemon exits 3" \
	"$TUSKCTL" --socket "$T/nowhere.sock" --no-autostart -d "$DB" -c "select 1"

# ---- csv vs psql --csv -------------------------------------------------
cat >"$T/script.sql" <<EOF
select 1 as one, 'x,y' as "quoted,col", null::int as n, '' as empty;
insert into $tbl values (1), (2);
select x, x::text || E'\nline' as t, 'a"b' as q from $tbl order by x;
select now() is not null as ok;
delete from $tbl;
EOF
"$PG_BINDIR/psql" -X -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres --csv \
	-f "$T/script.sql" >"$T/psql-f.csv" 2>"$T/psql-f.err"
assert_eq "$(cat "$T/psql-f.err")" "" "the psql reference ran cleanly"
assert_rc 0 "--format csv -f FILE" q --format csv -f "$T/script.sql"
assert_contains "$OUT" $'\n'"INSERT 0 2"$'\nx,t,q' "the INSERT's tag is between the SELECTs"
q --format csv <"$T/script.sql" >"$T/tusk-stdin.csv"
assert_rc 0 "--format csv from stdin is byte-identical to psql --csv -f" \
	cmp "$T/psql-f.csv" "$T/tusk-stdin.csv"
q --format csv -f "$T/script.sql" >"$T/tusk-f2.csv"
assert_rc 0 "--format csv -f is byte-identical to psql --csv -f" \
	cmp "$T/psql-f.csv" "$T/tusk-f2.csv"
sql=$(cat "$T/script.sql")
"$PG_BINDIR/psql" -X -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres --csv \
	-c "$sql" >"$T/psql-c.csv"
q --csv -c "$sql" >"$T/tusk-c.csv"
assert_rc 0 "--csv -c SCRIPT is byte-identical to psql --csv -c" \
	cmp "$T/psql-c.csv" "$T/tusk-c.csv"
assert_eq "$(count_psql)" 0 "the script's delete ran each time"

# ---- json --------------------------------------------------------------
run q --format json -c "select 1 as a, 'x' as b union all select 2, null order by 1"
assert_eq "$RC" 0 "--format json exits 0"
assert_eq "$(sed -n 1p <<<"$OUT")" "[" "json opens an array"
assert_contains "$OUT" '{"a":1,"b":"x"}' "json row 1 is typed"
assert_contains "$OUT" '{"a":2,"b":null}' "json row 2 has a null"
assert_eq "$(tail -n 1 <<<"$OUT")" "]" "json closes the array"

# ---- history: ok, error, cancelled -------------------------------------
run tctl history --json --status cancelled --search "$tag"
assert_contains "$OUT" "$mark" "history keeps the Ctrl-C'd query as cancelled"
assert_contains "$OUT" "$mark2" "history keeps the cancelled query as cancelled"
assert_contains "$OUT" '"status": "cancelled"' "their status is cancelled"
run tctl history --json --status error --search "$nosuch"
assert_contains "$OUT" "select * from $nosuch" "history keeps the failed query"
assert_contains "$OUT" "relation \\\"$nosuch\\\" does not exist" "with the server's error"
run tctl history --json --status ok --search "${tag}_ok"
assert_contains "$OUT" "select 1 as ${tag}_ok" "history keeps the successful query"
assert_contains "$OUT" '"status": "ok"' "its status is ok"

# ---- a read-only saved connection (last: see the note at the top) -------
ro="ro_$tag"
assert_rc 0 "conn add --readonly" tctl conn add "$ro" \
	"postgresql://$PGUSER@$PGHOST:$PGPORT/postgres" --readonly
run env PGOPTIONS='-c default_transaction_read_only=on' "$PG_BINDIR/psql" -X -h "$PGHOST" \
	-p "$PGPORT" -U "$PGUSER" -d postgres -c "insert into $tbl values (1)"
ro_err=$(head -n 1 <<<"$ERR")
assert_eq "$ro_err" "ERROR:  cannot execute INSERT in a read-only transaction" \
	"psql reference: 25006 text"
assert_rc 1 "an INSERT on the read-only connection exits 1" tctl -d "$ro" -c "insert into $tbl values (1)"
assert_eq "$(head -n 1 <<<"$ERR")" "$ro_err" "with the server's 25006 error text"
assert_eq "$(count_psql)" 0 "nothing was inserted"
assert_rc 0 "a SELECT on the read-only connection works" tctl -d "$ro" -c "select 1"
run tctl history --json --status error --search "insert into $tbl"
assert_contains "$OUT" "read-only transaction" "history keeps the read-only refusal"

tuskd_stop
