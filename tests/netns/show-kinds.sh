#!/usr/bin/env bash
# adit show recognises every kind of adit interface and says where each is: an `adit tun`
# interface (TUN and TAP, called so), a lab server, a wg-mode interface, each with the
# network namespace it is in; with no adit interface at all it says so, status 1.
. "$(dirname "$0")/lib.sh"
need_adit
lab_up || finish

start u tun "$ADIT" tun -n qiu%d -a 192.168.53.99/24
wait_log tun '^Interface Name: qiu0$'
on u "$ADIT" show qiu0 >"$T/tun.out" 2>&1
sed 's/^/# tun  /' "$T/tun.out"
check "adit show on an adit tun interface shows it (status 0)" on u "$ADIT" show qiu0
check "  as adit tun, a TUN" grep -qx "  mode: adit tun (TUN; no tunnel)" "$T/tun.out"
check "  in the namespace it is in" grep -qx "  network namespace: $(ns u)" "$T/tun.out"
check "adit show without a name lists it" sh -c "ip netns exec $(ns u) '$ADIT' show | grep -qx 'interface: qiu0'"

start u tap "$ADIT" tun --tap -n tap%d
wait_log tap '^Interface Name: tap0$'
on u "$ADIT" show tap0 >"$T/tap.out" 2>&1
sed 's/^/# tap  /' "$T/tap.out"
check "a TAP interface is called TAP, in the mode and the offloads" \
	sh -c "grep -qx '  mode: adit tun (TAP; no tunnel)' '$T/tap.out' && grep -q '^  offloads: TAP ' '$T/tap.out'"
stop tap
stop tun

start_adit server srv server --tap -a 192.168.53.11/24
on server "$ADIT" show tap0 >"$T/srv.out" 2>&1
sed 's/^/# srv  /' "$T/srv.out"
check "a TAP lab server says TAP and its namespace" \
	sh -c "grep -qx '  mode: lab server (plaintext, TAP)' '$T/srv.out' && grep -qx '  network namespace: $(ns server)' '$T/srv.out'"
stop srv

WG=wgk$$
start u wg "$ADIT" -f "$WG"
wait_for 5 test -S "/var/run/wireguard/$WG.sock"
on u "$ADIT" show "$WG" >"$T/wg.out" 2>&1
sed 's/^/# wg  /' "$T/wg.out"
check "a wg-mode interface names its namespace" grep -qx "  network namespace: $(ns u)" "$T/wg.out"
on u ip link set "$WG" netns "$(ns v)"
"$ADIT" show "$WG" >"$T/wg2.out" 2>&1
check "  and the namespace it was moved to" grep -qx "  network namespace: $(ns v)" "$T/wg2.out"
stop wg

# No adit interface at all: adit show in a mount namespace whose /run is empty.
unshare -m sh -c "mount -t tmpfs adit-test-run /run && exec '$ADIT' show" >"$T/none.out" 2>"$T/none.err"
rc=$?
note "$(cat "$T/none.err")"
check "with no adit interface, status 1" test "$rc" = 1
check "  and a message that says so" grep -q "^adit: no adit interface here" "$T/none.err"
check "  and nothing on stdout" test ! -s "$T/none.out"
finish
