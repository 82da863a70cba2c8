# shellcheck shell=bash
# Result store benchmarks: a page of 100 rows at offset 1,999,900 of a
# 2M-row stored result (round trip from a persistent client), store vs
# stream throughput for the same 2M rows, and tuskd's RSS while it stores
# 10M rows with the default 256 MiB budget. Sourced by tests/bench/run.

RTT=${RTT:-$(dirname "$TUSKD")/../tests/tusk-rtt}

bench_store() {
	[[ -x $RTT ]] || fail "tusk-rtt not built ($RTT)"
	local ci="host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres"
	tuskd_new_home
	tuskd_start
	local tpid=$TUSKD_PID
	local sql2m="select g, md5(g::text) as hash, g * 0.5 as half, 'row ' || g as label from generate_series(1, 2000000) g"

	# --- a deep page of a 2M-row result ----------------------------------------
	local id
	id=$(tctl -d "$ci" query -c "$sql2m" --store 2>/dev/null)
	local fetch_ms fetch_first_ms
	fetch_ms=$("$RTT" "$TUSKD_SOCKET" "$ci" fetch 200 "$id" 1999900 100)
	fetch_first_ms=$("$RTT" "$TUSKD_SOCKET" "$ci" fetch 200 "$id" 0 100)
	local on_disk
	on_disk=$(stat -c %s "$TUSKD_CACHE/results/$id.rows")
	tctl query close "$id"

	# --- store vs stream throughput ------------------------------------------
	local t_stream t_store
	t_stream=$("$RTT" "$TUSKD_SOCKET" "$ci" execute 3 stream "$sql2m")
	t_store=$("$RTT" "$TUSKD_SOCKET" "$ci" execute 3 store "$sql2m")

	# --- RSS while storing 10M rows -----------------------------------------
	local rss0 peak=0 r
	rss0=$(awk '/^VmRSS:/ { print $2 }' "/proc/$tpid/status")
	"$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart query -d "$ci" --store \
		-c "select g, md5(g::text) as hash, g * 0.5 as half, 'row ' || g as label from generate_series(1, 10000000) g" \
		>"$T/10m.id" 2>/dev/null &
	local qpid=$! t0
	t0=$(now_us)
	while kill -0 "$qpid" 2>/dev/null; do
		r=$(awk '/^VmRSS:/ { print $2 }' "/proc/$tpid/status")
		((r > peak)) && peak=$r
		sleep 0.1
	done
	wait "$qpid"
	local t10m=$((($(now_us) - t0) / 1000))
	local big_disk
	big_disk=$(stat -c %s "$TUSKD_CACHE/results/$(cat "$T/10m.id").rows")
	tuskd_stop

	local peak_mb growth_mb
	peak_mb=$(awk -v k="$peak" 'BEGIN { printf "%.1f", k / 1024 }')
	growth_mb=$(awk -v a="$rss0" -v b="$peak" 'BEGIN { printf "%.1f", (b - a) / 1024 }')
	bench_section "Result store"
	bench_row "query.fetch of 100 rows at offset 1,999,900 of a 2M-row stored result (round trip, median of 200) vs the first page" ms \
		"$fetch_ms" "first page" "$fetch_first_ms" "≤ 5"
	bench_row "2M rows × 4 columns, request to reply (median of 3): store mode vs stream mode ($(awk -v b="$on_disk" 'BEGIN { printf "%.0f", b / 1048576 }') MiB spill file)" s \
		"$t_store" "stream mode" "$t_stream" "≤ 1.11×"
	bench_row "tuskd peak RSS while storing 10M rows ($(awk -v b="$big_disk" 'BEGIN { printf "%.0f", b / 1048576 }') MiB spilled in $t10m ms; +$growth_mb MiB), budget 256 MiB" MiB \
		"$peak_mb" "" "" "≤ 288"
}

bench_store
