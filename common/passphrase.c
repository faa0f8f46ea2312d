#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "common/log.h"
#include "common/passphrase.h"

/* Read up to EOF or newline from fd into a locked buffer. */
static int
read_line_fd(int fd, char **out, size_t *len)
{
    char *p;
    size_t n = 0;
    ssize_t r;
    char c;

    if ((p = sodium_malloc(SEEN_PASSPHRASE_MAX + 1)) == NULL)
        return SEEN_ENOMEM;
    for (;;) {
        r = read(fd, &c, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0 || c == '\n')
            break;
        if (n >= SEEN_PASSPHRASE_MAX) {
            seen_error("passphrase longer than %d bytes", SEEN_PASSPHRASE_MAX);
            sodium_free(p);
            return SEEN_EINVAL;
        }
        p[n++] = c;
    }
    if (n > 0 && p[n - 1] == '\r')
        n--;
    p[n] = '\0';
    if (n == 0) {
        seen_error("empty passphrase");
        sodium_free(p);
        return SEEN_EINVAL;
    }
    *out = p;
    *len = n;
    return SEEN_OK;
}

/**
 * seen_passphrase_from_fd(fd, out, len):
 * Read a passphrase (up to EOF or a newline) from descriptor ${fd} and
 * close it.  Returns as seen_passphrase_get.
 */
int
seen_passphrase_from_fd(int fd, char **out, size_t *len)
{
    int rc;

    rc = read_line_fd(fd, out, len);
    close(fd);
    return rc;
}

static int
read_tty(int tty, const char *prompt, char **out, size_t *len)
{
    struct termios old, quiet;
    int rc, echo_off;

    if (write(tty, prompt, strlen(prompt)) < 0)
        return SEEN_EIO;
    echo_off = tcgetattr(tty, &old) == 0;
    if (echo_off) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
        quiet.c_lflag |= ICANON;
        tcsetattr(tty, TCSAFLUSH, &quiet);
    }
    rc = read_line_fd(tty, out, len);
    if (echo_off)
        tcsetattr(tty, TCSAFLUSH, &old);
    if (write(tty, "\n", 1) < 0) {
        /* Nothing to do: the passphrase was read. */
    }
    return rc;
}

/**
 * seen_passphrase_get(prompt, confirm, out, len):
 * Read a passphrase: from $SEEN_PASSPHRASE_FILE if set (its first line),
 * else from /dev/tty with echo off after printing ${prompt}, asking twice
 * when ${confirm}.  Returns 0 with *${out} in sodium_malloc memory (free
 * with seen_passphrase_destroy) and its length in *${len}; SEEN_EINVAL for
 * an empty passphrase or a mismatch; SEEN_EIO when there is no file and
 * no terminal (logged).
 */
int
seen_passphrase_get(const char *prompt, int confirm, char **out, size_t *len)
{
    const char *file = getenv("SEEN_PASSPHRASE_FILE");
    char *again;
    size_t alen;
    int fd, rc;

    *out = NULL;
    if (file != NULL && file[0] != '\0') {
        if ((fd = open(file, O_RDONLY)) < 0) {
            seen_errorp("cannot read SEEN_PASSPHRASE_FILE '%s'", file);
            return SEEN_EIO;
        }
        return seen_passphrase_from_fd(fd, out, len);
    }
    if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY)) < 0) {
        seen_error("no passphrase: set SEEN_PASSPHRASE_FILE or run on a "
                  "terminal");
        return SEEN_EIO;
    }
    if ((rc = read_tty(fd, prompt, out, len)) != 0)
        goto done;
    if (confirm) {
        if ((rc = read_tty(fd, "Repeat passphrase: ", &again, &alen)) != 0)
            goto fail;
        if (alen != *len || sodium_memcmp(again, *out, alen) != 0) {
            seen_error("passphrases do not match");
            sodium_free(again);
            rc = SEEN_EINVAL;
            goto fail;
        }
        sodium_free(again);
    }
    goto done;
fail:
    sodium_free(*out);
    *out = NULL;
done:
    close(fd);
    return rc;
}

/**
 * seen_passphrase_destroy(&p):
 * Wipe and free a passphrase.  Sets the caller's pointer to NULL; NULL or a
 * pointer to NULL is a no-op, so it is safe twice.
 */
void
seen_passphrase_destroy(char **pp)
{
    char *p;

    if (pp == NULL || (p = *pp) == NULL)
        return;
    *pp = NULL;
    sodium_free(p);
}
