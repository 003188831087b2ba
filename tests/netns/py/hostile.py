#!/usr/bin/python3
"""Hostile load at a live adit, for tests/netns/wg-hostile.sh, lab-hostile.sh and
wg-handshake-flood.sh. Stdlib only.

  hostile.py wg-mix FROM HOST PORT COUNT PCAP COOKIE [SEED]
      COUNT datagrams at a wg-mode port, from address FROM: random bytes of random sizes
      (0..65507, weighted toward small ones), messages of types 1..4 with valid headers and
      truncated or overlong bodies, bit-flipped copies of the real messages in PCAP (a
      tcpdump capture of a handshake and traffic) and of the cookie reply in file COOKIE,
      and unaltered replays of the transport-data messages PCAP holds toward HOST:PORT.
  hostile.py lab-mix FROM HOST PORT COUNT PCAP [SEED]
      the same at a lab-mode port: random bytes of random sizes, IPv4 and IPv6 packets that
      look real (valid headers, ICMP/UDP/TCP, random sources outside 192.168.53.0/24) with
      right and wrong lengths, truncated headers, and bit-flipped copies of the inner packets
      in PCAP (UDP payloads to PORT) with their source moved out of the tunnel's subnet.
  hostile.py big FROM HOST PORT COUNT [SMALL]
      SMALL (default 0) random datagrams of 32 bytes, then COUNT of the largest size, 65507
      bytes: sent while the daemon is stopped, they land in receive buffers SMALL and on of
      its next batch and touch them to their end (hostlib.sh's warm_pool).
  hostile.py cookie FROM HOST PORT PUBKEY OUT
      send a handshake initiation with a valid mac1 for PUBKEY (base64) and write the cookie
      reply (type 3) that comes back to OUT: a real one, from a daemon under load.
  hostile.py hs-flood FIRST NSRC NMAC2 HOST PORT PUBKEY SECONDS RATE1 RATE2
      a handshake flood, for SECONDS, from NSRC consecutive IPv4 addresses from FIRST on:
      initiations with a valid mac1 and no mac2, RATE1 a second from all sources in turn.
      Each source takes the cookie out of the first cookie reply it gets (XChaCha20-Poly1305
      under BLAKE2s("cookie--" || PUBKEY), checked); the first NMAC2 sources then also send
      initiations with a valid mac2 made from their cookie, RATE2 a second each, which a
      receiver under load must rate-limit per source. Counts every answer by source and
      second, and checks the first cookie reply of each source and one in 50 after.

Each mode prints one "key value" line per figure (sent, answers, ...) and exits 0.
"""
import base64
import collections
import hashlib
import os
import random
import select
import socket
import struct
import sys
import time

import wg_pcap

SIZES = {1: 148, 2: 92, 3: 64}
MAX_UDP = 65507


def mac1_key(pubkey):
    return hashlib.blake2s(b"mac1----" + pubkey).digest()


def cookie_key(pubkey):
    return hashlib.blake2s(b"cookie--" + pubkey).digest()


def with_mac1(key, msg):
    """msg with a valid mac1 and a zero mac2: the last 32 bytes are the macs."""
    body = msg[:-32]
    return body + hashlib.blake2s(body, key=key, digest_size=16).digest() + bytes(16)


def with_mac2(cookie, msg):
    body = msg[:-16]
    return body + hashlib.blake2s(body, key=cookie, digest_size=16).digest()


# XChaCha20-Poly1305, decryption only (RFC 8439 and draft-irtf-cfrg-xchacha), for cookies.
def _rotl(v, n):
    return ((v << n) & 0xffffffff) | (v >> (32 - n))


def _rounds(s):
    def qr(a, b, c, d):
        s[a] = (s[a] + s[b]) & 0xffffffff; s[d] = _rotl(s[d] ^ s[a], 16)
        s[c] = (s[c] + s[d]) & 0xffffffff; s[b] = _rotl(s[b] ^ s[c], 12)
        s[a] = (s[a] + s[b]) & 0xffffffff; s[d] = _rotl(s[d] ^ s[a], 8)
        s[c] = (s[c] + s[d]) & 0xffffffff; s[b] = _rotl(s[b] ^ s[c], 7)
    for _ in range(10):
        qr(0, 4, 8, 12); qr(1, 5, 9, 13); qr(2, 6, 10, 14); qr(3, 7, 11, 15)
        qr(0, 5, 10, 15); qr(1, 6, 11, 12); qr(2, 7, 8, 13); qr(3, 4, 9, 14)


SIGMA = struct.unpack("<4I", b"expand 32-byte k")


def hchacha20(key, nonce16):
    s = list(SIGMA) + list(struct.unpack("<8I", key)) + list(struct.unpack("<4I", nonce16))
    _rounds(s)
    return struct.pack("<8I", *(s[0:4] + s[12:16]))


def chacha20_block(key, counter, nonce12):
    init = list(SIGMA) + list(struct.unpack("<8I", key)) + [counter] + \
        list(struct.unpack("<3I", nonce12))
    s = list(init)
    _rounds(s)
    return struct.pack("<16I", *((a + b) & 0xffffffff for a, b in zip(s, init)))


def poly1305(key, msg):
    r = int.from_bytes(key[:16], "little") & 0x0ffffffc0ffffffc0ffffffc0fffffff
    s, acc, p = int.from_bytes(key[16:], "little"), 0, (1 << 130) - 5
    for i in range(0, len(msg), 16):
        acc = (acc + int.from_bytes(msg[i:i + 16] + b"\x01", "little")) * r % p
    return ((acc + s) & ((1 << 128) - 1)).to_bytes(16, "little")


def xaead_open(key, nonce24, box, aad):
    """The plaintext, or None if the tag is wrong."""
    sub = hchacha20(key, nonce24[:16])
    n12 = bytes(4) + nonce24[16:]
    ct, tag = box[:-16], box[-16:]
    pad = lambda b: b + bytes(-len(b) % 16)
    mac_data = pad(aad) + pad(ct) + struct.pack("<QQ", len(aad), len(ct))
    if poly1305(chacha20_block(sub, 0, n12)[:32], mac_data) != tag:
        return None
    stream = b"".join(chacha20_block(sub, 1 + i, n12) for i in range((len(ct) + 63) // 64))
    return bytes(a ^ b for a, b in zip(ct, stream))


def header(kind):
    return bytes([kind, 0, 0, 0])


class Randoms:
    """Random bytes of any length up to MAX_UDP without a syscall per datagram: slices at
    random offsets of one large random buffer."""

    def __init__(self, rng):
        self.rng = rng
        self.buf = memoryview(os.urandom(1 << 21))

    def take(self, n):
        off = self.rng.randrange(0, len(self.buf) - n)
        return self.buf[off:off + n]


def flipped(rng, msg):
    """A copy of msg with one to three distinct bits flipped (never msg itself again)."""
    b = bytearray(msg)
    for i in rng.sample(range(len(b) * 8), min(rng.randrange(1, 4), len(b) * 8)):
        b[i >> 3] ^= 1 << (i & 7)
    return b


def random_size(rng):
    """0..65507, mostly small: sending and reassembling 64 kB datagrams is what costs."""
    x = rng.random()
    if x < 0.75:
        return rng.randrange(0, 257)
    if x < 0.985:
        return rng.randrange(257, 1501)
    return rng.randrange(1501, MAX_UDP + 1)


def bad_header_msg(rng, rnd):
    """A valid type and zero reserved bytes, with a body too short or too long."""
    t = rng.randrange(1, 5)
    exact = SIZES.get(t, 32)
    x = rng.random()
    if x < 0.4:
        n = rng.randrange(4, exact)  # truncated (type 4: shorter than header and tag)
    elif x < 0.8:
        n = exact + rng.choice([1, 2, 15, 16, 17, 31, 64]) if t != 4 else rng.randrange(4, 32)
    elif x < 0.99:
        n = rng.randrange(exact + 1, 1501)
    else:
        n = rng.randrange(1501, MAX_UDP + 1)
    return header(t) + rnd.take(n - 4) if n > 4 else header(t)[:n]


def answers_of(sock):
    n = 0
    while True:
        try:
            sock.recv(65536)
            n += 1
        except (BlockingIOError, InterruptedError):
            return n
        except OSError:
            return n


def sender(src, host, port):
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 22)
    sock.bind((src, 0))
    sock.connect((host, port))
    sock.setblocking(False)
    return sock


def send_all(sock, count, make, kinds):
    """Sends count datagrams from make(); returns (sent, answers, seconds). A full send queue
    is waited out, not counted as sent."""
    sent = answers = 0
    t0 = time.time()
    for i in range(count):
        kind, msg = make()
        while True:
            try:
                sock.send(msg)
                break
            except (BlockingIOError, OSError) as e:
                if isinstance(e, BlockingIOError) or e.errno == 105:  # ENOBUFS
                    select.select([], [sock], [], 0.01)
                    continue
                kind = "error"
                break
        kinds[kind] += 1
        sent += kind != "error"
        if i & 1023 == 1023:
            answers += answers_of(sock)
    seconds = time.time() - t0
    end = time.time() + 1
    while time.time() < end:
        select.select([sock], [], [], 0.1)
        answers += answers_of(sock)
    return sent, answers, seconds


def report(sent, answers, seconds, kinds):
    print("sent", sent)
    print("answers", answers)
    print("seconds %.1f" % seconds)
    print("rate %d" % (sent / seconds if seconds else 0))
    for k in sorted(kinds):
        print(k, kinds[k])
    sys.stdout.flush()


def wg_mix(argv):
    src, host, port, count, pcap, cookie = argv[:6]
    port, count = int(port), int(count)
    rng = random.Random(int(argv[6]) if len(argv) > 6 else 1)
    rnd = Randoms(rng)
    real, replays = [], []
    for s, sport, d, dport, payload in wg_pcap.udp_datagrams(pcap):
        if len(payload) < 4 or payload[0] not in (1, 2, 3, 4) or payload[1:4] != bytes(3):
            continue
        real.append(payload)
        if payload[0] == 4 and d == host and dport == port:
            replays.append(payload)
    with open(cookie, "rb") as f:
        real.append(f.read())
    have = sorted({m[0] for m in real})
    if have != [1, 2, 3, 4] or not replays:
        print("the capture lacks a message type (has %s) or a transport message to %s:%d"
              % (have, host, port), file=sys.stderr)
        return 1

    def make():
        x = rng.random()
        if x < 0.40:
            return "random", rnd.take(random_size(rng))
        if x < 0.65:
            return "bad_header", bad_header_msg(rng, rnd)
        if x < 0.93:
            m = rng.choice(real)
            return "flipped_type%d" % m[0], flipped(rng, m)
        return "replay", rng.choice(replays)

    kinds = collections.Counter()
    sent, answers, seconds = send_all(sender(src, host, port), count, make, kinds)
    print("captured %d messages, %d of them transport data to %s:%d"
          % (len(real), len(replays), host, port))
    report(sent, answers, seconds, kinds)
    return 0


def ip_checksum(hdr):
    s = sum(struct.unpack("!%dH" % (len(hdr) // 2), hdr))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def outside_source(rng):
    """A random unicast IPv4 source that no tunnel or lab address is."""
    while True:
        a = rng.randrange(1, 224)
        if a not in (10, 127, 192):
            return bytes([a]) + rng.randbytes(3)


LAB_DSTS = [bytes([192, 168, 60, 5]), bytes([192, 168, 60, 6]), bytes([192, 168, 53, 99]),
            bytes([192, 168, 53, 12]), bytes([192, 168, 53, 11]), bytes([10, 9, 0, 5])]


def ipv4_packet(rng, rnd):
    """An IPv4 packet that looks real: ICMP echo, UDP or TCP SYN, a good header checksum,
    a source outside every subnet of the lab; one in four has a wrong total length."""
    proto = rng.choice([1, 6, 17])
    if proto == 1:
        l4 = bytes([8, 0, 0, 0]) + rnd.take(rng.randrange(4, 1400)).tobytes()
    elif proto == 17:
        body = rnd.take(rng.randrange(0, 1400)).tobytes()
        l4 = struct.pack("!HHHH", rng.randrange(1024, 65536), rng.choice([53, 7000, 9090]),
                         8 + len(body), 0) + body
    else:
        l4 = struct.pack("!HHIIBBHHH", rng.randrange(1024, 65536), rng.choice([22, 80, 7000]),
                         rng.randrange(1 << 32), 0, 0x50, 0x02, 64240, 0, 0)
    dst = rng.choice(LAB_DSTS) if rng.random() < 0.7 else rng.randbytes(4)
    total = 20 + len(l4)
    if rng.random() < 0.25:
        total = rng.choice([total + 1, total - 1, rng.randrange(20, 65536), 0])
    hdr = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, total & 0xffff, rng.randrange(65536),
                                0x4000, rng.randrange(1, 256), proto, 0, outside_source(rng),
                                dst))
    hdr[10:12] = struct.pack("!H", ip_checksum(bytes(hdr)))
    return bytes(hdr) + l4


def ipv6_packet(rng, rnd):
    body = rnd.take(rng.randrange(0, 1400)).tobytes()
    plen = len(body) if rng.random() < 0.7 else rng.randrange(65536)
    src = bytes([0x20, 0x01, 0x0d, 0xb8]) + rng.randbytes(12)
    dst = rng.choice([bytes.fromhex("fd000000000000000000000000000001"), rng.randbytes(16)])
    return struct.pack("!IHBB16s16s", 0x60000000 | rng.randrange(1 << 20), plen & 0xffff,
                       rng.choice([58, 17, 6, 59]), 64, src, dst) + body


def lab_mix(argv):
    src, host, port, count, pcap = argv[:5]
    port, count = int(port), int(count)
    rng = random.Random(int(argv[5]) if len(argv) > 5 else 1)
    rnd = Randoms(rng)
    real = []
    for s, sport, d, dport, payload in wg_pcap.udp_datagrams(pcap):
        if d == host and dport == port and len(payload) >= 20 and payload[0] >> 4 == 4:
            # the client's own packet, its source moved out of the tunnel's subnet, so
            # that the server does not hand the attacker a client's inner address
            real.append(payload[:12] + outside_source(rng) + payload[16:])
    if not real:
        print("no IPv4 packet to %s:%d in the capture" % (host, port), file=sys.stderr)
        return 1

    def make():
        x = rng.random()
        if x < 0.35:
            return "random", rnd.take(random_size(rng))
        if x < 0.65:
            return "ipv4", ipv4_packet(rng, rnd)
        if x < 0.75:
            return "ipv6", ipv6_packet(rng, rnd)
        if x < 0.85:
            v = rng.choice([0x45, 0x60])
            return "truncated", bytes([v]) + rnd.take(rng.randrange(0, 39 if v == 0x60 else 19))
        return "flipped_real", flipped(rng, rng.choice(real))

    kinds = collections.Counter()
    sent, answers, seconds = send_all(sender(src, host, port), count, make, kinds)
    report(sent, answers, seconds, kinds)
    return 0


def big(argv):
    src, host, port, count = argv[:4]
    small = int(argv[4]) if len(argv) > 4 else 0
    rnd = Randoms(random.Random(1))
    kinds = collections.Counter()
    n = [0]

    def make():
        n[0] += 1
        return ("small", rnd.take(32)) if n[0] <= small else ("big", rnd.take(MAX_UDP))
    sent, answers, seconds = send_all(sender(src, host, int(port)), small + int(count), make,
                                      kinds)
    report(sent, answers, seconds, kinds)
    return 0


def cookie(argv):
    src, host, port, pub, out = argv[:5]
    pub = base64.b64decode(pub)
    sock = sender(src, host, int(port))
    for _ in range(10):
        sock.send(with_mac1(mac1_key(pub), header(1) + os.urandom(144)))
        if select.select([sock], [], [], 1)[0]:
            msg = sock.recv(65536)
            if len(msg) == 64 and msg[0] == 3:
                with open(out, "wb") as f:
                    f.write(msg)
                print("cookie reply", len(msg), "bytes")
                return 0
    print("no cookie reply from %s:%s" % (host, port), file=sys.stderr)
    return 1


class Source:
    def __init__(self, addr, host, port, mkey):
        self.addr = addr
        self.sock = sender(addr, host, port)
        self.init = with_mac1(mkey, header(1) + os.urandom(144))
        self.mac1 = self.init[-32:-16]
        self.with_cookie = None
        self.sent1 = self.sent2 = 0


def hs_flood(argv):
    first, nsrc, nmac2, host, port, pub, seconds, rate1, rate2 = argv[:9]
    nsrc, nmac2, port, seconds = int(nsrc), int(nmac2), int(port), float(seconds)
    rate1, rate2 = int(rate1), int(rate2)
    pub = base64.b64decode(pub)
    mkey, ckey = mac1_key(pub), cookie_key(pub)
    base = struct.unpack("!I", socket.inet_aton(first))[0]
    srcs = [Source(socket.inet_ntoa(struct.pack("!I", base + i)), host, port, mkey)
            for i in range(nsrc)]
    mac2_srcs = srcs[:nmac2]
    by_fd = {s.sock.fileno(): s for s in srcs}
    ep = select.epoll()
    for fd in by_fd:
        ep.register(fd, select.EPOLLIN)
    per_second = collections.Counter()  # (source, second) -> answers
    per_source = collections.Counter()  # source -> answers
    kinds = collections.Counter()
    checked = bad_cookies = 0
    t0 = time.time()

    def take(s, msg, now):
        nonlocal checked, bad_cookies
        kinds["answer_type%d" % msg[0] if msg else "answer_empty"] += 1
        per_second[(s.addr, int(now - t0))] += 1
        per_source[s.addr] += 1
        if len(msg) != 64 or msg[0] != 3:
            return
        kinds["cookie_replies"] += 1
        if s.with_cookie is not None and kinds["cookie_replies"] % 50:
            return
        value = xaead_open(ckey, msg[8:32], msg[32:64], s.mac1)
        checked += 1
        if value is None:
            bad_cookies += 1
        elif s.with_cookie is None:
            s.with_cookie = with_mac2(value, s.init)

    def drain(now):
        for fd, _ in ep.poll(0):
            s = by_fd[fd]
            while True:
                try:
                    take(s, s.sock.recv(2048), now)
                except (BlockingIOError, InterruptedError):
                    break
                except OSError:
                    kinds["recv_errors"] += 1
                    break

    def send(s, msg):
        try:
            s.sock.send(msg)
            return True
        except OSError:
            kinds["send_errors"] += 1
            return False

    # Two paced streams, each round robin over its sources so that sources interleave: the
    # initiations without mac2 from every source (rate1 a second in all), and those with
    # mac2 from the first nmac2 sources once they hold a cookie (rate2 a second each).
    n1 = n2 = 0
    end = t0 + seconds
    now = t0
    while now < end:
        elapsed = now - t0
        want1, want2 = int(rate1 * elapsed), int(rate2 * nmac2 * elapsed)
        burst = 0
        while (n1 < want1 or n2 < want2) and burst < 256:
            if n1 < want1:
                s = srcs[n1 % nsrc]
                s.sent1 += send(s, s.init)
                n1 += 1
            if n2 < want2:
                s = mac2_srcs[n2 % nmac2]
                if s.with_cookie is not None:
                    s.sent2 += send(s, s.with_cookie)
                n2 += 1
            burst += 1
        drain(now)
        if not burst:
            time.sleep(0.0005)
        now = time.time()
    flood_seconds = time.time() - t0
    stop = time.time() + 1
    while time.time() < stop:
        ep.poll(0.1)
        drain(time.time())
    sent1 = sum(s.sent1 for s in srcs)
    sent2 = sum(s.sent2 for s in srcs)
    worst = max(per_second.items(), key=lambda kv: kv[1], default=(("-", 0), 0))
    print("sources", nsrc)
    print("mac2_sources", nmac2)
    print("seconds %.1f" % flood_seconds)
    print("sent %d" % (sent1 + sent2))
    print("rate %d" % ((sent1 + sent2) / flood_seconds))
    print("sent_without_mac2", sent1)
    print("sent_with_mac2", sent2)
    print("sources_with_cookie", sum(1 for s in srcs if s.with_cookie is not None))
    # what a per-source rate limiter of 20 a second, bursts of 5, lets through at most
    print("mac2_budget", sum(min(s.sent2, 5 + int(20 * flood_seconds) + 1) for s in srcs))
    print("answers", sum(per_source.values()))
    print("max_answers_per_source_second %d %s" % (worst[1], worst[0][0]))
    print("sources_with_more_answers_than_sent",
          sum(1 for s in srcs if per_source[s.addr] > s.sent1))
    print("cookies_checked", checked)
    print("cookies_bad", bad_cookies)
    for k in sorted(kinds):
        print(k, kinds[k])
    sys.stdout.flush()
    return 0


MODES = {"wg-mix": (wg_mix, 6, 7), "lab-mix": (lab_mix, 5, 6), "cookie": (cookie, 5, 5), "big": (big, 4, 5),
         "hs-flood": (hs_flood, 9, 9)}


def main(argv):
    if len(argv) < 2 or argv[1] not in MODES or \
            not MODES[argv[1]][1] <= len(argv) - 2 <= MODES[argv[1]][2]:
        print(__doc__, file=sys.stderr)
        return 2
    return MODES[argv[1]][0](argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
