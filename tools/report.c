/*
 * report.c: the chronology that `seen report` and `seen graph` draw.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "common/file.h"
#include "tools/report.h"

/* The largest chronology file --from-json reads. */
#define REPORT_FILE_MAX (64u << 20)

/**
 * report_opts(a, opts):
 * Write into ${opts} the REPORT_NOPTS options that fill ${a}: --person,
 * --purpose, the criteria and the test-only --from-json.  ${a} must
 * outlive ${opts}.  Returns REPORT_NOPTS.
 */
size_t
report_opts(struct report_args *a, struct cli_opt *opts)
{
    size_t n = cli_lookup_opts(&a->who, opts);

    opts[n] = (struct cli_opt){"from-json", &a->from_json, NULL};
    return n + 1;
}

/* Read the chronology in ${path} into *${out}: 0 or 1 (said why). */
static int
load_file(const struct cli *cli, const char *path, json_t **out)
{
    json_error_t je;
    uint8_t *buf;
    size_t len;
    int rc;

    if ((rc = seen_file_read(path, REPORT_FILE_MAX, &buf, &len)) != 0)
        return cli_fail(cli, "cannot read '%s': %s", path,
            rc == SEEN_ENOMEM ? "out of memory" : strerror(errno));
    *out = json_loadb((const char *)buf, len, 0, &je);
    free(buf);
    if (*out == NULL)
        return cli_fail(
            cli, "'%s': not JSON: line %d: %s", path, je.line, je.text);
    return 0;
}

/**
 * report_load(cli, a, usage, out):
 * With ${a}->from_json, read that file; otherwise ask the node of
 * ${cli}->home for the chronology of ${a}'s person (the node logs the
 * look-up).  Either way check its shape (report_check).
 * Returns the exit status: 0 with *${out} the chronology (the caller
 * decrefs); 1 when it could not be had or is malformed (said why on
 * standard error); 2 on bad usage (no person nor criteria, both, or no
 * node home; ${usage} printed).
 */
int
report_load(const struct cli *cli, const struct report_args *a,
    const char *usage, json_t **out)
{
    char why[256];
    size_t i;
    int rc;

    *out = NULL;
    if (a->from_json != NULL) {
        for (i = 0; i < CLI_NLOOKUP; i++)
            if (a->who.val[i] != NULL)
                return cli_usage(
                    cli, usage, "--from-json takes no --person nor criteria");
        rc = load_file(cli, a->from_json, out);
    } else {
        rc = cli_lookup_send(cli, usage, &a->who, "chronology", out);
    }
    if (rc != 0)
        return rc;
    if (report_check(*out, why, sizeof why) != 0) {
        json_decref(*out);
        *out = NULL;
        return cli_fail(cli, "the chronology %s%s%s: %s",
            a->from_json ? "in '" : "from the node",
            a->from_json ? a->from_json : "", a->from_json ? "'" : "", why);
    }
    return 0;
}

/* 0 when ${doc}'s member ${key} is absent or an array of objects. */
static int
check_rows(json_t *doc, const char *key, char *why, size_t whylen)
{
    json_t *a = json_object_get(doc, key), *r;
    size_t i;

    if (a == NULL)
        return 0;
    if (!json_is_array(a)) {
        snprintf(why, whylen, "\"%s\" is not an array", key);
        return SEEN_EINVAL;
    }
    json_array_foreach(a, i, r)
    {
        if (!json_is_object(r)) {
            snprintf(why, whylen, "\"%s\"[%zu] is not an object", key, i);
            return SEEN_EINVAL;
        }
    }
    return 0;
}

/**
 * report_check(doc, why, whylen):
 * Check that ${doc} has the shape the renderers need: "ok" true, string
 * "node" and "subject", and "people", "agencies", "events", "voice",
 * "alerts", "unknown" arrays of objects (absent counts as empty), each
 * event with string "date", "node" and "kind".
 * Returns 0, or SEEN_EINVAL with what is wrong written into ${why}.
 */
int
report_check(json_t *doc, char *why, size_t whylen)
{
    static const char *const rows[] = {
        "people", "agencies", "events", "voice", "alerts", "unknown"};
    static const char *const need[] = {"date", "node", "kind"};
    json_t *e;
    size_t i, j;

    if (!json_is_object(doc) || !json_is_true(json_object_get(doc, "ok"))) {
        snprintf(why, whylen, "is not an object with \"ok\": true");
        return SEEN_EINVAL;
    }
    if (!json_is_string(json_object_get(doc, "node")) ||
        !json_is_string(json_object_get(doc, "subject"))) {
        snprintf(why, whylen, "has no \"node\" or \"subject\" string");
        return SEEN_EINVAL;
    }
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (check_rows(doc, rows[i], why, whylen) != 0)
            return SEEN_EINVAL;
    json_array_foreach(json_object_get(doc, "events"), i, e)
    {
        for (j = 0; j < sizeof need / sizeof need[0]; j++) {
            if (!json_is_string(json_object_get(e, need[j]))) {
                snprintf(why, whylen, "\"events\"[%zu] has no \"%s\" string", i,
                    need[j]);
                return SEEN_EINVAL;
            }
        }
    }
    return 0;
}

/**
 * report_kind_text(kind):
 * Return the words for a record kind ("domestic_abuse_incident" ->
 * "Domestic abuse incident", "marac_referral" -> "MARAC referral"): a
 * static string, or ${kind} itself when it is not one of import.md's
 * kinds (borrowed).
 */
const char *
report_kind_text(const char *kind)
{
    static const char *const kinds[][2] = {
        {"domestic_abuse_incident", "Domestic abuse incident"},
        {"dvds_disclosure", "DVDS disclosure (Clare's Law)"},
        {"marac_referral", "MARAC referral"},
        {"child_in_need_assessment", "Child in need assessment"},
        {"strategy_meeting", "Strategy meeting"},
        {"child_protection_plan", "Child protection plan"},
        {"safety_plan", "Safety plan"},
        {"midwifery_booking", "Midwifery booking"},
        {"health_visitor_contact", "Health visitor contact"},
        {"ed_attendance", "Emergency department attendance"},
        {"safeguarding_concern", "Safeguarding concern"},
        {"supervision", "Supervision (probation)"},
        {"youth_justice", "Youth justice"}, {"other", "Other"}};
    size_t i;

    for (i = 0; kind != NULL && i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kind, kinds[i][0]) == 0)
            return kinds[i][1];
    return kind != NULL ? kind : "";
}

/**
 * report_relation_text(relation):
 * Return the words for a person's relation to the subject ("subject",
 * "sibling", "parent or carer", ...), or ${relation} itself when it is
 * not one the contract names (borrowed).
 */
const char *
report_relation_text(const char *relation)
{
    if (relation == NULL)
        return "";
    if (strcmp(relation, "parent_or_carer") == 0)
        return "parent or carer";
    return relation;
}

/**
 * report_esc(f, s):
 * Write ${s} to ${f} escaped for HTML and XML text and attribute values
 * (& < > " ' as character references); nothing when ${s} is NULL.
 */
void
report_esc(FILE *f, const char *s)
{
    for (; s != NULL && *s != '\0'; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&#39;", f);
            break;
        default:
            fputc(*s, f);
        }
    }
}

/* The row of array ${key} of ${doc} whose member ${field} is ${value}. */
static json_t *
find_row(json_t *doc, const char *key, const char *field, const char *value)
{
    json_t *r;
    size_t i;

    if (value == NULL)
        return NULL;
    json_array_foreach(json_object_get(doc, key), i, r)
    {
        const char *v = json_string_value(json_object_get(r, field));

        if (v != NULL && strcmp(v, value) == 0)
            return r;
    }
    return NULL;
}

/**
 * report_agency(doc, node):
 * Return the "agencies" row of ${doc} for ${node} (borrowed), or NULL.
 */
json_t *
report_agency(json_t *doc, const char *node)
{
    return find_row(doc, "agencies", "node", node);
}

/**
 * report_person(doc, person):
 * Return the "people" row of ${doc} for ${person} (borrowed), or NULL.
 */
json_t *
report_person(json_t *doc, const char *person)
{
    return find_row(doc, "people", "person", person);
}
