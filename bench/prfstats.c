#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/prfstats.h"
#include "match/prfbatch.h"
#include "seen.pb-c.h"

enum seen_token_mode bench_token_mode = SEEN_TOKENS_KEYED;

/**
 * bench_token_mode_name(mode):
 * Return "keyed" or "oprf".
 */
const char *
bench_token_mode_name(enum seen_token_mode mode)
{

    return mode == SEEN_TOKENS_OPRF       ? "oprf"
           : mode == SEEN_TOKENS_ANCHORED ? "anchored"
                                          : "keyed";
}

/**
 * bench_prfstats_person(st, tk, in):
 * Count the PRF inputs of the person ${in} under ${tk} into ${st}.
 * Returns 0; -1 (out of memory, printed).
 */
int
bench_prfstats_person(struct bench_prfstats *st,
    const struct seen_tokenizer *tk, const struct seen_token_input *in)
{
    struct seen_prf_input *p;
    size_t n;

    if (st->nbatch + SEEN_TOKENS_MAX > st->capbatch) {
        st->capbatch = st->capbatch ? 2 * st->capbatch : 1 << 16;
        if ((p = realloc(st->batch, st->capbatch * sizeof *p)) == NULL) {
            fprintf(stderr, "bench_febrl: out of memory\n");
            return -1;
        }
        st->batch = p;
    }
    n = seen_tokens_inputs(tk, in, st->batch + st->nbatch, SEEN_TOKENS_MAX);
    st->nbatch += n;
    st->inputs += n;
    st->full += n == SEEN_TOKENS_MAX;
    st->persons++;
    return 0;
}

/* Count the distinct inputs of the batch in ${st}, as a node asks the
 * custodians for them (match/prfbatch.h), and empty it. */
static int
batch_close(struct bench_prfstats *st)
{
    struct seen_prfbatch *b;
    uint8_t buf[SEEN_TOKEN_OPRF_INPUT_MAX];
    size_t i, len;
    int r = 0;

    if (st->nbatch == 0)
        return 0;
    if ((b = seen_prfbatch_new()) == NULL) {
        fprintf(stderr, "bench_febrl: out of memory\n");
        return -1;
    }
    for (i = 0; i < st->nbatch && r == 0; i++) {
        len = seen_token_oprf_input(1, st->batch[i].rule, st->batch[i].bytes,
            st->batch[i].len, buf, sizeof buf);
        r = seen_prfbatch_add(b, buf, len) == 0 ? 0 : -1;
    }
    if (r == 0) {
        st->distinct += seen_prfbatch_count(b);
        st->batches++;
    }
    seen_prfbatch_destroy(&b);
    st->nbatch = 0;
    st->inbatch = 0;
    return r;
}

/**
 * bench_prfstats_record(st):
 * Close a record in ${st}: every BENCH_PRF_BATCH records, count the
 * batch's distinct inputs.  Returns 0; -1 (printed).
 */
int
bench_prfstats_record(struct bench_prfstats *st)
{

    st->records++;
    if (++st->inbatch < BENCH_PRF_BATCH)
        return 0;
    return batch_close(st);
}

/* The bytes of the leaf of an entry of ${ntok} tokens of ${item} bytes. */
static size_t
leaf_bytes(size_t ntok, size_t item, int bloom, const char *la,
    unsigned int expiry)
{
    static uint8_t buf[SEEN_TOKENS_MAX * SEEN_TOKEN_ITEM], b[SEEN_BLOOM_BYTES];
    static uint8_t key[32], h[16];
    Seen__FeedEntry fe = SEEN__FEED_ENTRY__INIT;
    Seen__IndexEntry e = SEEN__INDEX_ENTRY__INIT;

    memset(buf, 0xa5, sizeof buf);
    memset(b, 0xa5, sizeof b);
    memset(key, 0xa5, sizeof key);
    memset(h, 0xa5, sizeof h);
    e.handle = (ProtobufCBinaryData){sizeof h, h};
    e.group = (ProtobufCBinaryData){sizeof h, h};
    e.role = 1;
    e.kind = 1;
    e.date = 20000;
    e.risk = 1;
    e.local_authority = (char *)la;
    if (item == SEEN_SHORT_ITEM)
        e.short_tokens = (ProtobufCBinaryData){ntok * item, buf};
    else
        e.tokens = (ProtobufCBinaryData){ntok * item, buf};
    if (bloom)
        e.name_bloom = (ProtobufCBinaryData){SEEN_BLOOM_BYTES, b};
    e.epoch = 1;
    e.expiry = expiry;
    e.birth_band = 2;
    fe.origin = (ProtobufCBinaryData){sizeof key, key};
    fe.seq = 100000;
    fe.time = 1765000000;
    fe.body_case = SEEN__FEED_ENTRY__BODY_ENTRY;
    fe.entry = &e;
    return seen__feed_entry__get_packed_size(&fe);
}

/**
 * bench_prfstats_leaf(st, ntok, la, expiry):
 * Add to ${st} the bytes of the leaf of an entry of ${ntok} tokens, the
 * local authority ${la} and an ${expiry} or none (0): with its 128-byte
 * name filter (an OPRF epoch's is empty, but feed_entry.c still wants
 * 128 bytes) and short tokens, with whole tokens, and with short tokens
 * and no filter at all.
 */
void
bench_prfstats_leaf(struct bench_prfstats *st, size_t ntok, const char *la,
    unsigned int expiry)
{

    st->leaves++;
    st->leaf_short += leaf_bytes(ntok, SEEN_SHORT_ITEM, 1, la, expiry);
    st->leaf_full += leaf_bytes(ntok, SEEN_TOKEN_ITEM, 1, la, expiry);
    st->leaf_bare += leaf_bytes(ntok, SEEN_SHORT_ITEM, 0, la, expiry);
}

/**
 * bench_prfstats_print(st, what):
 * Print the figures of ${st} (${what}: the encoding) and free it.
 */
void
bench_prfstats_print(struct bench_prfstats *st, const char *what)
{

    if (st->batches == 0 || st->inbatch * 2 >= BENCH_PRF_BATCH)
        (void)batch_close(st);
    printf("  PRF inputs (%s): %.2f a person (mean, %zu persons, %zu at "
           "the limit of %d); %.0f distinct a batch of %d records (%zu "
           "batches)\n",
        what, st->persons ? (double)st->inputs / st->persons : 0,
        st->persons, st->full, SEEN_TOKENS_MAX,
        st->batches ? (double)st->distinct / st->batches : 0,
        BENCH_PRF_BATCH, st->batches);
    if (st->leaves > 0)
        printf("  leaf bytes an entry (%s): %.0f with short tokens and the "
               "128-byte filter, %.0f with whole tokens; %.0f with short "
               "tokens and no filter\n",
            what, (double)st->leaf_short / st->leaves,
            (double)st->leaf_full / st->leaves,
            (double)st->leaf_bare / st->leaves);
    free(st->batch);
    memset(st, 0, sizeof *st);
}
