/* The clock of wg mode's protocol: monotonic milliseconds. In a file of its own, so that a
 * test that owns time (unit/test_timers, linked with --wrap=clock_now) sees every call. */
#ifndef ADIT_WG_CLOCK_H
#define ADIT_WG_CLOCK_H

#include <stdint.h>

uint64_t clock_now(void);

#endif
