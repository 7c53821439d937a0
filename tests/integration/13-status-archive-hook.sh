#!/usr/bin/env bash
# 13-status-archive-hook: `--status` while the daemon runs (and polls); the
# on_update command: run with its arguments after a poll that wrote posts,
# not after one that wrote nothing, its exit status logged, never two at
# once, replaced by SIGHUP, waited for by --once, and given none of
# finewsd's descriptors (sockets, database); archive_after_days: old posts
# move from _posts/ to archive_dir (old_post/ by default) with a permalink
# to the page they had, their rows follow, the feeds keep them,
# and a second run changes nothing.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

t_begin 13-status-archive-hook "--status, on_update, archive_after_days"

A1=NW202206010000000001
A2=NW202206010000000002
A3=NW202206010000000003
B1=NW202206020000000011
C1=NW202206030000000021
C2=NW202206030000000022
C3=NW202206030000000023
C4=NW202206030000000024
C5=NW202206030000000025

# The hook: one "start ARGS" and one "end ARGS" line in hook.out; exits with
# the status in hook.exit if there is one; waits while hook.hold exists (20 s
# at most); writes OVERLAP if another instance is running.  It also writes
# to hook.fds the sockets, event fds and database files it was given by
# finewsd (fds other than 0-2, and other than those this shell has, which
# finewsd inherited in turn): none should be.
HOOK=$TMP/hook.sh
HOOK_OUT=$TMP/hook.out
OUR_FDS=" $(find /proc/$$/fd -mindepth 1 -maxdepth 1 -printf '%f ') "
cat > "$HOOK" <<EOF
#!/bin/sh
mkdir "$TMP/hook.lock" 2>/dev/null || echo "OVERLAP \$*" >> "$HOOK_OUT"
leaked=
for fd in /proc/\$\$/fd/*; do
	n=\${fd##*/}
	[ "\$n" -gt 2 ] || continue
	case "$OUR_FDS" in *" \$n "*) continue ;; esac
	t=\$(readlink "\$fd") || continue
	case \$t in
	socket:*|anon_inode:*|*.db|*.db-wal|*.db-shm|*.db-journal) leaked="\$leaked \$n->\$t" ;;
	esac
done
echo "leaked:\$leaked" >> "$TMP/hook.fds"
echo "start \$# \$*" >> "$HOOK_OUT"
i=0
while [ -e "$TMP/hook.hold" ] && [ \$i -lt 200 ]; do
	sleep 0.1
	i=\$((i + 1))
done
echo "end \$# \$*" >> "$HOOK_OUT"
rmdir "$TMP/hook.lock"
[ -e "$TMP/hook.exit" ] && exit "\$(cat "$TMP/hook.exit")"
exit 0
EOF
chmod +x "$HOOK"
: > "$HOOK_OUT"
HOOK_ERE=$(ere "$HOOK")

hook_starts() { grep -c '^start ' "$HOOK_OUT" || true; }
hook_starts_at_least() { [ "$(hook_starts)" -ge "$1" ]; }

# polls_end N: both sources have ended N polls.
polls_end() {
	wait_polls "$1" s37 "s37's poll $1 ends"
	wait_polls "$1" s38 "s38's poll $1 ends"
}

mock_market 37 "$A1" "$A2" "$A3"
mock_market 38 "$B1"
mock_start
conf_begin interval=3600 "on_update=$HOOK alpha  beta"
conf_source_market s37 37
conf_source_market s38 38

echo "start: the first poll writes 4 posts, then runs on_update once"
daemon_start -- -v
wait_for 15 "A1 A2 A3 B1 are written" posts_exist "$A1" "$A2" "$A3" "$B1"
wait_log 1 "on_update $HOOK_ERE: exited 0" "the log says: on_update $HOOK: exited 0"
assert_content "$HOOK_OUT" <<'EOF'
start 2 alpha beta
end 2 alpha beta
EOF
polls_end 1

echo "--status while the daemon runs"
DT='[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}'
status_run
sed 's/^/    /' "$RUN_OUT"
assert_eq 5 "$(wc -l < "$RUN_OUT")" "a header, a line per source, a total, the feeds"
assert_grep "the header" "$RUN_OUT" '^SOURCE +LAST POLL +NEXT POLL +POSTS +RESULT$'
assert_grep "s37: polled, 3 posts, ok" "$RUN_OUT" \
    "^s37 +$DT +$DT +3 +ok\$"
assert_grep "s38: polled, 1 post, ok" "$RUN_OUT" \
    "^s38 +$DT +$DT +1 +ok\$"
assert_grep "the total: 2 sources, none failing, 4 posts" "$RUN_OUT" \
    '^total: 2 sources, 0 failing, 4 posts'
assert_sql "the database has the 4 posts" 4 "select count(*) from posts"

echo "--status of a source the daemon has never polled"
cp "$T_CONF" "$TMP/status.conf"
printf '[source fresh]\n' >> "$TMP/status.conf"
sed -n '/^\[source s38\]/,/^$/p' "$T_CONF" | tail -n +2 >> "$TMP/status.conf"
status_run 0 "$TMP/status.conf"
assert_grep "fresh: never polled, 0 posts" "$RUN_OUT" '^fresh +never +- +0 +never polled$'
assert_grep "the total: 3 sources, 4 posts" "$RUN_OUT" '^total: 3 sources, 0 failing, 4 posts'

echo "--status during a poll"
route_set "$(market_path 37)" '{"file": "market37.json", "delay": 1.5}'
polls=$(log_count "source s37: polling")
daemon_signal USR1
wait_log $((polls + 1)) "source s37: polling" "s37's slow poll has begun"
status_run
assert_grep "the total is still 4 posts" "$RUN_OUT" '^total: 2 sources, 0 failing, 4 posts'
polls_end 2
route_set "$(market_path 37)" '{"file": "market37.json"}'

echo "a poll that writes nothing runs no on_update"
daemon_signal USR1
polls_end 3
# The end of a later poll: the earlier round's on_update, if any, has
# been started by now.
daemon_signal USR1
polls_end 4
assert_eq 1 "$(log_count "on_update $HOOK_ERE: started")" "on_update was started once only"
assert_eq 1 "$(hook_starts)" "hook.out has no new line"

echo "a poll that writes a post runs it again"
mock_market 37 "$A1" "$A2" "$A3" "$C1"
daemon_signal USR1
wait_for 10 "C1 is written" posts_exist "$C1"
wait_log 2 "on_update $HOOK_ERE: exited 0" "on_update exited 0 a second time"
assert_eq 2 "$(hook_starts)" "hook.out has a second line"
polls_end 5

echo "a failing on_update: its exit status is logged"
echo 3 > "$TMP/hook.exit"
mock_market 37 "$A1" "$A2" "$A3" "$C1" "$C2"
daemon_signal USR1
wait_for 10 "C2 is written" posts_exist "$C2"
wait_log 1 "on_update $HOOK_ERE: exit status 3" "the log says: on_update $HOOK: exit status 3"
rm -f "$TMP/hook.exit"
polls_end 6
say "finewsd goes on after a failing on_update"
daemon_alive || fail "finewsd died after a failing on_update"

echo "never two on_update at once"
touch "$TMP/hook.hold"
mock_market 37 "$A1" "$A2" "$A3" "$C1" "$C2" "$C3"
daemon_signal USR1
wait_for 10 "C3 is written and on_update is held running" hook_starts_at_least 4
polls_end 7
mock_market 37 "$A1" "$A2" "$A3" "$C1" "$C2" "$C3" "$C4"
daemon_signal USR1
wait_for 10 "C4 is written while on_update still runs" posts_exist "$C4"
polls_end 8
daemon_signal USR1
polls_end 9
assert_eq 4 "$(log_count "on_update $HOOK_ERE: started")" \
    "no second on_update started while one runs"
rm -f "$TMP/hook.hold"
wait_log 5 "on_update $HOOK_ERE: (exited|exit status)" \
    "the held on_update ends, then the one asked for meanwhile runs" 30
assert_eq 5 "$(hook_starts)" "five runs of on_update in all"
assert_eq "" "$(grep OVERLAP "$HOOK_OUT" || true)" "no two runs overlapped"
say "the runs are sequential: start, end, start, end..."
awk '{ print $1 }' "$HOOK_OUT" | paste -sd ' ' |
    grep -qx 'start end start end start end start end start end' ||
    fail "hook.out: $(cat "$HOOK_OUT")"

echo "SIGHUP changes on_update"
HOOK2=$TMP/hook2.sh
printf '#!/bin/sh\necho "hook2 $*" >> "%s"\n' "$TMP/hook2.out" > "$HOOK2"
chmod +x "$HOOK2"
conf_begin interval=3600 "on_update=$HOOK2 gamma"
conf_source_market s37 37
conf_source_market s38 38
daemon_signal HUP
polls_end 10
mock_market 37 "$A1" "$A2" "$A3" "$C1" "$C2" "$C3" "$C4" "$C5"
daemon_signal USR1
wait_for 10 "C5 is written" posts_exist "$C5"
wait_log 1 "on_update $(ere "$HOOK2"): exited 0" "the new on_update ran"
assert_content "$TMP/hook2.out" <<'EOF'
hook2 gamma
EOF
assert_eq 5 "$(hook_starts)" "the old on_update did not run"

echo "on_update that cannot be run: logged, finewsd goes on"
conf_begin interval=3600 "on_update=$TMP/no-such-hook"
conf_source_market s37 37
conf_source_market s38 38
daemon_signal HUP
polls_end 12
mock_market 37 "$A1" "$A2" "$A3" "$C1" "$C2" "$C3" "$C4" "$C5" NW202206030000000026
daemon_signal USR1
wait_for 10 "the next post is written" posts_exist NW202206030000000026
wait_log 1 "on_update $(ere "$TMP/no-such-hook")" "the failure to run on_update is logged"
polls_end 13
daemon_stop TERM
daemon_expect_rc 0
assert_no_tmp_files

echo "archive_after_days = 30, with --once"
OLD=(NW202203010000000041 NW202203020000000042 NW202204150000000043)
RECENT=NW$(date -d '2 days ago' +%Y%m%d)0000000044
mock_market 39 "${OLD[@]}" "$RECENT"
# The same records without archiving, for comparison.
T_SITE=$TMP/plain/site T_DB=$TMP/plain/finewsd.db T_CONF=$TMP/plain/finewsd.conf
mkdir -p "$TMP/plain"
conf_begin
conf_source_market s39 39
finewsd_once
expect_rc 0 "--once without archiving"
PLAIN=$T_SITE
T_SITE=$TMP/arch/site T_DB=$TMP/arch/finewsd.db T_CONF=$TMP/arch/finewsd.conf
mkdir -p "$TMP/arch"
# on_update of a --once run is waited for: it has written once.out when
# finewsd returns (it takes a while first).
printf '#!/bin/sh\nsleep 0.5\necho "once $*" >> "%s"\n' "$TMP/once.out" > "$TMP/once.sh"
chmod +x "$TMP/once.sh"
conf_begin archive_after_days=30 "on_update=$TMP/once.sh x"
conf_source_market s39 39
finewsd_once
expect_rc 0 "--once with archive_after_days = 30"
assert_content "$TMP/once.out" <<'EOF'
once x
EOF
name() { printf '%s-%s-%s-%s.md' "${1:2:4}" "${1:6:2}" "${1:8:2}" "$1"; }
assert_eq "_posts/$(name "$RECENT")" "$(list_posts)" "_posts/ holds the recent post only"
# The default archive_dir is the site's own old_post/, a folder Jekyll
# renders; each moved file carries a permalink to the page it had, so that
# its URL and its feed entry's link stay alive.
assert_eq "$(for id in "${OLD[@]}"; do name "$id"; echo; done | sort)" \
    "$(cd "$T_SITE/old_post" && find . -type f | sed 's|^\./||' | sort)" \
    "old_post/ holds the three old posts"
for id in "${OLD[@]}"; do
	d=${id:2:4}/${id:6:2}/${id:8:2}
	sed "/^tags: /a permalink: /cailianshe/$d/$id.html" "$PLAIN/_posts/$(name "$id")" \
	    > "$TMP/want.md"
	assert_same "$TMP/want.md" "$T_SITE/old_post/$(name "$id")"
done
assert_sql "the rows' paths follow the files, their pages stay" \
    "$(for id in "${OLD[@]}"; do d=${id:2:4}/${id:6:2}/${id:8:2}
	echo "$id|old_post/$(name "$id")|/cailianshe/$d/$id.html"; done)
$RECENT|_posts/$(name "$RECENT")|" "select info_code, path, coalesce(url, '') from posts order by 1"
assert_grep "the move is logged" "$RUN_ERR" 'archive: 3 posts'
assert_atom "$T_SITE/feeds/all.xml" "$T_SITE/feeds/cailianshe.xml"
for f in all cailianshe; do
	assert_xp "$f.xml lists all four posts" 4 "$T_SITE/feeds/$f.xml" "count(/a:feed/a:entry)"
	for id in "${OLD[@]}"; do
		d=${id:2:4}-${id:6:2}-${id:8:2}
		assert_xp "$f.xml: $id with its permalink" 1 "$T_SITE/feeds/$f.xml" \
		    "count(/a:feed/a:entry[a:id='tag:$SITE_HOST,$d:$id' and a:link[@href='$SITE_URL/cailianshe/${d//-//}/$id.html']])"
	done
done

echo "a second --once changes nothing"
snap=$(snapshot_mtimes "$T_SITE")
rows=$(sql "select info_code, fetched_at, path from posts order by 1")
mock_log_mark
finewsd_once
expect_rc 0 "second --once"
assert_eq "$snap" "$(snapshot_mtimes "$T_SITE")" "the same files with the same mtimes"
assert_eq "$rows" "$(sql "select info_code, fetched_at, path from posts order by 1")" \
    "the same rows"
assert_eq "_posts/$(name "$RECENT")" "$(list_posts)" "nothing written back into _posts/"
assert_eq "" "$(mock_text_ids_since)" "no text was fetched"
assert_content "$TMP/once.out" <<'EOF'
once x
EOF

echo "the daemon archives after its polls; archive_dir is honoured"
T_SITE=$TMP/arch2/site T_DB=$TMP/arch2/finewsd.db T_CONF=$TMP/arch2/finewsd.conf
mkdir -p "$TMP/arch2"
mock_market 39 "${OLD[@]}" "$RECENT"
conf_begin interval=3600 archive_after_days=30 archive_dir=attic/old
conf_source_market s39 39
daemon_start -- -v
wait_polls 1 s39 "the first poll ends"
for id in "${OLD[@]}"; do
	wait_for 10 "$id is archived in attic/old/" test -f "$T_SITE/attic/old/$(name "$id")"
done
LATE=NW202205200000000045
mock_market 39 "${OLD[@]}" "$RECENT" "$LATE"
daemon_signal USR1
wait_for 10 "LATE (2022-05-20) is archived after the poll that wrote it" \
    test -f "$T_SITE/attic/old/$(name "$LATE")"
wait_polls 2 s39 "the poll ends"
daemon_stop TERM
daemon_expect_rc 0
assert_eq "_posts/$(name "$RECENT")" "$(list_posts)" "_posts/ still holds the recent post only"
assert_sql "LATE's row points into attic/old/" "attic/old/$(name "$LATE")" \
    "select path from posts where info_code = '$LATE'"
assert_sql "the old posts' rows point into attic/old/" 4 \
    "select count(*) from posts where path like 'attic/old/%'"
assert_missing "$T_SITE/old_post"
assert_xp "all.xml lists the five posts" 5 "$T_SITE/feeds/all.xml" "count(/a:feed/a:entry)"
assert_no_tmp_files

echo "on_update gets no descriptor of finewsd's"
say "the hook ran"
[ -s "$TMP/hook.fds" ] || fail "hook.fds is empty"
say "no socket, event fd or database file was open in on_update"
if grep -v -x 'leaked:' "$TMP/hook.fds" > "$TMP/hook.leaks"; then
	sort "$TMP/hook.leaks" | uniq -c >&2
	fail "on_update inherited finewsd's descriptors (not close-on-exec): $(head -n 1 "$TMP/hook.leaks")"
fi

mock_stop
