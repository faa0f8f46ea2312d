/*
 * state.h: the records of the exchange log's state (SEEN_DB_XSTATE, laid
 * out in xlog/xlog.h) that more than one file of xlog/ reads or writes:
 * their keys, checkpoints stored under a key, the largest size the node
 * knows it signed, and evidence.  Internal to xlog/: callers use
 * xlog/xlog.h.
 */
#ifndef SEEN_XLOG_STATE_H
#define SEEN_XLOG_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"
#include "seen.pb-c.h"

struct seen_keys;
struct seen_txn;

/* Keys of single records (xlog.h). */
#define SEEN_XSTATE_SIZE "size"
#define SEEN_XSTATE_SIGNED "signed"
#define SEEN_XSTATE_HALT "halt"
#define SEEN_XSTATE_FLOOR "floor"
#define SEEN_XSTATE_RESTORED "restored" /* the last restore: XLogResolution */

/* Prefixes of keyed records (xlog.h). */
#define SEEN_XSTATE_OWN 'C'
#define SEEN_XSTATE_COSIG 'W'
#define SEEN_XSTATE_HELD 'H'
#define SEEN_XSTATE_PENDING 'P'
#define SEEN_XSTATE_EVIDENCE 'E'
#define SEEN_XSTATE_RESOLVED 'R'

/* The length of a peer key, and of an own-checkpoint or cosignature key. */
#define SEEN_XSTATE_PEER_KEY 33
#define SEEN_XSTATE_OWN_KEY 17
#define SEEN_XSTATE_COSIG_KEY 49

/**
 * seen_xlog_state_peer_key(k, prefix, origin):
 * Write the key of a peer's held or pending checkpoint, ${prefix}
 * origin(32), to ${k}.
 */
void seen_xlog_state_peer_key(uint8_t k[static SEEN_XSTATE_PEER_KEY],
    int prefix, const uint8_t origin[static 32]);

/**
 * seen_xlog_state_own_key(k, prefix, size, time, pk):
 * Write the key of an own checkpoint, ${prefix} size(8) time(8)
 * (SEEN_XSTATE_OWN_KEY bytes), or with ${pk} not NULL of a cosignature,
 * followed by the witness ${pk}(32) (SEEN_XSTATE_COSIG_KEY bytes), to
 * ${k}.
 */
void seen_xlog_state_own_key(uint8_t k[static SEEN_XSTATE_COSIG_KEY],
    int prefix, uint64_t size, uint64_t time, const uint8_t *pk);

/**
 * seen_xlog_state_resolved_key(k, time, floor):
 * Write the key of a resolution, SEEN_XSTATE_RESOLVED time(8) floor(8)
 * (SEEN_XSTATE_OWN_KEY bytes), to ${k}.
 */
void seen_xlog_state_resolved_key(uint8_t k[static SEEN_XSTATE_OWN_KEY],
    uint64_t time, uint64_t floor);

/**
 * seen_xlog_state_kget(txn, key, klen, v, len), seen_xlog_state_kput(txn,
 *     key, klen, v, len), seen_xlog_state_kdel(txn, key, klen):
 * As seen_xlog_state_get, _put and _del for a record under the ${klen}
 * bytes ${key} (one of the keys made above).
 */
SEEN_MUST_CHECK int seen_xlog_state_kget(struct seen_txn *txn,
    const void *key, size_t klen, const uint8_t **v, size_t *len);
SEEN_MUST_CHECK int seen_xlog_state_kput(struct seen_txn *txn,
    const void *key, size_t klen, const void *v, size_t len);
SEEN_MUST_CHECK int seen_xlog_state_kdel(struct seen_txn *txn,
    const void *key, size_t klen);

/*
 * seen_xlog_state_fn(ctx, key, klen, v, len): one record; return 0 to go
 * on, 1 to stop, a negative code to fail.
 */
typedef int seen_xlog_state_fn(void *ctx, const void *key, size_t klen,
    const void *v, size_t len);

/**
 * seen_xlog_state_each(txn, prefix, plen, fn, ctx):
 * Call ${fn} for every record whose key starts with the ${plen} bytes
 * ${prefix}, in key order.  Returns 0; ${fn}'s negative code;
 * SEEN_ECORRUPT.
 */
SEEN_MUST_CHECK int seen_xlog_state_each(struct seen_txn *txn,
    const void *prefix, size_t plen, seen_xlog_state_fn *fn, void *ctx);

/**
 * seen_xlog_state_get(txn, name, v, len):
 * Look up the record named ${name} (SEEN_XSTATE_SIGNED, _HALT, _FLOOR):
 * *${v} (*${len} bytes) is borrowed until the end of ${txn} or its next
 * write.
 * Returns 0; SEEN_ENOTFOUND when there is none; SEEN_ECORRUPT.
 */
SEEN_MUST_CHECK int seen_xlog_state_get(struct seen_txn *txn,
    const char *name, const uint8_t **v, size_t *len);

/**
 * seen_xlog_state_put(txn, name, v, len):
 * Store ${v} (${len} bytes, copied) as the record named ${name}, inside
 * the write transaction ${txn}.
 * Returns 0; SEEN_EFULL, SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_xlog_state_put(struct seen_txn *txn,
    const char *name, const void *v, size_t len);

/**
 * seen_xlog_state_del(txn, name):
 * Delete the record named ${name}, inside the write transaction ${txn}.
 * Returns 0; SEEN_ENOTFOUND when there is none; SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_xlog_state_del(struct seen_txn *txn,
    const char *name);

/**
 * seen_xlog_state_load_cp(txn, key, klen, out):
 * Decode the checkpoint stored under ${key} (${klen} bytes).
 * [out] ${out}: the checkpoint, released with seen_checkpoint_destroy();
 * NULL on error.
 * Returns 0; SEEN_ENOTFOUND when none is stored; SEEN_ECORRUPT when it
 * does not decode (logged).
 */
SEEN_MUST_CHECK int seen_xlog_state_load_cp(struct seen_txn *txn,
    const void *key, size_t klen, Seen__Checkpoint **out);

/**
 * seen_xlog_state_put_cp(txn, key, klen, c):
 * Encode the checkpoint ${c} and store it under ${key} (${klen} bytes).
 * Returns 0; SEEN_EINVAL, SEEN_ENOMEM from the encoder; SEEN_EFULL,
 * SEEN_ERR.  ${c} is not retained.
 */
SEEN_MUST_CHECK int seen_xlog_state_put_cp(struct seen_txn *txn,
    const void *key, size_t klen, const Seen__Checkpoint *c);

/**
 * seen_xlog_state_signed(txn, out):
 * Decode the largest checkpoint of its own log the node knows it signed
 * (SEEN_XSTATE_SIGNED), as seen_xlog_state_load_cp().
 * Returns 0; SEEN_ENOTFOUND when none; SEEN_ECORRUPT (logged).
 */
SEEN_MUST_CHECK int seen_xlog_state_signed(
    struct seen_txn *txn, Seen__Checkpoint **out);

/**
 * seen_xlog_state_own_at(txn, size, cp, len):
 * Look up the first (earliest) checkpoint of size ${size} of the node's
 * own log that it knows it signed: *${cp} (*${len} bytes, encoded) is
 * borrowed until the end of ${txn} or its next write.
 * Returns 0; SEEN_ENOTFOUND when none; SEEN_ECORRUPT.
 */
SEEN_MUST_CHECK int seen_xlog_state_own_at(struct seen_txn *txn,
    uint64_t size, const uint8_t **cp, size_t *len);

/**
 * seen_xlog_state_signed_size(txn, size):
 * Write the size of the largest checkpoint of its own log the node knows
 * it signed to *${size} (0 for none).
 * Returns 0; SEEN_ECORRUPT.
 */
SEEN_MUST_CHECK int seen_xlog_state_signed_size(
    struct seen_txn *txn, uint64_t *size);

/* Pieces of evidence kept per origin (seen_xlog_state_put_evidence). */
#define SEEN_XSTATE_EVIDENCE_MAX 16

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
SEEN_MUST_CHECK int seen_xlog_state_put_evidence(struct seen_txn *txn,
    const struct seen_keys *k, const uint8_t origin[static 32],
    const Seen__XLogEvidence *ev, int halt);

#endif /* !SEEN_XLOG_STATE_H */
