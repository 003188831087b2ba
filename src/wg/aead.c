/* ChaCha20-Poly1305: the handshake's one-shot calls over OpenSSL, and the data path's
 * contexts over one of two backends, chosen once at start:
 *
 *   ipsec-mb  intel-ipsec-mb's job API (aead_ipsecmb.c): about half OpenSSL's cost per
 *             message on x86, where the data path spends most of its time;
 *   openssl   OpenSSL 3's EVP (libsodium below SMALL_AEAD bytes): everywhere else.
 *
 * Each backend must reproduce two known answers before it is used: RFC 8439 §2.8.2 (nonce
 * and associated data through the backend's raw call) and a WireGuard transport message
 * (counter nonce, no associated data, through a context as the data path makes one),
 * sealed by OpenSSL's one-shot EVP calls when this file was written and pinned here. A
 * context keeps the backend it was made with, so the choice can change under the tests
 * without touching live keypairs. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sodium/crypto_aead_chacha20poly1305.h>

#include "base/log.h"
#include "wg/aead.h"
#include "wg/aead_ipsecmb.h"
#include "wg/crypto.h"

#define NONCE_LEN IPSECMB_NONCE_LEN
/* Below this many bytes of text, the OpenSSL backend seals and opens with libsodium. A
 * packet after an idle spell finds the code it runs cold (the loop slept; it may wake on
 * the other core), and OpenSSL's way through EVP and its provider touches much more of it:
 * sealing a ping's 96 bytes took 15-18 us so, against 8 us with libsodium (measured
 * 2026-12-01 on this 2-core VM). Warm, the two are even up to 512 bytes; above, OpenSSL's
 * AVX-512 code wins (1,420 bytes: 0.93 us against 1.43 us). */
#define SMALL_AEAD 256

enum backend { OPENSSL, IPSEC_MB };
static const char *const backend_names[] = { "openssl", "ipsec-mb" };

static EVP_CIPHER *chacha_poly;
static int init_result = -1; /* aead_init's answer once it has run */
static enum backend chosen = OPENSSL;
static bool ipsecmb_ok;
static const char *ipsecmb_why = "its self-test did not run";
/* Cipher contexts per keypair direction: one per thread that seals or opens (--threads). */
static unsigned int crypto_lanes = 1;

static void make_nonce(uint8_t nonce[NONCE_LEN], uint64_t counter)
{
	memset(nonce, 0, 4);
	for (int i = 0; i < 8; i++)
		nonce[4 + i] = (uint8_t)(counter >> (8 * i));
}

/* Runs one AEAD operation on a context already keyed for a direction: new nonce, the
 * associated data, the text, then the tag (written when sealing, checked when opening).
 * When opening, the tag is handed over before the text so dst may overlap src. */
static bool evp_run(EVP_CIPHER_CTX *ctx, bool seal, uint8_t *dst, const uint8_t *src,
		    size_t len, const uint8_t *ad, size_t adlen, const uint8_t nonce[NONCE_LEN])
{
	uint8_t *end = len ? dst + len : dst; /* dst may be NULL when there is no text */
	int outl;

	if (len > INT_MAX - WG_TAG_LEN || adlen > INT_MAX)
		return false;
	if (EVP_CipherInit_ex2(ctx, NULL, NULL, nonce, seal ? 1 : 0, NULL) != 1)
		return false;
	if (!seal && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, WG_TAG_LEN,
					 (void *)(src + len)) != 1)
		return false;
	if (adlen && EVP_CipherUpdate(ctx, NULL, &outl, ad, (int)adlen) != 1)
		return false;
	if (len && EVP_CipherUpdate(ctx, dst, &outl, src, (int)len) != 1)
		return false;
	if (EVP_CipherFinal_ex(ctx, end, &outl) != 1)
		return false;
	return !seal || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, WG_TAG_LEN, end) == 1;
}

static bool aead_run(EVP_CIPHER_CTX *ctx, bool seal, uint8_t *dst, const uint8_t *src,
		     size_t len, const uint8_t *ad, size_t adlen, uint64_t counter)
{
	uint8_t nonce[NONCE_LEN];

	make_nonce(nonce, counter);
	return evp_run(ctx, seal, dst, src, len, ad, adlen, nonce);
}

static EVP_CIPHER_CTX *keyed_ctx(const uint8_t key[WG_KEY_LEN], bool seal)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

	if (ctx && EVP_CipherInit_ex2(ctx, chacha_poly, key, NULL, seal ? 1 : 0, NULL) != 1) {
		EVP_CIPHER_CTX_free(ctx);
		ctx = NULL;
	}
	return ctx;
}

void crypto_aead_encrypt(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad,
			 size_t adlen, uint64_t counter, const uint8_t key[WG_KEY_LEN])
{
	EVP_CIPHER_CTX *ctx = keyed_ctx(key, true);

	if (!ctx || !aead_run(ctx, true, dst, src, len, ad, adlen, counter)) {
		log_error("ChaCha20-Poly1305 failed inside the crypto library; cannot continue");
		abort();
	}
	EVP_CIPHER_CTX_free(ctx);
}

bool crypto_aead_decrypt(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad,
			 size_t adlen, uint64_t counter, const uint8_t key[WG_KEY_LEN])
{
	EVP_CIPHER_CTX *ctx;
	bool ok;

	if (len < WG_TAG_LEN)
		return false;
	ctx = keyed_ctx(key, false);
	if (!ctx) {
		log_error("ChaCha20-Poly1305 failed inside the crypto library; cannot continue");
		abort();
	}
	ok = aead_run(ctx, false, dst, src, len - WG_TAG_LEN, ad, adlen, counter);
	/* OpenSSL writes the plaintext before it checks the tag: never leave it behind. */
	if (!ok)
		crypto_wipe(dst, len - WG_TAG_LEN);
	EVP_CIPHER_CTX_free(ctx);
	return ok;
}

/* ---- The data path's contexts ---- */

bool crypto_set_lanes(unsigned int lanes)
{
	crypto_lanes = lanes >= 1 && lanes <= CRYPTO_LANES_MAX ? lanes : 1;
	if (ipsecmb_ok && !ipsecmb_set_lanes(crypto_lanes)) {
		log_error("intel-ipsec-mb cannot make a manager for each of %u crypto lanes (out "
			  "of memory?); try fewer --threads or ADIT_CRYPTO=openssl", crypto_lanes);
		return false;
	}
	return true;
}

bool crypto_aead_ctx_init(struct crypto_aead_ctx *c, const uint8_t key[WG_KEY_LEN], bool encrypt)
{
	memset(c, 0, sizeof(*c));
	c->evp = &c->lane0;
	c->backend = chosen;
	memcpy(c->key, key, WG_KEY_LEN);
	if (c->backend == IPSEC_MB)
		return true; /* the key is all a job needs */
	if (crypto_lanes > 1) {
		c->evp = calloc(crypto_lanes, sizeof(*c->evp));
		if (!c->evp)
			return false;
	}
	c->lanes = crypto_lanes;
	for (unsigned int i = 0; i < c->lanes; i++) {
		c->evp[i] = keyed_ctx(key, encrypt);
		if (!c->evp[i]) {
			crypto_aead_ctx_free(c);
			return false;
		}
	}
	return true;
}

void crypto_aead_ctx_free(struct crypto_aead_ctx *c)
{
	/* Freeing a cipher context cleanses its key schedule. */
	for (unsigned int i = 0; c->evp && i < c->lanes; i++)
		EVP_CIPHER_CTX_free(c->evp[i]);
	if (c->evp != &c->lane0)
		free(c->evp);
	crypto_wipe(c, sizeof(*c));
}

static bool openssl_seal(struct crypto_aead_ctx *c, unsigned int lane, uint8_t *dst,
			 const uint8_t *src, size_t len, const uint8_t nonce[NONCE_LEN])
{
	if (len >= SMALL_AEAD)
		return evp_run(c->evp[lane], true, dst, src, len, NULL, 0, nonce);
	return crypto_aead_chacha20poly1305_ietf_encrypt_detached(dst, dst + len, NULL, src, len,
								  NULL, 0, NULL, nonce,
								  c->key) == 0;
}

static bool openssl_open(struct crypto_aead_ctx *c, unsigned int lane, uint8_t *dst,
			 const uint8_t *src, size_t text, const uint8_t nonce[NONCE_LEN])
{
	if (text >= SMALL_AEAD)
		return evp_run(c->evp[lane], false, dst, src, text, NULL, 0, nonce);
	/* libsodium checks the tag before it writes, so dst may be src. */
	return crypto_aead_chacha20poly1305_ietf_decrypt_detached(dst, NULL, src, text, src + text,
								  NULL, 0, nonce, c->key) == 0;
}

/* ipsec-mb takes every size, small ones too: it beat libsodium at each size measured, warm
 * (64 bytes: about 257 ns against 491) and cold (a 96-byte seal after a 32 MB walk through
 * memory: median 1.7-2.1 us against 2.3-3.0), 2026-12-06 on this 2-core VM. Runs of jobs
 * submitted before a flush gained nothing over one job at a time (1,420 bytes: 470-560 ns
 * either way): this version of the library does ChaCha20-Poly1305 one job at a time. */
bool crypto_aead_ctx_seal(struct crypto_aead_ctx *c, unsigned int lane, uint8_t *dst,
			  const uint8_t *src, size_t len, uint64_t counter)
{
	uint8_t nonce[NONCE_LEN];

	make_nonce(nonce, counter);
	if (c->backend == IPSEC_MB)
		return ipsecmb_seal(lane, c->key, nonce, NULL, 0, dst, src, len, dst + len);
	return openssl_seal(c, lane, dst, src, len, nonce);
}

bool crypto_aead_ctx_open(struct crypto_aead_ctx *c, unsigned int lane, uint8_t *dst,
			  const uint8_t *src, size_t len, uint64_t counter)
{
	uint8_t nonce[NONCE_LEN];
	size_t text;
	bool ok;

	if (len < WG_TAG_LEN)
		return false;
	text = len - WG_TAG_LEN;
	make_nonce(nonce, counter);
	if (c->backend == IPSEC_MB)
		return ipsecmb_open(lane, c->key, nonce, NULL, 0, dst, src, text, src + text);
	ok = openssl_open(c, lane, dst, src, text, nonce);
	if (!ok)
		crypto_wipe(dst, text);
	return ok;
}

/* ---- Known answers, and the choice ---- */

/* RFC 8439 §2.8.2: key 80..9f, this nonce and associated data, and the sunscreen text. */
static const uint8_t rfc_nonce[NONCE_LEN] = { 7, 0, 0, 0, 0x40, 0x41, 0x42, 0x43,
					      0x44, 0x45, 0x46, 0x47 };
static const uint8_t rfc_ad[] = { 0x50, 0x51, 0x52, 0x53, 0xc0, 0xc1,
				  0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7 };
static const char rfc_plain[] = "Ladies and Gentlemen of the class of '99: If I could offer "
				"you only one tip for the future, sunscreen would be it.";
static const char rfc_sealed[] =
	"d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca96712"
	"82fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58"
	"fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116"
	"1ae10b594f09e26a7e902ecbd0600691"; /* the tag */

/* A transport message's payload: key 20..3f, counter 0x1fffffffe (its nonce crosses a
 * 32-bit boundary), 304 bytes (a multiple of 16, as padded; above SMALL_AEAD, so OpenSSL's
 * EVP path) with byte i = 29 * i + 11. */
#define WGV_LEN 304
static const uint64_t wgv_counter = 0x00000001fffffffe;
static const char wgv_sealed[] =
	"e97b848af826626f795b4daaa2b5f26900fdf82d1b56d730b0caf748f11db84161244e7cd9eccf39"
	"3681d6f9c5ee8b833e696e7345fc709038f88869f5318eba34a6e36bb8c80cc389de0abd1703363d"
	"fd6990286fd4308b4d59a0d1e44a7526fa51d822f082750134282b68326a7f665f5763862c3a09ab"
	"10de7994bdccf01b0ed88a53e1e61bed851c6eb5e1af357b843ce6dd81278ec0e5b35d9297989d64"
	"04434d47d826e540d85282e8724058fdd77522abb96786e4f7da7d90a42a044943fd1e5fc71e92b5"
	"ebcf39a4e25c7ccd8a2eb80e319e98a6cc61ed58fd03d720f746220729270217322a8d6910f31446"
	"94a1831997d1b6948fd2de49b856b213bbd3551242e16cc1845960233474d6fd9c48cec76563518d"
	"01163926ca139e9a9965d6e9e7d8af0ea40edcf586eac617"
	"d407687698ee29601f87a2d272443a49"; /* the tag */

static void unhex(uint8_t *out, const char *hex, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned int hi = (unsigned char)hex[2 * i], lo = (unsigned char)hex[2 * i + 1];

		hi = hi <= '9' ? hi - '0' : hi - 'a' + 10;
		lo = lo <= '9' ? lo - '0' : lo - 'a' + 10;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
}

/* The backend's raw seal and open, with nonce and associated data. */
static bool raw(enum backend b, bool seal, const uint8_t *key, uint8_t *dst, const uint8_t *src,
		size_t len)
{
	EVP_CIPHER_CTX *ctx;
	bool ok;

	if (b == IPSEC_MB)
		return seal ? ipsecmb_seal(0, key, rfc_nonce, rfc_ad, sizeof(rfc_ad), dst, src, len,
					   dst + len)
			    : ipsecmb_open(0, key, rfc_nonce, rfc_ad, sizeof(rfc_ad), dst, src, len,
					   src + len);
	ctx = keyed_ctx(key, seal);
	ok = ctx && evp_run(ctx, seal, dst, src, len, rfc_ad, sizeof(rfc_ad), rfc_nonce);
	EVP_CIPHER_CTX_free(ctx);
	return ok;
}

static bool rfc8439_answer(enum backend b)
{
	enum { LEN = sizeof(rfc_plain) - 1 };
	uint8_t key[WG_KEY_LEN], want[LEN + WG_TAG_LEN], buf[LEN + WG_TAG_LEN];
	bool ok;

	for (int i = 0; i < WG_KEY_LEN; i++)
		key[i] = (uint8_t)(0x80 + i);
	unhex(want, rfc_sealed, sizeof(want));
	ok = raw(b, true, key, buf, (const uint8_t *)rfc_plain, LEN) &&
	     !memcmp(buf, want, sizeof(want)) && raw(b, false, key, buf, buf, LEN) &&
	     !memcmp(buf, rfc_plain, LEN);
	memcpy(buf, want, sizeof(want));
	buf[LEN] ^= 1;
	return ok && !raw(b, false, key, buf, buf, LEN);
}

static bool transport_answer(enum backend b)
{
	uint8_t key[WG_KEY_LEN], want[WGV_LEN + WG_TAG_LEN], buf[WGV_LEN + WG_TAG_LEN];
	struct crypto_aead_ctx tx, rx;
	bool ok;

	for (int i = 0; i < WG_KEY_LEN; i++)
		key[i] = (uint8_t)(0x20 + i);
	for (int i = 0; i < WGV_LEN; i++)
		buf[i] = (uint8_t)(29 * i + 11);
	unhex(want, wgv_sealed, sizeof(want));
	chosen = b;
	if (!crypto_aead_ctx_init(&tx, key, true))
		return false;
	if (!crypto_aead_ctx_init(&rx, key, false)) {
		crypto_aead_ctx_free(&tx);
		return false;
	}
	ok = crypto_aead_ctx_seal(&tx, 0, buf, buf, WGV_LEN, wgv_counter) &&
	     !memcmp(buf, want, sizeof(want)) &&
	     crypto_aead_ctx_open(&rx, 0, buf, buf, sizeof(buf), wgv_counter) &&
	     buf[WGV_LEN - 1] == (uint8_t)(29 * (WGV_LEN - 1) + 11) &&
	     !crypto_aead_ctx_open(&rx, 0, want, want, sizeof(want), wgv_counter + 1);
	crypto_aead_ctx_free(&tx);
	crypto_aead_ctx_free(&rx);
	return ok;
}

static bool self_test(enum backend b)
{
	enum backend was = chosen;
	bool ok = rfc8439_answer(b) && transport_answer(b);

	chosen = was;
	return ok;
}

bool aead_init(void)
{
	if (init_result >= 0)
		return init_result;
	chacha_poly = EVP_CIPHER_fetch(NULL, "ChaCha20-Poly1305", NULL);
	if (!chacha_poly) {
		log_error("OpenSSL lacks ChaCha20-Poly1305 (need OpenSSL 3 with the default provider)");
		return (init_result = 0);
	}
	if (!self_test(OPENSSL)) {
		log_error("OpenSSL's ChaCha20-Poly1305 gives wrong answers to RFC 8439's test; "
			  "refusing to use it (reinstall libssl3)");
		return (init_result = 0);
	}
	ipsecmb_ok = ipsecmb_init(&ipsecmb_why);
	if (ipsecmb_ok && !self_test(IPSEC_MB)) {
		ipsecmb_ok = false;
		ipsecmb_why = "intel-ipsec-mb gives wrong answers to the known-answer test on this "
			      "CPU (please report it)";
		/* Built in and found wrong is a fault to see; not built in is a choice. */
		log_warn("%s; sealing with OpenSSL instead", ipsecmb_why);
	}
	chosen = ipsecmb_ok ? IPSEC_MB : OPENSSL;
	return (init_result = 1);
}

bool crypto_aead_choose(const char *name)
{
	if (!name || !*name)
		return true;
	if (!strcmp(name, "openssl")) {
		chosen = OPENSSL;
		return true;
	}
	if (!strcmp(name, "ipsec-mb")) {
		if (!ipsecmb_ok)
			log_error("ADIT_CRYPTO=ipsec-mb, but %s; use ADIT_CRYPTO=openssl", ipsecmb_why);
		else
			chosen = IPSEC_MB;
		return ipsecmb_ok;
	}
	log_error("ADIT_CRYPTO=%s is no backend: use openssl or ipsec-mb, or unset it to let adit "
		  "choose", name);
	return false;
}

const char *crypto_aead_backend(void)
{
	return backend_names[chosen];
}

const char *crypto_aead_detail(void)
{
	return chosen == IPSEC_MB ? ipsecmb_describe() : OpenSSL_version(OPENSSL_VERSION);
}
