/*
 * check_disclosure.c: the parts of node/disclosure/disclosure.[ch] that stand alone:
 * an answer sealed to the requesting node opens only with its key pair
 * (not a relay's, not the holder's, not after a byte is changed), and
 * what is shared of a record is that record's own fields and that one
 * person's, never another person's details or fields the import format
 * does not define.  The request/decision/answer flow between real daemons
 * is tests/integration/test_disclosure_lab.sh.  Also replays the seeds of
 * tests/fuzz/fuzz_disclosure.c through that harness, and, in its store,
 * checks the holder's guard (node/disclosure/guard.h): a request with no
 * reason on record, or naming an entry that matches nothing, is refused;
 * one found by a query waits for the lead; the hourly limits, the lead's
 * queue and unsolicited answers are counted; the requester finds the
 * query of its exchange log that showed an entry.  A burst between real
 * daemons is tests/integration/test_attack_disclosure.sh.
 */
#include <check.h>
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dirent.h>
#include <stdio.h>

#include "common/seen.h"
#include "crypto/merkle.h"
#include "node/disclosure/disclosure.h"
#include "node/disclosure/guard.h"
#include "xlog/xlog.h"

/* The harness, under its own name so that every suite links into one
 * runner; its seeds replay through it. */
#define LLVMFuzzerTestOneInput fuzz_disclosure_one
#include "tests/fuzz/fuzz_disclosure.c"

#include "tests/suites.h"

/* The example of spec/import.md, with an unknown field at both levels. */
static const char record[] =
    "{\"id\":\"TVP-DA-2025-00412\",\"kind\":\"domestic_abuse_incident\","
    "\"date\":\"2025-06-14\",\"local_authority\":\"Reading\",\"risk\":"
    "\"high\",\"child_present\":true,\"child_voice\":\"I hid under the bed "
    "when they shouted\",\"summary\":\"Neighbour called police\","
    "\"internal_notes\":\"officer's private note\",\"people\":["
    "{\"ref\":\"v1\",\"role\":\"adult_victim\",\"given_name\":\"Chantelle\","
    "\"family_name\":\"Ward\",\"date_of_birth\":\"1994-02-11\",\"postcode\":"
    "\"RG1 5DF\",\"address\":\"14 Oxford Road\"},"
    "{\"ref\":\"c1\",\"role\":\"child\",\"given_name\":\"Mia\",\"family_name\""
    ":\"Ward\",\"date_of_birth\":\"2020-09-30\",\"nhs_number\":\"943 476 "
    "5919\",\"school_note\":\"not a field\",\"sex\":null},"
    "{\"ref\":\"p1\",\"role\":\"perpetrator\",\"given_name\":\"Dean\","
    "\"family_name\":\"Holt\",\"date_of_birth\":\"1989-05-02\",\"pnc_id\":"
    "\"2011/0234567F\"}]}";

struct pair {
    uint8_t pk[32], sk[32];
};

static void
pair_new(struct pair *p)
{

    ck_assert_int_eq(crypto_box_keypair(p->pk, p->sk), 0);
}

START_TEST(test_only_the_requester_opens_the_answer)
{
    static const uint8_t msg[] = "I hid under the bed when they shouted";
    struct pair requester, relay, holder;
    uint8_t *sealed, *plain;
    size_t slen, plen;

    pair_new(&requester);
    pair_new(&relay);
    pair_new(&holder);
    ck_assert_int_eq(seen_disclosure_seal(msg, sizeof msg, requester.pk,
                         &sealed, &slen),
        0);
    ck_assert_uint_eq(slen, sizeof msg + crypto_box_SEALBYTES);
    ck_assert_ptr_null(memmem(sealed, slen, "bed", 3)); /* no clear text */
    ck_assert_int_eq(seen_disclosure_open(sealed, slen, requester.pk,
                         requester.sk, &plain, &plen),
        0);
    ck_assert_uint_eq(plen, sizeof msg);
    ck_assert_mem_eq(plain, msg, sizeof msg);
    free(plain);
    /* A relay, or the holder that sealed it, cannot read it. */
    ck_assert_int_eq(seen_disclosure_open(sealed, slen, relay.pk, relay.sk,
                         &plain, &plen),
        SEEN_EAUTH);
    ck_assert_ptr_null(plain);
    ck_assert_int_eq(seen_disclosure_open(sealed, slen, holder.pk, holder.sk,
                         &plain, &plen),
        SEEN_EAUTH);
    /* The requester's public key with another secret key: no. */
    ck_assert_int_eq(seen_disclosure_open(sealed, slen, requester.pk,
                         relay.sk, &plain, &plen),
        SEEN_EAUTH);
    free(sealed);
}
END_TEST

START_TEST(test_a_changed_or_short_answer_does_not_open)
{
    static const uint8_t msg[] = "details";
    struct pair requester;
    uint8_t *sealed, *plain;
    size_t slen, plen, i;

    pair_new(&requester);
    ck_assert_int_eq(seen_disclosure_seal(msg, sizeof msg, requester.pk,
                         &sealed, &slen),
        0);
    for (i = 0; i < slen; i++) {
        sealed[i] ^= 0x01;
        ck_assert_int_eq(seen_disclosure_open(sealed, slen, requester.pk,
                             requester.sk, &plain, &plen),
            SEEN_EAUTH);
        sealed[i] ^= 0x01;
    }
    for (i = 0; i < slen; i++)
        ck_assert_int_eq(seen_disclosure_open(sealed, i, requester.pk,
                             requester.sk, &plain, &plen),
            SEEN_EAUTH);
    ck_assert_int_eq(seen_disclosure_open(sealed, slen, requester.pk,
                         requester.sk, &plain, &plen),
        0);
    free(plain);
    free(sealed);
}
END_TEST

START_TEST(test_details_hold_the_record_and_that_person_only)
{
    json_t *d, *r, *p, *holder = json_pack("{s:s}", "node", "tvp");
    char *text;

    ck_assert_int_eq(seen_disclosure_details(record, strlen(record), "c1",
                         holder, &d),
        0);
    r = json_object_get(d, "record");
    p = json_object_get(d, "person");
    ck_assert_str_eq(json_string_value(json_object_get(r, "reference")),
        "TVP-DA-2025-00412");
    ck_assert_str_eq(json_string_value(json_object_get(r, "child_voice")),
        "I hid under the bed when they shouted");
    ck_assert_str_eq(json_string_value(json_object_get(r, "risk")), "high");
    ck_assert(json_is_true(json_object_get(r, "child_present")));
    ck_assert_str_eq(json_string_value(json_object_get(p, "given_name")),
        "Mia");
    ck_assert_str_eq(json_string_value(json_object_get(p, "nhs_number")),
        "943 476 5919");
    ck_assert_str_eq(json_string_value(json_object_get(p, "role")), "child");
    ck_assert_ptr_null(json_object_get(p, "ref"));
    ck_assert_ptr_null(json_object_get(p, "sex")); /* null: left out */
    ck_assert_str_eq(json_string_value(json_object_get(
                         json_object_get(d, "holder"), "node")),
        "tvp");
    ck_assert_uint_eq(json_array_size(json_object_get(d, "others_in_record")),
        2);
    text = json_dumps(d, JSON_COMPACT);
    ck_assert_ptr_nonnull(text);
    /* Nothing of the other people but their roles; no unknown field. */
    ck_assert_ptr_null(strstr(text, "Chantelle"));
    ck_assert_ptr_null(strstr(text, "Oxford Road"));
    ck_assert_ptr_null(strstr(text, "Dean"));
    ck_assert_ptr_null(strstr(text, "2011/0234567F"));
    ck_assert_ptr_null(strstr(text, "1994-02-11"));
    ck_assert_ptr_null(strstr(text, "private note"));
    ck_assert_ptr_null(strstr(text, "not a field"));
    ck_assert_ptr_nonnull(strstr(text, "\"perpetrator\""));
    free(text);
    json_decref(d);

    /* The mother's request gives her address, not the child's NHS number. */
    ck_assert_int_eq(seen_disclosure_details(record, strlen(record), "v1",
                         NULL, &d),
        0);
    p = json_object_get(d, "person");
    ck_assert_str_eq(json_string_value(json_object_get(p, "address")),
        "14 Oxford Road");
    ck_assert_ptr_null(json_object_get(d, "holder"));
    text = json_dumps(d, JSON_COMPACT);
    ck_assert_ptr_null(strstr(text, "943 476 5919"));
    ck_assert_ptr_null(strstr(text, "Mia"));
    free(text);
    json_decref(d);
    json_decref(holder);
}
END_TEST

START_TEST(test_details_of_what_is_not_there)
{
    json_t *d = (json_t *)1;

    ck_assert_int_eq(seen_disclosure_details(record, strlen(record), "x9",
                         NULL, &d),
        SEEN_ENOTFOUND);
    ck_assert_ptr_null(d);
    ck_assert_int_eq(seen_disclosure_details("{\"people\":[]}", 13, "c1",
                         NULL, &d),
        SEEN_ECORRUPT);
    ck_assert_int_eq(seen_disclosure_details("not json", 8, "c1", NULL, &d),
        SEEN_ECORRUPT);
    ck_assert_int_eq(seen_disclosure_details(record, strlen(record) / 2,
                         "c1", NULL, &d),
        SEEN_ECORRUPT);
    ck_assert_ptr_null(d);
}
END_TEST

START_TEST(test_fuzz_seeds_replay)
{
    const char *dirpath = SEEN_SOURCE_DIR "/tests/fuzz/corpus/disclosure";
    char path[4096];
    uint8_t buf[65536];
    struct dirent *e;
    size_t n, files = 0;
    DIR *dp;
    FILE *f;

    ck_assert_ptr_nonnull(dp = opendir(dirpath));
    while ((e = readdir(dp)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dirpath, e->d_name);
        ck_assert_ptr_nonnull(f = fopen(path, "rb"));
        n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        ck_assert_int_eq(LLVMFuzzerTestOneInput(buf, n), 0);
        files++;
    }
    closedir(dp);
    ck_assert_uint_ge(files, 5);
}
END_TEST


/* ---- the holder's guard, in the harness's store ---- */

/* The harness's node, its limits and counters at zero. */
static void
guard_init(void)
{

    ck_assert_int_eq(fuzz_disclosure_one((const uint8_t *)"", 0), 0);
    memset(dis.rate, 0, sizeof dis.rate);
    memset(&dis.counts, 0, sizeof dis.counts);
}

/* Send a request numbered ${n} from ${from} for the harness's entry,
 * naming a ${match} (16 bytes) and/or a ${query} leaf (32), in ${txn}.
 * Without a federation nobody can be answered: every request is
 * SEEN_EPERM, and what the holder did with it is in dis.counts and the
 * transaction. */
static void
ask(struct seen_txn *txn, const uint8_t from[32], unsigned n,
    const uint8_t *match, const uint8_t *query)
{
    Seen__DisclosureRequest rq = SEEN__DISCLOSURE_REQUEST__INIT;
    uint8_t id[16], h[16], body[512];

    memset(id, 0, sizeof id);
    memcpy(id, &n, sizeof n);
    memset(h, 0x11, sizeof h);
    rq.request_id = (ProtobufCBinaryData){16, id};
    rq.handle = (ProtobufCBinaryData){16, h};
    rq.operator_ = (char *)"lead";
    rq.purpose = (char *)"section 47 enquiry";
    rq.basis = SEEN__BASIS__SAFEGUARDING_CHILDREN;
    rq.time = 1750000000;
    if (match != NULL)
        rq.match = (ProtobufCBinaryData){16, (uint8_t *)match};
    if (query != NULL) {
        rq.query_leaf = (ProtobufCBinaryData){32, (uint8_t *)query};
        rq.query_seq = 7;
    }
    ck_assert_uint_le(seen__disclosure_request__get_packed_size(&rq),
        sizeof body);
    ck_assert_int_eq(seen_disclosure_on_message(&dis, txn, from,
                         SEEN__MSG_TYPE__DISCLOSURE_REQUEST, body,
                         seen__disclosure_request__pack(&rq, body)),
        SEEN_EPERM);
}

/* The inbox (every request received) read through ${txn}. */
static char *
inbox(struct seen_txn *txn)
{
    char *rows = NULL;
    size_t len;
    json_t *r;

    r = seen_disclosure_list(&dis, txn, 1, 1, &rows, &len);
    ck_assert_ptr_nonnull(r);
    ck_assert(json_is_true(json_object_get(r, "ok")));
    json_decref(r);
    return rows;
}

/* A request from 0x55... naming ${match} and/or ${query} arrives: its row
 * in the inbox has ${status} and says ${why}. */
static void
arrives(const uint8_t *match, const uint8_t *query, const char *status,
    const char *why)
{
    uint8_t from[32];
    struct seen_txn *txn;
    char *rows;

    memset(from, 0x55, sizeof from);
    ck_assert_int_eq(seen_store_begin(store, 1, &txn), 0);
    ask(txn, from, 1, match, query);
    rows = inbox(txn);
    ck_assert_ptr_nonnull(strstr(rows, status));
    ck_assert_ptr_nonnull(strstr(rows, why));
    ck_assert_ptr_null(strstr(rows, "\"details\""));
    free(rows);
    seen_store_abort(txn);
    ck_assert_uint_eq(dis.counts.taken, 1);
}

START_TEST(test_a_request_with_no_reason_is_refused)
{

    guard_init();
    arrives(NULL, NULL, "\"status\":\"refused\"", "no reason on record");
    ck_assert_uint_eq(dis.counts.no_reason, 1);
}
END_TEST

START_TEST(test_a_request_naming_no_match_is_refused)
{
    uint8_t m[16];

    guard_init();
    memset(m, 0x66, sizeof m);
    arrives(m, NULL, "\"status\":\"refused\"", "links no live entry");
    ck_assert_uint_eq(dis.counts.unmatched, 1);
    ck_assert_uint_eq(dis.counts.no_reason, 0);
}
END_TEST

START_TEST(test_a_request_found_by_a_query_waits_for_the_lead)
{
    uint8_t m[16], q[32];

    guard_init();
    memset(q, 0x77, sizeof q);
    arrives(NULL, q, "\"status\":\"queued\"", "found by a query");
    /* A match that does not hold, with a query: for the lead too. */
    memset(m, 0x66, sizeof m);
    memset(dis.rate, 0, sizeof dis.rate);
    memset(&dis.counts, 0, sizeof dis.counts);
    arrives(m, q, "\"matched\":false", "\"query_seq\":7");
    ck_assert_uint_eq(dis.counts.unmatched, 0);
}
END_TEST

START_TEST(test_new_requests_are_limited_per_hour)
{
    uint8_t from[32], other[32], q[32];
    struct seen_txn *txn;
    unsigned i;

    guard_init();
    memset(from, 0x55, sizeof from);
    memset(other, 0x56, sizeof other);
    memset(q, 0x77, sizeof q);
    /* Each in a transaction of its own, aborted: the queue stays empty. */
    for (i = 0; i < SEEN_DISCLOSURE_PER_HOUR; i++) {
        ck_assert_int_eq(seen_store_begin(store, 1, &txn), 0);
        ask(txn, from, i, NULL, q);
        seen_store_abort(txn);
    }
    ck_assert_uint_eq(dis.counts.taken, SEEN_DISCLOSURE_PER_HOUR);
    ck_assert_int_eq(seen_store_begin(store, 1, &txn), 0);
    ask(txn, from, i, NULL, q);
    ask(txn, from, i + 1, NULL, NULL);
    ck_assert_uint_eq(dis.counts.rate_limited, 2);
    ck_assert_uint_eq(dis.counts.taken, SEEN_DISCLOSURE_PER_HOUR);
    /* Another requester has its own hour. */
    ask(txn, other, 1, NULL, q);
    seen_store_abort(txn);
    ck_assert_uint_eq(dis.counts.taken, SEEN_DISCLOSURE_PER_HOUR + 1);
    /* An hour on, it may ask again. */
    ck_assert_int_eq(dis_guard_rate(&dis, from, (uint64_t)time(NULL) + 3600),
        0);
}
END_TEST

START_TEST(test_the_leads_queue_is_bounded)
{
    uint8_t from[32], q[32];
    struct seen_txn *txn;
    char *rows, *p;
    unsigned i, n = 0;

    guard_init();
    memset(from, 0x55, sizeof from);
    memset(q, 0x77, sizeof q);
    ck_assert_int_eq(seen_store_begin(store, 1, &txn), 0);
    for (i = 0; i < SEEN_DISCLOSURE_QUEUED_MAX; i++)
        ask(txn, from, i, NULL, q);
    ask(txn, from, i, NULL, q);
    ck_assert_uint_eq(dis.counts.queue_full, 1);
    ck_assert_uint_eq(dis.counts.taken, SEEN_DISCLOSURE_QUEUED_MAX);
    rows = inbox(txn);
    for (p = rows; (p = strstr(p, "\"status\":\"queued\"")) != NULL; p++)
        n++;
    free(rows);
    ck_assert_uint_eq(n, SEEN_DISCLOSURE_QUEUED_MAX);
    seen_store_abort(txn);
}
END_TEST

START_TEST(test_automatic_shares_are_limited_per_hour)
{
    uint8_t from[32];
    uint64_t now = 1750000000;
    unsigned i;

    guard_init();
    memset(from, 0x55, sizeof from);
    for (i = 0; i < SEEN_DISCLOSURE_AUTO_PER_HOUR; i++) {
        ck_assert_int_eq(dis_guard_automatic(&dis, from, now), 1);
        dis_guard_take(&dis, from, now, 1);
    }
    ck_assert_int_eq(dis_guard_automatic(&dis, from, now + 10), 0);
    ck_assert_uint_eq(dis.counts.automatic_held, 1);
    ck_assert_int_eq(dis_guard_automatic(&dis, from, now + 3600), 1);
}
END_TEST

START_TEST(test_an_unsolicited_answer_is_counted)
{
    Seen__DisclosureResponse r = SEEN__DISCLOSURE_RESPONSE__INIT;
    uint8_t from[32], id[16], sealed[64], body[256];
    struct seen_txn *txn;
    size_t blen;
    int i;

    guard_init();
    memset(from, 0x33, sizeof from);
    memset(id, 0x99, sizeof id);
    memset(sealed, 0, sizeof sealed);
    r.request_id = (ProtobufCBinaryData){16, id};
    r.outcome = SEEN__OUTCOME__SHARED;
    r.sealed = (ProtobufCBinaryData){sizeof sealed, sealed};
    blen = seen__disclosure_response__pack(&r, body);
    ck_assert_int_eq(seen_store_begin(store, 1, &txn), 0);
    for (i = 0; i < 3; i++)
        ck_assert_int_eq(seen_disclosure_on_message(&dis, txn, from,
                             SEEN__MSG_TYPE__DISCLOSURE_RESPONSE, body, blen),
            SEEN_EPERM);
    seen_store_abort(txn);
    ck_assert_uint_eq(dis.counts.unsolicited, 3);
    /* Said the 1st, 2nd, 4th... time. */
    ck_assert(dis_guard_said(1) && dis_guard_said(2) && !dis_guard_said(3) &&
        dis_guard_said(4) && !dis_guard_said(0));
}
END_TEST

/* A LOOKUP_NOTICE from ${from} naming ${n} handles (${hs}, 16 bytes
 * each) of a ${what}, applied in ${txn}: its code. */
static int
notice(struct seen_txn *txn, const uint8_t from[32], const uint8_t *hs,
    size_t n, const char *what)
{
    Seen__LookupNotice ln = SEEN__LOOKUP_NOTICE__INIT;
    ProtobufCBinaryData hv[4];
    uint8_t body[512], id[16];
    size_t i;

    /* The notice id: the first handle's first byte and the count. */
    memset(id, 0x77, sizeof id);
    id[0] = n > 0 ? hs[0] : 0;
    id[1] = (uint8_t)n;
    ln.notice_id = (ProtobufCBinaryData){16, id};

    for (i = 0; i < n; i++)
        hv[i] = (ProtobufCBinaryData){16, (uint8_t *)hs + 16 * i};
    ln.n_handles = n;
    ln.handles = hv;
    ln.operator_ = (char *)"lead";
    ln.purpose = (char *)"section 47 strategy discussion";
    ln.time = 1750000000;
    ln.what = (char *)what;
    ln.query_seq = 7;
    return seen_disclosure_on_message(&dis, txn, from,
        SEEN__MSG_TYPE__LOOKUP_NOTICE, body,
        seen__lookup_notice__pack(&ln, body));
}

START_TEST(test_a_lookup_notice_keeps_only_the_holders_entries)
{
    uint8_t from[32], hs[32], foreign[16];
    struct seen_txn *txn;
    char *rows, *p;

    guard_init();
    memset(from, 0x55, sizeof from);
    memset(hs, 0x22, 16);      /* not an entry of this node */
    memset(hs + 16, 0x11, 16); /* the harness's entry */
    memset(foreign, 0x22, sizeof foreign);
    ck_assert_int_eq(seen_store_begin(store, 1, &txn), 0);
    /* Malformed: no handle, or neither a query nor a chronology. */
    ck_assert_int_eq(notice(txn, from, hs, 0, "query"), SEEN_EINVAL);
    ck_assert_int_eq(notice(txn, from, hs, 2, "peek"), SEEN_EINVAL);
    /* Naming none of ours: refused (acknowledged), nothing kept. */
    ck_assert_int_eq(notice(txn, from, foreign, 1, "query"), SEEN_OK);
    ck_assert_uint_eq(dis.counts.notices_refused, 3);
    rows = inbox(txn);
    ck_assert_ptr_null(strstr(rows, "lookup"));
    free(rows);
    /* Ours and another's: kept, ours only. */
    ck_assert_int_eq(notice(txn, from, hs, 2, "chronology"), SEEN_OK);
    ck_assert_uint_eq(dis.counts.notices_received, 1);
    /* Sent again (its acknowledgement lost): kept once. */
    ck_assert_int_eq(notice(txn, from, hs, 2, "chronology"), SEEN_OK);
    ck_assert_uint_eq(dis.counts.notices_received, 1);
    rows = inbox(txn);
    ck_assert_ptr_nonnull(p = strstr(rows, "\"notice\":\"lookup\""));
    ck_assert_ptr_nonnull(strstr(p, "\"operator\":\"lead\""));
    ck_assert_ptr_nonnull(strstr(p, "section 47 strategy discussion"));
    ck_assert_ptr_nonnull(strstr(p, "\"what\":\"chronology\""));
    ck_assert_ptr_nonnull(strstr(p, "11111111111111111111111111111111"));
    ck_assert_ptr_null(strstr(p, "22222222222222222222222222222222"));
    free(rows);
    /* Not among the requests waiting for a lead. */
    {
        size_t len;
        json_t *r = seen_disclosure_list(&dis, txn, 1, 0, &rows, &len);

        json_decref(r);
        ck_assert_ptr_null(strstr(rows, "lookup"));
        free(rows);
    }
    seen_store_abort(txn);
}
END_TEST

START_TEST(test_the_requester_finds_the_query_that_showed_an_entry)
{
    Seen__QueryRecord qr = SEEN__QUERY_RECORD__INIT;
    Seen__DisclosureState st = SEEN__DISCLOSURE_STATE__INIT;
    ProtobufCBinaryData hs[1];
    uint8_t peer[32], h[16], other[16], buf[48], hash[32];
    const uint8_t *leaf;
    struct seen_txn *txn;
    uint64_t index;
    size_t len;

    guard_init();
    memset(peer, 0x33, sizeof peer);
    memset(h, 0xab, sizeof h);
    memset(other, 0xcd, sizeof other);
    hs[0] = (ProtobufCBinaryData){16, h};
    qr.operator_ = (char *)"lead";
    qr.purpose = (char *)"section 47 enquiry";
    qr.time = 1750000000;
    qr.n_handles_seen = 1;
    qr.handles_seen = hs;
    qr.criteria_digest = (char *)"";
    ck_assert_int_eq(seen_store_begin(store, 1, &txn), 0);
    ck_assert_int_eq(dis_guard_reason(&dis, txn, peer, h, &st, buf),
        SEEN_ENOTFOUND);
    ck_assert_int_eq(seen_xlog_query(txn, &keys, &qr, &index), 0);
    ck_assert_int_eq(dis_guard_reason(&dis, txn, peer, h, &st, buf), 0);
    ck_assert_uint_eq(st.match.len, 0);
    ck_assert_uint_eq(st.query_leaf.len, 32);
    ck_assert_uint_eq(st.query_seq, index);
    ck_assert_int_eq(seen_xlog_leaf(txn, index, &leaf, &len), 0);
    seen_merkle_leaf_hash(hash, leaf, len);
    ck_assert_mem_eq(st.query_leaf.data, hash, 32);
    /* A handle the query did not show has no reason. */
    st = (Seen__DisclosureState)SEEN__DISCLOSURE_STATE__INIT;
    ck_assert_int_eq(dis_guard_reason(&dis, txn, peer, other, &st, buf),
        SEEN_ENOTFOUND);
    seen_store_abort(txn);
}
END_TEST

Suite *
disclosure_suite(void)
{
    Suite *s = suite_create("disclosure");
    TCase *tc = tcase_create("seal");

    tcase_add_test(tc, test_only_the_requester_opens_the_answer);
    tcase_add_test(tc, test_a_changed_or_short_answer_does_not_open);
    suite_add_tcase(s, tc);
    tc = tcase_create("details");
    tcase_add_test(tc, test_details_hold_the_record_and_that_person_only);
    tcase_add_test(tc, test_details_of_what_is_not_there);
    suite_add_tcase(s, tc);
    tc = tcase_create("guard");
    tcase_add_test(tc, test_a_request_with_no_reason_is_refused);
    tcase_add_test(tc, test_a_request_naming_no_match_is_refused);
    tcase_add_test(tc, test_a_request_found_by_a_query_waits_for_the_lead);
    tcase_add_test(tc, test_new_requests_are_limited_per_hour);
    tcase_add_test(tc, test_the_leads_queue_is_bounded);
    tcase_add_test(tc, test_automatic_shares_are_limited_per_hour);
    tcase_add_test(tc, test_an_unsolicited_answer_is_counted);
    tcase_add_test(tc, test_the_requester_finds_the_query_that_showed_an_entry);
    tcase_add_test(tc, test_a_lookup_notice_keeps_only_the_holders_entries);
    suite_add_tcase(s, tc);
    tc = tcase_create("fuzz");
    tcase_add_test(tc, test_fuzz_seeds_replay);
    suite_add_tcase(s, tc);
    return s;
}
