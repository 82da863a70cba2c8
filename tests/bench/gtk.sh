# shellcheck shell=bash
# The GTK window (tusk) under Xvfb: start-up to the first frame painted with
# 20 restored tabs, Ctrl+Enter to the first rows painted for a 1M-row query,
# the window's RSS once that result is in, and a 10M-row result scrolled top
# to bottom (frames per second, RSS after). The window reports its own paint
# times and CPU time (TUSK_TIMING, client-gtk/tusk-timing.c);
# tests/bench/gtk-bench.py drives it. Sourced by tests/bench/run.

# gtk_field NAME "a=1,0,2 b=…" → "MEDIAN MIN MAX" of field NAME
gtk_field() {
	local f
	for f in $2; do
		[[ ${f%%=*} == "$1" ]] && echo "${f#*=}" | tr , ' ' && return
	done
	echo nan
}

# shellcheck disable=SC2154 # bench_dir and build_dir come from tests/bench/run
bench_gtk() {
	local gtk=${TUSK_GTK:-$build_dir/client-gtk/tusk}
	local floor_bin=${TUSK_FLOOR:-$build_dir/tests/tusk-floor}
	local grid_floor=${TUSK_GRID_FLOOR:-$build_dir/tests/tusk-grid-floor}
	[[ -x $gtk ]] || fail "tusk not built: $gtk"
	[[ -x $floor_bin ]] || fail "tusk-floor not built: $floor_bin"
	[[ -x $grid_floor ]] || fail "tusk-grid-floor not built: $grid_floor"
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
	local runs=${BENCH_GTK_RUNS:-10} frames=${BENCH_GTK_FRAMES:-600} start start1 floor first scroll
	local scroll_floor height
	export DISPLAY=:$display GDK_BACKEND=x11 GSK_RENDERER=cairo TUSK_GTK=$gtk BENCH_CONNECTION=$id
	export TUSKD_SOCKET TUSK_STATE_DIR TUSKCTL
	# tables, not generate_series: a set-returning function gives no row
	# before it has made them all
	"$PG_BINDIR/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -c \
		"create table if not exists bench_rows as select i, md5(i::text) as h, now() as t from generate_series(1, 1000000) i" \
		-c "create table if not exists bench_rows_10m as select i, md5(i::text) as h from generate_series(1, 10000000) i" >/dev/null
	start=$(/usr/bin/python3 "$bench_dir/gtk-bench.py" startup "$runs" 20)
	start1=$(/usr/bin/python3 "$bench_dir/gtk-bench.py" startup "$runs" 1)
	floor=$(/usr/bin/python3 "$bench_dir/gtk-bench.py" floor "$runs" "$floor_bin")
	first=$(/usr/bin/python3 "$bench_dir/gtk-bench.py" first-rows 5 "select * from bench_rows")
	scroll=$(/usr/bin/python3 "$bench_dir/gtk-bench.py" scroll 3 "$frames" "select * from bench_rows_10m")
	# the floor: GtkColumnView alone, as high as tusk's grid (+ its header)
	height=$(gtk_field height "$scroll" | cut -d' ' -f1 | cut -d. -f1)
	scroll_floor=$(/usr/bin/python3 "$bench_dir/gtk-bench.py" scroll-floor 3 "$frames" "$grid_floor" \
		10000000 $((height + 33)))
	tuskd_stop
	unset DISPLAY

	local rss10
	rss10=$(gtk_field rss "$scroll" | awk '{ printf "%.1f %.1f %.1f", $1 / 1024, $2 / 1024, $3 / 1024 }')
	bench_section "The window (tusk under Xvfb, cairo renderer)"
	bench_row "start-up: exec to the first frame painted, 20 restored tabs ($runs runs)" ms \
		"$(gtk_field wall "$start")" "" "" "≤ 300"
	bench_row "of which CPU time of the window's process (load-independent)" ms "$(gtk_field cpu "$start")"
	local phase
	for phase in "init: exec → GTK and libadwaita started" "build: the window and its restored tab" \
		"map: → the window mapped" "paint: → the first frame painted"; do
		bench_row "of which $phase" ms "$(gtk_field "${phase%%:*}" "$start")" \
			"the floor" "$(gtk_field "${phase%%:*}" "$floor")"
	done
	bench_row "the floor: the smallest AdwApplication window (tests/bench/tusk-floor.c), exec → first frame" ms \
		"$(gtk_field wall "$floor")"
	bench_row "the floor: CPU time" ms "$(gtk_field cpu "$floor")"
	bench_row "start-up with 1 tab" ms "$(gtk_field wall "$start1")"
	bench_row "start-up with 1 tab: CPU time" ms "$(gtk_field cpu "$start1")"
	bench_row "Ctrl+Enter to the first rows painted, \`select * from\` a 1M-row table (5 runs)" ms \
		"$(gtk_field first "$first")" "" "" "≤ 200"
	bench_row "of which CPU time of the window's process" ms "$(gtk_field cpu "$first")"
	bench_row "window RSS once the $(gtk_field rows "$first" | cut -d' ' -f1 | cut -d. -f1)-row result is in (paged from the daemon's store)" MiB \
		"$(gtk_field rss "$first" | awk '{ printf "%.1f %.1f %.1f", $1 / 1024, $2 / 1024, $3 / 1024 }')" "" "" "≤ 200"
	bench_row "scrolling a $(gtk_field rows "$scroll" | cut -d' ' -f1 | cut -d. -f1)-row grid top to bottom in $frames frames (3 runs)" fps \
		"$(gtk_field fps "$scroll")" "" "" "≥ 50"
	bench_row "CPU time of the window's process per frame of that scroll (20 ms = 50 fps)" ms \
		"$(gtk_field cpu "$scroll")" "" "" "≤ 20"
	bench_row "window RSS after that scroll, end to end" MiB "$rss10" "" "" "≤ 200"
	bench_row "the floor: GtkColumnView alone over 10M rows of strings (tests/bench/tusk-grid-floor.c), same scroll" fps \
		"$(gtk_field fps "$scroll_floor")"
	bench_row "the floor: CPU time per frame" ms "$(gtk_field cpu "$scroll_floor")"
}

bench_gtk
