# shellcheck shell=bash
# The interactive shell: start-up to the first prompt (tuskctl -d NAME vs
# psql vs pgcli, each in a real pty, to the moment its prompt is drawn) and
# Tab-completion latency in the shell on a 10,000-table catalog (the time
# from the Tab key to the first byte libedit draws back). A small Python
# pty driver does the timing. Sourced by tests/bench/run.

bench_shell() {
	command -v python3 >/dev/null || fail "python3 is needed to drive a pty"
	local db=tusk_bench_shell
	local psql=("$PG_BINDIR/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres)
	"${psql[@]}" -d postgres -c "drop database if exists $db" \
		-c "create database $db template template0" >/dev/null
	"${psql[@]}" -d "$db" >/dev/null <<'EOS'
do $$ begin
  for s in 1..10 loop
    execute format('create schema s%s', s);
    for t in 1..1000 loop
      execute format('create table s%s.t%s (id int primary key, a text, b int, c date,'
        ' d numeric(12,2), e boolean, f text, g bigint, h jsonb, i timestamptz)', s, t);
      if t % 100 = 0 then commit; end if;
    end loop;
  end loop;
end $$;
EOS
	tuskd_new_home
	tuskd_start
	tctl conn add bench "postgresql://postgres@127.0.0.1:$PG_PORT/$db" >/dev/null
	local runs=${BENCH_RUNS:-20}
	local pgcli_home=$T/pgcli-home
	mkdir -p "$pgcli_home"
	python3 - "$TUSKCTL" "$TUSKD_SOCKET" "$PG_BINDIR/psql" "$PG_PORT" "$db" "$runs" \
		"$pgcli_home" >"$T/shell-bench.out" <<'EOPY'
import os, pty, re, select, signal, shutil, statistics, sys, time
tuskctl, sock, psql, port, db, runs, pgcli_home = sys.argv[1:8]
runs = int(runs)

def read_until(fd, pattern, timeout=30.0):
    buf = b""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], 0.02)
        if not r:
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        buf += data
        if b"\x1b[6n" in data:  # prompt_toolkit asks where the cursor is
            os.write(fd, b"\x1b[1;1R")
        if re.search(pattern, buf):
            return buf
    raise SystemExit("timed out waiting for %r; got %r" % (pattern, buf[-300:]))

def spawn(argv, env):
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(argv[0], argv, env)
    return pid, fd

def stop(pid, fd):
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(fd)

def st(v):
    return "%.2f %.2f %.2f" % (statistics.median(v), min(v), max(v))

def startup(argv, pattern, env, n):
    times = []
    for _ in range(n):
        t0 = time.monotonic()
        pid, fd = spawn(argv, env)
        read_until(fd, pattern)
        times.append((time.monotonic() - t0) * 1000)
        stop(pid, fd)
    return st(times)

env = dict(os.environ, TERM="xterm", PAGER="cat")
tusk = [tuskctl, "--socket", sock, "--no-autostart", "-d", "bench"]
prompt = ("bench/%s=> " % db).encode()
startup(tusk, re.escape(prompt), env, 2)  # the pool and history warm
t_tusk = startup(tusk, re.escape(prompt), env, runs)
t_psql = startup([psql, "-X", "-h", "127.0.0.1", "-p", port, "-U", "postgres", db],
                 re.escape(("%s=# " % db).encode()), env, runs)
t_pgcli = "-1"
if shutil.which("pgcli"):
    penv = dict(env, HOME=pgcli_home, XDG_CONFIG_HOME=pgcli_home + "/.config")
    pg = ["pgcli", "--less-chatty", "-h", "127.0.0.1", "-p", port, "-U", "postgres", db]
    # prompt_toolkit draws the prompt and its toolbar in one frame, with
    # escapes between the words: wait for the toolbar.
    drawn = rb"Smart Completion"
    startup(pg, drawn, penv, 1)  # writes its config
    t_pgcli = startup(pg, drawn, penv, max(3, runs // 4))

# Completion latency: Tab to the first byte drawn back.
pid, fd = spawn(tusk, env)
read_until(fd, re.escape(prompt))
def tab_latency(line):
    os.write(fd, line.encode())
    read_until(fd, re.escape(line.encode()[-8:]))
    t0 = time.monotonic()
    os.write(fd, b"\t")
    r, _, _ = select.select([fd], [], [], 10)
    took = (time.monotonic() - t0) * 1000
    if r:
        os.read(fd, 65536)
    os.write(fd, b"\x15")  # Ctrl-U: clear the line
    time.sleep(0.02)
    while select.select([fd], [], [], 0.02)[0]:
        os.read(fd, 65536)
    return took
tab_latency("select * from s1.t1")  # the schema cache loads on the first one
qualified = [tab_latency("select * from s%d.t%d" % (1 + i % 10, 700 + i)) for i in range(runs * 2)]
unqualified = [tab_latency("select * from t%d" % (10 + i)) for i in range(runs * 2)]
column = [tab_latency("select * from s%d.t%d where " % (1 + i % 10, 500 + i) + "i") for i in range(runs * 2)]
stop(pid, fd)
for v in (t_tusk, t_psql, t_pgcli, st(qualified), st(unqualified), st(column)):
    print(v)
EOPY
	tuskd_stop
	"${psql[@]}" -d postgres -c "drop database $db" >/dev/null
	local tusk psql_ms pgcli q u c
	{
		read -r tusk
		read -r psql_ms
		read -r pgcli
		read -r q
		read -r u
		read -r c
	} <"$T/shell-bench.out"
	[[ $pgcli == -1 ]] && pgcli=""
	bench_section "Interactive shell (pty; 10,000 tables in 10 schemas)"
	bench_row "start-up to the first prompt, tuskctl vs psql ($runs runs; tuskd running, pool warm)" ms \
		"$tusk" "psql 15" "$psql_ms" "≤ 1×"
	bench_row "start-up to the first prompt, tuskctl vs pgcli" ms "$tusk" "pgcli" "$pgcli"
	bench_row "Tab after \`from sN.t7xx\` (qualified, one match; $((runs * 2)) runs)" ms "$q" "" "" "≤ 20"
	bench_row "Tab after \`from t1x\` (unqualified, 10+ matches over 10 schemas)" ms "$u" "" "" "≤ 20"
	bench_row "Tab after \`from sN.tM where i\` (a column of that table)" ms "$c" "" "" "≤ 20"
}

bench_shell
