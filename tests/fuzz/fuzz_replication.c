/*
 * fuzz_replication.c: libFuzzer harness for what a member peer controls
 * in replication (node/replication/feeds.c, heads.c, peers.c): the body
 * of a HEADS, GET_RANGE, ENTRIES or HELLO from a known member, handed to
 * fed_on_heads, fed_on_get_range, fed_on_entries or fed_on_hello.
 *
 * The node (key "self") runs a real seen_fed over a temporary store
 * opened once, listening on loopback, holding a membership document
 * (version FZ_DOC_VERSION) of itself and two peers, "bravo" and
 * "charlie", whose keys the harness derives from fixed labels (so that
 * the seeds stay valid from run to run).  It holds:
 *   - its own feed of FZ_OWN leaves, checkpointed;
 *   - FZ_B_HELD leaves of bravo's feed of FZ_B_SIZE (its leaf 7 retracts
 *     leaf 2), with bravo's checkpoint of size FZ_B_CP (as after the
 *     first batch of a catch-up): GET_RANGE has something to serve and
 *     ENTRIES something to extend;
 *   - charlie's feed whole, FZ_C_SIZE leaves, the first FZ_C_BIG entries
 *     of about 1 KiB each, the rest retractions of them (about 60 bytes):
 *     one GET_RANGE of it meets both bounds of an ENTRIES (256 KiB of
 *     leaves, then 2,048 leaves).
 *
 * The first byte of an input chooses: bits 0-1 the message (0 HEADS,
 * 1 GET_RANGE, 2 ENTRIES, 3 HELLO); bit 2, that the harness signs again
 * every checkpoint in a HEADS or ENTRIES whose origin is one of the three
 * members, with that origin's key, over the size and root the body says
 * (so that the fuzzer gets past the signatures to what lies behind them);
 * bit 3, that the sender is charlie instead of bravo; bit 4, that this
 * node asked the sender for bravo's leaves [FZ_B_HELD, FZ_B_SIZE), the
 * first range in flight ending at FZ_B_CP (so that an ENTRIES meets the
 * requests in flight: gaps, answers cut short, the next range asked half
 * way).  The rest is the body.  Each input runs in a nested transaction of its own write
 * transaction, as seen_fed_service runs a message (a refusal undoes the
 * nested one), and the write transaction is aborted afterwards; what the
 * seen_fed keeps in memory of its peers and requests is put back as it
 * was after the set-up, and the out-queue emptied: inputs do not depend
 * on each other.
 *
 * Beyond "no crash, no leak, no undefined behaviour" it checks that
 *   - each handler returns a code its header (fed_impl.h) promises (on
 *     a healthy store, no error of the store);
 *   - what is queued to send (fed->outq, before the transport) answers
 *     the message and keeps docs/protocol.md's bounds: only a peer is
 *     sent anything; a HEADS or ENTRIES queues only GET_RANGE, of an
 *     active member's feed other than this node's, from the size held,
 *     of at most 8,192 leaves; a HELLO only MEMBERSHIP, to its sender;
 *     a GET_RANGE only ENTRIES to its sender, in order from the `from`
 *     asked, within the range asked and what the node holds under its
 *     checkpoint, at most 8,192 leaves in all, each ENTRIES of 1 to 2,048
 *     leaves and at most 256 KiB of them (one leaf always), `more` on
 *     every one but the last, the whole range answered when the peer's
 *     budget did not end it, and each one what a receiver accepts: its
 *     leaves those held, its checkpoint verified, its consistency proof
 *     holding;
 *   - an ENTRIES of bravo's feed accepted without signing again (so
 *     under bravo's own checkpoints) leaves the feed a prefix of bravo's
 *     real one: nothing forged is taken.
 *
 * Seeds: tests/fuzz/corpus/replication, valid messages of each type,
 * written by this harness when SEEN_REPLICATION_WRITE_SEEDS names a
 * folder at its first input (e.g.
 *   SEEN_REPLICATION_WRITE_SEEDS=tests/fuzz/corpus/replication \
 *     build-fuzz/tests/fuzz_replication -runs=1
 * ); inputs that once broke it: tests/fuzz/regress/replication.  Both are
 * replayed by tests/check_replication_fuzz.c, which includes this file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <zmq.h>

#include "common/clock.h"
#include "common/file.h"
#include "common/log.h"
#include "common/seen.h"
#include "crypto/keys.h"
#include "crypto/merkle.h"
#include "match/tokens.h"
#include "node/replication/fed_impl.h"
#include "proto/checkpoint.h"
#include "proto/feed_entry.h"
#include "proto/membership.h"
#include "storage/feed.h"
#include "storage/index.h"
#include "storage/store.h"
#include "seen.pb-c.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_OWN 3       /* leaves of this node's own feed */
#define FZ_B_SIZE 10   /* leaves of bravo's feed, as bravo holds it */
#define FZ_B_HELD 5    /* ...of which this node holds */
#define FZ_B_CP 8      /* ...and the size of bravo's checkpoint it holds */
#define FZ_B_RETRACT 7 /* bravo's leaf that retracts its leaf 2 */
#define FZ_C_SIZE 2500 /* leaves of charlie's feed, all held */
#define FZ_C_BIG 300   /* ...the first of them with SEEN_TOKENS_MAX tokens */
#define FZ_DOC_VERSION 2
#define FZ_TIME 1750000000u
#define FZ_ENDPOINT "tcp://127.0.0.1:9" /* nobody listens there */
#define FZ_RESIGN_MAX 8 /* checkpoints signed again in one HEADS */

/* The bounds docs/protocol.md states ("Rules", GET_RANGE). */
#define FZ_DOC_RANGE 8192          /* leaves one GET_RANGE is answered */
#define FZ_DOC_BATCH 2048          /* leaves of one ENTRIES */
#define FZ_DOC_BYTES (256u << 10)  /* leaf bytes of one ENTRIES */

/* Input modes: the first byte. */
#define FZ_HEADS 0
#define FZ_GET_RANGE 1
#define FZ_ENTRIES 2
#define FZ_HELLO 3
#define FZ_RESIGN 4
#define FZ_FROM_CHARLIE 8
#define FZ_ASKED 16

/* A member's feed, in memory: its leaves and their hashes. */
struct fz_feed {
    const struct seen_keys *k;
    uint64_t n;
    uint8_t **leaf;
    size_t *len;
    uint8_t (*hash)[32];
};

enum { FZ_SELF, FZ_BRAVO, FZ_CHARLIE, FZ_MEMBERS };

static char fz_dir[256];
static struct seen_store *fz_store;
static void *fz_zctx;
static struct seen_fed *fz_fed;
static struct seen_keys fz_keys[FZ_MEMBERS], fz_auth;
static struct fz_feed fz_bravo; /* bravo's whole feed: the truth */
static struct fed_peer *fz_peers; /* the peers as after the set-up */
static size_t fz_npeers;
/* What the last input did (for tests/check_replication_fuzz.c): the
 * handler's code and the bodies it queued, by MsgType. */
static int fz_last_rc;
static size_t fz_last_queued[FED_MSG_TYPES];

/* Derive the keys ${k} from ${label}: the same in every run. */
static void
fz_derive(struct seen_keys *k, const char *label)
{
    uint8_t seed[32];
    char l[64];

    memset(k, 0, sizeof *k);
    snprintf(l, sizeof l, "%s/sign", label);
    crypto_generichash(seed, 32, (const uint8_t *)l, strlen(l), NULL, 0);
    if (crypto_sign_seed_keypair(k->sign_pk, k->sign_sk, seed) != 0)
        abort();
    snprintf(l, sizeof l, "%s/curve", label);
    crypto_generichash(seed, 32, (const uint8_t *)l, strlen(l), NULL, 0);
    if (crypto_box_seed_keypair(k->curve_pk, k->curve_sk, seed) != 0)
        abort();
    snprintf(l, sizeof l, "%s/record", label);
    crypto_generichash(k->record_key, 32, (const uint8_t *)l, strlen(l),
        NULL, 0);
}

/* The keys of member ${pk} of the three, or NULL. */
static const struct seen_keys *
fz_known(const uint8_t *pk)
{
    size_t i;

    for (i = 0; i < FZ_MEMBERS; i++)
        if (memcmp(fz_keys[i].sign_pk, pk, 32) == 0)
            return &fz_keys[i];
    return NULL;
}

/* Encode leaf ${seq} of ${k}'s feed (malloc'd; its length to *${len}): an
 * entry with SEEN_TOKENS_MAX tokens when ${big}, else 3; with ${retract},
 * a retraction of the entry of leaf ${retract} - 1. */
static uint8_t *
fz_leaf(const struct seen_keys *k, uint64_t seq, int big, uint64_t retract,
    size_t *len)
{
    Seen__FeedEntry fe = SEEN__FEED_ENTRY__INIT;
    Seen__IndexEntry e = SEEN__INDEX_ENTRY__INIT;
    Seen__Retraction r = SEEN__RETRACTION__INIT;
    uint8_t tag[41], handle[16], group[16], bloom[SEEN_BLOOM_BYTES];
    uint8_t tokens[SEEN_TOKENS_MAX * SEEN_TOKEN_ITEM], *buf;
    size_t i, nt = big ? SEEN_TOKENS_MAX : 3;

    memcpy(tag, k->sign_pk, 32);
    for (i = 0; i < 8; i++)
        tag[32 + i] = (uint8_t)((retract ? retract - 1 : seq) >> (8 * i));
    tag[40] = 'h';
    crypto_generichash(handle, sizeof handle, tag, sizeof tag, NULL, 0);
    tag[40] = 'g';
    crypto_generichash(group, sizeof group, tag, sizeof tag, NULL, 0);
    memset(bloom, (int)(seq * 7 + 1) & 0xff, sizeof bloom);
    for (i = 0; i < nt; i++) {
        tokens[i * SEEN_TOKEN_ITEM] = (uint8_t)(i + 1); /* sorted */
        tag[40] = (uint8_t)i;
        crypto_generichash(tokens + i * SEEN_TOKEN_ITEM + 1,
            SEEN_TOKEN_ITEM - 1, tag, sizeof tag, NULL, 0);
    }
    fe.origin = (ProtobufCBinaryData){32, (uint8_t *)(uintptr_t)k->sign_pk};
    fe.seq = seq;
    fe.time = FZ_TIME + seq;
    if (retract) {
        r.handle = (ProtobufCBinaryData){16, handle};
        fe.body_case = SEEN__FEED_ENTRY__BODY_RETRACTION;
        fe.retraction = &r;
    } else {
        e.handle = (ProtobufCBinaryData){16, handle};
        e.group = (ProtobufCBinaryData){16, group};
        e.name_bloom = (ProtobufCBinaryData){sizeof bloom, bloom};
        e.tokens = (ProtobufCBinaryData){nt * SEEN_TOKEN_ITEM, tokens};
        e.role = SEEN__ROLE__CHILD;
        e.epoch = 1;
        fe.body_case = SEEN__FEED_ENTRY__BODY_ENTRY;
        fe.entry = &e;
    }
    *len = seen__feed_entry__get_packed_size(&fe);
    if ((buf = malloc(*len)) == NULL)
        abort();
    seen__feed_entry__pack(&fe, buf);
    return buf;
}

/* Make ${f} the feed of ${n} leaves of ${k}: the first ${big} large;
 * leaf ${retract} (0: none) a retraction of leaf 2, and with ${big}, every
 * leaf from ${big} on a retraction of leaf (its seq mod ${big}), small. */
static void
fz_feed_make(struct fz_feed *f, const struct seen_keys *k, uint64_t n,
    uint64_t big, uint64_t retract)
{
    uint64_t i, r;

    f->k = k;
    f->n = n;
    f->leaf = calloc(n, sizeof *f->leaf);
    f->len = calloc(n, sizeof *f->len);
    f->hash = calloc(n, sizeof *f->hash);
    if (f->leaf == NULL || f->len == NULL || f->hash == NULL)
        abort();
    for (i = 0; i < n; i++) {
        r = 0;
        if (retract != 0 && i == retract)
            r = 3;
        else if (big != 0 && i >= big)
            r = i % big + 1;
        f->leaf[i] = fz_leaf(k, i, i < big, r, &f->len[i]);
        seen_merkle_leaf_hash(f->hash[i], f->leaf[i], f->len[i]);
    }
}

static void
fz_feed_free(struct fz_feed *f)
{
    uint64_t i;

    for (i = 0; i < f->n && f->leaf != NULL; i++)
        free(f->leaf[i]);
    free(f->leaf);
    free(f->len);
    free(f->hash);
    memset(f, 0, sizeof *f);
}

/* The root of the first ${size} leaves of ${f}. */
static void
fz_root(const struct fz_feed *f, uint64_t size, uint8_t root[32])
{
    struct seen_merkle_leaves ml = {(const uint8_t(*)[32])f->hash, f->n};

    if (seen_merkle_root_of(seen_merkle_subtree_from_leaves, &ml, size,
            root) != 0)
        abort();
}

/* Sign in ${cp} (pointing into ${buf}) ${f}'s checkpoint of ${size}. */
static void
fz_sign(const struct fz_feed *f, uint64_t size, Seen__Checkpoint *cp,
    uint8_t buf[SEEN_CHECKPOINT_BUF])
{
    uint8_t root[32];

    fz_root(f, size, root);
    if (seen_checkpoint_sign(cp, buf, SEEN_DOMAIN_FEED_CHECKPOINT, f->k,
            size, root, 0) != 0)
        abort();
}

/* Store the first ${held} leaves of ${f}, live as replication makes them
 * (feeds.c apply_leaf), and its checkpoint of ${cpsize}, in ${txn}. */
static void
fz_feed_put(struct seen_txn *txn, const struct fz_feed *f, uint64_t held,
    uint64_t cpsize)
{
    Seen__Checkpoint cp;
    Seen__FeedEntry *fe;
    uint8_t buf[SEEN_CHECKPOINT_BUF], *enc;
    size_t elen;
    uint32_t oidx;
    uint64_t i;
    int rc;

    if (seen_store_origin(txn, f->k->sign_pk, 1, &oidx) != 0)
        abort();
    for (i = 0; i < held; i++) {
        if (seen_feed_append(txn, oidx, f->leaf[i], f->len[i], NULL) != 0 ||
            (fe = seen__feed_entry__unpack(NULL, f->len[i], f->leaf[i])) ==
                NULL)
            abort();
        if (fe->body_case == SEEN__FEED_ENTRY__BODY_ENTRY)
            rc = seen_index_entry_normalise(fe->entry, NULL) != 0 ||
                 seen_index_add_fresh(txn, oidx, i, fe->entry) != 0;
        else if ((rc = seen_index_remove(txn, oidx,
                      fe->retraction->handle.data)) == SEEN_ENOTFOUND)
            rc = 0;
        seen__feed_entry__free_unpacked(fe, NULL);
        if (rc != 0)
            abort();
    }
    fz_sign(f, cpsize, &cp, buf);
    if (seen_checkpoint_encode(&cp, &enc, &elen) != 0 ||
        seen_feed_set_checkpoint(txn, oidx, enc, elen) != 0)
        abort();
    free(enc);
}

/* ---- seeds ---- */

/* Write ${mode} and the packed ${msg} to ${dir}/${name}. */
static void
fz_seed(const char *dir, const char *name, int mode,
    const ProtobufCMessage *msg)
{
    size_t len = protobuf_c_message_get_packed_size(msg);
    uint8_t *buf = malloc(len + 1);
    char path[1024];

    if (buf == NULL)
        abort();
    buf[0] = (uint8_t)mode;
    protobuf_c_message_pack(msg, buf + 1);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (seen_file_write_atomic(path, buf, len + 1, 0644, 0) != 0)
        abort();
    free(buf);
}

/* Write ENTRIES of ${f}'s leaves [from, to) with its checkpoint of
 * ${cpsize} and the proof from ${to} to it. */
static void
fz_seed_entries(const char *dir, const char *name, int mode,
    const struct fz_feed *f, uint64_t from, uint64_t to, uint64_t cpsize,
    int more)
{
    Seen__Entries e = SEEN__ENTRIES__INIT;
    Seen__Checkpoint cp;
    struct seen_merkle_leaves ml = {(const uint8_t(*)[32])f->hash, f->n};
    uint8_t buf[SEEN_CHECKPOINT_BUF], proof[SEEN_MERKLE_PROOF_MAX][32];
    ProtobufCBinaryData leaves[FZ_B_SIZE], pr[SEEN_MERKLE_PROOF_MAX];
    size_t plen = 0, i;

    fz_sign(f, cpsize, &cp, buf);
    for (i = 0; i < to - from; i++)
        leaves[i] = (ProtobufCBinaryData){f->len[from + i], f->leaf[from + i]};
    if (to < cpsize &&
        seen_merkle_consistency_proof(seen_merkle_subtree_from_leaves, &ml,
            to, cpsize, proof, &plen) != 0)
        abort();
    for (i = 0; i < plen; i++)
        pr[i] = (ProtobufCBinaryData){32, proof[i]};
    e.origin = cp.origin;
    e.from = from;
    e.n_leaves = (size_t)(to - from);
    e.leaves = leaves;
    e.checkpoint = &cp;
    e.n_consistency = plen;
    e.consistency = pr;
    e.more = more;
    fz_seed(dir, name, mode, (const ProtobufCMessage *)&e);
}

/* Write GET_RANGE [from, to) of ${k}'s feed. */
static void
fz_seed_range(const char *dir, const char *name, int mode,
    const struct seen_keys *k, uint64_t from, uint64_t to)
{
    Seen__GetRange g = SEEN__GET_RANGE__INIT;

    g.origin = (ProtobufCBinaryData){32, (uint8_t *)(uintptr_t)k->sign_pk};
    g.from = from;
    g.to = to;
    fz_seed(dir, name, mode, (const ProtobufCMessage *)&g);
}

/* Write HEADS of the ${n} feeds ${f} at the sizes ${sz}. */
static void
fz_seed_heads(const char *dir, const char *name, int mode,
    const struct fz_feed *const *f, const uint64_t *sz, size_t n, int partial)
{
    Seen__Heads hs = SEEN__HEADS__INIT;
    Seen__FeedHead h[FZ_MEMBERS], *hp[FZ_MEMBERS];
    Seen__Checkpoint cp[FZ_MEMBERS];
    uint8_t buf[FZ_MEMBERS][SEEN_CHECKPOINT_BUF];
    size_t i;

    for (i = 0; i < n; i++) {
        fz_sign(f[i], sz[i], &cp[i], buf[i]);
        seen__feed_head__init(&h[i]);
        h[i].origin = cp[i].origin;
        h[i].size = sz[i];
        h[i].checkpoint = &cp[i];
        hp[i] = &h[i];
    }
    hs.heads = hp;
    hs.n_heads = n;
    hs.partial = partial;
    fz_seed(dir, name, mode, (const ProtobufCMessage *)&hs);
}

/* Write the seeds: valid messages of each type, to ${dir}. */
static void
fz_write_seeds(const char *dir, const struct fz_feed *own,
    const struct fz_feed *charlie)
{
    const struct fz_feed *b = &fz_bravo;
    const struct fz_feed *all[FZ_MEMBERS] = {b, charlie, own};
    const uint64_t sz[FZ_MEMBERS] = {FZ_B_SIZE, FZ_C_SIZE, FZ_OWN};
    const uint64_t held[FZ_MEMBERS] = {FZ_B_CP, FZ_C_SIZE, FZ_OWN};
    Seen__Hello h = SEEN__HELLO__INIT;
    int c = FZ_FROM_CHARLIE;

    fz_seed_heads(dir, "heads-bravo-ahead", FZ_HEADS, all, sz, 1, 0);
    fz_seed_heads(dir, "heads-all-ahead", FZ_HEADS | c, all, sz, 3, 0);
    fz_seed_heads(dir, "heads-all-as-held", FZ_HEADS, all, held, 3, 1);
    fz_seed_heads(dir, "heads-none-partial", FZ_HEADS | c, all, sz, 0, 1);
    fz_seed_heads(dir, "heads-none-whole", FZ_HEADS, all, sz, 0, 0);
    fz_seed_heads(dir, "heads-resigned", FZ_HEADS | FZ_RESIGN, all, sz, 2, 0);
    fz_seed_range(dir, "range-charlie-all", FZ_GET_RANGE, charlie->k, 0,
        FZ_DOC_RANGE);
    fz_seed_range(dir, "range-charlie-tail", FZ_GET_RANGE, charlie->k,
        FZ_C_SIZE - 10, FZ_C_SIZE + 10);
    fz_seed_range(dir, "range-bravo", FZ_GET_RANGE | c, b->k, 0, FZ_B_SIZE);
    fz_seed_range(dir, "range-bravo-middle", FZ_GET_RANGE, b->k, 2, 4);
    fz_seed_range(dir, "range-own", FZ_GET_RANGE, own->k, 0, FZ_OWN);
    fz_seed_range(dir, "range-beyond", FZ_GET_RANGE, charlie->k, 1u << 20,
        UINT64_MAX);
    fz_seed_entries(dir, "entries-bravo-to-end", FZ_ENTRIES, b, FZ_B_HELD,
        FZ_B_SIZE, FZ_B_SIZE, 0);
    fz_seed_entries(dir, "entries-bravo-to-held", FZ_ENTRIES | c, b,
        FZ_B_HELD, FZ_B_CP, FZ_B_CP, 0);
    fz_seed_entries(dir, "entries-bravo-proof", FZ_ENTRIES, b, FZ_B_HELD,
        FZ_B_RETRACT + 1, FZ_B_SIZE, 1);
    fz_seed_entries(dir, "entries-bravo-one", FZ_ENTRIES, b, FZ_B_HELD,
        FZ_B_HELD + 1, FZ_B_CP, 1);
    fz_seed_entries(dir, "entries-bravo-resigned", FZ_ENTRIES | FZ_RESIGN, b,
        FZ_B_HELD, FZ_B_SIZE, FZ_B_SIZE, 0);
    fz_seed_entries(dir, "entries-bravo-duplicate", FZ_ENTRIES, b, 0, 2,
        FZ_B_CP, 0);
    fz_seed_entries(dir, "entries-bravo-gap", FZ_ENTRIES, b, FZ_B_HELD + 2,
        FZ_B_SIZE, FZ_B_SIZE, 0);
    fz_seed_entries(dir, "entries-bravo-gap-asked", FZ_ENTRIES | FZ_ASKED, b,
        FZ_B_HELD + 2, FZ_B_SIZE, FZ_B_SIZE, 0);
    fz_seed_entries(dir, "entries-bravo-one-asked", FZ_ENTRIES | FZ_ASKED, b,
        FZ_B_HELD, FZ_B_HELD + 1, FZ_B_SIZE, 1);
    fz_seed_entries(dir, "entries-bravo-cut-asked", FZ_ENTRIES | FZ_ASKED, b,
        FZ_B_HELD, FZ_B_HELD + 1, FZ_B_SIZE, 0);
    fz_seed_entries(dir, "entries-own", FZ_ENTRIES, own, 0, FZ_OWN, FZ_OWN,
        0);
    h.node = (char *)"self";
    h.membership_version = FZ_DOC_VERSION - 1;
    fz_seed(dir, "hello-older", FZ_HELLO, (const ProtobufCMessage *)&h);
    h.membership_version = FZ_DOC_VERSION;
    fz_seed(dir, "hello-same", FZ_HELLO | c, (const ProtobufCMessage *)&h);
    h.membership_version = FZ_DOC_VERSION + 1;
    fz_seed(dir, "hello-newer", FZ_HELLO, (const ProtobufCMessage *)&h);
}

/* ---- set-up ---- */

static void
fz_cleanup(void)
{

    seen_fed_destroy(&fz_fed);
    if (fz_zctx != NULL)
        zmq_ctx_term(fz_zctx);
    fz_zctx = NULL;
    seen_store_destroy(&fz_store);
    fz_feed_free(&fz_bravo);
    free(fz_peers);
    fz_peers = NULL;
    if (fz_dir[0] != '\0' && seen_file_remove_tree(fz_dir) != 0)
        perror(fz_dir);
    fz_dir[0] = '\0';
}

/* The membership document of the three members, installed. */
static void
fz_federate(void)
{
    static const char *names[FZ_MEMBERS] = {"self", "bravo", "charlie"};
    Seen__Member m[FZ_MEMBERS];
    const Seen__Member *mp[FZ_MEMBERS];
    uint8_t mk[32], *doc;
    size_t i, len;

    for (i = 0; i < FZ_MEMBERS; i++) {
        seen__member__init(&m[i]);
        m[i].name = (char *)(uintptr_t)names[i];
        m[i].agency = (char *)"Fuzz agency";
        m[i].type = SEEN__AGENCY_TYPE__SOCIAL_CARE;
        m[i].local_authority = (char *)"Reading";
        m[i].sign_pk = (ProtobufCBinaryData){32, fz_keys[i].sign_pk};
        m[i].curve_pk = (ProtobufCBinaryData){32, fz_keys[i].curve_pk};
        m[i].endpoint = (char *)FZ_ENDPOINT;
        m[i].status = SEEN__MEMBER_STATUS__ACTIVE;
        mp[i] = &m[i];
    }
    memset(mk, 0x4d, sizeof mk);
    if (seen_membership_build("Fuzz federation", FZ_DOC_VERSION, FZ_TIME, mp,
            FZ_MEMBERS, 1, mk, &fz_auth, &doc, &len) != 0 ||
        seen_fed_install(fz_fed, doc, len, fz_auth.sign_pk) != 0)
        abort();
    free(doc);
}

/* The store, the federation and the feeds (see the top of the file). */
static void
fz_init(void)
{
    struct fz_feed own, charlie;
    const char *t = getenv("TMPDIR"), *w;
    struct seen_txn *txn;
    char sdir[512];

    if (sodium_init() < 0)
        abort();
    seen_log_init("fuzz_replication", SEEN_LOG_ERROR);
    fz_derive(&fz_keys[FZ_SELF], "seen fuzz replication: self");
    fz_derive(&fz_keys[FZ_BRAVO], "seen fuzz replication: bravo");
    fz_derive(&fz_keys[FZ_CHARLIE], "seen fuzz replication: charlie");
    fz_derive(&fz_auth, "seen fuzz replication: authority");
    snprintf(fz_dir, sizeof fz_dir, "%s/seen-fuzz-repl-XXXXXX",
        t ? t : "/tmp");
    if (mkdtemp(fz_dir) == NULL)
        abort();
    atexit(fz_cleanup);
    snprintf(sdir, sizeof sdir, "%s/store", fz_dir);
    if (seen_store_open(sdir, fz_keys[FZ_SELF].sign_pk,
            fz_keys[FZ_SELF].record_key, 64, 1, &fz_store) != 0 ||
        (fz_zctx = zmq_ctx_new()) == NULL ||
        seen_fed_new(fz_store, &fz_keys[FZ_SELF], fz_zctx,
            "tcp://127.0.0.1:0", NULL, NULL, NULL, &fz_fed) != 0)
        abort();
    fz_federate();
    fz_feed_make(&own, &fz_keys[FZ_SELF], FZ_OWN, 0, 0);
    fz_feed_make(&fz_bravo, &fz_keys[FZ_BRAVO], FZ_B_SIZE, 0, FZ_B_RETRACT);
    fz_feed_make(&charlie, &fz_keys[FZ_CHARLIE], FZ_C_SIZE, FZ_C_BIG, 0);
    if (seen_store_begin(fz_store, 1, &txn) != 0)
        abort();
    fz_feed_put(txn, &own, FZ_OWN, FZ_OWN);
    fz_feed_put(txn, &fz_bravo, FZ_B_HELD, FZ_B_CP);
    fz_feed_put(txn, &charlie, FZ_C_SIZE, FZ_C_SIZE);
    if (seen_store_commit(txn) != 0)
        abort();
    if ((w = getenv("SEEN_REPLICATION_WRITE_SEEDS")) != NULL && w[0] != '\0')
        fz_write_seeds(w, &own, &charlie);
    fz_feed_free(&own);
    fz_feed_free(&charlie);
    /* What the set-up queued (HELLO, HEADS) is not an input's doing. */
    fed_outq_clear(fz_fed);
    fz_npeers = fz_fed->npeers;
    if (fz_npeers != FZ_MEMBERS - 1 ||
        (fz_peers = malloc(fz_npeers * sizeof *fz_peers)) == NULL)
        abort();
    memcpy(fz_peers, fz_fed->peers, fz_npeers * sizeof *fz_peers);
}

/* Put back what the seen_fed keeps in memory between messages; with
 * FZ_ASKED in ${mode}, bravo's feed asked of ${from}. */
static void
fz_reset(int mode, const uint8_t *from)
{
    struct fed_want *w;
    size_t i;

    if (fz_fed->npeers != fz_npeers)
        abort();
    for (i = 0; i < fz_npeers; i++)
        if (fz_fed->peers[i].cosig != NULL)
            abort(); /* none of these handlers keeps one */
    memcpy(fz_fed->peers, fz_peers, fz_npeers * sizeof *fz_peers);
    fz_fed->nwants = 0;
    fed_outq_clear(fz_fed);
    if (!(mode & FZ_ASKED))
        return;
    if ((w = realloc(fz_fed->wants, sizeof *w)) == NULL)
        abort();
    fz_fed->wants = w;
    memset(w, 0, sizeof *w);
    memcpy(w->origin, fz_keys[FZ_BRAVO].sign_pk, 32);
    memcpy(w->peer, from, 32);
    w->to = FZ_B_SIZE;
    w->first = FZ_B_CP;
    w->gap = UINT64_MAX;
    w->at = seen_clock_mono();
    fz_fed->nwants = 1;
}

/* ---- signing again ---- */

/* Sign ${c}'s size and root again in ${out} (into ${buf}) when its
 * origin is one of the three; returns ${out}, or ${c} unchanged. */
static Seen__Checkpoint *
fz_resign_one(Seen__Checkpoint *c, Seen__Checkpoint *out,
    uint8_t buf[SEEN_CHECKPOINT_BUF])
{
    const struct seen_keys *k;

    if (c == NULL || c->origin.len != 32 || c->root.len != 32 ||
        (k = fz_known(c->origin.data)) == NULL ||
        seen_checkpoint_sign(out, buf, SEEN_DOMAIN_FEED_CHECKPOINT, k,
            c->size, c->root.data, 0) != 0)
        return c;
    return out;
}

/* ${body} (${blen} bytes) of a HEADS or ENTRIES (${type}) with its
 * checkpoints signed again, malloc'd (length to *${olen}); NULL when it
 * does not decode. */
static uint8_t *
fz_resign(int type, const uint8_t *body, size_t blen, size_t *olen)
{
    static uint8_t buf[FZ_RESIGN_MAX][SEEN_CHECKPOINT_BUF];
    Seen__Checkpoint cps[FZ_RESIGN_MAX], *was[FZ_RESIGN_MAX];
    ProtobufCMessage *m;
    Seen__Heads *hs = NULL;
    Seen__Entries *e = NULL;
    uint8_t *out;
    size_t i, n = 0;

    if (type == FZ_HEADS) {
        if ((hs = seen__heads__unpack(NULL, blen, body)) == NULL)
            return NULL;
        m = &hs->base;
        for (; n < hs->n_heads && n < FZ_RESIGN_MAX; n++) {
            was[n] = hs->heads[n]->checkpoint;
            hs->heads[n]->checkpoint = fz_resign_one(was[n], &cps[n], buf[n]);
        }
    } else {
        if ((e = seen__entries__unpack(NULL, blen, body)) == NULL)
            return NULL;
        m = &e->base;
        was[n] = e->checkpoint;
        e->checkpoint = fz_resign_one(was[n], &cps[n], buf[n]);
        n++;
    }
    *olen = protobuf_c_message_get_packed_size(m);
    if ((out = malloc(*olen ? *olen : 1)) == NULL)
        abort();
    protobuf_c_message_pack(m, out);
    for (i = 0; i < n; i++) {
        if (hs != NULL)
            hs->heads[i]->checkpoint = was[i];
        else
            e->checkpoint = was[i];
    }
    protobuf_c_message_free_unpacked(m, NULL);
    return out;
}

/* ---- what is queued ---- */

/* The number of origin ${pk} in ${txn} and the leaves held of it. */
static int
fz_held(struct seen_txn *txn, const uint8_t *pk, uint32_t *oidx,
    uint64_t *size)
{

    if (seen_store_origin(txn, pk, 0, oidx) != 0)
        return 0;
    if (seen_feed_size(txn, *oidx, size) != 0)
        abort();
    return 1;
}

/* Abort unless the ENTRIES ${e} is what a receiver accepts and within
 * the bounds: leaves those held, checkpoint verified, proof holding. */
static void
fz_check_entries(struct seen_txn *txn, const Seen__Entries *e)
{
    const Seen__Checkpoint *cp = e->checkpoint;
    uint8_t root[32], proof[SEEN_MERKLE_PROOF_MAX][32];
    const uint8_t *leaf;
    uint64_t held, end = e->from + e->n_leaves;
    size_t i, llen, bytes = 0;
    uint32_t oidx;

    if (e->origin.len != 32 || cp == NULL || e->n_leaves == 0 ||
        e->n_leaves > FZ_DOC_BATCH || end > cp->size ||
        !fz_held(txn, e->origin.data, &oidx, &held) || end > held ||
        seen_checkpoint_verify(cp, SEEN_DOMAIN_FEED_CHECKPOINT) != 0 ||
        memcmp(cp->origin.data, e->origin.data, 32) != 0)
        abort();
    for (i = 0; i < e->n_leaves; i++) {
        if (seen_feed_leaf(txn, oidx, e->from + i, &leaf, &llen) != 0 ||
            llen != e->leaves[i].len || memcmp(leaf, e->leaves[i].data,
                                            llen) != 0)
            abort();
        bytes += llen;
    }
    if (e->n_leaves > 1 && bytes > FZ_DOC_BYTES)
        abort();
    if (seen_feed_root(txn, oidx, end, root) != 0 ||
        e->n_consistency != seen_merkle_consistency_len(end, cp->size))
        abort();
    for (i = 0; i < e->n_consistency; i++) {
        if (e->consistency[i].len != 32)
            abort();
        memcpy(proof[i], e->consistency[i].data, 32);
    }
    if (seen_merkle_verify_consistency(end, cp->size, root, cp->root.data,
            (const uint8_t(*)[32])proof, e->n_consistency) != 0)
        abort();
}

/* Abort unless the GET_RANGE ${body} queued to ${to} asks for the next
 * leaves of an active member's feed other than this node's. */
static void
fz_check_range(struct seen_txn *txn, const uint8_t *body, size_t blen)
{
    Seen__GetRange *g;
    uint64_t held = 0;
    uint32_t oidx;

    if ((g = seen__get_range__unpack(NULL, blen, body)) == NULL ||
        g->origin.len != 32 || g->to <= g->from ||
        g->to - g->from > FZ_DOC_RANGE ||
        memcmp(g->origin.data, fz_keys[FZ_SELF].sign_pk, 32) == 0 ||
        fz_known(g->origin.data) == NULL)
        abort();
    (void)fz_held(txn, g->origin.data, &oidx, &held);
    if (g->from != held)
        abort();
    seen__get_range__free_unpacked(g, NULL);
}

/*
 * Abort unless what is queued answers the message of ${type} from
 * ${from} (see the top of the file); for a GET_RANGE, ${g} is the body
 * decoded (NULL: it did not decode) and ${cut} whether the peer's budget
 * ended the answer.
 */
static void
fz_check_out(struct seen_txn *txn, int type, const uint8_t *from,
    const Seen__GetRange *g, int cut)
{
    const struct fed_outmsg *o;
    Seen__Entries *e;
    uint64_t next = g != NULL ? g->from : 0, held = 0, want;
    size_t i, total = 0;
    uint32_t oidx;
    int more = 0, n = 0;

    for (i = 0; i < fz_fed->nout; i++) {
        o = &fz_fed->outq[i];
        if (fed_find_peer(fz_fed, o->to) == NULL)
            abort();
        if (o->type == SEEN__MSG_TYPE__GET_RANGE &&
            (type == FZ_HEADS || type == FZ_ENTRIES)) {
            fz_check_range(txn, o->body, o->blen);
            continue;
        }
        if (o->type == SEEN__MSG_TYPE__MEMBERSHIP && type == FZ_HELLO &&
            memcmp(o->to, from, 32) == 0)
            continue;
        if (o->type != SEEN__MSG_TYPE__ENTRIES || type != FZ_GET_RANGE ||
            g == NULL || memcmp(o->to, from, 32) != 0 ||
            (e = seen__entries__unpack(NULL, o->blen, o->body)) == NULL)
            abort();
        /* In order, from what was asked, `more` on all but the last. */
        if ((n > 0 && !more) || e->from != next || e->origin.len != 32 ||
            memcmp(e->origin.data, g->origin.data, 32) != 0)
            abort();
        fz_check_entries(txn, e);
        next = e->from + e->n_leaves;
        total += e->n_leaves;
        more = e->more;
        n++;
        seen__entries__free_unpacked(e, NULL);
    }
    if (n == 0)
        return;
    if (total > FZ_DOC_RANGE || next > g->to)
        abort();
    if (!cut) {
        /* The whole answer: what it holds under its checkpoint. */
        Seen__Checkpoint *cp;

        if (more || !fz_held(txn, g->origin.data, &oidx, &held) ||
            (cp = fed_feed_held(txn, oidx)) == NULL)
            abort();
        want = held < cp->size ? held : cp->size;
        seen_checkpoint_destroy(&cp);
        if (want > g->to)
            want = g->to;
        if (want - g->from > FZ_DOC_RANGE)
            want = g->from + FZ_DOC_RANGE;
        if (next != want)
            abort();
    }
}

/* Abort unless bravo's feed, after an ENTRIES taken under bravo's own
 * checkpoints, is a prefix of bravo's real feed. */
static void
fz_check_bravo(struct seen_txn *txn)
{
    uint8_t root[32], real[32];
    uint64_t held;
    uint32_t oidx;

    if (!fz_held(txn, fz_keys[FZ_BRAVO].sign_pk, &oidx, &held) ||
        held > FZ_B_SIZE || seen_feed_root(txn, oidx, held, root) != 0)
        abort();
    fz_root(&fz_bravo, held, real);
    if (memcmp(root, real, 32) != 0)
        abort();
}

/* ---- one input ---- */

/* 1 when ${rc} is a code fed_impl.h promises for the handler of ${type}
 * (on a healthy store: no error of the store). */
static int
fz_code_ok(int type, int rc)
{

    if (rc == SEEN_OK || rc == SEEN_EINVAL || rc == SEEN_ENOMEM)
        return 1;
    switch (type) {
    case FZ_HEADS:
        return rc == SEEN_EPERM;
    case FZ_ENTRIES:
        return rc == SEEN_EPERM || rc == SEEN_EAUTH;
    default:
        return 0;
    }
}

static fed_handler_fn *const fz_handlers[4] = {
    fed_on_heads, fed_on_get_range, fed_on_entries, fed_on_hello};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    struct seen_txn *txn, *msg;
    Seen__GetRange *g = NULL;
    const uint8_t *from, *body;
    uint8_t *resigned = NULL;
    struct fed_peer *p;
    uint64_t over;
    size_t blen, i;
    int type, rc;

    if (!ready) {
        fz_init();
        ready = 1;
    }
    if (size < 1)
        return 0;
    type = data[0] & 3;
    from = fz_keys[(data[0] & FZ_FROM_CHARLIE) ? FZ_CHARLIE : FZ_BRAVO]
               .sign_pk;
    body = data + 1;
    blen = size - 1;
    if ((data[0] & FZ_RESIGN) && (type == FZ_HEADS || type == FZ_ENTRIES) &&
        (resigned = fz_resign(type, body, blen, &blen)) != NULL)
        body = resigned;
    else
        blen = size - 1;
    if (type == FZ_GET_RANGE)
        g = seen__get_range__unpack(NULL, blen, body);
    fz_reset(data[0], from);
    if ((p = fed_find_peer(fz_fed, from)) == NULL)
        abort();
    over = p->over_budget;
    if (seen_store_begin(fz_store, 1, &txn) != 0 ||
        seen_store_begin_nested(txn, &msg) != 0)
        abort();
    rc = fz_handlers[type](fz_fed, msg, from, body, blen);
    if (!fz_code_ok(type, rc))
        abort();
    if (rc == 0 && seen_store_commit(msg) != 0)
        abort();
    if (rc != 0)
        seen_store_abort(msg);
    fz_check_out(txn, type, from, g, p->over_budget != over);
    fz_last_rc = rc;
    memset(fz_last_queued, 0, sizeof fz_last_queued);
    for (i = 0; i < fz_fed->nout; i++)
        if (fz_fed->outq[i].type > 0 && fz_fed->outq[i].type < FED_MSG_TYPES)
            fz_last_queued[fz_fed->outq[i].type]++;
    if (type == FZ_ENTRIES && !(data[0] & FZ_RESIGN))
        fz_check_bravo(txn);
    fed_evidence_flush(fz_fed, txn);
    seen_store_abort(txn);
    fed_outq_clear(fz_fed);
    if (g != NULL)
        seen__get_range__free_unpacked(g, NULL);
    free(resigned);
    return 0;
}
