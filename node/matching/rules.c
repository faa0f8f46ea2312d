/*
 * rules.c: the version of the matching rules a store's links and persons
 * were made under, and matching again from the start when it changes.
 *
 * Links, persons, record groups and the match cursors are derived from
 * the feeds alone.  When the rules that derive them change (the scorer's
 * weights, the clusterer's constraints, the support of match/collective.h),
 * a node that kept what an older version derived would show other
 * persons than a node that matched the same feeds afresh.  So the store
 * keeps the version (SEEN_DB_META "rules" -> u32, big-endian; a store
 * without it was matched under version 1) and, on the first step after
 * it changes, the derived tables are emptied and every feed is matched
 * again from its first leaf.  Alerts no lead has acknowledged are
 * withdrawn with them and raised again as the feeds are matched (the same
 * ids, a new time); acknowledged ones stay, as the record of what a lead
 * acted on.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/log.h"
#include "node/matching/matcher_internal.h"
#include "storage/alerts.h"
#include "storage/store.h"

/* The matching rules' version:
 * 1: before the support of match/collective.h (and every store made
 *    before this file);
 * 2: possible-band links lifted by the people around them. */
#define MATCH_RULES 2

/* Keys collected from a walk, to delete after it. */
struct keys {
    uint8_t (*v)[SEEN_ALERT_ID_BYTES + 8];
    size_t n, cap;
};

/* Keep a copy of a cursor key or an alert id (up to 16 bytes). */
static int
keys_add(struct keys *k, const void *p, size_t len)
{
    void *nv;

    if (len > sizeof k->v[0])
        return SEEN_ECORRUPT;
    if (k->n == k->cap) {
        k->cap = k->cap ? k->cap * 2 : 64;
        if ((nv = realloc(k->v, k->cap * sizeof k->v[0])) == NULL)
            return SEEN_ENOMEM;
        k->v = nv;
    }
    memset(k->v[k->n], 0, sizeof k->v[0]);
    memcpy(k->v[k->n++], p, len);
    return 0;
}

/* Collect a "match" cursor's key (a seen_store_iter_fn). */
static int
on_cursor(void *ctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{

    (void)val;
    (void)vlen;
    return klen == 9 ? keys_add(ctx, key, klen) : 0;
}

/* Collect the id of an alert no lead has acknowledged (a
 * seen_alerts_fn). */
static int
on_alert(void *ctx, const void *v, size_t vlen)
{
    uint8_t id[SEEN_ALERT_ID_BYTES];
    const char *hex;
    json_t *a;
    int rc = 0;

    if ((a = json_loadb(v, vlen, 0, NULL)) == NULL)
        return 0; /* not an alert of ours: left as it is */
    hex = json_string_value(json_object_get(a, "alert"));
    if (json_object_get(a, "acknowledged") == NULL && hex != NULL &&
        sodium_hex2bin(id, sizeof id, hex, strlen(hex), NULL, NULL, NULL) ==
            0)
        rc = keys_add(ctx, id, sizeof id);
    json_decref(a);
    return rc;
}

/* Empty what the rules derived, inside ${txn}. */
static int
rematch(struct seen_txn *txn)
{
    struct keys cur = {0}, al = {0};
    size_t i;
    int rc;

    if ((rc = seen_store_clear(txn, SEEN_DB_LINKS)) != 0 ||
        (rc = seen_store_clear(txn, SEEN_DB_PERSONS)) != 0 ||
        (rc = seen_store_clear(txn, SEEN_DB_GROUPS)) != 0 ||
        (rc = seen_store_iter(txn, SEEN_DB_CURSORS, "match", 5, on_cursor,
             &cur)) != 0 ||
        (rc = seen_alerts_each(txn, on_alert, &al)) != 0)
        goto done;
    for (i = 0; i < cur.n && rc == 0; i++)
        rc = seen_store_del(txn, SEEN_DB_CURSORS, cur.v[i], 9, NULL, 0);
    for (i = 0; i < al.n && rc == 0; i++)
        if ((rc = seen_alerts_del(txn, al.v[i])) == SEEN_ENOTFOUND)
            rc = 0;
done:
    free(cur.v);
    free(al.v);
    return rc;
}

/**
 * rules_check(m):
 * Once a process: when ${m}'s store was matched under other rules than
 * these, empty its links, persons, groups and match cursors (and withdraw
 * the alerts no lead acknowledged) so that every feed is matched again,
 * and record these rules; nothing is written when they are the same.
 * Returns 0 or an error of the store.
 */
int
rules_check(struct seen_matcher *m)
{
    struct seen_txn *txn;
    const void *v;
    uint8_t now[4];
    uint32_t was = 1;
    size_t len;
    int rc;

    if (m->rules_checked)
        return 0;
    if ((rc = seen_store_begin(m->store, 1, &txn)) != 0)
        return rc;
    if (seen_store_get(txn, SEEN_DB_META, "rules", 5, &v, &len) == 0 &&
        len == 4)
        was = seen_rd32(v);
    if (was == MATCH_RULES) {
        seen_store_abort(txn);
        m->rules_checked = 1;
        return 0;
    }
    seen_be32(now, MATCH_RULES);
    if ((rc = rematch(txn)) != 0 ||
        (rc = seen_store_put(txn, SEEN_DB_META, "rules", 5, now, 4)) != 0) {
        seen_store_abort(txn);
        return rc;
    }
    if ((rc = seen_store_commit(txn)) != 0)
        return rc;
    seen_info("matching rules %u, the store's %u: every feed is matched "
              "again from its start", MATCH_RULES, was);
    m->rules_checked = 1;
    return 0;
}
