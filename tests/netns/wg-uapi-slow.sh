#!/usr/bin/env bash
# A UAPI client that trickles its request (one byte every half second, never finishing) holds
# adit's loop only so long: adit serves one connection at a time, so it cuts such a client
# off after 10 s, and wg(8) is answered again right after.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wglib.sh"
need_adit

wg_hosts a
IA=$(wg_ifname a)
start_wg a adit "$ADIT" "$IA"

start a slow "$PY" -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
t0 = time.monotonic()
for b in b"set=1\nprivate_key=" + b"a" * 100:
    try:
        s.send(bytes([b]))
        time.sleep(0.5)
        if s.recv(1, socket.MSG_DONTWAIT) == b"":
            break
    except BlockingIOError:
        pass
    except ConnectionError:
        break
print("cut off after %.1f s" % (time.monotonic() - t0), flush=True)' "/var/run/wireguard/$IA.sock"
check "the trickling client is cut off within 12 s" wait_log slow '^cut off after' 13
note "$(cat "$T/slow.log")"
check "and wg show is answered again" on a timeout 3 wg show "$IA"
check "adit is still running" kill -0 "$(pid_of adit)"
finish
