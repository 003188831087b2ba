/* The timers of whitepaper §6 on a clock the test owns. Two devices, A and B, talk over
 * loopback UDP; each one's TUN is a socketpair whose other end the test holds. The clock is
 * clock_now, wrapped at link time (see the Makefile), so minutes of protocol time pass in
 * an instant: rekey after time (initiator only) and messages, reject after time and
 * messages, the last-minute handshake, the initiation rate limit, retransmits until giving
 * up, and keys zeroed after REJECT_AFTER_TIME * 3; and, between handshake and first data,
 * the responder's restraint and the roaming peer's staged packets. The short timers are also
 * covered, on the real clock, by tests/netns/wg-timers.sh. */
#include <endian.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/log.h"
#include "wg/device.h"
#include "wg/receive.h"
#include "wg/send.h"

#define START_MS 1000000

/* A device and the test's side of it: its TUN, what reached its socket. */
struct host {
	struct wg_device dev;
	struct wg_peer *peer; /* the other host */
	int tun;              /* the test's end of the TUN */
	uint8_t ip;           /* 10.0.0.ip inside the tunnel */
	unsigned int seen[WG_MSG_DATA + 1]; /* datagrams that reached the socket, by type */
	unsigned int keepalives;
	uint32_t senders[32]; /* sender index of every initiation seen, in order */
	uint8_t held[256];    /* the last data message taken off the wire */
	size_t held_len;
};

static struct host a, b;
static uint64_t now_ms;

uint64_t __wrap_clock_now(void);
uint64_t __wrap_clock_now(void)
{
	return now_ms;
}

static void host_up(struct host *h, uint8_t key_byte, uint8_t ip)
{
	uint8_t priv[WG_KEY_LEN];
	int sp[2];

	memset(h, 0, sizeof(*h));
	memset(priv, key_byte, sizeof(priv));
	h->ip = ip;
	assert_int_equal(device_setup(&h->dev, false), 0);
	assert_int_equal(device_set_private_key(&h->dev, priv), 0);
	assert_int_equal(device_set_listen_port(&h->dev, 0), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sp), 0);
	tun_attach(&h->dev.tun, sp[0]);
	h->tun = sp[1];
}

/* h's peer is other, at other's loopback port, owning 10.0.0.other->ip/32. */
static void host_peer(struct host *h, const struct host *other)
{
	struct sockaddr_in ep = { .sin_family = AF_INET, .sin_port = htons(other->dev.listen_port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	uint8_t net[4] = { 10, 0, 0, other->ip };

	h->peer = device_add_peer(&h->dev, other->dev.identity.public_key);
	assert_non_null(h->peer);
	assert_int_equal(peer_set_endpoint(h->peer, (struct sockaddr *)&ep, sizeof(ep)), 0);
	assert_int_equal(peer_add_allowed_ip(h->peer, AF_INET, net, 32), 0);
}

static int setup(void **state)
{
	(void)state;
	now_ms = START_MS;
	host_up(&a, 0x41, 1);
	host_up(&b, 0x42, 2);
	host_peer(&a, &b);
	host_peer(&b, &a);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	device_close(&a.dev);
	device_close(&b.dev);
	close(a.tun);
	close(b.tun);
	return 0;
}

/* An IPv4 packet from h to the other host enters h's TUN, and h sends what it sends. */
static void send_ip(struct host *h)
{
	uint8_t pkt[40] = { 0x45, 0, 0, sizeof(pkt), 0, 0, 0, 0, 64, 17, 0, 0,
			    10, 0, 0, h->ip, 10, 0, 0, h->ip == 1 ? 2 : 1 };

	assert_int_equal(write(h->tun, pkt, sizeof(pkt)), sizeof(pkt));
	assert_int_equal(send_tun_packets(&h->dev), 0);
}

/* Packets h's device wrote to its TUN since the last call. */
static unsigned int tun_received(struct host *h)
{
	uint8_t pkt[2048];
	unsigned int n = 0;

	while (read(h->tun, pkt, sizeof(pkt)) > 0)
		n++;
	return n;
}

static void note(struct host *h, const uint8_t *msg, size_t len)
{
	uint32_t type, sender;

	memcpy(&type, msg, sizeof(type));
	type = le32toh(type);
	assert_true(type >= WG_MSG_INITIATION && type <= WG_MSG_DATA);
	h->seen[type]++;
	if (type == WG_MSG_DATA && len == WG_DATA_MIN_LEN)
		h->keepalives++;
	if (type == WG_MSG_INITIATION && h->seen[type] <= 32) {
		memcpy(&sender, msg + 4, sizeof(sender));
		h->senders[h->seen[type] - 1] = sender;
	}
	if (type == WG_MSG_DATA && len <= sizeof(h->held)) {
		memcpy(h->held, msg, len);
		h->held_len = len;
	}
}

/* Takes every datagram off h's socket and, if deliver, hands each to h's device as if it
 * came from roamed (when not NULL); returns how many there were. */
static unsigned int wire_from(struct host *h, bool deliver, const struct sockaddr_in *roamed)
{
	static uint8_t buf[65536];
	struct udp_endpoint from;
	socklen_t fromlen;
	unsigned int n = 0;
	ssize_t len;

	for (;;) {
		memset(&from, 0, sizeof(from));
		fromlen = sizeof(from.addr);
		len = recvfrom(h->dev.sock4.fd, buf, sizeof(buf), MSG_DONTWAIT, &from.addr.sa, &fromlen);
		if (len < 0)
			return n;
		n++;
		note(h, buf, (size_t)len);
		if (roamed)
			from.addr.in4 = *roamed;
		if (deliver)
			receive_datagram(&h->dev, buf, (size_t)len, &from, now_ms);
		receive_flush(&h->dev); /* buf is read into again */
	}
}

static unsigned int wire(struct host *h, bool deliver)
{
	return wire_from(h, deliver, NULL);
}

/* Delivers back and forth until nothing more is said. */
static void settle(void)
{
	while (wire(&a, true) + wire(&b, true))
		;
}

static void forget_seen(void)
{
	memset(a.seen, 0, sizeof(a.seen));
	memset(b.seen, 0, sizeof(b.seen));
	a.keepalives = b.keepalives = 0;
}

static void assert_seen(const struct host *h, unsigned int initiations, unsigned int data)
{
	assert_int_equal(h->seen[WG_MSG_INITIATION], initiations);
	assert_int_equal(h->seen[WG_MSG_DATA], data);
}

/* A sends a packet; the handshake it starts completes and the packet reaches B. */
static void session_up(void)
{
	send_ip(&a);
	settle();
	assert_int_equal(tun_received(&b), 1);
	assert_non_null(a.peer->keypairs.current);
	assert_non_null(b.peer->keypairs.current);
	forget_seen();
}

/* What the device's loop does for a peer whose deadline passed: the state machine decides,
 * send.c acts. */
static void act_on_peer(struct peer_timers *t, unsigned int action)
{
	send_timer_actions(peer_of_timers(t), action);
}

static void expire(struct wg_peer *peer)
{
	timers_fire(&peer->timers, now_ms, act_on_peer);
}

/* What UAPI does when wg sets a persistent keepalive. */
static void set_persistent_keepalive(struct wg_peer *peer, uint16_t interval)
{
	if (peer_set_persistent_keepalive(peer, interval))
		send_keepalive(peer);
}

static void assert_jittered(uint64_t deadline, uint64_t base)
{
	assert_true(deadline >= base);
	assert_true(deadline < base + WG_REKEY_TIMEOUT_JITTER_MAX);
}

static void test_handshake_arms_and_clears(void **state)
{
	uint64_t t0 = now_ms;

	(void)state;
	send_ip(&a);
	assert_int_equal(a.peer->staged.count, 1);
	assert_jittered(a.peer->timers.retransmit_handshake, t0 + WG_REKEY_TIMEOUT);
	assert_int_equal(a.peer->last_handshake.tv_sec, 0);

	settle();
	assert_int_equal(tun_received(&b), 1);
	assert_int_equal(a.peer->staged.count, 0);
	assert_int_equal(a.peer->timers.retransmit_handshake, 0);
	assert_int_equal(a.peer->timers.handshake_attempts, 0);
	assert_true(a.peer->last_handshake.tv_sec > 0);
	/* Both derived a session now; both forget it after three REJECT_AFTER_TIMEs without
	 * a new one. */
	assert_int_equal(a.peer->timers.zero_key_material, t0 + 3 * WG_REJECT_AFTER_TIME);
	assert_int_equal(b.peer->timers.zero_key_material, t0 + 3 * WG_REJECT_AFTER_TIME);
	/* A sent data and heard nothing after it; B got data and has not answered. */
	assert_jittered(a.peer->timers.new_handshake, t0 + WG_KEEPALIVE_TIMEOUT + WG_REKEY_TIMEOUT);
	assert_int_equal(b.peer->timers.send_keepalive, t0 + WG_KEEPALIVE_TIMEOUT);
	assert_int_equal(b.peer->timers.new_handshake, 0);
}

/* B received data and had nothing to say: after KEEPALIVE_TIMEOUT it says so, which also
 * tells A that its data arrived (A's new-handshake timer stops). */
static void test_passive_keepalive(void **state)
{
	(void)state;
	session_up();
	now_ms += WG_KEEPALIVE_TIMEOUT - 1;
	expire(b.peer);
	assert_int_equal(wire(&a, true), 0);

	now_ms++;
	assert_int_equal(timers_next(&b.peer->timers), now_ms);
	expire(b.peer);
	assert_int_equal(wire(&a, true), 1);
	assert_int_equal(a.keepalives, 1);
	assert_int_equal(b.peer->timers.send_keepalive, 0);
	assert_int_equal(a.peer->timers.new_handshake, 0);
	assert_int_equal(tun_received(&a), 0);
}

/* Data that keeps arriving while the keepalive is pending earns one more keepalive later. */
static void test_another_keepalive(void **state)
{
	(void)state;
	session_up();
	send_ip(&a);
	wire(&b, true);
	assert_true(b.peer->timers.need_another_keepalive);
	now_ms += WG_KEEPALIVE_TIMEOUT;
	expire(b.peer);
	assert_int_equal(b.peer->timers.send_keepalive, now_ms + WG_KEEPALIVE_TIMEOUT);
	assert_false(b.peer->timers.need_another_keepalive);
	now_ms += WG_KEEPALIVE_TIMEOUT;
	expire(b.peer);
	assert_int_equal(wire(&a, true), 2);
	assert_int_equal(a.keepalives, 2);
}

/* Sending anything authenticated answers the received data: no keepalive is needed. */
static void test_reply_cancels_keepalive(void **state)
{
	(void)state;
	session_up();
	send_ip(&b);
	assert_int_equal(b.peer->timers.send_keepalive, 0);
}

/* A sent data and nothing came back: after KEEPALIVE + REKEY_TIMEOUT it handshakes again,
 * choosing its source address anew. */
static void test_new_handshake_without_reply(void **state)
{
	uint64_t deadline;

	(void)state;
	session_up();
	deadline = a.peer->timers.new_handshake;
	now_ms = deadline - 1;
	expire(a.peer);
	assert_int_equal(wire(&b, false), 0);
	now_ms = deadline;
	expire(a.peer);
	assert_int_equal(wire(&b, false), 1);
	assert_int_equal(b.seen[WG_MSG_INITIATION], 1);
}

/* However often asked (by packets, keepalives, timers), at most one initiation per
 * REKEY_TIMEOUT. */
static void test_initiation_rate_limit(void **state)
{
	(void)state;
	send_ip(&a);
	now_ms += WG_REKEY_TIMEOUT - 1;
	send_ip(&a);
	send_keepalive(a.peer);
	send_handshake_initiation(a.peer, false);
	assert_int_equal(wire(&b, false), 1);
	assert_int_equal(a.peer->staged.count, 2);
	now_ms++;
	send_ip(&a);
	assert_int_equal(wire(&b, false), 1);
	assert_int_equal(b.seen[WG_MSG_INITIATION], 2);
	assert_int_equal(a.peer->staged.count, 3);
}

/* A response counts as a handshake sent: the responder, given a packet before the initiator
 * confirms the session, waits for that confirmation instead of starting a handshake of its
 * own that would replace the one under way. */
static void test_response_counts_for_rate_limit(void **state)
{
	(void)state;
	send_ip(&a);
	wire(&b, true);
	send_ip(&b);
	assert_int_equal(b.peer->staged.count, 1);
	wire(&a, true);
	assert_int_equal(a.seen[WG_MSG_RESPONSE], 1);
	assert_int_equal(a.seen[WG_MSG_INITIATION], 0);
	wire(&b, true);
	assert_int_equal(tun_received(&b), 1);
	wire(&a, true);
	assert_int_equal(tun_received(&a), 1);
	assert_int_equal(a.seen[WG_MSG_INITIATION], 0);
	assert_int_equal(b.peer->staged.count, 0);
}

/* The responder learns where the initiator is now before sending what it staged, so a peer
 * that moved between handshake and first data still gets it. */
static void test_staged_follow_roaming_peer(void **state)
{
	struct sockaddr_in moved = { .sin_family = AF_INET,
				     .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	(void)state;
	send_ip(&b);
	wire(&a, true);
	send_ip(&a);
	assert_int_equal(a.peer->staged.count, 1);
	wire(&b, true);
	assert_int_equal(device_set_listen_port(&b.dev, 0), 0);
	moved.sin_port = htons(b.dev.listen_port);
	wire_from(&a, true, &moved);
	assert_int_equal(tun_received(&a), 1);
	assert_int_equal(a.peer->staged.count, 0);
	assert_int_equal(a.peer->endpoint.addr.in4.sin_port, moved.sin_port);
	wire(&b, true);
	assert_int_equal(tun_received(&b), 1);
}

/* No response: an initiation every REKEY_TIMEOUT (+ jitter), each a new handshake, until
 * MAX_TIMER_HANDSHAKES + 2 have gone; then the staged packets are dropped, and the handshake
 * is forgotten REJECT_AFTER_TIME * 3 later. A new packet starts the count again. */
static void test_retransmit_then_give_up(void **state)
{
	uint64_t first = now_ms, prev = now_ms, next;
	uint32_t index;
	unsigned int expiries = 0;

	(void)state;
	send_ip(&a);
	while (a.peer->timers.retransmit_handshake) {
		next = timers_next(&a.peer->timers);
		assert_int_equal(next, a.peer->timers.retransmit_handshake);
		assert_jittered(next, prev + WG_REKEY_TIMEOUT);
		now_ms = prev = next;
		expire(a.peer);
		expiries++;
		assert_true(expiries <= WG_MAX_TIMER_HANDSHAKES + 2);
	}
	wire(&b, false);
	assert_int_equal(b.seen[WG_MSG_INITIATION], WG_MAX_TIMER_HANDSHAKES + 2);
	assert_int_equal(expiries, WG_MAX_TIMER_HANDSHAKES + 2);
	for (unsigned int i = 1; i < b.seen[WG_MSG_INITIATION]; i++)
		assert_int_not_equal(b.senders[i], b.senders[i - 1]);
	/* Somewhat past REKEY_ATTEMPT_TIME: a count of attempts decides, as in the kernel. */
	assert_true(now_ms - first >= (WG_MAX_TIMER_HANDSHAKES + 2) * WG_REKEY_TIMEOUT);
	assert_true(now_ms - first <
		    (WG_MAX_TIMER_HANDSHAKES + 2) * (WG_REKEY_TIMEOUT + WG_REKEY_TIMEOUT_JITTER_MAX));

	assert_int_equal(a.peer->staged.count, 0);
	assert_int_equal(a.peer->timers.zero_key_material, now_ms + 3 * WG_REJECT_AFTER_TIME);
	index = a.peer->handshake.local_index;
	assert_int_not_equal(index, 0);
	assert_non_null(index_table_find(&a.dev.index, index));

	now_ms += 3 * WG_REJECT_AFTER_TIME;
	expire(a.peer);
	assert_int_equal(a.peer->handshake.state, HANDSHAKE_ZEROED);
	assert_null(index_table_find(&a.dev.index, index));
	assert_int_equal(timers_next(&a.peer->timers), 0);

	send_ip(&a);
	assert_int_equal(wire(&b, false), 1);
	assert_int_equal(a.peer->timers.handshake_attempts, 0);
	assert_int_not_equal(a.peer->timers.retransmit_handshake, 0);
}

/* The initiator rekeys when it sends on a key older than REKEY_AFTER_TIME; the responder
 * does not, so the two do not race. */
static void test_rekey_after_time_by_initiator(void **state)
{
	uint64_t born;

	(void)state;
	session_up();
	born = a.peer->keypairs.current->birthdate;
	assert_true(a.peer->keypairs.current->is_initiator);
	now_ms = born + WG_REKEY_AFTER_TIME;
	send_ip(&a);
	wire(&b, false);
	assert_seen(&b, 0, 1);

	now_ms++;
	send_ip(&b);
	wire(&a, false);
	assert_seen(&a, 0, 1);

	send_ip(&a);
	wire(&b, false);
	assert_seen(&b, 1, 2);
}

/* Past REJECT_AFTER_TIME a key neither sends nor receives: data sealed just before the
 * limit is dropped just after it, and a packet to send waits for the handshake it starts. */
static void test_reject_after_time(void **state)
{
	(void)state;
	session_up();
	now_ms = b.peer->keypairs.current->birthdate + WG_REJECT_AFTER_TIME - 1;
	send_ip(&b);
	wire(&a, true);
	assert_int_equal(tun_received(&a), 1);
	send_ip(&b);
	wire(&a, false);
	assert_int_equal(a.seen[WG_MSG_DATA], 2);

	now_ms++;
	receive_datagram(&a.dev, a.held, a.held_len, &a.peer->endpoint, now_ms);
	receive_flush(&a.dev);
	assert_int_equal(tun_received(&a), 0);

	send_ip(&a);
	wire(&b, false);
	assert_seen(&b, 1, 0);
	assert_int_equal(a.peer->staged.count, 1);
	assert_null(peer_sending_keypair(a.peer, now_ms));
}

/* Either side rekeys after REKEY_AFTER_MESSAGES; no side sends after
 * REJECT_AFTER_MESSAGES. */
static void test_message_limits(void **state)
{
	(void)state;
	session_up();
	now_ms += WG_REKEY_TIMEOUT;
	/* The responder's keypair became current with A's first data message. */
	assert_false(b.peer->keypairs.current->is_initiator);
	/* The counter is the next nonce: the rekey comes when it passes the limit. */
	b.peer->keypairs.current->send_counter = WG_REKEY_AFTER_MESSAGES - 1;
	send_ip(&b);
	wire(&a, false);
	assert_seen(&a, 0, 1);
	send_ip(&b);
	wire(&a, false);
	assert_seen(&a, 1, 2);

	a.peer->keypairs.current->send_counter = WG_REJECT_AFTER_MESSAGES - 1;
	send_ip(&a);
	wire(&b, false);
	assert_seen(&b, 1, 1); /* the initiation: past REKEY_AFTER_MESSAGES too */
	assert_int_equal(a.peer->keypairs.current->send_counter, WG_REJECT_AFTER_MESSAGES);
	send_ip(&a);
	wire(&b, false);
	assert_seen(&b, 1, 1);
	assert_int_equal(a.peer->staged.count, 1);
}

/* The initiator, receiving on a key about to be rejected, handshakes once in the last
 * minute even if it has nothing to send. */
static void test_lastminute_handshake(void **state)
{
	uint64_t limit;

	(void)state;
	session_up();
	limit = a.peer->keypairs.current->birthdate + WG_REJECT_AFTER_TIME - WG_KEEPALIVE_TIMEOUT -
		WG_REKEY_TIMEOUT;
	now_ms = limit;
	send_ip(&b);
	wire(&a, true);
	assert_int_equal(tun_received(&a), 1);
	assert_int_equal(wire(&b, false), 0);

	now_ms++;
	send_ip(&b);
	wire(&a, true);
	assert_int_equal(wire(&b, false), 1);
	assert_int_equal(b.seen[WG_MSG_INITIATION], 1);
	assert_true(a.peer->timers.sent_lastminute_handshake);

	now_ms += WG_REKEY_TIMEOUT;
	send_ip(&b);
	wire(&a, true);
	assert_int_equal(tun_received(&a), 2);
	assert_int_equal(wire(&b, false), 0);
}

/* The responder, receiving on a key that old, leaves the handshake to the initiator. */
static void test_lastminute_not_by_responder(void **state)
{
	(void)state;
	session_up();
	b.peer->keypairs.current->birthdate =
		now_ms - (WG_REJECT_AFTER_TIME - WG_KEEPALIVE_TIMEOUT - WG_REKEY_TIMEOUT) - 1;
	send_ip(&a);
	wire(&b, true);
	assert_int_equal(tun_received(&b), 1);
	assert_int_equal(wire(&a, false), 0);
	assert_false(b.peer->timers.sent_lastminute_handshake);
}

/* Three REJECT_AFTER_TIMEs after the last session was made, every key of it is gone from
 * both the peer and the index table; a packet then brings a fresh session up. */
static void test_zero_key_material(void **state)
{
	uint32_t cur, prev;

	(void)state;
	session_up();
	/* A second session, so that A holds a previous keypair too. TAI64N timestamps come
	 * from the real clock at 16.7 ms granularity: let one tick pass so B takes it. */
	now_ms += WG_REKEY_TIMEOUT;
	usleep(20000);
	send_handshake_initiation(a.peer, false);
	wire(&b, true);
	wire(&a, true);
	/* A's keepalive confirming the session stays on the wire, so B keeps it in next. */
	assert_non_null(a.peer->keypairs.previous);
	assert_non_null(b.peer->keypairs.next);
	assert_int_equal(b.peer->timers.zero_key_material, a.peer->timers.zero_key_material);
	prev = a.peer->keypairs.previous->local_index;
	cur = a.peer->keypairs.current->local_index;
	assert_non_null(index_table_find(&a.dev.index, prev));
	assert_non_null(index_table_find(&a.dev.index, cur));

	now_ms = a.peer->timers.zero_key_material - 1;
	expire(a.peer);
	assert_non_null(a.peer->keypairs.current);
	now_ms++;
	expire(a.peer);
	expire(b.peer);
	assert_null(a.peer->keypairs.previous);
	assert_null(a.peer->keypairs.current);
	assert_null(a.peer->keypairs.next);
	assert_null(b.peer->keypairs.current);
	assert_null(b.peer->keypairs.next);
	assert_null(index_table_find(&a.dev.index, prev));
	assert_null(index_table_find(&a.dev.index, cur));
	assert_int_equal(a.peer->timers.zero_key_material, 0);

	/* B drops the keepalive still on the wire (its index is gone) and takes a new
	 * session. */
	usleep(20000);
	session_up();
}

/* Turning a persistent keepalive on without a session brings one up. */
static void test_persistent_keepalive_starts_session(void **state)
{
	(void)state;
	set_persistent_keepalive(a.peer, 25);
	wire(&b, false);
	assert_int_equal(b.seen[WG_MSG_INITIATION], 1);
	assert_int_equal(a.peer->timers.persistent_keepalive, now_ms + 25000);
}

/* With a session, a keepalive goes out every interval after the last authenticated packet
 * sent. (1 s, so no other timer of the peer is due in between.) */
static void test_persistent_keepalive(void **state)
{
	(void)state;
	session_up();
	set_persistent_keepalive(a.peer, 1);
	wire(&b, true);
	assert_int_equal(b.keepalives, 1);
	assert_int_equal(a.peer->timers.persistent_keepalive, now_ms + 1000);
	now_ms += 999;
	expire(a.peer);
	assert_int_equal(wire(&b, true), 0);
	now_ms++;
	expire(a.peer);
	assert_int_equal(wire(&b, true), 1);
	assert_int_equal(b.keepalives, 2);
	assert_int_equal(a.peer->timers.persistent_keepalive, now_ms + 1000);

	set_persistent_keepalive(a.peer, 0);
	assert_int_equal(a.peer->timers.persistent_keepalive, 0);
}

/* ---- The device's timer queue ---- */

#define IDLE_PEERS 5000

/* n more peers on h, none with an endpoint or a timer armed. */
static void add_idle_peers(struct host *h, struct wg_peer **out, unsigned int n)
{
	uint8_t pub[WG_KEY_LEN];

	for (unsigned int i = 0; i < n; i++) {
		memset(pub, 0x77, sizeof(pub));
		memcpy(pub, &i, sizeof(i));
		out[i] = device_add_peer(&h->dev, pub);
		assert_non_null(out[i]);
	}
}

/* The heap is a heap, and each peer knows where it stands in it. */
static void assert_queue_sound(const struct timer_queue *q)
{
	for (size_t i = 0; i < q->count; i++) {
		assert_int_equal(q->heap[i]->slot, i + 1);
		if (i)
			assert_true(q->heap[(i - 1) / 2]->key <= q->heap[i]->key);
	}
}

/* Only peers with a timer armed are queued, and a run fires the due ones and no other:
 * 5,000 idle peers cost a wake-up nothing. */
static void test_queue_holds_only_armed_peers(void **state)
{
	static struct wg_peer *idle[IDLE_PEERS];
	struct timer_queue *q = &a.dev.timer_queue;
	uint64_t t0 = now_ms;
	size_t before;

	(void)state;
	log_level = LEVEL_ERRORS; /* a thousand "keys zeroed" lines say nothing here */
	session_up();
	before = q->count;
	assert_true(before >= 1 && before <= 2);
	add_idle_peers(&a, idle, IDLE_PEERS);
	assert_int_equal(q->count, before);
	assert_true(q->cap >= a.dev.peer_count);

	/* A thousand sessions derived a millisecond apart, in reverse order of the list. */
	for (unsigned int i = 0; i < 1000; i++) {
		now_ms = t0 + 1000 - i;
		timers_session_derived(&idle[i]->timers);
	}
	now_ms = t0 + 1000;
	assert_int_equal(q->count, before + 1000);
	assert_queue_sound(q);
	/* The 500 derived first (i from 500 to 999) are due first. */
	now_ms = t0 + 500 + 3 * WG_REJECT_AFTER_TIME;
	timers_run(q, now_ms, act_on_peer);
	assert_queue_sound(q);
	for (unsigned int i = 0; i < 1000; i++)
		assert_int_equal(idle[i]->timers.zero_key_material,
				 i >= 500 ? 0 : t0 + 1000 - i + 3 * WG_REJECT_AFTER_TIME);
	assert_int_equal(idle[IDLE_PEERS - 1]->timers.entry.slot, 0);

	/* A removed peer leaves the queue with it. */
	device_remove_peer(&a.dev, idle[0]);
	assert_queue_sound(q);
	for (size_t i = 0; i < q->count; i++)
		assert_ptr_not_equal(q->heap[i], &idle[0]->timers.entry);
	log_level = LEVEL_INFO;
}

/* Pushing a deadline later, as every packet does to the persistent keepalive, leaves the
 * queue alone; arming one earlier moves the peer up at once. A peer that comes up early
 * finds nothing due and goes back in at its real deadline. */
static void test_later_deadline_is_lazy(void **state)
{
	struct timer_queue *q = &a.dev.timer_queue;
	struct wg_peer *p;
	uint64_t t0 = now_ms;

	(void)state;
	add_idle_peers(&a, &p, 1);
	p->persistent_keepalive_interval = 60;
	timers_any_authenticated_packet_traversal(&p->timers, p->persistent_keepalive_interval);
	assert_int_equal(p->timers.entry.key, t0 + 60000);
	now_ms = t0 + 5000;
	timers_any_authenticated_packet_traversal(&p->timers, p->persistent_keepalive_interval);
	assert_int_equal(p->timers.persistent_keepalive, t0 + 65000);
	assert_int_equal(p->timers.entry.key, t0 + 60000);

	timers_handshake_initiated(&p->timers);
	assert_jittered(p->timers.entry.key, t0 + 5000 + WG_REKEY_TIMEOUT);
	assert_queue_sound(q);
	timers_handshake_complete(&p->timers); /* disarms the retransmit */

	now_ms = t0 + 5000 + WG_REKEY_TIMEOUT + WG_REKEY_TIMEOUT_JITTER_MAX;
	timers_run(q, now_ms, act_on_peer);
	assert_int_not_equal(p->timers.entry.slot, 0);
	assert_int_equal(p->timers.entry.key, t0 + 65000);
	assert_int_equal(p->timers.persistent_keepalive, t0 + 65000);
	assert_queue_sound(q);
}

/* One batch from the socket at B spans a rotation: A's first message on the newest session
 * (it confirms that session, and B's current keypair becomes its previous), then a genuine
 * message on that older keypair, held back from the wire until now. The batch is decrypted
 * before it is taken in order, so both were opened before the rotation: the older one must
 * still be accepted after it (and its keypair still be there: the ASan build of this test
 * would see a use after free). */
static void test_batch_across_rotation(void **state)
{
	struct sockaddr_in to_b = { .sin_family = AF_INET, .sin_port = htons(b.dev.listen_port),
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	const struct noise_keypair *k2, *k3;
	uint8_t old[sizeof(a.held)];
	uint64_t drops = 0;
	size_t old_len;

	(void)state;
	session_up(); /* K1 */
	now_ms += WG_REKEY_TIMEOUT + 1;
	usleep(20000); /* a newer TAI64N timestamp (see above) */
	send_handshake_initiation(a.peer, false);
	settle(); /* K2: B's current */
	k2 = b.peer->keypairs.current;
	send_ip(&a);
	assert_int_equal(wire(&b, false), 1); /* on K2, held back */
	memcpy(old, b.held, b.held_len);
	old_len = b.held_len;

	now_ms += WG_REKEY_TIMEOUT + 1;
	usleep(20000);
	send_handshake_initiation(a.peer, false);
	assert_int_equal(wire(&b, true), 1); /* the initiation: K3 is B's next */
	assert_int_equal(wire(&a, true), 1); /* the response: A's keepalive on K3 waits at B */
	k3 = b.peer->keypairs.next;
	assert_non_null(k3);
	assert_ptr_equal(b.peer->keypairs.current, k2);
	assert_int_equal(sendto(a.dev.sock4.fd, old, old_len, 0, (struct sockaddr *)&to_b,
				sizeof(to_b)), (ssize_t)old_len);

	assert_int_equal(receive_datagrams(&b.dev, &b.dev.sock4), 0);
	assert_ptr_equal(b.peer->keypairs.current, k3);
	assert_ptr_equal(b.peer->keypairs.previous, k2);
	assert_int_equal(tun_received(&b), 1);
	for (int i = 0; i < WG_DROP_COUNT; i++)
		drops += b.dev.drops.count[i];
	assert_int_equal(drops, 0);
}

/* Before the first handshake completes, packets wait for it, at most PEER_STAGED_MAX of
 * them: each older one pushed out is a drop counted on the device and on the peer, and the
 * newest PEER_STAGED_MAX reach B once the session is up. */
static void test_staged_overflow_counted(void **state)
{
	(void)state;
	for (int i = 0; i < PEER_STAGED_MAX + 8; i++)
		send_ip(&a);
	assert_int_equal(a.dev.drops.count[WG_DROP_STAGED], 8);
	assert_int_equal(a.peer->drops.count[WG_DROP_STAGED], 8);
	settle();
	assert_int_equal(tun_received(&b), PEER_STAGED_MAX);
}

/* Every case starts from two fresh devices and the clock at START_MS. */
#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

/* ---- The state machine alone: no device, no peer, no socket ---- */

static struct timer_queue bare_queue;

static void bare(struct peer_timers *t)
{
	timer_queue_init(&bare_queue);
	timers_init(t, &bare_queue);
}

/* Data received and not answered: one keepalive after KEEPALIVE_TIMEOUT; data that came
 * meanwhile asks for one more, armed once the first has gone. */
static void test_machine_keepalive(void **state)
{
	struct peer_timers t;

	(void)state;
	now_ms = START_MS;
	bare(&t);
	timers_data_received(&t);
	assert_int_equal(timers_next(&t), START_MS + WG_KEEPALIVE_TIMEOUT);
	timers_data_received(&t);
	assert_int_equal(timers_expire(&t, START_MS + WG_KEEPALIVE_TIMEOUT - 1), 0);
	now_ms = START_MS + WG_KEEPALIVE_TIMEOUT;
	assert_int_equal(timers_expire(&t, now_ms), TIMER_SEND_KEEPALIVE);
	timers_any_authenticated_packet_sent(&t); /* the keepalive went */
	timers_acted(&t, TIMER_SEND_KEEPALIVE, now_ms);
	assert_int_equal(t.send_keepalive, now_ms + WG_KEEPALIVE_TIMEOUT);
	now_ms += WG_KEEPALIVE_TIMEOUT;
	assert_int_equal(timers_expire(&t, now_ms), TIMER_SEND_KEEPALIVE);
	timers_acted(&t, TIMER_SEND_KEEPALIVE, now_ms);
	assert_int_equal(timers_next(&t), 0);
	timer_queue_free(&bare_queue);
}

/* An unanswered initiation is retransmitted MAX_TIMER_HANDSHAKES + 1 times; then the machine
 * gives up and, REJECT_AFTER_TIME * 3 later, zeroes the keys. */
static void test_machine_retransmit_give_up(void **state)
{
	struct peer_timers t;
	unsigned int retransmits = 0, actions;

	(void)state;
	now_ms = START_MS;
	bare(&t);
	timers_handshake_initiated(&t);
	for (;;) {
		now_ms = timers_next(&t);
		assert_int_not_equal(now_ms, 0);
		actions = timers_expire(&t, now_ms);
		if (actions != TIMER_RETRANSMIT)
			break;
		retransmits++;
		timers_handshake_initiated(&t); /* what sending the retry does */
	}
	assert_int_equal(actions, TIMER_GIVE_UP);
	assert_int_equal(retransmits, WG_MAX_TIMER_HANDSHAKES + 1);
	assert_int_equal(timers_next(&t), now_ms + 3 * WG_REJECT_AFTER_TIME);
	now_ms += 3 * WG_REJECT_AFTER_TIME;
	assert_int_equal(timers_expire(&t, now_ms), TIMER_ZERO_KEYS);
	assert_int_equal(timers_next(&t), 0);
	timer_queue_free(&bare_queue);
}

/* Data sent and nothing heard: a new handshake after KEEPALIVE + REKEY_TIMEOUT (+ jitter),
 * unless anything authenticated arrives first. */
static void test_machine_new_handshake(void **state)
{
	struct peer_timers t;
	uint64_t due;

	(void)state;
	now_ms = START_MS;
	bare(&t);
	timers_data_sent(&t);
	due = t.new_handshake;
	assert_jittered(due, START_MS + WG_KEEPALIVE_TIMEOUT + WG_REKEY_TIMEOUT);
	timers_data_sent(&t); /* a later packet does not push it back */
	assert_int_equal(t.new_handshake, due);
	assert_int_equal(timers_expire(&t, due), TIMER_NEW_HANDSHAKE);

	timers_data_sent(&t);
	timers_any_authenticated_packet_received(&t);
	assert_int_equal(timers_expire(&t, due + WG_KEEPALIVE_TIMEOUT + WG_REKEY_TIMEOUT +
					      WG_REKEY_TIMEOUT_JITTER_MAX), 0);
	timer_queue_free(&bare_queue);
}

/* A persistent keepalive follows every authenticated packet by the interval; off, it is
 * never due. */
static void test_machine_persistent_keepalive(void **state)
{
	struct peer_timers t;

	(void)state;
	now_ms = START_MS;
	bare(&t);
	timers_any_authenticated_packet_traversal(&t, 25);
	assert_int_equal(timers_next(&t), START_MS + 25000);
	now_ms += 10000;
	timers_any_authenticated_packet_traversal(&t, 25);
	assert_int_equal(timers_expire(&t, START_MS + 25000), 0);
	assert_int_equal(timers_expire(&t, START_MS + 35000), TIMER_PERSISTENT_KEEPALIVE);
	timers_any_authenticated_packet_traversal(&t, 0);
	assert_int_equal(timers_next(&t), 0);
	timers_any_authenticated_packet_traversal(&t, 25);
	timers_persistent_keepalive_off(&t);
	assert_int_equal(timers_expire(&t, UINT64_MAX), 0);
	timer_queue_free(&bare_queue);
}

static unsigned int acted_count;
static struct peer_timers *acted_order[4];
static unsigned int acted_actions[4];

static void record(struct peer_timers *t, unsigned int actions)
{
	acted_order[acted_count] = t;
	acted_actions[acted_count++] = actions;
}

/* A run hands each due peer's actions to the caller, soonest first, and says when the next
 * is due; a peer that is not due is not touched. */
static void test_machine_run_in_order(void **state)
{
	struct peer_timers t[3];

	(void)state;
	timer_queue_init(&bare_queue);
	assert_int_equal(timer_queue_reserve(&bare_queue, 3), 0);
	for (int i = 0; i < 3; i++)
		timers_init(&t[i], &bare_queue);
	now_ms = START_MS + 2;
	timers_session_derived(&t[0]);
	now_ms = START_MS;
	timers_session_derived(&t[1]);
	now_ms = START_MS + 10;
	timers_session_derived(&t[2]);

	acted_count = 0;
	assert_int_equal(timers_run(&bare_queue, START_MS + 3 * WG_REJECT_AFTER_TIME + 5, record),
			 START_MS + 10 + 3 * WG_REJECT_AFTER_TIME);
	assert_int_equal(acted_count, 2);
	assert_ptr_equal(acted_order[0], &t[1]);
	assert_ptr_equal(acted_order[1], &t[0]);
	assert_int_equal(acted_actions[0], TIMER_ZERO_KEYS);
	assert_int_equal(acted_actions[1], TIMER_ZERO_KEYS);
	assert_int_equal(bare_queue.count, 1);
	timers_stop(&t[2]);
	assert_int_equal(bare_queue.count, 0);
	assert_int_equal(timers_run(&bare_queue, UINT64_MAX, record), 0);
	assert_int_equal(acted_count, 2);
	timer_queue_free(&bare_queue);
}

/* What sending does to the machine, for the tests that fire several deadlines at once: an
 * initiation or a keepalive is an authenticated packet sent (a persistent keepalive of 10 s
 * here), and an initiation arms its retransmit. */
static unsigned int fired[8], nfired;

static void send_and_record(struct peer_timers *t, unsigned int action)
{
	fired[nfired++] = action;
	timers_any_authenticated_packet_traversal(t, 10);
	timers_any_authenticated_packet_sent(t);
	if (action & (TIMER_RETRANSMIT | TIMER_NEW_HANDSHAKE))
		timers_handshake_initiated(t);
}

/* Deadlines due together (a loop that woke late) are taken one after another, each seeing
 * what the one before it sent: a retransmitted initiation answers the pending keepalive, and
 * a keepalive pushes the persistent one back, so one packet goes where two were due. */
static void test_machine_deadlines_due_together(void **state)
{
	struct peer_timers t;

	(void)state;
	now_ms = START_MS;
	bare(&t);
	timers_handshake_initiated(&t);
	timers_data_received(&t);
	nfired = 0;
	now_ms = START_MS + WG_KEEPALIVE_TIMEOUT;
	timers_fire(&t, now_ms, send_and_record);
	assert_int_equal(nfired, 1);
	assert_int_equal(fired[0], TIMER_RETRANSMIT);
	assert_int_equal(t.send_keepalive, 0);

	timers_stop(&t);
	timers_data_received(&t);
	timers_any_authenticated_packet_traversal(&t, 10);
	nfired = 0;
	now_ms += WG_KEEPALIVE_TIMEOUT;
	timers_fire(&t, now_ms, send_and_record);
	assert_int_equal(nfired, 1);
	assert_int_equal(fired[0], TIMER_SEND_KEEPALIVE);
	assert_int_equal(t.persistent_keepalive, now_ms + 10000);
	timer_queue_free(&bare_queue);
}

/* Large packets go out and nothing comes back, on a device whose interface has no route to
 * the probe address (this test's TUN is a socketpair, no interface at all): the prober
 * concludes at once that it cannot probe. Its stall deadline, already past, once fired
 * again within the same run, forever; now the run ends and nothing is armed before now. */
static void test_stall_without_probe_source_ends(void **state)
{
	uint8_t pkt[1400] = { 0x45, 0, 1400 >> 8, 1400 & 0xff, 0, 0, 0x40, 0, 64, 17, 0, 0,
			      10, 0, 0, 1, 10, 0, 0, 2 };

	(void)state;
	session_up();
	assert_int_equal(write(a.tun, pkt, sizeof(pkt)), sizeof(pkt));
	assert_int_equal(send_tun_packets(&a.dev), 0);
	assert_int_not_equal(a.peer->pmtu.big_since, 0);
	now_ms += 1500;
	expire(a.peer);
	assert_int_equal(a.peer->pmtu.how, PMTU_NO_SOURCE);
	assert_int_equal(a.peer->pmtu.big_since, 0);
	assert_true(!a.peer->timers.path_mtu || a.peer->timers.path_mtu > now_ms);
	assert_int_equal(a.peer->pmtu.mtu, 0);
}

/* A path found narrower than the packets sent: each too big with DF is answered with an
 * ICMP "fragmentation needed" into the TUN, 10 at once and then 10 a second. Packets 50 ms
 * apart once earned no token at all after the first 10 (each call moved the refill time on
 * without crediting it). */
static void test_too_big_answers_refill(void **state)
{
	uint8_t pkt[1400] = { 0x45, 0, 1400 >> 8, 1400 & 0xff, 0, 0, 0x40, 0, 64, 17, 0, 0,
			      10, 0, 0, 1, 10, 0, 0, 2 };
	unsigned int answers = 0;

	(void)state;
	session_up();
	a.peer->pmtu.mtu = 1312; /* as a search over a 1380-byte link finds */
	a.dev.pmtu_limited++;
	for (int i = 0; i < 60; i++) { /* 3 s of them, 50 ms apart */
		assert_int_equal(write(a.tun, pkt, sizeof(pkt)), sizeof(pkt));
		assert_int_equal(send_tun_packets(&a.dev), 0);
		answers += tun_received(&a);
		now_ms += 50;
	}
	assert_int_equal(a.peer->pmtu.too_big_sent, answers);
	assert_true(answers >= 10 + 28 && answers <= 10 + 31);
	assert_int_equal(wire(&b, false), 0); /* none of them went to the peer */
	a.peer->pmtu.mtu = 0;
	a.dev.pmtu_limited--;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_handshake_arms_and_clears),
		TEST(test_passive_keepalive),
		TEST(test_another_keepalive),
		TEST(test_reply_cancels_keepalive),
		TEST(test_new_handshake_without_reply),
		TEST(test_initiation_rate_limit),
		TEST(test_response_counts_for_rate_limit),
		TEST(test_staged_follow_roaming_peer),
		TEST(test_retransmit_then_give_up),
		TEST(test_rekey_after_time_by_initiator),
		TEST(test_reject_after_time),
		TEST(test_message_limits),
		TEST(test_lastminute_handshake),
		TEST(test_lastminute_not_by_responder),
		TEST(test_zero_key_material),
		TEST(test_persistent_keepalive_starts_session),
		TEST(test_persistent_keepalive),
		TEST(test_queue_holds_only_armed_peers),
		TEST(test_later_deadline_is_lazy),
		TEST(test_batch_across_rotation),
		TEST(test_staged_overflow_counted),
		TEST(test_stall_without_probe_source_ends),
		TEST(test_too_big_answers_refill),
	};

	const struct CMUnitTest machine[] = {
		cmocka_unit_test(test_machine_keepalive),
		cmocka_unit_test(test_machine_retransmit_give_up),
		cmocka_unit_test(test_machine_new_handshake),
		cmocka_unit_test(test_machine_persistent_keepalive),
		cmocka_unit_test(test_machine_run_in_order),
		cmocka_unit_test(test_machine_deadlines_due_together),
	};

	if (!crypto_init())
		return 1;
	return cmocka_run_group_tests(machine, NULL, NULL) |
	       cmocka_run_group_tests(tests, NULL, NULL);
}
