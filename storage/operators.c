#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include <utf8proc.h>

#include "common/bytes.h"
#include "common/log.h"
#include "storage/operators.h"
#include "storage/store.h"

/*
 * The stored value (operators.h): format 1, role(1) added(8), as written
 * up to 97b2c2c; format 2 adds state(1) bound(1) uid(4) user(0-32).
 */
#define OP_V1_FORMAT 1
#define OP_V1_BYTES 10
#define OP_V2_FORMAT 2
#define OP_V2_BYTES 16 /* without the user name */

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
    [SEEN_ACT_VIEW_STATUS] = {R_ADMIN | R_LEAD | R_AUDITOR,
        "see the node's status"},
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

/* Decode a stored value into ${op}; SEEN_ECORRUPT (logged) if it is not
 * one, of either format. */
static int
decode(const void *key, size_t klen, const void *val, size_t vlen,
    struct seen_operator *op)
{
    const uint8_t *v = val;
    size_t ulen = vlen > OP_V2_BYTES ? vlen - OP_V2_BYTES : 0;
    int ok;

    (void)key;
    memset(op, 0, sizeof *op);
    ok = klen > 0 && klen <= SEEN_OPERATOR_NAME_MAX && vlen >= 2 &&
         role_valid((enum seen_role_op)v[1]);
    if (ok && v[0] == OP_V1_FORMAT)
        ok = vlen == OP_V1_BYTES;
    else if (ok && v[0] == OP_V2_FORMAT)
        ok = vlen >= OP_V2_BYTES && ulen <= SEEN_UNIX_USER_MAX &&
             v[10] <= SEEN_OP_SUSPENDED && v[11] <= 1 &&
             (v[11] == 1) == (ulen > 0);
    else
        ok = 0;
    if (ok && ulen > 0) {
        memcpy(op->user, v + OP_V2_BYTES, ulen);
        op->user[ulen] = '\0';
        ok = seen_unix_user_valid(op->user);
    }
    if (!ok) {
        seen_error("operators: a damaged entry (%zu-byte name, %zu-byte "
                   "value)",
            klen, vlen);
        memset(op, 0, sizeof *op);
        return SEEN_ECORRUPT;
    }
    op->role = (enum seen_role_op)v[1];
    op->added = seen_rd64(v + 2);
    if (v[0] == OP_V2_FORMAT) {
        op->state = (enum seen_op_state)v[10];
        op->bound = v[11];
        op->uid = seen_rd32(v + 12);
    }
    return 0;
}

/**
 * seen_unix_user_valid(user):
 * Return 1 when ${user} is 1-32 characters of [A-Za-z0-9._-], not
 * starting with '-', with an optional final '$' (a Unix user name as
 * Debian's adduser allows it), else 0 (also for NULL).
 */
int
seen_unix_user_valid(const char *user)
{
    size_t i;
    char ch;

    if (user == NULL || user[0] == '\0' || user[0] == '-')
        return 0;
    for (i = 0; (ch = user[i]) != '\0'; i++) {
        if (i >= SEEN_UNIX_USER_MAX)
            return 0;
        if (ch == '$' && user[i + 1] == '\0')
            break;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
                ch == '-'))
            return 0;
    }
    return 1;
}

/* Write the record ${op} of ${name} in format 2. */
static int
put(struct seen_txn *txn, const char *name, const struct seen_operator *op)
{
    uint8_t v[OP_V2_BYTES + SEEN_UNIX_USER_MAX];
    size_t ulen = op->bound ? strlen(op->user) : 0;

    v[0] = OP_V2_FORMAT;
    v[1] = (uint8_t)op->role;
    seen_be64(v + 2, op->added);
    v[10] = (uint8_t)op->state;
    v[11] = op->bound ? 1 : 0;
    seen_be32(v + 12, op->bound ? op->uid : 0);
    memcpy(v + OP_V2_BYTES, op->user, ulen);
    return seen_store_put(txn, SEEN_DB_OPERATORS, name, strlen(name), v,
        OP_V2_BYTES + ulen);
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

    return seen_operator_add_bound(txn, name, role, now, 0, NULL);
}

/**
 * seen_operator_add_bound(txn, name, role, now, uid, user):
 * As seen_operator_add(), binding the operator to the Unix user ${user}
 * of uid ${uid} (NULL ${user}: not bound).  Returns as it does;
 * SEEN_EINVAL also for a ${user} that is not valid.
 */
int
seen_operator_add_bound(struct seen_txn *txn, const char *name,
    enum seen_role_op role, uint64_t now, uint32_t uid, const char *user)
{
    struct seen_operator op;
    const void *old;
    size_t oldlen;
    int rc;

    if (!seen_operator_name_valid(name) || !role_valid(role) ||
        (user != NULL && !seen_unix_user_valid(user)))
        return SEEN_EINVAL;
    rc = seen_store_get(txn, SEEN_DB_OPERATORS, name, strlen(name), &old,
        &oldlen);
    if (rc == 0)
        return SEEN_EEXIST;
    if (rc != SEEN_ENOTFOUND)
        return rc;
    memset(&op, 0, sizeof op);
    op.role = role;
    op.added = now;
    op.state = SEEN_OP_ACTIVE;
    if (user != NULL) {
        op.bound = 1;
        op.uid = uid;
        snprintf(op.user, sizeof op.user, "%s", user);
    }
    return put(txn, name, &op);
}

/**
 * seen_operator_read(txn, name, op):
 * Look up the operator ${name} and decode its record (either format)
 * into *${op}.
 * Returns 0; SEEN_ENOTFOUND (also for a name that is not valid; not
 * logged); SEEN_ECORRUPT (logged).
 */
int
seen_operator_read(struct seen_txn *txn, const char *name,
    struct seen_operator *op)
{
    const void *val;
    size_t vlen;
    int rc;

    if (!seen_operator_name_valid(name))
        return SEEN_ENOTFOUND;
    if ((rc = seen_store_get(txn, SEEN_DB_OPERATORS, name, strlen(name),
             &val, &vlen)) != 0)
        return rc;
    return decode(name, strlen(name), val, vlen, op);
}

/*
 * Rewrite the record of ${name} with the state ${state} (-1: kept) and
 * the role ${role} (0: kept).  Returns 0; SEEN_EEXIST when nothing would
 * change (nothing written); the codes of seen_operator_read() and put().
 */
static int
update(struct seen_txn *txn, const char *name, int state,
    enum seen_role_op role)
{
    struct seen_operator op;
    int rc;

    if ((rc = seen_operator_read(txn, name, &op)) != 0)
        return rc;
    if ((state < 0 || op.state == (enum seen_op_state)state) &&
        (role == 0 || op.role == role))
        return SEEN_EEXIST;
    if (state >= 0)
        op.state = (enum seen_op_state)state;
    if (role != 0)
        op.role = role;
    return put(txn, name, &op);
}

/**
 * seen_operator_set_state(txn, name, state):
 * Make the operator ${name} active or suspended (${state}) inside the
 * write transaction ${txn}, rewriting its record in format 2.
 * Returns 0; SEEN_ENOTFOUND; SEEN_EEXIST when it is in ${state} already
 * (nothing written); SEEN_EINVAL for a ${state} that is not one;
 * SEEN_ECORRUPT, SEEN_EFULL, SEEN_ERR (abort ${txn}).
 */
int
seen_operator_set_state(struct seen_txn *txn, const char *name,
    enum seen_op_state state)
{

    if (state != SEEN_OP_ACTIVE && state != SEEN_OP_SUSPENDED)
        return SEEN_EINVAL;
    return update(txn, name, (int)state, 0);
}

/**
 * seen_operator_set_role(txn, name, role):
 * Give the operator ${name} the role ${role} inside the write transaction
 * ${txn}, rewriting its record in format 2 (its binding and state kept).
 * Returns 0; SEEN_ENOTFOUND; SEEN_EEXIST when it has ${role} already
 * (nothing written); SEEN_EINVAL for a ${role} that is not one;
 * SEEN_ECORRUPT, SEEN_EFULL, SEEN_ERR (abort ${txn}).
 */
int
seen_operator_set_role(struct seen_txn *txn, const char *name,
    enum seen_role_op role)
{

    if (!role_valid(role))
        return SEEN_EINVAL;
    return update(txn, name, -1, role);
}

/**
 * seen_operator_remove(txn, name):
 * Remove the operator ${name} inside the write transaction ${txn}.
 * Returns 0; SEEN_ENOTFOUND; SEEN_ERR (abort ${txn}).
 */
int
seen_operator_remove(struct seen_txn *txn, const char *name)
{

    if (!seen_operator_name_valid(name))
        return SEEN_ENOTFOUND;
    return seen_store_del(txn, SEEN_DB_OPERATORS, name, strlen(name), NULL,
        0);
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
    struct seen_operator op;
    int rc;

    if ((rc = seen_operator_read(txn, name, &op)) != 0)
        return rc;
    if (role != NULL)
        *role = op.role;
    return 0;
}

struct list_ctx {
    seen_operator_fn *fn;
    seen_operator_each_fn *each;
    void *ctx;
};

static int
list_one(void *vctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{
    struct list_ctx *c = vctx;
    char name[SEEN_OPERATOR_NAME_MAX + 1];
    struct seen_operator op;
    int rc;

    if ((rc = decode(key, klen, val, vlen, &op)) != 0)
        return rc;
    memcpy(name, key, klen);
    name[klen] = '\0';
    if (!seen_operator_name_valid(name)) {
        seen_error("operators: a damaged entry (a name that is not valid)");
        return SEEN_ECORRUPT;
    }
    if (c->each != NULL)
        return c->each(c->ctx, name, &op);
    return c->fn(c->ctx, name, op.role, op.added);
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
    struct list_ctx c = {fn, NULL, ctx};

    return seen_store_iter(txn, SEEN_DB_OPERATORS, NULL, 0, list_one, &c);
}

/**
 * seen_operator_each(txn, fn, ctx):
 * Call ${fn}(${ctx}, name, record) for every registered operator, in byte
 * order of the names.  Returns as seen_operator_list() does.
 */
int
seen_operator_each(struct seen_txn *txn, seen_operator_each_fn *fn,
    void *ctx)
{
    struct list_ctx c = {NULL, fn, ctx};

    return seen_store_iter(txn, SEEN_DB_OPERATORS, NULL, 0, list_one, &c);
}

/* Count one operator into a struct seen_operator_census. */
static int
census_one(void *ctx, const char *name, const struct seen_operator *op)
{
    struct seen_operator_census *c = ctx;

    (void)name;
    if (op->bound) {
        c->bound++;
        if (op->role == SEEN_OP_ADMIN && op->state == SEEN_OP_ACTIVE)
            c->bound_admins++;
    }
    return 0;
}

/**
 * seen_operator_census(txn, c):
 * Count the bound operators and the active bound admins into *${c}.  The
 * node is in peer mode when c->bound > 0.
 * Returns 0; SEEN_ECORRUPT (logged).
 */
int
seen_operator_census(struct seen_txn *txn, struct seen_operator_census *c)
{

    memset(c, 0, sizeof *c);
    return seen_operator_each(txn, census_one, c);
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

/* The operators bound to one uid, as seen_operator_resolve() finds them. */
struct peer_ctx {
    uint32_t uid;
    const char *as;         /* --as, or NULL */
    int found_as;           /* ${as} is bound to ${uid} */
    struct seen_operator as_op;
    size_t bound, active;   /* operators bound to ${uid}, active ones */
    char first[SEEN_OPERATOR_NAME_MAX + 1];  /* the first bound */
    char active1[SEEN_OPERATOR_NAME_MAX + 1]; /* the first active one */
    struct seen_operator active_op;
    char user[SEEN_UNIX_USER_MAX + 1];      /* the user name recorded */
    uint64_t any_bound;     /* operators bound to any uid */
};

static int
peer_one(void *vctx, const char *name, const struct seen_operator *op)
{
    struct peer_ctx *p = vctx;

    if (!op->bound)
        return 0;
    p->any_bound++;
    if (op->uid != p->uid)
        return 0;
    if (p->bound++ == 0) {
        snprintf(p->first, sizeof p->first, "%s", name);
        snprintf(p->user, sizeof p->user, "%s", op->user);
    }
    if (p->as != NULL && strcmp(p->as, name) == 0) {
        p->found_as = 1;
        p->as_op = *op;
    }
    if (op->state == SEEN_OP_ACTIVE && p->active++ == 0) {
        snprintf(p->active1, sizeof p->active1, "%s", name);
        p->active_op = *op;
    }
    return 0;
}

/* Write "Unix user 'bob' (uid 1002)" for ${uid} to ${buf}: the name
 * recorded at binding ${rec} (may be ""), else the system's. */
static const char *
unix_user(long uid, const char *rec, char *buf, size_t len)
{
    struct passwd pw, *res = NULL;
    char pbuf[1024];

    if (uid == SEEN_UID_UNKNOWN) {
        snprintf(buf, len, "a Unix user the connection did not name");
        return buf;
    }
    if (rec[0] == '\0' && getpwuid_r((uid_t)uid, &pw, pbuf, sizeof pbuf,
                              &res) == 0 && res != NULL &&
        seen_unix_user_valid(res->pw_name))
        rec = res->pw_name;
    if (rec[0] != '\0')
        snprintf(buf, len, "Unix user '%s' (uid %ld)", rec, uid);
    else
        snprintf(buf, len, "Unix user %ld", uid);
    return buf;
}

/* Refuse a peer-mode request with ${fmt}: SEEN_EPERM. */
static int SEEN_PRINTF(3, 4)
refuse(char *why, size_t whylen, const char *fmt, ...)
{
    va_list ap;

    if (why != NULL && whylen > 0) {
        va_start(ap, fmt);
        vsnprintf(why, whylen, fmt, ap);
        va_end(ap);
    }
    return SEEN_EPERM;
}

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
int
seen_operator_resolve(struct seen_txn *txn, long uid, const char *as,
    enum seen_action act, char name[static SEEN_OPERATOR_NAME_MAX + 1],
    char *why, size_t whylen)
{
    struct peer_ctx p;
    const struct seen_operator *op;
    char who[SEEN_UNIX_USER_MAX + 64];
    const char *pick;
    int rc;

    name[0] = '\0';
    if (why != NULL && whylen > 0)
        why[0] = '\0';
    if (as != NULL && as[0] == '\0')
        as = NULL;
    memset(&p, 0, sizeof p);
    p.uid = uid >= 0 && uid <= (long)UINT32_MAX ? (uint32_t)uid : UINT32_MAX;
    p.as = as;
    if ((rc = seen_operator_each(txn, peer_one, &p)) != 0)
        return rc;
    if (p.any_bound == 0) { /* claimed mode: today's rule */
        if ((rc = seen_operator_authorise(txn, as, act, NULL, why,
                 whylen)) == 0)
            snprintf(name, SEEN_OPERATOR_NAME_MAX + 1, "%s", as);
        return rc;
    }
    if (uid == SEEN_UID_UNKNOWN || uid < 0 || uid > (long)UINT32_MAX ||
        p.bound == 0)
        return refuse(why, whylen, "%s is not a registered operator of "
                                   "this node",
            unix_user(uid, p.user, who, sizeof who));
    unix_user(uid, p.user, who, sizeof who);
    if (as != NULL && !p.found_as)
        return refuse(why, whylen, "%s is operator '%s', not '%s': --as may "
                                   "name only your own operator",
            who, p.active ? p.active1 : p.first,
            seen_operator_name_valid(as) ? as : "?");
    if (as != NULL) {
        pick = as;
        op = &p.as_op;
    } else if (p.active == 0) {
        pick = p.first;
        op = NULL;
    } else if (p.active > 1) {
        return refuse(why, whylen, "%s is bound to %zu active operators: "
                                   "give --as NAME",
            who, p.active);
    } else {
        pick = p.active1;
        op = &p.active_op;
    }
    if (op == NULL || op->state != SEEN_OP_ACTIVE)
        return refuse(why, whylen, "operator '%s' (%s) is suspended: an "
                                   "admin resumes it with 'seen operator "
                                   "resume'",
            pick, who);
    if (!seen_operator_may(op->role, act)) {
        rc = seen_operator_authorise(txn, pick, act, NULL, why, whylen);
        return rc == 0 ? SEEN_EPERM : rc;
    }
    snprintf(name, SEEN_OPERATOR_NAME_MAX + 1, "%s", pick);
    return 0;
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
