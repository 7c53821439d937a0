#!/usr/bin/env bash
# 01-seed-post: the record behind the site's reference post becomes that post,
# byte for byte, plus its category page, its row, and valid feeds.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

t_begin 01-seed-post "the reference record gives the reference post"

ID=NW202203232319931992
POST=$T_SITE/_posts/2022-03-23-$ID.md

mock_list "$(market_path 37)" market37.json < "$FIXTURES/seed-list.json"
cp "$FIXTURES/seed-text.json" "$T_MOCK/text/$ID.json"
mock_start
conf_begin
conf_source_market market37 37

before=$(date +%s)
finewsd_once
after=$(date +%s)
expect_rc 0 "--once with one good source"

assert_same "$FIXTURES/seed-post.md" "$POST"

printf -- '---\nlayout: category\ntitle: 青岛财经日报新闻\ncategory: qingdaocaijingribao\n---' |
    assert_content "$T_SITE/category/qingdaocaijingribao.html"

assert_sql "the posts row" \
    "$ID|market37|qingdaocaijingribao|青岛财经日报新闻|青岛财经日报|今年青岛产业政策将在这些领域发力|2022-03-23 10:34:11 +0800|$LINK_PREFIX$ID|_posts/2022-03-23-$ID.md" \
    "select info_code, source, category, tag, media, title, published, link, path from posts"
assert_sql "the row's body is not empty" 1 \
    "select count(*) from posts where length(body) > 0"
assert_sql "fetched_at is the time of the run" 1 \
    "select count(*) from posts where fetched_at between $before and $after"

CAT=$T_SITE/feeds/qingdaocaijingribao.xml
ALL=$T_SITE/feeds/all.xml
OPML=$T_SITE/feeds/index.opml
assert_atom "$CAT" "$ALL"

E="/a:feed/a:entry[1]"
for f in "$CAT" "$ALL"; do
	n=${f#"$T_SITE"/}
	assert_xp "$n: one entry" 1 "$f" "count(/a:feed/a:entry)"
	assert_xp "$n: entry id" "tag:$SITE_HOST,2022-03-23:$ID" "$f" "string($E/a:id)"
	assert_xp "$n: entry title" "今年青岛产业政策将在这些领域发力" "$f" "string($E/a:title)"
	assert_xp "$n: entry link to the post's page" 1 "$f" \
	    "count($E/a:link[(not(@rel) or @rel='alternate') and @href='$SITE_URL/qingdaocaijingribao/2022/03/23/$ID.html'])"
	assert_xp "$n: entry published (RFC 3339 with the offset)" \
	    "2022-03-23T10:34:11+08:00" "$f" "string($E/a:published)"
	assert_xp "$n: entry updated is RFC 3339 with an offset or Z" 1 "$f" \
	    "count($E/a:updated[string-length(.) >= 20])"
	assert_xp "$n: entry category" 1 "$f" \
	    "count($E/a:category[@term='qingdaocaijingribao'])"
	assert_xp "$n: entry author is the media" "青岛财经日报" "$f" \
	    "string($E/a:author/a:name)"
	assert_xp "$n: entry content is html" html "$f" "string($E/a:content/@type)"
	say "$n: entry content holds the article"
	xp "$f" "string($E/a:content)" | grep -F '市发展改革委' >/dev/null ||
	    fail "$n: the entry's content lacks the article text"
done
assert_xp "category feed title is the tag" "青岛财经日报新闻" "$CAT" "string(/a:feed/a:title)"
assert_xp "category feed self link" 1 "$CAT" \
    "count(/a:feed/a:link[@rel='self' and @href='$SITE_URL/feeds/qingdaocaijingribao.xml'])"
assert_xp "category feed links to the category page" true "$CAT" \
    "count(/a:feed/a:link[not(@rel='self') and contains(@href, 'qingdaocaijingribao')]) >= 1"
assert_xp "all.xml self link" 1 "$ALL" \
    "count(/a:feed/a:link[@rel='self' and @href='$SITE_URL/feeds/all.xml'])"

say "index.opml is well-formed XML"
xmllint --noout "$OPML" || fail "$OPML is not well-formed"
assert_xp "index.opml is OPML 2.0" "2.0" "$OPML" "string(/opml/@version)"
assert_xp "index.opml lists the category feed" 1 "$OPML" \
    "count(//outline[@xmlUrl='$SITE_URL/feeds/qingdaocaijingribao.xml'])"

assert_eq "_posts/2022-03-23-$ID.md" "$(list_posts)" "one post file"

mock_stop
