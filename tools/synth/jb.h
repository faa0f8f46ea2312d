/*
 * jb.h: a small JSON writer into a fixed buffer, one output line at a
 * time, for seen-synth.  Objects and arrays nest up to 7 deep; a line
 * longer than the buffer sets overflow, and jb_line() then writes
 * nothing and reports an error.
 */
#ifndef SYNTH_JB_H
#define SYNTH_JB_H

#include <stddef.h>
#include <stdio.h>

struct jb {
    char buf[24576];
    size_t len;
    int overflow;
    int depth;
    int comma[8];               /* a comma is due at that depth */
};

/**
 * jb_reset(j):
 * Empty ${j} for a new line.
 */
void jb_reset(struct jb *j);

/**
 * jb_raw(j, s, n):
 * Append the ${n} bytes ${s} to ${j} as they are (or mark ${j} as
 * overflowed if they do not fit).
 */
void jb_raw(struct jb *j, const char *s, size_t n);

/**
 * jb_puts(j, s):
 * Append the string ${s} to ${j} as it is.
 */
void jb_puts(struct jb *j, const char *s);

/**
 * jb_quoted(j, s):
 * Append ${s} to ${j} as a JSON string, quoted and escaped.
 */
void jb_quoted(struct jb *j, const char *s);

/**
 * jb_key(j, key):
 * Append a comma when needed, then "${key}": unless ${key} is NULL.
 */
void jb_key(struct jb *j, const char *key);

/**
 * jb_open(j, key, bracket):
 * Open an object or an array (${bracket} is '{' or '[') as the value
 * of ${key}, or as the next element when ${key} is NULL.
 */
void jb_open(struct jb *j, const char *key, char bracket);

/**
 * jb_close(j, bracket):
 * Close the innermost object or array with ${bracket} ('}' or ']').
 */
void jb_close(struct jb *j, char bracket);

/**
 * jb_str(j, key, val):
 * Append the member ${key} (or, if NULL, an element) of the string
 * value ${val}.
 */
void jb_str(struct jb *j, const char *key, const char *val);

/**
 * jb_lit(j, key, literal):
 * Append the member ${key} (or, if NULL, an element) of the JSON
 * literal ${literal} (true, false, null), written as it is.
 */
void jb_lit(struct jb *j, const char *key, const char *literal);

/**
 * jb_line(j, f, error):
 * End the line in ${j} and write it to ${f}.  Sets *${error} when ${j}
 * overflowed (nothing is then written) or the write fails.
 */
void jb_line(struct jb *j, FILE *f, int *error);

#endif /* !SYNTH_JB_H */
