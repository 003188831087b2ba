/* The "too big" messages and path-MTU probes of icmp_build.h. Each builder checks every length
 * it reads against what is present before reading, believes an IP length field only when len
 * backs it, and writes nothing until the packet has passed every check. */
#include "pkt/icmp_build.h"

#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <string.h>
#include <sys/socket.h>

#include "pkt/packet.h"

enum {
	IP4_HLEN = 20,
	IP6_HLEN = 40,
	ICMP_HLEN = 8,		/* type, code, checksum, and the rest-of-header word */
	PROBE_DATA = 8,		/* the token */
	IP4_ERROR_MAX = 576,	/* an ICMP error's most bytes, RFC 1812 4.3.2.3 */
	IP6_ERROR_MAX = 1280,	/* an ICMPv6 error's, RFC 4443 2.4(c) */
	ICMP_HOPS = 64,		/* TTL and hop limit */
	IP4_TOS_CONTROL = 0xc0,	/* precedence "internetwork control", as Linux sends its errors */
	IP4_DF = 0x4000,
	IP4_FRAG = 0x3fff,	/* MF and the offset */
	IP4_OFFSET = 0x1fff,
	IP6_OFFSET = 0xfff8,	/* in a fragment header's second word */
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

/* Addresses no message may be about or come from: unspecified, multicast, broadcast. */
static bool ip4_no_host(const uint8_t *a)
{
	static const uint8_t any[4], bcast[4] = { 255, 255, 255, 255 };

	return !memcmp(a, any, 4) || (a[0] & 0xf0) == 0xe0 || !memcmp(a, bcast, 4);
}

static bool ip6_no_host(const uint8_t *a)
{
	static const uint8_t any[16];

	return !memcmp(a, any, 16) || a[0] == 0xff;
}

/* The ICMP types that report an error (RFC 1122 3.2.2): none is ever sent about one. */
static bool icmp4_error(uint8_t type)
{
	return type == ICMP_DEST_UNREACH || type == ICMP_SOURCE_QUENCH || type == ICMP_REDIRECT ||
	       type == ICMP_TIME_EXCEEDED || type == ICMP_PARAMETERPROB;
}

/* A 20-byte IPv4 header with its checksum, id 0. */
static void ip4_header(uint8_t *out, size_t total, uint8_t tos, uint16_t frag,
		       const uint8_t *src, const uint8_t *dst)
{
	memset(out, 0, IP4_HLEN);
	out[0] = 0x45;
	out[1] = tos;
	put16(out + 2, total);
	put16(out + 6, frag);
	out[8] = ICMP_HOPS;
	out[9] = IPPROTO_ICMP;
	memcpy(out + 12, src, 4);
	memcpy(out + 16, dst, 4);
	put16(out + 10, packet_csum_fold(packet_csum_add(0, out, IP4_HLEN)));
}

/* A 40-byte IPv6 header, traffic class and flow label 0, carrying ICMPv6. */
static void ip6_header(uint8_t *out, size_t plen, const uint8_t *src, const uint8_t *dst)
{
	memset(out, 0, IP6_HLEN);
	out[0] = 0x60;
	put16(out + 4, plen);
	out[6] = IPPROTO_ICMPV6;
	out[7] = ICMP_HOPS;
	memcpy(out + 8, src, 16);
	memcpy(out + 24, dst, 16);
}

/* The ICMP checksum over the len bytes of icmp as they stand: with the field zeroed, the value
 * to store; over a message whose checksum holds, 0. */
static uint16_t icmp4_csum(const uint8_t *icmp, size_t len)
{
	return packet_csum_fold(packet_csum_add(0, icmp, len));
}

/* The same for ICMPv6, whose sum covers a pseudo-header of both addresses, the upper-layer
 * length and the next header value (RFC 8200 8.1); ip6 is a 40-byte header, then plen bytes of
 * ICMPv6. */
static uint16_t icmp6_csum(const uint8_t *ip6, size_t plen)
{
	const uint8_t tail[8] = { (uint8_t)(plen >> 24), (uint8_t)(plen >> 16),
				  (uint8_t)(plen >> 8), (uint8_t)plen, 0, 0, 0, IPPROTO_ICMPV6 };
	uint32_t sum;

	sum = packet_csum_add(0, ip6 + 8, 32);
	sum = packet_csum_add(sum, tail, sizeof(tail));
	return packet_csum_fold(packet_csum_add(sum, ip6 + IP6_HLEN, plen));
}

/* Where the upper-layer header of an IPv6 packet of total bytes starts, past its extension
 * headers, and its protocol; false when the chain runs past total. After a fragment header
 * with an offset the upper layer is not in this packet: *proto is IPPROTO_FRAGMENT. */
static bool ip6_upper(const uint8_t *p, size_t total, uint8_t *proto, size_t *at)
{
	uint8_t nh = p[6];
	size_t i = IP6_HLEN, hl;

	while (nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS ||
	       nh == IPPROTO_AH || nh == IPPROTO_FRAGMENT) {
		if (total - i < 8)
			return false;
		if (nh == IPPROTO_FRAGMENT && (get16(p + i + 2) & IP6_OFFSET))
			break;
		if (nh == IPPROTO_FRAGMENT)
			hl = 8;
		else if (nh == IPPROTO_AH)
			hl = (p[i + 1] + 2) * 4u;	/* in 4-byte units, less 2 */
		else
			hl = (p[i + 1] + 1) * 8u;	/* in 8-byte units, less 1 */
		if (hl > total - i)
			return false;
		nh = p[i];
		i += hl;
	}
	*proto = nh;
	*at = i;
	return true;
}

static size_t too_big4(uint8_t *out, size_t cap, const uint8_t *pkt, size_t len,
		       unsigned int mtu)
{
	size_t hl, total, quote;
	uint16_t frag;
	uint8_t *icmp;

	hl = (pkt[0] & 0x0f) * 4u;
	total = get16(pkt + 2);
	frag = get16(pkt + 6);
	if (hl < IP4_HLEN || total < hl || total > len || mtu > 0xffff)
		return 0;
	if (!(frag & IP4_DF) || (frag & IP4_OFFSET))
		return 0;
	if (ip4_no_host(pkt + 12) || ip4_no_host(pkt + 16))
		return 0;
	if (pkt[9] == IPPROTO_ICMP && (total == hl || icmp4_error(pkt[hl])))
		return 0;
	quote = total < IP4_ERROR_MAX - IP4_HLEN - ICMP_HLEN ? total
							      : IP4_ERROR_MAX - IP4_HLEN - ICMP_HLEN;
	if (cap < IP4_HLEN + ICMP_HLEN + quote)
		return 0;

	ip4_header(out, IP4_HLEN + ICMP_HLEN + quote, IP4_TOS_CONTROL, 0, pkt + 16, pkt + 12);
	icmp = out + IP4_HLEN;
	memset(icmp, 0, ICMP_HLEN);
	icmp[0] = ICMP_DEST_UNREACH;
	icmp[1] = ICMP_FRAG_NEEDED;
	put16(icmp + 6, mtu);
	memcpy(icmp + ICMP_HLEN, pkt, quote);
	put16(icmp + 2, icmp4_csum(icmp, ICMP_HLEN + quote));
	return IP4_HLEN + ICMP_HLEN + quote;
}

static size_t too_big6(uint8_t *out, size_t cap, const uint8_t *pkt, size_t len,
		       unsigned int mtu)
{
	size_t total, quote, at;
	uint8_t proto;
	uint8_t *icmp;

	if (len < IP6_HLEN)
		return 0;
	total = IP6_HLEN + get16(pkt + 4);
	if (total > len || ip6_no_host(pkt + 8) || ip6_no_host(pkt + 24))
		return 0;
	if (!ip6_upper(pkt, total, &proto, &at))
		return 0;
	if (proto == IPPROTO_ICMPV6 && (at == total || pkt[at] < ICMP6_INFOMSG_MASK))
		return 0;
	quote = total < IP6_ERROR_MAX - IP6_HLEN - ICMP_HLEN ? total
							      : IP6_ERROR_MAX - IP6_HLEN - ICMP_HLEN;
	if (cap < IP6_HLEN + ICMP_HLEN + quote)
		return 0;

	ip6_header(out, ICMP_HLEN + quote, pkt + 24, pkt + 8);
	icmp = out + IP6_HLEN;
	memset(icmp, 0, ICMP_HLEN);
	icmp[0] = ICMP6_PACKET_TOO_BIG;
	put32(icmp + 4, mtu);
	memcpy(icmp + ICMP_HLEN, pkt, quote);
	put16(icmp + 2, icmp6_csum(out, ICMP_HLEN + quote));
	return IP6_HLEN + ICMP_HLEN + quote;
}

size_t icmp_too_big(uint8_t *out, size_t cap, const uint8_t *pkt, size_t len, unsigned int mtu)
{
	if (len < IP4_HLEN)
		return 0;
	if (pkt[0] >> 4 == 4)
		return too_big4(out, cap, pkt, len, mtu);
	if (pkt[0] >> 4 == 6)
		return too_big6(out, cap, pkt, len, mtu);
	return 0;
}

size_t icmp_echo_probe(uint8_t *out, size_t size, int family, const void *src, const void *dst,
		       uint16_t id, uint16_t seq, uint64_t token)
{
	size_t hl = family == AF_INET ? IP4_HLEN : IP6_HLEN;
	size_t n = hl + ICMP_HLEN + PROBE_DATA;
	uint8_t *icmp;

	if ((family != AF_INET && family != AF_INET6) || size < n)
		return 0;

	memset(out, 0, size);
	icmp = out + hl;
	put16(icmp + 4, id);
	put16(icmp + 6, seq);
	put64(icmp + ICMP_HLEN, token);
	if (family == AF_INET) {
		ip4_header(out, n, 0, IP4_DF, src, dst);
		icmp[0] = ICMP_ECHO;
		put16(icmp + 2, icmp4_csum(icmp, n - hl));
	} else {
		ip6_header(out, n - hl, src, dst);
		icmp[0] = ICMP6_ECHO_REQUEST;
		put16(icmp + 2, icmp6_csum(out, n - hl));
	}
	return size;
}

/* The ICMP message of an unfragmented IPv4 echo reply from src whose checksum holds, and its
 * length in *n; NULL for anything else. */
static const uint8_t *reply4(const uint8_t *pkt, size_t len, const uint8_t *src, size_t *n)
{
	size_t hl, total;

	if (len < IP4_HLEN || pkt[0] >> 4 != 4)
		return NULL;
	hl = (pkt[0] & 0x0f) * 4u;
	total = get16(pkt + 2);
	if (hl < IP4_HLEN || total < hl + ICMP_HLEN || total > len)
		return NULL;
	if (pkt[9] != IPPROTO_ICMP || (get16(pkt + 6) & IP4_FRAG) || memcmp(pkt + 12, src, 4))
		return NULL;
	if (pkt[hl] != ICMP_ECHOREPLY || icmp4_csum(pkt + hl, total - hl))
		return NULL;
	*n = total - hl;
	return pkt + hl;
}

/* The same for IPv6: ICMPv6 right after the fixed header, the pseudo-header in the sum. */
static const uint8_t *reply6(const uint8_t *pkt, size_t len, const uint8_t *src, size_t *n)
{
	size_t plen;

	if (len < IP6_HLEN || pkt[0] >> 4 != 6 || pkt[6] != IPPROTO_ICMPV6)
		return NULL;
	plen = get16(pkt + 4);
	if (plen < ICMP_HLEN || IP6_HLEN + plen > len || memcmp(pkt + 8, src, 16))
		return NULL;
	if (pkt[IP6_HLEN] != ICMP6_ECHO_REPLY || icmp6_csum(pkt, plen))
		return NULL;
	*n = plen;
	return pkt + IP6_HLEN;
}

bool icmp_echo_reply(const uint8_t *pkt, size_t len, int family, const void *src, uint16_t id,
		     uint64_t token, uint16_t *seq)
{
	const uint8_t *icmp;
	size_t n;

	if (family == AF_INET)
		icmp = reply4(pkt, len, src, &n);
	else if (family == AF_INET6)
		icmp = reply6(pkt, len, src, &n);
	else
		return false;
	if (!icmp || n < ICMP_HLEN + PROBE_DATA || icmp[1] != 0)
		return false;
	if (get16(icmp + 4) != id || get64(icmp + ICMP_HLEN) != token)
		return false;
	*seq = get16(icmp + 6);
	return true;
}
