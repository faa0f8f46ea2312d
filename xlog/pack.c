/*
 * pack.c: an ENTRIES envelope in the exchange log stored packed
 * (storage/mlog.h, seen_mlog_pack): the feed leaves it carries are in the
 * store's feeds already, byte for byte, so its leaf keeps references to
 * them instead of a second copy.  What the log holds, hashes and exports
 * does not change (docs/audit-format.md): only the stored value is
 * smaller.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "storage/feed.h"
#include "storage/mlog.h"
#include "storage/store.h"
#include "xlog/xlog.h"
#include "seen.pb-c.h"

/* Protocol Buffers' wire types. */
#define WT_VARINT 0
#define WT_I64 1
#define WT_LEN 2
#define WT_I32 5

/* One length-delimited field found: where its bytes are. */
struct field {
    size_t off, len;
};

/* Read a varint at ${p}[*${at}] (before ${len}); 0 or -1. */
static int
varint(const uint8_t *p, size_t len, size_t *at, uint64_t *v)
{
    unsigned int shift = 0;

    *v = 0;
    while (*at < len && shift < 64) {
        uint8_t b = p[(*at)++];

        *v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return 0;
        shift += 7;
    }
    return -1;
}

/*
 * Walk the fields of the message ${p} (${len} bytes): the occurrences of
 * field ${num}, which must be length-delimited, into ${out} (at most
 * ${max}; their offsets from ${p}).  Returns how many there are (more
 * than ${max}: only the first ${max} kept), or -1 for bytes that are not
 * a message this walk can read (a group, a cut field).
 */
static long
fields(const uint8_t *p, size_t len, uint32_t num, struct field *out,
    size_t max)
{
    size_t at = 0;
    uint64_t tag, v;
    long n = 0;

    while (at < len) {
        if (varint(p, len, &at, &tag) != 0 || (tag >> 3) == 0)
            return -1;
        switch (tag & 7) {
        case WT_VARINT:
            if (varint(p, len, &at, &v) != 0)
                return -1;
            break;
        case WT_I64:
        case WT_I32:
            v = (tag & 7) == WT_I64 ? 8 : 4;
            if (v > len - at)
                return -1;
            at += v;
            break;
        case WT_LEN:
            if (varint(p, len, &at, &v) != 0 || v > len - at)
                return -1;
            if ((tag >> 3) == num) {
                if ((size_t)n < max)
                    out[n] = (struct field){at, (size_t)v};
                n++;
            }
            at += v;
            break;
        default:
            return -1;
        }
        if ((tag >> 3) == num && (tag & 7) != WT_LEN)
            return -1;
    }
    return n;
}

/* The one occurrence of length-delimited field ${num} of the message at
 * ${f} within ${p}, as an offset from ${p}: 0, or -1 when it is not
 * there exactly once. */
static int
only(const uint8_t *p, struct field *f, uint32_t num)
{
    struct field in;

    if (fields(p + f->off, f->len, num, &in, 1) != 1)
        return -1;
    f->off += in.off;
    f->len = in.len;
    return 0;
}

/* The origin and first position of the ENTRIES that the XLogLeaf ${leaf}
 * logs, and how many leaves it carries: 0, or -1 when it logs no
 * ENTRIES. */
static int
entries_of(const uint8_t *leaf, size_t len, uint8_t origin[32],
    uint64_t *from, size_t *n)
{
    Seen__XLogLeaf *l;
    Seen__Envelope *env = NULL;
    Seen__SignedPart *sp = NULL;
    Seen__Entries *e = NULL;
    int rc = -1;

    if ((l = seen__xlog_leaf__unpack(NULL, len, leaf)) == NULL)
        return -1;
    if ((l->kind != SEEN__XLOG_KIND__XLOG_SENT &&
            l->kind != SEEN__XLOG_KIND__XLOG_RECEIVED) ||
        (env = seen__envelope__unpack(NULL, l->envelope.len,
             l->envelope.data)) == NULL ||
        (sp = seen__signed_part__unpack(NULL, env->signed_.len,
             env->signed_.data)) == NULL ||
        sp->header == NULL || sp->header->type != SEEN__MSG_TYPE__ENTRIES ||
        (e = seen__entries__unpack(NULL, sp->body.len, sp->body.data)) ==
            NULL ||
        e->origin.len != 32 || e->n_leaves == 0)
        goto done;
    memcpy(origin, e->origin.data, 32);
    *from = e->from;
    *n = e->n_leaves;
    rc = 0;
done:
    seen__entries__free_unpacked(e, NULL);
    seen__signed_part__free_unpacked(sp, NULL);
    seen__envelope__free_unpacked(env, NULL);
    seen__xlog_leaf__free_unpacked(l, NULL);
    return rc;
}

/**
 * seen_xlog_pack(txn, index, saved):
 * Store leaf ${index} of the log packed when it logs an ENTRIES (sent or
 * received) whose leaves ${txn} holds in the origin's feed; see xlog.h.
 */
int
seen_xlog_pack(struct seen_txn *txn, uint64_t index, size_t *saved)
{
    struct seen_mlog l;
    struct seen_mlog_span *spans = NULL;
    struct field f, *lv = NULL;
    const uint8_t *leaf;
    uint8_t origin[32];
    uint64_t from;
    size_t len, n, i;
    uint32_t oidx;
    long got;
    int rc;

    *saved = 0;
    seen_xlog_mlog(&l, txn);
    if ((rc = seen_mlog_leaf_raw(&l, index, &leaf, &len)) != 0)
        return rc;
    if (seen_mlog_is_packed(leaf, len) ||
        entries_of(leaf, len, origin, &from, &n) != 0)
        return SEEN_OK;
    if ((rc = seen_store_origin(txn, origin, 0, &oidx)) != 0)
        return rc == SEEN_ENOTFOUND ? SEEN_OK : rc;
    /* XLogLeaf.envelope, Envelope.signed, SignedPart.body, and in it the
     * ENTRIES' leaves, each exactly where protobuf-c read them. */
    f = (struct field){0, len};
    if (only(leaf, &f, 4) != 0 || only(leaf, &f, 1) != 0 ||
        only(leaf, &f, 2) != 0)
        return SEEN_OK;
    if ((lv = malloc(n * sizeof *lv)) == NULL ||
        (spans = malloc(n * sizeof *spans)) == NULL) {
        rc = SEEN_ENOMEM;
        goto done;
    }
    got = fields(leaf + f.off, f.len, 3, lv, n);
    if (got < 0 || (size_t)got != n)
        goto done;
    for (i = 0; i < n; i++)
        spans[i] = (struct seen_mlog_span){f.off + lv[i].off, lv[i].len,
            oidx, from + i};
    rc = seen_mlog_pack(&l, index, spans, n, saved);
done:
    free(lv);
    free(spans);
    return rc;
}
