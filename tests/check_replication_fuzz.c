/*
 * check_replication_fuzz.c: replays the seeds of
 * tests/fuzz/fuzz_replication.c (tests/fuzz/corpus/replication) and the
 * inputs that once broke it (tests/fuzz/regress/replication) through that
 * harness itself, which aborts on a crash, a code no header promises, or
 * anything queued beyond docs/protocol.md's bounds; and checks that each
 * seed still does what it was written for, so that the fuzzer starts
 * from messages that reach the handlers' work and not their refusals.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "tests/suites.h"
#include "tests/testutil.h"

/* The harness, under its own name so that every suite links into one
 * runner. */
#define LLVMFuzzerTestOneInput fuzz_replication_one
#include "tests/fuzz/fuzz_replication.c"

/* What a seed does: its handler's code, and how many bodies of ${type}
 * it queues (-1: not looked at); ${applied}: leaves it adds to a feed. */
static const struct {
    const char *name;
    int rc;
    int type;
    int queued;
    uint64_t applied;
} seed_effects[] = {
    {"heads-bravo-ahead", SEEN_OK, SEEN__MSG_TYPE__GET_RANGE, 1, 0},
    {"heads-all-ahead", SEEN_OK, SEEN__MSG_TYPE__GET_RANGE, 1, 0},
    {"heads-none-whole", SEEN_OK, SEEN__MSG_TYPE__GET_RANGE, 0, 0},
    {"heads-resigned", SEEN_OK, SEEN__MSG_TYPE__GET_RANGE, 1, 0},
    /* Both bounds of an ENTRIES: 256 KiB of leaves, then 2,048 leaves. */
    {"range-charlie-all", SEEN_OK, SEEN__MSG_TYPE__ENTRIES, 3, 0},
    {"range-charlie-tail", SEEN_OK, SEEN__MSG_TYPE__ENTRIES, 1, 0},
    {"range-own", SEEN_OK, SEEN__MSG_TYPE__ENTRIES, 1, 0},
    {"range-beyond", SEEN_OK, SEEN__MSG_TYPE__ENTRIES, 0, 0},
    /* Caught up in part: nothing it could prove. */
    {"range-bravo", SEEN_OK, SEEN__MSG_TYPE__ENTRIES, 0, 0},
    {"entries-bravo-to-end", SEEN_OK, -1, -1, FZ_B_SIZE - FZ_B_HELD},
    {"entries-bravo-to-held", SEEN_OK, SEEN__MSG_TYPE__GET_RANGE, 0,
        FZ_B_CP - FZ_B_HELD},
    {"entries-bravo-proof", SEEN_OK, SEEN__MSG_TYPE__GET_RANGE, 1,
        FZ_B_RETRACT + 1 - FZ_B_HELD},
    {"entries-bravo-resigned", SEEN_OK, -1, -1, FZ_B_SIZE - FZ_B_HELD},
    {"entries-bravo-duplicate", SEEN_OK, -1, -1, 0},
    {"entries-own", SEEN_EPERM, -1, -1, 0},
    /* With a range in flight: a gap asked again at once; an answer cut
     * short asked on. */
    {"entries-bravo-gap", SEEN_OK, SEEN__MSG_TYPE__GET_RANGE, 0, 0},
    {"entries-bravo-gap-asked", SEEN_OK, SEEN__MSG_TYPE__GET_RANGE, 1, 0},
    {"entries-bravo-one-asked", SEEN_OK, SEEN__MSG_TYPE__GET_RANGE, 0, 1},
    {"entries-bravo-cut-asked", SEEN_OK, SEEN__MSG_TYPE__GET_RANGE, 1, 1},
    {"hello-older", SEEN_OK, SEEN__MSG_TYPE__MEMBERSHIP, 1, 0},
    {"hello-newer", SEEN_OK, SEEN__MSG_TYPE__MEMBERSHIP, 0, 0},
};

/* A tu_file_fn: run the seed ${buf} and check what it did when it is in
 * seed_effects; counts the seeds in the size_t ${ctx}. */
static void
seed_one(void *ctx, const char *path, const char *name, const uint8_t *buf,
    size_t len)
{
    size_t i;
    uint64_t applied;

    (*(size_t *)ctx)++;
    ck_assert_int_eq(fuzz_replication_one(buf, len), 0);
    applied = fz_fed->applied;
    (void)fuzz_replication_one(buf, len); /* the same again, alike */
    applied = fz_fed->applied - applied;
    for (i = 0; i < sizeof seed_effects / sizeof seed_effects[0]; i++) {
        if (strcmp(name, seed_effects[i].name) != 0)
            continue;
        ck_assert_msg(fz_last_rc == seed_effects[i].rc, "%s: code %d", path,
            fz_last_rc);
        if (seed_effects[i].queued >= 0)
            ck_assert_msg(fz_last_queued[seed_effects[i].type] ==
                              (size_t)seed_effects[i].queued,
                "%s: %zu queued of type %d", path,
                fz_last_queued[seed_effects[i].type], seed_effects[i].type);
        ck_assert_msg(applied == seed_effects[i].applied,
            "%s: %llu leaves applied", path, (unsigned long long)applied);
    }
}

START_TEST(test_fuzz_seeds_do_what_they_were_written_for)
{
    size_t n = 0;

    ck_assert_uint_ge(tu_each_file(SEEN_SOURCE_DIR
                          "/tests/fuzz/corpus/replication", seed_one, &n),
        sizeof seed_effects / sizeof seed_effects[0]);
}
END_TEST

/* A tu_file_fn: run the input ${buf}, which must only be handled. */
static void
regress_one(void *ctx, const char *path, const char *name,
    const uint8_t *buf, size_t len)
{

    (void)ctx;
    (void)path;
    (void)name;
    ck_assert_int_eq(fuzz_replication_one(buf, len), 0);
}

START_TEST(test_fuzz_regressions_are_handled_without_crashing)
{

    ck_assert_uint_ge(tu_each_file(SEEN_SOURCE_DIR
                          "/tests/fuzz/regress/replication", regress_one,
                          NULL),
        1);
}
END_TEST

Suite *
replication_fuzz_suite(void)
{
    Suite *s = suite_create("replication_fuzz");
    TCase *tc = tcase_create("regress");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_fuzz_seeds_do_what_they_were_written_for);
    tcase_add_test(tc, test_fuzz_regressions_are_handled_without_crashing);
    suite_add_tcase(s, tc);
    return s;
}
