#!/usr/bin/env bash
# The bash and zsh completion scripts and the man pages: both scripts load
# without errors; bash completes commands, sub-commands, saved connection
# names after -d and group names after --group (asked from the daemon);
# zsh, driven in a real terminal, completes a saved connection after -d;
# tuskctl(1) and tuskd(8) render with man -l without warnings; cmake
# --install puts all four where bash-completion, zsh and man look.
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
tusk_test_init
tuskd_start
root=$(cd "$(dirname "$0")/../.." && pwd)

tctl group add zgroupone >/dev/null || fail "group add"
tctl conn add zconnalpha "postgresql://u@localhost/a" --group zgroupone >/dev/null || fail "conn add"
tctl conn add zconnbeta "postgresql://u@localhost/b" >/dev/null || fail "conn add"

# ---- bash -----------------------------------------------------------------------
# complete_bash WORD...: COMPREPLY for the last word, one per line.
complete_bash() {
	TUSK_SOCKET=$TUSKD_SOCKET bash --norc --noprofile -c '
		set -u
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_tuskctl
		printf "%s\n" "${COMPREPLY[@]}"' _ "$root/completion/tuskctl.bash" "$TUSKCTL" "$@"
}
assert_rc 0 "the bash script loads" bash --norc --noprofile -c ". '$root/completion/tuskctl.bash'"
assert_eq "$ERR" "" "without messages"
run complete_bash co
assert_eq "$OUT" $'complete\nconn' "commands"
run complete_bash conn s
assert_eq "$OUT" $'show\nstatus' "sub-commands"
run complete_bash -d zconn
assert_eq "$(sort <<<"$OUT")" $'zconnalpha\nzconnbeta' "saved connection names after -d, from the daemon"
run complete_bash conn add x y --group zg
assert_eq "$OUT" "zgroupone" "group names after --group"
run complete_bash conn show zconna
assert_eq "$OUT" "zconnalpha" "a connection name after conn show"
run complete_bash query --fo
assert_eq "$OUT" "--format" "flags"

# ---- zsh, in a terminal -----------------------------------------------------------------
command -v zsh >/dev/null || fail "zsh is not installed (scripts/deps install test)"
assert_rc 0 "the zsh script parses" zsh -n "$root/completion/_tuskctl"
S="tusk-zsh-$$"
tm() { tmux -L "$S" "$@"; }
at_exit "tmux -L $S kill-server >/dev/null 2>&1"
bindir=$(dirname "$TUSKCTL")
tm new-session -d -s z -x 150 -y 30 \
	"env -i HOME=$T TERM=xterm PATH=$bindir:/usr/bin:/bin TUSK_SOCKET=$TUSKD_SOCKET zsh -f"
screen() { tm capture-pane -p -t z -S -100; }
on_screen() { screen | grep -qF -- "$1"; }
tm send-keys -t z -l "fpath=($root/completion \$fpath); autoload -Uz compinit; compinit -u -d $T/zcd; PS1='z%% '; print RE''ADY"
tm send-keys -t z Enter
wait_until 10 on_screen READY || fail "zsh did not start" "$(screen)"
tm send-keys -t z -l "tuskctl -d zconna"
tm send-keys -t z Tab
if wait_until 10 on_screen "tuskctl -d zconnalpha"; then
	pass "zsh completes a saved connection after -d"
else
	flunk "zsh completes a saved connection after -d" "$(screen | tail -n 5)"
fi
tm send-keys -t z C-u
tm send-keys -t z -l "tuskctl sta"
tm send-keys -t z Tab
if wait_until 10 on_screen "tuskctl status"; then pass "zsh completes commands"; else flunk "zsh completes commands" "$(screen | tail -n 5)"; fi
assert_not_contains "$(screen)" "command not found" "no errors in zsh"
assert_not_contains "$(screen)" "_tuskctl:" "no errors from the function"

# ---- man pages and install ------------------------------------------------------------
for page in man/tuskctl.1 man/tuskd.8; do
	run env MANWIDTH=80 man --warnings -l "$root/$page"
	assert_eq "$RC" 0 "$page renders"
	assert_eq "$ERR" "" "$page renders without warnings"
	assert_contains "$OUT" "SYNOPSIS" "$page has a synopsis"
done
run env MANWIDTH=80 man -l "$root/man/tuskctl.1"
assert_contains "$OUT" "130" "tuskctl(1) documents exit 130"
if [[ -n ${TUSK_BUILD_DIR:-} ]]; then
	assert_rc 0 "cmake --install" cmake --install "$TUSK_BUILD_DIR" --prefix "$T/prefix"
	assert_exists "$T/prefix/share/man/man1/tuskctl.1" "tuskctl.1 installed"
	assert_exists "$T/prefix/share/man/man8/tuskd.8" "tuskd.8 installed"
	assert_exists "$T/prefix/share/bash-completion/completions/tuskctl" "bash completion installed"
	assert_exists "$T/prefix/share/zsh/site-functions/_tuskctl" "zsh completion installed"
fi

tuskd_stop
