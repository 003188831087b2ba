/* icmp_build.c against messages that scapy built (icmp_vectors.h, made by
 * gen_icmp_vectors.py, which prints the expression above each array): the "too big" a router
 * would send back for each packet, byte for byte, and none where none is due; path-MTU probes
 * with their padding; and which packets are taken as the reply to a probe. Inputs and outputs
 * sit in buffers of exactly their size, so that the sanitizers (make asan) see a read or write
 * past either. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "pkt/icmp_build.h"
#include "icmp_vectors.h"

struct vec {
	const uint8_t *b;
	size_t len;
};

#define V(a) ((struct vec){ a, sizeof(a) })
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const uint8_t us4[4] = { 10, 100, 0, 1 }, peer4[4] = { 10, 100, 0, 2 };
static const uint8_t us6[16] = { 0xfd, 0x42, [15] = 1 }, peer6[16] = { 0xfd, 0x42, [15] = 2 };

static uint8_t *copy(const uint8_t *b, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	assert_non_null(p);
	memcpy(p, b, len);
	return p;
}

/* icmp_too_big into cap bytes exactly. */
static size_t too_big(const uint8_t *pkt, size_t len, unsigned int mtu, size_t cap, uint8_t **out)
{
	uint8_t *in = copy(pkt, len);
	size_t n;

	*out = malloc(cap ? cap : 1);
	assert_non_null(*out);
	n = icmp_too_big(*out, cap, in, len, mtu);
	assert_memory_equal(in, pkt, len);
	free(in);
	return n;
}

/* in gets want, with cap ICMP_TOO_BIG_MAX or exactly want's length; one byte less gets none. */
static void assert_too_big(struct vec in, unsigned int mtu, struct vec want)
{
	uint8_t *out;

	assert_int_equal(too_big(in.b, in.len, mtu, ICMP_TOO_BIG_MAX, &out), want.len);
	assert_memory_equal(out, want.b, want.len);
	free(out);
	assert_int_equal(too_big(in.b, in.len, mtu, want.len, &out), want.len);
	assert_memory_equal(out, want.b, want.len);
	free(out);
	assert_int_equal(too_big(in.b, in.len, mtu, want.len - 1, &out), 0);
	free(out);
}

static void assert_none(const uint8_t *pkt, size_t len, unsigned int mtu)
{
	uint8_t *out;

	assert_int_equal(too_big(pkt, len, mtu, ICMP_TOO_BIG_MAX, &out), 0);
	free(out);
}

static void too_big_ipv4(void **state)
{
	(void)state;
	assert_too_big(V(tcp4_df), 1380, V(tcp4_df_1380));
	assert_too_big(V(ping4_df), 1420, V(ping4_df_1420));
	assert_too_big(V(opt4_df), 1300, V(opt4_df_1300));
	assert_too_big(V(first4_df), 1400, V(first4_df_1400));
}

/* The quote: whole up to 548 bytes (576 in all), cut there beyond. */
static void too_big_ipv4_quote(void **state)
{
	(void)state;
	assert_too_big(V(udp4_df_small), 1280, V(udp4_df_small_1280));
	assert_too_big(V(udp4_df_548), 1000, V(udp4_df_548_1000));
	assert_too_big(V(udp4_df_549), 1000, V(udp4_df_549_1000));
	assert_int_equal(sizeof(udp4_df_548_1000), 576);
	assert_int_equal(sizeof(udp4_df_549_1000), 576);
	assert_int_equal(sizeof(tcp4_df_1380), 576);
}

static void too_big_ipv4_none(void **state)
{
	static const struct vec none[] = {
		V(tcp4_nodf), V(frag4_df), V(err4_3), V(err4_4), V(err4_5), V(err4_11),
		V(err4_12), V(src4_bcast), V(src4_zero), V(src4_mcast), V(src4_mcast_top),
		V(dst4_mcast), V(dst4_bcast),
	};
	size_t i;

	(void)state;
	for (i = 0; i < COUNT(none); i++)
		assert_none(none[i].b, none[i].len, 1380);
	/* An MTU the 16-bit field cannot hold is no IPv4 packet's limit. */
	assert_none(tcp4_df, sizeof(tcp4_df), 65536);
}

static void too_big_ipv6(void **state)
{
	(void)state;
	assert_too_big(V(tcp6), 1380, V(tcp6_1380));
	assert_too_big(V(ping6), 1400, V(ping6_1400));
	assert_too_big(V(ping6_hbh), 1400, V(ping6_hbh_1400));
	assert_too_big(V(frag6), 1300, V(frag6_1300));
	assert_too_big(V(frag6_icmp), 1300, V(frag6_icmp_1300));
}

/* The quote: whole up to 1232 bytes (1280 in all), cut there beyond. */
static void too_big_ipv6_quote(void **state)
{
	(void)state;
	assert_too_big(V(udp6_small), 1280, V(udp6_small_1280));
	assert_too_big(V(udp6_1232), 1280, V(udp6_1232_1280));
	assert_too_big(V(udp6_1233), 1280, V(udp6_1233_1280));
	assert_int_equal(sizeof(udp6_1232_1280), 1280);
	assert_int_equal(sizeof(udp6_1233_1280), 1280);
	assert_int_equal(sizeof(tcp6_1380), ICMP_TOO_BIG_MAX);
}

static void too_big_ipv6_none(void **state)
{
	static const struct vec none[] = {
		V(err6_1), V(err6_2), V(err6_3), V(err6_4), V(err6_hbh), V(src6_zero),
		V(src6_mcast), V(dst6_mcast),
	};
	uint8_t p[sizeof(ping6_hbh)];
	size_t i;

	(void)state;
	for (i = 0; i < COUNT(none); i++)
		assert_none(none[i].b, none[i].len, 1280);
	/* An extension header chain that runs past the payload length. */
	memcpy(p, ping6_hbh, sizeof(p));
	p[4] = 0;
	p[5] = 4;
	assert_none(p, sizeof(p), 1280);
}

/* Cut anywhere short of its own length, a packet gets none; bytes past it are not quoted. */
static void too_big_truncated(void **state)
{
	static const struct vec pkts[] = { V(udp4_df_small), V(opt4_df), V(udp6_small), V(ping6_hbh) };
	uint8_t p[sizeof(udp4_df_small) + 9];
	uint8_t *out;
	size_t i, n;

	(void)state;
	for (i = 0; i < COUNT(pkts); i++)
		for (n = 0; n < pkts[i].len; n++)
			assert_none(pkts[i].b, n, 1280);
	memcpy(p, udp4_df_small, sizeof(udp4_df_small));
	memset(p + sizeof(udp4_df_small), 0xee, 9);
	assert_int_equal(too_big(p, sizeof(p), 1280, ICMP_TOO_BIG_MAX, &out),
			 sizeof(udp4_df_small_1280));
	assert_memory_equal(out, udp4_df_small_1280, sizeof(udp4_df_small_1280));
	free(out);
}

/* A probe of size bytes into a buffer with room past it, which must stay untouched. */
static void assert_probe(int family, size_t size, struct vec want)
{
	const void *src = family == AF_INET ? (const void *)us4 : us6;
	const void *dst = family == AF_INET ? (const void *)peer4 : peer6;
	size_t ip_len = family == AF_INET ? 36 : 56, i;
	uint8_t *out = malloc(size + 16);

	assert_non_null(out);
	memset(out, 0xaa, size + 16);
	assert_int_equal(icmp_echo_probe(out, size, family, src, dst, PROBE_ID, PROBE_SEQ,
					 PROBE_TOKEN), size);
	assert_int_equal(want.len, size);
	assert_memory_equal(out, want.b, size);
	for (i = ip_len; i < size; i++)
		assert_int_equal(out[i], 0);
	for (i = size; i < size + 16; i++)
		assert_int_equal(out[i], 0xaa);
	free(out);
}

static void probes(void **state)
{
	uint8_t out[64];

	(void)state;
	assert_probe(AF_INET, 1420, V(probe4_1420));
	assert_probe(AF_INET, 36, V(probe4_36));
	assert_probe(AF_INET6, 1280, V(probe6_1280));
	assert_probe(AF_INET6, 56, V(probe6_56));
	/* The IP header counts the echo request alone: 36 bytes, and a 16-byte IPv6 payload. */
	assert_int_equal(probe4_1420[2] << 8 | probe4_1420[3], 36);
	assert_int_equal(probe6_1280[4] << 8 | probe6_1280[5], 16);
	/* Too small for the request itself, or no such family: nothing is written. */
	memset(out, 0xaa, sizeof(out));
	assert_int_equal(icmp_echo_probe(out, 35, AF_INET, us4, peer4, 1, 2, 3), 0);
	assert_int_equal(icmp_echo_probe(out, 55, AF_INET6, us6, peer6, 1, 2, 3), 0);
	assert_int_equal(icmp_echo_probe(out, 0, AF_INET, us4, peer4, 1, 2, 3), 0);
	assert_int_equal(icmp_echo_probe(out, 64, AF_UNIX, us4, peer4, 1, 2, 3), 0);
	assert_int_equal(out[0], 0xaa);
	assert_int_equal(out[63], 0xaa);
}

static bool reply(const uint8_t *pkt, size_t len, int family, const void *src, uint16_t id,
		  uint64_t token, uint16_t *seq)
{
	uint8_t *in = copy(pkt, len);
	bool ok = icmp_echo_reply(in, len, family, src, id, token, seq);

	free(in);
	return ok;
}

static void assert_reply(struct vec in, int family, const void *src)
{
	uint16_t seq = 0xffff;

	assert_true(reply(in.b, in.len, family, src, PROBE_ID, PROBE_TOKEN, &seq));
	assert_int_equal(seq, PROBE_SEQ);
}

static void assert_no_reply(const uint8_t *pkt, size_t len, int family, const void *src,
			    uint16_t id, uint64_t token)
{
	uint16_t seq = 0xffff;

	assert_false(reply(pkt, len, family, src, id, token, &seq));
	assert_int_equal(seq, 0xffff);
}

static void replies(void **state)
{
	uint8_t p[sizeof(reply4) + 20];

	(void)state;
	assert_reply(V(reply4), AF_INET, peer4);
	assert_reply(V(reply4_long), AF_INET, peer4);
	assert_reply(V(reply6), AF_INET6, peer6);
	/* Bytes past the packet's own length are not part of it. */
	memcpy(p, reply4, sizeof(reply4));
	memset(p + sizeof(reply4), 0x55, 20);
	assert_reply((struct vec){ p, sizeof(p) }, AF_INET, peer4);
}

static void not_replies(void **state)
{
	static const struct vec v4[] = {
		V(reply4_badsum), V(reply4_request), V(reply4_code), V(reply4_mf), V(reply4_short),
		V(reply4_udp), V(probe4_36),
	};
	static const struct vec v6[] = {
		V(reply6_badsum), V(reply6_request), V(reply6_hbh), V(probe6_56),
	};
	size_t i;

	(void)state;
	assert_no_reply(reply4, sizeof(reply4), AF_INET, peer4, PROBE_ID + 1, PROBE_TOKEN);
	assert_no_reply(reply4, sizeof(reply4), AF_INET, peer4, PROBE_ID, PROBE_TOKEN ^ 1);
	assert_no_reply(reply4, sizeof(reply4), AF_INET, peer4, PROBE_ID, PROBE_TOKEN << 8);
	assert_no_reply(reply4, sizeof(reply4), AF_INET, us4, PROBE_ID, PROBE_TOKEN);
	assert_no_reply(reply4, sizeof(reply4), AF_INET6, peer6, PROBE_ID, PROBE_TOKEN);
	assert_no_reply(reply6, sizeof(reply6), AF_INET6, peer6, PROBE_ID ^ 0x100, PROBE_TOKEN);
	assert_no_reply(reply6, sizeof(reply6), AF_INET6, peer6, PROBE_ID, ~PROBE_TOKEN);
	assert_no_reply(reply6, sizeof(reply6), AF_INET6, us6, PROBE_ID, PROBE_TOKEN);
	assert_no_reply(reply6, sizeof(reply6), AF_INET, peer4, PROBE_ID, PROBE_TOKEN);
	assert_no_reply(reply6, sizeof(reply6), AF_UNIX, peer6, PROBE_ID, PROBE_TOKEN);
	for (i = 0; i < COUNT(v4); i++)
		assert_no_reply(v4[i].b, v4[i].len, AF_INET, v4[i].b + 12, PROBE_ID, PROBE_TOKEN);
	for (i = 0; i < COUNT(v6); i++)
		assert_no_reply(v6[i].b, v6[i].len, AF_INET6, v6[i].b + 8, PROBE_ID, PROBE_TOKEN);
	for (i = 0; i < sizeof(reply4); i++)
		assert_no_reply(reply4, i, AF_INET, peer4, PROBE_ID, PROBE_TOKEN);
	for (i = 0; i < sizeof(reply6); i++)
		assert_no_reply(reply6, i, AF_INET6, peer6, PROBE_ID, PROBE_TOKEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(too_big_ipv4),
		cmocka_unit_test(too_big_ipv4_quote),
		cmocka_unit_test(too_big_ipv4_none),
		cmocka_unit_test(too_big_ipv6),
		cmocka_unit_test(too_big_ipv6_quote),
		cmocka_unit_test(too_big_ipv6_none),
		cmocka_unit_test(too_big_truncated),
		cmocka_unit_test(probes),
		cmocka_unit_test(replies),
		cmocka_unit_test(not_replies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
