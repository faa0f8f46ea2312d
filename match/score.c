#include <stdio.h>
#include <string.h>

#include "match/score.h"
#include "match/tokens.h"

#define MATCH_AT 10.0
#define POSSIBLE_AT 5.0

/* Per-rule view of a sorted token list: [first, last) items of a rule. */
struct span {
    const uint8_t *p;
    size_t n;
};

static struct span
rule_span(const struct seen_score_side *s, unsigned int rule)
{
    struct span sp = {NULL, 0};
    size_t i;

    for (i = 0; i < s->ntokens; i++) {
        const uint8_t *t = s->tokens + i * SEEN_TOKEN_ITEM;

        if (t[0] < rule)
            continue;
        if (t[0] > rule)
            break;
        if (sp.p == NULL)
            sp.p = t;
        sp.n++;
    }
    return sp;
}

/* -1: either lacks the rule; 1: some token equal; 0: all differ. */
static int
agree(const struct seen_score_side *a, const struct seen_score_side *b,
    unsigned int rule)
{
    struct span x = rule_span(a, rule), y = rule_span(b, rule);
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

static void
why(struct seen_score *s, const char *text)
{

    if (s->nwhy < SEEN_WHY_MAX)
        snprintf(s->why[s->nwhy++], SEEN_WHY_LEN, "%s", text);
}

/**
 * seen_score_pair(a, b, out):
 * Compare ${a} and ${b} and write the weight, band and reasons to ${out}.
 */
void
seen_score_pair(const struct seen_score_side *a,
    const struct seen_score_side *b, struct seen_score *out)
{
    char buf[SEEN_WHY_LEN];
    double w = 0;
    int g, f, d;

    memset(out, 0, sizeof *out);
    out->dice = -1;

    switch (agree(a, b, SEEN_RULE_NHS)) {
    case 1:
        w += 12;
        why(out, "NHS number agrees");
        break;
    case 0:
        w -= 30;
        why(out, "NHS numbers differ");
        break;
    }
    switch (agree(a, b, SEEN_RULE_PNC)) {
    case 1:
        w += 10;
        why(out, "PNC id agrees");
        break;
    case 0:
        w -= 8;
        why(out, "PNC ids differ");
        break;
    }
    switch (agree(a, b, SEEN_RULE_UPN)) {
    case 1:
        w += 10;
        why(out, "UPN agrees");
        break;
    case 0:
        w -= 6;
        why(out, "UPNs differ");
        break;
    }

    d = agree(a, b, SEEN_RULE_F_DOB);
    if (d == 1) {
        w += 6;
        why(out, "date of birth agrees");
    } else if (d == 0) {
        if (agree(a, b, SEEN_RULE_F_MONTHDAY) == 1 &&
            agree(a, b, SEEN_RULE_F_YOB) == 1) {
            w += 3;
            why(out, "date of birth agrees with day and month swapped");
        } else if (agree(a, b, SEEN_RULE_F_YOB) == 1) {
            w -= 2;
            why(out, "date of birth differs in the same year");
        } else {
            w -= 6;
            why(out, "dates of birth differ");
        }
    } else if (agree(a, b, SEEN_RULE_F_DUE) == 1) {
        w += 5;
        why(out, "expected due date agrees");
    }

    g = agree(a, b, SEEN_RULE_F_GIVEN);
    f = agree(a, b, SEEN_RULE_F_FAMILY);
    if (g == 0 && f == 0 && agree(a, b, SEEN_RULE_SWAP_DOB) == 1) {
        /* Given and family names recorded the other way round. */
        w += 8;
        why(out, "given and family names swapped");
        g = f = 1;
    }
    if (g == 1 && agree(a, b, SEEN_RULE_F_GIVEN) == 1) {
        w += 4;
        why(out, "given name agrees");
    } else if (g == 0) {
        if (agree(a, b, SEEN_RULE_F_NICK) == 1) {
            w += 2.5;
            why(out, "given names are known variants");
        } else if (agree(a, b, SEEN_RULE_F_GIVEN_PHON) == 1) {
            w += 2;
            why(out, "given names sound alike");
        } else {
            /* Different given names are strong evidence of two people
             * (twins and siblings share everything else). */
            w -= 5;
            why(out, "given names differ");
        }
    }
    if (f == 1 && agree(a, b, SEEN_RULE_F_FAMILY) == 1) {
        w += 4;
        why(out, "family name agrees");
    } else if (f == 0) {
        if (agree(a, b, SEEN_RULE_F_FAMILY_PHON) == 1) {
            w += 2;
            why(out, "family names sound alike");
        } else if (agree(a, b, SEEN_RULE_VARIANT_DOB) == 1) {
            w += 2;
            why(out, "family name matches a former or part name");
        } else {
            w -= 1;
        }
    }
    if (a->bloom != NULL && b->bloom != NULL) {
        out->dice = seen_bloom_dice(a->bloom, b->bloom);
        if (out->dice > 0 && (g != 1 || f != 1)) {
            snprintf(buf, sizeof buf, "name similar %.2f", out->dice);
            if (out->dice >= 0.9)
                w += 3;
            else if (out->dice >= 0.75)
                w += 1.5;
            else if (out->dice < 0.5)
                w -= 3;
            if (out->dice >= 0.75)
                why(out, buf);
        }
    }
    if (agree(a, b, SEEN_RULE_F_POSTCODE) == 1) {
        w += 3;
        why(out, "postcode agrees");
    } else if (agree(a, b, SEEN_RULE_F_DISTRICT) == 1) {
        w += 1;
        why(out, "postcode district agrees");
    }
    if (agree(a, b, SEEN_RULE_F_SEX) == 0) {
        w -= 4;
        why(out, "sex differs");
    }
    if (a->birth_band >= 2 && b->birth_band >= 2 &&
        a->birth_band != b->birth_band && d != 1) {
        w -= 20;
        why(out, "a child and an adult");
    }
    out->weight = w;
    out->band = w >= MATCH_AT      ? SEEN_BAND_MATCH
                : w >= POSSIBLE_AT ? SEEN_BAND_POSSIBLE
                                   : SEEN_BAND_NO;
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
