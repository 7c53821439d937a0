#!/usr/bin/env bash
# 18-isolation: no single record, source, hook or lock hurts the rest.
# Each section is an attack that once spread from one thing to everything
# else (issue 9): a hook that hangs, fails or outlives the daemon; a second
# finewsd on the same database; records that Jekyll or the feeds could not
# take (a 120-character media name, two records naming one file, a media
# named "all", YAML-typed slugs, file ids Jekyll rewrites, dates far in the
# future, a category with no media).  Each must cost the culprit alone.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

t_begin 18-isolation "failure isolation: hooks, locks, odd records"

# ---------------------------------------------------------------- hooks

echo "on_update that hangs is stopped after on_update_timeout; --once exits 1"
mock_market 37 NW202401150000000001
mock_start
conf_begin "on_update=/bin/sleep 1000" on_update_timeout=1
conf_source_market s37 37
t0=$(date +%s)
finewsd_once
expect_rc 1 "--once whose hook hung"
t=$(($(date +%s) - t0))
say "it returned within 10 s (took $t s)"
[ "$t" -le 10 ] || fail "--once took $t s with on_update_timeout = 1"
assert_grep "the timeout is logged" "$RUN_ERR" 'on_update /bin/sleep: still running after 1 s'
assert_exists "$(post_of NW202401150000000001)"

echo "on_update that fails makes --once exit 1, the posts written"
rm -rf "$T_SITE" "$T_DB"*
conf_begin "on_update=/bin/false"
conf_source_market s37 37
finewsd_once
expect_rc 1 "--once whose hook failed"
assert_grep "the failure is logged" "$RUN_ERR" 'on_update /bin/false: exit status 1'
assert_exists "$(post_of NW202401150000000001)"

echo "SIGTERM stops a running hook with the daemon"
rm -rf "$T_SITE" "$T_DB"*
printf '#!/bin/sh\necho $$ > "%s"\nexec sleep 1000\n' "$TMP/hook.pid" > "$TMP/hook.sh"
chmod +x "$TMP/hook.sh"
conf_begin "on_update=$TMP/hook.sh" interval=3600
conf_source_market s37 37
daemon_start -- -v
wait_for 10 "the hook runs" test -s "$TMP/hook.pid"
hook_pid=$(cat "$TMP/hook.pid")
daemon_stop TERM
daemon_expect_rc 0
say "the hook (pid $hook_pid) is gone"
for _ in $(seq 20); do
	kill -0 "$hook_pid" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$hook_pid" 2>/dev/null; then
	kill -KILL "$hook_pid"
	fail "on_update (pid $hook_pid) outlived finewsd"
fi
mock_stop

# ---------------------------------------------------------------- one process per database

echo "a second finewsd on the daemon's database is refused, naming the first"
rm -rf "$T_SITE" "$T_DB"*
mock_start
conf_begin interval=3600
conf_source_market s37 37
daemon_start -- -v
wait_polls 1 s37 "the daemon's first poll ends"
finewsd_once
expect_rc 1 "--once beside the daemon"
assert_grep "the message names the daemon" "$RUN_ERR" \
    "is in use by another finewsd \\(pid $DAEMON_PID\\)"
run_finewsd -c "$T_CONF" --import "$T_SITE"
expect_rc 1 "--import beside the daemon"
assert_grep "--import is refused too" "$RUN_ERR" "in use by another finewsd"
status_run
daemon_alive || fail "the daemon died"
daemon_stop TERM
daemon_expect_rc 0
finewsd_once
expect_rc 0 "--once once the daemon is gone"
mock_stop

# ---------------------------------------------------------------- the operator's mistakes

echo "_posts/ deleted while the daemon runs: the next poll writes it again"
rm -rf "$T_SITE" "$T_DB"*
mock_market 37 NW202401150000000001
mock_start
conf_begin interval=3600
conf_source_market s37 37
daemon_start -- -v
wait_polls 1 s37 "the first poll ends"
rm -rf "$T_SITE/_posts"
mock_market 37 NW202401150000000001 NW202401160000000002
daemon_signal USR1
wait_polls 2 s37 "the second poll ends"
assert_exists "$(post_of NW202401160000000002)"
assert_eq 0 "$(log_count 'source s37: poll failed')" "no poll failed"
daemon_stop TERM
mock_stop

echo "site_url with a query or a fragment is refused"
for u in 'https://a.b/?q=1' 'https://a.b/#frag' 'https://u@a.b/'; do
	conf_begin
	sed -i "s|^site_url = .*|site_url = $u|" "$T_CONF"
	conf_source_market s37 37 http://127.0.0.1:9
	run_finewsd -c "$T_CONF" --check
	expect_rc 2 "--check with site_url = $u"
	assert_grep "the message names the key" "$RUN_ERR" 'site_url: a site URL has no query'
done

echo "--check into a full disk fails"
conf_begin
conf_source_market s37 37 http://127.0.0.1:9
say "--check > /dev/full: exit status 1"
rc=0
"$FINEWSD" -c "$T_CONF" --check > /dev/full 2>/dev/null || rc=$?
[ "$rc" -eq 1 ] || fail "--check > /dev/full exited $rc"

echo "max_transfers beyond the descriptor limit is refused at start"
conf_begin
sed -i 's/^max_transfers = .*/max_transfers = 1024/' "$T_CONF"
conf_source_market s37 37 http://127.0.0.1:9
say "--check under ulimit -n 256: exit status 2, naming both numbers"
rc=0
(ulimit -S -n 256; ulimit -H -n 256; exec "$FINEWSD" -c "$T_CONF" --check) \
    > /dev/null 2> "$TMP/limit.err" || rc=$?
[ "$rc" -eq 2 ] || fail "--check exited $rc"
grep -q 'needs 1056 file descriptors, but the limit (RLIMIT_NOFILE) is 256' "$TMP/limit.err" ||
    fail "no clear message: $(cat "$TMP/limit.err")"
