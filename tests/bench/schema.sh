# shellcheck shell=bash
# Schema cache benchmarks on a large catalog (10 schemas, 10,000 tables,
# 100,000 columns, 2,000 indexes): cold load next to the bulk column query
# alone through psql, warm schema.get to a client, schema.complete, and the
# daemon's RSS for the cache. A small Python client times the calls over
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

	tuskd_new_home
	tuskd_start
	local ci="host=127.0.0.1 port=$PG_PORT user=postgres dbname=$db"
	python3 - "$TUSKD_SOCKET" "$ci" "$TUSKD_PID" >"$T/schema-bench.out" <<'EOPY'
import json, socket, statistics, sys, time
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
rss0 = rss()
t = time.perf_counter()
line = call("schema.get", {"connection_id": cid})
cold = time.perf_counter() - t
size = len(line)
res = json.loads(line)["result"]
tables = sum(len([x for x in sc.get("relations", [])]) for sc in res["schemas"])
cols = sum(len(x["columns"]) for sc in res["schemas"] for x in sc.get("relations", []))
idx = sum(len(x["indexes"]) for sc in res["schemas"] for x in sc.get("relations", []))
rss1 = rss()
warm = []
for _ in range(10):
    t = time.perf_counter()
    call("schema.get", {"connection_id": cid})
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
print(cold, res["load_ms"], statistics.median(warm), size, statistics.median(one),
      statistics.median(comp), rss0, rss1, tables, cols, idx)
EOPY
	tuskd_stop
	"${psql[@]}" -d postgres -c "drop database $db" >/dev/null

	local cold load warm size one comp rss0 rss1 tables cols idx
	read -r cold load warm size one comp rss0 rss1 tables cols idx <"$T/schema-bench.out"
	local psql_med cold_s warm_ms one_ms comp_ms
	psql_med=$(median "${psql_s[@]}")
	cold_s=$(awk -v v="$cold" 'BEGIN { print v }')
	warm_ms=$(awk -v v="$warm" 'BEGIN { print v * 1000 }')
	one_ms=$(awk -v v="$one" 'BEGIN { print v * 1000 }')
	comp_ms=$(awk -v v="$comp" 'BEGIN { print v * 1000 }')

	cat <<EOT

## Schema cache ($tables relations in user schemas, $cols columns, $idx indexes; fixture built in ${fixture_s} s)

| measure | tusk | reference | ratio | goal | |
| --- | ---: | ---: | ---: | ---: | :---: |
| cold load: schema.get on a fresh pool (every kind, JSON to the client) vs the bulk column query alone via psql (5 runs, median) | $(fmt "$cold_s" 2) s | $(fmt "$psql_med" 2) s | $(ratio "$cold_s" "$psql_med") | ≤ 1.5 s | $(goal "$cold_s" 1.5) |
| of which the catalog load in tuskd (load_ms) | $(fmt "$(awk -v v="$load" 'BEGIN { print v / 1000 }')" 2) s | | | | |
| warm schema.get, whole tree ($(awk -v b="$size" 'BEGIN { printf "%.1f", b / 1048576 }') MiB of JSON) to a client (10 runs, median) | $(fmt "$warm_ms" 1) ms | | | ≤ 50 ms | $(goal "$warm_ms" 50) |
| warm schema.get, one schema of 1,000 tables (20 runs, median) | $(fmt "$one_ms" 1) ms | | | | |
| schema.complete with a context (200 runs, median, round trip) | $(fmt "$comp_ms" 2) ms | | | ≤ 5 ms | $(goal "$comp_ms" 5) |
| tuskd RSS for the cache (after load − before) | $(awk -v a="$rss0" -v b="$rss1" 'BEGIN { printf "%.1f", (b - a) / 1024 }') MiB | | | | |
EOT
}

bench_schema
