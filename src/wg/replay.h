/* The receive counter of a keypair: a sliding window of 8128 counters (RFC 6479), so a
 * transport message is accepted once, in any order within the window, and never again. */
#ifndef ADIT_WG_REPLAY_H
#define ADIT_WG_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#define REPLAY_BITS_TOTAL 8192
#define REPLAY_WINDOW_SIZE (REPLAY_BITS_TOTAL - 64) /* 8128 */

struct replay_counter {
	uint64_t next; /* one past the greatest counter accepted */
	uint64_t bitmap[REPLAY_BITS_TOTAL / 64];
};

void replay_init(struct replay_counter *r);
/* Call only after the message authenticated. Returns true and records counter when it is new
 * and inside the window; false for a replay, a counter too old, or one at or beyond
 * WG_REJECT_AFTER_MESSAGES. */
bool replay_check(struct replay_counter *r, uint64_t counter);

#endif
