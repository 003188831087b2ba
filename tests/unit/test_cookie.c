/* mac1, mac2 and cookie replies (whitepaper §5.4.4, §5.4.7).
 *
 * The expected bytes below were computed offline in Python, not by adit: BLAKE2s with
 * hashlib.blake2s(data, key=..., digest_size=...), and XChaCha20-Poly1305 as a pure-Python
 * HChaCha20 (checked against the HChaCha20 and AEAD vectors of draft-irtf-cfrg-xchacha) in
 * front of the `cryptography` package's ChaCha20Poly1305. hashlib carries its own BLAKE2
 * code, but nothing guarantees it shares none with OpenSSL's; the formulas are the point:
 *
 *   mac1_key   = blake2s(b"mac1----" + pub)              pub = bytes(0x20..0x3f)
 *   cookie_key = blake2s(b"cookie--" + pub)
 *   msg        = 148 bytes: 01 00 00 00, then byte i = (i * 7 + 3) & 0xff up to mac1
 *   mac1       = blake2s(msg[:116], key=mac1_key, digest_size=16)
 *   cookie     = blake2s(addr bytes + port big-endian, key=secret, digest_size=16)
 *                secret = bytes(0x80..0x9f); 192.0.2.1:51820 and [2001:db8::1]:443
 *   mac2       = blake2s(msg[:132], key=cookie, digest_size=16)
 *   reply      = xchacha20poly1305(cookie_key, nonce=bytes(0x60..0x77),
 *                                  cookie=bytes(0xc0..0xcf), ad=mac1)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <endian.h>
#include <netinet/in.h>
#include <string.h>

#include "wg/cookie.h"
#include "wg/crypto.h"

#define AGE WG_COOKIE_SECRET_MAX_AGE
#define COOKIE_LIFE (WG_COOKIE_SECRET_MAX_AGE - WG_COOKIE_SECRET_LATENCY)

static const uint8_t expected_mac1_key[32] = {
	0x60, 0x86, 0x21, 0x7e, 0xb6, 0x54, 0x98, 0x48, 0x1f, 0x1d, 0x32, 0x41,
	0xe2, 0x32, 0x02, 0x78, 0xfd, 0x34, 0x0f, 0x23, 0xa6, 0xb7, 0x40, 0x7b,
	0xfb, 0xea, 0xd5, 0xe8, 0x3f, 0x9a, 0xba, 0x74,
};
static const uint8_t expected_cookie_key[32] = {
	0x6b, 0x07, 0xb5, 0xc8, 0xf8, 0x8b, 0x3e, 0x94, 0x04, 0x70, 0x38, 0x36,
	0xd0, 0x76, 0xf1, 0xce, 0xf9, 0x7b, 0x18, 0x8a, 0x49, 0x5b, 0xe4, 0x66,
	0xc8, 0x1c, 0xee, 0xe6, 0x28, 0xd1, 0x37, 0x8b,
};
static const uint8_t expected_mac1[16] = {
	0x08, 0xc3, 0xb1, 0x6f, 0x4c, 0x61, 0x33, 0xbb, 0x31, 0x9e, 0x5f, 0xb8,
	0x7a, 0x44, 0x3d, 0x82,
};
static const uint8_t expected_mac2_v4[16] = {
	0x44, 0x2e, 0x43, 0x64, 0xc5, 0x64, 0x8d, 0x8e, 0x60, 0xce, 0x80, 0xb7,
	0xc9, 0xfd, 0xd8, 0x8b,
};
static const uint8_t expected_mac2_v6[16] = {
	0x3c, 0xf5, 0xfc, 0x85, 0x14, 0xe9, 0x4c, 0x45, 0x2c, 0xee, 0xb1, 0x17,
	0x0a, 0xec, 0x1f, 0x86,
};
static const uint8_t reply_ciphertext[32] = {
	0xd2, 0xaf, 0x80, 0x3e, 0x67, 0x1b, 0x46, 0x10, 0xb2, 0xcd, 0xb9, 0x39,
	0x05, 0x1f, 0x6e, 0x96, 0xb5, 0x79, 0x0c, 0x14, 0x59, 0x51, 0x6c, 0x2e,
	0xcc, 0x0b, 0xf2, 0x33, 0x04, 0xcd, 0xd9, 0xbc,
};

static void fill(uint8_t *buf, size_t len, uint8_t first)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(first + i);
}

static void public_key(uint8_t pub[WG_KEY_LEN])
{
	fill(pub, WG_KEY_LEN, 0x20);
}

/* The fixed initiation of the header comment, macs zero. */
static struct wg_msg_initiation fixed_message(void)
{
	struct wg_msg_initiation m;
	uint8_t *b = (uint8_t *)&m;

	memset(&m, 0, sizeof(m));
	b[0] = 1;
	for (size_t i = 4; i < offsetof(struct wg_msg_initiation, macs); i++)
		b[i] = (uint8_t)(i * 7 + 3);
	return m;
}

static struct sockaddr_in v4(const char *ip, uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };

	inet_pton(AF_INET, ip, &sin.sin_addr);
	return sin;
}

static struct sockaddr_in6 v6(const char *ip, uint16_t port)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };

	inet_pton(AF_INET6, ip, &sin6.sin6_addr);
	return sin6;
}

static enum cookie_mac_state check(struct cookie_checker *c, const struct wg_msg_initiation *m,
				   const char *ip, uint16_t port, bool under_load, uint64_t now)
{
	struct sockaddr_in sin = v4(ip, port);

	return cookie_validate(c, m, sizeof(*m), (struct sockaddr *)&sin, under_load, now);
}

static void keys_derive_from_labels_and_public_key(void **state)
{
	struct cookie_checker checker;
	struct cookie peer;
	uint8_t pub[WG_KEY_LEN];

	(void)state;
	public_key(pub);
	cookie_checker_init(&checker, pub);
	assert_true(checker.has_keys);
	assert_memory_equal(checker.message_mac1_key, expected_mac1_key, 32);
	assert_memory_equal(checker.cookie_encryption_key, expected_cookie_key, 32);
	cookie_init(&peer, pub);
	assert_memory_equal(peer.message_mac1_key, expected_mac1_key, 32);
	assert_memory_equal(peer.cookie_decryption_key, expected_cookie_key, 32);
	assert_false(peer.is_valid);
	assert_false(peer.have_sent_mac1);

	cookie_checker_init(&checker, NULL);
	assert_false(checker.has_keys);
	assert_true(crypto_is_zero(checker.message_mac1_key, 32));
	assert_true(crypto_is_zero(checker.cookie_encryption_key, 32));
}

static void add_macs_writes_mac1_and_no_mac2_without_cookie(void **state)
{
	struct wg_msg_initiation m = fixed_message();
	struct cookie peer;
	uint8_t pub[WG_KEY_LEN];

	(void)state;
	public_key(pub);
	cookie_init(&peer, pub);
	memset(m.macs.mac2, 0xff, WG_MAC_LEN);
	cookie_add_macs(&peer, &m, sizeof(m), 1000);
	assert_memory_equal(m.macs.mac1, expected_mac1, WG_MAC_LEN);
	assert_true(crypto_is_zero(m.macs.mac2, WG_MAC_LEN));
	assert_true(peer.have_sent_mac1);
	assert_memory_equal(peer.last_mac1_sent, expected_mac1, WG_MAC_LEN);
}

static void validate_checks_mac1(void **state)
{
	struct wg_msg_initiation m = fixed_message();
	struct cookie_checker checker;
	uint8_t pub[WG_KEY_LEN];

	(void)state;
	public_key(pub);
	cookie_checker_init(&checker, pub);
	memcpy(m.macs.mac1, expected_mac1, WG_MAC_LEN);
	assert_int_equal(check(&checker, &m, "192.0.2.1", 51820, false, 1000),
			 COOKIE_VALID_MAC_NO_COOKIE);
	/* mac2 is not covered by mac1; without a cookie it is simply wrong. */
	assert_int_equal(check(&checker, &m, "192.0.2.1", 51820, true, 1000),
			 COOKIE_VALID_MAC_NO_COOKIE);

	m.ephemeral[5] ^= 0x10;
	assert_int_equal(check(&checker, &m, "192.0.2.1", 51820, false, 1000), COOKIE_INVALID_MAC);
	m.ephemeral[5] ^= 0x10;
	m.macs.mac1[15] ^= 0x01;
	assert_int_equal(check(&checker, &m, "192.0.2.1", 51820, false, 1000), COOKIE_INVALID_MAC);
	m.macs.mac1[15] ^= 0x01;
	m.type = htole32(2);
	assert_int_equal(check(&checker, &m, "192.0.2.1", 51820, false, 1000), COOKIE_INVALID_MAC);
	m.type = htole32(1);

	assert_int_equal(cookie_validate(&checker, &m, sizeof(struct wg_macs) - 1, NULL, false,
					 1000),
			 COOKIE_INVALID_MAC);
	cookie_checker_init(&checker, NULL);
	assert_int_equal(check(&checker, &m, "192.0.2.1", 51820, false, 1000), COOKIE_INVALID_MAC);
}

/* A checker whose secret is the fixed one of the header comment, made at 1000 ms. */
static void fixed_secret(struct cookie_checker *checker)
{
	uint8_t pub[WG_KEY_LEN];

	public_key(pub);
	cookie_checker_init(checker, pub);
	fill(checker->secret, sizeof(checker->secret), 0x80);
	checker->secret_birthdate = 1000;
}

static void mac2_uses_address_and_port_bytes(void **state)
{
	struct wg_msg_initiation m = fixed_message();
	struct cookie_checker checker;
	struct sockaddr_in6 sin6 = v6("2001:db8::1", 443);

	(void)state;
	fixed_secret(&checker);
	memcpy(m.macs.mac1, expected_mac1, WG_MAC_LEN);
	memcpy(m.macs.mac2, expected_mac2_v4, WG_MAC_LEN);
	assert_int_equal(check(&checker, &m, "192.0.2.1", 51820, true, 2000),
			 COOKIE_VALID_MAC_WITH_COOKIE);
	assert_int_equal(check(&checker, &m, "192.0.2.1", 51821, true, 2000),
			 COOKIE_VALID_MAC_NO_COOKIE);
	assert_int_equal(check(&checker, &m, "192.0.2.2", 51820, true, 2000),
			 COOKIE_VALID_MAC_NO_COOKIE);
	/* Not under load, mac2 is not looked at. */
	assert_int_equal(check(&checker, &m, "192.0.2.1", 51820, false, 2000),
			 COOKIE_VALID_MAC_NO_COOKIE);
	m.macs.mac2[0] ^= 0x80;
	assert_int_equal(check(&checker, &m, "192.0.2.1", 51820, true, 2000),
			 COOKIE_VALID_MAC_NO_COOKIE);

	memcpy(m.macs.mac2, expected_mac2_v6, WG_MAC_LEN);
	assert_int_equal(cookie_validate(&checker, &m, sizeof(m), (struct sockaddr *)&sin6, true,
					 2000),
			 COOKIE_VALID_MAC_WITH_COOKIE);
	sin6.sin6_port = htons(444);
	assert_int_equal(cookie_validate(&checker, &m, sizeof(m), (struct sockaddr *)&sin6, true,
					 2000),
			 COOKIE_VALID_MAC_NO_COOKIE);
}

static void consumes_independently_encrypted_reply(void **state)
{
	struct wg_msg_initiation m = fixed_message();
	struct wg_msg_cookie reply = { .type = htole32(WG_MSG_COOKIE) };
	struct cookie peer;
	uint8_t pub[WG_KEY_LEN], cookie[WG_COOKIE_LEN];

	(void)state;
	public_key(pub);
	cookie_init(&peer, pub);
	fill(reply.nonce, sizeof(reply.nonce), 0x60);
	memcpy(reply.encrypted_cookie, reply_ciphertext, sizeof(reply_ciphertext));
	assert_false(cookie_reply_consume(&peer, &reply, 5000)); /* no mac1 sent yet */

	cookie_add_macs(&peer, &m, sizeof(m), 5000);
	assert_true(cookie_reply_consume(&peer, &reply, 5000));
	fill(cookie, sizeof(cookie), 0xc0);
	assert_memory_equal(peer.cookie, cookie, WG_COOKIE_LEN);
	assert_true(peer.is_valid);
	assert_int_equal(peer.birthdate, 5000);
	assert_false(peer.have_sent_mac1);
	assert_false(cookie_reply_consume(&peer, &reply, 5001)); /* the same reply again */
}

static void reply_round_trip_gives_working_mac2(void **state)
{
	struct wg_msg_initiation m = fixed_message();
	struct wg_msg_cookie reply, reply2;
	struct cookie_checker responder;
	struct cookie initiator;
	struct sockaddr_in from = v4("198.51.100.7", 40000);
	uint8_t pub[WG_KEY_LEN];

	(void)state;
	public_key(pub);
	cookie_checker_init(&responder, pub);
	cookie_init(&initiator, pub);

	cookie_add_macs(&initiator, &m, sizeof(m), 10000);
	assert_int_equal(check(&responder, &m, "198.51.100.7", 40000, true, 10000),
			 COOKIE_VALID_MAC_NO_COOKIE);
	cookie_reply_create(&reply, &responder, &m, sizeof(m), 0x01020304,
			    (struct sockaddr *)&from, 10000);
	assert_int_equal(le32toh(reply.type), WG_MSG_COOKIE);
	assert_int_equal(le32toh(reply.receiver), 0x01020304);
	cookie_reply_create(&reply2, &responder, &m, sizeof(m), 0x01020304,
			    (struct sockaddr *)&from, 10000);
	assert_memory_not_equal(reply.nonce, reply2.nonce, WG_COOKIE_NONCE_LEN);

	assert_true(cookie_reply_consume(&initiator, &reply, 10010));
	m.sender ^= 0xffff; /* the retried initiation differs */
	cookie_add_macs(&initiator, &m, sizeof(m), 10020);
	assert_false(crypto_is_zero(m.macs.mac2, WG_MAC_LEN));
	assert_int_equal(check(&responder, &m, "198.51.100.7", 40000, true, 10020),
			 COOKIE_VALID_MAC_WITH_COOKIE);
	assert_int_equal(check(&responder, &m, "198.51.100.7", 40001, true, 10020),
			 COOKIE_VALID_MAC_NO_COOKIE);
	assert_int_equal(check(&responder, &m, "198.51.100.8", 40000, true, 10020),
			 COOKIE_VALID_MAC_NO_COOKIE);
	cookie_checker_wipe(&responder);
	cookie_wipe(&initiator);
	assert_true(crypto_is_zero(&responder, sizeof(responder)));
	assert_true(crypto_is_zero(&initiator, sizeof(initiator)));
}

static void consume_refuses_bad_replies(void **state)
{
	struct wg_msg_initiation m = fixed_message(), later = fixed_message();
	struct wg_msg_cookie reply, bad;
	struct cookie_checker responder;
	struct cookie initiator;
	struct sockaddr_in from = v4("198.51.100.7", 40000);
	uint8_t pub[WG_KEY_LEN], other[WG_KEY_LEN];

	(void)state;
	public_key(pub);
	cookie_checker_init(&responder, pub);
	cookie_init(&initiator, pub);
	cookie_add_macs(&initiator, &m, sizeof(m), 10000);
	cookie_reply_create(&reply, &responder, &m, sizeof(m), 7, (struct sockaddr *)&from, 10000);

	bad = reply;
	bad.encrypted_cookie[3] ^= 0x04;
	assert_false(cookie_reply_consume(&initiator, &bad, 10001));
	bad = reply;
	bad.nonce[23] ^= 0x01;
	assert_false(cookie_reply_consume(&initiator, &bad, 10001));
	bad = reply;
	bad.encrypted_cookie[sizeof(bad.encrypted_cookie) - 1] ^= 0x80; /* the tag */
	assert_false(cookie_reply_consume(&initiator, &bad, 10001));
	assert_true(initiator.have_sent_mac1);
	assert_false(initiator.is_valid);

	/* A reply to an earlier message of ours: its ad is not our last mac1. */
	later.sender = 99;
	cookie_add_macs(&initiator, &later, sizeof(later), 10002);
	assert_false(cookie_reply_consume(&initiator, &reply, 10003));
	cookie_add_macs(&initiator, &m, sizeof(m), 10004);
	assert_true(cookie_reply_consume(&initiator, &reply, 10005));
	assert_false(cookie_reply_consume(&initiator, &reply, 10006));

	/* A reply made under another public key's cookie key. */
	fill(other, sizeof(other), 0x55);
	cookie_checker_init(&responder, other);
	cookie_add_macs(&initiator, &m, sizeof(m), 10007);
	cookie_reply_create(&reply, &responder, &m, sizeof(m), 7, (struct sockaddr *)&from, 10007);
	assert_false(cookie_reply_consume(&initiator, &reply, 10008));
}

/* Sets up a consumed cookie, made and received at t ms, from 198.51.100.7:40000. */
static void cookie_at(struct cookie_checker *responder, struct cookie *initiator,
		      struct wg_msg_initiation *m, uint64_t t)
{
	struct sockaddr_in from = v4("198.51.100.7", 40000);
	struct wg_msg_cookie reply;
	uint8_t pub[WG_KEY_LEN];

	public_key(pub);
	cookie_checker_init(responder, pub);
	cookie_init(initiator, pub);
	*m = fixed_message();
	cookie_add_macs(initiator, m, sizeof(*m), t);
	cookie_reply_create(&reply, responder, m, sizeof(*m), 7, (struct sockaddr *)&from, t);
	assert_true(cookie_reply_consume(initiator, &reply, t));
}

static void received_cookie_expires(void **state)
{
	struct cookie_checker responder;
	struct cookie initiator;
	struct wg_msg_initiation m;
	const uint64_t t = 50000;

	(void)state;
	cookie_at(&responder, &initiator, &m, t);
	cookie_add_macs(&initiator, &m, sizeof(m), t + COOKIE_LIFE - 1);
	assert_false(crypto_is_zero(m.macs.mac2, WG_MAC_LEN));
	assert_int_equal(check(&responder, &m, "198.51.100.7", 40000, true, t + COOKIE_LIFE - 1),
			 COOKIE_VALID_MAC_WITH_COOKIE);
	cookie_add_macs(&initiator, &m, sizeof(m), t + COOKIE_LIFE);
	assert_true(crypto_is_zero(m.macs.mac2, WG_MAC_LEN));
	assert_int_equal(check(&responder, &m, "198.51.100.7", 40000, true, t + COOKIE_LIFE),
			 COOKIE_VALID_MAC_NO_COOKIE);
}

static void secret_rotation_invalidates_old_cookies(void **state)
{
	struct cookie_checker responder;
	struct cookie initiator;
	struct wg_msg_initiation m;
	struct sockaddr_in from = v4("198.51.100.7", 40000);
	struct wg_msg_cookie reply;
	uint8_t old_secret[WG_HASH_LEN];
	const uint64_t t = 50000;

	(void)state;
	cookie_at(&responder, &initiator, &m, t);
	memcpy(old_secret, responder.secret, sizeof(old_secret));
	assert_int_equal(responder.secret_birthdate, t);
	cookie_add_macs(&initiator, &m, sizeof(m), t + 1000);
	assert_int_equal(check(&responder, &m, "198.51.100.7", 40000, true, t + AGE - 1),
			 COOKIE_VALID_MAC_WITH_COOKIE);
	assert_memory_equal(responder.secret, old_secret, sizeof(old_secret));

	assert_int_equal(check(&responder, &m, "198.51.100.7", 40000, true, t + AGE),
			 COOKIE_VALID_MAC_NO_COOKIE);
	assert_memory_not_equal(responder.secret, old_secret, sizeof(old_secret));
	assert_int_equal(responder.secret_birthdate, t + AGE);

	/* A fresh reply under the new secret works again. */
	cookie_reply_create(&reply, &responder, &m, sizeof(m), 7, (struct sockaddr *)&from,
			    t + AGE);
	assert_true(cookie_reply_consume(&initiator, &reply, t + AGE));
	cookie_add_macs(&initiator, &m, sizeof(m), t + AGE + 1);
	assert_int_equal(check(&responder, &m, "198.51.100.7", 40000, true, t + AGE + 1),
			 COOKIE_VALID_MAC_WITH_COOKIE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keys_derive_from_labels_and_public_key),
		cmocka_unit_test(add_macs_writes_mac1_and_no_mac2_without_cookie),
		cmocka_unit_test(validate_checks_mac1),
		cmocka_unit_test(mac2_uses_address_and_port_bytes),
		cmocka_unit_test(consumes_independently_encrypted_reply),
		cmocka_unit_test(reply_round_trip_gives_working_mac2),
		cmocka_unit_test(consume_refuses_bad_replies),
		cmocka_unit_test(received_cookie_expires),
		cmocka_unit_test(secret_rotation_invalidates_old_cookies),
	};

	if (!crypto_init())
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
