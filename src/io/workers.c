#include <errno.h>
#include <linux/futex.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/log.h"
#include "io/workers.h"

/* How long a helper keeps looking for the next batch before it sleeps: during a stream
 * batches come every few tens of microseconds, and a futex wake-up costs about as much. */
#define SPIN_ROUNDS 2000

#define CURSOR(gen, items, next) ((uint64_t)(gen) << 32 | (uint64_t)(items) << 16 | (next))
#define CURSOR_GEN(c) ((uint32_t)((c) >> 32))
#define CURSOR_ITEMS(c) ((unsigned int)((c) >> 16) & 0xffff)
#define CURSOR_NEXT(c) ((unsigned int)(c) & 0xffff)

static void relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

static void futex_wait(_Atomic uint32_t *word, uint32_t seen)
{
	syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, seen, NULL, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *word, int count)
{
	syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, count, NULL, NULL, 0);
}

/* Takes the next item of the current batch, if one is left; its generation says which job
 * slot holds the function. The slot cannot change while the claim is outstanding. */
static bool claim(struct workers *w, unsigned int *item, uint32_t *gen)
{
	uint64_t c = atomic_load_explicit(&w->cursor, memory_order_acquire);

	while (CURSOR_NEXT(c) < CURSOR_ITEMS(c)) {
		if (atomic_compare_exchange_weak_explicit(&w->cursor, &c, c + 1,
							  memory_order_acq_rel,
							  memory_order_acquire)) {
			*item = CURSOR_NEXT(c);
			*gen = CURSOR_GEN(c);
			return true;
		}
	}
	return false;
}

static void work(struct workers *w, unsigned int lane)
{
	unsigned int item, did = 0;
	uint32_t gen;

	while (claim(w, &item, &gen)) {
		const struct workers_job *job = &w->job[gen & 1];

		job->fn(job->ctx, item, lane);
		atomic_fetch_add_explicit(&w->done, 1, memory_order_release);
		did++;
	}
	if (lane && did)
		atomic_fetch_add_explicit(&w->helped, did, memory_order_relaxed);
}

static bool claimable(struct workers *w)
{
	uint64_t c = atomic_load_explicit(&w->cursor, memory_order_acquire);

	return CURSOR_NEXT(c) < CURSOR_ITEMS(c);
}

static void *helper_main(void *arg)
{
	const struct workers_helper *a = arg;
	struct workers *w = a->w;
	uint32_t seen;

	while (!atomic_load(&w->stop)) {
		work(w, a->lane);
		seen = atomic_load(&w->generation);
		for (int i = 0; i < SPIN_ROUNDS && !claimable(w) && !atomic_load(&w->stop); i++)
			relax();
		if (claimable(w))
			continue;
		/* The caller bumps generation after publishing a batch and then looks for
		 * sleepers; we count ourselves and look at generation again, so one of the two
		 * sees the other. */
		atomic_fetch_add(&w->sleepers, 1);
		if (atomic_load(&w->generation) == seen && !atomic_load(&w->stop))
			futex_wait(&w->generation, seen);
		atomic_fetch_sub(&w->sleepers, 1);
	}
	return NULL;
}

int workers_start(struct workers *w, unsigned int lanes)
{
	sigset_t all, old;
	int err = 0;

	memset(w, 0, sizeof(*w));
	w->lanes = 1;
	if (lanes < 1 || lanes > WORKERS_MAX) {
		log_error("--threads %u: give 1 to %d", lanes, WORKERS_MAX);
		return -EINVAL;
	}
	/* Signals are the event loop's (a signalfd in the calling thread): helpers take none. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (unsigned int lane = 1; lane < lanes && !err; lane++) {
		w->helper[lane].w = w;
		w->helper[lane].lane = lane;
		err = pthread_create(&w->helper[lane].thread, NULL, helper_main, &w->helper[lane]);
		if (!err)
			w->started = lane;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		log_error("cannot start crypto thread %u of %u: %s", w->started + 1, lanes,
			  strerror(err));
		workers_stop(w);
		return -err;
	}
	w->lanes = lanes;
	return 0;
}

void workers_run(struct workers *w, workers_fn *fn, void *ctx, unsigned int items, bool share)
{
	uint32_t gen;

	if (w->lanes < 2 || !share || items < 2) {
		for (unsigned int i = 0; i < items; i++)
			fn(ctx, i, 0);
		return;
	}
	gen = atomic_load_explicit(&w->generation, memory_order_relaxed) + 1;
	w->job[gen & 1] = (struct workers_job){ fn, ctx };
	atomic_store_explicit(&w->done, 0, memory_order_relaxed);
	atomic_store_explicit(&w->cursor, CURSOR(gen, items, 0), memory_order_release);
	atomic_store(&w->generation, gen);
	if (atomic_load(&w->sleepers))
		futex_wake(&w->generation, (int)w->lanes - 1);
	work(w, 0);
	/* Only items a helper has already begun are left: each is one packet's crypto. */
	while (atomic_load_explicit(&w->done, memory_order_acquire) < items)
		relax();
}

void workers_stop(struct workers *w)
{
	atomic_store(&w->stop, true);
	atomic_fetch_add(&w->generation, 1);
	futex_wake(&w->generation, WORKERS_MAX);
	for (unsigned int lane = 1; lane <= w->started; lane++)
		pthread_join(w->helper[lane].thread, NULL);
	w->started = 0;
	w->lanes = 1;
}
