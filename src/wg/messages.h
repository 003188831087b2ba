/* The WireGuard wire format and protocol constants, in one place (whitepaper §5.4, §6).
 * Every multi-byte integer on the wire is little-endian; a message starts with its type as
 * one byte followed by three zero bytes, read here as one little-endian 32-bit word. */
#ifndef ADIT_WG_MESSAGES_H
#define ADIT_WG_MESSAGES_H

#include <stdint.h>

enum {
	WG_KEY_LEN = 32,       /* Curve25519 keys, symmetric keys, pre-shared keys */
	WG_HASH_LEN = 32,      /* BLAKE2s-256 */
	WG_TAG_LEN = 16,       /* Poly1305 */
	WG_TIMESTAMP_LEN = 12, /* TAI64N */
	WG_COOKIE_LEN = 16,
	WG_COOKIE_NONCE_LEN = 24,
	WG_MAC_LEN = 16,
};

enum wg_message_type {
	WG_MSG_INITIATION = 1,
	WG_MSG_RESPONSE = 2,
	WG_MSG_COOKIE = 3,
	WG_MSG_DATA = 4,
};

struct wg_macs {
	uint8_t mac1[WG_MAC_LEN];
	uint8_t mac2[WG_MAC_LEN];
} __attribute__((packed));

struct wg_msg_initiation {
	uint32_t type;
	uint32_t sender;
	uint8_t ephemeral[WG_KEY_LEN];
	uint8_t encrypted_static[WG_KEY_LEN + WG_TAG_LEN];
	uint8_t encrypted_timestamp[WG_TIMESTAMP_LEN + WG_TAG_LEN];
	struct wg_macs macs;
} __attribute__((packed));

struct wg_msg_response {
	uint32_t type;
	uint32_t sender;
	uint32_t receiver;
	uint8_t ephemeral[WG_KEY_LEN];
	uint8_t encrypted_nothing[WG_TAG_LEN];
	struct wg_macs macs;
} __attribute__((packed));

struct wg_msg_cookie {
	uint32_t type;
	uint32_t receiver;
	uint8_t nonce[WG_COOKIE_NONCE_LEN];
	uint8_t encrypted_cookie[WG_COOKIE_LEN + WG_TAG_LEN];
} __attribute__((packed));

/* Followed by the encrypted, zero-padded inner packet and its tag. */
struct wg_msg_data {
	uint32_t type;
	uint32_t receiver;
	uint64_t counter;
} __attribute__((packed));

_Static_assert(sizeof(struct wg_msg_initiation) == 148, "initiation is 148 bytes");
_Static_assert(sizeof(struct wg_msg_response) == 92, "response is 92 bytes");
_Static_assert(sizeof(struct wg_msg_cookie) == 64, "cookie reply is 64 bytes");
_Static_assert(sizeof(struct wg_msg_data) == 16, "data header is 16 bytes");

/* The smallest data message: a header and the tag of an empty (keepalive) payload. */
#define WG_DATA_MIN_LEN (sizeof(struct wg_msg_data) + WG_TAG_LEN)
/* Inner packets are zero-padded to a multiple of this before encryption. */
#define WG_PADDING 16

/* Protocol timing (whitepaper §6.1), in milliseconds, and message limits. */
#define WG_REKEY_AFTER_MESSAGES (UINT64_C(1) << 60)
#define WG_REJECT_AFTER_MESSAGES (UINT64_MAX - (UINT64_C(1) << 13))
#define WG_REKEY_AFTER_TIME 120000
#define WG_REJECT_AFTER_TIME 180000
#define WG_REKEY_ATTEMPT_TIME 90000
#define WG_REKEY_TIMEOUT 5000
#define WG_REKEY_TIMEOUT_JITTER_MAX 334
#define WG_KEEPALIVE_TIMEOUT 10000
#define WG_COOKIE_SECRET_MAX_AGE 120000
#define WG_COOKIE_SECRET_LATENCY 5000
#define WG_MAX_TIMER_HANDSHAKES (WG_REKEY_ATTEMPT_TIME / WG_REKEY_TIMEOUT)
/* A peer's initiations are consumed at most this often (flood protection, kernel's rule). */
#define WG_INITIATIONS_PER_SECOND 50

#endif
