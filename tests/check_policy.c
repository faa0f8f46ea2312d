/*
 * check_policy.c: the partnership agreement (proto/policy.[ch]): the lab's
 * agreement in scripts/partnership-agreement.json loads and decides as
 * the partnership means it to; the first matching rule wins and no match
 * queues; every kind of malformed agreement is refused with a message
 * that says where and what, never a crash, including every truncation of
 * the lab's file and altered bytes.  Also replays the fuzz seeds and the
 * inputs that once broke tests/fuzz/fuzz_policy.c, through that harness.
 */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/seen.h"
#include "proto/policy.h"
#include "tests/suites.h"
#include "tests/testutil.h"

/* The harness, under its own name so that every suite links into one
 * runner; its seeds and regression inputs replay through it. */
#define LLVMFuzzerTestOneInput fuzz_policy_one
#include "tests/fuzz/fuzz_policy.c"

#define LAB_AGREEMENT SEEN_SOURCE_DIR "/scripts/partnership-agreement.json"

/* ---- helpers ---- */

static struct seen_policy *
parse_ok(const char *text)
{
    struct seen_policy *p = NULL;
    char err[SEEN_POLICY_ERR_BYTES];
    int rc;

    rc = seen_policy_parse(text, strlen(text), &p, err);
    ck_assert_msg(rc == 0, "refused (%d): %s\n%s", rc, err, text);
    ck_assert_ptr_nonnull(p);
    ck_assert_str_eq(err, "");
    return p;
}

/* Assert ${text} parses, and free what it gave. */
static void
parses(const char *text)
{
    struct seen_policy *p = parse_ok(text);

    seen_policy_destroy(&p);
}

/* Assert ${text} is refused with a message that contains ${want}. */
static void
refused(const char *text, size_t len, const char *want)
{
    struct seen_policy *p = (struct seen_policy *)&p;
    char err[SEEN_POLICY_ERR_BYTES];
    size_t i;
    int rc;

    rc = seen_policy_parse(text, len, &p, err);
    ck_assert_msg(rc == SEEN_EINVAL, "accepted (%d): %.*s", rc, (int)len,
        text);
    ck_assert_ptr_null(p);
    ck_assert_msg(strstr(err, want) != NULL, "message '%s' lacks '%s'", err,
        want);
    for (i = 0; err[i] != '\0'; i++)
        ck_assert_msg((unsigned char)err[i] >= 0x20 &&
                (unsigned char)err[i] <= 0x7e,
            "unprintable byte in '%s'", err);
}

#define REFUSED(text, want) refused((text), strlen(text), (want))

/* An agreement with the given rules (a JSON array's inside). */
#define WITH_RULES(r) "{\"agreement\": \"T\", \"version\": 1, \"rules\": [" r "]}"

#define SHARE_RULE                                                         \
    "{\"holder\": \"police\", \"requester\": \"social_care\", "            \
    "\"kinds\": [\"domestic_abuse_incident\"], \"bases\": "                \
    "[\"duty_to_share\"], \"decision\": \"share\"}"

static int
decide(const struct seen_policy *p, const char *holder, const char *req,
    const char *kind, const char *role, const char *basis, int *rule)
{

    *rule = 12345;
    return seen_policy_decide(p, holder, req, kind, role, basis, rule);
}

/* ---- the lab's agreement ---- */

START_TEST(test_lab_agreement_loads)
{
    struct seen_policy *p = NULL;

    ck_assert_int_eq(seen_policy_load(LAB_AGREEMENT, &p), SEEN_OK);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(seen_policy_version(p), 1);
    ck_assert_uint_eq(seen_policy_rules(p), 13);
    ck_assert_ptr_nonnull(strstr(seen_policy_agreement(p), "Six areas"));
    seen_policy_destroy(&p);
}
END_TEST

/* One request to the lab's agreement and what it must decide, by which
 * rule (-1: by none). */
struct lab_case {
    const char *holder, *req, *kind, *role, *basis;
    int decision, rule;
};

/* Assert that the lab's agreement decides each of the ${n} ${cases} as it
 * says. */
static void
lab_decides(const struct lab_case *cases, size_t n)
{
    struct seen_policy *p = NULL;
    size_t i;
    int rule, d;

    ck_assert_int_eq(seen_policy_load(LAB_AGREEMENT, &p), SEEN_OK);
    for (i = 0; i < n; i++) {
        d = decide(p, cases[i].holder, cases[i].req, cases[i].kind,
            cases[i].role, cases[i].basis, &rule);
        ck_assert_msg(d == cases[i].decision && rule == cases[i].rule,
            "case %zu: %s by rule %d, expected %s by rule %d", i,
            seen_policy_decision_name(d), rule,
            seen_policy_decision_name(cases[i].decision), cases[i].rule);
    }
    seen_policy_destroy(&p);
}

#define LAB_DECIDES(cases)                                                     \
    lab_decides((cases), sizeof(cases) / sizeof((cases)[0]))

/* Police records go to children's social care about children and victims,
 * about perpetrators only to safeguard children, and never automatically
 * on consent or for kinds the rule does not name. */
START_TEST(test_lab_agreement_police_share_with_social_care_for_children)
{
    static const struct lab_case cases[] = {
        /* Police to children's social care: children and victims. */
        {"police", "social_care", "domestic_abuse_incident", "child",
            "duty_to_share", SEEN_POLICY_SHARE, 0},
        {"police", "social_care", "dvds_disclosure", "adult_victim",
            "safeguarding_children", SEEN_POLICY_SHARE, 0},
        {"police", "social_care", "marac_referral", "unborn", "duty_to_share",
            SEEN_POLICY_SHARE, 0},
        {"police", "social_care", "safety_plan", "child",
            "safeguarding_children", SEEN_POLICY_SHARE, 0},
        /* ... perpetrators only to safeguard children ... */
        {"police", "social_care", "domestic_abuse_incident", "perpetrator",
            "safeguarding_children", SEEN_POLICY_SHARE, 1},
        {"police", "social_care", "domestic_abuse_incident", "perpetrator",
            "duty_to_share", SEEN_POLICY_QUEUE, 12},
        /* ... and never automatically on consent. */
        {"police", "social_care", "domestic_abuse_incident", "child", "consent",
            SEEN_POLICY_QUEUE, 12},
        {"police", "social_care", "ed_attendance", "child", "duty_to_share",
            SEEN_POLICY_QUEUE, 12},
    };

    LAB_DECIDES(cases);
}
END_TEST

/* Police to health for pregnancies and young children. */
START_TEST(test_lab_agreement_police_share_with_health_and_probation)
{
    static const struct lab_case cases[] = {
        {"police", "health", "domestic_abuse_incident", "unborn",
            "safeguarding_children", SEEN_POLICY_SHARE, 2},
        {"police", "health", "dvds_disclosure", "adult_victim", "duty_to_share",
            SEEN_POLICY_QUEUE, 12},
        {"police", "probation", "domestic_abuse_incident", "perpetrator",
            "public_task", SEEN_POLICY_SHARE, 3},
    };

    LAB_DECIDES(cases);
}
END_TEST

/* Social care and health. */
START_TEST(test_lab_agreement_social_care_and_health_share)
{
    static const struct lab_case cases[] = {
        {"social_care", "health", "strategy_meeting", "child", "duty_to_share",
            SEEN_POLICY_SHARE, 4},
        {"social_care", "health", "child_in_need_assessment", "unborn",
            "safeguarding_children", SEEN_POLICY_SHARE, 4},
        {"social_care", "health", "strategy_meeting", "parent", "duty_to_share",
            SEEN_POLICY_QUEUE, 12},
        {"health", "social_care", "health_visitor_contact", "child",
            "duty_to_share", SEEN_POLICY_SHARE, 7},
        {"health", "social_care", "midwifery_booking", "unborn",
            "safeguarding_children", SEEN_POLICY_SHARE, 7},
        {"health", "social_care", "ed_attendance", "child", "duty_to_share",
            SEEN_POLICY_QUEUE, 12},
        {"health", "social_care", "midwifery_booking", "adult_victim",
            "duty_to_share", SEEN_POLICY_QUEUE, 12},
        {"health", "health", "midwifery_booking", "unborn", "duty_to_share",
            SEEN_POLICY_SHARE, 8},
        {"health", "police", "ed_attendance", "adult_victim",
            "legal_obligation", SEEN_POLICY_QUEUE, 12},
    };

    LAB_DECIDES(cases);
}
END_TEST

/* Schools and social care. */
START_TEST(test_lab_agreement_schools_and_social_care_share)
{
    static const struct lab_case cases[] = {
        {"school", "social_care", "safeguarding_concern", "child",
            "safeguarding_children", SEEN_POLICY_SHARE, 9},
        {"school", "police", "safeguarding_concern", "child",
            "safeguarding_children", SEEN_POLICY_QUEUE, 12},
        {"social_care", "school", "child_protection_plan", "child",
            "duty_to_share", SEEN_POLICY_SHARE, 6},
        {"social_care", "school", "child_in_need_assessment", "child",
            "duty_to_share", SEEN_POLICY_QUEUE, 12},
    };

    LAB_DECIDES(cases);
}
END_TEST

/* Probation to police and social care, about perpetrators. */
START_TEST(test_lab_agreement_probation_shares_about_perpetrators)
{
    static const struct lab_case cases[] = {
        {"probation", "police", "supervision", "perpetrator", "public_task",
            SEEN_POLICY_SHARE, 10},
        {"probation", "social_care", "supervision", "perpetrator",
            "safeguarding_children", SEEN_POLICY_SHARE, 10},
        {"probation", "health", "supervision", "perpetrator", "public_task",
            SEEN_POLICY_QUEUE, 12},
        {"probation", "police", "supervision", "other", "public_task",
            SEEN_POLICY_QUEUE, 12},
        {"youth_justice", "social_care", "youth_justice", "child",
            "duty_to_share", SEEN_POLICY_SHARE, 11},
        {"other", "other", "other", "other", "consent", SEEN_POLICY_QUEUE, 12},
    };

    LAB_DECIDES(cases);
}
END_TEST

/* Unknown names are queued, by no rule. */
START_TEST(test_lab_agreement_queues_unknown_names_by_no_rule)
{
    static const struct lab_case cases[] = {
        {"police", "social_care", "domestic_abuse", "child", "duty_to_share",
            SEEN_POLICY_QUEUE, -1},
        {"police", "fire_service", "domestic_abuse_incident", "child",
            "duty_to_share", SEEN_POLICY_QUEUE, -1},
        {"police", "social_care", "domestic_abuse_incident", "victim",
            "duty_to_share", SEEN_POLICY_QUEUE, -1},
        {"police", "social_care", "domestic_abuse_incident", "child",
            "vital_interests", SEEN_POLICY_QUEUE, -1},
        {"*", "social_care", "domestic_abuse_incident", "child",
            "duty_to_share", SEEN_POLICY_QUEUE, -1},
        {"Police", "social_care", "domestic_abuse_incident", "child",
            "duty_to_share", SEEN_POLICY_QUEUE, -1},
        {"police", "social_care", "domestic_abuse_incident", NULL,
            "duty_to_share", SEEN_POLICY_QUEUE, -1},
    };

    LAB_DECIDES(cases);
}
END_TEST

START_TEST(test_lab_agreement_rule_index_is_optional)
{
    struct seen_policy *p = NULL;

    ck_assert_int_eq(seen_policy_load(LAB_AGREEMENT, &p), SEEN_OK);
    ck_assert_int_eq(seen_policy_decide(p, "police", "social_care",
                         "domestic_abuse_incident", "child", "duty_to_share",
                         NULL),
        SEEN_POLICY_SHARE);
    seen_policy_destroy(&p);
}
END_TEST

START_TEST(test_lab_agreement_never_shares_under_consent_or_to_unknowns)
{
    static const char *types[] = {"social_care", "police", "health",
        "school", "probation", "youth_justice", "other"};
    static const char *kinds[] = {"domestic_abuse_incident",
        "dvds_disclosure", "marac_referral", "child_in_need_assessment",
        "strategy_meeting", "child_protection_plan", "safety_plan",
        "midwifery_booking", "health_visitor_contact", "ed_attendance",
        "safeguarding_concern", "supervision", "youth_justice", "other"};
    static const char *roles[] = {"child", "unborn", "adult_victim",
        "perpetrator", "parent", "other"};
    struct seen_policy *p = NULL;
    size_t h, q, k, r, shared = 0;
    int rule;

    ck_assert_int_eq(seen_policy_load(LAB_AGREEMENT, &p), SEEN_OK);
    for (h = 0; h < 7; h++)
        for (q = 0; q < 7; q++)
            for (k = 0; k < 14; k++)
                for (r = 0; r < 6; r++) {
                    ck_assert_int_eq(decide(p, types[h], types[q], kinds[k],
                                         roles[r], "consent", &rule),
                        SEEN_POLICY_QUEUE);
                    ck_assert_int_eq(rule, 12);
                    /* Nothing about an "other" person is automatic, and
                     * nothing to or from an "other" agency. */
                    if (decide(p, types[h], types[q], kinds[k], roles[r],
                            "safeguarding_children", &rule) ==
                        SEEN_POLICY_SHARE) {
                        ck_assert_str_ne(roles[r], "other");
                        ck_assert_str_ne(types[h], "other");
                        ck_assert_str_ne(types[q], "other");
                        shared++;
                    }
                }
    ck_assert_uint_gt(shared, 20);
    seen_policy_destroy(&p);
}
END_TEST

START_TEST(test_brief_example_agreement_parses)
{
    struct seen_policy *p = parse_ok(
        "{\"agreement\": \"Six areas information-sharing agreement 2026\", "
        "\"version\": 3,\n \"rules\": [\n"
        "   {\"holder\": \"police\", \"requester\": \"social_care\", "
        "\"kinds\": [\"domestic_abuse_incident\", \"dvds_disclosure\", "
        "\"marac_referral\"], \"bases\": [\"duty_to_share\", "
        "\"safeguarding_children\"], \"roles\": [\"child\", \"unborn\", "
        "\"adult_victim\", \"perpetrator\", \"parent\"], \"decision\": "
        "\"share\"},\n"
        "   {\"holder\": \"health\", \"requester\": \"*\", \"kinds\": "
        "[\"*\"], \"decision\": \"queue\"}\n ]}");
    int rule;

    ck_assert_uint_eq(seen_policy_version(p), 3);
    ck_assert_uint_eq(seen_policy_rules(p), 2);
    ck_assert_str_eq(seen_policy_agreement(p),
        "Six areas information-sharing agreement 2026");
    ck_assert_int_eq(decide(p, "police", "social_care", "marac_referral",
                         "perpetrator", "duty_to_share", &rule),
        SEEN_POLICY_SHARE);
    ck_assert_int_eq(rule, 0);
    ck_assert_int_eq(decide(p, "health", "police", "ed_attendance", "child",
                         "duty_to_share", &rule),
        SEEN_POLICY_QUEUE);
    ck_assert_int_eq(rule, 1);
    ck_assert_int_eq(decide(p, "school", "police", "safeguarding_concern",
                         "child", "duty_to_share", &rule),
        SEEN_POLICY_QUEUE);
    ck_assert_int_eq(rule, -1);
    seen_policy_destroy(&p);
}
END_TEST

/* ---- how rules decide ---- */

START_TEST(test_first_matching_rule_wins)
{
    struct seen_policy *p = parse_ok(WITH_RULES(
        "{\"holder\": \"police\", \"requester\": \"social_care\", "
        "\"kinds\": \"dvds_disclosure\", \"decision\": \"queue\"},"
        "{\"holder\": \"police\", \"requester\": \"social_care\", "
        "\"kinds\": \"*\", \"bases\": \"duty_to_share\", "
        "\"decision\": \"share\"},"
        "{\"holder\": \"police\", \"requester\": [\"social_care\", "
        "\"health\"], \"kinds\": [\"*\"], \"bases\": [\"duty_to_share\", "
        "\"consent\"], \"decision\": \"share\"}"));
    int rule;

    /* The narrow "queue" rule comes first and wins over the broad share. */
    ck_assert_int_eq(decide(p, "police", "social_care", "dvds_disclosure",
                         "child", "duty_to_share", &rule),
        SEEN_POLICY_QUEUE);
    ck_assert_int_eq(rule, 0);
    ck_assert_int_eq(decide(p, "police", "social_care",
                         "domestic_abuse_incident", "child", "duty_to_share",
                         &rule),
        SEEN_POLICY_SHARE);
    ck_assert_int_eq(rule, 1);
    ck_assert_int_eq(decide(p, "police", "social_care",
                         "domestic_abuse_incident", "child", "consent",
                         &rule),
        SEEN_POLICY_SHARE);
    ck_assert_int_eq(rule, 2);
    ck_assert_int_eq(decide(p, "police", "health", "dvds_disclosure",
                         "perpetrator", "consent", &rule),
        SEEN_POLICY_SHARE);
    ck_assert_int_eq(rule, 2);
    ck_assert_int_eq(decide(p, "police", "health", "dvds_disclosure",
                         "perpetrator", "public_task", &rule),
        SEEN_POLICY_QUEUE);
    ck_assert_int_eq(rule, -1);
    seen_policy_destroy(&p);
}
END_TEST

START_TEST(test_no_matching_rule_queues)
{
    struct seen_policy *p = parse_ok(WITH_RULES(SHARE_RULE));
    struct seen_policy *empty = parse_ok(WITH_RULES(""));
    int rule;

    ck_assert_int_eq(decide(p, "police", "social_care",
                         "domestic_abuse_incident", "child", "duty_to_share",
                         &rule),
        SEEN_POLICY_SHARE);
    ck_assert_int_eq(rule, 0);
    ck_assert_int_eq(decide(p, "social_care", "police",
                         "domestic_abuse_incident", "child", "duty_to_share",
                         &rule),
        SEEN_POLICY_QUEUE);
    ck_assert_int_eq(rule, -1);
    ck_assert_int_eq(decide(p, "police", "social_care", "dvds_disclosure",
                         "child", "duty_to_share", &rule),
        SEEN_POLICY_QUEUE);
    ck_assert_int_eq(rule, -1);
    ck_assert_int_eq(decide(p, "police", "social_care",
                         "domestic_abuse_incident", "child", "public_task",
                         &rule),
        SEEN_POLICY_QUEUE);
    ck_assert_int_eq(rule, -1);
    /* No rules, or no agreement at all: everything is queued. */
    ck_assert_uint_eq(seen_policy_rules(empty), 0);
    ck_assert_int_eq(decide(empty, "police", "social_care",
                         "domestic_abuse_incident", "child", "duty_to_share",
                         &rule),
        SEEN_POLICY_QUEUE);
    ck_assert_int_eq(rule, -1);
    ck_assert_int_eq(decide(NULL, "police", "social_care",
                         "domestic_abuse_incident", "child", "duty_to_share",
                         &rule),
        SEEN_POLICY_QUEUE);
    ck_assert_int_eq(rule, -1);
    seen_policy_destroy(&p);
    seen_policy_destroy(&empty);
}
END_TEST

START_TEST(test_roles_and_bases_default_to_any_in_queue_rules)
{
    struct seen_policy *p = parse_ok(WITH_RULES(
        "{\"holder\": \"health\", \"requester\": \"*\", \"kinds\": "
        "[\"ed_attendance\"], \"decision\": \"queue\", \"note\": \"A&E\"},"
        SHARE_RULE));
    int rule;

    ck_assert_int_eq(decide(p, "health", "police", "ed_attendance", "other",
                         "consent", &rule),
        SEEN_POLICY_QUEUE);
    ck_assert_int_eq(rule, 0);
    ck_assert_int_eq(decide(p, "police", "social_care",
                         "domestic_abuse_incident", "other", "duty_to_share",
                         &rule),
        SEEN_POLICY_SHARE);
    ck_assert_int_eq(rule, 1);
    seen_policy_destroy(&p);
}
END_TEST

START_TEST(test_names_and_basis_validity)
{

    ck_assert_str_eq(seen_policy_decision_name(SEEN_POLICY_SHARE), "share");
    ck_assert_str_eq(seen_policy_decision_name(SEEN_POLICY_QUEUE), "queue");
    ck_assert_ptr_null(seen_policy_decision_name((enum seen_policy_decision)7));
    ck_assert(seen_policy_basis_valid("duty_to_share"));
    ck_assert(seen_policy_basis_valid("public_task"));
    ck_assert(seen_policy_basis_valid("safeguarding_children"));
    ck_assert(seen_policy_basis_valid("legal_obligation"));
    ck_assert(seen_policy_basis_valid("consent"));
    ck_assert(!seen_policy_basis_valid("vital_interests"));
    ck_assert(!seen_policy_basis_valid("*"));
    ck_assert(!seen_policy_basis_valid(""));
    ck_assert(!seen_policy_basis_valid(NULL));
}
END_TEST

/* ---- malformed agreements ---- */

START_TEST(test_malformed_top_level_is_refused_with_place_and_reason)
{
    static const char with_nul[] =
        "{\"agreement\": \"T\0\", \"version\": 1, \"rules\": []}";
    static const char big_version[] =
        "{\"agreement\": \"T\", \"version\": 99999999999999999999, "
        "\"rules\": []}";
    char name[512];

    REFUSED("", "line 1, column 0: not valid JSON");
    REFUSED("   \n", "not valid JSON");
    REFUSED("{", "not valid JSON");
    REFUSED("[]", "not a JSON object");
    REFUSED("\"agreement\"", "not valid JSON");
    REFUSED("{}", "no \"agreement\"");
    REFUSED("{\"agreement\": \"T\", \"version\": 1}", "no \"rules\"");
    REFUSED("{\"agreement\": \"T\", \"rules\": []}", "no \"version\"");
    REFUSED("{\"agreement\": 5, \"version\": 1, \"rules\": []}",
        "agreement: not a string");
    REFUSED("{\"agreement\": \"\", \"version\": 1, \"rules\": []}",
        "agreement: not 1-200 characters");
    REFUSED("{\"agreement\": \"a\\nb\", \"version\": 1, \"rules\": []}",
        "agreement: not 1-200 characters without control characters");
    REFUSED("{\"agreement\": \"a\\u202eb\", \"version\": 1, \"rules\": []}",
        "agreement: not 1-200");
    memset(name, 'a', 201);
    name[201] = '\0';
    {
        char doc[1024];

        snprintf(doc, sizeof doc,
            "{\"agreement\": \"%s\", \"version\": 1, \"rules\": []}", name);
        REFUSED(doc, "agreement: not 1-200");
        name[200] = '\0';
        snprintf(doc, sizeof doc,
            "{\"agreement\": \"%s\", \"version\": 1, \"rules\": []}", name);
        parses(doc);
    }
    REFUSED("{\"agreement\": \"T\", \"version\": 0, \"rules\": []}",
        "version: not a whole number of 1 or more");
    REFUSED("{\"agreement\": \"T\", \"version\": -3, \"rules\": []}",
        "version: not a whole number");
    REFUSED("{\"agreement\": \"T\", \"version\": 1.5, \"rules\": []}",
        "version: not a whole number");
    REFUSED("{\"agreement\": \"T\", \"version\": \"1\", \"rules\": []}",
        "version: not a whole number");
    REFUSED(big_version, "not valid JSON");
    REFUSED("{\"agreement\": \"T\", \"version\": 1, \"rules\": {}}",
        "rules: not a list");
    REFUSED("{\"agreement\": \"T\", \"version\": 1, \"rules\": null}",
        "rules: not a list");
    REFUSED("{\"agreement\": \"T\", \"version\": 1, \"rules\": [], "
            "\"rule\": []}",
        "unknown field 'rule'");
    REFUSED("{\"agreement\": \"T\", \"version\": 1, \"rules\": [], "
            "\"note\": 5}",
        "note: not a string");
    REFUSED("{\"agreement\": \"T\", \"agreement\": \"U\", \"version\": 1, "
            "\"rules\": []}",
        "duplicate object key");
    REFUSED("{\"agreement\": \"T\", \"version\": 1, \"rules\": []} x",
        "not valid JSON");
    REFUSED("{\"agreement\": \"T\", \"version\": 1, \"rules\": []}{}",
        "not valid JSON");
    REFUSED("{\"agreement\": \"T\\u0000\", \"version\": 1, \"rules\": []}",
        "not valid JSON");
    REFUSED("{\"agreement\": \"T\xff\", \"version\": 1, \"rules\": []}",
        "not valid JSON");
    refused(with_nul, sizeof with_nul - 1, "not valid JSON");
    REFUSED("{\"agreement\": \"T\", \"version\": 1, \"rules\": [],\n"
            "  \"note\": \"fine\",\n  oops}",
        "line 3, column");
}
END_TEST

/* The inside of a rules array, and what refusing it must say. */
struct rules_case {
    const char *rules, *want;
};

/* Assert that an agreement with each of the ${n} ${cases} as its rules is
 * refused with a message that says what it should. */
static void
rules_refused(const struct rules_case *cases, size_t n)
{
    char doc[2048];
    size_t i;

    for (i = 0; i < n; i++) {
        snprintf(doc, sizeof doc, WITH_RULES("%s"), cases[i].rules);
        refused(doc, strlen(doc), cases[i].want);
    }
}

#define RULES_REFUSED(cases)                                                   \
    rules_refused((cases), sizeof(cases) / sizeof((cases)[0]))

/* A rule that is not an object, or lacks a field it needs. */
START_TEST(test_rules_that_are_not_whole_rules_are_refused)
{
    static const struct rules_case cases[] = {
        {"5", "rules[0]: not an object"},
        {"[]", "rules[0]: not an object"},
        {"{\"requester\": \"*\", \"kinds\": \"*\", \"decision\": \"queue\"}",
            "rules[0]: no \"holder\""},
        {"{\"holder\": \"*\", \"kinds\": \"*\", \"decision\": \"queue\"}",
            "rules[0]: no \"requester\""},
        {"{\"holder\": \"*\", \"requester\": \"*\", \"decision\": \"queue\"}",
            "rules[0]: no \"kinds\""},
        {"{\"holder\": \"*\", \"requester\": \"*\", \"kinds\": \"*\"}",
            "rules[0]: no \"decision\""},
    };

    RULES_REFUSED(cases);
}
END_TEST

/* An agency type, kind, role or legal basis that does not exist. */
START_TEST(test_rules_naming_unknown_things_are_refused)
{
    static const struct rules_case cases[] = {
        {"{\"holder\": \"fire_service\", \"requester\": \"*\", \"kinds\": "
         "\"*\", \"decision\": \"queue\"}",
            "rules[0].holder: unknown agency type 'fire_service'"},
        {"{\"holder\": \"police\", \"requester\": [\"health\", \"nhs\"], "
         "\"kinds\": \"*\", \"decision\": \"queue\"}",
            "rules[0].requester[1]: unknown agency type 'nhs'"},
        {SHARE_RULE ", {\"holder\": \"police\", \"requester\": \"health\", "
                    "\"kinds\": [\"domestic_abuse_incident\", "
                    "\"domestic_abuse\"], \"decision\": \"queue\"}",
            "rules[1].kinds[1]: unknown kind 'domestic_abuse'"},
        {"{\"holder\": \"police\", \"requester\": \"health\", \"kinds\": "
         "\"*\", \"roles\": [\"victim\"], \"decision\": \"queue\"}",
            "rules[0].roles[0]: unknown role 'victim'"},
        {"{\"holder\": \"police\", \"requester\": \"health\", \"kinds\": "
         "\"*\", \"bases\": [\"vital_interests\"], \"decision\": \"queue\"}",
            "rules[0].bases[0]: unknown legal basis 'vital_interests'"},
        {"{\"holder\": \"police\", \"requester\": \"health\", \"kinds\": "
         "[\"\\u202e\"], \"decision\": \"queue\"}",
            "rules[0].kinds[0]: unknown kind"},
        {"{\"holder\": \"police\", \"requester\": \"health\", \"kinds\": "
         "[\"Domestic_Abuse_Incident\"], \"decision\": \"queue\"}",
            "rules[0].kinds[0]: unknown kind 'Domestic_Abuse_Incident'"},
    };

    RULES_REFUSED(cases);
}
END_TEST

/* A list that is empty, mixes '*' with names, repeats a name, or is not
 * a list of names. */
START_TEST(test_rules_with_malformed_lists_are_refused)
{
    static const struct rules_case cases[] = {
        {"{\"holder\": \"police\", \"requester\": \"health\", \"kinds\": "
         "[], \"decision\": \"queue\"}",
            "rules[0].kinds: empty list (use \"*\" for any)"},
        {"{\"holder\": \"police\", \"requester\": \"health\", \"kinds\": "
         "[\"*\", \"other\"], \"decision\": \"queue\"}",
            "rules[0].kinds[0]: '*' (any) must stand alone"},
        {"{\"holder\": \"police\", \"requester\": \"health\", \"kinds\": "
         "[\"other\", \"*\"], \"decision\": \"queue\"}",
            "rules[0].kinds[1]: '*' (any) must stand alone"},
        {"{\"holder\": \"police\", \"requester\": \"health\", \"kinds\": "
         "[\"other\", \"other\"], \"decision\": \"queue\"}",
            "rules[0].kinds[1]: kind 'other' repeated"},
        {"{\"holder\": \"police\", \"requester\": \"health\", \"kinds\": 5, "
         "\"decision\": \"queue\"}",
            "rules[0].kinds: not a name, a list of names or \"*\""},
        {"{\"holder\": null, \"requester\": \"health\", \"kinds\": \"*\", "
         "\"decision\": \"queue\"}",
            "rules[0].holder: not a name, a list of names or \"*\""},
        {"{\"holder\": \"police\", \"requester\": \"health\", \"kinds\": "
         "[5], \"decision\": \"queue\"}",
            "rules[0].kinds[0]: not a string"},
    };

    RULES_REFUSED(cases);
}
END_TEST

/* A decision that is not "share" or "queue", or a "share" that does not
 * name its legal bases. */
START_TEST(test_rules_with_a_bad_decision_are_refused)
{
    static const struct rules_case cases[] = {
        {"{\"holder\": \"police\", \"requester\": \"health\", \"kinds\": "
         "\"*\", \"decision\": \"withhold\"}",
            "rules[0].decision: 'withhold' is never automatic"},
        {"{\"holder\": \"police\", \"requester\": \"health\", \"kinds\": "
         "\"*\", \"decision\": \"maybe\"}",
            "rules[0].decision: must be \"share\" or \"queue\", not 'maybe'"},
        {"{\"holder\": \"police\", \"requester\": \"health\", \"kinds\": "
         "\"*\", \"decision\": \"SHARE\"}",
            "rules[0].decision: must be \"share\" or \"queue\""},
        {"{\"holder\": \"police\", \"requester\": \"health\", \"kinds\": "
         "\"*\", \"decision\": true}",
            "rules[0].decision: not a string"},
        {"{\"holder\": \"police\", \"requester\": \"health\", \"kinds\": "
         "\"*\", \"decision\": \"share\"}",
            "rules[0].bases: a \"share\" rule must name its legal bases"},
        {"{\"holder\": \"police\", \"requester\": \"health\", \"kinds\": "
         "\"*\", \"bases\": \"*\", \"decision\": \"share\"}",
            "rules[0].bases: a \"share\" rule must name its legal bases"},
        {"{\"holder\": \"police\", \"requester\": \"health\", \"kinds\": "
         "\"*\", \"bases\": [\"*\"], \"decision\": \"share\"}",
            "rules[0].bases: a \"share\" rule must name its legal bases"},
    };

    RULES_REFUSED(cases);
}
END_TEST

/* A field the format does not have (naming the one meant, where it can),
 * a note that is not text, or a key given twice. */
START_TEST(test_rules_with_unknown_or_repeated_fields_are_refused)
{
    static const struct rules_case cases[] = {
        {"{\"holder\": \"police\", \"requester\": \"health\", \"kind\": "
         "\"*\", \"decision\": \"queue\"}",
            "rules[0]: unknown field 'kind' (did you mean 'kinds'?)"},
        {"{\"holder\": \"police\", \"requester\": \"health\", \"kinds\": "
         "\"*\", \"role\": \"child\", \"decision\": \"queue\"}",
            "rules[0]: unknown field 'role' (did you mean 'roles'?)"},
        {"{\"holder\": \"police\", \"requester\": \"health\", \"kinds\": "
         "\"*\", \"basis\": \"consent\", \"decision\": \"queue\"}",
            "rules[0]: unknown field 'basis' (did you mean 'bases'?)"},
        {"{\"holder\": \"police\", \"requester\": \"health\", \"kinds\": "
         "\"*\", \"colour\": \"red\", \"decision\": \"queue\"}",
            "rules[0]: unknown field 'colour'"},
        {"{\"holder\": \"police\", \"requester\": \"health\", \"kinds\": "
         "\"*\", \"note\": [\"x\"], \"decision\": \"queue\"}",
            "rules[0].note: not a string"},
        {"{\"holder\": \"police\", \"requester\": \"health\", \"kinds\": "
         "\"*\", \"decision\": \"queue\", \"decision\": \"share\"}",
            "duplicate object key"},
    };

    RULES_REFUSED(cases);
}
END_TEST

START_TEST(test_rules_that_never_apply_are_refused)
{
    static const struct rules_case cases[] = {
        /* A rule after a catch-all never applies. */
        {"{\"holder\": \"*\", \"requester\": \"*\", \"kinds\": \"*\", "
         "\"decision\": \"queue\"}, " SHARE_RULE,
            "rules[1]: never applies: rules[0] before it matches every "
            "request it matches"},
        /* Nor does a repeated rule. */
        {SHARE_RULE ", " SHARE_RULE, "rules[1]: never applies: rules[0]"},
        {"{\"holder\": \"police\", \"requester\": \"health\", \"kinds\": "
         "\"*\", \"decision\": \"queue\"}, {\"holder\": \"police\", "
         "\"requester\": \"health\", \"kinds\": \"other\", \"roles\": "
         "\"child\", \"bases\": \"consent\", \"decision\": \"share\"}",
            "rules[1]: never applies: rules[0]"},
    };

    RULES_REFUSED(cases);
}
END_TEST

START_TEST(test_limits_are_enforced)
{
    char *doc, *p;
    size_t i, n, cap = 200 * (SEEN_POLICY_RULES_MAX + 2) + 4096;
    int rc;

    /* 1001 rules are too many (and all but the first never apply, which
     * is found later: the count comes first). */
    ck_assert_ptr_nonnull(doc = malloc(cap));
    p = doc + sprintf(doc, "{\"agreement\": \"T\", \"version\": 1, "
                           "\"rules\": [");
    for (i = 0; i <= SEEN_POLICY_RULES_MAX; i++)
        p += sprintf(p,
            "{\"holder\": \"police\", \"requester\": \"health\", "
            "\"kinds\": \"other\", \"roles\": \"child\", \"decision\": "
            "\"queue\", \"note\": \"%04zu\"},",
            i);
    p[-1] = ']';
    *p++ = '}';
    *p = '\0';
    refused(doc, strlen(doc), "rules: more than 1000 rules");

    /* A file over 1 MiB is refused before it is parsed. */
    free(doc);
    n = SEEN_POLICY_FILE_MAX + 1;
    ck_assert_ptr_nonnull(doc = malloc(n));
    memset(doc, ' ', n);
    memcpy(doc, WITH_RULES(""), strlen(WITH_RULES("")));
    refused(doc, n, "larger than 1048576 bytes");
    /* ... but padding up to the limit is fine. */
    {
        struct seen_policy *pol = NULL;
        char err[SEEN_POLICY_ERR_BYTES];

        rc = seen_policy_parse(doc, n - 1, &pol, err);
        ck_assert_msg(rc == 0, "%s", err);
        seen_policy_destroy(&pol);
    }
    free(doc);

    /* A note of 2000 characters is fine; 2001 is not. */
    n = 4096;
    ck_assert_ptr_nonnull(doc = malloc(n));
    p = doc + sprintf(doc, "{\"agreement\": \"T\", \"version\": 1, "
                           "\"rules\": [], \"note\": \"");
    memset(p, 'n', SEEN_POLICY_NOTE_MAX);
    strcpy(p + SEEN_POLICY_NOTE_MAX, "\"}");
    parses(doc);
    memset(p, 'n', SEEN_POLICY_NOTE_MAX + 1);
    strcpy(p + SEEN_POLICY_NOTE_MAX + 1, "\"}");
    REFUSED(doc, "note: longer than 2000 characters");
    free(doc);
}
END_TEST

START_TEST(test_deep_nesting_is_refused_not_crashed_on)
{
    size_t depth = 100000, i, n;
    char *doc;

    n = strlen("{\"agreement\": \"T\", \"version\": 1, \"rules\": [], "
               "\"note\": ") +
        2 * depth + 2;
    ck_assert_ptr_nonnull(doc = malloc(n + 1));
    i = (size_t)sprintf(doc, "{\"agreement\": \"T\", \"version\": 1, "
                             "\"rules\": [], \"note\": ");
    memset(doc + i, '[', depth);
    memset(doc + i + depth, ']', depth);
    doc[i + 2 * depth] = '}';
    doc[i + 2 * depth + 1] = '\0';
    REFUSED(doc, "not valid JSON");
    free(doc);
}
END_TEST

START_TEST(test_every_truncation_of_the_lab_agreement_is_refused)
{
    struct seen_policy *p;
    char err[SEEN_POLICY_ERR_BYTES];
    uint8_t *buf;
    size_t len, cut, j, refusals = 0;
    int rc, blank;

    buf = (uint8_t *)tu_slurp(LAB_AGREEMENT, &len);
    ck_assert_uint_gt(len, 1000);
    for (cut = 0; cut < len; cut++) {
        p = (struct seen_policy *)&p;
        rc = seen_policy_parse(buf, cut, &p, err);
        for (blank = 1, j = cut; j < len; j++)
            if (buf[j] != ' ' && buf[j] != '\n' && buf[j] != '\t' &&
                buf[j] != '\r')
                blank = 0;
        if (rc == 0) {
            /* Only a cut in trailing whitespace leaves a whole agreement. */
            ck_assert_msg(blank, "accepted at %zu of %zu bytes", cut, len);
            seen_policy_destroy(&p);
            continue;
        }
        ck_assert_int_eq(rc, SEEN_EINVAL);
        ck_assert_ptr_null(p);
        ck_assert_msg(strstr(err, "not valid JSON") != NULL,
            "at %zu: '%s'", cut, err);
        refusals++;
    }
    ck_assert_uint_ge(refusals, len - 2);
    free(buf);
}
END_TEST

START_TEST(test_altered_bytes_never_crash)
{
    static const char doc[] = WITH_RULES(SHARE_RULE
        ", {\"holder\": [\"health\", \"school\"], \"requester\": \"*\", "
        "\"kinds\": [\"*\"], \"roles\": \"child\", \"decision\": \"queue\", "
        "\"note\": \"x\"}");
    static const uint8_t with[] = {0x00, 0x80, 0xff, '"', '\\', '*', '[',
        ']', '{', '}', ',', ':', 'x', ' '};
    struct seen_policy *p;
    char err[SEEN_POLICY_ERR_BYTES], buf[sizeof doc];
    size_t i, k, accepted = 0, refusals = 0;
    int rc;

    parses(doc);
    for (i = 0; i < sizeof doc - 1; i++) {
        for (k = 0; k < sizeof with; k++) {
            memcpy(buf, doc, sizeof doc);
            if ((uint8_t)buf[i] == with[k])
                continue;
            buf[i] = (char)with[k];
            p = NULL;
            rc = seen_policy_parse(buf, sizeof doc - 1, &p, err);
            if (rc == 0) {
                ck_assert_ptr_nonnull(p);
                fuzz_check_policy(p);
                seen_policy_destroy(&p);
                accepted++;
            } else {
                ck_assert_int_eq(rc, SEEN_EINVAL);
                ck_assert_ptr_null(p);
                fuzz_check_message(err);
                refusals++;
            }
        }
    }
    ck_assert_uint_gt(refusals, accepted);
}
END_TEST

/* ---- loading files ---- */

START_TEST(test_load_reports_file_and_place)
{
    static const char bad[] = WITH_RULES(
        SHARE_RULE ", {\"holder\": \"police\", \"requester\": \"health\", "
                   "\"kinds\": [\"domestic_abuse_incident\", "
                   "\"domestic_abuse\"], \"decision\": \"queue\"}");
    char dir[1024], path[2048], logp[2048], want[4096], got[4096];
    struct seen_policy *p = (struct seen_policy *)&p;
    ssize_t n;
    FILE *f;
    int fd;

    tu_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/agreement.json", dir);
    snprintf(logp, sizeof logp, "%s/stderr", dir);
    ck_assert_ptr_nonnull(f = fopen(path, "w"));
    fputs(bad, f);
    fclose(f);

    tu_quiet(logp);
    ck_assert_int_eq(seen_policy_load(path, &p), SEEN_EINVAL);
    tu_loud();
    ck_assert_ptr_null(p);
    ck_assert_int_ge(fd = open(logp, O_RDONLY), 0);
    n = read(fd, got, sizeof got - 1);
    close(fd);
    ck_assert_int_gt(n, 0);
    got[n] = '\0';
    snprintf(want, sizeof want,
        "%s: rules[1].kinds[1]: unknown kind 'domestic_abuse'\n", path);
    ck_assert_msg(strstr(got, want) != NULL, "logged '%s'", got);
    /* Logged once. */
    ck_assert_ptr_null(strstr(strstr(got, want) + 1, want));
    tu_rmrf(dir);
}
END_TEST

START_TEST(test_load_refuses_missing_directory_and_oversized_files)
{
    char dir[1024], path[2048];
    struct seen_policy *p = (struct seen_policy *)&p;
    int fd;

    tu_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/none.json", dir);
    tu_quiet(NULL);
    ck_assert_int_eq(seen_policy_load(path, &p), SEEN_ENOTFOUND);
    ck_assert_ptr_null(p);
    ck_assert_int_eq(seen_policy_load(dir, &p), SEEN_EINVAL);
    ck_assert_ptr_null(p);
    ck_assert_int_ge(fd = open(path, O_WRONLY | O_CREAT, 0600), 0);
    ck_assert_int_eq(ftruncate(fd, SEEN_POLICY_FILE_MAX + 1), 0);
    close(fd);
    ck_assert_int_eq(seen_policy_load(path, &p), SEEN_EINVAL);
    ck_assert_ptr_null(p);
    /* An empty file is not an agreement. */
    ck_assert_int_eq(truncate(path, 0), 0);
    ck_assert_int_eq(seen_policy_load(path, &p), SEEN_EINVAL);
    ck_assert_ptr_null(p);
    tu_loud();
    tu_rmrf(dir);
}
END_TEST

/* ---- fuzz seeds and regressions ---- */

static void
replay_one(void *ctx, const char *path, const char *name, const uint8_t *buf,
    size_t len)
{
    char err[SEEN_POLICY_ERR_BYTES];
    struct seen_policy *p = NULL;
    int rc;

    (void)LLVMFuzzerTestOneInput(buf, len);
    if (*(const int *)ctx) {
        rc = seen_policy_parse(buf, len, &p, err);
        if (strncmp(name, "valid-", 6) == 0)
            ck_assert_msg(rc == 0, "%s: %s", path, err);
        else if (strncmp(name, "invalid-", 8) == 0)
            ck_assert_msg(rc == SEEN_EINVAL, "%s accepted", path);
        seen_policy_destroy(&p);
    }
}

/* Replay every file of ${dir}; with ${check}, "valid-" files must parse
 * and "invalid-" ones must not.  Returns the number of files. */
static size_t
replay_dir(const char *dir, int check)
{

    return tu_each_file(dir, replay_one, &check);
}

START_TEST(test_fuzz_seed_corpus_replays)
{

    ck_assert_uint_ge(
        replay_dir(SEEN_SOURCE_DIR "/tests/fuzz/corpus/policy", 1), 5);
}
END_TEST

START_TEST(test_fuzz_regressions_are_handled_without_crashing)
{

    /* The folder holds nothing until the fuzzer finds something. */
    (void)replay_dir(SEEN_SOURCE_DIR "/tests/fuzz/regress/policy", 0);
}
END_TEST

Suite *
policy_suite(void)
{
    Suite *s = suite_create("policy");
    TCase *tc;

    tc = tcase_create("lab");
    tcase_add_test(tc, test_lab_agreement_loads);
    tcase_add_test(
        tc, test_lab_agreement_police_share_with_social_care_for_children);
    tcase_add_test(
        tc, test_lab_agreement_police_share_with_health_and_probation);
    tcase_add_test(tc, test_lab_agreement_social_care_and_health_share);
    tcase_add_test(tc, test_lab_agreement_schools_and_social_care_share);
    tcase_add_test(tc, test_lab_agreement_probation_shares_about_perpetrators);
    tcase_add_test(tc, test_lab_agreement_queues_unknown_names_by_no_rule);
    tcase_add_test(tc, test_lab_agreement_rule_index_is_optional);
    tcase_add_test(tc,
        test_lab_agreement_never_shares_under_consent_or_to_unknowns);
    tcase_add_test(tc, test_brief_example_agreement_parses);
    suite_add_tcase(s, tc);

    tc = tcase_create("decide");
    tcase_add_test(tc, test_first_matching_rule_wins);
    tcase_add_test(tc, test_no_matching_rule_queues);
    tcase_add_test(tc, test_roles_and_bases_default_to_any_in_queue_rules);
    tcase_add_test(tc, test_names_and_basis_validity);
    suite_add_tcase(s, tc);

    tc = tcase_create("malformed");
    tcase_add_test(tc,
        test_malformed_top_level_is_refused_with_place_and_reason);
    tcase_add_test(tc, test_rules_that_are_not_whole_rules_are_refused);
    tcase_add_test(tc, test_rules_naming_unknown_things_are_refused);
    tcase_add_test(tc, test_rules_with_malformed_lists_are_refused);
    tcase_add_test(tc, test_rules_with_a_bad_decision_are_refused);
    tcase_add_test(tc, test_rules_with_unknown_or_repeated_fields_are_refused);
    tcase_add_test(tc, test_rules_that_never_apply_are_refused);
    tcase_add_test(tc, test_limits_are_enforced);
    tcase_add_test(tc, test_deep_nesting_is_refused_not_crashed_on);
    tcase_add_test(tc, test_every_truncation_of_the_lab_agreement_is_refused);
    tcase_add_test(tc, test_altered_bytes_never_crash);
    suite_add_tcase(s, tc);

    tc = tcase_create("load");
    tcase_add_test(tc, test_load_reports_file_and_place);
    tcase_add_test(tc, test_load_refuses_missing_directory_and_oversized_files);
    suite_add_tcase(s, tc);

    tc = tcase_create("regress");
    tcase_add_test(tc, test_fuzz_seed_corpus_replays);
    tcase_add_test(tc, test_fuzz_regressions_are_handled_without_crashing);
    suite_add_tcase(s, tc);

    return s;
}
