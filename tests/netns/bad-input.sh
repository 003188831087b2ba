#!/usr/bin/env bash
# Bad input at the server: 100,000 random, empty, truncated, inconsistent and oversized
# datagrams. The server answers none of them, drops and counts them, never crashes, and keeps
# serving its real client.
. "$(dirname "$0")/lib.sh"
need_adit
lab_up || finish

start_adit server srv server -q -a 192.168.53.11/24
start_adit u cli client 10.9.0.11:9090 -q -a 192.168.53.99/24 -r 192.168.60.0/24
check "the tunnel works before the garbage" on u ping -c 1 -W 2 192.168.60.5

on u "$PY" "$PYDIR/garbage.py" 10.9.0.11 9090 100000 7 >"$T/garbage.out" 2>&1
check "100,000 bad datagrams were sent" grep -q '^sent 100000,' "$T/garbage.out"
check "none was answered" grep -q 'answers 0$' "$T/garbage.out"
check "the server is still running" sh -c "kill -0 $(pid_of srv)"
check "and still serves its client" on u ping -i 0.2 -c 2 -W 2 192.168.60.5
check "the server kept its client's entry (no 'moved')" sh -c "! grep -q moved $T/srv.log"

check "the server exits cleanly on SIGTERM" stop srv
check "it counted the dropped datagrams" \
	grep -Eq 'adit: dropped [0-9]+: [0-9]{5,} malformed' "$T/srv.log"
check "almost none reached the TUN (only the real pings and the odd lucky header)" \
	sh -c "n=\$(sed -n 's/.*socket ==> tun0: \\([0-9]*\\) packets.*/\\1/p' $T/srv.log); [ \"\$n\" -lt 50 ]"

start_adit server srv2 server -q -a 192.168.53.11/24
# A second sender claims the client's address (a spoofer, or two clients given the same -a):
# the address moves on every packet, which the server says at most once a second. The pings
# start once the spoofer sends (importing scapy can take seconds on a loaded machine, and a
# spoofer that started after the pings ended moved the address once), and it stops after.
start cr spoof "$PY" -c '
import socket, struct, time
from scapy.all import IP, ICMP
pkt = bytes(IP(src="192.168.53.99", dst="192.168.60.5") / ICMP(id=7))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
print("sending", flush=True)
end = time.time() + 30
while time.time() < end:
    s.sendto(pkt, ("10.9.0.11", 9090))
    time.sleep(0.02)
'
wait_log spoof '^sending' || echo "# the spoofer did not start"
on u ping -q -c 25 -i 0.1 -W 1 192.168.60.5 >/dev/null 2>&1
stop spoof
moves=$(grep -c 'moved to' "$T/srv2.log")
note "$moves 'moved' lines in about 3 s"
check "the takeovers were said at most once a second" test "$moves" -ge 1 -a "$moves" -le 5

stop srv2
check "and counted every takeover" grep -Eq 'moved between endpoints [0-9]{2,} times' "$T/srv2.log"
finish
