#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/bytes.h"
#include "common/hex.h"
#include "crypto/merkle.h"
#include "crypto/sign.h"
#include "proto/checkpoint.h"
#include "proto/envelope.h"
#include "proto/membership.h"
#include "xlog/audit.h"
#include "xlog/audit_check.h"
#include "xlog/audit_format.h"
#include "xlog/xlog.h"
#include "seen.pb-c.h"

/* Failures of one check reported one by one before they are summed up. */
#define REPORT_MAX 20

static const char *const check_names[C_N] = {
    "manifest",
    "authority",
    "membership",
    "leaves",
    "envelopes",
    "tree",
    "checkpoints",
    "cosignatures",
    "peer_checkpoints",
    "evidence",
    "cross",
};

/* Pass the result ${d} of ${check} of ${a} to its callback, if any. */
static void
emit(struct seen_audit *a, int check, int ok, int finding, const char *d)
{
    struct seen_audit_check c;

    c.export = a->label;
    c.check = check_names[check];
    c.ok = ok;
    c.finding = finding;
    c.detail = d;
    if (a->fn != NULL)
        a->fn(a->ctx, &c);
}

/**
 * seen_audit_report(a, check, ok, finding, fmt, ...):
 * Report one result of ${check} (enum check_id) of ${a} to its callback:
 * passed (${ok} 1, a finding when ${finding}) or failed, with the detail
 * formatted from ${fmt}.  A failure counts; only the first few of a check
 * are reported (seen_audit_report_more() says how many more).
 */
void
seen_audit_report(
    struct seen_audit *a, int check, int ok, int finding, const char *fmt, ...)
{
    char d[768];
    va_list ap;

    if (!ok) {
        a->failures++;
        if (++a->fails[check] > REPORT_MAX)
            return;
    }
    if (finding)
        a->findings++;
    va_start(ap, fmt);
    vsnprintf(d, sizeof d, fmt, ap);
    va_end(ap);
    emit(a, check, ok, finding, d);
}

/**
 * seen_audit_report_more(a, check):
 * Report how many failures of ${check} of ${a} were counted but not
 * reported, if any.
 */
void
seen_audit_report_more(struct seen_audit *a, int check)
{
    char d[128];

    if (a->fails[check] <= REPORT_MAX)
        return;
    snprintf(d, sizeof d, "and %llu more failures of this check",
        (unsigned long long)(a->fails[check] - REPORT_MAX));
    emit(a, check, 0, 0, d);
}

/**
 * seen_audit_name_of(a, pk, buf):
 * Return a name for the key ${pk} in messages about ${a}: its member's
 * name in quotes, or "key" and its first 16 hex digits; written to ${buf}
 * (80 bytes), which is returned.
 */
const char *
seen_audit_name_of(
    const struct seen_audit *a, const uint8_t pk[static 32], char buf[80])
{
    const Seen__Member *mb;
    char h[65];

    if (a->m != NULL && (mb = seen_membership_by_sign(a->m, pk)) != NULL) {
        snprintf(buf, 80, "'%s'", mb->name);
        return buf;
    }
    seen_hex_encode(h, pk, 32);
    snprintf(buf, 80, "key %.16s...", h);
    return buf;
}

/**
 * seen_audit_grow(a, v, cap, n, size, first):
 * Make room for one more element of ${size} bytes in the array ${v} of
 * ${a}, which holds ${n} of the *${cap} it has room for: when it is
 * full, double it (to ${first} from none).
 * Returns the array, perhaps moved (store it over ${v}); NULL out of
 * memory (a->nomem is then set, and ${v} is as it was).
 */
void *
seen_audit_grow(struct seen_audit *a, void *v, size_t *cap, size_t n,
    size_t size, size_t first)
{
    size_t c;

    if (n < *cap)
        return v;
    c = *cap ? *cap * 2 : first;
    if (c > SIZE_MAX / size || (v = realloc(v, c * size)) == NULL) {
        a->nomem = 1;
        return NULL;
    }
    *cap = c;
    return v;
}

/* 1 if ${pk} is the key of a member of the export's federation. */
static int
is_member(const struct seen_audit *a, const uint8_t pk[32])
{

    return a->m != NULL && seen_membership_by_sign(a->m, pk) != NULL;
}

/* Parse the first two lines of the manifest: the format and the owner. */
static const char *
manifest_owner(const struct seen_audit_buf *b, uint8_t owner[32])
{
    static const char magic[] = SEEN_AUDIT_MAGIC "\nowner ";
    const char *p = (const char *)b->data;
    size_t i, ml = sizeof magic - 1;

    if (!b->present)
        return "manifest.txt is missing";
    if (b->len < ml + 65 || memcmp(p, magic, ml) != 0)
        return "manifest.txt does not begin with '" SEEN_AUDIT_MAGIC
               "' and an owner line";
    for (i = 0; i < 64; i++) {
        char c = p[ml + i];

        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return "manifest.txt: the owner is not 64 lower-case hex digits";
    }
    if (p[ml + 64] != '\n')
        return "manifest.txt: the owner is not 64 lower-case hex digits";
    if (sodium_hex2bin(owner, 32, p + ml, 64, NULL, NULL, NULL) != 0)
        return "manifest.txt: the owner is not 64 lower-case hex digits";
    return NULL;
}

/* Check authority.bin, against the key required if any. */
static void
check_authority(struct seen_audit *a, const struct seen_audit_buf *in,
    const struct seen_audit_opts *o)
{
    const struct seen_audit_buf *b = &in[SEEN_AUDIT_AUTHORITY];
    char h[65], w[65];

    if (b->len == 32) {
        memcpy(a->authority, b->data, 32);
        a->has_authority = 1;
    }
    if (b->len != 0 && b->len != 32) {
        seen_audit_report(
            a, C_AUTHORITY, 0, 0, "authority.bin is %zu bytes, not 32", b->len);
        return;
    }
    if (o->authority != NULL) {
        seen_hex_encode(w, o->authority, 32);
        if (!a->has_authority) {
            seen_audit_report(a, C_AUTHORITY, 0, 0,
                "no authority key in the export; %s was required", w);
            return;
        }
        seen_hex_encode(h, a->authority, 32);
        if (sodium_memcmp(a->authority, o->authority, 32) != 0) {
            seen_audit_report(a, C_AUTHORITY, 0, 0,
                "the export's authority is %s, not %s as required", h, w);
            return;
        }
        seen_audit_report(a, C_AUTHORITY, 1, 0, "%s, as required", h);
        return;
    }
    if (a->has_authority) {
        seen_hex_encode(h, a->authority, 32);
        seen_audit_report(a, C_AUTHORITY, 1, 0,
            "%s: compare it with the key you trust (or give --authority)", h);
    } else {
        seen_audit_report(
            a, C_AUTHORITY, 1, 0, "none (no membership document)");
    }
}

/* Check membership.bin: signed by the authority, naming the owner. */
static void
check_membership(struct seen_audit *a, const struct seen_audit_buf *in,
    const struct seen_audit_opts *o)
{
    const struct seen_audit_buf *b = &in[SEEN_AUDIT_MEMBERSHIP];
    const Seen__Member *me;
    char h[65];
    int rc;

    seen_hex_encode(h, a->owner, 32);
    if (b->len == 0) {
        if (o->owner != NULL && sodium_memcmp(o->owner, a->owner, 32) == 0)
            seen_audit_report(a, C_MEMBERSHIP, 1, 0,
                "no membership document: the owner %s is accepted as given", h);
        else
            seen_audit_report(a, C_MEMBERSHIP, 0, 0,
                "no membership document: nothing vouches for the owner's key "
                "%s (give --owner to accept it)",
                h);
        return;
    }
    if (!a->has_authority) {
        seen_audit_report(a, C_MEMBERSHIP, 0, 0,
            "a membership document but no authority key to check it");
        return;
    }
    rc = seen_membership_open(b->data, b->len, a->authority, &a->m);
    if (rc == SEEN_ENOMEM)
        a->nomem = 1;
    if (rc != 0) {
        seen_audit_report(a, C_MEMBERSHIP, 0, 0,
            "the membership document does not verify under the authority key: "
            "%s",
            seen_strerror(rc));
        return;
    }
    if ((me = seen_membership_by_sign(a->m, a->owner)) == NULL) {
        seen_audit_report(a, C_MEMBERSHIP, 0, 0,
            "the owner %s is not a member of '%s' (version %llu)", h,
            seen_membership_federation(a->m),
            (unsigned long long)seen_membership_version(a->m));
        return;
    }
    seen_audit_report(a, C_MEMBERSHIP, 1, 0,
        "version %llu of '%s' signed by the authority; the log's owner is '%s' "
        "(%s, %s), key %s",
        (unsigned long long)seen_membership_version(a->m),
        seen_membership_federation(a->m), me->name, me->agency,
        seen_membership_active(me) ? "active" : "revoked", h);
}

/* Remember that leaves from ${i} on carry signed_size ${s}. */
static void
note_signed_size(struct seen_audit *a, uint64_t s, uint64_t i)
{
    uint64_t *p;

    if (s == 0 || (a->nss > 0 && a->ss[2 * (a->nss - 1)] == s))
        return;
    if ((p = seen_audit_grow(a, a->ss, &a->capss, a->nss, 2 * sizeof *p,
             32)) == NULL)
        return;
    a->ss = p;
    a->ss[2 * a->nss] = s;
    a->ss[2 * a->nss + 1] = i;
    a->nss++;
}

/* The envelope of leaf ${i}: signature, peer, header checkpoint. */
static void
check_leaf_envelope(
    struct seen_audit *a, uint64_t i, const struct seen_xlog_leafview *v)
{
    const Seen__Header *h = v->part->header;
    const Seen__Checkpoint *c = h->checkpoint;
    int sent = v->leaf->kind == SEEN__XLOG_KIND__XLOG_SENT;
    char nm[80];

    if (seen_verify(v->env->signature.data, SEEN_DOMAIN_ENVELOPE,
            v->env->signed_.data, v->env->signed_.len, h->sender.data) != 0)
        seen_audit_report(a, C_ENVELOPES, 0, 0,
            "leaf %llu: the %s envelope's signature does not verify under its "
            "sender",
            (unsigned long long)i, sent ? "sent" : "received");
    if (!is_member(a, v->leaf->peer.data))
        seen_audit_report(a, C_ENVELOPES, 0, 0,
            "leaf %llu: the peer %s is not a member", (unsigned long long)i,
            seen_audit_name_of(a, v->leaf->peer.data, nm));
    if (c == NULL)
        return;
    if (seen_checkpoint_verify(c, SEEN_DOMAIN_XLOG_CHECKPOINT) != 0) {
        seen_audit_report(a, C_ENVELOPES, 0, 0,
            "leaf %llu: the checkpoint in the envelope's header is not signed "
            "by its sender",
            (unsigned long long)i);
        return;
    }
    if (sent && c->size > i) {
        seen_audit_report(a, C_ENVELOPES, 0, 0,
            "leaf %llu: the sent envelope carries a checkpoint of size %llu, "
            "beyond its own leaf",
            (unsigned long long)i, (unsigned long long)c->size);
        return;
    }
    (void)seen_audit_add_claim(a, c, sent ? SRC_SENT : SRC_RECEIVED, i);
}

/* Frame and hash the leaves: a->lh, a->n. */
static void
hash_leaves(struct seen_audit *a, const struct seen_audit_buf *b)
{
    uint8_t(*nl)[32];
    const uint8_t *fr;
    size_t off = 0, flen;
    int r;

    while ((r = seen_audit_next_frame(
                b, &off, SEEN_XLOG_LEAF_MAX, &fr, &flen)) != 0) {
        if (r < 0) {
            seen_audit_report(a, C_LEAVES, 0, 0,
                "leaves.bin: byte %zu does not begin a whole frame (a 4-byte "
                "length and at most %u bytes)",
                off, (unsigned)SEEN_XLOG_LEAF_MAX);
            break;
        }
        if ((nl = seen_audit_grow(a, a->lh, &a->lhcap, a->n, 32, 256)) ==
            NULL)
            break;
        a->lh = nl;
        seen_merkle_leaf_hash(a->lh[a->n++], fr, flen);
    }
}

/* Remember that leaf ${i} is an XLOG_EVIDENCE leaf with the record
 * ${rec}, to be found in evidence.bin (check_evidence_leaves()). */
static void
note_evidence_leaf(
    struct seen_audit *a, uint64_t i, const ProtobufCBinaryData *rec)
{
    struct ev_leaf *p;

    if ((p = seen_audit_grow(a, a->evl, &a->capevl, a->nevl, sizeof *p, 8)) ==
        NULL)
        return;
    a->evl = p;
    crypto_hash_sha256(a->evl[a->nevl].sha,
        rec->data ? rec->data : (const uint8_t *)"", rec->len);
    a->evl[a->nevl++].at = i;
}

/* Check the a->n leaves framed by hash_leaves(). */
static void
check_leaves(struct seen_audit *a, const struct seen_audit_buf *b)
{
    struct seen_xlog_leafview v;
    const uint8_t *fr;
    const char *why;
    uint64_t kinds[8] = {0}, prev = 0, i;
    size_t off = 0, flen;
    int r;

    for (i = 0; i < a->n; i++) {
        if (seen_audit_next_frame(b, &off, SEEN_XLOG_LEAF_MAX, &fr, &flen) != 1)
            break;
        if ((r = seen_xlog_leaf_parse(fr, flen, a->owner, i, &v, &why)) != 0) {
            if (r == SEEN_ENOMEM)
                a->nomem = 1;
            else
                seen_audit_report(a, C_LEAVES, 0, 0, "leaf %llu: %s",
                    (unsigned long long)i, why);
            continue;
        }
        if (v.leaf->signed_size < prev)
            seen_audit_report(a, C_LEAVES, 0, 0,
                "leaf %llu: signed_size decreases, from %llu to %llu",
                (unsigned long long)i, (unsigned long long)prev,
                (unsigned long long)v.leaf->signed_size);
        prev = v.leaf->signed_size;
        note_signed_size(a, prev, i);
        kinds[v.leaf->kind]++;
        if (v.env != NULL)
            check_leaf_envelope(a, i, &v);
        if (v.evidence != NULL)
            note_evidence_leaf(a, i, &v.leaf->record);
        seen_xlog_leaf_release(&v);
    }
    if (a->fails[C_LEAVES] == 0)
        seen_audit_report(a, C_LEAVES, 1, 0,
            "%llu leaves decode and keep the leaf rules (sent %llu, received "
            "%llu, queries %llu, decisions %llu, evidence %llu, operator "
            "changes %llu); OPRF requests %llu; signed_size never "
            "decreases",
            (unsigned long long)a->n, (unsigned long long)kinds[1],
            (unsigned long long)kinds[2], (unsigned long long)kinds[3],
            (unsigned long long)kinds[4], (unsigned long long)kinds[5],
            (unsigned long long)kinds[6], (unsigned long long)kinds[7]);
}

/*
 * Whether the consistency proof of the evidence ${ev} fails to reconcile
 * its checkpoints ${sm} and ${lg} (of sizes ${sm} < ${lg}): 1 if it does
 * not (the evidence holds), 0 if it does, -1 out of memory.
 */
static int
unreconciled(const Seen__XLogEvidence *ev, const Seen__Checkpoint *sm,
    const Seen__Checkpoint *lg)
{
    uint8_t(*proof)[32] = NULL;
    size_t i;
    int r;

    if (sm->size == 0)
        return 0;
    if (ev->n_proof > 0 &&
        (proof = malloc(ev->n_proof * sizeof *proof)) == NULL)
        return -1;
    for (i = 0; i < ev->n_proof; i++)
        memcpy(proof[i], ev->proof[i].data, 32);
    r = seen_merkle_verify_consistency(sm->size, lg->size, sm->root.data,
        lg->root.data, (const uint8_t(*)[32])proof, ev->n_proof);
    free(proof);
    return r != 0;
}

/* Check one evidence record, frame ${k}, about a peer's log. */
static void
check_peer_evidence(
    struct seen_audit *a, uint64_t k, const Seen__XLogEvidence *ev)
{
    const Seen__Checkpoint *f = ev->first, *s = ev->second, *sm, *lg;
    char nm[80];
    int holds;

    seen_audit_name_of(a, f->origin.data, nm);
    sm = f->size < s->size ? f : s;
    lg = f->size < s->size ? s : f;
    if (f->size == s->size)
        holds = memcmp(f->root.data, s->root.data, 32) != 0;
    else if ((holds = unreconciled(ev, sm, lg)) < 0) {
        a->nomem = 1;
        return;
    }
    if (!holds)
        seen_audit_report(a, C_EVIDENCE, 0, 0,
            "evidence.bin frame %llu: does not hold: %s",
            (unsigned long long)k,
            f->size == s->size ? "the two checkpoints agree"
                               : "the proof shows the checkpoints consistent");
    else if (f->size == s->size)
        seen_audit_report(a, C_EVIDENCE, 1, 1,
            "evidence.bin frame %llu: %s signed two different roots for size "
            "%llu of its log (equivocation)",
            (unsigned long long)k, nm, (unsigned long long)f->size);
    else
        seen_audit_report(a, C_EVIDENCE, 1, 1,
            "evidence.bin frame %llu: %s signed checkpoints of sizes %llu and "
            "%llu of its log and the consistency proof it gave does not "
            "reconcile them (equivocation, unless the proof was damaged: "
            "compare with its own export)",
            (unsigned long long)k, nm, (unsigned long long)sm->size,
            (unsigned long long)lg->size);
}

/*
 * frame_fn(a, k, fr, flen, ctx): check frame ${k} (${fr}, ${flen} bytes)
 * of a file of ${a}; ${ctx} is each_frame()'s caller's.  Returns 0 to go
 * on, 1 to stop (out of memory).
 */
typedef int frame_fn(struct seen_audit *a, uint64_t k, const uint8_t *fr,
    size_t flen, void *ctx);

/* Call ${fn} on each frame of the file in[${f}] (frames of at most
 * SEEN_AUDIT_FRAME_MAX bytes): bytes that do not begin a whole frame fail
 * ${check} and end the file. */
static void
each_frame(struct seen_audit *a, const struct seen_audit_buf *in,
    enum seen_audit_file f, int check, frame_fn *fn, void *ctx)
{
    const uint8_t *fr;
    size_t off = 0, flen;
    uint64_t k;
    int r;

    for (k = 0; (r = seen_audit_next_frame(&in[f], &off, SEEN_AUDIT_FRAME_MAX,
                     &fr, &flen)) != 0;
         k++) {
        if (r < 0) {
            seen_audit_report(a, check, 0, 0,
                "%s: byte %zu does not begin a whole frame",
                seen_audit_file_name(f), off);
            return;
        }
        if (fn(a, k, fr, flen, ctx) != 0)
            return;
    }
}

/* The longest sort key of a frame: an origin and a SHA-256 digest. */
#define ORDER_KEY_MAX (32 + 32)

/* The order of the frames of a file (docs/audit-format.md, section 2):
 * each frame's sort key must be above the last one's. */
struct order {
    enum seen_audit_file f;
    int check;      /* enum check_id */
    const char *by; /* what the key is, for messages */
    uint8_t last[ORDER_KEY_MAX];
    uint64_t at;    /* the frame of last */
    int any;        /* 0: no key yet */
};

/* Check that the sort key ${key} (${n} bytes, the same for every frame
 * of the file) of frame ${k} comes after the last one ${o} saw. */
static void
in_order(struct seen_audit *a, struct order *o, uint64_t k,
    const uint8_t *key, size_t n)
{

    if (o->any && memcmp(key, o->last, n) <= 0)
        seen_audit_report(a, o->check, 0, 0,
            "%s frame %llu does not come after frame %llu in the file's order "
            "(%s, strictly increasing): frames were moved or repeated",
            seen_audit_file_name(o->f), (unsigned long long)k,
            (unsigned long long)o->at, o->by);
    memcpy(o->last, key, n);
    o->at = k;
    o->any = 1;
}

/* How a file of checkpoints is checked (a checkpoint_frame() context). */
struct cp_file {
    enum seen_audit_file f;
    int check;             /* enum check_id */
    int src;               /* enum claim_src */
    int owners;            /* 1: of the owner's log; 0: of a member's other */
    const char *wrong_log; /* what a checkpoint of the wrong log is */
    const char *bad_sig;   /* what one whose signature fails is */
    const char *by;        /* the order of the file */
    uint64_t good;         /* frames that passed */
};

/* checkpoints.bin: the checkpoints the owner signed of its log. */
static const struct cp_file own_checkpoints = {SEEN_AUDIT_CHECKPOINTS,
    C_CHECKPOINTS, SRC_OWN, 1, "a checkpoint of another log",
    "the signature does not verify under the owner's key", "size, then time",
    0};

/* peer-checkpoints.bin: the latest checkpoint held of each member's. */
static const struct cp_file peer_checkpoints = {SEEN_AUDIT_PEERS, C_PEERS,
    SRC_PEER, 0, "a checkpoint of the owner's own log",
    "the signature does not verify", "origin", 0};

/* Write the sort key of a checkpoint ${c} of a file that ${cf} says to
 * ${key}; returns its length. */
static size_t
cp_order_key(const struct cp_file *cf, const Seen__Checkpoint *c,
    uint8_t key[ORDER_KEY_MAX])
{

    if (!cf->owners) {
        memcpy(key, c->origin.data, 32);
        return 32;
    }
    seen_be64(key, c->size);
    seen_be64(key + 8, c->time);
    return 16;
}

/* A file of checkpoints being checked. */
struct cp_ctx {
    struct cp_file cf;
    struct order ord;
};

/* A frame of a file of checkpoints, as the struct cp_ctx ${ctx} says: a
 * well-formed checkpoint of the right log, validly signed, by a member
 * (for another log than the owner's). */
static int
checkpoint_frame(struct seen_audit *a, uint64_t k, const uint8_t *fr,
    size_t flen, void *ctx)
{
    struct cp_ctx *cx = ctx;
    struct cp_file *cf = &cx->cf;
    const char *file = seen_audit_file_name(cf->f);
    uint8_t key[ORDER_KEY_MAX];
    Seen__Checkpoint *c;
    char nm[80];

    if (seen_checkpoint_decode(fr, flen, &c) != 0) {
        seen_audit_report(a, cf->check, 0, 0,
            "%s frame %llu: not a well-formed checkpoint", file,
            (unsigned long long)k);
        return 0;
    }
    in_order(a, &cx->ord, k, key, cp_order_key(cf, c, key));
    if ((memcmp(c->origin.data, a->owner, 32) == 0) != cf->owners)
        seen_audit_report(a, cf->check, 0, 0, "%s frame %llu: %s", file,
            (unsigned long long)k, cf->wrong_log);
    else if (seen_checkpoint_verify(c, SEEN_DOMAIN_XLOG_CHECKPOINT) != 0)
        seen_audit_report(a, cf->check, 0, 0, "%s frame %llu: %s", file,
            (unsigned long long)k, cf->bad_sig);
    else if (!cf->owners && !is_member(a, c->origin.data))
        seen_audit_report(a, cf->check, 0, 0,
            "%s frame %llu: its origin %s is not a member", file,
            (unsigned long long)k, seen_audit_name_of(a, c->origin.data, nm));
    else if (seen_audit_add_claim(a, c, cf->src, k) == 0)
        cf->good++;
    seen_checkpoint_destroy(&c);
    return 0;
}

/* Check the frames of the file of checkpoints ${cf} says; returns how
 * many passed. */
static uint64_t
check_checkpoints(struct seen_audit *a, const struct seen_audit_buf *in,
    const struct cp_file *cf)
{
    struct cp_ctx c;

    memset(&c, 0, sizeof c);
    c.cf = *cf;
    c.ord.f = cf->f;
    c.ord.check = cf->check;
    c.ord.by = cf->by;
    each_frame(a, in, c.cf.f, c.cf.check, checkpoint_frame, &c);
    return c.cf.good;
}

/* A frame of cosignatures.bin: a member's cosignature of a checkpoint of
 * the owner's log. */
static int
cosignature(struct seen_audit *a, uint64_t k, const uint8_t *fr, size_t flen,
    void *ctx)
{
    uint8_t key[ORDER_KEY_MAX];
    Seen__Cosignature *cs;
    Seen__Checkpoint *c;
    char nm[80];
    int r;

    if ((r = seen_xlog_cosignature_open(fr, flen, &cs, &c)) != 0) {
        seen_audit_report(a, C_COSIGNATURES, 0, 0,
            "cosignatures.bin frame %llu: %s", (unsigned long long)k,
            r == SEEN_EAUTH ? "a signature does not verify"
                            : "not a well-formed cosignature");
        return 0;
    }
    seen_be64(key, c->size);
    seen_be64(key + 8, c->time);
    memcpy(key + 16, cs->witness.data, 32);
    in_order(a, ctx, k, key, sizeof key);
    if (memcmp(c->origin.data, a->owner, 32) != 0)
        seen_audit_report(a, C_COSIGNATURES, 0, 0,
            "cosignatures.bin frame %llu: countersigns a checkpoint of "
            "another log",
            (unsigned long long)k);
    else if (!is_member(a, cs->witness.data))
        seen_audit_report(a, C_COSIGNATURES, 0, 0,
            "cosignatures.bin frame %llu: the witness %s is not a member",
            (unsigned long long)k, seen_audit_name_of(a, cs->witness.data, nm));
    else
        (void)seen_audit_add_claim(a, c, SRC_COSIG, k);
    seen_checkpoint_destroy(&c);
    seen__cosignature__free_unpacked(cs, NULL);
    return 0;
}

/* Check the frames of peer-checkpoints.bin, and say how many passed. */
static void
check_peer_checkpoints(struct seen_audit *a, const struct seen_audit_buf *in)
{
    uint64_t good;

    good = check_checkpoints(a, in, &peer_checkpoints);
    if (a->fails[C_PEERS] == 0)
        seen_audit_report(a, C_PEERS, 1, 0,
            "%llu checkpoints of peers' logs, each signed by a member",
            (unsigned long long)good);
}

/* 1 unless ${ev} is two validly signed checkpoints of one log (or one,
 * against the owner's own) and a proof of 32-byte hashes. */
static int
bad_evidence(const Seen__XLogEvidence *ev)
{
    size_t i;
    int bad;

    bad = ev->first == NULL || ev->n_proof > SEEN_MERKLE_PROOF_MAX ||
          seen_checkpoint_verify(ev->first, SEEN_DOMAIN_XLOG_CHECKPOINT) != 0 ||
          (ev->second != NULL &&
              (seen_checkpoint_verify(ev->second,
                   SEEN_DOMAIN_XLOG_CHECKPOINT) != 0 ||
                  memcmp(ev->first->origin.data, ev->second->origin.data,
                      32) != 0));
    for (i = 0; !bad && i < ev->n_proof; i++)
        bad = ev->proof[i].len != 32;
    return bad;
}

/* Note the evidence ${ev}, frame ${k}, against the owner's own log: its
 * claims, decided with the tree.  Returns 0, or -1 out of memory. */
static int
note_own_evidence(
    struct seen_audit *a, uint64_t k, const Seen__XLogEvidence *ev)
{
    struct own_ev *no;

    if ((no = seen_audit_grow(a, a->oev, &a->capoev, a->noev, sizeof *no,
             8)) == NULL)
        return -1;
    a->oev = no;
    no = &a->oev[a->noev];
    no->at = k;
    no->first = a->ncl;
    no->second = SIZE_MAX;
    if (seen_audit_add_claim(a, ev->first, SRC_EVIDENCE, k) == 0) {
        if (ev->second != NULL &&
            seen_audit_add_claim(a, ev->second, SRC_EVIDENCE, k) == 0)
            no->second = a->ncl - 1;
        a->noev++;
    }
    return 0;
}

/* A frame of evidence.bin: two checkpoints of one log that cannot both
 * be true, against a peer's log or the owner's own. */
static int
evidence(struct seen_audit *a, uint64_t k, const uint8_t *fr, size_t flen,
    void *ctx)
{
    uint8_t key[ORDER_KEY_MAX], (*h)[32];
    Seen__XLogEvidence *ev;
    int stop = 0;

    if ((h = seen_audit_grow(a, a->evf, &a->capevf, a->nevf, sizeof *h,
             8)) == NULL)
        return 1;
    a->evf = h;
    crypto_hash_sha256(a->evf[a->nevf++], fr ? fr : (const uint8_t *)"", flen);
    if ((ev = seen__xlog_evidence__unpack(NULL, flen, fr)) == NULL) {
        seen_audit_report(a, C_EVIDENCE, 0, 0,
            "evidence.bin frame %llu: does not decode", (unsigned long long)k);
        return 0;
    }
    if (ev->first != NULL && ev->first->origin.len == 32) {
        memcpy(key, ev->first->origin.data, 32);
        memcpy(key + 32, a->evf[a->nevf - 1], 32);
        in_order(a, ctx, k, key, sizeof key);
    }
    if (bad_evidence(ev)) {
        seen_audit_report(a, C_EVIDENCE, 0, 0,
            "evidence.bin frame %llu: not two validly signed checkpoints "
            "of one log and a proof",
            (unsigned long long)k);
    } else if (memcmp(ev->first->origin.data, a->owner, 32) == 0) {
        stop = note_own_evidence(a, k, ev) != 0;
    } else if (ev->second == NULL) {
        seen_audit_report(a, C_EVIDENCE, 0, 0,
            "evidence.bin frame %llu: one checkpoint of another node's log "
            "is no evidence",
            (unsigned long long)k);
    } else {
        check_peer_evidence(a, k, ev);
        (void)seen_audit_add_claim(a, ev->first, SRC_EVIDENCE, k);
        (void)seen_audit_add_claim(a, ev->second, SRC_EVIDENCE, k);
    }
    seen__xlog_evidence__free_unpacked(ev, NULL);
    return stop;
}

/* qsort() and bsearch() order of SHA-256 digests. */
static int
cmp_sha(const void *x, const void *y)
{

    return memcmp(x, y, 32);
}

/* Every XLOG_EVIDENCE leaf's record is a frame of evidence.bin, so that
 * evidence the log commits to cannot be left out of the file. */
static void
check_evidence_leaves(struct seen_audit *a)
{
    size_t i;

    if (a->nevf > 0)
        qsort(a->evf, a->nevf, sizeof *a->evf, cmp_sha);
    for (i = 0; i < a->nevl; i++)
        if (a->nevf == 0 || bsearch(a->evl[i].sha, a->evf, a->nevf,
                                sizeof *a->evf, cmp_sha) == NULL)
            seen_audit_report(a, C_EVIDENCE, 0, 0,
                "leaf %llu records evidence that is not in evidence.bin (a "
                "frame was left out or changed)",
                (unsigned long long)a->evl[i].at);
}

/* Check manifest.txt against the files, and report the tree's root. */
static void
check_manifest(struct seen_audit *a, const struct seen_audit_buf *in)
{
    struct seen_audit_fstat st[SEEN_AUDIT_NFILES];
    struct seen_audit_buf b;
    struct seen_merkle_frontier f;
    uint8_t root[32];
    const uint8_t *fr;
    size_t off, flen, mlen, max;
    char *t;
    uint64_t i;
    int fi, r;

    memset(st, 0, sizeof st);
    for (fi = SEEN_AUDIT_LEAVES; fi < SEEN_AUDIT_NFILES; fi++) {
        b = in[fi];
        if (!b.present)
            seen_audit_report(a, C_MANIFEST, 0, 0, "%s is missing",
                seen_audit_file_name(fi));
        crypto_hash_sha256(
            st[fi].sha, b.data ? b.data : (const uint8_t *)"", b.len);
        st[fi].bytes = b.len;
        if (fi == SEEN_AUDIT_MEMBERSHIP || fi == SEEN_AUDIT_AUTHORITY) {
            st[fi].count = b.len > 0;
            continue;
        }
        max = fi == SEEN_AUDIT_LEAVES ? SEEN_XLOG_LEAF_MAX
                                      : SEEN_AUDIT_FRAME_MAX;
        for (off = 0;
             (r = seen_audit_next_frame(&b, &off, max, &fr, &flen)) == 1;)
            st[fi].count++;
    }
    seen_merkle_frontier_init(&f);
    for (i = 0; i < a->n; i++)
        seen_merkle_frontier_append(&f, a->lh[i]);
    seen_merkle_frontier_root(&f, root);
    t = seen_audit_manifest_text(a->owner, a->n, root, st, &mlen);
    if (t == NULL) {
        a->nomem = 1;
        return;
    }
    if (mlen != in[SEEN_AUDIT_MANIFEST].len ||
        memcmp(t, in[SEEN_AUDIT_MANIFEST].data, mlen) != 0)
        seen_audit_report(a, C_MANIFEST, 0, 0,
            "manifest.txt is not the manifest of these files (a file was "
            "changed, or the manifest)");
    else
        seen_audit_report(a, C_MANIFEST, 1, 0,
            "manifest.txt lists these files: their sizes, frame counts and "
            "SHA-256 digests, the log's size and root");
    free(t);
    {
        char hr[65];

        seen_hex_encode(hr, root, 32);
        seen_audit_report(a, C_TREE, 1, 0, "%llu leaves; RFC 9162 root %s",
            (unsigned long long)a->n, hr);
    }
}

/**
 * seen_audit_open(in, label, opts, fn, ctx, out):
 * Parse the export whose files are ${in} (not retained) and check it,
 * reporting every check to ${fn}(${ctx}, ...) under ${label}.  Never
 * crashes on any bytes.
 * [out] ${out}: the parsed export, for seen_audit_cross(), owned by the
 * caller (seen_audit_destroy()), also when checks failed.
 * Returns 0 (see seen_audit_failures() for the verdict); SEEN_ENOMEM.
 */
int
seen_audit_open(const struct seen_audit_buf in[static SEEN_AUDIT_NFILES],
    const char *label, const struct seen_audit_opts *opts,
    seen_audit_report_fn *fn, void *ctx, struct seen_audit **out)
{
    static const struct seen_audit_opts none = {NULL, NULL};
    struct order ord;
    struct seen_audit *a;
    const char *why;
    int c;

    *out = NULL;
    if (opts == NULL)
        opts = &none;
    if ((a = calloc(1, sizeof *a)) == NULL)
        return SEEN_ENOMEM;
    if ((a->label = strdup(label ? label : "export")) == NULL) {
        free(a);
        return SEEN_ENOMEM;
    }
    a->fn = fn;
    a->ctx = ctx;
    memset(&ord, 0, sizeof ord);
    if ((why = manifest_owner(&in[SEEN_AUDIT_MANIFEST], a->owner)) != NULL) {
        a->broken = 1;
        seen_audit_report(a, C_MANIFEST, 0, 0, "%s", why);
        goto done;
    }
    hash_leaves(a, &in[SEEN_AUDIT_LEAVES]);
    check_manifest(a, in);
    check_authority(a, in, opts);
    check_membership(a, in, opts);
    check_leaves(a, &in[SEEN_AUDIT_LEAVES]);
    (void)check_checkpoints(a, in, &own_checkpoints);
    ord.f = SEEN_AUDIT_COSIGNATURES;
    ord.check = C_COSIGNATURES;
    ord.by = "the checkpoint's size and time, then the witness";
    each_frame(
        a, in, SEEN_AUDIT_COSIGNATURES, C_COSIGNATURES, cosignature, &ord);
    check_peer_checkpoints(a, in);
    memset(&ord, 0, sizeof ord);
    ord.f = SEEN_AUDIT_EVIDENCE;
    ord.check = C_EVIDENCE;
    ord.by = "the first checkpoint's origin, then the frame's SHA-256";
    each_frame(a, in, SEEN_AUDIT_EVIDENCE, C_EVIDENCE, evidence, &ord);
    check_evidence_leaves(a);
    seen_audit_check_forks(a);
    seen_audit_check_tree(a);
    if (a->fails[C_EVIDENCE] == 0 && a->findings == 0)
        seen_audit_report(
            a, C_EVIDENCE, 1, 0, "no evidence of equivocation is held");
    for (c = 0; c < C_N; c++)
        seen_audit_report_more(a, c);
done:
    if (a->nomem) {
        seen_audit_destroy(&a);
        return SEEN_ENOMEM;
    }
    a->fn = NULL;
    a->ctx = NULL;
    *out = a;
    return SEEN_OK;
}

/**
 * seen_audit_failures(a):
 * Return the number of checks of ${a} that failed (0: every one passed).
 */
uint64_t
seen_audit_failures(const struct seen_audit *a)
{

    return a->failures;
}

/**
 * seen_audit_findings(a):
 * Return the number of findings reported for ${a}.
 */
uint64_t
seen_audit_findings(const struct seen_audit *a)
{

    return a->findings;
}

/**
 * seen_audit_destroy(&a):
 * Free ${a}.  Sets the caller's pointer to NULL; NULL or a pointer to NULL
 * is a no-op, so it is safe twice.
 */
void
seen_audit_destroy(struct seen_audit **pp)
{
    struct seen_audit *a;

    if (pp == NULL || (a = *pp) == NULL)
        return;
    *pp = NULL;
    seen_membership_destroy(&a->m);
    free(a->lh);
    free(a->cl);
    free(a->oev);
    free(a->ss);
    free(a->evl);
    free(a->evf);
    free(a->label);
    free(a);
}
