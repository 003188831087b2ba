#!/usr/bin/env bash
# A TAP server is no reflector (review issue 14, M2). It floods a frame no client owns (an ARP
# broadcast) to its clients, and a client is any source that sent a datagram, forged or not:
# 32 addresses x 32 ports of one datagram each (1,023 here, beside a real client: see
# py/lab_reflect.py), then five echo requests that make the server's kernel broadcast ARP,
# came back as 15,360 datagrams. Now a source that sent once is flooded no more bytes than it
# sent, and clients that kept talking share a flood budget.
. "$(dirname "$0")/lib.sh"
need_adit
lab_up || finish

BUDGET=$((128 * 1024)) # bytes a second: LAB_FLOOD_BYTES_PER_SEC in src/lab/lab_flood.h

start_adit server srv server --tap -q -a 192.168.53.11/24
start_adit u cli client 10.9.0.11:9090 --tap -q -a 192.168.53.99/24
check "a real TAP client pings the server, and keeps talking (confirmed)" \
	on u ping -c 3 -i 1 -W 2 192.168.53.11
for i in $(seq 100 131); do
	ip -n "$(ns cr)" addr add "10.9.0.$i/24" dev eth0 || break
done
srv_mac=$(ip -n "$(ns server)" -br link show tap0 | awk '{print $3}')
on cr "$PY" "$PYDIR/lab_reflect.py" 10.9.0.11 9090 "$srv_mac" 192.168.53.11 10.9.0.100 \
	>"$T/reflect.out" 2>&1
sed 's/^/# /' "$T/reflect.out"

read -r sent trig back _ < <(sed -En \
	's/^once: [0-9]+ sources sent ([0-9]+) bytes, ([0-9]+) .* back ([0-9]+) bytes.*/\1 \2 \3/p' \
	"$T/reflect.out")
read -r most for_its < <(sed -En 's/^once: most to one source: ([0-9]+) bytes for its ([0-9]+)$/\1 \2/p' \
	"$T/reflect.out")
again=$(sed -En 's/^again: [0-9]+ sources; back ([0-9]+) bytes .* within ([0-9.]+) seconds$/\1 \2/p' \
	"$T/reflect.out")
check "the forged sources ran both phases" test -n "${sent:-}" -a -n "${most:-}" -a -n "$again"
note "sources that sent once: reflection factor $(awk "BEGIN { printf \"%.3f\", ${back:-0} / ${sent:-1} }")" \
	"(${back:-?} bytes back for ${sent:-?}); per trigger byte $(awk "BEGIN { printf \"%.1f\", ${back:-0} / ${trig:-1} }")"
check "sources that sent once got back no more bytes than they sent, together" \
	test "${back:-1}" -le "${sent:-0}"
check "nor any one of them (most: ${most:-?} bytes for its ${for_its:-?})" \
	test "${most:-1}" -le "${for_its:-0}"
check "the broadcasts reached them within that (an ARP request each)" test "${back:-0}" -gt 0
read -r again_bytes again_secs <<<"$again"
limit=$((BUDGET * (${again_secs%.*} + 2)))
note "confirmed forged sources: ${again_bytes:-?} bytes back in ${again_secs:-?} s (budget $BUDGET a second)"
check "clients that kept talking were flooded within the budget (at most $limit bytes)" \
	test "${again_bytes:-$((limit + 1))}" -le "$limit"

# After all that, the real client still gets the server's ARP broadcast for it.
ip -n "$(ns server)" neigh flush dev tap0
check "the server reaches the real client by ARP through the flood gate" \
	on server ping -i 0.2 -c 2 -W 2 192.168.53.99
check "the server exits cleanly on SIGTERM" stop srv
note "$(grep 'flooded copies held back' "$T/srv.log")"
check "it counted the copies held back, both ways" \
	grep -Eq 'flooded copies held back: [1-9][0-9]* from unconfirmed .*, [1-9][0-9]* over the budget' \
	"$T/srv.log"
check "and said once that the budget was reached" \
	test "$(grep -c 'reached 128 KiB in a second' "$T/srv.log")" -eq 1
finish
