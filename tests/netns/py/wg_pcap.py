#!/usr/bin/python3
"""Read WireGuard datagrams out of a tcpdump capture, and send one again.

  wg_pcap.py list PCAP
      one line per UDP datagram: SRC SPORT DST DPORT TYPE LEN SENDER RECEIVER
      (TYPE is the payload's first byte; SENDER/RECEIVER are the message's index fields in hex,
      "-" where the message type has none; LEN is the UDP payload length)
  wg_pcap.py times PCAP
      the same lines as list, each led by the capture time in seconds (microseconds precision)
  wg_pcap.py resend PCAP TYPE LEN FROM HOST PORT COUNT
      send COUNT copies of the UDP payload of the first datagram with that TYPE and LEN, from
      address FROM (any port) to HOST:PORT; prints "resent N bytes COUNT times"

Captures are Ethernet (a veth) or Linux cooked (-i any), IPv4 or IPv6, pcap with micro- or
nanosecond stamps. Stdlib only.
"""
import socket
import struct
import sys


def stamped_frames(path):
    """(seconds, linktype, frame) for each record."""
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        raise SystemExit("%s: not a pcap file" % path)
    per_second = 1e9 if magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d") else 1e6
    linktype = struct.unpack(end + "I", data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        sec, frac, caplen = struct.unpack(end + "III", data[off:off + 12])
        yield sec + frac / per_second, linktype, data[off + 16:off + 16 + caplen]
        off += 16 + caplen


def frames(path):
    for _, linktype, frame in stamped_frames(path):
        yield linktype, frame


def ip_packet(linktype, frame):
    if linktype == 1:  # Ethernet, maybe one VLAN tag
        etype, off = struct.unpack("!H", frame[12:14])[0], 14
        if etype == 0x8100:
            etype, off = struct.unpack("!H", frame[16:18])[0], 18
        return frame[off:] if etype in (0x0800, 0x86DD) else None
    if linktype == 113:  # Linux cooked
        return frame[16:]
    if linktype in (101, 12):  # raw IP
        return frame
    return None


def stamped_udp_datagrams(path):
    """(seconds, src, sport, dst, dport, payload) for each UDP datagram."""
    for stamp, linktype, frame in stamped_frames(path):
        pkt = ip_packet(linktype, frame)
        if not pkt:
            continue
        if pkt[0] >> 4 == 4:
            ihl = (pkt[0] & 15) * 4
            if pkt[9] != 17:
                continue
            src, dst, udp = socket.inet_ntop(socket.AF_INET, pkt[12:16]), \
                socket.inet_ntop(socket.AF_INET, pkt[16:20]), pkt[ihl:]
        elif pkt[0] >> 4 == 6:
            if pkt[6] != 17:  # no extension headers on these links
                continue
            src, dst, udp = socket.inet_ntop(socket.AF_INET6, pkt[8:24]), \
                socket.inet_ntop(socket.AF_INET6, pkt[24:40]), pkt[40:]
        else:
            continue
        sport, dport, ulen = struct.unpack("!HHH", udp[:6])
        yield stamp, src, sport, dst, dport, udp[8:ulen]


def udp_datagrams(path):
    for _, src, sport, dst, dport, payload in stamped_udp_datagrams(path):
        yield src, sport, dst, dport, payload


def indices(payload):
    if not payload:
        return "-", "-"
    kind = payload[0]
    idx = [payload[i:i + 4][::-1].hex() if len(payload) >= i + 4 else "-" for i in (4, 8)]
    if kind == 1:
        return idx[0], "-"
    if kind == 2:
        return idx[0], idx[1]
    if kind in (3, 4):
        return "-", idx[0]
    return "-", "-"


def main(argv):
    if len(argv) == 3 and argv[1] == "list":
        for src, sport, dst, dport, payload in udp_datagrams(argv[2]):
            sender, receiver = indices(payload)
            print(src, sport, dst, dport, payload[0] if payload else "-", len(payload),
                  sender, receiver)
        return 0
    if len(argv) == 3 and argv[1] == "times":
        for stamp, src, sport, dst, dport, payload in stamped_udp_datagrams(argv[2]):
            sender, receiver = indices(payload)
            print("%.6f" % stamp, src, sport, dst, dport, payload[0] if payload else "-",
                  len(payload), sender, receiver)
        return 0
    if len(argv) == 9 and argv[1] == "resend":
        kind, length, count = int(argv[3]), int(argv[4]), int(argv[8])
        for _, _, _, _, payload in udp_datagrams(argv[2]):
            if payload and payload[0] == kind and len(payload) == length:
                break
        else:
            print("no datagram of type %d and length %d" % (kind, length), file=sys.stderr)
            return 1
        fam = socket.AF_INET6 if ":" in argv[5] else socket.AF_INET
        sock = socket.socket(fam, socket.SOCK_DGRAM)
        sock.bind((argv[5], 0))
        for _ in range(count):
            sock.sendto(payload, (argv[6], int(argv[7])))
        print("resent %d bytes %d times" % (len(payload), count))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
