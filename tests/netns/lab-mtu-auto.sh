#!/usr/bin/env bash
# With no --mtu, a lab interface fits the path below it, so a full-size packet's datagram
# leaves whole: the client from its route to the server (the route's MTU, else the device's),
# the server from its listening address's link, its default route or its narrowest link; less
# 28 for IPv4 outer headers, 48 for IPv6, 14 more on a TAP. --mtu still wins, and a packet
# bigger than the interface's MTU that arrives from a peer (the lab's Python scripts keep
# 1500) is still delivered.
. "$(dirname "$0")/lib.sh"
need_adit
lab_up || finish

mtu_of() { # HOST IFACE
	ip -n "$(ns "$1")" -o link show "$2" | sed -n 's/.* mtu \([0-9]*\) .*/\1/p'
}
# Datagrams the server's kernel had to put back together, since boot of its namespace.
reassembled() {
	on server cat /proc/net/snmp | awk '/^Ip: [0-9]/ { print $15 }'
}
# 1 MB from U to V and back through the tunnel, every byte checked (tcp_echo.py).
transfer() {
	on u "$PY" "$PYDIR/tcp_echo.py" send 192.168.60.5 7000 1000000
}

start v echo "$PY" "$PYDIR/tcp_echo.py" serve 7000 && wait_log echo listening
start_adit server srv server -a 192.168.53.11/24
start_adit u cli client 10.9.0.11:9090 -a 192.168.53.99/24 -r 192.168.60.0/24
check "the client's tun0 fits the path to the server: 1500 less 28" \
	test "$(mtu_of u tun0)" = 1472
check "  and it says why" grep -q \
	'tun0: MTU 1472 (path to 10.9.0.11 via eth0, MTU 1500, less 28; --mtu N sets another)' \
	"$T/cli.log"
check "the server (no default route) takes its narrowest link: 1472" \
	test "$(mtu_of server tun0)" = 1472
check "  and says so" grep -q \
	'tun0: MTU 1472 (no default route: eth0, the narrowest link with an IPv4 address, MTU 1500, less 28' \
	"$T/srv.log"
before=$(reassembled)
check "1 MB from U to V and back arrives whole" transfer
check "  and no datagram of them was fragmented on the way" test "$(reassembled)" = "$before"
check "a 3,000-byte ping still crosses (fragmented inside the tunnel)" \
	on u ping -i 0.2 -c 2 -W 2 -s 3000 192.168.60.5
stop cli

# The check above can fail: with the kernel's 1500, full-size packets are fragmented.
start_adit u cli1500 client 10.9.0.11:9090 --mtu 1500 -a 192.168.53.99/24 -r 192.168.60.0/24
check "with --mtu 1500 (the lab's scripts' MTU), the client says nothing of a path" \
	sh -c "! grep -q 'MTU 1472' '$T/cli1500.log'"
before=$(reassembled)
check "  1 MB from U to V and back arrives whole" transfer
check "  but their datagrams were fragmented" test "$(reassembled)" -gt "$before"
check "  and a 1,500-byte DF packet from it crosses the server's 1472-byte tun0 to V" \
	on u ping -i 0.2 -c 2 -W 2 -M do -s 1472 192.168.60.5
stop cli1500

on u ip route add 10.9.0.11/32 dev eth0 mtu 1400
start_adit u cli1400 client 10.9.0.11:9090 -a 192.168.53.99/24
check "a route's own MTU (1400) wins over the device's: 1372" test "$(mtu_of u tun0)" = 1372
check "  and is named" grep -q 'path to 10.9.0.11 via eth0, route MTU 1400, less 28' \
	"$T/cli1400.log"
stop cli1400
on u ip route del 10.9.0.11/32 dev eth0

start_adit u tap client 10.9.0.11:9090 --tap -n tap0 -a 192.168.53.99/24
check "a TAP client leaves room for the Ethernet header too: 1458" \
	test "$(mtu_of u tap0)" = 1458
check "  and says so" grep -q 'less 42 with the Ethernet header' "$T/tap.log"
stop tap
stop srv

on server ip link set eth1 mtu 1400
start_adit server srv2 server -a 192.168.53.11/24
check "a server on links of 1500 and 1400 takes the narrower: 1372" \
	test "$(mtu_of server tun0)" = 1372
stop srv2
start_adit server srv3 server -l 10.9.0.11:9090 -a 192.168.53.11/24
check "a server listening on 10.9.0.11 takes that address's link (eth0, 1500): 1472" \
	test "$(mtu_of server tun0)" = 1472
check "  and names it" grep -q 'eth0, the link of 10.9.0.11, MTU 1500, less 28' "$T/srv3.log"
stop srv3
start_adit server srv4 server --mtu 1300 -a 192.168.53.11/24
check "--mtu 1300 wins" test "$(mtu_of server tun0)" = 1300
stop srv4
on server ip link set eth1 mtu 1500

on u ip -6 addr add fd09::5/64 dev eth0 nodad
on server ip -6 addr add fd09::11/64 dev eth0 nodad
start_adit server srv6 server -l '[fd09::11]:9090' -a 192.168.53.11/24
start_adit u cli6 client '[fd09::11]:9090' -a 192.168.53.99/24
check "over IPv6, the client leaves 48 bytes: 1452" test "$(mtu_of u tun0)" = 1452
check "  and so does the server" test "$(mtu_of server tun0)" = 1452
check "  and the tunnel carries a full-size packet" \
	on u ping -i 0.2 -c 2 -W 2 -M do -s 1424 192.168.53.11
finish
