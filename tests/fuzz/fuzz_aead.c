/* libFuzzer harness for the data path's AEAD backends, differential: a key, a counter, a
 * byte of choices and a text, sealed by each backend (and by libsodium, a third
 * implementation) must come out byte for byte the same; each sealed message must open under
 * the other backend, in place, to the text; and with the bit the choice byte names flipped,
 * or the counter changed, both must refuse it and leave no text behind. Without ipsec-mb
 * built in, OpenSSL's backend is held against libsodium alone.
 *   make build/fuzz/fuzz_aead && build/fuzz/fuzz_aead tests/fuzz/corpus_aead
 * Input: key[32] counter[8, little-endian] choice[1] text[...] */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium/crypto_aead_chacha20poly1305.h>

#include "wg/crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HEAD (WG_KEY_LEN + 8 + 1)
#define MAX_TEXT 65535

static const char *const backends[] = { "openssl", "ipsec-mb" };
static uint8_t sealed[2][MAX_TEXT + WG_TAG_LEN], ref[MAX_TEXT + WG_TAG_LEN], buf[MAX_TEXT + WG_TAG_LEN];

static void check(bool ok)
{
	if (!ok)
		abort();
}

static void make(struct crypto_aead_ctx *c, int b, const uint8_t *key, bool encrypt)
{
	check(crypto_aead_choose(backends[b]));
	check(crypto_aead_ctx_init(c, key, encrypt));
}

static bool wiped(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

/* Opens what backend 'from' sealed with backend 'to': whole, then tampered. */
static void cross_open(struct crypto_aead_ctx *rx, const uint8_t *msg, const uint8_t *text,
		       size_t len, uint64_t counter, uint8_t choice)
{
	size_t at = (size_t)choice * 257 % (len + WG_TAG_LEN);

	memcpy(buf, msg, len + WG_TAG_LEN);
	check(crypto_aead_ctx_open(rx, 0, buf, buf, len + WG_TAG_LEN, counter));
	check(!memcmp(buf, text, len));
	memcpy(buf, msg, len + WG_TAG_LEN);
	buf[at] ^= (uint8_t)(1u << (choice & 7));
	check(!crypto_aead_ctx_open(rx, 0, buf, buf, len + WG_TAG_LEN, counter));
	check(wiped(buf, len));
	memcpy(buf, msg, len + WG_TAG_LEN);
	check(!crypto_aead_ctx_open(rx, 0, buf, buf, len + WG_TAG_LEN, counter + 1 + choice));
	check(wiped(buf, len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int n = -1;
	struct crypto_aead_ctx tx[2], rx[2];
	uint8_t nonce[12] = { 0 };
	uint64_t counter = 0;
	size_t len;
	uint8_t choice;

	if (n < 0) {
		check(crypto_init());
		n = crypto_aead_choose("ipsec-mb") ? 2 : 1;
#ifdef ADIT_IPSEC_MB
		check(n == 2); /* built in, it must pass its self-test here */
#endif
	}
	if (size < HEAD || size - HEAD > MAX_TEXT)
		return 0;
	for (int i = 0; i < 8; i++)
		counter |= (uint64_t)data[WG_KEY_LEN + i] << (8 * i);
	memcpy(nonce + 4, data + WG_KEY_LEN, 8);
	choice = data[WG_KEY_LEN + 8];
	len = size - HEAD;
	crypto_aead_chacha20poly1305_ietf_encrypt_detached(ref, ref + len, NULL, data + HEAD, len,
							  NULL, 0, NULL, nonce, data);
	for (int b = 0; b < n; b++) {
		make(&tx[b], b, data, true);
		make(&rx[b], b, data, false);
		check(crypto_aead_ctx_seal(&tx[b], 0, sealed[b], data + HEAD, len, counter));
		check(!memcmp(sealed[b], ref, len + WG_TAG_LEN));
	}
	for (int b = 0; b < n; b++)
		cross_open(&rx[(b + 1) % n], sealed[b], data + HEAD, len, counter, choice);
	for (int b = 0; b < n; b++) {
		crypto_aead_ctx_free(&tx[b]);
		crypto_aead_ctx_free(&rx[b]);
	}
	return 0;
}
