#!/usr/bin/env bash
# 04-bad-records: records without id, title or date, with a date that does
# not parse or an id that cannot stand in a file name are skipped and logged,
# never written; a record whose text fails is retried at the next poll.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

t_begin 04-bad-records "bad records are skipped and logged; failed texts retried"

GOOD=NW202205262391920001
LATE=NW202205262391920002     # its text answers 500 at first

# Each bad record has a text, so that only the record check can stop it.
mock_list "$(market_path 37)" market37.json <<'EOF'
{"record": [
 {"title": "没有代码的新闻", "datetime": "2022-05-26 10:00:00", "medianame": "财联社"},
 {"infoCode": "", "title": "空代码的新闻", "datetime": "2022-05-26 10:00:00", "medianame": "财联社"},
 {"infoCode": "NWBAD0000000000002", "datetime": "2022-05-26 10:00:00", "medianame": "财联社"},
 {"infoCode": "NWBAD0000000000003", "title": "", "datetime": "2022-05-26 10:00:00", "medianame": "财联社"},
 {"infoCode": "NWBAD0000000000004", "title": "没有日期的新闻", "medianame": "财联社"},
 {"infoCode": "NWBAD0000000000005", "title": "月份错误的新闻", "datetime": "2022-13-01 00:00:00", "medianame": "财联社"},
 {"infoCode": "NWBAD0000000000006", "title": "日期残缺的新闻", "datetime": "2022-05-26", "medianame": "财联社"},
 {"infoCode": "../x", "title": "路径穿越的新闻", "datetime": "2022-05-26 10:00:00", "medianame": "财联社"},
 {"infoCode": ".hidden", "title": "隐藏文件的新闻", "datetime": "2022-05-26 10:00:00", "medianame": "财联社"},
 {"infoCode": "NWBAD\u00010000000008", "title": "控制字符的新闻", "datetime": "2022-05-26 10:00:00", "medianame": "财联社"},
 {"infoCode": "NW202205262391920001", "title": "唯一的好新闻", "datetime": "2022-05-26 10:00:00", "medianame": "财联社"}
]}
EOF
for i in 2 3 4 5 6; do
	mock_text "NWBAD000000000000$i" "<p>坏记录 $i 的正文</p>"
done
mock_text .hidden '<p>隐藏文件的正文</p>'
mock_text "$GOOD" '<p>唯一的好新闻的正文。</p>'
mock_text "$LATE" '<p>迟到的新闻的正文。</p>'
route_set "$TEXT_PATH$LATE" '{"status": 500}'

mock_start
conf_begin
conf_source_market market37 37

echo "run 1: eleven records, one good"
finewsd_once
expect_rc 0 "--once with skipped records (not a failure)"
assert_eq "_posts/2022-05-26-$GOOD.md" "$(list_posts)" "only the good record became a post"
assert_sql "only the good record has a row" "$GOOD" "select info_code from posts"
assert_eq "" "$(cd "$T_SITE" && find . -name '-*' -o -name '*hidden*' -o -name 'x.md' \
    -o -name '*BAD*')" "no file for a bad record anywhere in the site"
assert_eq "" "$(cd "$TMP" && find . -name 'x.md' -o -name '*-..*')" \
    "nothing written outside the site"
for id in NWBAD0000000000002 NWBAD0000000000003 NWBAD0000000000004 \
    NWBAD0000000000005 NWBAD0000000000006 ../x .hidden; do
	say "stderr names market37 and $id"
	grep -F market37 "$RUN_ERR" | grep -F -e "$id" >/dev/null ||
	    fail "no stderr line with market37 and $id"
done
n=$(grep -c -F market37 "$RUN_ERR" || true)
say "stderr has a line per skipped record (10), got $n lines naming market37"
[ "$n" -ge 10 ] || fail "only $n stderr lines name market37; expected one per skipped record (10)"

echo "run 2: a record whose text answers 500"
python3 - "$T_MOCK/market37.json" <<EOF
import json, sys
p = sys.argv[1]
d = json.load(open(p, encoding="utf-8"))
d["record"].append({"infoCode": "$LATE", "title": "迟到的新闻",
                    "datetime": "2022-05-26 11:00:00", "medianame": "财联社"})
json.dump(d, open(p, "w", encoding="utf-8"), ensure_ascii=False)
EOF
mock_log_mark
finewsd_once
say "(exit status $RUN_RC: the contract leaves a failed text's status open)"
[ "$RUN_RC" -le 1 ] || fail "exit status $RUN_RC"
assert_requested "its text was asked for" "GetNewsText\\.do\\?id=$LATE "
assert_missing "$T_SITE/_posts/2022-05-26-$LATE.md"
assert_sql "no row for it" 0 "select count(*) from posts where info_code = '$LATE'"
assert_eq "_posts/2022-05-26-$GOOD.md" "$(list_posts)" "still only the good post"
say "stderr names the record whose text failed"
grep -q -F "$LATE" "$RUN_ERR" || fail "no stderr line names $LATE"

echo "run 3: its text is served now"
route_del "$TEXT_PATH$LATE"
mock_log_mark
finewsd_once
expect_rc 0 "--once after the text came back"
assert_requested "its text was asked for again" "GetNewsText\\.do\\?id=$LATE 200"
assert_exists "$T_SITE/_posts/2022-05-26-$LATE.md"
assert_sql "its row" "$GOOD
$LATE" "select info_code from posts order by 1"
say "its post holds its body"
grep -q -F '<p>迟到的新闻的正文。</p>' "$T_SITE/_posts/2022-05-26-$LATE.md" ||
    fail "the post lacks its body"
assert_atom "$T_SITE/feeds/all.xml" "$T_SITE/feeds/cailianshe.xml"
assert_xp "cailianshe.xml: both entries" 2 "$T_SITE/feeds/cailianshe.xml" "count(/a:feed/a:entry)"
say "no text of a bad record was ever asked for"
! grep -E 'id=(NWBAD|\.hidden|\.\.)' "$MOCK_LOG" || fail "a bad record's text was fetched"

mock_stop
