/*
 * audit.h: exporting a node's exchange log for auditors, and checking an
 * export without the node or any of its keys (docs/audit-format.md, the
 * normative description of every file and every check).
 *
 * An export is a folder of eight files: the leaves of the log, the
 * checkpoints of it the node knows it signed, the cosignatures witnesses
 * returned for them, the latest checkpoint held of each peer's log, the
 * evidence of equivocation the node kept, the membership document with
 * the federation authority's key, and a manifest that binds them.  It
 * holds no key and nothing sealed under one: everything in it can be
 * checked with public keys, and the membership document names them all
 * under the one key (the authority's) that an auditor compares with the
 * one they trust.
 *
 * Checking recomputes the Merkle tree of the leaves and checks every
 * signature, rule and root against it; several exports checked together
 * are also checked against each other (seen_audit_cross()), which is how
 * a log rewritten by its own node is caught: its peers hold its earlier
 * checkpoints.  Results go to a callback, one per check, so that the
 * caller prints them as text or JSON.
 */
#ifndef SEEN_AUDIT_H
#define SEEN_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"

struct seen_txn;

/* The files of an export, in the manifest's order. */
enum seen_audit_file {
    SEEN_AUDIT_MANIFEST = 0, /* manifest.txt */
    SEEN_AUDIT_LEAVES,       /* leaves.bin */
    SEEN_AUDIT_CHECKPOINTS,  /* checkpoints.bin */
    SEEN_AUDIT_COSIGNATURES, /* cosignatures.bin */
    SEEN_AUDIT_PEERS,        /* peer-checkpoints.bin */
    SEEN_AUDIT_EVIDENCE,     /* evidence.bin */
    SEEN_AUDIT_MEMBERSHIP,   /* membership.bin */
    SEEN_AUDIT_AUTHORITY,    /* authority.bin */
    SEEN_AUDIT_NFILES
};

/* One file of an export in memory. */
struct seen_audit_buf {
    uint8_t *data; /* NULL when len is 0 */
    size_t len;
    int present; /* 0: the file is missing */
    int mapped;  /* how seen_audit_bufs_release() lets go of data */
};

/* What an export held, for the exporter's summary. */
struct seen_audit_summary {
    uint64_t leaves;
    uint64_t signed_size; /* the largest checkpoint's size; 0 for none */
    uint64_t checkpoints;
    uint64_t cosignatures;
    uint64_t peers;
    uint64_t evidence;
    int membership; /* 1 when a membership document was exported */
};

/**
 * seen_audit_file_name(f):
 * Return the file name of ${f} ("leaves.bin"), or NULL for a value that
 * is not a file.  The string is static.
 */
const char *seen_audit_file_name(enum seen_audit_file f);

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
SEEN_MUST_CHECK int seen_audit_export(
    struct seen_txn *txn, const char *dir, struct seen_audit_summary *sum);

/**
 * seen_audit_export_mem(txn, out, sum):
 * As seen_audit_export(), into memory: out[f] for each file f, malloc'd,
 * released with seen_audit_bufs_release().
 * Returns 0; SEEN_ECORRUPT; SEEN_ENOMEM (${out} is then empty).
 */
SEEN_MUST_CHECK int seen_audit_export_mem(struct seen_txn *txn,
    struct seen_audit_buf out[static SEEN_AUDIT_NFILES],
    struct seen_audit_summary *sum);

/**
 * seen_audit_write(dir, b):
 * Write the export ${b} (as seen_audit_export_mem made it, or as a
 * running node sent it) to the folder ${dir}, as seen_audit_export
 * would: ${dir} created with mode 0700 if missing and holding none of
 * the export's files, each present file mode 0600, synced, the manifest
 * last.  Returns 0; SEEN_EEXIST; SEEN_EIO (logged with the path; the
 * files written are removed).
 */
SEEN_MUST_CHECK int seen_audit_write(
    const char *dir, const struct seen_audit_buf b[static SEEN_AUDIT_NFILES]);

/**
 * seen_audit_load(dir, out):
 * Map the files of the export in ${dir} read-only into out[f] (a missing
 * file has present 0; an empty one present 1 and len 0).  Release them
 * with seen_audit_bufs_release(), and do not let the files change
 * meanwhile.
 * Returns 0; SEEN_ENOTFOUND when ${dir} is not a folder; SEEN_EIO
 * (logged with the path).
 */
SEEN_MUST_CHECK int seen_audit_load(
    const char *dir, struct seen_audit_buf out[static SEEN_AUDIT_NFILES]);

/**
 * seen_audit_bufs_release(b):
 * Free or unmap the files in b[0 .. SEEN_AUDIT_NFILES - 1] and empty
 * them.  Safe on empty buffers and twice.
 */
void seen_audit_bufs_release(struct seen_audit_buf b[static SEEN_AUDIT_NFILES]);

/* The result of one check, passed to a seen_audit_report_fn. */
struct seen_audit_check {
    const char *export; /* the export's label */
    const char *check;  /* its name: docs/audit-format.md lists them */
    int ok;             /* 1: passed; 0: failed */
    int finding;        /* 1: passed, but shows something an auditor
                           must see (a peer's equivocation) */
    const char *detail; /* one line of text, no newline */
};

/* Called once per check result; every pointer is borrowed for the call. */
typedef void seen_audit_report_fn(void *ctx, const struct seen_audit_check *c);

/* What the auditor requires of an export. */
struct seen_audit_opts {
    const uint8_t *authority; /* 32 bytes: the authority key trusted; NULL:
                                 any (it is reported, to be compared) */
    const uint8_t *owner;     /* 32 bytes: accept this owner key with no
                                 membership document (a lone node); NULL */
};

struct seen_audit;

/**
 * seen_audit_open(in, label, opts, fn, ctx, out):
 * Parse the export whose files are ${in} (not retained) and check it,
 * reporting every check to ${fn}(${ctx}, ...) under ${label}.  Never
 * crashes on any bytes.
 * [out] ${out}: the parsed export, for seen_audit_cross(), owned by the
 * caller (seen_audit_destroy()), also when checks failed.
 * Returns 0 (see seen_audit_failures() for the verdict); SEEN_ENOMEM.
 */
SEEN_MUST_CHECK int seen_audit_open(
    const struct seen_audit_buf in[static SEEN_AUDIT_NFILES], const char *label,
    const struct seen_audit_opts *opts, seen_audit_report_fn *fn, void *ctx,
    struct seen_audit **out);

/**
 * seen_audit_failures(a):
 * Return the number of checks of ${a} that failed (0: every one passed).
 */
uint64_t seen_audit_failures(const struct seen_audit *a);

/**
 * seen_audit_findings(a):
 * Return the number of findings reported for ${a}.
 */
uint64_t seen_audit_findings(const struct seen_audit *a);

/**
 * seen_audit_cross(v, n, fn, ctx):
 * Check the ${n} exports ${v} against each other: every checkpoint of one
 * export's log held by another (a peer's checkpoint, one in a received
 * envelope, one kept as evidence) must agree with the first export's
 * leaves, and all exports must name the same authority.  Each result is
 * reported to ${fn}(${ctx}, ...) under the label of the export whose log
 * is checked, and a failure is counted against it.
 * Returns 0; SEEN_ENOMEM.
 */
SEEN_MUST_CHECK int seen_audit_cross(
    struct seen_audit *const *v, size_t n, seen_audit_report_fn *fn, void *ctx);

/**
 * seen_audit_destroy(&a):
 * Free ${a}.  Sets the caller's pointer to NULL; NULL or a pointer to NULL
 * is a no-op, so it is safe twice.
 */
void seen_audit_destroy(struct seen_audit **pp);

#endif /* !SEEN_AUDIT_H */
