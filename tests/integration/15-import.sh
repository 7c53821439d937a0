#!/usr/bin/env bash
# 15-import: --import learns the site's existing posts and slugs: a record
# already on the site is not fetched or written again, and a media keeps the
# category slug the site uses for it (unless that slug would break a URL).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

t_begin 15-import "existing posts and slugs are kept"

# The site as it is: the reference post, and two hand-made posts whose
# category slugs differ from today's pinyin (都 dū/dōu) or would break a URL.
OLD=$TMP/oldsite/_posts
mkdir -p "$OLD"
cp "$FIXTURES/seed-post.md" "$OLD/2022-03-23-NW202203232319931992.md"
printf '%s\n' '---' 'layout: post' 'title: "旧文章"' 'date: 2022-03-01 08:00:00 +0800' \
	'categories: haixiadushibao' 'tags: 海峡都市报新闻' '---' '<p>旧</p>' '' \
	'<http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW9001>' '' > "$OLD/2022-03-01-NW9001.md"
printf '%s' '[返回海峡都市报新闻](//finews.withounder.com/category/haixiadushibao.html)｜[返回首页](//finews.withounder.com/)' >> "$OLD/2022-03-01-NW9001.md"
printf '%s\n' '---' 'layout: post' 'title: "旧文章二"' 'date: 2022-03-02 08:00:00 +0800' \
	'categories: anxinguojizhengquan(xianggang)' 'tags: 安信国际证券（香港）新闻' '---' '<p>旧</p>' '' \
	'<http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW9002>' '' > "$OLD/2022-03-02-NW9002.md"
printf '%s' '[返回安信国际证券（香港）新闻](//finews.withounder.com/category/anxinguojizhengquan(xianggang).html)｜[返回首页](//finews.withounder.com/)' >> "$OLD/2022-03-02-NW9002.md"

mock_start
conf_begin
conf_source_market market37 37

run_finewsd -c "$T_CONF" --import "$TMP/oldsite"
expect_rc 0 "--import of the old site"
assert_sql "three posts imported" 3 "select count(*) from posts"
run_finewsd -c "$T_CONF" --import "$TMP/oldsite"
expect_rc 0 "--import again"
assert_sql "importing again adds nothing" 3 "select count(*) from posts"

# The list: the reference record (already on the site) and one new record of
# each of the two media.
mock_list "$(market_path 37)" market37.json <<'JSON'
{"record": [
 {"infoCode": "NW202203232319931992", "title": "今年青岛产业政策将在这些领域发力",
  "datetime": "2022-03-23 10:34:11", "medianame": "青岛财经日报"},
 {"infoCode": "NW9101", "title": "新文章", "datetime": "2022-04-01 09:00:00", "medianame": "海峡都市报"},
 {"infoCode": "NW9102", "title": "新文章二", "datetime": "2022-04-02 09:00:00", "medianame": "安信国际证券（香港）"}
]}
JSON
mock_text NW9101 '<p>新</p>'
mock_text NW9102 '<p>新二</p>'
mock_log_mark
finewsd_once
expect_rc 0 "--once after the import"
assert_eq "" "$(mock_log_since | grep 'id=NW202203232319931992' || true)" \
	"the imported record's text is not fetched"
# The imported rows' files are not in this site_dir: they are written from
# the database, and the reference post comes out byte for byte.
assert_same "$FIXTURES/seed-post.md" "$T_SITE/_posts/2022-03-23-NW202203232319931992.md"
assert_exists "$T_SITE/_posts/2022-04-01-NW9101.md"
assert_grep "海峡都市报 keeps the site's slug" "$T_SITE/_posts/2022-04-01-NW9101.md" '^categories: haixiadushibao$'
assert_grep "an unclean slug is not kept: pinyin instead" "$T_SITE/_posts/2022-04-02-NW9102.md" \
	'^categories: anxinguojizhengquanxianggang$'
assert_sql "five posts in all" 5 "select count(*) from posts"
mock_stop
