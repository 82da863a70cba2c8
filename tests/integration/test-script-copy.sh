#!/usr/bin/env bash
# COPY data inside a script, pg_dump's plain format: a real pg_dump of
# tables with tabs, backslashes, NULLs, newlines and unicode loaded with
# `tuskctl -d NAME -f dump.sql` (and with the shell's \i, through tmux)
# into fresh databases gives the same bytes (COPY … TO STDOUT of each
# table) as `psql -f dump.sql`, with the SQL after each `\.` run too
# (constraints, index, sequence value); a bad row names its line of the
# file; a COPY without data at the end of a script is empty, as psql's.
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
tusk_test_init
pg_use_shared
export PGCLIENTENCODING=UTF8
export TUSK_VALIDATE_REPLIES=1
tuskd_start

tag="scopy_$$_$RANDOM"
for d in src psql tusk shell bad psqlbad; do
	pg_psql -c "create database ${tag}_$d" >/dev/null || fail "create database ${tag}_$d"
	at_exit "pg_psql -c 'drop database if exists ${tag}_$d (force)' >/dev/null 2>&1"
done
uri() { echo "postgresql://$PGUSER@$PGHOST:$PGPORT/${tag}_$1"; }

pg_psql -d "${tag}_src" <<'SQL' || fail "source tables"
create table items (id int primary key, name text, note text, price numeric, tags text[]);
insert into items select g, 'item ' || g,
  case g % 7 when 0 then null when 1 then E'tab\there' when 2 then E'back\\slash \\N not null'
             when 3 then E'two\nlines\r\n' when 4 then 'ünïcødé 😀 日本' when 5 then '\.'
             else '' end,
  case when g % 5 = 0 then null else g * 1.5 end,
  array['a', E'b\tc', null]
from generate_series(1, 3000) g;
create table "Odd Name" (k serial primary key, item int references items(id), v jsonb);
insert into "Odd Name" (item, v) select g, jsonb_build_object('s', E'q"\\\t', 'n', g)
from generate_series(1, 500) g;
create index items_name on items (name);
SQL
# A PL/pgSQL function of 2,000 lines, each with a ';' inside its body: the
# splitter scans the open body once per line, not once per ';' of it.
{
	echo 'create function big_fn() returns bigint language plpgsql as $body$'
	echo 'declare x bigint := 0;'
	echo 'begin'
	for i in $(seq 2000); do echo "  x := x + $i; -- step; $i"; done
	echo '  return x;'
	echo 'end $body$;'
} >"$T/fn.sql"
pg_psql -d "${tag}_src" -f "$T/fn.sql" >/dev/null || fail "the 2,000-line function"
"$PG_BINDIR/pg_dump" -h "$PGHOST" -p "$PG_PORT" -U "$PGUSER" --no-owner -f "$T/dump.sql" \
	"${tag}_src" || fail "pg_dump"
note "pg_dump: $(wc -l <"$T/dump.sql") lines, $(grep -c '^COPY ' "$T/dump.sql") COPY"

pg_psql -d "${tag}_psql" -f "$T/dump.sql" >/dev/null 2>"$T/psql.err" ||
	fail "psql -f dump.sql: $(cat "$T/psql.err")"
run tctl -d "$(uri tusk)" -f "$T/dump.sql"
assert_eq "$RC" 0 "tuskctl -f loads pg_dump's plain dump (${ERR:0:600})"
assert_contains "$OUT" "COPY 3000" "the items COPY reports its row count"

# tables_of DB: each table's rows as COPY … TO STDOUT gives them, in key
# order, then the constraints, indexes and sequence value the SQL after the
# data made.
tables_of() {
	pg_psql -d "${tag}_$1" -c '\copy (select * from items order by id) to stdout' &&
		pg_psql -d "${tag}_$1" -c '\copy (select * from "Odd Name" order by k) to stdout' &&
		pg_psql -d "${tag}_$1" -At -c "select conname, pg_get_constraintdef(oid) from pg_constraint
		  where connamespace = 'public'::regnamespace order by 1;
		  select indexname, indexdef from pg_indexes where schemaname = 'public' order by 1;
		  select last_value from \"Odd Name_k_seq\";
		  select big_fn(), md5(prosrc) from pg_proc where proname = 'big_fn';"
}
tables_of psql >"$T/psql.rows" || fail "read the psql database"
tables_of tusk >"$T/tusk.rows" || fail "read the tuskctl database"
assert_eq "$(wc -l <"$T/psql.rows")" "3508" "psql's load has every row and object"
if cmp -s "$T/psql.rows" "$T/tusk.rows"; then
	pass "tuskctl -f gives the same bytes as psql -f ($(wc -c <"$T/tusk.rows") bytes)"
else
	flunk "tuskctl -f and psql -f differ: $(diff "$T/psql.rows" "$T/tusk.rows" | head -5)"
fi

# ---- a bad row names its line of the file -----------------------------------
bad_line=$(awk '/^COPY public.items /{c=1; next} c && ++n == 1234 {print NR; exit}' "$T/dump.sql")
awk -v L="$bad_line" 'NR == L { sub(/^[0-9]+/, "12x") } { print }' "$T/dump.sql" >"$T/bad.sql"
run tctl -d "$(uri bad)" -f "$T/bad.sql"
assert_eq "$RC" 1 "a dump with a bad row fails"
assert_contains "$ERR" 'invalid input syntax for type integer: "12x"' \
	"the server's error is shown"
assert_contains "$ERR" "(line $bad_line of $T/bad.sql)" \
	"the bad row is named by its line of the file ($bad_line)"
# The rest of the script runs, as psql -f runs it: the same tables, rows,
# constraints and index as psql leaves from the same file.
assert_eq "$(pg_psql -d "${tag}_bad" -At -c 'select count(*) from "Odd Name"')" "500" \
	"the statements after the failed COPY still run"
pg_psql -v ON_ERROR_STOP=0 -d "${tag}_psqlbad" -f "$T/bad.sql" >/dev/null 2>&1 ||
	flunk "psql -f bad.sql (without ON_ERROR_STOP) failed"
tables_of psqlbad >"$T/psqlbad.rows" 2>&1
tables_of bad >"$T/bad.rows" 2>&1
if cmp -s "$T/psqlbad.rows" "$T/bad.rows"; then
	pass "after the bad row, tuskctl -f leaves what psql -f leaves ($(wc -l <"$T/bad.rows") lines)"
else
	flunk "after the bad row, tuskctl -f and psql -f differ: $(diff "$T/psqlbad.rows" "$T/bad.rows" | head -5)"
fi

# A statement error after the data is named by its line too.
printf 'create table t1 (a int);\nCOPY t1 (a) FROM stdin;\n1\n2\n\\.\nselect nosuchcol\n  from t1;\n' \
	>"$T/after.sql"
run tctl -d "$(uri bad)" -f "$T/after.sql"
assert_eq "$RC" 1 "an error after the data fails"
assert_contains "$ERR" "(line 6 of $T/after.sql)" "it names the statement's line"

# A COPY … FROM stdin last in a script with no data loads nothing (psql too).
printf 'create table t2 (a int);\ncopy t2 from stdin;\n' >"$T/nodata.sql"
run tctl -d "$(uri bad)" -f "$T/nodata.sql"
assert_eq "$RC" 0 "a COPY without data at the end of a script ($ERR)"
assert_contains "$OUT" "COPY 0" "loads no row"

# ---- the shell's \i ----------------------------------------------------------
S="tusk-scopy-$$"
tm() { tmux -L "$S" "$@"; }
at_exit "tmux -L $S kill-server >/dev/null 2>&1"
tm new-session -d -s s -x 200 -y 50 \
	"TUSK_PAGER= $TUSKCTL --socket $TUSKD_SOCKET --no-autostart -d '$(uri shell)'; echo SHELL-EXIT=\$?; sleep 60"
on_screen() { tm capture-pane -p -t s -S -400 | grep -qF -- "$1"; }
wait_until 20 on_screen "=>" || fail "the shell did not start: $(tm capture-pane -p -t s)"
tm send-keys -t s "\\i $T/dump.sql" Enter
wait_until 60 on_screen "COPY 500" || flunk "\\i did not load the dump: $(tm capture-pane -p -t s)"
tm send-keys -t s "\\q" Enter
wait_until 20 on_screen "SHELL-EXIT=" || flunk "the shell did not exit"
tables_of shell >"$T/shell.rows" || fail "read the shell's database"
if cmp -s "$T/psql.rows" "$T/shell.rows"; then
	pass "\\i gives the same bytes as psql -f"
else
	flunk "\\i and psql -f differ: $(diff "$T/psql.rows" "$T/shell.rows" | head -5)"
fi

tuskd_stop
