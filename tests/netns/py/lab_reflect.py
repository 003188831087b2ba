#!/usr/bin/python3
"""Try to make a lab-mode TAP server at HOST:PORT a reflector, and count what comes back.

  lab_reflect.py HOST PORT SERVER_MAC TAP_ADDR FIRST_SOURCE

From 32 source addresses (FIRST_SOURCE and the 31 after it, which must be this host's)
times 32 ports, as forged sources would: 1,024 sources, each a client to the server, less
the last one: with the real client the test keeps, 1,023 fill the table's 1,024 places. One
more would evict the source heard from first, which may by then have been flooded an ARP
request; its second datagram would then come back as a newcomer evicting the next, and so on
through the table, so that no source would be confirmed, and whether that happened depended
on the machine's load.

once:  every source sends one datagram. Most send a 60-byte frame the server's kernel
       ignores, filling the client table; the last TRIGGERS send an ICMP echo request to
       TAP_ADDR (the server's TAP address, at SERVER_MAC) from an inner address no one
       has, so the server's kernel broadcasts ARP requests for it, three each. Prints
         once: N sources sent B bytes, T of them in K triggers; back R bytes in D datagrams
         once: most to one source: X bytes for its Y
again: every source the server answered (it holds them as clients: all but those a real
       client's place left no room for) sends a second frame, LAB_CONFIRM_SEC after its
       first, as a client that keeps talking would; then AGAIN_TRIGGERS triggers. Prints
         again: N sources; back R bytes in D datagrams within S seconds
Each phase counts what arrives for LISTEN seconds after its last datagram. Exits 0.
"""
import resource
import selectors
import socket
import struct
import sys
import time

ADDRS, PORTS = 32, 32
TRIGGERS = 5
AGAIN_TRIGGERS = 40
LISTEN = 4.0     # the kernel's three ARP requests, a second apart, and then some
CONFIRM = 2.2    # seconds between a source's two datagrams: LAB_CONFIRM_SEC and a margin


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s & 0xffff) + (s >> 16)
    s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def mac(text):
    return bytes(int(b, 16) for b in text.split(":"))


def fill_frame(i):
    """60 bytes to a unicast MAC no one has, of an experimental EtherType: the server's
    kernel drops it; its source MAC is the source's own."""
    return mac("02:00:5e:00:00:01") + bytes([2, 0, 0x66, 0, i >> 8, i & 255]) + \
        struct.pack("!H", 0x88b5) + bytes(46)


def trigger(i, server_mac, tap_addr, host):
    """An ICMP echo request (74 bytes) to the server's TAP address from 192.168.53.host, an
    address no one has: the kernel must ask who has it before it can answer. Each phase asks
    from addresses of its own: the kernel asks again for one it gave up on only when it is
    ready to, and how soon that is depends on the machine's load."""
    icmp = bytearray(struct.pack("!BBHHH", 8, 0, 0, 0x5252, i) + bytes(32))
    icmp[2:4] = struct.pack("!H", checksum(bytes(icmp)))
    src = bytes([192, 168, 53, host])
    ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), i, 0, 64, 1, 0,
                               src, socket.inet_aton(tap_addr)))
    ip[10:12] = struct.pack("!H", checksum(bytes(ip)))
    return server_mac + bytes([2, 0, 0x77, 0, i >> 8, i & 255]) + \
        struct.pack("!H", 0x0800) + bytes(ip) + bytes(icmp)


def sources(first):
    base = struct.unpack("!I", socket.inet_aton(first))[0]
    socks = []
    for a in range(ADDRS):
        addr = socket.inet_ntoa(struct.pack("!I", base + a))
        for _ in range(PORTS):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            s.bind((addr, 0))
            s.setblocking(False)
            socks.append(s)
    return socks


def drain(sel, got, seconds):
    """Counts datagrams and bytes per source until seconds have passed."""
    end = time.monotonic() + seconds
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return
        for key, _ in sel.select(left):
            while True:
                try:
                    n = len(key.fileobj.recv(65535))
                except BlockingIOError:
                    break
                got[key.data][0] += 1
                got[key.data][1] += n


def send(s, frame, to, sent, i):
    s.sendto(frame, to)
    sent[i] += len(frame)


def main(argv):
    if len(argv) != 6:
        print(__doc__, file=sys.stderr)
        return 2
    to = (argv[1], int(argv[2]))
    server_mac, tap_addr = mac(argv[3]), argv[4]
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    socks = sources(argv[5])
    socks.pop().close()
    sel = selectors.DefaultSelector()
    got = [[0, 0] for _ in socks]
    sent = [0] * len(socks)
    for i, s in enumerate(socks):
        sel.register(s, selectors.EVENT_READ, i)

    start = time.monotonic()
    n = len(socks)
    for i, s in enumerate(socks):
        if i < n - TRIGGERS:
            send(s, fill_frame(i), to, sent, i)
        else:
            send(s, trigger(i, server_mac, tap_addr, 100 + i % 100), to, sent, i)
        if i % 64 == 63:
            drain(sel, got, 0.005)  # a pace the server's socket takes without loss
    drain(sel, got, LISTEN)
    back = sum(g[1] for g in got)
    worst = max(range(n), key=lambda j: got[j][1] - sent[j])
    print("once: %d sources sent %d bytes, %d of them in %d triggers; back %d bytes in %d "
          "datagrams" % (n, sum(sent), sum(sent[n - TRIGGERS:]), TRIGGERS, back,
                         sum(g[0] for g in got)))
    print("once: most to one source: %d bytes for its %d" % (got[worst][1], sent[worst]),
          flush=True)

    while time.monotonic() < start + CONFIRM:
        drain(sel, got, 0.1)
    held = [i for i in range(n) if got[i][0]]
    for g in got:
        g[0] = g[1] = 0
    for i in held:
        send(socks[i], fill_frame(i), to, sent, i)
        if i % 64 == 63:
            drain(sel, got, 0.005)
    drain(sel, got, 0.2)
    for g in got:
        g[0] = g[1] = 0
    began = time.monotonic()
    for k, i in enumerate(held[:AGAIN_TRIGGERS]):
        send(socks[i], trigger(n + i, server_mac, tap_addr, 200 + k), to, sent, i)
    drain(sel, got, LISTEN)
    print("again: %d sources; back %d bytes in %d datagrams within %.1f seconds" %
          (len(held), sum(g[1] for g in got), sum(g[0] for g in got),
           time.monotonic() - began), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
