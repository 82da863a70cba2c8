# shellcheck shell=bash
# Foundation benchmarks: tuskd start-up time (exec → accepting, → first pong), idle RSS,
# and the `tuskctl ping` round trip next to psql and pg_isready.
# Sourced by tests/bench/run (PostgreSQL running, helpers loaded).

BENCH_RUNS=${BENCH_RUNS:-20}

# startup_times RUNS: start tuskd RUNS times on a new data dir and RUNS
# times on an existing one; a Python timer (started before the exec, no
# process of its own in the measured path) records exec → the socket
# accepts and exec → the first pong. Prints four lines of ms values:
# accept-existing, pong-existing, accept-new, pong-new.
startup_times() {
	tuskd_paths
	tuskd_env
	python3 - "$TUSKD" "$TUSKD_SOCKET" "$TUSKD_DATA" "$TUSKD_STATE" "$TUSKD_CACHE" "$1" \
		2>>"$TUSKD_STDERR" <<'EOPY'
import os, shutil, socket, subprocess, sys, time
tuskd, sock, data, state, cache, runs = sys.argv[1:7]
def once(fresh):
    if fresh:
        for d in (data, state, cache):
            shutil.rmtree(d, ignore_errors=True)
    t0 = time.perf_counter()
    p = subprocess.Popen([tuskd, "--socket", sock, "--data-dir", data],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    while True:
        s = socket.socket(socket.AF_UNIX)
        try:
            s.connect(sock)
            break
        except OSError:
            s.close()
            if p.poll() is not None:
                sys.exit("tuskd exited with %d" % p.returncode)
            time.sleep(0.0002)
    t1 = time.perf_counter()
    s.sendall(b'{"jsonrpc":"2.0","id":1,"method":"daemon.ping","params":{}}\n')
    s.makefile("rb").readline()
    t2 = time.perf_counter()
    s.close()
    p.terminate()
    if p.wait() != 0:
        sys.exit("tuskd exited non-zero")
    return (t1 - t0) * 1000, (t2 - t0) * 1000
once(True)  # page cache, first migration
res = {True: [], False: []}
for _ in range(int(runs)):
    res[True].append(once(True))
    res[False].append(once(False))
for fresh in (False, True):
    print(" ".join("%.3f" % r[0] for r in res[fresh]))
    print(" ".join("%.3f" % r[1] for r in res[fresh]))
EOPY
}

bench_foundation() {
	local i
	# shellcheck disable=SC2034 # read by tuskd_paths
	TUSKD_HOME=$T/bench-startup
	startup_times "$BENCH_RUNS" >"$T/startup.out" || fail "tuskd start-up bench failed (see $TUSKD_STDERR)"
	local acc_old pong_old acc_new pong_new
	{
		read -r acc_old
		read -r pong_old
		read -r acc_new
		read -r pong_new
	} <"$T/startup.out"
	# shellcheck disable=SC2034
	TUSKD_HOME=
	# Idle RSS: a daemon that has answered one ping and sat for a second.
	tuskd_new_home
	tuskd_start
	sleep 1
	local rss_mb pss_mb priv_mb
	rss_mb=$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$TUSKD_PID/status")
	# RSS counts every shared library page the daemon touched (libc,
	# libcrypto…), shared with every other process using them; PSS splits
	# those, private is the daemon's own.
	pss_mb=$(awk '/^Pss:/ { printf "%.1f", $2 / 1024 }' "/proc/$TUSKD_PID/smaps_rollup")
	priv_mb=$(awk '/^Private_(Clean|Dirty):/ { k += $2 } END { printf "%.1f", k / 1024 }' \
		"/proc/$TUSKD_PID/smaps_rollup")

	# Round trips: whole processes, as a user types them.
	local n=$((BENCH_RUNS * 5))
	local ping psql isready truth
	ping=$(time_runs "$n" "$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart ping)
	psql=$(time_runs "$n" "$PG_BINDIR/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres \
		-d postgres -c 'select 1')
	isready=$(time_runs "$n" "$PG_BINDIR/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT")
	truth=$(time_runs "$n" /bin/true)
	# The round trip tuskctl itself measures (socket write → reply).
	local -a inproc=()
	for ((i = 0; i < n; i++)); do
		inproc+=("$(tctl ping | sed -nE 's/.* in ([0-9.]+) ms$/\1/p')")
	done
	tuskd_stop

	bench_section "Daemon"
	# shellcheck disable=SC2086 # the lists are words
	{
		bench_row "tuskd start-up, existing data dir: exec → accepting on the socket ($BENCH_RUNS runs)" ms \
			"$(stats $acc_old)" "" "" "≤ 15"
		bench_row "tuskd start-up, existing data dir: exec → first pong" ms "$(stats $pong_old)"
		bench_row "tuskd start-up, new data dir (creates and migrates tusk.db): exec → first pong" ms \
			"$(stats $pong_new)"
		bench_row "tuskd start-up, new data dir: exec → accepting" ms "$(stats $acc_new)"
	}
	bench_row "tuskd idle RSS (VmRSS after start + 1 s)" MB "$rss_mb" "" "" "≤ 10"
	bench_row "tuskd idle PSS (shared pages split among their users)" MB "$pss_mb"
	bench_row "tuskd idle private memory (Private_Clean + Private_Dirty)" MB "$priv_mb"
	bench_row "daemon.ping round trip inside tuskctl ($n runs)" ms "$(stats "${inproc[@]}")"
	bench_row "\`tuskctl ping\` whole process vs \`psql -c 'select 1'\` ($n runs)" ms "$ping" \
		"psql 15" "$psql"
	bench_row "\`tuskctl ping\` whole process vs \`pg_isready\`" ms "$ping" "pg_isready" "$isready"
	bench_row "\`tuskctl ping\` whole process vs \`/bin/true\` (a process start)" ms "$ping" \
		"/bin/true" "$truth"
}

bench_foundation
