/*
 * bench_index_levels: what a log-structured token index would save a
 * replicating node, measured on plain LMDB before Seen's index is
 * changed (docs/scale.md, "Replication is bound by the index's random
 * writes").
 *
 *   bench_index_levels [--entries N] [--lookups N]
 *
 * Both layouts take the postings of N entries (POSTINGS_PER_ENTRY each:
 * a 9-byte key, rule and token, and an 8-byte posting, as in
 * storage/index.h), ROUND entries a write transaction, sorted first as
 * storage/defer.c sorts them, synced at each commit as the store is:
 *
 *   flat     one DUPSORT|DUPFIXED table, as the store keeps it today;
 *   levels   new postings into a small level 0; a level over its cap is
 *            moved whole, in key order, into the next (level 0 into 1,
 *            1 into 2, 2 into the base), each cap LEVEL_RATIO times the
 *            one before, each move in a transaction of its own.
 *
 * Keys are random (a token's first bytes are a keyed hash), one in four
 * drawn from a pool of common tokens (a frequent surname's block).
 * Prints entries a second, bytes written to the file system
 * (/proc/self/io), the file's size, and the look-up time of a token
 * (every level read, in order), beside raw LMDB batched puts measured in
 * the same run.  Never passes or fails.
 */
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench/benchutil.h"
#include "common/clock.h"

#define POSTINGS_PER_ENTRY 15
#define ROUND 2048
#define KEY 9
#define VAL 8
#define ITEM (KEY + VAL)
#define COMMON 20000        /* tokens in the common pool */
#define LEVELS 3            /* levels above the base */
#define LEVEL0_CAP (1u << 18) /* postings */
#define LEVEL_RATIO 8

static uint64_t rng = 0x5eed;
static uint8_t common[COMMON][KEY];

/* Bytes this process has written to the file system so far. */
static unsigned long long
written(void)
{
    char line[256];
    unsigned long long v = 0;
    FILE *f = fopen("/proc/self/io", "r");

    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "write_bytes: %llu", &v) == 1)
            break;
    if (f != NULL)
        fclose(f);
    return v;
}

/* A token's key: random, or one of the common pool. */
static void
key_of(uint8_t k[KEY])
{
    uint64_t r = bench_rng(&rng), s = bench_rng(&rng);

    if (r % 4 == 0) {
        memcpy(k, common[s % COMMON], KEY);
        return;
    }
    memcpy(k, &r, 8);
    k[8] = (uint8_t)s;
}

static int
item_cmp(const void *a, const void *b)
{

    return memcmp(a, b, ITEM);
}

struct layout {
    MDB_env *env;
    MDB_dbi dbi[LEVELS + 1]; /* levels 0..LEVELS-1, then the base */
    int leveled;
    char dir[512];
};

static int
layout_open(struct layout *l, const char *base, const char *name, int leveled)
{
    MDB_txn *t;
    char dbname[16];
    int i;

    snprintf(l->dir, sizeof l->dir, "%s/%s", base, name);
    mkdir(l->dir, 0700);
    l->leveled = leveled;
    if (mdb_env_create(&l->env) || mdb_env_set_mapsize(l->env, (size_t)16 << 30) ||
        mdb_env_set_maxdbs(l->env, 8) ||
        mdb_env_open(l->env, l->dir, MDB_NOTLS, 0600) ||
        mdb_txn_begin(l->env, NULL, 0, &t))
        return -1;
    for (i = 0; i <= LEVELS; i++) {
        snprintf(dbname, sizeof dbname, "index%d", i);
        if (mdb_dbi_open(t, dbname, MDB_CREATE | MDB_DUPSORT | MDB_DUPFIXED,
                &l->dbi[i]))
            return -1;
    }
    return mdb_txn_commit(t) ? -1 : 0;
}

/* Postings in table ${dbi}. */
static size_t
count(MDB_env *env, MDB_dbi dbi)
{
    MDB_txn *t;
    MDB_stat st;

    mdb_txn_begin(env, NULL, MDB_RDONLY, &t);
    mdb_stat(t, dbi, &st);
    mdb_txn_abort(t);
    return st.ms_entries;
}

/* Move every posting of ${from} into ${to}, in key order, and empty
 * ${from}: one transaction. */
static int
move_level(struct layout *l, MDB_dbi from, MDB_dbi to)
{
    MDB_txn *t;
    MDB_cursor *c, *w;
    MDB_val k, v;
    int rc;

    if (mdb_txn_begin(l->env, NULL, 0, &t) || mdb_cursor_open(t, from, &c) ||
        mdb_cursor_open(t, to, &w))
        return -1;
    for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))
        if (mdb_cursor_put(w, &k, &v, 0) != 0)
            return -1;
    mdb_cursor_close(c);
    mdb_cursor_close(w);
    if (mdb_drop(t, from, 0))
        return -1;
    return mdb_txn_commit(t) ? -1 : 0;
}

/* Index ${n} entries into ${l}; returns the seconds taken. */
static double
load(struct layout *l, size_t n)
{
    uint8_t *items = malloc((size_t)ROUND * POSTINGS_PER_ENTRY * ITEM);
    double t0 = seen_clock_mono();
    size_t e, i, m, cap;
    MDB_txn *t;
    MDB_cursor *c;
    MDB_val k, v;
    uint64_t seq = 0;
    int lv;

    for (e = 0; e < n; e += ROUND) {
        m = 0;
        for (i = 0; i < ROUND && e + i < n; i++, seq++) {
            for (int p = 0; p < POSTINGS_PER_ENTRY; p++, m++) {
                uint8_t *it = items + m * ITEM;

                key_of(it);
                for (int b = 0; b < VAL; b++)
                    it[KEY + b] = (uint8_t)(seq >> (8 * (VAL - 1 - b)));
            }
        }
        qsort(items, m, ITEM, item_cmp);
        mdb_txn_begin(l->env, NULL, 0, &t);
        mdb_cursor_open(t, l->dbi[l->leveled ? 0 : LEVELS], &c);
        for (i = 0; i < m; i++) {
            k = (MDB_val){KEY, items + i * ITEM};
            v = (MDB_val){VAL, items + i * ITEM + KEY};
            if (mdb_cursor_put(c, &k, &v, 0) != 0) {
                fprintf(stderr, "bench_index_levels: put failed\n");
                exit(1);
            }
        }
        mdb_cursor_close(c);
        mdb_txn_commit(t);
        /* A level over its cap goes whole into the next. */
        for (lv = 0, cap = LEVEL0_CAP; l->leveled && lv < LEVELS;
             lv++, cap *= LEVEL_RATIO)
            if (count(l->env, l->dbi[lv]) > cap &&
                move_level(l, l->dbi[lv], l->dbi[lv + 1]) != 0) {
                fprintf(stderr, "bench_index_levels: a move failed\n");
                exit(1);
            }
    }
    free(items);
    return seen_clock_mono() - t0;
}

/* Microseconds a token's look-up takes, every level read. */
static double
lookups(struct layout *l, size_t n)
{
    MDB_txn *t;
    MDB_cursor *c[LEVELS + 1];
    MDB_val k, v;
    uint8_t key[KEY];
    volatile size_t found = 0;
    double t0 = seen_clock_mono();
    size_t i;
    int lv, rc;

    mdb_txn_begin(l->env, NULL, MDB_RDONLY, &t);
    for (lv = 0; lv <= LEVELS; lv++)
        mdb_cursor_open(t, l->dbi[lv], &c[lv]);
    for (i = 0; i < n; i++) {
        key_of(key);
        for (lv = l->leveled ? 0 : LEVELS; lv <= LEVELS; lv++) {
            k = (MDB_val){KEY, key};
            for (rc = mdb_cursor_get(c[lv], &k, &v, MDB_SET); rc == 0;
                 rc = mdb_cursor_get(c[lv], &k, &v, MDB_NEXT_DUP))
                found++;
        }
    }
    for (lv = 0; lv <= LEVELS; lv++)
        mdb_cursor_close(c[lv]);
    mdb_txn_abort(t);
    return (seen_clock_mono() - t0) * 1e6 / (double)n;
}

static long long
file_size(const struct layout *l)
{
    char p[600];
    struct stat sb;

    snprintf(p, sizeof p, "%s/data.mdb", l->dir);
    return stat(p, &sb) == 0 ? (long long)sb.st_size : -1;
}

int
main(int argc, char **argv)
{
    size_t n = 386770, nlook = 200000, i;
    char dir[] = "/tmp/seen-bench-levels-XXXXXX", raw[600];
    struct layout flat, lev;
    unsigned long long w0, wf, wl;
    double tf, tl, put;

    for (i = 1; i < (size_t)argc; i++) {
        if (strcmp(argv[i], "--entries") == 0 && i + 1 < (size_t)argc)
            n = (size_t)atoll(argv[++i]);
        else if (strcmp(argv[i], "--lookups") == 0 && i + 1 < (size_t)argc)
            nlook = (size_t)atoll(argv[++i]);
        else {
            fprintf(stderr, "usage: bench_index_levels [--entries N] "
                            "[--lookups N]\n");
            return 2;
        }
    }
    if (mkdtemp(dir) == NULL)
        return 1;
    for (i = 0; i < COMMON; i++) {
        uint64_t r = bench_rng(&rng);

        memcpy(common[i], &r, 8);
        common[i][8] = (uint8_t)i;
    }
    snprintf(raw, sizeof raw, "%s/raw", dir);
    put = bench_raw_lmdb_puts(raw, 1000000, VAL);
    if (layout_open(&flat, dir, "flat", 0) || layout_open(&lev, dir, "levels", 1))
        return 1;
    w0 = written();
    tf = load(&flat, n);
    wf = written() - w0;
    w0 = written();
    tl = load(&lev, n);
    wl = written() - w0;
    printf("token index of %zu entries, %d postings each, %d entries a "
           "transaction:\n", n, POSTINGS_PER_ENTRY, ROUND);
    printf("  flat     %8.0f entries/s  %7.0f bytes written an entry  "
           "file %lld bytes an entry  look-up %.2f us\n",
        (double)n / tf, (double)wf / (double)n,
        file_size(&flat) / (long long)n, lookups(&flat, nlook));
    printf("  levels   %8.0f entries/s  %7.0f bytes written an entry  "
           "file %lld bytes an entry  look-up %.2f us\n",
        (double)n / tl, (double)wl / (double)n,
        file_size(&lev) / (long long)n, lookups(&lev, nlook));
    printf("    level sizes (postings): %zu %zu %zu, base %zu\n",
        count(lev.env, lev.dbi[0]), count(lev.env, lev.dbi[1]),
        count(lev.env, lev.dbi[2]), count(lev.env, lev.dbi[3]));
    printf("raw limit measured in this run:\n  LMDB batched put  %.0f "
           "puts/s (8-byte values, random 16-byte keys)\n", put);
    printf("ratios:\n  levels : flat = %.2f (entries/s), %.2f (bytes "
           "written)\n  flat postings/s : raw puts/s = %.3f; levels = "
           "%.3f\n",
        tf / tl, (double)wl / (double)wf,
        (double)n * POSTINGS_PER_ENTRY / tf / put,
        (double)n * POSTINGS_PER_ENTRY / tl / put);
    mdb_env_close(flat.env);
    mdb_env_close(lev.env);
    bench_sh("rm -rf %s", dir);
    return 0;
}
