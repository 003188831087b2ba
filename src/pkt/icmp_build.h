/* The ICMP messages wg mode makes itself to find and use each peer's path MTU.
 *
 * A "too big" goes into the TUN when a packet from an inner host does not fit the path to its
 * peer: the host then lowers its own path MTU, as it would for a router's (RFC 1191, RFC 8201).
 * A probe is an echo request sent through the tunnel to an address of the peer, padded to the
 * size under test; its echo reply says that size passes (RFC 8899's probing, with ICMP echo as
 * the probe, since an unmodified peer answers it).
 *
 * Every function reads pkt as untrusted bytes and checks each length before reading; they
 * write only to out, allocate nothing and make no system calls. Checksums are computed with
 * packet_csum_add and stored big-endian. */
#ifndef ADIT_PKT_ICMP_BUILD_H
#define ADIT_PKT_ICMP_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Sizes the builders need at most (out buffers): IPv4 576, IPv6 1280. */
#define ICMP_TOO_BIG_MAX 1280

/* The "too big" a router with a next hop of MTU mtu would send back for pkt (a whole IPv4 or
 * IPv6 packet of len bytes, as read from a TUN, its length per its own header <= len). IPv4:
 * ICMP type 3 code 4 ("fragmentation needed", next-hop MTU in the second half of the
 * rest-of-header word), only when pkt has DF set and is not a non-first fragment, and mtu fits
 * the 16-bit field; IPv6: ICMPv6 type 2 (packet too big, MTU in the 32-bit field), fragments
 * included (the source made them, and must make them smaller).
 * Never in answer to an ICMP error (IPv4 types 3, 4, 5, 11, 12) or an ICMPv6 error (types
 * < 128, found past any extension headers; a chain cut short gets none), nor to a packet whose
 * source is unspecified, multicast or broadcast (0.0.0.0, 224/4, 255.255.255.255, ::,
 * ff00::/8: RFC 1122 3.2.2, RFC 4443 2.4), nor to one whose destination is (the message would
 * come from it, and no such address may send).
 * It comes FROM pkt's destination address (the inner host's peer, so the TUN's kernel takes
 * it as arriving from inside the tunnel: its rp_filter accepts it, and it is not a martian
 * local source) TO pkt's source; TTL/hop limit 64; IPv4 TOS 0xc0 and DF clear, id 0; IPv6
 * traffic class and flow label 0. It quotes as much of pkt as fits in 576 bytes total (IPv4,
 * RFC 1812 4.3.2.3) or 1280 (IPv6, RFC 4443 2.4(c)); all checksums (IPv4 header, ICMP,
 * ICMPv6 with pseudo-header) correct. Writes it to out (cap bytes, not overlapping pkt) and
 * returns its length, or 0 when none is due or cap is too small. */
size_t icmp_too_big(uint8_t *out, size_t cap, const uint8_t *pkt, size_t len, unsigned int mtu);

/* A path-MTU probe's plaintext: an echo request (ICMP type 8, or ICMPv6 type 128) from src to
 * dst (family AF_INET or AF_INET6; src and dst 4 or 16 bytes, network order), identifier id,
 * sequence seq, and 8 bytes of payload: token, big-endian. Its IP header counts the echo
 * request alone (IPv4 total length 20+8+8 = 36 with DF set, TTL 64, id 0; IPv6 payload length
 * 16, hop limit 64); zero bytes follow it up to size bytes, which a WireGuard receiver trims
 * off (it cuts the plaintext to the IP header's length). Writes size bytes to out; returns
 * size, or 0 when size is smaller than the echo request itself or family is neither. */
size_t icmp_echo_probe(uint8_t *out, size_t size, int family, const void *src, const void *dst,
		       uint16_t id, uint16_t seq, uint64_t token);

/* True when pkt (a whole IP packet of len bytes, its length per its own header <= len) is the
 * answer to such a probe: an echo reply (ICMP type 0 or ICMPv6 type 129, code 0) of family
 * from src (4 or 16 bytes), identifier id, carrying token as its first 8 payload bytes; its
 * ICMP/ICMPv6 checksum must hold. An IPv4 fragment, or IPv6 with any extension header, is no
 * such answer (the reply to a 36- or 56-byte request needs neither). Its sequence number goes
 * to *seq, which is left alone when it is none. */
bool icmp_echo_reply(const uint8_t *pkt, size_t len, int family, const void *src, uint16_t id,
		     uint64_t token, uint16_t *seq);

#endif
