/* The ICMP and ICMPv6 part of a packet's summary line: the message type by name, its fields,
 * and for an error the flow of the packet it quotes.
 *
 * Like the rest of the summary, this reads untrusted bytes: each function is handed the number
 * of bytes it may read and checks it before each access. */
#include "pkt/icmp_summary.h"

#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>

enum {
	ICMP_HLEN = 8,		/* type, code, checksum and four bytes the type defines */
	ICMP6_HLEN = 4,		/* type, code, checksum: all an unknown ICMPv6 type must have */
	ND_HLEN = 24,		/* ICMPv6 header, flags, target address */
};

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

bool icmp_summary_put4(struct line *l, const struct l3 *n, const uint8_t *p, size_t len)
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

bool icmp_summary_put6(struct line *l, const struct l3 *n, const uint8_t *p, size_t len)
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
