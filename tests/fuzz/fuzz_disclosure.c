/*
 * fuzz_disclosure.c: libFuzzer harness for what a peer controls in
 * disclosure (node/disclosure/disclosure.[ch]): the body of a DISCLOSURE_REQUEST, and
 * the sealed content of a DISCLOSURE_RESPONSE, and the body of a
 * LOOKUP_NOTICE.
 *
 * The node holds, in a temporary store opened once: one record with a
 * person under the handle FUZZ_HANDLE (16 bytes of 0x11), and one request
 * it sent, id FUZZ_REQUEST (16 bytes of 0x22), to the node FUZZ_PEER (32
 * bytes of 0x33), about that handle.  There is no federation (no member is
 * known, nothing is sent) and no agreement (every request queues).
 *
 * The first byte of an input chooses: 0x40, the rest is a LOOKUP_NOTICE
 * body from FUZZ_PEER (notice.c); 0x42, a LOOKUP_ACK body; other even, a request body from
 * FUZZ_PEER; odd, the rest is a DisclosureContent that the harness
 * seals to this node and wraps in a DisclosureResponse for FUZZ_REQUEST
 * (bit 1: for another request id; bits 2-4: the outcome, 0-7; bit 5: from
 * another node), so that the content's checks are reached.  Each input
 * runs in its own write transaction, aborted afterwards.  Beyond "no
 * crash, no leak, no undefined behaviour" it checks that the code is one
 * disclosure.h promises.
 *
 * Seeds: tests/fuzz/corpus/disclosure.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/file.h"
#include "common/log.h"
#include "common/seen.h"
#include "crypto/keys.h"
#include "node/disclosure/disclosure.h"
#include "storage/store.h"
#include "seen.pb-c.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fuzz_record[] =
    "{\"id\":\"R1\",\"kind\":\"domestic_abuse_incident\",\"date\":"
    "\"2025-06-14\",\"local_authority\":\"Reading\",\"child_voice\":\"words\","
    "\"people\":[{\"ref\":\"c1\",\"role\":\"child\",\"given_name\":\"Mia\"},"
    "{\"ref\":\"p1\",\"role\":\"perpetrator\",\"family_name\":\"Holt\"}]}";

static char dir[256];
static struct seen_store *store;
static struct seen_keys keys;
static struct seen_disclosure dis;

static void
cleanup(void)
{

    seen_store_destroy(&store);
    if (seen_file_remove_tree(dir) != 0)
        perror(dir);
}

static void
put_sealed(struct seen_txn *txn, enum seen_db db, const void *key,
    size_t klen, const void *ad, size_t adlen, const void *val, size_t vlen)
{

    if (seen_store_sealed_put(txn, db, key, klen, ad, adlen, val, vlen) != 0)
        abort();
}

/* The store, the record, its handle and the request this node sent. */
static void
init(void)
{
    Seen__LocalHandle lh = SEEN__LOCAL_HANDLE__INIT;
    Seen__DisclosureState st = SEEN__DISCLOSURE_STATE__INIT;
    uint8_t handle[16], id[16], peer[32], idk[16], key[17], buf[512];
    const char *t = getenv("TMPDIR");
    struct seen_txn *txn;
    char sdir[512];
    size_t len;

    if (sodium_init() < 0)
        abort();
    seen_log_init("fuzz_disclosure", SEEN_LOG_ERROR);
    snprintf(dir, sizeof dir, "%s/seen-fuzz-dis-XXXXXX", t ? t : "/tmp");
    if (mkdtemp(dir) == NULL)
        abort();
    snprintf(sdir, sizeof sdir, "%s/store", dir);
    crypto_sign_keypair(keys.sign_pk, keys.sign_sk);
    crypto_box_keypair(keys.curve_pk, keys.curve_sk);
    randombytes_buf(keys.record_key, sizeof keys.record_key);
    if (seen_store_open(sdir, keys.sign_pk, keys.record_key, 64, 1,
            &store) != 0)
        abort();
    memset(handle, 0x11, sizeof handle);
    memset(id, 0x22, sizeof id);
    memset(peer, 0x33, sizeof peer);
    if (seen_store_begin(store, 1, &txn) != 0)
        abort();
    lh.record = (char *)"R1";
    lh.ref = (char *)"c1";
    lh.role = SEEN__ROLE__CHILD;
    len = seen__local_handle__pack(&lh, buf);
    put_sealed(txn, SEEN_DB_HANDLES, handle, 16, handle, 16, buf, len);
    seen_store_id_key(store, "R1", 2, idk);
    put_sealed(txn, SEEN_DB_RECORDS, idk, 16, "R1", 2, fuzz_record,
        strlen(fuzz_record));
    st.request_id = (ProtobufCBinaryData){16, id};
    st.peer = (ProtobufCBinaryData){32, peer};
    st.handle = (ProtobufCBinaryData){16, handle};
    st.operator_ = (char *)"lead";
    st.purpose = (char *)"a fuzzed purpose";
    st.basis = SEEN__BASIS__SAFEGUARDING_CHILDREN;
    st.requested = 1750000000;
    len = seen__disclosure_state__pack(&st, buf);
    key[0] = 'S';
    memcpy(key + 1, id, 16);
    put_sealed(txn, SEEN_DB_DISCLOSURES, key, 17, key, 17, buf, len);
    if (seen_store_commit(txn) != 0)
        abort();
    dis = (struct seen_disclosure){.store = store, .keys = &keys,
        .node = "fuzz-node", .type = "police"};
    atexit(cleanup);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    Seen__DisclosureResponse r = SEEN__DISCLOSURE_RESPONSE__INIT;
    uint8_t id[16], from[32], *sealed = NULL, *body = NULL;
    size_t slen = 0, blen = 0;
    struct seen_txn *txn;
    int rc, type;

    if (!ready) {
        init();
        ready = 1;
    }
    if (size < 1)
        return 0;
    memset(from, (data[0] & 0x20) ? 0x44 : 0x33, sizeof from);
    if (data[0] == 0x40 || data[0] == 0x42) {
        type = data[0] == 0x40 ? SEEN__MSG_TYPE__LOOKUP_NOTICE
                               : SEEN__MSG_TYPE__LOOKUP_ACK;
        body = (uint8_t *)data + 1;
        blen = size - 1;
    } else if ((data[0] & 1) == 0) {
        type = SEEN__MSG_TYPE__DISCLOSURE_REQUEST;
        body = (uint8_t *)data + 1;
        blen = size - 1;
    } else {
        type = SEEN__MSG_TYPE__DISCLOSURE_RESPONSE;
        memset(id, (data[0] & 2) ? 0x23 : 0x22, sizeof id);
        if (seen_disclosure_seal(data + 1, size - 1, keys.curve_pk, &sealed,
                &slen) != 0)
            abort();
        r.request_id = (ProtobufCBinaryData){16, id};
        r.outcome = (Seen__Outcome)((data[0] >> 2) & 7);
        r.decided = 1750000100;
        r.sealed = (ProtobufCBinaryData){slen, sealed};
        blen = seen__disclosure_response__get_packed_size(&r);
        if ((body = malloc(blen)) == NULL)
            abort();
        seen__disclosure_response__pack(&r, body);
    }
    if (seen_store_begin(store, 1, &txn) != 0)
        abort();
    rc = seen_disclosure_on_message(&dis, txn, from, type, body, blen);
    seen_store_abort(txn);
    if (type == SEEN__MSG_TYPE__DISCLOSURE_RESPONSE) {
        free(body);
        free(sealed);
    }
    if (rc != 0 && rc != SEEN_EINVAL && rc != SEEN_EPERM &&
        rc != SEEN_ENOMEM && rc != SEEN_EFULL && rc != SEEN_ERR &&
        rc != SEEN_ECORRUPT)
        abort();
    return 0;
}
