#!/usr/bin/python3
"""Hold one of adit's control sockets: connect, send REQUEST, and never read until adit
hangs up.

  ctl_hold.py SOCKET REQUEST

Prints "connected" once connected, then, when adit has hung up (or after 30 s), "hung up
after S s, sent N bytes, ending in errno=0: True|False": what adit had queued for it by then.
adit serves its control sockets one connection at a time, so this is what a stuck or
hostile client looks like to it.
"""
import select
import socket
import sys
import time


def main(argv):
    s = socket.socket(socket.AF_UNIX)
    s.connect(argv[1])
    print("connected", flush=True)
    s.sendall(argv[2].encode())
    t0 = time.monotonic()
    p = select.poll()
    p.register(s, select.POLLRDHUP)
    while time.monotonic() - t0 < 30:
        ev = p.poll(100)
        if ev and ev[0][1] & (select.POLLRDHUP | select.POLLHUP):
            break
    took = time.monotonic() - t0
    got = b""
    while True:
        try:
            b = s.recv(65536)
        except ConnectionError:  # adit hung up on unread bytes of ours
            break
        if not b:
            break
        got += b
    print("hung up after %.1f s, sent %d bytes, ending in errno=0: %s" %
          (took, len(got), got.endswith(b"errno=0\n\n")), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
