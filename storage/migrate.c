/*
 * migrate.c: a store of an older format brought up to SEEN_STORE_FORMAT
 * when it is opened (store_impl.h).
 */
#include <stdint.h>

#include "common/log.h"
#include "storage/mlog.h"
#include "storage/store.h"
#include "storage/store_impl.h"

/* Rewrite the hashes of ${db}, named ${name}, as tiles (storage/mlog.h) in
 * one write transaction, writing SEEN_STORE_FORMAT to META in it when
 * ${last}. */
static int
migrate_hashes(struct seen_store *s, enum seen_db db, const char *name,
    int last, uint32_t from)
{
    struct seen_txn *t;
    uint64_t moved;
    int rc;

    if ((rc = seen_store_begin(s, 1, &t)) != 0)
        return rc;
    if ((rc = seen_mlog_migrate(t, db, &moved)) != 0 ||
        (last && (rc = store_put_format(t)) != 0)) {
        seen_store_abort(t);
        seen_error("store '%s': cannot migrate %s from format %u: %s",
            seen_store_path(s), name, from, seen_strerror(rc));
        return rc;
    }
    if ((rc = seen_store_commit(t)) != 0)
        return rc;
    seen_info("store '%s': %s migrated from format %u to %d (%llu hashes "
              "rewritten as tiles)",
        seen_store_path(s), name, from, SEEN_STORE_FORMAT,
        (unsigned long long)moved);
    return SEEN_OK;
}

/**
 * store_migrate(s, from):
 * Bring the store ${s}, just opened, of format ${from} up to
 * SEEN_STORE_FORMAT (migrate.c).  Returns 0 or the store's code (logged).
 *
 * One write transaction per table, the format written with the last:
 * format 2 keeps the Merkle hashes of the feeds and of the exchange log
 * by tile (storage/mlog.h).  A migration cut short is done again on the
 * next open, each step leaving alone what is done.
 */
int
store_migrate(struct seen_store *s, uint32_t from)
{
    int rc;

    if ((rc = migrate_hashes(s, SEEN_DB_FHASH, "fhash", 0, from)) != 0)
        return rc;
    return migrate_hashes(s, SEEN_DB_XHASH, "xhash", 1, from);
}
