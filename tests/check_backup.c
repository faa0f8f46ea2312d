/*
 * check_backup.c: a node home copied by storage/backup.c, whole or not at
 * all, from a stopped home or a running node's open store; and a store
 * opened without keys (seen_store_open_readonly), which reads plain
 * values and never a sealed one.  Real LMDB files in a temporary
 * directory (tu_fixture.base is the home, its store in store/).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/file.h"
#include "common/hex.h"
#include "common/seen.h"
#include "storage/backup.h"
#include "storage/store.h"
#include "tests/suites.h"
#include "tests/testutil.h"

#define MAP_MB 16
#define SECRET "Chantelle Ward, born 1994-02-11, note: hid under the bed"

static char dest[1100]; /* tu_fixture.base (1024) and a name */

/* A home: the fixture's store with one sealed and one plain value, and a
 * keystore and seen.conf (their bytes are only copied here). */
static void
setup(void)
{
    struct seen_store *s;
    struct seen_txn *t;
    char path[4096];
    uint8_t k[16];
    FILE *f;

    tu_fixture_setup();
    s = tu_store_open(&tu_fixture, MAP_MB, 1);
    t = tu_begin(s, 1);
    seen_store_id_key(s, "REC-1", 5, k);
    ck_assert_int_eq(seen_store_sealed_put(t, SEEN_DB_RECORDS, k, 16, "REC-1",
                         5, SECRET, strlen(SECRET)),
        SEEN_OK);
    ck_assert_int_eq(
        seen_store_put(t, SEEN_DB_META, "plain", 5, "value", 5), SEEN_OK);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    seen_store_destroy(&s);
    snprintf(path, sizeof path, "%s/keystore", tu_fixture.base);
    ck_assert_ptr_nonnull(f = fopen(path, "w"));
    fputs("SEENKEY1 sealed bytes", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/seen.conf", tu_fixture.base);
    ck_assert_ptr_nonnull(f = fopen(path, "w"));
    fputs("[node]\nname = tvp\n", f);
    fclose(f);
    snprintf(dest, sizeof dest, "%s/backup-1", tu_fixture.base);
}

/* 1 when ${dir}/${name} exists with mode ${mode}. */
static int
has(const char *dir, const char *name, mode_t mode)
{
    char path[4096];
    struct stat sb;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &sb) == 0 && (sb.st_mode & 07777) == mode;
}

/* Check the backup at ${d}: its files, its manifest, its store's node. */
static void
check_backup(const char *d, int online)
{
    char path[4096], hex[65], want[256], *m;
    uint8_t id[32];
    uint32_t format;
    size_t len;

    ck_assert(has(d, "keystore", 0600));
    ck_assert(has(d, "seen.conf", 0600));
    ck_assert(has(d, "backup.json", 0600));
    ck_assert(has(d, "store", 0700));
    ck_assert(has(d, "store/data.mdb", 0600));
    snprintf(path, sizeof path, "%s/backup.json", d);
    ck_assert_ptr_nonnull(m = tu_slurp(path, &len));
    seen_hex_encode(hex, tu_fixture.node_id, 32);
    snprintf(want, sizeof want, "\"node\":\"tvp\",\"node_id\":\"%s\"", hex);
    ck_assert_ptr_nonnull(strstr(m, want));
    ck_assert_ptr_nonnull(
        strstr(m, online ? "\"online\":true" : "\"online\":false"));
    free(m);
    snprintf(path, sizeof path, "%s/store", d);
    ck_assert_int_eq(seen_backup_store_node(path, id, &format), SEEN_OK);
    ck_assert_mem_eq(id, tu_fixture.node_id, 32);
    ck_assert_uint_eq(format, SEEN_STORE_FORMAT);
}

/* The sealed value of the copy opens with the node's record key. */
static void
check_copy_opens(const char *d)
{
    struct tu_store copy = tu_fixture;
    struct seen_store *s;
    struct seen_txn *t;
    uint8_t k[16], *out = NULL;
    size_t olen = 0;

    snprintf(copy.dir, sizeof copy.dir, "%s/store", d);
    s = tu_store_open(&copy, MAP_MB, 0);
    t = tu_begin(s, 0);
    seen_store_id_key(s, "REC-1", 5, k);
    ck_assert_int_eq(seen_store_sealed_get(
                         t, SEEN_DB_RECORDS, k, 16, "REC-1", 5, &out, &olen),
        SEEN_OK);
    ck_assert_mem_eq(out, SECRET, strlen(SECRET));
    free(out);
    seen_store_abort(t);
    seen_store_destroy(&s);
}

START_TEST(test_backup_of_a_stopped_home_is_whole_and_opens)
{
    struct seen_backup_info b;
    char why[256];

    ck_assert_int_eq(seen_backup_make(tu_fixture.base, "tvp", NULL, dest, &b,
                         why, sizeof why),
        SEEN_OK);
    ck_assert_int_eq(b.online, 0);
    ck_assert_mem_eq(b.node_id, tu_fixture.node_id, 32);
    check_backup(dest, 0);
    check_copy_opens(dest);
}
END_TEST

START_TEST(test_backup_of_an_open_store_is_whole_and_opens)
{
    struct seen_store *s = tu_store_open(&tu_fixture, MAP_MB, 0);
    struct seen_txn *t = tu_begin(s, 1);
    char why[256];

    /* A write transaction open meanwhile is not in the copy. */
    ck_assert_int_eq(
        seen_store_put(t, SEEN_DB_META, "later", 5, "x", 1), SEEN_OK);
    ck_assert_int_eq(
        seen_backup_make(tu_fixture.base, "tvp", s, dest, NULL, why,
            sizeof why),
        SEEN_OK);
    seen_store_abort(t);
    seen_store_destroy(&s);
    check_backup(dest, 1);
    check_copy_opens(dest);
}
END_TEST

START_TEST(test_backup_to_an_existing_folder_or_without_keystore_leaves_nothing)
{
    char why[256], path[4096];
    struct stat sb;

    ck_assert_int_eq(mkdir(dest, 0700), 0);
    ck_assert_int_eq(seen_backup_make(tu_fixture.base, "tvp", NULL, dest, NULL,
                         why, sizeof why),
        SEEN_EEXIST);
    ck_assert_ptr_nonnull(strstr(why, "exists"));
    ck_assert_int_eq(rmdir(dest), 0);
    /* No keystore: nothing is left, not even the partial folder. */
    snprintf(path, sizeof path, "%s/keystore", tu_fixture.base);
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_ne(seen_backup_make(tu_fixture.base, "tvp", NULL, dest, NULL,
                         why, sizeof why),
        SEEN_OK);
    ck_assert_ptr_nonnull(strstr(why, "keystore"));
    ck_assert_int_ne(stat(dest, &sb), 0);
    snprintf(path, sizeof path, "%s.partial", dest);
    ck_assert_int_ne(stat(path, &sb), 0);
    /* No store. */
    tu_rmrf(tu_fixture.dir);
    ck_assert_int_eq(seen_backup_make(tu_fixture.base, "tvp", NULL, dest, NULL,
                         why, sizeof why),
        SEEN_ENOTFOUND);
}
END_TEST

START_TEST(test_backup_copies_a_custodian_journal_when_there_is_one)
{
    static const char journal[] = "journal bytes, as the custodian left them";
    char why[256], path[4096], *got;
    struct stat sb;
    size_t len;

    /* None: none in the backup. */
    ck_assert_int_eq(seen_backup_make(tu_fixture.base, "tvp", NULL, dest, NULL,
                         why, sizeof why),
        SEEN_OK);
    snprintf(path, sizeof path, "%s/%s", dest, SEEN_BACKUP_JOURNAL);
    ck_assert_int_ne(stat(path, &sb), 0);
    tu_rmrf(dest);
    /* One: copied as it is, the auditor's alone. */
    snprintf(path, sizeof path, "%s/%s", tu_fixture.base, SEEN_BACKUP_JOURNAL);
    ck_assert_int_eq(seen_file_write_atomic(path, journal, sizeof journal,
                         0600, 0),
        SEEN_OK);
    ck_assert_int_eq(seen_backup_make(tu_fixture.base, "tvp", NULL, dest, NULL,
                         why, sizeof why),
        SEEN_OK);
    check_backup(dest, 0);
    ck_assert(has(dest, SEEN_BACKUP_JOURNAL, 0600));
    snprintf(path, sizeof path, "%s/%s", dest, SEEN_BACKUP_JOURNAL);
    ck_assert_ptr_nonnull(got = tu_slurp(path, &len));
    ck_assert_uint_eq(len, sizeof journal);
    ck_assert_mem_eq(got, journal, len);
    free(got);
}
END_TEST

START_TEST(test_readonly_store_reads_plain_values_never_sealed_ones)
{
    struct seen_store *ro = NULL;
    struct seen_txn *t;
    uint8_t k[16], *out = NULL;
    const void *v;
    size_t vlen, olen = 0;
    char data[4096];

    /* The sealed value's key, as the node would find it. */
    ro = tu_store_open(&tu_fixture, MAP_MB, 0);
    seen_store_id_key(ro, "REC-1", 5, k);
    seen_store_destroy(&ro);
    /* No key: the plain value reads, the sealed one is refused. */
    ck_assert_int_eq(seen_store_open_readonly(tu_fixture.dir, &ro), SEEN_OK);
    t = tu_begin(ro, 0);
    ck_assert_int_eq(
        seen_store_get(t, SEEN_DB_META, "plain", 5, &v, &vlen), SEEN_OK);
    ck_assert_mem_eq(v, "value", 5);
    ck_assert_int_eq(seen_store_sealed_get(
                         t, SEEN_DB_RECORDS, k, 16, "REC-1", 5, &out, &olen),
        SEEN_EPERM);
    ck_assert_ptr_null(out);
    seen_store_abort(t);
    /* Nothing can be written. */
    tu_quiet(NULL);
    ck_assert_int_ne(seen_store_begin(ro, 1, &t), SEEN_OK);
    seen_store_destroy(&ro);
    /* A truncated store and no store are said as seen_store_open says. */
    snprintf(data, sizeof data, "%s/data.mdb", tu_fixture.dir);
    ck_assert_int_eq(truncate(data, 4096), 0);
    ck_assert_int_eq(
        seen_store_open_readonly(tu_fixture.dir, &ro), SEEN_ECORRUPT);
    ck_assert_ptr_null(ro);
    ck_assert_int_eq(unlink(data), 0);
    ck_assert_int_eq(
        seen_store_open_readonly(tu_fixture.dir, &ro), SEEN_ENOTFOUND);
    tu_loud();
}
END_TEST

Suite *
backup_suite(void)
{
    Suite *su = suite_create("backup");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, tu_fixture_teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_backup_of_a_stopped_home_is_whole_and_opens);
    tcase_add_test(tc, test_backup_of_an_open_store_is_whole_and_opens);
    tcase_add_test(
        tc, test_backup_to_an_existing_folder_or_without_keystore_leaves_nothing);
    tcase_add_test(tc, test_backup_copies_a_custodian_journal_when_there_is_one);
    tcase_add_test(tc, test_readonly_store_reads_plain_values_never_sealed_ones);
    suite_add_tcase(su, tc);
    return su;
}
