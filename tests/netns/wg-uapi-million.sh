#!/usr/bin/env bash
# A configuration of a million peers (one /32 each) is loaded whole by one `wg setconf`:
# adit's control socket used to cut the client 10 s into the request, however fast it was
# sending, leaving wg(8) dead of SIGPIPE and about 715,000 peers applied, and loading slowed
# as the table grew (the public-key table did not grow). Then every peer is listed by
# `wg show peers`, each allowed IP by `wg show allowed-ips`. WG_MILLION=N loads N instead.
# Minutes, not seconds: it runs in make stress, not make check.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wglib.sh"
need_adit

N=${WG_MILLION:-1000000}
wg_hosts a
wg_key a
IA=$(wg_ifname a)
start_wg a adit "$ADIT" "$IA"

"$PY" - "$N" "$T/a.key" >"$T/peers.conf" <<'PY'
import base64, os, sys
n = int(sys.argv[1])
rnd = os.urandom(32 * n)
out = ["[Interface]\nPrivateKey = %s\n" % open(sys.argv[2]).read().strip()]
for i in range(n):
    out.append("[Peer]\nPublicKey = %s\nAllowedIPs = 10.%d.%d.%d/32\n"
               % (base64.b64encode(rnd[32 * i:32 * i + 32]).decode(),
                  64 + (i >> 16), (i >> 8) & 255, i & 255))
sys.stdout.write("".join(out))
PY
t0=$(now_ms)
check "wg setconf of $N peers succeeds" on a wg setconf "$IA" "$T/peers.conf"
ms=$(($(now_ms) - t0))
note "wg setconf of $N peers took $ms ms ($((N * 1000 / (ms + 1))) peers/s)"
t0=$(now_ms)
on a wg show "$IA" peers >"$T/peers.out"
note "wg show peers took $(($(now_ms) - t0)) ms"
check "every peer is there: $(wc -l <"$T/peers.out") of $N" test "$(wc -l <"$T/peers.out")" = "$N"
check "with its own public key" \
	cmp <(grep '^PublicKey' "$T/peers.conf" | awk '{ print $3 }' | sort) <(sort "$T/peers.out")
on a wg show "$IA" allowed-ips | awk '{ print $2 }' | sort -u >"$T/ips.out"
check "and every allowed IP once: $(wc -l <"$T/ips.out")" test "$(wc -l <"$T/ips.out")" = "$N"
check "adit is still running" alive "$(pid_of adit)"
finish
