#include <stdio.h>
#include <string.h>

#include "match/anchored.h"
#include "match/score.h"
#include "match/tokens.h"

#define MATCH_AT 10.0
#define POSSIBLE_AT 5.0

/* Names whose bigrams differ by at most this many (counting both sides)
 * are one letter apart: a changed letter changes two bigrams on each side,
 * four in all; an added or dropped one, three (MIA and AVA differ by six;
 * names one letter apart, MIA and MYA, cannot be told from a typo). */
#define NEAR_BIGRAMS 4.5

/* An OPRF epoch: the names, where they differ, one edit apart. */
#define NEAR_NAMES_W 3.0

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
    int slots; /* it carries slot vectors (match/anchored.h) */
};

/* Find every rule's span of side ${s} to ${sp}. */
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
        if (t[0] >= SEEN_SLOT_RULE_BASE)
            sp->slots = 1;
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
 * every node gets the same figure.  Returns 0, writing nothing, when a
 * filter is empty (no bit set): a name-less entry of a keyed epoch,
 * where none of the filters' evidence applies anyway, or an entry of an
 * OPRF epoch that carries one by mistake, whose names must not all look
 * "one letter apart"; else 1.
 */
static int
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
    if (na == 0 || nb == 0)
        return 0;
    *dice = na + nb == 0 ? 0.0 : 2.0 * both / (na + nb);
    clear = 2 * SEEN_BLOOM_BYTES * 8 - (na + nb);
    *diff = clear == 0 ? 1e9
                       : (double)(na + nb - 2 * both) * 2 * SEEN_BLOOM_BYTES *
            8 / ((double)SEEN_BLOOM_K * clear);
    return 1;
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
 * One comparison, as the steps of score() see it: both sides and their
 * spans, where the reasons go, and what the earlier steps found.
 */
struct cmp {
    const struct seen_score_side *a, *b;
    struct spans sa, sb;
    struct seen_score *ex;  /* the reasons, or NULL */
    double *dice;           /* the Dice coefficient of the name filters */
    double diff;            /* bigrams the names differ by (estimated) */
    int have_bloom;         /* both sides have a name filter */
    int have_near;          /* no filter, but both sides carry the names'
                               one-edit neighbourhoods (an OPRF epoch) */
    int idagree;            /* an identifier agrees */
    int d;                  /* agree() of the dates of birth */
    int g, f;               /* of the given and family names, as the
                               name swaps leave them (g -1: one name
                               agrees, recorded in the other field) */
    int given_differ;       /* the given names are known to differ */
    struct anch *an;        /* the anchored encoding's, or NULL */
    unsigned int against;   /* comparisons that counted against */
    uint8_t lv[SEEN_CMP_COUNT]; /* each comparison's level */
};

/*
 * A pair of the anchored encoding (match/anchored.h): both sides' slots,
 * which they share, and what each rule asked of them came to (worked out
 * when first asked: a pair is asked about a score of rules, of 64).
 */
struct anch {
    struct seen_slot_view v[2];
    unsigned int shared;                /* bit per slot */
    int8_t ag[SEEN_RULE_MAX + 1];       /* ANCH_UNSET, or agree()'s */
    int8_t own[2][SEEN_RULE_MAX + 1];   /* ANCH_UNSET, or 0 or 1 */
};
#define ANCH_UNSET 9

static int slot_rule(unsigned int rule);
static int anch_agree(struct anch *an, unsigned int rule);
static int slot_own(const struct seen_slot_view *v, unsigned int rule);

/* agree() of ${rule} on the two sides of ${c}. */
static int
cmp_agree(const struct cmp *c, unsigned int rule)
{

    if (c->an != NULL && slot_rule(rule))
        return anch_agree(c->an, rule);
    return agree(&c->sa, &c->sb, rule);
}

/* 1 when side ${side} (0: a, 1: b) of ${c} holds ${rule}'s field. */
static int
cmp_has(const struct cmp *c, int side, unsigned int rule)
{
    struct anch *an = c->an;

    if (an == NULL || !slot_rule(rule))
        return has(side == 0 ? &c->sa : &c->sb, rule);
    if (an->own[side][rule] == ANCH_UNSET)
        an->own[side][rule] = (int8_t)slot_own(&an->v[side], rule);
    return an->own[side][rule];
}

/* The rules the anchored encoding carries in slot vectors. */
static int
slot_rule(unsigned int rule)
{

    return (rule >= SEEN_RULE_FIELD_BASE && rule <= SEEN_RULE_F_FAMILY_NEAR &&
               rule != SEEN_RULE_F_GIVEN_COMMON &&
               rule != SEEN_RULE_F_GIVEN_VCOMMON &&
               rule != SEEN_RULE_F_FAMILY_COMMON &&
               rule != SEEN_RULE_F_FAMILY_VCOMMON) ||
           rule == SEEN_RULE_FAMILY_WINDOW;
}

/* 1 when the hashes ${x} (${nx}) and ${y} (${ny}) share one. */
static int
share(const uint16_t *x, int nx, const uint16_t *y, int ny)
{
    int i, j;

    for (i = 0; i < nx; i++)
        for (j = 0; j < ny; j++)
            if (x[i] == y[j])
                return 1;
    return 0;
}

/* Whether ${v}'s entry holds ${rule}'s field in any of its slots. */
static int
slot_own(const struct seen_slot_view *v, unsigned int rule)
{
    const uint16_t *h;
    unsigned int s;

    for (s = 0; s < SEEN_SLOTS; s++)
        if ((v->present >> s & 1u) &&
            (seen_slot_implied((enum seen_slot)s, rule) ||
                seen_slot_values(v, (enum seen_slot)s, rule, &h) > 0))
            return 1;
    return 0;
}

/*
 * The anchored encoding (match/anchored.h): ${rule} agrees as the first
 * anchor both sides share says it (the anchor's own fields agree; a
 * column both carry compares), and is unknown (-1) where they share none
 * that tells.
 */
static int
anch_agree(struct anch *an, unsigned int rule)
{
    static const enum seen_slot order[SEEN_SLOTS] = {SEEN_SLOT_F,
        SEEN_SLOT_G, SEEN_SLOT_N, SEEN_SLOT_W0, SEEN_SLOT_W1, SEEN_SLOT_S};
    const uint16_t *ha, *hb;
    unsigned int k, s;
    int na, nb;

    if (an->ag[rule] != ANCH_UNSET)
        return an->ag[rule];
    an->ag[rule] = -1;
    for (k = 0; k < SEEN_SLOTS; k++) {
        s = order[k];
        if (!(an->shared >> s & 1u))
            continue;
        if (seen_slot_implied((enum seen_slot)s, rule)) {
            an->ag[rule] = 1;
            break;
        }
        na = seen_slot_values(&an->v[0], (enum seen_slot)s, rule, &ha);
        nb = seen_slot_values(&an->v[1], (enum seen_slot)s, rule, &hb);
        if (na > 0 && nb > 0) {
            an->ag[rule] = (int8_t)share(ha, na, hb, nb);
            break;
        }
    }
    return an->ag[rule];
}

/* Read both sides' slots into ${an} and find those they share. */
static void
anch_read(const struct seen_score_side *a, const struct seen_score_side *b,
    struct anch *an)
{
    unsigned int s;

    seen_slot_read(a->tokens, a->ntokens, SEEN_TOKEN_ITEM, &an->v[0]);
    seen_slot_read(b->tokens, b->ntokens, SEEN_TOKEN_ITEM, &an->v[1]);
    an->shared = 0;
    for (s = 0; s < SEEN_SLOTS; s++)
        if ((an->v[0].present & an->v[1].present) >> s & 1u &&
            memcmp(an->v[0].anchor[s] + 1, an->v[1].anchor[s] + 1,
                SEEN_TOKEN_MATCH) == 0)
            an->shared |= 1u << s;
    memset(an->ag, ANCH_UNSET, sizeof an->ag);
    memset(an->own, ANCH_UNSET, sizeof an->own);
}

/* 1 when both sides of ${c} carry a token of ${rule}. */
static int
cmp_both(const struct cmp *c, unsigned int rule)
{

    return has(&c->sa, rule) && has(&c->sb, rule);
}

/* The identifiers: strong when they agree, a contradiction when not. */
static const struct id_rule {
    unsigned int rule, cmp;
    double agrees, differs;
    const char *why_agrees, *why_differs;
} id_rules[] = {
    {SEEN_RULE_NHS, SEEN_CMP_NHS, 12, -30, "NHS number agrees",
        "NHS numbers differ"},
    {SEEN_RULE_PNC, SEEN_CMP_PNC, 10, -8, "PNC id agrees", "PNC ids differ"},
    /* A pupil may be known by a temporary UPN at one school and a
     * permanent one at the next: weaker than other identifiers. */
    {SEEN_RULE_UPN, SEEN_CMP_UPN, 10, -4, "UPN agrees", "UPNs differ"},
};

/* Add the weight of the identifiers to *${w}; note whether one agrees. */
static void
ids_weight(struct cmp *c, double *w)
{
    const struct id_rule *r;
    size_t i;

    for (i = 0; i < sizeof id_rules / sizeof id_rules[0]; i++) {
        r = &id_rules[i];
        switch (cmp_agree(c, r->rule)) {
        case 1:
            *w += r->agrees;
            c->lv[r->cmp] = 1;
            c->idagree = 1;
            why(c->ex, r->why_agrees);
            break;
        case 0:
            *w += r->differs;
            c->lv[r->cmp] = 2;
            c->against++;
            why(c->ex, r->why_differs);
            break;
        }
    }
}

/*
 * The weights of dates written wrong (docs/protocol.md, "Dates written
 * wrong").  Set by hand at about half of log2(m/u), as the weight of an
 * agreeing date of birth (7, where log2(m/u) is 12.9 to 15.5) is: m the
 * share of the true candidate pairs with that outcome, u the share of
 * random pairs of two people, measured by bench_febrl -v ("reasons among
 * the candidate pairs") on FEBRL 4, seen-synth and seen-synth2 (one run
 * each; m, u, log2(m/u)):
 *  - a day apart: FEBRL 0.0002, 0.00005, 2.2; seen-synth none;
 *    seen-synth2 0.011, 0.0002, 5.9 -> 3;
 *  - the same digits in another order (a transposition; a day/month swap,
 *    3, is tested first): FEBRL 0.0034, 0.0009, 1.9; seen-synth none;
 *    seen-synth2 0.0037, 0.0008, 2.3 -> 1;
 *  - day and month agree, the year differs, the dates within two years
 *    (rule 51; a wrong year digit, one off): FEBRL 0.0010, 0.00006, 4.1;
 *    seen-synth none; seen-synth2 0.0040, 0.00017, 4.6 -> 2, where a
 *    date of another year counts -6.  Without the two years the u was
 *    0.0034 (log2(m/u) -1.3 and 0.6), and a father and his son of one
 *    name and one birthday, both adults and so not told apart by the
 *    birth bands, would have linked: they (and a year off by ten) still
 *    count -6;
 *  - an expected due date agrees: the same evidence as a date of birth
 *    -> 7 (was 5);
 *  - an unborn child's due date and a date of birth (or another due date)
 *    in one 32-day window, the family names sounding alike (rule 15, so
 *    the family name is counted twice; born 16 days before to 10 after
 *    the due date in seen-synth2): seen-synth2 m 0.020 of the true pairs
 *    but 0.0045 of the false candidate pairs (other babies of the
 *    family), none of 200,000 random pairs; the window alone has u about
 *    32 days in 40 years of births, 0.002, log2(m/u) about 9 -> 4: with
 *    a family name and a postcode it links, with a family name alone not.
 */
#define W_DATE_NEAR 3.0
#define W_DATE_DIGITS 1.0
#define W_DATE_YEAR 2.0
#define W_DATE_DUE 7.0
#define W_DATE_BORN_NEAR_DUE 4.0

/* The weight of two dates of birth that differ, as how they differ. */
static double
dob_differ_weight(struct cmp *c)
{

    if (cmp_agree(c, SEEN_RULE_F_MONTHDAY) == 1 &&
        cmp_agree(c, SEEN_RULE_F_YOB) == 1) {
        why(c->ex, "date of birth agrees with day and month swapped");
        c->lv[SEEN_CMP_DOB] = 2;
        return 3;
    }
    if (cmp_agree(c, SEEN_RULE_F_DOB_NEAR) == 1) {
        why(c->ex, "dates of birth a day apart");
        c->lv[SEEN_CMP_DOB] = 3;
        return W_DATE_NEAR;
    }
    if (cmp_agree(c, SEEN_RULE_F_DOB_DIGITS) == 1) {
        why(c->ex, "date of birth agrees with two digits transposed");
        c->lv[SEEN_CMP_DOB] = 4;
        return W_DATE_DIGITS;
    }
    if (cmp_agree(c, SEEN_RULE_F_MONTHDAY) == 1 &&
        cmp_agree(c, SEEN_RULE_F_YOB) == 0 &&
        cmp_agree(c, SEEN_RULE_F_DOB_YEARS) == 1) {
        why(c->ex, "date of birth agrees but for the year");
        c->lv[SEEN_CMP_DOB] = 5;
        return W_DATE_YEAR;
    }
    if (cmp_agree(c, SEEN_RULE_F_YOB) == 1) {
        why(c->ex, "date of birth differs in the same year");
        c->lv[SEEN_CMP_DOB] = 6;
        return -2;
    }
    why(c->ex, "dates of birth differ");
    c->lv[SEEN_CMP_DOB] = 7;
    return -6;
}

/* 1 when one side of ${c} has a due date and no date of birth (unborn),
 * the other a date of birth or another due date. */
static int
due_and_date(const struct cmp *c)
{
    int ua = cmp_has(c, 0, SEEN_RULE_F_DUE) && !cmp_has(c, 0, SEEN_RULE_F_DOB);
    int ub = cmp_has(c, 1, SEEN_RULE_F_DUE) && !cmp_has(c, 1, SEEN_RULE_F_DOB);

    return (ua && (ub || cmp_has(c, 1, SEEN_RULE_F_DOB))) ||
        (ub && cmp_has(c, 0, SEEN_RULE_F_DOB));
}

/* Add the weight of the dates of birth (or the due dates) to *${w}. */
static void
dob_weight(struct cmp *c, double *w)
{

    c->d = cmp_agree(c, SEEN_RULE_F_DOB);
    if (c->d == 1) {
        *w += 7;
        c->lv[SEEN_CMP_DOB] = 1;
        why(c->ex, "date of birth agrees");
    } else if (c->d == 0) {
        double dw = dob_differ_weight(c);

        *w += dw;
        c->against += dw < 0;
    } else if (cmp_agree(c, SEEN_RULE_F_DUE) == 1) {
        *w += W_DATE_DUE;
        c->lv[SEEN_CMP_DOB] = 8;
        why(c->ex, "expected due date agrees");
    } else if (due_and_date(c) &&
        cmp_agree(c, SEEN_RULE_FAMILY_WINDOW) == 1) {
        *w += W_DATE_BORN_NEAR_DUE;
        c->lv[SEEN_CMP_DOB] = 9;
        why(c->ex, "born near the expected due date");
    }
}

/*
 * Given and family names recorded the other way round, or one of them in
 * the other field: add to the name weight *${nw} and set c->g and c->f to
 * what the names then count as.
 */
static void
names_swapped(struct cmp *c, double *nw)
{

    if (c->g != 0 || c->f != 0)
        return;
    if (cmp_agree(c, SEEN_RULE_SWAP_DOB) == 1) {
        /* Given and family names recorded the other way round. */
        *nw += 8;
        why(c->ex, "given and family names swapped");
        c->g = c->f = 1;
        c->lv[SEEN_CMP_GIVEN] = c->lv[SEEN_CMP_FAMILY] = 8;
    } else if (c->have_bloom && c->diff <= NEAR_BIGRAMS) {
        /* Both differ, yet the whole names have the same bigrams (the
         * filters are equal: swapped, with no date of birth to show it)
         * or nearly (swapped, and a letter misspelt). */
        if (c->diff == 0) {
            *nw += 8;
            why(c->ex, "given and family names swapped");
        } else {
            *nw += 6;
            why(c->ex, "given and family names swapped (misspelt)");
        }
        c->g = c->f = 1;
        c->lv[SEEN_CMP_GIVEN] = c->lv[SEEN_CMP_FAMILY] = 8;
    } else if (cmp_agree(c, SEEN_RULE_F_NAME) == 1) {
        /* One's given name is the other's family name, and the other
         * names differ: one name agrees, recorded in the other field. */
        *nw += 4;
        why(c->ex, "a name agrees, recorded in the other field");
        c->g = -1;
        c->lv[SEEN_CMP_GIVEN] = 9;
    }
}

/* The rules of one name field, their weights and reasons. */
static const struct name_rules {
    unsigned int rule, vcommon, common;
    const char *why_vcommon, *why_common, *why_other;
    unsigned int alike[2];      /* rules that find two names alike */
    double alike_w[2];
    const char *why_alike[2];
    const char *why_near;       /* they differ by one letter */
    double differs;
    const char *why_differs;    /* or NULL */
} given_rules = {SEEN_RULE_F_GIVEN, SEEN_RULE_F_GIVEN_VCOMMON,
    SEEN_RULE_F_GIVEN_COMMON, "given name agrees (a very common one)",
    "given name agrees (a common one)", "given name agrees",
    {SEEN_RULE_F_NICK, SEEN_RULE_F_GIVEN_PHON}, {2.5, 2},
    {"given names are known variants", "given names sound alike"},
    "given names differ by one letter",
    /* Different given names are strong evidence of two people (twins
     * and siblings share everything else). */
    -5, "given names differ"},
  family_rules = {SEEN_RULE_F_FAMILY, SEEN_RULE_F_FAMILY_VCOMMON,
    SEEN_RULE_F_FAMILY_COMMON, "family name agrees (a very common one)",
    "family name agrees (a common one)", "family name agrees",
    {SEEN_RULE_F_FAMILY_PHON, SEEN_RULE_VARIANT_DOB}, {2, 2},
    {"family names sound alike",
        "family name matches a former or part name"},
    "family names differ by one letter", -2, NULL};

/*
 * The weight of one name field, ${state} being agree()'s for it as the
 * name swaps leave it and ${near} 1 when the names differ by one letter.
 * A common name agreeing says less (a higher u-probability).  *${differ}
 * (unless NULL) is set to 1 when the names are found to differ.
 */
static double
name_weight(const struct cmp *c, const struct name_rules *r, int state,
    int near, int *differ, uint8_t *lv)
{
    size_t i;

    if (state == 1 && cmp_agree(c, r->rule) == 1) {
        if (cmp_both(c, r->vcommon)) {
            why(c->ex, r->why_vcommon);
            *lv = 3;
            return 2;
        }
        if (cmp_both(c, r->common)) {
            why(c->ex, r->why_common);
            *lv = 2;
            return 3;
        }
        why(c->ex, r->why_other);
        *lv = 1;
        return 4;
    }
    if (state != 0)
        return 0;
    for (i = 0; i < 2; i++)
        if (cmp_agree(c, r->alike[i]) == 1) {
            why(c->ex, r->why_alike[i]);
            *lv = (uint8_t)(4 + i);
            return r->alike_w[i];
        }
    if (near) {
        why(c->ex, r->why_near);
        *lv = 6;
        return 2;
    }
    if (r->why_differs != NULL)
        why(c->ex, r->why_differs);
    if (differ != NULL)
        *differ = 1;
    *lv = 7;
    return r->differs;
}

/*
 * The weight of the whole names' similarity (the Dice coefficient of the
 * filters): only when both sides have both names (otherwise the filters
 * hold different parts of a name), and no bonus once the given names are
 * known to differ: then a high Dice only says that the shared family name
 * is long (twins with a long family name).
 */
static double
dice_weight(const struct cmp *c)
{
    char buf[SEEN_WHY_LEN];
    double dice = *c->dice, nw = 0;

    if (!c->have_bloom || c->g == -1 || c->f == -1 ||
        (c->g == 1 && c->f == 1) || !(dice > 0))
        return 0;
    if (c->ex != NULL)
        snprintf(buf, sizeof buf, "name similar %.2f", dice);
    if (dice >= 0.9 && !c->given_differ)
        nw += 3;
    else if (dice >= 0.75 && !c->given_differ)
        nw += 1.5;
    else if (dice < 0.5)
        nw -= 3;
    if (dice >= 0.75 && !c->given_differ)
        why(c->ex, buf);
    return nw;
}

/*
 * The weight of the whole names' similarity in an OPRF epoch, where no
 * filter tells it (${near_g}, ${near_f}: the given or family names one
 * edit apart), under the conditions of dice_weight: the names that
 * differ all differ by one edit, the others agreeing, stands where a
 * Dice of 0.9 or more stood.
 */
static double
near_weight(const struct cmp *c, int near_g, int near_f)
{

    if (!c->have_near || c->g == -1 || c->f == -1 ||
        (c->g == 1 && c->f == 1) || c->given_differ)
        return 0;
    if ((c->g == 1 || near_g) && (c->f == 1 || near_f)) {
        why(c->ex, "names one letter apart");
        return NEAR_NAMES_W;
    }
    return 0;
}

/* 1 when side ${side} carries a name's one-edit neighbourhood. */
static int
has_near(const struct cmp *c, int side)
{

    return cmp_has(c, side, SEEN_RULE_F_GIVEN_NEAR) ||
           cmp_has(c, side, SEEN_RULE_F_FAMILY_NEAR);
}

/* Add the weight of the names to *${w}. */
static void
names_weight(struct cmp *c, double *w)
{
    double nw = 0, part;
    int near_g = 0, near_f = 0;

    /* The name filters: Dice, and how many bigrams the two names differ
     * by (estimated from the bits set in one filter and not the other). */
    if (c->a->bloom != NULL && c->b->bloom != NULL &&
        bloom_compare(c->a->bloom, c->b->bloom, c->dice, &c->diff)) {
        c->have_bloom = 1;
    } else if (has_near(c, 0) && has_near(c, 1)) {
        c->have_near = 1;
    }
    c->g = cmp_agree(c, SEEN_RULE_F_GIVEN);
    c->f = cmp_agree(c, SEEN_RULE_F_FAMILY);
    names_swapped(c, &nw);
    /* A name that differs by one letter: the filters tell how much of
     * the whole name differs; when the other name agrees, all of it is in
     * this one (when both differ, each may hold half).  In an OPRF epoch
     * each name's neighbourhood tells it for that name. */
    if (c->have_bloom && c->g == 0 && c->f == 1)
        near_g = c->diff <= NEAR_BIGRAMS;
    else if (c->have_bloom && c->g == 1 && c->f == 0)
        near_f = c->diff <= NEAR_BIGRAMS;
    else if (c->have_bloom && c->g == 0 && c->f == 0)
        near_g = near_f = c->diff <= 2 * NEAR_BIGRAMS;
    if (c->have_near) {
        near_g = c->g == 0 && cmp_agree(c, SEEN_RULE_F_GIVEN_NEAR) == 1;
        near_f = c->f == 0 && cmp_agree(c, SEEN_RULE_F_FAMILY_NEAR) == 1;
    }
    c->against += (part = name_weight(c, &given_rules, c->g, near_g,
                       &c->given_differ, &c->lv[SEEN_CMP_GIVEN])) < 0;
    nw += part;
    c->against += (part = name_weight(c, &family_rules, c->f, near_f, NULL,
                       &c->lv[SEEN_CMP_FAMILY])) < 0;
    nw += part;
    c->against += (part = dice_weight(c)) < 0;
    nw += part;
    c->against += (part = near_weight(c, near_g, near_f)) < 0;
    nw += part;
    if (nw < 0 && c->idagree && c->d == 1 && c->g == 0 && c->f == 0) {
        /* An identifier with a check digit and the date of birth agree:
         * a complete change of name (an alias, a new family) does not
         * make two people. */
        nw = 0;
        why(c->ex, "names differ entirely");
    }
    *w += nw;
}

/* Add the weight of the places, of sex and of the birth bands to *${w}. */
static void
rest_weight(struct cmp *c, double *w)
{

    if (cmp_agree(c, SEEN_RULE_F_POSTCODE) == 1) {
        *w += 3;
        c->lv[SEEN_CMP_PLACE] = 1;
        why(c->ex, "postcode agrees");
    } else if (cmp_agree(c, SEEN_RULE_F_DISTRICT) == 1) {
        *w += 1;
        c->lv[SEEN_CMP_PLACE] = 2;
        why(c->ex, "postcode district agrees");
    } else if (cmp_agree(c, SEEN_RULE_F_DISTRICT) == 0) {
        c->lv[SEEN_CMP_PLACE] = 3;
    }
    if (c->lv[SEEN_CMP_PLACE] == 3 && !c->idagree) {
        /* Different places: people move, but with nothing else to go on
         * two namesakes born the same day are not one person. */
        *w -= 2;
        c->against++;
        why(c->ex, "postcodes in different districts");
    }
    if (cmp_agree(c, SEEN_RULE_F_SEX) == 1)
        c->lv[SEEN_CMP_SEX] = 1;
    if (cmp_agree(c, SEEN_RULE_F_SEX) == 0) {
        c->lv[SEEN_CMP_SEX] = 2;
        *w -= 4;
        c->against++;
        why(c->ex, "sex differs");
    }
    if (c->a->birth_band >= 2 && c->b->birth_band >= 2 &&
        c->a->birth_band != c->b->birth_band && c->d != 1) {
        *w -= 20;
        c->against++;
        why(c->ex, "a child and an adult");
    }
}

/*
 * The weight of ${a} against ${b}; the Dice coefficient of their name
 * filters to *${dice} (untouched when either has none); the reasons to
 * ${ex} unless it is NULL; the number of comparisons that counted
 * against them (a field known to differ) to *${against}; each
 * comparison's level to ${level} (SEEN_CMP_COUNT bytes) unless NULL.  The one scorer behind seen_score_pair and
 * seen_score_weight, so that both give the same weight: the
 * identifiers, the dates of birth, the names, then the rest.
 */
static double
score(const struct seen_score_side *a, const struct seen_score_side *b,
    double *dice, struct seen_score *ex, unsigned int *against,
    uint8_t *level)
{
    struct cmp c;
    struct anch an;
    double w = 0;

    memset(&c, 0, sizeof c);
    c.a = a;
    c.b = b;
    c.ex = ex;
    c.dice = dice;
    spans_of(a, &c.sa);
    spans_of(b, &c.sb);
    if (c.sa.slots || c.sb.slots) {
        anch_read(a, b, &an);
        c.an = &an;
    }
    ids_weight(&c, &w);
    dob_weight(&c, &w);
    names_weight(&c, &w);
    rest_weight(&c, &w);
    *against = c.against;
    if (level != NULL)
        memcpy(level, c.lv, sizeof c.lv);
    return w;
}

/* The band of weight ${w}. */
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
    out->weight = score(a, b, &out->dice, out, &out->against, out->level);
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
    unsigned int against;

    w = score(a, b, &dice, NULL, &against, NULL);
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

/* The levels of each comparison, after level 0 (not compared), and the
 * weight each adds when nothing else changes it (the functions above
 * hold the same figures; check_match_score checks that they agree). */
static const struct cmp_def {
    const char *name;
    unsigned int n;
    const char *level[SEEN_LEVELS_MAX];
    double weight[SEEN_LEVELS_MAX];
} cmps[SEEN_CMP_COUNT] = {
    {"nhs_number", 3, {NULL, "agrees", "differs"}, {0, 12, -30}},
    {"pnc_id", 3, {NULL, "agrees", "differs"}, {0, 10, -8}},
    {"upn", 3, {NULL, "agrees", "differs"}, {0, 10, -4}},
    {"date_of_birth", 10,
        {NULL, "agrees", "day and month swapped", "a day apart",
            "two digits transposed", "agrees but for the year",
            "differs in the same year", "differs", "due date agrees",
            "born near the due date"},
        {0, 7, 3, W_DATE_NEAR, W_DATE_DIGITS, W_DATE_YEAR, -2, -6,
            W_DATE_DUE, W_DATE_BORN_NEAR_DUE}},
    {"given_name", 10,
        {NULL, "agrees", "agrees (a common one)", "agrees (a very common one)",
            "known variants", "sound alike", "one letter apart", "differ",
            "swapped with the family name", "in the other field"},
        {0, 4, 3, 2, 2.5, 2, 2, -5, 4, 4}},
    {"family_name", 9,
        {NULL, "agrees", "agrees (a common one)", "agrees (a very common one)",
            "sound alike", "a former or part name", "one letter apart",
            "differ", "swapped with the given name"},
        {0, 4, 3, 2, 2, 2, 2, -2, 4}},
    {"place", 4,
        {NULL, "postcode agrees", "postcode district agrees",
            "different districts"},
        {0, 3, 1, -2}},
    {"sex", 3, {NULL, "agrees", "differs"}, {0, 0, -4}},
};

/**
 * seen_cmp_name(cmp):
 * Return the name of comparison ${cmp} ("nhs_number", "date_of_birth",
 * ...), or NULL past the last.
 */
const char *
seen_cmp_name(unsigned int cmp)
{

    return cmp < SEEN_CMP_COUNT ? cmps[cmp].name : NULL;
}

/**
 * seen_score_levels(cmp):
 * Return the number of levels of comparison ${cmp} (0 included).
 */
unsigned int
seen_score_levels(unsigned int cmp)
{

    return cmp < SEEN_CMP_COUNT ? cmps[cmp].n : 0;
}

/**
 * seen_score_level_name(cmp, level):
 * Return the name of ${level} of comparison ${cmp} ("agrees", "a day
 * apart", ...), or NULL when there is none.
 */
const char *
seen_score_level_name(unsigned int cmp, unsigned int level)
{

    if (cmp >= SEEN_CMP_COUNT || level >= cmps[cmp].n)
        return NULL;
    return level == 0 ? "not compared" : cmps[cmp].level[level];
}

/**
 * seen_score_level_weight(cmp, level):
 * Return the weight the scorer adds for ${level} of comparison ${cmp}
 * when nothing else changes it (the names' overall similarity, a complete
 * change of name, a place or birth band that only counts in some cases
 * are not in it); 0 for level 0.
 */
double
seen_score_level_weight(unsigned int cmp, unsigned int level)
{

    if (cmp >= SEEN_CMP_COUNT || level >= cmps[cmp].n)
        return 0;
    return cmps[cmp].weight[level];
}
