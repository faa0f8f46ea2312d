/*
 * testutil.h: helpers shared by the Check suites.
 */
#ifndef SEEN_TESTUTIL_H
#define SEEN_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "storage/store.h"

struct seen_indexer;
struct seen_index_stats;

/**
 * tu_tmpdir(buf, len):
 * Create a fresh private directory under $TMPDIR (or /tmp) and write its
 * path to ${buf}.  Returns ${buf}; aborts the test on failure.
 */
char *tu_tmpdir(char *buf, size_t len);

/**
 * tu_rmrf(path):
 * Remove ${path} and everything below it.  Returns 0 or -1.
 */
int tu_rmrf(const char *path);

/* A store's place in a new temporary directory, and random keys for it:
 * a suite's fixture. */
struct tu_store {
    char base[1024];            /* the temporary directory */
    char dir[2048];             /* the store's directory in it */
    uint8_t node_id[32];
    uint8_t record_key[32];
};

/**
 * tu_store_setup(ts):
 * Make the temporary directory of ${ts} and draw its keys; no store is
 * made yet.  Aborts the test on failure.
 */
void tu_store_setup(struct tu_store *ts);

/**
 * tu_store_open(ts, map_mb, create):
 * Open (with ${create}: make) the store of ${ts} with a map of ${map_mb}
 * MiB; fails the test when it cannot.  The caller destroys it.
 */
struct seen_store *tu_store_open(const struct tu_store *ts, size_t map_mb,
    int create);

/**
 * tu_store_teardown(ts):
 * Remove the temporary directory of ${ts} and all in it.
 */
void tu_store_teardown(struct tu_store *ts);

/* The store place of the fixture below (one test runs at a time). */
extern struct tu_store tu_fixture;

/**
 * tu_fixture_setup(), tu_fixture_teardown():
 * A Check fixture: tu_store_setup and tu_store_teardown of tu_fixture.
 */
void tu_fixture_setup(void);
void tu_fixture_teardown(void);

/**
 * tu_slurp(path, len):
 * Return the whole of file ${path} (malloc'd, with room for a NUL after
 * it) and its size in *${len}; fails the test when it cannot be read.
 */
uint8_t *tu_slurp(const char *path, size_t *len);

/**
 * tu_begin(store, write):
 * Begin a transaction of ${store} (a write transaction when ${write});
 * fails the test when it cannot.
 */
struct seen_txn *tu_begin(struct seen_store *store, int write);

/**
 * tu_count(store, db):
 * Return the number of items in table ${db} of ${store}, read in a
 * transaction of its own.
 */
uint64_t tu_count(struct seen_store *store, enum seen_db db);

/**
 * tu_apply(ix, txn, line, now, st):
 * Parse the import line ${line} (which must parse) and apply it with
 * ${ix} in ${txn} at time ${now}, adding to ${st}; return the indexer's
 * code.
 */
int tu_apply(struct seen_indexer *ix, struct seen_txn *txn, const char *line,
    uint64_t now, struct seen_index_stats *st);

/**
 * tu_data(rel, buf, len):
 * Write the path of ${rel} under the repository's tests/data/ folder to
 * ${buf} (${len} bytes); return ${buf}.
 */
char *tu_data(const char *rel, char *buf, size_t len);

#endif
