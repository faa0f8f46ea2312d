/*
 * emtable.h: the weights learnt by EM (match/em.h) from a linkage's
 * candidate pairs, without their labels, beside the m and u that the
 * ground truth gives the same pairs and the weights the scorer uses: how
 * close an unlabelled fit comes to the truth (bench_febrl prints it for
 * FEBRL 4 and both generators).
 */
#ifndef SEEN_BENCH_EMTABLE_H
#define SEEN_BENCH_EMTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "match/score.h"

/**
 * bench_em_print(name, lv, weight, truth, n):
 * Fit the model to the ${n} pairs with levels ${lv} (first guess: the
 * scorer's ${weight}s, by band) and print, per comparison and level: the
 * pairs, EM's m, u and log2(m/u), the truth's (${truth}[i] 1 when pair i
 * is one person) and the scorer's weight; then lambda and the
 * iterations.  Returns 0, or -1 (said on stderr).
 */
int bench_em_print(const char *name, const uint8_t (*lv)[SEEN_CMP_COUNT],
    const double *weight, const uint8_t *truth, size_t n);

#endif /* !SEEN_BENCH_EMTABLE_H */
