/*
 * fuzz_control.c: libFuzzer harness for the control socket: a whole node
 * (node/daemon.h) runs in a thread on a fresh home (seen.conf, a keystore,
 * a real LMDB store with an admin, a lead and an auditor), and each input
 * is sent to it over its ZeroMQ ipc control socket as a request frame,
 * with a data frame when the input has one, as any local process could.
 * Input: a first byte whose low bit says whether a data frame follows,
 * then the request bytes up to the first NUL, then the data frame's.
 * Beyond "no crash, no leak, no undefined behaviour" it checks that the
 * node answers every request, within a minute, with a JSON object whose
 * "ok" is a boolean, and that it keeps answering.  A request to stop the
 * node is not sent.
 *
 * Seeds: tests/fuzz/corpus/control (one request of each command, valid or
 * not).  Replayed by tests/check_control.c, which calls
 * fuzz_control_stop() after them.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>
#include <zmq.h>

#include "common/file.h"
#include "common/home.h"
#include "common/log.h"
#include "crypto/keys.h"
#include "crypto/keystore.h"
#include "node/daemon.h"
#include "proto/control.h"
#include "storage/operators.h"
#include "storage/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_PASS "fuzz control passphrase"
#define FUZZ_MAP_MB 64
#define FUZZ_REPLY_MS 60000 /* a hang, not a slow answer */

static char fuzz_base[256], fuzz_home[512];
static pthread_t fuzz_thread;
static void *fuzz_zctx, *fuzz_sock;
static int fuzz_up;

static void *
fuzz_daemon(void *arg)
{

    (void)arg;
    if (seen_daemon_run(fuzz_home, FUZZ_PASS, strlen(FUZZ_PASS)) != 0)
        abort();
    return NULL;
}

/* A fresh node home with three operators; aborts when it cannot. */
static void
fuzz_make_home(void)
{
    struct seen_config cfg;
    struct seen_keys *keys;
    struct seen_store *store = NULL;
    struct seen_txn *txn;
    char path[SEEN_PATH_LEN];
    const char *t = getenv("TMPDIR");

    snprintf(fuzz_base, sizeof fuzz_base, "%s/seen-fuzz-control-XXXXXX",
        t ? t : "/tmp");
    if (mkdtemp(fuzz_base) == NULL)
        abort();
    snprintf(fuzz_home, sizeof fuzz_home, "%s/home", fuzz_base);
    if (mkdir(fuzz_home, 0700) != 0)
        abort();
    seen_config_defaults(&cfg);
    snprintf(cfg.name, sizeof cfg.name, "fuzz-node");
    snprintf(cfg.type, sizeof cfg.type, "police");
    snprintf(cfg.local_authority, sizeof cfg.local_authority, "Reading");
    cfg.map_size_mb = FUZZ_MAP_MB;
    cfg.log_level = SEEN_LOG_ERROR;
    if (seen_config_save(fuzz_home, &cfg) != 0 ||
        (keys = seen_keys_generate()) == NULL)
        abort();
    snprintf(path, sizeof path, "%s/keystore", fuzz_home);
    if (seen_keystore_write(path, keys, FUZZ_PASS, strlen(FUZZ_PASS),
            SEEN_PW_INTERACTIVE) != 0)
        abort();
    snprintf(path, sizeof path, "%s/store", fuzz_home);
    if (seen_store_open(path, keys->sign_pk, keys->record_key, FUZZ_MAP_MB, 1,
            &store) != 0 ||
        seen_store_begin(store, 1, &txn) != 0 ||
        seen_operator_bootstrap(txn, 1767225600) != 1 ||
        seen_operator_add(txn, "lead", SEEN_OP_LEAD, 1767225600) != 0 ||
        seen_operator_add(txn, "auditor", SEEN_OP_AUDITOR, 1767225600) != 0 ||
        seen_store_commit(txn) != 0)
        abort();
    seen_store_destroy(&store);
    seen_keys_destroy(&keys);
}

/* Start the node and connect to its control socket, once. */
static void
fuzz_start(void)
{
    char ep[SEEN_PATH_LEN + 16];
    struct seen_ctl *probe;
    int zero = 0, i;

    if (fuzz_up)
        return;
    if (sodium_init() < 0)
        abort();
    seen_log_init("fuzz_control", SEEN_LOG_ERROR);
    fuzz_make_home();
    if (pthread_create(&fuzz_thread, NULL, fuzz_daemon, NULL) != 0)
        abort();
    /* Up once the CLI's client can connect. */
    for (i = 0; seen_ctl_open(fuzz_home, &probe) != 0; i++) {
        if (i > 60000)
            abort();
        usleep(1000);
    }
    seen_ctl_destroy(&probe);
    if ((fuzz_zctx = zmq_ctx_new()) == NULL ||
        (fuzz_sock = zmq_socket(fuzz_zctx, ZMQ_REQ)) == NULL)
        abort();
    zmq_setsockopt(fuzz_sock, ZMQ_LINGER, &zero, sizeof zero);
    if (zmq_connect(fuzz_sock,
            seen_ctl_endpoint(fuzz_home, ep, sizeof ep)) != 0)
        abort();
    fuzz_up = 1;
}

/* Send one request and return its reply's first frame (malloc'd). */
static char *
fuzz_call(const uint8_t *req, size_t rlen, const uint8_t *d, size_t dlen,
    int has_data)
{
    zmq_pollitem_t pi;
    zmq_msg_t m;
    char *text;
    int more;

    if (zmq_send(fuzz_sock, req, rlen, has_data ? ZMQ_SNDMORE : 0) < 0 ||
        (has_data && zmq_send(fuzz_sock, d, dlen, 0) < 0))
        abort();
    pi = (zmq_pollitem_t){fuzz_sock, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&pi, 1, FUZZ_REPLY_MS) != 1)
        abort(); /* the node stopped answering */
    zmq_msg_init(&m);
    if (zmq_msg_recv(&m, fuzz_sock, 0) < 0 ||
        (text = malloc(zmq_msg_size(&m) + 1)) == NULL)
        abort();
    memcpy(text, zmq_msg_data(&m), zmq_msg_size(&m));
    text[zmq_msg_size(&m)] = '\0';
    for (more = zmq_msg_more(&m); more; more = zmq_msg_more(&m)) {
        zmq_msg_close(&m);
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, fuzz_sock, 0) < 0)
            abort();
    }
    zmq_msg_close(&m);
    return text;
}

/* 1 if the request would stop the node (it is not sent). */
static int
fuzz_stops(const uint8_t *req, size_t rlen)
{
    json_t *j = json_loadb((const char *)req, rlen, 0, NULL);
    const char *cmd = json_string_value(json_object_get(j, "cmd"));
    int stop = cmd != NULL && strcmp(cmd, "stop") == 0;

    json_decref(j);
    return stop;
}

/**
 * fuzz_control_stop():
 * Stop the node a replay started, and remove its home.
 */
static void fuzz_control_stop(void) __attribute__((unused));
static void
fuzz_control_stop(void)
{
    static const char stop[] = "{\"cmd\":\"stop\"}";
    char *rep;

    if (!fuzz_up)
        return;
    rep = fuzz_call((const uint8_t *)stop, strlen(stop), NULL, 0, 0);
    free(rep);
    if (pthread_join(fuzz_thread, NULL) != 0)
        abort();
    zmq_close(fuzz_sock);
    zmq_ctx_term(fuzz_zctx);
    if (seen_file_remove_tree(fuzz_base) != 0)
        abort();
    fuzz_up = 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *req, *nul, *d = NULL;
    size_t rlen, dlen = 0;
    json_t *rep;
    char *text;
    int has_data;

    if (size == 0)
        return 0;
    fuzz_start();
    has_data = data[0] & 1;
    req = data + 1;
    rlen = size - 1;
    if ((nul = memchr(req, 0, rlen)) != NULL) {
        d = nul + 1;
        dlen = (size_t)(req + rlen - d);
        rlen = (size_t)(nul - req);
    }
    if (fuzz_stops(req, rlen))
        return 0;
    text = fuzz_call(req, rlen, d, dlen, has_data);
    rep = json_loads(text, 0, NULL);
    if (!json_is_object(rep) || !json_is_boolean(json_object_get(rep, "ok")))
        abort();
    json_decref(rep);
    free(text);
    return 0;
}
