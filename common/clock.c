#include <time.h>

#include "common/clock.h"

/**
 * seen_clock_mono():
 * Return seconds (with a fraction) on the monotonic clock, for measuring
 * intervals; its origin is arbitrary.
 */
double
seen_clock_mono(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/**
 * seen_clock_wall():
 * Return the wall-clock time in whole Unix seconds.
 */
uint64_t
seen_clock_wall(void)
{

    return (uint64_t)time(NULL);
}
