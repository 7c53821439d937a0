#!/usr/bin/env bash
# 26-dates-filters-requests: dates in five shapes (date_format, Unix seconds
# and milliseconds, a source's own timezone, seconds left out), a bad date
# logged with its value and the shape expected; include/exclude filters
# that drop half a list, whose texts are never fetched; a source's own
# headers and User-Agent as the mock saw them; and the HTTP proxy taken
# from the environment.  Expected values are written by hand.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

t_begin 26-dates-filters-requests "date shapes, title filters, request headers, proxy"

# list NAME ID|TITLE|DATE...: a market list (DATE a JSON value, as written)
# with a text per record.
list() {
	python3 - "$T_MOCK" "$@" <<'PY'
import json, os, sys
root, name, items = sys.argv[1], sys.argv[2], sys.argv[3:]
recs = []
for it in items:
    ident, title, date = it.split("|")
    recs.append({"infoCode": ident, "title": title, "datetime": json.loads(date),
                 "medianame": "新华社"})
    with open(os.path.join(root, "text", ident + ".json"), "w", encoding="utf-8") as f:
        json.dump({"text": "<p>%s的正文。</p>" % ident}, f, ensure_ascii=False)
with open(os.path.join(root, name), "w", encoding="utf-8") as f:
    json.dump({"record": recs}, f, ensure_ascii=False)
PY
	route_set "/$1" "{\"file\": \"$1\"}"
}

# 2024-06-03 10:05 in Beijing is 1717380300 (02:05 UTC).
list d1.json 'D1|年月日的日期|"2024年06月03日 10:05"' 'D1BAD|错的日期|"2024-06-03 10:05"'
list d2.json 'D2|斜线的日期|"2024/06/03 10:06"'
list d3.json 'D3|Unix秒|1717380420'
list d4.json 'D4|Unix毫秒|"1717380480000"'
list d5.json 'D5|世界时没有秒|"2024-06-03 02:09"'
list f.json 'F1|专项债发行提速|"2024-06-03 11:01:00"' 'F2|国债收益率下行|"2024-06-03 11:02:00"' \
    'F3|A股三大指数集体高开|"2024-06-03 11:03:00"' 'F4|天气晴|"2024-06-03 11:04:00"' \
    'F5|广告：买债券送好礼|"2024-06-03 11:05:00"' 'F6|地方债净融资|"2024-06-03 11:06:00"'
list h.json 'H1|要带Cookie的新闻|"2024-06-03 12:00:00"'
mock_start

conf_begin
src_add() {   # NAME KEY=VALUE...
	local name=$1 kv
	shift
	{
		printf '[source %s]\nlist_url = %s/%s.json\nmedia_field = medianame\n' \
		    "$name" "$MOCK_URL" "$name"
		printf 'text_url = %s%s{id}\nlink = %s\n' "$MOCK_URL" "$TEXT_PATH" "$LINK_TEMPLATE"
		for kv in "$@"; do
			printf '%s = %s\n' "${kv%%=*}" "${kv#*=}"
		done
		printf '\n'
	} >> "$T_CONF"
}
src_add d1 'date_format=%Y年%m月%d日 %H:%M'
src_add d2 'date_format=%Y/%m/%d %H:%M'
src_add d3 date_format=unix
src_add d4 date_format=unix_ms
src_add d5 timezone=+0000
src_add f include=债 'exclude=^广告'
src_add h 'headers=Referer: https://news.example/list' 'headers=Cookie: sid=abc; lang=zh' \
    'user_agent=Mozilla/5.0 (X11; finewsd test)'

finewsd_once
expect_rc 0 "--once over the dates, the filter and the headers"

assert_sql "each date shape at the site's timezone, seconds 0 where left out" \
"D1|2024-06-03 10:05:00 +0800|_posts/2024-06-03-D1.md
D2|2024-06-03 10:06:00 +0800|_posts/2024-06-03-D2.md
D3|2024-06-03 10:07:00 +0800|_posts/2024-06-03-D3.md
D4|2024-06-03 10:08:00 +0800|_posts/2024-06-03-D4.md
D5|2024-06-03 10:09:00 +0800|_posts/2024-06-03-D5.md" \
    "select info_code, published, path from posts where source like 'd%' order by info_code"
{
	printf -- '---\nlayout: post\ntitle: "年月日的日期"\ndate: 2024-06-03 10:05:00 +0800\n'
	printf 'categories: xinhuashe\ntags: 新华社新闻\n---\n<p>D1的正文。</p>\n\n<%sD1>\n\n' "$LINK_PREFIX"
	printf '[返回新华社新闻](//%s/category/xinhuashe.html)｜[返回首页](//%s/)' "$SITE_HOST" "$SITE_HOST"
} > "$TMP/want-D1.md"
assert_same "$TMP/want-D1.md" "$T_SITE/_posts/2024-06-03-D1.md"
assert_xp "the feed's time is the post's" "2024-06-03T10:09:00+08:00" "$T_SITE/feeds/xinhuashe.xml" \
    "string(/a:feed/a:entry[a:title='世界时没有秒']/a:published)"
assert_grep "a bad date is logged with its value and the shape expected" "$RUN_ERR" \
    "source d1: record D1BAD skipped: bad date '2024-06-03 10:05', expected %Y年%m月%d日 %H:%M\$"
assert_eq "" "$(sql "select info_code from posts where info_code = 'D1BAD'")" "no row for D1BAD"

assert_sql "the filter keeps the titles with 债 but not the advertisement" "F1
F2
F6" "select info_code from posts where source = 'f' order by info_code"
assert_eq "$(printf '%s\n' F1 F2 F6)" \
    "$(mock_text_ids_since | grep '^F')" "only the kept records' texts were fetched"
assert_grep "the poll's log line counts the filtered records" "$RUN_ERR" \
    '^source f: 3 new posts, 3 filtered$'

assert_eq "https://news.example/list
https://news.example/list" "$(mock_header '^/h\.json$|id=H1$' Referer)" \
    "the source's Referer on its list and text requests"
assert_eq "sid=abc; lang=zh
sid=abc; lang=zh" "$(mock_header '^/h\.json$|id=H1$' Cookie)" \
    "the source's Cookie on its list and text requests"
assert_eq "Mozilla/5.0 (X11; finewsd test)
Mozilla/5.0 (X11; finewsd test)" "$(mock_header '^/h\.json$|id=H1$' User-Agent)" \
    "the source's own User-Agent"
assert_eq "finewsd/$(sed -n 's/^AC_INIT(\[finewsd\], \[\([^]]*\)\].*/\1/p' \
    "$abs_top_srcdir/configure.ac")
-" "$(mock_header '^/d2\.json$' User-Agent; mock_header '^/d2\.json$' Referer)" \
    "another source: the global User-Agent, no Referer"

# The HTTP proxy comes from the environment (libcurl's http_proxy): the
# mock, as that proxy, gets the request for a host that does not exist.
python3 - "$T_MOCK" <<'PY'
import json, os, sys
root = sys.argv[1]
json.dump({"record": [{"infoCode": "P1", "title": "经代理取得", "datetime": "2024-06-03 13:00:00",
                       "medianame": "新华社"}]},
          open(os.path.join(root, "proxied.json"), "w", encoding="utf-8"), ensure_ascii=False)
json.dump({"text": "<p>代理。</p>"}, open(os.path.join(root, "text", "P1.json"), "w",
          encoding="utf-8"), ensure_ascii=False)
PY
route_set "http://news.invalid/proxied.json" '{"file": "proxied.json"}'
conf_begin
cat >> "$T_CONF" <<CONF
[source proxied]
list_url = http://news.invalid/proxied.json
media_field = medianame
text_url = http://news.invalid$TEXT_PATH{id}
link = $LINK_TEMPLATE
CONF
mock_log_mark
saved=${FINEWSD_WRAPPER:-}
FINEWSD_WRAPPER="env http_proxy=$MOCK_URL no_proxy= NO_PROXY= $saved"
finewsd_once
FINEWSD_WRAPPER=$saved
expect_rc 0 "--once through the proxy of the environment"
assert_requested "the list asked of the proxy for its host" \
    '^GET http://news\.invalid/proxied\.json 200$'
assert_requested "the text too" '^GET http://news\.invalid/NewsData/GetNewsText\.do\?id=P1 200$'
assert_exists "$T_SITE/_posts/2024-06-03-P1.md"
mock_stop
