#include <stdio.h>
#include <string.h>

#include "match/score.h"
#include "match/tokens.h"

#define MATCH_AT 10.0
#define POSSIBLE_AT 5.0

/* Names whose bigrams differ by at most this many (counting both sides)
 * are one letter apart: a changed letter changes two bigrams on each side,
 * four in all; an added or dropped one, three (MIA and AVA differ by six;
 * names one letter apart, MIA and MYA, cannot be told from a typo). */
#define NEAR_BIGRAMS 4.5

/* Per-rule view of a sorted token list: [first, last) items of a rule. */
struct span {
    const uint8_t *p;
    size_t n;
};

/*
 * Every rule's span of one side, found in one pass over its tokens.  The
 * tokens are sorted (feedcheck.c refuses an entry whose are not), so a
 * rule's items are contiguous; were they not, a rule's span would still be
 * what a scan for that rule alone finds: its items before the first item
 * of a higher rule, counted from the first of them.
 */
struct spans {
    struct span r[SEEN_RULE_MAX + 1];
};

static void
spans_of(const struct seen_score_side *s, struct spans *sp)
{
    const uint8_t *t;
    unsigned int top = 0;
    size_t i;

    memset(sp, 0, sizeof *sp);
    for (i = 0; i < s->ntokens; i++) {
        t = s->tokens + i * SEEN_TOKEN_ITEM;
        if (t[0] >= top && t[0] <= SEEN_RULE_MAX) {
            if (sp->r[t[0]].p == NULL)
                sp->r[t[0]].p = t;
            sp->r[t[0]].n++;
        }
        if (t[0] > top)
            top = t[0];
    }
}

/* -1: either lacks the rule; 1: some token equal; 0: all differ. */
static int
agree(const struct spans *a, const struct spans *b, unsigned int rule)
{
    struct span x = a->r[rule], y = b->r[rule];
    size_t i, j;

    if (x.n == 0 || y.n == 0)
        return -1;
    for (i = 0; i < x.n; i++)
        for (j = 0; j < y.n; j++)
            if (memcmp(x.p + i * SEEN_TOKEN_ITEM, y.p + j * SEEN_TOKEN_ITEM,
                    SEEN_TOKEN_ITEM) == 0)
                return 1;
    return 0;
}

/*
 * Compare two name filters: write their Dice coefficient to ${dice} (0
 * when both are empty) and to ${diff} an estimate of the number of bigrams
 * in one name and not the other.  Each such bigram sets SEEN_BLOOM_K bits,
 * of which about the fill ratio were set already, so the bits set in just
 * one filter, divided by SEEN_BLOOM_K times the share of bits still clear,
 * count them.  Only exact arithmetic on integers and one division, so
 * every node gets the same figure.
 */
static void
bloom_compare(const uint8_t *a, const uint8_t *b, double *dice, double *diff)
{
    uint64_t x, y;
    unsigned int both = 0, na = 0, nb = 0, clear;
    size_t i;

    for (i = 0; i < SEEN_BLOOM_BYTES; i += 8) {
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        both += (unsigned int)__builtin_popcountll(x & y);
        na += (unsigned int)__builtin_popcountll(x);
        nb += (unsigned int)__builtin_popcountll(y);
    }
    *dice = na + nb == 0 ? 0.0 : 2.0 * both / (na + nb);
    clear = 2 * SEEN_BLOOM_BYTES * 8 - (na + nb);
    *diff = clear == 0 ? 1e9
                       : (double)(na + nb - 2 * both) * 2 * SEEN_BLOOM_BYTES *
            8 / ((double)SEEN_BLOOM_K * clear);
}

/* 1 when ${s} carries a token of ${rule}. */
static int
has(const struct spans *s, unsigned int rule)
{

    return s->r[rule].n > 0;
}

/* Add reason ${text} to ${s}, unless ${s} is NULL (no reasons wanted). */
static void
why(struct seen_score *s, const char *text)
{

    if (s != NULL && s->nwhy < SEEN_WHY_MAX)
        snprintf(s->why[s->nwhy++], SEEN_WHY_LEN, "%s", text);
}

/*
 * The weight of ${a} against ${b}; the Dice coefficient of their name
 * filters to *${dice} (untouched when either has none); the reasons to
 * ${ex} unless it is NULL.  The one scorer behind seen_score_pair and
 * seen_score_weight, so that both give the same weight.
 */
static double
score(const struct seen_score_side *a, const struct seen_score_side *b,
    double *dice, struct seen_score *ex)
{
    struct spans sa, sb;
    char buf[SEEN_WHY_LEN];
    double w = 0, nw = 0, diff = 0;
    int g, f, d, idagree = 0, have_bloom = 0, near_g = 0, near_f = 0;
    int given_differ = 0;

    spans_of(a, &sa);
    spans_of(b, &sb);
    switch (agree(&sa, &sb, SEEN_RULE_NHS)) {
    case 1:
        w += 12;
        idagree = 1;
        why(ex, "NHS number agrees");
        break;
    case 0:
        w -= 30;
        why(ex, "NHS numbers differ");
        break;
    }
    switch (agree(&sa, &sb, SEEN_RULE_PNC)) {
    case 1:
        w += 10;
        idagree = 1;
        why(ex, "PNC id agrees");
        break;
    case 0:
        w -= 8;
        why(ex, "PNC ids differ");
        break;
    }
    switch (agree(&sa, &sb, SEEN_RULE_UPN)) {
    case 1:
        w += 10;
        idagree = 1;
        why(ex, "UPN agrees");
        break;
    case 0:
        /* A pupil may be known by a temporary UPN at one school and a
         * permanent one at the next: weaker than other identifiers. */
        w -= 4;
        why(ex, "UPNs differ");
        break;
    }

    d = agree(&sa, &sb, SEEN_RULE_F_DOB);
    if (d == 1) {
        w += 7;
        why(ex, "date of birth agrees");
    } else if (d == 0) {
        if (agree(&sa, &sb, SEEN_RULE_F_MONTHDAY) == 1 &&
            agree(&sa, &sb, SEEN_RULE_F_YOB) == 1) {
            w += 3;
            why(ex, "date of birth agrees with day and month swapped");
        } else if (agree(&sa, &sb, SEEN_RULE_F_YOB) == 1) {
            w -= 2;
            why(ex, "date of birth differs in the same year");
        } else {
            w -= 6;
            why(ex, "dates of birth differ");
        }
    } else if (agree(&sa, &sb, SEEN_RULE_F_DUE) == 1) {
        w += 5;
        why(ex, "expected due date agrees");
    }

    /* The name filters: Dice, and how many bigrams the two names differ
     * by (estimated from the bits set in one filter and not the other). */
    if (a->bloom != NULL && b->bloom != NULL) {
        bloom_compare(a->bloom, b->bloom, dice, &diff);
        have_bloom = 1;
    }

    g = agree(&sa, &sb, SEEN_RULE_F_GIVEN);
    f = agree(&sa, &sb, SEEN_RULE_F_FAMILY);
    if (g == 0 && f == 0 && agree(&sa, &sb, SEEN_RULE_SWAP_DOB) == 1) {
        /* Given and family names recorded the other way round. */
        nw += 8;
        why(ex, "given and family names swapped");
        g = f = 1;
    } else if (g == 0 && f == 0 && have_bloom && diff <= NEAR_BIGRAMS) {
        /* Both differ, yet the whole names have the same bigrams (the
         * filters are equal: swapped, with no date of birth to show it)
         * or nearly (swapped, and a letter misspelt). */
        if (diff == 0) {
            nw += 8;
            why(ex, "given and family names swapped");
        } else {
            nw += 6;
            why(ex, "given and family names swapped (misspelt)");
        }
        g = f = 1;
    } else if (g == 0 && f == 0 && agree(&sa, &sb, SEEN_RULE_F_NAME) == 1) {
        /* One's given name is the other's family name, and the other
         * names differ: one name agrees, recorded in the other field. */
        nw += 4;
        why(ex, "a name agrees, recorded in the other field");
        g = -1;
    }
    /* A name that differs by one letter: the filters tell how much of
     * the whole name differs; when the other name agrees, all of it is in
     * this one (when both differ, each may hold half). */
    if (have_bloom && g == 0 && f == 1)
        near_g = diff <= NEAR_BIGRAMS;
    else if (have_bloom && g == 1 && f == 0)
        near_f = diff <= NEAR_BIGRAMS;
    else if (have_bloom && g == 0 && f == 0)
        near_g = near_f = diff <= 2 * NEAR_BIGRAMS;
    if (g == 1 && agree(&sa, &sb, SEEN_RULE_F_GIVEN) == 1) {
        /* A common name agreeing says less (a higher u-probability). */
        if (has(&sa, SEEN_RULE_F_GIVEN_VCOMMON) &&
            has(&sb, SEEN_RULE_F_GIVEN_VCOMMON)) {
            nw += 2;
            why(ex, "given name agrees (a very common one)");
        } else if (has(&sa, SEEN_RULE_F_GIVEN_COMMON) &&
            has(&sb, SEEN_RULE_F_GIVEN_COMMON)) {
            nw += 3;
            why(ex, "given name agrees (a common one)");
        } else {
            nw += 4;
            why(ex, "given name agrees");
        }
    } else if (g == 0) {
        if (agree(&sa, &sb, SEEN_RULE_F_NICK) == 1) {
            nw += 2.5;
            why(ex, "given names are known variants");
        } else if (agree(&sa, &sb, SEEN_RULE_F_GIVEN_PHON) == 1) {
            nw += 2;
            why(ex, "given names sound alike");
        } else if (near_g) {
            nw += 2;
            why(ex, "given names differ by one letter");
        } else {
            /* Different given names are strong evidence of two people
             * (twins and siblings share everything else). */
            nw -= 5;
            why(ex, "given names differ");
            given_differ = 1;
        }
    }
    if (f == 1 && agree(&sa, &sb, SEEN_RULE_F_FAMILY) == 1) {
        if (has(&sa, SEEN_RULE_F_FAMILY_VCOMMON) &&
            has(&sb, SEEN_RULE_F_FAMILY_VCOMMON)) {
            nw += 2;
            why(ex, "family name agrees (a very common one)");
        } else if (has(&sa, SEEN_RULE_F_FAMILY_COMMON) &&
            has(&sb, SEEN_RULE_F_FAMILY_COMMON)) {
            nw += 3;
            why(ex, "family name agrees (a common one)");
        } else {
            nw += 4;
            why(ex, "family name agrees");
        }
    } else if (f == 0) {
        if (agree(&sa, &sb, SEEN_RULE_F_FAMILY_PHON) == 1) {
            nw += 2;
            why(ex, "family names sound alike");
        } else if (agree(&sa, &sb, SEEN_RULE_VARIANT_DOB) == 1) {
            nw += 2;
            why(ex, "family name matches a former or part name");
        } else if (near_f) {
            nw += 2;
            why(ex, "family names differ by one letter");
        } else {
            nw -= 2;
        }
    }
    if (have_bloom && g != -1 && f != -1 && (g != 1 || f != 1) && *dice > 0) {
        /* Only when both sides have both names (otherwise the filters
         * hold different parts of a name), and no bonus once the given
         * names are known to differ: then a high Dice only says that the
         * shared family name is long (twins with a long family name). */
        if (ex != NULL)
            snprintf(buf, sizeof buf, "name similar %.2f", *dice);
        if (*dice >= 0.9 && !given_differ)
            nw += 3;
        else if (*dice >= 0.75 && !given_differ)
            nw += 1.5;
        else if (*dice < 0.5)
            nw -= 3;
        if (*dice >= 0.75 && !given_differ)
            why(ex, buf);
    }
    if (nw < 0 && idagree && d == 1 && g == 0 && f == 0) {
        /* An identifier with a check digit and the date of birth agree:
         * a complete change of name (an alias, a new family) does not
         * make two people. */
        nw = 0;
        why(ex, "names differ entirely");
    }
    w += nw;
    if (agree(&sa, &sb, SEEN_RULE_F_POSTCODE) == 1) {
        w += 3;
        why(ex, "postcode agrees");
    } else if (agree(&sa, &sb, SEEN_RULE_F_DISTRICT) == 1) {
        w += 1;
        why(ex, "postcode district agrees");
    } else if (agree(&sa, &sb, SEEN_RULE_F_DISTRICT) == 0 && !idagree) {
        /* Different places: people move, but with nothing else to go on
         * two namesakes born the same day are not one person. */
        w -= 2;
        why(ex, "postcodes in different districts");
    }
    if (agree(&sa, &sb, SEEN_RULE_F_SEX) == 0) {
        w -= 4;
        why(ex, "sex differs");
    }
    if (a->birth_band >= 2 && b->birth_band >= 2 &&
        a->birth_band != b->birth_band && d != 1) {
        w -= 20;
        why(ex, "a child and an adult");
    }
    return w;
}

static enum seen_band
band_of(double w)
{

    return w >= MATCH_AT      ? SEEN_BAND_MATCH
           : w >= POSSIBLE_AT ? SEEN_BAND_POSSIBLE
                              : SEEN_BAND_NO;
}

/**
 * seen_score_pair(a, b, out):
 * Compare ${a} and ${b} and write the weight, band and reasons to ${out}.
 */
void
seen_score_pair(const struct seen_score_side *a,
    const struct seen_score_side *b, struct seen_score *out)
{

    memset(out, 0, sizeof *out);
    out->dice = -1;
    out->weight = score(a, b, &out->dice, out);
    out->band = band_of(out->weight);
}

/**
 * seen_score_weight(a, b, band):
 * Return the weight seen_score_pair would give ${a} against ${b}, and
 * write its band to *${band}; no reasons are made (for the matcher and the
 * clusterer, which compare many pairs and keep only the weight).
 */
double
seen_score_weight(const struct seen_score_side *a,
    const struct seen_score_side *b, enum seen_band *band)
{
    double dice = -1, w;

    w = score(a, b, &dice, NULL);
    *band = band_of(w);
    return w;
}

/**
 * seen_band_name(band):
 * Return "match", "possible" or "no".
 */
const char *
seen_band_name(enum seen_band band)
{

    switch (band) {
    case SEEN_BAND_MATCH:
        return "match";
    case SEEN_BAND_POSSIBLE:
        return "possible";
    default:
        return "no";
    }
}
