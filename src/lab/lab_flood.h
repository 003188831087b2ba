/* Which clients a lab-mode TAP server floods a frame to: one that no client owns (a
 * broadcast, multicast, an unknown destination), which a switch sends out of every port.
 *
 * Anyone can become a client with one datagram from a forged source address, so a flood to
 * every client made the server a reflector: one datagram that makes the server's kernel
 * broadcast (an echo request from an address it must ARP for) came back from it to a
 * thousand forged sources. So:
 * - an unconfirmed client (lab_clients.h) is flooded only while it has been sent no more
 *   bytes than it sent: a forged one-shot source gets back less than it sent, and a real
 *   client's own first frames (its ARP request, neighbour discovery) earn it the server's
 *   broadcast for it;
 * - confirmed clients share LAB_FLOOD_BYTES_PER_SEC, since a forger can send twice too.
 * Frames for a known owner are not flooded and not gated. */
#ifndef ADIT_LAB_FLOOD_H
#define ADIT_LAB_FLOOD_H

#include <stddef.h>
#include <stdint.h>

#include "lab/lab_clients.h"

/* Flooded bytes a second, all copies to confirmed clients counted: a lab's broadcasts need
 * a few kilobytes. */
#define LAB_FLOOD_BYTES_PER_SEC (128 * 1024)

struct lab_flood {
	uint64_t second_after; /* one past the second left is for: zeroed, it is for none */
	size_t left;           /* bytes of LAB_FLOOD_BYTES_PER_SEC not yet flooded in it */
};

enum lab_flood_verdict {
	LAB_FLOOD_SEND,
	LAB_FLOOD_UNCONFIRMED, /* held back: c was sent as many bytes as it sent */
	LAB_FLOOD_OVER_BUDGET, /* held back: the second's budget is spent */
};

/* Whether a flooded frame of len bytes goes to c at now (seconds, never going back); a copy
 * that goes is taken from the budget. A zeroed struct lab_flood is ready. */
enum lab_flood_verdict lab_flood_check(struct lab_flood *f, const struct lab_client *c,
				       size_t len, uint64_t now);

#endif
