/* The handshake rate limit per source: 20 packets a second in bursts of 5, one bucket per
 * IPv4 address or IPv6 /64, in a fixed table that refuses newcomers when full, never lets
 * two sources share a bucket, and reclaims entries idle for a second. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "wg/ratelimiter.h"

static struct ratelimiter rl;

static struct sockaddr_storage v4(const char *ip, uint16_t port)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	assert_int_equal(inet_pton(AF_INET, ip, &sin->sin_addr), 1);
	return ss;
}

static struct sockaddr_storage v6(const char *ip, uint16_t port)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	assert_int_equal(inet_pton(AF_INET6, ip, &sin6->sin6_addr), 1);
	return ss;
}

static bool allow(const struct sockaddr_storage *ss, uint64_t now)
{
	return ratelimiter_allow(&rl, (const struct sockaddr *)ss, now);
}

/* How many of n packets sent at time now are let through. */
static unsigned int burst(const struct sockaddr_storage *ss, uint64_t now, unsigned int n)
{
	unsigned int allowed = 0;

	while (n--)
		allowed += allow(ss, now);
	return allowed;
}

static int setup(void **state)
{
	(void)state;
	ratelimiter_init(&rl);
	return 0;
}

static void test_burst_then_refused(void **state)
{
	struct sockaddr_storage a = v4("192.0.2.1", 51820);

	(void)state;
	assert_int_equal(burst(&a, 1000, 5), 5);
	assert_false(allow(&a, 1000));
	assert_int_equal(burst(&a, 1000, 100), 0);
}

/* One packet's worth returns every 50 ms; an idle second refills only up to the burst. */
static void test_refill(void **state)
{
	struct sockaddr_storage a = v4("192.0.2.1", 51820);

	(void)state;
	assert_int_equal(burst(&a, 1000, 5), 5);
	assert_false(allow(&a, 1049));
	assert_true(allow(&a, 1050));
	assert_false(allow(&a, 1050));
	assert_false(allow(&a, 1099));
	assert_true(allow(&a, 1100));
	assert_int_equal(burst(&a, 2100, 10), 5);
	assert_int_equal(burst(&a, 1000000, 10), 5);
}

/* A flood sampled every millisecond for one second: the burst of 5, then 20 more. */
static void test_sustained_rate(void **state)
{
	struct sockaddr_storage a = v4("198.51.100.7", 1);
	unsigned int allowed = 0;

	(void)state;
	for (uint64_t t = 5000; t <= 6000; ++t)
		allowed += allow(&a, t);
	assert_int_equal(allowed, 25);
}

/* Different sources have their own buckets. */
static void test_sources_independent(void **state)
{
	struct sockaddr_storage a = v4("192.0.2.1", 51820), b = v4("192.0.2.2", 51820);

	(void)state;
	assert_int_equal(burst(&a, 1000, 10), 5);
	assert_int_equal(burst(&b, 1000, 10), 5);
	assert_false(allow(&a, 1000));
}

/* The port is not part of the key: a host does not get more by changing it. */
static void test_port_ignored(void **state)
{
	struct sockaddr_storage a = v4("192.0.2.1", 1000), b = v4("192.0.2.1", 2000);

	(void)state;
	assert_int_equal(burst(&a, 1000, 3), 3);
	assert_int_equal(burst(&b, 1000, 10), 2);
}

/* All of one /64 share a bucket, however many addresses of it send, and take one entry of
 * the table; the next /64 has its own. */
static void test_ipv6_by_64(void **state)
{
	struct sockaddr_storage a = v6("2001:db8:1:2::1", 51820);
	struct sockaddr_storage same = v6("2001:db8:1:2:ffff:ffff:ffff:fffe", 51820);
	struct sockaddr_storage next = v6("2001:db8:1:3::1", 51820);
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&same;
	unsigned int allowed = 0;

	(void)state;
	assert_int_equal(burst(&a, 1000, 3), 3);
	assert_int_equal(burst(&same, 1000, 10), 2);
	assert_false(allow(&a, 1000));
	for (uint32_t n = 0; n < 2 * RATELIMITER_ENTRIES; ++n) {
		memcpy(sin6->sin6_addr.s6_addr + 12, &n, sizeof(n));
		allowed += allow(&same, 1000);
	}
	assert_int_equal(allowed, 0);
	assert_int_equal(rl.used, 1);
	assert_int_equal(burst(&next, 1000, 10), 5);
	assert_int_equal(rl.used, 2);
}

/* An IPv4 sender seen through a dual-stack socket is the same sender, not one /64 shared by
 * all of IPv4. */
static void test_v4_mapped(void **state)
{
	struct sockaddr_storage a = v4("192.0.2.1", 51820);
	struct sockaddr_storage mapped = v6("::ffff:192.0.2.1", 51820);
	struct sockaddr_storage other = v6("::ffff:192.0.2.99", 51820);

	(void)state;
	assert_int_equal(burst(&a, 1000, 3), 3);
	assert_int_equal(burst(&mapped, 1000, 10), 2);
	assert_int_equal(burst(&other, 1000, 10), 5);
	assert_int_equal(rl.used, 2);
}

/* The n-th of 2^24 distinct IPv4 sources, 10.x.y.z. */
static struct sockaddr_storage nth(uint32_t n)
{
	struct sockaddr_storage ss = v4("10.0.0.0", 51820);

	((struct sockaddr_in *)&ss)->sin_addr.s_addr = htonl(0x0a000000 | (n & 0xffffff));
	return ss;
}

static unsigned int chain_length(uint32_t head)
{
	unsigned int n = 0;

	for (; head; head = rl.entries[head - 1].next)
		++n;
	return n;
}

/* Finds a source whose key hashes onto the same chain as a's, by sending one packet from
 * each of up to a table's worth of others at time 0 and watching a's chain (new entries go
 * to its head). The table's random key decides, so it may take more than one table. */
static struct sockaddr_storage colliding_with(const struct sockaddr_storage *a)
{
	for (int table = 0; table < 20; ++table) {
		size_t c = 0;

		ratelimiter_init(&rl);
		assert_true(allow(a, 0));
		while (!rl.chains[c])
			++c;
		for (uint32_t n = 1; n < RATELIMITER_ENTRIES; ++n) {
			uint32_t head = rl.chains[c];
			struct sockaddr_storage b = nth(n);

			assert_true(allow(&b, 0));
			if (rl.chains[c] != head)
				return b;
		}
	}
	fail_msg("found no source colliding with a");
	return *a;
}

/* Two sources on one chain, alternating: each is limited as if it were alone, not handed a
 * fresh bucket whenever the other has used the slot. First a burst at one instant, then a
 * second of flood sampled every millisecond: the burst of 5 and 20 more, each. */
static void test_colliding_pair_limited_alone(void **state)
{
	struct sockaddr_storage a = v4("192.0.2.1", 51820), b = colliding_with(&a);
	unsigned int na = 0, nb = 0;
	uint64_t t0 = 10 * RATELIMITER_IDLE_MS;
	size_t c = 0;

	(void)state;
	for (int i = 0; i < 1000; ++i) {
		na += allow(&a, t0);
		nb += allow(&b, t0);
	}
	/* The search's other sources were idle long enough to be gone: a and b alone remain,
	 * and on one chain. */
	assert_int_equal(rl.used, 2);
	while (!rl.chains[c])
		++c;
	assert_int_equal(chain_length(rl.chains[c]), 2);
	assert_int_equal(na, 5);
	assert_int_equal(nb, 5);

	t0 += 10 * RATELIMITER_IDLE_MS;
	na = nb = 0;
	for (uint64_t t = t0; t <= t0 + 1000; ++t) {
		na += allow(&a, t);
		nb += allow(&b, t);
	}
	assert_int_equal(na, 25);
	assert_int_equal(nb, 25);
}

/* A table full of active sources refuses a newcomer outright, however often it tries,
 * while the sources it holds keep their buckets. */
static void test_full_table_refuses_newcomers(void **state)
{
	struct sockaddr_storage first = nth(0), newcomer = nth(RATELIMITER_ENTRIES);

	(void)state;
	for (uint32_t n = 0; n < RATELIMITER_ENTRIES; ++n) {
		struct sockaddr_storage s = nth(n);

		assert_true(allow(&s, 1000));
	}
	assert_int_equal(rl.used, RATELIMITER_ENTRIES);
	assert_int_equal(burst(&newcomer, 1000, 100), 0);
	assert_int_equal(burst(&newcomer, 1000 + RATELIMITER_IDLE_MS / 2, 100), 0);
	assert_int_equal(burst(&first, 1000 + RATELIMITER_IDLE_MS / 2, 10), 5);
	/* Exactly the idle time since the flood's last packet: not yet idle, still full. */
	assert_int_equal(burst(&newcomer, 1000 + RATELIMITER_IDLE_MS, 10), 0);
}

/* Once the flood has been idle past the idle time, its entries are reclaimed and new
 * sources get in, with a bucket each; a source that kept sending keeps its entry. */
static void test_idle_entries_reclaimed(void **state)
{
	struct sockaddr_storage first = nth(0), newcomer = nth(RATELIMITER_ENTRIES);
	uint64_t later = 1000 + RATELIMITER_IDLE_MS + 1;

	(void)state;
	for (uint32_t n = 0; n < RATELIMITER_ENTRIES; ++n) {
		struct sockaddr_storage s = nth(n);

		allow(&s, 1000);
	}
	assert_int_equal(burst(&newcomer, 1000, 1), 0);
	assert_int_equal(burst(&first, 1000 + RATELIMITER_IDLE_MS / 2, 10), 5);
	assert_int_equal(burst(&newcomer, later, 10), 5);
	assert_int_equal(rl.used, 2); /* first, seen within the idle time, stays */
	for (uint32_t n = 1; n < RATELIMITER_ENTRIES - 1; ++n) {
		struct sockaddr_storage s = nth(n);

		assert_true(allow(&s, later));
	}
	assert_int_equal(rl.used, RATELIMITER_ENTRIES);
	newcomer = nth(RATELIMITER_ENTRIES - 1);
	assert_false(allow(&newcomer, later));
}

/* A clock that steps back refills nothing. */
static void test_clock_back(void **state)
{
	struct sockaddr_storage a = v4("192.0.2.1", 51820);

	(void)state;
	assert_int_equal(burst(&a, 5000, 10), 5);
	assert_int_equal(burst(&a, 1000, 10), 0);
	assert_int_equal(burst(&a, 5000, 10), 0);
	assert_true(allow(&a, 5050));
}

static void test_unknown_family_refused(void **state)
{
	struct sockaddr_storage ss = { 0 };

	(void)state;
	ss.ss_family = AF_UNIX;
	assert_false(allow(&ss, 1000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_burst_then_refused, setup),
		cmocka_unit_test_setup(test_refill, setup),
		cmocka_unit_test_setup(test_sustained_rate, setup),
		cmocka_unit_test_setup(test_sources_independent, setup),
		cmocka_unit_test_setup(test_port_ignored, setup),
		cmocka_unit_test_setup(test_ipv6_by_64, setup),
		cmocka_unit_test_setup(test_v4_mapped, setup),
		cmocka_unit_test_setup(test_colliding_pair_limited_alone, setup),
		cmocka_unit_test_setup(test_full_table_refuses_newcomers, setup),
		cmocka_unit_test_setup(test_idle_entries_reclaimed, setup),
		cmocka_unit_test_setup(test_clock_back, setup),
		cmocka_unit_test_setup(test_unknown_family_refused, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
