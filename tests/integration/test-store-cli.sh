#!/usr/bin/env bash
# The result store through tuskctl, against the run's PostgreSQL: a 2M-row
# result stored with `tuskctl query --store`, pages at the start, middle
# and end (from other tuskctl processes), a page fetched while the query
# still runs, query list, export byte-identical to psql --csv (and tsv,
# json, jsonl as tuskctl prints them), close removing the spill file, and
# bad input (unknown / closed id, offset past the end, negative limit,
# unwritable path) answered with the documented errors while the daemon
# and the stored result stay intact.
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
tusk_test_init
pg_use_shared
export TUSK_VALIDATE_REPLIES=1
tuskd_start

DB="host=$PGHOST port=$PGPORT user=$PGUSER dbname=postgres"
N=2000000
SQL="select g, 'row ' || g as label, case when g % 7 = 0 then null else g * 0.5 end as half \
from generate_series(1, $N) g"
RESULTS=$TUSKD_CACHE/results

# ---- store 2M rows --------------------------------------------------------
assert_rc 0 "query --store of $N rows" tctl -d "$DB" query -c "$SQL" --store
id=$OUT
[[ $id =~ ^[0-9a-f-]{36}$ ]] && pass "--store prints the query id" || flunk "id: $id"
[[ -s $RESULTS/$id.rows ]] && pass "the spill file exists" || flunk "no $RESULTS/$id.rows"

run tctl fetch "$id" --format csv --limit 3
assert_eq "$OUT" $'g,label,half\n1,row 1,0.5\n2,row 2,1.0\n3,row 3,1.5' "first page"
run tctl fetch "$id" --format csv --offset 1000004 --limit 2
assert_eq "$OUT" $'g,label,half\n1000005,row 1000005,500002.5\n1000006,row 1000006,' \
	"a middle page (with a NULL)"
run tctl fetch "$id" --format csv --offset 1999998 --limit 100
assert_eq "$OUT" $'g,label,half\n1999999,row 1999999,999999.5\n2000000,row 2000000,1000000.0' \
	"the last page stops at the end"
run tctl --json fetch "$id" --offset 2000000 --limit 5
assert_contains "$OUT" '"row_count": 2000000' "an empty page at the end says the count"
assert_contains "$OUT" '"complete": true' "and that it is complete"
run tctl fetch "$id" --format json --typed --offset 6 --limit 1
assert_eq "$OUT" $'[\n{"g":7,"label":"row 7","half":null}\n]' "typed cells"

run tctl query list
[[ $OUT =~ $id\ +complete\ +store\ +2000000\  ]] && pass "query list shows the stored result" ||
	flunk "query list: $OUT"

# ---- export ---------------------------------------------------------------
assert_rc 0 "export csv" tctl export "$id" --format csv -o "$T/out.csv"
pg_psql --csv -c "$SQL" >"$T/psql.csv"
cmp -s "$T/out.csv" "$T/psql.csv" && pass "csv export byte-identical to psql --csv" ||
	flunk "csv differs: $(cmp "$T/out.csv" "$T/psql.csv")"
# The other formats on a smaller stored result, against tuskctl's own.
small="$SQL limit 50000"
sid50=$(tctl -d "$DB" query -c "$small" --store 2>/dev/null)
for f in tsv json jsonl; do
	tctl export "$sid50" --format $f -o "$T/out.$f" 2>/dev/null
	tctl -d "$DB" query --format $f -c "$small" >"$T/cli.$f"
	cmp -s "$T/out.$f" "$T/cli.$f" && pass "$f export as tuskctl prints it" ||
		flunk "$f differs: $(cmp "$T/out.$f" "$T/cli.$f")"
done
assert_rc 0 "close the small one" tctl query close "$sid50"
rel=$(cd "$T" && tctl export "$id" --format csv -o rel.csv 2>&1 && cmp -s rel.csv psql.csv && echo ok)
assert_contains "$rel" "ok" "a relative -o is written relative to tuskctl's directory"

# ---- bad input --------------------------------------------------------------
assert_rc 1 "fetch of an unknown id" tctl fetch 00000000-0000-4000-8000-000000000000
assert_contains "$ERR" "no stored result has id" "says result_not_found"
run tctl --json fetch "$id" --offset 2000001
assert_eq "$RC" 1 "offset past the end fails"
assert_contains "$ERR" "past the end" "and says so"
run "$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart fetch "$id" --limit -1
assert_eq "$RC" 2 "tuskctl refuses a negative limit itself"
mkdir -p "$T/ro" && chmod 500 "$T/ro"
if [[ $(id -u) == 0 ]]; then unwritable=/proc/version.csv; else unwritable=$T/ro/x.csv; fi
assert_rc 1 "export to an unwritable path" tctl export "$id" --format csv -o "$unwritable"
assert_contains "$ERR" "cannot create" "says io_error: cannot create"
run tctl fetch "$id" --format csv --offset 1999999 --limit 1
assert_eq "$OUT" $'g,label,half\n2000000,row 2000000,1000000.0' "the result is intact after bad input"

# ---- a page while the query still runs ------------------------------------------
slow="select g, pg_sleep(case when g = 3000 then 3 else 0 end) is null as s \
from generate_series(1, 6000) g"
tctl -d "$DB" query -c "$slow" --store >"$T/slow.id" 2>/dev/null &
qpid=$!
listed_running() { tctl query list | grep -Eq 'running +store'; }
has_rows() { tctl --json fetch "$1" --limit 1 | grep -q '"row_count": [1-9]'; }
wait_until 10 listed_running || flunk "the slow stored query never showed as running"
sid=$(tctl query list | awk '/running +store/ {print $1; exit}')
wait_until 10 has_rows "$sid" || flunk "no rows arrived"
run tctl --json fetch "$sid" --offset 0 --limit 2
assert_contains "$OUT" '"complete": false' "while it runs, a page says more may come"
assert_contains "$OUT" '"state": "running"' "and that it is running"
# An export of a running result waits for its end; Ctrl-C cancels it.
"$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart export "$sid" --format csv \
	-o "$T/slow.csv" >"$T/exp.out" 2>"$T/exp.err" &
epid=$!
sleep 0.5
kill -INT "$epid"
rc=0
wait "$epid" || rc=$?
assert_eq "$rc" 1 "a cancelled export fails"
assert_contains "$(cat "$T/exp.err")" "cancelled" "and says it was cancelled"
[[ ! -e $T/slow.csv ]] && pass "no file is left" || flunk "$T/slow.csv exists"
wait "$qpid"
assert_eq "$(cat "$T/slow.id")" "$sid" "the same id is printed when it completes"
run tctl fetch "$sid" --all --format csv
assert_eq "$(wc -l <<<"$OUT")" 6001 "--all pages through every row"

# ---- close ---------------------------------------------------------------------
assert_rc 0 "query close" tctl query close "$id"
[[ ! -e $RESULTS/$id.rows && ! -e $RESULTS/$id.meta ]] && pass "close removes the files" ||
	flunk "files left: $(ls "$RESULTS")"
assert_rc 1 "fetch of a closed id" tctl fetch "$id"
assert_contains "$ERR" "no stored result has id" "is result_not_found"
assert_rc 1 "close twice" tctl query close "$id"
assert_rc 0 "the daemon still answers" tctl ping
tuskd_stop
