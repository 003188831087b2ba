#!/usr/bin/python3
"""Writes tests/unit/offload_vectors.h and the seeds in tests/fuzz/corpus_offload/: the packets
that test_offload.c compares offload.c's output with, each built by scapy from the expression
printed above it, never by adit.

A super-packet is what the kernel hands a TUN with IFF_VNET_HDR (or takes from one): one IP
header with the total length of the whole, and in the TCP/UDP checksum field the pseudo-header
sum, not inverted, which this script computes itself (pseudo() below, RFC 1071). Its segments
are written out one by one, with scapy filling in every length and checksum.

Run from the repository root: /usr/bin/python3 tests/unit/gen_offload_vectors.py"""
import os
import struct
import sys

from scapy.all import IP, IPOption_Router_Alert, IPv6, IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, TCP, UDP, Raw, raw

A4 = dict(src="10.0.0.1", dst="10.0.0.2")
A6 = dict(src="fd00::1", dst="fd00::2")
TS = [("NOP", None), ("NOP", None), ("Timestamp", (5, 6))]


def pay(off, n):
    """Bytes off..off+n of a flow's stream, so that segments are slices of one payload."""
    return Raw(bytes((i * 7 + 3) & 0xFF for i in range(off, off + n)))


def rfc1071(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def pseudo(p):
    """A super-packet as the kernel writes it: lengths filled in, its TCP/UDP checksum field
    holding the folded pseudo-header sum over the whole TCP/UDP length."""
    b = bytearray(raw(p))
    l4 = p.getlayer(TCP) or p.getlayer(UDP)
    off = len(b) - len(raw(l4))
    addrs = bytes(b[12:20]) if b[0] >> 4 == 4 else bytes(b[8:40])
    proto = 6 if isinstance(l4, TCP) else 17
    at = off + (16 if proto == 6 else 6)
    b[at:at + 2] = struct.pack("!H", rfc1071(addrs + struct.pack("!BBH", 0, proto, len(b) - off)))
    return bytes(b)


def zero_word(p):
    """Two bytes of payload after p (IP/UDP with no payload yet) that make the UDP checksum
    compute to zero, which is sent as 0xffff."""
    zero = IP(raw(p / Raw(b"\0\0")))[UDP].chksum
    return Raw(struct.pack("!H", zero))


VECTORS = [
    # offload_split: what a read from the TUN gives, and the segments expected from it.
    ("split_tcp4", 'pseudo(IP(id=0x1000, flags="DF", tos=2, **A4)/TCP(sport=40000, dport=5201, '
     'seq=0xffffff00, ack=12345, flags="FPAC", window=501, options=TS)/pay(0, 977))'),
] + [
    ("split_tcp4_%d" % i, 'IP(id=%d, flags="DF", tos=2, **A4)/TCP(sport=40000, dport=5201, '
     'seq=%d, ack=12345, flags="%s", window=501, options=TS)/pay(%d, %d)'
     % (0x1000 + i, (0xffffff00 + 300 * i) % 2**32, f, 300 * i, n))
    for i, (f, n) in enumerate([("AC", 300), ("A", 300), ("A", 300), ("FPA", 77)])
] + [
    ("split_tcp6", 'pseudo(IPv6(tc=0x20, fl=0x12345, hlim=63, **A6)/TCP(sport=443, dport=50000, '
     'seq=7, ack=8, flags="PA", window=2000, options=TS)/pay(0, 751))'),
] + [
    ("split_tcp6_%d" % i, 'IPv6(tc=0x20, fl=0x12345, hlim=63, **A6)/TCP(sport=443, dport=50000, '
     'seq=%d, ack=8, flags="%s", window=2000, options=TS)/pay(%d, %d)'
     % (7 + 250 * i, f, 250 * i, n))
    for i, (f, n) in enumerate([("A", 250), ("A", 250), ("A", 250), ("PA", 1)])
] + [
    ("split_udp4", 'pseudo(IP(id=7, **A4)/UDP(sport=5000, dport=6000)/pay(0, 899))'),
] + [
    ("split_udp4_%d" % i, 'IP(id=%d, **A4)/UDP(sport=5000, dport=6000)/pay(%d, %d)'
     % (7 + i, 400 * i, n)) for i, n in enumerate([400, 400, 99])
] + [
    ("split_udp6", 'pseudo(IPv6(**A6)/UDP(sport=5000, dport=6000)/pay(0, 960))'),
] + [
    ("split_udp6_%d" % i, 'IPv6(**A6)/UDP(sport=5000, dport=6000)/pay(%d, 320)' % (320 * i))
    for i in range(3)
] + [
    # IPv6 extension headers: csum_start lies past them. Hop-by-hop options leave the
    # pseudo-header alone; a routing header would change its address, so it is refused.
    ("split_tcp6_hbh", 'pseudo(IPv6(**A6)/IPv6ExtHdrHopByHop()/TCP(sport=443, dport=50000, seq=1, '
     'ack=2, flags="A")/pay(0, 150))'),
    ("split_tcp6_hbh_0", 'IPv6(**A6)/IPv6ExtHdrHopByHop()/TCP(sport=443, dport=50000, seq=1, '
     'ack=2, flags="A")/pay(0, 100)'),
    ("split_tcp6_hbh_1", 'IPv6(**A6)/IPv6ExtHdrHopByHop()/TCP(sport=443, dport=50000, seq=101, '
     'ack=2, flags="A")/pay(100, 50)'),
    ("split_tcp6_rt", 'pseudo(IPv6(**A6)/IPv6ExtHdrRouting(addresses=["fd00::3"])/TCP(sport=443, '
     'dport=50000, seq=1, ack=2, flags="A")/pay(0, 150))'),
    # UDP checksums that compute to zero, sent as 0xffff (ZW is zero_word's two bytes).
    ("udp4_zero", 'pseudo(IP(id=1, **A4)/UDP(sport=7, dport=9)/ZW/Raw(b"\\x01\\x02"))'),
    ("udp4_zero_0", 'IP(id=1, **A4)/UDP(sport=7, dport=9)/ZW'),
    ("udp4_zero_1", 'IP(id=2, **A4)/UDP(sport=7, dport=9)/Raw(b"\\x01\\x02")'),
    ("none_udp4_zero", 'pseudo(IP(id=1, **A4)/UDP(sport=7, dport=9)/ZW)'),
    # GSO_NONE with NEEDS_CSUM: the field holds the pseudo-header sum, to be completed.
    ("none_tcp4", 'pseudo(IP(**A4)/TCP(sport=1, dport=2, flags="PA")/pay(0, 100))'),
    ("none_tcp4_done", 'IP(**A4)/TCP(sport=1, dport=2, flags="PA")/pay(0, 100)'),
    ("none_udp6", 'pseudo(IPv6(**A6)/UDP(sport=53, dport=5353)/pay(0, 33))'),
    ("none_udp6_done", 'IPv6(**A6)/UDP(sport=53, dport=5353)/pay(0, 33)'),
    # Exactly gso_size of payload: a single segment.
    ("exact_tcp4", 'pseudo(IP(**A4)/TCP(sport=1, dport=2, seq=9, flags="PA")/pay(0, 300))'),
    ("exact_tcp4_0", 'IP(**A4)/TCP(sport=1, dport=2, seq=9, flags="PA")/pay(0, 300)'),

    # offload_coalesce: flow A (IPv4, DF, timestamps, 200-byte segments from seq 1000).
] + [
    ("c4_%d" % i, 'IP(id=%d, flags="DF", **A4)/TCP(sport=40000, dport=5201, seq=%d, ack=555, '
     'flags="%s", window=1000, options=TS)/pay(%d, %d)' % (0x2000 + i, 1000 + 200 * i, f, 200 * i, n))
    for i, (f, n) in enumerate([("A", 200), ("A", 200), ("A", 200), ("PA", 150)])
] + [
    ("c4_super", 'pseudo(IP(id=0x2000, flags="DF", **A4)/TCP(sport=40000, dport=5201, seq=1000, '
     'ack=555, flags="PA", window=1000, options=TS)/pay(0, 750))'),
    ("c4_super01", 'pseudo(IP(id=0x2000, flags="DF", **A4)/TCP(sport=40000, dport=5201, seq=1000, '
     'ack=555, flags="A", window=1000, options=TS)/pay(0, 400))'),
    ("c4_super01_psh", 'pseudo(IP(id=0x2000, flags="DF", **A4)/TCP(sport=40000, dport=5201, '
     'seq=1000, ack=555, flags="PA", window=1000, options=TS)/pay(0, 400))'),
    ("c4_super12", 'pseudo(IP(id=0x2001, flags="DF", **A4)/TCP(sport=40000, dport=5201, seq=1200, '
     'ack=555, flags="A", window=1000, options=TS)/pay(200, 400))'),
    ("c4_super_short", 'pseudo(IP(id=0x2000, flags="DF", **A4)/TCP(sport=40000, dport=5201, '
     'seq=1000, ack=555, flags="A", window=1000, options=TS)/pay(0, 300))'),
    # Second segments that must not be merged into c4_0, each differing in one way.
    ("c4_1psh", 'IP(id=0x2001, flags="DF", **A4)/TCP(sport=40000, dport=5201, seq=1200, ack=555, '
     'flags="PA", window=1000, options=TS)/pay(200, 200)'),
    ("c4_1fin", 'IP(id=0x2001, flags="DF", **A4)/TCP(sport=40000, dport=5201, seq=1200, ack=555, '
     'flags="FA", window=1000, options=TS)/pay(200, 200)'),
    ("c4_1ts", 'IP(id=0x2001, flags="DF", **A4)/TCP(sport=40000, dport=5201, seq=1200, ack=555, '
     'flags="A", window=1000, options=[("NOP", None), ("NOP", None), ("Timestamp", (5, 7))])'
     '/pay(200, 200)'),
    ("c4_1ack", 'IP(id=0x2001, flags="DF", **A4)/TCP(sport=40000, dport=5201, seq=1200, ack=556, '
     'flags="A", window=1000, options=TS)/pay(200, 200)'),
    ("c4_1win", 'IP(id=0x2001, flags="DF", **A4)/TCP(sport=40000, dport=5201, seq=1200, ack=555, '
     'flags="A", window=1001, options=TS)/pay(200, 200)'),
    ("c4_1ttl", 'IP(id=0x2001, flags="DF", ttl=63, **A4)/TCP(sport=40000, dport=5201, seq=1200, '
     'ack=555, flags="A", window=1000, options=TS)/pay(200, 200)'),
    ("c4_1id", 'IP(id=0x2005, flags="DF", **A4)/TCP(sport=40000, dport=5201, seq=1200, ack=555, '
     'flags="A", window=1000, options=TS)/pay(200, 200)'),
    ("c4_1bad", 'IP(id=0x2001, flags="DF", **A4)/TCP(sport=40000, dport=5201, seq=1200, ack=555, '
     'flags="A", window=1000, options=TS, chksum=0xdead)/pay(200, 200)'),
    ("c4_1badip", 'IP(id=0x2001, flags="DF", chksum=0xbeef, **A4)/TCP(sport=40000, dport=5201, '
     'seq=1200, ack=555, flags="A", window=1000, options=TS)/pay(200, 200)'),
    ("c4_0bad", 'IP(id=0x2000, flags="DF", **A4)/TCP(sport=40000, dport=5201, seq=1000, ack=555, '
     'flags="A", window=1000, options=TS, chksum=0xdead)/pay(0, 200)'),
    ("c4_1short", 'IP(id=0x2001, flags="DF", **A4)/TCP(sport=40000, dport=5201, seq=1200, ack=555, '
     'flags="A", window=1000, options=TS)/pay(200, 100)'),
    ("c4_2short", 'IP(id=0x2002, flags="DF", **A4)/TCP(sport=40000, dport=5201, seq=1300, ack=555, '
     'flags="A", window=1000, options=TS)/pay(300, 200)'),
    ("c4_1ack_only", 'IP(id=0x2001, flags="DF", **A4)/TCP(sport=40000, dport=5201, seq=1200, '
     'ack=555, flags="A", window=1000, options=TS)'),
    ("c4_1tos", 'IP(id=0x2001, flags="DF", tos=3, **A4)/TCP(sport=40000, dport=5201, seq=1200, '
     'ack=555, flags="A", window=1000, options=TS)/pay(200, 200)'),
    # IPv4 fragments, in pairs that would be merged if they were whole packets: first
    # fragments (MF), and later ones (an offset) carrying bytes that read as flow A's segments.
    ("c4_0mf", 'IP(id=0x2000, flags="MF", **A4)/TCP(sport=40000, dport=5201, seq=1000, ack=555, '
     'flags="A", window=1000, options=TS)/pay(0, 200)'),
    ("c4_1mf", 'IP(id=0x2001, flags="MF", **A4)/TCP(sport=40000, dport=5201, seq=1200, ack=555, '
     'flags="A", window=1000, options=TS)/pay(200, 200)'),
    ("c4_0off", 'IP(id=0x2000, frag=29, proto=6, **A4)/Raw(raw(IP(**A4)/TCP(sport=40000, '
     'dport=5201, seq=1000, ack=555, flags="A", window=1000, options=TS)/pay(0, 200))[20:])'),
    ("c4_1off", 'IP(id=0x2001, frag=29, proto=6, **A4)/Raw(raw(IP(**A4)/TCP(sport=40000, '
     'dport=5201, seq=1200, ack=555, flags="A", window=1000, options=TS)/pay(200, 200))[20:])'),
    # Flow B: flow A's addresses, another source port.
] + [
    ("b4_%d" % i, 'IP(id=%d, flags="DF", **A4)/TCP(sport=40001, dport=5201, seq=%d, ack=77, '
     'flags="A", window=1000, options=TS)/pay(%d, 200)' % (0x3000 + i, 9000 + 200 * i, 200 * i))
    for i in range(2)
] + [
    ("b4_super01", 'pseudo(IP(id=0x3000, flags="DF", **A4)/TCP(sport=40001, dport=5201, seq=9000, '
     'ack=77, flags="A", window=1000, options=TS)/pay(0, 400))'),
    # IPv6 flow, no options, three 300-byte segments.
] + [
    ("c6_%d" % i, 'IPv6(fl=0xbeef, **A6)/TCP(sport=443, dport=50000, seq=%d, ack=1, flags="A")'
     '/pay(%d, 300)' % (100 + 300 * i, 300 * i)) for i in range(3)
] + [
    ("c6_super", 'pseudo(IPv6(fl=0xbeef, **A6)/TCP(sport=443, dport=50000, seq=100, ack=1, '
     'flags="A")/pay(0, 900))'),
    ("c6_1hlim", 'IPv6(fl=0xbeef, hlim=63, **A6)/TCP(sport=443, dport=50000, seq=400, ack=1, '
     'flags="A")/pay(300, 300)'),
    ("c6_1fl", 'IPv6(fl=0xbeee, **A6)/TCP(sport=443, dport=50000, seq=400, ack=1, flags="A")'
     '/pay(300, 300)'),
    # UDP flows: IPv4 with a short last datagram, IPv6 of equal ones.
] + [
    ("u4_%d" % i, 'IP(id=%d, **A4)/UDP(sport=5000, dport=6000)/pay(%d, %d)'
     % (40 + i, 256 * i, n)) for i, n in enumerate([256, 256, 100])
] + [
    # 65 datagrams of one byte: one more than a coalesced packet may hold.
    ("u4_tiny", 'b"".join(raw(IP(id=100 + i, **A4)/UDP(sport=5000, dport=6000)/pay(i, 1)) '
     'for i in range(65))'),
    ("u4_tiny_super", 'pseudo(IP(id=100, **A4)/UDP(sport=5000, dport=6000)/pay(0, 64))'),
    ("u4_super", 'pseudo(IP(id=40, **A4)/UDP(sport=5000, dport=6000)/pay(0, 612))'),
    ("u4_3long", 'IP(id=43, **A4)/UDP(sport=5000, dport=6000)/pay(612, 256)'),
    ("u4_1nocsum", 'IP(id=41, **A4)/UDP(sport=5000, dport=6000, chksum=0)/pay(256, 256)'),
    # Datagrams of flow u4 that cannot be read as segments, between two that could merge.
    ("u4_1opt", 'IP(id=41, options=[IPOption_Router_Alert()], **A4)/UDP(sport=5000, dport=6000)'
     '/pay(256, 256)'),
    ("u4_1frag", 'IP(id=41, flags="MF", **A4)/UDP(sport=5000, dport=6000)/pay(256, 256)'),
] + [
    ("u6_%d" % i, 'IPv6(**A6)/UDP(sport=5000, dport=6000)/pay(%d, 500)' % (500 * i))
    for i in range(2)
] + [
    ("u6_super", 'pseudo(IPv6(**A6)/UDP(sport=5000, dport=6000)/pay(0, 1000))'),
    ("u6_1hbh", 'IPv6(**A6)/IPv6ExtHdrHopByHop()/UDP(sport=5000, dport=6000)/pay(500, 500)'),
    ("u6_2", 'IPv6(**A6)/UDP(sport=5000, dport=6000)/pay(1000, 500)'),
]


def c_array(name, expr, data):
    lines = ["/* %s */" % expr.replace("*/", "* /"),
             "static const uint8_t %s[] = {" % name]
    for i in range(0, len(data), 12):
        lines.append("\t" + " ".join("0x%02x," % b for b in data[i:i + 12]))
    lines.append("};")
    return "\n".join(lines)


def vnet(flags, gso_type, hdr_len, gso_size, csum_start, csum_offset):
    """A struct virtio_net_hdr as x86 lays it out: host order, little-endian."""
    return struct.pack("<BBHHHH", flags, gso_type, hdr_len, gso_size, csum_start, csum_offset)


# Seeds for fuzz_offload: a header, then the packet it describes.
SEEDS = {
    "tcp4_tso": (vnet(1, 0x81, 0, 300, 20, 16), "split_tcp4"),
    "tcp6_tso": (vnet(1, 4, 0, 250, 40, 16), "split_tcp6"),
    "udp4_uso": (vnet(1, 5, 28, 400, 20, 6), "split_udp4"),
    "udp6_uso": (vnet(1, 5, 48, 320, 40, 6), "split_udp6"),
    "tcp4_csum": (vnet(1, 0, 0, 0, 20, 16), "none_tcp4"),
    "tcp4_coalesced": (vnet(1, 1, 52, 200, 20, 16), "c4_super"),
}


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    built = {}
    out = ["/* Generated by tests/unit/gen_offload_vectors.py with scapy; do not edit. Each array",
           " * is raw(the expression above it), with pseudo() as defined in the script. */",
           "#ifndef OFFLOAD_VECTORS_H", "#define OFFLOAD_VECTORS_H", "", "#include <stdint.h>", ""]
    env = dict(IP=IP, IPOption_Router_Alert=IPOption_Router_Alert, IPv6=IPv6,
               IPv6ExtHdrHopByHop=IPv6ExtHdrHopByHop,
               IPv6ExtHdrRouting=IPv6ExtHdrRouting, TCP=TCP, UDP=UDP, Raw=Raw, raw=raw, pay=pay, pseudo=pseudo,
               A4=A4, A6=A6, TS=TS)
    env["ZW"] = zero_word(IP(**A4) / UDP(sport=7, dport=9))
    for name, expr in VECTORS:
        data = bytes(raw(eval(expr, env)))
        built[name] = data
        out += [c_array(name, expr, data), ""]
    out.append("#endif")
    with open(os.path.join(root, "tests/unit/offload_vectors.h"), "w") as f:
        f.write("\n".join(out) + "\n")
    corpus = os.path.join(root, "tests/fuzz/corpus_offload")
    os.makedirs(corpus, exist_ok=True)
    for seed, (hdr, name) in SEEDS.items():
        with open(os.path.join(corpus, seed), "wb") as f:
            f.write(hdr + built[name])
    return 0


if __name__ == "__main__":
    sys.exit(main())
