/*
 * migrate.c: a store of an older format brought up to SEEN_STORE_FORMAT
 * when it is opened (store_impl.h).
 */
#include <stdint.h>
#include <string.h>

#include "common/log.h"
#include "storage/index.h"
#include "storage/mlog.h"
#include "storage/retain.h"
#include "storage/store.h"
#include "storage/store_impl.h"

/* Rewrite the hashes of ${db}, named ${name}, as tiles (storage/mlog.h) in
 * one write transaction. */
static int
migrate_hashes(struct seen_store *s, enum seen_db db, const char *name,
    uint32_t from)
{
    struct seen_txn *t;
    uint64_t moved;
    int rc;

    if ((rc = seen_store_begin(s, 1, &t)) != 0)
        return rc;
    if ((rc = seen_mlog_migrate(t, db, &moved)) != 0) {
        seen_store_abort(t);
        seen_error("store '%s': cannot migrate %s from format %u: %s",
            seen_store_path(s), name, from, seen_strerror(rc));
        return rc;
    }
    if ((rc = seen_store_commit(t)) != 0)
        return rc;
    seen_info("store '%s': %s migrated from format %u to 2 (%llu hashes "
              "rewritten as tiles)",
        seen_store_path(s), name, from, (unsigned long long)moved);
    return SEEN_OK;
}

/* Put the link of format 6 at ${key}, ${val} (A(20) B(20) -> weight(8)) in
 * format 7's SEEN_DB_LINKS (A(20) -> B(20) weight(8), dupfixed:
 * node/matching/links.c), counting it in the uint64_t at ${ctx} (a
 * seen_store_iter_fn over SEEN_DB_LINKS6). */
static int
link_moved(void *ctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{
    struct seen_txn **t = ctx;
    uint8_t v[28];

    if (klen != 40 || vlen != 8)
        return SEEN_ECORRUPT;
    memcpy(v, (const uint8_t *)key + 20, 20);
    memcpy(v + 20, val, 8);
    return seen_store_put(*t, SEEN_DB_LINKS, key, 20, v, sizeof v);
}

/* Put the group member of format 6 at ${key} (group(16) entry(20) -> "")
 * in format 7's SEEN_DB_GROUPS (group(16) -> entry(20), dupfixed:
 * node/matching/persons.c) (a seen_store_iter_fn over SEEN_DB_GROUPS6,
 * ${ctx} the transaction). */
static int
member_moved(void *ctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{
    struct seen_txn **t = ctx;

    (void)val;
    if (klen != 36 || vlen != 0)
        return SEEN_ECORRUPT;
    return seen_store_put(
        *t, SEEN_DB_GROUPS, key, 16, (const uint8_t *)key + 16, 20);
}

/* Move the links of format 6 (SEEN_DB_LINKS6) into SEEN_DB_LINKS, each
 * once, and the group members (SEEN_DB_GROUPS6) into SEEN_DB_GROUPS, and
 * empty them; the number of links added to *${moved}.  Returns 0 or the
 * store's code. */
static int
migrate_links(struct seen_txn *t, uint64_t *moved)
{
    uint64_t n;
    int rc;

    if ((rc = seen_store_count(t, SEEN_DB_GROUPS6, &n)) != 0 ||
        (n > 0 && ((rc = seen_store_iter(t, SEEN_DB_GROUPS6, NULL, 0,
                        member_moved, &t)) != 0 ||
                      (rc = seen_store_clear(t, SEEN_DB_GROUPS6)) != 0)))
        return rc;
    if ((rc = seen_store_count(t, SEEN_DB_LINKS6, &n)) != 0 || n == 0 ||
        (rc = seen_store_iter(t, SEEN_DB_LINKS6, NULL, 0, link_moved, &t)) != 0)
        return rc;
    *moved += n;
    return seen_store_clear(t, SEEN_DB_LINKS6);
}

/* Bring the tables of formats 3 to 7 up to date in one write transaction
 * that writes SEEN_STORE_FORMAT: before format 3 (${from} < 3), index
 * every live entry again (storage/index.h), into format 7's blocks;
 * before format 4, put the key of every live entry with an expiry
 * (storage/retain.h); format 5 only adds a way to store a leaf of the
 * exchange log (packed, storage/mlog.h) and format 6 the token index's
 * young levels (its whole index before is the oldest level); before
 * format 7 (from 3 on), move the postings of the levels after the first
 * into blocks (storage/blocks.h), and keep the links by their first end
 * and the groups' members as duplicates (node/matching/links.c,
 * persons.c). */
static int
migrate_entries(struct seen_store *s, uint32_t from)
{
    struct seen_txn *t;
    uint64_t postings = 0, held = 0, moved = 0, links = 0;
    int rc;

    if ((rc = seen_store_begin(s, 1, &t)) != 0)
        return rc;
    if ((from < 3 && (rc = seen_index_rebuild(t, &postings)) != 0) ||
        (from >= 3 && from < 7 &&
            (rc = seen_index_migrate_blocks(t, &moved)) != 0) ||
        (from < 7 && (rc = migrate_links(t, &links)) != 0) ||
        (from < 4 && (rc = seen_retain_fill(t, &held)) != 0) ||
        (rc = store_put_format(t)) != 0) {
        seen_store_abort(t);
        seen_error("store '%s': cannot migrate the index from format %u: %s",
            seen_store_path(s), from, seen_strerror(rc));
        return rc;
    }
    if ((rc = seen_store_commit(t)) != 0)
        return rc;
    if (from < 3)
        seen_info("store '%s': index migrated from format %u to 3 (%llu "
                  "postings written)",
            seen_store_path(s), from, (unsigned long long)postings);
    else if (from < 7)
        seen_info("store '%s': token index moved into blocks (%llu "
                  "postings)",
            seen_store_path(s), (unsigned long long)moved);
    if (from < 7)
        seen_info("store '%s': %llu links kept by their first end",
            seen_store_path(s), (unsigned long long)links);
    if (from < 4)
        seen_info("store '%s': migrated from format %u to %d (%llu held "
                  "entries with an expiry)",
            seen_store_path(s), from, SEEN_STORE_FORMAT,
            (unsigned long long)held);
    else
        seen_info("store '%s': migrated from format %u to %d",
            seen_store_path(s), from, SEEN_STORE_FORMAT);
    return SEEN_OK;
}

/**
 * store_migrate(s, from):
 * Bring the store ${s}, just opened, of format ${from} up to
 * SEEN_STORE_FORMAT (migrate.c).  Returns 0 or the store's code (logged).
 *
 * One write transaction per table, the format written with the last:
 * format 2 keeps the Merkle hashes of the feeds and of the exchange log
 * by tile (storage/mlog.h); format 3 keys the token index by the token's
 * first 8 bytes and points it at leaves (storage/index.h), and is made
 * by indexing every live entry again; format 4 keeps the held entries
 * with an expiry by day (storage/retain.h), put from the live entries in
 * the same transaction; format 5 may store an ENTRIES leaf of the
 * exchange log packed (storage/mlog.h), which a build of format 4 could
 * not read, and rewrites nothing; format 6 keeps new postings in young
 * levels of the token index (storage/index.h), which a build of format 5
 * would not read, and rewrites nothing either; format 7 keeps the levels
 * after the first in sorted blocks (storage/blocks.h), moved there from
 * format 6's LMDB duplicates, and the links as duplicates under their
 * first end, where format 6 kept one item a link.  A migration cut short is done again on the
 * next open, each step leaving alone what is done (the index is emptied
 * before it is made again; a key of SEEN_DB_RETAIN is put once; the
 * postings are moved in the one transaction that writes the format).
 */
int
store_migrate(struct seen_store *s, uint32_t from)
{
    int rc;

    if (from < 2 &&
        ((rc = migrate_hashes(s, SEEN_DB_FHASH, "fhash", from)) != 0 ||
            (rc = migrate_hashes(s, SEEN_DB_XHASH, "xhash", from)) != 0))
        return rc;
    return migrate_entries(s, from);
}
