/* The primitives against published known answers: RFC 7748 (X25519), RFC 7693 (BLAKE2s),
 * RFC 8439 (ChaCha20-Poly1305), draft-irtf-cfrg-xchacha-03 (XChaCha20-Poly1305),
 * wireguard-go's KDF tests, and values computed by implementations independent of OpenSSL
 * (Python's hashlib BLAKE2, libsodium's ChaCha20-Poly1305, Python's base64). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <sodium/crypto_aead_chacha20poly1305.h>

#include "wg/crypto.h"

/* Decodes the test's own hex constants; a typo in one fails the test that uses it. */
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

static void assert_hex_equal(const uint8_t *got, size_t len, const char *hex)
{
	uint8_t want[512];

	assert_int_equal(unhex(want, sizeof(want), hex), len);
	assert_memory_equal(got, want, len);
}

/* ---- X25519 ---- */

/* RFC 7748 §5.2: scalar, u-coordinate, X25519(scalar, u). The second u has its top bit set,
 * which X25519 must ignore. */
static void x25519_rfc7748_section_5_2(void **state)
{
	static const char *v[][3] = {
		{ "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
		  "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
		  "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552" },
		{ "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
		  "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
		  "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957" },
	};
	uint8_t k[32], u[32], out[32];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		unhex(k, 32, v[i][0]);
		unhex(u, 32, v[i][1]);
		assert_true(crypto_dh(out, k, u));
		assert_hex_equal(out, 32, v[i][2]);
	}
}

/* RFC 7748 §5.2, the iterated test: k = u = 9, then (k, u) = (X25519(k, u), k). */
static void x25519_rfc7748_iterated(void **state)
{
	uint8_t k[32] = { 9 }, u[32] = { 9 }, r[32];

	(void)state;
	for (int i = 1; i <= 1000; i++) {
		assert_true(crypto_dh(r, k, u));
		memcpy(u, k, 32);
		memcpy(k, r, 32);
		if (i == 1)
			assert_hex_equal(k, 32,
					 "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
	}
	assert_hex_equal(k, 32, "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51");
}

/* RFC 7748 §6.1: Alice's and Bob's key pairs and the secret they agree on. */
static void x25519_rfc7748_section_6_1(void **state)
{
	uint8_t a[32], b[32], pub[32], ka[32], kb[32];

	(void)state;
	unhex(a, 32, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
	unhex(b, 32, "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
	assert_true(crypto_public_key(pub, a));
	assert_hex_equal(pub, 32, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
	assert_true(crypto_dh(kb, b, pub));
	assert_true(crypto_public_key(pub, b));
	assert_hex_equal(pub, 32, "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
	assert_true(crypto_dh(ka, a, pub));
	assert_hex_equal(ka, 32, "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
	assert_memory_equal(ka, kb, 32);
}

/* A peer sending a point of small order forces an all-zero secret; crypto_dh refuses it. */
static void x25519_rejects_low_order_points(void **state)
{
	static const char *points[] = {
		"0000000000000000000000000000000000000000000000000000000000000000", /* order 2 */
		"0100000000000000000000000000000000000000000000000000000000000000", /* order 4 */
		"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800", /* order 8 */
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* p - 1 */
	};
	uint8_t priv[32], pub[32], out[32];

	(void)state;
	unhex(priv, 32, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
	for (size_t i = 0; i < sizeof(points) / sizeof(points[0]); i++) {
		memset(out, 0xaa, sizeof(out));
		unhex(pub, 32, points[i]);
		assert_false(crypto_dh(out, priv, pub));
	}
}

/* wg genkey's clamping: low three bits clear, bit 255 clear, bit 254 set. */
static void generated_private_keys_are_clamped(void **state)
{
	uint8_t k1[32], k2[32], pub[32];

	(void)state;
	for (int i = 0; i < 64; i++) {
		crypto_generate_private_key(k1);
		assert_int_equal(k1[0] & 7, 0);
		assert_int_equal(k1[31] & 0xc0, 0x40);
		assert_true(crypto_public_key(pub, k1));
	}
	crypto_generate_private_key(k2);
	assert_false(crypto_equal(k1, k2, 32));
}

/* ---- BLAKE2s ---- */

/* RFC 7693 Appendix B gives BLAKE2s-256("abc"); the empty-string digest is the reference
 * implementation's (and Python hashlib's) value. a || b must equal hashing the whole. */
static void blake2s_known_answers(void **state)
{
	uint8_t h[32];

	(void)state;
	crypto_blake2s(h, "abc", 3, NULL, 0);
	assert_hex_equal(h, 32, "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982");
	crypto_blake2s(h, "a", 1, "bc", 2);
	assert_hex_equal(h, 32, "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982");
	crypto_blake2s(h, "", 0, NULL, 0);
	assert_hex_equal(h, 32, "69217a3079908094e11121d042354a7c1f55b6482ca1a51e1b250dfd1ed0eef9");
}

/* Keyed BLAKE2s with a 16-byte digest (a different function from a truncated 32-byte one).
 * Expected values: Python 3.11 hashlib.blake2s(msg, digest_size=16, key=key), whose BLAKE2 is
 * its own code, not OpenSSL's. */
static void blake2s_mac_known_answers(void **state)
{
	static const char *v[][3] = { /* key, message, MAC */
		{ "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "000102",
		  "1e2a79436a7796a3e9826bfedf07659f" },
		{ "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "",
		  "9536f9b267655743dee97b8a670f9f53" },
		{ "01",
		  "54686520717569636b2062726f776e20666f78206a756d7073206f76657220746865206c617a7920646f67",
		  "98c64c4f4c5e6d390101d26176dc7d1e" },
		{ "000102030405060708090a0b0c0d0e0f",
		  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
		  "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f",
		  "dd55c51c98f8ab96ed272882941f0b6a" },
	};
	uint8_t key[32], msg[128], mac[16];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t klen = unhex(key, sizeof(key), v[i][0]);
		size_t mlen = unhex(msg, sizeof(msg), v[i][1]);

		crypto_mac(mac, key, klen, msg, mlen);
		assert_hex_equal(mac, 16, v[i][2]);
	}
}

/* wireguard-go device/kdf_test.go (TestKDF). Its keys are shorter than 32 bytes; HMAC pads
 * a key with zeros to the 64-byte block, so a key and the same key zero-padded to 32 bytes
 * are the same HMAC key, and our fixed 32-byte chaining key can carry them. Its t0, t1, t2
 * are our t1, t2, t3. */
static void kdf_wireguard_go_vectors(void **state)
{
	static const char *v[][5] = { /* key, input, t1, t2, t3 */
		{ "746573742d6b6579", "746573742d696e707574",
		  "6f0e5ad38daba1bea8a0d213688736f19763239305e0f58aba697f9ffc41c633",
		  "df1194df20802a4fe594cde27e92991c8cae66c366e8106aaa937a55fa371e8a",
		  "fac6e2745a325f5dc5d11a5b165aad08b0ada28e7b4e666b7c077934a4d76c24" },
		{ "776972656775617264", "776972656775617264",
		  "491d43bbfdaa8750aaf535e334ecbfe5129967cd64635101c566d4caefda96e8",
		  "1e71a379baefd8a79aa4662212fcafe19a23e2b609a3db7d6bcba8f560e3d25f",
		  "31e1ae48bddfbe5de38f295e5452b1909a1b4e38e183926af3780b0c1e1f0160" },
		{ "", "", "8387b46bf43eccfcf349552a095d8315c4055beb90208fb1be23b894bc2ed5d0",
		  "58a0e5f6faefccf4807bff1f05fa8a9217945762040bcec2f4b4a62bdfe0e86e",
		  "0ce6ea98ec548f8e281e93e32db65621c45eb18dc6f0a7ad94178610a2f7338e" },
	};
	uint8_t ck[32], in[32], t1[32], t2[32], t3[32];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t len;

		memset(ck, 0, sizeof(ck));
		unhex(ck, sizeof(ck), v[i][0]);
		len = unhex(in, sizeof(in), v[i][1]);
		crypto_kdf(t1, t2, t3, ck, len ? in : NULL, len);
		assert_hex_equal(t1, 32, v[i][2]);
		assert_hex_equal(t2, 32, v[i][3]);
		assert_hex_equal(t3, 32, v[i][4]);
		memset(t2, 0, sizeof(t2));
		crypto_kdf(t1, t2, NULL, ck, in, len); /* KDF2 */
		assert_hex_equal(t1, 32, v[i][2]);
		assert_hex_equal(t2, 32, v[i][3]);
		crypto_kdf(t1, NULL, NULL, ck, in, len); /* KDF1 */
		assert_hex_equal(t1, 32, v[i][2]);
	}
}

/* ---- ChaCha20-Poly1305 ---- */

/* RFC 8439 Appendix A.5. Its nonce 00000000 0102030405060708 is exactly WireGuard's layout
 * (32 zero bits, then a little-endian counter), so it tests the nonce as well. (The §2.8.2
 * vector's nonce starts 07000000, which our interface cannot express.) */
static const char a5_key[] = "1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0";
static const char a5_ad[] = "f33388860000000000004e91";
static const uint64_t a5_counter = 0x0807060504030201;
static const char a5_plain[] =
	"496e7465726e65742d4472616674732061726520647261667420646f63756d656e74732076616c6964"
	"20666f722061206d6178696d756d206f6620736978206d6f6e74687320616e64206d61792062652075"
	"7064617465642c207265706c616365642c206f72206f62736f6c65746564206279206f746865722064"
	"6f63756d656e747320617420616e792074696d652e20497420697320696e617070726f707269617465"
	"20746f2075736520496e7465726e65742d447261667473206173207265666572656e6365206d617465"
	"7269616c206f7220746f2063697465207468656d206f74686572207468616e206173202fe2809c776f"
	"726b20696e2070726f67726573732e2fe2809d";
static const char a5_sealed[] =
	"64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb24c6cfc18755d43eea0"
	"9ee94e382d26b0bdb7b73c321b0100d4f03b7f355894cf332f830e710b97ce98c8a84abd0b948114ad"
	"176e008d33bd60f982b1ff37c8559797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f615"
	"7b53c867e4b9166c767b804d46a59b5216cde7a4e99040c5a40433225ee282a1b0a06c523eaf4534d7"
	"f83fa1155b0047718cbc546a0d072b04b3564eea1b422273f548271a0bb2316053fa76991955ebd631"
	"59434ecebb4e466dae5a1073a6727627097a1049e617d91d361094fa68f0ff77987130305beaba2eda"
	"04df997b714d6c6f2c29a6ad5cb4022b02709b"
	"eead9d67890cbb22392336fea1851f38"; /* the tag */

static void aead_rfc8439_a5(void **state)
{
	uint8_t key[32], ad[12], plain[300], sealed[300], out[300];
	size_t plen, slen;

	(void)state;
	unhex(key, sizeof(key), a5_key);
	unhex(ad, sizeof(ad), a5_ad);
	plen = unhex(plain, sizeof(plain), a5_plain);
	slen = unhex(sealed, sizeof(sealed), a5_sealed);
	assert_int_equal(slen, plen + WG_TAG_LEN);

	crypto_aead_encrypt(out, plain, plen, ad, sizeof(ad), a5_counter, key);
	assert_memory_equal(out, sealed, slen);
	memset(out, 0, sizeof(out));
	assert_true(crypto_aead_decrypt(out, sealed, slen, ad, sizeof(ad), a5_counter, key));
	assert_memory_equal(out, plain, plen);

	assert_false(crypto_aead_decrypt(out, sealed, slen, ad, sizeof(ad), a5_counter + 1, key));
	assert_false(crypto_aead_decrypt(out, sealed, slen, ad, sizeof(ad) - 1, a5_counter, key));
	sealed[7] ^= 1;
	assert_false(crypto_aead_decrypt(out, sealed, slen, ad, sizeof(ad), a5_counter, key));
	assert_true(crypto_is_zero(out, plen)); /* unauthenticated plaintext is not left behind */
	sealed[7] ^= 1;
	sealed[slen - 1] ^= 0x80;
	assert_false(crypto_aead_decrypt(out, sealed, slen, ad, sizeof(ad), a5_counter, key));
	assert_false(crypto_aead_decrypt(out, sealed, WG_TAG_LEN - 1, NULL, 0, 0, key));
}

/* The empty plaintext (keepalives, the handshake response's "encrypted nothing"). */
static void aead_empty_plaintext_is_a_tag(void **state)
{
	uint8_t key[32], tag[WG_TAG_LEN], h[32];

	(void)state;
	unhex(key, sizeof(key), a5_key);
	crypto_blake2s(h, "context", 7, NULL, 0);
	crypto_aead_encrypt(tag, NULL, 0, h, sizeof(h), 0, key);
	assert_true(crypto_aead_decrypt(NULL, tag, sizeof(tag), h, sizeof(h), 0, key));
	h[0] ^= 1;
	assert_false(crypto_aead_decrypt(NULL, tag, sizeof(tag), h, sizeof(h), 0, key));
}

/* The data path, no associated data. Expected bytes from libsodium's
 * crypto_aead_chacha20poly1305_ietf_encrypt (an implementation independent of OpenSSL),
 * key 80..9f, nonce 00000000 8877665544332211 (counter 0x1122334455667788), and RFC 8439
 * §2.8.2's plaintext. */
static const char dp_plain[] = "Ladies and Gentlemen of the class of '99: If I could offer you "
			       "only one tip for the future, sunscreen would be it.";
static const uint64_t dp_counter = 0x1122334455667788;
static const char dp_sealed[] =
	"0136cd126e3c61657451db428898186442a5a4f43a563f479c50593b84cbc9f7e60ccfe4f7d671eaa7"
	"b99d4f164682351c3d4fb95772bc1cf9064e58360beb5a19213ada26680f02e79669ce1425a7f8cc75"
	"2abfdacbd5ca10df20f4cd295bbbee11a88d68283f8320b54c1ed6c7a99d17a02c33e93dc8bf7f1fba"
	"b76612345ae95a";

static void data_path_seal_open_in_place(void **state)
{
	struct crypto_aead_ctx tx, rx;
	uint8_t key[32], buf[256], copy[256], sealed[256];
	size_t plen = strlen(dp_plain), slen;

	(void)state;
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)(0x80 + i);
	slen = unhex(sealed, sizeof(sealed), dp_sealed);
	assert_int_equal(slen, plen + WG_TAG_LEN);
	assert_true(crypto_aead_ctx_init(&tx, key, true));
	assert_true(crypto_aead_ctx_init(&rx, key, false));

	/* Twice on one context: the per-packet nonce reset leaves nothing behind. */
	for (int round = 0; round < 2; round++) {
		memcpy(buf, dp_plain, plen);
		assert_true(crypto_aead_ctx_seal(&tx, 0, buf, buf, plen, dp_counter));
		assert_memory_equal(buf, sealed, slen);
		assert_true(crypto_aead_ctx_open(&rx, 0, buf, buf, slen, dp_counter));
		assert_memory_equal(buf, dp_plain, plen);
	}

	/* Out of place, and agreeing with the one-shot function. */
	assert_true(crypto_aead_ctx_seal(&tx, 0, buf, (const uint8_t *)dp_plain, plen, 5));
	crypto_aead_encrypt(copy, (const uint8_t *)dp_plain, plen, NULL, 0, 5, key);
	assert_memory_equal(buf, copy, slen);

	/* Wrong counter, flipped bit, too short: refused; the context still works after. */
	memcpy(buf, sealed, slen);
	assert_false(crypto_aead_ctx_open(&rx, 0, buf, buf, slen, dp_counter + 1));
	memcpy(buf, sealed, slen);
	buf[slen - WG_TAG_LEN] ^= 1;
	assert_false(crypto_aead_ctx_open(&rx, 0, buf, buf, slen, dp_counter));
	memcpy(buf, sealed, slen);
	buf[3] ^= 0x40;
	assert_false(crypto_aead_ctx_open(&rx, 0, buf, buf, slen, dp_counter));
	assert_false(crypto_aead_ctx_open(&rx, 0, buf, buf, WG_TAG_LEN - 1, dp_counter));
	memcpy(buf, sealed, slen);
	assert_true(crypto_aead_ctx_open(&rx, 0, buf, buf, slen, dp_counter));
	assert_memory_equal(buf, dp_plain, plen);

	/* A keepalive: the tag alone. */
	assert_true(crypto_aead_ctx_seal(&tx, 0, buf, buf, 0, 9));
	assert_true(crypto_aead_ctx_open(&rx, 0, buf, buf, WG_TAG_LEN, 9));

	crypto_aead_ctx_free(&tx);
	crypto_aead_ctx_free(&rx);
	assert_null(tx.evp);
	crypto_aead_ctx_free(&tx); /* twice is harmless */
}

/* Below 256 bytes of text the context seals and opens with libsodium, above with OpenSSL.
 * Either side of the switch, at every size that could trip it, the context's messages must
 * equal those of libsodium's and of OpenSSL's one-shot functions (each checks the other
 * path), open again in place, and be refused, with the text wiped, once a bit flips. */
static void data_path_both_libraries_agree(void **state)
{
	static const size_t sizes[] = { 0, 1, 15, 16, 17, 96, 255, 256, 257, 511, 1420, 4096 };
	static uint8_t plain[4096], buf[4096 + WG_TAG_LEN], ref[4096 + WG_TAG_LEN];
	struct crypto_aead_ctx tx, rx;
	uint8_t key[32], nonce[12] = { 0 };
	uint64_t counter = 0x0102030405060708;

	(void)state;
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 7 + 3);
	for (size_t i = 0; i < sizeof(plain); i++)
		plain[i] = (uint8_t)(i * 31 + 1);
	for (int i = 0; i < 8; i++)
		nonce[4 + i] = (uint8_t)(counter >> (8 * i));
	assert_true(crypto_aead_ctx_init(&tx, key, true));
	assert_true(crypto_aead_ctx_init(&rx, key, false));
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t n = sizes[k];

		memcpy(buf, plain, n);
		assert_true(crypto_aead_ctx_seal(&tx, 0, buf, buf, n, counter));
		crypto_aead_chacha20poly1305_ietf_encrypt_detached(ref, ref + n, NULL, plain, n, NULL,
								  0, NULL, nonce, key);
		assert_memory_equal(buf, ref, n + WG_TAG_LEN);
		crypto_aead_encrypt(ref, plain, n, NULL, 0, counter, key);
		assert_memory_equal(buf, ref, n + WG_TAG_LEN);

		assert_true(crypto_aead_ctx_open(&rx, 0, buf, buf, n + WG_TAG_LEN, counter));
		if (n)
			assert_memory_equal(buf, plain, n);
		memcpy(buf, ref, n + WG_TAG_LEN);
		buf[n] ^= 0x80; /* the tag's first byte */
		assert_false(crypto_aead_ctx_open(&rx, 0, buf, buf, n + WG_TAG_LEN, counter));
		for (size_t i = 0; i < n; i++)
			assert_int_equal(buf[i], 0);
	}
	crypto_aead_ctx_free(&tx);
	crypto_aead_ctx_free(&rx);
}

/* draft-irtf-cfrg-xchacha-03 Appendix A.1, the AEAD_XCHACHA20_POLY1305 example (as also
 * carried by NSec's tests/Rfc/XChaCha20Poly1305Tests.cs). */
static void xaead_draft_vector(void **state)
{
	uint8_t key[32], nonce[24], ad[12], plain[128], sealed[160], out[160];
	size_t plen, slen;

	(void)state;
	unhex(key, sizeof(key), "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
	unhex(nonce, sizeof(nonce), "404142434445464748494a4b4c4d4e4f5051525354555657");
	unhex(ad, sizeof(ad), "50515253c0c1c2c3c4c5c6c7");
	plen = strlen(dp_plain);
	memcpy(plain, dp_plain, plen);
	slen = unhex(sealed, sizeof(sealed),
		     "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6"
		     "440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1"
		     "bb9e3f3fac2bc369488f76b2383565d3fff921f9664c97637da9768812f615c68b13b52e"
		     "c0875924c1c7987947deafd8780acf49");
	assert_int_equal(slen, plen + WG_TAG_LEN);

	crypto_xaead_encrypt(out, plain, plen, ad, sizeof(ad), nonce, key);
	assert_memory_equal(out, sealed, slen);
	assert_true(crypto_xaead_decrypt(out, sealed, slen, ad, sizeof(ad), nonce, key));
	assert_memory_equal(out, plain, plen);
	nonce[23] ^= 1;
	assert_false(crypto_xaead_decrypt(out, sealed, slen, ad, sizeof(ad), nonce, key));
	nonce[23] ^= 1;
	sealed[0] ^= 1;
	assert_false(crypto_xaead_decrypt(out, sealed, slen, ad, sizeof(ad), nonce, key));
	assert_false(crypto_xaead_decrypt(out, sealed, WG_TAG_LEN - 1, ad, sizeof(ad), nonce, key));
}

/* ---- Keys as text ---- */

/* Expected strings from Python's base64.b64encode. */
static void base64_keys_round_trip(void **state)
{
	static const char *v[][2] = {
		{ "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		  "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=" },
		{ "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
		  "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=" },
		{ "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		  "//////////////////////////////////////////8=" },
	};
	uint8_t key[32], back[32];
	char text[WG_KEY_BASE64_LEN + 1];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		unhex(key, 32, v[i][0]);
		crypto_key_to_base64(text, key);
		assert_string_equal(text, v[i][1]);
		assert_true(crypto_key_from_base64(back, text));
		assert_memory_equal(back, key, 32);
	}
	for (int i = 0; i < 32; i++) {
		crypto_random(key, 32);
		crypto_key_to_base64(text, key);
		assert_true(crypto_key_from_base64(back, text));
		assert_memory_equal(back, key, 32);
	}
}

/* wg's rules (wireguard-tools src/encoding.c): 43 characters of the standard alphabet and one
 * '=', and the two bits the last character carries past the key must be zero. */
static void base64_rejects_malformed_keys(void **state)
{
	static const char *bad_length[] = {
		"",
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",   /* no '=' */
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh=",   /* 43 long */
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8==", /* 45 long */
	};
	static const char *bad_content[] = { /* each 44 long */
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8A", /* no '=' at the end */
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9=", /* last bits not zero */
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh/=", /* last bits not zero */
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdH-8=", /* URL-safe alphabet */
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdH_8=",
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxw Hh8=",
		"=AECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh==",
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\303\2518=", /* UTF-8 e-acute */
	};
	char embedded_nul[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
	uint8_t key[32], orig[32];

	(void)state;
	memset(orig, 0x5a, sizeof(orig));
	for (size_t i = 0; i < sizeof(bad_length) / sizeof(bad_length[0]); i++)
		assert_false(crypto_key_from_base64(key, bad_length[i]));
	for (size_t i = 0; i < sizeof(bad_content) / sizeof(bad_content[0]); i++) {
		assert_int_equal(strlen(bad_content[i]), WG_KEY_BASE64_LEN);
		memcpy(key, orig, sizeof(key));
		assert_false(crypto_key_from_base64(key, bad_content[i]));
		assert_memory_equal(key, orig, sizeof(key)); /* untouched on failure */
	}
	embedded_nul[20] = '\0';
	assert_false(crypto_key_from_base64(key, embedded_nul));
}

static void hex_keys_round_trip_and_reject(void **state)
{
	static const char lower[] = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
	static const char upper[] = "8520F0098930A754748B7DDCB43EF75A0DBF3A0D26381AF4EBA4A98EAA9B4E6A";
	static const char *bad[] = {
		"",
		"8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6",   /* 63 */
		"8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a0", /* 65 */
		"8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6g",
		"8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6:",
		"8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6@",
		"x520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
		" 520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
	};
	uint8_t key[32], back[32];
	char text[WG_KEY_HEX_LEN + 1];

	(void)state;
	unhex(key, 32, lower);
	crypto_key_to_hex(text, key);
	assert_string_equal(text, lower);
	assert_true(crypto_key_from_hex(back, lower));
	assert_memory_equal(back, key, 32);
	memset(back, 0, 32);
	assert_true(crypto_key_from_hex(back, upper));
	assert_memory_equal(back, key, 32);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(crypto_key_from_hex(back, bad[i]));
}

static void comparisons(void **state)
{
	uint8_t z[33] = { 0 }, a[32], b[32];

	(void)state;
	assert_true(crypto_is_zero(z, sizeof(z)));
	assert_true(crypto_is_zero(z, 0));
	z[32] = 0x80;
	assert_false(crypto_is_zero(z, sizeof(z)));
	assert_true(crypto_is_zero(z, 32));
	memset(a, 7, sizeof(a));
	memcpy(b, a, sizeof(b));
	assert_true(crypto_equal(a, b, sizeof(a)));
	b[31] ^= 1;
	assert_false(crypto_equal(a, b, sizeof(a)));
	crypto_wipe(a, sizeof(a));
	assert_true(crypto_is_zero(a, sizeof(a)));
}

static int setup(void **state)
{
	(void)state;
	return crypto_init() && crypto_init() ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(x25519_rfc7748_section_5_2),
		cmocka_unit_test(x25519_rfc7748_iterated),
		cmocka_unit_test(x25519_rfc7748_section_6_1),
		cmocka_unit_test(x25519_rejects_low_order_points),
		cmocka_unit_test(generated_private_keys_are_clamped),
		cmocka_unit_test(blake2s_known_answers),
		cmocka_unit_test(blake2s_mac_known_answers),
		cmocka_unit_test(kdf_wireguard_go_vectors),
		cmocka_unit_test(aead_rfc8439_a5),
		cmocka_unit_test(aead_empty_plaintext_is_a_tag),
		cmocka_unit_test(data_path_seal_open_in_place),
		cmocka_unit_test(data_path_both_libraries_agree),
		cmocka_unit_test(xaead_draft_vector),
		cmocka_unit_test(base64_keys_round_trip),
		cmocka_unit_test(base64_rejects_malformed_keys),
		cmocka_unit_test(hex_keys_round_trip_and_reject),
		cmocka_unit_test(comparisons),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
