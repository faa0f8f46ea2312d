#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "match/cluster.h"
#include "match/normalise.h"
#include "match/score.h"
#include "match/tokens.h"
#include "node/matcher.h"
#include "seen.pb-c.h"
#include "storage/feed.h"
#include "storage/index.h"
#include "storage/store.h"

#define COMPONENT_MAX 512 /* entries reclustered around one change */
#define BLOCK_MAX 2000    /* candidates read from one block */

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

static int
link_put(struct seen_txn *txn, const uint8_t a[20], const uint8_t b[20],
    double w)
{
    uint8_t k[40], v[8];
    int rc;

    be_double(v, w);
    memcpy(k, a, 20);
    memcpy(k + 20, b, 20);
    if ((rc = seen_store_put(txn, SEEN_DB_LINKS, k, 40, v, 8)) != 0)
        return rc;
    memcpy(k, b, 20);
    memcpy(k + 20, a, 20);
    return seen_store_put(txn, SEEN_DB_LINKS, k, 40, v, 8);
}

struct nb_ctx {
    struct idset *set;
    double min;
};

static int
on_neighbour(void *ctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{
    struct nb_ctx *c = ctx;

    if (klen != 40 || vlen != 8)
        return SEEN_ECORRUPT;
    if (rd_double(val) < c->min)
        return 0;
    return idset_add(c->set, (const uint8_t *)key + 20);
}

/* The entries linked to ${id} with weight at least ${min}. */
static int
neighbours(struct seen_txn *txn, const uint8_t id[20], double min,
    struct idset *out)
{
    struct nb_ctx c = {out, min};

    return seen_store_iter(txn, SEEN_DB_LINKS, id, 20, on_neighbour, &c);
}

/* ---- persons ---- */

static int
set_label(struct seen_txn *txn, const uint8_t id[20], const uint8_t group[16],
    const uint8_t label[20])
{
    uint8_t k[41], v[36], old[20];
    int rc;

    label_of(txn, id, old);
    k[0] = 'M';
    memcpy(k + 1, old, 20);
    memcpy(k + 21, id, 20);
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

static int raise_alerts(struct seen_matcher *m, struct seen_txn *txn,
    const uint8_t label[20]);

/* Cluster again the component of match links around ${seeds}. */
static int
recluster(struct seen_matcher *m, struct seen_txn *txn,
    const struct idset *seeds)
{
    struct idset comp = {0}, nb = {0}, labels = {0};
    struct ent *e = NULL;
    struct seen_cluster_item *items = NULL;
    struct seen_cluster_link *links = NULL;
    struct seen_score_side sa;
    uint32_t *label = NULL;
    size_t i, j, q, nlinks = 0, caplinks = 0;
    uint8_t lab[20];
    const uint8_t *hit;
    int rc = 0;

    /* Breadth first over match-band links, bounded. */
    for (i = 0; i < seeds->n; i++)
        if ((rc = idset_add(&comp, seeds->v[i])) != 0)
            goto done;
    for (q = 0; q < comp.n && comp.n < COMPONENT_MAX; q++) {
        nb.n = 0;
        if ((rc = neighbours(txn, comp.v[q], SEEN_CLUSTER_MERGE_AT, &nb)) != 0)
            goto done;
        for (j = 0; j < nb.n && comp.n < COMPONENT_MAX; j++) {
            for (i = 0; i < comp.n; i++)
                if (memcmp(comp.v[i], nb.v[j], 20) == 0)
                    break;
            if (i == comp.n && (rc = idset_add(&comp, nb.v[j])) != 0)
                goto done;
        }
    }
    /* Load the live ones. */
    if ((e = calloc(comp.n, sizeof *e)) == NULL ||
        (items = calloc(comp.n, sizeof *items)) == NULL ||
        (label = calloc(comp.n, sizeof *label)) == NULL) {
        rc = SEEN_ENOMEM;
        goto done;
    }
    for (i = 0, j = 0; i < comp.n; i++) {
        if ((rc = ent_load(txn, comp.v[i], &e[j])) == SEEN_ENOTFOUND)
            continue;
        if (rc != 0)
            goto done;
        memcpy(items[j].id, e[j].gid, 48);
        if (e[j].fe->entry->group.len == 16)
            memcpy(items[j].group, e[j].fe->entry->group.data, 16);
        side(&e[j], &sa);
        items[j].tokens = sa.tokens;
        items[j].ntokens = sa.ntokens;
        items[j].bloom = sa.bloom;
        items[j].birth_band = sa.birth_band;
        j++;
    }
    comp.n = j;
    /* Match-band links among them. */
    for (i = 0; i < comp.n; i++) {
        nb.n = 0;
        if ((rc = neighbours(txn, e[i].id, SEEN_CLUSTER_MERGE_AT, &nb)) != 0)
            goto done;
        for (q = 0; q < nb.n; q++) {
            for (j = i + 1; j < comp.n; j++)
                if (memcmp(e[j].id, nb.v[q], 20) == 0)
                    break;
            if (j >= comp.n)
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
            {
                uint8_t k[40];
                const void *v;
                size_t vlen;

                memcpy(k, e[i].id, 20);
                memcpy(k + 20, e[j].id, 20);
                if (seen_store_get(txn, SEEN_DB_LINKS, k, 40, &v, &vlen) !=
                        0 ||
                    vlen != 8)
                    continue;
                links[nlinks].weight = rd_double(v);
            }
            nlinks++;
        }
    }
    if (comp.n > 0 &&
        (rc = seen_cluster_run(items, comp.n, links, nlinks, label)) != 0)
        goto done;
    for (i = 0; i < comp.n; i++) {
        hit = e[label[i]].id;
        label_of(txn, e[i].id, lab);
        if (memcmp(lab, hit, 20) != 0 &&
            (rc = idset_add(&labels, lab)) != 0) /* its old person too */
            goto done;
        if ((rc = set_label(txn, e[i].id, items[i].group, hit)) != 0)
            goto done;
        if ((rc = idset_add(&labels, hit)) != 0)
            goto done;
    }
    idset_sort(&labels);
    for (i = 0; i < labels.n; i++)
        if ((rc = raise_alerts(m, txn, labels.v[i])) != 0)
            goto done;
done:
    if (e != NULL)
        for (i = 0; i < comp.n; i++)
            ent_free(&e[i]);
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
match_new(struct seen_matcher *m, struct seen_txn *txn, const uint8_t id[20])
{
    struct idset cand = {0}, seeds = {0};
    struct ent me = {0}, other = {0};
    struct seen_score_side sa, sb;
    struct seen_score sc;
    const Seen__IndexEntry *x;
    uint8_t gk[36];
    size_t i;
    int rc;

    if ((rc = ent_load(txn, id, &me)) != 0)
        return rc == SEEN_ENOTFOUND ? 0 : rc;
    x = me.fe->entry;
    if (x->group.len == 16) {
        memcpy(gk, x->group.data, 16);
        memcpy(gk + 16, id, 20);
        if ((rc = seen_store_put(txn, SEEN_DB_GROUPS, gk, 36, "", 0)) != 0)
            goto done;
    }
    for (i = 0; i + SEEN_TOKEN_ITEM <= x->tokens.len; i += SEEN_TOKEN_ITEM) {
        if (!seen_rule_is_block(x->tokens.data[i]))
            continue;
        cand.in_block = 0;
        if ((rc = seen_index_lookup(txn, x->tokens.data + i, on_cand,
                 &cand)) != 0)
            goto done;
    }
    idset_sort(&cand);
    side(&me, &sa);
    for (i = 0; i < cand.n; i++) {
        if (memcmp(cand.v[i], id, 20) == 0)
            continue;
        if (ent_load(txn, cand.v[i], &other) != 0) {
            ent_free(&other);
            continue;
        }
        side(&other, &sb);
        seen_score_pair(&sa, &sb, &sc);
        ent_free(&other);
        if (sc.band == SEEN_BAND_NO)
            continue;
        if ((rc = link_put(txn, id, cand.v[i], sc.weight)) != 0)
            goto done;
    }
    if ((rc = idset_add(&seeds, id)) != 0)
        goto done;
    rc = recluster(m, txn, &seeds);
    m->matched++;
done:
    ent_free(&me);
    free(cand.v);
    free(seeds.v);
    return rc;
}

/* Entry ${id} was retracted: drop its links and person, recluster. */
static int
unmatch(struct seen_matcher *m, struct seen_txn *txn, const uint8_t id[20])
{
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
    rc = nb.n ? recluster(m, txn, &nb) : 0;
done:
    free(nb.v);
    return rc == SEEN_ENOTFOUND ? 0 : rc;
}

/**
 * seen_matcher_step(m, budget):
 * Match up to ${budget} new leaves of the feeds held, in one transaction.
 * Returns the number of leaves processed (0 when all is matched), or a
 * negative error.
 */
int
seen_matcher_step(struct seen_matcher *m, size_t budget)
{
    struct seen_txn *txn;
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
            if ((rc = seen_feed_leaf(txn, o, next, &leaf, &len)) != 0)
                goto fail;
            if ((fe = seen__feed_entry__unpack(NULL, len, leaf)) == NULL)
                continue; /* checked on arrival; never here */
            seen_be32(id, o);
            if (fe->body_case == SEEN__FEED_ENTRY__BODY_ENTRY &&
                fe->entry->handle.len == 16) {
                memcpy(id + 4, fe->entry->handle.data, 16);
                rc = match_new(m, txn, id);
            } else if (fe->body_case == SEEN__FEED_ENTRY__BODY_RETRACTION &&
                fe->retraction->handle.len == 16) {
                memcpy(id + 4, fe->retraction->handle.data, 16);
                rc = unmatch(m, txn, id);
            }
            seen__feed_entry__free_unpacked(fe, NULL);
            if (rc != 0)
                goto fail;
        }
        seen_be64(cv, next);
        if ((rc = seen_store_put(txn, SEEN_DB_CURSORS, ck, 9, cv, 8)) != 0)
            goto fail;
    }
    if ((rc = seen_store_commit(txn)) != 0)
        return rc;
    return (int)done;
fail:
    seen_store_abort(txn);
    seen_warn("matching failed: %s", seen_strerror(rc));
    return rc;
}

/* ---- describing entries ---- */

static const char *
lower_enum(const ProtobufCEnumDescriptor *d, int v, char buf[static 40])
{
    const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(d, v);
    const char *s;
    size_t i;

    if (ev == NULL)
        return "unknown";
    s = strncmp(ev->name, "KIND_", 5) == 0 ? ev->name + 5 : ev->name;
    for (i = 0; s[i] != '\0' && i < 39; i++)
        buf[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
    buf[i] = '\0';
    return buf;
}

static json_t *
member_json(struct seen_matcher *m, const struct ent *e)
{
    const Seen__IndexEntry *x = e->fe->entry;
    char hh[33], date[11], name[64], b1[40], b2[40], b3[40];
    json_t *j;
    int32_t days = (int32_t)x->date;

    sodium_bin2hex(hh, sizeof hh, e->id + 4, 16);
    seen_date_format(days, date);
    j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "node",
        m->name_of(m->ctx, e->gid, name, sizeof name), "handle", hh, "role",
        lower_enum(&seen__role__descriptor, x->role, b1), "kind",
        lower_enum(&seen__kind__descriptor, x->kind, b2), "date", date,
        "local_authority", x->local_authority);
    if (j != NULL && x->risk != 0)
        json_object_set_new(j, "risk",
            json_string(lower_enum(&seen__risk__descriptor, x->risk, b3)));
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

static int
at_social_care(struct seen_matcher *m, struct seen_txn *txn,
    const struct idset *members)
{
    uint8_t pk[32];
    const char *t;
    size_t i;

    for (i = 0; i < members->n; i++) {
        if (seen_store_origin_pk(txn, seen_rd32(members->v[i]), pk) != 0)
            continue;
        if ((t = m->type_of(m->ctx, pk)) != NULL &&
            strcmp(t, "social_care") == 0)
            return 1;
    }
    return 0;
}

/* ---- alerts ---- */

static int
store_alert(struct seen_matcher *m, struct seen_txn *txn, const char *rule,
    const uint8_t label[20], json_t *members, const char *summary)
{
    uint8_t gid[48], h[8], k[9];
    char id[17], pid[18], *text;
    const void *v;
    size_t vlen;
    json_t *a = NULL, *old;
    int rc;

    if (seen_store_origin_pk(txn, seen_rd32(label), gid) != 0)
        return 0;
    memcpy(gid + 32, label + 4, 16);
    person_id(gid, pid);
    {
        crypto_generichash_state st;

        crypto_generichash_init(&st, NULL, 0, sizeof h);
        crypto_generichash_update(&st, (const uint8_t *)rule, strlen(rule));
        crypto_generichash_update(&st, gid, 48);
        crypto_generichash_final(&st, h, sizeof h);
    }
    sodium_bin2hex(id, sizeof id, h, sizeof h);
    k[0] = 'A';
    memcpy(k + 1, h, 8);
    if (seen_store_get(txn, SEEN_DB_ALERTS, k, 9, &v, &vlen) == 0 &&
        (old = json_loadb(v, vlen, 0, NULL)) != NULL) {
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
    rc = seen_store_put(txn, SEEN_DB_ALERTS, k, 9, text, strlen(text));
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

/* Evaluate the alert rules for the person labelled ${label}. */
static int
alerts_for(struct seen_matcher *m, struct seen_txn *txn,
    const uint8_t label[20])
{
    struct idset mem = {0}, grp = {0}, kids = {0}, homes = {0};
    struct ent e = {0}, g = {0};
    json_t *amem = json_array(), *kmem = json_array(), *las = json_array();
    char summary[512];
    size_t i, j;
    int rc, perp = 0, dvds = 0, hirisk = 0, unborn_perp = 0;
    int kid_known = 0, is_child = 0;

    if ((rc = members_of(txn, label, &mem)) != 0)
        goto done;
    for (i = 0; i < mem.n; i++) {
        const Seen__IndexEntry *x;

        if (ent_load(txn, mem.v[i], &e) != 0) {
            ent_free(&e);
            continue;
        }
        x = e.fe->entry;
        json_array_append_new(amem, member_json(m, &e));
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
            (rc = group_members(txn, x->group.data, &grp)) != 0) {
            ent_free(&e);
            goto done;
        }
        for (j = 0; j < grp.n; j++) {
            const Seen__IndexEntry *y;
            uint8_t lab[20];

            if (memcmp(grp.v[j], mem.v[i], 20) == 0 ||
                ent_load(txn, grp.v[j], &g) != 0) {
                ent_free(&g);
                continue;
            }
            y = g.fe->entry;
            if (x->role == SEEN__ROLE__PERPETRATOR &&
                (y->role == SEEN__ROLE__CHILD ||
                    y->role == SEEN__ROLE__UNBORN)) {
                label_of(txn, grp.v[j], lab);
                idset_add(&kids, lab);
                add_la(las, x->local_authority);
                json_array_append_new(kmem, member_json(m, &g));
            }
            if (x->role == SEEN__ROLE__PERPETRATOR &&
                (y->role == SEEN__ROLE__ADULT_VICTIM ||
                    y->role == SEEN__ROLE__PARENT)) {
                label_of(txn, grp.v[j], lab);
                idset_add(&homes, lab);
            }
            if (x->role == SEEN__ROLE__UNBORN &&
                y->role == SEEN__ROLE__PERPETRATOR)
                unborn_perp = 1;
            ent_free(&g);
        }
        ent_free(&e);
    }
    idset_sort(&kids);
    idset_sort(&homes);
    if (perp && kids.n > 0) {
        for (i = 0; i < kids.n && !kid_known; i++) {
            struct idset km = {0};

            if (members_of(txn, kids.v[i], &km) == 0 &&
                at_social_care(m, txn, &km))
                kid_known = 1;
            free(km.v);
        }
    }
    if (perp && kids.n > 0 &&
        (json_array_size(las) >= 2 || homes.n >= 2)) {
        json_t *all = json_copy(amem);

        json_array_extend(all, kmem);
        snprintf(summary, sizeof summary,
            "an adult recorded as perpetrator in records with %zu child%s "
            "in %zu household%s across %zu local authorit%s",
            kids.n, kids.n == 1 ? "" : "ren", homes.n ? homes.n : 1,
            homes.n == 1 ? "" : "s", json_array_size(las),
            json_array_size(las) == 1 ? "y" : "ies");
        rc = store_alert(m, txn, "perpetrator_multiple_households", label,
            all, summary);
        json_decref(all);
        if (rc != 0)
            goto done;
    }
    if (dvds && kid_known) {
        json_t *all = json_copy(amem);

        json_array_extend(all, kmem);
        snprintf(summary, sizeof summary,
            "the subject of a Clare's Law disclosure is linked to a child "
            "known to children's social care");
        rc = store_alert(m, txn, "dvds_subject_linked_to_child", label, all,
            summary);
        json_decref(all);
        if (rc != 0)
            goto done;
    }
    if (is_child && hirisk && !at_social_care(m, txn, &mem)) {
        snprintf(summary, sizeof summary,
            "a child in a high-risk incident with no record at children's "
            "social care");
        if ((rc = store_alert(m, txn, "child_high_risk_unknown_to_social_care",
                 label, amem, summary)) != 0)
            goto done;
    }
    if (unborn_perp) {
        snprintf(summary, sizeof summary,
            "an unborn child in a record with a perpetrator");
        if ((rc = store_alert(m, txn, "unborn_linked_to_perpetrator", label,
                 amem, summary)) != 0)
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
    return rc;
}

/* The rules for ${label} and for the persons sharing a record with it. */
static int
raise_alerts(struct seen_matcher *m, struct seen_txn *txn,
    const uint8_t label[20])
{
    struct idset mem = {0}, grp = {0}, near = {0};
    uint8_t lab[20];
    struct ent e = {0};
    size_t i, j;
    int rc;

    if ((rc = alerts_for(m, txn, label)) != 0)
        return rc;
    if ((rc = members_of(txn, label, &mem)) != 0)
        goto done;
    for (i = 0; i < mem.n; i++) {
        if (ent_load(txn, mem.v[i], &e) != 0) {
            ent_free(&e);
            continue;
        }
        grp.n = 0;
        if (e.fe->entry->group.len == 16)
            group_members(txn, e.fe->entry->group.data, &grp);
        ent_free(&e);
        for (j = 0; j < grp.n; j++) {
            label_of(txn, grp.v[j], lab);
            if (memcmp(lab, label, 20) != 0)
                idset_add(&near, lab);
        }
    }
    idset_sort(&near);
    for (i = 0; i < near.n; i++)
        if ((rc = alerts_for(m, txn, near.v[i])) != 0)
            goto done;
done:
    free(mem.v);
    free(grp.v);
    free(near.v);
    return rc;
}

/* ---- output ---- */

struct buf {
    char *p;
    size_t len, cap;
};

static int
buf_line(struct buf *b, json_t *j)
{
    char *t = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    size_t n;
    void *p;

    if (t == NULL)
        return SEEN_ENOMEM;
    n = strlen(t);
    if (b->len + n + 2 > b->cap) {
        b->cap = (b->len + n + 2) * 2;
        if ((p = realloc(b->p, b->cap)) == NULL) {
            free(t);
            return SEEN_ENOMEM;
        }
        b->p = p;
    }
    memcpy(b->p + b->len, t, n);
    b->p[b->len + n] = '\n';
    b->len += n + 1;
    b->p[b->len] = '\0';
    free(t);
    return 0;
}

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
    struct buf b = {NULL, 0, 0};
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
            rc = buf_line(&b, line);
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
    struct buf *b;
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
    rc = buf_line(c->b, line);
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
    struct buf b = {NULL, 0, 0};
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
on_alert(void *ctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{
    struct buf *b = ctx;
    json_t *j;
    int rc;

    (void)key;
    (void)klen;
    if ((j = json_loadb(val, vlen, 0, NULL)) == NULL)
        return SEEN_ECORRUPT;
    rc = buf_line(b, j);
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
    struct buf b = {NULL, 0, 0};
    int rc;

    (void)m;
    if ((rc = seen_store_iter(txn, SEEN_DB_ALERTS, "A", 1, on_alert, &b)) !=
        0) {
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
    uint8_t k[9];
    const void *v;
    size_t vlen;
    json_t *a;
    char *text;
    int rc;

    k[0] = 'A';
    if (strlen(id) != 16 ||
        sodium_hex2bin(k + 1, 8, id, 16, NULL, NULL, NULL) != 0)
        return SEEN_ENOTFOUND;
    if ((rc = seen_store_begin(m->store, 1, &txn)) != 0)
        return rc;
    if ((rc = seen_store_get(txn, SEEN_DB_ALERTS, k, 9, &v, &vlen)) != 0)
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
    rc = seen_store_put(txn, SEEN_DB_ALERTS, k, 9, text, strlen(text));
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
    char pid[18], lid[18], b1[40], b2[40], nm[64];
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
                    lower_enum(&seen__role__descriptor, g.fe->entry->role, b1),
                    "in", lower_enum(&seen__kind__descriptor,
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
