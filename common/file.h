/*
 * file.h: whole files, read and written in one call.
 *
 * These functions log nothing: on error they return a SEEN_E* code and
 * leave errno set to the cause, and the caller, who knows what the file
 * is for, says what failed (with strerror(errno) if it likes).
 */
#ifndef SEEN_FILE_H
#define SEEN_FILE_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"

/* seen_file_write_atomic() flag: never remove an existing "${path}.tmp". */
#define SEEN_FILE_EXCL 0x1

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
SEEN_MUST_CHECK int seen_file_write_atomic(
    const char *path, const void *buf, size_t len, mode_t mode, int flags);

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
SEEN_MUST_CHECK int seen_file_read(
    const char *path, size_t max, uint8_t **buf, size_t *len);

/**
 * seen_file_remove_tree(path):
 * Remove ${path} and, if it is a directory, everything below it, without
 * following symbolic links (a link is removed, not what it names).
 * Returns 0; SEEN_ENOTFOUND when ${path} does not exist; SEEN_EIO when
 * something could not be removed (errno says why; what could be is gone).
 */
SEEN_MUST_CHECK int seen_file_remove_tree(const char *path);

#endif /* !SEEN_FILE_H */
