#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "crypto/keys.h"
#include "crypto/random.h"
#include "match/tokens.h"
#include "proto/feed_entry.h"
#include "node/matching/indexer.h"
#include "proto/record.h"
#include "storage/feed.h"
#include "storage/index.h"
#include "storage/store.h"
#include "seen.pb-c.h"

/**
 * seen_indexer_init(ix, store, keys, tk):
 * Set up ${ix} over ${store}, registering this node's own feed origin.
 * Nothing is copied; all three must outlive ${ix}.  Returns 0, SEEN_EFULL,
 * SEEN_ERR.
 */
int
seen_indexer_init(struct seen_indexer *ix, struct seen_store *store,
    const struct seen_keys *keys, const struct seen_tokenizer *tk)
{
    struct seen_txn *txn;
    int rc;

    ix->store = store;
    ix->keys = keys;
    ix->tk = tk;
    ix->short_tokens = 0;
    if ((rc = seen_store_begin(store, 1, &txn)) != 0)
        return rc;
    if ((rc = seen_store_origin(txn, keys->sign_pk, 1, &ix->own)) != 0) {
        seen_store_abort(txn);
        return rc;
    }
    return seen_store_commit(txn);
}

/* Append ${fe} to our feed; its seq is set here. */
static int
publish(struct seen_indexer *ix, struct seen_txn *txn, Seen__FeedEntry *fe,
    uint64_t *seq)
{
    uint8_t stackbuf[1024], *buf = stackbuf;
    size_t len;
    int rc;

    if ((rc = seen_feed_size(txn, ix->own, &fe->seq)) != 0)
        return rc;
    len = seen__feed_entry__get_packed_size(fe);
    if (len > sizeof stackbuf && (buf = malloc(len)) == NULL)
        return SEEN_ENOMEM;
    seen__feed_entry__pack(fe, buf);
    rc = seen_feed_append(txn, ix->own, buf, len, seq);
    if (buf != stackbuf)
        free(buf);
    return rc;
}

/* Withdraw our entry ${handle}: index, handle map, and a retraction. */
static int
retract(struct seen_indexer *ix, struct seen_txn *txn,
    const uint8_t handle[16], uint64_t now, struct seen_index_stats *st)
{
    Seen__FeedEntry fe = SEEN__FEED_ENTRY__INIT;
    Seen__Retraction r = SEEN__RETRACTION__INIT;
    int rc;

    rc = seen_index_remove(txn, ix->own, handle);
    if (rc == SEEN_ENOTFOUND)
        return SEEN_OK; /* already withdrawn */
    if (rc != 0)
        return rc;
    rc = seen_store_del(txn, SEEN_DB_HANDLES, handle, 16, NULL, 0);
    if (rc != 0 && rc != SEEN_ENOTFOUND)
        return rc;
    fe.origin.data = (uint8_t *)ix->keys->sign_pk;
    fe.origin.len = 32;
    fe.time = now;
    fe.body_case = SEEN__FEED_ENTRY__BODY_RETRACTION;
    r.handle.data = (uint8_t *)handle;
    r.handle.len = 16;
    fe.retraction = &r;
    if ((rc = publish(ix, txn, &fe, NULL)) != 0)
        return rc;
    st->retracted++;
    return SEEN_OK;
}

/* The SEEN_DB_EXPIRY key of record ${idk} kept until ${day}: the day
 * (sign bit flipped, so that keys sort by day) and the record. */
static void
expiry_key(uint8_t k[20], int32_t day, const uint8_t idk[16])
{

    seen_be32(k, (uint32_t)day ^ 0x80000000u);
    memcpy(k + 4, idk, 16);
}

/* Retract everything record ${idk} published and forget it. */
static int
drop_record(struct seen_indexer *ix, struct seen_txn *txn,
    const uint8_t idk[16], uint64_t now, struct seen_index_stats *st,
    uint64_t *version)
{
    Seen__RecordMeta *rm;
    uint8_t ek[20];
    const void *v;
    size_t vlen, i;
    int rc;

    *version = 0;
    if ((rc = seen_store_get(txn, SEEN_DB_RECMETA, idk, 16, &v, &vlen)) != 0)
        return rc;
    if ((rm = seen__record_meta__unpack(NULL, vlen, v)) == NULL) {
        seen_error("store: damaged record metadata");
        return SEEN_ECORRUPT;
    }
    *version = rm->version;
    for (i = 0; i < rm->n_handles; i++) {
        if (rm->handles[i].len != 16)
            continue;
        if ((rc = retract(ix, txn, rm->handles[i].data, now, st)) != 0)
            goto done;
    }
    if (rm->has_retain) {
        expiry_key(ek, rm->retain_until, idk);
        rc = seen_store_del(txn, SEEN_DB_EXPIRY, ek, 20, NULL, 0);
        if (rc != 0 && rc != SEEN_ENOTFOUND)
            goto done;
    }
    if ((rc = seen_store_del(txn, SEEN_DB_RECMETA, idk, 16, NULL, 0)) != 0)
        goto done;
    rc = seen_store_del(txn, SEEN_DB_RECORDS, idk, 16, NULL, 0);
    if (rc == SEEN_ENOTFOUND)
        rc = SEEN_OK;
done:
    seen__record_meta__free_unpacked(rm, NULL);
    return rc;
}

/**
 * seen_indexer_birth_band(p, on):
 * Return the birth band (IndexEntry.birth_band) of person ${p} of a record
 * dated ${on} (days since 1970-01-01): 1 unborn (or a due date and no
 * date of birth), 2 under 18 on ${on} (or a child with no date of birth),
 * 3 an adult, 0 unknown.
 */
unsigned int
seen_indexer_birth_band(const struct seen_person *p, int32_t on)
{

    if (p->role == SEEN__ROLE__UNBORN || (p->has_due && !p->has_dob))
        return 1;
    if (!p->has_dob)
        return p->role == SEEN__ROLE__CHILD ? 2 : 0;
    /* 18 years, near enough for a band: 6574 days. */
    return (on - p->dob) < 6574 ? 2 : 3;
}

/* The IndexEntry flags of person ${p} of record ${r}. */
static uint32_t
entry_flags(const struct seen_record *r, const struct seen_person *p)
{
    uint32_t f = 0;

    if (r->child_present)
        f |= SEEN__ENTRY_FLAG__FLAG_CHILD_PRESENT;
    if (r->shielded)
        f |= SEEN__ENTRY_FLAG__FLAG_SHIELDED;
    if (r->dvds == 1)
        f |= SEEN__ENTRY_FLAG__FLAG_DVDS_RIGHT_TO_ASK;
    if (r->dvds == 2)
        f |= SEEN__ENTRY_FLAG__FLAG_DVDS_RIGHT_TO_KNOW;
    if (r->child_voice != NULL)
        f |= SEEN__ENTRY_FLAG__FLAG_CHILD_VOICE;
    if (p->nhs_test)
        f |= SEEN__ENTRY_FLAG__FLAG_TEST_IDENTIFIER;
    return f;
}

/**
 * seen_indexer_token_input(r, p, in):
 * Write to ${in} what the tokens and name filter of person ${p} of record
 * ${r} are made from (borrowed from ${p}).
 */
void
seen_indexer_token_input(const struct seen_record *r,
    const struct seen_person *p, struct seen_token_input *in)
{

    memset(in, 0, sizeof *in);
    in->given = p->given;
    in->family = p->family;
    in->other_names = p->other_names;
    in->n_other_names = p->n_other_names;
    in->has_dob = p->has_dob;
    in->dob = p->dob;
    in->has_due = p->has_due;
    in->due = p->due;
    in->sex = p->sex;
    in->nhs = p->nhs;
    in->upn = p->upn;
    in->pnc = p->pnc;
    in->postcode = p->postcode;
    in->district = p->district;
    in->shielded = r->shielded;
}

/* The buffers an entry's tokens and filter point into. */
struct entry_buf {
    uint8_t tokens[SEEN_TOKENS_MAX * SEEN_TOKEN_ITEM];
    uint8_t stokens[SEEN_TOKENS_MAX * SEEN_SHORT_ITEM];
    uint8_t bloom[SEEN_BLOOM_BYTES];
    size_t ntok;
};

/* Make in ${e} the entry of person ${p} of ${r} as it is published, but
 * for its handle and group (its tokens and filter in ${b}).  Returns 0 or
 * seen_indexer_person_tokens's error. */
static int
make_entry(struct seen_indexer *ix, const struct seen_record *r,
    const struct seen_person *p, struct entry_buf *b, Seen__IndexEntry *e)
{
    struct seen_token_input in;
    unsigned int nbits;
    int rc;

    seen_indexer_token_input(r, p, &in);
    if ((rc = seen_indexer_person_tokens(ix, &in, b->tokens, &b->ntok,
             b->bloom, &nbits)) != 0)
        return rc;
    seen__index_entry__init(e);
    e->role = p->role;
    e->kind = r->kind;
    e->date = (uint32_t)r->date;
    e->risk = r->risk;
    e->local_authority = (char *)r->local_authority;
    if (ix->short_tokens)
        e->short_tokens = (ProtobufCBinaryData){
            seen_short_tokens(b->tokens, b->ntok, b->stokens), b->stokens};
    else
        e->tokens =
            (ProtobufCBinaryData){b->ntok * SEEN_TOKEN_ITEM, b->tokens};
    /* An OPRF epoch's entry carries no filter at all (docs/protocol.md,
     * "Tokens of an OPRF epoch"); a keyed one always 128 bytes. */
    e->name_bloom = seen_indexer_oprf(ix)
        ? (ProtobufCBinaryData){0, NULL}
        : (ProtobufCBinaryData){SEEN_BLOOM_BYTES, b->bloom};
    e->epoch = seen_tokenizer_epoch(ix->tk);
    /* Plus one, so that 0 can mean none; dates before 1970 are long past. */
    e->expiry = r->has_retain && r->retain_until >= 0
        ? (uint32_t)r->retain_until + 1
        : (r->has_retain ? 1 : 0);
    e->flags = entry_flags(r, p);
    e->birth_band = seen_indexer_birth_band(p, r->date);
    return 0;
}

/* Map our ${handle} to person ${p} of ${r}, at ${seq} of our feed. */
static int
put_handle(struct seen_txn *txn, const struct seen_record *r,
    const struct seen_person *p, const uint8_t handle[16], uint64_t seq)
{
    Seen__LocalHandle lh = SEEN__LOCAL_HANDLE__INIT;
    uint8_t lbuf[512];
    size_t llen;

    lh.record = (char *)r->id;
    lh.ref = (char *)p->ref;
    lh.role = p->role;
    lh.seq = seq;
    if ((llen = seen__local_handle__get_packed_size(&lh)) > sizeof lbuf)
        return SEEN_EINVAL;
    seen__local_handle__pack(&lh, lbuf);
    return seen_store_sealed_put(txn, SEEN_DB_HANDLES, handle, 16, handle, 16,
        lbuf, llen);
}

/* Publish the entry of person ${p}; its handle goes to ${handle}. */
static int
publish_person(struct seen_indexer *ix, struct seen_txn *txn,
    const struct seen_record *r, const struct seen_person *p,
    const uint8_t group[16], uint64_t now, uint8_t handle[16])
{
    Seen__FeedEntry fe = SEEN__FEED_ENTRY__INIT;
    Seen__IndexEntry e;
    struct entry_buf b;
    uint64_t seq;
    int rc;

    if ((rc = make_entry(ix, r, p, &b, &e)) != 0)
        return rc;
    seen_random_buf(handle, 16);
    e.handle = (ProtobufCBinaryData){16, handle};
    e.group = (ProtobufCBinaryData){16, (uint8_t *)group};
    fe.origin = (ProtobufCBinaryData){32, (uint8_t *)ix->keys->sign_pk};
    fe.time = now;
    fe.body_case = SEEN__FEED_ENTRY__BODY_ENTRY;
    fe.entry = &e;
    if ((rc = publish(ix, txn, &fe, &seq)) != 0)
        return rc;
    /* Indexed by the whole items, as a reader expands short ones. */
    e.short_tokens = (ProtobufCBinaryData){0, NULL};
    e.tokens = (ProtobufCBinaryData){b.ntok * SEEN_TOKEN_ITEM, b.tokens};
    if ((rc = seen_index_add_fresh(txn, ix->own, seq, &e)) != 0)
        return rc;
    return put_handle(txn, r, p, handle, seq);
}

/*
 * A node restored from a backup took back from its peers the entries of
 * records imported after the backup (storage/feed.h, orphans): when
 * every person of the record ${r}, imported again, has such an entry,
 * all of one group, those entries become the record's (their handles to
 * ${handles}), already published and indexed, so that nothing is
 * published twice.  Returns 1 when adopted, 0 when not (nothing written),
 * or an error.
 */
static int
adopt(struct seen_indexer *ix, struct seen_txn *txn,
    const struct seen_record *r, uint8_t handles[][16], uint64_t *seqs)
{
    uint8_t key[SEEN_RECORD_PEOPLE_MAX][16], group[16], g[16];
    Seen__IndexEntry e;
    struct entry_buf b;
    size_t i, n = r->npeople;
    int rc;

    if (n == 0 || n > SEEN_RECORD_PEOPLE_MAX ||
        (rc = seen_orphan_any(txn)) == 0)
        return 0;
    if (rc < 0)
        return rc;
    for (i = 0; i < n; i++) {
        if ((rc = make_entry(ix, r, &r->people[i], &b, &e)) != 0 ||
            (rc = seen_index_entry_content_key(&e, key[i])) != 0)
            return rc;
        rc = seen_orphan_get(txn, key[i], handles[i], g, &seqs[i]);
        if (rc == SEEN_ENOTFOUND || (i > 0 && memcmp(g, group, 16) != 0))
            return 0;
        if (rc != 0)
            return rc;
        memcpy(group, g, 16);
    }
    for (i = 0; i < n; i++)
        if ((rc = put_handle(txn, r, &r->people[i], handles[i], seqs[i])) !=
                0 ||
            (rc = seen_orphan_del(txn, key[i])) != 0)
            return rc;
    return 1;
}

/* seen_indexer_apply, leaving an unchanged record alone only when
 * ${check} (a retokenisation publishes every record again). */
static int
apply_record(struct seen_indexer *ix, struct seen_txn *txn,
    const struct seen_record *rec, uint64_t now, struct seen_index_stats *st,
    int check)
{
    Seen__RecordMeta rm = SEEN__RECORD_META__INIT;
    uint8_t idk[16], group[16], ek[20], mbuf[64 * 20 + 64];
    uint8_t handles[SEEN_RECORD_PEOPLE_MAX][16];
    uint64_t seqs[SEEN_RECORD_PEOPLE_MAX];
    ProtobufCBinaryData hv[SEEN_RECORD_PEOPLE_MAX];
    uint64_t version;
    uint32_t held;
    char *body;
    size_t blen, i;
    int rc, existed;

    if (check && (rc = seen_indexer_unchanged(ix, txn, rec)) != 0) {
        if (rc < 0)
            return rc;
        st->unchanged++;
        return SEEN_OK;
    }
    seen_store_id_key(ix->store, rec->id, strlen(rec->id), idk);
    rc = drop_record(ix, txn, idk, now, st, &version);
    if (rc != 0 && rc != SEEN_ENOTFOUND)
        return rc;
    existed = rc == 0;
    if (rec->deleted) {
        if (!existed)
            return SEEN_ENOTFOUND;
        st->deleted++;
        return SEEN_OK;
    }
    if ((body = seen_record_body(rec, &blen)) == NULL)
        return SEEN_ENOMEM;
    rc = seen_store_sealed_put(txn, SEEN_DB_RECORDS, idk, 16, rec->id,
        strlen(rec->id), body, blen);
    sodium_memzero(body, blen);
    free(body);
    if (rc != 0)
        return rc;

    /* A record new to this store may be one a restore lost. */
    if ((rc = existed ? 0 : adopt(ix, txn, rec, handles, seqs)) < 0)
        return rc;
    if (rc == 1) {
        for (i = 0; i < rec->npeople; i++)
            hv[i] = (ProtobufCBinaryData){16, handles[i]};
        st->adopted += i;
    } else {
        seen_random_buf(group, sizeof group);
        for (i = 0; i < rec->npeople && i < SEEN_RECORD_PEOPLE_MAX; i++) {
            if ((rc = publish_person(ix, txn, rec, &rec->people[i], group,
                     now, handles[i])) != 0)
                return rc;
            hv[i] = (ProtobufCBinaryData){16, handles[i]};
            st->entries++;
        }
    }
    rm.n_handles = i;
    rm.handles = hv;
    rm.version = version + 1;
    rm.imported = (uint32_t)(now / 86400);
    rm.retain_until = rec->has_retain ? rec->retain_until : 0;
    rm.has_retain = rec->has_retain;
    seen__record_meta__pack(&rm, mbuf);
    if ((rc = seen_store_put(txn, SEEN_DB_RECMETA, idk, 16, mbuf,
             seen__record_meta__get_packed_size(&rm))) != 0)
        return rc;
    if (rec->has_retain) {
        expiry_key(ek, rec->retain_until, idk);
        if ((rc = seen_store_put(txn, SEEN_DB_EXPIRY, ek, 20, "", 0)) != 0)
            return rc;
    }
    st->records++;
    if (existed)
        st->replaced++;
    /* The epoch our entries are made under, on a store that has none yet.
     * Once one is recorded only seen_indexer_retokenize moves it on, after
     * every record is published again: an import made before that (the
     * custodians out of reach when the epoch came) must not mark the
     * records it did not touch as done. */
    if ((rc = seen_store_epoch(txn, &held)) == SEEN_ENOTFOUND)
        return seen_store_set_epoch(txn, seen_tokenizer_epoch(ix->tk));
    return rc;
}

/**
 * seen_indexer_apply(ix, txn, rec, now, st):
 * Store ${rec} (or delete it), publishing and retracting entries; see
 * indexer.h.
 */
int
seen_indexer_apply(struct seen_indexer *ix, struct seen_txn *txn,
    const struct seen_record *rec, uint64_t now, struct seen_index_stats *st)
{

    return apply_record(ix, txn, rec, now, st, 1);
}

/* 1 when each of the ${n} handles ${h} is a live entry of this node. */
static int
handles_live(struct seen_indexer *ix, struct seen_txn *txn,
    const ProtobufCBinaryData *h, size_t n)
{
    uint64_t seq;
    size_t i;
    int rc;

    for (i = 0; i < n; i++) {
        if (h[i].len != 16)
            return 0;
        if ((rc = seen_index_seq(txn, ix->own, h[i].data, &seq)) != 0)
            return rc == SEEN_ENOTFOUND ? 0 : rc;
    }
    return 1;
}

/**
 * seen_indexer_unchanged(ix, txn, rec):
 * Whether importing ${rec} (not a deletion) again would publish what
 * stands: the record stored under its id is byte for byte the same body
 * (seen_record_body), kept for the same time, every one of its entries is
 * live, and this node's entries are of the epoch in force.  Returns 1 if
 * so, 0 if not (new, changed, or to publish again), or a negative
 * SEEN_E* code from the store.
 */
int
seen_indexer_unchanged(struct seen_indexer *ix, struct seen_txn *txn,
    const struct seen_record *rec)
{
    Seen__RecordMeta *rm = NULL;
    uint8_t idk[16], *old = NULL;
    const void *v;
    char *body = NULL;
    size_t vlen, olen, blen;
    uint32_t held;
    int rc;

    if (rec->deleted)
        return 0;
    if ((rc = seen_store_epoch(txn, &held)) != 0 ||
        held != seen_tokenizer_epoch(ix->tk))
        return rc == SEEN_ENOTFOUND || rc == 0 ? 0 : rc;
    seen_store_id_key(ix->store, rec->id, strlen(rec->id), idk);
    if ((rc = seen_store_get(txn, SEEN_DB_RECMETA, idk, 16, &v, &vlen)) != 0)
        return rc == SEEN_ENOTFOUND ? 0 : rc;
    if ((rm = seen__record_meta__unpack(NULL, vlen, v)) == NULL) {
        seen_error("store: damaged record metadata");
        return SEEN_ECORRUPT;
    }
    rc = 0;
    if (rm->n_handles != rec->npeople || rm->has_retain != rec->has_retain ||
        (rec->has_retain && rm->retain_until != rec->retain_until))
        goto done;
    if ((rc = handles_live(ix, txn, rm->handles, rm->n_handles)) != 1)
        goto done;
    if ((rc = seen_store_sealed_get(txn, SEEN_DB_RECORDS, idk, 16, rec->id,
             strlen(rec->id), &old, &olen)) != 0) {
        rc = rc == SEEN_ENOTFOUND ? 0 : rc;
        goto done;
    }
    if ((body = seen_record_body(rec, &blen)) == NULL) {
        rc = SEEN_ENOMEM;
        goto done;
    }
    rc = blen == olen && sodium_memcmp(body, old, blen) == 0;
done:
    if (old != NULL) {
        sodium_memzero(old, olen);
        free(old);
    }
    if (body != NULL) {
        sodium_memzero(body, blen);
        free(body);
    }
    seen__record_meta__free_unpacked(rm, NULL);
    return rc;
}

struct expire_ctx {
    uint8_t (*keys)[16];
    size_t n, cap;
    uint32_t limit;
};

/* Collect the records of an expiry key before the limit (a
 * seen_store_iter_fn); stops at the first not before it. */
static int
collect_expired(void *vctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{
    struct expire_ctx *c = vctx;
    void *p;

    (void)val;
    (void)vlen;
    if (klen != 20)
        return SEEN_ECORRUPT;
    if (seen_rd32(key) >= c->limit)
        return 1;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        if ((p = realloc(c->keys, c->cap * 16)) == NULL)
            return SEEN_ENOMEM;
        c->keys = p;
    }
    memcpy(c->keys[c->n++], (const uint8_t *)key + 4, 16);
    return 0;
}

/**
 * seen_indexer_expire(ix, txn, today, now, st):
 * Retract the entries of every record whose retain_until is before
 * ${today} (days since 1970-01-01) and delete those records.  Returns 0
 * or an error as seen_indexer_apply.
 */
int
seen_indexer_expire(struct seen_indexer *ix, struct seen_txn *txn,
    int32_t today, uint64_t now, struct seen_index_stats *st)
{
    struct expire_ctx c = {NULL, 0, 0, (uint32_t)today ^ 0x80000000u};
    uint64_t version;
    size_t i;
    int rc;

    if ((rc = seen_store_iter(txn, SEEN_DB_EXPIRY, NULL, 0, collect_expired,
             &c)) != 0)
        goto done;
    for (i = 0; i < c.n; i++) {
        rc = drop_record(ix, txn, c.keys[i], now, st, &version);
        if (rc == SEEN_ENOTFOUND)
            continue;
        if (rc != 0)
            goto done;
        st->deleted++;
    }
    rc = SEEN_OK;
done:
    free(c.keys);
    return rc;
}

struct ids_ctx {
    char **ids;
    size_t n, cap;
    struct seen_txn *txn;
    /* records of ${epoch} are passed over, at most ${max} collected (0:
     * no bound), the last key looked at kept */
    const struct seen_indexer *ix;
    uint32_t epoch;
    size_t max;
    uint8_t last[64];
    size_t llen;
};

/* 1 when the entry of our feed at ${seq} is of ${epoch}. */
static int
of_epoch(const struct ids_ctx *c, uint64_t seq)
{
    Seen__FeedEntry *fe;
    int yes;

    if (seen_index_entry(c->txn, c->ix->own, seq, &fe) != 0)
        return 0;
    yes = fe->entry != NULL && fe->entry->epoch == c->epoch;
    seen__feed_entry__free_unpacked(fe, NULL);
    return yes;
}

/* Collect the id of a stored record from its first handle's map (a
 * seen_store_iter_fn over SEEN_DB_RECMETA). */
static int
collect_record_id(void *vctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{
    struct ids_ctx *c = vctx;
    Seen__RecordMeta *rm;
    Seen__LocalHandle *lh;
    uint8_t *buf;
    size_t len;
    void *p;

    if (klen > sizeof c->last) /* a record id key is 16 bytes */
        return SEEN_ECORRUPT;
    memcpy(c->last, key, klen);
    c->llen = klen;
    if ((rm = seen__record_meta__unpack(NULL, vlen, val)) == NULL)
        return SEEN_ECORRUPT;
    if (rm->n_handles == 0 || rm->handles[0].len != 16 ||
        seen_store_sealed_get(c->txn, SEEN_DB_HANDLES, rm->handles[0].data,
            16, rm->handles[0].data, 16, &buf, &len) != 0) {
        seen__record_meta__free_unpacked(rm, NULL);
        return 0;
    }
    seen__record_meta__free_unpacked(rm, NULL);
    lh = seen__local_handle__unpack(NULL, len, buf);
    free(buf);
    if (lh == NULL)
        return SEEN_ECORRUPT;
    if (of_epoch(c, lh->seq)) {
        seen__local_handle__free_unpacked(lh, NULL);
        return 0; /* published under the epoch already */
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 256;
        if ((p = realloc(c->ids, c->cap * sizeof *c->ids)) == NULL) {
            seen__local_handle__free_unpacked(lh, NULL);
            return SEEN_ENOMEM;
        }
        c->ids = p;
    }
    c->ids[c->n] = strdup(lh->record);
    seen__local_handle__free_unpacked(lh, NULL);
    if (c->ids[c->n] == NULL)
        return SEEN_ENOMEM;
    c->n++;
    return c->max != 0 && c->n == c->max ? 1 : 0;
}

/**
 * seen_indexer_retokenize(ix, txn, now, st):
 * Publish every record of this node again under the tokenizer ${ix} now
 * holds (a new match-key epoch), retracting the entries made under the
 * old one, and record the epoch in the store.  Does nothing when the
 * store's entries are already of that epoch.  Returns 0 or an error as
 * seen_indexer_apply.
 */
/* Parse the stored record ${id} into *${rec}; SEEN_ENOTFOUND when it does
 * not parse (stored records were parsed once: never). */
static int
stored_record(struct seen_indexer *ix, struct seen_txn *txn, const char *id,
    struct seen_record **rec)
{
    uint8_t idk[16], *body;
    size_t blen;
    int rc;

    seen_store_id_key(ix->store, id, strlen(id), idk);
    if ((rc = seen_store_sealed_get(txn, SEEN_DB_RECORDS, idk, 16, id,
             strlen(id), &body, &blen)) != 0)
        return rc;
    rc = seen_record_parse((const char *)body, blen, rec, NULL, NULL);
    sodium_memzero(body, blen);
    free(body);
    return rc != 0 ? SEEN_ENOTFOUND : 0;
}

#define RETOKENIZE_BATCH 512 /* records a batch of custodian evaluations */

/* Publish again the records ${ids}[0 .. n-1]: in an OPRF epoch their
 * tokens' inputs are evaluated first, in one batch. */
static int
retokenize_some(struct seen_indexer *ix, struct seen_txn *txn,
    char *const *ids, size_t n, uint64_t now, struct seen_index_stats *st)
{
    struct seen_record *rec[RETOKENIZE_BATCH] = {NULL};
    size_t i;
    int rc = 0;

    seen_indexer_batch_clear(ix);
    for (i = 0; i < n && rc == 0; i++)
        if ((rc = stored_record(ix, txn, ids[i], &rec[i])) == 0)
            rc = seen_indexer_batch_record(ix, rec[i]);
        else if (rc == SEEN_ENOTFOUND)
            rc = 0;
    if (rc == 0)
        rc = seen_indexer_batch_fill(ix, "import", NULL);
    for (i = 0; i < n && rc == 0; i++)
        if (rec[i] != NULL)
            rc = apply_record(ix, txn, rec[i], now, st, 0);
    for (i = 0; i < n; i++)
        seen_record_destroy(&rec[i]);
    seen_indexer_batch_clear(ix);
    return rc;
}

/**
 * seen_indexer_retokenize(ix, txn, now, st):
 * Publish every record of this node again under the tokenizer ${ix} now
 * holds (a new match-key epoch), retracting the entries made under the
 * old one, and record the epoch in the store.  Does nothing when the
 * store's entries are already of that epoch.  In an OPRF epoch the
 * custodians evaluate the tokens' inputs, RETOKENIZE_BATCH records at a
 * time.  Returns 0 or an error as seen_indexer_apply, or as
 * seen_indexer_batch_fill.
 */
int
seen_indexer_retokenize(struct seen_indexer *ix, struct seen_txn *txn,
    uint64_t now, size_t max, struct seen_index_stats *st, int *more)
{
    struct ids_ctx c;
    size_t i, k;
    uint32_t epoch = seen_tokenizer_epoch(ix->tk), held;
    int rc;

    *more = 0;
    if (seen_store_epoch(txn, &held) == 0 && held == epoch)
        return SEEN_OK;
    memset(&c, 0, sizeof c);
    c.txn = txn;
    c.ix = ix;
    c.epoch = epoch;
    c.max = max;
    if (ix->retok_epoch != epoch) {
        ix->retok_epoch = epoch;
        ix->retok_alen = 0;
    }
    if ((rc = seen_store_iter_after(txn, SEEN_DB_RECMETA, ix->retok_after,
             ix->retok_alen, collect_record_id, &c)) != 0)
        goto done;
    for (i = 0; i < c.n; i += k) {
        k = c.n - i < RETOKENIZE_BATCH ? c.n - i : RETOKENIZE_BATCH;
        if ((rc = retokenize_some(ix, txn, c.ids + i, k, now, st)) != 0)
            goto done;
    }
    if (max != 0 && c.n == max) {
        /* Where the next call goes on (once this one is committed). */
        memcpy(ix->retok_after, c.last, c.llen);
        ix->retok_alen = c.llen;
        *more = 1;
    } else {
        ix->retok_alen = 0;
        rc = seen_store_set_epoch(txn, epoch);
    }
done:
    for (i = 0; i < c.n; i++)
        free(c.ids[i]);
    free(c.ids);
    return rc;
}

/**
 * seen_indexer_own(store, txn, handle, lh, body, blen):
 * Look up what this node's own entry ${handle} (16 bytes) stands for, in
 * ${store} through ${txn}: *${lh} is its decoded LocalHandle (record id,
 * person ref, role; free with seen__local_handle__free_unpacked) and
 * *${body} the stored record body, the record as imported (malloc'd,
 * *${blen} bytes and a NUL; the caller wipes and frees it).
 * Returns 0; SEEN_ENOTFOUND when ${handle} is not one of ours (retracted,
 * or never published), both NULL; SEEN_ECORRUPT when a value is damaged,
 * or when the handle is known but its record is missing (then *${lh} is
 * set and *${body} NULL); SEEN_ENOMEM.
 */
int
seen_indexer_own(struct seen_store *store, struct seen_txn *txn,
    const uint8_t handle[16], Seen__LocalHandle **lh, char **body,
    size_t *blen)
{
    uint8_t *buf, idk[16];
    size_t len;
    int rc;

    *lh = NULL;
    *body = NULL;
    rc = seen_store_sealed_get(txn, SEEN_DB_HANDLES, handle, 16, handle, 16,
        &buf, &len);
    if (rc != 0)
        return rc;
    *lh = seen__local_handle__unpack(NULL, len, buf);
    sodium_memzero(buf, len);
    free(buf);
    if (*lh == NULL)
        return SEEN_ECORRUPT;
    seen_store_id_key(store, (*lh)->record, strlen((*lh)->record), idk);
    rc = seen_store_sealed_get(txn, SEEN_DB_RECORDS, idk, 16, (*lh)->record,
        strlen((*lh)->record), &buf, blen);
    if (rc != 0)
        return rc == SEEN_ENOTFOUND ? SEEN_ECORRUPT : rc;
    *body = (char *)buf;
    return SEEN_OK;
}

struct each_handle {
    struct seen_txn *txn;
    seen_indexer_handle_fn *fn;
    void *ctx;
};

static int
on_handle(void *vctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{
    struct each_handle *c = vctx;
    Seen__LocalHandle *lh;
    uint8_t *buf;
    size_t len;
    int rc;

    (void)val;
    (void)vlen;
    if (klen != 16)
        return SEEN_ECORRUPT;
    if ((rc = seen_store_sealed_get(c->txn, SEEN_DB_HANDLES, key, 16, key,
             16, &buf, &len)) != 0)
        return rc;
    lh = seen__local_handle__unpack(NULL, len, buf);
    sodium_memzero(buf, len);
    free(buf);
    if (lh == NULL)
        return SEEN_ECORRUPT;
    rc = c->fn(c->ctx, key, lh);
    seen__local_handle__free_unpacked(lh, NULL);
    return rc;
}

/**
 * seen_indexer_each_handle(txn, after, fn, ctx):
 * Call ${fn} for each of this node's handles, in handle order, starting
 * after ${after} (16 bytes; NULL: from the first), for paging across
 * transactions.
 * Returns 0; ${fn}'s negative code; SEEN_ECORRUPT for a damaged record;
 * SEEN_EAUTH when one does not open; SEEN_ENOMEM.
 */
int
seen_indexer_each_handle(struct seen_txn *txn, const uint8_t *after,
    seen_indexer_handle_fn *fn, void *ctx)
{
    struct each_handle c = {txn, fn, ctx};

    return seen_store_iter_after(txn, SEEN_DB_HANDLES, after,
        after != NULL ? 16 : 0, on_handle, &c);
}
