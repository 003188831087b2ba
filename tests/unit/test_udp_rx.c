/* The receive side of io/udp.c: a GRO message is split into its datagrams where they lie, and
 * each but the first gets a home buffer of its own, which nothing writes until its user does
 * (the wg receive path decrypts into it; lab mode takes the datagram there with
 * udp_rx_take). These send real datagrams over loopback: a UDP_SEGMENT run arrives as one
 * GRO message. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/udp.h>
#include <string.h>
#include <unistd.h>

#include "io/udp.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

#define BUFS 16
#define MARK 0x5a

struct rig {
	struct udp_sock rx;      /* GRO on, when the kernel has it */
	int tx;
	struct sockaddr_in to;
	struct io_pool pool;
	uint8_t *bufs[BUFS];
	struct udp_rx r;
	struct io_stats stats;
};

static struct rig *rig_up(void)
{
	struct rig *g = test_calloc(1, sizeof(*g));
	socklen_t len = sizeof(g->to);

	g->to = (struct sockaddr_in){ .sin_family = AF_INET,
				      .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	udp_sock_init(&g->rx, udp_socket(AF_INET, UDP_PKTINFO, 0), AF_INET, true);
	assert_true(g->rx.fd >= 0);
	assert_int_equal(bind(g->rx.fd, (struct sockaddr *)&g->to, sizeof(g->to)), 0);
	assert_int_equal(getsockname(g->rx.fd, (struct sockaddr *)&g->to, &len), 0);
	g->tx = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(g->tx >= 0);
	assert_int_equal(io_pool_init(&g->pool, BUFS), 0);
	for (unsigned int i = 0; i < BUFS; i++) {
		g->bufs[i] = io_pool_buf(&g->pool, i);
		memset(g->bufs[i], MARK, IO_BUF_SIZE);
	}
	return g;
}

static void rig_down(struct rig *g)
{
	udp_sock_close(&g->rx);
	close(g->tx);
	io_pool_free(&g->pool);
	test_free(g);
}

/* Byte j of datagram i of a run. */
static uint8_t byte_of(unsigned int i, size_t j)
{
	return (uint8_t)(i * 31 + j + 1);
}

/* n datagrams of size bytes (the last last bytes) in one send: one GSO run with segment set. */
static void send_run(struct rig *g, unsigned int n, size_t size, size_t last, bool segment)
{
	static uint8_t msg[8 * 1200];
	size_t total = (n - 1) * size + last, at = 0;
	int seg = (int)size;

	assert_true(total <= sizeof(msg));
	for (unsigned int i = 0; i < n; i++)
		for (size_t j = 0; j < (i + 1 < n ? size : last); j++)
			msg[at++] = byte_of(i, j);
	if (segment)
		assert_int_equal(setsockopt(g->tx, SOL_UDP, UDP_SEGMENT, &seg, sizeof(seg)), 0);
	assert_int_equal(sendto(g->tx, msg, total, 0, (struct sockaddr *)&g->to, sizeof(g->to)),
			 (ssize_t)total);
}

static bool all_mark(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != MARK)
			return false;
	return true;
}

static void expect_datagram(const uint8_t *p, size_t len, unsigned int i, size_t want)
{
	assert_int_equal(len, want);
	for (size_t j = 0; j < len; j++)
		assert_int_equal(p[j], byte_of(i, j));
}

/* Five datagrams in one GRO message: each found where it lies, one after the other; the
 * first is its own home, the others have homes apart, untouched until taken. */
static void gro_message_split_in_place(void **state)
{
	struct rig *g = rig_up();
	int n;

	(void)state;
	if (!g->rx.gro) {
		rig_down(g);
		skip();
	}
	send_run(g, 5, 1000, 300, true);
	n = udp_rx_receive(&g->r, &g->rx, &g->stats, g->bufs, BUFS);
	assert_int_equal(n, 5);
	for (unsigned int i = 0; i < 5; i++) {
		assert_int_equal(g->r.msg_of[i], 0);
		assert_ptr_equal(g->r.data[i], g->r.data[0] + i * 1000);
		expect_datagram(g->r.data[i], g->r.len[i], i, i < 4 ? 1000 : 300);
		if (!i) {
			assert_ptr_equal(g->r.home[0], g->r.data[0]);
			continue;
		}
		/* A buffer of its own, headroom in front, not the message's, not written. */
		assert_true(g->r.home[i] < g->r.data[0] - IO_HEADROOM ||
			    g->r.home[i] >= g->r.data[0] - IO_HEADROOM + IO_BUF_SIZE);
		assert_int_equal((size_t)(g->r.home[i] - g->bufs[0]) % IO_BUF_SIZE, IO_HEADROOM);
		for (unsigned int k = 1; k < i; k++)
			assert_ptr_not_equal(g->r.home[i], g->r.home[k]);
		assert_true(all_mark(g->r.home[i] - IO_HEADROOM, IO_BUF_SIZE));
	}
	/* Taken home, each is there whole, and data says so. */
	for (unsigned int i = 0; i < 5; i++) {
		uint8_t *p = udp_rx_take(&g->r, i);

		assert_ptr_equal(p, g->r.home[i]);
		assert_ptr_equal(g->r.data[i], p);
		expect_datagram(p, g->r.len[i], i, i < 4 ? 1000 : 300);
	}
	rig_down(g);
}

/* Datagrams that came one per message are their own homes; taking them copies nothing. */
static void single_datagrams_are_home(void **state)
{
	struct rig *g = rig_up();
	int n;

	(void)state;
	send_run(g, 1, 700, 700, false);
	send_run(g, 1, 64, 64, false);
	n = udp_rx_receive(&g->r, &g->rx, &g->stats, g->bufs, BUFS);
	assert_int_equal(n, 2);
	for (unsigned int i = 0; i < 2; i++) {
		assert_int_equal(g->r.msg_of[i], i);
		assert_ptr_equal(g->r.home[i], g->r.data[i]);
		assert_ptr_equal(udp_rx_take(&g->r, i), g->r.data[i]);
		expect_datagram(g->r.data[i], g->r.len[i], 0, i ? 64 : 700);
	}
	rig_down(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gro_message_split_in_place),
		cmocka_unit_test(single_datagrams_are_home),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
