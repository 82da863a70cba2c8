#!/usr/bin/env bash
# tusk is a thin client: it links GTK 4, libadwaita and GtkSourceView, and
# never libpq, SQLite, libsecret or libssh2 (those stay in tuskd).
set -euo pipefail
bin=${TUSK_GTK:?TUSK_GTK names the tusk binary}
needed=$(readelf -d "$bin" | awk '/NEEDED/ { gsub(/[][]/, "", $NF); print $NF }')
echo "$needed" | sed 's/^/# NEEDED /'
rc=0
for lib in libpq libsqlite3 libsecret-1 libssh2 libevent; do
	if grep -q "^$lib\.so" <<<"$needed"; then
		echo "not ok - tusk links $lib"
		rc=1
	fi
done
for lib in libgtk-4 libadwaita-1 libgtksourceview-5; do
	if ! grep -q "^$lib\.so" <<<"$needed"; then
		echo "not ok - tusk does not link $lib"
		rc=1
	fi
done
# What the dynamic loader really maps, transitively.
if ldd "$bin" | grep -E 'lib(pq|sqlite3|secret-1|ssh2)\.so'; then
	echo "not ok - a forbidden library is loaded transitively"
	rc=1
fi
[[ $rc -eq 0 ]] && echo "ok - tusk links only GUI and Tusk libraries"
"$bin" --version | grep -q '^tusk ' || {
	echo "not ok - tusk --version"
	rc=1
}
exit $rc
