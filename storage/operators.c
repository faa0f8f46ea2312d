#include <stdio.h>
#include <string.h>

#include <utf8proc.h>

#include "common/log.h"
#include "storage/operators.h"
#include "storage/store.h"

/* The stored value: format(1) role(1) added(8, big-endian). */
#define OP_VALUE_FORMAT 1
#define OP_VALUE_BYTES 10

static const struct {
    enum seen_role_op role;
    const char *name;
    const char *article; /* "an admin", "a lead" */
} roles[] = {
    {SEEN_OP_ADMIN, "admin", "an"},
    {SEEN_OP_LEAD, "lead", "a"},
    {SEEN_OP_AUDITOR, "auditor", "an"},
};

#define NROLES (sizeof roles / sizeof roles[0])

/* The row of ${r} in roles[], or NROLES for a value that is not a role. */
static size_t
role_index(enum seen_role_op r)
{
    size_t i;

    for (i = 0; i < NROLES; i++)
        if (roles[i].role == r)
            break;
    return i;
}

#define R_ADMIN (1u << SEEN_OP_ADMIN)
#define R_LEAD (1u << SEEN_OP_LEAD)
#define R_AUDITOR (1u << SEEN_OP_AUDITOR)

/* The permission table of operators.h, and how to say each action. */
static const struct {
    unsigned roles;
    const char *says;
} actions[SEEN_ACT_COUNT] = {
    [SEEN_ACT_QUERY] = {R_LEAD, "query the federation"},
    [SEEN_ACT_REQUEST] = {R_LEAD, "request disclosures"},
    [SEEN_ACT_DECIDE] = {R_LEAD, "decide on disclosure requests"},
    [SEEN_ACT_VIEW_DISCLOSURES] = {R_LEAD, "see disclosures received"},
    [SEEN_ACT_VIEW_INBOX] = {R_LEAD, "see requests waiting for a decision"},
    [SEEN_ACT_AUDIT_EXPORT] = {R_AUDITOR, "export the exchange log"},
    [SEEN_ACT_MANAGE_OPERATORS] = {R_ADMIN, "manage operators"},
    [SEEN_ACT_IMPORT] = {R_ADMIN, "import records"},
    [SEEN_ACT_NODE_ADMIN] = {R_ADMIN, "administer the node"},
    [SEEN_ACT_VIEW_ALERTS] = {R_LEAD | R_AUDITOR, "see alerts"},
    [SEEN_ACT_ACK_ALERT] = {R_LEAD, "acknowledge alerts"},
    [SEEN_ACT_VIEW_LOOKUPS] = {R_LEAD | R_AUDITOR,
        "see who looked up this node's records"},
    [SEEN_ACT_VIEW_PERSONS] = {R_LEAD | R_AUDITOR, "see persons and links"},
};

static int
role_valid(enum seen_role_op r)
{

    return r == SEEN_OP_ADMIN || r == SEEN_OP_LEAD || r == SEEN_OP_AUDITOR;
}


/**
 * seen_operator_name_valid(name):
 * Return 1 when ${name} is 1-64 characters of [a-z0-9._-], else 0 (also
 * for NULL).
 */
int
seen_operator_name_valid(const char *name)
{
    size_t i;

    if (name == NULL || name[0] == '\0')
        return 0;
    for (i = 0; name[i] != '\0'; i++) {
        if (i >= SEEN_OPERATOR_NAME_MAX)
            return 0;
        if (!((name[i] >= 'a' && name[i] <= 'z') ||
                (name[i] >= '0' && name[i] <= '9') || name[i] == '.' ||
                name[i] == '_' || name[i] == '-'))
            return 0;
    }
    return 1;
}

/**
 * seen_role_op_name(r):
 * Return "admin", "lead" or "auditor" (static), or NULL for a value that
 * is not a role.
 */
const char *
seen_role_op_name(enum seen_role_op r)
{
    size_t i = role_index(r);

    return i < NROLES ? roles[i].name : NULL;
}

/**
 * seen_role_op_article(r):
 * Return the indefinite article of the role ${r}'s name ("an" for admin
 * and auditor, "a" for lead; static), "a" for a value that is not a role.
 */
const char *
seen_role_op_article(enum seen_role_op r)
{
    size_t i = role_index(r);

    return i < NROLES ? roles[i].article : "a";
}

/**
 * seen_role_op_parse(s, r):
 * Parse the role name ${s} ("admin", "lead", "auditor"; exact, lower
 * case) into *${r}.  Returns 0, or SEEN_EINVAL (also for NULL; *${r}
 * untouched).
 */
int
seen_role_op_parse(const char *s, enum seen_role_op *r)
{
    size_t i;

    if (s == NULL)
        return SEEN_EINVAL;
    for (i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        if (strcmp(s, roles[i].name) == 0) {
            *r = roles[i].role;
            return 0;
        }
    }
    return SEEN_EINVAL;
}

/**
 * seen_action_name(act):
 * Return a short lower-case description of ${act} for messages
 * ("decide on disclosure requests"; static), or "do that" for a value
 * that is not an action.
 */
const char *
seen_action_name(enum seen_action act)
{

    if ((unsigned)act >= SEEN_ACT_COUNT)
        return "do that";
    return actions[act].says;
}

/**
 * seen_operator_may(role, act):
 * Return 1 when an operator of ${role} may do ${act} (the table at the
 * top of this file), else 0; 0 for any value that is not a role or an
 * action.
 */
int
seen_operator_may(enum seen_role_op role, enum seen_action act)
{

    if (!role_valid(role) || (unsigned)act >= SEEN_ACT_COUNT)
        return 0;
    return (actions[act].roles & (1u << role)) != 0;
}

/* Decode a stored value; SEEN_ECORRUPT (logged) if it is not one. */
static int
decode(const void *key, size_t klen, const void *val, size_t vlen,
    enum seen_role_op *role, uint64_t *added)
{
    const uint8_t *v = val;

    if (vlen != OP_VALUE_BYTES || v[0] != OP_VALUE_FORMAT ||
        !role_valid((enum seen_role_op)v[1]) || klen == 0 ||
        klen > SEEN_OPERATOR_NAME_MAX) {
        seen_error("operators: a damaged entry (%zu-byte name, %zu-byte "
                  "value)",
            klen, vlen);
        return SEEN_ECORRUPT;
    }
    (void)key;
    if (role != NULL)
        *role = (enum seen_role_op)v[1];
    if (added != NULL)
        *added = seen_rd64(v + 2);
    return 0;
}

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
int
seen_operator_add(struct seen_txn *txn, const char *name,
    enum seen_role_op role, uint64_t now)
{
    uint8_t v[OP_VALUE_BYTES];
    const void *old;
    size_t oldlen;
    int rc;

    if (!seen_operator_name_valid(name) || !role_valid(role))
        return SEEN_EINVAL;
    rc = seen_store_get(txn, SEEN_DB_OPERATORS, name, strlen(name), &old,
        &oldlen);
    if (rc == 0)
        return SEEN_EEXIST;
    if (rc != SEEN_ENOTFOUND)
        return rc;
    v[0] = OP_VALUE_FORMAT;
    v[1] = (uint8_t)role;
    seen_be64(v + 2, now);
    return seen_store_put(txn, SEEN_DB_OPERATORS, name, strlen(name), v,
        sizeof v);
}

/**
 * seen_operator_get(txn, name, role):
 * Look up the operator ${name}; when found and ${role} is not NULL, write
 * its role to *${role}.
 * Returns 0; SEEN_ENOTFOUND when no such operator is registered (also for
 * a name that is not valid; not logged); SEEN_ECORRUPT when its stored
 * value is damaged (logged).
 */
int
seen_operator_get(struct seen_txn *txn, const char *name,
    enum seen_role_op *role)
{
    const void *val;
    size_t vlen;
    int rc;

    if (!seen_operator_name_valid(name))
        return SEEN_ENOTFOUND;
    if ((rc = seen_store_get(txn, SEEN_DB_OPERATORS, name, strlen(name),
             &val, &vlen)) != 0)
        return rc;
    return decode(name, strlen(name), val, vlen, role, NULL);
}

struct list_ctx {
    seen_operator_fn *fn;
    void *ctx;
};

static int
list_one(void *vctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{
    struct list_ctx *c = vctx;
    char name[SEEN_OPERATOR_NAME_MAX + 1];
    enum seen_role_op role;
    uint64_t added;
    int rc;

    if ((rc = decode(key, klen, val, vlen, &role, &added)) != 0)
        return rc;
    memcpy(name, key, klen);
    name[klen] = '\0';
    if (!seen_operator_name_valid(name)) {
        seen_error("operators: a damaged entry (a name that is not valid)");
        return SEEN_ECORRUPT;
    }
    return c->fn(c->ctx, name, role, added);
}

/**
 * seen_operator_list(txn, fn, ctx):
 * Call ${fn}(${ctx}, name, role, added) for every registered operator, in
 * byte order of the names.
 * Returns 0 when done or stopped; ${fn}'s negative code; SEEN_ECORRUPT for
 * a damaged entry (logged; ${fn} is not called for it).
 */
int
seen_operator_list(struct seen_txn *txn, seen_operator_fn *fn, void *ctx)
{
    struct list_ctx c = {fn, ctx};

    return seen_store_iter(txn, SEEN_DB_OPERATORS, NULL, 0, list_one, &c);
}

/**
 * seen_operator_bootstrap(txn, now):
 * When no operator is registered, register SEEN_OPERATOR_FIRST ("admin")
 * as an admin inside the write transaction ${txn}, so that a new node,
 * or one whose store predates operators, can be managed at all.  For
 * `seen init` and for the daemon at start-up.
 * Returns 1 when it registered the admin, 0 when operators existed;
 * SEEN_EFULL, SEEN_ERR (from the store; the transaction must be aborted).
 */
int
seen_operator_bootstrap(struct seen_txn *txn, uint64_t now)
{
    uint64_t n;
    int rc;

    if ((rc = seen_store_count(txn, SEEN_DB_OPERATORS, &n)) != 0)
        return rc;
    if (n > 0)
        return 0;
    if ((rc = seen_operator_add(txn, SEEN_OPERATOR_FIRST, SEEN_OP_ADMIN,
             now)) != 0)
        return rc == SEEN_EEXIST ? 0 : rc;
    return 1;
}

/* Write "a lead", "an admin or an auditor"... for ${mask} to ${buf}. */
static void
roles_allowed(unsigned mask, char *buf, size_t len)
{
    size_t i, n = 0;
    int k = 0;

    buf[0] = '\0';
    for (i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        if (!(mask & (1u << roles[i].role)))
            continue;
        if (n < len)
            n += (size_t)snprintf(buf + n, len - n, "%s%s %s",
                k++ ? " or " : "", roles[i].article, roles[i].name);
    }
}

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
int
seen_operator_authorise(struct seen_txn *txn, const char *name,
    enum seen_action act, enum seen_role_op *role, char *why, size_t whylen)
{
    enum seen_role_op r;
    char allowed[64];
    int rc;

    if (why != NULL && whylen > 0)
        why[0] = '\0';
    if (name == NULL || name[0] == '\0') {
        if (why != NULL && whylen > 0)
            snprintf(why, whylen, "no operator: give --as NAME or set "
                                  "SEEN_OPERATOR");
        return SEEN_EINVAL;
    }
    if (!seen_operator_name_valid(name)) {
        if (why != NULL && whylen > 0)
            snprintf(why, whylen, "not a valid operator name (1-%d of "
                                  "a-z, 0-9, '.', '_' and '-')",
                SEEN_OPERATOR_NAME_MAX);
        return SEEN_EINVAL;
    }
    if ((rc = seen_operator_get(txn, name, &r)) != 0) {
        if (rc == SEEN_ENOTFOUND && why != NULL && whylen > 0)
            snprintf(why, whylen, "unknown operator '%s' (an admin adds "
                                  "one with 'seen operator add')",
                name);
        else if (why != NULL && whylen > 0)
            snprintf(why, whylen, "cannot read operators: %s",
                seen_strerror(rc));
        return rc;
    }
    if (role != NULL)
        *role = r;
    if (seen_operator_may(r, act))
        return 0;
    if (why != NULL && whylen > 0) {
        if ((unsigned)act < SEEN_ACT_COUNT)
            roles_allowed(actions[act].roles, allowed, sizeof allowed);
        else
            snprintf(allowed, sizeof allowed, "no one");
        snprintf(why, whylen, "operator '%s' is %s %s: only %s may %s", name,
            seen_role_op_article(r), seen_role_op_name(r), allowed,
            seen_action_name(act));
    }
    return SEEN_EPERM;
}

/* Is ${c} a code point that may appear in a purpose? */
static int
purpose_char_ok(utf8proc_int32_t c)
{

    switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_CS:
    case UTF8PROC_CATEGORY_CO:
    case UTF8PROC_CATEGORY_CN:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
        return 0;
    default:
        return 1;
    }
}

/**
 * seen_purpose_valid(purpose):
 * Return 1 when ${purpose} is acceptable as the stated purpose of a query
 * or request: valid UTF-8 (no overlong forms, surrogates or code points
 * beyond U+10FFFF) of 3-500 characters, none of them a control, format
 * (including bidirectional overrides and zero-width characters),
 * private-use, unassigned, line- or paragraph-separator character (so
 * no tab or newline either), and not only spaces.  Else 0 (also for NULL).
 */
int
seen_purpose_valid(const char *purpose)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)purpose;
    utf8proc_int32_t c;
    utf8proc_ssize_t n;
    size_t left, chars = 0;
    int visible = 0;

    if (purpose == NULL)
        return 0;
    left = strlen(purpose);
    while (left > 0) {
        n = utf8proc_iterate(p, (utf8proc_ssize_t)(left < 4 ? left : 4), &c);
        if (n < 1 || !purpose_char_ok(c))
            return 0;
        if (++chars > SEEN_PURPOSE_MAX)
            return 0;
        if (utf8proc_category(c) != UTF8PROC_CATEGORY_ZS)
            visible = 1;
        p += n;
        left -= (size_t)n;
    }
    return chars >= SEEN_PURPOSE_MIN && visible;
}
