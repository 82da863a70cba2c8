# shellcheck shell=bash
# Foundation benchmarks: tuskd start-up time (exec → first pong), idle RSS,
# and the `tuskctl ping` round trip next to psql and pg_isready.
# Sourced by tests/bench/run (PostgreSQL running, helpers loaded).

BENCH_RUNS=${BENCH_RUNS:-20}

# startup_once FRESH(0/1): start tuskd, spin (no forks) until the socket
# exists, ping until a pong arrives; prints the ms from exec to the pong.
# Leaves the daemon stopped.
startup_once() {
	local fresh=$1
	tuskd_paths
	if [[ $fresh -eq 1 ]]; then
		rm -rf "$TUSKD_DATA" "$TUSKD_STATE" "$TUSKD_CACHE"
	fi
	tuskd_env
	local t0 t1
	t0=$(now_us)
	"$TUSKD" --socket "$TUSKD_SOCKET" --data-dir "$TUSKD_DATA" </dev/null >>"$TUSKD_STDERR" 2>&1 &
	local pid=$!
	until [[ -S $TUSKD_SOCKET ]]; do
		nap
	done
	until "$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart ping >/dev/null 2>&1; do
		nap
	done
	t1=$(now_us)
	kill -TERM "$pid"
	wait "$pid" || fail "tuskd exited non-zero (see $TUSKD_STDERR)"
	awk -v d="$((t1 - t0))" 'BEGIN { printf "%.2f", d / 1000 }'
}

bench_foundation() {
	local i
	local -a warm=() fresh=()
	# shellcheck disable=SC2034 # read by tuskd_paths
	TUSKD_HOME=$T/bench-startup
	startup_once 1 >/dev/null # page cache, first migration
	for ((i = 0; i < BENCH_RUNS; i++)); do
		fresh+=("$(startup_once 1)")
		warm+=("$(startup_once 0)")
	done
	local warm_med fresh_med
	warm_med=$(median "${warm[@]}")
	fresh_med=$(median "${fresh[@]}")

	# Idle RSS: a daemon that has answered one ping and sat for a second.
	tuskd_new_home
	tuskd_start
	sleep 1
	local rss_kb rss_mb
	rss_kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$TUSKD_PID/status")
	rss_mb=$(awk -v k="$rss_kb" 'BEGIN { printf "%.1f", k / 1024 }')
	# RSS counts every shared library page the daemon touched (libc,
	# libcrypto, GLib for the keyring…), shared with every other process
	# using them; PSS splits those, private is the daemon's own.
	local pss_mb priv_mb
	pss_mb=$(awk '/^Pss:/ { printf "%.1f", $2 / 1024 }' "/proc/$TUSKD_PID/smaps_rollup")
	priv_mb=$(awk '/^Private_(Clean|Dirty):/ { k += $2 } END { printf "%.1f", k / 1024 }' \
		"/proc/$TUSKD_PID/smaps_rollup")

	# Round trips: whole processes, as a user types them.
	local n=$((BENCH_RUNS * 5))
	local ping psql isready
	ping=$(time_command "$n" "$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart ping)
	psql=$(time_command "$n" "$PG_BINDIR/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres \
		-d postgres -c 'select 1')
	isready=$(time_command "$n" "$PG_BINDIR/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT")
	# The round trip tuskctl itself measures (socket write → reply).
	local -a inproc=()
	for ((i = 0; i < n; i++)); do
		inproc+=("$(tctl ping | sed -nE 's/.* in ([0-9.]+) ms$/\1/p')")
	done
	local inproc_med
	inproc_med=$(median "${inproc[@]}")
	tuskd_stop

	local ping_med=${ping% *} ping_mean=${ping#* }
	local psql_med=${psql% *} psql_mean=${psql#* }
	local isready_med=${isready% *} isready_mean=${isready#* }

	cat <<EOT

## Foundation: daemon start-up, idle memory, ping

| measure | median | goal | |
| --- | ---: | ---: | :---: |
| tuskd start-up, existing data dir (exec → first pong, $BENCH_RUNS runs) | $(fmt "$warm_med") ms | ≤ 50 ms | $(goal "$warm_med" 50) |
| tuskd start-up, new data dir (creates and migrates tusk.db) | $(fmt "$fresh_med") ms | ≤ 50 ms | $(goal "$fresh_med" 50) |
| tuskd idle RSS (VmRSS after start + 1 s) | $rss_mb MB | ≤ 10 MB | $(goal "$rss_mb" 10) |
| tuskd idle PSS (shared pages split among their users) | $pss_mb MB | | |
| tuskd idle private memory (Private_Clean + Private_Dirty) | $priv_mb MB | | |
| daemon.ping round trip inside tuskctl ($n runs) | $(fmt "$inproc_med" 3) ms | | |

| command ($n runs$(command -v hyperfine >/dev/null && echo ', hyperfine')) | median | mean | median vs tuskctl ping |
| --- | ---: | ---: | ---: |
| \`tuskctl ping\` | $(fmt "$ping_med" 2) ms | $(fmt "$ping_mean" 2) ms | 1.00× |
| \`psql -c 'select 1'\` (PostgreSQL 15 binary, TCP) | $(fmt "$psql_med" 2) ms | $(fmt "$psql_mean" 2) ms | $(ratio "$psql_med" "$ping_med") |
| \`pg_isready\` (TCP) | $(fmt "$isready_med" 2) ms | $(fmt "$isready_mean" 2) ms | $(ratio "$isready_med" "$ping_med") |
EOT
}

bench_foundation
