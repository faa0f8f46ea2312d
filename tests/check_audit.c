/*
 * check_audit.c: the audit export of the exchange log and its checks
 * (xlog/audit.h, `seen audit`): exports that verify, alone and together,
 * and that fail to verify when any byte changes or when the log was
 * rewritten; the command line; the worked example of
 * docs/audit-format.md; and a replay of the fuzzer's seeds.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <check.h>
#include <sodium.h>

#include "common/seen.h"
#include "crypto/keys.h"
#include "crypto/merkle.h"
#include "crypto/sign.h"
#include "proto/checkpoint.h"
#include "proto/envelope.h"
#include "proto/membership.h"
#include "storage/store.h"
#include "tests/suites.h"
#include "tests/testutil.h"
#include "xlog/audit.h"
#include "xlog/xlog.h"
#include "seen.pb-c.h"

/* The harness, under its own name so that every suite links into one
 * runner; its seeds and regressions replay through it. */
#define LLVMFuzzerTestOneInput fuzz_audit_one
#include "tests/fuzz/fuzz_audit.c"

/* The nodes, stores and helpers of the exchange-log suites, and those
 * both audit suites use. */
#include "tests/audit_fixture.c"

_Static_assert(ALPHA_SEED == FUZZ_AUDIT_OWNER_SEED,
    "the fuzzer accepts alpha's exports as a lone node's");

/* ---- export and verify ---- */

START_TEST(test_export_verifies_alone_and_together)
{
    struct seen_audit_buf ea[SEEN_AUDIT_NFILES], eb[SEEN_AUDIT_NFILES],
        ed[SEEN_AUDIT_NFILES];
    struct seen_audit *v[2];
    struct seen_audit_opts o = {NULL, NULL};
    struct seen_audit_summary sum;
    struct seen_audit *x;
    struct seen_txn *t;
    struct tally ty;
    struct node a, b, w;
    char out[2048];
    int f;

    node_open(&a, "alpha", A, 1);
    node_open(&b, "bravo", B, 1);
    node_open(&w, "witness", W, 1);
    small_history(&a, &b, &w);
    export_mem(&a, ea);
    export_mem(&b, eb);
    ck_assert_uint_eq(verify(ea, "alpha", &ty, &v[0]), 0);
    ck_assert_uint_eq(ty.findings, 0);
    ck_assert_uint_ge(ty.oks, 9);
    ck_assert_uint_eq(verify(eb, "bravo", &ty, &v[1]), 0);
    memset(&ty, 0, sizeof ty);
    ck_assert_int_eq(seen_audit_cross(v, 2, tally_fn, &ty), 0);
    ck_assert_uint_eq(ty.fails, 0);
    ck_assert_uint_eq(ty.oks, 2);
    seen_audit_destroy(&v[0]);
    seen_audit_destroy(&v[1]);
    /* The authority required is checked. */
    o.authority = AUTH->sign_pk;
    ck_assert_int_eq(seen_audit_open(ea, "a", &o, NULL, NULL, &x), 0);
    ck_assert_uint_eq(seen_audit_failures(x), 0);
    seen_audit_destroy(&x);
    o.authority = B->sign_pk;
    ck_assert_int_eq(seen_audit_open(ea, "a", &o, NULL, NULL, &x), 0);
    ck_assert_uint_gt(seen_audit_failures(x), 0);
    seen_audit_destroy(&x);
    /* To a folder and back: the same bytes. */
    snprintf(out, sizeof out, "%s/export-alpha", base);
    t = rtxn(&a);
    ck_assert_int_eq(seen_audit_export(t, out, &sum), 0);
    ck_assert_int_eq(seen_audit_export(t, out, NULL), SEEN_EEXIST);
    seen_store_abort(t);
    /* query, sent, received, decision, sent, sent to the witness */
    ck_assert_uint_eq(sum.leaves, 6);
    ck_assert_uint_eq(sum.signed_size, 6);
    /* bravo's of sizes 1 and 4, the witness's of size 5 */
    ck_assert_uint_eq(sum.cosignatures, 3);
    ck_assert_uint_eq(sum.peers, 1);
    ck_assert_uint_eq(sum.evidence, 0);
    ck_assert(sum.membership);
    ck_assert_int_eq(seen_audit_load(out, ed), 0);
    for (f = 0; f < SEEN_AUDIT_NFILES; f++) {
        ck_assert(ed[f].present);
        ck_assert_uint_eq(ed[f].len, ea[f].len);
        if (ea[f].len)
            ck_assert_mem_eq(ed[f].data, ea[f].data, ea[f].len);
    }
    ck_assert_uint_eq(verify(ed, out, &ty, NULL), 0);
    seen_audit_bufs_release(ed);
    seen_audit_bufs_release(ed);
    seen_audit_bufs_release(ea);
    seen_audit_bufs_release(eb);
    node_close(&a);
    node_close(&b);
    node_close(&w);
}
END_TEST

/* Under valgrind (SEEN_VALGRIND set) the long loops take a sample. */
static size_t
stride(void)
{

    return getenv("SEEN_VALGRIND") != NULL ? 29 : 1;
}

/* Flip every byte of every file of ${ex} (xor ${mask}), one at a time;
 * each must make the export fail.  Returns the number of positions. */
static size_t
flip_all(struct seen_audit_buf ex[SEEN_AUDIT_NFILES], uint8_t mask)
{
    size_t i, n = 0;
    int f;

    for (f = 0; f < SEEN_AUDIT_NFILES; f++) {
        for (i = 0; i < ex[f].len; i += stride(), n++) {
            ex[f].data[i] ^= mask;
            if (verify_quiet(ex) == 0)
                ck_abort_msg(
                    "flipping byte %zu of %s (mask %02x) went unnoticed", i,
                    seen_audit_file_name(f), mask);
            ex[f].data[i] ^= mask;
        }
    }
    return n;
}

START_TEST(test_every_flipped_byte_of_a_small_export_fails)
{
    struct seen_audit_buf ex[SEEN_AUDIT_NFILES];
    struct seen_audit_buf saved;
    struct node a, b;
    size_t n;
    int f;

    node_open(&a, "alpha", A, 1);
    node_open(&b, "bravo", B, 1);
    small_history(&a, &b, NULL);
    /* And evidence, so that every file holds bytes. */
    {
        struct seen_txn *t = wtxn(&a);

        equivocate(t, A, B, 0x77);
        commit(t);
    }
    export_mem(&a, ex);
    ck_assert_uint_eq(verify_quiet(ex), 0);
    for (f = 0; f < SEEN_AUDIT_NFILES; f++)
        ck_assert_uint_gt(ex[f].len, 0);
    n = flip_all(ex, 0x01);
    n += flip_all(ex, 0x80);
    ck_assert_uint_gt(n, 2000 / stride());
    ck_assert_uint_eq(verify_quiet(ex), 0);
    /* A file cut short by one byte, or missing, fails too. */
    for (f = 0; f < SEEN_AUDIT_NFILES; f++) {
        ex[f].len--;
        ck_assert_uint_gt(verify_quiet(ex), 0);
        ex[f].len++;
        saved = ex[f];
        ex[f].present = 0;
        ex[f].data = NULL;
        ex[f].len = 0;
        ck_assert_uint_gt(verify_quiet(ex), 0);
        ex[f] = saved;
    }
    seen_audit_bufs_release(ex);
    node_close(&a);
    node_close(&b);
}
END_TEST

START_TEST(test_sampled_flips_of_a_large_export_fail)
{
    struct seen_audit_buf ex[SEEN_AUDIT_NFILES];
    struct seen_txn *t;
    struct node a, b;
    uint32_t r;
    size_t total = 0, pos, k;
    int i, f;

    node_open(&a, "alpha", A, 1);
    node_open(&b, "bravo", B, 1);
    install_membership(&a);
    install_membership(&b);
    for (i = 0; i < 1500 / (int)stride() + 100; i++) {
        if (i % 50 == 0) {
            send_msg(&a, &b, 1);
            send_msg(&b, &a, 1);
            continue;
        }
        t = wtxn(&a);
        add_query(t, A, i);
        commit(t);
    }
    free(sign_now(&a, &k));
    export_mem(&a, ex);
    ck_assert_uint_eq(verify_quiet(ex), 0);
    for (f = 0; f < SEEN_AUDIT_NFILES; f++)
        total += ex[f].len;
    ck_assert_uint_gt(ex[SEEN_AUDIT_LEAVES].len, 100000 / stride());
    for (k = 0; k < 400 / stride(); k++) {
        r = randombytes_uniform((uint32_t)total);
        for (f = 0, pos = r; pos >= ex[f].len; f++)
            pos -= ex[f].len;
        ex[f].data[pos] ^= (uint8_t)(1u << (k & 7));
        ck_assert_uint_gt(verify_quiet(ex), 0);
        ex[f].data[pos] ^= (uint8_t)(1u << (k & 7));
    }
    /* With the manifest forged to match, a changed signed leaf fails. */
    for (k = 0; k < 40 / stride() + 2; k++) {
        size_t off = 0, fl;
        const uint8_t *fr;
        uint32_t at = randombytes_uniform((uint32_t)(1500 / stride())), j;

        for (j = 0; j <= at; j++)
            ck_assert_int_eq(tframe(&ex[SEEN_AUDIT_LEAVES], &off, &fr, &fl), 1);
        pos = (size_t)(fr - ex[SEEN_AUDIT_LEAVES].data) +
              randombytes_uniform((uint32_t)fl);
        ex[SEEN_AUDIT_LEAVES].data[pos] ^= 0x10;
        reforge_manifest(ex);
        ck_assert_uint_gt(verify_quiet(ex), 0);
        ex[SEEN_AUDIT_LEAVES].data[pos] ^= 0x10;
    }
    reforge_manifest(ex);
    ck_assert_uint_eq(verify_quiet(ex), 0);
    seen_audit_bufs_release(ex);
    node_close(&a);
    node_close(&b);
}
END_TEST

struct collect {
    uint8_t *v[64];
    size_t l[64];
    size_t n;
};

static int
collect_fn(void *ctx, const uint8_t *val, size_t len)
{
    struct collect *c = ctx;

    ck_assert_uint_lt(c->n, 64);
    ck_assert_ptr_nonnull(c->v[c->n] = malloc(len));
    memcpy(c->v[c->n], val, len);
    c->l[c->n++] = len;
    return 0;
}

static void
collect_free(struct collect *c)
{

    while (c->n > 0)
        free(c->v[--c->n]);
}

/*
 * Rewrite ${a}'s log into ${rw} (same key, a new store) with leaf ${at}
 * changed, signing checkpoints where ${a} did, as a node operator with
 * the key and a copy of the store could.
 */
static void
rewrite_log(struct node *a, struct node *rw, uint64_t at)
{
    uint8_t buf[SEEN_CHECKPOINT_BUF];
    struct collect own = {{0}, {0}, 0};
    Seen__XLogLeaf *l;
    Seen__QueryRecord *q;
    Seen__Checkpoint cp, *c;
    char *orig;
    struct seen_txn *t, *rt;
    const uint8_t *leaf;
    size_t len, k = 0;
    uint64_t i, n;

    install_membership(rw);
    t = rtxn(a);
    ck_assert_int_eq(seen_xlog_size(t, &n), 0);
    ck_assert_int_eq(
        seen_xlog_iter(t, SEEN_XLOG_OWN_CHECKPOINTS, collect_fn, &own), 0);
    for (i = 0; i < n; i++) {
        rt = wtxn(rw);
        while (k < own.n) {
            ck_assert_int_eq(seen_checkpoint_decode(own.v[k], own.l[k], &c), 0);
            if (c->size != i) {
                seen_checkpoint_destroy(&c);
                break;
            }
            ck_assert_int_eq(seen_xlog_checkpoint(rt, A, c->time, &cp, buf), 0);
            seen_checkpoint_destroy(&c);
            k++;
        }
        ck_assert_int_eq(seen_xlog_leaf(t, i, &leaf, &len), 0);
        ck_assert_ptr_nonnull(l = seen__xlog_leaf__unpack(NULL, len, leaf));
        if (i == at) {
            ck_assert_int_eq(l->kind, SEEN__XLOG_KIND__XLOG_QUERY);
            q = seen__query_record__unpack(NULL, l->record.len, l->record.data);
            ck_assert_ptr_nonnull(q);
            orig = q->purpose;
            q->purpose = (char *)"nothing to see here";
            ck_assert_int_eq(seen_xlog_query(rt, A, q, NULL), 0);
            q->purpose = orig;
            seen__query_record__free_unpacked(q, NULL);
        } else if (l->kind == SEEN__XLOG_KIND__XLOG_SENT) {
            /* Sealed again, with the rewritten log's checkpoint. */
            Seen__Envelope *e;
            Seen__SignedPart *sp;
            uint8_t *env;
            size_t elen;

            e = seen__envelope__unpack(NULL, l->envelope.len, l->envelope.data);
            ck_assert_ptr_nonnull(e);
            sp = seen__signed_part__unpack(
                NULL, e->signed_.len, e->signed_.data);
            ck_assert_ptr_nonnull(sp);
            if (sp->header->checkpoint != NULL)
                ck_assert_int_eq(seen_xlog_checkpoint(rt, A, NOW, &cp, buf), 0);
            ck_assert_int_eq(
                seen_envelope_seal(A, sp->header->recipient.data,
                    (int)sp->header->type, sp->body.data, sp->body.len,
                    sp->header->checkpoint ? &cp : NULL, sp->header->time, &env,
                    &elen),
                0);
            ck_assert_int_eq(
                seen_xlog_sent(rt, A, env, elen, l->time, NULL), 0);
            free(env);
            seen__signed_part__free_unpacked(sp, NULL);
            seen__envelope__free_unpacked(e, NULL);
        } else {
            ck_assert_int_eq(
                seen_xlog_append(rt, A, l->kind,
                    l->peer.len ? l->peer.data : NULL,
                    l->envelope.len ? l->envelope.data : l->record.data,
                    l->envelope.len ? l->envelope.len : l->record.len, l->time,
                    NULL),
                0);
        }
        seen__xlog_leaf__free_unpacked(l, NULL);
        commit(rt);
    }
    seen_store_abort(t);
    rt = wtxn(rw);
    ck_assert_int_eq(seen_xlog_checkpoint(rt, A, NOW, &cp, buf), 0);
    commit(rt);
    collect_free(&own);
}

START_TEST(test_rewritten_log_is_caught_through_its_peers)
{
    struct seen_audit_buf er[SEEN_AUDIT_NFILES], eb[SEEN_AUDIT_NFILES];
    struct collect cos = {{0}, {0}, 0};
    struct seen_audit *v[2];
    struct seen_txn *t;
    struct tally ty;
    struct node a, b, rw;
    uint8_t *latest, *cosig, key[49];
    const uint8_t *old;
    Seen__Checkpoint *lc, *c;
    Seen__Cosignature *cs;
    size_t ll, clen, ol, i;

    node_open(&a, "alpha", A, 1);
    node_open(&b, "bravo", B, 1);
    node_open(&rw, "alpha-rewritten", A, 1);
    small_history(&a, &b, NULL);
    /* bravo holds alpha's latest checkpoint (size 6 or 7). */
    send_msg(&a, &b, 1);

    /* 1. The rewritten store alone, with the cosignatures purged: nothing
     * in it contradicts it.  One node's export cannot prove that. */
    rewrite_log(&a, &rw, 0);
    export_mem(&rw, er);
    ck_assert_uint_eq(verify(er, "rewritten", &ty, &v[0]), 0);

    /* 2. With bravo's export: bravo's checkpoints of alpha disagree. */
    export_mem(&b, eb);
    ck_assert_uint_eq(verify(eb, "bravo", &ty, &v[1]), 0);
    memset(&ty, 0, sizeof ty);
    ck_assert_int_eq(seen_audit_cross(v, 2, tally_fn, &ty), 0);
    ck_assert_uint_gt(ty.fails, 0);
    ck_assert_uint_gt(seen_audit_failures(v[0]), 0);
    ck_assert_uint_eq(seen_audit_failures(v[1]), 0);
    seen_audit_destroy(&v[0]);
    seen_audit_destroy(&v[1]);
    seen_audit_bufs_release(er);
    seen_audit_bufs_release(eb);

    /* 3. The cosignatures left in the rewritten store betray it. */
    t = rtxn(&a);
    ck_assert_int_eq(
        seen_xlog_iter(t, SEEN_XLOG_COSIGNATURES, collect_fn, &cos), 0);
    seen_store_abort(t);
    ck_assert_uint_gt(cos.n, 0);
    t = wtxn(&rw);
    for (i = 0; i < cos.n; i++) {
        ck_assert_int_eq(
            seen_xlog_cosignature_open(cos.v[i], cos.l[i], &cs, &c), 0);
        key[0] = 'W';
        seen_be64(key + 1, c->size);
        seen_be64(key + 9, c->time);
        memcpy(key + 17, cs->witness.data, 32);
        ck_assert_int_eq(seen_store_put(t, SEEN_DB_XSTATE, key, sizeof key,
                             cos.v[i], cos.l[i]),
            0);
        seen__cosignature__free_unpacked(cs, NULL);
        seen_checkpoint_destroy(&c);
    }
    commit(t);
    export_mem(&rw, er);
    ck_assert_uint_gt(verify(er, "rewritten", &ty, NULL), 0);
    ck_assert_ptr_nonnull(strstr(ty.checks, "cosignatures"));
    seen_audit_bufs_release(er);

    /* 4. bravo, shown the rewritten history, keeps the evidence. */
    latest = sign_now(&rw, &ll);
    ck_assert_int_eq(seen_checkpoint_decode(latest, ll, &lc), 0);
    t = wtxn(&b);
    ck_assert_int_eq(witness(&b, t, &rw, lc, &cosig, &clen), SEEN_EAUTH);
    commit(t);
    export_mem(&b, eb);
    ck_assert_uint_eq(verify(eb, "bravo", &ty, NULL), 0);
    ck_assert_uint_ge(ty.findings, 1);
    seen_audit_bufs_release(eb);

    /* 5. The rewritten node, shown its old checkpoint, stops signing,
     * and its export says why. */
    t = rtxn(&a);
    ck_assert_int_eq(seen_xlog_latest(t, &old, &ol), 0);
    ck_assert_int_eq(seen_checkpoint_decode(old, ol, &c), 0);
    seen_store_abort(t);
    t = wtxn(&rw);
    ck_assert_int_eq(seen_xlog_note_own_checkpoint(t, A, c), SEEN_EAUTH);
    commit(t);
    seen_checkpoint_destroy(&c);
    export_mem(&rw, er);
    ck_assert_uint_gt(verify(er, "rewritten", &ty, NULL), 0);
    ck_assert_ptr_nonnull(strstr(ty.checks, "evidence"));
    seen_audit_bufs_release(er);

    seen_checkpoint_destroy(&lc);
    free(latest);
    collect_free(&cos);
    node_close(&a);
    node_close(&b);
    node_close(&rw);
}
END_TEST

/* ---- the command line ---- */

static int
run(const char *cmd)
{
    int st = system(cmd);

    ck_assert_int_ne(st, -1);
    ck_assert(WIFEXITED(st));
    return WEXITSTATUS(st);
}

START_TEST(test_cli_exports_a_lone_node_and_verifies)
{
    char cmd[16384], home[2048], out[2048], pf[2048], pk[65];
    struct seen_audit_buf ex[SEEN_AUDIT_NFILES];
    struct node a, b;
    FILE *f;

    if (getenv("SEEN_VALGRIND") != NULL)
        return; /* the binaries are not the suite's to check */
    snprintf(home, sizeof home, "%s/home", base);
    snprintf(out, sizeof out, "%s/out", base);
    snprintf(pf, sizeof pf, "%s/pass", base);
    ck_assert_ptr_nonnull(f = fopen(pf, "w"));
    fputs("correct horse\n", f);
    fclose(f);
    snprintf(cmd, sizeof cmd,
        "SEEN_PASSPHRASE_FILE=%s %s/bin/seen --home %s init --name alpha "
        "--type police --local-authority Reading --kdf interactive "
        "--map-size-mb 64 >/dev/null",
        pf, SEEN_BUILD_DIR, home);
    ck_assert_int_eq(run(cmd), 0);
    /* Only an auditor exports: register one on the running node. */
    snprintf(cmd, sizeof cmd,
        "export SEEN_PASSPHRASE_FILE=%s; S=%s/bin/seen; "
        "$S --home %s node start >/dev/null && "
        "$S --home %s --as admin operator add auditor --role auditor "
        ">/dev/null; r=$?; $S --home %s node stop >/dev/null; exit $r",
        pf, SEEN_BUILD_DIR, home, home, home);
    ck_assert_int_eq(run(cmd), 0);
    snprintf(cmd, sizeof cmd,
        "SEEN_PASSPHRASE_FILE=%s %s/bin/seen --home %s audit export %s "
        ">/dev/null 2>&1",
        pf, SEEN_BUILD_DIR, home, out);
    ck_assert_int_eq(run(cmd), 1); /* no operator named */
    snprintf(cmd, sizeof cmd,
        "SEEN_PASSPHRASE_FILE=%s %s/bin/seen --home %s --as admin audit "
        "export %s >/dev/null 2>&1",
        pf, SEEN_BUILD_DIR, home, out);
    ck_assert_int_eq(run(cmd), 1); /* an admin does not export */
    snprintf(cmd, sizeof cmd,
        "SEEN_PASSPHRASE_FILE=%s %s/bin/seen --home %s --as auditor audit "
        "export %s >/dev/null",
        pf, SEEN_BUILD_DIR, home, out);
    ck_assert_int_eq(run(cmd), 0);
    ck_assert_int_ne(run(cmd), 0); /* not over an export */
    snprintf(cmd, sizeof cmd, "%s/bin/seen audit verify %s >/dev/null",
        SEEN_BUILD_DIR, out);
    ck_assert_int_eq(run(cmd), 1); /* no membership: who is the owner? */
    ck_assert_int_eq(seen_audit_load(out, ex), 0);
    memcpy(pk, ex[SEEN_AUDIT_MANIFEST].data + 26, 64);
    pk[64] = '\0';
    seen_audit_bufs_release(ex);
    snprintf(cmd, sizeof cmd,
        "%s/bin/seen audit verify --owner %s --json %s > %s/v.json",
        SEEN_BUILD_DIR, pk, out, base);
    ck_assert_int_eq(run(cmd), 0);
    snprintf(cmd, sizeof cmd,
        "%s/bin/seen audit verify %s/nothing-here 2>/dev/null", SEEN_BUILD_DIR,
        base);
    ck_assert_int_eq(run(cmd), 1);
    snprintf(cmd, sizeof cmd, "%s/bin/seen audit verify 2>/dev/null",
        SEEN_BUILD_DIR);
    ck_assert_int_eq(run(cmd), 2);

    /* A federation's exports, verified together. */
    node_open(&a, "alpha", A, 1);
    node_open(&b, "bravo", B, 1);
    small_history(&a, &b, NULL);
    {
        struct seen_txn *t;
        char oa[2048], ob[2048], hx[65];

        snprintf(oa, sizeof oa, "%s/ea", base);
        snprintf(ob, sizeof ob, "%s/eb", base);
        t = rtxn(&a);
        ck_assert_int_eq(seen_audit_export(t, oa, NULL), 0);
        seen_store_abort(t);
        t = rtxn(&b);
        ck_assert_int_eq(seen_audit_export(t, ob, NULL), 0);
        seen_store_abort(t);
        sodium_bin2hex(hx, sizeof hx, AUTH->sign_pk, 32);
        snprintf(cmd, sizeof cmd,
            "%s/bin/seen audit verify --authority %s %s %s >/dev/null",
            SEEN_BUILD_DIR, hx, oa, ob);
        ck_assert_int_eq(run(cmd), 0);
        sodium_bin2hex(hx, sizeof hx, A->sign_pk, 32);
        snprintf(cmd, sizeof cmd,
            "%s/bin/seen audit verify --authority %s %s >/dev/null",
            SEEN_BUILD_DIR, hx, oa);
        ck_assert_int_eq(run(cmd), 1);
    }
    node_close(&a);
    node_close(&b);
}
END_TEST

/* ---- the worked example of docs/audit-format.md ---- */

/*
 * Read the blocks "```hex NAME" and "```text NAME" of the document into
 * ${b}.  Returns the number of blocks.
 */
static int
read_doc_example(const char *path, struct seen_audit_buf b[SEEN_AUDIT_NFILES])
{
    char line[4096], name[128];
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0, n;
    int f = -1, text = 0, blocks = 0, g;
    FILE *fp;

    memset(b, 0, SEEN_AUDIT_NFILES * sizeof *b);
    ck_assert_ptr_nonnull(fp = fopen(path, "r"));
    while (fgets(line, sizeof line, fp) != NULL) {
        if (f < 0) {
            if (sscanf(line, "```hex %127s", name) == 1)
                text = 0;
            else if (sscanf(line, "```text %127s", name) == 1)
                text = 1;
            else
                continue;
            for (g = 0; g < SEEN_AUDIT_NFILES; g++)
                if (strcmp(name, seen_audit_file_name(g)) == 0)
                    f = g;
            if (f < 0)
                continue;
            len = 0;
            continue;
        }
        if (strncmp(line, "```", 3) == 0) {
            b[f].data = len ? buf : NULL;
            b[f].len = len;
            b[f].present = 1;
            if (!len)
                free(buf);
            buf = NULL;
            cap = len = 0;
            f = -1;
            blocks++;
            continue;
        }
        n = strlen(line);
        if (cap - len < n + 1) {
            cap = (cap + n + 1) * 2;
            ck_assert_ptr_nonnull(buf = realloc(buf, cap));
        }
        if (text) {
            memcpy(buf + len, line, n);
            len += n;
        } else {
            size_t got = 0;

            ck_assert_int_eq(sodium_hex2bin(buf + len, cap - len, line, n,
                                 " \n", &got, NULL),
                0);
            len += got;
        }
    }
    fclose(fp);
    free(buf);
    return blocks;
}

START_TEST(test_worked_example_of_the_format_document_verifies)
{
    struct seen_audit_buf b[SEEN_AUDIT_NFILES];
    struct seen_audit_opts o = {NULL, NULL};
    struct seen_audit *a;
    struct tally ty;
    uint8_t auth[32];
    int f;

    ck_assert_int_eq(
        read_doc_example(SEEN_SOURCE_DIR "/docs/audit-format.md", b),
        SEEN_AUDIT_NFILES);
    for (f = 0; f < SEEN_AUDIT_NFILES; f++)
        ck_assert(b[f].present);
    ck_assert_uint_eq(b[SEEN_AUDIT_AUTHORITY].len, 32);
    memcpy(auth, b[SEEN_AUDIT_AUTHORITY].data, 32);
    o.authority = auth;
    memset(&ty, 0, sizeof ty);
    ck_assert_int_eq(seen_audit_open(b, "example", &o, tally_fn, &ty, &a), 0);
    if (seen_audit_failures(a) != 0)
        ck_abort_msg("the document's example fails: %s", ty.first_fail);
    seen_audit_destroy(&a);
    /* Its bytes are covered like any export's. */
    b[SEEN_AUDIT_LEAVES].data[10] ^= 1;
    ck_assert_uint_gt(verify_quiet(b), 0);
    seen_audit_bufs_release(b);
}
END_TEST

/*
 * SEEN_AUDIT_WRITE_EXAMPLE=DIR: write the document's example export (the
 * small history of two nodes) to DIR, to be pasted into the document.
 */
START_TEST(test_write_example_when_asked)
{
    const char *dir = getenv("SEEN_AUDIT_WRITE_EXAMPLE");
    struct seen_txn *t;
    struct node a, b;

    if (dir == NULL)
        return;
    node_open(&a, "alpha", A, 1);
    node_open(&b, "bravo", B, 1);
    install_membership(&a);
    install_membership(&b);
    t = wtxn(&a);
    add_query(t, A, 0);
    commit(t);
    send_msg(&a, &b, 1);
    send_msg(&b, &a, 1);
    t = wtxn(&a);
    add_decision(t, A, 0, B->sign_pk);
    commit(t);
    free(sign_now(&a, &(size_t){0}));
    t = rtxn(&a);
    ck_assert_int_eq(seen_audit_export(t, dir, NULL), 0);
    seen_store_abort(t);
    node_close(&a);
    node_close(&b);
}
END_TEST

/* ---- fuzz seeds and regressions ---- */

/* Join the files of an export into one input of the harness (malloc'd). */
static uint8_t *
fuzz_join(const struct seen_audit_buf b[SEEN_AUDIT_NFILES], size_t *len)
{
    uint8_t *out, *p;
    size_t n = 0;
    int f;

    for (f = 0; f < SEEN_AUDIT_NFILES; f++)
        n += 5 + b[f].len;
    ck_assert_ptr_nonnull(out = p = malloc(n));
    for (f = 0; f < SEEN_AUDIT_NFILES; f++) {
        *p++ = (uint8_t)f;
        seen_be32(p, (uint32_t)b[f].len);
        p += 4;
        if (b[f].len)
            memcpy(p, b[f].data, b[f].len);
        p += b[f].len;
    }
    *len = n;
    return out;
}

static void
write_seed(const char *dir, const char *name,
    const struct seen_audit_buf b[SEEN_AUDIT_NFILES])
{
    char path[4096];
    uint8_t *s;
    size_t n;
    FILE *f;

    s = fuzz_join(b, &n);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    ck_assert_ptr_nonnull(f = fopen(path, "wb"));
    ck_assert_uint_eq(fwrite(s, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
    free(s);
}

/* Log the change ${change} of operator ${name} (${role}), bound to the
 * Unix user ${user} (uid ${uid}) unless ${user} is NULL, by ${by}.
 * Returns what seen_xlog_operator() returns. */
static int
log_operator(struct seen_txn *t, const struct seen_keys *k, const char *by,
    const char *name, int change, const char *role, const char *user,
    uint32_t uid)
{
    Seen__OperatorRecord o = SEEN__OPERATOR_RECORD__INIT;

    o.operator_ = (char *)by;
    o.name = (char *)name;
    o.change = (Seen__OperatorChange)change;
    o.role = (char *)role;
    o.bound = user != NULL;
    o.uid = uid;
    o.user = (char *)(user != NULL ? user : "");
    o.time = NOW;
    return seen_xlog_operator(t, k, &o, NULL);
}

/* A lone node's log with operator changes among its queries: what
 * `seen init --user` and `seen operator` write (issue 15). */
static void
operator_history(struct node *n)
{
    struct seen_txn *t = wtxn(n);

    ck_assert_int_eq(log_operator(t, A, "", "admin", 1, "admin", "root", 0),
        0);
    ck_assert_int_eq(
        log_operator(t, A, "admin", "sam", 1, "lead", "alice", 1001), 0);
    add_query(t, A, 0);
    ck_assert_int_eq(
        log_operator(t, A, "admin", "sam", 2, "lead", "alice", 1001), 0);
    ck_assert_int_eq(
        log_operator(t, A, "admin", "sam", 3, "lead", "alice", 1001), 0);
    ck_assert_int_eq(
        log_operator(t, A, "admin", "old", 4, "auditor", NULL, 0), 0);
    ck_assert_int_eq(
        log_operator(t, A, "admin", "sam", 5, "auditor", "alice", 1001), 0);
    commit(t);
    free(sign_now(n, &(size_t){0}));
}

/* Keep the detail of the "leaves" check (a seen_audit_report_fn). */
static void
leaves_detail(void *ctx, const struct seen_audit_check *c)
{

    if (strcmp(c->check, "leaves") == 0)
        snprintf(ctx, 512, "%s%s", c->ok ? "" : "FAIL ", c->detail);
}

START_TEST(test_verify_accepts_operator_leaves_and_the_log_refuses_bad_ones)
{
    struct seen_audit_buf ex[SEEN_AUDIT_NFILES];
    struct seen_audit_opts o = {NULL, NULL};
    struct seen_audit *x = NULL;
    struct seen_txn *t;
    struct node lone;
    char detail[512] = "";

    node_open(&lone, "lone", A, 1);
    operator_history(&lone);
    export_mem(&lone, ex);
    o.owner = A->sign_pk;
    ck_assert_int_eq(seen_audit_open(ex, "lone", &o, leaves_detail, detail,
                         &x),
        0);
    ck_assert_uint_eq(seen_audit_failures(x), 0);
    ck_assert_msg(strstr(detail, "queries 1, decisions 0, evidence 0, "
                                 "operator changes 6)") != NULL,
        "%s", detail);
    seen_audit_destroy(&x);
    seen_audit_bufs_release(ex);
    /* The leaf rules of docs/audit-format.md, section 5: refused. */
    t = wtxn(&lone);
    tu_quiet(NULL);
    ck_assert_int_eq(log_operator(t, A, "admin", "", 1, "lead", NULL, 0),
        SEEN_EINVAL);
    ck_assert_int_eq(log_operator(t, A, "Admin!", "sam", 1, "lead", NULL, 0),
        SEEN_EINVAL);
    ck_assert_int_eq(log_operator(t, A, "admin", "sam", 6, "lead", NULL, 0),
        SEEN_EINVAL);
    ck_assert_int_eq(log_operator(t, A, "admin", "sam", 1, "boss", NULL, 0),
        SEEN_EINVAL);
    ck_assert_int_eq(log_operator(t, A, "admin", "sam", 1, "lead", "", 7),
        SEEN_EINVAL);
    ck_assert_int_eq(log_operator(t, A, "admin", "sam", 1, "lead", "a:b", 7),
        SEEN_EINVAL);
    ck_assert_int_eq(log_operator(t, A, "admin", "sam", 1, "lead", NULL, 7),
        SEEN_EINVAL);
    tu_loud();
    seen_store_abort(t);
    node_close(&lone);
}
END_TEST

/* SEEN_AUDIT_WRITE_SEEDS=DIR: write the harness's seed corpus to DIR
 * (notes-*: the seeds without the prefix were written by the previous
 * version, and stay as they are). */
START_TEST(test_write_seeds_when_asked)
{
    const char *dir = getenv("SEEN_AUDIT_WRITE_SEEDS");
    struct seen_audit_buf ex[SEEN_AUDIT_NFILES];
    struct seen_txn *t;
    struct node a, b, lone;
    int i;

    if (dir == NULL)
        return;
    /* A lone node: no membership; its owner is the harness's. */
    node_open(&lone, "lone", A, 1);
    t = wtxn(&lone);
    for (i = 0; i < 5; i++)
        add_query(t, A, i);
    add_decision(t, A, 1, NULL);
    commit(t);
    free(sign_now(&lone, &(size_t){0}));
    export_mem(&lone, ex);
    write_seed(dir, "notes-lone-node", ex);
    seen_audit_bufs_release(ex);
    node_close(&lone);
    /* A lone node whose operators changed (issue 15). */
    node_open(&lone, "lone-ops", A, 1);
    operator_history(&lone);
    export_mem(&lone, ex);
    write_seed(dir, "operators-lone-node", ex);
    seen_audit_bufs_release(ex);
    node_close(&lone);
    /* Two members that exchanged, witnessed and cosigned. */
    node_open(&a, "alpha", A, 1);
    node_open(&b, "bravo", B, 1);
    small_history(&a, &b, NULL);
    export_mem(&a, ex);
    write_seed(dir, "notes-federation-alpha", ex);
    seen_audit_bufs_release(ex);
    /* bravo with evidence of an equivocation by alpha. */
    t = wtxn(&b);
    equivocate(t, B, A, 0x66);
    commit(t);
    export_mem(&b, ex);
    write_seed(dir, "notes-federation-bravo-evidence", ex);
    seen_audit_bufs_release(ex);
    /* alpha shown a checkpoint of its own it does not hold. */
    {
        uint8_t buf[SEEN_CHECKPOINT_BUF], root[32];
        Seen__Checkpoint c;

        memset(root, 0x55, sizeof root);
        ck_assert_int_eq(seen_checkpoint_sign(&c, buf,
                             SEEN_DOMAIN_XLOG_CHECKPOINT, A, 100, root, NOW),
            0);
        t = wtxn(&a);
        ck_assert_int_eq(seen_xlog_note_own_checkpoint(t, A, &c), SEEN_EAUTH);
        commit(t);
    }
    export_mem(&a, ex);
    write_seed(dir, "notes-federation-alpha-halted", ex);
    seen_audit_bufs_release(ex);
    node_close(&a);
    node_close(&b);
}
END_TEST

/* Run one harness input; return 1 when it verifies with no failure. */
static int
run_audit(const uint8_t *buf, size_t len)
{
    struct seen_audit_buf b[SEEN_AUDIT_NFILES];
    struct seen_audit_opts o = {NULL, NULL};
    struct seen_audit *a;
    int ok;

    ck_assert_int_eq(LLVMFuzzerTestOneInput(buf, len), 0);
    o.owner = fuzz_audit_owner();
    (void)fuzz_audit_split(buf, len, b);
    ck_assert_int_eq(seen_audit_open(b, "seed", &o, NULL, NULL, &a), 0);
    ok = seen_audit_failures(a) == 0;
    seen_audit_destroy(&a);
    return ok;
}

START_TEST(test_fuzz_seeds_verify_and_regressions_do_not_crash)
{
    size_t n, ok;

    /* Exports of the previous version (checkpoints of the earlier form,
     * no evidence leaves) and of this one (notes-*): all verify but the
     * two halted nodes'. */
    ok = tu_replay_fuzz("audit", run_audit, &n);
    ck_assert_uint_ge(n, 8);
    ck_assert_uint_ge(ok, 6);
    ck_assert_int_eq(LLVMFuzzerTestOneInput(NULL, 0), 0);
}
END_TEST

Suite *
audit_suite(void)
{
    Suite *s = suite_create("audit");
    TCase *tc;

    tc = tcase_create("audit");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_export_verifies_alone_and_together);
    tcase_add_test(tc, test_every_flipped_byte_of_a_small_export_fails);
    tcase_add_test(tc, test_sampled_flips_of_a_large_export_fail);
    tcase_add_test(tc, test_rewritten_log_is_caught_through_its_peers);
    tcase_add_test(tc, test_cli_exports_a_lone_node_and_verifies);
    tcase_add_test(
        tc, test_verify_accepts_operator_leaves_and_the_log_refuses_bad_ones);
    tcase_add_test(tc, test_worked_example_of_the_format_document_verifies);
    tcase_add_test(tc, test_write_example_when_asked);
    suite_add_tcase(s, tc);

    tc = tcase_create("regress");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_write_seeds_when_asked);
    tcase_add_test(tc, test_fuzz_seeds_verify_and_regressions_do_not_crash);
    suite_add_tcase(s, tc);
    return s;
}
