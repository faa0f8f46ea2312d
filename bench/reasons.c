/*
 * reasons.c: the reasons of the scorer among true and false candidate
 * pairs (reasons.h).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bench/reasons.h"

/**
 * bench_reasons_add(r, s, kind):
 * Count the reasons of score ${s} into ${r}, for a pair of ${kind}.
 * Reasons past BENCH_REASONS_MAX distinct ones are not counted.
 */
void
bench_reasons_add(struct bench_reasons *r, const struct seen_score *s,
    enum bench_pair kind)
{
    double *c = kind == BENCH_PAIR_TRUE ? r->m
        : kind == BENCH_PAIR_FALSE      ? r->u
                                        : r->r;
    char t[SEEN_WHY_LEN];
    size_t i, k;

    *(kind == BENCH_PAIR_TRUE ? &r->truep
        : kind == BENCH_PAIR_FALSE ? &r->falsep
                                   : &r->randp) += 1;
    for (i = 0; i < s->nwhy; i++) {
        snprintf(t, sizeof t, "%s", s->why[i]);
        t[strcspn(t, "0123456789")] = '\0';
        for (k = 0; k < r->n && strcmp(r->text[k], t) != 0; k++)
            ;
        if (k == r->n) {
            if (r->n == BENCH_REASONS_MAX)
                continue;
            snprintf(r->text[r->n++], SEEN_WHY_LEN, "%s", t);
        }
        c[k]++;
    }
}

/**
 * bench_reasons_print(r, title):
 * Print under ${title} each reason of ${r}: its share of the true
 * candidate pairs (m), of the false ones (u|cand), of the random pairs of
 * two people (u), and log2(m/u).
 */
void
bench_reasons_print(const struct bench_reasons *r, const char *title)
{
    double m, uc, u;
    size_t k;

    printf("  %s: %.0f true and %.0f false candidate pairs, %.0f random "
           "pairs of two people\n",
        title, r->truep, r->falsep, r->randp);
    printf("  %-48s %8s %8s %8s %7s\n", "reason", "m", "u|cand", "u",
        "log2m/u");
    for (k = 0; k < r->n; k++) {
        m = r->truep > 0 ? r->m[k] / r->truep : 0;
        uc = r->falsep > 0 ? r->u[k] / r->falsep : 0;
        u = r->randp > 0 ? r->r[k] / r->randp : 0;
        printf("  %-48s %8.5f %8.5f %8.6f %7.2f\n", r->text[k], m, uc, u,
            m > 0 && u > 0 ? log2(m / u) : (m > 0 ? INFINITY : -INFINITY));
    }
}

/**
 * bench_reasons_random(r, a, na, b, nb, apart, arg, n):
 * Score ${n} pairs of an entry of ${a} (${na}) and one of ${b} (${nb}),
 * drawn with a fixed generator, and count the reasons of those that
 * ${apart}(arg, i, j) says are two people.
 */
void
bench_reasons_random(struct bench_reasons *r,
    const struct seen_score_side *a, size_t na,
    const struct seen_score_side *b, size_t nb,
    int (*apart)(void *, size_t, size_t), void *arg, size_t n)
{
    struct seen_score s;
    uint64_t x = 0x9e3779b97f4a7c15u;
    size_t k, i, j;

    if (na == 0 || nb == 0)
        return;
    for (k = 0; k < n; k++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        i = (size_t)(x % na);
        j = (size_t)((x >> 32) % nb);
        if (!apart(arg, i, j))
            continue;
        seen_score_pair(&a[i], &b[j], &s);
        bench_reasons_add(r, &s, BENCH_PAIR_RANDOM);
    }
}

/**
 * bench_score_print(a, b, label):
 * Print "${label} weight W: reasons" for the score of ${a} against ${b}.
 */
void
bench_score_print(const struct seen_score_side *a,
    const struct seen_score_side *b, const char *label)
{
    struct seen_score s;
    size_t i;

    seen_score_pair(a, b, &s);
    printf("%s weight %.1f:", label, s.weight);
    for (i = 0; i < s.nwhy; i++)
        printf("%s %s", i ? ";" : "", s.why[i]);
    printf("\n");
}
