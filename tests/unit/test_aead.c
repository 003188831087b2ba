/* The data path's two AEAD backends (aead.c): each against RFC 8439's vectors and a message
 * computed by libsodium, an implementation independent of both; each against the other on
 * random keys, lengths (0 to 65,535) and counters, both ways, in place and not, on several
 * crypto lanes; and both refusing, with the text wiped, any tampered tag, text, counter or
 * length. Built with intel-ipsec-mb (ADIT_IPSEC_MB), its backend must be usable here: a test
 * that finds it missing fails rather than skips, so a broken backend cannot hide. Built
 * without, OpenSSL's is held against libsodium, and ipsec-mb's stubs must refuse. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <sodium/crypto_aead_chacha20poly1305.h>

#include "wg/aead_ipsecmb.h"
#include "wg/crypto.h"

#define MAX_TEXT 65535

static const char *const backends[] = { "openssl", "ipsec-mb" };
static unsigned int nbackends; /* 2 when built with ipsec-mb, else 1 */
static uint64_t rng_state;

static size_t unhex(uint8_t *out, size_t max, const char *hex)
{
	size_t n = strlen(hex) / 2;
	unsigned int byte;

	assert_true(strlen(hex) % 2 == 0 && n <= max);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &byte), 1);
		out[i] = (uint8_t)byte;
	}
	return n;
}

/* xorshift64*: reproducible from the seed the test prints. */
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static void rnd_bytes(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(rnd() >> 56);
}

static void make_ctx(struct crypto_aead_ctx *c, unsigned int backend, const uint8_t *key,
		     bool encrypt)
{
	assert_true(crypto_aead_choose(backends[backend]));
	assert_string_equal(crypto_aead_backend(), backends[backend]);
	assert_true(crypto_aead_ctx_init(c, key, encrypt));
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* ---- Known answers ---- */

static void ipsecmb_is_usable_when_built_in(void **state)
{
	(void)state;
#ifdef ADIT_IPSEC_MB
	assert_true(crypto_aead_choose("ipsec-mb"));
	assert_non_null(strstr(crypto_aead_detail(), "intel-ipsec-mb"));
#else
	assert_false(crypto_aead_choose("ipsec-mb"));
#endif
	assert_true(crypto_aead_choose("openssl"));
	assert_false(crypto_aead_choose("rot13"));
	assert_true(crypto_aead_choose(NULL)); /* keeps the choice */
	assert_string_equal(crypto_aead_backend(), "openssl");
}

/* RFC 8439 §2.8.2 and Appendix A.5, with their nonces and associated data, through the
 * ipsec-mb backend's own calls (the data path's contexts cannot express either nonce's
 * first word). OpenSSL's one-shot functions meet A.5 in test_crypto. */
static void ipsecmb_rfc8439(void **state)
{
	static const struct {
		const char *key, *nonce, *ad, *plain, *sealed;
	} v[] = {
		{ "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
		  "070000004041424344454647", "50515253c0c1c2c3c4c5c6c7",
		  "4c616469657320616e642047656e746c656d656e206f662074686520636c617373206f66202739"
		  "393a204966204920636f756c64206f6666657220796f75206f6e6c79206f6e652074697020666f"
		  "7220746865206675747572652c2073756e73637265656e20776f756c642062652069742e",
		  "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca96712"
		  "82fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58"
		  "fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116"
		  "1ae10b594f09e26a7e902ecbd0600691" },
		{ "1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0",
		  "000000000102030405060708", "f33388860000000000004e91",
		  "496e7465726e65742d4472616674732061726520647261667420646f63756d656e74732076616c6964"
		  "20666f722061206d6178696d756d206f6620736978206d6f6e74687320616e64206d61792062652075"
		  "7064617465642c207265706c616365642c206f72206f62736f6c65746564206279206f746865722064"
		  "6f63756d656e747320617420616e792074696d652e20497420697320696e617070726f707269617465"
		  "20746f2075736520496e7465726e65742d447261667473206173207265666572656e6365206d617465"
		  "7269616c206f7220746f2063697465207468656d206f74686572207468616e206173202fe2809c776f"
		  "726b20696e2070726f67726573732e2fe2809d",
		  "64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb24c6cfc18755d43eea0"
		  "9ee94e382d26b0bdb7b73c321b0100d4f03b7f355894cf332f830e710b97ce98c8a84abd0b948114ad"
		  "176e008d33bd60f982b1ff37c8559797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f615"
		  "7b53c867e4b9166c767b804d46a59b5216cde7a4e99040c5a40433225ee282a1b0a06c523eaf4534d7"
		  "f83fa1155b0047718cbc546a0d072b04b3564eea1b422273f548271a0bb2316053fa76991955ebd631"
		  "59434ecebb4e466dae5a1073a6727627097a1049e617d91d361094fa68f0ff77987130305beaba2eda"
		  "04df997b714d6c6f2c29a6ad5cb4022b02709b"
		  "eead9d67890cbb22392336fea1851f38" },
	};
	uint8_t key[32], nonce[12], ad[12], plain[300], sealed[320], buf[320];

	(void)state;
	if (nbackends < 2) {
		/* Not built in: its calls refuse, and leave no text behind. */
		memset(key, 1, sizeof(key));
		memset(nonce, 0, sizeof(nonce));
		memset(buf, 1, sizeof(buf));
		assert_false(ipsecmb_seal(0, key, nonce, NULL, 0, buf, buf, 16, buf + 16));
		assert_false(ipsecmb_open(0, key, nonce, NULL, 0, buf, buf, 16, buf + 16));
		assert_true(all_zero(buf, 16));
		return;
	}
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t plen, slen;

		unhex(key, sizeof(key), v[i].key);
		unhex(nonce, sizeof(nonce), v[i].nonce);
		unhex(ad, sizeof(ad), v[i].ad);
		plen = unhex(plain, sizeof(plain), v[i].plain);
		slen = unhex(sealed, sizeof(sealed), v[i].sealed);
		assert_int_equal(slen, plen + WG_TAG_LEN);
		/* Out of place, then in place. */
		assert_true(ipsecmb_seal(0, key, nonce, ad, 12, buf, plain, plen, buf + plen));
		assert_memory_equal(buf, sealed, slen);
		memcpy(buf, plain, plen);
		assert_true(ipsecmb_seal(0, key, nonce, ad, 12, buf, buf, plen, buf + plen));
		assert_memory_equal(buf, sealed, slen);
		assert_true(ipsecmb_open(0, key, nonce, ad, 12, buf, buf, plen, buf + plen));
		assert_memory_equal(buf, plain, plen);
		/* Wrong associated data: refused, the text wiped. */
		memcpy(buf, sealed, slen);
		ad[11] ^= 1;
		assert_false(ipsecmb_open(0, key, nonce, ad, 12, buf, buf, plen, buf + plen));
		assert_true(all_zero(buf, plen));
	}
}

/* The data path's shape: RFC 8439 §2.8.2's key and plaintext, WireGuard's nonce (counter
 * 0x1122334455667788), no associated data; the bytes are libsodium's. */
static const char dp_plain[] = "Ladies and Gentlemen of the class of '99: If I could offer you "
			       "only one tip for the future, sunscreen would be it.";
static const char dp_sealed[] =
	"0136cd126e3c61657451db428898186442a5a4f43a563f479c50593b84cbc9f7e60ccfe4f7d671eaa7"
	"b99d4f164682351c3d4fb95772bc1cf9064e58360beb5a19213ada26680f02e79669ce1425a7f8cc75"
	"2abfdacbd5ca10df20f4cd295bbbee11a88d68283f8320b54c1ed6c7a99d17a02c33e93dc8bf7f1fba"
	"b76612345ae95a";

static void each_backend_meets_libsodium(void **state)
{
	uint8_t key[32], sealed[256], buf[256];
	size_t plen = strlen(dp_plain), slen;

	(void)state;
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)(0x80 + i);
	slen = unhex(sealed, sizeof(sealed), dp_sealed);
	for (unsigned int b = 0; b < nbackends; b++) {
		struct crypto_aead_ctx tx, rx;

		make_ctx(&tx, b, key, true);
		make_ctx(&rx, b, key, false);
		memcpy(buf, dp_plain, plen);
		assert_true(crypto_aead_ctx_seal(&tx, 0, buf, buf, plen, 0x1122334455667788));
		assert_memory_equal(buf, sealed, slen);
		assert_true(crypto_aead_ctx_open(&rx, 0, buf, buf, slen, 0x1122334455667788));
		assert_memory_equal(buf, dp_plain, plen);
		crypto_aead_ctx_free(&tx);
		crypto_aead_ctx_free(&rx);
	}
}

/* ---- The backends against each other ---- */

static uint8_t plain[MAX_TEXT], sealed[2][MAX_TEXT + WG_TAG_LEN], buf[MAX_TEXT + WG_TAG_LEN];

/* Seals with one, opens with the other, on random keys, lengths, counters and lanes; the
 * two must also agree with libsodium, byte for byte. (With one backend built in, it is held
 * against libsodium and opens its own.) */
static void backends_agree(void **state)
{
	enum { ROUNDS = 200, LANES = 3 };

	(void)state;
	assert_true(crypto_set_lanes(LANES));
	for (int round = 0; round < ROUNDS; round++) {
		struct crypto_aead_ctx tx[2], rx[2];
		uint8_t key[32], nonce[12] = { 0 };
		/* Every fourth round a short one: the small-message path of each backend. */
		size_t len = (size_t)(rnd() % (round % 4 ? MAX_TEXT + 1 : 300));
		uint64_t counter = rnd();
		unsigned int lane = (unsigned int)(rnd() % LANES);

		rnd_bytes(key, sizeof(key));
		rnd_bytes(plain, len);
		for (int i = 0; i < 8; i++)
			nonce[4 + i] = (uint8_t)(counter >> (8 * i));
		assert_int_equal(crypto_aead_chacha20poly1305_ietf_encrypt_detached(
					 buf, buf + len, NULL, plain, len, NULL, 0, NULL, nonce, key),
				 0);
		for (unsigned int b = 0; b < nbackends; b++) {
			make_ctx(&tx[b], b, key, true);
			make_ctx(&rx[b], b, key, false);
			assert_true(crypto_aead_ctx_seal(&tx[b], lane, sealed[b], plain, len, counter));
			assert_memory_equal(sealed[b], buf, len + WG_TAG_LEN);
		}
		for (unsigned int b = 0; b < nbackends; b++) {
			/* Opened in place by the other backend. */
			memcpy(buf, sealed[b], len + WG_TAG_LEN);
			assert_true(crypto_aead_ctx_open(&rx[(b + 1) % nbackends], lane, buf, buf,
							 len + WG_TAG_LEN, counter));
			assert_memory_equal(buf, plain, len);
		}
		for (unsigned int b = 0; b < nbackends; b++) {
			/* And out of place, as the receive path opens the datagrams of a GRO
			 * message: from its buffer into one of their own. */
			memset(buf, 0xa5, len);
			assert_true(crypto_aead_ctx_open(&rx[b], lane, buf, sealed[b],
							 len + WG_TAG_LEN, counter));
			assert_memory_equal(buf, plain, len);
		}
		for (unsigned int b = 0; b < nbackends; b++) {
			crypto_aead_ctx_free(&tx[b]);
			crypto_aead_ctx_free(&rx[b]);
		}
	}
	assert_true(crypto_set_lanes(1));
}

/* Any change to what was sealed, or to the counter it is opened under, is refused by both,
 * and what was written is wiped. */
static void tampering_refused_by_both(void **state)
{
	enum { ROUNDS = 100 };

	(void)state;
	for (int round = 0; round < ROUNDS; round++) {
		uint8_t key[32];
		size_t len = (size_t)(rnd() % (round % 2 ? 2048 : MAX_TEXT + 1));
		uint64_t counter = rnd();
		struct crypto_aead_ctx tx, rx;

		rnd_bytes(key, sizeof(key));
		rnd_bytes(plain, len);
		for (unsigned int s = 0; s < nbackends; s++) {
			make_ctx(&tx, s, key, true);
			assert_true(crypto_aead_ctx_seal(&tx, 0, sealed[0], plain, len, counter));
			crypto_aead_ctx_free(&tx);
			for (unsigned int o = 0; o < nbackends; o++) {
				size_t at = (size_t)(rnd() % (len + WG_TAG_LEN));
				uint8_t bit = (uint8_t)(1u << (rnd() % 8));

				make_ctx(&rx, o, key, false);
				/* A bit of the text or tag. */
				memcpy(buf, sealed[0], len + WG_TAG_LEN);
				buf[at] ^= bit;
				assert_false(crypto_aead_ctx_open(&rx, 0, buf, buf, len + WG_TAG_LEN,
								  counter));
				assert_true(all_zero(buf, len));
				/* A bit of the tag alone, opened out of place. */
				memcpy(sealed[1], sealed[0], len + WG_TAG_LEN);
				sealed[1][len + rnd() % WG_TAG_LEN] ^= bit;
				memset(buf, 0xa5, len);
				assert_false(crypto_aead_ctx_open(&rx, 0, buf, sealed[1],
								  len + WG_TAG_LEN, counter));
				assert_true(all_zero(buf, len));
				/* Another counter; one byte fewer (the tag moves); less than a tag. */
				memcpy(buf, sealed[0], len + WG_TAG_LEN);
				assert_false(crypto_aead_ctx_open(&rx, 0, buf, buf, len + WG_TAG_LEN,
								  counter ^ (1ULL << (rnd() % 64))));
				memcpy(buf, sealed[0], len + WG_TAG_LEN);
				if (len)
					assert_false(crypto_aead_ctx_open(&rx, 0, buf, buf,
									  len + WG_TAG_LEN - 1,
									  counter));
				assert_false(crypto_aead_ctx_open(&rx, 0, buf, buf, WG_TAG_LEN - 1,
								  counter));
				/* Untouched, it opens: the refusals were the tampering's. */
				memcpy(buf, sealed[0], len + WG_TAG_LEN);
				assert_true(crypto_aead_ctx_open(&rx, 0, buf, buf, len + WG_TAG_LEN,
								 counter));
				assert_memory_equal(buf, plain, len);
				crypto_aead_ctx_free(&rx);
			}
		}
	}
}

static int setup(void **state)
{
	(void)state;
	if (!crypto_init())
		return -1;
#ifdef ADIT_IPSEC_MB
	nbackends = 2;
#else
	nbackends = 1;
#endif
	crypto_random(&rng_state, sizeof(rng_state));
	rng_state |= 1;
	printf("random seed 0x%016llx\n", (unsigned long long)rng_state);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ipsecmb_is_usable_when_built_in),
		cmocka_unit_test(ipsecmb_rfc8439),
		cmocka_unit_test(each_backend_meets_libsodium),
		cmocka_unit_test(backends_agree),
		cmocka_unit_test(tampering_refused_by_both),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
