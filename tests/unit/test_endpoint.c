/* The lab server's endpoint table: who owns an inner address, takeover on restart, aging. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "endpoint.h"

static struct endpoint_table *table;

static struct sockaddr_in ep(const char *ip, uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };

	inet_pton(AF_INET, ip, &sin.sin_addr);
	return sin;
}

static struct endpoint_key v4(const char *ip)
{
	struct endpoint_key k = { .len = 4 };

	inet_pton(AF_INET, ip, k.bytes);
	return k;
}

static enum endpoint_learned learn(const char *inner, const char *outer, uint16_t port,
				   uint64_t now)
{
	struct endpoint_key k = v4(inner);
	struct sockaddr_in sin = ep(outer, port);

	return endpoint_learn(table, &k, (struct sockaddr *)&sin, sizeof(sin), now);
}

/* The port of the client owning inner, or 0 if none does. */
static uint16_t owner_port(const char *inner, uint64_t now)
{
	struct endpoint_key k = v4(inner);
	const struct endpoint_client *c = endpoint_lookup(table, &k, now);

	return c ? ntohs(((const struct sockaddr_in *)&c->addr)->sin_port) : 0;
}

static unsigned int live(uint64_t now)
{
	const struct endpoint_client *all[ENDPOINT_MAX_CLIENTS];

	return endpoint_clients(table, now, all, ENDPOINT_MAX_CLIENTS);
}

static int setup(void **state)
{
	(void)state;
	table = malloc(sizeof(*table));
	endpoint_table_init(table, 300);
	return table ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(table);
	return 0;
}

static void learns_and_finds_owner(void **state)
{
	(void)state;
	assert_int_equal(owner_port("192.168.53.99", 1000), 0);
	assert_int_equal(learn("192.168.53.99", "10.9.0.5", 41357, 1000), ENDPOINT_NEW);
	assert_int_equal(learn("192.168.53.99", "10.9.0.5", 41357, 1001), ENDPOINT_KNOWN);
	assert_int_equal(owner_port("192.168.53.99", 1001), 41357);
	assert_int_equal(owner_port("192.168.53.98", 1001), 0);
	assert_int_equal(live(1001), 1);
}

static void one_client_owns_many_addresses(void **state)
{
	(void)state;
	/* A site-to-site client router forwards for a whole network (task 8). */
	learn("192.168.50.5", "10.9.0.12", 9090, 10);
	learn("192.168.50.6", "10.9.0.12", 9090, 11);
	assert_int_equal(owner_port("192.168.50.5", 12), 9090);
	assert_int_equal(owner_port("192.168.50.6", 12), 9090);
	assert_int_equal(live(12), 1);
}

static void two_clients_are_kept_apart(void **state)
{
	(void)state;
	learn("192.168.53.99", "10.9.0.5", 5000, 10);
	learn("192.168.50.5", "10.9.0.12", 9090, 10);
	assert_int_equal(owner_port("192.168.53.99", 11), 5000);
	assert_int_equal(owner_port("192.168.50.5", 11), 9090);
	assert_int_equal(live(11), 2);
}

static void restarted_client_takes_over(void **state)
{
	(void)state;
	learn("192.168.53.99", "10.9.0.5", 5000, 10);
	assert_int_equal(learn("192.168.53.99", "10.9.0.5", 5001, 20), ENDPOINT_MOVED);
	assert_int_equal(owner_port("192.168.53.99", 21), 5001);
	/* The old endpoint owns nothing now, so it is gone: still a single client. */
	assert_int_equal(live(21), 1);
}

static void partial_takeover_keeps_old_client(void **state)
{
	(void)state;
	learn("192.168.50.5", "10.9.0.12", 9090, 10);
	learn("192.168.50.6", "10.9.0.12", 9090, 10);
	learn("192.168.50.6", "10.9.0.13", 9090, 11);
	assert_int_equal(owner_port("192.168.50.5", 12), 9090);
	assert_int_equal(live(12), 2);
}

static void idle_entries_age_out(void **state)
{
	(void)state;
	learn("192.168.53.99", "10.9.0.5", 5000, 100);
	assert_int_equal(owner_port("192.168.53.99", 399), 5000);
	assert_int_equal(owner_port("192.168.53.99", 400), 0);
	assert_int_equal(live(400), 0);
	/* Learned again after aging: a new entry. */
	assert_int_equal(learn("192.168.53.99", "10.9.0.5", 5000, 401), ENDPOINT_NEW);
	assert_int_equal(owner_port("192.168.53.99", 402), 5000);
}

static void client_kept_alive_by_any_address(void **state)
{
	(void)state;
	learn("192.168.50.5", "10.9.0.12", 9090, 100);
	learn("192.168.50.6", "10.9.0.12", 9090, 350);
	/* .5 went quiet and aged out; .6 and its client live on. */
	assert_int_equal(owner_port("192.168.50.5", 410), 0);
	assert_int_equal(owner_port("192.168.50.6", 410), 9090);
	assert_int_equal(live(410), 1);
}

static void too_many_clients_is_refused(void **state)
{
	char inner[32];

	(void)state;
	for (int i = 0; i < ENDPOINT_MAX_CLIENTS; i++) {
		snprintf(inner, sizeof(inner), "10.1.0.%d", i + 1);
		assert_int_equal(learn(inner, "10.9.0.5", (uint16_t)(2000 + i), 10), ENDPOINT_NEW);
	}
	assert_int_equal(learn("10.1.1.1", "10.9.0.6", 7000, 10), ENDPOINT_FULL);
	assert_int_equal(owner_port("10.1.0.1", 11), 2000);
	assert_int_equal(owner_port("10.1.0.64", 11), 2063);
	/* Once the others age out there is room again. */
	assert_int_equal(learn("10.1.1.1", "10.9.0.6", 7000, 400), ENDPOINT_NEW);
}

static void full_table_evicts_least_recent(void **state)
{
	char inner[32];
	int found = 0;

	(void)state;
	/* Far more addresses than slots, all from one client: learning never fails, lookups stay
	 * correct for what is kept, and the most recent addresses are kept. */
	for (int i = 0; i < ENDPOINT_SLOTS * 2; i++) {
		snprintf(inner, sizeof(inner), "10.%d.%d.%d", (i >> 16) & 255, (i >> 8) & 255, i & 255);
		assert_true(learn(inner, "10.9.0.5", 5000, (uint64_t)(10 + i / 1024)) >= 0);
	}
	for (int i = ENDPOINT_SLOTS * 2 - 64; i < ENDPOINT_SLOTS * 2; i++) {
		snprintf(inner, sizeof(inner), "10.%d.%d.%d", (i >> 16) & 255, (i >> 8) & 255, i & 255);
		found += owner_port(inner, 20) == 5000;
	}
	assert_int_equal(found, 64);
	assert_int_equal(live(20), 1);
}

static void mac_and_ipv6_keys(void **state)
{
	struct endpoint_key mac = { .len = 6, .bytes = { 0x02, 0x42, 0x0a, 0x09, 0x00, 0x05 } };
	struct endpoint_key v6 = { .len = 16 };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(9090) };

	(void)state;
	inet_pton(AF_INET6, "fd00::99", v6.bytes);
	inet_pton(AF_INET6, "2001:db8::5", &sin6.sin6_addr);
	assert_int_equal(endpoint_learn(table, &mac, (struct sockaddr *)&sin6, sizeof(sin6), 5),
			 ENDPOINT_NEW);
	assert_int_equal(endpoint_learn(table, &v6, (struct sockaddr *)&sin6, sizeof(sin6), 5),
			 ENDPOINT_NEW);
	assert_non_null(endpoint_lookup(table, &mac, 6));
	assert_non_null(endpoint_lookup(table, &v6, 6));
	mac.bytes[5] = 6;
	assert_null(endpoint_lookup(table, &mac, 6));
	assert_int_equal(live(6), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(learns_and_finds_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(one_client_owns_many_addresses, setup, teardown),
		cmocka_unit_test_setup_teardown(two_clients_are_kept_apart, setup, teardown),
		cmocka_unit_test_setup_teardown(restarted_client_takes_over, setup, teardown),
		cmocka_unit_test_setup_teardown(partial_takeover_keeps_old_client, setup, teardown),
		cmocka_unit_test_setup_teardown(idle_entries_age_out, setup, teardown),
		cmocka_unit_test_setup_teardown(client_kept_alive_by_any_address, setup, teardown),
		cmocka_unit_test_setup_teardown(too_many_clients_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(full_table_evicts_least_recent, setup, teardown),
		cmocka_unit_test_setup_teardown(mac_and_ipv6_keys, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
