#include <errno.h>
#include <stdlib.h>

#include "wg/timer_queue.h"

void timer_queue_init(struct timer_queue *q)
{
	*q = (struct timer_queue){ 0 };
}

void timer_queue_free(struct timer_queue *q)
{
	free(q->heap);
	timer_queue_init(q);
}

int timer_queue_reserve(struct timer_queue *q, size_t entries)
{
	size_t cap = q->cap ? q->cap : 64;
	struct timer_queue_entry **heap;

	if (entries <= q->cap)
		return 0;
	while (cap < entries)
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
	return q->heap[i]->key;
}

static void place(struct timer_queue *q, size_t i, struct timer_queue_entry *e)
{
	q->heap[i] = e;
	e->slot = i + 1;
}

static void sift_up(struct timer_queue *q, size_t i)
{
	struct timer_queue_entry *e = q->heap[i];

	while (i > 0 && key_at(q, (i - 1) / 2) > e->key) {
		place(q, i, q->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	place(q, i, e);
}

static void sift_down(struct timer_queue *q, size_t i)
{
	struct timer_queue_entry *e = q->heap[i];
	size_t child;

	while ((child = 2 * i + 1) < q->count) {
		if (child + 1 < q->count && key_at(q, child + 1) < key_at(q, child))
			child++;
		if (key_at(q, child) >= e->key)
			break;
		place(q, i, q->heap[child]);
		i = child;
	}
	place(q, i, e);
}

void timer_queue_remove(struct timer_queue *q, struct timer_queue_entry *e)
{
	size_t i = e->slot - 1;
	struct timer_queue_entry *last;

	if (!e->slot)
		return;
	e->slot = 0;
	last = q->heap[--q->count];
	if (i == q->count)
		return;
	place(q, i, last);
	sift_down(q, i);
	sift_up(q, last->slot - 1);
}

int timer_queue_schedule(struct timer_queue *q, struct timer_queue_entry *e, uint64_t when)
{
	if (e->slot) {
		if (when < e->key) {
			e->key = when;
			sift_up(q, e->slot - 1);
		}
		return 0;
	}
	if (q->count == q->cap && timer_queue_reserve(q, q->count + 1) < 0)
		return -ENOMEM;
	e->key = when;
	q->heap[q->count] = e;
	sift_up(q, q->count++);
	return 0;
}
