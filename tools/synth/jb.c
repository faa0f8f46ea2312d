/*
 * jb.c: a small JSON writer into a fixed buffer, for seen-synth's output
 * lines (see jb.h).
 */
#include <stdio.h>
#include <string.h>

#include "jb.h"

/**
 * jb_reset(j):
 * Empty ${j} for a new line.
 */
void
jb_reset(struct jb *j)
{

    j->len = 0;
    j->overflow = 0;
    j->depth = 0;
    j->comma[0] = 0;
}

/**
 * jb_raw(j, s, n):
 * Append the ${n} bytes ${s} to ${j} as they are (or mark ${j} as
 * overflowed if they do not fit).
 */
void
jb_raw(struct jb *j, const char *s, size_t n)
{

    if (j->len + n >= sizeof j->buf) {
        j->overflow = 1;
        return;
    }
    memcpy(j->buf + j->len, s, n);
    j->len += n;
}

/**
 * jb_puts(j, s):
 * Append the string ${s} to ${j} as it is.
 */
void
jb_puts(struct jb *j, const char *s)
{

    jb_raw(j, s, strlen(s));
}

/**
 * jb_quoted(j, s):
 * Append ${s} to ${j} as a JSON string, quoted and escaped.
 */
void
jb_quoted(struct jb *j, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    char esc[6] = {'\\', 'u', '0', '0', 0, 0};
    const char *run = s;

    jb_raw(j, "\"", 1);
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;

        if (c != '"' && c != '\\' && c >= 0x20)
            continue;
        jb_raw(j, run, (size_t)(s - run));
        run = s + 1;
        if (c == '"')
            jb_raw(j, "\\\"", 2);
        else if (c == '\\')
            jb_raw(j, "\\\\", 2);
        else {
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            jb_raw(j, esc, 6);
        }
    }
    jb_raw(j, run, (size_t)(s - run));
    jb_raw(j, "\"", 1);
}


/**
 * jb_key(j, key):
 * Append a comma when needed, then "${key}": unless ${key} is NULL.
 */
void
jb_key(struct jb *j, const char *key)
{

    if (j->comma[j->depth])
        jb_raw(j, ",", 1);
    j->comma[j->depth] = 1;
    if (key != NULL) {
        jb_quoted(j, key);
        jb_raw(j, ":", 1);
    }
}

/**
 * jb_open(j, key, bracket):
 * Open an object or an array (${bracket} is '{' or '[') as the value
 * of ${key}, or as the next element when ${key} is NULL.
 */
void
jb_open(struct jb *j, const char *key, char bracket)
{

    if (j->depth > 0 || key != NULL)
        jb_key(j, key);
    jb_raw(j, &bracket, 1);
    if (j->depth < 7)
        j->depth++;
    j->comma[j->depth] = 0;
}

/**
 * jb_close(j, bracket):
 * Close the innermost object or array with ${bracket} ('}' or ']').
 */
void
jb_close(struct jb *j, char bracket)
{

    jb_raw(j, &bracket, 1);
    if (j->depth > 0)
        j->depth--;
}

/**
 * jb_str(j, key, val):
 * Append the member ${key} (or, if NULL, an element) of the string
 * value ${val}.
 */
void
jb_str(struct jb *j, const char *key, const char *val)
{

    jb_key(j, key);
    jb_quoted(j, val);
}

/**
 * jb_lit(j, key, literal):
 * Append the member ${key} (or, if NULL, an element) of the JSON
 * literal ${literal} (true, false, null), written as it is.
 */
void
jb_lit(struct jb *j, const char *key, const char *literal)
{

    jb_key(j, key);
    jb_puts(j, literal);
}

/**
 * jb_line(j, f, error):
 * End the line in ${j} and write it to ${f}.  Sets *${error} when ${j}
 * overflowed (nothing is then written) or the write fails.
 */
void
jb_line(struct jb *j, FILE *f, int *error)
{

    jb_raw(j, "\n", 1);
    if (j->overflow) {
        *error = 1;
        return;
    }
    if (fwrite(j->buf, 1, j->len, f) != j->len)
        *error = 1;
}
