# shellcheck shell=bash
# Helpers for tests/bench/*.sh (sourced by tests/bench/run).

# Microseconds since the epoch, without a fork.
now_us() {
	local t=${EPOCHREALTIME/./}
	echo "$t"
}

# median of the numbers given as arguments (integers or decimals).
median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "nan"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# mean of the arguments.
mean() {
	printf '%s\n' "$@" | awk '{ s += $1 } END { if (NR) print s / NR; else print "nan" }'
}

# fmt NUMBER [DECIMALS]
fmt() {
	LC_ALL=C printf "%.${2:-1}f" "$1"
}

# ratio A B → "A/B" to two decimals with an ×.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f×", a / b; else print "–" }'
}

# goal VALUE LIMIT → "✓" when VALUE <= LIMIT, else "✗".
goal() {
	awk -v v="$1" -v l="$2" 'BEGIN { print (v <= l) ? "✓" : "✗" }'
}

# A sleep of about 1 ms with no fork: read on a FIFO nobody writes.
_bench_fifo_open=0
nap() {
	if [[ $_bench_fifo_open -eq 0 ]]; then
		[[ -p $T/nap.fifo ]] || mkfifo "$T/nap.fifo"
		exec 9<>"$T/nap.fifo"
		_bench_fifo_open=1
	fi
	read -r -t 0.001 -u 9 _ || true
}

# time_command N CMD...: run CMD N times; prints the median and mean wall
# time in ms (space separated). Uses hyperfine when installed.
time_command() {
	local n=$1
	shift
	if command -v hyperfine >/dev/null; then
		local csv=$T/hyperfine.csv cmd
		printf -v cmd '%q ' "$@"
		hyperfine -N --style none --warmup 5 --runs "$n" --export-csv "$csv" "$cmd" >/dev/null 2>&1 ||
			hyperfine --style none --warmup 5 --runs "$n" --export-csv "$csv" "$cmd" >/dev/null
		# command,mean,stddev,median,user,system,min,max (seconds)
		awk -F, 'NR == 2 { printf "%.3f %.3f\n", $4 * 1000, $2 * 1000 }' "$csv"
	else
		local -a ts=()
		local i t0
		for ((i = 0; i < n; i++)); do
			t0=$(now_us)
			"$@" >/dev/null 2>&1
			ts+=("$(($(now_us) - t0))")
		done
		echo "$(median "${ts[@]}" | awk '{ printf "%.3f", $1 / 1000 }') $(mean "${ts[@]}" | awk '{ printf "%.3f", $1 / 1000 }')"
	fi
}

# ---------------------------------------------------------------------------
# The one table. Every bench adds rows with bench_row; tests/bench/run
# prints them all as one Markdown table at the end (bench_table).
#
#   bench_section TITLE
#       Rows added after it belong to TITLE (e.g. "Round trip").
#   bench_row MEASURE UNIT TUSK [ANCHOR_NAME ANCHOR [GOAL]]
#       MEASURE      what was measured, with its run count ("select 1, 1 client, 2000 runs")
#       UNIT         ms, s, MiB, MB, tps, … (both values are in it)
#       TUSK         a number, or "MEDIAN MIN MAX" as stats prints it
#       ANCHOR_NAME  the reference measured in the same run ("psql 15", "pgbench -c 1",
#                    "pgcli", "COPY TO STDOUT"); "" when there is none
#       ANCHOR       its number or "MEDIAN MIN MAX"; "" when there is none
#       GOAL         "" | "≤ 2×" or "≥ 0.5×" (on TUSK/ANCHOR) | "≤ 50" or "≥ 1000"
#                    (on TUSK, in UNIT); ASCII "<=", ">=", "x" work too
#   bench_table
#       Prints the table (sections in the order they were first used).
# The 1-minute load average is recorded with each row: this machine is shared.
# ---------------------------------------------------------------------------

BENCH_TABLE=${BENCH_TABLE:-${T:-/tmp}/bench-table.rows}
_bench_section=${_bench_section:-}

bench_section() {
	_bench_section=$1
}

# stats V... → "MEDIAN MIN MAX"
stats() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "nan nan nan"; exit }
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		print m, v[1], v[NR] }'
}

# time_runs N CMD... → "MEDIAN MIN MAX" of N whole-process wall times in ms
# (output discarded; hyperfine when installed).
time_runs() {
	local n=$1
	shift
	if command -v hyperfine >/dev/null; then
		local json=$T/hyperfine.json cmd
		printf -v cmd '%q ' "$@"
		hyperfine -N --style none --warmup 3 --runs "$n" --export-json "$json" "$cmd" >/dev/null 2>&1 ||
			hyperfine --style none --warmup 3 --runs "$n" --export-json "$json" "$cmd" >/dev/null
		python3 -c 'import json,sys,statistics as s
t = [x * 1000 for x in json.load(open(sys.argv[1]))["results"][0]["times"]]
print("%.3f %.3f %.3f" % (s.median(t), min(t), max(t)))' "$json"
	else
		local -a ts=()
		local i t0
		for ((i = 0; i < n; i++)); do
			t0=$(now_us)
			"$@" >/dev/null 2>&1
			ts+=("$(awk -v d="$(($(now_us) - t0))" 'BEGIN { print d / 1000 }')")
		done
		stats "${ts[@]}"
	fi
}

# load1 → the 1-minute load average
load1() {
	awk '{ print $1 }' /proc/loadavg
}

bench_row() {
	local measure=$1 unit=$2 tusk=$3 aname=${4:-} anchor=${5:-} goal=${6:-}
	[[ -n $tusk ]] || tusk=nan
	# fields separated by US (0x1f): a tab is whitespace to read and empty fields would merge
	printf '%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\n' "$_bench_section" "$measure" "$unit" "$tusk" \
		"$aname" "$anchor" "$goal" "$(load1)" >>"$BENCH_TABLE"
}

# _bench_cell "MEDIAN [MIN MAX]" UNIT → "12.3 ms (11.0–14.2)"
_bench_cell() {
	awk -v v="$1" -v u="$2" 'function f(x) {
		a = (x < 0) ? -x : x
		if (a >= 1000) return sprintf("%.0f", x)
		if (a >= 100) return sprintf("%.1f", x)
		if (a >= 1) return sprintf("%.2f", x)
		return sprintf("%.3f", x) }
	BEGIN {
		n = split(v, p, " ")
		if (n == 0 || p[1] == "" || p[1] == "nan") { print "–"; exit }
		s = f(p[1]) " " u
		if (n >= 3 && p[2] != p[3]) s = s " (" f(p[2]) "–" f(p[3]) ")"
		print s }'
}

bench_table() {
	[[ -s $BENCH_TABLE ]] || return 0
	echo
	echo '| section | measure | tusk (median, range) | anchor | anchor (median, range) | ratio | goal | met | load |'
	echo '| --- | --- | ---: | --- | ---: | ---: | ---: | :---: | ---: |'
	local sec measure unit tusk aname anchor g load last=""
	while IFS=$'\x1f' read -r sec measure unit tusk aname anchor g load; do
		local t=${tusk%% *} a=${anchor%% *} r="" met="" shown=$sec
		[[ $sec == "$last" ]] && shown=""
		last=$sec
		if [[ -n $a && $a != nan && $t != nan ]]; then
			r=$(awk -v x="$t" -v y="$a" 'BEGIN { if (y > 0) printf "%.2f×", x / y; else print "–" }')
		fi
		if [[ -n $g ]]; then
			met=$(awk -v g="$g" -v t="$t" -v a="$a" 'BEGIN {
				gsub(/<=/, "≤", g); gsub(/>=/, "≥", g)
				le = index(g, "≤") == 1
				rel = (g ~ /[×x]$/)
				lim = g; gsub(/[^0-9.]/, "", lim); lim += 0
				if (t == "nan" || t == "") { print "–"; exit }
				v = t + 0
				if (rel) { if (a == "" || a == "nan" || a + 0 <= 0) { print "–"; exit } v = t / a }
				ok = le ? (v <= lim) : (v >= lim)
				print ok ? "✓" : "✗" }')
			g=${g//<=/≤}
			g=${g//>=/≥}
			[[ $g == *x ]] && g="${g%x}×"
		fi
		echo "| $shown | $measure | $(_bench_cell "$tusk" "$unit") | $aname | $([[ -n $a ]] && _bench_cell "$anchor" "$unit") | $r | $g | $met | $load |"
	done <"$BENCH_TABLE"
}
