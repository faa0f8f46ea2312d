/*
 * check_crypto_merkle.c: RFC 9162 Merkle hashing, proofs and verification,
 * against the transparency-dev/merkle vectors in tests/data/merkle
 * and against the generators for every small tree.
 */
#include <sys/stat.h>

#include <check.h>
#include <dirent.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/merkle.h"
#include "tests/suites.h"
#include "tests/testutil.h"

/*
 * Number of vector files counted with
 * find tests/data/merkle/{inclusion,consistency} -name '*.json'
 * when this suite was written (98 of each).  Seeing fewer means the walk
 * is broken or vectors went missing.
 */
#define MIN_INCLUSION_FILES 98
#define MIN_CONSISTENCY_FILES 98

/* Largest tree the exhaustive generator tests build. */
#define MAXN 70

/* ---- the vectors ---- */

struct vstats {
    int files;      /* JSON files checked */
    int rejects;    /* of which wantErr is true */
    int mismatches; /* verdicts that disagree with wantErr */
    int padded;     /* files with a root shorter than 32 bytes */
    int bigints;    /* files with an integer beyond int64 */
};

static struct vstats inc_stats, con_stats;

/*
 * Load ${path}.  Jansson refuses integers beyond int64 (one vector has
 * leafIdx 2^64 - 1); for those files, load again reading integers as reals.
 */
static json_t *
load(const char *path, int *bigint)
{
    json_error_t err;
    json_t *j;

    *bigint = 0;
    if ((j = json_load_file(path, 0, &err)) != NULL)
        return j;
    if (strstr(err.text, "too big") == NULL)
        ck_abort_msg("%s: %s", path, err.text);
    *bigint = 1;
    if ((j = json_load_file(path, JSON_DECODE_INT_AS_REAL, &err)) == NULL)
        ck_abort_msg("%s: %s", path, err.text);
    return j;
}

/* A non-negative JSON number as a uint64_t (saturating above 2^64 - 1). */
static uint64_t
get_u64(const char *path, json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    double d;

    if (json_is_integer(v)) {
        ck_assert_msg(json_integer_value(v) >= 0, "%s: %s < 0", path, key);
        return (uint64_t)json_integer_value(v);
    }
    ck_assert_msg(json_is_real(v), "%s: no number %s", path, key);
    d = json_real_value(v);
    ck_assert_msg(d >= 0, "%s: %s < 0", path, key);
    if (d >= 18446744073709551616.0)
        return UINT64_MAX;
    return (uint64_t)d;
}

/*
 * Decode the base64 hash ${v} (a missing or null value counts as empty)
 * into ${out}, zero-filled to 32 bytes, and return its decoded length.
 * The C API takes exactly 32-byte hashes; the vectors also use shorter
 * placeholders ("don't care", "").  Zero-filling keeps equal placeholders
 * equal and different ones different (no placeholder is a zero-padded
 * prefix of another value in the set), and turns a short proof element
 * into a hash that cannot chain to the root.
 */
static size_t
get_hash(const char *path, json_t *v, uint8_t out[32])
{
    uint8_t buf[64];
    const char *s;
    size_t len = 0;

    memset(out, 0, 32);
    if (v == NULL || json_is_null(v))
        return 0;
    ck_assert_msg(json_is_string(v), "%s: hash is not a string", path);
    s = json_string_value(v);
    ck_assert_msg(sodium_base642bin(buf, sizeof buf, s, strlen(s), NULL, &len,
                      NULL, sodium_base64_VARIANT_ORIGINAL) == 0,
        "%s: bad base64 '%s'", path, s);
    ck_assert_msg(len <= 32, "%s: hash of %zu bytes", path, len);
    memcpy(out, buf, len);
    return len;
}

/* Decode the proof of ${o} (missing or null: empty) into a new array. */
static uint8_t (*get_proof(const char *path, json_t *o, size_t *n))[32]
{
    json_t *p = json_object_get(o, "proof");
    uint8_t(*proof)[32];
    size_t i;

    *n = 0;
    if (p == NULL || json_is_null(p))
        return NULL;
    ck_assert_msg(json_is_array(p), "%s: proof is not a list", path);
    *n = json_array_size(p);
    if (*n == 0)
        return NULL;
    ck_assert_ptr_nonnull(proof = calloc(*n, 32));
    for (i = 0; i < *n; i++)
        get_hash(path, json_array_get(p, i), proof[i]);
    return proof;
}

static int
want_err(const char *path, json_t *o)
{
    json_t *w = json_object_get(o, "wantErr");

    ck_assert_msg(json_is_boolean(w), "%s: no wantErr", path);
    return json_is_true(w);
}

static void
run_inclusion(const char *path)
{
    uint8_t leaf[32], root[32];
    uint8_t(*proof)[32];
    uint64_t index, size;
    size_t plen, leaflen, rootlen;
    int bigint, wanterr, ok;
    json_t *o;

    o = load(path, &bigint);
    index = get_u64(path, o, "leafIdx");
    size = get_u64(path, o, "treeSize");
    leaflen = get_hash(path, json_object_get(o, "leafHash"), leaf);
    rootlen = get_hash(path, json_object_get(o, "root"), root);
    proof = get_proof(path, o, &plen);
    wanterr = want_err(path, o);

    /*
     * A leaf hash that is not 32 bytes is not a SHA-256 leaf hash: a
     * caller could not even pass it (RFC 9162 2.1.3.2 takes a hash of the
     * hash size; the reference implementation rejects it by length).
     */
    if (leaflen != 32)
        ok = 0;
    else
        ok = seen_merkle_verify_inclusion(leaf, index, size,
                 (const uint8_t(*)[32])proof, plen, root) == 0;
    if (ok == wanterr) {
        fprintf(stderr, "MISMATCH %s: verifier %s, wantErr %d\n", path,
            ok ? "accepts" : "rejects", wanterr);
        inc_stats.mismatches++;
    }
    inc_stats.files++;
    inc_stats.rejects += wanterr;
    inc_stats.padded += rootlen != 32;
    inc_stats.bigints += bigint;
    free(proof);
    json_decref(o);
}

static void
run_consistency(const char *path)
{
    uint8_t root1[32], root2[32];
    uint8_t(*proof)[32];
    uint64_t size1, size2;
    size_t plen, len1, len2;
    int bigint, wanterr, ok;
    json_t *o;

    o = load(path, &bigint);
    size1 = get_u64(path, o, "size1");
    size2 = get_u64(path, o, "size2");
    len1 = get_hash(path, json_object_get(o, "root1"), root1);
    len2 = get_hash(path, json_object_get(o, "root2"), root2);
    proof = get_proof(path, o, &plen);
    wanterr = want_err(path, o);

    ok = seen_merkle_verify_consistency(size1, size2, root1, root2,
             (const uint8_t(*)[32])proof, plen) == 0;
    if (ok == wanterr) {
        fprintf(stderr, "MISMATCH %s: verifier %s, wantErr %d\n", path,
            ok ? "accepts" : "rejects", wanterr);
        con_stats.mismatches++;
    }
    con_stats.files++;
    con_stats.rejects += wanterr;
    con_stats.padded += len1 != 32 || len2 != 32;
    con_stats.bigints += bigint;
    free(proof);
    json_decref(o);
}

/* Run ${fn} on every *.json file under ${dir}, recursively. */
static void
walk(const char *dir, void (*fn)(const char *))
{
    char path[4096];
    struct dirent *de;
    struct stat sb;
    size_t len;
    DIR *d;

    ck_assert_msg((d = opendir(dir)) != NULL, "cannot open %s", dir);
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        ck_assert_int_lt(snprintf(path, sizeof path, "%s/%s", dir,
                             de->d_name), (int)sizeof path);
        ck_assert_int_eq(stat(path, &sb), 0);
        if (S_ISDIR(sb.st_mode)) {
            walk(path, fn);
            continue;
        }
        len = strlen(de->d_name);
        if (S_ISREG(sb.st_mode) && len > 5 &&
            strcmp(de->d_name + len - 5, ".json") == 0)
            fn(path);
    }
    closedir(d);
}

START_TEST(test_verify_inclusion_agrees_with_every_vector)
{
    char dir[4096];

    memset(&inc_stats, 0, sizeof inc_stats);
    walk(tu_data("merkle/inclusion", dir, sizeof dir),
        run_inclusion);
    printf("merkle inclusion vectors: %d files, %d to reject, "
           "%d with short placeholder roots, %d with integers beyond "
           "int64, %d mismatches\n", inc_stats.files, inc_stats.rejects,
        inc_stats.padded, inc_stats.bigints, inc_stats.mismatches);
    fflush(stdout);
    ck_assert_int_ge(inc_stats.files, MIN_INCLUSION_FILES);
    ck_assert_int_lt(inc_stats.rejects, inc_stats.files);
    ck_assert_int_eq(inc_stats.mismatches, 0);
}
END_TEST

START_TEST(test_verify_consistency_agrees_with_every_vector)
{
    char dir[4096];

    memset(&con_stats, 0, sizeof con_stats);
    walk(tu_data("merkle/consistency", dir, sizeof dir),
        run_consistency);
    printf("merkle consistency vectors: %d files, %d to reject, "
           "%d with short placeholder roots, %d with integers beyond "
           "int64, %d mismatches\n", con_stats.files, con_stats.rejects,
        con_stats.padded, con_stats.bigints, con_stats.mismatches);
    fflush(stdout);
    ck_assert_int_ge(con_stats.files, MIN_CONSISTENCY_FILES);
    ck_assert_int_lt(con_stats.rejects, con_stats.files);
    ck_assert_int_eq(con_stats.mismatches, 0);
}
END_TEST

/* ---- hashing ---- */

static void
hex32(const char *hex, uint8_t out[32])
{

    ck_assert_int_eq(sodium_hex2bin(out, 32, hex, strlen(hex), NULL, NULL,
                         NULL), 0);
}

START_TEST(test_empty_tree_root_is_sha256_of_nothing)
{
    static const char *want =
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    struct seen_merkle_leaves lv = {NULL, 0};
    struct seen_merkle_frontier fr;
    uint8_t w[32], h[32];

    hex32(want, w);
    seen_merkle_empty_root(h);
    ck_assert_mem_eq(h, w, 32);
    memset(h, 0, 32);
    ck_assert_int_eq(seen_merkle_root_of(seen_merkle_subtree_from_leaves,
                         &lv, 0, h), 0);
    ck_assert_mem_eq(h, w, 32);
    seen_merkle_frontier_init(&fr);
    memset(h, 0, 32);
    seen_merkle_frontier_root(&fr, h);
    ck_assert_mem_eq(h, w, 32);
}
END_TEST

/* The RFC 6962 reference tree used by transparency-dev/merkle. */
static const struct {
    const char *data;
    size_t len;
} ref_leaves[8] = {
    {"", 0},
    {"\x00", 1},
    {"\x10", 1},
    {"\x20\x21", 2},
    {"\x30\x31", 2},
    {"\x40\x41\x42\x43", 4},
    {"\x50\x51\x52\x53\x54\x55\x56\x57", 8},
    {"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f", 16},
};

/* Their roots for sizes 1 to 8. */
static const char *ref_roots[8] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

START_TEST(test_roots_match_the_rfc6962_reference_tree)
{
    uint8_t leaves[8][32], want[32], h[32];
    struct seen_merkle_leaves lv = {(const uint8_t(*)[32])leaves, 8};
    struct seen_merkle_frontier fr;
    uint64_t n;

    seen_merkle_frontier_init(&fr);
    for (n = 0; n < 8; n++) {
        seen_merkle_leaf_hash(leaves[n], (const uint8_t *)ref_leaves[n].data,
            ref_leaves[n].len);
        seen_merkle_frontier_append(&fr, leaves[n]);
        hex32(ref_roots[n], want);
        ck_assert_int_eq(seen_merkle_root_of(
                             seen_merkle_subtree_from_leaves, &lv, n + 1, h),
            0);
        ck_assert_mem_eq(h, want, 32);
        seen_merkle_frontier_root(&fr, h);
        ck_assert_mem_eq(h, want, 32);
    }
}
END_TEST

START_TEST(test_node_hash_is_sha256_of_01_left_right)
{
    uint8_t l[32], r[32], buf[65], want[32], h[32];

    memset(l, 0xaa, 32);
    memset(r, 0x55, 32);
    buf[0] = 0x01;
    memcpy(buf + 1, l, 32);
    memcpy(buf + 33, r, 32);
    crypto_hash_sha256(want, buf, sizeof buf);
    seen_merkle_node_hash(h, l, r);
    ck_assert_mem_eq(h, want, 32);
    /* out may alias an input */
    seen_merkle_node_hash(l, l, r);
    ck_assert_mem_eq(l, want, 32);
}
END_TEST

/* ---- generators, exhaustively for small trees ---- */

static uint8_t tree_leaves[MAXN][32];

static void
make_leaves(void)
{
    uint8_t data[16];
    int i;

    for (i = 0; i < MAXN; i++) {
        snprintf((char *)data, sizeof data, "leaf %d", i);
        seen_merkle_leaf_hash(tree_leaves[i], data,
            strlen((const char *)data));
    }
}

/* An independent MTH, straight from the RFC 9162 definition. */
static void
ref_mth(const uint8_t (*h)[32], uint64_t n, uint8_t out[32])
{
    uint8_t l[32], r[32];
    uint64_t k = 1;

    if (n == 1) {
        memcpy(out, h[0], 32);
        return;
    }
    while (k * 2 < n)
        k *= 2;
    ref_mth(h, k, l);
    ref_mth(h + k, n - k, r);
    seen_merkle_node_hash(out, l, r);
}

START_TEST(test_root_of_and_frontier_agree_with_rfc_mth_for_sizes_1_to_70)
{
    struct seen_merkle_leaves lv;
    struct seen_merkle_frontier fr;
    uint8_t want[32], h[32];
    uint64_t n;

    make_leaves();
    seen_merkle_frontier_init(&fr);
    for (n = 1; n <= MAXN; n++) {
        lv.hash = (const uint8_t(*)[32])tree_leaves;
        lv.n = n;
        ref_mth((const uint8_t(*)[32])tree_leaves, n, want);
        ck_assert_int_eq(seen_merkle_root_of(
                             seen_merkle_subtree_from_leaves, &lv, n, h),
            0);
        ck_assert_mem_eq(h, want, 32);
        seen_merkle_frontier_append(&fr, tree_leaves[n - 1]);
        ck_assert_uint_eq(fr.size, n);
        seen_merkle_frontier_root(&fr, h);
        ck_assert_mem_eq(h, want, 32);
    }
}
END_TEST

START_TEST(test_every_inclusion_proof_verifies_and_tampering_fails)
{
    uint8_t proof[SEEN_MERKLE_PROOF_MAX + 1][32], root[32], bad[32];
    struct seen_merkle_leaves lv;
    const uint8_t(*cp)[32] = (const uint8_t(*)[32])proof;
    uint64_t n, i;
    size_t plen, j;

    make_leaves();
    for (n = 1; n <= MAXN; n++) {
        lv.hash = (const uint8_t(*)[32])tree_leaves;
        lv.n = n;
        ck_assert_int_eq(seen_merkle_root_of(
                             seen_merkle_subtree_from_leaves, &lv, n, root),
            0);
        for (i = 0; i < n; i++) {
            ck_assert_int_eq(seen_merkle_inclusion_proof(
                                 seen_merkle_subtree_from_leaves, &lv, i, n,
                                 proof, &plen),
                0);
            ck_assert_uint_le(plen, 64);
            ck_assert_msg(seen_merkle_verify_inclusion(tree_leaves[i], i, n,
                              cp, plen, root) == 0,
                "inclusion of %" PRIu64 " in %" PRIu64, i, n);

            /*
             * Wrong leaf, index or root.  (A larger claimed size can
             * verify: the root, not the proof, binds the tree.)
             */
            ck_assert_int_eq(seen_merkle_verify_inclusion(
                                 tree_leaves[(i + 1) % MAXN], i, n, cp,
                                 plen, root),
                SEEN_EAUTH);
            if (n > 1)
                ck_assert_int_eq(seen_merkle_verify_inclusion(
                                     tree_leaves[i], (i + 1) % n, n, cp,
                                     plen, root),
                    SEEN_EAUTH);
            ck_assert_int_eq(seen_merkle_verify_inclusion(tree_leaves[i], n,
                                 n, cp, plen, root),
                SEEN_EAUTH);
            memcpy(bad, root, 32);
            bad[31] ^= 1;
            ck_assert_int_eq(seen_merkle_verify_inclusion(tree_leaves[i], i,
                                 n, cp, plen, bad),
                SEEN_EAUTH);

            /* Each proof element matters; too short or too long fails. */
            for (j = 0; j < plen; j++) {
                proof[j][j % 32] ^= 0x80;
                ck_assert_int_eq(seen_merkle_verify_inclusion(tree_leaves[i],
                                     i, n, cp, plen, root),
                    SEEN_EAUTH);
                proof[j][j % 32] ^= 0x80;
            }
            if (plen > 0)
                ck_assert_int_eq(seen_merkle_verify_inclusion(tree_leaves[i],
                                     i, n, cp, plen - 1, root),
                    SEEN_EAUTH);
            memcpy(proof[plen], root, 32);
            ck_assert_int_eq(seen_merkle_verify_inclusion(tree_leaves[i], i,
                                 n, cp, plen + 1, root),
                SEEN_EAUTH);
        }
        ck_assert_int_eq(seen_merkle_inclusion_proof(
                             seen_merkle_subtree_from_leaves, &lv, n, n,
                             proof, &plen),
            SEEN_EINVAL);
    }
}
END_TEST

START_TEST(test_every_consistency_proof_verifies_and_tampering_fails)
{
    uint8_t proof[SEEN_MERKLE_PROOF_MAX + 1][32], roots[MAXN + 1][32];
    uint8_t bad[32];
    struct seen_merkle_leaves lv;
    const uint8_t(*cp)[32] = (const uint8_t(*)[32])proof;
    uint64_t n, m;
    size_t plen, j;

    make_leaves();
    lv.hash = (const uint8_t(*)[32])tree_leaves;
    for (n = 0; n <= MAXN; n++) {
        lv.n = n;
        ck_assert_int_eq(seen_merkle_root_of(
                             seen_merkle_subtree_from_leaves, &lv, n,
                             roots[n]),
            0);
    }
    for (n = 1; n <= MAXN; n++) {
        /* The generator may only look at the first n leaves. */
        lv.n = n;
        for (m = 1; m <= n; m++) {
            ck_assert_int_eq(seen_merkle_consistency_proof(
                                 seen_merkle_subtree_from_leaves, &lv, m, n,
                                 proof, &plen),
                0);
            ck_assert_uint_le(plen, SEEN_MERKLE_PROOF_MAX);
            ck_assert_uint_eq(plen, seen_merkle_consistency_len(m, n));
            if (m == n)
                ck_assert_uint_eq(plen, 0);
            ck_assert_msg(seen_merkle_verify_consistency(m, n, roots[m],
                              roots[n], cp, plen) == 0,
                "consistency %" PRIu64 " -> %" PRIu64, m, n);

            /* Wrong roots or sizes. */
            memcpy(bad, roots[m], 32);
            bad[0] ^= 1;
            ck_assert_int_eq(seen_merkle_verify_consistency(m, n, bad,
                                 roots[n], cp, plen),
                SEEN_EAUTH);
            memcpy(bad, roots[n], 32);
            bad[0] ^= 1;
            ck_assert_int_eq(seen_merkle_verify_consistency(m, n, roots[m],
                                 bad, cp, plen),
                SEEN_EAUTH);
            if (m < n) {
                ck_assert_int_eq(seen_merkle_verify_consistency(m - 1 ? m - 1
                                                                      : 2,
                                     n, roots[m], roots[n], cp, plen),
                    SEEN_EAUTH);
                ck_assert_int_eq(seen_merkle_verify_consistency(n, m,
                                     roots[n], roots[m], cp, plen),
                    SEEN_EAUTH);
            }
            /* A size-0 tree proves nothing. */
            ck_assert_int_eq(seen_merkle_verify_consistency(0, n, roots[0],
                                 roots[n], cp, plen),
                SEEN_EAUTH);

            for (j = 0; j < plen; j++) {
                proof[j][31 - j % 32] ^= 0x01;
                ck_assert_int_eq(seen_merkle_verify_consistency(m, n,
                                     roots[m], roots[n], cp, plen),
                    SEEN_EAUTH);
                proof[j][31 - j % 32] ^= 0x01;
            }
            if (plen > 0)
                ck_assert_int_eq(seen_merkle_verify_consistency(m, n,
                                     roots[m], roots[n], cp, plen - 1),
                    SEEN_EAUTH);
            memcpy(proof[plen], roots[m], 32);
            ck_assert_int_eq(seen_merkle_verify_consistency(m, n, roots[m],
                                 roots[n], cp, plen + 1),
                SEEN_EAUTH);
        }
        ck_assert_int_eq(seen_merkle_consistency_proof(
                             seen_merkle_subtree_from_leaves, &lv, 0, n,
                             proof, &plen),
            SEEN_EINVAL);
        ck_assert_uint_eq(seen_merkle_consistency_len(0, n), SIZE_MAX);
        ck_assert_uint_eq(seen_merkle_consistency_len(n + 1, n), SIZE_MAX);
        ck_assert_int_eq(seen_merkle_consistency_proof(
                             seen_merkle_subtree_from_leaves, &lv, n + 1, n,
                             proof, &plen),
            SEEN_EINVAL);
    }
}
END_TEST

/* ---- huge trees: all leaves equal, so subtree hashes are O(1) ---- */

static uint8_t level_hash[64][32]; /* root of 2^j equal leaves */

static int
uniform_subtree(void *ctx, uint64_t start, uint64_t size,
    uint8_t out[static 32])
{
    int *calls = ctx;

    ck_assert_uint_eq(size & (size - 1), 0);
    ck_assert_uint_eq(start & (size - 1), 0);
    (*calls)++;
    memcpy(out, level_hash[__builtin_ctzll(size)], 32);
    return 0;
}

static void
make_levels(void)
{
    int j;

    seen_merkle_leaf_hash(level_hash[0], (const uint8_t *)"x", 1);
    for (j = 1; j < 64; j++)
        seen_merkle_node_hash(level_hash[j], level_hash[j - 1],
            level_hash[j - 1]);
}

START_TEST(test_proofs_work_up_to_2_pow_64_minus_1_leaves)
{
    uint8_t proof[SEEN_MERKLE_PROOF_MAX][32], r1[32], r2[32];
    const uint8_t(*cp)[32] = (const uint8_t(*)[32])proof;
    static const uint64_t sizes[] = {3, 5, 1ULL << 32, (1ULL << 63) + 1,
        UINT64_MAX - 1};
    size_t plen, i;
    int calls = 0;

    make_levels();
    ck_assert_int_eq(seen_merkle_root_of(uniform_subtree, &calls,
                         UINT64_MAX, r2),
        0);
    ck_assert_int_eq(calls, 64);

    /* The longest consistency proof: 65 hashes. */
    ck_assert_int_eq(seen_merkle_consistency_proof(uniform_subtree, &calls,
                         3, UINT64_MAX, proof, &plen),
        0);
    ck_assert_uint_eq(plen, SEEN_MERKLE_PROOF_MAX);
    ck_assert_uint_eq(seen_merkle_consistency_len(3, UINT64_MAX), plen);
    ck_assert_int_eq(seen_merkle_root_of(uniform_subtree, &calls, 3, r1), 0);
    ck_assert_int_eq(seen_merkle_verify_consistency(3, UINT64_MAX, r1, r2,
                         cp, plen),
        0);

    for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        ck_assert_int_eq(seen_merkle_root_of(uniform_subtree, &calls,
                             sizes[i], r1),
            0);
        ck_assert_int_eq(seen_merkle_consistency_proof(uniform_subtree,
                             &calls, sizes[i], UINT64_MAX, proof, &plen),
            0);
        ck_assert_int_eq(seen_merkle_verify_consistency(sizes[i], UINT64_MAX,
                             r1, r2, cp, plen),
            0);
        ck_assert_uint_eq(
            seen_merkle_consistency_len(sizes[i], UINT64_MAX), plen);
        ck_assert_int_eq(seen_merkle_inclusion_proof(uniform_subtree, &calls,
                             sizes[i], UINT64_MAX, proof, &plen),
            0);
        ck_assert_uint_le(plen, 64);
        ck_assert_int_eq(seen_merkle_verify_inclusion(level_hash[0],
                             sizes[i], UINT64_MAX, cp, plen, r2),
            0);
    }
}
END_TEST

static int
failing_subtree(void *ctx, uint64_t start, uint64_t size,
    uint8_t out[static 32])
{

    (void)ctx;
    (void)start;
    (void)size;
    memset(out, 0, 32);
    return SEEN_EIO;
}

START_TEST(test_generators_pass_callback_errors_back)
{
    uint8_t proof[SEEN_MERKLE_PROOF_MAX][32], h[32];
    size_t plen = 99;

    ck_assert_int_eq(seen_merkle_root_of(failing_subtree, NULL, 5, h),
        SEEN_EIO);
    ck_assert_int_eq(seen_merkle_inclusion_proof(failing_subtree, NULL, 1, 5,
                         proof, &plen),
        SEEN_EIO);
    ck_assert_uint_eq(plen, 0);
    plen = 99;
    ck_assert_int_eq(seen_merkle_consistency_proof(failing_subtree, NULL, 3,
                         5, proof, &plen),
        SEEN_EIO);
    ck_assert_uint_eq(plen, 0);
}
END_TEST

START_TEST(test_subtree_from_leaves_rejects_unaligned_or_out_of_range)
{
    struct seen_merkle_leaves lv;
    uint8_t h[32];

    make_leaves();
    lv.hash = (const uint8_t(*)[32])tree_leaves;
    lv.n = 6;
    ck_assert_int_eq(seen_merkle_subtree_from_leaves(&lv, 4, 2, h), 0);
    ck_assert_int_eq(seen_merkle_subtree_from_leaves(&lv, 4, 4, h),
        SEEN_EINVAL);
    ck_assert_int_eq(seen_merkle_subtree_from_leaves(&lv, 2, 4, h),
        SEEN_EINVAL);
    ck_assert_int_eq(seen_merkle_subtree_from_leaves(&lv, 0, 3, h),
        SEEN_EINVAL);
    ck_assert_int_eq(seen_merkle_subtree_from_leaves(&lv, 0, 0, h),
        SEEN_EINVAL);
    ck_assert_int_eq(seen_merkle_subtree_from_leaves(&lv, 6, 1, h),
        SEEN_EINVAL);
}
END_TEST

Suite *
merkle_suite(void)
{
    Suite *s = suite_create("crypto_merkle");
    TCase *tc;

    tc = tcase_create("vectors");
    tcase_add_test(tc, test_verify_inclusion_agrees_with_every_vector);
    tcase_add_test(tc, test_verify_consistency_agrees_with_every_vector);
    suite_add_tcase(s, tc);

    tc = tcase_create("hashing");
    tcase_add_test(tc, test_empty_tree_root_is_sha256_of_nothing);
    tcase_add_test(tc, test_roots_match_the_rfc6962_reference_tree);
    tcase_add_test(tc, test_node_hash_is_sha256_of_01_left_right);
    suite_add_tcase(s, tc);

    tc = tcase_create("generators");
    tcase_add_test(tc,
        test_root_of_and_frontier_agree_with_rfc_mth_for_sizes_1_to_70);
    tcase_add_test(tc, test_every_inclusion_proof_verifies_and_tampering_fails);
    tcase_add_test(tc,
        test_every_consistency_proof_verifies_and_tampering_fails);
    tcase_add_test(tc, test_proofs_work_up_to_2_pow_64_minus_1_leaves);
    tcase_add_test(tc, test_generators_pass_callback_errors_back);
    tcase_add_test(tc,
        test_subtree_from_leaves_rejects_unaligned_or_out_of_range);
    suite_add_tcase(s, tc);
    return s;
}
