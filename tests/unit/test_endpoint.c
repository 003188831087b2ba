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

static uint16_t port_of(const struct endpoint_client *c)
{
	return c ? ntohs(((const struct sockaddr_in *)&c->addr)->sin_port) : 0;
}

/* The port of the client owning inner, or 0 if none does. The time does not matter to a
 * lookup: it is there to make the tests read as a timeline. */
static uint16_t owner_port(const char *inner, uint64_t now)
{
	struct endpoint_key k = v4(inner);

	(void)now;
	return port_of(endpoint_lookup(table, &k));
}

static unsigned int clients(void)
{
	const struct endpoint_client *all[ENDPOINT_MAX_CLIENTS];

	return endpoint_list_clients(table, all, ENDPOINT_MAX_CLIENTS);
}

static uint16_t sole_port(uint64_t now)
{
	return port_of(endpoint_sole_client(table, now));
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
	assert_int_equal(clients(), 1);
}

static void one_client_owns_many_addresses(void **state)
{
	(void)state;
	/* A site-to-site client router forwards for a whole network (task 8). */
	learn("192.168.50.5", "10.9.0.12", 9090, 10);
	learn("192.168.50.6", "10.9.0.12", 9090, 11);
	assert_int_equal(owner_port("192.168.50.5", 12), 9090);
	assert_int_equal(owner_port("192.168.50.6", 12), 9090);
	assert_int_equal(clients(), 1);
}

static void two_clients_are_kept_apart(void **state)
{
	(void)state;
	learn("192.168.53.99", "10.9.0.5", 5000, 10);
	learn("192.168.50.5", "10.9.0.12", 9090, 10);
	assert_int_equal(owner_port("192.168.53.99", 11), 5000);
	assert_int_equal(owner_port("192.168.50.5", 11), 9090);
	assert_int_equal(clients(), 2);
}

static void restarted_client_takes_over(void **state)
{
	(void)state;
	learn("192.168.53.99", "10.9.0.5", 5000, 10);
	assert_int_equal(learn("192.168.53.99", "10.9.0.5", 5001, 20), ENDPOINT_MOVED);
	assert_int_equal(owner_port("192.168.53.99", 21), 5001);
	/* The old endpoint owns nothing now, so it is gone: still a single client. */
	assert_int_equal(clients(), 1);
}

static void partial_takeover_keeps_old_client(void **state)
{
	(void)state;
	learn("192.168.50.5", "10.9.0.12", 9090, 10);
	learn("192.168.50.6", "10.9.0.12", 9090, 10);
	learn("192.168.50.6", "10.9.0.13", 9090, 11);
	assert_int_equal(owner_port("192.168.50.5", 12), 9090);
	assert_int_equal(clients(), 2);
}

static void idle_entries_still_route(void **state)
{
	(void)state;
	/* A client quiet for an hour still gets its packets: aging must not cut a VPN. */
	learn("192.168.53.99", "10.9.0.5", 5000, 100);
	assert_int_equal(owner_port("192.168.53.99", 3700), 5000);
	assert_int_equal(sole_port(3700), 5000);
	assert_int_equal(learn("192.168.53.99", "10.9.0.5", 5000, 3701), ENDPOINT_KNOWN);
}

static void stale_owner_is_not_replaced_by_another_client(void **state)
{
	(void)state;
	/* A went quiet, B is busy: packets for A's address still go to A, never to B. */
	learn("192.168.53.99", "10.9.0.5", 1000, 100);
	learn("192.168.53.100", "10.9.0.6", 2000, 500);
	assert_int_equal(owner_port("192.168.53.99", 500), 1000);
	assert_int_equal(owner_port("192.168.53.100", 500), 2000);
}

static void client_reclaiming_its_own_idle_address(void **state)
{
	(void)state;
	/* A owns K1 and K2; K1 idles; B takes K2 over; A speaks from K1 again. A must still own
	 * K1 and still be a client (its reference count must not have dropped to zero). */
	learn("192.168.53.99", "10.9.0.5", 1000, 100);
	learn("192.168.50.5", "10.9.0.5", 1000, 100);
	assert_int_equal(learn("192.168.50.5", "10.9.0.6", 2000, 450), ENDPOINT_MOVED);
	learn("192.168.53.99", "10.9.0.5", 1000, 451);
	assert_int_equal(owner_port("192.168.53.99", 452), 1000);
	assert_int_equal(owner_port("192.168.50.5", 452), 2000);
	assert_int_equal(clients(), 2);
}

static void sole_client_prefers_the_fresh_one(void **state)
{
	(void)state;
	assert_int_equal(sole_port(10), 0);
	learn("192.168.53.99", "10.9.0.5", 1000, 10);
	assert_int_equal(sole_port(11), 1000);
	learn("192.168.53.12", "10.9.0.12", 9090, 12);
	assert_int_equal(sole_port(13), 0);  /* two fresh clients: no guessing */
	learn("192.168.53.12", "10.9.0.12", 9090, 400);
	assert_int_equal(sole_port(401), 9090); /* the other one went stale */
	assert_int_equal(sole_port(800), 0);  /* both stale: two candidates again */
}

static void client_kept_alive_by_any_address(void **state)
{
	(void)state;
	learn("192.168.50.5", "10.9.0.12", 9090, 100);
	learn("192.168.50.6", "10.9.0.12", 9090, 350);
	/* .5 went quiet but its client did not: both addresses route, one client, and it is
	 * fresh, so a newcomer cannot take its place when the table is full. */
	assert_int_equal(owner_port("192.168.50.5", 410), 9090);
	assert_int_equal(owner_port("192.168.50.6", 410), 9090);
	assert_int_equal(clients(), 1);
	assert_int_equal(sole_port(410), 9090);
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
	/* Once they are stale, the least recently seen gives way, and only its address stops
	 * routing. */
	learn("10.1.0.1", "10.9.0.5", 2000, 20);
	assert_int_equal(learn("10.1.1.1", "10.9.0.6", 7000, 400), ENDPOINT_NEW);
	assert_int_equal(owner_port("10.1.1.1", 401), 7000);
	assert_int_equal(owner_port("10.1.0.2", 401), 0);
	assert_int_equal(owner_port("10.1.0.1", 401), 2000);
	assert_int_equal(owner_port("10.1.0.3", 401), 2002);
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
	assert_int_equal(clients(), 1);
}

static void fill_with(const char *outer, uint16_t port, int count, uint64_t now)
{
	char inner[32];

	for (int i = 0; i < count; i++) {
		snprintf(inner, sizeof(inner), "10.%d.%d.%d", (i >> 16) & 255, (i >> 8) & 255, i & 255);
		learn(inner, outer, port, now);
	}
}

static void client_evicting_its_own_last_address(void **state)
{
	char inner[32];
	int hits = 0;

	(void)state;
	/* A client with a single address learns a second one whose slot can only be had by
	 * evicting the first: it must stay a client and own the new address. Which new address
	 * lands next to the old one depends on the hash, so try many on a full table. */
	for (int k = 0; k < 400 && hits < 3; k++) {
		endpoint_table_init(table, 300);
		fill_with("10.9.0.6", 2000, ENDPOINT_SLOTS * 2, 10);
		learn("172.16.0.1", "10.9.0.5", 1000, 1); /* the oldest slot in the table */
		snprintf(inner, sizeof(inner), "172.17.%d.%d", k >> 8, k & 255);
		learn(inner, "10.9.0.5", 1000, 1);
		if (owner_port("172.16.0.1", 1))
			continue; /* the new address landed elsewhere */
		hits++;
		assert_int_equal(owner_port(inner, 1), 1000);
		assert_int_equal(clients(), 2);
	}
	assert_true(hits > 0);
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
	assert_non_null(endpoint_lookup(table, &mac));
	assert_non_null(endpoint_lookup(table, &v6));
	mac.bytes[5] = 6;
	assert_null(endpoint_lookup(table, &mac));
	assert_int_equal(clients(), 1);
}

static void keys_from_packets(void **state)
{
	/* Hand-assembled headers: IPv4 192.168.53.99 > 192.168.60.5, IPv6 fd53::99 > fd60::5,
	 * and an Ethernet frame 02:42:0a:09:00:05 > ff:ff:ff:ff:ff:ff. */
	uint8_t ip4[20] = { 0x45, 0, 0, 20, 0, 0, 0, 0, 64, 1, 0, 0, 192, 168, 53, 99, 192, 168, 60, 5 };
	uint8_t ip6[40] = { 0x60 };
	uint8_t eth[14] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x42, 0x0a, 0x09, 0x00, 0x05,
			    0x08, 0x06 };
	struct endpoint_key k;

	(void)state;
	inet_pton(AF_INET6, "fd53::99", ip6 + 8);
	inet_pton(AF_INET6, "fd60::5", ip6 + 24);
	assert_true(endpoint_key_of(ip4, sizeof(ip4), LINK_IP, true, &k));
	assert_int_equal(k.len, 4);
	assert_memory_equal(k.bytes, ip4 + 12, 4);
	assert_true(endpoint_key_of(ip4, sizeof(ip4), LINK_IP, false, &k));
	assert_memory_equal(k.bytes, ip4 + 16, 4);
	assert_true(endpoint_key_of(ip6, sizeof(ip6), LINK_IP, true, &k));
	assert_int_equal(k.len, 16);
	assert_memory_equal(k.bytes, ip6 + 8, 16);
	assert_true(endpoint_key_of(ip6, sizeof(ip6), LINK_IP, false, &k));
	assert_memory_equal(k.bytes, ip6 + 24, 16);
	assert_true(endpoint_key_of(eth, sizeof(eth), LINK_ETHER, true, &k));
	assert_int_equal(k.len, 6);
	assert_memory_equal(k.bytes, eth + 6, 6);
	assert_true(endpoint_key_of(eth, sizeof(eth), LINK_ETHER, false, &k));
	assert_memory_equal(k.bytes, eth, 6);
	/* Too short for the addresses, or not IP. */
	assert_false(endpoint_key_of(ip4, 19, LINK_IP, true, &k));
	assert_false(endpoint_key_of(ip6, 39, LINK_IP, true, &k));
	assert_false(endpoint_key_of(eth, 13, LINK_ETHER, true, &k));
	ip4[0] = 0x55;
	assert_false(endpoint_key_of(ip4, sizeof(ip4), LINK_IP, true, &k));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keys_from_packets),
		cmocka_unit_test_setup_teardown(learns_and_finds_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(one_client_owns_many_addresses, setup, teardown),
		cmocka_unit_test_setup_teardown(two_clients_are_kept_apart, setup, teardown),
		cmocka_unit_test_setup_teardown(restarted_client_takes_over, setup, teardown),
		cmocka_unit_test_setup_teardown(partial_takeover_keeps_old_client, setup, teardown),
		cmocka_unit_test_setup_teardown(idle_entries_still_route, setup, teardown),
		cmocka_unit_test_setup_teardown(stale_owner_is_not_replaced_by_another_client, setup,
						teardown),
		cmocka_unit_test_setup_teardown(client_reclaiming_its_own_idle_address, setup,
						teardown),
		cmocka_unit_test_setup_teardown(sole_client_prefers_the_fresh_one, setup, teardown),
		cmocka_unit_test_setup_teardown(client_kept_alive_by_any_address, setup, teardown),
		cmocka_unit_test_setup_teardown(too_many_clients_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(full_table_evicts_least_recent, setup, teardown),
		cmocka_unit_test_setup_teardown(client_evicting_its_own_last_address, setup,
						teardown),
		cmocka_unit_test_setup_teardown(mac_and_ipv6_keys, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
