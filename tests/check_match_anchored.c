/*
 * check_match_anchored.c: the anchored encoding (match/anchored.h): a
 * person's PRF inputs are its identifiers and six anchors only;
 * everything else it carries is derived from the anchors' outputs, so
 * that it cannot be made, or a field tested, without them; and two
 * entries compare field by field exactly where they share an anchor.
 * The keyed PRF stands in for the OPRF, as in check_match_prf.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "crypto/token.h"
#include "match/anchored.h"
#include "match/score.h"
#include "match/tokens.h"
#include "tests/suites.h"
#include "tests/testutil.h"

static struct seen_tokenizer *
anchored_tokenizer(void)
{
    struct seen_tokenizer *tk;
    uint8_t key[32];
    unsigned int i;

    for (i = 0; i < 32; i++)
        key[i] = (uint8_t)(i * 7 + 1);
    ck_assert_ptr_nonnull(
        tk = seen_tokenizer_new_mode(key, 9, SEEN_TOKENS_ANCHORED));
    return tk;
}

/* Days since 1970 of ${y}-${m}-${d} (proleptic Gregorian). */
static int32_t
days(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}

struct side {
    uint8_t tok[SEEN_TOKENS_MAX * SEEN_TOKEN_ITEM];
    size_t n;
    struct seen_score_side s;
};

/* The tokens of a person into ${out}; ${dob} or ${due} 0 for none. */
static void
person(const struct seen_tokenizer *tk, const char *given, const char *family,
    int32_t dob, int32_t due, const char *postcode, struct side *out)
{
    struct seen_token_input in;

    memset(&in, 0, sizeof in);
    in.given = given;
    in.family = family;
    in.has_dob = dob != 0;
    in.dob = dob;
    in.has_due = due != 0;
    in.due = due;
    in.sex = 'F';
    in.postcode = postcode;
    in.district = postcode;
    memset(out, 0, sizeof *out);
    out->n = seen_tokens_make(tk, &in, out->tok, SEEN_TOKENS_MAX);
    out->s.tokens = out->tok;
    out->s.ntokens = out->n;
    out->s.bloom = NULL;
    out->s.birth_band = 2;
}

START_TEST(test_inputs_are_identifiers_and_anchors)
{
    struct seen_tokenizer *tk = anchored_tokenizer();
    struct seen_prf_input pin[SEEN_TOKENS_MAX];
    struct seen_token_input in;
    const char *f[2] = {"ART", "2020-09-30"}; /* WARD sounds ART */
    uint8_t enc[64];
    unsigned int seen = 0;
    size_t n, i, len;

    memset(&in, 0, sizeof in);
    in.given = "Mia";
    in.family = "Ward";
    in.has_dob = 1;
    in.dob = days(2020, 9, 30);
    in.nhs = "9434765919";
    in.postcode = "RG1 1AA";
    n = seen_tokens_inputs(tk, &in, pin, SEEN_TOKENS_MAX);
    /* The NHS number and six anchors: F, G, N, S, W0 and W1. */
    ck_assert_uint_eq(n, 7);
    for (i = 0; i < n; i++) {
        ck_assert(pin[i].rule == SEEN_RULE_NHS ||
                  seen_slot_of_anchor(pin[i].rule) != SEEN_SLOTS);
        seen |= 1u << pin[i].rule;
    }
    ck_assert_uint_eq(seen,
        1u << SEEN_RULE_NHS | 1u << SEEN_RULE_PHON_DOB |
            1u << SEEN_RULE_PHON_NAME_DOB | 1u << SEEN_RULE_PHON_NAMES |
            1u << SEEN_RULE_SWAP_DOB | 1u << SEEN_RULE_FAMILY_WINDOW |
            1u << SEEN_RULE_FAMILY_WINDOW1);
    /* F is the phonetic family name and the date of birth, whole: no
     * input is one field alone (the postcode is in none). */
    len = seen_token_encode(enc, sizeof enc, f, 2);
    for (i = 0; i < n; i++)
        if (pin[i].rule == SEEN_RULE_PHON_DOB) {
            ck_assert_uint_eq(pin[i].len, len);
            ck_assert_mem_eq(pin[i].bytes, enc, len);
        }
    seen_tokenizer_destroy(&tk);
}
END_TEST

/* The tokens of ${in} with anchor ${rule}'s output changed in its slot
 * key only (bytes SEEN_SLOT_KEY_AT on). */
static size_t
with_other_key(const struct seen_tokenizer *tk,
    const struct seen_token_input *in, unsigned int rule, uint8_t *out)
{
    struct seen_prf_input pin[SEEN_TOKENS_MAX];
    uint8_t prf[SEEN_TOKENS_MAX][SEEN_PRF_OUTPUT];
    size_t n, i;

    n = seen_tokens_inputs(tk, in, pin, SEEN_TOKENS_MAX);
    ck_assert_int_eq(seen_tokens_keyed_prf(tk, pin, n, prf), 0);
    for (i = 0; i < n; i++)
        if (pin[i].rule == rule)
            prf[i][SEEN_SLOT_KEY_AT] ^= 1;
    return seen_tokens_anchored_finish(
        in, pin, n, (const uint8_t(*)[SEEN_PRF_OUTPUT])prf, out);
}

START_TEST(test_everything_else_is_derived_from_the_anchors)
{
    struct seen_tokenizer *tk = anchored_tokenizer();
    struct seen_token_input in;
    uint8_t a[SEEN_TOKENS_MAX * SEEN_TOKEN_ITEM];
    uint8_t b[SEEN_TOKENS_MAX * SEEN_TOKEN_ITEM];
    size_t na, nb, i, j, same = 0, slot_items = 0;
    unsigned int r;

    memset(&in, 0, sizeof in);
    in.given = "Mia";
    in.family = "Ward";
    in.has_dob = 1;
    in.dob = days(2020, 9, 30);
    in.postcode = "RG1 1AA";
    in.district = "RG1";
    na = seen_tokens_make(tk, &in, a, SEEN_TOKENS_MAX);
    ck_assert_uint_gt(na, 6);
    ck_assert_uint_le(na, SEEN_TOKENS_MAX);
    /* Made twice, the same; made in two phases, the same. */
    nb = with_other_key(tk, &in, 0, b);
    ck_assert_uint_eq(na, nb);
    ck_assert_mem_eq(a, b, na * SEEN_TOKEN_ITEM);
    /* Change F's slot key alone: F's token stays, every item made under
     * it (NAME_DOB, its vector) changes, the other anchors' stay. */
    nb = with_other_key(tk, &in, SEEN_RULE_PHON_DOB, b);
    ck_assert_uint_eq(na, nb);
    for (i = 0; i < na; i++) {
        r = a[i * SEEN_TOKEN_ITEM];
        slot_items += r >= SEEN_SLOT_RULE_BASE;
        for (j = 0; j < nb; j++)
            if (memcmp(a + i * SEEN_TOKEN_ITEM, b + j * SEEN_TOKEN_ITEM,
                    SEEN_TOKEN_ITEM) == 0)
                break;
        if (j < nb) {
            same++;
            ck_assert(r != SEEN_RULE_NAME_DOB);
            ck_assert(r < SEEN_SLOT_RULE_BASE ||
                      r >= SEEN_SLOT_RULE_BASE + SEEN_SLOT_CHUNKS);
        } else {
            ck_assert(r == SEEN_RULE_NAME_DOB ||
                      (r >= SEEN_SLOT_RULE_BASE &&
                          r < SEEN_SLOT_RULE_BASE + SEEN_SLOT_CHUNKS));
        }
    }
    ck_assert_uint_gt(slot_items, 5);
    ck_assert_uint_lt(same, na);
    /* No item of a field rule of the other encodings: a field is never
     * a token of its own. */
    for (i = 0; i < na; i++) {
        r = a[i * SEEN_TOKEN_ITEM];
        ck_assert(r < SEEN_RULE_F_GIVEN || r >= SEEN_SLOT_RULE_BASE ||
                  (r >= SEEN_RULE_F_GIVEN_COMMON &&
                      r <= SEEN_RULE_F_FAMILY_VCOMMON));
    }
    seen_tokenizer_destroy(&tk);
}
END_TEST

START_TEST(test_a_slot_vector_reads_back)
{
    struct seen_tokenizer *tk = anchored_tokenizer();
    static struct side a, b;
    struct seen_slot_view va, vb;
    const uint16_t *ha, *hb;
    int na, nb;

    person(tk, "Zainab", "Okafor", days(2015, 3, 2), 0, "RG1 1AA", &a);
    person(tk, "Zainab", "Okafor", days(2015, 3, 2), 0, "RG1 1AB", &b);
    ck_assert_int_eq(seen_slot_read(a.tok, a.n, SEEN_TOKEN_ITEM, &va), 1);
    ck_assert_int_eq(seen_slot_read(b.tok, b.n, SEEN_TOKEN_ITEM, &vb), 1);
    ck_assert_uint_eq(va.present, (1u << SEEN_SLOTS) - 1);
    /* One given name, equal on both; one near set of 7 strings. */
    na = seen_slot_values(&va, SEEN_SLOT_F, SEEN_RULE_F_GIVEN, &ha);
    nb = seen_slot_values(&vb, SEEN_SLOT_F, SEEN_RULE_F_GIVEN, &hb);
    ck_assert_int_eq(na, 1);
    ck_assert_int_eq(nb, 1);
    ck_assert_uint_eq(ha[0], hb[0]);
    ck_assert_int_eq(
        seen_slot_values(&va, SEEN_SLOT_F, SEEN_RULE_F_GIVEN_NEAR, &ha), 7);
    /* The postcodes differ, the districts ("RG1 1AA" and "RG1 1AB" as
     * given) too. */
    ck_assert_int_eq(
        seen_slot_values(&va, SEEN_SLOT_F, SEEN_RULE_F_POSTCODE, &ha), 1);
    ck_assert_int_eq(
        seen_slot_values(&vb, SEEN_SLOT_F, SEEN_RULE_F_POSTCODE, &hb), 1);
    ck_assert_uint_ne(ha[0], hb[0]);
    /* A column the slot does not have, and a slot absent. */
    ck_assert_int_eq(
        seen_slot_values(&va, SEEN_SLOT_F, SEEN_RULE_F_DOB, &ha), -1);
    va.present &= ~(1u << SEEN_SLOT_G);
    ck_assert_int_eq(
        seen_slot_values(&va, SEEN_SLOT_G, SEEN_RULE_F_FAMILY, &ha), -1);
    seen_tokenizer_destroy(&tk);
}
END_TEST

START_TEST(test_score_where_an_anchor_is_shared)
{
    struct seen_tokenizer *tk = anchored_tokenizer();
    static struct side a, b, c, d;
    struct seen_score s;

    /* The same person: a match, the date and names agreeing. */
    person(tk, "Zainab", "Okafor", days(2015, 3, 2), 0, "RG1 1AA", &a);
    person(tk, "Zainab", "Okafor", days(2015, 3, 2), 0, "RG1 1AA", &b);
    seen_score_pair(&a.s, &b.s, &s);
    ck_assert_int_eq(s.band, SEEN_BAND_MATCH);
    ck_assert(tu_says(&s, "date of birth agrees"));
    ck_assert(tu_says(&s, "postcode agrees"));
    /* A given name one letter apart: F is shared, and says so. */
    person(tk, "Zaimab", "Okafor", days(2015, 3, 2), 0, "RG1 1AA", &c);
    seen_score_pair(&a.s, &c.s, &s);
    ck_assert(tu_says(&s, "given names differ by one letter"));
    ck_assert_int_eq(s.band, SEEN_BAND_MATCH);
    /* The date a day out: N (the names) is shared and tells it. */
    person(tk, "Zainab", "Okafor", days(2015, 3, 3), 0, "RG1 1AA", &c);
    seen_score_pair(&a.s, &c.s, &s);
    ck_assert(tu_says(&s, "dates of birth a day apart"));
    /* Given and family names swapped: S. */
    person(tk, "Okafor", "Zainab", days(2015, 3, 2), 0, "RG1 1AA", &c);
    seen_score_pair(&a.s, &c.s, &s);
    ck_assert(tu_says(&s, "given and family names swapped"));
    /* An unborn child and the child born nine days after the due date:
     * a window anchor. */
    person(tk, NULL, "Okafor", 0, days(2015, 2, 21), "RG1 1AA", &c);
    person(tk, "Zainab", "Okafor", days(2015, 3, 2), 0, "RG1 1AA", &d);
    seen_score_pair(&c.s, &d.s, &s);
    ck_assert(tu_says(&s, "born near the expected due date"));
    seen_tokenizer_destroy(&tk);
}
END_TEST

START_TEST(test_score_where_none_is_shared)
{
    struct seen_tokenizer *tk = anchored_tokenizer();
    static struct side a, b;
    struct seen_score s;

    /* Namesakes of other birthdays and other names in part: they share
     * no anchor, so no field compares, for or against; in the other
     * encodings the postcode alone would agree. */
    person(tk, "Zainab", "Okafor", days(2015, 3, 2), 0, "RG1 1AA", &a);
    person(tk, "Yusra", "Adeyemi", days(2009, 7, 19), 0, "RG1 1AA", &b);
    seen_score_pair(&a.s, &b.s, &s);
    ck_assert(!tu_says(&s, "postcode agrees"));
    ck_assert(!tu_says(&s, "dates of birth differ"));
    ck_assert(s.weight == 0);
    ck_assert_int_eq(s.band, SEEN_BAND_NO);
    /* Both carry their derived items, none shared. */
    ck_assert_uint_gt(tu_count_rule(a.tok, a.n, SEEN_SLOT_RULE_BASE), 0);
    ck_assert_uint_gt(tu_count_rule(b.tok, b.n, SEEN_SLOT_RULE_BASE), 0);
    seen_tokenizer_destroy(&tk);
}
END_TEST

/* Slot items as a hostile peer might send them (any bytes, vectors with
 * no ends, chunks of every slot, an anchor shared): read within bounds
 * (ASan), every column's values within its slot's vector, and scored,
 * against a true entry and against themselves, without harm. */
START_TEST(test_hostile_slot_items_are_read_within_bounds)
{
    struct seen_tokenizer *tk = anchored_tokenizer();
    static struct side a, h;
    struct seen_slot_view v;
    struct seen_score sc;
    const uint16_t *vals;
    unsigned int round, i, s, r;
    int n;

    person(tk, "Zainab", "Okafor", days(2015, 3, 2), 0, "RG1 1AA", &a);
    for (round = 0; round < 200; round++) {
        /* Its anchors (so every slot is shared), then random items of
         * the slot rules, one byte of rule and 16 of anything. */
        memset(&h, 0, sizeof h);
        for (i = 0; i < a.n && h.n < SEEN_TOKENS_MAX; i++)
            if (a.tok[i * SEEN_TOKEN_ITEM] < SEEN_SLOT_RULE_BASE)
                memcpy(h.tok + h.n++ * SEEN_TOKEN_ITEM,
                    a.tok + i * SEEN_TOKEN_ITEM, SEEN_TOKEN_ITEM);
        while (h.n < SEEN_TOKENS_MAX) {
            uint8_t *p = h.tok + h.n++ * SEEN_TOKEN_ITEM;

            randombytes_buf(p, SEEN_TOKEN_ITEM);
            p[0] = (uint8_t)(SEEN_SLOT_RULE_BASE +
                             randombytes_uniform(256 - SEEN_SLOT_RULE_BASE));
            if (round % 2 == 0) /* no zero anywhere: sets never end */
                for (i = 1; i < SEEN_TOKEN_ITEM; i++)
                    p[i] |= 1;
        }
        h.s.tokens = h.tok;
        h.s.ntokens = h.n;
        h.s.bloom = NULL;
        h.s.birth_band = 2;
        ck_assert_int_eq(seen_slot_read(h.tok, h.n, SEEN_TOKEN_ITEM, &v), 1);
        for (s = 0; s < SEEN_SLOTS; s++)
            for (r = 0; r <= SEEN_RULE_MAX; r++)
                if ((n = seen_slot_values(&v, (enum seen_slot)s, r, &vals)) >
                    0) {
                    ck_assert(vals >= v.vec[s]);
                    ck_assert(vals + n <= v.vec[s] + SEEN_SLOT_VEC);
                }
        seen_score_pair(&a.s, &h.s, &sc);
        ck_assert_uint_le(sc.nwhy, SEEN_WHY_MAX);
        seen_score_pair(&h.s, &h.s, &sc);
        ck_assert_uint_le(sc.nwhy, SEEN_WHY_MAX);
    }
    seen_tokenizer_destroy(&tk);
}
END_TEST

Suite *
match_anchored_suite(void)
{
    Suite *s = suite_create("match_anchored");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_inputs_are_identifiers_and_anchors);
    tcase_add_test(tc, test_everything_else_is_derived_from_the_anchors);
    tcase_add_test(tc, test_a_slot_vector_reads_back);
    tcase_add_test(tc, test_score_where_an_anchor_is_shared);
    tcase_add_test(tc, test_score_where_none_is_shared);
    tcase_add_test(tc, test_hostile_slot_items_are_read_within_bounds);
    suite_add_tcase(s, tc);
    return s;
}
