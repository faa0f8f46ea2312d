/*
 * matcher_internal.h: what the files of the matcher (matcher.h) share.
 * Nothing outside node/matching/ includes it.
 *
 *   matcher.c   the step: a cursor over each feed; a new entry is linked
 *               to its candidates, a retracted one unlinked
 *   step.c      a step's working set: each entry it reads decoded once,
 *               into an arena, and kept in a table by id
 *   entry.c     one loaded entry: loading it, what scoring needs of it,
 *               its description in JSON
 *   idset.c     growable sets of entry ids
 *   links.c     SEEN_DB_LINKS: the scored pairs, both ways
 *   persons.c   SEEN_DB_PERSONS and SEEN_DB_GROUPS: who is one person,
 *               who shares a record; clustering a component again
 *   rules.c     the matching rules' version: matching again on a change
 *   expire.c    the entries of other origins dropped once their expiry
 *               passes (storage/retain.h)
 *   weights.c   the weights report: m and u learnt by EM from a sample of
 *               the candidate pairs
 *   support.c   evidence from the people around a person: which
 *               possible-band links their records' other people lift
 *   alerts.c    the alert rules, run on the persons a change touched, and
 *               the alerts they keep (storage/alerts.h)
 *   views.c     the JSON of `seen persons` and `seen links`, and the
 *               picture a query returns
 *   world.c     a person's world for the chronology: its people and
 *               records, and the rules that name them
 *
 * An entry id is origin number(4) || handle(16) (storage/index.h); a
 * person is named by its label, the id of one of its entries.
 */
#ifndef SEEN_MATCHER_INTERNAL_H
#define SEEN_MATCHER_INTERNAL_H

#include <jansson.h>
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#include "match/score.h"
#include "match/tokens.h"
#include "node/matching/matcher.h"
#include "storage/index.h"
#include "storage/retain.h"
#include "seen.pb-c.h"

struct seen_txn;

/* ---- entry.c ---- */

/* A loaded entry: its local and global ids and what scoring needs. */
struct ent {
    uint8_t id[20];     /* origin number (4) || handle (16) */
    uint8_t gid[48];    /* origin key (32) || handle (16) */
    uint64_t seq;       /* its leaf in the origin's feed */
    Seen__FeedEntry *fe;
};

struct step;

/**
 * entry_read(txn, s, id, e):
 * Load live entry ${id} into ${e} through ${txn}: with a step ${s}, the
 * origin's key from the step's table and the entry decoded into its arena
 * (nothing to free); with ${s} NULL, decoded with malloc (free it with
 * entry_free).  Returns 0; SEEN_ENOTFOUND when the entry is not live;
 * SEEN_ECORRUPT; SEEN_ENOMEM.
 */
int entry_read(struct seen_txn *txn, struct step *s, const uint8_t id[20],
    struct ent *e);

/**
 * entry_read_at(txn, s, oidx, seq, e):
 * As entry_read for the entry of leaf ${seq} of origin ${oidx}, which a
 * posting names (so live: storage/index.h).  Returns 0; SEEN_ENOTFOUND;
 * SEEN_ECORRUPT, also for a leaf without a 16-byte handle; SEEN_ENOMEM.
 */
int entry_read_at(struct seen_txn *txn, struct step *s, uint32_t oidx,
    uint64_t seq, struct ent *e);

/**
 * entry_load(txn, id, e):
 * As entry_read without a step.
 */
int entry_load(struct seen_txn *txn, const uint8_t id[20], struct ent *e);

/**
 * entry_free(e):
 * Free what entry_load decoded into ${e}; safe twice.
 */
void entry_free(struct ent *e);

/**
 * entry_side(e, s):
 * Point ${s} at what the scorer needs of ${e} (borrowed from ${e}).
 */
void entry_side(const struct ent *e, struct seen_score_side *s);

/**
 * entry_json(m, e):
 * Describe ${e} as a member of a person: node, handle, role, kind, date,
 * local authority, and risk and child_present when set.  Returns a new
 * JSON object, or NULL.
 */
json_t *entry_json(struct seen_matcher *m, const struct ent *e);

/* ---- step.c ---- */

struct chunk;

/* An arena: blocks freed all at once (step.c). */
struct arena {
    struct chunk *head;
};

/* A cached entry: entry_read's code for its id, and the entry when 0. */
struct cent;

/* An origin's public key, looked up once a step. */
struct opk;

struct step {
    struct seen_matcher *m;
    struct seen_txn *txn;
    struct arena arena;
    ProtobufCAllocator pa;  /* decodes into the arena */
    struct cent **slot;     /* open addressing by id; NULL when empty */
    size_t nslot, nused;
    struct cent **rslot;    /* the same entries by leaf (step_entry_at) */
    size_t nrslot, nrused;
    struct opk *opk;        /* by origin number */
    size_t nopk;
    struct tkey *tk;        /* open addressing by a token's index key:
                               the postings read for it (step_postings) */
    size_t ntk, tkused;
    uint64_t *tref;         /* those postings, one run a key */
    size_t ntref, captref;
    uint64_t *mnext;        /* by origin number: the next leaf to match
                               (UINT64_MAX: not read yet; matcher.c) */
    size_t nmnext;
    uint8_t hkey[crypto_shorthash_KEYBYTES]; /* of the tables by id */
    double until; /* monotonic time to stop at (0: none; -1: passed) */
    double t0;    /* monotonic time the step began */
    struct idset *pend; /* new entries linked, not yet clustered */
    double cluster_s;   /* seconds kept for clustering each of them */
    int32_t today;      /* days since 1970: an expiry up to it has passed */
    uint32_t own;       /* the node's own origin number (0: none known) */
};

/**
 * entry_expired(x, today):
 * 1 when entry ${x}'s expiry has passed by day ${today}
 * (seen_retain_passed), else 0.
 */
static inline int
entry_expired(const Seen__IndexEntry *x, int32_t today)
{

    return seen_retain_passed(x->expiry, today);
}

/**
 * step_init(s, m, txn):
 * Start the working set ${s} of a step of ${m} inside ${txn}: today by
 * seen_clock_day(), and the node's own origin number from the store.
 */
void step_init(struct step *s, struct seen_matcher *m, struct seen_txn *txn);

/**
 * step_trim(s):
 * Forget every cached entry once the step holds more than it keeps (no
 * pointer to one may be held): between leaves.
 */
void step_trim(struct step *s);

/**
 * step_release(s):
 * Forget everything ${s} holds; its arena's blocks go to the pool.
 */
void step_release(struct step *s);

/**
 * step_pool_empty():
 * Unmap every block kept between steps (the matcher is idle, or failed).
 */
void step_pool_empty(void);

/**
 * step_origin_pk(s, idx, pk):
 * Write origin ${idx}'s public key to ${pk}: as seen_store_origin_pk,
 * looked up once a step.
 */
int step_origin_pk(struct step *s, uint32_t idx, uint8_t pk[static 32]);

/**
 * step_entry(s, id, rcp):
 * Entry ${id} as entry_read would load it: NULL with entry_read's code in
 * *${rcp} when it would fail.  The entry is borrowed until step_trim or
 * step_release forgets it.
 */
const struct ent *step_entry(struct step *s, const uint8_t id[20], int *rcp);

/**
 * step_postings(s, token, cand):
 * Add to ${cand} the postings seen_index_lookup gives for ${token} (at
 * most cand->block_max of them), read once a step: a token that several
 * entries of the step carry is looked up once.  Returns 0 or an error of
 * the index.
 */
int step_postings(struct step *s, const uint8_t token[static SEEN_TOKEN_ITEM],
    struct seen_index_refs *cand);

/**
 * step_postings_forget(s):
 * Forget the postings read (a posting was removed in the step).
 */
void step_postings_forget(struct step *s);

/**
 * step_entry_at(s, oidx, seq, rcp):
 * As step_entry for the entry of leaf ${seq} of origin ${oidx}, which a
 * posting names (entry_read_at); cached both by that leaf and by id.
 */
const struct ent *step_entry_at(struct step *s, uint32_t oidx, uint64_t seq,
    int *rcp);

/**
 * step_id_hash(s, id):
 * Where ${id} goes in a table of the step: keyed, since a peer chooses
 * its handles.
 */
size_t step_id_hash(const struct step *s, const uint8_t id[20]);

/* ---- idset.c ---- */

/* A growable set of entry ids; {0} is empty; free v when done. */
struct idset {
    uint8_t (*v)[20];
    size_t n, cap;
    size_t in_block;    /* candidates read from the current block */
};

/**
 * idset_add(s, id):
 * Append ${id} to ${s}.  Returns 0 or SEEN_ENOMEM.
 */
int idset_add(struct idset *s, const uint8_t id[20]);

/**
 * idset_sort(s):
 * Sort ${s} and drop repeated ids.
 */
void idset_sort(struct idset *s);

/* ---- links.c ---- */

/* A link of one entry: the other end and the weight. */
struct nbr {
    uint8_t id[20];
    double w;
};

struct nbrs {
    struct nbr *v;
    size_t n, cap;
};

/**
 * links_put(txn, a, b, w):
 * Link ${a} and ${b} with weight ${w}, both ways; nothing is written when
 * the link is there already.  Returns 0 or an error of the store.
 */
int links_put(struct seen_txn *txn, const uint8_t a[20], const uint8_t b[20],
    double w);

/**
 * links_of(txn, id, min, out):
 * Add the entries linked to ${id} with weight at least ${min} to ${out}.
 * Returns 0, SEEN_ECORRUPT, SEEN_ENOMEM.
 */
int links_of(struct seen_txn *txn, const uint8_t id[20], double min,
    struct idset *out);

/**
 * links_weighted(txn, id, min, out):
 * As links_of, appending the links with their weights to ${out}.
 */
int links_weighted(struct seen_txn *txn, const uint8_t id[20], double min,
    struct nbrs *out);

/**
 * links_drop(txn, id, others):
 * Delete the links between ${id} and each entry of ${others}, both ways.
 * Returns 0 or an error of the store.
 */
int links_drop(struct seen_txn *txn, const uint8_t id[20],
    const struct idset *others);

/*
 * links_fn(ctx, a, b, w): one stored direction of a link, from ${a} to
 * ${b}, of weight ${w}; return as a seen_store_iter_fn does.
 */
typedef int links_fn(void *ctx, const uint8_t a[20], const uint8_t b[20],
    double w);

/**
 * links_each(txn, fn, ctx):
 * Call ${fn} for every link, once in each direction, in key order.
 * Returns 0, ${fn}'s negative code, SEEN_ECORRUPT.
 */
int links_each(struct seen_txn *txn, links_fn *fn, void *ctx);

/* ---- matcher.c ---- */

struct seen_index_refs;

/**
 * match_drop(s, id):
 * Entry ${id} is no longer live (retracted, or dropped once its expiry
 * passed): drop its links and person, cluster its neighbours again, and
 * run the alert rules on its person and on the persons of its record, so
 * that their alerts are withdrawn by the rules.  Returns 0 or an error.
 */
int match_drop(struct step *s, const uint8_t id[20]);

/**
 * match_candidates(s, x, cand):
 * The entries that share a blocking token with ${x} (sorted, once each,
 * perhaps with ${x} itself) to ${cand}; each block read gives at most
 * BLOCK_MAX.  Returns 0 or an error of the index.
 */
int match_candidates(struct step *s, const Seen__IndexEntry *x,
    struct seen_index_refs *cand);

/* ---- rules.c ---- */

/**
 * rules_check(m):
 * Once a process: when ${m}'s store was matched under other rules than
 * these, empty its links, persons, groups and match cursors (and withdraw
 * the alerts no lead acknowledged) so that every feed is matched again,
 * and record these rules; nothing is written when they are the same.
 * Returns 0 or an error of the store.
 */
int rules_check(struct seen_matcher *m);

/* ---- support.c ---- */

/**
 * support_found(txn, x, y, w, found):
 * Set *${found} to 1 when the link of weight ${w} between live entries
 * ${x} and ${y} is lifted by match/collective.h's rule: it may be lifted
 * (seen_collective_may_lift), and another entry of ${x}'s record and
 * another of ${y}'s are the ends of a match-band link; else 0.  Returns
 * 0, SEEN_ECORRUPT, SEEN_ENOMEM.
 */
int support_found(struct seen_txn *txn, const struct ent *x,
    const struct ent *y, double w, int *found);

/**
 * support_links(s, id, out):
 * Append to ${out} the links of live entry ${id} that clustering reads:
 * those of the match band with their weights, and those of the possible
 * band that support lifts, with SEEN_COLLECTIVE_BONUS added.  Returns 0
 * or an error (${out} then holds what was appended so far).
 */
int support_links(struct step *s, const uint8_t id[20], struct nbrs *out);

/**
 * support_seeds(s, id, wide, seeds):
 * Add to ${seeds} the entries whose links a match-band link of entry
 * ${id} may lift: the other entries of its record (when it is live), and
 * those of the record of each entry it has a match-band link to.  Made
 * links (${wide} 0) need no more: clustering from those entries reaches
 * the others over the lifted link.  Links about to be dropped (${wide}
 * 1, ${id} retracted, its record perhaps unknown) also seed the
 * possible-band neighbours of those entries, which a lifted link may have
 * joined to them.  Returns 0 or an error.
 */
int support_seeds(struct step *s, const uint8_t id[20], int wide,
    struct idset *seeds);

/* ---- persons.c ---- */

/**
 * persons_id(gid, out):
 * Write the person id ("P" and 16 hex digits) of the person labelled by
 * the entry of global id ${gid} to ${out}.
 */
void persons_id(const uint8_t gid[48], char out[static 18]);

/**
 * persons_label_of(txn, id, label):
 * Write the label of ${id}'s person to ${label}: ${id} itself when it is
 * unmatched.
 */
void persons_label_of(struct seen_txn *txn, const uint8_t id[20],
    uint8_t label[20]);

/**
 * persons_members(txn, label, out):
 * Add the members of person ${label} to ${out}: at least the label
 * itself.  Returns 0, SEEN_ECORRUPT, SEEN_ENOMEM.
 */
int persons_members(struct seen_txn *txn, const uint8_t label[20],
    struct idset *out);

/**
 * persons_group(txn, group, out):
 * Add the entries of the record of group ${group} to ${out}.  Returns 0,
 * SEEN_ECORRUPT, SEEN_ENOMEM.
 */
int persons_group(struct seen_txn *txn, const uint8_t group[16],
    struct idset *out);

/**
 * persons_join_group(txn, group, id):
 * Record that entry ${id} is in the record of group ${group}.  Returns 0
 * or an error of the store.
 */
int persons_join_group(struct seen_txn *txn, const uint8_t group[16],
    const uint8_t id[20]);

/**
 * persons_drop(txn, id, label, group):
 * Forget the person and group of the retracted entry ${id}, writing the
 * label it had to ${label} and its group to ${group} (${id} and zeros
 * when it had none).  Returns 0 (also when it had none), or the store's
 * code for its person record.
 */
int persons_drop(struct seen_txn *txn, const uint8_t id[20], uint8_t label[20],
    uint8_t group[16]);

/**
 * persons_recluster(s, seeds):
 * Cluster again the component of match links around ${seeds}, write the
 * labels that change, and run the alert rules on the persons touched.
 * Returns 0; SEEN_ENOTFOUND when no entry of the component is live; an
 * error.
 */
int persons_recluster(struct step *s, const struct idset *seeds);

/**
 * persons_recluster_each(s, seeds):
 * What persons_recluster on each of ${seeds} in turn would leave, with
 * less work: the components are clustered again from the last seed to
 * the first, a seed that a later one's component reached is passed over
 * (the links do not change meanwhile, so its component is the same), and
 * the alert rules run once, on every person touched.  Returns 0 (also
 * when a seed is not live) or an error.
 */
int persons_recluster_each(struct step *s, const struct idset *seeds);

/* ---- alerts.c ---- */

/**
 * alerts_raise(s, labels):
 * Run the alert rules for each person of ${labels} (sorted) and for the
 * persons sharing a record with them.  Returns 0 or an error.
 */
int alerts_raise(struct step *s, const struct idset *labels);

/* ---- households.c ---- */

/* A person in one of a perpetrator's records. */
struct hh_item {
    uint8_t lab[20];    /* the person's label */
    size_t rec;         /* the record's number */
    int child;          /* a child or an unborn child */
};

/* A perpetrator's records and the persons in them, grouped into
 * households by households_group. */
struct households {
    struct idset recs;  /* the perpetrator's entry of each record */
    struct hh_item *v;
    size_t n, cap;
    size_t *home;       /* after households_group: each record's household,
                           its smallest record number */
    unsigned char *kid; /* ...and by that number, whether it holds a child */
    size_t nkids;       /* households that hold a child */
};

/**
 * households_record(h, perp):
 * Add the record in which the perpetrator's entry ${perp} is; returns its
 * number in ${h}, or -1 when out of memory.
 */
long households_record(struct households *h, const uint8_t perp[20]);

/**
 * households_person(h, rec, label, child):
 * Record that the person labelled ${label}, a child when ${child}, is in
 * record ${rec} of ${h} (nothing when ${rec} is negative).  Returns 0 or
 * SEEN_ENOMEM.
 */
int households_person(struct households *h, long rec,
    const uint8_t label[20], int child);

/**
 * households_group(h):
 * Join the records of ${h} that share a person; afterwards h->home[r] is
 * the smallest record number of record r's household, h->kid[r] of that
 * number whether its household holds a child, and h->nkids the number of
 * households holding a child.  Returns 0 or SEEN_ENOMEM.
 */
int households_group(struct households *h);

/**
 * households_json(s, h):
 * The households of ${h} (after households_group) that hold a child, as
 * a JSON array: each the array of the perpetrator's entries whose records
 * make it (entry_json), in record order.  Returns a new array, or NULL.
 */
json_t *households_json(struct step *s, const struct households *h);

/**
 * households_free(h):
 * Free what ${h} holds; it may be used again.
 */
void households_free(struct households *h);

/* ---- views.c ---- */

/**
 * views_add_unique(a, text):
 * Append the string ${text} to the JSON array of strings ${a} unless it
 * holds it already.
 */
void views_add_unique(json_t *a, const char *text);

#endif /* !SEEN_MATCHER_INTERNAL_H */
