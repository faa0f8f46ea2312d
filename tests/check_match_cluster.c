/*
 * check_match_cluster.c: constrained clustering of index entries into
 * persons (match/cluster.[ch]).  Entries are made the way the indexer
 * makes them (seen_tokens_make, seen_bloom_make under a real key), the
 * candidate links are the pairs that share a blocking token, scored with
 * seen_score_pair, and the persons must come out the same whatever order
 * the entries and links are given in.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "match/cluster.h"
#include "match/collective.h"
#include "match/normalise.h"
#include "match/score.h"
#include "match/tokens.h"

#include "tests/suites.h"

#define NHS_A "9434765919" /* valid mod-11 check digits */
#define NHS_B "4010232137"
#define NHS_C "9990001236"
#define MAXE 64

static struct seen_tokenizer *tk;

static void
setup(void)
{
    uint8_t key[32];

    randombytes_buf(key, sizeof key);
    ck_assert_ptr_nonnull(tk = seen_tokenizer_new(key, 1));
    sodium_memzero(key, sizeof key);
}

static void
teardown(void)
{

    seen_tokenizer_destroy(&tk);
    tk = NULL;
}

/* One index entry as a test describes it. */
struct ent {
    const char *rec;  /* record: entries of one record share a group */
    const char *who;  /* the person it really is (never shown to the code) */
    const char *given, *family, *dob, *nhs, *postcode, *district;
    char sex;
    unsigned int band; /* 0 unknown, 2 child, 3 adult */
    const char *upn, *pnc;
};

/* Entries, their tokens and the candidate links between them. */
struct set {
    size_t n, nlinks;
    struct seen_cluster_item items[MAXE];
    uint8_t tok[MAXE][SEEN_TOKENS_MAX * SEEN_TOKEN_ITEM];
    uint8_t bloom[MAXE][SEEN_BLOOM_BYTES];
    const struct ent *src[MAXE];
    struct seen_cluster_link links[MAXE * MAXE];
    uint32_t label[MAXE];
};

static int
share_block(const struct seen_cluster_item *x, const struct seen_cluster_item *y)
{
    size_t i, j;

    for (i = 0; i < x->ntokens; i++) {
        if (!seen_rule_is_block(x->tokens[i * SEEN_TOKEN_ITEM]))
            continue;
        for (j = 0; j < y->ntokens; j++)
            if (memcmp(x->tokens + i * SEEN_TOKEN_ITEM,
                    y->tokens + j * SEEN_TOKEN_ITEM, SEEN_TOKEN_ITEM) == 0)
                return 1;
    }
    return 0;
}

static double
weight(const struct seen_cluster_item *x, const struct seen_cluster_item *y)
{
    struct seen_score_side a = {x->tokens, x->ntokens, x->bloom, x->birth_band};
    struct seen_score_side b = {y->tokens, y->ntokens, y->bloom, y->birth_band};
    struct seen_score s;

    seen_score_pair(&a, &b, &s);
    return s.weight;
}

/* Make the entries of ${e} (${n} of them) and link every pair that
 * shares a blocking token. */
static void
build(struct set *s, const struct ent *e, size_t n)
{
    struct seen_token_input in;
    char h[128];
    size_t i, j;

    ck_assert_uint_le(n, MAXE);
    memset(s, 0, sizeof *s);
    s->n = n;
    for (i = 0; i < n; i++) {
        struct seen_cluster_item *it = &s->items[i];

        memset(&in, 0, sizeof in);
        in.given = e[i].given;
        in.family = e[i].family;
        if (e[i].dob != NULL) {
            ck_assert_int_eq(seen_date_parse(e[i].dob, &in.dob), 0);
            in.has_dob = 1;
        }
        in.sex = e[i].sex;
        in.nhs = e[i].nhs;
        in.upn = e[i].upn;
        in.pnc = e[i].pnc;
        in.postcode = e[i].postcode;
        in.district = e[i].district;
        it->ntokens = seen_tokens_make(tk, &in, s->tok[i], SEEN_TOKENS_MAX);
        it->tokens = s->tok[i];
        seen_bloom_make(tk, &in, s->bloom[i]);
        it->bloom = s->bloom[i];
        it->birth_band = e[i].band;
        /* Origin: one of three nodes; handle from the record and slot. */
        snprintf(h, sizeof h, "node-%zu", i % 3);
        crypto_generichash(it->id, 32, (const uint8_t *)h, strlen(h), NULL,
            0);
        snprintf(h, sizeof h, "%s/%zu", e[i].rec, i);
        crypto_generichash(it->id + 32, 16, (const uint8_t *)h, strlen(h),
            NULL, 0);
        crypto_generichash(it->group, 16, (const uint8_t *)e[i].rec,
            strlen(e[i].rec), NULL, 0);
        s->src[i] = &e[i];
    }
    for (i = 0; i < n; i++)
        for (j = i + 1; j < n; j++)
            if (share_block(&s->items[i], &s->items[j]))
                s->links[s->nlinks++] = (struct seen_cluster_link){
                    (uint32_t)i, (uint32_t)j,
                    weight(&s->items[i], &s->items[j])};
}

static void
run(struct set *s)
{

    ck_assert_int_eq(
        seen_cluster_run(s->items, s->n, s->links, s->nlinks, s->label), 0);
}

/* Index of the entry whose ${who} and ${rec} are given. */
static size_t
find(const struct set *s, const char *who, const char *rec)
{
    size_t i;

    for (i = 0; i < s->n; i++)
        if (strcmp(s->src[i]->who, who) == 0 &&
            strcmp(s->src[i]->rec, rec) == 0)
            return i;
    ck_abort_msg("no entry for %s in %s", who, rec);
    return 0;
}

/* Every person is exactly one cluster: entries of one person share a
 * label and entries of two persons never do. */
static void
assert_persons(const struct set *s)
{
    size_t i, j;

    for (i = 0; i < s->n; i++)
        for (j = i + 1; j < s->n; j++) {
            int same = strcmp(s->src[i]->who, s->src[j]->who) == 0;

            ck_assert_msg(same == (s->label[i] == s->label[j]),
                "%s (%s %s, %s) and %s (%s %s, %s) are %s, but were %s",
                s->src[i]->who, s->src[i]->given ? s->src[i]->given : "-",
                s->src[i]->family ? s->src[i]->family : "-", s->src[i]->rec,
                s->src[j]->who, s->src[j]->given ? s->src[j]->given : "-",
                s->src[j]->family ? s->src[j]->family : "-", s->src[j]->rec,
                same ? "one person" : "two people",
                same ? "split" : "merged");
        }
}

/* A labelling is well formed: each label is the entry of smallest id in
 * its own cluster. */
static void
assert_labels_well_formed(const struct set *s)
{
    size_t i;

    for (i = 0; i < s->n; i++) {
        ck_assert_uint_lt(s->label[i], s->n);
        ck_assert_uint_eq(s->label[s->label[i]], s->label[i]);
        ck_assert_int_le(memcmp(s->items[s->label[i]].id, s->items[i].id,
                             SEEN_CLUSTER_ID_BYTES),
            0);
    }
}

/*
 * A household known to four agencies, and its hard cases: the mother
 * (recorded five ways), twins with the same date of birth and address,
 * their older brother, their father; twins of another family with a long
 * family name; a father and son of the same name, with an entry of that
 * name and no date of birth between them.
 */
static const struct ent household[] = {
    /* Police incident: everyone. */
    {"police-1", "mother", "Chantelle", "WARD", "1994-02-11", NULL,
        "RG1 5DF", "RG1", 'F', 3, NULL, NULL},
    {"police-1", "father", "Dean", "HOLT", "1989-05-02", NULL, "RG1 5DF",
        "RG1", 'M', 3, NULL, NULL},
    {"police-1", "mia", "Mia", "WARD", "2020-09-30", NULL, "RG1 5DF", "RG1",
        'F', 2, NULL, NULL},
    {"police-1", "ava", "Ava", "WARD", "2020-09-30", NULL, "RG1 5DF", "RG1",
        'F', 2, NULL, NULL},
    {"police-1", "jayden", "Jayden", "WARD", "2018-07-14", NULL, "RG1 5DF",
        "RG1", 'M', 2, NULL, NULL},
    /* Health visitor: the mother (a typo) and the twins, with NHS
     * numbers. */
    {"health-1", "mother", "Chantele", "Ward", "1994-02-11", NHS_A,
        "RG1 5DF", "RG1", 'F', 3, NULL, NULL},
    {"health-1", "mia", "Mia", "Ward", "2020-09-30", NHS_B, "RG1 5DF", "RG1",
        'F', 2, NULL, NULL},
    {"health-1", "ava", "Ava", "Ward", "2020-09-30", NHS_C, "RG1 5DF", "RG1",
        'F', 2, NULL, NULL},
    /* Social care: mother under her double-barrelled name, father,
     * children. */
    {"care-1", "mother", "Chantelle", "Ward-Holt", "1994-02-11", NHS_A,
        NULL, NULL, 'F', 3, NULL, NULL},
    {"care-1", "father", "Dean", "Holt", "1989-05-02", NULL, NULL, NULL, 'M',
        3, NULL, NULL},
    {"care-1", "mia", "Mia", "Ward", "2020-09-30", NHS_B, NULL, NULL, 'F',
        2, NULL, NULL},
    {"care-1", "ava", "Ava", "Ward", "2020-09-30", NULL, NULL, NULL, 'F', 2, NULL, NULL},
    {"care-1", "jayden", "Jayden", "Ward", "2018-07-14", NULL, NULL, NULL,
        'M', 2, NULL, NULL},
    /* School: names swapped for the mother, who is the parent here. */
    {"school-1", "mother", "Ward", "Chantelle", "1994-02-11", NULL,
        "RG1 5DF", "RG1", 'F', 3, NULL, NULL},
    {"school-1", "jayden", "Jayden", "Ward", "2018-07-14", NULL, "RG1 5DF",
        "RG1", 'M', 2, NULL, NULL},
    /* Probation: the mother with day and month swapped. */
    {"probation-1", "mother", "Chantelle", "Ward", "1994-11-02", NULL,
        "RG1 5DF", "RG1", 'F', 3, NULL, NULL},
    {"probation-1", "father", "Dean", "Holt", "1989-05-02", NULL, "RG1 5DF",
        "RG1", 'M', 3, NULL, NULL},
    /* Twins of another family, with a long family name. */
    {"police-2", "olivia", "Olivia", "Richardson-Whitfield", "2016-04-03",
        NULL, "M1 1AE", "M1", 'F', 2, NULL, NULL},
    {"police-2", "amelia", "Amelia", "Richardson-Whitfield", "2016-04-03",
        NULL, "M1 1AE", "M1", 'F', 2, NULL, NULL},
    {"health-2", "olivia", "Olivia", "Richardson-Whitfield", "2016-04-03",
        NULL, "M1 1AE", "M1", 'F', 2, NULL, NULL},
    {"health-2", "amelia", "Amelia", "Richardson-Whitfield", "2016-04-03",
        NULL, "M1 1AE", "M1", 'F', 2, NULL, NULL},
    /* Father and son of one name at one address. */
    {"police-3", "john-sr", "Jago", "TRELAWNY", "1980-05-01", NULL, "LS1 4AP",
        "LS1", 'M', 3, NULL, NULL},
    {"police-4", "john-jr", "Jago", "TRELAWNY", "2010-03-02", NULL, "LS1 4AP",
        "LS1", 'M', 2, NULL, NULL},
    {"health-3", "john-jr", "Jago", "Trelawny", "2010-03-02", NULL, "LS1 4AP",
        "LS1", 'M', 2, NULL, NULL},
};
#define NHOUSEHOLD (sizeof household / sizeof household[0])

/* The same household, and "John Smith" with no date of birth, who could
 * be either. */
static const struct ent middle = {
    "probation-3", "john-?", "Jago", "Trelawny", NULL, NULL, "LS1 4AP", "LS1",
    'M', 0, NULL, NULL};

static uint64_t
xorshift(uint64_t *s)
{

    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* ---- tests ---- */

START_TEST(test_household_gives_one_cluster_per_person)
{
    static struct set s;

    build(&s, household, NHOUSEHOLD);
    run(&s);
    assert_labels_well_formed(&s);
    assert_persons(&s);
}
END_TEST

START_TEST(test_mother_seen_in_five_records_with_variations_is_one_person)
{
    static const char *recs[] = {
        "police-1", "health-1", "care-1", "school-1", "probation-1"};
    static struct set s;
    size_t i, m0;

    build(&s, household, NHOUSEHOLD);
    run(&s);
    m0 = find(&s, "mother", recs[0]);
    for (i = 1; i < 5; i++)
        ck_assert_uint_eq(s.label[find(&s, "mother", recs[i])], s.label[m0]);
}
END_TEST

START_TEST(test_twins_siblings_and_mother_and_child_stay_apart)
{
    static const char *kids[] = {"mia", "ava", "jayden"};
    static struct set s;
    size_t i, j;

    build(&s, household, NHOUSEHOLD);
    run(&s);
    for (i = 0; i < 3; i++) {
        ck_assert_uint_ne(s.label[find(&s, kids[i], "police-1")],
            s.label[find(&s, "mother", "police-1")]);
        for (j = i + 1; j < 3; j++)
            ck_assert_uint_ne(s.label[find(&s, kids[i], "care-1")],
                s.label[find(&s, kids[j], "care-1")]);
    }
    /* The twins of one record are two people, and so are their entries
     * at health, which share a family name, a date of birth, an address
     * and no group. */
    ck_assert_uint_ne(s.label[find(&s, "mia", "health-1")],
        s.label[find(&s, "ava", "police-1")]);
    ck_assert_uint_ne(s.label[find(&s, "olivia", "health-2")],
        s.label[find(&s, "amelia", "police-2")]);
    ck_assert_uint_eq(s.label[find(&s, "olivia", "health-2")],
        s.label[find(&s, "olivia", "police-2")]);
}
END_TEST

START_TEST(test_chaining_through_a_weak_middle_entry_is_cut)
{
    static struct ent e[NHOUSEHOLD + 1];
    static struct set s;
    size_t sr, jr, jr2, mid, i;
    int found_ab = 0, found_bc = 0;

    memcpy(e, household, sizeof household);
    e[NHOUSEHOLD] = middle;
    build(&s, e, NHOUSEHOLD + 1);
    sr = find(&s, "john-sr", "police-3");
    jr = find(&s, "john-jr", "police-4");
    jr2 = find(&s, "john-jr", "health-3");
    mid = find(&s, "john-?", "probation-3");
    /* The middle entry links to both in the match band... */
    for (i = 0; i < s.nlinks; i++) {
        uint32_t a = s.links[i].a, b = s.links[i].b;

        if (s.links[i].weight < SEEN_CLUSTER_MERGE_AT)
            continue;
        found_ab |= (a == sr && b == mid) || (a == mid && b == sr);
        found_bc |= (a == jr && b == mid) || (a == mid && b == jr);
    }
    ck_assert(found_ab && found_bc);
    /* ...while father and son contradict each other outright. */
    ck_assert(weight(&s.items[sr], &s.items[jr]) <
        SEEN_CLUSTER_CONTRADICTION);
    run(&s);
    ck_assert_uint_ne(s.label[sr], s.label[jr]);
    ck_assert_uint_eq(s.label[jr], s.label[jr2]);
    ck_assert(s.label[mid] == s.label[sr] || s.label[mid] == s.label[jr]);
}
END_TEST

START_TEST(test_chaining_is_cut_whichever_link_comes_first)
{
    static struct ent e[3];
    static struct set s;
    size_t k;

    e[0] = household[NHOUSEHOLD - 3]; /* John Smith senior */
    e[1] = middle;
    e[2] = household[NHOUSEHOLD - 2]; /* John Smith junior */
    build(&s, e, 3);
    /* Links of equal weight: only the ids decide which is taken first. */
    s.nlinks = 2;
    s.links[0] = (struct seen_cluster_link){0, 1, 12.0};
    s.links[1] = (struct seen_cluster_link){1, 2, 12.0};
    for (k = 0; k < 2; k++) {
        run(&s);
        ck_assert_uint_ne(s.label[0], s.label[2]);
        ck_assert(s.label[1] == s.label[0] || s.label[1] == s.label[2]);
        /* The same the other way round. */
        s.links[0] = (struct seen_cluster_link){1, 2, 12.0};
        s.links[1] = (struct seen_cluster_link){0, 1, 12.0};
    }
}
END_TEST

START_TEST(test_two_entries_of_one_record_never_merge)
{
    /* A record that names the same details twice (a data-entry slip, or
     * twins given one name), and the same details in another record. */
    static const struct ent e[] = {
        {"care-9", "x", "Mia", "Ward", "2020-09-30", NULL, "RG1 5DF", "RG1",
            'F', 2, NULL, NULL},
        {"care-9", "y", "Mia", "Ward", "2020-09-30", NULL, "RG1 5DF", "RG1",
            'F', 2, NULL, NULL},
        {"police-9", "x", "Mia", "Ward", "2020-09-30", NULL, "RG1 5DF", "RG1",
            'F', 2, NULL, NULL},
    };
    static struct set s;

    build(&s, e, 3);
    ck_assert_uint_eq(s.nlinks, 3);
    ck_assert(s.links[0].weight >= SEEN_CLUSTER_MERGE_AT);
    run(&s);
    ck_assert_uint_ne(s.label[0], s.label[1]);
    /* The third joins exactly one of them. */
    ck_assert((s.label[2] == s.label[0]) != (s.label[2] == s.label[1]));
}
END_TEST

START_TEST(test_one_person_never_holds_two_nhs_numbers)
{
    /* Same details, the same UPN and PNC id, but two NHS numbers; and an
     * entry with none that links to both.  The direct score of the two is
     * no outright contradiction (the shared identifiers outweigh the NHS
     * numbers), so only the NHS rule keeps them apart. */
    static const struct ent e[] = {
        {"health-8", "a", "Mia", "Ward", "2020-09-30", NHS_A, "RG1 5DF",
            "RG1", 'F', 2, "A801200005001", "2011/0234567F"},
        {"care-8", "b", "Mia", "Ward", "2020-09-30", NHS_B, "RG1 5DF", "RG1",
            'F', 2, "A801200005001", "2011/0234567F"},
        {"police-8", "?", "Mia", "Ward", "2020-09-30", NULL, "RG1 5DF", "RG1",
            'F', 2, NULL, NULL},
    };
    static struct set s;

    build(&s, e, 3);
    ck_assert(weight(&s.items[0], &s.items[1]) >= SEEN_CLUSTER_CONTRADICTION);
    s.nlinks = 0;
    s.links[s.nlinks++] = (struct seen_cluster_link){0, 1, 99.0};
    s.links[s.nlinks++] = (struct seen_cluster_link){0, 2, 20.0};
    s.links[s.nlinks++] = (struct seen_cluster_link){1, 2, 20.0};
    run(&s);
    ck_assert_uint_ne(s.label[0], s.label[1]);
    ck_assert(s.label[2] == s.label[0] || s.label[2] == s.label[1]);
}
END_TEST

START_TEST(test_unborn_as_close_to_twins_joins_neither)
{
    /* An unborn child (no given name, no date of birth) and the twins
     * born of that pregnancy, named in one record: whichever twin the
     * ids would pick, the link is a guess. */
    static const struct ent e[] = {
        {"health-u", "?", NULL, "Lane", NULL, NULL, "RG30 2AB", "RG30", 0,
            1, NULL, NULL},
        {"care-t", "isla", "Isla", "Lane", "2025-06-05", NULL, "RG30 2AB",
            "RG30", 'F', 2, NULL, NULL},
        {"care-t", "ella", "Ella", "Lane", "2025-06-05", NULL, "RG30 2AB",
            "RG30", 'F', 2, NULL, NULL},
    };
    static struct set s;
    size_t k;

    build(&s, e, 3);
    for (k = 0; k < 2; k++) {
        s.nlinks = 0;
        s.links[s.nlinks++] = (struct seen_cluster_link){0, k ? 2 : 1, 11.0};
        s.links[s.nlinks++] = (struct seen_cluster_link){0, k ? 1 : 2, 11.0};
        run(&s);
        ck_assert_uint_ne(s.label[1], s.label[2]);
        ck_assert_uint_ne(s.label[0], s.label[1]);
        ck_assert_uint_ne(s.label[0], s.label[2]);
    }
    /* One closer than the other: the unborn child joins that one. */
    s.links[0].weight = 11.5;
    run(&s);
    ck_assert_uint_eq(s.label[0], s.label[2]);
    /* A born entry tied in the same way joins one of them, as before. */
    s.items[0].birth_band = 2;
    s.links[0].weight = 11.0;
    run(&s);
    ck_assert(s.label[0] == s.label[1] || s.label[0] == s.label[2]);
}
END_TEST

START_TEST(test_links_below_the_match_band_never_merge)
{
    /* One child in three records: every pair would merge at its real
     * weight. */
    const struct ent e[] = {household[2], household[6], household[10]};
    static struct set s;
    size_t i;

    build(&s, e, 3);
    ck_assert_uint_eq(s.nlinks, 3);
    s.nlinks = 0;
    s.links[s.nlinks++] = (struct seen_cluster_link){0, 1, 9.99};
    s.links[s.nlinks++] = (struct seen_cluster_link){1, 2, -1.0};
    /* Bad links are ignored, not trusted. */
    s.links[s.nlinks++] = (struct seen_cluster_link){0, 0, 50.0};
    s.links[s.nlinks++] = (struct seen_cluster_link){0, 7, 50.0};
    s.links[s.nlinks++] = (struct seen_cluster_link){1, 2, NAN};
    run(&s);
    for (i = 0; i < 3; i++)
        ck_assert_uint_eq(s.label[i], i);
    ck_assert_int_eq(seen_cluster_run(s.items, 0, NULL, 0, s.label), 0);
}
END_TEST

START_TEST(test_persons_do_not_depend_on_the_order_of_entries_or_links)
{
    static struct ent e[NHOUSEHOLD + 1];
    static struct set base, p;
    uint8_t want[MAXE][SEEN_CLUSTER_ID_BYTES];
    size_t perm[MAXE], inv[MAXE], i, j, t, round;
    uint64_t rng = 0x9e3779b97f4a7c15ull;
    struct seen_cluster_link l;

    memcpy(e, household, sizeof household);
    e[NHOUSEHOLD] = middle;
    build(&base, e, NHOUSEHOLD + 1);
    /* Ties: two more links of one weight through the middle entry. */
    base.links[base.nlinks++] = (struct seen_cluster_link){
        (uint32_t)find(&base, "john-sr", "police-3"),
        (uint32_t)find(&base, "john-?", "probation-3"), 11.0};
    base.links[base.nlinks++] = (struct seen_cluster_link){
        (uint32_t)find(&base, "john-jr", "health-3"),
        (uint32_t)find(&base, "john-?", "probation-3"), 11.0};
    run(&base);
    for (i = 0; i < base.n; i++)
        memcpy(want[i], base.items[base.label[i]].id, SEEN_CLUSTER_ID_BYTES);

    for (round = 0; round < 300; round++) {
        /* Shuffle the entries (Fisher-Yates)... */
        for (i = 0; i < base.n; i++)
            perm[i] = i;
        for (i = base.n - 1; i > 0; i--) {
            j = (size_t)(xorshift(&rng) % (i + 1));
            t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        memset(&p, 0, sizeof p);
        p.n = base.n;
        for (i = 0; i < base.n; i++) {
            p.items[i] = base.items[perm[i]];
            inv[perm[i]] = i;
        }
        /* ...renumber the links, with their ends in either order... */
        p.nlinks = base.nlinks;
        for (i = 0; i < base.nlinks; i++) {
            uint32_t a = (uint32_t)inv[base.links[i].a];
            uint32_t b = (uint32_t)inv[base.links[i].b];

            if ((a > b) != (round % 3 == 0)) {
                uint32_t x = a;

                a = b;
                b = x;
            }
            p.links[i] = (struct seen_cluster_link){a, b, base.links[i].weight};
        }
        /* ...and shuffle them. */
        for (i = p.nlinks - 1; i > 0; i--) {
            j = (size_t)(xorshift(&rng) % (i + 1));
            l = p.links[i];
            p.links[i] = p.links[j];
            p.links[j] = l;
        }
        ck_assert_int_eq(
            seen_cluster_run(p.items, p.n, p.links, p.nlinks, p.label), 0);
        for (i = 0; i < base.n; i++)
            ck_assert_msg(memcmp(p.items[p.label[inv[i]]].id, want[i],
                              SEEN_CLUSTER_ID_BYTES) == 0,
                "round %zu: entry %zu has another person", round, i);
    }
}
END_TEST

/* Evidence from the people around a person (match/collective.h): a boy
 * named without his date of birth in one record is lifted to the same boy
 * in another record beside the same mother, and then is one person;
 * twins beside their mother (their given names differ), a namesake beside
 * another adult, and two people of one record are not lifted. */
static const struct ent kin[] = {
    {"A", "leanne", "Leanne", "Marsh", "1990-03-04", NULL, NULL, NULL, 'F',
        3, NULL, NULL},
    {"A", "kayden", "Kayden", "Marsh", NULL, NULL, NULL, NULL, 0, 0, NULL,
        NULL},
    {"B", "leanne", "Leanne", "Marsh", "1990-03-04", NULL, NULL, NULL, 'F',
        3, NULL, NULL},
    {"B", "kayden", "Kayden", "Marsh", "2019-05-06", NULL, NULL, NULL, 0, 2,
        NULL, NULL},
    {"C", "gemma", "Gemma", "Pryce", "1988-07-08", NULL, NULL, NULL, 'F', 3,
        NULL, NULL},
    {"C", "amber", "Amber", "Pryce", "2018-01-02", NULL, NULL, NULL, 'F', 2,
        NULL, NULL},
    {"D", "gemma", "Gemma", "Pryce", "1988-07-08", NULL, NULL, NULL, 'F', 3,
        NULL, NULL},
    {"D", "jade", "Jade", "Pryce", "2018-01-02", NULL, NULL, NULL, 'F', 2,
        NULL, NULL},
    {"E", "other", "Dean", "Holt", "1985-01-01", NULL, NULL, NULL, 'M', 3,
        NULL, NULL},
    {"E", "kayden2", "Kayden", "Marsh", NULL, NULL, NULL, NULL, 0, 0, NULL,
        NULL},
};

#define NKIN (sizeof kin / sizeof kin[0])

/* The index of the link between ${x} and ${y} in ${s}. */
static size_t
link_of(const struct set *s, size_t x, size_t y)
{
    size_t i;

    for (i = 0; i < s->nlinks; i++)
        if ((s->links[i].a == x && s->links[i].b == y) ||
            (s->links[i].a == y && s->links[i].b == x))
            return i;
    ck_abort_msg("no link between %zu and %zu", x, y);
    return 0;
}

START_TEST(test_people_around_a_person_lift_a_possible_link)
{
    static struct set s;
    uint8_t sup[MAXE * MAXE];
    size_t ab, twins, ea, i, k, lifted = 0;

    build(&s, kin, NKIN);
    ab = link_of(&s, find(&s, "kayden", "A"), find(&s, "kayden", "B"));
    twins = link_of(&s, find(&s, "amber", "C"), find(&s, "jade", "D"));
    ea = link_of(&s, find(&s, "kayden2", "E"), find(&s, "kayden", "B"));
    /* Each is in the possible band before. */
    for (k = 0; k < 3; k++) {
        i = k == 0 ? ab : k == 1 ? twins : ea;
        ck_assert(s.links[i].weight >= SEEN_COLLECTIVE_FROM);
        ck_assert(s.links[i].weight < SEEN_CLUSTER_MERGE_AT);
    }
    ck_assert_int_eq(
        seen_collective_support(s.items, s.n, s.links, s.nlinks, sup), 0);
    ck_assert_uint_eq(sup[ab], 1);
    ck_assert_uint_eq(sup[twins], 0);
    ck_assert_uint_eq(sup[ea], 0);
    for (i = 0; i < s.nlinks; i++) {
        lifted += sup[i];
        if (sup[i])
            s.links[i].weight += SEEN_COLLECTIVE_BONUS;
    }
    /* The boy of A, lifted to B's; E's namesake is lifted to him through
     * neither record. */
    ck_assert_uint_eq(lifted, 1);
    run(&s);
    ck_assert_uint_eq(s.label[find(&s, "kayden", "A")],
        s.label[find(&s, "kayden", "B")]);
    ck_assert_uint_ne(s.label[find(&s, "amber", "C")],
        s.label[find(&s, "jade", "D")]);
}
END_TEST

Suite *
cluster_suite(void)
{
    Suite *s = suite_create("match_cluster");
    TCase *tc;

    tc = tcase_create("cluster");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_household_gives_one_cluster_per_person);
    tcase_add_test(
        tc, test_mother_seen_in_five_records_with_variations_is_one_person);
    tcase_add_test(tc, test_twins_siblings_and_mother_and_child_stay_apart);
    tcase_add_test(tc, test_chaining_through_a_weak_middle_entry_is_cut);
    tcase_add_test(tc, test_chaining_is_cut_whichever_link_comes_first);
    tcase_add_test(tc, test_two_entries_of_one_record_never_merge);
    tcase_add_test(tc, test_one_person_never_holds_two_nhs_numbers);
    tcase_add_test(tc, test_unborn_as_close_to_twins_joins_neither);
    tcase_add_test(tc, test_links_below_the_match_band_never_merge);
    tcase_add_test(
        tc, test_persons_do_not_depend_on_the_order_of_entries_or_links);
    tcase_add_test(tc, test_people_around_a_person_lift_a_possible_link);
    suite_add_tcase(s, tc);
    return s;
}
