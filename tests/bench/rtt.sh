# shellcheck shell=bash
# Round trips (issue #14): select 1 from persistent clients (1, 8, 64) side
# by side with pgbench at the same client counts, history on vs off at 8
# clients, one-shot `tuskctl -c 'select 1'` vs `tuskctl ping`, and the
# time to the first row of a 1M-row query through tuskctl. Each measure
# runs RTT_REPEAT times (default 3), pgbench and tusk interleaved; rows
# go to the one table (bench_row). Sourced by tests/bench/run.
# RTT_INLINE= measures streamed replies (no inline); RTT_NO_HISTORY_OFF=1
# skips the history-off run.

RTT=${RTT:-$(dirname "$TUSKD")/../tests/tusk-rtt}
RTT_REPEAT=${RTT_REPEAT:-3}

# pgbench select 1 with C clients for N transactions each → "latency_ms tps".
_rtt_pgbench() {
	local c=$1 n=$2 j=2
	((c == 1)) && j=1
	"$PG_BINDIR/pgbench" -n -f "$T/select1.sql" -c "$c" -j "$j" -t "$n" -h 127.0.0.1 \
		-p "$PG_PORT" -U postgres postgres 2>/dev/null |
		awk '/latency average/ { l = $4 } /^tps/ { t = $3 } END { print l, t }'
}

bench_rtt() {
	[[ -x $RTT ]] || fail "tusk-rtt not built ($RTT)"
	local ci="host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres"
	echo 'select 1;' >"$T/select1.sql"
	tuskd_new_home
	tuskd_start
	tctl -d "$ci" -c 'select 1' >/dev/null # the pool is warm from now on
	local inline=${RTT_INLINE-inline}

	local -a p1l=() p1t=() t1l=() t1t=() p8t=() t8t=() p64t=() t64t=() h8t=() o8t=()
	local r k
	for ((k = 0; k < RTT_REPEAT; k++)); do
		r=$(_rtt_pgbench 1 3000)
		p1l+=("${r% *}") p1t+=("${r#* }")
		r=$("$RTT" "$TUSKD_SOCKET" "$ci" select 3000 1 $inline)
		t1l+=("${r% *}") t1t+=("${r#* }")
		r=$(_rtt_pgbench 8 1000)
		p8t+=("${r#* }")
		r=$("$RTT" "$TUSKD_SOCKET" "$ci" select 1000 8 $inline)
		t8t+=("${r#* }") h8t+=("${r#* }")
		if [[ -z ${RTT_NO_HISTORY_OFF:-} ]]; then
			tctl settings set history.record false >/dev/null
			r=$("$RTT" "$TUSKD_SOCKET" "$ci" select 1000 8 $inline)
			o8t+=("${r#* }")
			tctl settings set history.record true >/dev/null
		fi
		r=$(_rtt_pgbench 64 200)
		p64t+=("${r#* }")
		r=$("$RTT" "$TUSKD_SOCKET" "$ci" select 200 64 $inline)
		t64t+=("${r#* }")
	done

	# One-shot: the whole process, warm pool, vs the floor (ping).
	local t_ctl t_ping
	t_ctl=$(time_runs 100 "$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart -d "$ci" -c 'select 1')
	t_ping=$(time_runs 100 "$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart ping)

	# Time to first row of 1M rows through tuskctl (aligned and CSV).
	local big="select g, g * 2 as double, md5(g::text) as hash, now() as ts, 'row ' || g as label from generate_series(1, 1000000) g"
	local ttfb ttfb_csv
	ttfb=$("$RTT" - - ttfb 5 "$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart -d "$ci" -c "$big")
	ttfb_csv=$("$RTT" - - ttfb 5 "$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart -d "$ci" --csv -c "$big")
	tuskd_stop

	bench_section "Round trip (${inline:-streamed} replies, $RTT_REPEAT rounds interleaved with pgbench)"
	bench_row "select 1 latency, 1 persistent client (3000 runs a round) vs pgbench -c 1" ms \
		"$(stats "${t1l[@]}")" "pgbench -c 1" "$(stats "${p1l[@]}")" "≤ 2×"
	bench_row "select 1 tps, 8 persistent clients (1000 runs each) vs pgbench -c 8" tps \
		"$(stats "${t8t[@]}")" "pgbench -c 8" "$(stats "${p8t[@]}")" "≥ 0.5×"
	bench_row "select 1 tps, 64 persistent clients (200 runs each) vs pgbench -c 64" tps \
		"$(stats "${t64t[@]}")" "pgbench -c 64" "$(stats "${p64t[@]}")"
	if [[ ${#o8t[@]} -gt 0 ]]; then
		bench_row "select 1 tps, 8 clients: history on vs history.record off (cost ≤ 10 %)" tps \
			"$(stats "${h8t[@]}")" "history off" "$(stats "${o8t[@]}")" "≥ 0.9×"
	fi
	bench_row "\`tuskctl -c 'select 1'\` (warm pool) vs \`tuskctl ping\`, whole process (100 runs)" ms \
		"$t_ctl" "tuskctl ping" "$t_ping" "≤ 1.3×"
	bench_row "time to first row through tuskctl, 1M rows × 5 columns, --csv (5 runs; whole run $(fmt "${ttfb_csv#* }" 0) ms)" ms \
		"${ttfb_csv% *}" "" "" "≤ 20"
	bench_row "time to first row through tuskctl, 1M rows × 5 columns, aligned (waits for the whole set, as psql; whole run $(fmt "${ttfb#* }" 0) ms)" ms \
		"${ttfb% *}"
}

bench_rtt
