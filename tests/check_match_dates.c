/*
 * check_match_dates.c: dates written wrong and unborn children
 * (match/tokens.c rules 15, 16, 49, 50; match/score.c's date weights),
 * through the whole path: seen_tokens_make and seen_bloom_make on each
 * side under a real key, then seen_score_pair, and blocking by the
 * tokens.  Each kind of mistake links what it must and not what it must
 * not.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "match/normalise.h"
#include "match/score.h"
#include "match/tokens.h"

#include "tests/suites.h"
#include "tests/testutil.h"

static struct seen_tokenizer *tk;

static void
setup(void)
{
    uint8_t key[32];

    randombytes_buf(key, sizeof key);
    ck_assert_ptr_nonnull(tk = seen_tokenizer_new(key, 1));
}

static void
teardown(void)
{

    seen_tokenizer_destroy(&tk);
}

/* One person as a test describes them: no identifier, so that only the
 * names, the dates and the place decide. */
struct person {
    const char *given, *family;
    const char *dob, *due;  /* YYYY-MM-DD or NULL */
    const char *postcode;   /* and its district, "RG1" */
    unsigned int band;      /* 1 unborn, 2 child, 3 adult */
};

struct toks {
    uint8_t t[SEEN_TOKENS_MAX * SEEN_TOKEN_ITEM];
    size_t n;
    uint8_t bloom[SEEN_BLOOM_BYTES];
};

static void
make(const struct person *p, struct toks *o)
{
    struct seen_token_input in;

    memset(&in, 0, sizeof in);
    in.given = p->given;
    in.family = p->family;
    if (p->dob != NULL) {
        ck_assert_int_eq(seen_date_parse(p->dob, &in.dob), 0);
        in.has_dob = 1;
    }
    if (p->due != NULL) {
        ck_assert_int_eq(seen_date_parse(p->due, &in.due), 0);
        in.has_due = 1;
    }
    in.postcode = p->postcode;
    in.district = p->postcode != NULL ? "RG1" : NULL;
    memset(o, 0, sizeof *o);
    o->n = seen_tokens_make(tk, &in, o->t, SEEN_TOKENS_MAX);
    seen_bloom_make(tk, &in, o->bloom);
}

/* 1 when ${a} and ${b} share a token of ${rule}. */
static int
share(const struct toks *a, const struct toks *b, unsigned int rule)
{
    size_t i, j;

    for (i = 0; i < a->n; i++)
        for (j = 0; j < b->n; j++)
            if (a->t[i * SEEN_TOKEN_ITEM] == rule &&
                memcmp(a->t + i * SEEN_TOKEN_ITEM, b->t + j * SEEN_TOKEN_ITEM,
                    SEEN_TOKEN_ITEM) == 0)
                return 1;
    return 0;
}

/* 1 when ${a} and ${b} share a blocking token (would be compared). */
static int
compared(const struct toks *a, const struct toks *b)
{
    unsigned int r;

    for (r = 1; r < SEEN_RULE_FIELD_BASE; r++)
        if (share(a, b, r))
            return 1;
    return 0;
}

/* Score ${a} against ${b} (and ${b} against ${a}: the same), print it,
 * and return it; *${cand} (unless NULL) says whether they are compared. */
static struct seen_score
score(const char *label, const struct person *a, const struct person *b,
    int *cand)
{
    static struct toks ta, tb;
    struct seen_score_side sa, sb;
    struct seen_score s, r;
    size_t i;

    make(a, &ta);
    make(b, &tb);
    sa = (struct seen_score_side){ta.t, ta.n, ta.bloom, a->band};
    sb = (struct seen_score_side){tb.t, tb.n, tb.bloom, b->band};
    seen_score_pair(&sa, &sb, &s);
    seen_score_pair(&sb, &sa, &r);
    ck_assert(s.weight == r.weight);
    if (cand != NULL)
        *cand = compared(&ta, &tb);
    printf("dates: %s: %s, weight %.2f:", label, seen_band_name(s.band),
        s.weight);
    for (i = 0; i < s.nwhy; i++)
        printf("%s %s", i ? ";" : "", s.why[i]);
    printf("\n");
    fflush(stdout);
    return s;
}

#define NEAR "dates of birth a day apart"
#define DIGITS "date of birth agrees with two digits transposed"
#define YEAR "date of birth agrees but for the year"
#define DUE "born near the expected due date"

/* ---- one-day slips ---- */

START_TEST(test_dob_a_day_off_links_when_nothing_else_differs)
{
    static const struct person a = {
        "Bethan", "Brown", "1993-05-02", NULL, "RG1 5DF", 3};
    static const struct person b = {
        "Bethan", "Brown", "1993-05-03", NULL, "RG1 5DF", 3};
    /* Across the end of a month and of a year, too. */
    static const struct person c = {
        "Dimitar", "Georgiev", "1999-12-31", NULL, "RG1 5DF", 3};
    static const struct person d = {
        "Dimitar", "Georgiev", "2000-01-01", NULL, "RG1 5DF", 3};
    struct seen_score s;
    int cand;

    s = score("a day off", &a, &b, &cand);
    ck_assert(cand);
    ck_assert(tu_says(&s, NEAR));
    ck_assert_int_eq(s.band, SEEN_BAND_MATCH);
    s = score("a day off, new year", &c, &d, &cand);
    ck_assert(cand);
    ck_assert(tu_says(&s, NEAR));
    ck_assert_int_eq(s.band, SEEN_BAND_MATCH);
}
END_TEST

START_TEST(test_dob_two_days_off_is_not_a_slip)
{
    static const struct person a = {
        "Bethan", "Brown", "1993-05-02", NULL, "RG1 5DF", 3};
    static const struct person b = {
        "Bethan", "Brown", "1993-05-04", NULL, "RG1 5DF", 3};
    struct seen_score s = score("two days off", &a, &b, NULL);

    ck_assert(!tu_says(&s, NEAR));
    ck_assert_int_ne(s.band, SEEN_BAND_MATCH);
}
END_TEST

START_TEST(test_twins_born_either_side_of_midnight_stay_apart)
{
    static const struct person a = {
        "Oliver", "Brown", "2019-06-15", NULL, "RG2 7AB", 2};
    static const struct person b = {
        "Harry", "Brown", "2019-06-16", NULL, "RG2 7AB", 2};
    struct seen_score s = score("twins a day apart", &a, &b, NULL);

    ck_assert(tu_says(&s, NEAR));
    ck_assert_int_eq(s.band, SEEN_BAND_NO);
}
END_TEST

/* ---- transposed digits ---- */

START_TEST(test_dob_with_two_digits_transposed_links)
{
    /* The day's digits (12 -> 21) and the year's (1987 -> 1978). */
    static const struct person a = {
        "Connor", "Lewis", "1987-03-12", NULL, "RG1 5DF", 3};
    static const struct person b = {
        "Connor", "Lewis", "1987-03-21", NULL, "RG1 5DF", 3};
    static const struct person c = {
        "Connor", "Lewis", "1978-03-12", NULL, "RG1 5DF", 3};
    struct seen_score s;
    int cand;

    s = score("day digits transposed", &a, &b, &cand);
    ck_assert(cand);
    ck_assert(tu_says(&s, DIGITS));
    ck_assert_int_eq(s.band, SEEN_BAND_MATCH);
    s = score("year digits transposed", &a, &c, &cand);
    ck_assert(cand);
    ck_assert(tu_says(&s, DIGITS));
    ck_assert_int_eq(s.band, SEEN_BAND_MATCH);
}
END_TEST

START_TEST(test_dob_with_other_digits_is_not_a_transposition)
{
    static const struct person a = {
        "Connor", "Lewis", "1987-03-12", NULL, "RG1 5DF", 3};
    static const struct person b = {
        "Connor", "Lewis", "1987-03-22", NULL, "RG1 5DF", 3};
    struct seen_score s = score("another day", &a, &b, NULL);

    ck_assert(!tu_says(&s, DIGITS));
    ck_assert(!tu_says(&s, NEAR));
    ck_assert_int_ne(s.band, SEEN_BAND_MATCH);
}
END_TEST

/* ---- a wrong year digit ---- */

START_TEST(test_dob_with_a_wrong_year_digit_is_compared_and_not_held_against)
{
    /* A nickname, so that no rule with the whole date or the names alone
     * brings the two together. */
    static const struct person a = {
        "Rebecca", "Green", "1955-11-12", NULL, "RG1 5DF", 3};
    static const struct person b = {
        "Becky", "Green", "1954-11-12", NULL, "RG1 5DF", 3};
    static const struct person c = {
        "Rebecca", "Green", "1954-11-12", NULL, "RG1 5DF", 3};
    struct seen_score s;
    int cand;

    s = score("wrong year, nickname", &a, &b, &cand);
    ck_assert(cand);
    ck_assert(tu_says(&s, YEAR));
    /* A little for (a date of another year counts -6): with common names
     * and a postcode, a link. */
    s = score("wrong year", &a, &c, NULL);
    ck_assert(tu_says(&s, YEAR));
    ck_assert_int_eq(s.band, SEEN_BAND_MATCH);
}
END_TEST

START_TEST(test_adult_father_and_son_with_one_name_and_birthday_stay_apart)
{
    /* Both adults: the birth bands do not tell them apart, the years
     * must. */
    static const struct person dad = {
        "Darius", "Okafor", "1960-05-12", NULL, "RG1 5DF", 3};
    static const struct person son = {
        "Darius", "Okafor", "1990-05-12", NULL, "RG1 5DF", 3};
    static const struct person ten = {
        "Darius", "Okafor", "1970-05-12", NULL, "RG1 5DF", 3};
    struct seen_score s;

    s = score("adult father and son, one birthday", &dad, &son, NULL);
    ck_assert(!tu_says(&s, YEAR));
    ck_assert_int_ne(s.band, SEEN_BAND_MATCH);
    /* A year off by ten is not told from a father's either. */
    s = score("a year off by ten", &dad, &ten, NULL);
    ck_assert(!tu_says(&s, YEAR));
    ck_assert_int_ne(s.band, SEEN_BAND_MATCH);
}
END_TEST

START_TEST(test_father_and_son_with_one_birthday_stay_apart)
{
    static const struct person dad = {
        "John", "Smith", "1980-05-12", NULL, "RG1 5DF", 3};
    static const struct person son = {
        "John", "Smith", "2010-05-12", NULL, "RG1 5DF", 2};
    struct seen_score s = score("father and son, one birthday", &dad, &son,
        NULL);

    ck_assert_int_eq(s.band, SEEN_BAND_NO);
    ck_assert(s.weight < -10.0);
}
END_TEST

/* ---- day and month swapped, and a missing date ---- */

START_TEST(test_day_month_swap_with_a_nickname_is_compared)
{
    static const struct person a = {
        "Katherine", "Clarke", "2015-03-04", NULL, "RG1 5DF", 2};
    static const struct person b = {
        "Kate", "Clarke", "2015-04-03", NULL, "RG1 5DF", 2};
    int cand;
    struct seen_score s = score("swap and nickname", &a, &b, &cand);

    ck_assert(cand);
    ck_assert_int_eq(s.band, SEEN_BAND_MATCH);
}
END_TEST

START_TEST(test_missing_dob_weighs_nothing_either_way)
{
    static const struct person a = {
        "Rebecca", "Green", "1955-11-12", NULL, "RG1 5DF", 3};
    static const struct person b = {"Rebecca", "Green", NULL, NULL,
        "RG1 5DF", 0};
    struct seen_score s = score("missing date", &a, &b, NULL);
    size_t i;

    for (i = 0; i < s.nwhy; i++)
        ck_assert_ptr_null(strstr(s.why[i], "date"));
}
END_TEST

/* ---- unborn to born ---- */

static const struct person unborn = {
    NULL, "Lane", NULL, "2025-05-30", "RG30 2AB", 1};

START_TEST(test_unborn_links_to_the_child_born_near_the_due_date)
{
    static const struct person isla = {
        "Isla", "Lane", "2025-06-09", NULL, "RG30 2AB", 2};
    static const struct person early = {
        "Isla", "Lane", "2025-05-14", NULL, "RG30 2AB", 2};
    struct seen_score s;
    int cand;

    s = score("born ten days late", &unborn, &isla, &cand);
    ck_assert(cand);
    ck_assert(tu_says(&s, DUE));
    ck_assert_int_eq(s.band, SEEN_BAND_MATCH);
    s = score("born sixteen days early", &unborn, &early, &cand);
    ck_assert(cand);
    ck_assert_int_eq(s.band, SEEN_BAND_MATCH);
}
END_TEST

START_TEST(test_unborn_does_not_link_to_an_older_sibling_or_the_mother)
{
    static const struct person alfie = {
        "Alfie", "Lane", "2023-02-10", NULL, "RG30 2AB", 2};
    static const struct person later = {
        "Alfie", "Lane", "2025-07-15", NULL, "RG30 2AB", 2};
    static const struct person mother = {
        "Sophie", "Lane", "1995-05-30", NULL, "RG30 2AB", 3};
    struct seen_score s;

    s = score("older sibling", &unborn, &alfie, NULL);
    ck_assert(!tu_says(&s, DUE));
    ck_assert_int_ne(s.band, SEEN_BAND_MATCH);
    s = score("born 46 days after", &unborn, &later, NULL);
    ck_assert(!tu_says(&s, DUE));
    ck_assert_int_ne(s.band, SEEN_BAND_MATCH);
    s = score("mother", &unborn, &mother, NULL);
    ck_assert(!tu_says(&s, DUE));
    ck_assert_int_ne(s.band, SEEN_BAND_MATCH);
}
END_TEST

START_TEST(test_unborn_near_due_with_another_family_name_is_no)
{
    static const struct person other = {
        "Isla", "Hughes", "2025-06-01", NULL, "RG30 2AB", 2};
    struct seen_score s = score("another family", &unborn, &other, NULL);

    ck_assert(!tu_says(&s, DUE));
    ck_assert_int_ne(s.band, SEEN_BAND_MATCH);
}
END_TEST

START_TEST(test_two_records_of_one_unborn_child_link_without_an_address)
{
    static const struct person a = {NULL, "Lane", NULL, "2025-05-30", NULL, 1};
    static const struct person b = {
        NULL, "Lane", NULL, "2025-05-30", "RG30 2AB", 1};
    static const struct person c = {
        NULL, "Lane", NULL, "2026-04-02", "RG30 2AB", 1};
    struct seen_score s;

    s = score("one unborn child", &a, &b, NULL);
    ck_assert_int_eq(s.band, SEEN_BAND_MATCH);
    /* The next pregnancy is another child. */
    s = score("the next pregnancy", &b, &c, NULL);
    ck_assert_int_ne(s.band, SEEN_BAND_MATCH);
}
END_TEST

/* ---- the tokens ---- */

START_TEST(test_date_tokens_come_last_and_an_entry_keeps_the_limit)
{
    static const struct person a = {
        "Bethan", "Brown", "1993-05-02", NULL, "RG1 5DF", 3};
    static struct toks t;
    size_t i, near = 0, win = 0, digits = 0, md = 0, years = 0;

    make(&a, &t);
    ck_assert_uint_le(t.n, SEEN_TOKENS_MAX);
    for (i = 0; i < t.n; i++) {
        near += t.t[i * SEEN_TOKEN_ITEM] == SEEN_RULE_F_DOB_NEAR;
        win += t.t[i * SEEN_TOKEN_ITEM] == SEEN_RULE_FAMILY_WINDOW;
        digits += t.t[i * SEEN_TOKEN_ITEM] == SEEN_RULE_F_DOB_DIGITS;
        md += t.t[i * SEEN_TOKEN_ITEM] == SEEN_RULE_FAMILY_MD;
        years += t.t[i * SEEN_TOKEN_ITEM] == SEEN_RULE_F_DOB_YEARS;
    }
    ck_assert_uint_eq(near, 2);
    ck_assert_uint_eq(win, 2);
    ck_assert_uint_eq(digits, 1);
    ck_assert_uint_eq(md, 1);
    ck_assert_uint_eq(years, 2);
    ck_assert_int_eq(seen_rule_is_block(SEEN_RULE_FAMILY_WINDOW), 1);
    ck_assert_int_eq(seen_rule_is_block(SEEN_RULE_FAMILY_MD), 1);
    ck_assert_int_eq(seen_rule_is_block(SEEN_RULE_F_DOB_NEAR), 0);
    ck_assert_str_eq(seen_rule_name(SEEN_RULE_F_DOB_DIGITS), "dob_digits");
    /* With room for fewer, the date tokens go first. */
    memset(&t, 0, sizeof t);
    {
        struct seen_token_input in;
        size_t n;

        memset(&in, 0, sizeof in);
        in.given = a.given;
        in.family = a.family;
        ck_assert_int_eq(seen_date_parse(a.dob, &in.dob), 0);
        in.has_dob = 1;
        n = seen_tokens_make(tk, &in, t.t, SEEN_TOKENS_MAX);
        ck_assert_uint_gt(n, 8);
        ck_assert_uint_eq(seen_tokens_make(tk, &in, t.t, n - 8), n - 8);
        for (i = 0; i < n - 8; i++) {
            unsigned int r = t.t[i * SEEN_TOKEN_ITEM];

            ck_assert(r != SEEN_RULE_F_DOB_NEAR &&
                r != SEEN_RULE_F_DOB_DIGITS && r != SEEN_RULE_F_DOB_YEARS &&
                r != SEEN_RULE_FAMILY_MD && r != SEEN_RULE_FAMILY_WINDOW);
        }
    }
}
END_TEST

START_TEST(test_scorer_ignores_rules_it_does_not_know)
{
    static const struct person a = {
        "Bethan", "Brown", "1993-05-02", NULL, "RG1 5DF", 3};
    static const struct person b = {
        "Bethan", "Brown", "1993-05-03", NULL, NULL, 3};
    static struct toks ta, tb;
    struct seen_score_side sa, sb;
    struct seen_score s0, s1;
    unsigned int rule;

    make(&a, &ta);
    make(&b, &tb);
    sa = (struct seen_score_side){ta.t, ta.n, ta.bloom, 3};
    sb = (struct seen_score_side){tb.t, tb.n, tb.bloom, 3};
    seen_score_pair(&sa, &sb, &s0);
    /* Rules no version defines, agreeing on one side and differing on
     * the other (appended in order: they are the highest). */
    for (rule = 60; rule <= 63 && ta.n < SEEN_TOKENS_MAX &&
         tb.n < SEEN_TOKENS_MAX;
         rule++) {
        ta.t[ta.n * SEEN_TOKEN_ITEM] = (uint8_t)rule;
        tb.t[tb.n * SEEN_TOKEN_ITEM] = (uint8_t)rule;
        memset(ta.t + ta.n * SEEN_TOKEN_ITEM + 1, 0x11, 16);
        memset(tb.t + tb.n * SEEN_TOKEN_ITEM + 1, rule & 1 ? 0x11 : 0x22,
            16);
        ta.n++;
        tb.n++;
    }
    sa.ntokens = ta.n;
    sb.ntokens = tb.n;
    seen_score_pair(&sa, &sb, &s1);
    ck_assert(s0.weight == s1.weight);
    ck_assert_uint_eq(s0.nwhy, s1.nwhy);
}
END_TEST

/* ---- levels ---- */

/* Each way two dates of birth differ is a level of the date comparison,
 * and the weight of each level is what the scorer adds for it: with the
 * names and the place agreeing, the weight is the sum of the levels'. */
START_TEST(test_each_date_outcome_is_a_level_with_its_weight)
{
    static const struct {
        const char *dob;
        unsigned int level;
    } v[] = {{"2019-05-06", 1}, {"2019-06-05", 2}, {"2019-05-07", 3},
        {"2018-05-06", 5}, {"2019-09-21", 6}, {"2011-01-02", 7}, {NULL, 0}};
    struct person a = {"Kayden", "Marsh", "2019-05-06", NULL, "RG1 5DF", 2};
    struct person b = a;
    struct seen_score sc;
    double sum;
    size_t i, k;

    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        b.dob = v[i].dob;
        sc = score("levels", &a, &b, NULL);
        ck_assert_uint_eq(sc.level[SEEN_CMP_DOB], v[i].level);
        ck_assert_uint_eq(sc.level[SEEN_CMP_GIVEN], 1);
        ck_assert_uint_eq(sc.level[SEEN_CMP_FAMILY], 1);
        ck_assert_uint_eq(sc.level[SEEN_CMP_PLACE], 1);
        ck_assert_uint_eq(sc.level[SEEN_CMP_NHS], 0);
        for (k = 0, sum = 0; k < SEEN_CMP_COUNT; k++) {
            ck_assert_uint_lt(sc.level[k], seen_score_levels((unsigned)k));
            sum += seen_score_level_weight((unsigned)k, sc.level[k]);
        }
        ck_assert_msg(sum == sc.weight, "%s: levels %.2f, weight %.2f",
            v[i].dob ? v[i].dob : "none", sum, sc.weight);
    }
    /* Two digits transposed (the day 03 written 30). */
    a.dob = "2019-12-03";
    b.dob = "2019-12-30";
    sc = score("levels", &a, &b, NULL);
    ck_assert_uint_eq(sc.level[SEEN_CMP_DOB], 4);
    ck_assert_str_eq(seen_score_level_name(SEEN_CMP_DOB, 4),
        "two digits transposed");
    ck_assert_ptr_null(seen_score_level_name(SEEN_CMP_DOB, 10));
    ck_assert_ptr_null(seen_cmp_name(SEEN_CMP_COUNT));
}
END_TEST

Suite *
match_dates_suite(void)
{
    Suite *s = suite_create("match_dates");
    TCase *tc = tcase_create("dates");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_dob_a_day_off_links_when_nothing_else_differs);
    tcase_add_test(tc, test_dob_two_days_off_is_not_a_slip);
    tcase_add_test(tc, test_twins_born_either_side_of_midnight_stay_apart);
    tcase_add_test(tc, test_dob_with_two_digits_transposed_links);
    tcase_add_test(tc, test_dob_with_other_digits_is_not_a_transposition);
    tcase_add_test(tc,
        test_dob_with_a_wrong_year_digit_is_compared_and_not_held_against);
    tcase_add_test(tc, test_father_and_son_with_one_birthday_stay_apart);
    tcase_add_test(tc,
        test_adult_father_and_son_with_one_name_and_birthday_stay_apart);
    tcase_add_test(tc, test_day_month_swap_with_a_nickname_is_compared);
    tcase_add_test(tc, test_missing_dob_weighs_nothing_either_way);
    tcase_add_test(tc, test_unborn_links_to_the_child_born_near_the_due_date);
    tcase_add_test(tc,
        test_unborn_does_not_link_to_an_older_sibling_or_the_mother);
    tcase_add_test(tc, test_unborn_near_due_with_another_family_name_is_no);
    tcase_add_test(tc,
        test_two_records_of_one_unborn_child_link_without_an_address);
    tcase_add_test(tc, test_date_tokens_come_last_and_an_entry_keeps_the_limit);
    tcase_add_test(tc, test_scorer_ignores_rules_it_does_not_know);
    tcase_add_test(tc, test_each_date_outcome_is_a_level_with_its_weight);
    suite_add_tcase(s, tc);
    return s;
}
