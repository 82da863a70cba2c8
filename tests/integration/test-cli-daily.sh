#!/usr/bin/env bash
# tuskctl as a new user meets it: every command answers --help with usage
# and examples (exit 0), the top-level help fits 80 columns, describe is
# byte-identical to psql's \d (indexes as "btree (col)", "Referenced by",
# the primary key's line), completion offers only what fits the position,
# 'query list' shows a running query's id and 'cancel' takes it, a long
# query's id is not printed when stderr is no terminal, errors do not repeat
# themselves, conn add says no "(-)", status counts "1 request".
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
tusk_test_init
pg_use_shared
tuskd_start

# ---- help ---------------------------------------------------------------
assert_rc 0 "tuskctl --help" tctl --help
long=$(awk 'length($0) > 80' <<<"$OUT")
assert_eq "$long" "" "no line of the top-level help is wider than 80 columns"
for cmd in ping status shutdown settings query cancel history conn group open close \
	secret schema describe complete ssh listen events workspace session; do
	assert_rc 0 "tuskctl $cmd --help" tctl "$cmd" --help
	assert_contains "$OUT" "Usage: tuskctl" "$cmd --help prints its usage"
	assert_eq "$(awk 'length($0) > 80' <<<"$OUT")" "" "$cmd --help fits 80 columns"
done
for cmd in query history schema describe cancel conn; do
	run tctl "$cmd" --help
	assert_contains "$OUT" "Example" "$cmd --help has examples"
done
assert_rc 0 "conn add --help" tctl conn add --help
assert_contains "$OUT" "--password-stdin" "conn add --help lists its options"
assert_rc 0 "help describe" tctl help describe
assert_contains "$OUT" "Usage: tuskctl describe" "tuskctl help COMMAND is COMMAND --help"
assert_rc 0 "cancel -h" tctl cancel -h
assert_not_contains "$OUT$ERR" "no running query" "cancel -h is help, not a query id"

# ---- describe is psql's \d ------------------------------------------------
tag="daily_$$_$RANDOM"
db="$tag"
pg_psql -c "create database $db" >/dev/null
at_exit "pg_psql -c 'drop database if exists $db (force)' >/dev/null 2>&1"
pg_psql -d "$db" -q <<SQL
create table cust (id int primary key, name text not null default 'x', email text unique);
create table orders (id bigserial primary key,
  cust_id int references cust(id) on delete cascade,
  total numeric(10,2) check (total >= 0), note text,
  created timestamptz default now(),
  code int generated always as identity);
create index orders_cust on orders (cust_id);
create index orders_lower on orders (lower(note)) where note is not null;
create unique index orders_note_u on orders (note, total);
create function trg() returns trigger language plpgsql as \$\$begin return new; end\$\$;
create trigger orders_t before insert on orders for each row execute function trg();
create view big as select id, total from orders where total > 100;
SQL
DBURI="postgresql://$PGUSER@$PGHOST:$PGPORT/$db"
tctl conn add daily "$DBURI" >/dev/null || fail "conn add"
for t in orders cust big; do
	run pg_psql -d "$db" -c "\\d $t"
	want=$OUT
	assert_rc 0 "describe $t" tctl describe -d daily "$t"
	assert_eq "$OUT" "$want" "describe $t is byte-identical to psql's \\d $t"
done

# ---- completion fits the position ---------------------------------------
run tctl complete -d daily ord --context 'select * from '
assert_contains "$OUT" "orders" "after FROM: the table"
assert_not_contains "$OUT" "ORDER" "after FROM: no ORDER keyword"
assert_not_contains "$OUT" "ordered_set_transition" "after FROM: no internal function"
run tctl complete -d daily '' --context 'select * from orders, '
assert_contains "$OUT" "cust" "after FROM a, : tables"
assert_not_contains "$OUT" "keyword" "after FROM a, : no keywords"
run tctl complete -d daily to --context 'select * from orders where '
assert_contains "$(head -n 1 <<<"$OUT")" "total	column	orders" "in WHERE: the column first"
run tctl complete -d daily se --context ''
assert_contains "$OUT" "SELECT	keyword" "at the start: keywords"
assert_not_contains "$OUT" "function" "at the start: no functions"
run tctl complete -d daily x --context "select 'abc "
assert_eq "$OUT" "" "inside a quote: nothing"

# ---- running queries are visible, cancel takes their id ------------------
mark="${tag}_sleep"
"$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart -d daily \
	-c "select pg_sleep(60) /* $mark */" >"$T/s.out" 2>"$T/s.err" &
qpid=$!
listed() { tctl query list >"$T/list" 2>&1 && grep -q " running " "$T/list"; }
wait_until 10 listed || fail "query list never showed the running query" "$(cat "$T/list")"
qid=$(awk '$2 == "running" { print $1 }' "$T/list")
assert_contains "$(head -n 1 "$T/list")" "QUERY ID" "query list has a header"
assert_contains "$(head -n 1 "$T/list")" "CONNECTION" "query list has a connection column"
cid=$(tctl --json query list | grep -o '"connection_id": *"[^"]*"' | head -n 1 | sed 's/.*"\([^"]*\)"$/\1/')
[[ -n $cid ]] || fail "query list --json carries no connection_id"
row=$(grep "^$qid " "$T/list")
assert_contains "$row" " daily " "query list names the query's connection"
assert_not_contains "$row" "$cid" "query list shows the name, not the connection id"
assert_rc 0 "cancel the listed id" tctl cancel "$qid"
rc=0
wait "$qpid" || rc=$?
assert_eq "$rc" 1 "the cancelled query exits 1"
assert_not_contains "$(cat "$T/s.err")" "is running" "no id line when stderr is not a terminal"
run tctl query list
assert_contains "$ERR" "no queries running" "query list when idle"

# ---- messages -------------------------------------------------------------
run tctl -d "postgresql://x@127.0.0.1:1/x" -c "select 1"
assert_eq "$(grep -c 'port 1 failed: Connection refused' <<<"$ERR")" 1 \
	"a connection error says it once"
run tctl conn add plain "$DBURI"
assert_not_contains "$OUT" "(-)" "conn add prints no (-)"
assert_eq "$OUT" "saved 'plain': $PGUSER@$PGHOST:$PGPORT/$db" "conn add says what it saved"
run tctl status
assert_contains "$OUT" "1 request in flight" "status: 1 request, singular"

# ---- events --topic ---------------------------------------------------------
timeout 5 "$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart events --topic config >"$T/ev.out" 2>"$T/ev.err" &
ev=$!
wait_until 5 grep -q subscribed "$T/ev.err" || flunk "events --topic subscribes" "$(cat "$T/ev.err")"
tctl settings set query.batch_rows 999 >/dev/null
settings_changed() { grep -q '"method":"settings.changed"' "$T/ev.out"; }
wait_until 5 settings_changed && pass "events --topic config prints settings.changed as jsonl" ||
	flunk "events --topic config prints settings.changed" "$(cat "$T/ev.out" "$T/ev.err")"
kill "$ev" 2>/dev/null || true
wait "$ev" 2>/dev/null || true
tctl settings reset query.batch_rows >/dev/null
run tctl events --bogus
assert_eq "$RC" 2 "events with an unknown option is a usage error"

tuskd_stop
