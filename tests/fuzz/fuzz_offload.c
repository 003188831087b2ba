/* libFuzzer harness for the TUN offloads: a virtio_net_hdr and the packet after it, as a TUN
 * read gives them. offload_split must either refuse them or cut out at most SEGS packets of at
 * most SEG_CAP bytes, each (for a GSO type) a whole IP packet whose checksums hold. Those
 * packets, and the input packet after them, are then coalesced; every packet that comes out
 * must be one left byte for byte as it was, or a super-packet that offload_split, as the
 * kernel would, cuts back into exactly the packets it was made of, in order.
 *   clang -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc tests/fuzz/fuzz_offload.c \
 *         src/io/offload.c src/pkt/checksum.c src/pkt/packet.c src/pkt/icmp_summary.c -o fuzz_offload
 *   ./fuzz_offload tests/fuzz/corpus_offload */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/offload.h"
#include "pkt/packet.h"

#define SEGS 16
#define SEG_CAP 4096
#define BATCH (SEGS + 1)
#define BIG 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t in[BIG];
static uint8_t seg_buf[SEGS][SEG_CAP];
static uint8_t *segs[SEGS];
static size_t seg_len[SEGS];
static uint8_t again_buf[BATCH][BIG];	/* a coalesced packet cut up again */
static uint8_t *again[BATCH];
static size_t again_len[BATCH];
static uint8_t again_in[BIG];
static uint8_t batch_buf[BATCH][OFFLOAD_VNET_HDR_LEN + BIG];
static uint8_t *pkts[BATCH];
static size_t pkt_len[BATCH];
static const uint8_t *orig[BATCH];
static size_t orig_len[BATCH];
static unsigned int keep[BATCH];
static struct offload_gro gro;

static void check(int cond)
{
	if (!cond)
		abort();
}

/* The TCP or UDP checksum over pkt[l4, len), with its pseudo-header, holds. */
static bool l4_sum_holds(const uint8_t *pkt, size_t len, size_t l4, uint8_t proto)
{
	bool v6 = pkt[0] >> 4 == 6;
	uint8_t tail[4] = { 0, proto, (uint8_t)((len - l4) >> 8), (uint8_t)(len - l4) };
	uint32_t sum = v6 ? packet_csum_add(0, pkt + 8, 32) : packet_csum_add(0, pkt + 12, 8);

	sum = packet_csum_add(sum, tail, sizeof(tail));
	return packet_csum_fold(packet_csum_add(sum, pkt + l4, len - l4)) == 0;
}

static void check_split(const struct virtio_net_hdr *h, size_t len, int n)
{
	uint8_t proto = h->gso_type == VIRTIO_NET_HDR_GSO_UDP_L4 ? 17 : 6;
	int i;

	check(n == -EINVAL || n == -ENOBUFS || (n >= 1 && n <= SEGS));
	for (i = 0; i < n; i++) {
		check(seg_len[i] <= SEG_CAP);
		if (h->gso_type == VIRTIO_NET_HDR_GSO_NONE) {
			check(seg_len[i] == len);
			continue;
		}
		check(packet_is_whole(segs[i], seg_len[i], LINK_IP));
		check(seg_len[i] > h->csum_start && seg_len[i] - h->csum_start <= 65535);
		check(l4_sum_holds(segs[i], seg_len[i], h->csum_start, proto));
	}
}

/* Coalesced packet k cut up again gives orig[*next...], which it consumes. */
static void check_kept(unsigned int k, unsigned int *next, unsigned int count)
{
	static const uint8_t zero[OFFLOAD_VNET_HDR_LEN];
	const uint8_t *pkt = pkts[keep[k]];
	struct virtio_net_hdr h;
	int n, i;

	memcpy(&h, pkt - OFFLOAD_VNET_HDR_LEN, sizeof(h));
	if (h.gso_type == VIRTIO_NET_HDR_GSO_NONE) {
		check(!memcmp(&h, zero, sizeof(h)) && keep[k] == *next);
		check(pkt_len[keep[k]] == orig_len[*next]);
		check(!memcmp(pkt, orig[*next], orig_len[*next]));
		(*next)++;
		return;
	}
	check(packet_is_whole(pkt, pkt_len[keep[k]], LINK_IP) && pkt_len[keep[k]] <= 65535);
	memcpy(again_in, pkt, pkt_len[keep[k]]);
	n = offload_split(&h, again_in, pkt_len[keep[k]], again, again_len, BATCH, BIG);
	check(n >= 2 && n <= OFFLOAD_MAX_SEGS);
	for (i = 0; i < n; i++, (*next)++) {
		check(*next < count && again_len[i] == orig_len[*next]);
		check(!memcmp(again[i], orig[*next], again_len[i]));
	}
}

/* The split's packets and then the input packet, each no larger than cap (taken from
 * hdr_len, which offload_split never reads), coalesced and checked. */
static void check_coalesce(const struct virtio_net_hdr *h, const uint8_t *pkt, size_t len, int n)
{
	size_t cap = h->hdr_len >= 128 ? h->hdr_len : 65535;
	unsigned int count = 0, kept, k, next = 0;
	int i;

	for (i = 0; i <= n; i++) {
		orig[count] = i < n ? segs[i] : pkt;
		orig_len[count] = i < n ? seg_len[i] : len;
		if (orig_len[count] > cap)
			continue;
		pkts[count] = batch_buf[count] + OFFLOAD_VNET_HDR_LEN;
		memcpy(pkts[count], orig[count], orig_len[count]);
		pkt_len[count] = orig_len[count];
		count++;
	}
	kept = offload_coalesce(&gro, pkts, pkt_len, count, cap, true, false, keep);
	check(kept <= count);
	for (k = 0; k < kept; k++) {
		check(pkt_len[keep[k]] <= cap && (k == 0 || keep[k] > keep[k - 1]));
		check_kept(k, &next, count);
	}
	check(next == count);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtio_net_hdr h;
	size_t len;
	int n, i;

	if (size < sizeof(h) || size - sizeof(h) > BIG)
		return 0;
	for (i = 0; i < SEGS; i++)
		segs[i] = seg_buf[i];
	for (i = 0; i < BATCH; i++)
		again[i] = again_buf[i];
	memcpy(&h, data, sizeof(h));
	len = size - sizeof(h);
	memcpy(in, data + sizeof(h), len);
	n = offload_split(&h, in, len, segs, seg_len, SEGS, SEG_CAP);
	check_split(&h, len, n);
	check_coalesce(&h, in, len, n > 0 ? n : 0);
	return 0;
}
