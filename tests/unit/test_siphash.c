/* SipHash-2-4 against the reference vectors of Aumasson and Bernstein's paper and their
 * reference implementation: key 00 01 .. 0f, message 00 01 .. (len - 1). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "siphash.h"

static uint64_t reference(size_t len)
{
	uint8_t key[SIPHASH_KEY_LEN], msg[64];

	for (unsigned int i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;
	for (unsigned int i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	return siphash(key, msg, len);
}

static void paper_vector(void **state)
{
	(void)state;
	/* Appendix A of "SipHash: a fast short-input PRF": 15 bytes. */
	assert_int_equal(reference(15), 0xa129ca6149be45e5ull);
}

static void reference_vectors(void **state)
{
	(void)state;
	/* vectors.h of the reference implementation, read as little-endian words: the empty
	 * message, one byte, and exactly one word (the length word alone at the end). */
	assert_int_equal(reference(0), 0x726fdb47dd0e0e31ull);
	assert_int_equal(reference(1), 0x74f839c593dc67fdull);
	assert_int_equal(reference(8), 0x93f5f5799a932462ull);
}

static void key_changes_the_hash(void **state)
{
	uint8_t k1[SIPHASH_KEY_LEN] = { 0 }, k2[SIPHASH_KEY_LEN] = { 1 };
	const uint8_t addr[4] = { 192, 168, 53, 99 };

	(void)state;
	assert_int_not_equal(siphash(k1, addr, sizeof(addr)), siphash(k2, addr, sizeof(addr)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(paper_vector),
		cmocka_unit_test(reference_vectors),
		cmocka_unit_test(key_changes_the_hash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
