#!/usr/bin/env bash
# 06-crash: kill -9 the daemon in the middle of a large --once, run it again
# to completion, and check that the site and the database are exactly what a
# clean run makes: no half file, no row without its file, no file without its
# row, no temp file left, valid feeds.
#
# CRASH_ITERATIONS (default 5) and CRASH_SEED (default: random, printed) make
# a failure reproducible.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

t_begin 06-crash "kill -9 during a large run, then recover"

ITERATIONS=${CRASH_ITERATIONS:-5}
SEED=${CRASH_SEED:-$(( $(date +%s) % 32768 ))}
RANDOM=$SEED
echo "CRASH_SEED=$SEED CRASH_ITERATIONS=$ITERATIONS"

# 3000 distinct infoCodes over five sources (100 of them in two lists), small
# texts, ten media, dates over a month.
python3 - "$T_MOCK" "$FIXTURES/slugs-known.tsv" <<'EOF'
import json, os, sys
root, slugs = sys.argv[1], sys.argv[2]
media = [l.split("\t")[0] for l in open(slugs, encoding="utf-8")
         if l.rstrip("\n").endswith("\t")][:10]

import datetime
BASE = datetime.datetime(2022, 3, 1, 0, 0, 7)

def date(n):
    # Distinct times, so that "newest first" has one answer.
    return (BASE + datetime.timedelta(seconds=617 * n)).strftime("%Y-%m-%d %H:%M:%S")

def text(code, n):
    with open(os.path.join(root, "text", code + ".json"), "w", encoding="utf-8") as f:
        json.dump({"text": "<p>\u3000\u3000第%d条新闻的正文。</p>\n<p>第二段。</p>" % n}, f,
                  ensure_ascii=False)

def market(n):
    code = "NW2022%014d" % n
    text(code, n)
    return {"infoCode": code, "title": "第%d条市场新闻" % n, "datetime": date(n),
            "medianame": media[n % len(media)]}

def write(name, key, records):
    with open(os.path.join(root, name), "w", encoding="utf-8") as f:
        json.dump({key: records}, f, ensure_ascii=False)

m37 = [market(n) for n in range(0, 1000)]
m38 = [market(n) for n in range(900, 1900)]          # 900..999 shared
m39 = [market(n) for n in range(1900, 2400)]
fast = []
for n in range(2400, 2700):
    r = market(n)
    fast.append({"infocode": r["infoCode"], "title": "第%d条快讯" % n,
                 "showtime": r["datetime"], "from": r["medianame"]})
rolling = []
for n in range(2700, 3000):
    ident = "2022%014d" % n
    text("NW" + ident, n)
    rolling.append({"infoCode": "NW" + ident, "id": ident, "title": "第%d条滚动新闻" % n,
                    "showtime": date(n), "digest": "【标题】第%d条摘要。" % n,
                    "url_w": "http://finance.eastmoney.com/a/%s.html" % ident})
write("m37.json", "record", m37)
write("m38.json", "record", m38)
write("m39.json", "record", m39)
write("fast.json", "nodeList", fast)
write("rolling.json", "records", rolling)
EOF
for t in 37 38 39; do
	route_set "$(market_path $t)" "{\"file\": \"m$t.json\"}"
done
route_set "$FAST_PATH" '{"file": "fast.json"}'
route_set "$ROLLING_PATH" '{"file": "rolling.json"}'
mock_start

# use_dir DIR: point T_SITE, T_DB and T_CONF into DIR and write the config.
use_dir() {
	mkdir -p "$1"
	T_SITE=$1/site
	T_DB=$1/finewsd.db
	T_CONF=$1/finewsd.conf
	conf_begin
	conf_source_market market37 37
	conf_source_market market38 38
	conf_source_market market39 39
	conf_source_fast fast
	conf_source_rolling rolling
}

# dump_db: the rows, without what may differ between two correct runs.
dump_db() {
	sql "select info_code, category, tag, media, title, published, link, body, path
	     from posts order by info_code"
}

echo "reference: a clean run"
REF=$TMP/ref
use_dir "$REF"
start=$(date +%s%3N)
finewsd_once
expect_rc 0 "clean --once"
CLEAN_MS=$(($(date +%s%3N) - start))
echo "  (the clean run took $CLEAN_MS ms)"
assert_sql "3000 rows" 3000 "select count(*) from posts"
assert_eq 3000 "$(list_posts | wc -l)" "3000 post files"
dump_db > "$TMP/ref.rows"

# The kill lands between 0.05 s and (most of) the clean run's duration.
maxms=$((CLEAN_MS * 9 / 10))
[ "$maxms" -ge 300 ] || maxms=300

for i in $(seq "$ITERATIONS"); do
	W=$TMP/crash$i
	rm -rf "$W"
	use_dir "$W"
	if [ "$i" -eq 1 ]; then ms=50; else ms=$((50 + RANDOM % (maxms - 50))); fi
	delay=$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))
	echo "iteration $i: kill -9 after $delay s"
	# shellcheck disable=SC2086 # FINEWSD_WRAPPER is a command prefix.
	${FINEWSD_WRAPPER:-} "$FINEWSD" -c "$T_CONF" --once \
	    > "$W/crash.out" 2> "$W/crash.err" < /dev/null &
	pid=$!
	BG_PIDS+=("$pid")
	sleep "$delay"
	kill -KILL "$pid" 2>/dev/null || true
	rc=0
	{ wait "$pid"; } 2>/dev/null || rc=$?   # no "Killed" job notice
	BG_PIDS=()
	if [ "$rc" -eq 137 ]; then
		echo "  killed; $(list_posts 2>/dev/null | wc -l) posts were written"
	else
		echo "  it had finished (exit $rc) before the kill"
	fi

	say "right after the kill: every post and category page is whole (as in a clean run)"
	python3 - "$W/site" "$REF/site" <<'EOF' || fail "a half-written file after kill -9"
import os, sys
import xml.etree.ElementTree as ET
site, ref = sys.argv[1:3]
bad = 0
for d, _, files in os.walk(site):
    for name in files:
        path = os.path.join(d, name)
        rel = os.path.relpath(path, site)
        if name.startswith("."):
            continue            # a temp file a crash may leave: checked after recovery
        if rel.startswith("feeds" + os.sep):
            try:
                ET.parse(path)
            except ET.ParseError as e:
                print("%s: not well-formed: %s" % (rel, e)); bad += 1
            continue
        try:
            same = open(path, "rb").read() == open(os.path.join(ref, rel), "rb").read()
        except FileNotFoundError:
            print("%s: not in the clean run" % rel); bad += 1; continue
        if not same:
            print("%s: differs from the clean run" % rel); bad += 1
sys.exit(1 if bad else 0)
EOF
	if [ -f "$T_DB" ]; then
		assert_eq ok "$(sql 'pragma integrity_check')" \
		    "right after the kill: the database passes integrity_check"
	fi

	finewsd_once
	expect_rc 0 "recovery --once"
	assert_eq "$(list_posts)" "$(sql 'select path from posts order by path')" \
	    "every post file has a row and every row's file exists"
	assert_sql "3000 rows, one per infoCode" 3000 "select count(distinct info_code) from posts"
	assert_eq 3000 "$(list_posts | wc -l)" "3000 post files"
	assert_eq "" "$(cd "$T_SITE" && find . -mindepth 1 \( -name '.*' -o -name '*.tmp*' \) | head)" \
	    "no temp file left"
	say "the site is byte for byte the clean run's (diff -r)"
	diff -r "$REF/site" "$T_SITE" > "$W/site.diff" 2>&1 || {
		head -n 40 "$W/site.diff" >&2
		fail "iteration $i: the site differs from a clean run's"
	}
	say "the rows are the clean run's (but source and fetched_at)"
	dump_db > "$W/rows"
	cmp "$TMP/ref.rows" "$W/rows" >&2 || {
		diff "$TMP/ref.rows" "$W/rows" | head -n 20 >&2
		fail "iteration $i: the rows differ from a clean run's"
	}
	assert_atom "$T_SITE"/feeds/*.xml
	rm -rf "$W"
done

mock_stop
