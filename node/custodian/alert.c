/*
 * alert.c: the alerts of the custodians' limits (alert.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "common/log.h"
#include "storage/alerts.h"
#include "node/custodian/alert.h"

/**
 * seen_custodian_alert(txn, rule, member, operator, purpose, time):
 * Raise, inside the write transaction ${txn}, the alert of ${rule} about
 * the member ${member} and ${operator}, for ${purpose}, at ${time},
 * unless it was raised already that UTC day.  Returns 0; an error from
 * the store.
 */
int
seen_custodian_alert(struct seen_txn *txn, const char *rule,
    const char *member, const char *op, const char *purpose, uint64_t time)
{
    crypto_generichash_state h;
    uint8_t k[SEEN_ALERT_ID_BYTES];
    uint8_t day[4] = {(uint8_t)(time / 86400 >> 24),
        (uint8_t)(time / 86400 >> 16), (uint8_t)(time / 86400 >> 8),
        (uint8_t)(time / 86400)};
    char id[2 * SEEN_ALERT_ID_BYTES + 1], summary[512], *text;
    const void *v;
    size_t vlen;
    json_t *a;
    int rc;

    if (op == NULL)
        op = "";
    crypto_generichash_init(&h, NULL, 0, sizeof k);
    crypto_generichash_update(&h, (const uint8_t *)rule, strlen(rule) + 1);
    crypto_generichash_update(&h, (const uint8_t *)member, strlen(member) + 1);
    crypto_generichash_update(&h, (const uint8_t *)op, strlen(op) + 1);
    crypto_generichash_update(&h, day, sizeof day);
    crypto_generichash_final(&h, k, sizeof k);
    if ((rc = seen_alerts_get(txn, k, &v, &vlen)) == 0)
        return 0; /* raised today already */
    if (rc != SEEN_ENOTFOUND)
        return rc;
    sodium_bin2hex(id, sizeof id, k, sizeof k);
    if (strcmp(rule, SEEN_CUSTODIAN_ALERT_LIMIT) == 0)
        snprintf(summary, sizeof summary,
            "member '%s'%s%s%s went over this custodian's limit for today "
            "(purpose %s): its requests are refused until the next UTC day",
            member, op[0] ? " (operator '" : "", op, op[0] ? "')" : "",
            purpose != NULL ? purpose : "?");
    else
        snprintf(summary, sizeof summary,
            "custodian '%s' refused this node's OPRF request over its limit "
            "for today (purpose %s%s%s%s)",
            member, purpose != NULL ? purpose : "?",
            op[0] ? ", operator '" : "", op, op[0] ? "'" : "");
    a = json_pack("{s:s, s:s, s:I, s:s, s:[], s:s, s:s, s:s, s:s}", "alert",
        id, "rule", rule, "raised", (json_int_t)time, "person", "",
        "members", "summary", summary, "member", member, "operator", op,
        "purpose", purpose != NULL ? purpose : "");
    if (a == NULL ||
        (text = json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL) {
        json_decref(a);
        return SEEN_ENOMEM;
    }
    json_decref(a);
    seen_warn("alert %s raised: %s", id, rule);
    rc = seen_alerts_put(txn, k, text, strlen(text));
    free(text);
    return rc;
}
