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
