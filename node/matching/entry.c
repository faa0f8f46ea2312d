/*
 * entry.c: one index entry as the matcher loads it, what the scorer needs
 * of it, and its description in JSON.
 */
#include <sodium.h>
#include <string.h>

#include "match/normalise.h"
#include "match/tokens.h"
#include "node/matching/matcher_internal.h"
#include "proto/enums.h"
#include "storage/index.h"
#include "storage/store.h"

/**
 * entry_read(txn, s, id, e):
 * Load live entry ${id} into ${e} through ${txn}: with a step ${s}, the
 * origin's key from the step's table and the entry decoded into its arena
 * (nothing to free); with ${s} NULL, decoded with malloc (free it with
 * entry_free).  Returns 0; SEEN_ENOTFOUND when the entry is not live;
 * SEEN_ECORRUPT; SEEN_ENOMEM.
 */
int
entry_read(struct seen_txn *txn, struct step *s, const uint8_t id[20],
    struct ent *e)
{
    uint64_t seq;
    int rc;

    memset(e, 0, sizeof *e);
    if ((rc = seen_index_seq(txn, seen_rd32(id), id + 4, &seq)) == 0 &&
        (rc = entry_read_at(txn, s, seen_rd32(id), seq, e)) == 0 &&
        memcmp(e->id, id, 20) != 0) {
        rc = SEEN_ECORRUPT; /* the leaf has another handle */
        if (s == NULL)
            entry_free(e);
        e->fe = NULL;
    }
    memcpy(e->id, id, 20); /* what the step's table keys it by */
    return rc;
}

/**
 * entry_read_at(txn, s, oidx, seq, e):
 * As entry_read for the entry of leaf ${seq} of origin ${oidx}, which a
 * posting names (so live: storage/index.h).  Returns 0; SEEN_ENOTFOUND;
 * SEEN_ECORRUPT, also for a leaf without a 16-byte handle; SEEN_ENOMEM.
 */
int
entry_read_at(struct seen_txn *txn, struct step *s, uint32_t oidx,
    uint64_t seq, struct ent *e)
{
    int rc;

    memset(e, 0, sizeof *e);
    rc = s != NULL ? step_origin_pk(s, oidx, e->gid)
                   : seen_store_origin_pk(txn, oidx, e->gid);
    if (rc != 0)
        return rc;
    if ((rc = seen_index_entry_alloc(txn, oidx, seq,
             s != NULL ? &s->pa : NULL, &e->fe)) != 0)
        return rc;
    if (e->fe->entry->handle.len != SEEN_HANDLE_BYTES) {
        if (s == NULL)
            entry_free(e);
        e->fe = NULL;
        return SEEN_ECORRUPT;
    }
    seen_be32(e->id, oidx);
    memcpy(e->id + 4, e->fe->entry->handle.data, 16);
    memcpy(e->gid + 32, e->id + 4, 16);
    e->seq = seq;
    return 0;
}

/**
 * entry_load(txn, id, e):
 * As entry_read without a step.
 */
int
entry_load(struct seen_txn *txn, const uint8_t id[20], struct ent *e)
{

    return entry_read(txn, NULL, id, e);
}

/**
 * entry_free(e):
 * Free what entry_load decoded into ${e}; safe twice.
 */
void
entry_free(struct ent *e)
{

    if (e->fe != NULL)
        seen__feed_entry__free_unpacked(e->fe, NULL);
    e->fe = NULL;
}

/**
 * entry_side(e, s):
 * Point ${s} at what the scorer needs of ${e} (borrowed from ${e}).
 */
void
entry_side(const struct ent *e, struct seen_score_side *s)
{
    const Seen__IndexEntry *x = e->fe->entry;

    s->tokens = x->tokens.data;
    s->ntokens = x->tokens.len / SEEN_TOKEN_ITEM;
    s->bloom = x->name_bloom.len == SEEN_BLOOM_BYTES ? x->name_bloom.data
                                                      : NULL;
    s->birth_band = x->birth_band;
}

/**
 * entry_json(m, e):
 * Describe ${e} as a member of a person: node, handle, role, kind, date,
 * local authority, and risk and child_present when set.  Returns a new
 * JSON object, or NULL.
 */
json_t *
entry_json(struct seen_matcher *m, const struct ent *e)
{
    const Seen__IndexEntry *x = e->fe->entry;
    char hh[33], date[11], name[64], b1[SEEN_ENUM_NAME_MAX],
        b2[SEEN_ENUM_NAME_MAX], b3[SEEN_ENUM_NAME_MAX];
    json_t *j;
    int32_t days = (int32_t)x->date;

    sodium_bin2hex(hh, sizeof hh, e->id + 4, 16);
    seen_date_format(days, date);
    j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "node",
        m->name_of(m->ctx, e->gid, name, sizeof name), "handle", hh, "role",
        seen_enum_name(&seen__role__descriptor, x->role, b1), "kind",
        seen_enum_name(&seen__kind__descriptor, x->kind, b2), "date", date,
        "local_authority", x->local_authority);
    if (j != NULL && x->risk != 0)
        json_object_set_new(j, "risk",
            json_string(seen_enum_name(&seen__risk__descriptor, x->risk, b3)));
    if (j != NULL && (x->flags & SEEN__ENTRY_FLAG__FLAG_CHILD_PRESENT))
        json_object_set_new(j, "child_present", json_true());
    return j;
}
