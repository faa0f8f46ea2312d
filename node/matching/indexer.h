/*
 * indexer.h: turning imported records into sealed records and feed
 * entries.
 *
 * For each person in a record the indexer publishes one IndexEntry in the
 * node's own feed (a fresh random handle; the record's group id; tokens
 * and Bloom filter of match/tokens.h), makes it live in the token index,
 * and keeps a sealed map from the handle back to the record id and
 * person ref.  A record imported again, or deleted, has its earlier
 * entries retracted first.  Everything happens inside the caller's write
 * transaction, so a batch is applied whole or not at all.
 */
#ifndef SEEN_INDEXER_H
#define SEEN_INDEXER_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"

struct seen_store;
struct seen_txn;
struct seen_keys;
struct seen_tokenizer;
struct seen_token_input;
struct seen_record;
struct seen_person;
struct Seen__LocalHandle;

struct seen_prfbatch;

/*
 * seen_indexer_fill_fn(ctx, b, purpose, operator): in an OPRF epoch, have
 * the custodians evaluate every input of ${b} and set its output
 * (match/prfbatch.h), for ${purpose} ("import", "query", ...) on behalf of
 * ${operator} (NULL: the node itself).  Returns 0, or a negative SEEN_E*
 * code (logged) when the outputs could not all be had: SEEN_EPERM a
 * custodian's limit refused them, SEEN_ETIMEDOUT fewer than t custodians
 * answered.
 */
typedef int seen_indexer_fill_fn(void *ctx, struct seen_prfbatch *b,
    const char *purpose, const char *operator);

struct seen_indexer {
    struct seen_store *store;           /* borrowed */
    const struct seen_keys *keys;       /* borrowed */
    const struct seen_tokenizer *tk;    /* borrowed */
    uint32_t own;                       /* our origin number */
    int short_tokens;   /* publish IndexEntry.short_tokens (the membership
                           document's token_bytes is 8) */
    /* An OPRF epoch's (ptokens.c): the outputs of the batch in hand, and
     * who evaluates them.  NULL in a keyed epoch. */
    struct seen_prfbatch *batch;        /* the daemon's */
    seen_indexer_fill_fn *fill;
    void *fill_ctx;
    /* seen_indexer_retokenize's place: the epoch it publishes under and
     * the key of the last record it looked at (in memory only). */
    uint32_t retok_epoch;
    uint8_t retok_after[64];
    size_t retok_alen;
};

struct seen_index_stats {
    uint64_t records;    /* records stored (new or replaced) */
    uint64_t replaced;   /* of which replaced an earlier version */
    uint64_t deleted;    /* records deleted */
    uint64_t entries;    /* entries published */
    uint64_t retracted;  /* entries retracted */
    uint64_t adopted;    /* entries a restore took back, now a record's */
    uint64_t unchanged;  /* records imported as they stood: left alone */
};

/**
 * seen_indexer_init(ix, store, keys, tk):
 * Set up ${ix} over ${store}, registering this node's own feed origin.
 * Nothing is copied; all three must outlive ${ix}.  Returns 0, SEEN_EFULL,
 * SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_indexer_init(struct seen_indexer *ix,
    struct seen_store *store, const struct seen_keys *keys,
    const struct seen_tokenizer *tk);

/**
 * seen_indexer_apply(ix, txn, rec, now, st):
 * Store ${rec} (or delete it, for a deletion line) inside write
 * transaction ${txn}, publishing and retracting entries, with ${now}
 * (Unix seconds) as publication time; add to ${st}.  Returns 0;
 * SEEN_ENOTFOUND for a deletion of a record never imported (nothing
 * done); SEEN_EFULL; SEEN_ENOMEM; SEEN_ERR.  On error the transaction
 * must be aborted.
 */
SEEN_MUST_CHECK int seen_indexer_apply(struct seen_indexer *ix,
    struct seen_txn *txn, const struct seen_record *rec, uint64_t now,
    struct seen_index_stats *st);

/**
 * seen_indexer_unchanged(ix, txn, rec):
 * Whether importing ${rec} (not a deletion) again would publish what
 * stands: the record stored under its id is byte for byte the same body,
 * kept for the same time, every one of its entries is live, and this
 * node's entries are of the epoch in force.  seen_indexer_apply leaves
 * such a record alone (counted as unchanged: nothing retracted or
 * published, no token made).  Returns 1 if so, 0 if not (new, changed,
 * or to publish again), or a negative SEEN_E* code from the store.
 */
SEEN_MUST_CHECK int seen_indexer_unchanged(struct seen_indexer *ix,
    struct seen_txn *txn, const struct seen_record *rec);

/**
 * seen_indexer_expire(ix, txn, today, now, st):
 * Retract the entries of every record whose retain_until is before
 * ${today} (days since 1970-01-01) and delete those records.  Returns 0
 * or an error as seen_indexer_apply.
 */
SEEN_MUST_CHECK int seen_indexer_expire(struct seen_indexer *ix,
    struct seen_txn *txn, int32_t today, uint64_t now,
    struct seen_index_stats *st);

/**
 * seen_indexer_retokenize(ix, txn, now, max, st, more):
 * Publish again under the tokenizer ${ix} now holds (a new match-key
 * epoch) the next ${max} records of this node (0: every one) whose
 * entries are of another epoch, retracting those, and when none is left
 * record the epoch in the store.  *${more} is 1 when records may be left
 * (call again, in a transaction of its own), else 0.  It goes on from the
 * last record it looked at (ix->retok_*), and passes over a record whose
 * entries are of the epoch already (one read), so a run cut short by an
 * error or a restart goes on where it stopped.  Does nothing when the
 * store's entries are already of that epoch.  Returns 0 or an error as
 * seen_indexer_apply, or as seen_indexer_batch_fill.
 */
SEEN_MUST_CHECK int seen_indexer_retokenize(struct seen_indexer *ix,
    struct seen_txn *txn, uint64_t now, size_t max,
    struct seen_index_stats *st, int *more);

/**
 * seen_indexer_birth_band(p, on):
 * Return the birth band (IndexEntry.birth_band) of person ${p} of a record
 * dated ${on} (days since 1970-01-01): 1 unborn (or a due date and no
 * date of birth), 2 under 18 on ${on} (or a child with no date of birth),
 * 3 an adult, 0 unknown.
 */
unsigned int seen_indexer_birth_band(const struct seen_person *p, int32_t on);

/**
 * seen_indexer_token_input(r, p, in):
 * Write to ${in} what the tokens and name filter of person ${p} of record
 * ${r} are made from (borrowed from ${p}).
 */
void seen_indexer_token_input(const struct seen_record *r,
    const struct seen_person *p, struct seen_token_input *in);

/**
 * seen_indexer_oprf(ix):
 * Return 1 when ${ix}'s tokens are an OPRF epoch's (made from the
 * custodians' outputs, ptokens.c), else 0 (also when ${ix} is NULL).
 */
int seen_indexer_oprf(const struct seen_indexer *ix);

/**
 * seen_indexer_batch_person(ix, in):
 * In an OPRF epoch, add to ${ix}'s batch the OPRF input of every token of
 * the person ${in}.  Returns 0 (nothing to do in a keyed epoch);
 * SEEN_ENOMEM.
 */
SEEN_MUST_CHECK int seen_indexer_batch_person(struct seen_indexer *ix,
    const struct seen_token_input *in);

/**
 * seen_indexer_batch_record(ix, r):
 * seen_indexer_batch_person for every person of ${r}.  Returns as it.
 */
SEEN_MUST_CHECK int seen_indexer_batch_record(struct seen_indexer *ix,
    const struct seen_record *r);

/**
 * seen_indexer_batch_fill(ix, purpose, operator):
 * In an OPRF epoch, have the custodians evaluate the inputs batched that
 * have no output yet (ix->fill).  Returns 0 (also in a keyed
 * epoch, or with nothing batched); the fill function's error; SEEN_EPERM
 * in an OPRF epoch with no one to ask.
 */
SEEN_MUST_CHECK int seen_indexer_batch_fill(struct seen_indexer *ix,
    const char *purpose, const char *operator);

/**
 * seen_indexer_batch_clear(ix):
 * Forget (wipe) the inputs and outputs of ${ix}'s batch, if any (${ix}
 * NULL: nothing).
 */
void seen_indexer_batch_clear(struct seen_indexer *ix);

/**
 * seen_indexer_person_tokens(ix, in, tokens, ntok, bloom, nbits):
 * Make the tokens of the person ${in} in ${ix}'s epoch into ${tokens}
 * (room for SEEN_TOKENS_MAX items of SEEN_TOKEN_ITEM bytes; their number
 * to *${ntok}) and its name filter into ${bloom} (SEEN_BLOOM_BYTES; the
 * number of bits set to *${nbits}, 0 in an OPRF epoch, which has none).
 * A keyed epoch makes them with the match key; an OPRF epoch from the
 * outputs of ${ix}'s batch, which must hold the person's inputs
 * (seen_indexer_batch_person, then seen_indexer_batch_fill).  Returns 0;
 * SEEN_ENOTFOUND (logged) when an input has no output in the batch.
 */
SEEN_MUST_CHECK int seen_indexer_person_tokens(const struct seen_indexer *ix,
    const struct seen_token_input *in, uint8_t *tokens, size_t *ntok,
    uint8_t *bloom, unsigned int *nbits);

/**
 * seen_indexer_own(store, txn, handle, lh, body, blen):
 * Look up what this node's own entry ${handle} (16 bytes) stands for, in
 * ${store} through ${txn}: *${lh} is its decoded LocalHandle (record id,
 * person ref, role; free with seen__local_handle__free_unpacked) and
 * *${body} the stored record body, the record as imported (malloc'd,
 * *${blen} bytes and a NUL; the caller wipes and frees it).
 * Returns 0; SEEN_ENOTFOUND when ${handle} is not one of ours (retracted,
 * or never published), both NULL; SEEN_ECORRUPT when a value is damaged,
 * or when the handle is known but its record is missing (then *${lh} is
 * set and *${body} NULL); SEEN_ENOMEM.
 */
SEEN_MUST_CHECK int seen_indexer_own(struct seen_store *store,
    struct seen_txn *txn, const uint8_t handle[16],
    struct Seen__LocalHandle **lh, char **body, size_t *blen);

/*
 * seen_indexer_handle_fn(ctx, handle, lh): one of this node's live
 * handles (16 bytes) and what it stands for (borrowed for the call).
 * Return 0 to go on, 1 to stop, or a negative SEEN_E* code to stop with
 * it.
 */
typedef int seen_indexer_handle_fn(void *ctx, const uint8_t handle[16],
    const struct Seen__LocalHandle *lh);

/**
 * seen_indexer_each_handle(txn, after, fn, ctx):
 * Call ${fn} for each of this node's handles, in handle order, starting
 * after ${after} (16 bytes; NULL: from the first), for paging across
 * transactions.
 * Returns 0; ${fn}'s negative code; SEEN_ECORRUPT for a damaged record;
 * SEEN_EAUTH when one does not open; SEEN_ENOMEM.
 */
SEEN_MUST_CHECK int seen_indexer_each_handle(struct seen_txn *txn,
    const uint8_t *after, seen_indexer_handle_fn *fn, void *ctx);

#endif /* !SEEN_INDEXER_H */
