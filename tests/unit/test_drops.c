/* The one drop vocabulary: every layer's keys explained through it, and each layer's table
 * whole (a name and a sentence for every reason, no name twice). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "base/drops.h"
#include "io/stats.h"
#include "lab/lab_control.h"
#include "wg/drops.h"

static void register_all(void)
{
	drops_register(&io_drop_vocab);
	drops_register(&lab_drop_vocab);
	drops_register(&wg_drop_vocab);
	drops_register(&wg_drop_vocab); /* twice is once */
}

static void test_keys_explained(void **state)
{
	(void)state;
	register_all();
	assert_string_equal(drops_explain("drop_mac1"), drops_reason(WG_DROP_MAC1));
	assert_string_equal(drops_explain("io_drop_udp_full"), io_drop_name(IO_DROP_UDP_FULL));
	assert_string_equal(drops_explain("lab_drop_no_client"),
			    lab_drop_vocab.reasons[LAB_DROP_NO_CLIENT].why);
	/* A newer daemon's reason: its family is known, its words are not. */
	assert_ptr_equal(drops_vocab_of("drop_from_the_future"), &wg_drop_vocab);
	assert_null(drops_explain("drop_from_the_future"));
	assert_null(drops_vocab_of("dropped"));
	assert_null(drops_explain("rx_bytes"));
}

static void test_key_round_trip(void **state)
{
	const struct drop_vocab *v[] = { &io_drop_vocab, &lab_drop_vocab, &wg_drop_vocab };
	char key[64];

	(void)state;
	register_all();
	for (size_t k = 0; k < sizeof(v) / sizeof(v[0]); k++) {
		for (unsigned int i = 0; i < v[k]->count; i++) {
			assert_non_null(v[k]->reasons[i].name);
			assert_true(strlen(v[k]->reasons[i].why) > 10);
			drops_key(v[k], i, key, sizeof(key));
			assert_ptr_equal(drops_vocab_of(key), v[k]);
			assert_int_equal(drops_find(v[k], key + strlen(v[k]->prefix)), i);
			assert_string_equal(drops_explain(key), v[k]->reasons[i].why);
		}
		assert_int_equal(drops_find(v[k], "no such reason"), v[k]->count);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_explained),
		cmocka_unit_test(test_key_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
