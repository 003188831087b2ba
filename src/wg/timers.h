/* Every timer of a peer (whitepaper §6), as deadlines on the monotonic clock in ms (0 = not
 * armed). The device's loop sleeps until the earliest and calls timers_expire. The timers_*
 * event functions are called where the event happens, as in the kernel's timers.c. */
#ifndef ADIT_WG_TIMERS_H
#define ADIT_WG_TIMERS_H

#include <stdbool.h>
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
};

void timers_init(struct wg_peer *peer);
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
