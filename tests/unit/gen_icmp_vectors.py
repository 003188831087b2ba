#!/usr/bin/python3
"""Writes tests/unit/icmp_vectors.h and some of the seeds in tests/fuzz/corpus_mss/ (which
fuzz_mss also hands icmp_build.c): the packets that test_icmp_build.c hands icmp_build.c and
the messages it must build from them, each built by scapy from the expression printed above it
(scapy filling in every length and checksum), never by adit.

too_big4() and too_big6() below are what a router sends back for a packet too big for its next
hop (RFC 1191 and RFC 1812 4.3.2.3; RFC 4443 3.2 and 2.4(c)), written here from those RFCs with
the header fields that icmp_build.h promises: from the packet's destination to its source, TTL
or hop limit 64, IPv4 TOS 0xc0 with DF clear and id 0, quoting the packet up to 576 or 1280
bytes in all. probe() is a padded echo request, reply() what a peer's kernel answers.

Run from the repository root: /usr/bin/python3 tests/unit/gen_icmp_vectors.py"""
import os
import struct
import sys

from scapy.all import (ICMP, IP, IPOption_Router_Alert, IPv6, IPv6ExtHdrFragment,
                       IPv6ExtHdrHopByHop, ICMPv6DestUnreach, ICMPv6EchoReply,
                       ICMPv6EchoRequest, ICMPv6PacketTooBig, ICMPv6ParamProblem,
                       ICMPv6TimeExceeded, TCP, UDP, Raw, raw)

A4 = dict(src="10.0.0.1", dst="10.0.0.2")
A6 = dict(src="fd00::1", dst="fd00::2")
# The probes: from this end's inner address to the peer's, with these fields.
US4, PEER4 = "10.100.0.1", "10.100.0.2"
US6, PEER6 = "fd42::1", "fd42::2"
ID, SEQ, TOKEN = 0xad17, 3, 0x0123456789abcdef


def pay(n):
    return Raw(bytes((i * 7 + 3) & 0xFF for i in range(n)))


def too_big4(b, mtu):
    ip = IP(b)
    return (IP(src=ip.dst, dst=ip.src, tos=0xc0, id=0, flags=0, ttl=64)
            / ICMP(type=3, code=4, nexthopmtu=mtu) / Raw(b[:576 - 28]))


def too_big6(b, mtu):
    ip = IPv6(b)
    return (IPv6(src=ip.dst, dst=ip.src, hlim=64)
            / ICMPv6PacketTooBig(mtu=mtu) / Raw(b[:1280 - 48]))


def token():
    return Raw(struct.pack("!Q", TOKEN))


def probe(family, size):
    """The echo request alone, as its IP header counts it, then zeros up to size bytes."""
    if family == 4:
        p = (IP(src=US4, dst=PEER4, flags="DF", id=0, ttl=64)
             / ICMP(type=8, id=ID, seq=SEQ) / token())
    else:
        p = (IPv6(src=US6, dst=PEER6, hlim=64)
             / ICMPv6EchoRequest(id=ID, seq=SEQ, data=struct.pack("!Q", TOKEN)))
    b = raw(p)
    return b + bytes(size - len(b))


UDP4 = 'IP(flags="DF", id=0x1234, **A4)/UDP(sport=5000, dport=6000)/pay(%d)'
UDP6 = 'IPv6(**A6)/UDP(sport=5000, dport=6000)/pay(%d)'
# What a host in the tunnel answers an ICMP error with: an ICMP error about a UDP datagram.
QUOTED = 'Raw(raw(IP(**A4)/UDP(sport=1, dport=2)/pay(40)))'

VECTORS = [
    # IPv4 with DF: a full-size TCP segment and ping -M do, quoted up to 576 bytes in all.
    ("tcp4_df", 'IP(flags="DF", id=0x1111, **A4)/TCP(sport=40000, dport=443, seq=1, ack=1, flags="A")/pay(1400)'),
    ("tcp4_df_1380", 'too_big4(B["tcp4_df"], 1380)'),
    ("ping4_df", 'IP(flags="DF", **A4)/ICMP(type=8, id=5, seq=1)/pay(1472)'),
    ("ping4_df_1420", 'too_big4(B["ping4_df"], 1420)'),
    # Quoted whole: short, exactly 548 bytes (576 in all); 549 bytes are cut to 548.
    ("udp4_df_small", UDP4 % 100),
    ("udp4_df_small_1280", 'too_big4(B["udp4_df_small"], 1280)'),
    ("udp4_df_548", UDP4 % 520),
    ("udp4_df_548_1000", 'too_big4(B["udp4_df_548"], 1000)'),
    ("udp4_df_549", UDP4 % 521),
    ("udp4_df_549_1000", 'too_big4(B["udp4_df_549"], 1000)'),
    # IP options are part of what is quoted; a first fragment (offset 0, MF) is answered too.
    ("opt4_df", 'IP(flags="DF", options=[IPOption_Router_Alert()], **A4)/UDP(sport=1, dport=2)/pay(600)'),
    ("opt4_df_1300", 'too_big4(B["opt4_df"], 1300)'),
    ("first4_df", 'IP(flags="DF+MF", id=77, **A4)/UDP(sport=1, dport=2, len=3000)/pay(1472)'),
    ("first4_df_1400", 'too_big4(B["first4_df"], 1400)'),
    # IPv4 that gets none.
    ("tcp4_nodf", 'IP(**A4)/TCP(sport=40000, dport=443, flags="A")/pay(1400)'),
    ("frag4_df", 'IP(flags="DF", frag=185, proto=17, **A4)/pay(1400)'),
] + [
    ("err4_%d" % t, 'IP(flags="DF", **A4)/ICMP(type=%d, code=%d)/%s' % (t, c, QUOTED))
    for t, c in [(3, 1), (4, 0), (5, 1), (11, 0), (12, 0)]
] + [
    ("src4_bcast", 'IP(flags="DF", src="255.255.255.255", dst="10.0.0.2")/UDP()/pay(1400)'),
    ("src4_zero", 'IP(flags="DF", src="0.0.0.0", dst="10.0.0.2")/UDP()/pay(1400)'),
    ("src4_mcast", 'IP(flags="DF", src="224.0.0.5", dst="10.0.0.2")/UDP()/pay(1400)'),
    ("src4_mcast_top", 'IP(flags="DF", src="239.255.255.255", dst="10.0.0.2")/UDP()/pay(1400)'),
    ("dst4_mcast", 'IP(flags="DF", src="10.0.0.1", dst="239.1.2.3")/UDP()/pay(1400)'),
    ("dst4_bcast", 'IP(flags="DF", src="10.0.0.1", dst="255.255.255.255")/UDP()/pay(1400)'),

    # IPv6: quoted up to 1280 bytes in all.
    ("tcp6", 'IPv6(**A6)/TCP(sport=40000, dport=443, seq=1, ack=1, flags="A")/pay(1400)'),
    ("tcp6_1380", 'too_big6(B["tcp6"], 1380)'),
    ("udp6_small", UDP6 % 100),
    ("udp6_small_1280", 'too_big6(B["udp6_small"], 1280)'),
    ("udp6_1232", UDP6 % 1184),
    ("udp6_1232_1280", 'too_big6(B["udp6_1232"], 1280)'),
    ("udp6_1233", UDP6 % 1185),
    ("udp6_1233_1280", 'too_big6(B["udp6_1233"], 1280)'),
    ("ping6", 'IPv6(**A6)/ICMPv6EchoRequest(id=5, seq=1, data=bytes(1452))'),
    ("ping6_1400", 'too_big6(B["ping6"], 1400)'),
    ("ping6_hbh", 'IPv6(**A6)/IPv6ExtHdrHopByHop()/ICMPv6EchoRequest(id=5, seq=1, data=bytes(1444))'),
    ("ping6_hbh_1400", 'too_big6(B["ping6_hbh"], 1400)'),
    # A fragment the source made: it must make smaller ones.
    ("frag6", 'IPv6(**A6)/IPv6ExtHdrFragment(nh=17, offset=100, id=9)/pay(1400)'),
    ("frag6_1300", 'too_big6(B["frag6"], 1300)'),
    # A later fragment of ICMPv6 whose bytes there read as an error's type: they are not one.
    ("frag6_icmp", 'IPv6(**A6)/IPv6ExtHdrFragment(nh=58, offset=100, id=9)/Raw(b"\\x01\\x00" + bytes(1398))'),
    ("frag6_icmp_1300", 'too_big6(B["frag6_icmp"], 1300)'),
    # IPv6 that gets none.
    ("err6_1", 'IPv6(**A6)/ICMPv6DestUnreach(code=4)/Raw(raw(IPv6(**A6)/UDP()/pay(40)))'),
    ("err6_2", 'IPv6(**A6)/ICMPv6PacketTooBig(mtu=1280)/Raw(raw(IPv6(**A6)/UDP()/pay(1400)))'),
    ("err6_3", 'IPv6(**A6)/ICMPv6TimeExceeded()/Raw(raw(IPv6(**A6)/UDP()/pay(40)))'),
    ("err6_4", 'IPv6(**A6)/ICMPv6ParamProblem()/Raw(raw(IPv6(**A6)/UDP()/pay(40)))'),
    ("err6_hbh", 'IPv6(**A6)/IPv6ExtHdrHopByHop()/ICMPv6DestUnreach()/Raw(raw(IPv6(**A6)/UDP()/pay(1400)))'),
    ("src6_zero", 'IPv6(src="::", dst="fd00::2")/UDP()/pay(1400)'),
    ("src6_mcast", 'IPv6(src="ff02::1", dst="fd00::2")/UDP()/pay(1400)'),
    ("dst6_mcast", 'IPv6(src="fd00::1", dst="ff0e::101")/UDP()/pay(1400)'),

    # Probes: the echo request, then zeros up to the size.
    ("probe4_1420", 'probe(4, 1420)'),
    ("probe4_36", 'probe(4, 36)'),
    ("probe6_1280", 'probe(6, 1280)'),
    ("probe6_56", 'probe(6, 56)'),
    # Replies, as the peer's kernel sends them, and what is not one.
    ("reply4", 'IP(src=PEER4, dst=US4, id=0x5a5a)/ICMP(type=0, id=ID, seq=SEQ)/token()'),
    ("reply4_long", 'IP(src=PEER4, dst=US4, flags="DF")/ICMP(type=0, id=ID, seq=SEQ)/token()/pay(100)'),
    ("reply4_badsum", 'IP(src=PEER4, dst=US4)/ICMP(type=0, id=ID, seq=SEQ, chksum=0xdead)/token()'),
    ("reply4_request", 'IP(src=PEER4, dst=US4)/ICMP(type=8, id=ID, seq=SEQ)/token()'),
    ("reply4_code", 'IP(src=PEER4, dst=US4)/ICMP(type=0, code=1, id=ID, seq=SEQ)/token()'),
    ("reply4_mf", 'IP(src=PEER4, dst=US4, flags="MF")/ICMP(type=0, id=ID, seq=SEQ)/token()'),
    ("reply4_short", 'IP(src=PEER4, dst=US4)/ICMP(type=0, id=ID, seq=SEQ)/Raw(struct.pack("!Q", TOKEN)[:7])'),
    ("reply4_udp", 'IP(src=PEER4, dst=US4)/UDP(sport=0, dport=ID)/token()'),
    ("reply6", 'IPv6(src=PEER6, dst=US6)/ICMPv6EchoReply(id=ID, seq=SEQ, data=struct.pack("!Q", TOKEN))'),
    ("reply6_badsum", 'IPv6(src=PEER6, dst=US6)/ICMPv6EchoReply(id=ID, seq=SEQ, cksum=0xbeef, data=struct.pack("!Q", TOKEN))'),
    ("reply6_request", 'IPv6(src=PEER6, dst=US6)/ICMPv6EchoRequest(id=ID, seq=SEQ, data=struct.pack("!Q", TOKEN))'),
    ("reply6_hbh", 'IPv6(src=PEER6, dst=US6)/IPv6ExtHdrHopByHop()/ICMPv6EchoReply(id=ID, seq=SEQ, data=struct.pack("!Q", TOKEN))'),
]

# Seeds for fuzz_mss, beside gen_mss_vectors.py's: packets that get a "too big", and replies.
SEEDS = ["tcp4_df", "opt4_df", "err4_3", "ping6_hbh", "frag6", "err6_hbh", "reply4", "reply6"]


def c_array(name, expr, data):
    lines = ["/* %s */" % expr.replace("*/", "* /"),
             "static const uint8_t %s[] = {" % name]
    for i in range(0, len(data), 12):
        lines.append("\t" + " ".join("0x%02x," % b for b in data[i:i + 12]))
    lines.append("};")
    return "\n".join(lines)


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    built = {}
    env = dict(globals(), B=built)
    out = ["/* Generated by tests/unit/gen_icmp_vectors.py with scapy; do not edit. Each array is",
           " * raw(the expression above it), with too_big4, too_big6, probe and B (the arrays",
           " * above) as defined in the script. */",
           "#ifndef ICMP_VECTORS_H", "#define ICMP_VECTORS_H", "", "#include <stdint.h>", "",
           "#define PROBE_ID 0x%04x" % ID, "#define PROBE_SEQ %d" % SEQ,
           "#define PROBE_TOKEN 0x%016xULL" % TOKEN, ""]
    for name, expr in VECTORS:
        data = bytes(raw(eval(expr, env)))
        built[name] = data
        out += [c_array(name, expr, data), ""]
    out.append("#endif")
    with open(os.path.join(root, "tests/unit/icmp_vectors.h"), "w") as f:
        f.write("\n".join(out) + "\n")
    corpus = os.path.join(root, "tests/fuzz/corpus_mss")
    os.makedirs(corpus, exist_ok=True)
    for seed in SEEDS:
        with open(os.path.join(corpus, "icmp_" + seed), "wb") as f:
            f.write(built[seed])
    return 0


if __name__ == "__main__":
    sys.exit(main())
