/* IPv4 reassembly for the responder: fragments built by hand here (header fields set byte by
 * byte), in any order, make the datagram they were cut from; bad ones make nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lab/reasm.h"

static struct reasm r;
static uint8_t out[REASM_MAX];

/* A fragment of datagram id with payload bytes [off, off + n) of pattern(i) = i * 7. */
static size_t frag(uint8_t *p, uint16_t id, size_t off, size_t n, int more)
{
	uint16_t fo = (uint16_t)(off / 8) | (more ? 0x2000 : 0);

	memset(p, 0, 20);
	p[0] = 0x45;
	p[2] = (uint8_t)((20 + n) >> 8);
	p[3] = (uint8_t)(20 + n);
	p[4] = (uint8_t)(id >> 8);
	p[5] = (uint8_t)id;
	p[6] = (uint8_t)(fo >> 8);
	p[7] = (uint8_t)fo;
	p[8] = 64;
	p[9] = 1; /* ICMP */
	memcpy(p + 12, (uint8_t[]){ 192, 168, 53, 99 }, 4);
	memcpy(p + 16, (uint8_t[]){ 192, 168, 53, 1 }, 4);
	for (size_t i = 0; i < n; i++)
		p[20 + i] = (uint8_t)((off + i) * 7);
	return 20 + n;
}

static void check_whole(size_t len, size_t payload)
{
	assert_int_equal(len, 20 + payload);
	assert_int_equal(out[2] << 8 | out[3], 20 + payload);
	assert_int_equal(out[6] & 0x3f, 0);
	assert_int_equal(out[7], 0);
	for (size_t i = 0; i < payload; i++)
		assert_int_equal(out[20 + i], (uint8_t)(i * 7));
}

static void in_order_and_reversed(void **state)
{
	uint8_t a[1500], b[1500], c[1500];
	size_t la = frag(a, 1, 0, 1480, 1), lb = frag(b, 1, 1480, 1480, 1),
	       lc = frag(c, 1, 2960, 48, 0);

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_true(reasm_is_fragment(a, la) && reasm_is_fragment(c, lc));
	assert_int_equal(reasm_add(&r, a, la, 0, out, sizeof(out)), 0);
	assert_int_equal(reasm_add(&r, b, lb, 0, out, sizeof(out)), 0);
	check_whole(reasm_add(&r, c, lc, 0, out, sizeof(out)), 3008);
	/* The slot was freed: the same fragments, last first, make it again. */
	assert_int_equal(reasm_add(&r, c, lc, 1, out, sizeof(out)), 0);
	assert_int_equal(reasm_add(&r, b, lb, 1, out, sizeof(out)), 0);
	check_whole(reasm_add(&r, a, la, 1, out, sizeof(out)), 3008);
}

static void bad_fragments_make_nothing(void **state)
{
	uint8_t p[1500];
	size_t len;

	(void)state;
	memset(&r, 0, sizeof(r));
	len = frag(p, 2, 0, 100, 1); /* more fragments, but not a multiple of 8 */
	assert_int_equal(reasm_add(&r, p, len, 0, out, sizeof(out)), 0);
	len = frag(p, 3, 65528, 16, 0); /* past 65,535 bytes */
	assert_int_equal(reasm_add(&r, p, len, 0, out, sizeof(out)), 0);
	len = frag(p, 4, 0, 80, 1);
	assert_int_equal(reasm_add(&r, p, len - 1, 0, out, sizeof(out)), 0); /* cut short */
	len = frag(p, 5, 0, 80, 0); /* no offset, no MF: not a fragment */
	assert_false(reasm_is_fragment(p, len));
	assert_int_equal(reasm_add(&r, p, len, 0, out, sizeof(out)), 0);
}

/* A datagram whose fragments stop coming gives its slot up after the timeout; with every slot
 * busy, a new datagram takes the oldest's. */
static void slots_are_bounded(void **state)
{
	uint8_t p[1500], last[1500];
	size_t len, llen;

	(void)state;
	memset(&r, 0, sizeof(r));
	for (uint16_t id = 10; id < 10 + REASM_SLOTS; id++) {
		len = frag(p, id, 0, 8, 1);
		assert_int_equal(reasm_add(&r, p, len, id, out, sizeof(out)), 0);
	}
	len = frag(p, 99, 0, 8, 1); /* takes id 10's slot, the oldest */
	assert_int_equal(reasm_add(&r, p, len, 20, out, sizeof(out)), 0);
	llen = frag(last, 11, 8, 8, 0);
	check_whole(reasm_add(&r, last, llen, 20, out, sizeof(out)), 16); /* 11 is kept */
	llen = frag(last, 10, 8, 8, 0);
	assert_int_equal(reasm_add(&r, last, llen, 20, out, sizeof(out)), 0); /* 10 is gone */
	llen = frag(last, 12, 8, 8, 0); /* 12 started at 12: expired at 12 + 30 */
	assert_int_equal(reasm_add(&r, last, llen, 12 + REASM_TIMEOUT_SEC + 1, out,
				   sizeof(out)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(in_order_and_reversed),
		cmocka_unit_test(bad_fragments_make_nothing),
		cmocka_unit_test(slots_are_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
