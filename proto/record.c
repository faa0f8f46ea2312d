/*
 * record.c: the import-line parser and validator (see record.h and
 * spec/import.md).  jansson parses the line; the json_t it returns owns
 * every string the record points to, and is what seen_record_body dumps.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/seen.h"
#include "match/ident.h"
#include "match/normalise.h"
#include "seen.pb-c.h"

#include "proto/record.h"

/* The buffers in struct seen_person are the ones match/ fills. */
_Static_assert(sizeof(((struct seen_person *)0)->nhs) == SEEN_NHS_BYTES,
    "nhs buffer");
_Static_assert(sizeof(((struct seen_person *)0)->upn) == SEEN_UPN_BYTES,
    "upn buffer");
_Static_assert(sizeof(((struct seen_person *)0)->pnc) == SEEN_PNC_BYTES,
    "pnc buffer");
_Static_assert(sizeof(((struct seen_person *)0)->postcode) ==
    SEEN_POSTCODE_BYTES, "postcode buffer");
_Static_assert(sizeof(((struct seen_person *)0)->district) ==
    SEEN_DISTRICT_BYTES, "district buffer");

/* Longest path we build: "people[63].other_names[4294967295]". */
#define PATH_MAX_LEN 64

/* Problems found on one line, and where to report them. */
struct pctx {
    seen_record_diag_fn *diag;
    void *ctx;
    size_t nerr;        /* errors found (reported or not) */
    size_t nreported;   /* calls made to diag */
    size_t nsuppressed; /* problems found past SEEN_RECORD_DIAG_MAX */
    size_t nsuppressed_err;
};

struct name_value {
    const char *name;
    int value;
};

static const struct name_value kinds[] = {
    {"domestic_abuse_incident", SEEN__KIND__DOMESTIC_ABUSE_INCIDENT},
    {"dvds_disclosure", SEEN__KIND__DVDS_DISCLOSURE},
    {"marac_referral", SEEN__KIND__MARAC_REFERRAL},
    {"child_in_need_assessment", SEEN__KIND__CHILD_IN_NEED_ASSESSMENT},
    {"strategy_meeting", SEEN__KIND__STRATEGY_MEETING},
    {"child_protection_plan", SEEN__KIND__CHILD_PROTECTION_PLAN},
    {"safety_plan", SEEN__KIND__SAFETY_PLAN},
    {"midwifery_booking", SEEN__KIND__MIDWIFERY_BOOKING},
    {"health_visitor_contact", SEEN__KIND__HEALTH_VISITOR_CONTACT},
    {"ed_attendance", SEEN__KIND__ED_ATTENDANCE},
    {"safeguarding_concern", SEEN__KIND__SAFEGUARDING_CONCERN},
    {"supervision", SEEN__KIND__SUPERVISION},
    {"youth_justice", SEEN__KIND__YOUTH_JUSTICE},
    {"other", SEEN__KIND__KIND_OTHER},
    {NULL, 0},
};

static const struct name_value roles[] = {
    {"child", SEEN__ROLE__CHILD},
    {"unborn", SEEN__ROLE__UNBORN},
    {"adult_victim", SEEN__ROLE__ADULT_VICTIM},
    {"perpetrator", SEEN__ROLE__PERPETRATOR},
    {"parent", SEEN__ROLE__PARENT},
    {"other", SEEN__ROLE__OTHER},
    {NULL, 0},
};

static const struct name_value risks[] = {
    {"standard", SEEN__RISK__STANDARD},
    {"medium", SEEN__RISK__MEDIUM},
    {"high", SEEN__RISK__HIGH},
    {"very_high", SEEN__RISK__VERY_HIGH},
    {NULL, 0},
};

static const struct name_value dvdses[] = {
    {"right_to_ask", 1},
    {"right_to_know", 2},
    {NULL, 0},
};

static const struct name_value sexes[] = {
    {"F", 'F'},
    {"M", 'M'},
    {"X", 'X'},
    {"U", 'U'},
    {NULL, 0},
};

/* Report a problem at ${field}, or count it if too many were reported. */
static void
report(struct pctx *p, const char *field, int warning, const char *fmt, ...)
    SEEN_PRINTF(4, 5);

static void
report(struct pctx *p, const char *field, int warning, const char *fmt, ...)
{
    char reason[160];
    va_list ap;

    if (!warning)
        p->nerr++;
    if (p->nreported >= SEEN_RECORD_DIAG_MAX) {
        p->nsuppressed++;
        if (!warning)
            p->nsuppressed_err++;
        return;
    }
    p->nreported++;
    if (p->diag == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    p->diag(p->ctx, field, reason, warning);
}

/* Say how many problems went unreported, if any. */
static void
report_suppressed(struct pctx *p)
{
    char reason[80];

    if (p->nsuppressed == 0 || p->diag == NULL)
        return;
    snprintf(reason, sizeof(reason), "%zu more problem%s not reported",
        p->nsuppressed, p->nsuppressed == 1 ? "" : "s");
    p->diag(p->ctx, "(line)", reason, p->nsuppressed_err == 0);
}

/* Write "${prefix}${key}" to ${buf}. */
static const char *
path(char buf[static PATH_MAX_LEN], const char *prefix, const char *key)
{

    /* A path cut short is still a useful report. */
    if (snprintf(buf, PATH_MAX_LEN, "%s%s", prefix, key) >= PATH_MAX_LEN)
        buf[PATH_MAX_LEN - 1] = '\0';
    return buf;
}

/* Is ${s} empty or made only of ASCII whitespace? */
static int
blank(const char *s)
{

    for (; *s != '\0'; s++) {
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return 0;
    }
    return 1;
}

/* Number of code points in the valid UTF-8 string ${s}. */
static size_t
utf8_len(const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++) {
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    }
    return n;
}

/*
 * Look up ${key} in ${obj}.  Returns the value; NULL if absent, having
 * reported "required" at ${prefix}${key} if ${required}.
 */
static json_t *
field(struct pctx *p, json_t *obj, const char *prefix, const char *key,
    int required)
{
    char buf[PATH_MAX_LEN];
    json_t *v;

    if ((v = json_object_get(obj, key)) == NULL && required)
        report(p, path(buf, prefix, key), 0, "required");
    return v;
}

/*
 * Read the string ${key} of ${obj} into ${out} (NULL if absent, null where
 * ${nullable}, or ${blank_absent} and blank).  Returns 0, or -1 if a
 * problem was reported.
 */
static int
get_string(struct pctx *p, json_t *obj, const char *prefix, const char *key,
    int required, int nullable, int blank_absent, const char **out)
{
    char buf[PATH_MAX_LEN];
    json_t *v;

    *out = NULL;
    if ((v = field(p, obj, prefix, key, required)) == NULL)
        return required ? -1 : 0;
    if (nullable && json_is_null(v))
        return 0;
    if (!json_is_string(v)) {
        report(p, path(buf, prefix, key), 0,
            nullable ? "expected a string or null" : "expected a string");
        return -1;
    }
    *out = json_string_value(v);
    if (blank_absent && blank(*out))
        *out = NULL;
    return 0;
}

/* Read the boolean ${key} of ${obj} into ${out} (0 if absent). */
static int
get_bool(struct pctx *p, json_t *obj, const char *prefix, const char *key,
    int *out)
{
    char buf[PATH_MAX_LEN];
    json_t *v;

    *out = 0;
    if ((v = field(p, obj, prefix, key, 0)) == NULL)
        return 0;
    if (!json_is_boolean(v)) {
        report(p, path(buf, prefix, key), 0, "expected true or false");
        return -1;
    }
    *out = json_is_true(v);
    return 0;
}

/*
 * Read the name from ${table} held as the string ${key} of ${obj} into
 * ${out} (0 if absent).  ${what} describes the allowed values.
 */
static int
get_enum(struct pctx *p, json_t *obj, const char *prefix, const char *key,
    int required, const struct name_value *table, const char *what, int *out)
{
    char buf[PATH_MAX_LEN];
    const char *s;
    size_t i;

    *out = 0;
    if (get_string(p, obj, prefix, key, required, 0, 0, &s) != 0)
        return -1;
    if (s == NULL)
        return 0;
    for (i = 0; table[i].name != NULL; i++) {
        if (strcmp(s, table[i].name) == 0) {
            *out = table[i].value;
            return 0;
        }
    }
    report(p, path(buf, prefix, key), 0, "%s", what);
    return -1;
}

/*
 * Read the date ${key} of ${obj} into ${days}, setting ${has} (0 if absent
 * or null where ${nullable}).
 */
static int
get_date(struct pctx *p, json_t *obj, const char *prefix, const char *key,
    int required, int nullable, int *has, int32_t *days)
{
    char buf[PATH_MAX_LEN];
    json_t *v;

    *has = 0;
    *days = 0;
    if ((v = field(p, obj, prefix, key, required)) == NULL)
        return required ? -1 : 0;
    if (nullable && json_is_null(v))
        return 0;
    if (!json_is_string(v) ||
        seen_date_parse(json_string_value(v), days) != 0) {
        *days = 0;
        report(p, path(buf, prefix, key), 0,
            nullable ? "not a date (YYYY-MM-DD) or null" :
                       "not a date (YYYY-MM-DD)");
        return -1;
    }
    *has = 1;
    return 0;
}

/* Read other_names of the person ${pj} into ${pp}. */
static int
get_other_names(struct pctx *p, json_t *pj, const char *prefix,
    struct seen_person *pp)
{
    char buf[PATH_MAX_LEN];
    json_t *v, *e;
    const char *s;
    size_t i, n;

    if ((v = field(p, pj, prefix, "other_names", 0)) == NULL)
        return 0;
    if (!json_is_array(v)) {
        report(p, path(buf, prefix, "other_names"), 0,
            "expected an array of strings");
        return 0;
    }
    if ((n = json_array_size(v)) == 0)
        return 0;
    if ((pp->other_names = calloc(n, sizeof(*pp->other_names))) == NULL)
        return SEEN_ENOMEM;
    json_array_foreach(v, i, e) {
        if (!json_is_string(e)) {
            if (snprintf(buf, sizeof(buf), "%sother_names[%zu]", prefix,
                    i) >= (int)sizeof(buf))
                buf[sizeof(buf) - 1] = '\0';
            report(p, buf, 0, "expected a string");
            continue;
        }
        s = json_string_value(e);
        if (!blank(s))
            pp->other_names[pp->n_other_names++] = s;
    }
    return 0;
}

/*
 * Normalise the identifier ${s} into the buffers of ${pp} it belongs in.
 * Returns 0, or non-zero if ${s} is not a valid one (what the buffers
 * then hold does not matter: get_ident puts them back).
 */
static int
norm_nhs(const char *s, struct seen_person *pp)
{

    return seen_nhs_check(s, pp->nhs, &pp->nhs_test);
}

static int
norm_upn(const char *s, struct seen_person *pp)
{

    return seen_upn_check(s, pp->upn, &pp->upn_temporary);
}

static int
norm_pnc(const char *s, struct seen_person *pp)
{

    return seen_pnc_check(s, pp->pnc);
}

static int
norm_postcode(const char *s, struct seen_person *pp)
{

    return seen_postcode_norm(s, pp->postcode, pp->district);
}

/* A field of a person that is normalised, and dropped if invalid. */
struct ident_field {
    const char *key;  /* the field's name */
    const char *what; /* what it should be, for the report */
    int (*norm)(const char *, struct seen_person *);
};

/* The identifiers that satisfy the person rule, in the order read. */
static const struct ident_field idents[] = {
    {"nhs_number", "NHS number", norm_nhs},
    {"upn", "UPN", norm_upn},
    {"pnc_id", "PNC id (YYYY/NNNNNNNC)", norm_pnc},
};

/* The postcode, which does not. */
static const struct ident_field postcode_field = {
    "postcode", "UK postcode", norm_postcode};

/*
 * Read the field ${f} of the person ${pj} into ${pp}.  Returns 1 if it is
 * present and valid; 0 if absent, not a string (reported as an error) or
 * not valid (reported as a warning, and dropped).
 */
static int
get_ident(struct pctx *p, json_t *pj, const char *prefix,
    const struct ident_field *f, struct seen_person *pp)
{
    struct seen_person before = *pp;
    char buf[PATH_MAX_LEN];
    const char *s;

    if (get_string(p, pj, prefix, f->key, 0, 0, 1, &s) != 0 || s == NULL)
        return 0;
    if (f->norm(s, pp) == 0)
        return 1;
    *pp = before; /* dropped: nothing of it kept */
    report(p, path(buf, prefix, f->key), 1, "not a valid %s; dropped", f->what);
    return 0;
}

/*
 * Read the ref of person ${i} of record ${r}, held in ${pj}, into
 * r->people[i].ref: required, non-empty (else left NULL) and unique
 * within the record (problems reported through ${p}).
 */
static void
get_ref(struct pctx *p, struct seen_record *r, size_t i, json_t *pj,
    const char *prefix)
{
    struct seen_person *pp = &r->people[i];
    char buf[PATH_MAX_LEN];
    size_t j;

    if (get_string(p, pj, prefix, "ref", 1, 0, 0, &pp->ref) == 0) {
        if (pp->ref[0] == '\0') {
            report(p, path(buf, prefix, "ref"), 0, "must not be empty");
            pp->ref = NULL;
        }
    }
    if (pp->ref == NULL)
        return;
    for (j = 0; j < i; j++) {
        if (r->people[j].ref != NULL &&
            strcmp(r->people[j].ref, pp->ref) == 0) {
            report(p, path(buf, prefix, "ref"), 0,
                "duplicate ref (also people[%zu])", j);
            break;
        }
    }
}

/*
 * Validate person ${i} of record ${r}, held in ${pj}, into r->people[i].
 * Returns 0 (problems reported through ${p}) or SEEN_ENOMEM.
 */
static int
parse_person(struct pctx *p, struct seen_record *r, size_t i, json_t *pj)
{
    struct seen_person *pp = &r->people[i];
    char prefix[PATH_MAX_LEN];
    int sex, has_ident = 0;
    size_t nerr_rule;
    size_t k;

    snprintf(prefix, sizeof(prefix), "people[%zu]", i);
    if (!json_is_object(pj)) {
        report(p, prefix, 0, "expected an object");
        return 0;
    }
    snprintf(prefix, sizeof(prefix), "people[%zu].", i);

    get_ref(p, r, i, pj, prefix);
    (void)get_enum(p, pj, prefix, "role", 1, roles,
        "not a known role (child, unborn, adult_victim, perpetrator, "
        "parent, other)", &pp->role);

    /* The fields the person rule depends on. */
    nerr_rule = p->nerr;
    (void)get_string(p, pj, prefix, "given_name", 0, 1, 1, &pp->given);
    (void)get_string(p, pj, prefix, "family_name", 0, 1, 1, &pp->family);
    (void)get_date(p, pj, prefix, "date_of_birth", 0, 1, &pp->has_dob,
        &pp->dob);
    (void)get_date(p, pj, prefix, "expected_due_date", 0, 0, &pp->has_due,
        &pp->due);
    for (k = 0; k < sizeof idents / sizeof idents[0]; k++) {
        if (get_ident(p, pj, prefix, &idents[k], pp))
            has_ident = 1;
    }
    nerr_rule = p->nerr - nerr_rule;

    (void)get_ident(p, pj, prefix, &postcode_field, pp);
    if (get_other_names(p, pj, prefix, pp) != 0)
        return SEEN_ENOMEM;
    if (get_enum(p, pj, prefix, "sex", 0, sexes, "not one of F, M, X, U",
            &sex) == 0)
        pp->sex = (char)sex;
    (void)get_string(p, pj, prefix, "address", 0, 0, 1, &pp->address);

    /*
     * At least one of: a valid identifier, a family name with a date of
     * birth or expected due date, or a given and family name.  Not checked
     * when a field it depends on was itself wrong: that was reported.
     */
    if (nerr_rule == 0 && !has_ident &&
        !(pp->family != NULL && (pp->has_dob || pp->has_due)) &&
        !(pp->given != NULL && pp->family != NULL)) {
        snprintf(prefix, sizeof(prefix), "people[%zu]", i);
        report(p, prefix, 0,
            "needs a valid identifier, a family name with a date of birth "
            "or due date, or a given and family name");
    }
    return 0;
}

/* Validate the people array ${v} of record ${r}. */
static int
parse_people(struct pctx *p, struct seen_record *r, json_t *v)
{
    json_t *pj;
    size_t i, n;
    int rc;

    if (!json_is_array(v)) {
        report(p, "people", 0, "expected an array of people");
        return 0;
    }
    n = json_array_size(v);
    if (n == 0) {
        report(p, "people", 0, "needs at least one person");
        return 0;
    }
    if (n > SEEN_RECORD_PEOPLE_MAX) {
        report(p, "people", 0, "more than %d people",
            SEEN_RECORD_PEOPLE_MAX);
        return 0;
    }
    if ((r->people = calloc(n, sizeof(*r->people))) == NULL)
        return SEEN_ENOMEM;
    r->npeople = n;
    json_array_foreach(v, i, pj) {
        if ((rc = parse_person(p, r, i, pj)) != 0)
            return rc;
    }
    return 0;
}

/* Validate the top-level object of ${r}. */
static int
parse_record(struct pctx *p, struct seen_record *r)
{
    json_t *o = r->json, *v;
    size_t n;
    int req, has;

    /* A deletion line needs only its id. */
    (void)get_bool(p, o, "", "deleted", &r->deleted);
    req = !r->deleted;

    if (get_string(p, o, "", "id", 1, 0, 0, &r->id) == 0) {
        n = utf8_len(r->id);
        if (n < 1 || n > SEEN_RECORD_ID_MAX) {
            report(p, "id", 0, "must be 1 to %d characters",
                SEEN_RECORD_ID_MAX);
            r->id = NULL;
        }
    }
    (void)get_enum(p, o, "", "kind", req, kinds,
        "not a known kind (see import.md)", &r->kind);
    (void)get_date(p, o, "", "date", req, 0, &has, &r->date);
    if (get_string(p, o, "", "local_authority", req, 0, 0,
            &r->local_authority) == 0 && r->local_authority != NULL &&
        blank(r->local_authority)) {
        report(p, "local_authority", 0, "must not be empty");
        r->local_authority = NULL;
    }
    (void)get_enum(p, o, "", "risk", 0, risks,
        "not a known risk level (standard, medium, high, very_high)",
        &r->risk);
    (void)get_bool(p, o, "", "child_present", &r->child_present);
    (void)get_string(p, o, "", "child_voice", 0, 0, 1, &r->child_voice);
    (void)get_string(p, o, "", "child_voice_not_captured", 0, 0, 1,
        &r->child_voice_not_captured);
    (void)get_enum(p, o, "", "dvds", 0, dvdses,
        "not right_to_ask or right_to_know", &r->dvds);
    (void)get_string(p, o, "", "summary", 0, 0, 1, &r->summary);
    (void)get_bool(p, o, "", "shielded", &r->shielded);
    (void)get_date(p, o, "", "retain_until", 0, 0, &r->has_retain,
        &r->retain_until);

    /* People last: their problems may be many. */
    if ((v = field(p, o, "", "people", req)) != NULL)
        return parse_people(p, r, v);
    return 0;
}

/*
 * Report the jansson error ${e} at "(line)", ${off} bytes into the line,
 * in our words where jansson's name its own flags, and never quoting the
 * line (it may hold a name).
 */
static void
report_json(struct pctx *p, const json_error_t *e, size_t off)
{
    char text[JSON_ERROR_TEXT_LENGTH];
    const char *what;
    char *near;
    int at_end = 0;

    switch (json_error_code(e)) {
    case json_error_stack_overflow:
        what = "nested too deeply";
        break;
    case json_error_invalid_utf8:
        what = "not valid UTF-8";
        break;
    case json_error_end_of_input_expected:
        what = "more after the object";
        break;
    case json_error_null_character:
        what = "\\u0000 in a string";
        break;
    case json_error_null_byte_in_key:
        what = "\\u0000 in a key";
        break;
    case json_error_duplicate_key:
        what = "duplicate key";
        break;
    case json_error_numeric_overflow:
        what = "number out of range";
        break;
    default:
        /* jansson adds " near '<up to 20 bytes of the line>'": drop it. */
        memcpy(text, e->text, sizeof(text));
        text[sizeof(text) - 1] = '\0';
        if ((near = strstr(text, " near ")) != NULL) {
            at_end = strcmp(near, " near end of file") == 0;
            *near = '\0';
        }
        what = text;
        break;
    }
    if (at_end)
        report(p, "(line)", 0, "not valid JSON: %s at end of line", what);
    else
        report(p, "(line)", 0, "not valid JSON: %s at byte %zu", what,
            off + (size_t)(e->position > 0 ? e->position : 0));
}

/**
 * seen_record_line_blank(line, len):
 * Return 1 if the ${len} bytes at ${line} hold nothing but JSON whitespace
 * (space, tab, CR, LF) after an optional UTF-8 byte-order mark, so they are
 * not a record and should be skipped; 0 otherwise.
 */
int
seen_record_line_blank(const char *line, size_t len)
{
    size_t i = 0;

    if (len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    for (; i < len; i++) {
        if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r' &&
            line[i] != '\n')
            return 0;
    }
    return 1;
}

/**
 * seen_record_parse(line, len, out, diag, ctx):
 * Parse and validate the import line of ${len} bytes at ${line} (without
 * its newline; it need not be NUL-terminated and is not retained).
 * Report each problem found through ${diag}(${ctx}, ...) if ${diag} is not
 * NULL, errors and warnings alike, at most SEEN_RECORD_DIAG_MAX + 1 times.
 * Returns 0 and sets ${out} to a new record, which may have had warnings;
 * SEEN_EINVAL if the line is rejected, after at least one error was
 * reported, with ${out} set to NULL; SEEN_ENOMEM, with ${out} set to NULL
 * (problems may have been reported; jansson reports some failed
 * allocations as a syntax error, which then gives SEEN_EINVAL).  Free
 * the record with seen_record_destroy().
 */
int
seen_record_parse(const char *line, size_t len, struct seen_record **out,
    seen_record_diag_fn *diag, void *ctx)
{
    struct pctx p = {.diag = diag, .ctx = ctx};
    struct seen_record *r;
    json_error_t e;
    json_t *root;
    size_t off = 0;
    int rc;

    *out = NULL;
    if (len > SEEN_RECORD_LINE_MAX) {
        report(&p, "(line)", 0, "longer than 1 MiB");
        return SEEN_EINVAL;
    }
    if (len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0)
        off = 3;

    /*
     * Exactly one JSON object: jansson checks that only whitespace follows
     * it; no duplicate keys, no "\u0000".  jansson leaves the error code
     * unset when it sets no error, so clear it first.
     */
    memset(&e, 0, sizeof(e));
    if ((root = json_loadb(line + off, len - off, JSON_REJECT_DUPLICATES,
             &e)) == NULL) {
        /*
         * jansson sets no text when an allocation fails while it builds a
         * value; it reports a failed allocation in its lexer as a syntax
         * error, which we cannot tell apart.
         */
        if (json_error_code(&e) == json_error_out_of_memory ||
            e.text[0] == '\0')
            return SEEN_ENOMEM;
        report_json(&p, &e, off);
        return SEEN_EINVAL;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        report(&p, "(line)", 0, "expected a JSON object");
        return SEEN_EINVAL;
    }
    if ((r = calloc(1, sizeof(*r))) == NULL) {
        json_decref(root);
        return SEEN_ENOMEM;
    }
    r->json = root;

    if ((rc = parse_record(&p, r)) != 0)
        goto err;
    report_suppressed(&p);
    if (p.nerr > 0) {
        rc = SEEN_EINVAL;
        goto err;
    }

    /* Success! */
    *out = r;
    return 0;

err:
    seen_record_destroy(&r);
    return rc;
}

/**
 * seen_record_body(r, len):
 * Return the record ${r} as compact JSON, keys in input order and unknown
 * fields kept, NUL-terminated, and store its length without the NUL in
 * ${len}.  This is what the node seals and stores.  The caller frees the
 * result with free().  Returns NULL if out of memory.
 */
char *
seen_record_body(const struct seen_record *r, size_t *len)
{
    char *s;

    if ((s = json_dumps(r->json, JSON_COMPACT | JSON_PRESERVE_ORDER)) ==
        NULL)
        return NULL;
    *len = strlen(s);
    return s;
}

/**
 * seen_record_destroy(&r):
 * Free the record ${r} and every string it holds.  Sets the caller's pointer
 * to NULL; NULL or a pointer to NULL is a no-op, so it is safe twice.
 */
void
seen_record_destroy(struct seen_record **pp)
{
    struct seen_record *r;
    size_t i;

    if (pp == NULL || (r = *pp) == NULL)
        return;
    *pp = NULL;
    for (i = 0; i < r->npeople; i++)
        free(r->people[i].other_names);
    free(r->people);
    json_decref(r->json);
    free(r);
}
