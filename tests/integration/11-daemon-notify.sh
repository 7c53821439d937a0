#!/usr/bin/env bash
# 11-daemon-notify: sd_notify(3) as systemd's Type=notify expects it, to a
# listener on a unix datagram socket (a path, then an abstract name):
# READY=1 once the configuration is loaded and the database open, STATUS=,
# WATCHDOG=1 every WATCHDOG_USEC/2, RELOADING=1 with MONOTONIC_USEC= then
# READY=1 on SIGHUP (valid or not), STOPPING=1 on SIGTERM.  And the
# journald priority prefix: "<N>" on every line when JOURNAL_STREAM names
# stderr, none otherwise.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

t_begin 11-daemon-notify "sd_notify messages, the watchdog, the journald prefix"

A1=NW202206010000000001
A2=NW202206010000000002

# The listener: binds ADDR (a path, or @name for an abstract one), writes
# READY-FILE once bound, then one line per datagram to OUT: the message as a
# JSON string, CLOCK_MONOTONIC in µs at its arrival, and whether DB existed.
cat > "$TMP/listen.py" <<'EOF'
import json, os, socket, sys, time
addr, out, ready, db = sys.argv[1:5]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + addr[1:] if addr.startswith("@") else addr)
open(ready, "w").close()
with open(out, "a", encoding="utf-8") as f:
    while True:
        msg = s.recv(4096).decode("utf-8", "replace")
        f.write("%s %d %d\n" % (json.dumps(msg), time.monotonic_ns() // 1000,
                                os.path.exists(db)))
        f.flush()
EOF

LISTEN_PID=
# listen_start ADDR: a fresh listener; NOTES is its output.
listen_start() {
	NOTES=$TMP/notes.$RANDOM
	rm -f "$TMP/listen.ready"
	python3 "$TMP/listen.py" "$1" "$NOTES" "$TMP/listen.ready" "$T_DB" &
	LISTEN_PID=$!
	BG_PIDS+=("$LISTEN_PID")
	wait_for 10 "the listener on $1 is bound" test -e "$TMP/listen.ready"
}

listen_stop() {
	stop_pid "$LISTEN_PID"
	LISTEN_PID=
}

# note_count ERE: how many messages (as JSON strings) match ERE.
note_count() { grep -c -E -e "^$1 " "$NOTES" || true; }
note_has_at_least() { [ "$(note_count "$2")" -ge "$1" ]; }
wait_note() { wait_for "${4:-10}" "$3" note_has_at_least "$1" "$2"; }

mock_market 37 "$A1" "$A2"
mock_start
conf_begin interval=3600
conf_source_market market37 37
cp "$T_CONF" "$TMP/good.conf"

echo "NOTIFY_SOCKET is a path; WATCHDOG_USEC=400000"
SOCK=$TMP/notify.sock
listen_start "$SOCK"
daemon_start NOTIFY_SOCKET="$SOCK" WATCHDOG_USEC=400000 -- -v
wait_note 1 '"READY=1"' "READY=1 arrives"
say "the database existed when READY=1 was sent"
grep -E '^"READY=1" ' "$NOTES" | head -n 1 | grep -q ' 1$' ||
    fail "READY=1 came before the database was created"
wait_for 15 "the first poll writes A1 and A2" posts_exist "$A1" "$A2"
wait_note 1 '"STATUS=[^"]+"' "a STATUS= line arrives"
wait_note 1 '"STATUS=[^"]*[^0-9]2 posts[^"]*"' "a STATUS= line counts the 2 posts" 10
# Every 0.2 s; three to be sure the timer repeats.
wait_note 3 '"WATCHDOG=1"' "WATCHDOG=1 arrives again and again"
say "READY=1 came before any WATCHDOG=1"
first=$(grep -n -E '^"(READY|WATCHDOG)=1"' "$NOTES" | head -n 1)
case $first in
*READY=1*) ;;
*) fail "the first of READY=1/WATCHDOG=1 is: $first" ;;
esac

echo "SIGHUP (valid): RELOADING=1 with MONOTONIC_USEC=, then READY=1"
ready=$(note_count '"READY=1"')
daemon_signal HUP
wait_note 1 '"RELOADING=1\\nMONOTONIC_USEC=[0-9]+"' "RELOADING=1 with MONOTONIC_USEC= arrives"
wait_note $((ready + 1)) '"READY=1"' "READY=1 arrives after the reload"
python3 - "$NOTES" <<'EOF' || fail "RELOADING=1 is not followed by READY=1, or its MONOTONIC_USEC is wrong"
import json, sys
lines = [l.rsplit(" ", 2) for l in open(sys.argv[1], encoding="utf-8")]
msgs = [(json.loads(m), int(t)) for m, t, _ in lines]
i = next(i for i, (m, _) in enumerate(msgs) if m.startswith("RELOADING=1"))
m, arrived = msgs[i]
fields = dict(kv.split("=", 1) for kv in m.split("\n"))
usec = int(fields["MONOTONIC_USEC"])
print("    RELOADING=1 sent at CLOCK_MONOTONIC %d µs, received at %d µs" % (usec, arrived))
# The same clock: sent before it was received, and not long before.
if not (arrived - 10_000_000 <= usec <= arrived):
    sys.exit("MONOTONIC_USEC=%d is not CLOCK_MONOTONIC (received at %d)" % (usec, arrived))
if not any(mm == "READY=1" for mm, _ in msgs[i + 1:]):
    sys.exit("no READY=1 after RELOADING=1")
EOF

echo "SIGHUP (invalid): RELOADING=1, then READY=1 (the old configuration)"
printf 'no_such_key = 1\n' >> "$T_CONF"
reloading=$(note_count '"RELOADING=1\\n[^"]*"')
ready=$(note_count '"READY=1"')
daemon_signal HUP
wait_note $((reloading + 1)) '"RELOADING=1\\n[^"]*"' "RELOADING=1 arrives"
wait_note $((ready + 1)) '"READY=1"' "READY=1 arrives after the failed reload"
wait_log 1 'keeping the old configuration' "the failed reload is logged"
cp "$TMP/good.conf" "$T_CONF"

echo "SIGTERM: STOPPING=1"
daemon_stop TERM
daemon_expect_rc 0
wait_note 1 '"STOPPING=1"' "STOPPING=1 arrived" 2
say "STOPPING=1 is the last message but watchdog pings"
last=$(grep -v -E '^"WATCHDOG=1"' "$NOTES" | tail -n 1)
case $last in
'"STOPPING=1" '*) ;;
*) fail "the last message is $last" ;;
esac
listen_stop

echo "NOTIFY_SOCKET is an abstract name"
ABSTRACT=@finewsd-test-$$-$RANDOM$RANDOM
listen_start "$ABSTRACT"
# WATCHDOG_PID names another process: the watchdog is not ours to ping.
daemon_start NOTIFY_SOCKET="$ABSTRACT" WATCHDOG_USEC=200000 WATCHDOG_PID=1 -- -v
wait_note 1 '"READY=1"' "READY=1 arrives on $ABSTRACT"
wait_note 1 '"STATUS=[^"]+"' "STATUS= arrives on $ABSTRACT"
# Nothing to wait for when checking that nothing comes: five would-be
# watchdog periods.
sleep 0.5
daemon_stop TERM
daemon_expect_rc 0
wait_note 1 '"STOPPING=1"' "STOPPING=1 arrived on $ABSTRACT" 2
assert_eq 0 "$(note_count '"WATCHDOG=1"')" "no WATCHDOG=1 when WATCHDOG_PID is another process"
listen_stop

echo "no NOTIFY_SOCKET: nothing sent, nothing logged about it"
daemon_start -- -v
wait_polls 1 market37 "the first poll ends"
daemon_stop TERM
daemon_expect_rc 0
assert_eq 0 "$(log_count '^notify ')" "no complaint about notify"

echo "NOTIFY_SOCKET where nobody listens: one warning, the daemon goes on"
daemon_start NOTIFY_SOCKET="$TMP/nobody.sock" WATCHDOG_USEC=200000 -- -v
wait_polls 1 market37 "the first poll ends"
daemon_signal USR1
wait_polls 2 market37 "the SIGUSR1 poll ends"
daemon_stop TERM
daemon_expect_rc 0
assert_eq 1 "$(log_count "^notify $(ere "$TMP/nobody.sock")")" \
    "the notify failure is logged once, not at each message"

echo "JOURNAL_STREAM names stderr: every line starts with <N>"
# A source that fails, for a warning line.
conf_source_market market38 38 "http://127.0.0.1:$(free_port)"
err=$(daemon_next_err)
daemon_start JOURNAL_STREAM="$(stat -c %d:%i "$err")" -- -v
wait_failures 1 market38 "market38's poll fails"
wait_polls 1 market37 "market37's poll ends"
daemon_stop TERM
daemon_expect_rc 0
assert_eq "$err" "$DAEMON_ERR" "the daemon wrote to the file JOURNAL_STREAM names"
assert_eq "" "$(grep -v -E '^<[0-7]>[^<]' "$DAEMON_ERR" || true)" \
    "every line starts with a priority <0> to <7>"
assert_grep "the start is info, <6>" "$DAEMON_ERR" '^<6>finewsd .*started'
assert_grep "the failed poll is a warning, <4>" "$DAEMON_ERR" '^<4>source market38: poll failed'
assert_grep "a debug line is <7>" "$DAEMON_ERR" '^<7>source market37: polling'
assert_grep "the stop is info, <6>" "$DAEMON_ERR" '^<6>stopped'

echo "JOURNAL_STREAM names another file: no prefix"
touch "$TMP/other"
daemon_start JOURNAL_STREAM="$(stat -c %d:%i "$TMP/other")" -- -v
wait_failures 1 market38 "market38's poll fails"
daemon_stop TERM
daemon_expect_rc 0
assert_grep "lines are logged" "$DAEMON_ERR" 'started'
assert_eq "" "$(grep -E '^<[0-9]>' "$DAEMON_ERR" || true)" "no line has a <N> prefix"

echo "no JOURNAL_STREAM: no prefix"
daemon_start -- -v
wait_failures 1 market38 "market38's poll fails"
daemon_stop TERM
daemon_expect_rc 0
assert_grep "the failed poll is logged" "$DAEMON_ERR" '^source market38: poll failed'
assert_eq "" "$(grep -E '^<[0-9]>' "$DAEMON_ERR" || true)" "no line has a <N> prefix"

mock_stop
