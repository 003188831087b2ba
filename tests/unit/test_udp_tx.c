/* The send queue: whatever is queued leaves, each datagram exactly once, however many
 * messages a flush makes. A flush of UDP_TX_MAX datagrams that cannot be merged makes
 * UDP_TX_MAX messages, and the end of the last one was once written past its array, onto
 * the first message's control data: the kernel refused that message for a bad source
 * address and every owner forgot its sticky source. These send real datagrams over
 * loopback, each with a source address (PKTINFO) that is ours, and count what arrives. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "io/udp.h"

#define MOST 512
#define DATA_MAX (24 + MOST)

static uint8_t data[MOST][DATA_MAX];
static unsigned int forgotten; /* stale_source calls */

static void forget(void *owner)
{
	(void)owner;
	forgotten++;
}

struct rig {
	int rx;                 /* the receiver, on 127.0.0.1 */
	struct udp_sock tx;
	struct udp_endpoint to; /* the receiver, from 127.0.0.1 (PKTINFO) */
	struct io_stats stats;
	struct udp_tx q;
};

static void rig_up(struct rig *r, bool offload)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int size = 16 << 20;

	memset(r, 0, sizeof(*r));
	r->rx = udp_socket(AF_INET, 0, 0);
	assert_true(r->rx >= 0);
	setsockopt(r->rx, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	assert_int_equal(bind(r->rx, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(r->rx, (struct sockaddr *)&a, &len), 0);
	udp_sock_init(&r->tx, udp_socket(AF_INET, UDP_PKTINFO, 0), AF_INET, offload);
	assert_true(r->tx.fd >= 0);
	r->to.addr.in4 = a;
	r->to.src4.s_addr = htonl(INADDR_LOOPBACK);
	r->q.stats = &r->stats;
	r->q.stale_source = forget;
	forgotten = 0;
}

static void rig_down(struct rig *r)
{
	close(r->rx);
	udp_sock_close(&r->tx);
}

/* Datagram i is DATA_MAX - MOST + i bytes: each longer than the one before, so that no two
 * can share a GSO run, and each flush makes as many messages as it has datagrams. */
static void queue(struct rig *r, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		size_t len = DATA_MAX - MOST + i;

		memset(data[i], 0, len);
		memcpy(data[i], &i, sizeof(i));
		udp_tx_queue(&r->q, &r->tx, &r->to, &data[i], data[i], len);
	}
}

/* Every datagram 0..n-1 arrived once, at its own length; nothing was dropped or forgotten. */
static void expect_all(struct rig *r, unsigned int n)
{
	static uint8_t seen[MOST];
	uint8_t buf[DATA_MAX + 1];
	unsigned int id, got = 0;
	ssize_t len;

	memset(seen, 0, sizeof(seen));
	while ((len = recv(r->rx, buf, sizeof(buf), MSG_DONTWAIT)) >= 0) {
		assert_true(len >= (ssize_t)sizeof(id));
		memcpy(&id, buf, sizeof(id));
		assert_true(id < n);
		assert_int_equal(len, DATA_MAX - MOST + id);
		assert_int_equal(seen[id]++, 0);
		got++;
	}
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(got, n);
	assert_int_equal(forgotten, 0);
	assert_int_equal(r->q.last_error, 0);
	for (unsigned int d = 0; d < IO_DROP_COUNT; d++)
		assert_int_equal(r->stats.drops[d], 0);
	assert_int_equal(r->q.count, 0);
}

static void flush_n(unsigned int n, bool offload)
{
	struct rig *r = test_malloc(sizeof(*r));

	rig_up(r, offload);
	queue(r, n);
	udp_tx_flush(&r->q);
	expect_all(r, n);
	rig_down(r);
	test_free(r);
}

static void full_batch(void **state)
{
	(void)state;
	flush_n(UDP_TX_MAX, false);
	flush_n(UDP_TX_MAX, true);
}

/* The 257th datagram flushes the first 256 from inside udp_tx_queue. */
static void one_past_batch(void **state)
{
	(void)state;
	flush_n(UDP_TX_MAX + 1, false);
	flush_n(UDP_TX_MAX + 1, true);
}

static void two_batches(void **state)
{
	(void)state;
	flush_n(2 * UDP_TX_MAX, false);
	flush_n(2 * UDP_TX_MAX, true);
}

/* Equal sizes to one endpoint do merge, and still arrive one datagram each. */
static void merged_runs(void **state)
{
	struct rig *r = test_malloc(sizeof(*r));
	uint8_t buf[2048];
	unsigned int got = 0;

	(void)state;
	rig_up(r, true);
	for (unsigned int i = 0; i < UDP_TX_MAX; i++)
		udp_tx_queue(&r->q, &r->tx, &r->to, NULL, data[0], 100);
	udp_tx_flush(&r->q);
	while (recv(r->rx, buf, sizeof(buf), MSG_DONTWAIT) == 100)
		got++;
	assert_int_equal(got, UDP_TX_MAX);
	assert_int_equal(forgotten, 0);
	rig_down(r);
	test_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_batch),
		cmocka_unit_test(one_past_batch),
		cmocka_unit_test(two_batches),
		cmocka_unit_test(merged_runs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
