/*
 * benchutil.h: what the benchmarks share: clocks, reading a file, and
 * running seen-synth for their records.
 */
#ifndef SEEN_BENCHUTIL_H
#define SEEN_BENCHUTIL_H

#include <stddef.h>

/**
 * bench_now():
 * Return the monotonic clock in seconds.
 */
double bench_now(void);

/**
 * bench_cpu():
 * Return the CPU seconds this process has used (the machine may be
 * shared).
 */
double bench_cpu(void);

/**
 * bench_slurp(path, len):
 * Return the whole of file ${path} (malloc'd, NUL-terminated; its size to
 * *${len} unless ${len} is NULL), or NULL.
 */
char *bench_slurp(const char *path, size_t *len);

/**
 * bench_synth(args, dir):
 * Run the seen-synth beside this binary with ${args} and --out ${dir},
 * its summary not shown.  Returns 0, or -1 (said on stderr).
 */
int bench_synth(const char *args, const char *dir);

#endif /* !SEEN_BENCHUTIL_H */
