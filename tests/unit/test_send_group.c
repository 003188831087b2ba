/* send_group_by_peer: a batch from the TUN becomes one run per peer, each peer's packets in
 * the order they came, the peers in the order of their first packet. Before it, only
 * consecutive packets made a run, so traffic interleaved to several peers (A B A B) was
 * sealed and flushed one packet at a time. Held against a plain quadratic grouping on
 * random batches, with each peer's remembered run left over from the batch before. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "wg/peer.h"
#include "wg/send.h"

#define PEERS 6

struct batch {
	unsigned int n;
	struct wg_peer *peer[IO_BATCH];
	uint8_t *pkts[IO_BATCH];
	size_t lens[IO_BATCH];
	/* what send_group_by_peer made */
	unsigned int runs, run_len[IO_BATCH];
	struct wg_peer *to_peer[IO_BATCH];
	uint8_t *to_pkts[IO_BATCH];
	size_t to_lens[IO_BATCH];
};

static struct wg_peer *peers[PEERS];
static uint8_t bytes[IO_BATCH]; /* packet i is bytes + i, i bytes long */

static int setup(void **state)
{
	(void)state;
	for (unsigned int p = 0; p < PEERS; p++)
		peers[p] = calloc(1, sizeof(struct wg_peer));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (unsigned int p = 0; p < PEERS; p++)
		free(peers[p]);
	return 0;
}

/* A batch whose packet i goes to peers[who[i]], or no peer for -1. */
static void make(struct batch *b, const int *who, unsigned int n)
{
	b->n = n;
	for (unsigned int i = 0; i < n; i++) {
		b->peer[i] = who[i] < 0 ? NULL : peers[who[i]];
		b->pkts[i] = bytes + i;
		b->lens[i] = i;
	}
	b->runs = send_group_by_peer(b->peer, b->pkts, b->lens, n, b->to_peer, b->to_pkts,
				     b->to_lens, b->run_len);
}

/* What the grouping must be, found the slow way: for each peer in the order of its first
 * packet, its packets in order. */
static void expect_grouped(const struct batch *b)
{
	bool taken[IO_BATCH] = { false };
	unsigned int k = 0, run = 0;

	for (unsigned int first = 0; first < b->n; first++) {
		unsigned int start = k;

		if (taken[first])
			continue;
		for (unsigned int i = first; i < b->n; i++) {
			if (b->peer[i] != b->peer[first])
				continue;
			taken[i] = true;
			assert_ptr_equal(b->to_peer[k], b->peer[i]);
			assert_ptr_equal(b->to_pkts[k], b->pkts[i]);
			assert_int_equal(b->to_lens[k], b->lens[i]);
			k++;
		}
		assert_true(run < b->runs);
		assert_int_equal(b->run_len[run++], k - start);
	}
	assert_int_equal(k, b->n);
	assert_int_equal(run, b->runs);
}

static void interleaved_peers_make_one_run_each(void **state)
{
	static const int who[] = { 0, 1, 0, 1, 2, 0, -1, 1, -1 };
	struct batch *b = test_malloc(sizeof(*b));
	unsigned int n = sizeof(who) / sizeof(who[0]);

	(void)state;
	make(b, who, n);
	assert_int_equal(b->runs, 4);
	assert_int_equal(b->run_len[0], 3); /* A: packets 0, 2, 5 */
	assert_int_equal(b->run_len[1], 3); /* B: 1, 3, 7 */
	assert_int_equal(b->run_len[2], 1); /* C: 4 */
	assert_int_equal(b->run_len[3], 2); /* no peer: 6, 8 */
	assert_ptr_equal(b->to_pkts[0], bytes + 0);
	assert_ptr_equal(b->to_pkts[1], bytes + 2);
	assert_ptr_equal(b->to_pkts[2], bytes + 5);
	assert_ptr_equal(b->to_pkts[3], bytes + 1);
	assert_ptr_equal(b->to_pkts[8], bytes + 8);
	expect_grouped(b);
	test_free(b);
}

/* A peer's run number from the batch before may name another peer's run in this one, or no
 * run yet: neither may merge it with anything. */
static void runs_left_from_the_last_batch_are_ignored(void **state)
{
	static const int before[] = { 1, 0 }, after[] = { 2, 1, 0, 1 };
	struct batch *b = test_malloc(sizeof(*b));

	(void)state;
	make(b, before, 2);
	expect_grouped(b);
	make(b, after, 4); /* B was run 0, now C's; A was run 1, now B's */
	assert_int_equal(b->runs, 3);
	expect_grouped(b);
	make(b, (const int[]){ 3 }, 1);
	peers[3]->batch_run = 7; /* past the runs there are */
	make(b, (const int[]){ 3, 3 }, 2);
	assert_int_equal(b->runs, 1);
	expect_grouped(b);
	test_free(b);
}

static void one_peer_keeps_its_order(void **state)
{
	struct batch *b = test_malloc(sizeof(*b));
	int who[IO_BATCH] = { 0 };

	(void)state;
	make(b, who, IO_BATCH);
	assert_int_equal(b->runs, 1);
	assert_int_equal(b->run_len[0], IO_BATCH);
	expect_grouped(b);
	make(b, who, 0);
	assert_int_equal(b->runs, 0);
	test_free(b);
}

static void random_batches_group_as_the_slow_way(void **state)
{
	struct batch *b = test_malloc(sizeof(*b));
	int who[IO_BATCH];

	(void)state;
	srand(16);
	for (int round = 0; round < 2000; round++) {
		unsigned int n = (unsigned int)rand() % (IO_BATCH + 1);
		/* Few peers or many, and long stretches of one or none. */
		int spread = 1 + rand() % PEERS, stay = rand() % 4;

		for (unsigned int i = 0; i < n; i++)
			who[i] = i && rand() % 4 < stay ? who[i - 1] : rand() % (spread + 1) - 1;
		make(b, who, n);
		expect_grouped(b);
	}
	test_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(interleaved_peers_make_one_run_each),
		cmocka_unit_test(runs_left_from_the_last_batch_are_ignored),
		cmocka_unit_test(one_peer_keeps_its_order),
		cmocka_unit_test(random_batches_group_as_the_slow_way),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
