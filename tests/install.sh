#!/usr/bin/env bash
# make install puts exactly five files under DESTDIR and PREFIX: adit, adit(8), adit@.service,
# wg-quick@.service.d/adit.conf and sysusers.d/adit.conf; they work from there (the binary
# runs, man renders the page and it names every command and option adit's --help texts list,
# systemd-analyze verify takes both unit files, systemd-sysusers makes the user adit from its
# file, adit@.service's own command lines bring up an interface configured from IFACE.conf and
# run adit as ADIT_USER, wg-quick runs adit with the drop-in's environment, as ADIT_USER too),
# and make uninstall removes them and nothing else. Installing to the real root creates the
# user adit with useradd when it is missing (seen here through a stand-in useradd: the test
# makes no user). Run by tests/run.sh install.
# shellcheck disable=SC2317 # the helpers below run through check
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/netns/lib.sh"
# shellcheck source=tests/netns/wglib.sh
. "$(dirname "$0")/netns/wglib.sh"
need_adit

mk() { make -s --no-print-directory -C "$ROOT" "$@" >"$T/make.log" 2>&1 || { cat "$T/make.log"; return 1; }; }

# Each file with its mode, then each directory: what `find DESTDIR` must print.
listing() { (cd "$1" && find . -mindepth 1 \( -type d -printf 'dir %P\n' \) -o -printf '%m %P\n' | sort); }
expected() { # PREFIX, without its leading /
	local p=$1 d=
	for d in ${p//\// }; do printf 'dir %s\n' "${p%%"${d}"*}$d"; done
	printf '%s\n' "dir $p/bin" "dir $p/lib" "dir $p/lib/systemd" "dir $p/lib/systemd/system" \
		"dir $p/lib/systemd/system/wg-quick@.service.d" "dir $p/share" "dir $p/share/man" \
		"dir $p/share/man/man8" "755 $p/bin/adit" "644 $p/lib/systemd/system/adit@.service" \
		"644 $p/lib/systemd/system/wg-quick@.service.d/adit.conf" "644 $p/share/man/man8/adit.8" \
		"dir $p/lib/sysusers.d" "644 $p/lib/sysusers.d/adit.conf"
}
same_listing() { diff <(expected "$2" | sort) <(listing "$1"); }

D=$T/destdir
check "make install DESTDIR=\$T/destdir exits 0" mk install DESTDIR="$D"
note "installed: $(cd "$D" && find . -mindepth 1 ! -type d | sort | tr '\n' ' ')"
check "DESTDIR holds exactly bin/adit, man8/adit.8, adit@.service, the drop-in, sysusers.d/adit.conf under usr/local" \
	same_listing "$D" usr/local
BIN=$D/usr/local/bin/adit UNITS=$D/usr/local/lib/systemd/system
check "the installed adit is the one built" cmp "$ROOT/build/adit" "$BIN"
check "the installed adit runs: 'adit version' prints adit X.Y.Z (with git describe's -N-gHASH, -dirty)" \
	sh -c "'$BIN' version | grep -Eqx 'adit [0-9]+\.[0-9]+\.[0-9]+(-[0-9]+)?(-g[0-9a-f]+)?(-dirty)?'"
check "adit@.service runs /usr/local/bin/adit %i" grep -qx 'ExecStart=/usr/local/bin/adit %i' "$UNITS/adit@.service"
check "the drop-in sets WG_QUICK_USERSPACE_IMPLEMENTATION=/usr/local/bin/adit" \
	grep -qx 'Environment=WG_QUICK_USERSPACE_IMPLEMENTATION=/usr/local/bin/adit' \
	"$UNITS/wg-quick@.service.d/adit.conf"
check "adit@.service and the drop-in run adit as the user adit (Environment=ADIT_USER=adit)" \
	sh -c "grep -qx 'Environment=ADIT_USER=adit' '$UNITS/adit@.service' &&
		grep -qx 'Environment=ADIT_USER=adit' '$UNITS/wg-quick@.service.d/adit.conf'"
sandboxed() { # FILE DIRECTIVE...
	local f=$1 d missing=
	shift
	for d in "$@"; do grep -qx "$d" "$f" || missing="$missing $d"; done
	[ -z "$missing" ] || { echo "not in $f:$missing"; return 1; }
}
check "  the drop-in sandboxes wg-quick@: /etc read-only but for /etc/wireguard, no new privileges" \
	sandboxed "$UNITS/wg-quick@.service.d/adit.conf" NoNewPrivileges=yes ProtectSystem=strict \
	'ReadWritePaths=/run -/etc/wireguard -/etc/resolv.conf' ProtectHome=read-only PrivateTmp=yes
check "  adit@.service keeps the capabilities that become ADIT_USER" \
	grep -qx 'CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_BIND_SERVICE CAP_SETUID CAP_SETGID CAP_SETPCAP' \
	"$UNITS/adit@.service"
SYSROOT=$T/sysroot
makes_user() {
	mkdir -p "$SYSROOT/etc" &&
		systemd-sysusers --root="$SYSROOT" "$D/usr/local/lib/sysusers.d/adit.conf" &&
		grep -Eq '^adit:x:[0-9]+:[0-9]+:adit userspace VPN daemon:/:/usr/sbin/nologin$' \
			"$SYSROOT/etc/passwd"
}
if command -v systemd-sysusers >/dev/null; then
	check "systemd-sysusers makes the system user adit from sysusers.d/adit.conf (in a scratch root)" \
		makes_user
else
	skip "systemd-sysusers makes the user adit" "no systemd-sysusers on this machine"
fi

O=$T/opt
check "make install PREFIX=/opt/adit DESTDIR=\$T/opt exits 0" mk install PREFIX=/opt/adit DESTDIR="$O"
check "  exactly those" same_listing "$O" opt/adit
names_opt() {
	grep -qx 'ExecStart=/opt/adit/bin/adit %i' "$O/opt/adit/lib/systemd/system/adit@.service" &&
		grep -qx 'Environment=WG_QUICK_USERSPACE_IMPLEMENTATION=/opt/adit/bin/adit' \
			"$O/opt/adit/lib/systemd/system/wg-quick@.service.d/adit.conf" &&
		! grep -rq @BINDIR@ "$O"
}
check "  and both unit files name /opt/adit/bin/adit, no @BINDIR@ left" names_opt

# The page, as man shows it: no hyphenation, so that options are whole words.
PAGE=$T/adit.8.txt
check "man -l renders the installed page with no warning" \
	sh -c "MANWIDTH=80 man --nh --nj -l '$D/usr/local/share/man/man8/adit.8' >'$PAGE' 2>'$T/man.err' &&
		test ! -s '$T/man.err' && grep -q '^NAME' '$PAGE' && grep -q 'adit - userspace VPN' '$PAGE'"
in_page() { grep -Eq -- "(^|[^a-z-])$1([^a-z-]|\$)" "$PAGE"; }
# An option has its own entry: a line of its own, as "-n, --name NAME" or "--tap".
has_entry() { grep -Eq -- "^ +((-[a-z]|--[a-z-]+), )*$1( |,|\$)" "$PAGE"; }
undocumented() {
	local cmd opt missing=
	for cmd in $("$ROOT/adit" --help | sed -n 's/^  \([a-z]\+\) .*/\1/p'); do
		in_page "adit $cmd" || missing="$missing 'adit $cmd'"
	done
	for cmd in tun server client wg; do
		for opt in $("$ROOT/adit" "$cmd" --help | grep -oE -- '(^|[][ |,])--?[a-z][a-z-]*' | tr -d '[]|, ' | sort -u); do
			has_entry "$opt" || missing="$missing 'adit $cmd $opt'"
		done
	done
	[ -z "$missing" ] || { echo "not in adit(8):$missing"; return 1; }
}
check "the page names every command of 'adit --help' and has an entry for each option of each COMMAND --help" \
	undocumented
check "  and EXIT STATUS, ENVIRONMENT (LOG_LEVEL), FILES, SEE ALSO wg(8) and wg-quick(8)" \
	sh -c "grep -q '^EXIT STATUS' '$PAGE' && grep -q '^ENVIRONMENT' '$PAGE' && grep -q LOG_LEVEL '$PAGE' &&
		grep -q '^FILES' '$PAGE' && grep -q '^SEE ALSO' '$PAGE' && grep -q 'wg(8), wg-quick(8)' '$PAGE'"

# Installed where the unit's paths are real, for systemd-analyze and to run its commands.
P=$T/prefix PU=$T/prefix/lib/systemd/system
# To the real root (DESTDIR empty), install makes the user adit if getent does not find it:
# here with stand-ins for getent (no user adit) and useradd (which records what it was asked).
FAKE=$T/fakebin
mkdir -p "$FAKE"
printf '#!/bin/sh\n[ -z "$GETENT_FINDS" ] && exit 2; echo "adit:x:999:999::/:/usr/sbin/nologin"\n' >"$FAKE/getent"
printf '#!/bin/sh\necho "$*" >>"%s"\n' "$T/useradd.args" >"$FAKE/useradd"
chmod +x "$FAKE/getent" "$FAKE/useradd"
check "make install PREFIX=\$T/prefix exits 0" env PATH="$FAKE:$PATH" make -s --no-print-directory \
	-C "$ROOT" install PREFIX="$P"
note "useradd was asked: $(cat "$T/useradd.args" 2>/dev/null)"
check "  it ran useradd --system ... adit, the user adit being missing" \
	grep -Eqx -- '--system --user-group .*--shell /usr/sbin/nologin .*adit' "$T/useradd.args"
rm -f "$T/useradd.args"
check "make install again, the user adit there: exits 0" env PATH="$FAKE:$PATH" GETENT_FINDS=1 \
	make -s --no-print-directory -C "$ROOT" install PREFIX="$P"
check_not "  without useradd" test -e "$T/useradd.args"
IF=$(wg_ifname inst) IQ=$(wg_ifname instq)
# Exit status 0 and not a line of output: verify only warns, with 0, about a key it ignores.
verify_clean() {
	local out rc
	out=$(MANPATH=$P/share/man: SYSTEMD_UNIT_PATH=$PU: systemd-analyze verify "$@" 2>&1); rc=$?
	echo "$out"
	[ "$rc" -eq 0 ] && [ -z "$out" ]
}
if ! command -v systemd-analyze >/dev/null; then
	skip "systemd-analyze verify adit@$IF.service" "no systemd-analyze on this machine"
	skip "systemd-analyze verify wg-quick@$IF.service with the drop-in" "no systemd-analyze on this machine"
else
	check "systemd-analyze verify adit@$IF.service: no warning" verify_clean "$PU/adit@$IF.service"
	mkdir -p "$T/broken"
	sed 's/^Type=forking/Type=forkin/' "$PU/adit@.service" >"$T/broken/adit@.service"
	check_not "  (a unit with Type=forkin does not pass: the check can fail)" \
		verify_clean "$T/broken/adit@$IF.service"
	if [ -e /lib/systemd/system/wg-quick@.service ]; then
		check "systemd-analyze verify wg-quick@$IF.service with adit's drop-in: no warning" \
			verify_clean "wg-quick@$IF.service"
	else
		skip "systemd-analyze verify wg-quick@$IF.service" "no wg-quick@.service (wireguard-tools)"
	fi
fi

# adit@.service's own command lines, as systemd would run them for instance $IF, as far as a
# shell can: in a namespace, with the unit's environment, capability bounding set and
# no_new_privs, and the test's directory mounted (in a private mount namespace) on
# /etc/wireguard. The user the units name, adit, is taken as it is where it exists, else
# nobody stands in for it (this test makes no user).
U=$PU/adit@.service
CAPS=-all$(sed -n 's/^CapabilityBoundingSet=//p' "$U" | tr '[:upper:]' '[:lower:]' | sed 's/cap_/,+/g; s/ //g')
RUN_AS=adit
getent passwd adit >/dev/null || RUN_AS=nobody
RUN_UID=$(id -u "$RUN_AS")
unit_env() { sed -n 's/^Environment=//p' "$1" | sed "s/^ADIT_USER=adit\$/ADIT_USER=$RUN_AS/" | tr '\n' ' '; }
UNIT_ENV=$(unit_env "$U")
ETC=$T/etc-wireguard
unit_cmd() { # KEY
	local line
	line=$(sed -n "s/^$1=//p" "$U" | sed "s/%i/$IF/g")
	# shellcheck disable=SC2016 # expanded by the inner bash
	on a unshare -m --propagation private bash -c \
		'mount --bind "$1" /etc/wireguard && eval "exec setpriv --nnp --bounding-set=$2 env $3 $4"' \
		_ "$ETC" "$CAPS" "$UNIT_ENV" "$line"
}
uid_of() { grep '^Uid:' "/proc/$1/status" | cut -f2; }
port_is() { test "$(on a wg show "$IF" listen-port)" = "$1"; }
unit_cmd_then_port() { unit_cmd "$1" && port_is "$2"; }
started() { unit_cmd ExecStart && ip -n "$(ns a)" link show dev "$IF" && test -S "$WG_RUN/$IF.sock"; }
stopped() {
	wait_for 5 gone "$DPID" && ! ip -n "$(ns a)" link show dev "$IF" 2>/dev/null &&
		test ! -e "$WG_RUN/$IF.sock"
}
wg_hosts a
wg_key a
wg_key b
mkdir -p "$ETC" && chmod 700 "$ETC"
(umask 077; cat >"$ETC/$IF.conf") <<CONF
[Interface]
PrivateKey = $(cat "$T/a.key")
ListenPort = 51820
Address = 10.66.0.1/24

[Peer]
PublicKey = $(cat "$T/b.pub")
AllowedIPs = 10.66.0.2/32
Endpoint = 127.0.0.1:51821
CONF
if [ ! -d /etc/wireguard ]; then
	skip "adit@.service's ExecStart, ExecStartPost, ExecReload" "no /etc/wireguard to mount over"
else
	check "ExecStart ($P/bin/adit $IF, Type=forking) returns 0 once $IF and its socket exist" started
	DPID=$(ip netns pids "$(ns a)" | head -n 1)
	check "  the daemon runs as ADIT_USER=$RUN_AS (uid $RUN_UID), not root" \
		test "$(uid_of "${DPID:-0}")" = "$RUN_UID"
	check "ExecStartPost applies $IF.conf (a wg-quick file: Address= too) through wg-quick strip" \
		unit_cmd ExecStartPost
	check "  wg show $IF has the file's private key, listen port and peer" \
		test "$(on a wg show "$IF" private-key) $(on a wg show "$IF" listen-port) $(on a wg show "$IF" peers)" \
		= "$(cat "$T/a.key") 51820 $(cat "$T/b.pub")"
	sed -i 's/^ListenPort = 51820/ListenPort = 51830/' "$ETC/$IF.conf"
	check "ExecReload (wg syncconf, never SIGHUP) moves $IF to the file's new port 51830" \
		unit_cmd_then_port ExecReload 51830
	mv "$ETC/$IF.conf" "$ETC/saved"
	check "ExecStartPost without $IF.conf succeeds and leaves the device as it was" \
		unit_cmd_then_port ExecStartPost 51830
	kill -TERM "$DPID" 2>/dev/null
	check "SIGTERM (systemctl stop) ends the daemon; $IF and its socket are gone" stopped
fi

# wg-quick@.service with the drop-in: wg-quick with its environment starts the installed adit.
ENVLINE=$(unit_env "$PU/wg-quick@.service.d/adit.conf")
mkdir -p "$T/q"
sed "s/^ListenPort = .*/ListenPort = 51822/" "$ETC/saved" >"$T/q/$IQ.conf"
chmod 600 "$T/q/$IQ.conf"
if [ -e /sys/module/wireguard ] || on a ip link add "$IQ" type wireguard 2>/dev/null; then
	on a ip link del "$IQ" 2>/dev/null
	skip "wg-quick up with the drop-in's $ENVLINE" "this kernel has WireGuard: wg-quick would not run adit"
else
	check "wg-quick up $IQ.conf with the drop-in's $ENVLINE exits 0" \
		on a env $ENVLINE wg-quick up "$T/q/$IQ.conf"
	# The daemon and its janitor (which stays root, without capabilities, to remove the socket).
	# grep reads all of ip's output: with -q, ip could die of SIGPIPE and fail the pipe.
	quick_daemon() {
		local pid exes=
		for pid in $(ip netns pids "$(ns a)"); do exes="$exes $(readlink "/proc/$pid/exe")"; done
		echo "processes in A:$exes; listen-port $(on a wg show "$IQ" listen-port)"
		test "$exes" = " $P/bin/adit $P/bin/adit" &&
			test "$(on a wg show "$IQ" listen-port)" = 51822 &&
			ip -n "$(ns a)" -o addr show dev "$IQ" | grep 'inet 10.66.0.1/24' >/dev/null
	}
	check "  the daemon it left is the installed adit, on port 51822, with 10.66.0.1/24" quick_daemon
	QPID=$(ip netns pids "$(ns a)" | head -n 1)
	check "  and runs as ADIT_USER=$RUN_AS (uid $RUN_UID), not root" \
		test "$(uid_of "${QPID:-0}")" = "$RUN_UID"
	check "  wg-quick down $IQ.conf exits 0" on a env $ENVLINE wg-quick down "$T/q/$IQ.conf"
	check "  the daemon is gone, and its socket" \
		wait_for 5 sh -c "! kill -0 ${QPID:-0} 2>/dev/null && test ! -e '$WG_RUN/$IQ.sock'"
fi

# Uninstall removes what install put there, not what others did.
touch "$D/usr/local/bin/other-tool" "$D/usr/local/lib/systemd/system/wg-quick@.service.d/local.conf"
check "make uninstall DESTDIR=\$T/destdir exits 0" mk uninstall DESTDIR="$D"
check "  it leaves another program and another drop-in where they were" \
	test -e "$D/usr/local/bin/other-tool" -a -e "$UNITS/wg-quick@.service.d/local.conf"
rm "$D/usr/local/bin/other-tool" "$UNITS/wg-quick@.service.d/local.conf"
check "make uninstall again (nothing to remove) exits 0" mk uninstall DESTDIR="$D"
check "  and no file is left, nor the drop-in directory: only usr/local's bin, man8, system, sysusers.d" \
	diff <(printf '%s\n' "dir usr" "dir usr/local" "dir usr/local/bin" "dir usr/local/lib" \
		"dir usr/local/lib/systemd" "dir usr/local/lib/systemd/system" "dir usr/local/share" \
		"dir usr/local/share/man" "dir usr/local/share/man/man8" "dir usr/local/lib/sysusers.d" |
		sort) <(listing "$D")
no_file_in() { test -z "$(find "$1" ! -type d)"; }
check "make uninstall PREFIX=\$T/prefix exits 0" mk uninstall PREFIX="$P"
check "  and leaves no file in it" no_file_in "$P"
finish
