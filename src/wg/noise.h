/* The Noise_IKpsk2 handshake as WireGuard uses it (whitepaper §5.4.2-§5.4.5), and the
 * keypairs it yields. */
#ifndef ADIT_WG_NOISE_H
#define ADIT_WG_NOISE_H

#include <stdbool.h>
#include <stdint.h>

#include "wg/crypto.h"
#include "wg/messages.h"
#include "wg/replay.h"

struct wg_peer;
struct wg_device;

struct noise_static_identity {
	uint8_t private_key[WG_KEY_LEN];
	uint8_t public_key[WG_KEY_LEN];
	bool has_identity;
};

/* One session's keys: made by a completed handshake, used until replaced or expired. */
struct noise_keypair {
	struct wg_peer *peer;
	struct crypto_aead_ctx send;
	struct crypto_aead_ctx recv;
	uint64_t send_counter; /* the next nonce to use */
	struct replay_counter replay;
	uint64_t birthdate; /* ms, monotonic */
	uint32_t local_index;
	uint32_t remote_index;
	/* A responder's keypair waits in keypairs.next, unused for sending, until the
	 * initiator's first data message proves the initiator has it too. */
	bool is_initiator;
};

/* The current keypair, the one it replaced (still accepted on receive), and a responder's
 * keypair waiting for its first data message. */
struct noise_keypairs {
	struct noise_keypair *current;
	struct noise_keypair *previous;
	struct noise_keypair *next;
};

enum noise_handshake_state {
	HANDSHAKE_ZEROED,
	HANDSHAKE_CREATED_INITIATION,
	HANDSHAKE_CONSUMED_INITIATION,
	HANDSHAKE_CREATED_RESPONSE,
	HANDSHAKE_CONSUMED_RESPONSE,
};

struct noise_handshake {
	enum noise_handshake_state state;
	uint8_t remote_static[WG_KEY_LEN];
	uint8_t preshared_key[WG_KEY_LEN];
	/* DH(our private, their public), computed the first time a handshake needs it: a peer
	 * costs no scalar multiplication to configure, so loading 100,000 of them is quick. */
	uint8_t precomputed_static_static[WG_KEY_LEN];
	enum { STATIC_STATIC_UNKNOWN, STATIC_STATIC_VALID, STATIC_STATIC_INVALID } static_static;
	uint8_t ephemeral_private[WG_KEY_LEN];
	uint8_t remote_ephemeral[WG_KEY_LEN];
	uint8_t hash[WG_HASH_LEN];
	uint8_t chaining_key[WG_HASH_LEN];
	uint8_t latest_timestamp[WG_TIMESTAMP_LEN];
	uint64_t last_initiation_consumption; /* ms, monotonic; 0 = never */
	uint32_t local_index;
	uint32_t remote_index;
};

/* Computes the public key; an all-zero private key removes the identity. */
void noise_set_static_identity(struct noise_static_identity *id, const uint8_t priv[WG_KEY_LEN]);
/* Prepares a peer's handshake for remote_static. */
void noise_handshake_init(struct noise_handshake *hs, const uint8_t remote_static[WG_KEY_LEN]);
/* After our identity changed: forget the static-static DH and any handshake. */
void noise_handshake_rekey(struct noise_handshake *hs);
void noise_handshake_clear(struct noise_handshake *hs);

/* Initiator: fills dst (but not its macs) and moves to CREATED_INITIATION. */
bool noise_create_initiation(struct wg_msg_initiation *dst, struct noise_handshake *hs,
			     const struct noise_static_identity *id, uint32_t local_index);
/* Responder: authenticates src (mac1 already checked) and returns the handshake of the peer
 * whose static key it carries (found through lookup), now CONSUMED_INITIATION; NULL for
 * anything that does not authenticate, that replays an old timestamp, or comes too soon
 * after the peer's last initiation. */
typedef struct noise_handshake *(*noise_lookup_fn)(void *ctx, const uint8_t pub[WG_KEY_LEN]);
struct noise_handshake *noise_consume_initiation(const struct wg_msg_initiation *src,
						 const struct noise_static_identity *id,
						 noise_lookup_fn lookup, void *ctx, uint64_t now_ms);
bool noise_create_response(struct wg_msg_response *dst, struct noise_handshake *hs,
			   uint32_t local_index);
/* Initiator: src answers the initiation hs made (the caller found hs by src->receiver). */
bool noise_consume_response(const struct wg_msg_response *src, struct noise_handshake *hs,
			    const struct noise_static_identity *id);
/* Derives the session keys from a finished handshake and wipes the handshake, whether it
 * succeeds or not. Returns a new keypair (allocated: once per handshake, never per packet)
 * or NULL. */
struct noise_keypair *noise_keypair_create(struct noise_handshake *hs, uint64_t now_ms);
void noise_keypair_free(struct noise_keypair *kp);

/* TAI64N of the wall clock, as the initiation carries it. */
void noise_tai64n_now(uint8_t out[WG_TIMESTAMP_LEN]);

#endif
