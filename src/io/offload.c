/* Splitting the TUN's super-packets into segments, and coalescing segments into super-packets
 * (offload.h). Both follow what the kernel does on either side of the TUN:
 *  - a read gives one TCP or UDP packet whose payload is cut every gso_size bytes; each piece
 *    gets a copy of the headers, fixed up as tcp_gso_segment and __udp_gso_segment do;
 *  - a write may carry such a packet, which the kernel cuts again when it forwards it, so a
 *    segment is only merged when that cutting gives it back unchanged (tcp_gro_receive's rules
 *    plus incrementing IPv4 ids), and its checksum is replaced by the kernel's partial one.
 * Packets are read as bytes at offsets checked against their length: no casts to headers. */
#include <string.h>

#include <netinet/in.h>

#include "io/offload.h"
#include "pkt/packet.h"

#define IP4_HLEN 20
#define IP6_HLEN 40
#define TCP_HLEN 20
#define UDP_HLEN 8
#define IP_MAX_LEN 65535

#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_CWR 0x80

#define ROLE_ALONE (-1)
#define ROLE_MERGED (-2)

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/* Where the TCP or UDP checksum sits in its header. */
static size_t csum_field(uint8_t proto)
{
	return proto == IPPROTO_TCP ? 16 : 6;
}

/* The pseudo-header's sum: both addresses, the protocol and the TCP or UDP length. IPv4 and
 * IPv6 sum alike, as the IPv6 length's upper half is zero below 64 KB. */
static uint32_t pseudo_sum(const uint8_t *pkt, bool v6, uint8_t proto, size_t l4_len)
{
	uint8_t tail[4] = { 0, proto, (uint8_t)(l4_len >> 8), (uint8_t)l4_len };
	uint32_t sum;

	sum = v6 ? packet_csum_add(0, pkt + 8, 32) : packet_csum_add(0, pkt + 12, 8);
	return packet_csum_add(sum, tail, sizeof(tail));
}

/* The TCP or UDP checksum of pkt[ip_len, len) as a sender computes it, whatever its field
 * holds: the field is skipped, not zeroed, so the packet can be checked without changing it.
 * UDP sends a computed zero as 0xffff, zero meaning "no checksum". The caller has checked that
 * the field lies within len. */
static uint16_t l4_csum(const uint8_t *pkt, size_t ip_len, size_t len, bool v6, uint8_t proto)
{
	const uint8_t *l4 = pkt + ip_len;
	size_t at = csum_field(proto), l4_len = len - ip_len;
	uint32_t sum = pseudo_sum(pkt, v6, proto, l4_len);
	uint16_t c;

	sum = packet_csum_add(sum, l4, at);
	sum = packet_csum_add(sum, l4 + at + 2, l4_len - at - 2);
	c = packet_csum_fold(sum);
	return proto == IPPROTO_UDP && !c ? 0xffff : c;
}

/* Writes an IP header's length for a packet of len bytes; IPv4's header checksum with it. */
static void ip_set_len(uint8_t *pkt, size_t ip_len, size_t len, bool v6)
{
	if (v6) {
		put16(pkt + 4, (uint16_t)(len - IP6_HLEN));
		return;
	}
	put16(pkt + 2, (uint16_t)len);
	put16(pkt + 10, 0);
	put16(pkt + 10, packet_csum_fold(packet_csum_add(0, pkt, ip_len)));
}

/* ---- Splitting what the TUN reads ---- */

/* The layout of a super-packet, every length checked against the packet. */
struct gso {
	size_t ip_len;		/* csum_start: IP header, with IPv4 options or IPv6 extensions */
	size_t hdr_len;		/* and the TCP or UDP header */
	size_t gso_size;
	uint8_t proto;
	bool v6;
};

static int ip4_check(const uint8_t *pkt, size_t len, struct gso *g)
{
	if (len < IP4_HLEN || (size_t)(pkt[0] & 0xf) * 4 != g->ip_len || g->ip_len < IP4_HLEN)
		return -EINVAL;
	/* A fragment cannot be segmented; the length must be the read's. */
	if (get16(pkt + 2) != len || (get16(pkt + 6) & 0x3fff) || pkt[9] != g->proto)
		return -EINVAL;
	return 0;
}

/* Walks the IPv6 extension headers up to csum_start. Only those that leave the pseudo-header
 * alone are allowed: a routing header would change the address it sums. */
static int ip6_check(const uint8_t *pkt, size_t len, struct gso *g)
{
	size_t at = IP6_HLEN;
	uint8_t next;

	if (len < IP6_HLEN || g->ip_len < IP6_HLEN || g->ip_len > len ||
	    (size_t)get16(pkt + 4) + IP6_HLEN != len)
		return -EINVAL;
	for (next = pkt[6]; at < g->ip_len; at += ((size_t)pkt[at + 1] + 1) * 8) {
		if (next != IPPROTO_HOPOPTS && next != IPPROTO_DSTOPTS)
			return -EINVAL;
		if (at + 8 > g->ip_len)
			return -EINVAL;
		next = pkt[at];
	}
	return at == g->ip_len && next == g->proto ? 0 : -EINVAL;
}

/* The TCP or UDP header at csum_start, and at least one byte of payload after it. */
static int l4_check(const uint8_t *pkt, size_t len, struct gso *g)
{
	size_t l4_len = UDP_HLEN;

	if (g->proto == IPPROTO_TCP) {
		if (g->ip_len + TCP_HLEN > len)
			return -EINVAL;
		l4_len = (size_t)(pkt[g->ip_len + 12] >> 4) * 4;
		if (l4_len < TCP_HLEN)
			return -EINVAL;
	}
	g->hdr_len = g->ip_len + l4_len;
	return g->hdr_len < len ? 0 : -EINVAL;
}

/* Reads the layout from the header and checks it against the packet. The kernel always asks
 * for the checksum of a GSO packet, and csum_start is where its transport header begins. */
static int gso_parse(const struct virtio_net_hdr *h, const uint8_t *pkt, size_t len,
		     struct gso *g)
{
	unsigned int version = len ? pkt[0] >> 4 : 0;
	bool ecn = h->gso_type & VIRTIO_NET_HDR_GSO_ECN;
	int err;

	switch (h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
	case VIRTIO_NET_HDR_GSO_TCPV6:
		g->proto = IPPROTO_TCP;
		g->v6 = (h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) == VIRTIO_NET_HDR_GSO_TCPV6;
		if (version != (g->v6 ? 6u : 4u))
			return -EINVAL;
		break;
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		g->proto = IPPROTO_UDP;
		g->v6 = version == 6;
		if (ecn || (version != 4 && version != 6))
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) || !h->gso_size ||
	    h->csum_offset != csum_field(g->proto))
		return -EINVAL;
	g->ip_len = h->csum_start;
	g->gso_size = h->gso_size;
	err = g->v6 ? ip6_check(pkt, len, g) : ip4_check(pkt, len, g);
	return err ? err : l4_check(pkt, len, g);
}

/* Builds segment i of the super-packet in out and returns its length: the headers copied and
 * fixed up for this piece of the payload, and every checksum computed over what it carries. */
static size_t gso_segment(const struct gso *g, const uint8_t *pkt, size_t len, size_t i,
			  uint8_t *out)
{
	size_t from = g->hdr_len + i * g->gso_size;
	size_t n = len - from < g->gso_size ? len - from : g->gso_size;
	uint8_t *l4 = out + g->ip_len;

	memcpy(out, pkt, g->hdr_len);
	memcpy(out + g->hdr_len, pkt + from, n);
	if (g->proto == IPPROTO_TCP) {
		put32(l4 + 4, get32(pkt + g->ip_len + 4) + (uint32_t)(i * g->gso_size));
		if (from + n < len)
			l4[13] &= (uint8_t)~(TCP_FIN | TCP_PSH);
		if (i)
			l4[13] &= (uint8_t)~TCP_CWR;
	} else {
		put16(l4 + 4, (uint16_t)(UDP_HLEN + n));
	}
	if (!g->v6)
		put16(out + 4, (uint16_t)(get16(pkt + 4) + i));
	ip_set_len(out, g->ip_len, g->hdr_len + n, g->v6);
	put16(l4 + csum_field(g->proto),
	      l4_csum(out, g->ip_len, g->hdr_len + n, g->v6, g->proto));
	return g->hdr_len + n;
}

/* A packet the kernel did not segment: only its checksum may be left to do, and the field
 * then holds the pseudo-header's sum, which the sum from csum_start includes. */
static int split_none(const struct virtio_net_hdr *h, uint8_t *pkt, size_t len,
		      uint8_t *const *out, size_t *out_len, unsigned int max, size_t cap)
{
	size_t at = (size_t)h->csum_start + h->csum_offset;
	uint16_t c;

	if ((h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && at + 2 > len)
		return -EINVAL;
	if (!max || len > cap)
		return -ENOBUFS;
	if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		c = packet_csum_fold(packet_csum_add(0, pkt + h->csum_start, len - h->csum_start));
		put16(pkt + at, c ? c : 0xffff);
	}
	memcpy(out[0], pkt, len);
	out_len[0] = len;
	return 1;
}

int offload_split(const struct virtio_net_hdr *h, uint8_t *pkt, size_t len,
		  uint8_t *const *out, size_t *out_len, unsigned int max, size_t cap)
{
	struct gso g;
	size_t segs, i;
	int err;

	if (h->gso_type == VIRTIO_NET_HDR_GSO_NONE)
		return split_none(h, pkt, len, out, out_len, max, cap);
	err = gso_parse(h, pkt, len, &g);
	if (err)
		return err;
	segs = (len - g.hdr_len + g.gso_size - 1) / g.gso_size;
	if (segs > max || g.hdr_len + (segs > 1 ? g.gso_size : len - g.hdr_len) > cap)
		return -ENOBUFS;
	for (i = 0; i < segs; i++)
		out_len[i] = gso_segment(&g, pkt, len, i, out[i]);
	return (int)segs;
}

bool offload_fit_mtu(struct virtio_net_hdr *h, const uint8_t *pkt, size_t len,
		     unsigned int mtu)
{
	struct gso g;

	if (gso_parse(h, pkt, len, &g) || g.proto != IPPROTO_TCP)
		return false;
	/* The least MTU a path is taken to have leaves room for any TCP header; one below it
	 * would mean a flood of tiny segments, and is not ours to make. */
	if (mtu < 1280 || g.hdr_len + g.gso_size <= mtu)
		return false;
	h->gso_size = htole16((uint16_t)(mtu - g.hdr_len));
	return true;
}

/* ---- Coalescing what goes to the TUN ---- */

/* One packet of the batch, as far as coalescing reads it. Only packets without IPv4 options
 * or IPv6 extension headers are keyed, so the addresses and ports (the 4-tuple) always sit
 * together at a fixed offset. */
struct seg {
	size_t ip_len;
	size_t hdr_len;
	size_t payload;
	size_t tuple;		/* offset of the 4-tuple */
	size_t tuple_len;
	unsigned int bucket;	/* where the 4-tuple hashes to */
	uint8_t proto;
	bool v6;
};

enum seg_kind {
	SEG_OTHER,	/* not TCP or UDP of a flow we know how to read: left alone */
	SEG_FLOW,	/* of a flow, but never merged (no payload, SYN, FIN, ...): ends it */
	SEG_CANDIDATE,	/* may be merged */
};

/* The IP header of a whole, unfragmented packet without options. */
static bool seg_ip(const uint8_t *pkt, size_t len, struct seg *s)
{
	if (len < IP4_HLEN || len > IP_MAX_LEN)
		return false;
	s->v6 = pkt[0] >> 4 == 6;
	if (pkt[0] == 0x45 && get16(pkt + 2) == len && !(get16(pkt + 6) & 0x3fff)) {
		s->ip_len = IP4_HLEN;
		s->proto = pkt[9];
		s->tuple = 12;
		s->tuple_len = 12;
		return true;
	}
	if (!s->v6 || len < IP6_HLEN || (size_t)get16(pkt + 4) + IP6_HLEN != len)
		return false;
	s->ip_len = IP6_HLEN;
	s->proto = pkt[6];
	s->tuple = 8;
	s->tuple_len = 36;
	return true;
}

static enum seg_kind seg_parse(const uint8_t *pkt, size_t len, bool udp, struct seg *s)
{
	size_t l4_len = UDP_HLEN;
	const uint8_t *l4;

	if (!seg_ip(pkt, len, s))
		return SEG_OTHER;
	l4 = pkt + s->ip_len;
	if (s->proto == IPPROTO_TCP) {
		if (s->ip_len + TCP_HLEN > len)
			return SEG_OTHER;
		l4_len = (size_t)(l4[12] >> 4) * 4;
		if (l4_len < TCP_HLEN || s->ip_len + l4_len > len)
			return SEG_OTHER;
	} else if (s->proto != IPPROTO_UDP || !udp || s->ip_len + UDP_HLEN > len ||
		   get16(l4 + 4) != len - s->ip_len) {
		return SEG_OTHER;
	}
	s->hdr_len = s->ip_len + l4_len;
	s->payload = len - s->hdr_len;
	if (!s->payload)
		return SEG_FLOW;
	if (s->proto == IPPROTO_TCP && (l4[13] & ~TCP_PSH) != TCP_ACK)
		return SEG_FLOW;
	return SEG_CANDIDATE;
}

/* Whether the checksums a packet arrived with hold: merging replaces them, and must not make
 * a damaged segment look whole. Compared with what a sender computes, so that cutting the
 * merged packet up again writes the same bytes; an IPv4 UDP datagram sent without a checksum
 * (zero) never matches, as a computed zero is sent as 0xffff. An authenticated packet's
 * TCP or UDP checksum is taken as it is, unsummed: the AEAD has vouched for every byte,
 * as the kernel marks a packet WireGuard decrypted CHECKSUM_UNNECESSARY. Its IPv4 header
 * checksum, which the kernel checks whatever the marking, is still checked, and a UDP
 * datagram without a checksum still never matches. */
static bool seg_intact(const uint8_t *pkt, size_t len, const struct seg *s, bool authenticated)
{
	uint16_t field = get16(pkt + s->ip_len + csum_field(s->proto));

	if (!s->v6 && packet_csum_fold(packet_csum_add(0, pkt, IP4_HLEN)))
		return false;
	if (authenticated)
		return s->v6 || s->proto != IPPROTO_UDP || field != 0;
	return field == l4_csum(pkt, s->ip_len, len, s->v6, s->proto);
}

/* FNV-1a over the 4-tuple: a batch holds few flows, so a cheap hash spreads them enough. */
static unsigned int tuple_hash(const uint8_t *pkt, const struct seg *s)
{
	uint32_t h = 2166136261u ^ s->proto;
	size_t i;

	for (i = 0; i < s->tuple_len; i++)
		h = (h ^ pkt[s->tuple + i]) * 16777619u;
	return (h ^ h >> 16) % OFFLOAD_GRO_BUCKETS;
}

/* The newest flow of pkt's 4-tuple, compared on the head's own bytes. */
static struct offload_flow *flow_find(struct offload_gro *g, uint8_t *const *pkts,
				      const uint8_t *pkt, const struct seg *s)
{
	unsigned int at = g->bucket[s->bucket];
	struct offload_flow *f;
	const uint8_t *head;

	for (; at; at = f->next) {
		f = &g->flow[at - 1];
		head = pkts[f->head];
		if ((head[0] >> 4 == 6) == s->v6 && head[s->v6 ? 6 : 9] == s->proto &&
		    !memcmp(head + s->tuple, pkt + s->tuple, s->tuple_len))
			return f;
	}
	return NULL;
}

static void flow_start(struct offload_gro *g, uint8_t *const *pkts, unsigned int i,
		       const struct seg *s)
{
	struct offload_flow *f = &g->flow[g->flows];
	const uint8_t *l4 = pkts[i] + s->ip_len;

	f->head = (uint16_t)i;
	f->gso_size = (uint16_t)s->payload;
	f->segs = 1;
	f->hdr_len = (uint8_t)s->hdr_len;
	f->closed = s->proto == IPPROTO_TCP && (l4[13] & TCP_PSH);
	f->checked = false;
	f->next_seq = s->proto == IPPROTO_TCP ? get32(l4 + 4) + (uint32_t)s->payload : 0;
	f->next = g->bucket[s->bucket];
	g->bucket[s->bucket] = (uint8_t)(g->flows + 1);
	g->role[i] = (int16_t)g->flows++;
}

/* The IP fields every segment of a super-packet shares, since the kernel copies the head's
 * into each when it cuts it: TOS, DF and TTL, or traffic class, flow label and hop limit. Its
 * IPv4 ids count up from the head's, so a merged segment's id must be next in that count. */
static bool ip_matches(const uint8_t *head, const uint8_t *pkt, const struct offload_flow *f,
		       bool v6)
{
	if (v6)
		return !memcmp(head, pkt, 4) && head[7] == pkt[7];
	return head[1] == pkt[1] && head[6] == pkt[6] && head[8] == pkt[8] &&
	       get16(pkt + 4) == (uint16_t)(get16(head + 4) + f->segs);
}

/* The TCP fields the kernel copies from the head into every segment must already be the
 * head's (ack, window, urgent pointer, options), and the payload must continue the flow's. */
static bool tcp_follows(const uint8_t *head, const uint8_t *pkt, const struct offload_flow *f,
			const struct seg *s)
{
	const uint8_t *a = head + s->ip_len, *b = pkt + s->ip_len;

	return get32(b + 4) == f->next_seq && !memcmp(a + 8, b + 8, 5) &&
	       !memcmp(a + 14, b + 14, 2) && !memcmp(a + 18, b + 18, s->hdr_len - s->ip_len - 18);
}

static bool can_append(struct offload_flow *f, uint8_t *const *pkts, const size_t *len,
		       unsigned int i, const struct seg *s, size_t cap, bool authenticated)
{
	const uint8_t *head = pkts[f->head], *pkt = pkts[i];
	size_t room = cap < IP_MAX_LEN ? cap : IP_MAX_LEN;

	if (f->closed || f->segs >= OFFLOAD_MAX_SEGS || s->hdr_len != f->hdr_len ||
	    s->payload > f->gso_size || len[f->head] + s->payload > room)
		return false;
	if (!ip_matches(head, pkt, f, s->v6))
		return false;
	if (s->proto == IPPROTO_TCP && !tcp_follows(head, pkt, f, s))
		return false;
	if (!f->checked &&
	    !(f->checked = seg_intact(head, len[f->head], s, authenticated))) {
		f->closed = true;
		return false;
	}
	return seg_intact(pkt, len[i], s, authenticated);
}

/* Appends segment i's payload to its flow's head. A short segment can only be the last one
 * the kernel cuts, and PSH only marks the last: either ends the flow. */
static void append(struct offload_flow *f, uint8_t *const *pkts, size_t *len, unsigned int i,
		   const struct seg *s)
{
	uint8_t *head = pkts[f->head];
	const uint8_t *pkt = pkts[i];

	memcpy(head + len[f->head], pkt + s->hdr_len, s->payload);
	len[f->head] += s->payload;
	f->segs++;
	f->next_seq += (uint32_t)s->payload;
	if (s->payload < f->gso_size)
		f->closed = true;
	if (s->proto == IPPROTO_TCP && (pkt[s->ip_len + 13] & TCP_PSH)) {
		head[s->ip_len + 13] |= TCP_PSH;
		f->closed = true;
	}
}

/* Whether a packet that cannot be read as a segment may still belong to an open flow: TCP
 * (or UDP, when it is merged) behind IPv4 options or in a fragment, or behind IPv6 extension
 * headers. Its flow cannot be told, so it ends them all. */
static bool may_hide_a_flow(const uint8_t *pkt, size_t len, bool udp)
{
	uint8_t proto;

	if (len >= IP4_HLEN && pkt[0] >> 4 == 4)
		proto = pkt[9];
	else if (len >= IP6_HLEN && pkt[0] >> 4 == 6)
		proto = pkt[6];
	else
		return false;
	if (proto == IPPROTO_TCP || (proto == IPPROTO_UDP && udp))
		return true;
	return pkt[0] >> 4 == 6 && proto != IPPROTO_ICMPV6 && proto != IPPROTO_NONE &&
	       proto != IPPROTO_UDP;
}

/* Takes packet i into the table: merged into its flow, heading a new one, or alone. A packet
 * of a flow that is not merged ends that flow, so that nothing later jumps ahead of it. */
static void coalesce_one(struct offload_gro *g, uint8_t *const *pkts, size_t *len,
			 unsigned int i, size_t cap, bool udp, bool authenticated)
{
	enum seg_kind kind;
	struct offload_flow *f;
	struct seg s;

	g->role[i] = ROLE_ALONE;
	kind = seg_parse(pkts[i], len[i], udp, &s);
	if (kind == SEG_OTHER) {
		if (may_hide_a_flow(pkts[i], len[i], udp))
			for (unsigned int k = 0; k < g->flows; k++)
				g->flow[k].closed = true;
		return;
	}
	s.bucket = tuple_hash(pkts[i], &s);
	f = flow_find(g, pkts, pkts[i], &s);
	if (kind == SEG_CANDIDATE && f && can_append(f, pkts, len, i, &s, cap, authenticated)) {
		append(f, pkts, len, i, &s);
		g->role[i] = ROLE_MERGED;
		return;
	}
	if (f)
		f->closed = true;
	if (kind == SEG_CANDIDATE)
		flow_start(g, pkts, i, &s);
}

/* Turns a head with merged segments into what the kernel takes as a GSO write: lengths for
 * the whole, and in the checksum field the pseudo-header's sum over that whole length, not
 * inverted, which the kernel's segmentation adjusts for each segment's length and completes. */
static void super_finish(uint8_t *pkt, size_t len, const struct offload_flow *f,
			 struct virtio_net_hdr *h)
{
	bool v6 = pkt[0] >> 4 == 6;
	size_t ip_len = v6 ? IP6_HLEN : IP4_HLEN;
	uint8_t proto = pkt[v6 ? 6 : 9];
	uint8_t *l4 = pkt + ip_len;

	ip_set_len(pkt, ip_len, len, v6);
	if (proto == IPPROTO_UDP)
		put16(l4 + 4, (uint16_t)(len - ip_len));
	put16(l4 + csum_field(proto),
	      (uint16_t)~packet_csum_fold(pseudo_sum(pkt, v6, proto, len - ip_len)));
	h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	if (proto == IPPROTO_UDP)
		h->gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
	else
		h->gso_type = v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
	/* The legacy header is in host byte order, which the TUN assumes unless told otherwise. */
	h->hdr_len = f->hdr_len;
	h->gso_size = f->gso_size;
	h->csum_start = (uint16_t)ip_len;
	h->csum_offset = (uint16_t)csum_field(proto);
}

unsigned int offload_coalesce(struct offload_gro *g, uint8_t *const *pkts, size_t *len,
			      unsigned int n, size_t cap, bool udp, bool authenticated,
			      unsigned int *keep)
{
	struct virtio_net_hdr h;
	unsigned int i, kept = 0;
	int16_t role;

	g->flows = 0;
	memset(g->bucket, 0, sizeof(g->bucket));
	for (i = 0; i < n && i < OFFLOAD_MAX_BATCH; i++)
		coalesce_one(g, pkts, len, i, cap, udp, authenticated);
	for (i = 0; i < n; i++) {
		role = i < OFFLOAD_MAX_BATCH ? g->role[i] : ROLE_ALONE;
		if (role == ROLE_MERGED)
			continue;
		memset(&h, 0, sizeof(h));
		if (role >= 0 && g->flow[role].segs > 1)
			super_finish(pkts[i], len[i], &g->flow[role], &h);
		memcpy(pkts[i] - OFFLOAD_VNET_HDR_LEN, &h, sizeof(h));
		keep[kept++] = i;
	}
	return kept;
}
