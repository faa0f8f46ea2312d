/*
 * storesize.c: a store's bytes per index entry beside the raw limit
 * (storesize.h).
 */
#include <lmdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench/benchutil.h"
#include "bench/storesize.h"

#define TABLES_MAX 64
#define FREE_DBI 0 /* LMDB's own tables: the free list */
#define MAIN_DBI 1 /* and the table of named tables */
#define RAW_MAP ((size_t)64 << 30) /* sparse: the raw copy's map */
#define RAW_TXN 65536              /* leaves a transaction of the copy */

/* A table's name and pages. */
struct table {
    char name[32];
    uint64_t pages, entries;
};

/* The size of file ${dir}/data.mdb, or 0. */
static uint64_t
file_bytes(const char *dir)
{
    char path[4096 + 16];
    struct stat sb;

    snprintf(path, sizeof path, "%.4095s/data.mdb", dir);
    return stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

/* The pages of the named tables of ${env} into ${t} (*${nt} of them, the
 * main table and the free list counted as "(lmdb)"); their sum. */
static uint64_t
table_pages(MDB_env *env, MDB_txn *txn, struct table *t, size_t *nt)
{
    MDB_cursor *c;
    MDB_dbi dbi;
    MDB_stat st;
    MDB_val k, v;
    uint64_t sum = 0;
    size_t n = 0;

    (void)env;
    *nt = 0;
    if (mdb_stat(txn, MAIN_DBI, &st) == 0) {
        snprintf(t[n].name, sizeof t[n].name, "(lmdb)");
        t[n].pages = st.ms_branch_pages + st.ms_leaf_pages +
                     st.ms_overflow_pages;
        if (mdb_stat(txn, FREE_DBI, &st) == 0)
            t[n].pages += st.ms_branch_pages + st.ms_leaf_pages +
                          st.ms_overflow_pages;
        t[n].entries = 0;
        sum += t[n++].pages;
    }
    if (mdb_cursor_open(txn, MAIN_DBI, &c) != 0)
        return sum;
    while (n < TABLES_MAX && mdb_cursor_get(c, &k, &v, MDB_NEXT) == 0) {
        snprintf(t[n].name, sizeof t[n].name, "%.*s",
            (int)(k.mv_size < 31 ? k.mv_size : 31), (const char *)k.mv_data);
        if (mdb_dbi_open(txn, t[n].name, 0, &dbi) != 0 ||
            mdb_stat(txn, dbi, &st) != 0)
            continue;
        t[n].pages =
            st.ms_branch_pages + st.ms_leaf_pages + st.ms_overflow_pages;
        t[n].entries = st.ms_entries;
        sum += t[n++].pages;
    }
    mdb_cursor_close(c);
    *nt = n;
    return sum;
}

/* Copy the leaves of "feeds" of ${txn} to a plain LMDB database in
 * ${raw}, appended in order; its data file's bytes, or 0. */
static uint64_t
raw_copy(MDB_txn *txn, MDB_dbi feeds, const char *raw, uint64_t *rawpages)
{
    MDB_env *env;
    MDB_txn *w = NULL;
    MDB_cursor *c;
    MDB_dbi dbi;
    MDB_stat st;
    MDB_val k, v;
    uint64_t n = 0, bytes = 0;
    int rc;

    bench_sh("rm -rf '%s' && mkdir -p '%s'", raw, raw);
    if (mdb_env_create(&env) != 0)
        return 0;
    if (mdb_env_set_mapsize(env, RAW_MAP) != 0 ||
        mdb_env_open(env, raw, MDB_NOSYNC, 0600) != 0 ||
        mdb_cursor_open(txn, feeds, &c) != 0)
        goto out;
    rc = 0;
    while (rc == 0 && mdb_cursor_get(c, &k, &v, MDB_NEXT) == 0) {
        if (w == NULL && ((rc = mdb_txn_begin(env, NULL, 0, &w)) != 0 ||
                             (rc = mdb_dbi_open(w, NULL, 0, &dbi)) != 0))
            break;
        rc = mdb_put(w, dbi, &k, &v, MDB_APPEND);
        if (rc == 0 && ++n % RAW_TXN == 0) {
            rc = mdb_txn_commit(w);
            w = NULL;
        }
    }
    mdb_cursor_close(c);
    if (w != NULL && (rc != 0 || mdb_txn_commit(w) != 0))
        rc = -1;
    if (rc == 0 && mdb_env_stat(env, &st) == 0) {
        *rawpages = st.ms_branch_pages + st.ms_leaf_pages +
                    st.ms_overflow_pages;
        bytes = file_bytes(raw);
    }
out:
    mdb_env_close(env);
    bench_sh("rm -rf '%s'", raw);
    return bytes;
}

/* Tables by pages, the largest first. */
static int
by_pages(const void *a, const void *b)
{
    const struct table *x = a, *y = b;

    return x->pages < y->pages ? 1 : x->pages > y->pages ? -1 : 0;
}

/**
 * bench_store_size(dir):
 * Print the bytes per live index entry of the closed store in directory
 * ${dir} (its data.mdb, and the pages its tables use, the largest tables
 * by name), beside "target <= 1024" and the raw limit measured now: the
 * bytes per entry of a plain LMDB database holding only the leaves of
 * the store's feeds (their keys and bytes, appended in order), made in
 * ${dir}.raw and removed after; and the ratios.  Returns 0, or -1 (said
 * on standard error) when the store cannot be read.
 */
int
bench_store_size(const char *dir)
{
    struct table t[TABLES_MAX];
    char raw[4096];
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi entries, feeds;
    MDB_stat st;
    uint64_t used, file, rawfile, rawpages = 0, n, ps;
    size_t nt = 0, i;

    if (mdb_env_create(&env) != 0)
        return -1;
    if (mdb_env_set_maxdbs(env, TABLES_MAX) != 0 ||
        mdb_env_open(env, dir, MDB_RDONLY, 0600) != 0 ||
        mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) != 0) {
        mdb_env_close(env);
        fprintf(stderr, "bench: cannot read the store at %s\n", dir);
        return -1;
    }
    if (mdb_dbi_open(txn, "entries", 0, &entries) != 0 ||
        mdb_dbi_open(txn, "feeds", 0, &feeds) != 0 ||
        mdb_stat(txn, entries, &st) != 0 || (n = st.ms_entries) == 0) {
        mdb_txn_abort(txn);
        mdb_env_close(env);
        fprintf(stderr, "bench: the store at %s holds no entry\n", dir);
        return -1;
    }
    ps = st.ms_psize;
    used = table_pages(env, txn, t, &nt) * ps;
    file = file_bytes(dir);
    snprintf(raw, sizeof raw, "%s.raw", dir);
    rawfile = raw_copy(txn, feeds, raw, &rawpages);
    mdb_txn_abort(txn);
    mdb_env_close(env);

    qsort(t, nt, sizeof t[0], by_pages);
    printf("store bytes per entry (%llu live entries, the store closed):\n",
        (unsigned long long)n);
    printf("  data.mdb            %10.0f bytes/entry   target <= 1024  "
           "(%.1f MiB)\n",
        (double)file / n, file / 1048576.0);
    printf("  pages in use        %10.0f bytes/entry   (the rest of the "
           "file is free pages LMDB reuses)\n",
        (double)used / n);
    printf("  by table           ");
    for (i = 0; i < nt && t[i].pages * ps * 100 >= used; i++)
        printf(" %s %.0f", t[i].name, (double)t[i].pages * ps / n);
    printf("\n");
    printf("raw limit measured in this run:\n");
    printf("  plain LMDB of the leaves alone %7.0f bytes/entry (data.mdb; "
           "%.0f in pages; key and leaf bytes, appended in order)\n",
        (double)rawfile / n, (double)rawpages * ps / n);
    printf("ratios:\n");
    printf("  store : leaves alone = %.2f (data.mdb), %.2f (pages in use); "
           "store : target = %.2f\n",
        rawfile ? (double)file / rawfile : 0.0,
        rawpages ? (double)used / (rawpages * ps) : 0.0,
        (double)file / n / 1024);
    return 0;
}
