#!/usr/bin/env bash
# COPY through the daemon, driven through tuskctl against the run's
# PostgreSQL: 1M rows in with `tuskctl -c "copy … from stdin csv" < FILE`
# and out with `copy … to stdout`, byte-compared with psql's \copy of the
# same data (csv, text and binary); a bad row reports the server's line
# (CONTEXT "COPY t, line N"); tuskctl killed or interrupted mid-COPY leaves
# no rows, a free backend and a daemon that goes on; tuskd's and
# tuskctl's memory stay flat during the load; a csv render of one SELECT
# runs as COPY and stays byte-identical to psql --csv (1M rows, and each
# SELECT of the fidelity corpus); the protocol's refusals.
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
# shellcheck source=tests/harness/rpc.sh
. "$(dirname "$0")/../harness/rpc.sh"
tusk_test_init
# Under ASan freed memory waits in a quarantine (256 MiB by default) and
# would count as growth: keep it small (harmless without ASan).
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8
pg_use_shared
unset PGTZ PGDATESTYLE PGOPTIONS PGSERVICE
export PGCLIENTENCODING=UTF8
export TUSK_VALIDATE_REPLIES=1
tuskd_start

DB="host=$PGHOST port=$PGPORT user=$PGUSER dbname=postgres"
N=${TUSK_COPY_ROWS:-1000000}
S=copy_t$$
FIDELITY_DIR=${TUSK_FIDELITY_DIR:-$TUSK_ROOT/tests/integration/fidelity}
drop_schema() { pg_psql -c "drop schema if exists $S cascade" >/dev/null 2>&1 || true; }
at_exit drop_schema

pg_psql -c "create schema $S;
create table $S.src (id int primary key, label text, amount numeric, at timestamptz, note text);
create table $S.dst (like $S.src);
create table $S.ref (like $S.src);
insert into $S.src select g, 'row ' || g,
  case when g % 7 = 0 then null else g * 0.25 end,
  timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second',
  case g % 6 when 0 then 'with,comma' when 1 then 'say \"hi\"' when 2 then E'tab\there'
             when 3 then E'two\nlines' when 4 then '' else 'ü😀 \\ back' end
from generate_series(1, $N) g;"
pg_psql -c "\\copy $S.src to '$T/src.csv' csv"
note "$(wc -c <"$T/src.csv") bytes of csv"

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
# peak_while PID: the highest VmRSS of PID (kB) sampled until it exits.
peak_while() {
	local pid=$1 peak=0 r
	while kill -0 "$pid" 2>/dev/null; do
		r=$(rss_kb "$pid")
		((r > peak)) && peak=$r
		sleep 0.05
	done
	echo "$peak"
}

# ---- COPY FROM STDIN: 1M rows ------------------------------------------------
d0=$(rss_kb "$TUSKD_PID")
tctl -d "$DB" -c "copy $S.dst from stdin csv" <"$T/src.csv" >"$T/in.out" 2>"$T/in.err" &
ctl_pid=$!
(
	peak=0
	while kill -0 "$ctl_pid" 2>/dev/null; do
		r=$(rss_kb "$TUSKD_PID")
		((r > peak)) && peak=$r
		sleep 0.05
	done
	echo "$peak" >"$T/tuskd.peak"
) &
sampler=$!
ctl_peak=$(peak_while "$ctl_pid")
rc=0
wait "$ctl_pid" || rc=$?
wait "$sampler"
assert_eq "$rc" 0 "copy from stdin of $N rows exits 0 ($(cat "$T/in.err"))"
assert_eq "$(cat "$T/in.out")" "COPY $N" "tuskctl prints the command tag as psql does"
d1=$(cat "$T/tuskd.peak")
note "tuskd RSS $d0 kB before, peak $d1 kB during; tuskctl peak $ctl_peak kB"
((d1 - d0 < 32768)) && pass "tuskd's memory stays flat during the load (+$((d1 - d0)) kB)" ||
	flunk "tuskd grew by $((d1 - d0)) kB loading $(wc -c <"$T/src.csv") bytes"
((ctl_peak < 32768)) && pass "tuskctl's memory stays flat ($ctl_peak kB peak)" ||
	flunk "tuskctl peaked at $ctl_peak kB"
pg_psql -c "\\copy $S.ref from '$T/src.csv' csv"
pg_psql -c "\\copy (select * from $S.dst order by id) to '$T/dst.csv' csv"
pg_psql -c "\\copy (select * from $S.ref order by id) to '$T/ref.csv' csv"
cmp -s "$T/dst.csv" "$T/ref.csv" && pass "the rows loaded equal psql \\copy's load, byte for byte" ||
	flunk "loaded rows differ: $(cmp "$T/dst.csv" "$T/ref.csv" 2>&1)"

# ---- COPY TO STDOUT ------------------------------------------------------------
for fmt in csv text binary; do
	opt="(format $fmt)"
	tctl -d "$DB" -c "copy (select * from $S.src order by id) to stdout $opt" >"$T/out.$fmt" 2>"$T/out.err" ||
		flunk "copy to stdout $fmt: $(cat "$T/out.err")"
	pg_psql -c "\\copy (select * from $S.src order by id) to '$T/psql.$fmt' $opt"
	cmp -s "$T/out.$fmt" "$T/psql.$fmt" &&
		pass "copy to stdout ($fmt, $(wc -c <"$T/out.$fmt") bytes) is byte-identical to psql \\copy" ||
		flunk "copy to stdout ($fmt) differs: $(cmp "$T/out.$fmt" "$T/psql.$fmt" 2>&1)"
done
run tctl -d "$DB" -c "copy (select 1) to stdout; select 2 as two"
assert_eq "$OUT" $'1\n two \n-----\n   2\n(1 row)' "COPY data, then the next statement's table"

# ---- binary in, and COPY data spelt otherwise ----------------------------------
pg_psql -c "truncate $S.ref"
run tctl -d "$DB" -c "copy $S.ref from stdin (format binary)" <"$T/psql.binary"
assert_eq "$OUT" "COPY $N" "binary copy from stdin loads every row (no \\. is looked for in it)"
pg_psql -c "\\copy (select * from $S.ref order by id) to '$T/bin-back.csv' csv"
cmp -s "$T/bin-back.csv" "$T/ref.csv" && pass "and they equal psql's" ||
	flunk "binary load differs: $(cmp "$T/bin-back.csv" "$T/ref.csv" 2>&1)"
# tuskd reads tuskctl's spelling of query.copy_data without a JSON tree
# (base64, or text with escapes and UTF-8); any other spelling (keys
# reordered, a surrogate pair, bad base64) goes the general way.
pg_psql -c "create table $S.raw (x text)"
out=$(/usr/bin/python3 - "$TUSKD_SOCKET" "$DB" "$S" <<'PY'
import base64, json, socket, sys
path, db, schema = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(60)
s.connect(path)
f = s.makefile("rb")
def send(obj):
    s.sendall(json.dumps(obj, separators=(",", ":")).encode() + b"\n")
send({"jsonrpc": "2.0", "id": 1, "method": "query.execute",
      "params": {"sql": f"copy {schema}.raw from stdin", "conninfo": db}})
qid = None
while qid is None:
    m = json.loads(f.readline())
    if m.get("method") == "query.copy_in":
        qid = m["params"]["query_id"]
    elif "id" in m:
        sys.exit("no copy_in: " + json.dumps(m))
b64 = lambda t: base64.b64encode(t.encode()).decode()
lines = [
    '{"jsonrpc":"2.0","method":"query.copy_data","params":{"query_id":"%s","base64":"%s"}}' % (qid, b64("fast\n")),
    '{"jsonrpc":"2.0","method":"query.copy_data","params":{"base64":"%s","query_id":"%s"}}' % (b64("reordered\n"), qid),
    '{"jsonrpc":"2.0","method":"query.copy_data","params":{"query_id":"%s","text":"text\\n"}}' % qid,
    '{"jsonrpc":"2.0","method":"query.copy_data","params":{"query_id":"%s","text":"esc\\"aped \\u00e9\\/ \u00fc\\n"}}' % qid,
    '{"jsonrpc":"2.0","method":"query.copy_data","params":{"query_id":"%s","text":"pair \\ud83d\\ude00\\n"}}' % qid,
    '{"jsonrpc":"2.0","method":"query.copy_data","params":{"query_id":"%s","base64":"@@@@"}}' % qid,
    '{"jsonrpc":"2.0","method":"query.copy_data","params":{"query_id":"no-such","base64":"%s"}}' % b64("lost\n"),
    '{"jsonrpc":"2.0","id":2,"method":"query.copy_data","params":{"query_id":"%s","base64":"@@@@"}}' % qid,
    '{"jsonrpc":"2.0","id":3,"method":"query.copy_data","params":{"query_id":"%s","base64":"%s"}}' % (qid, b64("with id\n")),
    '{"jsonrpc":"2.0","id":4,"method":"query.copy_end","params":{"query_id":"%s"}}' % qid,
]
s.sendall("\n".join(lines).encode() + b"\n")
got = {}
while len(got) < 4:
    m = json.loads(f.readline())
    if "id" in m:
        got[m["id"]] = m
print(got[2]["error"]["message"])
print(got[3]["result"]["bytes"])
print(got[1]["result"]["results"][0]["command_tag"] if "result" in got[1] else json.dumps(got[1]))
PY
)
assert_eq "$out" $'params.base64: not base64 (RFC 4648, padded)\n8\nCOPY 6' \
	"copy_data spelt otherwise goes the general way (bad base64 refused, the rest loaded)"
assert_eq "$(pg_psql -At -c "select string_agg(x, ',') from $S.raw")" 'fast,reordered,text,esc"aped é/ ü,pair 😀,with id' \
	"the rows in order, the ill-formed ones left out"

# ---- data beyond ASCII: tuskctl sends UTF-8 as text, other bytes as base64 ----
# Multi-byte characters fall across its 128 KiB chunks; LATIN1 is no UTF-8.
pg_psql -c "create table $S.u (x text); create table $S.uref (x text); create table $S.l (x text)"
/usr/bin/python3 -c '
import sys
rows = ["%06d %s" % (i, "äö€😀\"x"[i % 6] * (i % 7 + 1)) for i in range(40000)]
sys.stdout.buffer.write(("\n".join(rows) + "\n").encode())' >"$T/utf8.txt"
run tctl -d "$DB" -c "copy $S.u from stdin" <"$T/utf8.txt"
assert_eq "$OUT" "COPY 40000" "a $(wc -c <"$T/utf8.txt")-byte UTF-8 load through tuskctl"
pg_psql -c "\\copy $S.uref from '$T/utf8.txt'"
assert_eq "$(pg_psql -At -c "select count(*) from ((table $S.u except table $S.uref) union all (table $S.uref except table $S.u)) d")" 0 \
	"its rows equal psql \\copy's load of the same file"
printf 'caf\xe9\nna\xefve\n' | tctl -d "$DB" -c "copy $S.l from stdin (encoding 'latin1')" >/dev/null
assert_eq "$(pg_psql -At -c "select string_agg(x, ',' order by x) from $S.l")" "café,naïve" \
	"LATIN1 bytes (not UTF-8) reach PostgreSQL as they are"

# ---- a line "\." ends piped input, as in psql --------------------------------
pg_psql -c "create table $S.ea (x text); create table $S.eb (x text)"
ends() { pg_psql -At -c "select coalesce(string_agg(x, '|'), '') from $S.ea" -c "select coalesce(string_agg(x, '|'), '') from $S.eb"; }
printf '1\n2\n\\.\n3\n' | tctl -d "$DB" -c "copy $S.ea from stdin csv" >/dev/null
assert_eq "$(ends)" "1|2" "a piped line \\. ends the data (csv); the rest is not sent"
printf 'copy %s.ea from stdin;\ncopy %s.eb from stdin;\n' "$S" "$S" >"$T/two.sql"
printf 'a\r\n\\.\r\nb\nc\n\\.\nd\n' >"$T/two.data"
pg_psql -c "truncate $S.ea, $S.eb"
tctl -d "$DB" -c "$(cat "$T/two.sql")" <"$T/two.data" >/dev/null
mine=$(ends)
pg_psql -c "truncate $S.ea, $S.eb"
pg_psql -c "copy $S.ea from stdin" -c "copy $S.eb from stdin" <"$T/two.data" >/dev/null
assert_eq "$mine" "$(ends)" "tuskctl -c: two COPYs read one stdin split at \\. lines, as psql -c … -c … does"
assert_eq "$mine" $'a\nb|c' "(a, then b and c; d is never read)"
# A script's COPY … FROM stdin reads the script's next lines, as psql -f does
# (test-script-copy.sh loads pg_dump's format): here the second COPY is the
# first one's data.
pg_psql -c "truncate $S.ea, $S.eb"
tctl -d "$DB" -f "$T/two.sql" <"$T/two.data" >/dev/null
mine=$(ends)
pg_psql -c "truncate $S.ea, $S.eb"
pg_psql -f "$T/two.sql" <"$T/two.data" >/dev/null
assert_eq "$mine" "$(ends)" "tuskctl -f: the COPY data is the script's, as psql -f reads it"
assert_eq "$mine" "copy $S.eb from stdin;" "(the line after the COPY, up to the end of the file)"
# "\." straddling tuskctl's 128 KiB reads of a file.
/usr/bin/python3 -c '
import sys
s = (b"a" * 99 + b"\n") * 1310 + b"a" * 70 + b"\n"
assert len(s) == 128 * 1024 - 1
sys.stdout.buffer.write(s + b"\\.\nnot this\n")' >"$T/edge.txt"
pg_psql -c "truncate $S.ea"
run tctl -d "$DB" -c "copy $S.ea from stdin" <"$T/edge.txt"
assert_eq "$OUT" "COPY 1311" "a \\. across two reads still ends the data"
assert_eq "$(pg_psql -At -c "select count(*) from $S.ea where x not like 'a%'")" 0 "and nothing after it was sent"

# ---- a bad row ---------------------------------------------------------------
printf '1,a,1,2024-01-01,x\n2,b,2,2024-01-01,y\n3,c,oops,2024-01-01,z\n4,d,4,2024-01-01,w\n' >"$T/bad.csv"
run tctl -d "$DB" -c "copy $S.ref from stdin csv" <"$T/bad.csv"
assert_eq "$RC" 1 "a bad row fails the COPY (exit 1)"
assert_contains "$ERR" 'invalid input syntax for type numeric: "oops"' "with the server's message"
assert_contains "$ERR" "CONTEXT:  COPY ref, line 3, column amount" "and the line of the data"
head -n 2 "$T/src.csv" >"$T/dup.csv"
run tctl -d "$DB" -c "copy $S.src from stdin csv" <"$T/dup.csv"
assert_contains "$ERR" "duplicate key value" "a constraint error too"

# ---- killed and interrupted mid-COPY ------------------------------------------
pg_psql -c "truncate $S.ref"
copying() { pg_psql -At -c "select count(*) from pg_stat_activity where query like 'copy $S.ref from stdin%' and state = 'active'"; }
copy_running() { [[ $(copying) == 1 ]]; }
copy_gone() { [[ $(copying) == 0 ]]; }
for how in KILL INT; do
	{
		head -n 1000 "$T/src.csv"
		sleep 30
	} | exec "$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart -d "$DB" \
		-c "copy $S.ref from stdin csv" >/dev/null 2>"$T/kill.err" &
	pid=$!
	wait_until 20 copy_running || flunk "the COPY did not start"
	kill -"$how" "$pid" 2>/dev/null || true
	rc=0
	wait "$pid" || rc=$?
	if [[ $how == INT ]]; then
		assert_eq "$rc" 130 "Ctrl-C ends tuskctl with 130"
		assert_contains "$(cat "$T/kill.err")" "cancel" "and says the COPY was cancelled"
	fi
	wait_until 10 copy_gone && pass "SIG$how mid-COPY: the server's COPY ended" ||
		flunk "SIG$how: the COPY still runs on the server"
	assert_eq "$(pg_psql -At -c "select count(*) from $S.ref")" 0 "SIG$how: nothing of it was kept"
	pkill -P $$ sleep 2>/dev/null || true
done
assert_rc 0 "the daemon answers after both" tctl ping
run tctl -d "$DB" -c "copy $S.ref from stdin csv" <"$T/bad.csv"
assert_contains "$ERR" "line 3" "and the next COPY on the same pool works"

# ---- protocol refusals -------------------------------------------------------
out=$(rpc_call query.copy_data '{"query_id":"no-such","base64":"YQ=="}')
assert_contains "$out" '"no COPY of this client' "copy_data for an unknown query: invalid_input"
out=$(rpc_call query.copy_end '{"query_id":"no-such"}')
assert_contains "$out" '"code":-32' "copy_end for an unknown query is an error"

# ---- csv as COPY -------------------------------------------------------------
log=$(tuskd_log_file)
before=$(grep -c "rendered as COPY" "$log" || true)
SQL="select * from $S.src order by id"
tctl -d "$DB" query --format csv -c "$SQL" >"$T/render.csv"
pg_psql --csv -c "$SQL" >"$T/psql-render.csv"
cmp -s "$T/render.csv" "$T/psql-render.csv" &&
	pass "--format csv of $N rows is byte-identical to psql --csv" ||
	flunk "--format csv differs: $(cmp "$T/render.csv" "$T/psql-render.csv" 2>&1)"
after=$(grep -c "rendered as COPY" "$log" || true)
((after == before + 1)) && pass "and ran as COPY" || flunk "not run as COPY ($before → $after)"
run tctl -d "$DB" query --format csv -c "select 1/0 as x"
assert_contains "$ERR" "division by zero" "an error in the COPY path is the SELECT's error"
run tctl -d "$DB" query --format csv -c "selec 1"
assert_contains "$ERR" "at character 1" "a syntax error keeps its position"
tctl -d "$DB" query --format csv -c "select from $S.src limit 2" >"$T/zero.tusk"
pg_psql --csv -c "select from $S.src limit 2" >"$T/zero.psql"
cmp -s "$T/zero.tusk" "$T/zero.psql" && pass "zero columns (single-row mode) as psql prints them" ||
	flunk "zero columns differ: $(od -c "$T/zero.tusk" | head -3)"

# Each statement of the fidelity corpus on its own in one transaction (so
# SET and temporary types carry on), against psql -f of the whole file:
# every SELECT goes the COPY way.
before=$(grep -c "rendered as COPY" "$log" || true)
nsel=0
for f in "$FIDELITY_DIR"/*.sql; do
	name=$(basename "$f" .sql)
	ctx=fid$$$name
	"$PG_BINDIR/psql" -X -v ON_ERROR_STOP=1 -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres \
		--csv -f <(awk '/^begin;/ {exit} {print}' "$f") >"$T/$name.want" 2>/dev/null
	tctl -d "$DB" query --session "$ctx" -c "begin" >/dev/null
	: >"$T/$name.got"
	stmt=
	while IFS= read -r line; do
		[[ -z $stmt && ( -z $line || $line == --* ) ]] && continue
		[[ $line == "begin;" ]] && break
		stmt+="$line"$'\n'
		if [[ $line == *';' ]]; then
			[[ ${stmt,,} == select* ]] && nsel=$((nsel + 1))
			tctl -d "$DB" query --session "$ctx" --format csv -c "$stmt" >>"$T/$name.got" 2>>"$T/$name.err"
			stmt=
		fi
	done <"$f"
	tctl -d "$DB" query --session "$ctx" -c "rollback" >/dev/null
	cmp -s "$T/$name.want" "$T/$name.got" &&
		pass "$name: each SELECT as COPY is byte-identical to psql --csv" ||
		flunk "$name differs" "$(diff "$T/$name.want" "$T/$name.got" | head -20 | cat -A)"
done
after=$(grep -c "rendered as COPY" "$log" || true)
note "$nsel SELECT statements, $((after - before)) ran as COPY"
((after - before >= nsel * 9 / 10)) && pass "the corpus's SELECTs ran as COPY" ||
	flunk "only $((after - before)) of $nsel SELECTs ran as COPY"

tuskd_stop
