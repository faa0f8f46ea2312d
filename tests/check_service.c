/*
 * check_service: what the daemon tells systemd (node/notify.c) and how
 * its log lines read in the journal (common/log.c).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/log.h"
#include "node/notify.h"
#include "tests/suites.h"
#include "tests/testutil.h"

/* Log one line of each level to a file whose device and inode are
 * ${journal} ("DEV:INO" of the file itself when NULL) and return what was
 * written (the caller frees it). */
static char *
log_to_file(const char *journal, int stamps)
{
    char dir[256], path[300], js[64];
    struct stat sb;
    size_t len;
    char *got;

    tu_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/log", dir);
    tu_quiet(path);
    ck_assert_int_eq(fstat(2, &sb), 0);
    snprintf(js, sizeof js, "%llu:%llu", (unsigned long long)sb.st_dev,
        (unsigned long long)sb.st_ino);
    ck_assert_int_eq(setenv("JOURNAL_STREAM", journal ? journal : js, 1), 0);
    seen_log_init("check_service", SEEN_LOG_DEBUG);
    seen_log_set_timestamps(stamps);
    seen_error("e %d", 1);
    seen_warn("w");
    seen_info("i");
    seen_debug("d");
    tu_loud();
    unsetenv("JOURNAL_STREAM");
    seen_log_init("check_service", SEEN_LOG_ERROR);
    seen_log_set_timestamps(0);
    got = tu_slurp(path, &len);
    tu_rmrf(dir);
    return got;
}

START_TEST(test_log_lines_carry_priorities_when_stderr_is_the_journal)
{
    char *got = log_to_file(NULL, 1);

    ck_assert_str_eq(got, "<3>check_service: error: e 1\n"
                          "<4>check_service: warning: w\n"
                          "<6>check_service: info: i\n"
                          "<7>check_service: debug: d\n");
    free(got);
}
END_TEST

/* $JOURNAL_STREAM inherited by a process whose stderr went elsewhere (a
 * shell started from a unit, say) changes nothing. */
START_TEST(test_log_lines_are_plain_when_stderr_is_not_the_journal)
{
    char *got;

    got = log_to_file("1:2", 0);
    ck_assert_str_eq(got, "check_service: e 1\ncheck_service: warning: w\n"
                          "check_service: info: i\n"
                          "check_service: debug: d\n");
    free(got);
    got = log_to_file("garbage", 0);
    ck_assert_ptr_null(strchr(got, '<'));
    free(got);
}
END_TEST

START_TEST(test_notify_sends_state_to_notify_socket_and_is_quiet_without)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    char dir[64], buf[128];
    ssize_t n;
    int fd;

    unsetenv("NOTIFY_SOCKET");
    ck_assert_int_eq(seen_notify("READY=1"), 0);
    tu_tmpdir(dir, sizeof dir);
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s/notify", dir);
    ck_assert_int_ge(fd = socket(AF_UNIX, SOCK_DGRAM, 0), 0);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    ck_assert_int_eq(setenv("NOTIFY_SOCKET", sa.sun_path, 1), 0);
#ifdef SEEN_HAVE_SYSTEMD
    ck_assert_int_eq(seen_notify("READY=1\nSTATUS=serving"), 1);
    n = recv(fd, buf, sizeof buf - 1, 0);
    ck_assert_int_gt(n, 0);
    buf[n] = '\0';
    ck_assert_str_eq(buf, "READY=1\nSTATUS=serving");
#else
    (void)n;
    (void)buf;
    ck_assert_int_eq(seen_notify("READY=1"), 0);
#endif
    unsetenv("NOTIFY_SOCKET");
    close(fd);
    tu_rmrf(dir);
}
END_TEST

Suite *
service_suite(void)
{
    Suite *s = suite_create("service");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_log_lines_carry_priorities_when_stderr_is_the_journal);
    tcase_add_test(tc, test_log_lines_are_plain_when_stderr_is_not_the_journal);
    tcase_add_test(tc, test_notify_sends_state_to_notify_socket_and_is_quiet_without);
    suite_add_tcase(s, tc);
    return s;
}
