#!/usr/bin/python3
"""Abuse a lab-mode server at HOST:PORT for SECONDS with well-formed tunnel datagrams.

  lab_abuse.py ports HOST PORT NPORTS SECONDS   from NPORTS source ports in turn, each
                                                 with an inner source address of its own
  lab_abuse.py addrs HOST PORT SECONDS           from one port, a new random inner source
                                                 address (in 10.0.0.0/8) every datagram

Each datagram is one IPv4 ICMP echo request to 192.168.53.11 with a valid header checksum,
so the server takes it as a packet and learns its source. Prints "sent N from M ports" or
"sent N from M addresses" and exits 0.
"""
import random
import socket
import struct
import sys
import time

BURST = 100      # datagrams, then a pause: a steady few thousand a second, not a queue test
PAUSE = 0.04


def checksum(data):
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s & 0xffff) + (s >> 16)
    s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def packet(src):
    icmp = bytearray(struct.pack("!BBHHH", 8, 0, 0, 0x4242, 1))
    icmp[2:4] = struct.pack("!H", checksum(bytes(icmp)))
    hdr = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 0, 0, 64, 1, 0,
                                src, bytes([192, 168, 53, 11])))
    hdr[10:12] = struct.pack("!H", checksum(bytes(hdr)))
    return bytes(hdr) + bytes(icmp)


def ports(host, port, nports, seconds):
    socks = []
    for i in range(nports):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", 0))
        socks.append((s, packet(bytes([10, 66, i >> 8, i & 255]))))
    sent = 0
    end = time.time() + seconds
    while time.time() < end:
        for s, pkt in socks:
            try:
                s.sendto(pkt, (host, port))
                sent += 1
            except OSError:
                pass
            if sent % BURST == 0:
                time.sleep(PAUSE)
    print("sent %d from %d ports" % (sent, len(socks)), flush=True)


def addrs(host, port, seconds):
    rng = random.Random(7)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    seen = set()
    sent = 0
    end = time.time() + seconds
    while time.time() < end:
        src = bytes([10, rng.randrange(256), rng.randrange(256), rng.randrange(1, 255)])
        seen.add(src)
        try:
            s.sendto(packet(src), (host, port))
            sent += 1
        except OSError:
            pass
        if sent % BURST == 0:
            time.sleep(PAUSE)
    print("sent %d from %d addresses" % (sent, len(seen)), flush=True)


def main(argv):
    if len(argv) == 6 and argv[1] == "ports":
        ports(argv[2], int(argv[3]), int(argv[4]), float(argv[5]))
    elif len(argv) == 5 and argv[1] == "addrs":
        addrs(argv[2], int(argv[3]), float(argv[4]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
