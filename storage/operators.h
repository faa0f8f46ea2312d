/*
 * operators.h: named operators, their roles, and what each role may do.
 *
 * Every command that reads or shares personal data runs as a named
 * operator (spec/cli.md, "Operators, disclosure and audit").  An operator
 * is a name of 1-64 characters of [a-z0-9._-] with exactly one role:
 *
 *   admin    runs the node (agency IT): imports, status, membership,
 *            starting and stopping, and managing operators;
 *   lead     a safeguarding lead: queries, requests and decides
 *            disclosures, sees alerts and who looked up our records;
 *   auditor  exports and verifies the exchange log; sees alerts and
 *            lookups, which are facts the exchange log holds anyway.
 *
 * Roles do not combine: a person who is both a lead and an auditor has two
 * operator names, so that every logged act says in which capacity it was
 * done.
 *
 * Who is at the keyboard (docs/operations.md, "Operators who are people"):
 * an operator may be bound to a Unix user (its uid, and its name for
 * display), and is active or suspended.  While no operator is bound
 * ("claimed" mode: a lab, an older store) the control socket is the node
 * user's alone and a request's operator is the name it claims
 * (seen_operator_authorise).  Once any operator is bound ("peer" mode)
 * the daemon reads the caller's uid from the connection and
 * seen_operator_resolve() applies the rule: the uid must be bound to an
 * active operator, --as may name only an operator bound to that uid, and
 * that operator's role must allow the action.
 *
 * The permission table (seen_operator_may):
 *
 *   action                     admin  lead  auditor
 *   SEEN_ACT_QUERY               -     yes    -
 *   SEEN_ACT_REQUEST             -     yes    -
 *   SEEN_ACT_DECIDE              -     yes    -      (cli.md: leads decide)
 *   SEEN_ACT_VIEW_DISCLOSURES    -     yes    -      (contents are personal
 *                                                     data; auditors see what
 *                                                     was shared through the
 *                                                     audit export)
 *   SEEN_ACT_VIEW_INBOX          -     yes    -
 *   SEEN_ACT_AUDIT_EXPORT        -      -    yes     (a lead cannot export)
 *   SEEN_ACT_MANAGE_OPERATORS   yes     -     -
 *   SEEN_ACT_IMPORT             yes     -     -      (agency IT feeds the
 *                                                     extract)
 *   SEEN_ACT_NODE_ADMIN         yes     -     -
 *   SEEN_ACT_VIEW_ALERTS         -     yes   yes     (alerts carry no names;
 *                                                     whether they were raised
 *                                                     and acted on is what an
 *                                                     auditor checks)
 *   SEEN_ACT_ACK_ALERT           -     yes    -      (acting on a case)
 *   SEEN_ACT_VIEW_LOOKUPS        -     yes   yes     (the holder's lead sees
 *                                                     who looked up its
 *                                                     records; auditors verify
 *                                                     what was looked up, by
 *                                                     whom and why)
 *   SEEN_ACT_VIEW_PERSONS        -     yes   yes     (seen persons, links:
 *                                                     pseudonymous handles,
 *                                                     roles and kinds, no
 *                                                     names)
 *   SEEN_ACT_VIEW_STATUS        yes    yes   yes     (seen status, in peer
 *                                                     mode; any operator in
 *                                                     claimed mode)
 *
 * `seen audit verify` needs no node and so no operator.
 *
 * Storage: SEEN_DB_OPERATORS maps the name's bytes (no NUL) to a value
 * that starts with a format byte:
 *
 *   format 1 (up to 97b2c2c): 1 role(1) added(8)            (10 bytes)
 *   format 2:                 2 role(1) added(8) state(1) bound(1)
 *                             uid(4) user(0-32)       (16-48 bytes)
 *
 * role is 1 admin, 2 lead, 3 auditor; added is Unix seconds; state is 0
 * active, 1 suspended; bound is 0 (uid 0 and no user) or 1 (bound to the
 * Unix uid, whose user name at binding is the 1-32 bytes of user);
 * integers big-endian.  Every operator added or changed is written in
 * format 2; a format-1 value is read as an active operator bound to no
 * Unix user.  Operator and Unix user names are staff user names, not
 * personal data about the people in the records, and are stored in clear.
 */
#ifndef SEEN_OPERATORS_H
#define SEEN_OPERATORS_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"

#define SEEN_OPERATOR_NAME_MAX 64  /* characters (bytes: all ASCII) */
#define SEEN_PURPOSE_MIN 3         /* characters (code points) */
#define SEEN_PURPOSE_MAX 500       /* characters (code points) */

/* The operator that `seen init` and seen_operator_bootstrap() register. */
#define SEEN_OPERATOR_FIRST "admin"

enum seen_role_op {
    SEEN_OP_ADMIN = 1,
    SEEN_OP_LEAD = 2,
    SEEN_OP_AUDITOR = 3,
};

enum seen_action {
    SEEN_ACT_QUERY,             /* seen query */
    SEEN_ACT_REQUEST,           /* seen request */
    SEEN_ACT_DECIDE,            /* seen decide */
    SEEN_ACT_VIEW_DISCLOSURES,  /* seen disclosures */
    SEEN_ACT_VIEW_INBOX,        /* seen inbox */
    SEEN_ACT_AUDIT_EXPORT,      /* seen audit export */
    SEEN_ACT_MANAGE_OPERATORS,  /* seen operator add|list */
    SEEN_ACT_IMPORT,            /* seen import */
    SEEN_ACT_NODE_ADMIN,        /* status, membership, node stop, handles */
    SEEN_ACT_VIEW_ALERTS,       /* seen alerts */
    SEEN_ACT_ACK_ALERT,         /* acknowledging an alert */
    SEEN_ACT_VIEW_LOOKUPS,      /* who looked up our records */
    SEEN_ACT_VIEW_PERSONS,      /* seen persons, seen links */
    SEEN_ACT_VIEW_STATUS,       /* seen status (peer mode) */
};
#define SEEN_ACT_COUNT (SEEN_ACT_VIEW_STATUS + 1)

#define SEEN_UNIX_USER_MAX 32   /* bytes of a Unix user name */
#define SEEN_UID_UNKNOWN (-1L)  /* a caller whose uid the connection hid */

enum seen_op_state {
    SEEN_OP_ACTIVE = 0,
    SEEN_OP_SUSPENDED = 1,
};

/* An operator's record, as seen_operator_read() decodes it. */
struct seen_operator {
    enum seen_role_op role;
    uint64_t added;           /* Unix seconds */
    enum seen_op_state state;
    int bound;                /* 1: bound to the Unix user below */
    uint32_t uid;
    char user[SEEN_UNIX_USER_MAX + 1]; /* "" when not bound */
};

struct seen_store;
struct seen_txn;

/**
 * seen_operator_name_valid(name):
 * Return 1 when ${name} is 1-64 characters of [a-z0-9._-], else 0 (also
 * for NULL).
 */
int seen_operator_name_valid(const char *name);

/**
 * seen_role_op_name(r):
 * Return "admin", "lead" or "auditor" (static), or NULL for a value that
 * is not a role.
 */
const char *seen_role_op_name(enum seen_role_op r);

/**
 * seen_role_op_article(r):
 * Return the indefinite article of the role ${r}'s name ("an" for admin
 * and auditor, "a" for lead; static), "a" for a value that is not a role.
 */
const char *seen_role_op_article(enum seen_role_op r);

/**
 * seen_role_op_parse(s, r):
 * Parse the role name ${s} ("admin", "lead", "auditor"; exact, lower
 * case) into *${r}.  Returns 0, or SEEN_EINVAL (also for NULL; *${r}
 * untouched).
 */
SEEN_MUST_CHECK int seen_role_op_parse(const char *s, enum seen_role_op *r);

/**
 * seen_action_name(act):
 * Return a short lower-case description of ${act} for messages
 * ("decide on disclosure requests"; static), or "do that" for a value
 * that is not an action.
 */
const char *seen_action_name(enum seen_action act);

/**
 * seen_operator_may(role, act):
 * Return 1 when an operator of ${role} may do ${act} (the table at the
 * top of this file), else 0; 0 for any value that is not a role or an
 * action.
 */
int seen_operator_may(enum seen_role_op role, enum seen_action act);

/**
 * seen_operator_add(txn, name, role, now):
 * Register the operator ${name} with ${role}, added at ${now} (Unix
 * seconds), inside the write transaction ${txn}.
 * Returns 0; SEEN_EINVAL when ${name} is not valid or ${role} is not a
 * role (nothing written; not logged); SEEN_EEXIST when ${name} is already
 * registered, whatever its role (nothing written; not logged);
 * SEEN_ECORRUPT, SEEN_EFULL, SEEN_ERR (from the store, logged there).
 * After an error other than SEEN_EINVAL and SEEN_EEXIST the transaction
 * must be aborted.
 */
SEEN_MUST_CHECK int seen_operator_add(struct seen_txn *txn, const char *name,
    enum seen_role_op role, uint64_t now);

/**
 * seen_operator_get(txn, name, role):
 * Look up the operator ${name}; when found and ${role} is not NULL, write
 * its role to *${role}.
 * Returns 0; SEEN_ENOTFOUND when no such operator is registered (also for
 * a name that is not valid; not logged); SEEN_ECORRUPT when its stored
 * value is damaged (logged).
 */
SEEN_MUST_CHECK int seen_operator_get(struct seen_txn *txn, const char *name,
    enum seen_role_op *role);

/*
 * The callback of seen_operator_list: ${name} is NUL-terminated and valid
 * only during the call.  Return 0 to go on, 1 to stop, or a negative code
 * to fail.
 */
typedef int seen_operator_fn(void *ctx, const char *name,
    enum seen_role_op role, uint64_t added);

/**
 * seen_operator_list(txn, fn, ctx):
 * Call ${fn}(${ctx}, name, role, added) for every registered operator, in
 * byte order of the names.
 * Returns 0 when done or stopped; ${fn}'s negative code; SEEN_ECORRUPT for
 * a damaged entry (logged; ${fn} is not called for it).
 */
SEEN_MUST_CHECK int seen_operator_list(struct seen_txn *txn,
    seen_operator_fn *fn, void *ctx);

/**
 * seen_operator_bootstrap(txn, now):
 * When no operator is registered, register SEEN_OPERATOR_FIRST ("admin")
 * as an admin inside the write transaction ${txn}, so that a new node,
 * or one whose store predates operators, can be managed at all.  For
 * `seen init` and for the daemon at start-up.
 * Returns 1 when it registered the admin, 0 when operators existed;
 * SEEN_EFULL, SEEN_ERR (from the store; the transaction must be aborted).
 */
SEEN_MUST_CHECK int seen_operator_bootstrap(struct seen_txn *txn,
    uint64_t now);

/**
 * seen_operator_authorise(txn, name, act, role, why, whylen):
 * Decide whether the operator ${name} (NULL when the request named none)
 * may do ${act}: it must be registered, and its role allowed ${act} by
 * seen_operator_may().  When ${role} is not NULL and the operator is
 * registered, *${role} is its role.  On refusal a message fit for the
 * user ("operator 'sam' is an auditor: only a lead may decide on
 * disclosure requests") is written to ${why} (${whylen} bytes, may be 0).
 * Returns 0 when allowed; SEEN_EINVAL when ${name} is NULL, empty or not a
 * valid name; SEEN_ENOTFOUND when no such operator is registered;
 * SEEN_EPERM when its role does not allow ${act}; SEEN_ECORRUPT (logged).
 * Refusals are not logged: the caller records them where it records acts.
 */
SEEN_MUST_CHECK int seen_operator_authorise(struct seen_txn *txn,
    const char *name, enum seen_action act, enum seen_role_op *role,
    char *why, size_t whylen);

/**
 * seen_unix_user_valid(user):
 * Return 1 when ${user} is 1-32 characters of [A-Za-z0-9._-], not
 * starting with '-', with an optional final '$' (a Unix user name as
 * Debian's adduser allows it), else 0 (also for NULL).
 */
int seen_unix_user_valid(const char *user);

/**
 * seen_operator_add_bound(txn, name, role, now, uid, user):
 * As seen_operator_add(), binding the operator to the Unix user ${user}
 * of uid ${uid} (NULL ${user}: not bound).  Returns as it does;
 * SEEN_EINVAL also for a ${user} that is not valid.
 */
SEEN_MUST_CHECK int seen_operator_add_bound(struct seen_txn *txn,
    const char *name, enum seen_role_op role, uint64_t now, uint32_t uid,
    const char *user);

/**
 * seen_operator_read(txn, name, op):
 * Look up the operator ${name} and decode its record (either format)
 * into *${op}.
 * Returns 0; SEEN_ENOTFOUND (also for a name that is not valid; not
 * logged); SEEN_ECORRUPT (logged).
 */
SEEN_MUST_CHECK int seen_operator_read(struct seen_txn *txn, const char *name,
    struct seen_operator *op);

/**
 * seen_operator_set_state(txn, name, state):
 * Make the operator ${name} active or suspended (${state}) inside the
 * write transaction ${txn}, rewriting its record in format 2.
 * Returns 0; SEEN_ENOTFOUND; SEEN_EEXIST when it is in ${state} already
 * (nothing written); SEEN_EINVAL for a ${state} that is not one;
 * SEEN_ECORRUPT, SEEN_EFULL, SEEN_ERR (abort ${txn}).
 */
SEEN_MUST_CHECK int seen_operator_set_state(struct seen_txn *txn,
    const char *name, enum seen_op_state state);

/**
 * seen_operator_set_role(txn, name, role):
 * Give the operator ${name} the role ${role} inside the write transaction
 * ${txn}, rewriting its record in format 2 (its binding and state kept).
 * Returns 0; SEEN_ENOTFOUND; SEEN_EEXIST when it has ${role} already
 * (nothing written); SEEN_EINVAL for a ${role} that is not one;
 * SEEN_ECORRUPT, SEEN_EFULL, SEEN_ERR (abort ${txn}).
 */
SEEN_MUST_CHECK int seen_operator_set_role(struct seen_txn *txn,
    const char *name, enum seen_role_op role);

/**
 * seen_operator_remove(txn, name):
 * Remove the operator ${name} inside the write transaction ${txn}.
 * Returns 0; SEEN_ENOTFOUND; SEEN_ERR (abort ${txn}).
 */
SEEN_MUST_CHECK int seen_operator_remove(struct seen_txn *txn,
    const char *name);

/*
 * The callback of seen_operator_each: ${name} and ${op} are valid only
 * during the call.  Return 0 to go on, 1 to stop, or a negative code.
 */
typedef int seen_operator_each_fn(void *ctx, const char *name,
    const struct seen_operator *op);

/**
 * seen_operator_each(txn, fn, ctx):
 * Call ${fn}(${ctx}, name, record) for every registered operator, in byte
 * order of the names.  Returns as seen_operator_list() does.
 */
SEEN_MUST_CHECK int seen_operator_each(struct seen_txn *txn,
    seen_operator_each_fn *fn, void *ctx);

/* What seen_operator_census() counts. */
struct seen_operator_census {
    uint64_t bound;        /* operators bound to a Unix user */
    uint64_t bound_admins; /* ...of them, active admins */
};

/**
 * seen_operator_census(txn, c):
 * Count the bound operators and the active bound admins into *${c}.  The
 * node is in peer mode when c->bound > 0.
 * Returns 0; SEEN_ECORRUPT (logged).
 */
SEEN_MUST_CHECK int seen_operator_census(struct seen_txn *txn,
    struct seen_operator_census *c);

/**
 * seen_operator_resolve(txn, uid, as, act, name, why, whylen):
 * Decide who a control request acts as, and whether it may do ${act}:
 * the request came from the Unix uid ${uid} (SEEN_UID_UNKNOWN when the
 * connection did not say) and named the operator ${as} (NULL: none).
 * - Claimed mode (no operator bound to a Unix user): as
 *   seen_operator_authorise(${as}, ${act}).
 * - Peer mode: ${uid} must be bound to an operator ("Unix user 'bob'
 *   (uid 1002) is not a registered operator of this node"); ${as}, when
 *   given, must be one of those bound to ${uid} ("--as may name only your
 *   own operator"); without ${as}, the one active operator bound to
 *   ${uid} (several: refused, "give --as NAME"); that operator must be
 *   active ("operator 'x' is suspended") and its role allow ${act}.
 * [out] ${name}: the operator acted as (its registered name; "" when
 * refused).  ${why}: on refusal, a message fit for the user.
 * Returns 0 when allowed; SEEN_EPERM when refused in peer mode; the
 * codes of seen_operator_authorise() in claimed mode; SEEN_ECORRUPT.
 * Refusals are not logged.
 */
SEEN_MUST_CHECK int seen_operator_resolve(struct seen_txn *txn, long uid,
    const char *as, enum seen_action act,
    char name[static SEEN_OPERATOR_NAME_MAX + 1], char *why, size_t whylen);

/**
 * seen_purpose_valid(purpose):
 * Return 1 when ${purpose} is acceptable as the stated purpose of a query
 * or request: valid UTF-8 (no overlong forms, surrogates or code points
 * beyond U+10FFFF) of 3-500 characters, none of them a control, format
 * (including bidirectional overrides and zero-width characters),
 * private-use, unassigned, line- or paragraph-separator character (so
 * no tab or newline either), and not only spaces.  Else 0 (also for NULL).
 */
int seen_purpose_valid(const char *purpose);

#endif /* !SEEN_OPERATORS_H */
