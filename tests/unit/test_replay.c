/* The receive counter window: the kernel's counter self-test (selftest/counter.c), its
 * expected accept/refuse sequence written out by hand, then the window's edges. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>

#include "wg/messages.h"
#include "wg/replay.h"

#define WINDOW REPLAY_WINDOW_SIZE /* 8128 */
#define LIM (WINDOW + 1)
#define REJECT WG_REJECT_AFTER_MESSAGES

static struct replay_counter r;

/* One step of a scenario: the counter offered and whether it must be accepted. */
struct step {
	uint64_t counter;
	bool accept;
};

static void run(const struct step *steps, size_t n)
{
	for (size_t i = 0; i < n; ++i) {
		bool got = replay_check(&r, steps[i].counter);

		if (got != steps[i].accept)
			fail_msg("step %zu: counter %llu %s, expected %s", i + 1,
				 (unsigned long long)steps[i].counter, got ? "accepted" : "refused",
				 steps[i].accept ? "accepted" : "refused");
	}
}

static void test_kernel_sequence(void **state)
{
	static const struct step steps[] = {
		{ 0, true },
		{ 1, true },
		{ 1, false },
		{ 9, true },
		{ 8, true },
		{ 7, true },
		{ 7, false },
		{ LIM, true },
		{ LIM - 1, true },
		{ LIM - 1, false },
		{ LIM - 2, true },
		{ 2, true },
		{ 2, false },
		{ LIM + 16, true },
		{ 3, false },
		{ LIM + 16, false },
		{ LIM * 4, true },
		{ LIM * 4 - (LIM - 1), true },
		{ 10, false },
		{ LIM * 4 - LIM, false },
		{ LIM * 4 - (LIM + 1), false },
		{ LIM * 4 - (LIM - 2), true },
		{ LIM * 4 + 1 - LIM, false },
		{ 0, false },
		{ REJECT, false },
		{ REJECT - 1, true },
		{ REJECT, false },
		{ REJECT - 1, false },
		{ REJECT - 2, true },
		{ REJECT + 1, false },
		{ REJECT + 2, false },
		{ REJECT - 2, false },
		{ REJECT - 3, true },
		{ 0, false },
	};

	(void)state;
	replay_init(&r);
	run(steps, sizeof(steps) / sizeof(steps[0]));
}

/* 1..WINDOW in order, then 0 is still just inside the window, once. */
static void test_ascending_then_zero(void **state)
{
	(void)state;
	replay_init(&r);
	for (uint64_t i = 1; i <= WINDOW; ++i)
		assert_true(replay_check(&r, i));
	assert_true(replay_check(&r, 0));
	assert_false(replay_check(&r, 0));
}

/* 2..WINDOW+1 in order: 1 is the oldest counter the window holds, 0 has fallen out. */
static void test_ascending_window_edge(void **state)
{
	(void)state;
	replay_init(&r);
	for (uint64_t i = 2; i <= WINDOW + 1; ++i)
		assert_true(replay_check(&r, i));
	assert_true(replay_check(&r, 1));
	assert_false(replay_check(&r, 0));
}

/* A whole window delivered in reverse is accepted in full. */
static void test_descending(void **state)
{
	(void)state;
	replay_init(&r);
	for (uint64_t i = WINDOW + 1; i-- > 0;)
		assert_true(replay_check(&r, i));
}

static void test_descending_from_edge(void **state)
{
	(void)state;
	replay_init(&r);
	for (uint64_t i = WINDOW + 2; i-- > 1;)
		assert_true(replay_check(&r, i));
	assert_false(replay_check(&r, 0));
}

static void test_descending_then_top(void **state)
{
	(void)state;
	replay_init(&r);
	for (uint64_t i = WINDOW + 1; i-- > 1;)
		assert_true(replay_check(&r, i));
	assert_true(replay_check(&r, WINDOW + 1));
	assert_false(replay_check(&r, 0));
}

static void test_descending_zero_then_top(void **state)
{
	(void)state;
	replay_init(&r);
	for (uint64_t i = WINDOW + 1; i-- > 1;)
		assert_true(replay_check(&r, i));
	assert_true(replay_check(&r, 0));
	assert_true(replay_check(&r, WINDOW + 1));
}

/* A jump far past the ring clears every stale bit: nothing below the new window is
 * accepted, every counter inside it is accepted once. */
static void test_long_jump_clears_ring(void **state)
{
	uint64_t top = 1000000;

	(void)state;
	replay_init(&r);
	for (uint64_t i = 0; i < 9000; ++i)
		assert_true(replay_check(&r, i));
	assert_true(replay_check(&r, top));
	assert_int_equal(r.next, top + 1);
	assert_false(replay_check(&r, top - WINDOW - 1));
	for (uint64_t i = top - WINDOW; i < top; ++i)
		assert_true(replay_check(&r, i));
	for (uint64_t i = top - WINDOW; i <= top; ++i)
		assert_false(replay_check(&r, i));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_sequence),
		cmocka_unit_test(test_ascending_then_zero),
		cmocka_unit_test(test_ascending_window_edge),
		cmocka_unit_test(test_descending),
		cmocka_unit_test(test_descending_from_edge),
		cmocka_unit_test(test_descending_then_top),
		cmocka_unit_test(test_descending_zero_then_top),
		cmocka_unit_test(test_long_jump_clears_ring),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
