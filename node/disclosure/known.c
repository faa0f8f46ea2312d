/*
 * known.c: what this node's disclosures table knows, for the chronology
 * (node/control/ctl_chronology.c): every request it sent, with the answer
 * and the details shared, and every request it received as a holder,
 * with its decision, as the rows `seen disclosures` and `seen inbox
 * --all` print (docs/protocol.md §10).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "node/disclosure/disclosure.h"

/* The NDJSON rows of ${text} (${len} bytes) appended to the array ${a}. */
static int
rows_into(json_t *a, const char *text, size_t len)
{
    const char *p = text, *end = text + len, *nl;
    json_t *row;

    while (p < end) {
        if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
            nl = end;
        if (nl > p) {
            if ((row = json_loadb(p, (size_t)(nl - p), 0, NULL)) == NULL)
                return SEEN_ECORRUPT;
            if (json_array_append_new(a, row) != 0)
                return SEEN_ENOMEM;
        }
        p = nl + 1;
    }
    return 0;
}

/**
 * seen_disclosure_known(d, txn, out):
 * Read through ${txn} every request this node sent and received: *${out}
 * is {"sent": [ROW...], "received": [ROW...]}, the rows of `seen
 * disclosures --json` and `seen inbox --all --json` (a new reference).
 * Returns 0; SEEN_ECORRUPT when the table cannot be read; SEEN_ENOMEM.
 */
int
seen_disclosure_known(
    struct seen_disclosure *d, struct seen_txn *txn, json_t **out)
{
    static const char *const which[2] = {"sent", "received"};
    json_t *r, *a;
    char *data;
    size_t dlen;
    int i, rc = 0;

    if ((*out = json_object()) == NULL)
        return SEEN_ENOMEM;
    for (i = 0; i < 2 && rc == 0; i++) {
        data = NULL;
        dlen = 0;
        r = seen_disclosure_list(d, txn, i, 1, &data, &dlen);
        if (r == NULL)
            rc = SEEN_ENOMEM;
        else if (!json_is_true(json_object_get(r, "ok")))
            rc = SEEN_ECORRUPT;
        else if ((a = json_array()) == NULL ||
                 json_object_set_new(*out, which[i], a) != 0)
            rc = SEEN_ENOMEM;
        else
            rc = rows_into(a, data, dlen);
        json_decref(r);
        free(data);
    }
    if (rc != 0) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}
