/*
 * bench_import: import throughput of one node, in process, against the raw
 * limits of the libraries measured in the same run.
 *
 *   bench_import [FILE.jsonl]
 *
 * Without FILE it runs seen-synth (beside this binary) for about 100k
 * records.  Prints figures and ratios, and each phase's wall and CPU
 * seconds (CPU time moves less than wall time on a machine others share);
 * never passes or fails.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/benchutil.h"
#include "common/clock.h"
#include "common/log.h"
#include "crypto/keys.h"
#include "match/tokens.h"
#include "node/matching/indexer.h"
#include "proto/record.h"
#include "storage/store.h"

static double
raw_blake2b(size_t n)
{
    uint8_t key[32], out[16], in[24];
    double t0;
    size_t i;

    randombytes_buf(key, sizeof key);
    memset(in, 'A', sizeof in);
    t0 = seen_clock_mono();
    for (i = 0; i < n; i++) {
        in[0] = (uint8_t)i;
        crypto_generichash(out, sizeof out, in, sizeof in, key, sizeof key);
    }
    return (double)n / (seen_clock_mono() - t0);
}

/* Parse every record of the ${len} bytes ${data}: the records, *${n} of
 * them, or NULL. */
static struct seen_record **
parse_all(const char *data, size_t len, size_t *n)
{
    struct seen_record **recs, **p;
    const char *line, *end, *nl;
    size_t cap = 1 << 17;

    *n = 0;
    if ((recs = malloc(cap * sizeof *recs)) == NULL)
        return NULL;
    for (line = data, end = data + len; line < end; line = nl + 1) {
        if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
            nl = end;
        if (seen_record_line_blank(line, (size_t)(nl - line)))
            continue;
        if (*n == cap) {
            if ((p = realloc(recs, (cap *= 2) * sizeof *recs)) == NULL) {
                free(recs);
                return NULL;
            }
            recs = p;
        }
        if (seen_record_parse(line, (size_t)(nl - line), &recs[*n], NULL,
                NULL) == 0)
            (*n)++;
    }
    return recs;
}

/* A node's store, keys and indexer. */
struct node {
    struct seen_keys *keys;
    struct seen_tokenizer *tk;
    struct seen_store *store;
    struct seen_indexer ix;
};

/* Wall and CPU seconds of one phase. */
struct phase {
    double wall, cpu;
};

/*
 * Make node ${nd} with a new store at ${path} and import the ${n} records
 * ${recs} in one transaction, as `seen import` does: the time of the
 * applying to *${apply}, of the commit to *${commit}.  Returns 0, or -1
 * (said on stderr).
 */
static int
import_all(struct node *nd, const char *path, struct seen_record **recs,
    size_t n, struct seen_index_stats *st, struct phase *apply,
    struct phase *commit)
{
    struct seen_txn *txn;
    double t0, c0;
    size_t i;
    int rc;

    nd->keys = seen_keys_generate();
    nd->tk = seen_tokenizer_new(nd->keys->match_key, 0);
    if (seen_store_open(path, nd->keys->sign_pk, nd->keys->record_key, 8192,
            1, &nd->store) != 0 ||
        seen_indexer_init(&nd->ix, nd->store, nd->keys, nd->tk) != 0)
        return -1;
    nd->ix.short_tokens = 1; /* a new federation's (docs/protocol.md) */
    memset(st, 0, sizeof *st);
    t0 = seen_clock_mono();
    c0 = bench_cpu();
    if (seen_store_begin(nd->store, 1, &txn) != 0)
        return -1;
    for (i = 0; i < n; i++) {
        if ((rc = seen_indexer_apply(&nd->ix, txn, recs[i], 1700000000,
                 st)) != 0) {
            fprintf(stderr, "bench_import: apply: %s\n", seen_strerror(rc));
            return -1;
        }
    }
    apply->wall = seen_clock_mono() - t0;
    apply->cpu = bench_cpu() - c0;
    t0 = seen_clock_mono();
    c0 = bench_cpu();
    if (seen_store_commit(txn) != 0)
        return -1;
    commit->wall = seen_clock_mono() - t0;
    commit->cpu = bench_cpu() - c0;
    return 0;
}

int
main(int argc, char *argv[])
{
    char dir[] = "/tmp/seen-bench-XXXXXX", path[4096], synth[4096], cmd[8192];
    struct seen_index_stats st;
    struct node nd;
    struct seen_record **recs;
    const char *file;
    char *data;
    size_t len, nrec, i;
    struct phase parse, apply, commit;
    double t0, c0, rawput, rawhash, rate;

    if (sodium_init() < 0)
        return 1;
    seen_log_init("bench_import", SEEN_LOG_WARN);
    if (mkdtemp(dir) == NULL)
        return 1;
    if (argc > 1) {
        file = argv[1];
    } else {
        snprintf(path, sizeof path, "%s/synth", dir);
        if (bench_synth("--node bench --type police --local-authority "
                        "Reading --households 40000 --seed 1",
                path) != 0)
            return 1;
        snprintf(synth, sizeof synth, "%s/synth/bench.jsonl", dir);
        file = synth; /* not path, which names the store and more below */
    }
    if ((data = bench_slurp(file, &len)) == NULL) {
        fprintf(stderr, "bench_import: cannot read %s\n", file);
        return 1;
    }

    /* Parse. */
    t0 = seen_clock_mono();
    c0 = bench_cpu();
    if ((recs = parse_all(data, len, &nrec)) == NULL)
        return 1;
    parse.wall = seen_clock_mono() - t0;
    parse.cpu = bench_cpu() - c0;

    /* Apply: normalise, tokens, seal, store; one transaction, as import. */
    snprintf(path, sizeof path, "%s/store", dir);
    if (import_all(&nd, path, recs, nrec, &st, &apply, &commit) != 0)
        return 1;

    snprintf(path, sizeof path, "%s/raw", dir);
    rawput = bench_raw_lmdb_puts(path, 1000000, 120);
    rawhash = raw_blake2b(2000000);
    rate = (double)nrec / (parse.wall + apply.wall + commit.wall);

    printf("import benchmark: %zu records, %llu entries (%s)\n", nrec,
        (unsigned long long)st.entries, file);
    printf("  parse+validate      %10.0f records/s\n", nrec / parse.wall);
    printf("  tokens+seal+store   %10.0f records/s (%.0f entries/s)\n",
        nrec / apply.wall, st.entries / apply.wall);
    printf("  commit (fsync)      %10.3f s\n", commit.wall);
    printf("  import, end to end  %10.0f records/s   target >= 50000\n", rate);
    printf("  seconds, wall (CPU): parse %.2f (%.2f), apply %.2f (%.2f), "
           "commit %.2f (%.2f); %.0f records per CPU second\n",
        parse.wall, parse.cpu, apply.wall, apply.cpu, commit.wall, commit.cpu,
        nrec / (parse.cpu + apply.cpu + commit.cpu));
    printf("raw limits measured in this run:\n");
    printf("  LMDB batched put    %10.0f puts/s (16-byte random keys)\n",
        rawput);
    printf("  keyed BLAKE2b-128   %10.0f hashes/s\n", rawhash);
    printf("ratios:\n");
    printf("  import records/s : raw LMDB puts/s = %.3f\n", rate / rawput);
    printf("  import entries/s : raw LMDB puts/s = %.3f\n",
        (double)st.entries / (parse.wall + apply.wall + commit.wall) /
            rawput);

    for (i = 0; i < nrec; i++)
        seen_record_destroy(&recs[i]);
    free(recs);
    free(data);
    seen_store_destroy(&nd.store);
    seen_tokenizer_destroy(&nd.tk);
    seen_keys_destroy(&nd.keys);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return 0;
}
