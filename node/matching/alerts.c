/*
 * alerts.c: the alert rules, run after each change on the persons it
 * touched, and the alerts they keep in SEEN_DB_ALERTS (storage/alerts.h).
 *
 * The rules are decided from a person's entries and the entries of the
 * records it is in, gathered once (struct facts); the members are
 * described in JSON only for an alert that is raised.  An alert is named
 * by its rule and person, the same on every node, and kept, as the record
 * of what a lead acted on, once acknowledged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/hex.h"
#include "common/log.h"
#include "node/matching/matcher_internal.h"
#include "proto/control.h"
#include "storage/alerts.h"
#include "storage/store.h"

/* The rules, in the order they are evaluated and their alerts stored. */
enum {
    R_MULTI,    /* a perpetrator with children in two households */
    R_DVDS,     /* a DVDS subject linked to a child known to social care */
    R_CHILD,    /* a high-risk child unknown to social care */
    R_UNBORN,   /* an unborn child in a record with a perpetrator */
    NRULES
};

static const struct rule {
    const char *name;
    int with_children;  /* the alert lists the children's entries too */
} rules[NRULES] = {
    {"perpetrator_multiple_households", 1},
    {"dvds_subject_linked_to_child", 1},
    {"child_high_risk_unknown_to_social_care", 0},
    {"unborn_linked_to_perpetrator", 0},
};

/* What the rules are decided on, gathered from one person's entries and
 * the records they are in. */
struct facts {
    struct idset mem;   /* the person's entries */
    struct idset grp;   /* scratch: the entries of one record */
    struct idset kids;  /* persons of the children in its records as
                           perpetrator */
    struct idset kidm;  /* those children's entries */
    struct households hh; /* its records as perpetrator, by household */
    struct idset nb;    /* scratch: an adult's linked entries */
    long rec;           /* scratch: the current record's number in hh */
    json_t *las;        /* local authorities of those records */
    int perp, dvds, hirisk, unborn_perp, is_child;
};

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

/*
 * 1 when the stored alert ${v} (${vlen} bytes) is exactly what store_alert
 * would write for it again: this code wrote it, so it reads
 * {"alert":ID,"rule":RULE,"raised":N,"person":..,"members":..,
 * "summary":..} (with ,"households":.. after the summary when ${homes} is
 * not NULL) with, once acknowledged, ,"acknowledged":{..} before the
 * closing brace; when the person, members, summary and households are
 * those given, loading, setting and dumping it again would give the same
 * bytes.
 */
static int
alert_same(const char *v, size_t vlen, const char *id, const char *rule,
    const char *pid, json_t *members, const char *summary, json_t *homes)
{
    char head[128], *mem = NULL, *sum = NULL, *tail = NULL, *hh = NULL;
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
    if (homes != NULL &&
        (hh = json_dumps(homes, JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL)
        goto done;
    if (sum == NULL || mem == NULL ||
        asprintf(&tail,
            "\"person\":\"%s\",\"members\":%s,\"summary\":%s%s%s", pid,
            mem, sum, hh ? ",\"households\":" : "", hh ? hh : "") < 0) {
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
    free(hh);
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
    persons_id(gid, pid);
    crypto_generichash_init(&st, NULL, 0, 8);
    crypto_generichash_update(&st, (const uint8_t *)rule, strlen(rule));
    crypto_generichash_update(&st, gid, 48);
    crypto_generichash_final(&st, k, SEEN_ALERT_ID_BYTES);
    seen_hex_encode(id, k, SEEN_ALERT_ID_BYTES);
    return 0;
}

/*
 * Withdraw the alert of rule ${r} about the person labelled ${label},
 * unless a lead acknowledged it (acknowledged ones stay, as the record of
 * what a lead acted on), logging ${why}.  Returns 0 or an error of the
 * store.
 */
static int
withdraw_alert(struct step *s, int r, const uint8_t label[20], const char *why)
{
    char id[17], pid[18];
    uint8_t k[SEEN_ALERT_ID_BYTES];
    const void *v;
    size_t vlen;
    int rc;

    if (alert_key(s, rules[r].name, label, k, id, pid) != 0 ||
        seen_alerts_get(s->txn, k, &v, &vlen) != 0 ||
        !seen_alert_is_open(v, vlen))
        return 0;
    if ((rc = seen_alerts_del(s->txn, k)) != 0)
        return rc;
    seen_info("alert %s (%s) withdrawn: person %s %s", id, rules[r].name,
        pid, why);
    return 0;
}

/*
 * The person labelled ${label} is no more (its entries joined other
 * persons): its alerts that no lead has acknowledged are withdrawn, since
 * the persons its entries joined are evaluated in the same step and raise
 * their own (otherwise every relabelling would leave a duplicate behind).
 */
static int
retire_alerts(struct step *s, const uint8_t label[20])
{
    int r, rc = 0;

    for (r = 0; r < NRULES && rc == 0; r++)
        rc = withdraw_alert(s, r, label, "joined another");
    return rc;
}

/*
 * Raise the alert of ${rule} about the person labelled ${label}, with
 * ${members}, ${summary} and, unless NULL, ${homes} (its "households");
 * one raised before keeps its id, time and acknowledgement (kept last),
 * and is not written again when nothing changed.
 */
static int
store_alert(struct step *s, const char *rule, const uint8_t label[20],
    json_t *members, const char *summary, json_t *homes)
{
    json_t *ack = NULL;
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
        if (alert_same(v, vlen, id, rule, pid, members, summary, homes))
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
        seen_warn("alert %s raised: %s", id, rule);
    }
    if ((ack = json_object_get(a, "acknowledged")) != NULL) {
        json_incref(ack);
        json_object_del(a, "acknowledged");
    }
    json_object_set_new(a, "person", json_string(pid));
    json_object_set(a, "members", members);
    json_object_set_new(a, "summary", json_string(summary));
    if (homes != NULL)
        json_object_set(a, "households", homes);
    if (ack != NULL)
        json_object_set_new(a, "acknowledged", ack);
    if ((text = json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL) {
        json_decref(a);
        return SEEN_ENOMEM;
    }
    rc = seen_alerts_put(s->txn, k, text, strlen(text));
    free(text);
    json_decref(a);
    return rc;
}

/* The members of ${ids} that load, as entry_json objects, in order. */
static json_t *
members_json(struct step *s, const struct idset *ids)
{
    const struct ent *e;
    json_t *a = json_array();
    size_t i;
    int rc;

    for (i = 0; i < ids->n; i++)
        if ((e = step_entry(s, ids->v[i], &rc)) != NULL)
            json_array_append_new(a, entry_json(s->m, e));
    return a;
}

/* Free what ${f} holds. */
static void
facts_release(struct facts *f)
{

    json_decref(f->las);
    free(f->mem.v);
    free(f->grp.v);
    free(f->kids.v);
    free(f->nb.v);
    households_free(&f->hh);
    free(f->kidm.v);
}

/* What entry ${x} of the person, ${other} of the same record, adds. */
static void
facts_pair(struct step *s, struct facts *f, const Seen__IndexEntry *x,
    const uint8_t other[20], const Seen__IndexEntry *y)
{
    uint8_t lab[20];
    size_t i;

    if (x->role == SEEN__ROLE__PERPETRATOR &&
        (y->role == SEEN__ROLE__CHILD || y->role == SEEN__ROLE__UNBORN)) {
        persons_label_of(s->txn, other, lab);
        idset_add(&f->kids, lab);
        views_add_unique(f->las, x->local_authority);
        idset_add(&f->kidm, other);
        households_person(&f->hh, f->rec, lab, 1);
    } else if (x->role == SEEN__ROLE__PERPETRATOR &&
               y->role != SEEN__ROLE__PERPETRATOR) {
        /* An adult victim, a parent, a grandparent: who the household
         * is, besides its children; and the entries scored as perhaps
         * the same adult (the possible band, not joined into one
         * person), so that a mother split in two is still one
         * household. */
        persons_label_of(s->txn, other, lab);
        households_person(&f->hh, f->rec, lab, 0);
        f->nb.n = 0;
        if (links_of(s->txn, other, -1e9, &f->nb) == 0)
            for (i = 0; i < f->nb.n; i++) {
                persons_label_of(s->txn, f->nb.v[i], lab);
                households_person(&f->hh, f->rec, lab, 0);
            }
    }
    if (x->role == SEEN__ROLE__UNBORN && y->role == SEEN__ROLE__PERPETRATOR)
        f->unborn_perp = 1;
}

/* What member ${id} (entry ${x}) of the person and its record add. */
static int
facts_member(struct step *s, struct facts *f, const uint8_t id[20],
    const Seen__IndexEntry *x)
{
    const struct ent *g;
    size_t j;
    int rc;

    if (x->role == SEEN__ROLE__CHILD || x->role == SEEN__ROLE__UNBORN) {
        f->is_child = 1;
        if (x->risk >= SEEN__RISK__HIGH)
            f->hirisk = 1;
    }
    f->rec = -1;
    if (x->role == SEEN__ROLE__PERPETRATOR) {
        f->perp = 1;
        if (x->kind == SEEN__KIND__DVDS_DISCLOSURE)
            f->dvds = 1;
        if ((f->rec = households_record(&f->hh, id)) < 0)
            return SEEN_ENOMEM;
    }
    /* Who else was in this record. */
    f->grp.n = 0;
    if (x->group.len == 16 &&
        (rc = persons_group(s->txn, x->group.data, &f->grp)) != 0)
        return rc;
    for (j = 0; j < f->grp.n; j++) {
        if (memcmp(f->grp.v[j], id, 20) == 0 ||
            (g = step_entry(s, f->grp.v[j], &rc)) == NULL)
            continue;
        facts_pair(s, f, x, f->grp.v[j], g->fe->entry);
    }
    return 0;
}

/* Gather the facts of the person labelled ${label} (its members first). */
static int
facts_gather(struct step *s, const uint8_t label[20], struct facts *f)
{
    const struct ent *e;
    size_t i;
    int rc;

    if ((rc = persons_members(s->txn, label, &f->mem)) != 0)
        return rc;
    for (i = 0; i < f->mem.n; i++) {
        if ((e = step_entry(s, f->mem.v[i], &rc)) == NULL)
            continue;
        if ((rc = facts_member(s, f, f->mem.v[i], e->fe->entry)) != 0)
            return rc;
    }
    idset_sort(&f->kids);
    return households_group(&f->hh);
}

/* 1 when one of the persons of ${f}'s children is known to social care. */
static int
kid_known(struct step *s, const struct facts *f)
{
    struct idset km;
    size_t i;
    int known = 0;

    for (i = 0; i < f->kids.n && !known; i++) {
        memset(&km, 0, sizeof km);
        if (persons_members(s->txn, f->kids.v[i], &km) == 0 &&
            at_social_care(s, &km))
            known = 1;
        free(km.v);
    }
    return known;
}

/* Decide each rule on ${f}: fires[r] is 1 when rule r raises its alert.
 * Returns 1 when some rule fires. */
static int
rules_decide(struct step *s, const struct facts *f, int fires[NRULES])
{
    int known = f->perp && f->kids.n > 0 && kid_known(s, f);

    fires[R_MULTI] = f->perp && f->hh.nkids >= 2;
    fires[R_DVDS] = f->dvds && known;
    fires[R_CHILD] = f->is_child && f->hirisk && !at_social_care(s, &f->mem);
    fires[R_UNBORN] = f->unborn_perp;
    return fires[R_MULTI] || fires[R_DVDS] || fires[R_CHILD] ||
           fires[R_UNBORN];
}

/* The summary of rule ${r}'s alert on ${f}, to ${buf}. */
static void
rule_summary(int r, const struct facts *f, char *buf, size_t len)
{
    size_t nk = f->kids.n, nh = f->hh.nkids, nla = json_array_size(f->las);

    switch (r) {
    case R_MULTI:
        snprintf(buf, len,
            "an adult recorded as perpetrator in records with %zu child%s "
            "in %zu household%s across %zu local authorit%s",
            nk, nk == 1 ? "" : "ren", nh ? nh : 1, nh == 1 ? "" : "s", nla,
            nla == 1 ? "y" : "ies");
        break;
    case R_DVDS:
        snprintf(buf, len,
            "the subject of a Clare's Law disclosure is linked to a child "
            "known to children's social care");
        break;
    case R_CHILD:
        snprintf(buf, len,
            "a child in a high-risk incident with no record at children's "
            "social care");
        break;
    default:
        snprintf(buf, len, "an unborn child in a record with a perpetrator");
        break;
    }
}

/* Why an alert of a person is withdrawn when its rule no longer holds (a
 * child of a high-risk incident now known to children's social care), so
 * that the alerts depend on the entries held, not on their order. */
#define NO_LONGER "no longer meets it"

/* Store the alert of each rule that fires for the person ${label}, and
 * withdraw those of the rules that no longer do. */
static int
rules_store(struct step *s, const uint8_t label[20], const struct facts *f,
    const int fires[NRULES])
{
    json_t *amem, *kmem = NULL, *all, *homes;
    char summary[512];
    int r, rc = 0;

    amem = members_json(s, &f->mem);
    for (r = 0; r < NRULES; r++)
        if (fires[r] && rules[r].with_children && kmem == NULL)
            kmem = members_json(s, &f->kidm);
    for (r = 0; r < NRULES && rc == 0; r++) {
        if (!fires[r]) {
            rc = withdraw_alert(s, r, label, NO_LONGER);
            continue;
        }
        if (rules[r].with_children) {
            all = json_copy(amem);
            json_array_extend(all, kmem);
        } else
            all = json_incref(amem);
        rule_summary(r, f, summary, sizeof summary);
        homes = r == R_MULTI ? households_json(s, &f->hh) : NULL;
        rc = store_alert(s, rules[r].name, label, all, summary, homes);
        json_decref(homes);
        json_decref(all);
    }
    json_decref(amem);
    json_decref(kmem);
    return rc;
}

/* Evaluate the alert rules for the person labelled ${label}. */
static int
alerts_for(struct step *s, const uint8_t label[20])
{
    struct facts f;
    uint8_t own[20];
    int fires[NRULES], rc, r;

    /* A label whose own entry now belongs to another person labels no
     * one: persons_members() would take it for a person of one entry. */
    persons_label_of(s->txn, label, own);
    if (memcmp(own, label, 20) != 0)
        return retire_alerts(s, label);
    memset(&f, 0, sizeof f);
    f.las = json_array();
    if ((rc = facts_gather(s, label, &f)) == 0) {
        if (rules_decide(s, &f, fires))
            rc = rules_store(s, label, &f, fires);
        else
            for (r = 0; r < NRULES && rc == 0; r++)
                rc = withdraw_alert(s, r, label, NO_LONGER);
    }
    facts_release(&f);
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
    if ((rc = persons_members(s->txn, label, &mem)) != 0)
        goto done;
    for (i = 0; i < mem.n; i++) {
        if ((e = step_entry(s, mem.v[i], &rc)) == NULL)
            continue;
        grp.n = 0;
        if (e->fe->entry->group.len == 16)
            (void)persons_group(s->txn, e->fe->entry->group.data, &grp);
        for (j = 0; j < grp.n; j++) {
            persons_label_of(s->txn, grp.v[j], lab);
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

/**
 * alerts_raise(s, labels):
 * Run the alert rules for each person of ${labels} (sorted) and for the
 * persons sharing a record with them.  Returns 0 or an error.
 *
 * Each person is evaluated once: the rules read the persons and the
 * entries, which do not change while they run, and write only the alert
 * of a rule and person, so evaluating a person twice changes nothing.
 */
int
alerts_raise(struct step *s, const struct idset *labels)
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

/* Add the stored alert ${val} (${vlen} bytes) to the rows ${ctx}. */
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
