#include <time.h>

#include "base/clock.h"

uint64_t clock_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void clock_wall(struct timespec *ts)
{
	clock_gettime(CLOCK_REALTIME, ts);
}
