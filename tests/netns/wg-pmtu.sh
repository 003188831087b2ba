#!/usr/bin/env bash
# The path-MTU black hole (issue 17). Four namespaces A — R1 — R2 — B, routed, IPv4 and IPv6
# on every link, the R1–R2 link at MTU 1380 and the others at 1500; R1 and R2 send the ends
# no "fragmentation needed" and no "packet too big" (nft drops them as they leave), as filtered
# ICMP does on the internet. Variant 1 lets fragments through; variant 2 drops them too. Three
# tunnels from A to B cross it side by side, each with the default inner MTU 1420: ww is
# wireguard-go at both ends (the control), aw adit in A and wireguard-go in B, aa adit at both
# ends; their endpoints over the outer IPv4 addresses, then the outer IPv6 ones. In each variant
# and outer family, 4 MB of TCP goes each way (A to B, B to A) through every tunnel:
#  - through ww it stalls (not done in 3 s): the black hole holds, else the topology is wrong
#    (and once the link is back at 1500, it does not);
#  - through aw and aa it arrives intact in under 5 s: adit found the path MTU by itself.
# And: a ping with DF bigger than the path gets "fragmentation needed" / "packet too big" from
# adit, after which A's kernel caches the path MTU and smaller pings arrive; a transfer through
# aa outlives the R1–R2 link's MTU dropping from 1500 to 1380 under it; a peer with no /32 or
# /128 to probe is shown as such and still pings; no probe reply reaches A's TUN.
#
# What this test expects of adit (the checks marked "adit:" below; all in pmtu_* and the
# numbers here): wg mode started as wireguard-go is (start_wg), path-MTU probing on by
# default; `adit show IFACE` has, for the peer, a line "path MTU: N ..." once N is found,
# N = 1380 - outer IP header - 8 - 32, rounded down to a multiple of 16, and
# "path MTU: unknown ..." with words naming the missing address when there is none to probe.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wglib.sh"
need_adit
need_wgo
command -v nft >/dev/null ||
	{ report 0 "nft is installed (scripts/deps.sh check)" /dev/null; finish; }

# Every namespace this test makes is adit-pm-PID-HOST (lib.sh's `on` and `start` and wglib's
# cleanup go by $ADIT_LAB).
# shellcheck disable=SC2034 # read by lib.sh and wglib.sh
ADIT_LAB=adit-pm-$$
SECONDS=0
MB4=4000000
PORT=7000
PMTU4=1312 # inner MTU over IPv4 outside: 1380 - 20 - 8 - 32 = 1320, down to a multiple of 16
PMTU6=1296 # over IPv6 outside: 1380 - 40 - 8 - 32 = 1300, likewise
STALL=3    # seconds without completion that make a control's transfer stalled
FAST=5     # seconds within which a transfer through adit must arrive
PROBE=5    # seconds adit has to report a peer's path MTU

# --- the topology --------------------------------------------------------------------------

# Link N between hosts L and R, each end named for the host at its other end (to-r1): L has
# 10.71.N.1/24 and fd71:N::1/64, R .2 and ::2.
pm_link() {
	local n=$1 l=$2 r=$3 mtu=$4
	ip -n "$(ns "$l")" link add "to-$r" mtu "$mtu" type veth peer name "to-$l" mtu "$mtu" \
		netns "$(ns "$r")" || return 1
	on "$l" ip addr add "10.71.$n.1/24" dev "to-$r"
	on "$l" ip addr add "fd71:$n::1/64" dev "to-$r" nodad
	on "$r" ip addr add "10.71.$n.2/24" dev "to-$l"
	on "$r" ip addr add "fd71:$n::2/64" dev "to-$l" nodad
	on "$l" ip link set "to-$r" up
	on "$r" ip link set "to-$l" up
}

# A and B route everything through their router; the routers route the far end's link.
pm_route() { # HOST PREFIX4 VIA4 PREFIX6 VIA6
	on "$1" ip route add "$2" via "$3" && on "$1" ip -6 route add "$4" via "$5"
}

# R1 and R2 drop the "too big" messages they make for the ends (in their output hook, where
# the kernel's own ICMP errors pass), counting them; chain crossing takes variant 2's rules.
pm_filter() {
	on "$1" nft -f - <<-'EOF'
	table inet pmtu {
		chain out {
			type filter hook output priority 0; policy accept;
			icmp type destination-unreachable icmp code frag-needed counter drop comment "frag-needed"
			icmpv6 type packet-too-big counter drop comment "packet-too-big"
		}
		chain crossing {
			type filter hook forward priority 0; policy accept;
		}
	}
	EOF
}

pm_topology() {
	local h
	wg_hosts a r1 r2 b || return 1
	for h in a r1 r2 b; do # no duplicate address detection holding the links' addresses back
		on "$h" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	done
	pm_link 1 a r1 1500 && pm_link 2 r1 r2 1380 && pm_link 3 r2 b 1500 || return 1
	pm_route a default 10.71.1.2 default fd71:1::2
	pm_route r1 10.71.3.0/24 10.71.2.2 fd71:3::/64 fd71:2::2
	pm_route r2 10.71.1.0/24 10.71.2.1 fd71:1::/64 fd71:2::1
	pm_route b default 10.71.3.1 default fd71:3::1
	on r1 sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	on r2 sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	pm_filter r1 && pm_filter r2
}

# Variant 2 drops every IPv4 fragment (MF set or an offset) and IPv6 fragment header crossing
# R1 and R2. R1 fragments what it forwards after its hooks, so what it cuts is dropped by R2.
pm_variant() {
	local r
	for r in r1 r2; do
		on "$r" nft flush chain inet pmtu crossing
		[ "$1" = 2 ] || continue
		on "$r" nft add rule inet pmtu crossing ip frag-off and 0x3fff != 0 counter drop comment '"fragment"'
		on "$r" nft add rule inet pmtu crossing exthdr frag exists counter drop comment '"ipv6-fragment"'
	done
}

pm_link_mtu() { on r1 ip link set to-r2 mtu "$1" && on r2 ip link set to-r1 mtu "$1"; }

# What the routers withheld and dropped so far, as a note ("frag-needed 66 ...").
pm_counters() {
	local r
	for r in r1 r2; do
		note "$r dropped: $(on "$r" nft list table inet pmtu |
			sed -n 's/.*counter packets \([0-9]*\) .* comment "\(.*\)"/\2 \1/p' | paste -sd ' ')"
	done
}

# --- the tunnels ---------------------------------------------------------------------------

# Tunnel NAME (ww, aw, aa) number N: "IMPL-A -f IFACE" in A and "IMPL-B -f IFACE" in B, with
# 10.8N.0.1/24 fd8N::1/64 on port 518N1 in A and .2 ::2 on 518N2 in B, each the other's peer
# with its /32 and /128. The interfaces are ${IF[NAME-a]} and ${IF[NAME-b]}; the daemons'
# logs $T/NAME-a.log and $T/NAME-b.log, their keys $T/NAME-a.key and so on.
declare -A IF=() NUM=()
tunnel() {
	local name=$1 n=$2 impl_a=$3 impl_b=$4
	NUM[$name]=$n IF[$name-a]=$(wg_ifname "${name}a") IF[$name-b]=$(wg_ifname "${name}b")
	wg_key "$name-a" && wg_key "$name-b" || return 1
	start_wg a "$name-a" "$impl_a" "${IF[$name-a]}" && start_wg b "$name-b" "$impl_b" "${IF[$name-b]}" &&
		wg_dev a "${IF[$name-a]}" "$name-a" "518${n}1" "10.8$n.0.1/24" "fd8$n::1/64" &&
		wg_dev b "${IF[$name-b]}" "$name-b" "518${n}2" "10.8$n.0.2/24" "fd8$n::2/64"
}

tunnel_peers() { # NAME
	local name=$1 n=${NUM[$1]}
	wg_peer a "${IF[$name-a]}" "$name-b" "10.8$n.0.2/32,fd8$n::2/128" "10.71.3.2:518${n}2" &&
		wg_peer b "${IF[$name-b]}" "$name-a" "10.8$n.0.1/32,fd8$n::1/128" "10.71.1.1:518${n}1"
}

# Every tunnel's endpoints over the outer IPv4 (4) or IPv6 (6) addresses.
endpoints() {
	local name n ea eb
	for name in ww aw aa; do
		n=${NUM[$name]}
		case $1 in
		4) ea=10.71.1.1:518${n}1 eb=10.71.3.2:518${n}2 ;;
		6) ea="[fd71:1::1]:518${n}1" eb="[fd71:3::2]:518${n}2" ;;
		esac
		on a wg set "${IF[$name-a]}" peer "$(cat "$T/$name-b.pub")" endpoint "$eb"
		on b wg set "${IF[$name-b]}" peer "$(cat "$T/$name-a.pub")" endpoint "$ea"
	done
}

# B's inner address in tunnel NAME, for inner family F.
inner_b() { if [ "$2" = 4 ]; then echo "10.8${NUM[$1]}.0.2"; else echo "fd8${NUM[$1]}::2"; fi; }

# --- adit: what this test reads off `adit show` (adit:) -------------------------------------

# pmtu_line NAME [HOST]: the line of `adit show` with the path MTU of the only peer of
# tunnel NAME's interface in HOST (A unless told); pmtu_is NAME N [HOST]: it is N ("unknown").
pmtu_line() { on "${2:-a}" "$ADIT" show "${IF[$1-${2:-a}]}" | grep 'path MTU:'; }
pmtu_is() { [ "$(pmtu_line "$1" "${3:-a}" | sed -n 's/.*path MTU: \([0-9a-z]*\).*/\1/p')" = "$2" ]; }

# --- transfers -----------------------------------------------------------------------------

# 4 MB from A to B (put) or from B to A (get) through tunnel NAME, inner family F, within
# SECS; the client's output in $T/NAME-VERB.out.
xfer() { # NAME VERB F SECS
	on a timeout "$4" "$PY" "$PYDIR/tcp_bulk.py" "$2" "$(inner_b "$1" "$3")" "$PORT" "$MB4" \
		>"$T/$1-$2.out" 2>&1
	local rc=$?
	cat "$T/$1-$2.out"
	return $rc
}

# The path MTUs A's and B's kernels learned from adit's messages so far, forgotten: each
# transfer starts from the interface's MTU.
forget_pmtu() {
	local h
	for h in a b; do
		on $h ip -4 route flush cache && on $h ip -6 route flush cache
	done
}

# The control's 4 MB each way through ww, started in the background to be cut after $STALL s
# (the checks on adit run meanwhile), then found stalled: it connected (so the tunnel works),
# and was still running when timeout cut it.
controls_start() { # F
	local verb
	for verb in put get; do
		start a "ww-$verb" timeout "$STALL" "$PY" "$PYDIR/tcp_bulk.py" "$verb" "$(inner_b ww "$1")" \
			"$PORT" "$MB4"
	done
}
stalled() {
	wait_exit "$1" $((STALL + 10))
	local rc=$?
	cat "$T/$1.log"
	echo "exit status $rc (124: cut by timeout after $STALL s)"
	[ $rc -eq 124 ] && grep -q '^connected' "$T/$1.log"
}

# 4 MB each way through aw and aa, inner family F (the outer one in this test's passes).
transfers() { # C F
	local name verb
	for name in aw aa; do
		for verb in put get; do
			# adit: the path MTU probed and the tunnel fitted to it.
			check "[$1] $name: 4 MB $verb (A $([ $verb = put ] && echo to || echo from) B) arrives intact in under $FAST s" \
				xfer "$name" "$verb" "$2" "$FAST"
		done
	done
}

# --- a ping with DF bigger than the path (adit:) --------------------------------------------

# Through tunnel NAME, inner family F, the path's inner MTU being M: a DF ping of the
# interface's full 1420 bytes is answered by adit with "fragmentation needed" / "packet too
# big" naming M, A's kernel then has M for B's inner address, and a DF ping of M bytes arrives.
# (ping prints the IPv4 message; of the IPv6 one, only the kernel's route tells.)
df_pings() {
	local name=$1 f=$2 m=$3 c="$4" dst hdr=28 what="fragmentation needed"
	dst=$(inner_b "$name" "$f")
	[ "$f" = 4 ] || { hdr=48 what="packet too big"; }
	on a ip -"$f" route flush cache
	on a ping -"$f" -c 1 -W 2 -M "do" -s $((1420 - hdr)) "$dst" >"$T/df.out" 2>&1
	[ "$f" = 6 ] || check "[$c] $name: a 1420-byte DF ping to $dst gets \"$what\" (mtu $m) from adit" \
		grep -Eq "Frag needed.*mtu = $m\b" "$T/df.out"
	check "[$c] $name: after a 1420-byte DF ping, A's kernel has mtu $m for $dst (\"$what\")" \
		sh -c "ip -n $(ns a) -$f route get $dst | tee /dev/stderr | grep -Eq ' mtu $m( |\$)'"
	check "[$c] $name: a $m-byte DF ping arrives" \
		on a ping -"$f" -c 1 -W 2 -M "do" -s $((m - hdr)) "$dst"
}

# --- probe replies never reach the TUN (adit:) ----------------------------------------------

# Echo replies in capture NAME that answer no echo request in it (by ICMP id and sequence).
unasked_replies() {
	tcpdump -r "$T/$1.pcap" -n 2>/dev/null | awk '
		/echo request/ { match($0, /id [0-9]+, seq [0-9]+/); asked[substr($0, RSTART, RLENGTH)] = 1 }
		/echo reply/ { n++; match($0, /id [0-9]+, seq [0-9]+/)
			if (!(substr($0, RSTART, RLENGTH) in asked)) { bad++; print } }
		END { print n + 0, "echo replies,", bad + 0, "unasked"; exit (bad > 0) }'
}

# ===========================================================================================

pm_topology || { report 0 "the topology A — R1 — R2 — B is up" /dev/null; finish; }
check "outer IPv4: A pings B across both routers" wait_for 5 on a ping -c 1 -W 1 10.71.3.2
check "outer IPv6: A pings B across both routers" wait_for 5 on a ping -6 -c 1 -W 1 fd71:3::2
# A 1400-byte packet that may not be fragmented is lost at R1, and A learns nothing of why.
black_hole() { # F SIZE DST
	local route
	! on a ping -"$1" -c 1 -W 1 -M "do" -s "$2" "$3" && route=$(on a ip -"$1" route get "$3") &&
		echo "$route" && ! grep -q ' mtu ' <<<"$route"
}
check "outer IPv4: a 1400-byte DF ping from A to B is lost, and A's kernel learns no MTU" \
	black_hole 4 1372 10.71.3.2
check "outer IPv6: so is a 1400-byte ping, and A's kernel learns no MTU" black_hole 6 1352 fd71:3::2

if ! { tunnel ww 1 "$WGO" "$WGO" && tunnel aw 2 "$ADIT" "$WGO" && tunnel aa 3 "$ADIT" "$ADIT"; }; then
	report 0 "the three tunnels' daemons start" /dev/null
	finish
fi
# Everything A's adit interfaces carry as ICMP, from before they have a peer to probe.
capture a cap-aw "${IF[aw-a]}" 'icmp or icmp6' && capture a cap-aa "${IF[aa-a]}" 'icmp or icmp6'
tunnel_peers ww && tunnel_peers aw && tunnel_peers aa
start b bulk "$PY" "$PYDIR/tcp_bulk.py" serve "$PORT" && wait_log bulk listening

# Four passes: variant 1 then 2, each over outer IPv4 then IPv6. In each, the control's
# transfers start first and run while adit's path MTU is awaited and aw and aa carry theirs.
for v in 1 2; do
	pm_variant "$v"
	for f in 4 6; do
		c="variant $v, outer IPv$f"
		pmtu=$PMTU4
		[ "$f" = 4 ] || pmtu=$PMTU6
		if [ "$f" = 6 ] || [ "$v" = 2 ]; then endpoints "$f"; fi
		forget_pmtu
		for name in ww aw aa; do
			check "[$c] $name: a small ping crosses" on a ping -"$f" -c 1 -W 2 "$(inner_b $name "$f")"
		done
		controls_start "$f"
		# adit: the path MTU of the peer, probed after the handshake or the endpoint's change.
		for name in aw aa; do
			check "[$c] $name: adit show in A has path MTU $pmtu for B within $PROBE s" \
				wait_for "$PROBE" pmtu_is "$name" "$pmtu"
			note "$name in A: $(pmtu_line "$name")"
		done
		check "[$c] aa: adit show in B has path MTU $pmtu for A" wait_for "$PROBE" pmtu_is aa "$pmtu" b
		transfers "$c" "$f"
		check "[$c] ww (control): 4 MB from A to B stalls (the black hole holds)" stalled ww-put
		check "[$c] ww (control): 4 MB from B to A stalls" stalled ww-get
		if [ "$v" = 1 ]; then
			for name in aw aa; do
				df_pings "$name" 4 "$pmtu" "$c"
				df_pings "$name" 6 "$pmtu" "$c"
			done
		fi
	done
done
pm_counters

# --- the path's MTU drops under a transfer (adit:) ------------------------------------------
# Variant 2 still, the R1–R2 link back at 1500 and the endpoints over IPv4 again, so that adit
# probes the path anew and finds the interface's own 1420 (and the control carries its 4 MB:
# what stalled it was the 1380 link); then 4 MB each way through aa, spread over 2 s, and once
# a quarter of it has crossed, the link drops to 1380.
c="variant 2, outer IPv4, MTU 1500 then 1380"
pm_link_mtu 1500
endpoints 4
forget_pmtu
check "[$c] ww (control): at MTU 1500, 4 MB from A to B arrive intact" xfer ww put 4 "$FAST"
check "[$c] ww (control): and 4 MB from B to A" xfer ww get 4 "$FAST"
check "[$c] aa: adit show has path MTU 1420 for B within $PROBE s" wait_for "$PROBE" pmtu_is aa 1420
note "aa in A: $(pmtu_line aa)"
# Bytes A's adit has sent through aa.
tx_of() { wg_field a "${IF[aa-a]}" transfer | awk '{ print $2 }'; }
tx_past() { [ "$(tx_of)" -gt "$1" ]; }
tx0=$(tx_of)
start a drop-put timeout 15 "$PY" "$PYDIR/tcp_bulk.py" put 10.83.0.2 "$PORT" "$MB4" 2
start a drop-get timeout 15 "$PY" "$PYDIR/tcp_bulk.py" get 10.83.0.2 "$PORT" "$MB4" 2
wait_for 5 tx_past $((tx0 + MB4 / 4))
pm_link_mtu 1380
note "the R1–R2 link is at MTU 1380 ($(($(tx_of) - tx0)) bytes sent by A's adit before)"
check "[$c] aa: the 4 MB from A to B arrive intact" wait_exit drop-put 15
check "[$c] aa: the 4 MB from B to A arrive intact" wait_exit drop-get 15
sed 's/^/# /' "$T/drop-put.log" "$T/drop-get.log"
check "[$c] aa: adit show has path MTU $PMTU4 for B" wait_for "$PROBE" pmtu_is aa "$PMTU4"

# --- a peer with no address to probe (adit:) ------------------------------------------------
# aw's peer in A, removed and added again with only B's /24: nothing of B to send an echo
# request to. adit says so, and the tunnel works as before.
c="no probe address"
on a wg set "${IF[aw-a]}" peer "$(cat "$T/aw-b.pub")" remove
wg_peer a "${IF[aw-a]}" aw-b 10.82.0.0/24 10.71.3.2:51822
check "[$c] aw: adit show has path MTU unknown" wait_for "$PROBE" pmtu_is aw unknown
check "[$c] aw: and says there is no address of B to probe" sh -c "
	ip netns exec $(ns a) '$ADIT' show '${IF[aw-a]}' | grep 'path MTU: unknown' | grep -qi 'address'"
note "aw in A: $(pmtu_line aw)"
check "[$c] aw: A pings B" on a ping -c 2 -i 0.2 -W 2 10.82.0.2
check "[$c] aw: B pings A" on b ping -c 2 -i 0.2 -W 2 10.82.0.1

# --- probe replies (adit:) ------------------------------------------------------------------
end_capture cap-aw
end_capture cap-aa
for name in aw aa; do
	check "$name: no echo reply on A's TUN that A did not ask for ($(unasked_replies "cap-$name" | tail -n 1))" \
		unasked_replies "cap-$name"
done

note "wg-pmtu.sh took $SECONDS s"
finish
