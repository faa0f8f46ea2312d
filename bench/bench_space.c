/*
 * bench_space: what watching the store's room costs (storage/space.h),
 * against plain LMDB measured in the same run.
 *
 *   bench_space [--values N] [--txns T] [--keep]
 *
 * 1. Empty write transactions, T of them (default 100,000): begin and
 *    commit with nothing written, as the matcher's step at rest.  Through
 *    seen_store_begin and seen_store_commit (a begin with no other
 *    transaction open looks at the map's high-water mark, to grow it
 *    before it is full) in a store whose map may grow to 64 GiB, and with
 *    plain LMDB in a new environment beside it.  Transactions a second.
 * 2. Write transactions of one 500-byte put each, T / 100 of them (each
 *    commit an fsync), the same two ways: after a write commits the store
 *    also asks the system for the disk's free space (statvfs) and, when
 *    near full, walks LMDB's free list.  Transactions a second.
 * 3. seen_space_get (what `seen status` and `seen alerts` read) on the
 *    store holding N values (default 200,000) of 500 bytes after every
 *    other one was deleted, so that its free list is long: best and
 *    mean of 101 calls, with the used and file bytes it reports.
 *
 * The map growths of 3 are counted (the map starts at 1 MiB).  --keep
 * leaves the temporary directory behind.  Prints figures and ratios;
 * never passes or fails on speed.  Exits 1 when a store call fails, 2 on
 * misuse.
 */
#include <getopt.h>
#include <lmdb.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench/benchutil.h"
#include "common/bytes.h"
#include "common/clock.h"
#include "common/file.h"
#include "common/log.h"
#include "storage/space.h"
#include "storage/store.h"

#define VAL_BYTES 500
#define CALLS 101

/* Plain LMDB: ${n} write transactions in ${dir}, each putting one value
 * (${put}) or nothing.  Returns transactions a second, or 0. */
static double
raw_txns(const char *dir, size_t n, int put)
{
    uint8_t val[VAL_BYTES];
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_val k, v;
    uint64_t key;
    double t0, t;
    size_t i;

    memset(val, 0x5a, sizeof val);
    mkdir(dir, 0700);
    if (mdb_env_create(&env) || mdb_env_set_mapsize(env, (size_t)1 << 30) ||
        mdb_env_open(env, dir, MDB_NOTLS, 0600))
        return 0;
    if (mdb_txn_begin(env, NULL, 0, &txn) ||
        mdb_dbi_open(txn, NULL, 0, &dbi) || mdb_txn_commit(txn))
        return 0;
    t0 = seen_clock_mono();
    for (i = 0; i < n; i++) {
        if (mdb_txn_begin(env, NULL, 0, &txn) != 0)
            return 0;
        key = i;
        k = (MDB_val){sizeof key, &key};
        v = (MDB_val){sizeof val, val};
        if (put && mdb_put(txn, dbi, &k, &v, 0) != 0)
            return 0;
        if (mdb_txn_commit(txn) != 0)
            return 0;
    }
    t = seen_clock_mono() - t0;
    mdb_env_close(env);
    return (double)n / t;
}

/* The same through ${s}'s table SEEN_DB_PEERS, keys from ${base}. */
static double
store_txns(struct seen_store *s, size_t n, int put, uint64_t base)
{
    uint8_t val[VAL_BYTES], k[8];
    struct seen_txn *txn;
    double t0, t;
    size_t i;

    memset(val, 0x5a, sizeof val);
    t0 = seen_clock_mono();
    for (i = 0; i < n; i++) {
        if (seen_store_begin(s, 1, &txn) != 0)
            return 0;
        seen_be64(k, base + i);
        if (put && seen_store_put(txn, SEEN_DB_PEERS, k, 8, val, sizeof val)) {
            seen_store_abort(txn);
            return 0;
        }
        if (seen_store_commit(txn) != 0)
            return 0;
    }
    t = seen_clock_mono() - t0;
    return (double)n / t;
}

/* Put values ${from} .. ${to}-1 into ${s} (or, with ${del}, delete the
 * even ones) in one transaction, again while it finds the map full (it
 * grows as the transaction ends).  Returns 0 or -1. */
static int
batch(struct seen_store *s, size_t from, size_t to, int del)
{
    uint8_t val[VAL_BYTES], k[8];
    struct seen_txn *txn;
    int tries, rc = 0;
    size_t i;

    memset(val, 0x33, sizeof val);
    for (tries = 0; tries < 16; tries++) {
        if (seen_store_begin(s, 1, &txn) != 0)
            return -1;
        for (i = from, rc = 0; i < to && rc == 0; i++) {
            seen_be64(k, ((uint64_t)1 << 40) + i);
            if (!del)
                rc = seen_store_put(txn, SEEN_DB_PEERS, k, 8, val, sizeof val);
            else if (i % 2 == 0)
                rc = seen_store_del(txn, SEEN_DB_PEERS, k, 8, NULL, 0);
        }
        if (rc != 0)
            seen_store_abort(txn);
        else
            rc = seen_store_commit(txn);
        if (rc != SEEN_EFULL)
            return rc == 0 ? 0 : -1;
    }
    return -1;
}

/* Put ${n} values into ${s}, 10,000 a transaction, then delete every
 * other one.  Returns 0 or -1. */
static int
fill_and_thin(struct seen_store *s, size_t n)
{
    size_t i;
    int del;

    for (del = 0; del < 2; del++)
        for (i = 0; i < n; i += 10000)
            if (batch(s, i, i + 10000 < n ? i + 10000 : n, del) != 0)
                return -1;
    return 0;
}

static void
usage(FILE *f)
{

    fprintf(f, "usage: bench_space [--values N] [--txns T] [--keep]\n");
}

int
main(int argc, char *argv[])
{
    static const struct option longopts[] = {{"values", 1, NULL, 'n'},
        {"txns", 1, NULL, 't'}, {"keep", 0, NULL, 'k'},
        {"help", 0, NULL, 'h'}, {NULL, 0, NULL, 0}};
    uint8_t id[32], rkey[32];
    char base[1024], dir[1100], raw[1100];
    struct seen_store *s = NULL;
    struct seen_space sp;
    struct seen_txn *txn;
    double se, re, sw, rw, t, best = 1e9, sum = 0, t0;
    size_t nvals = 200000, ntx = 100000, i;
    int c, keep = 0;

    seen_log_init("bench_space", SEEN_LOG_WARN);
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (c == 'n')
            nvals = strtoul(optarg, NULL, 10);
        else if (c == 't')
            ntx = strtoul(optarg, NULL, 10);
        else if (c == 'k')
            keep = 1;
        else if (c == 'h') {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc || nvals < 2 || ntx < 100) {
        usage(stderr);
        return 2;
    }
    if (sodium_init() < 0)
        return 1;
    snprintf(base, sizeof base, "%s/bench-space-XXXXXX",
        getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(base) == NULL)
        return 1;
    snprintf(dir, sizeof dir, "%s/store", base);
    snprintf(raw, sizeof raw, "%s/raw", base);
    randombytes_buf(id, sizeof id);
    randombytes_buf(rkey, sizeof rkey);
    if (seen_store_open(dir, id, rkey, 1, 1, &s) != 0 ||
        seen_space_limit(s, 65536) != 0)
        return 1;

    se = store_txns(s, ntx, 0, 0);
    re = raw_txns(raw, ntx, 0);
    printf("empty write transactions: %.0f/s through the store, %.0f/s "
           "plain LMDB (%.2f)\n",
        se, re, re > 0 ? se / re : 0);
    sw = store_txns(s, ntx / 100, 1, 0);
    if (seen_file_remove_tree(raw) != 0)
        return 1;
    rw = raw_txns(raw, ntx / 100, 1);
    printf("one-put write transactions (each an fsync): %.0f/s through the "
           "store, %.0f/s plain LMDB (%.2f)\n",
        sw, rw, rw > 0 ? sw / rw : 0);

    if (fill_and_thin(s, nvals) != 0)
        return 1;
    for (i = 0; i < CALLS; i++) {
        if (seen_store_begin(s, 0, &txn) != 0)
            return 1;
        t0 = seen_clock_mono();
        if (seen_space_get(txn, &sp) != 0)
            return 1;
        t = seen_clock_mono() - t0;
        seen_store_abort(txn);
        best = t < best ? t : best;
        sum += t;
    }
    printf("seen_space_get with %zu of %zu values deleted: best %.1f us, "
           "mean %.1f us; used %.1f MiB of a %.1f MiB file, map %.0f MiB "
           "after %llu growths from 1 MiB\n",
        nvals / 2, nvals, best * 1e6, sum / CALLS * 1e6,
        (double)sp.used / (1 << 20), (double)sp.file / (1 << 20),
        (double)sp.map / (1 << 20), (unsigned long long)sp.grown);
    seen_store_destroy(&s);
    if (keep)
        printf("kept %s\n", base);
    else if (seen_file_remove_tree(base) != 0)
        return 1;
    return 0;
}
