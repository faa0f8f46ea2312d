/*
 * em.h: the m and u probabilities of the scorer's comparisons, learnt
 * from candidate pairs without labels (Fellegi and Sunter's model, fitted
 * by expectation-maximisation as Winkler and Splink do).
 *
 * Each candidate pair is its comparisons' levels (struct seen_score's
 * `level`; 0: not compared).  The model: a pair is one person with
 * probability lambda; given that, each compared comparison shows level l
 * with probability m[k][l] (u[k][l] for two people), independently of the
 * others; a comparison not made says nothing.  From a first guess at
 * which pairs are one person (the weights in use), EM alternates: each
 * pair's probability of being one person under the current m, u and
 * lambda (E), then m, u and lambda as those probabilities count the pairs
 * (M), until no figure moves by more than SEEN_EM_TOLERANCE or
 * SEEN_EM_ITERATIONS have run.  Each count has half a pair added (so
 * that a level never seen among one kind of pair gets a small
 * probability, not zero).  log2(m/u) is the weight the data give a level;
 * the scorer's weights sit beside it (seen_score_level_weight).  Only
 * arithmetic in a fixed order: the same pairs give the same figures.
 */
#ifndef SEEN_EM_H
#define SEEN_EM_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"
#include "match/score.h"

#define SEEN_EM_ITERATIONS 200
#define SEEN_EM_TOLERANCE 1e-7

struct seen_em {
    double lambda;       /* share of the pairs that are one person */
    double m[SEEN_CMP_COUNT][SEEN_LEVELS_MAX]; /* P(level | one person),
                                                * over levels 1.. */
    double u[SEEN_CMP_COUNT][SEEN_LEVELS_MAX]; /* P(level | two people) */
    size_t count[SEEN_CMP_COUNT][SEEN_LEVELS_MAX]; /* pairs at the level */
    size_t n;            /* pairs */
    unsigned int iterations;
    int converged;       /* 1 when it stopped within the tolerance */
};

/**
 * seen_em_fit(lv, first, n, em, post):
 * Fit the model to the ${n} pairs whose levels are ${lv}[i], starting
 * from ${first}[i], each pair's first guessed probability of being one
 * person (in [0, 1]).  Writes the fit to ${em} and, unless ${post} is
 * NULL, each pair's final probability of being one person to ${post}[i].
 * Returns 0; SEEN_EINVAL when ${n} is 0 or a level is past its
 * comparison's last (nothing fitted).
 */
SEEN_MUST_CHECK int seen_em_fit(const uint8_t (*lv)[SEEN_CMP_COUNT],
    const double *first, size_t n, struct seen_em *em, double *post);

/**
 * seen_em_m_among(lv, post, keep, n, m, count):
 * The m probabilities of the pairs i with ${keep}[i] set, as the final
 * probabilities ${post} weigh them (one M step over a subset: the pairs of
 * one kind of agency, say), to ${m}, and how many of them show each level
 * to ${count}.  Returns the number of pairs kept.
 */
size_t seen_em_m_among(const uint8_t (*lv)[SEEN_CMP_COUNT], const double *post,
    const uint8_t *keep, size_t n, double m[SEEN_CMP_COUNT][SEEN_LEVELS_MAX],
    size_t count[SEEN_CMP_COUNT][SEEN_LEVELS_MAX]);

/**
 * seen_em_weight(em, cmp, level):
 * Return log2(m/u) of ${level} of comparison ${cmp}: the weight the data
 * give it (0 for level 0).
 */
double seen_em_weight(const struct seen_em *em, unsigned int cmp,
    unsigned int level);

#endif /* !SEEN_EM_H */
