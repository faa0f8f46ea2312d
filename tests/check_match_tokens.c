/*
 * check_match_tokens.c: the token rules and name Bloom filters
 * (match/tokens.[ch]) and the field-by-field scorer (match/score.[ch]),
 * with real keys from libsodium.  The hard cases of matching go through
 * the whole path: seen_tokens_make and seen_bloom_make on each side, then
 * seen_score_pair.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/token.h"
#include "match/normalise.h"
#include "match/score.h"
#include "match/tokens.h"

#include "tests/suites.h"
#include "tests/testutil.h"

#define NHS_A "9434765919" /* valid mod-11 check digits */
#define NHS_B "4010232137"

static uint8_t match_key[32];
static struct seen_tokenizer *tk;

static void
setup(void)
{

    randombytes_buf(match_key, sizeof match_key);
    ck_assert_ptr_nonnull(tk = seen_tokenizer_new(match_key, 7));
}

static void
teardown(void)
{

    seen_tokenizer_destroy(&tk);
    tk = NULL;
}

/* One person as a test describes them. */
struct person {
    const char *given, *family;
    const char *dob; /* YYYY-MM-DD or NULL */
    const char *nhs;
    const char *postcode, *district;
    char sex;
    unsigned int birth_band; /* 2 child, 3 adult */
    int shielded;
};

static struct seen_token_input
input_of(const struct person *p)
{
    struct seen_token_input in;

    memset(&in, 0, sizeof in);
    in.given = p->given;
    in.family = p->family;
    if (p->dob != NULL) {
        ck_assert_int_eq(seen_date_parse(p->dob, &in.dob), 0);
        in.has_dob = 1;
    }
    in.sex = p->sex;
    in.nhs = p->nhs;
    in.postcode = p->postcode;
    in.district = p->district;
    in.shielded = p->shielded;
    return in;
}

struct toks {
    uint8_t t[SEEN_TOKENS_MAX * SEEN_TOKEN_ITEM];
    size_t n;
    uint8_t bloom[SEEN_BLOOM_BYTES];
};

static void
make(const struct seen_tokenizer *k, const struct person *p, struct toks *o)
{
    struct seen_token_input in = input_of(p);

    memset(o, 0, sizeof *o);
    o->n = seen_tokens_make(k, &in, o->t, SEEN_TOKENS_MAX);
    ck_assert_uint_le(o->n, SEEN_TOKENS_MAX);
    seen_bloom_make(k, &in, o->bloom);
}

/* Score ${a} against ${b}, print the outcome, and return it. */
static struct seen_score
score(const char *label, const struct person *a, const struct person *b)
{
    struct seen_score_side sa, sb;
    struct seen_score s;
    static struct toks ta, tb;
    size_t i;

    make(tk, a, &ta);
    make(tk, b, &tb);
    sa = (struct seen_score_side){ta.t, ta.n, ta.bloom, a->birth_band};
    sb = (struct seen_score_side){tb.t, tb.n, tb.bloom, b->birth_band};
    seen_score_pair(&sa, &sb, &s);
    printf("score: %s: %s, weight %.2f, dice %.2f:", label,
        seen_band_name(s.band), s.weight, s.dice);
    for (i = 0; i < s.nwhy; i++)
        printf("%s %s", i ? ";" : "", s.why[i]);
    printf("\n");
    fflush(stdout);
    return s;
}

/* ---- tokens ---- */

static const struct person chantelle = {
    "Chantelle", "Ward", "1994-02-11", NHS_A, "RG1 5DF", "RG1", 'F', 3, 0};

START_TEST(test_tokens_are_deterministic_for_one_key_and_input)
{
    struct seen_tokenizer *again;
    static struct toks a, b, c;

    make(tk, &chantelle, &a);
    make(tk, &chantelle, &b);
    ck_assert_uint_gt(a.n, 10);
    ck_assert_uint_eq(a.n, b.n);
    ck_assert_mem_eq(a.t, b.t, a.n * SEEN_TOKEN_ITEM);
    ck_assert_mem_eq(a.bloom, b.bloom, SEEN_BLOOM_BYTES);

    /* A second tokenizer from the same key agrees. */
    ck_assert_ptr_nonnull(again = seen_tokenizer_new(match_key, 7));
    make(again, &chantelle, &c);
    ck_assert_uint_eq(a.n, c.n);
    ck_assert_mem_eq(a.t, c.t, a.n * SEEN_TOKEN_ITEM);
    ck_assert_mem_eq(a.bloom, c.bloom, SEEN_BLOOM_BYTES);
    ck_assert_uint_eq(seen_tokenizer_epoch(again), 7);
    seen_tokenizer_destroy(&again);
    {
        struct seen_tokenizer *none = NULL;

        seen_tokenizer_destroy(NULL);
        seen_tokenizer_destroy(&none);
        seen_tokenizer_destroy(&none);
    }
}
END_TEST

START_TEST(test_tokens_differ_under_another_match_key)
{
    struct seen_tokenizer *other;
    uint8_t key2[32];
    static struct toks a, b;
    size_t i, j;

    randombytes_buf(key2, sizeof key2);
    ck_assert_ptr_nonnull(other = seen_tokenizer_new(key2, 8));
    make(tk, &chantelle, &a);
    make(other, &chantelle, &b);
    /* The same rules fire... */
    ck_assert_uint_eq(a.n, b.n);
    for (i = 1; i < 64; i++)
        ck_assert_uint_eq(
            tu_count_rule(a.t, a.n, i), tu_count_rule(b.t, b.n, i));
    /* ...but no token is the same under the other key. */
    for (i = 0; i < a.n; i++)
        for (j = 0; j < b.n; j++)
            ck_assert_mem_ne(a.t + i * SEEN_TOKEN_ITEM + 1,
                b.t + j * SEEN_TOKEN_ITEM + 1, 16);
    ck_assert_mem_ne(a.bloom, b.bloom, SEEN_BLOOM_BYTES);
    seen_tokenizer_destroy(&other);
}
END_TEST

START_TEST(test_tokens_are_sorted_and_without_duplicates)
{
    static const char *aliases[] = {"Ward", "WARD", "Holt", "Ward-Holt"};
    /* Bill is in several nickname groups; the aliases repeat the family
     * name, which must not give a second family-variant token. */
    static const struct person people[] = {
        {"Bill", "Ward-Holt", "2012-03-04", NHS_A, "RG1 5DF", "RG1", 'M', 2, 0},
        {"Chantelle", "Ward", "1994-02-11", NULL, NULL, NULL, 0, 3, 0},
        {"Ward", "Ward", "2001-01-01", NULL, NULL, NULL, 0, 3, 0},
        {"Mohammed", "Al-Hassan", "1980-12-12", NULL, "M1 1AE", "M1", 'M', 3,
            0},
    };
    struct seen_token_input in;
    static struct toks t;
    size_t p, i;

    for (p = 0; p < sizeof people / sizeof people[0]; p++) {
        in = input_of(&people[p]);
        if (p == 0) {
            in.other_names = aliases;
            in.n_other_names = 4;
        }
        t.n = seen_tokens_make(tk, &in, t.t, SEEN_TOKENS_MAX);
        ck_assert_uint_gt(t.n, 5);
        for (i = 0; i < t.n; i++) {
            ck_assert_uint_gt(t.t[i * SEEN_TOKEN_ITEM], 0);
            ck_assert_uint_le(t.t[i * SEEN_TOKEN_ITEM], SEEN_RULE_MAX);
        }
        for (i = 1; i < t.n; i++)
            ck_assert_msg(memcmp(t.t + (i - 1) * SEEN_TOKEN_ITEM,
                              t.t + i * SEEN_TOKEN_ITEM, SEEN_TOKEN_ITEM) < 0,
                "person %zu: token %zu is not above token %zu", p, i, i - 1);
    }
}
END_TEST

START_TEST(test_person_with_only_an_nhs_number_gets_the_nhs_token)
{
    static const struct person p = {
        NULL, NULL, NULL, NHS_A, NULL, NULL, 0, 0, 0};
    const char *fields[] = {NHS_A};
    uint8_t sub[32], want[16];
    static struct toks t;

    make(tk, &p, &t);
    ck_assert_uint_eq(t.n, 1);
    ck_assert_uint_eq(t.t[0], SEEN_RULE_NHS);
    /* The token is the keyed BLAKE2b of the number under rule 1's
     * subkey, crypto_kdf_derive_from_key(match_key, 1, "seentokn"). */
    ck_assert_int_eq(crypto_kdf_derive_from_key(
                         sub, sizeof sub, SEEN_RULE_NHS, "seentokn", match_key),
        0);
    ck_assert_int_eq(seen_token(want, sub, fields, 1), 0);
    /* Of which only the first SEEN_TOKEN_MATCH bytes count: the rest is
     * zero (match/tokens.h). */
    ck_assert_mem_eq(t.t + 1, want, SEEN_TOKEN_MATCH);
    ck_assert(sodium_is_zero(t.t + 1 + SEEN_TOKEN_MATCH,
        16 - SEEN_TOKEN_MATCH));
    /* No name, no Bloom filter. */
    ck_assert(sodium_is_zero(t.bloom, SEEN_BLOOM_BYTES));
}
END_TEST

/* Does ${t} hold the token of ${rule} over the fields ${f}? */
static int
has_token(const struct toks *t, unsigned int rule, const char *const *f,
    size_t n)
{
    uint8_t sub[32], want[16];
    size_t i;

    ck_assert_int_eq(crypto_kdf_derive_from_key(
                         sub, sizeof sub, rule, "seentokn", match_key),
        0);
    ck_assert_int_eq(seen_token(want, sub, f, n), 0);
    for (i = 0; i < t->n; i++)
        if (t->t[i * SEEN_TOKEN_ITEM] == rule &&
            memcmp(t->t + i * SEEN_TOKEN_ITEM + 1, want, SEEN_TOKEN_MATCH) ==
                0)
            return 1;
    return 0;
}

/* A date before 1970 is a negative day: its windows are numbered below
 * zero, rounded down, in decimal with a '-' (docs/protocol.md, WIN). */
START_TEST(test_windows_of_a_date_before_1970_are_numbered_below_zero)
{
    static const struct person p = {
        "Dean", "Holt", "1965-03-12", NULL, NULL, NULL, 'M', 3, 0};
    static struct toks t;

    /* Day -1756: of 732 days, windows -3 and (-1756 + 366) / 732 -> -2;
     * of 2 days, -878 and -878. */
    make(tk, &p, &t);
    ck_assert(has_token(&t, SEEN_RULE_F_DOB_YEARS,
        (const char *[]){"0", "-3"}, 2));
    ck_assert(has_token(&t, SEEN_RULE_F_DOB_YEARS,
        (const char *[]){"1", "-2"}, 2));
    ck_assert(has_token(&t, SEEN_RULE_F_DOB_NEAR,
        (const char *[]){"0", "-878"}, 2));
    ck_assert(has_token(&t, SEEN_RULE_F_DOB_NEAR,
        (const char *[]){"1", "-878"}, 2));
}
END_TEST

START_TEST(test_two_people_with_one_nhs_number_share_only_that_token)
{
    static const struct person a = {
        "Mia", "Ward", "2020-09-30", NHS_A, NULL, NULL, 'F', 2, 0};
    static const struct person b = {
        "Dean", "Holt", "1989-05-02", NHS_A, NULL, NULL, 'M', 3, 0};
    static struct toks ta, tb;
    size_t i, j, shared = 0;

    make(tk, &a, &ta);
    make(tk, &b, &tb);
    for (i = 0; i < ta.n; i++)
        for (j = 0; j < tb.n; j++) {
            /* The name-frequency classes (45-48) are shared by everyone
             * with a common name, by design. */
            if (ta.t[i * 17] >= SEEN_RULE_F_GIVEN_COMMON &&
                ta.t[i * 17] <= SEEN_RULE_F_FAMILY_VCOMMON)
                continue;
            if (memcmp(ta.t + i * 17, tb.t + j * 17, 17) == 0) {
                shared++;
                ck_assert_uint_eq(ta.t[i * 17], SEEN_RULE_NHS);
            }
        }
    ck_assert_uint_eq(shared, 1);
}
END_TEST

START_TEST(test_nothing_to_match_on_gives_no_tokens_and_an_empty_filter)
{
    static const struct person none = {
        NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0};
    static const struct person junk = {
        "123", "!!!", NULL, "", "", "", 'U', 0, 0};
    struct seen_token_input in;
    static struct toks t;

    in = input_of(&none);
    ck_assert_uint_eq(seen_tokens_make(tk, &in, t.t, SEEN_TOKENS_MAX), 0);
    ck_assert_uint_eq(seen_bloom_make(tk, &in, t.bloom), 0);
    ck_assert(sodium_is_zero(t.bloom, SEEN_BLOOM_BYTES));
    /* Names that do not normalise count as no name. */
    in = input_of(&junk);
    ck_assert_uint_eq(seen_tokens_make(tk, &in, t.t, SEEN_TOKENS_MAX), 0);
    ck_assert_uint_eq(seen_bloom_make(tk, &in, t.bloom), 0);
}
END_TEST

START_TEST(test_tokens_never_write_past_max)
{
    struct seen_token_input in = input_of(&chantelle);
    uint8_t buf[5 * SEEN_TOKEN_ITEM + 64];
    size_t n, i;

    memset(buf, 0xee, sizeof buf);
    n = seen_tokens_make(tk, &in, buf, 5);
    ck_assert_uint_le(n, 5);
    ck_assert_uint_gt(n, 0);
    for (i = 5 * SEEN_TOKEN_ITEM; i < sizeof buf; i++)
        ck_assert_uint_eq(buf[i], 0xee);
    for (i = 1; i < n; i++)
        ck_assert_int_lt(memcmp(buf + (i - 1) * 17, buf + i * 17, 17), 0);
}
END_TEST

START_TEST(test_shielded_person_gets_no_address_bearing_token)
{
    static const struct person open = {
        "Chantelle", "Ward", "1994-02-11", NULL, "RG1 5DF", "RG1", 'F', 3, 0};
    static const struct person shielded = {
        "Chantelle", "Ward", "1994-02-11", NULL, "RG1 5DF", "RG1", 'F', 3, 1};
    static const unsigned int addr[] = {SEEN_RULE_NAME_YOB_DIST,
        SEEN_RULE_GIVEN_DOB, SEEN_RULE_F_POSTCODE, SEEN_RULE_F_DISTRICT};
    static struct toks o, s;
    size_t i, j;

    make(tk, &open, &o);
    make(tk, &shielded, &s);
    for (i = 0; i < 4; i++) {
        ck_assert_msg(tu_count_rule(o.t, o.n, addr[i]) == 1,
            "unshielded person lacks rule %u", addr[i]);
        ck_assert_msg(tu_count_rule(s.t, s.n, addr[i]) == 0,
            "shielded person has rule %u (%s)", addr[i],
            seen_rule_name(addr[i]));
    }
    /* Everything else is the same: the shielded tokens are the others
     * less exactly those four. */
    ck_assert_uint_eq(s.n + 4, o.n);
    for (i = 0, j = 0; i < o.n; i++) {
        unsigned int r = o.t[i * 17];

        if (r == addr[0] || r == addr[1] || r == addr[2] || r == addr[3])
            continue;
        ck_assert_uint_lt(j, s.n);
        ck_assert_mem_eq(o.t + i * 17, s.t + j * 17, 17);
        j++;
    }
    ck_assert_uint_eq(j, s.n);
    /* The name filter carries no address and is the same. */
    ck_assert_mem_eq(o.bloom, s.bloom, SEEN_BLOOM_BYTES);
}
END_TEST

START_TEST(test_rule_names_and_blocking_rules)
{

    ck_assert_str_eq(seen_rule_name(SEEN_RULE_NHS), "nhs");
    ck_assert_str_eq(seen_rule_name(SEEN_RULE_NAME_DOB), "name_dob");
    ck_assert_str_eq(seen_rule_name(0), "unknown");
    ck_assert_str_eq(seen_rule_name(31), "unknown");
    ck_assert_str_eq(seen_rule_name(1000), "unknown");
    ck_assert_int_eq(seen_rule_is_block(0), 0);
    ck_assert_int_eq(seen_rule_is_block(SEEN_RULE_NHS), 1);
    ck_assert_int_eq(seen_rule_is_block(SEEN_RULE_GIVEN_DOB), 1);
    ck_assert_int_eq(seen_rule_is_block(SEEN_RULE_F_GIVEN), 0);
    ck_assert_int_eq(seen_rule_is_block(SEEN_RULE_MAX), 0);
    ck_assert_str_eq(seen_band_name(SEEN_BAND_MATCH), "match");
    ck_assert_str_eq(seen_band_name(SEEN_BAND_POSSIBLE), "possible");
    ck_assert_str_eq(seen_band_name(SEEN_BAND_NO), "no");
}
END_TEST

/* ---- the hard cases of matching ---- */

START_TEST(test_same_details_on_both_sides_is_a_match)
{
    struct seen_score s = score("same person", &chantelle, &chantelle);

    ck_assert_int_eq(s.band, SEEN_BAND_MATCH);
    ck_assert(s.dice == 1.0);
}
END_TEST

START_TEST(test_nickname_bill_and_william_with_same_family_and_dob_is_a_match)
{
    static const struct person a = {
        "Bill", "Turner", "1978-06-21", NULL, NULL, NULL, 'M', 3, 0};
    static const struct person b = {
        "William", "Turner", "1978-06-21", NULL, NULL, NULL, 'M', 3, 0};

    ck_assert_int_eq(score("Bill/William", &a, &b).band, SEEN_BAND_MATCH);
}
END_TEST

START_TEST(
    test_swapped_given_and_family_names_with_same_dob_is_at_least_possible)
{
    static const struct person a = {
        "Ahmed", "Khan", "2009-11-02", NULL, NULL, NULL, 'M', 2, 0};
    static const struct person b = {
        "Khan", "Ahmed", "2009-11-02", NULL, NULL, NULL, 'M', 2, 0};

    ck_assert_int_ge(score("swapped names", &a, &b).band, SEEN_BAND_POSSIBLE);
}
END_TEST

START_TEST(test_day_and_month_swapped_dob_is_a_match)
{
    static const struct person a = {
        "Kayden", "Price", "2012-03-04", NULL, NULL, NULL, 'M', 2, 0};
    static const struct person b = {
        "Kayden", "Price", "2012-04-03", NULL, NULL, NULL, 'M', 2, 0};

    ck_assert_int_eq(score("day/month swapped", &a, &b).band, SEEN_BAND_MATCH);
}
END_TEST

START_TEST(test_hyphenated_family_name_and_one_part_is_at_least_possible)
{
    static const struct person a = {
        "Mia", "Ward-Holt", "2020-09-30", NULL, NULL, NULL, 'F', 2, 0};
    static const struct person b = {
        "Mia", "Ward", "2020-09-30", NULL, NULL, NULL, 'F', 2, 0};

    ck_assert_int_ge(score("Ward-Holt/Ward", &a, &b).band, SEEN_BAND_POSSIBLE);
}
END_TEST

START_TEST(test_typo_in_given_name_is_a_match)
{
    static const struct person a = {
        "Chantelle", "Ward", "1994-02-11", NULL, NULL, NULL, 'F', 3, 0};
    static const struct person b = {
        "Chantele", "Ward", "1994-02-11", NULL, NULL, NULL, 'F', 3, 0};

    ck_assert_int_eq(score("Chantelle/Chantele", &a, &b).band, SEEN_BAND_MATCH);
}
END_TEST

START_TEST(test_two_valid_nhs_numbers_with_same_name_and_dob_is_no)
{
    static const struct person a = {
        "Mia", "Ward", "2020-09-30", NHS_A, "RG1 5DF", "RG1", 'F', 2, 0};
    static const struct person b = {
        "Mia", "Ward", "2020-09-30", NHS_B, "RG1 5DF", "RG1", 'F', 2, 0};

    ck_assert_int_eq(score("two NHS numbers", &a, &b).band, SEEN_BAND_NO);
}
END_TEST

/*
 * Twins share family name, date of birth and address; only the given
 * name tells them apart.  The scorer adds dob +6, family +4 and postcode
 * +3 and takes only 2 for the different given name, so Mia and Ava Ward
 * score 11, above the match threshold of 10: two children merged into
 * one.
 */
START_TEST(
    test_twins_with_same_family_dob_and_postcode_are_not_a_match)
{
    static const struct person a = {
        "Mia", "Ward", "2020-09-30", NULL, "RG1 5DF", "RG1", 'F', 2, 0};
    static const struct person b = {
        "Ava", "Ward", "2020-09-30", NULL, "RG1 5DF", "RG1", 'F', 2, 0};

    ck_assert_int_lt(score("twins Mia/Ava", &a, &b).band, SEEN_BAND_MATCH);
}
END_TEST

START_TEST(test_twins_with_different_sex_are_not_a_match)
{
    static const struct person a = {
        "Mia", "Ward", "2020-09-30", NULL, "RG1 5DF", "RG1", 'F', 2, 0};
    static const struct person b = {
        "Leo", "Ward", "2020-09-30", NULL, "RG1 5DF", "RG1", 'M', 2, 0};

    ck_assert_int_lt(score("twins Mia/Leo", &a, &b).band, SEEN_BAND_MATCH);
}
END_TEST

START_TEST(test_mother_and_child_with_same_family_and_postcode_are_no)
{
    static const struct person a = {
        "Chantelle", "Ward", "1994-02-11", NULL, "RG1 5DF", "RG1", 'F', 3, 0};
    static const struct person b = {
        "Mia", "Ward", "2020-09-30", NULL, "RG1 5DF", "RG1", 'F', 2, 0};

    ck_assert_int_eq(score("mother/child", &a, &b).band, SEEN_BAND_NO);
}
END_TEST

START_TEST(test_siblings_two_years_apart_are_no)
{
    static const struct person a = {
        "Mia", "Ward", "2020-09-30", NULL, "RG1 5DF", "RG1", 'F', 2, 0};
    static const struct person b = {
        "Jayden", "Ward", "2018-07-14", NULL, "RG1 5DF", "RG1", 'M', 2, 0};
    static const struct person c = {
        "Ava", "Ward", "2018-09-30", NULL, "RG1 5DF", "RG1", 'F', 2, 0};

    ck_assert_int_eq(score("siblings Mia/Jayden", &a, &b).band, SEEN_BAND_NO);
    ck_assert_int_eq(score("siblings Mia/Ava", &a, &c).band, SEEN_BAND_NO);
}
END_TEST

/* Issue 4 decides what this should be; the suite records what it is. */
START_TEST(test_common_name_and_dob_in_different_places_reports_its_band)
{
    static const struct person a = {
        "John", "Smith", "1990-01-01", NULL, "RG1 5DF", "RG1", 'M', 3, 0};
    static const struct person b = {
        "John", "Smith", "1990-01-01", NULL, "M1 1AE", "M1", 'M', 3, 0};
    struct seen_score s = score("common name and dob, two towns", &a, &b);

    printf("common name and dob, different places, nothing else: band %s "
           "(weight %.2f)\n",
        seen_band_name(s.band), s.weight);
    ck_assert_int_le(s.band, SEEN_BAND_MATCH);
    ck_assert_int_ge(s.band, SEEN_BAND_NO);
}
END_TEST

START_TEST(test_score_does_not_depend_on_which_side_is_first)
{
    static const struct person people[] = {
        {"Bill", "Turner", "1978-06-21", NULL, NULL, NULL, 'M', 3, 0},
        {"William", "Turner", "1978-06-21", NHS_A, "RG1 5DF", "RG1", 'M', 3, 0},
        {"Khan", "Ahmed", "2009-11-02", NULL, NULL, NULL, 'M', 2, 0},
        {"Ahmed", "Khan", "2009-11-02", NHS_B, "M1 1AE", "M1", 'M', 2, 0},
        {"Mia", "Ward-Holt", "2020-09-30", NULL, "RG1 5DF", "RG1", 'F', 2, 0},
        {"Mia", "Ward", "2020-03-09", NHS_A, NULL, NULL, 'F', 2, 0},
        {"Chantele", "Ward", "1994-02-11", NULL, "RG1 5DF", "RG1", 'F', 3, 0},
    };
    const size_t n = sizeof people / sizeof people[0];
    struct seen_score_side sa, sb;
    struct seen_score ab, ba;
    static struct toks ta, tb;
    size_t i, j, k;

    for (i = 0; i < n; i++) {
        for (j = 0; j < n; j++) {
            make(tk, &people[i], &ta);
            make(tk, &people[j], &tb);
            sa = (struct seen_score_side){
                ta.t, ta.n, ta.bloom, people[i].birth_band};
            sb = (struct seen_score_side){
                tb.t, tb.n, tb.bloom, people[j].birth_band};
            seen_score_pair(&sa, &sb, &ab);
            seen_score_pair(&sb, &sa, &ba);
            ck_assert_msg(ab.weight == ba.weight, "%zu/%zu: %f vs %f", i, j,
                ab.weight, ba.weight);
            ck_assert_int_eq(ab.band, ba.band);
            ck_assert_uint_eq(ab.nwhy, ba.nwhy);
            for (k = 0; k < ab.nwhy; k++)
                ck_assert_str_eq(ab.why[k], ba.why[k]);
        }
    }
}
END_TEST

START_TEST(test_score_without_filters_reports_no_dice)
{
    static struct toks ta;
    struct seen_score_side sa;
    struct seen_score s;

    make(tk, &chantelle, &ta);
    sa = (struct seen_score_side){ta.t, ta.n, NULL, 3};
    seen_score_pair(&sa, &sa, &s);
    ck_assert(s.dice == -1);
    ck_assert_int_eq(s.band, SEEN_BAND_MATCH);
    ck_assert_uint_gt(s.nwhy, 0);
    ck_assert_str_eq(s.why[0], "NHS number agrees");
}
END_TEST

/* ---- Bloom filters and Dice ---- */

static void
bloom_of(const char *given, const char *family, uint8_t out[SEEN_BLOOM_BYTES])
{
    struct person p = {given, family, NULL, NULL, NULL, NULL, 0, 0, 0};
    struct seen_token_input in = input_of(&p);
    unsigned int bits, pop = 0;
    size_t i;

    bits = seen_bloom_make(tk, &in, out);
    for (i = 0; i < SEEN_BLOOM_BYTES; i++)
        pop += (unsigned int)__builtin_popcount(out[i]);
    ck_assert_uint_eq(bits, pop);
}

START_TEST(test_dice_of_identical_filters_is_one)
{
    uint8_t a[SEEN_BLOOM_BYTES], b[SEEN_BLOOM_BYTES];

    bloom_of("Chantelle", "Ward", a);
    bloom_of("CHANTELLE", "ward", b);
    ck_assert_mem_eq(a, b, SEEN_BLOOM_BYTES);
    ck_assert(!sodium_is_zero(a, SEEN_BLOOM_BYTES));
    ck_assert(seen_bloom_dice(a, a) == 1.0);
    ck_assert(seen_bloom_dice(a, b) == 1.0);
}
END_TEST

START_TEST(test_dice_of_names_sharing_no_bigram_is_low)
{
    uint8_t a[SEEN_BLOOM_BYTES], b[SEEN_BLOOM_BYTES];
    double d;

    /* " MIA WARD " and " ZOE LUCK " share no bigram. */
    bloom_of("Mia", "Ward", a);
    bloom_of("Zoe", "Luck", b);
    d = seen_bloom_dice(a, b);
    printf("dice of Mia Ward and Zoe Luck: %.3f\n", d);
    ck_assert(d < 0.3);
    ck_assert(d >= 0);
}
END_TEST

START_TEST(test_dice_orders_similar_names_above_different_ones)
{
    uint8_t a[SEEN_BLOOM_BYTES], b[SEEN_BLOOM_BYTES], c[SEEN_BLOOM_BYTES];
    double close, far;

    bloom_of("Chantelle", "Ward", a);
    bloom_of("Chantele", "Ward", b);
    bloom_of("Dean", "Holt", c);
    close = seen_bloom_dice(a, b);
    far = seen_bloom_dice(a, c);
    ck_assert(close > 0.85);
    ck_assert(close < 1.0);
    ck_assert(far < 0.5);
}
END_TEST

START_TEST(test_dice_of_empty_filters_is_zero)
{
    uint8_t z[SEEN_BLOOM_BYTES] = {0}, a[SEEN_BLOOM_BYTES];

    bloom_of("Mia", "Ward", a);
    ck_assert(seen_bloom_dice(z, z) == 0.0);
    ck_assert(seen_bloom_dice(z, a) == 0.0);
    ck_assert(seen_bloom_dice(a, z) == 0.0);
}
END_TEST

START_TEST(test_dice_is_symmetric)
{
    static const char *names[][2] = {{"Mia", "Ward"}, {"Ava", "Ward"},
        {"Chantelle", "Ward"}, {"Dean", "Holt"}, {"William", "Turner"},
        {"Bill", "Turner"}, {"Mia", "Ward-Holt"}, {NULL, "Smith"}};
    const size_t n = sizeof names / sizeof names[0];
    uint8_t f[8][SEEN_BLOOM_BYTES];
    size_t i, j;

    for (i = 0; i < n; i++)
        bloom_of(names[i][0], names[i][1], f[i]);
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++) {
            ck_assert(
                seen_bloom_dice(f[i], f[j]) == seen_bloom_dice(f[j], f[i]));
            ck_assert(seen_bloom_dice(f[i], f[j]) <= 1.0);
        }
}
END_TEST

START_TEST(test_bloom_filter_depends_on_the_match_key)
{
    struct seen_tokenizer *other;
    struct person p = {"Mia", "Ward", NULL, NULL, NULL, NULL, 0, 0, 0};
    struct seen_token_input in = input_of(&p);
    uint8_t key2[32], a[SEEN_BLOOM_BYTES], b[SEEN_BLOOM_BYTES];

    randombytes_buf(key2, sizeof key2);
    ck_assert_ptr_nonnull(other = seen_tokenizer_new(key2, 0));
    seen_bloom_make(tk, &in, a);
    seen_bloom_make(other, &in, b);
    ck_assert_mem_ne(a, b, SEEN_BLOOM_BYTES);
    seen_tokenizer_destroy(&other);
}
END_TEST

Suite *
tokens_suite(void)
{
    Suite *s = suite_create("match_tokens");
    TCase *tc;

    tc = tcase_create("tokens");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_tokens_are_deterministic_for_one_key_and_input);
    tcase_add_test(tc, test_tokens_differ_under_another_match_key);
    tcase_add_test(tc, test_tokens_are_sorted_and_without_duplicates);
    tcase_add_test(
        tc, test_windows_of_a_date_before_1970_are_numbered_below_zero);
    tcase_add_test(tc, test_person_with_only_an_nhs_number_gets_the_nhs_token);
    tcase_add_test(
        tc, test_two_people_with_one_nhs_number_share_only_that_token);
    tcase_add_test(
        tc, test_nothing_to_match_on_gives_no_tokens_and_an_empty_filter);
    tcase_add_test(tc, test_tokens_never_write_past_max);
    tcase_add_test(tc, test_shielded_person_gets_no_address_bearing_token);
    tcase_add_test(tc, test_rule_names_and_blocking_rules);
    suite_add_tcase(s, tc);

    tc = tcase_create("hard_cases");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_same_details_on_both_sides_is_a_match);
    tcase_add_test(
        tc, test_nickname_bill_and_william_with_same_family_and_dob_is_a_match);
    tcase_add_test(tc,
        test_swapped_given_and_family_names_with_same_dob_is_at_least_possible);
    tcase_add_test(tc, test_day_and_month_swapped_dob_is_a_match);
    tcase_add_test(
        tc, test_hyphenated_family_name_and_one_part_is_at_least_possible);
    tcase_add_test(tc, test_typo_in_given_name_is_a_match);
    tcase_add_test(tc, test_two_valid_nhs_numbers_with_same_name_and_dob_is_no);
    tcase_add_test(tc,
        test_twins_with_same_family_dob_and_postcode_are_not_a_match);
    tcase_add_test(tc, test_twins_with_different_sex_are_not_a_match);
    tcase_add_test(
        tc, test_mother_and_child_with_same_family_and_postcode_are_no);
    tcase_add_test(tc, test_siblings_two_years_apart_are_no);
    tcase_add_test(
        tc, test_common_name_and_dob_in_different_places_reports_its_band);
    tcase_add_test(tc, test_score_does_not_depend_on_which_side_is_first);
    tcase_add_test(tc, test_score_without_filters_reports_no_dice);
    suite_add_tcase(s, tc);

    tc = tcase_create("bloom");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_dice_of_identical_filters_is_one);
    tcase_add_test(tc, test_dice_of_names_sharing_no_bigram_is_low);
    tcase_add_test(tc, test_dice_orders_similar_names_above_different_ones);
    tcase_add_test(tc, test_dice_of_empty_filters_is_zero);
    tcase_add_test(tc, test_dice_is_symmetric);
    tcase_add_test(tc, test_bloom_filter_depends_on_the_match_key);
    suite_add_tcase(s, tc);

    return s;
}
