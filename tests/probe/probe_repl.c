/*
 * probe_repl.c: seen-probe's actions against replication: framing an
 * innocent origin with its own checkpoint, and filling a node through its
 * replies (probe_repl.h).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/seen.h"
#include "crypto/keys.h"
#include "crypto/merkle.h"
#include "proto/checkpoint.h"
#include "proto/envelope.h"
#include "storage/feed.h"
#include "storage/store.h"
#include "storage/unlock.h"
#include "seen.pb-c.h"
#include "tests/probe/probe.h"
#include "tests/probe/probe_repl.h"

#define FRAME_LEAVES_MAX 64
#define RANGE_SPAN 2048
#define BIG_HEADS 5000

/* Pack ${msg} and seal it as MsgType ${type} from p->sk to p->target into
 * ${buf}, ${len}.  Returns 0, or -1 having said why not. */
static int
seal_msg(struct probe *p, int type, const ProtobufCMessage *msg,
    uint8_t **buf, size_t *len)
{
    uint8_t *body;
    size_t blen = protobuf_c_message_get_packed_size(msg);
    int rc;

    if ((body = malloc(blen ? blen : 1)) == NULL) {
        fprintf(stderr, "seen-probe: out of memory\n");
        return -1;
    }
    protobuf_c_message_pack(msg, body);
    rc = seen_envelope_seal(p->sk, p->target, type, body, blen, NULL, p->now,
        buf, len);
    free(body);
    if (rc != 0) {
        fprintf(stderr, "seen-probe: cannot seal the envelope: %s\n",
            seen_strerror(rc));
        return -1;
    }
    return 0;
}

/* The latest checkpoint of its own feed that the node at ${home} signed,
 * read from its store (the caller destroys it), or NULL having said why. */
static Seen__Checkpoint *
own_checkpoint(const char *home)
{
    struct seen_unlock_opts o = {.store = 1};
    struct seen_unlock u;
    struct seen_txn *txn = NULL;
    Seen__Checkpoint *cp = NULL;
    const uint8_t *b;
    char why[512] = "";
    uint32_t oidx;
    size_t l;

    if (seen_unlock_home(home, &o, &u, why, sizeof why) != 0) {
        fprintf(stderr, "seen-probe: %s\n", why[0] ? why : "cannot unlock");
        return NULL;
    }
    if (seen_store_begin(u.store, 0, &txn) != 0 ||
        seen_store_origin(txn, u.keys->sign_pk, 0, &oidx) != 0 ||
        seen_feed_checkpoint(txn, oidx, &b, &l) != 0 ||
        seen_checkpoint_decode(b, l, &cp) != 0)
        fprintf(stderr, "seen-probe: '%s' holds no checkpoint of its feed\n",
            home);
    seen_store_abort(txn);
    seen_unlock_release(&u);
    return cp;
}

/* frame: see probe_repl.h. */
int
probe_build_frame(struct probe *p, uint8_t **buf, size_t *len)
{
    Seen__Entries e = SEEN__ENTRIES__INIT;
    Seen__Checkpoint *cp;
    ProtobufCBinaryData lv[FRAME_LEAVES_MAX], pv[SEEN_MERKLE_PROOF_MAX];
    uint8_t leaf[FRAME_LEAVES_MAX][512], proof[SEEN_MERKLE_PROOF_MAX][32];
    size_t i, n, plen = 0;
    int rc = -1;

    if (p->cpfrom == NULL) {
        fprintf(stderr, "seen-probe: frame needs --cp-from ORIGINHOME\n");
        return -1;
    }
    if ((cp = own_checkpoint(p->cpfrom)) == NULL)
        return -1;
    if (cp->size <= p->from) {
        fprintf(stderr, "seen-probe: its checkpoint (size %llu) is not "
                        "beyond --from\n", (unsigned long long)cp->size);
        goto done;
    }
    n = cp->size - p->from < FRAME_LEAVES_MAX ? cp->size - p->from
                                              : FRAME_LEAVES_MAX;
    for (i = 0; i < n; i++) {
        lv[i].data = leaf[i];
        if ((lv[i].len = probe_leaf(cp->origin.data, p->from + i, p->now,
                 leaf[i], sizeof leaf[i])) == 0)
            goto done;
    }
    if (p->from + n < cp->size) {
        /* A proof of the right length, of random hashes. */
        plen = seen_merkle_consistency_len(p->from + n, cp->size);
        randombytes_buf(proof, sizeof proof);
        for (i = 0; i < plen && i < SEEN_MERKLE_PROOF_MAX; i++)
            pv[i] = (ProtobufCBinaryData){32, proof[i]};
    }
    e.origin = cp->origin;
    e.from = p->from;
    e.n_leaves = n;
    e.leaves = lv;
    e.checkpoint = cp;
    e.n_consistency = plen;
    e.consistency = pv;
    rc = seal_msg(p, SEEN__MSG_TYPE__ENTRIES, (const ProtobufCMessage *)&e, buf,
        len);
done:
    seen_checkpoint_destroy(&cp);
    return rc;
}

/* range-flood: see probe_repl.h. */
int
probe_build_range(struct probe *p, uint8_t **buf, size_t *len)
{
    Seen__GetRange g = SEEN__GET_RANGE__INIT;

    g.origin = (ProtobufCBinaryData){32, p->target};
    g.from = p->from + p->seq;
    g.to = p->size > g.from ? p->size : g.from + RANGE_SPAN;
    return seal_msg(p, SEEN__MSG_TYPE__GET_RANGE, (const ProtobufCMessage *)&g,
        buf, len);
}

/* big-heads: see probe_repl.h. */
int
probe_build_big_heads(struct probe *p, uint8_t **buf, size_t *len)
{
    Seen__Heads hs = SEEN__HEADS__INIT;
    Seen__FeedHead *h = NULL, **hp = NULL;
    Seen__Checkpoint *cps = NULL;
    uint8_t (*origins)[32] = NULL, (*roots)[32] = NULL, sig[64];
    size_t i, n = p->size ? (size_t)p->size : BIG_HEADS;
    int rc = -1;

    h = calloc(n, sizeof *h);
    hp = calloc(n, sizeof *hp);
    cps = calloc(n, sizeof *cps);
    origins = calloc(n, sizeof *origins);
    roots = calloc(n, sizeof *roots);
    if (h == NULL || hp == NULL || cps == NULL || origins == NULL ||
        roots == NULL) {
        fprintf(stderr, "seen-probe: out of memory\n");
        goto done;
    }
    /* Every head of the signer's own feed (an active member: each one
     * costs a signature check unless refused whole), but the first. */
    randombytes_buf(origins, n * sizeof *origins);
    for (i = 1; i < n; i++)
        memcpy(origins[i], p->sk->sign_pk, 32);
    randombytes_buf(roots, n * sizeof *roots);
    randombytes_buf(sig, sizeof sig);
    for (i = 0; i < n; i++) {
        seen__checkpoint__init(&cps[i]);
        cps[i].origin = (ProtobufCBinaryData){32, origins[i]};
        cps[i].size = 1000;
        cps[i].root = (ProtobufCBinaryData){32, roots[i]};
        cps[i].signature = (ProtobufCBinaryData){sizeof sig, sig};
        seen__feed_head__init(&h[i]);
        h[i].origin = cps[i].origin;
        h[i].size = 1000;
        h[i].checkpoint = &cps[i];
        hp[i] = &h[i];
    }
    hs.n_heads = n;
    hs.heads = hp;
    rc = seal_msg(p, SEEN__MSG_TYPE__HEADS, (const ProtobufCMessage *)&hs,
        buf, len);
done:
    free(h);
    free(hp);
    free(cps);
    free(origins);
    free(roots);
    return rc;
}

/* hello-flood: see probe_repl.h. */
int
probe_build_old_hello(struct probe *p, uint8_t **buf, size_t *len)
{
    Seen__Hello h = SEEN__HELLO__INIT;

    h.membership_version = 0;
    h.node = (char *)"seen-probe";
    return seal_msg(p, SEEN__MSG_TYPE__HELLO, (const ProtobufCMessage *)&h,
        buf, len);
}
