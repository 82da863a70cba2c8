#!/usr/bin/env bash
# scripts/check-no-globals catches what it must: a file-level mutable
# static and a function-local one fail it; const tables (plain and with
# pointers, as the libraries' name tables) pass. Usage: test-no-globals.sh CC
set -euo pipefail
cc=${1:-cc}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

build() { # NAME SOURCE: an archive of one object NAME.c.o, PIC like the libraries
	printf '%s\n' "$2" >"$dir/$1.c"
	"$cc" -fPIC -O2 -c "$dir/$1.c" -o "$dir/$1.c.o"
	ar rcs "$dir/lib$1.a" "$dir/$1.c.o"
}

build consts 'static const char *const names[] = {"a", "b"};
static const int sizes[] = {1, 2, 3};
const char *name_of(int i) { return names[i & 1]; }
int size_of(int i) { return sizes[i % 3]; }'
build filestatic 'static int calls;
int bump(void) { return ++calls; }'
build localstatic 'int first(void) { static int seen = 7; return seen++; }'

"$root/scripts/check-no-globals" "$dir/libconsts.a"
for lib in filestatic localstatic; do
	if "$root/scripts/check-no-globals" "$dir/lib$lib.a" 2>"$dir/err"; then
		echo "FAIL: check-no-globals passed lib$lib.a" >&2
		exit 1
	fi
	grep -q "process-wide mutable state" "$dir/err"
done
echo "check-no-globals: const tables pass; file-level and function-local statics fail"
