#include "siphash.h"

static uint64_t rotl(uint64_t x, unsigned int b)
{
	return (x << b) | (x >> (64 - b));
}

/* Little-endian, byte by byte: no alignment assumed, the same on every host. */
static uint64_t load(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void round_of(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = rotl(v[1], 13) ^ v[0];
	v[0] = rotl(v[0], 32);
	v[2] += v[3];
	v[3] = rotl(v[3], 16) ^ v[2];
	v[0] += v[3];
	v[3] = rotl(v[3], 21) ^ v[0];
	v[2] += v[1];
	v[1] = rotl(v[1], 17) ^ v[2];
	v[2] = rotl(v[2], 32);
}

/* One message word: two compression rounds. */
static void absorb(uint64_t v[4], uint64_t m)
{
	v[3] ^= m;
	round_of(v);
	round_of(v);
	v[0] ^= m;
}

uint64_t siphash(const uint8_t key[SIPHASH_KEY_LEN], const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t k0 = load(key, 8), k1 = load(key + 8, 8);
	uint64_t v[4] = { k0 ^ 0x736f6d6570736575ull, k1 ^ 0x646f72616e646f6dull,
			  k0 ^ 0x6c7967656e657261ull, k1 ^ 0x7465646279746573ull };
	size_t i;

	for (i = 0; i + 8 <= len; i += 8)
		absorb(v, load(p + i, 8));
	/* The last word: the bytes left over, and the length's low byte on top. */
	absorb(v, load(p + i, len - i) | (uint64_t)(len & 0xff) << 56);
	v[2] ^= 0xff;
	for (i = 0; i < 4; i++)
		round_of(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}
