/* The pools for objects that hold secrets: what they hand out (distinct, zeroed, aligned, in
 * memory the kernel marks "dd", do not dump), what they do with objects given back (wipe and
 * reuse them), and that they grow past one chunk. What is left in memory is read through
 * /proc/self/mem and /proc/self/smaps, as a debugger making a core would see it, not through
 * the pool's own pointers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/secmem.h"

#define SIZE 904 /* a peer's size when this was written; not a multiple of SECMEM_ALIGN */
/* Enough objects for three chunks, whatever the rounding of SIZE. */
#define COUNT (3 * SECMEM_CHUNK_BYTES / SIZE)

static void *objs[COUNT];

/* Copies len bytes at addr as the kernel reads them for a debugger. */
static void read_mem(void *dst, const void *addr, size_t len)
{
	int fd = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, dst, len, (off_t)(uintptr_t)addr), (ssize_t)len);
	close(fd);
}

/* True if the mapping holding addr has the VmFlag "dd" in /proc/self/smaps. */
static bool marked_dont_dump(const void *addr)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	unsigned long lo, hi;
	bool inside = false, dd = false;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2)
			inside = lo <= (uintptr_t)addr && (uintptr_t)addr < hi;
		else if (inside && !strncmp(line, "VmFlags:", 8))
			dd = strstr(line, " dd") != NULL;
	}
	fclose(f);
	return dd;
}

static bool all_bytes(const uint8_t *p, size_t len, uint8_t v)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* Each object zeroed and aligned when handed out; each then filled with its own byte, and
 * every fill still intact at the end: no two objects overlap. The objects span more than a
 * chunk's worth of addresses, so the pool grew. */
static void test_distinct_zeroed_aligned_and_grows(void **state)
{
	struct secmem_pool pool = SECMEM_POOL(SIZE);
	uintptr_t lo = UINTPTR_MAX, hi = 0;

	(void)state;
	for (size_t i = 0; i < COUNT; i++) {
		objs[i] = secmem_alloc(&pool);
		assert_non_null(objs[i]);
		assert_int_equal((uintptr_t)objs[i] % SECMEM_ALIGN, 0);
		assert_true(all_bytes(objs[i], SIZE, 0));
		memset(objs[i], (int)(i % 251) + 1, SIZE);
		lo = (uintptr_t)objs[i] < lo ? (uintptr_t)objs[i] : lo;
		hi = (uintptr_t)objs[i] > hi ? (uintptr_t)objs[i] : hi;
	}
	for (size_t i = 0; i < COUNT; i++)
		if (!all_bytes(objs[i], SIZE, (uint8_t)(i % 251 + 1)))
			fail_msg("object %zu was overwritten by another", i);
	assert_true(hi - lo >= 2 * SECMEM_CHUNK_BYTES);
	assert_true(marked_dont_dump(objs[0]));
	assert_true(marked_dont_dump(objs[COUNT - 1]));
	secmem_pool_destroy(&pool);
}

/* What a freed object holds, read past the pool: nothing but the free-list link. */
static void test_free_wipes(void **state)
{
	struct secmem_pool pool = SECMEM_POOL(SIZE);
	uint8_t *p = secmem_alloc(&pool), *q = secmem_alloc(&pool);
	uint8_t seen[SIZE];

	(void)state;
	assert_non_null(p);
	assert_non_null(q);
	memset(p, 0xa5, SIZE);
	memset(q, 0x5a, SIZE);
	secmem_free(&pool, p);
	secmem_free(&pool, q);
	read_mem(seen, p, SIZE);
	assert_true(all_bytes(seen + sizeof(void *), SIZE - sizeof(void *), 0));
	read_mem(seen, q, SIZE);
	assert_true(all_bytes(seen + sizeof(void *), SIZE - sizeof(void *), 0));
	secmem_pool_destroy(&pool);
}

/* Objects given back are handed out again (all of them, zeroed, link included) before any
 * new memory is taken. */
static void test_reuses_freed(void **state)
{
	struct secmem_pool pool = SECMEM_POOL(SIZE);
	void *a[8], *b[8];
	size_t found = 0;

	(void)state;
	for (size_t i = 0; i < 8; i++) {
		a[i] = secmem_alloc(&pool);
		assert_non_null(a[i]);
		memset(a[i], 0xff, SIZE);
	}
	for (size_t i = 0; i < 8; i++)
		secmem_free(&pool, a[i]);
	for (size_t i = 0; i < 8; i++) {
		b[i] = secmem_alloc(&pool);
		assert_true(all_bytes(b[i], SIZE, 0));
		for (size_t j = 0; j < 8; j++)
			found += b[i] == a[j];
	}
	assert_int_equal(found, 8);
	secmem_pool_destroy(&pool);
}

/* An object bigger than a chunk gets a chunk of its own size; a tiny one still has room
 * for the link. */
static void test_odd_sizes(void **state)
{
	struct secmem_pool big = SECMEM_POOL(SECMEM_CHUNK_BYTES + 1);
	struct secmem_pool tiny = SECMEM_POOL(1);
	uint8_t *p = secmem_alloc(&big), *t1 = secmem_alloc(&tiny), *t2 = secmem_alloc(&tiny);

	(void)state;
	assert_non_null(p);
	assert_true(all_bytes(p, SECMEM_CHUNK_BYTES + 1, 0));
	memset(p, 1, SECMEM_CHUNK_BYTES + 1);
	assert_non_null(t1);
	assert_non_null(t2);
	assert_true(t1 + sizeof(void *) <= t2 || t2 + sizeof(void *) <= t1);
	secmem_free(&tiny, t1);
	assert_ptr_equal(secmem_alloc(&tiny), t1);
	secmem_pool_destroy(&big);
	secmem_pool_destroy(&tiny);
}

/* A mapping of its own: zeroed, marked, and gone after secmem_unmap. */
static void test_map(void **state)
{
	size_t len = 3 * 4096 + 100;
	uint8_t *p = secmem_map(len);

	(void)state;
	assert_non_null(p);
	assert_true(all_bytes(p, len, 0));
	assert_true(marked_dont_dump(p));
	assert_true(marked_dont_dump(p + len - 1));
	memset(p, 7, len);
	secmem_unmap(p, len);
	assert_false(marked_dont_dump(p));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distinct_zeroed_aligned_and_grows),
		cmocka_unit_test(test_free_wipes),
		cmocka_unit_test(test_reuses_freed),
		cmocka_unit_test(test_odd_sizes),
		cmocka_unit_test(test_map),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
