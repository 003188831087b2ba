/* A fork-join pool for the data path's crypto (--threads N): the thread that reads a batch
 * hands the batch's items (packets to seal or open) to N - 1 helper threads and works on
 * them too, then carries on with the results in their original order. Order costs
 * nothing: the batch is done before anything after it happens.
 *
 * The caller claims items like every helper, so a helper the scheduler has not run yet
 * never holds a batch up: the caller does its share. A batch waits only for items a helper
 * has already started. Small batches (a ping) never wake anyone. */
#ifndef ADIT_IO_WORKERS_H
#define ADIT_IO_WORKERS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* Threads, the caller's included, that --threads accepts. */
#define WORKERS_MAX 16

/* fn(ctx, item, lane): lane is 0 in the calling thread and 1..N-1 in the helpers, so that
 * each thread can use state of its own (a cipher context per lane). */
typedef void workers_fn(void *ctx, unsigned int item, unsigned int lane);

struct workers_job {
	workers_fn *fn;
	void *ctx;
};

struct workers;

struct workers_helper {
	struct workers *w;
	unsigned int lane;
	pthread_t thread;
};

/* Lives where it started (helpers hold its address) until workers_stop. */
struct workers {
	unsigned int lanes; /* threads, the caller's included; 1 = no helpers */
	struct workers_helper helper[WORKERS_MAX]; /* [0] unused: the caller is lane 0 */
	/* The batch being worked on, as one word so that claims and new batches never mix:
	 * generation (32 bits) | items (16) | next unclaimed item (16). */
	_Atomic uint64_t cursor;
	/* The batch's function, by generation's parity: a slot is written again only two
	 * batches later, when every claim on it has been done. */
	struct workers_job job[2];
	_Atomic unsigned int done;       /* items of the current batch finished */
	_Atomic uint32_t generation;     /* the futex helpers sleep on */
	_Atomic unsigned int sleepers;   /* helpers in futex_wait: no wake-up call without */
	_Atomic bool stop;
	_Atomic uint64_t helped;         /* items the helpers have done, for adit show */
	unsigned int started;            /* helper threads created */
};

/* Starts lanes - 1 helper threads. Returns 0, or a negative errno after saying why (no
 * thread is left running then). lanes must be 1..WORKERS_MAX. */
int workers_start(struct workers *w, unsigned int lanes);
/* Runs fn over items 0..items-1 and returns when all are done. Unless share (the items are
 * worth waking a helper for) and there are helpers, the caller does them alone, in order.
 * items must be < 65536. */
void workers_run(struct workers *w, workers_fn *fn, void *ctx, unsigned int items, bool share);
void workers_stop(struct workers *w);

#endif
