/* The crypto lanes' fork-join pool: every item of every batch is done exactly once, by some
 * lane, before workers_run returns, whatever the helpers' timing; small batches stay on the
 * caller; the pool stops cleanly, and a failed start leaves nothing running. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "io/workers.h"

#define ITEMS 4096

struct tally {
	_Atomic unsigned int hits[ITEMS];
	_Atomic unsigned int by_lane[WORKERS_MAX];
	unsigned int batch; /* which batch this is: each item records it */
	unsigned int seen_batch[ITEMS];
	bool slow;          /* make each item take a few microseconds */
	_Atomic bool bad;   /* an item or a lane out of range */
};

static struct tally t;

static void spin_us(unsigned int us)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	do
		clock_gettime(CLOCK_MONOTONIC, &b);
	while ((b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec) < us * 1000L);
}

static void count(void *ctx, unsigned int item, unsigned int lane)
{
	struct tally *x = ctx;

	/* No cmocka assertion here: it may run on a helper thread. */
	if (item >= ITEMS || lane >= WORKERS_MAX) {
		atomic_store(&x->bad, true);
		return;
	}
	atomic_fetch_add(&x->hits[item], 1);
	atomic_fetch_add(&x->by_lane[lane], 1);
	x->seen_batch[item] = x->batch;
	if (x->slow)
		spin_us(5);
}

static void reset(void)
{
	memset(&t, 0, sizeof(t));
}

static unsigned int total_hits(unsigned int n)
{
	unsigned int sum = 0;

	assert_false(atomic_load(&t.bad));

	for (unsigned int i = 0; i < n; i++) {
		if (atomic_load(&t.hits[i]) != 1)
			fail_msg("item %u done %u times", i, atomic_load(&t.hits[i]));
		sum += atomic_load(&t.hits[i]);
	}
	return sum;
}

static void test_one_lane_runs_in_order_on_the_caller(void **state)
{
	struct workers w;

	(void)state;
	reset();
	assert_int_equal(workers_start(&w, 1), 0);
	workers_run(&w, count, &t, 100, true);
	assert_int_equal(total_hits(100), 100);
	assert_int_equal(atomic_load(&t.by_lane[0]), 100);
	workers_stop(&w);
}

/* Thousands of batches of every size, back to back: a batch is finished when workers_run
 * returns (each item carries this batch's number), and no item of one batch leaks into the
 * next. */
static void test_batches_done_exactly_once(void **state)
{
	struct workers w;
	unsigned int helpers = 0;

	(void)state;
	assert_int_equal(workers_start(&w, 3), 0);
	for (unsigned int b = 1; b <= 3000; b++) {
		unsigned int n = 2 + (b * 37) % 300;

		memset(t.hits, 0, sizeof(t.hits));
		t.batch = b;
		workers_run(&w, count, &t, n, true);
		assert_int_equal(total_hits(n), n);
		for (unsigned int i = 0; i < n; i++)
			assert_int_equal(t.seen_batch[i], b);
		for (unsigned int i = n; i < n + 4 && i < ITEMS; i++)
			assert_int_equal(atomic_load(&t.hits[i]), 0);
	}
	/* Slow items: the helpers, awake now, must have taken some. */
	t.slow = true;
	for (unsigned int b = 0; b < 20; b++) {
		memset(t.hits, 0, sizeof(t.hits));
		workers_run(&w, count, &t, 200, true);
		assert_int_equal(total_hits(200), 200);
	}
	for (unsigned int lane = 1; lane < 3; lane++)
		helpers += atomic_load(&t.by_lane[lane]);
	assert_true(helpers > 0);
	workers_stop(&w);
}

/* A batch not worth sharing, or of one item, never leaves the caller. */
static void test_unshared_stays_on_the_caller(void **state)
{
	struct workers w;

	(void)state;
	reset();
	assert_int_equal(workers_start(&w, 4), 0);
	for (unsigned int b = 0; b < 500; b++) {
		workers_run(&w, count, &t, 64, false);
		workers_run(&w, count, &t, 1, true);
	}
	assert_int_equal(atomic_load(&t.by_lane[0]), 500 * 65);
	for (unsigned int lane = 1; lane < 4; lane++)
		assert_int_equal(atomic_load(&t.by_lane[lane]), 0);
	workers_stop(&w);
}

/* Helpers asleep for a while (the futex path) wake for the next batch; stop joins them. */
static void test_sleeping_helpers_wake(void **state)
{
	struct workers w;

	(void)state;
	reset();
	t.slow = true;
	assert_int_equal(workers_start(&w, 2), 0);
	for (unsigned int b = 0; b < 5; b++) {
		spin_us(20000); /* long past the helpers' spinning */
		memset(t.hits, 0, sizeof(t.hits));
		workers_run(&w, count, &t, 400, true);
		assert_int_equal(total_hits(400), 400);
	}
	assert_true(atomic_load(&t.by_lane[1]) > 0);
	workers_stop(&w);
	assert_int_equal(w.lanes, 1);
	/* Stopped, it still runs batches, on the caller. */
	memset(t.hits, 0, sizeof(t.hits));
	workers_run(&w, count, &t, 10, true);
	assert_int_equal(total_hits(10), 10);
}

static void test_bad_lane_counts_refused(void **state)
{
	struct workers w;

	(void)state;
	assert_int_equal(workers_start(&w, 0), -EINVAL);
	assert_int_equal(w.lanes, 1);
	assert_int_equal(workers_start(&w, WORKERS_MAX + 1), -EINVAL);
	assert_int_equal(w.lanes, 1);
	assert_int_equal(w.started, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_lane_runs_in_order_on_the_caller),
		cmocka_unit_test(test_batches_done_exactly_once),
		cmocka_unit_test(test_unshared_stays_on_the_caller),
		cmocka_unit_test(test_sleeping_helpers_wake),
		cmocka_unit_test(test_bad_lane_counts_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
