/*
 * febrl4.h: bench_febrl's FEBRL 4 mode.
 */
#ifndef SEEN_BENCH_FEBRL4_H
#define SEEN_BENCH_FEBRL4_H

/**
 * bench_febrl4(path_a, path_b, verbose):
 * Link FEBRL 4's ${path_a} (originals) and ${path_b} (duplicates) as
 * bench_febrl.c describes and print the figures (more when ${verbose}).
 * Returns 0, or 1 on failure (printed).
 */
int bench_febrl4(const char *path_a, const char *path_b, int verbose);

#endif /* !SEEN_BENCH_FEBRL4_H */
