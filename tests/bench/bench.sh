#!/usr/bin/env bash
# `make bench`: finewsd against curl's raw parallel fetch and a re-creation of
# the old pipeline, on one static nginx copy of the list APIs on 127.0.0.1,
# printed as one table; then the scale runs.  It measures, it asserts
# nothing, and it is never part of `make check`.
#
# The contenders, each RUNS times (default 3; the table gives each run and
# the median):
#   raw      curl --parallel --parallel-max PAR over every list and text URL
#            (one process, connections reused): the fetch limit
#   old      tests/bench/old-pipeline.py: the site's old cron pipeline as
#            it worked (a thread per list API, requests and a new
#            connection per request, every file rewritten, every post's
#            front matter parsed again for the category pages; what it
#            models and where it is kinder than the script is said there)
#   lean     old-pipeline.py --lean: the lighter model this benchmark used
#            before (a pool of PAR threads, urllib, no YAML pass), kept so
#            that the ratio against it stays in view
#   finewsd  finewsd --once, cold (empty database and site), then again
#            with nothing new
# finewsd runs with max_transfers = max_per_host = PAR, curl with PAR
# transfers, the lean model with PAR threads; the old pipeline with its
# own thread per list (it is bound by its CPU, not by its concurrency:
# its CPU time exceeds its wall time).
# Wall time, CPU (user + system) and peak RSS come from /usr/bin/time; the
# requests from nginx's access log; the files written with nothing new
# from `find -newer`, the bytes from the kernel's count of blocks written.
#
# The scale runs (once; BENCH_SCALE=0 skips them): 200,000 records in one
# poll (100 lists of 2,000), a start and poll with nothing new of the same
# 100 sources with 200,000 stored and with 10,000 stored (100 lists of
# 100), one list of 12 MiB read cold and with nothing new, 1,000 and
# 5,000 sources (one record each) cold and with nothing new, and --import
# of 20,000 and 100,000 posts.
#
#   BENCH_RUNS=3 BENCH_SOURCES=5 BENCH_RECORDS=2000 BENCH_PAR=8 BENCH_SCALE=1
#   tests/bench/bench.sh
# Everything goes in a new folder under $TMPDIR (default /tmp), removed at
# the end unless BENCH_KEEP is set: TMPDIR on a freshly made file system
# compares two builds without the penalty of recent deletions (below).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
FINEWSD=${FINEWSD:-$top/finewsd}
runs=${BENCH_RUNS:-3}
nsrc=${BENCH_SOURCES:-5}
nrec=${BENCH_RECORDS:-2000}
par=${BENCH_PAR:-8}
scale=${BENCH_SCALE:-1}
need="tools/install-deps bench installs it"
for t in nginx curl python3 /usr/bin/time; do
	command -v "$t" >/dev/null || { echo "bench: $t is needed ($need)" >&2; exit 1; }
done
# The old pipeline's interpreter: Debian's python3, whose requests and
# PyYAML are the distribution's, rather than whatever python3 comes first in
# PATH (a pyenv shim here: a bash script that starts some 40 processes, and
# a CPython built without profile-guided optimisation, which made the old
# pipeline 20-27 % slower than Debian's); BENCH_PYTHON chooses another.
oldpy=
for c in ${BENCH_PYTHON:-/usr/bin/python3 python3}; do
	if "$c" -c 'import requests, yaml' 2>/dev/null; then
		oldpy=$("$c" -c 'import sys; print(sys.executable)'); break
	fi
done
[ -n "$oldpy" ] || {
	echo "bench: python3 with requests and yaml is needed ($need)" >&2; exit 1; }
unihan=${UNIHAN_READINGS:-/usr/share/unicode/Unihan_Readings.txt.bz2}
[ -r "$unihan" ] || { echo "bench: $unihan is needed ($need)" >&2; exit 1; }
[ -x "$FINEWSD" ] || { echo "bench: build finewsd first" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/finewsd-bench.XXXXXX")
chmod 755 "$work"   # nginx workers run as another user
nginx_pid=
cleanup() {
	if [ -n "$nginx_pid" ]; then
		kill "$nginx_pid" 2>/dev/null || true
		wait "$nginx_pid" 2>/dev/null || true
	fi
	[ -n "${BENCH_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

# gen SET NLISTS NREC: lists of NREC records and their texts in www/SET.
gen() {
	python3 - "$work/www/$1" "$2" "$3" "$1" <<'PY'
import json, os, sys
root, nsrc, nrec, tag = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
os.makedirs(root + "/lists"); os.makedirs(root + "/text")
media = ["青岛财经日报", "券商中国", "每日经济新闻", "财联社", "上海证券报", "36氪"]
body = json.dumps({"text": "<p>" + "本报讯，市场今日平稳运行，成交量较昨日有所放大。" * 40 + "</p>"},
                  ensure_ascii=False)
n = 0
for s in range(nsrc):
    recs = []
    for i in range(nrec):
        code = "%s%012d" % (tag.upper()[:2], n)
        recs.append({"infoCode": code, "title": "标题 %d" % n,
                     "datetime": "2022-%02d-%02d %02d:%02d:%02d" % (1 + n % 12, 1 + n % 28, n % 24, n % 60, (n // 60) % 60),
                     "medianame": media[n % len(media)]})
        with open("%s/text/%s.json" % (root, code), "w") as f:
            f.write(body)
        n += 1
    with open("%s/lists/%d.json" % (root, s), "w") as f:
        json.dump({"record": recs}, f, ensure_ascii=False)
PY
}

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
mkdir -p "$work/nginx" "$work/www"
cat > "$work/nginx/nginx.conf" <<NGX
daemon off;
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
	access_log $work/nginx/access.log;
	keepalive_requests 1000000;
	default_type application/json;
	etag on;
	server {
		listen 127.0.0.1:$port backlog=4096;
		root $work/www;
		location ~ ^/(\w+)/list\$ { try_files /\$1/lists/\$arg_page.json =404; }
		location ~ ^/(\w+)/text\$ { try_files /\$1/text/\$arg_id.json =404; }
	}
}
NGX
gen main "$nsrc" "$nrec"
# The old pipeline's pinyin table, in xpinyin's format ("9752<TAB>QING1"):
# the kMandarin readings of the CJK Unified Ideographs U+4E00-U+9FFF, tone
# marks dropped.  xpinyin's own table is larger (it also has U+3400-U+4DBF
# and more readings a character), so this one is cheaper to load.
python3 - "$unihan" "$work/pinyin.dat" <<'PY'
import bz2, sys, unicodedata
with open(sys.argv[2], "w") as out:
    for line in bz2.open(sys.argv[1], "rt", encoding="utf-8"):
        if "\tkMandarin\t" not in line:
            continue
        cp, _, readings = line.rstrip("\n").split("\t")
        if 0x4E00 <= int(cp[2:], 16) <= 0x9FFF:
            out.write("%s\t%s\n" % (cp[2:], " ".join(
                "".join(c for c in unicodedata.normalize("NFD", r)
                        if not unicodedata.combining(c)).upper() + "1"
                for r in readings.split())))
PY
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
nginx_pid=$!
for _ in $(seq 50); do
	curl -s -o /dev/null "$base/main/list?page=0" && break
	sleep 0.1
done
requests() { wc -l < "$work/nginx/access.log"; }

# conf FILE SET NSOURCES RUNDIR: a configuration of NSOURCES lists of SET.
conf() {
	{
		printf '[finewsd]\ndatabase = %s/db.sqlite\nsite_dir = %s/site\n' "$4" "$4"
		printf 'site_url = https://finews.withounder.com\n'
		printf 'max_transfers = %d\nmax_per_host = %d\n\n' "$par" "$par"
		for s in $(seq 0 $(($3 - 1))); do
			printf '[source s%d]\nlist_url = %s/%s/list?page=%d\n' "$s" "$base" "$2" "$s"
			printf 'media_field = medianame\n'
			printf 'text_url = %s/%s/text?id={id}\n' "$base" "$2"
			printf 'link = http://finews.zning.xyz/html_News/NewsShare.html?infoCode={id}\n\n'
		done
	} > "$1"
}

# timed OUT CMD...: runs CMD under /usr/bin/time; OUT gets
# "wall_s rss_kb user_s sys_s blocks_out".
# The wall time is bash's clock around the command (microseconds), not
# /usr/bin/time's %e, which counts in hundredths: the raw fetch takes about
# 0.3 s, where a hundredth is 3 % of its rate.
timed() {
	local out=$1 t0 t1 rest; shift
	t0=$EPOCHREALTIME
	/usr/bin/time -f '%e %M %U %S %O' -o "$out" "$@" > "$out.stdout" 2> "$out.log" || {
		echo "bench: failed: $*" >&2; tail -20 "$out.log" >&2; exit 1; }
	t1=$EPOCHREALTIME
	read -r _ rest < "$out"
	# (EPOCHREALTIME is written with the locale's decimal point.)
	echo "$(python3 -c "print('%.4f' % (float('${t1/,/.}') - float('${t0/,/.}')))") $rest" > "$out"
}

# fw NAME CONF: finewsd --once; prints "wall rss_kb cpu_s requests files kib".
fw() {
	local r0 mark=$work/mark.$1
	sync
	touch "$mark"; sleep 0.01
	r0=$(requests)
	timed "$work/t.$1" "$FINEWSD" -c "$2" --once
	read -r wall kb usr sys blk < "$work/t.$1"
	local site=$(sed -n 's/^site_dir = //p' "$2")
	local files=$(find "$site" -type f -newer "$mark" | wc -l)
	echo "$wall $kb $(python3 -c "print($usr+$sys)") $(( $(requests) - r0 )) $files $((blk / 2))"
}

total=$((nsrc * nrec))
# The raw fetch: every list and text URL, once.
{
	for s in $(seq 0 $((nsrc - 1))); do printf 'url = "%s/main/list?page=%d"\noutput = "/dev/null"\n' "$base" "$s"; done
	python3 -c "
import json, sys
for s in range($nsrc):
    for r in json.load(open('$work/www/main/lists/%d.json' % s))['record']:
        print('url = \"$base/main/text?id=%s\"\noutput = \"/dev/null\"' % r['infoCode'])"
} > "$work/urls.curl"
nurls=$((total + nsrc))

res=$work/results
: > "$res"
# No run deletes a file, and no file is deleted between runs: every run
# writes into a folder of its own ($work/old.RUN, lean.RUN, fw.RUN), the old
# pipeline's "nothing new" run into its own run's, and everything goes at
# exit.  On ext4 without a journal (as here), the inode allocator skips
# inodes freed in the last 60 s, or 6 minutes while their inode table block
# is not written back (the kernel's recently_deleted() in find_inode_bit),
# so creating 10,000 files right after an `rm -rf` of 10,000 others costs
# 5-20 times as much (perf: 60 % of the time in recently_deleted and
# find_get_block_common), and runs 2 and 3 were 2-5x slower than run 1 and
# noisy.  For the same reason a `make bench` started within minutes of
# another one's cleanup (up to 430,000 files with the scale runs), or while
# other work deletes many files on the same file system, measures low.
for run in $(seq "$runs"); do
	echo "bench: run $run of $runs" >&2
	sync
	timed "$work/t.raw" curl -s --fail --parallel --parallel-max "$par" -K "$work/urls.curl"
	read -r wall kb usr sys blk < "$work/t.raw"
	echo "raw $run $wall $kb $(python3 -c "print($usr+$sys)") - - - -" >> "$res"

	for model in old lean; do
		old=$work/$model.$run
		flag=; [ "$model" = old ] || flag=--lean
		sync
		timed "$work/t.$model" "$oldpy" "$here/old-pipeline.py" $flag "$base/main" "$nsrc" \
		    "$old/site" "$par" "$work/pinyin.dat"
		read -r wall kb usr sys blk < "$work/t.$model"
		read -r nposts _ < "$work/t.$model.stdout"
		[ "$nposts" -eq "$total" ] || { echo "bench: $model pipeline wrote $nposts posts" >&2; exit 1; }
		# Nothing new: the old pipeline does it all again, over its own
		# run's site (it rewrites each post in place; the few category
		# pages it removes and writes again).
		touch "$work/mark.$model"; sleep 0.01; r0=$(requests)
		timed "$work/t.${model}2" "$oldpy" "$here/old-pipeline.py" $flag "$base/main" "$nsrc" \
		    "$old/site" "$par" "$work/pinyin.dat"
		files=$(find "$old/site" -type f -newer "$work/mark.$model" | wc -l)
		read -r _ _ _ _ blk2 < "$work/t.${model}2"
		echo "$model $run $wall $kb $(python3 -c "print($usr+$sys)") $(( $(requests) - r0 )) $files $((blk2 / 2)) -" >> "$res"
	done

	fwd=$work/fw.$run
	mkdir "$fwd"; conf "$fwd.conf" main "$nsrc" "$fwd"
	read -r wall kb cpu _ _ _ < <(fw "cold.$run" "$fwd.conf")
	nposts=$(find "$fwd/site/_posts" -name '*.md' | wc -l)
	[ "$nposts" -eq "$total" ] || { echo "bench: finewsd wrote $nposts posts" >&2; exit 1; }
	read -r wall2 kb2 cpu2 req2 files2 kib2 < <(fw "again.$run" "$fwd.conf")
	echo "finewsd $run $wall $kb $cpu $req2 $files2 $kib2 $wall2/$cpu2/$((kb2 / 1024))" >> "$res"
done

echo "old pipeline: $("$oldpy" -c 'import sys, requests, urllib3, yaml
print("%s (Python %s), requests %s, urllib3 %s, PyYAML %s" % (sys.executable,
      sys.version.split()[0], requests.__version__, urllib3.__version__, yaml.__version__))')"
python3 - "$res" "$total" "$nurls" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
total, nurls = int(sys.argv[2]), int(sys.argv[3])
def rate(r):   # records/s; the raw fetch counts requests
    return (nurls if r[0] == "raw" else total) / max(float(r[2]), 1e-3)
print("%-8s %4s %10s %12s %9s %22s" % ("", "run", "records/s", "CPU ms/1k", "RSS MiB",
                                       "nothing new: req/files/KiB"))
med = {}
for who in ("raw", "old", "lean", "finewsd"):
    rs = [r for r in rows if r[0] == who]
    for r in rs:
        extra = "-" if r[5] == "-" else "%s/%s/%s" % (r[5], r[6], r[7])
        print("%-8s %4s %10.0f %12.0f %9.1f %22s" % (who, r[1], rate(r),
              float(r[4]) * 1e6 / (nurls if who == "raw" else total), int(r[3]) / 1024, extra))
    med[who] = statistics.median(rate(r) for r in rs)
    print("%-8s %4s %10.0f" % (who, "med", med[who]))
print("finewsd / old pipeline: %.1fx   finewsd / raw fetch: %.0f %%  (medians; raw in requests/s)"
      % (med["finewsd"] / med["old"], 100 * med["finewsd"] / med["raw"]))
print("finewsd / lean model of the old pipeline: %.1fx" % (med["finewsd"] / med["lean"]))
for r in rows:
    if r[0] == "finewsd":
        w, c, m = r[8].split("/")
        print("finewsd run %s, nothing new: %s s wall, %.0f ms CPU, %s MiB" % (r[1], w, float(c) * 1000, m))
PY
[ "$scale" = 1 ] || exit 0

# The scale runs, like the runs above, only ever write into new folders.
echo >&2 "bench: scale runs (generating 200,000 records)"
echo
echo "scale runs"
gen big 100 2000
mkdir "$work/big"; conf "$work/big.conf" big 100 "$work/big"
read -r wall kb cpu _ _ _ < <(fw bigcold "$work/big.conf")
printf '200,000 records in one poll: %.0f records/s, %.0f ms CPU per 1,000, peak RSS %.1f MiB\n' \
    "$(python3 -c "print(200000/$wall)")" "$(python3 -c "print($cpu*1000/200)")" "$(python3 -c "print($kb/1024)")"
read -r wall kb cpu req files _ < <(fw bigagain "$work/big.conf")
# What 200,000 stored posts cost a poll with nothing new is seen against
# the same 100 sources holding 10,000: the same requests, 20 times fewer
# posts.  (The 5 sources of the table above make 20 times fewer requests.)
gen mid 100 100
mkdir "$work/mid"; conf "$work/mid.conf" mid 100 "$work/mid"
fw midcold "$work/mid.conf" > /dev/null
nposts=$(find "$work/mid/site/_posts" -name '*.md' | wc -l)
[ "$nposts" -eq 10000 ] || { echo "bench: finewsd wrote $nposts posts of 10,000" >&2; exit 1; }
read -r wall2 kb2 cpu2 req2 files2 _ < <(fw midagain "$work/mid.conf")
printf 'start + poll, nothing new, 100 sources: 200,000 stored %.0f ms CPU (%s s wall, %.1f MiB, %s requests, %s files); 10,000 stored %.0f ms CPU (%s s wall, %.1f MiB, %s requests, %s files)\n' \
    "$(python3 -c "print($cpu*1000)")" "$wall" "$(python3 -c "print($kb/1024)")" "$req" "$files" \
    "$(python3 -c "print($cpu2*1000)")" "$wall2" "$(python3 -c "print($kb2/1024)")" "$req2" "$files2"

# One list of 12 MiB (max_list_size = 16M): the records of the table's
# lists in one, each with a digest no key reads.  Cold, it fetches their
# texts and writes their posts as the table's runs do; then the list is
# read again with nothing new (touched, so that its ETag changes and the
# answer is no 304).
python3 - "$work/www/main/lists" "$nsrc" <<'PY'
import json, sys
root, nsrc = sys.argv[1], int(sys.argv[2])
recs = [r for s in range(nsrc) for r in json.load(open("%s/%d.json" % (root, s)))["record"]]
size = len(json.dumps({"record": recs}, ensure_ascii=False).encode())
for r in recs:
    r["digest"] = ""
pad = (12 * 2**20 - size - len(recs) * len(', "digest": ""')) // len(recs)
for r in recs:
    r["digest"] = "x" * pad
with open(root + "/big12.json", "w") as f:
    json.dump({"record": recs}, f, ensure_ascii=False)
PY
l12=$(stat -c %s "$work/www/main/lists/big12.json")
mkdir "$work/l12"; conf "$work/l12.conf" main 1 "$work/l12"
sed -i 's/page=0$/page=big12/' "$work/l12.conf"
echo 'max_list_size = 16M' >> "$work/l12.conf"
read -r wall kb cpu _ _ _ < <(fw l12cold "$work/l12.conf")
nposts=$(find "$work/l12/site/_posts" -name '*.md' | wc -l)
[ "$nposts" -eq "$total" ] || { echo "bench: finewsd wrote $nposts posts of the 12 MiB list" >&2; exit 1; }
touch "$work/www/main/lists/big12.json"
read -r wall2 kb2 cpu2 req2 files2 _ < <(fw l12again "$work/l12.conf")
printf 'one list of %.1f MiB (%d records): cold %.0f records/s, %.0f ms CPU per 1,000, peak RSS %.1f MiB; read again, nothing new: %s s wall, %.0f ms CPU, %.1f MiB, %s request, %s files\n' \
    "$(python3 -c "print($l12/2**20)")" "$total" "$(python3 -c "print($total/$wall)")" \
    "$(python3 -c "print($cpu*1e6/$total)")" "$(python3 -c "print($kb/1024)")" \
    "$wall2" "$(python3 -c "print($cpu2*1000)")" "$(python3 -c "print($kb2/1024)")" "$req2" "$files2"

gen many 5000 1
for ns in 1000 5000; do
	mkdir "$work/many$ns"
	conf "$work/many$ns.conf" many "$ns" "$work/many$ns"
	read -r wall kb cpu req _ _ < <(fw "many$ns" "$work/many$ns.conf")
	read -r wall2 kb2 cpu2 req2 files2 _ < <(fw "many${ns}b" "$work/many$ns.conf")
	printf '%d sources: a cold cycle %.0f ms CPU (%.2f ms per source, %s requests, %s s wall); nothing new %.0f ms CPU (%.2f ms per source, %s requests, %s files)\n' \
	    "$ns" "$(python3 -c "print($cpu*1000)")" "$(python3 -c "print($cpu*1000/$ns)")" "$req" "$wall" \
	    "$(python3 -c "print($cpu2*1000)")" "$(python3 -c "print($cpu2*1000/$ns)")" "$req2" "$files2"
done

for n in 20000 100000; do
	mkdir -p "$work/imp$n/posts"
	[ -f "$work/big.posts" ] || find "$work/big/site/_posts" -name '*.md' | sort > "$work/big.posts"
	sed -n "1,${n}p" "$work/big.posts" | xargs cp -l -t "$work/imp$n/posts"
	conf "$work/imp$n.conf" big 1 "$work/imp$n"
	sync
	timed "$work/t.imp$n" "$FINEWSD" -c "$work/imp$n.conf" --import "$work/imp$n/posts"
	read -r wall kb usr sys _ < "$work/t.imp$n"
	printf -- '--import of %d posts: %s s wall, %.0f ms CPU, %.1f MiB\n' "$n" "$wall" \
	    "$(python3 -c "print(($usr+$sys)*1000)")" "$(python3 -c "print($kb/1024)")"
done
