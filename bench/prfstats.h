/*
 * prfstats.h: what an encoding of tokens costs, for bench_febrl: the PRF
 * inputs a person needs (each one OPRF evaluation in an OPRF epoch), the
 * distinct inputs of each 1,000 records (a batch asks the custodians
 * once per distinct input: match/prfbatch.h), and the bytes of a
 * leaf (FeedEntry) carrying an entry.
 */
#ifndef SEEN_BENCH_PRFSTATS_H
#define SEEN_BENCH_PRFSTATS_H

#include <stddef.h>

#include "match/tokens.h"

#define BENCH_PRF_BATCH 1000 /* records */

/* The encoding bench_febrl's runs tokenise with (--encoding). */
extern enum seen_token_mode bench_token_mode;

/**
 * bench_token_mode_name(mode):
 * Return "keyed" or "oprf".
 */
const char *bench_token_mode_name(enum seen_token_mode mode);

struct bench_prfstats {
    struct seen_prf_input *batch; /* the inputs of the current batch */
    size_t nbatch, capbatch, records, inbatch;
    size_t persons, inputs, batches, distinct, full;
    size_t leaves, leaf_short, leaf_full, leaf_bare; /* bytes, summed */
};

/**
 * bench_prfstats_person(st, tk, in):
 * Count the PRF inputs of the person ${in} under ${tk} into ${st}.
 * Returns 0; -1 (out of memory, printed).
 */
int bench_prfstats_person(struct bench_prfstats *st,
    const struct seen_tokenizer *tk, const struct seen_token_input *in);

/**
 * bench_prfstats_record(st):
 * Close a record in ${st}: every BENCH_PRF_BATCH records, count the
 * batch's distinct inputs.  Returns 0; -1 (printed).
 */
int bench_prfstats_record(struct bench_prfstats *st);

/**
 * bench_prfstats_leaf(st, ntok, la, expiry):
 * Add to ${st} the bytes of the leaf of an entry of ${ntok} tokens, the
 * local authority ${la} and an ${expiry} or none (0): with its 128-byte
 * name filter (an OPRF epoch's is empty, but feed_entry.c still wants
 * 128 bytes) and short tokens, with whole tokens, and with short tokens
 * and no filter at all.
 */
void bench_prfstats_leaf(struct bench_prfstats *st, size_t ntok,
    const char *la, unsigned int expiry);

/**
 * bench_prfstats_print(st, what):
 * Print the figures of ${st} (${what}: the encoding) and free it.
 */
void bench_prfstats_print(struct bench_prfstats *st, const char *what);

#endif /* !SEEN_BENCH_PRFSTATS_H */
