#!/usr/bin/env bash
# 25-hostile-html: an article with a script, an onerror, javascript: links
# (plain, in mixed case, behind a blank and an entity), an iframe and
# relative links.  For an HTML source none of the dangerous parts reaches
# the post or any feed, the relative links become absolute against the
# article's URL (its <base href>, or where a redirect led), and the rest is
# unchanged.  A JSON source keeps its body byte for byte in the post, as
# the contract says, but its feed entry is cleaned all the same.  Expected
# bodies are written by hand.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

t_begin 25-hostile-html "scripts, handlers, javascript: URLs and frames never reach a post or a feed"

HOSTILE='<p>第一段<script>alert("x")</script>正文。</p>'\
'<p><img src="img/a.png" onerror="alert(1)" alt="图一"></p>'\
'<p><a href="javascript:alert(1)">点我</a> <a href="JaVaScRiPt:alert(2)">再点</a> '\
'<a href=" &#106;avascript:alert(3)">三</a></p>'\
'<iframe src="https://evil.example/">框</iframe>'\
'<p><a href="../b.html">上一篇</a> <a href="/c.html" title="下一篇">下一篇</a> '\
'<img src="//cdn.example/d.png" srcset="e.png 2x"></p>'\
'<p>第二段<b>加粗</b>，<i>斜体</i>。<a href="#note">注</a></p>'

mock_file news/list.html <<'HTML'
<html><head><meta charset="utf-8"></head><body><ul class="news">
<li><a href="/article/x.html?infoCode=H1">有base的文章</a><span class="time">2024-06-03 09:00:00</span></li>
<li><a href="/article/x.html?infoCode=H2">被重定向的文章</a><span class="time">2024-06-03 09:30:00</span></li>
</ul></body></html>
HTML
route_set /news/list.html '{"file": "news/list.html"}'
# H1: a <base href> in its head; H2: moved, relative to where it went.
printf '<html><head><base href="/news/2024/"></head><body><div id="content">%s</div></body></html>\n' \
    "$HOSTILE" | mock_file article/H1.html
route_set /article/H2.html '{"status": 302, "headers": {"Location": "/moved/2024/H2.html"}}'
printf '<html><body><div id="content"><p><img src="pic.png"></p><script src="x.js"></script></div></body></html>\n' |
	mock_file moved/2024/H2.html
route_set /moved/2024/H2.html '{"file": "moved/2024/H2.html", "content_type": "text/html"}'

python3 - "$T_MOCK" "$HOSTILE" <<'PY'
import json, os, sys
root, html = sys.argv[1], sys.argv[2]
json.dump({"record": [{"infoCode": "J1", "title": "接口里的文章", "datetime": "2024-06-03 10:00:00",
                       "medianame": "新华社"}]},
          open(os.path.join(root, "api.json"), "w", encoding="utf-8"), ensure_ascii=False)
json.dump({"text": html}, open(os.path.join(root, "text", "J1.json"), "w", encoding="utf-8"),
          ensure_ascii=False)
PY
route_set /api.json '{"file": "api.json"}'
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
category = web
tag = 网页新闻
text_url = $MOCK_URL/article/{id}.html
text_xpath = //div[@id='content']
link = https://example.com/news/{id}

[source api]
list_url = $MOCK_URL/api.json
media_field = medianame
text_url = $MOCK_URL$TEXT_PATH{id}
link = $LINK_TEMPLATE
CONF

finewsd_once
expect_rc 0 "--once with hostile articles"

# post_file ID DATE TITLE CATEGORY TAG BODY LINK: the post, by hand.
post_file() {
	{
		printf -- '---\nlayout: post\ntitle: "%s"\ndate: %s +0800\n' "$3" "$2"
		printf 'categories: %s\ntags: %s\n---\n%s\n\n<%s>\n\n' "$4" "$5" "$6" "$7"
		printf '[返回%s](//%s/category/%s.html)｜[返回首页](//%s/)' "$5" "$SITE_HOST" \
		    "$4" "$SITE_HOST"
	} > "$TMP/want-$1.md"
}

B=$MOCK_URL/news/2024
CLEAN_H1='<p>第一段正文。</p>'
CLEAN_H1+="<p><img src=\"$B/img/a.png\" alt=\"图一\"></p>"
CLEAN_H1+='<p><a>点我</a> <a>再点</a> <a>三</a></p>'
CLEAN_H1+="<p><a href=\"$MOCK_URL/news/b.html\">上一篇</a> "
CLEAN_H1+="<a href=\"$MOCK_URL/c.html\" title=\"下一篇\">下一篇</a> "
CLEAN_H1+="<img src=\"http://cdn.example/d.png\" srcset=\"$B/e.png 2x\"></p>"
CLEAN_H1+='<p>第二段<b>加粗</b>，<i>斜体</i>。<a href="#note">注</a></p>'
post_file H1 "2024-06-03 09:00:00" "有base的文章" web 网页新闻 "$CLEAN_H1" https://example.com/news/H1
assert_same "$TMP/want-H1.md" "$T_SITE/_posts/2024-06-03-H1.md"
post_file H2 "2024-06-03 09:30:00" "被重定向的文章" web 网页新闻 \
    "<p><img src=\"$MOCK_URL/moved/2024/pic.png\"></p>" https://example.com/news/H2
assert_same "$TMP/want-H2.md" "$T_SITE/_posts/2024-06-03-H2.md"

# The JSON source's post keeps the body as sent (the contract).
post_file J1 "2024-06-03 10:00:00" "接口里的文章" xinhuashe 新华社新闻 "$HOSTILE" "${LINK_PREFIX}J1"
assert_same "$TMP/want-J1.md" "$T_SITE/_posts/2024-06-03-J1.md"
assert_sql "the rows hold the bodies of the posts" \
    "$(printf '%s\n' "$CLEAN_H1" "$HOSTILE")" \
    "select body from posts where info_code in ('H1', 'J1') order by info_code"

FEEDS=$T_SITE/feeds
assert_atom "$FEEDS/all.xml" "$FEEDS/web.xml" "$FEEDS/xinhuashe.xml"
assert_xp "web.xml: H1's entry holds its cleaned body" "$CLEAN_H1" "$FEEDS/web.xml" \
    "string(/a:feed/a:entry[a:title='有base的文章']/a:content)"
# The JSON source's entry: cleaned, its relative links left relative.
CLEAN_J1='<p>第一段正文。</p>'\
'<p><img src="img/a.png" alt="图一"></p>'\
'<p><a>点我</a> <a>再点</a> <a>三</a></p>'\
'<p><a href="../b.html">上一篇</a> <a href="/c.html" title="下一篇">下一篇</a> '\
'<img src="//cdn.example/d.png" srcset="e.png 2x"></p>'\
'<p>第二段<b>加粗</b>，<i>斜体</i>。<a href="#note">注</a></p>'
assert_xp "xinhuashe.xml: the JSON source's entry is cleaned" "$CLEAN_J1" "$FEEDS/xinhuashe.xml" \
    "string(/a:feed/a:entry/a:content)"
assert_xp "all.xml: the same entries" 1 "$FEEDS/all.xml" \
    "count(/a:feed/a:entry[a:content='$CLEAN_J1'])"

say "no dangerous part in any HTML source's post, nor in any feed"
if grep -i -l -E 'script|onerror|javascript|iframe|evil\.example' \
    "$T_SITE"/_posts/*-H?.md "$FEEDS"/*.xml; then
	fail "a dangerous part reached a post or a feed"
fi
mock_stop
