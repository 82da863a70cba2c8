# shellcheck shell=bash
# Query and connection benchmarks, side by side with psql, pgbench and
# COPY on the same PostgreSQL: connect latency, pool overhead, select 1
# from the command line and from a persistent client, 1M rows to CSV with
# peak memory, and cancel latency. Sourced by tests/bench/run.

BENCH_RUNS=${BENCH_RUNS:-20}
RTT=${RTT:-$(dirname "$TUSKD")/../tests/tusk-rtt}

# peak_rss_kb CMD... → "seconds peak_kb" of one run, output discarded.
peak_rss() {
	/usr/bin/time -f '%e %M' -o "$T/time.out" "$@" >/dev/null 2>"$T/time.err" ||
		{ cat "$T/time.err" >&2; fail "$* failed"; }
	cat "$T/time.out"
}

bench_query() {
	[[ -x $RTT ]] || fail "tusk-rtt not built ($RTT)"
	local ci="host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres"
	local psql=("$PG_BINDIR/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres)
	tuskd_new_home
	tuskd_start
	local tpid=$TUSKD_PID

	# --- connecting ---------------------------------------------------------
	local -a conn_ms=()
	local i
	for ((i = 0; i < BENCH_RUNS; i++)); do
		conn_ms+=("$(tctl --json conn test "$ci application_name=bench$i" |
			awk -F': ' '/"connect_ms"/ { gsub(/,/, "", $2); print $2 }')")
	done
	echo 'select 1;' >"$T/select1.sql"
	local pgb_conn
	pgb_conn=$("$PG_BINDIR/pgbench" -n -C -f "$T/select1.sql" -t 200 -h 127.0.0.1 \
		-p "$PG_PORT" -U postgres postgres 2>/dev/null |
		awk -F'= ' '/average connection time/ { print $2+0 }')

	# --- select 1 -----------------------------------------------------------
	tctl -d "$ci" -c 'select 1' >/dev/null # the pool is warm from now on
	local n=$((BENCH_RUNS * 5))
	local t_ctl t_psql
	t_ctl=$(time_runs "$n" "$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart -d "$ci" -c 'select 1')
	t_psql=$(time_runs "$n" "${psql[@]}" -c 'select 1')

	local ping_rtt sel1 sel8
	ping_rtt=$("$RTT" "$TUSKD_SOCKET" "$ci" ping 2000)
	sel1=$("$RTT" "$TUSKD_SOCKET" "$ci" select 2000 1)
	sel8=$("$RTT" "$TUSKD_SOCKET" "$ci" select 1000 8)
	local pgb1 pgb8
	pgb1=$("$PG_BINDIR/pgbench" -n -f "$T/select1.sql" -c 1 -j 1 -t 2000 -h 127.0.0.1 \
		-p "$PG_PORT" -U postgres postgres 2>/dev/null |
		awk '/latency average/ { l = $4 } /^tps/ { t = $3 } END { print l, t }')
	pgb8=$("$PG_BINDIR/pgbench" -n -f "$T/select1.sql" -c 8 -j 2 -t 1000 -h 127.0.0.1 \
		-p "$PG_PORT" -U postgres postgres 2>/dev/null |
		awk '/latency average/ { l = $4 } /^tps/ { t = $3 } END { print l, t }')

	# --- 1M rows x 5 columns to CSV ------------------------------------------
	local big="select g, g * 2 as double, md5(g::text) as hash, now() as ts, 'row ' || g as label from generate_series(1, 1000000) g"
	local rss0 rss1
	rss0=$(awk '/^VmRSS:/ { print $2 }' "/proc/$tpid/status")
	local -a c_ctl=() c_psql=() c_copy=()
	local m_ctl=0 m_psql=0 r
	for ((i = 0; i < 3; i++)); do
		r=$(peak_rss "$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart -d "$ci" --csv -c "$big")
		c_ctl+=("${r% *}")
		((${r#* } > m_ctl)) && m_ctl=${r#* }
		r=$(peak_rss "${psql[@]}" --csv -c "$big")
		c_psql+=("${r% *}")
		((${r#* } > m_psql)) && m_psql=${r#* }
		r=$(peak_rss "${psql[@]}" -c "copy ($big) to stdout with (format csv, header)")
		c_copy+=("${r% *}")
	done
	rss1=$(awk '/^VmRSS:/ { print $2 }' "/proc/$tpid/status")
	local same=no
	"$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart -d "$ci" --csv \
		-c "select g, md5(g::text) from generate_series(1,100000) g" >"$T/a.csv"
	"${psql[@]}" --csv -c "select g, md5(g::text) from generate_series(1,100000) g" >"$T/b.csv"
	cmp -s "$T/a.csv" "$T/b.csv" && same=yes

	local cancel_ms
	cancel_ms=$("$RTT" "$TUSKD_SOCKET" "$ci" cancel 10)
	tuskd_stop

	local s1_lat=${sel1% *} s1_tps=${sel1#* } s8_lat=${sel8% *} s8_tps=${sel8#* }
	local p1_lat=${pgb1% *} p1_tps=${pgb1#* } p8_lat=${pgb8% *} p8_tps=${pgb8#* }
	bench_section "Connections and queries"
	bench_row "connect (connections.test, new backend, $BENCH_RUNS runs) vs pgbench -C average connection time" ms \
		"$(stats "${conn_ms[@]}")" "pgbench -C" "$pgb_conn"
	bench_row "pool acquire + select 1 + release over one socket vs daemon.ping" ms "$s1_lat" "daemon.ping" "$ping_rtt"
	bench_row "\`tuskctl -c 'select 1'\` (warm pool) vs \`psql -c 'select 1'\`, whole process ($n runs)" ms \
		"$t_ctl" "psql 15" "$t_psql" "≤ 0.1×"
	bench_row "select 1 latency, 1 persistent client (tusk-rtt) vs pgbench -c 1" ms "$s1_lat" "pgbench -c 1" "$p1_lat" "≤ 2×"
	bench_row "select 1 tps, 8 persistent clients vs pgbench -c 8" tps "$s8_tps" "pgbench -c 8" "$p8_tps" "≥ 0.5×"
	bench_row "1M rows × 5 columns to CSV: tuskctl vs \`psql --csv\` (3 runs; byte-identical for 100,000 rows: $same)" s \
		"$(stats "${c_ctl[@]}")" "psql 15 --csv" "$(stats "${c_psql[@]}")" "≤ 0.8×"
	bench_row "1M rows × 5 columns to CSV: tuskctl vs \`COPY … TO STDOUT\` via psql" s "$(stats "${c_ctl[@]}")" \
		"COPY via psql 15" "$(stats "${c_copy[@]}")" "≤ 1.1×"
	bench_row "peak RSS of the client for 1M rows to CSV: tuskctl vs psql --csv" MiB \
		"$(awk -v k="$m_ctl" 'BEGIN { print k / 1024 }')" "psql 15 --csv" "$(awk -v k="$m_psql" 'BEGIN { print k / 1024 }')"
	bench_row "tuskd RSS growth over the three 1M-row runs" MiB \
		"$(awk -v a="$rss0" -v b="$rss1" 'BEGIN { print (b - a) / 1024 }')" "" "" "≤ 32"
	bench_row "cancel: query.cancel sent → cancelled reply (pg_sleep, 10 runs)" ms "$cancel_ms" "" "" "≤ 50"
	bench_row "select 1 latency, 8 persistent clients vs pgbench -c 8" ms "$s8_lat" "pgbench -c 8" "$p8_lat"
	bench_row "select 1 tps, 1 persistent client vs pgbench -c 1" tps "$s1_tps" "pgbench -c 1" "$p1_tps"
}

bench_query
