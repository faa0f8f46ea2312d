/*
 * reasons.h: how often each reason the scorer gives (struct seen_score's
 * why) occurs among the true and the false candidate pairs of a linkage
 * with ground truth: the m- and u-probabilities of each comparison
 * outcome, from which the hand-set weights of match/score.c are read
 * (bench_febrl -v prints them for FEBRL 4 and both generators).
 */
#ifndef SEEN_BENCH_REASONS_H
#define SEEN_BENCH_REASONS_H

#include <stddef.h>

#include "match/score.h"

#define BENCH_REASONS_MAX 96

struct bench_reasons {
    size_t n;
    char text[BENCH_REASONS_MAX][SEEN_WHY_LEN]; /* digits cut off */
    double m[BENCH_REASONS_MAX], u[BENCH_REASONS_MAX], r[BENCH_REASONS_MAX];
    double truep, falsep;   /* candidate pairs counted */
    double randp;           /* random pairs of two people counted */
};

/* What a counted pair is. */
enum bench_pair {
    BENCH_PAIR_FALSE = 0,   /* a candidate pair of two people */
    BENCH_PAIR_TRUE = 1,    /* a candidate pair of one person */
    BENCH_PAIR_RANDOM = 2,  /* two people drawn at random */
};

/**
 * bench_reasons_add(r, s, kind):
 * Count the reasons of score ${s} into ${r}, for a pair of ${kind}.
 * Reasons past BENCH_REASONS_MAX distinct ones are not counted.
 */
void bench_reasons_add(struct bench_reasons *r, const struct seen_score *s,
    enum bench_pair kind);

/**
 * bench_reasons_print(r, title):
 * Print under ${title} each reason of ${r}: its share of the true
 * candidate pairs (m), of the false ones (u|cand), of the random pairs of
 * two people (u), and log2(m/u).
 */
void bench_reasons_print(const struct bench_reasons *r, const char *title);

/**
 * bench_reasons_random(r, a, na, b, nb, apart, arg, n):
 * Score ${n} pairs of an entry of ${a} (${na}) and one of ${b} (${nb}),
 * drawn with a fixed generator, and count the reasons of those that
 * ${apart}(arg, i, j) says are two people.
 */
void bench_reasons_random(struct bench_reasons *r,
    const struct seen_score_side *a, size_t na,
    const struct seen_score_side *b, size_t nb,
    int (*apart)(void *, size_t, size_t), void *arg, size_t n);

/**
 * bench_score_print(a, b, label):
 * Print "${label} weight W: reasons" for the score of ${a} against ${b}.
 */
void bench_score_print(const struct seen_score_side *a,
    const struct seen_score_side *b, const char *label);

#endif /* !SEEN_BENCH_REASONS_H */
