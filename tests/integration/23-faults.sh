#!/usr/bin/env bash
# 23-faults: finewsd killed at each named step of writing (FINEWSD_FAULT,
# see fault.h), then run again: the site and the database are exactly what
# an uninterrupted run makes.  The steps: after a post file's rename, before
# and after the rows' commit, in a category page's write, in the feeds'
# rewrite, and in the archive's move (its copies written; the old files
# removed, the rows not yet updated).  Where a step is hit more than once,
# the kill comes at its first and at a later hit.  The random kills of
# 06-crash complete this.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

t_begin 23-faults "kill at every named step of writing, then recover"

# Five old posts (archived: archive_after_days = 30) and five recent ones,
# of two media, over two sources.
TODAY=$(date +%Y%m%d)
OLD=(NW202203010000000001 NW202203020000000002 NW202203030000000003
    NW202203040000000004 NW202203050000000005)
NEW=(NW${TODAY}0000000006 NW${TODAY}0000000007 NW${TODAY}0000000008
    NW${TODAY}0000000009 NW${TODAY}0000000010)
MOCK_MEDIA=财联社 mock_market 37 "${OLD[@]:0:3}" "${NEW[@]:0:3}"
MOCK_MEDIA=券商中国 mock_market 38 "${OLD[@]:3}" "${NEW[@]:3}"
mock_start

# setup DIR: a configuration whose site and database are in DIR.
setup() {
	T_SITE=$1/site T_DB=$1/finewsd.db T_CONF=$1/finewsd.conf
	mkdir -p "$1"
	conf_begin archive_after_days=30
	conf_source_market s37 37
	conf_source_market s38 38
}

# state DIR: the site's files with their contents, and the rows.
state() {
	(cd "$1/site" && find . -type f ! -name '*.tmp' -print0 | sort -z |
	    xargs -0 sha1sum)
	sqlite3 -batch "$1/finewsd.db" "select info_code, category, tag, title,
	    published, link, body, path, coalesce(url, '') from posts order by 1"
}

setup "$TMP/clean"
finewsd_once
expect_rc 0 "an uninterrupted run"
want=$(state "$TMP/clean")
assert_eq 5 "$(find "$TMP/clean/site/old_post" -name '*.md' | wc -l | tr -d ' ')" \
    "the clean run archived the five old posts"

# kill_at NAME:HIT OUT: finewsd --once killed at that hit of that step;
# its output in OUT.out and OUT.err.
kill_at() {
	local point=$1
	RUN_RC=0
	# shellcheck disable=SC2086 # FINEWSD_WRAPPER is a command prefix.
	# In a subshell of its own, so that bash reports no "Killed" job.
	(FINEWSD_FAULT="${point%%:*}:kill:${point#*:}" exec timeout -k 5 \
	    "$FINEWSD_TIMEOUT" ${FINEWSD_WRAPPER:-} "$FINEWSD" -c "$T_CONF" --once \
	    > "$2.out" 2> "$2.err" < /dev/null) 2>/dev/null || RUN_RC=$?
	say "finewsd was killed at $point (exit status $RUN_RC)"
	[ "$RUN_RC" -eq 137 ] || { cat "$2.err" >&2; fail "not killed at $point"; }
}

# recovers NAME:HIT DIR: the run after that kill leaves DIR as the clean
# run left its own ($want).
recovers() {
	finewsd_once
	expect_rc 0 "the run after the kill at $1"
	assert_eq "$want" "$(state "$2")" \
	    "after the kill at $1: the same files and rows as the clean run"
	assert_no_tmp_files
}

n=0
for point in rename:1 rename:7 row-commit-before:1 row-commit-after:1 page:1 \
    page:2 feeds:1 archive-copy:1 archive-unlink:1; do
	n=$((n + 1))
	echo "killed at $point"
	setup "$TMP/f$n"
	kill_at "$point" "$TMP/f$n"
	recovers "$point" "$TMP/f$n"
done

# The rows of several batches share a transaction (BATCH_COMMIT_ROWS,
# 1,024): 1,300 more posts of one source, killed before and after the
# first commit, and at a post file written while the rows of the batches
# before it wait for theirs (the small sources' polls, waiting for their
# rows, have the first batch committed alone).
BIG=()
for i in $(seq 1 1300); do BIG+=("$(printf 'NW%s%010d' "$TODAY" "$((100 + i))")"); done
MOCK_MEDIA=财联社 mock_market 39 "${BIG[@]}"
big() {
	setup "$1"
	conf_source_market s39 39
}
big "$TMP/bigclean"
finewsd_once
expect_rc 0 "an uninterrupted run of 1,310 posts"
want=$(state "$TMP/bigclean")
assert_eq 1310 "$(sqlite3 "$TMP/bigclean/finewsd.db" 'select count(*) from posts')" \
    "the clean run has every row"
for point in row-commit-before:1 row-commit-after:1 rename:1100; do
	n=$((n + 1))
	echo "killed at $point, 1,310 posts"
	big "$TMP/f$n"
	kill_at "$point" "$TMP/f$n"
	before=$(sqlite3 "$TMP/f$n/finewsd.db" 'select count(*) from posts')
	say "rows committed before the kill: $before"
	recovers "$point" "$TMP/f$n"
done
mock_stop
