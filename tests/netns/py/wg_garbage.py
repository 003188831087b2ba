#!/usr/bin/python3
"""Send COUNT bad datagrams to a WireGuard port and report how many answers came back.

  wg_garbage.py flood FROM HOST PORT COUNT [SEED]
  wg_garbage.py mac1 FROM HOST PORT COUNT PUBKEY [SEED]
  wg_garbage.py data FROM HOST PORT COUNT INDEX [SEED]

flood, in turn: random bytes of random length (0..200, half the datagrams); messages of types
1..4 with zero reserved bytes at their exact sizes (148, 92, 64, 32..200) and random contents;
the same with a wrong size or nonzero reserved bytes. No mac1 is valid.

mac1: handshake initiations and responses, alternately, with random contents but a valid mac1
for PUBKEY (base64), so they pass the first check and fail deeper (decryption, unknown
index); 50 a second, so that no receiver counts them as load (under load, a cookie reply to
them would be legitimate).

data: transport-data messages to receiver INDEX (hex, as wg_pcap.py prints it) with random
counters, some near 2^64, and random ciphertext of 16..176 bytes: each must fail
authentication without touching the replay window.

Sends from address FROM, any port. Prints "sent N, answers M" and exits 0.
"""
import base64
import hashlib
import random
import select
import socket
import struct
import sys
import time

SIZES = {1: 148, 2: 92, 3: 64}


def mac1_key(pubkey):
    return hashlib.blake2s(b"mac1----" + pubkey).digest()


def with_mac1(key, msg):
    """msg with a valid mac1 and a zero mac2: the last 32 bytes are the macs."""
    body = msg[:-32]
    return body + hashlib.blake2s(body, key=key, digest_size=16).digest() + bytes(16)


def header(kind):
    return bytes([kind, 0, 0, 0])


def mac1_one(rng, i, key):
    kind = 1 + i % 2
    return with_mac1(key, header(kind) + rng.randbytes(SIZES[kind] - 4)), True


def flood_one(rng, i):
    kind = i % 10
    if kind < 5:
        return rng.randbytes(rng.randrange(0, 201)), False
    if kind < 8:
        t = kind - 4
        return header(t) + rng.randbytes(SIZES[t] - 4), False
    if kind == 8:
        n = rng.randrange(32, 201)
        return header(4) + rng.randbytes(n - 4), False
    t = rng.randrange(1, 5)
    if rng.randrange(2):
        size = SIZES.get(t, 32) + rng.choice([-1, 1, 16, -16])
        return header(t) + rng.randbytes(max(size - 4, 0)), False
    return bytes([t]) + bytes([rng.randrange(1, 256)]) + rng.randbytes(SIZES.get(t, 32) - 2), False


def data_one(rng, i, index):
    if i % 3 == 0:
        counter = (1 << 64) - 1 - rng.randrange(1 << 16)
    elif i % 3 == 1:
        counter = rng.randrange(1 << 64)
    else:
        counter = rng.randrange(1 << 12)
    return header(4) + index + struct.pack("<Q", counter) + \
        rng.randbytes(16 * rng.randrange(1, 12)), False


def drain(sock):
    n = 0
    while select.select([sock], [], [], 0)[0]:
        try:
            sock.recv(65536)
            n += 1
        except OSError:
            break
    return n


def main(argv):
    nargs = 6 if len(argv) > 1 and argv[1] == "flood" else 7
    if len(argv) not in (nargs, nargs + 1) or argv[1] not in ("flood", "mac1", "data"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, src, host, port, count = argv[1], argv[2], argv[3], int(argv[4]), int(argv[5])
    rng = random.Random(int(argv[nargs]) if len(argv) > nargs else 1)
    if mode == "flood":
        make = lambda i: flood_one(rng, i)
    elif mode == "mac1":
        key = mac1_key(base64.b64decode(argv[6]))
        make = lambda i: mac1_one(rng, i, key)
    else:
        index = bytes.fromhex(argv[6])[::-1]
        make = lambda i: data_one(rng, i, index)
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(fam, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 22)
    sock.bind((src, 0))
    sent = answers = 0
    for i in range(count):
        msg, paced = make(i)
        try:
            sock.sendto(msg, (host, port))
            sent += 1
        except OSError:
            pass
        if paced:
            time.sleep(0.02)  # 50 a second: never "under load"
        elif i % 500 == 499:
            time.sleep(0.002)  # let the receiver keep up: we test its parsing, not its queue
        answers += drain(sock)
    end = time.time() + 1
    while time.time() < end:
        if select.select([sock], [], [], 0.1)[0]:
            answers += drain(sock)
    print("sent %d, answers %d" % (sent, answers), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
