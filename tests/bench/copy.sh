# shellcheck shell=bash
# COPY through the daemon, side by side with psql on the same PostgreSQL:
# COPY FROM STDIN of 1M rows (tuskctl -c "copy … from stdin csv" < FILE vs
# psql \copy … from FILE), COPY TO STDOUT of 1M rows, and 1M rows × 5
# columns to CSV (tuskctl --format csv, which runs as COPY, vs psql --csv
# and vs psql's COPY (…) TO STDOUT); peak RSS of tuskctl and tuskd during
# the load. Sourced by tests/bench/run.

COPY_RUNS=${COPY_RUNS:-5}

bench_copy() {
	local ci="host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres"
	local psql=("$PG_BINDIR/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres)
	tuskd_new_home
	tuskd_start
	local ctl=("$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart -d "$ci")
	local tpid=$TUSKD_PID
	"${psql[@]}" -c "drop table if exists bench_copy_src, bench_copy_dst;
create table bench_copy_src (id int, label text, amount numeric, at timestamptz, note text);
insert into bench_copy_src select g, 'row ' || g, g * 0.25,
  timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second',
  case g % 3 when 0 then 'with,comma' when 1 then 'say \"hi\"' else 'plain' end
from generate_series(1, 1000000) g;
create unlogged table bench_copy_dst (like bench_copy_src);"
	"${psql[@]}" -c "\\copy bench_copy_src to '$T/copy.csv' csv"

	# --- COPY FROM STDIN ------------------------------------------------------
	local -a in_ctl=() in_psql=() ctl_peak=() d_peak=() d_cpu_in=() d_cpu_out=()
	local i t0 pid peak dpeak r c0
	# tuskd's CPU seconds (user + system) so far: its share of a COPY,
	# which the machine's load does not stretch as it does wall time.
	d_cpu() { awk -v t="$(getconf CLK_TCK)" '{ print ($14 + $15) / t }' "/proc/$tpid/stat"; }
	for ((i = 0; i < COPY_RUNS; i++)); do
		"${psql[@]}" -c "truncate bench_copy_dst"
		c0=$(d_cpu)
		t0=$(now_us)
		"${ctl[@]}" -c "copy bench_copy_dst from stdin csv" <"$T/copy.csv" >/dev/null &
		pid=$!
		peak=0 dpeak=0
		while kill -0 "$pid" 2>/dev/null; do
			r=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
			((r > peak)) && peak=$r
			r=$(awk '/^VmRSS:/ { print $2 }' "/proc/$tpid/status")
			((r > dpeak)) && dpeak=$r
			sleep 0.02
		done
		wait "$pid" || fail "tuskctl copy from stdin failed"
		in_ctl+=("$(awk -v d="$(($(now_us) - t0))" 'BEGIN { print d / 1000000 }')")
		d_cpu_in+=("$(awk -v a="$c0" -v b="$(d_cpu)" 'BEGIN { print b - a }')")
		ctl_peak+=("$(awk -v k="$peak" 'BEGIN { print k / 1024 }')")
		d_peak+=("$(awk -v k="$dpeak" 'BEGIN { print k / 1024 }')")
		"${psql[@]}" -c "truncate bench_copy_dst"
		t0=$(now_us)
		"${psql[@]}" -c "\\copy bench_copy_dst from '$T/copy.csv' csv" >/dev/null
		in_psql+=("$(awk -v d="$(($(now_us) - t0))" 'BEGIN { print d / 1000000 }')")
	done

	# --- COPY TO STDOUT and CSV ------------------------------------------------
	local big="select g, g * 2 as double, md5(g::text) as hash, now() as ts, 'row ' || g as label from generate_series(1, 1000000) g"
	local -a out_ctl=() out_psql=() csv_ctl=() csv_psql=() csv_copy=()
	for ((i = 0; i < COPY_RUNS; i++)); do
		c0=$(d_cpu)
		out_ctl+=("$(/usr/bin/time -f %e "${ctl[@]}" -c "copy bench_copy_src to stdout csv" 2>&1 >/dev/null)")
		d_cpu_out+=("$(awk -v a="$c0" -v b="$(d_cpu)" 'BEGIN { print b - a }')")
		out_psql+=("$(/usr/bin/time -f %e "${psql[@]}" -c "\\copy bench_copy_src to stdout csv" 2>&1 >/dev/null)")
		csv_ctl+=("$(/usr/bin/time -f %e "${ctl[@]}" --format csv -c "$big" 2>&1 >/dev/null)")
		csv_psql+=("$(/usr/bin/time -f %e "${psql[@]}" --csv -c "$big" 2>&1 >/dev/null)")
		csv_copy+=("$(/usr/bin/time -f %e "${psql[@]}" -c "copy ($big) to stdout with (format csv, header)" 2>&1 >/dev/null)")
	done
	"${ctl[@]}" --format csv -c "select * from bench_copy_src" >"$T/a.csv"
	"${psql[@]}" --csv -c "select * from bench_copy_src" >"$T/b.csv"
	cmp -s "$T/a.csv" "$T/b.csv" || fail "tuskctl --format csv differs from psql --csv"
	"${psql[@]}" -c "drop table bench_copy_src, bench_copy_dst"
	tuskd_stop >/dev/null

	bench_section "COPY"
	bench_row "COPY FROM STDIN, 1M rows csv ($(($(wc -c <"$T/copy.csv") / 1048576)) MiB): tuskctl vs psql \\copy ($COPY_RUNS runs)" s \
		"$(stats "${in_ctl[@]}")" "psql \\copy" "$(stats "${in_psql[@]}")" "≤ 1.1×"
	bench_row "tuskctl peak RSS during that load" MiB "$(stats "${ctl_peak[@]}")"
	bench_row "tuskd peak RSS during that load" MiB "$(stats "${d_peak[@]}")"
	bench_row "tuskd CPU time (user + system) for that load" s "$(stats "${d_cpu_in[@]}")"
	bench_row "COPY TO STDOUT, 1M rows csv: tuskctl vs psql \\copy ($COPY_RUNS runs)" s \
		"$(stats "${out_ctl[@]}")" "psql \\copy" "$(stats "${out_psql[@]}")" "≤ 1.1×"
	bench_row "tuskd CPU time (user + system) for that COPY TO STDOUT" s "$(stats "${d_cpu_out[@]}")"
	bench_row "1M rows × 5 columns to CSV (runs as COPY): tuskctl vs psql --csv ($COPY_RUNS runs)" s \
		"$(stats "${csv_ctl[@]}")" "psql --csv" "$(stats "${csv_psql[@]}")" "≤ 0.8×"
	bench_row "1M rows × 5 columns to CSV: tuskctl vs COPY (…) TO STDOUT via psql" s \
		"$(stats "${csv_ctl[@]}")" "COPY TO STDOUT" "$(stats "${csv_copy[@]}")" "≤ 1.1×"
}

bench_copy
