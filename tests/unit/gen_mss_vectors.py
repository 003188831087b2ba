#!/usr/bin/python3
"""Writes tests/unit/mss_vectors.h and the seeds in tests/fuzz/corpus_mss/: the packets that
test_mss.c hands mss_clamp, and what each must become, every one built by scapy from the
expression printed above it (scapy computing each length and checksum afresh), never by adit.
A name ending in _to_N is what the packet before it must become when clamped to N.

Run from the repository root: /usr/bin/python3 tests/unit/gen_mss_vectors.py"""
import os
import sys

from scapy.all import IP, IPOption_Router_Alert, IPv6, IPv6ExtHdrHopByHop, TCP, UDP, Raw, raw

A4 = dict(src="10.0.0.1", dst="10.0.0.2")
A6 = dict(src="fd00::1", dst="fd00::2")


def syn_opts(mss):
    """What Linux puts in a SYN: MSS, SACK permitted, timestamps, NOP, window scale."""
    return [("MSS", mss), ("SAckOK", b""), ("Timestamp", (0x11223344, 0)), ("NOP", None),
            ("WScale", 7)]


def synack_opts(mss):
    """A SYN-ACK's, as Linux sends it without timestamps: MSS, NOP, NOP, SACK-perm, NOP, WS."""
    return [("MSS", mss), ("NOP", None), ("NOP", None), ("SAckOK", b""), ("NOP", None),
            ("WScale", 9)]


def mid_opts(mss):
    """The MSS after other options, at an odd offset: its value straddles two of the
    checksum's 16-bit words."""
    return [("NOP", None), ("WScale", 2), ("NOP", None), ("MSS", mss), ("SAckOK", b"")]


SYN4 = 'IP(flags="DF", id=0x4242, **A4)/TCP(sport=40000, dport=443, seq=0x01020304, flags="S", window=64240, options=syn_opts(%d))'
SYNACK4 = 'IP(flags="DF", id=0, **A4)/TCP(sport=443, dport=40000, seq=0xdeadbeef, ack=0x01020305, flags="SA", window=65160, options=synack_opts(%d))'
SYN6 = 'IPv6(fl=0x54321, **A6)/TCP(sport=50000, dport=22, seq=77, flags="S", window=64800, options=syn_opts(%d))'
SYNACK6 = 'IPv6(**A6)/TCP(sport=22, dport=50000, seq=99, ack=78, flags="SA", window=64260, options=synack_opts(%d))'
# A SYN with data (TCP Fast Open's), of an odd length: the checksum's last word is padded.
SYNDATA4 = 'IP(**A4)/TCP(sport=1, dport=2, flags="S", options=mid_opts(%d))/Raw(b"hello")'
SYNDATA6 = 'IPv6(**A6)/TCP(sport=1, dport=2, flags="SE", options=mid_opts(%d))/Raw(b"odd")'
# IPv4 options move the TCP header.
SYNOPT4 = 'IP(options=[IPOption_Router_Alert()], **A4)/TCP(sport=5, dport=6, flags="S", options=[("MSS", %d)])'
# Two MSS options (the receiver takes the last): both are lowered; the second at an odd offset.
SYNTWO4 = 'IP(**A4)/TCP(sport=5, dport=6, flags="S", options=[("MSS", %d), ("NOP", None), ("MSS", %d)])'

VECTORS = [
    ("syn4", SYN4 % 1460), ("syn4_to_1380", SYN4 % 1380), ("syn4_to_0", SYN4 % 0),
    ("synack4", SYNACK4 % 1460), ("synack4_to_1380", SYNACK4 % 1380),
    ("syn6", SYN6 % 1440), ("syn6_to_1360", SYN6 % 1360),
    ("synack6", SYNACK6 % 8940), ("synack6_to_1220", SYNACK6 % 1220),
    ("syndata4", SYNDATA4 % 65535), ("syndata4_to_1380", SYNDATA4 % 1380),
    ("syndata6", SYNDATA6 % 1440), ("syndata6_to_1232", SYNDATA6 % 1232),
    ("synopt4", SYNOPT4 % 1460), ("synopt4_to_1400", SYNOPT4 % 1400),
    ("syntwo4", SYNTWO4 % (1460, 9000)), ("syntwo4_to_1300", SYNTWO4 % (1300, 1300)),
    ("syntwo4_to_1460", SYNTWO4 % (1460, 1460)),
    # A checksum that does not hold must still not hold: the same packet, a wrong checksum.
    ("syn4_bad", SYN4.replace('flags="S",', 'flags="S", chksum=0xdead,') % 1460),
    # Left alone, whatever mss is below 1460.
    ("syn4_small", SYN4 % 536),
    ("ack4", 'IP(**A4)/TCP(sport=40000, dport=443, flags="A", options=[("MSS", 1460)])'),
    ("rst4", 'IP(**A4)/TCP(sport=40000, dport=443, flags="R", options=[("MSS", 1460)])'),
    ("syn4_nomss", 'IP(**A4)/TCP(sport=40000, dport=443, flags="S", options=[("SAckOK", b""), ("NOP", None), ("WScale", 7)])'),
    ("syn4_noopts", 'IP(**A4)/TCP(sport=40000, dport=443, flags="S")'),
    # The MSS past an end-of-options: not an option any more.
    ("syn4_eol", 'IP(**A4)/TCP(sport=1, dport=2, flags="S", options=[("NOP", None), ("EOL", None), ("NOP", None), ("NOP", None), ("MSS", 1460)])'),
    # An MSS option 6 bytes long: not one Linux reads.
    ("syn4_mss6", 'IP(**A4)/TCP(sport=1, dport=2, flags="S", options=[(2, b"\\x05\\xb4\\x00\\x00"), ("NOP", None), ("NOP", None)])'),
    ("syn4_mf", SYN4.replace('flags="DF"', 'flags="MF"') % 1460),
    ("syn4_frag", 'IP(frag=100, proto=6, **A4)/Raw(raw(TCP(sport=40000, dport=443, flags="S", options=[("MSS", 1460)])))'),
    ("syn6_hbh", 'IPv6(**A6)/IPv6ExtHdrHopByHop()/TCP(sport=50000, dport=22, flags="S", options=syn_opts(1440))'),
    # UDP whose payload reads as a SYN's TCP header: UDP is not looked into.
    ("udp4", 'IP(**A4)/UDP(sport=1, dport=2)/Raw(raw(TCP(flags="S", options=[("MSS", 1460)])))'),
]

SEEDS = ["syn4", "synack4", "syn6", "synack6", "syndata4", "synopt4", "syntwo4", "syn4_bad",
         "ack4", "syn4_eol", "syn4_frag", "syn6_hbh", "udp4"]


def c_array(name, expr, data):
    lines = ["/* %s */" % expr.replace("*/", "* /"),
             "static const uint8_t %s[] = {" % name]
    for i in range(0, len(data), 12):
        lines.append("\t" + " ".join("0x%02x," % b for b in data[i:i + 12]))
    lines.append("};")
    return "\n".join(lines)


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    env = dict(IP=IP, IPOption_Router_Alert=IPOption_Router_Alert, IPv6=IPv6,
               IPv6ExtHdrHopByHop=IPv6ExtHdrHopByHop, TCP=TCP, UDP=UDP, Raw=Raw, raw=raw,
               A4=A4, A6=A6, syn_opts=syn_opts, synack_opts=synack_opts, mid_opts=mid_opts)
    built = {}
    out = ["/* Generated by tests/unit/gen_mss_vectors.py with scapy; do not edit. Each array is",
           " * raw(the expression above it), with the option lists as defined in the script. */",
           "#ifndef MSS_VECTORS_H", "#define MSS_VECTORS_H", "", "#include <stdint.h>", ""]
    for name, expr in VECTORS:
        data = bytes(raw(eval(expr, env)))
        built[name] = data
        out += [c_array(name, expr, data), ""]
    out.append("#endif")
    with open(os.path.join(root, "tests/unit/mss_vectors.h"), "w") as f:
        f.write("\n".join(out) + "\n")
    corpus = os.path.join(root, "tests/fuzz/corpus_mss")
    os.makedirs(corpus, exist_ok=True)
    for seed in SEEDS:
        with open(os.path.join(corpus, seed), "wb") as f:
            f.write(built[seed])
    return 0


if __name__ == "__main__":
    sys.exit(main())
