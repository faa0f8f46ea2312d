/*
 * fuzz_mlog_pack.c: libFuzzer harness for a stored leaf of a Merkle log
 * that may be packed (storage/mlog_pack.c, seen_mlog_unpack): the value
 * a store gives back for an exchange-log leaf, which a damaged or
 * tampered store may make anything.  Beyond "no crash, no leak, no
 * undefined behaviour" it checks the result against a second, simpler
 * reading of the format written here from its description in
 * storage/mlog_pack.c: a value accepted unpacks to exactly the bytes its
 * segments say, and one refused is one that reading refuses too.
 *
 * The leaves a reference names come from a resolver over a fixed table
 * (leaf seq of log L is seq % 251 bytes of L + seq, for logs 0 to 3;
 * anything else is not found), standing for the store's feeds.
 *
 * Seeds: tests/fuzz/corpus/mlog_pack; inputs that once broke it:
 * tests/fuzz/regress/mlog_pack.  Both are replayed by
 * tests/check_xlog_pack.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/seen.h"
#include "storage/mlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LOGS 4      /* logs 0 to 3 resolve */
#define LEAF_MOD 251 /* leaf seq of a log is seq % LEAF_MOD bytes */

static uint8_t leafbuf[LEAF_MOD];

/* A seen_mlog_ref_fn over the fixed table above. */
static int
ref(struct seen_txn *txn, uint32_t log, uint64_t seq, const uint8_t **leaf,
    size_t *len)
{
    size_t i;

    (void)txn;
    if (log >= LOGS)
        return SEEN_ENOTFOUND;
    *len = (size_t)(seq % LEAF_MOD);
    for (i = 0; i < *len; i++)
        leafbuf[i] = (uint8_t)(log + seq + i);
    *leaf = leafbuf;
    return SEEN_OK;
}

/* A varint at ${p}[*${at}] (before ${n}): 0, or -1 when cut short or
 * longer than ten bytes. */
static int
varint(const uint8_t *p, size_t n, size_t *at, uint64_t *v)
{
    unsigned int shift;

    *v = 0;
    for (shift = 0; shift < 70; shift += 7) {
        if (*at >= n)
            return -1;
        *v |= (uint64_t)(p[*at] & 0x7f) << shift;
        if (!(p[(*at)++] & 0x80))
            return 0;
    }
    return -1;
}

/*
 * The second reading: check that ${out} (${olen} bytes) is what the
 * packed value ${p} (${n} bytes) says, or, with ${out} NULL, that the
 * value is one to refuse.  Returns 1 when the reading agrees, else 0.
 */
static int
agrees(const uint8_t *p, size_t n, const uint8_t *out, size_t olen)
{
    size_t at = 2, o = 0, i;
    uint64_t len, log, seq;

    while (at < n) {
        switch (p[at++]) {
        case 0x01:
            if (varint(p, n, &at, &len) != 0 || len > n - at)
                return out == NULL;
            if (out != NULL &&
                (len > olen - o || memcmp(out + o, p + at, len) != 0))
                return 0;
            at += len;
            o += len;
            break;
        case 0x02:
            if (varint(p, n, &at, &log) != 0 || varint(p, n, &at, &seq) != 0 ||
                varint(p, n, &at, &len) != 0 || log >= LOGS ||
                len > SEEN_MLOG_REF_MAX || len != seq % LEAF_MOD)
                return out == NULL;
            for (i = 0; out != NULL && i < len; i++)
                if (o + i >= olen || out[o + i] != (uint8_t)(log + seq + i))
                    return 0;
            o += len;
            break;
        default:
            return out == NULL;
        }
    }
    /* A packed value of no bytes at all is no leaf. */
    return out == NULL ? o == 0 : o == olen && o > 0;
}

/* Unpack ${data} (${size} bytes) and abort unless the second reading
 * agrees.  Returns 1 for a packed value that unpacked, else 0 (for
 * tests/check_xlog_pack.c, which replays the seeds through it). */
static int
mlog_pack_one(const uint8_t *data, size_t size)
{
    struct seen_mlog l;
    struct seen_mlog_buf b = {NULL, 0};
    const uint8_t *leaf;
    size_t len;
    int rc;

    memset(&l, 0, sizeof l);
    l.ref = ref;
    rc = seen_mlog_unpack(&l, data, size, &b, &leaf, &len);
    if (!seen_mlog_is_packed(data, size)) {
        /* Stored whole: itself. */
        if (rc != SEEN_OK || leaf != data || len != size)
            abort();
    } else if (rc == SEEN_OK) {
        if (!agrees(data, size, leaf, len))
            abort();
    } else if (rc != SEEN_ECORRUPT || !agrees(data, size, NULL, 0)) {
        abort();
    }
    seen_mlog_buf_free(&b);
    return rc == SEEN_OK && seen_mlog_is_packed(data, size);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{

    (void)mlog_pack_one(data, size);
    return 0;
}
