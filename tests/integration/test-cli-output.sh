#!/usr/bin/env bash
# tuskctl's output habits: -x, -t, --null and --no-header byte-identical to
# psql -x / -t / -P null / --csv -t; -o FILE on a query and on status; the
# pager only when aligned output outgrows a terminal; the progress line
# and the query id only when stderr is a terminal; colors only on a
# terminal and never with NO_COLOR; Ctrl-C exits 130; tuskctl events
# prints JSON lines.
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
tusk_test_init
pg_use_shared
tuskd_start

DB="host=$PGHOST port=$PGPORT user=$PGUSER dbname=postgres"
SQL="select g as n, case when g % 2 = 0 then null else 'v' || g end as v from generate_series(1, 3) g"

# ---- formats against psql ------------------------------------------------------
run pg_psql -x -c "$SQL"
want=$OUT
assert_rc 0 "-x" tctl -d "$DB" -x -c "$SQL"
assert_eq "$OUT" "$want" "-x is byte-identical to psql -x"
run pg_psql -t -c "$SQL"
want=$OUT
assert_rc 0 "-t" tctl -d "$DB" -t -c "$SQL"
assert_eq "$OUT" "$want" "-t is byte-identical to psql -t"
run pg_psql -P null='(null)' -c "$SQL"
want=$OUT
assert_rc 0 "--null" tctl -d "$DB" --null '(null)' -c "$SQL"
assert_eq "$OUT" "$want" "--null is psql's -P null"
run pg_psql --csv -t -c "$SQL"
want=$OUT
assert_rc 0 "--csv --no-header" tctl -d "$DB" --csv --no-header -c "$SQL"
assert_eq "$OUT" "$want" "--csv --no-header is psql --csv -t"

# ---- -o FILE -------------------------------------------------------------------------
assert_rc 0 "query -o FILE" tctl -d "$DB" -o "$T/q.out" -c "$SQL"
assert_eq "$OUT" "" "nothing on stdout with -o"
assert_eq "$(cat "$T/q.out")" "$(pg_psql -c "$SQL")" "the file holds psql's table"
assert_rc 0 "status -o FILE" tctl status -o "$T/s.out"
assert_contains "$(cat "$T/s.out")" "tuskd " "status -o writes the file"

# ---- a terminal: pager, progress, colors -----------------------------------------------
S="tusk-out-$$"
tm() { tmux -L "$S" "$@"; }
at_exit "tmux -L $S kill-server >/dev/null 2>&1"
tm new-session -d -s s -x 100 -y 20 "bash --norc --noprofile"
tm set-option -t s remain-on-exit on >/dev/null
screen() { tm capture-pane -p -t s -S -200; }
screen_e() { tm capture-pane -e -p -t s -S -200; }
on_screen() { screen | grep -qF -- "$1"; }
cmd() {
	tm send-keys -t s -l "$1"
	tm send-keys -t s Enter
}
C="$TUSKCTL --socket $TUSKD_SOCKET --no-autostart"
# Markers are echoed as DO""NE1 so that the typed line never matches them.
cmd "export PS1='$ ' TUSK_PAGER='tee $T/paged >/dev/null; echo PA\"\"GED'; echo RE\"\"ADY"
wait_until 10 on_screen READY || flunk "the terminal's shell is ready"
cmd "$C -d '$DB' -c 'select g from generate_series(1, 100) g'; echo DO\"\"NE1"
wait_until 15 on_screen DONE1 || flunk "the tall query finished" "$(screen | tail -n 5)"
assert_contains "$(screen)" "PAGED" "a table taller than the terminal goes to the pager"
assert_contains "$(cat "$T/paged" 2>/dev/null)" "(100 rows)" "the pager got the whole table"
rm -f "$T/paged"
cmd "clear; $C -d '$DB' -c 'select 1 as small'; echo DO\"\"NE2"
wait_until 15 on_screen DONE2 || flunk "the small query finished"
assert_contains "$(screen)" "(1 row)" "a table that fits is printed"
assert_not_exists "$T/paged" "and not paged"
run tctl -d "$DB" -c 'select g from generate_series(1, 100) g'
assert_not_exists "$T/paged" "not paged when stdout is no terminal"

# Wide rows: the server flushes its send buffer as they come.
cmd "clear; $C -d '$DB' --csv -c \"select g, repeat('x', 4000), pg_sleep(0.005) from generate_series(1, 500) g\" > $T/p.csv; echo DO\"\"NE3"
saw_progress() { screen | grep -qE 'rows, [0-9]+ rows/s'; }
if wait_until 15 saw_progress; then
	pass "progress (rows, rate, elapsed) on a terminal's stderr"
else
	flunk "progress on a terminal's stderr" "$(screen | tail -n 5)"
fi
wait_until 15 on_screen DONE3 || flunk "the slow query finished"
assert_contains "$(screen)" "is running (Ctrl-C" "a long query's id on a terminal"
assert_eq "$(wc -l <"$T/p.csv")" 501 "the rows went to the file"
run tctl -d "$DB" --csv -c "select g, repeat('x', 4000), pg_sleep(0.005) from generate_series(1, 300) g"
assert_not_contains "$ERR" "rows/s" "no progress when stderr is no terminal"

cmd "clear; $C -d '$DB' -c 'select 1/0'; echo DO\"\"NE4"
wait_until 15 on_screen DONE4 || flunk "the failing query finished"
assert_contains "$(screen_e)" $'\033[' "ERROR is colored on a terminal"
cmd "clear; NO_COLOR=1 $C -d '$DB' -c 'select 1/0'; echo DO\"\"NE5"
wait_until 15 on_screen DONE5 || flunk "the NO_COLOR query finished"
assert_contains "$(screen)" "ERROR:  division by zero" "the error is shown"
assert_not_contains "$(screen_e | grep 'division')" $'\033[1' "NO_COLOR: no colors"
run tctl -d "$DB" -c 'select 1/0'
assert_not_contains "$ERR" $'\033[' "no colors when stderr is no terminal"

# ---- Ctrl-C exits 130 ----------------------------------------------------------------------
"$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart -d "$DB" -c "select pg_sleep(30)" \
	>/dev/null 2>"$T/int.err" &
qpid=$!
listed() { tctl query list 2>/dev/null | grep -q " running "; }
wait_until 10 listed || flunk "the sleep started"
kill -INT "$qpid"
rc=0
wait "$qpid" || rc=$?
assert_eq "$rc" 130 "Ctrl-C cancels and exits 130"

# ---- events ----------------------------------------------------------------------------------
"$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart events query >"$T/ev.out" 2>"$T/ev.err" &
epid=$!
subscribed() { [[ $(tctl status | grep -c 'clients:   2') == 1 ]]; }
wait_until 10 subscribed || true
sleep 0.3
tctl -d "$DB" -c "select 'evt'" >/dev/null
has_completed() { grep -q '"method":"query.completed"' "$T/ev.out"; }
if wait_until 10 has_completed; then pass "events prints query events"; else flunk "events prints query events" "$(cat "$T/ev.out")"; fi
bad=$(grep -cv '^{"method":' "$T/ev.out" || true)
assert_eq "$bad" 0 "every line is a JSON object with a method"
kill -INT "$epid"
rc=0
wait "$epid" || rc=$?
assert_eq "$rc" 130 "events stops on Ctrl-C with 130"

tuskd_stop
