#!/usr/bin/env bash
# A small result in one message (query.execute inline): on the socket, a
# quick select answers with the reply alone, its rows inside; a result that
# does not fit one batch, one with a notice among its result sets, one that
# fails after a result set, and one still running after the window stream
# exactly as without inline; csv render comes inline as text; store mode
# refuses it. Through tuskctl (which asks for it) the output is what it
# was: --json shows no inline member, a script's result sets and its error
# come in order.
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
tusk_test_init
pg_use_shared
tuskd_start

DB="host=$PGHOST port=$PGPORT user=$PGUSER dbname=postgres"
tctl -d "$DB" -c 'select 1' >/dev/null # the pool is warm

# exchange PARAMS_JSON: one query.execute (on $DB unless PARAMS_JSON names
# a conninfo) on a fresh connection, as rpc_exchange prints it.
exchange() {
	rpc_exchange query.execute "$(jq -c --arg db "$DB" 'if has("conninfo") then . else .conninfo = $db end' <<<"$1")"
}
reply_of() { grep '^reply ' <<<"$1" | cut -c7-; }
notes_of() { grep -v '^reply ' <<<"$1" | tr '\n' ' '; }

# ---- select 1: one message ------------------------------------------------
out=$(exchange '{"sql": "select 1 as one", "inline": true}')
assert_eq "$(notes_of "$out")" "" "inline select 1: no notification, only the reply"
r=$(reply_of "$out")
assert_eq "$(jq -c '.result.inline' <<<"$r")" \
	"$(jq -c '[{result_index: 0, columns: .result.inline[0].columns, rows: [["1"]]}]' <<<"$r")" \
	"inline: the rows in the reply"
assert_eq "$(jq -r '.result.inline[0].columns[0].name' <<<"$r")" one "inline: the columns in the reply"
assert_eq "$(jq -c '[.result.results[0].row_count, .result.rows]' <<<"$r")" "[1,1]" \
	"inline: the summary as without it"

# Without inline the same query streams, as before.
out=$(exchange '{"sql": "select 1 as one"}')
assert_eq "$(notes_of "$out")" "query.started query.columns query.rows query.result " \
	"without inline: the notifications"
assert_eq "$(reply_of "$out" | jq -c '.result | has("inline")')" false "without inline: no inline"

# ---- a script: sets with rows, a command, an empty set --------------------
out=$(exchange '{"sql": "select 1 as a, null as b; set search_path = public; select 2 where false", "inline": true}')
assert_eq "$(notes_of "$out")" "" "inline script: only the reply"
r=$(reply_of "$out")
assert_eq "$(jq -c '[.result.inline[] | [.result_index, .rows]]' <<<"$r")" '[[0,[["1",null]]],[2,[]]]' \
	"inline script: each result set with rows in order, the empty one empty"
assert_eq "$(jq -c '[.result.results[].command_tag]' <<<"$r")" '["SELECT 1","SET","SELECT 0"]' \
	"inline script: every summary"

# ---- render csv: the text inline -------------------------------------------
r=$(reply_of "$(exchange '{"sql": "select 1 as a, $$x,y$$ as b", "inline": true, "render": "csv"}')")
assert_eq "$(jq -c '.result.inline[0].text' <<<"$r")" '"1,\"x,y\"\n"' "inline csv: the rendered lines"

# ---- too big for one batch: streams ---------------------------------------
out=$(exchange '{"sql": "select g from generate_series(1, 2500) g", "inline": true}')
assert_eq "$(notes_of "$out")" \
	"query.started query.columns query.rows query.rows query.rows query.result " \
	"more than one batch: streamed as without inline"
r=$(reply_of "$out")
assert_eq "$(jq -c '[.result.rows, (.result | has("inline"))]' <<<"$r")" "[2500,false]" \
	"more than one batch: no inline in the reply"
out=$(exchange '{"sql": "select 1; select 2", "inline": true, "batch_rows": 1}')
assert_eq "$(notes_of "$out")" \
	"query.started query.columns query.rows query.result query.columns query.rows query.result " \
	"two result sets over batch_rows: all of it streamed, in order"

# ---- a notice among the result sets: streams --------------------------------
out=$(exchange '{"sql": "select 1; do $$ begin raise notice $n$hi$n$; end $$; select 2", "inline": true}')
# (libpq may hand the notice over before the first set's end: where it
# lands among that set's messages is as without inline.)
assert_eq "$(notes_of "$out" | tr ' ' '\n' | sort | tr '\n' ' ')" \
	"query.columns query.columns query.notice query.result query.result query.result query.rows query.rows query.started " \
	"a notice: everything streamed"
assert_eq "$(notes_of "$out" | sed 's/ query.notice//' | tr -s ' ')" \
	"query.started query.columns query.rows query.result query.result query.columns query.rows query.result " \
	"a notice: the result sets in order"
assert_eq "$(reply_of "$out" | jq -c '.result | has("inline")')" false "a notice: no inline"

# ---- an error after a result set: the set, then the error ----------------
out=$(exchange '{"sql": "select 1; select 1/0", "inline": true}')
assert_eq "$(notes_of "$out")" "query.started query.columns query.rows query.result " \
	"an error: the result set before it is sent as notifications"
assert_eq "$(reply_of "$out" | jq -r '.error.data.kind')" query_failed "an error: then the error reply"

# ---- slower than the window: streams --------------------------------------
out=$(exchange '{"sql": "select 1 as a; select pg_sleep(0.8)", "inline": true}')
assert_eq "$(notes_of "$out" | sed 's/query.progress //g')" \
	"query.started query.columns query.rows query.result query.columns query.rows query.result " \
	"a query past the window: streamed"

# ---- within the window, a pause after the rows: still one message ----------
out=$(exchange '{"sql": "select 1 as a; select pg_sleep(0.25)", "inline": true}')
assert_eq "$(notes_of "$out")" "" "rows, then a pause within the window: only the reply"
assert_eq "$(reply_of "$out" | jq -c '[.result.inline[0].rows, .result.rows]')" '[[["1"]],2]' \
	"rows, then a pause within the window: the rows inline"

# ---- rows, then the server pauses: progress tells the count -------------
# (the notice makes the server send the rows before it sleeps; no row comes
# after them, and still a query.progress follows within about 100 ms)
out=$(exchange '{"sql": "select g from generate_series(1, 3000) g; do $$ begin raise notice $n$pause$n$; perform pg_sleep(1.5); end $$"}')
assert_contains "$(notes_of "$out")" "query.progress" "rows, then a pause: a query.progress while it waits"

# ---- store mode: refused --------------------------------------------------
r=$(reply_of "$(exchange '{"sql": "select 1", "inline": true, "mode": "store"}')")
assert_eq "$(jq -r '.error.data.kind' <<<"$r")" invalid_params "inline with store mode: invalid_params"
assert_contains "$(jq -r '.error.message' <<<"$r")" "params.inline" "it names the param"

# ---- through tuskctl --------------------------------------------------------
run tctl -d "$DB" --json -c 'select 1 as one'
assert_eq "$RC" 0 "tuskctl --json -c"
assert_eq "$(jq -s -c '[.[0], (.[-1] | has("inline")), .[-1].rows]' <<<"$OUT")" '[[{"one":1}],false,1]' \
	"tuskctl --json: the rows, then the reply as before"
run tctl -d "$DB" -c 'select 1 as a; select 2 as b'
assert_eq "$OUT" "$(printf ' a \n---\n 1\n(1 row)\n\n b \n---\n 2\n(1 row)\n')" \
	"tuskctl: a script's result sets in order"
run tctl -d "$DB" -c 'select 1 as a; select 1/0'
assert_eq "$RC" 1 "tuskctl: a failing script exits 1"
assert_eq "$OUT" "$(printf ' a \n---\n 1\n(1 row)\n')" "tuskctl: the result set before the error"
assert_contains "$ERR" "division by zero" "tuskctl: then the error"
run tctl -d "$DB" --csv -c 'select 1 as a, null as b'
assert_eq "$OUT" "$(printf 'a,b\n1,\n')" "tuskctl --csv: from the inline text"

tuskd_stop
