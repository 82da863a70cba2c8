#!/usr/bin/env bash
# Workspace autosave and change events, through tuskctl and raw socket
# bytes: tabs saved, tuskd SIGKILLed and restarted, the text intact byte for
# byte; a stale revision is a conflict naming the current one; a tab over
# workspace.max_tab_bytes is too_large and nothing is written; duplicate or
# foreign tab ids and malformed params are the documented errors; a second
# client subscribed to topics workspace and config sees workspace.changed,
# connections.changed, groups.changed and settings.changed.
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
tusk_test_init
export TUSK_VALIDATE_REPLIES=1
tuskd_start

# raw JSON-LINE: its reply line (the connection stays open until the reply:
# a save answers from a worker).
raw() { rpc_raw "$1" 5; }

# tab ID ORDER SQLFILE [CONTEXT]: one tab as JSON, its text read from a file.
tab() {
	jq -n --arg id "$1" --argjson order "$2" --rawfile sql "$3" --arg ctx "${4:-}" \
		'{id: $id, title: ("Tab " + $id), connection_id: null, sql: $sql, cursor: 7,
		  selection: {start: 2, end: 5}, context: (if $ctx == "" then null else $ctx end),
		  order: $order, last_query_id: null, extra: {scroll: 12}}'
}

run tctl workspace
assert_eq "$RC" 0 "workspace show on a new daemon"
assert_contains "$OUT" "revision 0, saved never" "a workspace never saved is empty at revision 0"

# ---- a second client watches topics workspace and config ----------------
"$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart events workspace config \
	>"$T/events.out" 2>"$T/events.err" &
events_pid=$!
at_exit "kill $events_pid 2>/dev/null || true"
wait_until 10 grep -q subscribed "$T/events.err" || fail "tuskctl events did not subscribe"

# ---- save, SIGKILL, restart, text intact ---------------------------------
# 1 MiB of varied text: every printable ASCII byte, tabs, CRLF, UTF-8 of 2,
# 3 and 4 bytes, quotes and backslashes.
awk 'BEGIN {
	srand(11)
	printf "select %c\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e%c as \"q\\\\\"\t;\r\n", 39, 39
	n = 0
	for (c = 32; c < 127; c++) a[n++] = sprintf("%c", c)
	a[n++] = "\t"; a[n++] = "\n"; a[n++] = "\xc3\xa9"; a[n++] = "\xe2\x82\xac"
	a[n++] = "\xf0\x9d\x84\x9e"; a[n++] = "\\"; a[n++] = "\""
	for (i = 0; i < 1048576; i++) printf "%s", a[int(rand() * n)]
}' >"$T/big.sql"
printf 'select 1;\n' >"$T/small.sql"
{ tab t1 0 "$T/big.sql" s1; tab t2 1 "$T/small.sql"; } | jq -s . >"$T/tabs.json"
run tctl workspace save --revision 0 <"$T/tabs.json"
assert_eq "$RC" 0 "workspace save of two tabs (1 MiB of text) exits 0"
assert_contains "$OUT" "revision 1, 2 tabs" "the first save makes revision 1"
wait_until 10 grep -q '"workspace.changed"' "$T/events.out" &&
	pass "the other client sees workspace.changed" ||
	flunk "the other client sees workspace.changed" "$(cat "$T/events.out")"
assert_contains "$(cat "$T/events.out")" '"revision":1' "workspace.changed carries the new revision"

tuskd_kill9 "$TUSKD_PID"
tuskd_start
run tctl --json workspace
assert_eq "$RC" 0 "workspace.get after SIGKILL and restart"
jq -j '.tabs[0].sql' <<<"$OUT" >"$T/back.sql"
if cmp -s "$T/big.sql" "$T/back.sql"; then
	pass "the 1 MiB text is byte-identical after SIGKILL"
else
	flunk "the 1 MiB text is byte-identical after SIGKILL" "$(cmp "$T/big.sql" "$T/back.sql" 2>&1)"
fi
assert_eq "$(jq -c '[.revision, [.tabs[].id], .tabs[0].selection, .tabs[0].context, .tabs[0].cursor, .tabs[0].extra]' <<<"$OUT")" \
	'[1,["t1","t2"],{"start":2,"end":5},"s1",7,{"scroll":12}]' \
	"revision, order, selection, context, cursor and client state are kept"

# ---- several windows: a stale revision is a conflict ---------------------
"$TUSKCTL" --socket "$TUSKD_SOCKET" --no-autostart events workspace config \
	>"$T/events.out" 2>"$T/events.err" &
events_pid=$!
at_exit "kill $events_pid 2>/dev/null || true"
wait_until 10 grep -q subscribed "$T/events.err" || fail "tuskctl events did not subscribe again"

jq '[.[1]]' "$T/tabs.json" >"$T/one.json"
assert_rc 0 "window A saves on revision 1" tctl workspace save --revision 1 <"$T/one.json"
assert_contains "$OUT" "revision 2" "window A's save makes revision 2"
run tctl workspace save --revision 1 <"$T/tabs.json"
assert_eq "$RC" 1 "window B, still on revision 1, is refused (exit 1)"
assert_contains "$ERR" "is at revision 2, not 1" "the conflict says which revision is stored"
reply=$(raw '{"jsonrpc":"2.0","id":7,"method":"workspace.save","params":{"revision":1,"tabs":[]}}')
assert_eq "$(jq -c '[.id, .error.code, .error.data.kind, .error.data.current_revision]' <<<"$reply")" \
	'[7,-32070,"conflict",2]' "raw: conflict is -32070 with data.current_revision"
assert_eq "$(tctl --json workspace | jq -c '[.revision, [.tabs[].id]]')" '[2,["t2"]]' \
	"the refused saves changed nothing"
assert_rc 0 "force overwrites" tctl workspace save --revision 1 --force <"$T/tabs.json"
assert_contains "$OUT" "revision 3" "a forced save makes revision 3"

# ---- workspaces are separate ----------------------------------------------
assert_rc 0 "a second workspace" tctl workspace save -w other --revision 0 <<<'[]'
assert_eq "$(tctl --json workspace -w other | jq -c '[.workspace, .revision, .tabs]')" \
	'["other",1,[]]' "workspace 'other' has its own revision"
run tctl workspace save -w other --revision 1 <"$T/one.json"
assert_eq "$RC" 1 "a tab id of another workspace is refused"
assert_contains "$ERR" "tabs[0].id: 't2' is a tab of another workspace" "the error names the tab"

# ---- size limit -----------------------------------------------------------
assert_rc 0 "lower workspace.max_tab_bytes" tctl settings set workspace.max_tab_bytes 4096
head -c 5000 /dev/zero | tr '\0' x >"$T/5k.sql"
{ tab small 0 "$T/small.sql"; tab huge 1 "$T/5k.sql"; } | jq -s '{revision: 3, tabs: .}' >"$T/huge.json"
run tctl workspace save <"$T/huge.json"
assert_eq "$RC" 1 "a tab over the limit is refused (exit 1)"
assert_contains "$ERR" "tabs[1] ('huge') is 5013 bytes, more than workspace.max_tab_bytes (4096)" \
	"too_large names the tab, its size and the limit"
reply=$(raw "$(jq -c '{jsonrpc: "2.0", id: 8, method: "workspace.save", params: .}' "$T/huge.json")")
assert_eq "$(jq -c '[.error.code, .error.data.kind, .error.data.tab_index, .error.data.tab_id, .error.data.bytes, .error.data.limit]' <<<"$reply")" \
	'[-32071,"too_large",1,"huge",5013,4096]' "raw: too_large is -32071 with the tab's size and the limit"
assert_eq "$(tctl --json workspace | jq -c '[.revision, [.tabs[].id]]')" '[3,["t1","t2"]]' \
	"nothing of the oversize save was written"
assert_rc 0 "reset the limit" tctl settings reset workspace.max_tab_bytes

# ---- bad input --------------------------------------------------------------
reply=$(raw "$(jq -c '{jsonrpc: "2.0", id: 9, method: "workspace.save", params: {revision: 3, tabs: [.[0], .[0]]}}' "$T/tabs.json")")
assert_eq "$(jq -c '[.error.code, .error.message]' <<<"$reply")" \
	"[-32051,\"tabs[1].id: 't1' is also the id of tabs[0]\"]" "duplicate tab ids are invalid_input"
reply=$(raw '{"jsonrpc":"2.0","id":10,"method":"workspace.save","params":{"revision":3}}')
assert_eq "$(jq -c '.error.code' <<<"$reply")" -32602 "missing tabs is invalid_params"
assert_contains "$(jq -r '.error.message' <<<"$reply")" "tabs" "the message names tabs"
reply=$(raw '{"jsonrpc":"2.0","id":11,"method":"workspace.save","params":{"revision":-1,"tabs":[]}}')
assert_eq "$(jq -c '.error.code' <<<"$reply")" -32602 "a negative revision is invalid_params"
reply=$(raw '{"jsonrpc":"2.0","id":12,"method":"workspace.save","params":{"revision":3,"tabs":[{"id":"x","title":"","connection_id":null,"sql":"a","cursor":0,"selection":{"start":5,"end":1},"context":null,"order":0,"last_query_id":null}]}}')
assert_eq "$(jq -c '[.error.code, .error.message]' <<<"$reply")" \
	'[-32051,"tabs[0].selection: end 1 is before start 5"]' "a backwards selection is invalid_input"
assert_eq "$(tctl --json workspace | jq -c '.revision')" 3 "bad saves left revision 3"

# ---- change events ------------------------------------------------------------
assert_rc 0 "conn add" tctl conn add "ev$$" "postgresql://u@127.0.0.1:1/db"
cid=$(tctl --json conn show "ev$$" | jq -r .id)
assert_rc 0 "conn edit" tctl conn edit "ev$$" --color '#112233'
assert_rc 0 "conn rm" tctl conn rm "ev$$"
assert_rc 0 "group add" tctl group add "g$$"
assert_rc 0 "group rm" tctl group rm "g$$"
assert_rc 0 "settings set" tctl settings set pool.max_size 7
assert_rc 0 "settings reset" tctl settings reset pool.max_size
want=(
	'["settings.changed","workspace.max_tab_bytes",4096]'
	'["settings.changed","workspace.max_tab_bytes",4194304]'
	"[\"connections.changed\",\"created\",\"$cid\",\"ev$$\"]"
	"[\"connections.changed\",\"updated\",\"$cid\",\"ev$$\"]"
	"[\"connections.changed\",\"deleted\",\"$cid\",\"ev$$\"]"
	"[\"groups.changed\",\"created\",\"g$$\"]"
	"[\"groups.changed\",\"deleted\",\"g$$\"]"
	'["settings.changed","pool.max_size",7]'
	'["settings.changed","pool.max_size",5]'
)
summary() {
	jq -c 'if .method == "settings.changed" then [.method, .params.setting.key, .params.setting.value]
	       elif .method == "groups.changed" then [.method, .params.change, .params.name]
	       elif .method == "connections.changed" then [.method, .params.change, .params.id, .params.name]
	       else empty end' "$T/events.out"
}
enough() { (($(summary | wc -l) >= ${#want[@]})); }
wait_until 10 enough || true
assert_eq "$(summary)" "$(printf '%s\n' "${want[@]}")" \
	"the other client saw every change, in order, with ids and names"
assert_eq "$(jq -r 'select(.method == "connections.changed") | .params.client_id' "$T/events.out" | sort -u | wc -l)" 3 \
	"each change names the client that made it (three tuskctl runs)"

kill "$events_pid"
wait "$events_pid" && pass "tuskctl events exits 0 on SIGTERM" || flunk "tuskctl events exits 0 on SIGTERM"
assert_rc 0 "the daemon still answers" tctl ping
tuskd_stop
