/* The TAP server's flood gate: an unconfirmed client gets flooded frames only within the
 * bytes it sent; confirmed clients share a budget a second. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "lab/lab_clients.h"
#include "lab/lab_flood.h"

static struct lab_clients *table;

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

/* A datagram of len bytes from 10.9.0.N:9090, inner MAC 02:00:00:00:00:N, at now: the client
 * as the relay sees it, learned and counted. */
static const struct lab_client *receive(uint8_t n, size_t len, uint64_t now)
{
	struct lab_key mac = { .len = 6, .bytes = { 2, 0, 0, 0, 0, n } };
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(9090),
				   .sin_addr.s_addr = htonl(0x0a090000u | n) };
	struct lab_learning how;

	lab_clients_learn(table, &mac, (struct sockaddr *)&sin, sizeof(sin), now, &how);
	assert_non_null(how.client);
	lab_clients_count(table, how.client, false, len);
	return how.client;
}

/* The check, and the copy counted as sent when it goes, as the relay does. */
static enum lab_flood_verdict flood_to(struct lab_flood *f, const struct lab_client *c,
				       size_t len, uint64_t now)
{
	enum lab_flood_verdict v = lab_flood_check(f, c, len, now);

	if (v == LAB_FLOOD_SEND)
		lab_clients_count(table, c, true, len);
	return v;
}

static void unconfirmed_client_gets_no_more_than_it_sent(void **state)
{
	struct lab_flood f = { 0 };
	const struct lab_client *c = receive(1, 60, 10);

	(void)state;
	assert_false(c->confirmed);
	/* Its 60-byte frame earns it one 42-byte ARP request, not two. */
	assert_int_equal(flood_to(&f, c, 42, 10), LAB_FLOOD_SEND);
	assert_int_equal(flood_to(&f, c, 42, 10), LAB_FLOOD_UNCONFIRMED);
	assert_int_equal(flood_to(&f, c, 18, 10), LAB_FLOOD_SEND);
	assert_int_equal(flood_to(&f, c, 1, 10), LAB_FLOOD_UNCONFIRMED);
	/* Talking on earns it more, whatever the budget says. */
	receive(1, 98, 11);
	assert_int_equal(flood_to(&f, c, 98, 11), LAB_FLOOD_SEND);
	assert_int_equal(c->tx_bytes, c->rx_bytes);
}

static void confirmed_clients_share_a_budget_a_second(void **state)
{
	struct lab_flood f = { 0 };
	const struct lab_client *a, *b;
	size_t sent = 0;

	(void)state;
	receive(1, 60, 0);
	receive(2, 60, 0);
	a = receive(1, 60, LAB_CONFIRM_SEC);
	b = receive(2, 60, LAB_CONFIRM_SEC);
	assert_true(a->confirmed && b->confirmed);
	/* 1,000-byte frames to both, far beyond what they sent: 131 copies in a second. */
	while (flood_to(&f, sent % 2 ? b : a, 1000, LAB_CONFIRM_SEC) == LAB_FLOOD_SEND)
		sent++;
	assert_int_equal(sent, LAB_FLOOD_BYTES_PER_SEC / 1000);
	assert_int_equal(lab_flood_check(&f, a, 1000, LAB_CONFIRM_SEC), LAB_FLOOD_OVER_BUDGET);
	/* What is left still takes a smaller frame; the next second has the whole budget. */
	assert_int_equal(flood_to(&f, a, LAB_FLOOD_BYTES_PER_SEC % 1000, LAB_CONFIRM_SEC),
			 LAB_FLOOD_SEND);
	assert_int_equal(lab_flood_check(&f, b, 1, LAB_CONFIRM_SEC), LAB_FLOOD_OVER_BUDGET);
	assert_int_equal(flood_to(&f, b, LAB_FLOOD_BYTES_PER_SEC, LAB_CONFIRM_SEC + 1),
			 LAB_FLOOD_SEND);
	assert_int_equal(a->tx_bytes + b->tx_bytes, 2 * (uint64_t)LAB_FLOOD_BYTES_PER_SEC);
}

/* A budget set up zeroed is whole even in second 0. */
static void zeroed_budget_is_whole(void **state)
{
	struct lab_flood f;
	const struct lab_client *c;

	(void)state;
	receive(1, 60, 0);
	c = receive(1, 60, LAB_CONFIRM_SEC);
	memset(&f, 0, sizeof(f));
	assert_int_equal(flood_to(&f, c, LAB_FLOOD_BYTES_PER_SEC, 0), LAB_FLOOD_SEND);
	assert_int_equal(lab_flood_check(&f, c, 1, 0), LAB_FLOOD_OVER_BUDGET);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(unconfirmed_client_gets_no_more_than_it_sent, setup,
						teardown),
		cmocka_unit_test_setup_teardown(confirmed_clients_share_a_budget_a_second, setup,
						teardown),
		cmocka_unit_test_setup_teardown(zeroed_budget_is_whole, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
