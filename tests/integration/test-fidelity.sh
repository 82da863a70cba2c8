#!/usr/bin/env bash
# Values reach the user unaltered: for every file of the fidelity corpus
# (tests/integration/fidelity/*.sql) `tuskctl query --format F -f FILE`
# through a real tuskd prints exactly, byte for byte, what psql 15 prints
# for the same file:
#   csv      psql -X -v ON_ERROR_STOP=1 --csv -f FILE
#   tsv      psql -X -v ON_ERROR_STOP=1 -A -F '<TAB>' -P footer=off -f FILE
#   aligned  psql -X -v ON_ERROR_STOP=1 -f FILE
# -X: no ~/.psqlrc; no -q: psql's command tags ("INSERT 0 1", "SET") are part
# of what a user gets and tuskctl prints them too. Both run with
# PGCLIENTENCODING=UTF8 and no PGTZ/PGDATESTYLE/PGOPTIONS, so the session
# settings are the server's defaults plus what the file SETs.
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
tusk_test_init

FIDELITY_DIR=${TUSK_FIDELITY_DIR:-$TUSK_ROOT/tests/integration/fidelity}
PSQL=${TUSK_TEST_PSQL:-/usr/bin/psql}

pg_use_shared
unset PGTZ PGDATESTYLE PGOPTIONS PGSERVICE
export PGCLIENTENCODING=UTF8
conninfo="host=$PGHOST port=$PGPORT user=$PGUSER dbname=postgres"

tuskd_start

shopt -s nullglob
files=("$FIDELITY_DIR"/*.sql)
[[ ${#files[@]} -gt 0 ]] || fail "no corpus files in $FIDELITY_DIR"

# compare FORMAT FILE PSQL-FLAGS...
compare() {
	local fmt=$1 file=$2 name
	shift 2
	name=$(basename "$file" .sql)
	local want=$T/$name.$fmt.psql got=$T/$name.$fmt.tusk
	if ! "$PSQL" -X -v ON_ERROR_STOP=1 -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres \
		"$@" -f "$file" >"$want" 2>"$want.err"; then
		flunk "psql runs $name ($fmt)" "$(cat "$want.err")"
		return 0
	fi
	if ! tctl query -d "$conninfo" --format "$fmt" -f "$file" >"$got" 2>"$got.err"; then
		flunk "tuskctl query --format $fmt -f $name.sql" "$(cat "$got.err")"
		return 0
	fi
	if cmp -s "$want" "$got"; then
		pass "$name: tuskctl --format $fmt is byte-identical to psql ($(wc -c <"$want") bytes)"
	else
		local -a lines
		mapfile -t lines < <(diff -u --label psql --label tuskctl "$want" "$got" | head -n 40 | cat -A)
		flunk "$name: tuskctl --format $fmt is byte-identical to psql" \
			"$(cmp "$want" "$got" 2>&1 || true)" "${lines[@]}"
	fi
}

for f in "${files[@]}"; do
	compare csv "$f" --csv
done
for f in "${files[@]}"; do
	compare tsv "$f" -A -F $'\t' -P footer=off
	compare aligned "$f"
done

# The same file twice in a row through the daemon's warm pool: the corpus
# cleans up after itself, and a reused backend prints the same bytes.
compare csv "${files[0]}" --csv

tuskd_stop
