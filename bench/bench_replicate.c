/*
 * bench_replicate: replication throughput between two nodes over
 * loopback, against the raw ZeroMQ CURVE message rate and the raw LMDB
 * batched-put rate measured in the same run.
 *
 *   bench_replicate [--households N] [--lab30 HOUSEHOLDS]
 *
 * Brings up a two-node lab with the real binaries (beside this one),
 * stops the receiver, imports generated records into the sender, starts
 * the receiver again and times until it holds the sender's whole feed.
 * With --lab30 it also brings up the 30-node lab of the six areas,
 * imports generated records everywhere and times convergence.  Prints
 * figures; never passes or fails.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "bench/benchutil.h"
#include "bench/storesize.h"
#include "common/clock.h"

static char bin[2048], dir[256];

/* ---- raw ZeroMQ CURVE: PUSH -> PULL over tcp loopback ---- */

#define RAW_MSGS 300000
static char srv_pk[41], srv_sk[41], cli_pk[41], cli_sk[41];
static int raw_port;

/* The PULL end of the raw CURVE rate, a thread of context ${ctx}: bind,
 * publish the port and receive RAW_MSGS messages. */
static void *
raw_sink(void *ctx)
{
    void *s = zmq_socket(ctx, ZMQ_PULL);
    int one = 1, i, hwm = 100000;
    char ep[64], buf[256];
    size_t elen = sizeof ep;

    zmq_setsockopt(s, ZMQ_CURVE_SERVER, &one, sizeof one);
    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, srv_sk, 40);
    zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_bind(s, "tcp://127.0.0.1:*");
    zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, ep, &elen);
    raw_port = atoi(strrchr(ep, ':') + 1);
    for (i = 0; i < RAW_MSGS; i++)
        zmq_recv(s, buf, sizeof buf, 0);
    zmq_close(s);
    return NULL;
}

/* ZeroMQ CURVE messages per second, PUSH to PULL over loopback. */
static double
raw_curve_rate(void)
{
    void *ctx = zmq_ctx_new(), *s;
    char ep[64], msg[100];
    pthread_t th;
    double t0, t;
    int i, hwm = 100000, zero = 0;

    zmq_curve_keypair(srv_pk, srv_sk);
    zmq_curve_keypair(cli_pk, cli_sk);
    pthread_create(&th, NULL, raw_sink, ctx);
    while (raw_port == 0)
        usleep(1000);
    s = zmq_socket(ctx, ZMQ_PUSH);
    zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, srv_pk, 40);
    zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, cli_pk, 40);
    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, cli_sk, 40);
    zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
    snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", raw_port);
    zmq_connect(s, ep);
    memset(msg, 'x', sizeof msg);
    zmq_send(s, msg, sizeof msg, 0); /* the handshake */
    t0 = seen_clock_mono();
    for (i = 1; i < RAW_MSGS; i++)
        zmq_send(s, msg, sizeof msg, 0);
    pthread_join(th, NULL);
    t = seen_clock_mono() - t0;
    zmq_close(s);
    zmq_ctx_term(ctx);
    return (RAW_MSGS - 1) / t;
}

/* ---- raw LMDB: sequential-key batched puts, as a replica appends ---- */

/* The number after "${key}": in `seen status --json` of node ${home},
 * after "${within}": when that is not NULL; 0 when absent, -1 when the
 * status cannot be read. */
static long
status_num(const char *home, const char *within, const char *key)
{
    char cmd[8192], buf[65536], k[256], *p = NULL;
    size_t n;
    FILE *f;

    snprintf(cmd, sizeof cmd, "%s/seen --home %s status --json 2>/dev/null",
        bin, home);
    if ((f = popen(cmd, "r")) == NULL)
        return -1;
    n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    if (pclose(f) != 0)
        return -1;
    snprintf(k, sizeof k, "\"%s\":", key);
    if ((within != NULL && (p = strstr(buf, within)) == NULL) ||
        (p = strstr(p != NULL ? p : buf, k)) == NULL)
        return 0;
    return atol(p + strlen(k));
}

/* The size of feed ${origin} held by node ${home}, from `seen status`. */
static long
feed_size(const char *home, const char *origin)
{

    return status_num(home, "\"feeds\":", origin);
}

/*
 * The new member ${home}, started at ${t0} and holding the feed: a query
 * it answers from the index while its matcher is still catching up, then
 * how long until the matcher has matched every entry (at most until
 * ${t0} + ${limit}).
 */
static void
serving(const char *home, double t0, double limit)
{
    double t1;
    long behind;

    /* The new member serves queries from the index while its matcher is
     * still catching up: a query, and how far behind matching is. */
    fflush(stdout);
    t1 = seen_clock_mono();
    bench_sh("cd %s/data && q=$(/usr/bin/python3 -c 'import json,sys\n"
             "for p in json.loads(open(\"sender.jsonl\").readline())"
             "[\"people\"]:\n"
             "  if p.get(\"date_of_birth\"): print(p[\"given_name\"].split()[0],"
             " p[\"family_name\"].split()[0], p[\"date_of_birth\"]); break')"
             " && set -- $q && %s/seen --home %s/lab/receiver --as lead query "
             "--purpose bench --given \"$1\" --family \"$2\" --dob \"$3\" "
             "--json >%s/q.json 2>&1; printf '  a query at the receiver: "
             "exit %%s, %%s bytes of answer, ' $? $(wc -c <%s/q.json)",
        dir, bin, dir, dir, dir);
    printf("%.2f s after it held the feed, %.0f s after it started; ",
        seen_clock_mono() - t1, seen_clock_mono() - t0);
    fflush(stdout);
    printf("matcher %ld behind\n",
        status_num(home, "\"matching\":", "behind"));
    /* Matching done: the new member's answers are whole. */
    do {
        usleep(200000);
        behind = status_num(home, "\"matching\":", "behind");
    } while (behind != 0 && seen_clock_mono() - t0 < limit);
    printf("  matched every entry %.0f s after it started (matcher %ld "
           "behind)\n",
        seen_clock_mono() - t0, behind);
}

/*
 * Time replication of ${households} households of generated police
 * records between two nodes of a new lab, and print it with the ratios
 * to the raw limits ${curve} (messages/s) and ${lmdb} (puts/s).  Returns
 * 0, or -1 if the lab does not come up.
 */
static int
bench_two(long households, double curve, double lmdb)
{
    long a, b, first, nasks = 0;
    double t0, t1, t, rate, next, ask, wait_max = 0, wait_sum = 0;
    /* Time enough for a large catch-up: an hour, or 10 ms a household. */
    double limit = households / 100.0 > 3600 ? households / 100.0 : 3600;
    char home[512];

    /* Two nodes; the receiver is down while the sender imports. */
    bench_sh(
        "cat > %s/two.json <<'EOF'\n{\"federation\": \"bench\", \"nodes\": ["
        "{\"name\": \"sender\", \"type\": \"police\", \"local_authority\": "
        "\"Reading\"}, {\"name\": \"receiver\", \"type\": \"social_care\", "
        "\"local_authority\": \"Reading\"}]}\nEOF",
        dir);
    if (bench_sh(
            "%s/seen lab up %s/lab %s/two.json >/dev/null", bin, dir, dir) != 0)
        return -1;
    snprintf(home, sizeof home, "%s/lab/passphrase", dir);
    setenv("SEEN_PASSPHRASE_FILE", home, 1);
    bench_sh("%s/seen --home %s/lab/receiver node stop >/dev/null", bin, dir);
    bench_sh(
        "%s/seen-synth --node sender --type police --local-authority Reading "
        "--households %ld --seed 9 --out %s/data 2>/dev/null",
        bin, households, dir);
    t0 = seen_clock_mono();
    /* In files of 50,000 records, as an agency loads years of records:
     * each import is one transaction. */
    bench_sh("cd %s/data && split -l 50000 -d -a 4 sender.jsonl part. && "
             "for f in part.*; do %s/seen --home %s/lab/sender import "
             "--quiet \"$f\" 2>/dev/null || exit 1; done",
        dir, bin, dir);
    t = seen_clock_mono() - t0;
    snprintf(home, sizeof home, "%s/lab/sender", dir);
    a = feed_size(home, "sender");
    printf("sender imported %ld entries in %.1f s\n", a, t);
    bench_sh("%s/seen --home %s/lab/receiver node start >/dev/null", bin, dir);
    t0 = seen_clock_mono();
    snprintf(home, sizeof home, "%s/lab/receiver", dir);
    /* Time from the first batch applied (connection set up, receiver's
     * start-up and the reconnection backoff excluded) to the last. */
    do {
        usleep(50000);
        first = feed_size(home, "sender");
    } while (first <= 0 && seen_clock_mono() - t0 < 600);
    t1 = seen_clock_mono();
    /* A line a minute on a long run: how a large catch-up goes. */
    next = t1 + 60;
    do {
        usleep(50000);
        ask = seen_clock_mono();
        b = feed_size(home, "sender");
        /* How long the status waited for the node's loop: what a lead's
         * query waits while the node catches up. */
        ask = seen_clock_mono() - ask;
        wait_max = ask > wait_max ? ask : wait_max;
        wait_sum += ask;
        nasks++;
        if (seen_clock_mono() >= next) {
            printf("  %6.0f s: %ld entries held, matcher %ld behind\n",
                seen_clock_mono() - t0, b,
                status_num(home, "\"matching\":", "behind"));
            fflush(stdout);
            next += 60;
        }
    } while (b < a && seen_clock_mono() - t0 < limit);
    t = seen_clock_mono() - t1;
    rate = (b - first) / t;
    printf("replication benchmark: %ld entries from sender to receiver; "
           "first batch after %.1f s, the rest (%ld) in %.1f s\n",
        b, t1 - t0, b - first, t);
    printf(
        "  replication          %10.0f entries/s   target >= 100000\n", rate);
    printf("  the receiver's status, asked every 50 ms while it caught up, "
           "answered in %.2f s on average, %.2f s at most (%ld asked)\n",
        nasks ? wait_sum / nasks : 0, wait_max, nasks);
    printf("raw limits measured in this run:\n");
    printf("  ZeroMQ CURVE         %10.0f messages/s (100 bytes, loopback)\n",
        curve);
    printf("  LMDB batched put     %10.0f puts/s (600-byte values)\n", lmdb);
    printf("ratios:\n");
    printf("  replication entries/s : CURVE messages/s = %.3f\n", rate / curve);
    printf("  replication entries/s : LMDB puts/s      = %.3f\n", rate / lmdb);
    serving(home, t0, limit);
    bench_sh("%s/seen lab down %s/lab >/dev/null", bin, dir);
    /* What the receiver keeps of each entry it holds, exchange log
     * included (issue 12: 1 KiB, everything included). */
    printf("the receiver's store, every entry another node's:\n");
    snprintf(home, sizeof home, "%s/lab/receiver/store", dir);
    bench_store_size(home);
    return 0;
}

/*
 * Bring up the 30-node lab of the six areas, import ${households}
 * households of generated records at every node and print how long it
 * takes to converge.  Returns 0, or -1 if the lab does not come up.
 */
static int
bench_lab30(long households)
{
    char manifest[4200], pass[512];
    double t0;

    snprintf(
        manifest, sizeof manifest, "%s/../../scripts/lab-six-areas.json", bin);
    if (access(manifest, R_OK) != 0)
        snprintf(manifest, sizeof manifest, "scripts/lab-six-areas.json");
    if (bench_sh("%s/seen lab up %s/lab30 %s >/dev/null", bin, dir, manifest) !=
        0)
        return -1;
    snprintf(pass, sizeof pass, "%s/lab30/passphrase", dir);
    setenv("SEEN_PASSPHRASE_FILE", pass, 1);
    bench_sh("%s/seen-synth --manifest %s --households %ld --seed 5 --out "
             "%s/data30 2>/dev/null",
        bin, manifest, households, dir);
    bench_sh("for f in %s/data30/*.jsonl; do n=$(basename $f .jsonl); "
             "[ -d %s/lab30/$n ] && %s/seen --home %s/lab30/$n import --quiet "
             "$f 2>/dev/null; done; wc -l %s/data30/*.jsonl | tail -1",
        dir, dir, bin, dir, dir);
    t0 = seen_clock_mono();
    bench_sh("%s/seen lab wait %s/lab30 --timeout 1800 >/dev/null", bin, dir);
    printf("30-node lab: converged %.1f s after the imports ended\n",
        seen_clock_mono() - t0);
    bench_sh("%s/seen lab down %s/lab30 >/dev/null", bin, dir);
    return 0;
}

/*
 * Set ${bin} to the folder of this program (where the real binaries are)
 * and make ${dir}, a new temporary folder.  Returns 0 or -1.
 */
static int
bench_dirs(void)
{
    char self[4096], *p;
    ssize_t sl;

    sl = readlink("/proc/self/exe", self, sizeof self - 1);
    self[sl > 0 ? sl : 0] = '\0';
    if ((p = strrchr(self, '/')) != NULL)
        *p = '\0';
    snprintf(bin, sizeof bin, "%.2000s", self);
    snprintf(dir, sizeof dir, "/tmp/seen-bench-repl-XXXXXX");
    return mkdtemp(dir) != NULL ? 0 : -1;
}

/* bench_replicate: see the comment at the top of this file. */
int
main(int argc, char *argv[])
{
    long households = 60000, lab30 = 0;
    double curve, lmdb;
    char path[4200];
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--households") == 0 && i + 1 < argc)
            households = atol(argv[++i]);
        else if (strcmp(argv[i], "--lab30") == 0 && i + 1 < argc)
            lab30 = atol(argv[++i]);
        else {
            fprintf(stderr, "usage: bench_replicate [--households N] "
                            "[--lab30 HOUSEHOLDS]\n");
            return 2;
        }
    }
    if (sodium_init() < 0 || bench_dirs() != 0)
        return 1;
    setenv("SEEN_PASSPHRASE_FILE", "/dev/null", 1); /* replaced below */

    curve = raw_curve_rate();
    snprintf(path, sizeof path, "%s/raw", dir);
    lmdb = bench_raw_lmdb_puts(path, 500000, 600);
    if (bench_two(households, curve, lmdb) != 0)
        return 1;
    if (lab30 > 0 && bench_lab30(lab30) != 0)
        return 1;
    bench_sh("rm -rf %s", dir);
    return 0;
}
