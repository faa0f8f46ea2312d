/*
 * bench_catchup: the matcher catching up on a large store.
 *
 *   bench_catchup [--households N] [--seed S] [--dir DIR] [--step-ms MS]
 *                 [--dump FILE]
 *
 * 1. Unless DIR/base holds a filled store already, makes one: seen-synth
 *    records of N households (default 40,000, about 258k index entries)
 *    applied by the indexer, 20,000 records a transaction, as bench_query
 *    fills its store; the store's node key and record key are kept in
 *    DIR/keys (a benchmark's throwaway keys) so that the store can be
 *    matched again, by this build or another.  Without --dir, DIR is a new
 *    temporary directory, removed at the end.
 * 2. Copies DIR/base/data.mdb to DIR/run and runs the matcher over every
 *    entry there, as the daemon does (seen_matcher_step_until, 500 leaves
 *    and 50 ms a step; --step-ms sets the time, 0 for none, which makes
 *    the work the same from run to run), and prints its rate in entries a
 *    second beside the target (50,000) and beside the raw limit of LMDB
 *    measured on the same store in the same run: a cursor walk of every posting of
 *    the token index (every level), and random mdb_get over SEEN_DB_ENTRIES.
 * 3. With --dump FILE, writes what the matcher made (SEEN_DB_LINKS,
 *    SEEN_DB_PERSONS, SEEN_DB_GROUPS, and each alert with its "raised"
 *    time left out) to FILE, one line an item in key order: two builds
 *    that match the same store must write the same file.
 *
 * Prints figures; never passes or fails on them.
 */
#include <lmdb.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench/benchutil.h"
#include "common/clock.h"
#include "common/log.h"
#include "crypto/keys.h"
#include "match/tokens.h"
#include "storage/blocks.h"
#include "storage/index.h"
#include "node/matching/indexer.h"
#include "node/matching/matcher.h"
#include "proto/record.h"
#include "storage/alerts.h"
#include "storage/store.h"

#define MAP_MB 16384
#define BUDGET 500          /* leaves a step, as daemon.c */
#define STEP_SECONDS 0.05   /* and at most 50 ms, as daemon.c */
#define TARGET 50000.0      /* entries a second (issue 12) */
#define RAW_READS 1000000
#define FILL_BATCH 20000

static uint64_t rng_state = 1;
static double step_seconds = STEP_SECONDS;

/* Fill a new store at ${dir}/base from the records of seen-synth, and keep
 * its keys in ${dir}/keys.  Returns 0 or -1. */
static int
fill(const char *dir, uint64_t households, uint64_t seed)
{
    struct seen_keys *keys = seen_keys_generate();
    struct seen_tokenizer *tk = NULL;
    struct seen_store *store = NULL;
    struct seen_indexer ix;
    struct seen_index_stats st;
    struct seen_record *rec;
    struct seen_txn *txn = NULL;
    char path[4096], args[256], *line = NULL;
    size_t lcap = 0, nbatch = 0;
    ssize_t n;
    FILE *f = NULL;
    double t0;
    int rc = -1;

    snprintf(args, sizeof args,
        "--node bench --type police --local-authority Reading "
        "--households %llu --seed %llu",
        (unsigned long long)households, (unsigned long long)seed);
    snprintf(path, sizeof path, "%s/synth", dir);
    if (keys == NULL || bench_synth(args, path) != 0 ||
        (tk = seen_tokenizer_new(keys->match_key, 1)) == NULL)
        goto done;
    snprintf(path, sizeof path, "%s/keys", dir);
    if ((f = fopen(path, "wb")) == NULL ||
        fwrite(keys->sign_pk, 32, 1, f) != 1 ||
        fwrite(keys->record_key, 32, 1, f) != 1 || fclose(f) != 0)
        goto done;
    snprintf(path, sizeof path, "%s/base", dir);
    if (seen_store_open(path, keys->sign_pk, keys->record_key, MAP_MB, 1,
            &store) != 0 ||
        seen_indexer_init(&ix, store, keys, tk) != 0)
        goto done;
    ix.short_tokens = 1; /* a new federation's (docs/protocol.md) */
    snprintf(path, sizeof path, "%s/synth/bench.jsonl", dir);
    if ((f = fopen(path, "r")) == NULL)
        goto done;
    memset(&st, 0, sizeof st);
    t0 = seen_clock_mono();
    while ((n = getline(&line, &lcap, f)) > 0) {
        if (seen_record_line_blank(line, (size_t)n) ||
            seen_record_parse(line, (size_t)n - (line[n - 1] == '\n'), &rec,
                NULL, NULL) != 0)
            continue;
        if ((txn == NULL && seen_store_begin(store, 1, &txn) != 0) ||
            seen_indexer_apply(&ix, txn, rec, 1700000000, &st) != 0)
            goto done;
        seen_record_destroy(&rec);
        if (++nbatch == FILL_BATCH) {
            if (seen_store_commit(txn) != 0)
                goto done;
            txn = NULL;
            nbatch = 0;
        }
    }
    if (txn != NULL && seen_store_commit(txn) != 0)
        goto done;
    txn = NULL;
    printf("store: %llu households -> %llu records, %llu index entries "
           "(filled in %.1f s)\n",
        (unsigned long long)households, (unsigned long long)st.records,
        (unsigned long long)st.entries, seen_clock_mono() - t0);
    rc = 0;
done:
    if (txn != NULL)
        seen_store_abort(txn);
    if (f != NULL)
        fclose(f);
    free(line);
    seen_store_destroy(&store);
    seen_tokenizer_destroy(&tk);
    seen_keys_destroy(&keys);
    if (rc != 0)
        fprintf(stderr, "bench_catchup: cannot fill the store in %s\n", dir);
    return rc;
}

/* The raw limits of LMDB on the store at ${path}: postings a second of a
 * cursor walk of every level of the token index to *${walk} (*${npost}
 * of them), random mdb_get a second over the keys of "entries" to
 * *${reads}.  Returns 0 or -1. */
static int
raw_limits(const char *path, double *walk, double *reads, size_t *npost)
{
    /* Every level of the token index (storage/index.h): blocks of
     * postings from store format 7 (the young level excepted), LMDB
     * duplicates before it, older formats having only "index". */
    static const char *const levels[] = {"iblock1", "iblock2", "iblock3",
        "index0", "index1", "index2", "index"};
    MDB_env *env;
    MDB_txn *txn = NULL;
    MDB_dbi di;
    MDB_cursor *cur;
    MDB_val k, v;
    size_t np = 0, nk = 0, i, j;
    uint64_t sum = 0;
    double t0;
    int rc;

    if (mdb_env_create(&env) != 0)
        return -1;
    mdb_env_set_maxdbs(env, SEEN_DB_COUNT + 4);
    mdb_env_set_mapsize(env, (size_t)MAP_MB << 20);
    if (mdb_env_open(env, path, MDB_RDONLY | MDB_NOTLS, 0600) != 0 ||
        mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) != 0) {
        if (txn != NULL)
            mdb_txn_abort(txn);
        mdb_env_close(env);
        return -1;
    }
    t0 = seen_clock_mono();
    for (i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        if (mdb_dbi_open(txn, levels[i], 0, &di) != 0 ||
            mdb_cursor_open(txn, di, &cur) != 0)
            continue;
        for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
             rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            if (i >= 3) { /* one posting an item */
                sum += ((const uint8_t *)v.mv_data)[0];
                np++;
                continue;
            }
            for (j = 0; j + SEEN_BLOCK_REC <= v.mv_size;
                 j += SEEN_BLOCK_REC, np++)
                sum += ((const uint8_t *)v.mv_data)[j + SEEN_INDEX_KEY_BYTES];
        }
        mdb_cursor_close(cur);
    }
    *walk = np / (seen_clock_mono() - t0);
    *npost = np;
    (void)sum;
    mdb_txn_abort(txn);
    mdb_env_close(env);
    *reads = bench_raw_lmdb_reads(path, MAP_MB, RAW_READS, &rng_state, &nk);
    return nk > 0 ? 0 : -1;
}

/* One item of a table, as a line of hex (a seen_store_iter_fn). */
static int
dump_item(void *ctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{
    FILE *f = ctx;
    size_t i;

    for (i = 0; i < klen; i++)
        fprintf(f, "%02x", ((const uint8_t *)key)[i]);
    fputc(' ', f);
    for (i = 0; i < vlen; i++)
        fprintf(f, "%02x", ((const uint8_t *)val)[i]);
    fputc('\n', f);
    return 0;
}

/* One alert, its "raised" time left out (a seen_alerts_fn). */
static int
dump_alert(void *ctx, const void *v, size_t vlen)
{
    const char *s = v, *r = memmem(v, vlen, "\"raised\":", 9);
    size_t a = r ? (size_t)(r - s) : vlen, b = a;

    if (r != NULL)
        for (b = a + 9; b < vlen && s[b] != ',' && s[b] != '}'; b++)
            ;
    fprintf(ctx, "%.*s%.*s\n", (int)a, s, (int)(vlen - b), s + b);
    return 0;
}

/* Write the matcher's tables of ${store} to ${path}.  Returns 0 or -1. */
static int
dump(struct seen_store *store, const char *path)
{
    static const enum seen_db dbs[] = {SEEN_DB_LINKS, SEEN_DB_PERSONS,
        SEEN_DB_GROUPS};
    struct seen_txn *txn;
    FILE *f;
    size_t i;
    int rc = 0;

    if ((f = fopen(path, "w")) == NULL)
        return -1;
    if (seen_store_begin(store, 0, &txn) != 0) {
        fclose(f);
        return -1;
    }
    for (i = 0; i < sizeof dbs / sizeof dbs[0] && rc == 0; i++) {
        fprintf(f, "table %zu\n", i);
        rc = seen_store_iter(txn, dbs[i], NULL, 0, dump_item, f);
    }
    fprintf(f, "alerts\n");
    if (rc == 0)
        rc = seen_alerts_each(txn, dump_alert, f);
    seen_store_abort(txn);
    return fclose(f) != 0 || rc != 0 ? -1 : 0;
}

/* Match every entry of the copy of the store in ${dir}/run; print the
 * rate beside the target and the raw limits; dump to ${out} when set. */
static int
catchup(const char *dir, const char *out)
{
    struct seen_store *store = NULL;
    struct seen_matcher m;
    uint8_t kb[64];
    char path[4096];
    double t0, c0, t, c, walk = 0, reads = 0, rate, ts, tmax = 0;
    uint64_t done = 0, nsteps = 0, nover = 0;
    size_t np = 0;
    FILE *f;
    int rc;

    snprintf(path, sizeof path, "%s/keys", dir);
    if ((f = fopen(path, "rb")) == NULL || fread(kb, 64, 1, f) != 1) {
        fprintf(stderr, "bench_catchup: cannot read %s\n", path);
        return -1;
    }
    fclose(f);
    if (bench_sh("rm -rf '%s/run' && mkdir -p '%s/run' && cp "
                 "'%s/base/data.mdb' '%s/run/'", dir, dir, dir, dir) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/run", dir);
    if (seen_store_open(path, kb, kb + 32, MAP_MB, 0, &store) != 0) {
        fprintf(stderr, "bench_catchup: cannot open %s\n", path);
        return -1;
    }
    memset(&m, 0, sizeof m);
    m.store = store;
    m.type_of = bench_type_police;
    m.name_of = bench_name_bench;
    t0 = seen_clock_mono();
    c0 = bench_cpu();
    for (;;) {
        ts = seen_clock_mono();
        if ((rc = seen_matcher_step_until(&m, BUDGET,
                 step_seconds > 0 ? ts + step_seconds : 0)) <= 0)
            break;
        ts = seen_clock_mono() - ts;
        tmax = ts > tmax ? ts : tmax;
        nover += ts > STEP_SECONDS;
        nsteps++;
        done += (uint64_t)rc;
    }
    t = seen_clock_mono() - t0;
    c = bench_cpu() - c0;
    if (rc < 0) {
        fprintf(stderr, "bench_catchup: matcher: %s\n", seen_strerror(rc));
        seen_store_destroy(&store);
        return -1;
    }
    if (out != NULL && dump(store, out) != 0)
        fprintf(stderr, "bench_catchup: cannot write %s\n", out);
    seen_store_destroy(&store);
    if (raw_limits(path, &walk, &reads, &np) != 0)
        fprintf(stderr, "bench_catchup: no raw limit measured\n");
    rate = done / t;
    printf("catch-up (seen_matcher_step_until, %d leaves and %.0f ms a "
           "step; 0: no time limit):\n", BUDGET, step_seconds * 1000);
    printf("  matched     %10llu entries in %.1f s (%.1f s of CPU)\n",
        (unsigned long long)done, t, c);
    printf("  steps       %10llu (%.0f entries a step; the longest %.1f ms, "
           "%llu over %.0f ms, commit included)\n",
        (unsigned long long)nsteps, nsteps ? (double)done / nsteps : 0.0,
        tmax * 1000, (unsigned long long)nover, STEP_SECONDS * 1000);
    printf("  rate        %10.0f entries/s   target >= %.0f   ratio %.3f\n",
        rate, TARGET, rate / TARGET);
    printf("raw limit measured in this run, on the same store:\n");
    printf("  INDEX walk  %10.0f postings/s (one cursor, %zu postings)\n",
        walk, np);
    printf("  ENTRIES get %10.0f reads/s (%d random keys, one read txn)\n",
        reads, RAW_READS);
    printf("ratios: rate : INDEX walk = %.5f; rate : ENTRIES get = %.5f\n",
        walk ? rate / walk : 0, reads ? rate / reads : 0);
    return 0;
}

int
main(int argc, char *argv[])
{
    uint64_t households = 40000, seed = 1;
    char dir[1024] = "", path[4096];
    const char *out = NULL;
    struct stat sb;
    int i, tmp = 0, rc;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--households") == 0 && i + 1 < argc)
            households = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
            snprintf(dir, sizeof dir, "%s", argv[++i]);
        else if (strcmp(argv[i], "--step-ms") == 0 && i + 1 < argc)
            step_seconds = strtod(argv[++i], NULL) / 1000;
        else if (strcmp(argv[i], "--dump") == 0 && i + 1 < argc)
            out = argv[++i];
        else {
            fprintf(stderr, "usage: bench_catchup [--households N] "
                            "[--seed S] [--dir DIR] [--step-ms MS] [--dump FILE]\n");
            return 2;
        }
    }
    if (sodium_init() < 0)
        return 1;
    seen_log_init("bench_catchup", SEEN_LOG_ERROR); /* not each alert */
    if (*dir == '\0') {
        snprintf(dir, sizeof dir, "%s/seen-bench-catchup-XXXXXX",
            getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR")
                                                   : "/tmp");
        if (mkdtemp(dir) == NULL)
            return 1;
        tmp = 1;
    } else
        mkdir(dir, 0700);
    snprintf(path, sizeof path, "%s/base/data.mdb", dir);
    if (stat(path, &sb) != 0 && fill(dir, households, seed) != 0)
        return 1;
    rc = catchup(dir, out);
    if (tmp)
        (void)bench_sh("rm -rf '%s'", dir);
    return rc == 0 ? 0 : 1;
}
