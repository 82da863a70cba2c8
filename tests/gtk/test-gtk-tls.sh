#!/usr/bin/env bash
# The connection dialog's TLS page end to end, driven through the window's
# accessibility tree (drive-tls.py) under Xvfb with an unlocked
# gnome-keyring, against a real tuskd and a PostgreSQL of its own with
# ssl=on (certificates made here with the openssl CLI): sslmode
# verify-full with the CA file, Test connected, saved, opened from the
# sidebar, a query saying ssl = t; a role that logs in only by client
# certificate (hostssl … cert) through the client certificate and key
# fields; an encrypted client key with its passphrase typed on the TLS
# page (to the keyring, never in tusk.db, a log or argv); and the errors a
# user sees for a CA that did not sign the server's certificate, a host
# name the certificate does not name, a missing file and a directory.
# Needs root (the server's key owned by postgres). Screenshots go to
# $TUSK_BUILD_DIR/gtk-shots/tls.
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
keyring_reexec "$@"
tusk_test_init

# shellcheck source=tests/gtk/gtk-lib.sh
. "$TUSK_HARNESS_DIR/../gtk/gtk-lib.sh"
gtk_suite_begin tls drive-tls.py

[[ $(id -u) == 0 ]] || fail "needs root (the server's key owned by postgres)"

# Certificates: a CA that signs the server's certificate (for the name
# localhost only: 127.0.0.1 is not in it) and the client certificates, and
# another CA that signed nothing of this server's.
C=$T/certs
mkdir -p "$C"
phrase="key-phrase-$RANDOM-$RANDOM"
ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 "$@" 2>/dev/null; }
ca() { # ca NAME CN
	ec -out "$C/$1.key"
	openssl req -x509 -new -key "$C/$1.key" -out "$C/$1.crt" -days 30 -subj "/CN=$2" \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=keyCertSign,cRLSign 2>/dev/null
}
signed() { # signed NAME CN EXT [KEY-PASS]: NAME.crt signed by ca, NAME.key
	if [[ -n ${4:-} ]]; then
		ec -aes256 -pass "pass:$4" -out "$C/$1.key"
	else
		ec -out "$C/$1.key"
	fi
	openssl req -new -key "$C/$1.key" ${4:+-passin "pass:$4"} -subj "/CN=$2" -out "$C/$1.csr" 2>/dev/null
	printf '%s\n' "$3" >"$C/$1.ext"
	openssl x509 -req -in "$C/$1.csr" -CA "$C/ca.crt" -CAkey "$C/ca.key" -CAcreateserial \
		-days 30 -extfile "$C/$1.ext" -out "$C/$1.crt" 2>/dev/null
	chmod 600 "$C/$1.key"
}
ca ca "Tusk GTK TLS CA"
ca otherca "Another CA"
signed server localhost "subjectAltName=DNS:localhost
extendedKeyUsage=serverAuth"
signed client certuser "extendedKeyUsage=clientAuth"
signed clientenc certuser "extendedKeyUsage=clientAuth" "$phrase"
grep -q ENCRYPTED "$C/clientenc.key" || fail "the client key is not encrypted"
mkdir "$C/a-directory.crt"
cp "$C/client.key" "$C/client-open.key"
chmod 644 "$C/client-open.key"

pg_start "$T/pg"
cp "$C/server.crt" "$C/server.key" "$C/ca.crt" "$PG_DATA/"
chown postgres: "$PG_DATA/server.crt" "$PG_DATA/server.key" "$PG_DATA/ca.crt"
chmod 600 "$PG_DATA/server.key"
pg_conf "ssl=on" "ssl_cert_file='server.crt'" "ssl_key_file='server.key'" "ssl_ca_file='ca.crt'"
pg_reload
pg_psql -c "create role certuser login"
pg_hba_add "hostssl all certuser 127.0.0.1/32 cert" "host all certuser 127.0.0.1/32 reject"
assert_eq "$(pg_psql -At -c "select setting from pg_settings where name = 'ssl'")" on "the server speaks TLS"

export TUSK_TLS_PGPORT=$PG_PORT TUSK_TLS_CA=$C/ca.crt TUSK_TLS_OTHER_CA=$C/otherca.crt \
	TUSK_TLS_CERT=$C/client.crt TUSK_TLS_KEY=$C/client.key \
	TUSK_TLS_OTHER_KEY=$C/server.key TUSK_TLS_ENC_CERT=$C/clientenc.crt TUSK_TLS_ENC_KEY=$C/clientenc.key \
	TUSK_TLS_PHRASE=$phrase TUSK_TLS_MISSING=$C/no-such-ca.crt TUSK_TLS_DIR=$C/a-directory.crt \
	TUSK_TLS_OPEN_KEY=$C/client-open.key

gtk_display_start

export TUSK_LOG=debug
tuskd_start
window_start

conn() { # conn NAME FIELD: the saved connection's field
	tctl --json conn show "$1" | "$PY" -c "import json,sys; print(json.load(sys.stdin)['$2'])"
}

drive verify
assert_eq "$(conn tls-verify ssl_mode) $(conn tls-verify ssl_ca_cert)" "verify_full $C/ca.crt" \
	"the TLS page saved sslmode verify-full and the CA file"

drive cert
assert_eq "$(conn tls-cert ssl_client_cert) $(conn tls-cert ssl_client_key)" \
	"$C/client.crt $C/client.key" "the TLS page saved the client certificate and key files"

drive encrypted
id=$(conn tls-enc id)
assert_eq "$(keyring_lookup "tusk:ssl-passphrase:$id")" "$phrase" \
	"the typed key passphrase went to the keyring"
where=$(cat "$TUSKD_DATA"/* "$TUSKD_STDERR" "$T/tusk.log" "$(tuskd_log_file)" 2>/dev/null | tr -d '\0')
assert_not_contains "$where" "$phrase" "the key passphrase is not in tusk.db or any log"
assert_not_contains "$(ps -eo args)" "$phrase" "nor in any process's argv"
kill -0 "$WINDOW_PID" || fail "the window died"
