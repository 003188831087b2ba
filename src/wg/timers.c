/* The timer state machine of a peer (whitepaper §6), in the kernel's words:
 *
 * - retransmit_handshake: an initiation got no response within REKEY_TIMEOUT (+ jitter);
 *   send another, until REKEY_ATTEMPT_TIME has passed, then give up and drop staged packets.
 * - send_keepalive: we received data and have sent nothing back for KEEPALIVE_TIMEOUT.
 * - new_handshake: we sent data and have heard nothing for KEEPALIVE + REKEY_TIMEOUT.
 * - zero_key_material: no new session for REJECT_AFTER_TIME * 3; forget every key.
 * - persistent_keepalive: nothing sent for the user's interval (to keep NAT state alive).
 */
#include <errno.h>
#include <stdlib.h>

#include "base/log.h"
#include "wg/device.h"
#include "wg/timers.h"

/* ---- The device's queue: a binary min-heap of peers by queue_key ---- */

void timer_queue_init(struct timer_queue *q)
{
	*q = (struct timer_queue){ 0 };
}

void timer_queue_free(struct timer_queue *q)
{
	free(q->heap);
	timer_queue_init(q);
}

int timer_queue_reserve(struct timer_queue *q, size_t peers)
{
	size_t cap = q->cap ? q->cap : 64;
	struct wg_peer **heap;

	if (peers <= q->cap)
		return 0;
	while (cap < peers)
		cap *= 2;
	heap = realloc(q->heap, cap * sizeof(*heap));
	if (!heap)
		return -ENOMEM;
	q->heap = heap;
	q->cap = cap;
	return 0;
}

static uint64_t key_at(const struct timer_queue *q, size_t i)
{
	return q->heap[i]->timers.queue_key;
}

static void place(struct timer_queue *q, size_t i, struct wg_peer *peer)
{
	q->heap[i] = peer;
	peer->timers.queue_slot = i + 1;
}

static void sift_up(struct timer_queue *q, size_t i)
{
	struct wg_peer *peer = q->heap[i];

	while (i > 0 && key_at(q, (i - 1) / 2) > peer->timers.queue_key) {
		place(q, i, q->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	place(q, i, peer);
}

static void sift_down(struct timer_queue *q, size_t i)
{
	struct wg_peer *peer = q->heap[i];
	size_t child;

	while ((child = 2 * i + 1) < q->count) {
		if (child + 1 < q->count && key_at(q, child + 1) < key_at(q, child))
			child++;
		if (key_at(q, child) >= peer->timers.queue_key)
			break;
		place(q, i, q->heap[child]);
		i = child;
	}
	place(q, i, peer);
}

static void dequeue(struct timer_queue *q, struct wg_peer *peer)
{
	size_t i = peer->timers.queue_slot - 1;
	struct wg_peer *last;

	if (!peer->timers.queue_slot)
		return;
	peer->timers.queue_slot = 0;
	last = q->heap[--q->count];
	if (i == q->count)
		return;
	place(q, i, last);
	sift_down(q, i);
	sift_up(q, last->timers.queue_slot - 1);
}

/* The queue looks at peer no later than when. */
static void schedule(struct wg_peer *peer, uint64_t when)
{
	struct timer_queue *q = &peer->dev->timer_queue;
	struct peer_timers *t = &peer->timers;

	if (t->queue_slot) {
		if (when < t->queue_key) {
			t->queue_key = when;
			sift_up(q, t->queue_slot - 1);
		}
		return;
	}
	/* device_add_peer reserved a place for every peer: this only fails if it did not. */
	if (q->count == q->cap && timer_queue_reserve(q, q->count + 1) < 0) {
		log_error("%s: out of memory for a timer", peer_name(peer));
		return;
	}
	t->queue_key = when;
	q->heap[q->count] = peer;
	sift_up(q, q->count++);
}

/* Arms one of peer's deadlines. */
static void arm(struct wg_peer *peer, uint64_t *deadline, uint64_t when)
{
	*deadline = when;
	schedule(peer, when);
}

uint64_t timers_run(struct timer_queue *q, uint64_t now)
{
	struct wg_peer *peer;
	uint64_t next;

	q->run++;
	while (q->count && key_at(q, 0) <= now) {
		peer = q->heap[0];
		/* A handler that armed a timer due already waits for the next run, so that a run
		 * always ends. */
		if (peer->timers.fired_run == q->run)
			return now;
		peer->timers.fired_run = q->run;
		dequeue(q, peer);
		timers_expire(peer, now);
		next = timers_next(peer);
		if (next)
			schedule(peer, next);
	}
	return q->count ? key_at(q, 0) : 0;
}

/* ---- The timers of a peer ---- */

/* Jitter keeps peers from retrying in step; it need not be secret (the kernel draws it from
 * its fast generator), so it comes from libc's nrand48, seeded once. crypto_random, OpenSSL's
 * DRBG, cost each ping tens of microseconds here: the first data packet after an idle spell
 * arms new_handshake, and the DRBG's code was cold by then. */
static uint64_t jitter(void)
{
	static unsigned short state[3];
	static bool seeded;

	if (!seeded) {
		crypto_random(state, sizeof(state));
		seeded = true;
	}
	return (uint64_t)nrand48(state) % WG_REKEY_TIMEOUT_JITTER_MAX;
}

void timers_init(struct wg_peer *peer)
{
	struct peer_timers *t = &peer->timers;

	*t = (struct peer_timers){ 0 };
}

void timers_stop(struct wg_peer *peer)
{
	dequeue(&peer->dev->timer_queue, peer);
	timers_init(peer);
}

static void retransmit_handshake(struct wg_peer *peer, uint64_t now)
{
	struct peer_timers *t = &peer->timers;

	if (t->handshake_attempts > WG_MAX_TIMER_HANDSHAKES) {
		log_info("%s: handshake did not complete after %d attempts, giving up",
			 peer_name(peer), WG_MAX_TIMER_HANDSHAKES + 2);
		t->send_keepalive = 0;
		peer_drop_staged(peer);
		if (!t->zero_key_material)
			arm(peer, &t->zero_key_material, now + WG_REJECT_AFTER_TIME * 3);
		return;
	}
	++t->handshake_attempts;
	/* The peer may have moved or our route to it changed: choose the source anew. */
	peer_clear_source(peer);
	peer_send_handshake_initiation(peer, true);
}

static void send_keepalive(struct wg_peer *peer, uint64_t now)
{
	struct peer_timers *t = &peer->timers;

	peer_send_keepalive(peer);
	if (t->need_another_keepalive) {
		t->need_another_keepalive = false;
		arm(peer, &t->send_keepalive, now + WG_KEEPALIVE_TIMEOUT);
	}
}

static void new_handshake(struct wg_peer *peer)
{
	peer_clear_source(peer);
	peer_send_handshake_initiation(peer, false);
}

static void persistent_keepalive(struct wg_peer *peer)
{
	if (peer->persistent_keepalive_interval)
		peer_send_keepalive(peer);
}

/* Each deadline is disarmed before its handler runs, so a handler may arm it again. */
void timers_expire(struct wg_peer *peer, uint64_t now)
{
	struct peer_timers *t = &peer->timers;

	if (t->retransmit_handshake && t->retransmit_handshake <= now) {
		t->retransmit_handshake = 0;
		retransmit_handshake(peer, now);
	}
	if (t->send_keepalive && t->send_keepalive <= now) {
		t->send_keepalive = 0;
		send_keepalive(peer, now);
	}
	if (t->new_handshake && t->new_handshake <= now) {
		t->new_handshake = 0;
		new_handshake(peer);
	}
	if (t->zero_key_material && t->zero_key_material <= now) {
		t->zero_key_material = 0;
		log_info("%s: no new session for %d s, keys zeroed", peer_name(peer),
			 WG_REJECT_AFTER_TIME * 3 / 1000);
		peer_zero_keys(peer);
	}
	if (t->persistent_keepalive && t->persistent_keepalive <= now) {
		t->persistent_keepalive = 0;
		persistent_keepalive(peer);
	}
}

static uint64_t earliest(uint64_t a, uint64_t b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return a < b ? a : b;
}

uint64_t timers_next(const struct wg_peer *peer)
{
	const struct peer_timers *t = &peer->timers;
	uint64_t next = earliest(t->retransmit_handshake, t->send_keepalive);

	next = earliest(next, t->new_handshake);
	next = earliest(next, t->zero_key_material);
	return earliest(next, t->persistent_keepalive);
}

/* Should be called after an authenticated data packet is sent. */
void timers_data_sent(struct wg_peer *peer)
{
	if (!peer->timers.new_handshake)
		arm(peer, &peer->timers.new_handshake,
		    clock_now() + WG_KEEPALIVE_TIMEOUT + WG_REKEY_TIMEOUT + jitter());
}

/* Should be called after an authenticated data packet is received. */
void timers_data_received(struct wg_peer *peer)
{
	if (!peer->timers.send_keepalive)
		arm(peer, &peer->timers.send_keepalive, clock_now() + WG_KEEPALIVE_TIMEOUT);
	else
		peer->timers.need_another_keepalive = true;
}

/* Should be called after any type of authenticated packet is sent: keepalive, data, or
 * handshake. */
void timers_any_authenticated_packet_sent(struct wg_peer *peer)
{
	peer->timers.send_keepalive = 0;
}

/* Should be called after any type of authenticated packet is received. */
void timers_any_authenticated_packet_received(struct wg_peer *peer)
{
	peer->timers.new_handshake = 0;
}

/* Should be called after a handshake initiation message is sent. */
void timers_handshake_initiated(struct wg_peer *peer)
{
	arm(peer, &peer->timers.retransmit_handshake, clock_now() + WG_REKEY_TIMEOUT + jitter());
}

/* Should be called after a handshake response message is received and processed, or when
 * getting the first data message of a session we responded to. */
void timers_handshake_complete(struct wg_peer *peer)
{
	log_info("%s: handshake complete, session up", peer_name(peer));
	peer->timers.retransmit_handshake = 0;
	peer->timers.handshake_attempts = 0;
	peer->timers.sent_lastminute_handshake = false;
	clock_gettime(CLOCK_REALTIME, &peer->last_handshake);
}

/* Should be called after an ephemeral key is created, which is before sending a handshake
 * response or after receiving one. */
void timers_session_derived(struct wg_peer *peer)
{
	arm(peer, &peer->timers.zero_key_material, clock_now() + WG_REJECT_AFTER_TIME * 3);
}

/* Should be called before a packet with authentication, whether keepalive, data, or
 * handshake, is sent, or after one is received. */
void timers_any_authenticated_packet_traversal(struct wg_peer *peer)
{
	if (peer->persistent_keepalive_interval)
		arm(peer, &peer->timers.persistent_keepalive,
		    clock_now() + (uint64_t)peer->persistent_keepalive_interval * 1000);
}
