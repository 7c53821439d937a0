#!/usr/bin/env bash
# 16-jekyll: Jekyll itself builds the site finewsd writes.  finewsd --once
# fills a copy of a minimal Jekyll site (jekyll-site/: a config, three
# layouts that print the front matter as Jekyll read it, an index), then
# `jekyll build --safe` must succeed without a warning; every post must be
# rendered at Jekyll's default permalink, which must be exactly where the
# feeds' entries link to; the front matter must read back as written (the
# title, a YAML double-quoted scalar, byte for byte); the category pages must
# be rendered; and the feeds must be served unchanged.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

t_begin 16-jekyll "Jekyll builds finewsd's posts, category pages and feeds"
require_tool jekyll

SKEL=$IT_DIR/jekyll-site
OUT=$TMP/out
SEED=NW202203232319931992   # 青岛财经日报: the reference record
Q=NW202401010000000001      # FT中文网: a title with ': ', '"' and '\'; 00:30 +0800
L=NW202312310000000002      # FT中文网: 23:50 +0800 on the day before
QTITLE='标题: "引号" \ 反斜杠'
# FT中文网's slug keeps its ASCII letters as they are (the contract):
# FTzhongwenwang.  Jekyll's :categories is lowercased in a permalink.
FT=FTzhongwenwang
ft=ftzhongwenwang
QD=qingdaocaijingribao

# ---------------------------------------------------------------- helpers

# fm PAGE KEY: the value the layouts print on the line "fm-KEY: VALUE".
fm() {
	[ -f "$1" ] || fail "missing page: $1"
	sed -n "s/^fm-$2: //p" "$1"
}

# assert_fm WHAT EXPECTED PAGE KEY
assert_fm() { assert_eq "$2" "$(fm "$3" "$4")" "$1"; }

# assert_has WHAT FILE STRING: FILE holds STRING (fixed string).
assert_has() {
	say "$1"
	grep -q -F -e "$3" "$2" || fail "$1: no '$3' in $2"
}

# values FILE XPATH: the string value of each node XPATH selects, one a line.
values() {
	local n i
	n=$(xp "$1" "count($2)")
	[ -n "$n" ] || fail "xmllint could not evaluate count($2) on $1"
	for ((i = 1; i <= n; i++)); do
		printf '%s\n' "$(xp "$1" "string(($2)[$i])")"
	done
}

# site_path URL: the path on the site of URL ("https://HOST/P", "//HOST/P"
# or "/P"), percent-decoded, "index.html" added to a folder; fails for a URL
# off the site.
site_path() {
	local p
	case $1 in
	"$SITE_URL"/*) p=${1#"$SITE_URL"} ;;
	//"$SITE_HOST"/*) p=${1#//"$SITE_HOST"} ;;
	/*) p=$1 ;;
	*) fail "$1 is not a URL on $SITE_URL" ;;
	esac
	p=$(python3 -c 'import sys, urllib.parse
print(urllib.parse.unquote(sys.argv[1], errors="strict"))' "$p")
	case $p in */) p=${p}index.html ;; esac
	printf '%s\n' "$p"
}

# assert_served WHAT URL: Jekyll generated the file URL names.
assert_served() {
	local p
	p=$(site_path "$2")
	say "$1: $p"
	[ -f "$OUT$p" ] && return 0
	if [ -n "$(find "$OUT" -ipath "$OUT$p")" ]; then
		fail "$1: $2 is not served: Jekyll generated $(find "$OUT" -ipath "$OUT$p" |
		    sed "s|^$OUT||"), in other letter case (Jekyll lowercases :categories in a permalink)"
	fi
	fail "$1: $2 is not served: Jekyll generated no $p
(the pages it did generate: $(cd "$OUT" && find . -name '*.html' | sort | tr '\n' ' '))"
}

# ---------------------------------------------------------------- finewsd

mock_list "$(market_path 37)" market37.json < "$FIXTURES/seed-list.json"
cp "$FIXTURES/seed-text.json" "$T_MOCK/text/$SEED.json"
# The title is "标题: \"引号\" \\ 反斜杠" once decoded from JSON.
mock_list "$(market_path 38)" market38.json <<EOF
{"record": [
 {"infoCode": "$Q", "title": "标题: \"引号\" \\\\ 反斜杠",
  "datetime": "2024-01-01 00:30:00", "medianame": "FT中文网"},
 {"infoCode": "$L", "title": "跨年夜的新闻",
  "datetime": "2023-12-31 23:50:00", "medianame": "FT中文网"}
]}
EOF
mock_text "$Q" '<p>元旦零点半的新闻。</p>'
mock_text "$L" '<p>跨年夜的正文。</p>'
mock_start

mkdir -p "$T_SITE"
cp -R "$SKEL/." "$T_SITE"
conf_begin
conf_source_market market37 37
conf_source_market market38 38
finewsd_once
expect_rc 0 "--once with two good sources"
assert_eq "$(printf '%s\n' "_posts/2022-03-23-$SEED.md" "_posts/2023-12-31-$L.md" \
    "_posts/2024-01-01-$Q.md")" "$(list_posts)" "three post files"
mock_stop

# ---------------------------------------------------------------- jekyll build

# Offline, no plugins (--safe), no Gemfile (run from the temp folder, with
# Bundler's variables unset), no cache (--disable-disk-cache), a HOME of its
# own: Jekyll writes nothing but OUT.
mkdir -p "$TMP/home"
before=$(snapshot_mtimes "$T_SITE")
skel_before=$(snapshot_mtimes "$SKEL")
say "jekyll build succeeds within 30 s"
jrc=0
(cd "$TMP" && env -u BUNDLE_GEMFILE -u BUNDLE_PATH -u RUBYOPT -u JEKYLL_ENV \
    HOME="$TMP/home" timeout -k 5 30 jekyll build --safe --disable-disk-cache \
    --source "$T_SITE" --destination "$OUT") > "$TMP/jekyll.out" 2>&1 || jrc=$?
if [ "$jrc" -ne 0 ]; then
	head -n 40 "$TMP/jekyll.out" >&2
	[ "$jrc" -ne 124 ] || fail "jekyll build took more than 30 s"
	fail "jekyll build exited $jrc"
fi
say "jekyll build printed no error or warning"
if grep -i -E -e 'error|exception|invalid|warn|deprecat|could not|skipping' \
    "$TMP/jekyll.out" >&2; then
	fail "jekyll build complained (the lines above)"
fi
assert_eq "$before" "$(snapshot_mtimes "$T_SITE")" \
    "jekyll build wrote nothing into the source folder (no .jekyll-cache)"
assert_eq "$skel_before" "$(snapshot_mtimes "$SKEL")" \
    "the skeleton in the source tree is untouched"
assert_eq "" "$(find "$TMP/home" -mindepth 1)" "jekyll build wrote nothing into HOME"

# Every page at its default permalink, /:categories/:year/:month/:day/:title.html,
# the date being the post's own (Jekyll's timezone is the posts' +0800), and
# nothing else.
assert_eq "$(printf '%s\n' \
    "./category/$FT.html" \
    "./category/$QD.html" \
    "./feeds/$FT.xml" \
    "./feeds/$QD.xml" \
    ./feeds/all.xml \
    ./feeds/feed.xsl \
    ./feeds/index.opml \
    "./$ft/2023/12/31/$L.html" \
    "./$ft/2024/01/01/$Q.html" \
    ./index.html \
    "./$QD/2022/03/23/$SEED.html" | sort)" \
    "$(cd "$OUT" && find . -type f | sort)" "the files Jekyll generated"

# ---------------------------------------------------------------- the pages

P=$OUT/$QD/2022/03/23/$SEED.html
assert_fm "seed post: page.title" "今年青岛产业政策将在这些领域发力" "$P" title
assert_fm "seed post: page.date" "2022-03-23 10:34:11 +0800" "$P" date
assert_fm "seed post: page.categories" "$QD" "$P" categories
assert_fm "seed post: page.tags" "青岛财经日报新闻" "$P" tags
assert_fm "seed post: page.url" "/$QD/2022/03/23/$SEED.html" "$P" url
assert_has "seed post: the title in <title>" "$P" "<title>今年青岛产业政策将在这些领域发力</title>"
assert_has "seed post: the article's HTML kept as HTML (start)" "$P" "<p>青岛财经日报/首页新闻讯"
assert_has "seed post: the article's HTML kept as HTML (end)" "$P" \
    '<p class="em_media">（文章来源：青岛财经日报）</p>'
assert_has "seed post: the source link rendered as a link" "$P" \
    "<a href=\"$LINK_PREFIX$SEED\">$LINK_PREFIX$SEED</a>"
assert_has "seed post: the link back to the category" "$P" \
    "<a href=\"//$SITE_HOST/category/$QD.html\">返回青岛财经日报新闻</a>"
assert_has "seed post: the link back to the home page" "$P" \
    "<a href=\"//$SITE_HOST/\">返回首页</a>"
assert_served "seed post: its category link is served" "//$SITE_HOST/category/$QD.html"
assert_served "seed post: its home link is served" "//$SITE_HOST/"

P=$OUT/$ft/2024/01/01/$Q.html
assert_fm "quoted title: page.title, exactly" "$QTITLE" "$P" title
assert_fm "quoted title: page.title as JSON" '"标题: \"引号\" \\ 反斜杠"' "$P" title-json
assert_has "quoted title: in <title>" "$P" "<title>$QTITLE</title>"
assert_fm "00:30 post: page.date (Jekyll's zone is the posts')" "2024-01-01 00:30:00 +0800" "$P" date
assert_fm "00:30 post: page.categories" "$FT" "$P" categories
assert_fm "00:30 post: page.tags" "FT中文网新闻" "$P" tags
assert_has "00:30 post: its text" "$P" "<p>元旦零点半的新闻。</p>"

P=$OUT/$ft/2023/12/31/$L.html
assert_fm "23:50 post: page.title" "跨年夜的新闻" "$P" title
assert_fm "23:50 post: page.date" "2023-12-31 23:50:00 +0800" "$P" date
assert_has "23:50 post: its text" "$P" "<p>跨年夜的正文。</p>"

for c in "$QD=青岛财经日报新闻" "$FT=FT中文网新闻"; do
	P=$OUT/category/${c%%=*}.html
	assert_fm "category/${c%%=*}.html: page.title is the tag" "${c#*=}" "$P" title
	assert_fm "category/${c%%=*}.html: page.category" "${c%%=*}" "$P" category
	assert_has "category/${c%%=*}.html: the tag in <title>" "$P" "<title>${c#*=}</title>"
done
assert_has "category/$FT.html lists the quoted title" "$OUT/category/$FT.html" \
    ">$QTITLE</a></li>"

# ---------------------------------------------------------------- the feeds

assert_eq "$(cd "$T_SITE/feeds" && find . -type f | sort)" \
    "$(cd "$OUT/feeds" && find . -type f | sort)" "every feed file is served"
for f in "$T_SITE"/feeds/*; do
	say "served unchanged: feeds/${f##*/}"
	cmp "$f" "$OUT/feeds/${f##*/}" >&2 || fail "$OUT/feeds/${f##*/} differs from $f"
done

# Every URL the feeds and the OPML name is served.
for f in "$T_SITE"/feeds/*.xml; do
	n=feeds/${f##*/}
	while IFS= read -r u; do
		assert_served "$n: feed link" "$u"
	done < <(values "$f" "/a:feed/a:link/@href")
done
while IFS= read -r u; do
	assert_served "feeds/index.opml: outline URL" "$u"
done < <(values "$T_SITE/feeds/index.opml" "//outline/@xmlUrl | //outline/@htmlUrl")

# Each entry links to its post's page: the set of entry links is the set of
# the pages' page.url, and each is a file Jekyll generated.
pages_urls=$(cd "$OUT" && find . -mindepth 5 -name '*.html' | while IFS= read -r p; do
	fm "$p" url
done | sort)
entry_paths=
while IFS= read -r u; do
	assert_served "feeds/all.xml: entry link" "$u"
	entry_paths+=$(site_path "$u")$'\n'
done < <(values "$T_SITE/feeds/all.xml" "/a:feed/a:entry/a:link[not(@rel) or @rel='alternate']/@href")
assert_eq "$pages_urls" "$(printf '%s' "$entry_paths" | sort)" \
    "feeds/all.xml's entries link to exactly the posts' pages (page.url)"
for c in "$QD" "$FT"; do
	assert_eq "$(sed -n 's/^<li class="post"><a href="\([^"]*\)".*/\1/p' \
	    "$OUT/category/$c.html" | sort)" \
	    "$(values "$T_SITE/feeds/$c.xml" \
	    "/a:feed/a:entry/a:link[not(@rel) or @rel='alternate']/@href" |
	    while IFS= read -r u; do site_path "$u"; done | sort)" \
	    "feeds/$c.xml links to the posts category/$c.html lists"
done
