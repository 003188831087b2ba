/* mss_clamp against packets that scapy built (mss_vectors.h, made by gen_mss_vectors.py, which
 * prints the expression above each array): a SYN or SYN-ACK must become, byte for byte, the
 * packet scapy built with the lower MSS and a checksum computed afresh; every other packet must
 * come back as it was. Each TCP checksum is also checked here from scratch, with a plain RFC
 * 1071 sum written for this file. Every input is copied to a buffer of exactly its length, so
 * that the sanitizers (make asan) see a read or write past it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "pkt/mss.h"
#include "mss_vectors.h"
#include "sum16.h"

struct vec {
	const uint8_t *b;
	size_t len;
};

#define V(a) ((struct vec){ a, sizeof(a) })

/* The sum over the TCP segment and its pseudo-header, as the IP header sizes it: 0xffff when
 * the checksum holds. IPv4 or IPv6 with TCP right after the fixed header. */
static uint16_t tcp_sum(const uint8_t *pkt)
{
	size_t hl, seg;

	if (pkt[0] >> 4 == 4) {
		hl = (pkt[0] & 0xf) * 4u;
		seg = (size_t)(pkt[2] << 8 | pkt[3]) - hl;
		return sum16(pkt + hl, seg, sum16(pkt + 12, 8, 6 + (uint32_t)seg));
	}
	seg = (size_t)(pkt[4] << 8 | pkt[5]);
	return sum16(pkt + 40, seg, sum16(pkt + 8, 32, 6 + (uint32_t)seg));
}

static uint8_t *copy(struct vec v)
{
	uint8_t *p = malloc(v.len ? v.len : 1);

	assert_non_null(p);
	memcpy(p, v.b, v.len);
	return p;
}

/* in, clamped to mss, must be want, its checksum holding; clamped again, it stays. */
static void assert_clamped(struct vec in, unsigned int mss, struct vec want)
{
	uint8_t *p = copy(in);

	assert_int_equal(in.len, want.len);
	assert_int_equal(tcp_sum(in.b), 0xffff);
	assert_true(mss_clamp(p, in.len, mss));
	assert_memory_equal(p, want.b, want.len);
	assert_int_equal(tcp_sum(p), 0xffff);
	assert_false(mss_clamp(p, in.len, mss));
	assert_memory_equal(p, want.b, want.len);
	free(p);
}

static void assert_untouched(const uint8_t *in, size_t len, unsigned int mss)
{
	uint8_t *p = copy((struct vec){ in, len });

	assert_false(mss_clamp(p, len, mss));
	assert_memory_equal(p, in, len);
	free(p);
}

static void clamps_syn_and_synack(void **state)
{
	(void)state;
	assert_clamped(V(syn4), 1380, V(syn4_to_1380));
	assert_clamped(V(syn4), 0, V(syn4_to_0));
	assert_clamped(V(synack4), 1380, V(synack4_to_1380));
	assert_clamped(V(syn6), 1360, V(syn6_to_1360));
	assert_clamped(V(synack6), 1220, V(synack6_to_1220));
}

/* MSS after other options at an odd offset, SYNs with an odd length of data, IPv4 options. */
static void clamps_odd_layouts(void **state)
{
	(void)state;
	assert_clamped(V(syndata4), 1380, V(syndata4_to_1380));
	assert_clamped(V(syndata6), 1232, V(syndata6_to_1232));
	assert_clamped(V(synopt4), 1400, V(synopt4_to_1400));
}

static void clamps_every_mss_option(void **state)
{
	(void)state;
	assert_clamped(V(syntwo4), 1300, V(syntwo4_to_1300));
	assert_clamped(V(syntwo4), 1460, V(syntwo4_to_1460));
}

/* A checksum that was wrong stays wrong by as much: the packet is the clamped one but for the
 * checksum field, and its sum misses 0xffff by what it missed before. */
static void keeps_a_bad_checksum_bad(void **state)
{
	uint8_t *p = copy(V(syn4_bad));
	uint16_t before = tcp_sum(syn4_bad);

	(void)state;
	assert_int_not_equal(before, 0xffff);
	assert_true(mss_clamp(p, sizeof(syn4_bad), 1380));
	assert_memory_equal(p, syn4_to_1380, 36);
	assert_memory_equal(p + 38, syn4_to_1380 + 38, sizeof(syn4_bad) - 38);
	assert_int_equal(tcp_sum(p), before);
	free(p);
}

static void leaves_small_mss(void **state)
{
	(void)state;
	assert_untouched(syn4_small, sizeof(syn4_small), 1380);
	assert_untouched(syn4_small, sizeof(syn4_small), 536);
	assert_untouched(syn4, sizeof(syn4), 1460);
	assert_untouched(syn4, sizeof(syn4), 1461);
	assert_untouched(syn4, sizeof(syn4), 65535);
	assert_untouched(syn4, sizeof(syn4), 70000);
}

static void leaves_other_packets(void **state)
{
	static const struct vec other[] = {
		V(ack4), V(rst4), V(syn4_nomss), V(syn4_noopts), V(syn4_eol), V(syn4_mss6),
		V(syn4_mf), V(syn4_frag), V(syn6_hbh), V(udp4),
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		assert_untouched(other[i].b, other[i].len, 536);
}

/* syn4 with one byte changed (syn4's options: MSS at 40, SACK-permitted at 44, timestamps at
 * 46, NOP at 56, window scale at 57; its data offset byte at 32). */
static void assert_malformed(size_t at, uint8_t value)
{
	uint8_t p[sizeof(syn4)];

	memcpy(p, syn4, sizeof(p));
	p[at] = value;
	assert_untouched(p, sizeof(p), 536);
}

static void leaves_malformed_options(void **state)
{
	uint8_t p[sizeof(syn4)];

	(void)state;
	assert_malformed(45, 0);	/* an option of length 0 after the MSS */
	assert_malformed(45, 1);	/* of length 1 */
	assert_malformed(41, 0);	/* the MSS option's own length 0 */
	assert_malformed(41, 41);	/* running past the data offset */
	assert_malformed(58, 4);	/* the last option running past it by one */
	assert_malformed(32, 0x40);	/* a data offset under 20 bytes */
	assert_malformed(32, 0x00);
	assert_malformed(32, 0xb0);	/* one past the segment */
	assert_malformed(32, 0xf0);
	/* A kind with no room left for its length byte. */
	memcpy(p, syn4, sizeof(p));
	p[57] = 1;
	p[58] = 1;
	p[59] = 30;
	assert_untouched(p, sizeof(p), 536);
}

/* Cut short anywhere, or with an IP length that says more than is there: left alone. */
static void leaves_truncated_packets(void **state)
{
	static const struct vec syns[] = {
		V(syn4), V(synack4), V(syn6), V(synack6), V(syndata4), V(syndata6), V(synopt4),
		V(syntwo4),
	};
	uint8_t p[sizeof(syn6)];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(syns) / sizeof(syns[0]); i++)
		for (n = 0; n < syns[i].len; n++)
			assert_untouched(syns[i].b, n, 536);
	memcpy(p, syn6, sizeof(syn6));
	p[5] = 20;	/* an IPv6 payload that ends before the options */
	assert_untouched(p, sizeof(syn6), 536);
	p[4] = 0;
	p[5] = 0;	/* a jumbogram's payload length */
	assert_untouched(p, sizeof(syn6), 536);
	memcpy(p, syn4, sizeof(syn4));
	p[3] = 19;	/* an IPv4 total length under the header's */
	assert_untouched(p, sizeof(syn4), 536);
	p[0] = 0x44;	/* an IPv4 header under 20 bytes */
	p[3] = sizeof(syn4);
	assert_untouched(p, sizeof(syn4), 536);
	p[0] = 0x55;	/* neither version */
	assert_untouched(p, sizeof(syn4), 536);
}

/* Bytes after the packet (len beyond its IP length) are not part of it. */
static void ignores_bytes_after_the_packet(void **state)
{
	uint8_t p[sizeof(syn4) + 7];

	(void)state;
	memcpy(p, syn4, sizeof(syn4));
	memset(p + sizeof(syn4), 0x02, 7);
	assert_true(mss_clamp(p, sizeof(p), 1380));
	assert_memory_equal(p, syn4_to_1380, sizeof(syn4_to_1380));
	assert_int_equal(p[sizeof(syn4)], 0x02);
	assert_int_equal(p[sizeof(p) - 1], 0x02);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(clamps_syn_and_synack),
		cmocka_unit_test(clamps_odd_layouts),
		cmocka_unit_test(clamps_every_mss_option),
		cmocka_unit_test(keeps_a_bad_checksum_bad),
		cmocka_unit_test(leaves_small_mss),
		cmocka_unit_test(leaves_other_packets),
		cmocka_unit_test(leaves_malformed_options),
		cmocka_unit_test(leaves_truncated_packets),
		cmocka_unit_test(ignores_bytes_after_the_packet),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
