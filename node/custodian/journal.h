/*
 * journal.h: a custodian's journal (issue 16; docs/protocol.md,
 * "Custodians"): every OPRF request it served or refused, made durable
 * before it answers, until the main thread folds the records into its
 * exchange log.  The service thread never touches the store (the main
 * thread may hold a write transaction through a whole import), so the
 * journal is a plain file, HOME/custodian.journal:
 *
 *     record  'O'(1) len(2, big-endian) OprfRecord(len)
 *             BLAKE2b-64 of the preceding 3 + len bytes (8)
 *
 * A record cut short by a crash, or one whose hash does not hold, ends
 * what is read: it and whatever follows are ignored (a reply is sent only
 * after its record is synced, so such a record was never answered).
 * Appends are serialised by the journal's own lock; reading and emptying
 * are the main thread's.
 */
#ifndef SEEN_CUSTODIAN_JOURNAL_H
#define SEEN_CUSTODIAN_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"
#include "seen.pb-c.h"

#define SEEN_CJOURNAL_NAME "custodian.journal"
#define SEEN_CJOURNAL_RECORD_MAX 1024 /* an encoded OprfRecord, at most */

struct seen_cjournal;

/**
 * seen_cjournal_open(path, out):
 * Open (creating, mode 0600) the journal ${path} for appending.  [out]
 * ${out}: the journal, released with seen_cjournal_close().  The path is
 * copied.  Returns 0; SEEN_EIO (logged); SEEN_ENOMEM.
 */
SEEN_MUST_CHECK int seen_cjournal_open(const char *path,
    struct seen_cjournal **out);

/**
 * seen_cjournal_close(&j):
 * Close ${j}; safe on NULL and twice; sets the caller's pointer to NULL.
 */
void seen_cjournal_close(struct seen_cjournal **pp);

/**
 * seen_cjournal_append(j, r):
 * Append the record ${r} to ${j} and fdatasync it; thread-safe.  Returns 0;
 * SEEN_EINVAL when ${r} encodes to more than SEEN_CJOURNAL_RECORD_MAX
 * bytes; SEEN_EIO (logged; a partial write is cut off again).
 */
SEEN_MUST_CHECK int seen_cjournal_append(struct seen_cjournal *j,
    const Seen__OprfRecord *r);

/*
 * seen_cjournal_fn(ctx, r): one record read back (borrowed for the call);
 * return 0 to go on, or a negative SEEN_E* code to stop with it.
 */
typedef int seen_cjournal_fn(void *ctx, const Seen__OprfRecord *r);

/**
 * seen_cjournal_read(j, fn, ctx, end):
 * Call ${fn} for every whole record of ${j}, in order, stopping at the
 * first torn or damaged one (said once, as a warning).  [out] ${end} (if
 * not NULL): the offset just past the last whole record, for
 * seen_cjournal_consume().  Returns 0; SEEN_EIO; ${fn}'s code.
 */
SEEN_MUST_CHECK int seen_cjournal_read(struct seen_cjournal *j,
    seen_cjournal_fn *fn, void *ctx, uint64_t *end);

/**
 * seen_cjournal_consume(j, end):
 * Drop the first ${end} bytes of ${j} (what seen_cjournal_read() read and
 * the caller has made durable elsewhere), keeping any record appended
 * since, under the journal's lock.  Returns 0; SEEN_EIO (logged).
 */
SEEN_MUST_CHECK int seen_cjournal_consume(struct seen_cjournal *j,
    uint64_t end);

/**
 * seen_cjournal_pending(j):
 * Return the bytes of ${j} not yet consumed (0: empty).
 */
uint64_t seen_cjournal_pending(struct seen_cjournal *j);

#endif /* !SEEN_CUSTODIAN_JOURNAL_H */
