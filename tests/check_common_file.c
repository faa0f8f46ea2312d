/*
 * check_common_file.c: whole files written atomically and read bounded.
 */
#include <sys/stat.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/file.h"
#include "tests/suites.h"
#include "tests/testutil.h"

/* An unprivileged user, for the tests that need permissions to bite. */
#define NOBODY 65534

static char dir[PATH_MAX];
static char path[PATH_MAX + 32];
static char tmp[PATH_MAX + 32];

static void
setup(void)
{

    tu_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/file", dir);
    snprintf(tmp, sizeof tmp, "%s/file.tmp", dir);
}

static void
teardown(void)
{

    tu_rmrf(dir);
}

/* Write ${len} bytes of ${buf} to ${p} plainly (not with the code tested). */
static void
put(const char *p, const void *buf, size_t len)
{
    FILE *f;

    ck_assert_ptr_nonnull(f = fopen(p, "wb"));
    ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

/* Assert that ${p} holds exactly the string ${want}. */
static void
assert_holds(const char *p, const char *want)
{
    char got[256];
    size_t n;
    FILE *f;

    ck_assert_ptr_nonnull(f = fopen(p, "rb"));
    n = fread(got, 1, sizeof got, f);
    fclose(f);
    ck_assert_uint_eq(n, strlen(want));
    ck_assert_mem_eq(got, want, n);
}

static mode_t
mode_of(const char *p)
{
    struct stat sb;

    ck_assert_int_eq(lstat(p, &sb), 0);
    ck_assert(S_ISREG(sb.st_mode));
    return sb.st_mode & 07777;
}

START_TEST(test_write_creates_the_file_with_the_bytes_given)
{

    ck_assert_int_eq(seen_file_write_atomic(path, "hello\n", 6, 0600, 0), 0);
    assert_holds(path, "hello\n");
}
END_TEST

START_TEST(test_write_replaces_an_existing_file)
{

    put(path, "a much longer old content\n", 26);
    ck_assert_int_eq(seen_file_write_atomic(path, "new\n", 4, 0600, 0), 0);
    assert_holds(path, "new\n");
    ck_assert_int_eq(seen_file_write_atomic(path, "", 0, 0600, 0), 0);
    assert_holds(path, "");
}
END_TEST

START_TEST(test_mode_is_as_asked_whatever_the_umask)
{
    mode_t old;

    old = umask(0);
    ck_assert_int_eq(seen_file_write_atomic(path, "x", 1, 0600, 0), 0);
    ck_assert_uint_eq(mode_of(path), 0600);
    umask(077);
    ck_assert_int_eq(seen_file_write_atomic(path, "x", 1, 0644, 0), 0);
    ck_assert_uint_eq(mode_of(path), 0644);
    umask(old);

    /* A replaced file takes the new mode, not the old file's. */
    ck_assert_int_eq(chmod(path, 0666), 0);
    ck_assert_int_eq(seen_file_write_atomic(path, "x", 1, 0600, 0), 0);
    ck_assert_uint_eq(mode_of(path), 0600);
}
END_TEST

START_TEST(test_no_temporary_is_left_after_success)
{

    ck_assert_int_eq(seen_file_write_atomic(path, "one", 3, 0600, 0), 0);
    ck_assert_int_eq(access(tmp, F_OK), -1);
    ck_assert_int_eq(errno, ENOENT);
    ck_assert_int_eq(
        seen_file_write_atomic(path, "two", 3, 0600, SEEN_FILE_EXCL), 0);
    ck_assert_int_eq(access(tmp, F_OK), -1);
    ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(test_a_stale_temporary_is_replaced_without_excl)
{

    put(path, "old", 3);
    put(tmp, "stale junk", 10);
    ck_assert_int_eq(seen_file_write_atomic(path, "new", 3, 0600, 0), 0);
    assert_holds(path, "new");
    ck_assert_int_eq(access(tmp, F_OK), -1);
}
END_TEST

START_TEST(test_excl_refuses_an_existing_temporary_and_leaves_both)
{

    put(path, "old", 3);
    put(tmp, "another writer", 14);
    errno = 0;
    ck_assert_int_eq(
        seen_file_write_atomic(path, "new", 3, 0600, SEEN_FILE_EXCL),
        SEEN_EEXIST);
    ck_assert_int_eq(errno, EEXIST);
    assert_holds(path, "old");
    assert_holds(tmp, "another writer");
}
END_TEST

START_TEST(test_a_symlinked_temporary_is_never_written_through)
{
    char target[PATH_MAX + 32];

    snprintf(target, sizeof target, "%s/target", dir);
    put(target, "keep", 4);
    ck_assert_int_eq(symlink(target, tmp), 0);

    /* With SEEN_FILE_EXCL: refused. */
    ck_assert_int_eq(
        seen_file_write_atomic(path, "new", 3, 0600, SEEN_FILE_EXCL),
        SEEN_EEXIST);
    assert_holds(target, "keep");

    /* Without: the link is removed, not followed. */
    ck_assert_int_eq(seen_file_write_atomic(path, "new", 3, 0600, 0), 0);
    assert_holds(target, "keep");
    assert_holds(path, "new");
    ck_assert_uint_eq(mode_of(path), 0600);
}
END_TEST

START_TEST(test_unwritable_directory_fails_and_leaves_the_old_file)
{
    char ro[PATH_MAX + 32], p[PATH_MAX + 64], t[PATH_MAX + 64];
    int rc, saved, root = geteuid() == 0;

    snprintf(ro, sizeof ro, "%s/ro", dir);
    snprintf(p, sizeof p, "%s/file", ro);
    snprintf(t, sizeof t, "%s/file.tmp", ro);
    ck_assert_int_eq(mkdir(ro, 0755), 0);
    put(p, "old", 3);
    ck_assert_int_eq(chmod(p, 0644), 0);
    ck_assert_int_eq(chmod(ro, 0555), 0);
    ck_assert_int_eq(chmod(dir, 0755), 0);

    /* Root writes anywhere: be someone else for the call. */
    if (root)
        ck_assert_int_eq(seteuid(NOBODY), 0);
    errno = 0;
    rc = seen_file_write_atomic(p, "new", 3, 0644, 0);
    saved = errno;
    if (root)
        ck_assert_int_eq(seteuid(0), 0);
    ck_assert_int_eq(chmod(ro, 0755), 0);

    ck_assert_int_eq(rc, SEEN_EIO);
    ck_assert_int_eq(saved, EACCES);
    assert_holds(p, "old");
    ck_assert_uint_eq(mode_of(p), 0644);
    ck_assert_int_eq(access(t, F_OK), -1);
}
END_TEST

START_TEST(test_failed_rename_leaves_no_temporary)
{
    char inner[PATH_MAX + 64];

    /* A non-empty directory at ${path}: rename(2) over it fails. */
    ck_assert_int_eq(mkdir(path, 0700), 0);
    snprintf(inner, sizeof inner, "%s/inner", path);
    put(inner, "keep", 4);
    ck_assert_int_eq(seen_file_write_atomic(path, "new", 3, 0600, 0), SEEN_EIO);
    ck_assert_int_eq(access(tmp, F_OK), -1);
    assert_holds(inner, "keep");
}
END_TEST

START_TEST(test_missing_directory_fails_with_errno_enoent)
{
    char p[PATH_MAX + 64];

    snprintf(p, sizeof p, "%s/no/file", dir);
    errno = 0;
    ck_assert_int_eq(seen_file_write_atomic(p, "x", 1, 0600, 0), SEEN_EIO);
    ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(test_relative_path_writes_in_the_current_directory)
{
    int cwd;

    ck_assert_int_ne(cwd = open(".", O_RDONLY | O_DIRECTORY), -1);
    ck_assert_int_eq(chdir(dir), 0);
    ck_assert_int_eq(seen_file_write_atomic("rel", "here", 4, 0600, 0), 0);
    ck_assert_int_eq(fchdir(cwd), 0);
    close(cwd);
    snprintf(path, sizeof path, "%s/rel", dir);
    assert_holds(path, "here");
}
END_TEST

START_TEST(test_read_gives_the_whole_file_nul_terminated)
{
    static const uint8_t bytes[] = {'a', 0, 'b', 0xff, '\n'};
    uint8_t *buf;
    size_t len;

    put(path, bytes, sizeof bytes);
    ck_assert_int_eq(seen_file_read(path, sizeof bytes, &buf, &len), 0);
    ck_assert_uint_eq(len, sizeof bytes);
    ck_assert_mem_eq(buf, bytes, sizeof bytes);
    ck_assert_uint_eq(buf[len], 0);
    free(buf);

    put(path, "", 0);
    ck_assert_int_eq(seen_file_read(path, 0, &buf, &len), 0);
    ck_assert_uint_eq(len, 0);
    ck_assert_uint_eq(buf[0], 0);
    free(buf);
}
END_TEST

START_TEST(test_read_refuses_a_file_longer_than_max)
{
    uint8_t junk, *buf = &junk;
    size_t len;

    put(path, "12345", 5);
    errno = 0;
    ck_assert_int_eq(seen_file_read(path, 4, &buf, &len), SEEN_EINVAL);
    ck_assert_int_eq(errno, EFBIG);
    ck_assert_ptr_null(buf);
}
END_TEST

START_TEST(test_read_missing_file_is_enotfound)
{
    uint8_t junk, *buf = &junk;
    size_t len;

    errno = 0;
    ck_assert_int_eq(seen_file_read(path, 100, &buf, &len), SEEN_ENOTFOUND);
    ck_assert_int_eq(errno, ENOENT);
    ck_assert_ptr_null(buf);
}
END_TEST

START_TEST(test_read_refuses_a_directory)
{
    uint8_t *buf;
    size_t len;

    errno = 0;
    ck_assert_int_eq(seen_file_read(dir, 100, &buf, &len), SEEN_EINVAL);
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_ptr_null(buf);
}
END_TEST

START_TEST(test_read_returns_what_write_wrote)
{
    uint8_t data[70000], *buf;
    size_t i, len;

    for (i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7);
    ck_assert_int_eq(
        seen_file_write_atomic(path, data, sizeof data, 0600, 0), 0);
    ck_assert_int_eq(seen_file_read(path, sizeof data, &buf, &len), 0);
    ck_assert_uint_eq(len, sizeof data);
    ck_assert_mem_eq(buf, data, sizeof data);
    free(buf);
}
END_TEST

START_TEST(test_remove_tree_removes_everything_below_but_not_through_links)
{
    char top[512], outside[512], p[1024];
    int fd;

    tu_tmpdir(outside, sizeof outside);
    snprintf(p, sizeof p, "%s/keep", outside);
    ck_assert_int_ge(fd = open(p, O_WRONLY | O_CREAT, 0600), 0);
    close(fd);
    tu_tmpdir(top, sizeof top);
    snprintf(p, sizeof p, "%s/a", top);
    ck_assert_int_eq(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/a/b", top);
    ck_assert_int_eq(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/a/b/file", top);
    ck_assert_int_ge(fd = open(p, O_WRONLY | O_CREAT, 0600), 0);
    close(fd);
    snprintf(p, sizeof p, "%s/a/link", top);
    ck_assert_int_eq(symlink(outside, path), 0);

    ck_assert_int_eq(seen_file_remove_tree(top), 0);
    ck_assert_int_eq(access(top, F_OK), -1);
    /* What the link named is untouched. */
    snprintf(p, sizeof p, "%s/keep", outside);
    ck_assert_int_eq(access(p, F_OK), 0);
    ck_assert_int_eq(seen_file_remove_tree(top), SEEN_ENOTFOUND);
    ck_assert_int_eq(seen_file_remove_tree(outside), 0);
}
END_TEST

Suite *
file_suite(void)
{
    Suite *s = suite_create("common_file");
    TCase *tc = tcase_create("file");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_write_creates_the_file_with_the_bytes_given);
    tcase_add_test(tc, test_write_replaces_an_existing_file);
    tcase_add_test(tc, test_mode_is_as_asked_whatever_the_umask);
    tcase_add_test(tc, test_no_temporary_is_left_after_success);
    tcase_add_test(tc, test_a_stale_temporary_is_replaced_without_excl);
    tcase_add_test(tc, test_excl_refuses_an_existing_temporary_and_leaves_both);
    tcase_add_test(tc, test_a_symlinked_temporary_is_never_written_through);
    tcase_add_test(tc, test_unwritable_directory_fails_and_leaves_the_old_file);
    tcase_add_test(tc, test_failed_rename_leaves_no_temporary);
    tcase_add_test(tc, test_missing_directory_fails_with_errno_enoent);
    tcase_add_test(tc, test_relative_path_writes_in_the_current_directory);
    tcase_add_test(tc, test_read_gives_the_whole_file_nul_terminated);
    tcase_add_test(tc, test_read_refuses_a_file_longer_than_max);
    tcase_add_test(tc, test_read_missing_file_is_enotfound);
    tcase_add_test(tc, test_read_refuses_a_directory);
    tcase_add_test(tc, test_read_returns_what_write_wrote);
    tcase_add_test(tc,
        test_remove_tree_removes_everything_below_but_not_through_links);
    suite_add_tcase(s, tc);
    return s;
}
