/*
 * seen-probe: a hostile (or merely honest) peer for integration tests.
 *
 *   seen-probe --home NODEHOME --to ENDPOINT --to-curve HEX --to-sign HEX
 *              [--keys-from NODEHOME2] [--from N] [--timeout MS]
 *              [--size N] [--size-above K] [--proof-len N] [--held FILE]
 *              [--cp-from NODEHOME3] [--count N] [--reset S] ACTION
 *
 * Connects one DEALER, as a CURVE client with the keys of the node at
 * NODEHOME (its keystore opened with the passphrase of
 * $SEEN_PASSPHRASE_FILE), to the node listening on ENDPOINT whose CURVE
 * and Ed25519 public keys are the two HEX values, sends what ACTION says,
 * waits half a second so that it is delivered, and exits.  Envelopes are
 * signed with NODEHOME's Ed25519 key, or with NODEHOME2's when
 * --keys-from is given (a valid CURVE peer signing as another member).
 *
 * ACTION is one of:
 *   hello            a valid signed HELLO (accepted)
 *   replay           one valid HELLO, its bytes sent twice (replayed)
 *   forged           a valid HELLO with one signature byte flipped
 *   tampered         a valid HELLO with one byte of its msg_id (inside the
 *                    signed part) flipped (bad_signature)
 *   stale            a HELLO timed one hour in the past (replayed)
 *   wrong-recipient  a HELLO addressed to a random key (unknown_sender)
 *   inconsistent     an ENTRIES of the signer's own feed: two well-formed
 *                    leaves from seq N (--from, the size of that feed the
 *                    target holds) and a checkpoint of size N+2 signed by
 *                    the signer whose root is random (inconsistent)
 *   garbage          a frame of random bytes (malformed)
 *   get-xproof       a GET_XPROOF from --from to --size (sizes of the
 *                    target's exchange log)
 *   xproof           an XPROOF of the signer's exchange log from --from
 *                    to --size: a checkpoint of size --size, signed by
 *                    the signer (or by NODEHOME3's key, --cp-from: a
 *                    checkpoint of another log) over a random root, and
 *                    --proof-len random hashes (default: the length of a
 *                    proof between those sizes).  With --held FILE (a
 *                    peer-checkpoints.bin of the target's audit export),
 *                    --from is the size of the signer's checkpoint the
 *                    target holds, and --size that plus --size-above
 *                    (default 7): a proof that does not hold
 *                    (inconsistent)
 *   disclosure-bare, disclosure-unmatched, disclosure-query,
 *   disclosure-matched, disclosure-answer
 *                    disclosure requests for the entries of --handles
 *                    FILE (with no reason on record, naming a random
 *                    entry, a made-up query, or --match HEX), and an
 *                    answer to a request never sent (probe_disclosure.h)
 *   frame, range-flood, big-heads, hello-flood
 *                    against replication: see probe_repl.h
 *
 *   connect-flood, flood-forged, multi-frame, oversized
 *                    the transport's attacks: tests/probe/probe_transport.h
 *                    (--count N, default 1000)
 *
 * With --count N, a flood action (the disclosure ones, range-flood and
 * hello-flood) sends N frames (default 1), each built anew (a new message
 * id), over the one connection, as fast as it will take them.
 *
 * The socket queues only to a completed connection (ZMQ_IMMEDIATE), so a
 * CURVE handshake the target's ZAP handler refuses means nothing can be
 * sent.  Exit status: 0 sent; 1 error (keystore, arguments that do not
 * parse as keys); 2 bad usage; 3 could not deliver within --timeout
 * milliseconds (default 3000): the connection never completed.  On
 * success one JSON line on standard output: {"action", "sent", "sender"}.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "common/clock.h"
#include "common/bytes.h"
#include "common/hex.h"
#include "common/home.h"
#include "common/log.h"
#include "common/passphrase.h"
#include "crypto/keys.h"
#include "crypto/keystore.h"
#include "crypto/merkle.h"
#include "match/tokens.h"
#include "proto/checkpoint.h"
#include "proto/envelope.h"
#include "tests/probe/probe_disclosure.h"
#include "seen.pb-c.h"
#include "tests/probe/probe.h"
#include "tests/probe/probe_repl.h"
#include "tests/probe/probe_transport.h"

#define EXIT_UNDELIVERED 3
#define GARBAGE_BYTES 200
#define LEAVES 2

static const char usage[] =
    "usage: seen-probe --home NODEHOME --to ENDPOINT --to-curve HEX "
    "--to-sign HEX\n"
    "                  [--keys-from NODEHOME2] [--from N] [--timeout MS]\n"
    "                  [--size N] [--size-above K] [--proof-len N] "
    "[--held FILE]\n"
    "                  [--cp-from NODEHOME3] [--count N] [--reset S]\n"
    "                  [--handles FILE] [--match HEX] ACTION\n"
    "ACTION: hello, replay, forged, tampered, stale, wrong-recipient,\n"
    "        inconsistent, garbage, get-xproof, xproof, disclosure-bare,\n"
    "        disclosure-unmatched, disclosure-query, disclosure-matched,\n"
    "        disclosure-answer, frame, range-flood, big-heads, hello-flood,\n"
    "        connect-flood, flood-forged, multi-frame, oversized\n";

/* Sleep ${ms} milliseconds, through signals. */
static void
sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Open the keystore of the node home ${home}. */
static struct seen_keys *
load_keys(const char *home, const char *pass, size_t passlen)
{
    char path[SEEN_PATH_LEN];
    struct seen_keys *k = NULL;
    int rc;

    if (seen_home_path(home, "keystore", path, sizeof path) == NULL)
        return NULL;
    if ((rc = seen_keystore_read(path, pass, passlen, &k)) != 0) {
        fprintf(stderr, "seen-probe: cannot open '%s': %s\n", path,
            seen_strerror(rc));
        return NULL;
    }
    return k;
}

/* A sealed HELLO from ${k} to ${to}, timed ${t}. */
static int
seal_hello(const struct seen_keys *k, const uint8_t to[32], uint64_t t,
    uint8_t **env, size_t *len)
{
    Seen__Hello h = SEEN__HELLO__INIT;
    uint8_t body[256];
    size_t blen;

    h.membership_version = 1;
    h.node = (char *)"seen-probe";
    blen = seen__hello__get_packed_size(&h);
    if (blen > sizeof body)
        return SEEN_EINVAL;
    seen__hello__pack(&h, body);
    return seen_envelope_seal(k, to, SEEN__MSG_TYPE__HELLO, body, blen, NULL,
        t, env, len);
}

/* probe_leaf: see probe.h. */
size_t
probe_leaf(const uint8_t origin[32], uint64_t seq, uint64_t t, uint8_t *buf,
    size_t cap)
{
    Seen__FeedEntry fe = SEEN__FEED_ENTRY__INIT;
    Seen__IndexEntry ie = SEEN__INDEX_ENTRY__INIT;
    uint8_t handle[16], group[16], bloom[SEEN_BLOOM_BYTES];
    size_t n;

    randombytes_buf(handle, sizeof handle);
    randombytes_buf(group, sizeof group);
    randombytes_buf(bloom, sizeof bloom);
    ie.handle = (ProtobufCBinaryData){16, handle};
    ie.group = (ProtobufCBinaryData){16, group};
    ie.role = SEEN__ROLE__CHILD;
    ie.kind = SEEN__KIND__DOMESTIC_ABUSE_INCIDENT;
    ie.date = (uint32_t)(t / 86400);
    ie.local_authority = (char *)"Reading";
    ie.name_bloom = (ProtobufCBinaryData){sizeof bloom, bloom};
    fe.origin = (ProtobufCBinaryData){32, (uint8_t *)origin};
    fe.seq = seq;
    fe.time = t;
    fe.body_case = SEEN__FEED_ENTRY__BODY_ENTRY;
    fe.entry = &ie;
    if ((n = seen__feed_entry__get_packed_size(&fe)) > cap)
        return 0;
    seen__feed_entry__pack(&fe, buf);
    return n;
}

/*
 * A sealed ENTRIES from ${k} to ${to} of ${k}'s own feed: LEAVES
 * well-formed leaves from seq ${from}, and a checkpoint of size
 * ${from} + LEAVES, correctly signed by ${k}, over a random root.
 */
static int
seal_inconsistent(const struct seen_keys *k, const uint8_t to[32],
    uint64_t from, uint8_t **env, size_t *len)
{
    Seen__Entries e = SEEN__ENTRIES__INIT;
    Seen__Checkpoint cp = SEEN__CHECKPOINT__INIT;
    ProtobufCBinaryData leaves[LEAVES];
    uint8_t cpbuf[SEEN_CHECKPOINT_BUF], root[32], lbuf[LEAVES][512];
    uint8_t *body = NULL;
    uint64_t t = (uint64_t)time(NULL);
    size_t i, blen;
    int rc;

    for (i = 0; i < LEAVES; i++)
        leaves[i] = (ProtobufCBinaryData){
            probe_leaf(k->sign_pk, from + i, t, lbuf[i], sizeof lbuf[i]),
            lbuf[i]};
    /* Signed by the origin, but over a root no leaves give. */
    randombytes_buf(root, sizeof root);
    if ((rc = seen_checkpoint_sign(&cp, cpbuf, SEEN_DOMAIN_FEED_CHECKPOINT, k,
             from + LEAVES, root, t)) != 0)
        goto done;
    e.origin = (ProtobufCBinaryData){32, (uint8_t *)k->sign_pk};
    e.from = from;
    e.n_leaves = LEAVES;
    e.leaves = leaves;
    e.checkpoint = &cp;
    blen = seen__entries__get_packed_size(&e);
    if ((body = malloc(blen)) == NULL) {
        rc = SEEN_ENOMEM;
        goto done;
    }
    seen__entries__pack(&e, body);
    rc = seen_envelope_seal(k, to, SEEN__MSG_TYPE__ENTRIES, body, blen, NULL,
        t, env, len);
done:
    free(body);
    return rc;
}

/* A sealed GET_XPROOF from ${k} to ${to}, from ${from} to ${size}. */
static int
seal_get_xproof(const struct seen_keys *k, const uint8_t to[32], uint64_t from,
    uint64_t size, uint8_t **env, size_t *len)
{
    Seen__GetXProof g = SEEN__GET_XPROOF__INIT;
    uint8_t body[64];
    size_t blen;

    g.from = from;
    g.to = size;
    blen = seen__get_xproof__pack(&g, body);
    return seen_envelope_seal(k, to, SEEN__MSG_TYPE__GET_XPROOF, body, blen,
        NULL, (uint64_t)time(NULL), env, len);
}

/*
 * The size of the checkpoint of ${origin}'s log in the peer-checkpoints.bin
 * ${path} (4-byte big-endian length, encoded Checkpoint, ...): 0 and
 * *${size} set, or -1.
 */
static int
held_size(const char *path, const uint8_t origin[32], uint64_t *size)
{
    uint8_t hdr[4], buf[4096];
    Seen__Checkpoint *c;
    uint32_t n;
    FILE *f;
    int rc = -1;

    if ((f = fopen(path, "rb")) == NULL) {
        fprintf(stderr, "seen-probe: cannot open '%s': %s\n", path,
            strerror(errno));
        return -1;
    }
    while (rc != 0 && fread(hdr, 1, 4, f) == 4) {
        n = seen_rd32(hdr);
        if (n > sizeof buf || fread(buf, 1, n, f) != n)
            break;
        if ((c = seen__checkpoint__unpack(NULL, n, buf)) == NULL)
            continue;
        if (c->origin.len == 32 && memcmp(c->origin.data, origin, 32) == 0) {
            *size = c->size;
            rc = 0;
        }
        seen__checkpoint__free_unpacked(c, NULL);
    }
    fclose(f);
    if (rc != 0)
        fprintf(stderr,
            "seen-probe: '%s' holds no checkpoint of the "
            "signer's log\n",
            path);
    return rc;
}

/*
 * A sealed XPROOF from ${k} to ${to}: from ${from} to ${size}, a
 * checkpoint of size ${size} signed by ${ck} over a random root, and
 * ${plen} random hashes.
 */
static int
seal_xproof(const struct seen_keys *k, const struct seen_keys *ck,
    const uint8_t to[32], uint64_t from, uint64_t size, size_t plen,
    uint8_t **env, size_t *len)
{
    Seen__XProof x = SEEN__XPROOF__INIT;
    Seen__Checkpoint cp = SEEN__CHECKPOINT__INIT;
    ProtobufCBinaryData pv[SEEN_MERKLE_PROOF_MAX];
    uint8_t cpbuf[SEEN_CHECKPOINT_BUF], root[32];
    uint8_t proof[SEEN_MERKLE_PROOF_MAX][32], *body;
    uint64_t t = (uint64_t)time(NULL);
    size_t i, blen;
    int rc;

    if (plen > SEEN_MERKLE_PROOF_MAX)
        return SEEN_EINVAL;
    randombytes_buf(root, sizeof root);
    randombytes_buf(proof, sizeof proof);
    if ((rc = seen_checkpoint_sign(
             &cp, cpbuf, SEEN_DOMAIN_XLOG_CHECKPOINT, ck, size, root, t)) != 0)
        return rc;
    for (i = 0; i < plen; i++)
        pv[i] = (ProtobufCBinaryData){32, proof[i]};
    x.from = from;
    x.to = size;
    x.n_proof = plen;
    x.proof = pv;
    x.checkpoint = &cp;
    blen = seen__xproof__get_packed_size(&x);
    if ((body = malloc(blen)) == NULL)
        return SEEN_ENOMEM;
    seen__xproof__pack(&x, body);
    rc = seen_envelope_seal(
        k, to, SEEN__MSG_TYPE__XPROOF, body, blen, NULL, t, env, len);
    free(body);
    return rc;
}

/* Flip one byte of ${env}'s msg_id, which lies inside the signed part. */
static int
tamper(uint8_t *env, size_t len)
{
    Seen__Envelope *e;
    Seen__SignedPart *p = NULL;
    uint8_t id[16];
    size_t i;
    int rc = -1;

    if ((e = seen__envelope__unpack(NULL, len, env)) == NULL)
        return -1;
    if ((p = seen__signed_part__unpack(NULL, e->signed_.len,
             e->signed_.data)) == NULL ||
        p->header == NULL || p->header->msg_id.len != 16)
        goto done;
    memcpy(id, p->header->msg_id.data, 16);
    for (i = 0; i + 16 <= len; i++) {
        if (memcmp(env + i, id, 16) == 0) {
            env[i + 7] ^= 0x01;
            rc = 0;
            break;
        }
    }
done:
    if (p != NULL)
        seen__signed_part__free_unpacked(p, NULL);
    seen__envelope__free_unpacked(e, NULL);
    return rc;
}

/* Send one frame, waiting up to ${deadline} (ms, monotonic) for the
 * connection to complete.  Returns 0, or -1 when it never did. */
static int
send_frame(void *s, const void *buf, size_t len, double deadline)
{
    for (;;) {
        if (zmq_send(s, buf, len, ZMQ_DONTWAIT) >= 0)
            return 0;
        if (zmq_errno() != EAGAIN || seen_clock_mono() * 1000.0 >= deadline)
            return -1;
        sleep_ms(20);
    }
}


/*
 * ${rc}, the result of sealing an envelope, as 0 or -1, having said why
 * the envelope could not be sealed.
 */
static int
sealed(int rc)
{

    if (rc == 0)
        return 0;
    fprintf(stderr, "seen-probe: cannot seal the envelope: %s\n",
        seen_strerror(rc));
    return -1;
}

/*
 * The actions: each builds the frame to send from ${p} into ${buf} and
 * ${len} (malloc'd, the caller frees it).  Each returns 0, or -1 having
 * said why not.
 */
static int
build_hello(struct probe *p, uint8_t **buf, size_t *len)
{

    return sealed(seal_hello(p->sk, p->target, p->now, buf, len));
}

static int
build_forged(struct probe *p, uint8_t **buf, size_t *len)
{

    if (build_hello(p, buf, len) != 0)
        return -1;
    (*buf)[*len - 40] ^= 0x01; /* the signature is the last 64 bytes */
    return 0;
}

static int
build_tampered(struct probe *p, uint8_t **buf, size_t *len)
{

    if (build_hello(p, buf, len) != 0)
        return -1;
    if (tamper(*buf, *len) != 0) {
        fprintf(stderr, "seen-probe: cannot find the msg_id to tamper\n");
        return -1;
    }
    return 0;
}

static int
build_stale(struct probe *p, uint8_t **buf, size_t *len)
{

    return sealed(seal_hello(p->sk, p->target, p->now - 3600, buf, len));
}

static int
build_wrong_recipient(struct probe *p, uint8_t **buf, size_t *len)
{
    uint8_t other[32];

    randombytes_buf(other, sizeof other);
    return sealed(seal_hello(p->sk, other, p->now, buf, len));
}

static int
build_inconsistent(struct probe *p, uint8_t **buf, size_t *len)
{

    return sealed(seal_inconsistent(p->sk, p->target, p->from, buf, len));
}

static int
build_garbage(struct probe *p, uint8_t **buf, size_t *len)
{

    (void)p;
    if ((*buf = malloc(GARBAGE_BYTES)) == NULL) {
        fprintf(stderr, "seen-probe: out of memory\n");
        return -1;
    }
    randombytes_buf(*buf, GARBAGE_BYTES);
    (*buf)[0] = 0x0f; /* field 1, wire type 7: never a protobuf */
    *len = GARBAGE_BYTES;
    return 0;
}

static int
build_get_xproof(struct probe *p, uint8_t **buf, size_t *len)
{

    return sealed(
        seal_get_xproof(p->sk, p->target, p->from, p->size, buf, len));
}

static int
build_xproof(struct probe *p, uint8_t **buf, size_t *len)
{
    uint64_t h;

    if (p->held != NULL) {
        if (held_size(p->held, p->sk->sign_pk, &h) != 0)
            return -1;
        p->from = h;
        if (p->size == 0)
            p->size = h + p->above;
    }
    if (p->plen == ~0ULL) {
        p->plen = seen_merkle_consistency_len(p->from, p->size);
        if (p->plen > SEEN_MERKLE_PROOF_MAX)
            p->plen = 1;
    }
    return sealed(seal_xproof(p->sk, p->cpk != NULL ? p->cpk : p->sk, p->target,
        p->from, p->size, (size_t)p->plen, buf, len));
}

static int
build_disclosure(struct probe *p, uint8_t **buf, size_t *len)
{
    struct probe_disclosure pd = {p->sk, p->target, p->now, p->handles,
        p->match, p->seq};

    return probe_disclosure_build(p->action, &pd, buf, len);
}

/* The attacks of probe_transport.c: carried out here, nothing to send
 * after (ACTION_DONE). */
static int
build_transport(struct probe *p, uint8_t **buf, size_t *len)
{
    const struct probe_target t = {p->to, p->server_curve, p->target, p->ck,
        p->sk, p->timeout, p->count != 0 ? p->count : 1000, p->reset};

    *buf = NULL;
    *len = 0;
    return probe_transport_run(p->action, &t, &p->sent);
}

/* Send the frame twice (the second after the first is applied). */
#define ACTION_TWICE 1
/* Send --count frames, each built afresh (p->seq 0, 1, ...), as fast as
 * the connection takes them. */
#define ACTION_FLOOD 2
/* The action sent what it sends itself (p->sent): deliver nothing. */
#define ACTION_DONE 4

static const struct action {
    const char *name;
    int (*build)(struct probe *, uint8_t **, size_t *);
    int flags;
} actions[] = {
    {"hello", build_hello, 0},
    {"replay", build_hello, ACTION_TWICE},
    {"forged", build_forged, 0},
    {"tampered", build_tampered, 0},
    {"stale", build_stale, 0},
    {"wrong-recipient", build_wrong_recipient, 0},
    {"inconsistent", build_inconsistent, 0},
    {"garbage", build_garbage, 0},
    {"get-xproof", build_get_xproof, 0},
    {"xproof", build_xproof, 0},
    {"disclosure-bare", build_disclosure, ACTION_FLOOD},
    {"disclosure-unmatched", build_disclosure, ACTION_FLOOD},
    {"disclosure-query", build_disclosure, ACTION_FLOOD},
    {"disclosure-matched", build_disclosure, ACTION_FLOOD},
    {"disclosure-answer", build_disclosure, ACTION_FLOOD},
    {"frame", probe_build_frame, 0},
    {"range-flood", probe_build_range, ACTION_FLOOD},
    {"big-heads", probe_build_big_heads, 0},
    {"hello-flood", probe_build_old_hello, ACTION_FLOOD},
    {"connect-flood", build_transport, ACTION_DONE},
    {"flood-forged", build_transport, ACTION_DONE},
    {"multi-frame", build_transport, ACTION_DONE},
    {"oversized", build_transport, ACTION_DONE},
};

/* The action named ${name}, or NULL. */
static const struct action *
action_find(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof actions / sizeof actions[0]; i++) {
        if (strcmp(actions[i].name, name) == 0)
            return &actions[i];
    }
    return NULL;
}

/*
 * Parse the unsigned decimal ${s} into ${out}.  Returns 0, or -1 if it is
 * not one (a sign, anything after the digits, or out of range).
 */
static int
parse_ull(const char *s, unsigned long long *out)
{
    char *end;

    errno = 0;
    *out = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || s[0] == '-')
        return -1;
    return 0;
}

/*
 * Parse the command line ${argc}, ${argv} into ${p}.  Returns -1 to go on,
 * or the exit status: 0 after --help, 2 for bad usage (said on stderr).
 * Long: one case per option, each a few lines.
 */
static int
parse_args(int argc, char **argv, struct probe *p)
{
    static const struct option opts[] = {
        {"home", required_argument, NULL, 'H'},
        {"to", required_argument, NULL, 't'},
        {"to-curve", required_argument, NULL, 'c'},
        {"to-sign", required_argument, NULL, 's'},
        {"keys-from", required_argument, NULL, 'k'},
        {"from", required_argument, NULL, 'f'},
        {"timeout", required_argument, NULL, 'T'},
        {"size", required_argument, NULL, 'S'},
        {"size-above", required_argument, NULL, 'A'},
        {"proof-len", required_argument, NULL, 'P'},
        {"held", required_argument, NULL, 'F'},
        {"cp-from", required_argument, NULL, 'C'},
        {"count", required_argument, NULL, 'N'},
        {"handles", required_argument, NULL, 'L'},
        {"match", required_argument, NULL, 'M'},
        {"reset", required_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *tocurve = NULL, *tosign = NULL;
    char *end;
    int c;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'H':
            p->home = optarg;
            break;
        case 't':
            p->to = optarg;
            break;
        case 'c':
            tocurve = optarg;
            break;
        case 's':
            tosign = optarg;
            break;
        case 'k':
            p->keysfrom = optarg;
            break;
        case 'f':
            if (parse_ull(optarg, &p->from) != 0)
                goto usage;
            break;
        case 'S':
            if (parse_ull(optarg, &p->size) != 0)
                goto usage;
            break;
        case 'A':
            if (parse_ull(optarg, &p->above) != 0)
                goto usage;
            break;
        case 'P':
            if (parse_ull(optarg, &p->plen) != 0)
                goto usage;
            break;
        case 'T':
            p->timeout = strtol(optarg, &end, 10);
            if (*end != '\0' || p->timeout <= 0)
                goto usage;
            break;
        case 'F':
            p->held = optarg;
            break;
        case 'R':
            p->reset = strtol(optarg, &end, 10);
            if (*end != '\0' || p->reset <= 0)
                goto usage;
            break;
        case 'C':
            p->cpfrom = optarg;
            break;
        case 'N':
            if (parse_ull(optarg, &p->count) != 0 || p->count == 0)
                goto usage;
            break;
        case 'L':
            p->handles = optarg;
            break;
        case 'M':
            p->match = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            goto usage;
        }
    }
    if (p->home == NULL || p->to == NULL || tocurve == NULL || tosign == NULL ||
        optind + 1 != argc)
        goto usage;
    p->action = argv[optind];
    if (action_find(p->action) == NULL) {
        fprintf(stderr, "seen-probe: unknown action '%s'\n", p->action);
        goto usage;
    }
    if (seen_hex_decode(p->server_curve, 32, tocurve) != 0 ||
        seen_hex_decode(p->target, 32, tosign) != 0) {
        fprintf(stderr, "seen-probe: --to-curve and --to-sign take 64 hex "
                        "digits\n");
        return 2;
    }
    return -1;

usage:
    fputs(usage, stderr);
    return 2;
}

/*
 * Open the keystores ${p} names, with the passphrase of
 * $SEEN_PASSPHRASE_FILE (wiped before returning), into p->ck, p->sk and
 * p->cpk.  Returns 0, or -1 having said why not; the caller frees the
 * keys loaded either way.
 */
static int
probe_keys(struct probe *p)
{
    char *pass = NULL;
    size_t passlen;
    int rc = -1;

    if (seen_passphrase_get("Keystore passphrase: ", 0, &pass, &passlen) !=
        0) {
        fprintf(stderr, "seen-probe: no passphrase\n");
        return -1;
    }
    if ((p->ck = load_keys(p->home, pass, passlen)) == NULL)
        goto done;
    if (p->keysfrom != NULL &&
        (p->sk = load_keys(p->keysfrom, pass, passlen)) == NULL)
        goto done;
    if (p->sk == NULL)
        p->sk = p->ck;
    if (p->cpfrom != NULL &&
        (p->cpk = load_keys(p->cpfrom, pass, passlen)) == NULL)
        goto done;
    rc = 0;
done:
    seen_passphrase_destroy(&pass);
    return rc;
}

/*
 * Connect to the target of ${p} as a CURVE client with p->ck and send
 * ${buf} (${len} bytes; freed here), twice for an ACTION_TWICE action
 * ${a}, or with ACTION_FLOOD p->count frames (${buf} the first, each
 * next built by ${a}), then wait half a second so that it is delivered.
 * [out] ${sent}: how many were sent.  Returns 0, 1 on a ZeroMQ error or
 * EXIT_UNDELIVERED, having said why.
 */
static int
deliver(struct probe *p, const struct action *a, uint8_t *buf, size_t len,
    int *sent)
{
    void *zctx = NULL, *s = NULL;
    int rc, ret = 1, zero = 0, one = 1, linger = 2000;
    double deadline;

    *sent = 0;
    if ((zctx = zmq_ctx_new()) == NULL ||
        (s = zmq_socket(zctx, ZMQ_DEALER)) == NULL) {
        fprintf(stderr, "seen-probe: zmq: %s\n", zmq_strerror(zmq_errno()));
        goto done;
    }
    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(s, ZMQ_IMMEDIATE, &one, sizeof one);
    zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, p->server_curve, 32);
    zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, p->ck->curve_pk, 32);
    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, p->ck->curve_sk, 32);
    if (zmq_connect(s, p->to) != 0) {
        fprintf(stderr, "seen-probe: cannot connect to '%s': %s\n", p->to,
            zmq_strerror(zmq_errno()));
        goto done;
    }
    deadline = seen_clock_mono() * 1000.0 + (double)p->timeout;
    if ((rc = send_frame(s, buf, len, deadline)) == 0)
        (*sent)++;
    for (p->seq = 1; rc == 0 && (a->flags & ACTION_FLOOD) &&
         p->seq < p->count; p->seq++) {
        free(buf);
        if (a->build(p, &buf, &len) != 0) {
            buf = NULL;
            goto done;
        }
        deadline = seen_clock_mono() * 1000.0 + (double)p->timeout;
        if ((rc = send_frame(s, buf, len, deadline)) == 0)
            (*sent)++;
    }
    if (rc == 0 && (a->flags & ACTION_TWICE)) {
        /* Let the first be applied (and recorded) before the second. */
        sleep_ms(300);
        if ((rc = send_frame(s, buf, len, deadline + 1000)) == 0)
            (*sent)++;
    }
    if (rc != 0) {
        fprintf(stderr,
            "seen-probe: could not deliver to '%s' within %ld "
            "ms (connection refused or never completed)\n",
            p->to, p->timeout);
        ret = EXIT_UNDELIVERED;
        goto done;
    }
    sleep_ms(500);
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    ret = 0;
done:
    free(buf);
    if (s != NULL)
        zmq_close(s);
    if (zctx != NULL)
        zmq_ctx_term(zctx);
    return ret;
}

/* seen-probe: see the comment at the top of this file. */
int
main(int argc, char **argv)
{
    struct probe p = {.above = 7, .plen = ~0ULL, .timeout = 3000};
    const struct action *a;
    uint8_t *buf = NULL;
    char senderhex[65];
    size_t len = 0;
    int ret = 1, sent;
    json_t *out;

    p.now = (uint64_t)time(NULL);
    seen_log_init("seen-probe", SEEN_LOG_WARN);
    if ((ret = parse_args(argc, argv, &p)) != -1)
        return ret;
    ret = 1;
    a = action_find(p.action);
    if (sodium_init() < 0) {
        fprintf(stderr, "seen-probe: libsodium does not initialise\n");
        return 1;
    }
    if (probe_keys(&p) != 0)
        goto done;
    sodium_bin2hex(senderhex, sizeof senderhex, p.sk->sign_pk, 32);

    /* Build what to send before connecting. */
    if (a->flags & ACTION_DONE) {
        if ((ret = a->build(&p, &buf, &len)) != 0)
            goto done;
        sent = (int)p.sent;
    } else if (a->build(&p, &buf, &len) != 0)
        goto done;
    else {
        ret = deliver(&p, a, buf, len, &sent);
        buf = NULL; /* deliver() freed it */
        if (ret != 0)
            goto done;
    }
    out = json_pack("{s:s, s:i, s:s}", "action", p.action, "sent", sent,
        "sender", senderhex);
    if (out != NULL) {
        json_dumpf(out, stdout, JSON_COMPACT);
        fputc('\n', stdout);
        json_decref(out);
    }
done:
    free(buf);
    seen_keys_destroy(&p.cpk);
    if (p.sk != p.ck)
        seen_keys_destroy(&p.sk);
    seen_keys_destroy(&p.ck);
    return ret;
}
