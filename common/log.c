#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"

static const char *log_prog = "seen";
static enum seen_log_level log_max = SEEN_LOG_WARN;
static int log_stamps;
static int log_journal; /* stderr is the journal: sd-daemon priorities */

/* Return 1 when standard error is the journal stream that
 * $JOURNAL_STREAM ("DEVICE:INODE", set by systemd) names, else 0. */
static int
stderr_is_journal(void)
{
    const char *js = getenv("JOURNAL_STREAM");
    unsigned long long dev, ino;
    struct stat sb;
    char tail;

    if (js == NULL || sscanf(js, "%llu:%llu%c", &dev, &ino, &tail) != 2)
        return 0;
    if (fstat(STDERR_FILENO, &sb) != 0)
        return 0;
    return (unsigned long long)sb.st_dev == dev &&
        (unsigned long long)sb.st_ino == ino;
}

/**
 * seen_log_init(progname, level):
 * Set the tag printed before each line (not copied: ${progname} must
 * outlive all logging) and the most verbose level printed.  When standard
 * error is the journal ($JOURNAL_STREAM names it), each line starts with
 * its sd-daemon(3) priority ("<3>" error, "<4>" warning, "<6>" info,
 * "<7>" debug) and carries no time (the journal keeps one).
 */
void
seen_log_init(const char *progname, enum seen_log_level level)
{

    log_prog = progname;
    log_max = level;
    log_journal = stderr_is_journal();
}

/**
 * seen_log_set_timestamps(on):
 * Prefix each line with an ISO 8601 UTC time (for daemons).
 */
void
seen_log_set_timestamps(int on)
{

    log_stamps = on;
}

/**
 * seen_log_level(void):
 * Return the current level.
 */
enum seen_log_level
seen_log_level(void)
{

    return log_max;
}

static void
log_prefix(enum seen_log_level level)
{
    static const char *names[] = {"error", "warning", "info", "debug"};
    static const int prio[] = {3, 4, 6, 7}; /* LOG_ERR ... LOG_DEBUG */
    char stamp[32];
    struct tm tm;
    time_t now;

    if (log_journal) {
        fprintf(stderr, "<%d>%s: %s: ", prio[level], log_prog, names[level]);
    } else if (log_stamps) {
        now = time(NULL);
        gmtime_r(&now, &tm);
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
        fprintf(stderr, "%s %s: %s: ", stamp, log_prog, names[level]);
    } else if (level == SEEN_LOG_ERROR) {
        fprintf(stderr, "%s: ", log_prog);
    } else {
        fprintf(stderr, "%s: %s: ", log_prog, names[level]);
    }
}

/* Print "prog: msg" at the given level. */
void
seen_log(enum seen_log_level level, const char *fmt, ...)
{
    va_list ap;
    int saved = errno;

    if (level > log_max)
        return;
    log_prefix(level);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    errno = saved;
}

/**
 * seen_errorp(fmt, ...):
 * As seen_error, followed by ": " and strerror(errno).
 */
void
seen_errorp(const char *fmt, ...)
{
    va_list ap;
    int saved = errno;

    log_prefix(SEEN_LOG_ERROR);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, ": %s\n", strerror(saved));
    errno = saved;
}
