#!/usr/bin/env bash
# 22-isolation: no single record, source, hook or lock hurts the rest.
# Each section is an attack that once spread from one thing to everything
# else (issue 9): a hook that hangs, fails or outlives the daemon; a second
# finewsd on the same database; records that Jekyll or the feeds could not
# take (a 120-character media name, two records naming one file, a media
# named "all", YAML-typed slugs, file ids Jekyll rewrites, dates far in the
# future, a category with no media).  Each must cost the culprit alone.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

t_begin 22-isolation "failure isolation: hooks, locks, odd records"

# ---------------------------------------------------------------- hooks

echo "on_update that hangs is stopped after on_update_timeout; --once exits 1"
mock_market 37 NW202401150000000001
mock_start
conf_begin "on_update=/bin/sleep 1000" on_update_timeout=1
conf_source_market s37 37
t0=$(date +%s)
finewsd_once
expect_rc 1 "--once whose hook hung"
t=$(($(date +%s) - t0))
say "it returned within 10 s (took $t s)"
[ "$t" -le 10 ] || fail "--once took $t s with on_update_timeout = 1"
assert_grep "the timeout is logged" "$RUN_ERR" 'on_update /bin/sleep: still running after 1 s'
assert_exists "$(post_of NW202401150000000001)"

echo "on_update that fails makes --once exit 1, the posts written"
rm -rf "$T_SITE" "$T_DB"*
conf_begin "on_update=/bin/false"
conf_source_market s37 37
finewsd_once
expect_rc 1 "--once whose hook failed"
assert_grep "the failure is logged" "$RUN_ERR" 'on_update /bin/false: exit status 1'
assert_exists "$(post_of NW202401150000000001)"

echo "SIGTERM stops a running hook with the daemon"
rm -rf "$T_SITE" "$T_DB"*
printf '#!/bin/sh\necho $$ > "%s"\nexec sleep 1000\n' "$TMP/hook.pid" > "$TMP/hook.sh"
chmod +x "$TMP/hook.sh"
conf_begin "on_update=$TMP/hook.sh" interval=3600
conf_source_market s37 37
daemon_start -- -v
wait_for 10 "the hook runs" test -s "$TMP/hook.pid"
hook_pid=$(cat "$TMP/hook.pid")
daemon_stop TERM
daemon_expect_rc 0
say "the hook (pid $hook_pid) is gone"
for _ in $(seq 20); do
	kill -0 "$hook_pid" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$hook_pid" 2>/dev/null; then
	kill -KILL "$hook_pid"
	fail "on_update (pid $hook_pid) outlived finewsd"
fi
mock_stop

# ---------------------------------------------------------------- one process per database

echo "a second finewsd on the daemon's database is refused, naming the first"
rm -rf "$T_SITE" "$T_DB"*
mock_start
conf_begin interval=3600
conf_source_market s37 37
daemon_start -- -v
wait_polls 1 s37 "the daemon's first poll ends"
finewsd_once
expect_rc 1 "--once beside the daemon"
assert_grep "the message names the daemon" "$RUN_ERR" \
    "is in use by another finewsd \\(pid $DAEMON_PID\\)"
run_finewsd -c "$T_CONF" --import "$T_SITE"
expect_rc 1 "--import beside the daemon"
assert_grep "--import is refused too" "$RUN_ERR" "in use by another finewsd"
status_run
daemon_alive || fail "the daemon died"
daemon_stop TERM
daemon_expect_rc 0
finewsd_once
expect_rc 0 "--once once the daemon is gone"
mock_stop

# ---------------------------------------------------------------- the operator's mistakes

echo "_posts/ deleted while the daemon runs: the next poll writes it again"
rm -rf "$T_SITE" "$T_DB"*
mock_market 37 NW202401150000000001
mock_start
conf_begin interval=3600
conf_source_market s37 37
daemon_start -- -v
wait_polls 1 s37 "the first poll ends"
rm -rf "$T_SITE/_posts"
mock_market 37 NW202401150000000001 NW202401160000000002
daemon_signal USR1
wait_polls 2 s37 "the second poll ends"
assert_exists "$(post_of NW202401160000000002)"
assert_eq 0 "$(log_count 'source s37: poll failed')" "no poll failed"
daemon_stop TERM
mock_stop

echo "site_url with a query or a fragment is refused"
for u in 'https://a.b/?q=1' 'https://a.b/#frag' 'https://u@a.b/'; do
	conf_begin
	sed -i "s|^site_url = .*|site_url = $u|" "$T_CONF"
	conf_source_market s37 37 http://127.0.0.1:9
	run_finewsd -c "$T_CONF" --check
	expect_rc 2 "--check with site_url = $u"
	assert_grep "the message names the key" "$RUN_ERR" 'site_url: a site URL has no query'
done

echo "--check into a full disk fails"
conf_begin
conf_source_market s37 37 http://127.0.0.1:9
say "--check > /dev/full: exit status 1"
rc=0
"$FINEWSD" -c "$T_CONF" --check > /dev/full 2>/dev/null || rc=$?
[ "$rc" -eq 1 ] || fail "--check > /dev/full exited $rc"

echo "max_transfers beyond the descriptor limit is refused at start"
conf_begin
sed -i 's/^max_transfers = .*/max_transfers = 1024/' "$T_CONF"
conf_source_market s37 37 http://127.0.0.1:9
say "--check under ulimit -n 256: exit status 2, naming both numbers"
rc=0
(ulimit -S -n 256; ulimit -H -n 256; exec "$FINEWSD" -c "$T_CONF" --check) \
    > /dev/null 2> "$TMP/limit.err" || rc=$?
[ "$rc" -eq 2 ] || fail "--check exited $rc"
grep -q 'needs 1056 file descriptors, but the limit (RLIMIT_NOFILE) is 256' "$TMP/limit.err" ||
    fail "no clear message: $(cat "$TMP/limit.err")"

# ---------------------------------------------------------------- odd records

echo "odd records: each is made safe or skipped alone, the rest of the list is written"
rm -rf "$T_SITE" "$T_DB"*
mkdir -p "$T_SITE"
cp -R "$IT_DIR/jekyll-site/." "$T_SITE"
LONG=$(python3 -c 'print("中" * 120)')
python3 - "$T_MOCK" "$LONG" <<'PY'
import json, os, sys
root, long_media = sys.argv[1], sys.argv[2]
recs = [
    ("NW202401150000000101", "101", long_media),   # a 360-byte slug
    ("NW202401150000000102", "same", "财联社"),     # two records, one file id
    ("NW202401150000000103", "same", "财联社"),
    ("NW202401150000000104", "104", "all"),        # feeds/all.xml is taken
    ("NW202401150000000105", "105", "123"),        # YAML reads an integer
    ("NW202401150000000106", "106", "yes"),        # YAML reads a boolean
    ("NW202401150000000107", "a:b", "财联社"),      # Jekyll: a-b.html
    ("NW202401150000000108", "a\\b", "财联社"),     # Jekyll: a-b.html too
    ("NW202401150000000109", "-lead", "财联社"),    # Jekyll drops the '-'
    ("NW202401150000000110", "sp ace#1", "财联社"),
    ("NW202401150000000111", "111", "财联社"),      # dated 2099
    ("NW202401150000000112", "112", "财联社"),      # a 200 KB body
]
out = []
for code, fid, media in recs:
    date = "2099-01-01 10:00:00" if code.endswith("111") else "2024-01-15 10:%s:00" % code[-2:]
    out.append({"infoCode": code, "fid": fid, "title": "标题" + code[-3:],
                "datetime": date, "medianame": media})
    body = "<p>%s的正文。</p>" % code
    if code.endswith("112"):
        body = "<p>" + "长" * 70000 + "</p>"
    with open(os.path.join(root, "text", code + ".json"), "w", encoding="utf-8") as f:
        json.dump({"text": body}, f, ensure_ascii=False)
with open(os.path.join(root, "market37.json"), "w", encoding="utf-8") as f:
    json.dump({"record": out}, f, ensure_ascii=False)
# A source with a fixed category and no tag: a record without media cannot
# have the tag '<media>新闻'.
with open(os.path.join(root, "market38.json"), "w", encoding="utf-8") as f:
    json.dump({"record": [
        {"infoCode": "NW202401150000000201", "title": "无媒体", "datetime": "2024-01-15 11:00:00"},
        {"infoCode": "NW202401150000000202", "title": "有媒体", "datetime": "2024-01-15 11:01:00",
         "medianame": "财联社"}]}, f, ensure_ascii=False)
for code in ("NW202401150000000201", "NW202401150000000202"):
    with open(os.path.join(root, "text", code + ".json"), "w", encoding="utf-8") as f:
        json.dump({"text": "<p>x</p>"}, f)
PY
route_set "$(market_path 37)" '{"file": "market37.json"}'
route_set "$(market_path 38)" '{"file": "market38.json"}'
mock_start
conf_begin
conf_source_market s37 37 "" file_id_field=fid
conf_source_market s38 38 "" category=fixed
finewsd_once
expect_rc 0 "--once with odd records (a skipped record is no failure)"
assert_sql "every record but the future one and the one without media has a row" \
    "$(printf '%s\n' 101 102 103 104 105 106 107 108 109 110 112 | sed 's/^/NW202401150000000/')
NW202401150000000202" "select info_code from posts order by 1"
assert_grep "the future date is held back, with its reason" "$RUN_ERR" \
    'record NW202401150000000111 skipped: date in the future'
assert_grep "the record without media is skipped, with its reason" "$RUN_ERR" \
    'record NW202401150000000201 skipped: no media to make the tag of'
assert_sql "the long media's slug is cut to 100 bytes" 100 \
    "select length(category) from posts where info_code = 'NW202401150000000101'"
assert_sql "media 'all' gets a slug of its own" "all-media" \
    "select category from posts where info_code = 'NW202401150000000104'"
assert_sql "no two rows share a file" "" \
    "select path from posts group by path having count(*) > 1"
assert_eq 12 "$(list_posts | wc -l | tr -d ' ')" "twelve post files"
assert_grep "the all-categories feed is all.xml still" "$T_SITE/feeds/all.xml" 'feeds/all.xml'
for f in "$T_SITE"/feeds/*.xml; do
	assert_atom "$f"
done
say "the 200 KB article is not copied into the feeds"
sz=$(stat -c %s "$T_SITE/feeds/all.xml")
[ "$sz" -lt 100000 ] || fail "all.xml is $sz bytes"
mock_stop

echo "Jekyll builds every odd post at the page its feed entry links to"
mkdir -p "$TMP/home"
(cd "$TMP" && env -u BUNDLE_GEMFILE -u BUNDLE_PATH -u RUBYOPT -u JEKYLL_ENV \
    HOME="$TMP/home" timeout -k 5 60 jekyll build --safe --disable-disk-cache \
    --source "$T_SITE" --destination "$TMP/out") > "$TMP/jekyll.out" 2>&1 ||
    { head -n 30 "$TMP/jekyll.out" >&2; fail "jekyll build failed"; }
python3 - "$T_SITE/feeds/all.xml" "$SITE_URL" "$TMP/out" <<'PY' || fail "a feed link is not a page"
import os, sys, urllib.parse
import xml.etree.ElementTree as ET
A = "{http://www.w3.org/2005/Atom}"
feed, site, out = sys.argv[1:4]
bad = 0
for e in ET.parse(feed).getroot().findall(A + "entry"):
    href = e.find(A + "link").get("href")
    path = urllib.parse.unquote(href[len(site):])
    if not os.path.isfile(out + path):
        print("not served:", href, file=sys.stderr)
        bad += 1
sys.exit(1 if bad else 0)
PY
say "every entry of all.xml links to a page Jekyll built"

echo "one article whose text keeps failing does not back its source off"
rm -rf "$T_SITE" "$T_DB"*
mock_market 37 NW202401150000000301 NW202401150000000302
route_set "${TEXT_PATH}NW202401150000000302" '{"status": 500}'
mock_start
conf_begin interval=600
conf_source_market s37 37
daemon_start -- -v
wait_failures 1 s37 "the poll with the failing text ends"
assert_exists "$(post_of NW202401150000000301)"
n=$(sed -n 's/.*source s37: poll failed: .*; next try in \([0-9]*\) s$/\1/p' "$DAEMON_ERR" | tail -n 1)
say "the next try is at the source's interval (600 s and its jitter), not a backoff: $n s"
[ -n "$n" ] && [ "$n" -ge 600 ] || fail "next try in '$n' s after one failing text"
daemon_stop TERM
mock_stop

echo "a transfer's timeout starts when it starts, not while it waits for its host"
rm -rf "$T_SITE" "$T_DB"*
ids=()
for i in $(seq 10 21); do ids+=("NW2024011500000004$i"); done
mock_market 37 "${ids[@]}"
for id in "${ids[@]}"; do
	route_set "$TEXT_PATH$id" "{\"file\": \"text/$id.json\", \"delay\": 0.7}"
done
mock_start
# Each text takes 0.7 s of a 1 s timeout; two at a time on the host, eight
# at a time in all: a text queued behind two others waits 1.4 s.
conf_begin timeout=1
sed -i 's/^max_per_host = .*/max_per_host = 2/' "$T_CONF"
conf_source_market s37 37
finewsd_once
expect_rc 0 "--once with slow texts and a short timeout"
assert_eq 12 "$(list_posts | wc -l | tr -d ' ')" "all twelve posts written"
mock_stop

echo "another writer holding the database does not freeze the daemon"
rm -rf "$T_SITE" "$T_DB"*
mock_market 37 NW202401150000000501
mock_start
conf_begin interval=3600
conf_source_market s37 37
daemon_start -- -v
wait_polls 1 s37 "the first poll ends"
# An operator's shell holds a write transaction for 20 s.
python3 - "$T_DB" "$TMP/locked" <<'PY' &
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
db.execute("BEGIN IMMEDIATE")
db.execute("INSERT OR REPLACE INTO flags (key, value) VALUES ('operator', 1)")
open(sys.argv[2], "w").close()
time.sleep(20)
db.execute("ROLLBACK")
PY
locker=$!
BG_PIDS+=("$locker")
wait_for 10 "the other writer holds the database" test -e "$TMP/locked"
mock_market 37 NW202401150000000501 NW202401150000000502
daemon_signal USR1
wait_failures 1 s37 "the poll fails on the locked database, and ends" 15
assert_sql "its row is not there yet (its file is, and is written again)" 0 \
    "select count(*) from posts where info_code = 'NW202401150000000502'"
# Once more, and SIGTERM while the poll writes into the locked database:
# finewsd must answer within 5 s (SQLite's busy waits once took 9-20 s).
mock_market 37 NW202401150000000501 NW202401150000000503
mock_log_mark
daemon_signal USR1
wait_for 10 "the new record's text is fetched" mock_has_at_least 1 'NW202401150000000503'
sleep 0.1
daemon_stop TERM
daemon_expect_rc 0
kill "$locker" 2>/dev/null || true
wait "$locker" 2>/dev/null || true
mock_stop

echo "a reload that moves site_dir: the next poll writes the new site whole"
rm -rf "$T_SITE" "$T_DB"*
mock_market 37 NW202401150000000601
mock_start
conf_begin interval=3600
conf_source_market s37 37
daemon_start -- -v
wait_polls 1 s37 "the first poll ends"
OLD_SITE=$T_SITE
T_SITE=$TMP/site2
conf_begin interval=3600
conf_source_market s37 37
mock_market 37 NW202401150000000601 NW202401160000000602
daemon_signal HUP
wait_polls 2 s37 "the poll after the reload ends"
# The feeds are written when the round ends, just after its polls' lines.
wait_log 2 '^poll of 1 source: ' "the round after the reload ends"
assert_exists "$(post_of NW202401160000000602)"
assert_exists "$T_SITE/category/cailianshe.html"
assert_exists "$T_SITE/feeds/all.xml"
assert_exists "$T_SITE/feeds/cailianshe.xml"
assert_eq 0 "$(log_count 'source s37: poll failed')" "no poll failed"
daemon_stop TERM
T_SITE=$OLD_SITE
mock_stop

echo "a Retry-After of 0 waits the floor of 10 s, not 0"
rm -rf "$T_SITE" "$T_DB"*
route_set "$(market_path 37)" '{"status": 503, "headers": {"Retry-After": "0"}}'
mock_start
conf_begin interval=600
conf_source_market s37 37
daemon_start -- -v
wait_failures 1 s37 "the poll answered 503 ends"
n=$(sed -n 's/.*source s37: poll failed: .*; next try in \([0-9]*\) s$/\1/p' "$DAEMON_ERR" | tail -n 1)
say "next try in 10 s (got '$n')"
[ "$n" = 10 ] || fail "Retry-After: 0 gave a next try in '$n' s"
daemon_stop TERM
mock_stop

echo "--once exits 1 when the feeds cannot be written"
rm -rf "$T_SITE" "$T_DB"*
mock_market 37 NW202401150000000701
mock_start
conf_begin
conf_source_market s37 37
mkdir -p "$T_SITE/feeds/all.xml"    # a folder where all.xml goes
finewsd_once
expect_rc 1 "--once whose feeds could not be written"
assert_exists "$(post_of NW202401150000000701)"
assert_grep "the failure is logged" "$RUN_ERR" 'feeds not written'
rmdir "$T_SITE/feeds/all.xml"
finewsd_once
expect_rc 0 "--once once the folder is free: the feeds are written"
assert_exists "$T_SITE/feeds/all.xml"
mock_stop
