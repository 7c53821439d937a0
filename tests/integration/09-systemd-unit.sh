#!/bin/bash
# The systemd unit: systemd-analyze verify passes, its sandbox rates an
# exposure of 1.5 or lower, it sets what the contract
# fixes, and the manual pages its Documentation= names exist and format
# cleanly.
#
# The unit is checked as it will be installed: a copy with @sbindir@ and
# @sysconfdir@ substituted, its ExecStart= pointing at the built finewsd
# ($FINEWSD) when there is one, else at /bin/true (verify only checks that
# the program exists).  Exit 77 (skipped) where systemd-analyze, or its
# offline security check, is missing.

set -eu

if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "SKIP: systemd-analyze is not installed"
	exit 77
fi
# --offline= (systemd 250 and later) rates a unit file that is not loaded.
if ! systemd-analyze --help 2>/dev/null | grep -q -- '--offline'; then
	echo "SKIP: systemd-analyze has no --offline (systemd older than 250)"
	exit 77
fi

srcdir=${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
unit_in=$srcdir/systemd/finewsd.service.in
max_exposure=1.5
fail=0
tmp=$(mktemp -d /tmp/finewsd-unit.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

bad() {
	echo "FAIL: $*"
	fail=1
}

if [ -n "${FINEWSD:-}" ] && [ -x "$FINEWSD" ]; then
	exe=$(cd "$(dirname "$FINEWSD")" && pwd)/$(basename "$FINEWSD")
else
	exe=/bin/true
fi
unit=$tmp/finewsd.service
sed -e "s|@sbindir@/finewsd|$exe|g" -e 's|@sbindir@|/usr/sbin|g' \
    -e 's|@sysconfdir@|/etc|g' "$unit_in" > "$unit"
if grep -n '@[A-Za-z_]*@' "$unit"; then
	bad "placeholders left after substitution"
fi

# What the contract fixes, setting by setting (the last assignment wins, as
# in systemd).
expect() {
	local key=$1 want=$2 got
	got=$(sed -n "s/^$key=//p" "$unit" | tail -n 1)
	if [ "$got" != "$want" ]; then
		bad "$key='$got', want '$want'"
	fi
}
expect Type notify
expect ExecStart "$exe -c /etc/finewsd/finewsd.conf"
expect ExecReload '/bin/kill -HUP $MAINPID'
expect Restart on-failure
# A fixed system user, not DynamicUser=yes, whose state folder would sit
# behind /var/lib/private (0700) where no web server can read the site.
expect User finewsd
expect Group finewsd
expect DynamicUser ''
expect StateDirectory finewsd
expect StateDirectoryMode 0755
# A configuration error (exit 2) must not make the unit restart for ever.
expect RestartPreventExitStatus 2
expect ProtectSystem strict
expect NoNewPrivileges yes
expect CapabilityBoundingSet ''
expect UMask 0022
expect TimeoutStopSec 10s
if ! grep -q '^WatchdogSec=[1-9]' "$unit"; then
	bad "no WatchdogSec="
fi
# AF_UNIX must stay allowed, or sd_notify cannot reach systemd.
if ! grep '^RestrictAddressFamilies=' "$unit" | grep -qw AF_UNIX; then
	bad "RestrictAddressFamilies= without AF_UNIX"
fi

# verify also runs man(1) on every Documentation= page: point it at the
# pages of the source tree, laid out as man expects.
verify_opts=
if command -v man >/dev/null 2>&1; then
	mkdir -p "$tmp/man/man5" "$tmp/man/man8"
	cp "$srcdir/man/finewsd.8" "$tmp/man/man8/"
	cp "$srcdir/man/finewsd.conf.5" "$tmp/man/man5/"
	export MANPATH=$tmp/man
else
	verify_opts=--man=no
fi
# Dependencies (multi-user.target, ...) are loaded too; only what verify
# says about finewsd counts.
if ! out=$(cd "$tmp" && systemd-analyze verify $verify_opts "$unit" 2>&1); then
	echo "$out"
	bad "systemd-analyze verify failed"
elif echo "$out" | grep -i finewsd; then
	bad "systemd-analyze verify complains about the unit"
fi

# Security: the overall exposure, 0.0 (best) to 10.0, must be at most 1.5.
out=$(cd "$tmp" && systemd-analyze security --offline=yes \
    --threshold=20 "$unit" 2>&1) && rc=0 || rc=$?
exposure=$(echo "$out" |
    sed -n 's/.*Overall exposure level for finewsd\.service: \([0-9.]*\).*/\1/p')
if [ -z "$exposure" ]; then
	echo "$out"
	bad "no exposure level in the output of systemd-analyze security"
else
	echo "exposure: $exposure"
	if ! awk -v e="$exposure" -v m="$max_exposure" 'BEGIN { exit !(e <= m) }'; then
		echo "$out" | grep '✗' || true
		bad "exposure $exposure > $max_exposure"
	fi
fi
if [ "$rc" -ne 0 ]; then
	bad "systemd-analyze security --threshold=20 exited with $rc"
fi

# The manual pages: no warning from groff nor mandoc (tools/install-deps
# installs both; a missing one is a failure, not a check passed).
for tool in groff mandoc; do
	command -v "$tool" >/dev/null 2>&1 || bad "$tool is not installed (tools/install-deps)"
done
for page in "$srcdir/man/finewsd.8" "$srcdir/man/finewsd.conf.5"; do
	if command -v groff >/dev/null 2>&1; then
		for dev in ps utf8 ascii; do
			out=$(groff -man -ww -z -T"$dev" "$page" 2>&1) || true
			if [ -n "$out" ]; then
				echo "$out"
				bad "groff -T$dev warns about $page"
			fi
		done
	fi
	if command -v mandoc >/dev/null 2>&1; then
		if ! out=$(mandoc -T lint "$page" 2>&1) || [ -n "$out" ]; then
			echo "$out"
			bad "mandoc -T lint warns about $page"
		fi
	fi
done

if [ "$fail" -eq 0 ]; then
	echo "PASS: systemd unit (exposure $exposure)"
fi
exit "$fail"
