/*
 * probe_repl.h: seen-probe's actions against replication (issue 11, cases
 * 3 and 4), in probe_repl.c.  Each builds one frame from ${p} into ${buf}
 * and ${len} (malloc'd, the caller frees it) and returns 0, or -1 having
 * said why not.
 *
 *   frame        ENTRIES, signed by the probe, of leaves of the feed of
 *                the node at --cp-from that it never signed, from --from
 *                (the size of that feed the target holds), with that
 *                node's genuine latest checkpoint, read from its store
 *                (stopped): the member framing an innocent origin
 *   range-flood  GET_RANGE of the target's own feed from --from (plus the
 *                frame's number) to --size (default: 2048 further)
 *   big-heads    HEADS of --size heads (default 5000), all but one of the
 *                signer's own feed, with checkpoints of bad signatures
 *   hello-flood  HELLO naming membership version 0: each asks for the
 *                document
 */
#ifndef SEEN_TESTS_PROBE_REPL_H
#define SEEN_TESTS_PROBE_REPL_H

#include <stddef.h>
#include <stdint.h>

struct probe;

int probe_build_frame(struct probe *p, uint8_t **buf, size_t *len);
int probe_build_range(struct probe *p, uint8_t **buf, size_t *len);
int probe_build_big_heads(struct probe *p, uint8_t **buf, size_t *len);
int probe_build_old_hello(struct probe *p, uint8_t **buf, size_t *len);

#endif /* !SEEN_TESTS_PROBE_REPL_H */
