/*
 * check_operators.c: named operators and roles (storage/operators.[ch]),
 * against a real store in a temporary directory: registering, looking up
 * and listing operators, names and roles that are refused, the permission
 * table of spec/cli.md for every role and action, the validation of a
 * stated purpose, and the two control commands the daemon serves for
 * them (node/control/ctl_operators.c, through the dispatcher).
 */
#include <check.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "common/seen.h"
#include "crypto/keys.h"
#include "node/control/control.h"
#include "storage/operators.h"
#include "storage/store.h"
#include "tests/suites.h"
#include "xlog/xlog.h"
#include "tests/testutil.h"

#define MAP_MB 16
#define T0 1767225600 /* 2026-01-01T00:00:00Z */

/* ---- fixture: one store in a fresh temporary directory ---- */

static char base[1024];
static char sdir[2048];
static uint8_t node_id[32];
static uint8_t rkey[32];
static struct seen_store *store;
static struct seen_keys *keys; /* the node's: operator changes are logged */

static struct seen_store *
open_store(int create)
{
    struct seen_store *s = NULL;

    ck_assert_int_eq(
        seen_store_open(sdir, node_id, rkey, MAP_MB, create, &s), SEEN_OK);
    ck_assert_ptr_nonnull(s);
    return s;
}

static void
setup(void)
{

    tu_tmpdir(base, sizeof base);
    snprintf(sdir, sizeof sdir, "%s/store", base);
    ck_assert_ptr_nonnull(keys = seen_keys_generate());
    memcpy(node_id, keys->sign_pk, sizeof node_id);
    randombytes_buf(rkey, sizeof rkey);
    store = open_store(1);
}

static void
teardown(void)
{

    seen_store_destroy(&store);
    store = NULL;
    seen_keys_destroy(&keys);
    tu_rmrf(base);
}

static struct seen_txn *
begin(int write)
{
    struct seen_txn *t = NULL;

    ck_assert_int_eq(seen_store_begin(store, write, &t), SEEN_OK);
    ck_assert_ptr_nonnull(t);
    return t;
}

/* Register ${name} as ${role} and commit. */
static void
add_committed(const char *name, enum seen_role_op role, uint64_t now)
{
    struct seen_txn *t = begin(1);

    ck_assert_int_eq(seen_operator_add(t, name, role, now), SEEN_OK);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
}

/* ---- add, get, list ---- */

START_TEST(test_added_operator_is_found_with_its_role)
{
    struct seen_txn *t;
    enum seen_role_op r = 0;

    add_committed("sam.okafor", SEEN_OP_LEAD, T0);
    add_committed("audit-1", SEEN_OP_AUDITOR, T0);
    add_committed("it_ops", SEEN_OP_ADMIN, T0);
    t = begin(0);
    ck_assert_int_eq(seen_operator_get(t, "sam.okafor", &r), SEEN_OK);
    ck_assert_int_eq(r, SEEN_OP_LEAD);
    ck_assert_int_eq(seen_operator_get(t, "audit-1", &r), SEEN_OK);
    ck_assert_int_eq(r, SEEN_OP_AUDITOR);
    ck_assert_int_eq(seen_operator_get(t, "it_ops", &r), SEEN_OK);
    ck_assert_int_eq(r, SEEN_OP_ADMIN);
    ck_assert_int_eq(seen_operator_get(t, "it_ops", NULL), SEEN_OK);
    seen_store_abort(t);
}
END_TEST

START_TEST(test_unknown_operator_is_not_found)
{
    struct seen_txn *t;
    enum seen_role_op r = SEEN_OP_AUDITOR;

    add_committed("sam", SEEN_OP_LEAD, T0);
    t = begin(0);
    ck_assert_int_eq(seen_operator_get(t, "samuel", &r), SEEN_ENOTFOUND);
    ck_assert_int_eq(seen_operator_get(t, "sa", &r), SEEN_ENOTFOUND);
    ck_assert_int_eq(seen_operator_get(t, "Sam", &r), SEEN_ENOTFOUND);
    ck_assert_int_eq(seen_operator_get(t, "", &r), SEEN_ENOTFOUND);
    ck_assert_int_eq(seen_operator_get(t, NULL, &r), SEEN_ENOTFOUND);
    ck_assert_int_eq(r, SEEN_OP_AUDITOR); /* untouched */
    seen_store_abort(t);
}
END_TEST

START_TEST(test_duplicate_name_is_refused_and_keeps_first_role)
{
    struct seen_txn *t;
    enum seen_role_op r = 0;

    add_committed("sam", SEEN_OP_LEAD, T0);
    t = begin(1);
    ck_assert_int_eq(seen_operator_add(t, "sam", SEEN_OP_ADMIN, T0 + 5),
        SEEN_EEXIST);
    ck_assert_int_eq(seen_operator_add(t, "sam", SEEN_OP_LEAD, T0 + 5),
        SEEN_EEXIST);
    /* The transaction is still usable after SEEN_EEXIST. */
    ck_assert_int_eq(seen_operator_add(t, "kim", SEEN_OP_AUDITOR, T0 + 5),
        SEEN_OK);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    t = begin(0);
    ck_assert_int_eq(seen_operator_get(t, "sam", &r), SEEN_OK);
    ck_assert_int_eq(r, SEEN_OP_LEAD);
    ck_assert_int_eq(seen_operator_get(t, "kim", &r), SEEN_OK);
    ck_assert_int_eq(r, SEEN_OP_AUDITOR);
    seen_store_abort(t);
}
END_TEST

START_TEST(test_bad_names_are_refused)
{
    static const char *bad[] = {
        "",
        "Sam",
        "sam smith",
        "sam/x",
        "sam\n",
        "sam\t",
        ("s\xc3\xa9""bastien"), /* sébastien */
        "sam@example",
        "sam:lead",
        "\xff",
        /* 65 characters */
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    };
    static const char *good[] = {
        "a", "0", ".", "-", "_", "sam.okafor", "lead-2", "x_y",
        /* 64 characters */
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    };
    struct seen_txn *t = begin(1);
    uint64_t n = 99;
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_msg(!seen_operator_name_valid(bad[i]), "bad[%zu]", i);
        ck_assert_int_eq(seen_operator_add(t, bad[i], SEEN_OP_LEAD, T0),
            SEEN_EINVAL);
    }
    ck_assert(!seen_operator_name_valid(NULL));
    ck_assert_int_eq(seen_operator_add(t, NULL, SEEN_OP_LEAD, T0),
        SEEN_EINVAL);
    ck_assert_int_eq(seen_store_count(t, SEEN_DB_OPERATORS, &n), SEEN_OK);
    ck_assert_uint_eq(n, 0);
    for (i = 0; i < sizeof good / sizeof good[0]; i++) {
        ck_assert_msg(seen_operator_name_valid(good[i]), "good[%zu]", i);
        ck_assert_int_eq(seen_operator_add(t, good[i], SEEN_OP_LEAD, T0),
            SEEN_OK);
    }
    seen_store_abort(t);
}
END_TEST

START_TEST(test_bad_roles_are_refused)
{
    struct seen_txn *t = begin(1);
    uint64_t n = 99;

    ck_assert_int_eq(seen_operator_add(t, "sam", (enum seen_role_op)0, T0),
        SEEN_EINVAL);
    ck_assert_int_eq(seen_operator_add(t, "sam", (enum seen_role_op)4, T0),
        SEEN_EINVAL);
    ck_assert_int_eq(seen_operator_add(t, "sam", (enum seen_role_op)-1, T0),
        SEEN_EINVAL);
    ck_assert_int_eq(seen_store_count(t, SEEN_DB_OPERATORS, &n), SEEN_OK);
    ck_assert_uint_eq(n, 0);
    seen_store_abort(t);
}
END_TEST

struct rows {
    size_t n, stop_after;
    char names[8][SEEN_OPERATOR_NAME_MAX + 1];
    enum seen_role_op roles[8];
    uint64_t added[8];
};

static int
collect(void *ctx, const char *name, enum seen_role_op role, uint64_t added)
{
    struct rows *r = ctx;

    ck_assert_uint_lt(r->n, 8);
    snprintf(r->names[r->n], sizeof r->names[r->n], "%s", name);
    r->roles[r->n] = role;
    r->added[r->n] = added;
    r->n++;
    return (r->stop_after && r->n == r->stop_after) ? 1 : 0;
}

static int
fail_at_once(void *ctx, const char *name, enum seen_role_op role,
    uint64_t added)
{

    (void)ctx;
    (void)name;
    (void)role;
    (void)added;
    return SEEN_EAGAIN;
}

START_TEST(test_list_gives_every_operator_in_name_order)
{
    struct seen_txn *t;
    struct rows r;

    add_committed("zoe", SEEN_OP_AUDITOR, T0 + 3);
    add_committed("admin", SEEN_OP_ADMIN, T0);
    add_committed("sam.okafor", SEEN_OP_LEAD, T0 + 2);
    add_committed("sam", SEEN_OP_LEAD, T0 + 1);
    memset(&r, 0, sizeof r);
    t = begin(0);
    ck_assert_int_eq(seen_operator_list(t, collect, &r), SEEN_OK);
    ck_assert_uint_eq(r.n, 4);
    ck_assert_str_eq(r.names[0], "admin");
    ck_assert_int_eq(r.roles[0], SEEN_OP_ADMIN);
    ck_assert_uint_eq(r.added[0], T0);
    ck_assert_str_eq(r.names[1], "sam");
    ck_assert_int_eq(r.roles[1], SEEN_OP_LEAD);
    ck_assert_uint_eq(r.added[1], T0 + 1);
    ck_assert_str_eq(r.names[2], "sam.okafor");
    ck_assert_uint_eq(r.added[2], T0 + 2);
    ck_assert_str_eq(r.names[3], "zoe");
    ck_assert_int_eq(r.roles[3], SEEN_OP_AUDITOR);
    ck_assert_uint_eq(r.added[3], T0 + 3);

    /* Stopping early, and a callback's failure. */
    memset(&r, 0, sizeof r);
    r.stop_after = 2;
    ck_assert_int_eq(seen_operator_list(t, collect, &r), SEEN_OK);
    ck_assert_uint_eq(r.n, 2);
    ck_assert_int_eq(seen_operator_list(t, fail_at_once, NULL), SEEN_EAGAIN);
    seen_store_abort(t);
}
END_TEST

START_TEST(test_list_of_no_operators_is_empty)
{
    struct seen_txn *t = begin(0);
    struct rows r;

    memset(&r, 0, sizeof r);
    ck_assert_int_eq(seen_operator_list(t, collect, &r), SEEN_OK);
    ck_assert_uint_eq(r.n, 0);
    seen_store_abort(t);
}
END_TEST

START_TEST(test_operators_survive_reopening_the_store)
{
    struct seen_txn *t;
    enum seen_role_op r = 0;

    add_committed("sam", SEEN_OP_LEAD, T0);
    seen_store_destroy(&store);
    store = open_store(0);
    t = begin(0);
    ck_assert_int_eq(seen_operator_get(t, "sam", &r), SEEN_OK);
    ck_assert_int_eq(r, SEEN_OP_LEAD);
    seen_store_abort(t);
}
END_TEST

START_TEST(test_aborted_add_leaves_nothing)
{
    struct seen_txn *t = begin(1);

    ck_assert_int_eq(seen_operator_add(t, "sam", SEEN_OP_LEAD, T0), SEEN_OK);
    seen_store_abort(t);
    t = begin(0);
    ck_assert_int_eq(seen_operator_get(t, "sam", NULL), SEEN_ENOTFOUND);
    seen_store_abort(t);
}
END_TEST

START_TEST(test_damaged_entry_is_reported_not_trusted)
{
    static const uint8_t bad_role[10] = {1, 9, 0, 0, 0, 0, 0, 0, 0, 1};
    static const uint8_t bad_format[10] = {2, 1, 0, 0, 0, 0, 0, 0, 0, 1};
    static const uint8_t short_val[3] = {1, 1, 0};
    struct seen_txn *t = begin(1);
    enum seen_role_op r = SEEN_OP_AUDITOR;
    struct rows rows;

    ck_assert_int_eq(seen_store_put(t, SEEN_DB_OPERATORS, "a", 1, bad_role,
                         sizeof bad_role),
        SEEN_OK);
    ck_assert_int_eq(seen_store_put(t, SEEN_DB_OPERATORS, "b", 1, bad_format,
                         sizeof bad_format),
        SEEN_OK);
    ck_assert_int_eq(seen_store_put(t, SEEN_DB_OPERATORS, "c", 1, short_val,
                         sizeof short_val),
        SEEN_OK);
    ck_assert_int_eq(seen_store_put(t, SEEN_DB_OPERATORS, "Bad Name", 8,
                         bad_format, sizeof bad_format),
        SEEN_OK);
    tu_quiet(NULL);
    ck_assert_int_eq(seen_operator_get(t, "a", &r), SEEN_ECORRUPT);
    ck_assert_int_eq(seen_operator_get(t, "b", &r), SEEN_ECORRUPT);
    ck_assert_int_eq(seen_operator_get(t, "c", &r), SEEN_ECORRUPT);
    ck_assert_int_eq(r, SEEN_OP_AUDITOR);
    memset(&rows, 0, sizeof rows);
    ck_assert_int_eq(seen_operator_list(t, collect, &rows), SEEN_ECORRUPT);
    ck_assert_uint_eq(rows.n, 0);
    /* A damaged entry is no permission either. */
    ck_assert_int_eq(seen_operator_authorise(t, "a", SEEN_ACT_QUERY, NULL,
                         NULL, 0),
        SEEN_ECORRUPT);
    /* Nor can it be overwritten by an add. */
    ck_assert_int_eq(seen_operator_add(t, "a", SEEN_OP_ADMIN, T0),
        SEEN_EEXIST);
    tu_loud();
    seen_store_abort(t);
}
END_TEST

START_TEST(test_bootstrap_registers_admin_only_when_there_is_none)
{
    struct seen_txn *t;
    enum seen_role_op r = 0;
    uint64_t n = 0;

    t = begin(1);
    ck_assert_int_eq(seen_operator_bootstrap(t, T0), 1);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    t = begin(1);
    ck_assert_int_eq(seen_operator_get(t, SEEN_OPERATOR_FIRST, &r), SEEN_OK);
    ck_assert_int_eq(r, SEEN_OP_ADMIN);
    ck_assert_int_eq(seen_operator_bootstrap(t, T0 + 1), 0);
    ck_assert_int_eq(seen_store_count(t, SEEN_DB_OPERATORS, &n), SEEN_OK);
    ck_assert_uint_eq(n, 1);
    seen_store_abort(t);
}
END_TEST

START_TEST(test_bootstrap_adds_nothing_when_other_operators_exist)
{
    struct seen_txn *t;

    add_committed("it-ops", SEEN_OP_ADMIN, T0);
    t = begin(1);
    ck_assert_int_eq(seen_operator_bootstrap(t, T0), 0);
    ck_assert_int_eq(seen_operator_get(t, SEEN_OPERATOR_FIRST, NULL),
        SEEN_ENOTFOUND);
    seen_store_abort(t);
}
END_TEST

/* ---- roles and the permission table ---- */

START_TEST(test_role_names_round_trip)
{
    static const enum seen_role_op all[] = {SEEN_OP_ADMIN, SEEN_OP_LEAD,
        SEEN_OP_AUDITOR};
    enum seen_role_op r;
    size_t i;

    ck_assert_str_eq(seen_role_op_name(SEEN_OP_ADMIN), "admin");
    ck_assert_str_eq(seen_role_op_name(SEEN_OP_LEAD), "lead");
    ck_assert_str_eq(seen_role_op_name(SEEN_OP_AUDITOR), "auditor");
    ck_assert_ptr_null(seen_role_op_name((enum seen_role_op)0));
    ck_assert_ptr_null(seen_role_op_name((enum seen_role_op)4));
    for (i = 0; i < sizeof all / sizeof all[0]; i++) {
        r = 0;
        ck_assert_int_eq(seen_role_op_parse(seen_role_op_name(all[i]), &r),
            SEEN_OK);
        ck_assert_int_eq(r, all[i]);
    }
    r = SEEN_OP_LEAD;
    ck_assert_int_eq(seen_role_op_parse("Lead", &r), SEEN_EINVAL);
    ck_assert_int_eq(seen_role_op_parse("lead ", &r), SEEN_EINVAL);
    ck_assert_int_eq(seen_role_op_parse("", &r), SEEN_EINVAL);
    ck_assert_int_eq(seen_role_op_parse("administrator", &r), SEEN_EINVAL);
    ck_assert_int_eq(seen_role_op_parse(NULL, &r), SEEN_EINVAL);
    ck_assert_int_eq(r, SEEN_OP_LEAD);
}
END_TEST

/* The whole table of operators.h, written out independently. */
static const struct {
    enum seen_action act;
    int admin, lead, auditor;
} table[] = {
    {SEEN_ACT_QUERY, 0, 1, 0},
    {SEEN_ACT_REQUEST, 0, 1, 0},
    {SEEN_ACT_DECIDE, 0, 1, 0},
    {SEEN_ACT_VIEW_DISCLOSURES, 0, 1, 0},
    {SEEN_ACT_VIEW_INBOX, 0, 1, 0},
    {SEEN_ACT_AUDIT_EXPORT, 0, 0, 1},
    {SEEN_ACT_MANAGE_OPERATORS, 1, 0, 0},
    {SEEN_ACT_IMPORT, 1, 0, 0},
    {SEEN_ACT_NODE_ADMIN, 1, 0, 0},
    {SEEN_ACT_VIEW_ALERTS, 0, 1, 1},
    {SEEN_ACT_ACK_ALERT, 0, 1, 0},
    {SEEN_ACT_VIEW_LOOKUPS, 0, 1, 1},
    {SEEN_ACT_VIEW_PERSONS, 0, 1, 1},
    {SEEN_ACT_VIEW_STATUS, 1, 1, 1},
};

START_TEST(test_permission_table_for_every_role_and_action)
{
    size_t i;

    ck_assert_uint_eq(sizeof table / sizeof table[0], SEEN_ACT_COUNT);
    for (i = 0; i < sizeof table / sizeof table[0]; i++) {
        ck_assert_int_eq(table[i].act, (enum seen_action)i);
        ck_assert_msg(seen_operator_may(SEEN_OP_ADMIN, table[i].act) ==
                          table[i].admin,
            "admin, action %zu", i);
        ck_assert_msg(seen_operator_may(SEEN_OP_LEAD, table[i].act) ==
                          table[i].lead,
            "lead, action %zu", i);
        ck_assert_msg(seen_operator_may(SEEN_OP_AUDITOR, table[i].act) ==
                          table[i].auditor,
            "auditor, action %zu", i);
        /* Not a role: nothing is allowed. */
        ck_assert_int_eq(
            seen_operator_may((enum seen_role_op)0, table[i].act), 0);
        ck_assert_int_eq(
            seen_operator_may((enum seen_role_op)4, table[i].act), 0);
        ck_assert_str_ne(seen_action_name(table[i].act), "do that");
    }
    ck_assert_int_eq(seen_operator_may(SEEN_OP_ADMIN, SEEN_ACT_COUNT), 0);
    ck_assert_int_eq(seen_operator_may(SEEN_OP_LEAD, SEEN_ACT_COUNT), 0);
    ck_assert_int_eq(
        seen_operator_may(SEEN_OP_AUDITOR, (enum seen_action)-1), 0);
    ck_assert_str_eq(seen_action_name(SEEN_ACT_COUNT), "do that");
}
END_TEST

START_TEST(test_auditor_and_admin_cannot_decide)
{

    ck_assert_int_eq(seen_operator_may(SEEN_OP_AUDITOR, SEEN_ACT_DECIDE), 0);
    ck_assert_int_eq(seen_operator_may(SEEN_OP_ADMIN, SEEN_ACT_DECIDE), 0);
    ck_assert_int_eq(seen_operator_may(SEEN_OP_LEAD, SEEN_ACT_DECIDE), 1);
}
END_TEST

START_TEST(test_lead_cannot_export_the_audit_log)
{

    ck_assert_int_eq(seen_operator_may(SEEN_OP_LEAD, SEEN_ACT_AUDIT_EXPORT),
        0);
    ck_assert_int_eq(seen_operator_may(SEEN_OP_ADMIN, SEEN_ACT_AUDIT_EXPORT),
        0);
    ck_assert_int_eq(
        seen_operator_may(SEEN_OP_AUDITOR, SEEN_ACT_AUDIT_EXPORT), 1);
}
END_TEST

START_TEST(test_only_admins_import_and_manage_operators)
{

    ck_assert_int_eq(seen_operator_may(SEEN_OP_ADMIN, SEEN_ACT_IMPORT), 1);
    ck_assert_int_eq(seen_operator_may(SEEN_OP_LEAD, SEEN_ACT_IMPORT), 0);
    ck_assert_int_eq(seen_operator_may(SEEN_OP_AUDITOR, SEEN_ACT_IMPORT), 0);
    ck_assert_int_eq(
        seen_operator_may(SEEN_OP_LEAD, SEEN_ACT_MANAGE_OPERATORS), 0);
    ck_assert_int_eq(
        seen_operator_may(SEEN_OP_AUDITOR, SEEN_ACT_MANAGE_OPERATORS), 0);
    /* Admins run the node but see no personal data. */
    ck_assert_int_eq(seen_operator_may(SEEN_OP_ADMIN, SEEN_ACT_QUERY), 0);
    ck_assert_int_eq(seen_operator_may(SEEN_OP_ADMIN, SEEN_ACT_VIEW_ALERTS),
        0);
}
END_TEST

START_TEST(test_authorise_says_why_it_refuses)
{
    struct seen_txn *t;
    enum seen_role_op r = 0;
    char why[256];

    add_committed("sam", SEEN_OP_LEAD, T0);
    add_committed("kim", SEEN_OP_AUDITOR, T0);
    add_committed("it", SEEN_OP_ADMIN, T0);
    t = begin(0);

    ck_assert_int_eq(seen_operator_authorise(t, "sam", SEEN_ACT_DECIDE, &r,
                         why, sizeof why),
        SEEN_OK);
    ck_assert_int_eq(r, SEEN_OP_LEAD);
    ck_assert_str_eq(why, "");

    ck_assert_int_eq(seen_operator_authorise(t, "kim", SEEN_ACT_DECIDE, &r,
                         why, sizeof why),
        SEEN_EPERM);
    ck_assert_int_eq(r, SEEN_OP_AUDITOR);
    ck_assert_str_eq(why, "operator 'kim' is an auditor: only a lead may "
                          "decide on disclosure requests");

    ck_assert_int_eq(seen_operator_authorise(t, "sam", SEEN_ACT_AUDIT_EXPORT,
                         NULL, why, sizeof why),
        SEEN_EPERM);
    ck_assert_str_eq(why, "operator 'sam' is a lead: only an auditor may "
                          "export the exchange log");

    ck_assert_int_eq(seen_operator_authorise(t, "it", SEEN_ACT_VIEW_ALERTS,
                         NULL, why, sizeof why),
        SEEN_EPERM);
    ck_assert_str_eq(why, "operator 'it' is an admin: only a lead or an "
                          "auditor may see alerts");

    ck_assert_int_eq(seen_operator_authorise(t, "kim", SEEN_ACT_VIEW_ALERTS,
                         NULL, why, sizeof why),
        SEEN_OK);

    ck_assert_int_eq(seen_operator_authorise(t, "nobody", SEEN_ACT_QUERY,
                         NULL, why, sizeof why),
        SEEN_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(why, "unknown operator 'nobody'"));

    ck_assert_int_eq(seen_operator_authorise(t, NULL, SEEN_ACT_QUERY, NULL,
                         why, sizeof why),
        SEEN_EINVAL);
    ck_assert_ptr_nonnull(strstr(why, "no operator"));
    ck_assert_int_eq(seen_operator_authorise(t, "", SEEN_ACT_QUERY, NULL,
                         why, sizeof why),
        SEEN_EINVAL);

    /* A name that is not valid is not quoted back. */
    ck_assert_int_eq(seen_operator_authorise(t, "x'\n\x1b[2J", SEEN_ACT_QUERY,
                         NULL, why, sizeof why),
        SEEN_EINVAL);
    ck_assert_ptr_null(strchr(why, '\n'));
    ck_assert_ptr_null(strchr(why, '\x1b'));

    /* Out-of-range actions are refused; a short or absent buffer is fine. */
    ck_assert_int_eq(seen_operator_authorise(t, "sam", SEEN_ACT_COUNT, NULL,
                         why, sizeof why),
        SEEN_EPERM);
    ck_assert_int_eq(seen_operator_authorise(t, "kim", SEEN_ACT_DECIDE, NULL,
                         why, 8),
        SEEN_EPERM);
    ck_assert_uint_eq(strlen(why), 7);
    ck_assert_int_eq(seen_operator_authorise(t, "kim", SEEN_ACT_DECIDE, NULL,
                         NULL, 0),
        SEEN_EPERM);
    seen_store_abort(t);
}
END_TEST

/* ---- purpose ---- */

START_TEST(test_purpose_accepts_ordinary_text)
{
    static const char *good[] = {
        "abc",
        "Section 47 enquiry",
        "Strategy meeting 2026-03-02 \xe2\x80\x94 risk to siblings", /* — */
        "Child protection conference: Ward family",
        "  padded  ",
        "Ymholiad diogelu \xc5\xb5", /* ŵ */
        "\xe5\x84\xbf\xe7\xab\xa5\xe4\xbf\x9d\xe6\x8a\xa4", /* 儿童保护 */
        "MARAC \xf0\x9f\x93\x8b", /* 📋: an emoji is printable */
    };
    char longest[SEEN_PURPOSE_MAX * 2 + 1];
    size_t i;

    for (i = 0; i < sizeof good / sizeof good[0]; i++)
        ck_assert_msg(seen_purpose_valid(good[i]), "good[%zu]", i);
    /* 500 characters, ASCII and two-byte. */
    memset(longest, 'a', SEEN_PURPOSE_MAX);
    longest[SEEN_PURPOSE_MAX] = '\0';
    ck_assert(seen_purpose_valid(longest));
    for (i = 0; i < SEEN_PURPOSE_MAX; i++)
        memcpy(longest + 2 * i, "\xc3\xa9", 2);
    longest[2 * SEEN_PURPOSE_MAX] = '\0';
    ck_assert(seen_purpose_valid(longest));
}
END_TEST

START_TEST(test_purpose_refuses_empty_short_long_blank_or_unprintable)
{
    static const char *bad[] = {
        "",
        "a",
        "ab",
        "   ",
        "          ",
        "\xc2\xa0\xc2\xa0\xc2\xa0",  /* no-break spaces only */
        "\xe2\x80\x83\xe2\x80\x83\xe2\x80\x83", /* em spaces only */
        "\t\t\t",
        "line\nbreak",
        "carriage\rreturn",
        "tab\there",
        "bell\a",
        "del\x7f",
        "esc\x1b[2J",
        "next\xc2\x85line",       /* U+0085, a C1 control */
        "abc\xe2\x80\xae" "cba",  /* U+202E right-to-left override */
        "abc\xe2\x81\xa6" "cba",  /* U+2066 left-to-right isolate */
        "zero\xe2\x80\x8bwidth",  /* U+200B zero-width space */
        "\xef\xbb\xbf" "bom",     /* U+FEFF */
        "para\xe2\x80\xa9" "sep", /* U+2029 */
        "line\xe2\x80\xa8" "sep", /* U+2028 */
        "private\xee\x80\x80",    /* U+E000 */
        "\xff\xfe\xfd",           /* not UTF-8 */
        "over\xc0\xafslash",      /* overlong '/' */
        "surr\xed\xa0\x80" "ogate", /* U+D800 */
        "big\xf4\x90\x80\x80",    /* beyond U+10FFFF */
        "cut\xe2\x82",            /* truncated sequence */
        "cont\x80",               /* stray continuation byte */
        "nonchar\xef\xbf\xbf",    /* U+FFFF */
    };
    char toolong[SEEN_PURPOSE_MAX + 2];
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(!seen_purpose_valid(bad[i]), "bad[%zu]", i);
    ck_assert(!seen_purpose_valid(NULL));
    memset(toolong, 'a', SEEN_PURPOSE_MAX + 1);
    toolong[SEEN_PURPOSE_MAX + 1] = '\0';
    ck_assert(!seen_purpose_valid(toolong));
}
END_TEST

/* ---- the control commands ---- */

/*
 * Serve ${cmd} with ${req} (borrowed; "cmd" is set in it when it is an
 * object) as the daemon does, through the control dispatcher, for a node
 * that is only a store.
 */
static json_t *
operators_control(const char *cmd, json_t *req)
{
    struct seen_control_node node = {.store = store, .keys = keys};
    struct seen_control *c = seen_control_new(&node);
    char *out;
    size_t outlen;
    json_t *rep;

    ck_assert_ptr_nonnull(c);
    if (cmd != NULL && json_is_object(req))
        json_object_set_new(req, "cmd", json_string(cmd));
    rep = seen_control_dispatch(c, req, NULL, 0, &out, &outlen);
    free(out);
    seen_control_destroy(&c);
    return rep;
}

/* Call ${cmd} as ${op} with ${req} (stolen); return the reply. */
static json_t *
control(const char *cmd, const char *op, json_t *req)
{
    json_t *rep;

    ck_assert_ptr_nonnull(req);
    if (op != NULL)
        json_object_set_new(req, "operator", json_string(op));
    rep = operators_control(cmd, req);
    json_decref(req);
    ck_assert_ptr_nonnull(rep);
    ck_assert(json_is_boolean(json_object_get(rep, "ok")));
    return rep;
}

#define refused tu_refused

static uint64_t
count_operators(void)
{
    struct seen_txn *t = begin(0);
    uint64_t n = 0;

    ck_assert_int_eq(seen_store_count(t, SEEN_DB_OPERATORS, &n), SEEN_OK);
    seen_store_abort(t);
    return n;
}

static void
bootstrap(void)
{
    struct seen_txn *t = begin(1);

    ck_assert_int_eq(seen_operator_bootstrap(t, T0), 1);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
}

START_TEST(test_control_admin_adds_and_lists_operators)
{
    json_t *rep, *rows, *row;

    bootstrap();
    rep = control("operator_add", "admin",
        json_pack("{s:s, s:s}", "name", "sam.okafor", "role", "lead"));
    ck_assert(json_is_true(json_object_get(rep, "ok")));
    ck_assert_str_eq(json_string_value(json_object_get(rep, "name")),
        "sam.okafor");
    ck_assert_str_eq(json_string_value(json_object_get(rep, "role")), "lead");
    ck_assert(json_integer_value(json_object_get(rep, "added")) >= T0);
    json_decref(rep);
    rep = control("operator_add", "admin",
        json_pack("{s:s, s:s}", "name", "kim", "role", "auditor"));
    ck_assert(json_is_true(json_object_get(rep, "ok")));
    json_decref(rep);

    rep = control("operator_list", "admin", json_object());
    ck_assert(json_is_true(json_object_get(rep, "ok")));
    rows = json_object_get(rep, "operators");
    ck_assert_uint_eq(json_array_size(rows), 3);
    row = json_array_get(rows, 0);
    ck_assert_str_eq(json_string_value(json_object_get(row, "name")), "admin");
    ck_assert_str_eq(json_string_value(json_object_get(row, "role")), "admin");
    ck_assert_int_eq(json_integer_value(json_object_get(row, "added")), T0);
    row = json_array_get(rows, 1);
    ck_assert_str_eq(json_string_value(json_object_get(row, "name")), "kim");
    ck_assert_str_eq(json_string_value(json_object_get(row, "role")),
        "auditor");
    row = json_array_get(rows, 2);
    ck_assert_str_eq(json_string_value(json_object_get(row, "name")),
        "sam.okafor");
    ck_assert_str_eq(json_string_value(json_object_get(row, "role")), "lead");
    json_decref(rep);
}
END_TEST

START_TEST(test_control_refuses_operators_who_are_not_admins)
{

    bootstrap();
    add_committed("sam", SEEN_OP_LEAD, T0);
    add_committed("kim", SEEN_OP_AUDITOR, T0);
    refused(control("operator_add", "sam",
                json_pack("{s:s, s:s}", "name", "eve", "role", "admin")),
        "operator 'sam' is a lead: only an admin may manage operators");
    refused(control("operator_add", "kim",
                json_pack("{s:s, s:s}", "name", "eve", "role", "lead")),
        "operator 'kim' is an auditor: only an admin may manage operators");
    refused(control("operator_list", "sam", json_object()),
        "only an admin may manage operators");
    refused(control("operator_list", "kim", json_object()),
        "only an admin may manage operators");
    /* The refusal comes before any check of the fields. */
    refused(control("operator_add", "sam", json_object()),
        "only an admin may manage operators");
    ck_assert_uint_eq(count_operators(), 3);
}
END_TEST

START_TEST(test_control_refuses_missing_or_unknown_operator)
{
    json_t *req;

    bootstrap();
    refused(control("operator_add", NULL,
                json_pack("{s:s, s:s}", "name", "eve", "role", "admin")),
        "no operator");
    refused(control("operator_list", NULL, json_object()), "no operator");
    refused(control("operator_add", "mallory",
                json_pack("{s:s, s:s}", "name", "eve", "role", "admin")),
        "unknown operator 'mallory'");
    refused(control("operator_add", "ADMIN",
                json_pack("{s:s, s:s}", "name", "eve", "role", "admin")),
        "not a valid operator name");
    req = json_pack("{s:s, s:s, s:i}", "name", "eve", "role", "admin",
        "operator", 1);
    refused(control("operator_add", NULL, req), "operator: not a string");
    ck_assert_uint_eq(count_operators(), 1);
}
END_TEST

START_TEST(test_control_add_refuses_bad_fields_and_duplicates)
{

    bootstrap();
    refused(control("operator_add", "admin", json_pack("{s:s}", "role",
                                                 "lead")),
        "name: missing");
    refused(control("operator_add", "admin",
                json_pack("{s:i, s:s}", "name", 7, "role", "lead")),
        "name: missing or not a string");
    refused(control("operator_add", "admin",
                json_pack("{s:s, s:s}", "name", "Sam Smith", "role", "lead")),
        "name: 1-64 of a-z");
    refused(control("operator_add", "admin", json_pack("{s:s}", "name",
                                                 "sam")),
        "role: missing");
    refused(control("operator_add", "admin",
                json_pack("{s:s, s:s}", "name", "sam", "role", "superuser")),
        "role: one of lead, auditor, admin");
    refused(control("operator_add", "admin",
                json_pack("{s:s, s:s}", "name", "admin", "role", "lead")),
        "operator 'admin' already exists");
    ck_assert_uint_eq(count_operators(), 1);
}
END_TEST

START_TEST(test_control_refuses_unknown_commands_and_malformed_requests)
{
    json_t *rep;

    bootstrap();
    refused(control("operator_rename", "admin", json_object()),
        "unknown command 'operator_rename'");
    rep = operators_control(NULL, NULL);
    refused(rep, "malformed request");
    rep = operators_control("operator_list", NULL);
    refused(rep, "malformed request");
    rep = json_array();
    refused(operators_control("operator_list", rep),
        "malformed request");
    json_decref(rep);
}
END_TEST

Suite *
operators_suite(void)
{
    Suite *s = suite_create("operators");
    TCase *tc;

    tc = tcase_create("store");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_added_operator_is_found_with_its_role);
    tcase_add_test(tc, test_unknown_operator_is_not_found);
    tcase_add_test(tc, test_duplicate_name_is_refused_and_keeps_first_role);
    tcase_add_test(tc, test_bad_names_are_refused);
    tcase_add_test(tc, test_bad_roles_are_refused);
    tcase_add_test(tc, test_list_gives_every_operator_in_name_order);
    tcase_add_test(tc, test_list_of_no_operators_is_empty);
    tcase_add_test(tc, test_operators_survive_reopening_the_store);
    tcase_add_test(tc, test_aborted_add_leaves_nothing);
    tcase_add_test(tc, test_damaged_entry_is_reported_not_trusted);
    tcase_add_test(tc, test_bootstrap_registers_admin_only_when_there_is_none);
    tcase_add_test(tc, test_bootstrap_adds_nothing_when_other_operators_exist);
    suite_add_tcase(s, tc);

    tc = tcase_create("permissions");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_role_names_round_trip);
    tcase_add_test(tc, test_permission_table_for_every_role_and_action);
    tcase_add_test(tc, test_auditor_and_admin_cannot_decide);
    tcase_add_test(tc, test_lead_cannot_export_the_audit_log);
    tcase_add_test(tc, test_only_admins_import_and_manage_operators);
    tcase_add_test(tc, test_authorise_says_why_it_refuses);
    suite_add_tcase(s, tc);

    tc = tcase_create("purpose");
    tcase_add_test(tc, test_purpose_accepts_ordinary_text);
    tcase_add_test(
        tc, test_purpose_refuses_empty_short_long_blank_or_unprintable);
    suite_add_tcase(s, tc);

    tc = tcase_create("control");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_control_admin_adds_and_lists_operators);
    tcase_add_test(tc, test_control_refuses_operators_who_are_not_admins);
    tcase_add_test(tc, test_control_refuses_missing_or_unknown_operator);
    tcase_add_test(tc, test_control_add_refuses_bad_fields_and_duplicates);
    tcase_add_test(
        tc, test_control_refuses_unknown_commands_and_malformed_requests);
    suite_add_tcase(s, tc);

    return s;
}
