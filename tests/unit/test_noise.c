/* noise.c end to end in memory: two identities run the whole IKpsk2 handshake through the
 * public functions (no device, no sockets), derive their keypairs and carry data both ways;
 * then each way a handshake must fail, failing without a trace in the handshake state.
 * The identities are the RFC 7748 §6.1 Alice (initiator) and Bob (responder), so the public
 * keys the handshake carries are checked against the RFC, not against our own code. The
 * TAI64N timestamps are checked against time(2). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wg/crypto.h"
#include "wg/noise.h"

#define ALICE_PRIV "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"
#define ALICE_PUB "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
#define BOB_PRIV "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"
#define BOB_PUB "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"
/* RFC 7748 §5.2's first scalar, as a third party's private key. */
#define CAROL_PRIV "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"
#define PSK "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

#define ALICE_INDEX 0x11223344u
#define BOB_INDEX 0xa1b2c3d4u
#define NOW 100000 /* ms: any time after the epoch of the monotonic clock */
#define FLOOD_MS (1000 / WG_INITIATIONS_PER_SECOND)

struct side {
	struct noise_static_identity id;
	struct noise_handshake hs;
};

/* The responder's peer table: one peer, found by its public key. */
struct table {
	uint8_t key[WG_KEY_LEN];
	struct noise_handshake *hs;
	int calls;
	uint8_t asked[WG_KEY_LEN];
};

static struct side alice, bob;
static struct table bob_peers;

static void unhex(uint8_t *out, const char *hex)
{
	unsigned int b;

	for (size_t i = 0; i < strlen(hex) / 2; i++) {
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &b), 1);
		out[i] = (uint8_t)b;
	}
}

static struct noise_handshake *lookup(void *ctx, const uint8_t pub[WG_KEY_LEN])
{
	struct table *t = ctx;

	t->calls++;
	memcpy(t->asked, pub, WG_KEY_LEN);
	return t->hs && !memcmp(pub, t->key, WG_KEY_LEN) ? t->hs : NULL;
}

static void identity(struct noise_static_identity *id, const char *priv_hex)
{
	uint8_t priv[WG_KEY_LEN];

	unhex(priv, priv_hex);
	noise_set_static_identity(id, priv);
	assert_true(id->has_identity);
}

/* Alice knows Bob's key and Bob knows Alice's; psk_hex (or no psk) on both sides. */
static void pair(const char *alice_psk, const char *bob_psk)
{
	uint8_t pub[WG_KEY_LEN];

	identity(&alice.id, ALICE_PRIV);
	identity(&bob.id, BOB_PRIV);
	unhex(pub, BOB_PUB);
	noise_handshake_init(&alice.hs, pub);
	unhex(pub, ALICE_PUB);
	noise_handshake_init(&bob.hs, pub);
	if (alice_psk)
		unhex(alice.hs.preshared_key, alice_psk);
	if (bob_psk)
		unhex(bob.hs.preshared_key, bob_psk);
	memset(&bob_peers, 0, sizeof(bob_peers));
	memcpy(bob_peers.key, pub, WG_KEY_LEN);
	bob_peers.hs = &bob.hs;
}

static int setup(void **state)
{
	(void)state;
	pair(NULL, NULL);
	return 0;
}

static struct noise_handshake *consume(const struct wg_msg_initiation *msg, uint64_t now)
{
	return noise_consume_initiation(msg, &bob.id, lookup, &bob_peers, now);
}

/* TAI64N seconds field, read big-endian by hand, as Unix seconds. */
static int64_t tai64n_unix(const uint8_t t[WG_TIMESTAMP_LEN])
{
	uint64_t secs = 0;

	for (int i = 0; i < 8; i++)
		secs = secs << 8 | t[i];
	return (int64_t)(secs - UINT64_C(0x400000000000000a));
}

/* kp's send direction opens under peer's recv and not under its own recv. */
static void carries(struct noise_keypair *from, struct noise_keypair *to, uint64_t counter)
{
	static const uint8_t msg[] = "ping over a fresh session, 40 bytes long";
	uint8_t sealed[sizeof(msg) + WG_TAG_LEN], opened[sizeof(msg)];

	assert_true(crypto_aead_ctx_seal(&from->send, 0, sealed, msg, sizeof(msg), counter));
	assert_memory_not_equal(sealed, msg, sizeof(msg));
	assert_false(crypto_aead_ctx_open(&from->recv, 0, opened, sealed, sizeof(sealed), counter));
	assert_false(crypto_aead_ctx_open(&to->recv, 0, opened, sealed, sizeof(sealed), counter + 1));
	assert_true(crypto_aead_ctx_open(&to->recv, 0, opened, sealed, sizeof(sealed), counter));
	assert_memory_equal(opened, msg, sizeof(msg));
	sealed[3] ^= 1;
	assert_false(crypto_aead_ctx_open(&to->recv, 0, opened, sealed, sizeof(sealed), counter));
}

/* The whole exchange, checking every step; returns the two keypairs. */
static void handshake(struct noise_keypair **kpa, struct noise_keypair **kpb, uint64_t now)
{
	struct wg_msg_initiation init;
	struct wg_msg_response resp;
	const uint8_t *b;
	uint8_t pub[WG_KEY_LEN];
	time_t t0 = time(NULL);

	assert_true(noise_create_initiation(&init, &alice.hs, &alice.id, ALICE_INDEX));
	assert_int_equal(alice.hs.state, HANDSHAKE_CREATED_INITIATION);
	b = (const uint8_t *)&init;
	assert_memory_equal(b, "\x01\x00\x00\x00\x44\x33\x22\x11", 8);

	assert_ptr_equal(consume(&init, now), &bob.hs);
	assert_int_equal(bob_peers.calls, 1);
	unhex(pub, ALICE_PUB);
	assert_memory_equal(bob_peers.asked, pub, WG_KEY_LEN);
	assert_int_equal(bob.hs.state, HANDSHAKE_CONSUMED_INITIATION);
	assert_int_equal(bob.hs.remote_index, ALICE_INDEX);
	assert_memory_equal(bob.hs.remote_ephemeral, init.ephemeral, WG_KEY_LEN);
	assert_true(tai64n_unix(bob.hs.latest_timestamp) >= t0 - 2);
	assert_true(tai64n_unix(bob.hs.latest_timestamp) <= time(NULL) + 2);

	assert_true(noise_create_response(&resp, &bob.hs, BOB_INDEX));
	assert_int_equal(bob.hs.state, HANDSHAKE_CREATED_RESPONSE);
	b = (const uint8_t *)&resp;
	assert_memory_equal(b, "\x02\x00\x00\x00\xd4\xc3\xb2\xa1\x44\x33\x22\x11", 12);

	assert_true(noise_consume_response(&resp, &alice.hs, &alice.id));
	assert_int_equal(alice.hs.state, HANDSHAKE_CONSUMED_RESPONSE);
	assert_int_equal(alice.hs.remote_index, BOB_INDEX);
	assert_memory_equal(alice.hs.remote_ephemeral, resp.ephemeral, WG_KEY_LEN);

	*kpa = noise_keypair_create(&alice.hs, now + 1);
	*kpb = noise_keypair_create(&bob.hs, now + 2);
	assert_non_null(*kpa);
	assert_non_null(*kpb);
}

static void check_session(struct noise_keypair *kpa, struct noise_keypair *kpb)
{
	assert_true(kpa->is_initiator);
	assert_false(kpb->is_initiator);
	assert_int_equal(kpa->local_index, ALICE_INDEX);
	assert_int_equal(kpa->remote_index, BOB_INDEX);
	assert_int_equal(kpb->local_index, BOB_INDEX);
	assert_int_equal(kpb->remote_index, ALICE_INDEX);
	assert_int_equal(kpa->birthdate, NOW + 1);
	assert_int_equal(kpb->birthdate, NOW + 2);
	assert_int_equal(kpa->send_counter, 0);
	carries(kpa, kpb, 0);
	carries(kpb, kpa, 0);
	carries(kpa, kpb, 1);
	carries(kpb, kpa, 0x0102030405060708);
}

static void identities_match_rfc7748(void **state)
{
	uint8_t pub[WG_KEY_LEN], zero[WG_KEY_LEN] = { 0 };
	struct noise_static_identity none;
	struct wg_msg_initiation init;

	(void)state;
	unhex(pub, ALICE_PUB);
	assert_memory_equal(alice.id.public_key, pub, WG_KEY_LEN);
	unhex(pub, BOB_PUB);
	assert_memory_equal(bob.id.public_key, pub, WG_KEY_LEN);
	/* An all-zero private key is no identity, and it cannot initiate. */
	noise_set_static_identity(&none, zero);
	assert_false(none.has_identity);
	assert_memory_equal(none.public_key, zero, WG_KEY_LEN);
	assert_false(noise_create_initiation(&init, &alice.hs, &none, ALICE_INDEX));
	assert_int_equal(alice.hs.state, HANDSHAKE_ZEROED);
	/* No scalar multiplication until a handshake needs one; then both sides hold the same
	 * static-static DH (RFC 7748 §6.1's shared secret). */
	assert_int_equal(alice.hs.static_static, STATIC_STATIC_UNKNOWN);
	assert_int_equal(bob.hs.static_static, STATIC_STATIC_UNKNOWN);
	assert_true(noise_create_initiation(&init, &alice.hs, &alice.id, ALICE_INDEX));
	assert_ptr_equal(consume(&init, NOW), &bob.hs);
	unhex(pub, "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
	assert_int_equal(alice.hs.static_static, STATIC_STATIC_VALID);
	assert_int_equal(bob.hs.static_static, STATIC_STATIC_VALID);
	assert_memory_equal(alice.hs.precomputed_static_static, pub, WG_KEY_LEN);
	assert_memory_equal(bob.hs.precomputed_static_static, pub, WG_KEY_LEN);
	/* A new identity forgets it. */
	noise_handshake_rekey(&alice.hs);
	assert_int_equal(alice.hs.static_static, STATIC_STATIC_UNKNOWN);
	assert_memory_equal(alice.hs.precomputed_static_static, zero, WG_KEY_LEN);
}

/* A peer whose public key is a low-order point (all zeros) gives an all-zero static-static
 * DH: no handshake with it, in either direction. */
static void low_order_peer_key(void **state)
{
	uint8_t zero[WG_KEY_LEN] = { 0 };
	struct wg_msg_initiation init;

	(void)state;
	noise_handshake_init(&alice.hs, zero);
	assert_false(noise_create_initiation(&init, &alice.hs, &alice.id, ALICE_INDEX));
	assert_int_equal(alice.hs.static_static, STATIC_STATIC_INVALID);
	assert_int_equal(alice.hs.state, HANDSHAKE_ZEROED);
}

static void handshake_without_psk(void **state)
{
	struct noise_keypair *kpa, *kpb;

	(void)state;
	handshake(&kpa, &kpb, NOW);
	check_session(kpa, kpb);
	noise_keypair_free(kpa);
	noise_keypair_free(kpb);
}

static void handshake_with_psk(void **state)
{
	struct noise_keypair *kpa, *kpb;

	(void)state;
	pair(PSK, PSK);
	handshake(&kpa, &kpb, NOW);
	check_session(kpa, kpb);
	noise_keypair_free(kpa);
	noise_keypair_free(kpb);
}

/* Two sessions between the same two peers have different keys. */
static void sessions_differ(void **state)
{
	static const uint8_t msg[16] = "same plaintext!";
	uint8_t c1[sizeof(msg) + WG_TAG_LEN], c2[sizeof(msg) + WG_TAG_LEN];
	struct noise_keypair *a1, *b1, *a2, *b2;

	(void)state;
	handshake(&a1, &b1, NOW);
	bob_peers.calls = 0;
	usleep(40000); /* past the 16.7 ms TAI64N granularity */
	handshake(&a2, &b2, NOW + 120000);
	assert_true(crypto_aead_ctx_seal(&a1->send, 0, c1, msg, sizeof(msg), 0));
	assert_true(crypto_aead_ctx_seal(&a2->send, 0, c2, msg, sizeof(msg), 0));
	assert_memory_not_equal(c1, c2, sizeof(c1));
	assert_false(crypto_aead_ctx_open(&b2->recv, 0, c2, c1, sizeof(c1), 0));
	noise_keypair_free(a1);
	noise_keypair_free(b1);
	noise_keypair_free(a2);
	noise_keypair_free(b2);
}

static void keypair_create_clears_handshake(void **state)
{
	uint8_t zero[WG_HASH_LEN] = { 0 }, pub[WG_KEY_LEN];
	struct noise_keypair *kpa, *kpb;
	struct side *sides[] = { &alice, &bob };

	(void)state;
	handshake(&kpa, &kpb, NOW);
	for (int i = 0; i < 2; i++) {
		struct noise_handshake *hs = &sides[i]->hs;

		assert_int_equal(hs->state, HANDSHAKE_ZEROED);
		assert_memory_equal(hs->chaining_key, zero, WG_HASH_LEN);
		assert_memory_equal(hs->hash, zero, WG_HASH_LEN);
		assert_memory_equal(hs->ephemeral_private, zero, WG_KEY_LEN);
		assert_memory_equal(hs->remote_ephemeral, zero, WG_KEY_LEN);
		assert_int_equal(hs->local_index, 0);
		assert_int_equal(hs->remote_index, 0);
		/* A second call finds nothing to derive. */
		assert_null(noise_keypair_create(hs, NOW));
	}
	/* What names the peer survives. */
	unhex(pub, BOB_PUB);
	assert_memory_equal(alice.hs.remote_static, pub, WG_KEY_LEN);
	assert_memory_not_equal(bob.hs.latest_timestamp, zero, WG_TIMESTAMP_LEN);
	noise_keypair_free(kpa);
	noise_keypair_free(kpb);
}

static void keypair_needs_a_finished_handshake(void **state)
{
	struct wg_msg_initiation init;

	(void)state;
	assert_null(noise_keypair_create(&alice.hs, NOW));
	assert_true(noise_create_initiation(&init, &alice.hs, &alice.id, ALICE_INDEX));
	assert_null(noise_keypair_create(&alice.hs, NOW));
	assert_ptr_equal(consume(&init, NOW), &bob.hs);
	assert_null(noise_keypair_create(&bob.hs, NOW));
	/* None of those calls touched what they refused. */
	assert_int_equal(alice.hs.state, HANDSHAKE_CREATED_INITIATION);
	assert_int_equal(bob.hs.state, HANDSHAKE_CONSUMED_INITIATION);
}

/* The same initiation twice, the second long after the flood window: a replay. */
static void replayed_initiation(void **state)
{
	struct wg_msg_initiation init;

	(void)state;
	assert_true(noise_create_initiation(&init, &alice.hs, &alice.id, ALICE_INDEX));
	assert_ptr_equal(consume(&init, NOW), &bob.hs);
	assert_null(consume(&init, NOW + 60000));
	assert_int_equal(bob.hs.last_initiation_consumption, NOW);
}

/* An older initiation after a newer one is a replay too. */
static void older_initiation(void **state)
{
	struct wg_msg_initiation old, newer;

	(void)state;
	assert_true(noise_create_initiation(&old, &alice.hs, &alice.id, ALICE_INDEX));
	usleep(40000);
	assert_true(noise_create_initiation(&newer, &alice.hs, &alice.id, ALICE_INDEX + 1));
	assert_ptr_equal(consume(&newer, NOW), &bob.hs);
	assert_null(consume(&old, NOW + 60000));
	assert_int_equal(bob.hs.remote_index, ALICE_INDEX + 1);
}

/* A newer initiation inside 1 s / WG_INITIATIONS_PER_SECOND of the last is refused, and
 * accepted at the window's end. The first comes at 1 ms: a peer never heard from is no
 * flood, however early the clock. */
static void initiation_flood(void **state)
{
	struct wg_msg_initiation first, second;
	struct noise_handshake before;
	const uint64_t t = 1;

	(void)state;
	assert_true(noise_create_initiation(&first, &alice.hs, &alice.id, ALICE_INDEX));
	usleep(40000);
	assert_true(noise_create_initiation(&second, &alice.hs, &alice.id, ALICE_INDEX + 1));
	assert_ptr_equal(consume(&first, t), &bob.hs);
	memcpy(&before, &bob.hs, sizeof(before));
	assert_null(consume(&second, t));
	assert_null(consume(&second, t + FLOOD_MS - 1));
	assert_memory_equal(&bob.hs, &before, sizeof(before));
	assert_ptr_equal(consume(&second, t + FLOOD_MS), &bob.hs);
	assert_int_equal(bob.hs.remote_index, ALICE_INDEX + 1);
	assert_int_equal(bob.hs.last_initiation_consumption, t + FLOOD_MS);
}

/* Alice addresses Carol; Bob cannot open it and never gets as far as the lookup. */
static void initiation_for_another_responder(void **state)
{
	struct noise_static_identity carol;
	struct wg_msg_initiation init;

	(void)state;
	identity(&carol, CAROL_PRIV);
	noise_handshake_init(&alice.hs, carol.public_key);
	assert_true(noise_create_initiation(&init, &alice.hs, &alice.id, ALICE_INDEX));
	assert_null(consume(&init, NOW));
	assert_int_equal(bob_peers.calls, 0);
	assert_int_equal(bob.hs.state, HANDSHAKE_ZEROED);
}

/* Bob does not know Alice: the lookup is asked for Alice's key (RFC 7748's, recovered from
 * the initiation) and says no. */
static void initiation_from_unknown_peer(void **state)
{
	struct wg_msg_initiation init;
	uint8_t pub[WG_KEY_LEN];

	(void)state;
	bob_peers.hs = NULL;
	assert_true(noise_create_initiation(&init, &alice.hs, &alice.id, ALICE_INDEX));
	assert_null(consume(&init, NOW));
	assert_int_equal(bob_peers.calls, 1);
	unhex(pub, ALICE_PUB);
	assert_memory_equal(bob_peers.asked, pub, WG_KEY_LEN);
	assert_int_equal(bob.hs.state, HANDSHAKE_ZEROED);
}

/* Every single-bit change to the authenticated parts fails and leaves Bob's handshake as it
 * was, byte for byte. */
static void tampered_initiation(void **state)
{
	struct wg_msg_initiation init, bad;
	struct noise_handshake before;
	size_t from = offsetof(struct wg_msg_initiation, ephemeral);
	size_t to = offsetof(struct wg_msg_initiation, macs);

	(void)state;
	bob.hs.remote_index = 0x5a5a5a5a;
	memcpy(&before, &bob.hs, sizeof(before));
	assert_true(noise_create_initiation(&init, &alice.hs, &alice.id, ALICE_INDEX));
	for (size_t i = from; i < to; i++) {
		for (int bit = 0; bit < 8; bit++) {
			bad = init;
			((uint8_t *)&bad)[i] ^= (uint8_t)(1 << bit);
			if (consume(&bad, NOW)) {
				print_error("byte %zu bit %d accepted\n", i, bit);
				fail();
			}
		}
	}
	assert_int_equal(bob.hs.state, HANDSHAKE_ZEROED);
	assert_int_equal(bob.hs.remote_index, 0x5a5a5a5a);
	/* A message that names Alice may fill Bob's cache of the static-static DH (as the
	 * right value); nothing else may change. */
	assert_int_equal(bob.hs.static_static, STATIC_STATIC_VALID);
	before.static_static = bob.hs.static_static;
	memcpy(before.precomputed_static_static, bob.hs.precomputed_static_static, WG_KEY_LEN);
	assert_memory_equal(&bob.hs, &before, sizeof(before));
	/* The untouched message still goes through. */
	assert_ptr_equal(consume(&init, NOW), &bob.hs);
}

/* An all-zero ephemeral is a low-order point: the DH is refused before anything else. */
static void low_order_ephemeral(void **state)
{
	struct wg_msg_initiation init;
	struct noise_handshake before;

	(void)state;
	memcpy(&before, &bob.hs, sizeof(before));
	assert_true(noise_create_initiation(&init, &alice.hs, &alice.id, ALICE_INDEX));
	memset(init.ephemeral, 0, sizeof(init.ephemeral));
	assert_null(consume(&init, NOW));
	assert_int_equal(bob_peers.calls, 0);
	assert_memory_equal(&bob.hs, &before, sizeof(before));
}

/* Bob's psk is not Alice's: the initiation passes (it carries no psk) but the response does
 * not, and Alice is still waiting for a good one. */
static void mismatched_psk(void **state)
{
	struct wg_msg_initiation init;
	struct wg_msg_response resp;
	struct noise_handshake before;

	(void)state;
	pair(PSK, "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
	assert_true(noise_create_initiation(&init, &alice.hs, &alice.id, ALICE_INDEX));
	assert_ptr_equal(consume(&init, NOW), &bob.hs);
	assert_true(noise_create_response(&resp, &bob.hs, BOB_INDEX));
	memcpy(&before, &alice.hs, sizeof(before));
	assert_false(noise_consume_response(&resp, &alice.hs, &alice.id));
	assert_int_equal(alice.hs.state, HANDSHAKE_CREATED_INITIATION);
	assert_memory_equal(&alice.hs, &before, sizeof(before));
	/* The psk on one side only fails as well. */
	pair(PSK, NULL);
	assert_true(noise_create_initiation(&init, &alice.hs, &alice.id, ALICE_INDEX));
	assert_ptr_equal(consume(&init, NOW), &bob.hs);
	assert_true(noise_create_response(&resp, &bob.hs, BOB_INDEX));
	assert_false(noise_consume_response(&resp, &alice.hs, &alice.id));
	assert_int_equal(alice.hs.state, HANDSHAKE_CREATED_INITIATION);
}

/* A response is taken only by a handshake that sent an initiation and is waiting for it. */
static void response_out_of_state(void **state)
{
	struct wg_msg_initiation init;
	struct wg_msg_response resp;
	struct noise_handshake waiting;

	(void)state;
	assert_true(noise_create_initiation(&init, &alice.hs, &alice.id, ALICE_INDEX));
	memcpy(&waiting, &alice.hs, sizeof(waiting));
	assert_ptr_equal(consume(&init, NOW), &bob.hs);
	assert_true(noise_create_response(&resp, &bob.hs, BOB_INDEX));
	/* Responder states and a fresh handshake refuse it. */
	assert_false(noise_create_response(&resp, &alice.hs, 1)); /* not CONSUMED_INITIATION */
	alice.hs.state = HANDSHAKE_ZEROED;
	assert_false(noise_consume_response(&resp, &alice.hs, &alice.id));
	memcpy(&alice.hs, &waiting, sizeof(waiting));
	assert_true(noise_consume_response(&resp, &alice.hs, &alice.id));
	/* Once consumed, the same response again is refused. */
	assert_false(noise_consume_response(&resp, &alice.hs, &alice.id));
	assert_int_equal(alice.hs.state, HANDSHAKE_CONSUMED_RESPONSE);
	/* Bob, the responder, does not take his own response. */
	assert_false(noise_consume_response(&resp, &bob.hs, &bob.id));
	assert_int_equal(bob.hs.state, HANDSHAKE_CREATED_RESPONSE);
}

/* A tampered response fails and leaves Alice waiting. */
static void tampered_response(void **state)
{
	struct wg_msg_initiation init;
	struct wg_msg_response resp, bad;
	struct noise_handshake before;
	size_t from = offsetof(struct wg_msg_response, ephemeral);
	size_t to = offsetof(struct wg_msg_response, macs);

	(void)state;
	assert_true(noise_create_initiation(&init, &alice.hs, &alice.id, ALICE_INDEX));
	assert_ptr_equal(consume(&init, NOW), &bob.hs);
	assert_true(noise_create_response(&resp, &bob.hs, BOB_INDEX));
	memcpy(&before, &alice.hs, sizeof(before));
	for (size_t i = from; i < to; i++) {
		bad = resp;
		((uint8_t *)&bad)[i] ^= (uint8_t)(1 << (i % 8));
		assert_false(noise_consume_response(&bad, &alice.hs, &alice.id));
	}
	memset(bad.ephemeral, 0, WG_KEY_LEN);
	assert_false(noise_consume_response(&bad, &alice.hs, &alice.id));
	assert_memory_equal(&alice.hs, &before, sizeof(before));
	assert_true(noise_consume_response(&resp, &alice.hs, &alice.id));
}

/* TAI64N: 2^62 + 10 + Unix seconds, big-endian, then nanoseconds; never goes backwards. */
static void tai64n_now(void **state)
{
	uint8_t prev[WG_TIMESTAMP_LEN], cur[WG_TIMESTAMP_LEN];
	uint32_t nsec;
	time_t t0 = time(NULL);

	(void)state;
	noise_tai64n_now(prev);
	assert_int_equal(prev[0], 0x40);
	assert_true(tai64n_unix(prev) >= t0 - 2 && tai64n_unix(prev) <= time(NULL) + 2);
	for (int i = 0; i < 10000; i++) {
		noise_tai64n_now(cur);
		assert_true(memcmp(prev, cur, WG_TIMESTAMP_LEN) <= 0);
		nsec = (uint32_t)cur[8] << 24 | (uint32_t)cur[9] << 16 | cur[10] << 8 | cur[11];
		assert_true(nsec < 1000000000);
		memcpy(prev, cur, sizeof(cur));
	}
	usleep(40000);
	noise_tai64n_now(cur);
	assert_true(memcmp(prev, cur, WG_TIMESTAMP_LEN) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(identities_match_rfc7748, setup),
		cmocka_unit_test_setup(low_order_peer_key, setup),
		cmocka_unit_test_setup(handshake_without_psk, setup),
		cmocka_unit_test_setup(handshake_with_psk, setup),
		cmocka_unit_test_setup(sessions_differ, setup),
		cmocka_unit_test_setup(keypair_create_clears_handshake, setup),
		cmocka_unit_test_setup(keypair_needs_a_finished_handshake, setup),
		cmocka_unit_test_setup(replayed_initiation, setup),
		cmocka_unit_test_setup(older_initiation, setup),
		cmocka_unit_test_setup(initiation_flood, setup),
		cmocka_unit_test_setup(initiation_for_another_responder, setup),
		cmocka_unit_test_setup(initiation_from_unknown_peer, setup),
		cmocka_unit_test_setup(tampered_initiation, setup),
		cmocka_unit_test_setup(low_order_ephemeral, setup),
		cmocka_unit_test_setup(mismatched_psk, setup),
		cmocka_unit_test_setup(response_out_of_state, setup),
		cmocka_unit_test_setup(tampered_response, setup),
		cmocka_unit_test(tai64n_now),
	};

	if (!crypto_init())
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
