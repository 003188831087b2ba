#!/usr/bin/env bash
# Tracing (--trace) and capture (--pcap FILE). wg mode: adit with wireguard-go; a ping each
# way and a TCP transfer give trace lines naming the peer with the packet's summary, and the
# capture, read by tcpdump while adit still runs, holds the echo requests and replies both ways
# and the TCP segments, each no bigger than the MTU (super-packets are split before they are
# traced). Lab mode, TUN and TAP: the usual lines, unchanged, and captures of raw IP and of
# Ethernet frames; `adit tun --reply` captures its replies. A capture file that cannot be
# written stops adit at start with exit 1 and a message naming it, before any interface
# exists, and so does one at a symbolic link, which is not followed; --trace implies the
# foreground; -q with --trace is refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wglib.sh"
need_adit
need_wgo

# The records of a capture as tcpdump prints them, in $T/NAME.txt; its stderr (the link type)
# in $T/NAME.err.
read_pcap() {
	local name=$1
	shift
	tcpdump -r "$T/$name.pcap" -n "$@" >"$T/$name.txt" 2>"$T/$name.err"
}

# Bytes of TCP payload from SRC to DST in tcpdump -q lines ("IP A.P > B.Q: tcp N"), and the
# largest segment, as "TOTAL MAX".
tcp_bytes() {
	awk -v src="$2" -v dst="$3" '$3 ~ "^"src && $5 ~ "^"dst { n = $NF + 0; t += n; if (n > m) m = n }
		END { print t + 0, m + 0 }' "$T/$1.txt"
}

at_least() { [ "$1" -ge "$2" ]; }

# --- wg mode: adit (a) and wireguard-go (b) ---------------------------------------------
wg_two_hosts
ADIT_ARGS="${ADIT_ARGS:-} --trace --pcap $T/wg.pcap" wg_start_pair
wg_pair_tunnel
pub=$(cat "$T/b.pub")
peer="peer ${pub:0:4}…${pub:39:4}"
note "adit names wireguard-go '$peer'"
# The key's base64 may hold + and /: matched literally in the patterns below.
peer_re=$(printf '%s' "$peer" | sed 's/[][\\.*^$+?(){}|]/\\&/g')

check "wg: a pings b through the tunnel" on a ping -i 0.2 -c 3 -W 2 10.88.0.2
check "wg: b pings a" on b ping -i 0.2 -c 2 -W 2 10.88.0.1
start b echo "$PY" "$PYDIR/tcp_echo.py" serve 7000 && wait_log echo listening
check "wg: TCP from a to b, 200 kB echoed intact" \
	on a "$PY" "$PYDIR/tcp_echo.py" send 10.88.0.2 7000 200000
sleep 0.3
check "wg: trace line for a's echo request, with the peer and the ICMP summary" \
	grep -Eq "^tun ==> $peer_re: IPv4 10\.88\.0\.1 > 10\.88\.0\.2 ICMP echo-request id=[0-9]+ seq=1 ttl=64 len=84$" "$T/adit.log"
check "wg: trace line for the echo reply coming back" \
	grep -Eq "^tun <== $peer_re: IPv4 10\.88\.0\.2 > 10\.88\.0\.1 ICMP echo-reply id=[0-9]+ seq=1 ttl=64 len=84$" "$T/adit.log"
check "wg: trace lines for b's echo request in and a's reply out" \
	sh -c "grep -Eq '^tun <== $peer_re: IPv4 10\.88\.0\.2 > 10\.88\.0\.1 ICMP echo-request' '$T/adit.log' &&
		grep -Eq '^tun ==> $peer_re: IPv4 10\.88\.0\.1 > 10\.88\.0\.2 ICMP echo-reply' '$T/adit.log'"
check "wg: trace lines for the TCP handshake (SYN out, SYN-ACK in)" \
	sh -c "grep -Eq '^tun ==> $peer_re: IPv4 10\.88\.0\.1:[0-9]+ > 10\.88\.0\.2:7000 TCP \[S\] ' '$T/adit.log' &&
		grep -Eq '^tun <== $peer_re: IPv4 10\.88\.0\.2:7000 > 10\.88\.0\.1:[0-9]+ TCP \[S\.\] ' '$T/adit.log'"

# While adit runs: the capture is flushed per batch.
read_pcap wg
check "wg: tcpdump -r reads the capture while adit runs, as raw IP" \
	grep -q 'link-type RAW' "$T/wg.err"
check "wg: the capture holds a's echo requests and b's replies" \
	sh -c "grep -q '10.88.0.1 > 10.88.0.2: ICMP echo request' '$T/wg.txt' &&
		grep -q '10.88.0.2 > 10.88.0.1: ICMP echo reply' '$T/wg.txt'"
check "wg: and b's echo requests and a's replies" \
	sh -c "grep -q '10.88.0.2 > 10.88.0.1: ICMP echo request' '$T/wg.txt' &&
		grep -q '10.88.0.1 > 10.88.0.2: ICMP echo reply' '$T/wg.txt'"
check "wg: 3 + 2 echo requests and as many replies, each once" \
	test "$(grep -c 'ICMP echo request' "$T/wg.txt")/$(grep -c 'ICMP echo reply' "$T/wg.txt")" = 5/5
check "wg: the TCP handshake in the capture" \
	grep -Eq '10\.88\.0\.1\.[0-9]+ > 10\.88\.0\.2\.7000: Flags \[S\]' "$T/wg.txt"
read_pcap wg -q
read -r out out_max <<<"$(tcp_bytes wg 10.88.0.1 10.88.0.2.7000)"
read -r back back_max <<<"$(tcp_bytes wg 10.88.0.2.7000 10.88.0.1)"
note "wg: TCP payload captured: $out bytes out (largest $out_max), $back back (largest $back_max)"
check "wg: every byte of the transfer is in the capture, both ways ($out, $back)" \
	sh -c "[ $out -ge 200000 ] && [ $back -ge 200000 ]"
check "wg: as MTU-sized packets, not super-packets (largest $out_max, $back_max <= 1380)" \
	sh -c "[ $out_max -le 1380 ] && [ $back_max -le 1380 ] && [ $out_max -gt 1000 ]"
check "wg: adit exits 0 on SIGTERM" stop adit
stop wgo
stop echo
check "wg: the capture file is mode 0600 (it holds the tunnel's plaintext)" \
	test "$(stat -c %a "$T/wg.pcap")" = 600

# --trace alone, without -f: in the foreground all the same.
IC=$(wg_ifname c)
start a fg "$ADIT" --trace "$IC"
check "wg: --trace without -f serves $IC" wait_for 5 on a wg show "$IC"
check "wg: and stays in the foreground (the process started is the daemon)" alive "$(pid_of fg)"
check "wg: it exits 0 on SIGTERM" stop fg

# An unwritable capture path: exit 1, said, and no interface made.
ID=$(wg_ifname d)
on a "$ADIT" -f --pcap "$T/no-such-dir/x.pcap" "$ID" >"$T/bad-wg.out" 2>&1
rc=$?
check "wg: an unwritable --pcap path exits 1 (got $rc)" test $rc -eq 1
check "wg: the message names the file and says what to do" \
	grep -q "cannot write the capture file '$T/no-such-dir/x.pcap': No such file or directory (give --pcap a path" "$T/bad-wg.out"
check_not "wg: and no interface $ID was made" on a ip link show "$ID"
on a "$ADIT" --pcap "$T/no-such-dir/x.pcap" "$ID" >"$T/bad-wg-bg.out" 2>&1
rc=$?
check "wg: in the background too: exit 1 on the terminal, before the fork (got $rc)" \
	sh -c "[ $rc -eq 1 ] && grep -q 'cannot write the capture file' '$T/bad-wg-bg.out'"
on a "$ADIT" -f --pcap "$ID" >"$T/no-file.out" 2>&1
rc=$?
check "wg: --pcap without a file is a usage error, exit 2 (got $rc)" test $rc -eq 2

# --- lab mode, TUN ------------------------------------------------------------------------
lab_up || finish
start_adit server srv server -n tun%d -a 192.168.53.11/24 --pcap "$T/srv.pcap"
start_adit u cli client 10.9.0.11:9090 -n tun%d -a 192.168.53.99/24 -r 192.168.60.0/24 \
	--trace --pcap "$T/cli.pcap"
check "lab: U pings V through the tunnel" on u ping -i 0.2 -c 2 -W 2 192.168.60.5
start v lecho "$PY" "$PYDIR/tcp_echo.py" serve 7000 && wait_log lecho listening
check "lab: TCP from U to V, 100 kB echoed intact" \
	on u "$PY" "$PYDIR/tcp_echo.py" send 192.168.60.5 7000 100000
sleep 0.3
check "lab: the client's lines are lab mode's own, --trace or not" \
	sh -c "grep -q '^From tun ==>: 192.168.53.99 --> 192.168.60.5$' '$T/cli.log' &&
		grep -q '^From socket <==: 192.168.60.5 --> 192.168.53.99 (from 10.9.0.11:9090)$' '$T/cli.log'"
read_pcap cli
check "lab: the client's capture reads as raw IP while it runs" grep -q 'link-type RAW' "$T/cli.err"
check "lab: it holds U's echo requests and V's replies" \
	sh -c "grep -q '192.168.53.99 > 192.168.60.5: ICMP echo request' '$T/cli.txt' &&
		grep -q '192.168.60.5 > 192.168.53.99: ICMP echo reply' '$T/cli.txt'"
check "lab: and the TCP segments" grep -Eq '192\.168\.53\.99\.[0-9]+ > 192\.168\.60\.5\.7000: Flags \[S\]' "$T/cli.txt"
read_pcap cli -q
read -r out out_max <<<"$(tcp_bytes cli 192.168.53.99 192.168.60.5.7000)"
read -r back back_max <<<"$(tcp_bytes cli 192.168.60.5.7000 192.168.53.99)"
note "lab: TCP payload captured at the client: $out bytes out (largest $out_max), $back back (largest $back_max)"
check "lab: every byte of the transfer, both ways, MTU-sized ($out, $back; largest $out_max, $back_max)" \
	sh -c "[ $out -ge 100000 ] && [ $back -ge 100000 ] && [ $out_max -le 1460 ] && [ $back_max -le 1460 ]"
read_pcap srv
check "lab: the server's capture (--pcap without --trace) holds both directions" \
	sh -c "grep -q 'link-type RAW' '$T/srv.err' &&
		grep -q '192.168.53.99 > 192.168.60.5: ICMP echo request' '$T/srv.txt' &&
		grep -q '192.168.60.5 > 192.168.53.99: ICMP echo reply' '$T/srv.txt'"
stop cli
stop srv
stop lecho

on server "$ADIT" server -q --trace >"$T/qtrace.out" 2>&1
rc=$?
check "lab: -q with --trace is refused, exit 2 (got $rc)" \
	sh -c "[ $rc -eq 2 ] && grep -q 'contradict' '$T/qtrace.out'"
on server "$ADIT" server -n trc%d --pcap /proc/no-such-dir/x.pcap >"$T/bad-lab.out" 2>&1
rc=$?
check "lab: an unwritable --pcap path exits 1 (got $rc), naming the file" \
	sh -c "[ $rc -eq 1 ] && grep -q \"cannot write the capture file '/proc/no-such-dir/x.pcap'\" '$T/bad-lab.out'"
check_not "lab: and makes no interface" sh -c "ip -n $(ns server) link show | grep -q trc"
# A symbolic link at the --pcap path (someone else's, in /tmp) is not followed.
echo "not a capture" >"$T/target"
ln -s "$T/target" "$T/link.pcap"
on server "$ADIT" server -n trc%d --pcap "$T/link.pcap" >"$T/link-lab.out" 2>&1
rc=$?
check "lab: --pcap at a symbolic link exits 1 (got $rc), saying it does not follow it: $(cat "$T/link-lab.out")" \
	sh -c "[ $rc -eq 1 ] && grep -q \"capture file '$T/link.pcap' is a symbolic link, which --pcap does not follow\" '$T/link-lab.out'"
check "lab: and the file the link names is untouched" grep -qx "not a capture" "$T/target"

# --- lab mode, TAP ------------------------------------------------------------------------
start_adit server tsrv server --tap -a 192.168.53.11/24 --pcap "$T/tsrv.pcap"
start_adit u tcli client 10.9.0.11:9090 --tap -a 192.168.53.99/24 --pcap "$T/tcli.pcap"
check "tap: U pings the server across the TAP tunnel" on u ping -i 0.2 -c 2 -W 2 192.168.53.11
sleep 0.3
read_pcap tcli -e
check "tap: the client's capture reads as Ethernet" grep -q 'link-type EN10MB' "$T/tcli.err"
check "tap: tcpdump -e shows the frames' MACs and the ARP exchange" \
	sh -c "grep -Eq '^[0-9:.]+ ([0-9a-f]{2}:){5}[0-9a-f]{2} > ff:ff:ff:ff:ff:ff, ethertype ARP' '$T/tcli.txt' &&
		grep -q 'Reply 192.168.53.11 is-at' '$T/tcli.txt'"
check "tap: and the echo request and reply inside Ethernet frames" \
	sh -c "grep -q 'ethertype IPv4 (0x0800), length 98: 192.168.53.99 > 192.168.53.11: ICMP echo request' '$T/tcli.txt' &&
		grep -q 'ethertype IPv4 (0x0800), length 98: 192.168.53.11 > 192.168.53.99: ICMP echo reply' '$T/tcli.txt'"
read_pcap tsrv -e
check "tap: the server's capture too" \
	sh -c "grep -q 'link-type EN10MB' '$T/tsrv.err' && grep -q '192.168.53.11 > 192.168.53.99: ICMP echo reply' '$T/tsrv.txt'"
stop tcli
stop tsrv

# --- adit tun --reply ---------------------------------------------------------------------
start_adit u tun tun -n trc%d -a 192.168.54.99/24 --reply --pcap "$T/tun.pcap"
check "tun: ping 192.168.54.1 is answered by adit" on u ping -i 0.2 -c 2 -W 2 192.168.54.1
sleep 0.3
read_pcap tun
check "tun: the capture holds the requests read and the replies written" \
	sh -c "[ \$(grep -c '192.168.54.99 > 192.168.54.1: ICMP echo request' '$T/tun.txt') -eq 2 ] &&
		[ \$(grep -c '192.168.54.1 > 192.168.54.99: ICMP echo reply' '$T/tun.txt') -eq 2 ]"
stop tun
finish
