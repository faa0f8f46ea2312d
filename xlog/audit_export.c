#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "common/bytes.h"
#include "common/log.h"
#include "proto/checkpoint.h"
#include "storage/members.h"
#include "storage/store.h"
#include "xlog/audit.h"
#include "xlog/audit_format.h"
#include "xlog/xlog.h"

/* A file being written, into a FILE or into memory, hashed as it goes. */
struct sink {
    FILE *f; /* NULL: into buf */
    uint8_t *buf;
    size_t len, cap;
    crypto_hash_sha256_state sha;
    uint64_t bytes;
    uint64_t count; /* frames */
    int err;
};

/* Start ${s}: into the FILE ${f}, or into memory when ${f} is NULL. */
static void
sink_init(struct sink *s, FILE *f)
{

    memset(s, 0, sizeof *s);
    s->f = f;
    crypto_hash_sha256_init(&s->sha);
}

/* Write ${n} bytes at ${p} to ${s} and hash them; an error sticks in
 * s->err (and later writes do nothing). */
static void
sink_write(struct sink *s, const void *p, size_t n)
{
    uint8_t *nb;
    size_t cap;

    if (s->err != 0 || n == 0)
        return;
    crypto_hash_sha256_update(&s->sha, p, n);
    s->bytes += n;
    if (s->f != NULL) {
        if (fwrite(p, 1, n, s->f) != n)
            s->err = SEEN_EIO;
        return;
    }
    if (n > s->cap - s->len) {
        cap = s->cap ? s->cap : 4096;
        while (cap - s->len < n) {
            if (cap > SIZE_MAX / 2) {
                s->err = SEEN_ENOMEM;
                return;
            }
            cap *= 2;
        }
        if ((nb = realloc(s->buf, cap)) == NULL) {
            s->err = SEEN_ENOMEM;
            return;
        }
        s->buf = nb;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, p, n);
    s->len += n;
}

/* Write ${p} (${n} bytes) to ${s} as one frame: its length (4 bytes,
 * big-endian), then the bytes. */
static void
sink_frame(struct sink *s, const void *p, size_t n)
{
    uint8_t h[4];

    if (n > UINT32_MAX) {
        s->err = SEEN_ECORRUPT;
        return;
    }
    seen_be32(h, (uint32_t)n);
    sink_write(s, h, 4);
    sink_write(s, p, n);
    s->count++;
}

/* Finish ${s}: what the manifest says of it, to ${st} (frames counted
 * when ${framed}). */
static void
sink_stat(struct sink *s, struct seen_audit_fstat *st, int framed)
{

    crypto_hash_sha256_final(&s->sha, st->sha);
    st->bytes = s->bytes;
    st->count = framed ? s->count : (s->bytes > 0);
}

/* Where leaf_out() writes, and the index of the leaf it expects next. */
struct leaves_ctx {
    struct sink *s;
    uint64_t next;
};

/* A seen_xlog_leaf_fn: frame each leaf, in order, with none missing.
 * Returns 0, or SEEN_ECORRUPT (logged) or the sink's error. */
static int
leaf_out(void *vctx, uint64_t index, const uint8_t *val, size_t vlen)
{
    struct leaves_ctx *c = vctx;

    if (index != c->next) {
        seen_error("exchange log: leaf %llu is missing from the store",
            (unsigned long long)c->next);
        return SEEN_ECORRUPT;
    }
    sink_frame(c->s, val, vlen);
    c->next++;
    return c->s->err;
}

/* A seen_xlog_iter_fn: frame each value into the sink ${ctx}. */
static int
frame_out(void *ctx, const uint8_t *val, size_t len)
{
    struct sink *s = ctx;

    sink_frame(s, val, len);
    return s->err;
}

/*
 * Write every data file of the export into s[1 .. NFILES - 1] and make
 * the manifest's text.
 */
static int
export_sinks(struct seen_txn *txn, struct sink s[SEEN_AUDIT_NFILES],
    struct seen_audit_summary *sum, char **manifest, size_t *mlen)
{
    struct seen_audit_fstat st[SEEN_AUDIT_NFILES];
    struct leaves_ctx lc;
    Seen__Checkpoint *last;
    uint8_t owner[32], root[32], auth[32];
    const uint8_t *cp, *doc;
    size_t cplen, dlen;
    uint64_t n;
    int rc, f;

    memset(sum, 0, sizeof *sum);
    memset(st, 0, sizeof st);
    if ((rc = seen_store_node_id(txn, owner)) != 0) {
        seen_error("exchange log: the store names no node");
        return SEEN_ECORRUPT;
    }
    if ((rc = seen_xlog_size(txn, &n)) != 0 ||
        (rc = seen_xlog_root(txn, n, root)) != 0)
        return rc;
    lc.s = &s[SEEN_AUDIT_LEAVES];
    lc.next = 0;
    if ((rc = seen_xlog_each_leaf(txn, leaf_out, &lc)) != 0) {
        if (rc == SEEN_ECORRUPT && lc.next < n)
            seen_error("exchange log: leaf %llu is missing from the store",
                (unsigned long long)lc.next);
        return rc;
    }
    if (lc.next != n) {
        seen_error("exchange log: %llu leaves stored, %llu recorded",
            (unsigned long long)lc.next, (unsigned long long)n);
        return SEEN_ECORRUPT;
    }
    if ((rc = seen_xlog_iter(txn, SEEN_XLOG_OWN_CHECKPOINTS, frame_out,
             &s[SEEN_AUDIT_CHECKPOINTS])) != 0 ||
        (rc = seen_xlog_iter(txn, SEEN_XLOG_COSIGNATURES, frame_out,
             &s[SEEN_AUDIT_COSIGNATURES])) != 0 ||
        (rc = seen_xlog_iter(
             txn, SEEN_XLOG_HELD, frame_out, &s[SEEN_AUDIT_PEERS])) != 0 ||
        (rc = seen_xlog_iter(
             txn, SEEN_XLOG_EVIDENCE, frame_out, &s[SEEN_AUDIT_EVIDENCE])) != 0)
        return rc;
    if (seen_members_current(txn, &doc, &dlen) == 0) {
        sink_write(&s[SEEN_AUDIT_MEMBERSHIP], doc, dlen);
        sum->membership = 1;
    }
    if (seen_members_authority(txn, auth) == 0)
        sink_write(&s[SEEN_AUDIT_AUTHORITY], auth, sizeof auth);
    for (f = SEEN_AUDIT_LEAVES; f < SEEN_AUDIT_NFILES; f++) {
        if (s[f].err != 0)
            return s[f].err;
        sink_stat(&s[f], &st[f],
            f != SEEN_AUDIT_MEMBERSHIP && f != SEEN_AUDIT_AUTHORITY);
    }
    if (seen_xlog_latest(txn, &cp, &cplen) == 0 &&
        seen_checkpoint_decode(cp, cplen, &last) == 0) {
        sum->signed_size = last->size;
        seen_checkpoint_destroy(&last);
    }
    sum->leaves = n;
    sum->checkpoints = st[SEEN_AUDIT_CHECKPOINTS].count;
    sum->cosignatures = st[SEEN_AUDIT_COSIGNATURES].count;
    sum->peers = st[SEEN_AUDIT_PEERS].count;
    sum->evidence = st[SEEN_AUDIT_EVIDENCE].count;
    *manifest = seen_audit_manifest_text(owner, n, root, st, mlen);
    if (*manifest == NULL)
        return SEEN_ENOMEM;
    return SEEN_OK;
}

/**
 * seen_audit_export_mem(txn, out, sum):
 * As seen_audit_export(), into memory: out[f] for each file f, malloc'd,
 * released with seen_audit_bufs_release().
 * Returns 0; SEEN_ECORRUPT; SEEN_ENOMEM (${out} is then empty).
 */
int
seen_audit_export_mem(struct seen_txn *txn,
    struct seen_audit_buf out[static SEEN_AUDIT_NFILES],
    struct seen_audit_summary *sum)
{
    struct seen_audit_summary dummy;
    struct sink s[SEEN_AUDIT_NFILES];
    char *man = NULL;
    size_t mlen = 0;
    int f, rc;

    memset(out, 0, SEEN_AUDIT_NFILES * sizeof *out);
    for (f = 0; f < SEEN_AUDIT_NFILES; f++)
        sink_init(&s[f], NULL);
    rc = export_sinks(txn, s, sum ? sum : &dummy, &man, &mlen);
    for (f = SEEN_AUDIT_LEAVES; f < SEEN_AUDIT_NFILES; f++) {
        out[f].data = s[f].buf;
        out[f].len = s[f].len;
        out[f].present = 1;
    }
    out[SEEN_AUDIT_MANIFEST].data = (uint8_t *)man;
    out[SEEN_AUDIT_MANIFEST].len = mlen;
    out[SEEN_AUDIT_MANIFEST].present = 1;
    if (rc != 0)
        seen_audit_bufs_release(out);
    return rc;
}

/* Create ${dir}/${name} for writing: mode 0600, never over a file. */
static FILE *
create_file(const char *dir, const char *name, int *exists)
{
    char path[4096];
    FILE *f;
    int fd;

    *exists = 0;
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
             0600)) == -1) {
        *exists = errno == EEXIST;
        return NULL;
    }
    if ((f = fdopen(fd, "wb")) == NULL)
        close(fd);
    return f;
}

/* Flush, sync and close ${f}; 0 or -1. */
static int
finish_file(FILE *f)
{
    int rc = 0;

    if (fflush(f) != 0 || fsync(fileno(f)) != 0)
        rc = -1;
    if (fclose(f) != 0)
        rc = -1;
    return rc;
}

/* Remove the files of an export in ${dir} that made[] says were
 * created. */
static void
remove_files(const char *dir, const int made[SEEN_AUDIT_NFILES])
{
    char path[4096];
    int f;

    for (f = 0; f < SEEN_AUDIT_NFILES; f++)
        if (made[f] && snprintf(path, sizeof path, "%s/%s", dir,
                           seen_audit_file_name(f)) < (int)sizeof path)
            (void)unlink(path);
}

/**
 * seen_audit_export(txn, dir, sum):
 * Write the export of the store's exchange log, as ${txn} sees it, to
 * the folder ${dir} (created with mode 0700 if missing; it must not hold
 * any of the export's files), each file mode 0600, the manifest last.
 * ${txn} may be a read transaction: a running node goes on meanwhile.
 * [out] ${sum}: what was exported, if ${sum} is not NULL.
 * Returns 0; SEEN_EEXIST when ${dir} holds an export file already;
 * SEEN_EIO (logged with the path; the files written are removed);
 * SEEN_ECORRUPT when the log in the store is damaged; SEEN_ENOMEM.
 */
int
seen_audit_export(
    struct seen_txn *txn, const char *dir, struct seen_audit_summary *sum)
{
    struct seen_audit_summary dummy;
    struct sink s[SEEN_AUDIT_NFILES];
    FILE *fp[SEEN_AUDIT_NFILES];
    int made[SEEN_AUDIT_NFILES];
    char *man = NULL;
    size_t mlen = 0;
    int f, rc, exists;

    memset(fp, 0, sizeof fp);
    memset(made, 0, sizeof made);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        seen_errorp("cannot create '%s'", dir);
        return SEEN_EIO;
    }
    for (f = 0; f < SEEN_AUDIT_NFILES; f++) {
        fp[f] = create_file(dir, seen_audit_file_name(f), &exists);
        if (fp[f] == NULL) {
            if (exists) {
                seen_error("'%s/%s' exists: export into an empty folder", dir,
                    seen_audit_file_name(f));
                rc = SEEN_EEXIST;
            } else {
                seen_errorp(
                    "cannot create '%s/%s'", dir, seen_audit_file_name(f));
                rc = SEEN_EIO;
            }
            goto fail;
        }
        made[f] = 1;
        sink_init(&s[f], fp[f]);
    }
    if ((rc = export_sinks(txn, s, sum ? sum : &dummy, &man, &mlen)) != 0)
        goto fail;
    if (fwrite(man, 1, mlen, fp[SEEN_AUDIT_MANIFEST]) != mlen) {
        rc = SEEN_EIO;
        goto fail;
    }
    /* The data files first, the manifest last. */
    for (f = SEEN_AUDIT_NFILES - 1; f >= 0; f--) {
        rc = finish_file(fp[f]);
        fp[f] = NULL;
        if (rc != 0) {
            seen_errorp("cannot write '%s/%s'", dir, seen_audit_file_name(f));
            rc = SEEN_EIO;
            goto fail;
        }
    }
    free(man);
    return SEEN_OK;

fail:
    if (rc == SEEN_EIO && errno != 0)
        seen_errorp("cannot write the export in '%s'", dir);
    for (f = 0; f < SEEN_AUDIT_NFILES; f++)
        if (fp[f] != NULL)
            fclose(fp[f]);
    remove_files(dir, made);
    free(man);
    return rc;
}

/**
 * seen_audit_write(dir, b):
 * Write the export ${b} (as seen_audit_export_mem made it, or as a
 * running node sent it) to the folder ${dir}, as seen_audit_export
 * would: ${dir} created with mode 0700 if missing and holding none of
 * the export's files, each present file mode 0600, synced, the manifest
 * last.  Returns 0; SEEN_EEXIST; SEEN_EIO (logged with the path; the
 * files written are removed).
 */
int
seen_audit_write(
    const char *dir, const struct seen_audit_buf b[static SEEN_AUDIT_NFILES])
{
    FILE *fp[SEEN_AUDIT_NFILES];
    int made[SEEN_AUDIT_NFILES];
    int f, rc = 0, exists;

    memset(fp, 0, sizeof fp);
    memset(made, 0, sizeof made);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        seen_errorp("cannot create '%s'", dir);
        return SEEN_EIO;
    }
    for (f = 0; f < SEEN_AUDIT_NFILES && rc == 0; f++) {
        if (!b[f].present)
            continue;
        if ((fp[f] = create_file(dir, seen_audit_file_name(f), &exists)) ==
            NULL) {
            if (exists)
                seen_error("'%s/%s' exists: export into an empty folder", dir,
                    seen_audit_file_name(f));
            else
                seen_errorp(
                    "cannot create '%s/%s'", dir, seen_audit_file_name(f));
            rc = exists ? SEEN_EEXIST : SEEN_EIO;
            break;
        }
        made[f] = 1;
        if (b[f].len > 0 && fwrite(b[f].data, 1, b[f].len, fp[f]) != b[f].len) {
            seen_errorp("cannot write '%s/%s'", dir, seen_audit_file_name(f));
            rc = SEEN_EIO;
        }
    }
    /* The data files first, the manifest last. */
    for (f = SEEN_AUDIT_NFILES - 1; f >= 0; f--) {
        if (fp[f] == NULL)
            continue;
        if (finish_file(fp[f]) != 0 && rc == 0) {
            seen_errorp("cannot write '%s/%s'", dir, seen_audit_file_name(f));
            rc = SEEN_EIO;
        }
    }
    if (rc != 0)
        remove_files(dir, made);
    return rc;
}
