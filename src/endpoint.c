#include <string.h>

#include "endpoint.h"

#define PROBE 8 /* slots searched for a key: a bounded cost per packet */

void endpoint_table_init(struct endpoint_table *t, unsigned int idle_sec)
{
	memset(t, 0, sizeof(*t));
	t->idle = idle_sec;
}

bool endpoint_key_of(const uint8_t *pkt, size_t len, enum link_type link, bool source,
		     struct endpoint_key *key)
{
	size_t off;

	if (link == LINK_ETHER) {
		if (len < 14)
			return false;
		key->len = 6;
		off = source ? 6 : 0;
	} else if (len >= 20 && pkt[0] >> 4 == 4) {
		key->len = 4;
		off = source ? 12 : 16;
	} else if (len >= 40 && pkt[0] >> 4 == 6) {
		key->len = 16;
		off = source ? 8 : 24;
	} else {
		return false;
	}
	memcpy(key->bytes, pkt + off, key->len);
	return true;
}

static bool fresh(const struct endpoint_table *t, uint64_t last_seen, uint64_t now)
{
	return now - last_seen < t->idle;
}

/* A slot is valid while the client it was learned for still holds its place in the table. */
static bool slot_valid(const struct endpoint_table *t, const struct endpoint_slot *s)
{
	const struct endpoint_client *c = &t->clients[s->client];

	return s->used && c->used && c->gen == s->gen;
}

static uint32_t hash(const struct endpoint_key *key)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (unsigned int i = 0; i < key->len; i++)
		h = (h ^ key->bytes[i]) * 16777619u;
	return h;
}

static bool same_key(const struct endpoint_key *a, const struct endpoint_key *b)
{
	return a->len == b->len && !memcmp(a->bytes, b->bytes, a->len);
}

static struct endpoint_slot *find_slot(const struct endpoint_table *t,
				       const struct endpoint_key *key)
{
	uint32_t h = hash(key);

	for (unsigned int i = 0; i < PROBE; i++) {
		const struct endpoint_slot *s = &t->slots[(h + i) & (ENDPOINT_SLOTS - 1)];

		if (s->used && same_key(&s->key, key))
			return (struct endpoint_slot *)s;
	}
	return NULL;
}

/* A slot for a new key: a free or invalid one in the probe window, else the least recently
 * seen, which is a stale one if the window holds any. */
static struct endpoint_slot *claim_slot(struct endpoint_table *t, const struct endpoint_key *key)
{
	struct endpoint_slot *oldest = NULL;
	uint32_t h = hash(key);

	for (unsigned int i = 0; i < PROBE; i++) {
		struct endpoint_slot *s = &t->slots[(h + i) & (ENDPOINT_SLOTS - 1)];

		if (!slot_valid(t, s))
			return s;
		if (!oldest || s->last_seen < oldest->last_seen)
			oldest = s;
	}
	return oldest;
}

/* Points s at client ci. The reference is taken before the old one is dropped, so a client
 * that gives up one of its own slots for another never sees its count reach zero. */
static void reassign(struct endpoint_table *t, struct endpoint_slot *s,
		     const struct endpoint_key *key, unsigned int ci, uint64_t now)
{
	struct endpoint_slot old = *s;
	struct endpoint_client *c;

	*s = (struct endpoint_slot){ .key = *key, .last_seen = now, .gen = t->clients[ci].gen,
				     .client = (uint16_t)ci, .used = true };
	t->clients[ci].refs++;
	if (!slot_valid(t, &old))
		return;
	c = &t->clients[old.client];
	if (--c->refs == 0) {
		c->used = false;
		c->gen++;
	}
}

static bool same_addr(const struct endpoint_client *c, const struct sockaddr *addr,
		      socklen_t addrlen)
{
	return c->used && c->addrlen == addrlen && !memcmp(&c->addr, addr, addrlen);
}

/* Room for a new client: a free place, else the least recently seen stale client, whose
 * addresses stop routing (its generation moves on). -1 when every client is fresh. */
static int spare_client(const struct endpoint_table *t, uint64_t now)
{
	int oldest = -1;

	for (int i = 0; i < ENDPOINT_MAX_CLIENTS; i++) {
		const struct endpoint_client *c = &t->clients[i];

		if (!c->used)
			return i;
		if (!fresh(t, c->last_seen, now) &&
		    (oldest < 0 || c->last_seen < t->clients[oldest].last_seen))
			oldest = i;
	}
	return oldest;
}

static int client_index(struct endpoint_table *t, const struct sockaddr *addr, socklen_t addrlen,
			uint64_t now)
{
	struct endpoint_client *c;
	int i;

	if (same_addr(&t->clients[t->last], addr, addrlen))
		return (int)t->last;
	for (i = 0; i < ENDPOINT_MAX_CLIENTS; i++)
		if (same_addr(&t->clients[i], addr, addrlen))
			return i;
	i = spare_client(t, now);
	if (i < 0)
		return -1;
	c = &t->clients[i];
	*c = (struct endpoint_client){ .addrlen = addrlen, .gen = c->gen + 1, .used = true };
	memcpy(&c->addr, addr, addrlen);
	return i;
}

enum endpoint_learned endpoint_learn(struct endpoint_table *t, const struct endpoint_key *key,
				     const struct sockaddr *addr, socklen_t addrlen, uint64_t now)
{
	struct endpoint_slot *s;
	enum endpoint_learned ret;
	int ci;

	if (addrlen > sizeof(struct sockaddr_storage) || key->len > sizeof(key->bytes))
		return ENDPOINT_FULL;
	ci = client_index(t, addr, addrlen, now);
	if (ci < 0)
		return ENDPOINT_FULL;
	t->last = (unsigned int)ci;
	t->clients[ci].last_seen = now;
	s = find_slot(t, key);
	if (s && slot_valid(t, s) && s->client == ci) {
		s->last_seen = now;
		return ENDPOINT_KNOWN;
	}
	ret = s && slot_valid(t, s) ? ENDPOINT_MOVED : ENDPOINT_NEW;
	reassign(t, s ? s : claim_slot(t, key), key, (unsigned int)ci, now);
	return ret;
}

const struct endpoint_client *endpoint_lookup(const struct endpoint_table *t,
					      const struct endpoint_key *key)
{
	const struct endpoint_slot *s = find_slot(t, key);

	return s && slot_valid(t, s) ? &t->clients[s->client] : NULL;
}

const struct endpoint_client *endpoint_sole_client(const struct endpoint_table *t, uint64_t now)
{
	const struct endpoint_client *any = NULL, *recent = NULL;
	unsigned int nany = 0, nrecent = 0;

	for (int i = 0; i < ENDPOINT_MAX_CLIENTS; i++) {
		const struct endpoint_client *c = &t->clients[i];

		if (!c->used)
			continue;
		any = c;
		nany++;
		if (fresh(t, c->last_seen, now)) {
			recent = c;
			nrecent++;
		}
	}
	if (nrecent)
		return nrecent == 1 ? recent : NULL;
	return nany == 1 ? any : NULL;
}

unsigned int endpoint_list_clients(const struct endpoint_table *t,
				   const struct endpoint_client **out, unsigned int max)
{
	unsigned int n = 0;

	for (int i = 0; i < ENDPOINT_MAX_CLIENTS; i++) {
		if (!t->clients[i].used)
			continue;
		if (n < max)
			out[n] = &t->clients[i];
		n++;
	}
	return n;
}
