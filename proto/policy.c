#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utf8proc.h>

#include "common/log.h"
#include "proto/policy.h"

/* The names each field may hold, in bit order. */
static const char *const agency_types[] = {"social_care", "police",
    "health", "school", "probation", "youth_justice", "other"};
static const char *const kinds[] = {"domestic_abuse_incident",
    "dvds_disclosure", "marac_referral", "child_in_need_assessment",
    "strategy_meeting", "child_protection_plan", "safety_plan",
    "midwifery_booking", "health_visitor_contact", "ed_attendance",
    "safeguarding_concern", "supervision", "youth_justice", "other"};
static const char *const roles[] = {"child", "unborn", "adult_victim",
    "perpetrator", "parent", "other"};
static const char *const bases[] = {"duty_to_share", "public_task",
    "safeguarding_children", "legal_obligation", "consent"};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The five fields a rule matches on. */
enum dim { D_HOLDER, D_REQUESTER, D_KINDS, D_ROLES, D_BASES, D_COUNT };

static const struct {
    const char *field;   /* the rule's key */
    const char *what;    /* "unknown WHAT" */
    const char *const *names;
    size_t n;
} dims[D_COUNT] = {
    [D_HOLDER] = {"holder", "agency type", agency_types, NELEM(agency_types)},
    [D_REQUESTER] = {"requester", "agency type", agency_types,
        NELEM(agency_types)},
    [D_KINDS] = {"kinds", "kind", kinds, NELEM(kinds)},
    [D_ROLES] = {"roles", "role", roles, NELEM(roles)},
    [D_BASES] = {"bases", "legal basis", bases, NELEM(bases)},
};

struct rule {
    uint32_t set[D_COUNT]; /* bit i: names[i] matches */
    enum seen_policy_decision decision;
};

struct seen_policy {
    char *agreement;
    uint64_t version;
    size_t n;
    struct rule *rules;
};

/* Every bit of dimension ${d}. */
static uint32_t
all_of(enum dim d)
{

    return (uint32_t)((1u << dims[d].n) - 1);
}

/* The index of ${s} in dimension ${d}, or -1. */
static int
lookup(enum dim d, const char *s)
{
    size_t i;

    if (s == NULL)
        return -1;
    for (i = 0; i < dims[d].n; i++)
        if (strcmp(s, dims[d].names[i]) == 0)
            return (int)i;
    return -1;
}

/* ---- errors ---- */

static void
fail(char err[static SEEN_POLICY_ERR_BYTES], const char *fmt, ...)
    SEEN_PRINTF(2, 3);

/* Write the message to ${err}, with any byte that is not printable ASCII
 * replaced, so that what reaches a log line is one plain line. */
static void
fail(char err[static SEEN_POLICY_ERR_BYTES], const char *fmt, ...)
{
    va_list ap;
    size_t i;

    va_start(ap, fmt);
    vsnprintf(err, SEEN_POLICY_ERR_BYTES, fmt, ap);
    va_end(ap);
    for (i = 0; err[i] != '\0'; i++)
        if ((unsigned char)err[i] < 0x20 || (unsigned char)err[i] > 0x7e)
            err[i] = '?';
}

/* ${s} quoted for a message when it is short plain ASCII, else "". */
static const char *
quote(const char *s, char buf[static 48])
{
    size_t i;

    buf[0] = '\0';
    if (s == NULL || s[0] == '\0' || strlen(s) > 40)
        return buf;
    for (i = 0; s[i] != '\0'; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e ||
            s[i] == '\'')
            return buf;
    snprintf(buf, 48, " '%s'", s);
    return buf;
}

/* ---- fields ---- */

/* Count ${s}'s characters (jansson has checked its UTF-8); with
 * ${plain}, 0 when any is a control character.  Returns -1 if refused. */
static long
text_chars(const char *s, int plain)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    utf8proc_int32_t c;
    utf8proc_ssize_t n;
    size_t left = strlen(s);
    long chars = 0;

    while (left > 0) {
        n = utf8proc_iterate(p, (utf8proc_ssize_t)(left < 4 ? left : 4), &c);
        if (n < 1)
            return -1;
        if (plain && (utf8proc_category(c) == UTF8PROC_CATEGORY_CC ||
                         utf8proc_category(c) == UTF8PROC_CATEGORY_CF ||
                         utf8proc_category(c) == UTF8PROC_CATEGORY_ZL ||
                         utf8proc_category(c) == UTF8PROC_CATEGORY_ZP))
            return -1;
        p += n;
        left -= (size_t)n;
        chars++;
    }
    return chars;
}

/* A "note": a string of at most SEEN_POLICY_NOTE_MAX characters. */
static int
parse_note(json_t *v, const char *path, char err[static SEEN_POLICY_ERR_BYTES])
{
    long n;

    if (!json_is_string(v)) {
        fail(err, "%snote: not a string", path);
        return SEEN_EINVAL;
    }
    n = text_chars(json_string_value(v), 0);
    if (n < 0 || n > SEEN_POLICY_NOTE_MAX) {
        fail(err, "%snote: longer than %d characters", path,
            SEEN_POLICY_NOTE_MAX);
        return SEEN_EINVAL;
    }
    return 0;
}

/* One name of dimension ${d}, or "*"; ${at} is its place for messages. */
static int
parse_name(enum dim d, json_t *v, const char *at, int alone, uint32_t *set,
    char err[static SEEN_POLICY_ERR_BYTES])
{
    const char *s;
    char q[48];
    int i;

    if (!json_is_string(v)) {
        fail(err, "%s: not a string", at);
        return SEEN_EINVAL;
    }
    s = json_string_value(v);
    if (strcmp(s, "*") == 0) {
        if (!alone) {
            fail(err, "%s: '*' (any) must stand alone", at);
            return SEEN_EINVAL;
        }
        *set = all_of(d);
        return 0;
    }
    if ((i = lookup(d, s)) < 0) {
        fail(err, "%s: unknown %s%s", at, dims[d].what, quote(s, q));
        return SEEN_EINVAL;
    }
    if (*set & (1u << i)) {
        fail(err, "%s: %s%s repeated", at, dims[d].what, quote(s, q));
        return SEEN_EINVAL;
    }
    *set |= 1u << i;
    return 0;
}

/* A name, "*", or an array of names, for dimension ${d} of rule ${r}. */
static int
parse_set(enum dim d, json_t *v, size_t r, uint32_t *set,
    char err[static SEEN_POLICY_ERR_BYTES])
{
    char at[64];
    size_t i, n;
    int rc;

    *set = 0;
    snprintf(at, sizeof at, "rules[%zu].%s", r, dims[d].field);
    if (json_is_string(v))
        return parse_name(d, v, at, 1, set, err);
    if (!json_is_array(v)) {
        fail(err, "%s: not a name, a list of names or \"*\"", at);
        return SEEN_EINVAL;
    }
    if ((n = json_array_size(v)) == 0) {
        fail(err, "%s: empty list (use \"*\" for any)", at);
        return SEEN_EINVAL;
    }
    for (i = 0; i < n; i++) {
        snprintf(at, sizeof at, "rules[%zu].%s[%zu]", r, dims[d].field, i);
        if ((rc = parse_name(d, json_array_get(v, i), at, n == 1, set,
                 err)) != 0)
            return rc;
    }
    return 0;
}

/* Is ${v} absent, "*" or ["*"]? */
static int
is_any(json_t *v)
{

    if (json_is_array(v) && json_array_size(v) == 1)
        v = json_array_get(v, 0);
    return v == NULL ||
        (json_is_string(v) && strcmp(json_string_value(v), "*") == 0);
}

static int
parse_rule(json_t *o, size_t r, struct rule *rule,
    char err[static SEEN_POLICY_ERR_BYTES])
{
    static const char *const required[] = {"holder", "requester", "kinds",
        "decision"};
    static const struct {
        const char *wrong, *right;
    } hints[] = {{"kind", "kinds"}, {"role", "roles"}, {"basis", "bases"},
        {"base", "bases"}, {"legal_basis", "bases"}, {"legal_bases", "bases"},
        {"holders", "holder"}, {"requesters", "requester"},
        {"requestor", "requester"}, {"action", "decision"}};
    json_t *v;
    const char *key, *s;
    char path[32], q[48];
    size_t i;
    int rc, d;

    snprintf(path, sizeof path, "rules[%zu].", r);
    if (!json_is_object(o)) {
        fail(err, "rules[%zu]: not an object", r);
        return SEEN_EINVAL;
    }
    /* Every key is one we know: a misspelt "kind" must not mean "any". */
    json_object_foreach(o, key, v)
    {
        if (strcmp(key, "decision") == 0 || strcmp(key, "note") == 0)
            continue;
        for (d = 0; d < D_COUNT; d++)
            if (strcmp(key, dims[d].field) == 0)
                break;
        if (d < D_COUNT)
            continue;
        for (i = 0; i < NELEM(hints); i++)
            if (strcmp(key, hints[i].wrong) == 0)
                break;
        if (i < NELEM(hints))
            fail(err, "rules[%zu]: unknown field '%s' (did you mean '%s'?)",
                r, hints[i].wrong, hints[i].right);
        else
            fail(err, "rules[%zu]: unknown field%s", r, quote(key, q));
        return SEEN_EINVAL;
    }
    for (i = 0; i < NELEM(required); i++) {
        if (json_object_get(o, required[i]) == NULL) {
            fail(err, "rules[%zu]: no \"%s\"", r, required[i]);
            return SEEN_EINVAL;
        }
    }
    for (d = 0; d < D_COUNT; d++) {
        if ((v = json_object_get(o, dims[d].field)) == NULL)
            rule->set[d] = all_of((enum dim)d);
        else if ((rc = parse_set((enum dim)d, v, r, &rule->set[d], err)) != 0)
            return rc;
    }
    if ((v = json_object_get(o, "note")) != NULL &&
        (rc = parse_note(v, path, err)) != 0)
        return rc;
    v = json_object_get(o, "decision");
    s = json_string_value(v);
    if (s == NULL) {
        fail(err, "rules[%zu].decision: not a string", r);
        return SEEN_EINVAL;
    }
    if (strcmp(s, "share") == 0) {
        rule->decision = SEEN_POLICY_SHARE;
    } else if (strcmp(s, "queue") == 0) {
        rule->decision = SEEN_POLICY_QUEUE;
    } else if (strcmp(s, "withhold") == 0) {
        fail(err, "rules[%zu].decision: 'withhold' is never automatic: a "
                  "lead withholds, with a recorded reason (use \"queue\")",
            r);
        return SEEN_EINVAL;
    } else {
        quote(s, q);
        fail(err, "rules[%zu].decision: must be \"share\" or \"queue\"%s%s",
            r, q[0] ? ", not" : "", q);
        return SEEN_EINVAL;
    }
    if (rule->decision == SEEN_POLICY_SHARE &&
        is_any(json_object_get(o, "bases"))) {
        fail(err, "rules[%zu].bases: a \"share\" rule must name its legal "
                  "bases (absent or \"*\" is not enough)",
            r);
        return SEEN_EINVAL;
    }
    return 0;
}

/* Does ${a} match every request that ${b} matches? */
static int
covers(const struct rule *a, const struct rule *b)
{
    int d;

    for (d = 0; d < D_COUNT; d++)
        if ((a->set[d] & b->set[d]) != b->set[d])
            return 0;
    return 1;
}

static int
parse_top(json_t *root, struct seen_policy *p,
    char err[static SEEN_POLICY_ERR_BYTES])
{
    json_t *v, *rules;
    const char *key;
    char q[48];
    long chars;
    size_t i, j;
    int rc;

    if (!json_is_object(root)) {
        fail(err, "not a JSON object");
        return SEEN_EINVAL;
    }
    json_object_foreach(root, key, v)
    {
        if (strcmp(key, "agreement") != 0 && strcmp(key, "version") != 0 &&
            strcmp(key, "rules") != 0 && strcmp(key, "note") != 0) {
            fail(err, "unknown field%s", quote(key, q));
            return SEEN_EINVAL;
        }
    }
    v = json_object_get(root, "agreement");
    if (v == NULL) {
        fail(err, "no \"agreement\" (the agreement's name)");
        return SEEN_EINVAL;
    }
    if (!json_is_string(v)) {
        fail(err, "agreement: not a string");
        return SEEN_EINVAL;
    }
    chars = text_chars(json_string_value(v), 1);
    if (chars < 1 || chars > SEEN_POLICY_NAME_MAX) {
        fail(err, "agreement: not 1-%d characters without control "
                  "characters",
            SEEN_POLICY_NAME_MAX);
        return SEEN_EINVAL;
    }
    v = json_object_get(root, "version");
    if (v == NULL) {
        fail(err, "no \"version\"");
        return SEEN_EINVAL;
    }
    if (!json_is_integer(v) || json_integer_value(v) < 1) {
        fail(err, "version: not a whole number of 1 or more");
        return SEEN_EINVAL;
    }
    p->version = (uint64_t)json_integer_value(v);
    if ((v = json_object_get(root, "note")) != NULL &&
        (rc = parse_note(v, "", err)) != 0)
        return rc;
    if ((rules = json_object_get(root, "rules")) == NULL) {
        fail(err, "no \"rules\"");
        return SEEN_EINVAL;
    }
    if (!json_is_array(rules)) {
        fail(err, "rules: not a list");
        return SEEN_EINVAL;
    }
    if (json_array_size(rules) > SEEN_POLICY_RULES_MAX) {
        fail(err, "rules: more than %d rules", SEEN_POLICY_RULES_MAX);
        return SEEN_EINVAL;
    }
    p->n = json_array_size(rules);
    if ((p->rules = calloc(p->n ? p->n : 1, sizeof(*p->rules))) == NULL) {
        fail(err, "out of memory");
        return SEEN_ENOMEM;
    }
    for (i = 0; i < p->n; i++) {
        if ((rc = parse_rule(json_array_get(rules, i), i, &p->rules[i],
                 err)) != 0)
            return rc;
        for (j = 0; j < i; j++) {
            if (covers(&p->rules[j], &p->rules[i])) {
                fail(err, "rules[%zu]: never applies: rules[%zu] before it "
                          "matches every request it matches",
                    i, j);
                return SEEN_EINVAL;
            }
        }
    }
    if ((p->agreement = strdup(json_string_value(json_object_get(root,
             "agreement")))) == NULL) {
        fail(err, "out of memory");
        return SEEN_ENOMEM;
    }
    return 0;
}

/**
 * seen_policy_parse(buf, len, out, err):
 * Parse the agreement in the ${len} bytes at ${buf} (not NUL-terminated;
 * not retained).  Returns 0 and a new policy in *${out}; SEEN_EINVAL when
 * it is not a valid agreement, with the first problem written to ${err}
 * as a NUL-terminated message of printable ASCII (see above; not logged);
 * SEEN_ENOMEM (${err} says so).  On failure *${out} is NULL.  Release
 * with seen_policy_destroy().
 */
int
seen_policy_parse(const void *buf, size_t len, struct seen_policy **out,
    char err[static SEEN_POLICY_ERR_BYTES])
{
    struct seen_policy *p;
    json_error_t je;
    json_t *root;
    int rc;

    *out = NULL;
    err[0] = '\0';
    if (len > SEEN_POLICY_FILE_MAX) {
        fail(err, "larger than %d bytes", SEEN_POLICY_FILE_MAX);
        return SEEN_EINVAL;
    }
    if (buf == NULL)
        buf = "";
    if ((root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je)) == NULL) {
        if (json_error_code(&je) == json_error_out_of_memory) {
            fail(err, "out of memory");
            return SEEN_ENOMEM;
        }
        fail(err, "line %d, column %d: not valid JSON: %s", je.line,
            je.column, je.text);
        return SEEN_EINVAL;
    }
    if ((p = calloc(1, sizeof(*p))) == NULL) {
        json_decref(root);
        fail(err, "out of memory");
        return SEEN_ENOMEM;
    }
    rc = parse_top(root, p, err);
    json_decref(root);
    if (rc != 0) {
        seen_policy_destroy(&p);
        return rc;
    }
    *out = p;
    return 0;
}

/**
 * seen_policy_load(path, out):
 * Read and parse the agreement in the file ${path}.  Returns 0 and a new
 * policy in *${out}; SEEN_ENOTFOUND when there is no such file;
 * SEEN_EIO when it cannot be read; SEEN_EINVAL when it is not a valid
 * agreement (or is larger than SEEN_POLICY_FILE_MAX); SEEN_ENOMEM.  Each
 * failure is logged once, as "PATH: PROBLEM" (for example
 * "agreement.json: rules[3].kinds[1]: unknown kind 'x'").  On failure
 * *${out} is NULL.
 */
int
seen_policy_load(const char *path, struct seen_policy **out)
{
    char err[SEEN_POLICY_ERR_BYTES], *buf = NULL;
    struct stat sb;
    size_t len = 0;
    ssize_t n;
    int fd, rc;

    *out = NULL;
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        rc = errno == ENOENT ? SEEN_ENOTFOUND : SEEN_EIO;
        seen_errorp("%s", path);
        return rc;
    }
    if (fstat(fd, &sb) != 0) {
        seen_errorp("%s", path);
        rc = SEEN_EIO;
        goto done;
    }
    if (!S_ISREG(sb.st_mode)) {
        seen_error("%s: not a regular file", path);
        rc = SEEN_EINVAL;
        goto done;
    }
    if (sb.st_size > SEEN_POLICY_FILE_MAX) {
        seen_error("%s: larger than %d bytes", path, SEEN_POLICY_FILE_MAX);
        rc = SEEN_EINVAL;
        goto done;
    }
    /* One byte more than allowed, to see a file that grew meanwhile. */
    if ((buf = malloc(SEEN_POLICY_FILE_MAX + 1)) == NULL) {
        seen_error("%s: out of memory", path);
        rc = SEEN_ENOMEM;
        goto done;
    }
    while (len < SEEN_POLICY_FILE_MAX + 1) {
        n = read(fd, buf + len, SEEN_POLICY_FILE_MAX + 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            seen_errorp("%s", path);
            rc = SEEN_EIO;
            goto done;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    if ((rc = seen_policy_parse(buf, len, out, err)) != 0)
        seen_error("%s: %s", path, err);
done:
    free(buf);
    close(fd);
    return rc;
}

/**
 * seen_policy_destroy(&p):
 * Free ${p}.  Sets the caller's pointer to NULL; NULL or a pointer to NULL
 * is a no-op, so it is safe twice.
 */
void
seen_policy_destroy(struct seen_policy **pp)
{
    struct seen_policy *p;

    if (pp == NULL || (p = *pp) == NULL)
        return;
    *pp = NULL;
    free(p->agreement);
    free(p->rules);
    free(p);
}

/**
 * seen_policy_decide(p, holder, requester, kind, role, basis, rule):
 * Decide a request from an agency of type ${requester}, under legal basis
 * ${basis}, for the details of a person of ${role} in a record of ${kind}
 * held by an agency of type ${holder} (names as in spec/cli.md and
 * spec/import.md).  The first rule of ${p} that matches all five decides;
 * *${rule} (when ${rule} is not NULL) is its index, counting from 0, for
 * the exchange log.  When no rule matches, when ${p} is NULL (no
 * agreement loaded) or when any of the names is NULL or unknown, the
 * request is queued and *${rule} is -1.
 * Returns SEEN_POLICY_SHARE or SEEN_POLICY_QUEUE; never withholds.
 */
enum seen_policy_decision
seen_policy_decide(const struct seen_policy *p, const char *holder,
    const char *requester, const char *kind, const char *role,
    const char *basis, int *rule)
{
    const char *const in[D_COUNT] = {holder, requester, kind, role, basis};
    uint32_t bit[D_COUNT];
    size_t i;
    int d, k;

    if (rule != NULL)
        *rule = -1;
    if (p == NULL)
        return SEEN_POLICY_QUEUE;
    for (d = 0; d < D_COUNT; d++) {
        if ((k = lookup((enum dim)d, in[d])) < 0)
            return SEEN_POLICY_QUEUE;
        bit[d] = 1u << k;
    }
    for (i = 0; i < p->n; i++) {
        for (d = 0; d < D_COUNT; d++)
            if (!(p->rules[i].set[d] & bit[d]))
                break;
        if (d < D_COUNT)
            continue;
        if (rule != NULL)
            *rule = (int)i;
        return p->rules[i].decision;
    }
    return SEEN_POLICY_QUEUE;
}

/**
 * seen_policy_decision_name(d):
 * Return "share" or "queue" (static), or NULL for another value.
 */
const char *
seen_policy_decision_name(enum seen_policy_decision d)
{

    switch (d) {
    case SEEN_POLICY_SHARE:
        return "share";
    case SEEN_POLICY_QUEUE:
        return "queue";
    }
    return NULL;
}

/**
 * seen_policy_agreement(p):
 * Return the agreement's name (borrowed for ${p}'s lifetime).
 */
const char *
seen_policy_agreement(const struct seen_policy *p)
{

    return p->agreement;
}

/**
 * seen_policy_version(p):
 * Return the agreement's version (1 or more).
 */
uint64_t
seen_policy_version(const struct seen_policy *p)
{

    return p->version;
}

/**
 * seen_policy_rules(p):
 * Return the number of rules in ${p}.
 */
size_t
seen_policy_rules(const struct seen_policy *p)
{

    return p->n;
}

/**
 * seen_policy_basis_valid(basis):
 * Return 1 when ${basis} is one of spec/cli.md's legal bases, else 0
 * (also for NULL).  For `seen request --basis`.
 */
int
seen_policy_basis_valid(const char *basis)
{

    return lookup(D_BASES, basis) >= 0;
}
