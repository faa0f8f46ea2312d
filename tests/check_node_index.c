/*
 * check_node_index.c: from import lines to a searchable index.  Records
 * are parsed with seen_record_parse (proto/record.h), applied by the
 * indexer (node/matching/indexer.h) into a real store with real keys, and found
 * again with seen_query_run (node/matching/query.h).
 */
#include <sys/stat.h>

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/seen.h"
#include "crypto/keys.h"
#include "match/normalise.h"
#include "match/tokens.h"
#include "node/matching/indexer.h"
#include "node/matching/query.h"
#include "proto/record.h"
#include "proto/feed_entry.h"
#include "storage/feed.h"
#include "storage/index.h"
#include "storage/store.h"
#include "tests/suites.h"
#include "tests/testutil.h"
#include "seen.pb-c.h"

#define NOW 1750000000ULL /* 2025-06-15 */
#define NHS_CHILD "9434765919"

/* The example of spec/import.md, with a summary and an address. */
#define REC1_ID "TVP-DA-2025-00412"
#define REC1                                                                   \
    "{\"id\":\"" REC1_ID "\",\"kind\":\"domestic_abuse_incident\","            \
    "\"date\":\"2025-06-14\",\"local_authority\":\"Reading\",\"risk\":"        \
    "\"high\",\"child_present\":true,\"child_voice\":\"I hid under the "       \
    "bed when they shouted\",\"summary\":\"Neighbour called police after "     \
    "hearing screaming\",\"people\":[{\"ref\":\"v1\",\"role\":"                \
    "\"adult_victim\",\"given_name\":\"Chantelle\",\"family_name\":"           \
    "\"Ward\",\"date_of_birth\":\"1994-02-11\",\"postcode\":\"RG1 5DF\","      \
    "\"address\":\"14 Abbotsbury Crescent\"},"                                 \
    "{\"ref\":\"c1\",\"role\":\"child\",\"given_name\":\"Mia\","               \
    "\"family_name\":\"Ward\",\"date_of_birth\":\"2020-09-30\","               \
    "\"nhs_number\":\"943 476 5919\"},{\"ref\":\"p1\",\"role\":"               \
    "\"perpetrator\",\"given_name\":\"Dean\",\"family_name\":\"Holt\","        \
    "\"date_of_birth\":\"1989-05-02\",\"pnc_id\":\"2011/0234567F\"}]}"

/* The same record corrected: a new summary, the child's name spelt out. */
#define REC1_V2                                                                \
    "{\"id\":\"" REC1_ID "\",\"kind\":\"domestic_abuse_incident\","            \
    "\"date\":\"2025-06-14\",\"local_authority\":\"Reading\",\"risk\":"        \
    "\"high\",\"summary\":\"Corrected after supervisor review\","              \
    "\"people\":[{\"ref\":\"v1\",\"role\":\"adult_victim\",\"given_name\":"    \
    "\"Chantelle\",\"family_name\":\"Ward\",\"date_of_birth\":"                \
    "\"1994-02-11\"},{\"ref\":\"c1\",\"role\":\"child\",\"given_name\":"       \
    "\"Amelia\",\"family_name\":\"Ward\",\"date_of_birth\":\"2020-09-30\","    \
    "\"nhs_number\":\"9434765919\"},{\"ref\":\"p1\",\"role\":"                 \
    "\"perpetrator\",\"given_name\":\"Dean\",\"family_name\":\"Holt\","        \
    "\"date_of_birth\":\"1989-05-02\"}]}"

/* A second record: a school concern about another child. */
#define REC2_ID "SCH-2025-0077"
#define REC2                                                                   \
    "{\"id\":\"" REC2_ID "\",\"kind\":\"safeguarding_concern\",\"date\":"      \
    "\"2025-05-01\",\"local_authority\":\"Wokingham\",\"people\":["            \
    "{\"ref\":\"c\",\"role\":\"child\",\"given_name\":\"Kayden\","             \
    "\"family_name\":\"Price\",\"date_of_birth\":\"2012-03-04\","              \
    "\"postcode\":\"RG40 1AA\"}]}"

/* A refuge record: shielded, with an address-bearing postcode. */
#define REC3_ID "REF-2025-0003"
#define REC3                                                                   \
    "{\"id\":\"" REC3_ID "\",\"kind\":\"safety_plan\",\"date\":"               \
    "\"2025-04-01\",\"local_authority\":\"Slough\",\"shielded\":true,"         \
    "\"people\":[{\"ref\":\"v\",\"role\":\"adult_victim\",\"given_name\":"     \
    "\"Precious\",\"family_name\":\"Okafor\",\"date_of_birth\":"               \
    "\"1991-08-19\",\"postcode\":\"SL1 2AB\"}]}"

#define DELETE(id) "{\"id\":\"" id "\",\"deleted\":true}"

/* ---- fixture: a node's store, keys, tokenizer and indexer ---- */

static char base[1024], sdir[2048];
static struct seen_keys *keys;
static struct seen_tokenizer *tk;
static struct seen_store *store;
static struct seen_indexer ix;

static void
open_node(int create)
{

    ck_assert_int_eq(seen_store_open(sdir, keys->sign_pk, keys->record_key, 64,
                         create, &store),
        SEEN_OK);
    ck_assert_int_eq(seen_indexer_init(&ix, store, keys, tk), SEEN_OK);
}

static void
setup(void)
{

    tu_tmpdir(base, sizeof base);
    snprintf(sdir, sizeof sdir, "%s/store", base);
    ck_assert_ptr_nonnull(keys = seen_keys_generate());
    ck_assert_ptr_nonnull(
        tk = seen_tokenizer_new(keys->match_key, keys->match_epoch));
    open_node(1);
}

static void
teardown(void)
{

    seen_store_destroy(&store);
    store = NULL;
    seen_tokenizer_destroy(&tk);
    seen_keys_destroy(&keys);
    tu_rmrf(base);
}

static struct seen_txn *
begin(int write)
{

    return tu_begin(store, write);
}

/* Parse ${line} and apply it in ${t}; returns the indexer's code. */
static int
apply(struct seen_txn *t, const char *line, struct seen_index_stats *st)
{

    return tu_apply(&ix, t, line, NOW, st);
}

/* Import ${line} in a transaction of its own, committed. */
static void
import(const char *line)
{
    struct seen_index_stats st = {0};
    struct seen_txn *t = begin(1);

    ck_assert_int_eq(apply(t, line, &st), SEEN_OK);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
}

static uint64_t
feed_size(void)
{
    struct seen_txn *t = begin(0);
    uint64_t n;

    ck_assert_int_eq(seen_feed_size(t, ix.own, &n), SEEN_OK);
    seen_store_abort(t);
    return n;
}

static uint64_t
count(enum seen_db db)
{

    return tu_count(store, db);
}

static int32_t
day(const char *ymd)
{
    int32_t d;

    ck_assert_int_eq(seen_date_parse(ymd, &d), 0);
    return d;
}

/* Run ${q} in a read transaction; the hits go to *${r}. */
static void
query(const struct seen_token_input *q, struct seen_query_result *r)
{
    struct seen_txn *t = begin(0);

    ck_assert_int_eq(seen_query_run(t, tk, q, r), SEEN_OK);
    seen_store_abort(t);
}

static size_t
hits_for_nhs(const char *nhs, uint8_t handle[16])
{
    struct seen_token_input q = {0};
    struct seen_query_result r;
    size_t n;

    q.nhs = nhs;
    query(&q, &r);
    n = r.n;
    if (n > 0 && handle != NULL)
        memcpy(handle, r.hits[0].handle, 16);
    seen_query_release(&r);
    return n;
}

/* What our handle ${h} stands for: its record id and person ref. */
static void
who(const uint8_t h[16], char *record, size_t rlen, char *ref, size_t flen)
{
    struct seen_txn *t = begin(0);
    Seen__LocalHandle *lh;
    uint8_t *v = NULL;
    size_t vlen;

    ck_assert_int_eq(
        seen_store_sealed_get(t, SEEN_DB_HANDLES, h, 16, h, 16, &v, &vlen),
        SEEN_OK);
    ck_assert_ptr_nonnull(lh = seen__local_handle__unpack(NULL, vlen, v));
    snprintf(record, rlen, "%s", lh->record);
    snprintf(ref, flen, "%s", lh->ref);
    seen__local_handle__free_unpacked(lh, NULL);
    free(v);
    seen_store_abort(t);
}

/* ---- decoding leaves ---- */

/* Leaf bytes built by hand, to feed seen_index_entry what a peer might. */
struct wbuf {
    uint8_t b[2048];
    size_t n;
};

static void
w_varint(struct wbuf *w, uint64_t v)
{

    do {
        ck_assert_uint_lt(w->n, sizeof w->b);
        w->b[w->n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v != 0);
}

static void
w_key(struct wbuf *w, unsigned int field, unsigned int type)
{

    w_varint(w, (uint64_t)field << 3 | type);
}

static void
w_bytes(struct wbuf *w, unsigned int field, const void *p, size_t n)
{

    w_key(w, field, 2);
    w_varint(w, n);
    ck_assert_uint_le(w->n + n, sizeof w->b);
    memcpy(w->b + w->n, p, n);
    w->n += n;
}

static void
w_uint(struct wbuf *w, unsigned int field, uint64_t v)
{

    w_key(w, field, 0);
    w_varint(w, v);
}

/* A FeedEntry around IndexEntry bytes ${e}. */
static void
w_leaf(struct wbuf *out, const struct wbuf *e)
{
    uint8_t origin[32];

    memset(origin, 0xab, sizeof origin);
    out->n = 0;
    w_bytes(out, 1, origin, sizeof origin);
    w_uint(out, 2, 7);
    w_uint(out, 3, 1750000000);
    w_bytes(out, 4, e->b, e->n);
}

/* A well-formed IndexEntry, every field set, in field order. */
static void
w_entry(struct wbuf *e, const char *la)
{
    uint8_t h[16], g[16], tok[3 * 17], bloom[SEEN_BLOOM_BYTES];

    memset(h, 1, sizeof h);
    memset(g, 2, sizeof g);
    memset(tok, 3, sizeof tok);
    memset(bloom, 4, sizeof bloom);
    e->n = 0;
    w_bytes(e, 1, h, sizeof h);
    w_bytes(e, 2, g, sizeof g);
    w_uint(e, 3, SEEN__ROLE__CHILD);
    w_uint(e, 4, SEEN__KIND__DOMESTIC_ABUSE_INCIDENT);
    w_uint(e, 5, 20000);
    w_uint(e, 6, SEEN__RISK__HIGH);
    w_bytes(e, 7, la, strlen(la));
    w_bytes(e, 8, tok, sizeof tok);
    w_bytes(e, 9, bloom, sizeof bloom);
    w_uint(e, 10, 1);
    w_uint(e, 11, 4000000000U);
    w_uint(e, 12, 1);
    w_uint(e, 13, 2);
}

/* An IndexEntry with two short tokens (field 14) and no whole ones. */
static void
w_entry_short(struct wbuf *e)
{
    uint8_t h[16], g[16], tok[2 * SEEN_SHORT_ITEM], bloom[SEEN_BLOOM_BYTES];

    memset(h, 1, sizeof h);
    memset(g, 2, sizeof g);
    memset(tok, 3, SEEN_SHORT_ITEM);
    memset(tok + SEEN_SHORT_ITEM, 5, SEEN_SHORT_ITEM);
    memset(bloom, 4, sizeof bloom);
    e->n = 0;
    w_bytes(e, 1, h, sizeof h);
    w_bytes(e, 2, g, sizeof g);
    w_uint(e, 3, SEEN__ROLE__CHILD);
    w_bytes(e, 7, (const uint8_t *)"Reading", 7);
    w_bytes(e, 9, bloom, sizeof bloom);
    w_uint(e, 10, 1);
    w_bytes(e, 14, tok, sizeof tok);
}

static int
bin_eq(ProtobufCBinaryData a, ProtobufCBinaryData b)
{

    return a.len == b.len && (a.len == 0 || memcmp(a.data, b.data, a.len) == 0);
}

/* Allocations outstanding through counting_alloc. */
static long outstanding;

static void *
counting_alloc(void *ctx, size_t n)
{

    (void)ctx;
    outstanding++;
    return malloc(n);
}

static void
counting_free(void *ctx, void *p)
{

    (void)ctx;
    outstanding--;
    free(p);
}

/*
 * Append ${leaf} to a feed of its own and check that seen_index_entry
 * decodes it exactly as protobuf_c_message_unpack does (or, when
 * ${refused}, refuses it as corrupt although protobuf-c decodes it), and
 * that what it allocates free_unpacked frees.
 */
static void
check_decoding(const struct wbuf *leaf, const char *what, int refused)
{
    ProtobufCAllocator counting = {counting_alloc, counting_free, NULL};
    uint8_t pk[32];
    Seen__FeedEntry *a, *b = NULL;
    Seen__IndexEntry *x, *y;
    struct seen_txn *t = begin(1);
    uint32_t oidx;
    uint64_t seq;
    int rc;

    randombytes_buf(pk, sizeof pk);
    ck_assert_int_eq(seen_store_origin(t, pk, 1, &oidx), SEEN_OK);
    ck_assert_int_eq(seen_feed_append(t, oidx, leaf->b, leaf->n, &seq),
        SEEN_OK);
    a = seen__feed_entry__unpack(NULL, leaf->n, leaf->b);
    outstanding = 0;
    rc = seen_index_entry_alloc(t, oidx, seq, &counting, &b);
    if (refused || a == NULL || a->body_case != SEEN__FEED_ENTRY__BODY_ENTRY) {
        ck_assert_msg(rc == SEEN_ECORRUPT, "%s: decoded, protobuf-c refuses",
            what);
        ck_assert_ptr_null(b);
        ck_assert_int_eq(outstanding, 0);
        goto done;
    }
    ck_assert_msg(rc == SEEN_OK, "%s: not decoded (%d)", what, rc);
    x = a->entry;
    y = b->entry;
    /* seen_index_entry gives the tokens as matching compares them. */
    ck_assert_int_eq(seen_index_entry_normalise(x, NULL), 0);
    ck_assert_msg(bin_eq(a->origin, b->origin) && a->seq == b->seq &&
            a->time == b->time && bin_eq(x->handle, y->handle) &&
            bin_eq(x->group, y->group) && x->role == y->role &&
            x->kind == y->kind && x->date == y->date && x->risk == y->risk &&
            strcmp(x->local_authority, y->local_authority) == 0 &&
            bin_eq(x->tokens, y->tokens) &&
            bin_eq(x->short_tokens, y->short_tokens) &&
            bin_eq(x->name_bloom, y->name_bloom) && x->epoch == y->epoch &&
            x->expiry == y->expiry && x->flags == y->flags &&
            x->birth_band == y->birth_band &&
            x->base.n_unknown_fields == y->base.n_unknown_fields,
        "%s: decoded differently", what);
    seen__feed_entry__free_unpacked(b, &counting);
    ck_assert_int_eq(outstanding, 0);
done:
    if (a != NULL)
        seen__feed_entry__free_unpacked(a, NULL);
    seen_store_abort(t);
}

START_TEST(test_leaves_decode_as_protobuf_c_decodes_them)
{
    struct wbuf e, leaf, tmp;
    uint8_t zero[1] = {0};
    size_t cut;

    /* As the indexer writes them, and as feedcheck would refuse them. */
    w_entry(&e, "Reading");
    w_leaf(&leaf, &e);
    check_decoding(&leaf, "canonical", 0);
    {
        Seen__FeedEntry fe = SEEN__FEED_ENTRY__INIT;
        Seen__IndexEntry ie = SEEN__INDEX_ENTRY__INIT;
        uint8_t h[16] = {9};
        char la[] = "Slough";

        ie.handle = (ProtobufCBinaryData){16, h};
        ie.local_authority = la;
        ie.birth_band = 3;
        fe.body_case = SEEN__FEED_ENTRY__BODY_ENTRY;
        fe.entry = &ie;
        leaf.n = seen__feed_entry__pack(&fe, leaf.b);
        check_decoding(&leaf, "packed by protobuf-c", 0);
    }
    w_entry(&e, "Ynys M\xc3\xb4n");
    w_leaf(&leaf, &e);
    check_decoding(&leaf, "a name not in ASCII", 0);
    /* What only protobuf-c decodes: a field twice, out of order, unknown,
     * empty, a value wider than its field, a negative enum. */
    w_entry(&e, "Reading");
    w_uint(&e, 13, 3);
    w_leaf(&leaf, &e);
    check_decoding(&leaf, "a field twice", 0);
    w_entry(&e, "Reading");
    w_uint(&e, 5, 1);
    w_leaf(&leaf, &e);
    check_decoding(&leaf, "fields out of order", 0);
    w_entry(&e, "Reading");
    w_uint(&e, 99, 1);
    w_leaf(&leaf, &e);
    check_decoding(&leaf, "an unknown field", 0);
    w_entry(&e, "Reading");
    w_bytes(&e, 99, zero, 0);
    w_leaf(&leaf, &e);
    check_decoding(&leaf, "an empty unknown field", 0);
    /* Short tokens instead of whole ones; and both, which a receiver
     * refuses (feedcheck) but the decoders must agree on. */
    w_entry_short(&e);
    w_leaf(&leaf, &e);
    check_decoding(&leaf, "short tokens", 0);
    w_entry(&e, "Reading");
    w_bytes(&e, 14, (const uint8_t *)"012345678", 9);
    w_leaf(&leaf, &e);
    check_decoding(&leaf, "both kinds of token", 1);
    tmp.n = 0;
    w_bytes(&tmp, 1, zero, 0);
    w_uint(&tmp, 3, SEEN__ROLE__ADULT_VICTIM);
    w_leaf(&leaf, &tmp);
    check_decoding(&leaf, "an empty handle", 0);
    tmp.n = 0;
    w_uint(&tmp, 5, 0x1234567890ULL);
    w_leaf(&leaf, &tmp);
    check_decoding(&leaf, "a date wider than 32 bits", 0);
    tmp.n = 0;
    w_uint(&tmp, 3, (uint64_t)-1);
    w_leaf(&leaf, &tmp);
    check_decoding(&leaf, "a negative role", 0);
    tmp.n = 0;
    w_uint(&tmp, 3, 0x80000000ULL);
    w_leaf(&leaf, &tmp);
    check_decoding(&leaf, "a role past INT32_MAX", 0);
    tmp.n = 0;
    w_key(&tmp, 3, 2);
    w_varint(&tmp, 1);
    w_varint(&tmp, 1);
    w_leaf(&leaf, &tmp);
    check_decoding(&leaf, "a role of the wrong wire type", 0);
    e.n = 0;
    w_leaf(&leaf, &e);
    check_decoding(&leaf, "an empty entry", 0);
    w_entry(&e, "Reading");
    w_leaf(&leaf, &e);
    leaf.b[leaf.n++] = 0x10; /* seq again, after the entry */
    leaf.b[leaf.n++] = 0x01;
    check_decoding(&leaf, "the seq after the entry", 0);
    leaf.n = 0;
    w_bytes(&leaf, 5, zero, 1);
    check_decoding(&leaf, "a retraction", 0);
    /* Every truncation of a canonical leaf. */
    w_entry(&e, "Reading");
    w_leaf(&tmp, &e);
    for (cut = 0; cut < tmp.n; cut++) {
        leaf = tmp;
        leaf.n = cut;
        check_decoding(&leaf, "truncated", 0);
    }
}
END_TEST

/* ---- publishing ---- */

START_TEST(test_import_publishes_one_feed_entry_per_person)
{
    struct seen_index_stats st = {0};
    struct seen_txn *t = begin(1);
    Seen__FeedEntry *fe[3];
    static const int roles[3] = {
        SEEN__ROLE__ADULT_VICTIM, SEEN__ROLE__CHILD, SEEN__ROLE__PERPETRATOR};
    static const unsigned int bands[3] = {3, 2, 3};
    uint64_t seq;
    size_t i, k;

    ck_assert_int_eq(apply(t, REC1, &st), SEEN_OK);
    ck_assert_uint_eq(st.records, 1);
    ck_assert_uint_eq(st.entries, 3);
    ck_assert_uint_eq(st.replaced, 0);
    ck_assert_uint_eq(st.retracted, 0);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);

    ck_assert_uint_eq(feed_size(), 3);
    ck_assert_uint_eq(count(SEEN_DB_ENTRIES), 3);
    ck_assert_uint_eq(count(SEEN_DB_HANDLES), 3);
    ck_assert_uint_eq(count(SEEN_DB_RECORDS), 1);
    ck_assert_uint_eq(count(SEEN_DB_RECMETA), 1);

    t = begin(0);
    for (i = 0; i < 3; i++) {
        ck_assert_int_eq(seen_index_entry(t, ix.own, i, &fe[i]), SEEN_OK);
        ck_assert_uint_eq(fe[i]->seq, i);
        ck_assert_uint_eq(fe[i]->time, NOW);
        ck_assert_uint_eq(fe[i]->origin.len, 32);
        ck_assert_mem_eq(fe[i]->origin.data, keys->sign_pk, 32);
        ck_assert_int_eq(fe[i]->entry->role, roles[i]);
        ck_assert_int_eq(
            fe[i]->entry->kind, SEEN__KIND__DOMESTIC_ABUSE_INCIDENT);
        ck_assert_int_eq(fe[i]->entry->risk, SEEN__RISK__HIGH);
        ck_assert_uint_eq(fe[i]->entry->date, day("2025-06-14"));
        ck_assert_str_eq(fe[i]->entry->local_authority, "Reading");
        ck_assert_uint_eq(fe[i]->entry->birth_band, bands[i]);
        ck_assert_uint_eq(fe[i]->entry->epoch, keys->match_epoch);
        ck_assert_uint_eq(fe[i]->entry->name_bloom.len, SEEN_BLOOM_BYTES);
        ck_assert(fe[i]->entry->flags & SEEN__ENTRY_FLAG__FLAG_CHILD_PRESENT);
        ck_assert(fe[i]->entry->flags & SEEN__ENTRY_FLAG__FLAG_CHILD_VOICE);
        ck_assert(!(fe[i]->entry->flags & SEEN__ENTRY_FLAG__FLAG_SHIELDED));
        /* Tokens: whole sorted items, and the entry is live at i. */
        ck_assert_uint_gt(fe[i]->entry->tokens.len, 0);
        ck_assert_uint_eq(fe[i]->entry->tokens.len % SEEN_TOKEN_ITEM, 0);
        for (k = SEEN_TOKEN_ITEM; k < fe[i]->entry->tokens.len;
             k += SEEN_TOKEN_ITEM)
            ck_assert_int_lt(
                memcmp(fe[i]->entry->tokens.data + k - SEEN_TOKEN_ITEM,
                    fe[i]->entry->tokens.data + k, SEEN_TOKEN_ITEM),
                0);
        ck_assert_uint_eq(fe[i]->entry->handle.len, 16);
        ck_assert_int_eq(
            seen_index_seq(t, ix.own, fe[i]->entry->handle.data, &seq),
            SEEN_OK);
        ck_assert_uint_eq(seq, i);
    }
    /* One record: one group, and three different handles. */
    ck_assert_uint_eq(fe[0]->entry->group.len, 16);
    ck_assert_mem_eq(fe[0]->entry->group.data, fe[1]->entry->group.data, 16);
    ck_assert_mem_eq(fe[0]->entry->group.data, fe[2]->entry->group.data, 16);
    ck_assert_mem_ne(fe[0]->entry->handle.data, fe[1]->entry->handle.data, 16);
    ck_assert_mem_ne(fe[1]->entry->handle.data, fe[2]->entry->handle.data, 16);
    /* The child's NHS number is the child's token alone. */
    ck_assert_uint_eq(fe[1]->entry->tokens.data[0], SEEN_RULE_NHS);
    ck_assert_uint_ne(fe[0]->entry->tokens.data[0], SEEN_RULE_NHS);
    for (i = 0; i < 3; i++)
        seen__feed_entry__free_unpacked(fe[i], NULL);
    seen_store_abort(t);
}
END_TEST

START_TEST(test_entries_of_two_records_have_different_groups)
{
    struct seen_txn *t;
    Seen__FeedEntry *a, *b;

    import(REC1);
    import(REC2);
    ck_assert_uint_eq(feed_size(), 4);
    t = begin(0);
    ck_assert_int_eq(seen_index_entry(t, ix.own, 0, &a), SEEN_OK);
    ck_assert_int_eq(seen_index_entry(t, ix.own, 3, &b), SEEN_OK);
    ck_assert_mem_ne(a->entry->group.data, b->entry->group.data, 16);
    ck_assert_str_eq(b->entry->local_authority, "Wokingham");
    ck_assert_int_eq(b->entry->kind, SEEN__KIND__SAFEGUARDING_CONCERN);
    seen__feed_entry__free_unpacked(a, NULL);
    seen__feed_entry__free_unpacked(b, NULL);
    seen_store_abort(t);
}
END_TEST

START_TEST(test_shielded_record_publishes_no_address_bearing_token)
{
    struct seen_txn *t;
    Seen__FeedEntry *fe;
    struct seen_token_input q = {0};
    struct seen_query_result r;
    size_t k;

    import(REC3);
    t = begin(0);
    ck_assert_int_eq(seen_index_entry(t, ix.own, 0, &fe), SEEN_OK);
    ck_assert(fe->entry->flags & SEEN__ENTRY_FLAG__FLAG_SHIELDED);
    ck_assert_uint_gt(fe->entry->tokens.len, 0);
    for (k = 0; k < fe->entry->tokens.len; k += SEEN_TOKEN_ITEM) {
        unsigned int rule = fe->entry->tokens.data[k];

        ck_assert_msg(
            rule != SEEN_RULE_NAME_YOB_DIST && rule != SEEN_RULE_GIVEN_DOB &&
                rule != SEEN_RULE_F_POSTCODE && rule != SEEN_RULE_F_DISTRICT,
            "shielded entry carries rule %u (%s)", rule, seen_rule_name(rule));
    }
    seen__feed_entry__free_unpacked(fe, NULL);
    seen_store_abort(t);

    /* She is still found by name and date of birth. */
    q.given = "Precious";
    q.family = "Okafor";
    q.has_dob = 1;
    q.dob = day("1991-08-19");
    query(&q, &r);
    ck_assert_uint_eq(r.n, 1);
    ck_assert(r.hits[0].flags & SEEN__ENTRY_FLAG__FLAG_SHIELDED);
    seen_query_release(&r);
}
END_TEST

/* ---- querying ---- */

START_TEST(test_query_by_nhs_number_finds_the_child)
{
    struct seen_token_input q = {0};
    struct seen_query_result r;
    char rec[160], ref[32];

    import(REC1);
    import(REC2);
    q.nhs = NHS_CHILD;
    query(&q, &r);
    ck_assert_uint_eq(r.n, 1);
    ck_assert_int_eq(r.hits[0].score.band, SEEN_BAND_MATCH);
    ck_assert_int_eq(r.hits[0].role, SEEN__ROLE__CHILD);
    ck_assert_int_eq(r.hits[0].kind, SEEN__KIND__DOMESTIC_ABUSE_INCIDENT);
    ck_assert_int_eq(r.hits[0].risk, SEEN__RISK__HIGH);
    ck_assert_uint_eq(r.hits[0].oidx, ix.own);
    ck_assert_uint_eq(r.hits[0].seq, 1);
    ck_assert_uint_eq(r.hits[0].published, NOW);
    ck_assert_str_eq(r.hits[0].local_authority, "Reading");
    who(r.hits[0].handle, rec, sizeof rec, ref, sizeof ref);
    ck_assert_str_eq(rec, REC1_ID);
    ck_assert_str_eq(ref, "c1");
    seen_query_release(&r);

    /* Another valid NHS number finds nobody. */
    ck_assert_uint_eq(hits_for_nhs("4010232137", NULL), 0);
}
END_TEST

/* The decoded leaf ${seq} of our feed (protobuf-c's, as a peer reads it). */
static Seen__FeedEntry *
own_leaf(uint64_t seq)
{
    struct seen_txn *t = begin(0);
    Seen__FeedEntry *fe;
    const uint8_t *leaf;
    size_t len;

    ck_assert_int_eq(seen_feed_leaf(t, ix.own, seq, &leaf, &len), SEEN_OK);
    fe = seen__feed_entry__unpack(NULL, len, leaf);
    seen_store_abort(t);
    ck_assert_ptr_nonnull(fe);
    ck_assert_int_eq(seen_feed_entry_check(fe), 0);
    return fe;
}

/* An entry published with short tokens (the membership document's
 * token_bytes 8) carries them alone, and matches the same child published
 * earlier with whole tokens exactly as well (docs/protocol.md, "Short
 * tokens"). */
START_TEST(test_short_tokens_match_whole_ones)
{
    struct seen_token_input q = {0};
    struct seen_query_result r;
    Seen__FeedEntry *a, *b;
    const char *at;
    char line[4096];

    import(REC1);
    ix.short_tokens = 1;
    at = strstr(REC1, REC1_ID);
    snprintf(line, sizeof line, "%.*sTVP-DA-2025-00999%s", (int)(at - REC1),
        REC1, at + strlen(REC1_ID));
    import(line);
    a = own_leaf(1);
    b = own_leaf(1 + feed_size() / 2); /* the same child, second record */
    ck_assert_uint_gt(a->entry->tokens.len, 0);
    ck_assert_uint_eq(a->entry->short_tokens.len, 0);
    ck_assert_uint_eq(b->entry->tokens.len, 0);
    ck_assert_uint_eq(b->entry->short_tokens.len,
        a->entry->tokens.len / SEEN_TOKEN_ITEM * SEEN_SHORT_ITEM);
    seen__feed_entry__free_unpacked(a, NULL);
    seen__feed_entry__free_unpacked(b, NULL);
    q.nhs = NHS_CHILD;
    q.given = "Mia";
    query(&q, &r);
    ck_assert_uint_eq(r.n, 2);
    ck_assert_int_eq(r.hits[0].score.band, SEEN_BAND_MATCH);
    ck_assert_int_eq(r.hits[1].score.band, SEEN_BAND_MATCH);
    ck_assert(r.hits[0].score.weight == r.hits[1].score.weight);
    seen_query_release(&r);
}
END_TEST

START_TEST(test_query_by_misspelt_name_and_dob_finds_the_child)
{
    struct seen_token_input q = {0};
    struct seen_query_result r;
    char rec[160], ref[32];

    import(REC1);
    import(REC2);
    q.given = "Mya";
    q.family = "Ward";
    q.has_dob = 1;
    q.dob = day("2020-09-30");
    query(&q, &r);
    ck_assert_uint_ge(r.n, 1);
    ck_assert_uint_ge(r.candidates, 1);
    who(r.hits[0].handle, rec, sizeof rec, ref, sizeof ref);
    ck_assert_str_eq(rec, REC1_ID);
    ck_assert_str_eq(ref, "c1");
    ck_assert_int_eq(r.hits[0].role, SEEN__ROLE__CHILD);
    /* Her mother, same family name, other dob, is not a hit. */
    ck_assert_uint_eq(r.n, 1);
    seen_query_release(&r);

    /* And the mother by a typo of hers. */
    q.given = "Chantele";
    q.dob = day("1994-02-11");
    query(&q, &r);
    ck_assert_uint_eq(r.n, 1);
    ck_assert_int_eq(r.hits[0].score.band, SEEN_BAND_MATCH);
    who(r.hits[0].handle, rec, sizeof rec, ref, sizeof ref);
    ck_assert_str_eq(ref, "v1");
    seen_query_release(&r);
}
END_TEST

START_TEST(test_query_with_no_blocking_token_is_einval)
{
    struct seen_token_input q = {0};
    struct seen_query_result r;
    struct seen_txn *t;

    import(REC1);
    q.given = "Mia";
    q.sex = 'F';
    t = begin(0);
    ck_assert_int_eq(seen_query_run(t, tk, &q, &r), SEEN_EINVAL);
    ck_assert_uint_eq(r.n, 0);
    seen_store_abort(t);
}
END_TEST

/* ---- replacing, deleting, aborting, expiring ---- */

START_TEST(test_reimport_replaces_the_record_and_retracts_its_old_entries)
{
    struct seen_index_stats st = {0};
    struct seen_txn *t;
    Seen__FeedEntry *fe;
    uint8_t old[3][16], now_child[16], idk[16], *body;
    uint64_t seq;
    size_t i, blen;
    char rec[160], ref[32];

    import(REC1);
    t = begin(0);
    for (i = 0; i < 3; i++) {
        ck_assert_int_eq(seen_index_entry(t, ix.own, i, &fe), SEEN_OK);
        memcpy(old[i], fe->entry->handle.data, 16);
        seen__feed_entry__free_unpacked(fe, NULL);
    }
    seen_store_abort(t);

    t = begin(1);
    ck_assert_int_eq(apply(t, REC1_V2, &st), SEEN_OK);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    ck_assert_uint_eq(st.records, 1);
    ck_assert_uint_eq(st.replaced, 1);
    ck_assert_uint_eq(st.retracted, 3);
    ck_assert_uint_eq(st.entries, 3);

    /* 3 entries, 3 retractions of them, 3 new entries. */
    ck_assert_uint_eq(feed_size(), 9);
    t = begin(0);
    for (i = 3; i < 6; i++) {
        const uint8_t *leaf;
        size_t len;

        ck_assert_int_eq(seen_feed_leaf(t, ix.own, i, &leaf, &len), SEEN_OK);
        ck_assert_ptr_nonnull(fe = seen__feed_entry__unpack(NULL, len, leaf));
        ck_assert_int_eq(fe->body_case, SEEN__FEED_ENTRY__BODY_RETRACTION);
        ck_assert_uint_eq(fe->seq, i);
        ck_assert_uint_eq(fe->retraction->handle.len, 16);
        ck_assert_mem_eq(fe->retraction->handle.data, old[i - 3], 16);
        seen__feed_entry__free_unpacked(fe, NULL);
        ck_assert_int_eq(
            seen_index_seq(t, ix.own, old[i - 3], &seq), SEEN_ENOTFOUND);
    }
    /* The stored body is the new version. */
    seen_store_id_key(store, REC1_ID, strlen(REC1_ID), idk);
    ck_assert_int_eq(seen_store_sealed_get(t, SEEN_DB_RECORDS, idk, 16, REC1_ID,
                         strlen(REC1_ID), &body, &blen),
        SEEN_OK);
    ck_assert_ptr_nonnull(strstr((char *)body, "supervisor review"));
    ck_assert_ptr_null(strstr((char *)body, "screaming"));
    free(body);
    seen_store_abort(t);

    /* Only the new child entry answers, once. */
    ck_assert_uint_eq(hits_for_nhs(NHS_CHILD, now_child), 1);
    for (i = 0; i < 3; i++)
        ck_assert_mem_ne(now_child, old[i], 16);
    who(now_child, rec, sizeof rec, ref, sizeof ref);
    ck_assert_str_eq(ref, "c1");
    ck_assert_uint_eq(count(SEEN_DB_RECORDS), 1);
    ck_assert_uint_eq(count(SEEN_DB_RECMETA), 1);
    ck_assert_uint_eq(count(SEEN_DB_ENTRIES), 3);
    ck_assert_uint_eq(count(SEEN_DB_HANDLES), 3);
}
END_TEST

START_TEST(test_reimport_within_one_transaction_keeps_one_version)
{
    struct seen_index_stats st = {0};
    struct seen_txn *t = begin(1);

    ck_assert_int_eq(apply(t, REC1, &st), SEEN_OK);
    ck_assert_int_eq(apply(t, REC1, &st), SEEN_OK);
    ck_assert_int_eq(apply(t, REC1, &st), SEEN_OK);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    /* Imported again as it stands: left alone (check_node_reimport). */
    ck_assert_uint_eq(st.records, 1);
    ck_assert_uint_eq(st.unchanged, 2);
    ck_assert_uint_eq(st.replaced, 0);
    ck_assert_uint_eq(st.retracted, 0);
    ck_assert_uint_eq(feed_size(), 3);
    ck_assert_uint_eq(hits_for_nhs(NHS_CHILD, NULL), 1);
    ck_assert_uint_eq(count(SEEN_DB_RECORDS), 1);
    ck_assert_uint_eq(count(SEEN_DB_ENTRIES), 3);
}
END_TEST

START_TEST(test_deletion_line_retracts_the_record)
{
    struct seen_index_stats st = {0};
    struct seen_txn *t;

    import(REC1);
    import(REC2);
    t = begin(1);
    ck_assert_int_eq(apply(t, DELETE(REC1_ID), &st), SEEN_OK);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    ck_assert_uint_eq(st.deleted, 1);
    ck_assert_uint_eq(st.retracted, 3);
    ck_assert_uint_eq(st.records, 0);
    ck_assert_uint_eq(st.entries, 0);

    ck_assert_uint_eq(feed_size(), 4 + 3);
    ck_assert_uint_eq(hits_for_nhs(NHS_CHILD, NULL), 0);
    ck_assert_uint_eq(count(SEEN_DB_RECORDS), 1);
    ck_assert_uint_eq(count(SEEN_DB_RECMETA), 1);
    ck_assert_uint_eq(count(SEEN_DB_ENTRIES), 1);
    ck_assert_uint_eq(count(SEEN_DB_HANDLES), 1);
}
END_TEST

START_TEST(test_deletion_of_an_unknown_record_is_enotfound_and_does_nothing)
{
    struct seen_index_stats st = {0};
    struct seen_txn *t;

    import(REC1);
    t = begin(1);
    ck_assert_int_eq(apply(t, DELETE("NEVER-IMPORTED"), &st), SEEN_ENOTFOUND);
    ck_assert_uint_eq(st.deleted, 0);
    ck_assert_uint_eq(st.retracted, 0);
    seen_store_abort(t);
    ck_assert_uint_eq(feed_size(), 3);

    /* A record deleted once is unknown the second time. */
    t = begin(1);
    ck_assert_int_eq(apply(t, DELETE(REC1_ID), &st), SEEN_OK);
    ck_assert_int_eq(apply(t, DELETE(REC1_ID), &st), SEEN_ENOTFOUND);
    seen_store_abort(t);
}
END_TEST

START_TEST(test_aborted_transaction_leaves_nothing)
{
    struct seen_index_stats st = {0};
    struct seen_txn *t = begin(1);
    struct seen_token_input q = {0};
    struct seen_query_result r;
    enum seen_db dbs[] = {SEEN_DB_RECORDS, SEEN_DB_RECMETA, SEEN_DB_HANDLES,
        SEEN_DB_FEEDS, SEEN_DB_FHASH, SEEN_DB_ENTRIES, SEEN_DB_INDEX,
        SEEN_DB_EXPIRY};
    size_t i;

    ck_assert_int_eq(apply(t, REC1, &st), SEEN_OK);
    ck_assert_int_eq(apply(t, REC2, &st), SEEN_OK);
    ck_assert_uint_eq(st.entries, 4);
    seen_store_abort(t);

    ck_assert_uint_eq(feed_size(), 0);
    ck_assert_uint_eq(hits_for_nhs(NHS_CHILD, NULL), 0);
    q.given = "Mia";
    q.family = "Price";
    q.has_dob = 1;
    q.dob = day("2012-03-04");
    query(&q, &r);
    ck_assert_uint_eq(r.n, 0);
    ck_assert_uint_eq(r.candidates, 0);
    seen_query_release(&r);
    for (i = 0; i < sizeof dbs / sizeof dbs[0]; i++)
        ck_assert_msg(count(dbs[i]) == 0, "db %d not empty", (int)dbs[i]);

    /* The next import starts the feed at 0. */
    import(REC2);
    ck_assert_uint_eq(feed_size(), 1);
}
END_TEST

#define RETAIN(id, until, given, family, dob)                                  \
    "{\"id\":\"" id "\",\"kind\":\"other\",\"date\":\"2023-01-01\","           \
    "\"local_authority\":\"Reading\",\"retain_until\":\"" until "\","          \
    "\"people\":[{\"ref\":\"a\",\"role\":\"adult_victim\",\"given_name\":"     \
    "\"" given "\",\"family_name\":\"" family "\",\"date_of_birth\":\"" dob    \
    "\"},{\"ref\":\"b\",\"role\":\"other\",\"given_name\":\"Sam\","            \
    "\"family_name\":\"" family "\",\"date_of_birth\":\"1960-01-01\"}]}"

static size_t
hits_for_name(const char *given, const char *family, const char *dob)
{
    struct seen_token_input q = {0};
    struct seen_query_result r;
    size_t n;

    q.given = given;
    q.family = family;
    q.has_dob = 1;
    q.dob = day(dob);
    query(&q, &r);
    n = r.n;
    seen_query_release(&r);
    return n;
}

START_TEST(test_expire_retracts_records_whose_retain_until_has_passed)
{
    struct seen_index_stats st = {0};
    struct seen_txn *t;

    import(RETAIN("OLD", "2024-01-31", "Aisha", "Begum", "1985-03-03"));
    import(RETAIN("TODAY", "2025-06-14", "Grace", "Mensah", "1987-07-07"));
    import(RETAIN("LATER", "2030-12-31", "Nadia", "Kowalski", "1990-10-10"));
    import(REC2); /* no retain_until */
    ck_assert_uint_eq(feed_size(), 7);
    ck_assert_uint_eq(count(SEEN_DB_EXPIRY), 3);
    ck_assert_uint_eq(hits_for_name("Aisha", "Begum", "1985-03-03"), 1);

    t = begin(1);
    ck_assert_int_eq(
        seen_indexer_expire(&ix, t, day("2025-06-14"), NOW, &st), SEEN_OK);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    ck_assert_uint_eq(st.deleted, 1);
    ck_assert_uint_eq(st.retracted, 2);
    ck_assert_uint_eq(feed_size(), 9);
    ck_assert_uint_eq(hits_for_name("Aisha", "Begum", "1985-03-03"), 0);
    /* Retained until today: kept today. */
    ck_assert_uint_eq(hits_for_name("Grace", "Mensah", "1987-07-07"), 1);
    ck_assert_uint_eq(hits_for_name("Nadia", "Kowalski", "1990-10-10"), 1);
    ck_assert_uint_eq(hits_for_name("Kayden", "Price", "2012-03-04"), 1);
    ck_assert_uint_eq(count(SEEN_DB_RECORDS), 3);
    ck_assert_uint_eq(count(SEEN_DB_EXPIRY), 2);

    /* Expiring again the same day does nothing more. */
    memset(&st, 0, sizeof st);
    t = begin(1);
    ck_assert_int_eq(
        seen_indexer_expire(&ix, t, day("2025-06-14"), NOW, &st), SEEN_OK);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    ck_assert_uint_eq(st.deleted, 0);
    ck_assert_uint_eq(feed_size(), 9);

    /* The next day the second record goes too. */
    t = begin(1);
    ck_assert_int_eq(
        seen_indexer_expire(&ix, t, day("2025-06-15"), NOW, &st), SEEN_OK);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    ck_assert_uint_eq(st.deleted, 1);
    ck_assert_uint_eq(hits_for_name("Grace", "Mensah", "1987-07-07"), 0);
    ck_assert_uint_eq(hits_for_name("Nadia", "Kowalski", "1990-10-10"), 1);
    ck_assert_uint_eq(count(SEEN_DB_RECORDS), 2);
}
END_TEST

START_TEST(test_retain_until_before_1970_expires_in_order)
{
    struct seen_index_stats st = {0};
    struct seen_txn *t;

    /* Days before 1970 are negative: they must sort before, not after. */
    import(RETAIN("ANCIENT", "1969-12-31", "Aisha", "Begum", "1945-03-03"));
    import(RETAIN("LATER", "2030-12-31", "Nadia", "Kowalski", "1990-10-10"));
    t = begin(1);
    ck_assert_int_eq(
        seen_indexer_expire(&ix, t, day("2025-06-14"), NOW, &st), SEEN_OK);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    ck_assert_uint_eq(st.deleted, 1);
    ck_assert_uint_eq(hits_for_name("Aisha", "Begum", "1945-03-03"), 0);
    ck_assert_uint_eq(hits_for_name("Nadia", "Kowalski", "1990-10-10"), 1);
}
END_TEST

/*
 * RecordMeta.retain_until uses 0 for "none", but 0 is also the day
 * 1970-01-01, which import.md accepts.  A record imported with that
 * retain_until leaves its expiry key behind when it is replaced (the
 * indexer reads 0 as "no key to delete"), so the next expiry run deletes
 * the replacement, which has no retain_until at all.
 */
START_TEST(test_record_reimported_without_retain_until_is_not_expired)
{
    struct seen_index_stats st = {0};
    struct seen_txn *t;

    import(RETAIN("R", "1970-01-01", "Aisha", "Begum", "1985-03-03"));
    import("{\"id\":\"R\",\"kind\":\"other\",\"date\":\"2023-01-01\","
           "\"local_authority\":\"Reading\",\"people\":[{\"ref\":\"a\","
           "\"role\":\"adult_victim\",\"given_name\":\"Aisha\","
           "\"family_name\":\"Begum\",\"date_of_birth\":\"1985-03-03\"}]}");
    t = begin(1);
    ck_assert_int_eq(
        seen_indexer_expire(&ix, t, day("2025-06-14"), NOW, &st), SEEN_OK);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    ck_assert_uint_eq(st.deleted, 0);
    ck_assert_uint_eq(hits_for_name("Aisha", "Begum", "1985-03-03"), 1);
}
END_TEST

/* ---- what reaches the disk ---- */

START_TEST(test_no_name_nhs_number_record_id_or_note_reaches_the_store_file)
{
    static const char *secrets[] = {"Chantelle", "CHANTELLE", "Ward", "WARD",
        "Dean", "DEAN", "Holt", "HOLT", "Mia\"", "Kayden", "KAYDEN", "Price",
        "PRICE", "Precious", "PRECIOUS", "Okafor", "OKAFOR", NHS_CHILD,
        "943 476 5919", "2011/0234567F", "0234567", REC1_ID, REC2_ID, REC3_ID,
        "TVP-DA", "I hid under the bed", "hid under", "screaming",
        "Neighbour called", "Abbotsbury", "1994-02-11", "2020-09-30",
        "1989-05-02", "2012-03-04", "1991-08-19", "RG1 5DF", "RG15DF",
        "SL1 2AB", "RG40 1AA", "v1\"", "c1\"", "p1\""};
    char path[3072];
    uint8_t *file;
    size_t flen, i;

    import(REC1);
    import(REC2);
    import(REC3);
    import(REC1_V2);
    seen_store_destroy(&store);
    store = NULL;

    snprintf(path, sizeof path, "%s/data.mdb", sdir);
    file = (uint8_t *)tu_slurp(path, &flen);
    for (i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
        ck_assert_msg(
            memmem(file, flen, secrets[i], strlen(secrets[i])) == NULL,
            "'%s' is in the store file in clear", secrets[i]);
    /* The local authority is published on purpose: the scan can see. */
    ck_assert_ptr_nonnull(memmem(file, flen, "Wokingham", 9));
    free(file);
    open_node(0);
}
END_TEST

START_TEST(test_entries_are_the_same_after_closing_and_reopening)
{
    uint64_t entries, index, handles, size;
    uint8_t root1[32], root2[32], h1[16], h2[16];
    struct seen_txn *t;
    uint32_t own = ix.own;

    import(REC1);
    import(REC2);
    import(REC1_V2);
    entries = count(SEEN_DB_ENTRIES);
    index = tu_postings(store);
    handles = count(SEEN_DB_HANDLES);
    size = feed_size();
    ck_assert_uint_eq(entries, 4);
    ck_assert_uint_gt(index, entries);
    t = begin(0);
    ck_assert_int_eq(seen_feed_root(t, ix.own, size, root1), SEEN_OK);
    seen_store_abort(t);
    ck_assert_uint_eq(hits_for_nhs(NHS_CHILD, h1), 1);

    seen_store_destroy(&store);
    open_node(0);
    ck_assert_uint_eq(ix.own, own);
    ck_assert_uint_eq(count(SEEN_DB_ENTRIES), entries);
    ck_assert_uint_eq(tu_postings(store), index);
    ck_assert_uint_eq(count(SEEN_DB_HANDLES), handles);
    ck_assert_uint_eq(feed_size(), size);
    t = begin(0);
    ck_assert_int_eq(seen_feed_root(t, ix.own, size, root2), SEEN_OK);
    seen_store_abort(t);
    ck_assert_mem_eq(root1, root2, 32);
    ck_assert_uint_eq(hits_for_nhs(NHS_CHILD, h2), 1);
    ck_assert_mem_eq(h1, h2, 16);
    ck_assert_int_eq(seen_store_check(store), SEEN_OK);

    /* And the reopened node goes on appending where it stopped. */
    import(DELETE(REC2_ID));
    ck_assert_uint_eq(feed_size(), size + 1);
    ck_assert_uint_eq(count(SEEN_DB_ENTRIES), entries - 1);
}
END_TEST

Suite *
node_index_suite(void)
{
    Suite *s = suite_create("node_index");
    TCase *tc;

    tc = tcase_create("publish");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_import_publishes_one_feed_entry_per_person);
    tcase_add_test(tc, test_entries_of_two_records_have_different_groups);
    tcase_add_test(tc, test_shielded_record_publishes_no_address_bearing_token);
    suite_add_tcase(s, tc);

    tc = tcase_create("query");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_query_by_nhs_number_finds_the_child);
    tcase_add_test(tc, test_query_by_misspelt_name_and_dob_finds_the_child);
    tcase_add_test(tc, test_query_with_no_blocking_token_is_einval);
    suite_add_tcase(s, tc);

    tc = tcase_create("lifecycle");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(
        tc, test_reimport_replaces_the_record_and_retracts_its_old_entries);
    tcase_add_test(tc, test_reimport_within_one_transaction_keeps_one_version);
    tcase_add_test(tc, test_deletion_line_retracts_the_record);
    tcase_add_test(
        tc, test_deletion_of_an_unknown_record_is_enotfound_and_does_nothing);
    tcase_add_test(tc, test_aborted_transaction_leaves_nothing);
    tcase_add_test(
        tc, test_expire_retracts_records_whose_retain_until_has_passed);
    tcase_add_test(tc, test_retain_until_before_1970_expires_in_order);
    tcase_add_test(tc,
        test_record_reimported_without_retain_until_is_not_expired);
    suite_add_tcase(s, tc);

    tc = tcase_create("disk");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(
        tc, test_no_name_nhs_number_record_id_or_note_reaches_the_store_file);
    tcase_add_test(tc, test_entries_are_the_same_after_closing_and_reopening);
    tcase_add_test(tc, test_leaves_decode_as_protobuf_c_decodes_them);
    tcase_add_test(tc, test_short_tokens_match_whole_ones);
    suite_add_tcase(s, tc);

    return s;
}
