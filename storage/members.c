#include <string.h>

#include "common/log.h"
#include "storage/members.h"
#include "storage/store.h"

#define K_CURRENT "current"
#define K_AUTHORITY "authority"

/**
 * seen_members_current(txn, doc, len):
 * Look up the current membership document: *${doc} (*${len} bytes) is
 * borrowed until the end of ${txn} or its next write.
 * Returns 0; SEEN_ENOTFOUND when none is installed; SEEN_ERR.
 */
int
seen_members_current(struct seen_txn *txn, const uint8_t **doc, size_t *len)
{
    const void *v;
    int rc;

    if ((rc = seen_store_get(txn, SEEN_DB_MEMBERSHIP, K_CURRENT,
             strlen(K_CURRENT), &v, len)) != 0)
        return rc;
    *doc = v;
    return 0;
}

/**
 * seen_members_set_current(txn, doc, len):
 * Store the ${len} bytes ${doc} as the current membership document inside
 * the write transaction ${txn}, replacing the one before.
 * Returns 0; SEEN_EFULL; SEEN_ERR.
 */
int
seen_members_set_current(struct seen_txn *txn, const uint8_t *doc,
    size_t len)
{

    return seen_store_put(txn, SEEN_DB_MEMBERSHIP, K_CURRENT,
        strlen(K_CURRENT), doc, len);
}

/**
 * seen_members_authority(txn, pk):
 * Write the pinned federation authority's key to ${pk}.
 * Returns 0; SEEN_ENOTFOUND when none is pinned; SEEN_ECORRUPT when the
 * stored value is not 32 bytes; SEEN_ERR.
 */
int
seen_members_authority(struct seen_txn *txn, uint8_t pk[static 32])
{
    const void *v;
    size_t vlen;
    int rc;

    if ((rc = seen_store_get(txn, SEEN_DB_MEMBERSHIP, K_AUTHORITY,
             strlen(K_AUTHORITY), &v, &vlen)) != 0)
        return rc;
    if (vlen != 32) {
        seen_error("store: the pinned federation authority is %zu bytes, "
                  "not 32",
            vlen);
        return SEEN_ECORRUPT;
    }
    memcpy(pk, v, 32);
    return 0;
}

/**
 * seen_members_pin_authority(txn, pk):
 * Store ${pk} as the federation authority's key inside the write
 * transaction ${txn}.  Returns 0; SEEN_EFULL; SEEN_ERR.
 */
int
seen_members_pin_authority(struct seen_txn *txn, const uint8_t pk[static 32])
{

    return seen_store_put(txn, SEEN_DB_MEMBERSHIP, K_AUTHORITY,
        strlen(K_AUTHORITY), pk, 32);
}
