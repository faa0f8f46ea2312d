/*
 * benchutil.c: what the benchmarks share (benchutil.h).
 */
#include <errno.h>
#include <lmdb.h>
#include <stdarg.h>
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
#include "match/tokens.h"
#include "storage/store.h"

/**
 * bench_cpu():
 * Return the CPU seconds this process has used (the machine may be
 * shared).
 */
double
bench_cpu(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/**
 * bench_slurp(path, len):
 * Return the whole of file ${path} (malloc'd, NUL-terminated; its size to
 * *${len} unless ${len} is NULL), or NULL.
 */
/**
 * bench_rng(state):
 * Return the next number of the splitmix64 sequence in *${state}: cheap,
 * seedable pseudo-random numbers for a benchmark's choices (never for
 * keys).
 */
uint64_t
bench_rng(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

char *
bench_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    if ((buf = malloc((size_t)n + 1)) == NULL ||
        fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    if (len != NULL)
        *len = (size_t)n;
    return buf;
}

/**
 * bench_sh(fmt, ...):
 * Run the shell command made from ${fmt} and what follows; return
 * system()'s status.
 */
int
bench_sh(const char *fmt, ...)
{
    char cmd[16384];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    return system(cmd);
}

/**
 * bench_bindir(out, len):
 * Write the folder of this program, where the real binaries are, to
 * ${out} (${len} bytes).
 */
void
bench_bindir(char *out, size_t len)
{
    char self[4096], *p;
    ssize_t n;

    n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = '\0';
    if ((p = strrchr(self, '/')) != NULL)
        *p = '\0';
    snprintf(out, len, "%s", self);
}

/**
 * bench_synth(args, dir):
 * Run the seen-synth beside this binary with ${args} and --out ${dir},
 * its summary not shown.  Returns 0, or -1 (said on stderr).
 */
int
bench_synth(const char *args, const char *dir)
{
    char self[4096], cmd[16384];

    bench_bindir(self, sizeof self);
    snprintf(cmd, sizeof cmd, "%s/seen-synth %s --out %s 2>/dev/null", self,
        args, dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "%s: cannot run seen-synth\n",
            program_invocation_short_name);
        return -1;
    }
    return 0;
}

/**
 * bench_raw_lmdb_puts(dir, n, vlen):
 * Put ${n} random 16-byte keys with ${vlen}-byte values (at most 4096),
 * 10,000 a transaction, into a new LMDB environment in ${dir}, with plain
 * LMDB: the raw limit a store's writes are measured against.  Returns
 * puts a second, or 0 when the environment cannot be made.
 */
double
bench_raw_lmdb_puts(const char *dir, size_t n, size_t vlen)
{
    MDB_env *env;
    MDB_txn *txn = NULL;
    MDB_dbi dbi;
    MDB_val k, v;
    uint8_t key[16], val[4096];
    double t0, t;
    size_t i;

    if (vlen > sizeof val)
        return 0;
    mkdir(dir, 0700);
    mdb_env_create(&env);
    mdb_env_set_mapsize(env, (size_t)4 << 30);
    if (mdb_env_open(env, dir, 0, 0600) != 0)
        return 0;
    memset(val, 7, vlen);
    t0 = seen_clock_mono();
    for (i = 0; i < n; i++) {
        if (i % 10000 == 0) {
            if (i)
                mdb_txn_commit(txn);
            mdb_txn_begin(env, NULL, 0, &txn);
            mdb_dbi_open(txn, NULL, 0, &dbi);
        }
        randombytes_buf(key, sizeof key);
        k = (MDB_val){16, key};
        v = (MDB_val){vlen, val};
        mdb_put(txn, dbi, &k, &v, 0);
    }
    mdb_txn_commit(txn);
    t = seen_clock_mono() - t0;
    mdb_env_close(env);
    return (double)n / t;
}

/* ---- a multimap from token to entries ---- */

/* Where token ${t} goes in a table. */
static uint64_t
thash(const uint8_t *t)
{
    uint64_t h;

    /* Tokens are keyed hashes: their bytes are already uniform. */
    memcpy(&h, t + 1, 8);
    return h ^ (uint64_t)t[0] * 0x9e3779b97f4a7c15ull;
}

/* A table of at least twice ${expect} slots, a power of two: its mask. */
static size_t
table_mask(size_t expect)
{
    size_t n = 16;

    while (n < expect * 2)
        n <<= 1;
    return n - 1;
}

/**
 * bench_tmap_init(m, expect):
 * Make ${m} empty, with room for ${expect} postings.  Returns 0 or -1.
 */
int
bench_tmap_init(struct bench_tmap *m, size_t expect)
{

    m->mask = table_mask(expect);
    m->npost = 0;
    m->cappost = expect + 1;
    m->key = calloc(m->mask + 1, sizeof *m->key);
    m->head = malloc((m->mask + 1) * sizeof *m->head);
    m->next = malloc(m->cappost * sizeof *m->next);
    m->item = malloc(m->cappost * sizeof *m->item);
    return (m->key && m->head && m->next && m->item) ? 0 : -1;
}

/**
 * bench_tmap_free(m):
 * Free what ${m} holds.
 */
void
bench_tmap_free(struct bench_tmap *m)
{

    free(m->key);
    free(m->head);
    free(m->next);
    free(m->item);
}

/* Slot of token ${t}: its own, or the empty one where it would go. */
static size_t
tmap_slot(const struct bench_tmap *m, const uint8_t *t)
{
    size_t s = (size_t)thash(t) & m->mask;

    while (m->key[s] != NULL && memcmp(m->key[s], t, SEEN_TOKEN_ITEM) != 0)
        s = (s + 1) & m->mask;
    return s;
}

/**
 * bench_tmap_add(m, t, item):
 * Add entry ${item} under token ${t}, which must stay valid as long as
 * ${m}.  Returns 0, or -1 when the postings are full.
 */
int
bench_tmap_add(struct bench_tmap *m, const uint8_t *t, uint32_t item)
{
    size_t s = tmap_slot(m, t);

    if (m->npost == m->cappost)
        return -1;
    m->item[m->npost] = item;
    if (m->key[s] == NULL) {
        m->key[s] = t;
        m->next[m->npost] = UINT32_MAX;
    } else {
        m->next[m->npost] = m->head[s];
    }
    m->head[s] = (uint32_t)m->npost++;
    return 0;
}

/**
 * bench_tmap_first(m, t):
 * Return the first posting under ${t} (then m->next[p]), or UINT32_MAX.
 */
uint32_t
bench_tmap_first(const struct bench_tmap *m, const uint8_t *t)
{
    size_t s = tmap_slot(m, t);

    return m->key[s] == NULL ? UINT32_MAX : m->head[s];
}

/* ---- a map from string to number ---- */

/* Where string ${s} goes in a table (FNV-1a). */
static uint64_t
shash(const char *s)
{
    uint64_t h = 1469598103934665603ull;

    while (*s)
        h = (h ^ (uint8_t)*s++) * 1099511628211ull;
    return h;
}

/**
 * bench_smap_init(m, expect):
 * Make ${m} empty, with room for ${expect} keys.  Returns 0 or -1.
 */
int
bench_smap_init(struct bench_smap *m, size_t expect)
{

    m->mask = table_mask(expect);
    m->n = 0;
    m->key = calloc(m->mask + 1, sizeof *m->key);
    m->val = calloc(m->mask + 1, sizeof *m->val);
    return m->key && m->val ? 0 : -1;
}

/**
 * bench_smap_free(m):
 * Free what ${m} holds.
 */
void
bench_smap_free(struct bench_smap *m)
{
    size_t i;

    for (i = 0; m->key && i <= m->mask; i++)
        free(m->key[i]);
    free(m->key);
    free(m->val);
}

/* Slot of ${k}: its own, or the empty one where it would go. */
static size_t
smap_slot(const struct bench_smap *m, const char *k)
{
    size_t s = (size_t)shash(k) & m->mask;

    while (m->key[s] != NULL && strcmp(m->key[s], k) != 0)
        s = (s + 1) & m->mask;
    return s;
}

/**
 * bench_smap_get(m, k):
 * Return the value of ${k}, or -1.
 */
long
bench_smap_get(const struct bench_smap *m, const char *k)
{
    size_t s = smap_slot(m, k);

    return m->key[s] != NULL ? m->val[s] : -1;
}

/**
 * bench_smap_put(m, k, v):
 * Set ${k} (copied) to ${v} unless it is there; return the value held,
 * or -2 when ${m} is full or out of memory.
 */
long
bench_smap_put(struct bench_smap *m, const char *k, long v)
{
    size_t s = smap_slot(m, k);

    if (m->key[s] != NULL)
        return m->val[s];
    if (m->n * 2 > m->mask || (m->key[s] = strdup(k)) == NULL)
        return -2;
    m->val[s] = v;
    m->n++;
    return v;
}

/**
 * bench_type_police(ctx, pk):
 * A matcher's type_of (node/matching/matcher.h) for a bench's one node:
 * "police" for every origin.
 */
const char *
bench_type_police(void *ctx, const uint8_t pk[static 32])
{

    (void)ctx;
    (void)pk;
    return "police";
}

/**
 * bench_name_bench(ctx, pk, buf, len):
 * A matcher's name_of for a bench's one node: "bench" for every origin.
 */
const char *
bench_name_bench(void *ctx, const uint8_t pk[static 32], char *buf,
    size_t len)
{

    (void)ctx;
    (void)pk;
    (void)buf;
    (void)len;
    return "bench";
}

/**
 * bench_raw_lmdb_reads(dir, map_mb, n, rng, nkeys):
 * Random mdb_get of existing keys of "entries" in the store at ${dir}
 * (opened read-only with a map of ${map_mb} MiB), ${n} of them drawn with
 * ${rng}: reads a second, and the keys there are to *${nkeys}; 0 when the
 * store cannot be read.
 */
double
bench_raw_lmdb_reads(const char *dir, size_t map_mb, size_t n, uint64_t *rng,
    size_t *nkeys)
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
    mdb_env_set_mapsize(env, map_mb << 20);
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
    t0 = seen_clock_mono();
    for (i = 0; i < n; i++) {
        k = (MDB_val){20, keys[bench_rng(rng) % nk]};
        if (mdb_get(txn, dbi, &k, &v) == 0)
            sum += ((const uint8_t *)v.mv_data)[0];
    }
    t = seen_clock_mono() - t0;
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
