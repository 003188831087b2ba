/* The handshake, Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s (whitepaper §5.4):
 *
 *   <- s
 *   ...
 *   -> e, es, s, ss, {timestamp}     initiation
 *   <- e, ee, se, psk, {}            response
 *
 * Each step mixes a public value into the hash h (the transcript) and each DH result into the
 * chaining key ck; the AEAD of a step is keyed from ck and authenticates h. A consumer works
 * on copies and writes them into the handshake only after everything checked, so a message
 * that fails leaves no trace. */
#include <endian.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/secmem.h"
#include "wg/noise.h"

static const char construction[] = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
static const char identifier[] = "WireGuard v1 zx2c4 Jason@zx2c4.com";

/* HASH(construction) and HASH(HASH(construction) || identifier): the same for everyone. */
static uint8_t initial_ck[WG_HASH_LEN];
static uint8_t initial_hash[WG_HASH_LEN];

static void precompute(void)
{
	static bool done;

	if (done)
		return;
	crypto_blake2s(initial_ck, construction, strlen(construction), NULL, 0);
	crypto_blake2s(initial_hash, initial_ck, WG_HASH_LEN, identifier, strlen(identifier));
	done = true;
}

static void mix_hash(uint8_t h[WG_HASH_LEN], const void *data, size_t len)
{
	crypto_blake2s(h, h, WG_HASH_LEN, data, len);
}

/* ck = KDF1(ck, data), as for a public ephemeral key */
static void mix_ck(uint8_t ck[WG_HASH_LEN], const void *data, size_t len)
{
	crypto_kdf(ck, NULL, NULL, ck, data, len);
}

/* (ck, key) = KDF2(ck, DH(priv, pub)); false for a DH that fails (low-order point). */
static bool mix_dh(uint8_t ck[WG_HASH_LEN], uint8_t key[WG_KEY_LEN], const uint8_t *priv,
		   const uint8_t *pub)
{
	uint8_t dh[WG_KEY_LEN];
	bool ok = crypto_dh(dh, priv, pub);

	if (ok)
		crypto_kdf(ck, key, NULL, ck, dh, sizeof(dh));
	crypto_wipe(dh, sizeof(dh));
	return ok;
}

/* DH(s_priv, S_pub), once per peer and identity; false for a low-order public key. */
static bool static_static(struct noise_handshake *hs, const struct noise_static_identity *id)
{
	if (hs->static_static == STATIC_STATIC_UNKNOWN) {
		if (id->has_identity &&
		    crypto_dh(hs->precomputed_static_static, id->private_key, hs->remote_static))
			hs->static_static = STATIC_STATIC_VALID;
		else
			hs->static_static = STATIC_STATIC_INVALID;
	}
	return hs->static_static == STATIC_STATIC_VALID;
}

/* ss: ck and key from the precomputed static-static DH. */
static bool mix_precomputed(uint8_t ck[WG_HASH_LEN], uint8_t key[WG_KEY_LEN],
			    struct noise_handshake *hs, const struct noise_static_identity *id)
{
	if (!static_static(hs, id))
		return false;
	crypto_kdf(ck, key, NULL, ck, hs->precomputed_static_static, WG_KEY_LEN);
	return true;
}

static void mix_psk(uint8_t ck[WG_HASH_LEN], uint8_t h[WG_HASH_LEN], uint8_t key[WG_KEY_LEN],
		    const uint8_t psk[WG_KEY_LEN])
{
	uint8_t t[WG_HASH_LEN];

	crypto_kdf(ck, t, key, ck, psk, WG_KEY_LEN);
	mix_hash(h, t, sizeof(t));
	crypto_wipe(t, sizeof(t));
}

static void encrypt_and_hash(uint8_t *dst, const uint8_t *src, size_t len,
			     const uint8_t key[WG_KEY_LEN], uint8_t h[WG_HASH_LEN])
{
	crypto_aead_encrypt(dst, src, len, h, WG_HASH_LEN, 0, key);
	mix_hash(h, dst, len + WG_TAG_LEN);
}

static bool decrypt_and_hash(uint8_t *dst, const uint8_t *src, size_t len,
			     const uint8_t key[WG_KEY_LEN], uint8_t h[WG_HASH_LEN])
{
	if (!crypto_aead_decrypt(dst, src, len + WG_TAG_LEN, h, WG_HASH_LEN, 0, key))
		return false;
	mix_hash(h, src, len + WG_TAG_LEN);
	return true;
}

/* h and ck as both sides start: the responder's static key is the pre-message. */
static void handshake_start(uint8_t ck[WG_HASH_LEN], uint8_t h[WG_HASH_LEN],
			    const uint8_t responder_static[WG_KEY_LEN])
{
	precompute();
	memcpy(ck, initial_ck, WG_HASH_LEN);
	memcpy(h, initial_hash, WG_HASH_LEN);
	mix_hash(h, responder_static, WG_KEY_LEN);
}

/* e: the sender's ephemeral public key goes into h and, with a PSK pattern, into ck. */
static void mix_ephemeral(uint8_t ck[WG_HASH_LEN], uint8_t h[WG_HASH_LEN],
			  const uint8_t ephemeral[WG_KEY_LEN])
{
	mix_hash(h, ephemeral, WG_KEY_LEN);
	mix_ck(ck, ephemeral, WG_KEY_LEN);
}

void noise_set_static_identity(struct noise_static_identity *id, const uint8_t priv[WG_KEY_LEN])
{
	memcpy(id->private_key, priv, WG_KEY_LEN);
	id->has_identity = !crypto_is_zero(priv, WG_KEY_LEN) &&
			   crypto_public_key(id->public_key, priv);
	if (!id->has_identity) {
		crypto_wipe(id->private_key, WG_KEY_LEN);
		memset(id->public_key, 0, WG_KEY_LEN);
	}
}

void noise_handshake_rekey(struct noise_handshake *hs)
{
	crypto_wipe(hs->precomputed_static_static, WG_KEY_LEN);
	hs->static_static = STATIC_STATIC_UNKNOWN;
	noise_handshake_clear(hs);
}

void noise_handshake_init(struct noise_handshake *hs, const uint8_t remote_static[WG_KEY_LEN])
{
	memset(hs, 0, sizeof(*hs));
	memcpy(hs->remote_static, remote_static, WG_KEY_LEN);
	hs->static_static = STATIC_STATIC_UNKNOWN;
}

/* Forgets the handshake in progress; keeps what identifies the peer across handshakes
 * (its keys, the newest timestamp and the time of its last initiation). */
void noise_handshake_clear(struct noise_handshake *hs)
{
	crypto_wipe(hs->ephemeral_private, WG_KEY_LEN);
	crypto_wipe(hs->remote_ephemeral, WG_KEY_LEN);
	crypto_wipe(hs->hash, WG_HASH_LEN);
	crypto_wipe(hs->chaining_key, WG_HASH_LEN);
	hs->local_index = 0;
	hs->remote_index = 0;
	hs->state = HANDSHAKE_ZEROED;
}

/* TAI64N: 2^62 + 10 + Unix seconds, then nanoseconds, both big-endian. The nanoseconds are
 * rounded down to the initiation rate, so the timestamp leaks no finer clock (kernel rule). */
void noise_tai64n_now(uint8_t out[WG_TIMESTAMP_LEN])
{
	struct timespec ts;
	uint64_t secs;
	uint32_t nsec;

	clock_wall(&ts);
	secs = htobe64(UINT64_C(0x400000000000000a) + (uint64_t)ts.tv_sec);
	nsec = (uint32_t)ts.tv_nsec;
	nsec -= nsec % (1 << 24); /* 16.7 ms, below 1 s / WG_INITIATIONS_PER_SECOND */
	nsec = htobe32(nsec);
	memcpy(out, &secs, 8);
	memcpy(out + 8, &nsec, 4);
}

bool noise_create_initiation(struct wg_msg_initiation *dst, struct noise_handshake *hs,
			     const struct noise_static_identity *id, uint32_t local_index)
{
	uint8_t key[WG_KEY_LEN], timestamp[WG_TIMESTAMP_LEN];
	bool ok = false;

	if (!id->has_identity || !static_static(hs, id))
		return false;
	dst->type = htole32(WG_MSG_INITIATION);
	handshake_start(hs->chaining_key, hs->hash, hs->remote_static);

	/* e */
	crypto_generate_private_key(hs->ephemeral_private);
	if (!crypto_public_key(dst->ephemeral, hs->ephemeral_private))
		goto out;
	mix_ephemeral(hs->chaining_key, hs->hash, dst->ephemeral);
	/* es */
	if (!mix_dh(hs->chaining_key, key, hs->ephemeral_private, hs->remote_static))
		goto out;
	/* s */
	encrypt_and_hash(dst->encrypted_static, id->public_key, WG_KEY_LEN, key, hs->hash);
	/* ss */
	if (!mix_precomputed(hs->chaining_key, key, hs, id))
		goto out;
	/* {t} */
	noise_tai64n_now(timestamp);
	encrypt_and_hash(dst->encrypted_timestamp, timestamp, WG_TIMESTAMP_LEN, key, hs->hash);

	dst->sender = htole32(local_index);
	hs->local_index = local_index;
	hs->state = HANDSHAKE_CREATED_INITIATION;
	ok = true;
out:
	crypto_wipe(key, sizeof(key));
	if (!ok)
		noise_handshake_clear(hs);
	return ok;
}

struct noise_handshake *noise_consume_initiation(const struct wg_msg_initiation *src,
						 const struct noise_static_identity *id,
						 noise_lookup_fn lookup, void *ctx, uint64_t now_ms)
{
	uint8_t ck[WG_HASH_LEN], h[WG_HASH_LEN], key[WG_KEY_LEN];
	uint8_t s[WG_KEY_LEN], t[WG_TIMESTAMP_LEN];
	struct noise_handshake *hs = NULL, *found;
	bool replay, flood;

	if (!id->has_identity)
		return NULL;
	handshake_start(ck, h, id->public_key);

	/* e */
	mix_ephemeral(ck, h, src->ephemeral);
	/* es */
	if (!mix_dh(ck, key, id->private_key, src->ephemeral))
		goto out;
	/* s */
	if (!decrypt_and_hash(s, src->encrypted_static, WG_KEY_LEN, key, h))
		goto out;
	found = lookup(ctx, s);
	if (!found)
		goto out;
	/* ss */
	if (!mix_precomputed(ck, key, found, id))
		goto out;
	/* {t} */
	if (!decrypt_and_hash(t, src->encrypted_timestamp, WG_TIMESTAMP_LEN, key, h))
		goto out;

	/* An old timestamp is a replayed initiation; a burst of new ones is a flood. */
	replay = memcmp(t, found->latest_timestamp, WG_TIMESTAMP_LEN) <= 0;
	flood = found->last_initiation_consumption &&
		now_ms < found->last_initiation_consumption + 1000 / WG_INITIATIONS_PER_SECOND;
	if (replay || flood)
		goto out;

	memcpy(found->remote_ephemeral, src->ephemeral, WG_KEY_LEN);
	memcpy(found->latest_timestamp, t, WG_TIMESTAMP_LEN);
	memcpy(found->hash, h, WG_HASH_LEN);
	memcpy(found->chaining_key, ck, WG_HASH_LEN);
	found->remote_index = le32toh(src->sender);
	found->last_initiation_consumption = now_ms;
	found->state = HANDSHAKE_CONSUMED_INITIATION;
	hs = found;
out:
	crypto_wipe(ck, sizeof(ck));
	crypto_wipe(h, sizeof(h));
	crypto_wipe(key, sizeof(key));
	crypto_wipe(s, sizeof(s));
	return hs;
}

bool noise_create_response(struct wg_msg_response *dst, struct noise_handshake *hs,
			   uint32_t local_index)
{
	uint8_t key[WG_KEY_LEN], nothing[1] = { 0 };
	bool ok = false;

	if (hs->state != HANDSHAKE_CONSUMED_INITIATION)
		return false;
	dst->type = htole32(WG_MSG_RESPONSE);
	dst->receiver = htole32(hs->remote_index);

	/* e */
	crypto_generate_private_key(hs->ephemeral_private);
	if (!crypto_public_key(dst->ephemeral, hs->ephemeral_private))
		goto out;
	mix_ephemeral(hs->chaining_key, hs->hash, dst->ephemeral);
	/* ee */
	if (!mix_dh(hs->chaining_key, key, hs->ephemeral_private, hs->remote_ephemeral))
		goto out;
	/* se */
	if (!mix_dh(hs->chaining_key, key, hs->ephemeral_private, hs->remote_static))
		goto out;
	/* psk */
	mix_psk(hs->chaining_key, hs->hash, key, hs->preshared_key);
	/* {} */
	encrypt_and_hash(dst->encrypted_nothing, nothing, 0, key, hs->hash);

	dst->sender = htole32(local_index);
	hs->local_index = local_index;
	hs->state = HANDSHAKE_CREATED_RESPONSE;
	ok = true;
out:
	crypto_wipe(key, sizeof(key));
	if (!ok)
		noise_handshake_clear(hs);
	return ok;
}

bool noise_consume_response(const struct wg_msg_response *src, struct noise_handshake *hs,
			    const struct noise_static_identity *id)
{
	uint8_t ck[WG_HASH_LEN], h[WG_HASH_LEN], key[WG_KEY_LEN], nothing[1];
	bool ok = false;

	if (hs->state != HANDSHAKE_CREATED_INITIATION || !id->has_identity)
		return false;
	memcpy(ck, hs->chaining_key, WG_HASH_LEN);
	memcpy(h, hs->hash, WG_HASH_LEN);

	/* e */
	mix_ephemeral(ck, h, src->ephemeral);
	/* ee */
	if (!mix_dh(ck, key, hs->ephemeral_private, src->ephemeral))
		goto out;
	/* se */
	if (!mix_dh(ck, key, id->private_key, src->ephemeral))
		goto out;
	/* psk */
	mix_psk(ck, h, key, hs->preshared_key);
	/* {} */
	if (!decrypt_and_hash(nothing, src->encrypted_nothing, 0, key, h))
		goto out;

	memcpy(hs->remote_ephemeral, src->ephemeral, WG_KEY_LEN);
	memcpy(hs->hash, h, WG_HASH_LEN);
	memcpy(hs->chaining_key, ck, WG_HASH_LEN);
	hs->remote_index = le32toh(src->sender);
	hs->state = HANDSHAKE_CONSUMED_RESPONSE;
	ok = true;
out:
	crypto_wipe(ck, sizeof(ck));
	crypto_wipe(h, sizeof(h));
	crypto_wipe(key, sizeof(key));
	return ok;
}

/* A keypair is taken once per handshake, never per packet, and kept out of core dumps. (Its
 * cipher contexts, OpenSSL's, hold the expanded keys in malloc's memory: privs_no_dumps sets
 * the coredump filter so that no core carries any of that.) */
static struct secmem_pool keypairs = SECMEM_POOL(sizeof(struct noise_keypair));

/* (T_send, T_recv) = KDF2(ck, empty) for the initiator; swapped for the responder. */
struct noise_keypair *noise_keypair_create(struct noise_handshake *hs, uint64_t now_ms)
{
	uint8_t first[WG_KEY_LEN], second[WG_KEY_LEN];
	struct noise_keypair *kp;
	bool initiator;

	if (hs->state != HANDSHAKE_CONSUMED_RESPONSE && hs->state != HANDSHAKE_CREATED_RESPONSE)
		return NULL;
	initiator = hs->state == HANDSHAKE_CONSUMED_RESPONSE;
	kp = secmem_alloc(&keypairs);
	if (!kp) {
		noise_handshake_clear(hs);
		return NULL;
	}
	crypto_kdf(first, second, NULL, hs->chaining_key, NULL, 0);
	if (!crypto_aead_ctx_init(&kp->send, initiator ? first : second, true) ||
	    !crypto_aead_ctx_init(&kp->recv, initiator ? second : first, false)) {
		noise_keypair_free(kp);
		kp = NULL;
		goto out;
	}
	replay_init(&kp->replay);
	kp->birthdate = now_ms;
	kp->is_initiator = initiator;
	kp->local_index = hs->local_index;
	kp->remote_index = hs->remote_index;
out:
	crypto_wipe(first, sizeof(first));
	crypto_wipe(second, sizeof(second));
	noise_handshake_clear(hs);
	return kp;
}

void noise_keypair_free(struct noise_keypair *kp)
{
	if (!kp)
		return;
	crypto_aead_ctx_free(&kp->send);
	crypto_aead_ctx_free(&kp->recv);
	secmem_free(&keypairs, kp);
}
