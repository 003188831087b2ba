/* The handshake rate limit per source: 20 packets a second in bursts of 5, one bucket per
 * IPv4 address or IPv6 /64, in a fixed table where a newcomer takes a colliding slot. */
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

/* Initialises rl again until a and b land in different slots, so the check below is about
 * independence and not the (1 in 4096) chance of a collision. */
static void separate(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	for (int tries = 0; tries < 100; ++tries) {
		unsigned int used = 0;

		ratelimiter_init(&rl);
		allow(a, 0);
		allow(b, 0);
		for (size_t i = 0; i < RATELIMITER_SLOTS; ++i)
			used += rl.slots[i].family != 0;
		ratelimiter_init(&rl);
		if (used == 2)
			return;
	}
	fail_msg("could not place two sources in distinct slots");
}

static void test_sources_independent(void **state)
{
	struct sockaddr_storage a = v4("192.0.2.1", 51820), b = v4("192.0.2.2", 51820);

	(void)state;
	separate(&a, &b);
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

/* All of one /64 share a bucket; the next /64 has its own. */
static void test_ipv6_by_64(void **state)
{
	struct sockaddr_storage a = v6("2001:db8:1:2::1", 51820);
	struct sockaddr_storage same = v6("2001:db8:1:2:ffff:ffff:ffff:fffe", 51820);
	struct sockaddr_storage next = v6("2001:db8:1:3::1", 51820);

	(void)state;
	separate(&a, &next);
	assert_int_equal(burst(&a, 1000, 3), 3);
	assert_int_equal(burst(&same, 1000, 10), 2);
	assert_false(allow(&a, 1000));
	assert_int_equal(burst(&next, 1000, 10), 5);
}

/* An IPv4 sender seen through a dual-stack socket is the same sender, not one /64 shared by
 * all of IPv4. */
static void test_v4_mapped(void **state)
{
	struct sockaddr_storage a = v4("192.0.2.1", 51820);
	struct sockaddr_storage mapped = v6("::ffff:192.0.2.1", 51820);
	struct sockaddr_storage other = v6("::ffff:192.0.2.99", 51820);

	(void)state;
	separate(&mapped, &other);
	assert_int_equal(burst(&a, 1000, 3), 3);
	assert_int_equal(burst(&mapped, 1000, 10), 2);
	assert_int_equal(burst(&other, 1000, 10), 5);
}

/* When a newcomer hashes onto a spent bucket it takes the slot; the old owner then starts
 * afresh rather than being refused. */
static void test_collision_newcomer_takes_slot(void **state)
{
	struct sockaddr_storage a = v4("10.0.0.1", 1), b;
	struct ratelimiter_entry *slot = NULL;
	char ip[INET_ADDRSTRLEN];

	(void)state;
	assert_int_equal(burst(&a, 1000, 10), 5);
	for (size_t i = 0; i < RATELIMITER_SLOTS; ++i) {
		if (rl.slots[i].family)
			slot = &rl.slots[i];
	}
	assert_non_null(slot);
	for (uint32_t n = 1;; ++n) {
		assert_true(n < 1000000);
		snprintf(ip, sizeof(ip), "172.%u.%u.%u", 16 + (n >> 16) % 16, (n >> 8) & 255, n & 255);
		b = v4(ip, 1);
		assert_true(allow(&b, 1000));
		if (!memcmp(slot->key, &((struct sockaddr_in *)&b)->sin_addr, 4))
			break; /* b now owns a's slot */
	}
	assert_true(allow(&a, 1000));
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
		cmocka_unit_test_setup(test_collision_newcomer_takes_slot, setup),
		cmocka_unit_test_setup(test_unknown_family_refused, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
