# shellcheck shell=bash
# Schema cache benchmarks on a large catalog (10 schemas, 10,000 tables,
# 100,000 columns, 2,000 indexes): cold load next to pgcli's completion
# refresh and the bulk column query alone through psql, warm schema.get of
# the whole tree to a client, schema.complete, and the daemon's RSS for the
# cache. A small Python client times the calls over
# one socket (tuskctl's start-up would dominate). Sourced by tests/bench/run.

bench_schema() {
	command -v python3 >/dev/null || fail "python3 is needed to time schema calls"
	local db=tusk_bench_schema
	local psql=("$PG_BINDIR/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres)
	"${psql[@]}" -d postgres -c "drop database if exists $db" -c "create database $db template template0" >/dev/null
	local t0 t1
	t0=$(now_us)
	"${psql[@]}" -d "$db" >/dev/null <<'EOS'
do $$ begin
  for s in 1..10 loop
    execute format('create schema s%s', s);
    for t in 1..1000 loop
      execute format('create table s%s.t%s (id int primary key, a text, b int, c date,'
        ' d numeric(12,2), e boolean, f text not null default ''x'', g bigint, h jsonb, i timestamptz)', s, t);
      if t % 5 = 0 then execute format('create index on s%s.t%s (b)', s, t); end if;
      -- one transaction would run out of lock slots
      if t % 100 = 0 then commit; end if;
    end loop;
  end loop;
end $$;
EOS
	t1=$(now_us)
	local fixture_s
	fixture_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e6 }')

	# The bulk column query alone, as tuskd sends it (schema-catalog.c).
	local colsql="select a.attrelid, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod),
 a.attnotnull, pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), a.attidentity, a.attgenerated,
 coalesce(a.attnum = any(pk.conkey), false), d.description
 from pg_catalog.pg_attribute a join pg_catalog.pg_class c on c.oid = a.attrelid
 join pg_catalog.pg_namespace n on n.oid = c.relnamespace
 left join pg_catalog.pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
 left join pg_catalog.pg_constraint pk on pk.conrelid = a.attrelid and pk.contype = 'p'
 left join pg_catalog.pg_description d on d.objoid = a.attrelid
  and d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass and d.objsubid = a.attnum
 where a.attnum > 0 and not a.attisdropped and c.relkind in ('r', 'p', 'v', 'm', 'f')
 and n.nspname !~ '^pg_(toast|temp_)' order by a.attrelid, a.attnum"
	local -a psql_s=()
	local i
	for ((i = 0; i < 5; i++)); do
		t0=$(now_us)
		"${psql[@]}" -d "$db" -At -c "$colsql" >/dev/null
		t1=$(now_us)
		psql_s+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { print (b - a) / 1e6 }')")
	done

	# pgcli's completion refresh on the same database: its own refresher
	# (every kind it completes), run synchronously, 5 runs.
	local pgcli_s=""
	if /usr/bin/python3 -c 'import pgcli' 2>/dev/null; then
		pgcli_s=$(/usr/bin/python3 - "$PG_PORT" "$db" <<'EOPY'
import statistics, sys, time
from pgcli.completion_refresher import CompletionRefresher
from pgcli.pgexecute import PGExecute
from pgspecial.main import PGSpecial
port, db = sys.argv[1:3]
ex = PGExecute(database=db, user="postgres", password=None, host="127.0.0.1", port=int(port), dsn=None)
got = []
times = []
for _ in range(5):
    t = time.perf_counter()
    CompletionRefresher()._bg_refresh(ex, PGSpecial(), [got.append], None, {})
    times.append(time.perf_counter() - t)
assert len(got) == 5 and got[-1].dbmetadata["tables"], "pgcli completed nothing"
print(" ".join("%.4f" % t for t in times))
EOPY
		)
	fi

	tuskd_new_home
	tuskd_start
	local ci="host=127.0.0.1 port=$PG_PORT user=postgres dbname=$db"
	python3 - "$TUSKD_SOCKET" "$ci" "$TUSKD_PID" >"$T/schema-bench.out" <<'EOPY'
import json, re, socket, statistics, sys, time
path, ci, pid = sys.argv[1], sys.argv[2], sys.argv[3]
s = socket.socket(socket.AF_UNIX)
s.connect(path)
f = s.makefile("rb")
n = 0
def call(method, params):
    """The raw reply line (no notifications arrive: nothing is subscribed)."""
    global n
    n += 1
    s.sendall((json.dumps({"jsonrpc": "2.0", "id": n, "method": method, "params": params}) + "\n").encode())
    line = f.readline()
    if not line:
        sys.exit("tuskd went away")
    if b'"error"' in line[:80]:
        sys.exit("%s: %s" % (method, line[:500]))
    return line
def rss():
    for l in open("/proc/%s/status" % pid):
        if l.startswith("VmRSS:"):
            return int(l.split()[1])
cid = json.loads(call("connection.open", {"conninfo": ci}))["result"]["connection_id"]
def hwm():
    for l in open("/proc/%s/status" % pid):
        if l.startswith("VmHWM:"):
            return int(l.split()[1])
def whole():
    """Every page of the default tree: (raw lines, total bytes)."""
    lines, size, params = [], 0, {"connection_id": cid}
    while True:
        line = call("schema.get", params)
        lines.append(line)
        size += len(line)
        # next_offset follows the schemas: find it without parsing 4 MiB
        at = line.rfind(b'"next_offset":')
        if at < 0:
            return lines, size
        params = {"connection_id": cid, "offset": int(re.match(rb'"next_offset":(\d+)', line[at:]).group(1))}
rss0 = rss()
t = time.perf_counter()
lines, size = whole()
cold = time.perf_counter() - t
pages = [json.loads(l)["result"] for l in lines]
res = pages[0]
rels = [x for p in pages for sc in p["schemas"] for x in sc.get("relations", [])]
tables = len(rels)
cols = sum(len(x["columns"]) for x in rels)
idx = sum(len(x["indexes"]) for x in rels)
time.sleep(0.5)
rss1 = rss()
peak = hwm()
warm = []
for _ in range(10):
    t = time.perf_counter()
    whole()
    warm.append(time.perf_counter() - t)
one = []
for _ in range(20):
    t = time.perf_counter()
    call("schema.get", {"connection_id": cid, "schema": "s3"})
    one.append(time.perf_counter() - t)
comp = []
for i in range(200):
    t = time.perf_counter()
    r = call("schema.complete", {"connection_id": cid, "prefix": "t%d" % (i % 100 + 1),
                                    "context": "select * from s%d.t%d x where x." % (i % 10 + 1, i + 1)})
    comp.append(time.perf_counter() - t)
    assert json.loads(r)["result"]["candidates"], "no candidates"
def ms(v):
    return " ".join("%.3f" % (x * 1000) for x in (statistics.median(v), min(v), max(v)))
print(cold, res["load_ms"], size, rss0, rss1, peak, tables, cols, idx, len(lines))
print(ms(warm))
print(ms(one))
print(ms(comp))
EOPY
	tuskd_stop
	"${psql[@]}" -d postgres -c "drop database $db" >/dev/null

	local cold load size rss0 rss1 peak tables cols idx npages warm one comp
	{
		read -r cold load size rss0 rss1 peak tables cols idx npages
		read -r warm
		read -r one
		read -r comp
	} <"$T/schema-bench.out"
	local pgcli_stats=""
	# shellcheck disable=SC2086 # a list of numbers
	[[ -n $pgcli_s ]] && pgcli_stats=$(stats $pgcli_s)

	bench_section "Schema cache ($tables relations, $cols columns, $idx indexes)"
	bench_row "cold load to a client: schema.get on a fresh pool, all $npages pages vs pgcli's completion refresh (5 runs)" s \
		"$cold" "pgcli $(/usr/bin/python3 -c 'import pgcli; print(pgcli.__version__)' 2>/dev/null)" "$pgcli_stats" "≤ 0.35×"
	bench_row "cold load vs the bulk column query alone via psql 15 (5 runs)" s "$cold" "psql 15" \
		"$(stats "${psql_s[@]}")"
	bench_row "of which the catalog load in tuskd (load_ms)" s "$(awk -v v="$load" 'BEGIN { print v / 1000 }')"
	bench_row "warm schema.get, whole tree ($(awk -v b="$size" 'BEGIN { printf "%.1f", b / 1048576 }') MiB of JSON in $npages pages, 10 runs)" ms "$warm" "" "" "≤ 25"
	bench_row "warm schema.get, one schema of 1,000 tables (20 runs)" ms "$one"
	bench_row "schema.complete with a context, round trip (200 runs)" ms "$comp" "" "" "≤ 1"
	bench_row "tuskd RSS for the cache (after load − before)" MiB \
		"$(awk -v a="$rss0" -v b="$rss1" 'BEGIN { print (b - a) / 1024 }')" "" "" "≤ 32"
	bench_row "tuskd peak RSS during the load (VmHWM − RSS before)" MiB \
		"$(awk -v a="$rss0" -v b="$peak" 'BEGIN { print (b - a) / 1024 }')"
	echo "schema fixture built in ${fixture_s} s" >&2
}

bench_schema
