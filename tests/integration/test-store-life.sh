#!/usr/bin/env bash
# The result store's life: with a 16 MiB memory budget a 1M-row result
# spills to disk while tuskd's RSS stays near the budget; pages are fetched
# by other processes while it still runs; the tuskctl that started it is
# killed and the query runs on, so another client fetches every row
# (identical to psql); a complete result survives a SIGTERM and a SIGKILL
# restart; orphan files are removed at start; the idle TTL and the LRU
# over the disk budget release results and their files.
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
tusk_test_init
pg_use_shared
export TUSK_VALIDATE_REPLIES=1
# Under ASan freed memory waits in a quarantine (256 MiB by default) and
# would count as growth: keep it small (harmless without ASan).
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8
tuskd_start
RESULTS=$TUSKD_CACHE/results

DB="host=$PGHOST port=$PGPORT user=$PGUSER dbname=postgres"
N=1000000
SQL="select g, md5(g::text) as h from generate_series(1, $N) g"
BUDGET_MB=16

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$TUSKD_PID/status"; }
state_of() { tctl --json query list | tr -d ' \n' | grep -o "\"query_id\":\"$1\"[^}]*" |
	grep -o '"state":"[a-z]*"' | cut -d'"' -f4; }
row_count() { tctl --json fetch "$1" --limit 0 | tr -d ' \n' | grep -o '"row_count":[0-9]*' |
	cut -d: -f2; }

assert_rc 0 "memory budget set to $BUDGET_MB MiB" tctl settings set store.memory_budget_mb $BUDGET_MB
tctl -d "$DB" -c "select 1" >/dev/null # the pool is warm: its memory is no growth
base=$(rss_kib)

# ---- 1M rows: spill, RSS, pages while running, the starter killed --------------
"$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart query -d "$DB" -c "$SQL" --store \
	>"$T/starter.out" 2>&1 &
starter=$!
running_id() { tctl query list 2>/dev/null | awk '/running +store/ {print $1; exit}'; }
is_running() { [[ -n $(running_id) ]]; }
wait_until 20 is_running || fail "the stored query never showed as running"
id=$(running_id)
[[ -n $id ]] || fail "no running stored query listed"
some_rows() { [[ $(row_count "$id") -ge 100000 ]]; }
wait_until 60 some_rows || fail "rows never arrived"
run tctl fetch "$id" --format csv --offset 0 --limit 2
assert_eq "$OUT" $'g,h\n1,c4ca4238a0b923820dcc509a6f75849b\n2,c81e728d9d4c2f636f067f89cc14862c' \
	"a second client reads the first page while the query runs"
run tctl fetch "$id" --format csv --offset 49999 --limit 1
assert_eq "$OUT" $'g,h\n50000,'"$(printf 50000 | md5sum | cut -d' ' -f1)" \
	"and a middle page of what has arrived"
kill -9 "$starter"
wait "$starter" 2>/dev/null || true
pass "the tuskctl that started it is killed mid-fetch"
peak=0
while [[ $(state_of "$id") == running ]]; do
	r=$(rss_kib)
	((r > peak)) && peak=$r
	sleep 0.1
done
assert_eq "$(state_of "$id")" complete "the query ran on to the end without its client"
assert_eq "$(row_count "$id")" $N "every row is stored"
growth_mb=$(((peak - base) / 1024))
note "RSS: $((base / 1024)) MiB at start, peak $((peak / 1024)) MiB while storing"
((growth_mb <= BUDGET_MB + 24)) && pass "tuskd's RSS grew $growth_mb MiB: budget + a small constant" ||
	flunk "tuskd's RSS grew $growth_mb MiB with a $BUDGET_MB MiB budget"
run tctl --json query list
mem=$(tr -d ' \n' <<<"$OUT" | grep -o '"bytes_memory":[0-9]*' | cut -d: -f2 | awk '{s += $1} END {print s + 0}')
disk=$(stat -c %s "$RESULTS/$id.rows")
((mem <= BUDGET_MB * 1048576)) && pass "stored results hold $mem bytes in memory, within the budget" ||
	flunk "$mem bytes in memory"
((disk > 2 * BUDGET_MB * 1048576)) && pass "the spill file holds all of it ($disk bytes)" ||
	flunk "spill file of $disk bytes"
tctl fetch "$id" --all --format csv >"$T/all.csv"
pg_psql --csv -c "$SQL" >"$T/psql.csv"
cmp -s "$T/all.csv" "$T/psql.csv" && pass "another client fetches the whole result, as psql prints it" ||
	flunk "fetched rows differ: $(cmp "$T/all.csv" "$T/psql.csv")"
run tctl fetch "$id" --format csv --offset 999999 --limit 1
assert_eq "$OUT" $'g,h\n1000000,'"$(printf 1000000 | md5sum | cut -d' ' -f1)" "the last page"

# ---- restarts ---------------------------------------------------------------------
wait_until 10 test -s "$RESULTS/$id.meta" || flunk "no meta file for the complete result"
touch "$RESULTS/orphan.rows" "$RESULTS/11111111-2222-4333-8444-555555555555.tmp"
tuskd_stop
tuskd_start
pass "tuskd restarted after SIGTERM"
assert_eq "$(state_of "$id")" complete "the stored result is back after a restart"
run tctl fetch "$id" --format csv --offset 734566 --limit 1
assert_eq "$OUT" $'g,h\n734567,'"$(printf 734567 | md5sum | cut -d' ' -f1)" \
	"a page from the re-indexed spill file"
[[ ! -e $RESULTS/orphan.rows && ! -e $RESULTS/11111111-2222-4333-8444-555555555555.tmp ]] &&
	pass "orphan files are removed at start" || flunk "orphans left: $(ls "$RESULTS")"
tuskd_kill9
tuskd_start
assert_eq "$(row_count "$id")" $N "and after a SIGKILL"

# ---- LRU over the disk budget ---------------------------------------------------------
assert_rc 0 "close the big one" tctl query close "$id"
small="select g, md5(g::text) as h from generate_series(1, 200000) g" # ~9 MiB on disk
a=$(tctl -d "$DB" query -c "$small" --store 2>/dev/null)
b=$(tctl -d "$DB" query -c "$small" --store 2>/dev/null)
tctl fetch "$a" --limit 1 >/dev/null # a is used after b: b is the least recently used
assert_rc 0 "disk budget set to 20 MiB" tctl settings set store.disk_budget_mb 20
c=$(tctl -d "$DB" query -c "$small" --store 2>/dev/null)
assert_rc 1 "the least recently used result is released over the disk budget" tctl fetch "$b"
assert_contains "$ERR" "no stored result has id" "it is result_not_found"
[[ ! -e $RESULTS/$b.rows ]] && pass "its spill file is removed" || flunk "$b.rows left"
assert_rc 0 "the recently used one stays" tctl fetch "$a" --limit 1
assert_rc 0 "and the new one" tctl fetch "$c" --limit 1

# ---- idle TTL --------------------------------------------------------------------------
assert_rc 0 "TTL set to 2 s" tctl settings set store.ttl_sec 2
# Only listed, not fetched: a fetch is a use and would keep it.
released() { ! tctl --json query list | grep -q "$c"; }
wait_until 10 released && pass "an idle result is released after its TTL" ||
	flunk "the TTL did not release an idle result"
assert_rc 1 "fetching it is result_not_found" tctl fetch "$c"
gone() { [[ -z $(ls -A "$RESULTS") ]]; }
wait_until 5 gone && pass "every spill file is removed" || flunk "left: $(ls "$RESULTS")"
assert_rc 0 "the daemon still answers" tctl ping
tuskd_stop
