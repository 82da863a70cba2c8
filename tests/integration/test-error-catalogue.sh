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
# The first tuskctl command named in the last hint, with NAME replaced.
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

# ---- credential_not_found, keyring_error --------------------------------
# credential_not_found (a saved password removed from the keyring behind
# tuskd's back) is proven through tuskctl by shell-faults and by
# integration-pool-life; see "covered elsewhere" below.
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

# ---- migration_error never reaches a client: tuskd falls back to memory
tuskd_stop
tuskd_new_home
tuskd_paths
mkdir -p "$TUSKD_DATA"
sqlite3 "$TUSKD_DATA/tusk.db" "PRAGMA user_version = 9999"
tuskd_start
run tctl status
assert_eq "$RC" 0 "a tuskd on a newer database still answers"
assert_contains "$OUT" "storage:   memory" "tuskctl status says storage is in memory"
assert_contains "$OUT" "written by a newer Tusk (schema 9999)" "and why, instead of a migration_error"
CHECKED+=" migration_error"

# ---- every tuskctl command a hint names exists, with every flag it uses --
# From the guide (docs/ERRORS.md) and from the daemon's own hint texts.
hint_cmds=$({
	jq -r '.errors[].guide.causes[].hint // empty' "$TUSK_ROOT/protocol/schema.json"
	grep -rhoE 'tuskctl (conn|secret|ssh|settings|open|close|cancel|history)[^"`)]*' \
		"$TUSK_ROOT/daemon" "$TUSK_ROOT/common" --include='*.c'
} | grep -oE 'tuskctl [a-z][^();]*' | sed -e 's/[.]$//' -e 's/ *$//' | sort -u)
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

# ---- every kind of the schema is here, but those no scenario can produce:
# internal (a bug), serialization_error (only a client makes it), and the
# kinds of features whose daemon side is not there yet.
not_produced="internal serialization_error result_not_found conflict too_large"
covered_elsewhere="credential_not_found"
for kind in $(jq -r '.errors[].kind' "$TUSK_ROOT/protocol/schema.json"); do
	if [[ " $CHECKED $not_produced $covered_elsewhere " == *" $kind "* ]]; then
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
