#include <stdio.h>
#include <string.h>

#include "base/drops.h"

static const struct drop_vocab *vocabs[DROPS_VOCABS_MAX];
static unsigned int nvocabs;

void drops_register(const struct drop_vocab *v)
{
	for (unsigned int i = 0; i < nvocabs; i++)
		if (vocabs[i] == v)
			return;
	if (nvocabs < DROPS_VOCABS_MAX)
		vocabs[nvocabs++] = v;
}

const struct drop_vocab *drops_vocab_of(const char *key)
{
	for (unsigned int i = 0; i < nvocabs; i++)
		if (!strncmp(key, vocabs[i]->prefix, strlen(vocabs[i]->prefix)))
			return vocabs[i];
	return NULL;
}

unsigned int drops_find(const struct drop_vocab *v, const char *name)
{
	for (unsigned int i = 0; i < v->count; i++)
		if (!strcmp(name, v->reasons[i].name))
			return i;
	return v->count;
}

const char *drops_explain(const char *key)
{
	const struct drop_vocab *v = drops_vocab_of(key);
	unsigned int i;

	if (!v)
		return NULL;
	i = drops_find(v, key + strlen(v->prefix));
	return i < v->count ? v->reasons[i].why : NULL;
}

const char *drops_key(const struct drop_vocab *v, unsigned int i, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s", v->prefix, i < v->count ? v->reasons[i].name : "unknown");
	return buf;
}
