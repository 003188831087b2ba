/* Every timer of a peer (whitepaper §6), as deadlines on the monotonic clock in ms (0 = not
 * armed). The timers_* event functions are called where the event happens, as in the
 * kernel's timers.c.
 *
 * The device keeps the peers with an armed timer in a queue (a binary min-heap) ordered by
 * when each must next be looked at, and its loop sleeps until the first: a wake-up costs
 * the peers that are due, not every peer there is. A peer's place in the queue is a lower
 * bound of its earliest deadline: arming a timer earlier moves the peer up (log n), but the
 * data path's common case, pushing a deadline later, costs nothing; the peer then comes up
 * early once, finds nothing due and goes back in at its real deadline. */
#ifndef ADIT_WG_TIMERS_H
#define ADIT_WG_TIMERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wg_peer;

struct peer_timers {
	uint64_t retransmit_handshake;
	uint64_t send_keepalive;
	uint64_t new_handshake;
	uint64_t zero_key_material;
	uint64_t persistent_keepalive;
	unsigned int handshake_attempts;
	bool need_another_keepalive;
	bool sent_lastminute_handshake;
	size_t queue_slot;  /* 1 + the peer's position in the device's queue; 0: not in it */
	uint64_t queue_key; /* when the queue looks at the peer next */
	uint64_t fired_run; /* the last timers_run that fired this peer */
};

struct timer_queue {
	struct wg_peer **heap;
	size_t count, cap;
	uint64_t run;
};

void timer_queue_init(struct timer_queue *q);
void timer_queue_free(struct timer_queue *q);
/* Room for peers entries, so arming a timer never allocates. Returns 0 or -ENOMEM. */
int timer_queue_reserve(struct timer_queue *q, size_t peers);
/* Fires the timers that are due at now_ms, each peer at most once; returns when the next
 * peer is due (now_ms or earlier when one is due already), or 0 when no timer is armed. */
uint64_t timers_run(struct timer_queue *q, uint64_t now_ms);

void timers_init(struct wg_peer *peer);
/* Disarms every timer and takes the peer out of the queue. */
void timers_stop(struct wg_peer *peer);
/* Fires every deadline of peer that is due at now_ms. */
void timers_expire(struct wg_peer *peer, uint64_t now_ms);
/* The earliest armed deadline, or 0. */
uint64_t timers_next(const struct wg_peer *peer);

void timers_data_sent(struct wg_peer *peer);
void timers_data_received(struct wg_peer *peer);
void timers_any_authenticated_packet_sent(struct wg_peer *peer);
void timers_any_authenticated_packet_received(struct wg_peer *peer);
void timers_any_authenticated_packet_traversal(struct wg_peer *peer);
void timers_handshake_initiated(struct wg_peer *peer);
void timers_handshake_complete(struct wg_peer *peer);
void timers_session_derived(struct wg_peer *peer);

#endif
