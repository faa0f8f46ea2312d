/*
 * check_storage_index.c: the live index entries and the token index over
 * them (storage/index.[ch]), in a real store in a temporary directory.
 */
#include <check.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/seen.h"
#include "storage/feed.h"
#include "storage/blocks.h"
#include "storage/index.h"
#include "storage/store.h"
#include "tests/suites.h"
#include "tests/testutil.h"
#include "seen.pb-c.h"

#define MAP_MB 16

/* The fixture's store (tu_fixture), made or opened again. */
static struct seen_store *
open_store(int create)
{

    return tu_store_open(&tu_fixture, MAP_MB, create);
}

/* ---- the token index ---- */

#define TOK(rule, fill)                                                        \
    {                                                                          \
        (rule), fill, fill, fill, fill, fill, fill, fill, fill, fill, fill,    \
            fill, fill, fill, fill, fill, fill                                 \
    }

/* Three blocking tokens (rules 1, 4, 13) and two field tokens (32, 36). */
static const uint8_t tok_nhs[17] = TOK(1, 0xa1);
static const uint8_t tok_name[17] = TOK(4, 0xa4);
static const uint8_t tok_given[17] = TOK(13, 0xad);
static const uint8_t tok_fgiven[17] = TOK(32, 0xb0);
static const uint8_t tok_fpost[17] = TOK(36, 0xb4);
static const uint8_t tok_other[17] = TOK(5, 0xc5);

/* Publish an IndexEntry with ${handle} and the ${n} tokens in our feed,
 * and make it live, with seen_index_add_fresh when ${fresh}; returns its
 * seq. */
static uint64_t
publish(struct seen_txn *t, uint32_t oidx, const uint8_t handle[16],
    const uint8_t *const *toks, size_t n, int fresh)
{
    Seen__FeedEntry fe = SEEN__FEED_ENTRY__INIT;
    Seen__IndexEntry e = SEEN__INDEX_ENTRY__INIT;
    uint8_t tokens[8 * 17], buf[512], origin[32];
    uint64_t seq;
    size_t i, len;

    ck_assert_uint_le(n, 8);
    for (i = 0; i < n; i++)
        memcpy(tokens + 17 * i, toks[i], 17);
    memset(origin, 0x55, sizeof origin);
    e.handle = (ProtobufCBinaryData){16, (uint8_t *)handle};
    e.group = (ProtobufCBinaryData){16, (uint8_t *)handle};
    e.role = SEEN__ROLE__CHILD;
    e.local_authority = (char *)"Reading";
    e.tokens = (ProtobufCBinaryData){17 * n, tokens};
    fe.origin = (ProtobufCBinaryData){32, origin};
    fe.body_case = SEEN__FEED_ENTRY__BODY_ENTRY;
    fe.entry = &e;
    ck_assert_int_eq(seen_feed_size(t, oidx, &fe.seq), SEEN_OK);
    len = seen__feed_entry__get_packed_size(&fe);
    ck_assert_uint_le(len, sizeof buf);
    seen__feed_entry__pack(&fe, buf);
    ck_assert_int_eq(seen_feed_append(t, oidx, buf, len, &seq), SEEN_OK);
    ck_assert_int_eq(fresh ? seen_index_add_fresh(t, oidx, seq, &e)
                           : seen_index_add(t, oidx, seq, &e),
        SEEN_OK);
    return seq;
}

/* As publish, with seen_index_add. */
static uint64_t
add_entry(struct seen_txn *t, uint32_t oidx, const uint8_t handle[16],
    const uint8_t *const *toks, size_t n)
{

    return publish(t, oidx, handle, toks, n, 0);
}

struct hits {
    struct seen_txn *t;
    uint8_t ids[16][20];
    int n;
};

/* A posting's entry, as its id, read from the leaf it names (which must
 * be the live entry of that handle). */
static int
hit_fn(void *ctx, uint32_t oidx, uint64_t seq)
{
    struct hits *h = ctx;
    Seen__FeedEntry *fe;
    uint64_t live;

    ck_assert_int_lt(h->n, 16);
    ck_assert_int_eq(seen_index_entry(h->t, oidx, seq, &fe), SEEN_OK);
    ck_assert_uint_eq(fe->entry->handle.len, 16);
    ck_assert_int_eq(
        seen_index_seq(h->t, oidx, fe->entry->handle.data, &live), SEEN_OK);
    ck_assert_uint_eq(live, seq);
    seen_be32(h->ids[h->n], oidx);
    memcpy(h->ids[h->n++] + 4, fe->entry->handle.data, 16);
    seen__feed_entry__free_unpacked(fe, NULL);
    return 0;
}

static struct hits
lookup(struct seen_txn *t, const uint8_t tok[17])
{
    struct hits h;

    memset(&h, 0, sizeof h);
    h.t = t;
    ck_assert_int_eq(seen_index_lookup(t, tok, hit_fn, &h), SEEN_OK);
    return h;
}

static void
assert_hit(const struct hits *h, int i, uint32_t oidx, const uint8_t handle[16])
{

    ck_assert_int_lt(i, h->n);
    ck_assert_uint_eq(seen_rd32(h->ids[i]), oidx);
    ck_assert_mem_eq(h->ids[i] + 4, handle, 16);
}

START_TEST(test_index_finds_entries_by_blocking_tokens_only)
{
    struct seen_store *s = open_store(1);
    struct seen_txn *t = tu_begin(s, 1);
    const uint8_t *toks[] = {
        tok_nhs, tok_name, tok_given, tok_fgiven, tok_fpost};
    uint8_t h1[16], h2[16];
    struct hits h;
    uint64_t seq, n;

    memset(h1, 0x11, 16);
    memset(h2, 0x22, 16);
    ck_assert_uint_eq(add_entry(t, 1, h1, toks, 5), 0);
    /* A second entry sharing only the name token. */
    ck_assert_uint_eq(
        add_entry(t, 1, h2, (const uint8_t *[]){tok_name, tok_other}, 2), 1);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    seen_store_destroy(&s);

    s = open_store(0);
    t = tu_begin(s, 0);
    h = lookup(t, tok_nhs);
    ck_assert_int_eq(h.n, 1);
    assert_hit(&h, 0, 1, h1);
    h = lookup(t, tok_given);
    ck_assert_int_eq(h.n, 1);
    assert_hit(&h, 0, 1, h1);
    h = lookup(t, tok_name);
    ck_assert_int_eq(h.n, 2);
    assert_hit(&h, 0, 1, h1);
    assert_hit(&h, 1, 1, h2);
    /* Field tokens are published but never indexed. */
    ck_assert_int_eq(lookup(t, tok_fgiven).n, 0);
    ck_assert_int_eq(lookup(t, tok_fpost).n, 0);
    ck_assert_int_eq(seen_index_count(t, &n), SEEN_OK);
    ck_assert_uint_eq(n, 5); /* nhs, name x2, given, other */
    ck_assert_int_eq(seen_store_count(t, SEEN_DB_ENTRIES, &n), SEEN_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(seen_index_seq(t, 1, h2, &seq), SEEN_OK);
    ck_assert_uint_eq(seq, 1);
    /* The same handle under another origin is another entry. */
    ck_assert_int_eq(seen_index_seq(t, 2, h2, &seq), SEEN_ENOTFOUND);
    seen_store_abort(t);
    seen_store_destroy(&s);
}
END_TEST

START_TEST(test_index_entry_decodes_the_leaf_it_was_published_in)
{
    struct seen_store *s = open_store(1);
    struct seen_txn *t = tu_begin(s, 1);
    const uint8_t *toks[] = {tok_nhs, tok_fgiven};
    Seen__FeedEntry *fe = NULL;
    uint8_t h1[16];
    uint64_t seq;

    memset(h1, 0x11, 16);
    seq = add_entry(t, 3, h1, toks, 2);
    ck_assert_int_eq(seen_index_entry(t, 3, seq, &fe), SEEN_OK);
    ck_assert_ptr_nonnull(fe);
    ck_assert_int_eq(fe->body_case, SEEN__FEED_ENTRY__BODY_ENTRY);
    ck_assert_uint_eq(fe->entry->handle.len, 16);
    ck_assert_mem_eq(fe->entry->handle.data, h1, 16);
    ck_assert_uint_eq(fe->entry->tokens.len, 34);
    /* As matching compares it: the rule and the first 8 bytes. */
    ck_assert_mem_eq(fe->entry->tokens.data, tok_nhs, SEEN_SHORT_ITEM);
    ck_assert(sodium_is_zero(fe->entry->tokens.data + SEEN_SHORT_ITEM,
        SEEN_TOKEN_ITEM - SEEN_SHORT_ITEM));
    ck_assert_str_eq(fe->entry->local_authority, "Reading");
    seen__feed_entry__free_unpacked(fe, NULL);
    ck_assert_int_eq(seen_index_entry(t, 3, seq + 1, &fe), SEEN_ENOTFOUND);
    ck_assert_ptr_null(fe);
    seen_store_abort(t);
    seen_store_destroy(&s);
}
END_TEST

START_TEST(test_index_remove_withdraws_the_entry_and_its_tokens)
{
    struct seen_store *s = open_store(1);
    struct seen_txn *t = tu_begin(s, 1);
    const uint8_t *toks[] = {tok_nhs, tok_name, tok_fgiven};
    uint8_t h1[16], h2[16];
    struct hits h;
    uint64_t seq, n;

    memset(h1, 0x11, 16);
    memset(h2, 0x22, 16);
    add_entry(t, 1, h1, toks, 3);
    add_entry(t, 1, h2, (const uint8_t *[]){tok_name}, 1);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);

    t = tu_begin(s, 1);
    ck_assert_int_eq(seen_index_remove(t, 1, h1), SEEN_OK);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);

    t = tu_begin(s, 1);
    ck_assert_int_eq(lookup(t, tok_nhs).n, 0);
    h = lookup(t, tok_name);
    ck_assert_int_eq(h.n, 1);
    assert_hit(&h, 0, 1, h2);
    ck_assert_int_eq(seen_index_seq(t, 1, h1, &seq), SEEN_ENOTFOUND);
    ck_assert_int_eq(seen_index_remove(t, 1, h1), SEEN_ENOTFOUND);
    ck_assert_int_eq(seen_index_count(t, &n), SEEN_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(seen_store_count(t, SEEN_DB_ENTRIES, &n), SEEN_OK);
    ck_assert_uint_eq(n, 1);
    /* The leaf stays in the feed: feeds are append-only. */
    ck_assert_int_eq(seen_feed_size(t, 1, &n), SEEN_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(seen_index_remove(t, 1, h2), SEEN_OK);
    ck_assert_int_eq(lookup(t, tok_name).n, 0);
    ck_assert_int_eq(seen_index_count(t, &n), SEEN_OK);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    seen_store_destroy(&s);
}
END_TEST

START_TEST(test_index_readding_a_handle_replaces_without_duplicate_hits)
{
    struct seen_store *s = open_store(1);
    struct seen_txn *t = tu_begin(s, 1);
    uint8_t h1[16];
    struct hits h;
    uint64_t seq, n;

    memset(h1, 0x11, 16);
    add_entry(t, 1, h1, (const uint8_t *[]){tok_nhs, tok_name}, 2);
    /* The same handle again, with the same tokens: one hit, not two. */
    add_entry(t, 1, h1, (const uint8_t *[]){tok_nhs, tok_name}, 2);
    h = lookup(t, tok_nhs);
    ck_assert_int_eq(h.n, 1);
    assert_hit(&h, 0, 1, h1);
    ck_assert_int_eq(seen_index_seq(t, 1, h1, &seq), SEEN_OK);
    ck_assert_uint_eq(seq, 1);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);

    /* And with other tokens: the old ones no longer find it. */
    t = tu_begin(s, 1);
    ck_assert_uint_eq(
        add_entry(t, 1, h1, (const uint8_t *[]){tok_name, tok_given}, 2), 2);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    t = tu_begin(s, 0);
    ck_assert_int_eq(lookup(t, tok_nhs).n, 0);
    ck_assert_int_eq(lookup(t, tok_name).n, 1);
    ck_assert_int_eq(lookup(t, tok_given).n, 1);
    ck_assert_int_eq(seen_index_seq(t, 1, h1, &seq), SEEN_OK);
    ck_assert_uint_eq(seq, 2);
    ck_assert_int_eq(seen_index_count(t, &n), SEEN_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(seen_store_count(t, SEEN_DB_ENTRIES, &n), SEEN_OK);
    ck_assert_uint_eq(n, 1);
    seen_store_abort(t);
    seen_store_destroy(&s);
}
END_TEST

/* An origin that reuses a handle in leaves added without a read (the
 * replication path) leaves no posting of the leaf it replaced, whether the
 * two are in one transaction or two: every posting names a live entry. */
START_TEST(test_index_fresh_handle_reused_drops_the_old_postings)
{
    struct seen_store *s = open_store(1);
    struct seen_txn *t = tu_begin(s, 1);
    uint8_t h1[16], h2[16];
    struct hits h;
    uint64_t seq, n;

    memset(h1, 0x11, 16);
    memset(h2, 0x22, 16);
    publish(t, 1, h1, (const uint8_t *[]){tok_nhs, tok_name}, 2, 1);
    publish(t, 1, h2, (const uint8_t *[]){tok_name}, 1, 1);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    t = tu_begin(s, 1);
    ck_assert_uint_eq(
        publish(t, 1, h1, (const uint8_t *[]){tok_name, tok_given}, 2, 1), 2);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    t = tu_begin(s, 1);
    ck_assert_int_eq(lookup(t, tok_nhs).n, 0);
    ck_assert_int_eq(lookup(t, tok_name).n, 2); /* h1 at 2, h2; hit_fn
                                                   checks each is live */
    h = lookup(t, tok_given);
    ck_assert_int_eq(h.n, 1);
    assert_hit(&h, 0, 1, h1);
    /* Twice more in one transaction, the last one wins. */
    publish(t, 1, h1, (const uint8_t *[]){tok_other}, 1, 1);
    ck_assert_uint_eq(
        publish(t, 1, h1, (const uint8_t *[]){tok_nhs}, 1, 1), 4);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    t = tu_begin(s, 0);
    ck_assert_int_eq(lookup(t, tok_other).n, 0);
    ck_assert_int_eq(lookup(t, tok_given).n, 0);
    ck_assert_int_eq(lookup(t, tok_nhs).n, 1);
    ck_assert_int_eq(lookup(t, tok_name).n, 1);
    ck_assert_int_eq(seen_index_seq(t, 1, h1, &seq), SEEN_OK);
    ck_assert_uint_eq(seq, 4);
    ck_assert_int_eq(seen_index_count(t, &n), SEEN_OK);
    ck_assert_uint_eq(n, 2);
    seen_store_abort(t);
    seen_store_destroy(&s);
}
END_TEST

/* Count postings, each after the one before in (origin, position). */
struct count_ctx {
    uint64_t n, last;
};

static int
count_fn(void *ctx, uint32_t oidx, uint64_t seq)
{
    struct count_ctx *c = ctx;
    uint64_t r = (uint64_t)oidx << 40 | seq;

    ck_assert(c->n == 0 || r > c->last);
    c->last = r;
    c->n++;
    return 0;
}

/* Thousands of postings held back in one transaction, many under one key
 * and many items sharing their first bytes, all arrive, once each: the
 * write-behind buffer sorts them before it writes them. */
START_TEST(test_index_many_held_back_postings_all_arrive)
{
    enum { N = 3000, SHARED = 7 };
    struct seen_store *s = open_store(1);
    struct seen_txn *t = tu_begin(s, 1);
    uint8_t h[16], shared[SHARED][17], own[17];
    struct count_ctx c;
    uint64_t n;
    size_t i, j;

    for (j = 0; j < SHARED; j++) {
        memset(shared[j], 0x40, 17);
        shared[j][0] = 4;
        shared[j][8] = (uint8_t)j; /* differ in the key's last byte */
    }
    for (i = 0; i < N; i++) {
        memset(h, 0, 16);
        seen_be32(h, (uint32_t)(i * 2654435761u)); /* out of order */
        memset(own, 0x30, 17);
        own[0] = 5;
        own[1] = (uint8_t)(i % 3); /* few values first, then many */
        seen_be32(own + 4, (uint32_t)i);
        publish(t, 1, h, (const uint8_t *[]){shared[i % SHARED], own}, 2,
            1);
    }
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    t = tu_begin(s, 0);
    ck_assert_int_eq(seen_index_count(t, &n), SEEN_OK);
    ck_assert_uint_eq(n, 2 * N);
    ck_assert_int_eq(seen_store_count(t, SEEN_DB_ENTRIES, &n), SEEN_OK);
    ck_assert_uint_eq(n, N);
    for (j = 0; j < SHARED; j++) {
        memset(&c, 0, sizeof c);
        ck_assert_int_eq(seen_index_lookup(t, shared[j], count_fn, &c), 0);
        ck_assert_uint_eq(c.n, N / SHARED + (j < N % SHARED));
    }
    for (i = 0; i < N; i += 101) {
        memset(own, 0x30, 17);
        own[0] = 5;
        own[1] = (uint8_t)(i % 3);
        seen_be32(own + 4, (uint32_t)i);
        memset(&c, 0, sizeof c);
        ck_assert_int_eq(seen_index_lookup(t, own, count_fn, &c), 0);
        ck_assert_uint_eq(c.n, 1);
        ck_assert_uint_eq(c.last, (uint64_t)1 << 40 | i);
    }
    seen_store_abort(t);
    seen_store_destroy(&s);
}
END_TEST

/* The index keys a token by its rule and first 8 bytes: a token that
 * differs only after them finds the same postings (a candidate to score,
 * storage/index.h), one of another rule does not. */
START_TEST(test_index_keys_by_rule_and_eight_bytes)
{
    struct seen_store *s = open_store(1);
    struct seen_txn *t = tu_begin(s, 1);
    uint8_t h1[16], near[17], rule[17];

    memset(h1, 0x11, 16);
    add_entry(t, 1, h1, (const uint8_t *[]){tok_nhs}, 1);
    memcpy(near, tok_nhs, 17);
    near[9] ^= 0xff;
    memcpy(rule, tok_nhs, 17);
    rule[0] = 4;
    ck_assert_int_eq(lookup(t, near).n, 1);
    ck_assert_int_eq(lookup(t, rule).n, 0);
    near[8] ^= 0xff;
    ck_assert_int_eq(lookup(t, near).n, 0);
    seen_store_abort(t);
    seen_store_destroy(&s);
}
END_TEST

START_TEST(test_index_refuses_a_bad_handle_or_partial_token)
{
    struct seen_store *s = open_store(1);
    struct seen_txn *t = tu_begin(s, 1);
    Seen__IndexEntry e = SEEN__INDEX_ENTRY__INIT;
    uint8_t handle[16] = {0}, tokens[18] = {1};
    uint64_t n;

    e.handle = (ProtobufCBinaryData){15, handle};
    ck_assert_int_eq(seen_index_add(t, 1, 0, &e), SEEN_EINVAL);
    e.handle = (ProtobufCBinaryData){0, NULL};
    ck_assert_int_eq(seen_index_add(t, 1, 0, &e), SEEN_EINVAL);
    e.handle = (ProtobufCBinaryData){16, handle};
    e.tokens = (ProtobufCBinaryData){18, tokens};
    ck_assert_int_eq(seen_index_add(t, 1, 0, &e), SEEN_EINVAL);
    /* An origin number or a position a posting cannot hold. */
    e.tokens = (ProtobufCBinaryData){17, tokens};
    ck_assert_int_eq(seen_index_add(t, SEEN_POSTING_OIDX_MAX + 1, 0, &e),
        SEEN_EINVAL);
    ck_assert_int_eq(seen_index_add_fresh(t, 1, SEEN_POSTING_SEQ_MAX + 1, &e),
        SEEN_EINVAL);
    ck_assert_int_eq(seen_store_count(t, SEEN_DB_ENTRIES, &n), SEEN_OK);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(seen_index_count(t, &n), SEEN_OK);
    ck_assert_uint_eq(n, 0);
    seen_store_abort(t);
    seen_store_destroy(&s);
}
END_TEST

/* Postings spread over every level of the token index are found as one,
 * in posting order, block_max taking the first, and each is removed from
 * the level that holds it. */
START_TEST(test_index_levels_read_as_one_and_remove_where_held)
{
    struct seen_store *s = open_store(1);
    struct seen_txn *t = tu_begin(s, 1);
    const uint8_t *toks[] = {tok_name};
    struct seen_index_refs r;
    uint8_t h[4][16];
    struct hits hh;
    uint64_t moved, n;
    int i;

    for (i = 0; i < 4; i++)
        memset(h[i], 0x30 + i, 16);
    /* Two entries of origin 3, moved down to level 2... */
    ck_assert_uint_eq(add_entry(t, 3, h[0], toks, 1), 0);
    ck_assert_uint_eq(add_entry(t, 3, h[1], toks, 1), 1);
    ck_assert_int_eq(seen_index_settle(t, 0, &moved), SEEN_OK);
    ck_assert_uint_eq(moved, 2);
    ck_assert_int_eq(seen_index_settle(t, 0, &moved), SEEN_OK);
    ck_assert_uint_eq(moved, 2);
    /* ...one of origin 2 to level 1, one of origin 1 left in level 0. */
    ck_assert_uint_eq(add_entry(t, 2, h[2], toks, 1), 0);
    ck_assert_int_eq(seen_index_settle(t, 0, &moved), SEEN_OK);
    ck_assert_uint_eq(moved, 1);
    ck_assert_uint_eq(add_entry(t, 1, h[3], toks, 1), 0);
    ck_assert_int_eq(seen_store_count(t, SEEN_DB_INDEX0, &n), SEEN_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(seen_blocks_count(t, SEEN_DB_IBLOCK1, &n), SEEN_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(seen_blocks_count(t, SEEN_DB_IBLOCK2, &n), SEEN_OK);
    ck_assert_uint_eq(n, 2);
    /* Within their caps, nothing moves. */
    ck_assert_int_eq(seen_index_settle(t, 8, &moved), SEEN_OK);
    ck_assert_uint_eq(moved, 0);
    /* One look-up, in posting order: the youngest level's first. */
    hh = lookup(t, tok_name);
    ck_assert_int_eq(hh.n, 4);
    assert_hit(&hh, 0, 1, h[3]);
    assert_hit(&hh, 1, 2, h[2]);
    assert_hit(&hh, 2, 3, h[0]);
    assert_hit(&hh, 3, 3, h[1]);
    memset(&r, 0, sizeof r);
    r.block_max = 2;
    ck_assert_int_eq(
        seen_index_lookup(t, tok_name, seen_index_refs_add, &r), SEEN_OK);
    ck_assert_uint_eq(r.n, 2);
    ck_assert_uint_eq(r.v[0], (uint64_t)1 << 40);
    ck_assert_uint_eq(r.v[1], (uint64_t)2 << 40);
    free(r.v);
    /* Removed from level 2 and level 0; the rest kept, after a restart. */
    ck_assert_int_eq(seen_index_remove(t, 3, h[0]), SEEN_OK);
    ck_assert_int_eq(seen_index_remove(t, 1, h[3]), SEEN_OK);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    seen_store_destroy(&s);
    s = open_store(0);
    t = tu_begin(s, 0);
    hh = lookup(t, tok_name);
    ck_assert_int_eq(hh.n, 2);
    assert_hit(&hh, 0, 2, h[2]);
    assert_hit(&hh, 1, 3, h[1]);
    ck_assert_int_eq(seen_index_count(t, &n), SEEN_OK);
    ck_assert_uint_eq(n, 2);
    seen_store_abort(t);
    seen_store_destroy(&s);
}
END_TEST

/* A chunk moves a level's first postings, in key order, and leaves the
 * rest where they were; all are still found. */
START_TEST(test_index_a_chunk_moves_the_first_postings_only)
{
    struct seen_store *s = open_store(1);
    struct seen_txn *t = tu_begin(s, 1);
    uint8_t h1[16], *recs;
    uint64_t n;
    size_t moved;

    memset(h1, 0x41, 16);
    ck_assert_uint_eq(add_entry(t, 1, h1,
                          (const uint8_t *[]){tok_given, tok_nhs, tok_name}, 3),
        0);
    ck_assert_int_eq(seen_store_dups_take(t, SEEN_DB_INDEX0, 1,
                         SEEN_INDEX_KEY_BYTES, SEEN_POSTING_BYTES, &recs, &moved),
        SEEN_OK);
    ck_assert_uint_eq(moved, 1);
    /* The first key: rule 1's. */
    ck_assert_mem_eq(recs, tok_nhs, SEEN_INDEX_KEY_BYTES);
    ck_assert_int_eq(seen_blocks_merge(t, SEEN_DB_IBLOCK1, recs, moved), 0);
    free(recs);
    ck_assert_int_eq(seen_store_count(t, SEEN_DB_INDEX0, &n), SEEN_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(seen_blocks_count(t, SEEN_DB_IBLOCK1, &n), SEEN_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(lookup(t, tok_nhs).n, 1);
    ck_assert_int_eq(lookup(t, tok_name).n, 1);
    ck_assert_int_eq(lookup(t, tok_given).n, 1);
    seen_store_abort(t);
    seen_store_destroy(&s);
}
END_TEST

/* Numbers in order (qsort's, the reference). */
static int
u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

/* seen_index_refs_sort orders candidates and drops repeats, whatever
 * their number (few: by insertion; many: by radix): as qsort and a pass
 * that keeps the first of each, on random refs drawn from a small range
 * (so with repeats) and from the whole of them. */
START_TEST(test_index_refs_sort_orders_and_drops_repeats)
{
    static const size_t sizes[] = {0, 1, 2, 47, 48, 49, 1000, 70000};
    struct seen_index_refs r = {0};
    uint64_t *want;
    size_t i, k, n, w;
    int narrow;

    for (narrow = 0; narrow < 2; narrow++)
        for (k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
            n = sizes[k];
            r.n = 0;
            for (i = 0; i < n; i++) {
                uint64_t x = narrow ? randombytes_uniform(64)
                                    : ((uint64_t)randombytes_random() << 32 |
                                          randombytes_random()) &
                                          0xffffffffffffffull;
                ck_assert_int_eq(seen_index_refs_add(&r,
                                     seen_index_ref_oidx(x),
                                     seen_index_ref_seq(x)),
                    0);
            }
            ck_assert_ptr_nonnull(want = malloc((n + 1) * sizeof *want));
            if (n > 0) {
                memcpy(want, r.v, n * sizeof *want);
                qsort(want, n, sizeof *want, u64_cmp);
            }
            for (i = w = 0; i < n; i++)
                if (w == 0 || want[w - 1] != want[i])
                    want[w++] = want[i];
            seen_index_refs_sort(&r);
            ck_assert_uint_eq(r.n, w);
            if (w > 0)
                ck_assert_mem_eq(r.v, want, w * sizeof *want);
            free(want);
        }
    free(r.v);
}
END_TEST

Suite *
storage_index_suite(void)
{
    Suite *s = suite_create("storage_index");
    TCase *tc;

    tc = tcase_create("index");
    tcase_add_checked_fixture(tc, tu_fixture_setup, tu_fixture_teardown);
    tcase_add_test(tc, test_index_finds_entries_by_blocking_tokens_only);
    tcase_add_test(tc, test_index_entry_decodes_the_leaf_it_was_published_in);
    tcase_add_test(tc, test_index_remove_withdraws_the_entry_and_its_tokens);
    tcase_add_test(
        tc, test_index_readding_a_handle_replaces_without_duplicate_hits);
    tcase_add_test(tc, test_index_fresh_handle_reused_drops_the_old_postings);
    tcase_add_test(tc, test_index_keys_by_rule_and_eight_bytes);
    tcase_add_test(tc, test_index_many_held_back_postings_all_arrive);
    tcase_add_test(tc, test_index_refuses_a_bad_handle_or_partial_token);
    tcase_add_test(tc, test_index_levels_read_as_one_and_remove_where_held);
    tcase_add_test(tc, test_index_a_chunk_moves_the_first_postings_only);
    tcase_add_test(tc, test_index_refs_sort_orders_and_drops_repeats);
    suite_add_tcase(s, tc);

    return s;
}
