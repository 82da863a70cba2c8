# shellcheck shell=bash
# Output formatting: 1M rows × 5 columns aligned (psql's default table) to
# a file through tuskctl vs the psql 15 binary, whole-process wall time and
# peak memory, and whether the two files are the same bytes. Sourced by
# tests/bench/run.

bench_output() {
	local ci="host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres"
	local psql=("$PG_BINDIR/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres)
	local big="select g, g * 2 as double, md5(g::text) as hash, now() as ts, 'row ' || g as label from generate_series(1, 1000000) g"
	tuskd_new_home
	tuskd_start
	tctl -d "$ci" -c 'select 1' >/dev/null # the pool is warm from now on
	local -a t_ctl=() t_psql=() m_ctl=() m_psql=()
	local i r
	for ((i = 0; i < 5; i++)); do
		/usr/bin/time -f '%e %M' -o "$T/time.out" "$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart \
			-d "$ci" -c "$big" >"$T/aligned-tusk.txt" || fail "tuskctl aligned failed"
		r=$(cat "$T/time.out")
		t_ctl+=("${r% *}")
		m_ctl+=("$(awk -v k="${r#* }" 'BEGIN { print k / 1024 }')")
		/usr/bin/time -f '%e %M' -o "$T/time.out" "${psql[@]}" -c "$big" >"$T/aligned-psql.txt" ||
			fail "psql aligned failed"
		r=$(cat "$T/time.out")
		t_psql+=("${r% *}")
		m_psql+=("$(awk -v k="${r#* }" 'BEGIN { print k / 1024 }')")
	done
	tuskd_stop
	local same="differ"
	# now() differs between the two runs: compare without the ts column.
	if cmp -s <(cut -d'|' -f1-3,5 "$T/aligned-tusk.txt") <(cut -d'|' -f1-3,5 "$T/aligned-psql.txt"); then
		same="same bytes but the now() column"
	fi
	bench_section "Output"
	bench_row "1M rows × 5 columns aligned to a file: tuskctl vs psql (5 runs, whole process; files: $same)" s \
		"$(stats "${t_ctl[@]}")" "psql 15" "$(stats "${t_psql[@]}")" "≤ 1.0×"
	bench_row "peak RSS of the client for it" MiB "$(stats "${m_ctl[@]}")" "psql 15" "$(stats "${m_psql[@]}")"
}

bench_output
