/*
 * prfbatch.h: the distinct PRF inputs of a batch of persons, and the
 * outputs the custodians gave for them.
 *
 * In an OPRF epoch a node cannot make a token alone: each token's input
 * goes to the custodians (node/custodian/client.h), one evaluation an
 * input.  A batch (the lines of one import request, the records of one
 * re-tokenisation step, one query) first adds every person's inputs here,
 * which keeps each distinct input once; the caller has the custodians
 * evaluate seen_prfbatch_inputs() in one call and hands the outputs back
 * with seen_prfbatch_set(); then each person's tokens are made from
 * seen_prfbatch_get().  Nothing here is written to disk; the outputs are
 * wiped by seen_prfbatch_clear() and seen_prfbatch_destroy().
 *
 * An input is looked up by its BLAKE2b-128 digest (open addressing, grown
 * at half full): two distinct inputs of one batch share a digest with
 * probability about n^2 / 2^129.
 */
#ifndef SEEN_MATCH_PRFBATCH_H
#define SEEN_MATCH_PRFBATCH_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"

#define SEEN_PRFBATCH_OUT 32 /* bytes of output kept an input */
#define SEEN_PRFBATCH_INPUT_MAX 512 /* bytes of one input */

struct seen_prfbatch;

/**
 * seen_prfbatch_new():
 * Returns an empty batch, or NULL (out of memory, logged).  The caller
 * owns it: seen_prfbatch_destroy.
 */
struct seen_prfbatch *seen_prfbatch_new(void);

/**
 * seen_prfbatch_destroy(pp):
 * Wipe and free *${pp} and set it to NULL; NULL-safe, safe twice.
 */
void seen_prfbatch_destroy(struct seen_prfbatch **pp);

/**
 * seen_prfbatch_clear(b):
 * Forget every input and output of ${b} (wiped), keeping its memory for
 * the next batch.
 */
void seen_prfbatch_clear(struct seen_prfbatch *b);

/**
 * seen_prfbatch_add(b, in, len):
 * Add the input ${in} (${len} bytes, copied) unless ${b} holds it.
 * Returns 0; SEEN_EINVAL when ${len} is 0 or over SEEN_PRFBATCH_INPUT_MAX;
 * SEEN_ENOMEM.
 */
SEEN_MUST_CHECK int seen_prfbatch_add(struct seen_prfbatch *b,
    const uint8_t *in, size_t len);

/**
 * seen_prfbatch_count(b):
 * Returns how many distinct inputs ${b} holds.
 */
size_t seen_prfbatch_count(const struct seen_prfbatch *b);

/**
 * seen_prfbatch_inputs(b, ins, lens):
 * Point *${ins} and *${lens} at arrays of seen_prfbatch_count(${b})
 * inputs and their lengths, in the order they were first added.  Both
 * are ${b}'s and stay valid until the next add, clear or destroy.
 */
void seen_prfbatch_inputs(const struct seen_prfbatch *b,
    const uint8_t *const **ins, const size_t **lens);

/**
 * seen_prfbatch_pending(b):
 * Returns the index of the first input of ${b} with no output set: the
 * inputs from there to seen_prfbatch_count(${b}) are those a fill must
 * still have evaluated (outputs are set in order, so those before it all
 * have one).
 */
size_t seen_prfbatch_pending(const struct seen_prfbatch *b);

/**
 * seen_prfbatch_set(b, i, out):
 * Record ${out} (SEEN_PRFBATCH_OUT bytes, copied) as the output of the
 * ${i}-th input of seen_prfbatch_inputs.  Returns 0; SEEN_EINVAL when
 * ${i} is out of range.
 */
SEEN_MUST_CHECK int seen_prfbatch_set(struct seen_prfbatch *b, size_t i,
    const uint8_t out[SEEN_PRFBATCH_OUT]);

/**
 * seen_prfbatch_get(b, in, len, out):
 * Copy to ${out} the output recorded for the input ${in} (${len} bytes).
 * Returns 0; SEEN_ENOTFOUND when ${b} does not hold the input or holds no
 * output for it yet.
 */
SEEN_MUST_CHECK int seen_prfbatch_get(const struct seen_prfbatch *b,
    const uint8_t *in, size_t len, uint8_t out[SEEN_PRFBATCH_OUT]);

#endif /* !SEEN_MATCH_PRFBATCH_H */
