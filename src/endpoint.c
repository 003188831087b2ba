#include <string.h>

#include "endpoint.h"

#define PROBE 8 /* slots searched for a key: a bounded cost per packet */

void endpoint_table_init(struct endpoint_table *t, unsigned int idle_sec)
{
	memset(t, 0, sizeof(*t));
	t->idle = idle_sec;
}

static bool fresh(const struct endpoint_table *t, uint64_t last_seen, uint64_t now)
{
	return now - last_seen < t->idle;
}

static bool client_live(const struct endpoint_table *t, const struct endpoint_client *c,
			uint64_t now)
{
	return c->used && fresh(t, c->last_seen, now);
}

/* A slot is live while its client is the one it was learned for and both were seen lately. */
static bool slot_live(const struct endpoint_table *t, const struct endpoint_slot *s, uint64_t now)
{
	const struct endpoint_client *c = &t->clients[s->client];

	return s->used && c->gen == s->gen && client_live(t, c, now) && fresh(t, s->last_seen, now);
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

/* A slot for a new key: a free or dead one in the probe window, else the least recently seen. */
static struct endpoint_slot *claim_slot(struct endpoint_table *t, const struct endpoint_key *key,
					uint64_t now)
{
	struct endpoint_slot *oldest = NULL;
	uint32_t h = hash(key);

	for (unsigned int i = 0; i < PROBE; i++) {
		struct endpoint_slot *s = &t->slots[(h + i) & (ENDPOINT_SLOTS - 1)];

		if (!slot_live(t, s, now))
			return s;
		if (!oldest || s->last_seen < oldest->last_seen)
			oldest = s;
	}
	return oldest;
}

static void detach(struct endpoint_table *t, struct endpoint_slot *s)
{
	struct endpoint_client *c = &t->clients[s->client];

	if (s->used && c->used && c->gen == s->gen && --c->refs == 0) {
		c->used = false;
		c->gen++;
	}
	s->used = false;
}

static void attach(struct endpoint_table *t, struct endpoint_slot *s, unsigned int client,
		   uint64_t now)
{
	s->client = (uint16_t)client;
	s->gen = t->clients[client].gen;
	s->last_seen = now;
	s->used = true;
	t->clients[client].refs++;
}

static bool same_addr(const struct endpoint_client *c, const struct sockaddr *addr,
		      socklen_t addrlen)
{
	return c->addrlen == addrlen && !memcmp(&c->addr, addr, addrlen);
}

/* The client for addr: the one already known, else a free or expired slot; -1 if full. */
static int client_index(struct endpoint_table *t, const struct sockaddr *addr, socklen_t addrlen,
			uint64_t now)
{
	int spare = -1;

	for (int i = 0; i < ENDPOINT_MAX_CLIENTS; i++) {
		struct endpoint_client *c = &t->clients[i];

		if (client_live(t, c, now) && same_addr(c, addr, addrlen))
			return i;
		if (spare < 0 && !client_live(t, c, now))
			spare = i;
	}
	if (spare >= 0) {
		struct endpoint_client *c = &t->clients[spare];
		unsigned int gen = c->gen + 1; /* forget any address learned for the old one */

		memset(c, 0, sizeof(*c));
		memcpy(&c->addr, addr, addrlen);
		c->addrlen = addrlen;
		c->gen = gen;
		c->used = true;
	}
	return spare;
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
	t->clients[ci].last_seen = now;
	s = find_slot(t, key);
	if (s && s->client == ci && s->gen == t->clients[ci].gen && slot_live(t, s, now)) {
		s->last_seen = now;
		return ENDPOINT_KNOWN;
	}
	ret = s && slot_live(t, s, now) ? ENDPOINT_MOVED : ENDPOINT_NEW;
	if (!s)
		s = claim_slot(t, key, now);
	detach(t, s);
	s->key = *key;
	attach(t, s, (unsigned int)ci, now);
	return ret;
}

const struct endpoint_client *endpoint_lookup(const struct endpoint_table *t,
					      const struct endpoint_key *key, uint64_t now)
{
	const struct endpoint_slot *s = find_slot(t, key);

	if (!s || !slot_live(t, s, now))
		return NULL;
	return &t->clients[s->client];
}

unsigned int endpoint_clients(const struct endpoint_table *t, uint64_t now,
			      const struct endpoint_client **out, unsigned int max)
{
	unsigned int n = 0;

	for (int i = 0; i < ENDPOINT_MAX_CLIENTS; i++) {
		if (!client_live(t, &t->clients[i], now))
			continue;
		if (n < max)
			out[n] = &t->clients[i];
		n++;
	}
	return n;
}
