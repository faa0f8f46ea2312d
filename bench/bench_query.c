/*
 * bench_query: latency of `seen query` against one node holding about 1M
 * index entries, and the node's resident memory, against the raw LMDB
 * random-read rate measured in the same run.
 *
 *   bench_query [--households N] [--queries N] [--batch N] [--seed S]
 *               [--no-match] [--keep]
 *
 * --seed is seen-synth's and the draw of persons' (default 1; the keys are
 * random in every run); --keep leaves the temporary directory behind.
 * The store (about 4.4 GiB at the default size) and seen-synth's files go
 * in a new directory under $TMPDIR, or /tmp.
 *
 * 1. Runs seen-synth (beside this binary) for one police node in Reading
 *    with N households (default 160000: about 314k records holding about
 *    1.03M persons, so about 1.03M index entries; 300000 gives about 1.9M,
 *    20000 about 128k).
 * 2. Builds a store in a temporary directory as the node does
 *    (seen_keys_generate, seen_tokenizer_new(match_key, 1),
 *    seen_store_open(create), seen_indexer_init) and fills it with every
 *    record: seen_record_parse and seen_indexer_apply, one write
 *    transaction per --batch records (default 20000).  The fill time is
 *    informative.  The store is then closed, malloc_trim(0) returns what
 *    the fill freed, and the store is opened again as a node starting on
 *    it: LMDB keeps every dirty page a write transaction used, for reuse,
 *    until its environment closes, so the filling process's resident set
 *    says more about the fill's batch size than about a node serving
 *    queries.
 * 3. Unless --no-match, runs the matcher over every entry
 *    (seen_matcher_step with the daemon's budget of 500 leaves a
 *    transaction, until it returns 0) and prints its time and the number
 *    of persons (informative).  With --no-match each picture gathers
 *    persons of one entry, so queries are cheaper than on a matched node.
 * 4. Queries: reads the generated file again and draws persons at random
 *    (fixed seed), then issues --queries (default 2000) queries, in turn
 *    by NHS number (only persons that have one), by given + family + date
 *    of birth, by a misspelt given name (one ASCII letter changed) +
 *    family + date of birth, and by given + family only (persons missing
 *    a field a kind needs are passed over for that kind).  Each query is
 *    what the daemon's cmd_query does with the store: a read transaction,
 *    seen_query_run, then seen_matcher_picture over the hits in the match
 *    band (or the best hit when none is), as daemon.c's picture() picks
 *    them; the clock (CLOCK_MONOTONIC) runs from seen_store_begin to
 *    seen_store_abort and the freeing of the picture.  Not timed, because
 *    not reachable from outside daemon.c: the JSON reply and the
 *    unsealing of the local details of our own records.  Prints p50, p90,
 *    p99 and max in ms; apart, the p50 and p99 of seen_query_run alone and
 *    of what follows it (the picture); the distribution of the candidates
 *    a query scored; and the hit rate: the share of queries whose hits
 *    (match or possible band) include the entry made from the queried
 *    person itself (found through its record's RecordMeta, untimed).
 *    LMDB calls are counted by the store (seen_store_reads: the lookups,
 *    cursor seeks and cursor steps of the query's transaction).
 * 5. Memory: VmRSS, VmHWM, RssAnon and RssFile of /proc/self/status after
 *    the fill, after reopening, after matching and after the queries.
 *    LMDB's mapped pages count in VmRSS (as RssFile); RssAnon leaves the
 *    map out.  The peak is reset (/proc/self/clear_refs) after reopening
 *    and again before the queries, so VmHWM after matching is the peak of
 *    matching, and after the queries that of the queries.
 * 6. Raw limit: once the store is closed, the same data.mdb is opened
 *    with plain LMDB and mdb_get reads 1M random existing keys of the
 *    "entries" database in one read transaction.
 *
 * Prints figures and ratios; never passes or fails.
 */
#include <jansson.h>
#include <lmdb.h>
#include <malloc.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "crypto/keys.h"
#include "match/score.h"
#include "match/tokens.h"
#include "node/matching/indexer.h"
#include "node/matching/matcher.h"
#include "node/matching/query.h"
#include "proto/record.h"
#include "storage/store.h"
#include "seen.pb-c.h"

#define MATCH_BUDGET 500     /* leaves per seen_matcher_step, as daemon.c */
#define MAP_MB 16384
#define DRAW_PER_QUERY 20    /* persons drawn per query wanted */
#define RAW_READS 1000000
#define NAME_MAX_BYTES 96

enum { BY_NHS, BY_NAME_DOB, BY_TYPO, BY_NAMES, NKINDS };
static const char *const kind_names[NKINDS] = {
    "NHS number", "given+family+dob", "misspelt given+family+dob",
    "given+family"};

/* ---- helpers ---- */

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CPU seconds of this process (the machine may be shared). */
static double
cpu(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t rng_state;

static uint64_t
rng(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

struct mem {
    double rss, hwm, anon, file;   /* MiB */
};

static void
mem_read(struct mem *m)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    unsigned long kb;

    memset(m, 0, sizeof *m);
    if (f == NULL)
        return;
    while (fgets(line, sizeof line, f) != NULL) {
        if (sscanf(line, "VmRSS: %lu", &kb) == 1)
            m->rss = kb / 1024.0;
        else if (sscanf(line, "VmHWM: %lu", &kb) == 1)
            m->hwm = kb / 1024.0;
        else if (sscanf(line, "RssAnon: %lu", &kb) == 1)
            m->anon = kb / 1024.0;
        else if (sscanf(line, "RssFile: %lu", &kb) == 1)
            m->file = kb / 1024.0;
    }
    fclose(f);
}

static void
mem_print(const char *when)
{
    struct mem m;

    mem_read(&m);
    printf("  %-22s VmRSS %7.1f MiB  VmHWM %7.1f MiB  RssAnon %6.1f MiB  "
           "RssFile %7.1f MiB\n",
        when, m.rss, m.hwm, m.anon, m.file);
}

/* Reset VmHWM to the current RSS (Linux 4.0 and later). */
static int
reset_hwm(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    int ok;

    if (f == NULL)
        return 0;
    ok = fputs("5", f) >= 0;
    return fclose(f) == 0 && ok;
}

static const char *
type_of(void *ctx, const uint8_t pk[static 32])
{
    (void)ctx;
    (void)pk;
    return "police";
}

static const char *
name_of(void *ctx, const uint8_t pk[static 32], char *buf, size_t len)
{
    (void)ctx;
    (void)pk;
    (void)buf;
    (void)len;
    return "bench";
}

static int
dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted v[n]. */
static double
pct(const double *v, size_t n, double p)
{
    size_t k = (size_t)(p * (double)n + 0.999999);

    if (k == 0)
        k = 1;
    return v[(k > n ? n : k) - 1];
}

/* ---- the persons queried ---- */

struct cand {
    uint64_t gidx;          /* person number over the whole file */
    uint32_t order;         /* draw order */
    int ok;                 /* read, and its entry found */
    int used;
    uint8_t handle[16];     /* the entry made from this person */
    char given[NAME_MAX_BYTES], family[NAME_MAX_BYTES];
    int has_dob;
    int32_t dob;
    char nhs[11];
};

static int
cand_by_gidx(const void *a, const void *b)
{
    const struct cand *x = a, *y = b;

    if (x->gidx != y->gidx)
        return x->gidx < y->gidx ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static int
cand_by_order(const void *a, const void *b)
{
    const struct cand *x = a, *y = b;

    return x->order < y->order ? -1 : x->order > y->order;
}

static int
eligible(const struct cand *c, int kind)
{
    const char *s;
    int letters = 0;

    if (!c->ok || c->used)
        return 0;
    switch (kind) {
    case BY_NHS:
        return c->nhs[0] != '\0';
    case BY_NAME_DOB:
        return c->given[0] && c->family[0] && c->has_dob;
    case BY_TYPO:
        for (s = c->given; *s; s++)
            letters += (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z');
        return letters >= 2 && c->family[0] && c->has_dob;
    default:
        return c->given[0] && c->family[0];
    }
}

/* Change one ASCII letter of ${s} to another letter of the same case. */
static void
misspell(char *s)
{
    size_t pos[NAME_MAX_BYTES], n = 0, i;
    char *p, base;

    for (i = 0; s[i]; i++)
        if ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z'))
            pos[n++] = i;
    if (n == 0)
        return;
    p = s + pos[rng() % n];
    base = (*p >= 'a' && *p <= 'z') ? 'a' : 'A';
    *p = (char)(base + (*p - base + 1 + (int)(rng() % 25)) % 26);
}

struct query {
    int kind;
    uint8_t handle[16];
    char given[NAME_MAX_BYTES], family[NAME_MAX_BYTES];
    int has_dob;
    int32_t dob;
    char nhs[11];
};

/* Copy person ${pi} of the record on ${line} into ${c}, with the handle of
 * its entry from the record's RecordMeta. */
static void
cand_fill(struct cand *c, struct seen_store *store, struct seen_txn *txn,
    const char *line, size_t len, size_t pi)
{
    struct seen_record *r;
    const struct seen_person *p;
    Seen__RecordMeta *rm;
    uint8_t idk[16];
    const void *v;
    size_t vlen;

    if (seen_record_parse(line, len, &r, NULL, NULL) != 0)
        return;
    if (pi >= r->npeople)
        goto out;
    p = &r->people[pi];
    seen_store_id_key(store, r->id, strlen(r->id), idk);
    if (seen_store_get(txn, SEEN_DB_RECMETA, idk, 16, &v, &vlen) != 0 ||
        (rm = seen__record_meta__unpack(NULL, vlen, v)) == NULL)
        goto out;
    if (pi < rm->n_handles && rm->handles[pi].len == 16) {
        memcpy(c->handle, rm->handles[pi].data, 16);
        c->ok = 1;
    }
    seen__record_meta__free_unpacked(rm, NULL);
    if (p->given != NULL && strlen(p->given) < NAME_MAX_BYTES)
        strcpy(c->given, p->given);
    if (p->family != NULL && strlen(p->family) < NAME_MAX_BYTES)
        strcpy(c->family, p->family);
    c->has_dob = p->has_dob;
    c->dob = p->dob;
    memcpy(c->nhs, p->nhs, sizeof c->nhs);
out:
    seen_record_destroy(&r);
}

/* ---- raw LMDB ---- */

/* Random mdb_get of existing keys of "entries" in the store at ${dir}. */
static double
raw_lmdb_reads(const char *dir, size_t n, size_t *nkeys)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_cursor *cur;
    MDB_val k, v;
    uint8_t (*keys)[20] = NULL;
    size_t cap = 0, nk = 0, i;
    double t0, t;
    uint64_t sum = 0;

    *nkeys = 0;
    if (mdb_env_create(&env) != 0)
        return 0;
    mdb_env_set_maxdbs(env, SEEN_DB_COUNT + 4);
    mdb_env_set_mapsize(env, (size_t)MAP_MB << 20);
    if (mdb_env_open(env, dir, MDB_RDONLY | MDB_NOTLS, 0600) != 0 ||
        mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) != 0) {
        mdb_env_close(env);
        return 0;
    }
    if (mdb_dbi_open(txn, "entries", 0, &dbi) != 0 ||
        mdb_cursor_open(txn, dbi, &cur) != 0)
        goto fail;
    for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size != 20)
            continue;
        if (nk == cap) {
            void *p = realloc(keys, (cap = cap ? 2 * cap : 65536) * 20);

            if (p == NULL)
                goto fail;
            keys = p;
        }
        memcpy(keys[nk++], k.mv_data, 20);
    }
    mdb_cursor_close(cur);
    if (nk == 0)
        goto fail;
    t0 = now();
    for (i = 0; i < n; i++) {
        k = (MDB_val){20, keys[rng() % nk]};
        if (mdb_get(txn, dbi, &k, &v) == 0)
            sum += ((const uint8_t *)v.mv_data)[0];
    }
    t = now() - t0;
    (void)sum;
    mdb_txn_abort(txn);
    mdb_env_close(env);
    free(keys);
    *nkeys = nk;
    return (double)n / t;
fail:
    mdb_txn_abort(txn);
    mdb_env_close(env);
    free(keys);
    return 0;
}

struct labels {
    uint8_t last[20];
    int any;
    uint64_t n;
};

/* Count distinct labels among "M" || label(20) || entry(20). */
static int
count_labels(void *ctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{
    struct labels *l = ctx;
    const uint8_t *k = key;

    (void)val;
    (void)vlen;
    if (klen < 21)
        return 0;
    if (!l->any || memcmp(l->last, k + 1, 20) != 0) {
        memcpy(l->last, k + 1, 20);
        l->any = 1;
        l->n++;
    }
    return 0;
}

static int
usage(void)
{
    fprintf(stderr, "usage: bench_query [--households N] [--queries N] "
                    "[--batch N] [--seed S] [--no-match] [--keep]\n");
    return 2;
}

int
main(int argc, char *argv[])
{
    char dir[1024], path[4096], cmd[8192], self[2048], synth[4096];
    struct seen_index_stats st;
    struct seen_keys *keys;
    struct seen_tokenizer *tk;
    struct seen_store *store;
    struct seen_indexer ix;
    struct seen_matcher mt;
    struct seen_txn *txn = NULL;
    struct seen_record *rec;
    struct cand *cands;
    struct query *qs;
    struct stat sb;
    FILE *f;
    char *line = NULL;
    size_t lcap = 0, nlines = 0, cap = 1 << 16, nbatch = 0, i, j;
    size_t ncand, nq, bad = 0, nkeys = 0;
    uint8_t *npeople;
    uint64_t households = 160000, seed = 1, npersons = 0, g, matched = 0;
    uint64_t persons = 0;
    unsigned long nqueries = 2000;
    size_t batch = 20000;
    int do_match = 1, keep = 0, rc, hwm_reset;
    ssize_t n;
    double t0, c0, tsynth, tfill, cfill, tmatch = 0, cmatch = 0, rawread;
    const char *p;

    for (i = 1; i < (size_t)argc; i++) {
        if (strcmp(argv[i], "--households") == 0 && i + 1 < (size_t)argc)
            households = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--queries") == 0 && i + 1 < (size_t)argc)
            nqueries = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--batch") == 0 && i + 1 < (size_t)argc)
            batch = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < (size_t)argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--no-match") == 0)
            do_match = 0;
        else if (strcmp(argv[i], "--keep") == 0)
            keep = 1;
        else
            return usage();
    }
    if (households == 0 || nqueries == 0 || batch == 0)
        return usage();
    if (sodium_init() < 0)
        return 1;
    seen_log_init("bench_query", SEEN_LOG_ERROR); /* not each alert */
    rng_state = seed;
    snprintf(dir, sizeof dir, "%s/seen-bench-query-XXXXXX",
        getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(dir) == NULL) {
        fprintf(stderr, "bench_query: cannot make %s\n", dir);
        return 1;
    }

    /* 1. Records. */
    n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = '\0';
    if ((p = strrchr(self, '/')) != NULL)
        self[p - self] = '\0';
    snprintf(cmd, sizeof cmd,
        "%s/seen-synth --node bench --type police --local-authority "
        "Reading --households %llu --seed %llu --out %s/synth 2>/dev/null",
        self, (unsigned long long)households, (unsigned long long)seed, dir);
    t0 = now();
    if (system(cmd) != 0) {
        fprintf(stderr, "bench_query: cannot run seen-synth\n");
        return 1;
    }
    tsynth = now() - t0;
    snprintf(synth, sizeof synth, "%s/synth/bench.jsonl", dir);

    /* 2. The store, as the node makes it, filled. */
    keys = seen_keys_generate();
    tk = keys ? seen_tokenizer_new(keys->match_key, 1) : NULL;
    snprintf(path, sizeof path, "%s/store", dir);
    if (tk == NULL ||
        seen_store_open(path, keys->sign_pk, keys->record_key, MAP_MB, 1,
            &store) != 0 ||
        seen_indexer_init(&ix, store, keys, tk) != 0) {
        fprintf(stderr, "bench_query: cannot make the store\n");
        return 1;
    }
    if ((f = fopen(synth, "r")) == NULL ||
        (npeople = malloc(cap)) == NULL) {
        fprintf(stderr, "bench_query: cannot read %s\n", synth);
        return 1;
    }
    memset(&st, 0, sizeof st);
    t0 = now();
    c0 = cpu();
    while ((n = getline(&line, &lcap, f)) > 0) {
        if (seen_record_line_blank(line, (size_t)n))
            continue;
        if (nlines == cap && (npeople = realloc(npeople, cap *= 2)) == NULL)
            return 1;
        npeople[nlines] = 0;
        if (seen_record_parse(line, (size_t)n - (line[n - 1] == '\n'), &rec,
                NULL, NULL) != 0) {
            bad++;
            nlines++;
            continue;
        }
        if (txn == NULL && seen_store_begin(store, 1, &txn) != 0)
            return 1;
        if ((rc = seen_indexer_apply(&ix, txn, rec, 1700000000, &st)) != 0) {
            fprintf(stderr, "bench_query: apply: %s\n", seen_strerror(rc));
            return 1;
        }
        npeople[nlines] = (uint8_t)(rec->npeople < SEEN_RECORD_PEOPLE_MAX
                                        ? rec->npeople
                                        : SEEN_RECORD_PEOPLE_MAX);
        npersons += npeople[nlines];
        nlines++;
        seen_record_destroy(&rec);
        if (++nbatch == batch) {
            if ((rc = seen_store_commit(txn)) != 0) {
                fprintf(stderr, "bench_query: commit: %s\n",
                    seen_strerror(rc));
                return 1;
            }
            txn = NULL;
            nbatch = 0;
        }
    }
    if (txn != NULL && (rc = seen_store_commit(txn)) != 0) {
        fprintf(stderr, "bench_query: commit: %s\n", seen_strerror(rc));
        return 1;
    }
    txn = NULL;
    tfill = now() - t0;
    cfill = cpu() - c0;
    snprintf(path, sizeof path, "%s/store/data.mdb", dir);
    if (stat(path, &sb) != 0)
        sb.st_size = 0;

    printf("query benchmark: %llu households -> %llu records, %llu index "
           "entries (seen-synth %.1f s)\n",
        (unsigned long long)households, (unsigned long long)st.records,
        (unsigned long long)st.entries, tsynth);
    if (bad)
        printf("  %zu lines rejected by seen_record_parse\n", bad);
    printf("fill (parse + apply, %zu records a transaction):\n", batch);
    printf("  time                %10.1f s   (%.0f records/s, %.0f "
           "entries/s; %.1f s of CPU)\n",
        tfill, st.records / tfill, st.entries / tfill, cfill);
    printf("  data.mdb            %10.1f MiB\n",
        (double)sb.st_size / (1 << 20));
    printf("memory:\n");
    mem_print("after fill");
    /* The filling process keeps what LMDB cached of its write transactions'
     * dirty pages (until the environment closes) and what malloc keeps;
     * a node serving queries starts on the store afresh. */
    seen_store_destroy(&store);
    malloc_trim(0);
    snprintf(path, sizeof path, "%s/store", dir);
    if (seen_store_open(path, keys->sign_pk, keys->record_key, MAP_MB, 0,
            &store) != 0 ||
        seen_indexer_init(&ix, store, keys, tk) != 0) {
        fprintf(stderr, "bench_query: cannot reopen the store\n");
        return 1;
    }
    mem_print("store closed, reopened");
    hwm_reset = reset_hwm();
    fflush(stdout);

    /* 3. Matching. */
    memset(&mt, 0, sizeof mt);
    mt.store = store;
    mt.type_of = type_of;
    mt.name_of = name_of;
    if (do_match) {
        struct labels lc = {{0}, 0, 0};

        t0 = now();
        c0 = cpu();
        while ((rc = seen_matcher_step(&mt, MATCH_BUDGET)) > 0) {
            if ((matched + (uint64_t)rc) / 100000 != matched / 100000)
                fprintf(stderr, "bench_query: matched %llu entries, %.0f s\n",
                    (unsigned long long)(matched + (uint64_t)rc),
                    now() - t0);
            matched += (uint64_t)rc;
        }
        tmatch = now() - t0;
        cmatch = cpu() - c0;
        if (rc < 0) {
            fprintf(stderr, "bench_query: matcher: %s\n", seen_strerror(rc));
            return 1;
        }
        if (seen_store_begin(store, 0, &txn) != 0 ||
            seen_store_iter(txn, SEEN_DB_PERSONS, "M", 1, count_labels,
                &lc) != 0)
            return 1;
        seen_store_abort(txn);
        txn = NULL;
        persons = lc.n;
        snprintf(path, sizeof path, "%s/store/data.mdb", dir);
        if (stat(path, &sb) != 0)
            sb.st_size = 0;
        printf("matching (seen_matcher_step, %d leaves a transaction; "
               "--no-match skips it):\n",
            MATCH_BUDGET);
        printf("  time                %10.1f s   (%.0f entries/s; %.1f s of "
               "CPU)\n",
            tmatch, matched / tmatch, cmatch);
        printf("  persons             %10llu   (of %llu entries)\n",
            (unsigned long long)persons, (unsigned long long)matched);
        printf("  data.mdb            %10.1f MiB\n",
            (double)sb.st_size / (1 << 20));
        mem_print("after matching");
    } else {
        printf("matching: skipped (--no-match): no persons, so each picture "
               "gathers only the hit entries themselves and a query does "
               "less than on a matched node\n");
    }
    fflush(stdout);

    /* 4a. Draw persons; read them from the file again. */
    ncand = (size_t)nqueries * DRAW_PER_QUERY;
    if (ncand > npersons)
        ncand = (size_t)npersons;
    /* Mapped, not malloc'd, so that none of it stays in RssAnon. */
    if (ncand == 0 ||
        (cands = mmap(NULL, ncand * sizeof *cands, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED)
        return 1;
    for (i = 0; i < ncand; i++) {
        cands[i].gidx = rng() % npersons;
        cands[i].order = (uint32_t)i;
    }
    qsort(cands, ncand, sizeof *cands, cand_by_gidx);
    rewind(f);
    if (seen_store_begin(store, 0, &txn) != 0)
        return 1;
    g = 0; /* persons before line i */
    for (i = 0, j = 0; j < ncand && (n = getline(&line, &lcap, f)) > 0;) {
        if (seen_record_line_blank(line, (size_t)n))
            continue;
        while (j < ncand && cands[j].gidx < g + npeople[i]) {
            if (j > 0 && cands[j].gidx == cands[j - 1].gidx)
                cands[j].used = 1; /* drawn twice: keep the first */
            else
                cand_fill(&cands[j], store, txn, line,
                    (size_t)n - (line[n - 1] == '\n'),
                    (size_t)(cands[j].gidx - g));
            j++;
        }
        g += npeople[i++];
    }
    seen_store_abort(txn);
    txn = NULL;
    fclose(f);
    free(line);
    free(npeople);
    qsort(cands, ncand, sizeof *cands, cand_by_order);

    /* 4b. The queries: kinds in turn, each from the next person (in draw
     * order) that has what the kind needs. */
    if ((qs = calloc(nqueries, sizeof *qs)) == NULL)
        return 1;
    {
        size_t next[NKINDS] = {0}, have_nhs = 0, okc = 0;
        int k;

        for (i = 0; i < ncand; i++) {
            okc += cands[i].ok && !cands[i].used;
            have_nhs += cands[i].ok && !cands[i].used && cands[i].nhs[0];
        }
        for (nq = 0; nq < nqueries; nq++) {
            k = (int)(nq % NKINDS);
            while (next[k] < ncand && !eligible(&cands[next[k]], k))
                next[k]++;
            if (next[k] == ncand && k == BY_NHS) {
                /* Too few NHS numbers among those drawn: name + dob. */
                k = BY_NAME_DOB;
                while (next[k] < ncand && !eligible(&cands[next[k]], k))
                    next[k]++;
            }
            if (next[k] == ncand)
                break;
            cands[next[k]].used = 1;
            qs[nq].kind = k;
            memcpy(qs[nq].handle, cands[next[k]].handle, 16);
            strcpy(qs[nq].given, cands[next[k]].given);
            strcpy(qs[nq].family, cands[next[k]].family);
            qs[nq].has_dob = cands[next[k]].has_dob;
            qs[nq].dob = cands[next[k]].dob;
            memcpy(qs[nq].nhs, cands[next[k]].nhs, sizeof qs[nq].nhs);
            if (k == BY_TYPO)
                misspell(qs[nq].given);
        }
        printf("queries: %zu persons drawn at random (seed %llu), %zu "
               "distinct; %.1f%% of them have an NHS number\n",
            ncand, (unsigned long long)seed, okc,
            okc ? 100.0 * have_nhs / okc : 0.0);
    }
    munmap(cands, ncand * sizeof *cands);
    if (nq == 0) {
        fprintf(stderr, "bench_query: no person to query\n");
        return 1;
    }
    hwm_reset = hwm_reset && reset_hwm(); /* the peak of the queries alone */

    /* 4c. Run them. */
    {
        double *lat = malloc(nq * sizeof *lat), tsum = 0, csum = 0, ca;
        double *clat = malloc(nq * sizeof *clat);
        double *tmp = malloc(nq * sizeof *tmp);
        double *qlat = malloc(nq * sizeof *qlat);
        double *plat = malloc(nq * sizeof *plat);
        double *qcand = malloc(nq * sizeof *qcand);
        size_t nk[NKINDS] = {0}, hitk[NKINDS] = {0}, matchk[NKINDS] = {0};
        size_t hits = 0, mhits = 0, einval = 0, fails = 0;
        uint64_t cands_sum = 0, hits_sum = 0, pers_sum = 0;
        uint64_t gets = 0, seeks = 0, steps = 0;
        struct seen_store_reads rd;
        uint32_t *oidx = NULL;
        uint8_t (*hs)[16] = NULL;
        size_t hcap = 0, nh;
        struct seen_token_input q;
        struct seen_query_result res;
        json_t *pic;
        double a, b, aq;
        int own, ownm;

        if (lat == NULL || clat == NULL || tmp == NULL || qlat == NULL ||
            plat == NULL || qcand == NULL)
            return 1;
        for (i = 0; i < nq; i++) {
            memset(&q, 0, sizeof q);
            switch (qs[i].kind) {
            case BY_NHS:
                q.nhs = qs[i].nhs;
                break;
            case BY_NAMES:
                q.given = qs[i].given;
                q.family = qs[i].family;
                break;
            default:
                q.given = qs[i].given;
                q.family = qs[i].family;
                q.has_dob = qs[i].has_dob;
                q.dob = qs[i].dob;
                break;
            }
            pic = NULL;
            ca = cpu();
            a = now();
            if (seen_store_begin(store, 0, &txn) != 0)
                return 1;
            rc = seen_query_run(txn, tk, &q, &res);
            aq = now();
            if (rc == 0 && res.n > 0) {
                if (res.n > hcap) {
                    hcap = res.n * 2;
                    free(oidx);
                    free(hs);
                    oidx = malloc(hcap * sizeof *oidx);
                    hs = malloc(hcap * sizeof *hs);
                    if (oidx == NULL || hs == NULL)
                        return 1;
                }
                /* As daemon.c's picture(): the match band, or the best. */
                for (j = 0, nh = 0; j < res.n; j++) {
                    if (res.hits[j].score.band != SEEN_BAND_MATCH &&
                        (j > 0 || nh > 0))
                        continue;
                    oidx[nh] = res.hits[j].oidx;
                    memcpy(hs[nh++], res.hits[j].handle, 16);
                }
                pic = seen_matcher_picture(&mt, txn, oidx,
                    (const uint8_t(*)[16])hs, nh);
            }
            seen_store_reads(txn, &rd);
            seen_store_abort(txn);
            txn = NULL;
            if (pic != NULL) {
                pers_sum += json_array_size(pic);
                json_decref(pic);
            }
            b = now();
            clat[i] = (cpu() - ca) * 1e3;
            csum += clat[i] / 1e3;
            lat[i] = (b - a) * 1e3;
            qlat[i] = (aq - a) * 1e3;
            plat[i] = (b - aq) * 1e3;
            qcand[i] = rc == 0 ? (double)res.candidates : 0;
            tsum += b - a;
            gets += rd.gets;
            seeks += rd.seeks;
            steps += rd.steps;
            nk[qs[i].kind]++;
            if (rc == SEEN_EINVAL) {
                einval++;
                continue;
            }
            if (rc != 0) {
                fails++;
                continue;
            }
            cands_sum += res.candidates;
            hits_sum += res.n;
            own = ownm = 0;
            for (j = 0; j < res.n; j++) {
                if (res.hits[j].oidx != ix.own ||
                    memcmp(res.hits[j].handle, qs[i].handle, 16) != 0)
                    continue;
                own = 1;
                ownm = res.hits[j].score.band == SEEN_BAND_MATCH;
            }
            hits += own;
            mhits += ownm;
            hitk[qs[i].kind] += own;
            matchk[qs[i].kind] += ownm;
            seen_query_release(&res);
        }
        free(oidx);
        free(hs);
        printf("  %zu queries (read txn, seen_query_run, "
               "seen_matcher_picture):\n", nq);
        for (i = 0; i < NKINDS; i++) {
            size_t m = 0;

            if (nk[i] == 0)
                continue;
            for (j = 0; j < nq; j++)
                if (qs[j].kind == (int)i)
                    tmp[m++] = lat[j];
            qsort(tmp, m, sizeof *tmp, dbl_cmp);
            printf("    %-26s %5zu  own entry hit %5.1f%% (match band "
                   "%5.1f%%)  p50 %.3f  p99 %.3f ms\n",
                kind_names[i], nk[i], 100.0 * hitk[i] / nk[i],
                100.0 * matchk[i] / nk[i], pct(tmp, m, 0.50),
                pct(tmp, m, 0.99));
        }
        free(qs);
        qsort(lat, nq, sizeof *lat, dbl_cmp);
        qsort(clat, nq, sizeof *clat, dbl_cmp);
        if (einval || fails)
            printf("    too little to search on: %zu; failed: %zu\n", einval,
                fails);
        printf("  latency ms          p50 %.3f  p90 %.3f  p99 %.3f  max %.3f"
               "  mean %.3f\n",
            pct(lat, nq, 0.50), pct(lat, nq, 0.90), pct(lat, nq, 0.99),
            lat[nq - 1], tsum * 1e3 / nq);
        printf("  CPU ms (process)    p50 %.3f  p90 %.3f  p99 %.3f  max %.3f"
               "  (less sensitive to other load on the machine)\n",
            pct(clat, nq, 0.50), pct(clat, nq, 0.90), pct(clat, nq, 0.99),
            clat[nq - 1]);
        qsort(qlat, nq, sizeof *qlat, dbl_cmp);
        qsort(plat, nq, sizeof *plat, dbl_cmp);
        qsort(qcand, nq, sizeof *qcand, dbl_cmp);
        printf("  of which, apart:    seen_query_run p50 %.3f  p99 %.3f ms;"
               " the picture and the rest p50 %.3f  p99 %.3f ms\n",
            pct(qlat, nq, 0.50), pct(qlat, nq, 0.99), pct(plat, nq, 0.50),
            pct(plat, nq, 0.99));
        printf("  candidates scored   p50 %.0f  p90 %.0f  p99 %.0f  max %.0f"
               "\n",
            pct(qcand, nq, 0.50), pct(qcand, nq, 0.90),
            pct(qcand, nq, 0.99), qcand[nq - 1]);
        printf("  p99                 %10.3f ms   target < 5 ms\n",
            pct(lat, nq, 0.99));
        printf("  hit rate            %10.1f%%   (own entry among the hits; "
               "%.1f%% in the match band)\n",
            100.0 * hits / nq, 100.0 * mhits / nq);
        printf("  per query           %.0f candidates scored, %.1f hits, "
               "%.1f persons pictured\n",
            (double)cands_sum / nq, (double)hits_sum / nq,
            (double)pers_sum / nq);
        printf("  LMDB calls/query    %.1f (mdb_get %.1f, cursor seeks %.1f,"
               " cursor steps %.1f)\n",
            (double)(gets + seeks + steps) / nq, (double)gets / nq,
            (double)seeks / nq, (double)steps / nq);
        printf("  queries/s           %10.0f   (one thread, back to back; "
               "%.3f ms of CPU a query)\n",
            nq / tsum, csum * 1e3 / nq);
        mem_print("after queries");
        printf("  (VmHWM %s after reopening and before the queries; LMDB's "
               "map pages are in VmRSS as RssFile, RssAnon leaves the map "
               "out)\n",
            hwm_reset ? "was reset" : "could not be reset");
        printf("  target: resident under 64 MiB with 1M entries, the map "
               "aside (RssAnon)\n");

        /* 6. Raw limit. */
        seen_store_destroy(&store);
        store = NULL;
        snprintf(path, sizeof path, "%s/store", dir);
        rawread = raw_lmdb_reads(path, RAW_READS, &nkeys);
        printf("raw limit measured in this run:\n");
        printf("  LMDB random mdb_get %10.0f reads/s (%d random keys of the "
               "%zu in \"entries\", one read txn)\n",
            rawread, RAW_READS, nkeys);
        printf("ratios:\n");
        printf("  queries/s : raw LMDB reads/s = %.5f (a query costs as much "
               "as %.0f random reads; it makes %.1f LMDB calls)\n",
            rawread ? nq / tsum / rawread : 0.0,
            rawread ? rawread / (nq / tsum) : 0.0,
            (double)(gets + seeks + steps) / nq);
        free(lat);
        free(clat);
        free(tmp);
        free(qlat);
        free(plat);
        free(qcand);
    }

    seen_tokenizer_destroy(&tk);
    seen_keys_destroy(&keys);
    if (!keep) {
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        if (system(cmd) != 0)
            return 1;
    } else {
        printf("kept %s\n", dir);
    }
    return 0;
}
