#include <errno.h>
#include <stdlib.h>
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

/**
 * seen_clock_day_shift():
 * Return the days by which ${SEEN_TEST_DAY_SHIFT} shifts seen_clock_day():
 * a whole number from -36500 to 36500; 0 when it is unset or anything
 * else.
 */
int32_t
seen_clock_day_shift(void)
{
    const char *v = getenv(SEEN_CLOCK_DAY_SHIFT_ENV);
    char *end;
    long d;

    if (v == NULL || *v == '\0')
        return 0;
    errno = 0;
    d = strtol(v, &end, 10);
    if (errno != 0 || *end != '\0' || d < -36500 || d > 36500)
        return 0;
    return (int32_t)d;
}

/**
 * seen_clock_day():
 * Return today, by the wall clock in UTC, as days since 1970-01-01 (plus
 * seen_clock_day_shift()): the day that retention compares expiries with
 * (docs/protocol.md, "Retention").
 */
int32_t
seen_clock_day(void)
{

    return (int32_t)(seen_clock_wall() / 86400) + seen_clock_day_shift();
}
