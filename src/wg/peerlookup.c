#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wg/crypto.h"
#include "wg/peer.h"
#include "wg/peerlookup.h"

/* Moved per add: a table of size slots, grown from size / 2, is full again after size / 2
 * adds, by which time all size / 2 old slots have moved. */
#define MOVES_PER_ADD 2

/* Public keys are uniformly random: their first bytes make a good hash. */
static size_t key_slot(const uint8_t pub[WG_KEY_LEN], size_t size)
{
	uint32_t h;

	memcpy(&h, pub, sizeof(h));
	return h & (size - 1);
}

/* The chain a key is in: the old table's slot until that slot has moved. */
static struct wg_peer **chain(const struct pubkey_table *t, const uint8_t pub[WG_KEY_LEN])
{
	size_t slot;

	if (t->old) {
		slot = key_slot(pub, t->old_size);
		if (slot >= t->moved)
			return &t->old[slot];
	}
	return &t->hash[key_slot(pub, t->size)];
}

/* Moves the peers of up to n old slots into the new table. */
static void move_slots(struct pubkey_table *t, size_t n)
{
	struct wg_peer *peer, **slot;

	for (; t->old && n; n--) {
		while ((peer = t->old[t->moved])) {
			t->old[t->moved] = peer->hash_next;
			slot = &t->hash[key_slot(peer->handshake.remote_static, t->size)];
			peer->hash_next = *slot;
			*slot = peer;
		}
		if (++t->moved == t->old_size) {
			free(t->old);
			t->old = NULL;
			t->old_size = t->moved = 0;
		}
	}
}

/* Twice the slots, once the peers outnumber them; the old slots move out over the next adds. */
static int grow(struct pubkey_table *t)
{
	size_t size = t->size ? t->size * 2 : PUBKEY_HASH_MIN;
	struct wg_peer **hash;

	if (t->count < t->size || size > SIZE_MAX / sizeof(*hash))
		return 0;
	move_slots(t, SIZE_MAX); /* only if adds outran the moves: never, by MOVES_PER_ADD */
	hash = calloc(size, sizeof(*hash));
	if (!hash)
		return -ENOMEM;
	t->old = t->hash;
	t->old_size = t->size;
	t->moved = 0;
	t->hash = hash;
	t->size = size;
	if (!t->old_size) {
		free(t->old);
		t->old = NULL;
	}
	return 0;
}

int pubkey_table_add(struct pubkey_table *t, struct wg_peer *peer)
{
	struct wg_peer **slot;

	if (grow(t) < 0 && !t->size)
		return -ENOMEM;
	move_slots(t, MOVES_PER_ADD);
	slot = chain(t, peer->handshake.remote_static);
	peer->hash_next = *slot;
	*slot = peer;
	t->count++;
	return 0;
}

void pubkey_table_remove(struct pubkey_table *t, struct wg_peer *peer)
{
	struct wg_peer **p;

	if (!t->size)
		return;
	p = chain(t, peer->handshake.remote_static);
	while (*p && *p != peer)
		p = &(*p)->hash_next;
	if (*p) {
		*p = peer->hash_next;
		t->count--;
	}
}

struct wg_peer *pubkey_table_find(const struct pubkey_table *t, const uint8_t pub[WG_KEY_LEN])
{
	struct wg_peer *p;

	if (!t->size)
		return NULL;
	p = *chain(t, pub);
	while (p && !crypto_equal(p->handshake.remote_static, pub, WG_KEY_LEN))
		p = p->hash_next;
	return p;
}

void pubkey_table_free(struct pubkey_table *t)
{
	free(t->hash);
	free(t->old);
	memset(t, 0, sizeof(*t));
}

static unsigned int index_slot(uint32_t index)
{
	return index % INDEX_HASH_SIZE; /* indices are random */
}

struct index_entry *index_table_find(const struct index_table *t, uint32_t index)
{
	struct index_entry *e = t->hash[index_slot(index)];

	while (e && e->index != index)
		e = e->hash_next;
	return e;
}

uint32_t index_table_add(struct index_table *t, struct wg_peer *peer)
{
	struct index_entry *e = calloc(1, sizeof(*e));
	uint32_t index;

	if (!e)
		return 0;
	if (peer->handshake.local_index)
		index_table_remove(t, peer->handshake.local_index);
	do
		crypto_random(&index, sizeof(index));
	while (!index || index_table_find(t, index));
	e->index = index;
	e->peer = peer;
	peer->index_entries++;
	e->hash_next = t->hash[index_slot(index)];
	t->hash[index_slot(index)] = e;
	return index;
}

void index_table_set_keypair(struct index_table *t, uint32_t index, struct noise_keypair *kp)
{
	struct index_entry *e = index_table_find(t, index);

	if (e)
		e->keypair = kp;
}

void index_table_remove(struct index_table *t, uint32_t index)
{
	struct index_entry **p = &t->hash[index_slot(index)];

	while (*p && (*p)->index != index)
		p = &(*p)->hash_next;
	if (*p) {
		struct index_entry *e = *p;

		*p = e->hash_next;
		e->peer->index_entries--;
		free(e);
	}
}

void index_table_forget_peer(struct index_table *t, struct wg_peer *peer)
{
	for (unsigned int i = 0; i < INDEX_HASH_SIZE && peer->index_entries; i++) {
		struct index_entry **p = &t->hash[i];

		while (*p) {
			if ((*p)->peer == peer) {
				struct index_entry *e = *p;

				*p = e->hash_next;
				peer->index_entries--;
				free(e);
			} else {
				p = &(*p)->hash_next;
			}
		}
	}
}

void index_table_clear(struct index_table *t)
{
	for (unsigned int i = 0; i < INDEX_HASH_SIZE; i++)
		while (t->hash[i])
			index_table_remove(t, t->hash[i]->index);
}
