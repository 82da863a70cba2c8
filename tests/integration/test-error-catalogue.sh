#!/usr/bin/env bash
# The error catalogue (docs/ERRORS.md) proven end to end: each error kind
# produced by a real scenario and checked through tuskctl (or raw socket
# bytes, for what tuskctl never sends): the exit status, the message, and
# that the hint is the one for that cause. A hint that names a tuskctl
# command is run for real (NAME replaced by the connection's name), so no
# hint can name a flag that does not exist — and following it must fix the
# problem. No password or passphrase used here may appear in any message,
# detail, hint or in the daemon's log.
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
# shellcheck source=tests/harness/sshd.sh
. "$TUSK_HARNESS_DIR/sshd.sh"
# A Secret Service of this script's own (keyring_error stops it for a while).
if [[ -z ${_TUSK_CATALOGUE:-} ]]; then
	export _TUSK_CATALOGUE=1
	unset _TUSK_KEYRING_SESSION TUSK_KEYRING_DIR
fi
keyring_reexec "$@"
tusk_test_init
[[ $(id -u) == 0 ]] || fail "needs root (sshd, a server key owned by postgres)"

PW="Catalogue-Pw-$$-$RANDOM"
PHRASE="Key-Phrase-$$-$RANDOM"

# A private server: TLS on, a role with a password, a role that may only
# come over TLS (hostssl), and a certificate made for another host name.
pg_start "$T/pg"
C=$T/certs
mkdir -p "$C"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$C/ca.key" -out "$C/ca.crt" -days 30 \
	-subj /CN=tusk-catalogue-ca 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$C/server.key" -out "$C/server.csr" \
	-subj /CN=wrong.example 2>/dev/null
openssl x509 -req -in "$C/server.csr" -CA "$C/ca.crt" -CAkey "$C/ca.key" -CAcreateserial \
	-out "$C/server.crt" -days 30 2>/dev/null
openssl genpkey -algorithm RSA -aes256 -pass "pass:$PHRASE" -out "$C/client.key" 2>/dev/null
openssl req -new -key "$C/client.key" -passin "pass:$PHRASE" -subj /CN=postgres \
	-out "$C/client.csr" 2>/dev/null
openssl x509 -req -in "$C/client.csr" -CA "$C/ca.crt" -CAkey "$C/ca.key" -CAcreateserial \
	-out "$C/client.crt" -days 30 2>/dev/null
chmod 600 "$C/client.key"
openssl req -newkey rsa:2048 -nodes -keyout "$C/old.key" -out "$C/old.csr" -subj /CN=postgres 2>/dev/null
openssl x509 -req -in "$C/old.csr" -CA "$C/ca.crt" -CAkey "$C/ca.key" -CAcreateserial \
	-out "$C/old.crt" -days -1 2>/dev/null
chmod 600 "$C/old.key"
cp "$C/server.crt" "$C/server.key" "$PG_DATA/"
if [[ $(id -u) -eq 0 ]]; then chown postgres: "$PG_DATA/server.crt" "$PG_DATA/server.key"; fi
chmod 600 "$PG_DATA/server.key"
pg_conf "ssl=on" "ssl_cert_file='server.crt'" "ssl_key_file='server.key'"
pg_reload
pg_psql -c "create role pwuser login password '$PW'" -c "create role tlsonly login"
pg_hba_add "hostssl all tlsonly 127.0.0.1/32 trust" \
	"host all tlsonly 127.0.0.1/32 reject" \
	"host all pwuser 127.0.0.1/32 scram-sha-256"

# The daemon's own HOME (known_hosts) and service file.
export HOME=$T/home
mkdir -p "$HOME/.ssh"
: >"$HOME/.ssh/known_hosts"
export PGSERVICEFILE=$T/pg_service.conf
printf '[catalogue_pw]\nhost=127.0.0.1\nport=%s\ndbname=postgres\nuser=pwuser\npassword=%s\nsslmode=disable\n' \
	"$PG_PORT" "not-$PW" >"$PGSERVICEFILE"
tuskd_start
BASE="host=127.0.0.1 port=$PG_PORT dbname=postgres"

# expect_error NAME RC MESSAGE HINT CMD...: run a tuskctl command; check its
# exit status, that stderr has MESSAGE, and the hint line (HINT, or none
# when HINT is "-").
expect_error() {
	local name=$1 rc=$2 msg=$3 hint=$4
	shift 4
	run "$@"
	assert_eq "$RC" "$rc" "$name: exit status $rc"
	assert_contains "$ERR" "$msg" "$name: the message"
	if [[ $hint == - ]]; then
		assert_not_contains "$ERR" "hint:" "$name: no generic hint"
	else
		assert_contains "$ERR" "hint: $hint" "$name: the hint for this cause"
	fi
	ALL_ERR+=$ERR$'\n'
	CHECKED+=" ${name%% *}"
}
ALL_ERR=
CHECKED=
# The (last) tuskctl command named in the last hint, with NAME replaced
# ("-" for a hint that names no connection).
hint_command() {
	sed -n 's/^  hint: .*\(tuskctl [^).]*\).*/\1/p' <<<"$ERR" | head -n 1 | sed "s/NAME/$1/"
}
# Run a hint's command for real (stdin from $2 when given).
run_hint() {
	local conn=$1 input=${2-} cmd
	cmd=$(hint_command "$conn")
	assert_ne "$cmd" "" "the hint names a tuskctl command"
	local -a words
	read -r -a words <<<"${cmd#tuskctl }"
	if [[ -n $input ]]; then
		[[ " ${words[*]} " == *" --password-stdin "* ]] || words+=(--password-stdin)
		run tctl "${words[@]}" <<<"$input"
	else
		run tctl "${words[@]}"
	fi
	assert_eq "$RC" 0 "the hint's command runs: $cmd"
}

# ---- authentication_failed: the hint follows the cause -----------------
# The wrong password comes from a pg_service.conf, as a user's would.
assert_rc 0 "import a connection with a wrong password" \
	tctl conn import service=catalogue_pw --name pw
expect_error "authentication_failed (wrong password)" 1 \
	'password authentication failed for user "pwuser"' \
	"Check the password: store the right one with tuskctl secret set NAME --password-stdin." \
	tctl -d pw -c "select 1"
run_hint pw "$PW"
assert_rc 0 "following the hint fixes it" tctl -d pw -c "select 1"

assert_rc 0 "save a connection with sslmode=disable to a hostssl-only role" \
	tctl conn add tlsonly "$BASE user=tlsonly sslmode=disable"
expect_error "authentication_failed (hostssl only)" 1 "pg_hba.conf rejects connection" \
	"The server accepts only TLS (SSL) connections from here: set sslmode to require or stricter (tuskctl conn edit NAME --sslmode require)." \
	tctl -d tlsonly -c "select 1"
assert_not_contains "$ERR" "Check your username and password" "not the generic hint"
run_hint tlsonly
assert_rc 0 "with sslmode=require it connects" tctl -d tlsonly -c "select 1"

assert_rc 0 "save a connection for a role that does not exist" \
	tctl conn add norole "$BASE user=nosuchrole_$$ sslmode=disable"
expect_error "authentication_failed (no such role)" 1 "role \"nosuchrole_$$\" does not exist" \
	"Check the user name: the server has no such role (tuskctl conn edit NAME --user USER)." \
	tctl -d norole -c "select 1"
cmd=$(hint_command norole)
assert_contains "$cmd" "tuskctl conn edit norole --user USER" "the hint's command"
assert_rc 0 "the hint's command runs (USER = postgres)" tctl conn edit norole --user postgres
assert_rc 0 "and then it connects" tctl -d norole -c "select 1"

# ---- ssl_error ---------------------------------------------------------
assert_rc 0 "save a connection with an encrypted client key" \
	tctl conn add enckey "$BASE user=postgres sslmode=require sslcert=$C/client.crt sslkey=$C/client.key"
expect_error "ssl_error (encrypted key, no passphrase)" 1 \
	"SSL client key $C/client.key is encrypted and no passphrase is stored for it" \
	"Store the key's passphrase for this connection (tuskctl secret set NAME --ssl-passphrase)." \
	tctl -d enckey -c "select 1"
run_hint enckey "$PHRASE"
assert_rc 0 "with the passphrase stored, it connects" tctl -d enckey -c "select 1"

assert_rc 0 "save a connection with an expired client certificate" \
	tctl conn add expired "$BASE user=postgres sslmode=require sslcert=$C/old.crt sslkey=$C/old.key"
expect_error "ssl_error (expired certificate)" 1 "$C/old.crt expired on" \
	"Renew the certificate or choose a current one." tctl -d expired -c "select 1"

assert_rc 0 "save a verify-full connection to a certificate for another host" \
	tctl conn add wronghost "host=localhost port=$PG_PORT dbname=postgres user=postgres sslmode=verify-full sslrootcert=$C/ca.crt"
run tctl -d wronghost -c "select 1"
assert_eq "$RC" 1 "ssl_error (wrong host): exit status 1"
assert_contains "$ERR" "wrong.example" "ssl_error (wrong host): names the certificate's host"
assert_contains "$ERR" '"localhost"' "ssl_error (wrong host): and the host asked for"
CHECKED+=" ssl_error"
ALL_ERR+=$ERR$'\n'

# ---- connection_failed, connection_timeout ------------------------------
closed=$(free_port)
assert_rc 0 "save a connection to a closed port" \
	tctl conn add closed "host=127.0.0.1 port=$closed dbname=postgres user=postgres connect_timeout=2"
expect_error "connection_failed" 1 "connection to server at \"127.0.0.1\", port $closed failed" - \
	tctl -d closed -c "select 1"
# A listener that accepts and never answers: the server "swallows" the
# connection, as a black-holed address does.
silent=$(free_port)
timeout 60 socat "TCP-LISTEN:$silent,bind=127.0.0.1,reuseaddr,fork" SYSTEM:"sleep 30" &
silent_pid=$!
at_exit "kill $silent_pid 2>/dev/null || true"
wait_until 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$silent" || fail "the silent listener did not start"
assert_rc 0 "save a connection to a silent address" \
	tctl conn add silent "host=127.0.0.1 port=$silent dbname=postgres user=postgres connect_timeout=1"
expect_error "connection_timeout" 1 "Connection timeout after 1s" \
	"Check that the server is reachable and the port is open" tctl -d silent -c "select 1"

# ---- connection_not_found, no_active_connection -------------------------
expect_error "connection_not_found" 1 "no saved connection" - tctl conn show nosuch_$$
assert_rc 0 "save a connection that is never opened" \
	tctl conn add idle "host=127.0.0.1 port=$PG_PORT dbname=postgres user=postgres sslmode=disable"
expect_error "no_active_connection" 1 "connection 'idle' is not open" "Open the connection first" \
	tctl close idle
assert_rc 0 "opening it (the hint) works" tctl open idle
assert_rc 0 "and then it closes" tctl close idle

# ---- query_failed, query_cancelled, query_timeout ----------------------
DB="host=127.0.0.1 port=$PG_PORT dbname=postgres user=postgres sslmode=disable"
run tctl -d "$DB" -c "select * fron pg_class"
assert_eq "$RC" 1 "query_failed: exit status 1"
assert_contains "$ERR" 'syntax error at or near "fron"' "query_failed: the server's message"
assert_contains "$ERR" "character 10" "query_failed: the position"
CHECKED+=" query_failed"
expect_error "query_timeout" 1 "Query timeout after 300ms" - \
	tctl --timeout 300 -d "$DB" -c "select pg_sleep(5)"
"$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart -d "$DB" \
	-c "select pg_sleep(30) /* catalogue_cancel */" >/dev/null 2>"$T/cancel.err" &
qpid=$!
wait_until 10 bash -c "[[ \$(\"$PG_BINDIR/psql\" -X -At -h 127.0.0.1 -p $PG_PORT -U postgres -d postgres -c \"select count(*) from pg_stat_activity where query like '%catalogue_cancel%' and pid <> pg_backend_pid()\") == 1 ]]" ||
	fail "the query to cancel did not start"
kill -INT "$qpid"
rc=0
wait "$qpid" || rc=$?
assert_eq "$rc" 130 "query_cancelled by Ctrl-C: exit status 130"
assert_contains "$(cat "$T/cancel.err")" "Query cancelled" "query_cancelled: the message"
CHECKED+=" query_cancelled"

# ---- pool_timeout -------------------------------------------------------
assert_rc 0 "pool.max_size 1" tctl settings set pool.max_size 1
assert_rc 0 "pool.acquire_timeout_ms 300" tctl settings set pool.acquire_timeout_ms 300
assert_rc 0 "save a connection for the pool" tctl conn add busy "$DB"
"$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart -d busy -c "select pg_sleep(3)" >/dev/null 2>&1 &
busy_pid=$!
sleep 0.5
expect_error "pool_timeout" 1 "no connection of busy became free within 300 ms" \
	"Other queries hold every pooled connection; cancel one or raise the pool size" \
	tctl -d busy -c "select 1"
wait "$busy_pid" || true
assert_rc 0 "raising pool.max_size (the remedy) works" tctl settings set pool.max_size 5
tctl settings reset pool.acquire_timeout_ms >/dev/null

# ---- invalid_params, invalid_input --------------------------------------
long=$(printf 'x%.0s' {1..100})
expect_error "invalid_params" 1 "params.id" - tctl history rm "$long"
expect_error "invalid_input (unknown setting)" 1 "unknown setting" - tctl settings set no.such.key 1
expect_error "invalid_input" 1 "no running query has id" - \
	tctl cancel 00000000-0000-4000-8000-000000000000

# ---- storage_error: a damaged row in the data dir ----------------------
assert_rc 0 "save a connection to damage" tctl conn add damaged "$DB"
tuskd_stop
sqlite3 "$TUSKD_DATA/tusk.db" "update connections set config = 'not json' where name = 'damaged'"
tuskd_start
expect_error "storage_error" 1 "the saved connection 'damaged' cannot be read" - \
	tctl conn show damaged

# ---- ssh_error: an unknown host key, a key the server refuses -----------
sport=$(free_port)
sshd_setup "$T/sshd" "$sport"
at_exit "sshd_stop $T/sshd"
sshd_start "$T/sshd" || fail "sshd did not start"
ssh_uri="postgresql://postgres@127.0.0.1:$PG_PORT/postgres?sslmode=disable"
assert_rc 0 "save a connection through an SSH tunnel" \
	tctl conn add tunnel "$ssh_uri" --ssh "root@127.0.0.1:$sport" --ssh-key "$T/sshd/userkey"
fp=$(ssh-keygen -l -E sha256 -f "$T/sshd/hostkey.pub" | cut -d' ' -f2)
expect_error "ssh_error (unknown host key)" 1 "the host key of 127.0.0.1:$sport is not known" \
	"If this fingerprint is the server's, trust it with ssh.trust_host_key (tuskctl ssh trust NAME) and connect again." \
	tctl -d tunnel -c "select 1"
assert_contains "$ERR" "$fp" "ssh_error: the message shows the fingerprint"
cmd=$(hint_command tunnel)
assert_eq "$cmd" "tuskctl ssh trust tunnel" "the hint's command"
assert_rc 0 "the hint's command runs (--yes, after checking the fingerprint)" \
	tctl ssh trust tunnel --fingerprint "$fp"
assert_rc 0 "then the query goes through the tunnel" tctl -d tunnel -c "select 1"

ssh-keygen -q -t ed25519 -N '' -C tusk-stranger -f "$T/strangerkey"
assert_rc 0 "save a tunnel with a key the server does not know" \
	tctl conn add stranger "$ssh_uri" --ssh "root@127.0.0.1:$sport" --ssh-key "$T/strangerkey"
expect_error "ssh_error (key refused)" 1 "SSH authentication of root@127.0.0.1 failed (the server refused the key)" \
	"Check that the key's public half is in the server's authorized_keys for this user." \
	tctl -d stranger -c "select 1"

# ---- keyring_error, credential_not_found --------------------------------
# The Secret Service answers but cannot write its storage: its directory
# made immutable (gnome-keyring writes a new file and renames it).
chattr +i "$TUSK_KEYRING_DIR/keyrings" || fail "chattr +i is needed for the keyring_error case"
at_exit "chattr -i '$TUSK_KEYRING_DIR/keyrings' 2>/dev/null || true"
expect_error "keyring_error" 1 "The keyring failed while storing a secret" \
	"The Secret Service answered but refused: its detail says why (often its storage: free space and the permissions of ~/.local/share/keyrings)." \
	tctl secret set idle --password-stdin <<<"$PW"
assert_contains "$ERR" "detail: " "keyring_error: the service's own words as detail"
chattr -i "$TUSK_KEYRING_DIR/keyrings"
assert_rc 0 "with its storage back, the keyring stores again" \
	tctl secret set idle --password-stdin <<<"$PW"

# credential_not_found: a saved password removed from the keyring behind
# tuskd's back (another keyring tool, a cleaned-up keyring).
assert_rc 0 "save a connection whose password is kept in the keyring" \
	tctl conn add kept "$BASE user=pwuser sslmode=disable" --password-stdin <<<"$PW"
assert_rc 0 "it connects with the kept password" tctl -d kept -c "select 1"
assert_rc 0 "close its pool" tctl close kept
kept_id=$(tctl --json conn show kept | jq -r .id)
secret-tool clear service com.tusk.app key "tusk:connection:$kept_id"
assert_eq "$(secret-tool lookup service com.tusk.app key "tusk:connection:$kept_id" || true)" "" \
	"the password is gone from the keyring"
expect_error "credential_not_found" 1 "the saved password of kept is no longer in the keyring" \
	"Store it again: tuskctl secret set kept --password-stdin" tctl -d kept -c "select 1"
run_hint kept "$PW"
assert_rc 0 "following the hint fixes it" tctl -d kept -c "select 1"

# io_error: the host key cannot be recorded (known_hosts made immutable).
assert_rc 0 "save a tunnel that names the SSH host differently (localhost)" \
	tctl conn add viahostname "$ssh_uri" --ssh "root@localhost:$sport" --ssh-key "$T/sshd/userkey"
run tctl -d viahostname -c "select 1"
assert_contains "$ERR" "the host key of localhost:$sport is not known" "a new host name is a new host key entry"
chattr +i "$HOME/.ssh/known_hosts" || fail "chattr +i is needed for the io_error case"
at_exit "chattr -i '$HOME/.ssh/known_hosts' 2>/dev/null || true"
expect_error "io_error" 1 "$HOME/.ssh/known_hosts" - tctl ssh trust viahostname --fingerprint "$fp"
chattr -i "$HOME/.ssh/known_hosts"
assert_rc 0 "with known_hosts writable again, trusting works" \
	tctl ssh trust viahostname --fingerprint "$fp"

# ---- result_not_found: a stored result closed, then fetched ------------
assert_rc 0 "store a result" tctl -d "$DB" query -c "select g from generate_series(1, 10) g" --store
stored=$OUT
assert_rc 0 "fetch it" tctl fetch "$stored" --limit 2
assert_rc 0 "close it" tctl query close "$stored"
expect_error "result_not_found" 1 "no stored result has id '$stored'" \
	"It was closed or released (idle TTL, store budget): run the query again, or pick a result still stored (tuskctl query list)" \
	tctl fetch "$stored"
run_hint -
expect_error "result_not_found (export)" 1 "no stored result has id" \
	"It was closed or released (idle TTL, store budget): run the query again, or pick a result still stored (tuskctl query list)" \
	tctl export "$stored" --format csv -o "$T/never.csv"
[[ ! -e $T/never.csv ]] && pass "result_not_found: no file was written" ||
	flunk "result_not_found: no file was written" "$T/never.csv exists"

# ---- conflict: a workspace saved meanwhile by another window -----------
# ws_tab ID SQLFILE: a workspace (one tab) as tuskctl workspace save reads it.
ws_tab() {
	jq -n --arg id "$1" --rawfile sql "$2" '[{id: $id, title: $id, connection_id: null,
		sql: $sql, cursor: 0, selection: null, context: null, order: 0, last_query_id: null}]'
}
printf 'select 2' >"$T/b1.sql"
ws_tab b1 "$T/b1.sql" >"$T/b1.json"
assert_rc 0 "window A saves the workspace" tctl workspace save --revision 0 <<<'[]'
assert_contains "$OUT" "revision 1" "it is at revision 1"
expect_error "conflict" 1 "workspace 'default' is at revision 1, not 0: another window saved it since" \
	"Read it again (tuskctl workspace), merge, and save on revision 1 (tuskctl workspace save --revision 1), or overwrite it with --force" \
	tctl workspace save --revision 0 <"$T/b1.json"
assert_eq "$(tctl --json workspace | jq -c '[.revision, .tabs]')" '[1,[]]' "conflict: nothing was written"
cmd=$(hint_command -)
assert_eq "$cmd" "tuskctl workspace save --revision 1" "conflict: the hint's command"
run tctl workspace save --revision 1 <"$T/b1.json"
assert_eq "$RC" 0 "the hint's command saves the merged tabs"
assert_contains "$OUT" "revision 2" "on revision 2"
assert_rc 0 "a second workspace" tctl workspace save -w other --revision 0 <<<'[]'
expect_error "conflict (named workspace)" 1 "workspace 'other' is at revision 1" \
	"Read it again (tuskctl workspace -w other), merge, and save on revision 1 (tuskctl workspace save -w other --revision 1), or overwrite it with --force" \
	tctl workspace save -w other --revision 0 <<<'[]'

# ---- too_large: a tab over workspace.max_tab_bytes ---------------------
assert_rc 0 "workspace.max_tab_bytes 4096" tctl settings set workspace.max_tab_bytes 4096
head -c 5000 /dev/zero | tr '\0' x >"$T/5k.sql"
ws_tab big "$T/5k.sql" >"$T/big-tab.json"
expect_error "too_large" 1 "tabs[0] ('big') is 5000 bytes, more than workspace.max_tab_bytes (4096): nothing was saved" \
	"Make the tab smaller, or raise the limit (tuskctl settings set workspace.max_tab_bytes BYTES)" \
	tctl workspace save --revision 2 <"$T/big-tab.json"
assert_eq "$(tctl --json workspace | jq -c '[.revision, [.tabs[].id]]')" '[2,["b1"]]' \
	"too_large: nothing was written"
assert_rc 0 "the hint's command (BYTES = 8192) runs" tctl settings set workspace.max_tab_bytes 8192
assert_rc 0 "then the tab is saved" tctl workspace save --revision 2 <"$T/big-tab.json"
tctl settings reset workspace.max_tab_bytes >/dev/null

# ---- serialization_error: text that JSON cannot carry unchanged --------
# A SQL_ASCII database holds bytes that are not UTF-8. tuskd's sessions
# speak UTF-8, so the server refuses to send them (query_failed); a
# statement that changes client_encoding would let them through, so tuskd
# stops reading instead of passing on mangled text.
pg_psql -c "create database asciidb encoding 'SQL_ASCII' template template0 lc_collate 'C' lc_ctype 'C'"
ADB="host=127.0.0.1 port=$PG_PORT dbname=asciidb user=postgres sslmode=disable"
ENC_HINT="Tusk talks to the server in UTF-8 and the server converts: leave client_encoding alone (RESET client_encoding in a named context); to see raw bytes, select convert_to(value, 'SQL_ASCII') as bytea"
run tctl -d "$ADB" -c "select convert_from('\\xff41'::bytea, 'SQL_ASCII') as v"
assert_eq "$RC" 1 "bytes that are not UTF-8: the server refuses to send them (exit 1)"
assert_contains "$ERR" 'invalid byte sequence for encoding "UTF8": 0xff' "query_failed names the byte"
expect_error "serialization_error (client_encoding changed)" 1 \
	"a value of result 2 is not UTF-8: a statement before it changed the session's client_encoding" \
	"$ENC_HINT" tctl -d "$ADB" -c "set client_encoding to 'SQL_ASCII'; select convert_from('\\xff41'::bytea, 'SQL_ASCII') as v"
assert_not_contains "$OUT" $'\xef\xbf\xbd' "serialization_error: no mangled value was printed"
expect_error "serialization_error (LATIN1: valid text, other bytes)" 1 "a value of result 2 is not UTF-8" \
	"$ENC_HINT" tctl -d "$ADB" -c "set client_encoding to 'LATIN1'; select 'caf' || convert_from('\\xe9'::bytea, 'LATIN1') as v"
run tctl -d "$ADB" -c "set client_encoding to 'SQL_ASCII'; do \$\$ begin raise exception '%', convert_from('\\xff41'::bytea, 'SQL_ASCII'); end \$\$"
assert_eq "$RC" 1 "a server error in another encoding: exit 1"
assert_contains "$ERR" $'\xef\xbf\xbdA' "its text reaches the user, the odd byte as U+FFFD"
assert_rc 0 "tuskd still answers" tctl ping
run tctl -d "$ADB" -c "show client_encoding"
assert_contains "$OUT" "UTF8" "the backend was reset to UTF8 before its next use"
expect_error "serialization_error (SQL not UTF-8)" 1 \
	"the SQL is not valid UTF-8 (byte 0xff at offset 12): it cannot be sent as JSON text" \
	"Tusk sends SQL as UTF-8: convert the text first, e.g. iconv -f LATIN1 -t UTF-8 FILE" \
	tctl -d "$ADB" -c "$(printf 'select 1 as \xff')"
printf 'select 1 as caf\xe9' >"$T/latin1.sql"
iconv -f LATIN1 -t UTF-8 "$T/latin1.sql" >"$T/utf8.sql"
run tctl -d "$ADB" -f "$T/utf8.sql"
assert_eq "$RC" 0 "the hint (iconv) fixes it"
assert_contains "$OUT" "café" "and the name arrives intact"

# ---- protocol kinds tuskctl never sends: raw socket bytes ---------------
raw() { printf '%s\n' "$@" | timeout 5 socat -t 2 - "UNIX-CONNECT:$TUSKD_SOCKET"; }
assert_contains "$(raw '{not json')" '"kind":"parse_error"' "parse_error from a broken line"
assert_contains "$(raw '{"jsonrpc":"1.0","id":1,"method":"daemon.ping"}')" \
	'"kind":"invalid_request"' "invalid_request from jsonrpc 1.0"
assert_contains "$(raw '{"jsonrpc":"2.0","id":1,"method":"no.such"}')" \
	'"kind":"method_not_found"' "method_not_found"
# limit_exceeded: more requests in flight than rpc.max_pending_requests.
assert_rc 0 "rpc.max_pending_requests 2" tctl settings set rpc.max_pending_requests 2
q="\"method\":\"query.execute\",\"params\":{\"sql\":\"select pg_sleep(0.5)\",\"conninfo\":\"$DB\"}"
sleeps="{\"jsonrpc\":\"2.0\",\"id\":1,$q}"$'\n'"{\"jsonrpc\":\"2.0\",\"id\":2,$q}"
sleeps+=$'\n'"{\"jsonrpc\":\"2.0\",\"id\":3,$q}"
out=$(raw "$sleeps")
assert_contains "$out" '"id":3,"error":{"code":-32060' "limit_exceeded: the third request in flight is refused"
assert_contains "$out" '"kind":"limit_exceeded"' "limit_exceeded: its kind"
assert_contains "$out" "too many requests in flight" "limit_exceeded: its message"
CHECKED+=" parse_error invalid_request method_not_found limit_exceeded"
tctl settings reset rpc.max_pending_requests >/dev/null

# ---- migration_error: tusk.db of a newer Tusk, or a failing migration ----
# tuskd leaves the file as it is and runs on a temporary in-memory
# database; whatever would be saved is refused (it would vanish at exit),
# everything else works, and tuskctl status says so.
db_sum() { cat "$TUSKD_DATA"/tusk.db* | sha256sum | cut -d' ' -f1; }
# migration_scenario LABEL MESSAGE: the degraded daemon through tuskctl.
migration_scenario() {
	local label=$1 msg=$2 before hint
	hint="$TUSKD_DATA/tusk.db was left as it is. Run the Tusk that wrote it; or, to start over with this one, stop tuskd (tuskctl shutdown), move the file aside (mv $TUSKD_DATA/tusk.db $TUSKD_DATA/tusk.db.old) and start it again (any command starts it)"
	before=$(db_sum)
	tuskd_start
	run tctl status
	assert_eq "$RC" 0 "$label: tuskctl status answers"
	assert_contains "$OUT" "storage:   memory" "$label: status says storage is in memory"
	assert_contains "$OUT" "degraded (migration_error): nothing is saved" "$label: status says it is degraded, with the kind"
	assert_contains "$OUT" "hint: $hint" "$label: and what to do"
	expect_error "migration_error ($label, conn add)" 1 "not saved: $msg" "$hint" \
		tctl conn add after "$DB"
	expect_error "migration_error ($label, settings set)" 1 "not saved: $msg" "$hint" \
		tctl settings set pool.max_size 3
	expect_error "migration_error ($label, workspace save)" 1 "not saved: $msg" "$hint" \
		tctl workspace save --revision 0 <"$T/b1.json"
	expect_error "migration_error ($label, group add)" 1 "not saved: $msg" "$hint" tctl group add g1
	expect_error "migration_error ($label, history clear)" 1 "not saved: $msg" "$hint" tctl history clear --yes
	assert_rc 0 "$label: queries still work" tctl -d "$DB" -c "select 1"
	assert_rc 0 "$label: what saves nothing works (conn list)" tctl conn list
	assert_rc 0 "$label: the hint's command exists (tuskctl shutdown)" tctl shutdown
	wait_until 10 bash -c "! kill -0 $TUSKD_PID 2>/dev/null" || fail "tuskd did not stop"
	TUSKD_PID=
	assert_eq "$(db_sum)" "$before" "$label: nothing on disk was touched"
}
tuskd_stop
tuskd_new_home
tuskd_paths
mkdir -p "$TUSKD_DATA"
sqlite3 "$TUSKD_DATA/tusk.db" "PRAGMA user_version = 9999"
migration_scenario "newer file" \
	"tusk.db was written by a newer Tusk (schema 9999), newer than this one's"
# Following the hint: the file moved aside, a new database starts.
mv "$TUSKD_DATA/tusk.db" "$TUSKD_DATA/tusk.db.old"
tuskd_start
run tctl status
assert_not_contains "$OUT" "degraded" "after the hint: not degraded"
assert_contains "$OUT" "storage:   ok" "after the hint: storage ok"
assert_rc 0 "after the hint: saving works again" tctl conn add after "$DB"
assert_eq "$(sqlite3 "$TUSKD_DATA/tusk.db.old" "PRAGMA user_version")" 9999 "the moved file is the newer Tusk's, intact"
# A migration step that fails on a healthy file: the newest step is run
# again on a file that already has its tables.
latest=$(sqlite3 "$TUSKD_DATA/tusk.db" "PRAGMA user_version")
tuskd_stop
sqlite3 "$TUSKD_DATA/tusk.db" "PRAGMA user_version = $((latest - 1))"
migration_scenario "failed step" \
	"tusk.db could not be brought to schema $latest (migration to schema version $latest failed:"
assert_eq "$(sqlite3 "$TUSKD_DATA/tusk.db" "PRAGMA user_version")" $((latest - 1)) \
	"the file stays at the last good version"
assert_eq "$(sqlite3 "$TUSKD_DATA/tusk.db" "select count(*) from connections where name = 'after'")" 1 \
	"and keeps what was saved in it"
tuskd_start

# ---- every tuskctl command a hint names exists, with every flag it uses --
# From the guide (docs/ERRORS.md) and from the daemon's own hint texts.
hint_cmds=$({
	jq -r '.errors[].guide.causes[].hint // empty' "$TUSK_ROOT/protocol/schema.json"
	grep -rhoE 'tuskctl (conn|secret|ssh|settings|open|close|cancel|history|workspace|query|fetch|export|status|shutdown)[^"`)]*' \
		"$TUSK_ROOT/daemon" "$TUSK_ROOT/common" --include='*.c'
} | grep -oE 'tuskctl [a-z][^();]*' | sed -e 's/%l*[sdu]//g' -e 's/[.]$//' -e 's/ *$//' | sort -u)
while IFS= read -r cmd; do
	[[ -n $cmd ]] || continue
	read -r -a words <<<"${cmd#tuskctl }"
	words=("${words[@]/#NAME/idle}")
	words=("${words[@]/#USER/postgres}")
	run tctl "${words[@]}" --help
	if [[ $RC -ne 0 ]]; then
		flunk "a hint's command exists: $cmd" "tuskctl ${words[*]} --help exited $RC: $ERR"
		continue
	fi
	missing=
	for w in "${words[@]}"; do
		[[ $w != --* || $OUT == *"$w"* ]] || missing+=" $w"
	done
	if [[ -z $missing ]]; then
		pass "a hint's command exists with its flags: $cmd"
	else
		flunk "a hint's command exists with its flags: $cmd" "its --help does not name$missing"
	fi
done <<<"$hint_cmds"

# ---- every kind of the schema is here, but internal (a bug) ---------------
not_produced="internal"
for kind in $(jq -r '.errors[].kind' "$TUSK_ROOT/protocol/schema.json"); do
	if [[ " $CHECKED $not_produced " == *" $kind "* ]]; then
		pass "the catalogue covers $kind"
	else
		flunk "the catalogue covers $kind" "no scenario above produces it"
	fi
done

# ---- secrets stay secret ------------------------------------------------
log=$(tuskd_log_file)
all="$ALL_ERR$(cat "$log" "$TUSKD_STDERR" 2>/dev/null)"
assert_not_contains "$all" "$PW" "the password is in no message, hint, detail or log line"
assert_not_contains "$all" "$PHRASE" "the key passphrase is in none either"
