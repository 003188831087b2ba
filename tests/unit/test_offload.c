/* offload_split and offload_coalesce against packets that scapy built (offload_vectors.h, made
 * by gen_offload_vectors.py, which prints the expression above each array): the segments a
 * super-packet must be cut into, and the super-packet a run of segments must become. Every
 * checksum is also checked here with a plain RFC 1071 sum written for this file, and each
 * expected virtio_net_hdr is assembled by hand from linux/virtio_net.h, as x86 lays it out. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "io/offload.h"
#include "offload_vectors.h"
#include "sum16.h"

#define CAP 65536
#define SLOTS 8

struct vec {
	const uint8_t *b;
	size_t len;
};

#define V(a) ((struct vec){ a, sizeof(a) })

static uint8_t in_buf[CAP];
static uint8_t seg_buf[SLOTS][CAP];
static uint8_t batch_buf[SLOTS * (OFFLOAD_VNET_HDR_LEN + CAP)];
static uint8_t *segs[SLOTS];
static size_t seg_len[SLOTS];
static uint8_t *pkts[OFFLOAD_MAX_BATCH];
static size_t pkt_len[OFFLOAD_MAX_BATCH];
static unsigned int keep[OFFLOAD_MAX_BATCH];
static struct offload_gro gro;

/* Where the TCP or UDP header starts: after the IPv4 header, or after IPv6 and any
 * hop-by-hop options. Also gives the protocol. */
static size_t l4_of(const uint8_t *pkt, uint8_t *proto)
{
	if (pkt[0] >> 4 == 4) {
		*proto = pkt[9];
		return (size_t)(pkt[0] & 0xf) * 4;
	}
	if (pkt[6] == 0) {
		*proto = pkt[40];
		return 40 + ((size_t)pkt[41] + 1) * 8;
	}
	*proto = pkt[6];
	return 40;
}

static uint32_t pseudo(const uint8_t *pkt, uint8_t proto, size_t l4_len)
{
	uint32_t acc = proto + (uint32_t)l4_len;

	if (pkt[0] >> 4 == 4)
		return sum16(pkt + 12, 8, acc);
	return sum16(pkt + 8, 32, acc);
}

/* A whole packet as a peer must see it: lengths that match, checksums that hold. */
static void assert_whole(const uint8_t *pkt, size_t len)
{
	uint8_t proto;
	size_t l4 = l4_of(pkt, &proto);

	if (pkt[0] >> 4 == 4) {
		assert_int_equal(pkt[2] << 8 | pkt[3], len);
		assert_int_equal(sum16(pkt, l4, 0), 0xffff);
	} else {
		assert_int_equal((pkt[4] << 8 | pkt[5]) + 40, len);
	}
	assert_int_equal(sum16(pkt + l4, len - l4, pseudo(pkt, proto, len - l4)), 0xffff);
}

/* A coalesced packet as the kernel takes it: lengths of the whole, a valid IPv4 header
 * checksum, and the pseudo-header sum (not inverted) in the TCP/UDP checksum field. */
static void assert_super(const uint8_t *pkt, size_t len)
{
	uint8_t proto;
	size_t l4 = l4_of(pkt, &proto), at = l4 + (proto == 6 ? 16 : 6);

	if (pkt[0] >> 4 == 4) {
		assert_int_equal(pkt[2] << 8 | pkt[3], len);
		assert_int_equal(sum16(pkt, l4, 0), 0xffff);
	} else {
		assert_int_equal((pkt[4] << 8 | pkt[5]) + 40, len);
	}
	if (proto == 17)
		assert_int_equal(pkt[l4 + 4] << 8 | pkt[l4 + 5], len - l4);
	assert_int_equal(pkt[at] << 8 | pkt[at + 1], sum16(NULL, 0, pseudo(pkt, proto, len - l4)));
}

static struct virtio_net_hdr vnet(uint8_t flags, uint8_t type, uint16_t gso_size,
				  uint16_t csum_start, uint16_t csum_offset)
{
	/* hdr_len is the kernel's linear length, a hint: nonsense here, to show it is unused. */
	return (struct virtio_net_hdr){ .flags = flags, .gso_type = type, .hdr_len = 3,
					.gso_size = gso_size, .csum_start = csum_start,
					.csum_offset = csum_offset };
}

static int split(struct virtio_net_hdr h, struct vec in, unsigned int max, size_t cap)
{
	memcpy(in_buf, in.b, in.len);
	return offload_split(&h, in_buf, in.len, segs, seg_len, max, cap);
}

static void assert_segments(int n, const struct vec *want, int count)
{
	int i;

	assert_int_equal(n, count);
	for (i = 0; i < count; i++) {
		assert_int_equal(seg_len[i], want[i].len);
		assert_memory_equal(segs[i], want[i].b, want[i].len);
		assert_whole(segs[i], seg_len[i]);
	}
}

/* Loads a batch, each packet cap bytes apart after room for its header, and coalesces it,
 * as wg mode does (authenticated) or lab mode. */
static unsigned int coalesce_as(const struct vec *in, unsigned int n, size_t cap, bool udp,
				bool authenticated)
{
	size_t stride = OFFLOAD_VNET_HDR_LEN + cap;
	unsigned int i;

	assert_true(n * stride <= sizeof(batch_buf));
	for (i = 0; i < n; i++) {
		pkts[i] = batch_buf + i * stride + OFFLOAD_VNET_HDR_LEN;
		memset(pkts[i] - OFFLOAD_VNET_HDR_LEN, 0xee, OFFLOAD_VNET_HDR_LEN);
		memcpy(pkts[i], in[i].b, in[i].len);
		pkt_len[i] = in[i].len;
	}
	return offload_coalesce(&gro, pkts, pkt_len, n, cap, udp, authenticated, keep);
}

static unsigned int coalesce(const struct vec *in, unsigned int n, size_t cap, bool udp)
{
	return coalesce_as(in, n, cap, udp, false);
}

/* Packet i left as it came, with an all-zero header before it. */
static void assert_alone(unsigned int i, struct vec want)
{
	static const uint8_t zero[OFFLOAD_VNET_HDR_LEN];

	assert_int_equal(pkt_len[i], want.len);
	assert_memory_equal(pkts[i], want.b, want.len);
	assert_memory_equal(pkts[i] - OFFLOAD_VNET_HDR_LEN, zero, OFFLOAD_VNET_HDR_LEN);
}

/* Packet i merged into want, with this header (flags, gso_type, then little-endian hdr_len,
 * gso_size, csum_start, csum_offset) before it. */
static void assert_merged(unsigned int i, struct vec want, const uint8_t hdr[OFFLOAD_VNET_HDR_LEN])
{
	assert_int_equal(pkt_len[i], want.len);
	assert_memory_equal(pkts[i], want.b, want.len);
	assert_memory_equal(pkts[i] - OFFLOAD_VNET_HDR_LEN, hdr, OFFLOAD_VNET_HDR_LEN);
	assert_super(pkts[i], pkt_len[i]);
}

static void split_tcp4_tso(void **state)
{
	const struct vec want[] = { V(split_tcp4_0), V(split_tcp4_1), V(split_tcp4_2),
				    V(split_tcp4_3) };
	struct virtio_net_hdr h = vnet(VIRTIO_NET_HDR_F_NEEDS_CSUM,
				       VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN, 300, 20, 16);
	int i;

	(void)state;
	/* 977 bytes: three of 300 and one of 77, the sequence number wrapping in the second. */
	assert_segments(split(h, V(split_tcp4), SLOTS, CAP), want, 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(segs[i][4] << 8 | segs[i][5], 0x1000 + i);
	assert_int_equal(segs[0][20 + 13], 0x90);	/* CWR on the first only */
	assert_int_equal(segs[1][20 + 13], 0x10);
	assert_int_equal(segs[2][20 + 13], 0x10);
	assert_int_equal(segs[3][20 + 13], 0x19);	/* FIN and PSH on the last only */
	assert_memory_equal(segs[1] + 24, "\x00\x00\x00\x2c", 4);
}

static void split_tcp6_tso(void **state)
{
	const struct vec want[] = { V(split_tcp6_0), V(split_tcp6_1), V(split_tcp6_2),
				    V(split_tcp6_3) };
	const struct vec hbh[] = { V(split_tcp6_hbh_0), V(split_tcp6_hbh_1) };
	struct virtio_net_hdr h = vnet(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV6, 250,
				       40, 16);

	(void)state;
	assert_segments(split(h, V(split_tcp6), SLOTS, CAP), want, 4);
	/* Hop-by-hop options are copied into each; csum_start lies past them. */
	h = vnet(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV6, 100, 48, 16);
	assert_segments(split(h, V(split_tcp6_hbh), SLOTS, CAP), hbh, 2);
}

static void split_udp_uso(void **state)
{
	const struct vec want4[] = { V(split_udp4_0), V(split_udp4_1), V(split_udp4_2) };
	const struct vec want6[] = { V(split_udp6_0), V(split_udp6_1), V(split_udp6_2) };
	const struct vec zero[] = { V(udp4_zero_0), V(udp4_zero_1) };
	struct virtio_net_hdr h4 = vnet(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_UDP_L4, 400,
					20, 6);
	struct virtio_net_hdr h6 = vnet(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_UDP_L4, 320,
					40, 6);

	(void)state;
	assert_segments(split(h4, V(split_udp4), SLOTS, CAP), want4, 3);
	assert_int_equal(segs[2][24] << 8 | segs[2][25], 8 + 99);
	/* 960 bytes: exactly three datagrams of 320. */
	assert_segments(split(h6, V(split_udp6), SLOTS, CAP), want6, 3);
	/* A UDP checksum that computes to zero goes out as 0xffff. */
	h4.gso_size = 2;
	assert_segments(split(h4, V(udp4_zero), SLOTS, CAP), zero, 2);
	assert_int_equal(segs[0][26] << 8 | segs[0][27], 0xffff);
}

static void split_none_completes_checksum(void **state)
{
	const struct vec tcp4[] = { V(none_tcp4_done) }, udp6[] = { V(none_udp6_done) };
	const struct vec zero4[] = { V(udp4_zero_0) };
	const struct vec plain[] = { V(c4_0) };
	struct virtio_net_hdr h = vnet(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_NONE, 0, 20,
				       16);

	(void)state;
	assert_segments(split(h, V(none_tcp4), 1, CAP), tcp4, 1);
	h = vnet(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_NONE, 0, 40, 6);
	assert_segments(split(h, V(none_udp6), 1, CAP), udp6, 1);
	h = vnet(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_NONE, 0, 20, 6);
	assert_segments(split(h, V(none_udp4_zero), 1, CAP), zero4, 1);
	/* Without NEEDS_CSUM the packet is passed on as it is. */
	h = vnet(0, VIRTIO_NET_HDR_GSO_NONE, 0, 0, 0);
	assert_segments(split(h, V(c4_0), 1, CAP), plain, 1);
}

static void split_exactly_gso_size(void **state)
{
	const struct vec want[] = { V(exact_tcp4_0) };
	struct virtio_net_hdr h = vnet(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, 300, 20,
				       16);

	(void)state;
	assert_segments(split(h, V(exact_tcp4), 1, sizeof(exact_tcp4_0)), want, 1);
}

static void split_rejects_malformed(void **state)
{
	const uint8_t N = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	struct vec tcp4 = V(split_tcp4), tcp6 = V(split_tcp6), udp4 = V(split_udp4);

	(void)state;
	/* csum_start beyond the packet, with and without segmentation. */
	assert_int_equal(split(vnet(N, VIRTIO_NET_HDR_GSO_TCPV6, 250, 2000, 16), tcp6, SLOTS, CAP),
			 -EINVAL);
	assert_int_equal(split(vnet(N, VIRTIO_NET_HDR_GSO_NONE, 0, tcp4.len - 16, 16), tcp4, 1, CAP),
			 -EINVAL);
	assert_int_equal(split(vnet(N, VIRTIO_NET_HDR_GSO_NONE, 0, 20, tcp4.len), tcp4, 1, CAP),
			 -EINVAL);
	/* csum_start that is not where the IPv4 header ends. */
	assert_int_equal(split(vnet(N, VIRTIO_NET_HDR_GSO_TCPV4, 300, 24, 16), tcp4, SLOTS, CAP),
			 -EINVAL);
	assert_int_equal(split(vnet(N, VIRTIO_NET_HDR_GSO_TCPV4, 0, 20, 16), tcp4, SLOTS, CAP),
			 -EINVAL);
	assert_int_equal(split(vnet(N, VIRTIO_NET_HDR_GSO_TCPV4, 300, 20, 6), tcp4, SLOTS, CAP),
			 -EINVAL);
	assert_int_equal(split(vnet(0, VIRTIO_NET_HDR_GSO_TCPV4, 300, 20, 16), tcp4, SLOTS, CAP),
			 -EINVAL);
	/* A type that does not match the packet, or that is not offered (UFO). */
	assert_int_equal(split(vnet(N, VIRTIO_NET_HDR_GSO_TCPV6, 300, 20, 16), tcp4, SLOTS, CAP),
			 -EINVAL);
	assert_int_equal(split(vnet(N, VIRTIO_NET_HDR_GSO_UDP_L4, 300, 20, 6), tcp4, SLOTS, CAP),
			 -EINVAL);
	assert_int_equal(split(vnet(N, VIRTIO_NET_HDR_GSO_UDP, 400, 20, 6), udp4, SLOTS, CAP),
			 -EINVAL);
	assert_int_equal(split(vnet(N, VIRTIO_NET_HDR_GSO_UDP_L4 | VIRTIO_NET_HDR_GSO_ECN, 400, 20,
				    6), udp4, SLOTS, CAP), -EINVAL);
	/* Shorter than its IPv4 total length says. */
	tcp4.len--;
	assert_int_equal(split(vnet(N, VIRTIO_NET_HDR_GSO_TCPV4, 300, 20, 16), tcp4, SLOTS, CAP),
			 -EINVAL);
	/* An IPv6 routing header, which would change the pseudo-header's address. */
	assert_int_equal(split(vnet(N, VIRTIO_NET_HDR_GSO_TCPV6, 100, 64, 16), V(split_tcp6_rt),
			       SLOTS, CAP), -EINVAL);
}

/* The TCP header's length comes from its data offset, checked against the packet's. */
static void split_rejects_data_offset(void **state)
{
	struct virtio_net_hdr h = vnet(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, 300, 20,
				       16);
	uint8_t pkt[sizeof(exact_tcp4)];

	(void)state;
	memcpy(pkt, exact_tcp4, sizeof(pkt));
	pkt[20 + 12] = 0x40;	/* 16 bytes: less than a TCP header */
	assert_int_equal(offload_split(&h, pkt, sizeof(pkt), segs, seg_len, SLOTS, CAP), -EINVAL);
	pkt[20 + 12] = 0xa0;	/* 40 bytes of TCP header in a packet of 61: one byte of payload */
	pkt[2] = 0;
	pkt[3] = 61;
	assert_int_equal(offload_split(&h, pkt, 61, segs, seg_len, SLOTS, CAP), 1);
	pkt[3] = 60;		/* none */
	assert_int_equal(offload_split(&h, pkt, 60, segs, seg_len, SLOTS, CAP), -EINVAL);
	pkt[3] = 59;		/* and a header past the end */
	assert_int_equal(offload_split(&h, pkt, 59, segs, seg_len, SLOTS, CAP), -EINVAL);
}

static void split_rejects_no_room(void **state)
{
	struct virtio_net_hdr h = vnet(VIRTIO_NET_HDR_F_NEEDS_CSUM,
				       VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN, 300, 20, 16);
	size_t seg = 20 + 32 + 300;

	(void)state;
	assert_int_equal(split(h, V(split_tcp4), 3, CAP), -ENOBUFS);
	assert_int_equal(split(h, V(split_tcp4), 4, seg - 1), -ENOBUFS);
	assert_int_equal(split(h, V(split_tcp4), 4, seg), 4);
	h = vnet(0, VIRTIO_NET_HDR_GSO_NONE, 0, 0, 0);
	assert_int_equal(split(h, V(c4_0), 0, CAP), -ENOBUFS);
	assert_int_equal(split(h, V(c4_0), 1, sizeof(c4_0) - 1), -ENOBUFS);
}

/* flags, gso_type, hdr_len, gso_size, csum_start, csum_offset; the u16s little-endian. */
static const uint8_t hdr_c4[] = { 1, 1, 52, 0, 200, 0, 20, 0, 16, 0 };
static const uint8_t hdr_b4[] = { 1, 1, 52, 0, 200, 0, 20, 0, 16, 0 };
static const uint8_t hdr_c6[] = { 1, 4, 60, 0, 0x2c, 1, 40, 0, 16, 0 };
static const uint8_t hdr_u4[] = { 1, 5, 28, 0, 0, 1, 20, 0, 6, 0 };
static const uint8_t hdr_u6[] = { 1, 5, 48, 0, 0xf4, 1, 40, 0, 6, 0 };
static const uint8_t hdr_zero[] = { 1, 5, 28, 0, 2, 0, 20, 0, 6, 0 };
static const uint8_t hdr_tiny[] = { 1, 5, 28, 0, 1, 0, 20, 0, 6, 0 };

static void coalesce_tcp_runs(void **state)
{
	const struct vec c4[] = { V(c4_0), V(c4_1), V(c4_2), V(c4_3) };
	const struct vec c6[] = { V(c6_0), V(c6_1), V(c6_2) };

	(void)state;
	/* Three of 200 and a last of 150 with PSH: one packet, PSH kept. */
	assert_int_equal(coalesce(c4, 4, CAP, false), 1);
	assert_int_equal(keep[0], 0);
	assert_merged(0, V(c4_super), hdr_c4);
	assert_int_equal(coalesce(c6, 3, CAP, false), 1);
	assert_merged(0, V(c6_super), hdr_c6);
}

static void coalesce_udp_runs(void **state)
{
	const struct vec u4[] = { V(u4_0), V(u4_1), V(u4_2) };
	const struct vec u6[] = { V(u6_0), V(u6_1) };
	const struct vec zero[] = { V(udp4_zero_0), V(udp4_zero_1) };

	(void)state;
	assert_int_equal(coalesce(u4, 3, CAP, true), 1);
	assert_merged(0, V(u4_super), hdr_u4);
	assert_int_equal(coalesce(u6, 2, CAP, true), 1);
	assert_merged(0, V(u6_super), hdr_u6);
	/* A checksum sent as 0xffff holds: it is what a computed zero becomes. */
	assert_int_equal(coalesce(zero, 2, CAP, true), 1);
	assert_merged(0, V(udp4_zero), hdr_zero);
	/* Only when the TUN took USO. */
	assert_int_equal(coalesce(u4, 3, CAP, false), 3);
	assert_alone(0, V(u4_0));
	assert_alone(1, V(u4_1));
	assert_alone(2, V(u4_2));
}

/* A datagram of the flow that cannot be read as a segment (IPv4 options, a fragment, an IPv6
 * extension header) ends the flow: the datagram after it must not jump ahead of it. */
static void coalesce_unreadable_ends_flow(void **state)
{
	const struct vec opt[] = { V(u4_0), V(u4_1opt), V(u4_1) };
	const struct vec frag[] = { V(u4_0), V(u4_1frag), V(u4_1) };
	const struct vec hbh[] = { V(u6_0), V(u6_1hbh), V(u6_2) };

	(void)state;
	assert_int_equal(coalesce(opt, 3, CAP, true), 3);
	assert_alone(0, V(u4_0));
	assert_alone(1, V(u4_1opt));
	assert_alone(2, V(u4_1));
	assert_int_equal(coalesce(frag, 3, CAP, true), 3);
	assert_alone(1, V(u4_1frag));
	assert_alone(2, V(u4_1));
	assert_int_equal(coalesce(hbh, 3, CAP, true), 3);
	assert_alone(0, V(u6_0));
	assert_alone(1, V(u6_1hbh));
	assert_alone(2, V(u6_2));
}

static void coalesce_keeps_flows_apart(void **state)
{
	const struct vec in[] = { V(c4_0), V(b4_0), V(c4_1), V(b4_1) };

	(void)state;
	assert_int_equal(coalesce(in, 4, CAP, false), 2);
	assert_int_equal(keep[0], 0);
	assert_int_equal(keep[1], 1);
	assert_merged(0, V(c4_super01), hdr_c4);
	assert_merged(1, V(b4_super01), hdr_b4);
}

/* Runs of which nothing may be merged: every packet comes out as it went in. */
static void coalesce_refuses(void **state)
{
	static const struct {
		const char *why;
		struct vec in[3];
		unsigned int n;
		bool udp;
	} cases[] = {
		{ "gap in sequence", { V(c4_0), V(c4_2) }, 2, false },
		{ "FIN", { V(c4_0), V(c4_1fin) }, 2, false },
		{ "other TCP options", { V(c4_0), V(c4_1ts) }, 2, false },
		{ "other ack", { V(c4_0), V(c4_1ack) }, 2, false },
		{ "other window", { V(c4_0), V(c4_1win) }, 2, false },
		{ "other TTL", { V(c4_0), V(c4_1ttl) }, 2, false },
		{ "IPv4 id out of order", { V(c4_0), V(c4_1id) }, 2, false },
		{ "bad TCP checksum", { V(c4_0), V(c4_1bad) }, 2, false },
		{ "bad IPv4 header checksum", { V(c4_0), V(c4_1badip) }, 2, false },
		{ "other TOS", { V(c4_0), V(c4_1tos) }, 2, false },
		{ "first fragments", { V(c4_0mf), V(c4_1mf) }, 2, false },
		{ "later fragments", { V(c4_0off), V(c4_1off) }, 2, false },
		{ "pure ACK between", { V(c4_0), V(c4_1ack_only), V(c4_1) }, 3, false },
		{ "other IPv6 flow label", { V(c6_0), V(c6_1fl) }, 2, false },
		{ "other IPv6 hop limit", { V(c6_0), V(c6_1hlim) }, 2, false },
		{ "UDP without checksum", { V(u4_0), V(u4_1nocsum) }, 2, true },
		{ "TCP longer after shorter", { V(c4_1short), V(c4_2short) }, 2, false },
		{ "UDP longer after shorter", { V(u4_2), V(u4_3long) }, 2, true },
	};
	unsigned int c, i;

	(void)state;
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		print_message("not merged: %s\n", cases[c].why);
		assert_int_equal(coalesce(cases[c].in, cases[c].n, CAP, cases[c].udp), cases[c].n);
		for (i = 0; i < cases[c].n; i++) {
			assert_int_equal(keep[i], i);
			assert_alone(i, cases[c].in[i]);
		}
	}
}

/* Authenticated packets (wg mode) are merged without their TCP and UDP checksums summed: a
 * segment whose checksum is wrong joins its flow, and the super-packet carries what the
 * kernel will compute. What the kernel checks whatever the marking, the IPv4 header's
 * checksum, still keeps a packet out, as does a UDP datagram sent without a checksum; and
 * the flows merge as they do unauthenticated. */
static void coalesce_authenticated_skips_l4_checksums(void **state)
{
	const struct vec bad[] = { V(c4_0), V(c4_1bad) };
	const struct vec bad_head[] = { V(c4_0bad), V(c4_1) };
	const struct vec badip[] = { V(c4_0), V(c4_1badip) };
	const struct vec nocsum[] = { V(u4_0), V(u4_1nocsum) };
	const struct vec c4[] = { V(c4_0), V(c4_1), V(c4_2), V(c4_3) };
	const struct vec u6[] = { V(u6_0), V(u6_1) };

	(void)state;
	assert_int_equal(coalesce(bad, 2, CAP, false), 2); /* lab mode: refused */
	assert_int_equal(coalesce_as(bad, 2, CAP, false, true), 1);
	assert_merged(0, V(c4_super01), hdr_c4);
	assert_int_equal(coalesce_as(bad_head, 2, CAP, false, true), 1);
	assert_merged(0, V(c4_super01), hdr_c4); /* the head's wrong checksum replaced too */

	assert_int_equal(coalesce_as(badip, 2, CAP, false, true), 2);
	assert_alone(0, V(c4_0));
	assert_alone(1, V(c4_1badip));
	assert_int_equal(coalesce_as(nocsum, 2, CAP, true, true), 2);
	assert_alone(0, V(u4_0));
	assert_alone(1, V(u4_1nocsum));

	assert_int_equal(coalesce_as(c4, 4, CAP, false, true), 1);
	assert_merged(0, V(c4_super), hdr_c4);
	assert_int_equal(coalesce_as(u6, 2, CAP, true, true), 1);
	assert_merged(0, V(u6_super), hdr_u6);
}

static void coalesce_psh_ends_flow(void **state)
{
	const struct vec in[] = { V(c4_0), V(c4_1psh), V(c4_2) };

	(void)state;
	assert_int_equal(coalesce(in, 3, CAP, false), 2);
	assert_int_equal(keep[1], 2);
	assert_merged(0, V(c4_super01_psh), hdr_c4);
	assert_alone(2, V(c4_2));
}

static void coalesce_short_ends_flow(void **state)
{
	const struct vec in[] = { V(c4_0), V(c4_1short), V(c4_2short) };

	(void)state;
	assert_int_equal(coalesce(in, 3, CAP, false), 2);
	assert_int_equal(keep[1], 2);
	assert_merged(0, V(c4_super_short), hdr_c4);
	assert_alone(2, V(c4_2short));
}

static void coalesce_skips_bad_head(void **state)
{
	const struct vec in[] = { V(c4_0bad), V(c4_1), V(c4_2) };

	(void)state;
	assert_int_equal(coalesce(in, 3, CAP, false), 2);
	assert_int_equal(keep[1], 1);
	assert_alone(0, V(c4_0bad));
	assert_merged(1, V(c4_super12), hdr_c4);
}

static void coalesce_within_cap(void **state)
{
	const struct vec in[] = { V(c4_0), V(c4_1) };

	(void)state;
	assert_int_equal(coalesce(in, 2, sizeof(c4_0) + 199, false), 2);
	assert_alone(0, V(c4_0));
	assert_alone(1, V(c4_1));
	assert_int_equal(coalesce(in, 2, sizeof(c4_0) + 200, false), 1);
	assert_merged(0, V(c4_super01), hdr_c4);
}

/* The kernel takes no more than 64 UDP segments in one write (UDP_MAX_SEGMENTS). */
static void coalesce_at_most_64(void **state)
{
	struct vec in[65];
	unsigned int i;

	(void)state;
	for (i = 0; i < 65; i++)
		in[i] = (struct vec){ u4_tiny + i * 29, 29 };
	assert_int_equal(coalesce(in, 65, 128, true), 2);
	assert_int_equal(keep[1], 64);
	assert_merged(0, V(u4_tiny_super), hdr_tiny);
	assert_alone(64, in[64]);
}

static void coalesce_leaves_others(void **state)
{
	static const uint8_t junk[] = { 0x45, 0x00, 0x00 };
	const struct vec in[] = { V(junk), V(split_tcp6_hbh), V(none_udp6_done), V(c4_0) };

	(void)state;
	assert_int_equal(coalesce(in, 4, CAP, true), 4);
	assert_alone(0, V(junk));
	assert_alone(1, V(split_tcp6_hbh));
	assert_alone(2, V(none_udp6_done));
	assert_alone(3, V(c4_0));
}

/* What offload_coalesce merged, offload_split (as the kernel would) cuts back into exactly the
 * packets it was made of, in each flow's order (each batch here is of a single flow). */
static void round_trip(const struct vec *in, unsigned int n, bool udp)
{
	struct virtio_net_hdr h;
	unsigned int kept, k, i = 0;
	int got, s;

	kept = coalesce(in, n, CAP, udp);
	for (k = 0; k < kept; k++) {
		memcpy(&h, pkts[keep[k]] - OFFLOAD_VNET_HDR_LEN, sizeof(h));
		got = offload_split(&h, pkts[keep[k]], pkt_len[keep[k]], segs, seg_len, SLOTS, CAP);
		assert_true(got > 0);
		for (s = 0; s < got; s++, i++) {
			assert_true(i < n);
			assert_int_equal(seg_len[s], in[i].len);
			assert_memory_equal(segs[s], in[i].b, in[i].len);
		}
	}
	assert_int_equal(i, n);
}

static void coalesce_then_split(void **state)
{
	const struct vec c4[] = { V(c4_0), V(c4_1), V(c4_2), V(c4_3) };
	const struct vec c6[] = { V(c6_0), V(c6_1), V(c6_2) };
	const struct vec u4[] = { V(u4_0), V(u4_1), V(u4_2) };
	const struct vec u6[] = { V(u6_0), V(u6_1) };
	const struct vec zero[] = { V(udp4_zero_0), V(udp4_zero_1) };
	/* One 4-tuple throughout, so the batch's order is the flow's: a merged pair, a repeated
	 * segment, one that cannot follow it, a pure ACK, and a segment after it. */
	const struct vec mixed[] = { V(c4_0), V(c4_1), V(c4_1psh), V(c4_2), V(c4_1ack_only),
				     V(c4_3) };

	(void)state;
	round_trip(c4, 4, false);
	round_trip(c6, 3, false);
	round_trip(u4, 3, true);
	round_trip(u6, 2, true);
	round_trip(zero, 2, true);
	round_trip(mixed, 6, false);
}

static int setup(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < SLOTS; i++)
		segs[i] = seg_buf[i];
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(split_tcp4_tso),
		cmocka_unit_test(split_tcp6_tso),
		cmocka_unit_test(split_udp_uso),
		cmocka_unit_test(split_none_completes_checksum),
		cmocka_unit_test(split_exactly_gso_size),
		cmocka_unit_test(split_rejects_malformed),
		cmocka_unit_test(split_rejects_data_offset),
		cmocka_unit_test(split_rejects_no_room),
		cmocka_unit_test(coalesce_tcp_runs),
		cmocka_unit_test(coalesce_udp_runs),
		cmocka_unit_test(coalesce_authenticated_skips_l4_checksums),
		cmocka_unit_test(coalesce_unreadable_ends_flow),
		cmocka_unit_test(coalesce_keeps_flows_apart),
		cmocka_unit_test(coalesce_refuses),
		cmocka_unit_test(coalesce_psh_ends_flow),
		cmocka_unit_test(coalesce_short_ends_flow),
		cmocka_unit_test(coalesce_skips_bad_head),
		cmocka_unit_test(coalesce_within_cap),
		cmocka_unit_test(coalesce_at_most_64),
		cmocka_unit_test(coalesce_leaves_others),
		cmocka_unit_test(coalesce_then_split),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
