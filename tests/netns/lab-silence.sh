#!/usr/bin/env bash
# Never silent: a lab client whose server does not answer (here a program holds the server's
# port, reads and never answers, as a dead adit behind a firewall would look) says so after
# 10 s, naming the server and how many datagrams went unanswered, and says when the server
# answers again; adit show on both ends says when the other was last heard from.
. "$(dirname "$0")/lib.sh"
need_adit
lab_up || finish

start server sink "$PY" -c 'import socket; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("10.9.0.11",9090)); print("bound",flush=True)
while True: s.recv(2048)'
wait_log sink bound
start_adit u cli client 10.9.0.11:9090 -a 192.168.53.99/24 -r 192.168.60.0/24
on u ping -i 0.5 -c 26 -W 1 192.168.60.5 >/dev/null 2>&1
sed 's/^/# cli  /' "$T/cli.log" | grep -v 'From tun'
check "the client says its server has been silent, with the fix" \
	grep -Eq "warning: no datagram from 10.9.0.11:9090 in 1[0-9] s after [0-9]+ sent: is the server running and the address right\?" "$T/cli.log"
check "  once" test "$(grep -c 'no datagram from' "$T/cli.log")" = 1
on u "$ADIT" show tun0 >"$T/show-silent" 2>&1
sed 's/^/# show  /' "$T/show-silent"
check "adit show on the client: the server has sent nothing yet" \
	grep -qx "  latest packet: none yet (is the server running and the address right?)" "$T/show-silent"

stop sink
start_adit server srv server -a 192.168.53.11/24
check "with a server there, U pings V" on u ping -i 0.2 -c 3 -W 2 192.168.60.5
check "the client says the server answers again" \
	wait_log cli "server 10.9.0.11:9090 answers again, after [0-9]+ s of silence" 5
note "$(grep -m1 'answers again' "$T/cli.log")"
on u "$ADIT" show tun0 >"$T/show-cli" 2>&1
on server "$ADIT" show tun0 >"$T/show-srv" 2>&1
sed 's/^/# show  /' "$T/show-cli" "$T/show-srv"
check "adit show on the client: when the server was last heard from" \
	grep -Eqx "  latest packet: (Now|[0-9]+ seconds? ago)" "$T/show-cli"
check "adit show on the server: when the client was last heard from" \
	grep -Eqx "  latest packet: (Now|[0-9]+ seconds? ago)" "$T/show-srv"
finish
