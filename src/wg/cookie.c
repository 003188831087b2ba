/* mac1, mac2 and cookie replies (whitepaper §5.4.4, §5.4.7), after the kernel's cookie.c.
 *
 *   mac1 key   = HASH("mac1----" || Spub)      mac1 = MAC(mac1 key, msg up to mac1)
 *   cookie key = HASH("cookie--" || Spub)      mac2 = MAC(cookie, msg up to mac2)
 *   cookie     = MAC(secret, source address || source port), secret renewed every 2 minutes
 *   reply      = XAEAD(cookie key, random 24-byte nonce, cookie, ad = mac1 being answered)
 *
 * The address and port are hashed as the kernel hashes them: the raw 4 or 16 address bytes
 * and the port as it sits in the packet, big-endian. Times are monotonic milliseconds. */
#include <endian.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>

#include "wg/cookie.h"
#include "wg/crypto.h"

static const char mac1_label[8] = "mac1----";
static const char cookie_label[8] = "cookie--";

static void derive_key(uint8_t key[WG_KEY_LEN], const uint8_t public_key[WG_KEY_LEN],
		       const char label[8])
{
	crypto_blake2s(key, label, 8, public_key, WG_KEY_LEN);
}

/* mac1 covers the message up to mac1; mac2 covers it up to mac2 (mac1 included). */
static void compute_mac1(uint8_t out[WG_MAC_LEN], const void *msg, size_t len,
			 const uint8_t key[WG_KEY_LEN])
{
	crypto_mac(out, key, WG_KEY_LEN, msg,
		   len - sizeof(struct wg_macs) + offsetof(struct wg_macs, mac1));
}

static void compute_mac2(uint8_t out[WG_MAC_LEN], const void *msg, size_t len,
			 const uint8_t cookie[WG_COOKIE_LEN])
{
	crypto_mac(out, cookie, WG_COOKIE_LEN, msg,
		   len - sizeof(struct wg_macs) + offsetof(struct wg_macs, mac2));
}

static const struct wg_macs *macs_of(const void *msg, size_t len)
{
	return (const struct wg_macs *)((const uint8_t *)msg + len - sizeof(struct wg_macs));
}

/* A source of another family (none reaches us today) hashes no address: such sources share
 * one cookie, which is at least consistent between the reply and the check. */
static size_t source_bytes(uint8_t out[18], const struct sockaddr *src)
{
	if (src && src->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)src;

		memcpy(out, &sin->sin_addr, 4);
		memcpy(out + 4, &sin->sin_port, 2);
		return 6;
	}
	if (src && src->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)src;

		memcpy(out, &sin6->sin6_addr, 16);
		memcpy(out + 16, &sin6->sin6_port, 2);
		return 18;
	}
	return 0;
}

/* The cookie src holds now; the secret is renewed first when it is older than two minutes.
 * A birthdate of 0 means no secret yet, so a clock reading of 0 would renew it every call. */
static void make_cookie(uint8_t cookie[WG_COOKIE_LEN], struct cookie_checker *c,
			const struct sockaddr *src, uint64_t now_ms)
{
	uint8_t input[18];
	size_t len;

	if (!c->secret_birthdate || now_ms >= c->secret_birthdate + WG_COOKIE_SECRET_MAX_AGE) {
		crypto_random(c->secret, sizeof(c->secret));
		c->secret_birthdate = now_ms;
	}
	len = source_bytes(input, src);
	crypto_mac(cookie, c->secret, sizeof(c->secret), input, len);
}

void cookie_checker_init(struct cookie_checker *c, const uint8_t public_key[WG_KEY_LEN])
{
	cookie_checker_wipe(c);
	if (!public_key)
		return;
	derive_key(c->cookie_encryption_key, public_key, cookie_label);
	derive_key(c->message_mac1_key, public_key, mac1_label);
	c->has_keys = true;
}

void cookie_checker_wipe(struct cookie_checker *c)
{
	crypto_wipe(c, sizeof(*c));
}

void cookie_init(struct cookie *c, const uint8_t peer_public_key[WG_KEY_LEN])
{
	cookie_wipe(c);
	derive_key(c->cookie_decryption_key, peer_public_key, cookie_label);
	derive_key(c->message_mac1_key, peer_public_key, mac1_label);
}

void cookie_wipe(struct cookie *c)
{
	crypto_wipe(c, sizeof(*c));
}

enum cookie_mac_state cookie_validate(struct cookie_checker *c, const void *msg, size_t len,
				      const struct sockaddr *src, bool check_cookie,
				      uint64_t now_ms)
{
	enum cookie_mac_state ret = COOKIE_INVALID_MAC;
	const struct wg_macs *macs;
	uint8_t computed[WG_MAC_LEN];
	uint8_t cookie[WG_COOKIE_LEN];

	if (!c->has_keys || !msg || len < sizeof(struct wg_macs))
		return COOKIE_INVALID_MAC;
	macs = macs_of(msg, len);

	compute_mac1(computed, msg, len, c->message_mac1_key);
	if (!crypto_equal(computed, macs->mac1, WG_MAC_LEN))
		goto out;
	ret = COOKIE_VALID_MAC_NO_COOKIE;
	if (!check_cookie)
		goto out;

	make_cookie(cookie, c, src, now_ms);
	compute_mac2(computed, msg, len, cookie);
	if (crypto_equal(computed, macs->mac2, WG_MAC_LEN))
		ret = COOKIE_VALID_MAC_WITH_COOKIE;
out:
	crypto_wipe(cookie, sizeof(cookie));
	crypto_wipe(computed, sizeof(computed));
	return ret;
}

/* Called on every initiation or response we send, so last_mac1_sent is always the mac1 a
 * cookie reply from that peer has to answer. */
void cookie_add_macs(struct cookie *c, void *msg, size_t len, uint64_t now_ms)
{
	struct wg_macs *macs;

	if (!msg || len < sizeof(struct wg_macs))
		return;
	macs = (struct wg_macs *)((uint8_t *)msg + len - sizeof(struct wg_macs));

	compute_mac1(macs->mac1, msg, len, c->message_mac1_key);
	memcpy(c->last_mac1_sent, macs->mac1, WG_MAC_LEN);
	c->have_sent_mac1 = true;

	if (c->is_valid &&
	    now_ms < c->birthdate + (WG_COOKIE_SECRET_MAX_AGE - WG_COOKIE_SECRET_LATENCY))
		compute_mac2(macs->mac2, msg, len, c->cookie);
	else
		memset(macs->mac2, 0, WG_MAC_LEN);
}

/* index is the sender index of msg, in host order. */
void cookie_reply_create(struct wg_msg_cookie *dst, struct cookie_checker *c, const void *msg,
			 size_t len, uint32_t index, const struct sockaddr *src, uint64_t now_ms)
{
	uint8_t cookie[WG_COOKIE_LEN];

	memset(dst, 0, sizeof(*dst));
	if (!msg || len < sizeof(struct wg_macs))
		return;
	dst->type = htole32(WG_MSG_COOKIE);
	dst->receiver = htole32(index);
	crypto_random(dst->nonce, sizeof(dst->nonce));

	make_cookie(cookie, c, src, now_ms);
	crypto_xaead_encrypt(dst->encrypted_cookie, cookie, WG_COOKIE_LEN,
			     macs_of(msg, len)->mac1, WG_MAC_LEN, dst->nonce,
			     c->cookie_encryption_key);
	crypto_wipe(cookie, sizeof(cookie));
}

/* A reply authenticates only against the mac1 we last sent, so once taken it cannot be taken
 * again, and a reply to an older message of ours fails. */
bool cookie_reply_consume(struct cookie *c, const struct wg_msg_cookie *msg, uint64_t now_ms)
{
	uint8_t cookie[WG_COOKIE_LEN];

	if (!c->have_sent_mac1)
		return false;
	if (!crypto_xaead_decrypt(cookie, msg->encrypted_cookie, sizeof(msg->encrypted_cookie),
				  c->last_mac1_sent, WG_MAC_LEN, msg->nonce,
				  c->cookie_decryption_key)) {
		crypto_wipe(cookie, sizeof(cookie));
		return false;
	}
	memcpy(c->cookie, cookie, WG_COOKIE_LEN);
	c->birthdate = now_ms;
	c->is_valid = true;
	c->have_sent_mac1 = false;
	crypto_wipe(cookie, sizeof(cookie));
	return true;
}
