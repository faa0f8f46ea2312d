/*
 * check_control.c: the daemon's control commands (node/control/), two
 * ways:
 *
 *   daemon      a whole node (node/daemon.h) runs in a thread of the test
 *               on a fresh home -- seen.conf, a keystore, a real LMDB
 *               store with an admin, a lead and an auditor -- and the test
 *               talks to it over its ZeroMQ ipc control socket with the
 *               CLI's client (proto/control.h), as `seen` does;
 *   dispatcher  the command table and its dispatcher over a bare store,
 *               where a command that got past a flag it should have been
 *               stopped by would touch what the node does not have.
 */
#include <check.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "common/home.h"
#include "common/log.h"
#include "common/seen.h"
#include "crypto/keys.h"
#include "crypto/keystore.h"
#include "node/control/control.h"
#include "node/daemon.h"
#include "proto/control.h"
#include "storage/operators.h"
#include "storage/store.h"
#include "tests/suites.h"
#include "tests/testutil.h"

/* The control harness, under its own name so that every suite links into
 * one runner; its seeds replay through it below. */
#define LLVMFuzzerTestOneInput fuzz_control_one
#include "tests/fuzz/fuzz_control.c"
#undef LLVMFuzzerTestOneInput

#define PASS "correct horse battery staple"
#define NODE "test-node"
#define MAP_MB 64
#define CALL_MS 120000 /* a guard against a hang, never a target */

/* Every command of docs/protocol.md (§4 and §10). */
static const char *const commands[] = {"ping", "status", "import_begin",
    "import_lines", "import_commit", "import_abort", "query", "chronology",
    "handles", "membership", "persons", "links", "alerts", "alert_ack",
    "xlog_resolve", "operator_add", "operator_list", "stop", "request", "inbox",
    "decide", "disclosures"};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

/* The commands that write to the store (queries are logged). */
static const char *const writers[] = {"query", "chronology", "membership",
    "alert_ack", "xlog_resolve", "operator_add", "request", "decide"};
#define NWRITERS (sizeof writers / sizeof writers[0])

/*
 * Write the commands flagged SEEN_CONTROL_IDLE_STORE to ${out}, those that
 * open a write transaction last (were one let through, it would wait for
 * the import's transaction: the others fail at once).  Returns how many.
 */
static size_t
idle_commands(const char *out[static NCOMMANDS])
{
    size_t i, n = 0;
    int pass, flags;

    for (pass = 0; pass < 2; pass++) {
        for (i = 0; i < NCOMMANDS; i++) {
            flags = seen_control_flags(commands[i]);
            if ((flags & SEEN_CONTROL_IDLE_STORE) &&
                ((flags & SEEN_CONTROL_WRITE) != 0) == pass)
                out[n++] = commands[i];
        }
    }
    return n;
}

/* One line of the import format (spec/import.md): three people. */
static const char record[] =
    "{\"id\":\"TVP-DA-2025-00412\",\"kind\":\"domestic_abuse_incident\","
    "\"date\":\"2025-06-14\",\"local_authority\":\"Reading\","
    "\"risk\":\"high\",\"child_present\":true,\"people\":["
    "{\"ref\":\"v1\",\"role\":\"adult_victim\",\"given_name\":\"Chantelle\","
    "\"family_name\":\"Ward\",\"date_of_birth\":\"1994-02-11\","
    "\"postcode\":\"RG1 5DF\"},"
    "{\"ref\":\"c1\",\"role\":\"child\",\"given_name\":\"Mia\","
    "\"family_name\":\"Ward\",\"date_of_birth\":\"2020-09-30\","
    "\"nhs_number\":\"943 476 5919\"},"
    "{\"ref\":\"p1\",\"role\":\"perpetrator\",\"given_name\":\"Dean\","
    "\"family_name\":\"Holt\",\"date_of_birth\":\"1989-05-02\"}]}\n";

static char base[1024];
static char home[2048];

/* ---- a node home: seen.conf, keystore, store with three operators ---- */

static void
add_operator(struct seen_txn *txn, const char *name, enum seen_role_op role)
{

    ck_assert_int_eq(seen_operator_add(txn, name, role, 1767225600), 0);
}

static void
make_home(void)
{
    struct seen_config cfg;
    struct seen_keys *keys;
    struct seen_store *store = NULL;
    struct seen_txn *txn;
    char path[SEEN_PATH_LEN];

    tu_tmpdir(base, sizeof base);
    snprintf(home, sizeof home, "%s/home", base);
    ck_assert_int_eq(mkdir(home, 0700), 0);
    seen_config_defaults(&cfg);
    snprintf(cfg.name, sizeof cfg.name, "%s", NODE);
    snprintf(cfg.type, sizeof cfg.type, "police");
    snprintf(cfg.local_authority, sizeof cfg.local_authority, "Reading");
    cfg.map_size_mb = MAP_MB;
    cfg.log_level = SEEN_LOG_ERROR;
    ck_assert_int_eq(seen_config_save(home, &cfg), 0);
    ck_assert_ptr_nonnull(keys = seen_keys_generate());
    snprintf(path, sizeof path, "%s/keystore", home);
    ck_assert_int_eq(seen_keystore_write(
                         path, keys, PASS, strlen(PASS), SEEN_PW_INTERACTIVE),
        0);
    snprintf(path, sizeof path, "%s/store", home);
    ck_assert_int_eq(seen_store_open(path, keys->sign_pk, keys->record_key,
                         MAP_MB, 1, &store),
        0);
    ck_assert_int_eq(seen_store_begin(store, 1, &txn), 0);
    ck_assert_int_eq(seen_operator_bootstrap(txn, 1767225600), 1);
    add_operator(txn, "lead", SEEN_OP_LEAD);
    add_operator(txn, "auditor", SEEN_OP_AUDITOR);
    ck_assert_int_eq(seen_store_commit(txn), 0);
    seen_store_destroy(&store);
    seen_keys_destroy(&keys);
}

/* ---- fixture: the node's daemon in a thread, and a client ---- */

static pthread_t daemon_thread;
static int daemon_rc;
static volatile int daemon_done; /* seen_daemon_run has returned */
static struct seen_ctl *ctl;

static void *
run_daemon(void *arg)
{

    (void)arg;
    daemon_rc = seen_daemon_run(home, PASS, strlen(PASS));
    daemon_done = 1;
    return NULL;
}

/* Send ${req} (stolen) with ${dlen} bytes of ${data}; return the reply. */
static json_t *
call_data(json_t *req, const char *data, size_t dlen, char **rows)
{
    json_t *rep = NULL;
    size_t rlen;

    ck_assert_ptr_nonnull(req);
    ck_assert_int_eq(seen_ctl_call(ctl, req, data, dlen, CALL_MS, &rep, rows,
                         rows != NULL ? &rlen : NULL),
        0);
    json_decref(req);
    ck_assert(json_is_boolean(json_object_get(rep, "ok")));
    return rep;
}

static json_t *
call(json_t *req)
{

    return call_data(req, NULL, 0, NULL);
}

#define refused tu_refused

/* Assert ${rep} says "ok"; return it. */
static json_t *
ok(json_t *rep)
{

    ck_assert_msg(json_is_true(json_object_get(rep, "ok")), "refused: %s",
        json_string_value(json_object_get(rep, "error")));
    return rep;
}

/* Start the node of ${home} in a thread. */
static void
daemon_start(void)
{

    daemon_done = 0;
    ck_assert_int_eq(pthread_create(&daemon_thread, NULL, run_daemon, NULL), 0);
}

/* Wait until the node started answers.  Its pid file is locked before it
 * binds: a request sent early waits for the socket. */
static void
daemon_wait(void)
{
    int i;

    for (i = 0; seen_ctl_open(home, &ctl) != 0; i++) {
        ck_assert_msg(!daemon_done, "the node did not start (%d)", daemon_rc);
        ck_assert_int_lt(i, 60000);
        usleep(1000);
    }
    json_decref(ok(call(json_pack("{s:s}", "cmd", "ping"))));
}

static void
daemon_setup(void)
{

    make_home();
    daemon_start();
    daemon_wait();
}

static void
daemon_teardown(void)
{

    json_decref(ok(call(json_pack("{s:s}", "cmd", "stop"))));
    seen_ctl_destroy(&ctl);
    ck_assert_int_eq(pthread_join(daemon_thread, NULL), 0);
    ck_assert_int_eq(daemon_rc, 0);
    tu_rmrf(base);
}

/* Open an import session; return its number. */
static json_int_t
import_begin(void)
{
    json_t *rep = ok(call(json_pack("{s:s}", "cmd", "import_begin")));
    json_int_t session = json_integer_value(json_object_get(rep, "session"));

    json_decref(rep);
    return session;
}

/* A request for ${cmd} as ${op} with a purpose and an NHS number. */
static json_t *
request(const char *cmd, const char *op)
{

    return json_pack("{s:s, s:s, s:s, s:s}", "cmd", cmd, "operator", op,
        "purpose", "section 47 enquiry", "nhs", "943 476 5919");
}

/* ---- the daemon over its control socket ---- */

START_TEST(test_status_answers_with_the_node_and_no_import)
{
    json_t *rep = ok(call(json_pack("{s:s}", "cmd", "status"))), *st;

    ck_assert_str_eq(json_string_value(json_object_get(rep, "node")), NODE);
    ck_assert_str_eq(json_string_value(json_object_get(rep, "type")), "police");
    ck_assert_int_eq(json_integer_value(json_object_get(rep, "records")), 0);
    ck_assert(json_is_false(json_object_get(rep, "import_in_progress")));
    /* How much room the store has (storage/space.h). */
    st = json_object_get(rep, "store");
    ck_assert_str_eq(json_string_value(json_object_get(st, "state")), "ok");
    ck_assert_int_gt(json_integer_value(json_object_get(st, "used_bytes")), 0);
    ck_assert_int_gt(json_integer_value(json_object_get(st, "left_bytes")), 0);
    ck_assert_int_ge(json_integer_value(json_object_get(st, "limit_bytes")),
        json_integer_value(json_object_get(st, "map_bytes")));
    ck_assert_ptr_nonnull(
        strstr(json_string_value(json_object_get(st, "summary")), " left "));
    ck_assert_int_eq(json_integer_value(json_object_get(st, "writes_refused")),
        0);
    json_decref(rep);
}
END_TEST

START_TEST(test_unknown_command_and_malformed_request_are_errors)
{

    refused(call(json_pack("{s:s}", "cmd", "frobnicate")),
        "unknown command 'frobnicate'");
    refused(call(json_pack("{s:i}", "cmd", 7)), "malformed request");
    refused(call(json_pack("{s:s}", "command", "status")), "malformed request");
    refused(call(json_pack("[s]", "status")), "malformed request");
    /* The node still answers. */
    json_decref(ok(call(json_pack("{s:s}", "cmd", "ping"))));
}
END_TEST

START_TEST(test_writing_commands_are_refused_while_an_import_is_open)
{
    json_int_t session = import_begin();
    const char *idle[NCOMMANDS];
    json_t *rep;
    size_t i, n = idle_commands(idle);

    ck_assert_uint_ge(n, NWRITERS);
    for (i = 0; i < n; i++)
        refused(call(request(idle[i], "admin")),
            "an import is in progress: try again when it ends");
    rep = ok(call(json_pack("{s:s}", "cmd", "status")));
    ck_assert(json_is_true(json_object_get(rep, "import_in_progress")));
    json_decref(rep);
    /* Reading goes on. */
    json_decref(ok(call(json_pack("{s:s}", "cmd", "handles"))));
    json_decref(ok(
        call(json_pack("{s:s, s:s}", "cmd", "persons", "operator", "lead"))));
    refused(call(json_pack("{s:s}", "cmd", "import_begin")),
        "another import is in progress");
    json_decref(ok(call(
        json_pack("{s:s, s:I}", "cmd", "import_abort", "session", session))));
    /* Once it ends, they run. */
    json_decref(ok(call(json_pack("{s:s, s:s, s:s, s:s}", "cmd", "operator_add",
        "operator", "admin", "name", "sam", "role", "lead"))));
}
END_TEST

START_TEST(test_query_without_a_purpose_is_refused)
{

    refused(call(json_pack("{s:s, s:s, s:s}", "cmd", "query", "operator",
                "lead", "nhs", "943 476 5919")),
        "a query needs --purpose TEXT");
    refused(call(json_pack("{s:s, s:s, s:s, s:s}", "cmd", "query", "operator",
                "lead", "nhs", "943 476 5919", "purpose", "   ")),
        "--purpose: 3 to 500 characters");
}
END_TEST

START_TEST(test_query_by_no_or_an_unknown_operator_is_refused)
{

    refused(call(json_pack("{s:s, s:s, s:s}", "cmd", "query", "purpose",
                "section 47 enquiry", "nhs", "943 476 5919")),
        "no operator: give --as NAME");
    refused(call(request("query", "nobody")), "unknown operator 'nobody'");
    refused(call(request("query", "Not A Name")), "not a valid operator name");
}
END_TEST

START_TEST(test_operator_without_the_role_is_refused)
{
    json_t *rep;

    refused(call(request("query", "auditor")),
        "operator 'auditor' is an auditor: only a lead may query the "
        "federation");
    refused(call(request("query", "admin")),
        "operator 'admin' is an admin: only a lead may query");
    refused(call(json_pack("{s:s, s:s, s:s, s:s}", "cmd", "operator_add",
                "operator", "lead", "name", "eve", "role", "admin")),
        "operator 'lead' is a lead: only an admin may manage operators");
    refused(call(json_pack("{s:s, s:s, s:s}", "cmd", "xlog_resolve", "operator",
                "auditor", "reason", "restored")),
        "only an admin may administer the node");
    refused(call(json_pack("{s:s, s:s}", "cmd", "alerts", "operator", "admin")),
        "only a lead or an auditor may see alerts");
    /* Nothing was added. */
    rep = ok(call(
        json_pack("{s:s, s:s}", "cmd", "operator_list", "operator", "admin")));
    ck_assert_uint_eq(json_array_size(json_object_get(rep, "operators")), 3);
    json_decref(rep);
}
END_TEST

START_TEST(test_imported_record_is_found_by_a_lead_with_a_purpose)
{
    json_int_t session = import_begin();
    json_t *rep, *m;
    char *rows = NULL;

    rep = ok(call_data(json_pack("{s:s, s:I, s:i}", "cmd", "import_lines",
                           "session", session, "first_line", 1),
        record, strlen(record), NULL));
    ck_assert_int_eq(json_integer_value(json_object_get(rep, "accepted")), 1);
    json_decref(rep);
    rep = ok(call(
        json_pack("{s:s, s:I}", "cmd", "import_commit", "session", session)));
    ck_assert_int_eq(json_integer_value(json_object_get(rep, "records")), 1);
    json_decref(rep);

    rep = ok(call(request("query", "lead")));
    ck_assert_uint_ge(json_array_size(json_object_get(rep, "members")), 1);
    m = json_array_get(json_object_get(rep, "members"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(m, "node")), NODE);
    ck_assert_str_eq(json_string_value(json_object_get(m, "role")), "child");
    ck_assert_str_eq(json_string_value(json_object_get(
                         json_object_get(m, "local"), "record")),
        "TVP-DA-2025-00412");
    json_decref(rep);
    /* Our own entries, one per person, in the rows of "handles". */
    rep = ok(call_data(json_pack("{s:s}", "cmd", "handles"), NULL, 0, &rows));
    ck_assert_int_eq(json_integer_value(json_object_get(rep, "count")), 3);
    ck_assert_ptr_nonnull(rows);
    ck_assert_ptr_nonnull(strstr(rows, "\"record\":\"TVP-DA-2025-00412\""));
    free(rows);
    json_decref(rep);
}
END_TEST

/* A chronology request as ${op} for Mia, with the members of ${extra}
 * (stolen). */
static json_t *
chronology(const char *op, json_t *extra)
{
    json_t *req = json_pack("{s:s, s:s}", "cmd", "chronology", "operator", op);

    json_object_update(req, extra);
    json_decref(extra);
    return req;
}

START_TEST(test_chronology_refuses_what_it_cannot_look_up)
{

    refused(call(chronology("lead", json_pack("{s:s}", "nhs", "943 476 5919"))),
        "a chronology needs --purpose TEXT");
    refused(call(chronology("lead",
                json_pack("{s:s, s:s, s:s}", "purpose", "section 47 enquiry",
                    "person", "P0123456789abcdef", "nhs", "943 476 5919"))),
        "give --person or search criteria, not both");
    refused(
        call(chronology("lead", json_pack("{s:s, s:s}", "purpose",
                                    "section 47 enquiry", "person", "Mia"))),
        "--person: not a person id");
    refused(call(chronology(
                "lead", json_pack("{s:s, s:s}", "purpose", "section 47 enquiry",
                            "person", "P0123456789abcdef"))),
        "no person P0123456789abcdef at this node");
    refused(call(chronology("lead", json_pack("{s:s, s:s}", "purpose",
                                        "section 47 enquiry", "given", "Mia"))),
        "too little to search on");
    refused(call(chronology(
                "auditor", json_pack("{s:s, s:s}", "purpose",
                               "section 47 enquiry", "nhs", "943 476 5919"))),
        "operator 'auditor' is an auditor");
}
END_TEST

/* A chronology of Mia's own record at its node: her people named from
 * it, its details, and the same subject by --person. */
START_TEST(test_chronology_of_an_own_record_names_its_people)
{
    json_int_t session = import_begin();
    json_t *rep = NULL, *ev, *again;
    const char *pid;
    int i;

    json_decref(ok(call_data(json_pack("{s:s, s:I, s:i}", "cmd", "import_lines",
                                 "session", session, "first_line", 1),
        record, strlen(record), NULL)));
    json_decref(ok(call(
        json_pack("{s:s, s:I}", "cmd", "import_commit", "session", session))));
    /* The daemon's matcher puts the record's people together: ask until
     * it has. */
    for (i = 0; i < 60000; i++) {
        json_decref(rep);
        rep = ok(call(chronology(
            "lead", json_pack("{s:s, s:s}", "purpose", "section 47 enquiry",
                        "nhs", "943 476 5919"))));
        if (json_array_size(json_object_get(rep, "people")) == 3)
            break;
        usleep(1000);
    }
    ck_assert_uint_eq(json_array_size(json_object_get(rep, "people")), 3);
    ck_assert_uint_eq(json_array_size(json_object_get(rep, "events")), 1);
    ev = json_array_get(json_object_get(rep, "events"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(ev, "shared")), "own");
    ck_assert_str_eq(
        json_string_value(json_object_get(ev, "child_voice")), "not_recorded");
    ck_assert_str_eq(json_string_value(json_object_get(
                         json_object_get(ev, "details"), "reference")),
        "TVP-DA-2025-00412");
    ck_assert_str_eq(
        json_string_value(json_object_get(
            json_array_get(json_object_get(rep, "people"), 0), "name")),
        "Mia Ward");
    pid = json_string_value(json_object_get(rep, "subject"));
    again =
        ok(call(chronology("lead", json_pack("{s:s, s:s}", "purpose",
                                       "section 47 enquiry", "person", pid))));
    ck_assert_str_eq(json_string_value(json_object_get(again, "subject")), pid);
    ck_assert_uint_eq(json_array_size(json_object_get(again, "events")), 1);
    json_decref(again);
    json_decref(rep);
}
END_TEST

/* ---- the dispatcher over a bare store ---- */

static struct seen_store *store;

static void
store_setup(void)
{
    uint8_t id[32], key[32];
    char path[2048];

    tu_tmpdir(base, sizeof base);
    snprintf(path, sizeof path, "%s/store", base);
    randombytes_buf(id, sizeof id);
    randombytes_buf(key, sizeof key);
    ck_assert_int_eq(seen_store_open(path, id, key, MAP_MB, 1, &store), 0);
}

static void
store_teardown(void)
{

    seen_store_destroy(&store);
    tu_rmrf(base);
}

/* Serve ${req} (stolen) with ${c}; return the reply. */
static json_t *
dispatch(struct seen_control *c, json_t *req)
{
    char *out;
    size_t outlen;
    json_t *rep = seen_control_dispatch(c, req, NULL, 0, &out, &outlen);

    json_decref(req);
    ck_assert_ptr_nonnull(rep);
    ck_assert_ptr_null(out);
    return rep;
}

START_TEST(test_table_has_every_documented_command_and_no_other)
{
    size_t i;

    for (i = 0; i < NCOMMANDS; i++)
        ck_assert_msg(
            seen_control_flags(commands[i]) >= 0, "no row for %s", commands[i]);
    ck_assert_int_eq(seen_control_flags("frobnicate"), -1);
    ck_assert_int_eq(seen_control_flags(""), -1);
    ck_assert_int_eq(seen_control_flags(NULL), -1);
}
END_TEST

START_TEST(test_every_command_that_writes_is_flagged_idle_store)
{
    size_t i;
    int flags;

    for (i = 0; i < NWRITERS; i++)
        ck_assert_msg(seen_control_flags(writers[i]) & SEEN_CONTROL_IDLE_STORE,
            "%s writes but runs during an import", writers[i]);
    /* A command in a write transaction could never run beside one. */
    for (i = 0; i < NCOMMANDS; i++) {
        flags = seen_control_flags(commands[i]);
        if (flags & SEEN_CONTROL_WRITE)
            ck_assert(flags & SEEN_CONTROL_IDLE_STORE);
    }
}
END_TEST

START_TEST(test_dispatcher_refuses_before_the_command_runs)
{
    struct seen_control_node node = {.store = store};
    struct seen_control *c = seen_control_new(&node);
    const char *idle[NCOMMANDS];
    struct seen_txn *txn;
    size_t i, n;

    ck_assert_ptr_nonnull(c);
    refused(dispatch(c, json_pack("{s:s}", "cmd", "frobnicate")),
        "unknown command 'frobnicate'");
    refused(dispatch(c, NULL), "malformed request");
    json_decref(ok(dispatch(c, json_pack("{s:s}", "cmd", "import_begin"))));
    ck_assert(seen_control_importing(c));
    /* The node has no configuration, federation or matcher: a command
     * that ran would crash, or say something else. */
    n = idle_commands(idle);
    for (i = 0; i < n; i++)
        refused(dispatch(c, request(idle[i], "admin")),
            "an import is in progress: try again when it ends");
    /* Abandoned with the commands: the store can be written again. */
    seen_control_destroy(&c);
    seen_control_destroy(&c);
    ck_assert_int_eq(seen_store_begin(store, 1, &txn), 0);
    seen_store_abort(txn);
}
END_TEST

START_TEST(test_operator_is_authorised_before_the_request_is_read)
{
    struct seen_control_node node = {.store = store};
    struct seen_control *c = seen_control_new(&node);
    struct seen_txn *txn;

    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(seen_store_begin(store, 1, &txn), 0);
    ck_assert_int_eq(seen_operator_bootstrap(txn, 1767225600), 1);
    add_operator(txn, "lead", SEEN_OP_LEAD);
    ck_assert_int_eq(seen_store_commit(txn), 0);
    /* Were the query or decision read, the missing node would crash. */
    refused(
        dispatch(c, request("query", "auditor")), "unknown operator 'auditor'");
    refused(dispatch(c, request("decide", "admin")),
        "only a lead may decide on disclosure requests");
    refused(dispatch(c, json_pack("{s:s, s:b}", "cmd", "inbox", "all", 1)),
        "no operator");
    refused(
        dispatch(c, json_pack("{s:s, s:i}", "cmd", "persons", "operator", 1)),
        "operator: not a string");
    seen_control_destroy(&c);
}
END_TEST

static void
replay_one(void *ctx, const char *path, const char *name, const uint8_t *buf,
    size_t len)
{

    (void)ctx;
    (void)path;
    (void)name;
    /* The harness aborts unless the node answers with a proper reply. */
    ck_assert_int_eq(fuzz_control_one(buf, len), 0);
}

START_TEST(test_fuzz_seeds_each_get_an_answer)
{
    size_t n;

    n = tu_each_file(SEEN_SOURCE_DIR "/tests/fuzz/corpus/control", replay_one,
        NULL);
    ck_assert_uint_ge(n, 20);
    (void)tu_each_file(SEEN_SOURCE_DIR "/tests/fuzz/regress/control",
        replay_one, NULL);
    /* Still up after all of them, then stopped cleanly. */
    ck_assert_int_eq(fuzz_control_one((const uint8_t *)"\0{\"cmd\":\"ping\"}",
                         15), 0);
    fuzz_control_stop();
}
END_TEST

/* A client asking whether a node runs (seen_home_running, as every
 * command does) holds the pid file's lock shared for a moment: a node
 * starting meanwhile waits for it rather than saying one is running. */
START_TEST(test_a_node_starts_while_a_client_asks_whether_it_runs)
{
    char path[SEEN_PATH_LEN];
    int fd, i;

    make_home();
    snprintf(path, sizeof path, "%s/seen-node.pid", home);
    ck_assert_int_ge(fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600), 0);
    ck_assert_int_eq(flock(fd, LOCK_SH), 0);
    daemon_start();
    /* Held longer than the node takes to reach its pid file here (it
     * failed at once before), shorter than the second it waits. */
    for (i = 0; i < 40 && !daemon_done; i++)
        usleep(10000);
    close(fd);
    daemon_wait();
    daemon_teardown();
}
END_TEST

/* The killed node's other thread: holds the process, and with it the pid
 * file's lock, until the test writes to its pipe (as a thread caught in an
 * fsync holds a killed node until the disk answers). */
static void *
dying_thread(void *arg)
{
    char c;

    (void)!read(*(int *)arg, &c, 1);
    _exit(0); /* not exit(): no handlers of the test's (a sanitizer's) */
}

/* A node killed while a thread of it waits on the disk is a zombie that
 * still holds its pid file's lock: a node starting meanwhile waits for it
 * to go rather than say one is running (test_chaos met one that took more
 * than the second a start waits for a client's probe). */
START_TEST(test_a_node_starts_once_a_killed_one_has_gone)
{
    char path[SEEN_PATH_LEN], buf[32];
    pthread_t t;
    pid_t child;
    int p[2], fd, i, status;

    make_home();
    snprintf(path, sizeof path, "%s/seen-node.pid", home);
    ck_assert_int_eq(pipe(p), 0);
    ck_assert_int_ge(child = fork(), 0);
    if (child == 0) {
        close(p[1]);
        if ((fd = open(path, O_RDWR | O_CREAT, 0600)) < 0 ||
            flock(fd, LOCK_EX) != 0)
            _exit(1);
        i = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
        if (write(fd, buf, (size_t)i) != i ||
            pthread_create(&t, NULL, dying_thread, &p[0]) != 0)
            _exit(1);
        pthread_exit(NULL);
    }
    close(p[0]);
    /* Its main thread gone, the rest held: the state a start meets. */
    for (i = 0; !seen_pid_dying(child); i++) {
        ck_assert_int_lt(i, 60000);
        usleep(1000);
    }
    ck_assert(seen_home_running(home, NULL));
    ck_assert(!seen_pid_dying(getpid()));
    daemon_start();
    /* Longer than the second a start waits for anyone else's lock. */
    for (i = 0; i < 300 && !daemon_done; i++)
        usleep(10000);
    ck_assert_msg(!daemon_done, "the node gave up (%d) while the killed "
                  "one was still going", daemon_rc);
    close(p[1]);
    ck_assert_int_eq(waitpid(child, &status, 0), child);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ck_assert(!seen_pid_dying(child));
    daemon_wait();
    daemon_teardown();
}
END_TEST

Suite *
control_suite(void)
{
    Suite *s = suite_create("control");
    TCase *tc;

    tc = tcase_create("start");
    tcase_add_test(tc, test_a_node_starts_while_a_client_asks_whether_it_runs);
    tcase_add_test(tc, test_a_node_starts_once_a_killed_one_has_gone);
    suite_add_tcase(s, tc);
    tc = tcase_create("daemon");
    tcase_add_checked_fixture(tc, daemon_setup, daemon_teardown);
    tcase_add_test(tc, test_status_answers_with_the_node_and_no_import);
    tcase_add_test(tc, test_unknown_command_and_malformed_request_are_errors);
    tcase_add_test(
        tc, test_writing_commands_are_refused_while_an_import_is_open);
    tcase_add_test(tc, test_query_without_a_purpose_is_refused);
    tcase_add_test(tc, test_query_by_no_or_an_unknown_operator_is_refused);
    tcase_add_test(tc, test_operator_without_the_role_is_refused);
    tcase_add_test(tc, test_imported_record_is_found_by_a_lead_with_a_purpose);
    tcase_add_test(tc, test_chronology_refuses_what_it_cannot_look_up);
    tcase_add_test(tc, test_chronology_of_an_own_record_names_its_people);
    suite_add_tcase(s, tc);

    tc = tcase_create("dispatcher");
    tcase_add_checked_fixture(tc, store_setup, store_teardown);
    tcase_add_test(tc, test_table_has_every_documented_command_and_no_other);
    tcase_add_test(tc, test_every_command_that_writes_is_flagged_idle_store);
    tcase_add_test(tc, test_dispatcher_refuses_before_the_command_runs);
    tcase_add_test(tc, test_operator_is_authorised_before_the_request_is_read);
    suite_add_tcase(s, tc);

    tc = tcase_create("fuzz seeds");
    tcase_add_test(tc, test_fuzz_seeds_each_get_an_answer);
    suite_add_tcase(s, tc);

    return s;
}
