#include <stdlib.h>
#include <string.h>

#include "wg/crypto.h"
#include "wg/peer.h"
#include "wg/peerlookup.h"

/* Public keys are uniformly random: their first bytes make a good hash. */
static unsigned int key_slot(const uint8_t pub[WG_KEY_LEN])
{
	uint32_t h;

	memcpy(&h, pub, sizeof(h));
	return h % PUBKEY_HASH_SIZE;
}

void pubkey_table_add(struct pubkey_table *t, struct wg_peer *peer)
{
	unsigned int slot = key_slot(peer->handshake.remote_static);

	peer->hash_next = t->hash[slot];
	t->hash[slot] = peer;
}

void pubkey_table_remove(struct pubkey_table *t, struct wg_peer *peer)
{
	struct wg_peer **p = &t->hash[key_slot(peer->handshake.remote_static)];

	while (*p && *p != peer)
		p = &(*p)->hash_next;
	if (*p)
		*p = peer->hash_next;
}

struct wg_peer *pubkey_table_find(const struct pubkey_table *t, const uint8_t pub[WG_KEY_LEN])
{
	struct wg_peer *p = t->hash[key_slot(pub)];

	while (p && !crypto_equal(p->handshake.remote_static, pub, WG_KEY_LEN))
		p = p->hash_next;
	return p;
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
