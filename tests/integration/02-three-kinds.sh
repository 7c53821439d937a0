#!/usr/bin/env bash
# 02-three-kinds: a market-news, a fast-news and a rolling-news source, each
# with its own field names, give posts equal to hand-written golden files.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

t_begin 02-three-kinds "market, fast and rolling news against golden posts"

A=NW202401152984513706      # market: media with a space and full-width parentheses,
                            #   a title with '"' and '\', ideographic spaces
B=NW202401152984520011      # market: 36氪, a title with a line break
C=NW202401162984601234      # fast: [categories] override, text under "content"
D=NW202401162984655555      # rolling: digest with two 】
E=NW202401162984650001      # rolling: digest without 】

mock_list "$(market_path 37)" market37.json <<'EOF'
{"record": [
 {"infoCode": "NW202401152984513706", "title": "海外策略 \"降息周期\" 展望 C:\\reports",
  "datetime": "2024-01-15 08:05:09", "medianame": "安信国际证券（香港） 研究",
  "digest": "", "image": ""},
 {"infoCode": "NW202401152984520011", "title": "36氪首发\n某公司完成B轮融资",
  "datetime": "2024-01-15 09:12:00", "medianame": "36氪", "digest": "", "image": ""}
]}
EOF
mock_list "$FAST_PATH" fast.json <<'EOF'
{"nodeList": [
 {"infocode": "NW202401162984601234", "title": "【央行：开展1000亿元MLF操作】",
  "showtime": "2024-01-16 09:20:31", "from": "第一财经", "digest": "央行开展MLF操作",
  "url": "http://example.invalid/ignored"}
], "total": 1}
EOF
mock_list "$ROLLING_PATH" rolling.json <<'EOF'
{"rc": 1, "records": [
 {"infoCode": "NW202401162984655555", "id": "202401162984655555", "title": "多家银行下调存款利率",
  "showtime": "2024-01-16 10:01:02",
  "digest": "【多家银行下调存款利率】【财经早参】据不完全统计，已有多家中小银行下调存款利率。",
  "url_w": "http://finance.eastmoney.com/a/202401162984655555.html", "mediaName": "每日经济新闻"},
 {"infoCode": "NW202401162984650001", "id": "202401162984650001", "title": "A股三大指数集体高开",
  "showtime": "2024-01-16 09:45:00",
  "digest": "沪指高开0.12%，深成指高开0.2%，创业板指高开0.3%。",
  "url_w": "http://finance.eastmoney.com/a/202401162984650001.html", "mediaName": "东方财富网"}
]}
EOF
# JSON escapes keep the ideographic spaces visible here: pairs go, left to
# right (three leave one, four leave none, five leave one), a single one stays.
mock_file "text/$A.json" <<'EOF'
{"text": "<p>\u3000\u3000美联储议息会议临近。</p>\n<p>\u3000\u3000\u3000三个全角空格留一个。</p>\n<p>四个\u3000\u3000\u3000\u3000全去掉，一个\u3000保留；五个\u3000\u3000\u3000\u3000\u3000剩一个。</p>"}
EOF
mock_text "$B" '<p>36氪获悉，某公司近日完成数亿元B轮融资。</p><p>本轮融资将用于研发。</p>'
mock_text "$C" '<p>中国人民银行1月16日开展1000亿元中期借贷便利（MLF）操作，利率2.50%。</p>' content
mock_text "$D" '<p>近期，多家中小银行宣布下调人民币存款利率。</p><p class="em_media">（文章来源：每日经济新闻）</p>'
mock_text "$E" '<p>A股三大指数集体高开。</p>'

mock_start
conf_begin
conf_categories "第一财经=yicai"
conf_source_market market37 37
conf_source_fast fast "" text_field=content
conf_source_rolling rolling

finewsd_once
expect_rc 0 "--once with three good sources"

for g in 2024-01-15-$A 2024-01-15-$B 2024-01-16-$C \
    2024-01-16-${D#NW} 2024-01-16-${E#NW}; do
	assert_same "$GOLDEN/$g.md" "$T_SITE/_posts/$g.md"
done
assert_eq "$(printf '%s\n' _posts/2024-01-15-$A.md _posts/2024-01-15-$B.md \
    _posts/2024-01-16-${D#NW}.md _posts/2024-01-16-${E#NW}.md \
    _posts/2024-01-16-$C.md | sort)" "$(list_posts)" "exactly five post files"

printf -- '---\nlayout: category\ntitle: 安信国际证券（香港） 研究新闻\ncategory: anxinguojizhengquanxianggangyanjiu\n---' |
    assert_content "$T_SITE/category/anxinguojizhengquanxianggangyanjiu.html"
printf -- '---\nlayout: category\ntitle: 36氪新闻\ncategory: 36ke\n---' |
    assert_content "$T_SITE/category/36ke.html"
printf -- '---\nlayout: category\ntitle: 第一财经新闻\ncategory: yicai\n---' |
    assert_content "$T_SITE/category/yicai.html"
printf -- '---\nlayout: category\ntitle: 东财滚动新闻\ncategory: emnews\n---' |
    assert_content "$T_SITE/category/emnews.html"
assert_missing "$T_SITE/category/diyicaijing.html"

L=$LINK_PREFIX
assert_sql "the five rows (title line breaks shown as spaces)" \
"$A|market37|anxinguojizhengquanxianggangyanjiu|安信国际证券（香港） 研究新闻|安信国际证券（香港） 研究|海外策略 \"降息周期\" 展望 C:\\reports|2024-01-15 08:05:09 +0800|$L$A|_posts/2024-01-15-$A.md
$B|market37|36ke|36氪新闻|36氪|36氪首发 某公司完成B轮融资|2024-01-15 09:12:00 +0800|$L$B|_posts/2024-01-15-$B.md
$C|fast|yicai|第一财经新闻|第一财经|【央行：开展1000亿元MLF操作】|2024-01-16 09:20:31 +0800|$L$C|_posts/2024-01-16-$C.md
$E|rolling|emnews|东财滚动新闻||A股三大指数集体高开|2024-01-16 09:45:00 +0800|http://finance.eastmoney.com/a/${E#NW}.html|_posts/2024-01-16-${E#NW}.md
$D|rolling|emnews|东财滚动新闻||多家银行下调存款利率|2024-01-16 10:01:02 +0800|http://finance.eastmoney.com/a/${D#NW}.html|_posts/2024-01-16-${D#NW}.md" \
    "select info_code, source, category, tag, coalesce(media, ''),
            replace(replace(title, char(13) || char(10), ' '), char(10), ' '),
            published, link, path from posts order by info_code"

assert_eq "$(printf '%s\n' "$A" "$B" "$C" "$D" "$E" | sort)" "$(mock_text_ids_since)" \
    "the texts were fetched by infoCode, once each"

FEEDS=$T_SITE/feeds
assert_atom "$FEEDS/all.xml" "$FEEDS/emnews.xml" "$FEEDS/yicai.xml" \
    "$FEEDS/36ke.xml" "$FEEDS/anxinguojizhengquanxianggangyanjiu.xml"
assert_eq "$(printf '%s\n' 36ke.xml all.xml anxinguojizhengquanxianggangyanjiu.xml \
    emnews.xml feed.xsl index.opml yicai.xml)" "$(ls "$FEEDS")" "the files in feeds/"

ids=""
for x in "$D:2024-01-16" "$E:2024-01-16" "$C:2024-01-16" "$B:2024-01-15" "$A:2024-01-15"; do
	ids="$ids${ids:+ }tag:$SITE_HOST,${x#*:}:${x%%:*}"
done
got=""
for i in 1 2 3 4 5; do
	got="$got${got:+ }$(xp "$FEEDS/all.xml" "string(/a:feed/a:entry[$i]/a:id)")"
done
assert_eq "$ids" "$got" "all.xml: the five entries, newest first"
assert_xp "emnews.xml: two entries" 2 "$FEEDS/emnews.xml" "count(/a:feed/a:entry)"
assert_xp "emnews.xml: feed title is the tag" "东财滚动新闻" "$FEEDS/emnews.xml" \
    "string(/a:feed/a:title)"
assert_xp "emnews.xml: a rolling entry links to its page, named by id" 1 "$FEEDS/emnews.xml" \
    "count(/a:feed/a:entry/a:link[@href='$SITE_URL/emnews/2024/01/16/${D#NW}.html'])"
assert_xp "emnews.xml: newest first" "tag:$SITE_HOST,2024-01-16:$D" "$FEEDS/emnews.xml" \
    "string(/a:feed/a:entry[1]/a:id)"
# Feed content is HTML: the digest line the post keeps as Markdown ("> ...")
# is a quote there, followed by a line break (issue 8).
NL=$'\n'
assert_grep "the rolling post keeps its Markdown digest line" \
    "$T_SITE/_posts/2024-01-16-${D#NW}.md" '^> 据不完全统计，已有多家中小银行下调存款利率。$'
assert_xp "emnews.xml: the digest line is a <blockquote> in the entry" \
    "<blockquote><p>据不完全统计，已有多家中小银行下调存款利率。</p></blockquote>" \
    "$FEEDS/emnews.xml" "substring-before(string(/a:feed/a:entry[1]/a:content), '$NL')"
assert_xp "emnews.xml: no Markdown quote left in any entry" 0 "$FEEDS/emnews.xml" \
    "count(/a:feed/a:entry/a:content[starts-with(., '&gt;') or starts-with(., '>')])"
assert_xp "yicai.xml: entry link" 1 "$FEEDS/yicai.xml" \
    "count(/a:feed/a:entry/a:link[@href='$SITE_URL/yicai/2024/01/16/$C.html'])"
assert_xp "yicai.xml: entry published" "2024-01-16T09:20:31+08:00" "$FEEDS/yicai.xml" \
    "string(/a:feed/a:entry/a:published)"
assert_xp "anxin feed: the title with quotes and backslash" '海外策略 "降息周期" 展望 C:\reports' \
    "$FEEDS/anxinguojizhengquanxianggangyanjiu.xml" "string(/a:feed/a:entry/a:title)"
assert_xp "anxin feed: author" "安信国际证券（香港） 研究" \
    "$FEEDS/anxinguojizhengquanxianggangyanjiu.xml" "string(/a:feed/a:entry/a:author/a:name)"

OPML=$FEEDS/index.opml
say "index.opml is well-formed XML"
xmllint --noout "$OPML" || fail "$OPML is not well-formed"
for c in anxinguojizhengquanxianggangyanjiu 36ke yicai emnews; do
	assert_xp "index.opml lists feeds/$c.xml" 1 "$OPML" \
	    "count(//outline[@xmlUrl='$SITE_URL/feeds/$c.xml'])"
done

mock_stop
