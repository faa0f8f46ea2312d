/*
 * members.h: the membership table (SEEN_DB_MEMBERSHIP), whose key layout
 * this file alone knows:
 *
 *     "current"   -> the newest membership document installed, as the
 *                    Membership bytes that verified
 *     "authority" -> the federation authority's Ed25519 key (32 bytes),
 *                    pinned by the first document installed
 *
 * Whether a document verifies is the caller's to check (proto/
 * membership.h); this file only keeps the bytes.
 */
#ifndef SEEN_MEMBERS_H
#define SEEN_MEMBERS_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"

struct seen_txn;

/**
 * seen_members_current(txn, doc, len):
 * Look up the current membership document: *${doc} (*${len} bytes) is
 * borrowed until the end of ${txn} or its next write.
 * Returns 0; SEEN_ENOTFOUND when none is installed; SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_members_current(struct seen_txn *txn,
    const uint8_t **doc, size_t *len);

/**
 * seen_members_set_current(txn, doc, len):
 * Store the ${len} bytes ${doc} as the current membership document inside
 * the write transaction ${txn}, replacing the one before.
 * Returns 0; SEEN_EFULL; SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_members_set_current(struct seen_txn *txn,
    const uint8_t *doc, size_t len);

/**
 * seen_members_authority(txn, pk):
 * Write the pinned federation authority's key to ${pk}.
 * Returns 0; SEEN_ENOTFOUND when none is pinned; SEEN_ECORRUPT when the
 * stored value is not 32 bytes; SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_members_authority(struct seen_txn *txn,
    uint8_t pk[static 32]);

/**
 * seen_members_pin_authority(txn, pk):
 * Store ${pk} as the federation authority's key inside the write
 * transaction ${txn}.  Returns 0; SEEN_EFULL; SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_members_pin_authority(struct seen_txn *txn,
    const uint8_t pk[static 32]);

#endif /* !SEEN_MEMBERS_H */
