# shellcheck shell=bash
# Many of the variables below are for the tests that source this file.
# shellcheck disable=SC2034
#
# lib.sh: helpers for finewsd's end-to-end tests (tests/integration/NN-*.sh).
#
# A test sources this file, calls t_begin, starts the mock source API
# (mock_source.py) with mock_start, writes a configuration with the conf_*
# helpers, runs the real daemon with finewsd_once, and checks what it wrote
# with the assert_* helpers, each of which prints what it checks and exits 1
# with expected versus actual on a mismatch.  Everything lives in one temp
# folder that the EXIT trap removes, after stopping by PID every process the
# test started.  Tests are written against /work/shared/CONTRACT.md only.
#
# Environment (automake's AM_TESTS_ENVIRONMENT sets the first three):
#   abs_top_srcdir    top of the source tree (default: from this file's path)
#   abs_top_builddir  top of the build tree (default: abs_top_srcdir)
#   FINEWSD           the daemon (default: $abs_top_builddir/finewsd)
#   FINEWSD_WRAPPER   optional command prefix, e.g. "valgrind -q --error-exitcode=99"
#   FINEWSD_TIMEOUT   seconds before a --once run counts as hung (default 120)
#   KEEP_TMP=1        keep the temp folder of a failing test, to look at it

set -euo pipefail

IT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
abs_top_srcdir=${abs_top_srcdir:-$(cd "$IT_DIR/../.." && pwd)}
abs_top_builddir=${abs_top_builddir:-$abs_top_srcdir}
FINEWSD=${FINEWSD:-$abs_top_builddir/finewsd}
FINEWSD_TIMEOUT=${FINEWSD_TIMEOUT:-120}
FIXTURES=$abs_top_srcdir/tests/fixtures
GOLDEN=$abs_top_srcdir/tests/integration/golden
MOCK_PY=$abs_top_srcdir/tests/integration/mock_source.py
ATOM_RULES_PY=$abs_top_srcdir/tests/integration/atom_rules.py
# The machine's time zone must not matter (the configuration's timezone
# does): an odd one, UTC-3:30, that needs no tzdata, shows where it leaks in.
export LC_ALL=C.UTF-8 TZ=XST+03:30

SITE_URL=https://finews.withounder.com
SITE_HOST=finews.withounder.com
LINK_TEMPLATE='http://finews.zning.xyz/html_News/NewsShare.html?infoCode={id}'
LINK_PREFIX='http://finews.zning.xyz/html_News/NewsShare.html?infoCode='

# The sources' paths, as in the contract's table.
market_path() { printf '/information/newmarket/web/webapi?marketType=%s&count=100' "$1"; }
FAST_PATH='/web/webapi?type=45&count=100&newsid=1'
ROLLING_PATH='/web/webapi?type=102&count=100&newsid=1'
TEXT_PATH='/NewsData/GetNewsText.do?id='

T_NAME=
TMP=
MOCK_PID=
MOCK_PORT=
MOCK_URL=
MOCK_LOG=
MOCK_LOG_MARK=0
BG_PIDS=()
RUN_N=0
RUN_RC=
RUN_OUT=
RUN_ERR=

# ---------------------------------------------------------------- reporting

say() { printf '  - %s\n' "$*"; }

fail() {
	printf 'FAIL [%s]: %s\n' "$T_NAME" "$*" >&2
	if [ -n "$RUN_ERR" ] && [ -s "$RUN_ERR" ]; then
		printf -- '--- stderr of the last finewsd run (%s), last 30 lines:\n' \
		    "$RUN_ERR" >&2
		tail -n 30 "$RUN_ERR" >&2
	fi
	exit 1
}

# Exit 77 (automake's SKIP) if a tool is missing.  Only for tools that are
# genuinely optional on a developer machine; CI installs them all.
require_tool() {
	local t
	for t in "$@"; do
		if ! command -v "$t" >/dev/null 2>&1; then
			printf 'SKIP [%s]: %s is not installed\n' "$T_NAME" "$t" >&2
			exit 77
		fi
	done
}

# ---------------------------------------------------------------- lifecycle

# t_begin NAME DESCRIPTION: a temp folder, the trap, and the common paths.
t_begin() {
	T_NAME=$1
	printf '== %s: %s\n' "$1" "$2"
	require_tool python3 sqlite3 xmllint cmp diff
	if [ -z "${FINEWSD_WRAPPER:-}" ] && [ ! -x "$FINEWSD" ]; then
		fail "FINEWSD=$FINEWSD is not an executable (build it with make)"
	fi
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/finewsd-it.$1.XXXXXX")
	trap t_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	T_MOCK=$TMP/mock
	T_SITE=$TMP/site
	T_DB=$TMP/finewsd.db
	T_CONF=$TMP/finewsd.conf
	mkdir -p "$T_MOCK/text" "$T_MOCK/article"
	printf '{}\n' > "$T_MOCK/routes.json"
}

# Stops PID (TERM, then KILL after 5 s) and reaps it; sets STOP_RC to its
# exit status.  Not in a subshell: only the parent shell can reap its child.
STOP_RC=
stop_pid() {
	local pid=$1 rc=0
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || rc=$?
	STOP_RC=$rc
}

t_cleanup() {
	local rc=$? pid
	set +e
	trap - EXIT INT TERM
	for pid in "${BG_PIDS[@]}"; do
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	if [ -n "$MOCK_PID" ]; then
		stop_pid "$MOCK_PID"
		MOCK_PID=
	fi
	if [ -n "${FINEWSD_SNAPSHOT:-}" ] && [ -n "$TMP" ] && [ -d "$TMP" ]; then
		snapshot_take "$FINEWSD_SNAPSHOT/$T_NAME"
	fi
	if [ -n "$TMP" ] && [ -d "$TMP" ]; then
		if [ "$rc" -ne 0 ] && [ -n "${KEEP_TMP:-}" ]; then
			printf 'kept %s\n' "$TMP" >&2
		else
			rm -rf "$TMP"
		fi
	fi
	if [ "$rc" -eq 0 ]; then
		printf 'PASS [%s]\n' "$T_NAME"
	fi
	exit "$rc"
}

# snapshot_take DIR: what the test left (the site, and the rows without
# fetched_at, the one column that depends on the clock) copied into DIR, so
# that two builds can be compared byte for byte: FINEWSD_SNAPSHOT=DIR set
# for a run of the suite snapshots every test (tools/snapshot-compare).
snapshot_take() {
	local dir=$1
	rm -rf "$dir"
	mkdir -p "$dir"
	[ -d "$T_SITE" ] && cp -a "$T_SITE" "$dir/site"
	if [ -f "$T_DB" ]; then
		sqlite3 -batch "$T_DB" "select info_code, source, category, tag, media, title,
		    published, link, body, path from posts order by info_code" \
		    > "$dir/posts.txt" 2>/dev/null || true
	fi
}

# A TCP port on 127.0.0.1 with nothing listening (bound, then closed).
free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# ---------------------------------------------------------------- mock API

# mock_start [ROOT]: start mock_source.py serving ROOT (default $T_MOCK);
# sets MOCK_PID, MOCK_PORT, MOCK_URL, MOCK_LOG.
# shellcheck disable=SC2120 # the arguments are optional.
mock_start() {
	local root=${1:-$T_MOCK}
	MOCK_LOG=$TMP/mock.log
	rm -f "$TMP/mock.port"
	python3 "$MOCK_PY" --root "$root" --port-file "$TMP/mock.port" \
	    --log "$MOCK_LOG" --headers-log "$TMP/mock-headers.log" &
	MOCK_PID=$!
	for _ in $(seq 50); do
		[ -s "$TMP/mock.port" ] && break
		kill -0 "$MOCK_PID" 2>/dev/null || fail "mock_source.py died at start"
		sleep 0.1
	done
	[ -s "$TMP/mock.port" ] || fail "mock_source.py wrote no port within 5 s"
	MOCK_PORT=$(cat "$TMP/mock.port")
	MOCK_URL=http://127.0.0.1:$MOCK_PORT
	touch "$MOCK_LOG"
	MOCK_LOG_MARK=0
}

mock_stop() {
	[ -n "$MOCK_PID" ] || return 0
	stop_pid "$MOCK_PID"
	MOCK_PID=
	[ "$STOP_RC" -eq 0 ] || fail "mock_source.py exited $STOP_RC on SIGTERM, expected 0"
}

# route_set PATH ENTRY-JSON: add or replace a route; route_del PATH.
route_set() {
	python3 - "$T_MOCK/routes.json" "$1" "$2" <<'EOF'
import json, os, sys
path, key, entry = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
routes = json.load(open(path, encoding="utf-8")) if os.path.exists(path) else {}
routes[key] = entry
with open(path + ".new", "w", encoding="utf-8") as f:
    json.dump(routes, f, ensure_ascii=False, indent=1)
os.replace(path + ".new", path)
EOF
}

route_del() {
	python3 - "$T_MOCK/routes.json" "$1" <<'EOF'
import json, os, sys
path, key = sys.argv[1], sys.argv[2]
routes = json.load(open(path, encoding="utf-8"))
routes.pop(key, None)
with open(path + ".new", "w", encoding="utf-8") as f:
    json.dump(routes, f, ensure_ascii=False, indent=1)
os.replace(path + ".new", path)
EOF
}

# mock_file NAME < CONTENT: a file under the mock root (written atomically).
mock_file() {
	mkdir -p "$(dirname "$T_MOCK/$1")"
	cat > "$T_MOCK/$1.new"
	mv -f "$T_MOCK/$1.new" "$T_MOCK/$1"
}

# mock_list PATH FILE < JSON: serve JSON as the list at PATH.
mock_list() {
	mock_file "$2"
	route_set "$1" "{\"file\": \"$2\"}"
}

# mock_text ID HTML [KEY]: the text response for ID, {"KEY": HTML}.
mock_text() {
	python3 - "$T_MOCK/text" "$1" "$2" "${3:-text}" <<'EOF'
import json, os, sys
folder, ident, html, key = sys.argv[1:5]
path = os.path.join(folder, ident + ".json")
with open(path + ".new", "w", encoding="utf-8") as f:
    json.dump({key: html}, f, ensure_ascii=False)
os.replace(path + ".new", path)
EOF
}

mock_log_mark() { MOCK_LOG_MARK=$(wc -l < "$MOCK_LOG"); }

# mock_header ERE NAME: the value of request header NAME (case as sent) of
# every request so far whose path matches ERE, one line each ("-" when the
# request had none).
mock_header() {
	python3 - "$TMP/mock-headers.log" "$1" "$2" <<'EOF'
import json, re, sys
path, pattern, name = sys.argv[1:4]
for line in open(path, encoding="utf-8"):
    r = json.loads(line)
    if re.search(pattern, r["path"]):
        h = {k.lower(): v for k, v in r["headers"].items()}
        print(h.get(name.lower(), "-"))
EOF
}

# The requests logged since the last mock_log_mark.
mock_log_since() { tail -n "+$((MOCK_LOG_MARK + 1))" "$MOCK_LOG"; }

# assert_requested WHAT ERE: some request since the mark matches ERE.
assert_requested() {
	say "$1"
	mock_log_since | grep -E -e "$2" >/dev/null ||
	    fail "$1: no request matching /$2/ since the mark; the log:
$(mock_log_since)"
}

# The text requests since the mark, one id per line, sorted.
mock_text_ids_since() {
	mock_log_since | awk '$2 ~ /GetNewsText\.do\?id=/ {
		sub(/.*GetNewsText\.do\?id=/, "", $2); print $2 }' | sort
}

# ---------------------------------------------------------------- config

# conf_begin [KEY=VALUE...]: the [finewsd] section; extra keys are appended.
# shellcheck disable=SC2120 # the arguments are optional.
conf_begin() {
	local kv
	{
		printf '[finewsd]\n'
		printf 'database = %s\n' "$T_DB"
		printf 'site_dir = %s\n' "$T_SITE"
		printf 'site_url = %s\n' "$SITE_URL"
		printf 'timezone = +0800\n'
		printf 'max_transfers = 8\n'
		printf 'max_per_host = 4\n'
		for kv in "$@"; do
			printf '%s = %s\n' "${kv%%=*}" "${kv#*=}"
		done
		printf '\n'
	} > "$T_CONF"
}

# conf_categories "MEDIA=SLUG"...: a [categories] section.
conf_categories() {
	local kv
	{
		printf '[categories]\n'
		for kv in "$@"; do
			printf '%s = %s\n' "${kv%%=*}" "${kv#*=}"
		done
		printf '\n'
	} >> "$T_CONF"
}

# conf_source_market NAME MARKETTYPE [BASE-URL [KEY=VALUE...]]
conf_source_market() {
	local name=$1 type=$2 base=${3:-$MOCK_URL} kv
	shift; shift; [ $# -gt 0 ] && shift
	{
		printf '[source %s]\n' "$name"
		printf 'list_url = %s%s\n' "$base" "$(market_path "$type")"
		printf 'list_items = record\nid_field = infoCode\ntitle_field = title\n'
		printf 'date_field = datetime\nmedia_field = medianame\n'
		printf 'text_url = %s%s{id}\ntext_field = text\n' "$MOCK_URL" "$TEXT_PATH"
		printf 'link = %s\n' "$LINK_TEMPLATE"
		for kv in "$@"; do
			printf '%s = %s\n' "${kv%%=*}" "${kv#*=}"
		done
		printf '\n'
	} >> "$T_CONF"
}

# conf_source_fast NAME [BASE-URL [KEY=VALUE...]]: text_field defaults to text.
conf_source_fast() {
	local name=$1 base=${2:-$MOCK_URL} kv tf=text
	shift; [ $# -gt 0 ] && shift
	for kv in "$@"; do
		case $kv in text_field=*) tf=${kv#*=} ;; esac
	done
	{
		printf '[source %s]\n' "$name"
		printf 'list_url = %s%s\n' "$base" "$FAST_PATH"
		printf 'list_items = nodeList\nid_field = infocode\ntitle_field = title\n'
		printf 'date_field = showtime\nmedia_field = from\n'
		printf 'text_url = %s%s{id}\ntext_field = %s\n' "$MOCK_URL" "$TEXT_PATH" "$tf"
		printf 'link = %s\n' "$LINK_TEMPLATE"
		for kv in "$@"; do
			case $kv in text_field=*) continue ;; esac
			printf '%s = %s\n' "${kv%%=*}" "${kv#*=}"
		done
		printf '\n'
	} >> "$T_CONF"
}

# conf_source_rolling NAME [BASE-URL]
conf_source_rolling() {
	local name=$1 base=${2:-$MOCK_URL}
	{
		printf '[source %s]\n' "$name"
		printf 'list_url = %s%s\n' "$base" "$ROLLING_PATH"
		printf 'list_items = records\nid_field = infoCode\nfile_id_field = id\n'
		printf 'title_field = title\ndate_field = showtime\n'
		printf 'category = emnews\ntag = 东财滚动新闻\ndigest_field = digest\n'
		printf 'text_url = %s%s{id}\ntext_field = text\n' "$MOCK_URL" "$TEXT_PATH"
		printf 'link_field = url_w\n'
		printf 'category_url = //%s/emnews/\n' "$SITE_HOST"
		printf '\n'
	} >> "$T_CONF"
}

# ---------------------------------------------------------------- the daemon

# run_finewsd ARGS...: runs the daemon, never exits the test; sets RUN_RC,
# RUN_OUT and RUN_ERR (files).  A sanitizer report or a hang is a failure.
run_finewsd() {
	RUN_N=$((RUN_N + 1))
	RUN_OUT=$TMP/run.$RUN_N.out
	RUN_ERR=$TMP/run.$RUN_N.err
	RUN_RC=0
	# shellcheck disable=SC2086 # FINEWSD_WRAPPER is a command prefix.
	timeout -k 5 "$FINEWSD_TIMEOUT" ${FINEWSD_WRAPPER:-} "$FINEWSD" "$@" \
	    > "$RUN_OUT" 2> "$RUN_ERR" < /dev/null || RUN_RC=$?
	if [ "$RUN_RC" -eq 124 ] || [ "$RUN_RC" -eq 137 ]; then
		fail "finewsd $* did not finish within ${FINEWSD_TIMEOUT} s"
	fi
	if grep -q -e 'runtime error:' -e 'AddressSanitizer' -e 'LeakSanitizer' \
	    "$RUN_ERR"; then
		fail "finewsd $*: sanitizer report on stderr"
	fi
}

# shellcheck disable=SC2120 # the arguments are optional.
finewsd_once() { run_finewsd -c "$T_CONF" --once "$@"; }

# expect_rc N WHAT: the last run's exit status.
expect_rc() {
	say "$2: exit status $1"
	if [ "$RUN_RC" -ne "$1" ]; then
		if [ "$RUN_RC" -gt 128 ]; then
			fail "$2: finewsd was killed by signal $((RUN_RC - 128)), expected exit $1"
		fi
		fail "$2: exit status $RUN_RC, expected $1"
	fi
}

# ---------------------------------------------------------------- assertions

assert_eq() {
	say "$3"
	if [ "$1" != "$2" ]; then
		printf -- '--- expected\n%s\n--- actual\n%s\n' "$1" "$2" >&2
		diff -u <(printf '%s\n' "$1") <(printf '%s\n' "$2") >&2 || true
		fail "$3"
	fi
}

assert_exists() {
	say "exists: ${1#"$TMP"/}"
	[ -e "$1" ] || fail "missing: $1"
}

assert_missing() {
	say "does not exist: ${1#"$TMP"/}"
	[ ! -e "$1" ] || fail "should not exist: $1"
}

# assert_same GOLDEN ACTUAL: byte for byte.
assert_same() {
	say "byte-identical: ${2#"$TMP"/} = ${1#"$abs_top_srcdir"/}"
	[ -f "$2" ] || fail "missing: $2"
	if ! cmp "$1" "$2" >&2; then
		diff -u "$1" "$2" | head -n 60 >&2 || true
		printf -- '--- last bytes: expected / actual\n' >&2
		tail -c 48 "$1" | od -c >&2
		tail -c 48 "$2" | od -c >&2
		fail "$2 differs from $1"
	fi
}

# assert_content ACTUAL < EXPECTED-BYTES
assert_content() {
	local want=$TMP/expected.$RANDOM
	cat > "$want"
	say "exact content: ${1#"$TMP"/}"
	[ -f "$1" ] || fail "missing: $1"
	if ! cmp "$want" "$1" >&2; then
		diff -u "$want" "$1" >&2 || true
		od -c "$want" | tail -n 4 >&2
		od -c "$1" | tail -n 4 >&2
		fail "$1: wrong content"
	fi
	rm -f "$want"
}

# assert_grep WHAT FILE PATTERN (grep -E)
assert_grep() {
	say "$1"
	grep -q -E -e "$3" "$2" || fail "$1: no line matching /$3/ in $2"
}

sql() { sqlite3 -batch -noheader "$T_DB" "$1"; }

# assert_sql WHAT EXPECTED QUERY (rows as sqlite3 prints them, '|' between)
assert_sql() {
	local got
	got=$(sql "$3") || fail "$1: sqlite3 failed on: $3"
	assert_eq "$2" "$got" "$1"
}

# assert_atom FILE...: valid against RFC 4287's grammar and its rules.
assert_atom() {
	local f
	for f in "$@"; do
		say "valid Atom (RFC 4287 schema and rules): ${f#"$TMP"/}"
		[ -f "$f" ] || fail "missing feed: $f"
		xmllint --noout --relaxng "$FIXTURES/atom.rng" "$f" 2> "$TMP/xmllint.err" || {
			cat "$TMP/xmllint.err" >&2
			fail "$f is not valid Atom"
		}
		python3 "$ATOM_RULES_PY" "$f" >&2 || fail "$f breaks an RFC 4287 rule"
	done
}

# xp FILE XPATH: evaluates XPATH; 'a:name' stands for any element named
# 'name' in any namespace (the Atom namespace, in practice).
xp() {
	local expr
	# shellcheck disable=SC2001 # a regex substitution, not a simple one.
	expr=$(printf '%s' "$2" | sed "s/a:\([A-Za-z_][A-Za-z0-9_-]*\)/*[local-name()='\1']/g")
	xmllint --xpath "$expr" "$1" 2>/dev/null || true
}

# assert_xp WHAT EXPECTED FILE XPATH
assert_xp() {
	assert_eq "$2" "$(xp "$3" "$4")" "$1"
}

# Every file below DIR with its mtime (ns), for "nothing was rewritten".
snapshot_mtimes() {
	(cd "$1" && find . -type f -printf '%p %T@\n' | sort)
}

# The post files below the site, relative to it, sorted.
list_posts() {
	(cd "$T_SITE" && find _posts -type f -name '*.md' | sort)
}

# ---------------------------------------------------------------- the daemon, running
#
# For the tests of the daemon mode (10-13): finewsd started in the
# background, driven by signals, and waited for by polling its stderr, the
# mock's log or the site, each wait bounded.

DAEMON_PID=
DAEMON_ERR=
DAEMON_OUT=
DAEMON_RC=

# mock_market TYPE ID...: serves market TYPE's list (file marketTYPE.json)
# with one record per ID, and a text for each.  An ID is NWYYYYMMDD and ten
# digits: the record is dated YYYY-MM-DD 10:MM:00 (MM: the ID's last two
# digits mod 60), its media is MOCK_MEDIA (default 财联社, slug cailianshe),
# its title "新闻ID", its text "<p>ID的正文。</p>"; its post is
# _posts/YYYY-MM-DD-ID.md.
mock_market() {
	local type=$1
	shift
	python3 - "$T_MOCK" "market$type.json" "${MOCK_MEDIA:-财联社}" "$@" <<'PY'
import json, os, sys
root, name, media, ids = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
recs = []
for i in ids:
    d = i[2:10]
    recs.append({"infoCode": i, "title": "新闻" + i,
                 "datetime": "%s-%s-%s 10:%02d:00" % (d[:4], d[4:6], d[6:8], int(i[-2:]) % 60),
                 "medianame": media})
    with open(os.path.join(root, "text", i + ".json.new"), "w", encoding="utf-8") as f:
        json.dump({"text": "<p>%s的正文。</p>" % i}, f, ensure_ascii=False)
    os.replace(os.path.join(root, "text", i + ".json.new"),
               os.path.join(root, "text", i + ".json"))
with open(os.path.join(root, name + ".new"), "w", encoding="utf-8") as f:
    json.dump({"record": recs}, f, ensure_ascii=False)
os.replace(os.path.join(root, name + ".new"), os.path.join(root, name))
PY
	route_set "$(market_path "$type")" "{\"file\": \"market$type.json\"}"
}

# post_of ID: the post file mock_market's record ID becomes.
post_of() {
	printf '%s/_posts/%s-%s-%s-%s.md' "$T_SITE" "${1:2:4}" "${1:6:2}" "${1:8:2}" "$1"
}

# daemon_next_err: the stderr file the next daemon_start will use, created
# now, so that a test can know its device and inode (JOURNAL_STREAM).
daemon_next_err() {
	local f=$TMP/daemon.$((RUN_N + 1)).err
	: > "$f"
	printf '%s\n' "$f"
}

# daemon_start [VAR=VALUE...] [-- ARGS...]: runs `finewsd -c $T_CONF ARGS`
# in the background with VAR=VALUE added to its environment; sets
# DAEMON_PID, DAEMON_OUT and DAEMON_ERR (its stderr, shown by fail).  The
# EXIT trap kills it if the test does not stop it.
daemon_start() {
	local envs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		envs+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	RUN_N=$((RUN_N + 1))
	DAEMON_OUT=$TMP/daemon.$RUN_N.out
	DAEMON_ERR=$TMP/daemon.$RUN_N.err
	RUN_ERR=$DAEMON_ERR
	DAEMON_RC=
	# env execs the daemon: $! is the daemon itself (or its wrapper).  What
	# systemd may have set for the test runner is not the daemon's.
	# shellcheck disable=SC2086 # FINEWSD_WRAPPER is a command prefix.
	env -u NOTIFY_SOCKET -u WATCHDOG_USEC -u WATCHDOG_PID -u JOURNAL_STREAM \
	    "${envs[@]}" ${FINEWSD_WRAPPER:-} "$FINEWSD" -c "$T_CONF" "$@" \
	    > "$DAEMON_OUT" 2> "$DAEMON_ERR" < /dev/null &
	DAEMON_PID=$!
	BG_PIDS+=("$DAEMON_PID")
}

daemon_alive() { [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; }

# daemon_signal SIG: sends SIG (USR1, HUP, ...) to the running daemon.
daemon_signal() {
	daemon_alive || fail "SIG$1: finewsd is not running"
	kill -s "$1" "$DAEMON_PID"
}

# daemon_stop [SIG]: sends SIG (default TERM), waits at most 5 s for the
# daemon to exit, reaps it and sets DAEMON_RC.  Fails if it takes longer,
# or if its stderr has a sanitizer report.
daemon_stop() {
	local sig=${1:-TERM} t0 ms rc=0 p keep=()
	say "SIG$sig: finewsd exits within 5 s"
	t0=$(date +%s%N)
	kill -s "$sig" "$DAEMON_PID" 2>/dev/null || true
	for _ in $(seq 100); do
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		sleep 0.05
	done
	ms=$((($(date +%s%N) - t0) / 1000000))
	if kill -0 "$DAEMON_PID" 2>/dev/null; then
		kill -KILL "$DAEMON_PID" 2>/dev/null || true
		wait "$DAEMON_PID" 2>/dev/null || true
		fail "SIG$sig: finewsd still running after ${ms} ms (killed)"
	fi
	wait "$DAEMON_PID" 2>/dev/null || rc=$?
	for p in "${BG_PIDS[@]}"; do
		[ "$p" = "$DAEMON_PID" ] || keep+=("$p")
	done
	BG_PIDS=("${keep[@]}")
	DAEMON_PID=
	DAEMON_RC=$rc
	printf '    (exited %d after %d ms)\n' "$rc" "$ms"
	daemon_check_stderr
}

# daemon_expect_rc N: the exit status daemon_stop saw.
daemon_expect_rc() {
	say "finewsd's exit status is $1"
	[ "$DAEMON_RC" -eq "$1" ] || fail "finewsd exited $DAEMON_RC, expected $1"
}

daemon_check_stderr() {
	if grep -q -e 'runtime error:' -e 'AddressSanitizer' -e 'LeakSanitizer' \
	    "$DAEMON_ERR"; then
		fail "finewsd: sanitizer report on stderr"
	fi
}

# wait_for SECONDS WHAT COMMAND...: runs COMMAND every 0.1 s until it
# succeeds; fails after SECONDS, or as soon as a started daemon has died.
wait_for() {
	local secs=$1 what=$2 end
	shift 2
	say "$what (waiting up to $secs s)"
	end=$(($(date +%s%N) + secs * 1000000000))
	until "$@"; do
		if [ -n "$DAEMON_PID" ] && ! kill -0 "$DAEMON_PID" 2>/dev/null; then
			fail "$what: finewsd died while waiting"
		fi
		[ "$(date +%s%N)" -lt "$end" ] || fail "$what: not within $secs s"
		sleep 0.1
	done
}

# log_count ERE: how many lines of the daemon's stderr match ERE.
log_count() { grep -c -E -e "$1" "$DAEMON_ERR" || true; }

log_has_at_least() { [ "$(log_count "$2")" -ge "$1" ]; }

# wait_log N ERE WHAT [SECONDS]: until N lines of the daemon's stderr match.
wait_log() {
	wait_for "${4:-10}" "$3" log_has_at_least "$1" "$2"
}

# mock_count ERE: how many requests of the whole mock log match ERE.
mock_count() { grep -c -E -e "$1" "$MOCK_LOG" || true; }

mock_has_at_least() { [ "$(mock_count "$2")" -ge "$1" ]; }

# ere STRING: STRING with the characters special to grep -E escaped.
ere() { printf '%s' "$1" | sed 's/[][\.*^$?+(){}|/]/\\&/g'; }

# posts_exist ID...: every mock_market record ID has its post file.
posts_exist() {
	local id
	for id in "$@"; do
		[ -f "$(post_of "$id")" ] || return 1
	done
}

# The end of a poll of source NAME, as finewsd -v logs it, one line per
# poll: new posts, nothing new, not modified (304), or "poll failed: ...;
# next try in N s" (wait for failures alone with wait_failures).
poll_end_ere() {
	printf 'source %s: ([0-9]+ new posts?|nothing new|not modified$|poll failed: )' "$1"
}

# wait_polls N NAME WHAT [SECONDS]: until N polls of NAME have ended.
wait_polls() {
	wait_log "$1" "$(poll_end_ere "$2")" "$3" "${4:-10}"
}

# wait_failures N NAME WHAT [SECONDS]: until N polls of NAME have failed.
wait_failures() {
	wait_log "$1" "source $2: poll failed: " "$3" "${4:-10}"
}

# no_tmp_files: no temp file (".NAME.XXXXXX.tmp") anywhere below the site.
assert_no_tmp_files() {
	assert_eq "" "$(cd "$T_SITE" && find . -name '*.tmp' | sort)" \
	    "no temp file left below the site"
}

# status_run [RC [CONF]]: `finewsd -c CONF --status`, which must exit RC
# (default 0: every source fine; 1: some failing); its output is in
# RUN_OUT.  While a daemon runs, fail() goes on showing the daemon's
# stderr, not that of --status.
# shellcheck disable=SC2120 # the arguments are optional.
status_run() {
	local err want=${1:-0}
	run_finewsd -c "${2:-$T_CONF}" --status
	err=$RUN_ERR
	[ -z "$DAEMON_PID" ] || RUN_ERR=$DAEMON_ERR
	say "--status: exit status $want"
	[ "$RUN_RC" -eq "$want" ] || fail "--status exited $RUN_RC, expected $want: $(cat "$err")"
}
