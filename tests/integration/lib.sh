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
	    --log "$MOCK_LOG" &
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
