#!/usr/bin/env bash
# The lab server under abuse: one host sending from 150 source ports at once does not lock a
# real client out (a new one, or one restarted on a new port), and a client sending from a new
# random inner address in every datagram does not take another client's return route.
. "$(dirname "$0")/lib.sh"
need_adit
lab_up || finish

# Every echo answered, not just one: ping itself succeeds on a single reply.
all_replies() { # HOST ADDR COUNT
	on "$1" ping -c "$3" -i 0.2 -W 2 "$2" | tee /dev/stderr | grep -q ' 0% packet loss'
}

start_adit server srv server -q -a 192.168.53.11/24

start cr flood "$PY" "$PYDIR/lab_abuse.py" ports 10.9.0.11 9090 150 12
check "the flood from 150 ports went past its host's share of places" \
	wait_log srv 'a new port of a host that holds 32 clients already' 5
start_adit u cli client 10.9.0.11:9090 -q -a 192.168.53.99/24 -r 192.168.60.0/24
check "a new client, during the flood, pings V" all_replies u 192.168.60.5 5
check "V pings the new client back, during the flood" all_replies v 192.168.53.99 5
stop cli
start_adit u cli client 10.9.0.11:9090 -q -a 192.168.53.99/24 -r 192.168.60.0/24
check "the client restarted on a new port, during the flood, pings V" \
	all_replies u 192.168.60.5 5
wait_for 15 sh -c "! kill -0 $(pid_of flood) 2>/dev/null"
check "the flood ran from 150 ports throughout" grep -Eq '^sent [0-9]{4,} from 150 ports' \
	"$T/flood.log"
check "the host's limit was said once" test "$(grep -c 'a new port of a host' "$T/srv.log")" -eq 1

check "the server exits cleanly on SIGTERM" stop srv
note "$(grep 'client table:' "$T/srv.log")"
check "it refused no newcomer and counted the places the flood gave up to itself" \
	grep -Eq 'client table: [0-9]+ clients; 0 new clients refused \(table full\), 0 inner addresses refused \(client at its cap of 8\), [0-9]{3,} places taken' \
	"$T/srv.log"
stop cli

# A new server and U's client; a second client, on cr, sends from a new random inner address
# in every datagram (never U's).
start_adit server srv2 server -q -a 192.168.53.11/24
start_adit u cli2 client 10.9.0.11:9090 -q -a 192.168.53.99/24 -r 192.168.60.0/24
check "U pings V before the churn" all_replies u 192.168.60.5 2
start cr churn "$PY" "$PYDIR/lab_abuse.py" addrs 10.9.0.11 9090 8
check "the churning client went past its cap of addresses" \
	wait_log srv2 'sends from more than 8 inner addresses at once' 5
check "V pings U's 192.168.53.99 through the churn, every reply back" \
	all_replies v 192.168.53.99 20
check "U pings V through the churn" all_replies u 192.168.60.5 5
wait_for 15 sh -c "! kill -0 $(pid_of churn) 2>/dev/null"
check "the churn came from thousands of addresses" \
	grep -Eq '^sent [0-9]{4,} from [0-9]{4,} addresses' "$T/churn.log"
check "the churning client's refusal was said once" \
	test "$(grep -c 'sends from more than 8 inner addresses' "$T/srv2.log")" -eq 1

check "the second server exits cleanly on SIGTERM" stop srv2
note "$(grep 'client table:' "$T/srv2.log")"
check "it counted the churn's refused addresses, and refused no newcomer" \
	grep -Eq 'client table: 2 clients; 0 new clients refused \(table full\), [0-9]{4,} inner addresses refused' \
	"$T/srv2.log"
check "it named the churning client with its count" \
	grep -Eq 'client 10\.9\.0\.12:[0-9]+: [0-9]{4,} inner addresses refused' "$T/srv2.log"
finish
