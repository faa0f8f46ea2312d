#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "match/score.h"
#include "match/tokens.h"
#include "node/matching/query.h"
#include "storage/index.h"
#include "storage/store.h"
#include "seen.pb-c.h"

/* A candidate: a leaf, as origin number << 40 | position. */
struct cand {
    uint64_t *refs;
    size_t n, cap, in_block;
    int err;
};

/* Add a candidate of the current block, up to SEEN_QUERY_BLOCK_MAX of
 * them (a seen_index_fn). */
static int
add_cand(void *vctx, uint32_t oidx, uint64_t seq)
{
    struct cand *c = vctx;
    void *p;

    if (++c->in_block > SEEN_QUERY_BLOCK_MAX)
        return 1;
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 64;
        if ((p = realloc(c->refs, c->cap * sizeof *c->refs)) == NULL) {
            c->err = SEEN_ENOMEM;
            return SEEN_ENOMEM;
        }
        c->refs = p;
    }
    c->refs[c->n++] = (uint64_t)oidx << 40 | seq;
    return 0;
}

/* Candidates in order (for qsort). */
static int
ref_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

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
    uint8_t tokens[SEEN_TOKENS_MAX * SEEN_TOKEN_ITEM];
    uint8_t bloom[SEEN_BLOOM_BYTES];
    struct seen_score_side qs, es;
    struct seen_query_hit *h;
    struct cand c = {NULL, 0, 0, 0, 0};
    Seen__FeedEntry *fe;
    Seen__IndexEntry *e;
    size_t ntok, i, k, nblocks = 0;
    uint64_t seq;
    uint32_t oidx;
    int rc;

    memset(out, 0, sizeof *out);
    ntok = seen_tokens_make(tk, q, tokens, SEEN_TOKENS_MAX);
    qs.tokens = tokens;
    qs.ntokens = ntok;
    qs.bloom = seen_bloom_make(tk, q, bloom) ? bloom : NULL;
    qs.birth_band = 0;
    for (i = 0; i < ntok; i++) {
        if (!seen_rule_is_block(tokens[i * SEEN_TOKEN_ITEM]))
            continue;
        nblocks++;
        c.in_block = 0;
        rc = seen_index_lookup(txn, tokens + i * SEEN_TOKEN_ITEM, add_cand,
            &c);
        if (rc != 0) {
            free(c.refs);
            return rc;
        }
    }
    if (nblocks == 0)
        return SEEN_EINVAL;
    if (c.n > 1) /* c.refs is NULL when no block had a candidate */
        qsort(c.refs, c.n, sizeof *c.refs, ref_cmp);
    if ((out->hits = calloc(c.n ? c.n : 1, sizeof *out->hits)) == NULL) {
        free(c.refs);
        return SEEN_ENOMEM;
    }
    for (i = 0; i < c.n; i++) {
        if (i > 0 && c.refs[i - 1] == c.refs[i])
            continue;
        out->candidates++;
        oidx = (uint32_t)(c.refs[i] >> 40);
        seq = c.refs[i] & SEEN_POSTING_SEQ_MAX;
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
    free(c.refs);
    qsort(out->hits, out->n, sizeof *out->hits, hit_cmp);
    return SEEN_OK;
fail:
    free(c.refs);
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
