#!/usr/bin/env bash
# 05-failing-source: a source that fails (HTTP error, refused, not JSON, too
# large, too slow, dropped connection) makes --once exit 1 and is logged; the
# other sources are written all the same, and nothing written is lost.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

t_begin 05-failing-source "failing sources: exit 1, the others written"

GOOD=NW202206010000000001     # market38, always fine
LATER=NW202206010000000002    # market37, once market37 works
BIG=NW202206010000000003      # inside the oversized list

mock_list "$(market_path 38)" market38.json <<EOF
{"record": [{"infoCode": "$GOOD", "title": "上证指数收涨0.5%",
  "datetime": "2022-06-01 15:00:00", "medianame": "上海证券报"}]}
EOF
mock_file market37.json <<EOF
{"record": [{"infoCode": "$LATER", "title": "财联社6月1日电",
  "datetime": "2022-06-01 16:00:00", "medianame": "财联社"}]}
EOF
mock_text "$GOOD" '<p>上证指数收涨0.5%。</p>'
mock_text "$LATER" '<p>财联社6月1日电。</p>'
mock_text "$BIG" '<p>不该出现的新闻。</p>'
route_set "$(market_path 37)" '{"status": 500}'

mock_start
REFUSED=$(free_port)
conf_begin timeout=3
conf_source_market market37 37
conf_source_market market38 38
conf_source_fast fast-dead "http://127.0.0.1:$REFUSED"

# check_failed WHAT SOURCE...: exit 1, each SOURCE named on stderr, the good
# post and valid feeds still there.
check_failed() {
	local what=$1 s
	shift
	expect_rc 1 "$what"
	for s in "$@"; do
		assert_grep "$what: stderr names the source $s" "$RUN_ERR" "$s"
	done
	assert_exists "$T_SITE/_posts/2022-06-01-$GOOD.md"
	assert_sql "$what: market38's row is there" 1 \
	    "select count(*) from posts where info_code = '$GOOD'"
	assert_atom "$T_SITE/feeds/all.xml" "$T_SITE/feeds/shanghaizhengquanbao.xml"
}

echo "run 1: market37 answers 500, fast-dead has nothing listening"
finewsd_once
check_failed "HTTP 500 and connection refused" market37 fast-dead
assert_sql "only market38's post" "$GOOD" "select info_code from posts"
assert_eq "_posts/2022-06-01-$GOOD.md" "$(list_posts)" "only market38's post file"
assert_xp "all.xml: one entry" 1 "$T_SITE/feeds/all.xml" "count(/a:feed/a:entry)"

# Only market37 fails from here on.
sed -i "/^\\[source fast-dead\\]/,\$d" "$T_CONF"

echo "run 2: market37 answers 200 with HTML, not JSON"
route_set "$(market_path 37)" '{"body": "<html><body>502 Bad Gateway</body></html>"}'
finewsd_once
check_failed "a list that is not JSON" market37

echo "run 3: market37 answers 200 with JSON of the wrong shape"
route_set "$(market_path 37)" '{"body": "[1, 2, 3]"}'
finewsd_once
check_failed "a list without its array key" market37

echo "run 4: market37's list is 9,000,000 bytes of valid JSON"
python3 - "$T_MOCK/big.json" "$BIG" <<'EOF'
import json, sys
path, ident = sys.argv[1], sys.argv[2]
rec = {"infoCode": ident, "title": "超大列表里的新闻",
       "datetime": "2022-06-01 17:00:00", "medianame": "财联社"}
head = json.dumps({"record": [rec]}, ensure_ascii=False)[:-1] + ', "pad": "'
body = head + "x" * (9000000 - len(head.encode()) - 2) + '"}'
open(path, "w", encoding="utf-8").write(body)
assert len(body.encode()) == 9000000
EOF
route_set "$(market_path 37)" '{"file": "big.json", "gzip": false}'
finewsd_once
check_failed "a list larger than 8 MB" market37
assert_sql "the oversized list's record was not written" 0 \
    "select count(*) from posts where info_code = '$BIG'"

echo "run 5: the same list, gzipped on the wire (small), large once decoded"
route_set "$(market_path 37)" '{"file": "big.json", "gzip": true}'
finewsd_once
check_failed "a gzipped list larger than 8 MB decoded" market37
assert_sql "the oversized list's record was not written" 0 \
    "select count(*) from posts where info_code = '$BIG'"

echo "run 6: market37 takes longer than timeout (3 s)"
route_set "$(market_path 37)" '{"file": "market37.json", "delay": 6}'
start=$(date +%s)
finewsd_once
took=$(($(date +%s) - start))
check_failed "a list slower than the timeout" market37
say "the run gave up on the slow source in time (took ${took} s)"
[ "$took" -lt 6 ] || fail "--once took $took s: the 3 s timeout was not applied"

echo "run 7: market37 drops the connection"
route_set "$(market_path 37)" '{"close": true}'
finewsd_once
check_failed "a dropped connection" market37

echo "run 8: market37 works again"
route_set "$(market_path 37)" '{"file": "market37.json"}'
finewsd_once
expect_rc 0 "--once with every source working"
assert_sql "both posts" "$GOOD
$LATER" "select info_code from posts order by 1"
assert_atom "$T_SITE/feeds/all.xml" "$T_SITE/feeds/cailianshe.xml"
assert_xp "all.xml: two entries" 2 "$T_SITE/feeds/all.xml" "count(/a:feed/a:entry)"

mock_stop
