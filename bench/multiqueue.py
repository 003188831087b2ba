#!/usr/bin/env python3
"""The ceiling of run-to-completion threads (issue 8, item 5, the first design): each thread
would own one queue of an IFF_MULTI_QUEUE TUN and one SO_REUSEPORT socket, so a thread only
ever gets the packets the kernel steers to its queue and its socket. This measures that
steering for the traffic make bench sends: how the packets of 1 and of 4 flows spread over
2 TUN queues, and how the datagrams of 1 and of 4 peers (source ports) spread over 2
sockets bound to one port.

Run as root: bench/multiqueue.py. It makes one network namespace (adit-mq-PID), sends only
to addresses inside it, and removes it on the way out."""
import fcntl
import os
import socket
import struct
import subprocess
import sys

TUNSETIFF = 0x400454CA
IFF_TUN, IFF_NO_PI, IFF_MULTI_QUEUE = 0x0001, 0x1000, 0x0100
QUEUES = 2
PACKETS = 4000  # per flow
ROUND = 100     # sent between two drains, well under the queue's 500


def tun_queue(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE))
    return fd


def drain(fd):
    n = 0
    while True:
        try:
            os.read(fd, 65536)
        except BlockingIOError:
            return n
        n += 1


def tun_spread(flows):
    """Packets of `flows` UDP flows from the host into the TUN, counted per queue."""
    name = "mq%d" % os.getpid()
    queues = [tun_queue(name) for _ in range(QUEUES)]
    subprocess.run(["ip", "addr", "add", "10.251.0.1/24", "dev", name], check=True)
    subprocess.run(["ip", "link", "set", name, "up"], check=True)
    socks = []
    for i in range(flows):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("10.251.0.1", 40000 + i))
        socks.append(s)
    drain_all = lambda: [drain(q) for q in queues]
    drain_all()  # router solicitations, IPv6 noise of a new link
    counts = [0] * QUEUES
    for _ in range(PACKETS // ROUND):
        for s in socks:
            for _ in range(ROUND):
                s.sendto(b"x" * 1000, ("10.251.0.2", 5201))
        counts = [c + n for c, n in zip(counts, drain_all())]
    for fd in queues:
        os.close(fd)
    return counts


def socket_spread(peers):
    """Datagrams of `peers` senders (one source port each) to 2 SO_REUSEPORT sockets."""
    rx = []
    for _ in range(QUEUES):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        s.bind(("127.0.0.1", 51820))
        s.setblocking(False)
        rx.append(s)
    tx = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(peers)]
    counts = [0] * QUEUES
    for _ in range(PACKETS // ROUND):
        for s in tx:
            for _ in range(ROUND):
                s.sendto(b"x" * 1000, ("127.0.0.1", 51820))
        for i, s in enumerate(rx):
            while True:
                try:
                    s.recv(2048)
                except BlockingIOError:
                    break
                counts[i] += 1
    return counts


def share(counts):
    total = sum(counts) or 1
    return " / ".join("%3.0f %%" % (100.0 * c / total) for c in counts) + "  (%d packets)" % sum(counts)


def inner():
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    print("run-to-completion threads, 2 of them: what each would get")
    for flows in (1, 4):
        print("  TUN, %d flow%s over %d queues:      %s" % (flows, "s" if flows > 1 else " ", QUEUES, share(tun_spread(flows))))
    for peers in (1, 4):
        print("  UDP, %d peer%s over %d reuseport sockets: %s" % (peers, "s" if peers > 1 else " ", QUEUES, share(socket_spread(peers))))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "inner":
        inner()
        return 0
    ns = "adit-mq-%d" % os.getpid()
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        return subprocess.run(["ip", "netns", "exec", ns, sys.executable, os.path.abspath(__file__), "inner"]).returncode
    finally:
        subprocess.run(["ip", "netns", "del", ns])


if __name__ == "__main__":
    sys.exit(main())
