/* The data path's ChaCha20-Poly1305 through intel-ipsec-mb (see aead_ipsecmb.h). A job is
 * submitted and, if the manager holds it back to fill a multi-buffer lane, flushed at once,
 * so no job is ever left in a manager between calls: the caller's buffers are its own again
 * when a call returns. */
#include <stdio.h>
#include <string.h>

#include "wg/aead_ipsecmb.h"
#include "wg/crypto.h"

#ifdef ADIT_IPSEC_MB

#include <intel-ipsec-mb.h>

static IMB_MGR *mgr[CRYPTO_LANES_MAX];
static IMB_ARCH arch;
static char description[64];

static IMB_MGR *new_mgr(void)
{
	IMB_MGR *m = alloc_mb_mgr(0);
	IMB_ARCH got = IMB_ARCH_NONE;

	if (!m)
		return NULL;
	init_mb_mgr_auto(m, &got);
	if (got == IMB_ARCH_NONE || imb_get_errno(m) != 0) {
		free_mb_mgr(m);
		return NULL;
	}
	arch = got;
	return m;
}

bool ipsecmb_init(const char **why)
{
	if (mgr[0])
		return true;
	mgr[0] = new_mgr();
	if (!mgr[0])
		*why = "intel-ipsec-mb finds no code for this CPU (it needs x86 with SSE4.2 at "
		       "least)";
	return mgr[0] != NULL;
}

bool ipsecmb_set_lanes(unsigned int lanes)
{
	for (unsigned int i = 1; i < lanes && i < CRYPTO_LANES_MAX; i++)
		if (!mgr[i] && !(mgr[i] = new_mgr()))
			return false;
	return true;
}

static const char *arch_name(void)
{
	switch (arch) {
	case IMB_ARCH_AVX512:
		return "avx512";
	case IMB_ARCH_AVX2:
		return "avx2";
	case IMB_ARCH_AVX:
		return "avx";
	case IMB_ARCH_SSE:
		return "sse";
	default:
		return "no-aesni";
	}
}

const char *ipsecmb_describe(void)
{
	snprintf(description, sizeof(description), "intel-ipsec-mb %s, %s", imb_get_version_str(),
		 arch_name());
	return description;
}

/* One AEAD job, run to completion. The checked submit refuses a job whose fields are out of
 * the library's range (lengths, key size) rather than running it. */
static bool run(unsigned int lane, bool seal, const uint8_t *key, const uint8_t *nonce,
		const uint8_t *ad, size_t adlen, uint8_t *dst, const uint8_t *src, size_t len,
		uint8_t *tag)
{
	static const uint8_t none[1];
	uint8_t scratch[1];
	IMB_MGR *m = mgr[lane];
	IMB_JOB *job;

	if (!m)
		return false;
	job = IMB_GET_NEXT_JOB(m);
	job->cipher_direction = seal ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
	job->chain_order = seal ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
	job->cipher_mode = IMB_CIPHER_CHACHA20_POLY1305;
	job->hash_alg = IMB_AUTH_CHACHA20_POLY1305;
	job->enc_keys = key;
	job->dec_keys = key;
	job->key_len_in_bytes = WG_KEY_LEN;
	/* The library wants pointers even for empty text (keepalives) and empty data. */
	job->src = len ? src : none;
	job->dst = len ? dst : scratch;
	job->cipher_start_src_offset_in_bytes = 0;
	job->msg_len_to_cipher_in_bytes = len;
	job->hash_start_src_offset_in_bytes = 0;
	job->msg_len_to_hash_in_bytes = len;
	job->iv = nonce;
	job->iv_len_in_bytes = IPSECMB_NONCE_LEN;
	job->u.CHACHA20_POLY1305.aad = adlen ? ad : none;
	job->u.CHACHA20_POLY1305.aad_len_in_bytes = adlen;
	job->auth_tag_output = tag;
	job->auth_tag_output_len_in_bytes = WG_TAG_LEN;
	job = IMB_SUBMIT_JOB(m);
	while (!job)
		job = IMB_FLUSH_JOB(m);
	return job->status == IMB_STATUS_COMPLETED;
}

bool ipsecmb_seal(unsigned int lane, const uint8_t key[WG_KEY_LEN],
		  const uint8_t nonce[IPSECMB_NONCE_LEN], const uint8_t *ad, size_t adlen,
		  uint8_t *dst, const uint8_t *src, size_t len, uint8_t tag[WG_TAG_LEN])
{
	return run(lane, true, key, nonce, ad, adlen, dst, src, len, tag);
}

bool ipsecmb_open(unsigned int lane, const uint8_t key[WG_KEY_LEN],
		  const uint8_t nonce[IPSECMB_NONCE_LEN], const uint8_t *ad, size_t adlen,
		  uint8_t *dst, const uint8_t *src, size_t len, const uint8_t tag[WG_TAG_LEN])
{
	uint8_t want[WG_TAG_LEN];
	bool ok = run(lane, false, key, nonce, ad, adlen, dst, src, len, want) &&
		  crypto_equal(want, tag, WG_TAG_LEN);

	if (!ok && len)
		crypto_wipe(dst, len);
	crypto_wipe(want, sizeof(want));
	return ok;
}

#else /* built without intel-ipsec-mb */

bool ipsecmb_init(const char **why)
{
	*why = "this adit was built without intel-ipsec-mb (on x86, install libipsec-mb-dev "
	       "and rebuild)";
	return false;
}

bool ipsecmb_set_lanes(unsigned int lanes)
{
	(void)lanes;
	return false;
}

const char *ipsecmb_describe(void)
{
	return "not built in";
}

bool ipsecmb_seal(unsigned int lane, const uint8_t key[WG_KEY_LEN],
		  const uint8_t nonce[IPSECMB_NONCE_LEN], const uint8_t *ad, size_t adlen,
		  uint8_t *dst, const uint8_t *src, size_t len, uint8_t tag[WG_TAG_LEN])
{
	(void)lane, (void)key, (void)nonce, (void)ad, (void)adlen, (void)dst, (void)src;
	(void)len, (void)tag;
	return false;
}

bool ipsecmb_open(unsigned int lane, const uint8_t key[WG_KEY_LEN],
		  const uint8_t nonce[IPSECMB_NONCE_LEN], const uint8_t *ad, size_t adlen,
		  uint8_t *dst, const uint8_t *src, size_t len, const uint8_t tag[WG_TAG_LEN])
{
	(void)lane, (void)key, (void)nonce, (void)ad, (void)adlen, (void)src, (void)tag;
	if (len)
		memset(dst, 0, len);
	return false;
}

#endif
