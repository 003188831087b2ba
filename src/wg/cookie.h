/* mac1, mac2 and cookie replies (whitepaper §5.4.4, §5.4.7). mac1 proves the sender knows our
 * public key, so messages failing it are dropped without a word. Under load a handshake
 * message must also carry mac2, a MAC under a cookie we gave its source address, or it gets
 * a cookie reply instead of an answer. */
#ifndef ADIT_WG_COOKIE_H
#define ADIT_WG_COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "wg/messages.h"

/* The device's side: the secret cookies are made from, changed every two minutes. */
struct cookie_checker {
	uint8_t secret[WG_HASH_LEN];
	uint64_t secret_birthdate; /* ms, monotonic; 0 = never made */
	uint8_t cookie_encryption_key[WG_KEY_LEN];
	uint8_t message_mac1_key[WG_KEY_LEN];
	bool has_keys;
};

/* A peer's side: the keys derived from its public key, the last cookie it gave us, and the
 * mac1 of our last handshake message to it (a cookie reply must answer that message). */
struct cookie {
	uint8_t cookie_decryption_key[WG_KEY_LEN];
	uint8_t message_mac1_key[WG_KEY_LEN];
	uint8_t cookie[WG_COOKIE_LEN];
	uint64_t birthdate; /* ms, monotonic, of cookie */
	bool is_valid;
	uint8_t last_mac1_sent[WG_MAC_LEN];
	bool have_sent_mac1;
};

enum cookie_mac_state {
	COOKIE_INVALID_MAC,           /* drop silently */
	COOKIE_VALID_MAC_NO_COOKIE,   /* mac1 good; mac2 missing or wrong */
	COOKIE_VALID_MAC_WITH_COOKIE, /* mac1 and mac2 good */
};

/* Derives the checker's keys from our public key; NULL (no private key) clears them. */
void cookie_checker_init(struct cookie_checker *c, const uint8_t public_key[WG_KEY_LEN]);
void cookie_checker_wipe(struct cookie_checker *c);
/* Derives a peer's keys from its public key and forgets any cookie. */
void cookie_init(struct cookie *c, const uint8_t peer_public_key[WG_KEY_LEN]);
void cookie_wipe(struct cookie *c);

/* msg/len: a whole initiation or response; src: where it came from. Checks mac1, and mac2
 * against the cookie src would hold now when check_cookie (under load). */
enum cookie_mac_state cookie_validate(struct cookie_checker *c, const void *msg, size_t len,
				      const struct sockaddr *src, bool check_cookie,
				      uint64_t now_ms);
/* Fills mac1 and (with a cookie younger than two minutes, less latency) mac2 of an outgoing
 * initiation or response of len bytes, and remembers mac1. */
void cookie_add_macs(struct cookie *c, void *msg, size_t len, uint64_t now_ms);
/* The cookie reply to msg (a handshake message from src whose sender index is index). */
void cookie_reply_create(struct wg_msg_cookie *dst, struct cookie_checker *c, const void *msg,
			 size_t len, uint32_t index, const struct sockaddr *src, uint64_t now_ms);
/* Takes the cookie from a reply to our last handshake message; false if it does not decrypt
 * (or we sent nothing it could answer). */
bool cookie_reply_consume(struct cookie *c, const struct wg_msg_cookie *msg, uint64_t now_ms);

#endif
