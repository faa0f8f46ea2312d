#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "common/clock.h"
#include "common/home.h"
#include "common/log.h"
#include "crypto/keys.h"
#include "match/prfbatch.h"
#include "match/tokens.h"
#include "node/control/control.h"
#include "node/custodian/alert.h"
#include "node/custodian/client.h"
#include "node/custodian/service.h"
#include "node/daemon.h"
#include "node/disclosure/disclosure.h"
#include "node/matching/indexer.h"
#include "node/matching/matcher.h"
#include "node/notify.h"
#include "node/replication/federation.h"
#include "node/restore.h"
#include "proto/control.h"
#include "proto/membership.h"
#include "proto/policy.h"
#include "storage/operators.h"
#include "storage/store.h"
#include "storage/unlock.h"
#include "xlog/xlog.h"
#include "seen.pb-c.h"

struct node {
    const char *home;
    struct seen_config cfg;
    struct seen_keys *keys;
    struct seen_store *store;
    struct seen_tokenizer *tk;
    struct seen_indexer ix;
    struct seen_fed *fed;
    struct seen_matcher mt;
    double stepped;            /* when the matcher last took a step */
    void *zctx;
    void *sock;                   /* the control socket (ROUTER) */
    int sock_peer;                /* its access: 1 peer, 0 claimed, -1 */
    int pidfd;
    time_t started, last_expiry;
    struct seen_policy *policy;
    struct seen_disclosure dis;
    struct seen_control *control; /* the control commands */
    struct seen_custodian *cust;  /* serves OPRF evaluations (issue 16) */
    struct seen_oprf_client *oprf; /* asks the custodians */
    int wake[2];                  /* the service wakes the loop: a pipe */
    struct seen_prfbatch *batch;  /* an OPRF epoch's batch (ptokens.c) */
    time_t republish_due;         /* records to publish again (0: none) */
    struct refusal {              /* custodians that refused our tokens, */
        char name[64];            /* for custodian_refused alerts raised */
        char op[64];              /* once the store is free */
        char purpose[16];
        uint64_t at;
    } refusals[8];
    size_t nrefusals;
    unsigned int republish_wait;  /* seconds before the next try */
    uint64_t republished;         /* records published again so far */
};

#define REPUBLISH_FIRST 10   /* s: a failed re-publication tried again */
#define REPUBLISH_MAX 600    /* s: ... backing off to at most this */
#define REPUBLISH_RECORDS 2048 /* records a transaction of it, so that
                                * the event loop serves what waits in
                                * between (an OPRF epoch: about 2 s) */

static int republish(struct node *n);
static void alert_refusals(struct node *n);

#define NOFILE_WANT 65536 /* open files asked for when unlimited */
#define MATCH_STEP 8192          /* leaves matched a step, at most */
#define MATCH_STEP_SECONDS 0.5   /* ...and the time a step may take */
#define MATCH_YIELD_AFTER 0.05   /* ...or this once a request or a peer's
                                    message waits (input_waiting) */
#define MATCH_WAITING_EVERY 1.0  /* s: while peers' messages keep waiting,
                                    a step at most this often */
#define YIELD_AFTER 0.2 /* seconds of a round of replication before a lead's
                           request waiting stops it (seen_fed_set_yield) */

static volatile sig_atomic_t got_signal;

static void
on_signal(int sig)
{

    got_signal = sig;
}

/* A damaged or truncated map can fault on read: say so, don't dump core. */
static void
on_fault(int sig)
{
    static const char msg[] =
        "seen-node: the store could not be read (memory fault): its file is "
        "damaged or truncated; stop the node and restore the store from a "
        "backup\n";
    ssize_t r;

    r = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)r;
    _exit(128 + sig);
}

/* ---- the control socket ---- */

/* A request read from the control socket. */
struct request {
    zmq_msg_t id; /* the client's identity (ROUTER) */
    zmq_msg_t m;  /* the request */
    zmq_msg_t d;  /* its binary frame, when has_data */
    int has_data;
};

/*
 * Read one request from ${sock} into ${r}, whose messages the caller
 * closes whatever happens.  Returns 0, or -1 when none is waiting.  A
 * request cut short is read as it is (and found malformed).
 */
static int
recv_request(void *sock, struct request *r)
{
    zmq_msg_t x;

    zmq_msg_init(&r->id);
    zmq_msg_init(&r->m);
    zmq_msg_init(&r->d);
    r->has_data = 0;
    /* ROUTER: identity, empty delimiter (REQ), request, [data]. */
    if (zmq_msg_recv(&r->id, sock, ZMQ_DONTWAIT) < 0)
        return -1;
    if (!zmq_msg_more(&r->id) || zmq_msg_recv(&r->m, sock, 0) < 0)
        goto drain;
    if (zmq_msg_size(&r->m) == 0 && zmq_msg_more(&r->m)) {
        zmq_msg_close(&r->m);
        zmq_msg_init(&r->m);
        if (zmq_msg_recv(&r->m, sock, 0) < 0)
            goto drain;
    }
    if (zmq_msg_more(&r->m)) {
        if (zmq_msg_recv(&r->d, sock, 0) < 0)
            goto drain;
        r->has_data = 1;
    }
drain:
    /* Frames beyond the data frame are dropped. */
    while (zmq_msg_more(&r->d) || (!r->has_data && zmq_msg_more(&r->m))) {
        zmq_msg_init(&x);
        zmq_msg_recv(&x, sock, 0);
        if (!zmq_msg_more(&x)) {
            zmq_msg_close(&x);
            break;
        }
        zmq_msg_close(&x);
    }
    return 0;
}

/* Send ${rep}, and ${outlen} bytes of ${out} when not NULL, to ${id}. */
static void
send_reply(
    void *sock, zmq_msg_t *id, json_t *rep, const char *out, size_t outlen)
{
    char *text = json_dumps(rep, JSON_COMPACT);

    zmq_msg_send(id, sock, ZMQ_SNDMORE);
    zmq_send(sock, "", 0, ZMQ_SNDMORE);
    if (text != NULL)
        zmq_send(sock, text, strlen(text), out ? ZMQ_SNDMORE : 0);
    else
        zmq_send(sock, "{\"ok\":false}", 12, out ? ZMQ_SNDMORE : 0);
    if (out != NULL)
        zmq_send(sock, out, outlen, 0);
    free(text);
}

/*
 * The Unix uid of the process that sent the frame ${m}: libzmq gives an
 * ipc connection's peer credentials (SO_PEERCRED, taken when it
 * connected) as the property "Peer-Address", "HOST:UID:GID:PID".
 * Returns the uid, or SEEN_UID_UNKNOWN when the property is missing or
 * not of that form.
 */
static long
peer_uid(zmq_msg_t *m)
{
    const char *pa = zmq_msg_gets(m, "Peer-Address"), *p;
    unsigned long uid, gid, pid;
    char *end;
    int colons = 0;

    if (pa == NULL)
        return SEEN_UID_UNKNOWN;
    /* From the end: PID, GID, UID, each after a colon. */
    for (p = pa + strlen(pa); p > pa && colons < 3; p--)
        if (p[-1] == ':')
            colons++;
    if (colons != 3 || *p != ':')
        return SEEN_UID_UNKNOWN;
    errno = 0;
    uid = strtoul(p + 1, &end, 10);
    if (errno != 0 || end == p + 1 || *end != ':' || uid > UINT32_MAX)
        return SEEN_UID_UNKNOWN;
    gid = strtoul(end + 1, &end, 10);
    if (*end != ':')
        return SEEN_UID_UNKNOWN;
    pid = strtoul(end + 1, &end, 10);
    if (*end != '\0')
        return SEEN_UID_UNKNOWN;
    (void)gid;
    (void)pid;
    return (long)uid;
}

/*
 * Who may reach the control socket: in claimed mode the node's Unix user
 * only (0600); in peer mode the group of the node home too (0660 and
 * that group; the pid file, which the CLI reads to know the node runs,
 * 0640), so that operators bound to other Unix users can connect
 * (docs/operations.md, "Operators who are people").  Applied when the
 * mode is first known and whenever it changes.
 */
static void
socket_access(struct node *n, int peer)
{
    char path[SEEN_PATH_LEN];
    struct stat sb;

    if (peer == n->sock_peer || peer < 0 ||
        seen_home_path(n->home, "control.sock", path, sizeof path) == NULL)
        return;
    n->sock_peer = peer;
    if (peer && stat(n->home, &sb) == 0 && chown(path, (uid_t)-1,
                                               sb.st_gid) != 0)
        seen_warn("cannot give the control socket the group of '%s': %s",
            n->home, strerror(errno));
    if (chmod(path, peer ? 0660 : 0600) != 0)
        seen_warn("cannot set the mode of '%s': %s", path, strerror(errno));
    /* The CLI reads the pid file to know that the node runs, and which. */
    if (n->pidfd >= 0 && peer && stat(n->home, &sb) == 0 &&
        fchown(n->pidfd, (uid_t)-1, sb.st_gid) != 0)
        seen_warn("cannot give the pid file the group of '%s': %s", n->home,
            strerror(errno));
    if (n->pidfd >= 0 && fchmod(n->pidfd, peer ? 0640 : 0600) != 0)
        seen_warn("cannot set the mode of the pid file: %s", strerror(errno));
    if (peer && stat(n->home, &sb) == 0 && (sb.st_mode & 0010) == 0)
        seen_warn("peer mode: operators other than the node's Unix user "
                  "cannot reach the control socket until '%s' is 0710 and "
                  "of their group",
            n->home);
    else if (peer)
        seen_info("peer mode: the control socket is open to the group of "
                  "'%s'; each request's Unix user is checked",
            n->home);
}

/* Serve one request waiting on the control socket, if there is one. */
static void
serve_one(struct node *n)
{
    struct request r;
    json_t *req, *rep;
    char *out;
    size_t outlen;

    if (recv_request(n->sock, &r) == 0) {
        req = json_loadb(zmq_msg_data(&r.m), zmq_msg_size(&r.m), 0, NULL);
        rep = seen_control_serve(n->control, peer_uid(&r.m), req,
            r.has_data ? zmq_msg_data(&r.d) : NULL,
            r.has_data ? zmq_msg_size(&r.d) : 0, &out, &outlen);
        send_reply(n->sock, &r.id, rep, out, outlen);
        free(out);
        json_decref(rep);
        json_decref(req);
        socket_access(n, seen_control_peer(n->control));
    }
    zmq_msg_close(&r.id);
    zmq_msg_close(&r.m);
    zmq_msg_close(&r.d);
}

/* Is an import session holding the store's write transaction? */
static int
importing(const struct node *n)
{

    return n->control != NULL && seen_control_importing(n->control);
}

/* Seconds between expiry passes, and the longest the event loop sleeps
 * while an import session is open (its idle limit is checked then). */
#define EXPIRY_EVERY 3600
/* Entries of other nodes dropped past their expiry in one pass, at most
 * (seen_matcher_expire): about a second of work. */
#define EXPIRY_LIMIT 8192
#define IMPORT_LOOK_EVERY 5

/*
 * The work of the node's own that falls due with time: abandon an import
 * session left idle, send disclosure requests again when due, and every
 * EXPIRY_EVERY seconds expire its records past their retain_until date
 * and drop the entries held of other origins past their expiry
 * (docs/protocol.md, "Retention").  Returns 1 when records were expired
 * (the matcher has work), else 0.  Writes nothing when nothing is due.
 */
static int
housekeeping(struct node *n)
{
    struct seen_index_stats st;
    struct seen_txn *txn;
    time_t now = time(NULL);
    int32_t today = seen_clock_day();
    uint64_t dropped = 0;
    size_t heard, peers;
    int rc;

    seen_control_import_idle(n->control, now);
    if (n->republish_due != 0 && now >= n->republish_due && !importing(n))
        (void)republish(n);
    alert_refusals(n);
    if (!importing(n) && n->fed != NULL && (uint64_t)now >= n->dis.next_due)
        (void)seen_disclosure_tick(&n->dis, (uint64_t)now);
    /* A restored node publishes nothing, retractions included, until it
     * has its own feed back (recover.c). */
    if (importing(n) || now - n->last_expiry < EXPIRY_EVERY ||
        (n->fed != NULL && seen_fed_recovering(n->fed, &heard, &peers)))
        return 0;
    n->last_expiry = now;
    memset(&st, 0, sizeof st);
    if (seen_store_begin(n->store, 1, &txn) != 0)
        return 0;
    rc = seen_indexer_expire(&n->ix, txn, today, (uint64_t)now, &st);
    if (rc != 0)
        seen_store_abort(txn);
    else
        rc = seen_store_commit(txn); /* frees txn either way */
    if (rc != 0) {
        seen_error("expiry failed: %s", seen_strerror(rc));
        return 0;
    }
    if (st.deleted) {
        seen_info("expired %llu records past their retain_until date",
            (unsigned long long)st.deleted);
        if (seen_fed_checkpoint_own(n->fed) != 0)
            seen_error("cannot sign a checkpoint of the feed");
    }
    /* The entries of other origins, whatever their origins do (logged
     * when it fails). */
    if ((rc = seen_matcher_expire(&n->mt, today, EXPIRY_LIMIT, &dropped)) >=
            0 &&
        dropped)
        seen_info("dropped %llu entries of other nodes past their expiry%s",
            (unsigned long long)dropped, rc == 1 ? "; more next second" : "");
    /* A backlog is dropped a second at a time, the loop served between. */
    if (rc == 1)
        n->last_expiry = now - EXPIRY_EVERY + 1;
    return st.deleted != 0;
}

/*
 * How long the event loop may sleep, in ms: until the next deadline of
 * replication (seen_fed_next), of a disclosure request to send again, of
 * expiry, or of an open import session's idle limit; never for nothing,
 * at most a minute.
 */
static long
sleep_ms(struct node *n)
{
    double now = seen_clock_mono(), wait = 60.0, d;
    time_t wall = time(NULL);

    if (importing(n))
        return IMPORT_LOOK_EVERY * 1000L;
    if ((d = seen_fed_next(n->fed) - now) < wait)
        wait = d;
    if (n->dis.next_due != UINT64_MAX &&
        (d = (double)n->dis.next_due - (double)wall) < wait)
        wait = d;
    if ((d = (double)(n->last_expiry + EXPIRY_EVERY - wall)) < wait)
        wait = d;
    if (n->republish_due != 0 &&
        (d = (double)(n->republish_due - wall)) < wait)
        wait = d;
    /* Round up: woken a little early, the loop would spin until due. */
    return wait <= 0 ? 0 : (long)(wait * 1000.0) + 1;
}

/*
 * A seen_fed_yield_fn (${ctx} the node): 1 when a request waits on the
 * control socket.  A round of a large catch-up applies seconds of
 * leaves once the store outgrows memory; a lead's query, or `seen
 * status`, is served between its messages rather than after them.
 */
static int
control_waiting(void *ctx)
{
    struct node *n = ctx;
    int ev = 0;
    size_t len = sizeof ev;

    return n->sock != NULL &&
           zmq_getsockopt(n->sock, ZMQ_EVENTS, &ev, &len) == 0 &&
           (ev & ZMQ_POLLIN) != 0;
}

/*
 * A seen_matcher_yield_fn (${ctx} the node): 1 when a request waits on
 * the control socket or a peer's message on the transport.  A step of
 * the matcher runs long (fewer commits) only while nothing else waits.
 */
static int
input_waiting(void *ctx)
{
    struct node *n = ctx;

    return control_waiting(n) || seen_fed_waiting(n->fed);
}

#define PIDFILE_TRIES 100     /* tries to lock the pid file... */
#define PIDFILE_WAIT_US 10000 /* ...this far apart: a second in all */
#define PIDFILE_DYING_TRIES 6000 /* a minute for a killed node to go */

/* The pid written in the pid file open on 'fd', or 0. */
static long
pidfile_pid(int fd)
{
    char buf[32];
    ssize_t len;

    len = pread(fd, buf, sizeof buf - 1, 0);
    buf[len > 0 ? len : 0] = '\0';
    return strtol(buf, NULL, 10);
}

static int
take_pidfile(struct node *n)
{
    char path[SEEN_PATH_LEN], buf[32];
    long pid;
    int len, tries, rc;

    if (seen_home_path(n->home, "seen-node.pid", path, sizeof path) == NULL)
        return SEEN_EINVAL;
    if ((n->pidfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0) {
        seen_errorp("cannot open '%s'", path);
        return SEEN_EIO;
    }
    /* A client asking whether a node runs (seen_home_running) holds a
     * shared lock for a moment: only a lock held for a second is a node
     * (a daemon that met such a probe as it started gave up, once, in
     * check_control under ASan).  A node killed while a thread of it
     * waited on the disk holds the lock until the disk answers (test_chaos
     * saw it take over 5 s on a loaded machine): that one is waited for,
     * up to a minute. */
    for (tries = 0; (rc = flock(n->pidfd, LOCK_EX | LOCK_NB)) != 0 &&
                    errno == EWOULDBLOCK &&
                    (tries < PIDFILE_TRIES ||
                        (tries < PIDFILE_DYING_TRIES &&
                            seen_pid_dying(pidfile_pid(n->pidfd))));
         tries++)
        usleep(PIDFILE_WAIT_US);
    if (rc != 0) {
        pid = pidfile_pid(n->pidfd);
        seen_error("a node is already running on '%s' (pid %ld)", n->home,
            pid);
        close(n->pidfd);
        n->pidfd = -1;
        return SEEN_EEXIST;
    }
    len = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
    if (ftruncate(n->pidfd, 0) != 0 || write(n->pidfd, buf, (size_t)len) != len)
        seen_errorp("cannot write '%s'", path);
    return SEEN_OK;
}

static int
bind_control(struct node *n)
{
    struct seen_operator_census cen;
    struct seen_txn *txn;
    char ep[SEEN_PATH_LEN], path[SEEN_PATH_LEN];
    int zero = 0, hwm = 1000;
    int64_t maxmsg = SEEN_CTL_MAX_MSG;

    if (seen_ctl_endpoint(n->home, ep, sizeof ep) == NULL ||
        seen_home_path(n->home, "control.sock", path, sizeof path) == NULL)
        return SEEN_EINVAL;
    if ((n->sock = zmq_socket(n->zctx, ZMQ_ROUTER)) == NULL)
        return SEEN_ERR;
    zmq_setsockopt(n->sock, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(n->sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
    zmq_setsockopt(n->sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
    unlink(path); /* a stale socket left by a killed daemon */
    if (zmq_bind(n->sock, ep) != 0) {
        seen_error("cannot bind the control socket '%s': %s", path,
            zmq_strerror(zmq_errno()));
        return SEEN_EIO;
    }
    if (chmod(path, 0600) != 0) {
        seen_errorp("cannot restrict '%s'", path);
        return SEEN_EIO;
    }
    n->sock_peer = 0;
    if (seen_store_begin(n->store, 0, &txn) == 0) {
        if (seen_operator_census(txn, &cen) == 0)
            socket_access(n, cen.bound > 0);
        seen_store_abort(txn);
    }
    return SEEN_OK;
}

static const char *
mt_type(void *ctx, const uint8_t pk[static 32])
{
    struct node *n = ctx;

    if (sodium_memcmp(pk, n->keys->sign_pk, 32) == 0)
        return n->cfg.type;
    return seen_fed_origin_type(n->fed, pk);
}

static const char *
mt_name(void *ctx, const uint8_t pk[static 32], char *buf, size_t len)
{
    struct node *n = ctx;

    if (sodium_memcmp(pk, n->keys->sign_pk, 32) == 0)
        return n->cfg.name;
    return seen_fed_origin_name(n->fed, pk, buf, len);
}

/* The held document to the custodian service and client: an OPRF epoch
 * opens this node's share (and serves it) when it is a custodian. */
static void
custodians_adopt(struct node *n)
{
    const struct seen_membership *doc;

    if (n->fed == NULL || (doc = seen_fed_doc(n->fed)) == NULL)
        return;
    if (n->cust != NULL && seen_custodian_adopt(n->cust, doc) == SEEN_EIO)
        seen_error("custodian: not serving (see above)");
    if (n->oprf != NULL && seen_oprf_client_adopt(n->oprf, doc) != 0)
        seen_error("custodians: out of memory");
}

/*
 * Publish this node's records again under the tokenizer it now holds, if
 * the store's entries are of another epoch (seen_indexer_retokenize).
 * In an OPRF epoch the custodians evaluate the tokens: when they cannot,
 * nothing is written and it is tried again, REPUBLISH_FIRST seconds later
 * and backing off to REPUBLISH_MAX (housekeeping).  Returns 0, or the
 * error (logged).
 */
static int
republish(struct node *n)
{
    struct seen_index_stats st;
    struct seen_txn *txn;
    uint32_t epoch = seen_tokenizer_epoch(n->tk);
    int rc, more = 0;

    n->republish_due = 0;
    memset(&st, 0, sizeof st);
    if ((rc = seen_store_begin(n->store, 1, &txn)) != 0)
        return rc;
    if ((rc = seen_indexer_retokenize(&n->ix, txn, (uint64_t)time(NULL),
             REPUBLISH_RECORDS, &st, &more)) != 0)
        seen_store_abort(txn);
    else
        rc = seen_store_commit(txn); /* frees txn either way */
    if (rc != 0) {
        /* What this batch did is undone: go over every record again
         * (those published already are passed over). */
        n->ix.retok_alen = 0;
        seen_error("cannot publish records under epoch %u: %s", epoch,
            seen_strerror(rc));
        if (seen_indexer_oprf(&n->ix)) {
            n->republish_wait = n->republish_wait == 0 ? REPUBLISH_FIRST
                : n->republish_wait * 2 > REPUBLISH_MAX
                ? REPUBLISH_MAX
                : n->republish_wait * 2;
            n->republish_due = time(NULL) + (time_t)n->republish_wait;
            seen_info("publishing the records under epoch %u again in "
                      "%u s",
                epoch, n->republish_wait);
        }
        return rc;
    }
    n->republish_wait = 0;
    n->republished += st.records;
    if (more) {
        /* The next batch from the event loop, once what waits is done. */
        n->republish_due = time(NULL);
        return 0;
    }
    if (n->republished > 0) {
        seen_info("published %llu records again under epoch %u",
            (unsigned long long)n->republished, epoch);
        n->republished = 0;
        if (n->fed != NULL && seen_fed_checkpoint_own(n->fed) != 0)
            seen_error("cannot sign a checkpoint of the feed");
    }
    return 0;
}

/* Keep, for alert_refusals, each custodian that refused the last call of
 * the client over its limits. */
static void
note_refusals(struct node *n, const char *purpose, const char *op)
{
    const struct seen_oprf_client_custodian *r;
    struct refusal *f;
    size_t i, k;

    r = seen_oprf_client_report(n->oprf, &k);
    for (i = 0; i < k; i++) {
        if (r[i].status != SEEN__OPRF_STATUS__OPRF_REFUSED_LIMIT ||
            n->nrefusals == sizeof n->refusals / sizeof n->refusals[0])
            continue;
        f = &n->refusals[n->nrefusals++];
        snprintf(f->name, sizeof f->name, "%s", r[i].name);
        snprintf(f->op, sizeof f->op, "%s", op != NULL ? op : "");
        snprintf(f->purpose, sizeof f->purpose, "%s", purpose);
        f->at = (uint64_t)time(NULL);
    }
}

/* Raise the custodian_refused alerts noted (note_refusals), now that the
 * store is free; each once a custodian, operator and day
 * (node/custodian/alert.h). */
static void
alert_refusals(struct node *n)
{
    struct seen_txn *txn;
    size_t i;
    int rc = 0;

    if (n->nrefusals == 0 || importing(n) ||
        seen_store_begin(n->store, 1, &txn) != 0)
        return;
    for (i = 0; i < n->nrefusals && rc == 0; i++)
        rc = seen_custodian_alert(txn, SEEN_CUSTODIAN_ALERT_REFUSED,
            n->refusals[i].name, n->refusals[i].op, n->refusals[i].purpose,
            n->refusals[i].at);
    if (rc != 0)
        seen_store_abort(txn);
    else
        rc = seen_store_commit(txn); /* frees txn either way */
    if (rc != 0)
        seen_error("custodians: cannot store the alert of a refusal: %s",
            seen_strerror(rc));
    n->nrefusals = 0;
}

/*
 * The indexer's fill function in an OPRF epoch (indexer.h): the
 * custodians evaluate every input of ${b} that has no output yet (an
 * import keeps its batch from one request to the next); the first 16
 * bytes of each output are kept.  Returns 0 or seen_oprf_client_eval's error.
 */
static int
oprf_fill(void *ctx, struct seen_prfbatch *b, const char *purpose,
    const char *op)
{
    struct node *n = ctx;
    const uint8_t *const *ins;
    const size_t *lens;
    uint8_t(*out)[SEEN_OPRF_OUTPUT];
    size_t i, from = seen_prfbatch_pending(b);
    size_t k = seen_prfbatch_count(b) - from;
    int rc;

    if (k == 0)
        return 0;
    seen_prfbatch_inputs(b, &ins, &lens);
    if ((out = malloc(k * sizeof *out)) == NULL)
        return SEEN_ENOMEM;
    rc = seen_oprf_client_eval(n->oprf, purpose, op, ins + from, lens + from,
        k, out);
    if (rc == SEEN_EPERM)
        note_refusals(n, purpose, op);
    for (i = 0; rc == 0 && i < k; i++)
        rc = seen_prfbatch_set(b, from + i, out[i]);
    sodium_memzero(out, k * sizeof *out);
    free(out);
    return rc;
}

/*
 * The held document's epoch ${epoch} is an OPRF epoch: from now the
 * node's tokens are made through the custodians (a tokenizer without a
 * key), and its records are published again under it, from the event
 * loop (housekeeping), not here.
 */
static void
oprf_epoch(struct node *n, uint32_t epoch)
{
    struct seen_tokenizer *tk;
    const struct seen_membership *doc;
    enum seen_token_mode mode = SEEN_TOKENS_OPRF;

    if (n->fed != NULL && (doc = seen_fed_doc(n->fed)) != NULL &&
        seen_membership_oprf_encoding(doc) ==
            SEEN_MEMBERSHIP_ENCODING_ANCHORED)
        mode = SEEN_TOKENS_ANCHORED;
    if (n->tk != NULL && seen_tokenizer_epoch(n->tk) == epoch &&
        seen_tokenizer_mode(n->tk) == mode)
        return;
    if (n->batch == NULL && (n->batch = seen_prfbatch_new()) == NULL)
        return;
    if ((tk = seen_tokenizer_new_mode(NULL, epoch, mode)) == NULL)
        return;
    seen_tokenizer_destroy(&n->tk);
    n->tk = tk;
    n->ix.tk = tk;
    n->ix.batch = n->batch;
    n->ix.fill = oprf_fill;
    n->ix.fill_ctx = n;
    seen_info("OPRF epoch %u: tokens are made through the custodians "
              "(%s encoding)",
        epoch, mode == SEEN_TOKENS_ANCHORED ? "anchored" : "whole-value");
    n->republish_wait = 0;
    n->republish_due = time(NULL);
}

/* A newer membership document grants a match key: tokens change epoch. */
static void
on_adopt(void *ctx, const uint8_t *key, uint32_t epoch)
{
    struct node *n = ctx;
    struct seen_tokenizer *tk;

    custodians_adopt(n);
    /* The document also says how long the tokens we publish are. */
    if (n->fed != NULL &&
        n->ix.short_tokens != (seen_fed_token_bytes(n->fed) == 8)) {
        n->ix.short_tokens = seen_fed_token_bytes(n->fed) == 8;
        seen_info("publishing tokens of %u bytes",
            n->ix.short_tokens ? 8u : 16u);
    }
    if (key == NULL) {
        uint32_t oe;

        if (n->oprf != NULL &&
            (oe = seen_oprf_client_epoch(n->oprf, NULL, NULL)) != 0)
            oprf_epoch(n, oe);
        else
            seen_warn("the membership document grants this node no match "
                      "key: keeping epoch %u",
                seen_tokenizer_epoch(n->tk));
        return;
    }
    if (n->tk != NULL && seen_tokenizer_epoch(n->tk) == epoch)
        return;
    if ((tk = seen_tokenizer_new(key, epoch)) == NULL)
        return;
    seen_tokenizer_destroy(&n->tk);
    n->tk = tk;
    n->ix.tk = tk;
    n->ix.batch = NULL;
    seen_info("match key of epoch %u in use", epoch);
    /* Entries made under another epoch's key match nothing now: publish
     * our records again under this one (once; a no-op when they are). */
    if (n->ix.store != NULL && !importing(n))
        (void)republish(n);
}

/*
 * A home its group may pass through (0710, for peer mode's control
 * socket) must keep everything in it to the node's user: refuse any entry
 * but the socket and the pid file that grants its group or others
 * anything.
 * Returns 0, or SEEN_EPERM (logged, naming the entry).
 */
static int
home_closed(const char *home)
{
    char path[SEEN_PATH_LEN];
    struct dirent *e;
    struct stat sb;
    DIR *d;
    int rc = 0;

    if ((d = opendir(home)) == NULL) {
        seen_errorp("cannot read '%s'", home);
        return SEEN_EPERM;
    }
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
            strcmp(e->d_name, "control.sock") == 0 ||
            strcmp(e->d_name, "seen-node.pid") == 0)
            continue;
        if (seen_home_path(home, e->d_name, path, sizeof path) == NULL ||
            lstat(path, &sb) != 0)
            continue;
        if ((sb.st_mode & 077) != 0) {
            seen_error("'%s' is open to the group of '%s', which may pass "
                       "through it to the control socket: chmod go= it",
                path, home);
            rc = SEEN_EPERM;
        }
    }
    closedir(d);
    return rc;
}

/*
 * Between reading the configuration and the keystore: log at the level
 * it sets, refuse a home others can read, and take the pid file, so that
 * a second daemon stops before it asks the keystore anything.
 */
static int
on_config(void *ctx, const struct seen_config *cfg)
{
    struct node *n = ctx;
    struct stat sb;

    seen_log_init("seen-node", cfg->log_level);
    if (stat(n->home, &sb) == 0 && (sb.st_mode & 067) != 0) {
        seen_error("'%s' is open to other users: chmod 700 it (710 to let "
                   "its group reach the control socket in peer mode)",
            n->home);
        return SEEN_EPERM;
    }
    if ((sb.st_mode & 010) != 0 && home_closed(n->home) != 0)
        return SEEN_EPERM;
    return take_pidfile(n);
}

/* The custodian service (its journal, today's counts and a fold of what a
 * crash left) and the client, before the federation adopts anything. */
static int
custodians_open(struct node *n)
{
    const struct seen_custodian_limits lim = {
        n->cfg.custodian_member_limit, n->cfg.custodian_operator_limit};
    int rc;

    if (pipe2(n->wake, O_NONBLOCK | O_CLOEXEC) != 0) {
        seen_error("cannot make a pipe: %s", strerror(errno));
        return SEEN_ERR;
    }
    if ((rc = seen_custodian_new(n->keys, n->home, &lim, n->wake[1],
             &n->cust)) != 0 ||
        (rc = seen_custodian_recover(n->cust, n->store)) != 0 ||
        (rc = seen_oprf_client_new(n->zctx, n->keys,
             n->cfg.custodian_timeout, &n->oprf)) != 0)
        return rc;
    return 0;
}

/* The service journalled requests: fold them into the exchange log now
 * that the store is free (an import holds it otherwise). */
static void
custodians_fold(struct node *n)
{
    char buf[256];

    while (read(n->wake[0], buf, sizeof buf) > 0)
        ;
    if (seen_custodian_fold(n->cust, n->store) != 0)
        seen_warn("custodian: the journal is kept for the next fold");
}

static int
open_node(struct node *n, const char *pass, size_t passlen)
{
    const struct seen_unlock_opts uo = {pass, passlen, 1, on_config, n};
    struct seen_unlock u;
    char path[SEEN_PATH_LEN], why[SEEN_PATH_LEN + 64];
    int rc;

    /* The libraries log each failure where they find it; a wrong
     * passphrase is said again in the words docs/operations.md lists. */
    if ((rc = seen_unlock_home(n->home, &uo, &u, why, sizeof why)) != 0) {
        if (rc == SEEN_EAUTH)
            seen_error("%s", why);
        return rc;
    }
    /* The node owns the configuration, keys and store from here. */
    n->cfg = u.cfg;
    n->keys = u.keys;
    n->store = u.store;
    u.keys = NULL;
    u.store = NULL;
    if (n->cfg.check_on_start && (rc = seen_store_check(n->store)) != 0)
        return rc;
    if ((rc = seen_node_restore(n->home, n->store, n->keys)) != 0)
        return rc;
    if ((n->tk = seen_tokenizer_new(n->keys->match_key,
             n->keys->match_epoch)) == NULL)
        return SEEN_ENOMEM;
    if ((rc = seen_indexer_init(&n->ix, n->store, n->keys, n->tk)) != 0)
        return rc;
    if ((n->zctx = zmq_ctx_new()) == NULL)
        return SEEN_ERR;
    if ((rc = custodians_open(n)) != 0)
        return rc;
    if ((rc = seen_fed_new(n->store, n->keys, n->zctx, n->cfg.listen,
             n->cfg.peers, on_adopt, n, &n->fed)) != 0)
        return rc;
    custodians_adopt(n);
    seen_fed_set_opts(n->fed,
        &(struct seen_fed_opts){n->cfg.heads_every, n->cfg.checkpoint_every,
            n->cfg.witnesses});
    seen_fed_set_share(n->fed, n->cfg.share_messages);
    {
        uint8_t key[32];
        uint32_t epoch;

        if (seen_fed_match_key(n->fed, key, &epoch) == 0)
            on_adopt(n, key, epoch);
        else if (seen_oprf_client_epoch(n->oprf, NULL, NULL) != 0)
            on_adopt(n, NULL, 0);
        sodium_memzero(key, sizeof key);
    }
    if ((rc = seen_fed_checkpoint_own(n->fed)) != 0)
        return rc;
    /* The partnership agreement (docs/operations.md): none means every
     * request is queued for the lead; a damaged one stops the node, so
     * that nobody runs for weeks believing the agreement is applied. */
    if (seen_home_path(n->home, "agreement.json", path, sizeof path) == NULL)
        return SEEN_EINVAL;
    rc = seen_policy_load(path, &n->policy);
    if (rc == SEEN_ENOTFOUND)
        seen_warn("no partnership agreement (%s): every disclosure "
                    "request is queued for a lead", path);
    else if (rc != 0)
        return rc;
    else
        seen_info("partnership agreement '%s' version %llu: %zu rules",
            seen_policy_agreement(n->policy),
            (unsigned long long)seen_policy_version(n->policy),
            seen_policy_rules(n->policy));
    n->dis = (struct seen_disclosure){.store = n->store, .keys = n->keys,
        .fed = n->fed, .policy = n->policy, .node = n->cfg.name,
        .type = n->cfg.type};
    seen_fed_set_handler(n->fed, seen_disclosure_on_message, &n->dis);
    seen_fed_set_yield(n->fed, control_waiting, n, YIELD_AFTER);
    n->mt = (struct seen_matcher){n->store, mt_type, mt_name, n, 0, 0, 0, 0,
        input_waiting, n, MATCH_YIELD_AFTER};
    n->started = time(NULL);
    if ((n->control = seen_control_new(&(struct seen_control_node){&n->cfg,
             n->keys, n->store, &n->ix, n->fed, &n->mt, &n->dis,
             n->started, n->home, n->cust, n->oprf})) == NULL)
        return SEEN_ENOMEM;
    return bind_control(n);
}

/*
 * Sign a checkpoint of the whole exchange log before stopping, so that an
 * export of a stopped node is covered to its last leaf (a decision made
 * just before the stop, say).  Published with the next envelope after a
 * restart.  A node that refuses to sign (xlog.h) stays silent here.
 */
static void
checkpoint_on_exit(struct node *n)
{
    Seen__Checkpoint cp = SEEN__CHECKPOINT__INIT;
    uint8_t buf[SEEN_CHECKPOINT_BUF];
    struct seen_txn *txn;
    int rc;

    if (seen_store_begin(n->store, 1, &txn) != 0)
        return;
    rc = seen_xlog_checkpoint(txn, n->keys, (uint64_t)time(NULL), &cp, buf);
    if (rc != 0)
        seen_store_abort(txn);
    else if ((rc = seen_store_commit(txn)) != 0)
        seen_error("exchange log: cannot store the last checkpoint: %s",
            seen_strerror(rc));
}

static void
close_node(struct node *n)
{
    char path[SEEN_PATH_LEN];

    seen_control_destroy(&n->control); /* abandons an open import */
    if (n->store != NULL && n->keys != NULL)
        checkpoint_on_exit(n);
    if (n->sock != NULL) {
        zmq_close(n->sock);
        if (seen_home_path(n->home, "control.sock", path, sizeof path))
            unlink(path);
    }
    seen_custodian_destroy(&n->cust); /* stops its thread */
    seen_oprf_client_destroy(&n->oprf);
    seen_prfbatch_destroy(&n->batch);
    if (n->wake[0] >= 0) {
        close(n->wake[0]);
        close(n->wake[1]);
    }
    seen_fed_destroy(&n->fed);
    seen_policy_destroy(&n->policy);
    if (n->zctx != NULL)
        zmq_ctx_term(n->zctx);
    seen_store_destroy(&n->store);
    seen_tokenizer_destroy(&n->tk);
    seen_keys_destroy(&n->keys);
    if (n->pidfd >= 0)
        close(n->pidfd); /* releases the lock */
}

/*
 * Raise the soft limit on open files to the hard one (at most
 * NOFILE_WANT when the hard limit is unlimited), and say what the node
 * got: each peer, connection and stranger's handshake holds a descriptor
 * (the transport keeps a reserve of them free; docs/operations.md sets
 * LimitNOFILE= in the unit).
 */
static void
raise_nofile(void)
{
    struct rlimit rl;
    rlim_t was;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
        seen_warn("cannot read the open-file limit: %s", strerror(errno));
        return;
    }
    was = rl.rlim_cur;
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? NOFILE_WANT : rl.rlim_max;
    if (rl.rlim_cur > was && setrlimit(RLIMIT_NOFILE, &rl) != 0) {
        seen_warn("cannot raise the open-file limit from %llu to %llu: %s",
            (unsigned long long)was, (unsigned long long)rl.rlim_cur,
            strerror(errno));
        rl.rlim_cur = was;
    }
    if (rl.rlim_cur < was)
        rl.rlim_cur = was;
    seen_info("open files: limit %llu (was %llu; hard limit %s%llu)",
        (unsigned long long)rl.rlim_cur, (unsigned long long)was,
        rl.rlim_max == RLIM_INFINITY ? "unlimited, " : "",
        (unsigned long long)(rl.rlim_max == RLIM_INFINITY ? NOFILE_WANT
                                                         : rl.rlim_max));
}

/*
 * Match what arrived or was imported, a bounded step at a time
 * (MATCH_STEP leaves, MATCH_STEP_SECONDS, or MATCH_YIELD_AFTER once a
 * request or a peer's message waits: they wait for it, and each step is
 * a commit): only when something came in (${came}), or the last step
 * left work (${busy}); after a round, not between the parts of one a
 * lead's request cut.  While peers' messages keep waiting (a catch-up),
 * replication comes first: a step at most every MATCH_WAITING_EVERY
 * seconds, so that a new member holds the entries, and answers queries
 * on them, sooner, and matches the rest in long steps once they stop
 * coming.  Returns 1 when a step is owed or left work, else 0.
 */
static int
match_step(struct node *n, int busy, int came)
{
    int r;

    if (importing(n) || seen_fed_pending(n->fed) || !(busy || came))
        return busy;
    if (seen_fed_waiting(n->fed) &&
        seen_clock_mono() - n->stepped < MATCH_WAITING_EVERY)
        return 1; /* owed: once they stop, or later */
    r = seen_matcher_step_until(
        &n->mt, MATCH_STEP, seen_clock_mono() + MATCH_STEP_SECONDS);
    n->stepped = seen_clock_mono();
    return r > 0;
}

/**
 * seen_daemon_run(home, pass, passlen):
 * Run the node whose home is ${home} until SIGTERM, SIGINT or a "stop"
 * command: unlock its keystore with ${pass}, open its store, bind its
 * control socket, and serve.  ${pass} is not retained.  Returns 0 after a
 * clean stop; SEEN_EAUTH for a wrong passphrase; SEEN_EEXIST when a
 * daemon already runs on ${home}; another code when the node cannot
 * start (each logged).
 */
int
seen_daemon_run(const char *home, const char *pass, size_t passlen)
{
    struct sigaction sa;
    struct node n;
    int rc, busy = 1; /* one step at start: catch up with what is held */

    memset(&n, 0, sizeof n);
    n.wake[0] = n.wake[1] = -1;
    n.home = home;
    n.pidfd = -1;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = on_fault;
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    raise_nofile();
    if ((rc = open_node(&n, pass, passlen)) != 0) {
        close_node(&n);
        return rc;
    }
    n.last_expiry = time(NULL) - EXPIRY_EVERY; /* expire soon after start */
    if (seen_clock_day_shift() != 0)
        seen_warn("retention's day is shifted by %d days (%s): for tests "
                  "only",
            (int)seen_clock_day_shift(), SEEN_CLOCK_DAY_SHIFT_ENV);
    seen_info("node '%s' (%s, %s) running, pid %ld", n.cfg.name, n.cfg.type,
        n.cfg.local_authority, (long)getpid());
    /* The control socket is bound and the store open: a unit of
     * Type=notify is started now, and units after it may use the node. */
    (void)seen_notify("READY=1\nSTATUS=serving");
    while (!seen_control_stopping(n.control) && !got_signal) {
        zmq_pollitem_t pi[2 + SEEN_FED_POLLITEMS];
        size_t got = 0;

        pi[0] = (zmq_pollitem_t){n.sock, 0, ZMQ_POLLIN, 0};
        seen_fed_pollitems(n.fed, pi + 1);
        /* Last: the custodian service's journal to fold (not while an
         * import holds the store). */
        pi[1 + SEEN_FED_POLLITEMS] =
            (zmq_pollitem_t){NULL, n.wake[0], ZMQ_POLLIN, 0};
        /* An open import session holds the store's one write transaction
         * (per thread: LMDB would wait on itself), so replication waits
         * for it to end; peers' messages stay queued meanwhile (only the
         * transport's connection events, its first item, are read).  At rest
         * the loop sleeps until the next thing falls due. */
        rc = zmq_poll(pi, importing(&n) ? 2 : 2 + SEEN_FED_POLLITEMS,
            busy || (!importing(&n) && seen_fed_pending(n.fed))
                ? 0
                : sleep_ms(&n));
        if (rc < 0 && zmq_errno() != EINTR) {
            seen_error("poll: %s", zmq_strerror(zmq_errno()));
            break;
        }
        if (rc > 0 && (pi[0].revents & ZMQ_POLLIN)) {
            /* Serve everything queued before other work. */
            int more;
            size_t ml = sizeof more;

            do {
                serve_one(&n);
                more = 0;
                if (zmq_getsockopt(n.sock, ZMQ_EVENTS, &more, &ml) != 0)
                    break;
            } while ((more & ZMQ_POLLIN) && !seen_control_stopping(n.control));
        }
        if (!importing(&n) && rc > 0 &&
            (pi[1 + SEEN_FED_POLLITEMS].revents & ZMQ_POLLIN))
            custodians_fold(&n);
        if (importing(&n)) /* the connections' events still count */
            seen_fed_watch(n.fed);
        else {
            got = seen_fed_service(n.fed, pi + 1);
            if (seen_clock_mono() >= seen_fed_next(n.fed))
                seen_fed_tick(n.fed);
        }
        if (housekeeping(&n))
            got = 1;
        busy = match_step(&n, busy, got > 0 || rc > 0);
    }
    (void)seen_notify("STOPPING=1");
    seen_info("node '%s' stopping%s", n.cfg.name,
        importing(&n) ? ": an unfinished import is abandoned, nothing of it "
                        "stored"
                      : "");
    close_node(&n);
    return SEEN_OK;
}
