/*
 * score.h: comparing two index entries field by field.
 *
 * Fellegi–Sunter style: each field rule that both entries carry adds its
 * agreement weight when their tokens agree and its disagreement weight
 * when they differ; the Dice coefficient of the name Bloom filters adds
 * evidence for similar names (a keyed epoch), or, where the entries have
 * no filter (an OPRF epoch), the names' one-edit neighbourhoods (rules
 * 52 and 53, match/tokens.h) tell names one letter apart.  Hard
 * contradictions (two different NHS numbers; a child and an adult) weigh
 * far below any match.  The sum gives a band and a plain-language
 * explanation.
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
    const uint8_t *bloom;     /* SEEN_BLOOM_BYTES, or NULL (an OPRF
                               * epoch's entry; all zero counts as NULL) */
    unsigned int birth_band;  /* IndexEntry.birth_band */
};

/*
 * The comparisons the scorer makes of two entries, and the outcome
 * (level) of each: level 0 is always "not compared" (either side lacks
 * the field); the others are listed by seen_score_level_name.  What the
 * weights report learns its m and u probabilities for (match/em.h).
 */
enum seen_cmp {
    SEEN_CMP_NHS,
    SEEN_CMP_PNC,
    SEEN_CMP_UPN,
    SEEN_CMP_DOB,
    SEEN_CMP_GIVEN,
    SEEN_CMP_FAMILY,
    SEEN_CMP_PLACE,
    SEEN_CMP_SEX,
    SEEN_CMP_COUNT
};

#define SEEN_LEVELS_MAX 10 /* levels of a comparison, 0 included */

struct seen_score {
    double weight;
    enum seen_band band;
    double dice;              /* -1 when either has no name filter, or
                               * an empty one */
    unsigned int against;     /* comparisons that counted against: an
                               * identifier, a date, a name, the place, sex
                               * or birth band known to differ */
    size_t nwhy;
    char why[SEEN_WHY_MAX][SEEN_WHY_LEN];
    uint8_t level[SEEN_CMP_COUNT]; /* each comparison's outcome */
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
 * seen_cmp_name(cmp):
 * Return the name of comparison ${cmp} ("nhs_number", "date_of_birth",
 * ...), or NULL past the last.
 */
const char *seen_cmp_name(unsigned int cmp);

/**
 * seen_score_levels(cmp):
 * Return the number of levels of comparison ${cmp} (0 included).
 */
unsigned int seen_score_levels(unsigned int cmp);

/**
 * seen_score_level_name(cmp, level):
 * Return the name of ${level} of comparison ${cmp} ("agrees", "a day
 * apart", ...), or NULL when there is none.
 */
const char *seen_score_level_name(unsigned int cmp, unsigned int level);

/**
 * seen_score_level_weight(cmp, level):
 * Return the weight the scorer adds for ${level} of comparison ${cmp}
 * when nothing else changes it (the names' overall similarity, a complete
 * change of name, a place or birth band that only counts in some cases
 * are not in it); 0 for level 0.
 */
double seen_score_level_weight(unsigned int cmp, unsigned int level);

/**
 * seen_band_name(band):
 * Return "match", "possible" or "no".
 */
const char *seen_band_name(enum seen_band band);

#endif /* !SEEN_SCORE_H */
