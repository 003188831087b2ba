/* The sliding window of RFC 6479, as the kernel's counter_validate keeps it: a ring of
 * 64-bit words in which bit n (n = counter + 1) records counter. Moving the window forward
 * clears only the words it passes over, so a jump costs at most one sweep of the ring; the
 * 64 bits of the word being reused are why the window is 8192 - 64 counters wide. */
#include <string.h>

#include "wg/messages.h"
#include "wg/replay.h"

#define WORDS (REPLAY_BITS_TOTAL / 64)

void replay_init(struct replay_counter *r)
{
	memset(r, 0, sizeof(*r));
}

bool replay_check(struct replay_counter *r, uint64_t counter)
{
	uint64_t n, index, current, top, bit;

	if (counter >= WG_REJECT_AFTER_MESSAGES)
		return false;
	n = counter + 1;
	if (n + REPLAY_WINDOW_SIZE < r->next)
		return false; /* too old */

	index = n / 64;
	if (n > r->next) {
		current = r->next / 64;
		top = index - current < WORDS ? index - current : WORDS;
		for (uint64_t i = 1; i <= top; ++i)
			r->bitmap[(current + i) % WORDS] = 0;
		r->next = n;
	}
	index %= WORDS;
	bit = UINT64_C(1) << (n % 64);
	if (r->bitmap[index] & bit)
		return false;
	r->bitmap[index] |= bit;
	return true;
}
