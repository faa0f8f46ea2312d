/*
 * fuzz_policy.c: libFuzzer harness for the partnership agreement parser
 * (proto/policy.[ch]).
 *
 * Beyond "no crash, no leak, no undefined behaviour" it checks what
 * callers rely on: a rejection returns SEEN_EINVAL or SEEN_ENOMEM, no
 * policy, and a non-empty one-line message of printable ASCII; an
 * accepted agreement has a name, a version of 1 or more and at most
 * SEEN_POLICY_RULES_MAX rules, and no error message; and every decision
 * over it, for a spread of known names and some unknown ones, is "share"
 * or "queue" with a rule index that is in range (-1, and "queue", exactly
 * when no rule decided), is the same when asked twice, and is "queue"
 * with -1 whenever a name is unknown.  The input is parsed twice and must
 * give the same answer both times.
 *
 * Seeds: tests/fuzz/corpus/policy (valid and broken agreements);
 * inputs that once broke it go in tests/fuzz/regress/policy.  Both are
 * replayed by tests/check_policy.c, which includes this file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/seen.h"
#include "proto/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fuzz_types[] = {"social_care", "police", "health",
    "school", "probation", "youth_justice", "other", "nursery"};
static const char *const fuzz_kinds[] = {"domestic_abuse_incident",
    "dvds_disclosure", "marac_referral", "child_in_need_assessment",
    "strategy_meeting", "child_protection_plan", "safety_plan",
    "midwifery_booking", "health_visitor_contact", "ed_attendance",
    "safeguarding_concern", "supervision", "youth_justice", "other", "*"};
static const char *const fuzz_roles[] = {"child", "unborn", "adult_victim",
    "perpetrator", "parent", "other", ""};
static const char *const fuzz_bases[] = {"duty_to_share", "public_task",
    "safeguarding_children", "legal_obligation", "consent", "whim"};

#define FUZZ_N(a) (sizeof(a) / sizeof((a)[0]))
/* Names past these counts are unknown ones. */
#define FUZZ_KNOWN_TYPES 7
#define FUZZ_KNOWN_KINDS 14
#define FUZZ_KNOWN_ROLES 6
#define FUZZ_KNOWN_BASES 5

static void
fuzz_check_message(const char *err)
{
    size_t i;

    if (err[0] == '\0')
        abort();
    for (i = 0; i < SEEN_POLICY_ERR_BYTES && err[i] != '\0'; i++)
        if ((unsigned char)err[i] < 0x20 || (unsigned char)err[i] > 0x7e)
            abort();
    if (i == SEEN_POLICY_ERR_BYTES)
        abort();
}

static void
fuzz_check_policy(const struct seen_policy *p)
{
    size_t h, q, k, r, b, n = seen_policy_rules(p), step = 0;
    enum seen_policy_decision d, d2;
    int rule, rule2, known;

    if (seen_policy_version(p) < 1 || n > SEEN_POLICY_RULES_MAX ||
        seen_policy_agreement(p) == NULL ||
        seen_policy_agreement(p)[0] == '\0')
        abort();
    /* A spread of the 8 * 8 * 15 * 7 * 6 combinations, known and not. */
    for (h = 0; h < FUZZ_N(fuzz_types); h++)
        for (q = 0; q < FUZZ_N(fuzz_types); q++)
            for (k = 0; k < FUZZ_N(fuzz_kinds); k++) {
                r = (h + q + k + step) % FUZZ_N(fuzz_roles);
                b = (h * 3 + k + step++) % FUZZ_N(fuzz_bases);
                known = h < FUZZ_KNOWN_TYPES && q < FUZZ_KNOWN_TYPES &&
                    k < FUZZ_KNOWN_KINDS && r < FUZZ_KNOWN_ROLES &&
                    b < FUZZ_KNOWN_BASES;
                rule = 12345;
                d = seen_policy_decide(p, fuzz_types[h], fuzz_types[q],
                    fuzz_kinds[k], fuzz_roles[r], fuzz_bases[b], &rule);
                d2 = seen_policy_decide(p, fuzz_types[h], fuzz_types[q],
                    fuzz_kinds[k], fuzz_roles[r], fuzz_bases[b], &rule2);
                if (d != d2 || rule != rule2 ||
                    seen_policy_decision_name(d) == NULL)
                    abort();
                if (rule < -1 || rule >= (int)n)
                    abort();
                if (rule == -1 && d != SEEN_POLICY_QUEUE)
                    abort();
                if (!known && (rule != -1 || d != SEEN_POLICY_QUEUE))
                    abort();
            }
    if (seen_policy_decide(p, "police", "social_care", "other", "child",
            NULL, &rule) != SEEN_POLICY_QUEUE ||
        rule != -1)
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct seen_policy *p = NULL, *p2 = NULL;
    char err[SEEN_POLICY_ERR_BYTES], err2[SEEN_POLICY_ERR_BYTES];
    int rc, rc2;

    memset(err, 'x', sizeof err);
    rc = seen_policy_parse(data, size, &p, err);
    rc2 = seen_policy_parse(data, size, &p2, err2);
    if (rc != rc2)
        abort();
    switch (rc) {
    case 0:
        if (p == NULL || p2 == NULL || err[0] != '\0' ||
            seen_policy_rules(p) != seen_policy_rules(p2) ||
            seen_policy_version(p) != seen_policy_version(p2) ||
            strcmp(seen_policy_agreement(p), seen_policy_agreement(p2)) != 0)
            abort();
        fuzz_check_policy(p);
        break;
    case SEEN_EINVAL:
    case SEEN_ENOMEM:
        if (p != NULL || p2 != NULL)
            abort();
        fuzz_check_message(err);
        if (strcmp(err, err2) != 0)
            abort();
        break;
    default:
        abort();
    }
    seen_policy_destroy(&p);
    seen_policy_destroy(&p2);
    return 0;
}
