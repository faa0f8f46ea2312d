/*
 * check_world.c: a person's world for the chronology (node/matching/
 * world.c): the rules that name a person's relation, the child's voice of
 * a record and what an alert asks for; and, over a real store with two
 * origins, finding a person by id and the people and records of its
 * world, with index metadata only.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/seen.h"
#include "crypto/keys.h"
#include "match/tokens.h"
#include "node/matching/indexer.h"
#include "node/matching/matcher.h"
#include "storage/store.h"
#include "tests/suites.h"
#include "tests/testutil.h"
#include "seen.pb-c.h"

#define BIT(r) (1u << (r))

/* ---- the rules ---- */

START_TEST(test_relation_names_the_people_around_the_subject)
{
    ck_assert_str_eq(
        seen_matcher_relation(0, 0, BIT(SEEN__ROLE__CHILD), 2, 1), "subject");
    /* In the subject's record: the role there decides. */
    ck_assert_str_eq(seen_matcher_relation(1, BIT(SEEN__ROLE__PERPETRATOR),
                         BIT(SEEN__ROLE__PERPETRATOR), 3, 1),
        "perpetrator");
    ck_assert_str_eq(seen_matcher_relation(1, BIT(SEEN__ROLE__ADULT_VICTIM),
                         BIT(SEEN__ROLE__ADULT_VICTIM), 3, 1),
        "parent_or_carer");
    ck_assert_str_eq(
        seen_matcher_relation(1, BIT(SEEN__ROLE__PARENT),
            BIT(SEEN__ROLE__PARENT) | BIT(SEEN__ROLE__PERPETRATOR), 3, 1),
        "parent_or_carer");
    ck_assert_str_eq(seen_matcher_relation(1, BIT(SEEN__ROLE__CHILD),
                         BIT(SEEN__ROLE__CHILD), 2, 1),
        "sibling");
    ck_assert_str_eq(seen_matcher_relation(1, BIT(SEEN__ROLE__UNBORN),
                         BIT(SEEN__ROLE__UNBORN), 1, 1),
        "sibling");
    /* Further away: a perpetrator anywhere, else by age. */
    ck_assert_str_eq(
        seen_matcher_relation(2, 0,
            BIT(SEEN__ROLE__ADULT_VICTIM) | BIT(SEEN__ROLE__PERPETRATOR), 3, 1),
        "perpetrator");
    ck_assert_str_eq(
        seen_matcher_relation(2, 0, BIT(SEEN__ROLE__CHILD), 2, 1), "child");
    ck_assert_str_eq(
        seen_matcher_relation(2, 0, BIT(SEEN__ROLE__CHILD), 0, 1), "child");
    ck_assert_str_eq(
        seen_matcher_relation(2, 0, BIT(SEEN__ROLE__OTHER), 3, 1), "adult");
    ck_assert_str_eq(seen_matcher_relation(1, BIT(SEEN__ROLE__OTHER),
                         BIT(SEEN__ROLE__OTHER), 2, 1),
        "child");
    /* The people of an adult's records: no siblings or carers. */
    ck_assert_str_eq(seen_matcher_relation(1, BIT(SEEN__ROLE__CHILD),
                         BIT(SEEN__ROLE__CHILD), 2, 0),
        "child");
    ck_assert_str_eq(seen_matcher_relation(1, BIT(SEEN__ROLE__ADULT_VICTIM),
                         BIT(SEEN__ROLE__ADULT_VICTIM), 3, 0),
        "adult");
    ck_assert_str_eq(seen_matcher_relation(1, BIT(SEEN__ROLE__PERPETRATOR),
                         BIT(SEEN__ROLE__PERPETRATOR), 3, 0),
        "perpetrator");
    /* ...nor for a victim in the adult's record who harmed elsewhere. */
    ck_assert_str_eq(
        seen_matcher_relation(1, BIT(SEEN__ROLE__ADULT_VICTIM),
            BIT(SEEN__ROLE__ADULT_VICTIM) | BIT(SEEN__ROLE__PERPETRATOR), 3, 0),
        "adult");
}
END_TEST

START_TEST(test_voice_is_missing_where_a_child_was_there_without_it)
{
    ck_assert_str_eq(
        seen_matcher_voice(SEEN__ENTRY_FLAG__FLAG_CHILD_VOICE, 1), "recorded");
    ck_assert_str_eq(
        seen_matcher_voice(SEEN__ENTRY_FLAG__FLAG_CHILD_VOICE |
                               SEEN__ENTRY_FLAG__FLAG_CHILD_PRESENT,
            0),
        "recorded");
    ck_assert_str_eq(
        seen_matcher_voice(SEEN__ENTRY_FLAG__FLAG_CHILD_PRESENT, 0),
        "not_recorded");
    ck_assert_str_eq(seen_matcher_voice(0, 1), "not_recorded");
    ck_assert_str_eq(seen_matcher_voice(SEEN__ENTRY_FLAG__FLAG_SHIELDED, 0),
        "not_applicable");
}
END_TEST

/* What the alert of ${rule} with members in ${las} asks. */
static const char *
asks(const char *rule, const char *const *las, char *buf, size_t len)
{
    json_t *a = json_pack("{s:s, s:[]}", "rule", rule, "members");
    size_t i;

    for (i = 0; las[i] != NULL; i++)
        json_array_append_new(json_object_get(a, "members"),
            json_pack("{s:s}", "local_authority", las[i]));
    seen_matcher_asks(a, buf, len);
    json_decref(a);
    return buf;
}

START_TEST(test_an_alert_asks_for_what_its_rule_needs_where)
{
    static const char *const two[] = {
        "Reading", "Hertfordshire", "Reading", NULL};
    static const char *const three[] = {
        "Reading", "Slough", "Hertfordshire", NULL};
    static const char *const one[] = {"Reading", NULL};
    static const char *const none[] = {NULL};
    char b[600];

    ck_assert_str_eq(asks("perpetrator_multiple_households", two, b, sizeof b),
        "a strategy discussion across Reading and Hertfordshire, for the "
        "children of every household");
    ck_assert_str_eq(
        asks("perpetrator_multiple_households", three, b, sizeof b),
        "a strategy discussion across Reading, Slough and Hertfordshire, for "
        "the children of every household");
    ck_assert_str_eq(asks("perpetrator_multiple_households", one, b, sizeof b),
        "a strategy discussion in Reading, for the children of every "
        "household");
    ck_assert_str_eq(
        asks("child_high_risk_unknown_to_social_care", one, b, sizeof b),
        "a referral to children's social care in Reading");
    ck_assert_ptr_nonnull(
        strstr(asks("dvds_subject_linked_to_child", one, b, sizeof b),
            "Clare's Law disclosure"));
    ck_assert_ptr_nonnull(
        strstr(asks("unborn_linked_to_perpetrator", one, b, sizeof b),
            "pre-birth assessment"));
    ck_assert_str_eq(asks("a_rule_added_later", none, b, sizeof b),
        "a lead's review of the records behind it");
    /* Truncated, never overrun. */
    ck_assert_uint_eq(
        strlen(asks("perpetrator_multiple_households", two, b, 10)), 9);
}
END_TEST

/* ---- a world over a real store ---- */

enum { O_POL, O_SC, NORIGINS };
static const char *const names[NORIGINS] = {
    "thames-valley-police", "reading-social-care"};

#define MIA                                                                    \
    "\"given_name\":\"Mia\",\"family_name\":\"Ward\",\"date_of_birth\":"       \
    "\"2020-09-30\",\"nhs_number\":\"943 476 5919\""
#define DEAN                                                                   \
    "\"given_name\":\"Dean\",\"family_name\":\"Holt\",\"date_of_birth\":"      \
    "\"1989-05-02\",\"pnc_id\":\"2011/0234567F\""
static const struct {
    int o;
    const char *line;
} records[] = {
    {O_SC, "{\"id\":\"SC1\",\"kind\":\"child_in_need_assessment\",\"date\":"
           "\"2026-01-15\",\"local_authority\":\"Reading\",\"child_voice\":"
           "\"I want my mum to be safe\",\"people\":[{\"ref\":\"c1\","
           "\"role\":\"child\"," MIA "}]}"},
    {O_POL, "{\"id\":\"P2\",\"kind\":\"dvds_disclosure\",\"date\":"
            "\"2025-09-10\",\"local_authority\":\"Reading\",\"dvds\":"
            "\"right_to_know\",\"people\":[{\"ref\":\"s1\",\"role\":"
            "\"perpetrator\"," DEAN "},{\"ref\":\"a1\",\"role\":"
            "\"adult_victim\",\"given_name\":\"Kayleigh\",\"family_name\":"
            "\"Brennan\",\"date_of_birth\":\"1997-07-21\"}]}"},
    {O_POL, "{\"id\":\"P1\",\"kind\":\"domestic_abuse_incident\",\"date\":"
            "\"2025-06-14\",\"local_authority\":\"Reading\",\"risk\":\"high\","
            "\"child_present\":true,\"shielded\":true,\"people\":["
            "{\"ref\":\"c1\",\"role\":\"child\"," MIA "},{\"ref\":\"c2\","
            "\"role\":\"child\",\"given_name\":\"Leo\",\"family_name\":"
            "\"Ward\",\"date_of_birth\":\"2018-04-02\"},{\"ref\":\"p1\","
            "\"role\":\"perpetrator\"," DEAN "}]}"},
};

static struct seen_keys *keys[NORIGINS];
static struct seen_tokenizer *tk;
static struct seen_store *store;
static struct seen_indexer ix[NORIGINS];
static struct seen_matcher mt;
static char base[1024];

static const char *
name_of(void *ctx, const uint8_t pk[static 32], char *buf, size_t len)
{
    int o;

    (void)ctx;
    (void)buf;
    (void)len;
    for (o = 0; o < NORIGINS; o++)
        if (memcmp(pk, keys[o]->sign_pk, 32) == 0)
            return names[o];
    return "unknown";
}

static const char *
type_of(void *ctx, const uint8_t pk[static 32])
{

    (void)ctx;
    return memcmp(pk, keys[O_SC]->sign_pk, 32) == 0 ? "social_care" : "police";
}

/* Two origins' records in one store, matched. */
static void
world_setup(void)
{
    struct seen_index_stats st = {0};
    struct seen_txn *t;
    char sdir[1100];
    size_t i;
    int o;

    for (o = 0; o < NORIGINS; o++)
        ck_assert_ptr_nonnull(keys[o] = seen_keys_generate());
    ck_assert_ptr_nonnull(tk = seen_tokenizer_new(keys[0]->match_key, 1));
    tu_tmpdir(base, sizeof base);
    snprintf(sdir, sizeof sdir, "%s/store", base);
    ck_assert_int_eq(seen_store_open(sdir, keys[O_SC]->sign_pk,
                         keys[O_SC]->record_key, 64, 1, &store),
        SEEN_OK);
    for (o = 0; o < NORIGINS; o++)
        ck_assert_int_eq(
            seen_indexer_init(&ix[o], store, keys[o], tk), SEEN_OK);
    memset(&mt, 0, sizeof mt);
    mt.store = store;
    mt.type_of = type_of;
    mt.name_of = name_of;
    for (i = 0; i < sizeof records / sizeof records[0]; i++) {
        t = tu_begin(store, 1);
        ck_assert_int_eq(
            tu_apply(&ix[records[i].o], t, records[i].line, 1750000000, &st),
            SEEN_OK);
        ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    }
    while ((o = seen_matcher_step(&mt, 16)) > 0)
        ;
    ck_assert_int_eq(o, 0);
}

static void
world_teardown(void)
{
    int o;

    seen_store_destroy(&store);
    tu_rmrf(base);
    seen_tokenizer_destroy(&tk);
    for (o = 0; o < NORIGINS; o++)
        seen_keys_destroy(&keys[o]);
}

/* ${j} as compact text (malloc'd). */
static char *
text(json_t *j)
{

    return json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* The handle of the one person of social care's record, through ${t}. */
static void
sc_handle(struct seen_txn *t, uint8_t handle[16])
{
    Seen__RecordMeta *rm;
    uint8_t idk[16];
    const void *v;
    size_t vlen;

    seen_store_id_key(store, "SC1", 3, idk);
    ck_assert_int_eq(
        seen_store_get(t, SEEN_DB_RECMETA, idk, 16, &v, &vlen), SEEN_OK);
    ck_assert_ptr_nonnull(rm = seen__record_meta__unpack(NULL, vlen, v));
    ck_assert_uint_eq(rm->n_handles, 1);
    memcpy(handle, rm->handles[0].data, 16);
    seen__record_meta__free_unpacked(rm, NULL);
}

START_TEST(test_world_of_a_child_holds_its_people_and_records_in_order)
{
    struct seen_txn *t = tu_begin(store, 0);
    uint8_t handle[16], h2[16];
    uint32_t oidx;
    char pid[18], other[18], *s;
    json_t *w, *p, *e;
    size_t i;

    /* Mia, found by the person id of her social care entry. */
    sc_handle(t, handle);
    seen_matcher_person(&mt, t, ix[O_SC].own, handle, pid);
    ck_assert_int_eq(seen_matcher_find_person(&mt, t, pid, &oidx, h2), SEEN_OK);
    seen_matcher_person(&mt, t, oidx, h2, other);
    ck_assert_str_eq(other, pid);
    ck_assert_ptr_nonnull(w = seen_matcher_world(&mt, t, oidx, h2));
    ck_assert_str_eq(json_string_value(json_object_get(w, "subject")), pid);
    /* Mia, her brother, Dean, and Kayleigh of Dean's other record. */
    ck_assert_uint_eq(json_array_size(json_object_get(w, "people")), 4);
    p = json_array_get(json_object_get(w, "people"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(p, "person")), pid);
    ck_assert_str_eq(
        json_string_value(json_object_get(p, "relation")), "subject");
    ck_assert(json_is_true(json_object_get(p, "shielded")));
    ck_assert_uint_eq(json_array_size(json_object_get(p, "known_to")), 2);
    json_array_foreach(json_object_get(w, "people"), i, p)
    {
        const char *r = json_string_value(json_object_get(p, "relation"));

        ck_assert(json_is_null(json_object_get(p, "name")));
        ck_assert(i == 0 || strcmp(r, "sibling") == 0 ||
                  strcmp(r, "perpetrator") == 0 || strcmp(r, "adult") == 0);
    }
    /* Three records, by date; the voice and the DVDS of each. */
    ck_assert_uint_eq(json_array_size(json_object_get(w, "events")), 3);
    e = json_array();
    json_array_foreach(json_object_get(w, "events"), i, p)
        json_array_append(e, json_object_get(p, "date"));
    s = text(e);
    json_decref(e);
    ck_assert_str_eq(s, "[\"2025-06-14\",\"2025-09-10\",\"2026-01-15\"]");
    free(s);
    e = json_array_get(json_object_get(w, "events"), 0);
    ck_assert_str_eq(
        json_string_value(json_object_get(e, "node")), names[O_POL]);
    ck_assert_str_eq(json_string_value(json_object_get(e, "risk")), "high");
    ck_assert_str_eq(
        json_string_value(json_object_get(e, "child_voice")), "not_recorded");
    ck_assert_uint_eq(json_array_size(json_object_get(e, "people")), 3);
    e = json_array_get(json_object_get(w, "events"), 1);
    ck_assert_str_eq(
        json_string_value(json_object_get(e, "dvds")), "right_to_know");
    ck_assert_str_eq(
        json_string_value(json_object_get(e, "child_voice")), "not_applicable");
    e = json_array_get(json_object_get(w, "events"), 2);
    ck_assert_str_eq(
        json_string_value(json_object_get(e, "child_voice")), "recorded");
    /* Index metadata only: no name, date of birth or identifier. */
    s = text(w);
    ck_assert_ptr_null(strstr(s, "Mia"));
    ck_assert_ptr_null(strstr(s, "Dean"));
    ck_assert_ptr_null(strstr(s, "Kayleigh"));
    /* Whole values: a hex id may hold "1989" by chance (1 run in 60). */
    ck_assert_ptr_null(strstr(s, "1989-05-02"));
    ck_assert_ptr_null(strstr(s, "0234567F"));
    free(s);
    json_decref(w);
    seen_store_abort(t);
}
END_TEST

/* A record the matcher has not reached yet is in the world with the one
 * entry looked up. */
START_TEST(test_world_before_matching_holds_the_entry_looked_up)
{
    struct seen_index_stats st = {0};
    struct seen_txn *t = tu_begin(store, 1);
    uint8_t handle[16];
    json_t *w, *e;

    ck_assert_int_eq(tu_apply(&ix[O_SC], t,
                         "{\"id\":\"SC1\",\"kind\":\"strategy_meeting\","
                         "\"date\":\"2026-02-01\",\"local_authority\":"
                         "\"Reading\",\"people\":[{\"ref\":\"c1\",\"role\":"
                         "\"child\"," MIA "}]}",
                         1750000000, &st),
        SEEN_OK);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    t = tu_begin(store, 0);
    sc_handle(t, handle);
    ck_assert_ptr_nonnull(w = seen_matcher_world(&mt, t, ix[O_SC].own, handle));
    ck_assert_uint_eq(json_array_size(json_object_get(w, "people")), 1);
    ck_assert_uint_eq(json_array_size(json_object_get(w, "events")), 1);
    e = json_array_get(json_object_get(w, "events"), 0);
    ck_assert_str_eq(
        json_string_value(json_object_get(e, "kind")), "strategy_meeting");
    ck_assert_uint_eq(json_array_size(json_object_get(e, "people")), 1);
    json_decref(w);
    seen_store_abort(t);
}
END_TEST

START_TEST(test_find_person_refuses_what_is_no_person)
{
    struct seen_txn *t = tu_begin(store, 0);
    uint8_t h[16];
    uint32_t o;

    ck_assert_int_eq(
        seen_matcher_find_person(&mt, t, "P0123456789abcdef", &o, h),
        SEEN_ENOTFOUND);
    ck_assert_int_eq(
        seen_matcher_find_person(&mt, t, "Mia", &o, h), SEEN_EINVAL);
    ck_assert_int_eq(
        seen_matcher_find_person(&mt, t, "P0123456789ABCDEF", &o, h),
        SEEN_EINVAL);
    ck_assert_int_eq(
        seen_matcher_find_person(&mt, t, "P0123456789abcdef0", &o, h),
        SEEN_EINVAL);
    seen_store_abort(t);
}
END_TEST

Suite *
world_suite(void)
{
    Suite *s = suite_create("world");
    TCase *tc;

    tc = tcase_create("rules");
    tcase_add_test(tc, test_relation_names_the_people_around_the_subject);
    tcase_add_test(
        tc, test_voice_is_missing_where_a_child_was_there_without_it);
    tcase_add_test(tc, test_an_alert_asks_for_what_its_rule_needs_where);
    suite_add_tcase(s, tc);

    tc = tcase_create("world");
    tcase_add_checked_fixture(tc, world_setup, world_teardown);
    tcase_add_test(
        tc, test_world_of_a_child_holds_its_people_and_records_in_order);
    tcase_add_test(tc, test_find_person_refuses_what_is_no_person);
    tcase_add_test(tc, test_world_before_matching_holds_the_entry_looked_up);
    suite_add_tcase(s, tc);
    return s;
}
