/*
 * restore.c: a node restored from a backup, at start (restore.h).
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/home.h"
#include "common/log.h"
#include "crypto/keys.h"
#include "node/replication/federation.h"
#include "node/restore.h"
#include "storage/store.h"
#include "xlog/signing.h"

/**
 * seen_node_restore(home, store, keys):
 * Take in hand the restore `seen restore` marked in ${home}; see
 * restore.h.
 */
int
seen_node_restore(const char *home, struct seen_store *store,
    const struct seen_keys *keys)
{
    char path[SEEN_PATH_LEN];
    struct seen_txn *txn;
    json_error_t err;
    const char *by, *reason;
    json_t *m;
    json_int_t at;
    int rc;

    if (seen_home_path(home, SEEN_HOME_RESTORE, path, sizeof path) == NULL)
        return SEEN_EINVAL;
    if (access(path, F_OK) != 0)
        return errno == ENOENT ? SEEN_OK : SEEN_EIO;
    if ((m = json_load_file(path, 0, &err)) == NULL ||
        json_unpack(m, "{s:s, s:s, s:I}", "by", &by, "reason", &reason, "at",
            &at) != 0) {
        seen_error("%s: not the mark of a restore (%s): if the store is the "
                   "one restored, run 'seen restore' again",
            path, m == NULL ? err.text : "no by, reason or at");
        json_decref(m);
        return SEEN_EINVAL;
    }
    if ((rc = seen_store_begin(store, 1, &txn)) != 0)
        goto done;
    if ((rc = seen_xlog_restored(txn, by, reason, (uint64_t)at)) != 0 ||
        (rc = seen_fed_recover_mark(txn, keys->sign_pk)) != 0) {
        seen_store_abort(txn);
        seen_error("cannot take the restore in hand: %s", seen_strerror(rc));
        goto done;
    }
    if ((rc = seen_store_commit(txn)) != 0)
        goto done;
    if (unlink(path) != 0) {
        seen_errorp("cannot remove '%s'", path);
        rc = SEEN_EIO;
        goto done;
    }
    seen_warn("store restored from a backup by '%s' (%s)", by, reason);
done:
    json_decref(m);
    return rc;
}
