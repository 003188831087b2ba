/* One-line summaries of the packets on adit's interface: the Ethernet, ARP and IP layers and
 * TCP and UDP; icmp_summary.c describes ICMP and ICMPv6, checksum.c holds the checksum.
 *
 * Every parser here reads untrusted bytes: it is handed the number of bytes it may read and
 * checks it before each access. A packet's own length fields are believed only as far as the
 * buffer backs them, so a lying header shows up as "truncated" rather than as a read past the
 * end. Output goes through struct line (line.h), which never overruns the caller's buffer. */
#include "pkt/packet.h"

#include "pkt/icmp_summary.h"
#include "pkt/line.h"

#include <net/ethernet.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <netinet/ip.h>

enum {
	VLAN_HLEN = 4, TCP_HLEN = 20, UDP_HLEN = 8,
	ARP_FIXED_LEN = 8,	/* htype, ptype, hlen, plen, op */
	ARP_IP4_LEN = 28,	/* and two Ethernet and two IPv4 addresses */
	EXT_MIN_LEN = 8,	/* IPv6 extension headers come in multiples of 8 bytes */
	UNKNOWN_SHOWN = 16,	/* bytes of an unparsable packet shown in hex */
	/* The fields before the addresses. Without a link type to vouch for the version, fewer
	 * bytes than these are as likely any garbage, so they are shown as bytes. */
	IP4_FIXED_LEN = 12, IP6_FIXED_LEN = 8,
};

static void unknown(struct line *l, const uint8_t *p, size_t len)
{
	size_t i, shown = len < UNKNOWN_SHOWN ? len : UNKNOWN_SHOWN;

	put(l, "unknown %zu bytes:", len);
	for (i = 0; i < shown; i++)
		put(l, " %02x", p[i]);
	if (len > shown)
		put(l, " ...");
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
		whole = icmp_summary_put4(l, n, p, len);
	else if (proto == IPPROTO_ICMPV6 && n->af == AF_INET6)
		whole = icmp_summary_put6(l, n, p, len);
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

bool packet_is_whole(const uint8_t *pkt, size_t len, enum link_type link)
{
	size_t ihl;

	if (link == LINK_ETHER)
		return len >= ETH_HLEN && !(pkt[6] & 1);
	if (len >= IP4_HLEN && pkt[0] >> 4 == 4) {
		ihl = (size_t)(pkt[0] & 0x0f) * 4;
		return ihl >= IP4_HLEN && ihl <= len && get16(pkt + 2) == len &&
		       packet_csum_fold(packet_csum_add(0, pkt, ihl)) == 0;
	}
	if (len >= IP6_HLEN && pkt[0] >> 4 == 6)
		return IP6_HLEN + (size_t)get16(pkt + 4) == len;
	return false;
}
