#!/usr/bin/python3
"""TCP through the tunnel, checked byte for byte.

  tcp_echo.py serve PORT                  echo every byte back, one thread per connection
  tcp_echo.py send HOST PORT NBYTES       send NBYTES of random data, expect them echoed
  tcp_echo.py stream HOST PORT SECONDS [STOPFILE]
                                          one session for SECONDS (or until STOPFILE exists):
                                          a numbered line every 50 ms, each echo checked;
                                          survives short outages
Exit status 0 only if every byte came back intact and in order.
"""
import os
import socket
import sys
import threading
import time


def serve_forever(port, handler, family=socket.AF_INET):
    """Accepts on port, each connection handled by handler(conn) in a thread of its own.
    AF_INET6 takes IPv4 too. tcp_bulk.py serves with it as well."""
    srv = socket.socket(family, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        srv.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    srv.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", port))
    srv.listen(16)
    print("listening", port, flush=True)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=handler, args=(conn,), daemon=True).start()


def serve(port):
    serve_forever(port, echo)


def echo(conn):
    with conn:
        while True:
            data = conn.recv(65536)
            if not data:
                return
            conn.sendall(data)


def recv_exactly(sock, n, digest=None):
    """n bytes from sock; with digest, fed to it (and b"" returned) instead of kept."""
    got = 0
    buf = bytearray()
    while got < n:
        chunk = sock.recv(min(n - got, 1 << 20))
        if not chunk:
            raise ConnectionError("connection closed after %d of %d bytes" % (got, n))
        got += len(chunk)
        if digest is None:
            buf += chunk
        else:
            digest.update(chunk)
    return bytes(buf)


def send(host, port, nbytes):
    data = os.urandom(nbytes)
    with socket.create_connection((host, port), timeout=20) as s:
        sender = threading.Thread(target=s.sendall, args=(data,))
        sender.start()
        back = recv_exactly(s, nbytes)
        sender.join()
    if back != data:
        print("MISMATCH: echoed bytes differ", flush=True)
        return 1
    print("ok: %d bytes echoed intact" % nbytes, flush=True)
    return 0


def stream(host, port, seconds, stop=None):
    end = time.time() + seconds
    n = 0
    with socket.create_connection((host, port), timeout=10) as s:
        s.settimeout(30)  # an outage of a few seconds only delays the echo
        while time.time() < end and not (stop and os.path.exists(stop)):
            line = ("line %06d %s\n" % (n, "x" * 40)).encode()
            s.sendall(line)
            back = recv_exactly(s, len(line))
            if back != line:
                print("MISMATCH at line", n, back, flush=True)
                return 1
            n += 1
            time.sleep(0.05)
    print("ok: %d lines echoed intact" % n, flush=True)
    return 0


def main(argv):
    if len(argv) == 3 and argv[1] == "serve":
        serve(int(argv[2]))
    elif len(argv) == 5 and argv[1] == "send":
        return send(argv[2], int(argv[3]), int(argv[4]))
    elif len(argv) in (5, 6) and argv[1] == "stream":
        return stream(argv[2], int(argv[3]), float(argv[4]), argv[5] if len(argv) == 6 else None)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
