#!/usr/bin/env bash
# 20-feeds-browser: feeds people open.  Every Atom feed names
# feeds/feed.xsl with <?xml-stylesheet?> and stays valid Atom; xsltproc
# turns every feed into HTML that holds each entry's title (with its '<',
# '&' and '"' intact) linked to its post, and the feed's address to
# subscribe; a real browser (Debian's chromium, headless) served the site
# from 127.0.0.1 renders all.xml as a page whose DOM holds the titles and
# links, and a screenshot of it that is not blank.  With formats = atom
# json, feeds/<category>.json and all.json are JSON Feed 1.1: checked
# against the spec's fields with python3's json, and holding the same
# items as the Atom feed.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

t_begin 20-feeds-browser "feed.xsl (xsltproc, chromium), JSON Feed 1.1"
require_tool xsltproc

A1=NW202206010000000001
A2=NW202206010000000002
B1=NW202206020000000011

mock_list "$(market_path 37)" market37.json <<EOF
{"record": [
 {"infoCode": "$A1", "title": "A<B & C \"引号\" 的新闻", "datetime": "2022-06-01 10:01:00", "medianame": "财联社"},
 {"infoCode": "$A2", "title": "两市成交额突破万亿</title><script>x</script>", "datetime": "2022-06-01 10:02:00", "medianame": "财联社"},
 {"infoCode": "$B1", "title": "第一财经 & 早报", "datetime": "2022-06-02 09:00:00", "medianame": "第一财经"}
]}
EOF
mock_text "$A1" '<p>正文一。</p>'
mock_text "$A2" '<p>正文二 <b>&amp;</b>。</p>'
mock_text "$B1" '<p>正文三。</p>'
mock_start
conf_begin "formats=atom, json"
conf_source_market market37 37
finewsd_once
expect_rc 0 "--once"
FEEDS=$T_SITE/feeds
assert_eq "$(printf '%s\n' all.json all.xml cailianshe.json cailianshe.xml \
    diyicaijing.json diyicaijing.xml feed.xsl index.opml)" "$(ls "$FEEDS")" \
    "feeds/: an Atom and a JSON feed each, feed.xsl, the OPML list"

echo "the Atom feeds: valid, and naming the stylesheet"
for f in "$FEEDS"/*.xml; do
	assert_atom "$f"
	assert_eq '<?xml-stylesheet type="text/xsl" href="feed.xsl"?>' "$(sed -n 2p "$f")" \
	    "${f##*/}: the stylesheet instruction follows the XML declaration"
done
say "feed.xsl is well-formed XML, an XSLT stylesheet"
xmllint --noout "$FEEDS/feed.xsl" || fail "feed.xsl is not well-formed"

# check_html HTML FEED: every entry of FEED (its title, its alternate link)
# is an <a href=LINK>TITLE</a> of HTML, and the feed's self URL is there.
check_html() {
	python3 - "$1" "$2" <<'EOF'
import sys, html.parser, xml.etree.ElementTree as ET
A = "{http://www.w3.org/2005/Atom}"
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.href, self.text, self.all = [], None, "", []
    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.href, self.text = dict(attrs).get("href"), ""
    def handle_endtag(self, tag):
        if tag == "a" and self.href is not None:
            self.links.append((self.href, self.text.strip()))
            self.href = None
    def handle_data(self, d):
        self.all.append(d)
        if self.href is not None:
            self.text += d
p = P()
p.feed(open(sys.argv[1], encoding="utf-8").read())
feed = ET.parse(sys.argv[2]).getroot()
bad = 0
for e in feed.findall(A + "entry"):
    title = e.find(A + "title").text
    link = [l.get("href") for l in e.findall(A + "link") if l.get("rel") == "alternate"][0]
    if (link, title) not in p.links:
        print("missing: <a href=%r>%s</a>" % (link, title), file=sys.stderr)
        bad = 1
self_url = [l.get("href") for l in feed.findall(A + "link") if l.get("rel") == "self"][0]
if self_url not in "".join(p.all):
    print("the feed's address %s is not on the page" % self_url, file=sys.stderr)
    bad = 1
n = len(feed.findall(A + "entry"))
if n == 0 or len(p.links) < n:
    print("%d entries, %d links" % (n, len(p.links)), file=sys.stderr)
    bad = 1
sys.exit(bad)
EOF
}

echo "xsltproc: every feed becomes a page of its entries"
for f in "$FEEDS"/*.xml; do
	say "xsltproc feed.xsl ${f##*/}: each entry's title, linked to its post"
	xsltproc "$FEEDS/feed.xsl" "$f" > "$TMP/${f##*/}.html" 2> "$TMP/xsltproc.err" ||
	    fail "xsltproc failed on ${f##*/}: $(cat "$TMP/xsltproc.err")"
	check_html "$TMP/${f##*/}.html" "$f" || fail "${f##*/}: the page lacks entries"
done
assert_grep "the escaped title is text, not markup" "$TMP/cailianshe.xml.html" \
    '&lt;/title&gt;&lt;script&gt;'

echo "JSON Feed 1.1: the spec's fields, the same items as the Atom feeds"
for f in "$FEEDS"/*.json; do
	say "${f##*/} is JSON Feed 1.1 and matches its Atom feed"
	python3 - "$f" "${f%.json}.xml" "$SITE_URL" <<'EOF' || fail "${f##*/} is not a valid JSON Feed 1.1"
import datetime, json, re, sys, xml.etree.ElementTree as ET
A = "{http://www.w3.org/2005/Atom}"
f = json.load(open(sys.argv[1], encoding="utf-8"))
atom = ET.parse(sys.argv[2]).getroot()
site = sys.argv[3]
def check(cond, what):
    if not cond:
        print("%s: %s" % (sys.argv[1], what), file=sys.stderr)
        sys.exit(1)
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
check(isinstance(f, dict), "not an object")
check(f.get("version") == "https://jsonfeed.org/version/1.1", "version")
check(isinstance(f.get("title"), str) and f["title"], "title")
check(isinstance(f.get("items"), list), "items")
for k in ("home_page_url", "feed_url"):
    check(isinstance(f.get(k), str) and f[k].startswith("https://"), k)
name = sys.argv[1].rsplit("/", 1)[1]
check(f["feed_url"] == site + "/feeds/" + name, "feed_url is the file's address")
check(f["title"] == atom.find(A + "title").text, "the same title as the Atom feed")
entries = atom.findall(A + "entry")
check(len(f["items"]) == len(entries) > 0, "as many items as Atom entries")
for it, e in zip(f["items"], entries):
    check(isinstance(it.get("id"), str) and it["id"], "item id")
    check(it["id"] == e.find(A + "id").text, "item id = Atom id")
    check(isinstance(it.get("content_html"), str) or isinstance(it.get("content_text"), str),
          "content_html or content_text")
    check(it.get("content_html") == e.find(A + "content").text, "content_html = Atom content")
    check(it.get("title") == e.find(A + "title").text, "title = Atom title")
    link = [l.get("href") for l in e.findall(A + "link") if l.get("rel") == "alternate"][0]
    check(it.get("url") == link, "url = Atom link")
    d = it.get("date_published")
    check(isinstance(d, str) and RFC3339.match(d), "date_published is RFC 3339: %r" % d)
    datetime.datetime.fromisoformat(d.replace("Z", "+00:00"))
    check(d == e.find(A + "published").text, "date_published = Atom published")
    check(isinstance(it.get("authors"), list) and it["authors"] and
          isinstance(it["authors"][0].get("name"), str), "authors")
    check(isinstance(it.get("tags"), list), "tags")
check("hubs" not in f, "no hubs without websub_hub")
EOF
done

echo "chromium: a browser shows all.xml as a page of its entries"
require_tool chromium
SERVE_LOG=$TMP/http.log
python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$T_SITE" > "$SERVE_LOG" 2>&1 &
SERVE_PID=$!
BG_PIDS+=("$SERVE_PID")
wait_for 10 "python3 -m http.server is listening" grep -q 'port [0-9]' "$SERVE_LOG"
PORT=$(sed -n 's/.* port \([0-9]*\) .*/\1/p' "$SERVE_LOG" | head -n 1)
URL=http://127.0.0.1:$PORT/feeds/all.xml
chromium_run() {
	local profile
	profile=$(mktemp -d "$TMP/chromium.XXXXXX")
	timeout -k 5 90 chromium --headless --no-sandbox --disable-gpu --disable-quic \
	    --no-first-run --disable-background-networking --disable-component-update \
	    --disable-sync --disable-dev-shm-usage --user-data-dir="$profile" "$@" \
	    2> "$TMP/chromium.err"
}
say "chromium --dump-dom $URL"
chromium_run --dump-dom "$URL" > "$TMP/dom.html" ||
    fail "chromium --dump-dom failed: $(tail -n 5 "$TMP/chromium.err")"
check_html "$TMP/dom.html" "$FEEDS/all.xml" ||
    fail "the page chromium rendered lacks the entries: $(head -c 2000 "$TMP/dom.html")"
say "chromium --screenshot: not a blank page"
chromium_run --screenshot="$TMP/all.png" --window-size=1000,900 --hide-scrollbars "$URL" \
    > /dev/null || fail "chromium --screenshot failed: $(tail -n 5 "$TMP/chromium.err")"
python3 - "$TMP/all.png" <<'EOF' || fail "the screenshot is blank"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, ihdr = 8, b"", None
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        ihdr = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
w, h, depth, ctype = ihdr[:4]
assert depth == 8 and ctype in (2, 6), "unexpected PNG type %d/%d" % (depth, ctype)
bpp = 3 if ctype == 2 else 4
raw, stride = zlib.decompress(idat), w * bpp
rows, prev = [], bytearray(stride)
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line)
    prev = line
# Chromium's own XSLT warning banner may take the top of the page: look
# below it, where the entries are, for something that is not background.
from collections import Counter
region = Counter()
for line in rows[h // 5:]:
    for x in range(0, stride, bpp):
        region[bytes(line[x:x + 3])] += 1
modal, count = region.most_common(1)[0]
other = sum(region.values()) - count
print("    %dx%d, %d colours below the top fifth, %d pixels not background" %
      (w, h, len(region), other))
sys.exit(0 if len(region) > 20 and other > 3000 else 1)
EOF
stop_pid "$SERVE_PID"

mock_stop
