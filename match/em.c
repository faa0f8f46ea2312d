/*
 * em.c: m and u probabilities learnt without labels (the model and the
 * fit are described in em.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "match/em.h"

#define PSEUDO 0.5 /* pairs added to every count */

/* The M step: lambda, m and u as ${p} (each pair's probability of being
 * one person) counts the pairs.  Returns the largest change of a figure. */
static double
m_step(const uint8_t (*lv)[SEEN_CMP_COUNT], const double *p, size_t n,
    struct seen_em *em)
{
    double cm[SEEN_CMP_COUNT][SEEN_LEVELS_MAX] = {{0}};
    double cu[SEEN_CMP_COUNT][SEEN_LEVELS_MAX] = {{0}};
    double sm, su, x, d, moved = 0, ones = 0;
    unsigned int k, l, nl;
    size_t i;

    for (i = 0; i < n; i++) {
        ones += p[i];
        for (k = 0; k < SEEN_CMP_COUNT; k++) {
            cm[k][lv[i][k]] += p[i];
            cu[k][lv[i][k]] += 1 - p[i];
        }
    }
    x = ones / (double)n;
    moved = fabs(x - em->lambda);
    em->lambda = x;
    for (k = 0; k < SEEN_CMP_COUNT; k++) {
        nl = seen_score_levels(k);
        for (l = 1, sm = su = 0; l < nl; l++) {
            sm += cm[k][l] + PSEUDO;
            su += cu[k][l] + PSEUDO;
        }
        for (l = 1; l < nl; l++) {
            x = (cm[k][l] + PSEUDO) / sm;
            if ((d = fabs(x - em->m[k][l])) > moved)
                moved = d;
            em->m[k][l] = x;
            x = (cu[k][l] + PSEUDO) / su;
            if ((d = fabs(x - em->u[k][l])) > moved)
                moved = d;
            em->u[k][l] = x;
        }
    }
    return moved;
}

/* The E step: each pair's probability of being one person. */
static void
e_step(const uint8_t (*lv)[SEEN_CMP_COUNT], size_t n, const struct seen_em *em,
    double *p)
{
    double lo, odds;
    unsigned int k, l;
    size_t i;

    lo = log(em->lambda) - log1p(-em->lambda);
    for (i = 0; i < n; i++) {
        for (k = 0, odds = lo; k < SEEN_CMP_COUNT; k++)
            if ((l = lv[i][k]) != 0)
                odds += log(em->m[k][l]) - log(em->u[k][l]);
        /* 1 / (1 + e^-odds), kept finite. */
        p[i] = odds > 700 ? 1 : odds < -700 ? 0 : 1 / (1 + exp(-odds));
    }
}

/**
 * seen_em_fit(lv, first, n, em, post):
 * Fit the model to the ${n} pairs whose levels are ${lv}[i], starting
 * from ${first}[i], each pair's first guessed probability of being one
 * person (in [0, 1]).  Writes the fit to ${em} and, unless ${post} is
 * NULL, each pair's final probability of being one person to ${post}[i].
 * Returns 0; SEEN_EINVAL when ${n} is 0 or a level is past its
 * comparison's last (nothing fitted).
 */
int
seen_em_fit(const uint8_t (*lv)[SEEN_CMP_COUNT], const double *first,
    size_t n, struct seen_em *em, double *post)
{
    double *p;
    unsigned int k;
    size_t i;

    if (n == 0)
        return SEEN_EINVAL;
    for (i = 0; i < n; i++)
        for (k = 0; k < SEEN_CMP_COUNT; k++)
            if (lv[i][k] >= seen_score_levels(k))
                return SEEN_EINVAL;
    if ((p = post) == NULL && (p = malloc(n * sizeof *p)) == NULL)
        return SEEN_ENOMEM;
    memset(em, 0, sizeof *em);
    em->n = n;
    for (i = 0; i < n; i++) {
        p[i] = first[i] < 0 ? 0 : first[i] > 1 ? 1 : first[i];
        for (k = 0; k < SEEN_CMP_COUNT; k++)
            em->count[k][lv[i][k]]++;
    }
    (void)m_step(lv, p, n, em);
    /* A lambda of 0 or 1 would stop the fit where it started. */
    if (em->lambda <= 0 || em->lambda >= 1)
        em->lambda = em->lambda <= 0 ? 1e-6 : 1 - 1e-6;
    while (em->iterations < SEEN_EM_ITERATIONS) {
        em->iterations++;
        e_step(lv, n, em, p);
        if (m_step(lv, p, n, em) < SEEN_EM_TOLERANCE) {
            em->converged = 1;
            break;
        }
        if (em->lambda <= 0 || em->lambda >= 1)
            break; /* every pair one way: nothing left to learn */
    }
    if (post == NULL)
        free(p);
    return 0;
}

/**
 * seen_em_m_among(lv, post, keep, n, m, count):
 * The m probabilities of the pairs i with ${keep}[i] set, as the final
 * probabilities ${post} weigh them (one M step over a subset: the pairs of
 * one kind of agency, say), to ${m}, and how many of them show each level
 * to ${count}.  Returns the number of pairs kept.
 */
size_t
seen_em_m_among(const uint8_t (*lv)[SEEN_CMP_COUNT], const double *post,
    const uint8_t *keep, size_t n, double m[SEEN_CMP_COUNT][SEEN_LEVELS_MAX],
    size_t count[SEEN_CMP_COUNT][SEEN_LEVELS_MAX])
{
    double cm[SEEN_CMP_COUNT][SEEN_LEVELS_MAX] = {{0}}, sm;
    unsigned int k, l, nl;
    size_t i, kept = 0;

    memset(count, 0, sizeof(size_t) * SEEN_CMP_COUNT * SEEN_LEVELS_MAX);
    for (i = 0; i < n; i++) {
        if (!keep[i])
            continue;
        kept++;
        for (k = 0; k < SEEN_CMP_COUNT; k++) {
            cm[k][lv[i][k]] += post[i];
            count[k][lv[i][k]]++;
        }
    }
    for (k = 0; k < SEEN_CMP_COUNT; k++) {
        nl = seen_score_levels(k);
        m[k][0] = 0;
        for (l = 1, sm = 0; l < nl; l++)
            sm += cm[k][l] + PSEUDO;
        for (l = 1; l < nl; l++)
            m[k][l] = (cm[k][l] + PSEUDO) / sm;
    }
    return kept;
}

/**
 * seen_em_weight(em, cmp, level):
 * Return log2(m/u) of ${level} of comparison ${cmp}: the weight the data
 * give it (0 for level 0).
 */
double
seen_em_weight(const struct seen_em *em, unsigned int cmp, unsigned int level)
{

    if (cmp >= SEEN_CMP_COUNT || level == 0 || level >= SEEN_LEVELS_MAX ||
        em->u[cmp][level] <= 0 || em->m[cmp][level] <= 0)
        return 0;
    return log2(em->m[cmp][level] / em->u[cmp][level]);
}
