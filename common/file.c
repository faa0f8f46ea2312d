#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/file.h"

/* Cleanups that leave errno as the failure that led to them set it. */
static void
close_keep_errno(int fd)
{
    int saved = errno;

    close(fd);
    errno = saved;
}

static void
unlink_keep_errno(const char *path)
{
    int saved = errno;

    unlink(path);
    errno = saved;
}

static void
free_keep_errno(void *p)
{
    int saved = errno;

    free(p);
    errno = saved;
}

/* fsync the directory holding ${path}.  Returns 0 or -1 (errno). */
static int
fsync_dir(const char *path)
{
    char *dir, *slash;
    int fd, rc = -1;

    if ((dir = strdup(path)) == NULL)
        return -1;
    if ((slash = strrchr(dir, '/')) == NULL)
        strcpy(dir, ".");
    else if (slash == dir)
        slash[1] = '\0';
    else
        *slash = '\0';
    if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
        goto done;
    if (fsync(fd) == 0)
        rc = 0;
    close_keep_errno(fd);
done:
    free_keep_errno(dir);
    return rc;
}

/* Write the ${len} bytes of ${p} to ${fd}.  Returns 0 or -1 (errno). */
static int
write_all(int fd, const uint8_t *p, size_t len)
{
    ssize_t n;

    while (len > 0) {
        if ((n = write(fd, p, len)) < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/**
 * seen_file_write_atomic(path, buf, len, mode, flags):
 * Replace ${path} with the ${len} bytes of ${buf} so that a crash leaves
 * either the old file or the whole new one: write them to "${path}.tmp"
 * (created with O_EXCL and O_NOFOLLOW, so never through a symlink), set
 * its mode to ${mode} whatever the umask, fsync it, rename it over
 * ${path}, and fsync the directory holding ${path}.  A "${path}.tmp"
 * left by an earlier writer is removed first, unless ${flags} has
 * SEEN_FILE_EXCL: then it is left alone and the call fails.
 * Returns 0; SEEN_EEXIST if "${path}.tmp" exists when it is to be created
 * (with SEEN_FILE_EXCL, or another writer made it meanwhile; errno
 * EEXIST); SEEN_ENOMEM; SEEN_EIO if a system call fails (errno says
 * which way).  Nothing is logged.
 * On error ${path} is as it was and no temporary file of this call is
 * left behind, except when only the final fsync of the directory fails
 * (SEEN_EIO): then the new file is already in place, its durability in
 * doubt.  ${buf} is not retained.
 */
int
seen_file_write_atomic(
    const char *path, const void *buf, size_t len, mode_t mode, int flags)
{
    size_t plen = strlen(path);
    char *tmp;
    int fd, rc = SEEN_EIO;

    if ((tmp = malloc(plen + sizeof(".tmp"))) == NULL) {
        rc = SEEN_ENOMEM;
        goto err0;
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp", sizeof(".tmp"));

    if ((flags & SEEN_FILE_EXCL) == 0 && unlink(tmp) != 0 && errno != ENOENT)
        goto err1;
    /* O_EXCL: never write through a symlink or over another writer. */
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
             mode)) == -1) {
        if (errno == EEXIST)
            rc = SEEN_EEXIST;
        goto err1;
    }
    if (fchmod(fd, mode) != 0 || write_all(fd, buf, len) != 0 || fsync(fd) != 0)
        goto err3;
    if (close(fd) != 0)
        goto err2;
    if (rename(tmp, path) != 0)
        goto err2;

    /* The new file is in place; only its durability is in doubt. */
    if (fsync_dir(path) != 0)
        goto err1;
    free(tmp);

    /* Success! */
    return 0;

err3:
    close_keep_errno(fd);
err2:
    unlink_keep_errno(tmp);
err1:
    free_keep_errno(tmp);
err0:
    return rc;
}

/**
 * seen_file_read(path, max, buf, len):
 * Read the whole of the regular file ${path}, which may be at most ${max}
 * bytes long.  On success *${buf} is a new buffer holding its *${len}
 * bytes followed by a NUL (not counted in *${len}), which the caller owns
 * and frees with free(3); on error *${buf} is NULL.
 * Returns 0; SEEN_ENOTFOUND if ${path} does not exist (errno ENOENT);
 * SEEN_EINVAL if it is not a regular file (errno EINVAL) or is longer
 * than ${max} bytes (errno EFBIG); SEEN_ENOMEM; SEEN_EIO if a system
 * call fails (errno says which way).  Nothing is logged.
 */
int
seen_file_read(const char *path, size_t max, uint8_t **buf, size_t *len)
{
    struct stat sb;
    uint8_t *b;
    size_t size, got = 0;
    ssize_t n;
    int fd, rc = SEEN_EIO;

    *buf = NULL;
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
        if (errno == ENOENT)
            rc = SEEN_ENOTFOUND;
        goto err0;
    }
    if (fstat(fd, &sb) != 0)
        goto err1;
    if (!S_ISREG(sb.st_mode)) {
        errno = EINVAL;
        rc = SEEN_EINVAL;
        goto err1;
    }
    if ((uintmax_t)sb.st_size > max) {
        errno = EFBIG;
        rc = SEEN_EINVAL;
        goto err1;
    }
    size = (size_t)sb.st_size;
    if ((b = malloc(size + 1)) == NULL) {
        rc = SEEN_ENOMEM;
        goto err1;
    }

    /* Up to the size fstat gave: a file that grows meanwhile is cut. */
    while (got < size) {
        if ((n = read(fd, b + got, size - got)) < 0) {
            if (errno == EINTR)
                continue;
            goto err2;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    b[got] = '\0';
    *buf = b;
    *len = got;

    /* Success! */
    return 0;

err2:
    free_keep_errno(b);
err1:
    close_keep_errno(fd);
err0:
    return rc;
}

static int
remove_one(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{

    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/**
 * seen_file_remove_tree(path):
 * Remove ${path} and, if it is a directory, everything below it, without
 * following symbolic links (a link is removed, not what it names).
 * Returns 0; SEEN_ENOTFOUND when ${path} does not exist; SEEN_EIO when
 * something could not be removed (errno says why; what could be is gone).
 */
int
seen_file_remove_tree(const char *path)
{
    struct stat sb;

    if (lstat(path, &sb) != 0)
        return errno == ENOENT ? SEEN_ENOTFOUND : SEEN_EIO;
    return nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0
                                                               : SEEN_EIO;
}
