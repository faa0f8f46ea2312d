/*
 * audit_fixture.c: what the audit suites (check_audit.c and
 * check_audit_frames.c) share beyond the exchange log's fixture
 * (xlog_fixture.c, included here): checking an export quietly, forging
 * its manifest, a small federation's history and an equivocation.
 * Included, as xlog_fixture.c is: every function here is used by both.
 */
#include "tests/xlog_fixture.c"

static uint64_t
verify_quiet(const struct seen_audit_buf b[SEEN_AUDIT_NFILES])
{
    struct seen_audit *a = NULL;
    uint64_t f;

    {
        struct tally ty;

        memset(&ty, 0, sizeof ty);
        ck_assert_int_eq(seen_audit_open(b, "x", NULL, tally_fn, &ty, &a), 0);
    }
    f = seen_audit_failures(a);
    seen_audit_destroy(&a);
    return f;
}

/* Rewrite the manifest of ${b} to match its files, as a forger would. */
static void
reforge_manifest(struct seen_audit_buf b[SEEN_AUDIT_NFILES])
{
    char hx[65], *t, *p;
    uint8_t sha[32];
    size_t off, n;
    int f;

    /* Recompute the size, root and file lines from the files. */
    {
        struct seen_merkle_frontier fr;
        const uint8_t *d = b[SEEN_AUDIT_LEAVES].data;
        uint8_t lh[32], root[32], owner[32];
        uint64_t count = 0, frames;

        memcpy(hx, (char *)b[SEEN_AUDIT_MANIFEST].data + 26, 64);
        hx[64] = '\0';
        ck_assert_int_eq(
            sodium_hex2bin(owner, 32, hx, 64, NULL, NULL, NULL), 0);
        seen_merkle_frontier_init(&fr);
        for (off = 0; off + 4 <= b[SEEN_AUDIT_LEAVES].len; count++) {
            n = seen_rd32(d + off);
            seen_merkle_leaf_hash(lh, d + off + 4, n);
            seen_merkle_frontier_append(&fr, lh);
            off += 4 + n;
        }
        seen_merkle_frontier_root(&fr, root);
        ck_assert_ptr_nonnull(t = malloc(4096));
        sodium_bin2hex(hx, sizeof hx, owner, 32);
        off = (size_t)snprintf(t, 4096,
            "seen-audit-export 1\nowner %s\nsize %llu\n", hx,
            (unsigned long long)count);
        sodium_bin2hex(hx, sizeof hx, root, 32);
        off += (size_t)snprintf(t + off, 4096 - off, "root %s\n", hx);
        for (f = SEEN_AUDIT_LEAVES; f < SEEN_AUDIT_NFILES; f++) {
            frames = 0;
            if (f == SEEN_AUDIT_MEMBERSHIP || f == SEEN_AUDIT_AUTHORITY)
                frames = b[f].len > 0;
            else
                for (n = 0; n + 4 <= b[f].len; frames++)
                    n += 4 + seen_rd32(b[f].data + n);
            crypto_hash_sha256(
                sha, b[f].data ? b[f].data : (const uint8_t *)"", b[f].len);
            sodium_bin2hex(hx, sizeof hx, sha, 32);
            off += (size_t)snprintf(t + off, 4096 - off,
                "file %s %llu %zu %s\n", seen_audit_file_name(f),
                (unsigned long long)frames, b[f].len, hx);
        }
    }
    p = (char *)b[SEEN_AUDIT_MANIFEST].data;
    free(p);
    b[SEEN_AUDIT_MANIFEST].data = (uint8_t *)t;
    b[SEEN_AUDIT_MANIFEST].len = strlen(t);
}

/* A small federation's history: alpha and bravo exchange, query and
 * decide; the witness node cosigns too. */
static void
small_history(struct node *a, struct node *b, struct node *w)
{
    struct seen_txn *t;

    install_membership(a);
    install_membership(b);
    if (w != NULL)
        install_membership(w);
    t = wtxn(a);
    add_query(t, a->k, 0);
    commit(t);
    send_msg(a, b, 1);
    send_msg(b, a, 1);
    t = wtxn(a);
    add_decision(t, a->k, 0, b->k->sign_pk);
    commit(t);
    send_msg(a, b, 1);
    if (w != NULL)
        send_msg(a, w, 1);
    free(sign_now(a, &(size_t){0}));
}

/*
 * Show ${at}, in ${t}, a second root (every byte ${fill}) that ${k} signed
 * for the size of the checkpoint of its log that ${at} holds: kept as
 * evidence of equivocation.
 */
static void
equivocate(struct seen_txn *t, const struct seen_keys *at,
    const struct seen_keys *k, uint8_t fill)
{
    uint8_t buf[SEEN_CHECKPOINT_BUF], root[32], *cosig;
    Seen__Checkpoint c, *held;
    const uint8_t *hb;
    size_t hl, cl;

    ck_assert_int_eq(seen_xlog_held(t, k->sign_pk, &hb, &hl), 0);
    ck_assert_int_eq(seen_checkpoint_decode(hb, hl, &held), 0);
    memset(root, fill, sizeof root);
    ck_assert_int_eq(
        seen_checkpoint_sign(
            &c, buf, SEEN_DOMAIN_XLOG_CHECKPOINT, k, held->size, root, NOW),
        0);
    ck_assert_int_eq(
        seen_xlog_witness(t, at, &c, NULL, 0, NOW, &cosig, &cl), SEEN_EAUTH);
    seen_checkpoint_destroy(&held);
}

