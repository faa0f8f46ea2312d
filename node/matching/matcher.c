#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "common/hex.h"
#include "common/log.h"
#include "match/cluster.h"
#include "match/normalise.h"
#include "match/score.h"
#include "match/tokens.h"
#include "node/matching/matcher.h"
#include "proto/control.h"
#include "proto/enums.h"
#include "storage/alerts.h"
#include "storage/feed.h"
#include "storage/index.h"
#include "storage/store.h"
#include "seen.pb-c.h"

#define COMPONENT_MAX 512 /* entries reclustered around one change */
#define BLOCK_MAX 2000    /* candidates read from one block */
#define CACHE_KEEP 32768  /* entries a step caches before forgetting them */
#define CACHE_SLOTS0 4096 /* first size of a step's entry table */
#define ARENA_CHUNK (1 << 20)
#define POOL_MAX 32       /* blocks of ARENA_CHUNK kept between steps */

/* A loaded entry: its local and global ids and what scoring needs. */
struct ent {
    uint8_t id[20];     /* origin number (4) || handle (16) */
    uint8_t gid[48];    /* origin key (32) || handle (16) */
    Seen__FeedEntry *fe;
};

static void
ent_free(struct ent *e)
{

    if (e->fe != NULL)
        seen__feed_entry__free_unpacked(e->fe, NULL);
    e->fe = NULL;
}

/* Load live entry ${id}; 0, SEEN_ENOTFOUND when not live, or an error. */
static int
ent_load(struct seen_txn *txn, const uint8_t id[20], struct ent *e)
{
    uint64_t seq;
    int rc;

    memset(e, 0, sizeof *e);
    memcpy(e->id, id, 20);
    if ((rc = seen_index_seq(txn, seen_rd32(id), id + 4, &seq)) != 0)
        return rc;
    if ((rc = seen_store_origin_pk(txn, seen_rd32(id), e->gid)) != 0)
        return rc;
    memcpy(e->gid + 32, id + 4, 16);
    return seen_index_entry(txn, seen_rd32(id), seq, &e->fe);
}

static void
side(const struct ent *e, struct seen_score_side *s)
{
    const Seen__IndexEntry *x = e->fe->entry;

    s->tokens = x->tokens.data;
    s->ntokens = x->tokens.len / SEEN_TOKEN_ITEM;
    s->bloom = x->name_bloom.len == SEEN_BLOOM_BYTES ? x->name_bloom.data
                                                      : NULL;
    s->birth_band = x->birth_band;
}

static void
be_double(uint8_t out[8], double d)
{
    uint64_t u;

    memcpy(&u, &d, 8);
    seen_be64(out, u);
}

static double
rd_double(const uint8_t in[8])
{
    uint64_t u = seen_rd64(in);
    double d;

    memcpy(&d, &u, 8);
    return d;
}

/* ---- a step's working set ---- */

/*
 * Within one seen_matcher_step nothing but the matcher writes (LMDB has
 * one writer), and the matcher writes neither the live entries, the feeds
 * nor the origins, so an entry loaded once is the same for the rest of the
 * step.  A step decodes each entry it touches once, into an arena, and
 * keeps it in a table by id, with the code ent_load gave for it; the
 * table is emptied between leaves once it holds CACHE_KEEP entries, and
 * when the step ends, so that nothing read outlives the transaction.
 *
 * The arena's blocks go back to a pool for the next step: fresh pages
 * cost more to fault in than the decoding they then hold.  The pool is
 * the process's (a node runs one matcher; the lock is for any other
 * caller), at most POOL_MAX blocks, and emptied by a step that finds
 * nothing to match, so that an idle node keeps none of it.
 */

/* One block of the arena; the data follow, 16-byte aligned. */
struct chunk {
    struct chunk *next;
    size_t size;        /* bytes after the header */
    size_t used;
    size_t pad;
};

/* Blocks of ARENA_CHUNK bytes kept between steps. */
static struct {
    pthread_mutex_t lock;
    struct chunk *free;
    size_t n;
} pool = {PTHREAD_MUTEX_INITIALIZER, NULL, 0};

/* A block from the pool, or NULL. */
static struct chunk *
pool_get(void)
{
    struct chunk *c;

    pthread_mutex_lock(&pool.lock);
    if ((c = pool.free) != NULL) {
        pool.free = c->next;
        pool.n--;
    }
    pthread_mutex_unlock(&pool.lock);
    return c;
}

/* Keep block ${c} in the pool, or unmap it when the pool is full. */
static void
pool_put(struct chunk *c)
{

    pthread_mutex_lock(&pool.lock);
    if (pool.n < POOL_MAX) {
        c->next = pool.free;
        pool.free = c;
        pool.n++;
        c = NULL;
    }
    pthread_mutex_unlock(&pool.lock);
    if (c != NULL)
        munmap(c, sizeof *c + c->size);
}

/* Unmap every block of the pool. */
static void
pool_empty(void)
{
    struct chunk *c, *next;

    pthread_mutex_lock(&pool.lock);
    c = pool.free;
    pool.free = NULL;
    pool.n = 0;
    pthread_mutex_unlock(&pool.lock);
    for (; c != NULL; c = next) {
        next = c->next;
        munmap(c, sizeof *c + c->size);
    }
}

struct arena {
    struct chunk *head;
};

/* A ProtobufCAllocator's alloc over an arena: NULL when out of memory. */
static void *
arena_alloc(void *ctx, size_t n)
{
    struct arena *a = ctx;
    struct chunk *c = a->head;
    size_t sz;
    void *p;

    n = (n + 15) & ~(size_t)15;
    if (c == NULL || c->size - c->used < n) {
        sz = sizeof *c + n > ARENA_CHUNK ? sizeof *c + n : ARENA_CHUNK;
        if (sz != ARENA_CHUNK || (c = pool_get()) == NULL) {
            /* mmap, not malloc: unmapped, nothing stays resident.  The
             * pages are faulted in at once: one by one costs more. */
            p = mmap(NULL, sz, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
            if (p == MAP_FAILED)
                return NULL;
            c = p;
            c->size = sz - sizeof *c;
        }
        c->next = a->head;
        c->used = 0;
        a->head = c;
    }
    p = (uint8_t *)(c + 1) + c->used;
    c->used += n;
    return p;
}

/* The arena frees everything at once. */
static void
arena_nofree(void *ctx, void *p)
{

    (void)ctx;
    (void)p;
}

static void
arena_release(struct arena *a)
{
    struct chunk *c;

    while ((c = a->head) != NULL) {
        a->head = c->next;
        if (sizeof *c + c->size == ARENA_CHUNK)
            pool_put(c);
        else
            munmap(c, sizeof *c + c->size);
    }
}

/* A cached entry: ent_load's code for its id, and the entry when 0. */
struct cent {
    int rc;
    struct ent e;
};

/* An origin's public key, looked up once a step. */
struct opk {
    int state;          /* 0 not looked up; 1 found; else the error */
    uint8_t pk[32];
};

struct step {
    struct seen_matcher *m;
    struct seen_txn *txn;
    struct arena arena;
    ProtobufCAllocator pa;  /* decodes into the arena */
    struct cent **slot;     /* open addressing by id; NULL when empty */
    size_t nslot, nused;
    struct opk *opk;        /* by origin number */
    size_t nopk;
    uint8_t hkey[crypto_shorthash_KEYBYTES]; /* of the tables by id */
};

static void
step_init(struct step *s, struct seen_matcher *m, struct seen_txn *txn)
{

    memset(s, 0, sizeof *s);
    s->m = m;
    s->txn = txn;
    s->pa.alloc = arena_alloc;
    s->pa.free = arena_nofree;
    s->pa.allocator_data = &s->arena;
    randombytes_buf(s->hkey, sizeof s->hkey);
}

/* Forget every cached entry (no pointer to one may be held). */
static void
step_forget(struct step *s)
{

    free(s->slot);
    s->slot = NULL;
    s->nslot = s->nused = 0;
    arena_release(&s->arena);
}

static void
step_release(struct step *s)
{

    step_forget(s);
    free(s->opk);
    s->opk = NULL;
    s->nopk = 0;
}

/* Origin ${idx}'s public key to ${pk}: as seen_store_origin_pk. */
static int
step_origin_pk(struct step *s, uint32_t idx, uint8_t pk[static 32])
{
    struct opk *p;
    size_t n;
    int rc;

    if (idx >= s->nopk) {
        n = (size_t)idx + 16;
        if ((p = realloc(s->opk, n * sizeof *p)) == NULL)
            return seen_store_origin_pk(s->txn, idx, pk);
        memset(p + s->nopk, 0, (n - s->nopk) * sizeof *p);
        s->opk = p;
        s->nopk = n;
    }
    p = &s->opk[idx];
    if (p->state == 0) {
        rc = seen_store_origin_pk(s->txn, idx, p->pk);
        p->state = rc == 0 ? 1 : rc;
    }
    if (p->state != 1)
        return p->state;
    memcpy(pk, p->pk, 32);
    return 0;
}

/* Where ${id} goes in a table: keyed, since a peer chooses its handles. */
static size_t
id_hash(const struct step *s, const uint8_t id[20])
{
    uint8_t h[crypto_shorthash_BYTES];
    uint64_t v;

    crypto_shorthash(h, id, 20, s->hkey);
    memcpy(&v, h, sizeof v);
    return (size_t)v;
}

static int
step_grow(struct step *s)
{
    struct cent **old = s->slot, **nw;
    size_t n = s->nslot ? s->nslot * 2 : CACHE_SLOTS0, i, j;

    if ((nw = calloc(n, sizeof *nw)) == NULL)
        return SEEN_ENOMEM;
    for (i = 0; i < s->nslot; i++) {
        if (old[i] == NULL)
            continue;
        for (j = id_hash(s, old[i]->e.id) & (n - 1); nw[j] != NULL;
             j = (j + 1) & (n - 1))
            ;
        nw[j] = old[i];
    }
    free(old);
    s->slot = nw;
    s->nslot = n;
    return 0;
}

/* As ent_load, into the step's arena and table. */
static int
step_load(struct step *s, const uint8_t id[20], struct ent *e)
{
    uint64_t seq;
    int rc;

    memset(e, 0, sizeof *e);
    memcpy(e->id, id, 20);
    if ((rc = seen_index_seq(s->txn, seen_rd32(id), id + 4, &seq)) != 0)
        return rc;
    if ((rc = step_origin_pk(s, seen_rd32(id), e->gid)) != 0)
        return rc;
    memcpy(e->gid + 32, id + 4, 16);
    return seen_index_entry_alloc(s->txn, seen_rd32(id), seq, &s->pa,
        &e->fe);
}

/*
 * Entry ${id} as ent_load would load it: NULL with ent_load's code in
 * *${rcp} when it would fail.  The entry is borrowed until step_forget.
 */
static const struct ent *
ent_get(struct step *s, const uint8_t id[20], int *rcp)
{
    struct cent *c;
    size_t j;
    int rc;

    if (s->nused * 2 >= s->nslot && (rc = step_grow(s)) != 0) {
        *rcp = rc;
        return NULL;
    }
    for (j = id_hash(s, id) & (s->nslot - 1); (c = s->slot[j]) != NULL;
         j = (j + 1) & (s->nslot - 1))
        if (memcmp(c->e.id, id, 20) == 0)
            goto found;
    if ((c = arena_alloc(&s->arena, sizeof *c)) == NULL) {
        *rcp = SEEN_ENOMEM;
        return NULL;
    }
    c->rc = step_load(s, id, &c->e);
    if (c->rc == SEEN_ENOMEM) {
        /* Not a fact about the entry: do not keep it. */
        *rcp = c->rc;
        return NULL;
    }
    s->slot[j] = c;
    s->nused++;
found:
    *rcp = c->rc;
    return c->rc == 0 ? &c->e : NULL;
}

/* ---- ids ---- */

static void
person_id(const uint8_t gid[48], char out[static 18])
{
    uint8_t h[8];

    crypto_generichash(h, sizeof h, gid, 48, NULL, 0);
    out[0] = 'P';
    sodium_bin2hex(out + 1, 17, h, sizeof h);
}

/* The label (representative entry) of ${id}: itself when unmatched. */
static void
label_of(struct seen_txn *txn, const uint8_t id[20], uint8_t label[20])
{
    uint8_t k[21];
    const void *v;
    size_t vlen;

    k[0] = 'E';
    memcpy(k + 1, id, 20);
    if (seen_store_get(txn, SEEN_DB_PERSONS, k, 21, &v, &vlen) == 0 &&
        vlen >= 20)
        memcpy(label, v, 20);
    else
        memcpy(label, id, 20);
}

/**
 * seen_matcher_person(m, txn, oidx, handle, out):
 * Write the person id ("P" and 16 hex digits, the same on every node) of
 * entry ${handle} of origin ${oidx} to ${out} (18 bytes).
 */
void
seen_matcher_person(struct seen_matcher *m, struct seen_txn *txn,
    uint32_t oidx, const uint8_t handle[static 16], char out[static 18])
{
    uint8_t id[20], label[20], gid[48];

    (void)m;
    seen_be32(id, oidx);
    memcpy(id + 4, handle, 16);
    label_of(txn, id, label);
    if (seen_store_origin_pk(txn, seen_rd32(label), gid) != 0)
        memset(gid, 0, 32);
    memcpy(gid + 32, label + 4, 16);
    person_id(gid, out);
}

/* ---- collecting ids ---- */

struct idset {
    uint8_t (*v)[20];
    size_t n, cap;
    size_t in_block;
};

static int
idset_add(struct idset *s, const uint8_t id[20])
{
    void *p;

    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 32;
        if ((p = realloc(s->v, s->cap * 20)) == NULL)
            return SEEN_ENOMEM;
        s->v = p;
    }
    memcpy(s->v[s->n++], id, 20);
    return 0;
}

static int
idcmp(const void *a, const void *b)
{

    return memcmp(a, b, 20);
}

static void
idset_sort(struct idset *s)
{
    size_t i, k;

    if (s->n > 1)
        qsort(s->v, s->n, 20, idcmp);
    for (i = 0, k = 0; i < s->n; i++)
        if (k == 0 || memcmp(s->v[k - 1], s->v[i], 20) != 0)
            memmove(s->v[k++], s->v[i], 20);
    s->n = k;
}

static int
on_cand(void *ctx, const uint8_t id[static 20])
{
    struct idset *s = ctx;

    if (++s->in_block > BLOCK_MAX)
        return 1;
    return idset_add(s, id);
}

/* ---- links ---- */

/* Put ${k} -> ${v} in SEEN_DB_LINKS unless it holds exactly that. */
static int
link_put1(struct seen_txn *txn, const uint8_t k[40], const uint8_t v[8])
{
    const void *old;
    size_t olen;

    if (seen_store_get(txn, SEEN_DB_LINKS, k, 40, &old, &olen) == 0 &&
        olen == 8 && memcmp(old, v, 8) == 0)
        return 0;
    return seen_store_put(txn, SEEN_DB_LINKS, k, 40, v, 8);
}

static int
link_put(struct seen_txn *txn, const uint8_t a[20], const uint8_t b[20],
    double w)
{
    uint8_t k[40], v[8];
    int rc;

    /* A pair is scored from both ends, with the same weight: the second
     * time, the link is there already. */
    be_double(v, w);
    memcpy(k, a, 20);
    memcpy(k + 20, b, 20);
    if ((rc = link_put1(txn, k, v)) != 0)
        return rc;
    memcpy(k, b, 20);
    memcpy(k + 20, a, 20);
    return link_put1(txn, k, v);
}

/* A link of one entry: the other end and the weight. */
struct nbr {
    uint8_t id[20];
    double w;
};

struct nbrs {
    struct nbr *v;
    size_t n, cap;
};

struct nb_ctx {
    struct idset *set;      /* either this */
    struct nbrs *list;      /* or this */
    double min;
};

static int
on_neighbour(void *ctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{
    struct nb_ctx *c = ctx;
    struct nbr *p;
    double w;

    if (klen != 40 || vlen != 8)
        return SEEN_ECORRUPT;
    if ((w = rd_double(val)) < c->min)
        return 0;
    if (c->set != NULL)
        return idset_add(c->set, (const uint8_t *)key + 20);
    if (c->list->n == c->list->cap) {
        c->list->cap = c->list->cap ? c->list->cap * 2 : 64;
        if ((p = realloc(c->list->v, c->list->cap * sizeof *p)) == NULL)
            return SEEN_ENOMEM;
        c->list->v = p;
    }
    p = &c->list->v[c->list->n++];
    memcpy(p->id, (const uint8_t *)key + 20, 20);
    p->w = w;
    return 0;
}

/* The entries linked to ${id} with weight at least ${min}. */
static int
neighbours(struct seen_txn *txn, const uint8_t id[20], double min,
    struct idset *out)
{
    struct nb_ctx c = {out, NULL, min};

    return seen_store_iter(txn, SEEN_DB_LINKS, id, 20, on_neighbour, &c);
}

/* As neighbours, appending the links with their weights to ${out}. */
static int
neighbours_w(struct seen_txn *txn, const uint8_t id[20], double min,
    struct nbrs *out)
{
    struct nb_ctx c = {NULL, out, min};

    return seen_store_iter(txn, SEEN_DB_LINKS, id, 20, on_neighbour, &c);
}

/* ---- describing entries ---- */

static json_t *
member_json(struct seen_matcher *m, const struct ent *e)
{
    const Seen__IndexEntry *x = e->fe->entry;
    char hh[33], date[11], name[64], b1[SEEN_ENUM_NAME_MAX],
        b2[SEEN_ENUM_NAME_MAX],
        b3[SEEN_ENUM_NAME_MAX];
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

struct mem_ctx {
    struct idset *set;
};

static int
on_member(void *ctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{
    struct mem_ctx *c = ctx;

    (void)val;
    (void)vlen;
    if (klen != 41)
        return SEEN_ECORRUPT;
    return idset_add(c->set, (const uint8_t *)key + 21);
}

/* The members of person ${label}: at least the label itself. */
static int
members_of(struct seen_txn *txn, const uint8_t label[20], struct idset *out)
{
    struct mem_ctx c = {out};
    uint8_t k[21];
    int rc;

    k[0] = 'M';
    memcpy(k + 1, label, 20);
    if ((rc = seen_store_iter(txn, SEEN_DB_PERSONS, k, 21, on_member, &c)) !=
        0)
        return rc;
    if (out->n == 0)
        return idset_add(out, label);
    return 0;
}

static int
on_group(void *ctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{
    struct idset *s = ctx;

    (void)val;
    (void)vlen;
    if (klen != 36)
        return SEEN_ECORRUPT;
    return idset_add(s, (const uint8_t *)key + 16);
}

static int
group_members(struct seen_txn *txn, const uint8_t group[16], struct idset *out)
{

    return seen_store_iter(txn, SEEN_DB_GROUPS, group, 16, on_group, out);
}

/* 1 when some of ${members} is held by children's social care. */
static int
at_social_care(struct step *s, const struct idset *members)
{
    struct seen_matcher *m = s->m;
    uint8_t pk[32];
    const char *t;
    size_t i;

    for (i = 0; i < members->n; i++) {
        if (step_origin_pk(s, seen_rd32(members->v[i]), pk) != 0)
            continue;
        if ((t = m->type_of(m->ctx, pk)) != NULL &&
            strcmp(t, "social_care") == 0)
            return 1;
    }
    return 0;
}

/* ---- alerts ---- */

/*
 * 1 when the stored alert ${v} (${vlen} bytes) is exactly what store_alert
 * would write for it again: this code wrote it, so it reads
 * {"alert":ID,"rule":RULE,"raised":N,"person":..,"members":..,
 * "summary":..} with, once acknowledged, ,"acknowledged":{..} before the
 * closing brace; when the person, members and summary are those given,
 * loading, setting and dumping it again would give the same bytes.
 */
static int
alert_same(const char *v, size_t vlen, const char *id, const char *rule,
    const char *pid, json_t *members, const char *summary)
{
    char head[128], *mem = NULL, *sum = NULL, *tail = NULL;
    json_t *js;
    size_t hlen, tlen, i;
    int same = 0;

    hlen = (size_t)snprintf(head, sizeof head,
        "{\"alert\":\"%s\",\"rule\":\"%s\",\"raised\":", id, rule);
    if (hlen >= sizeof head || vlen < hlen || memcmp(v, head, hlen) != 0)
        return 0;
    for (i = hlen; i < vlen && v[i] >= '0' && v[i] <= '9'; i++)
        ;
    if (i == hlen || i == vlen || v[i] != ',')
        return 0;
    i++;
    if ((js = json_string(summary)) == NULL)
        return 0;
    sum = json_dumps(js, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(js);
    mem = json_dumps(members, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (sum == NULL || mem == NULL ||
        asprintf(&tail, "\"person\":\"%s\",\"members\":%s,\"summary\":%s",
            pid, mem, sum) < 0) {
        tail = NULL;
        goto done;
    }
    tlen = strlen(tail);
    if (vlen - i < tlen || memcmp(v + i, tail, tlen) != 0)
        goto done;
    i += tlen;
    same = (vlen - i == 1 && v[i] == '}') ||
           (vlen - i > 17 && memcmp(v + i, ",\"acknowledged\":{", 17) == 0 &&
               v[vlen - 1] == '}');
done:
    free(sum);
    free(mem);
    free(tail);
    return same;
}

/*
 * The alert of ${rule} about the person labelled ${label}: its store key
 * ('A' and 8 bytes of BLAKE2b over the rule and the label's origin key and
 * handle, the same on every node), id (16 hex digits) and person id.
 * Returns 0, or -1 when the label's origin is unknown.
 */
static int
alert_key(struct step *s, const char *rule, const uint8_t label[20],
    uint8_t k[static SEEN_ALERT_ID_BYTES], char id[static 17],
    char pid[static 18])
{
    crypto_generichash_state st;
    uint8_t gid[48];

    if (step_origin_pk(s, seen_rd32(label), gid) != 0)
        return -1;
    memcpy(gid + 32, label + 4, 16);
    person_id(gid, pid);
    crypto_generichash_init(&st, NULL, 0, 8);
    crypto_generichash_update(&st, (const uint8_t *)rule, strlen(rule));
    crypto_generichash_update(&st, gid, 48);
    crypto_generichash_final(&st, k, SEEN_ALERT_ID_BYTES);
    seen_hex_encode(id, k, SEEN_ALERT_ID_BYTES);
    return 0;
}

static const char *const alert_rules[] = {"perpetrator_multiple_households",
    "dvds_subject_linked_to_child", "child_high_risk_unknown_to_social_care",
    "unborn_linked_to_perpetrator"};

/*
 * The person labelled ${label} is no more (its entries joined other
 * persons): its alerts that no lead has acknowledged are withdrawn, since
 * the persons its entries joined are evaluated in the same step and raise
 * their own (otherwise every relabelling would leave a duplicate behind).
 * Acknowledged ones stay, as the record of what a lead acted on.
 */
static int
retire_alerts(struct step *s, const uint8_t label[20])
{
    char id[17], pid[18];
    uint8_t k[SEEN_ALERT_ID_BYTES];
    const void *v;
    size_t vlen, i;
    int rc;

    for (i = 0; i < sizeof alert_rules / sizeof alert_rules[0]; i++) {
        if (alert_key(s, alert_rules[i], label, k, id, pid) != 0)
            return 0;
        if (seen_alerts_get(s->txn, k, &v, &vlen) != 0 ||
            memmem(v, vlen, "\"acknowledged\":", 15) != NULL)
            continue;
        if ((rc = seen_alerts_del(s->txn, k)) != 0)
            return rc;
        seen_info("alert %s withdrawn: person %s joined another", id, pid);
    }
    return 0;
}

static int
store_alert(struct step *s, const char *rule, const uint8_t label[20],
    json_t *members, const char *summary)
{
    struct seen_matcher *m = s->m;
    uint8_t k[SEEN_ALERT_ID_BYTES];
    char id[17], pid[18], *text;
    const void *v;
    size_t vlen;
    json_t *a = NULL, *old;
    int rc;

    if (alert_key(s, rule, label, k, id, pid) != 0)
        return 0;
    if (seen_alerts_get(s->txn, k, &v, &vlen) == 0) {
        /* Raised again with nothing new (the common case): it stands. */
        if (alert_same(v, vlen, id, rule, pid, members, summary))
            return 0;
        old = json_loadb(v, vlen, 0, NULL);
    } else
        old = NULL;
    if (old != NULL) {
        a = old; /* keep when raised and any acknowledgement */
    } else {
        a = json_pack("{s:s, s:s, s:I}", "alert", id, "rule", rule, "raised",
            (json_int_t)time(NULL));
        m->alerts++;
        seen_notice("alert %s raised: %s", id, rule);
    }
    json_object_set_new(a, "person", json_string(pid));
    json_object_set(a, "members", members);
    json_object_set_new(a, "summary", json_string(summary));
    if ((text = json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL) {
        json_decref(a);
        return SEEN_ENOMEM;
    }
    rc = seen_alerts_put(s->txn, k, text, strlen(text));
    free(text);
    json_decref(a);
    return rc;
}

static void
add_la(json_t *las, const char *la)
{
    size_t i;
    json_t *x;

    json_array_foreach(las, i, x)
    {
        if (strcmp(json_string_value(x), la) == 0)
            return;
    }
    json_array_append_new(las, json_string(la));
}

/* The members of ${ids} that load, as member_json objects, in order. */
static json_t *
members_json(struct step *s, const struct idset *ids)
{
    const struct ent *e;
    json_t *a = json_array();
    size_t i;
    int rc;

    for (i = 0; i < ids->n; i++)
        if ((e = ent_get(s, ids->v[i], &rc)) != NULL)
            json_array_append_new(a, member_json(s->m, e));
    return a;
}

/*
 * Evaluate the alert rules for the person labelled ${label}.  The rules
 * are decided first, from the entries alone; the members are described
 * (in JSON) only for an alert that is raised.
 */
static int
alerts_for(struct step *s, const uint8_t label[20])
{
    struct idset mem = {0}, grp = {0}, kids = {0}, homes = {0}, kidm = {0};
    const struct ent *e, *g;
    json_t *amem = NULL, *kmem = NULL, *las = json_array();
    char summary[512];
    uint8_t own[20];
    size_t i, j;
    int rc, perp = 0, dvds = 0, hirisk = 0, unborn_perp = 0;
    int kid_known = 0, is_child = 0, r_multi, r_dvds, r_child;

    /* A label whose own entry now belongs to another person labels no
     * one: members_of() would take it for a person of one entry. */
    label_of(s->txn, label, own);
    if (memcmp(own, label, 20) != 0) {
        rc = retire_alerts(s, label);
        goto done;
    }
    if ((rc = members_of(s->txn, label, &mem)) != 0)
        goto done;
    for (i = 0; i < mem.n; i++) {
        const Seen__IndexEntry *x;

        if ((e = ent_get(s, mem.v[i], &rc)) == NULL)
            continue;
        x = e->fe->entry;
        if (x->role == SEEN__ROLE__CHILD || x->role == SEEN__ROLE__UNBORN) {
            is_child = 1;
            if (x->risk >= SEEN__RISK__HIGH)
                hirisk = 1;
        }
        if (x->role == SEEN__ROLE__PERPETRATOR) {
            perp = 1;
            if (x->kind == SEEN__KIND__DVDS_DISCLOSURE)
                dvds = 1;
        }
        /* Who else was in this record. */
        grp.n = 0;
        if (x->group.len == 16 &&
            (rc = group_members(s->txn, x->group.data, &grp)) != 0)
            goto done;
        for (j = 0; j < grp.n; j++) {
            const Seen__IndexEntry *y;
            uint8_t lab[20];

            if (memcmp(grp.v[j], mem.v[i], 20) == 0 ||
                (g = ent_get(s, grp.v[j], &rc)) == NULL)
                continue;
            y = g->fe->entry;
            if (x->role == SEEN__ROLE__PERPETRATOR &&
                (y->role == SEEN__ROLE__CHILD ||
                    y->role == SEEN__ROLE__UNBORN)) {
                label_of(s->txn, grp.v[j], lab);
                idset_add(&kids, lab);
                add_la(las, x->local_authority);
                idset_add(&kidm, grp.v[j]);
            }
            if (x->role == SEEN__ROLE__PERPETRATOR &&
                (y->role == SEEN__ROLE__ADULT_VICTIM ||
                    y->role == SEEN__ROLE__PARENT)) {
                label_of(s->txn, grp.v[j], lab);
                idset_add(&homes, lab);
            }
            if (x->role == SEEN__ROLE__UNBORN &&
                y->role == SEEN__ROLE__PERPETRATOR)
                unborn_perp = 1;
        }
    }
    idset_sort(&kids);
    idset_sort(&homes);
    if (perp && kids.n > 0) {
        for (i = 0; i < kids.n && !kid_known; i++) {
            struct idset km = {0};

            if (members_of(s->txn, kids.v[i], &km) == 0 &&
                at_social_care(s, &km))
                kid_known = 1;
            free(km.v);
        }
    }
    r_multi = perp && kids.n > 0 &&
              (json_array_size(las) >= 2 || homes.n >= 2);
    r_dvds = dvds && kid_known;
    r_child = is_child && hirisk && !at_social_care(s, &mem);
    if (!r_multi && !r_dvds && !r_child && !unborn_perp) {
        rc = 0;
        goto done;
    }
    amem = members_json(s, &mem);
    if (r_multi || r_dvds)
        kmem = members_json(s, &kidm);
    if (r_multi) {
        json_t *all = json_copy(amem);

        json_array_extend(all, kmem);
        snprintf(summary, sizeof summary,
            "an adult recorded as perpetrator in records with %zu child%s "
            "in %zu household%s across %zu local authorit%s",
            kids.n, kids.n == 1 ? "" : "ren", homes.n ? homes.n : 1,
            homes.n == 1 ? "" : "s", json_array_size(las),
            json_array_size(las) == 1 ? "y" : "ies");
        rc = store_alert(s, "perpetrator_multiple_households", label, all,
            summary);
        json_decref(all);
        if (rc != 0)
            goto done;
    }
    if (r_dvds) {
        json_t *all = json_copy(amem);

        json_array_extend(all, kmem);
        snprintf(summary, sizeof summary,
            "the subject of a Clare's Law disclosure is linked to a child "
            "known to children's social care");
        rc = store_alert(s, "dvds_subject_linked_to_child", label, all,
            summary);
        json_decref(all);
        if (rc != 0)
            goto done;
    }
    if (r_child) {
        snprintf(summary, sizeof summary,
            "a child in a high-risk incident with no record at children's "
            "social care");
        if ((rc = store_alert(s, "child_high_risk_unknown_to_social_care",
                 label, amem, summary)) != 0)
            goto done;
    }
    if (unborn_perp) {
        snprintf(summary, sizeof summary,
            "an unborn child in a record with a perpetrator");
        if ((rc = store_alert(s, "unborn_linked_to_perpetrator", label, amem,
                 summary)) != 0)
            goto done;
    }
    rc = 0;
done:
    json_decref(amem);
    json_decref(kmem);
    json_decref(las);
    free(mem.v);
    free(grp.v);
    free(kids.v);
    free(homes.v);
    free(kidm.v);
    return rc;
}

/* Add ${label} and the persons sharing a record with it to ${out}. */
static int
near_persons(struct step *s, const uint8_t label[20], struct idset *out)
{
    struct idset mem = {0}, grp = {0};
    uint8_t lab[20];
    const struct ent *e;
    size_t i, j;
    int rc;

    if ((rc = idset_add(out, label)) != 0)
        return rc;
    if ((rc = members_of(s->txn, label, &mem)) != 0)
        goto done;
    for (i = 0; i < mem.n; i++) {
        if ((e = ent_get(s, mem.v[i], &rc)) == NULL)
            continue;
        grp.n = 0;
        if (e->fe->entry->group.len == 16)
            (void)group_members(s->txn, e->fe->entry->group.data, &grp);
        for (j = 0; j < grp.n; j++) {
            label_of(s->txn, grp.v[j], lab);
            if (memcmp(lab, label, 20) != 0)
                idset_add(out, lab);
        }
    }
    rc = 0;
done:
    free(mem.v);
    free(grp.v);
    return rc;
}

/*
 * The rules for each person of ${labels} and for the persons sharing a
 * record with them, each person once: the rules read the persons and the
 * entries, which do not change while they run, and write only the alert
 * of a rule and person, so evaluating a person twice changes nothing.
 */
static int
raise_alerts(struct step *s, const struct idset *labels)
{
    struct idset todo = {0};
    size_t i;
    int rc = 0;

    for (i = 0; i < labels->n; i++)
        if ((rc = near_persons(s, labels->v[i], &todo)) != 0)
            goto done;
    idset_sort(&todo);
    for (i = 0; i < todo.n; i++)
        if ((rc = alerts_for(s, todo.v[i])) != 0)
            goto done;
done:
    free(todo.v);
    return rc;
}

/* ---- persons ---- */

/*
 * Make ${label} the person of entry ${id} (with record group ${group});
 * ${old} is its label now.  Nothing is written when the store says so
 * already.
 */
static int
set_label(struct seen_txn *txn, const uint8_t id[20], const uint8_t group[16],
    const uint8_t label[20], const uint8_t old[20], int same)
{
    uint8_t k[41], v[36];
    const void *cur;
    size_t clen;
    int rc;

    k[0] = 'M';
    memcpy(k + 1, label, 20);
    memcpy(k + 21, id, 20);
    if (same && seen_store_get(txn, SEEN_DB_PERSONS, k, 41, &cur, &clen) ==
                    0 &&
        clen == 0)
        return 0;
    memcpy(k + 1, old, 20);
    rc = seen_store_del(txn, SEEN_DB_PERSONS, k, 41, NULL, 0);
    if (rc != 0 && rc != SEEN_ENOTFOUND)
        return rc;
    memcpy(k + 1, label, 20);
    if ((rc = seen_store_put(txn, SEEN_DB_PERSONS, k, 41, "", 0)) != 0)
        return rc;
    k[0] = 'E';
    memcpy(k + 1, id, 20);
    memcpy(v, label, 20);
    memcpy(v + 20, group, 16);
    return seen_store_put(txn, SEEN_DB_PERSONS, k, 21, v, 36);
}

/*
 * The label of ${id} now, to ${old} (as label_of); *${same} is 1 when its
 * person record is exactly ${label} || ${group}.
 */
static void
label_now(struct seen_txn *txn, const uint8_t id[20], const uint8_t label[20],
    const uint8_t group[16], uint8_t old[20], int *same)
{
    uint8_t k[21];
    const void *v;
    size_t vlen;

    k[0] = 'E';
    memcpy(k + 1, id, 20);
    *same = 0;
    if (seen_store_get(txn, SEEN_DB_PERSONS, k, 21, &v, &vlen) == 0 &&
        vlen >= 20) {
        memcpy(old, v, 20);
        *same = vlen == 36 && memcmp(v, label, 20) == 0 &&
                memcmp((const uint8_t *)v + 20, group, 16) == 0;
    } else
        memcpy(old, id, 20);
}

/* A set of entry ids as indices into an idset (open addressing). */
struct idx_set {
    const struct step *s;   /* for id_hash */
    uint32_t *slot;         /* index + 1; 0 when empty */
    size_t mask;
};

/* The index of ${id} in ${ids} through ${h}, or SIZE_MAX. */
static size_t
idx_find(const struct idx_set *h, const struct idset *ids,
    const uint8_t id[20])
{
    size_t j;

    for (j = id_hash(h->s, id) & h->mask; h->slot[j] != 0;
         j = (j + 1) & h->mask)
        if (memcmp(ids->v[h->slot[j] - 1], id, 20) == 0)
            return h->slot[j] - 1;
    return SIZE_MAX;
}

static void
idx_put(struct idx_set *h, const uint8_t id[20], size_t i)
{
    size_t j;

    for (j = id_hash(h->s, id) & h->mask; h->slot[j] != 0;
         j = (j + 1) & h->mask)
        ;
    h->slot[j] = (uint32_t)i + 1;
}

/* Cluster again the component of match links around ${seeds}. */
static int
recluster(struct step *s, const struct idset *seeds)
{
    struct seen_txn *txn = s->txn;
    struct idset comp = {0}, labels = {0};
    struct idx_set in = {s, NULL, 0};
    struct nbrs nb = {NULL, 0, 0};
    size_t *nboff = NULL, *nbn = NULL, *live = NULL;
    const struct ent **e = NULL;
    struct seen_cluster_item *items = NULL;
    struct seen_cluster_link *links = NULL;
    struct seen_score_side sa;
    uint32_t *label = NULL;
    size_t i, j, q, n, nlive, nlinks = 0, caplinks = 0, cap;
    uint8_t lab[20];
    const uint8_t *hit;
    int rc = 0, same;

    /* Breadth first over match-band links, bounded; each expanded
     * entry's links (with weights) are kept for the links below. */
    cap = seeds->n + COMPONENT_MAX;
    for (n = 64; n < 2 * cap; n *= 2)
        ;
    if ((in.slot = calloc(n, sizeof *in.slot)) == NULL ||
        (nboff = calloc(cap, sizeof *nboff)) == NULL ||
        (nbn = malloc(cap * sizeof *nbn)) == NULL) {
        rc = SEEN_ENOMEM;
        goto done;
    }
    in.mask = n - 1;
    for (i = 0; i < seeds->n; i++) {
        if ((rc = idset_add(&comp, seeds->v[i])) != 0)
            goto done;
        if (idx_find(&in, &comp, seeds->v[i]) == SIZE_MAX)
            idx_put(&in, seeds->v[i], comp.n - 1);
        nbn[comp.n - 1] = SIZE_MAX;
    }
    for (q = 0; q < comp.n && comp.n < COMPONENT_MAX; q++) {
        nboff[q] = nb.n;
        if ((rc = neighbours_w(txn, comp.v[q], SEEN_CLUSTER_MERGE_AT, &nb)) !=
            0)
            goto done;
        nbn[q] = nb.n - nboff[q];
        for (j = nboff[q]; j < nb.n && comp.n < COMPONENT_MAX; j++) {
            if (idx_find(&in, &comp, nb.v[j].id) != SIZE_MAX)
                continue;
            if ((rc = idset_add(&comp, nb.v[j].id)) != 0)
                goto done;
            idx_put(&in, nb.v[j].id, comp.n - 1);
            nbn[comp.n - 1] = SIZE_MAX;
        }
    }
    /* Load the live ones. */
    if ((e = calloc(comp.n, sizeof *e)) == NULL ||
        (live = calloc(comp.n, sizeof *live)) == NULL ||
        (items = calloc(comp.n, sizeof *items)) == NULL ||
        (label = calloc(comp.n, sizeof *label)) == NULL) {
        rc = SEEN_ENOMEM;
        goto done;
    }
    for (i = 0, nlive = 0; i < comp.n; i++) {
        live[i] = SIZE_MAX;
        if ((e[nlive] = ent_get(s, comp.v[i], &rc)) == NULL) {
            if (rc == SEEN_ENOTFOUND)
                continue;
            goto done;
        }
        live[i] = nlive;
        memcpy(items[nlive].id, e[nlive]->gid, 48);
        if (e[nlive]->fe->entry->group.len == 16)
            memcpy(items[nlive].group, e[nlive]->fe->entry->group.data, 16);
        side(e[nlive], &sa);
        items[nlive].tokens = sa.tokens;
        items[nlive].ntokens = sa.ntokens;
        items[nlive].bloom = sa.bloom;
        items[nlive].birth_band = sa.birth_band;
        /* Its links, if the search above read them, move with it. */
        nboff[nlive] = nboff[i];
        nbn[nlive] = nbn[i];
        nlive++;
    }
    /* As ent_load's last code when none of them is live. */
    if (nlive == 0) {
        rc = SEEN_ENOTFOUND;
        goto done;
    }
    /* Match-band links among them, each once, in the order of the live
     * entries and of their links. */
    for (i = 0; i < nlive; i++) {
        size_t off = nboff[i], cnt = nbn[i];

        if (cnt == SIZE_MAX) {
            off = nb.n;
            if ((rc = neighbours_w(txn, e[i]->id, SEEN_CLUSTER_MERGE_AT,
                     &nb)) != 0)
                goto done;
            cnt = nb.n - off;
        }
        for (q = off; q < off + cnt; q++) {
            j = idx_find(&in, &comp, nb.v[q].id);
            if (j == SIZE_MAX || (j = live[j]) == SIZE_MAX || j <= i)
                continue;
            if (nlinks == caplinks) {
                void *p;

                caplinks = caplinks ? caplinks * 2 : 64;
                if ((p = realloc(links, caplinks * sizeof *links)) == NULL) {
                    rc = SEEN_ENOMEM;
                    goto done;
                }
                links = p;
            }
            links[nlinks].a = (uint32_t)i;
            links[nlinks].b = (uint32_t)j;
            links[nlinks].weight = nb.v[q].w;
            nlinks++;
        }
    }
    if ((rc = seen_cluster_run(items, nlive, links, nlinks, label)) != 0)
        goto done;
    for (i = 0; i < nlive; i++) {
        hit = e[label[i]]->id;
        label_now(txn, e[i]->id, hit, items[i].group, lab, &same);
        if (memcmp(lab, hit, 20) != 0 &&
            (rc = idset_add(&labels, lab)) != 0) /* its old person too */
            goto done;
        if ((rc = set_label(txn, e[i]->id, items[i].group, hit, lab,
                 same)) != 0)
            goto done;
        if ((rc = idset_add(&labels, hit)) != 0)
            goto done;
    }
    idset_sort(&labels);
    rc = raise_alerts(s, &labels);
done:
    free(in.slot);
    free(nboff);
    free(nbn);
    free(live);
    free(e);
    free(items);
    free(label);
    free(links);
    free(comp.v);
    free(nb.v);
    free(labels.v);
    return rc;
}

/* Link new entry ${id} to its candidates and recluster around it. */
static int
match_new(struct step *s, const uint8_t id[20])
{
    struct idset cand = {0}, seeds = {0};
    const struct ent *me, *other;
    struct seen_score_side sa, sb;
    enum seen_band band;
    const Seen__IndexEntry *x;
    uint8_t gk[36];
    double w;
    size_t i;
    int rc;

    if ((me = ent_get(s, id, &rc)) == NULL)
        return rc == SEEN_ENOTFOUND ? 0 : rc;
    x = me->fe->entry;
    if (x->group.len == 16) {
        memcpy(gk, x->group.data, 16);
        memcpy(gk + 16, id, 20);
        if ((rc = seen_store_put(s->txn, SEEN_DB_GROUPS, gk, 36, "", 0)) !=
            0)
            goto done;
    }
    for (i = 0; i + SEEN_TOKEN_ITEM <= x->tokens.len; i += SEEN_TOKEN_ITEM) {
        if (!seen_rule_is_block(x->tokens.data[i]))
            continue;
        cand.in_block = 0;
        if ((rc = seen_index_lookup(s->txn, x->tokens.data + i, on_cand,
                 &cand)) != 0)
            goto done;
    }
    idset_sort(&cand);
    side(me, &sa);
    for (i = 0; i < cand.n; i++) {
        if (memcmp(cand.v[i], id, 20) == 0)
            continue;
        if ((other = ent_get(s, cand.v[i], &rc)) == NULL) {
            if (rc == SEEN_ENOMEM)
                goto done;
            continue;
        }
        side(other, &sb);
        w = seen_score_weight(&sa, &sb, &band);
        if (band == SEEN_BAND_NO)
            continue;
        if ((rc = link_put(s->txn, id, cand.v[i], w)) != 0)
            goto done;
    }
    if ((rc = idset_add(&seeds, id)) != 0)
        goto done;
    rc = recluster(s, &seeds);
    s->m->matched++;
done:
    free(cand.v);
    free(seeds.v);
    return rc;
}

/* Entry ${id} was retracted: drop its links and person, recluster. */
static int
unmatch(struct step *s, const uint8_t id[20])
{
    struct seen_txn *txn = s->txn;
    struct idset nb = {0};
    uint8_t k[41], lab[20];
    const void *v;
    size_t vlen, i;
    int rc;

    if ((rc = neighbours(txn, id, -1e9, &nb)) != 0)
        goto done;
    for (i = 0; i < nb.n; i++) {
        memcpy(k, id, 20);
        memcpy(k + 20, nb.v[i], 20);
        if ((rc = seen_store_del(txn, SEEN_DB_LINKS, k, 40, NULL, 0)) != 0 &&
            rc != SEEN_ENOTFOUND)
            goto done;
        memcpy(k, nb.v[i], 20);
        memcpy(k + 20, id, 20);
        if ((rc = seen_store_del(txn, SEEN_DB_LINKS, k, 40, NULL, 0)) != 0 &&
            rc != SEEN_ENOTFOUND)
            goto done;
    }
    k[0] = 'E';
    memcpy(k + 1, id, 20);
    if (seen_store_get(txn, SEEN_DB_PERSONS, k, 21, &v, &vlen) == 0 &&
        vlen == 36) {
        uint8_t gk[36];

        memcpy(lab, v, 20);
        memcpy(gk, (const uint8_t *)v + 20, 16);
        memcpy(gk + 16, id, 20);
        rc = seen_store_del(txn, SEEN_DB_GROUPS, gk, 36, NULL, 0);
        if ((rc = seen_store_del(txn, SEEN_DB_PERSONS, k, 21, NULL, 0)) != 0)
            goto done;
        k[0] = 'M';
        memcpy(k + 1, lab, 20);
        memcpy(k + 21, id, 20);
        rc = seen_store_del(txn, SEEN_DB_PERSONS, k, 41, NULL, 0);
    }
    rc = nb.n ? recluster(s, &nb) : 0;
done:
    free(nb.v);
    return rc == SEEN_ENOTFOUND ? 0 : rc;
}

/**
 * seen_matcher_step(m, budget):
 * Match up to ${budget} new leaves of the feeds held, in one transaction.
 * Returns the number of leaves processed (0 when all is matched), or a
 * negative error.  A step decodes each entry it reads once and keeps it
 * for the rest of the step (about 32 MiB at most, then it starts again);
 * while there is a backlog, up to 32 MiB of that memory is kept for the
 * next step, and none after a step that finds nothing to match or fails.
 */
int
seen_matcher_step(struct seen_matcher *m, size_t budget)
{
    struct seen_txn *txn;
    struct step s;
    Seen__FeedEntry *fe;
    const uint8_t *leaf;
    const void *v;
    uint8_t ck[9], cv[8], id[20];
    uint64_t count, size, next;
    size_t done = 0, len;
    uint32_t o;
    int rc;

    if ((rc = seen_store_begin(m->store, 1, &txn)) != 0)
        return rc;
    step_init(&s, m, txn);
    if ((rc = seen_store_count(txn, SEEN_DB_ORIGINS, &count)) != 0)
        goto fail;
    memcpy(ck, "match", 5);
    for (o = 1; o <= count / 2 && done < budget; o++) {
        seen_be32(ck + 5, o);
        next = 0;
        if (seen_store_get(txn, SEEN_DB_CURSORS, ck, 9, &v, &len) == 0 &&
            len == 8)
            next = seen_rd64(v);
        if ((rc = seen_feed_size(txn, o, &size)) != 0)
            goto fail;
        for (; next < size && done < budget; next++, done++) {
            if (s.nused > CACHE_KEEP)
                step_forget(&s);
            if ((rc = seen_feed_leaf(txn, o, next, &leaf, &len)) != 0)
                goto fail;
            if ((fe = seen__feed_entry__unpack(NULL, len, leaf)) == NULL)
                continue; /* checked on arrival; never here */
            seen_be32(id, o);
            if (fe->body_case == SEEN__FEED_ENTRY__BODY_ENTRY &&
                fe->entry->handle.len == 16) {
                memcpy(id + 4, fe->entry->handle.data, 16);
                rc = match_new(&s, id);
            } else if (fe->body_case == SEEN__FEED_ENTRY__BODY_RETRACTION &&
                fe->retraction->handle.len == 16) {
                memcpy(id + 4, fe->retraction->handle.data, 16);
                rc = unmatch(&s, id);
            }
            seen__feed_entry__free_unpacked(fe, NULL);
            if (rc != 0)
                goto fail;
        }
        seen_be64(cv, next);
        if ((rc = seen_store_put(txn, SEEN_DB_CURSORS, ck, 9, cv, 8)) != 0)
            goto fail;
    }
    step_release(&s);
    if (done == 0)
        pool_empty(); /* caught up */
    if ((rc = seen_store_commit(txn)) != 0)
        return rc;
    return (int)done;
fail:
    step_release(&s);
    pool_empty();
    seen_store_abort(txn);
    seen_warn("matching failed: %s", seen_strerror(rc));
    return rc;
}

/* ---- output ---- */

struct pair {
    uint8_t label[20];
    uint8_t id[20];
};

static int
paircmp(const void *a, const void *b)
{

    return memcmp(a, b, sizeof(struct pair));
}

struct live_ctx {
    struct seen_txn *txn;
    struct pair *v;
    size_t n, cap;
};

static int
on_live(void *ctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{
    struct live_ctx *c = ctx;
    void *p;

    (void)val;
    (void)vlen;
    if (klen != 20)
        return SEEN_ECORRUPT;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 1024;
        if ((p = realloc(c->v, c->cap * sizeof *c->v)) == NULL)
            return SEEN_ENOMEM;
        c->v = p;
    }
    memcpy(c->v[c->n].id, key, 20);
    label_of(c->txn, key, c->v[c->n].label);
    c->n++;
    return 0;
}

/**
 * seen_matcher_persons(m, txn, out):
 * Write every person, one JSON line each (spec/cli.md's persons
 * contract), to the malloc'd text *${out}.  Returns 0 or an error.
 */
int
seen_matcher_persons(struct seen_matcher *m, struct seen_txn *txn, char **out,
    size_t *len)
{
    struct live_ctx c = {txn, NULL, 0, 0};
    struct seen_ctl_rows b = {NULL, 0, 0};
    struct ent e = {0};
    json_t *members = NULL, *line;
    char pid[18];
    size_t i;
    int rc;

    *out = NULL;
    *len = 0;
    if ((rc = seen_store_iter(txn, SEEN_DB_ENTRIES, NULL, 0, on_live, &c)) !=
        0)
        goto done;
    if (c.n > 1)
        qsort(c.v, c.n, sizeof *c.v, paircmp);
    for (i = 0; i < c.n; i++) {
        if (i == 0 || memcmp(c.v[i].label, c.v[i - 1].label, 20) != 0)
            members = json_array();
        if (ent_load(txn, c.v[i].id, &e) == 0)
            json_array_append_new(members, member_json(m, &e));
        ent_free(&e);
        if (i + 1 == c.n || memcmp(c.v[i].label, c.v[i + 1].label, 20) != 0) {
            seen_matcher_person(m, txn, seen_rd32(c.v[i].label),
                c.v[i].label + 4, pid);
            line = json_pack("{s:s, s:o}", "person", pid, "members", members);
            rc = seen_ctl_rows_add(&b, line);
            json_decref(line);
            if (rc != 0)
                goto done;
        }
    }
    rc = 0;
done:
    free(c.v);
    if (rc != 0) {
        free(b.p);
        return rc;
    }
    *out = b.p;
    *len = b.len;
    return 0;
}

struct links_ctx {
    struct seen_matcher *m;
    struct seen_txn *txn;
    struct seen_ctl_rows *b;
};

static int
on_link(void *ctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{
    struct links_ctx *c = ctx;
    struct ent a = {0}, b = {0};
    struct seen_score_side sa, sb;
    struct seen_score sc;
    char ha[33], hb[33], na[64], nb[64];
    json_t *why, *line;
    size_t i;
    int rc = 0;

    (void)vlen;
    (void)val;
    if (klen != 40)
        return SEEN_ECORRUPT;
    if (ent_load(c->txn, key, &a) != 0 ||
        ent_load(c->txn, (const uint8_t *)key + 20, &b) != 0)
        goto done;
    /* Each link is stored both ways: print it once, smaller id first. */
    if (memcmp(a.gid, b.gid, 48) > 0)
        goto done;
    side(&a, &sa);
    side(&b, &sb);
    seen_score_pair(&sa, &sb, &sc);
    why = json_array();
    for (i = 0; i < sc.nwhy; i++)
        json_array_append_new(why, json_string(sc.why[i]));
    sodium_bin2hex(ha, sizeof ha, a.gid + 32, 16);
    sodium_bin2hex(hb, sizeof hb, b.gid + 32, 16);
    line = json_pack("{s:{s:s, s:s}, s:{s:s, s:s}, s:f, s:s, s:o}", "a",
        "node", c->m->name_of(c->m->ctx, a.gid, na, sizeof na), "handle", ha,
        "b", "node", c->m->name_of(c->m->ctx, b.gid, nb, sizeof nb),
        "handle", hb, "weight", sc.weight, "band", seen_band_name(sc.band),
        "why", why);
    rc = seen_ctl_rows_add(c->b, line);
    json_decref(line);
done:
    ent_free(&a);
    ent_free(&b);
    return rc;
}

/**
 * seen_matcher_links(m, txn, out, len):
 * As seen_matcher_persons for the links contract.
 */
int
seen_matcher_links(struct seen_matcher *m, struct seen_txn *txn, char **out,
    size_t *len)
{
    struct seen_ctl_rows b = {NULL, 0, 0};
    struct links_ctx c = {m, txn, &b};
    int rc;

    if ((rc = seen_store_iter(txn, SEEN_DB_LINKS, NULL, 0, on_link, &c)) !=
        0) {
        free(b.p);
        return rc;
    }
    *out = b.p;
    *len = b.len;
    return 0;
}

static int
on_alert(void *ctx, const void *val, size_t vlen)
{
    struct seen_ctl_rows *b = ctx;
    json_t *j;
    int rc;

    if ((j = json_loadb(val, vlen, 0, NULL)) == NULL)
        return SEEN_ECORRUPT;
    rc = seen_ctl_rows_add(b, j);
    json_decref(j);
    return rc;
}

/**
 * seen_matcher_alerts(m, txn, out, len):
 * As seen_matcher_persons for the alerts contract (acknowledged ones
 * included, with "acknowledged").
 */
int
seen_matcher_alerts(struct seen_matcher *m, struct seen_txn *txn, char **out,
    size_t *len)
{
    struct seen_ctl_rows b = {NULL, 0, 0};
    int rc;

    (void)m;
    if ((rc = seen_alerts_each(txn, on_alert, &b)) != 0) {
        free(b.p);
        return rc;
    }
    *out = b.p;
    *len = b.len;
    return 0;
}

/**
 * seen_matcher_ack(m, id, operator, now):
 * Acknowledge alert ${id} (16 hex digits) as ${operator}.  Returns 0,
 * SEEN_ENOTFOUND, or an error.
 */
int
seen_matcher_ack(struct seen_matcher *m, const char *id, const char *op,
    uint64_t now)
{
    struct seen_txn *txn;
    uint8_t k[SEEN_ALERT_ID_BYTES];
    const void *v;
    size_t vlen;
    json_t *a;
    char *text;
    int rc;

    if (seen_hex_decode(k, sizeof k, id) != 0)
        return SEEN_ENOTFOUND;
    if ((rc = seen_store_begin(m->store, 1, &txn)) != 0)
        return rc;
    if ((rc = seen_alerts_get(txn, k, &v, &vlen)) != 0)
        goto fail;
    if ((a = json_loadb(v, vlen, 0, NULL)) == NULL) {
        rc = SEEN_ECORRUPT;
        goto fail;
    }
    json_object_set_new(a, "acknowledged",
        json_pack("{s:s, s:I}", "by", op ? op : "", "at", (json_int_t)now));
    text = json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(a);
    if (text == NULL) {
        rc = SEEN_ENOMEM;
        goto fail;
    }
    rc = seen_alerts_put(txn, k, text, strlen(text));
    free(text);
    if (rc != 0)
        goto fail;
    return seen_store_commit(txn);
fail:
    seen_store_abort(txn);
    return rc;
}

/**
 * seen_matcher_picture(m, txn, oidx, handles, n, out):
 * Build the federated picture of the persons of the ${n} given entries of
 * origins ${oidx}[i]: every member (node, handle, role, kind, date, local
 * authority, risk) and the people linked to them through shared records
 * (household, children, perpetrator).  Returns a new JSON array of
 * person objects, or NULL.
 */
json_t *
seen_matcher_picture(struct seen_matcher *m, struct seen_txn *txn,
    const uint32_t *oidx, const uint8_t (*handles)[16], size_t n)
{
    struct idset labels = {0}, mem = {0}, grp = {0};
    uint8_t id[20], lab[20];
    struct ent e = {0}, g = {0};
    json_t *out = json_array(), *p, *members, *linked, *agencies;
    char pid[18], lid[18], b1[SEEN_ENUM_NAME_MAX], b2[SEEN_ENUM_NAME_MAX],
        nm[64];
    size_t i, j, k;

    for (i = 0; i < n; i++) {
        seen_be32(id, oidx[i]);
        memcpy(id + 4, handles[i], 16);
        label_of(txn, id, lab);
        for (j = 0; j < labels.n; j++)
            if (memcmp(labels.v[j], lab, 20) == 0)
                break;
        if (j == labels.n)
            idset_add(&labels, lab);
    }
    for (i = 0; i < labels.n; i++) {
        members = json_array();
        linked = json_array();
        agencies = json_array();
        mem.n = 0;
        members_of(txn, labels.v[i], &mem);
        seen_matcher_person(m, txn, seen_rd32(labels.v[i]),
            labels.v[i] + 4, pid);
        for (j = 0; j < mem.n; j++) {
            if (ent_load(txn, mem.v[j], &e) != 0) {
                ent_free(&e);
                continue;
            }
            json_array_append_new(members, member_json(m, &e));
            add_la(agencies, m->name_of(m->ctx, e.gid, nm, sizeof nm));
            grp.n = 0;
            if (e.fe->entry->group.len == 16)
                group_members(txn, e.fe->entry->group.data, &grp);
            for (k = 0; k < grp.n; k++) {
                json_t *l;

                if (memcmp(grp.v[k], mem.v[j], 20) == 0 ||
                    ent_load(txn, grp.v[k], &g) != 0) {
                    ent_free(&g);
                    continue;
                }
                label_of(txn, grp.v[k], lab);
                seen_matcher_person(m, txn, seen_rd32(lab), lab + 4, lid);
                l = json_pack("{s:s, s:s, s:s, s:s}", "person", lid, "role",
                    seen_enum_name(&seen__role__descriptor, g.fe->entry->role, b1),
                    "in", seen_enum_name(&seen__kind__descriptor,
                              g.fe->entry->kind, b2),
                    "node", m->name_of(m->ctx, g.gid, nm, sizeof nm));
                json_array_append_new(linked, l);
                ent_free(&g);
            }
            ent_free(&e);
        }
        p = json_pack("{s:s, s:o, s:o, s:o}", "person", pid, "members",
            members, "known_to", agencies, "linked", linked);
        json_array_append_new(out, p);
    }
    free(labels.v);
    free(mem.v);
    free(grp.v);
    return out;
}
