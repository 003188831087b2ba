/* Cryptokey routing: the kernel's allowedips self-test (selftest/allowedips.c) — its
 * hand-written prefixes and lookups, removal, walk order — and a randomized comparison with
 * a naive longest-prefix match over a flat list, written here independently of the trie. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "wg/allowedips.h"

static struct allowedips t;
static int peer_mem[64];
static struct allowedips_list lists[64];
#define PEER(i) ((struct wg_peer *)&peer_mem[i])
#define A PEER(0)
#define B PEER(1)
#define C PEER(2)
#define D PEER(3)
#define E PEER(4)
#define F PEER(5)
#define G PEER(6)
#define H PEER(7)

struct addr {
	uint8_t b[16];
};

/* The list each fake peer owns, as a real peer embeds one. */
static struct allowedips_list *list_of(struct wg_peer *p)
{
	return &lists[(int *)p - peer_mem];
}

static void remove_peer(struct wg_peer *p)
{
	allowedips_remove_list(&t, list_of(p));
	assert_null(list_of(p)->first);
	assert_null(list_of(p)->last);
}

static struct addr ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct addr x = { { a, b, c, d } };

	return x;
}

static struct addr ip6(uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	const uint32_t w[4] = { a, b, c, d };
	struct addr x;

	for (int i = 0; i < 16; ++i)
		x.b[i] = (uint8_t)(w[i / 4] >> (24 - 8 * (i % 4)));
	return x;
}

static void insert4(struct wg_peer *p, uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t cidr)
{
	struct addr x = ip4(a, b, c, d);

	assert_int_equal(allowedips_insert(&t, AF_INET, x.b, cidr, list_of(p)), 0);
}

static void insert6(struct wg_peer *p, uint32_t a, uint32_t b, uint32_t c, uint32_t d,
		    uint8_t cidr)
{
	struct addr x = ip6(a, b, c, d);

	assert_int_equal(allowedips_insert(&t, AF_INET6, x.b, cidr, list_of(p)), 0);
}

static struct wg_peer *look4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct addr x = ip4(a, b, c, d);

	return allowedips_lookup(&t, AF_INET, x.b);
}

static struct wg_peer *look6(uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	struct addr x = ip6(a, b, c, d);

	return allowedips_lookup(&t, AF_INET6, x.b);
}

static int setup(void **state)
{
	(void)state;
	allowedips_init(&t);
	memset(lists, 0, sizeof(lists));
	for (int i = 0; i < 64; ++i)
		lists[i].peer = PEER(i);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	allowedips_free(&t);
	assert_null(t.root4);
	assert_null(t.root6);
	return 0;
}

/* The kernel self-test's table: overlapping prefixes, /0 for both families, host bits
 * masked off, and re-inserts that move a prefix to another peer. */
static void kernel_table(void)
{
	insert4(A, 192, 168, 4, 0, 24);
	insert4(B, 192, 168, 4, 4, 32);
	insert4(C, 192, 168, 0, 0, 16);
	insert4(D, 192, 95, 5, 64, 27);
	insert4(C, 192, 95, 5, 65, 27); /* moves 192.95.5.64/27 from D to C */
	insert6(D, 0x26075300, 0x60006b00, 0, 0xc05f0543, 128);
	insert6(C, 0x26075300, 0x60006b00, 0, 0, 64);
	insert4(E, 0, 0, 0, 0, 0);
	insert6(E, 0, 0, 0, 0, 0);
	insert6(F, 0, 0, 0, 0, 0); /* moves ::/0 from E to F */
	insert6(G, 0x24046800, 0, 0, 0, 32);
	insert6(H, 0x24046800, 0x40040800, 0xdeadbeef, 0xdeadbeef, 64);
	insert6(A, 0x24046800, 0x40040800, 0xdeadbeef, 0xdeadbeef, 128);
	insert6(C, 0x24446800, 0x40e40800, 0xdeaebeef, 0xdefbeef, 128);
	insert6(B, 0x24446800, 0xf0e40800, 0xeeaebeef, 0, 98);
	insert4(G, 64, 15, 112, 0, 20);
	insert4(H, 64, 15, 123, 211, 25);
	insert4(A, 10, 0, 0, 0, 25);
	insert4(B, 10, 0, 0, 128, 25);
	insert4(A, 10, 1, 0, 0, 30);
	insert4(B, 10, 1, 0, 4, 30);
	insert4(C, 10, 1, 0, 8, 29);
	insert4(D, 10, 1, 0, 16, 29);
}

static void test_kernel_lookups(void **state)
{
	(void)state;
	kernel_table();
	assert_ptr_equal(look4(192, 168, 4, 20), A);
	assert_ptr_equal(look4(192, 168, 4, 0), A);
	assert_ptr_equal(look4(192, 168, 4, 4), B);
	assert_ptr_equal(look4(192, 168, 200, 182), C);
	assert_ptr_equal(look4(192, 95, 5, 68), C);
	assert_ptr_equal(look4(192, 95, 5, 96), E);
	assert_ptr_equal(look6(0x26075300, 0x60006b00, 0, 0xc05f0543), D);
	assert_ptr_equal(look6(0x26075300, 0x60006b00, 0, 0xc02e01ee), C);
	assert_ptr_equal(look6(0x26075300, 0x60006b01, 0, 0), F);
	assert_ptr_equal(look6(0x24046800, 0x40040806, 0, 0x1006), G);
	assert_ptr_equal(look6(0x24046800, 0x40040806, 0x1234, 0x5678), G);
	assert_ptr_equal(look6(0x240467ff, 0x40040806, 0x1234, 0x5678), F);
	assert_ptr_equal(look6(0x24046801, 0x40040806, 0x1234, 0x5678), F);
	assert_ptr_equal(look6(0x24046800, 0x40040800, 0x1234, 0x5678), H);
	assert_ptr_equal(look6(0x24046800, 0x40040800, 0, 0), H);
	assert_ptr_equal(look6(0x24046800, 0x40040800, 0x10101010, 0x10101010), H);
	assert_ptr_equal(look6(0x24046800, 0x40040800, 0xdeadbeef, 0xdeadbeef), A);
	assert_ptr_equal(look4(64, 15, 116, 26), G);
	assert_ptr_equal(look4(64, 15, 127, 3), G);
	assert_ptr_equal(look4(64, 15, 123, 1), G);
	assert_ptr_equal(look4(64, 15, 123, 128), H);
	assert_ptr_equal(look4(64, 15, 123, 129), H);
	assert_ptr_equal(look4(10, 0, 0, 52), A);
	assert_ptr_equal(look4(10, 0, 0, 220), B);
	assert_ptr_equal(look4(10, 1, 0, 2), A);
	assert_ptr_equal(look4(10, 1, 0, 6), B);
	assert_ptr_equal(look4(10, 1, 0, 10), C);
	assert_ptr_equal(look4(10, 1, 0, 20), D);
	/* Not in the kernel's list: the 0.0.0.0/0 catch-all, and the two /128 neighbours. */
	assert_ptr_equal(look4(8, 8, 8, 8), E);
	assert_ptr_equal(look4(255, 255, 255, 255), E);
	assert_ptr_equal(look6(0x24446800, 0x40e40800, 0xdeaebeef, 0xdefbeef), C);
	assert_ptr_equal(look6(0x24446800, 0x40e40800, 0xdeaebeef, 0xdefbeee), F);
	assert_ptr_equal(look6(0x24446800, 0xf0e40800, 0xeeaebeef, 0x3fffffff), B);
	assert_ptr_equal(look6(0x24446800, 0xf0e40800, 0xeeaebeef, 0x40000000), F);
}

/* Without a default route a miss is NULL, and the edges of a /32 and a /128 are exact. */
static void test_no_default_and_host_routes(void **state)
{
	(void)state;
	assert_null(look4(10, 0, 0, 1));
	assert_null(look6(0, 0, 0, 1));
	insert4(A, 10, 0, 0, 1, 32);
	insert6(B, 0xfd000000, 0, 0, 1, 128);
	assert_ptr_equal(look4(10, 0, 0, 1), A);
	assert_null(look4(10, 0, 0, 0));
	assert_null(look4(10, 0, 0, 2));
	assert_null(look4(138, 0, 0, 1));
	assert_ptr_equal(look6(0xfd000000, 0, 0, 1), B);
	assert_null(look6(0xfd000000, 0, 0, 0));
	assert_null(look6(0xfd000000, 0, 0, 3));
	assert_null(look6(0x7d000000, 0, 0, 1));
	/* The families are separate tries: 10.0.0.1 in v6 is another address. */
	assert_null(look6(0x0a000001, 0, 0, 0));
	insert4(C, 0, 0, 0, 0, 0);
	assert_ptr_equal(look4(10, 0, 0, 2), C);
	assert_ptr_equal(look4(10, 0, 0, 1), A);
	assert_null(look6(0x7d000000, 0, 0, 1));
}

static void test_invalid(void **state)
{
	struct addr x = ip4(10, 0, 0, 0);
	struct allowedips_list nobody = { 0 };

	(void)state;
	assert_int_equal(allowedips_insert(&t, AF_INET, x.b, 33, list_of(A)), -EINVAL);
	assert_int_equal(allowedips_insert(&t, AF_INET6, x.b, 129, list_of(A)), -EINVAL);
	assert_int_equal(allowedips_insert(&t, AF_UNIX, x.b, 8, list_of(A)), -EINVAL);
	assert_int_equal(allowedips_insert(&t, AF_INET, x.b, 8, NULL), -EINVAL);
	assert_int_equal(allowedips_insert(&t, AF_INET, x.b, 8, &nobody), -EINVAL);
	assert_null(t.root4);
	assert_null(t.root6);
	assert_null(allowedips_lookup(&t, AF_UNIX, x.b));
}

/* Removing a peer leaves the others' routes whole and prunes the trie away entirely once
 * no peer is left. */
static void test_remove_by_peer(void **state)
{
	(void)state;
	insert4(A, 1, 0, 0, 0, 32);
	insert4(A, 64, 0, 0, 0, 32);
	insert4(A, 128, 0, 0, 0, 32);
	insert4(A, 192, 0, 0, 0, 32);
	insert4(A, 255, 0, 0, 0, 32);
	insert4(B, 192, 0, 0, 0, 8);
	remove_peer(A);
	assert_null(look4(1, 0, 0, 0));
	assert_null(look4(64, 0, 0, 0));
	assert_null(look4(128, 0, 0, 0));
	assert_ptr_equal(look4(192, 0, 0, 0), B);
	assert_null(look4(255, 0, 0, 0));
	remove_peer(B);
	assert_null(t.root4);

	/* The kernel's case: a /16 and a /24 of one peer nested in each other. */
	insert4(A, 192, 168, 0, 0, 16);
	insert4(A, 192, 168, 0, 0, 24);
	remove_peer(A);
	assert_null(look4(192, 168, 0, 1));
	assert_null(t.root4);

	kernel_table();
	remove_peer(C);
	assert_ptr_equal(look4(192, 168, 200, 182), E); /* C's /16 gone, E's /0 left */
	assert_ptr_equal(look4(192, 168, 4, 20), A);
	assert_ptr_equal(look4(192, 95, 5, 68), E);
	assert_ptr_equal(look6(0x26075300, 0x60006b00, 0, 0xc02e01ee), F);
	assert_ptr_equal(look6(0x26075300, 0x60006b00, 0, 0xc05f0543), D);
	assert_ptr_equal(look4(10, 1, 0, 10), E);
	assert_ptr_equal(look4(10, 1, 0, 20), D);
	for (int i = 0; i < 8; ++i)
		remove_peer(PEER(i));
	assert_null(t.root4);
	assert_null(t.root6);
}

/* 128 /128s differing from all-ones in one bit each: the deepest trie there is. */
static void test_deep_trie(void **state)
{
	struct addr x;

	(void)state;
	for (int i = 0; i < 128; ++i) {
		memset(x.b, 0xff, 16);
		x.b[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
		assert_int_equal(allowedips_insert(&t, AF_INET6, x.b, 128, list_of(PEER(i % 64))), 0);
	}
	for (int i = 0; i < 128; ++i) {
		memset(x.b, 0xff, 16);
		x.b[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
		assert_ptr_equal(allowedips_lookup(&t, AF_INET6, x.b), PEER(i % 64));
	}
	memset(x.b, 0xff, 16);
	assert_null(allowedips_lookup(&t, AF_INET6, x.b));
	for (int i = 0; i < 64; ++i)
		remove_peer(PEER(i));
	assert_null(t.root6);
}

/* Set and remove one peer's routes again and again among another's. Each of A's /32s sits
 * beside one of B's, joined by a peerless node; removal must drop that junction too, so
 * the heap ends the same size as it began. */
static void test_churn_does_not_grow(void **state)
{
	size_t before = 0;

	(void)state;
	for (int i = 0; i < 200; ++i) {
		insert4(B, 10, 0, (uint8_t)i, 1, 32);
		insert6(B, 0x20010db8, 0, (uint32_t)i, 1, 128);
	}
	for (int round = 0; round < 1000; ++round) {
		if (round == 1)
			before = mallinfo2().uordblks;
		for (int i = 0; i < 20; ++i) {
			uint8_t x = (uint8_t)((round * 7 + i * 13) % 200);

			insert4(A, 10, 0, x, (uint8_t)(2 + round % 200), 32);
			insert6(A, 0x20010db8, 0, x, (uint32_t)(2 + round), 128);
		}
		remove_peer(A);
	}
	assert_int_equal(mallinfo2().uordblks, before);
	assert_ptr_equal(look4(10, 0, 3, 1), B);
	assert_null(look4(10, 0, 3, 2));
	remove_peer(B);
	assert_null(t.root4);
	assert_null(t.root6);
}

struct walk {
	int family[16];
	struct addr addr[16];
	uint8_t cidr[16];
	int n, stop_at;
};

static int record(void *ctx, int family, const uint8_t *addr, uint8_t cidr)
{
	struct walk *w = ctx;

	if (w->n == w->stop_at)
		return 42;
	assert_true(w->n < 16);
	w->family[w->n] = family;
	memset(w->addr[w->n].b, 0, 16);
	memcpy(w->addr[w->n].b, addr, family == AF_INET ? 4 : 16);
	w->cidr[w->n] = cidr;
	++w->n;
	return 0;
}

/* The walk wg show makes: each prefix of p, in order, until fn says stop. */
static int walk(struct wg_peer *p, int (*fn)(void *, int, const uint8_t *, uint8_t), void *ctx)
{
	uint8_t addr[16], cidr;
	int family, ret;

	for (const struct allowedips_node *n = allowedips_first(list_of(p)); n;
	     n = allowedips_next(n)) {
		family = allowedips_prefix(n, addr, &cidr);
		ret = fn(ctx, family, addr, cidr);
		if (ret)
			return ret;
	}
	return 0;
}

static void expect(const struct walk *w, int i, int family, struct addr addr, uint8_t cidr)
{
	assert_int_equal(w->family[i], family);
	assert_memory_equal(w->addr[i].b, addr.b, 16);
	assert_int_equal(w->cidr[i], cidr);
}

/* A peer's prefixes come back masked, in the order given, across both families. */
static void test_walk_order(void **state)
{
	struct walk w = { .stop_at = -1 };

	(void)state;
	insert4(A, 192, 95, 5, 93, 27);
	insert6(A, 0x26075300, 0x60006b00, 0, 0xc05f0543, 128);
	insert4(B, 192, 95, 5, 0, 24);
	insert4(A, 10, 1, 0, 20, 29);
	insert6(A, 0x26075300, 0x6d8a6bf8, 0xdab1f1df, 0xc05f1523, 83);
	insert6(A, 0x26075300, 0x6d8a6bf8, 0xdab1f1df, 0xc05f1523, 21);
	insert4(A, 0, 0, 0, 0, 0);
	assert_int_equal(walk(A, record, &w), 0);
	assert_int_equal(w.n, 6);
	expect(&w, 0, AF_INET, ip4(192, 95, 5, 64), 27);
	expect(&w, 1, AF_INET6, ip6(0x26075300, 0x60006b00, 0, 0xc05f0543), 128);
	expect(&w, 2, AF_INET, ip4(10, 1, 0, 16), 29);
	expect(&w, 3, AF_INET6, ip6(0x26075300, 0x6d8a6bf8, 0xdab1e000, 0), 83);
	expect(&w, 4, AF_INET6, ip6(0x26075000, 0, 0, 0), 21);
	expect(&w, 5, AF_INET, ip4(0, 0, 0, 0), 0);

	/* Giving a prefix to B takes it out of A's walk; giving one back puts it last. */
	insert4(B, 10, 1, 0, 20, 29);
	insert4(A, 192, 95, 5, 64, 27);
	w.n = 0;
	assert_int_equal(walk(A, record, &w), 0);
	assert_int_equal(w.n, 5);
	expect(&w, 0, AF_INET6, ip6(0x26075300, 0x60006b00, 0, 0xc05f0543), 128);
	expect(&w, 3, AF_INET, ip4(0, 0, 0, 0), 0);
	expect(&w, 4, AF_INET, ip4(192, 95, 5, 64), 27);
	w.n = 0;
	assert_int_equal(walk(B, record, &w), 0);
	assert_int_equal(w.n, 2);
	expect(&w, 0, AF_INET, ip4(192, 95, 5, 0), 24);
	expect(&w, 1, AF_INET, ip4(10, 1, 0, 16), 29);

	/* fn's non-zero value stops the walk and is returned. */
	w.n = 0;
	w.stop_at = 2;
	assert_int_equal(walk(A, record, &w), 42);
	assert_int_equal(w.n, 2);

	w.n = 0;
	w.stop_at = -1;
	assert_int_equal(walk(C, record, &w), 0);
	assert_int_equal(w.n, 0);
}

/* 24,000 host routes on one peer among another's (the case that once took 5.6 s to show):
 * the list gives them back in order, one step each, and survives the other's removal. */
static void test_many_prefixes_in_order(void **state)
{
	const unsigned int n = 24000;
	unsigned int i = 0;
	uint8_t addr[16], cidr;

	(void)state;
	for (i = 0; i < n; ++i) {
		insert4(A, 10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i, 32);
		insert4(B, 11, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i, 32);
	}
	remove_peer(B);
	i = 0;
	for (const struct allowedips_node *node = allowedips_first(list_of(A)); node;
	     node = allowedips_next(node), ++i) {
		struct addr want = ip4(10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i);

		assert_int_equal(allowedips_prefix(node, addr, &cidr), AF_INET);
		assert_memory_equal(addr, want.b, 4);
		assert_int_equal(cidr, 32);
	}
	assert_int_equal(i, n);
	assert_ptr_equal(look4(10, 0, 93, 191), A);
	assert_null(look4(11, 0, 93, 191));
	remove_peer(A);
	assert_null(t.root4);
}

/* The reference: a flat list searched end to end for the longest matching prefix. */
struct naive_route {
	uint8_t prefix[16];
	uint8_t cidr;
	struct wg_peer *peer;
};

struct naive {
	struct naive_route *r;
	size_t n, cap;
	unsigned int bytes;
};

static bool naive_match(const struct naive_route *r, const uint8_t *addr)
{
	unsigned int full = r->cidr / 8, rest = r->cidr % 8;

	if (memcmp(r->prefix, addr, full))
		return false;
	return !rest || !((r->prefix[full] ^ addr[full]) & (uint8_t)(0xff << (8 - rest)));
}

static void naive_insert(struct naive *nv, const uint8_t *addr, uint8_t cidr,
			 struct wg_peer *peer)
{
	struct naive_route r = { .cidr = cidr, .peer = peer };

	for (unsigned int i = 0; i < nv->bytes; ++i) {
		unsigned int bits = cidr > 8 * i ? cidr - 8 * i : 0;

		r.prefix[i] = bits >= 8 ? addr[i] : addr[i] & (uint8_t)(0xff00 >> bits);
	}
	for (size_t i = 0; i < nv->n; ++i) {
		if (nv->r[i].cidr == cidr && !memcmp(nv->r[i].prefix, r.prefix, 16)) {
			nv->r[i].peer = peer;
			return;
		}
	}
	if (nv->n == nv->cap) {
		nv->cap = nv->cap ? 2 * nv->cap : 256;
		nv->r = realloc(nv->r, nv->cap * sizeof(*nv->r));
		assert_non_null(nv->r);
	}
	nv->r[nv->n++] = r;
}

static struct wg_peer *naive_lookup(const struct naive *nv, const uint8_t *addr)
{
	const struct naive_route *best = NULL;

	for (size_t i = 0; i < nv->n; ++i) {
		if ((!best || nv->r[i].cidr > best->cidr) && naive_match(&nv->r[i], addr))
			best = &nv->r[i];
	}
	return best ? best->peer : NULL;
}

static void naive_remove(struct naive *nv, const struct wg_peer *peer)
{
	size_t j = 0;

	for (size_t i = 0; i < nv->n; ++i) {
		if (nv->r[i].peer != peer)
			nv->r[j++] = nv->r[i];
	}
	nv->n = j;
}

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void rnd_bytes(uint8_t *p, unsigned int n)
{
	for (unsigned int i = 0; i < n; ++i)
		p[i] = (uint8_t)(rnd() >> 24);
}

#define NUM_PEERS 32
#define NUM_RAND_ROUTES 400
#define NUM_MUTATED_ROUTES 10
#define NUM_QUERIES 4000

/* An address: fully random, or one inside a route already there (random host bits), so the
 * long prefixes are actually exercised. */
static void query_addr(const struct naive *nv, uint8_t *addr)
{
	rnd_bytes(addr, nv->bytes);
	if (nv->n && rnd() % 2) {
		const struct naive_route *r = &nv->r[rnd() % nv->n];
		uint8_t host[16];

		memcpy(host, addr, 16);
		memcpy(addr, r->prefix, nv->bytes);
		for (unsigned int i = r->cidr; i < 8 * nv->bytes; ++i)
			addr[i / 8] = (uint8_t)((addr[i / 8] & ~(0x80 >> (i % 8))) |
						(host[i / 8] & (0x80 >> (i % 8))));
	}
}

static unsigned int compare(const struct naive *nv, int family, unsigned int queries)
{
	uint8_t addr[16] = { 0 };
	unsigned int hits = 0;

	for (unsigned int i = 0; i < queries; ++i) {
		struct wg_peer *want;

		query_addr(nv, addr);
		want = naive_lookup(nv, addr);
		assert_ptr_equal(allowedips_lookup(&t, family, addr), want);
		hits += want != NULL;
	}
	return hits;
}

static void random_fill(struct naive *nv, int family)
{
	uint8_t ip[16] = { 0 }, mutated[16] = { 0 };
	unsigned int bits = 8 * nv->bytes;

	for (int i = 0; i < NUM_RAND_ROUTES; ++i) {
		uint8_t cidr = (uint8_t)(rnd() % (bits + 1));
		struct wg_peer *p = PEER(rnd() % NUM_PEERS);

		rnd_bytes(ip, nv->bytes);
		assert_int_equal(allowedips_insert(&t, family, ip, cidr, list_of(p)), 0);
		naive_insert(nv, ip, cidr, p);
		/* Neighbours sharing a random-length prefix with ip, as the kernel test makes. */
		for (int j = 0; j < NUM_MUTATED_ROUTES; ++j) {
			unsigned int keep = (unsigned int)(rnd() % bits);

			rnd_bytes(mutated, nv->bytes);
			for (unsigned int b = 0; b < keep; ++b)
				mutated[b / 8] = (uint8_t)((mutated[b / 8] & ~(0x80 >> (b % 8))) |
							   (ip[b / 8] & (0x80 >> (b % 8))));
			cidr = (uint8_t)(rnd() % (bits + 1));
			p = PEER(rnd() % NUM_PEERS);
			assert_int_equal(allowedips_insert(&t, family, mutated, cidr, list_of(p)), 0);
			naive_insert(nv, mutated, cidr, p);
		}
	}
}

/* Each peer's list holds exactly the routes the reference gives it: as many, each of them. */
static void check_lists(const struct naive *nv, int family)
{
	for (int i = 0; i < NUM_PEERS; ++i) {
		size_t want = 0, got = 0;
		uint8_t addr[16], cidr;

		for (size_t j = 0; j < nv->n; ++j)
			want += nv->r[j].peer == PEER(i);
		for (const struct allowedips_node *n = allowedips_first(list_of(PEER(i))); n;
		     n = allowedips_next(n)) {
			bool found = false;

			memset(addr, 0, sizeof(addr));
			if (allowedips_prefix(n, addr, &cidr) != family)
				continue;
			for (size_t j = 0; j < nv->n && !found; ++j)
				found = nv->r[j].peer == PEER(i) && nv->r[j].cidr == cidr &&
					!memcmp(nv->r[j].prefix, addr, 16);
			assert_true(found);
			++got;
		}
		assert_int_equal(got, want);
	}
}

static void randomized(uint64_t seed)
{
	struct naive n4 = { .bytes = 4 }, n6 = { .bytes = 16 };
	unsigned int hits = 0;

	rng_state = seed;
	random_fill(&n4, AF_INET);
	random_fill(&n6, AF_INET6);
	hits += compare(&n4, AF_INET, NUM_QUERIES);
	hits += compare(&n6, AF_INET6, NUM_QUERIES);
	check_lists(&n4, AF_INET);
	check_lists(&n6, AF_INET6);
	for (int i = 0; i < NUM_PEERS; ++i) {
		remove_peer(PEER(i));
		naive_remove(&n4, PEER(i));
		naive_remove(&n6, PEER(i));
		compare(&n4, AF_INET, NUM_QUERIES / 8);
		compare(&n6, AF_INET6, NUM_QUERIES / 8);
		check_lists(&n4, AF_INET);
		check_lists(&n6, AF_INET6);
	}
	assert_null(t.root4);
	assert_null(t.root6);
	assert_true(hits > NUM_QUERIES / 2);
	free(n4.r);
	free(n6.r);
}

static void test_randomized(void **state)
{
	(void)state;
	randomized(UINT64_C(0x9e3779b97f4a7c15));
	randomized(UINT64_C(0x0123456789abcdef));
	randomized(UINT64_C(0xdeadbeefcafef00d));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kernel_lookups, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_default_and_host_routes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_by_peer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deep_trie, setup, teardown),
		cmocka_unit_test_setup_teardown(test_churn_does_not_grow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_prefixes_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_randomized, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
