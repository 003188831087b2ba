/* The answers adit gives on its own interface (lab tasks 2.d and 9): echo replies, and on a TAP
 * interface ARP replies and neighbour advertisements that claim r->mac for every address.
 *
 * The request comes from the local kernel but is still parsed as untrusted bytes: each builder
 * checks every length it reads before reading, believes the IP length field only when the
 * buffer backs it, and writes nothing until the request has passed every check. Checksums are
 * computed with packet_csum_add over big-endian words and stored big-endian. */
#include "lab/responder.h"

#include <net/ethernet.h>
#include <net/if_arp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <string.h>

enum {
	ARP_LEN = 28,		/* Ethernet/IPv4 ARP: fixed part, two MACs, two addresses */
	IP4_HLEN = 20,
	IP6_HLEN = 40,
	ICMP_HLEN = 8,		/* type, code, checksum, identifier, sequence */
	ND_NS_LEN = 24,		/* type, code, checksum, reserved, target */
	ND_NA_LEN = 32,		/* the same, then a target link-layer address option */
	REPLY_TTL = 64,
	ND_HOP_LIMIT = 255,	/* RFC 4861: anything else came from off-link */
	IP4_DF = 0x40,		/* in the first byte of the flags and fragment offset field */
	ND_NA_SOLICITED = 0x40,
	ND_NA_OVERRIDE = 0x20,
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* 224.0.0.0/4 and the limited broadcast name no one address adit could stand for; Linux
 * ignores echo to them by default too (icmp_echo_ignore_broadcasts). */
static bool ip4_group(const uint8_t *a)
{
	static const uint8_t bcast[4] = { 255, 255, 255, 255 };

	return (a[0] & 0xf0) == 0xe0 || !memcmp(a, bcast, sizeof(bcast));
}

static bool ip6_unspecified(const uint8_t *a)
{
	static const uint8_t any[16];

	return !memcmp(a, any, sizeof(any));
}

/* Each checksum helper clears its field first: the rest was copied from the request. */
static void ip4_checksum(uint8_t *ip)
{
	put16(ip + 10, 0);
	put16(ip + 10, packet_csum_fold(packet_csum_add(0, ip, IP4_HLEN)));
}

static void icmp4_checksum(uint8_t *icmp, size_t len)
{
	put16(icmp + 2, 0);
	put16(icmp + 2, packet_csum_fold(packet_csum_add(0, icmp, len)));
}

/* The ICMPv6 checksum covers a pseudo-header of both addresses, the upper-layer length and
 * the next header value (RFC 8200 8.1); ip6 is a complete header followed by plen bytes. */
static void icmp6_checksum(uint8_t *ip6, size_t plen)
{
	const uint8_t tail[8] = { (uint8_t)(plen >> 24), (uint8_t)(plen >> 16),
				  (uint8_t)(plen >> 8), (uint8_t)plen, 0, 0, 0, IPPROTO_ICMPV6 };
	uint32_t sum;

	put16(ip6 + IP6_HLEN + 2, 0);
	sum = packet_csum_add(0, ip6 + 8, 32);
	sum = packet_csum_add(sum, tail, sizeof(tail));
	sum = packet_csum_add(sum, ip6 + IP6_HLEN, plen);
	put16(ip6 + IP6_HLEN + 2, packet_csum_fold(sum));
}

/* An IPv4 echo request, unfragmented and sent to one host: the reply carries its identifier,
 * sequence and payload back with a fresh 20-byte header (options are not echoed). */
static size_t echo4(const uint8_t *p, size_t len, uint8_t *out, size_t size)
{
	size_t ihl, total, icmp_len;

	if (len < IP4_HLEN || p[0] >> 4 != 4)
		return 0;
	ihl = (p[0] & 0x0f) * 4u;
	total = get16(p + 2);
	if (ihl < IP4_HLEN || total < ihl + ICMP_HLEN || total > len)
		return 0;
	if (p[9] != IPPROTO_ICMP || (get16(p + 6) & 0x3fff) || ip4_group(p + 16))
		return 0;
	if (p[ihl] != ICMP_ECHO || p[ihl + 1] != 0)
		return 0;
	icmp_len = total - ihl;
	if (size < IP4_HLEN + icmp_len)
		return 0;

	memset(out, 0, IP4_HLEN);
	out[0] = 0x45;
	out[1] = p[1];
	put16(out + 2, IP4_HLEN + icmp_len);
	memcpy(out + 4, p + 4, 2);
	out[6] = p[6] & IP4_DF;
	out[8] = REPLY_TTL;
	out[9] = IPPROTO_ICMP;
	memcpy(out + 12, p + 16, 4);
	memcpy(out + 16, p + 12, 4);
	ip4_checksum(out);

	memcpy(out + IP4_HLEN, p + ihl, icmp_len);
	out[IP4_HLEN] = ICMP_ECHOREPLY;
	icmp4_checksum(out + IP4_HLEN, icmp_len);
	return IP4_HLEN + icmp_len;
}

/* The payload length of an IPv6 packet carrying ICMPv6 directly, of at least min bytes, or 0. */
static size_t icmp6_len(const uint8_t *p, size_t len, size_t min)
{
	size_t plen;

	if (len < IP6_HLEN || p[0] >> 4 != 6 || p[6] != IPPROTO_ICMPV6)
		return 0;
	plen = get16(p + 4);
	if (plen < min || IP6_HLEN + plen > len)
		return 0;
	return plen;
}

/* An ICMPv6 echo request to a unicast address: same traffic class and flow label back. */
static size_t echo6(const uint8_t *p, size_t len, uint8_t *out, size_t size)
{
	size_t plen = icmp6_len(p, len, ICMP_HLEN);

	if (!plen || p[24] == 0xff)
		return 0;
	if (p[IP6_HLEN] != ICMP6_ECHO_REQUEST || p[IP6_HLEN + 1] != 0)
		return 0;
	if (size < IP6_HLEN + plen)
		return 0;

	memcpy(out, p, 4);
	put16(out + 4, plen);
	out[6] = IPPROTO_ICMPV6;
	out[7] = REPLY_TTL;
	memcpy(out + 8, p + 24, 16);
	memcpy(out + 24, p + 8, 16);
	memcpy(out + IP6_HLEN, p + IP6_HLEN, plen);
	out[IP6_HLEN] = ICMP6_ECHO_REPLY;
	icmp6_checksum(out, plen);
	return IP6_HLEN + plen;
}

/* A neighbour solicitation for any unicast target is answered as if we held it, from that
 * target, so the kernel sends the lab's traffic to r->mac. A solicitation from :: is
 * duplicate address detection: answering it would make the kernel give up its address. */
static size_t na(const struct responder *r, const uint8_t *p, size_t len, uint8_t *out,
		 size_t size)
{
	const uint8_t *target = p + IP6_HLEN + 8;
	uint8_t *icmp = out + IP6_HLEN;

	if (!icmp6_len(p, len, ND_NS_LEN) || p[7] != ND_HOP_LIMIT)
		return 0;
	if (p[IP6_HLEN] != ND_NEIGHBOR_SOLICIT || p[IP6_HLEN + 1] != 0)
		return 0;
	if (ip6_unspecified(p + 8) || target[0] == 0xff || size < IP6_HLEN + ND_NA_LEN)
		return 0;

	memset(out, 0, IP6_HLEN + ND_NA_LEN);
	out[0] = 0x60;
	put16(out + 4, ND_NA_LEN);
	out[6] = IPPROTO_ICMPV6;
	out[7] = ND_HOP_LIMIT;
	memcpy(out + 8, target, 16);
	memcpy(out + 24, p + 8, 16);
	icmp[0] = ND_NEIGHBOR_ADVERT;
	icmp[4] = ND_NA_SOLICITED | ND_NA_OVERRIDE;
	memcpy(icmp + 8, target, 16);
	icmp[24] = ND_OPT_TARGET_LINKADDR;
	icmp[25] = 1;	/* in units of 8 bytes */
	memcpy(icmp + 26, r->mac, ETH_ALEN);
	icmp6_checksum(out, ND_NA_LEN);
	return IP6_HLEN + ND_NA_LEN;
}

/* A who-has for any address gets r->mac. Probes (sender 0.0.0.0) and announcements (sender
 * asking for itself) are left alone: a reply would read as an address conflict. */
static size_t arp(const struct responder *r, const uint8_t *p, size_t len, uint8_t *out,
		  size_t size)
{
	static const uint8_t request[8] = { 0, ARPHRD_ETHER, 8, 0, ETH_ALEN, 4, 0, ARPOP_REQUEST };
	static const uint8_t zero[4];
	const uint8_t *sha = p + 8, *spa = p + 14, *tpa = p + 24;

	if (len < ARP_LEN || size < ARP_LEN || memcmp(p, request, sizeof(request)))
		return 0;
	if (!memcmp(spa, zero, 4) || !memcmp(spa, tpa, 4))
		return 0;
	memcpy(out, request, sizeof(request));
	out[7] = ARPOP_REPLY;
	memcpy(out + 8, r->mac, ETH_ALEN);
	memcpy(out + 14, tpa, 4);
	memcpy(out + 18, sha, ETH_ALEN);
	memcpy(out + 24, spa, 4);
	return ARP_LEN;
}

static size_t ether(const struct responder *r, const uint8_t *p, size_t len, uint8_t *out,
		    size_t size)
{
	const uint8_t *dst = p + ETH_ALEN;	/* the requester */
	uint16_t type;
	size_t n = 0;

	if (!r || len < ETH_HLEN || size < ETH_HLEN)
		return 0;
	type = get16(p + 12);
	p += ETH_HLEN;
	len -= ETH_HLEN;
	if (type == ETHERTYPE_ARP) {
		n = arp(r, p, len, out + ETH_HLEN, size - ETH_HLEN);
		dst = p + 8;	/* the sender hardware address inside the request */
	} else if (type == ETHERTYPE_IP) {
		n = echo4(p, len, out + ETH_HLEN, size - ETH_HLEN);
	} else if (type == ETHERTYPE_IPV6) {
		n = echo6(p, len, out + ETH_HLEN, size - ETH_HLEN);
		if (!n)
			n = na(r, p, len, out + ETH_HLEN, size - ETH_HLEN);
	}
	if (!n)
		return 0;
	memcpy(out, dst, ETH_ALEN);
	memcpy(out + ETH_ALEN, r->mac, ETH_ALEN);
	put16(out + 12, type);
	return ETH_HLEN + n;
}

size_t responder_reply(const struct responder *r, const uint8_t *pkt, size_t len,
		       enum link_type link, uint8_t *out, size_t out_size)
{
	size_t n;

	if (!pkt || !out)
		return 0;
	if (link == LINK_ETHER)
		return ether(r, pkt, len, out, out_size);
	n = echo4(pkt, len, out, out_size);
	return n ? n : echo6(pkt, len, out, out_size);
}
