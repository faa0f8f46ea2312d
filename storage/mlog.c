#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/log.h"
#include "crypto/merkle.h"
#include "storage/mlog.h"
#include "storage/store.h"
#include "storage/store_impl.h"

/* A leaf or tile key: prefix, [tag(1)], index(8). */
#define KEY_MAX (SEEN_MLOG_PREFIX_MAX + 1 + 8)

/* A tile's hashes, and the tag of a tile key of ${level} (>= 1): the high
 * bit tells a tile from a hash stored one per key by format 1. */
#define TILE_W SEEN_MLOG_TILE_WIDTH
#define TILE_TAG(level) (0x80u | (level))

/* The key of leaf ${index}; returns its length. */
static size_t
leaf_key(const struct seen_mlog *l, uint8_t k[KEY_MAX], uint64_t index)
{

    memcpy(k, l->prefix, l->plen);
    seen_be64(k + l->plen, index);
    return l->plen + 8;
}

/* The key of the tile holding the hash at ${level} (>= 1), ${index};
 * returns its length. */
static size_t
tile_key(const struct seen_mlog *l, uint8_t k[KEY_MAX], unsigned int level,
    uint64_t index)
{

    memcpy(k, l->prefix, l->plen);
    k[l->plen] = (uint8_t)TILE_TAG(level);
    seen_be64(k + l->plen + 1, index / TILE_W);
    return l->plen + 9;
}

/* Read the subtree hash at ${level}, ${index}: a leaf's hash is made from
 * the leaf, any other is read from its tile.  SEEN_ECORRUPT if none. */
static int
get_hash(const struct seen_mlog *l, unsigned int level, uint64_t index,
    uint8_t out[32])
{
    uint8_t k[KEY_MAX];
    const uint8_t *leaf;
    const void *v;
    size_t klen, vlen;
    int rc;

    if (level == 0) {
        struct seen_mlog_buf b = {NULL, 0};

        if ((rc = seen_mlog_leaf_buf(l, index, &b, &leaf, &vlen)) != 0) {
            seen_mlog_buf_free(&b);
            return rc == SEEN_ENOTFOUND ? SEEN_ECORRUPT : rc;
        }
        seen_merkle_leaf_hash(out, leaf, vlen);
        seen_mlog_buf_free(&b);
        return SEEN_OK;
    }
    klen = tile_key(l, k, level, index);
    if ((rc = seen_store_get(l->txn, l->hashes, k, klen, &v, &vlen)) != 0)
        return rc == SEEN_ENOTFOUND ? SEEN_ECORRUPT : rc;
    if (vlen % 32 != 0 || vlen > TILE_W * 32 ||
        vlen < (index % TILE_W + 1) * 32)
        return SEEN_ECORRUPT;
    memcpy(out, (const uint8_t *)v + (index % TILE_W) * 32, 32);
    return SEEN_OK;
}

/* Store the subtree hash ${h} at ${level} (>= 1), ${index}, the next of
 * its level: the first of a new tile, or the right edge's tile
 * rewritten one hash longer. */
static int
put_hash(const struct seen_mlog *l, unsigned int level, uint64_t index,
    const uint8_t h[32])
{
    uint8_t k[KEY_MAX], tile[TILE_W * 32];
    size_t klen, vlen, n = index % TILE_W;
    const void *v;
    int rc;

    klen = tile_key(l, k, level, index);
    if (n > 0) {
        if ((rc = seen_store_get(l->txn, l->hashes, k, klen, &v, &vlen)) != 0)
            return rc == SEEN_ENOTFOUND ? SEEN_ECORRUPT : rc;
        if (vlen != n * 32)
            return SEEN_ECORRUPT;
        memcpy(tile, v, vlen);
    }
    memcpy(tile + n * 32, h, 32);
    return seen_store_put(l->txn, l->hashes, k, klen, tile, (n + 1) * 32);
}

/**
 * seen_mlog_size(l, size):
 * Write the number of leaves of the log ${l} to *${size} (0 for a log
 * never written).
 * Returns 0; SEEN_ECORRUPT when the stored size is damaged.
 */
int
seen_mlog_size(const struct seen_mlog *l, uint64_t *size)
{
    const void *v;
    size_t vlen;
    int rc;

    rc = seen_store_get(l->txn, l->sizedb, l->sizekey, l->sizeklen, &v, &vlen);
    if (rc == SEEN_ENOTFOUND) {
        *size = 0;
        return SEEN_OK;
    }
    if (rc != 0)
        return rc;
    if (l->size_head ? vlen < 8 : vlen != 8)
        return SEEN_ECORRUPT;
    *size = seen_rd64(v);
    return SEEN_OK;
}

/* The right edge ${l}'s transaction keeps of ${l}, or NULL. */
static struct store_mlog_edge *
edge_find(const struct seen_mlog *l)
{
    struct store_mlog_edge *e;
    size_t i;

    for (i = 0; i < STORE_MLOG_EDGES; i++) {
        e = &l->txn->edge[i];
        if (e->used && e->leaves == l->leaves && e->plen == l->plen &&
            memcmp(e->prefix, l->prefix, l->plen) == 0)
            return e;
    }
    return NULL;
}

/*
 * The right edge of ${l}, of ${n} leaves: the one its transaction keeps
 * when it is of that size, else one read from the stored hashes (at most
 * one a level) into the slot used least recently.  Returns 0, or
 * SEEN_ECORRUPT when a hash is missing (*${out} is then NULL).
 */
static int
edge_of(const struct seen_mlog *l, uint64_t n, struct store_mlog_edge **out)
{
    struct store_mlog_edge *e;
    uint64_t start = 0;
    unsigned int level;
    int rc;

    *out = NULL;
    if ((e = edge_find(l)) == NULL) {
        e = &l->txn->edge[l->txn->edge_next];
        l->txn->edge_next = (l->txn->edge_next + 1) % STORE_MLOG_EDGES;
    } else if (e->size == n) {
        *out = e;
        return SEEN_OK;
    }
    e->used = 0;
    for (level = 64; level-- > 0;) {
        if (!(n >> level & 1))
            continue;
        if ((rc = get_hash(l, level, start >> level, e->hash[level])) != 0)
            return rc;
        start += (uint64_t)1 << level;
    }
    e->leaves = l->leaves;
    memcpy(e->prefix, l->prefix, l->plen);
    e->plen = l->plen;
    e->size = n;
    e->used = 1;
    *out = e;
    return SEEN_OK;
}

/**
 * seen_mlog_append(l, leaf, len, index):
 * Append ${leaf} (${len} bytes, stored exactly) to the log ${l} inside
 * its write transaction: the leaf, its RFC 9162 hash, the hashes of the
 * subtrees it completes, and the new size.
 * [out] ${index}: when not NULL, the leaf's 0-based position.
 * Returns 0; SEEN_ECORRUPT for a damaged log; SEEN_EFULL, SEEN_ERR from
 * the store (abort the transaction).  ${leaf} is not retained.
 */
int
seen_mlog_append(const struct seen_mlog *l, const uint8_t *leaf, size_t len,
    uint64_t *index)
{
    struct store_mlog_edge *e;
    uint8_t k[KEY_MAX], h[32], size[8];
    uint64_t n, idx;
    unsigned int level;
    size_t klen;
    int rc;

    if ((rc = seen_mlog_size(l, &n)) != 0 || (rc = edge_of(l, n, &e)) != 0)
        return rc;
    e->used = 0; /* until the append is whole */
    klen = leaf_key(l, k, n);
    if ((rc = seen_store_put(l->txn, l->leaves, k, klen, leaf, len)) != 0)
        return rc;
    seen_merkle_leaf_hash(h, leaf, len);
    /* Each completed pair of subtrees makes a parent one level up. */
    for (level = 0, idx = n; idx & 1; level++, idx >>= 1) {
        seen_merkle_node_hash(h, e->hash[level], h);
        if ((rc = put_hash(l, level + 1, idx >> 1, h)) != 0)
            return rc;
    }
    seen_be64(size, n + 1);
    if ((rc = seen_store_put(l->txn, l->sizedb, l->sizekey, l->sizeklen, size,
             sizeof size)) != 0)
        return rc;
    memcpy(e->hash[level], h, 32);
    e->size = n + 1;
    e->used = 1;
    if (index != NULL)
        *index = n;
    return SEEN_OK;
}

/**
 * seen_mlog_leaf_raw(l, i, val, vlen):
 * The value stored for leaf ${i} of ${l}, packed or whole; see mlog.h.
 */
int
seen_mlog_leaf_raw(const struct seen_mlog *l, uint64_t i, const uint8_t **val,
    size_t *vlen)
{
    uint8_t k[KEY_MAX];
    const void *v;
    size_t klen;
    int rc;

    klen = leaf_key(l, k, i);
    if ((rc = seen_store_get(l->txn, l->leaves, k, klen, &v, vlen)) != 0)
        return rc;
    *val = v;
    return SEEN_OK;
}

/**
 * seen_mlog_leaf_replace(l, i, val, vlen):
 * Store ${val} for leaf ${i} of ${l} in place of its value; see mlog.h.
 */
int
seen_mlog_leaf_replace(const struct seen_mlog *l, uint64_t i,
    const uint8_t *val, size_t vlen)
{
    uint8_t k[KEY_MAX];
    size_t klen = leaf_key(l, k, i);
    int rc;

    /* Deleted first: LMDB would rewrite a value it holds in pages of this
     * transaction in place, in as many pages as before. */
    if ((rc = seen_store_del(l->txn, l->leaves, k, klen, NULL, 0)) != 0)
        return rc;
    return seen_store_put(l->txn, l->leaves, k, klen, val, vlen);
}

/**
 * seen_mlog_leaf(l, i, leaf, len):
 * Look up leaf ${i} of the log ${l}, unpacked; see mlog.h.
 */
int
seen_mlog_leaf(const struct seen_mlog *l, uint64_t i, const uint8_t **leaf,
    size_t *len)
{

    return seen_mlog_leaf_buf(l, i, NULL, leaf, len);
}

/**
 * seen_mlog_leaf_buf(l, i, b, leaf, len):
 * Look up leaf ${i} of the log ${l}, unpacked into ${b}; see mlog.h.
 */
int
seen_mlog_leaf_buf(const struct seen_mlog *l, uint64_t i,
    struct seen_mlog_buf *b, const uint8_t **leaf, size_t *len)
{
    const uint8_t *v;
    size_t vlen;
    int rc;

    if ((rc = seen_mlog_leaf_raw(l, i, &v, &vlen)) != 0)
        return rc;
    if (l->ref == NULL) {
        *leaf = v;
        *len = vlen;
        return SEEN_OK;
    }
    return seen_mlog_unpack(l, v, vlen, b, leaf, len);
}

/**
 * seen_mlog_subtree(ctx, start, size, out):
 * A seen_merkle_subtree_fn over a stored log: ${ctx} is a struct
 * seen_mlog.  Writes the hash of the aligned perfect subtree of ${size}
 * leaves from ${start} to ${out}.
 * Returns 0; SEEN_EINVAL for a subtree that is not aligned;
 * SEEN_ECORRUPT when it is not stored (beyond the log, or damaged).
 */
int
seen_mlog_subtree(
    void *ctx, uint64_t start, uint64_t size, uint8_t out[static 32])
{
    unsigned int level = 0;

    if (size == 0 || (size & (size - 1)) != 0 || start % size != 0)
        return SEEN_EINVAL;
    while ((1ULL << level) < size)
        level++;
    return get_hash(ctx, level, start >> level, out);
}

/* The log ${l} as the context of seen_mlog_subtree (which only reads). */
static void *
subtree_ctx(const struct seen_mlog *l)
{

    return (void *)(uintptr_t)l;
}

/**
 * seen_mlog_root(l, size, root):
 * Write the RFC 9162 root of the first ${size} leaves of the log ${l} to
 * ${root}, from at most 64 stored subtree hashes.
 * Returns 0; SEEN_EINVAL when ${size} exceeds the log; SEEN_ECORRUPT when
 * a stored hash is missing or damaged.
 */
int
seen_mlog_root(
    const struct seen_mlog *l, uint64_t size, uint8_t root[static 32])
{
    uint64_t n;
    int rc;

    if ((rc = seen_mlog_size(l, &n)) != 0)
        return rc;
    if (size > n)
        return SEEN_EINVAL;
    return seen_merkle_root_of(seen_mlog_subtree, subtree_ctx(l), size, root);
}

/**
 * seen_mlog_inclusion(l, index, size, proof, plen):
 * Write the RFC 9162 inclusion proof of leaf ${index} in the first
 * ${size} leaves of the log ${l} to ${proof} (*${plen} hashes, lowest
 * level first).
 * Returns 0; SEEN_EINVAL unless ${index} < ${size} <= the log's size;
 * SEEN_ECORRUPT.
 */
int
seen_mlog_inclusion(const struct seen_mlog *l, uint64_t index, uint64_t size,
    uint8_t proof[static SEEN_MERKLE_PROOF_MAX][32], size_t *plen)
{
    uint64_t n;
    int rc;

    if ((rc = seen_mlog_size(l, &n)) != 0)
        return rc;
    if (size > n || index >= size)
        return SEEN_EINVAL;
    return seen_merkle_inclusion_proof(
        seen_mlog_subtree, subtree_ctx(l), index, size, proof, plen);
}

/**
 * seen_mlog_consistency(l, size1, size2, proof, plen):
 * Write the RFC 9162 consistency proof from the first ${size1} leaves of
 * the log ${l} to the first ${size2} to ${proof} (*${plen} hashes; none
 * when equal).
 * Returns 0; SEEN_EINVAL unless 0 < ${size1} <= ${size2} <= the log's
 * size; SEEN_ECORRUPT.
 */
int
seen_mlog_consistency(const struct seen_mlog *l, uint64_t size1,
    uint64_t size2, uint8_t proof[static SEEN_MERKLE_PROOF_MAX][32],
    size_t *plen)
{
    uint64_t n;
    int rc;

    if ((rc = seen_mlog_size(l, &n)) != 0)
        return rc;
    if (size1 == 0 || size1 > size2 || size2 > n)
        return SEEN_EINVAL;
    return seen_merkle_consistency_proof(
        seen_mlog_subtree, subtree_ctx(l), size1, size2, proof, plen);
}

/* Hashes of format 1 gathered for seen_mlog_migrate, a batch at a time. */
#define MIGRATE_BATCH 1024

struct migrate {
    size_t n;
    uint8_t key[MIGRATE_BATCH][KEY_MAX];
    size_t klen[MIGRATE_BATCH];
    uint8_t hash[MIGRATE_BATCH][32];
};

/* Gather one hash stored by format 1 (a seen_store_iter_fn): prefix
 * level(1) index(8) -> hash(32), with level < 0x80. */
static int
migrate_gather(void *ctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{
    struct migrate *m = ctx;
    const uint8_t *k = key;

    if (klen < 9 || klen > KEY_MAX || (!(k[klen - 9] & 0x80) && vlen != 32)) {
        seen_error("a Merkle hash of format 1 has a key of %zu bytes and a "
                   "value of %zu (32 expected), level %u",
            klen, vlen, klen >= 9 ? k[klen - 9] : 0);
        return SEEN_ECORRUPT;
    }
    if (k[klen - 9] & 0x80) /* a tile already */
        return 0;
    memcpy(m->key[m->n], key, klen);
    m->klen[m->n] = klen;
    memcpy(m->hash[m->n], val, 32);
    return ++m->n == MIGRATE_BATCH ? 1 : 0;
}

/* Move the gathered hash ${i} of ${m} into its tile of ${db}, or drop it
 * (a leaf's hash), and delete its format-1 key. */
static int
migrate_one(struct seen_txn *txn, enum seen_db db, const struct migrate *m,
    size_t i)
{
    struct seen_mlog l;
    const uint8_t *k = m->key[i];
    size_t plen = m->klen[i] - 9;
    int rc;

    memset(&l, 0, sizeof l);
    l.txn = txn;
    l.hashes = db;
    memcpy(l.prefix, k, plen);
    l.plen = plen;
    if (k[plen] != 0 &&
        (rc = put_hash(&l, k[plen], seen_rd64(k + plen + 1), m->hash[i])) != 0)
        return rc;
    return seen_store_del(txn, db, k, m->klen[i], NULL, 0);
}

/**
 * seen_mlog_migrate(txn, db, moved):
 * Rewrite the Merkle hashes in ${db} (SEEN_DB_FHASH or SEEN_DB_XHASH)
 * stored by store format 1, one key per hash, as tiles, inside the write
 * transaction ${txn}: each hash of level >= 1 goes into its tile, each
 * leaf hash is dropped (it is made from the leaf), and the old keys are
 * deleted.  Hashes already in tiles are left as they are, so that a
 * migration cut short is finished by the next.
 * [out] ${moved}: the number of format-1 keys rewritten.
 * Returns 0; SEEN_ECORRUPT for a key or hash of neither layout, or a
 * level whose hashes do not follow each other; SEEN_EFULL, SEEN_ENOMEM,
 * SEEN_ERR from the store (abort the transaction).
 */
int
seen_mlog_migrate(struct seen_txn *txn, enum seen_db db, uint64_t *moved)
{
    uint8_t after[KEY_MAX];
    struct migrate *m;
    size_t alen = 0, i;
    int rc;

    *moved = 0;
    if ((m = malloc(sizeof *m)) == NULL)
        return SEEN_ENOMEM;
    do {
        m->n = 0;
        if ((rc = seen_store_iter_after(txn, db, after, alen, migrate_gather,
                 m)) != 0)
            break;
        for (i = 0; i < m->n && rc == 0; i++)
            rc = migrate_one(txn, db, m, i);
        if (m->n > 0) {
            alen = m->klen[m->n - 1];
            memcpy(after, m->key[m->n - 1], alen);
        }
        *moved += m->n;
    } while (rc == 0 && m->n == MIGRATE_BATCH);
    free(m);
    return rc;
}
