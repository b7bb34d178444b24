#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# End-to-end test of the state view (--tui) in a real terminal: tmux on a
# private socket, fixed window sizes, TERM=xterm-256color. Each case runs
#   bash -c 'flowstate --tui -r ...; echo FS_EXITED $?; sleep 60'
# in a detached session, waits (polling capture-pane, at most ~10 s) for the
# final table, drives keys with send-keys, and asserts on capture-pane text:
# stuck row with its age, sort indicator and order, ss-style filter, detail
# pane, help, 80x24 layout after a resize, monochrome attributes, and that q
# restores the terminal (alternate screen off, FS_EXITED 0 printed).
# Needs tmux (tests/lib/require.sh: SKIP without it, FAIL under
# FLOWSTATE_REQUIRE_ALL=1). Cost: ~30 s.
set -euo pipefail
: "${FLOWSTATE:?}" "${SRCDIR:?}"

caps="$SRCDIR/captures"
sock="fs-tui-$$"
pass=0
fail=0

. "$SRCDIR/tests/lib/require.sh"
require_tool tmux

tm() { tmux -L "$sock" -f /dev/null "$@"; }
cleanup() { tm kill-server >/dev/null 2>&1 || true; }
trap cleanup EXIT
# a session that outlives the cases keeps the server up between them
tm new-session -d -s keep -x 80 -y 24 'sleep 600'

ok() { pass=$((pass + 1)); echo "ok   $1"; }
not_ok() {
    fail=$((fail + 1))
    echo "FAIL $1"
    echo "---- screen ----"
    screen | sed 's/^/    /'
    echo "----------------"
}
check() { # check <name> <command...>
    local name=$1
    shift
    if "$@"; then ok "$name"; else not_ok "$name"; fi
}

screen() { tm capture-pane -p -t fs 2>/dev/null || true; }
has() { screen | grep -q -e "$1"; }
hasnt() { ! screen | grep -q -e "$1"; }
# table rows: the lines after the column titles that hold an address
rows() { screen | sed -n '6,$p' | grep -c ':[0-9]' || true; }

# wait_for <regex>: polls the pane for up to ~10 s
wait_for() {
    local _
    for _ in $(seq 1 100); do
        if has "$1"; then return 0; fi
        sleep 0.1
    done
    return 1
}

# start <cols> <rows> [VAR=value...] -- <flowstate args...>
start() {
    local cols=$1 lines=$2
    shift 2
    local envs=() args=() q
    while [ "$1" != "--" ]; do envs+=("$1"); shift; done
    shift
    args=("$@")
    printf -v q '%q ' "$FLOWSTATE" "${args[@]}"
    tm kill-session -t fs >/dev/null 2>&1 || true
    tm new-session -d -s fs -x "$cols" -y "$lines" \
        "env TERM=xterm-256color ${envs[*]} bash -c '$q; echo FS_EXITED \$?; sleep 60'"
    tm set-option -t fs status off >/dev/null
    tm resize-window -t fs -x "$cols" -y "$lines" >/dev/null 2>&1 || true
}

key() { tm send-keys -t fs "$@"; }
alt_on() { [ "$(tm display-message -p -t fs '#{alternate_on}')" = 1 ]; }
max_width() { screen | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }'; }
starts_with() { [[ "$1" == "$2"* ]]; }
no_row_has() { ! screen | sed -n '6,$p' | grep -q -e "$1"; }
line_has() { screen | sed -n "${1}p" | grep -q -e "$2"; }
# monochrome: the stuck row carries SGR attributes (bold/reverse/underline) but no colour
mono_stuck_row() {
    local line
    line=$(tm capture-pane -e -p -t fs | grep 'CLOSE_WAIT *12s' | head -1)
    [[ "$line" == *$'\e['* ]] && ! grep -qE $'\e\\[[0-9;]*(3[0-7]|4[0-7]|38;|48;)[0-9;]*m' <<<"$line"
}
row_order() { screen | sed -n '6,$p' | grep -o '192\.0\.2\.10:[0-9]*' | tr '\n' ' '; }

# ---- 1: half-open CLOSE_WAIT, 100x30 --------------------------------------------
start 100 30 -- --tui -r "$caps/half-open-close-wait.pcap"
check "final table appears" wait_for 'end of input'
check "alternate screen in use" alt_on
check "CLOSE_WAIT row with its stuck age" has 'FIN_WAIT_2 *CLOSE_WAIT *12s'
check "header counts stuck" has 'stuck 1'
check "header totals by state" has 'at end: FIN_WAIT_2 1 CLOSE_WAIT 1'
check "default sort is state, stuck first" has 'sort: state (stuck first)'
key s
check "s changes the sort key and indicator" wait_for 'sort: age'
check "indicator on the Age column" has 'Age v'
key r
check "r reverses" wait_for 'sort: age (reversed)'
key Enter
check "Enter opens the detail pane (history)" wait_for 'history ShADdFa'
check "detail shows conn_state and stuck" has 'conn_state S2'
check "detail shows both endpoints" has 'server 198.51.100.20:80'
key Escape
check "Esc closes the detail pane" wait_for 'C-State'
key h
check "h opens the help screen" wait_for 'flowstate state view: keys'
key x
check "any key closes the help" wait_for 'C-State'
key q
check "q ends the program with status 0" wait_for 'FS_EXITED 0'
if alt_on; then not_ok "alternate screen gone after q"; else ok "alternate screen gone after q"; fi
check "no table left on the normal screen" hasnt 'end of input'

# ---- 2: several connections, sort and filter ---------------------------------------
start 100 30 -- --tui -r "$caps/port-reuse.pcap" -r "$caps/half-open-close-wait.pcap" \
    -r "$caps/syn-unanswered.pcap" -r "$caps/tcp-3whs-close.pcap" \
    -r "$caps/retrans-ooo-dupack-zerowin.pcap" -r "$caps/rst-out-of-window.pcap"
check "final table with several connections" wait_for 'rows 7 of 7'
first=$(row_order)
check "stuck rows listed first" starts_with "$first" "192.0.2.10:40002 192.0.2.10:40001 "
check "violation mark shown" has '^! 192\.0\.2\.10:40006'
key s s # state -> age -> bytes
check "sort by bytes" wait_for 'sort: bytes'
second=$(row_order)
check "sorting changes the row order" test "$first" != "$second"
check "largest transfer first" starts_with "$second" "192.0.2.10:40011 "
key f
tm send-keys -t fs -l 'close-wait'
key Enter
check "filter close-wait applied" wait_for 'filter: close-wait  rows 1 of 7'
check "only the CLOSE_WAIT row remains" test "$(rows)" = 1
check "the remaining row is the CLOSE_WAIT one" has 'FIN_WAIT_2 *CLOSE_WAIT'
check "TIME_WAIT rows filtered out" no_row_has TIME_WAIT
key f C-u
tm send-keys -t fs -l ':40006'
key Enter
check "address/port text filter" wait_for 'rows 1 of 7'
check "text filter keeps the matching port" has '192\.0\.2\.10:40006'
key f Escape
check "Esc at the prompt clears the filter" wait_for 'filter: -  rows 7 of 7'
key f
tm send-keys -t fs -l 'stuck'
key Enter
check "stuck filter" wait_for 'rows 2 of 7'

# resize to 80x24: KEY_RESIZE redraws, columns drop to fit, nothing wraps
tm resize-window -t fs -x 80 -y 24
key f Escape
check "80x24: redrawn after the resize" wait_for 'rows 7 of 7'
check "80x24: no line wider than 80" test "$(max_width)" -le 80
check "80x24: CLOSE_WAIT and its age still visible" has 'CLOSE_WAIT *12s'
check "80x24: footer on the last line" line_has 24 'q Quit' 
key End
key Enter
check "80x24: detail of the last row" wait_for 'history'
key Enter
check "Enter closes the detail pane" wait_for 'C-State'
key q
check "q quits after resize" wait_for 'FS_EXITED 0'

# ---- 2b: the same with --workers 2: every worker's connections, same order --------
start 100 30 -- --tui --workers 2 -r "$caps/port-reuse.pcap" -r "$caps/half-open-close-wait.pcap" \
    -r "$caps/syn-unanswered.pcap" -r "$caps/tcp-3whs-close.pcap" \
    -r "$caps/retrans-ooo-dupack-zerowin.pcap" -r "$caps/rst-out-of-window.pcap"
check "--workers 2: final table with every connection" wait_for 'rows 7 of 7'
check "--workers 2: the same rows in the same order" test "$(row_order)" = "$first"
key q
check "--workers 2: q ends the program with status 0" wait_for 'FS_EXITED 0'

# ---- 3: 80x24 from the start, monochrome ----------------------------------------
start 80 24 NO_COLOR=1 -- --tui -r "$caps/half-open-close-wait.pcap"
check "80x24 mono: final table" wait_for 'end of input'
check "80x24 mono: stuck row with age" has 'CLOSE_WAIT *12s'
check "mono: stuck row highlighted without colours" mono_stuck_row
key q
check "mono: q quits" wait_for 'FS_EXITED 0'

# ---- 4: --speed 0 ends on the final table; no terminal: clear error --------------
start 100 30 -- --tui --speed 0 -r "$caps/port-reuse.pcap"
check "--speed 0 reaches the final table" wait_for 'end of input'
key q
check "--speed 0: q quits" wait_for 'FS_EXITED 0'

out=$(mktemp "${TMPDIR:-/tmp}/fs-tui.XXXXXX")
status=0
"$FLOWSTATE" --tui -r "$caps/half-open-close-wait.pcap" </dev/null >"$out" 2>&1 || status=$?
check "not a terminal: exit status 2" test "$status" = 2
check "not a terminal: clear message" grep -q -e '--tui needs a terminal' "$out"
rm -f "$out"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
