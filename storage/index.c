#include <string.h>

#include "common/log.h"
#include "seen.pb-c.h"
#include "storage/feed.h"
#include "storage/index.h"

#define TOKEN_ITEM 17
#define FIELD_BASE 32 /* match/tokens.h: rules below this are indexed */

static void
entry_id(uint8_t id[20], uint32_t oidx, const uint8_t handle[16])
{

    seen_be32(id, oidx);
    memcpy(id + 4, handle, 16);
}

static int
put_tokens(struct seen_txn *txn, const uint8_t id[20], const uint8_t *tok,
    size_t len, int add)
{
    size_t i;
    int rc;

    for (i = 0; i + TOKEN_ITEM <= len; i += TOKEN_ITEM) {
        if (tok[i] == 0 || tok[i] >= FIELD_BASE)
            continue;
        rc = add ? seen_store_put(txn, SEEN_DB_INDEX, tok + i, TOKEN_ITEM,
                       id, 20)
                 : seen_store_del(txn, SEEN_DB_INDEX, tok + i, TOKEN_ITEM,
                       id, 20);
        if (rc != 0 && !(rc == SEEN_ENOTFOUND && !add))
            return rc;
    }
    return SEEN_OK;
}

/**
 * seen_index_seq(txn, oidx, handle, seq):
 * Write the feed position of live entry ${handle} of origin ${oidx} to
 * *${seq}.  Returns 0, SEEN_ENOTFOUND, SEEN_ECORRUPT.
 */
int
seen_index_seq(struct seen_txn *txn, uint32_t oidx,
    const uint8_t handle[static 16], uint64_t *seq)
{
    uint8_t id[20];
    const void *v;
    size_t vlen;
    int rc;

    entry_id(id, oidx, handle);
    if ((rc = seen_store_get(txn, SEEN_DB_ENTRIES, id, 20, &v, &vlen)) != 0)
        return rc;
    if (vlen != 8)
        return SEEN_ECORRUPT;
    *seq = seen_rd64(v);
    return SEEN_OK;
}

/**
 * seen_index_entry(txn, oidx, seq, fe):
 * Decode leaf ${seq} of origin ${oidx}, which must hold an IndexEntry,
 * into *${fe}; the caller frees it with seen__feed_entry__free_unpacked.
 * Returns 0, SEEN_ENOTFOUND, SEEN_ECORRUPT.
 */
int
seen_index_entry(struct seen_txn *txn, uint32_t oidx, uint64_t seq,
    Seen__FeedEntry **fe)
{
    const uint8_t *leaf;
    size_t len;
    int rc;

    *fe = NULL;
    if ((rc = seen_feed_leaf(txn, oidx, seq, &leaf, &len)) != 0)
        return rc;
    *fe = seen__feed_entry__unpack(NULL, len, leaf);
    if (*fe == NULL || (*fe)->body_case != SEEN__FEED_ENTRY__BODY_ENTRY ||
        (*fe)->entry == NULL) {
        if (*fe != NULL)
            seen__feed_entry__free_unpacked(*fe, NULL);
        *fe = NULL;
        seen_warn("feed %u leaf %llu is not an index entry", oidx,
            (unsigned long long)seq);
        return SEEN_ECORRUPT;
    }
    return SEEN_OK;
}

/**
 * seen_index_remove(txn, oidx, handle):
 * Withdraw the live entry ${handle} of origin ${oidx} and its tokens.
 * Returns 0, SEEN_ENOTFOUND when it is not live, SEEN_ECORRUPT, SEEN_ERR.
 */
int
seen_index_remove(struct seen_txn *txn, uint32_t oidx,
    const uint8_t handle[static 16])
{
    Seen__FeedEntry *fe;
    uint8_t id[20];
    uint64_t seq;
    int rc;

    if ((rc = seen_index_seq(txn, oidx, handle, &seq)) != 0)
        return rc;
    if ((rc = seen_index_entry(txn, oidx, seq, &fe)) != 0)
        return rc;
    entry_id(id, oidx, handle);
    rc = put_tokens(txn, id, fe->entry->tokens.data, fe->entry->tokens.len,
        0);
    seen__feed_entry__free_unpacked(fe, NULL);
    if (rc != 0)
        return rc;
    return seen_store_del(txn, SEEN_DB_ENTRIES, id, 20, NULL, 0);
}

static int
index_add(struct seen_txn *txn, uint32_t oidx, uint64_t seq,
    const Seen__IndexEntry *e, int fresh)
{
    uint8_t id[20], v[8];
    int rc;

    if (e->handle.len != 16 || e->tokens.len % TOKEN_ITEM != 0)
        return SEEN_EINVAL;
    if (!fresh) {
        rc = seen_index_remove(txn, oidx, e->handle.data);
        if (rc != 0 && rc != SEEN_ENOTFOUND)
            return rc;
    }
    entry_id(id, oidx, e->handle.data);
    seen_be64(v, seq);
    if ((rc = seen_store_put(txn, SEEN_DB_ENTRIES, id, 20, v, 8)) != 0)
        return rc;
    return put_tokens(txn, id, e->tokens.data, e->tokens.len, 1);
}

/**
 * seen_index_add_fresh(txn, oidx, seq, e):
 * As seen_index_add for an entry whose handle has not been seen before (one
 * just drawn at random, or the next leaf of a feed, whose origin must not
 * reuse handles): nothing is read, so that the writes of a large batch can
 * be held back and applied sorted.  Should an origin reuse a handle, the
 * entry is replaced and the first entry's tokens stay in the index
 * pointing at it, where a query scores them against the live entry's own
 * tokens: a wasted comparison, never a wrong hit.
 */
int
seen_index_add_fresh(struct seen_txn *txn, uint32_t oidx, uint64_t seq,
    const Seen__IndexEntry *e)
{

    return index_add(txn, oidx, seq, e, 1);
}

/**
 * seen_index_add(txn, oidx, seq, e):
 * Make entry ${e} of origin ${oidx}, whose leaf is at ${seq}, live:
 * record it and index its blocking tokens.  An entry already live under
 * that handle is removed first.  Returns 0, SEEN_EINVAL for an entry
 * without a 16-byte handle or with a token list that is not whole
 * items, SEEN_EFULL, SEEN_ERR.
 */
int
seen_index_add(struct seen_txn *txn, uint32_t oidx, uint64_t seq,
    const Seen__IndexEntry *e)
{

    return index_add(txn, oidx, seq, e, 0);
}

struct lookup_ctx {
    seen_index_fn *fn;
    void *ctx;
};

static int
lookup_one(void *vctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{
    struct lookup_ctx *l = vctx;

    (void)key;
    (void)klen;
    if (vlen != 20)
        return SEEN_ECORRUPT;
    return l->fn(l->ctx, val);
}

/**
 * seen_index_lookup(txn, token, fn, ctx):
 * Call ${fn} for each live entry carrying ${token} (SEEN_TOKEN_ITEM
 * bytes).  Returns 0, ${fn}'s negative code, SEEN_ECORRUPT.
 */
int
seen_index_lookup(struct seen_txn *txn, const uint8_t token[static 17],
    seen_index_fn *fn, void *ctx)
{
    struct lookup_ctx l = {fn, ctx};

    return seen_store_iter(txn, SEEN_DB_INDEX, token, TOKEN_ITEM, lookup_one,
        &l);
}
