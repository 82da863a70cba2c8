#!/usr/bin/env bash
# A script through `tuskctl -f FILE` (and SQL piped to stdin) runs as
# `psql -f` runs it: statement by statement on one session.
# - VACUUM and CREATE INDEX CONCURRENTLY run (one multi-statement query
#   would put them in an implicit transaction block, where they fail);
# - a failed statement is reported with its line of the file and the next
#   one runs; the exit code is 1; stdout is byte-equal to psql's;
# - --on-error-stop / -v ON_ERROR_STOP=1 stop at the first error;
# - -1 runs it in one transaction: all or nothing;
# - SET, set_config() and temporary tables carry to later statements, and
#   the session is reset (DISCARD ALL) when the script ends;
# - the statements do not flood the query history.
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
tusk_test_init
pg_use_shared
export PGCLIENTENCODING=UTF8
export TUSK_VALIDATE_REPLIES=1
tuskd_start

tag="srun_$$_$RANDOM"
for d in psql tusk one stop; do
	pg_psql -c "create database ${tag}_$d" >/dev/null || fail "create database ${tag}_$d"
	at_exit "pg_psql -c 'drop database if exists ${tag}_$d (force)' >/dev/null 2>&1"
done
uri() { echo "postgresql://$PGUSER@$PGHOST:$PGPORT/${tag}_$1"; }
psql_raw() { "$PG_BINDIR/psql" -X -h "$PGHOST" -p "$PG_PORT" -U "$PGUSER" "$@"; }

# Line numbers matter below: the failing statements are on lines 9 and 15.
cat >"$T/script.sql" <<'SQL'
-- maintenance and data, as people write them
set search_path = app, public;
create schema app;
create table items (id int primary key, name text);
insert into items values (1, 'one'), (2, 'two');
vacuum analyze items;
create index concurrently items_name on items (name);
select set_config('application_name', 'tusk-srun-held', false);
insert into items values (1, 'dup');
create temp table scratch as select id * 10 as v from items;
select v from scratch order by v;
select current_setting('application_name') as app,
       current_schema() as schema;
insert into items values (3, 'three');
select nosuchcol
  from items;
select count(*) from app.items;
SQL

# like_psql NAME PSQL_RC TUSK_RC [FLAG…]: $T/NAME.sql run by psql -f and
# by tuskctl -f (both with the FLAGs) exits with these codes and prints the
# same stdout; tuskctl's stderr is left in $T/NAME.err.
like_psql() {
	local name=$1 prc=$2 trc=$3
	shift 3
	set -- "$name" "$prc" "$trc" "$@"
	run psql_raw -d "${tag}_psql" "${@:4}" -f "$T/$1.sql"
	assert_eq "$RC" "$2" "psql -f $1.sql exits $2"
	printf "%s\n" "$OUT" >"$T/$1.psql"
	run tctl -d "$(uri tusk)" "${@:4}" -f "$T/$1.sql"
	assert_eq "$RC" "$3" "tuskctl -f $1.sql exits $3 (${ERR:0:300})"
	printf "%s\n" "$OUT" >"$T/$1.tusk"
	printf "%s\n" "$ERR" >"$T/$1.err"
	if cmp -s "$T/$1.psql" "$T/$1.tusk"; then
		pass "$1.sql: stdout byte-equal to psql -f's ($(wc -l <"$T/$1.tusk") lines)"
	else
		flunk "$1.sql: stdout differs from psql -f's: $(diff "$T/$1.psql" "$T/$1.tusk" | head -8)"
	fi
}
# psql exits 0 whatever failed; tuskctl 1 when a statement failed.
like_psql script 0 1
assert_not_contains "$(cat "$T/script.err")" "cannot run inside a transaction block" \
	"VACUUM and CREATE INDEX CONCURRENTLY run"
assert_contains "$(cat "$T/script.err")" "duplicate key value violates unique constraint" \
	"the duplicate key is reported"
assert_contains "$(cat "$T/script.err")" "(line 9 of $T/script.sql)" "… with its line"
assert_contains "$(cat "$T/script.err")" 'column "nosuchcol" does not exist' \
	"the unknown column is reported"
assert_contains "$(cat "$T/script.err")" "(line 15 of $T/script.sql)" \
	"… with the line of the error's position, not the statement's first"
assert_contains "$(cat "$T/script.tusk")" "tusk-srun-held | app" \
	"set_config() and SET carried to later statements"
assert_eq "$(pg_psql -d "${tag}_tusk" -At -c 'select count(*) from app.items')" "3" \
	"the statements after each failure ran"
assert_eq "$(pg_psql -d "${tag}_tusk" -At -c "select indisvalid from pg_index
  where indexrelid = 'app.items_name'::regclass")" "t" "the concurrent index is valid"

# The held session went back to the pool reset: nobody sees its settings.
run tctl -d "$(uri tusk)" -c "select count(*) from pg_stat_activity
  where application_name = 'tusk-srun-held'"
assert_contains "$OUT" " 0" "no backend keeps the script's application_name (${OUT})"
run tctl -d "$(uri tusk)" -c "select current_setting('search_path')"
assert_contains "$OUT" '"$user", public' "the next query has the default search_path"
run tctl -d "$(uri tusk)" -c "select count(*) from pg_tables where tablename = 'scratch'"
assert_contains "$OUT" " 0" "the script's temporary table is gone"

# The script's statements are not in the history; a -c query is.
run tctl -d "$(uri tusk)" -c "select 1 as nosuchcol"
history_has() { tctl history --search nosuchcol 2>/dev/null | grep -qF "$1"; }
wait_until 10 history_has "as nosuchcol" && pass "a -c query is in the history" ||
	flunk "the -c query is not in the history"
run tctl history --search nosuchcol
assert_not_contains "$OUT" "from items" "a script's statements are not recorded in history"

# SQL piped to stdin is a script too.
run bash -c "printf 'create table piped (a int);\ninsert into piped values (1);\nvacuum piped;\nselect count(*) from piped;\n' |
	'$TUSKCTL' --socket '$TUSKD_SOCKET' --no-autostart -d '$(uri tusk)'"
assert_eq "$RC" 0 "a piped script with VACUUM runs (${ERR:0:200})"
assert_contains "$OUT" "VACUUM" "… VACUUM's tag is printed"

# A COPY whose data has no "\." line took the rest of the file: said so.
printf 'create table nodot (a int);\ncopy nodot from stdin;\n1\n2\nselect 1;\n' >"$T/nodot.sql"
run tctl -d "$(uri tusk)" -f "$T/nodot.sql"
assert_eq "$RC" 1 "a COPY without its \\. line fails"
assert_contains "$ERR" "(line 5 of $T/nodot.sql)" "… naming the line the SQL landed on"
assert_contains "$ERR" "no line \\. ends the COPY data that starts at line 3" \
	"… with a hint that its \\. is missing"

# psql meta-commands in a script: \echo and \set ON_ERROR_STOP are done
# (stdout byte-equal to psql's), another one is an error of its line and
# the script goes on; a meta-command line never joins the next statement.
printf '\\echo start of the script\nselect 1 as one;\n\\set ON_ERROR_STOP on\nselect 1/0;\nselect 2 as never;\n' >"$T/meta.sql"
# ON_ERROR_STOP set in the script: psql exits 3, tuskctl 1.
like_psql meta 3 1
assert_not_contains "$(cat "$T/meta.tusk")" "never" "nothing ran after the error"
# A header comment before \set: it still comes before the statement after it.
printf -- '-- a migration\n\\set ON_ERROR_STOP on\nselect 1/0;\nselect 2 as never;\n' >"$T/header.sql"
like_psql header 3 1
assert_not_contains "$(cat "$T/header.tusk")" "never" "ON_ERROR_STOP after a header comment holds"
# A comment after a COPY's ';' on its line: the data is still that COPY's.
printf 'create table cc (a int);\nCOPY cc FROM stdin; -- the rows\n1\n2\n\\.\nselect count(*) from cc;\n' >"$T/copyc.sql"
like_psql copyc 0 0
assert_contains "$(cat "$T/copyc.tusk")" "COPY 2" "the data after 'COPY …; -- comment' loads"
# \echo's words and quotes, and -1 printing no BEGIN or COMMIT, as psql.
printf "\\\\echo 'two  spaces'   and   'it''s'\ncreate table one_t (a int);\ninsert into one_t values (1);\n" >"$T/echo1.sql"
like_psql echo1 0 0 -1
# \connect cannot run here: the script stops rather than run the rest in
# the wrong database.
printf 'select 1 as first;\n\\connect other\nselect 2 as second_db;\n' >"$T/connect.sql"
run tctl -d "$(uri tusk)" -f "$T/connect.sql"
assert_eq "$RC" 1 "a script with \\connect fails"
assert_contains "$ERR" "connect.sql, line 2: psql's \\connect is not run" "… naming the line"
assert_contains "$ERR" "the script stops here" "… and stops there"
assert_not_contains "$OUT" "second_db" "nothing after \\connect ran"

printf 'create table metat (a int);\n\\dt\ninsert into metat values (1);\n\\unrestrict abc\ninsert into metat values (2);\n' >"$T/meta2.sql"
run tctl -d "$(uri tusk)" -f "$T/meta2.sql"
assert_eq "$RC" 1 "a meta-command tuskctl does not run fails the script"
assert_contains "$ERR" "meta2.sql, line 2: psql's \\dt is not run from a script" \
	"… naming it and its line"
assert_eq "$(pg_psql -d "${tag}_tusk" -At -c "select string_agg(a::text, ',' order by a) from metat")" \
	"1,2" "the statements around meta-command lines ran whole"

# ---- stop at the first error ------------------------------------------------
run tctl -d "$(uri stop)" --on-error-stop -f "$T/script.sql"
assert_eq "$RC" 1 "--on-error-stop exits 1"
assert_eq "$(pg_psql -d "${tag}_stop" -At -c 'select count(*) from app.items')" "2" \
	"--on-error-stop: nothing after the first failure ran"
run tctl -d "$(uri stop)" -v ON_ERROR_STOP=1 -f "$T/script.sql"
assert_contains "$ERR" 'schema "app" already exists' "-v ON_ERROR_STOP=1 stops at line 3"
assert_not_contains "$ERR" "duplicate key" "… and runs nothing after it"
run tctl -d "$(uri stop)" -v ECHO=all -f "$T/script.sql"
assert_eq "$RC" 2 "-v with another psql variable is a usage error"
assert_contains "$ERR" "knows only ON_ERROR_STOP" "… saying which one it knows"

# ---- one transaction --------------------------------------------------------
run tctl -d "$(uri one)" -1 -f "$T/script.sql"
assert_eq "$RC" 1 "-1 with a failing statement exits 1"
assert_contains "$ERR" "rolled back" "… and says it rolled back"
assert_eq "$(pg_psql -d "${tag}_one" -At -c "select count(*) from pg_namespace
  where nspname = 'app'")" "0" "-1: nothing of the failed script stays"
printf 'create table t1 (a int);\ninsert into t1 values (1), (2);\n' >"$T/ok.sql"
run tctl -d "$(uri one)" --single-transaction -f "$T/ok.sql"
assert_eq "$RC" 0 "--single-transaction with good statements succeeds (${ERR:0:200})"
assert_eq "$(pg_psql -d "${tag}_one" -At -c 'select count(*) from t1')" "2" \
	"--single-transaction commits"

# ---- a named context keeps what SET set, as one psql session ----------------
run tctl -d "$(uri tusk)" --session "srun-$$" -c "set statement_timeout = '4321ms'"
assert_eq "$RC" 0 "SET in a named context"
run tctl -d "$(uri tusk)" --session "srun-$$" -c "create table sess_t (a int)"
run tctl -d "$(uri tusk)" --session "srun-$$" -c "show statement_timeout"
assert_contains "$OUT" "4321ms" "the SET holds for the context's later calls (another process each)"
run tctl -d "$(uri tusk)" -c "show statement_timeout"
assert_not_contains "$OUT" "4321ms" "… and a call outside the context does not see it"
run tctl -d "$(uri tusk)" --session "srun-$$" -c "reset statement_timeout"
run tctl -d "$(uri tusk)" --session "srun-$$" -c "show statement_timeout"
assert_contains "$OUT" " 0" "RESET in the context resets it"
run tctl -d "$(uri tusk)" --session "srun-$$" -c "set application_name = 'srun-ctx-$$'"
assert_eq "$(pg_psql -At -c "select count(*) from pg_stat_activity
  where application_name = 'srun-ctx-$$'")" 1 "the context holds its backend with the setting"
run tctl -d "$(uri tusk)" --session "srun-$$" -c "discard all"
assert_eq "$RC" 0 "DISCARD ALL in the context (it lets the backend go)"

# A password set inside an open transaction of a named context: the
# statements the session store keeps for a restart are redacted.
secret="Sx-srun-$RANDOM-$RANDOM"
assert_rc 0 "a saved connection (the session store keeps saved ones' contexts)" \
	tctl conn add "srun-$$" "$(uri tusk)"
run tctl -d "srun-$$" --session "srun-pw-$$" -c "begin"
run tctl -d "srun-$$" --session "srun-pw-$$" -c "create role srun_r_$$ password '$secret'"
assert_eq "$RC" 0 "CREATE ROLE … PASSWORD inside the context's transaction"
stored() { grep -rqa -- "srun_r_$$" "$TUSKD_HOME"; }
wait_until 10 stored && pass "the session store wrote the open transaction's statements" ||
	flunk "the statements of the open transaction are in no file of tuskd"
if grep -rqa -- "$secret" "$TUSKD_HOME"; then
	flunk "the password is in tuskd's files: $(grep -rla -- "$secret" "$TUSKD_HOME")"
else
	pass "no file of tuskd (SQLite and its WAL included) holds the password"
fi
run tctl -d "srun-$$" --session "srun-pw-$$" -c "rollback"

tuskd_stop
