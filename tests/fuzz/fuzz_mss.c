/* libFuzzer harness for the packets wg mode changes or makes for path MTU (pkt/mss.c,
 * pkt/icmp_build.c), on arbitrary bytes taken as a whole IP packet.
 * mss_clamp, at a few MSS values: a packet it leaves must come back byte for byte; one it
 * changes may differ only in the values of its MSS options (each lowered to exactly mss) and
 * in the TCP checksum, which must hold afterwards if and only if it held before (both sums
 * computed here from scratch); clamped again, it stays. icmp_too_big must fit its buffer and
 * make a message whose checksums hold; icmp_echo_reply must not crash, nor take the harness's
 * own probe for a reply.
 *   ./fuzz_mss tests/fuzz/corpus_mss */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "pkt/icmp_build.h"
#include "pkt/mss.h"
#include "../unit/sum16.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Where the TCP header and its segment are, read afresh from a packet that mss_clamp changed
 * (so it is IPv4 or IPv6 with TCP, and its lengths are sound). */
static size_t tcp_at(const uint8_t *p, size_t *seg)
{
	size_t hl;

	if (p[0] >> 4 == 4) {
		hl = (p[0] & 0xf) * 4u;
		*seg = get16(p + 2) - hl;
		return hl;
	}
	*seg = get16(p + 4);
	return 40;
}

static bool tcp_sum_holds(const uint8_t *p, size_t at, size_t seg)
{
	uint32_t pseudo = 6 + (uint32_t)seg;

	pseudo = p[0] >> 4 == 4 ? sum16(p + 12, 8, pseudo) : sum16(p + 8, 32, pseudo);
	return sum16(p + at, seg, pseudo) == 0xffff;
}

/* The offsets in the TCP header th (doff bytes) of the MSS options' values, read afresh. */
static size_t mss_values(const uint8_t *th, size_t doff, size_t *at)
{
	size_t o = 20, n = 0;

	while (o < doff && th[o] != 0) {
		if (th[o] == 1) {
			o++;
			continue;
		}
		if (o + 1 >= doff || th[o + 1] < 2 || th[o + 1] > doff - o)
			abort();	/* mss_clamp changed a packet with a malformed option */
		if (th[o] == 2 && th[o + 1] == 4)
			at[n++] = o + 2;
		o += th[o + 1];
	}
	return n;
}

/* Each MSS value above mss is now mss, the others as they were; no other byte but the
 * checksum's changed. */
static void check_changes(const uint8_t *before, const uint8_t *after, size_t size, size_t at,
			  size_t doff, unsigned int mss)
{
	size_t val[20], n = mss_values(before + at, doff, val), i, k;
	uint16_t was, now;

	for (k = 0; k < n; k++) {
		was = get16(before + at + val[k]);
		now = get16(after + at + val[k]);
		if (now != (was > mss ? mss : was))
			abort();
	}
	for (i = 0; i < size; i++) {
		if (after[i] == before[i] || i == at + 16 || i == at + 17)
			continue;
		for (k = 0; k < n && i != at + val[k] && i != at + val[k] + 1; k++)
			;
		if (k == n)
			abort();
	}
}

static void check_clamp(const uint8_t *data, size_t size, unsigned int mss)
{
	uint8_t *p = malloc(size ? size : 1);
	size_t at, seg, doff;

	if (!p)
		abort();
	memcpy(p, data, size);
	if (!mss_clamp(p, size, mss)) {
		if (memcmp(p, data, size))
			abort();
		free(p);
		return;
	}
	at = tcp_at(p, &seg);
	doff = (p[at + 12] >> 4) * 4u;
	if (seg < 20 || at + seg > size || doff < 20 || doff > seg || !(p[at + 13] & 0x02))
		abort();
	if (tcp_sum_holds(p, at, seg) != tcp_sum_holds(data, at, seg))
		abort();
	check_changes(data, p, size, at, doff, mss);
	if (mss_clamp(p, size, mss))
		abort();
	free(p);
}

/* A "too big" in cap bytes exactly: within cap and its limit, its checksums holding. */
static void check_too_big(const uint8_t *data, size_t size, size_t cap, unsigned int mtu)
{
	uint8_t *out = malloc(cap ? cap : 1);
	size_t n;

	if (!out)
		abort();
	n = icmp_too_big(out, cap, data, size, mtu);
	if (n > cap || n > ICMP_TOO_BIG_MAX)
		abort();
	if (n && out[0] == 0x45) {
		if (n > 576 || n < 28 || get16(out + 2) != n || sum16(out, 20, 0) != 0xffff ||
		    sum16(out + 20, n - 20, 0) != 0xffff || out[20] != 3 || out[21] != 4)
			abort();
	} else if (n) {
		if (out[0] != 0x60 || n < 48 || get16(out + 4) != n - 40 || out[40] != 2 ||
		    sum16(out + 40, n - 40, sum16(out + 8, 32, 58 + (uint32_t)(n - 40))) != 0xffff)
			abort();
	}
	free(out);
}

static void check_reply(const uint8_t *data, size_t size)
{
	static uint8_t probe[1500];
	uint64_t token = 0, token6 = 0;
	uint16_t seq, id = size >= 26 ? get16(data + 24) : 0;
	size_t i, n;

	/* The id and token where a reply with a 20- or 40-byte header has them. */
	for (i = 28; i < 36 && i < size; i++)
		token = token << 8 | data[i];
	for (i = 48; i < 56 && i < size; i++)
		token6 = token6 << 8 | data[i];
	if (size >= 20)
		icmp_echo_reply(data, size, AF_INET, data + 12, id, token, &seq);
	if (size >= 48)
		icmp_echo_reply(data, size, AF_INET6, data + 8, get16(data + 44), token6, &seq);
	/* A probe from the input's first addresses is a request, never a reply. */
	if (size < 40)
		return;
	n = size % sizeof(probe);
	if (icmp_echo_probe(probe, n, AF_INET6, data + 8, data + 24, id, 1, token) != (n >= 56 ? n : 0))
		abort();
	for (i = 56; i < n; i++)
		if (probe[i])
			abort();
	if (icmp_echo_reply(probe, n, AF_INET6, data + 8, id, token, &seq))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned int mss[] = { 0, 536, 1220, 1380, 65535, 70000 };
	size_t i;

	for (i = 0; i < sizeof(mss) / sizeof(mss[0]); i++)
		check_clamp(data, size, mss[i]);
	if (size)
		check_clamp(data, size, data[size - 1] * 8u);
	check_too_big(data, size, ICMP_TOO_BIG_MAX, 1280);
	check_too_big(data, size, ICMP_TOO_BIG_MAX, 65536);
	check_too_big(data, size, size ? data[0] * 5u : 0, 1400);
	check_reply(data, size);
	return 0;
}
