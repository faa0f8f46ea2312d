#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "match/score.h"
#include "match/tokens.h"
#include "node/matching/query.h"
#include "storage/index.h"
#include "storage/store.h"
#include "seen.pb-c.h"

/* Hits by weight, highest first, then by origin and handle. */
static int
hit_cmp(const void *a, const void *b)
{
    const struct seen_query_hit *x = a, *y = b;

    if (x->score.weight != y->score.weight)
        return x->score.weight < y->score.weight ? 1 : -1;
    if (x->oidx != y->oidx)
        return x->oidx < y->oidx ? -1 : 1;
    return memcmp(x->handle, y->handle, 16);
}

/**
 * seen_query_run(txn, tk, q, out):
 * Find the entries that match ${q}, reading through ${txn}.  On success
 * ${out} holds the hits (match and possible bands, highest weight first)
 * and must be released with seen_query_release.  Returns 0 (possibly with
 * no hits); SEEN_EINVAL when ${q} yields no blocking token (too little to
 * search on); SEEN_ENOMEM; SEEN_ECORRUPT.
 */
int
seen_query_run(struct seen_txn *txn, const struct seen_tokenizer *tk,
    const struct seen_token_input *q, struct seen_query_result *out)
{
    struct seen_query_tokens qt;

    qt.ntokens = seen_tokens_make(tk, q, qt.tokens, SEEN_TOKENS_MAX);
    qt.has_bloom = seen_bloom_make(tk, q, qt.bloom) != 0;
    return seen_query_run_tokens(txn, &qt, out);
}

/**
 * seen_query_run_tokens(txn, qt, out):
 * As seen_query_run, with the criteria's tokens and filter ${qt} made
 * beforehand.  Returns as seen_query_run.
 */
int
seen_query_run_tokens(struct seen_txn *txn,
    const struct seen_query_tokens *qt, struct seen_query_result *out)
{
    const uint8_t *tokens = qt->tokens;
    struct seen_score_side qs, es;
    struct seen_query_hit *h;
    struct seen_index_refs c = {NULL, 0, 0, 0, SEEN_QUERY_BLOCK_MAX};
    Seen__FeedEntry *fe;
    Seen__IndexEntry *e;
    size_t ntok = qt->ntokens, i, k, nblocks = 0;
    uint64_t seq;
    uint32_t oidx;
    int rc;

    memset(out, 0, sizeof *out);
    qs.tokens = tokens;
    qs.ntokens = ntok;
    qs.bloom = qt->has_bloom ? qt->bloom : NULL;
    qs.birth_band = 0;
    for (i = 0; i < ntok; i++) {
        if (!seen_rule_is_block(tokens[i * SEEN_TOKEN_ITEM]))
            continue;
        nblocks++;
        c.in_block = 0;
        rc = seen_index_lookup(txn, tokens + i * SEEN_TOKEN_ITEM,
            seen_index_refs_add, &c);
        if (rc != 0) {
            free(c.v);
            return rc;
        }
    }
    if (nblocks == 0)
        return SEEN_EINVAL;
    seen_index_refs_sort(&c); /* c.v is NULL when no block had one */
    if ((out->hits = calloc(c.n ? c.n : 1, sizeof *out->hits)) == NULL) {
        free(c.v);
        return SEEN_ENOMEM;
    }
    for (i = 0; i < c.n; i++) {
        out->candidates++;
        oidx = seen_index_ref_oidx(c.v[i]);
        seq = seen_index_ref_seq(c.v[i]);
        if ((rc = seen_index_entry(txn, oidx, seq, &fe)) != 0)
            goto fail;
        e = fe->entry;
        if (e->handle.len != SEEN_HANDLE_BYTES) {
            seen__feed_entry__free_unpacked(fe, NULL);
            continue; /* never indexed so (seen_index_add) */
        }
        es.tokens = e->tokens.data;
        es.ntokens = e->tokens.len / SEEN_TOKEN_ITEM;
        es.bloom = e->name_bloom.len == SEEN_BLOOM_BYTES ? e->name_bloom.data
                                                         : NULL;
        es.birth_band = e->birth_band;
        h = &out->hits[out->n];
        seen_score_pair(&qs, &es, &h->score);
        if (h->score.band != SEEN_BAND_NO) {
            h->oidx = oidx;
            memcpy(h->handle, e->handle.data, 16);
            h->seq = seq;
            h->published = fe->time;
            h->role = e->role;
            h->kind = e->kind;
            h->risk = e->risk;
            h->date = e->date;
            h->flags = e->flags;
            if (e->group.len == 16)
                memcpy(h->group, e->group.data, 16);
            k = strlen(e->local_authority);
            if (k >= sizeof h->local_authority)
                k = sizeof h->local_authority - 1;
            memcpy(h->local_authority, e->local_authority, k);
            h->local_authority[k] = '\0';
            out->n++;
        }
        seen__feed_entry__free_unpacked(fe, NULL);
    }
    free(c.v);
    qsort(out->hits, out->n, sizeof *out->hits, hit_cmp);
    return SEEN_OK;
fail:
    free(c.v);
    seen_query_release(out);
    return rc;
}

/**
 * seen_query_release(r):
 * Free what ${r} holds.
 */
void
seen_query_release(struct seen_query_result *r)
{

    free(r->hits);
    r->hits = NULL;
    r->n = 0;
}
