#!/usr/bin/env bash
# A TAP tunnel (task 9 carried through the VPN): Ethernet frames inside UDP. The two TAP
# interfaces form one Ethernet segment: ARP resolves across it and pings cross it both ways.
. "$(dirname "$0")/lib.sh"
need_adit
lab_up || finish

start server srv "$ADIT" server --tap -a 192.168.53.11/24
start u cli "$ADIT" client 10.9.0.11:9090 --tap -a 192.168.53.99/24
check "server's TAP is tap0" wait_log srv '^Interface Name: tap0$'
check "client's TAP is tap0" wait_log cli '^Interface Name: tap0$'

on u arping -c 2 -w 4 -I tap0 192.168.53.11 >"$T/arping.out" 2>&1
check "arping from U resolves the server's TAP address across the tunnel" \
	grep -q 'Received 2 response' "$T/arping.out"
srv_mac=$(ip -n "$(ns server)" -br link show tap0 | awk '{print $3}')
check "with the server's real MAC ($srv_mac)" grep -qi "$srv_mac" "$T/arping.out"
check "U pings the server through the TAP tunnel" on u ping -c 2 -W 2 192.168.53.11
check "the server pings U back" on server ping -c 2 -W 2 192.168.53.99
check "the server logged frames with inner IP addresses" \
	grep -Eq '^From socket <==: 192.168.53.99 --> 192.168.53.11 \(from 10.9.0.5:[0-9]+\)' "$T/srv.log"
check "and ARP frames by MAC" grep -Eq '^From (tun|socket) .*\(ARP\)' "$T/srv.log"
check "IPv6 link-local across the TAP (neighbour discovery through the tunnel)" \
	sh -c "ll=\$(ip -n $(ns server) -6 -br addr show tap0 | awk '{print \$3}'); ip netns exec $(ns u) ping -6 -c 1 -W 2 \${ll%/*}%tap0"

# A second TAP client: frames the server cannot place (broadcasts, unknown MACs) go to both,
# as a switch floods them; known MACs go to their owner only.
start cr cli2 "$ADIT" client 10.9.0.11:9090 --tap -a 192.168.53.12/24
wait_log cli2 '^Interface Name: tap0$'
check "the server reaches the second client (its ARP request was flooded)" \
	on server ping -c 2 -W 2 192.168.53.12
check "the broadcast went to all 2 clients" grep -q '(to all 2 clients)' "$T/srv.log"
check "the first client still answers, at its own endpoint" on server ping -c 1 -W 2 192.168.53.99
check "unicast frames to the second client went to 10.9.0.12 only" \
	grep -Eq '^From tap ==>: 192.168.53.11 --> 192.168.53.12 \(to 10.9.0.12:[0-9]+\)' "$T/srv.log"
finish
