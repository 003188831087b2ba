#!/usr/bin/python3
"""Slow clients of a UAPI socket, for wg-uapi-slow.sh.

  uapi_slow.py trickle SOCKET SECONDS LINE...
      sends set=1, then each LINE, one every SECONDS, then the empty line; prints
      "answer after S s: ..." with what adit answered (or "cut off after S s" if it hung up).
  uapi_slow.py stall SOCKET LINE...
      sends set=1 and the LINEs at once, then nothing, reading until adit hangs up; prints
      "hung up after S s: ..." with what it was told.
  uapi_slow.py ask SOCKET SECONDS COUNT
      sends get=1 over one connection, COUNT times, SECONDS apart, reading each answer;
      prints "answered N" after each, and "hung up after N answers" if adit hangs up.
"""
import socket
import sys
import time


def connect(path):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    return s


def read_answer(s):
    """Up to the empty line that ends an answer; b"" when adit hung up first."""
    got = b""
    while not got.endswith(b"\n\n"):
        try:
            b = s.recv(65536)
        except ConnectionError:
            return b""
        if not b:
            return b""
        got += b
    return got


def trickle(path, secs, lines):
    s = connect(path)
    t0 = time.monotonic()
    try:
        for line in ["set=1"] + lines + [""]:
            s.sendall(line.encode() + b"\n")
            if line:
                time.sleep(secs)
    except (BrokenPipeError, ConnectionError):
        print("cut off after %.1f s" % (time.monotonic() - t0), flush=True)
        return 0
    got = read_answer(s)
    what = got.decode().strip().replace("\n", " ") if got else "nothing (hung up)"
    print("answer after %.1f s: %s" % (time.monotonic() - t0, what), flush=True)
    return 0


def stall(path, lines):
    s = connect(path)
    t0 = time.monotonic()
    s.sendall("".join(l + "\n" for l in ["set=1"] + lines).encode())
    got = b""
    while True:
        try:
            b = s.recv(65536)
        except ConnectionError:
            break
        if not b:
            break
        got += b
    print("hung up after %.1f s: %s" % (time.monotonic() - t0,
                                        got.decode().strip().replace("\n", " ") or "nothing"),
          flush=True)
    return 0


def ask(path, secs, count):
    s = connect(path)
    for n in range(1, count + 1):
        try:
            s.sendall(b"get=1\n\n")
        except (BrokenPipeError, ConnectionError):
            got = b""
        else:
            got = read_answer(s)
        if not got.endswith(b"errno=0\n\n"):
            print("hung up after %d answers" % (n - 1), flush=True)
            return 0
        print("answered %d" % n, flush=True)
        time.sleep(secs)
    return 0


def main(argv):
    if argv[1] == "trickle":
        return trickle(argv[2], float(argv[3]), argv[4:])
    if argv[1] == "stall":
        return stall(argv[2], argv[3:])
    return ask(argv[2], float(argv[3]), int(argv[4]))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
