#!/usr/bin/env bash
# Task 9: a TAP interface carries Ethernet frames; adit answers ARP requests with a fake MAC
# so arping succeeds, and then answers pings inside Ethernet frames.
. "$(dirname "$0")/lib.sh"
need_adit
lab_up || finish

start u tap "$ADIT" tun --tap -a 192.168.53.99/24 --reply
check "the default TAP template gives tap0" wait_log tap '^Interface Name: tap0$'
check "tap0 is a TAP (link/ether)" sh -c "ip -n $(ns u) link show tap0 | grep -q link/ether"

on u arping -c 2 -w 3 -I tap0 192.168.53.1 >"$T/arping.out" 2>&1
check "arping 192.168.53.1 gets replies" grep -q 'Received 2 response' "$T/arping.out"
check "the replies come from the fake MAC aa:bb:cc:dd:ee:ff" grep -qi 'aa:bb:cc:dd:ee:ff' "$T/arping.out"
check "the ARP request is printed as Ethernet + who-has" \
	wait_log tap '^Ether [0-9a-f:]{17} > ff:ff:ff:ff:ff:ff ARP who-has 192.168.53.1 tell 192.168.53.99$'
check "the ARP reply is printed as is-at" \
	grep -q '^  reply: Ether aa:bb:cc:dd:ee:ff > [0-9a-f:]* ARP 192.168.53.1 is-at aa:bb:cc:dd:ee:ff$' "$T/tap.log"

check "ping 192.168.53.1 inside Ethernet frames is answered" on u ping -c 2 -W 2 192.168.53.1
check "the kernel learned 192.168.53.1 at the fake MAC" \
	sh -c "ip -n $(ns u) neigh show 192.168.53.1 | grep -q 'lladdr aa:bb:cc:dd:ee:ff'"
check "ping to another address behind the TAP works too" on u ping -c 1 -W 2 192.168.53.42
stop tap

start u tap2 "$ADIT" tun --tap -n lab%d -a 192.168.53.99/24 --reply --mac 02:00:5e:10:00:01
wait_log tap2 '^Interface Name: lab0$'
on u arping -c 1 -w 3 -I lab0 192.168.53.1 >"$T/arping2.out" 2>&1
check "--mac changes the MAC in the ARP replies" grep -qi '02:00:5e:10:00:01' "$T/arping2.out"
finish
