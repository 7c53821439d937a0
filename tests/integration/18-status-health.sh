#!/usr/bin/env bash
# 18-status-health: `--status` as monitoring reads it.  Before the first
# run (no database yet) every source is "never polled" and the exit status
# is 2; with a source failing it is 1, with all fine 0; a bad configuration
# is 2; every line fits 80 columns, a long error shortened in its middle on
# a line of its own; `--status --json` says the same, parsed by python3.
# A database that is empty or locked is 2; a failed feed write is 1.  The
# database's folder is created (0700) when missing.  The log lines of
# --once: "1 new post", no "next try in", and one info line per poll that
# says "nothing new" when nothing was.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

t_begin 18-status-health "--status, --json, exit statuses, log wording"

G1=NW202206010000000001
G2=NW202206010000000002
B1=NW202206050000000031
LONG=a-source-whose-name-is-much-longer-than-its-column

# json_get FILE EXPR: EXPR (Python, over the parsed object J) printed.
json_get() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1], encoding="utf-8"))
print(eval(sys.argv[2], {"j": j}))
EOF
}

assert_80_columns() {
	say "every line of $1 fits 80 columns"
	python3 - "$2" <<'EOF' || fail "$1: a line wider than 80 columns"
import sys, unicodedata
bad = 0
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.rstrip("\n")
    w = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)
    if w > 80:
        print("%d columns: %s" % (w, line), file=sys.stderr)
        bad = 1
sys.exit(bad)
EOF
}

mock_market 37 "$G1"
mock_market 38 "$B1"
route_set "$(market_path 38)" '{"status": 500}'
mock_start
T_DB=$TMP/state/db/finewsd.db
conf_begin interval=3600
conf_source_market good 37
conf_source_market "$LONG" 38

echo "before the first run: no database, every source never polled, exit 2"
run_finewsd -c "$T_CONF" --status
expect_rc 2 "--status without a database"
cat "$RUN_OUT" | sed 's/^/    /'
assert_grep "good: never polled" "$RUN_OUT" '^good +never +- +0 +never polled$'
assert_grep "the long name is shortened to its column" "$RUN_OUT" \
    '^a-source-whos\.\.\. never +- +0 +never polled$'
assert_grep "stderr says there is no database yet" "$RUN_ERR" \
    "no database at $(ere "$T_DB"): finewsd has not run yet"
assert_80_columns "--status" "$RUN_OUT"
run_finewsd -c "$T_CONF" --status --json
expect_rc 2 "--status --json without a database"
assert_eq "2 no database False,False" \
    "$(json_get "$RUN_OUT" '"%d %s %s" % (j["status"], j["health"], ",".join(str(s["polled"]) for s in j["sources"]))')" \
    "JSON: status 2, no database, no source polled"
assert_missing "$TMP/state"

echo "a bad configuration: exit 2, and JSON for scripts"
printf '[finewsd]\ncolour = blue\n' > "$TMP/bad.conf"
run_finewsd -c "$TMP/bad.conf" --status
expect_rc 2 "--status with a bad configuration"
run_finewsd -c "$TMP/bad.conf" --status --json
expect_rc 2 "--status --json with a bad configuration"
assert_eq "2 bad configuration True" \
    "$(json_get "$RUN_OUT" '"%d %s %s" % (j["status"], j["health"], "colour" in j["problem"])')" \
    "JSON: status 2, the problem names the key"
run_finewsd -c "$T_CONF" --once --json
expect_rc 2 "--json without --status is a usage error"

echo "--once with one source failing: the database folder is made, mode 0700"
finewsd_once
expect_rc 1 "--once with a failing source"
assert_eq 700 "$(stat -c %a "$TMP/state/db")" "the database's folder has mode 0700"
assert_eq 755 "$(stat -c %a "$TMP/state")" "its parent has mode 0755"
assert_grep "one post, in the singular" "$RUN_ERR" '^source good: 1 new post$'
assert_grep "the failure is logged" "$RUN_ERR" "^source $LONG: poll failed: .*HTTP status 500$"
say "--once promises no next try"
if grep -q 'next try' "$RUN_ERR"; then
	fail "--once logged a next try: $(grep 'next try' "$RUN_ERR")"
fi
assert_grep "one line for the whole poll" "$RUN_ERR" \
    '^poll of 2 sources: 1 new post, 1 failed$'

run_finewsd -c "$T_CONF" --status
expect_rc 1 "--status with a failing source"
sed 's/^/    /' "$RUN_OUT"
assert_80_columns "--status" "$RUN_OUT"
DT='[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}'
assert_grep "good: polled, 1 post, ok; no next poll after --once" "$RUN_OUT" \
    "^good +$DT +- +1 +ok\$"
assert_grep "the failing source: 1 failure" "$RUN_OUT" \
    "^a-source-whos\\.\\.\\. $DT +- +0 +1 failure\$"
assert_grep "its error below, shortened in the middle, ending with the status" \
    "$RUN_OUT" '^ {17}list http://127\.0\.0\.1:[0-9]+/.*\.\.\..*: HTTP status 500$'
assert_grep "the total" "$RUN_OUT" '^total: 2 sources, 1 failing, 1 post \(1 from these sources\)$'
assert_grep "the feeds were written" "$RUN_OUT" "^feeds: last written $DT\$"
run_finewsd -c "$T_CONF" --status --json
expect_rc 1 "--status --json with a failing source"
assert_eq "1 failing 1 [False, True] [1, 0] True" \
    "$(json_get "$RUN_OUT" '"%d %s %d %s %s %s" % (j["status"], j["health"], j["totals"]["failing"], [s["failing"] for s in j["sources"]], [s["posts"] for s in j["sources"]], j["feeds"]["ok"])')" \
    "JSON: status 1, which source fails, the posts, the feeds"
assert_eq "True True" \
    "$(json_get "$RUN_OUT" '"%s %s" % (j["sources"][0]["last_success"] == j["sources"][0]["last_poll"], j["sources"][1]["last_success"] is None)')" \
    "JSON: last_success is the last poll for good, never for the failing one"
assert_eq "HTTP status 500" "$(json_get "$RUN_OUT" 'j["sources"][1]["result"][-15:]')" \
    "JSON: the whole error"

echo "the source works again: exit 0; a poll with nothing new says so once"
mock_market 38 "$B1"
finewsd_once
expect_rc 0 "--once, all fine"
assert_grep "the long source: 1 new post" "$RUN_ERR" "^source $LONG: 1 new post\$"
finewsd_once
expect_rc 0 "--once, nothing new"
assert_eq "poll of 2 sources: nothing new" "$(cat "$RUN_ERR")" \
    "without -v, one line: nothing new"
run_finewsd -c "$T_CONF" --status
expect_rc 0 "--status, every source fine"
assert_grep "the total" "$RUN_OUT" '^total: 2 sources, 0 failing, 2 posts'
run_finewsd -c "$T_CONF" --status --json
expect_rc 0 "--status --json, every source fine"
assert_eq "0 ok" "$(json_get "$RUN_OUT" '"%d %s" % (j["status"], j["health"])')" "JSON: 0, ok"

echo "a failed feed write makes --status say 1"
# A folder where all.xml should be: the rename over it fails.
rm "$T_SITE/feeds/all.xml"
mkdir "$T_SITE/feeds/all.xml"
mock_market 37 "$G1" "$G2"
finewsd_once
assert_grep "the failed write is logged" "$RUN_ERR" 'feeds not written'
run_finewsd -c "$T_CONF" --status
expect_rc 1 "--status after a failed feed write"
assert_grep "the feeds line says so" "$RUN_OUT" '^feeds: the last write FAILED'
rmdir "$T_SITE/feeds/all.xml"
# The feeds are out of date since the failure: the next run rewrites them.
finewsd_once
expect_rc 0 "--once after the feeds folder is back"
run_finewsd -c "$T_CONF" --status
expect_rc 0 "--status once the feeds are written again"

echo "a database that is empty, or locked, is 2"
cp "$T_CONF" "$TMP/empty.conf"
: > "$TMP/empty.db"
sed -i "s|^database = .*|database = $TMP/empty.db|" "$TMP/empty.conf"
run_finewsd -c "$TMP/empty.conf" --status
expect_rc 2 "--status on an empty database file"
assert_grep "stderr says why" "$RUN_ERR" 'not a finewsd database or empty'
# An exclusive lock held by another process (python3, stopped by its PID)
# blocks readers: --status waits its busy timeout, then says 2.
python3 - "$T_DB" "$TMP/locked" <<'EOF' &
import sqlite3, sys, time, os
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA locking_mode = EXCLUSIVE")
db.execute("BEGIN EXCLUSIVE")
db.execute("UPDATE flags SET value = value")
open(sys.argv[2], "w").close()
time.sleep(60)
EOF
LOCKER=$!
BG_PIDS+=("$LOCKER")
wait_for 10 "the database is locked" test -e "$TMP/locked"
run_finewsd -c "$T_CONF" --status
expect_rc 2 "--status on a locked database"
assert_grep "stderr says it is locked" "$RUN_ERR" 'locked'
stop_pid "$LOCKER"
run_finewsd -c "$T_CONF" --status
expect_rc 0 "--status once the lock is gone"

mock_stop
