/* Thin wrappers over OpenSSL 3 libcrypto and libsodium: the primitives WireGuard names
 * (whitepaper §5.4) and nothing else. adit never implements a primitive itself. */
#ifndef ADIT_WG_CRYPTO_H
#define ADIT_WG_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wg/messages.h"

/* Fetches the algorithms once and chooses the data path's AEAD backend. Returns false after
 * printing what is missing. */
bool crypto_init(void);

void crypto_random(void *buf, size_t len);
/* Zeroes memory in a way the compiler keeps (secrets when freed). */
void crypto_wipe(void *buf, size_t len);
/* Constant-time comparisons. */
bool crypto_equal(const void *a, const void *b, size_t len);
bool crypto_is_zero(const void *buf, size_t len);

/* Curve25519. A new private key is random and clamped, as wg genkey prints it. */
void crypto_generate_private_key(uint8_t key[WG_KEY_LEN]);
bool crypto_public_key(uint8_t pub[WG_KEY_LEN], const uint8_t priv[WG_KEY_LEN]);
/* DH(priv, pub). False when it fails or the result is all zeros (a low-order point). */
bool crypto_dh(uint8_t out[WG_KEY_LEN], const uint8_t priv[WG_KEY_LEN],
	       const uint8_t pub[WG_KEY_LEN]);

/* HASH(a || b), BLAKE2s-256; b may be NULL with blen 0. */
void crypto_blake2s(uint8_t out[WG_HASH_LEN], const void *a, size_t alen, const void *b, size_t blen);
/* MAC(key, data): keyed BLAKE2s with a 16-byte output (mac1, mac2, cookies); keylen 1..32. */
void crypto_mac(uint8_t out[WG_MAC_LEN], const uint8_t *key, size_t keylen, const void *data,
		size_t len);
/* KDF_n(ck, input): HKDF over HMAC-BLAKE2s. t1 is required, t2 and t3 may be NULL. */
void crypto_kdf(uint8_t t1[WG_HASH_LEN], uint8_t t2[WG_HASH_LEN], uint8_t t3[WG_HASH_LEN],
		const uint8_t ck[WG_HASH_LEN], const void *input, size_t len);

/* AEAD(key, counter, plain, ad): ChaCha20-Poly1305 with the 96-bit nonce of 32 zero bits and
 * the little-endian counter. dst gets len + WG_TAG_LEN bytes. One-shot, for handshakes. */
void crypto_aead_encrypt(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad,
			 size_t adlen, uint64_t counter, const uint8_t key[WG_KEY_LEN]);
/* len includes the tag; dst gets len - WG_TAG_LEN bytes. False if it does not authenticate. */
bool crypto_aead_decrypt(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad,
			 size_t adlen, uint64_t counter, const uint8_t key[WG_KEY_LEN]);

/* XAEAD: XChaCha20-Poly1305 (libsodium), for cookie replies. Same length rules. */
void crypto_xaead_encrypt(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad,
			  size_t adlen, const uint8_t nonce[WG_COOKIE_NONCE_LEN],
			  const uint8_t key[WG_KEY_LEN]);
bool crypto_xaead_decrypt(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad,
			  size_t adlen, const uint8_t nonce[WG_COOKIE_NONCE_LEN],
			  const uint8_t key[WG_KEY_LEN]);

/* The data path: contexts per direction of a keypair, keyed once when the keypair is made,
 * so a packet costs only the nonce and the cipher (no per-packet setup or allocation). Two
 * backends seal and open them (aead.c): "ipsec-mb" (intel-ipsec-mb's job API, x86, when
 * built with it) and "openssl" (OpenSSL's EVP; libsodium for small messages, whose code is
 * less when it runs cold). crypto_init chooses ipsec-mb if it passes its known-answer
 * self-test, else openssl; a context keeps the backend it was made with. A context is one
 * thread's at a time, so there is one cipher state per crypto lane (--threads). */
#define CRYPTO_LANES_MAX 16
struct crypto_aead_ctx {
	void *lane0;      /* openssl: EVP_CIPHER_CTX of lane 0, the event loop's thread */
	void **evp;       /* lanes of them: &lane0, or an array with --threads */
	unsigned int lanes;
	unsigned int backend;
	uint8_t key[WG_KEY_LEN];
};
/* Makes contexts from now on use the backend named "openssl" or "ipsec-mb" (ADIT_CRYPTO);
 * NULL or "" keeps crypto_init's choice. False, after saying why and what to do, for an
 * unknown name or a backend that is not built in or failed its self-test. */
bool crypto_aead_choose(const char *name);
/* The backend contexts made now use, and what it runs on, as adit show and --version name
 * them: "ipsec-mb" and "intel-ipsec-mb 1.3.0, avx512"; "openssl" and "OpenSSL 3.0.x ...". */
const char *crypto_aead_backend(void);
const char *crypto_aead_detail(void);
/* How many lanes there are from now on (1 to CRYPTO_LANES_MAX; 1 at start). Called before
 * the new lanes seal or open. False, after saying why, if a lane's state cannot be made. */
bool crypto_set_lanes(unsigned int lanes);
bool crypto_aead_ctx_init(struct crypto_aead_ctx *c, const uint8_t key[WG_KEY_LEN], bool encrypt);
void crypto_aead_ctx_free(struct crypto_aead_ctx *c);
/* dst is src (in place) or a buffer apart from it (out of place). No associated data, as in
 * transport messages. lane is the calling thread's (0 without --threads) and below the lanes
 * crypto_set_lanes made. Open returns true only for a message that authenticates; otherwise
 * dst is wiped. */
bool crypto_aead_ctx_seal(struct crypto_aead_ctx *c, unsigned int lane, uint8_t *dst,
			  const uint8_t *src, size_t len, uint64_t counter);
bool crypto_aead_ctx_open(struct crypto_aead_ctx *c, unsigned int lane, uint8_t *dst,
			  const uint8_t *src, size_t len, uint64_t counter);

/* Keys as wg prints and reads them. base64: exactly 44 characters ending in '='. hex: 64
 * lowercase characters (UAPI); reading accepts either case. Readers return false on anything
 * else and never read past the string's end. */
#define WG_KEY_BASE64_LEN 44
#define WG_KEY_HEX_LEN 64
void crypto_key_to_base64(char out[WG_KEY_BASE64_LEN + 1], const uint8_t key[WG_KEY_LEN]);
bool crypto_key_from_base64(uint8_t key[WG_KEY_LEN], const char *s);
void crypto_key_to_hex(char out[WG_KEY_HEX_LEN + 1], const uint8_t key[WG_KEY_LEN]);
bool crypto_key_from_hex(uint8_t key[WG_KEY_LEN], const char *s);

#endif
