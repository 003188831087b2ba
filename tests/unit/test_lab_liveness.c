/* The lab client's word about a silent server: said once, after LAB_SILENCE_SEC of sending
 * without an answer, counting what went unanswered; a datagram ends the silence. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lab/lab_liveness.h"

static void said_once_after_ten_seconds(void **state)
{
	struct lab_liveness l = { 0 };

	(void)state;
	for (uint64_t t = 100; t < 110; t++)
		assert_false(lab_liveness_sent(&l, t, 1)); /* 10 sent in 9 s: not yet */
	assert_true(lab_liveness_sent(&l, 110, 3));
	assert_int_equal(l.unanswered, 13);
	assert_int_equal(l.unanswered_since, 100);
	assert_false(lab_liveness_sent(&l, 111, 1)); /* once */
	assert_false(lab_liveness_sent(&l, 200, 1));
}

static void an_answer_ends_the_silence(void **state)
{
	struct lab_liveness l = { 0 };

	(void)state;
	lab_liveness_sent(&l, 10, 1);
	assert_true(lab_liveness_sent(&l, 20, 1));
	assert_true(lab_liveness_heard(&l, 21)); /* "answers again" */
	assert_int_equal(l.last_heard, 21);
	assert_int_equal(l.unanswered, 0);
	assert_false(lab_liveness_heard(&l, 22)); /* nothing to say */
	assert_false(lab_liveness_sent(&l, 30, 1)); /* a new silence starts at 30 */
	assert_false(lab_liveness_sent(&l, 39, 1));
	assert_true(lab_liveness_sent(&l, 40, 1));
}

static void a_server_that_answers_is_never_silent(void **state)
{
	struct lab_liveness l = { 0 };

	(void)state;
	for (uint64_t t = 0; t < 100; t++) {
		assert_false(lab_liveness_sent(&l, t, 5));
		assert_false(lab_liveness_heard(&l, t));
	}
	assert_false(lab_liveness_sent(&l, 100, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(said_once_after_ten_seconds),
		cmocka_unit_test(an_answer_ends_the_silence),
		cmocka_unit_test(a_server_that_answers_is_never_silent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
