#!/usr/bin/env bash
# run-demo.sh: a look at finewsd without the real news APIs.
#
# Usage: demo-data/run-demo.sh [FINEWSD [OUTDIR]]
#    or: FINEWSD=path/to/finewsd DEMO_DIR=demo demo-data/run-demo.sh
#
# Serves the sample lists and texts of this folder (10 market-news records
# from 3 media, 5 fast news, 5 rolling news) with tests/integration/
# mock_source.py on an ephemeral 127.0.0.1 port, writes OUTDIR/finewsd.conf
# pointing at it, runs `finewsd --once`, stops the mock, and tells where the
# posts and feeds are.  OUTDIR (default ./demo) keeps the database, so a
# second run finds nothing new; remove OUTDIR to start over.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
FINEWSD=${1:-${FINEWSD:-$top/finewsd}}
OUT=${2:-${DEMO_DIR:-demo}}

if [ ! -x "$FINEWSD" ]; then
	echo "run-demo.sh: $FINEWSD is not an executable: build it with make," \
	    "or pass its path" >&2
	exit 1
fi
command -v python3 > /dev/null || { echo "run-demo.sh: needs python3" >&2; exit 1; }
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/finewsd-demo.XXXXXX")
mock_pid=
# shellcheck disable=SC2317 # called by the trap.
cleanup() {
	if [ -n "$mock_pid" ]; then
		kill -TERM "$mock_pid" 2> /dev/null || true
		wait "$mock_pid" 2> /dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

python3 "$top/tests/integration/mock_source.py" --root "$here" \
    --port-file "$work/port" --log "$work/requests.log" &
mock_pid=$!
for _ in $(seq 50); do
	[ -s "$work/port" ] && break
	kill -0 "$mock_pid" 2> /dev/null || { echo "run-demo.sh: the mock API died" >&2; exit 1; }
	sleep 0.1
done
[ -s "$work/port" ] || { echo "run-demo.sh: the mock API did not start" >&2; exit 1; }
api=http://127.0.0.1:$(cat "$work/port")
text_url="$api/NewsData/GetNewsText.do?id={id}"
link='http://finews.zning.xyz/html_News/NewsShare.html?infoCode={id}'

market() {
	cat <<EOF
[source market$1]
list_url = $api/information/newmarket/web/webapi?marketType=$1&count=100
list_items = record
id_field = infoCode
title_field = title
date_field = datetime
media_field = medianame
text_url = $text_url
text_field = text
link = $link

EOF
}

{
	cat <<EOF
; Written by demo-data/run-demo.sh; the API is a mock on $api.
[finewsd]
database = $OUT/finewsd.db
site_dir = $OUT/site
site_url = https://finews.withounder.com
timezone = +0800
feed_entries = 50

EOF
	market 37
	market 38
	market 39
	cat <<EOF
[source fast]
list_url = $api/web/webapi?type=45&count=100&newsid=1
list_items = nodeList
id_field = infocode
title_field = title
date_field = showtime
media_field = from
text_url = $text_url
text_field = text
link = $link

[source rolling]
list_url = $api/web/webapi?type=102&count=100&newsid=1
list_items = records
id_field = infoCode
file_id_field = id
title_field = title
date_field = showtime
category = emnews
tag = 东财滚动新闻
digest_field = digest
text_url = $text_url
text_field = text
link_field = url_w
category_url = //finews.withounder.com/emnews/
EOF
} > "$OUT/finewsd.conf"

echo "finewsd: $FINEWSD -c $OUT/finewsd.conf --once"
rc=0
"$FINEWSD" -c "$OUT/finewsd.conf" --once || rc=$?
kill -TERM "$mock_pid"
wait "$mock_pid" || true
mock_pid=

nposts=$(find "$OUT/site/_posts" -name '*.md' 2> /dev/null | wc -l)
echo
echo "exit status $rc; $(grep -c . "$work/requests.log") API requests; $nposts posts in all"
echo "  configuration: $OUT/finewsd.conf"
echo "  database:      $OUT/finewsd.db"
echo "  posts:         $OUT/site/_posts/"
echo "  categories:    $OUT/site/category/"
echo "  feeds:         $OUT/site/feeds/ (all.xml, one per category, index.opml)"
if [ -d "$OUT/site/feeds" ]; then
	for f in "$OUT"/site/feeds/*; do
		echo "                 ${f##*/}"
	done
fi
cat <<EOF

To read the feeds in newsboat:
  echo 'file://$OUT/site/feeds/all.xml' > $OUT/urls
  newsboat -u $OUT/urls -c $OUT/newsboat-cache.db
(index.opml lists the feeds at their https://finews.withounder.com/ addresses,
for a reader once the site is published: newsboat -i $OUT/site/feeds/index.opml)
To start over: rm -r $OUT
EOF
exit "$rc"
