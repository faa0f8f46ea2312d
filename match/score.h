/*
 * score.h: comparing two index entries field by field.
 *
 * Fellegi–Sunter style: each field rule that both entries carry adds its
 * agreement weight when their tokens agree and its disagreement weight
 * when they differ; the Dice coefficient of the name Bloom filters adds
 * evidence for similar names.  Hard contradictions (two different NHS
 * numbers; a child and an adult) weigh far below any match.  The sum
 * gives a band and a plain-language explanation.
 */
#ifndef SEEN_SCORE_H
#define SEEN_SCORE_H

#include <stddef.h>
#include <stdint.h>

#define SEEN_WHY_MAX 12
#define SEEN_WHY_LEN 64

enum seen_band {
    SEEN_BAND_NO = 0,
    SEEN_BAND_POSSIBLE = 1,
    SEEN_BAND_MATCH = 2,
};

/* What the scorer needs of one entry (all borrowed). */
struct seen_score_side {
    const uint8_t *tokens;    /* sorted 17-byte items */
    size_t ntokens;           /* items */
    const uint8_t *bloom;     /* SEEN_BLOOM_BYTES, or NULL */
    unsigned int birth_band;  /* IndexEntry.birth_band */
};

struct seen_score {
    double weight;
    enum seen_band band;
    double dice;              /* -1 when either has no name filter */
    unsigned int against;     /* comparisons that counted against: an
                               * identifier, a date, a name, the place, sex
                               * or birth band known to differ */
    size_t nwhy;
    char why[SEEN_WHY_MAX][SEEN_WHY_LEN];
};

/**
 * seen_score_pair(a, b, out):
 * Compare ${a} and ${b} and write the weight, band and reasons to ${out}.
 */
void seen_score_pair(const struct seen_score_side *a,
    const struct seen_score_side *b, struct seen_score *out);

/**
 * seen_score_weight(a, b, band):
 * Return the weight seen_score_pair would give ${a} against ${b}, and
 * write its band to *${band}; no reasons are made (for the matcher and the
 * clusterer, which compare many pairs and keep only the weight).
 */
double seen_score_weight(const struct seen_score_side *a,
    const struct seen_score_side *b, enum seen_band *band);

/**
 * seen_band_name(band):
 * Return "match", "possible" or "no".
 */
const char *seen_band_name(enum seen_band band);

#endif /* !SEEN_SCORE_H */
