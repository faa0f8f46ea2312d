/*
 * log.h: one line per event on standard error, tagged with the program
 * name.  Libraries log an error once, where it is found.  Never pass a
 * secret, name, date of birth or note to these functions.
 */
#ifndef SEEN_LOG_H
#define SEEN_LOG_H

#include "common/seen.h"

enum seen_log_level {
    SEEN_LOG_ERROR = 0,
    SEEN_LOG_WARN = 1,
    SEEN_LOG_INFO = 2,
    SEEN_LOG_DEBUG = 3,
};

/**
 * seen_log_init(progname, level):
 * Set the tag printed before each line (not copied: ${progname} must
 * outlive all logging) and the most verbose level printed.  When standard
 * error is the journal ($JOURNAL_STREAM names it), each line starts with
 * its sd-daemon(3) priority ("<3>" error, "<4>" warning, "<6>" info,
 * "<7>" debug) and carries no time (the journal keeps one).
 */
void seen_log_init(const char *progname, enum seen_log_level level);

/**
 * seen_log_set_timestamps(on):
 * Prefix each line with an ISO 8601 UTC time (for daemons).
 */
void seen_log_set_timestamps(int on);

/**
 * seen_log_level(void):
 * Return the current level.
 */
enum seen_log_level seen_log_level(void);

/* Print "prog: msg" at the given level. */
void seen_log(enum seen_log_level level, const char *fmt, ...)
    SEEN_PRINTF(2, 3);

/* One macro per level, named as it logs. */
#define seen_error(...) seen_log(SEEN_LOG_ERROR, __VA_ARGS__)
#define seen_warn(...) seen_log(SEEN_LOG_WARN, __VA_ARGS__)
#define seen_info(...) seen_log(SEEN_LOG_INFO, __VA_ARGS__)
#define seen_debug(...) seen_log(SEEN_LOG_DEBUG, __VA_ARGS__)

/**
 * seen_errorp(fmt, ...):
 * As seen_error, followed by ": " and strerror(errno).
 */
void seen_errorp(const char *fmt, ...) SEEN_PRINTF(1, 2);

#endif /* !SEEN_LOG_H */
