/* The device's two lookup tables, as the kernel's peerlookup.c keeps them: peers by public key
 * (a handshake initiation names its sender by key), and sessions by the random local index a
 * response, cookie reply or data message names. Both are hash tables with chained entries;
 * they know peers only as pointers. */
#ifndef ADIT_WG_PEERLOOKUP_H
#define ADIT_WG_PEERLOOKUP_H

#include <stdint.h>

#include "wg/messages.h"

struct wg_peer;
struct noise_keypair;

/* Sized for a hub of 100,000 peers: chains of a few indices. */
#define INDEX_HASH_SIZE 16384
/* The public-key table's first size; it doubles whenever it holds more peers than slots. */
#define PUBKEY_HASH_MIN 256

/* Peers by public key, at most one per slot on average however many there are: a table of
 * fixed size made each lookup, and so each peer a set adds, slower as the table grew (a
 * million peers loaded at a third of the rate of 100,000). It grows without a pause: the
 * peers of the old slots move to the new table a few slots per add, before it is full again.
 * Zeroed, it is an empty table. */
struct pubkey_table {
	struct wg_peer **hash;
	size_t size;          /* slots in hash, a power of two; 0 until the first add */
	struct wg_peer **old; /* the table before it grew, while peers are moving out of it */
	size_t old_size;
	size_t moved;         /* old's slots below this one are empty: their peers are in hash */
	size_t count;
};

/* A peer's position in the table is its public key, which it must not change while in it.
 * -ENOMEM only when the table has no slots yet and cannot get any (a table that cannot grow
 * goes on with longer chains). */
int pubkey_table_add(struct pubkey_table *t, struct wg_peer *peer);
void pubkey_table_remove(struct pubkey_table *t, struct wg_peer *peer);
struct wg_peer *pubkey_table_find(const struct pubkey_table *t, const uint8_t pub[WG_KEY_LEN]);
/* Frees the slots; the peers in it are the caller's. */
void pubkey_table_free(struct pubkey_table *t);

/* What a receiver index refers to. */
struct index_entry {
	struct index_entry *hash_next;
	uint32_t index;
	struct wg_peer *peer;
	struct noise_keypair *keypair; /* NULL: the peer's handshake */
};

struct index_table {
	struct index_entry *hash[INDEX_HASH_SIZE];
};

/* A fresh random index, unique in the table, for peer's handshake; the index the handshake
 * had is dropped. 0 when memory runs out. The handshake's keypair takes it over with
 * index_table_set_keypair. */
uint32_t index_table_add(struct index_table *t, struct wg_peer *peer);
void index_table_set_keypair(struct index_table *t, uint32_t index, struct noise_keypair *kp);
void index_table_remove(struct index_table *t, uint32_t index);
struct index_entry *index_table_find(const struct index_table *t, uint32_t index);
/* Drops every entry of peer, whatever path it took. Each peer counts its entries, so this
 * walks the table only when the peer still has one. */
void index_table_forget_peer(struct index_table *t, struct wg_peer *peer);
void index_table_clear(struct index_table *t);

#endif
