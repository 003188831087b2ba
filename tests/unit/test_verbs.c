/* What a first word that names no command is taken for: the typos users made (sever, shwo,
 * clinet) are refused with the command they meant; wg-quick's interface names (wg0,
 * wgq-1234) still start wg mode. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "cmd/verbs.h"

static const char *const verbs[] = { "tun", "server", "client", "genkey", "pubkey",
				     "genpsk", "show", "wg", "version", "help" };
#define NVERBS (sizeof(verbs) / sizeof(verbs[0]))

static enum word_kind kind(const char *word, bool wg_quick, const char **near)
{
	return verbs_classify(word, verbs, NVERBS, wg_quick, near);
}

static void distances_by_hand(void **state)
{
	(void)state;
	assert_int_equal(verbs_distance("sever", "server"), 1);   /* a letter left out */
	assert_int_equal(verbs_distance("shwo", "show"), 1);      /* two letters swapped */
	assert_int_equal(verbs_distance("clinet", "client"), 1);
	assert_int_equal(verbs_distance("tap", "tun"), 2);
	assert_int_equal(verbs_distance("", "wg"), 2);
	assert_int_equal(verbs_distance("kitten", "sitting"), 3);
	assert_true(verbs_distance("a-name-longer-than-thirty-two-chars", "wg") == SIZE_MAX);
}

static void typos_name_the_command(void **state)
{
	static const char *const cases[][2] = {
		{ "sever", "server" }, { "shwo", "show" }, { "clinet", "client" },
		{ "srever", "server" }, { "tnu", "tun" }, { "verison", "version" },
		{ "genky", "genkey" }, { "clients", "client" },
	};
	const char *near;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(kind(cases[i][0], false, &near), WORD_TYPO);
		assert_string_equal(near, cases[i][1]);
	}
}

static void interface_names_still_start_wg_mode(void **state)
{
	static const char *const names[] = { "wg0", "wgq-1234", "tun0", "server1", "office",
					     "frobnicate", "tap", "eth" };
	const char *near;

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_int_equal(kind(names[i], false, &near), WORD_IFACE);
		assert_null(near);
	}
}

/* wg-quick names the interface after its file: under wg-quick, sever.conf still means sever. */
static void wg_quick_takes_any_valid_name(void **state)
{
	const char *near;

	(void)state;
	assert_int_equal(kind("sever", true, &near), WORD_IFACE);
	assert_int_equal(kind("shwo", true, &near), WORD_IFACE);
	assert_int_equal(kind("bad/name", true, &near), WORD_BAD_NAME);
}

static void words_that_are_no_interface_name(void **state)
{
	const char *near;

	(void)state;
	assert_int_equal(kind("wg%d", false, &near), WORD_BAD_NAME);
	assert_int_equal(kind("averyveryverylongname", false, &near), WORD_BAD_NAME);
	assert_int_equal(kind("a:b", false, &near), WORD_BAD_NAME);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(distances_by_hand),
		cmocka_unit_test(typos_name_the_command),
		cmocka_unit_test(interface_names_still_start_wg_mode),
		cmocka_unit_test(wg_quick_takes_any_valid_name),
		cmocka_unit_test(words_that_are_no_interface_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
