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
	local conn_med
	conn_med=$(median "${conn_ms[@]}")
	echo 'select 1;' >"$T/select1.sql"
	local pgb_conn
	pgb_conn=$("$PG_BINDIR/pgbench" -n -C -f "$T/select1.sql" -t 200 -h 127.0.0.1 \
		-p "$PG_PORT" -U postgres postgres 2>/dev/null |
		awk -F'= ' '/average connection time/ { print $2+0 }')

	# --- select 1 -----------------------------------------------------------
	tctl -d "$ci" -c 'select 1' >/dev/null # the pool is warm from now on
	local n=$((BENCH_RUNS * 5))
	local t_ctl t_psql
	t_ctl=$(time_command "$n" "$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart -d "$ci" -c 'select 1')
	t_psql=$(time_command "$n" "${psql[@]}" -c 'select 1')

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

	local ctl_med=${t_ctl% *} psql_med=${t_psql% *}
	local c_ctl_med c_psql_med c_copy_med
	c_ctl_med=$(median "${c_ctl[@]}")
	c_psql_med=$(median "${c_psql[@]}")
	c_copy_med=$(median "${c_copy[@]}")
	local s1_lat=${sel1% *} s1_tps=${sel1#* } s8_lat=${sel8% *} s8_tps=${sel8#* }
	local p1_lat=${pgb1% *} p1_tps=${pgb1#* } p8_lat=${pgb8% *} p8_tps=${pgb8#* }

	cat <<EOT

## Connections and queries

| measure | tusk | reference | ratio | goal | |
| --- | ---: | ---: | ---: | ---: | :---: |
| connect (connections.test, new backend, $BENCH_RUNS runs) vs pgbench -C average connection time | $(fmt "$conn_med" 2) ms | $(fmt "$pgb_conn" 2) ms | $(ratio "$conn_med" "$pgb_conn") | | |
| pool acquire + select 1 + release over one socket (median) vs daemon.ping | $(fmt "$s1_lat" 3) ms | $(fmt "$ping_rtt" 3) ms | $(ratio "$s1_lat" "$ping_rtt") | | |
| \`tuskctl -c 'select 1'\` (warm pool) vs \`psql -c 'select 1'\` ($n runs, median) | $(fmt "$ctl_med" 2) ms | $(fmt "$psql_med" 2) ms | $(ratio "$ctl_med" "$psql_med") | ≤ 0.25× | $(goal "$(awk -v a="$ctl_med" -v b="$psql_med" 'BEGIN{print a/b}')" 0.25) |
| select 1 latency, 1 persistent client vs pgbench -c 1 | $(fmt "$s1_lat" 3) ms | $(fmt "$p1_lat" 3) ms | $(ratio "$s1_lat" "$p1_lat") | ≤ 2× | $(goal "$(awk -v a="$s1_lat" -v b="$p1_lat" 'BEGIN{print a/b}')" 2) |
| select 1 tps, 1 client vs pgbench -c 1 | $(fmt "$s1_tps" 0) | $(fmt "$p1_tps" 0) | $(ratio "$s1_tps" "$p1_tps") | ≥ 0.5× | $(goal 0.5 "$(awk -v a="$s1_tps" -v b="$p1_tps" 'BEGIN{print a/b}')") |
| select 1 latency, 8 clients vs pgbench -c 8 | $(fmt "$s8_lat" 3) ms | $(fmt "$p8_lat" 3) ms | $(ratio "$s8_lat" "$p8_lat") | ≤ 2× | $(goal "$(awk -v a="$s8_lat" -v b="$p8_lat" 'BEGIN{print a/b}')" 2) |
| select 1 tps, 8 clients vs pgbench -c 8 | $(fmt "$s8_tps" 0) | $(fmt "$p8_tps" 0) | $(ratio "$s8_tps" "$p8_tps") | ≥ 0.5× | $(goal 0.5 "$(awk -v a="$s8_tps" -v b="$p8_tps" 'BEGIN{print a/b}')") |
| 1M rows × 5 columns to CSV: tuskctl vs \`psql --csv\` (3 runs, median) | $(fmt "$c_ctl_med" 2) s | $(fmt "$c_psql_med" 2) s | $(ratio "$c_ctl_med" "$c_psql_med") | ≤ 1.0× | $(goal "$(awk -v a="$c_ctl_med" -v b="$c_psql_med" 'BEGIN{print a/b}')" 1.0) |
| 1M rows × 5 columns to CSV: tuskctl vs \`COPY … TO STDOUT\` via psql | $(fmt "$c_ctl_med" 2) s | $(fmt "$c_copy_med" 2) s | $(ratio "$c_ctl_med" "$c_copy_med") | ≤ 1.2× | $(goal "$(awk -v a="$c_ctl_med" -v b="$c_copy_med" 'BEGIN{print a/b}')" 1.2) |
| peak RSS of the client for 1M rows: tuskctl vs psql --csv | $(awk -v k="$m_ctl" 'BEGIN{printf "%.1f", k/1024}') MiB | $(awk -v k="$m_psql" 'BEGIN{printf "%.1f", k/1024}') MiB | $(ratio "$m_ctl" "$m_psql") | | |
| tuskd RSS growth over the three 1M-row runs | $(awk -v a="$rss0" -v b="$rss1" 'BEGIN{printf "%.1f", (b-a)/1024}') MiB | | | ≤ 32 MiB | $(goal "$(awk -v a="$rss0" -v b="$rss1" 'BEGIN{print (b-a)/1024}')" 32) |
| cancel: query.cancel sent → cancelled reply (pg_sleep, 10 runs, median) | $(fmt "$cancel_ms" 2) ms | | | ≤ 50 ms | $(goal "$cancel_ms" 50) |

CSV output of tuskctl byte-identical to psql --csv for 100,000 rows: $same.
EOT
}

bench_query
