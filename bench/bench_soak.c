/*
 * bench_soak: what a federation costs at rest.
 *
 *   bench_soak [--nodes N] [--minutes M] [--import-every SECONDS]
 *              [--households H] [--settle SECONDS] [--lab DIR] [--keep]
 *
 * Brings up a lab with the real binaries (beside this one), imports
 * generated records at every node, waits until the lab converges and for
 * --settle seconds more; then leaves it alone for M minutes -- or, with
 * --import-every, imports one small record at the first node every
 * SECONDS -- and measures each node at the start and the end: envelopes
 * sent (`seen status --json`: transport.sent, exchange_log.envelopes_sent),
 * exchange-log leaves, its store (the size of data.mdb; LMDB's pages in
 * use and those less the free list, as `mdb_stat -ef` counts them), CPU
 * (utime + stime in /proc/PID/stat) and resident memory (VmRSS, and of
 * it RssAnon: what is not the LMDB map).  Beside them, measured in the
 * same run and the same way, the floor a node at rest can come down to: a
 * process holding as many bare ZeroMQ CURVE links as a node has peers,
 * with the transport's heartbeats, and a process holding an idle LMDB
 * environment.
 *
 * N: 3 (tests/integration/data/lab-three.json) to 30 (the six areas,
 * scripts/lab-six-areas.json; between the two, its first N nodes);
 * default 3.  M: minutes measured, fractions allowed (default 10).
 * H: households per local authority imported first (default 40).
 * --settle: seconds between convergence and the first sample (default
 * 60).  --lab DIR: measure the running lab in DIR as it is (nothing
 * imported first, nothing stopped after).  --keep: leave the lab running.
 *
 * Prints a table and one line per target of issue 10 with the figure
 * measured, the one issue 10 measured (30 nodes) and the raw floor; never
 * passes or fails.
 */
#include <errno.h>
#include <jansson.h>
#include <lmdb.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#include "bench/benchutil.h"
#include "common/clock.h"
#include "common/home.h"

#define NODES_MAX 30
#define MB 1e6 /* figures in MB are of 10^6 bytes */

/* What issue 10 measured on the 30-node lab at rest, 161 s apart. */
#define WAS_LINK_MIN (24.0 * 60 / 29) /* envelopes a minute per link */
#define WAS_LEAVES_H (48.0 * 3600)    /* exchange-log leaves an hour */
#define WAS_MB_DAY (104e3 * 86400 / MB)
#define WAS_CPU 3.4 /* % of a core */

/* One measurement of one process. */
struct sample {
    int ok;           /* the status (or, raw, the process) was read */
    double t;         /* monotonic seconds */
    long long sent;   /* transport.sent */
    long long xsent;  /* exchange_log.envelopes_sent */
    long long leaves; /* exchange_log.leaves */
    long long file;   /* data.mdb, bytes */
    long long used;   /* LMDB pages in use (last page + 1), bytes */
    long long live;   /* those less the free list, bytes */
    double cpu;       /* utime + stime, seconds */
    long rss;         /* VmRSS, kB */
    long anon;        /* RssAnon, kB: VmRSS less mapped files (LMDB) */
};

/* A process measured: a node of the lab, or a raw floor. */
struct subject {
    char name[64];
    char home[1400];  /* the node's home; "" for a raw floor */
    char store[1500]; /* its LMDB environment, or "" */
    long pid;
    struct sample s[2]; /* at the start and at the end */
};

static char bin[2048], dir[1024];

/* ---- reading a process, a store and a node's status ---- */

/* utime + stime of process ${pid} in seconds, or -1. */
static double
proc_cpu(long pid)
{
    char path[64], buf[2048], *p;
    unsigned long long ut, st;
    size_t n;
    FILE *f;

    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    if ((f = fopen(path, "r")) == NULL)
        return -1;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* After the command name, in parentheses: fields 3 to 13, then
     * utime and stime (proc(5)). */
    if ((p = strrchr(buf, ')')) == NULL ||
        sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
            &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/*
 * VmRSS of process ${pid} into *${rss} and its RssAnon (what is not a
 * mapped file: for a node, what is not its LMDB map) into *${anon}, in
 * kB; -1 where not read.
 */
static void
proc_rss(long pid, long *rss, long *anon)
{
    char path[64], line[256];
    FILE *f;

    *rss = *anon = -1;
    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    if ((f = fopen(path, "r")) == NULL)
        return;
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "VmRSS: %ld kB", rss) != 1)
            sscanf(line, "RssAnon: %ld kB", anon);
    fclose(f);
}

/*
 * The size of ${env_dir}/data.mdb, and the pages in use in that LMDB
 * environment and those less the free list, in bytes, into ${s}: read
 * only, as `mdb_stat -ef` reads them.  Returns 0 or -1.
 */
static int
store_sizes(const char *env_dir, struct sample *s)
{
    char path[1200];
    struct stat sb;
    MDB_env *env;
    MDB_envinfo info;
    MDB_stat st;
    MDB_txn *txn;
    MDB_cursor *c;
    MDB_val k, v;
    long long freed = 0;
    int rc = -1;

    snprintf(path, sizeof path, "%s/data.mdb", env_dir);
    if (stat(path, &sb) != 0 || mdb_env_create(&env) != 0)
        return -1;
    s->file = (long long)sb.st_size;
    if (mdb_env_open(env, env_dir, MDB_RDONLY | MDB_NOTLS, 0600) != 0 ||
        mdb_env_info(env, &info) != 0 || mdb_env_stat(env, &st) != 0)
        goto done;
    s->used = ((long long)info.me_last_pgno + 1) * st.ms_psize;
    /* The free list is database 0: each value a count, then that many
     * page numbers. */
    if (mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) != 0)
        goto done;
    if (mdb_cursor_open(txn, 0, &c) == 0) {
        while (mdb_cursor_get(c, &k, &v, MDB_NEXT) == 0)
            freed += (long long)*(size_t *)v.mv_data;
        mdb_cursor_close(c);
    }
    mdb_txn_abort(txn);
    s->live = s->used - freed * st.ms_psize;
    rc = 0;
done:
    mdb_env_close(env);
    return rc;
}

/* A whole number at ${path} (keys, dot-separated) in ${j}, or -1. */
static long long
json_at(json_t *j, const char *a, const char *b)
{
    json_t *v = json_object_get(json_object_get(j, a), b);

    return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

/* `seen status --json` of the node in ${home}, or NULL. */
static json_t *
node_status(const char *home)
{
    char cmd[4096];
    json_t *j;
    FILE *f;

    snprintf(cmd, sizeof cmd, "%s/seen --home '%s' status --json 2>/dev/null",
        bin, home);
    if ((f = popen(cmd, "r")) == NULL)
        return NULL;
    j = json_loadf(f, 0, NULL);
    pclose(f);
    return j;
}

/* Measure ${x} now into its sample ${i}. */
static void
measure(struct subject *x, int i)
{
    struct sample *s = &x->s[i];
    json_t *st;

    memset(s, 0, sizeof *s);
    s->sent = s->xsent = s->leaves = -1;
    s->file = s->used = s->live = -1;
    if (x->home[0] != '\0') {
        if ((st = node_status(x->home)) == NULL)
            return;
        s->sent = json_at(st, "transport", "sent");
        s->xsent = json_at(st, "exchange_log", "envelopes_sent");
        s->leaves = json_at(st, "exchange_log", "leaves");
        json_decref(st);
        if (!seen_home_running(x->home, &x->pid))
            return;
    }
    s->t = seen_clock_mono();
    s->cpu = proc_cpu(x->pid);
    proc_rss(x->pid, &s->rss, &s->anon);
    if (x->store[0] != '\0' && store_sizes(x->store, s) != 0)
        s->file = s->used = s->live = -1; /* a half-read store: none */
    s->ok = s->cpu >= 0 && s->rss >= 0;
}

/* ---- the raw floors: bare CURVE links, an idle LMDB environment ---- */

/* The heartbeats node/transport/net.c gives every socket. */
static void
heartbeats(void *s)
{
    int zero = 0, ivl = 1000, ttl = 10000, tmo = 5000;

    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(s, ZMQ_HEARTBEAT_IVL, &ivl, sizeof ivl);
    zmq_setsockopt(s, ZMQ_HEARTBEAT_TTL, &ttl, sizeof ttl);
    zmq_setsockopt(s, ZMQ_HEARTBEAT_TIMEOUT, &tmo, sizeof tmo);
}

/*
 * In a child: a ROUTER and ${links} DEALERs connected to it over CURVE on
 * loopback (each end of a link in this process, as a node holds both ends
 * of its links: peers connect to its ROUTER and it connects to theirs),
 * one message over each to finish the handshakes.  Returns 0 or -1.
 */
static int
raw_links(int links)
{
    char spk[41], ssk[41], cpk[41], csk[41], ep[256], buf[64];
    size_t elen = sizeof ep;
    void *ctx = zmq_ctx_new(), *r, *d;
    int one = 1, i;

    zmq_curve_keypair(spk, ssk);
    zmq_curve_keypair(cpk, csk);
    r = zmq_socket(ctx, ZMQ_ROUTER);
    heartbeats(r);
    zmq_setsockopt(r, ZMQ_CURVE_SERVER, &one, sizeof one);
    zmq_setsockopt(r, ZMQ_CURVE_SECRETKEY, ssk, 40);
    if (zmq_bind(r, "tcp://127.0.0.1:*") != 0 ||
        zmq_getsockopt(r, ZMQ_LAST_ENDPOINT, ep, &elen) != 0)
        return -1;
    for (i = 0; i < links; i++) {
        d = zmq_socket(ctx, ZMQ_DEALER);
        heartbeats(d);
        zmq_setsockopt(d, ZMQ_CURVE_SERVERKEY, spk, 40);
        zmq_setsockopt(d, ZMQ_CURVE_PUBLICKEY, cpk, 40);
        zmq_setsockopt(d, ZMQ_CURVE_SECRETKEY, csk, 40);
        if (zmq_connect(d, ep) != 0 || zmq_send(d, "hello", 5, 0) != 5)
            return -1;
    }
    /* Each message: the DEALER's identity, then "hello". */
    for (i = 0; i < 2 * links; i++)
        if (zmq_recv(r, buf, sizeof buf, 0) < 0)
            return -1;
    return 0;
}

/* In a child: an LMDB environment in ${path}, mapped as a lab node's
 * store is, with one record committed.  Returns 0 or -1. */
static int
raw_lmdb(const char *path)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_val k = {4, (void *)"idle"}, v = {4, (void *)"rest"};

    mkdir(path, 0700);
    if (mdb_env_create(&env) != 0 ||
        mdb_env_set_mapsize(env, (size_t)1024 << 20) != 0 ||
        mdb_env_set_maxdbs(env, 32) != 0 ||
        mdb_env_open(env, path, MDB_NOTLS, 0600) != 0 ||
        mdb_txn_begin(env, NULL, 0, &txn) != 0 ||
        mdb_dbi_open(txn, "idle", MDB_CREATE, &dbi) != 0 ||
        mdb_put(txn, dbi, &k, &v, 0) != 0 || mdb_txn_commit(txn) != 0)
        return -1;
    return 0; /* the environment stays open until the child is stopped */
}

/*
 * Start the raw floor ${x} in a child process: ${links} bare CURVE links,
 * or (0) an idle LMDB environment in ${x}->store; it says when it is
 * ready and then waits to be stopped (SIGTERM).  Returns 0 or -1.
 */
static int
raw_start(struct subject *x, int links)
{
    int p[2], rc;
    char c = 0;
    pid_t pid;

    if (pipe(p) != 0)
        return -1;
    fflush(NULL);
    if ((pid = fork()) < 0)
        return -1;
    if (pid == 0) {
        close(p[0]);
        rc = links > 0 ? raw_links(links) : raw_lmdb(x->store);
        if (rc != 0 || write(p[1], "r", 1) != 1)
            _exit(1);
        close(p[1]);
        for (;;)
            pause();
    }
    close(p[1]);
    rc = read(p[0], &c, 1) == 1 ? 0 : -1;
    close(p[0]);
    x->pid = pid;
    return rc;
}

/* Stop the raw floor ${x}. */
static void
raw_stop(struct subject *x)
{
    if (x->pid <= 0)
        return;
    kill((pid_t)x->pid, SIGTERM);
    while (waitpid((pid_t)x->pid, NULL, 0) < 0 && errno == EINTR)
        ;
    x->pid = 0;
}

/* ---- the lab and the steady stream ---- */

/*
 * The manifest of a lab of ${nodes} nodes into ${out} (${len} bytes):
 * the three-node lab's, the six areas', or (between) a copy of the six
 * areas' first ${nodes} in the run's folder.  Returns 0 or -1.
 */
static int
manifest_for(int nodes, char *out, size_t len)
{
    const char *six = SEEN_SOURCE_DIR "/scripts/lab-six-areas.json";
    json_t *m, *list;
    int rc;

    if (nodes == 3 || nodes == NODES_MAX) {
        snprintf(out, len, "%s",
            nodes == 3 ? SEEN_SOURCE_DIR
                "/tests/integration/data/lab-three.json"
                       : six);
        return 0;
    }
    if ((m = json_load_file(six, 0, NULL)) == NULL)
        return -1;
    list = json_object_get(m, "nodes");
    while (json_array_size(list) > (size_t)nodes)
        json_array_remove(list, json_array_size(list) - 1);
    json_object_set_new(m, "agreement",
        json_string(SEEN_SOURCE_DIR "/scripts/partnership-agreement.json"));
    snprintf(out, len, "%s/manifest.json", dir);
    rc = json_dump_file(m, out, JSON_INDENT(1));
    json_decref(m);
    return rc == 0 ? 0 : -1;
}

/*
 * Bring up the lab of ${manifest} in DIR/lab, import ${households}
 * households of generated records at every node and wait until it
 * converges; how long each took to *${up} and *${conv}.  Returns 0 or -1
 * (said on stderr).
 */
static int
lab_make(const char *manifest, long households, double *up, double *conv)
{
    char args[4096], path[1200];
    double t0 = seen_clock_mono();

    if (bench_sh("%s/seen lab up %s/lab %s >/dev/null", bin, dir, manifest) !=
        0) {
        fprintf(stderr, "bench_soak: the lab did not come up\n");
        return -1;
    }
    *up = seen_clock_mono() - t0;
    snprintf(path, sizeof path, "%s/lab/passphrase", dir);
    setenv("SEEN_PASSPHRASE_FILE", path, 1);
    snprintf(args, sizeof args, "--manifest %s --households %ld --seed 5",
        manifest, households);
    snprintf(path, sizeof path, "%s/data", dir);
    if (bench_synth(args, path) != 0)
        return -1;
    bench_sh("for f in %s/data/*.jsonl; do n=$(basename $f .jsonl); "
             "if [ -d %s/lab/$n ]; then %s/seen --home %s/lab/$n import "
             "--quiet $f >/dev/null 2>&1 || echo \"import at $n failed\" >&2; "
             "fi; done",
        dir, dir, bin, dir);
    t0 = seen_clock_mono();
    if (bench_sh("%s/seen lab wait %s/lab --timeout 1800 >/dev/null", bin,
            dir) != 0) {
        fprintf(stderr, "bench_soak: the lab did not converge\n");
        return -1;
    }
    *conv = seen_clock_mono() - t0;
    return 0;
}

/*
 * The nodes of the lab in ${labdir} (its lab.json) into ${x} (room for
 * NODES_MAX); their manifest entries to *${nodes} (caller decrefs).
 * Returns how many, or -1.
 */
static int
lab_nodes(const char *labdir, struct subject *x, json_t **nodes)
{
    char path[1200];
    json_t *lab, *nd;
    size_t i;

    snprintf(path, sizeof path, "%s/lab.json", labdir);
    if ((lab = json_load_file(path, 0, NULL)) == NULL)
        return -1;
    *nodes = json_incref(json_object_get(lab, "nodes"));
    json_decref(lab);
    if (json_array_size(*nodes) == 0 || json_array_size(*nodes) > NODES_MAX) {
        json_decref(*nodes);
        return -1;
    }
    json_array_foreach(*nodes, i, nd)
    {
        memset(&x[i], 0, sizeof x[i]);
        snprintf(x[i].name, sizeof x[i].name, "%s",
            json_string_value(json_object_get(nd, "name")));
        snprintf(
            x[i].home, sizeof x[i].home, "%.1200s/%.63s", labdir, x[i].name);
        snprintf(x[i].store, sizeof x[i].store, "%s/store", x[i].home);
    }
    return (int)json_array_size(*nodes);
}

/* One small import every few seconds at one node. */
struct stream {
    const char *node; /* its name */
    char home[1400];
    char **line; /* generated records, reused under new ids */
    size_t n, done, failed;
};

/*
 * Generate the records of ${st}'s stream for node ${nd} (a lab.json
 * entry) of the lab in ${labdir}.  Returns 0 or -1.
 */
static int
stream_open(struct stream *st, const char *labdir, json_t *nd)
{
    char args[2048], path[1200], *buf, *p, *nl;

    memset(st, 0, sizeof *st);
    st->node = json_string_value(json_object_get(nd, "name"));
    snprintf(st->home, sizeof st->home, "%s/%s", labdir, st->node);
    snprintf(args, sizeof args,
        "--node %s --type %s --local-authority '%s' --households 20 "
        "--seed 11",
        st->node, json_string_value(json_object_get(nd, "type")),
        json_string_value(json_object_get(nd, "local_authority")));
    snprintf(path, sizeof path, "%s/stream", dir);
    if (bench_synth(args, path) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/stream/%s.jsonl", dir, st->node);
    if ((buf = bench_slurp(path, NULL)) == NULL)
        return -1;
    for (p = buf; *p != '\0'; p = nl + 1) {
        if ((nl = strchr(p, '\n')) == NULL)
            break;
        *nl = '\0';
        st->line = realloc(st->line, (st->n + 1) * sizeof *st->line);
        st->line[st->n++] = strdup(p);
    }
    free(buf);
    return st->n > 0 ? 0 : -1;
}

/* Import the next record of ${st}, under an id of its own. */
static void
stream_one(struct stream *st)
{
    char id[512], path[1200], *s = NULL;
    json_t *r = json_loads(st->line[st->done % st->n], 0, NULL);
    FILE *f;

    snprintf(id, sizeof id, "soak%zu-%s", st->done,
        json_string_value(json_object_get(r, "id")));
    json_object_set_new(r, "id", json_string(id));
    snprintf(path, sizeof path, "%s/stream/one.jsonl", dir);
    st->done++;
    if ((s = json_dumps(r, JSON_COMPACT)) == NULL ||
        (f = fopen(path, "w")) == NULL) {
        st->failed++;
    } else {
        fprintf(f, "%s\n", s);
        fclose(f);
        if (bench_sh("%s/seen --home '%s' import --quiet %s >/dev/null", bin,
                st->home, path) != 0)
            st->failed++;
    }
    free(s);
    json_decref(r);
}

static void
stream_close(struct stream *st)
{
    size_t i;

    for (i = 0; i < st->n; i++)
        free(st->line[i]);
    free(st->line);
    st->line = NULL;
}

/*
 * Measure the ${nx} subjects ${x}, leave them alone for ${minutes} (or
 * import a record of ${st} every ${every} seconds when ${every} > 0), and
 * measure them again.
 */
static void
soak(struct subject *x, int nx, double minutes, double every, struct stream *st)
{
    double t0, end, next, now, wait;
    int i, tty = isatty(STDERR_FILENO);

    for (i = 0; i < nx; i++)
        measure(&x[i], 0);
    t0 = seen_clock_mono();
    end = t0 + minutes * 60;
    next = t0 + every;
    while ((now = seen_clock_mono()) < end) {
        if (every > 0 && now >= next) {
            stream_one(st);
            next += every;
            continue;
        }
        wait = end - now;
        if (every > 0 && next - now < wait)
            wait = next - now;
        if (wait > 1)
            wait = 1;
        if (tty)
            fprintf(stderr, "\rsoak: %.1f of %.1f minutes   ", (now - t0) / 60,
                minutes);
        usleep((useconds_t)(wait * 1e6 < 999999 ? wait * 1e6 : 999999));
    }
    if (tty)
        fputc('\n', stderr);
    for (i = 0; i < nx; i++)
        measure(&x[i], 1);
}

/* ---- the report ---- */

/* A node's rates over the soak; NAN where a figure was not read. */
struct fig {
    double env_min;  /* envelopes sent a minute (transport.sent) */
    double xenv_min; /* the same, as the exchange log counts them */
    double leaves_h; /* exchange-log leaves an hour */
    double file_day; /* data.mdb growth, MB a day */
    double live_day; /* growth of the pages in use less the free list */
    double cpu;      /* % of a core */
};

/* (${b} - ${a}) * ${unit} / ${dt}, or NAN when either was not read. */
static double
per(long long a, long long b, double dt, double unit)
{
    return a >= 0 && b >= 0 && dt > 0 ? (double)(b - a) * unit / dt : NAN;
}

/* The rates of ${x} into ${f}.  Returns 0, or -1 when it was not read. */
static int
figures(const struct subject *x, struct fig *f)
{
    const struct sample *a = &x->s[0], *b = &x->s[1];
    double dt = b->t - a->t;

    if (!a->ok || !b->ok || dt <= 0)
        return -1;
    f->env_min = per(a->sent, b->sent, dt, 60);
    f->xenv_min = per(a->xsent, b->xsent, dt, 60);
    f->leaves_h = per(a->leaves, b->leaves, dt, 3600);
    f->file_day = per(a->file, b->file, dt, 86400 / MB);
    f->live_day = per(a->live, b->live, dt, 86400 / MB);
    f->cpu = (b->cpu - a->cpu) * 100 / dt;
    return 0;
}

/* ${v} with ${prec} decimals, or "-" for NAN (eight may be in use). */
static const char *
num(double v, int prec)
{
    static char buf[8][32];
    static int k;
    char *s = buf[k++ % 8];

    if (isnan(v))
        snprintf(s, sizeof buf[0], "-");
    else
        snprintf(s, sizeof buf[0], "%.*f", prec, v);
    return s;
}

/* "A > B" for the two samples' ${a} and ${b} (divided by ${unit}; eight
 * may be in use). */
static const char *
span(long long a, long long b, double unit, int prec)
{
    static char buf[8][48];
    static int k;
    char *s = buf[k++ % 8];

    if (a < 0 || b < 0)
        snprintf(s, sizeof buf[0], "-");
    else
        snprintf(
            s, sizeof buf[0], "%.*f > %.*f", prec, a / unit, prec, b / unit);
    return s;
}

/* Mean and maximum of the figures read. */
struct agg {
    double sum, max;
    int n;
};

static void
agg_add(struct agg *g, double v)
{
    if (isnan(v))
        return;
    g->sum += v;
    g->max = g->n == 0 || v > g->max ? v : g->max;
    g->n++;
}

static const char *
agg_str(const struct agg *g, int prec)
{
    static char buf[4][96];
    static int k;
    char *s = buf[k++ % 4];

    if (g->n == 0)
        snprintf(s, sizeof buf[0], "not read");
    else
        snprintf(s, sizeof buf[0], "mean %s, max %s", num(g->sum / g->n, prec),
            num(g->max, prec));
    return s;
}

/* Print the rows of the ${nx} subjects ${x} whose nodes have ${links}
 * peer links each. */
static void
print_tables(const struct subject *x, int nx, int links)
{
    const struct sample *a, *b;
    struct fig f;
    int i;

    printf("\n%-28s %9s %8s %9s %10s %9s %9s %6s\n", "rates", "env/min",
        "per link", "xenv/min", "leaves/h", "file MB/d", "live MB/d", "CPU%");
    for (i = 0; i < nx; i++) {
        if (figures(&x[i], &f) != 0) {
            printf("%-28.28s (not read)\n", x[i].name);
            continue;
        }
        printf("%-28.28s %9s %8s %9s %10s %9s %9s %6s\n", x[i].name,
            num(f.env_min, 1), num(f.env_min / links, 2), num(f.xenv_min, 1),
            num(f.leaves_h, 0), num(f.file_day, 1), num(f.live_day, 1),
            num(f.cpu, 2));
    }
    printf("\n%-28s %15s %17s %15s %15s %15s %13s\n", "at the start > the end",
        "envelopes sent", "leaves", "data.mdb MB", "live MB", "RSS MB",
        "of it anon");
    for (i = 0; i < nx; i++) {
        a = &x[i].s[0];
        b = &x[i].s[1];
        printf("%-28.28s %15s %17s %15s %15s %15s %13s\n", x[i].name,
            span(a->sent, b->sent, 1, 0), span(a->leaves, b->leaves, 1, 0),
            span(a->file, b->file, MB, 1), span(a->live, b->live, MB, 1),
            span(a->rss, b->rss, 1024, 1), span(a->anon, b->anon, 1024, 1));
    }
}

/*
 * Print one line per target of issue 10 for the ${nodes} nodes of ${x}
 * (${steady}: under the steady stream, not at rest), with the raw floors
 * ${curve} and ${lmdb}.
 */
static void
print_targets(const struct subject *x, int nodes, int steady,
    const struct subject *curve, const struct subject *lmdb)
{
    struct agg link = {0}, xlink = {0}, leaves = {0}, file = {0}, live = {0},
               cpu = {0};
    struct fig f, fc, fl;
    int i;

    for (i = 0; i < nodes; i++) {
        if (figures(&x[i], &f) != 0)
            continue;
        agg_add(&link, f.env_min / (nodes - 1));
        agg_add(&xlink, f.xenv_min / (nodes - 1));
        agg_add(&leaves, f.leaves_h);
        agg_add(&file, f.file_day);
        agg_add(&live, f.live_day);
        agg_add(&cpu, f.cpu);
    }
    if (figures(curve, &fc) != 0)
        fc.cpu = NAN;
    if (figures(lmdb, &fl) != 0)
        fl.cpu = fl.file_day = NAN;
    printf("\ntargets (issue 10) for a node at rest; the figures of this "
           "run%s, of issue 10 (30 nodes at rest) and the raw floor:\n",
        steady ? " (under the steady stream, not at rest)" : "");
    printf("idle node: <= 1 envelope a minute per peer link: %s "
           "(exchange log: %s); issue 10: %.1f; bare CURVE link: 0 "
           "(heartbeats only)\n",
        agg_str(&link, 2), agg_str(&xlink, 2), WAS_LINK_MIN);
    printf("log growth: <= 10 leaves an hour: %s; issue 10: %.0f\n",
        agg_str(&leaves, 0), WAS_LEAVES_H);
    printf("store growth: <= 1 MB a day: %s MB a day (pages in use less "
           "the free list: %s); issue 10: %.0f; idle LMDB environment: "
           "%s\n",
        agg_str(&file, 2), agg_str(&live, 2), WAS_MB_DAY, num(fl.file_day, 2));
    printf("CPU: <= 0.2%% of a core: %s %%; issue 10: %.1f %%; bare CURVE "
           "links: %s %%, idle LMDB environment: %s %%\n",
        agg_str(&cpu, 3), WAS_CPU, num(fc.cpu, 3), num(fl.cpu, 3));
}

/* ---- main ---- */

static const char usage[] =
    "usage: bench_soak [--nodes N] [--minutes M] [--import-every SECONDS]\n"
    "                  [--households H] [--settle SECONDS] [--lab DIR] "
    "[--keep]\n";

struct opts {
    int nodes, keep;
    double minutes, every, settle;
    long households;
    const char *lab;
};

/* Parse the options into ${o}.  Returns 0, or -1 (usage shown). */
static int
parse(int argc, char *argv[], struct opts *o)
{
    int i;

    *o = (struct opts){3, 0, 10, 0, 60, 40, NULL};
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--keep") == 0)
            o->keep = 1;
        else if (i + 1 >= argc)
            break;
        else if (strcmp(argv[i], "--nodes") == 0)
            o->nodes = atoi(argv[++i]);
        else if (strcmp(argv[i], "--minutes") == 0)
            o->minutes = atof(argv[++i]);
        else if (strcmp(argv[i], "--import-every") == 0)
            o->every = atof(argv[++i]);
        else if (strcmp(argv[i], "--households") == 0)
            o->households = atol(argv[++i]);
        else if (strcmp(argv[i], "--settle") == 0)
            o->settle = atof(argv[++i]);
        else if (strcmp(argv[i], "--lab") == 0)
            o->lab = argv[++i];
        else
            break;
    }
    if (i < argc || o->nodes < 3 || o->nodes > NODES_MAX || o->minutes <= 0 ||
        o->every < 0 || o->settle < 0 || o->households <= 0) {
        fprintf(stderr, "%s(N from 3 to 30; M and H above 0)\n", usage);
        return -1;
    }
    return 0;
}

/* Bring up the lab of ${o} (or take the one it names) in ${labdir}, and
 * say what it is.  Returns 0 or -1. */
static int
setup(const struct opts *o, char *labdir, size_t len)
{
    char manifest[1200];
    double up = 0, conv = 0;

    if (o->lab != NULL) {
        snprintf(labdir, len, "%s", o->lab);
        printf("soak of the running lab in %s\n", labdir);
        return 0;
    }
    snprintf(labdir, len, "%s/lab", dir);
    if (manifest_for(o->nodes, manifest, sizeof manifest) != 0 ||
        lab_make(manifest, o->households, &up, &conv) != 0)
        return -1;
    printf("soak of a %d-node lab (%s), %ld households per local "
           "authority: up in %.1f s, converged %.1f s after the imports\n",
        o->nodes, manifest, o->households, up, conv);
    return 0;
}

/* bench_soak: see the comment at the top of this file. */
int
main(int argc, char *argv[])
{
    struct subject x[NODES_MAX + 2];
    struct stream st = {0};
    struct opts o;
    char labdir[1100];
    json_t *list = NULL;
    int n, rc = 1;

    if (parse(argc, argv, &o) != 0)
        return 2;
    bench_bindir(bin, sizeof bin);
    snprintf(dir, sizeof dir, "/tmp/seen-bench-soak-XXXXXX");
    if (mkdtemp(dir) == NULL || setup(&o, labdir, sizeof labdir) != 0 ||
        (n = lab_nodes(labdir, x, &list)) < 2) {
        fprintf(stderr, "bench_soak: no lab to measure\n");
        goto done;
    }
    if (o.every > 0 && stream_open(&st, labdir, json_array_get(list, 0)) != 0) {
        fprintf(stderr, "bench_soak: cannot make the import stream\n");
        goto done;
    }
    printf("settle %.0f s, then %.1f minutes %s\n", o.settle, o.minutes,
        o.every > 0 ? "with a steady import stream" : "at rest");
    fflush(stdout);
    sleep((unsigned)o.settle);
    /* The floors: as many links as a node has peers; an idle store. */
    memset(&x[n], 0, 2 * sizeof x[0]);
    snprintf(x[n].name, sizeof x[n].name, "raw: %d CURVE links", n - 1);
    snprintf(x[n + 1].name, sizeof x[n + 1].name, "raw: idle LMDB env");
    snprintf(x[n + 1].store, sizeof x[n + 1].store, "%s/raw-lmdb", dir);
    if (raw_start(&x[n], n - 1) != 0 || raw_start(&x[n + 1], 0) != 0) {
        fprintf(stderr, "bench_soak: the raw floors did not start\n");
        raw_stop(&x[n]);
        raw_stop(&x[n + 1]);
        goto done;
    }
    soak(x, n + 2, o.minutes, o.every, &st);
    raw_stop(&x[n]);
    raw_stop(&x[n + 1]);
    if (o.every > 0)
        printf("steady stream: one record every %.0f s at %s: %zu imports, "
               "%zu failed\n",
            o.every, st.node, st.done, st.failed);
    print_tables(x, n + 2, n - 1);
    print_targets(x, n, o.every > 0, &x[n], &x[n + 1]);
    rc = 0;
done:
    stream_close(&st);
    json_decref(list);
    if (o.lab == NULL && o.keep)
        printf("the lab is left running in %s/lab\n", dir);
    else if (o.lab == NULL) {
        bench_sh("%s/seen lab down %s/lab >/dev/null 2>&1", bin, dir);
        bench_sh("rm -rf %s", dir);
    } else
        bench_sh("rm -rf %s", dir);
    return rc;
}
