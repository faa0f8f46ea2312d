/*
 * ctl_chronology.c: the chronology command (spec/cli.md `seen chronology
 * --json`): everything this node may see about a person and the people
 * around them, in time order, assembled from the matcher's world of the
 * person (node/matching/world.c: index metadata), this node's own
 * records, the disclosures it asked for and the decisions it made
 * (node/disclosure/known.c), the alerts about these people and the
 * membership document; logged as a QUERY record of the exchange log, in
 * the same transaction, as `query` is: nothing is shown that is not
 * logged.
 *
 * Names and details come only from this node's own records and from what
 * other nodes shared with it; postcodes and addresses of a shielded
 * person (FLAG_SHIELDED on any of its entries) never enter the reply.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/hex.h"
#include "common/home.h"
#include "common/log.h"
#include "node/control/ctl.h"
#include "node/disclosure/disclosure.h"
#include "node/matching/indexer.h"
#include "node/matching/matcher.h"
#include "node/matching/query.h"
#include "node/replication/federation.h"
#include "proto/control.h"
#include "proto/membership.h"
#include "storage/store.h"
#include "seen.pb-c.h"

#define reply_error seen_ctl_reply_error
#define jstr seen_ctl_str
#define jget json_object_get

/* What one chronology is being assembled from. */
struct chron {
    struct seen_control *c;
    struct seen_txn *txn;
    const char *purpose;
    json_t *world;    /* seen_matcher_world's, owned */
    json_t *known;    /* seen_disclosure_known's, owned (may be NULL) */
    json_t *shielded; /* person -> true, for those shielded, owned */
    json_t *shown;    /* [{"handle": H}] of every entry shown, owned */
};

/* 1 when the string ${s} is the string member ${key} of ${o}. */
static int
is(json_t *o, const char *key, const char *s)
{
    const char *v = json_string_value(jget(o, key));

    return v != NULL && s != NULL && strcmp(v, s) == 0;
}

/* The entry {"person", "role", "handle"} of event ${ev} with handle ${hh},
 * or NULL. */
static json_t *
event_entry(json_t *ev, const char *hh)
{
    json_t *p;
    size_t i;

    json_array_foreach(jget(ev, "people"), i, p)
    {
        if (is(p, "handle", hh))
            return p;
    }
    return NULL;
}

/* ---- details ---- */

/* Copy the member ${key} of ${from} to ${to} unless ${to} has it. */
static void
copy_once(json_t *to, json_t *from, const char *key)
{
    json_t *v = jget(from, key);

    if (v != NULL && !json_is_null(v) && jget(to, key) == NULL)
        json_object_set(to, key, v);
}

/*
 * Add to *${det} (made on first use, of source ${source}) what ${shared},
 * in seen_disclosure_details's shape, says of the record and of the
 * person of entry ${ent} of the event: the record's reference, summary and
 * the child's words, and the person's name and dates, and postcode and
 * address unless ${c}'s shielded people hold the person.
 */
static void
details_add(struct chron *ch, json_t **det, const char *source, json_t *shared,
    json_t *ent)
{
    static const char *const rec_keys[] = {"reference", "summary",
        "child_voice", "child_voice_not_captured", NULL};
    static const char *const person_keys[] = {
        "date_of_birth", "expected_due_date", "postcode", "address", NULL};
    json_t *rec = jget(shared, "record"), *pe = jget(shared, "person"), *o;
    const char *g = jstr(pe, "given_name"), *f = jstr(pe, "family_name");
    const char *pid = jstr(ent, "person");
    char name[512];
    size_t i;

    if (*det == NULL &&
        (*det = json_pack("{s:s, s:[]}", "source", source, "people")) == NULL)
        return;
    for (i = 0; rec_keys[i] != NULL; i++)
        copy_once(*det, rec, rec_keys[i]);
    snprintf(
        name, sizeof name, "%s%s%s", g ? g : "", g && f ? " " : "", f ? f : "");
    o = json_pack("{s:s?, s:s?, s:s?, s:s?}", "person", pid, "handle",
        jstr(ent, "handle"), "role", jstr(ent, "role"), "name",
        name[0] ? name : NULL);
    if (o == NULL)
        return;
    for (i = 0; person_keys[i] != NULL; i++) {
        if (i >= 2 && pid != NULL && jget(ch->shielded, pid) != NULL)
            break; /* never a shielded person's postcode or address */
        copy_once(o, pe, person_keys[i]);
    }
    json_array_append_new(jget(*det, "people"), o);
}

/* The details of our own record of event ${ev}, or NULL. */
static json_t *
own_details(struct chron *ch, json_t *ev)
{
    Seen__LocalHandle *lh;
    json_t *p, *shared, *det = NULL;
    uint8_t hb[16];
    char *body;
    size_t blen, i;

    json_array_foreach(jget(ev, "people"), i, p)
    {
        if (seen_hex_decode(hb, 16, jstr(p, "handle")) != 0)
            continue;
        if (seen_indexer_own(ch->c->n.store, ch->txn, hb, &lh, &body, &blen) !=
            0) {
            if (lh != NULL)
                seen__local_handle__free_unpacked(lh, NULL);
            continue;
        }
        if (seen_disclosure_details(body, blen, lh->ref, NULL, &shared) == 0) {
            details_add(ch, &det, "own", shared, p);
            json_decref(shared);
        }
        sodium_memzero(body, blen);
        free(body);
        seen__local_handle__free_unpacked(lh, NULL);
    }
    return det;
}

/* ---- sharing ---- */

/* The contract's name of a request's status ("shared", "withheld" --
 * refused too --, "pending"), and its rank: shared wins, then withheld. */
static const char *
sharing(const char *status, int *rank)
{

    if (status != NULL && strcmp(status, "shared") == 0) {
        *rank = 3;
        return "shared";
    }
    if (status != NULL &&
        (strcmp(status, "withheld") == 0 || strcmp(status, "refused") == 0)) {
        *rank = 2;
        return "withheld";
    }
    *rank = 1;
    return "pending";
}

/*
 * Set the sharing of another node's event ${ev} from the requests this
 * node sent for its entries: "shared" (with the details shared),
 * "withheld" (with the reason given), "pending", or "not_requested";
 * "request" the request that decides it, and "requests" every one.
 */
static void
event_requests(struct chron *ch, json_t *ev)
{
    json_t *row, *ent, *best = NULL, *reqs = json_array(), *det = NULL;
    const char *state = "not_requested", *s;
    int rank, top = 0;
    size_t i;

    json_array_foreach(jget(ch->known, "sent"), i, row)
    {
        if (!is(row, "node", jstr(ev, "node")) ||
            (ent = event_entry(ev, jstr(row, "handle"))) == NULL)
            continue;
        s = sharing(jstr(row, "status"), &rank);
        json_array_append_new(
            reqs, json_pack("{s:s?, s:s?, s:s, s:s?}", "request",
                      jstr(row, "request"), "handle", jstr(row, "handle"),
                      "status", s, "reason", jstr(row, "reason")));
        if (rank == 3 && json_is_object(jget(row, "details")))
            details_add(ch, &det, "disclosure", jget(row, "details"), ent);
        if (rank > top) {
            top = rank;
            best = row;
            state = s;
        }
    }
    json_object_set_new(ev, "shared", json_string(state));
    json_object_set_new(
        ev, "request", best ? json_string(jstr(best, "request")) : json_null());
    json_object_set_new(ev, "withheld_reason",
        top == 2 && jstr(best, "reason") ? json_string(jstr(best, "reason"))
                                         : json_null());
    json_object_set_new(ev, "details", det ? det : json_null());
    json_object_set_new(ev, "decisions", json_array());
    json_object_set_new(ev, "requests", reqs);
}

/* Set the sharing of our own event ${ev}: "own", its details, and our
 * decisions as its holder on the requests received for its entries. */
static void
event_own(struct chron *ch, json_t *ev)
{
    json_t *row, *dec = json_array(), *det = own_details(ch, ev);
    int rank;
    size_t i;

    json_array_foreach(jget(ch->known, "received"), i, row)
    {
        if (event_entry(ev, jstr(row, "handle")) == NULL)
            continue;
        json_array_append_new(
            dec, json_pack("{s:s?, s:s?, s:s, s:s?}", "request",
                     jstr(row, "request"), "requester", jstr(row, "from"),
                     "decision", sharing(jstr(row, "status"), &rank), "reason",
                     jstr(row, "reason")));
    }
    json_object_set_new(ev, "shared", json_string("own"));
    json_object_set_new(ev, "request", json_null());
    json_object_set_new(ev, "withheld_reason", json_null());
    json_object_set_new(ev, "details", det ? det : json_null());
    json_object_set_new(ev, "decisions", dec);
    json_object_set_new(ev, "requests", json_array());
}

/* ---- the rest of the reply ---- */

/* Name each person of the world from the details of the events. */
static void
people_names(struct chron *ch)
{
    json_t *people = jget(ch->world, "people"), *ev, *p, *q;
    size_t i, j, k;

    json_array_foreach(jget(ch->world, "events"), i, ev)
    {
        json_array_foreach(jget(jget(ev, "details"), "people"), j, p)
        {
            if (jstr(p, "name") == NULL)
                continue;
            json_array_foreach(people, k, q)
            {
                if (is(q, "person", jstr(p, "person")) &&
                    json_is_null(jget(q, "name")))
                    json_object_set(q, "name", jget(p, "name"));
            }
        }
    }
}

/* The row of ${a} whose "node" is ${node}, added by ${make} if none. */
static json_t *
node_row(json_t *a, const char *node, json_t *(*make)(const char *))
{
    json_t *r;
    size_t i;

    json_array_foreach(a, i, r)
    {
        if (is(r, "node", node))
            return r;
    }
    json_array_append_new(a, r = make(node));
    return r;
}

static json_t *
voice_new(const char *node)
{

    return json_pack("{s:s, s:i, s:i, s:[]}", "node", node, "recorded", 0,
        "not_recorded", 0, "quotes");
}

/* Count one more of ${key} in the row ${r}. */
static void
bump(json_t *r, const char *key)
{

    json_object_set_new(
        r, key, json_integer(json_integer_value(jget(r, key)) + 1));
}

/* The child's voice in each node's events: counts, and the child's
 * words where a record or a disclosure of it holds them. */
static json_t *
voice_json(struct chron *ch)
{
    json_t *out = json_array(), *ev, *r, *w;
    const char *v;
    size_t i;

    json_array_foreach(jget(ch->world, "events"), i, ev)
    {
        r = node_row(out, jstr(ev, "node"), voice_new);
        v = jstr(ev, "child_voice");
        if (v != NULL && strcmp(v, "recorded") == 0)
            bump(r, "recorded");
        else if (v != NULL && strcmp(v, "not_recorded") == 0)
            bump(r, "not_recorded");
        if ((w = jget(jget(ev, "details"), "child_voice")) != NULL &&
            json_is_string(w))
            json_array_append_new(jget(r, "quotes"),
                json_pack("{s:O, s:O}", "date", jget(ev, "date"), "text", w));
    }
    return out;
}

/* The node ${name}'s agency, type and local authority, from the
 * membership document (or, for this node, its configuration). */
static json_t *
agency_of(struct seen_control *c, const char *name)
{
    const Seen__Member *m =
        c->n.fed != NULL ? seen_fed_member_named(c->n.fed, name) : NULL;

    if (m != NULL)
        return json_pack("{s:s, s:s, s:s, s:s}", "node", name, "agency",
            m->agency ? m->agency : "", "type",
            seen_membership_type_name(m->type), "local_authority",
            m->local_authority ? m->local_authority : "");
    if (strcmp(name, c->n.cfg->name) == 0)
        return json_pack("{s:s, s:s, s:s, s:s}", "node", name, "agency",
            c->n.cfg->agency, "type", c->n.cfg->type, "local_authority",
            c->n.cfg->local_authority);
    return json_pack("{s:s, s:s, s:s, s:s}", "node", name, "agency", "", "type",
        "", "local_authority", "");
}

/* Every node with an event, as the membership document names it. */
static json_t *
agencies_json(struct chron *ch)
{
    json_t *out = json_array(), *ev, *r;
    size_t i, j;

    json_array_foreach(jget(ch->world, "events"), i, ev)
    {
        json_array_foreach(out, j, r)
        {
            if (is(r, "node", jstr(ev, "node")))
                break;
        }
        if (j == json_array_size(out))
            json_array_append_new(out, agency_of(ch->c, jstr(ev, "node")));
    }
    return out;
}

/* Note that the entry ${hh} of node ${node} was shown. */
static void
shown(struct chron *ch, const char *node, const char *hh)
{

    if (hh != NULL)
        json_array_append_new(ch->shown,
            node != NULL
                ? json_pack("{s:s, s:s}", "handle", hh, "node", node)
                : json_pack("{s:s}", "handle", hh));
}

/* 1 when the alert row ${l} (up to ${nl}) is about one of the persons of
 * ${set}: read from its text, so that only those rows are decoded. */
static int
about(const char *l, const char *nl, json_t *set)
{
    static const char key[] = "\"person\":\"";
    const char *p = strstr(l, key);
    char pid[18];

    if (p == NULL || p + sizeof key + 17 > nl)
        return 0;
    snprintf(pid, sizeof pid, "%.17s", p + sizeof key - 1);
    return jget(set, pid) != NULL;
}

/* The alerts about the people of the world, each with what it asks. */
static json_t *
alerts_json(struct chron *ch)
{
    json_t *out = json_array(), *set = json_object(), *row, *p, *m, *h;
    char *rows = NULL, *l, *nl, asks[600];
    size_t len = 0, i, j;

    json_array_foreach(jget(ch->world, "people"), i, p)
        json_object_set(set, jstr(p, "person"), json_true());
    if (seen_matcher_alerts(ch->c->n.mt, ch->txn, &rows, &len) != 0)
        rows = NULL;
    for (l = rows; l != NULL && (nl = strchr(l, '\n')) != NULL; l = nl + 1) {
        if (!about(l, nl, set) ||
            (row = json_loadb(l, (size_t)(nl - l), 0, NULL)) == NULL)
            continue;
        if (jstr(row, "person") == NULL ||
            jget(set, jstr(row, "person")) == NULL) {
            json_decref(row);
            continue;
        }
        json_object_set_new(row, "asks",
            json_string(seen_matcher_asks(row, asks, sizeof asks)));
        json_array_foreach(jget(row, "members"), i, m)
            shown(ch, jstr(m, "node"), jstr(m, "handle"));
        json_array_foreach(jget(row, "households"), i, h)
        {
            json_array_foreach(h, j, m)
                shown(ch, jstr(m, "node"), jstr(m, "handle"));
        }
        json_array_append_new(out, row);
    }
    free(rows);
    json_decref(set);
    return out;
}

/* The one entry of event ${ev} to ask for: the subject's, else a
 * child's, else the first. */
static json_t *
ask_entry(json_t *ev, const char *subject)
{
    json_t *p, *child = NULL;
    size_t i;

    json_array_foreach(jget(ev, "people"), i, p)
    {
        if (is(p, "person", subject))
            return p;
        if (child == NULL && is(p, "role", "child"))
            child = p;
    }
    return child ? child : json_array_get(jget(ev, "people"), 0);
}

static json_t *
unknown_new(const char *node)
{

    return json_pack("{s:s, s:i, s:[]}", "node", node, "records", 0, "kinds");
}

/* ${s} in single quotes for a shell, into ${out} (${len} bytes). */
static void
shell_quote(const char *s, char *out, size_t len)
{
    size_t n = 0;

    if (len < 3)
        return;
    out[n++] = '\'';
    for (; *s != '\0' && n + 6 < len; s++) {
        if (*s == '\'') {
            memcpy(out + n, "'\\''", 4);
            n += 4;
        } else
            out[n++] = *s;
    }
    out[n++] = '\'';
    out[n] = '\0';
}

/* Append ${v} to the array ${a} unless it holds it already. */
static void
add_unique(json_t *a, json_t *v)
{
    json_t *x;
    size_t i;

    json_array_foreach(a, i, x)
    {
        if (json_equal(x, v))
            return;
    }
    json_array_append(a, v);
}

/* Per node, the records this node has not asked about, and a request
 * for the latest of them. */
static json_t *
unknown_json(struct chron *ch)
{
    json_t *out = json_array(), *ev, *r, *e, *a;
    const char *subject = jstr(ch->world, "subject");
    char line[2400], q[2100];
    size_t i;

    json_array_foreach(jget(ch->world, "events"), i, ev)
    {
        if (!is(ev, "shared", "not_requested") ||
            (e = ask_entry(ev, subject)) == NULL)
            continue;
        r = node_row(out, jstr(ev, "node"), unknown_new);
        bump(r, "records");
        add_unique(jget(r, "kinds"), jget(ev, "kind"));
        shell_quote(ch->purpose, q, sizeof q);
        snprintf(line, sizeof line,
            "seen request --handle %s --node %s "
            "--purpose %s --basis safeguarding_children",
            jstr(e, "handle"), jstr(ev, "node"), q);
        json_object_set(r, "handle", jget(e, "handle"));
        json_object_set_new(r, "request", json_string(line));
    }
    json_array_foreach(out, i, r)
    {
        a = agency_of(ch->c, jstr(r, "node"));
        json_object_set(r, "agency", jget(a, "agency"));
        json_decref(a);
    }
    return out;
}

/*
 * Complete the world of ${ch} into the reply of the contract: the
 * sharing and details of each event, the people's names, the voice,
 * agencies, alerts and unknown records; every entry shown noted in
 * ch->shown.  Returns the reply (a new reference), or NULL.
 */
static json_t *
assemble(struct chron *ch)
{
    struct seen_control *c = ch->c;
    json_t *ev, *p, *r, *a;
    char when[32];
    time_t now = time(NULL);
    size_t i, j;

    json_array_foreach(jget(ch->world, "people"), i, p)
    {
        if (json_is_true(jget(p, "shielded")))
            json_object_set_new(ch->shielded, jstr(p, "person"), json_true());
    }
    json_array_foreach(jget(ch->world, "events"), i, ev)
    {
        if (is(ev, "node", c->n.cfg->name))
            event_own(ch, ev);
        else
            event_requests(ch, ev);
        json_array_foreach(jget(ev, "people"), j, p)
            shown(ch, jstr(ev, "node"), jstr(p, "handle"));
    }
    people_names(ch);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    a = agency_of(c, c->n.cfg->name);
    r = json_pack("{s:b, s:O, s:O, s:O}", "ok", 1, "node", jget(a, "node"),
        "agency", jget(a, "agency"), "local_authority",
        jget(a, "local_authority"));
    json_decref(a);
    if (r == NULL)
        return NULL;
    json_object_set_new(r, "generated", json_string(when));
    json_object_set_new(r, "purpose", json_string(ch->purpose));
    json_object_set(r, "subject", jget(ch->world, "subject"));
    json_object_set(r, "people", jget(ch->world, "people"));
    json_object_set_new(r, "agencies", agencies_json(ch));
    json_object_set(r, "events", jget(ch->world, "events"));
    json_object_set_new(r, "voice", voice_json(ch));
    json_object_set_new(r, "alerts", alerts_json(ch));
    json_object_set_new(r, "unknown", unknown_json(ch));
    return r;
}

/* ---- the command ---- */

/*
 * Find the subject of the look-up ${in} in ${txn}: its entry *${oidx},
 * ${handle}, and the digest of the criteria in ${digest}.  Returns NULL,
 * or the refusal (*${logged} set when the look-up is to be logged all
 * the same).
 */
static json_t *
subject_of(struct seen_control *c, struct seen_txn *txn,
    struct ctl_query_in *in, uint32_t *oidx, uint8_t handle[16],
    char digest[65], int *logged)
{
    struct seen_query_result res;
    json_t *r;
    size_t n;

    if (in->person != NULL)
        return ctl_query_person(
            c, txn, in->person, oidx, handle, digest, logged);
    if ((r = ctl_query_run(c, txn, in, &res)) != NULL) {
        seen_query_release(&res);
        *logged = 0;
        return r;
    }
    *logged = 1;
    ctl_query_criteria(c, &in->q, digest);
    if (res.n == 0) {
        n = res.candidates;
        seen_query_release(&res);
        return reply_error("no one found (%zu entries compared)", n);
    }
    *oidx = res.hits[0].oidx;
    memcpy(handle, res.hits[0].handle, 16);
    seen_query_release(&res);
    return NULL;
}

/* Commit the look-up's log record in ${txn} (gone afterwards).  Returns
 * 0, or the log's or the store's code (logged). */
static int
log_lookup(struct seen_control *c, struct seen_txn *txn, json_t *req,
    const char *digest, json_t *shown_handles)
{
    json_t *none = json_array();
    uint64_t seq = 0;
    int rc;

    rc = ctl_query_log(c, txn, jstr(req, "operator"), jstr(req, "purpose"),
        digest, shown_handles, none, &seq);
    json_decref(none);
    if (rc != 0)
        seen_store_abort(txn);
    else
        rc = seen_store_commit(txn);
    if (rc != 0)
        seen_error("cannot log a chronology: %s", seen_strerror(rc));
    else /* the holders are told once the log holds the look-up */
        (void)seen_notice_send(c->n.dis, jstr(req, "operator"),
            jstr(req, "purpose"), "chronology", seq, shown_handles, NULL);
    return rc;
}

/*
 * chronology: the dispatcher has opened the write transaction (every
 * look-up is logged) and authorised the operator to query.
 */
json_t *
ctl_chronology(struct seen_control *c, struct ctl_call *call)
{
    struct chron ch = {c, call->txn, jstr(call->req, "purpose"), NULL, NULL,
        json_object(), json_array()};
    struct ctl_query_in in;
    uint32_t oidx = 0;
    uint8_t handle[16];
    char digest[65];
    json_t *r = NULL, *refusal;
    int logged, rc;

    if ((refusal = ctl_query_input(call->req, &in, "chronology")) != NULL)
        goto out;
    refusal = subject_of(c, call->txn, &in, &oidx, handle, digest, &logged);
    if (refusal == NULL) {
        ch.world = seen_matcher_world(c->n.mt, call->txn, oidx, handle);
        if (ch.world == NULL ||
            (c->n.dis != NULL &&
                seen_disclosure_known(c->n.dis, call->txn, &ch.known) != 0))
            refusal = reply_error("cannot read the store");
        else
            r = assemble(&ch);
        if (refusal == NULL && r == NULL)
            refusal = reply_error("out of memory");
    }
    if (refusal != NULL && !logged)
        goto out;
    /* Nothing is shown that is not logged.  The transaction ends here. */
    call->txn = NULL;
    if ((rc = log_lookup(c, ch.txn, call->req, digest, ch.shown)) != 0 &&
        refusal == NULL)
        refusal = reply_error("the chronology could not be logged, so it is "
                              "not shown: %s",
            seen_strerror(rc));
out:
    json_decref(ch.world);
    json_decref(ch.known);
    json_decref(ch.shielded);
    json_decref(ch.shown);
    if (refusal != NULL) {
        json_decref(r);
        return refusal;
    }
    return r;
}
