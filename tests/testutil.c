#include <sys/stat.h>

#include <check.h>
#include <errno.h>
#include <sodium.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node/matching/indexer.h"
#include "proto/record.h"
#include "tests/testutil.h"

/**
 * tu_tmpdir(buf, len):
 * Create a fresh private directory under $TMPDIR (or /tmp) and write its
 * path to ${buf}.  Returns ${buf}; aborts the test on failure.
 */
char *
tu_tmpdir(char *buf, size_t len)
{
    const char *t = getenv("TMPDIR");

    snprintf(buf, len, "%s/seen-test-XXXXXX", t ? t : "/tmp");
    if (mkdtemp(buf) == NULL) {
        perror("mkdtemp");
        abort();
    }
    return buf;
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{

    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/**
 * tu_rmrf(path):
 * Remove ${path} and everything below it.  Returns 0 or -1.
 */
int
tu_rmrf(const char *path)
{

    return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/**
 * tu_store_setup(ts):
 * Make the temporary directory of ${ts} and draw its keys; no store is
 * made yet.  Aborts the test on failure.
 */
void
tu_store_setup(struct tu_store *ts)
{

    tu_tmpdir(ts->base, sizeof ts->base);
    snprintf(ts->dir, sizeof ts->dir, "%s/store", ts->base);
    randombytes_buf(ts->node_id, sizeof ts->node_id);
    randombytes_buf(ts->record_key, sizeof ts->record_key);
}

/**
 * tu_store_open(ts, map_mb, create):
 * Open (with ${create}: make) the store of ${ts} with a map of ${map_mb}
 * MiB; fails the test when it cannot.  The caller destroys it.
 */
struct seen_store *
tu_store_open(const struct tu_store *ts, size_t map_mb, int create)
{
    struct seen_store *s = NULL;

    ck_assert_int_eq(seen_store_open(ts->dir, ts->node_id, ts->record_key,
                         map_mb, create, &s),
        SEEN_OK);
    ck_assert_ptr_nonnull(s);
    return s;
}

/**
 * tu_store_teardown(ts):
 * Remove the temporary directory of ${ts} and all in it.
 */
void
tu_store_teardown(struct tu_store *ts)
{

    tu_rmrf(ts->base);
}

struct tu_store tu_fixture;

/**
 * tu_fixture_setup(), tu_fixture_teardown():
 * A Check fixture: tu_store_setup and tu_store_teardown of tu_fixture.
 */
void
tu_fixture_setup(void)
{

    tu_store_setup(&tu_fixture);
}

void
tu_fixture_teardown(void)
{

    tu_store_teardown(&tu_fixture);
}

/**
 * tu_slurp(path, len):
 * Return the whole of file ${path} (malloc'd, with room for a NUL after
 * it) and its size in *${len}; fails the test when it cannot be read.
 */
uint8_t *
tu_slurp(const char *path, size_t *len)
{
    struct stat sb;
    uint8_t *buf;
    FILE *f;

    ck_assert_msg(stat(path, &sb) == 0, "stat %s: %s", path, strerror(errno));
    ck_assert_ptr_nonnull(buf = malloc((size_t)sb.st_size + 1));
    ck_assert_ptr_nonnull(f = fopen(path, "rb"));
    ck_assert_uint_eq(fread(buf, 1, (size_t)sb.st_size, f), (size_t)sb.st_size);
    fclose(f);
    *len = (size_t)sb.st_size;
    return buf;
}

/**
 * tu_begin(store, write):
 * Begin a transaction of ${store} (a write transaction when ${write});
 * fails the test when it cannot.
 */
struct seen_txn *
tu_begin(struct seen_store *store, int write)
{
    struct seen_txn *t = NULL;

    ck_assert_int_eq(seen_store_begin(store, write, &t), SEEN_OK);
    ck_assert_ptr_nonnull(t);
    return t;
}

/**
 * tu_count(store, db):
 * Return the number of items in table ${db} of ${store}, read in a
 * transaction of its own.
 */
uint64_t
tu_count(struct seen_store *store, enum seen_db db)
{
    struct seen_txn *t = tu_begin(store, 0);
    uint64_t n;

    ck_assert_int_eq(seen_store_count(t, db, &n), SEEN_OK);
    seen_store_abort(t);
    return n;
}

/**
 * tu_apply(ix, txn, line, now, st):
 * Parse the import line ${line} (which must parse) and apply it with
 * ${ix} in ${txn} at time ${now}, adding to ${st}; return the indexer's
 * code.
 */
int
tu_apply(struct seen_indexer *ix, struct seen_txn *txn, const char *line,
    uint64_t now, struct seen_index_stats *st)
{
    struct seen_record *r = NULL;
    int rc;

    ck_assert_msg(seen_record_parse(line, strlen(line), &r, NULL, NULL) == 0,
        "import line rejected: %s", line);
    rc = seen_indexer_apply(ix, txn, r, now, st);
    seen_record_destroy(&r);
    return rc;
}

/**
 * tu_data(rel, buf, len):
 * Write the path of ${rel} under the repository's tests/data/ folder to
 * ${buf} (${len} bytes); return ${buf}.
 */
char *
tu_data(const char *rel, char *buf, size_t len)
{

    snprintf(buf, len, "%s/tests/data/%s", SEEN_SOURCE_DIR, rel);
    return buf;
}
