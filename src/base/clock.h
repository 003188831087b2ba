/* The clocks: monotonic milliseconds (timers, rate limits, ages), and the wall clock a wg
 * handshake initiation carries. In a file of their own, so that a test or fuzzer that owns
 * time (linked with --wrap=clock_now, --wrap=clock_wall) sees every call. */
#ifndef ADIT_CLOCK_H
#define ADIT_CLOCK_H

#include <stdint.h>
#include <time.h>

uint64_t clock_now(void);
/* CLOCK_REALTIME. */
void clock_wall(struct timespec *ts);

#endif
