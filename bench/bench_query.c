/*
 * bench_query: latency of `seen query` against one node holding about 1M
 * index entries, and the node's resident memory, against the raw LMDB
 * random-read rate measured in the same run.
 *
 *   bench_query [--households N] [--queries N] [--batch N] [--seed S]
 *               [--no-match] [--keep] [--long-tokens]
 *
 * --seed is seen-synth's and the draw of persons' (default 1; the keys are
 * random in every run); --keep leaves the temporary directory behind;
 * --long-tokens publishes whole 16-byte tokens, as a federation whose
 * document does not set token_bytes 8 does (default: short tokens, a new
 * federation's; docs/protocol.md, "Short tokens").
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
 * 7. Store bytes per entry beside "target <= 1024" and the raw limit of
 *    the leaves alone in a plain LMDB database (bench/storesize.h).
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
#include <unistd.h>

#include "bench/benchutil.h"
#include "bench/storesize.h"
#include "common/clock.h"
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

static uint64_t rng_state;


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
    p = s + pos[bench_rng(&rng_state) % n];
    base = (*p >= 'a' && *p <= 'z') ? 'a' : 'A';
    *p = (char)(base +
        (*p - base + 1 + (int)(bench_rng(&rng_state) % 25)) % 26);
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
                    "[--batch N] [--seed S] [--no-match] [--keep] "
                    "[--long-tokens]\n");
    return 2;
}

/* The options. */
struct opts {
    uint64_t households, seed;
    unsigned long nqueries;
    size_t batch;
    int do_match, keep;
};

static int long_tokens; /* --long-tokens */

/* Read the options into ${o}: 0, or 2 after the usage. */
static int
parse_opts(struct opts *o, int argc, char *argv[])
{
    int i;

    *o = (struct opts){160000, 1, 2000, 20000, 1, 0};
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--households") == 0 && i + 1 < argc)
            o->households = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--queries") == 0 && i + 1 < argc)
            o->nqueries = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc)
            o->batch = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            o->seed = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--no-match") == 0)
            o->do_match = 0;
        else if (strcmp(argv[i], "--keep") == 0)
            o->keep = 1;
        else if (strcmp(argv[i], "--long-tokens") == 0)
            long_tokens = 1;
        else
            return usage();
    }
    if (o->households == 0 || o->nqueries == 0 || o->batch == 0)
        return usage();
    return 0;
}

/* The node under test, and what the fill leaves for drawing persons. */
struct bench {
    struct opts o;
    char dir[1024];
    struct seen_keys *keys;
    struct seen_tokenizer *tk;
    struct seen_store *store;
    struct seen_indexer ix;
    struct seen_matcher mt;
    FILE *f;                /* the records, read again to draw persons */
    uint8_t *npeople;       /* by line of the file: its persons */
    size_t nlines;
    uint64_t npersons;
    int hwm_reset;          /* VmHWM could be reset */
};

/* Open the store of ${b} (a new one when ${create}) and its indexer. */
static int
bench_open(struct bench *b, int create)
{
    char path[4096];

    snprintf(path, sizeof path, "%s/store", b->dir);
    if (seen_store_open(path, b->keys->sign_pk, b->keys->record_key, MAP_MB,
            create, &b->store) != 0 ||
        seen_indexer_init(&b->ix, b->store, b->keys, b->tk) != 0)
        return -1;
    b->ix.short_tokens = !long_tokens;
    return 0;
}

/* The size of the store's data file in MiB. */
static double
store_mib(const struct bench *b)
{
    char path[4096];
    struct stat sb;

    snprintf(path, sizeof path, "%s/store/data.mdb", b->dir);
    if (stat(path, &sb) != 0)
        sb.st_size = 0;
    return (double)sb.st_size / (1 << 20);
}

/* Apply the record on ${line} (${n} bytes) in the transaction *${txn}
 * (begun when NULL, committed after --batch records). */
static int
fill_line(struct bench *b, struct seen_txn **txn, const char *line,
    size_t n, size_t *nbatch, struct seen_index_stats *st, size_t *bad)
{
    struct seen_record *rec;
    int rc;

    b->npeople[b->nlines] = 0;
    if (seen_record_parse(line, n - (line[n - 1] == '\n'), &rec, NULL,
            NULL) != 0) {
        (*bad)++;
        b->nlines++;
        return 0;
    }
    if (*txn == NULL && seen_store_begin(b->store, 1, txn) != 0)
        return -1;
    if ((rc = seen_indexer_apply(&b->ix, *txn, rec, 1700000000, st)) != 0) {
        fprintf(stderr, "bench_query: apply: %s\n", seen_strerror(rc));
        return -1;
    }
    b->npeople[b->nlines] = (uint8_t)(rec->npeople < SEEN_RECORD_PEOPLE_MAX
                                          ? rec->npeople
                                          : SEEN_RECORD_PEOPLE_MAX);
    b->npersons += b->npeople[b->nlines];
    b->nlines++;
    seen_record_destroy(&rec);
    if (++*nbatch == b->o.batch) {
        if ((rc = seen_store_commit(*txn)) != 0) {
            fprintf(stderr, "bench_query: commit: %s\n", seen_strerror(rc));
            return -1;
        }
        *txn = NULL;
        *nbatch = 0;
    }
    return 0;
}

/*
 * 2. The store, as the node makes it, filled from the records of
 * ${synth} (seen-synth took ${tsynth} s), then closed and opened again.
 */
static int
fill(struct bench *b, const char *synth, double tsynth)
{
    struct seen_index_stats st;
    struct seen_txn *txn = NULL;
    char *line = NULL;
    size_t lcap = 0, cap = 1 << 16, nbatch = 0, bad = 0;
    ssize_t n;
    double t0, c0, tfill, cfill;
    int rc;

    b->keys = seen_keys_generate();
    b->tk = b->keys ? seen_tokenizer_new(b->keys->match_key, 1) : NULL;
    if (b->tk == NULL || bench_open(b, 1) != 0) {
        fprintf(stderr, "bench_query: cannot make the store\n");
        return -1;
    }
    if ((b->f = fopen(synth, "r")) == NULL ||
        (b->npeople = malloc(cap)) == NULL) {
        fprintf(stderr, "bench_query: cannot read %s\n", synth);
        return -1;
    }
    memset(&st, 0, sizeof st);
    t0 = seen_clock_mono();
    c0 = bench_cpu();
    while ((n = getline(&line, &lcap, b->f)) > 0) {
        if (seen_record_line_blank(line, (size_t)n))
            continue;
        if (b->nlines == cap &&
            (b->npeople = realloc(b->npeople, cap *= 2)) == NULL)
            return -1;
        if (fill_line(b, &txn, line, (size_t)n, &nbatch, &st, &bad) != 0)
            return -1;
    }
    free(line);
    if (txn != NULL && (rc = seen_store_commit(txn)) != 0) {
        fprintf(stderr, "bench_query: commit: %s\n", seen_strerror(rc));
        return -1;
    }
    tfill = seen_clock_mono() - t0;
    cfill = bench_cpu() - c0;

    printf("query benchmark: %llu households -> %llu records, %llu index "
           "entries (seen-synth %.1f s)\n",
        (unsigned long long)b->o.households, (unsigned long long)st.records,
        (unsigned long long)st.entries, tsynth);
    if (bad)
        printf("  %zu lines rejected by seen_record_parse\n", bad);
    printf("fill (parse + apply, %zu records a transaction):\n", b->o.batch);
    printf("  time                %10.1f s   (%.0f records/s, %.0f "
           "entries/s; %.1f s of CPU)\n",
        tfill, st.records / tfill, st.entries / tfill, cfill);
    printf("  data.mdb            %10.1f MiB\n", store_mib(b));
    printf("memory:\n");
    mem_print("after fill");
    /* The filling process keeps what LMDB cached of its write transactions'
     * dirty pages (until the environment closes) and what malloc keeps;
     * a node serving queries starts on the store afresh. */
    seen_store_destroy(&b->store);
    malloc_trim(0);
    if (bench_open(b, 0) != 0) {
        fprintf(stderr, "bench_query: cannot reopen the store\n");
        return -1;
    }
    mem_print("store closed, reopened");
    b->hwm_reset = reset_hwm();
    fflush(stdout);
    return 0;
}

/* 3. Matching: every entry, as the daemon does, unless --no-match. */
static int
match(struct bench *b)
{
    struct labels lc = {{0}, 0, 0};
    struct seen_txn *txn;
    uint64_t matched = 0;
    double t0, c0, tmatch, cmatch;
    int rc;

    memset(&b->mt, 0, sizeof b->mt);
    b->mt.store = b->store;
    b->mt.type_of = bench_type_police;
    b->mt.name_of = bench_name_bench;
    if (!b->o.do_match) {
        printf("matching: skipped (--no-match): no persons, so each picture "
               "gathers only the hit entries themselves and a query does "
               "less than on a matched node\n");
        fflush(stdout);
        return 0;
    }
    t0 = seen_clock_mono();
    c0 = bench_cpu();
    while ((rc = seen_matcher_step(&b->mt, MATCH_BUDGET)) > 0) {
        if ((matched + (uint64_t)rc) / 100000 != matched / 100000)
            fprintf(stderr, "bench_query: matched %llu entries, %.0f s\n",
                (unsigned long long)(matched + (uint64_t)rc),
                seen_clock_mono() - t0);
        matched += (uint64_t)rc;
    }
    tmatch = seen_clock_mono() - t0;
    cmatch = bench_cpu() - c0;
    if (rc < 0) {
        fprintf(stderr, "bench_query: matcher: %s\n", seen_strerror(rc));
        return -1;
    }
    if (seen_store_begin(b->store, 0, &txn) != 0 ||
        seen_store_iter(txn, SEEN_DB_PERSONS, "M", 1, count_labels, &lc) != 0)
        return -1;
    seen_store_abort(txn);
    printf("matching (seen_matcher_step, %d leaves a transaction; "
           "--no-match skips it):\n",
        MATCH_BUDGET);
    printf("  time                %10.1f s   (%.0f entries/s; %.1f s of "
           "CPU)\n",
        tmatch, matched / tmatch, cmatch);
    printf("  persons             %10llu   (of %llu entries)\n",
        (unsigned long long)lc.n, (unsigned long long)matched);
    printf("  data.mdb            %10.1f MiB\n", store_mib(b));
    mem_print("after matching");
    fflush(stdout);
    return 0;
}

/* 4a. Draw ${ncand} persons at random and read them from the file again,
 * in draw order.  The persons are mapped, not malloc'd, so that none of
 * them stays in RssAnon: free them with munmap. */
static struct cand *
draw(struct bench *b, size_t ncand)
{
    struct seen_txn *txn;
    struct cand *cands;
    char *line = NULL;
    size_t lcap = 0, i, j;
    uint64_t g;
    ssize_t n;

    if (ncand == 0 ||
        (cands = mmap(NULL, ncand * sizeof *cands, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED)
        return NULL;
    for (i = 0; i < ncand; i++) {
        cands[i].gidx = bench_rng(&rng_state) % b->npersons;
        cands[i].order = (uint32_t)i;
    }
    qsort(cands, ncand, sizeof *cands, cand_by_gidx);
    rewind(b->f);
    if (seen_store_begin(b->store, 0, &txn) != 0)
        return NULL;
    g = 0; /* persons before line i */
    for (i = 0, j = 0; j < ncand && (n = getline(&line, &lcap, b->f)) > 0;) {
        if (seen_record_line_blank(line, (size_t)n))
            continue;
        while (j < ncand && cands[j].gidx < g + b->npeople[i]) {
            if (j > 0 && cands[j].gidx == cands[j - 1].gidx)
                cands[j].used = 1; /* drawn twice: keep the first */
            else
                cand_fill(&cands[j], b->store, txn, line,
                    (size_t)n - (line[n - 1] == '\n'),
                    (size_t)(cands[j].gidx - g));
            j++;
        }
        g += b->npeople[i++];
    }
    seen_store_abort(txn);
    free(line);
    qsort(cands, ncand, sizeof *cands, cand_by_order);
    return cands;
}

/* The next of the ${ncand} persons ${cands} (from *${next}) that has
 * what a query of kind ${k} needs, or NULL. */
static struct cand *
next_eligible(struct cand *cands, size_t ncand, size_t *next, int k)
{

    while (*next < ncand && !eligible(&cands[*next], k))
        (*next)++;
    return *next < ncand ? &cands[*next] : NULL;
}

/* 4b. The queries: kinds in turn, each from the next person (in draw
 * order) that has what the kind needs.  Returns how many were made. */
static size_t
make_queries(struct bench *b, struct cand *cands, size_t ncand,
    struct query *qs)
{
    size_t next[NKINDS] = {0}, have_nhs = 0, okc = 0, i, nq;
    struct cand *c;
    int k;

    for (i = 0; i < ncand; i++) {
        okc += cands[i].ok && !cands[i].used;
        have_nhs += cands[i].ok && !cands[i].used && cands[i].nhs[0];
    }
    for (nq = 0; nq < b->o.nqueries; nq++) {
        k = (int)(nq % NKINDS);
        c = next_eligible(cands, ncand, &next[k], k);
        if (c == NULL && k == BY_NHS) {
            /* Too few NHS numbers among those drawn: name + dob. */
            k = BY_NAME_DOB;
            c = next_eligible(cands, ncand, &next[k], k);
        }
        if (c == NULL)
            break;
        c->used = 1;
        qs[nq].kind = k;
        memcpy(qs[nq].handle, c->handle, 16);
        strcpy(qs[nq].given, c->given);
        strcpy(qs[nq].family, c->family);
        qs[nq].has_dob = c->has_dob;
        qs[nq].dob = c->dob;
        memcpy(qs[nq].nhs, c->nhs, sizeof qs[nq].nhs);
        if (k == BY_TYPO)
            misspell(qs[nq].given);
    }
    printf("queries: %zu persons drawn at random (seed %llu), %zu "
           "distinct; %.1f%% of them have an NHS number\n",
        ncand, (unsigned long long)b->o.seed, okc,
        okc ? 100.0 * have_nhs / okc : 0.0);
    return nq;
}

/* What the queries measured. */
struct results {
    double *lat, *clat, *qlat, *plat, *qcand; /* by query */
    double tsum, csum;
    size_t nk[NKINDS], hitk[NKINDS], matchk[NKINDS];
    size_t hits, mhits, einval, fails;
    uint64_t cands_sum, hits_sum, pers_sum, gets, seeks, steps;
    uint32_t *oidx;         /* scratch: the hits pictured */
    uint8_t (*hs)[16];
    size_t hcap;
};

/* The search input of query ${q}. */
static void
query_input(const struct query *q, struct seen_token_input *in)
{

    memset(in, 0, sizeof *in);
    switch (q->kind) {
    case BY_NHS:
        in->nhs = q->nhs;
        break;
    case BY_NAMES:
        in->given = q->given;
        in->family = q->family;
        break;
    default:
        in->given = q->given;
        in->family = q->family;
        in->has_dob = q->has_dob;
        in->dob = q->dob;
        break;
    }
}

/* Room for ${n} hits in ${r}'s scratch: 0, or -1. */
static int
hits_room(struct results *r, size_t n)
{

    if (n <= r->hcap)
        return 0;
    r->hcap = n * 2;
    free(r->oidx);
    free(r->hs);
    r->oidx = malloc(r->hcap * sizeof *r->oidx);
    r->hs = malloc(r->hcap * sizeof *r->hs);
    return r->oidx == NULL || r->hs == NULL ? -1 : 0;
}

/* The picture of the hits of ${res} (room made for them), as daemon.c's
 * picture() picks them: the match band, or the best hit. */
static json_t *
picture(struct bench *b, struct results *r, struct seen_txn *txn,
    const struct seen_query_result *res)
{
    size_t j, nh;

    for (j = 0, nh = 0; j < res->n; j++) {
        if (res->hits[j].score.band != SEEN_BAND_MATCH && (j > 0 || nh > 0))
            continue;
        r->oidx[nh] = res->hits[j].oidx;
        memcpy(r->hs[nh++], res->hits[j].handle, 16);
    }
    return seen_matcher_picture(&b->mt, txn, r->oidx,
        (const uint8_t(*)[16])r->hs, nh);
}

/* Count query ${q}'s hits (${rc} its code): did they include the entry
 * made from the person queried, in the match band? */
static void
query_hits(struct bench *b, struct results *r, const struct query *q,
    int rc, struct seen_query_result *res)
{
    size_t j;
    int own = 0, ownm = 0;

    r->nk[q->kind]++;
    if (rc == SEEN_EINVAL) {
        r->einval++;
        return;
    }
    if (rc != 0) {
        r->fails++;
        return;
    }
    r->cands_sum += res->candidates;
    r->hits_sum += res->n;
    for (j = 0; j < res->n; j++) {
        if (res->hits[j].oidx != b->ix.own ||
            memcmp(res->hits[j].handle, q->handle, 16) != 0)
            continue;
        own = 1;
        ownm = res->hits[j].score.band == SEEN_BAND_MATCH;
    }
    r->hits += own;
    r->mhits += ownm;
    r->hitk[q->kind] += own;
    r->matchk[q->kind] += ownm;
    seen_query_release(res);
}

/*
 * Run query ${i}, ${q}, as the daemon's cmd_query does with the store: a
 * read transaction, seen_query_run, then seen_matcher_picture; timed from
 * seen_store_begin to seen_store_abort and the freeing of the picture.
 */
static int
query_one(struct bench *b, struct results *r, const struct query *q,
    size_t i)
{
    struct seen_token_input in;
    struct seen_query_result res;
    struct seen_store_reads rd;
    struct seen_txn *txn;
    json_t *pic = NULL;
    double a, aq, bt, ca;
    int rc;

    query_input(q, &in);
    ca = bench_cpu();
    a = seen_clock_mono();
    if (seen_store_begin(b->store, 0, &txn) != 0)
        return -1;
    rc = seen_query_run(txn, b->tk, &in, &res);
    aq = seen_clock_mono();
    if (rc == 0 && res.n > 0) {
        if (hits_room(r, res.n) != 0)
            return -1;
        pic = picture(b, r, txn, &res);
    }
    seen_store_reads(txn, &rd);
    seen_store_abort(txn);
    if (pic != NULL) {
        r->pers_sum += json_array_size(pic);
        json_decref(pic);
    }
    bt = seen_clock_mono();
    r->clat[i] = (bench_cpu() - ca) * 1e3;
    r->csum += r->clat[i] / 1e3;
    r->lat[i] = (bt - a) * 1e3;
    r->qlat[i] = (aq - a) * 1e3;
    r->plat[i] = (bt - aq) * 1e3;
    r->qcand[i] = rc == 0 ? (double)res.candidates : 0;
    r->tsum += bt - a;
    r->gets += rd.gets;
    r->seeks += rd.seeks;
    r->steps += rd.steps;
    query_hits(b, r, q, rc, &res);
    return 0;
}

/* Print the latency of each kind of query, then sort the figures. */
static void
print_kinds(const struct results *r, const struct query *qs, size_t nq,
    double *tmp)
{
    size_t i, j, m;

    for (i = 0; i < NKINDS; i++) {
        if (r->nk[i] == 0)
            continue;
        for (j = 0, m = 0; j < nq; j++)
            if (qs[j].kind == (int)i)
                tmp[m++] = r->lat[j];
        qsort(tmp, m, sizeof *tmp, dbl_cmp);
        printf("    %-26s %5zu  own entry hit %5.1f%% (match band "
               "%5.1f%%)  p50 %.3f  p99 %.3f ms\n",
            kind_names[i], r->nk[i], 100.0 * r->hitk[i] / r->nk[i],
            100.0 * r->matchk[i] / r->nk[i], pct(tmp, m, 0.50),
            pct(tmp, m, 0.99));
    }
}

/* Print what the ${nq} queries measured. */
static void
print_results(struct results *r, const struct query *qs, size_t nq,
    double *tmp)
{
    printf("  %zu queries (read txn, seen_query_run, "
           "seen_matcher_picture):\n", nq);
    print_kinds(r, qs, nq, tmp);
    qsort(r->lat, nq, sizeof *r->lat, dbl_cmp);
    qsort(r->clat, nq, sizeof *r->clat, dbl_cmp);
    if (r->einval || r->fails)
        printf("    too little to search on: %zu; failed: %zu\n", r->einval,
            r->fails);
    printf("  latency ms          p50 %.3f  p90 %.3f  p99 %.3f  max %.3f"
           "  mean %.3f\n",
        pct(r->lat, nq, 0.50), pct(r->lat, nq, 0.90), pct(r->lat, nq, 0.99),
        r->lat[nq - 1], r->tsum * 1e3 / nq);
    printf("  CPU ms (process)    p50 %.3f  p90 %.3f  p99 %.3f  max %.3f"
           "  (less sensitive to other load on the machine)\n",
        pct(r->clat, nq, 0.50), pct(r->clat, nq, 0.90),
        pct(r->clat, nq, 0.99), r->clat[nq - 1]);
    qsort(r->qlat, nq, sizeof *r->qlat, dbl_cmp);
    qsort(r->plat, nq, sizeof *r->plat, dbl_cmp);
    qsort(r->qcand, nq, sizeof *r->qcand, dbl_cmp);
    printf("  of which, apart:    seen_query_run p50 %.3f  p99 %.3f ms;"
           " the picture and the rest p50 %.3f  p99 %.3f ms\n",
        pct(r->qlat, nq, 0.50), pct(r->qlat, nq, 0.99),
        pct(r->plat, nq, 0.50), pct(r->plat, nq, 0.99));
    printf("  candidates scored   p50 %.0f  p90 %.0f  p99 %.0f  max %.0f"
           "\n",
        pct(r->qcand, nq, 0.50), pct(r->qcand, nq, 0.90),
        pct(r->qcand, nq, 0.99), r->qcand[nq - 1]);
    printf("  p99                 %10.3f ms   target < 5 ms\n",
        pct(r->lat, nq, 0.99));
    printf("  hit rate            %10.1f%%   (own entry among the hits; "
           "%.1f%% in the match band)\n",
        100.0 * r->hits / nq, 100.0 * r->mhits / nq);
    printf("  per query           %.0f candidates scored, %.1f hits, "
           "%.1f persons pictured\n",
        (double)r->cands_sum / nq, (double)r->hits_sum / nq,
        (double)r->pers_sum / nq);
    printf("  LMDB calls/query    %.1f (mdb_get %.1f, cursor seeks %.1f,"
           " cursor steps %.1f)\n",
        (double)(r->gets + r->seeks + r->steps) / nq, (double)r->gets / nq,
        (double)r->seeks / nq, (double)r->steps / nq);
    printf("  queries/s           %10.0f   (one thread, back to back; "
           "%.3f ms of CPU a query)\n",
        nq / r->tsum, r->csum * 1e3 / nq);
}

static void
results_release(struct results *r)
{

    free(r->lat);
    free(r->clat);
    free(r->qlat);
    free(r->plat);
    free(r->qcand);
    free(r->oidx);
    free(r->hs);
}

/* 6. The raw limit, the store closed: print it and the ratios. */
static void
raw_limit(struct bench *b, const struct results *r, size_t nq)
{
    char path[4096];
    size_t nkeys = 0;
    double rawread;

    seen_store_destroy(&b->store);
    snprintf(path, sizeof path, "%s/store", b->dir);
    rawread = bench_raw_lmdb_reads(path, MAP_MB, RAW_READS, &rng_state,
        &nkeys);
    printf("raw limit measured in this run:\n");
    printf("  LMDB random mdb_get %10.0f reads/s (%d random keys of the "
           "%zu in \"entries\", one read txn)\n",
        rawread, RAW_READS, nkeys);
    printf("ratios:\n");
    printf("  queries/s : raw LMDB reads/s = %.5f (a query costs as much "
           "as %.0f random reads; it makes %.1f LMDB calls)\n",
        rawread ? nq / r->tsum / rawread : 0.0,
        rawread ? rawread / (nq / r->tsum) : 0.0,
        (double)(r->gets + r->seeks + r->steps) / nq);
    bench_store_size(path);
}

/* 4c and 5. Run the ${nq} queries ${qs} and print what they measured. */
static int
run_queries(struct bench *b, const struct query *qs, size_t nq)
{
    struct results r;
    double *tmp;
    size_t i;

    memset(&r, 0, sizeof r);
    if ((r.lat = malloc(nq * sizeof *r.lat)) == NULL ||
        (r.clat = malloc(nq * sizeof *r.clat)) == NULL ||
        (tmp = malloc(nq * sizeof *tmp)) == NULL ||
        (r.qlat = malloc(nq * sizeof *r.qlat)) == NULL ||
        (r.plat = malloc(nq * sizeof *r.plat)) == NULL ||
        (r.qcand = malloc(nq * sizeof *r.qcand)) == NULL)
        return -1;
    for (i = 0; i < nq; i++)
        if (query_one(b, &r, &qs[i], i) != 0)
            return -1;
    print_results(&r, qs, nq, tmp);
    mem_print("after queries");
    printf("  (VmHWM %s after reopening and before the queries; LMDB's "
           "map pages are in VmRSS as RssFile, RssAnon leaves the map "
           "out)\n",
        b->hwm_reset ? "was reset" : "could not be reset");
    printf("  target: resident under 64 MiB with 1M entries, the map "
           "aside (RssAnon)\n");
    raw_limit(b, &r, nq);
    free(tmp);
    results_release(&r);
    return 0;
}

int
main(int argc, char *argv[])
{
    char synth[4096], cmd[8192], args[256];
    struct bench b;
    struct cand *cands;
    struct query *qs;
    size_t ncand, nq;
    double t0, tsynth;
    int rc;

    memset(&b, 0, sizeof b);
    if ((rc = parse_opts(&b.o, argc, argv)) != 0)
        return rc;
    if (sodium_init() < 0)
        return 1;
    seen_log_init("bench_query", SEEN_LOG_ERROR); /* not each alert */
    rng_state = b.o.seed;
    snprintf(b.dir, sizeof b.dir, "%s/seen-bench-query-XXXXXX",
        getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(b.dir) == NULL) {
        fprintf(stderr, "bench_query: cannot make %s\n", b.dir);
        return 1;
    }

    /* 1. Records. */
    snprintf(args, sizeof args,
        "--node bench --type police --local-authority Reading "
        "--households %llu --seed %llu",
        (unsigned long long)b.o.households, (unsigned long long)b.o.seed);
    snprintf(synth, sizeof synth, "%s/synth", b.dir);
    t0 = seen_clock_mono();
    if (bench_synth(args, synth) != 0)
        return 1;
    tsynth = seen_clock_mono() - t0;
    snprintf(synth, sizeof synth, "%s/synth/bench.jsonl", b.dir);

    /* 2. The store; 3. matching. */
    if (fill(&b, synth, tsynth) != 0 || match(&b) != 0)
        return 1;

    /* 4. Persons drawn, the queries made of them, run. */
    ncand = (size_t)b.o.nqueries * DRAW_PER_QUERY;
    if (ncand > b.npersons)
        ncand = (size_t)b.npersons;
    if ((cands = draw(&b, ncand)) == NULL)
        return 1;
    fclose(b.f);
    free(b.npeople);
    if ((qs = calloc(b.o.nqueries, sizeof *qs)) == NULL)
        return 1;
    nq = make_queries(&b, cands, ncand, qs);
    munmap(cands, ncand * sizeof *cands);
    if (nq == 0) {
        fprintf(stderr, "bench_query: no person to query\n");
        return 1;
    }
    b.hwm_reset = b.hwm_reset && reset_hwm(); /* the queries' peak alone */
    if (run_queries(&b, qs, nq) != 0)
        return 1;
    free(qs);

    seen_tokenizer_destroy(&b.tk);
    seen_keys_destroy(&b.keys);
    if (!b.o.keep) {
        snprintf(cmd, sizeof cmd, "rm -rf %s", b.dir);
        if (system(cmd) != 0)
            return 1;
    } else {
        printf("kept %s\n", b.dir);
    }
    return 0;
}
