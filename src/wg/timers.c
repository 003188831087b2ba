/* The timer state machine of a peer (whitepaper §6), in the kernel's words:
 *
 * - retransmit_handshake: an initiation got no response within REKEY_TIMEOUT (+ jitter);
 *   send another, until REKEY_ATTEMPT_TIME has passed, then give up and drop staged packets.
 * - send_keepalive: we received data and have sent nothing back for KEEPALIVE_TIMEOUT.
 * - new_handshake: we sent data and have heard nothing for KEEPALIVE + REKEY_TIMEOUT.
 * - zero_key_material: no new session for REJECT_AFTER_TIME * 3; forget every key.
 * - persistent_keepalive: nothing sent for the user's interval (to keep NAT state alive).
 * - path_mtu: adit's own, not the whitepaper's: when the path-MTU prober (pmtu.c) wants to
 *   look again.
 *
 * The machine decides; it does nothing itself. What must be sent or forgotten goes back to
 * the caller as actions, so these rules are tested on their own (tests/unit/test_timers.c). */
#include <stddef.h>
#include <stdlib.h>

#include "base/clock.h"
#include "base/log.h"
#include "wg/crypto.h"
#include "wg/messages.h"
#include "wg/timers.h"

static struct peer_timers *timers_of(struct timer_queue_entry *e)
{
	return (struct peer_timers *)((char *)e - offsetof(struct peer_timers, entry));
}

/* Arms one of the deadlines. The device reserved a place in the queue for every peer: this
 * only fails if it did not. */
static void arm(struct peer_timers *t, uint64_t *deadline, uint64_t when)
{
	*deadline = when;
	if (timer_queue_schedule(t->queue, &t->entry, when) < 0)
		log_error("out of memory for a peer's timer");
}

uint64_t timers_run(struct timer_queue *q, uint64_t now, timers_act_fn *act)
{
	struct timer_queue_entry *e;
	struct peer_timers *t;
	uint64_t next;

	q->run++;
	while ((e = timer_queue_first(q)) && e->key <= now) {
		t = timers_of(e);
		/* A handler that armed a timer due already waits for the next run, so that a run
		 * always ends. */
		if (t->fired_run == q->run)
			return now;
		t->fired_run = q->run;
		timer_queue_remove(q, e);
		timers_fire(t, now, act);
		next = timers_next(t);
		if (next && timer_queue_schedule(q, e, next) < 0)
			log_error("out of memory for a peer's timer");
	}
	e = timer_queue_first(q);
	return e ? e->key : 0;
}

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

void timers_init(struct peer_timers *t, struct timer_queue *q)
{
	*t = (struct peer_timers){ .queue = q };
}

void timers_stop(struct peer_timers *t)
{
	timer_queue_remove(t->queue, &t->entry);
	timers_init(t, t->queue);
}

static unsigned int retransmit_handshake(struct peer_timers *t, uint64_t now)
{
	if (t->handshake_attempts > WG_MAX_TIMER_HANDSHAKES) {
		t->send_keepalive = 0;
		if (!t->zero_key_material)
			arm(t, &t->zero_key_material, now + WG_REJECT_AFTER_TIME * 3);
		return TIMER_GIVE_UP;
	}
	++t->handshake_attempts;
	return TIMER_RETRANSMIT;
}

static bool due(uint64_t *deadline, uint64_t now)
{
	if (!*deadline || *deadline > now)
		return false;
	*deadline = 0;
	return true;
}

/* The first deadline due, in the order of the kernel's handlers, is disarmed before its
 * handler decides, so a handler may arm it again. */
unsigned int timers_expire(struct peer_timers *t, uint64_t now)
{
	if (due(&t->retransmit_handshake, now))
		return retransmit_handshake(t, now);
	if (due(&t->send_keepalive, now))
		return TIMER_SEND_KEEPALIVE;
	if (due(&t->new_handshake, now))
		return TIMER_NEW_HANDSHAKE;
	if (due(&t->zero_key_material, now))
		return TIMER_ZERO_KEYS;
	if (due(&t->persistent_keepalive, now))
		return TIMER_PERSISTENT_KEEPALIVE;
	if (due(&t->path_mtu, now))
		return TIMER_PATH_MTU;
	return 0;
}

/* One deadline at a time, each carried out before the next is looked at, as the kernel's
 * handlers run one after another: an action can disarm a later deadline (an initiation is
 * an authenticated packet sent, so no keepalive follows it; a keepalive pushes the
 * persistent one back). It ends: every action re-arms only later than now. */
void timers_fire(struct peer_timers *t, uint64_t now, timers_act_fn *act)
{
	unsigned int action;

	while ((action = timers_expire(t, now))) {
		act(t, action);
		timers_acted(t, action, now);
	}
}

/* Data that arrived while a keepalive was pending asks for one more; sending the first
 * disarmed the timer (any authenticated packet sent does), so it is armed again only now. */
void timers_acted(struct peer_timers *t, unsigned int actions, uint64_t now)
{
	if ((actions & TIMER_SEND_KEEPALIVE) && t->need_another_keepalive) {
		t->need_another_keepalive = false;
		arm(t, &t->send_keepalive, now + WG_KEEPALIVE_TIMEOUT);
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

uint64_t timers_next(const struct peer_timers *t)
{
	uint64_t next = earliest(t->retransmit_handshake, t->send_keepalive);

	next = earliest(next, t->new_handshake);
	next = earliest(next, t->zero_key_material);
	next = earliest(next, t->persistent_keepalive);
	return earliest(next, t->path_mtu);
}

/* Should be called after an authenticated data packet is sent. */
void timers_data_sent(struct peer_timers *t)
{
	if (!t->new_handshake)
		arm(t, &t->new_handshake,
		    clock_now() + WG_KEEPALIVE_TIMEOUT + WG_REKEY_TIMEOUT + jitter());
}

/* Should be called after an authenticated data packet is received. */
void timers_data_received(struct peer_timers *t)
{
	if (!t->send_keepalive)
		arm(t, &t->send_keepalive, clock_now() + WG_KEEPALIVE_TIMEOUT);
	else
		t->need_another_keepalive = true;
}

/* Should be called after any type of authenticated packet is sent: keepalive, data, or
 * handshake. */
void timers_any_authenticated_packet_sent(struct peer_timers *t)
{
	t->send_keepalive = 0;
}

/* Should be called after any type of authenticated packet is received. */
void timers_any_authenticated_packet_received(struct peer_timers *t)
{
	t->new_handshake = 0;
}

/* Should be called after a handshake initiation message is sent. */
void timers_handshake_initiated(struct peer_timers *t)
{
	arm(t, &t->retransmit_handshake, clock_now() + WG_REKEY_TIMEOUT + jitter());
}

/* Should be called after a handshake response message is received and processed, or when
 * getting the first data message of a session we responded to. */
void timers_handshake_complete(struct peer_timers *t)
{
	t->retransmit_handshake = 0;
	t->handshake_attempts = 0;
	t->sent_lastminute_handshake = false;
}

/* Should be called after an ephemeral key is created, which is before sending a handshake
 * response or after receiving one. */
void timers_session_derived(struct peer_timers *t)
{
	arm(t, &t->zero_key_material, clock_now() + WG_REJECT_AFTER_TIME * 3);
}

/* Should be called before a packet with authentication, whether keepalive, data, or
 * handshake, is sent, or after one is received. */
void timers_any_authenticated_packet_traversal(struct peer_timers *t,
					       uint16_t keepalive_interval)
{
	if (keepalive_interval)
		arm(t, &t->persistent_keepalive,
		    clock_now() + (uint64_t)keepalive_interval * 1000);
}

void timers_path_mtu_at(struct peer_timers *t, uint64_t when)
{
	if (when)
		arm(t, &t->path_mtu, when);
	else
		t->path_mtu = 0;
}

void timers_persistent_keepalive_off(struct peer_timers *t)
{
	t->persistent_keepalive = 0;
}
