/*
 * bench_import: import throughput of one node, in process, against the raw
 * limits of the libraries measured in the same run.
 *
 *   bench_import [FILE.jsonl]
 *
 * Without FILE it runs seen-synth (beside this binary) for about 100k
 * records.  Prints figures and ratios; never passes or fails.
 */
#include <lmdb.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "crypto/keys.h"
#include "match/tokens.h"
#include "node/matching/indexer.h"
#include "proto/record.h"
#include "storage/store.h"

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    if ((buf = malloc((size_t)n + 1)) == NULL ||
        fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

/* Raw LMDB: random 16-byte keys, 120-byte values, 10k puts a txn. */
static double
raw_lmdb_puts(const char *dir, size_t n)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_val k, v;
    uint8_t key[16], val[120];
    double t0, t;
    size_t i;

    mkdir(dir, 0700);
    mdb_env_create(&env);
    mdb_env_set_mapsize(env, (size_t)4 << 30);
    if (mdb_env_open(env, dir, 0, 0600) != 0)
        return 0;
    memset(val, 7, sizeof val);
    t0 = now();
    for (i = 0; i < n; i++) {
        if (i % 10000 == 0) {
            if (i)
                mdb_txn_commit(txn);
            mdb_txn_begin(env, NULL, 0, &txn);
            mdb_dbi_open(txn, NULL, 0, &dbi);
        }
        randombytes_buf(key, sizeof key);
        k = (MDB_val){16, key};
        v = (MDB_val){sizeof val, val};
        mdb_put(txn, dbi, &k, &v, 0);
    }
    mdb_txn_commit(txn);
    t = now() - t0;
    mdb_env_close(env);
    return (double)n / t;
}

static double
raw_blake2b(size_t n)
{
    uint8_t key[32], out[16], in[24];
    double t0;
    size_t i;

    randombytes_buf(key, sizeof key);
    memset(in, 'A', sizeof in);
    t0 = now();
    for (i = 0; i < n; i++) {
        in[0] = (uint8_t)i;
        crypto_generichash(out, sizeof out, in, sizeof in, key, sizeof key);
    }
    return (double)n / (now() - t0);
}

int
main(int argc, char *argv[])
{
    char dir[] = "/tmp/seen-bench-XXXXXX", path[4096], cmd[8192], self[4096];
    struct seen_index_stats st;
    struct seen_keys *keys;
    struct seen_tokenizer *tk;
    struct seen_store *store;
    struct seen_indexer ix;
    struct seen_txn *txn;
    struct seen_record **recs;
    const char *file, *p, *end, *nl;
    char *data;
    size_t len, nrec = 0, cap = 1 << 17, i;
    double t0, tparse, tapply, tcommit, rawput, rawhash, rate;
    ssize_t sl;
    int rc;

    if (sodium_init() < 0)
        return 1;
    seen_log_init("bench_import", SEEN_LOG_WARN);
    if (mkdtemp(dir) == NULL)
        return 1;
    if (argc > 1) {
        file = argv[1];
    } else {
        sl = readlink("/proc/self/exe", self, sizeof self - 1);
        self[sl > 0 ? sl : 0] = '\0';
        if ((p = strrchr(self, '/')) != NULL)
            self[p - self] = '\0';
        snprintf(cmd, sizeof cmd,
            "%s/seen-synth --node bench --type police --local-authority "
            "Reading --households 40000 --seed 1 --out %s/synth 2>/dev/null",
            self, dir);
        if (system(cmd) != 0) {
            fprintf(stderr, "bench_import: cannot run seen-synth\n");
            return 1;
        }
        snprintf(path, sizeof path, "%s/synth/bench.jsonl", dir);
        file = path;
    }
    if ((data = slurp(file, &len)) == NULL) {
        fprintf(stderr, "bench_import: cannot read %s\n", file);
        return 1;
    }
    recs = malloc(cap * sizeof *recs);

    /* Parse. */
    t0 = now();
    for (p = data, end = data + len; p < end; p = nl + 1) {
        if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
            nl = end;
        if (seen_record_line_blank(p, (size_t)(nl - p)))
            continue;
        if (nrec == cap && (recs = realloc(recs, (cap *= 2) * sizeof *recs)) == NULL)
            return 1;
        if (seen_record_parse(p, (size_t)(nl - p), &recs[nrec], NULL, NULL) == 0)
            nrec++;
    }
    tparse = now() - t0;

    /* Apply: normalise, tokens, seal, store; one transaction, as import. */
    keys = seen_keys_generate();
    tk = seen_tokenizer_new(keys->match_key, 0);
    snprintf(path, sizeof path, "%s/store", dir);
    if (seen_store_open(path, keys->sign_pk, keys->record_key, 8192, 1,
            &store) != 0 ||
        seen_indexer_init(&ix, store, keys, tk) != 0)
        return 1;
    memset(&st, 0, sizeof st);
    t0 = now();
    if (seen_store_begin(store, 1, &txn) != 0)
        return 1;
    for (i = 0; i < nrec; i++) {
        if ((rc = seen_indexer_apply(&ix, txn, recs[i], 1700000000, &st)) != 0) {
            fprintf(stderr, "bench_import: apply: %s\n", seen_strerror(rc));
            return 1;
        }
    }
    tapply = now() - t0;
    t0 = now();
    if (seen_store_commit(txn) != 0)
        return 1;
    tcommit = now() - t0;

    snprintf(path, sizeof path, "%s/raw", dir);
    rawput = raw_lmdb_puts(path, 1000000);
    rawhash = raw_blake2b(2000000);
    rate = (double)nrec / (tparse + tapply + tcommit);

    printf("import benchmark: %zu records, %llu entries (%s)\n", nrec,
        (unsigned long long)st.entries, file);
    printf("  parse+validate      %10.0f records/s\n", nrec / tparse);
    printf("  tokens+seal+store   %10.0f records/s (%.0f entries/s)\n",
        nrec / tapply, st.entries / tapply);
    printf("  commit (fsync)      %10.3f s\n", tcommit);
    printf("  import, end to end  %10.0f records/s   target >= 100000\n", rate);
    printf("raw limits measured in this run:\n");
    printf("  LMDB batched put    %10.0f puts/s (16-byte random keys)\n",
        rawput);
    printf("  keyed BLAKE2b-128   %10.0f hashes/s\n", rawhash);
    printf("ratios:\n");
    printf("  import records/s : raw LMDB puts/s = %.3f\n", rate / rawput);
    printf("  import entries/s : raw LMDB puts/s = %.3f\n",
        (double)st.entries / (tparse + tapply + tcommit) / rawput);

    for (i = 0; i < nrec; i++)
        seen_record_destroy(&recs[i]);
    free(recs);
    free(data);
    seen_store_destroy(&store);
    seen_tokenizer_destroy(&tk);
    seen_keys_destroy(&keys);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return 0;
}
