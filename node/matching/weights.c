/*
 * weights.c: the weights report (`seen weights`): the m and u
 * probabilities of each comparison's levels, learnt by EM (match/em.h)
 * from a sample of this node's candidate pairs without any label, beside
 * the weights the scorer uses; and, per pair of agency types, how often
 * each comparison could not be made and the m probabilities among those
 * pairs (police records lack NHS numbers more often than health records).
 *
 * The sample: the live entries whose handle's first four bytes, as a
 * number, are a multiple of k, k chosen so that about `sample` are taken
 * (handles are random, so this is a fair sample, and the same entries
 * every time); each with every entry it shares a blocking token with, as
 * the matcher compares them.  A pair of two sampled entries is counted
 * once.  Read-only; bounded by SEEN_WEIGHTS_PAIRS_MAX pairs.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "match/em.h"
#include "match/score.h"
#include "node/matching/matcher_internal.h"
#include "storage/index.h"
#include "storage/store.h"

#define PAIRS_MAX 200000 /* pairs compared at most */
#define STRATA_MAX 32    /* pairs of agency types reported */
#define STRATUM_MIN 50   /* pairs of a stratum for it to be reported */

/* The pairs gathered. */
struct pairs {
    uint8_t (*lv)[SEEN_CMP_COUNT];
    double *w;
    uint8_t *stratum; /* index into names */
    uint64_t *key;    /* the pair's place in the order every node sorts
                       * them in (pair_key) */
    size_t n, cap;
    char names[STRATA_MAX][64];
    size_t nnames;
};

/* The sample of live entries. */
struct sample {
    struct idset ids;
    uint32_t k;
    size_t live;
};

/* 1 when entry ${id} is in the sample of every k-th. */
static int
sampled(const uint8_t id[20], uint32_t k)
{

    return seen_rd32(id + 4) % k == 0;
}

/* Count a live entry, and keep it when sampled (a seen_index_live_fn). */
static int
on_live(void *ctx, const uint8_t *id, uint64_t seq)
{
    struct sample *sm = ctx;

    (void)seq;
    sm->live++;
    return sampled(id, sm->k) ? idset_add(&sm->ids, id) : 0;
}

/* A sampled entry by its global id. */
struct gent {
    uint8_t gid[48];
    uint8_t id[20];
};

static int
by_gid(const void *a, const void *b)
{

    return memcmp(a, b, 48);
}

/* Put the sampled entries in the order of their global ids, which is the
 * same on every node (so is where PAIRS_MAX stops).  Returns 0 or an
 * error. */
static int
sample_sort(struct seen_txn *txn, struct sample *sm)
{
    struct gent *g = malloc((sm->ids.n + 1) * sizeof *g);
    size_t i;
    int rc = 0;

    if (g == NULL)
        return SEEN_ENOMEM;
    for (i = 0; i < sm->ids.n && rc == 0; i++) {
        rc = seen_store_origin_pk(txn, seen_rd32(sm->ids.v[i]), g[i].gid);
        memcpy(g[i].gid + 32, sm->ids.v[i] + 4, 16);
        memcpy(g[i].id, sm->ids.v[i], 20);
    }
    if (rc == 0) {
        qsort(g, sm->ids.n, sizeof *g, by_gid);
        for (i = 0; i < sm->ids.n; i++)
            memcpy(sm->ids.v[i], g[i].id, 20);
    }
    free(g);
    return rc;
}

/* The stratum of the agency types ${a} and ${b} (in either order). */
static uint8_t
stratum_of(struct pairs *p, const char *a, const char *b)
{
    char name[64];
    size_t i;

    if (strcmp(a, b) > 0) {
        const char *t = a;

        a = b;
        b = t;
    }
    snprintf(name, sizeof name, "%s+%s", a, b);
    for (i = 0; i < p->nnames; i++)
        if (strcmp(p->names[i], name) == 0)
            return (uint8_t)i;
    if (p->nnames == STRATA_MAX)
        return STRATA_MAX - 1; /* the last holds the rest */
    snprintf(p->names[p->nnames], sizeof p->names[0], "%s", name);
    return (uint8_t)p->nnames++;
}

/* The agency type of entry ${e}'s origin. */
static const char *
type_of(struct step *s, const struct ent *e)
{
    uint8_t pk[32];
    const char *t;

    if (step_origin_pk(s, seen_rd32(e->id), pk) != 0 ||
        s->m->type_of == NULL ||
        (t = s->m->type_of(s->m->ctx, pk)) == NULL)
        return "unknown";
    return t;
}

/* The key that orders pair ${x}, ${y} the same on every node (origins
 * are numbered by each node; their keys are the same everywhere): the
 * first 8 bytes of BLAKE2b of the two global ids, the smaller first. */
static uint64_t
pair_key(const struct ent *x, const struct ent *y)
{
    crypto_generichash_state st;
    uint8_t h[8];

    if (memcmp(x->gid, y->gid, 48) > 0) {
        const struct ent *t = x;

        x = y;
        y = t;
    }
    crypto_generichash_init(&st, NULL, 0, sizeof h);
    crypto_generichash_update(&st, x->gid, 48);
    crypto_generichash_update(&st, y->gid, 48);
    crypto_generichash_final(&st, h, sizeof h);
    return seen_rd64(h);
}

/* Add the pair ${x}, ${y} to ${p}. */
static int
pair_add(struct step *s, struct pairs *p, const struct ent *x,
    const struct ent *y)
{
    struct seen_score_side sa, sb;
    struct seen_score sc;
    void *nv;

    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 4096;
        if ((nv = realloc(p->lv, p->cap * sizeof *p->lv)) == NULL)
            return SEEN_ENOMEM;
        p->lv = nv;
        if ((nv = realloc(p->w, p->cap * sizeof *p->w)) == NULL)
            return SEEN_ENOMEM;
        p->w = nv;
        if ((nv = realloc(p->stratum, p->cap)) == NULL)
            return SEEN_ENOMEM;
        p->stratum = nv;
        if ((nv = realloc(p->key, p->cap * sizeof *p->key)) == NULL)
            return SEEN_ENOMEM;
        p->key = nv;
    }
    entry_side(x, &sa);
    entry_side(y, &sb);
    seen_score_pair(&sa, &sb, &sc);
    memcpy(p->lv[p->n], sc.level, SEEN_CMP_COUNT);
    p->w[p->n] = sc.weight;
    p->stratum[p->n] = stratum_of(p, type_of(s, x), type_of(s, y));
    p->key[p->n] = pair_key(x, y);
    p->n++;
    return 0;
}

/* Add the pairs of sampled entry ${id} to ${p}. */
static int
pairs_of(struct step *s, struct pairs *p, const uint8_t id[20], uint32_t k)
{
    struct seen_index_refs cand = {0};
    const struct ent *x, *y;
    size_t i;
    int rc;

    step_trim(s);
    if ((x = step_entry(s, id, &rc)) == NULL)
        return rc == SEEN_ENOTFOUND ? 0 : rc;
    if ((rc = match_candidates(s, x->fe->entry, &cand)) != 0)
        goto done;
    for (i = 0; i < cand.n && p->n < PAIRS_MAX; i++) {
        y = step_entry_at(s, seen_index_ref_oidx(cand.v[i]),
            seen_index_ref_seq(cand.v[i]), &rc);
        if (y == NULL) {
            if (rc == SEEN_ENOMEM)
                goto done;
            continue;
        }
        /* Itself; or a pair both of whose entries are sampled, counted
         * from the one of smaller id. */
        if (memcmp(y->id, x->id, 20) == 0 ||
            (sampled(y->id, k) && memcmp(y->id, x->id, 20) < 0))
            continue;
        if ((rc = pair_add(s, p, x, y)) != 0)
            goto done;
    }
    rc = 0;
done:
    free(cand.v);
    return rc;
}

static const struct pairs *sort_pairs; /* for by_key (qsort) */

static int
by_key(const void *va, const void *vb)
{
    uint64_t a = sort_pairs->key[*(const size_t *)va];
    uint64_t b = sort_pairs->key[*(const size_t *)vb];

    return (a > b) - (a < b);
}

static int
by_name(const void *va, const void *vb)
{

    return strcmp(sort_pairs->names[*(const uint8_t *)va],
        sort_pairs->names[*(const uint8_t *)vb]);
}

/*
 * Put the pairs of ${p} in the order of their keys, and the agency types
 * in the order of their names: what every node holding the same entries
 * gathered in its own order of origins, it then fits in the same order,
 * to the same figures, bit for bit.  Returns 0 or SEEN_ENOMEM.
 */
static int
pairs_sort(struct pairs *p)
{
    uint8_t (*lv)[SEEN_CMP_COUNT] = malloc((p->n + 1) * sizeof *lv);
    double *w = malloc((p->n + 1) * sizeof *w);
    uint8_t *st = malloc(p->n + 1), order[STRATA_MAX], rank[STRATA_MAX];
    size_t *ix = malloc((p->n + 1) * sizeof *ix), i;
    char names[STRATA_MAX][64];
    int rc = SEEN_ENOMEM;

    if (lv == NULL || w == NULL || st == NULL || ix == NULL)
        goto done;
    sort_pairs = p;
    for (i = 0; i < p->nnames; i++)
        order[i] = (uint8_t)i;
    qsort(order, p->nnames, 1, by_name);
    for (i = 0; i < p->nnames; i++) {
        rank[order[i]] = (uint8_t)i;
        memcpy(names[i], p->names[order[i]], sizeof names[i]);
    }
    memcpy(p->names, names, sizeof names[0] * p->nnames);
    for (i = 0; i < p->n; i++)
        ix[i] = i;
    qsort(ix, p->n, sizeof *ix, by_key);
    for (i = 0; i < p->n; i++) {
        memcpy(lv[i], p->lv[ix[i]], SEEN_CMP_COUNT);
        w[i] = p->w[ix[i]];
        st[i] = rank[p->stratum[ix[i]]];
    }
    memcpy(p->lv, lv, p->n * sizeof *lv);
    memcpy(p->w, w, p->n * sizeof *w);
    memcpy(p->stratum, st, p->n);
    rc = 0;
done:
    free(lv);
    free(w);
    free(st);
    free(ix);
    return rc;
}

/* One comparison's levels as the report shows them. */
static json_t *
levels_json(const struct seen_em *em, unsigned int k)
{
    json_t *a = json_array();
    unsigned int l;

    for (l = 1; l < seen_score_levels(k); l++)
        json_array_append_new(a,
            json_pack("{s:s, s:I, s:f, s:f, s:f, s:f}", "level",
                seen_score_level_name(k, l), "pairs",
                (json_int_t)em->count[k][l], "m", em->m[k][l], "u",
                em->u[k][l], "learnt", seen_em_weight(em, k, l), "in_use",
                seen_score_level_weight(k, l)));
    return a;
}

/* Per pair of agency types: the pairs, the share of them where each
 * comparison was not made, and the m of each level among them. */
static json_t *
strata_json(const struct pairs *p, const double *post)
{
    double m[SEEN_CMP_COUNT][SEEN_LEVELS_MAX];
    size_t count[SEEN_CMP_COUNT][SEEN_LEVELS_MAX], i, kept;
    json_t *out = json_array(), *cmp, *ms;
    unsigned int k, l;
    uint8_t *keep;
    uint8_t st;

    if ((keep = malloc(p->n + 1)) == NULL)
        return out;
    for (st = 0; st < p->nnames; st++) {
        for (i = 0; i < p->n; i++)
            keep[i] = p->stratum[i] == st;
        kept = seen_em_m_among(
            (const uint8_t (*)[SEEN_CMP_COUNT])p->lv, post, keep, p->n, m,
            count);
        if (kept < STRATUM_MIN)
            continue;
        cmp = json_object();
        for (k = 0; k < SEEN_CMP_COUNT; k++) {
            ms = json_object();
            for (l = 1; l < seen_score_levels(k); l++)
                json_object_set_new(ms, seen_score_level_name(k, l),
                    json_real(m[k][l]));
            json_object_set_new(cmp, seen_cmp_name(k),
                json_pack("{s:f, s:o}", "not_compared",
                    (double)count[k][0] / (double)kept, "m", ms));
        }
        json_array_append_new(out, json_pack("{s:s, s:I, s:o}", "agencies",
            p->names[st], "pairs", (json_int_t)kept, "comparisons", cmp));
    }
    free(keep);
    return out;
}

/* The report of the fit ${em} to the pairs ${p} of the sample ${sm}. */
static json_t *
report(const struct seen_em *em, const struct pairs *p, const double *post,
    const struct sample *sm)
{
    json_t *cmps = json_array();
    unsigned int k;

    for (k = 0; k < SEEN_CMP_COUNT; k++)
        json_array_append_new(cmps, json_pack("{s:s, s:o}", "comparison",
            seen_cmp_name(k), "levels", levels_json(em, k)));
    return json_pack("{s:I, s:I, s:I, s:f, s:i, s:b, s:o, s:o}", "entries",
        (json_int_t)sm->live, "sampled", (json_int_t)sm->ids.n, "pairs",
        (json_int_t)p->n, "lambda", em->lambda, "iterations",
        (int)em->iterations, "converged", em->converged, "comparisons", cmps,
        "by_agency", strata_json(p, post));
}

/**
 * seen_matcher_weights(m, txn, sample, out):
 * Learn the weights of this node's comparisons from about ${sample} of
 * its live entries and the entries each is compared with, reading
 * through ${txn}, and write the report (a new JSON object: "entries",
 * "sampled", "pairs", "lambda", "iterations", "converged", "comparisons"
 * [{"comparison", "levels": [{"level", "pairs", "m", "u", "learnt",
 * "in_use"}]}], "by_agency" [{"agencies", "pairs", "comparisons":
 * {NAME: {"not_compared", "m": {LEVEL: M}}}}]) to *${out}.  Returns 0;
 * SEEN_ENOTFOUND when there is no pair to learn from; an error.
 */
int
seen_matcher_weights(struct seen_matcher *m, struct seen_txn *txn,
    size_t sample, json_t **out)
{
    struct sample sm = {{0}, 1, 0};
    struct pairs p = {0};
    struct seen_em em;
    struct idset none = {0};
    struct step s;
    uint64_t live;
    double *first = NULL, *post = NULL;
    size_t i;
    int rc;

    *out = NULL;
    if ((rc = seen_store_count(txn, SEEN_DB_ENTRIES, &live)) != 0)
        return rc;
    if (sample == 0)
        sample = 1;
    sm.k = live > sample ? (uint32_t)((live + sample - 1) / sample) : 1;
    if ((rc = seen_index_each_live(txn, on_live, &sm)) != 0 ||
        (rc = sample_sort(txn, &sm)) != 0)
        goto done;
    step_init(&s, m, txn);
    s.pend = &none;
    for (i = 0; i < sm.ids.n && p.n < PAIRS_MAX && rc == 0; i++)
        rc = pairs_of(&s, &p, sm.ids.v[i], sm.k);
    step_release(&s);
    if (rc != 0)
        goto done;
    if (p.n == 0) {
        rc = SEEN_ENOTFOUND;
        goto done;
    }
    if ((rc = pairs_sort(&p)) != 0)
        goto done;
    first = malloc(p.n * sizeof *first);
    post = malloc(p.n * sizeof *post);
    if (first == NULL || post == NULL) {
        rc = SEEN_ENOMEM;
        goto done;
    }
    /* The first guess: the weights in use, by band. */
    for (i = 0; i < p.n; i++)
        first[i] = p.w[i] >= 10 ? 0.9 : p.w[i] >= 5 ? 0.5 : 0.05;
    if ((rc = seen_em_fit((const uint8_t (*)[SEEN_CMP_COUNT])p.lv, first,
             p.n, &em, post)) != 0)
        goto done;
    if ((*out = report(&em, &p, post, &sm)) == NULL)
        rc = SEEN_ENOMEM;
done:
    free(first);
    free(post);
    free(p.lv);
    free(p.w);
    free(p.stratum);
    free(p.key);
    free(sm.ids.v);
    free(none.v);
    return rc;
}
