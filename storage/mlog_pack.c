/*
 * mlog_pack.c: a leaf of a Merkle log stored packed (storage/mlog.h): the
 * byte ranges of it that are, byte for byte, leaves of other logs of the
 * store (an ENTRIES envelope in the exchange log carries a feed's leaves)
 * stored as references to them, the rest as it is.  The leaf's bytes,
 * and so its hash and every proof, are those it was appended with; only
 * the stored value is smaller.  A packed value is
 *
 *   0x00 0x50 segment...
 *   segment: 0x01 len(varint) bytes            the leaf's next len bytes
 *            0x02 log(varint) seq(varint) len(varint)
 *                                              leaf seq of log number log
 *                                              (len bytes, checked)
 *
 * A leaf appended whole never begins with 0x00 (an encoded protobuf
 * message begins with a field's tag, never 0): the logs that pack (their
 * seen_mlog has a resolver) hold only such leaves.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "storage/mlog.h"
#include "storage/store.h"

#define PACK_MAGIC0 0x00
#define PACK_MAGIC1 0x50
#define SEG_BYTES 0x01
#define SEG_LEAF 0x02
#define VARINT_MAX 10

/* Append the LEB128 varint ${v} at ${p}; returns the bytes written. */
static size_t
put_varint(uint8_t *p, uint64_t v)
{
    size_t n = 0;

    do {
        p[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v != 0);
    return n;
}

/* Read a varint at *${p} (before ${end}) into *${v}; 0 or -1. */
static int
get_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    unsigned int shift = 0;

    *v = 0;
    while (*p < end && shift < 64) {
        uint8_t b = *(*p)++;

        *v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return 0;
        shift += 7;
    }
    return -1;
}

/**
 * seen_mlog_is_packed(val, vlen):
 * 1 if the stored value ${val} (${vlen} bytes) is a packed leaf, else 0.
 */
int
seen_mlog_is_packed(const uint8_t *val, size_t vlen)
{

    return vlen >= 2 && val[0] == PACK_MAGIC0 && val[1] == PACK_MAGIC1;
}

/* One segment of a packed value: its kind, its length in the leaf, and
 * where its bytes are (SEG_BYTES) or which leaf it names (SEG_LEAF). */
struct seg {
    int kind;
    uint64_t len, log, seq;
    const uint8_t *bytes;
};

/* Read the segment at *${p} (before ${end}) into ${g}, past it.  Returns
 * 0, or -1 for one that is cut short, of no known kind, or out of bounds
 * (a log number over 32 bits, a leaf longer than SEEN_MLOG_REF_MAX). */
static int
next_seg(const uint8_t **p, const uint8_t *end, struct seg *g)
{

    switch ((g->kind = *(*p)++)) {
    case SEG_BYTES:
        if (get_varint(p, end, &g->len) != 0 ||
            g->len > (uint64_t)(end - *p))
            return -1;
        g->bytes = *p;
        *p += g->len;
        return 0;
    case SEG_LEAF:
        if (get_varint(p, end, &g->log) != 0 || g->log > UINT32_MAX ||
            get_varint(p, end, &g->seq) != 0 ||
            get_varint(p, end, &g->len) != 0 || g->len > SEEN_MLOG_REF_MAX)
            return -1;
        return 0;
    default:
        return -1;
    }
}

/*
 * Walk the packed value ${val} of ${l}, each leaf it refers to looked up:
 * the unpacked length to *${total}, and, when ${out} is not NULL, the
 * bytes to ${out} (*${total} long).
 * Returns 0; SEEN_ECORRUPT for a value that does not unpack (a segment
 * cut short, a leaf referred to that is missing or of another length).
 */
static int
walk(const struct seen_mlog *l, const uint8_t *val, size_t vlen,
    uint8_t *out, size_t *total)
{
    const uint8_t *p = val + 2, *end = val + vlen, *leaf;
    struct seg g;
    uint64_t at = 0;
    size_t len;
    int rc;

    if (l->ref == NULL)
        return SEEN_ECORRUPT;
    while (p < end) {
        if (next_seg(&p, end, &g) != 0)
            return SEEN_ECORRUPT;
        if (g.kind == SEG_BYTES) {
            if (out != NULL)
                memcpy(out + at, g.bytes, (size_t)g.len);
        } else {
            /* Looked up on the first pass too, so that what is
             * allocated for the leaf is the size of leaves that are
             * there, not whatever a damaged value claims. */
            rc = l->ref(l->txn, (uint32_t)g.log, g.seq, &leaf, &len);
            if (rc != 0 || len != g.len)
                return rc == SEEN_ENOMEM ? rc : SEEN_ECORRUPT;
            if (out != NULL)
                memcpy(out + at, leaf, len);
        }
        if (g.len > SIZE_MAX - at)
            return SEEN_ECORRUPT;
        at += g.len;
    }
    *total = (size_t)at;
    return SEEN_OK;
}

/**
 * seen_mlog_unpack(l, val, vlen, b, leaf, len):
 * The leaf of ${l} stored as ${val} (${vlen} bytes): itself when stored
 * whole, else unpacked into ${b} (grown as needed; NULL: into memory the
 * transaction owns, seen_txn_scratch).  Returns 0; SEEN_ECORRUPT;
 * SEEN_ENOMEM.
 */
int
seen_mlog_unpack(const struct seen_mlog *l, const uint8_t *val, size_t vlen,
    struct seen_mlog_buf *b, const uint8_t **leaf, size_t *len)
{
    uint8_t *out;
    size_t total;
    int rc;

    if (!seen_mlog_is_packed(val, vlen)) {
        *leaf = val;
        *len = vlen;
        return SEEN_OK;
    }
    if ((rc = walk(l, val, vlen, NULL, &total)) != 0)
        return rc;
    if (total == 0)
        return SEEN_ECORRUPT; /* seen_mlog_pack packs no empty leaf */
    if (b == NULL) {
        if ((out = seen_txn_scratch(l->txn, total ? total : 1)) == NULL)
            return SEEN_ENOMEM;
    } else {
        if (b->cap < total) {
            if ((out = realloc(b->p, total)) == NULL)
                return SEEN_ENOMEM;
            b->p = out;
            b->cap = total;
        }
        out = b->p;
    }
    if ((rc = walk(l, val, vlen, out, &total)) != 0)
        return rc;
    *leaf = out;
    *len = total;
    return SEEN_OK;
}

/**
 * seen_mlog_buf_free(b):
 * Free what ${b} holds and empty it; safe twice.
 */
void
seen_mlog_buf_free(struct seen_mlog_buf *b)
{

    free(b->p);
    b->p = NULL;
    b->cap = 0;
}

/* Whether the ${n} spans fit a leaf of ${len} bytes, in order, apart. */
static int
spans_ok(const struct seen_mlog_span *s, size_t n, size_t len)
{
    size_t i, at = 0;

    for (i = 0; i < n; i++) {
        if (s[i].off < at || s[i].len > len || s[i].off > len - s[i].len)
            return 0;
        at = s[i].off + s[i].len;
    }
    return 1;
}

/* A segment of literal bytes [from, to) of ${raw} at ${p}. */
static size_t
put_bytes(uint8_t *p, const uint8_t *raw, size_t from, size_t to)
{
    size_t n;

    if (to == from)
        return 0;
    p[0] = SEG_BYTES;
    n = 1 + put_varint(p + 1, to - from);
    memcpy(p + n, raw + from, to - from);
    return n + (to - from);
}

/*
 * The packed form of ${raw} (${len} bytes) of ${l}, its ${n} spans
 * referring to the leaves they are equal to, into *${out} (malloc'd,
 * *${olen} bytes; NULL when no span is equal to its leaf).  Returns 0 or
 * an error resolving a leaf.
 */
static int
build(const struct seen_mlog *l, const uint8_t *raw, size_t len,
    const struct seen_mlog_span *s, size_t n, uint8_t **out, size_t *olen)
{
    const uint8_t *leaf;
    uint8_t *p;
    size_t i, at = 0, o = 2, llen, refs = 0;
    int rc;

    *out = NULL;
    /* At most: the leaf's bytes, a literal's head before and after each
     * span, and each span a reference. */
    if ((p = malloc(2 + len + (n + 1) * (1 + VARINT_MAX) +
             n * (1 + 3 * VARINT_MAX))) == NULL)
        return SEEN_ENOMEM;
    p[0] = PACK_MAGIC0;
    p[1] = PACK_MAGIC1;
    for (i = 0; i < n; i++) {
        rc = l->ref(l->txn, s[i].log, s[i].seq, &leaf, &llen);
        if (rc == SEEN_ENOTFOUND ||
            (rc == 0 && (llen != s[i].len ||
                            memcmp(leaf, raw + s[i].off, llen) != 0)))
            continue; /* not that leaf: kept as bytes */
        if (rc != 0) {
            free(p);
            return rc;
        }
        o += put_bytes(p + o, raw, at, s[i].off);
        p[o++] = SEG_LEAF;
        o += put_varint(p + o, s[i].log);
        o += put_varint(p + o, s[i].seq);
        o += put_varint(p + o, s[i].len);
        at = s[i].off + s[i].len;
        refs++;
    }
    o += put_bytes(p + o, raw, at, len);
    if (refs == 0) {
        free(p);
        return SEEN_OK;
    }
    *out = p;
    *olen = o;
    return SEEN_OK;
}

/*
 * Whether the packed value ${pk} (${plen} bytes), as build made it, stands
 * for ${raw} (${len} bytes): walked as walk() reads it, each literal
 * equal to the bytes of ${raw} where it falls, each reference as long as
 * the bytes it stands for (build compared them with the leaf), and all
 * of ${raw} covered.  1 or 0.
 */
static int
stands_for(const uint8_t *pk, size_t plen, const uint8_t *raw, size_t len)
{
    const uint8_t *p = pk + 2, *end = pk + plen;
    struct seg g;
    size_t at = 0;

    if (!seen_mlog_is_packed(pk, plen))
        return 0;
    while (p < end) {
        if (next_seg(&p, end, &g) != 0 || g.len > len - at ||
            (g.kind == SEG_BYTES &&
                memcmp(g.bytes, raw + at, (size_t)g.len) != 0))
            return 0;
        at += (size_t)g.len;
    }
    return at == len;
}

/**
 * seen_mlog_pack(l, i, spans, n, packed):
 * Store leaf ${i} of ${l} packed; see mlog.h.
 */
int
seen_mlog_pack(const struct seen_mlog *l, uint64_t i,
    const struct seen_mlog_span *spans, size_t n, size_t *packed)
{
    const uint8_t *val;
    uint8_t *raw = NULL, *pk = NULL;
    size_t vlen, plen = 0;
    int rc;

    *packed = 0;
    if (l->ref == NULL || n == 0)
        return SEEN_OK;
    if ((rc = seen_mlog_leaf_raw(l, i, &val, &vlen)) != 0)
        return rc;
    if (seen_mlog_is_packed(val, vlen) || !spans_ok(spans, n, vlen))
        return SEEN_OK;
    /* The value moves when the store is written: work on a copy. */
    if ((raw = malloc(vlen ? vlen : 1)) == NULL)
        return SEEN_ENOMEM;
    memcpy(raw, val, vlen);
    if ((rc = build(l, raw, vlen, spans, n, &pk, &plen)) != 0 || pk == NULL ||
        plen >= vlen)
        goto done;
    /* It must stand for the leaf, or it is not written: its literals
     * are the leaf's bytes where they fall, and its references (each
     * compared with the leaf it names as it was built) fill the rest.
     * Checked without looking the leaves up again, which, done for each
     * ENTRIES a node sent or received, cost a quarter of a receiver's
     * time in bench_replicate. */
    if (!stands_for(pk, plen, raw, vlen)) {
        seen_error("Merkle log: a packed leaf does not stand for its leaf: "
                   "kept whole");
        rc = SEEN_OK;
        goto done;
    }
    if ((rc = seen_mlog_leaf_replace(l, i, pk, plen)) == 0)
        *packed = vlen - plen;
done:
    free(pk);
    free(raw);
    return rc;
}
