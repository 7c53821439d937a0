#!/usr/bin/env bash
# 17-slugs: the readings the site's slugs show are learned by --import, per
# character, and given to media the site never named: 都 dū (not Unihan's
# first, dōu) from chengduribao, 长 cháng (not zhǎng) from
# changjiangzhengquan.  --readings lists them.  The daemon derives a new
# media's slug once, however many of its records a list holds.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

t_begin 17-slugs "the site's readings for new media"

# old_post DIR ID CATEGORY MEDIA: a post of the old site, in DIR/_posts.
old_post() {
	printf '%s\n' '---' 'layout: post' 'title: "旧文章"' \
		"date: 2022-03-0$2 08:00:00 +0800" "categories: $3" "tags: $4新闻" \
		'---' '<p>旧</p>' '' \
		"<http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW900$2>" '' \
		> "$1/_posts/2022-03-0$2-NW900$2.md"
}
mkdir -p "$TMP/oldsite/_posts" "$TMP/more/_posts"
old_post "$TMP/oldsite" 1 chengduribao 成都日报
old_post "$TMP/oldsite" 2 changjiangzhengquan 长江证券
# A hand-made slug teaches no reading.
old_post "$TMP/oldsite" 3 yicai 第一财经

mock_start
conf_begin
conf_source_market market37 37

run_finewsd -c "$T_CONF" --import "$TMP/oldsite"
expect_rc 0 "--import of the old site"

run_finewsd -c "$T_CONF" --readings
expect_rc 0 "--readings"
assert_grep "--readings: a header" "$RUN_OUT" '^CHAR +CODE +READING +VOTES +UNIHAN +USED$'
assert_grep "--readings: 都 read du, once, Unihan's first dou" "$RUN_OUT" \
	'^都 +U\+90FD +du +1 +dou +yes$'
assert_grep "--readings: 长 read chang" "$RUN_OUT" '^长 +U\+957F +chang +1 +zhang +yes$'
assert_grep "--readings: 券 read the usual way, kept" "$RUN_OUT" '^券 +U\+5238 +quan +1 +quan +yes$'
assert_eq "" "$(grep -E '^(成|日|报|第|一|财|经) ' "$RUN_OUT" || true)" \
	"--readings: characters with one reading, or from yicai, are not listed"
assert_grep "--readings: the totals" "$RUN_OUT" \
	'^total: 3 readings of 3 characters; 2 read unlike Unihan.s first$'
assert_eq 0 "$(awk 'length > 80' "$RUN_OUT" | wc -l)" "--readings fits 80 columns"

# Three records of a media never seen, one of another, one of a known one.
mock_list "$(market_path 37)" market37.json <<'JSON'
{"record": [
 {"infoCode": "NW9101", "title": "一", "datetime": "2022-04-01 09:00:00", "medianame": "都市快报"},
 {"infoCode": "NW9102", "title": "二", "datetime": "2022-04-01 09:01:00", "medianame": "都市快报"},
 {"infoCode": "NW9103", "title": "三", "datetime": "2022-04-01 09:02:00", "medianame": "都市快报"},
 {"infoCode": "NW9104", "title": "四", "datetime": "2022-04-01 09:03:00", "medianame": "长城证券"},
 {"infoCode": "NW9105", "title": "五", "datetime": "2022-04-01 09:04:00", "medianame": "成都日报"}
]}
JSON
for id in 9101 9102 9103 9104 9105; do mock_text "NW$id" '<p>新</p>'; done
finewsd_once -v
expect_rc 0 "--once after the import"
assert_sql "都市快报 gets 都 du" "NW9101|dushikuaibao
NW9102|dushikuaibao
NW9103|dushikuaibao
NW9104|changchengzhengquan
NW9105|chengduribao" "select info_code, category from posts where info_code like 'NW91%' order by info_code"
assert_grep "the post file says so" "$T_SITE/_posts/2022-04-01-NW9101.md" '^categories: dushikuaibao$'
assert_eq 1 "$(grep -c 'media 都市快报: category dushikuaibao' "$RUN_ERR")" \
	"one derivation for the three records of 都市快报"
assert_eq 0 "$(grep -c 'media 成都日报: category' "$RUN_ERR" || true)" \
	"成都日报's slug is the one --import learned: nothing derived"
mock_stop

# One more post, imported alone, reads 长 zhǎng: a tie, which no slug takes.
# (Importing the old site again would count its media again, once each.)
old_post "$TMP/more" 4 zhangshengribao 长生日报
run_finewsd -c "$T_CONF" --import "$TMP/more"
expect_rc 0 "--import of one more post"
run_finewsd -c "$T_CONF" --readings
expect_rc 0 "--readings"
assert_grep "--readings: 长 chang, a tie" "$RUN_OUT" '^长 +U\+957F +chang +1 +zhang +tie$'
assert_grep "--readings: 长 zhang, a tie" "$RUN_OUT" '^长 +U\+957F +zhang +1 +zhang +tie$'
assert_grep "--readings: the totals" "$RUN_OUT" \
	'^total: 4 readings of 3 characters; 1 read unlike Unihan.s first$'
