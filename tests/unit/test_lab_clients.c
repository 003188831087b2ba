/* The lab server's client table: who owns an inner address, takeover on restart, aging, and
 * a thousand clients with some of them hostile. */
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

#include "lab/lab_clients.h"

static struct lab_clients *table;

static struct sockaddr_in ep(const char *ip, uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };

	inet_pton(AF_INET, ip, &sin.sin_addr);
	return sin;
}

static struct lab_key v4(const char *ip)
{
	struct lab_key k = { .len = 4 };

	inet_pton(AF_INET, ip, k.bytes);
	return k;
}

static enum lab_learned learn(const char *inner, const char *outer, uint16_t port,
			      uint64_t now)
{
	struct lab_key k = v4(inner);
	struct sockaddr_in sin = ep(outer, port);

	return lab_clients_learn(table, &k, (struct sockaddr *)&sin, sizeof(sin), now, NULL);
}

static uint16_t port_of(const struct lab_client *c)
{
	return c ? ntohs(((const struct sockaddr_in *)&c->addr)->sin_port) : 0;
}

/* The port of the client owning inner, or 0 if none does. The time does not matter to a
 * lookup: it is there to make the tests read as a timeline. */
static uint16_t owner_port(const char *inner, uint64_t now)
{
	struct lab_key k = v4(inner);

	(void)now;
	return port_of(lab_clients_lookup(table, &k));
}

/* The clients as the table lists them, counted by walking the list: the counter the table
 * keeps must agree with it. */
static unsigned int clients(void)
{
	const struct lab_client *c = NULL;
	unsigned int n = 0;

	while ((c = lab_clients_next(table, c)))
		n++;
	assert_int_equal(n, lab_clients_counts(table)->clients);
	return n;
}

static uint16_t sole_port(uint64_t now)
{
	return port_of(lab_clients_sole(table, now));
}

static int setup(void **state)
{
	(void)state;
	table = lab_clients_new(300);
	return table ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	lab_clients_free(table);
	return 0;
}

/* adit show's view of a client: the addresses it owns, and what it sent and was sent. */
static void counts_and_addresses_per_client(void **state)
{
	struct lab_key keys[LAB_CLIENT_ADDRS], a = v4("192.168.53.99"), b = v4("192.168.53.98");
	const struct lab_client *c;

	(void)state;
	assert_int_equal(learn("192.168.53.99", "10.9.0.5", 4000, 1), LAB_NEW);
	assert_int_equal(learn("192.168.53.98", "10.9.0.5", 4000, 1), LAB_NEW);
	assert_int_equal(learn("192.168.53.12", "10.9.0.12", 9090, 1), LAB_NEW);
	c = lab_clients_lookup(table, &a);
	assert_non_null(c);
	lab_clients_count(table, c, false, 84);
	lab_clients_count(table, c, false, 100);
	lab_clients_count(table, c, true, 1500);
	assert_int_equal(c->rx_packets, 2);
	assert_int_equal(c->rx_bytes, 184);
	assert_int_equal(c->tx_packets, 1);
	assert_int_equal(c->tx_bytes, 1500);
	assert_int_equal(lab_clients_addrs(table, c, keys), 2);
	assert_true((!memcmp(&keys[0], &a, sizeof(a)) && !memcmp(&keys[1], &b, sizeof(b))) ||
		    (!memcmp(&keys[0], &b, sizeof(b)) && !memcmp(&keys[1], &a, sizeof(a))));
	/* The other client's counters are its own. */
	a = v4("192.168.53.12");
	c = lab_clients_lookup(table, &a);
	assert_non_null(c);
	assert_int_equal(c->rx_packets + c->tx_packets, 0);
	assert_int_equal(lab_clients_addrs(table, c, keys), 1);
}

static void learns_and_finds_owner(void **state)
{
	(void)state;
	assert_int_equal(owner_port("192.168.53.99", 1000), 0);
	assert_int_equal(learn("192.168.53.99", "10.9.0.5", 41357, 1000), LAB_NEW);
	assert_int_equal(learn("192.168.53.99", "10.9.0.5", 41357, 1001), LAB_KNOWN);
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
	assert_int_equal(learn("192.168.53.99", "10.9.0.5", 5001, 20), LAB_MOVED);
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
	assert_int_equal(learn("192.168.53.99", "10.9.0.5", 5000, 3701), LAB_KNOWN);
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
	assert_int_equal(learn("192.168.50.5", "10.9.0.6", 2000, 450), LAB_MOVED);
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

/* Whether inner is owned by outer:port, host and port both. */
static bool owned_by(const char *inner, const char *outer, uint16_t port)
{
	struct lab_key k = v4(inner);
	const struct lab_client *c = lab_clients_lookup(table, &k);
	struct sockaddr_in want = ep(outer, port);
	const struct sockaddr_in *got = c ? (const struct sockaddr_in *)&c->addr : NULL;

	return got && got->sin_addr.s_addr == want.sin_addr.s_addr &&
	       got->sin_port == want.sin_port;
}

/* Host i of many, and an inner address of its own: 10.9.x.y and 10.200.x.y. */
static void nth(char *buf, size_t size, const char *prefix, unsigned int i)
{
	snprintf(buf, size, "%s.%u.%u", prefix, i >> 8, i & 255);
}

static enum lab_learned learn_nth(unsigned int i, uint16_t port, uint64_t now, bool *first)
{
	char inner[32], outer[32];
	struct lab_key k;
	struct sockaddr_in sin;
	struct lab_learning how;
	enum lab_learned ret;

	nth(inner, sizeof(inner), "10.200", i);
	nth(outer, sizeof(outer), "10.9", i);
	k = v4(inner);
	sin = ep(outer, port);
	ret = lab_clients_learn(table, &k, (struct sockaddr *)&sin, sizeof(sin), now, &how);
	if (first)
		*first = how.first_refusal;
	return ret;
}

static bool nth_routes(unsigned int i, uint16_t port)
{
	char inner[32], outer[32];

	nth(inner, sizeof(inner), "10.200", i);
	nth(outer, sizeof(outer), "10.9", i);
	return owned_by(inner, outer, port);
}

/* A full table of clients that have kept talking: each sends at now and again
 * LAB_CONFIRM_SEC later. */
static void fill_confirmed(uint16_t port, uint64_t now)
{
	for (unsigned int i = 0; i < LAB_CLIENTS_MAX; i++)
		learn_nth(i, port, now, NULL);
	for (unsigned int i = 0; i < LAB_CLIENTS_MAX; i++)
		learn_nth(i, port, now + LAB_CONFIRM_SEC, NULL);
}

static void a_thousand_clients(void **state)
{
	unsigned int routed = 0;

	(void)state;
	for (unsigned int i = 0; i < LAB_CLIENTS_MAX; i++)
		assert_int_equal(learn_nth(i, 40000, 10, NULL), LAB_NEW);
	assert_true(LAB_CLIENTS_MAX >= 1000);
	assert_int_equal(clients(), LAB_CLIENTS_MAX);
	for (unsigned int i = 0; i < LAB_CLIENTS_MAX; i++)
		routed += nth_routes(i, 40000);
	assert_int_equal(routed, LAB_CLIENTS_MAX);
	/* Each again: known, and the same owner. */
	for (unsigned int i = 0; i < LAB_CLIENTS_MAX; i++)
		assert_int_equal(learn_nth(i, 40000, 11, NULL), LAB_KNOWN);
	assert_int_equal(owner_port("10.200.3.255", 12), 40000);
	assert_int_equal(owner_port("10.200.4.0", 12), 0);
}

static void full_of_fresh_clients_refuses_newcomers(void **state)
{
	bool first;

	(void)state;
	fill_confirmed(40000, 10);
	/* Every place is held by a confirmed client seen just now: the newcomers are refused,
	 * and only the first refusal is one to say. */
	assert_int_equal(learn_nth(LAB_CLIENTS_MAX, 40000, 20, &first), LAB_FULL);
	assert_true(first);
	assert_int_equal(learn_nth(LAB_CLIENTS_MAX + 1, 40000, 20, &first), LAB_FULL);
	assert_false(first);
	assert_int_equal(learn_nth(LAB_CLIENTS_MAX, 40000, 21, &first), LAB_FULL);
	assert_false(first);
	assert_int_equal(lab_clients_counts(table)->refused, 3);
	assert_false(nth_routes(LAB_CLIENTS_MAX, 40000));
	assert_true(nth_routes(0, 40000));
	assert_true(nth_routes(LAB_CLIENTS_MAX - 1, 40000));
	assert_int_equal(clients(), LAB_CLIENTS_MAX);
}

static void stale_clients_give_way_least_recent_first(void **state)
{
	bool first;

	(void)state;
	fill_confirmed(40000, 10);
	/* Half of them keep talking; of the quiet half, client 1 spoke last at 12 like the
	 * others but after them, so client 0 (then 2, 4...) is the least recently seen. */
	for (unsigned int i = 1; i < LAB_CLIENTS_MAX; i += 2)
		learn_nth(i, 40000, 200, NULL);
	assert_int_equal(learn_nth(LAB_CLIENTS_MAX, 40000, 250, &first), LAB_FULL);
	assert_true(first);
	/* At 320 the quiet ones are stale (300 s): the newcomer takes client 0's place. */
	assert_int_equal(learn_nth(LAB_CLIENTS_MAX, 40000, 320, NULL), LAB_NEW);
	assert_true(nth_routes(LAB_CLIENTS_MAX, 40000));
	assert_false(nth_routes(0, 40000));
	assert_true(nth_routes(1, 40000));
	assert_true(nth_routes(2, 40000));
	assert_int_equal(learn_nth(LAB_CLIENTS_MAX + 1, 40000, 320, NULL), LAB_NEW);
	assert_false(nth_routes(2, 40000));
	assert_true(nth_routes(3, 40000));
	assert_true(nth_routes(4, 40000));
	assert_int_equal(lab_clients_counts(table)->expired, 2);
	assert_int_equal(clients(), LAB_CLIENTS_MAX);
	/* The table had room since the last refusal: the next one is said again. */
	for (unsigned int i = 4; i < LAB_CLIENTS_MAX; i += 2) {
		learn_nth(LAB_CLIENTS_MAX + i, 40000, 320, NULL);
		learn_nth(LAB_CLIENTS_MAX + i, 40000, 320 + LAB_CONFIRM_SEC, NULL);
	}
	learn_nth(LAB_CLIENTS_MAX, 40000, 320 + LAB_CONFIRM_SEC, NULL);
	learn_nth(LAB_CLIENTS_MAX + 1, 40000, 320 + LAB_CONFIRM_SEC, NULL);
	assert_int_equal(learn_nth(3 * LAB_CLIENTS_MAX, 40000, 323, &first), LAB_FULL);
	assert_true(first);
}

/* The review's finding: one host sending from 64 ports filled the table and locked every
 * new client out, a restarted one included, for 300 s. */
static void one_host_from_many_ports_locks_no_one_out(void **state)
{
	char inner[32];

	(void)state;
	learn("192.168.53.99", "10.9.0.66", 5000, 10); /* a real client on the flooding host */
	for (unsigned int p = 0; p < 64; p++) {
		nth(inner, sizeof(inner), "10.66", p);
		learn(inner, "10.9.0.66", (uint16_t)(20000 + p), 11);
	}
	assert_int_equal(learn("192.168.53.5", "10.9.0.5", 41000, 12), LAB_NEW);
	assert_true(owned_by("192.168.53.5", "10.9.0.5", 41000));
	/* It goes on, from thousands of ports: it only ever holds its own host's share. */
	for (unsigned int p = 64; p < 5000; p++) {
		nth(inner, sizeof(inner), "10.66", p);
		learn(inner, "10.9.0.66", (uint16_t)(20000 + p), 13);
	}
	assert_int_equal(clients(), LAB_HOST_CLIENTS + 1);
	assert_int_equal(lab_clients_counts(table)->host_replaced, 5000 + 1 - LAB_HOST_CLIENTS);
	assert_int_equal(lab_clients_counts(table)->refused, 0);
	assert_int_equal(learn("192.168.53.6", "10.9.0.6", 41000, 14), LAB_NEW);
	assert_true(owned_by("192.168.53.5", "10.9.0.5", 41000));
	/* The client on the flooding host was pushed out; restarted, on a new port, it is in. */
	assert_int_equal(owner_port("192.168.53.99", 14), 0);
	assert_int_equal(learn("192.168.53.99", "10.9.0.66", 5001, 15), LAB_NEW);
	assert_true(owned_by("192.168.53.99", "10.9.0.66", 5001));
}

/* A confirmed client has sent datagrams at least LAB_CONFIRM_SEC apart: one datagram, or a
 * burst within a second, confirms nothing. */
static void a_client_is_confirmed_by_talking_on(void **state)
{
	struct lab_key k = v4("192.168.53.99");

	(void)state;
	learn("192.168.53.99", "10.9.0.5", 5000, 10);
	learn("192.168.53.99", "10.9.0.5", 5000, 10);
	learn("192.168.53.99", "10.9.0.5", 5000, 10 + LAB_CONFIRM_SEC - 1);
	assert_false(lab_clients_lookup(table, &k)->confirmed);
	learn("192.168.53.99", "10.9.0.5", 5000, 10 + LAB_CONFIRM_SEC);
	assert_true(lab_clients_lookup(table, &k)->confirmed);
}

/* The review's finding L4: 32 forged source addresses, 32 ports each, one datagram each,
 * filled the table and locked every newcomer out for 300 s. */
static void forged_one_shot_sources_lock_no_one_out(void **state)
{
	char outer[32], inner[32];
	uint64_t replaced;

	(void)state;
	learn("192.168.53.99", "10.9.0.5", 5000, 1); /* a real client, talking on */
	learn("192.168.53.99", "10.9.0.5", 5000, 1 + LAB_CONFIRM_SEC);
	for (unsigned int a = 0; a < 32; a++) {
		for (unsigned int p = 0; p < 32; p++) {
			snprintf(outer, sizeof(outer), "10.66.0.%u", a);
			snprintf(inner, sizeof(inner), "10.77.%u.%u", a, p);
			learn(inner, outer, (uint16_t)(20000 + p), 10);
		}
	}
	assert_int_equal(clients(), LAB_CLIENTS_MAX);
	/* A newcomer takes the place of the least recently seen forged source (the very first
	 * one went to the last forged source already)... */
	replaced = lab_clients_counts(table)->unconfirmed_replaced;
	assert_true(owned_by("10.77.0.1", "10.66.0.0", 20001));
	assert_int_equal(learn("192.168.53.12", "10.9.0.12", 9090, 11), LAB_NEW);
	assert_true(owned_by("192.168.53.12", "10.9.0.12", 9090));
	assert_false(owned_by("10.77.0.1", "10.66.0.0", 20001));
	assert_int_equal(lab_clients_counts(table)->unconfirmed_replaced, replaced + 1);
	assert_int_equal(lab_clients_counts(table)->refused, 0);
	/* ...and, once it has talked on, keeps it through a flood of newer forged ones, as the
	 * confirmed client does. */
	learn("192.168.53.12", "10.9.0.12", 9090, 11 + LAB_CONFIRM_SEC);
	for (unsigned int i = 0; i < 5000; i++) {
		nth(outer, sizeof(outer), "10.67", i);
		nth(inner, sizeof(inner), "10.78", i);
		learn(inner, outer, 20000, 20);
	}
	assert_true(owned_by("192.168.53.12", "10.9.0.12", 9090));
	assert_true(owned_by("192.168.53.99", "10.9.0.5", 5000));
	assert_int_equal(lab_clients_counts(table)->refused, 0);
	assert_int_equal(clients(), LAB_CLIENTS_MAX);
}

static struct sockaddr_in6 ep6(const char *ip, uint16_t port)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };

	inet_pton(AF_INET6, ip, &sin6.sin6_addr);
	return sin6;
}

static enum lab_learned learn6(const char *inner, const char *outer, uint16_t port,
			       uint64_t now)
{
	struct lab_key k = v4(inner);
	struct sockaddr_in6 sin6 = ep6(outer, port);

	return lab_clients_learn(table, &k, (struct sockaddr *)&sin6, sizeof(sin6), now, NULL);
}

/* The review's finding L4: with the server on [::], one IPv6 host sending from addresses of
 * its /64 was as many hosts, and filled the table with clients that kept talking. */
static void an_ipv6_64_is_one_host(void **state)
{
	char outer[64], inner[32];
	uint64_t replaced;

	(void)state;
	/* Each address twice, LAB_CONFIRM_SEC apart: on today's table they would be confirmed
	 * clients of 1024 hosts. */
	for (uint64_t now = 10; now <= 10 + LAB_CONFIRM_SEC; now += LAB_CONFIRM_SEC) {
		for (unsigned int i = 0; i < LAB_CLIENTS_MAX; i++) {
			snprintf(outer, sizeof(outer), "2001:db8:1:2:%x::1", i);
			nth(inner, sizeof(inner), "10.200", i);
			learn6(inner, outer, 40000, now);
		}
	}
	assert_int_equal(clients(), LAB_HOST_CLIENTS);
	assert_int_equal(learn6("192.168.53.5", "2001:db8:1:3::5", 41000, 13), LAB_NEW);
	assert_int_equal(lab_clients_counts(table)->refused, 0);
	/* IPv4 clients of a server on [::] come as mapped addresses: each its own host still. */
	replaced = lab_clients_counts(table)->host_replaced;
	for (unsigned int i = 0; i < 2 * LAB_HOST_CLIENTS; i++) {
		snprintf(outer, sizeof(outer), "::ffff:10.9.1.%u", i);
		nth(inner, sizeof(inner), "10.201", i);
		assert_int_equal(learn6(inner, outer, 40000, 14), LAB_NEW);
	}
	assert_int_equal(clients(), 3 * LAB_HOST_CLIENTS + 1);
	assert_int_equal(lab_clients_counts(table)->host_replaced, replaced);
}

static void restarted_client_gets_in_to_a_full_table(void **state)
{
	(void)state;
	fill_confirmed(40000, 10);
	/* Client 7 restarts on a new port and sends from its address: it is the same client,
	 * and takes its own place, as a new client that confirms itself by talking on. Another
	 * host claiming an address is a newcomer. */
	assert_int_equal(learn_nth(7, 40001, 13, NULL), LAB_MOVED);
	assert_true(nth_routes(7, 40001));
	assert_int_equal(learn_nth(7, 40001, 13 + LAB_CONFIRM_SEC, NULL), LAB_KNOWN);
	assert_int_equal(learn("10.200.0.8", "10.9.99.1", 40000, 16), LAB_FULL);
	assert_true(nth_routes(8, 40000));
	assert_int_equal(clients(), LAB_CLIENTS_MAX);
	assert_int_equal(lab_clients_counts(table)->host_replaced, 0);
	assert_int_equal(lab_clients_counts(table)->refused, 1);
}

static void inner_address_churn_stays_with_the_churner(void **state)
{
	struct sockaddr_in b = ep("10.9.0.6", 2000);
	struct lab_learning how;
	struct lab_key k = { .len = 4 };
	unsigned int refused = 0, said = 0, learned = 0;
	uint32_t x = 12345;

	(void)state;
	learn("192.168.53.99", "10.9.0.5", 1000, 10);
	learn("192.168.53.100", "10.9.0.6", 2000, 10);
	/* B sends from ten thousand random inner addresses: it gets its cap, and no more. */
	for (unsigned int i = 0; i < 10000; i++) {
		x = x * 1103515245u + 12345u;
		memcpy(k.bytes, &x, 4);
		k.bytes[0] = 10; /* never A's address */
		switch (lab_clients_learn(table, &k, (struct sockaddr *)&b, sizeof(b), 11, &how)) {
		case LAB_NEW:
			learned++;
			break;
		case LAB_ADDR_REFUSED:
			refused++;
			break;
		default:
			fail_msg("churn: unexpected result at %u", i);
		}
		said += how.first_refusal;
	}
	assert_int_equal(learned, LAB_CLIENT_ADDRS - 1);
	assert_int_equal(refused, 10000 - (LAB_CLIENT_ADDRS - 1));
	assert_int_equal(said, 1);
	assert_int_equal(how.client->refused, refused);
	assert_int_equal(lab_clients_counts(table)->addrs_refused, refused);
	assert_true(owned_by("192.168.53.99", "10.9.0.5", 1000));
	assert_true(owned_by("192.168.53.100", "10.9.0.6", 2000));
	assert_int_equal(clients(), 2);
}

static void refusals_are_counted_per_client(void **state)
{
	char inner[32];
	const struct lab_client *c = NULL;
	unsigned int a_said = 0, b_said = 0;
	struct lab_learning how;
	struct lab_key k;
	struct sockaddr_in a = ep("10.9.0.5", 1000), b = ep("10.9.0.6", 2000);

	(void)state;
	for (unsigned int i = 0; i < LAB_CLIENT_ADDRS + 5; i++) {
		nth(inner, sizeof(inner), "10.5", i);
		k = v4(inner);
		lab_clients_learn(table, &k, (struct sockaddr *)&a, sizeof(a), 10, &how);
		a_said += how.first_refusal;
	}
	for (unsigned int i = 0; i < LAB_CLIENT_ADDRS + 2; i++) {
		nth(inner, sizeof(inner), "10.6", i);
		k = v4(inner);
		lab_clients_learn(table, &k, (struct sockaddr *)&b, sizeof(b), 10, &how);
		b_said += how.first_refusal;
	}
	assert_int_equal(a_said, 1);
	assert_int_equal(b_said, 1);
	while ((c = lab_clients_next(table, c)))
		assert_int_equal(c->refused, port_of(c) == 1000 ? 5 : 2);
	assert_int_equal(lab_clients_counts(table)->addrs_refused, 7);
}

static void stale_addresses_give_way_to_new_ones(void **state)
{
	char inner[32];
	unsigned int kept = 0;

	(void)state;
	for (unsigned int i = 0; i < LAB_CLIENT_ADDRS; i++) {
		nth(inner, sizeof(inner), "10.5", i);
		learn(inner, "10.9.0.5", 1000, 10);
	}
	/* The first half keeps talking; the rest goes stale by 320. */
	for (unsigned int i = 0; i < LAB_CLIENT_ADDRS / 2; i++) {
		nth(inner, sizeof(inner), "10.5", i);
		learn(inner, "10.9.0.5", 1000, 200);
	}
	assert_int_equal(learn("10.6.0.1", "10.9.0.5", 1000, 250), LAB_ADDR_REFUSED);
	for (unsigned int i = 0; i < LAB_CLIENT_ADDRS / 2; i++) {
		nth(inner, sizeof(inner), "10.6", i);
		assert_int_equal(learn(inner, "10.9.0.5", 1000, 320), LAB_NEW);
	}
	assert_int_equal(learn("10.7.0.1", "10.9.0.5", 1000, 320), LAB_ADDR_REFUSED);
	for (unsigned int i = 0; i < LAB_CLIENT_ADDRS; i++) {
		nth(inner, sizeof(inner), "10.5", i);
		kept += owner_port(inner, 321) == 1000;
		assert_int_equal(owner_port(inner, 321) == 1000, i < LAB_CLIENT_ADDRS / 2);
	}
	assert_int_equal(kept, LAB_CLIENT_ADDRS / 2);
	assert_int_equal(owner_port("10.6.0.3", 321), 1000);
}

/* Invariants seen from outside, on a table driven at random: every address routes to a
 * listed client, no client owns more than its cap, no host holds more than its share, the
 * count agrees with the list. */
#define R_HOSTS 40
#define R_PORTS 40
#define R_KEYS 3000
#define R_CALM_PORTS 26 /* 40 hosts of 26: more clients than places, none at its host's share */
_Static_assert(R_HOSTS * R_CALM_PORTS > LAB_CLIENTS_MAX && R_CALM_PORTS < LAB_HOST_CLIENTS,
	       "the calm half must overfill the table within the hosts' shares");

static struct lab_key r_key(unsigned int k)
{
	struct lab_key key = { .len = 4, .bytes = { 10, 77, (uint8_t)(k >> 8), (uint8_t)k } };

	return key;
}

static void check_invariants(void)
{
	static unsigned int owned[LAB_CLIENTS_MAX], of_host[R_HOSTS];
	const struct lab_client *list[LAB_CLIENTS_MAX], *c = NULL;
	unsigned int n = 0;

	while ((c = lab_clients_next(table, c))) {
		assert_true(n < LAB_CLIENTS_MAX);
		list[n++] = c;
	}
	assert_int_equal(n, lab_clients_counts(table)->clients);
	memset(owned, 0, sizeof(owned));
	memset(of_host, 0, sizeof(of_host));
	for (unsigned int k = 0; k < R_KEYS; k++) {
		struct lab_key key = r_key(k);
		const struct lab_client *o = lab_clients_lookup(table, &key);
		unsigned int i = 0;

		if (!o)
			continue;
		while (i < n && list[i] != o)
			i++;
		assert_true(i < n); /* routes to a client the table lists */
		owned[i]++;
	}
	for (unsigned int i = 0; i < n; i++) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)&list[i]->addr;

		assert_true(owned[i] <= LAB_CLIENT_ADDRS);
		of_host[ntohl(sin->sin_addr.s_addr) & 0xff]++;
	}
	for (unsigned int h = 0; h < R_HOSTS; h++)
		assert_true(of_host[h] <= LAB_HOST_CLIENTS);
}

static void random_traffic_keeps_the_invariants(void **state)
{
	uint32_t x = 1;
	uint64_t now = 1000;
	unsigned int seen[5] = { 0 };

	(void)state;
	for (unsigned int step = 0; step < 90000; step++) {
		/* The last third is calm: no churn, and fewer ports than a host's share, so every
		 * client gets confirmed and newcomers find the table full. */
		bool calm = step >= 60000;
		unsigned int h, port, k;
		struct lab_key key;
		struct sockaddr_in sin = { .sin_family = AF_INET };
		const struct lab_client *before, *after;
		enum lab_learned ret;

		x = x * 1664525u + 1013904223u;
		h = (x >> 8) % R_HOSTS;
		port = (x >> 16) % (calm ? R_CALM_PORTS : R_PORTS);
		/* Most senders keep to a key of their own, now and then claiming anyone's; port 0
		 * of every host churns through keys at random. */
		k = calm || ((x & 7) && port) ? (h * R_PORTS + port) % R_KEYS : (x >> 3) % R_KEYS;
		key = r_key(k);
		sin.sin_addr.s_addr = htonl(0x0a090000u | h);
		sin.sin_port = htons((uint16_t)(10000 + port));
		before = lab_clients_lookup(table, &key);
		ret = lab_clients_learn(table, &key, (struct sockaddr *)&sin, sizeof(sin), now, NULL);
		after = lab_clients_lookup(table, &key);
		seen[ret + 2]++;
		if (ret >= LAB_KNOWN)
			assert_true(after && !memcmp(&after->addr, &sin, sizeof(sin)));
		else if (ret == LAB_FULL)
			assert_ptr_equal(before, after);
		else
			assert_true(!after || memcmp(&after->addr, &sin, sizeof(sin)));
		if (step % 100 == 99)
			now += (x >> 24) % 8; /* time passes, sometimes not at all */
		if (step % 1000 == 999)
			check_invariants();
	}
	/* Every outcome came up, so every path was walked. */
	for (unsigned int i = 0; i < 5; i++)
		if (!seen[i])
			fail_msg("no learn gave %d", (int)i - 2);
}

static void mac_and_ipv6_keys(void **state)
{
	struct lab_key mac = { .len = 6, .bytes = { 0x02, 0x42, 0x0a, 0x09, 0x00, 0x05 } };
	struct lab_key v6 = { .len = 16 };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(9090) };

	(void)state;
	inet_pton(AF_INET6, "fd00::99", v6.bytes);
	inet_pton(AF_INET6, "2001:db8::5", &sin6.sin6_addr);
	assert_int_equal(lab_clients_learn(table, &mac, (struct sockaddr *)&sin6, sizeof(sin6), 5,
					   NULL),
			 LAB_NEW);
	assert_int_equal(lab_clients_learn(table, &v6, (struct sockaddr *)&sin6, sizeof(sin6), 5,
					   NULL),
			 LAB_NEW);
	assert_non_null(lab_clients_lookup(table, &mac));
	assert_non_null(lab_clients_lookup(table, &v6));
	mac.bytes[5] = 6;
	assert_null(lab_clients_lookup(table, &mac));
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
	struct lab_key k;

	(void)state;
	inet_pton(AF_INET6, "fd53::99", ip6 + 8);
	inet_pton(AF_INET6, "fd60::5", ip6 + 24);
	assert_true(lab_key_of(ip4, sizeof(ip4), LINK_IP, true, &k));
	assert_int_equal(k.len, 4);
	assert_memory_equal(k.bytes, ip4 + 12, 4);
	assert_true(lab_key_of(ip4, sizeof(ip4), LINK_IP, false, &k));
	assert_memory_equal(k.bytes, ip4 + 16, 4);
	assert_true(lab_key_of(ip6, sizeof(ip6), LINK_IP, true, &k));
	assert_int_equal(k.len, 16);
	assert_memory_equal(k.bytes, ip6 + 8, 16);
	assert_true(lab_key_of(ip6, sizeof(ip6), LINK_IP, false, &k));
	assert_memory_equal(k.bytes, ip6 + 24, 16);
	assert_true(lab_key_of(eth, sizeof(eth), LINK_ETHER, true, &k));
	assert_int_equal(k.len, 6);
	assert_memory_equal(k.bytes, eth + 6, 6);
	assert_true(lab_key_of(eth, sizeof(eth), LINK_ETHER, false, &k));
	assert_memory_equal(k.bytes, eth, 6);
	/* Too short for the addresses, or not IP. */
	assert_false(lab_key_of(ip4, 19, LINK_IP, true, &k));
	assert_false(lab_key_of(ip6, 39, LINK_IP, true, &k));
	assert_false(lab_key_of(eth, 13, LINK_ETHER, true, &k));
	ip4[0] = 0x55;
	assert_false(lab_key_of(ip4, sizeof(ip4), LINK_IP, true, &k));
}

/* Task 8: hosts of a site the server routes into its TUN are keyed by the site's network,
 * the longest -r that holds them; other addresses and MACs keep their own key. */
static void site_keys(void **state)
{
	const struct prefix nets[] = {
		{ .family = AF_INET, .addr = { 192, 168, 0, 0 }, .plen = 16 },
		{ .family = AF_INET, .addr = { 192, 168, 50, 0 }, .plen = 24 },
		{ .family = AF_INET, .addr = { 10, 0, 0, 0 }, .plen = 9 },
		{ .family = AF_INET6, .addr = { 0xfd, 0x50 }, .plen = 64 },
	};
	struct lab_key k = { .len = 4, .bytes = { 192, 168, 50, 31 } };
	const uint8_t site[4] = { 192, 168, 50, 0 }, wide[4] = { 192, 168, 0, 0 },
		      ten[4] = { 10, 0, 0, 0 };

	(void)state;
	lab_key_to_site(&k, nets, 4);
	assert_memory_equal(k.bytes, site, 4); /* the /24, not the /16 */
	k = (struct lab_key){ .len = 4, .bytes = { 192, 168, 51, 7 } };
	lab_key_to_site(&k, nets, 4);
	assert_memory_equal(k.bytes, wide, 4);
	k = (struct lab_key){ .len = 4, .bytes = { 10, 127, 1, 1 } }; /* in 10.0.0.0/9 */
	lab_key_to_site(&k, nets, 4);
	assert_memory_equal(k.bytes, ten, 4);
	k = (struct lab_key){ .len = 4, .bytes = { 10, 128, 1, 1 } }; /* just outside it */
	lab_key_to_site(&k, nets, 4);
	assert_int_equal(k.bytes[1], 128);
	k = (struct lab_key){ .len = 16, .bytes = { 0xfd, 0x50, 0, 0, 0, 0, 0, 0, 1, 2, 3 } };
	lab_key_to_site(&k, nets, 4);
	assert_int_equal(k.bytes[8], 0);
	assert_int_equal(k.bytes[0], 0xfd);
	k = (struct lab_key){ .len = 6, .bytes = { 192, 168, 50, 1, 2, 3 } }; /* a MAC */
	lab_key_to_site(&k, nets, 4);
	assert_int_equal(k.bytes[3], 1);
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
		cmocka_unit_test_setup_teardown(a_thousand_clients, setup, teardown),
		cmocka_unit_test_setup_teardown(full_of_fresh_clients_refuses_newcomers, setup, teardown),
		cmocka_unit_test_setup_teardown(stale_clients_give_way_least_recent_first, setup,
						teardown),
		cmocka_unit_test_setup_teardown(one_host_from_many_ports_locks_no_one_out, setup,
						teardown),
		cmocka_unit_test_setup_teardown(restarted_client_gets_in_to_a_full_table, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_client_is_confirmed_by_talking_on, setup,
						teardown),
		cmocka_unit_test_setup_teardown(forged_one_shot_sources_lock_no_one_out, setup,
						teardown),
		cmocka_unit_test_setup_teardown(an_ipv6_64_is_one_host, setup, teardown),
		cmocka_unit_test_setup_teardown(inner_address_churn_stays_with_the_churner, setup,
						teardown),
		cmocka_unit_test_setup_teardown(refusals_are_counted_per_client, setup, teardown),
		cmocka_unit_test_setup_teardown(stale_addresses_give_way_to_new_ones, setup,
						teardown),
		cmocka_unit_test_setup_teardown(random_traffic_keeps_the_invariants, setup,
						teardown),
		cmocka_unit_test_setup_teardown(mac_and_ipv6_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(counts_and_addresses_per_client, setup, teardown),
		cmocka_unit_test(site_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
