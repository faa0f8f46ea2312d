/*
 * bench_xlog: exchange-log appends with and without group commit, and
 * checkpoint, root and proof times at about 1M leaves, against the raw
 * limits of the libraries measured in the same run.
 *
 *   bench_xlog [--leaves N] [--batch B] [--single S] [--checkpoints K]
 *              [--keep]
 *
 * 1. Makes a node identity (seen_keys_generate) and a new store in a
 *    temporary directory under $TMPDIR (or /tmp) as the node opens it
 *    (seen_store_open with the node's key, its record key and the default
 *    map_size_mb of 4096).
 * 2. Appends N leaves (default 1,000,000) with seen_xlog_query, B leaves
 *    (default 1000) to a committed write transaction.  Each leaf is an
 *    XLOG_QUERY of a QueryRecord as the daemon logs one: an operator, a
 *    purpose, a time, 1 to 5 (on average 3) 16-byte handles and a
 *    64-hex-digit criteria_digest.  Every append encodes the record,
 *    decodes it once to check it against the leaf rules
 *    (seen_xlog_leaf_check), encodes the leaf, and stores it, its RFC 9162
 *    the subtrees it completes (on average one node hash a leaf, and half a
 *    leaf hash: a leaf completing a pair hashes its left neighbour again,
 *    leaf hashes not being stored; one tile put a leaf) and the new size.
 *    Wall-clock and CPU time.
 * 3. Group commit: S more leaves (default 5000) one a transaction (a
 *    commit, so an fsync, each), then S more B a transaction, both at the
 *    size reached in 2.
 * 4. Checkpoints: K times (default 9), in one write transaction, one more
 *    leaf is appended (not timed), so that seen_xlog_checkpoint really
 *    computes the root and signs, then seen_xlog_checkpoint is timed, then
 *    the commit.  Best and median.
 * 5. In a read transaction at the final size: seen_xlog_root,
 *    seen_xlog_inclusion of a random leaf and seen_xlog_consistency from a
 *    random smaller size, 1001 calls each, best and median.
 * 6. Raw limits, once the store is closed: SHA-256 (Nettle's, as
 *    crypto/merkle.c; and libsodium's leaf hash beside it) of
 *    0x00 followed by as many bytes as the average leaf of 2, and of
 *    65-byte node inputs; Ed25519 signatures (crypto_sign_detached) of a
 *    checkpoint's 104-byte signed message; plain LMDB puts of 8-byte
 *    big-endian sequential keys with values the size of the average leaf,
 *    B a committed transaction (min(N, 1M) puts), in a new environment
 *    in the same directory.
 *
 * --keep leaves the temporary directory behind.  Prints figures and ratios;
 * never passes or fails on speed.  Exits 1 when a store or exchange-log
 * call fails, 2 on misuse.
 */
#include <getopt.h>
#include <lmdb.h>
#include <nettle/sha2.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench/benchutil.h"
#include "common/clock.h"
#include "common/file.h"
#include "common/log.h"
#include "crypto/keys.h"
#include "crypto/merkle.h"
#include "proto/checkpoint.h"
#include "storage/store.h"
#include "xlog/xlog.h"
#include "seen.pb-c.h"

#define MAP_MB 4096      /* the node's default map_size_mb */
#define NHANDLES 4096    /* pool of random handles the leaves draw on */
#define NDIGESTS 1024    /* pool of criteria digests */
#define MAX_HANDLES 5    /* handles in a leaf: 1 to MAX_HANDLES */
#define PROOF_CALLS 1001 /* root, inclusion and consistency calls each */
#define RAW_HASHES 2000000
#define RAW_SIGNS 20000
#define RAW_PUTS_MAX 1000000
#define TIME0 1795000000u /* a Unix time in 2026 */

static const char *const operators[] = {
    "sam", "alex.morgan", "j.okafor", "priya.shah"};
static const char *const purposes[] = {"referral 2026-0412",
    "section 47 enquiry 2026-1187", "strategy discussion 2026-0093",
    "missing child report 2026-2210"};

struct workload {
    uint8_t handles[NHANDLES][16];
    char digests[NDIGESTS][65];
};

/* Where the figures of a run go. */
struct run {
    struct seen_store *store;
    struct seen_keys *keys;
    const struct workload *w;
    uint64_t next;  /* leaves appended so far */
    double tcommit; /* seconds in seen_store_commit, all phases */
};

static uint64_t rng_state = 1;


static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* Sort ${v} (${n} > 0 values) and write its best and median. */
static void
best_median(double *v, size_t n, double *best, double *median)
{

    qsort(v, n, sizeof *v, cmp_double);
    *best = v[0];
    *median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void
workload_init(struct workload *w)
{
    uint8_t d[32];
    size_t i, j;

    randombytes_buf(w->handles, sizeof w->handles);
    for (i = 0; i < NDIGESTS; i++) {
        randombytes_buf(d, sizeof d);
        for (j = 0; j < 32; j++)
            snprintf(&w->digests[i][2 * j], 3, "%02x", d[j]);
    }
}

/* Append leaf number ${i} of the workload in ${txn}. */
static int
append_one(struct run *r, struct seen_txn *txn, uint64_t i)
{
    Seen__QueryRecord q = SEEN__QUERY_RECORD__INIT;
    ProtobufCBinaryData hs[MAX_HANDLES];
    uint64_t index;
    size_t j;
    int rc;

    q.operator_ = (char *)(uintptr_t)operators[i % 4];
    q.purpose = (char *)(uintptr_t)purposes[(i / 7) % 4];
    q.time = TIME0 + i / 20;
    q.n_handles_seen = 1 + i % MAX_HANDLES;
    for (j = 0; j < q.n_handles_seen; j++) {
        hs[j].data = (uint8_t *)(uintptr_t)
                         r->w->handles[(i * MAX_HANDLES + j) % NHANDLES];
        hs[j].len = 16;
    }
    q.handles_seen = hs;
    q.criteria_digest = (char *)(uintptr_t)r->w->digests[i % NDIGESTS];
    if ((rc = seen_xlog_query(txn, r->keys, &q, &index)) != 0) {
        fprintf(stderr, "bench_xlog: seen_xlog_query of leaf %llu: %s\n",
            (unsigned long long)i, seen_strerror(rc));
        return rc;
    }
    if (index != i) {
        fprintf(stderr, "bench_xlog: leaf %llu stored at %llu\n",
            (unsigned long long)i, (unsigned long long)index);
        return SEEN_ERR;
    }
    return 0;
}

static int
commit(struct run *r, struct seen_txn *txn)
{
    double t0 = seen_clock_mono();
    int rc;

    if ((rc = seen_store_commit(txn)) != 0)
        fprintf(stderr, "bench_xlog: commit: %s\n", seen_strerror(rc));
    r->tcommit += seen_clock_mono() - t0;
    return rc;
}

/*
 * Append ${n} leaves, ${batch} to a committed transaction, with progress
 * on a terminal when ${progress}.  Returns 0 or the failing call's code.
 */
static int
append_leaves(struct run *r, uint64_t n, uint64_t batch, int progress)
{
    struct seen_txn *txn;
    uint64_t done = 0, k;
    int rc;

    while (done < n) {
        if ((rc = seen_store_begin(r->store, 1, &txn)) != 0) {
            fprintf(stderr, "bench_xlog: begin: %s\n", seen_strerror(rc));
            return rc;
        }
        for (k = 0; k < batch && done < n; k++, done++) {
            if ((rc = append_one(r, txn, r->next)) != 0) {
                seen_store_abort(txn);
                return rc;
            }
            r->next++;
        }
        if ((rc = commit(r, txn)) != 0)
            return rc;
        if (progress && (done % (n / 10 ? n / 10 : 1)) < batch)
            fprintf(stderr, "\r  appended %llu of %llu",
                (unsigned long long)done, (unsigned long long)n);
    }
    if (progress)
        fprintf(stderr, "\r%40s\r", "");
    return 0;
}

/* Sum the sizes of the first ${n} leaves into *${bytes}. */
static int
leaf_bytes(struct run *r, uint64_t n, uint64_t *bytes)
{
    struct seen_txn *txn;
    const uint8_t *leaf;
    uint64_t i;
    size_t len;
    int rc;

    *bytes = 0;
    if ((rc = seen_store_begin(r->store, 0, &txn)) != 0)
        return rc;
    for (i = 0; i < n; i++) {
        if ((rc = seen_xlog_leaf(txn, i, &leaf, &len)) != 0) {
            fprintf(stderr, "bench_xlog: seen_xlog_leaf %llu: %s\n",
                (unsigned long long)i, seen_strerror(rc));
            break;
        }
        *bytes += len;
    }
    seen_store_abort(txn);
    return rc;
}

/*
 * Time ${k} checkpoints, each after one more (untimed) leaf in the same
 * transaction: seconds of seen_xlog_checkpoint to ${tcp}, of the commit
 * to ${tcm}.  The last checkpoint's root goes to ${root}.
 */
static int
checkpoints(
    struct run *r, size_t k, double *tcp, double *tcm, uint8_t root[static 32])
{
    Seen__Checkpoint cp;
    uint8_t buf[SEEN_CHECKPOINT_BUF];
    struct seen_txn *txn;
    double t0;
    size_t i;
    int rc;

    for (i = 0; i < k; i++) {
        if ((rc = seen_store_begin(r->store, 1, &txn)) != 0) {
            fprintf(stderr, "bench_xlog: begin: %s\n", seen_strerror(rc));
            return rc;
        }
        if ((rc = append_one(r, txn, r->next)) != 0) {
            seen_store_abort(txn);
            return rc;
        }
        r->next++;
        t0 = seen_clock_mono();
        rc = seen_xlog_checkpoint(txn, r->keys, TIME0 + r->next, &cp, buf);
        tcp[i] = seen_clock_mono() - t0;
        if (rc != 0) {
            fprintf(stderr, "bench_xlog: seen_xlog_checkpoint: %s\n",
                seen_strerror(rc));
            seen_store_abort(txn);
            return rc;
        }
        if (cp.size != r->next) {
            fprintf(stderr, "bench_xlog: checkpoint of size %llu, log %llu\n",
                (unsigned long long)cp.size, (unsigned long long)r->next);
            seen_store_abort(txn);
            return SEEN_ERR;
        }
        memcpy(root, cp.root.data, 32);
        t0 = seen_clock_mono();
        rc = seen_store_commit(txn);
        tcm[i] = seen_clock_mono() - t0;
        if (rc != 0) {
            fprintf(stderr, "bench_xlog: commit: %s\n", seen_strerror(rc));
            return rc;
        }
    }
    return 0;
}

enum op { OP_ROOT, OP_INCLUSION, OP_CONSISTENCY, NOPS };
static const char *const op_names[NOPS] = {
    "seen_xlog_root", "seen_xlog_inclusion", "seen_xlog_consistency"};

/*
 * Time PROOF_CALLS calls of each read operation at the log's size ${n},
 * best and median seconds to ${best}, ${median}; the proof lengths of
 * the last calls to ${plen}.  The root must be ${want}.
 */
static int
reads(struct run *r, uint64_t n, const uint8_t want[static 32],
    double best[NOPS], double median[NOPS], size_t plen[NOPS])
{
    static uint8_t proof[SEEN_MERKLE_PROOF_MAX][32];
    struct seen_txn *txn;
    uint8_t root[32];
    double *t, t0;
    uint64_t a;
    size_t i;
    int op, rc = 0;

    if ((t = malloc(PROOF_CALLS * sizeof *t)) == NULL)
        return SEEN_ENOMEM;
    if ((rc = seen_store_begin(r->store, 0, &txn)) != 0) {
        fprintf(stderr, "bench_xlog: begin: %s\n", seen_strerror(rc));
        goto done;
    }
    for (op = 0; op < NOPS; op++) {
        plen[op] = 0;
        for (i = 0; i < PROOF_CALLS; i++) {
            a = bench_rng(&rng_state) % n; /* a leaf, or a size - 1 */
            t0 = seen_clock_mono();
            switch (op) {
            case OP_ROOT:
                rc = seen_xlog_root(txn, n, root);
                break;
            case OP_INCLUSION:
                rc = seen_xlog_inclusion(txn, a, n, proof, &plen[op]);
                break;
            default:
                rc = seen_xlog_consistency(txn, a + 1, n, proof, &plen[op]);
                break;
            }
            t[i] = seen_clock_mono() - t0;
            if (rc != 0) {
                fprintf(stderr, "bench_xlog: %s: %s\n", op_names[op],
                    seen_strerror(rc));
                goto abort;
            }
            if (op == OP_ROOT && memcmp(root, want, 32) != 0) {
                fprintf(stderr, "bench_xlog: the root differs from the "
                                "last checkpoint's\n");
                rc = SEEN_ERR;
                goto abort;
            }
        }
        best_median(t, PROOF_CALLS, &best[op], &median[op]);
    }
abort:
    seen_store_abort(txn);
done:
    free(t);
    return rc;
}

/* SHA-256 of ${len}-byte inputs, as many as take about the same time:
 * Nettle's, as crypto/merkle.c hashes, or with ${sodium} libsodium's. */
static double
raw_sha256(size_t len, size_t n, int sodium)
{
    struct sha256_ctx st;
    uint8_t *in, out[32];
    double t0, t;
    size_t i;

    if ((in = calloc(1, len)) == NULL)
        return 0;
    randombytes_buf(in, len);
    in[0] = 0x00;
    t0 = seen_clock_mono();
    for (i = 0; i < n; i++) {
        in[len - 1] = (uint8_t)i;
        if (sodium)
            crypto_hash_sha256(out, in, len);
        else {
            sha256_init(&st);
            sha256_update(&st, len, in);
            sha256_digest(&st, sizeof out, out);
        }
        in[1] ^= out[0]; /* keep the compiler from hoisting the call */
    }
    t = seen_clock_mono() - t0;
    free(in);
    return (double)n / t;
}

/* Ed25519 signatures of a checkpoint's signed message. */
static double
raw_ed25519(size_t n)
{
    uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    uint8_t msg[sizeof SEEN_DOMAIN_XLOG_CHECKPOINT + SEEN_CHECKPOINT_MSG_BYTES];
    uint8_t sig[crypto_sign_BYTES];
    double t0, t;
    size_t i;

    crypto_sign_keypair(pk, sk);
    randombytes_buf(msg, sizeof msg);
    memcpy(
        msg, SEEN_DOMAIN_XLOG_CHECKPOINT, sizeof SEEN_DOMAIN_XLOG_CHECKPOINT);
    t0 = seen_clock_mono();
    for (i = 0; i < n; i++) {
        msg[sizeof msg - 1] = (uint8_t)i;
        crypto_sign_detached(sig, NULL, msg, sizeof msg, sk);
    }
    t = seen_clock_mono() - t0;
    sodium_memzero(sk, sizeof sk);
    return (double)n / t;
}

/*
 * Plain LMDB: ${n} puts of 8-byte big-endian sequential keys and
 * ${vlen}-byte values, ${batch} to a committed transaction, in a new
 * environment in ${dir}.  Returns puts/s, or 0 on error (printed).
 */
static double
raw_lmdb_puts(const char *dir, size_t n, size_t vlen, size_t batch)
{
    MDB_env *env;
    MDB_txn *txn = NULL;
    MDB_dbi dbi;
    MDB_val k, v;
    uint8_t key[8], *val;
    double t0, t = 0;
    size_t i;
    int rc;

    if ((val = malloc(vlen ? vlen : 1)) == NULL)
        return 0;
    randombytes_buf(val, vlen);
    if (mkdir(dir, 0700) != 0 || (rc = mdb_env_create(&env)) != 0) {
        fprintf(stderr, "bench_xlog: raw LMDB: cannot create %s\n", dir);
        free(val);
        return 0;
    }
    if ((rc = mdb_env_set_mapsize(env, (size_t)MAP_MB << 20)) != 0 ||
        (rc = mdb_env_open(env, dir, MDB_NOTLS, 0600)) != 0)
        goto err;
    t0 = seen_clock_mono();
    for (i = 0; i < n; i++) {
        if (i % batch == 0) {
            if (txn != NULL && (rc = mdb_txn_commit(txn)) != 0) {
                txn = NULL;
                goto err;
            }
            if ((rc = mdb_txn_begin(env, NULL, 0, &txn)) != 0 ||
                (rc = mdb_dbi_open(txn, NULL, 0, &dbi)) != 0)
                goto err;
        }
        seen_be64(key, i);
        k = (MDB_val){sizeof key, key};
        v = (MDB_val){vlen, val};
        if ((rc = mdb_put(txn, dbi, &k, &v, 0)) != 0)
            goto err;
    }
    rc = mdb_txn_commit(txn);
    txn = NULL;
    if (rc != 0)
        goto err;
    t = seen_clock_mono() - t0;
    mdb_env_close(env);
    free(val);
    return (double)n / t;

err:
    fprintf(stderr, "bench_xlog: raw LMDB: %s\n", mdb_strerror(rc));
    if (txn != NULL)
        mdb_txn_abort(txn);
    mdb_env_close(env);
    free(val);
    return 0;
}

static void
print_machine(const char *when)
{
    char line[256], model[128] = "unknown CPU";
    FILE *f;
    char *p;

    if (strcmp(when, "start") == 0 &&
        (f = fopen("/proc/cpuinfo", "r")) != NULL) {
        while (fgets(line, sizeof line, f) != NULL)
            if (strncmp(line, "model name", 10) == 0 &&
                (p = strchr(line, ':')) != NULL) {
                snprintf(model, sizeof model, "%s", p + 2);
                model[strcspn(model, "\n")] = '\0';
                break;
            }
        fclose(f);
        printf("machine: %s, %ld CPUs online\n", model,
            sysconf(_SC_NPROCESSORS_ONLN));
    }
    line[0] = '\0';
    if ((f = fopen("/proc/loadavg", "r")) != NULL) {
        if (fgets(line, sizeof line, f) == NULL)
            line[0] = '\0';
        fclose(f);
    }
    line[strcspn(line, "\n")] = '\0';
    printf("load average at %s: %s\n", when, line);
}

static void
usage(FILE *f)
{

    fprintf(f, "usage: bench_xlog [--leaves N] [--batch B] [--single S] "
               "[--checkpoints K] [--keep]\n");
}

/* Parse a positive count for option ${name}, or exit 2. */
static uint64_t
count_arg(const char *name, const char *s)
{
    unsigned long long v;
    char *end;

    v = strtoull(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v == 0 || s[0] == '-') {
        fprintf(stderr, "bench_xlog: --%s wants a positive count, not '%s'\n",
            name, s);
        usage(stderr);
        exit(2);
    }
    return v;
}

/* What the command line asks for. */
struct opts {
    uint64_t nleaves; /* --leaves */
    uint64_t batch;   /* --batch */
    uint64_t single;  /* --single */
    size_t ncp;       /* --checkpoints */
    int keep;         /* --keep */
};

/* What a run measured. */
struct figures {
    double tfill, cfill, tcommit_fill, fill_rate; /* 1. N leaves */
    double t1, one_rate, b_rate;                  /* group commit */
    size_t avg;                                   /* bytes a leaf */
    uint64_t n;                                   /* leaves at the end */
    off_t file;                                   /* store file bytes */
    double cp_best, cp_med, cm_best, cm_med;      /* checkpoints */
    double rbest[NOPS], rmed[NOPS];               /* reads */
    size_t plen[NOPS];
    double sha_leaf, sha_node, ed, rawput;        /* raw limits */
    double sha_leaf_sodium; /* libsodium's SHA-256, which merkle.c used */
    size_t nraw;
};

/*
 * Parse the command line into ${o}.  Returns -1 to go on, or the exit
 * status: 0 after --help, 2 on misuse (said on stderr).
 */
static int
parse_args(int argc, char *argv[], struct opts *o)
{
    static const struct option longopts[] = {
        {"leaves", required_argument, NULL, 'n'},
        {"batch", required_argument, NULL, 'b'},
        {"single", required_argument, NULL, 's'},
        {"checkpoints", required_argument, NULL, 'k'},
        {"keep", no_argument, NULL, 'K'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c;

    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'n':
            o->nleaves = count_arg("leaves", optarg);
            break;
        case 'b':
            o->batch = count_arg("batch", optarg);
            break;
        case 's':
            o->single = count_arg("single", optarg);
            break;
        case 'k':
            o->ncp = count_arg("checkpoints", optarg);
            break;
        case 'K':
            o->keep = 1;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "bench_xlog: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    return -1;
}

/* 1. N leaves with group commit, then S more one a transaction and S
 * more B a transaction, at the size reached; the average leaf. */
static int
measure_appends(struct run *r, const struct opts *o, struct figures *fg)
{
    uint64_t leafsum;
    double t0, c0;

    t0 = seen_clock_mono();
    c0 = bench_cpu();
    if (append_leaves(r, o->nleaves, o->batch, isatty(2)) != 0)
        return -1;
    fg->tfill = seen_clock_mono() - t0;
    fg->cfill = bench_cpu() - c0;
    fg->tcommit_fill = r->tcommit;
    fg->fill_rate = (double)o->nleaves / fg->tfill;

    /* Group commit at the size just reached: batch 1, then batch B. */
    t0 = seen_clock_mono();
    if (append_leaves(r, o->single, 1, 0) != 0)
        return -1;
    fg->t1 = seen_clock_mono() - t0;
    t0 = seen_clock_mono();
    if (append_leaves(r, o->single, o->batch, 0) != 0)
        return -1;
    fg->one_rate = (double)o->single / fg->t1;
    fg->b_rate = (double)o->single / (seen_clock_mono() - t0);

    if (leaf_bytes(r, r->next, &leafsum) != 0)
        return -1;
    fg->avg = (size_t)((leafsum + r->next / 2) / r->next);
    return 0;
}

/*
 * The store phases in ${dir}: appends (measure_appends), then
 * checkpoints, root and proofs, then the store file's size once it is
 * closed.
 */
static int
measure_store(struct run *r, const struct opts *o, const char *dir,
    struct figures *fg)
{
    char path[1100];
    double *tcp = NULL, *tcm = NULL;
    struct stat sb;
    uint8_t root[32];
    int rc = -1;

    if ((tcp = calloc(o->ncp, sizeof *tcp)) == NULL ||
        (tcm = calloc(o->ncp, sizeof *tcm)) == NULL)
        goto done;
    if ((r->keys = seen_keys_generate()) == NULL)
        goto done;
    snprintf(path, sizeof path, "%s/store", dir);
    if (seen_store_open(path, r->keys->sign_pk, r->keys->record_key, MAP_MB,
            1, &r->store) != 0)
        goto done;
    if (measure_appends(r, o, fg) != 0)
        goto done;

    /* 2. Checkpoints, root, proofs. */
    if (checkpoints(r, o->ncp, tcp, tcm, root) != 0)
        goto done;
    best_median(tcp, o->ncp, &fg->cp_best, &fg->cp_med);
    best_median(tcm, o->ncp, &fg->cm_best, &fg->cm_med);
    fg->n = r->next;
    if (reads(r, fg->n, root, fg->rbest, fg->rmed, fg->plen) != 0)
        goto done;
    seen_store_destroy(&r->store);
    r->store = NULL;
    snprintf(path, sizeof path, "%s/store/data.mdb", dir);
    fg->file = stat(path, &sb) == 0 ? sb.st_size : 0;
    rc = 0;
done:
    free(tcp);
    free(tcm);
    return rc;
}

/* 3. Raw limits, in ${dir}, for leaves of the average size. */
static int
measure_raw(const struct opts *o, const char *dir, struct figures *fg)
{
    char path[1100];

    fg->sha_leaf = raw_sha256(1 + fg->avg, RAW_HASHES, 0);
    fg->sha_node = raw_sha256(1 + 32 + 32, RAW_HASHES, 0);
    fg->sha_leaf_sodium = raw_sha256(1 + fg->avg, RAW_HASHES, 1);
    fg->ed = raw_ed25519(RAW_SIGNS);
    fg->nraw = o->nleaves < RAW_PUTS_MAX ? o->nleaves : RAW_PUTS_MAX;
    snprintf(path, sizeof path, "%s/raw", dir);
    if ((fg->rawput = raw_lmdb_puts(path, fg->nraw, fg->avg, o->batch)) == 0)
        return -1;
    return 0;
}

/* Print the appends and checkpoints that ${fg} measured. */
static void
print_writes(const struct opts *o, const struct figures *fg)
{
    char label[64];

    printf("appends (seen_xlog_query; XLOG_QUERY leaves of %zu bytes on "
           "average, 1-5 handles each):\n",
        fg->avg);
    snprintf(label, sizeof label, "%llu leaves, %llu a txn",
        (unsigned long long)o->nleaves, (unsigned long long)o->batch);
    printf("  %-40s %10.0f appends/s   target >= 50000\n", label,
        fg->fill_rate);
    printf("  %-40s %10.2f s wall, %.2f s CPU, %.2f s in commits\n", "  time",
        fg->tfill, fg->cfill, fg->tcommit_fill);
    printf("  %-40s %10.0f appends/s\n", "same, per CPU second",
        (double)o->nleaves / fg->cfill);
    snprintf(label, sizeof label, "at %llu: %llu leaves, 1 a txn",
        (unsigned long long)o->nleaves, (unsigned long long)o->single);
    printf("  %-40s %10.0f appends/s   (%.3f ms a commit)\n", label,
        fg->one_rate, 1e3 * fg->t1 / (double)o->single);
    snprintf(label, sizeof label, "at %llu: %llu leaves, %llu a txn",
        (unsigned long long)(o->nleaves + o->single),
        (unsigned long long)o->single, (unsigned long long)o->batch);
    printf("  %-40s %10.0f appends/s\n", label, fg->b_rate);
    printf("  %-40s %10.1f x\n", "group commit: batch B / batch 1",
        fg->b_rate / fg->one_rate);
    printf("  %-40s %10.1f MiB (%.0f bytes a leaf)\n", "store file",
        (double)fg->file / 1048576.0, (double)fg->file / (double)fg->n);
    printf("checkpoint of the whole log at %llu leaves (%zu calls, each "
           "after one more leaf):\n",
        (unsigned long long)fg->n, o->ncp);
    printf("  %-40s best %9.3f ms   median %9.3f ms   target < 1000 ms\n",
        "seen_xlog_checkpoint (root, sign, store)", 1e3 * fg->cp_best,
        1e3 * fg->cp_med);
    printf("  %-40s best %9.3f ms   median %9.3f ms\n", "its commit (fsync)",
        1e3 * fg->cm_best, 1e3 * fg->cm_med);
}

/* Print the reads, the raw limits and the ratios that ${fg} measured. */
static void
print_reads_and_limits(const struct opts *o, const struct figures *fg)
{
    char label[64];
    double per_append_hash;

    printf("reads at %llu leaves (%d calls each; random leaf, random older "
           "size):\n",
        (unsigned long long)fg->n, PROOF_CALLS);
    printf("  %-40s best %9.1f us   median %9.1f us\n", "seen_xlog_root",
        1e6 * fg->rbest[OP_ROOT], 1e6 * fg->rmed[OP_ROOT]);
    printf("  %-40s best %9.1f us   median %9.1f us   (%zu hashes, last "
           "call)\n",
        "seen_xlog_inclusion", 1e6 * fg->rbest[OP_INCLUSION],
        1e6 * fg->rmed[OP_INCLUSION], fg->plen[OP_INCLUSION]);
    printf("  %-40s best %9.1f us   median %9.1f us   (%zu hashes, last "
           "call)\n",
        "seen_xlog_consistency", 1e6 * fg->rbest[OP_CONSISTENCY],
        1e6 * fg->rmed[OP_CONSISTENCY], fg->plen[OP_CONSISTENCY]);
    printf("raw limits measured in this run:\n");
    snprintf(label, sizeof label, "SHA-256, %zu-byte leaf input", 1 + fg->avg);
    printf("  %-40s %10.0f hashes/s (Nettle, as crypto/merkle.c)\n", label,
        fg->sha_leaf);
    printf("  %-40s %10.0f hashes/s\n", "SHA-256, 65-byte node input",
        fg->sha_node);
    printf("  %-40s %10.0f hashes/s (libsodium's, which merkle.c used "
           "before)\n",
        label, fg->sha_leaf_sodium);
    snprintf(label, sizeof label, "Ed25519 sign, %zu-byte message",
        sizeof SEEN_DOMAIN_XLOG_CHECKPOINT + SEEN_CHECKPOINT_MSG_BYTES);
    printf("  %-40s %10.0f signatures/s (%.1f us each)\n", label, fg->ed,
        1e6 / fg->ed);
    snprintf(label, sizeof label, "LMDB put, %zu-byte values, %llu a txn",
        fg->avg, (unsigned long long)o->batch);
    printf("  %-40s %10.0f puts/s (%zu puts, 8-byte sequential keys)\n", label,
        fg->rawput, fg->nraw);
    per_append_hash = 1.0 / (1.5 / fg->sha_leaf + 1.0 / fg->sha_node);
    printf("ratios:\n");
    printf("  %-40s %10.4f\n", "appends/s : SHA-256 leaf hashes/s",
        fg->fill_rate / fg->sha_leaf);
    printf("  %-40s %10.4f (ceiling %.0f/s: on average one and a half leaf "
           "hashes and one node hash an append)\n",
        "appends/s : hashing-only ceiling", fg->fill_rate / per_append_hash,
        per_append_hash);
    printf("  %-40s %10.4f (an append puts 3 values on average: the leaf, "
           "a tile, the size)\n",
        "appends/s : raw LMDB puts/s", fg->fill_rate / fg->rawput);
    printf("  %-40s %10.1f x\n", "checkpoint (median) : one Ed25519 sign",
        fg->cp_med * fg->ed);
    printf("targets (the issue): >= 50000 appends/s with group commit; "
           "checkpoint at 1M entries < 1 s\n");
}

int
main(int argc, char *argv[])
{
    static struct workload w;
    struct opts o = {1000000, 1000, 5000, 9, 0};
    struct figures fg;
    char dir[1024];
    const char *tmp;
    struct run r;
    int rc;

    if ((rc = parse_args(argc, argv, &o)) >= 0)
        return rc;
    if (sodium_init() < 0)
        return 1;
    seen_log_init("bench_xlog", SEEN_LOG_WARN);
    if ((tmp = getenv("TMPDIR")) == NULL || tmp[0] == '\0')
        tmp = "/tmp";
    snprintf(dir, sizeof dir, "%s/seen-bench-xlog-XXXXXX", tmp);
    if (mkdtemp(dir) == NULL) {
        perror("bench_xlog: mkdtemp");
        return 1;
    }
    memset(&r, 0, sizeof r);
    memset(&fg, 0, sizeof fg);
    r.w = &w;
    rc = 1;

    printf("exchange-log benchmark: %llu leaves, %llu a transaction; "
           "store in %s\n",
        (unsigned long long)o.nleaves, (unsigned long long)o.batch, dir);
    print_machine("start");
    printf("note: wall-clock figures include whatever else this machine is "
           "running (builds, tests) and the disk's fsync time; CPU seconds "
           "are given where they differ\n");
    fflush(stdout);

    workload_init(&w);
    if (measure_store(&r, &o, dir, &fg) != 0 || measure_raw(&o, dir, &fg) != 0)
        goto done;
    print_writes(&o, &fg);
    print_reads_and_limits(&o, &fg);
    print_machine("end");
    rc = 0;

done:
    if (rc != 0)
        fprintf(stderr, "bench_xlog: failed\n");
    seen_store_destroy(&r.store);
    seen_keys_destroy(&r.keys);
    if (o.keep) {
        printf("kept %s\n", dir);
    } else if (seen_file_remove_tree(dir) != 0) {
        fprintf(stderr, "bench_xlog: cannot remove %s\n", dir);
        rc = 1;
    }
    return rc;
}
