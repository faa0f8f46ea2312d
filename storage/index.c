#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "proto/feed_entry.h"
#include "storage/blocks.h"
#include "storage/feed.h"
#include "storage/index.h"
#include "storage/store_impl.h"
#include "seen.pb-c.h"

/* The entry id of ${handle} of origin ${oidx}: origin(4) handle(16). */
static void
entry_id(uint8_t id[20], uint32_t oidx, const uint8_t handle[16])
{

    seen_be32(id, oidx);
    memcpy(id + 4, handle, 16);
}

/* The posting of leaf ${seq} of origin ${oidx} (both in range). */
static void
posting(uint8_t p[SEEN_POSTING_BYTES], uint32_t oidx, uint64_t seq)
{

    p[0] = (uint8_t)(oidx >> 16);
    p[1] = (uint8_t)(oidx >> 8);
    p[2] = (uint8_t)oidx;
    p[3] = (uint8_t)(seq >> 32);
    seen_be32(p + 4, (uint32_t)seq);
}

/* The levels of the token index, youngest first (index.h): the first
 * holds LMDB duplicates, the others sorted blocks (storage/blocks.h). */
static const enum seen_db levels[SEEN_INDEX_LEVELS] = {
    SEEN_DB_INDEX0, SEEN_DB_IBLOCK1, SEEN_DB_IBLOCK2, SEEN_DB_IBLOCK3};

/* The levels of format 6 after the first, which format 7 keeps as
 * blocks: each emptied into its level of blocks, levels[1] to levels[3]
 * (seen_index_migrate_blocks). */
static const enum seen_db dup_levels[] = {
    SEEN_DB_INDEX1, SEEN_DB_INDEX2, SEEN_DB_INDEX};

/* Remove posting ${p} under the key at ${key} from whichever level holds
 * it.  Returns 0, SEEN_ENOTFOUND, or the store's code. */
static int
del_posting(struct seen_txn *txn, const uint8_t *key, const uint8_t *p)
{
    uint8_t rec[SEEN_BLOCK_REC];
    size_t i;
    int rc;

    rc = seen_store_del(
        txn, levels[0], key, SEEN_INDEX_KEY_BYTES, p, SEEN_POSTING_BYTES);
    memcpy(rec, key, SEEN_INDEX_KEY_BYTES);
    memcpy(rec + SEEN_INDEX_KEY_BYTES, p, SEEN_POSTING_BYTES);
    for (i = 1; i < SEEN_INDEX_LEVELS && rc == SEEN_ENOTFOUND; i++)
        rc = seen_blocks_del(txn, levels[i], rec);
    return rc;
}

/* Add (${add}) or remove the posting of leaf ${seq} of origin ${oidx}
 * under each blocking token of the ${len} bytes ${tok}: added to the
 * youngest level, removed from the level that holds it. */
static int
put_tokens(struct seen_txn *txn, uint32_t oidx, uint64_t seq,
    const uint8_t *tok, size_t len, int add)
{
    uint8_t p[SEEN_POSTING_BYTES];
    size_t i;
    int rc;

    posting(p, oidx, seq);
    for (i = 0; i + SEEN_TOKEN_ITEM <= len; i += SEEN_TOKEN_ITEM) {
        if (!seen_rule_is_block(tok[i]))
            continue;
        rc = add ? seen_store_put(txn, SEEN_DB_INDEX0, tok + i,
                       SEEN_INDEX_KEY_BYTES, p, sizeof p)
                 : del_posting(txn, tok + i, p);
        if (rc != 0 && !(rc == SEEN_ENOTFOUND && !add))
            return rc;
    }
    return SEEN_OK;
}

/* Remove the postings of leaf ${seq} of origin ${oidx}, which must hold
 * an index entry. */
static int
drop_postings(struct seen_txn *txn, uint32_t oidx, uint64_t seq)
{
    Seen__FeedEntry *fe;
    int rc;

    if ((rc = seen_index_entry(txn, oidx, seq, &fe)) != 0)
        return rc;
    rc = put_tokens(txn, oidx, seq, fe->entry->tokens.data,
        fe->entry->tokens.len, 0);
    seen__feed_entry__free_unpacked(fe, NULL);
    return rc;
}

/**
 * store_entries_replaced(t, id, old):
 * The held-back write of live entry ${id} (SEEN_ENTRY_ID_BYTES) found it
 * live already, at position ${old} (SEEN_ENTRY_SEQ_BYTES): an origin
 * reused a handle, which seen_index_add_fresh did not look for.  Drop the
 * postings of the leaf it replaces (store_impl.h: called by the store as
 * it applies the writes, and touching neither SEEN_DB_ENTRIES nor
 * anything held back for it).  Returns 0 or the store's code.
 */
int
store_entries_replaced(struct seen_txn *t, const uint8_t *id,
    const uint8_t *old)
{
    int rc;

    rc = drop_postings(t, seen_rd32(id), seen_rd64(old));
    return rc == SEEN_ENOTFOUND ? SEEN_OK : rc;
}

/* The postings of level ${lv} to *${n}.  Returns 0 or the store's code. */
static int
level_count(struct seen_txn *txn, size_t lv, uint64_t *n)
{

    return lv == 0 ? seen_store_count(txn, levels[0], n)
                   : seen_blocks_count(txn, levels[lv], n);
}

/* The youngest level of the token index over its cap (${cap0} postings
 * for level 0, SEEN_INDEX_LEVEL_RATIO times more for each next) to
 * *${lv}, or SEEN_INDEX_LEVELS when every level is within its cap.
 * Returns 0 or the store's code. */
static int
level_over(struct seen_txn *txn, uint64_t cap0, size_t *lv)
{
    uint64_t n, cap = cap0;
    int rc;

    for (*lv = 0; *lv + 1 < SEEN_INDEX_LEVELS;
         ++*lv, cap *= SEEN_INDEX_LEVEL_RATIO) {
        if ((rc = level_count(txn, *lv, &n)) != 0)
            return rc;
        if (n > cap)
            return SEEN_OK;
    }
    *lv = SEEN_INDEX_LEVELS;
    return SEEN_OK;
}

/**
 * store_index_settle(s):
 * Move a chunk of a level of the token index over its cap into the next,
 * in a transaction of its own (store_impl.h).
 */
void
store_index_settle(struct seen_store *s)
{
    struct seen_txn *t;
    uint64_t moved;
    size_t lv;
    int rc;

    /* A read first: most commits find every level within its cap. */
    if (seen_store_begin(s, 0, &t) != 0)
        return;
    rc = level_over(t, SEEN_INDEX_LEVEL0_CAP, &lv);
    seen_store_abort(t);
    if (rc != 0 || lv == SEEN_INDEX_LEVELS || seen_store_begin(s, 1, &t) != 0)
        return;
    if ((rc = seen_index_settle(t, SEEN_INDEX_LEVEL0_CAP, &moved)) != 0)
        seen_store_abort(t);
    else
        rc = seen_store_commit(t);
    if (rc != 0 && rc != SEEN_EFULL)
        seen_error("store '%s': cannot move postings of the token index to "
                  "its next level: %s",
            seen_store_path(s), seen_strerror(rc));
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
    if ((rc = seen_store_get(txn, SEEN_DB_ENTRIES, id, SEEN_ENTRY_ID_BYTES,
             &v, &vlen)) != 0)
        return rc;
    if (vlen != SEEN_ENTRY_SEQ_BYTES)
        return SEEN_ECORRUPT;
    *seq = seen_rd64(v);
    return SEEN_OK;
}

struct live {
    seen_index_live_fn *fn;
    void *ctx;
};

static int
on_live(void *ctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{
    struct live *l = ctx;

    if (klen != SEEN_ENTRY_ID_BYTES || vlen != SEEN_ENTRY_SEQ_BYTES)
        return SEEN_ECORRUPT;
    return l->fn(l->ctx, key, seen_rd64(val));
}

/**
 * seen_index_each_live(txn, fn, ctx):
 * Call ${fn} for every live entry, in the order of their local ids.
 * Returns 0; ${fn}'s negative code; SEEN_ECORRUPT for a damaged record.
 */
int
seen_index_each_live(struct seen_txn *txn, seen_index_live_fn *fn, void *ctx)
{
    struct live l = {fn, ctx};

    return seen_store_iter(txn, SEEN_DB_ENTRIES, NULL, 0, on_live, &l);
}

/* ---- decoding leaves ---- */

/*
 * protobuf_c_message_unpack is general, and costs the matcher more than
 * the lookups around it.  A leaf as seen__feed_entry__pack writes it (each
 * field present at most once, in increasing number, no unknown field, no
 * empty string or bytes) is decoded here directly, into the same structs,
 * allocated as protobuf-c allocates them (so that free_unpacked frees
 * them), with the same values; anything else (a retraction, a field this
 * code does not know, a value it would have to truncate, a name that is
 * not plain ASCII) is left to protobuf-c, so that every leaf decodes
 * exactly as protobuf-c decodes it.
 */

struct wire {
    const uint8_t *p, *end;
    ProtobufCAllocator *a;
};

/* ${n} bytes from the decoder's allocator (malloc's when none). */
static void *
wire_alloc(struct wire *w, size_t n)
{

    return w->a != NULL ? w->a->alloc(w->a->allocator_data, n) : malloc(n);
}

/* A varint of at most ${max} bytes to *${v}; 0, or -1. */
static int
wire_varint(struct wire *w, size_t max, uint64_t *v)
{
    size_t i;

    *v = 0;
    for (i = 0; i < max && w->p + i < w->end; i++) {
        *v |= (uint64_t)(w->p[i] & 0x7f) << (7 * i);
        if ((w->p[i] & 0x80) == 0) {
            w->p += i + 1;
            return 0;
        }
    }
    return -1;
}

/* The next field's number and wire type; 0, or -1. */
static int
wire_key(struct wire *w, unsigned int *field, unsigned int *type)
{
    uint64_t k;

    if (wire_varint(w, 2, &k) != 0)
        return -1;
    *field = (unsigned int)(k >> 3);
    *type = (unsigned int)(k & 7);
    return 0;
}

/* A length-delimited value of 1 or more bytes: its bytes; 0, or -1. */
static int
wire_len(struct wire *w, const uint8_t **p, size_t *n)
{
    uint64_t len;

    if (wire_varint(w, 5, &len) != 0 || len == 0 ||
        len > (uint64_t)(w->end - w->p))
        return -1;
    *p = w->p;
    *n = (size_t)len;
    w->p += len;
    return 0;
}

/* A copy of ${n} (> 0) bytes at ${p} as a bytes field; 0, or -1. */
static int
wire_bytes(struct wire *w, const uint8_t *p, size_t n, ProtobufCBinaryData *b)
{

    if ((b->data = wire_alloc(w, n)) == NULL)
        return -1;
    memcpy(b->data, p, n);
    b->len = n;
    return 0;
}

/* IndexEntry fields 1..14; 0, or -1 for anything to leave to protobuf-c. */
static int
wire_index_entry(struct wire *w, Seen__IndexEntry *e)
{
    unsigned int field, type, last = 0;
    const uint8_t *p;
    uint64_t v;
    size_t n, i;

    while (w->p < w->end) {
        if (wire_key(w, &field, &type) != 0 || field <= last)
            return -1;
        last = field;
        if (field == 1 || field == 2 || field == 7 || field == 8 ||
            field == 9 || field == 14) {
            if (type != 2 || wire_len(w, &p, &n) != 0)
                return -1;
            switch (field) {
            case 1:
                if (wire_bytes(w, p, n, &e->handle) != 0)
                    return -1;
                break;
            case 2:
                if (wire_bytes(w, p, n, &e->group) != 0)
                    return -1;
                break;
            case 7:
                for (i = 0; i < n; i++)
                    if (p[i] == 0 || p[i] >= 0x80)
                        return -1;
                if ((e->local_authority = wire_alloc(w, n + 1)) == NULL)
                    return -1;
                memcpy(e->local_authority, p, n);
                e->local_authority[n] = '\0';
                break;
            case 8:
                if (wire_bytes(w, p, n, &e->tokens) != 0)
                    return -1;
                break;
            case 14:
                if (wire_bytes(w, p, n, &e->short_tokens) != 0)
                    return -1;
                break;
            default:
                if (wire_bytes(w, p, n, &e->name_bloom) != 0)
                    return -1;
                break;
            }
            continue;
        }
        if (field > 13 || type != 0 || wire_varint(w, 5, &v) != 0)
            return -1;
        /* Enums are int32: leave negative ones to protobuf-c. */
        if (v > ((field == 3 || field == 4 || field == 6) ? INT32_MAX
                                                           : UINT32_MAX))
            return -1;
        switch (field) {
        case 3:
            e->role = (Seen__Role)v;
            break;
        case 4:
            e->kind = (Seen__Kind)v;
            break;
        case 5:
            e->date = (uint32_t)v;
            break;
        case 6:
            e->risk = (Seen__Risk)v;
            break;
        case 10:
            e->epoch = (uint32_t)v;
            break;
        case 11:
            e->expiry = (uint32_t)v;
            break;
        case 12:
            e->flags = (uint32_t)v;
            break;
        default:
            e->birth_band = (uint32_t)v;
            break;
        }
    }
    return 0;
}

/* Decode ${len} bytes at ${leaf} as above: the entry, or NULL. */
static Seen__FeedEntry *
wire_feed_entry(ProtobufCAllocator *a, const uint8_t *leaf, size_t len)
{
    struct wire w = {leaf, leaf + len, a}, sub;
    unsigned int field, type, last = 0;
    Seen__FeedEntry *fe;
    const uint8_t *p;
    uint64_t v;
    size_t n;

    if ((fe = wire_alloc(&w, sizeof *fe)) == NULL)
        return NULL;
    seen__feed_entry__init(fe);
    while (w.p < w.end) {
        if (wire_key(&w, &field, &type) != 0 || field <= last)
            goto fail;
        last = field;
        switch (field) {
        case 1:
            if (type != 2 || wire_len(&w, &p, &n) != 0 ||
                wire_bytes(&w, p, n, &fe->origin) != 0)
                goto fail;
            break;
        case 2:
        case 3:
            if (type != 0 || wire_varint(&w, 9, &v) != 0)
                goto fail;
            if (field == 2)
                fe->seq = v;
            else
                fe->time = v;
            break;
        case 4:
            if (type != 2 || wire_len(&w, &p, &n) != 0 ||
                (fe->entry = wire_alloc(&w, sizeof *fe->entry)) == NULL)
                goto fail;
            seen__index_entry__init(fe->entry);
            fe->body_case = SEEN__FEED_ENTRY__BODY_ENTRY;
            sub = (struct wire){p, p + n, a};
            if (wire_index_entry(&sub, fe->entry) != 0)
                goto fail;
            break;
        default:
            goto fail;
        }
    }
    if (fe->body_case != SEEN__FEED_ENTRY__BODY_ENTRY)
        goto fail;
    return fe;
fail:
    seen__feed_entry__free_unpacked(fe, a);
    return NULL;
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

    return seen_index_entry_alloc(txn, oidx, seq, NULL, fe);
}

/**
 * seen_index_entry_alloc(txn, oidx, seq, allocator, fe):
 * As seen_index_entry, decoding with ${allocator} (protobuf-c's default
 * when NULL): the caller frees *${fe} with
 * seen__feed_entry__free_unpacked(*${fe}, ${allocator}), or, with an
 * allocator whose free does nothing (an arena), by releasing the arena.
 * Returns 0, SEEN_ENOTFOUND, SEEN_ECORRUPT.
 */
int
seen_index_entry_alloc(struct seen_txn *txn, uint32_t oidx, uint64_t seq,
    ProtobufCAllocator *allocator, Seen__FeedEntry **fe)
{
    const uint8_t *leaf;
    size_t len;
    int rc;

    *fe = NULL;
    if ((rc = seen_feed_leaf(txn, oidx, seq, &leaf, &len)) != 0)
        return rc;
    if ((*fe = wire_feed_entry(allocator, leaf, len)) == NULL)
        *fe = seen__feed_entry__unpack(allocator, len, leaf);
    if (*fe == NULL || (*fe)->body_case != SEEN__FEED_ENTRY__BODY_ENTRY ||
        (*fe)->entry == NULL ||
        seen_index_entry_normalise((*fe)->entry, allocator) != 0) {
        if (*fe != NULL)
            seen__feed_entry__free_unpacked(*fe, allocator);
        *fe = NULL;
        seen_error("feed %u leaf %llu is not an index entry", oidx,
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
    uint8_t id[20];
    uint64_t seq;
    int rc;

    if ((rc = seen_index_seq(txn, oidx, handle, &seq)) != 0)
        return rc;
    if ((rc = drop_postings(txn, oidx, seq)) != 0)
        return rc;
    entry_id(id, oidx, handle);
    return seen_store_del(txn, SEEN_DB_ENTRIES, id, sizeof id, NULL, 0);
}

/* As seen_index_add; ${fresh}: as seen_index_add_fresh. */
static int
index_add(struct seen_txn *txn, uint32_t oidx, uint64_t seq,
    const Seen__IndexEntry *e, int fresh)
{
    uint8_t id[SEEN_ENTRY_ID_BYTES], v[SEEN_ENTRY_SEQ_BYTES];
    int rc;

    if (e->handle.len != SEEN_HANDLE_BYTES ||
        e->tokens.len % SEEN_TOKEN_ITEM != 0 ||
        oidx > SEEN_POSTING_OIDX_MAX || seq > SEEN_POSTING_SEQ_MAX)
        return SEEN_EINVAL;
    if (!fresh) {
        rc = seen_index_remove(txn, oidx, e->handle.data);
        if (rc != 0 && rc != SEEN_ENOTFOUND)
            return rc;
    }
    entry_id(id, oidx, e->handle.data);
    seen_be64(v, seq);
    if ((rc = seen_store_put(txn, SEEN_DB_ENTRIES, id, sizeof id, v,
             sizeof v)) != 0)
        return rc;
    return put_tokens(txn, oidx, seq, e->tokens.data, e->tokens.len, 1);
}

/**
 * seen_index_add_fresh(txn, oidx, seq, e):
 * As seen_index_add for an entry whose handle has not been seen before (one
 * just drawn at random, or the next leaf of a feed, whose origin must not
 * reuse handles): nothing is read, so that the writes of a large batch can
 * be held back and applied sorted.  Should an origin reuse a handle, the
 * first entry is replaced as by seen_index_add when the writes are
 * applied: its postings go (store_entries_replaced).
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
 * items, or an origin number or position too large for a posting
 * (SEEN_POSTING_OIDX_MAX, SEEN_POSTING_SEQ_MAX), SEEN_EFULL, SEEN_ERR.
 */
int
seen_index_add(struct seen_txn *txn, uint32_t oidx, uint64_t seq,
    const Seen__IndexEntry *e)
{

    return index_add(txn, oidx, seq, e, 0);
}

/* The postings of one token, from every level, as origin number << 40 |
 * position: in ${small} until it is full, then in ${v} (malloc'd). */
struct gather {
    uint64_t small[32], *v;
    size_t n, cap;
};

/* Add the posting ${p} to ${g}.  Returns 0 or SEEN_ENOMEM. */
static int
gather_add(struct gather *g, const uint8_t *p)
{
    uint64_t *nv;

    if (g->n == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 128;
        if ((nv = realloc(g->v, g->cap * sizeof *nv)) == NULL)
            return SEEN_ENOMEM;
        if (g->v == NULL)
            memcpy(nv, g->small, g->n * sizeof *nv);
        g->v = nv;
    }
    (g->v != NULL ? g->v : g->small)[g->n++] =
        (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 | (uint64_t)p[2] << 40 |
        (uint64_t)p[3] << 32 | seen_rd32(p + 4);
    return SEEN_OK;
}

/* A posting of level 0 to the gather (a seen_store_iter_fn). */
static int
gather_dup(void *ctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{

    (void)key;
    (void)klen;
    return vlen != SEEN_POSTING_BYTES ? SEEN_ECORRUPT : gather_add(ctx, val);
}

/* A posting of a block level to the gather (a seen_blocks_fn). */
static int
gather_rec(void *ctx, const uint8_t *rec)
{

    return gather_add(ctx, rec + SEEN_INDEX_KEY_BYTES);
}

/* Postings, or candidates, in order (for qsort). */
static int
ref_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

/**
 * seen_index_lookup(txn, token, fn, ctx):
 * Call ${fn} for each live entry carrying a token whose rule and first 8
 * bytes are those of ${token} (SEEN_TOKEN_ITEM bytes; a token that agrees
 * in them may still be another: score candidates on their tokens), in
 * the order of origin number and position.  Returns 0, ${fn}'s negative
 * code, SEEN_ECORRUPT.
 */
int
seen_index_lookup(struct seen_txn *txn, const uint8_t token[static 17],
    seen_index_fn *fn, void *ctx)
{
    struct gather g = {.cap = 32};
    uint64_t *v;
    size_t i;
    int rc;

    rc = seen_store_dups_each(txn, levels[0], token, SEEN_INDEX_KEY_BYTES,
        gather_dup, &g);
    for (i = 1; i < SEEN_INDEX_LEVELS && rc == 0; i++)
        rc = seen_blocks_find(
            txn, levels[i], token, SEEN_INDEX_KEY_BYTES, gather_rec, &g);
    v = g.v != NULL ? g.v : g.small;
    /* Each level's in order: sorted only when more than one gave some. */
    for (i = 1; rc == 0 && i < g.n; i++)
        if (v[i - 1] > v[i]) {
            qsort(v, g.n, sizeof *v, ref_cmp);
            break;
        }
    for (i = 0; rc == 0 && i < g.n; i++)
        rc = fn(ctx, (uint32_t)(v[i] >> 40), v[i] & SEEN_POSTING_SEQ_MAX);
    free(g.v);
    return rc > 0 ? SEEN_OK : rc;
}

/**
 * seen_index_count(txn, n):
 * The postings of the token index, every level, to *${n}.  Returns 0 or
 * the store's code.
 */
int
seen_index_count(struct seen_txn *txn, uint64_t *n)
{
    uint64_t m;
    size_t i;
    int rc;

    *n = 0;
    for (i = 0; i < SEEN_INDEX_LEVELS; i++) {
        if ((rc = level_count(txn, i, &m)) != 0)
            return rc;
        *n += m;
    }
    return SEEN_OK;
}

/* Take up to ${max} postings from the front of level ${from} (LMDB
 * duplicates when ${dups}, else blocks) and merge them into the level of
 * blocks ${to}; their number to *${n}.  Returns 0 or the store's code. */
static int
move_chunk(struct seen_txn *txn, enum seen_db from, int dups, enum seen_db to,
    size_t max, size_t *n)
{
    uint8_t *recs;
    int rc;

    rc = dups ? seen_store_dups_take(txn, from, max, SEEN_INDEX_KEY_BYTES,
                    SEEN_POSTING_BYTES, &recs, n)
              : seen_blocks_take(txn, from, max, &recs, n);
    if (rc == 0)
        rc = seen_blocks_merge(txn, to, recs, *n);
    free(recs);
    return rc;
}

/**
 * seen_index_settle(txn, cap0, moved):
 * Move one chunk of the youngest level over its cap (${cap0} postings
 * for level 0, SEEN_INDEX_LEVEL_RATIO times more for each next) into the
 * next level; the postings moved to *${moved} (0: every level within its
 * cap).  Returns 0, SEEN_EFULL, SEEN_ENOMEM, SEEN_ECORRUPT, SEEN_ERR.
 */
int
seen_index_settle(struct seen_txn *txn, uint64_t cap0, uint64_t *moved)
{
    size_t lv, n;
    int rc;

    *moved = 0;
    if ((rc = level_over(txn, cap0, &lv)) != 0 || lv == SEEN_INDEX_LEVELS)
        return rc;
    if ((rc = move_chunk(txn, levels[lv], lv == 0, levels[lv + 1],
             SEEN_INDEX_MOVE_MAX, &n)) == 0)
        *moved = n;
    return rc;
}

/**
 * seen_index_migrate_blocks(txn, max, moved):
 * Move up to ${max} postings of the levels a store of format 6 keeps as
 * LMDB duplicates after the first into format 7's blocks, level for
 * level (SEEN_DB_INDEX1 into SEEN_DB_IBLOCK1, SEEN_DB_INDEX2 into
 * SEEN_DB_IBLOCK2, SEEN_DB_INDEX, the only one before format 6, into
 * SEEN_DB_IBLOCK3), and write their number to *${moved} (0: none is
 * left).  Each is taken in key order into a level of blocks that holds
 * nothing else, so the blocks are appended.  Returns 0, SEEN_EFULL,
 * SEEN_ENOMEM, SEEN_ECORRUPT, SEEN_ERR.
 */
int
seen_index_migrate_blocks(struct seen_txn *txn, size_t max, uint64_t *moved)
{
    size_t i, n = 0;
    int rc = SEEN_OK;

    for (i = 0; rc == 0 && n == 0 && i < sizeof dup_levels /
                                             sizeof *dup_levels; i++)
        rc = move_chunk(txn, dup_levels[i], 1, levels[i + 1], max, &n);
    *moved = n;
    return rc;
}

/**
 * seen_index_refs_add(ctx, oidx, seq):
 * A seen_index_fn adding the posting to the struct seen_index_refs
 * ${ctx}.  Returns 0, 1 once the lookup gave block_max of them (stop),
 * SEEN_ENOMEM.
 */
int
seen_index_refs_add(void *ctx, uint32_t oidx, uint64_t seq)
{
    struct seen_index_refs *r = ctx;
    uint64_t *p;

    if (r->block_max && ++r->in_block > r->block_max)
        return 1;
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 64;
        if ((p = realloc(r->v, r->cap * sizeof *p)) == NULL)
            return SEEN_ENOMEM;
        r->v = p;
    }
    r->v[r->n++] = (uint64_t)oidx << 40 | seq;
    return 0;
}

/**
 * seen_index_refs_sort(r):
 * Sort the candidates of ${r} and drop repeated ones.
 */
void
seen_index_refs_sort(struct seen_index_refs *r)
{
    size_t i, j;

    if (r->n > 1)
        qsort(r->v, r->n, sizeof *r->v, ref_cmp);
    for (i = j = 0; i < r->n; i++)
        if (j == 0 || r->v[j - 1] != r->v[i])
            r->v[j++] = r->v[i];
    r->n = j;
}

struct each_entry {
    struct seen_txn *txn;
    const char *what;
    seen_index_entry_fn *fn;
    void *ctx;
};

/* Decode the leaf of live entry ${id} at ${seq} and hand it to the
 * caller's function (a seen_index_live_fn over a struct each_entry). */
static int
each_entry_one(
    void *ctx, const uint8_t id[static SEEN_ENTRY_ID_BYTES], uint64_t seq)
{
    struct each_entry *w = ctx;
    Seen__FeedEntry *fe;
    int rc;

    if ((rc = seen_index_entry(w->txn, seen_rd32(id), seq, &fe)) != 0) {
        seen_warn("store: live entry at feed %u leaf %llu cannot be %s: %s",
            seen_rd32(id), (unsigned long long)seq, w->what, seen_strerror(rc));
        return rc == SEEN_ECORRUPT || rc == SEEN_ENOTFOUND ? 0 : rc;
    }
    rc = w->fn(w->ctx, id, seq, fe->entry);
    seen__feed_entry__free_unpacked(fe, NULL);
    return rc;
}

/**
 * seen_index_each_entry(txn, what, fn, ctx):
 * Call ${fn} for every live entry, in the order of their local ids, with
 * its leaf decoded; a leaf that does not decode is passed over and said,
 * as one that "cannot be ${what}" (a store of an older format opens
 * without it).  Returns 0; ${fn}'s negative code; SEEN_ECORRUPT for a
 * damaged record; SEEN_ENOMEM.
 */
int
seen_index_each_entry(
    struct seen_txn *txn, const char *what, seen_index_entry_fn *fn, void *ctx)
{
    struct each_entry w = {txn, what, fn, ctx};

    return seen_index_each_live(txn, each_entry_one, &w);
}

struct reindex {
    struct seen_txn *txn;
    uint64_t *n;
};

/* Index live entry ${e} of ${id} at ${seq} again (a seen_index_entry_fn
 * over a struct reindex, which counts the postings). */
static int
reindex_one(void *ctx, const uint8_t id[static SEEN_ENTRY_ID_BYTES],
    uint64_t seq, const Seen__IndexEntry *e)
{
    struct reindex *r = ctx;
    size_t i;
    int rc;

    rc = seen_rd32(id) > SEEN_POSTING_OIDX_MAX ||
                 seq > SEEN_POSTING_SEQ_MAX ||
                 e->tokens.len % SEEN_TOKEN_ITEM != 0
             ? SEEN_ECORRUPT
             : put_tokens(r->txn, seen_rd32(id), seq, e->tokens.data,
                   e->tokens.len, 1);
    for (i = 0; rc == 0 && i < e->tokens.len; i += SEEN_TOKEN_ITEM)
        *r->n += seen_rule_is_block(e->tokens.data[i]);
    return rc;
}

/**
 * seen_index_rebuild(txn, postings):
 * Empty every level of the token index and index again every live entry
 * of SEEN_DB_ENTRIES from its leaf (a store of an older format,
 * storage/migrate.c), into the oldest level; the
 * postings written are added to *${postings}.  Returns 0, SEEN_ECORRUPT,
 * SEEN_EFULL, SEEN_ERR.
 */
int
seen_index_rebuild(struct seen_txn *txn, uint64_t *postings)
{
    struct reindex r = {txn, postings};
    size_t i, n;
    int rc;

    if ((rc = seen_store_clear(txn, levels[0])) != 0)
        return rc;
    for (i = 1; i < SEEN_INDEX_LEVELS; i++)
        if ((rc = seen_blocks_clear(txn, levels[i])) != 0)
            return rc;
    for (i = 0; i < sizeof dup_levels / sizeof *dup_levels; i++)
        if ((rc = seen_store_clear(txn, dup_levels[i])) != 0)
            return rc;
    if ((rc = seen_index_each_entry(txn, "indexed again", reindex_one, &r)))
        return rc;
    /* Indexed whole: into the oldest level, in key order. */
    do
        rc = move_chunk(txn, levels[0], 1, levels[SEEN_INDEX_LEVELS - 1],
            SEEN_INDEX_MOVE_MAX, &n);
    while (rc == 0 && n > 0);
    return rc;
}
