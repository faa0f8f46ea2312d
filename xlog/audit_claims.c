#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "crypto/merkle.h"
#include "xlog/audit.h"
#include "xlog/audit_check.h"
#include "seen.pb-c.h"

static const char *const src_names[] = {
    "checkpoints.bin",
    "a sent envelope",
    "a received envelope",
    "cosignatures.bin",
    "peer-checkpoints.bin",
    "evidence.bin",
};

/**
 * seen_audit_add_claim(a, c, src, at):
 * Note the checkpoint ${c}, found in ${src} (enum claim_src) at leaf or
 * frame ${at}, as a claim of ${a} (its state ST_FOREIGN until checked).
 * Returns 0; SEEN_ENOMEM (a->nomem is then set).
 */
int
seen_audit_add_claim(
    struct seen_audit *a, const Seen__Checkpoint *c, int src, uint64_t at)
{
    struct claim *nc;

    if ((nc = seen_audit_grow(a, a->cl, &a->capcl, a->ncl, sizeof *nc, 64)) ==
        NULL)
        return SEEN_ENOMEM;
    a->cl = nc;
    nc = &a->cl[a->ncl++];
    memcpy(nc->origin, c->origin.data, 32);
    memcpy(nc->root, c->root.data, 32);
    nc->size = c->size;
    nc->at = at;
    nc->src = src;
    nc->state = ST_FOREIGN;
    return SEEN_OK;
}

/* qsort() order of uint64_t. */
static int
cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

    return a < b ? -1 : a > b;
}

/* Write the roots of the first sizes[k] leaves of ${a} (sizes sorted
 * ascending, each at most a->n) to roots[k]. */
static void
roots_at(const struct seen_audit *a, const uint64_t *sizes, size_t ns,
    uint8_t (*roots)[32])
{
    struct seen_merkle_frontier f;
    size_t k = 0;
    uint64_t i;

    seen_merkle_frontier_init(&f);
    for (i = 0;; i++) {
        while (k < ns && sizes[k] == i)
            seen_merkle_frontier_root(&f, roots[k++]);
        if (k == ns || i == a->n)
            break;
        seen_merkle_frontier_append(&f, a->lh[i]);
    }
}

/*
 * Set the state of each of the ${n} claims ${cl} whose origin is ${a}'s
 * owner against ${a}'s log: ST_AGREES, ST_DIFFERS or ST_BEYOND; the
 * others are ST_FOREIGN.
 */
static int
claim_states(const struct seen_audit *a, struct claim *cl, size_t n)
{
    uint64_t *sizes, *p;
    uint8_t(*roots)[32];
    size_t i, ns = 0, u = 0;

    if ((sizes = malloc((n ? n : 1) * sizeof *sizes)) == NULL)
        return SEEN_ENOMEM;
    for (i = 0; i < n; i++) {
        cl[i].state = ST_FOREIGN;
        if (memcmp(cl[i].origin, a->owner, 32) != 0)
            continue;
        if (cl[i].size > a->n)
            cl[i].state = ST_BEYOND;
        else
            sizes[ns++] = cl[i].size;
    }
    qsort(sizes, ns, sizeof *sizes, cmp_u64);
    for (i = 0; i < ns; i++)
        if (u == 0 || sizes[u - 1] != sizes[i])
            sizes[u++] = sizes[i];
    if ((roots = malloc((u ? u : 1) * 32)) == NULL) {
        free(sizes);
        return SEEN_ENOMEM;
    }
    roots_at(a, sizes, u, roots);
    for (i = 0; i < n; i++) {
        if (memcmp(cl[i].origin, a->owner, 32) != 0 || cl[i].size > a->n)
            continue;
        p = bsearch(&cl[i].size, sizes, u, sizeof *sizes, cmp_u64);
        cl[i].state = memcmp(roots[p - sizes], cl[i].root, 32) == 0
                          ? ST_AGREES
                          : ST_DIFFERS;
    }
    free(roots);
    free(sizes);
    return SEEN_OK;
}

/* qsort() order of pointers to claims: by origin, then size. */
static int
cmp_claim_origin_size(const void *x, const void *y)
{
    const struct claim *const *a = x, *const *b = y;
    int c = memcmp((*a)->origin, (*b)->origin, 32);

    if (c != 0)
        return c;
    return (*a)->size < (*b)->size ? -1 : (*a)->size > (*b)->size;
}

/**
 * seen_audit_check_forks(a):
 * Report, as findings of C_EVIDENCE, each peer that signed two roots for
 * one size of its log among the checkpoints of ${a} found in received
 * envelopes and peer-checkpoints.bin.
 */
void
seen_audit_check_forks(struct seen_audit *a)
{
    struct claim **v;
    size_t i, j, n = 0;
    char nm[80];

    if ((v = malloc((a->ncl ? a->ncl : 1) * sizeof *v)) == NULL) {
        a->nomem = 1;
        return;
    }
    for (i = 0; i < a->ncl; i++)
        if (a->cl[i].src == SRC_RECEIVED || a->cl[i].src == SRC_PEER)
            v[n++] = &a->cl[i];
    qsort(v, n, sizeof *v, cmp_claim_origin_size);
    for (i = 0; i < n; i = j) {
        for (j = i + 1; j < n && memcmp(v[j]->origin, v[i]->origin, 32) == 0 &&
                        v[j]->size == v[i]->size;
             j++) {
            if (memcmp(v[j]->root, v[i]->root, 32) == 0)
                continue;
            seen_audit_report(a, C_EVIDENCE, 1, 1,
                "%s signed two different roots for size %llu of its log (in %s "
                "%llu and %s %llu): equivocation",
                seen_audit_name_of(a, v[i]->origin, nm),
                (unsigned long long)v[i]->size,
                src_names[v[i]->src], (unsigned long long)v[i]->at,
                src_names[v[j]->src], (unsigned long long)v[j]->at);
            break;
        }
        while (j < n && memcmp(v[j]->origin, v[i]->origin, 32) == 0 &&
               v[j]->size == v[i]->size)
            j++;
    }
    free(v);
}

/* What the claims of an export about its owner's log came to. */
struct tree_tally {
    uint64_t *own;  /* sizes of the checkpoints in checkpoints.bin */
    uint64_t nown;
    uint64_t best;  /* the largest of them that agrees with the log */
    uint64_t cos;   /* cosignatures of checkpoints that agree */
    uint64_t sent;  /* checkpoints in sent envelopes that agree */
};

/* Tally the claims of ${a} (their states set) and report each one about
 * its owner's log that the log contradicts. */
static void
tree_claims(struct seen_audit *a, struct tree_tally *t)
{
    const struct claim *c;
    size_t i;

    for (i = 0; i < a->ncl; i++) {
        c = &a->cl[i];
        if (c->src == SRC_OWN)
            t->own[t->nown++] = c->size;
        if (c->state == ST_FOREIGN || c->src == SRC_EVIDENCE)
            continue;
        if (c->state == ST_AGREES) {
            if (c->src == SRC_OWN && c->size > t->best)
                t->best = c->size;
            if (c->src == SRC_COSIG)
                t->cos++;
            if (c->src == SRC_SENT)
                t->sent++;
            continue;
        }
        seen_audit_report(a,
            c->src == SRC_OWN     ? C_CHECKPOINTS
            : c->src == SRC_COSIG ? C_COSIGNATURES
                                  : C_ENVELOPES,
            0, 0,
            "%s %llu: a checkpoint of size %llu signed by the owner %s (the "
            "log has %llu leaves): the log is not the history its owner signed",
            src_names[c->src], (unsigned long long)c->at,
            (unsigned long long)c->size,
            c->state == ST_BEYOND ? "is beyond the log"
                                  : "has another root than the log",
            (unsigned long long)a->n);
    }
}

/* Every signed_size a leaf of ${a} records is the size of a checkpoint
 * in checkpoints.bin (t->own, sorted here), and so is every checkpoint of
 * the owner's log in a sent envelope or a cosignature that agrees with
 * the log: checkpoints.bin holds every checkpoint the node knew it
 * signed, so none of these can be left out of it. */
static void
tree_signed_sizes(struct seen_audit *a, struct tree_tally *t)
{
    const struct claim *c;
    size_t i;

    qsort(t->own, t->nown, sizeof *t->own, cmp_u64);
    for (i = 0; i < a->nss; i++)
        if (bsearch(&a->ss[2 * i], t->own, t->nown, sizeof *t->own,
                cmp_u64) == NULL)
            seen_audit_report(a, C_LEAVES, 0, 0,
                "leaf %llu: signed_size %llu is not the size of any checkpoint "
                "in checkpoints.bin",
                (unsigned long long)a->ss[2 * i + 1],
                (unsigned long long)a->ss[2 * i]);
    for (i = 0; i < a->ncl; i++) {
        c = &a->cl[i];
        if ((c->src != SRC_SENT && c->src != SRC_COSIG) ||
            c->state != ST_AGREES ||
            bsearch(&c->size, t->own, t->nown, sizeof *t->own, cmp_u64) !=
                NULL)
            continue;
        seen_audit_report(a, C_CHECKPOINTS, 0, 0,
            "the checkpoint of size %llu in %s %llu is not in checkpoints.bin "
            "(a frame was left out)",
            (unsigned long long)c->size, src_names[c->src],
            (unsigned long long)c->at);
    }
}

/* The evidence of ${a} about its owner's own log, against the log: it
 * fails the export either way (does not hold, or the log was rewritten). */
static void
tree_own_evidence(struct seen_audit *a)
{
    const struct own_ev *e;
    size_t i;
    int st1, st2;

    for (i = 0; i < a->noev; i++) {
        e = &a->oev[i];
        st1 = a->cl[e->first].state;
        st2 = e->second == SIZE_MAX ? ST_AGREES : a->cl[e->second].state;
        if (st1 == ST_AGREES && st2 == ST_AGREES)
            seen_audit_report(a, C_EVIDENCE, 0, 0,
                "evidence.bin frame %llu: does not hold: its checkpoints agree "
                "with the log",
                (unsigned long long)e->at);
        else
            seen_audit_report(a, C_EVIDENCE, 0, 0,
                "evidence.bin frame %llu: a peer showed the owner a checkpoint "
                "of its own log (size %llu) that the log contradicts: the log "
                "was restored from a backup or rewritten",
                (unsigned long long)e->at,
                (unsigned long long)a->cl[e->first].size);
    }
}

/* Report the checks of ${a} that passed, with what ${t} counted. */
static void
tree_passed(struct seen_audit *a, const struct tree_tally *t)
{

    if (a->fails[C_CHECKPOINTS] == 0) {
        if (t->nown == 0)
            seen_audit_report(a, C_CHECKPOINTS, 1, 0,
                "no signed checkpoint: nothing binds the %llu leaves to their "
                "owner",
                (unsigned long long)a->n);
        else if (t->best < a->n)
            seen_audit_report(a, C_CHECKPOINTS, 1, 0,
                "%llu checkpoints signed by the owner agree with the log; the "
                "largest covers %llu of its %llu leaves (leaves %llu to %llu "
                "are not yet covered by a signed checkpoint)",
                (unsigned long long)t->nown, (unsigned long long)t->best,
                (unsigned long long)a->n, (unsigned long long)t->best,
                (unsigned long long)(a->n - 1));
        else
            seen_audit_report(a, C_CHECKPOINTS, 1, 0,
                "%llu checkpoints signed by the owner agree with the log; the "
                "largest covers all %llu leaves",
                (unsigned long long)t->nown, (unsigned long long)a->n);
    }
    if (a->fails[C_COSIGNATURES] == 0)
        seen_audit_report(a, C_COSIGNATURES, 1, 0,
            "%llu cosignatures, each valid, by a member, of a checkpoint that "
            "agrees with the log",
            (unsigned long long)t->cos);
    if (a->fails[C_ENVELOPES] == 0)
        seen_audit_report(a, C_ENVELOPES, 1, 0,
            "every envelope verifies under its sender, every peer is a member, "
            "and the %llu checkpoints in sent envelopes agree with the log",
            (unsigned long long)t->sent);
}

/**
 * seen_audit_check_tree(a):
 * Check every claim of ${a} about its owner's log against its leaves, the
 * leaves' signed_size against the owner's checkpoints, and the evidence
 * about the owner's log; report the results and the summaries of
 * C_CHECKPOINTS, C_COSIGNATURES and C_ENVELOPES.
 */
void
seen_audit_check_tree(struct seen_audit *a)
{
    struct tree_tally t;

    memset(&t, 0, sizeof t);
    if (claim_states(a, a->cl, a->ncl) != 0 ||
        (t.own = malloc((a->ncl ? a->ncl : 1) * sizeof *t.own)) == NULL) {
        a->nomem = 1;
        return;
    }
    tree_claims(a, &t);
    tree_signed_sizes(a, &t);
    tree_own_evidence(a);
    tree_passed(a, &t);
    free(t.own);
}
/* Check the checkpoints of ${a}'s log that ${b} holds. */
static int
cross_pair(struct seen_audit *a, const struct seen_audit *b)
{
    struct claim *cl;
    size_t i, n = 0, bad = 0, newer = 0;
    char ha[65], hb[65];

    if (a->has_authority != b->has_authority ||
        (a->has_authority &&
            memcmp(a->authority, b->authority, 32) != 0)) {
        strcpy(ha, "none");
        strcpy(hb, "none");
        if (a->has_authority)
            seen_hex_encode(ha, a->authority, 32);
        if (b->has_authority)
            seen_hex_encode(hb, b->authority, 32);
        seen_audit_report(a, C_CROSS, 0, 0,
            "%s names another federation authority (%s, not %s)", b->label, hb,
            ha);
        return SEEN_OK;
    }
    if ((cl = malloc((b->ncl ? b->ncl : 1) * sizeof *cl)) == NULL)
        return SEEN_ENOMEM;
    for (i = 0; i < b->ncl; i++)
        if (memcmp(b->cl[i].origin, a->owner, 32) == 0)
            cl[n++] = b->cl[i];
    if (claim_states(a, cl, n) != 0) {
        free(cl);
        return SEEN_ENOMEM;
    }
    for (i = 0; i < n; i++) {
        if (cl[i].state == ST_AGREES)
            continue;
        if (cl[i].state == ST_BEYOND) {
            newer++;
            continue;
        }
        bad++;
        seen_audit_report(a, C_CROSS, 0, 0,
            "%s holds a checkpoint of this log of size %llu (in %s %llu) that "
            "has another root than the log: this log is not the history its "
            "owner signed",
            b->label, (unsigned long long)cl[i].size, src_names[cl[i].src],
            (unsigned long long)cl[i].at);
    }
    if (newer > 0)
        seen_audit_report(a, C_CROSS, 1, 0,
            "%s holds %zu checkpoints of this log larger than its %llu leaves: "
            "newer than this export (take this node's export after %s's to "
            "check them)",
            b->label, newer, (unsigned long long)a->n, b->label);
    if (bad == 0 && n == 0)
        seen_audit_report(
            a, C_CROSS, 1, 0, "%s holds no checkpoint of this log", b->label);
    else if (bad == 0 && newer == 0)
        seen_audit_report(a, C_CROSS, 1, 0,
            "%s holds %zu checkpoints of this log; all agree with it",
            b->label, n);
    else if (bad == 0)
        seen_audit_report(a, C_CROSS, 1, 0,
            "%s holds %zu checkpoints of this log; %zu agree with it, none "
            "contradicts it",
            b->label, n, n - newer);
    free(cl);
    return SEEN_OK;
}

/**
 * seen_audit_cross(v, n, fn, ctx):
 * Check the ${n} exports ${v} against each other: every checkpoint of one
 * export's log held by another (a peer's checkpoint, one in a received
 * envelope, one kept as evidence) must agree with the first export's
 * leaves, and all exports must name the same authority.  Each result is
 * reported to ${fn}(${ctx}, ...) under the label of the export whose log
 * is checked, and a failure is counted against it.
 * Returns 0; SEEN_ENOMEM.
 */
int
seen_audit_cross(
    struct seen_audit *const *v, size_t n, seen_audit_report_fn *fn, void *ctx)
{
    size_t i, j;
    int rc = SEEN_OK;

    for (i = 0; i < n && rc == 0; i++) {
        if (v[i]->broken)
            continue;
        v[i]->fn = fn;
        v[i]->ctx = ctx;
        for (j = 0; j < n && rc == 0; j++)
            if (j != i && !v[j]->broken)
                rc = cross_pair(v[i], v[j]);
        seen_audit_report_more(v[i], C_CROSS);
        v[i]->fn = NULL;
        v[i]->ctx = NULL;
    }
    return rc;
}
