/*
 * record.h: parse and validate one line of the record import format
 * (spec/import.md), the contract between an agency's case-management
 * extract and its node.
 *
 * A line is exactly one JSON object, UTF-8, at most SEEN_RECORD_LINE_MAX
 * bytes without its newline; whitespace may surround it.  Decisions this
 * parser takes where import.md is silent:
 *
 * - Blank lines (nothing but JSON whitespace) are not records: callers
 *   skip them with seen_record_line_blank() and keep counting lines.
 * - A leading UTF-8 byte-order mark is ignored (extracts written on
 *   Windows start with one).
 * - Duplicate keys in any object, "\u0000" in any string, invalid UTF-8,
 *   integers beyond 64 bits, reals beyond double range and nesting deeper
 *   than jansson's limit (2048) reject the line as not valid JSON, even
 *   inside unknown fields: what the node stores must be unambiguous.
 * - null is accepted only where import.md says "or null" (given_name,
 *   family_name, date_of_birth); elsewhere it is a wrong type.
 * - An empty or whitespace-only string counts as absent in the name fields
 *   (given_name, family_name, other_names entries), the identifiers
 *   (nhs_number, upn, pnc_id), postcode, address and the free-text record
 *   fields; no warning is given for it.  local_authority must not be
 *   empty.
 * - An invalid nhs_number, upn, pnc_id or postcode is a warning: the value
 *   is dropped and the person kept (postcode is treated like an identifier
 *   because it feeds a match token).  A value of the wrong JSON type in any
 *   of them is an error.
 * - A deletion line needs only "id" and "deleted": true; any other known
 *   field it carries is still checked as in any record.
 * - Every problem on a line is reported, up to SEEN_RECORD_DIAG_MAX; past
 *   that one last report (field "(line)") says how many more were found.
 * - Array indices in reported paths count from 0 ("people[0]" is the first
 *   person).  Reports never quote the offending value, since it may be a
 *   name or a date of birth.
 */
#ifndef SEEN_RECORD_H
#define SEEN_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"

#define SEEN_RECORD_LINE_MAX (1024 * 1024) /* bytes, newline excluded */
#define SEEN_RECORD_ID_MAX 128             /* characters (code points) */
#define SEEN_RECORD_PEOPLE_MAX 64
#define SEEN_RECORD_DIAG_MAX 20 /* problems reported per line */

struct json_t;

struct seen_person {
    const char *ref;       /* borrowed from the record's json */
    int role;              /* Seen__Role */
    const char *given;     /* NULL when absent, null or empty */
    const char *family;    /* NULL when absent, null or empty */
    const char **other_names; /* non-empty strings only */
    size_t n_other_names;
    int has_dob;
    int32_t dob;           /* days since 1970-01-01 */
    int has_due;
    int32_t due;           /* expected_due_date, days since 1970-01-01 */
    char sex;              /* 'F', 'M', 'X', 'U' or 0 */
    char nhs[11];          /* canonical 10 digits, "" if absent or dropped */
    int nhs_test;          /* the NHS number is in the 999 test range */
    char upn[14];          /* canonical, "" if absent or dropped */
    int upn_temporary;     /* the UPN is a temporary one */
    char pnc[14];          /* canonical YYYY/NNNNNNNC, "" if absent or dropped */
    char postcode[9];      /* canonical, "" if absent or dropped */
    char district[5];      /* its outward code, "" with postcode */
    const char *address;   /* NULL when absent or empty */
};

struct seen_record {
    const char *id;
    int kind;              /* Seen__Kind; 0 on a deletion line without one */
    int32_t date;          /* days since 1970-01-01 */
    const char *local_authority;
    int risk;              /* Seen__Risk, 0 if absent */
    int child_present;
    const char *child_voice; /* NULL when absent or empty */
    const char *child_voice_not_captured;
    const char *summary;
    int dvds;              /* 0, 1 right_to_ask, 2 right_to_know */
    int shielded;
    int deleted;
    int has_retain;
    int32_t retain_until;  /* days since 1970-01-01 */
    struct seen_person *people;
    size_t npeople;        /* 0 only on a deletion line */

    /* Private: the parsed line, which owns every string above. */
    struct json_t *json;
};

/**
 * seen_record_diag_fn(ctx, field, reason, warning):
 * Called once per problem found on a line.  ${field} is a path such as
 * "people[2].nhs_number", or "(line)" for the line as a whole; ${reason} is
 * a short lower-case phrase ("required", "expected a string", "not a date
 * (YYYY-MM-DD)", ...).  ${warning} is 1 for a dropped invalid identifier
 * or postcode inside an otherwise valid person (the person is kept), 0 for
 * an error that rejects the line.  Both strings are valid only during the
 * call.
 */
typedef void seen_record_diag_fn(void *ctx, const char *field,
    const char *reason, int warning);

/**
 * seen_record_line_blank(line, len):
 * Return 1 if the ${len} bytes at ${line} hold nothing but JSON whitespace
 * (space, tab, CR, LF) after an optional UTF-8 byte-order mark, so they are
 * not a record and should be skipped; 0 otherwise.
 */
int seen_record_line_blank(const char *line, size_t len);

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
SEEN_MUST_CHECK int seen_record_parse(const char *line, size_t len,
    struct seen_record **out, seen_record_diag_fn *diag, void *ctx);

/**
 * seen_record_body(r, len):
 * Return the record ${r} as compact JSON, keys in input order and unknown
 * fields kept, NUL-terminated, and store its length without the NUL in
 * ${len}.  This is what the node seals and stores.  The caller frees the
 * result with free().  Returns NULL if out of memory.
 */
char *seen_record_body(const struct seen_record *r, size_t *len);

/**
 * seen_record_destroy(&r):
 * Free the record ${r} and every string it holds.  Sets the caller's pointer
 * to NULL; NULL or a pointer to NULL is a no-op, so it is safe twice.
 */
void seen_record_destroy(struct seen_record **pp);

#endif /* !SEEN_RECORD_H */
