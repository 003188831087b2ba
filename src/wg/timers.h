/* Every timer of a peer (whitepaper §6), as deadlines on the monotonic clock in ms (0 = not
 * armed): a state machine that knows no device. The timers_* event functions are called
 * where the event happens, as in the kernel's timers.c; when a deadline passes, timers_expire
 * says what to do (enum timer_action) and send.c does it. Armed timers wait in the device's
 * timer_queue. */
#ifndef ADIT_WG_TIMERS_H
#define ADIT_WG_TIMERS_H

#include <stdbool.h>
#include <stdint.h>

#include "wg/timer_queue.h"

struct peer_timers {
	uint64_t retransmit_handshake;
	uint64_t send_keepalive;
	uint64_t new_handshake;
	uint64_t zero_key_material;
	uint64_t persistent_keepalive;
	uint64_t path_mtu; /* the path-MTU prober's next step (wg/pmtu.c) */
	unsigned int handshake_attempts;
	bool need_another_keepalive;
	bool sent_lastminute_handshake;
	struct timer_queue *queue; /* where the peer waits while a timer is armed */
	struct timer_queue_entry entry;
	uint64_t fired_run; /* the last timers_run that fired this peer */
};

/* What an expired deadline asks for (send_timer_actions carries it out). */
enum timer_action {
	/* The initiation went unanswered: forget the source address, initiate again. */
	TIMER_RETRANSMIT = 1 << 0,
	/* ...for REKEY_ATTEMPT_TIME: give up, drop the staged packets. */
	TIMER_GIVE_UP = 1 << 1,
	/* We received data and sent nothing back for KEEPALIVE_TIMEOUT. */
	TIMER_SEND_KEEPALIVE = 1 << 2,
	/* We sent data and heard nothing for KEEPALIVE + REKEY_TIMEOUT: forget the source
	 * address, initiate anew. */
	TIMER_NEW_HANDSHAKE = 1 << 3,
	/* No new session for REJECT_AFTER_TIME * 3: forget every key. */
	TIMER_ZERO_KEYS = 1 << 4,
	/* Nothing sent for the user's interval (to keep NAT state alive). */
	TIMER_PERSISTENT_KEEPALIVE = 1 << 5,
	/* The path-MTU prober asked to be woken (a round of probes ended, or it is time to
	 * probe again): not the whitepaper's, and it changes no other timer. */
	TIMER_PATH_MTU = 1 << 6,
};

void timers_init(struct peer_timers *t, struct timer_queue *q);
/* Disarms every timer and takes the peer out of the queue. */
void timers_stop(struct peer_timers *t);
/* Disarms the first deadline due at now_ms and returns what it asks for (one action), or 0
 * when none is due. */
unsigned int timers_expire(struct peer_timers *t, uint64_t now_ms);
/* Once the caller has carried out an action (which may have disarmed a timer), what follows
 * it: the keepalive asked for a second time is armed. */
void timers_acted(struct peer_timers *t, unsigned int actions, uint64_t now_ms);
/* The earliest armed deadline, or 0. */
uint64_t timers_next(const struct peer_timers *t);
/* Every deadline of t due at now_ms, one after another: each action goes to act, which
 * carries it out, before the next deadline is looked at. */
typedef void timers_act_fn(struct peer_timers *t, unsigned int actions);
void timers_fire(struct peer_timers *t, uint64_t now_ms, timers_act_fn *act);
/* Fires the peers that are due at now_ms, each at most once; returns when the next peer is
 * due (now_ms or earlier when one is due already), or 0 when no timer is armed. */
uint64_t timers_run(struct timer_queue *q, uint64_t now_ms, timers_act_fn *act);

void timers_data_sent(struct peer_timers *t);
void timers_data_received(struct peer_timers *t);
void timers_any_authenticated_packet_sent(struct peer_timers *t);
void timers_any_authenticated_packet_received(struct peer_timers *t);
/* keepalive_interval: the peer's persistent keepalive in seconds, 0 when off. */
void timers_any_authenticated_packet_traversal(struct peer_timers *t,
					       uint16_t keepalive_interval);
void timers_handshake_initiated(struct peer_timers *t);
void timers_handshake_complete(struct peer_timers *t);
void timers_session_derived(struct peer_timers *t);
/* Wakes the path-MTU prober at when_ms (replacing the wake-up it asked for before); 0
 * disarms it. */
void timers_path_mtu_at(struct peer_timers *t, uint64_t when_ms);
/* A persistent keepalive interval of 0 disarms its timer. */
void timers_persistent_keepalive_off(struct peer_timers *t);

#endif
