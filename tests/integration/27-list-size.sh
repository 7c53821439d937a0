#!/usr/bin/env bash
# 27-list-size: max_list_size.  A list of about 10 MiB is refused under the
# default 8 MiB, logged with the source, the URL, the limit and the key
# that raises it, and nothing of it written, while another source is
# written as usual; with max_list_size = 16M in its [source] section it is
# read whole, every post written byte for byte, and a second run writes
# nothing.  Then the daemon: a global max_list_size below the list's size
# fails the poll naming that limit; an out-of-range value on SIGHUP is
# refused with FILE:LINE and the key, the old configuration kept; the
# source's own 16M on SIGHUP reads the list again and writes the one record
# added to it; a --once after SIGTERM finds nothing new.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

t_begin 27-list-size "max_list_size: a list larger than 8 MiB"

NBIG=300
SMALL=NW202406010000000001
ADDED=BIG00300             # added to the big list for the daemon's reload

# big_list N: market37's list, records BIG00000..BIG(N-1), each with a long
# digest no key reads, for about 10 MiB in all (between 9 and 16 MiB); a
# text per record.
big_list() {
	python3 - "$T_MOCK" "$1" <<'PY'
import json, os, sys
root, n = sys.argv[1], int(sys.argv[2])
pad = "沪深两市成交额连续放大，北向资金净流入。" * 580
recs = []
for i in range(n):
    ident = "BIG%05d" % i
    recs.append({"infoCode": ident, "title": "大列表新闻 %d" % i,
                 "datetime": "2024-06-01 10:%02d:%02d" % (i // 60 % 60, i % 60),
                 "medianame": "财联社", "digest": pad})
    with open(os.path.join(root, "text", ident + ".json"), "w", encoding="utf-8") as f:
        json.dump({"text": "<p>%s的正文。</p>" % ident}, f, ensure_ascii=False)
body = json.dumps({"record": recs}, ensure_ascii=False).encode()
assert 9.5 * 2**20 < len(body) < 15 * 2**20, len(body)
with open(os.path.join(root, "big.json.new"), "wb") as f:
    f.write(body)
os.replace(os.path.join(root, "big.json.new"), os.path.join(root, "big.json"))
PY
	route_set "$(market_path 37)" '{"file": "big.json"}'
}

big_list "$NBIG"
say "the list is $(stat -c %s "$T_MOCK/big.json") bytes"
mock_list "$(market_path 38)" market38.json <<EOF
{"record": [{"infoCode": "$SMALL", "title": "小列表新闻",
  "datetime": "2024-06-01 09:00:00", "medianame": "上海证券报"}]}
EOF
mock_text "$SMALL" '<p>小列表的正文。</p>'
mock_start
LIST_URL=$MOCK_URL$(market_path 37)

big_posts() { sql "select count(*) from posts where source = 'big'"; }

echo "run 1: the default 8 MiB refuses the list, naming the limit and the key"
conf_begin
conf_source_market big 37
conf_source_market small 38
cp "$T_CONF" "$TMP/default.conf"
run_finewsd -c "$T_CONF" --check
expect_rc 0 "--check without max_list_size"
assert_eq "$T_CONF: ok, 2 sources" "$(cat "$RUN_OUT")" "--check says ok"
mock_log_mark
finewsd_once
expect_rc 1 "--once with a list past the default limit"
assert_grep "the error names the source, the URL, the limit and the key" "$RUN_ERR" \
    "^source big: poll failed: list $(ere "$LIST_URL"): response larger than 8 MiB \(8388608 bytes\); max_list_size raises the limit$"
assert_eq 0 "$(big_posts)" "nothing of the big list is written"
assert_eq "" "$(mock_text_ids_since | grep BIG || true)" "no text of the big list is fetched"
assert_sql "the other source is written" "$SMALL|small" "select info_code, source from posts"
status_run 1
assert_grep "--status says big failed" "$RUN_OUT" '^big .* 1 failure$'
assert_grep "--status gives the error, the key last" "$RUN_OUT" \
    '^ +list http://.*max_list_size raises the limit$'

echo "run 2: max_list_size = 16M in its section reads the list whole"
conf_begin
conf_source_market big 37 "$MOCK_URL" max_list_size=16M
conf_source_market small 38
run_finewsd -c "$T_CONF" --check
expect_rc 0 "--check with max_list_size = 16M"
assert_eq "$T_CONF: ok, 2 sources" "$(cat "$RUN_OUT")" "--check says ok"
mock_log_mark
finewsd_once
expect_rc 0 "--once reads the 10 MiB list"
assert_eq "$NBIG" "$(big_posts)" "every record of the big list has its row"
assert_eq "$NBIG" "$(mock_text_ids_since | grep -c BIG)" "each text fetched once"
assert_eq "$((NBIG + 1))" "$(list_posts | wc -l)" "a post file per row"
{
	printf -- '---\nlayout: post\ntitle: "大列表新闻 299"\ndate: 2024-06-01 10:04:59 +0800\n'
	printf 'categories: cailianshe\ntags: 财联社新闻\n---\n<p>BIG00299的正文。</p>\n\n<%sBIG00299>\n\n' "$LINK_PREFIX"
	printf '[返回财联社新闻](//%s/category/cailianshe.html)｜[返回首页](//%s/)' "$SITE_HOST" "$SITE_HOST"
} | assert_content "$T_SITE/_posts/2024-06-01-BIG00299.md"
assert_xp "cailianshe.xml: 50 entries" 50 "$T_SITE/feeds/cailianshe.xml" "count(/a:feed/a:entry)"
assert_atom "$T_SITE/feeds/all.xml" "$T_SITE/feeds/cailianshe.xml"
status_run 0
assert_grep "--status says big is fine" "$RUN_OUT" '^big .* ok$'

echo "run 3: nothing new"
before=$(snapshot_mtimes "$T_SITE")
mock_log_mark
finewsd_once
expect_rc 0 "--once with nothing new"
assert_eq "" "$(mock_text_ids_since)" "no text fetched"
assert_eq "$before" "$(snapshot_mtimes "$T_SITE")" "no file rewritten"

echo "the daemon: a global max_list_size of 9M is too small for this list"
big_list $((NBIG + 1))
conf_begin interval=3600 max_list_size=9M
conf_source_market big 37
conf_source_market small 38
daemon_start -- -v
wait_failures 1 big "the first poll of big fails"
assert_grep "the error names the global limit, 9 MiB" "$DAEMON_ERR" \
    "source big: poll failed: list $(ere "$LIST_URL"): response larger than 9 MiB \(9437184 bytes\); max_list_size raises the limit; next try in"
assert_missing "$T_SITE/_posts/2024-06-01-$ADDED.md"

echo "SIGHUP with max_list_size = 2G: refused, the old configuration kept"
conf_begin interval=3600 max_list_size=9M
conf_source_market big 37 "$MOCK_URL" max_list_size=2G
conf_source_market small 38
line=$(grep -n '^max_list_size = 2G' "$T_CONF" | cut -d: -f1)
daemon_signal HUP
wait_log 1 "reload: $(ere "$T_CONF"):$line: max_list_size: out of range 64K\.\.512M \(65536\.\.536870912 bytes\): 2G; keeping the old configuration" \
    "the reload error names $T_CONF:$line, the key, the range and the value"
wait_failures 2 big "the poll after the failed reload fails as before"

echo "SIGHUP with the source's own max_list_size = 16M: the added record is written"
conf_begin interval=3600 max_list_size=9M
conf_source_market big 37 "$MOCK_URL" max_list_size=16M
conf_source_market small 38
mock_log_mark
daemon_signal HUP
wait_for 15 "the added record is written" test -f "$T_SITE/_posts/2024-06-01-$ADDED.md"
wait_log 1 "source big: 1 new post" "the poll of big logs one new post"
assert_eq "$ADDED" "$(mock_text_ids_since)" "only the added record's text is fetched"
daemon_stop TERM
daemon_expect_rc 0
assert_no_tmp_files

echo "--once after the daemon: nothing new"
before=$(snapshot_mtimes "$T_SITE")
mock_log_mark
finewsd_once
expect_rc 0 "--once after the daemon"
assert_eq "" "$(mock_text_ids_since)" "no text fetched"
assert_eq "$before" "$(snapshot_mtimes "$T_SITE")" "no file rewritten"
assert_eq "$((NBIG + 1))" "$(big_posts)" "every record of the big list, once"

echo "a 503 with Retry-After and an error page larger than the limit: the status and its Retry-After, not the size"
route_set "$(market_path 37)" \
    '{"status": 503, "bytes": 9000000, "headers": {"Retry-After": "7200"}}'
conf_begin interval=600
conf_source_market big 37
daemon_start --
wait_failures 1 big "the poll of big fails"
daemon_stop TERM
daemon_expect_rc 0
assert_grep "the error is the 503, and the next try waits the 7200 s asked" "$DAEMON_ERR" \
    "source big: poll failed: list $(ere "$LIST_URL"): HTTP status 503; next try in 7200 s"
