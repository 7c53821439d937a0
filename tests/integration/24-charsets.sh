#!/usr/bin/env bash
# 24-charsets: sources in GBK (declared in the Content-Type only, in a
# <meta> only, and nowhere but in the configuration), GB18030 with a 4-byte
# character, Big5, JSON with a UTF-8 BOM and JSON in GBK, and a page with
# bytes that do not decode.  Titles, media and bodies come out as the right
# UTF-8: the posts are compared byte for byte with files written here by
# hand, and the served bytes are made from the same UTF-8 text by Python's
# codecs, never by finewsd.  A record with bytes that do not decode is
# skipped, and the log names the source, the record and the offset.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

t_begin 24-charsets "GBK, GB18030, Big5, BOM and broken bytes become the right UTF-8 or are skipped"

# encode NAME CODEC < TEXT: the UTF-8 text on stdin written under the mock
# root in CODEC (Python's codec names), or "bom" for UTF-8 with a BOM.
encode() {
	mkdir -p "$(dirname "$T_MOCK/$1")"
	python3 -c '
import sys
text = sys.stdin.buffer.read().decode("utf-8")
codec = sys.argv[2]
data = b"\xef\xbb\xbf" + text.encode("utf-8") if codec == "bom" else text.encode(codec)
open(sys.argv[1], "wb").write(data)' "$T_MOCK/$1" "$2"
}

# serve PATH FILE CONTENT-TYPE
serve() { route_set "$1" "{\"file\": \"$2\", \"content_type\": \"$3\"}"; }

# html_list HEAD ID|TITLE|DATE|MEDIA...: an HTML list page on stdout.
html_list() {
	local head=$1 item id title date media
	shift
	printf '<html><head>%s<title>要聞</title></head><body><ul class="news">\n' "$head"
	for item in "$@"; do
		IFS='|' read -r id title date media <<<"$item"
		printf '<li><a href="/article/x.html?infoCode=%s">%s</a><span class="time">%s</span><span class="media">%s</span></li>\n' \
		    "$id" "$title" "$date" "$media"
	done
	printf '</ul></body></html>\n'
}

# html_article HEAD BODY
html_article() {
	printf '<html><head>%s</head><body><div id="nav">導航</div><div id="content">%s</div></body></html>\n' "$1" "$2"
}

# 1. GBK, declared in the Content-Type only.
html_list "" "GH1|央行：下调存款准备金率0.5个百分点|2024-06-03 09:00:00|新华社" |
	encode cs/gbkhdr.html gbk
serve /cs/gbkhdr.html cs/gbkhdr.html "text/html; charset=GBK"
html_article "" "<p>中国人民银行决定下调金融机构存款准备金率。</p>" | encode article/GH1.html gbk
serve /article/GH1.html article/GH1.html "text/html; charset=gbk"

# 2. GBK, declared in a <meta> only, after 5 KB of script; the article by
# http-equiv, as gb2312.
script="<script>var pad = '$(printf '%05000d' 0)';</script>"
html_list "$script<meta charset=\"gbk\">" \
    "GM1|沪指收涨1.2%，成交额超万亿|2024-06-03 15:01:00|中国证券报" |
	encode cs/gbkmeta.html gbk
serve /cs/gbkmeta.html cs/gbkmeta.html "text/html"
html_article '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">' \
    "<p>两市成交额连续第三日超过万亿元。</p>" | encode article/GM1.html gbk
serve /article/GM1.html article/GM1.html "text/html"

# 3. GBK declared nowhere, charset = gbk configured; the article's header
# says utf-8, wrongly, and the configuration wins.
html_list "" "GC1|财政部发行超长期特别国债|2024-06-03 10:30:00|经济日报" |
	encode cs/gbkconf.html gbk
serve /cs/gbkconf.html cs/gbkconf.html "text/html"
html_article "" "<p>首期发行规模为400亿元。</p>" | encode article/GC1.html gbk
serve /article/GC1.html article/GC1.html "text/html; charset=utf-8"

# 4. GB18030 with a 4-byte character (U+20BB7) in the title and the body.
html_list "" "G18|𠮷野家开出首店|2024-06-03 11:00:00|新华社" |
	encode cs/gb18030.html gb18030
serve /cs/gb18030.html cs/gb18030.html "text/html; charset=GB18030"
html_article "" '<p>“𠮷”是“吉”的异体字。</p>' | encode article/G18.html gb18030
serve /article/G18.html article/G18.html "text/html; charset=GB18030"

# 5. Big5.
html_list "" "BG1|臺灣股市收盤上漲|2024-06-03 13:30:00|中央社" |
	encode cs/big5.html big5
serve /cs/big5.html cs/big5.html "text/html; charset=big5"
html_article "" "<p>加權指數上漲百點，成交量放大。</p>" | encode article/BG1.html big5
serve /article/BG1.html article/BG1.html "text/html; charset=big5"

# 6. JSON with a UTF-8 BOM and no charset in its Content-Type.
encode cs/bom.json bom <<'JSON'
{"record": [{"infoCode": "BJ1", "title": "带字节序标记的列表", "datetime": "2024-06-03 12:00:00", "medianame": "新华社"}]}
JSON
serve /cs/bom.json cs/bom.json "application/json"
encode text/BJ1.json bom <<'JSON'
{"text": "<p>列表和正文都以BOM开头。</p>"}
JSON
serve "${TEXT_PATH}BJ1" text/BJ1.json "application/json"

# 7. JSON in GBK, declared in the Content-Type.
encode cs/gbk.json gbk <<'JSON'
{"record": [{"infoCode": "GJ1", "title": "人民币汇率走强", "datetime": "2024-06-03 12:30:00", "medianame": "经济日报"}]}
JSON
serve /cs/gbk.json cs/gbk.json "application/json; charset=gbk"
encode text/GJ1.json gbk <<'JSON'
{"text": "<p>在岸人民币对美元汇率升破7.2。</p>"}
JSON
serve "${TEXT_PATH}GJ1" text/GJ1.json "application/json; charset=GBK"

# 8. UTF-8 with bytes that do not decode: in BB1's title and in BB3's
# article; BB2 is fine.  The offsets are where the test put the bytes.
python3 - "$T_MOCK" <<'PY'
import os, sys
root = sys.argv[1]
head = '<html><head><meta charset="utf-8"></head><body><ul class="news">\n'
item = ('<li><a href="/article/x.html?infoCode={0}">{1}</a><span class="time">'
        '2024-06-03 14:00:00</span><span class="media">新华社</span></li>\n')
page = (head.encode() + item.format("BB1", "坏\x00字节").encode().replace(b"\x00", b"\xff\xfe")
        + item.format("BB2", "好的标题").encode() + item.format("BB3", "正文坏了").encode()
        + b"</ul></body></html>\n")
open(os.path.join(root, "cs", "bad.html"), "wb").write(page)
open(os.path.join(root, "bad-list-offset"), "w").write(str(page.index(b"\xff")))
art = lambda body: (b'<html><body><div id="content">' + body + b"</div></body></html>\n")
open(os.path.join(root, "article", "BB2.html"), "wb").write(art("<p>一切正常。</p>".encode()))
a3 = art("<p>这里有".encode() + b"\xe4\xb8" + "半个字。</p>".encode())
open(os.path.join(root, "article", "BB3.html"), "wb").write(a3)
open(os.path.join(root, "bad-text-offset"), "w").write(str(a3.index(b"\xe4\xb8")))
PY
serve /cs/bad.html cs/bad.html "text/html; charset=utf-8"

mock_start
conf_begin
html_source() {   # NAME LIST-PATH [KEY=VALUE...]
	local name=$1 path=$2 kv
	shift 2
	cat >> "$T_CONF" <<CONF
[source $name]
format = html
list_url = $MOCK_URL$path
list_xpath = //ul[@class='news']/li
id_xpath = substring-after(a/@href, 'infoCode=')
title_xpath = a
date_xpath = span[@class='time']
media_xpath = span[@class='media']
text_url = $MOCK_URL/article/{id}.html
text_xpath = //div[@id='content']
link = https://example.com/news/{id}
CONF
	for kv in "$@"; do
		printf '%s = %s\n' "${kv%%=*}" "${kv#*=}" >> "$T_CONF"
	done
	printf '\n' >> "$T_CONF"
}
json_source() {   # NAME LIST-PATH
	cat >> "$T_CONF" <<CONF
[source $1]
list_url = $MOCK_URL$2
media_field = medianame
text_url = $MOCK_URL$TEXT_PATH{id}
link = $LINK_TEMPLATE

CONF
}
html_source gbkhdr /cs/gbkhdr.html
html_source gbkmeta /cs/gbkmeta.html
html_source gbkconf /cs/gbkconf.html charset=gbk
html_source gb18030 /cs/gb18030.html
html_source big5 /cs/big5.html
json_source bomjson /cs/bom.json
json_source gbkjson /cs/gbk.json
html_source badbytes /cs/bad.html

finewsd_once
expect_rc 0 "--once over every charset (a skipped record is not a failure)"

# expect ID DATE TITLE CATEGORY TAG BODY LINK: the post, written by hand.
expect() {
	local id=$1 date=$2 title=$3 cat=$4 tag=$5 body=$6 link=$7
	{
		printf -- '---\nlayout: post\ntitle: "%s"\ndate: %s +0800\n' "$title" "$date"
		printf 'categories: %s\ntags: %s\n---\n%s\n\n<%s>\n\n' "$cat" "$tag" "$body" "$link"
		printf '[返回%s](//%s/category/%s.html)｜[返回首页](//%s/)' "$tag" "$SITE_HOST" \
		    "$cat" "$SITE_HOST"
	} > "$TMP/want-$id.md"
	assert_same "$TMP/want-$id.md" "$T_SITE/_posts/${date:0:10}-$id.md"
}
expect GH1 "2024-06-03 09:00:00" "央行：下调存款准备金率0.5个百分点" xinhuashe 新华社新闻 \
    "<p>中国人民银行决定下调金融机构存款准备金率。</p>" https://example.com/news/GH1
expect GM1 "2024-06-03 15:01:00" "沪指收涨1.2%，成交额超万亿" zhongguozhengquanbao \
    中国证券报新闻 "<p>两市成交额连续第三日超过万亿元。</p>" https://example.com/news/GM1
expect GC1 "2024-06-03 10:30:00" "财政部发行超长期特别国债" jingjiribao 经济日报新闻 \
    "<p>首期发行规模为400亿元。</p>" https://example.com/news/GC1
expect G18 "2024-06-03 11:00:00" "𠮷野家开出首店" xinhuashe 新华社新闻 \
    '<p>“𠮷”是“吉”的异体字。</p>' https://example.com/news/G18
expect BG1 "2024-06-03 13:30:00" "臺灣股市收盤上漲" zhongyangshe 中央社新闻 \
    "<p>加權指數上漲百點，成交量放大。</p>" https://example.com/news/BG1
expect BJ1 "2024-06-03 12:00:00" "带字节序标记的列表" xinhuashe 新华社新闻 \
    "<p>列表和正文都以BOM开头。</p>" "${LINK_PREFIX}BJ1"
expect GJ1 "2024-06-03 12:30:00" "人民币汇率走强" jingjiribao 经济日报新闻 \
    "<p>在岸人民币对美元汇率升破7.2。</p>" "${LINK_PREFIX}GJ1"
expect BB2 "2024-06-03 14:00:00" "好的标题" xinhuashe 新华社新闻 \
    "<p>一切正常。</p>" https://example.com/news/BB2

assert_sql "the rows: titles and media as UTF-8, the broken records left out" \
"BB2|badbytes|好的标题|新华社
BG1|big5|臺灣股市收盤上漲|中央社
BJ1|bomjson|带字节序标记的列表|新华社
G18|gb18030|𠮷野家开出首店|新华社
GC1|gbkconf|财政部发行超长期特别国债|经济日报
GH1|gbkhdr|央行：下调存款准备金率0.5个百分点|新华社
GJ1|gbkjson|人民币汇率走强|经济日报
GM1|gbkmeta|沪指收涨1.2%，成交额超万亿|中国证券报" \
    "select info_code, source, title, media from posts order by info_code"
assert_eq "" "$(sql "select info_code from posts where body like '%' || char(65533) || '%'
    or title like '%' || char(65533) || '%'")" "no U+FFFD in any row"
assert_eq "$(printf '_posts/2024-06-03-%s.md\n' BB2 BG1 BJ1 G18 GC1 GH1 GJ1 GM1)" \
    "$(list_posts)" "eight posts, none for BB1 or BB3"

list_off=$(cat "$T_MOCK/bad-list-offset")
text_off=$(cat "$T_MOCK/bad-text-offset")
assert_grep "BB1 skipped, with the source, the record and the offset in the list" "$RUN_ERR" \
    "source badbytes: record BB1 skipped: bytes that do not decode as UTF-8 at offset $list_off of the list"
assert_grep "BB3 skipped, with the source, the record and the offset in its text" "$RUN_ERR" \
    "source badbytes: record BB3 skipped: text $MOCK_URL/article/BB3.html: bytes that do not decode as UTF-8 at offset $text_off\$"

FEEDS=$T_SITE/feeds
assert_atom "$FEEDS/all.xml" "$FEEDS/xinhuashe.xml" "$FEEDS/zhongyangshe.xml" \
    "$FEEDS/jingjiribao.xml" "$FEEDS/zhongguozhengquanbao.xml"
assert_xp "the Big5 title in its feed" "臺灣股市收盤上漲" "$FEEDS/zhongyangshe.xml" \
    "string(/a:feed/a:entry/a:title)"
assert_xp "the GB18030 4-byte character in the feed" 1 "$FEEDS/xinhuashe.xml" \
    "count(/a:feed/a:entry[a:title='𠮷野家开出首店'])"
assert_xp "the Big5 media as the entry's author" "中央社" "$FEEDS/zhongyangshe.xml" \
    "string(/a:feed/a:entry/a:author/a:name)"

# A response naming a charset iconv does not know fails its source, clearly;
# so does a configured one, at --check, with FILE:LINE and the key.
route_set /cs/klingon.html '{"file": "cs/gbkhdr.html", "content_type": "text/html; charset=x-klingon"}'
conf_begin
html_source klingon /cs/klingon.html
finewsd_once
expect_rc 1 "--once with a source whose Content-Type names an unknown charset"
assert_grep "the list fails naming the charset and where it was named" "$RUN_ERR" \
    "source klingon: poll failed: list $MOCK_URL/cs/klingon.html: the charset 'x-klingon' named by the Content-Type is not one iconv knows"
conf_begin
html_source klingon /cs/klingon.html charset=klingon
run_finewsd -c "$T_CONF" --check
expect_rc 2 "--check with charset = klingon"
line=$(grep -n '^charset = klingon' "$T_CONF" | cut -d: -f1)
assert_grep "the error names FILE:LINE and the key" "$RUN_ERR" \
    "$T_CONF:$line: charset: not a charset iconv knows"
mock_stop
