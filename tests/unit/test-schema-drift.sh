#!/usr/bin/env bash
# ctest protocol-schema-drift: the daemon and the protocol schema
# (protocol/schema.json + schema.d/) name the same methods and
# notifications, both ways.
#   - every schema method has exactly one handler method_FAMILY_NAME() in
#     daemon/, and every handler has its schema method;
#   - the generated table (BUILD/daemon/rpc-methods.c) lists exactly the
#     schema's methods, sorted, each with its handler;
#   - every schema notification is emitted somewhere in daemon/ through its
#     generated name (TUSK_N_…), the daemon names no notification the schema
#     lacks, and no notification name is spelled as a string literal there;
#   - the daemon's event topics are the schema's;
#   - tuskctl and the window call methods by their TUSK_M_ names with params
#     from protocol/req.h, never a literal name or hand-packed params.
# Usage: test-schema-drift.sh SOURCE_DIR BUILD_DIR
set -uo pipefail

src=${1:?source dir}
build=${2:?build dir}
failures=0
checks=0
ok() {
	checks=$((checks + 1))
	printf 'ok %d - %s\n' "$checks" "$1"
}
bad() {
	checks=$((checks + 1))
	failures=$((failures + 1))
	printf 'not ok %d - %s\n' "$checks" "$1"
}

schema_files=("$src/protocol/schema.json" "$src"/protocol/schema.d/*.json)
names() { # names methods|notifications
	jq -r --arg m "$1" '.[$m] // {} | keys[]' "${schema_files[@]}" | sort
}
mapfile -t methods < <(names methods)
mapfile -t notes < <(names notifications)
[[ ${#methods[@]} -gt 0 ]] || bad "the schema has methods"
[[ ${#notes[@]} -gt 0 ]] || bad "the schema has notifications"

# C sources of the daemon, without generated files.
mapfile -t daemon_c < <(find "$src/daemon" -name '*.c' -o -name '*.h' | sort)

# ---- methods -----------------------------------------------------------
handlers=$(grep -hoE '^enum rpc_ret method_[a-z0-9_]+\(' "${daemon_c[@]}" |
	sed -E 's/^enum rpc_ret (method_[a-z0-9_]+)\(/\1/' | sort)
declare -A want=()
for m in "${methods[@]}"; do
	h=method_${m//./_}
	if [[ -n ${want[$h]:-} ]]; then
		bad "methods ${want[$h]} and $m map to the same handler $h: rename one"
	fi
	want[$h]=$m
	n=$(grep -cx "$h" <<<"$handlers")
	if [[ $n -eq 1 ]]; then
		ok "schema method $m has its handler $h()"
	elif [[ $n -eq 0 ]]; then
		bad "schema method $m has no handler: define enum rpc_ret $h(struct rpc_request *req, TuskError *e) in daemon/rpc/"
	else
		bad "schema method $m has $n handlers named $h()"
	fi
done
while read -r h; do
	[[ -n $h ]] || continue
	if [[ -z ${want[$h]:-} ]]; then
		bad "daemon handler $h() has no method in protocol/schema.json or schema.d/: add the method to the schema first"
	fi
done <<<"$handlers"

table=$build/daemon/rpc-methods.c
if [[ ! -f $table ]]; then
	bad "the generated method table $table exists"
else
	listed=$(sed -nE 's/^\t\{"([a-z0-9_.]+)", (method_[a-z0-9_]+)\},$/\1 \2/p' "$table")
	expected=$(for m in "${methods[@]}"; do echo "$m method_${m//./_}"; done)
	if [[ $listed == "$expected" ]]; then
		ok "the generated table lists the schema's ${#methods[@]} methods, sorted, with their handlers"
	else
		bad "the generated table differs from the schema: $(diff <(echo "$expected") <(echo "$listed") | tr '\n' ' ')"
	fi
fi

# ---- notifications -----------------------------------------------------
used=$(grep -hoE '\bTUSK_N_[A-Z0-9_]+' "${daemon_c[@]}" | sort -u)
declare -A macro_of=()
for n in "${notes[@]}"; do
	id=${n//./_}
	macro=TUSK_N_${id^^}
	macro_of[$macro]=$n
	if grep -qx "$macro" <<<"$used"; then
		ok "schema notification $n is emitted by the daemon ($macro)"
	else
		bad "schema notification $n is never emitted by the daemon (no use of $macro in daemon/): emit it or remove it from the schema"
	fi
	lit=$(grep -nF "\"$n\"" "${daemon_c[@]}")
	if [[ -n $lit ]]; then
		bad "notification $n is spelled as a literal in daemon/ (use $macro): $lit"
	fi
done
while read -r macro; do
	[[ -n $macro ]] || continue
	if [[ -z ${macro_of[$macro]:-} ]]; then
		bad "the daemon emits $macro, which the schema does not have: add the notification to the schema first"
	fi
done <<<"$used"
# A name passed as a literal to anything that sends or emits a notification
# would bypass the generated names.
lit=$(grep -nE '\b(server_emit|[a-z_]*emit[a-z_]*|notify|tusk_rpc_notification|rpc_check_notification)\s*\(([^;"]*,)?\s*"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*"' \
	"${daemon_c[@]}")
if [[ -n $lit ]]; then
	bad "a notification is emitted by a literal name, not its TUSK_N_ macro: $lit"
else
	ok "every notification the daemon emits is named through its TUSK_N_ macro"
fi

# ---- topics ------------------------------------------------------------
schema_topics=$(jq -r '.topics // [] | .[].name' "${schema_files[@]}" | sort)
daemon_topics=$(sed -n '/topic_names\[\] = {/,/};/p' "$src/daemon/server.c" |
	grep -oE '"[a-z_]+"' | tr -d '"' | sort)
if [[ -n $schema_topics && $schema_topics == "$daemon_topics" ]]; then
	ok "the daemon's event topics are the schema's: $(echo $schema_topics)"
else
	bad "event topics differ: schema [$(echo $schema_topics)], daemon/server.c [$(echo $daemon_topics)]"
fi

# ---- clients -----------------------------------------------------------
# tuskctl and the window name methods by TUSK_M_ and build params with
# protocol/req.h: no method literal and no hand-packed params at a call.
mapfile -t client_c < <(find "$src/client-cli" "$src/client-gtk" -name '*.c' | sort)
calls='(ctl_call|call_and_print|tusk_client_call|tusk_client_send|tusk_rpc_call_async|tusk_rpc_send)'
lit=$(grep -nE "$calls\(([^,;]*,)?\s*\"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\"" "${client_c[@]}")
if [[ -n $lit ]]; then
	bad "a client names a method by a literal, not its TUSK_M_ macro: $lit"
else
	ok "tuskctl and the window name every method they call by its TUSK_M_ macro"
fi
packed=$(grep -nE -A2 "$calls\(" "${client_c[@]}" | grep -E 'json_pack\("\{' || true)
set_params=$(grep -nE 'json_object_set(_new)?\(params,' "${client_c[@]}" || true)
if [[ -n $packed$set_params ]]; then
	bad "a client builds request params by hand instead of with protocol/req.h: $packed $set_params"
else
	ok "tuskctl and the window build request params with protocol/req.h"
fi

echo "1..$checks"
echo "$((checks - failures)) passed, $failures failed"
[[ $failures -eq 0 ]]
