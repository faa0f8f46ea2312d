/*
 * ptokens.c: a person's tokens in the node's epoch (indexer.h).  In a
 * keyed epoch the match key makes them here; in an OPRF epoch each
 * token's input goes to the custodians first, in a batch of many persons
 * (match/prfbatch.h: each distinct input once), and the tokens are made
 * from what came back (match/tokens.h, seen_tokens_finish).
 */
#include <sodium.h>
#include <string.h>

#include "common/log.h"
#include "match/anchored.h"
#include "match/prfbatch.h"
#include "match/tokens.h"
#include "node/matching/indexer.h"
#include "proto/record.h"

int
seen_indexer_oprf(const struct seen_indexer *ix)
{

    return ix != NULL && ix->tk != NULL &&
           (seen_tokenizer_mode(ix->tk) == SEEN_TOKENS_OPRF ||
               seen_tokenizer_mode(ix->tk) == SEEN_TOKENS_ANCHORED);
}

/* The OPRF input of ${pi} in ${ix}'s epoch into ${buf}; its length. */
static size_t
oprf_input(const struct seen_indexer *ix, const struct seen_prf_input *pi,
    uint8_t buf[SEEN_TOKEN_OPRF_INPUT_MAX])
{

    return seen_token_oprf_input(seen_tokenizer_epoch(ix->tk), pi->rule,
        pi->bytes, pi->len, buf, SEEN_TOKEN_OPRF_INPUT_MAX);
}

int
seen_indexer_batch_person(struct seen_indexer *ix,
    const struct seen_token_input *in)
{
    struct seen_prf_input pre[SEEN_TOKENS_MAX];
    uint8_t buf[SEEN_TOKEN_OPRF_INPUT_MAX];
    size_t n, i, len;
    int rc;

    if (!seen_indexer_oprf(ix))
        return 0;
    if (ix->batch == NULL)
        return SEEN_EPERM;
    n = seen_tokens_inputs(ix->tk, in, pre, SEEN_TOKENS_MAX);
    for (i = 0; i < n; i++) {
        if ((len = oprf_input(ix, &pre[i], buf)) == 0)
            continue; /* cannot be: the prefix fits beside any input */
        if ((rc = seen_prfbatch_add(ix->batch, buf, len)) != 0)
            return rc;
    }
    return 0;
}

int
seen_indexer_batch_record(struct seen_indexer *ix,
    const struct seen_record *r)
{
    struct seen_token_input in;
    size_t i;
    int rc;

    if (!seen_indexer_oprf(ix) || r->deleted)
        return 0;
    for (i = 0; i < r->npeople; i++) {
        seen_indexer_token_input(r, &r->people[i], &in);
        if ((rc = seen_indexer_batch_person(ix, &in)) != 0)
            return rc;
    }
    return 0;
}

int
seen_indexer_batch_fill(struct seen_indexer *ix, const char *purpose,
    const char *operator)
{

    if (!seen_indexer_oprf(ix))
        return 0;
    if (ix->batch == NULL || ix->fill == NULL) {
        seen_error("tokens of an OPRF epoch, and no custodians to ask");
        return SEEN_EPERM;
    }
    if (seen_prfbatch_pending(ix->batch) == seen_prfbatch_count(ix->batch))
        return 0;
    return ix->fill(ix->fill_ctx, ix->batch, purpose, operator);
}

void
seen_indexer_batch_clear(struct seen_indexer *ix)
{

    if (ix != NULL && ix->batch != NULL)
        seen_prfbatch_clear(ix->batch);
}

int
seen_indexer_person_tokens(const struct seen_indexer *ix,
    const struct seen_token_input *in, uint8_t *tokens, size_t *ntok,
    uint8_t *bloom, unsigned int *nbits)
{
    struct seen_prf_input pre[SEEN_TOKENS_MAX];
    uint8_t prf[SEEN_TOKENS_MAX][SEEN_PRF_OUTPUT];
    uint8_t buf[SEEN_TOKEN_OPRF_INPUT_MAX];
    size_t n, i, len;

    if (!seen_indexer_oprf(ix)) {
        *ntok = seen_tokens_make(ix->tk, in, tokens, SEEN_TOKENS_MAX);
        *nbits = seen_bloom_make(ix->tk, in, bloom);
        return 0;
    }
    memset(bloom, 0, SEEN_BLOOM_BYTES);
    *nbits = 0;
    *ntok = 0;
    n = seen_tokens_inputs(ix->tk, in, pre, SEEN_TOKENS_MAX);
    for (i = 0; i < n; i++) {
        len = oprf_input(ix, &pre[i], buf);
        if (ix->batch == NULL || len == 0 ||
            seen_prfbatch_get(ix->batch, buf, len, prf[i]) != 0) {
            seen_error("a token's input has no output from the custodians "
                       "(rule %u)",
                (unsigned int)pre[i].rule);
            return SEEN_ENOTFOUND;
        }
    }
    if (seen_tokenizer_mode(ix->tk) == SEEN_TOKENS_ANCHORED)
        *ntok = seen_tokens_anchored_finish(in, pre, n,
            (const uint8_t(*)[SEEN_PRF_OUTPUT])prf, tokens);
    else
        *ntok = seen_tokens_finish(pre, n,
            (const uint8_t(*)[SEEN_PRF_OUTPUT])prf, tokens);
    sodium_memzero(prf, sizeof prf);
    return 0;
}
