#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "lab/lab_clients.h"

#define NONE UINT32_MAX
#define HOST_BUCKETS LAB_CLIENTS_MAX                     /* a power of two */
#define ADDR_BUCKETS (LAB_CLIENTS_MAX * LAB_CLIENT_ADDRS) /* a power of two */
#define ADDRS_MAX (LAB_CLIENTS_MAX * LAB_CLIENT_ADDRS)

_Static_assert((HOST_BUCKETS & (HOST_BUCKETS - 1)) == 0, "host buckets: a power of two");
_Static_assert((ADDR_BUCKETS & (ADDR_BUCKETS - 1)) == 0, "address buckets: a power of two");
_Static_assert(LAB_HOST_CLIENTS < LAB_CLIENTS_MAX, "one host must not fill the table");

/* An inner address a client owns. Its number is its place's times LAB_CLIENT_ADDRS plus its
 * slot: every client has room for its cap, so the addresses can never run out before the
 * clients do. */
struct inner {
	struct lab_key key;
	uint64_t last_seen;
	uint32_t next; /* in its hash chain */
	bool used;
};

/* Two lists of clients by when they were last seen: every client, and the unconfirmed ones
 * (whose oldest gives way first to a newcomer). */
enum { ALL, UNCONFIRMED, LISTS };

struct link {
	uint32_t newer, older;
};

struct ends {
	uint32_t newest, oldest;
};

struct place {
	struct lab_client c; /* first: a client the caller holds is its place */
	struct inner addrs[LAB_CLIENT_ADDRS];
	uint64_t tick;         /* the learn it was last seen in: orders clients within a second */
	uint32_t next_of_host; /* in its host's hash chain; in the free list when not used */
	struct link link[LISTS];
	unsigned int naddrs;
	bool used;
};

struct lab_clients {
	uint64_t idle, tick;
	uint8_t hash_key[crypto_shorthash_KEYBYTES];
	struct ends list[LISTS];
	uint32_t free;
	uint32_t last; /* the place learned from last: most datagrams come from it again */
	bool full;     /* a newcomer was refused, and no place has been given since */
	struct lab_clients_counts counts;
	uint32_t host_bucket[HOST_BUCKETS];
	uint32_t addr_bucket[ADDR_BUCKETS];
	struct place places[LAB_CLIENTS_MAX];
};

struct lab_clients *lab_clients_new(unsigned int idle_sec)
{
	struct lab_clients *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	if (sodium_init() < 0) {
		free(t);
		errno = EAGAIN;
		return NULL;
	}
	crypto_shorthash_keygen(t->hash_key);
	t->idle = idle_sec;
	for (int l = 0; l < LISTS; l++)
		t->list[l].newest = t->list[l].oldest = NONE;
	memset(t->host_bucket, 0xff, sizeof(t->host_bucket));
	memset(t->addr_bucket, 0xff, sizeof(t->addr_bucket));
	for (uint32_t i = 0; i < LAB_CLIENTS_MAX; i++)
		t->places[i].next_of_host = i + 1 < LAB_CLIENTS_MAX ? i + 1 : NONE;
	t->free = 0;
	return t;
}

void lab_clients_free(struct lab_clients *t)
{
	free(t);
}

bool lab_key_of(const uint8_t *pkt, size_t len, enum link_type link, bool source,
		struct lab_key *key)
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

static bool fresh(const struct lab_clients *t, uint64_t last_seen, uint64_t now)
{
	return now - last_seen < t->idle;
}

static struct inner *inner_at(struct lab_clients *t, uint32_t n)
{
	return &t->places[n / LAB_CLIENT_ADDRS].addrs[n % LAB_CLIENT_ADDRS];
}

static const struct inner *inner_of(const struct lab_clients *t, uint32_t n)
{
	return &t->places[n / LAB_CLIENT_ADDRS].addrs[n % LAB_CLIENT_ADDRS];
}

/* The bytes that name a host: an IPv4 address (also one mapped into IPv6, as a server on
 * [::] sees IPv4 clients), or the /64 of an IPv6 address, since one machine may send from
 * any address of its /64. */
static const uint8_t *host_bytes(const struct sockaddr *sa, size_t *len)
{
	const struct in6_addr *a6;

	if (sa->sa_family == AF_INET) {
		*len = 4;
		return (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
	}
	if (sa->sa_family == AF_INET6) {
		a6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		if (IN6_IS_ADDR_V4MAPPED(a6)) {
			*len = 4;
			return a6->s6_addr + 12;
		}
		*len = 8;
		return a6->s6_addr;
	}
	*len = 0;
	return (const uint8_t *)sa;
}

/* The endpoints are hashed by host alone, so a host's places share one chain: counting them
 * and finding its least recently seen is a walk of at most LAB_HOST_CLIENTS (and the few
 * other hosts that share the bucket). */
/* SipHash-2-4 (libsodium's shorthash) under the table's random key: no sender can choose
 * inputs that pile into one bucket. */
static uint32_t keyed_hash(const struct lab_clients *t, const uint8_t *data, size_t len)
{
	uint64_t h;

	crypto_shorthash((unsigned char *)&h, data, len, t->hash_key);
	return (uint32_t)h;
}

static uint32_t host_hash(const struct lab_clients *t, const struct sockaddr *sa)
{
	size_t len;
	const uint8_t *b = host_bytes(sa, &len);

	return keyed_hash(t, b, len) & (HOST_BUCKETS - 1);
}

static bool same_host(const struct lab_client *c, const struct sockaddr *sa)
{
	size_t a_len, b_len;
	const uint8_t *a = host_bytes((const struct sockaddr *)&c->addr, &a_len);
	const uint8_t *b = host_bytes(sa, &b_len);

	return a_len == b_len && (!a_len || !memcmp(a, b, a_len));
}

static bool same_endpoint(const struct place *p, const struct sockaddr *sa, socklen_t len)
{
	return p->used && p->c.addrlen == len && !memcmp(&p->c.addr, sa, len);
}

static uint32_t addr_hash(const struct lab_clients *t, const struct lab_key *key)
{
	return keyed_hash(t, key->bytes, key->len) & (ADDR_BUCKETS - 1);
}

static bool same_key(const struct lab_key *a, const struct lab_key *b)
{
	return a->len == b->len && !memcmp(a->bytes, b->bytes, a->len);
}

static uint32_t find_inner(const struct lab_clients *t, const struct lab_key *key)
{
	uint32_t n = t->addr_bucket[addr_hash(t, key)];

	while (n != NONE) {
		const struct inner *in = inner_of(t, n);

		if (same_key(&in->key, key))
			return n;
		n = in->next;
	}
	return NONE;
}

/* Unlinks n from the chain that starts at *head, link giving each entry's next. */
static void unchain(struct lab_clients *t, uint32_t *head, uint32_t n,
		    uint32_t *(*link)(struct lab_clients *, uint32_t))
{
	uint32_t *at = head;

	while (*at != NONE && *at != n)
		at = link(t, *at);
	if (*at == n)
		*at = *link(t, n);
}

static uint32_t *inner_link(struct lab_clients *t, uint32_t n)
{
	return &inner_at(t, n)->next;
}

static uint32_t *host_link(struct lab_clients *t, uint32_t i)
{
	return &t->places[i].next_of_host;
}

/* Forgets inner address n; its client keeps its place, even with no address left. */
static void remove_inner(struct lab_clients *t, uint32_t n)
{
	struct inner *in = inner_at(t, n);

	unchain(t, &t->addr_bucket[addr_hash(t, &in->key)], n, inner_link);
	in->used = false;
	t->places[n / LAB_CLIENT_ADDRS].naddrs--;
}

static void list_unlink(struct lab_clients *t, int l, uint32_t i)
{
	struct link *k = &t->places[i].link[l];

	if (k->newer != NONE)
		t->places[k->newer].link[l].older = k->older;
	else
		t->list[l].newest = k->older;
	if (k->older != NONE)
		t->places[k->older].link[l].newer = k->newer;
	else
		t->list[l].oldest = k->newer;
}

static void list_push(struct lab_clients *t, int l, uint32_t i)
{
	struct link *k = &t->places[i].link[l];

	k->newer = NONE;
	k->older = t->list[l].newest;
	if (t->list[l].newest != NONE)
		t->places[t->list[l].newest].link[l].newer = i;
	else
		t->list[l].oldest = i;
	t->list[l].newest = i;
}

/* Place i was just seen: it moves to the front of its lists. */
static void touch(struct lab_clients *t, uint32_t i)
{
	for (int l = 0; l < LISTS; l++) {
		if (l == UNCONFIRMED && t->places[i].c.confirmed)
			break;
		if (t->list[l].newest == i)
			continue;
		list_unlink(t, l, i);
		list_push(t, l, i);
	}
}

/* A datagram from place i at now: the second one LAB_CONFIRM_SEC after its first confirms
 * it, and it leaves the list of those that give way first. */
static void confirm(struct lab_clients *t, uint32_t i, uint64_t now)
{
	struct lab_client *c = &t->places[i].c;

	if (c->confirmed || now - c->first_seen < LAB_CONFIRM_SEC)
		return;
	c->confirmed = true;
	list_unlink(t, UNCONFIRMED, i);
}

/* Empties place i: its addresses stop routing. Returns i, for reuse. */
static uint32_t evict(struct lab_clients *t, uint32_t i)
{
	struct place *p = &t->places[i];

	for (uint32_t s = 0; s < LAB_CLIENT_ADDRS; s++)
		if (p->addrs[s].used)
			remove_inner(t, i * LAB_CLIENT_ADDRS + s);
	unchain(t, &t->host_bucket[host_hash(t, (const struct sockaddr *)&p->c.addr)], i,
		host_link);
	list_unlink(t, ALL, i);
	if (!p->c.confirmed)
		list_unlink(t, UNCONFIRMED, i);
	p->used = false;
	t->counts.clients--;
	return i;
}

/* A client whose last address another client took is no client any more. */
static void release(struct lab_clients *t, uint32_t i)
{
	evict(t, i);
	t->places[i].next_of_host = t->free;
	t->free = i;
}

static uint32_t find_place(const struct lab_clients *t, const struct sockaddr *sa,
			   socklen_t len)
{
	uint32_t i = t->last;

	if (same_endpoint(&t->places[i], sa, len))
		return i;
	for (i = t->host_bucket[host_hash(t, sa)]; i != NONE; i = t->places[i].next_of_host)
		if (same_endpoint(&t->places[i], sa, len))
			return i;
	return NONE;
}

/* The least recently seen place of sa's host if the host holds its limit, else NONE. */
static uint32_t host_at_limit(const struct lab_clients *t, const struct sockaddr *sa)
{
	uint32_t i, oldest = NONE;
	unsigned int n = 0;

	for (i = t->host_bucket[host_hash(t, sa)]; i != NONE; i = t->places[i].next_of_host) {
		if (!same_host(&t->places[i].c, sa))
			continue;
		n++;
		if (oldest == NONE || t->places[i].tick < t->places[oldest].tick)
			oldest = i;
	}
	return n >= LAB_HOST_CLIENTS ? oldest : NONE;
}

/* Room for a new client, in the order the header gives; NONE when every place is held by a
 * fresh confirmed client. */
static uint32_t place_for(struct lab_clients *t, const struct sockaddr *sa,
			  const struct lab_key *key, uint64_t now)
{
	uint32_t i = host_at_limit(t, sa), owned;

	if (i != NONE) {
		t->counts.host_replaced++;
		return evict(t, i);
	}
	if (t->free != NONE) {
		i = t->free;
		t->free = t->places[i].next_of_host;
		return i;
	}
	owned = find_inner(t, key);
	/* A restart, counted as the move of its address. */
	if (owned != NONE && same_host(&t->places[owned / LAB_CLIENT_ADDRS].c, sa))
		return evict(t, owned / LAB_CLIENT_ADDRS);
	i = t->list[ALL].oldest;
	if (i != NONE && !fresh(t, t->places[i].c.last_seen, now)) {
		t->counts.expired++;
		return evict(t, i);
	}
	if (t->list[UNCONFIRMED].oldest != NONE) {
		t->counts.unconfirmed_replaced++;
		return evict(t, t->list[UNCONFIRMED].oldest);
	}
	return NONE;
}

static uint32_t new_client(struct lab_clients *t, const struct sockaddr *sa, socklen_t len,
			   const struct lab_key *key, uint64_t now, struct lab_learning *out)
{
	uint32_t i = place_for(t, sa, key, now), *bucket = &t->host_bucket[host_hash(t, sa)];
	struct place *p;

	if (i == NONE) {
		t->counts.refused++;
		out->first_refusal = !t->full;
		t->full = true;
		return NONE;
	}
	t->full = false;
	p = &t->places[i];
	memset(p, 0, sizeof(*p));
	memcpy(&p->c.addr, sa, len);
	p->c.addrlen = len;
	p->c.first_seen = now;
	p->used = true;
	p->next_of_host = *bucket;
	*bucket = i;
	list_push(t, ALL, i);
	list_push(t, UNCONFIRMED, i);
	t->counts.clients++;
	return i;
}

/* A slot for one more address of place i: a free one, else its least recently seen address
 * if that one is stale (forgotten here). NONE when the client holds its cap of fresh ones. */
static uint32_t room_for_address(struct lab_clients *t, uint32_t i, uint64_t now)
{
	struct place *p = &t->places[i];
	uint32_t oldest = NONE;

	for (uint32_t s = 0; s < LAB_CLIENT_ADDRS; s++) {
		if (!p->addrs[s].used)
			return i * LAB_CLIENT_ADDRS + s;
		if (oldest == NONE || p->addrs[s].last_seen < p->addrs[oldest].last_seen)
			oldest = s;
	}
	if (fresh(t, p->addrs[oldest].last_seen, now))
		return NONE;
	remove_inner(t, i * LAB_CLIENT_ADDRS + oldest);
	return i * LAB_CLIENT_ADDRS + oldest;
}

static enum lab_learned learn_key(struct lab_clients *t, uint32_t i, const struct lab_key *key,
				  uint64_t now, struct lab_learning *out)
{
	struct place *p = &t->places[i];
	uint32_t owned = find_inner(t, key), n, owner;
	struct inner *in;

	if (owned != NONE && owned / LAB_CLIENT_ADDRS == i) {
		inner_at(t, owned)->last_seen = now;
		return LAB_KNOWN;
	}
	n = room_for_address(t, i, now);
	if (n == NONE) {
		p->c.refused++;
		t->counts.addrs_refused++;
		out->first_refusal = p->c.refused == 1;
		return LAB_ADDR_REFUSED;
	}
	if (owned != NONE) {
		owner = owned / LAB_CLIENT_ADDRS;
		remove_inner(t, owned);
		if (!t->places[owner].naddrs)
			release(t, owner);
	}
	in = inner_at(t, n);
	*in = (struct inner){ .key = *key, .last_seen = now, .used = true,
			      .next = t->addr_bucket[addr_hash(t, key)] };
	t->addr_bucket[addr_hash(t, key)] = n;
	p->naddrs++;
	return owned != NONE ? LAB_MOVED : LAB_NEW;
}

enum lab_learned lab_clients_learn(struct lab_clients *t, const struct lab_key *key,
				   const struct sockaddr *addr, socklen_t addrlen, uint64_t now,
				   struct lab_learning *out)
{
	struct lab_learning ignored;
	enum lab_learned ret;
	bool owned = false;
	uint32_t i;

	if (!out)
		out = &ignored;
	*out = (struct lab_learning){ 0 };
	if (addrlen > sizeof(struct sockaddr_storage) || addrlen < sizeof(sa_family_t) ||
	    (key->len != 4 && key->len != 6 && key->len != 16))
		return LAB_FULL; /* not from lab_key_of and recvfrom: nothing to learn */
	i = find_place(t, addr, addrlen);
	if (i == NONE) {
		/* Making room may evict the key's owner: it still moved, from the sender's side. */
		owned = find_inner(t, key) != NONE;
		i = new_client(t, addr, addrlen, key, now, out);
	}
	if (i == NONE)
		return LAB_FULL;
	t->last = i;
	t->places[i].c.last_seen = now;
	t->places[i].tick = ++t->tick;
	confirm(t, i, now);
	touch(t, i);
	out->client = &t->places[i].c;
	ret = learn_key(t, i, key, now, out);
	return ret == LAB_NEW && owned ? LAB_MOVED : ret;
}

const struct lab_client *lab_clients_lookup(const struct lab_clients *t,
					    const struct lab_key *key)
{
	uint32_t n = find_inner(t, key);

	return n == NONE ? NULL : &t->places[n / LAB_CLIENT_ADDRS].c;
}

const struct lab_client *lab_clients_sole(const struct lab_clients *t, uint64_t now)
{
	const struct place *p;

	if (t->list[ALL].newest == NONE)
		return NULL;
	p = &t->places[t->list[ALL].newest];
	if (!fresh(t, p->c.last_seen, now))
		return t->counts.clients == 1 ? &p->c : NULL;
	if (p->link[ALL].older == NONE ||
	    !fresh(t, t->places[p->link[ALL].older].c.last_seen, now))
		return &p->c;
	return NULL;
}

const struct lab_client *lab_clients_next(const struct lab_clients *t,
					  const struct lab_client *prev)
{
	uint32_t i = prev ? ((const struct place *)prev)->link[ALL].older : t->list[ALL].newest;

	return i == NONE ? NULL : &t->places[i].c;
}

const struct lab_clients_counts *lab_clients_counts(const struct lab_clients *t)
{
	return &t->counts;
}

/* A client the caller holds is the first member of its place, in this table. */
static struct place *place_of(struct lab_clients *t, const struct lab_client *c)
{
	return &t->places[(const struct place *)c - t->places];
}

void lab_clients_count(struct lab_clients *t, const struct lab_client *c, bool sent, size_t len)
{
	struct lab_client *mine = &place_of(t, c)->c;

	if (sent) {
		mine->tx_packets++;
		mine->tx_bytes += len;
	} else {
		mine->rx_packets++;
		mine->rx_bytes += len;
	}
}

unsigned int lab_clients_addrs(const struct lab_clients *t, const struct lab_client *c,
			       struct lab_key keys[LAB_CLIENT_ADDRS])
{
	const struct place *p = &t->places[(const struct place *)c - t->places];
	unsigned int n = 0;

	for (unsigned int s = 0; s < LAB_CLIENT_ADDRS; s++)
		if (p->addrs[s].used)
			keys[n++] = p->addrs[s].key;
	return n;
}

static bool in_net(const struct lab_key *key, const struct prefix *net)
{
	unsigned int whole = net->plen / 8, rest = net->plen % 8;

	if (key->len != (net->family == AF_INET ? 4 : 16) || net->plen > key->len * 8)
		return false;
	if (memcmp(key->bytes, net->addr, whole))
		return false;
	return !rest || !((key->bytes[whole] ^ net->addr[whole]) & (0xff << (8 - rest)));
}

void lab_key_to_site(struct lab_key *key, const struct prefix *nets, unsigned int n)
{
	const struct prefix *best = NULL;

	if (key->len != 4 && key->len != 16)
		return;
	for (unsigned int i = 0; i < n; i++)
		if (in_net(key, &nets[i]) && (!best || nets[i].plen > best->plen))
			best = &nets[i];
	if (best)
		memcpy(key->bytes, best->addr, key->len); /* -r has no host bits (opts.c) */
}
