/*
 * testutil.h: helpers shared by the Check suites.
 */
#ifndef SEEN_TESTUTIL_H
#define SEEN_TESTUTIL_H

#include <stddef.h>

#include <jansson.h>

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

/**
 * tu_data(rel, buf, len):
 * Write the path of ${rel} under the repository's tests/data/ folder to
 * ${buf} (${len} bytes); return ${buf}.
 */
char *tu_data(const char *rel, char *buf, size_t len);

/**
 * tu_refused(rep, want):
 * Assert that the control reply ${rep} is a refusal ({"ok": false,
 * "error": TEXT}) whose TEXT contains ${want}; decref ${rep}.
 */
void tu_refused(json_t *rep, const char *want);

#endif
