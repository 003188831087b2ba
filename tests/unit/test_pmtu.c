/* The path-MTU search on its own (wg/pmtu.h): rounds of probes against simulated paths that
 * carry every size up to a limit, with answers lost on the way, and peers that never
 * answer. What the search finds must be the largest size that passes: a multiple of
 * PMTU_STEP (the padding's unit, so no size between makes another datagram) or the
 * interface's MTU itself; and it must take few rounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "wg/pmtu.h"

/* A path: sizes up to limit pass (0: nothing does, not even the echo request alone, which
 * small_passes says separately); drop_first loses the answer to sizes up to that limit in
 * the first round (a burst of loss). */
struct path {
	unsigned int limit;
	bool small_passes;
	bool lose_first_round;
};

/* Runs a whole search; returns what it found (p.lo) and how many rounds it took. */
static unsigned int search(const struct path *path, unsigned int top, unsigned int *rounds,
			   bool *small)
{
	struct peer_pmtu p;
	bool more;

	pmtu_init(&p, false);
	*rounds = 0;
	more = pmtu_search_start(&p, top);
	while (more) {
		++*rounds;
		assert_true(*rounds < 20);
		assert_true(p.count >= 1 && p.count <= PMTU_PROBES);
		for (unsigned int i = 0; i < p.count; i++) {
			bool passes = (int)i == p.small ? path->small_passes : p.size[i] <= path->limit;

			if ((int)i != p.small) {
				/* every size probed is one a datagram can differ by */
				assert_true(p.size[i] % PMTU_STEP == 0 || p.size[i] == top);
				assert_true(p.size[i] >= PMTU_FLOOR && p.size[i] <= top);
			}
			if (passes && !(path->lose_first_round && *rounds == 1))
				assert_true(pmtu_search_answered(&p, i));
		}
		more = pmtu_search_next(&p, top);
	}
	*small = p.small_answered;
	return p.lo;
}

/* The largest size the search can know of at most limit: a multiple of the step, or top. */
static unsigned int expected(unsigned int limit, unsigned int top)
{
	if (limit >= top)
		return top;
	return limit / PMTU_STEP * PMTU_STEP >= PMTU_FLOOR ? limit / PMTU_STEP * PMTU_STEP : 0;
}

static void clean_path_is_the_interface(void **state)
{
	struct path path = { 65535, true, false };
	unsigned int rounds;
	bool small;

	(void)state;
	assert_int_equal(search(&path, 1420, &rounds, &small), 1420);
	/* the largest size came back at once: one round */
	assert_int_equal(rounds, 1);
	assert_true(small);
}

/* The black hole of issue 17: a 1380-byte link under IPv4 and UDP leaves 1320 for the
 * data message's plaintext and its 32 bytes of header and tag: 1312 after padding. */
static void narrow_link_found_in_two_rounds(void **state)
{
	struct path path = { 1380 - 20 - 8 - 32, true, false };
	unsigned int rounds;
	bool small;

	(void)state;
	assert_int_equal(search(&path, 1420, &rounds, &small), 1312);
	/* one round, then the sizes that did not come back once more before they count */
	assert_int_equal(rounds, 2);
}

static void every_limit_between_floor_and_top(void **state)
{
	unsigned int rounds, tops[] = { 1420, 1280, 1500, 9000, 1281 };
	struct path path = { 0, true, false };
	bool small;

	(void)state;
	for (unsigned int t = 0; t < sizeof(tops) / sizeof(tops[0]); t++)
		for (path.limit = PMTU_FLOOR; path.limit <= tops[t] + 20; path.limit++) {
			assert_int_equal(search(&path, tops[t], &rounds, &small),
					 expected(path.limit, tops[t]));
			/* jumbo frames take a few rounds, never many */
			assert_true(rounds <= (tops[t] > 2000 ? 8 : 3));
		}
}

/* The answers of a whole round lost: the sizes are asked again before any counts as too
 * big, so one bad second does not cost the tunnel its MTU. */
static void a_lost_round_is_asked_again(void **state)
{
	struct path path = { 1400, true, true };
	unsigned int rounds;
	bool small;

	(void)state;
	assert_int_equal(search(&path, 1420, &rounds, &small), 1392);
}

static void silent_peer_finds_nothing(void **state)
{
	struct path path = { 0, false, false };
	unsigned int rounds;
	bool small;

	(void)state;
	assert_int_equal(search(&path, 1420, &rounds, &small), 0);
	assert_false(small);
	assert_true(rounds <= 2);
}

/* The echo request alone comes back, nothing of 1280 bytes does: a path below the floor,
 * which the show must tell apart from a peer that does not answer. */
static void path_below_the_floor(void **state)
{
	struct path path = { 1000, true, false };
	unsigned int rounds;
	bool small;

	(void)state;
	assert_int_equal(search(&path, 1420, &rounds, &small), 0);
	assert_true(small);
}

/* A late or repeated answer changes nothing; an index past the round is refused. */
static void answers_counted_once(void **state)
{
	struct peer_pmtu p;

	(void)state;
	pmtu_init(&p, false);
	assert_true(pmtu_search_start(&p, 1420));
	assert_true(pmtu_search_answered(&p, 1));
	assert_false(pmtu_search_answered(&p, 1));
	assert_false(pmtu_search_answered(&p, p.count));
	assert_false(pmtu_search_answered(&p, 31));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(clean_path_is_the_interface),
		cmocka_unit_test(narrow_link_found_in_two_rounds),
		cmocka_unit_test(every_limit_between_floor_and_top),
		cmocka_unit_test(a_lost_round_is_asked_again),
		cmocka_unit_test(silent_peer_finds_nothing),
		cmocka_unit_test(path_below_the_floor),
		cmocka_unit_test(answers_counted_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
