/*
 * ctl_audit.c: the audit export through the running daemon, so that an
 * auditor never holds the node's passphrase (docs/operations.md, "Export
 * for audit").  The dispatcher has authorised the operator to export (an
 * auditor) in a read transaction: a consistent view of the exchange log
 * while the node goes on.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "node/control/ctl.h"
#include "proto/control.h"
#include "xlog/audit.h"

#define reply_error seen_ctl_reply_error

/*
 * audit_export: the export's files, whole, in the order of enum
 * seen_audit_file, one after another in the reply's data frame; the reply
 * lists them ("files": [{"name", "len"}], present ones only) with what was
 * exported ("summary").  The caller writes them (seen_audit_write).
 */
json_t *
ctl_audit_export(struct seen_control *c, struct ctl_call *call)
{
    struct seen_audit_buf b[SEEN_AUDIT_NFILES];
    struct seen_audit_summary sum;
    json_t *files;
    size_t total = 0, at = 0;
    char *out;
    int f, rc;

    (void)c;
    if ((rc = seen_audit_export_mem(call->txn, b, &sum)) != 0)
        return reply_error("cannot export: %s", seen_strerror(rc));
    files = json_array();
    for (f = 0; f < SEEN_AUDIT_NFILES; f++)
        if (b[f].present) {
            total += b[f].len;
            json_array_append_new(files,
                json_pack("{s:s, s:I}", "name", seen_audit_file_name(f),
                    "len", (json_int_t)b[f].len));
        }
    if ((out = malloc(total ? total : 1)) == NULL) {
        seen_audit_bufs_release(b);
        json_decref(files);
        return reply_error("cannot export: %s", seen_strerror(SEEN_ENOMEM));
    }
    for (f = 0; f < SEEN_AUDIT_NFILES; f++)
        if (b[f].present && b[f].len > 0) {
            memcpy(out + at, b[f].data, b[f].len);
            at += b[f].len;
        }
    seen_audit_bufs_release(b);
    *call->out = out;
    *call->outlen = total;
    return json_pack("{s:b, s:o, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:b}}",
        "ok", 1, "files", files, "summary", "leaves", (json_int_t)sum.leaves,
        "checkpoints", (json_int_t)sum.checkpoints, "signed_size",
        (json_int_t)sum.signed_size, "cosignatures",
        (json_int_t)sum.cosignatures, "peers", (json_int_t)sum.peers,
        "evidence", (json_int_t)sum.evidence, "membership", sum.membership);
}
