#!/usr/bin/env bash
# 28-site-lock: one process per site_dir.  A daemon runs on database A and
# the site; a --once or an --import on database B and the same site_dir,
# whose source gives a record with another infoCode but the same file name,
# is refused with a message naming the site, and the daemon's post file
# stays as it was.  A reload that moves the daemon's site_dir takes the new
# folder at the signal and lets the old one go once no poll writes there
# any more; a SIGHUP refused meanwhile says the pending reload stays, and
# one to the same folder spelled another way keeps the lock it has.  A new
# database on a site that has posts
# is refused, and leaves no database behind, until --import takes the
# site over.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

t_begin 28-site-lock "a second finewsd on the same site_dir is refused"

mock_list "$(market_path 37)" m37.json <<EOF2
{"record": [{"infoCode": "NW202406010000000001", "fid": "SAME", "title": "甲",
  "datetime": "2024-06-01 10:00:00", "medianame": "财联社"}]}
EOF2
mock_list "$(market_path 38)" m38.json <<EOF2
{"record": [{"infoCode": "NW202406010000000002", "fid": "SAME", "title": "乙",
  "datetime": "2024-06-01 10:00:00", "medianame": "财联社"}]}
EOF2
mock_text NW202406010000000001 '<p>甲的正文。</p>'
mock_text NW202406010000000002 '<p>乙的正文。</p>'
mock_start

conf_begin
conf_source_market a 37 "$MOCK_URL" file_id_field=fid
cp "$T_CONF" "$TMP/a.conf"
daemon_start -- -v
wait_polls 1 a "the daemon on database A polls"
POST=$T_SITE/_posts/2024-06-01-SAME.md
assert_grep "the daemon wrote its post" "$POST" '^title: "甲"$'

conf_begin
sed -i "s#^database = .*#database = $TMP/other.db#" "$T_CONF"
conf_source_market b 38 "$MOCK_URL" file_id_field=fid
mv "$T_CONF" "$TMP/b.conf"
cp "$TMP/a.conf" "$T_CONF"
run_finewsd -c "$TMP/b.conf" --once
expect_rc 1 "--once on another database and the same site_dir"
assert_grep "the error names the site" "$RUN_ERR" \
    "^site $(ere "$T_SITE") is in use by another finewsd; one process per site_dir$"
run_finewsd -c "$TMP/b.conf" --import "$T_SITE"
expect_rc 1 "--import on another database and the same site_dir"
assert_grep "--import is refused too" "$RUN_ERR" \
    "^site $(ere "$T_SITE") is in use by another finewsd"
assert_grep "the daemon's post is untouched" "$POST" '^title: "甲"$'

echo "a reload that moves site_dir moves the lock"
sed -i "s#^site_dir = .*#site_dir = $TMP/site2#" "$T_CONF"
daemon_signal HUP
wait_log 1 'configuration .* loaded' "the reload is taken"
sed "s#^site_dir = .*#site_dir = $TMP/site2#" "$TMP/b.conf" > "$TMP/b2.conf"
run_finewsd -c "$TMP/b2.conf" --once
expect_rc 1 "--once on the daemon's new site_dir"
assert_grep "the error names the new site" "$RUN_ERR" \
    "^site $(ere "$TMP/site2") is in use by another finewsd"
run_finewsd -c "$TMP/b.conf" --import "$T_SITE"
expect_rc 0 "--import on the site the daemon left"

echo "a reload during a poll lets the old site go only when the poll has ended"
# locked DIR: another process holds DIR's lock (flock(1) takes it if not).
locked() { ! flock -n "$1" true; }
route_set "$(market_path 37)" '{"file": "m37.json", "delay": 2}'
polls=$(log_count "source a: polling")
loads=$(log_count 'configuration .* loaded')
daemon_signal USR1
wait_log $((polls + 1)) "source a: polling" "a slow poll of the daemon has begun"
sed -i "s#^site_dir = .*#site_dir = $TMP/site3#" "$T_CONF"
hups=$(log_count "SIGHUP: reading ")
daemon_signal HUP
wait_log $((hups + 1)) "SIGHUP: reading " "the SIGHUP is read"
locked "$TMP/site3" || fail "the new site_dir is not locked at the signal"
sed "s#^site_dir = .*#site_dir = $TMP/site2#" "$TMP/b.conf" > "$TMP/b2.conf"
run_finewsd -c "$TMP/b2.conf" --once
expect_rc 1 "--once on the old site_dir while the daemon's poll still writes there"
assert_grep "the error names the old site" "$RUN_ERR" \
    "^site $(ere "$TMP/site2") is in use by another finewsd"
[ "$(log_count 'configuration .* loaded')" -eq "$loads" ] ||
	fail "the reload took effect during the poll"
# The same reload again while the first waits: it keeps the lock it has
# (checked below, once the third SIGHUP's refusal is logged after it).
refusals=$(log_count "^reload: ")
daemon_signal HUP
wait_log $((hups + 2)) "SIGHUP: reading " "the second SIGHUP is read"
# A third, to a site another process holds, is refused, and says that the
# pending reload stays (not that the old configuration does).
mkdir "$TMP/site4"
python3 -c 'import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.flock(fd, fcntl.LOCK_EX)
open(sys.argv[2], "w").close()
time.sleep(60)' "$TMP/site4" "$TMP/site4.held" &
holder=$!
BG_PIDS+=("$holder")
wait_for 5 "another process holds site4" test -e "$TMP/site4.held"
sed -i "s#^site_dir = .*#site_dir = $TMP/site4#" "$T_CONF"
daemon_signal HUP
wait_log $((hups + 3)) "SIGHUP: reading " "the third SIGHUP is read"
wait_log 1 "^reload: the configuration read at the SIGHUP before stays, to take effect once no poll is under way$" \
    "the refused SIGHUP says the pending reload stays"
assert_eq $((refusals + 1)) "$(log_count "^reload: ")" \
    "the second SIGHUP was not refused, the third was"
stop_pid "$holder"
sed -i "s#^site_dir = .*#site_dir = $TMP/site3#" "$T_CONF"
wait_log $((loads + 1)) 'configuration .* loaded' "the reload is taken after the poll" 15
locked "$TMP/site3" || fail "the new site_dir is not locked any more"
locked "$TMP/site2" && fail "the old site_dir is still locked after the reload"
route_set "$(market_path 37)" '{"file": "m37.json"}'

echo "a reload to the same site spelled another way keeps it"
loads=$(log_count 'configuration .* loaded')
sed -i "s#^site_dir = .*#site_dir = $TMP/site3/#" "$T_CONF"
daemon_signal HUP
wait_log $((loads + 1)) 'configuration .* loaded' "the reload to $TMP/site3/ is taken"
locked "$TMP/site3" || fail "site3 is not locked any more"
daemon_alive || fail "the daemon died"
daemon_stop TERM
daemon_expect_rc 0

echo "a new database on a site with posts is refused until --import"
sed "s#^database = .*#database = $TMP/new.db#" "$TMP/a.conf" > "$TMP/n.conf"
# refused WHAT POST: the last run was refused for a database without
# posts beside the site, which has POST.
refused() {
	expect_rc 1 "$1"
	assert_grep "the error names the site, a post and --import" "$RUN_ERR" \
	    "^site $(ere "$T_SITE") has posts \\($(ere "$2")\\) and database $(ere "$TMP/new.db") has none: take the site over with \"finewsd -c $(ere "$TMP/n.conf") --import $(ere "$T_SITE")\" first"
}
run_finewsd -c "$TMP/n.conf" --once
refused "--once with a new database on a site that has posts" "$POST"
[ ! -e "$TMP/new.db" ] && [ ! -e "$TMP/new.db-wal" ] ||
	fail "the refused start left a database behind"
say "the refused start left no database behind (its empty lock file stays)"
assert_grep "the daemon's post is untouched" "$POST" '^title: "甲"$'

echo "an --import of the wrong folder imports nothing: still refused"
mkdir -p "$TMP/typo"
run_finewsd -c "$TMP/n.conf" --import "$TMP/typo"
expect_rc 0 "--import of an empty folder"
run_finewsd -c "$TMP/n.conf" --once
refused "--once after importing nothing" "$POST"
[ -e "$TMP/new.db" ] || fail "the refused start removed a database it did not create"
say "the database the import made is kept"

echo "a database that passed the check with an empty site is checked again with another"
# Its source fails (a list that is not there): the run stores no post.
sed -e "s#^site_dir = .*#site_dir = $TMP/empty#" -e 's#marketType=37#marketType=99#' \
    "$TMP/n.conf" > "$TMP/e.conf"
run_finewsd -c "$TMP/e.conf" --once
expect_rc 1 "--once with the empty site, its source failing"
assert_eq 0 "$(sqlite3 -batch "$TMP/new.db" 'select count(*) from posts')" \
    "the run with the empty site stored no post"
run_finewsd -c "$TMP/n.conf" --once
refused "--once with the same database on the site that has posts" "$POST"

echo "an --import that was killed: refused until one finishes"
RUN_RC=0
# In a subshell of its own, so that bash reports no "Killed" job.
(FINEWSD_FAULT=import-post:kill:1 exec timeout -k 5 "$FINEWSD_TIMEOUT" "$FINEWSD" \
    -c "$TMP/n.conf" --import "$T_SITE" \
    > "$TMP/killed.out" 2>&1 < /dev/null) 2>/dev/null || RUN_RC=$?
expect_rc 137 "--import killed at its first post"
run_finewsd -c "$TMP/n.conf" --once
expect_rc 1 "--once after the killed import"
assert_grep "the error says the import did not finish" "$RUN_ERR" \
    "^database $(ere "$TMP/new.db"): the last --import into it did not finish: run it again \\(\"finewsd -c $(ere "$TMP/n.conf") --import $(ere "$T_SITE")\"\\)$"
run_finewsd -c "$TMP/n.conf" --import "$T_SITE"
expect_rc 0 "--import with the new database"
run_finewsd -c "$TMP/n.conf" --once
expect_rc 0 "--once after the import"
assert_grep "the post is still the daemon's" "$POST" '^title: "甲"$'

echo "posts below a subfolder of _posts count, as Jekyll and --import read them"
rm "$TMP/new.db"*
mkdir -p "$TMP/sub/_posts/2019"
printf -- '---\ntitle: "旧"\n---\n' > "$TMP/sub/_posts/2019/2019-01-01-old.md"
sed -i "s#^site_dir = .*#site_dir = $TMP/sub#" "$TMP/n.conf"
T_SITE=$TMP/sub
run_finewsd -c "$TMP/n.conf" --once
refused "--once with a new database, a post two folders down" \
    "$TMP/sub/_posts/2019/2019-01-01-old.md"

mkdir -p "$TMP/fresh"
sed "s#^site_dir = .*#site_dir = $TMP/fresh#; s#^database = .*#database = $TMP/new.db#" \
    "$TMP/a.conf" > "$TMP/f.conf"
run_finewsd -c "$TMP/f.conf" --once
expect_rc 0 "a new database on an empty site_dir"

echo "a site whose only post is not finewsd's: --import of the site takes it over"
rm "$TMP/new.db"*
T_SITE=$TMP/sub
run_finewsd -c "$TMP/n.conf" --import "$T_SITE"
expect_rc 0 "--import of a site whose one post is hand-written"
run_finewsd -c "$TMP/n.conf" --once
expect_rc 0 "--once after the import of the whole site"

echo "a reload to a site with posts is checked too"
rm "$TMP/new.db"*
mkdir -p "$TMP/empty2"
sed -e "s#^site_dir = .*#site_dir = $TMP/empty2#" -e 's#marketType=37#marketType=99#' \
    "$TMP/n.conf" > "$T_CONF"
daemon_start -- -v
wait_log 1 "source [a-z0-9]*: poll failed" "the daemon's first poll fails: no post"
sed -i "s#^site_dir = .*#site_dir = $TMP/sub#" "$T_CONF"
daemon_signal HUP
wait_log 1 "^reload: keeping the old configuration$" "the reload is refused"
assert_grep "the refusal names the site with posts and --import" "$DAEMON_ERR" \
    "^site $(ere "$TMP/sub") has posts .* take the site over with"
flock -n "$TMP/sub" true || fail "the refused reload kept the lock of the site with posts"
daemon_stop TERM
daemon_expect_rc 0
