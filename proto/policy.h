/*
 * policy.h: the partnership agreement, which decides what a holding node
 * shares automatically when another member asks for the details behind
 * one of its index entries (DESIGN.md, "Disclosure").
 *
 * The agreement is one JSON file, the same for every member of a
 * federation (docs/operations.md, "Partnership agreement"):
 *
 *   {"agreement": "Six areas information-sharing agreement 2026",
 *    "version": 3,
 *    "note": "optional free text",
 *    "rules": [
 *      {"holder": "police", "requester": "social_care",
 *       "kinds": ["domestic_abuse_incident", "dvds_disclosure"],
 *       "roles": ["child", "unborn", "adult_victim"],
 *       "bases": ["duty_to_share", "safeguarding_children"],
 *       "decision": "share", "note": "optional free text"},
 *      {"holder": "*", "requester": "*", "kinds": "*", "decision": "queue"}
 *    ]}
 *
 * - "holder" and "requester" are agency types of spec/cli.md
 *   (social_care, police, health, school, probation, youth_justice,
 *   other), "kinds" record kinds and "roles" person roles of
 *   spec/import.md, "bases" legal bases of spec/cli.md (duty_to_share,
 *   public_task, safeguarding_children, legal_obligation, consent).  Each
 *   is one name, a non-empty array of distinct names, or "*" (alone, or
 *   as the only element of an array) for any.
 * - "holder", "requester", "kinds" and "decision" are required; "roles"
 *   and "bases" default to any.  A "share" rule must name its legal
 *   bases: "bases" absent or "*" is refused there (listing all five is
 *   allowed), since nothing is shared automatically without a basis the
 *   partners agreed.
 * - "decision" is "share" or "queue".  There is no automatic "withhold":
 *   withholding is a lead's recorded decision, with a reason and a review
 *   date, and is refused here with a message that says so.
 * - A request is decided by the first rule that matches all five of
 *   holder type, requester type, kind, role and basis; when none does it
 *   is queued for the holder's lead.  So the agreement can only ever make
 *   sharing automatic; it never stops a lead from deciding.
 * - A rule that can never decide anything, because a single earlier rule
 *   matches everything it matches, is refused (a rule placed after a
 *   catch-all is a mistake that would silently stop automatic sharing).
 * - Unknown fields, duplicate keys, values of the wrong type, unknown
 *   names, empty arrays, repeated names, invalid UTF-8, a file over
 *   SEEN_POLICY_FILE_MAX bytes or with over SEEN_POLICY_RULES_MAX rules
 *   are refused.  The first problem is reported, with its place:
 *   "rules[3].kinds[1]: unknown kind 'domestic_abuse'", or for a file
 *   that is not JSON "line 4, column 7: not valid JSON: ...".  Array
 *   indices count from 0.
 */
#ifndef SEEN_POLICY_H
#define SEEN_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"

#define SEEN_POLICY_FILE_MAX (1024 * 1024) /* bytes */
#define SEEN_POLICY_RULES_MAX 1000
#define SEEN_POLICY_NAME_MAX 200           /* "agreement", characters */
#define SEEN_POLICY_NOTE_MAX 2000          /* "note", characters */
#define SEEN_POLICY_ERR_BYTES 256          /* room for a parse error */

enum seen_policy_decision {
    SEEN_POLICY_QUEUE = 0, /* for the holding node's lead to decide */
    SEEN_POLICY_SHARE = 1, /* share automatically */
};

struct seen_policy;

/**
 * seen_policy_parse(buf, len, out, err):
 * Parse the agreement in the ${len} bytes at ${buf} (not NUL-terminated;
 * not retained).  Returns 0 and a new policy in *${out}; SEEN_EINVAL when
 * it is not a valid agreement, with the first problem written to ${err}
 * as a NUL-terminated message of printable ASCII (see above; not logged);
 * SEEN_ENOMEM (${err} says so).  On failure *${out} is NULL.  Release
 * with seen_policy_destroy().
 */
SEEN_MUST_CHECK int seen_policy_parse(const void *buf, size_t len,
    struct seen_policy **out, char err[static SEEN_POLICY_ERR_BYTES]);

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
SEEN_MUST_CHECK int seen_policy_load(const char *path,
    struct seen_policy **out);

/**
 * seen_policy_destroy(&p):
 * Free ${p}.  Sets the caller's pointer to NULL; NULL or a pointer to NULL
 * is a no-op, so it is safe twice.
 */
void seen_policy_destroy(struct seen_policy **pp);

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
enum seen_policy_decision seen_policy_decide(const struct seen_policy *p,
    const char *holder, const char *requester, const char *kind,
    const char *role, const char *basis, int *rule);

/**
 * seen_policy_decision_name(d):
 * Return "share" or "queue" (static), or NULL for another value.
 */
const char *seen_policy_decision_name(enum seen_policy_decision d);

/**
 * seen_policy_agreement(p):
 * Return the agreement's name (borrowed for ${p}'s lifetime).
 */
const char *seen_policy_agreement(const struct seen_policy *p);

/**
 * seen_policy_version(p):
 * Return the agreement's version (1 or more).
 */
uint64_t seen_policy_version(const struct seen_policy *p);

/**
 * seen_policy_rules(p):
 * Return the number of rules in ${p}.
 */
size_t seen_policy_rules(const struct seen_policy *p);

/**
 * seen_policy_basis_valid(basis):
 * Return 1 when ${basis} is one of spec/cli.md's legal bases, else 0
 * (also for NULL).  For `seen request --basis`.
 */
int seen_policy_basis_valid(const char *basis);

#endif /* !SEEN_POLICY_H */
