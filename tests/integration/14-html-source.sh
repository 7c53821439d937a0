#!/usr/bin/env bash
# 14-html-source: a source that is an HTML page (format = html): libxml2
# parses the list page and each article page, and the configuration's XPath
# expressions pick the fields; the body is the inner HTML of text_xpath.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

t_begin 14-html-source "an HTML list page and its article pages become posts"

mock_file news/list.html <<'HTML'
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>要闻</title></head><body>
<ul class="news">
  <li><a href="/article/x.html?infoCode=NW1001">标题 一 &amp; "引号"</a>
      <span class="time"> 2022-05-01 09:00:00 </span><span class="media">中国证券报</span></li>
  <li><a href="/article/x.html?infoCode=NW1002">没有日期的新闻</a>
      <span class="media">中国证券报</span></li>
  <li><a href="/article/x.html?infoCode=NW1003">第三条</a>
      <span class="time">2022-05-02 10:30:00</span><span class="media">上海证券报</span></li>
</ul>
</body></html>
HTML
route_set /news/list.html '{"file": "news/list.html"}'
mock_file article/NW1001.html <<'HTML'
<html><body><div id="nav">导航</div><div id="content"><p>第一段。</p><p>第二段<b>加粗</b>。</p></div></body></html>
HTML
mock_file article/NW1003.html <<'HTML'
<html><body><div id="content"><p>上海　　证券报的正文</p></div></body></html>
HTML
mock_start
conf_begin
cat >> "$T_CONF" <<CONF
[source web]
format = html
list_url = $MOCK_URL/news/list.html
list_xpath = //ul[@class='news']/li
id_xpath = substring-after(a/@href, 'infoCode=')
title_xpath = a
date_xpath = span[@class='time']
media_xpath = span[@class='media']
text_url = $MOCK_URL/article/{id}.html
text_xpath = //div[@id='content']
link = https://example.com/news/{id}
CONF

finewsd_once
expect_rc 0 "--once with an HTML source (a skipped record is not a failure)"

# Written by hand from the contract's template: the title is a YAML
# double-quoted scalar, the body the inner HTML of div#content.
printf '%s\n' \
	'---' \
	'layout: post' \
	'title: "标题 一 & \"引号\""' \
	'date: 2022-05-01 09:00:00 +0800' \
	'categories: zhongguozhengquanbao' \
	'tags: 中国证券报新闻' \
	'---' \
	'<p>第一段。</p><p>第二段<b>加粗</b>。</p>' \
	'' \
	'<https://example.com/news/NW1001>' \
	'' > "$TMP/expected1"
printf '%s' '[返回中国证券报新闻](//finews.withounder.com/category/zhongguozhengquanbao.html)｜[返回首页](//finews.withounder.com/)' >> "$TMP/expected1"
assert_same "$TMP/expected1" "$T_SITE/_posts/2022-05-01-NW1001.md"

# A pair of ideographic spaces in an HTML body goes too, as in JSON bodies.
assert_grep "NW1003: the pair of ideographic spaces removed" \
	"$T_SITE/_posts/2022-05-02-NW1003.md" '<p>上海证券报的正文</p>'
assert_missing "$T_SITE/_posts/-NW1002.md"
assert_sql "two rows, the dateless record skipped" "NW1001|NW1003" \
	"select group_concat(info_code, '|') from (select info_code from posts order by info_code)"
assert_grep "the skipped record is logged with the source and its id" "$RUN_ERR" 'web.*NW1002'
assert_atom "$T_SITE/feeds/zhongguozhengquanbao.xml" "$T_SITE/feeds/shanghaizhengquanbao.xml" \
	"$T_SITE/feeds/all.xml"
mock_stop
