#!/usr/bin/env bash
# Issue 9, found 5-7 through tuskctl: describe gives a primary key's index
# its definition; one flag spelling for output (--format text|json after
# any command, --json its alias); a transient connection sees the asking
# client's environment and libpq's defaults, never tuskd's own PG*.
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
tusk_test_init
pg_use_shared
# tuskd starts with PGHOST/PGPORT/PGUSER pointing at the shared server.
tuskd_start

DB="postgresql://$PGUSER@$PGHOST:$PGPORT/postgres"
tbl="found_pk_$$"
pg_psql -c "create table $tbl (id int primary key, v text unique)"
at_exit "pg_psql -c 'drop table if exists $tbl' >/dev/null 2>&1"
is_json() { /usr/bin/python3 -c 'import json, sys; json.load(sys.stdin)' 2>/dev/null; }

# ---- describe: the primary key's index has a definition ---------------
run tctl describe -d "$DB" "$tbl"
assert_eq "$RC" 0 "describe"
assert_contains "$OUT" "\"${tbl}_pkey\" PRIMARY KEY, btree (id)" \
	"the primary key's index is listed with its definition, as psql shows it"
assert_contains "$OUT" "\"${tbl}_v_key\" UNIQUE CONSTRAINT, btree (v)" \
	"so is the unique constraint's"
run tctl describe -d "$DB" "$tbl" --format json
defs=$(/usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
print(sum(1 for i in d["object"]["indexes"] if i["definition"]))' <<<"$OUT")
assert_eq "$defs" 2 "describe --format json: every index has a definition"
assert_eq "$(pg_psql -At -c "select pg_get_indexdef('${tbl}_pkey'::regclass)")" \
	"CREATE UNIQUE INDEX ${tbl}_pkey ON public.$tbl USING btree (id)" \
	"and it is what pg_get_indexdef says"

# ---- one flag spelling ------------------------------------------------
cmds=("status" "ping" "conn list" "group list" "settings list" "history"
	"schema -d $DB" "describe -d $DB $tbl" "complete -d $DB found_pk")
for c in "${cmds[@]}"; do
	read -ra args <<<"$c"
	run tctl "${args[@]}" --format json
	if [[ $RC -eq 0 ]] && is_json <<<"$OUT"; then pass "$c --format json prints JSON"; else flunk "$c --format json prints JSON" "$OUT$ERR"; fi
	run tctl "${args[@]}" --json
	if [[ $RC -eq 0 ]] && is_json <<<"$OUT"; then pass "$c --json prints JSON"; else flunk "$c --json prints JSON" "$OUT$ERR"; fi
	run tctl "${args[@]}" --format text
	assert_eq "$RC" 0 "$c --format text"
	run tctl "${args[@]}" --format xml
	assert_eq "$RC" 2 "$c --format xml is a usage error"
done
run tctl -d "$DB" -c "select 1 as x" --json

run tctl query -d "$DB" -c "select 1 as x" --format json
json_rows=$OUT
run tctl query -d "$DB" -c "select 1 as x" --json
assert_eq "$OUT" "$json_rows" "query --json prints what --format json does"

# ---- tuskd's own PG* environment does not leak ------------------------
clean=(env -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE -u PGHOSTADDR)
psql_rc=0
"${clean[@]}" "$PG_BINDIR/psql" -X -At -d postgres -c "select inet_server_port()" \
	>"$T/psql.out" 2>&1 || psql_rc=$?
run "${clean[@]}" "$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart --format csv \
	-d "dbname=postgres" -c "select inet_server_port()"
if [[ $psql_rc -ne 0 ]]; then
	assert_eq "$RC" 1 "without PG* in its environment tuskctl reaches what psql reaches: nothing"
	assert_not_contains "$OUT" "$PGPORT" "not the server tuskd's environment named"
else
	assert_eq "${OUT##*$'\n'}" "$(tail -n 1 "$T/psql.out")" "tuskctl reaches the server psql reaches"
fi
run "${clean[@]}" "$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart --format csv \
	-d "postgresql:///postgres" -c "select 1"
assert_ne "$RC" 0 "a URI without a host does not borrow tuskd's PGHOST either"
# The client's own environment is what counts.
run env PGHOST="$PGHOST" PGPORT="$PGPORT" PGUSER="$PGUSER" "$TUSKCTL" --socket "$TUSKD_SOCKET" \
	--no-autostart --format csv -d "dbname=postgres" -c "select inet_server_port()"
assert_eq "${OUT##*$'\n'}" "$PGPORT" "with PG* in the client's environment it reaches that server"
