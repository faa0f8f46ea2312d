/*
 * report.h: the chronology that `seen report` and `seen graph` draw: its
 * options (a person or the criteria of `seen query`, and a purpose), the
 * reply of the node's `chronology` control command (docs/spec/cli.md),
 * and the checks on its shape that the renderers rely on.
 */
#ifndef SEEN_REPORT_H
#define SEEN_REPORT_H

#include <jansson.h>
#include <stdio.h>

#include "tools/cli.h"

/* What a report is asked for, every string borrowed from argv. */
struct report_args {
    struct cli_who who;    /* --purpose, --person or the criteria */
    const char *from_json; /* --from-json FILE (tests only), or NULL */
};

/* The options report_opts() adds. */
#define REPORT_NOPTS (CLI_NLOOKUP + 2)

/**
 * report_opts(a, opts):
 * Write into ${opts} the REPORT_NOPTS options that fill ${a}: --person,
 * --purpose, the criteria and the test-only --from-json.  ${a} must
 * outlive ${opts}.  Returns REPORT_NOPTS.
 */
size_t report_opts(struct report_args *a, struct cli_opt *opts);

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
int report_load(const struct cli *cli, const struct report_args *a,
    const char *usage, json_t **out);

/**
 * report_check(doc, why, whylen):
 * Check that ${doc} has the shape the renderers need: "ok" true, string
 * "node" and "subject", and "people", "agencies", "events", "voice",
 * "alerts", "unknown" arrays of objects (absent counts as empty), each
 * event with string "date", "node" and "kind".
 * Returns 0, or SEEN_EINVAL with what is wrong written into ${why}.
 */
int report_check(json_t *doc, char *why, size_t whylen);

/**
 * report_kind_text(kind):
 * Return the words for a record kind ("domestic_abuse_incident" ->
 * "Domestic abuse incident", "marac_referral" -> "MARAC referral"): a
 * static string, or ${kind} itself when it is not one of import.md's
 * kinds (borrowed).
 */
const char *report_kind_text(const char *kind);

/**
 * report_relation_text(relation):
 * Return the words for a person's relation to the subject ("subject",
 * "sibling", "parent or carer", ...), or ${relation} itself when it is
 * not one the contract names (borrowed).
 */
const char *report_relation_text(const char *relation);

/**
 * report_esc(f, s):
 * Write ${s} to ${f} escaped for HTML and XML text and attribute values
 * (& < > " ' as character references); nothing when ${s} is NULL.
 */
void report_esc(FILE *f, const char *s);

/**
 * report_agency(doc, node):
 * Return the "agencies" row of ${doc} for ${node} (borrowed), or NULL.
 */
json_t *report_agency(json_t *doc, const char *node);

/**
 * report_person(doc, person):
 * Return the "people" row of ${doc} for ${person} (borrowed), or NULL.
 */
json_t *report_person(json_t *doc, const char *person);

#endif /* !SEEN_REPORT_H */
