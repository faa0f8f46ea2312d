/*
 * check_space.c: the store's room (storage/space.[ch]): a map that grows
 * by itself up to its limit, the reserve kept for the exchange log, what
 * a full map or a full disk refuses and what it keeps, against real LMDB
 * files; and the bounds on the evidence a member can make a node keep
 * (storage/alerts.h, xlog/state.h).  The replay cache's bound is
 * check_envelope.c's.  The maps are tiny (1 MiB growing to 8) so that they fill on
 * purpose in a fraction of a second.
 */
#include <sys/stat.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/seen.h"
#include "crypto/keys.h"
#include "storage/alerts.h"
#include "storage/space.h"
#include "storage/store.h"
#include "tests/suites.h"
#include "tests/testutil.h"
#include "xlog/signing.h"
#include "xlog/state.h"
#include "seen.pb-c.h"

#define VAL_BYTES 2000 /* one value written */
#define BATCH 10       /* values a transaction */

static struct seen_store *
open_store(size_t map_mb, size_t limit_mb, int create)
{
    struct seen_store *s = tu_store_open(&tu_fixture, map_mb, create);

    if (limit_mb != 0)
        ck_assert_int_eq(seen_space_limit(s, limit_mb), SEEN_OK);
    return s;
}

/* The room of ${s}, read in a transaction of its own. */
static struct seen_space
space_of(struct seen_store *s)
{
    struct seen_space sp;
    struct seen_txn *t = tu_begin(s, 0);

    ck_assert_int_eq(seen_space_get(t, &sp), SEEN_OK);
    seen_store_abort(t);
    return sp;
}

/* Value number ${i}: VAL_BYTES bytes that say which it is. */
static void
value_of(int i, uint8_t v[VAL_BYTES])
{

    memset(v, i & 0xff, VAL_BYTES);
    memcpy(v, &i, sizeof i);
}

/* Write one transaction of BATCH values to ${db} of ${s}, numbered from
 * *${next}, which moves on when it commits.  Returns 0 or the code of the
 * put or commit that failed (the transaction ended). */
static int
write_batch(struct seen_store *s, enum seen_db db, int *next)
{
    uint8_t v[VAL_BYTES];
    struct seen_txn *t = tu_begin(s, 1);
    char key[32];
    int i, rc = 0;

    for (i = 0; i < BATCH && rc == 0; i++) {
        snprintf(key, sizeof key, "k%08d", *next + i);
        value_of(*next + i, v);
        rc = seen_store_put(t, db, key, strlen(key), v, sizeof v);
    }
    if (rc != 0) {
        seen_store_abort(t);
        return rc;
    }
    if ((rc = seen_store_commit(t)) == 0)
        *next += BATCH;
    return rc;
}

/* Check that ${db} of ${s} holds values 0 .. ${n}-1 as written, and
 * nothing more. */
static void
check_values(struct seen_store *s, enum seen_db db, int n)
{
    uint8_t want[VAL_BYTES];
    struct seen_txn *t = tu_begin(s, 0);
    const void *v;
    size_t vlen;
    uint64_t count;
    char key[32];
    int i;

    ck_assert_int_eq(seen_store_count(t, db, &count), SEEN_OK);
    ck_assert_uint_eq(count, (uint64_t)n);
    for (i = 0; i < n; i++) {
        snprintf(key, sizeof key, "k%08d", i);
        ck_assert_int_eq(seen_store_get(t, db, key, strlen(key), &v, &vlen),
            SEEN_OK);
        value_of(i, want);
        ck_assert_uint_eq(vlen, VAL_BYTES);
        ck_assert_int_eq(memcmp(v, want, VAL_BYTES), 0);
    }
    seen_store_abort(t);
}

/* Fill the content of ${s} (SEEN_DB_FEEDS) until it is refused as full,
 * letting the map grow between attempts; *${next} is what was committed. */
static void
fill_content(struct seen_store *s, int *next)
{
    struct seen_space sp;
    int tries, rc;

    for (tries = 0; tries < 5000; tries++) {
        if ((rc = write_batch(s, SEEN_DB_FEEDS, next)) == 0)
            continue;
        ck_assert_int_eq(rc, SEEN_EFULL);
        sp = space_of(s);
        if (sp.content_full)
            return;
    }
    ck_abort_msg("the content never filled the limit");
}

/* A map of 1 MiB with a limit of 8 grows, by itself, to 7.5 MiB (the
 * limit less its sixteenth kept for the log), then refuses content with
 * SEEN_EFULL, keeps every committed value readable, lets the exchange log
 * use the reserve, and takes content again once reopened with a larger
 * limit. */
START_TEST(test_map_grows_to_its_limit_then_refuses_content_only)
{
    struct seen_store *s = open_store(1, 8, 1);
    struct seen_space sp = space_of(s);
    struct seen_txn *t;
    char why[512];
    int next = 0, logged = 0;

    ck_assert_uint_eq(sp.map, 1u << 20);
    ck_assert_uint_eq(sp.limit, 8u << 20);
    ck_assert_uint_eq(sp.reserve, 512u << 10);
    ck_assert_int_eq(sp.state, SEEN_SPACE_OK);
    ck_assert_int_eq(seen_space_full(s), 0);

    fill_content(s, &next);
    ck_assert_int_eq(seen_space_full(s), 1);
    sp = space_of(s);
    /* 1 -> 2 -> 4 -> 7.5 MiB for content, then the reserve: 8 MiB. */
    ck_assert_uint_ge(sp.grown, 3);
    ck_assert_uint_eq(sp.map, 8u << 20);
    ck_assert_int_eq(sp.state, SEEN_SPACE_FULL);
    ck_assert_uint_eq(sp.left, 0);
    ck_assert_uint_gt(sp.log_left, 0);
    ck_assert_uint_gt(sp.refused, 0);
    ck_assert_uint_ge(sp.used, 6u << 20);
    ck_assert_ptr_nonnull(strstr(seen_space_describe(&sp, why, sizeof why),
        "raise map_limit_mb"));

    /* Content is refused at once, the exchange log is not. */
    ck_assert_int_eq(write_batch(s, SEEN_DB_FEEDS, &next), SEEN_EFULL);
    ck_assert_int_eq(write_batch(s, SEEN_DB_XLOG, &logged), SEEN_OK);
    ck_assert_int_eq(logged, BATCH);
    /* Deleting is not refused. */
    t = tu_begin(s, 1);
    ck_assert_int_eq(seen_store_del(t, SEEN_DB_XLOG, "k00000000", 9, NULL, 0),
        SEEN_OK);
    seen_store_abort(t);

    /* Nothing committed is lost, in the open store or reopened. */
    check_values(s, SEEN_DB_FEEDS, next);
    seen_store_destroy(&s);
    s = open_store(1, 16, 0);
    check_values(s, SEEN_DB_FEEDS, next);
    check_values(s, SEEN_DB_XLOG, logged);

    /* A larger limit: content goes in again, the map grows again. */
    sp = space_of(s);
    ck_assert_int_ne(sp.state, SEEN_SPACE_FULL);
    ck_assert_int_eq(write_batch(s, SEEN_DB_FEEDS, &next), SEEN_OK);
    check_values(s, SEEN_DB_FEEDS, next);
    ck_assert_int_eq(seen_store_check(s), SEEN_OK);
    seen_store_destroy(&s);
}
END_TEST

/* Small transactions never meet a full map: it grows as a transaction
 * begins, once less than a quarter of it is left. */
START_TEST(test_map_grows_before_small_writes_fill_it)
{
    struct seen_store *s = open_store(1, 64, 1);
    struct seen_space sp;
    int next = 0;

    do {
        ck_assert_int_eq(write_batch(s, SEEN_DB_FEEDS, &next), SEEN_OK);
        sp = space_of(s);
    } while (sp.grown < 3);
    ck_assert_uint_eq(sp.refused, 0);
    ck_assert_uint_ge(sp.map, 8u << 20);
    ck_assert_uint_le(sp.file, sp.map - sp.map / 4);
    check_values(s, SEEN_DB_FEEDS, next);
    seen_store_destroy(&s);
}
END_TEST

/* One transaction larger than the map fails once, whole; the map grows as
 * it ends, and the same transaction again fits. */
START_TEST(test_a_write_that_finds_the_map_full_fits_once_it_grew)
{
    struct seen_store *s = open_store(1, 64, 1);
    uint8_t v[VAL_BYTES];
    struct seen_space sp;
    struct seen_txn *t;
    char key[32];
    int attempt, i, rc = 0;

    for (attempt = 0; attempt < 8; attempt++) {
        t = tu_begin(s, 1);
        for (i = 0; i < 2000 && rc == 0; i++) { /* 4 MB in one */
            snprintf(key, sizeof key, "k%08d", i);
            value_of(i, v);
            rc = seen_store_put(t, SEEN_DB_FEEDS, key, strlen(key), v,
                sizeof v);
        }
        if (rc == 0) {
            ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
            break;
        }
        ck_assert_int_eq(rc, SEEN_EFULL);
        seen_store_abort(t);
        rc = 0;
    }
    sp = space_of(s);
    ck_assert_int_ge(attempt, 1); /* it did fail first */
    ck_assert_int_lt(attempt, 8);
    ck_assert_uint_ge(sp.refused, 1);
    ck_assert_uint_ge(sp.map, 4u << 20);
    check_values(s, SEEN_DB_FEEDS, 2000);
    seen_store_destroy(&s);
}
END_TEST

/* At the limit less the reserve, one transaction too large for what is
 * left fails alone: the content is not full, smaller writes go on. */
START_TEST(test_one_write_too_large_for_what_is_left_fails_alone)
{
    struct seen_store *s = open_store(1, 8, 1);
    uint8_t v[VAL_BYTES];
    struct seen_space sp;
    struct seen_txn *t;
    char key[32];
    int next = 0, attempt, i, rc = 0;

    memset(v, 0x5a, sizeof v);
    while (next < 1000) /* 2 MB of 7.5 MiB */
        ck_assert_int_eq(write_batch(s, SEEN_DB_FEEDS, &next), SEEN_OK);
    for (attempt = 0; attempt < 8; attempt++) {
        t = tu_begin(s, 1);
        for (i = 0, rc = 0; i < 3000 && rc == 0; i++) { /* 6 MB in one */
            snprintf(key, sizeof key, "big%08d", i);
            rc = seen_store_put(t, SEEN_DB_FEEDS, key, strlen(key), v,
                sizeof v);
        }
        ck_assert_int_eq(rc, SEEN_EFULL);
        seen_store_abort(t);
        if (space_of(s).map == (15u << 19))
            break;
    }
    sp = space_of(s);
    ck_assert_uint_eq(sp.map, 15u << 19); /* at the limit less 1/16 */
    ck_assert_int_eq(sp.content_full, 0);
    ck_assert_int_eq(sp.state, SEEN_SPACE_LOW); /* said nearly full */
    ck_assert_int_eq(sp.tight, 1);
    ck_assert_int_eq(write_batch(s, SEEN_DB_FEEDS, &next), SEEN_OK);
    check_values(s, SEEN_DB_FEEDS, next);
    seen_store_destroy(&s);
}
END_TEST

/* The reserve is the log's until the limit itself: then every write is
 * refused, reads go on. */
START_TEST(test_at_the_limit_itself_every_write_is_refused)
{
    struct seen_store *s = open_store(1, 8, 1);
    struct seen_space sp;
    int next = 0, logged = 0, rc, tries;

    fill_content(s, &next);
    for (tries = 0; tries < 5000; tries++)
        if ((rc = write_batch(s, SEEN_DB_XLOG, &logged)) != 0)
            break;
    ck_assert_int_eq(rc, SEEN_EFULL);
    ck_assert_int_gt(logged, 0);
    ck_assert_int_eq(write_batch(s, SEEN_DB_XLOG, &logged), SEEN_EFULL);
    ck_assert_int_eq(write_batch(s, SEEN_DB_META, &logged), SEEN_EFULL);
    sp = space_of(s);
    ck_assert_int_eq(sp.state, SEEN_SPACE_FULL);
    ck_assert_uint_eq(sp.map, 8u << 20);
    check_values(s, SEEN_DB_FEEDS, next);
    check_values(s, SEEN_DB_XLOG, logged);
    seen_store_destroy(&s);
}
END_TEST

/* Used is the file's pages less the free ones: deleting makes room. */
START_TEST(test_space_counts_freed_pages_as_room)
{
    struct seen_store *s = open_store(1, 64, 1);
    struct seen_space before, full, after;
    struct seen_txn *t;
    char key[32];
    int next = 0, i;

    before = space_of(s);
    ck_assert_uint_le(before.used, before.file);
    ck_assert_uint_gt(before.left, 0);
    ck_assert_int_eq(before.state, SEEN_SPACE_OK);
    while (next < 1000)
        ck_assert_int_eq(write_batch(s, SEEN_DB_FEEDS, &next), SEEN_OK);
    full = space_of(s);
    ck_assert_uint_ge(full.used, before.used + (2u << 20));
    t = tu_begin(s, 1);
    for (i = 0; i < next; i++) {
        snprintf(key, sizeof key, "k%08d", i);
        ck_assert_int_eq(
            seen_store_del(t, SEEN_DB_FEEDS, key, strlen(key), NULL, 0),
            SEEN_OK);
    }
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    after = space_of(s);
    /* The file keeps its pages (and the delete took a few new ones). */
    ck_assert_uint_ge(after.file, full.file);
    ck_assert_uint_le(after.file, full.file + (64u << 10));
    ck_assert_uint_le(after.used, before.used + (256u << 10));
    ck_assert_uint_ge(after.left, full.left + (2u << 20));
    seen_store_destroy(&s);
}
END_TEST

/* Nearly full comes before full, at 90% of the room for content. */
START_TEST(test_nearly_full_comes_before_full)
{
    struct seen_store *s = open_store(1, 8, 1);
    struct seen_space sp;
    int next = 0, low = 0, rc, tries;

    for (tries = 0; tries < 5000; tries++) {
        rc = write_batch(s, SEEN_DB_FEEDS, &next);
        sp = space_of(s);
        if (sp.state == SEEN_SPACE_LOW) {
            ck_assert_uint_ge(sp.used * 100, (sp.used + sp.left) * 90);
            ck_assert_int_gt(sp.low_since, 0);
            /* A node serves peers no more, but still replicates. */
            ck_assert_int_eq(seen_space_low(s), 1);
            ck_assert_int_eq(seen_space_full(s), 0);
            low = 1;
        } else if (sp.state == SEEN_SPACE_OK)
            ck_assert_int_eq(seen_space_low(s), 0);
        if (sp.state == SEEN_SPACE_FULL)
            break;
        ck_assert(rc == SEEN_OK || rc == SEEN_EFULL);
    }
    ck_assert_int_eq(sp.state, SEEN_SPACE_FULL);
    ck_assert_msg(low, "never nearly full before full");
    seen_store_destroy(&s);
}
END_TEST

/* A limit below what the store holds, or out of range, is refused. */
START_TEST(test_limit_below_the_store_is_refused)
{
    struct seen_store *s = open_store(1, 64, 1);
    int next = 0;

    while (next < 1500)
        ck_assert_int_eq(write_batch(s, SEEN_DB_FEEDS, &next), SEEN_OK);
    seen_store_destroy(&s);
    s = tu_store_open(&tu_fixture, 1, 0);
    ck_assert_int_eq(seen_space_limit(s, 2), SEEN_EINVAL);
    ck_assert_int_eq(seen_space_limit(s, 0), SEEN_EINVAL);
    ck_assert_int_eq(
        seen_space_limit(s, SEEN_SPACE_LIMIT_MAX_MB + 1), SEEN_EINVAL);
    ck_assert_int_eq(seen_space_limit(s, 64), SEEN_OK);
    check_values(s, SEEN_DB_FEEDS, next);
    seen_store_destroy(&s);
}
END_TEST

/* Without a limit the map is fixed and has no reserve, as before. */
START_TEST(test_without_a_limit_the_map_stays)
{
    struct seen_store *s = tu_store_open(&tu_fixture, 1, 1);
    struct seen_space sp;
    int next = 0, rc;

    while ((rc = write_batch(s, SEEN_DB_FEEDS, &next)) == 0)
        ;
    ck_assert_int_eq(rc, SEEN_EFULL);
    ck_assert_int_eq(write_batch(s, SEEN_DB_FEEDS, &next), SEEN_EFULL);
    sp = space_of(s);
    ck_assert_uint_eq(sp.map, 1u << 20);
    ck_assert_uint_eq(sp.grown, 0);
    ck_assert_uint_eq(sp.reserve, 0);
    check_values(s, SEEN_DB_FEEDS, next);
    seen_store_destroy(&s);
}
END_TEST

/* ---- what a member can make grow: evidence against it, bounded ---- */

/* Count the feed evidence of origin 0x11.. (a seen_alerts_evidence_fn). */
static int
count_feed_evidence(void *ctx, const uint8_t origin[32], uint64_t size,
    const uint8_t *cp, size_t len)
{
    (void)size;
    (void)cp;
    (void)len;
    if (origin[0] == 0x11)
        ++*(int *)ctx;
    return 0;
}

/* Count one record (a seen_xlog_state_fn). */
static int
count_record(void *ctx, const void *key, size_t klen, const void *v,
    size_t len)
{
    (void)key;
    (void)klen;
    (void)v;
    (void)len;
    ++*(int *)ctx;
    return 0;
}

/* One member's inconsistent checkpoints are kept up to a bound, the rest
 * counted and dropped; another member's still kept; a size held already
 * may be replaced; evidence that halts the node is always kept. */
START_TEST(test_evidence_is_bounded_per_member_and_counted)
{
    struct seen_store *s = open_store(16, 0, 1);
    Seen__XLogEvidence ev = SEEN__XLOG_EVIDENCE__INIT;
    Seen__Checkpoint cp = SEEN__CHECKPOINT__INIT;
    uint8_t x[32], y[32], pre[SEEN_XSTATE_PEER_KEY], blob[64];
    struct seen_space sp;
    struct seen_keys *keys = seen_keys_generate();
    struct seen_txn *t;
    int i, n = 0;

    memset(x, 0x11, sizeof x);
    memset(y, 0x22, sizeof y);
    memset(blob, 0xab, sizeof blob);
    t = tu_begin(s, 1);
    for (i = 1; i <= SEEN_ALERTS_EVIDENCE_MAX + 4; i++)
        ck_assert_int_eq(seen_alerts_put_evidence(t, x, (uint64_t)i, blob,
                             sizeof blob), SEEN_OK);
    ck_assert_int_eq(seen_alerts_put_evidence(t, x, 3, blob, 10), SEEN_OK);
    ck_assert_int_eq(seen_alerts_put_evidence(t, y, 1, blob, 10), SEEN_OK);
    ck_assert_int_eq(seen_alerts_each_evidence(t, count_feed_evidence, &n),
        SEEN_OK);
    ck_assert_int_eq(n, SEEN_ALERTS_EVIDENCE_MAX);

    ev.first = &cp;
    cp.origin = (ProtobufCBinaryData){32, x};
    for (i = 1; i <= SEEN_XSTATE_EVIDENCE_MAX + 3; i++) {
        cp.size = (uint64_t)i;
        ck_assert_int_eq(seen_xlog_state_put_evidence(t, keys, x, &ev, 0), SEEN_OK);
    }
    cp.size = 1; /* held already: kept (the same key) */
    ck_assert_int_eq(seen_xlog_state_put_evidence(t, keys, x, &ev, 0), SEEN_OK);
    cp.size = 1000; /* halting: kept whatever the bound */
    ck_assert_int_eq(seen_xlog_state_put_evidence(t, keys, x, &ev, 1), SEEN_OK);
    seen_xlog_state_peer_key(pre, SEEN_XSTATE_EVIDENCE, x);
    n = 0;
    ck_assert_int_eq(seen_xlog_state_each(t, pre, sizeof pre, count_record,
                         &n), SEEN_OK);
    ck_assert_int_eq(n, SEEN_XSTATE_EVIDENCE_MAX + 1);
    ck_assert_int_eq(seen_xlog_halted(t), 1);
    ck_assert_int_eq(seen_space_get(t, &sp), SEEN_OK);
    ck_assert_uint_eq(sp.dropped[SEEN_SPACE_DROP_EVIDENCE], 4 + 3);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    seen_store_destroy(&s);
    seen_keys_destroy(&keys);
}
END_TEST

/* ---- a full disk: a 4 MiB tmpfs mounted in a namespace of our own ---- */

/*
 * In a child, on a 4 MiB tmpfs of its own (tu_on_tmpfs) with 1.5 MiB of
 * ballast: fill a store with a limit of 64 MiB there, then remove the
 * ballast.  Exits 0 when every check held, 1 otherwise (said on stderr).
 */
static void
disk_child(const char *dir)
{
    char ballast[2100], sdir[2100];
    struct seen_store *s = NULL;
    struct seen_space sp;
    struct seen_txn *t;
    int fd, next = 0, rc = 0, tries;

#define NEED(c)                                                           \
    do {                                                                  \
        if (!(c)) {                                                       \
            fprintf(stderr, "disk: %s:%d: %s\n", __FILE__, __LINE__, #c); \
            _exit(1);                                                     \
        }                                                                 \
    } while (0)

    snprintf(ballast, sizeof ballast, "%s/ballast", dir);
    snprintf(sdir, sizeof sdir, "%s/store", dir);
    NEED((fd = open(ballast, O_WRONLY | O_CREAT, 0600)) >= 0);
    {
        static char zero[1536 << 10];

        NEED(write(fd, zero, sizeof zero) == (ssize_t)sizeof zero);
        close(fd);
    }
    NEED(seen_store_open(sdir, tu_fixture.node_id, tu_fixture.record_key, 1,
             1, &s) == SEEN_OK);
    NEED(seen_space_limit(s, 64) == SEEN_OK);
    for (tries = 0; tries < 10000; tries++)
        if ((rc = write_batch(s, SEEN_DB_FEEDS, &next)) != 0)
            break;
    NEED(rc == SEEN_EFULL);
    NEED(next > 0);
    NEED(seen_store_begin(s, 0, &t) == 0);
    NEED(seen_space_get(t, &sp) == 0);
    seen_store_abort(t);
    NEED(sp.disk_full && sp.state == SEEN_SPACE_FULL && !sp.content_full);
    NEED(seen_space_full(s));
    NEED(sp.map >= (4u << 20)); /* the map was not what stopped it */
    check_values(s, SEEN_DB_FEEDS, next);
    /* Room on the disk again: writes go on without a restart. */
    NEED(unlink(ballast) == 0);
    NEED(!seen_space_full(s)); /* seen without a write */
    NEED(write_batch(s, SEEN_DB_FEEDS, &next) == SEEN_OK);
    NEED(seen_store_begin(s, 0, &t) == 0);
    NEED(seen_space_get(t, &sp) == 0);
    seen_store_abort(t);
    NEED(!sp.disk_full);
    check_values(s, SEEN_DB_FEEDS, next);
    seen_store_destroy(&s);
    /* And reopened, it holds all of it. */
    NEED(seen_store_open(sdir, tu_fixture.node_id, tu_fixture.record_key, 1,
             0, &s) == SEEN_OK);
    check_values(s, SEEN_DB_FEEDS, next);
    seen_store_destroy(&s);
    _exit(0);
#undef NEED
}

/* A full disk refuses the write that needs it, loses nothing committed,
 * and the store writes again once there is room. */
START_TEST(test_a_full_disk_refuses_writes_and_loses_nothing)
{
    char dir[2048];
    int rc;

    snprintf(dir, sizeof dir, "%s/disk", tu_fixture.base);
    rc = tu_on_tmpfs(dir, 4, disk_child, "check_space's full-disk test");
    if (rc != TU_SKIPPED)
        ck_assert_int_eq(rc, 0);
}
END_TEST

Suite *
space_suite(void)
{
    Suite *s = suite_create("space");
    TCase *tc = tcase_create("core");

    seen_log_init("check_space", SEEN_LOG_ERROR);
    tcase_add_checked_fixture(tc, tu_fixture_setup, tu_fixture_teardown);
    tcase_add_test(tc, test_map_grows_to_its_limit_then_refuses_content_only);
    tcase_add_test(tc, test_map_grows_before_small_writes_fill_it);
    tcase_add_test(tc, test_a_write_that_finds_the_map_full_fits_once_it_grew);
    tcase_add_test(tc, test_one_write_too_large_for_what_is_left_fails_alone);
    tcase_add_test(tc, test_at_the_limit_itself_every_write_is_refused);
    tcase_add_test(tc, test_space_counts_freed_pages_as_room);
    tcase_add_test(tc, test_nearly_full_comes_before_full);
    tcase_add_test(tc, test_limit_below_the_store_is_refused);
    tcase_add_test(tc, test_without_a_limit_the_map_stays);
    tcase_add_test(tc, test_evidence_is_bounded_per_member_and_counted);
    tcase_add_test(tc, test_a_full_disk_refuses_writes_and_loses_nothing);
    suite_add_tcase(s, tc);
    return s;
}
