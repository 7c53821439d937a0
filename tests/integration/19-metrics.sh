#!/usr/bin/env bash
# 19-metrics: metrics_file, the Prometheus text file for node_exporter's
# textfile collector.  The daemon writes it after each poll, in a folder it
# creates when missing, atomically (no temporary file left), readable by
# others; `promtool check metrics` (Debian's prometheus) accepts it; it
# counts the requests by kind and result, the bytes, the posts, failures in
# a row, the last poll and last success, the feeds and the process's
# memory; the counters grow with the next poll.  --once writes it too.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

t_begin 19-metrics "metrics_file: Prometheus text, promtool, after each poll"
require_tool promtool

G1=NW202206010000000001
G2=NW202206010000000002
G3=NW202206010000000003
PROM=$TMP/textfile/collector/finewsd.prom

# metric NAME{LABELS}: the value of one sample of the file.
metric() {
	python3 - "$PROM" "$1" <<'PY'
import sys
want = sys.argv[2]
for line in open(sys.argv[1], encoding="utf-8"):
    if line.startswith("#"):
        continue
    name, _, value = line.rstrip("\n").rpartition(" ")
    if name == want:
        v = float(value)
        print(int(v) if v == int(v) else v)
        sys.exit(0)
print("absent")
PY
}

promtool_ok() {
	say "promtool check metrics accepts $(basename "$PROM")"
	promtool check metrics < "$PROM" > "$TMP/promtool.out" 2>&1 ||
	    fail "promtool check metrics: $(cat "$TMP/promtool.out")"
	[ ! -s "$TMP/promtool.out" ] || fail "promtool check metrics says: $(cat "$TMP/promtool.out")"
}

mock_market 37 "$G1" "$G2"
mock_market 38 "$G3"
route_set "$(market_path 38)" '{"status": 500}'
mock_start
conf_begin interval=3600 "metrics_file=$PROM"
conf_source_market good 37
conf_source_market bad 38

echo "the daemon: the file appears after the first poll, in a folder it makes"
daemon_start -- -v
wait_for 15 "the metrics file is written" test -s "$PROM"
wait_polls 1 good "good's first poll ends"
wait_failures 1 bad "bad's first poll ends"
promtool_ok
assert_eq 644 "$(stat -c %a "$PROM")" "the file is readable by node_exporter's user (0644)"
assert_eq "" "$(find "$TMP/textfile" -name '*.tmp')" "no temporary file left beside it"
for s in good bad; do
	say "$s: every family has a sample"
	for f in finewsd_source_last_poll_timestamp_seconds \
	    finewsd_source_last_success_timestamp_seconds \
	    finewsd_source_consecutive_failures finewsd_source_posts_written_total \
	    finewsd_source_received_bytes_total finewsd_source_last_poll_duration_seconds; do
		[ "$(metric "$f{source=\"$s\"}")" != absent ] || fail "no $f for $s"
	done
done
assert_eq 1 "$(metric 'finewsd_source_requests_total{source="good",kind="list",result="ok"}')" \
    "good: one list request, ok"
assert_eq 2 "$(metric 'finewsd_source_requests_total{source="good",kind="text",result="ok"}')" \
    "good: two text requests, ok"
assert_eq 1 "$(metric 'finewsd_source_requests_total{source="bad",kind="list",result="failed"}')" \
    "bad: one list request, failed"
assert_eq 2 "$(metric 'finewsd_source_posts_written_total{source="good"}')" "good: 2 posts written"
assert_eq 0 "$(metric 'finewsd_source_consecutive_failures{source="good"}')" "good: no failure"
assert_eq 1 "$(metric 'finewsd_source_consecutive_failures{source="bad"}')" "bad: 1 failure in a row"
assert_eq 0 "$(metric 'finewsd_source_last_success_timestamp_seconds{source="bad"}')" \
    "bad: never a success"
say "good: last success = last poll, a recent Unix time"
lp=$(metric 'finewsd_source_last_poll_timestamp_seconds{source="good"}')
ls=$(metric 'finewsd_source_last_success_timestamp_seconds{source="good"}')
[ "$lp" = "$ls" ] || fail "good: last poll $lp, last success $ls"
now=$(date +%s)
[ "$lp" -le "$now" ] && [ "$lp" -gt $((now - 60)) ] || fail "good: last poll $lp, now $now"
say "good: bytes were received, and the requests took some time"
python3 -c "import sys; sys.exit(not (float(sys.argv[1]) > 0 and float(sys.argv[2]) > 0))" \
    "$(metric 'finewsd_source_received_bytes_total{source="good"}')" \
    "$(metric 'finewsd_source_request_duration_seconds_sum{source="good",kind="text"}')" ||
    fail "good: no bytes or no duration counted"
assert_eq 2 "$(metric 'finewsd_source_request_duration_seconds_count{source="good",kind="text"}')" \
    "good: two text requests timed"
assert_eq 2 "$(metric finewsd_sources)" "finewsd_sources"
assert_eq 1 "$(metric finewsd_sources_failing)" "finewsd_sources_failing"
assert_eq 2 "$(metric finewsd_posts)" "finewsd_posts"
assert_eq 1 "$(metric finewsd_feeds_last_write_success)" "the feeds were written"
say "the feeds' last write is a recent Unix time"
fw=$(metric finewsd_feeds_last_write_timestamp_seconds)
[ "$fw" -gt $((now - 60)) ] || fail "feeds last written at $fw"
say "the process's resident memory is there, and plausible (1 MiB .. 1 GiB)"
rss=$(metric process_resident_memory_bytes)
[ "$rss" -gt 1048576 ] && [ "$rss" -lt 1073741824 ] || fail "RSS $rss"

echo "the next poll: the counters grow, bad's failures too, the file is replaced"
ino=$(stat -c %i "$PROM")
mock_market 37 "$G1" "$G2" "$G3"
daemon_signal USR1
wait_polls 2 good "good's second poll ends"
wait_failures 2 bad "bad's second poll ends"
wait_for 10 "the metrics of the second poll are written" \
    test "$(metric 'finewsd_source_consecutive_failures{source="bad"}')" = 2
promtool_ok
assert_eq 2 "$(metric 'finewsd_source_requests_total{source="good",kind="list",result="ok"}')" \
    "good: two list requests"
assert_eq 3 "$(metric 'finewsd_source_requests_total{source="good",kind="text",result="ok"}')" \
    "good: three text requests"
assert_eq 3 "$(metric finewsd_posts)" "finewsd_posts: 3"
say "the file was replaced by a rename (a new inode), not rewritten in place"
[ "$(stat -c %i "$PROM")" != "$ino" ] || fail "the same inode: written in place"

echo "a 304: counted as not_modified"
daemon_signal USR1
wait_polls 3 good "good's third poll ends"
wait_failures 3 bad "bad's third poll ends"
wait_for 10 "the 304 is counted" \
    test "$(metric 'finewsd_source_requests_total{source="good",kind="list",result="not_modified"}')" = 1
promtool_ok
daemon_stop TERM
daemon_expect_rc 0

echo "--once writes it too"
rm -rf "$TMP/textfile"
finewsd_once
expect_rc 1 "--once with bad failing"
assert_exists "$PROM"
promtool_ok
assert_eq 4 "$(metric 'finewsd_source_consecutive_failures{source="bad"}')" \
    "bad: 4 failures in a row (the store keeps them across runs)"

echo "a metrics_file that cannot be written: logged, the poll goes on"
: > "$TMP/notafolder"
conf_begin interval=3600 "metrics_file=$TMP/notafolder/finewsd.prom"
conf_source_market good 37
finewsd_once
expect_rc 0 "--once: the metrics are not a source's failure"
assert_grep "the log says why" "$RUN_ERR" "metrics $(ere "$TMP/notafolder/finewsd.prom")"

mock_stop
