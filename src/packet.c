/* One-line summaries of the packets on adit's interface, and the Internet checksum.
 *
 * Every parser here reads untrusted bytes: it is handed the number of bytes it may read and
 * checks it before each access. A packet's own length fields are believed only as far as the
 * buffer backs them, so a lying header shows up as "truncated" rather than as a read past the
 * end. Output goes through struct line, which never overruns the caller's buffer and keeps it
 * NUL-terminated; nothing is allocated. */
#include "packet.h"

#include <arpa/inet.h>
#include <net/ethernet.h>
#include <net/if_arp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum {
	IP4_HLEN = 20, IP6_HLEN = 40, VLAN_HLEN = 4, TCP_HLEN = 20, UDP_HLEN = 8,
	ICMP_HLEN = 8,		/* type, code, checksum and four bytes the type defines */
	ICMP6_HLEN = 4,		/* type, code, checksum: all an unknown ICMPv6 type must have */
	ND_HLEN = 24,		/* ICMPv6 header, flags, target address */
	ARP_FIXED_LEN = 8,	/* htype, ptype, hlen, plen, op */
	ARP_IP4_LEN = 28,	/* and two Ethernet and two IPv4 addresses */
	EXT_MIN_LEN = 8,	/* IPv6 extension headers come in multiples of 8 bytes */
	UNKNOWN_SHOWN = 16,	/* bytes of an unparsable packet shown in hex */
	/* The fields before the addresses. Without a link type to vouch for the version, fewer
	 * bytes than these are as likely any garbage, so they are shown as bytes. */
	IP4_FIXED_LEN = 12, IP6_FIXED_LEN = 8,
};

/* The output line: len < size and buf[len] == '\0' at all times, size > 0. */
struct line {
	char *buf;
	size_t size;
	size_t len;
};

/* What the network layer learnt, for the transport layer's part of the line. */
struct l3 {
	int af;
	const uint8_t *src, *dst;	/* inside the packet, 4 or 16 bytes */
	unsigned int hops;		/* TTL or hop limit */
	size_t total;			/* the stated packet length, IP header included */
	size_t have;			/* bytes of it in the buffer: min(total, buffer) */
	size_t payload;			/* the stated length past the IP headers */
	bool frag;			/* MF or an offset (IPv4), a fragment header (IPv6) */
	bool mf;			/* more fragments follow */
	unsigned int frag_off;		/* in bytes; nonzero: no transport header here */
	uint32_t frag_id;
	const char *ext[4];		/* IPv6 extension headers passed, NULL-terminated */
};

struct name {
	unsigned int value;
	const char *name;
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static const char *lookup(const struct name *t, size_t n, unsigned int value)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].value == value)
			return t[i].name;
	return NULL;
}

static void put(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct line *l, const char *fmt, ...)
{
	size_t room = l->size - l->len;
	va_list ap;
	int n;

	if (room <= 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		l->buf[l->len] = '\0';
	else
		l->len += (size_t)n < room ? (size_t)n : room - 1;
}

static void put_mac(struct line *l, const uint8_t *m)
{
	put(l, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* An address, with a port when port >= 0; an IPv6 address is bracketed before a port. */
static void put_addr(struct line *l, int af, const uint8_t *addr, int port)
{
	char s[INET6_ADDRSTRLEN];

	if (!inet_ntop(af, addr, s, sizeof(s)))
		snprintf(s, sizeof(s), "?");
	if (port < 0)
		put(l, "%s", s);
	else
		put(l, af == AF_INET6 ? "[%s]:%d" : "%s:%d", s, port);
}

static void put_pair(struct line *l, int af, const uint8_t *src, const uint8_t *dst,
		     int sport, int dport)
{
	put_addr(l, af, src, sport);
	put(l, " > ");
	put_addr(l, af, dst, dport);
}

static void head(struct line *l, const struct l3 *n, int sport, int dport)
{
	put(l, "%s ", n->af == AF_INET ? "IPv4" : "IPv6");
	put_pair(l, n->af, n->src, n->dst, sport, dport);
}

/* " NAME" from the table, or " FIELD=VALUE" for a value it does not name. */
static void put_name(struct line *l, const struct name *t, size_t n, const char *field,
		     unsigned int value)
{
	const char *s = lookup(t, n, value);

	if (s)
		put(l, " %s", s);
	else
		put(l, " %s=%u", field, value);
}

static void put_proto(struct line *l, unsigned int proto)
{
	static const struct name names[] = {
		{ IPPROTO_ICMP, "ICMP" }, { IPPROTO_TCP, "TCP" }, { IPPROTO_UDP, "UDP" },
		{ IPPROTO_ICMPV6, "ICMPv6" },
	};

	put_name(l, names, ARRAY_SIZE(names), "proto", proto);
}

static void unknown(struct line *l, const uint8_t *p, size_t len)
{
	size_t i, shown = len < UNKNOWN_SHOWN ? len : UNKNOWN_SHOWN;

	put(l, "unknown %zu bytes:", len);
	for (i = 0; i < shown; i++)
		put(l, " %02x", p[i]);
	if (len > shown)
		put(l, " ...");
}

/* The start of the packet an ICMP error quotes: which flow provoked it. Says nothing when the
 * quote is too short to tell, as RFC 792 lets it be. */
static void quoted(struct line *l, int af, const uint8_t *p, size_t len)
{
	const uint8_t *src, *dst;
	unsigned int proto;
	size_t hlen;
	int sport = -1, dport = -1;

	if (af == AF_INET) {
		if (len < IP4_HLEN || p[0] >> 4 != 4 || (p[0] & 0x0f) < 5)
			return;
		hlen = (p[0] & 0x0f) * 4u;
		proto = p[9], src = p + 12, dst = p + 16;
	} else {
		if (len < IP6_HLEN || p[0] >> 4 != 6)
			return;
		hlen = IP6_HLEN;
		proto = p[6], src = p + 8, dst = p + 24;
	}
	if ((proto == IPPROTO_TCP || proto == IPPROTO_UDP) && len >= hlen + 4) {
		sport = get16(p + hlen);
		dport = get16(p + hlen + 2);
	}
	put(l, " (for ");
	put_pair(l, af, src, dst, sport, dport);
	put_proto(l, proto);
	put(l, ")");
}

/* Whether a transport header of need bytes is cut short in the len bytes present; says so. */
static bool cut(struct line *l, const struct l3 *n, const char *proto, size_t len, size_t need)
{
	if (len >= need)
		return false;
	head(l, n, -1, -1);
	put(l, " %s truncated header (%zu bytes)", proto, len);
	return true;
}

static void icmp4_error(struct line *l, const uint8_t *p)
{
	static const struct name unreach[] = {
		{ 0, "network-unreachable" }, { 1, "host-unreachable" },
		{ 2, "protocol-unreachable" }, { 3, "port-unreachable" },
		{ 4, "fragmentation-needed" }, { 5, "source-route-failed" },
		{ 6, "network-unknown" }, { 7, "host-unknown" }, { 9, "network-prohibited" },
		{ 10, "host-prohibited" }, { 11, "TOS-network-unreachable" },
		{ 12, "TOS-host-unreachable" }, { 13, "communication-prohibited" },
		{ 14, "host-precedence-violation" }, { 15, "precedence-cutoff" },
	};
	static const struct name exceeded[] = {
		{ 0, "ttl-zero-during-transit" }, { 1, "fragment-reassembly-time-exceeded" },
	};
	static const struct name redirect[] = {
		{ 0, "network-redirect" }, { 1, "host-redirect" }, { 2, "TOS-network-redirect" },
		{ 3, "TOS-host-redirect" },
	};

	if (p[0] == ICMP_DEST_UNREACH) {
		put(l, " dest-unreachable");
		put_name(l, unreach, ARRAY_SIZE(unreach), "code", p[1]);
		if (p[1] == ICMP_FRAG_NEEDED)
			put(l, " mtu=%u", get16(p + 6));
	} else if (p[0] == ICMP_TIME_EXCEEDED) {
		put(l, " time-exceeded");
		put_name(l, exceeded, ARRAY_SIZE(exceeded), "code", p[1]);
	} else {
		put(l, " redirect");
		put_name(l, redirect, ARRAY_SIZE(redirect), "code", p[1]);
		put(l, " gw=");
		put_addr(l, AF_INET, p + 4, -1);
	}
}

static bool icmp4(struct line *l, const struct l3 *n, const uint8_t *p, size_t len)
{
	bool error;

	if (cut(l, n, "ICMP", len, ICMP_HLEN))
		return false;
	error = p[0] == ICMP_DEST_UNREACH || p[0] == ICMP_TIME_EXCEEDED || p[0] == ICMP_REDIRECT;
	head(l, n, -1, -1);
	put(l, " ICMP");
	if (p[0] == ICMP_ECHO || p[0] == ICMP_ECHOREPLY)
		put(l, " %s id=%u seq=%u", p[0] == ICMP_ECHO ? "echo-request" : "echo-reply",
		    get16(p + 4), get16(p + 6));
	else if (error)
		icmp4_error(l, p);
	else
		put(l, " type=%u code=%u", p[0], p[1]);
	put(l, " ttl=%u len=%zu", n->hops, n->total);
	if (error)
		quoted(l, AF_INET, p + ICMP_HLEN, len - ICMP_HLEN);
	return true;
}

/* The link-layer address a neighbour discovery message carries in an option of this type. */
static void nd_lladdr(struct line *l, const uint8_t *p, size_t len, uint8_t type)
{
	while (len >= 8) {
		size_t olen = p[1] * 8u;

		if (olen == 0 || olen > len)
			return;
		if (p[0] == type) {
			put(l, " lladdr ");
			put_mac(l, p + 2);
			return;
		}
		p += olen;
		len -= olen;
	}
}

/* A message too short for its target says nothing more: the line's len tells the rest. */
static void nd(struct line *l, const uint8_t *p, size_t len)
{
	if (len < ND_HLEN)
		return;
	if (p[0] == ND_NEIGHBOR_SOLICIT) {
		put(l, " who-has ");
		put_addr(l, AF_INET6, p + 8, -1);
		nd_lladdr(l, p + ND_HLEN, len - ND_HLEN, ND_OPT_SOURCE_LINKADDR);
		return;
	}
	put(l, " ");
	put_addr(l, AF_INET6, p + 8, -1);
	put(l, " flags=%s%s%s%s", p[4] & 0x80 ? "R" : "", p[4] & 0x40 ? "S" : "",
	    p[4] & 0x20 ? "O" : "", p[4] & 0xe0 ? "" : "none");
	nd_lladdr(l, p + ND_HLEN, len - ND_HLEN, ND_OPT_TARGET_LINKADDR);
}

/* What follows a known ICMPv6 type's name; true when the message quotes a packet. */
static bool icmp6_details(struct line *l, const uint8_t *p, size_t len)
{
	static const struct name unreach[] = {
		{ 0, "no-route" }, { 1, "admin-prohibited" }, { 2, "beyond-scope" },
		{ 3, "address-unreachable" }, { 4, "port-unreachable" },
		{ 5, "src-addr-failed-policy" }, { 6, "reject-route" },
	};
	static const struct name exceeded[] = {
		{ 0, "hop-limit-exceeded" }, { 1, "fragment-reassembly-time-exceeded" },
	};
	bool full = len >= ICMP_HLEN;

	if (p[0] == ICMP6_DST_UNREACH)
		put_name(l, unreach, ARRAY_SIZE(unreach), "code", p[1]);
	else if (p[0] == ICMP6_TIME_EXCEEDED)
		put_name(l, exceeded, ARRAY_SIZE(exceeded), "code", p[1]);
	else if (p[0] == ICMP6_PACKET_TOO_BIG && full)
		put(l, " mtu=%u", get32(p + 4));
	else if ((p[0] == ICMP6_ECHO_REQUEST || p[0] == ICMP6_ECHO_REPLY) && full)
		put(l, " id=%u seq=%u", get16(p + 4), get16(p + 6));
	else if (p[0] == ND_ROUTER_ADVERT && full)
		put(l, " lifetime=%u", get16(p + 6));
	else if (p[0] == ND_NEIGHBOR_SOLICIT || p[0] == ND_NEIGHBOR_ADVERT)
		nd(l, p, len);
	return p[0] < 128 && full;	/* the error messages */
}

static bool icmp6(struct line *l, const struct l3 *n, const uint8_t *p, size_t len)
{
	static const struct name types[] = {
		{ 1, "dest-unreachable" }, { 2, "packet-too-big" }, { 3, "time-exceeded" },
		{ 4, "parameter-problem" }, { 128, "echo-request" }, { 129, "echo-reply" },
		{ 130, "mld-query" }, { 131, "mld-report" }, { 132, "mld-done" },
		{ 133, "router-solicitation" }, { 134, "router-advertisement" },
		{ 135, "neighbor-solicitation" }, { 136, "neighbor-advertisement" },
		{ 137, "redirect" }, { 143, "mldv2-report" },
	};
	bool error = false;

	if (cut(l, n, "ICMPv6", len, ICMP6_HLEN))
		return false;
	head(l, n, -1, -1);
	put(l, " ICMPv6");
	if (lookup(types, ARRAY_SIZE(types), p[0])) {
		put_name(l, types, ARRAY_SIZE(types), "type", p[0]);
		error = icmp6_details(l, p, len);
	} else {
		put(l, " type=%u code=%u", p[0], p[1]);
	}
	put(l, " hlim=%u len=%zu", n->hops, n->total);
	if (error)
		quoted(l, AF_INET6, p + ICMP_HLEN, len - ICMP_HLEN);
	return true;
}

static bool tcp(struct line *l, const struct l3 *n, const uint8_t *p, size_t len)
{
	/* tcpdump's letters, in its order */
	static const char letters[] = "FSRP.UEW";
	size_t i, doff;

	if (cut(l, n, "TCP", len, TCP_HLEN))
		return false;
	head(l, n, get16(p), get16(p + 2));
	put(l, " TCP [");
	for (i = 0; i < 8; i++)
		if (p[13] & 1u << i)
			put(l, "%c", letters[i]);
	put(l, "%s] seq=%u", p[13] ? "" : "none", get32(p + 4));
	if (p[13] & 0x10)
		put(l, " ack=%u", get32(p + 8));
	put(l, " win=%u", get16(p + 14));
	doff = (p[12] >> 4) * 4u;
	if (doff < TCP_HLEN || doff > n->payload)
		put(l, " bad data offset %zu", doff);
	else
		put(l, " len=%zu", n->payload - doff);
	return true;
}

/* The UDP length covers the whole datagram, which a first fragment holds only part of. */
static bool udp(struct line *l, const struct l3 *n, const uint8_t *p, size_t len)
{
	size_t ulen;

	if (cut(l, n, "UDP", len, UDP_HLEN))
		return false;
	head(l, n, get16(p), get16(p + 2));
	ulen = get16(p + 4);
	if (ulen < UDP_HLEN || (ulen > n->payload && !n->frag))
		put(l, " UDP bad length %zu", ulen);
	else
		put(l, " UDP len=%zu", ulen - UDP_HLEN);
	return true;
}

static void frag(struct line *l, const struct l3 *n)
{
	put(l, " frag id=%u off=%u%s", n->frag_id, n->frag_off, n->mf ? "+" : "");
}

static bool other(struct line *l, const struct l3 *n, unsigned int proto)
{
	head(l, n, -1, -1);
	put_proto(l, proto);
	if (n->frag_off)
		frag(l, n);	/* a later fragment: it starts with payload, not a header */
	put(l, " len=%zu", n->total);
	return true;
}

/* The transport part of the line and what follows it. p holds the bytes present after the IP
 * headers; n->payload is how many the header says there are. */
static void l4(struct line *l, const struct l3 *n, unsigned int proto, const uint8_t *p, size_t len)
{
	bool whole;
	size_t i;

	if (n->frag_off)
		whole = other(l, n, proto);
	else if (proto == IPPROTO_TCP)
		whole = tcp(l, n, p, len);
	else if (proto == IPPROTO_UDP)
		whole = udp(l, n, p, len);
	else if (proto == IPPROTO_ICMP && n->af == AF_INET)
		whole = icmp4(l, n, p, len);
	else if (proto == IPPROTO_ICMPV6 && n->af == AF_INET6)
		whole = icmp6(l, n, p, len);
	else
		whole = other(l, n, proto);
	if (n->frag && !n->frag_off)
		frag(l, n);
	for (i = 0; n->ext[i]; i++)
		put(l, "%s%s", i ? "," : " ext=", n->ext[i]);
	if (whole && n->have < n->total)	/* a cut header has said so already */
		put(l, " truncated (%zu of %zu bytes)", n->have, n->total);
}

/* Says what is wrong with an IPv4 header of at least IP4_HLEN bytes, if anything. */
static bool ip4_bad(struct line *l, const uint8_t *p, size_t len)
{
	size_t ihl = (p[0] & 0x0f) * 4u, total = get16(p + 2);

	if (p[0] >> 4 != 4)
		put(l, "IPv4 bad version %u (%zu bytes)", p[0] >> 4, len);
	else if (ihl < IP4_HLEN)
		put(l, "IPv4 bad header length %zu (%zu bytes)", ihl, len);
	else if (ihl > len)
		put(l, "IPv4 truncated options (header %zu, %zu bytes)", ihl, len);
	else if (total < ihl)
		put(l, "IPv4 bad total length %zu (header %zu)", total, ihl);
	else
		return false;
	return true;
}

static void ip4(struct line *l, const uint8_t *p, size_t len)
{
	struct l3 n = { .af = AF_INET };
	size_t ihl;
	uint16_t fo;

	if (len < IP4_HLEN) {
		put(l, "IPv4 truncated (%zu bytes)", len);
		return;
	}
	if (ip4_bad(l, p, len))
		return;
	ihl = (p[0] & 0x0f) * 4u;
	n.src = p + 12;
	n.dst = p + 16;
	n.hops = p[8];
	n.total = get16(p + 2);
	n.have = n.total < len ? n.total : len;
	n.payload = n.total - ihl;
	fo = get16(p + 6);
	n.mf = fo & IP_MF;
	n.frag_off = (fo & IP_OFFMASK) * 8u;
	n.frag_id = get16(p + 4);
	n.frag = n.mf || n.frag_off;
	l4(l, &n, p[9], p + ihl, n.have - ihl);
}

/* Steps *off past the extension headers before the transport header, noting each in n;
 * false when one does not fit in the bytes present. */
static bool ip6_ext(struct l3 *n, const uint8_t *p, size_t *off, unsigned int *nh)
{
	static const struct name names[] = {
		{ IPPROTO_HOPOPTS, "hbh" }, { IPPROTO_ROUTING, "rt" }, { IPPROTO_DSTOPTS, "dst" },
	};
	size_t count = 0;

	while (!n->frag_off) {	/* past a later fragment's header lies the middle of a payload */
		const uint8_t *h = p + *off;
		const char *name = lookup(names, ARRAY_SIZE(names), *nh);
		size_t hlen = EXT_MIN_LEN;

		if (!name && *nh != IPPROTO_FRAGMENT)
			break;
		if (n->have - *off < EXT_MIN_LEN)
			return false;
		if (name) {
			hlen = (h[1] + 1) * 8u;
			if (hlen > n->have - *off)
				return false;
			if (count < ARRAY_SIZE(n->ext) - 1)
				n->ext[count++] = name;
		} else {
			n->frag = true;
			n->frag_off = get16(h + 2) & 0xfff8;
			n->mf = h[3] & 1;
			n->frag_id = get32(h + 4);
		}
		*nh = h[0];
		*off += hlen;
	}
	return true;
}

static void ip6(struct line *l, const uint8_t *p, size_t len)
{
	struct l3 n = { .af = AF_INET6 };
	size_t off = IP6_HLEN;
	unsigned int nh;

	if (len < IP6_HLEN) {
		put(l, "IPv6 truncated (%zu bytes)", len);
		return;
	}
	if (p[0] >> 4 != 6) {
		put(l, "IPv6 bad version %u (%zu bytes)", p[0] >> 4, len);
		return;
	}
	n.src = p + 8;
	n.dst = p + 24;
	n.hops = p[7];
	n.total = IP6_HLEN + get16(p + 4);
	n.have = n.total < len ? n.total : len;
	nh = p[6];
	if (!ip6_ext(&n, p, &off, &nh)) {
		head(l, &n, -1, -1);
		put(l, " truncated extension header %u (%zu bytes)", nh, len);
		return;
	}
	n.payload = n.total - off;
	l4(l, &n, nh, p + off, n.have - off);
}

static void arp(struct line *l, const uint8_t *p, size_t len)
{
	unsigned int op = len >= ARP_FIXED_LEN ? get16(p + 6) : 0;

	if (len < ARP_FIXED_LEN) {
		put(l, "ARP truncated (%zu bytes)", len);
	} else if (get16(p) != ARPHRD_ETHER || get16(p + 2) != ETHERTYPE_IP ||
		   p[4] != ETH_ALEN || p[5] != 4) {
		put(l, "ARP htype=%u ptype=0x%04x hlen=%u plen=%u op=%u", get16(p), get16(p + 2),
		    p[4], p[5], op);
	} else if (len < ARP_IP4_LEN) {
		put(l, "ARP truncated (%zu bytes)", len);
	} else if (op == ARPOP_REQUEST) {
		put(l, "ARP who-has ");
		put_addr(l, AF_INET, p + 24, -1);
		put(l, " tell ");
		put_addr(l, AF_INET, p + 14, -1);
	} else if (op == ARPOP_REPLY) {
		put(l, "ARP ");
		put_addr(l, AF_INET, p + 14, -1);
		put(l, " is-at ");
		put_mac(l, p + 8);
	} else {
		put(l, "ARP op=%u ", op);
		put_pair(l, AF_INET, p + 14, p + 24, -1, -1);
	}
}

/* The type of an Ethernet frame of at least ETH_HLEN bytes, looking past one 802.1Q tag, and
 * the offset of its payload; -1 when the tag is cut short. Values up to ETH_DATA_LEN are an
 * 802.3 length, not a type. */
static int ether_type(const uint8_t *p, size_t len, size_t *off, int *vlan)
{
	*off = ETH_HLEN;
	*vlan = -1;
	if (get16(p + 12) != ETHERTYPE_VLAN)
		return get16(p + 12);
	if (len < ETH_HLEN + VLAN_HLEN)
		return -1;
	*off += VLAN_HLEN;
	*vlan = get16(p + 14) & 0x0fff;
	return get16(p + 16);
}

static void ether_payload(struct line *l, int type, const uint8_t *p, size_t len)
{
	if (type == ETHERTYPE_IP)
		ip4(l, p, len);
	else if (type == ETHERTYPE_IPV6)
		ip6(l, p, len);
	else if (type == ETHERTYPE_ARP)
		arp(l, p, len);
	else if (type <= ETH_DATA_LEN)
		put(l, "802.3 len=%d", type);
	else
		put(l, "type=0x%04x len=%zu", (unsigned int)type, len);
}

static void ether(struct line *l, const uint8_t *p, size_t len)
{
	size_t off;
	int type, vlan;

	if (len < ETH_HLEN) {
		put(l, "Ether truncated (%zu bytes)", len);
		return;
	}
	put(l, "Ether ");
	put_mac(l, p + ETH_ALEN);
	put(l, " > ");
	put_mac(l, p);
	type = ether_type(p, len, &off, &vlan);
	if (type < 0) {
		put(l, " vlan truncated (%zu bytes)", len);
		return;
	}
	if (vlan >= 0)
		put(l, " vlan %d", vlan);
	put(l, " ");
	ether_payload(l, type, p + off, len - off);
}

size_t packet_summary(const uint8_t *pkt, size_t len, enum link_type link, char *buf, size_t size)
{
	struct line l = { .buf = buf, .size = size };

	if (!size)
		return 0;
	buf[0] = '\0';
	if (!len)
		put(&l, "empty packet");
	else if (link == LINK_ETHER)
		ether(&l, pkt, len);
	else if (pkt[0] >> 4 == 4 && len >= IP4_FIXED_LEN)
		ip4(&l, pkt, len);
	else if (pkt[0] >> 4 == 6 && len >= IP6_FIXED_LEN)
		ip6(&l, pkt, len);
	else
		unknown(&l, pkt, len);
	return l.len;
}

/* The addresses of an IP packet whose version is want (or either, for 0); false when the
 * header that holds them is not all there. */
static bool brief_ip(struct line *l, const uint8_t *p, size_t len, unsigned int want)
{
	unsigned int version = len ? p[0] >> 4 : 0;

	if (want && version != want)
		return false;
	if (version == 4 && len >= IP4_HLEN && (p[0] & 0x0f) >= 5)
		put_addr(l, AF_INET, p + 12, -1);
	else if (version == 6 && len >= IP6_HLEN)
		put_addr(l, AF_INET6, p + 8, -1);
	else
		return false;
	put(l, " --> ");
	put_addr(l, version == 4 ? AF_INET : AF_INET6, p + (version == 4 ? 16 : 24), -1);
	return true;
}

static bool brief_ether(struct line *l, const uint8_t *p, size_t len)
{
	size_t off;
	int type, vlan;

	if (len < ETH_HLEN || (type = ether_type(p, len, &off, &vlan)) < 0)
		return false;
	if (type == ETHERTYPE_IP || type == ETHERTYPE_IPV6)
		return brief_ip(l, p + off, len - off, type == ETHERTYPE_IP ? 4 : 6);
	put_mac(l, p + ETH_ALEN);
	put(l, " --> ");
	put_mac(l, p);
	if (type == ETHERTYPE_ARP)
		put(l, " (ARP)");
	else if (type <= ETH_DATA_LEN)
		put(l, " (802.3)");
	else
		put(l, " (type 0x%04x)", (unsigned int)type);
	return true;
}

size_t packet_brief(const uint8_t *pkt, size_t len, enum link_type link, char *buf, size_t size)
{
	struct line l = { .buf = buf, .size = size };
	bool ok;

	if (!size)
		return 0;
	buf[0] = '\0';
	ok = link == LINK_ETHER ? brief_ether(&l, pkt, len) : brief_ip(&l, pkt, len, 0);
	if (!ok)
		put(&l, "malformed (%zu bytes)", len);
	return l.len;
}

/* Sums 16-bit big-endian words, the last byte of an odd length padded with zero (RFC 1071).
 * Carries are folded back whenever they leave 32 bits, which keeps the one's complement sum;
 * only the last chunk summed may have an odd length. Reads bytes, so any alignment works. */
uint32_t packet_csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t acc = sum;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		acc += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		acc += (uint32_t)p[len - 1] << 8;
	while (acc >> 32)
		acc = (acc & 0xffffffff) + (acc >> 32);
	return (uint32_t)acc;
}

/* The checksum field's value as a host-order number: store it big-endian (p[0] = c >> 8,
 * p[1] = c & 0xff, or htons then memcpy). Folding a sum over data that includes its correct
 * checksum gives 0. */
uint16_t packet_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}
