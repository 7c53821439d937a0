#!/usr/bin/env bash
# Throughput and memory of `finewsd --once` against a static nginx copy of
# the source APIs on 127.0.0.1, as the project's speed target is stated:
# new records per second end to end (list, text, row, post file, feeds),
# and the peak resident memory.  Also times a second run (nothing new:
# conditional list requests only).  Not part of `make check`: it measures,
# it asserts nothing.
#
#   tests/bench/run-bench.sh [SOURCES [RECORDS_PER_LIST]]    (default 10 1000)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
FINEWSD=${FINEWSD:-$top/finewsd}
nsrc=${1:-10}
nrec=${2:-1000}
command -v nginx >/dev/null || { echo "bench: nginx is needed (apt-get install nginx-light)" >&2; exit 1; }

work=$(mktemp -d /tmp/finewsd-bench.XXXXXX)
chmod 755 "$work"   # nginx workers run as another user
nginx_pid=
cleanup() {
	[ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
[ -n "${BENCH_KEEP:-}" ] && trap - EXIT

python3 - "$work/www" "$nsrc" "$nrec" <<'PY'
import json, os, sys
root, nsrc, nrec = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(root + "/lists"); os.makedirs(root + "/text")
media = ["青岛财经日报", "券商中国", "每日经济新闻", "财联社", "上海证券报", "36氪"]
body = "<p>" + "本报讯，市场今日平稳运行，成交量较昨日有所放大。" * 40 + "</p>"
n = 0
for s in range(nsrc):
    recs = []
    for i in range(nrec):
        code = "NW%012d" % n
        recs.append({"infoCode": code, "title": "标题 %d" % n,
                     "datetime": "2022-%02d-%02d %02d:%02d:%02d" % (1 + n % 12, 1 + n % 28, n % 24, n % 60, (n // 60) % 60),
                     "medianame": media[n % len(media)]})
        with open("%s/text/%s.json" % (root, code), "w") as f:
            json.dump({"text": body}, f, ensure_ascii=False)
        n += 1
    with open("%s/lists/%d.json" % (root, s), "w") as f:
        json.dump({"record": recs}, f, ensure_ascii=False)
PY

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<NGX
daemon off;
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	keepalive_requests 100000;
	default_type application/json;
	etag on;
	server {
		listen 127.0.0.1:$port;
		root $work/www;
		location = /list { try_files /lists/\$arg_page.json =404; }
		location = /NewsData/GetNewsText.do { try_files /text/\$arg_id.json =404; }
	}
}
NGX
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
nginx_pid=$!
for _ in $(seq 50); do
	curl -s -o /dev/null "http://127.0.0.1:$port/list?page=0" && break
	sleep 0.1
done

{
	printf '[finewsd]\ndatabase = %s/db.sqlite\nsite_dir = %s/site\n' "$work" "$work"
	printf 'site_url = https://finews.withounder.com\n\n'
	for s in $(seq 0 $((nsrc - 1))); do
		printf '[source s%d]\nlist_url = http://127.0.0.1:%d/list?page=%d\n' "$s" "$port" "$s"
		printf 'media_field = medianame\n'
		printf 'text_url = http://127.0.0.1:%d/NewsData/GetNewsText.do?id={id}\n' "$port"
		printf 'link = http://finews.zning.xyz/html_News/NewsShare.html?infoCode={id}\n\n'
	done
} > "$work/finewsd.conf"

total=$((nsrc * nrec))
# Earlier deletions (a previous run's clean-up) are discarded at the next
# journal commit on a filesystem mounted with discard: settle them first.
sync
measure() {
	/usr/bin/time -f '%e %M %U %S' -o "$work/time" "$FINEWSD" -c "$work/finewsd.conf" --once 2>"$work/log" || {
		cat "$work/log" >&2; exit 1; }
	read -r secs kb usr sys < "$work/time"; echo "user $usr s, system $sys s" >&2
	echo "$secs $kb"
}
read -r secs kb < <(measure)
posts=$(find "$work/site/_posts" -name '*.md' | wc -l)
echo "first run:  $posts new records in ${secs}s = $(python3 -c "print(round($posts/max($secs,0.001)))") records/s, peak RSS $((kb / 1024)) MiB"
[ "$posts" -eq "$total" ] || { echo "bench: expected $total posts, got $posts" >&2; exit 1; }
read -r secs kb < <(measure)
echo "second run: nothing new, ${secs}s, peak RSS $((kb / 1024)) MiB (conditional list requests only)"
