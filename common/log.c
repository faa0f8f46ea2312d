#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/log.h"

static const char *log_prog = "seen";
static enum seen_log_level log_max = SEEN_LOG_WARN;
static int log_stamps;

/**
 * seen_log_init(progname, level):
 * Set the tag printed before each line (not copied: ${progname} must
 * outlive all logging) and the most verbose level printed.
 */
void
seen_log_init(const char *progname, enum seen_log_level level)
{

    log_prog = progname;
    log_max = level;
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
    char stamp[32];
    struct tm tm;
    time_t now;

    if (log_stamps) {
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
