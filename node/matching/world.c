/*
 * world.c: a person's world as the matcher sees it, for the chronology
 * (spec/cli.md `seen chronology`): the person, the people who share a
 * record with them, the records of either, and the people in those
 * records; and the pure rules that name what it shows (a person's
 * relation to the subject, whether a record holds the child's voice,
 * what an alert asks for).  Index metadata only: never a name or a
 * detail.  Read-only, through the caller's transaction.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/normalise.h"
#include "node/matching/matcher_internal.h"
#include "proto/enums.h"
#include "storage/index.h"
#include "storage/store.h"

/* Bounds on one world, so that a person linked to thousands of records
 * cannot make one answer unbounded. */
#define WORLD_PEOPLE_MAX 512
#define WORLD_RECORDS_MAX 2048

/* A role as a bit of a mask (Seen__Role values are small). */
#define ROLE_BIT(r) (1u << ((unsigned)(r)&31u))
#define KID_ROLES (ROLE_BIT(SEEN__ROLE__CHILD) | ROLE_BIT(SEEN__ROLE__UNBORN))

/* ---- the rules ---- */

/**
 * seen_matcher_relation(hop, roles_with, roles_all, band, child):
 * The relation to the subject, a child when ${child} is set, of a person
 * ${hop} records away from it (0 the subject, 1 in one of its records, 2
 * in a record of such a person), whose entries in the subject's records
 * have the roles of the mask ${roles_with} (ROLE_BIT of Seen__Role) and
 * in all its entries ${roles_all}, of birth band ${band} (0 unknown, 1
 * unborn, 2 child, 3 adult): "subject"; in a child's records
 * "perpetrator", "parent_or_carer" or "sibling" by the role there; in an
 * adult's, "perpetrator", "child" or "adult" by the role there; further
 * away "perpetrator" (of any record), "child" or "adult" (by age, else by
 * role).  Returns a static string.
 */
const char *
seen_matcher_relation(
    int hop, unsigned roles_with, unsigned roles_all, unsigned band, int child)
{
    const unsigned kid = KID_ROLES;

    if (hop == 0)
        return "subject";
    if (hop == 1 && (roles_with & ROLE_BIT(SEEN__ROLE__PERPETRATOR)))
        return "perpetrator";
    if (hop == 1 && child &&
        (roles_with & (ROLE_BIT(SEEN__ROLE__ADULT_VICTIM) |
                          ROLE_BIT(SEEN__ROLE__PARENT))))
        return "parent_or_carer";
    if (hop == 1 && (roles_with & kid))
        return child ? "sibling" : "child";
    if (hop == 1 && roles_with != 0)
        return band == 1 || band == 2 ? "child" : "adult";
    if (roles_all & ROLE_BIT(SEEN__ROLE__PERPETRATOR))
        return "perpetrator";
    if (band == 1 || band == 2 || (band == 0 && (roles_all & kid) != 0))
        return "child";
    return "adult";
}

/**
 * seen_matcher_voice(flags, child):
 * Whether a record of entry flags ${flags} (Seen__EntryFlag bits, of any
 * of its entries) holds the child's voice: "recorded" when it does;
 * "not_recorded" when a child was present or, ${child} set, a child is
 * one of its people; else "not_applicable".  Returns a static string.
 */
const char *
seen_matcher_voice(uint32_t flags, int child)
{

    if (flags & SEEN__ENTRY_FLAG__FLAG_CHILD_VOICE)
        return "recorded";
    if ((flags & SEEN__ENTRY_FLAG__FLAG_CHILD_PRESENT) || child)
        return "not_recorded";
    return "not_applicable";
}

/* Append ", A" or " and A" to ${buf} for the ${i}th of ${n} names. */
static void
list_name(char *buf, size_t len, size_t i, size_t n, const char *name)
{
    size_t at = strlen(buf);

    if (at < len)
        snprintf(buf + at, len - at, "%s%s",
            i == 0       ? ""
            : i + 1 == n ? " and "
                         : ", ",
            name);
}

/**
 * seen_matcher_asks(alert, out, len):
 * Write to ${out} (${len} bytes, truncated) what the alert ${alert} (a
 * row of the alerts contract) asks of a lead, naming the local
 * authorities of its members: for a perpetrator with children in several
 * households, "a strategy discussion across Reading and Hertfordshire".
 * Returns ${out}.
 */
const char *
seen_matcher_asks(json_t *alert, char *out, size_t len)
{
    const char *rule = json_string_value(json_object_get(alert, "rule"));
    json_t *las = json_array(), *m, *v;
    char where[512] = "";
    size_t i;

    json_array_foreach(json_object_get(alert, "members"), i, m)
    {
        if ((v = json_object_get(m, "local_authority")) != NULL &&
            json_is_string(v) && json_string_length(v) > 0)
            views_add_unique(las, json_string_value(v));
    }
    json_array_foreach(las, i, v) list_name(
        where, sizeof where, i, json_array_size(las), json_string_value(v));
    if (where[0] == '\0')
        snprintf(where, sizeof where, "its local authority");
    if (rule == NULL)
        rule = "";
    if (strcmp(rule, "perpetrator_multiple_households") == 0)
        snprintf(out, len,
            json_array_size(las) > 1
                ? "a strategy discussion across %s, for the children of "
                  "every household"
                : "a strategy discussion in %s, for the children of every "
                  "household",
            where);
    else if (strcmp(rule, "dvds_subject_linked_to_child") == 0)
        snprintf(out, len,
            "children's social care in %s to know of the "
            "Clare's Law disclosure, and a safety plan for the child",
            where);
    else if (strcmp(rule, "child_high_risk_unknown_to_social_care") == 0)
        snprintf(out, len, "a referral to children's social care in %s", where);
    else if (strcmp(rule, "unborn_linked_to_perpetrator") == 0)
        snprintf(out, len,
            "a pre-birth assessment by children's social "
            "care in %s",
            where);
    else
        snprintf(out, len, "a lead's review of the records behind it");
    json_decref(las);
    return out;
}

/* ---- finding a person ---- */

struct find_ctx {
    struct seen_txn *txn;
    const char *pid;
    uint8_t label[20];
    uint32_t oidx; /* the origin whose key pk holds */
    uint8_t pk[32];
    int have_pk, found;
};

/* Stop at the entry that labels the person sought (a seen_index_live_fn). */
static int
on_find(void *ctx, const uint8_t id[static SEEN_ENTRY_ID_BYTES], uint64_t seq)
{
    struct find_ctx *c = ctx;
    uint8_t lab[20], gid[48];
    char pid[18];

    (void)seq;
    if (!c->have_pk || c->oidx != seen_rd32(id)) {
        c->oidx = seen_rd32(id);
        c->have_pk = seen_store_origin_pk(c->txn, c->oidx, c->pk) == 0;
        if (!c->have_pk)
            return 0;
    }
    /* The id of the person this entry would label: a hash, no read. */
    memcpy(gid, c->pk, 32);
    memcpy(gid + 32, id + 4, 16);
    persons_id(gid, pid);
    if (strcmp(pid, c->pid) != 0)
        return 0;
    persons_label_of(c->txn, id, lab);
    if (memcmp(lab, id, 20) != 0)
        return 0; /* it labelled the person once; another does now */
    memcpy(c->label, id, 20);
    c->found = 1;
    return 1;
}

/**
 * seen_matcher_find_person(m, txn, pid, oidx, handle):
 * Find the person ${pid} ("P" and 16 hex digits, as `seen persons` and
 * `seen query` print it) among the live entries, reading through ${txn}:
 * one of its entries, origin *${oidx} and handle ${handle}.  Returns 0;
 * SEEN_EINVAL when ${pid} is not a person id; SEEN_ENOTFOUND when no
 * person has it; SEEN_ECORRUPT, SEEN_ENOMEM.
 */
int
seen_matcher_find_person(struct seen_matcher *m, struct seen_txn *txn,
    const char *pid, uint32_t *oidx, uint8_t handle[static 16])
{
    struct find_ctx c;
    size_t i;
    int rc;

    (void)m;
    if (pid == NULL || strlen(pid) != 17 || pid[0] != 'P')
        return SEEN_EINVAL;
    for (i = 1; i < 17; i++)
        if (!((pid[i] >= '0' && pid[i] <= '9') ||
                (pid[i] >= 'a' && pid[i] <= 'f')))
            return SEEN_EINVAL;
    memset(&c, 0, sizeof c);
    c.txn = txn;
    c.pid = pid;
    if ((rc = seen_index_each_live(txn, on_find, &c)) < 0)
        return rc;
    if (!c.found)
        return SEEN_ENOTFOUND;
    *oidx = seen_rd32(c.label);
    memcpy(handle, c.label + 4, 16);
    return 0;
}

/* ---- the world ---- */

/* A record of the world: its group, and the entry that brought it in
 * (its one known entry, while the matcher has not reached the record). */
struct wrec {
    uint8_t group[16];
    uint8_t seed[20];
};

/* A person of the world. */
struct wperson {
    uint8_t label[20];
    int hop;             /* 0 the subject, 1 in its records, 2 beyond */
    unsigned roles_with; /* ROLE_BIT of its entries in the subject's */
};

struct world {
    struct seen_matcher *m;
    struct seen_txn *txn;
    struct wperson *p;
    size_t np, pcap;
    struct wrec *g;         /* the records */
    size_t ng, gcap, nsubj; /* the first nsubj are the subject's */
    int child;              /* the subject is a child (person_json) */
    struct idset mem, grp;
};

/* The person ${label} in ${w}, added at ${hop} unless there (a nearer hop
 * wins).  Returns its index, or -1 when the world is full or memory ran
 * out. */
static long
world_person(struct world *w, const uint8_t label[20], int hop)
{
    void *p;
    size_t i;

    for (i = 0; i < w->np; i++)
        if (memcmp(w->p[i].label, label, 20) == 0) {
            if (hop < w->p[i].hop)
                w->p[i].hop = hop;
            return (long)i;
        }
    if (w->np >= WORLD_PEOPLE_MAX)
        return -1;
    if (w->np == w->pcap) {
        w->pcap = w->pcap ? 2 * w->pcap : 16;
        if ((p = realloc(w->p, w->pcap * sizeof *w->p)) == NULL)
            return -1;
        w->p = p;
    }
    memcpy(w->p[w->np].label, label, 20);
    w->p[w->np].hop = hop;
    w->p[w->np].roles_with = 0;
    return (long)w->np++;
}

/* Add the record of group ${group} to ${w} unless there.  Returns 0, or
 * SEEN_ENOMEM (a full world keeps what it has). */
static int
world_record(struct world *w, const uint8_t group[16], const uint8_t seed[20])
{
    void *p;
    size_t i;

    for (i = 0; i < w->ng; i++)
        if (memcmp(w->g[i].group, group, 16) == 0)
            return 0;
    if (w->ng >= WORLD_RECORDS_MAX)
        return 0;
    if (w->ng == w->gcap) {
        w->gcap = w->gcap ? 2 * w->gcap : 32;
        if ((p = realloc(w->g, w->gcap * sizeof *w->g)) == NULL)
            return SEEN_ENOMEM;
        w->g = p;
    }
    memcpy(w->g[w->ng].group, group, 16);
    memcpy(w->g[w->ng++].seed, seed, 20);
    return 0;
}

/* Add the records of the person ${label} to ${w}. */
static int
world_records_of(struct world *w, const uint8_t label[20])
{
    struct ent e = {0};
    size_t i;
    int rc;

    w->mem.n = 0;
    if ((rc = persons_members(w->txn, label, &w->mem)) != 0)
        return rc;
    for (i = 0; i < w->mem.n; i++) {
        if (entry_load(w->txn, w->mem.v[i], &e) == 0 &&
            e.fe->entry->group.len == 16)
            rc = world_record(w, e.fe->entry->group.data, w->mem.v[i]);
        entry_free(&e);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* The entries of record ${r} of ${w} into w->grp: those the matcher
 * grouped, or the one that brought the record in while it has not.
 * Returns 0, SEEN_ECORRUPT, SEEN_ENOMEM. */
static int
record_entries(struct world *w, size_t r)
{
    int rc;

    w->grp.n = 0;
    if ((rc = persons_group(w->txn, w->g[r].group, &w->grp)) != 0)
        return rc;
    return w->grp.n == 0 ? idset_add(&w->grp, w->g[r].seed) : 0;
}

/* Add the people of record ${r} of ${w} at ${hop}; in the subject's
 * records (${hop} 1), with the roles they have there. */
static int
world_people_of(struct world *w, size_t r, int hop)
{
    struct ent e = {0};
    uint8_t lab[20];
    size_t i;
    long k;
    int rc;

    if ((rc = record_entries(w, r)) != 0)
        return rc;
    for (i = 0; i < w->grp.n; i++) {
        persons_label_of(w->txn, w->grp.v[i], lab);
        if ((k = world_person(w, lab, hop)) < 0)
            continue;
        if (hop == 1 && entry_load(w->txn, w->grp.v[i], &e) == 0)
            w->p[k].roles_with |= ROLE_BIT(e.fe->entry->role);
        entry_free(&e);
    }
    return 0;
}

/* Gather into ${w} the subject ${label}, its records and their people,
 * those people's records, and the people in them. */
static int
world_gather(struct world *w, const uint8_t label[20])
{
    size_t i, n1;
    int rc;

    if (world_person(w, label, 0) < 0)
        return SEEN_ENOMEM;
    if ((rc = world_records_of(w, label)) != 0)
        return rc;
    w->nsubj = w->ng;
    for (i = 0; i < w->nsubj; i++)
        if ((rc = world_people_of(w, i, 1)) != 0)
            return rc;
    n1 = w->np;
    for (i = 1; i < n1; i++)
        if ((rc = world_records_of(w, w->p[i].label)) != 0)
            return rc;
    for (i = w->nsubj; i < w->ng; i++)
        if ((rc = world_people_of(w, i, 2)) != 0)
            return rc;
    return 0;
}

/* The person id of ${label}. */
static void
label_pid(struct world *w, const uint8_t label[20], char pid[static 18])
{

    seen_matcher_person(w->m, w->txn, seen_rd32(label), label + 4, pid);
}

/* The birth band's name. */
static const char *
band_name(unsigned band)
{
    static const char *const names[] = {"unknown", "unborn", "child", "adult"};

    return band < 4 ? names[band] : "unknown";
}

/* Person ${i} of ${w}: relation, roles, birth band (of its latest entry
 * that has one), shielded, the nodes that know it. */
static json_t *
person_json(struct world *w, size_t i)
{
    struct wperson *p = &w->p[i];
    struct ent e = {0};
    json_t *roles = json_array(), *known = json_array();
    char pid[18], nm[64], rb[SEEN_ENUM_NAME_MAX];
    unsigned all = 0, band = 0;
    uint32_t latest = 0;
    int shielded = 0;
    size_t j;

    w->mem.n = 0;
    (void)persons_members(w->txn, p->label, &w->mem);
    for (j = 0; j < w->mem.n; j++) {
        if (entry_load(w->txn, w->mem.v[j], &e) != 0) {
            entry_free(&e);
            continue;
        }
        all |= ROLE_BIT(e.fe->entry->role);
        views_add_unique(roles,
            seen_enum_name(&seen__role__descriptor, e.fe->entry->role, rb));
        views_add_unique(known, w->m->name_of(w->m->ctx, e.gid, nm, sizeof nm));
        if (e.fe->entry->flags & SEEN__ENTRY_FLAG__FLAG_SHIELDED)
            shielded = 1;
        if (e.fe->entry->birth_band != 0 &&
            (band == 0 || e.fe->entry->date >= latest)) {
            band = e.fe->entry->birth_band;
            latest = e.fe->entry->date;
        }
        entry_free(&e);
    }
    label_pid(w, p->label, pid);
    if (p->hop == 0) /* the first person made: is the subject a child? */
        w->child =
            band == 1 || band == 2 || (band == 0 && (all & KID_ROLES) != 0);
    return json_pack("{s:s, s:s, s:o, s:s, s:n, s:b, s:o}", "person", pid,
        "relation",
        seen_matcher_relation(p->hop, p->roles_with, all, band, w->child),
        "roles", roles, "birth_band", band_name(band), "name", "shielded",
        shielded, "known_to", known);
}

/* A record of the world, for sorting: its date, node and event. */
struct wevent {
    uint32_t date;
    char node[64];
    uint8_t group[16];
    json_t *ev;
};

/* Events by date, then node, then group (for qsort). */
static int
eventcmp(const void *a, const void *b)
{
    const struct wevent *x = a, *y = b;
    int c;

    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    if ((c = strcmp(x->node, y->node)) != 0)
        return c;
    return memcmp(x->group, y->group, 16);
}

/* The index side of the event of record ${r} of ${w}, into ${out}
 * (out->ev NULL when none of its entries is live). */
static void
event_json(struct world *w, size_t r, struct wevent *out)
{
    struct ent e = {0};
    const Seen__IndexEntry *x;
    json_t *people = json_array();
    char pid[18], hh[33], gh[34], date[11], la[128] = "", nm[64];
    char rb[SEEN_ENUM_NAME_MAX], kk[SEEN_ENUM_NAME_MAX] = "",
                                 rk[SEEN_ENUM_NAME_MAX] = "";
    uint8_t lab[20];
    uint32_t flags = 0;
    int child = 0, any = 0;
    size_t i;

    out->ev = NULL;
    memcpy(out->group, w->g[r].group, 16);
    (void)record_entries(w, r);
    idset_sort(&w->grp);
    for (i = 0; i < w->grp.n; i++) {
        if (entry_load(w->txn, w->grp.v[i], &e) != 0) {
            entry_free(&e);
            continue;
        }
        x = e.fe->entry;
        if (!any) {
            out->date = x->date;
            snprintf(out->node, sizeof out->node, "%s",
                w->m->name_of(w->m->ctx, e.gid, nm, sizeof nm));
            snprintf(la, sizeof la, "%s", x->local_authority);
            seen_enum_name(&seen__kind__descriptor, x->kind, kk);
            if (x->risk != 0)
                seen_enum_name(&seen__risk__descriptor, x->risk, rk);
            any = 1;
        }
        flags |= x->flags;
        child |= x->role == SEEN__ROLE__CHILD;
        persons_label_of(w->txn, w->grp.v[i], lab);
        label_pid(w, lab, pid);
        sodium_bin2hex(hh, sizeof hh, e.id + 4, 16);
        json_array_append_new(
            people, json_pack("{s:s, s:s, s:s}", "person", pid, "role",
                        seen_enum_name(&seen__role__descriptor, x->role, rb),
                        "handle", hh));
        entry_free(&e);
    }
    if (!any) {
        json_decref(people);
        return;
    }
    gh[0] = 'G';
    sodium_bin2hex(gh + 1, sizeof gh - 1, w->g[r].group, 16);
    seen_date_format((int32_t)out->date, date);
    out->ev = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:b, s:s, s:o}",
        "date", date, "node", out->node, "local_authority", la, "kind", kk,
        "risk", rk[0] ? json_string(rk) : json_null(), "record", gh, "people",
        people, "child_present",
        (flags & SEEN__ENTRY_FLAG__FLAG_CHILD_PRESENT) != 0, "child_voice",
        seen_matcher_voice(flags, child), "dvds",
        (flags & SEEN__ENTRY_FLAG__FLAG_DVDS_RIGHT_TO_KNOW)
            ? json_string("right_to_know")
        : (flags & SEEN__ENTRY_FLAG__FLAG_DVDS_RIGHT_TO_ASK)
            ? json_string("right_to_ask")
            : json_null());
}

/* The events of ${w}, sorted by date, then node. */
static json_t *
events_json(struct world *w)
{
    struct wevent *v;
    json_t *out = json_array();
    size_t i, n = 0;

    if ((v = calloc(w->ng ? w->ng : 1, sizeof *v)) == NULL)
        return out;
    for (i = 0; i < w->ng; i++) {
        event_json(w, i, &v[n]);
        if (v[n].ev != NULL)
            n++;
    }
    if (n > 1)
        qsort(v, n, sizeof *v, eventcmp);
    for (i = 0; i < n; i++)
        json_array_append_new(out, v[i].ev);
    free(v);
    return out;
}

/**
 * seen_matcher_world(m, txn, oidx, handle):
 * The world of the person of entry ${handle} of origin ${oidx}, reading
 * through ${txn}: {"subject": P, "people": [...], "events": [...]} as
 * the chronology contract (spec/cli.md) has them, with what the index
 * holds: the subject first, then the people who share a record with it
 * and the people in the records of those, each with "person",
 * "relation", "roles", "birth_band", "name" (null here), "shielded",
 * "known_to"; one event per record of the subject or of the people
 * sharing a record with it, sorted by date then node, each with "date",
 * "node", "local_authority", "kind", "risk", "record", "people" [{"person",
 * "role", "handle"}], "child_present", "child_voice", "dvds".  At most
 * 512 people and 2048 records.  Returns a new object, or NULL (an error
 * of the store, or memory ran out).
 */
json_t *
seen_matcher_world(struct seen_matcher *m, struct seen_txn *txn, uint32_t oidx,
    const uint8_t handle[static 16])
{
    struct world w;
    uint8_t id[20], lab[20];
    json_t *people = NULL, *out = NULL;
    char pid[18];
    size_t i;

    memset(&w, 0, sizeof w);
    w.m = m;
    w.txn = txn;
    seen_be32(id, oidx);
    memcpy(id + 4, handle, 16);
    persons_label_of(txn, id, lab);
    if (world_gather(&w, lab) != 0)
        goto done;
    people = json_array();
    for (i = 0; i < w.np; i++)
        json_array_append_new(people, person_json(&w, i));
    label_pid(&w, lab, pid);
    out = json_pack("{s:s, s:o, s:o}", "subject", pid, "people", people,
        "events", events_json(&w));
done:
    free(w.p);
    free(w.g);
    free(w.mem.v);
    free(w.grp.v);
    return out;
}
