/*
 * views.c: what the matcher shows: every person and every link as JSON
 * lines (spec/cli.md's persons and links contracts), and the federated
 * picture of the persons a query found.  Read-only: each reads through
 * the caller's transaction and decodes the entries it describes.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/cluster.h"
#include "match/collective.h"
#include "node/matching/matcher_internal.h"
#include "proto/control.h"
#include "proto/enums.h"
#include "storage/index.h"
#include "storage/store.h"

/**
 * views_add_unique(a, text):
 * Append the string ${text} to the JSON array of strings ${a} unless it
 * holds it already.
 */
void
views_add_unique(json_t *a, const char *text)
{
    size_t i;
    json_t *x;

    json_array_foreach(a, i, x)
    {
        if (strcmp(json_string_value(x), text) == 0)
            return;
    }
    json_array_append_new(a, json_string(text));
}

/* ---- persons ---- */

/* A live entry and its label, sorted by label then entry. */
struct pair {
    uint8_t label[20];
    uint8_t id[20];
};

/* Pairs by label, then by entry (for qsort). */
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

/* Add a live entry and its label to the pairs of ${ctx} (a
 * seen_index_live_fn). */
static int
on_live(void *ctx, const uint8_t key[static SEEN_ENTRY_ID_BYTES],
    uint64_t seq)
{
    struct live_ctx *c = ctx;
    void *p;

    (void)seq;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 1024;
        if ((p = realloc(c->v, c->cap * sizeof *c->v)) == NULL)
            return SEEN_ENOMEM;
        c->v = p;
    }
    memcpy(c->v[c->n].id, key, 20);
    persons_label_of(c->txn, key, c->v[c->n].label);
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
    if ((rc = seen_index_each_live(txn, on_live, &c)) != 0)
        goto done;
    if (c.n > 1)
        qsort(c.v, c.n, sizeof *c.v, paircmp);
    for (i = 0; i < c.n; i++) {
        if (i == 0 || memcmp(c.v[i].label, c.v[i - 1].label, 20) != 0)
            members = json_array();
        if (entry_load(txn, c.v[i].id, &e) == 0)
            json_array_append_new(members, entry_json(m, &e));
        entry_free(&e);
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

/* ---- links ---- */

struct links_ctx {
    struct seen_matcher *m;
    struct seen_txn *txn;
    struct seen_ctl_rows *b;
};

/* One end of a link: {"node": ..., "handle": ...}. */
static json_t *
link_end(struct seen_matcher *m, const struct ent *e)
{
    char hh[33], name[64];

    sodium_bin2hex(hh, sizeof hh, e->gid + 32, 16);
    return json_pack("{s:s, s:s}", "node",
        m->name_of(m->ctx, e->gid, name, sizeof name), "handle", hh);
}

/* Describe one link, once for its two directions, as a row of the links
 * contract (a links_fn). */
static int
on_link(void *ctx, const uint8_t ka[20], const uint8_t kb[20], double w)
{
    struct links_ctx *c = ctx;
    struct ent a = {0}, b = {0};
    struct seen_score_side sa, sb;
    struct seen_score sc;
    json_t *why, *line;
    size_t i;
    int rc = 0, found;

    (void)w;
    if (entry_load(c->txn, ka, &a) != 0 || entry_load(c->txn, kb, &b) != 0)
        goto done;
    /* Each link is stored both ways: print it once, smaller id first. */
    if (memcmp(a.gid, b.gid, 48) > 0)
        goto done;
    entry_side(&a, &sa);
    entry_side(&b, &sb);
    seen_score_pair(&sa, &sb, &sc);
    if (sc.band == SEEN_BAND_POSSIBLE &&
        support_found(c->txn, &a, &b, sc.weight, &found) == 0 && found) {
        /* The people around them, linked across the two records, lift
         * it (match/collective.h), as the clustering does. */
        sc.weight += SEEN_COLLECTIVE_BONUS;
        sc.band = sc.weight >= SEEN_CLUSTER_MERGE_AT ? SEEN_BAND_MATCH
                                                     : SEEN_BAND_POSSIBLE;
        if (sc.nwhy < SEEN_WHY_MAX)
            snprintf(sc.why[sc.nwhy++], SEEN_WHY_LEN,
                "others in both records are one person");
    }
    why = json_array();
    for (i = 0; i < sc.nwhy; i++)
        json_array_append_new(why, json_string(sc.why[i]));
    line = json_pack("{s:o, s:o, s:f, s:s, s:o}", "a", link_end(c->m, &a),
        "b", link_end(c->m, &b), "weight", sc.weight, "band",
        seen_band_name(sc.band), "why", why);
    rc = seen_ctl_rows_add(c->b, line);
    json_decref(line);
done:
    entry_free(&a);
    entry_free(&b);
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

    if ((rc = links_each(txn, on_link, &c)) != 0) {
        free(b.p);
        return rc;
    }
    *out = b.p;
    *len = b.len;
    return 0;
}

/* ---- the picture ---- */

/* Add to ${linked} the people in member ${id}'s record (entry ${e}):
 * person, role, the kind of record, node. */
static void
picture_linked(struct seen_matcher *m, struct seen_txn *txn,
    const uint8_t id[20], const struct ent *e, struct idset *grp,
    json_t *linked)
{
    struct ent g = {0};
    uint8_t lab[20];
    char lid[18], b1[SEEN_ENUM_NAME_MAX], b2[SEEN_ENUM_NAME_MAX], nm[64];
    size_t k;

    grp->n = 0;
    if (e->fe->entry->group.len == 16)
        (void)persons_group(txn, e->fe->entry->group.data, grp);
    for (k = 0; k < grp->n; k++) {
        if (memcmp(grp->v[k], id, 20) == 0 ||
            entry_load(txn, grp->v[k], &g) != 0) {
            entry_free(&g);
            continue;
        }
        persons_label_of(txn, grp->v[k], lab);
        seen_matcher_person(m, txn, seen_rd32(lab), lab + 4, lid);
        json_array_append_new(linked,
            json_pack("{s:s, s:s, s:s, s:s}", "person", lid, "role",
                seen_enum_name(&seen__role__descriptor, g.fe->entry->role,
                    b1),
                "in",
                seen_enum_name(&seen__kind__descriptor, g.fe->entry->kind,
                    b2),
                "node", m->name_of(m->ctx, g.gid, nm, sizeof nm)));
        entry_free(&g);
    }
}

/* The picture of the person ${label}: its members, the agencies that know
 * it, the people linked to it. */
static json_t *
picture_person(struct seen_matcher *m, struct seen_txn *txn,
    const uint8_t label[20], struct idset *mem, struct idset *grp)
{
    json_t *members = json_array(), *linked = json_array(),
           *agencies = json_array();
    struct ent e = {0};
    char pid[18], nm[64];
    size_t j;

    mem->n = 0;
    (void)persons_members(txn, label, mem);
    seen_matcher_person(m, txn, seen_rd32(label), label + 4, pid);
    for (j = 0; j < mem->n; j++) {
        if (entry_load(txn, mem->v[j], &e) != 0) {
            entry_free(&e);
            continue;
        }
        json_array_append_new(members, entry_json(m, &e));
        views_add_unique(agencies, m->name_of(m->ctx, e.gid, nm, sizeof nm));
        picture_linked(m, txn, mem->v[j], &e, grp, linked);
        entry_free(&e);
    }
    return json_pack("{s:s, s:o, s:o, s:o}", "person", pid, "members",
        members, "known_to", agencies, "linked", linked);
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
    json_t *out = json_array();
    size_t i, j;

    for (i = 0; i < n; i++) {
        seen_be32(id, oidx[i]);
        memcpy(id + 4, handles[i], 16);
        persons_label_of(txn, id, lab);
        for (j = 0; j < labels.n; j++)
            if (memcmp(labels.v[j], lab, 20) == 0)
                break;
        if (j == labels.n)
            idset_add(&labels, lab);
    }
    for (i = 0; i < labels.n; i++)
        json_array_append_new(out,
            picture_person(m, txn, labels.v[i], &mem, &grp));
    free(labels.v);
    free(mem.v);
    free(grp.v);
    return out;
}
