#!/usr/bin/python3
"""A daemon that answers adit show as a misbehaving adit might (a --user daemon taken over
through its input still holds root's socket).

  show_fake.py SOCKET MODE

  escapes   a whole answer, with terminal escapes in the key of a drop counter (which adit
            show prints, escaped)
  endpoint  an answer with terminal escapes in a peer's endpoint (which adit show refuses)
  trickle   one line every 0.5 s, never ending

It names itself adit-fake, so that adit show, which asks only daemons that may be adit, asks
it; prints "listening", serves one connection, then removes SOCKET and exits.
"""
import os
import socket
import sys
import time

KEY = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"
ANSWERS = {
    "escapes": "listen_port=51820\nio_drop_\x1b]0;owned\x07\x1b[2J=3\npublic_key=%s\n"
               "endpoint=192.0.2.1:51820\nallowed_ip=10.0.0.2/32\nerrno=0\n\n" % KEY,
    "endpoint": "listen_port=51820\npublic_key=%s\nendpoint=\x1b[2J\x1b]0;owned\x07\n"
                "errno=0\n\n" % KEY,
}


def main(path, mode):
    with open("/proc/self/comm", "w") as f:
        f.write("adit-fake")
    s = socket.socket(socket.AF_UNIX)
    s.bind(path)
    s.listen(1)
    print("listening", flush=True)
    try:
        c, _ = s.accept()
        c.recv(4096)
        if mode == "trickle":
            for i in range(120):
                c.sendall(b"a_key_from_a_newer_adit=%d\n" % i)
                time.sleep(0.5)
        else:
            c.sendall(ANSWERS[mode].encode())
        c.close()
    except BrokenPipeError:
        print("hung up on", flush=True)
    finally:
        os.unlink(path)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
