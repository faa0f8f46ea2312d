/*
 * migrate.c: a store of an older format brought up to SEEN_STORE_FORMAT
 * when it is opened (store_impl.h).
 */
#include <stdint.h>
#include <stdlib.h>
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

#define MOVE_CHUNK 65536 /* links or group members a transaction moves */

/* Move up to MOVE_CHUNK items of the format-6 table ${from} (keys of
 * ${klen} bytes, values of ${vlen}) into the DUPSORT table ${to}, the
 * key's first ${head} bytes as the key and the rest of it and the value
 * as the value: a link A(20) B(20) -> weight(8) as A -> B weight
 * (node/matching/links.c), a group member group(16) entry(20) -> "" as
 * group -> entry (node/matching/persons.c); their number to *${n}.
 * Returns 0 or the store's code. */
static int
move_some(struct seen_txn *t, enum seen_db from, enum seen_db to,
    size_t klen, size_t vlen, size_t head, uint64_t *n)
{
    uint8_t v[64], *recs, *at;
    size_t i, got;
    int rc;

    *n = 0;
    if ((rc = seen_store_dups_take(t, from, MOVE_CHUNK, klen, vlen, &recs,
             &got)) != 0)
        return rc;
    for (i = 0; rc == 0 && i < got; i++) {
        at = recs + i * (klen + vlen);
        memcpy(v, at + head, klen - head);
        memcpy(v + klen - head, at + klen, vlen);
        rc = seen_store_put(t, to, at, head, v, klen - head + vlen);
    }
    free(recs);
    *n = got;
    return rc;
}

/* Before format 7: move the token index's older levels into blocks
 * (${from} 3 on), then the links and the groups into their duplicates,
 * a chunk a transaction, each committed, so that the pages one frees
 * serve the next and a store that is nearly full still migrates; the
 * postings and links moved added to *${postings}, *${links}.  A
 * migration cut short goes on from where it was on the next open.
 * Returns 0 or the store's code (logged). */
static int
migrate_moves(struct seen_store *s, uint32_t from, uint64_t *postings,
    uint64_t *links)
{
    struct seen_txn *t;
    uint64_t n;
    int rc = SEEN_OK, what;

    for (;;) {
        if ((rc = seen_store_begin(s, 1, &t)) != 0)
            return rc;
        n = 0;
        what = 0;
        if (from >= 3)
            rc = seen_index_migrate_blocks(t, SEEN_INDEX_MOVE_MAX, &n);
        if (rc == 0 && n == 0) {
            what = 1;
            rc = move_some(t, SEEN_DB_LINKS6, SEEN_DB_LINKS, 40, 8, 20, &n);
        }
        if (rc == 0 && n == 0) {
            what = 2;
            rc = move_some(t, SEEN_DB_GROUPS6, SEEN_DB_GROUPS, 36, 0, 16, &n);
        }
        if (rc == 0 && n == 0) {
            seen_store_abort(t);
            return SEEN_OK;
        }
        if (rc != 0)
            seen_store_abort(t);
        else
            rc = seen_store_commit(t);
        if (rc != 0) {
            seen_error("store '%s': cannot migrate from format %u: %s; "
                       "nothing is lost: give the store room and start the "
                       "node again, which goes on from there",
                seen_store_path(s), from, seen_strerror(rc));
            return rc;
        }
        if (what == 0)
            *postings += n;
        else if (what == 1)
            *links += n;
    }
}

/* Bring the tables of formats 3 to 7 up to date, the moves of format 7
 * first (migrate_moves), then in one write transaction that writes
 * SEEN_STORE_FORMAT: before format 3 (${from} < 3), index
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

    if ((rc = migrate_moves(s, from, &moved, &links)) != 0)
        return rc;
    if ((rc = seen_store_begin(s, 1, &t)) != 0)
        return rc;
    if ((from < 3 && (rc = seen_index_rebuild(t, &postings)) != 0) ||
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
 * format 6's LMDB duplicates, and the links and groups as duplicates
 * under their first key, where format 6 kept one item each; they are
 * moved a chunk a transaction (migrate_moves), so that a nearly full
 * store has room for them.  A migration cut short is done again on the
 * next open, each step leaving alone what is done (the index is emptied
 * before it is made again; a key of SEEN_DB_RETAIN is put once; what was
 * moved is no longer in the table it is moved from).
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
