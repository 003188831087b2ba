#!/usr/bin/env bash
# The lab's network as lab/lab.sh builds it (Task 1 of the lab): who reaches whom without a
# tunnel, and that a test leaves nothing behind. Needs no adit.
# shellcheck source=tests/netns/lib.sh disable=SC2317 # functions run through check
. "$(dirname "$0")/lib.sh"

pings() { on "$1" ping -c1 -W1 "$2"; }

root_links() { ip -o link show | awk -F': ' '{ print $2 }' | sort; }

before=$(root_links)
lab_up || finish

check "U pings the server 10.9.0.11" pings u 10.9.0.11
check "the server pings V 192.168.60.5" pings server 192.168.60.5
check "the server pings V2 192.168.60.6" pings server 192.168.60.6
check "V pings V2 on 192.168.60.0/24" pings v 192.168.60.6
check_not "U cannot ping V without a tunnel" pings u 192.168.60.5
check "cr pings the server 10.9.0.11" pings cr 10.9.0.11
check "h50a pings its router 192.168.50.12" pings h50a 192.168.50.12
check "h50a pings h50b" pings h50a 192.168.50.6
check "U has no default route" test -z "$(on u ip route show default)"
check "V's default route is via the server" grep -q 'via 192.168.60.11' <(on v ip route show default)
check "the server forwards (ip_forward=1)" grep -qx 1 <(on server cat /proc/sys/net/ipv4/ip_forward)
check "the server filters reverse paths (rp_filter=1)" \
	grep -qx 1 <(on server cat /proc/sys/net/ipv4/conf/all/rp_filter)
check "cr forwards (ip_forward=1)" grep -qx 1 <(on cr cat /proc/sys/net/ipv4/ip_forward)
check "U's link is eth0 with Docker's MAC for 10.9.0.5" \
	grep -q 'link/ether 02:42:0a:09:00:05' <(on u ip link show eth0)
check "the server has eth0 (internet) and eth1 (192.168.60.0/24)" \
	grep -q '192.168.60.11/24' <(on server ip -4 addr show eth1)
check "no link was added to the root namespace" test "$before" = "$(root_links)"
check "lab.sh ns names the namespace" test "$("$ROOT/lab/lab.sh" ns v)" = "$ADIT_LAB-v"
check "lab.sh exec runs in the host" grep -q 10.9.0.5 <("$ROOT/lab/lab.sh" exec u ip -4 addr)
machine=$(hostname)
check "lab.sh exec names the host, so a prompt says where it is" \
	test "$("$ROOT/lab/lab.sh" exec server hostname)" = server
check "  in a UTS namespace of its own: this machine keeps its name" test "$(hostname)" = "$machine"
check_not "lab.sh rejects an unknown host" "$ROOT/lab/lab.sh" exec nosuchhost true

start v sleeper sleep 100
check "start runs a command in a host" test -n "$(pid_of sleeper)"
check "wait_link finds U's eth0" test "$(wait_link u 'eth*')" = eth0
check_not "wait_link times out on a missing link" wait_link u 'tun*' 0.3
stop sleeper
check "stop ends it with the signal (status 143)" test $? -eq 143

# Cleanup, seen from outside: a nested test that ends without stopping what it started.
cat >"$T/nested.sh" <<EOF
. "$ROOT/tests/netns/lib.sh"
lab_up
start v sleeper sleep 100
ip netns exec "\$ADIT_LAB-u" sleep 100 &
echo "\$ADIT_LAB \$(pid_of sleeper) \$!"
exit 3
EOF
read -r nlab npid1 npid2 < <(bash "$T/nested.sh")
gone() {
	! ip netns list | grep -q "^$nlab-" && ! alive "$npid1" && ! alive "$npid2"
}
check "a nested test's lab was up" test -n "$nlab"
check "its exit removes its namespaces and processes" wait_for 3 gone

cat >"$T/nested2.sh" <<EOF
. "$ROOT/tests/netns/lib.sh"
exit 0
EOF
check "cleanup is quiet when lab_up never ran" test -z "$(bash "$T/nested2.sh" 2>&1)"

finish
