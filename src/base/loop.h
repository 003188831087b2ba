/* The event loop: epoll over the data-path file descriptors, with SIGINT, SIGTERM and SIGHUP
 * taken through a signalfd so that a signal ends the loop between two batches, never inside. */
#ifndef ADIT_LOOP_H
#define ADIT_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct loop_watch {
	int fd;
	/* Called when fd is readable or has an error; a negative return ends the loop. */
	int (*ready)(void *ctx);
	void *ctx;
};

struct loop {
	int epfd;
	int sigfd;
	/* Called before each wait: does what is due and returns how long the loop may sleep
	 * in ms (-1: until an event). NULL: no timers. */
	int (*timeout)(void *ctx);
	void *timeout_ctx;
};

/* Both return 0, or a negative errno after saying what failed. */
int loop_init(struct loop *l);
int loop_add(struct loop *l, struct loop_watch *w);
/* What w waits for: room to write (out), or else something to read. */
void loop_watch_events(struct loop *l, struct loop_watch *w, bool out);
void loop_del(struct loop *l, struct loop_watch *w);
/* Runs until a signal arrives (returns its number) or a watch fails (returns its error). */
int loop_run(struct loop *l);
void loop_close(struct loop *l);

#endif
