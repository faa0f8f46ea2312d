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

#endif /* !SEEN_CLOCK_H */
