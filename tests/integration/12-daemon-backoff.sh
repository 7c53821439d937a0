#!/usr/bin/env bash
# 12-daemon-backoff: a failing source backs off (min(interval, 30) s,
# doubling up to 3600 s, or what Retry-After says on a 429 or 503), counts
# its failures in --status, and does not hold up the others; a source that
# works again is back to normal.  Conditional requests: a poll whose list is
# unchanged gets a 304, writes nothing and fetches no text.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

t_begin 12-daemon-backoff "backoff, Retry-After, --status failures, 304 polls"

G1=NW202206010000000001
G2=NW202206010000000002
G3=NW202206010000000003
G4=NW202206010000000004
D1=NW202206050000000031
LIST37=$(ere "$(market_path 37)")
LIST38=$(ere "$(market_path 38)")

# "next try in N s" of the failures of SOURCE, in order, one per line.
next_tries() {
	sed -n "s/.*source $1: poll failed: .*; next try in \\([0-9]*\\) s\$/\\1/p" "$DAEMON_ERR"
}

# status_of NAME: runs --status; LINE is NAME's line, DETAIL the indented
# line below it (a failing source's error), or nothing.
status_of() {
	status_run 1
	LINE=$(grep -E "^$1 " "$RUN_OUT") || fail "--status has no line for $1: $(cat "$RUN_OUT")"
	DETAIL=$(grep -A1 -E "^$1 " "$RUN_OUT" | sed -n '2{/^ /p}')
	echo "    $LINE"
	[ -z "$DETAIL" ] || echo "    $DETAIL"
}

mock_market 37 "$G1" "$G2"
mock_market 38 "$D1"
route_set "$(market_path 38)" '{"status": 500}'
REFUSED=$(free_port)
mock_start
conf_begin interval=3600 timeout=5
conf_source_market good 37
conf_source_market bad 38
conf_source_fast refused "http://127.0.0.1:$REFUSED"

echo "start: good is written, bad (HTTP 500) and refused (nothing listening) fail"
daemon_start -- -v
wait_for 15 "good's posts are written" posts_exist "$G1" "$G2"
wait_failures 1 bad "bad's first poll ends"
wait_failures 1 refused "refused's first poll ends"
assert_grep "bad's failure names the HTTP status" "$DAEMON_ERR" \
    'source bad: poll failed: .*500.*; next try in [0-9]+ s$'
assert_grep "refused's failure is logged" "$DAEMON_ERR" \
    'source refused: poll failed: .*; next try in [0-9]+ s$'

echo "SIGUSR1 twice more: every failure doubles the delay, from 30 s"
for n in 2 3; do
	daemon_signal USR1
	wait_failures "$n" bad "bad's poll $n ends"
	wait_failures "$n" refused "refused's poll $n ends"
	wait_polls "$n" good "good's poll $n ends"
done
assert_eq "30 60 120" "$(next_tries bad | xargs)" "bad: next try in 30, 60, 120 s"
assert_eq "30 60 120" "$(next_tries refused | xargs)" "refused: next try in 30, 60, 120 s"

echo "meanwhile good goes on"
mock_market 37 "$G1" "$G2" "$G3"
daemon_signal USR1
wait_for 10 "G3 is written while two sources fail" posts_exist "$G3"
wait_failures 4 bad "bad's poll 4 ends"
wait_failures 4 refused "refused's poll 4 ends"
assert_eq "30 60 120 240" "$(next_tries bad | xargs)" "bad: then 240 s"

echo "--status while the daemon runs"
status_of bad
say "bad: 4 failures, and its error on the line below"
case $LINE in
*" 4 failures") ;;
*) fail "bad's --status line: $LINE" ;;
esac
case $DETAIL in
" "*"HTTP status 500") ;;
*) fail "bad's --status error line: $DETAIL" ;;
esac
say "bad: NEXT POLL is LAST POLL + 240 s"
gap=$(($(date -d "$(echo "$LINE" | awk '{ print $4, $5 }')" +%s) -
    $(date -d "$(echo "$LINE" | awk '{ print $2, $3 }')" +%s)))
[ "$gap" -eq 240 ] || fail "bad: next poll $gap s after the last, expected 240"
status_of refused
say "refused: 4 failures"
case $LINE in
*" 4 failures") ;;
*) fail "refused's --status line: $LINE" ;;
esac
say "every line of --status fits 80 columns"
awk 'length($0) > 80 { print; bad = 1 } END { exit bad }' "$RUN_OUT" ||
    fail "--status has lines longer than 80 columns"
status_of good
say "good: 3 posts, no failure"
case $LINE in
*failure*) fail "good's --status line counts failures: $LINE" ;;
esac
say "good: NEXT POLL is LAST POLL + the interval + up to 10 % (at most 30 s)"
gap=$(($(date -d "$(echo "$LINE" | awk '{ print $4, $5 }')" +%s) -
    $(date -d "$(echo "$LINE" | awk '{ print $2, $3 }')" +%s)))
if [ "$gap" -lt 3600 ] || [ "$gap" -gt 3631 ]; then
	fail "good: next poll $gap s after the last, expected 3600 to 3630"
fi
assert_eq 3 "$(echo "$LINE" | awk '{ print $6 }')" "good's POSTS column"
assert_grep "--status: total line, 2 failing, 3 posts" "$RUN_OUT" \
    '^total: 3 sources, 2 failing, 3 posts'

echo "503 with Retry-After: 120, then 429 with Retry-After as an HTTP date"
route_set "$(market_path 38)" '{"status": 503, "headers": {"Retry-After": "120"}}'
daemon_signal USR1
wait_failures 5 bad "bad's poll 5 ends"
assert_eq 120 "$(next_tries bad | tail -n 1)" "bad: next try in 120 s, as Retry-After says"
wait_failures 5 refused "refused's poll 5 ends"
wait_polls 5 good "good's poll 5 ends"
when=$(python3 -c 'import email.utils, time; print(email.utils.formatdate(time.time() + 300, usegmt=True))')
route_set "$(market_path 38)" "{\"status\": 429, \"headers\": {\"Retry-After\": \"$when\"}}"
daemon_signal USR1
wait_failures 6 bad "bad's poll 6 ends"
n=$(next_tries bad | tail -n 1)
say "bad: next try in about 300 s (Retry-After: $when), got $n"
if [ "$n" -lt 240 ] || [ "$n" -gt 300 ]; then
	fail "next try in $n s after Retry-After: $when"
fi
wait_failures 6 refused "refused's poll 6 ends"
wait_polls 6 good "good's poll 6 ends"

echo "bad works again: its post is written, its failures reset"
mock_market 38 "$D1"
daemon_signal USR1
wait_for 10 "D1 is written once bad answers" posts_exist "$D1"
wait_polls 7 bad "bad's poll 7 ends"
wait_failures 7 refused "refused's poll 7 ends"
wait_polls 7 good "good's poll 7 ends"
status_of bad
say "bad: ok, 1 post, no failure count"
case $LINE in
*failure*) fail "bad's --status line still counts failures: $LINE" ;;
esac
assert_eq 1 "$(echo "$LINE" | awk '{ print $6 }')" "bad's POSTS column"
assert_grep "--status: 1 failing, 4 posts" "$RUN_OUT" '^total: 3 sources, 1 failing, 4 posts'

echo "conditional requests: an unchanged list gets a 304 and writes nothing"
snap=$(snapshot_mtimes "$T_SITE")
rows=$(sql "select info_code, fetched_at, path from posts order by 1")
sleep 0.1
touch "$TMP/marker"
sleep 0.1
mock_log_mark
daemon_signal USR1
wait_polls 8 good "good's poll 8 ends"
wait_polls 8 bad "bad's poll 8 ends"
wait_failures 8 refused "refused's poll 8 ends"
assert_requested "good's list answered 304" "^GET $LIST37 304\$"
assert_requested "bad's list answered 304" "^GET $LIST38 304\$"
assert_eq "" "$(mock_text_ids_since)" "no text was fetched"
assert_eq "" "$(cd "$T_SITE" && find . -newer "$TMP/marker" | sort)" \
    "no file or folder in the site was written"
assert_eq "$snap" "$(snapshot_mtimes "$T_SITE")" "the same files with the same mtimes"
assert_eq "$rows" "$(sql "select info_code, fetched_at, path from posts order by 1")" \
    "the same rows"
assert_grep "good: not modified" "$DAEMON_ERR" 'source good: not modified'

echo "and again: still 304, still nothing written"
mock_log_mark
daemon_signal USR1
wait_polls 9 good "good's poll 9 ends"
wait_polls 9 bad "bad's poll 9 ends"
wait_failures 9 refused "refused's poll 9 ends"
assert_requested "good's list answered 304 again" "^GET $LIST37 304\$"
assert_eq "" "$(mock_text_ids_since)" "no text was fetched"
assert_eq "" "$(cd "$T_SITE" && find . -newer "$TMP/marker" | sort)" \
    "still no file or folder written"

echo "a changed list is fetched in full again"
mock_market 37 "$G1" "$G2" "$G3" "$G4"
mock_log_mark
daemon_signal USR1
wait_for 10 "G4 is written" posts_exist "$G4"
assert_requested "good's list answered 200" "^GET $LIST37 200\$"
assert_eq "$G4" "$(mock_text_ids_since)" "only G4's text was fetched"
wait_failures 10 refused "refused's poll 10 ends"

daemon_stop TERM
daemon_expect_rc 0
assert_no_tmp_files

echo "a source whose interval is under 30 s backs off from its interval"
conf_begin interval=3600
conf_source_market bad 38 "" interval=7
route_set "$(market_path 38)" '{"status": 500}'
daemon_start -- -v
wait_failures 1 bad "bad's first poll ends"
daemon_stop TERM
daemon_expect_rc 0
assert_eq 7 "$(next_tries bad | head -n 1)" "bad (interval 7): next try in 7 s"

echo "the timers: interval 1 s, no signal; a failing source (a new one) backs off 1, 2, 4 s"
conf_begin interval=1
conf_source_market good 37
conf_source_market flaky 38
lists=$(mock_count "GET $LIST37 ")
daemon_start -- -v
wait_for 20 "good is polled three times: at the start, then by its timer" \
    mock_has_at_least $((lists + 3)) "GET $LIST37 "
wait_failures 3 flaky "flaky fails three times, by its timer" 20
daemon_stop TERM
daemon_expect_rc 0
assert_eq "1 2 4" "$(next_tries flaky | head -n 3 | xargs)" "flaky: next try in 1, 2, 4 s"
assert_eq 0 "$(log_count SIGUSR1)" "no signal was involved"

mock_stop
