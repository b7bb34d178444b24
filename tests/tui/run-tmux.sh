#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# End-to-end test of the state view (--tui) in a real terminal: tmux on a
# private socket, fixed window sizes, TERM=xterm-256color unless a case says
# otherwise. Each case runs
#   bash -c 'flowstate --tui -r ...; echo FS_EXITED $?; sleep 60'
# in a detached session, waits (polling capture-pane, at most ~10 s) for the
# final table, drives keys with send-keys (mouse events as the SGR 1006
# sequences a terminal sends), and asserts on capture-pane text: every key
# of the help screen, the marks and the age columns, the state bar, the red
# drop warning, sorting by click, selection by click and double click, wheel
# scrolling, footer buttons, resizes 80x24 <-> 200x60 (the wide columns
# appear and go), monochrome and TERM=vt100 marks, --workers 2, and that q
# restores the terminal (alternate screen off, FS_EXITED 0 printed).
# Needs tmux (tests/lib/require.sh: SKIP without it, FAIL under
# FLOWSTATE_REQUIRE_ALL=1). Cost: about 40 s.
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
# wait_for_sel <regex>: polls until the selected row matches
wait_for_sel() {
    local _
    for _ in $(seq 1 50); do
        if selected_row_has "$1"; then return 0; fi
        sleep 0.1
    done
    return 1
}
wait_for_gone() {
    local _
    for _ in $(seq 1 50); do
        if hasnt "$1"; then return 0; fi
        sleep 0.1
    done
    return 1
}
wait_for_width() { # until no line is wider than $1
    local _
    for _ in $(seq 1 50); do
        if [ "$(max_width)" -le "$1" ]; then return 0; fi
        sleep 0.1
    done
    return 1
}
no_colour() { ! tm capture-pane -e -p -t fs | grep -qE $'\e\\[[0-9;]*(3[0-7]|4[0-7]|38;|48;)[0-9;]*m'; }
drops_red() { tm capture-pane -e -p -t fs | grep 'connections' | grep -q $'\e\\[[0-9;]*41m'; }

# mouse: SGR 1006 sequences (what xterm sends once the program asked for them);
# x and y are 0-based cells here, 1-based on the wire
click() { tm send-keys -t fs -l $'\e'"[<0;$(($2 + 1));$(($1 + 1))M"$'\e'"[<0;$(($2 + 1));$(($1 + 1))m"; }
wheel_down() { tm send-keys -t fs -l $'\e'"[<65;$(($2 + 1));$(($1 + 1))M"; }
wheel_up() { tm send-keys -t fs -l $'\e'"[<64;$(($2 + 1));$(($1 + 1))M"; }
# 0-based screen line holding a regex, and the column of a text in it
line_of() { screen | grep -n -e "$1" | head -1 | cut -d: -f1 | awk '{ print $1 - 1 }'; }
col_of() { screen | sed -n "$(($1 + 1))p" | awk -v t="$2" '{ print index($0, t) - 1 }'; }
selected_row_has() { # the selected row has a cyan (or, stuck, magenta) background
    tm capture-pane -e -p -t fs | grep -e "$1" | grep -q $'\e\\[[0-9;]*4[56]m'
}

# ---- 1: half-open CLOSE_WAIT, 100x30 --------------------------------------------
start 100 30 -- --tui -r "$caps/half-open-close-wait.pcap"
check "final table appears" wait_for 'end of input'
check "alternate screen in use" alt_on
check "CLOSE_WAIT row with its stuck time" has 'FIN_WAIT_2 *CLOSE_WAIT *12s'
check "stuck row carries the * mark" has '^\* *192\.0\.2\.10:40001'
check "header counts stuck" has 'stuck 1 '
check "state bar with its legend" has 'at end \[2*W*\] 2 FIN_WAIT_2 1 W CLOSE_WAIT 1'
check "age columns named by meaning" has 'Stuck  InState'
check "default sort is state, stuck first" has 'sort: state (stuck first)'
key s
check "s changes the sort key and indicator" wait_for 'sort: stuck'
check "indicator on the Stuck column" has 'Stuck v'
key r
check "r reverses" wait_for 'sort: stuck (reversed)'
check "reversed indicator" has 'Stuck \^'
key S
check "S goes back to the previous key" wait_for 'sort: state (reversed)'
key I
check "I reverses too (htop)" wait_for 'sort: state (stuck first)'
key '>'
check "> is the next key" wait_for 'sort: stuck  '
key '<'
check "< is the previous key" wait_for 'sort: state (stuck first)'
key F6
check "F6 is the next key" wait_for 'sort: stuck  '
key S
key Enter
check "Enter opens the detail pane (history)" wait_for 'history ShADdFa'
check "detail shows conn_state and stuck" has 'conn_state S2'
check "detail shows both endpoints" has 'server 198.51.100.20:80'
check "detail shows the current rates" has 'rate (last 5s of capture) to server'
key Escape
check "Esc closes the detail pane" wait_for 'C-State'
key Enter
wait_for 'history ShADdFa' >/dev/null
key Left
check "Left closes the detail pane" wait_for 'C-State'
key h
check "h opens the help screen" wait_for 'flowstate state view: keys'
check "help says what closes it" has 'any key closes this help'
check "help lists j/k/g/G" has 'Up/Down, k/j'
check "help lists the marks" has 'Marks: \* stuck  ! protocol violations  ? state inferred'
key x
check "any key closes the help" wait_for 'C-State'
key '?'
check "? opens the help" wait_for 'flowstate state view: keys'
key Enter
check "Enter closes the help" wait_for 'C-State'
key F1
check "F1 opens the help" wait_for 'flowstate state view: keys'
key Escape
check "Esc closes the help" wait_for 'C-State'
key p
check "p does nothing on the final table (nothing more comes)" hasnt 'PAUSED'
key q
check "q ends the program with status 0" wait_for 'FS_EXITED 0'
if alt_on; then not_ok "alternate screen gone after q"; else ok "alternate screen gone after q"; fi
check "no table left on the normal screen" hasnt 'end of input'

# ---- 2: several connections, sort, filter, moves ----------------------------------
start 100 30 -- --tui -r "$caps/port-reuse.pcap" -r "$caps/half-open-close-wait.pcap" \
    -r "$caps/syn-unanswered.pcap" -r "$caps/tcp-3whs-close.pcap" \
    -r "$caps/retrans-ooo-dupack-zerowin.pcap" -r "$caps/rst-out-of-window.pcap"
check "final table with several connections" wait_for 'rows 7 of 7'
first=$(row_order)
check "stuck rows listed first" starts_with "$first" "192.0.2.10:40002 192.0.2.10:40001 "
check "violation mark shown" has '^ ! *192\.0\.2\.10:40006'
check "stuck rows marked * (SYN_SENT and CLOSE_WAIT)" test "$(screen | grep -c '^\* ')" = 2
key s s s s s s # state -> stuck -> in-state -> idle -> dur -> pkts -> bytes
check "sort by bytes" wait_for 'sort: bytes'
second=$(row_order)
check "sorting changes the row order" test "$first" != "$second"
check "largest transfer first" starts_with "$second" "192.0.2.10:40011 "
check "the selection follows its connection through the sort (htop)" wait_for_sel '192\.0\.2\.10:40002'
key g
check "g selects the first row" wait_for_sel '192\.0\.2\.10:40011'
key Down
check "Down moves the selection" wait_for_sel "$(echo "$second" | cut -d' ' -f2)"
key j
check "j moves down" wait_for_sel "$(echo "$second" | cut -d' ' -f3)"
key k
check "k moves up" wait_for_sel "$(echo "$second" | cut -d' ' -f2)"
key Up
check "Up moves up" wait_for_sel '192\.0\.2\.10:40011'
key G
check "G selects the last row" wait_for_sel "$(echo "$second" | cut -d' ' -f7)"
key g
check "g again selects the first row" wait_for_sel '192\.0\.2\.10:40011'
key End
check "End selects the last row" wait_for_sel "$(echo "$second" | cut -d' ' -f7)"
key Home
check "Home selects the first row" wait_for_sel '192\.0\.2\.10:40011'
key NPage
check "PgDn moves a page (to the last of 7)" wait_for_sel "$(echo "$second" | cut -d' ' -f7)"
key PPage
check "PgUp moves a page back" wait_for_sel '192\.0\.2\.10:40011'
key Enter
wait_for 'history' >/dev/null
key n
check "n in the detail pane: the next connection" wait_for "$(echo "$second" | cut -d' ' -f2) ->"
key N
check "N: the previous one" wait_for '192\.0\.2\.10:40011 ->'
key Escape
key f
tm send-keys -t fs -l 'close-wait'
key Enter
check "filter close-wait applied" wait_for 'filter: close-wait  rows 1 of 7'
check "only the CLOSE_WAIT row remains" test "$(rows)" = 1
check "the remaining row is the CLOSE_WAIT one" has 'FIN_WAIT_2 *CLOSE_WAIT'
check "TIME_WAIT rows filtered out" no_row_has TIME_WAIT
key Escape
check "Esc in the table clears the filter" wait_for 'filter: -  rows 7 of 7'
key /
tm send-keys -t fs -l ':40006'
key Enter
check "/ filters by address/port text" wait_for 'rows 1 of 7'
check "text filter keeps the matching port" has '192\.0\.2\.10:40006'
key '\'
key C-u
tm send-keys -t fs -l 'syn-sent'
key Enter
check "\\ and Ctrl-U: a new filter" wait_for 'filter: syn-sent  rows 1 of 7'
key F4
key BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace
tm send-keys -t fs -l 'stuck'
key Enter
check "F4 and Backspace: the stuck filter" wait_for 'filter: stuck  rows 2 of 7'
key F3 Escape
check "F3, then Esc at the prompt clears the filter" wait_for 'filter: -  rows 7 of 7'

# resize to 80x24: KEY_RESIZE redraws, columns drop to fit, nothing wraps
tm resize-window -t fs -x 80 -y 24
check "80x24: redrawn after the resize" wait_for 'rows 7 of 7'
wait_for_width 80 >/dev/null || true
check "80x24: no line wider than 80" test "$(max_width)" -le 80
check "80x24: CLOSE_WAIT and its stuck time still visible" has 'CLOSE_WAIT *12s'
check "80x24: marks still visible" has '^\* *192\.0\.2\.10:40001'
check "80x24: no wide columns" hasnt 'History'
check "80x24: footer on the last line" line_has 24 'q Quit'
# and to 200x60: the columns the text table has appear
tm resize-window -t fs -x 200 -y 60
check "200x60: redrawn" wait_for 'History'
check "200x60: the wide columns appear" has 'Idle *Dur *Pkts *Bytes[ v]*C>S B/s *S>C B/s *Retr *RTTms *Viol *Handshake *Close *Zeek *History'
check "200x60: lines use the width" test "$(max_width)" -gt 120
check "200x60: no line wider than 200" test "$(max_width)" -le 200
check "200x60: history cell of the CLOSE_WAIT connection" has 'CLOSE_WAIT .*complete *half *S2 *ShADdFa'
tm resize-window -t fs -x 80 -y 24
check "back to 80x24: the wide columns go" wait_for_gone 'History'
check "back to 80x24: no line wider than 80" test "$(max_width)" -le 80
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
check "--workers 2: the same marks" test "$(screen | grep -c '^\* ')" = 2
key F10
check "--workers 2: F10 ends the program with status 0" wait_for 'FS_EXITED 0'

# ---- 2c: mouse -------------------------------------------------------------------------
start 100 30 -- --tui -r "$caps/port-reuse.pcap" -r "$caps/half-open-close-wait.pcap" \
    -r "$caps/syn-unanswered.pcap" -r "$caps/tcp-3whs-close.pcap" \
    -r "$caps/retrans-ooo-dupack-zerowin.pcap" -r "$caps/rst-out-of-window.pcap"
check "mouse: final table" wait_for 'rows 7 of 7'
y=$(line_of '192\.0\.2\.10:40006')
click "$y" 10
check "mouse: a click selects the row" wait_for_sel '192\.0\.2\.10:40006'
click "$y" 10
click "$y" 10
check "mouse: a double click opens its detail" wait_for '192\.0\.2\.10:40006 ->'
key Escape
wait_for 'C-State' >/dev/null
t=$(line_of 'Mrk Client')
click "$t" "$(col_of "$t" Bytes)"
check "mouse: a click on a column title sorts by it" wait_for 'sort: bytes  '
check "mouse: the indicator moves to it" has 'Bytes v'
click "$t" "$(col_of "$t" Bytes)"
check "mouse: a second click reverses" wait_for 'sort: bytes (reversed)'
key g
wheel_down "$((t + 2))" 10
check "mouse: the wheel scrolls down (3 rows)" wait_for_sel "$(row_order | cut -d' ' -f4)"
wheel_up "$((t + 2))" 10
check "mouse: the wheel scrolls up" wait_for_sel "$(row_order | cut -d' ' -f1)"
click 29 "$(col_of 29 'h Help')"
check "mouse: footer keys are buttons (h Help)" wait_for 'flowstate state view: keys'
click 10 10
check "mouse: a click closes the help" wait_for 'C-State'
click 29 "$(col_of 29 'q Quit')"
check "mouse: q Quit in the footer quits" wait_for 'FS_EXITED 0'

# ---- 3: 80x24 from the start, monochrome ----------------------------------------
start 80 24 NO_COLOR=1 -- --tui -r "$caps/half-open-close-wait.pcap"
check "80x24 mono: final table" wait_for 'end of input'
check "80x24 mono: stuck row with its stuck time" has 'CLOSE_WAIT *12s'
check "mono: stuck row highlighted without colours" mono_stuck_row
check "mono: the mark is a character" has '^\* *192\.0\.2\.10:40001'
key q
check "mono: q quits" wait_for 'FS_EXITED 0'

# ---- 3b: TERM=vt100: no colours, no mouse; marks and the bar still readable --------
start 80 24 TERM=vt100 -- --tui -r "$caps/port-reuse.pcap" -r "$caps/half-open-close-wait.pcap" \
    -r "$caps/syn-unanswered.pcap" -r "$caps/rst-out-of-window.pcap"
check "vt100: final table" wait_for 'end of input'
check "vt100: no colour in the output" no_colour
check "vt100: stuck marks" test "$(screen | grep -c '^\* ')" = 2
check "vt100: violation mark" has '^ ! *192\.0\.2\.10:40006'
check "vt100: the state bar in letters" has 'at end \[SS*2*W*T*X*\]'
check "vt100: no line wider than 80" test "$(max_width)" -le 80
key q
check "vt100: q quits" wait_for 'FS_EXITED 0'

# ---- 4: drops: a full table (--max-flows 1) turns the header red and says so -------
start 100 30 -- --tui --max-flows 1 -r "$caps/port-reuse.pcap" -r "$caps/half-open-close-wait.pcap"
check "drops: final table" wait_for 'end of input'
check "drops: counted in the header" has 'DROPS [0-9]'
check "drops: what they mean for the states shown" has 'connections evicted to make room\|their connections are missing'
check "drops: the warning is red" drops_red
key q
check "drops: q quits" wait_for 'FS_EXITED 0'

# ---- 5: --speed 0 ends on the final table; --tui-rows; no terminal: clear error -------
start 100 30 -- --tui --speed 0 -r "$caps/port-reuse.pcap"
check "--speed 0 reaches the final table" wait_for 'end of input'
key q
check "--speed 0: q quits" wait_for 'FS_EXITED 0'

start 100 30 -- --tui --tui-rows 2 -r "$caps/port-reuse.pcap" -r "$caps/half-open-close-wait.pcap" \
    -r "$caps/syn-unanswered.pcap"
check "--tui-rows 2: the bound is kept" wait_for 'rows 2 of 2'
check "--tui-rows 2: the truncation is shown" has 'more not kept: --tui-rows 2'
check "--tui-rows 2: the stuck ones are the ones kept" test "$(screen | grep -c '^\* ')" = 2
key q
check "--tui-rows: q quits" wait_for 'FS_EXITED 0'

out=$(mktemp "${TMPDIR:-/tmp}/fs-tui.XXXXXX")
status=0
"$FLOWSTATE" --tui -r "$caps/half-open-close-wait.pcap" </dev/null >"$out" 2>&1 || status=$?
check "not a terminal: exit status 2" test "$status" = 2
check "not a terminal: clear message" grep -q -e '--tui needs a terminal' "$out"
rm -f "$out"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
