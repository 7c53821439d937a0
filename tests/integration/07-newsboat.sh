#!/usr/bin/env bash
# 07-newsboat: a real feed reader (newsboat) subscribes to the written feeds
# over HTTP and finds every article, with its title and link.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

t_begin 07-newsboat "newsboat reads the feeds"
require_tool newsboat

X1=NW202203232319931992
X2=NW202203242320020004
R1=NW202203242320030005

mock_list "$(market_path 37)" market37.json <<EOF
{"record": [
 {"infoCode": "$X1", "title": "今年青岛产业政策将在这些领域发力",
  "datetime": "2022-03-23 10:34:11", "medianame": "青岛财经日报"},
 {"infoCode": "$X2", "title": "青岛港一季度吞吐量稳步增长 & 集装箱 <新高>",
  "datetime": "2022-03-24 07:30:00", "medianame": "青岛财经日报"}
]}
EOF
mock_list "$ROLLING_PATH" rolling.json <<EOF
{"records": [
 {"infoCode": "$R1", "id": "${R1#NW}", "title": "多家银行下调存款利率",
  "showtime": "2022-03-24 10:01:02", "digest": "【财经早参】多家中小银行下调存款利率。",
  "url_w": "http://finance.eastmoney.com/a/${R1#NW}.html"}
]}
EOF
cp "$FIXTURES/seed-text.json" "$T_MOCK/text/$X1.json"
mock_text "$X2" '<p>青岛港一季度集装箱吞吐量创新高。</p>'
mock_text "$R1" '<p>近期，多家中小银行宣布下调人民币存款利率。</p>'

mock_start
conf_begin
conf_source_market market37 37
conf_source_rolling rolling
finewsd_once
expect_rc 0 "--once"

# Serve the written feeds from the mock, as the site's web server would.
mkdir -p "$T_MOCK/feeds"
for f in "$T_SITE"/feeds/*.xml; do
	n=$(basename "$f")
	cp "$f" "$T_MOCK/feeds/$n"
	route_set "/feeds/$n" "{\"file\": \"feeds/$n\"}"
done

export HOME=$TMP/home
mkdir -p "$HOME"
: > "$TMP/newsboat.conf"

# reader NAME URL...: subscribe a fresh cache to the URLs and reload them.
reader() {
	local name=$1
	shift
	printf '%s\n' "$@" > "$TMP/$name.urls"
	newsboat -u "$TMP/$name.urls" -c "$TMP/$name.db" -C "$TMP/newsboat.conf" \
	    -x reload > "$TMP/$name.out" 2>&1 || {
		cat "$TMP/$name.out" >&2
		fail "newsboat -x reload failed"
	}
	newsboat -u "$TMP/$name.urls" -c "$TMP/$name.db" -C "$TMP/newsboat.conf" \
	    -x print-unread 2>&1 | tr -d '\r'
}

mock_log_mark
assert_eq "3 unread articles" \
    "$(reader cats "$MOCK_URL/feeds/qingdaocaijingribao.xml" "$MOCK_URL/feeds/emnews.xml")" \
    "newsboat, subscribed to the two category feeds, has 3 unread articles"
assert_requested "newsboat fetched qingdaocaijingribao.xml" "GET /feeds/qingdaocaijingribao.xml 200"
assert_requested "newsboat fetched emnews.xml" "GET /feeds/emnews.xml 200"

CACHE=$TMP/cats.db
q() { sqlite3 -batch -noheader "$CACHE" "$1"; }
assert_eq "$(printf '%s\n' "今年青岛产业政策将在这些领域发力" "多家银行下调存款利率" \
    "青岛港一季度吞吐量稳步增长 & 集装箱 <新高>" | sort)" \
    "$(q 'select title from rss_item' | sort)" "the cache holds the three titles"
assert_eq "$(printf '%s\n' "$SITE_URL/emnews/2022/03/24/${R1#NW}.html" \
    "$SITE_URL/qingdaocaijingribao/2022/03/23/$X1.html" \
    "$SITE_URL/qingdaocaijingribao/2022/03/24/$X2.html" | sort)" \
    "$(q 'select url from rss_item' | sort)" "the cache holds the three post pages' links"
assert_eq "$(printf '%s\n' "tag:$SITE_HOST,2022-03-23:$X1" "tag:$SITE_HOST,2022-03-24:$X2" \
    "tag:$SITE_HOST,2022-03-24:$R1" | sort)" \
    "$(q 'select guid from rss_item' | sort)" "the cache holds the entry ids as guids"
assert_eq "$(printf '%s\n' 东财滚动新闻 青岛财经日报新闻)" \
    "$(q 'select title from rss_feed order by title')" "the feeds' titles are the tags"
say "the cache holds the article text"
[ "$(q "select count(*) from rss_item where content like '%市发展改革委%'")" -eq 1 ] ||
    fail "no cached item holds the reference article's text"

assert_eq "3 unread articles" "$(reader all "$MOCK_URL/feeds/all.xml")" \
    "newsboat, subscribed to all.xml, has 3 unread articles"

say "a second reload (nothing new) adds nothing"
newsboat -u "$TMP/cats.urls" -c "$CACHE" -C "$TMP/newsboat.conf" -x reload \
    > /dev/null 2>&1 || fail "the second reload failed"
assert_eq 3 "$(q 'select count(*) from rss_item')" "still three cached items"

mock_stop
