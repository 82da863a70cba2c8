# shellcheck shell=bash
# Round trips (issue #14): select 1 from persistent clients (1, 8, 64) side
# by side with pgbench at the same client counts, history on vs off at 8
# clients, one-shot `tuskctl -c 'select 1'` vs `tuskctl ping`, and the
# time to the first row of a 1M-row query through tuskctl. Each measure
# runs RTT_REPEAT times (default 3), pgbench and tusk interleaved, and
# shows the median with the range. Sourced by tests/bench/run.

RTT=${RTT:-$(dirname "$TUSKD")/../tests/tusk-rtt}
RTT_REPEAT=${RTT_REPEAT:-3}

# range V... → "min–max" to the decimals given by RANGE_DEC.
_rtt_range() {
	printf '%s\n' "$@" | sort -g | awk -v d="${RANGE_DEC:-0}" \
		'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.*f–%.*f", d, lo, d, hi }'
}

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
	t_ctl=$(time_command 100 "$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart -d "$ci" -c 'select 1')
	t_ping=$(time_command 100 "$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart ping)

	# Time to first row of 1M rows through tuskctl (aligned and CSV).
	local big="select g, g * 2 as double, md5(g::text) as hash, now() as ts, 'row ' || g as label from generate_series(1, 1000000) g"
	local ttfb ttfb_csv
	ttfb=$("$RTT" - - ttfb 5 "$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart -d "$ci" -c "$big")
	ttfb_csv=$("$RTT" - - ttfb 5 "$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart -d "$ci" --csv -c "$big")
	tuskd_stop

	local m_p1l m_t1l m_p8 m_t8 m_p64 m_t64 m_h8 m_o8=
	m_p1l=$(median "${p1l[@]}") m_t1l=$(median "${t1l[@]}")
	m_p8=$(median "${p8t[@]}") m_t8=$(median "${t8t[@]}")
	m_p64=$(median "${p64t[@]}") m_t64=$(median "${t64t[@]}")
	m_h8=$(median "${h8t[@]}")
	[[ ${#o8t[@]} -gt 0 ]] && m_o8=$(median "${o8t[@]}")
	local lat_ratio tps8_ratio hist_cost=
	lat_ratio=$(awk -v a="$m_t1l" -v b="$m_p1l" 'BEGIN{print a/b}')
	tps8_ratio=$(awk -v a="$m_t8" -v b="$m_p8" 'BEGIN{print a/b}')
	[[ -n $m_o8 ]] && hist_cost=$(awk -v on="$m_h8" -v off="$m_o8" 'BEGIN{print 1 - on/off}')
	local one_ratio
	one_ratio=$(awk -v a="${t_ctl% *}" -v b="${t_ping% *}" 'BEGIN{print a/b}')

	cat <<EOT

## Round trips ($RTT_REPEAT rounds, median [range]; load $(cut -d' ' -f1-3 /proc/loadavg); ${inline:-streaming} replies)

| measure | tusk | reference | ratio | goal | |
| --- | ---: | ---: | ---: | ---: | :---: |
| select 1 latency, 1 persistent client vs pgbench -c 1 | $(fmt "$m_t1l" 3) ms [$(RANGE_DEC=3 _rtt_range "${t1l[@]}")] | $(fmt "$m_p1l" 3) ms [$(RANGE_DEC=3 _rtt_range "${p1l[@]}")] | $(ratio "$m_t1l" "$m_p1l") | ≤ 2.0× | $(goal "$lat_ratio" 2) |
| select 1 tps, 8 clients vs pgbench -c 8 | $(fmt "$m_t8" 0) [$(_rtt_range "${t8t[@]}")] | $(fmt "$m_p8" 0) [$(_rtt_range "${p8t[@]}")] | $(ratio "$m_t8" "$m_p8") | ≥ 0.5× | $(goal 0.5 "$tps8_ratio") |
| select 1 tps, 64 clients vs pgbench -c 64 | $(fmt "$m_t64" 0) [$(_rtt_range "${t64t[@]}")] | $(fmt "$m_p64" 0) [$(_rtt_range "${p64t[@]}")] | $(ratio "$m_t64" "$m_p64") | | |
EOT
	if [[ -n $m_o8 ]]; then
		cat <<EOT
| select 1 tps, 8 clients: history on vs off (cost $(awk -v c="$hist_cost" 'BEGIN{printf "%.1f", c*100}') %) | $(fmt "$m_h8" 0) [$(_rtt_range "${h8t[@]}")] | $(fmt "$m_o8" 0) [$(_rtt_range "${o8t[@]}")] | $(ratio "$m_h8" "$m_o8") | cost ≤ 10 % | $(goal "$hist_cost" 0.10) |
EOT
	fi
	cat <<EOT
| \`tuskctl -c 'select 1'\` (warm pool) vs \`tuskctl ping\` (100 runs, median) | $(fmt "${t_ctl% *}" 2) ms | $(fmt "${t_ping% *}" 2) ms | $(ratio "${t_ctl% *}" "${t_ping% *}") | ≤ 1.3× | $(goal "$one_ratio" 1.3) |
| time to first row, 1M rows × 5 columns through tuskctl, aligned (5 runs, median; whole run $(fmt "${ttfb#* }" 0) ms) | $(fmt "${ttfb% *}" 1) ms | | | ≤ 20 ms | $(goal "${ttfb% *}" 20) |
| time to first row, 1M rows × 5 columns through tuskctl --csv (whole run $(fmt "${ttfb_csv#* }" 0) ms) | $(fmt "${ttfb_csv% *}" 1) ms | | | ≤ 20 ms | $(goal "${ttfb_csv% *}" 20) |
EOT
}

bench_rtt
