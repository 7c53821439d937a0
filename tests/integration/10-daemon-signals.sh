#!/usr/bin/env bash
# 10-daemon-signals: finewsd as a daemon, driven by signals.  SIGUSR1 polls
# every source now; SIGHUP re-reads the configuration (an invalid one is
# logged with FILE:LINE and the key, and the old one kept; a valid one is
# applied and every source polled, sources added, removed or changed); a
# signal that arrives during a poll is not lost; SIGTERM and SIGINT stop it
# within 5 s with exit 0, no temp file, a sound database, and every post file
# matching its row, even in the middle of a poll.  Last, a source whose
# configuration a SIGHUP fixes must read its list afresh: a 304 answered to
# the validators saved under the old configuration would leave its records
# unread.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

t_begin 10-daemon-signals "SIGUSR1, SIGHUP, signals during a poll, SIGTERM, SIGINT"

A1=NW202206010000000001
A2=NW202206010000000002
A3=NW202206010000000003
A4=NW202206010000000004
B1=NW202206020000000011
B2=NW202206020000000012
C1=NW202206030000000021
LIST37=$(ere "$(market_path 37)")

# The posts table and the post files agree: one file per row, one row per
# file.
assert_rows_match_files() {
	assert_eq "$(list_posts)" "$(sql 'select path from posts order by path')" \
	    "$1: every post file has its row and every row its file"
}

assert_db_ok() {
	assert_eq ok "$(sqlite3 "$T_DB" 'PRAGMA integrity_check')" \
	    "$1: the database passes integrity_check"
}

mock_market 37 "$A1" "$A2"
mock_market 38 "$B1" "$B2"
mock_market 39 "$C1"
mock_start
# interval 3600: no timer fires during the test; every poll after the first
# is one a signal asked for.
conf_begin interval=3600
conf_source_market market37 37
cp "$T_CONF" "$TMP/one-source.conf"

echo "start: the first poll happens at once"
daemon_start -- -v
wait_for 15 "A1 and A2 are written by the first poll" posts_exist "$A1" "$A2"
assert_grep "the start is logged" "$DAEMON_ERR" 'started: 1 sources'
wait_polls 1 market37 "the first poll of market37 ends"

echo "SIGUSR1 polls now"
mock_market 37 "$A1" "$A2" "$A3"
daemon_signal USR1
wait_for 10 "A3 appears after SIGUSR1" posts_exist "$A3"
assert_grep "SIGUSR1 is logged" "$DAEMON_ERR" 'SIGUSR1'
wait_polls 2 market37 "the SIGUSR1 poll of market37 ends"

echo "SIGHUP with an invalid configuration: logged, the old one kept"
# market38 added, and an unknown key on line 3 of the [finewsd] section.
conf_source_market market38 38
{ head -n 2 "$T_CONF"; printf 'no_such_key = 1\n'; tail -n +3 "$T_CONF"; } > "$TMP/bad.conf"
mv "$TMP/bad.conf" "$T_CONF"
assert_eq "no_such_key = 1" "$(sed -n 3p "$T_CONF")" "the bad key is on line 3"
mock_log_mark
daemon_signal HUP
wait_log 1 "reload: .*$(ere "$T_CONF"):3: .*no_such_key" \
    "the reload error names $T_CONF:3 and the key"
assert_grep "the old configuration is kept (logged)" "$DAEMON_ERR" \
    'keeping the old configuration'
# An invalid reload still polls every source now.
wait_polls 3 market37 "the poll after the failed reload ends"
assert_eq "" "$(mock_log_since | grep -F 'marketType=38' || true)" \
    "market38, only in the invalid configuration, was not polled"
say "finewsd is still running"
daemon_alive || fail "finewsd died after a SIGHUP with an invalid configuration"
mock_market 37 "$A1" "$A2" "$A3" "$A4"
daemon_signal USR1
wait_for 10 "A4 appears after SIGUSR1: the old configuration still works" \
    posts_exist "$A4"
wait_polls 4 market37 "that poll ends"

echo "SIGHUP with a valid configuration adding market38"
cp "$TMP/one-source.conf" "$T_CONF"
conf_source_market market38 38
daemon_signal HUP
wait_for 10 "B1 and B2 appear, without SIGUSR1" posts_exist "$B1" "$B2"
assert_grep "the new configuration is logged" "$DAEMON_ERR" \
    'configuration .* loaded: 2 sources'
assert_sql "B1 and B2 come from market38" "$B1|market38
$B2|market38" "select info_code, source from posts where info_code like 'NW20220602%' order by 1"
wait_polls 1 market38 "market38's first poll ends"
wait_polls 5 market37 "market37 was polled after the reload too"

echo "a signal during a poll is not lost"
route_set "$(market_path 37)" '{"file": "market37.json", "delay": 1.5}'
polls=$(log_count "source market37: polling")
lists=$(mock_count "GET $LIST37 ")
ends=$(log_count "$(poll_end_ere market37)")
daemon_signal USR1
wait_log $((polls + 1)) "source market37: polling" "market37's slow poll has begun"
# The list answers after 1.5 s: these two arrive while the poll is on.
daemon_signal USR1
daemon_signal USR1
wait_for 15 "a second list request of market37 follows the slow one" \
    mock_has_at_least $((lists + 2)) "GET $LIST37 "
wait_polls $((ends + 2)) market37 "both polls of market37 end" 15
# Whether the two signals did arrive during the slow poll (they should,
# unless the machine stalled for 1.5 s): between its start and its end.
during=$(awk -v start=$((polls + 1)) '
	/source market37: polling/ { n++ }
	n == start && /SIGUSR1/ { s++ }
	n == start && /source market37: ([0-9]+ new posts?|nothing new|not modified)$/ { exit }
	END { print s + 0 }' "$DAEMON_ERR")
echo "    ($during SIGUSR1 logged during the slow poll)"

echo "a SIGHUP during a poll is not lost either"
polls=$(log_count "source market37: polling")
daemon_signal USR1
wait_log $((polls + 1)) "source market37: polling" "market37's slow poll has begun"
cp "$TMP/one-source.conf" "$T_CONF"
conf_source_market market38 38
conf_source_market market39 39
daemon_signal HUP
wait_for 15 "C1 (market39, added during the poll) appears" posts_exist "$C1"
assert_grep "the configuration with 3 sources is loaded" "$DAEMON_ERR" \
    'configuration .* loaded: 3 sources'
route_set "$(market_path 37)" '{"file": "market37.json"}'

echo "SIGHUP removing market38 and market39: they are polled no more"
wait_polls 1 market39 "market39's poll ends"
cp "$TMP/one-source.conf" "$T_CONF"
daemon_signal HUP
wait_log 1 'configuration .* loaded: 1 sources' "the configuration with 1 source is loaded"
ends=$(log_count "$(poll_end_ere market37)")
mock_log_mark
daemon_signal USR1
wait_polls $((ends + 1)) market37 "market37's poll ends"
assert_eq "" "$(mock_log_since | grep -E 'marketType=3[89]' || true)" \
    "no request for market38's or market39's list"

echo "SIGTERM while idle"
daemon_stop TERM
daemon_expect_rc 0
assert_grep "the stop is logged" "$DAEMON_ERR" 'stopped'
assert_no_tmp_files
assert_db_ok "after SIGTERM"
assert_rows_match_files "after SIGTERM"
assert_sql "seven rows" 7 "select count(*) from posts"

echo "SIGTERM in the middle of a poll with slow texts"
# Twenty new records whose texts each take 0.4 s, four at a time.
NEW=()
for i in $(seq 10 29); do
	NEW+=("NW2022060400000000$i")
done
mock_market 37 "$A1" "$A2" "$A3" "$A4" "${NEW[@]}"
for id in "${NEW[@]}"; do
	route_set "$TEXT_PATH$id" "{\"file\": \"text/$id.json\", \"delay\": 0.4}"
done
mock_log_mark
daemon_start -- -v
wait_for 15 "some slow texts have been served" \
    mock_has_at_least 2 "GetNewsText\\.do\\?id=NW20220604.* 200"
daemon_stop TERM
daemon_expect_rc 0
assert_no_tmp_files
assert_db_ok "after SIGTERM during a poll"
assert_rows_match_files "after SIGTERM during a poll"
say "the poll was cut short (fewer than all 20 new posts written)"
written=$(sql "select count(*) from posts where info_code like 'NW20220604%'")
echo "    ($written of 20 written before the stop)"
[ "$written" -lt 20 ] || echo "    (the poll had finished: the machine was fast)"
assert_atom "$T_SITE/feeds/all.xml"
assert_xp "all.xml lists every post written, those of the cut poll too" \
    "$(sql 'select count(*) from posts')" "$T_SITE/feeds/all.xml" "count(/a:feed/a:entry)"

echo "restart: the rest is written; SIGINT stops it"
for id in "${NEW[@]}"; do
	route_del "$TEXT_PATH$id"
done
daemon_start -- -v
wait_for 20 "all 20 new posts are written after the restart" posts_exist "${NEW[@]}"
wait_polls 1 market37 "the restart's first poll of market37 ends"
daemon_stop INT
daemon_expect_rc 0
assert_no_tmp_files
assert_db_ok "after SIGINT"
assert_rows_match_files "after SIGINT"
assert_sql "27 rows" 27 "select count(*) from posts"
assert_sql "one row per infoCode" 27 "select count(distinct info_code) from posts"
assert_atom "$T_SITE/feeds/all.xml"

echo "SIGHUP changing a source's list_url: the new list is read"
F1=NW202206060000000051
F2=NW202206060000000052
G1=NW202206070000000061
mock_market 35 "$G1"
mock_market 36 "$F1" "$F2"
cp "$TMP/one-source.conf" "$T_CONF"
conf_source_market changed 35
daemon_start -- -v
wait_for 10 "G1 is written" posts_exist "$G1"
wait_polls 1 changed "the first poll of changed ends"
cp "$TMP/one-source.conf" "$T_CONF"
conf_source_market changed 36
sed -i '/^\[source changed\]/,$ s/^id_field = infoCode$/id_field = infocode/' "$T_CONF"
daemon_signal HUP
wait_polls 2 changed "the poll of changed's new list ends"
assert_grep "its records have no 'infocode' (the key is infoCode): skipped" "$DAEMON_ERR" \
    'source changed: record .* skipped'
assert_sql "so F1 and F2 are not written" 0 \
    "select count(*) from posts where info_code in ('$F1', '$F2')"

echo "SIGHUP fixing that source's id_field: its records are written"
cp "$TMP/one-source.conf" "$T_CONF"
conf_source_market changed 36
mock_log_mark
daemon_signal HUP
wait_polls 3 changed "the poll of changed with the fixed configuration ends"
mock_log_since | sed 's/^/    mock: /'
# The list did not change, but the configuration that reads it did: a 304
# here (validators kept from before the reload) would leave them unread.
wait_for 10 "F1 and F2 are written with the fixed id_field" posts_exist "$F1" "$F2"
daemon_stop TERM
daemon_expect_rc 0

mock_stop
