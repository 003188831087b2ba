#!/usr/bin/env bash
# adit's benchmark: adit (wg mode and lab mode) beside raw veth, kernel vxlan and the
# userspace VPNs people pick instead, between two network namespaces joined by a veth pair,
# in one run. Each tunnel is set up as its users would set it up, measured with iperf3 and
# ping, and torn down before the next. The whole set is repeated BENCH_REPEAT times and the
# medians are printed, with ratios to veth and between adit and each peer. bench/README.md
# says what each figure means and lists the knobs.
#
# Traffic goes only to addresses inside the two namespaces this script creates; the EXIT
# trap removes them and stops every process the script started, by PID.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/proc.sh
. "$ROOT/bench/proc.sh"
ADIT=$ROOT/adit
ANCHOR=$ROOT/../shared/anchors/wireguard-go      # CI lays shared/ beside the checkout
WGGO_UPSTREAM_DIR=${WGGO_UPSTREAM_DIR:-/tmp/wggo-upstream}

ALL_TUNNELS="veth vxlan adit-wg adit-wg-openssl adit-lab adit-lab-1500 wggo-debian wggo-upstream openvpn-aes openvpn-chacha fastd tinc"
TUNNELS=${BENCH_TUNNELS:-$ALL_TUNNELS}
SECS=${BENCH_SECONDS:-5}
REPEAT=${BENCH_REPEAT:-3}
PINGS=${BENCH_PINGS:-200}
KEEP_LOGS=${BENCH_KEEP_LOGS:-0}
read -ra ADIT_WG_EXTRA <<<"${ADIT_WG_ARGS:-}"     # split on purpose: several flags
read -ra ADIT_LAB_EXTRA <<<"${ADIT_LAB_ARGS:-}"

ID=$$                                   # makes namespaces, links and sockets unique per run
NA=adit-b-$ID-a                         # the sending side (iperf3 and ping clients)
NB=adit-b-$ID-b                         # the receiving side (iperf3 server)
VA=vb${ID}a VB=vb${ID}b                 # the veth pair, one end in each
OUT_A=10.250.0.1 OUT_B=10.250.0.2       # the "internet" between the two hosts
IPERF_PORT=5201
HZ=$(getconf CLK_TCK)
RESULTS=$ROOT/bench/results
STAMP=$(date +%Y%m%d-%H%M%S)-$ID
RUNS_CSV=$RESULTS/runs-$STAMP.csv
MEDIANS_CSV=$RESULTS/medians-$STAMP.csv
COLUMNS_CSV="tunnel,tcp1_mbps,tcp4_mbps,udp64_kpps,ping_avg_ms,ping_p99_ms,cpu_pct,mbps_per_cpu_pct"

WORK=                   # scratch directory: keys, configs, logs
ROW=                    # the row being run: TUNNEL-REPEAT
ALL_PIDS=()             # every background process still running, for the EXIT trap
TUN_PIDS=()             # the current tunnel's processes: their CPU is measured
TUN_LINKS=()            # links the current tunnel made by hand (deleted in both namespaces)
WG_SOCKS=()             # UAPI sockets in the shared /var/run/wireguard
IPERF_PID=
DST=                    # b's address inside the current tunnel
NOTE=                   # why a row was skipped or failed
declare -A DESC=()      # tunnel -> what was measured (version, cipher, MTU)
declare -A STATUS=()    # tunnel -> "" or "skipped: ..." or "failed: ..."

ina() { ip netns exec "$NA" "$@"; }
inb() { ip netns exec "$NB" "$@"; }
mtu_of() { ip -n "$1" -o link show "$2" 2>/dev/null | sed -n 's/.* mtu \([0-9]*\).*/\1/p'; }
has_link() { ip -n "$1" link show "$2" >/dev/null 2>&1; }

# ---------------------------------------------------------------------------------------
# Processes and cleanup (bg, stop, forget: bench/proc.sh)

# A tunnel process: started like bg, and its CPU counts.
bg_tunnel() {
	bg "$@"
	TUN_PIDS+=("$PID")
}

# Stops the current tunnel and removes its links, sockets and configuration.
teardown() {
	local p l s
	[ -n "$IPERF_PID" ] && stop "$IPERF_PID"
	IPERF_PID=
	for p in "${TUN_PIDS[@]}"; do stop "$p"; done
	for l in "${TUN_LINKS[@]}"; do
		ip -n "$NA" link del "$l" 2>/dev/null
		ip -n "$NB" link del "$l" 2>/dev/null
	done
	for s in "${WG_SOCKS[@]}"; do rm -f "$s"; done
	# BENCH_KEEP_LOGS=1 keeps each row's logs and configs (keys included) for a look later.
	if [ "$KEEP_LOGS" = 1 ] && [ -d "$WORK/row" ] && [ -n "$ROW" ]; then
		mkdir -p "$RESULTS/logs-$STAMP" && cp -r "$WORK/row" "$RESULTS/logs-$STAMP/$ROW"
	fi
	rm -rf "$WORK/row"
	TUN_PIDS=() TUN_LINKS=() WG_SOCKS=() DST='' NOTE=''
}

cleanup() {
	local p
	trap - EXIT INT TERM
	[ -n "$WORK" ] && teardown 2>/dev/null
	for p in "${ALL_PIDS[@]}"; do stop "$p"; done 2>/dev/null
	ip netns del "$NA" 2>/dev/null
	ip netns del "$NB" 2>/dev/null
	[ -n "$WORK" ] && rm -rf "$WORK"
}
trap cleanup EXIT
trap 'log "bench: interrupted"; exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------
# The two hosts

setup_namespaces() {
	ip netns add "$NA" && ip netns add "$NB" || return 1
	ip link add "$VA" netns "$NA" type veth peer name "$VB" netns "$NB" || return 1
	ip -n "$NA" addr add "$OUT_A/24" dev "$VA"
	ip -n "$NB" addr add "$OUT_B/24" dev "$VB"
	for ns in "$NA" "$NB"; do
		ip -n "$ns" link set lo up
	done
	ip -n "$NA" link set "$VA" up && ip -n "$NB" link set "$VB" up
}

# wait_for COUNT_TENTHS CMD...: retries CMD every 0.1 s until it succeeds, or a tunnel
# process has died.
wait_for() {
	local n=$1 _
	shift
	for _ in $(seq "$n"); do
		"$@" >/dev/null 2>&1 && return 0
		alive || return 1                       # a daemon that exited will not get there
		sleep 0.1
	done
	return 1
}

# The tunnel is up when b's inner address answers a ping from a (this also makes the
# WireGuard rows do their handshake before anything is timed).
wait_tunnel() {
	local _
	for _ in $(seq 30); do
		ina ping -c 1 -W 1 "$DST" >/dev/null 2>&1 && return 0
		alive || return 1
	done
	return 1
}

# Every tunnel process still running?
alive() {
	local p
	for p in "${TUN_PIDS[@]}"; do kill -0 "$p" 2>/dev/null || return 1; done
}


# ---------------------------------------------------------------------------------------
# One function per tunnel. Each sets DST, TUN_PIDS, TUN_LINKS and DESC, and returns 0 when
# configured, 2 (with NOTE) when its software is missing, 1 (with NOTE) when it failed.

setup_veth() {
	DESC[veth]="no tunnel: the veth pair itself, MTU 1500"
	DST=$OUT_B
}

# Kernel VXLAN (plaintext, in-kernel): the floor for an encapsulating tunnel.
setup_vxlan() {
	local l=vx$ID
	TUN_LINKS+=("$l")
	ip -n "$NA" link add "$l" type vxlan id 42 local $OUT_A remote $OUT_B dstport 4789 dev "$VA" &&
		ip -n "$NB" link add "$l" type vxlan id 42 local $OUT_B remote $OUT_A dstport 4789 dev "$VB" ||
		{ NOTE="cannot create a vxlan link"; return 1; }
	ip -n "$NA" addr add 10.250.3.1/24 dev "$l" && ip -n "$NA" link set "$l" up
	ip -n "$NB" addr add 10.250.3.2/24 dev "$l" && ip -n "$NB" link set "$l" up
	DESC[vxlan]="kernel vxlan, VNI 42, UDP 4789, MTU $(mtu_of "$NA" "$l")"
	DST=10.250.3.2
}

# setup_wg_userspace NET IFPREFIX CMD...: a userspace WireGuard daemon at each end, run as
# wg-quick runs it (CMD IFACE, then WG_AFTER), configured with wg(8) and ip(8) as README.md
# shows. The interface names carry the PID: /var/run/wireguard is shared by every namespace.
WG_AFTER=()
setup_wg_userspace() {
	local net=$1 pre=$2
	shift 2
	local ia=${pre}${ID}a ib=${pre}${ID}b d=$WORK/row
	(umask 077 && wg genkey >"$d/a.key" && wg genkey >"$d/b.key") &&
		wg pubkey <"$d/a.key" >"$d/a.pub" && wg pubkey <"$d/b.key" >"$d/b.pub" ||
		{ NOTE="wg genkey failed"; return 1; }
	WG_SOCKS+=("/var/run/wireguard/$ia.sock" "/var/run/wireguard/$ib.sock")
	bg_tunnel "$NA" "$d/a.log" "$@" "$ia" "${WG_AFTER[@]}"
	bg_tunnel "$NB" "$d/b.log" "$@" "$ib" "${WG_AFTER[@]}"
	WG_AFTER=()
	wait_for 100 test -S "/var/run/wireguard/$ia.sock" &&
		wait_for 100 test -S "/var/run/wireguard/$ib.sock" ||
		{ NOTE="no UAPI socket"; return 1; }
	# A endpoint is given on both sides, as two hosts configured by hand would have it.
	ina wg set "$ia" private-key "$d/a.key" listen-port 51820 \
		peer "$(cat "$d/b.pub")" allowed-ips "$net.2/32" endpoint "$OUT_B:51820" &&
		inb wg set "$ib" private-key "$d/b.key" listen-port 51820 \
			peer "$(cat "$d/a.pub")" allowed-ips "$net.1/32" endpoint "$OUT_A:51820" ||
		{ NOTE="wg set failed"; return 1; }
	ip -n "$NA" addr add "$net.1/24" dev "$ia" && ip -n "$NA" link set "$ia" up &&
		ip -n "$NB" addr add "$net.2/24" dev "$ib" && ip -n "$NB" link set "$ib" up ||
		{ NOTE="cannot configure $ia/$ib"; return 1; }
	MTU=$(mtu_of "$NA" "$ia")
	DST=$net.2
}

# adit-wg seals with the AEAD backend adit chooses (intel-ipsec-mb on x86 when built with
# it; an ADIT_CRYPTO in the caller's environment is not passed on), adit-wg-openssl with
# OpenSSL's (ADIT_CRYPTO=openssl): the two rows show what the backend is worth.
setup_adit-wg() {
	adit_wg adit-wg 10.250.11 awg ""
}

setup_adit-wg-openssl() {
	adit_wg adit-wg-openssl 10.250.18 awo openssl
}

adit_wg() { # ROW NET PREFIX CRYPTO
	local row=$1 net=$2 pre=$3 crypto=$4 backend
	[ -x "$ADIT" ] || { NOTE="no $ADIT (run make adit)"; return 2; }
	have wg || { NOTE="wg not installed (wireguard-tools)"; return 2; }
	backend=$(ADIT_CRYPTO=$crypto "$ADIT" --version 2>&1 | sed -n 's/^wg data crypto: //p')
	case $backend in
	"" | none*) NOTE="adit cannot use ADIT_CRYPTO=$crypto here"; return 2 ;;
	esac
	WG_AFTER=("${ADIT_WG_EXTRA[@]}")     # ADIT_WG_ARGS goes at the end of the command line
	setup_wg_userspace "$net" "$pre" env ADIT_CRYPTO="$crypto" "$ADIT" -f || return
	DESC[$row]="$("$ADIT" --version | head -1) wg mode, MTU $MTU, crypto $backend${ADIT_WG_ARGS:+, args: $ADIT_WG_ARGS}"
}

setup_wggo-debian() {
	[ -x /usr/bin/wireguard-go ] || { NOTE="/usr/bin/wireguard-go not installed (Debian package wireguard-go)"; return 2; }
	have wg || { NOTE="wg not installed (wireguard-tools)"; return 2; }
	setup_wg_userspace 10.250.12 dwg env WG_PROCESS_FOREGROUND=1 /usr/bin/wireguard-go -f || return
	DESC[wggo-debian]="Debian $(/usr/bin/wireguard-go --version | head -1), MTU $MTU"
}

# Upstream wireguard-go (TUN offloads, UDP GSO/GRO), built once by the anchor's build.sh
# and reused from WGGO_UPSTREAM_DIR on later runs.
setup_wggo-upstream() {
	local bin=$WGGO_UPSTREAM_DIR/wireguard-go
	have wg || { NOTE="wg not installed (wireguard-tools)"; return 2; }
	if [ ! -x "$bin" ]; then
		[ -x "$ANCHOR/build.sh" ] || { NOTE="no $ANCHOR/build.sh to build it"; return 2; }
		log "bench: building upstream wireguard-go into $WGGO_UPSTREAM_DIR (about a minute, once)"
		"$ANCHOR/build.sh" "$WGGO_UPSTREAM_DIR" >"$WORK/wggo-build.log" 2>&1 ||
			{ NOTE="build.sh failed (tail: $(tail -n 1 "$WORK/wggo-build.log"))"; return 2; }
	fi
	setup_wg_userspace 10.250.13 uwg env WG_PROCESS_FOREGROUND=1 "$bin" -f || return
	DESC[wggo-upstream]="upstream $("$bin" --version | head -1), MTU $MTU"
}

# adit lab mode as a user starts it: the server in b, the client in a, plaintext UDP on port
# 9090; each TUN sized from the path below it (1500 less the outer IPv4 and UDP headers), so
# no datagram is fragmented and GSO and GRO carry runs of them.
setup_adit-lab() {
	lab_pair adit-lab
}

# The same at the kernel's MTU 1500, which the lab's Python scripts keep: every full-size
# packet's datagram is fragmented on the veth.
setup_adit-lab-1500() {
	lab_pair adit-lab-1500 --mtu 1500
}

lab_pair() {
	local d=$WORK/row row=$1
	shift
	[ -x "$ADIT" ] || { NOTE="no $ADIT (run make adit)"; return 2; }
	bg_tunnel "$NB" "$d/server.log" "$ADIT" server -l 0.0.0.0:9090 -n "alab${ID}b" \
		-a 192.168.53.1/24 -q "$@" "${ADIT_LAB_EXTRA[@]}"
	wait_for 50 ip -n "$NB" -o addr show dev "alab${ID}b" to 192.168.53.1 ||
		{ NOTE="server interface not up"; return 1; }
	bg_tunnel "$NA" "$d/client.log" "$ADIT" client "$OUT_B:9090" -n "alab${ID}a" \
		-a 192.168.53.2/24 -q "$@" "${ADIT_LAB_EXTRA[@]}"
	wait_for 50 ip -n "$NA" -o addr show dev "alab${ID}a" to 192.168.53.2 ||
		{ NOTE="client interface not up"; return 1; }
	MTU=$(mtu_of "$NA" "alab${ID}a")
	DESC[$row]="$("$ADIT" --version | head -1) lab mode (plaintext), MTU $MTU${ADIT_LAB_ARGS:+, args: $ADIT_LAB_ARGS}"
	DST=192.168.53.1
}

# A tiny PKI for OpenVPN's TLS mode, made once per run: an EC CA, a server and a client
# certificate with the key usages that remote-cert-tls checks.
make_pki() {
	local p=$WORK/pki
	[ -f "$p/client.crt" ] && return 0
	mkdir -p "$p" && (
		cd "$p" || exit 1
		ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
		openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.crt -days 2 -subj /CN=adit-bench-ca &&
			for who in server client; do
				[ $who = server ] && eku=serverAuth || eku=clientAuth
				openssl req "${ec[@]}" -keyout $who.key -out $who.csr -subj /CN=$who &&
					printf 'keyUsage=critical,digitalSignature\nextendedKeyUsage=%s\n' "$eku" >$who.ext &&
					openssl x509 -req -in $who.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
						-days 2 -extfile $who.ext -out $who.crt || exit 1
			done
	) >"$WORK/pki.log" 2>&1
}

# setup_openvpn NAME CIPHER NET: OpenVPN 2.6 as most people run it, a UDP server (b) with
# `server` and topology subnet and a `client` (a), TLS with certificates, one data cipher.
# The TUN keeps OpenVPN's default MTU (tun-mtu 1500; OpenVPN fragments nothing itself).
setup_openvpn() {
	local name=$1 cipher=$2 net=$3 d=$WORK/row p=$WORK/pki
	have openvpn || { NOTE="openvpn not installed"; return 2; }
	have openssl || { NOTE="openssl not installed"; return 2; }
	make_pki || { NOTE="cannot make the PKI (see openssl)"; return 1; }
	cat >"$d/server.conf" <<-EOF
		dev ovpn${ID}b
		dev-type tun
		proto udp
		local $OUT_B
		port 1194
		server $net.0 255.255.255.0
		topology subnet
		ca $p/ca.crt
		cert $p/server.crt
		key $p/server.key
		dh none
		data-ciphers $cipher
		keepalive 10 60
		verb 3
	EOF
	cat >"$d/client.conf" <<-EOF
		client
		dev ovpn${ID}a
		dev-type tun
		proto udp
		remote $OUT_B 1194
		nobind
		ca $p/ca.crt
		cert $p/client.crt
		key $p/client.key
		remote-cert-tls server
		data-ciphers $cipher
		verb 3
	EOF
	bg_tunnel "$NB" "$d/server.log" openvpn --config "$d/server.conf"
	bg_tunnel "$NA" "$d/client.log" openvpn --config "$d/client.conf"
	wait_for 150 grep -q "Initialization Sequence Completed" "$d/client.log" ||
		{ NOTE="client did not complete its initialization in 15 s"; return 1; }
	grep -q "Data Channel: cipher '$cipher'" "$d/client.log" ||
		{ NOTE="data channel is not $cipher"; return 1; }
	# Debian 12's OpenVPN knows only the out-of-tree ovpn-dco module: without it (here) the
	# data channel stays in userspace, which is what the row should measure.
	local dco="userspace data channel"
	grep -q "disabling data channel offload" "$d/client.log" || dco="data channel offload (DCO) may be on"
	DESC[$name]="$(openvpn --version | head -1 | cut -d' ' -f1-2) $cipher, TLS (EC P-256), $dco, MTU $(mtu_of "$NA" "ovpn${ID}a")"
	DST=$net.1
}

setup_openvpn-aes() { setup_openvpn openvpn-aes AES-256-GCM 10.250.14; }
setup_openvpn-chacha() { setup_openvpn openvpn-chacha CHACHA20-POLY1305 10.250.15; }

# fastd with its default method salsa2012+umac, TUN mode between the two peers, and the
# MTU fastd's manual gives for TUN over IPv4 with a crypto method: 1500 - 28 - 24 = 1448.
setup_fastd() {
	local d=$WORK/row side peer
	have fastd || { NOTE="fastd not installed"; return 2; }
	for side in a b; do
		fastd --generate-key >"$d/$side.keys" 2>/dev/null &&
			sed -n 's/^Secret: //p' "$d/$side.keys" >"$d/$side.secret" &&
			sed -n 's/^Public: //p' "$d/$side.keys" >"$d/$side.public" &&
			[ -s "$d/$side.secret" ] && [ -s "$d/$side.public" ] ||
			{ NOTE="fastd --generate-key failed"; return 1; }
	done
	for side in a b; do
		[ $side = a ] && peer=b || peer=a
		local me=$OUT_A them=$OUT_B n=1
		[ $side = b ] && me=$OUT_B them=$OUT_A n=2
		cat >"$d/$side.conf" <<-EOF
			interface "fd${ID}$side";
			mode tun;
			mtu 1448;
			method "salsa2012+umac";
			bind $me:10000;
			secret "$(cat "$d/$side.secret")";
			log level warn;
			on up "ip addr add 10.250.16.$n/24 dev \$INTERFACE && ip link set up dev \$INTERFACE";
			peer "$peer" {
				key "$(cat "$d/$peer.public")";
				remote $them:10000;
			}
		EOF
	done
	bg_tunnel "$NB" "$d/b.log" fastd --config "$d/b.conf"
	bg_tunnel "$NA" "$d/a.log" fastd --config "$d/a.conf"
	DST=10.250.16.2
	wait_for 50 has_link "$NA" "fd${ID}a"
	DESC[fastd]="$(fastd --version) salsa2012+umac, TUN, MTU $(mtu_of "$NA" "fd${ID}a")"
}

# tinc 1.0 (what Debian 12 has) in its default router mode and default cipher (Blowfish-CBC
# with HMAC-SHA1: tinc 1.0 users who change nothing get this), RSA-2048 keys made by
# tincd -K, a ConnectTo from a to b, tinc-up giving each end its address.
setup_tinc() {
	local d=$WORK/row side n addr
	have tincd || { NOTE="tincd not installed (Debian package tinc)"; return 2; }
	for side in a b; do
		mkdir -p "$d/$side/hosts"
		[ $side = a ] && n=1 addr=$OUT_A || n=2 addr=$OUT_B
		{
			echo "Name = $side"
			echo "Interface = tnc${ID}$side"
			echo "AddressFamily = ipv4"
			[ $side = a ] && echo "ConnectTo = b"
		} >"$d/$side/tinc.conf"
		printf 'Address = %s\nSubnet = 10.250.17.%s/32\n' "$addr" "$n" >"$d/$side/hosts/$side"
		printf '#!/bin/sh\nip addr add 10.250.17.%s/24 dev "$INTERFACE"\nip link set "$INTERFACE" up\n' \
			"$n" >"$d/$side/tinc-up"
		chmod +x "$d/$side/tinc-up"
		tincd -c "$d/$side" -K 2048 </dev/null >"$d/keygen-$side.log" 2>&1 ||
			{ NOTE="tincd -K failed"; return 1; }
	done
	cp "$d/a/hosts/a" "$d/b/hosts/a" && cp "$d/b/hosts/b" "$d/a/hosts/b"
	bg_tunnel "$NB" "$d/b.out.log" tincd -c "$d/b" -D --pidfile="$d/b.pid" --logfile="$d/b.log"
	bg_tunnel "$NA" "$d/a.out.log" tincd -c "$d/a" -D --pidfile="$d/a.pid" --logfile="$d/a.log"
	DST=10.250.17.2
	wait_for 50 has_link "$NA" "tnc${ID}a"
	DESC[tinc]="$(tincd --version | head -1 | cut -d' ' -f1,3) Blowfish-CBC+HMAC-SHA1 (defaults), router mode, MTU $(mtu_of "$NA" "tnc${ID}a")"
}

# ---------------------------------------------------------------------------------------
# Measuring

# Sum of utime+stime (all threads) of the tunnel's processes, in clock ticks.
cpu_ticks() {
	local p s t=0
	for p in "${TUN_PIDS[@]}"; do
		s=$(cat "/proc/$p/stat" 2>/dev/null) || continue
		s=${s##*) }                              # the command name may hold spaces
		read -ra f <<<"$s"
		t=$((t + f[11] + f[12]))                 # fields 14 and 15 of proc(5)
	done
	echo "$t"
}

now() { date +%s.%N; }

# PINGS pings at 10 ms on an otherwise idle tunnel; prints "avg p99" in ms from the RTTs.
measure_ping() {
	ina ping -c "$PINGS" -i 0.01 -W 1 "$DST" 2>/dev/null |
		sed -n 's/.* time=\([0-9.]*\) ms.*/\1/p' | sort -g |
		awk '{ v[NR] = $1; s += $1 }
		     END { if (NR == 0) { print "NA NA"; exit }
		           i = int(NR * 0.99 + 0.999999); if (i > NR) i = NR
		           printf "%.3f %.3f\n", s / NR, v[i] }'
}

# measure_tcp STREAMS: Mbit/s received at b.
measure_tcp() {
	ina timeout $((SECS + 20)) iperf3 -c "$DST" -p $IPERF_PORT -t "$SECS" -P "$1" -J 2>/dev/null |
		jq -r '(.end.sum_received.bits_per_second // empty) / 1e6 | . * 10 | round / 10' 2>/dev/null |
		grep . || echo NA
}

# 64-byte UDP datagrams sent as fast as iperf3 can (-b 0): thousands of packets per second
# that reached b (sent minus lost, as b counted them, over the test's duration).
measure_udp() {
	ina timeout $((SECS + 20)) iperf3 -c "$DST" -p $IPERF_PORT -t "$SECS" -u -l 64 -b 0 -J 2>/dev/null |
		jq -r '(.end.sum_received // .end.sum) | select(.packets != null) |
		       (.packets - .lost_packets) / .seconds / 1000 | . * 10 | round / 10' 2>/dev/null |
		grep . || echo NA
}

# measure TUNNEL REP: one row of runs.csv.
measure() {
	local t=$1 rep=$2 pa p99 tcp1 tcp4 udp c0 c1 t0 t1 cpu=NA per=NA
	read -r pa p99 <<<"$(measure_ping)"
	bg "$NB" "$WORK/row/iperf3.log" iperf3 -s -B "$DST" -p $IPERF_PORT
	IPERF_PID=$PID
	wait_for 50 sh -c "ip netns exec $NB ss -Hltn 'sport = :$IPERF_PORT' | grep -q ." ||
		log "bench: $t: iperf3 server not listening"
	c0=$(cpu_ticks) t0=$(now)
	tcp1=$(measure_tcp 1)
	c1=$(cpu_ticks) t1=$(now)
	tcp4=$(measure_tcp 4)
	udp=$(measure_udp)
	if [ ${#TUN_PIDS[@]} -gt 0 ]; then
		cpu=$(awk -v d=$((c1 - c0)) -v hz="$HZ" -v t0="$t0" -v t1="$t1" \
			'BEGIN { printf "%.1f", 100 * d / hz / (t1 - t0) }')
		per=$(awk -v m="$tcp1" -v c="$cpu" 'BEGIN { if (m == "NA" || c + 0 <= 0) print "NA"; else printf "%.2f", m / c }')
	fi
	echo "$rep,$t,$tcp1,$tcp4,$udp,$pa,$p99,$cpu,$per" >>"$RUNS_CSV"
	log "$(printf 'bench:   %-15s tcp1 %s tcp4 %s Mbit/s, udp64 %s kpps, ping %s/%s ms, cpu %s%%' \
		"$t" "$tcp1" "$tcp4" "$udp" "$pa" "$p99" "$cpu")"
}

# run_row TUNNEL REP: set up, measure, tear down.
run_row() {
	local t=$1 rep=$2 rc
	ROW=$t-$rep
	mkdir -p "$WORK/row"
	"setup_$t"
	rc=$?
	if [ $rc -eq 0 ] && ! wait_tunnel; then
		rc=1 NOTE="no ping through the tunnel to $DST after 30 tries"
	fi
	if [ $rc -ne 2 ] && ! alive; then
		rc=1 NOTE="a tunnel process exited${NOTE:+ ($NOTE)}"
	fi
	case $rc in
	0) measure "$t" "$rep" ;;
	2) STATUS[$t]="skipped: $NOTE"; log "bench:   $t skipped: $NOTE" ;;
	*) STATUS[$t]="failed in pass $rep: $NOTE"; log "bench:   $t FAILED: $NOTE"; show_logs ;;
	esac
	teardown
}

# ---------------------------------------------------------------------------------------
# Reporting

# median TUNNEL COLUMN (1-based in runs.csv): the median of the numeric values, or NA.
median() {
	awk -F, -v t="$1" -v c="$2" '$2 == t && $c != "NA" { print $c }' "$RUNS_CSV" | sort -g |
		awk '{ v[NR] = $1 } END { if (NR == 0) print "NA"; else if (NR % 2) print v[(NR + 1) / 2];
		      else printf "%.6g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# ratio A B [DECIMALS]: A/B (two decimals by default), or "-" when either is missing.
ratio() {
	awk -v a="$1" -v b="$2" -v n="${3:-2}" 'BEGIN {
		if (a == "NA" || b == "NA" || a == "-" || b == "-" || b + 0 == 0) print "-"
		else printf("%." n "f\n", a / b) }'
}

declare -A MED=()
report() {
	local t c fmt="%-15s %9s %9s %9s %9s %9s %9s %9s %9s\n"
	echo "$COLUMNS_CSV" >"$MEDIANS_CSV"
	for t in $TUNNELS; do
		grep -q "^[0-9]*,$t," "$RUNS_CSV" || continue
		for c in 3 4 5 6 7 8 9; do MED[$t,$c]=$(median "$t" "$c"); done
		echo "$t,${MED[$t,3]},${MED[$t,4]},${MED[$t,5]},${MED[$t,6]},${MED[$t,7]},${MED[$t,8]},${MED[$t,9]}" >>"$MEDIANS_CSV"
	done
	echo
	echo "Medians of $REPEAT run(s), ${SECS} s per iperf3 test, $PINGS pings:"
	echo
	printf "$fmt" tunnel "TCP1" "TCP4" "UDP64" "ping avg" "ping p99" "CPU" "Mbit/s" "TCP1 vs"
	printf "$fmt" "" "Mbit/s" "Mbit/s" "kpps" "ms" "ms" "%" "per CPU%" "veth"
	for t in $TUNNELS; do
		if [ -z "${MED[$t,3]:-}" ]; then
			printf "%-15s %s\n" "$t" "${STATUS[$t]:-no result}"
			continue
		fi
		local cpu=${MED[$t,8]} per=${MED[$t,9]}
		[ "$cpu" = NA ] && cpu=- per=-
		printf "$fmt" "$t" "${MED[$t,3]}" "${MED[$t,4]}" "${MED[$t,5]}" "${MED[$t,6]}" "${MED[$t,7]}" \
			"$cpu" "$per" "$(ratio "${MED[$t,3]}" "${MED[veth,3]:-NA}" 3)"
	done
	echo
	echo "What each row is:"
	for t in $TUNNELS; do
		[ -n "${DESC[$t]:-}" ] && printf "  %-15s %s\n" "$t" "${DESC[$t]}"
		# A row measured in some passes and failed in another says so.
		[ -n "${DESC[$t]:-}" ] && [ -n "${STATUS[$t]:-}" ] && printf "  %-15s (%s)\n" "" "${STATUS[$t]}"
	done
	for a in adit-wg adit-lab adit-lab-1500; do
		[ -n "${MED[$a,3]:-}" ] || continue
		[ "$(grep -c "^[a-z]" "$MEDIANS_CSV")" -gt 2 ] || continue     # header, adit, a peer
		echo
		echo "$a relative to each peer (>1: $a is better):"
		printf "  %-15s %9s %9s %13s\n" peer "TCP1" "TCP4" "Mbit/s/CPU%"
		for t in $TUNNELS; do
			[ "$t" = "$a" ] || [ -z "${MED[$t,3]:-}" ] && continue
			printf "  %-15s %9s %9s %13s\n" "$t" "$(ratio "${MED[$a,3]}" "${MED[$t,3]}")" \
				"$(ratio "${MED[$a,4]}" "${MED[$t,4]}")" "$(ratio "${MED[$a,9]}" "${MED[$t,9]}")"
		done
	done
	echo
	echo "CSV: $RUNS_CSV"
	echo "     $MEDIANS_CSV"
	echo "this report: $RESULTS/report-$STAMP.txt"
}

machine() {
	echo "adit bench $(date '+%F %T')"
	echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), kernel $(uname -r)"
	echo "tunnels: $TUNNELS"
	echo "BENCH_SECONDS=$SECS BENCH_REPEAT=$REPEAT BENCH_PINGS=$PINGS ADIT_WG_ARGS='${ADIT_WG_ARGS:-}' ADIT_LAB_ARGS='${ADIT_LAB_ARGS:-}'"
}

# ---------------------------------------------------------------------------------------

main() {
	local t rep
	[ "$(id -u)" -eq 0 ] || { log "bench: run as root (network namespaces)"; exit 1; }
	for t in $TUNNELS; do
		case " $ALL_TUNNELS " in *" $t "*) ;; *) log "bench: unknown tunnel '$t' (known: $ALL_TUNNELS)"; exit 2 ;; esac
	done
	for t in ip iperf3 ping jq; do
		have $t || { log "bench: $t is missing (scripts/deps.sh bench installs it)"; exit 1; }
	done
	WORK=$(mktemp -d /tmp/adit-bench.XXXXXX)
	mkdir -p "$RESULTS"
	echo "repeat,$COLUMNS_CSV" >"$RUNS_CSV"
	machine | tee "$RESULTS/report-$STAMP.txt"
	setup_namespaces || { log "bench: cannot create the namespaces"; exit 1; }
	for rep in $(seq "$REPEAT"); do
		log "bench: pass $rep of $REPEAT"
		for t in $TUNNELS; do
			# Skipped rows stay skipped: no need to look again every pass.
			case ${STATUS[$t]:-} in skipped:*) continue ;; esac
			run_row "$t" "$rep"
		done
	done
	report | tee -a "$RESULTS/report-$STAMP.txt"
}

main "$@"
