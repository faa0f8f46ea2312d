/*
 * restore.h: a node whose store `seen restore` replaced with a backup
 * (docs/operations.md, "Back up and restore") takes the restore in hand
 * at start, before it exchanges anything.
 */
#ifndef SEEN_NODE_RESTORE_H
#define SEEN_NODE_RESTORE_H

#include "common/seen.h"

struct seen_keys;
struct seen_store;

/**
 * seen_node_restore(home, store, keys):
 * When ${home} holds the mark SEEN_HOME_RESTORE (common/home.h), in one
 * write transaction of ${store} (the node ${keys}): stop the exchange log
 * signing until an admin resolves it (seen_xlog_restored()) and mark the
 * own feed to be taken back from the peers before anything is published
 * (seen_fed_recover_mark()); then remove the mark.  A node killed between
 * the two does it again at its next start, to the same effect.
 * Returns 0 (also when there is no mark); SEEN_EINVAL for a mark that is
 * not the JSON object described (logged, with its path: remove it only
 * once the store is known to be the one restored); an error of the
 * store.
 */
SEEN_MUST_CHECK int seen_node_restore(const char *home,
    struct seen_store *store, const struct seen_keys *keys);

#endif /* !SEEN_NODE_RESTORE_H */
