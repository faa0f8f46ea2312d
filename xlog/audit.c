#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/bytes.h"
#include "common/hex.h"
#include "common/log.h"
#include "xlog/audit.h"
#include "xlog/audit_format.h"

static const char *const file_names[SEEN_AUDIT_NFILES] = {
    "manifest.txt",
    "leaves.bin",
    "checkpoints.bin",
    "cosignatures.bin",
    "peer-checkpoints.bin",
    "evidence.bin",
    "membership.bin",
    "authority.bin",
};

/**
 * seen_audit_file_name(f):
 * Return the file name of ${f} ("leaves.bin"), or NULL for a value that
 * is not a file.  The string is static.
 */
const char *
seen_audit_file_name(enum seen_audit_file f)
{

    if ((int)f < 0 || f >= SEEN_AUDIT_NFILES)
        return NULL;
    return file_names[f];
}

/**
 * seen_audit_manifest_text(owner, n, root, st, len):
 * Make the manifest of an export of the log of ${owner} with ${n} leaves
 * and the RFC 9162 root ${root}, whose data files are as st[f] says for
 * each f from SEEN_AUDIT_LEAVES on.
 * Returns the text (malloc'd, NUL-terminated; *${len} bytes without the
 * NUL), or NULL out of memory.
 */
char *
seen_audit_manifest_text(const uint8_t owner[static 32], uint64_t n,
    const uint8_t root[static 32],
    const struct seen_audit_fstat st[static SEEN_AUDIT_NFILES], size_t *len)
{
    char ho[65], hr[65], hs[65], *t;
    size_t cap = 1024, off;
    int f, w;

    if ((t = malloc(cap)) == NULL)
        return NULL;
    seen_hex_encode(ho, owner, 32);
    seen_hex_encode(hr, root, 32);
    off = (size_t)snprintf(t, cap, "%s\nowner %s\nsize %llu\nroot %s\n",
        SEEN_AUDIT_MAGIC, ho, (unsigned long long)n, hr);
    for (f = SEEN_AUDIT_LEAVES; f < SEEN_AUDIT_NFILES; f++) {
        seen_hex_encode(hs, st[f].sha, 32);
        w = snprintf(t + off, cap - off, "file %s %llu %llu %s\n",
            file_names[f], (unsigned long long)st[f].count,
            (unsigned long long)st[f].bytes, hs);
        if (w < 0 || (size_t)w >= cap - off) {
            free(t);
            return NULL;
        }
        off += (size_t)w;
    }
    *len = off;
    return t;
}

/**
 * seen_audit_next_frame(b, off, max, fr, flen):
 * Read the frame of ${b} at *${off} (a 4-byte big-endian length and that
 * many bytes) and move *${off} past it.
 * [out] ${fr}, ${flen}: the frame's bytes, borrowed from ${b}.
 * Returns 1 and the frame; 0 at the end; -1 when the rest is not a whole
 * frame of at most ${max} bytes (*${off} is then left where it was).
 */
int
seen_audit_next_frame(const struct seen_audit_buf *b, size_t *off, size_t max,
    const uint8_t **fr, size_t *flen)
{
    size_t left = b->len - *off;
    uint32_t n;

    if (left == 0)
        return 0;
    if (left < 4)
        return -1;
    n = seen_rd32(b->data + *off);
    if (n > left - 4 || n > max)
        return -1;
    *fr = b->data + *off + 4;
    *flen = n;
    *off += 4 + (size_t)n;
    return 1;
}

/**
 * seen_audit_load(dir, out):
 * Map the files of the export in ${dir} read-only into out[f] (a missing
 * file has present 0; an empty one present 1 and len 0).  Release them
 * with seen_audit_bufs_release(), and do not let the files change
 * meanwhile.
 * Returns 0; SEEN_ENOTFOUND when ${dir} is not a folder; SEEN_EIO
 * (logged with the path).
 */
int
seen_audit_load(
    const char *dir, struct seen_audit_buf out[static SEEN_AUDIT_NFILES])
{
    char path[4096];
    struct stat sb;
    void *p;
    int f, fd;

    memset(out, 0, SEEN_AUDIT_NFILES * sizeof *out);
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        seen_error("'%s' is not a folder", dir);
        return SEEN_ENOTFOUND;
    }
    for (f = 0; f < SEEN_AUDIT_NFILES; f++) {
        if (snprintf(path, sizeof path, "%s/%s", dir, file_names[f]) >=
            (int)sizeof path)
            goto fail;
        if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
            if (errno == ENOENT)
                continue;
            goto fail;
        }
        if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
            close(fd);
            errno = errno ? errno : EINVAL;
            goto fail;
        }
        out[f].present = 1;
        if (sb.st_size > 0) {
            p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
            if (p == MAP_FAILED) {
                close(fd);
                goto fail;
            }
            out[f].data = p;
            out[f].len = (size_t)sb.st_size;
            out[f].mapped = 1;
        }
        close(fd);
    }
    return SEEN_OK;
fail:
    seen_errorp("cannot read '%s'", path);
    seen_audit_bufs_release(out);
    return SEEN_EIO;
}

/**
 * seen_audit_bufs_release(b):
 * Free or unmap the files in b[0 .. SEEN_AUDIT_NFILES - 1] and empty
 * them.  Safe on empty buffers and twice.
 */
void
seen_audit_bufs_release(struct seen_audit_buf b[static SEEN_AUDIT_NFILES])
{
    int f;

    for (f = 0; f < SEEN_AUDIT_NFILES; f++) {
        if (b[f].mapped)
            munmap(b[f].data, b[f].len);
        else
            free(b[f].data);
        memset(&b[f], 0, sizeof b[f]);
    }
}
