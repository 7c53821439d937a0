#!/usr/bin/env bash
# 03-dedupe-and-rerun: one post per infoCode across sources; a poll that finds
# nothing new writes nothing and fetches no text; a new record adds only its
# own files and rows, and updates the feeds.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

t_begin 03-dedupe-and-rerun "dedupe across sources, idle rerun, incremental run"

X=NW202203232319931992      # in market37 and market38
P1=NW202203232319940001     # market37 only
P2=NW202203232319950002     # market38 only
Y=NW202203242320010003      # added later to market37, a new media
Y2=NW202203242320020004     # added later to market38, X's media

market37() {
	mock_list "$(market_path 37)" market37.json <<EOF
{"record": [
 {"infoCode": "$X", "title": "今年青岛产业政策将在这些领域发力",
  "datetime": "2022-03-23 10:34:11", "medianame": "青岛财经日报"},
 {"infoCode": "$P1", "title": "两市成交额连续第三日突破万亿",
  "datetime": "2022-03-23 11:00:00", "medianame": "财联社"}$1
]}
EOF
}
market38() {
	mock_list "$(market_path 38)" market38.json <<EOF
{"record": [$1
 {"infoCode": "$P2", "title": "沪市公司年报披露进入高峰期",
  "datetime": "2022-03-23 09:00:00", "medianame": "上海证券报", "seq": ${2:-1}},
 {"infoCode": "$X", "title": "今年青岛产业政策将在这些领域发力",
  "datetime": "2022-03-23 10:34:11", "medianame": "青岛财经日报"}
]}
EOF
}

market37 ""
market38 ""
cp "$FIXTURES/seed-text.json" "$T_MOCK/text/$X.json"
mock_text "$P1" '<p>沪深两市成交额连续第三个交易日突破1万亿元。</p>'
mock_text "$P2" '<p>沪市上市公司2021年年报披露进入高峰期。</p>'
mock_text "$Y" '<p>新华财经北京3月24日电。</p>'
mock_text "$Y2" '<p>青岛财经日报讯，青岛港一季度吞吐量稳步增长。</p>'

mock_start
conf_begin
conf_source_market market37 37
conf_source_market market38 38

echo "run 1: X is in both lists"
finewsd_once
expect_rc 0 "first --once"
assert_eq "$(printf '%s\n' "_posts/2022-03-23-$P1.md" "_posts/2022-03-23-$P2.md" \
    "_posts/2022-03-23-$X.md" | sort)" "$(list_posts)" "three post files, X once"
assert_sql "three rows" 3 "select count(*) from posts"
assert_sql "one row for X" 1 "select count(*) from posts where info_code = '$X'"
assert_sql "X's source is one of the two that list it" 1 \
    "select count(*) from posts where info_code = '$X' and source in ('market37', 'market38')"
assert_same "$FIXTURES/seed-post.md" "$T_SITE/_posts/2022-03-23-$X.md"
assert_xp "all.xml: X once" 1 "$T_SITE/feeds/all.xml" \
    "count(/a:feed/a:entry[a:id='tag:$SITE_HOST,2022-03-23:$X'])"

snap1=$(snapshot_mtimes "$T_SITE")
rows1=$(sql "select info_code, fetched_at from posts order by 1")
sleep 1.1
touch "$TMP/marker"
sleep 1.1

echo "run 2: the same lists again"
mock_log_mark
finewsd_once
expect_rc 0 "second --once, nothing new"
assert_eq "" "$(cd "$T_SITE" && find . -newer "$TMP/marker" | sort)" \
    "no file or folder in the site was written"
assert_eq "$snap1" "$(snapshot_mtimes "$T_SITE")" "the same files with the same mtimes"
assert_eq "$rows1" "$(sql "select info_code, fetched_at from posts order by 1")" \
    "the same rows"
assert_eq "" "$(mock_text_ids_since)" "no text was fetched"
assert_requested "market37's list was polled" "marketType=37&"
assert_requested "market38's list was polled" "marketType=38&"

echo "run 3: market38 answers 200 with the same records reordered"
market38 "" 2
python3 - "$T_MOCK/market38.json" <<'EOF'
import json, sys
p = sys.argv[1]
d = json.load(open(p, encoding="utf-8"))
d["record"].reverse()
json.dump(d, open(p, "w", encoding="utf-8"), ensure_ascii=False)
EOF
mock_log_mark
finewsd_once
expect_rc 0 "third --once, changed list, nothing new"
assert_eq "" "$(cd "$T_SITE" && find . -newer "$TMP/marker" | sort)" \
    "still no file or folder written"
assert_eq "$rows1" "$(sql "select info_code, fetched_at from posts order by 1")" \
    "still the same rows"
assert_eq "" "$(mock_text_ids_since)" "still no text fetched"

echo "run 4: one new record in each list"
market37 ",
 {\"infoCode\": \"$Y\", \"title\": \"新华财经：一季度经济运行开局平稳\",
  \"datetime\": \"2022-03-24 08:00:00\", \"medianame\": \"新华财经\"}"
market38 "
 {\"infoCode\": \"$Y2\", \"title\": \"青岛港一季度吞吐量稳步增长\",
  \"datetime\": \"2022-03-24 07:30:00\", \"medianame\": \"青岛财经日报\"}," 3
sleep 1.1
touch "$TMP/marker2"
sleep 1.1
mock_log_mark
finewsd_once
expect_rc 0 "fourth --once, two new records"
assert_eq "$(printf '%s\n' "$Y" "$Y2" | sort)" "$(mock_text_ids_since)" \
    "only the new records' texts were fetched"
assert_eq "$(printf '%s\n' "./_posts/2022-03-24-$Y.md" "./_posts/2022-03-24-$Y2.md" \
    ./category/xinhuacaijing.html | sort)" \
    "$(cd "$T_SITE" && find ./_posts ./category -type f -newer "$TMP/marker2" | sort)" \
    "only the new posts and the new category page were written"
for f in feeds/all.xml feeds/xinhuacaijing.xml feeds/qingdaocaijingribao.xml feeds/index.opml; do
	say "$f was rewritten"
	[ "$T_SITE/$f" -nt "$TMP/marker2" ] || fail "$f was not updated"
done
assert_sql "five rows" 5 "select count(*) from posts"
assert_eq "$rows1" "$(sql "select info_code, fetched_at from posts
    where info_code not in ('$Y', '$Y2') order by 1")" "the old rows are untouched"
assert_sql "the new rows' sources" "$Y|market37
$Y2|market38" "select info_code, source from posts where info_code in ('$Y', '$Y2') order by 1"
assert_atom "$T_SITE"/feeds/*.xml
assert_xp "all.xml: Y is the newest entry" "tag:$SITE_HOST,2022-03-24:$Y" \
    "$T_SITE/feeds/all.xml" "string(/a:feed/a:entry[1]/a:id)"
assert_xp "all.xml: five entries" 5 "$T_SITE/feeds/all.xml" "count(/a:feed/a:entry)"
assert_xp "qingdaocaijingribao.xml: Y2 then X" \
    "tag:$SITE_HOST,2022-03-24:$Y2 tag:$SITE_HOST,2022-03-23:$X" \
    "$T_SITE/feeds/qingdaocaijingribao.xml" \
    "concat(/a:feed/a:entry[1]/a:id, ' ', /a:feed/a:entry[2]/a:id)"
assert_xp "index.opml lists the new category" 1 "$T_SITE/feeds/index.opml" \
    "count(//outline[@xmlUrl='$SITE_URL/feeds/xinhuacaijing.xml'])"
assert_same "$FIXTURES/seed-post.md" "$T_SITE/_posts/2022-03-23-$X.md"

mock_stop
