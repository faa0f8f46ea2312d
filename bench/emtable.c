/*
 * emtable.c: the weights learnt by EM beside the truth's and the
 * scorer's (emtable.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench/emtable.h"
#include "match/em.h"

/* log2(m/u), or NAN when either is 0. */
static double
lr(double m, double u)
{

    return m > 0 && u > 0 ? log2(m / u) : NAN;
}

/**
 * bench_em_print(name, lv, weight, truth, n):
 * Fit the model to the ${n} pairs with levels ${lv} (first guess: the
 * scorer's ${weight}s, by band) and print, per comparison and level: the
 * pairs, EM's m, u and log2(m/u), the truth's (${truth}[i] 1 when pair i
 * is one person) and the scorer's weight; then lambda and the
 * iterations.  Returns 0, or -1 (said on stderr).
 */
int
bench_em_print(const char *name, const uint8_t (*lv)[SEEN_CMP_COUNT],
    const double *weight, const uint8_t *truth, size_t n)
{
    double tm[SEEN_CMP_COUNT][SEEN_LEVELS_MAX] = {{0}};
    double tu[SEEN_CMP_COUNT][SEEN_LEVELS_MAX] = {{0}};
    double sm[SEEN_CMP_COUNT] = {0}, su[SEEN_CMP_COUNT] = {0}, *first;
    struct seen_em em;
    unsigned int k, l;
    size_t i, ones = 0;

    if ((first = malloc((n + 1) * sizeof *first)) == NULL)
        return -1;
    for (i = 0; i < n; i++) {
        first[i] = weight[i] >= 10 ? 0.9 : weight[i] >= 5 ? 0.5 : 0.05;
        ones += truth[i];
        for (k = 0; k < SEEN_CMP_COUNT; k++)
            if (lv[i][k] != 0) {
                (truth[i] ? tm : tu)[k][lv[i][k]]++;
                (truth[i] ? sm : su)[k]++;
            }
    }
    if (seen_em_fit(lv, first, n, &em, NULL) != 0) {
        fprintf(stderr, "bench_febrl: EM: no pairs\n");
        free(first);
        return -1;
    }
    free(first);
    printf("  weights learnt by EM from the %zu candidate pairs, without "
           "labels (%s):\n",
        n, name);
    printf("    lambda %.4f (truth %.4f), %u iterations%s\n", em.lambda,
        (double)ones / (double)n, em.iterations,
        em.converged ? "" : " (not converged)");
    printf("    %-14s %-28s %7s %7s %8s %6s %7s %8s %6s %6s\n", "comparison",
        "level", "pairs", "EM m", "EM u", "EM w", "true m", "true u",
        "true w", "in use");
    for (k = 0; k < SEEN_CMP_COUNT; k++)
        for (l = 1; l < seen_score_levels(k); l++) {
            double m = sm[k] ? tm[k][l] / sm[k] : 0;
            double u = su[k] ? tu[k][l] / su[k] : 0;

            if (em.count[k][l] == 0)
                continue;
            printf("    %-14s %-28s %7zu %7.4f %8.5f %6.1f %7.4f %8.5f %6.1f "
                   "%6.1f\n",
                seen_cmp_name(k), seen_score_level_name(k, l),
                em.count[k][l], em.m[k][l], em.u[k][l],
                seen_em_weight(&em, k, l), m, u, lr(m, u),
                seen_score_level_weight(k, l));
        }
    return 0;
}
