#!/usr/bin/python3
"""Send COUNT bad datagrams to HOST:PORT and report how many answers came back.

  garbage.py HOST PORT COUNT [SEED]

Kinds, in turn: random bytes of random length, empty, truncated IPv4 and IPv6 headers, IPv4
headers with a bad checksum or a length past the end, IPv6 with a payload length past the
end, and oversized datagrams up to 60 kB. Prints "sent N, answers M" and exits 0.
"""
import random
import select
import socket
import struct
import sys
import time


def ipv4_header(rng, total, good_checksum):
    hdr = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, rng.randrange(65536), 0, 64,
                                rng.choice([1, 6, 17, 47]), 0,
                                bytes([172, 16, rng.randrange(256), rng.randrange(1, 255)]),
                                bytes([192, 168, 60, 5])))
    s = sum(struct.unpack("!10H", hdr))
    s = (s & 0xffff) + (s >> 16)
    s = (s & 0xffff) + (s >> 16)
    csum = (~s & 0xffff) if good_checksum else (~s & 0xffff) ^ 0x5a5a
    hdr[10:12] = struct.pack("!H", csum)
    return bytes(hdr)


def make(rng, i):
    kind = i % 8
    if kind == 0:
        return rng.randbytes(rng.randrange(1, 2049))
    if kind == 1:
        return b""
    if kind == 2:
        return bytes([0x45]) + rng.randbytes(rng.randrange(0, 19))
    if kind == 3:
        return bytes([0x60]) + rng.randbytes(rng.randrange(0, 39))
    if kind == 4:
        return ipv4_header(rng, 60, False) + rng.randbytes(40)
    if kind == 5:
        return ipv4_header(rng, 1400, True) + rng.randbytes(rng.randrange(0, 100))
    if kind == 6:
        return bytes([0x60, 0, 0, 0]) + struct.pack("!H", 2000) + rng.randbytes(34 + 100)
    return rng.randbytes(rng.randrange(9000, 60001))


def main(argv):
    if len(argv) not in (4, 5):
        print(__doc__, file=sys.stderr)
        return 2
    host, port, count = argv[1], int(argv[2]), int(argv[3])
    rng = random.Random(int(argv[4]) if len(argv) == 5 else 1)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 22)
    sent = answers = 0
    for i in range(count):
        try:
            sock.sendto(make(rng, i), (host, port))
            sent += 1
        except OSError:
            pass
        if i % 500 == 499:
            time.sleep(0.002)  # let the server keep up: we test its parsing, not the queue
        while select.select([sock], [], [], 0)[0]:
            try:
                sock.recv(65536)
                answers += 1
            except OSError:
                break
    end = time.time() + 1
    while time.time() < end:
        if select.select([sock], [], [], 0.1)[0]:
            try:
                sock.recv(65536)
                answers += 1
            except OSError:
                pass
    print("sent %d, answers %d" % (sent, answers), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
