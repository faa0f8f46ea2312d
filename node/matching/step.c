/*
 * step.c: the working set of one seen_matcher_step.
 *
 * Within one seen_matcher_step nothing but the matcher writes (LMDB has
 * one writer), and the matcher writes neither the live entries, the feeds
 * nor the origins, so an entry loaded once is the same for the rest of the
 * step.  A step decodes each entry it touches once, into an arena, and
 * keeps it in a table by id, with the code entry_read gave for it; the
 * table is emptied between leaves once it holds CACHE_KEEP entries, and
 * when the step ends, so that nothing read outlives the transaction.
 *
 * The arena's blocks go back to a pool for the next step: fresh pages
 * cost more to fault in than the decoding they then hold.  The pool is
 * the process's (a node runs one matcher; the lock is for any other
 * caller), at most POOL_MAX blocks, and emptied by a step that finds
 * nothing to match, so that an idle node keeps none of it.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "common/clock.h"
#include "node/matching/matcher_internal.h"
#include "storage/store.h"

#define CACHE_KEEP 32768  /* entries a step caches before forgetting them */
#define CACHE_SLOTS0 4096 /* first size of a step's entry table */
#define ARENA_CHUNK (1 << 20)
#define POOL_MAX 32       /* blocks of ARENA_CHUNK kept between steps */
#define TKEY_SLOTS0 4096  /* first size of a step's table of postings */
#define TREF_KEEP (1u << 20) /* postings kept before the table starts again */

/* One block of the arena; the data follow, 16-byte aligned. */
struct chunk {
    struct chunk *next;
    size_t size;        /* bytes after the header */
    size_t used;
    size_t pad;
};

struct cent {
    int rc;
    struct ent e;
};

/* The postings read for one index key in a step: tref[off, off + n). */
struct tkey {
    uint8_t key[SEEN_INDEX_KEY_BYTES];
    uint8_t used;
    uint32_t n;
    size_t off;
};

struct opk {
    int state;          /* 0 not looked up; 1 found; else the error */
    uint8_t pk[32];
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

/**
 * step_pool_empty():
 * Unmap every block kept between steps (the matcher is idle, or failed).
 */
void
step_pool_empty(void)
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

/* Give every block of ${a} back: to the pool, or unmapped. */
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

/**
 * step_init(s, m, txn):
 * Start the working set ${s} of a step of ${m} inside ${txn}: today by
 * seen_clock_day(), and the node's own origin number from the store.
 */
void
step_init(struct step *s, struct seen_matcher *m, struct seen_txn *txn)
{
    uint8_t pk[32];

    memset(s, 0, sizeof *s);
    s->m = m;
    s->txn = txn;
    s->pa.alloc = arena_alloc;
    s->pa.free = arena_nofree;
    s->pa.allocator_data = &s->arena;
    randombytes_buf(s->hkey, sizeof s->hkey);
    s->today = seen_clock_day();
    if (seen_store_node_id(txn, pk) != 0 ||
        seen_store_origin(txn, pk, 0, &s->own) != 0)
        s->own = 0;
}

/**
 * step_postings_forget(s):
 * Forget the postings read (a posting was removed in the step).
 */
void
step_postings_forget(struct step *s)
{

    free(s->tk);
    s->tk = NULL;
    s->ntk = s->tkused = 0;
    free(s->tref);
    s->tref = NULL;
    s->ntref = s->captref = 0;
}

/* The slot of index key ${key} in a table of ${n} slots ${tab}: where it
 * is, or where it goes.  Keyed, as a peer chooses its tokens. */
static size_t
tkey_slot(const struct step *s, const struct tkey *tab, size_t n,
    const uint8_t key[SEEN_INDEX_KEY_BYTES])
{
    uint8_t h[crypto_shorthash_BYTES];
    uint64_t v;
    size_t j;

    crypto_shorthash(h, key, SEEN_INDEX_KEY_BYTES, s->hkey);
    memcpy(&v, h, sizeof v);
    for (j = (size_t)v & (n - 1); tab[j].used &&
         memcmp(tab[j].key, key, SEEN_INDEX_KEY_BYTES) != 0;
         j = (j + 1) & (n - 1))
        ;
    return j;
}

/* Double the table of postings read (or make it).  0 or SEEN_ENOMEM. */
static int
tkey_grow(struct step *s)
{
    size_t n = s->ntk ? s->ntk * 2 : TKEY_SLOTS0, i;
    struct tkey *nw;

    if ((nw = calloc(n, sizeof *nw)) == NULL)
        return SEEN_ENOMEM;
    for (i = 0; i < s->ntk; i++)
        if (s->tk[i].used)
            nw[tkey_slot(s, nw, n, s->tk[i].key)] = s->tk[i];
    free(s->tk);
    s->tk = nw;
    s->ntk = n;
    return 0;
}

/* Keep the postings cand->v[from, cand->n) as those of ${key}.  0 or
 * SEEN_ENOMEM. */
static int
tkey_keep(struct step *s, const uint8_t key[SEEN_INDEX_KEY_BYTES],
    const struct seen_index_refs *cand, size_t from)
{
    size_t n = cand->n - from, cap, j;
    uint64_t *p;

    if (s->ntref + n > TREF_KEEP)
        step_postings_forget(s); /* bounded: start again */
    if (s->tkused * 2 >= s->ntk && tkey_grow(s) != 0)
        return SEEN_ENOMEM;
    if (s->ntref + n > s->captref) {
        for (cap = s->captref ? s->captref : 4096; cap < s->ntref + n;)
            cap *= 2;
        if ((p = realloc(s->tref, cap * sizeof *p)) == NULL)
            return SEEN_ENOMEM;
        s->tref = p;
        s->captref = cap;
    }
    memcpy(s->tref + s->ntref, cand->v + from, n * sizeof *p);
    j = tkey_slot(s, s->tk, s->ntk, key);
    memcpy(s->tk[j].key, key, SEEN_INDEX_KEY_BYTES);
    s->tk[j].used = 1;
    s->tk[j].n = (uint32_t)n;
    s->tk[j].off = s->ntref;
    s->ntref += n;
    s->tkused++;
    return 0;
}

/**
 * step_postings(s, token, cand):
 * Add to ${cand} the postings seen_index_lookup gives for ${token} (at
 * most cand->block_max of them), read once a step.  Returns 0 or an error
 * of the index.
 */
int
step_postings(struct step *s, const uint8_t token[static SEEN_TOKEN_ITEM],
    struct seen_index_refs *cand)
{
    const struct tkey *t;
    size_t from = cand->n, i;
    int rc;

    cand->in_block = 0;
    if (s->ntk != 0 &&
        (t = &s->tk[tkey_slot(s, s->tk, s->ntk, token)])->used) {
        for (i = 0; i < t->n; i++) /* as seen_index_refs_add would */
            if ((rc = seen_index_refs_add(cand,
                     seen_index_ref_oidx(s->tref[t->off + i]),
                     seen_index_ref_seq(s->tref[t->off + i]))) != 0)
                return rc < 0 ? rc : 0;
        return 0;
    }
    if ((rc = seen_index_lookup(s->txn, token, seen_index_refs_add, cand)) !=
        0)
        return rc;
    /* Not kept when out of memory: read again next time. */
    (void)tkey_keep(s, token, cand, from);
    return 0;
}

/* Forget every cached entry (no pointer to one may be held). */
static void
step_forget(struct step *s)
{

    free(s->slot);
    s->slot = NULL;
    s->nslot = s->nused = 0;
    free(s->rslot);
    s->rslot = NULL;
    s->nrslot = s->nrused = 0;
    arena_release(&s->arena);
}

/**
 * step_trim(s):
 * Forget every cached entry once the step holds more than it keeps (no
 * pointer to one may be held): between leaves.
 */
void
step_trim(struct step *s)
{

    if (s->nused > CACHE_KEEP)
        step_forget(s);
}

/**
 * step_release(s):
 * Forget everything ${s} holds; its arena's blocks go to the pool.
 */
void
step_release(struct step *s)
{

    step_forget(s);
    free(s->opk);
    s->opk = NULL;
    s->nopk = 0;
    free(s->mnext);
    s->mnext = NULL;
    s->nmnext = 0;
    step_postings_forget(s);
}

/**
 * step_origin_pk(s, idx, pk):
 * Write origin ${idx}'s public key to ${pk}: as seen_store_origin_pk,
 * looked up once a step.
 */
int
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

/**
 * step_id_hash(s, id):
 * Where ${id} goes in a table of the step: keyed, since a peer chooses
 * its handles.
 */
size_t
step_id_hash(const struct step *s, const uint8_t id[20])
{
    uint8_t h[crypto_shorthash_BYTES];
    uint64_t v;

    crypto_shorthash(h, id, 20, s->hkey);
    memcpy(&v, h, sizeof v);
    return (size_t)v;
}

/* Double the entry table (or make it). */
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
        for (j = step_id_hash(s, old[i]->e.id) & (n - 1); nw[j] != NULL;
             j = (j + 1) & (n - 1))
            ;
        nw[j] = old[i];
    }
    free(old);
    s->slot = nw;
    s->nslot = n;
    return 0;
}

/* Where leaf ${seq} of origin ${oidx} goes in the step's table by leaf
 * (positions are not chosen by a peer: a plain mix will do). */
static size_t
ref_hash(uint32_t oidx, uint64_t seq)
{
    uint64_t x = (uint64_t)oidx << 40 ^ seq;

    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return (size_t)(x ^ x >> 31);
}

/* The slot of leaf ${seq} of origin ${oidx} in the table by leaf of ${n}
 * slots ${tab}: where its entry is, or where it goes. */
static size_t
ref_slot(struct cent **tab, size_t n, uint32_t oidx, uint64_t seq)
{
    size_t j;

    for (j = ref_hash(oidx, seq) & (n - 1); tab[j] != NULL &&
         (tab[j]->e.seq != seq || seen_rd32(tab[j]->e.id) != oidx);
         j = (j + 1) & (n - 1))
        ;
    return j;
}

/* Enter live ${c} in the table by leaf (once).  0, or SEEN_ENOMEM. */
static int
ref_add(struct step *s, struct cent *c)
{
    struct cent **nw;
    size_t n, i;

    if (s->nrused * 2 >= s->nrslot) {
        n = s->nrslot ? s->nrslot * 2 : CACHE_SLOTS0;
        if ((nw = calloc(n, sizeof *nw)) == NULL)
            return SEEN_ENOMEM;
        for (i = 0; i < s->nrslot; i++)
            if (s->rslot[i] != NULL)
                nw[ref_slot(nw, n, seen_rd32(s->rslot[i]->e.id),
                    s->rslot[i]->e.seq)] = s->rslot[i];
        free(s->rslot);
        s->rslot = nw;
        s->nrslot = n;
    }
    i = ref_slot(s->rslot, s->nrslot, seen_rd32(c->e.id), c->e.seq);
    if (s->rslot[i] == NULL) {
        s->rslot[i] = c;
        s->nrused++;
    }
    return 0;
}

/* The slot of ${id} in the table by id: where it is, or where it goes. */
static size_t
id_slot(const struct step *s, const uint8_t id[20])
{
    size_t j;

    for (j = step_id_hash(s, id) & (s->nslot - 1); s->slot[j] != NULL &&
         memcmp(s->slot[j]->e.id, id, 20) != 0;
         j = (j + 1) & (s->nslot - 1))
        ;
    return j;
}

/**
 * step_entry(s, id, rcp):
 * Entry ${id} as entry_read would load it: NULL with entry_read's code in
 * *${rcp} when it would fail.  The entry is borrowed until step_trim or
 * step_release forgets it.
 */
const struct ent *
step_entry(struct step *s, const uint8_t id[20], int *rcp)
{
    struct cent *c;
    size_t j;
    int rc;

    if (s->nused * 2 >= s->nslot && (rc = step_grow(s)) != 0) {
        *rcp = rc;
        return NULL;
    }
    j = id_slot(s, id);
    if ((c = s->slot[j]) != NULL)
        goto found;
    if ((c = arena_alloc(&s->arena, sizeof *c)) == NULL) {
        *rcp = SEEN_ENOMEM;
        return NULL;
    }
    c->rc = entry_read(s->txn, s, id, &c->e);
    if (c->rc == SEEN_ENOMEM ||
        (c->rc == 0 && (c->rc = ref_add(s, c)) != 0)) {
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

/**
 * step_entry_at(s, oidx, seq, rcp):
 * As step_entry for the entry of leaf ${seq} of origin ${oidx}, which a
 * posting names (entry_read_at); cached both by that leaf and by id.
 */
const struct ent *
step_entry_at(struct step *s, uint32_t oidx, uint64_t seq, int *rcp)
{
    struct cent *c;
    size_t j;
    int rc;

    if (s->nrslot != 0 &&
        (c = s->rslot[ref_slot(s->rslot, s->nrslot, oidx, seq)]) != NULL) {
        *rcp = 0;
        return &c->e;
    }
    if (s->nused * 2 >= s->nslot && (rc = step_grow(s)) != 0) {
        *rcp = rc;
        return NULL;
    }
    if ((c = arena_alloc(&s->arena, sizeof *c)) == NULL) {
        *rcp = SEEN_ENOMEM;
        return NULL;
    }
    if ((*rcp = c->rc = entry_read_at(s->txn, s, oidx, seq, &c->e)) != 0)
        return NULL; /* not kept: a posting names a live entry */
    j = id_slot(s, c->e.id);
    if (s->slot[j] != NULL && s->slot[j]->rc == 0 &&
        s->slot[j]->e.seq == seq)
        c = s->slot[j]; /* loaded by id before: the same entry */
    else if (s->slot[j] == NULL) {
        s->slot[j] = c;
        s->nused++;
    }
    if ((*rcp = ref_add(s, c)) != 0)
        return NULL;
    return &c->e;
}
