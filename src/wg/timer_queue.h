/* The device's timer queue: a binary min-heap of entries, one per peer with a timer armed,
 * ordered by when each must next be looked at. The loop sleeps until the first, so a
 * wake-up costs the peers that are due, not every peer there is.
 *
 * An entry's key is a lower bound of its peer's earliest deadline: arming a timer earlier
 * moves the entry up (log n), but the data path's common case, pushing a deadline later,
 * costs nothing; the entry then comes up early once, finds nothing due and goes back in at
 * its real deadline. The queue knows nothing of timers or peers, only entries and keys. */
#ifndef ADIT_WG_TIMER_QUEUE_H
#define ADIT_WG_TIMER_QUEUE_H

#include <stddef.h>
#include <stdint.h>

struct timer_queue_entry {
	size_t slot;  /* 1 + the entry's position in the heap; 0: not in it */
	uint64_t key; /* when the queue looks at the entry next */
};

struct timer_queue {
	struct timer_queue_entry **heap;
	size_t count, cap;
	uint64_t run; /* how many runs have looked at the queue (timers.c) */
};

void timer_queue_init(struct timer_queue *q);
void timer_queue_free(struct timer_queue *q);
/* Room for entries, so scheduling never allocates. Returns 0 or -ENOMEM. */
int timer_queue_reserve(struct timer_queue *q, size_t entries);
/* The queue looks at e no later than when: e goes in, or up when it was due later. Returns
 * 0, or -ENOMEM when e is new and there was no room reserved and none to be had. */
int timer_queue_schedule(struct timer_queue *q, struct timer_queue_entry *e, uint64_t when);
/* Takes e out (nothing when it is not in). */
void timer_queue_remove(struct timer_queue *q, struct timer_queue_entry *e);
/* The entry due first, or NULL when the queue is empty. */
static inline struct timer_queue_entry *timer_queue_first(const struct timer_queue *q)
{
	return q->count ? q->heap[0] : NULL;
}

#endif
