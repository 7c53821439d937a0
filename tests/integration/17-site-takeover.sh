#!/usr/bin/env bash
# 17-site-takeover: finewsd takes over the real site without breaking a URL.
# The site is built from real files of finews.withounder.com
# (tests/fixtures/site-corpus, a copy of the shared corpus: posts of _posts/
# and old_post/ where MANIFEST.tsv says each came from, twins, broken and
# early posts, category pages with odd slugs), plus the category pages the
# real site has for two media the corpus has no post of.  Then:
#   1. jekyll build: every page the site has before finewsd;
#   2. finewsd --import: every feed, all.xml and the OPML list are written,
#      and every link in them is a page Jekyll makes;
#   3. finewsd --once polls new media, two of which the site already has a
#      category page for under an older reading (成都日报: chengduribao, not
#      today's chengdouribao), with archive_after_days, so that every
#      imported post of _posts/ moves to old_post/;
#   4. jekyll build again: every URL of step 1 still exists, every feed entry
#      and OPML link resolves, and no media has two category slugs.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

t_begin 17-site-takeover "import the real site, poll new media, archive: every URL lives"
require_tool jekyll

CORPUS=$FIXTURES/site-corpus
SKEL=$IT_DIR/jekyll-site
mkdir -p "$TMP/home"

# build OUT: jekyll build of the site into OUT; fails the test if it fails.
build() {
	local rc=0
	rm -rf "$1"
	(cd "$TMP" && env -u BUNDLE_GEMFILE -u BUNDLE_PATH -u RUBYOPT -u JEKYLL_ENV \
	    HOME="$TMP/home" timeout -k 5 120 jekyll build --safe --disable-disk-cache \
	    --source "$T_SITE" --destination "$1") > "$TMP/jekyll.out" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ]; then
		head -n 40 "$TMP/jekyll.out" >&2
		fail "jekyll build exited $rc"
	fi
}

# urls OUT: every file Jekyll generated, as a path on the site.
urls() { (cd "$1" && find . -type f | sed 's|^\.||' | sort); }

# served OUT URL: the page URL names (absolute, //host/ or /path) exists.
served() {
	local p
	case $2 in
	"$SITE_URL"/*) p=${2#"$SITE_URL"} ;;
	//"$SITE_HOST"/*) p=${2#//"$SITE_HOST"} ;;
	/*) p=$2 ;;
	*) return 1 ;;
	esac
	p=$(python3 -c 'import sys, urllib.parse
print(urllib.parse.unquote(sys.argv[1], errors="strict"))' "$p")
	case $p in */) p=${p}index.html ;; esac
	[ -f "$1$p" ]
}

# links: every alternate link of every feed entry, every self and alternate
# link of every feed, every xmlUrl and htmlUrl of the OPML list.
links() {
	python3 - "$T_SITE/feeds" <<'EOF'
import glob, os, sys
import xml.etree.ElementTree as ET
A = "{http://www.w3.org/2005/Atom}"
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*.xml"))):
    feed = ET.parse(f).getroot()
    for l in feed.findall(A + "link"):
        print(l.get("href"))
    for e in feed.findall(A + "entry"):
        for l in e.findall(A + "link"):
            print(l.get("href"))
for o in ET.parse(os.path.join(sys.argv[1], "index.opml")).getroot().iter("outline"):
    for k in ("xmlUrl", "htmlUrl"):
        if o.get(k):
            print(o.get(k))
EOF
}

# assert_links_served WHAT OUT: every link of the feeds is a page of OUT.
assert_links_served() {
	local n=0 bad=() u
	while IFS= read -r u; do
		n=$((n + 1))
		served "$2" "$u" || bad+=("$u")
	done < <(links)
	say "$1: the $n links of the feeds and the OPML list are pages Jekyll made"
	[ "${#bad[@]}" -eq 0 ] || fail "$1: ${#bad[@]} of $n links are not served:
$(printf '  %s\n' "${bad[@]}" | head -n 20)"
	[ "$n" -gt 0 ] || fail "$1: no link at all"
}

# ---------------------------------------------------------------- the site

mkdir -p "$T_SITE/_posts" "$T_SITE/old_post" "$T_SITE/category"
cp -R "$SKEL/." "$T_SITE"
tail -n +2 "$CORPUS/MANIFEST.tsv" | while IFS=$'\t' read -r file kind src rest; do
	case $file in
	_posts/*)
		case $src in
		*:old_post/*) cp "$CORPUS/$file" "$T_SITE/old_post/" ;;
		*) cp "$CORPUS/$file" "$T_SITE/_posts/" ;;
		esac ;;
	category/*) cp "$CORPUS/$file" "$T_SITE/category/" ;;
	esac
done
# The real site's pages of two media the corpus has no post of, as the old
# script made them (its readings: 都 du, 地 di).
for c in "chengduribao=成都日报新闻" "akesudiqurongmeitizhongxin=阿克苏地区融媒体中心新闻"; do
	printf -- '---\nlayout: category\ntitle: %s\ncategory: %s\n---' "${c#*=}" "${c%%=*}" \
	    > "$T_SITE/category/${c%%=*}.html"
done
assert_eq 31 "$(find "$T_SITE/old_post" -name '*.md' | wc -l | tr -d ' ')" \
    "31 posts of the corpus come from old_post/"

build "$TMP/before"
urls "$TMP/before" > "$TMP/before.urls"
say "the site had $(wc -l < "$TMP/before.urls") pages before finewsd"
grep -q '^/old_post/' "$TMP/before.urls" || fail "no /old_post/ page was built"

# ---------------------------------------------------------------- --import

# A configuration needs a source; --import fetches nothing.
conf_begin
MOCK_URL=http://127.0.0.1:9 conf_source_market m37 37
run_finewsd -c "$T_CONF" --import "$T_SITE"
expect_rc 0 "--import of the site"
assert_grep "the summary names the twins" "$RUN_OUT" ' [1-9][0-9]* twins'
assert_exists "$T_SITE/feeds/all.xml"
assert_exists "$T_SITE/feeds/index.opml"
assert_exists "$T_SITE/feeds/emnews.xml"
for f in "$T_SITE"/feeds/*.xml; do
	assert_atom "$f"
done
say "every feed the OPML list names exists"
python3 - "$T_SITE/feeds/index.opml" "$SITE_URL" <<'EOF' > "$TMP/opml.feeds"
import sys, xml.etree.ElementTree as ET
for o in ET.parse(sys.argv[1]).getroot().iter("outline"):
    if o.get("xmlUrl"):
        print(o.get("xmlUrl")[len(sys.argv[2]):])
EOF
[ -s "$TMP/opml.feeds" ] || fail "the OPML list names no feed"
while IFS= read -r f; do
	[ -f "$T_SITE$f" ] || fail "the OPML list names $f, which does not exist"
done < "$TMP/opml.feeds"
build "$TMP/imported"
assert_links_served "after --import" "$TMP/imported"
assert_sql "one row for each twin pair" 1 \
    "select count(*) from posts where info_code = 'NW202201072239307540'"

# ---------------------------------------------------------------- new media

TODAY=$(date +%Y%m%d)
MOCK_MEDIA=成都日报 mock_market 37 "NW${TODAY}0000000001" "NW${TODAY}0000000002"
MOCK_MEDIA=阿克苏地区融媒体中心 mock_market 38 "NW${TODAY}0000000003"
MOCK_MEDIA=券商中国 mock_market 39 "NW${TODAY}0000000004"
mock_start
conf_begin archive_after_days=30
conf_source_market m37 37
conf_source_market m38 38
conf_source_market m39 39
finewsd_once
expect_rc 0 "--once with new media and archiving"
assert_sql "成都日报 takes the page the site has: chengduribao" "chengduribao" \
    "select distinct category from posts where media = '成都日报'"
assert_sql "阿克苏地区融媒体中心 takes akesudiqurongmeitizhongxin" \
    "akesudiqurongmeitizhongxin" \
    "select distinct category from posts where media = '阿克苏地区融媒体中心'"
assert_missing "$T_SITE/category/chengdouribao.html"
assert_missing "$T_SITE/category/akesudequrongmeitizhongxin.html"
assert_sql "no media has two category slugs" "" \
    "select media from posts where media is not null group by media
     having count(distinct category) > 1"
assert_sql "the imported posts of _posts/ moved to old_post/" 0 \
    "select count(*) from posts where source = 'import' and path like '_posts/%'"
assert_sql "the new posts stay in _posts/" 4 \
    "select count(*) from posts where source != 'import' and path like '_posts/%'"
mock_stop

# ---------------------------------------------------------------- after

build "$TMP/after"
urls "$TMP/after" > "$TMP/after.urls"
say "every page the site had before still exists"
missing=$(comm -23 "$TMP/before.urls" "$TMP/after.urls")
[ -z "$missing" ] || fail "pages gone after the takeover:
$missing"
assert_links_served "after polling and archiving" "$TMP/after"
for f in "$T_SITE"/feeds/*.xml; do
	assert_atom "$f"
done
say "the archived posts' pages are where they were"
while IFS= read -r u; do
	case $u in /old_post/*|/category/*|/feeds/*|/index.html) continue ;; esac
	grep -q -x -F -e "$u" "$TMP/after.urls" || fail "$u is gone"
done < "$TMP/before.urls"

echo "a second --import, then a --once, write no post again"
run_finewsd -c "$T_CONF" --import "$T_SITE"
expect_rc 0 "second --import"
assert_grep "the second --import imports nothing" "$RUN_OUT" ': 0 posts imported'
snap=$(snapshot_mtimes "$T_SITE")
mock_start
conf_begin archive_after_days=30
conf_source_market m37 37
conf_source_market m38 38
conf_source_market m39 39
finewsd_once
expect_rc 0 "second --once"
assert_eq "$snap" "$(snapshot_mtimes "$T_SITE")" "no file was written again"
mock_stop

echo "old_post/ deleted: the repair at start writes it again, permalinks included"
moved=$(sql "select path from posts where path like 'old_post/%' order by 1")
keep=$TMP/old_post.keep
cp -R "$T_SITE/old_post" "$keep"
rm -rf "$T_SITE/old_post"
mock_start
conf_begin archive_after_days=30
conf_source_market m37 37
finewsd_once
expect_rc 0 "--once with old_post/ gone"
assert_grep "the rewrite is logged" "$RUN_ERR" 'written again from the database'
for p in $moved; do
	[ -f "$T_SITE/$p" ] || fail "$p was not written again"
done
say "an archived post written again carries its permalink"
p=$(sql "select path from posts where url is not null and source = 'import' order by 1 limit 1")
u=$(sql "select url from posts where path = '$p'")
grep -q -x -F "permalink: $u" "$T_SITE/$p" || fail "$p has no 'permalink: $u'"
mock_stop
build "$TMP/repaired"
urls "$TMP/repaired" > "$TMP/repaired.urls"
say "every page the site had before exists again, the copies of old_post/ aside"
# The old script's own old_post/ files that are twins or copies of a post
# are not in the database: they are the operator's, and gone with the folder.
missing=$(comm -23 "$TMP/before.urls" "$TMP/repaired.urls" | grep -v '^/old_post/' || true)
[ -z "$missing" ] || fail "pages gone after the repair:
$missing"
say "every post of the database is a page again"
while IFS='|' read -r p u; do
	[ -n "$u" ] || u=/${p%.md}.html
	grep -q -x -F -e "$u" "$TMP/repaired.urls" || fail "$p: its page $u is gone"
done < <(sql "select path, coalesce(url, '') from posts where path like 'old_post/%'")
assert_links_served "after the repair" "$TMP/repaired"
