/* One vocabulary for every drop counter adit keeps. Each layer that drops packets (io, lab,
 * wg) lists its reasons once, in a struct drop_vocab: a short name for the key that the
 * control sockets report ("drop_mac1", "io_drop_udp_full", "lab_drop_no_client": the
 * vocabulary's prefix and the name) and a sentence saying why, for the log and adit show.
 * adit show registers the vocabularies it knows and explains any key through them. */
#ifndef ADIT_BASE_DROPS_H
#define ADIT_BASE_DROPS_H

#include <stddef.h>

struct drop_reason {
	const char *name; /* the key's end: "mac1", "udp_full" */
	const char *why;  /* "invalid mac1: the message was not made for our public key" */
};

struct drop_vocab {
	const char *prefix; /* of its keys: "drop_", "io_drop_", "lab_drop_" */
	const struct drop_reason *reasons;
	unsigned int count;
};

#define DROPS_VOCABS_MAX 4

/* Makes v's keys known to drops_explain and drops_vocab_of (at most DROPS_VOCABS_MAX
 * vocabularies; registering one twice is harmless). */
void drops_register(const struct drop_vocab *v);
/* The registered vocabulary whose prefix key starts with, or NULL. */
const struct drop_vocab *drops_vocab_of(const char *key);
/* The sentence for a key of a registered vocabulary, or NULL when no reason has that key. */
const char *drops_explain(const char *key);
/* The index of the reason called name in v, or v->count. */
unsigned int drops_find(const struct drop_vocab *v, const char *name);
/* v's key for reason i ("io_drop_udp_full") into buf. */
const char *drops_key(const struct drop_vocab *v, unsigned int i, char *buf, size_t size);

#endif
