/*
 * clock.h: the two clocks a node reads: a monotonic one for intervals and
 * timeouts (never jumps), and the wall clock for what is signed, logged
 * and compared with other nodes.
 */
#ifndef SEEN_CLOCK_H
#define SEEN_CLOCK_H

#include <stdint.h>

/**
 * seen_clock_mono():
 * Return seconds (with a fraction) on the monotonic clock, for measuring
 * intervals; its origin is arbitrary.
 */
double seen_clock_mono(void);

/**
 * seen_clock_wall():
 * Return the wall-clock time in whole Unix seconds.
 */
uint64_t seen_clock_wall(void);

/* The environment variable that shifts seen_clock_day() by a number of
 * days: for tests of retention only (a node says so when it starts). */
#define SEEN_CLOCK_DAY_SHIFT_ENV "SEEN_TEST_DAY_SHIFT"

/**
 * seen_clock_day_shift():
 * Return the days by which ${SEEN_TEST_DAY_SHIFT} shifts seen_clock_day():
 * a whole number from -36500 to 36500; 0 when it is unset or anything
 * else.
 */
int32_t seen_clock_day_shift(void);

/**
 * seen_clock_day():
 * Return today, by the wall clock in UTC, as days since 1970-01-01 (plus
 * seen_clock_day_shift()): the day that retention compares expiries with
 * (docs/protocol.md, "Retention").
 */
int32_t seen_clock_day(void);

#endif /* !SEEN_CLOCK_H */
