/* Peers without a network: packets staged while there is no session (the oldest give way
 * when the queue is full, as in the kernel), keypair rotation by the kernel's rules, a
 * removed peer leaving no index behind, and the public-key table as it grows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wg/device.h"

static struct wg_device *dev;
static struct wg_peer *peer;

static int setup(void **state)
{
	static const uint8_t priv[WG_KEY_LEN] = { 0x58, 1, 2, 3 }, pub[WG_KEY_LEN] = { 9, 9, 9 };

	(void)state;
	dev = calloc(1, sizeof(*dev));
	if (!dev || device_setup(dev, false) != 0)
		return -1;
	device_set_private_key(dev, priv);
	peer = device_add_peer(dev, pub);
	return peer ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	device_close(dev);
	free(dev);
	return 0;
}

/* Packet n: n + 1 bytes, each of value n. */
static void stage(unsigned int n)
{
	uint8_t pkt[256];

	memset(pkt, (int)n, n + 1);
	peer_stage(peer, pkt, n + 1);
}

static void staged_are(unsigned int first, unsigned int count)
{
	const struct staged_packets *s = &peer->staged;
	size_t off = 0;

	assert_int_equal(s->count, count);
	for (unsigned int i = 0; i < count; i++) {
		assert_int_equal(s->len[i], first + i + 1);
		for (unsigned int j = 0; j < s->len[i]; j++)
			assert_int_equal(s->buf[off + j], (first + i) & 0xff);
		off += s->len[i];
	}
	assert_int_equal(s->used, off);
}

static void test_staging_keeps_order(void **state)
{
	(void)state;
	for (unsigned int n = 0; n < 10; n++)
		stage(n);
	staged_are(0, 10);
	peer_drop_staged(peer);
	assert_int_equal(peer->staged.count, 0);
	assert_int_equal(peer->staged.used, 0);
}

static void test_staging_full_drops_oldest(void **state)
{
	(void)state;
	for (unsigned int n = 0; n < PEER_STAGED_MAX + 8; n++)
		stage(n);
	/* The newest PEER_STAGED_MAX are kept, oldest first. */
	staged_are(8, PEER_STAGED_MAX);
}

static void test_staging_bytes_limit(void **state)
{
	static uint8_t big[PEER_STAGED_BYTES / 3 + 1];

	(void)state;
	memset(big, 0xab, sizeof(big));
	peer_stage(peer, big, sizeof(big));
	peer_stage(peer, big, sizeof(big));
	assert_int_equal(peer->staged.count, 2);
	/* A third does not fit beside two: the oldest makes room. */
	peer_stage(peer, big, sizeof(big));
	assert_int_equal(peer->staged.count, 2);
	assert_true(peer->staged.used <= PEER_STAGED_BYTES);
}

static void test_staging_refuses_oversized(void **state)
{
	static uint8_t huge[PEER_STAGED_BYTES + 1];

	(void)state;
	stage(1);
	peer_stage(peer, huge, sizeof(huge));
	staged_are(1, 1);
}

/* A keypair as noise.c makes it at the end of a handshake (its keys do not matter here), so
 * that the peer frees it into the pool it came from. */
static struct noise_keypair *keypair(bool initiator, uint32_t index)
{
	struct noise_handshake hs = {
		.state = initiator ? HANDSHAKE_CONSUMED_RESPONSE : HANDSHAKE_CREATED_RESPONSE,
		.local_index = index,
	};
	struct noise_keypair *kp = noise_keypair_create(&hs, 0);

	assert_non_null(kp);
	assert_int_equal(kp->is_initiator, initiator);
	assert_int_equal(kp->local_index, index);
	return kp;
}

/* An initiator's keypair is current at once; a responder's waits in next until data comes
 * on it; the one it replaced stays as previous (kernel's add_new_keypair). */
static void test_keypair_rotation(void **state)
{
	struct noise_keypair *a = keypair(true, 11), *b = keypair(false, 22), *c = keypair(true, 33);

	(void)state;
	peer_add_keypair(peer, a);
	assert_ptr_equal(peer->keypairs.current, a);
	assert_null(peer->keypairs.previous);

	peer_add_keypair(peer, b);
	assert_ptr_equal(peer->keypairs.next, b);
	assert_ptr_equal(peer->keypairs.current, a);
	assert_false(peer_received_with_keypair(peer, a));
	assert_true(peer_received_with_keypair(peer, b));
	assert_ptr_equal(peer->keypairs.current, b);
	assert_ptr_equal(peer->keypairs.previous, a);
	assert_null(peer->keypairs.next);

	peer_add_keypair(peer, c);
	assert_ptr_equal(peer->keypairs.current, c);
	assert_ptr_equal(peer->keypairs.previous, b); /* a is freed */
}

/* A removed peer takes every index of its sessions and handshake with it. */
static void test_remove_peer_forgets_indices(void **state)
{
	uint32_t hs, kp_index;
	struct noise_keypair *kp;

	(void)state;
	kp_index = index_table_add(&dev->index, peer);
	assert_int_not_equal(kp_index, 0);
	kp = keypair(true, kp_index);
	index_table_set_keypair(&dev->index, kp_index, kp);
	peer_add_keypair(peer, kp);
	hs = index_table_add(&dev->index, peer); /* a handshake index the peer's state does not name */
	assert_non_null(index_table_find(&dev->index, hs));
	assert_int_equal(peer->index_entries, 2);
	device_remove_peer(dev, peer);
	peer = NULL;
	assert_null(index_table_find(&dev->index, hs));
	assert_null(index_table_find(&dev->index, kp_index));
	for (unsigned int i = 0; i < INDEX_HASH_SIZE; i++)
		assert_null(dev->index.hash[i]);
}

/* Key number i: its hash bytes spread by a multiplication, its number after them. */
static void key_of(uint8_t key[WG_KEY_LEN], uint32_t i)
{
	uint32_t h = i * 2654435761u;

	memset(key, 0x77, WG_KEY_LEN);
	memcpy(key, &h, sizeof(h));
	memcpy(key + 4, &i, sizeof(i));
}

static void found_is(uint32_t i, const struct wg_peer *want)
{
	uint8_t key[WG_KEY_LEN];

	key_of(key, i);
	assert_ptr_equal(pubkey_table_find(&dev->peers_by_key, key), want);
}

/* The public-key table keeps finding every peer while it grows (and while peers move out of
 * its old slots), and grows with them: at most one peer per slot on average. A table of
 * fixed size made a million peers load at a third of the rate of 100,000. */
static void test_pubkey_table_grows(void **state)
{
	enum { N = 20000 };
	static struct wg_peer *added[N];
	uint8_t key[WG_KEY_LEN];

	(void)state;
	for (uint32_t i = 0; i < N; i++) {
		key_of(key, i);
		assert_null(pubkey_table_find(&dev->peers_by_key, key));
		added[i] = device_add_peer(dev, key);
		assert_non_null(added[i]);
		if ((i & (i - 1)) == 0 || i % 997 == 0) /* at every doubling and between */
			for (uint32_t j = 0; j <= i; j++)
				found_is(j, added[j]);
	}
	assert_true(dev->peers_by_key.size >= N);
	assert_true(dev->peers_by_key.size <= 4 * N);
	for (uint32_t i = 0; i < N; i += 2)
		device_remove_peer(dev, added[i]);
	for (uint32_t i = 0; i < N; i++)
		found_is(i, i % 2 ? added[i] : NULL);
	found_is(N, NULL);
	assert_ptr_equal(pubkey_table_find(&dev->peers_by_key, (const uint8_t[WG_KEY_LEN]){ 9, 9, 9 }),
			 peer);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_staging_keeps_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_staging_full_drops_oldest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_staging_bytes_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_staging_refuses_oversized, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keypair_rotation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_peer_forgets_indices, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pubkey_table_grows, setup, teardown),
	};

	if (!crypto_init())
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
