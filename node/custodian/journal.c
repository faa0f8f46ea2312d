/*
 * journal.c: a custodian's journal of OPRF requests (journal.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "common/file.h"
#include "common/log.h"
#include "node/custodian/journal.h"

#include "seen.pb-c.h"

#define REC_MAGIC 'O'
#define REC_HEAD 3
#define REC_TAG 8

struct seen_cjournal {
    pthread_mutex_t mu;
    int fd;
    char *path;
};

/**
 * seen_cjournal_open(path, out):
 * Open (creating, mode 0600) the journal ${path} for appending.  [out]
 * ${out}: the journal, released with seen_cjournal_close().  The path is
 * copied.  Returns 0; SEEN_EIO (logged); SEEN_ENOMEM.
 */
int
seen_cjournal_open(const char *path, struct seen_cjournal **out)
{
    struct seen_cjournal *j;

    *out = NULL;
    if ((j = calloc(1, sizeof *j)) == NULL || (j->path = strdup(path)) == NULL) {
        free(j);
        return SEEN_ENOMEM;
    }
    if ((j->fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC |
                                O_NOFOLLOW, 0600)) == -1) {
        seen_errorp("cannot open the custodian journal '%s'", path);
        free(j->path);
        free(j);
        return SEEN_EIO;
    }
    pthread_mutex_init(&j->mu, NULL);
    *out = j;
    return 0;
}

/**
 * seen_cjournal_close(&j):
 * Close ${j}; safe on NULL and twice; sets the caller's pointer to NULL.
 */
void
seen_cjournal_close(struct seen_cjournal **pp)
{
    struct seen_cjournal *j;

    if (pp == NULL || (j = *pp) == NULL)
        return;
    *pp = NULL;
    close(j->fd);
    pthread_mutex_destroy(&j->mu);
    free(j->path);
    free(j);
}

/* The tag of a record: BLAKE2b-64 of its head and body (${n} bytes). */
static void
rec_tag(uint8_t tag[REC_TAG], const uint8_t *rec, size_t n)
{

    crypto_generichash(tag, REC_TAG, rec, n, NULL, 0);
}

/**
 * seen_cjournal_append(j, r):
 * Append the record ${r} to ${j} and fdatasync it; thread-safe.  Returns 0;
 * SEEN_EINVAL when ${r} encodes to more than SEEN_CJOURNAL_RECORD_MAX
 * bytes; SEEN_EIO (logged; a partial write is cut off again).
 */
int
seen_cjournal_append(struct seen_cjournal *j, const Seen__OprfRecord *r)
{
    uint8_t buf[REC_HEAD + SEEN_CJOURNAL_RECORD_MAX + REC_TAG];
    size_t n = seen__oprf_record__get_packed_size(r);
    struct stat sb;
    ssize_t w;
    int rc = 0;

    if (n > SEEN_CJOURNAL_RECORD_MAX)
        return SEEN_EINVAL;
    buf[0] = REC_MAGIC;
    buf[1] = (uint8_t)(n >> 8);
    buf[2] = (uint8_t)n;
    seen__oprf_record__pack(r, buf + REC_HEAD);
    rec_tag(buf + REC_HEAD + n, buf, REC_HEAD + n);
    n += REC_HEAD + REC_TAG;
    pthread_mutex_lock(&j->mu);
    if (fstat(j->fd, &sb) != 0) {
        rc = SEEN_EIO;
        goto done;
    }
    w = write(j->fd, buf, n);
    if (w != (ssize_t)n || fdatasync(j->fd) != 0) {
        seen_errorp("cannot write the custodian journal '%s'", j->path);
        if (ftruncate(j->fd, sb.st_size) != 0)
            seen_errorp("cannot cut '%s' back", j->path);
        rc = SEEN_EIO;
    }
done:
    pthread_mutex_unlock(&j->mu);
    return rc;
}

/* The whole of ${j}'s file, read under its lock: *${buf}, *${len}. */
static int
read_all(struct seen_cjournal *j, uint8_t **buf, size_t *len)
{
    struct stat sb;
    ssize_t r;
    size_t off = 0;

    *buf = NULL;
    *len = 0;
    if (fstat(j->fd, &sb) != 0)
        return SEEN_EIO;
    if ((*buf = malloc(sb.st_size > 0 ? (size_t)sb.st_size : 1)) == NULL)
        return SEEN_ENOMEM;
    while (off < (size_t)sb.st_size) {
        r = pread(j->fd, *buf + off, (size_t)sb.st_size - off, (off_t)off);
        if (r <= 0)
            break;
        off += (size_t)r;
    }
    *len = off;
    return 0;
}

/**
 * seen_cjournal_read(j, fn, ctx, end):
 * Call ${fn} for every whole record of ${j}, in order, stopping at the
 * first torn or damaged one (said once, as a warning).  [out] ${end} (if
 * not NULL): the offset just past the last whole record, for
 * seen_cjournal_consume().  Returns 0; SEEN_EIO; ${fn}'s code.
 */
int
seen_cjournal_read(struct seen_cjournal *j, seen_cjournal_fn *fn, void *ctx,
    uint64_t *end)
{
    Seen__OprfRecord *r;
    uint8_t *buf, tag[REC_TAG];
    size_t len, off = 0, n;
    int rc;

    pthread_mutex_lock(&j->mu);
    rc = read_all(j, &buf, &len);
    pthread_mutex_unlock(&j->mu);
    if (rc != 0) {
        free(buf);
        return rc;
    }
    while (off < len) {
        if (len - off < REC_HEAD || buf[off] != REC_MAGIC)
            break;
        n = (size_t)buf[off + 1] << 8 | buf[off + 2];
        if (n > SEEN_CJOURNAL_RECORD_MAX || len - off < REC_HEAD + n + REC_TAG)
            break;
        rec_tag(tag, buf + off, REC_HEAD + n);
        if (sodium_memcmp(tag, buf + off + REC_HEAD + n, REC_TAG) != 0 ||
            (r = seen__oprf_record__unpack(NULL, n, buf + off + REC_HEAD)) ==
                NULL)
            break;
        rc = fn(ctx, r);
        seen__oprf_record__free_unpacked(r, NULL);
        if (rc != 0)
            goto done;
        off += REC_HEAD + n + REC_TAG;
    }
    if (off < len)
        seen_warn("custodian journal '%s': %zu bytes after offset %zu are "
                  "not a whole record (a write cut short): ignored",
            j->path, len - off, off);
done:
    if (end != NULL)
        *end = off;
    free(buf);
    return rc;
}

/**
 * seen_cjournal_consume(j, end):
 * Drop the first ${end} bytes of ${j} (what seen_cjournal_read() read and
 * the caller has made durable elsewhere), keeping any record appended
 * since, under the journal's lock.  Returns 0; SEEN_EIO (logged).
 */
int
seen_cjournal_consume(struct seen_cjournal *j, uint64_t end)
{
    uint8_t *buf = NULL;
    size_t len;
    int fd, rc;

    pthread_mutex_lock(&j->mu);
    if ((rc = read_all(j, &buf, &len)) != 0)
        goto done;
    if (end >= len) {
        /* All of it was folded: empty the file in place. */
        if (ftruncate(j->fd, 0) != 0 || fdatasync(j->fd) != 0) {
            seen_errorp("cannot empty the custodian journal '%s'", j->path);
            rc = SEEN_EIO;
        }
        goto done;
    }
    /* Records came in since: the rest replaces the file, atomically. */
    if (seen_file_write_atomic(j->path, buf + end, len - (size_t)end, 0600,
            0) != 0) {
        seen_errorp("cannot rewrite the custodian journal '%s'", j->path);
        rc = SEEN_EIO;
        goto done;
    }
    if ((fd = open(j->path, O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW)) ==
        -1) {
        seen_errorp("cannot reopen the custodian journal '%s'", j->path);
        rc = SEEN_EIO;
        goto done;
    }
    close(j->fd);
    j->fd = fd;
done:
    pthread_mutex_unlock(&j->mu);
    free(buf);
    return rc;
}

/**
 * seen_cjournal_pending(j):
 * Return the bytes of ${j} not yet consumed (0: empty).
 */
uint64_t
seen_cjournal_pending(struct seen_cjournal *j)
{
    struct stat sb;
    uint64_t n = 0;

    pthread_mutex_lock(&j->mu);
    if (fstat(j->fd, &sb) == 0)
        n = (uint64_t)sb.st_size;
    pthread_mutex_unlock(&j->mu);
    return n;
}
