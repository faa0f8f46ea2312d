/*
 * audit_format.h: what writing an export (audit_export.c) and checking
 * one (audit_verify.c) share of the format of xlog/audit.h and
 * docs/audit-format.md: the manifest's text and the framing of the data
 * files.  Internal to xlog/.
 */
#ifndef SEEN_AUDIT_FORMAT_H
#define SEEN_AUDIT_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "xlog/audit.h"

/* The first line of a manifest: the format and its version. */
#define SEEN_AUDIT_MAGIC "seen-audit-export 1"

/* The longest frame of checkpoints, cosignatures and evidence. */
#define SEEN_AUDIT_FRAME_MAX (64u << 10)

/* What the manifest says of one data file. */
struct seen_audit_fstat {
    uint64_t count; /* frames; for an unframed file, 1 when not empty */
    uint64_t bytes;
    uint8_t sha[32];
};

/**
 * seen_audit_manifest_text(owner, n, root, st, len):
 * Make the manifest of an export of the log of ${owner} with ${n} leaves
 * and the RFC 9162 root ${root}, whose data files are as st[f] says for
 * each f from SEEN_AUDIT_LEAVES on.
 * Returns the text (malloc'd, NUL-terminated; *${len} bytes without the
 * NUL), or NULL out of memory.
 */
char *seen_audit_manifest_text(const uint8_t owner[static 32], uint64_t n,
    const uint8_t root[static 32],
    const struct seen_audit_fstat st[static SEEN_AUDIT_NFILES], size_t *len);

/**
 * seen_audit_next_frame(b, off, max, fr, flen):
 * Read the frame of ${b} at *${off} (a 4-byte big-endian length and that
 * many bytes) and move *${off} past it.
 * [out] ${fr}, ${flen}: the frame's bytes, borrowed from ${b}.
 * Returns 1 and the frame; 0 at the end; -1 when the rest is not a whole
 * frame of at most ${max} bytes (*${off} is then left where it was).
 */
int seen_audit_next_frame(const struct seen_audit_buf *b, size_t *off,
    size_t max, const uint8_t **fr, size_t *flen);

#endif /* !SEEN_AUDIT_FORMAT_H */
