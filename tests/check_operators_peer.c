/*
 * check_operators_peer.c: operators bound to Unix users (issue 15,
 * storage/operators.[ch]): the operators table's format 2 and the
 * previous version's format 1 still read, the peer rule
 * (seen_operator_resolve) for every case docs/operations.md lists, and
 * the operator commands of node/control/ctl_operators.c in peer mode,
 * each change logged as an XLOG_OPERATOR leaf.  A real store in a
 * temporary directory; the Unix users root (uid 0) and daemon (uid 1)
 * of every Debian system.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "common/bytes.h"
#include "common/seen.h"
#include "crypto/keys.h"
#include "node/control/control.h"
#include "storage/operators.h"
#include "storage/store.h"
#include "tests/suites.h"
#include "tests/testutil.h"
#include "xlog/xlog.h"

#define T0 1767225600 /* 2026-01-01T00:00:00Z */

static char base[1024];
static struct seen_store *store;
static struct seen_keys *keys; /* the node's: operator changes are logged */

static void
setup(void)
{
    char sdir[2048];
    uint8_t rkey[32];

    tu_tmpdir(base, sizeof base);
    snprintf(sdir, sizeof sdir, "%s/store", base);
    ck_assert_ptr_nonnull(keys = seen_keys_generate());
    randombytes_buf(rkey, sizeof rkey);
    ck_assert_int_eq(
        seen_store_open(sdir, keys->sign_pk, rkey, 16, 1, &store), SEEN_OK);
}

static void
teardown(void)
{

    seen_store_destroy(&store);
    seen_keys_destroy(&keys);
    tu_rmrf(base);
}

static struct seen_txn *
begin(int write)
{
    struct seen_txn *t = NULL;

    ck_assert_int_eq(seen_store_begin(store, write, &t), SEEN_OK);
    return t;
}

static void
add_committed(const char *name, enum seen_role_op role, uint64_t now)
{
    struct seen_txn *t = begin(1);

    ck_assert_int_eq(seen_operator_add(t, name, role, now), SEEN_OK);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
}

/* Serve ${cmd} with ${req} (stolen) from the Unix uid ${uid}, through the
 * control dispatcher, for a node that is only a store and keys. */
static json_t *
from_uid(long uid, const char *cmd, json_t *req)
{
    struct seen_control_node node = {.store = store, .keys = keys};
    struct seen_control *c = seen_control_new(&node);
    char *out;
    size_t outlen;
    json_t *rep;

    ck_assert_ptr_nonnull(c);
    ck_assert_ptr_nonnull(req);
    json_object_set_new(req, "cmd", json_string(cmd));
    rep = seen_control_serve(c, uid, req, NULL, 0, &out, &outlen);
    free(out);
    seen_control_destroy(&c);
    json_decref(req);
    ck_assert_ptr_nonnull(rep);
    return rep;
}

/* ...as the claimed operator ${op}, from a caller whose uid is unknown. */
static json_t *
control(const char *cmd, const char *op, json_t *req)
{

    json_object_set_new(req, "operator", json_string(op));
    return from_uid(SEEN_UID_UNKNOWN, cmd, req);
}

#define refused tu_refused

/* Put the raw value ${v} (${n} bytes) under ${name}, committed. */
static void
put_raw(const char *name, const uint8_t *v, size_t n)
{
    struct seen_txn *t = begin(1);

    ck_assert_int_eq(seen_store_put(t, SEEN_DB_OPERATORS, name, strlen(name),
                         v, n),
        SEEN_OK);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
}

START_TEST(test_previous_format_record_is_read_as_active_and_unbound)
{
    /* As 97b2c2c wrote it: format 1, lead, added T0. */
    uint8_t v1[10] = {1, SEEN_OP_LEAD};
    struct seen_operator_census cen;
    struct seen_operator op;
    char name[SEEN_OPERATOR_NAME_MAX + 1];
    struct seen_txn *t;
    const void *raw;
    size_t rawlen;

    seen_be64(v1 + 2, T0);
    put_raw("sam", v1, sizeof v1);
    t = begin(0);
    ck_assert_int_eq(seen_operator_read(t, "sam", &op), SEEN_OK);
    ck_assert_int_eq(op.role, SEEN_OP_LEAD);
    ck_assert_uint_eq(op.added, T0);
    ck_assert_int_eq(op.state, SEEN_OP_ACTIVE);
    ck_assert_int_eq(op.bound, 0);
    ck_assert_str_eq(op.user, "");
    ck_assert_int_eq(seen_operator_census(t, &cen), SEEN_OK);
    ck_assert_uint_eq(cen.bound, 0);
    /* Not bound: claimed mode, served as it was before. */
    ck_assert_int_eq(seen_operator_resolve(t, 4242, "sam", SEEN_ACT_QUERY,
                         name, NULL, 0),
        SEEN_OK);
    ck_assert_str_eq(name, "sam");
    seen_store_abort(t);
    /* A change rewrites it in format 2, nothing else changed. */
    t = begin(1);
    ck_assert_int_eq(seen_operator_set_state(t, "sam", SEEN_OP_SUSPENDED),
        SEEN_OK);
    ck_assert_int_eq(seen_store_get(t, SEEN_DB_OPERATORS, "sam", 3, &raw,
                         &rawlen),
        SEEN_OK);
    ck_assert_uint_eq(rawlen, 16);
    ck_assert_int_eq(((const uint8_t *)raw)[0], 2);
    ck_assert_int_eq(seen_operator_read(t, "sam", &op), SEEN_OK);
    ck_assert_int_eq(op.role, SEEN_OP_LEAD);
    ck_assert_uint_eq(op.added, T0);
    ck_assert_int_eq(op.state, SEEN_OP_SUSPENDED);
    ck_assert_int_eq(seen_operator_set_state(t, "sam", SEEN_OP_SUSPENDED),
        SEEN_EEXIST);
    seen_store_abort(t);
}
END_TEST

START_TEST(test_bound_record_has_the_documented_layout)
{
    static const uint8_t want[] = {2, SEEN_OP_LEAD, 0, 0, 0, 0, 0x69, 0x55,
        0xb9, 0x00, 0, 1, 0, 0, 0x03, 0xe9, 'a', 'l', 'i', 'c', 'e'};
    static const uint8_t bad[][17] = {
        {2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1},    /* bound, no user */
        {2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0},    /* state 2 */
        {2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 'a'}, /* user, unbound */
        {2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, ':'}, /* bad user */
    };
    static const size_t badlen[] = {16, 16, 17, 17};
    struct seen_operator op;
    struct seen_txn *t = begin(1);
    const void *raw;
    size_t rawlen, i;
    char name[2] = "a";

    ck_assert_int_eq(seen_operator_add_bound(t, "alice", SEEN_OP_LEAD, T0,
                         1001, "alice"),
        SEEN_OK);
    ck_assert_int_eq(seen_store_get(t, SEEN_DB_OPERATORS, "alice", 5, &raw,
                         &rawlen),
        SEEN_OK);
    ck_assert_uint_eq(rawlen, sizeof want);
    ck_assert_mem_eq(raw, want, sizeof want);
    ck_assert_int_eq(seen_operator_read(t, "alice", &op), SEEN_OK);
    ck_assert_int_eq(op.bound, 1);
    ck_assert_uint_eq(op.uid, 1001);
    ck_assert_str_eq(op.user, "alice");
    ck_assert_int_eq(seen_operator_add_bound(t, "bob", SEEN_OP_LEAD, T0, 1,
                         "bo:b"),
        SEEN_EINVAL);
    tu_quiet(NULL);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        name[0] = (char)('a' + i);
        ck_assert_int_eq(seen_store_put(t, SEEN_DB_OPERATORS, name, 1, bad[i],
                             badlen[i]),
            SEEN_OK);
        ck_assert_msg(seen_operator_read(t, name, &op) == SEEN_ECORRUPT,
            "bad[%zu]", i);
    }
    tu_loud();
    seen_store_abort(t);
}
END_TEST

/* Resolve a request of ${uid} naming ${as} for ${act}: the code, and the
 * name or the refusal in ${out}. */
static int
resolve(long uid, const char *as, enum seen_action act, char out[256])
{
    char name[SEEN_OPERATOR_NAME_MAX + 1];
    struct seen_txn *t = begin(0);
    int rc;

    rc = seen_operator_resolve(t, uid, as, act, name, out, 256);
    if (rc == 0)
        snprintf(out, 256, "%s", name);
    seen_store_abort(t);
    return rc;
}

/* Run ${fn} on operator ${name} in a committed write transaction. */
static void
change_committed(const char *name, int remove, enum seen_op_state st)
{
    struct seen_txn *t = begin(1);

    if (remove)
        ck_assert_int_eq(seen_operator_remove(t, name), SEEN_OK);
    else
        ck_assert_int_eq(seen_operator_set_state(t, name, st), SEEN_OK);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
}

static void
add_bound_committed(const char *name, enum seen_role_op role, uint32_t uid,
    const char *user)
{
    struct seen_txn *t = begin(1);

    ck_assert_int_eq(seen_operator_add_bound(t, name, role, T0, uid, user),
        SEEN_OK);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
}

START_TEST(test_peer_rule_maps_the_callers_uid_to_its_operator)
{
    struct seen_txn *t;
    char out[256];

    add_committed("old-lead", SEEN_OP_LEAD, T0); /* from before peer mode */
    add_bound_committed("admin", SEEN_OP_ADMIN, 0, "root");
    add_bound_committed("lead-a", SEEN_OP_LEAD, 1001, "alice");
    /* Without --as, the caller's own operator; with it, only that one. */
    ck_assert_int_eq(resolve(1001, NULL, SEEN_ACT_QUERY, out), SEEN_OK);
    ck_assert_str_eq(out, "lead-a");
    ck_assert_int_eq(resolve(1001, "lead-a", SEEN_ACT_QUERY, out), SEEN_OK);
    ck_assert_int_eq(resolve(1001, "admin", SEEN_ACT_NODE_ADMIN, out),
        SEEN_EPERM);
    ck_assert_str_eq(out, "Unix user 'alice' (uid 1001) is operator "
                          "'lead-a', not 'admin': --as may name only your "
                          "own operator");
    ck_assert_int_eq(resolve(1001, "old-lead", SEEN_ACT_QUERY, out),
        SEEN_EPERM);
    /* A lead cannot act as an auditor. */
    ck_assert_int_eq(resolve(1001, NULL, SEEN_ACT_AUDIT_EXPORT, out),
        SEEN_EPERM);
    ck_assert_ptr_nonnull(strstr(out, "is a lead: only an auditor"));
    /* Unregistered, and unknown, callers. */
    ck_assert_int_eq(resolve(4242, NULL, SEEN_ACT_QUERY, out), SEEN_EPERM);
    ck_assert_ptr_nonnull(
        strstr(out, "is not a registered operator of this node"));
    ck_assert_int_eq(resolve(4242, "lead-a", SEEN_ACT_QUERY, out),
        SEEN_EPERM);
    ck_assert_int_eq(resolve(SEEN_UID_UNKNOWN, "admin", SEEN_ACT_NODE_ADMIN,
                         out),
        SEEN_EPERM);
    ck_assert_int_eq(resolve(0, NULL, SEEN_ACT_NODE_ADMIN, out), SEEN_OK);
    ck_assert_str_eq(out, "admin");
    /* Suspended, resumed, removed: each from the next request. */
    change_committed("lead-a", 0, SEEN_OP_SUSPENDED);
    ck_assert_int_eq(resolve(1001, NULL, SEEN_ACT_QUERY, out), SEEN_EPERM);
    ck_assert_ptr_nonnull(strstr(out, "operator 'lead-a' (Unix user "
                                      "'alice' (uid 1001)) is suspended"));
    ck_assert_int_eq(resolve(1001, "lead-a", SEEN_ACT_QUERY, out),
        SEEN_EPERM);
    change_committed("lead-a", 0, SEEN_OP_ACTIVE);
    ck_assert_int_eq(resolve(1001, NULL, SEEN_ACT_QUERY, out), SEEN_OK);
    change_committed("lead-a", 1, SEEN_OP_ACTIVE);
    ck_assert_int_eq(resolve(1001, NULL, SEEN_ACT_QUERY, out), SEEN_EPERM);
    ck_assert_ptr_nonnull(
        strstr(out, "is not a registered operator of this node"));
    /* A role change holds from the next request. */
    add_bound_committed("lead-a", SEEN_OP_LEAD, 1001, "alice");
    t = begin(1);
    ck_assert_int_eq(seen_operator_set_role(t, "lead-a", SEEN_OP_AUDITOR),
        SEEN_OK);
    ck_assert_int_eq(seen_operator_set_role(t, "lead-a", SEEN_OP_AUDITOR),
        SEEN_EEXIST);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    ck_assert_int_eq(resolve(1001, NULL, SEEN_ACT_QUERY, out), SEEN_EPERM);
    ck_assert_ptr_nonnull(strstr(out, "is an auditor: only a lead"));
    ck_assert_int_eq(resolve(1001, NULL, SEEN_ACT_AUDIT_EXPORT, out),
        SEEN_OK);
}
END_TEST

START_TEST(test_peer_rule_asks_which_of_several_operators_of_one_user)
{
    char out[256];

    add_bound_committed("admin", SEEN_OP_ADMIN, 0, "root");
    add_bound_committed("kim-lead", SEEN_OP_LEAD, 1001, "kim");
    add_bound_committed("kim-audit", SEEN_OP_AUDITOR, 1001, "kim");
    ck_assert_int_eq(resolve(1001, NULL, SEEN_ACT_QUERY, out), SEEN_EPERM);
    ck_assert_ptr_nonnull(strstr(out, "give --as NAME"));
    ck_assert_int_eq(resolve(1001, "kim-audit", SEEN_ACT_AUDIT_EXPORT, out),
        SEEN_OK);
    ck_assert_str_eq(out, "kim-audit");
    ck_assert_int_eq(resolve(1001, "kim-audit", SEEN_ACT_QUERY, out),
        SEEN_EPERM);
    /* One of them suspended: the other is the caller's own. */
    change_committed("kim-audit", 0, SEEN_OP_SUSPENDED);
    ck_assert_int_eq(resolve(1001, NULL, SEEN_ACT_QUERY, out), SEEN_OK);
    ck_assert_str_eq(out, "kim-lead");
}
END_TEST

/* Assert that ${rep} says ok; return it. */
static json_t *
ok_rep(json_t *rep)
{
    const char *err = json_string_value(json_object_get(rep, "error"));

    ck_assert_msg(json_is_true(json_object_get(rep, "ok")), "refused: %s",
        err ? err : "?");
    return rep;
}

START_TEST(test_control_logs_changes_and_keeps_a_bound_admin)
{
    struct seen_xlog_leafview v;
    const uint8_t *leaf;
    struct seen_txn *t;
    uint64_t n = 0;
    size_t len;

    add_committed(SEEN_OPERATOR_FIRST, SEEN_OP_ADMIN, T0);
    /* Claimed mode: the first bound operator must be an admin. */
    refused(control("operator_add", "admin",
                json_pack("{s:s, s:s, s:s}", "name", "it", "role", "lead",
                    "user", "root")),
        "must be an admin");
    refused(control("operator_add", "admin",
                json_pack("{s:s, s:s, s:s}", "name", "it", "role", "admin",
                    "user", "no-such-user-x9")),
        "no Unix user 'no-such-user-x9'");
    json_decref(ok_rep(control("operator_add", "admin",
        json_pack("{s:s, s:s, s:s}", "name", "it", "role", "admin", "user",
            "root"))));
    /* Peer mode now: a caller the connection did not name is refused. */
    refused(control("operator_list", "it", json_object()),
        "is not a registered operator of this node");
    refused(from_uid(0, "operator_add",
                json_pack("{s:s, s:s}", "name", "x", "role", "lead")),
        "give --user UNIXUSER");
    refused(from_uid(0, "operator_suspend",
                json_pack("{s:s}", "name", "it")),
        "the last active admin bound to a Unix user");
    refused(from_uid(0, "operator_role",
                json_pack("{s:s, s:s}", "name", "it", "role", "lead")),
        "add another before you change the role of it");
    refused(from_uid(0, "operator_role",
                json_pack("{s:s, s:s}", "name", "it", "role", "boss")),
        "role: one of lead, auditor, admin");
    json_decref(ok_rep(from_uid(0, "operator_add",
        json_pack("{s:s, s:s, s:s}", "name", "daemon-lead", "role", "lead",
            "user", "daemon"))));
    json_decref(ok_rep(from_uid(0, "operator_role",
        json_pack("{s:s, s:s}", "name", "daemon-lead", "role", "auditor"))));
    json_decref(ok_rep(from_uid(0, "operator_suspend",
        json_pack("{s:s}", "name", "daemon-lead"))));
    json_decref(ok_rep(from_uid(0, "operator_remove",
        json_pack("{s:s}", "name", "daemon-lead"))));
    refused(from_uid(1, "operator_list", json_object()),
        "is not a registered operator of this node");
    /* Five changes, each an XLOG_OPERATOR leaf naming who made it. */
    t = begin(0);
    ck_assert_int_eq(seen_xlog_size(t, &n), SEEN_OK);
    ck_assert_uint_eq(n, 5);
    ck_assert_int_eq(seen_xlog_leaf(t, 2, &leaf, &len), SEEN_OK);
    ck_assert_int_eq(seen_xlog_leaf_parse(leaf, len, keys->sign_pk, 2, &v,
                         NULL),
        SEEN_OK);
    ck_assert_int_eq(v.op->change,
        SEEN__OPERATOR_CHANGE__OPERATOR_ROLE_CHANGED);
    ck_assert_str_eq(v.op->role, "auditor");
    seen_xlog_leaf_release(&v);
    ck_assert_int_eq(seen_xlog_leaf(t, 4, &leaf, &len), SEEN_OK);
    ck_assert_int_eq(seen_xlog_leaf_parse(leaf, len, keys->sign_pk, 4, &v,
                         NULL),
        SEEN_OK);
    ck_assert_int_eq(v.leaf->kind, SEEN__XLOG_KIND__XLOG_OPERATOR);
    ck_assert_str_eq(v.op->operator_, "it");
    ck_assert_str_eq(v.op->name, "daemon-lead");
    ck_assert_int_eq(v.op->change, SEEN__OPERATOR_CHANGE__OPERATOR_REMOVED);
    ck_assert_str_eq(v.op->user, "daemon");
    seen_xlog_leaf_release(&v);
    seen_store_abort(t);
}
END_TEST

Suite *
operators_peer_suite(void)
{
    Suite *s = suite_create("operators_peer");
    TCase *tc = tcase_create("peer");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_previous_format_record_is_read_as_active_and_unbound);
    tcase_add_test(tc, test_bound_record_has_the_documented_layout);
    tcase_add_test(tc, test_peer_rule_maps_the_callers_uid_to_its_operator);
    tcase_add_test(tc, test_peer_rule_asks_which_of_several_operators_of_one_user);
    tcase_add_test(tc, test_control_logs_changes_and_keeps_a_bound_admin);
    suite_add_tcase(s, tc);
    return s;
}
