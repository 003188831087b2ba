/* WireGuard's primitives over OpenSSL 3 libcrypto (BLAKE2s, HMAC) and libsodium (X25519,
 * XChaCha20-Poly1305); ChaCha20-Poly1305 is aead.c's. The algorithms are fetched once in
 * crypto_init; after that every function here is safe to call from any thread. A primitive that cannot fail
 * except when the library runs out of memory returns void and aborts in that case: a
 * silently wrong hash or tag would be worse than stopping. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
/* The headers we use, not <sodium.h>: it declares more than we need. */
#include <sodium/core.h>
#include <sodium/crypto_aead_xchacha20poly1305.h>
#include <sodium/crypto_scalarmult_curve25519.h>

#include "base/log.h"
#include "wg/aead.h"
#include "wg/crypto.h"

static EVP_MD *blake2s;
static EVP_MAC *blake2s_mac;
static EVP_MAC *hmac_mac;
/* The context of the check every handshake-type datagram gets, mac1 (and mac2), made once
 * and re-keyed per call, so a flood of them costs no allocation (OpenSSL's hash contexts
 * reallocate on each init whatever is done, so the hashes of the handshake itself, which
 * only messages past mac1 and the rate limit reach, make their own). The device has one
 * thread; this context must not be shared between threads. */
static EVP_MAC_CTX *mac_ctx;

__attribute__((noreturn)) static void die(const char *what)
{
	log_error("%s failed inside the crypto library; cannot continue", what);
	abort();
}

static bool fetched(const void *alg, const char *name)
{
	if (!alg)
		log_error("OpenSSL lacks %s (need OpenSSL 3 with the default provider)", name);
	return alg != NULL;
}

bool crypto_init(void)
{
	if (mac_ctx)
		return aead_init();
	if (sodium_init() < 0) {
		log_error("libsodium failed to initialise");
		return false;
	}
	blake2s = EVP_MD_fetch(NULL, "BLAKE2S-256", NULL);
	blake2s_mac = EVP_MAC_fetch(NULL, "BLAKE2SMAC", NULL);
	hmac_mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!fetched(blake2s, "BLAKE2S-256") || !fetched(blake2s_mac, "BLAKE2SMAC") ||
	    !fetched(hmac_mac, "HMAC"))
		return false;
	mac_ctx = EVP_MAC_CTX_new(blake2s_mac);
	if (!mac_ctx) {
		log_error("OpenSSL cannot allocate a BLAKE2s MAC context");
		return false;
	}
	return aead_init();
}

void crypto_random(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len > 0) {
		int n = len > INT_MAX ? INT_MAX : (int)len;

		if (RAND_bytes(p, n) != 1) {
			log_error("the system random generator failed; refusing to make keys");
			abort();
		}
		p += n;
		len -= (size_t)n;
	}
}

void crypto_wipe(void *buf, size_t len)
{
	if (len)
		OPENSSL_cleanse(buf, len);
}

bool crypto_equal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

bool crypto_is_zero(const void *buf, size_t len)
{
	const volatile uint8_t *p = buf;
	unsigned int acc = 0;

	for (size_t i = 0; i < len; i++)
		acc |= p[i];
	/* acc - 1 borrows into bit 8 only when acc was 0. */
	return 1 & ((acc - 1) >> 8);
}

/* ---- Curve25519 ---- */

void crypto_generate_private_key(uint8_t key[WG_KEY_LEN])
{
	crypto_random(key, WG_KEY_LEN);
	key[0] &= 248;
	key[31] &= 127;
	key[31] |= 64;
}

/* X25519 through libsodium rather than OpenSSL: an EVP_PKEY made from a private key always
 * derives its public key, so a DH through EVP costs two scalar multiplications (about 75 us
 * here) where libsodium's crypto_scalarmult costs one (about 30 us). Both clamp the scalar
 * and ignore the top bit of u, as RFC 7748 says. */
bool crypto_public_key(uint8_t pub[WG_KEY_LEN], const uint8_t priv[WG_KEY_LEN])
{
	return crypto_scalarmult_curve25519_base(pub, priv) == 0;
}

bool crypto_dh(uint8_t out[WG_KEY_LEN], const uint8_t priv[WG_KEY_LEN],
	       const uint8_t pub[WG_KEY_LEN])
{
	/* libsodium fails on the all-zero result of a low-order point (and refuses the known
	 * low-order encodings before multiplying); the check here keeps that rule ours. */
	if (crypto_scalarmult_curve25519(out, priv, pub) != 0 || crypto_is_zero(out, WG_KEY_LEN)) {
		crypto_wipe(out, WG_KEY_LEN);
		return false;
	}
	return true;
}

/* ---- BLAKE2s: hash, keyed MAC, HKDF ---- */

void crypto_blake2s(uint8_t out[WG_HASH_LEN], const void *a, size_t alen, const void *b, size_t blen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int len = 0;

	if (!ctx || EVP_DigestInit_ex2(ctx, blake2s, NULL) != 1 ||
	    EVP_DigestUpdate(ctx, a, alen) != 1 || (blen && EVP_DigestUpdate(ctx, b, blen) != 1) ||
	    EVP_DigestFinal_ex(ctx, out, &len) != 1 || len != WG_HASH_LEN)
		die("BLAKE2s");
	EVP_MD_CTX_free(ctx);
}

void crypto_mac(uint8_t out[WG_MAC_LEN], const uint8_t *key, size_t keylen, const void *data,
		size_t len)
{
	EVP_MAC_CTX *ctx = mac_ctx;
	size_t size = WG_MAC_LEN, outlen = 0;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size),
		OSSL_PARAM_construct_end(),
	};

	if (EVP_MAC_init(ctx, key, keylen, params) != 1 || EVP_MAC_update(ctx, data, len) != 1 ||
	    EVP_MAC_final(ctx, out, &outlen, WG_MAC_LEN) != 1 || outlen != WG_MAC_LEN)
		die("keyed BLAKE2s");
}

/* out = HMAC-BLAKE2s(key, a || b) on a context made for the digest; the context keeps no
 * key between calls (each init replaces it) and is freed with EVP_MAC_CTX_free, which
 * cleanses it. */
static void hmac(EVP_MAC_CTX *ctx, uint8_t out[WG_HASH_LEN], const uint8_t key[WG_HASH_LEN],
		 const void *a, size_t alen, const void *b, size_t blen)
{
	size_t outlen = 0;

	if (EVP_MAC_init(ctx, key, WG_HASH_LEN, NULL) != 1 ||
	    (alen && EVP_MAC_update(ctx, a, alen) != 1) ||
	    (blen && EVP_MAC_update(ctx, b, blen) != 1) ||
	    EVP_MAC_final(ctx, out, &outlen, WG_HASH_LEN) != 1 || outlen != WG_HASH_LEN)
		die("HMAC-BLAKE2s");
}

/* The whitepaper's KDF: t0 = HMAC(ck, input), t_i = HMAC(t0, t_{i-1} || i), t_0 || 1 empty. */
void crypto_kdf(uint8_t t1[WG_HASH_LEN], uint8_t t2[WG_HASH_LEN], uint8_t t3[WG_HASH_LEN],
		const uint8_t ck[WG_HASH_LEN], const void *input, size_t len)
{
	EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(hmac_mac);
	char digest[] = "BLAKE2S-256";
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
		OSSL_PARAM_construct_end(),
	};
	uint8_t t0[WG_HASH_LEN], prev[WG_HASH_LEN], idx;

	if (!ctx || EVP_MAC_CTX_set_params(ctx, params) != 1)
		die("HMAC-BLAKE2s");
	hmac(ctx, t0, ck, input, len, NULL, 0);
	idx = 1;
	hmac(ctx, prev, t0, &idx, 1, NULL, 0);
	memcpy(t1, prev, WG_HASH_LEN);
	if (t2) {
		idx = 2;
		hmac(ctx, prev, t0, prev, WG_HASH_LEN, &idx, 1);
		memcpy(t2, prev, WG_HASH_LEN);
	}
	if (t2 && t3) {
		idx = 3;
		hmac(ctx, prev, t0, prev, WG_HASH_LEN, &idx, 1);
		memcpy(t3, prev, WG_HASH_LEN);
	}
	crypto_wipe(t0, sizeof(t0));
	crypto_wipe(prev, sizeof(prev));
	EVP_MAC_CTX_free(ctx);
}

/* ---- XChaCha20-Poly1305 (cookie replies) ---- */

void crypto_xaead_encrypt(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad,
			  size_t adlen, const uint8_t nonce[WG_COOKIE_NONCE_LEN],
			  const uint8_t key[WG_KEY_LEN])
{
	crypto_aead_xchacha20poly1305_ietf_encrypt(dst, NULL, src, len, ad, adlen, NULL, nonce,
						   key);
}

bool crypto_xaead_decrypt(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad,
			  size_t adlen, const uint8_t nonce[WG_COOKIE_NONCE_LEN],
			  const uint8_t key[WG_KEY_LEN])
{
	if (len < WG_TAG_LEN)
		return false;
	return crypto_aead_xchacha20poly1305_ietf_decrypt(dst, NULL, NULL, src, len, ad, adlen,
							  nonce, key) == 0;
}

/* ---- Keys as text ---- */

/* All ones when lo <= c <= hi, else zero; no branch on the (secret) character. */
static unsigned int in_range(unsigned int c, unsigned int lo, unsigned int hi)
{
	return 0U - (unsigned int)(c - lo <= hi - lo);
}

static char b64_char(unsigned int v)
{
	unsigned int c = (in_range(v, 0, 25) & ('A' + v)) | (in_range(v, 26, 51) & ('a' + v - 26)) |
			 (in_range(v, 52, 61) & ('0' + v - 52)) | (in_range(v, 62, 62) & '+') |
			 (in_range(v, 63, 63) & '/');

	return (char)c;
}

/* The 6-bit value of a base64 character, or with bit 8 set when it is not one. */
static unsigned int b64_value(unsigned char ch)
{
	unsigned int c = ch, upper = in_range(c, 'A', 'Z'), lower = in_range(c, 'a', 'z'),
		     digit = in_range(c, '0', '9'), plus = in_range(c, '+', '+'),
		     slash = in_range(c, '/', '/');

	return (upper & (c - 'A')) | (lower & (c - 'a' + 26)) | (digit & (c - '0' + 52)) |
	       (plus & 62) | (slash & 63) | (~(upper | lower | digit | plus | slash) & 0x100);
}

void crypto_key_to_base64(char out[WG_KEY_BASE64_LEN + 1], const uint8_t key[WG_KEY_LEN])
{
	uint32_t bits = 0;
	int nbits = 0, o = 0;

	for (int i = 0; i < WG_KEY_LEN; i++) {
		bits = (bits << 8) | key[i];
		nbits += 8;
		while (nbits >= 6) {
			nbits -= 6;
			out[o++] = b64_char((bits >> nbits) & 63);
		}
	}
	out[o++] = b64_char((bits << (6 - nbits)) & 63); /* 256 = 42 * 6 + 4 bits */
	out[o++] = '=';
	out[o] = '\0';
	crypto_wipe(&bits, sizeof(bits));
}

/* As wg reads keys: 43 characters and one '='; the last character's two unused bits must be
 * zero, so each key has exactly one spelling. */
bool crypto_key_from_base64(uint8_t key[WG_KEY_LEN], const char *s)
{
	uint8_t tmp[WG_KEY_LEN];
	uint32_t bits = 0;
	unsigned int bad = 0;
	int nbits = 0, o = 0;

	if (strnlen(s, WG_KEY_BASE64_LEN + 1) != WG_KEY_BASE64_LEN || s[WG_KEY_BASE64_LEN - 1] != '=')
		return false;
	for (int i = 0; i < WG_KEY_BASE64_LEN - 1; i++) {
		unsigned int v = b64_value((unsigned char)s[i]);

		bad |= v;
		bits = (bits << 6) | (v & 63);
		nbits += 6;
		if (nbits >= 8) {
			nbits -= 8;
			tmp[o++] = (uint8_t)(bits >> nbits);
		}
	}
	bad = (bad & 0x100) | (bits & ((1U << nbits) - 1)); /* nbits is 2 here */
	if (bad == 0)
		memcpy(key, tmp, WG_KEY_LEN);
	crypto_wipe(tmp, sizeof(tmp));
	crypto_wipe(&bits, sizeof(bits));
	return bad == 0;
}

void crypto_key_to_hex(char out[WG_KEY_HEX_LEN + 1], const uint8_t key[WG_KEY_LEN])
{
	for (int i = 0; i < WG_KEY_LEN; i++) {
		unsigned int hi = key[i] >> 4, lo = key[i] & 15;

		out[2 * i] = (char)('0' + hi + (in_range(hi, 10, 15) & ('a' - '0' - 10)));
		out[2 * i + 1] = (char)('0' + lo + (in_range(lo, 10, 15) & ('a' - '0' - 10)));
	}
	out[WG_KEY_HEX_LEN] = '\0';
}

/* The value of a hex digit of either case, or with bit 8 set when it is not one. */
static unsigned int hex_value(unsigned char ch)
{
	unsigned int c = ch, digit = in_range(c, '0', '9'), lower = in_range(c, 'a', 'f'),
		     upper = in_range(c, 'A', 'F');

	return (digit & (c - '0')) | (lower & (c - 'a' + 10)) | (upper & (c - 'A' + 10)) |
	       (~(digit | lower | upper) & 0x100);
}

bool crypto_key_from_hex(uint8_t key[WG_KEY_LEN], const char *s)
{
	uint8_t tmp[WG_KEY_LEN];
	unsigned int bad = 0;

	if (strnlen(s, WG_KEY_HEX_LEN + 1) != WG_KEY_HEX_LEN)
		return false;
	for (int i = 0; i < WG_KEY_LEN; i++) {
		unsigned int hi = hex_value((unsigned char)s[2 * i]);
		unsigned int lo = hex_value((unsigned char)s[2 * i + 1]);

		bad |= hi | lo;
		tmp[i] = (uint8_t)(((hi & 15) << 4) | (lo & 15));
	}
	bad &= 0x100;
	if (bad == 0)
		memcpy(key, tmp, WG_KEY_LEN);
	crypto_wipe(tmp, sizeof(tmp));
	return bad == 0;
}
