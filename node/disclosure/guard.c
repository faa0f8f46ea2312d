/*
 * guard.c: the reason on record of a disclosure request, and the
 * holder's limits per requester (guard.h).
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/hex.h"
#include "common/log.h"
#include "crypto/keys.h"
#include "crypto/merkle.h"
#include "node/disclosure/disclosure.h"
#include "node/disclosure/guard.h"
#include "node/disclosure/state.h"
#include "node/matching/matcher.h"
#include "node/replication/federation.h"
#include "storage/store.h"
#include "xlog/xlog.h"

#define HOUR 3600

/* dis_guard_said(): documented in guard.h. */
int
dis_guard_said(uint64_t n)
{

    return n != 0 && (n & (n - 1)) == 0;
}

/* A name for ${pk} in a log line. */
static const char *
name_of(struct seen_disclosure *d, const uint8_t pk[32], char *buf,
    size_t len)
{

    if (d->fed != NULL)
        return seen_fed_origin_name(d->fed, pk, buf, len);
    sodium_bin2hex(buf, len, pk, (len - 1) / 2 < 32 ? (len - 1) / 2 : 32);
    return buf;
}

/* Count a refusal of ${what} from ${from} in *${n}, and say it the 1st,
 * 2nd, 4th... time. */
static void
say(struct seen_disclosure *d, uint64_t *n, const uint8_t from[32],
    const char *what)
{
    char fb[64];

    if (dis_guard_said(++*n))
        seen_warn("disclosures: %s from %s (%llu so far)", what,
            name_of(d, from, fb, sizeof fb), (unsigned long long)*n);
}

/* The hour of ${from} at ${now}: its slot, started again when its hour is
 * over; a new requester takes a free slot or the one idle longest. */
static struct seen_disclosure_rate *
rate_of(struct seen_disclosure *d, const uint8_t from[32], uint64_t now)
{
    struct seen_disclosure_rate *r, *old = NULL;
    size_t i;

    for (i = 0; i < SEEN_DISCLOSURE_RATES; i++) {
        r = &d->rate[i];
        if (r->since != 0 && memcmp(r->pk, from, 32) == 0)
            break;
        if (old == NULL || r->since < old->since)
            old = r;
    }
    if (i == SEEN_DISCLOSURE_RATES) {
        r = old;
        memset(r, 0, sizeof *r);
        memcpy(r->pk, from, 32);
        r->since = now;
    }
    if (now >= r->since + HOUR || now < r->since) {
        r->since = now;
        r->taken = 0;
        r->automatic = 0;
        r->full = 0;
    }
    if (r->since == 0) /* a clock at 0: keep the slot in use */
        r->since = 1;
    return r;
}

/* dis_guard_rate(): documented in guard.h. */
int
dis_guard_rate(struct seen_disclosure *d, const uint8_t from[32],
    uint64_t now)
{
    if (rate_of(d, from, now)->taken < SEEN_DISCLOSURE_PER_HOUR)
        return SEEN_OK;
    say(d, &d->counts.rate_limited, from, "a request over the limit of "
        "new requests an hour, refused without an answer");
    return SEEN_EAGAIN;
}

/* dis_guard_take(): documented in guard.h. */
void
dis_guard_take(struct seen_disclosure *d, const uint8_t from[32],
    uint64_t now, int automatic)
{
    struct seen_disclosure_rate *r = rate_of(d, from, now);

    r->taken++;
    if (automatic)
        r->automatic++;
    d->counts.taken++;
}

/* dis_guard_automatic(): documented in guard.h. */
int
dis_guard_automatic(struct seen_disclosure *d, const uint8_t from[32],
    uint64_t now)
{
    if (rate_of(d, from, now)->automatic < SEEN_DISCLOSURE_AUTO_PER_HOUR)
        return 1;
    say(d, &d->counts.automatic_held, from, "a request over the limit of "
        "automatic shares an hour, left for the lead");
    return 0;
}

/* Count in *${n} the states under ${prefix} that wait for the lead. */
static int
count_queued(struct seen_txn *txn, const uint8_t *prefix, size_t plen,
    size_t *n)
{
    Seen__DisclosureState *st;
    struct dis_keys ks;
    size_t i;
    int rc;

    *n = 0;
    if ((rc = dis_keys_under(txn, prefix, plen, &ks)) == 0) {
        for (i = 0; i < ks.n; i++) {
            if ((rc = dis_state_get(txn, ks.k[i], ks.kl[i], &st)) != 0)
                break;
            if (st->outcome == SEEN__OUTCOME__QUEUED)
                (*n)++;
            seen__disclosure_state__free_unpacked(st, NULL);
        }
    }
    dis_keys_free(&ks);
    return rc;
}

/* dis_guard_queue(): documented in guard.h. */
int
dis_guard_queue(struct seen_disclosure *d, struct seen_txn *txn,
    const uint8_t from[32])
{
    struct seen_disclosure_rate *r = rate_of(d, from, (uint64_t)time(NULL));
    uint8_t prefix[33];
    size_t mine = SEEN_DISCLOSURE_QUEUED_MAX, all;
    int rc;

    if (r->full)
        goto full;
    prefix[0] = KEY_RECV;
    memcpy(prefix + 1, from, 32);
    if ((rc = count_queued(txn, prefix, 33, &mine)) != 0)
        return rc;
    if (mine < SEEN_DISCLOSURE_QUEUED_MAX) {
        if ((rc = count_queued(txn, prefix, 1, &all)) != 0)
            return rc;
        if (all < SEEN_DISCLOSURE_INBOX_MAX)
            return SEEN_OK;
    }
    r->full = 1;
full:
    say(d, &d->counts.queue_full, from, mine < SEEN_DISCLOSURE_QUEUED_MAX
        ? "a request for a full inbox, refused without an answer"
        : "a request over the limit of requests waiting for the lead, "
          "refused without an answer");
    return SEEN_EAGAIN;
}

/* dis_guard_room(): documented in guard.h. */
void
dis_guard_room(struct seen_disclosure *d)
{
    size_t i;

    for (i = 0; i < SEEN_DISCLOSURE_RATES; i++)
        d->rate[i].full = 0;
}

#define WHY_NO_REASON                                                       \
    "no reason on record: a request must name the requesting node's "      \
    "entry that matched this one, or the query that showed it (a node "    \
    "older than this rule names neither: upgrade it and ask again)"
#define WHY_UNMATCHED                                                       \
    "this node's matcher links no live entry of the requesting node named " \
    "in the request to this entry: nothing is shared without a match"

/* dis_guard_check(): documented in guard.h. */
int
dis_guard_check(struct seen_disclosure *d, struct seen_txn *txn,
    Seen__DisclosureState *st, const uint8_t from[32], const char **why)
{
    uint8_t hb[16];
    uint32_t own, req;
    int query = st->query_leaf.len == 32, rc;

    st->matched = 0;
    *why = NULL;
    if (st->match.len != 16 && !query) {
        say(d, &d->counts.no_reason, from,
            "a request with no reason on record, refused");
        *why = WHY_NO_REASON;
        return SEEN_EPERM;
    }
    if (st->match.len == 16) {
        rc = seen_store_origin(txn, d->keys->sign_pk, 0, &own);
        if (rc == 0)
            rc = seen_store_origin(txn, from, 0, &req);
        if (rc == 0) {
            memcpy(hb, st->match.data, 16);
            rc = seen_matcher_linked(txn, own, st->handle.data, req, hb, 0);
        }
        if (rc == 0) {
            st->matched = 1;
            return SEEN_OK;
        }
        if (rc == SEEN_EAGAIN) {
            say(d, &d->counts.not_matched_yet, from, "a request naming an "
                "entry not matched here yet, not taken now");
            return SEEN_EAGAIN;
        }
        if (rc != SEEN_ENOTFOUND)
            return rc;
        if (!query) {
            say(d, &d->counts.unmatched, from, "a request naming an entry "
                "that does not match, refused");
            *why = WHY_UNMATCHED;
            return SEEN_EPERM;
        }
    }
    return SEEN_OK; /* a query: for the lead to weigh, never automatic */
}

/* Whether the XLOG_QUERY leaf ${leaf} showed ${handle}. */
static int
query_showed(const uint8_t *leaf, size_t len, const uint8_t handle[16])
{
    Seen__XLogLeaf *xl;
    Seen__QueryRecord *q = NULL;
    size_t i;
    int found = 0;

    if ((xl = seen__xlog_leaf__unpack(NULL, len, leaf)) == NULL)
        return 0;
    if (xl->kind == SEEN__XLOG_KIND__XLOG_QUERY &&
        (q = seen__query_record__unpack(NULL, xl->record.len,
             xl->record.data)) != NULL)
        for (i = 0; i < q->n_handles_seen && !found; i++)
            found = q->handles_seen[i].len == 16 &&
                memcmp(q->handles_seen[i].data, handle, 16) == 0;
    if (q != NULL)
        seen__query_record__free_unpacked(q, NULL);
    seen__xlog_leaf__free_unpacked(xl, NULL);
    return found;
}

/* The newest query of this node's exchange log that showed ${handle}:
 * its leaf hash to ${hash} and position to *${seq}.  Returns 0,
 * SEEN_ENOTFOUND, or an error of the store. */
static int
find_query(struct seen_txn *txn, const uint8_t handle[16],
    uint8_t hash[static 32], uint64_t *seq)
{
    const uint8_t *leaf;
    uint64_t size, i, stop;
    size_t len;
    int rc;

    if ((rc = seen_xlog_size(txn, &size)) != 0)
        return rc;
    stop = size > SEEN_DISCLOSURE_QUERY_SCAN
        ? size - SEEN_DISCLOSURE_QUERY_SCAN
        : 0;
    for (i = size; i > stop; i--) {
        if ((rc = seen_xlog_leaf_raw(txn, i - 1, &leaf, &len)) != 0)
            return rc;
        /* protobuf-c writes fields in order: kind (1) comes first, so a
         * leaf of another kind is passed over without decoding (a packed
         * one, an ENTRIES, begins with 0x00). */
        if (len < 2 || leaf[0] != 0x08 ||
            leaf[1] != SEEN__XLOG_KIND__XLOG_QUERY ||
            !query_showed(leaf, len, handle))
            continue;
        seen_merkle_leaf_hash(hash, leaf, len);
        *seq = i - 1;
        return SEEN_OK;
    }
    return SEEN_ENOTFOUND;
}

/* dis_guard_reason(): documented in guard.h. */
int
dis_guard_reason(struct seen_disclosure *d, struct seen_txn *txn,
    const uint8_t peer[32], const uint8_t handle[16],
    Seen__DisclosureState *st, uint8_t buf[static 48])
{
    uint32_t own, theirs;
    int rc;

    rc = seen_store_origin(txn, peer, 0, &theirs);
    if (rc == 0)
        rc = seen_store_origin(txn, d->keys->sign_pk, 0, &own);
    if (rc == 0)
        rc = seen_matcher_linked(txn, theirs, handle, own, buf, 1);
    if (rc == 0) {
        st->match.data = buf;
        st->match.len = 16;
    } else if (rc != SEEN_ENOTFOUND && rc != SEEN_EAGAIN) {
        return rc;
    }
    rc = find_query(txn, handle, buf + 16, &st->query_seq);
    if (rc == 0) {
        st->query_leaf.data = buf + 16;
        st->query_leaf.len = 32;
    } else if (rc != SEEN_ENOTFOUND) {
        return rc;
    }
    return st->match.len == 16 || st->query_leaf.len == 32 ? SEEN_OK
                                                           : SEEN_ENOTFOUND;
}

/* dis_guard_unsolicited(): documented in guard.h. */
void
dis_guard_unsolicited(struct seen_disclosure *d, const char *idh,
    const char *who)
{

    if (dis_guard_said(++d->counts.unsolicited))
        seen_warn("disclosures: an answer from %s to request %s, which this "
                  "node never sent to it: refused (%llu so far)",
            who, idh, (unsigned long long)d->counts.unsolicited);
}

/**
 * seen_disclosure_status(d, out):
 * Add "disclosure" to the status object ${out}: what was taken, refused
 * and held back since the node started, and the limits (spec/cli.md).
 */
void
seen_disclosure_status(const struct seen_disclosure *d, json_t *out)
{
    const struct seen_disclosure_counts *c = &d->counts;

    json_object_set_new(out, "disclosure",
        json_pack("{s:I, s:I, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I}, s:{s:i,"
                  " s:i, s:i, s:i}, s:{s:I, s:I, s:I}}",
            "requests_taken", (json_int_t)c->taken, "automatic_held",
            (json_int_t)c->automatic_held, "refused", "no_reason",
            (json_int_t)c->no_reason, "unmatched", (json_int_t)c->unmatched,
            "not_matched_yet", (json_int_t)c->not_matched_yet,
            "rate_limited", (json_int_t)c->rate_limited, "queue_full",
            (json_int_t)c->queue_full, "unsolicited_answers",
            (json_int_t)c->unsolicited, "bad_answers",
            (json_int_t)c->bad_answers, "limits", "per_hour",
            SEEN_DISCLOSURE_PER_HOUR, "automatic_per_hour",
            SEEN_DISCLOSURE_AUTO_PER_HOUR, "queued_per_requester",
            SEEN_DISCLOSURE_QUEUED_MAX, "queued", SEEN_DISCLOSURE_INBOX_MAX,
            "notices", "sent", (json_int_t)c->notices_sent, "received",
            (json_int_t)c->notices_received, "refused",
            (json_int_t)c->notices_refused));
}

/**
 * seen_disclosure_waiting(txn, n, oldest):
 * Count the requests received that wait for a lead's decision (queued)
 * to *${n}, and write when the oldest of them was asked (Unix seconds; 0
 * when none waits) to *${oldest}, reading through ${txn}.  Returns 0 or
 * an error of the store.
 */
int
seen_disclosure_waiting(struct seen_txn *txn, uint64_t *n, uint64_t *oldest)
{
    Seen__DisclosureState *st;
    struct dis_keys ks;
    size_t i;
    int rc;

    *n = *oldest = 0;
    if ((rc = dis_keys_of(txn, KEY_RECV, &ks)) != 0) {
        dis_keys_free(&ks);
        return rc;
    }
    for (i = 0; i < ks.n; i++) {
        if ((rc = dis_state_get(txn, ks.k[i], ks.kl[i], &st)) != 0)
            break;
        if (st->outcome == SEEN__OUTCOME__QUEUED) {
            (*n)++;
            if (*oldest == 0 || st->requested < *oldest)
                *oldest = st->requested;
        }
        seen__disclosure_state__free_unpacked(st, NULL);
    }
    dis_keys_free(&ks);
    return rc;
}
