#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/log.h"
#include "proto/checkpoint.h"
#include "storage/space.h"
#include "storage/store.h"
#include "xlog/signing.h"
#include "xlog/state.h"
#include "xlog/xlog.h"

/**
 * seen_xlog_state_peer_key(k, prefix, origin):
 * Write the key of a peer's held or pending checkpoint, ${prefix}
 * origin(32), to ${k}.
 */
void
seen_xlog_state_peer_key(uint8_t k[static SEEN_XSTATE_PEER_KEY], int prefix,
    const uint8_t origin[static 32])
{

    k[0] = (uint8_t)prefix;
    memcpy(k + 1, origin, 32);
}

/**
 * seen_xlog_state_own_key(k, prefix, size, time, pk):
 * Write the key of an own checkpoint, ${prefix} size(8) time(8)
 * (SEEN_XSTATE_OWN_KEY bytes), or with ${pk} not NULL of a cosignature,
 * followed by the witness ${pk}(32) (SEEN_XSTATE_COSIG_KEY bytes), to
 * ${k}.
 */
void
seen_xlog_state_own_key(uint8_t k[static SEEN_XSTATE_COSIG_KEY], int prefix,
    uint64_t size, uint64_t time, const uint8_t *pk)
{

    k[0] = (uint8_t)prefix;
    seen_be64(k + 1, size);
    seen_be64(k + 9, time);
    if (pk != NULL)
        memcpy(k + 17, pk, 32);
}

/**
 * seen_xlog_state_resolved_key(k, time, floor):
 * Write the key of a resolution, SEEN_XSTATE_RESOLVED time(8) floor(8)
 * (SEEN_XSTATE_OWN_KEY bytes), to ${k}.
 */
void
seen_xlog_state_resolved_key(uint8_t k[static SEEN_XSTATE_OWN_KEY],
    uint64_t time, uint64_t floor)
{

    k[0] = SEEN_XSTATE_RESOLVED;
    seen_be64(k + 1, time);
    seen_be64(k + 9, floor);
}

/**
 * seen_xlog_state_kget(txn, key, klen, v, len), seen_xlog_state_kput(txn,
 *     key, klen, v, len), seen_xlog_state_kdel(txn, key, klen):
 * As seen_xlog_state_get, _put and _del for a record under the ${klen}
 * bytes ${key} (one of the keys made above).
 */
int
seen_xlog_state_kget(struct seen_txn *txn, const void *key, size_t klen,
    const uint8_t **v, size_t *len)
{
    const void *p;
    int rc;

    if ((rc = seen_store_get(txn, SEEN_DB_XSTATE, key, klen, &p, len)) != 0)
        return rc;
    *v = p;
    return SEEN_OK;
}

int
seen_xlog_state_kput(struct seen_txn *txn, const void *key, size_t klen,
    const void *v, size_t len)
{

    return seen_store_put(txn, SEEN_DB_XSTATE, key, klen, v, len);
}

int
seen_xlog_state_kdel(struct seen_txn *txn, const void *key, size_t klen)
{

    return seen_store_del(txn, SEEN_DB_XSTATE, key, klen, NULL, 0);
}

/**
 * seen_xlog_state_each(txn, prefix, plen, fn, ctx):
 * Call ${fn} for every record whose key starts with the ${plen} bytes
 * ${prefix}, in key order.  Returns 0; ${fn}'s negative code;
 * SEEN_ECORRUPT.
 */
int
seen_xlog_state_each(struct seen_txn *txn, const void *prefix, size_t plen,
    seen_xlog_state_fn *fn, void *ctx)
{

    return seen_store_iter(txn, SEEN_DB_XSTATE, prefix, plen, fn, ctx);
}

/**
 * seen_xlog_state_get(txn, name, v, len):
 * Look up the record named ${name} (SEEN_XSTATE_SIGNED, _HALT, _FLOOR):
 * *${v} (*${len} bytes) is borrowed until the end of ${txn} or its next
 * write.
 * Returns 0; SEEN_ENOTFOUND when there is none; SEEN_ECORRUPT.
 */
int
seen_xlog_state_get(
    struct seen_txn *txn, const char *name, const uint8_t **v, size_t *len)
{
    const void *p;
    int rc;

    if ((rc = seen_store_get(
             txn, SEEN_DB_XSTATE, name, strlen(name), &p, len)) != 0)
        return rc;
    *v = p;
    return SEEN_OK;
}

/**
 * seen_xlog_state_put(txn, name, v, len):
 * Store ${v} (${len} bytes, copied) as the record named ${name}, inside
 * the write transaction ${txn}.
 * Returns 0; SEEN_EFULL, SEEN_ERR.
 */
int
seen_xlog_state_put(
    struct seen_txn *txn, const char *name, const void *v, size_t len)
{

    return seen_store_put(txn, SEEN_DB_XSTATE, name, strlen(name), v, len);
}

/**
 * seen_xlog_state_del(txn, name):
 * Delete the record named ${name}, inside the write transaction ${txn}.
 * Returns 0; SEEN_ENOTFOUND when there is none; SEEN_ERR.
 */
int
seen_xlog_state_del(struct seen_txn *txn, const char *name)
{

    return seen_store_del(txn, SEEN_DB_XSTATE, name, strlen(name), NULL, 0);
}

/**
 * seen_xlog_state_load_cp(txn, key, klen, out):
 * Decode the checkpoint stored under ${key} (${klen} bytes).
 * [out] ${out}: the checkpoint, released with seen_checkpoint_destroy();
 * NULL on error.
 * Returns 0; SEEN_ENOTFOUND when none is stored; SEEN_ECORRUPT when it
 * does not decode (logged).
 */
int
seen_xlog_state_load_cp(
    struct seen_txn *txn, const void *key, size_t klen, Seen__Checkpoint **out)
{
    const void *v;
    size_t vlen;
    int rc;

    *out = NULL;
    if ((rc = seen_store_get(txn, SEEN_DB_XSTATE, key, klen, &v, &vlen)) != 0)
        return rc;
    if (seen_checkpoint_decode(v, vlen, out) != 0) {
        seen_error("exchange log: a stored checkpoint is damaged");
        return SEEN_ECORRUPT;
    }
    return SEEN_OK;
}

/**
 * seen_xlog_state_put_cp(txn, key, klen, c):
 * Encode the checkpoint ${c} and store it under ${key} (${klen} bytes).
 * Returns 0; SEEN_EINVAL, SEEN_ENOMEM from the encoder; SEEN_EFULL,
 * SEEN_ERR.  ${c} is not retained.
 */
int
seen_xlog_state_put_cp(struct seen_txn *txn, const void *key, size_t klen,
    const Seen__Checkpoint *c)
{
    uint8_t *enc;
    size_t elen;
    int rc;

    if ((rc = seen_checkpoint_encode(c, &enc, &elen)) != 0)
        return rc;
    rc = seen_store_put(txn, SEEN_DB_XSTATE, key, klen, enc, elen);
    free(enc);
    return rc;
}

struct raw_ctx {
    const uint8_t *val;
    size_t len;
};

/* Keep the first value met (borrowed) and stop. */
static int
first_raw(
    void *vctx, const void *key, size_t klen, const void *val, size_t vlen)
{
    struct raw_ctx *c = vctx;

    (void)key;
    (void)klen;
    c->val = val;
    c->len = vlen;
    return 1;
}

/**
 * seen_xlog_state_signed(txn, out):
 * Decode the largest checkpoint of its own log the node knows it signed
 * (SEEN_XSTATE_SIGNED), as seen_xlog_state_load_cp().
 * Returns 0; SEEN_ENOTFOUND when none; SEEN_ECORRUPT (logged).
 */
int
seen_xlog_state_signed(struct seen_txn *txn, Seen__Checkpoint **out)
{

    return seen_xlog_state_load_cp(
        txn, SEEN_XSTATE_SIGNED, strlen(SEEN_XSTATE_SIGNED), out);
}

/**
 * seen_xlog_state_own_at(txn, size, cp, len):
 * Look up the first (earliest) checkpoint of size ${size} of the node's
 * own log that it knows it signed: *${cp} (*${len} bytes, encoded) is
 * borrowed until the end of ${txn} or its next write.
 * Returns 0; SEEN_ENOTFOUND when none; SEEN_ECORRUPT.
 */
int
seen_xlog_state_own_at(
    struct seen_txn *txn, uint64_t size, const uint8_t **cp, size_t *len)
{
    struct raw_ctx c = {NULL, 0};
    uint8_t pre[9];
    int rc;

    pre[0] = SEEN_XSTATE_OWN;
    seen_be64(pre + 1, size);
    if ((rc = seen_store_iter(
             txn, SEEN_DB_XSTATE, pre, sizeof pre, first_raw, &c)) != 0)
        return rc;
    if (c.val == NULL)
        return SEEN_ENOTFOUND;
    *cp = c.val;
    *len = c.len;
    return SEEN_OK;
}

/**
 * seen_xlog_state_signed_size(txn, size):
 * Write the size of the largest checkpoint of its own log the node knows
 * it signed to *${size} (0 for none).
 * Returns 0; SEEN_ECORRUPT.
 */
int
seen_xlog_state_signed_size(struct seen_txn *txn, uint64_t *size)
{
    Seen__Checkpoint *c;
    int rc;

    *size = 0;
    rc = seen_xlog_state_signed(txn, &c);
    if (rc == SEEN_ENOTFOUND)
        return SEEN_OK;
    if (rc != 0)
        return rc;
    *size = c->size;
    seen_checkpoint_destroy(&c);
    return SEEN_OK;
}

/* Is there room for the evidence under key ${k} (kind, origin, hash):
 * 1 when it is held already or its origin has fewer than the bound, 0
 * when not, or an error of the store. */
static int
evidence_room(struct seen_txn *txn, const uint8_t k[static 65])
{
    const void *v;
    size_t vlen;
    uint64_t n = 0;
    int rc;

    rc = seen_store_get(txn, SEEN_DB_XSTATE, k, 65, &v, &vlen);
    if (rc != SEEN_ENOTFOUND)
        return rc == 0 ? 1 : rc;
    if ((rc = seen_store_count_prefix(txn, SEEN_DB_XSTATE, k, 33,
             SEEN_XSTATE_EVIDENCE_MAX, &n)) != 0)
        return rc;
    return n < SEEN_XSTATE_EVIDENCE_MAX;
}

/**
 * seen_xlog_state_put_evidence(txn, k, origin, ev, halt):
 * Store ${ev} as evidence against the log of ${origin}, under
 * SEEN_XSTATE_EVIDENCE origin(32) SHA-256(value), and, the first time it
 * is stored, append it to the exchange log of the node ${k} as an
 * XLOG_EVIDENCE leaf (the value, exactly), so that the node's next
 * checkpoint commits to it; with ${halt}, also keep it as the reason the
 * node refuses to sign, unless it refuses already.
 * Without ${halt}, at most SEEN_XSTATE_EVIDENCE_MAX pieces are kept per
 * origin: only that origin's signatures make them, and more prove
 * nothing the first did not, so beyond the bound a new one is dropped
 * (neither kept nor logged) and counted (seen_space_drop).  Evidence that
 * halts the node (against its own log, which only its own key signs) is
 * always kept: its sizes make the floor of a resolution
 * (seen_xlog_resolve).
 * Returns 0 (kept, or dropped); SEEN_ENOMEM (logged); SEEN_EINVAL when
 * the leaf breaks a rule (logged); SEEN_ECORRUPT; SEEN_EFULL, SEEN_ERR.
 * ${ev} is not retained.
 */
int
seen_xlog_state_put_evidence(struct seen_txn *txn, const struct seen_keys *k,
    const uint8_t origin[static 32], const Seen__XLogEvidence *ev, int halt)
{
    uint8_t key[65], *enc;
    const uint8_t *old;
    size_t n, olen;
    int rc;

    n = seen__xlog_evidence__get_packed_size(ev);
    if ((enc = malloc(n ? n : 1)) == NULL) {
        seen_errorp("exchange log: cannot encode evidence");
        return SEEN_ENOMEM;
    }
    if (seen__xlog_evidence__pack(ev, enc) != n) {
        rc = SEEN_ERR;
        goto done;
    }
    key[0] = SEEN_XSTATE_EVIDENCE;
    memcpy(key + 1, origin, 32);
    crypto_hash_sha256(key + 33, enc, n);
    if (!halt && (rc = evidence_room(txn, key)) != 1) {
        if (rc == 0)
            seen_space_drop(txn, SEEN_SPACE_DROP_EVIDENCE);
        goto done;
    }
    rc = seen_xlog_state_kget(txn, key, sizeof key, &old, &olen);
    if (rc == SEEN_ENOTFOUND &&
        ((rc = seen_store_put(txn, SEEN_DB_XSTATE, key, sizeof key, enc,
              n)) != 0 ||
            (rc = seen_xlog_append(txn, k, SEEN__XLOG_KIND__XLOG_EVIDENCE,
                 origin, enc, n, seen_clock_wall(), NULL)) != 0))
        goto done;
    if (rc != 0)
        goto done;
    if (halt && (rc = seen_xlog_halted(txn)) == 0)
        rc = seen_xlog_state_put(txn, SEEN_XSTATE_HALT, enc, n);
    else if (rc == 1)
        rc = SEEN_OK;
done:
    free(enc);
    return rc;
}
