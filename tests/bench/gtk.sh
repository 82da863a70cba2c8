# shellcheck shell=bash
# The GTK window (tusk) under Xvfb: start-up to the first frame painted with
# 20 restored tabs, Ctrl+Enter to the first rows painted for a 1M-row query,
# and the window's RSS once that result is in. The window reports its own
# paint times (TUSK_TIMING); tests/bench/gtk-bench.py drives it. Sourced by
# tests/bench/run.

# shellcheck disable=SC2154 # bench_dir and build_dir come from tests/bench/run
bench_gtk() {
	local gtk=${TUSK_GTK:-$build_dir/client-gtk/tusk}
	[[ -x $gtk ]] || fail "tusk not built: $gtk"
	local display=$((500 + RANDOM % 300))
	while [[ -e /tmp/.X11-unix/X$display ]]; do display=$((display + 1)); done
	Xvfb ":$display" -screen 0 1280x800x24 -nolisten tcp >"$T/xvfb-bench.log" 2>&1 &
	local xvfb=$!
	at_exit "kill $xvfb 2>/dev/null"
	wait_until 10 test -e "/tmp/.X11-unix/X$display" || fail "Xvfb did not start"
	tuskd_start
	tctl conn add bench "postgresql://postgres@127.0.0.1:$PG_PORT/postgres" >/dev/null
	local id
	id=$(tctl --json conn show bench | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
	local runs=${BENCH_GTK_RUNS:-10} start start1 first rss rows
	export DISPLAY=:$display GDK_BACKEND=x11 GSK_RENDERER=cairo TUSK_GTK=$gtk BENCH_CONNECTION=$id
	export TUSKD_SOCKET TUSK_STATE_DIR TUSKCTL
	# a table, not generate_series: a set-returning function gives no row
	# before it has made them all
	"$PG_BINDIR/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -c \
		"create table if not exists bench_rows as select i, md5(i::text) as h, now() as t from generate_series(1, 1000000) i" >/dev/null
	start=$(/usr/bin/python3 "$bench_dir/gtk-bench.py" startup "$runs" 20)
	start1=$(/usr/bin/python3 "$bench_dir/gtk-bench.py" startup "$runs" 1)
	read -r first rss rows < <(/usr/bin/python3 "$bench_dir/gtk-bench.py" first-rows 5 \
		"select * from bench_rows")
	tuskd_stop
	unset DISPLAY

	bench_section "The window (tusk under Xvfb, cairo renderer)"
	bench_row "start-up: exec to the first frame painted, 20 restored tabs (median of $runs)" ms "$start" "" "" "≤ 300"
	bench_row "start-up with 1 tab" ms "$start1"
	bench_row "Ctrl+Enter to the first rows painted, \`select * from\` a 1M-row table (median of 5)" ms \
		"$first" "" "" "≤ 200"
	bench_row "window RSS once the $rows-row result is in (paged from the daemon's store)" MiB \
		"$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" "" "" "≤ 200"
}

bench_gtk
