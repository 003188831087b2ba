#!/usr/bin/python3
"""Bulk TCP one way, checked by SHA-256: the server on one end, both directions from the other.

  tcp_bulk.py serve PORT                    serve put and get, IPv4 and IPv6, one thread each
  tcp_bulk.py put HOST PORT NBYTES [SECS]   send NBYTES of random data to the server, which
                                            answers with the digest of what it received
  tcp_bulk.py get HOST PORT NBYTES [SECS]   have the server send NBYTES of random data, and
                                            check them against the digest it sends first
With SECS, the sender spreads the bytes over about that long (64 KiB at a time), so that the
transfer is still running when something changes under it. The client prints "connected" once
the connection is up and exits 0 only if every byte arrived intact, saying how long it took.
"""
import hashlib
import os
import socket
import sys
import time

from tcp_echo import recv_exactly, serve_forever

CHUNK = 65536


def send_all(sock, data, seconds):
    if not seconds:
        sock.sendall(data)
        return
    start = time.time()
    for off in range(0, len(data), CHUNK):
        sock.sendall(data[off:off + CHUNK])
        ahead = start + seconds * (off + CHUNK) / len(data) - time.time()
        if ahead > 0:
            time.sleep(ahead)


def recv_line(sock):
    line = b""
    while not line.endswith(b"\n"):
        c = sock.recv(1)
        if not c:
            raise ConnectionError("connection closed in the request line")
        line += c
    return line.decode().split()


def serve(port):
    serve_forever(port, handle, socket.AF_INET6)


def handle(conn):
    with conn:
        try:
            verb, n, seconds = recv_line(conn)
            n, seconds = int(n), float(seconds)
            if verb == "put":
                digest = hashlib.sha256()
                recv_exactly(conn, n, digest)
                conn.sendall(digest.digest())
            elif verb == "get":
                data = os.urandom(n)
                conn.sendall(hashlib.sha256(data).digest())
                send_all(conn, data, seconds)
        except (OSError, ValueError) as e:
            print("request failed:", e, flush=True)


def client(verb, host, port, n, seconds):
    data = os.urandom(n) if verb == "put" else b""
    start = time.time()
    with socket.create_connection((host, port), timeout=30) as s:
        print("connected", flush=True)
        s.sendall(("%s %d %g\n" % (verb, n, seconds)).encode())
        if verb == "put":
            send_all(s, data, seconds)
            want, got = hashlib.sha256(data).digest(), recv_exactly(s, 32)
        else:
            want, got = recv_exactly(s, 32), hashlib.sha256()
            recv_exactly(s, n, got)
            got = got.digest()
    took = time.time() - start
    if got != want:
        print("MISMATCH: %s of %d bytes arrived changed (%.2f s)" % (verb, n, took), flush=True)
        return 1
    print("ok: %s of %d bytes arrived intact in %.2f s" % (verb, n, took), flush=True)
    return 0


def main(argv):
    if len(argv) == 3 and argv[1] == "serve":
        serve(int(argv[2]))
    elif len(argv) in (5, 6) and argv[1] in ("put", "get"):
        seconds = float(argv[5]) if len(argv) == 6 else 0.0
        return client(argv[1], argv[2], int(argv[3]), int(argv[4]), seconds)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
