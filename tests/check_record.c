/*
 * check_record.c: the import-line parser and validator (proto/record.[ch])
 * against spec/import.md, and a replay of the inputs that the fuzzer (or
 * we) found nasty.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "common/seen.h"
#include "proto/record.h"
#include "tests/suites.h"
#include "tests/testutil.h"
#include "seen.pb-c.h"

#define EXAMPLE                                                              \
    "{\"id\":\"TVP-DA-2025-00412\",\"kind\":\"domestic_abuse_incident\","   \
    "\"date\":\"2025-06-14\",\"local_authority\":\"Reading\",\"risk\":"     \
    "\"high\",\"child_present\":true,\"child_voice\":\"I hid under the "    \
    "bed when they shouted\",\"people\":[{\"ref\":\"v1\",\"role\":"         \
    "\"adult_victim\",\"given_name\":\"Chantelle\",\"family_name\":"        \
    "\"Ward\",\"date_of_birth\":\"1994-02-11\",\"postcode\":\"RG1 5DF\"},"  \
    "{\"ref\":\"c1\",\"role\":\"child\",\"given_name\":\"Mia\","            \
    "\"family_name\":\"Ward\",\"date_of_birth\":\"2020-09-30\","            \
    "\"nhs_number\":\"943 476 5919\"},{\"ref\":\"p1\",\"role\":"            \
    "\"perpetrator\",\"given_name\":\"Dean\",\"family_name\":\"Holt\","     \
    "\"date_of_birth\":\"1989-05-02\",\"pnc_id\":\"2011/0234567F\"}]}"

/* A record around the people given as JSON text. */
#define WITH_PEOPLE(p)                                                       \
    "{\"id\":\"R1\",\"kind\":\"other\",\"date\":\"2025-01-01\","            \
    "\"local_authority\":\"Reading\",\"people\":[" p "]}"

/* Days since 1970-01-01. */
#define D_2025_06_14 20253
#define D_1994_02_11 8807
#define D_2020_09_30 18535
#define D_1989_05_02 7061
#define D_2024_02_29 19782
#define D_2026_01_31 20484
#define D_2030_12_31 22279

/* Every problem reported for the last line parsed. */
struct diag {
    char field[64];
    char reason[160];
    int warning;
};
static struct {
    struct diag d[64];
    size_t n;      /* calls, even past the array */
    size_t nerr;
    size_t nwarn;
    int bad_call; /* a NULL or over-long field or reason */
} D;

static void
collect(void *ctx, const char *field, const char *reason, int warning)
{

    (void)ctx;
    if (field == NULL || reason == NULL || strlen(field) >= 64 ||
        strlen(reason) >= 160 || (warning != 0 && warning != 1))
        D.bad_call = 1;
    else if (D.n < sizeof(D.d) / sizeof(D.d[0])) {
        snprintf(D.d[D.n].field, sizeof(D.d[D.n].field), "%s", field);
        snprintf(D.d[D.n].reason, sizeof(D.d[D.n].reason), "%s", reason);
        D.d[D.n].warning = warning;
    }
    D.n++;
    if (warning)
        D.nwarn++;
    else
        D.nerr++;
}

/* Parse ${len} bytes at ${line}, collecting problems in D. */
static int
run_len(const char *line, size_t len, struct seen_record **r)
{
    int rc;

    memset(&D, 0, sizeof(D));
    rc = seen_record_parse(line, len, r, collect, NULL);
    ck_assert(!D.bad_call);
    ck_assert_uint_le(D.n, SEEN_RECORD_DIAG_MAX + 1);
    if (rc == 0) {
        ck_assert_ptr_nonnull(*r);
    } else {
        ck_assert_int_eq(rc, SEEN_EINVAL);
        ck_assert_ptr_null(*r);
        ck_assert_uint_ge(D.nerr, 1);
    }
    return rc;
}

static int
run(const char *line, struct seen_record **r)
{

    return run_len(line, strlen(line), r);
}

/* Was a problem reported at ${field} whose reason starts with ${reason}? */
static int
has(const char *field, const char *reason, int warning)
{
    size_t i;

    for (i = 0; i < D.n && i < sizeof(D.d) / sizeof(D.d[0]); i++) {
        if (strcmp(D.d[i].field, field) == 0 &&
            strncmp(D.d[i].reason, reason, strlen(reason)) == 0 &&
            D.d[i].warning == warning)
            return 1;
    }
    return 0;
}

/* Show what was reported, to explain a failure. */
static void
dump_diags(void)
{
    size_t i;

    for (i = 0; i < D.n && i < sizeof(D.d) / sizeof(D.d[0]); i++)
        fprintf(stderr, "  %s: %s%s\n", D.d[i].field, D.d[i].reason,
            D.d[i].warning ? " (warning)" : "");
}

/*
 * Return ${base} with the value at ${path} ("people.1.nhs_number") set to
 * the JSON text ${value}, or removed if ${value} is NULL.  Caller frees.
 */
static char *
edited(const char *base, const char *path, const char *value)
{
    char buf[128], *comp[8], *tok, *save, *s;
    json_t *root, *cur, *v = NULL;
    size_t nc = 0, i;

    ck_assert_ptr_nonnull(root = json_loads(base, 0, NULL));
    if (value != NULL)
        ck_assert_ptr_nonnull(v = json_loads(value, JSON_DECODE_ANY, NULL));
    snprintf(buf, sizeof(buf), "%s", path);
    for (tok = strtok_r(buf, ".", &save); tok != NULL && nc < 8;
         tok = strtok_r(NULL, ".", &save))
        comp[nc++] = tok;
    cur = root;
    for (i = 0; i + 1 < nc; i++) {
        cur = json_is_array(cur) ? json_array_get(cur, atoi(comp[i])) :
                                   json_object_get(cur, comp[i]);
        ck_assert_ptr_nonnull(cur);
    }
    if (json_is_array(cur)) {
        if (v != NULL)
            json_array_set_new(cur, atoi(comp[nc - 1]), v);
        else
            json_array_remove(cur, atoi(comp[nc - 1]));
    } else {
        if (v != NULL)
            json_object_set_new(cur, comp[nc - 1], v);
        else
            json_object_del(cur, comp[nc - 1]);
    }
    ck_assert_ptr_nonnull(s = json_dumps(root, JSON_COMPACT |
        JSON_PRESERVE_ORDER));
    json_decref(root);
    return s;
}

/*
 * Parse ${base} edited at ${path} (unedited if ${path} is NULL); expect
 * exactly one problem, an error at ${field} for ${reason}.
 */
static void
expect_one_error(const char *base, const char *path, const char *value,
    const char *field, const char *reason)
{
    struct seen_record *r;
    char *line = path ? edited(base, path, value) : strdup(base);

    ck_assert_ptr_nonnull(line);
    if (run(line, &r) != SEEN_EINVAL || D.n != 1 ||
        !has(field, reason, 0)) {
        fprintf(stderr, "%s = %s: expected \"%s: %s\", got:\n",
            path ? path : "(none)", value ? value : "(removed)", field,
            reason);
        dump_diags();
        ck_abort_msg("wrong result for %s", path ? path : "(none)");
    }
    free(line);
}


START_TEST(test_example_line_parses_with_every_field)
{
    struct seen_record *r;
    struct seen_person *p;

    ck_assert_int_eq(run(EXAMPLE, &r), 0);
    ck_assert_uint_eq(D.n, 0);
    ck_assert_str_eq(r->id, "TVP-DA-2025-00412");
    ck_assert_int_eq(r->kind, SEEN__KIND__DOMESTIC_ABUSE_INCIDENT);
    ck_assert_int_eq(r->date, D_2025_06_14);
    ck_assert_str_eq(r->local_authority, "Reading");
    ck_assert_int_eq(r->risk, SEEN__RISK__HIGH);
    ck_assert_int_eq(r->child_present, 1);
    ck_assert_str_eq(r->child_voice, "I hid under the bed when they shouted");
    ck_assert_ptr_null(r->child_voice_not_captured);
    ck_assert_ptr_null(r->summary);
    ck_assert_int_eq(r->dvds, 0);
    ck_assert_int_eq(r->shielded, 0);
    ck_assert_int_eq(r->deleted, 0);
    ck_assert_int_eq(r->has_retain, 0);
    ck_assert_uint_eq(r->npeople, 3);

    p = &r->people[0];
    ck_assert_str_eq(p->ref, "v1");
    ck_assert_int_eq(p->role, SEEN__ROLE__ADULT_VICTIM);
    ck_assert_str_eq(p->given, "Chantelle");
    ck_assert_str_eq(p->family, "Ward");
    ck_assert_uint_eq(p->n_other_names, 0);
    ck_assert_int_eq(p->has_dob, 1);
    ck_assert_int_eq(p->dob, D_1994_02_11);
    ck_assert_int_eq(p->has_due, 0);
    ck_assert_int_eq(p->sex, 0);
    ck_assert_str_eq(p->nhs, "");
    ck_assert_str_eq(p->upn, "");
    ck_assert_str_eq(p->pnc, "");
    ck_assert_str_eq(p->postcode, "RG1 5DF");
    ck_assert_str_eq(p->district, "RG1");
    ck_assert_ptr_null(p->address);

    p = &r->people[1];
    ck_assert_str_eq(p->ref, "c1");
    ck_assert_int_eq(p->role, SEEN__ROLE__CHILD);
    ck_assert_str_eq(p->given, "Mia");
    ck_assert_str_eq(p->family, "Ward");
    ck_assert_int_eq(p->dob, D_2020_09_30);
    ck_assert_str_eq(p->nhs, "9434765919");
    ck_assert_int_eq(p->nhs_test, 0);
    ck_assert_str_eq(p->postcode, "");
    ck_assert_str_eq(p->district, "");

    p = &r->people[2];
    ck_assert_str_eq(p->ref, "p1");
    ck_assert_int_eq(p->role, SEEN__ROLE__PERPETRATOR);
    ck_assert_str_eq(p->given, "Dean");
    ck_assert_str_eq(p->family, "Holt");
    ck_assert_int_eq(p->dob, D_1989_05_02);
    ck_assert_str_eq(p->pnc, "2011/0234567F");
    ck_assert_str_eq(p->nhs, "");
    seen_record_destroy(&r);
}
END_TEST

START_TEST(test_optional_fields_parse_to_their_values)
{
    struct seen_record *r;
    struct seen_person *p;
    const char *line =
        "{\"id\":\"CSC-1\",\"kind\":\"dvds_disclosure\",\"date\":"
        "\"2024-02-29\",\"local_authority\":\"Wokingham\",\"risk\":"
        "\"very_high\",\"child_present\":false,\"child_voice_not_captured\":"
        "\"asleep\",\"dvds\":\"right_to_know\",\"summary\":\"s\","
        "\"shielded\":true,\"retain_until\":\"2030-12-31\",\"deleted\":false,"
        "\"people\":[{\"ref\":\"u\",\"role\":\"unborn\",\"family_name\":"
        "\"Ward\",\"expected_due_date\":\"2026-01-31\",\"sex\":\"U\"},"
        "{\"ref\":\"m\",\"role\":\"parent\",\"given_name\":null,"
        "\"family_name\":\"Ward\",\"other_names\":[\"Chantelle Smith\",\"\","
        "\"Chan\"],\"date_of_birth\":\"1994-02-11\",\"sex\":\"F\","
        "\"upn\":\"U820200101001\",\"address\":\"1 High St\"},"
        "{\"ref\":\"o\",\"role\":\"other\",\"given_name\":\"Sam\","
        "\"family_name\":\"Lee\",\"date_of_birth\":null,\"sex\":\"X\","
        "\"nhs_number\":\"\",\"postcode\":\"sw1a1aa\"}]}";

    ck_assert_int_eq(run(line, &r), 0);
    ck_assert_uint_eq(D.n, 0);
    ck_assert_int_eq(r->kind, SEEN__KIND__DVDS_DISCLOSURE);
    ck_assert_int_eq(r->date, D_2024_02_29);
    ck_assert_int_eq(r->risk, SEEN__RISK__VERY_HIGH);
    ck_assert_int_eq(r->child_present, 0);
    ck_assert_ptr_null(r->child_voice);
    ck_assert_str_eq(r->child_voice_not_captured, "asleep");
    ck_assert_int_eq(r->dvds, 2);
    ck_assert_str_eq(r->summary, "s");
    ck_assert_int_eq(r->shielded, 1);
    ck_assert_int_eq(r->has_retain, 1);
    ck_assert_int_eq(r->retain_until, D_2030_12_31);
    ck_assert_int_eq(r->deleted, 0);

    p = &r->people[0];
    ck_assert_int_eq(p->role, SEEN__ROLE__UNBORN);
    ck_assert_ptr_null(p->given);
    ck_assert_int_eq(p->has_dob, 0);
    ck_assert_int_eq(p->has_due, 1);
    ck_assert_int_eq(p->due, D_2026_01_31);
    ck_assert_int_eq(p->sex, 'U');

    p = &r->people[1];
    ck_assert_int_eq(p->role, SEEN__ROLE__PARENT);
    ck_assert_ptr_null(p->given);
    ck_assert_uint_eq(p->n_other_names, 2);
    ck_assert_str_eq(p->other_names[0], "Chantelle Smith");
    ck_assert_str_eq(p->other_names[1], "Chan");
    ck_assert_int_eq(p->sex, 'F');
    ck_assert_str_eq(p->upn, "U820200101001");
    ck_assert_str_eq(p->address, "1 High St");

    p = &r->people[2];
    ck_assert_int_eq(p->role, SEEN__ROLE__OTHER);
    ck_assert_int_eq(p->has_dob, 0);
    ck_assert_int_eq(p->sex, 'X');
    ck_assert_str_eq(p->nhs, "");
    ck_assert_str_eq(p->postcode, "SW1A 1AA");
    ck_assert_str_eq(p->district, "SW1A");
    seen_record_destroy(&r);

    /* "other" is a kind too. */
    ck_assert_int_eq(run(WITH_PEOPLE("{\"ref\":\"a\",\"role\":\"child\","
        "\"given_name\":\"A\",\"family_name\":\"B\"}"), &r), 0);
    ck_assert_int_eq(r->kind, SEEN__KIND__KIND_OTHER);
    seen_record_destroy(&r);
}
END_TEST

static const char *required[][2] = {
    {"id", "id"},
    {"kind", "kind"},
    {"date", "date"},
    {"local_authority", "local_authority"},
    {"people", "people"},
    {"people.0.ref", "people[0].ref"},
    {"people.2.role", "people[2].role"},
};

START_TEST(test_missing_required_field_is_an_error_naming_it)
{

    expect_one_error(EXAMPLE, required[_i][0], NULL, required[_i][1],
        "required");
}
END_TEST

static const char *wrong_types[][4] = {
    {"id", "42", "id", "expected a string"},
    {"kind", "1", "kind", "expected a string"},
    {"date", "20250614", "date", "not a date (YYYY-MM-DD)"},
    {"local_authority", "null", "local_authority", "expected a string"},
    {"people", "{}", "people", "expected an array"},
    {"people", "\"v1\"", "people", "expected an array"},
    {"people.0", "\"v1\"", "people[0]", "expected an object"},
    {"people.1", "null", "people[1]", "expected an object"},
    {"risk", "true", "risk", "expected a string"},
    {"risk", "null", "risk", "expected a string"},
    {"child_present", "\"yes\"", "child_present", "expected true or false"},
    {"child_present", "1", "child_present", "expected true or false"},
    {"child_voice", "1", "child_voice", "expected a string"},
    {"child_voice_not_captured", "[]", "child_voice_not_captured",
        "expected a string"},
    {"dvds", "1", "dvds", "expected a string"},
    {"summary", "{}", "summary", "expected a string"},
    {"shielded", "\"true\"", "shielded", "expected true or false"},
    {"retain_until", "20301231", "retain_until", "not a date"},
    {"deleted", "\"no\"", "deleted", "expected true or false"},
    {"people.0.ref", "1", "people[0].ref", "expected a string"},
    {"people.0.ref", "\"\"", "people[0].ref", "must not be empty"},
    {"people.0.role", "null", "people[0].role", "expected a string"},
    {"people.0.given_name", "7", "people[0].given_name",
        "expected a string or null"},
    {"people.0.family_name", "false", "people[0].family_name",
        "expected a string or null"},
    {"people.0.other_names", "\"Chan\"", "people[0].other_names",
        "expected an array of strings"},
    {"people.0.other_names", "[\"Chan\",1]", "people[0].other_names[1]",
        "expected a string"},
    {"people.0.date_of_birth", "1994", "people[0].date_of_birth",
        "not a date (YYYY-MM-DD) or null"},
    {"people.0.expected_due_date", "null", "people[0].expected_due_date",
        "not a date (YYYY-MM-DD)"},
    {"people.0.sex", "1", "people[0].sex", "expected a string"},
    {"people.1.nhs_number", "9434765919", "people[1].nhs_number",
        "expected a string"},
    {"people.1.upn", "5", "people[1].upn", "expected a string"},
    {"people.2.pnc_id", "[]", "people[2].pnc_id", "expected a string"},
    {"people.0.postcode", "1", "people[0].postcode", "expected a string"},
    {"people.0.address", "{}", "people[0].address", "expected a string"},
    {"local_authority", "\"\"", "local_authority", "must not be empty"},
    {"local_authority", "\"  \"", "local_authority", "must not be empty"},
};

START_TEST(test_wrong_type_is_an_error_naming_the_field)
{

    expect_one_error(EXAMPLE, wrong_types[_i][0], wrong_types[_i][1],
        wrong_types[_i][2], wrong_types[_i][3]);
}
END_TEST

static const char *bad_enums[][4] = {
    {"kind", "\"domestic_abuse\"", "kind", "not a known kind"},
    {"kind", "\"Domestic_Abuse_Incident\"", "kind", "not a known kind"},
    {"kind", "\"\"", "kind", "not a known kind"},
    {"people.0.role", "\"victim\"", "people[0].role", "not a known role"},
    {"people.0.role", "\"CHILD\"", "people[0].role", "not a known role"},
    {"risk", "\"High\"", "risk", "not a known risk level"},
    {"risk", "\"low\"", "risk", "not a known risk level"},
    {"people.0.sex", "\"f\"", "people[0].sex", "not one of F, M, X, U"},
    {"people.0.sex", "\"Female\"", "people[0].sex", "not one of F, M, X, U"},
    {"people.0.sex", "\"\"", "people[0].sex", "not one of F, M, X, U"},
    {"dvds", "\"right_to_see\"", "dvds", "not right_to_ask or right_to_know"},
};

START_TEST(test_value_outside_its_list_is_an_error)
{

    expect_one_error(EXAMPLE, bad_enums[_i][0], bad_enums[_i][1],
        bad_enums[_i][2], bad_enums[_i][3]);
}
END_TEST

static const char *bad_dates[][2] = {
    {"date", "date"},
    {"retain_until", "retain_until"},
    {"people.0.date_of_birth", "people[0].date_of_birth"},
    {"people.0.expected_due_date", "people[0].expected_due_date"},
};

START_TEST(test_impossible_or_misformatted_date_is_an_error)
{
    static const char *vals[] = {"\"2023-02-29\"", "\"2025-13-01\"",
        "\"2025-6-14\"", "\"14/06/2025\"", "\"2025-06-14T00:00:00\"",
        "\"\""};
    size_t i;

    for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
        expect_one_error(EXAMPLE, bad_dates[_i][0], vals[i],
            bad_dates[_i][1], "not a date (YYYY-MM-DD)");
}
END_TEST

START_TEST(test_leap_day_in_a_leap_year_is_a_date)
{
    struct seen_record *r;
    char *line = edited(EXAMPLE, "date", "\"2024-02-29\"");

    ck_assert_int_eq(run(line, &r), 0);
    ck_assert_int_eq(r->date, D_2024_02_29);
    seen_record_destroy(&r);
    free(line);
}
END_TEST

/* A record with ${n} named people, refs r0, r1, ... or all "same". */
static char *
n_people(size_t n, int same)
{
    size_t cap = 128 + n * 96, off, i;
    char *s;

    ck_assert_ptr_nonnull(s = malloc(cap));
    off = (size_t)snprintf(s, cap, "{\"id\":\"R\",\"kind\":\"other\","
        "\"date\":\"2025-01-01\",\"local_authority\":\"Reading\","
        "\"people\":[");
    for (i = 0; i < n; i++) {
        off += (size_t)snprintf(s + off, cap - off, "%s{\"ref\":\"", i ?
            "," : "");
        if (same)
            off += (size_t)snprintf(s + off, cap - off, "same");
        else
            off += (size_t)snprintf(s + off, cap - off, "r%zu", i);
        off += (size_t)snprintf(s + off, cap - off, "\",\"role\":\"child\","
            "\"given_name\":\"A\",\"family_name\":\"B\"}");
    }
    snprintf(s + off, cap - off, "]}");
    return s;
}

START_TEST(test_people_must_hold_1_to_64_people)
{
    struct seen_record *r;
    char *line;

    expect_one_error(EXAMPLE, "people", "[]", "people",
        "needs at least one person");

    line = n_people(64, 0);
    ck_assert_int_eq(run(line, &r), 0);
    ck_assert_uint_eq(r->npeople, 64);
    ck_assert_str_eq(r->people[63].ref, "r63");
    seen_record_destroy(&r);
    free(line);

    line = n_people(65, 0);
    ck_assert_int_eq(run(line, &r), SEEN_EINVAL);
    ck_assert_uint_eq(D.n, 1);
    ck_assert(has("people", "more than 64 people", 0));
    free(line);
}
END_TEST

START_TEST(test_duplicate_refs_are_an_error)
{
    struct seen_record *r;
    char *line = edited(EXAMPLE, "people.2.ref", "\"v1\"");

    ck_assert_int_eq(run(line, &r), SEEN_EINVAL);
    ck_assert_uint_eq(D.n, 1);
    ck_assert(has("people[2].ref", "duplicate ref (also people[0])", 0));
    free(line);

    /* Refs are compared exactly. */
    line = edited(EXAMPLE, "people.2.ref", "\"V1\"");
    ck_assert_int_eq(run(line, &r), 0);
    seen_record_destroy(&r);
    free(line);
}
END_TEST

/* The example with an id of ${n} copies of ${unit}. */
static char *
with_id(const char *unit, size_t n)
{
    size_t ul = strlen(unit), i;
    char *id, *line;

    ck_assert_ptr_nonnull(id = malloc(n * ul + 3));
    id[0] = '"';
    for (i = 0; i < n; i++)
        memcpy(id + 1 + i * ul, unit, ul);
    memcpy(id + 1 + n * ul, "\"", 2);
    line = edited(EXAMPLE, "id", id);
    free(id);
    return line;
}

START_TEST(test_id_of_1_to_128_characters_is_accepted)
{
    static const char *units[] = {"a", "\xc3\xa9", "\xe2\x82\xac",
        "\xf0\x9f\x98\x80"};
    struct seen_record *r;
    size_t i;
    char *line;

    for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        line = with_id(units[i], 128);
        ck_assert_int_eq(run(line, &r), 0);
        ck_assert_uint_eq(strlen(r->id), 128 * strlen(units[i]));
        seen_record_destroy(&r);
        free(line);

        line = with_id(units[i], 1);
        ck_assert_int_eq(run(line, &r), 0);
        seen_record_destroy(&r);
        free(line);
    }
}
END_TEST

START_TEST(test_id_of_0_or_129_characters_is_rejected)
{
    static const char *units[] = {"a", "\xc3\xa9", "\xe2\x82\xac",
        "\xf0\x9f\x98\x80"};
    size_t i;
    char *line;

    for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        line = with_id(units[i], 129);
        expect_one_error(line, NULL, NULL, "id",
            "must be 1 to 128 characters");
        free(line);
    }
    expect_one_error(EXAMPLE, "id", "\"\"", "id",
        "must be 1 to 128 characters");
}
END_TEST

START_TEST(test_invalid_nhs_number_is_a_warning_and_dropped)
{
    struct seen_record *r;
    char *line = edited(EXAMPLE, "people.1.nhs_number", "\"943 476 5918\"");

    ck_assert_int_eq(run(line, &r), 0);
    ck_assert_uint_eq(D.n, 1);
    ck_assert(has("people[1].nhs_number", "not a valid NHS number", 1));
    ck_assert_uint_eq(r->npeople, 3);
    ck_assert_str_eq(r->people[1].ref, "c1");
    ck_assert_str_eq(r->people[1].nhs, "");
    ck_assert_str_eq(r->people[1].given, "Mia");
    seen_record_destroy(&r);
    free(line);
}
END_TEST

START_TEST(test_invalid_upn_pnc_and_postcode_are_warnings_and_dropped)
{
    struct seen_record *r;
    const char *line = WITH_PEOPLE("{\"ref\":\"a\",\"role\":\"child\","
        "\"given_name\":\"Mia\",\"family_name\":\"Ward\",\"upn\":"
        "\"A820200101001\",\"pnc_id\":\"2003/1234567A\",\"postcode\":"
        "\"NOT A POSTCODE\"}");

    ck_assert_int_eq(run(line, &r), 0);
    ck_assert_uint_eq(D.n, 3);
    ck_assert_uint_eq(D.nwarn, 3);
    ck_assert(has("people[0].upn", "not a valid UPN", 1));
    ck_assert(has("people[0].pnc_id", "not a valid PNC id", 1));
    ck_assert(has("people[0].postcode", "not a valid UK postcode", 1));
    ck_assert_str_eq(r->people[0].upn, "");
    ck_assert_str_eq(r->people[0].pnc, "");
    ck_assert_str_eq(r->people[0].postcode, "");
    ck_assert_str_eq(r->people[0].district, "");
    seen_record_destroy(&r);
}
END_TEST

START_TEST(test_invalid_nhs_number_alone_rejects_the_line)
{
    struct seen_record *r;

    ck_assert_int_eq(run(WITH_PEOPLE("{\"ref\":\"c\",\"role\":\"child\","
        "\"nhs_number\":\"1234567890\"}"), &r), SEEN_EINVAL);
    ck_assert_uint_eq(D.n, 2);
    ck_assert(has("people[0].nhs_number", "not a valid NHS number", 1));
    ck_assert(has("people[0]", "needs a valid identifier, a family name "
        "with a date of birth or due date, or a given and family name", 0));
}
END_TEST

static const struct {
    const char *person;
    int ok;
} person_rule[] = {
    {"\"nhs_number\":\"9434765919\"", 1},
    {"\"nhs_number\":\"999 000 0018\"", 1},
    {"\"upn\":\"U820200101001\"", 1},
    {"\"pnc_id\":\"2003/1234567Q\"", 1},
    {"\"family_name\":\"Ward\",\"date_of_birth\":\"2020-09-30\"", 1},
    {"\"family_name\":\"Ward\",\"expected_due_date\":\"2026-01-31\"", 1},
    {"\"given_name\":\"Mia\",\"family_name\":\"Ward\"", 1},
    {"\"given_name\":\"Mia\",\"family_name\":\"Ward\",\"date_of_birth\":null",
        1},
    {"", 0},
    {"\"family_name\":\"Ward\"", 0},
    {"\"given_name\":\"Mia\",\"date_of_birth\":\"2020-09-30\"", 0},
    {"\"given_name\":\"\",\"family_name\":\"Ward\"", 0},
    {"\"given_name\":\"Mia\",\"family_name\":\" \"", 0},
    {"\"given_name\":null,\"family_name\":\"Ward\",\"date_of_birth\":null", 0},
    {"\"family_name\":\"\",\"date_of_birth\":\"2020-09-30\"", 0},
    {"\"other_names\":[\"Mia Ward\"],\"date_of_birth\":\"2020-09-30\"", 0},
    {"\"postcode\":\"RG1 5DF\",\"address\":\"1 High St\",\"sex\":\"F\"", 0},
    {"\"nhs_number\":\"\",\"upn\":\"  \",\"pnc_id\":\"\"", 0},
};

START_TEST(test_person_needs_an_identifier_or_enough_name)
{
    struct seen_record *r;
    char line[512];
    int rc;

    snprintf(line, sizeof(line), WITH_PEOPLE("{\"ref\":\"a\",\"role\":"
        "\"child\"%s%s}"), person_rule[_i].person[0] ? "," : "",
        person_rule[_i].person);
    rc = run(line, &r);
    if (person_rule[_i].ok) {
        if (rc != 0)
            dump_diags();
        ck_assert_int_eq(rc, 0);
        ck_assert_uint_eq(D.n, 0);
        seen_record_destroy(&r);
    } else {
        ck_assert_int_eq(rc, SEEN_EINVAL);
        ck_assert_uint_eq(D.n, 1);
        ck_assert(has("people[0]", "needs a valid identifier", 0));
    }
}
END_TEST

START_TEST(test_test_range_nhs_number_is_kept_and_marked)
{
    struct seen_record *r;

    ck_assert_int_eq(run(WITH_PEOPLE("{\"ref\":\"a\",\"role\":\"child\","
        "\"nhs_number\":\"999 000 0018\"}"), &r), 0);
    ck_assert_str_eq(r->people[0].nhs, "9990000018");
    ck_assert_int_eq(r->people[0].nhs_test, 1);
    seen_record_destroy(&r);
}
END_TEST

START_TEST(test_identifiers_are_stored_in_canonical_form)
{
    struct seen_record *r;
    struct seen_person *p;

    ck_assert_int_eq(run(WITH_PEOPLE("{\"ref\":\"a\",\"role\":\"child\","
        "\"nhs_number\":\" 943-476-5919 \",\"upn\":\"u820200101001\","
        "\"pnc_id\":\"11/234567f\",\"postcode\":\" rg15df \"}"), &r), 0);
    ck_assert_uint_eq(D.n, 0);
    p = &r->people[0];
    ck_assert_str_eq(p->nhs, "9434765919");
    ck_assert_str_eq(p->upn, "U820200101001");
    ck_assert_int_eq(p->upn_temporary, 0);
    ck_assert_str_eq(p->pnc, "2011/0234567F");
    ck_assert_str_eq(p->postcode, "RG1 5DF");
    ck_assert_str_eq(p->district, "RG1");
    seen_record_destroy(&r);
}
END_TEST

START_TEST(test_unknown_fields_are_kept_in_the_body)
{
    struct seen_record *r;
    const char *line = "{\"zz_first\":1,\"id\":\"X1\",\"kind\":\"other\","
        "\"date\":\"2025-01-01\",\"extra\":{\"b\":[1,2.5,null,\"x\",true],"
        "\"a\":{}},\"local_authority\":\"Reading\",\"people\":[{\"ref\":"
        "\"a\",\"custom\":\"y\",\"role\":\"child\",\"given_name\":\"Mia\","
        "\"family_name\":\"Ward\"}],\"source_system\":\"Mosaic\"}";
    char *body;
    size_t len;

    ck_assert_int_eq(run(line, &r), 0);
    ck_assert_uint_eq(D.n, 0);
    ck_assert_ptr_nonnull(body = seen_record_body(r, &len));
    ck_assert_str_eq(body, line);
    ck_assert_uint_eq(len, strlen(line));
    free(body);
    seen_record_destroy(&r);
}
END_TEST

START_TEST(test_body_is_the_compact_record_and_parses_again)
{
    struct seen_record *r, *r2;
    char *spaced, *body;
    size_t len;

    /* The example is compact already: its body is itself. */
    ck_assert_int_eq(run(EXAMPLE, &r), 0);
    ck_assert_ptr_nonnull(body = seen_record_body(r, &len));
    ck_assert_str_eq(body, EXAMPLE);
    free(body);
    seen_record_destroy(&r);

    /* Whitespace around and inside the object is dropped. */
    ck_assert_ptr_nonnull(spaced = malloc(strlen(EXAMPLE) + 16));
    snprintf(spaced, strlen(EXAMPLE) + 16, " \t{ \"id\" : %s \r",
        &EXAMPLE[strlen("{\"id\":")]);
    ck_assert_int_eq(run(spaced, &r), 0);
    ck_assert_ptr_nonnull(body = seen_record_body(r, &len));
    ck_assert_str_eq(body, EXAMPLE);
    ck_assert_int_eq(run_len(body, len, &r2), 0);
    ck_assert_str_eq(r2->people[1].nhs, "9434765919");
    seen_record_destroy(&r2);
    free(body);
    seen_record_destroy(&r);
    free(spaced);
}
END_TEST

static const char *not_json[] = {
    "not json",
    "[1,2]",
    "[" EXAMPLE "]",
    "42",
    "\"TVP-DA-2025-00412\"",
    "null",
    "",
    "{",
    "{\"id\":\"x\",\"deleted\":true} Chantelle",
    "{\"id\":\"x\",\"deleted\":true}{\"id\":\"y\",\"deleted\":true}",
    "{\"id\":\"x\",\"deleted\":true},",
    "{'id':'x','deleted':true}",
    "{\"id\":\"x\",\"deleted\":true,}",
    "{\"id\":\"x\",\"id\":\"y\",\"deleted\":true}",
    "{\"id\":\"x\\u0000y\",\"deleted\":true}",
    "{\"id\":\"x\",\"deleted\":true,\"n\":1e400}",
    "{\"id\":\"x\",\"deleted\":true,\"n\":123456789012345678901234567890}",
    "{\"id\":\"x\xff\",\"deleted\":true}",
    "{\"id\":\"x\",\"deleted\":tru}",
    "{\"id\":\"x\",\"deleted\":true}\n{\"id\":\"y\",\"deleted\":true}",
};

START_TEST(test_a_line_that_is_not_one_json_object_is_rejected)
{
    struct seen_record *r;

    ck_assert_int_eq(run(not_json[_i], &r), SEEN_EINVAL);
    ck_assert_uint_eq(D.n, 1);
    ck_assert_str_eq(D.d[0].field, "(line)");
    ck_assert_int_eq(D.d[0].warning, 0);
    ck_assert(strstr(D.d[0].reason, "JSON") != NULL);
    /* Never quote the line: it may hold a name. */
    ck_assert(strstr(D.d[0].reason, "Chantelle") == NULL);
    ck_assert(strstr(D.d[0].reason, "TVP") == NULL);
}
END_TEST

START_TEST(test_a_truncated_line_is_rejected)
{
    struct seen_record *r;
    size_t len;

    /* Cut the example anywhere: never a record, never a crash. */
    for (len = 0; len < strlen(EXAMPLE); len++) {
        ck_assert_int_eq(run_len(EXAMPLE, len, &r), SEEN_EINVAL);
        ck_assert_uint_eq(D.n, 1);
        ck_assert_str_eq(D.d[0].field, "(line)");
        ck_assert(strstr(D.d[0].reason, "Chantelle") == NULL);
        ck_assert(strstr(D.d[0].reason, "Ward") == NULL);
    }
}
END_TEST

START_TEST(test_a_line_over_1_mib_is_rejected)
{
    struct seen_record *r;
    size_t el = strlen(EXAMPLE);
    char *buf;

    ck_assert_ptr_nonnull(buf = malloc(2 * 1024 * 1024));
    memcpy(buf, EXAMPLE, el);
    memset(buf + el, ' ', 2 * 1024 * 1024 - el);

    ck_assert_int_eq(run_len(buf, 2 * 1024 * 1024, &r), SEEN_EINVAL);
    ck_assert_uint_eq(D.n, 1);
    ck_assert(has("(line)", "longer than 1 MiB", 0));

    ck_assert_int_eq(run_len(buf, SEEN_RECORD_LINE_MAX + 1, &r),
        SEEN_EINVAL);
    ck_assert(has("(line)", "longer than 1 MiB", 0));

    /* Exactly 1 MiB is still a line. */
    ck_assert_int_eq(run_len(buf, SEEN_RECORD_LINE_MAX, &r), 0);
    seen_record_destroy(&r);
    free(buf);
}
END_TEST

START_TEST(test_deletion_line_needs_only_id)
{
    struct seen_record *r;

    ck_assert_int_eq(run("{\"id\":\"TVP-DA-2025-00412\",\"deleted\":true}",
        &r), 0);
    ck_assert_uint_eq(D.n, 0);
    ck_assert_str_eq(r->id, "TVP-DA-2025-00412");
    ck_assert_int_eq(r->deleted, 1);
    ck_assert_int_eq(r->kind, 0);
    ck_assert_ptr_null(r->local_authority);
    ck_assert_uint_eq(r->npeople, 0);
    ck_assert_ptr_null(r->people);
    seen_record_destroy(&r);

    /* A full record marked deleted is a deletion too. */
    {
        char *line = edited(EXAMPLE, "deleted", "true");

        ck_assert_int_eq(run(line, &r), 0);
        ck_assert_int_eq(r->deleted, 1);
        ck_assert_uint_eq(r->npeople, 3);
        seen_record_destroy(&r);
        free(line);
    }

    /* Still needs an id. */
    ck_assert_int_eq(run("{\"deleted\":true}", &r), SEEN_EINVAL);
    ck_assert_uint_eq(D.n, 1);
    ck_assert(has("id", "required", 0));

    /* Fields it carries are still checked. */
    ck_assert_int_eq(run("{\"id\":\"X\",\"deleted\":true,\"kind\":\"nope\"}",
        &r), SEEN_EINVAL);
    ck_assert_uint_eq(D.n, 1);
    ck_assert(has("kind", "not a known kind", 0));

    /* deleted: false is an ordinary record. */
    ck_assert_int_eq(run("{\"id\":\"X\",\"deleted\":false}", &r),
        SEEN_EINVAL);
    ck_assert_uint_eq(D.n, 4);
    ck_assert(has("kind", "required", 0));
    ck_assert(has("date", "required", 0));
    ck_assert(has("local_authority", "required", 0));
    ck_assert(has("people", "required", 0));
}
END_TEST

START_TEST(test_every_problem_on_a_line_is_reported)
{
    struct seen_record *r;
    const char *line = "{\"id\":5,\"kind\":\"x\",\"date\":\"2023-02-29\","
        "\"risk\":\"y\",\"child_present\":\"no\",\"people\":[{\"ref\":\"a\","
        "\"role\":\"child\"},{\"ref\":\"a\",\"role\":\"z\",\"given_name\":"
        "\"A\",\"family_name\":\"B\",\"nhs_number\":\"123\",\"sex\":\"q\"}]}";

    ck_assert_int_eq(run(line, &r), SEEN_EINVAL);
    if (D.n != 11)
        dump_diags();
    ck_assert_uint_eq(D.n, 11);
    ck_assert_uint_eq(D.nerr, 10);
    ck_assert_uint_eq(D.nwarn, 1);
    ck_assert(has("id", "expected a string", 0));
    ck_assert(has("kind", "not a known kind", 0));
    ck_assert(has("date", "not a date", 0));
    ck_assert(has("local_authority", "required", 0));
    ck_assert(has("risk", "not a known risk level", 0));
    ck_assert(has("child_present", "expected true or false", 0));
    ck_assert(has("people[0]", "needs a valid identifier", 0));
    ck_assert(has("people[1].ref", "duplicate ref", 0));
    ck_assert(has("people[1].role", "not a known role", 0));
    ck_assert(has("people[1].nhs_number", "not a valid NHS number", 1));
    ck_assert(has("people[1].sex", "not one of", 0));
}
END_TEST

START_TEST(test_problems_reported_per_line_are_bounded)
{
    struct seen_record *r;
    char *line = n_people(64, 1);
    char *bad;
    size_t i, len;

    /* 63 duplicate refs. */
    ck_assert_int_eq(run(line, &r), SEEN_EINVAL);
    ck_assert_uint_eq(D.n, SEEN_RECORD_DIAG_MAX + 1);
    ck_assert_uint_eq(D.nerr, SEEN_RECORD_DIAG_MAX + 1);
    ck_assert_str_eq(D.d[SEEN_RECORD_DIAG_MAX].field, "(line)");
    ck_assert_str_eq(D.d[SEEN_RECORD_DIAG_MAX].reason,
        "43 more problems not reported");
    free(line);

    /* One past the bound. */
    line = n_people(SEEN_RECORD_DIAG_MAX + 2, 1);
    ck_assert_int_eq(run(line, &r), SEEN_EINVAL);
    ck_assert_uint_eq(D.n, SEEN_RECORD_DIAG_MAX + 1);
    ck_assert_str_eq(D.d[SEEN_RECORD_DIAG_MAX].reason,
        "1 more problem not reported");
    free(line);

    /* Many bad other_names in one person. */
    ck_assert_ptr_nonnull(bad = malloc(100000));
    strcpy(bad, "{\"id\":\"R\",\"kind\":\"other\",\"date\":\"2025-01-01\","
        "\"local_authority\":\"Reading\",\"people\":[{\"ref\":\"a\","
        "\"role\":\"child\",\"given_name\":\"A\",\"family_name\":\"B\","
        "\"other_names\":[0");
    for (i = 0, len = strlen(bad); i < 10000; i++, len += 2)
        memcpy(bad + len, ",0", 3);
    strcat(bad, "]}]}");
    ck_assert_int_eq(run(bad, &r), SEEN_EINVAL);
    ck_assert_uint_eq(D.n, SEEN_RECORD_DIAG_MAX + 1);
    ck_assert(has("people[0].other_names[10000]", "expected a string", 0) ==
        0);
    ck_assert(has("people[0].other_names[19]", "expected a string", 0));
    ck_assert_str_eq(D.d[SEEN_RECORD_DIAG_MAX].reason,
        "9981 more problems not reported");
    free(bad);

    /* Only warnings past the bound: the line stands, the summary warns. */
    ck_assert_ptr_nonnull(line = malloc(64 * 160 + 256));
    strcpy(line, "{\"id\":\"R\",\"kind\":\"other\",\"date\":\"2025-01-01\","
        "\"local_authority\":\"Reading\",\"people\":[");
    for (i = 0; i < 30; i++)
        sprintf(line + strlen(line), "%s{\"ref\":\"r%zu\",\"role\":\"child\","
            "\"given_name\":\"A\",\"family_name\":\"B\",\"nhs_number\":"
            "\"1\"}", i ? "," : "", i);
    strcat(line, "]}");
    ck_assert_int_eq(run(line, &r), 0);
    ck_assert_uint_eq(D.n, SEEN_RECORD_DIAG_MAX + 1);
    ck_assert_uint_eq(D.nwarn, SEEN_RECORD_DIAG_MAX + 1);
    ck_assert_str_eq(D.d[SEEN_RECORD_DIAG_MAX].reason,
        "10 more problems not reported");
    ck_assert_uint_eq(r->npeople, 30);
    seen_record_destroy(&r);
    free(line);
}
END_TEST

START_TEST(test_blank_lines_are_recognised)
{

    ck_assert_int_eq(seen_record_line_blank("", 0), 1);
    ck_assert_int_eq(seen_record_line_blank(" \t\r\n", 4), 1);
    ck_assert_int_eq(seen_record_line_blank("\xEF\xBB\xBF  ", 5), 1);
    ck_assert_int_eq(seen_record_line_blank("  {}", 4), 0);
    ck_assert_int_eq(seen_record_line_blank("\xEF\xBB", 2), 0);
    ck_assert_int_eq(seen_record_line_blank("\f", 1), 0);
    /* Only ${len} bytes count. */
    ck_assert_int_eq(seen_record_line_blank("  x", 2), 1);
}
END_TEST

START_TEST(test_byte_order_mark_before_a_line_is_ignored)
{
    struct seen_record *r;
    char line[sizeof(EXAMPLE) + 3];

    snprintf(line, sizeof(line), "\xEF\xBB\xBF%s", EXAMPLE);
    ck_assert_int_eq(run(line, &r), 0);
    ck_assert_str_eq(r->id, "TVP-DA-2025-00412");
    seen_record_destroy(&r);
}
END_TEST

START_TEST(test_parse_without_diag_callback_and_free_null)
{
    struct seen_record *r;

    ck_assert_int_eq(seen_record_parse("{", 1, &r, NULL, NULL),
        SEEN_EINVAL);
    ck_assert_ptr_null(r);
    ck_assert_int_eq(seen_record_parse(EXAMPLE, strlen(EXAMPLE), &r, NULL,
        NULL), 0);
    seen_record_destroy(&r);
    {
        struct seen_record *none = NULL;

        seen_record_destroy(NULL);
        seen_record_destroy(&none);
        seen_record_destroy(&none);
    }
}
END_TEST

/* jansson's allocator, failing once ${alloc_left} allocations are used. */
static size_t alloc_left;

static void *
failing_malloc(size_t n)
{

    if (alloc_left == 0)
        return NULL;
    alloc_left--;
    return malloc(n);
}

START_TEST(test_out_of_memory_fails_the_line_without_leaks)
{
    struct seen_record *r;
    size_t n, len;
    char *body;
    int rc;

    json_set_alloc_funcs(failing_malloc, free);
    for (n = 0; n < 100000; n++) {
        alloc_left = n;
        memset(&D, 0, sizeof(D));
        rc = seen_record_parse(EXAMPLE, strlen(EXAMPLE), &r, collect, NULL);
        if (rc == 0)
            break;
        ck_assert_ptr_null(r);
        if (rc == SEEN_ENOMEM) {
            ck_assert_uint_eq(D.n, 0);
        } else {
            /* jansson's lexer reports some failed allocations as syntax. */
            ck_assert_int_eq(rc, SEEN_EINVAL);
            ck_assert_uint_eq(D.n, 1);
            ck_assert_str_eq(D.d[0].field, "(line)");
        }
    }
    ck_assert_int_eq(rc, 0);
    ck_assert_uint_gt(n, 10);

    /* The body may fail too, and the record is still whole. */
    alloc_left = 0;
    ck_assert_ptr_null(seen_record_body(r, &len));
    alloc_left = 1000;
    ck_assert_ptr_nonnull(body = seen_record_body(r, &len));
    ck_assert_str_eq(body, EXAMPLE);
    free(body);
    seen_record_destroy(&r);
    json_set_alloc_funcs(malloc, free);
}
END_TEST

static void
replay_one(void *ctx, const char *path, const char *name, const uint8_t *buf,
    size_t len)
{
    struct seen_record *r;
    size_t blen;
    char *body;
    int rc;

    (void)name;
    rc = run_len((const char *)buf, len, &r);
    ck_assert_msg(rc == 0 || rc == SEEN_EINVAL, "%s: %d", path, rc);
    if (*(const int *)ctx && rc != 0) {
        dump_diags();
        ck_abort_msg("%s does not parse", path);
    }
    if (rc == 0) {
        ck_assert_ptr_nonnull(body = seen_record_body(r, &blen));
        seen_record_destroy(&r);
        if (blen <= SEEN_RECORD_LINE_MAX) {
            ck_assert_msg(run_len(body, blen, &r) == 0,
                "%s: body does not parse again", path);
            seen_record_destroy(&r);
        }
        free(body);
    }
}

/* Replay every file of ${dir}; with ${must_parse}, each must parse.
 * Returns the number of files. */
static size_t
replay_dir(const char *dir, int must_parse)
{

    return tu_each_file(dir, replay_one, &must_parse);
}

START_TEST(test_fuzz_regressions_are_rejected_or_parsed_without_crashing)
{

    ck_assert_uint_ge(replay_dir(SEEN_SOURCE_DIR "/tests/fuzz/regress/import",
        0), 1);
}
END_TEST

START_TEST(test_fuzz_seed_corpus_lines_all_parse)
{

    ck_assert_uint_ge(replay_dir(SEEN_SOURCE_DIR "/tests/fuzz/corpus/import",
        1), 1);
}
END_TEST

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

Suite *
record_suite(void)
{
    Suite *s = suite_create("record");
    TCase *tc;

    tc = tcase_create("valid");
    tcase_add_test(tc, test_example_line_parses_with_every_field);
    tcase_add_test(tc, test_optional_fields_parse_to_their_values);
    tcase_add_test(tc, test_leap_day_in_a_leap_year_is_a_date);
    tcase_add_test(tc, test_id_of_1_to_128_characters_is_accepted);
    tcase_add_test(tc, test_test_range_nhs_number_is_kept_and_marked);
    tcase_add_test(tc, test_identifiers_are_stored_in_canonical_form);
    tcase_add_test(tc, test_unknown_fields_are_kept_in_the_body);
    tcase_add_test(tc, test_body_is_the_compact_record_and_parses_again);
    tcase_add_test(tc, test_deletion_line_needs_only_id);
    tcase_add_test(tc, test_blank_lines_are_recognised);
    tcase_add_test(tc, test_byte_order_mark_before_a_line_is_ignored);
    tcase_add_test(tc, test_parse_without_diag_callback_and_free_null);
    tcase_add_test(tc, test_out_of_memory_fails_the_line_without_leaks);
    suite_add_tcase(s, tc);

    tc = tcase_create("invalid");
    tcase_add_loop_test(tc, test_missing_required_field_is_an_error_naming_it,
        0, NELEM(required));
    tcase_add_loop_test(tc, test_wrong_type_is_an_error_naming_the_field, 0,
        NELEM(wrong_types));
    tcase_add_loop_test(tc, test_value_outside_its_list_is_an_error, 0,
        NELEM(bad_enums));
    tcase_add_loop_test(tc, test_impossible_or_misformatted_date_is_an_error,
        0, NELEM(bad_dates));
    tcase_add_test(tc, test_people_must_hold_1_to_64_people);
    tcase_add_test(tc, test_duplicate_refs_are_an_error);
    tcase_add_test(tc, test_id_of_0_or_129_characters_is_rejected);
    tcase_add_loop_test(tc, test_a_line_that_is_not_one_json_object_is_rejected,
        0, NELEM(not_json));
    tcase_add_test(tc, test_a_truncated_line_is_rejected);
    tcase_add_test(tc, test_a_line_over_1_mib_is_rejected);
    tcase_add_test(tc, test_every_problem_on_a_line_is_reported);
    tcase_add_test(tc, test_problems_reported_per_line_are_bounded);
    suite_add_tcase(s, tc);

    tc = tcase_create("identifiers");
    tcase_add_test(tc, test_invalid_nhs_number_is_a_warning_and_dropped);
    tcase_add_test(tc,
        test_invalid_upn_pnc_and_postcode_are_warnings_and_dropped);
    tcase_add_test(tc, test_invalid_nhs_number_alone_rejects_the_line);
    tcase_add_loop_test(tc, test_person_needs_an_identifier_or_enough_name, 0,
        NELEM(person_rule));
    suite_add_tcase(s, tc);

    tc = tcase_create("regress");
    tcase_add_test(tc,
        test_fuzz_regressions_are_rejected_or_parsed_without_crashing);
    tcase_add_test(tc, test_fuzz_seed_corpus_lines_all_parse);
    suite_add_tcase(s, tc);

    return s;
}
