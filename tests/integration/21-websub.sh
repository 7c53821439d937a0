#!/usr/bin/env bash
# 21-websub: with websub_hub set, every feed carries <link rel="hub"> (and a
# JSON Feed its "hubs"), and after a poll that changed feeds finewsd POSTs
# the hub one hub.mode=publish&hub.url=<feed URL> per changed feed, through
# the fetch engine; none after a poll that changed nothing.  A hub that
# hangs past the timeout or answers 500 is tried again with the sources'
# backoff (min(interval, 30 s), doubling) until it accepts.  --once pings
# too, waits for the answers, and does not promise a retry it will not make.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

t_begin 21-websub "WebSub publish pings to a mock hub"

A1=NW202206010000000001
A2=NW202206010000000002
B1=NW202206020000000011
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
FEED_CLS=$SITE_URL/feeds/cailianshe.xml
FEED_ALL=$SITE_URL/feeds/all.xml

# The pings the hub logged since the mark: "STATUS hub.url", sorted.
pings() {
	mock_log_since | awk '$1 == "POST" && $2 == "/hub" { print $3, $4 }' |
	    sed 's/hub\.mode=publish&hub\.url=//' | sort
}
pings_count() { mock_log_since | grep -c '^POST /hub ' || true; }
pings_at_least() { [ "$(pings_count)" -ge "$1" ]; }

mock_market 37 "$A1"
route_set /hub '{"status": 202}'
mock_start
HUB=$MOCK_URL/hub
conf_begin interval=2 timeout=2 "websub_hub=$HUB"
conf_source_market market37 37

echo "the daemon: the first poll writes two feeds, the hub hears of both"
mock_log_mark
daemon_start -- -v
wait_for 15 "A1 is written" posts_exist "$A1"
wait_for 10 "the hub got two pings" pings_at_least 2
assert_eq "$(printf '202 %s\n' "$(enc "$FEED_ALL")" "$(enc "$FEED_CLS")" | sort)" "$(pings)" \
    "one publish ping per changed feed, accepted"
for f in all cailianshe; do
	assert_xp "$f.xml links to the hub" "$HUB" "$T_SITE/feeds/$f.xml" \
	    "string(/a:feed/a:link[@rel='hub']/@href)"
	assert_atom "$T_SITE/feeds/$f.xml"
done

echo "polls that change nothing ping nobody"
mock_log_mark
n=$(log_count "$(poll_end_ere market37)")
wait_polls $((n + 2)) market37 "two more polls of market37 end"
assert_eq 0 "$(pings_count)" "no ping after polls that changed nothing"

echo "the hub hangs, then fails, then accepts: retried with backoff"
route_set /hub '{"status": 202, "delay": 5}'
mock_log_mark
mock_market 37 "$A1" "$A2"
wait_for 15 "A2 is written" posts_exist "$A2"
wait_log 1 'websub: .*: the ping for .*cailianshe\.xml failed: .*; next try in 2 s$' \
    "the ping that timed out is to be tried again in 2 s" 20
route_set /hub '{"status": 500}'
wait_log 1 'websub: .*: the ping for .*cailianshe\.xml failed: HTTP status 500; next try in 4 s$' \
    "the 500 is to be tried again in 4 s" 20
route_set /hub '{"status": 204}'
wait_log 1 "websub: $(ere "$HUB") told of $(ere "$FEED_CLS")" "the hub accepts at last" 20
wait_log 1 "websub: $(ere "$HUB") told of $(ere "$FEED_ALL")" "all.xml's ping too" 20
accepted_twice() { [ "$(pings | grep -c '^204 ')" -ge 2 ]; }
# The mock logs a request once its answer is sent: after finewsd reads it.
wait_for 5 "the hub's log has both accepted pings" accepted_twice
assert_eq "$(printf '204 %s\n' "$(enc "$FEED_ALL")" "$(enc "$FEED_CLS")" | sort)" \
    "$(pings | grep '^204 ')" "each feed's ping accepted once"
daemon_stop TERM
daemon_expect_rc 0

echo "--once, JSON Feed too: a new category pings its feeds and all, Atom and JSON"
conf_begin interval=300 timeout=2 "websub_hub=$HUB" "formats=atom json"
conf_source_market market37 37
mock_log_mark
MOCK_MEDIA=第一财经 mock_market 37 "$B1"
finewsd_once
expect_rc 0 "--once"
J=$SITE_URL/feeds
four_pings() { [ "$(pings | grep -c diyicaijing)" -ge 2 ] && [ "$(pings | grep -c all)" -ge 2 ]; }
wait_for 5 "the hub's log has the four pings" four_pings
assert_eq "$(for f in all.json all.xml diyicaijing.json diyicaijing.xml; do
	printf '204 %s\n' "$(enc "$J/$f")"; done | sort)" "$(pings | grep -v cailianshe)" \
    "the pings of the feeds --once changed"
# cailianshe's feeds are pinged too: formats changed, so every feed was
# rewritten (with its new JSON twin).
assert_eq 6 "$(grep -c "^websub: $(ere "$HUB") told of " "$RUN_ERR")" \
    "--once waited for the hub's six answers before it exited"
say "the JSON Feeds list the hub"
python3 - "$T_SITE/feeds/all.json" "$HUB" <<'PY' || fail "all.json has no hubs"
import json, sys
f = json.load(open(sys.argv[1], encoding="utf-8"))
sys.exit(0 if f.get("hubs") == [{"type": "WebSub", "url": sys.argv[2]}] else 1)
PY

echo "--once with a failing hub: said once, no retry promised, not a source failure"
route_set /hub '{"status": 500}'
mock_log_mark
MOCK_MEDIA=第一财经 mock_market 37 "$B1" NW202206020000000012
finewsd_once
expect_rc 0 "--once: a failed ping does not fail the run"
assert_grep "the failure is logged" "$RUN_ERR" 'websub: .*: the ping for .* failed: HTTP status 500$'
say "no next try is promised"
if grep -q 'next try' "$RUN_ERR"; then fail "--once promised a next try"; fi

mock_stop
