/*
 * passphrase.h: obtaining the keystore passphrase, as spec/cli.md says:
 * from the file named by SEEN_PASSPHRASE_FILE when that is set, from an
 * inherited descriptor when the daemon is started by `seen node start`,
 * and otherwise from the terminal.  Never from a command-line argument.
 */
#ifndef SEEN_PASSPHRASE_H
#define SEEN_PASSPHRASE_H

#include <stddef.h>

#include "common/seen.h"

#define SEEN_PASSPHRASE_MAX 1024

/**
 * seen_passphrase_get(prompt, confirm, out, len):
 * Read a passphrase: from $SEEN_PASSPHRASE_FILE if set (its first line),
 * else from /dev/tty with echo off after printing ${prompt}, asking twice
 * when ${confirm}.  Returns 0 with *${out} in sodium_malloc memory (free
 * with seen_passphrase_destroy) and its length in *${len}; SEEN_EINVAL for
 * an empty passphrase or a mismatch; SEEN_EIO when there is no file and
 * no terminal (logged).
 */
SEEN_MUST_CHECK int seen_passphrase_get(const char *prompt, int confirm,
    char **out, size_t *len);

/**
 * seen_passphrase_from_fd(fd, out, len):
 * Read a passphrase (up to EOF or a newline) from descriptor ${fd} and
 * close it.  Returns as seen_passphrase_get.
 */
SEEN_MUST_CHECK int seen_passphrase_from_fd(int fd, char **out, size_t *len);

/**
 * seen_passphrase_destroy(&p):
 * Wipe and free a passphrase.  Sets the caller's pointer to NULL; NULL or a
 * pointer to NULL is a no-op, so it is safe twice.
 */
void seen_passphrase_destroy(char **pp);

#endif /* !SEEN_PASSPHRASE_H */
