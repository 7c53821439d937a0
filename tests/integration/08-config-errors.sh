#!/usr/bin/env bash
# 08-config-errors: configuration errors exit 2 with FILE:LINE and the key;
# a good configuration passes --check; --version, --help, a bad option.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

t_begin 08-config-errors "--check, FILE:LINE: key messages, options"

# No mock is needed: --check does not poll.  Any URL will do.
MOCK_URL=http://127.0.0.1:9

GOOD=$TMP/good.conf
T_CONF=$GOOD
conf_begin interval=300 timeout=30 feed_entries=50 "user_agent=finewsd-test/1"
conf_categories "青岛财经日报=qingdaocaijingribao"
conf_source_market market37 37
conf_source_fast fast
conf_source_rolling rolling

run_finewsd -c "$GOOD" --check
expect_rc 0 "--check on a good configuration"

# bad NAME KEY SED-SCRIPT: a copy of the good file edited by SED-SCRIPT must
# fail --check (and --once) with exit 2 and "FILE:LINE:" and KEY on one
# stderr line, LINE being the number of the line holding MARKER (a fixed
# string), or any number if MARKER is empty.
bad() {
	local name=$1 key=$2 marker=$3 script=$4 f line
	f=$TMP/$name.conf
	sed -e "$script" "$GOOD" > "$f"
	cmp -s "$GOOD" "$f" && fail "test bug: '$script' changed nothing"
	run_finewsd -c "$f" --check
	expect_rc 2 "$name: --check"
	if [ -n "$marker" ]; then
		line=$(grep -n -F -e "$marker" "$f" | head -n 1 | cut -d: -f1)
		[ -n "$line" ] || fail "test bug: '$marker' not in $f"
		say "$name: a stderr line names $f:$line: and $key"
		grep -F -e "$f:$line:" "$RUN_ERR" | grep -F -e "$key" > /dev/null ||
		    fail "$name: no stderr line with '$f:$line:' and '$key'"
	else
		say "$name: a stderr line names $f:LINE: and $key"
		grep -E -e "$f:[0-9]+:" "$RUN_ERR" | grep -F -e "$key" > /dev/null ||
		    fail "$name: no stderr line with '$f:LINE:' and '$key'"
	fi
	run_finewsd -c "$f" --once
	expect_rc 2 "$name: --once"
	assert_missing "$T_DB"
}

bad unknown-key colour "colour = blue" \
    '/^site_url/a colour = blue'
bad unknown-source-key list_ulr "list_ulr =" \
    "/^\\[source fast\\]/a list_ulr = http://127.0.0.1:9/x"
bad bad-number-letters interval "interval = 5m" \
    's/^interval = 300$/interval = 5m/'
bad bad-number-negative feed_entries "feed_entries = -1" \
    's/^feed_entries = 50$/feed_entries = -1/'
bad bad-number-overflow max_transfers "max_transfers = 99999999999999999999999" \
    's/^max_transfers = 8$/max_transfers = 99999999999999999999999/'
bad bad-timezone timezone "timezone = CEST" \
    's/^timezone = +0800$/timezone = CEST/'
bad bad-url list_url "list_url = not a url" \
    '0,/^list_url = .*/s//list_url = not a url/'
bad missing-list-url list_url "" \
    '0,/^list_url = .*/{//d}'
bad bad-format format "format = yaml" \
    "/^\\[source market37\\]/a format = yaml"
# Paths: a site_dir that is a file, a database that is a folder.
printf 'not a folder\n' > "$TMP/afile"
bad site-dir-is-file site_dir "site_dir = $TMP/afile" \
    "s#^site_dir = .*#site_dir = $TMP/afile#"
bad site-dir-under-file site_dir "site_dir = $TMP/afile/site" \
    "s#^site_dir = .*#site_dir = $TMP/afile/site#"
mkdir -p "$TMP/adir"
bad database-is-folder database "database = $TMP/adir" \
    "s#^database = .*#database = $TMP/adir#"

say "a file that does not exist"
run_finewsd -c "$TMP/nonexistent.conf" --check
expect_rc 2 "--check on a missing file"
assert_grep "stderr names the missing file" "$RUN_ERR" "$TMP/nonexistent.conf"

run_finewsd --version
expect_rc 0 "--version"
assert_grep "--version prints something" "$RUN_OUT" "[0-9]"
run_finewsd --help
expect_rc 0 "--help"
say "--help mentions --once"
grep -F -e --once "$RUN_OUT" "$RUN_ERR" > /dev/null || fail "--help does not mention --once"
run_finewsd --no-such-option
expect_rc 2 "an unknown option"
run_finewsd -c
expect_rc 2 "-c without its FILE"
