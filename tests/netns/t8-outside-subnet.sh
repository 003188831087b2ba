#!/usr/bin/env bash
# Task 8, the older variant: the client's TUN address 192.168.30.99 lies outside the server's
# tunnel subnet. The server's kernel has no route back (and reverse-path filtering drops the
# requests); a route on the server, "-r 192.168.30.0/24", fixes it — never /proc/sys. The
# server sees the learned address has no route back through its TUN and says so once,
# naming that -r.
. "$(dirname "$0")/lib.sh"
need_adit
lab_up || finish

start_adit server srv server -a 192.168.53.11/24
start_adit u cli client 10.9.0.11:9090 -a 192.168.30.99/24 -r 192.168.60.0/24
check "rp_filter is on in the server's namespace, as in the lab's containers" \
	sh -c "[ \$(ip netns exec $(ns server) sysctl -n net.ipv4.conf.all.rp_filter) = 1 ]"
check_not "U (192.168.30.99) cannot reach V: the server has no route back" \
	on u ping -i 0.2 -c 2 -W 1 192.168.60.5
check "the requests did arrive at the server" \
	grep -q '^From socket <==: 192.168.30.99 --> 192.168.60.5' "$T/srv.log"
grep 'no route\|not through' "$T/srv.log" | sed 's/^/# srv  /'
check "the server says replies to 192.168.30.99 cannot go back through tun0, naming the -r" \
	grep -Eq "warning: client 10.9.0.5:[0-9]+ sends from 192.168.30.99, but replies to 192.168.30.99 go .*, not through tun0: .*-r 192.168.30.99/32 on the server.*-r 192.168.30.0/24 when this client is the only one" "$T/srv.log"
check "  once" test "$(grep -c 'sends from 192.168.30.99' "$T/srv.log")" = 1
stop srv

start_adit server srv2 server -a 192.168.53.11/24 -r 192.168.30.0/24
check "with -r 192.168.30.0/24 on the server, U pings V" on u ping -i 0.2 -c 2 -W 2 192.168.60.5
check_not "  and that server says nothing of a missing route" grep -q "not through tun0" "$T/srv2.log"
check "the server's kernel forwarding setting was left alone" \
	sh -c "[ \$(ip netns exec $(ns server) sysctl -n net.ipv4.conf.all.rp_filter) = 1 ]"
finish
