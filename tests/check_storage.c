/*
 * check_storage.c: the node's LMDB store (storage/store.[ch]), against
 * real LMDB files in temporary directories and real libsodium.  Feeds in
 * the store are check_storage_feed.c's, the token index
 * check_storage_index.c's.
 *
 * Damaged files (truncated, overwritten, tampered with) are opened in the
 * test process itself: the store must report them, never crash.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "common/seen.h"
#include "storage/store.h"
#include "tests/suites.h"
#include "tests/testutil.h"

#define MAP_MB 16

/* ---- fixture: one store in a fresh temporary directory ---- */

static char dpath[3072]; /* tu_fixture.dir/data.mdb */

static void
setup(void)
{

    tu_fixture_setup();
    snprintf(dpath, sizeof dpath, "%s/data.mdb", tu_fixture.dir);
}

/* seen_store_open of the fixture's store: its code; the store to *${s}. */
static int
store_open(size_t map_mb, int create, struct seen_store **s)
{

    return seen_store_open(tu_fixture.dir, tu_fixture.node_id,
        tu_fixture.record_key, map_mb, create, s);
}

/* The fixture's store, made or opened again. */
static struct seen_store *
open_store(int create)
{

    return tu_store_open(&tu_fixture, MAP_MB, create);
}

static void
put_str(struct seen_txn *t, enum seen_db db, const char *k, const char *v)
{

    ck_assert_int_eq(
        seen_store_put(t, db, k, strlen(k), v, strlen(v)), SEEN_OK);
}

/* Fill the store with ${n} records of about 1 KiB each and close it. */
static void
make_populated_store(int n)
{
    struct seen_store *s = open_store(1);
    struct seen_txn *t = tu_begin(s, 1);
    uint8_t val[1000];
    char key[32];
    int i;

    for (i = 0; i < n; i++) {
        snprintf(key, sizeof key, "key-%06d", i);
        memset(val, 'a' + i % 26, sizeof val);
        ck_assert_int_eq(seen_store_put(t, SEEN_DB_CURSORS, key, strlen(key),
                             val, sizeof val),
            SEEN_OK);
    }
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    seen_store_destroy(&s);
}

static void
overwrite(const char *path, off_t off, const void *p, size_t len)
{
    int fd;

    ck_assert_int_ge(fd = open(path, O_WRONLY), 0);
    ck_assert_int_eq(pwrite(fd, p, len, off), (ssize_t)len);
    ck_assert_int_eq(close(fd), 0);
}

static off_t
file_size(const char *path)
{
    struct stat sb;

    ck_assert_int_eq(stat(path, &sb), 0);
    return sb.st_size;
}

/* Open the fixture's store without create and return the code; no store
 * is leaked. */
static int
reopen_code(void)
{
    struct seen_store *s = NULL;
    int rc;

    rc = store_open(MAP_MB, 0, &s);
    if (rc == SEEN_OK)
        seen_store_destroy(&s);
    else
        ck_assert_ptr_null(s);
    return rc;
}

/* ---- open, create, reopen ---- */

START_TEST(test_store_created_then_reopened_finds_committed_data)
{
    struct seen_store *s = open_store(1);
    struct seen_txn *t = tu_begin(s, 1);
    const void *v;
    size_t vlen;

    put_str(t, SEEN_DB_PEERS, "peer-a", "endpoint tcp://10.0.0.1:7000");
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    ck_assert_str_eq(seen_store_path(s), tu_fixture.dir);
    seen_store_destroy(&s);

    s = open_store(0);
    t = tu_begin(s, 0);
    ck_assert_int_eq(
        seen_store_get(t, SEEN_DB_PEERS, "peer-a", 6, &v, &vlen), SEEN_OK);
    ck_assert_uint_eq(vlen, strlen("endpoint tcp://10.0.0.1:7000"));
    ck_assert_mem_eq(v, "endpoint tcp://10.0.0.1:7000", vlen);
    ck_assert_int_eq(seen_store_get(t, SEEN_DB_PEERS, "peer-b", 6, &v, &vlen),
        SEEN_ENOTFOUND);
    seen_store_abort(t);
    ck_assert_int_eq(seen_store_check(s), SEEN_OK);
    seen_store_destroy(&s);
}
END_TEST

START_TEST(test_store_uncommitted_write_is_not_kept)
{
    struct seen_store *s = open_store(1);
    struct seen_txn *t = tu_begin(s, 1);
    const void *v;
    size_t vlen;

    put_str(t, SEEN_DB_PEERS, "peer-a", "x");
    seen_store_abort(t);
    seen_store_abort(NULL);
    seen_store_destroy(&s);
    s = open_store(0);
    t = tu_begin(s, 0);
    ck_assert_int_eq(seen_store_get(t, SEEN_DB_PEERS, "peer-a", 6, &v, &vlen),
        SEEN_ENOTFOUND);
    seen_store_abort(t);
    seen_store_destroy(&s);
    {
        struct seen_store *none = NULL;

        seen_store_destroy(NULL);
        seen_store_destroy(&none);
        seen_store_destroy(&none);
    }
}
END_TEST

START_TEST(test_store_open_without_create_where_none_exists_is_enotfound)
{
    struct seen_store *s = (struct seen_store *)&s;

    /* The directory does not exist... */
    ck_assert_int_eq(
        store_open(MAP_MB, 0, &s), SEEN_ENOTFOUND);
    ck_assert_ptr_null(s);
    /* ...or exists and is empty; neither is created. */
    ck_assert_int_eq(mkdir(tu_fixture.dir, 0700), 0);
    ck_assert_int_eq(
        store_open(MAP_MB, 0, &s), SEEN_ENOTFOUND);
    ck_assert_ptr_null(s);
    ck_assert_int_ne(access(dpath, F_OK), 0);
}
END_TEST

START_TEST(test_store_create_over_existing_store_is_eexist_and_keeps_it)
{
    struct seen_store *s = open_store(1);
    struct seen_txn *t = tu_begin(s, 1);
    uint8_t other[32];
    const void *v;
    size_t vlen;

    put_str(t, SEEN_DB_PEERS, "k", "kept");
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    seen_store_destroy(&s);

    randombytes_buf(other, sizeof other);
    ck_assert_int_eq(
        seen_store_open(tu_fixture.dir, other, other, MAP_MB, 1, &s),
        SEEN_EEXIST);
    ck_assert_ptr_null(s);
    s = open_store(0);
    t = tu_begin(s, 0);
    ck_assert_int_eq(
        seen_store_get(t, SEEN_DB_PEERS, "k", 1, &v, &vlen), SEEN_OK);
    ck_assert_mem_eq(v, "kept", 4);
    seen_store_abort(t);
    seen_store_destroy(&s);
}
END_TEST

START_TEST(test_store_reopen_with_another_node_id_is_ewrongnode)
{
    struct seen_store *s = open_store(1);

    seen_store_destroy(&s);
    tu_fixture.node_id[7] ^= 1;
    ck_assert_int_eq(reopen_code(), SEEN_EWRONGNODE);
    tu_fixture.node_id[7] ^= 1;
    ck_assert_int_eq(reopen_code(), SEEN_OK);
}
END_TEST

START_TEST(test_store_reopen_with_another_record_key_is_eauth)
{
    struct seen_store *s = open_store(1);

    seen_store_destroy(&s);
    tu_fixture.record_key[31] ^= 0x80;
    ck_assert_int_eq(reopen_code(), SEEN_EAUTH);
    tu_fixture.record_key[31] ^= 0x80;
    ck_assert_int_eq(reopen_code(), SEEN_OK);
}
END_TEST

START_TEST(test_store_of_another_format_is_eversion)
{
    struct seen_store *s = open_store(1);
    struct seen_txn *t = tu_begin(s, 1);
    uint8_t fmt[4];

    seen_be32(fmt, SEEN_STORE_FORMAT + 1);
    ck_assert_int_eq(
        seen_store_put(t, SEEN_DB_META, "format", 6, fmt, 4), SEEN_OK);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    seen_store_destroy(&s);
    ck_assert_int_eq(reopen_code(), SEEN_EVERSION);
}
END_TEST

/* ---- damaged files ---- */

START_TEST(test_store_truncated_to_half_is_ecorrupt)
{
    off_t size;

    make_populated_store(300);
    size = file_size(dpath);
    ck_assert_int_gt(size, 64 * 4096);
    ck_assert_int_eq(truncate(dpath, size / 2), 0);
    ck_assert_int_eq(reopen_code(), SEEN_ECORRUPT);
}
END_TEST

START_TEST(test_store_truncated_to_nothing_is_ecorrupt)
{

    make_populated_store(300);
    ck_assert_int_eq(truncate(dpath, 0), 0);
    ck_assert_int_eq(reopen_code(), SEEN_ECORRUPT);
}
END_TEST

START_TEST(test_store_truncated_to_one_page_is_ecorrupt)
{

    make_populated_store(300);
    ck_assert_int_eq(truncate(dpath, 4096), 0);
    ck_assert_int_eq(reopen_code(), SEEN_ECORRUPT);
}
END_TEST

START_TEST(test_store_truncated_by_a_single_page_is_ecorrupt)
{

    make_populated_store(300);
    ck_assert_int_eq(truncate(dpath, file_size(dpath) - 4096), 0);
    ck_assert_int_eq(reopen_code(), SEEN_ECORRUPT);
}
END_TEST

START_TEST(test_store_overwritten_with_random_bytes_is_ecorrupt)
{
    uint8_t *junk;
    size_t len;
    int rc;

    make_populated_store(300);
    len = (size_t)file_size(dpath);
    ck_assert_ptr_nonnull(junk = malloc(len));
    randombytes_buf(junk, len);
    overwrite(dpath, 0, junk, len);
    free(junk);
    rc = reopen_code();
    ck_assert_msg(rc == SEEN_ECORRUPT || rc == SEEN_EVERSION,
        "random file opened with %d (%s)", rc, seen_strerror(rc));
}
END_TEST

START_TEST(test_store_replaced_by_a_text_file_is_ecorrupt)
{
    static const char text[] = "this is not an LMDB file\n";
    char junk[3 * 4096];
    int rc;

    make_populated_store(10);
    ck_assert_int_eq(truncate(dpath, 0), 0);
    memset(junk, '#', sizeof junk);
    memcpy(junk, text, sizeof text - 1);
    overwrite(dpath, 0, junk, sizeof junk);
    rc = reopen_code();
    ck_assert_msg(rc == SEEN_ECORRUPT || rc == SEEN_EVERSION,
        "text file opened with %d (%s)", rc, seen_strerror(rc));
}
END_TEST

/*
 * Deterministic garbage over the body of both meta pages (after the page
 * header and the magic and version words, so that LMDB still takes it
 * for one of its files): page size, map size, database roots, last page.
 */
START_TEST(test_store_with_damaged_meta_pages_is_ecorrupt)
{
    uint8_t seed[randombytes_SEEDBYTES] = {0}, junk[200];
    int rc;

    make_populated_store(100);
    seed[0] = (uint8_t)_i;
    randombytes_buf_deterministic(junk, sizeof junk, seed);
    overwrite(dpath, 16 + 8, junk, 100);
    overwrite(dpath, 4096 + 16 + 8, junk + 100, 100);
    rc = reopen_code();
    ck_assert_msg(rc == SEEN_ECORRUPT,
        "damaged meta pages (seed %d) opened with %d (%s)", _i, rc,
        seen_strerror(rc));
}
END_TEST

/*
 * Deterministic garbage over every page but the two meta pages: the meta
 * pages are intact, so LMDB opens the file and then follows garbage
 * (SIGBUS past the end of the file, SIGSEGV, or its own assertion
 * IS_LEAF(mp) in mdb_cursor_next aborts), mostly inside mdb_dbi_open in
 * seen_store_open.  store.h promises SEEN_ECORRUPT for a damaged file, and
 * seen_store_check walks every page to find damage; neither survives
 * this.  Each store is damaged and opened in a child process (its stderr
 * silenced), so that a crash fails this test only, even with CK_FORK=no.
 */
#define GARBAGE_SEEDS 8

/* 0 if opening, then checking, the store reports damage; else why not. */
static int
open_damaged_in_child(void)
{
    struct seen_store *s = NULL;
    pid_t pid;
    int status, rc, fd;

    fflush(NULL);
    ck_assert_int_ge(pid = fork(), 0);
    if (pid == 0) {
        if ((fd = open("/dev/null", O_WRONLY)) >= 0)
            dup2(fd, 2);
        rc = store_open(MAP_MB, 0, &s);
        if (rc == SEEN_ECORRUPT)
            _exit(0);
        if (rc != 0)
            _exit(3);
        rc = seen_store_check(s);
        seen_store_destroy(&s);
        _exit(rc == SEEN_ECORRUPT ? 0 : 4);
    }
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status))
        return 100 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

START_TEST(test_store_with_garbage_data_pages_is_ecorrupt)
{
    uint8_t seed[randombytes_SEEDBYTES] = {0}, *junk;
    char why[256] = "";
    size_t len, w = 0;
    int i, r, bad = 0;

    for (i = 0; i < GARBAGE_SEEDS; i++) {
        tu_rmrf(tu_fixture.dir);
        make_populated_store(300);
        len = (size_t)file_size(dpath) - 8192;
        ck_assert_ptr_nonnull(junk = malloc(len));
        seed[0] = (uint8_t)i;
        randombytes_buf_deterministic(junk, len, seed);
        overwrite(dpath, 8192, junk, len);
        free(junk);
        if ((r = open_damaged_in_child()) != 0) {
            bad++;
            w += (size_t)snprintf(
                why + w, sizeof why - w, " seed %d: %d;", i, r);
        }
    }
    ck_assert_msg(bad == 0,
        "%d of %d damaged stores were not reported as damaged (3: open gave "
        "another code; 4: check passed; 1: a sanitizer caught a crash; "
        "100 + n: killed by signal n):%s",
        bad, GARBAGE_SEEDS, why);
}
END_TEST

/* ---- sealed values ---- */

#define SECRET "Chantelle Ward, born 1994-02-11, note: hid under the bed"

START_TEST(test_sealed_value_round_trips_and_needs_its_associated_data)
{
    struct seen_store *s = open_store(1);
    struct seen_txn *t = tu_begin(s, 1);
    uint8_t k[16], *out = NULL;
    size_t olen = 0;

    seen_store_id_key(s, "REC-1", 5, k);
    ck_assert_int_eq(seen_store_sealed_put(t, SEEN_DB_RECORDS, k, 16, "REC-1",
                         5, SECRET, strlen(SECRET)),
        SEEN_OK);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    seen_store_destroy(&s);

    s = open_store(0);
    t = tu_begin(s, 0);
    ck_assert_int_eq(seen_store_sealed_get(
                         t, SEEN_DB_RECORDS, k, 16, "REC-1", 5, &out, &olen),
        SEEN_OK);
    ck_assert_uint_eq(olen, strlen(SECRET));
    ck_assert_mem_eq(out, SECRET, olen);
    ck_assert_int_eq(out[olen], 0); /* the spare NUL */
    free(out);

    /* Another record's id as associated data does not open it. */
    out = (uint8_t *)&out;
    ck_assert_int_eq(seen_store_sealed_get(
                         t, SEEN_DB_RECORDS, k, 16, "REC-2", 5, &out, &olen),
        SEEN_ECORRUPT);
    ck_assert_ptr_null(out);
    /* Nor does no associated data. */
    ck_assert_int_eq(
        seen_store_sealed_get(t, SEEN_DB_RECORDS, k, 16, NULL, 0, &out, &olen),
        SEEN_ECORRUPT);
    ck_assert_ptr_null(out);
    /* An absent key is not found. */
    k[0] ^= 1;
    ck_assert_int_eq(seen_store_sealed_get(
                         t, SEEN_DB_RECORDS, k, 16, "REC-1", 5, &out, &olen),
        SEEN_ENOTFOUND);
    seen_store_abort(t);
    seen_store_destroy(&s);
}
END_TEST

START_TEST(test_sealed_value_of_zero_bytes_round_trips)
{
    struct seen_store *s = open_store(1);
    struct seen_txn *t = tu_begin(s, 1);
    uint8_t *out = NULL;
    size_t olen = 99;

    ck_assert_int_eq(
        seen_store_sealed_put(t, SEEN_DB_HANDLES, "h", 1, "h", 1, "", 0),
        SEEN_OK);
    ck_assert_int_eq(
        seen_store_sealed_get(t, SEEN_DB_HANDLES, "h", 1, "h", 1, &out, &olen),
        SEEN_OK);
    ck_assert_uint_eq(olen, 0);
    ck_assert_ptr_nonnull(out);
    free(out);
    seen_store_abort(t);
    seen_store_destroy(&s);
}
END_TEST

START_TEST(test_sealed_plaintext_and_record_id_never_reach_the_file)
{
    static const char id[] = "TVP-DA-2025-00412";
    struct seen_store *s = open_store(1);
    struct seen_txn *t = tu_begin(s, 1);
    uint8_t k[16], *file;
    size_t flen;
    int i;

    seen_store_id_key(s, id, strlen(id), k);
    ck_assert_int_eq(seen_store_sealed_put(t, SEEN_DB_RECORDS, k, 16, id,
                         strlen(id), SECRET, strlen(SECRET)),
        SEEN_OK);
    /* Many copies, so that a leak could not hide on an unlucky page. */
    for (i = 0; i < 50; i++) {
        char hid[32];

        snprintf(hid, sizeof hid, "%s-%d", id, i);
        seen_store_id_key(s, hid, strlen(hid), k);
        ck_assert_int_eq(seen_store_sealed_put(t, SEEN_DB_RECORDS, k, 16, hid,
                             strlen(hid), SECRET, strlen(SECRET)),
            SEEN_OK);
    }
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    seen_store_destroy(&s);

    file = (uint8_t *)tu_slurp(dpath, &flen);
    ck_assert_ptr_null(memmem(file, flen, "Chantelle", 9));
    ck_assert_ptr_null(memmem(file, flen, "1994-02-11", 10));
    ck_assert_ptr_null(memmem(file, flen, "hid under the bed", 17));
    ck_assert_ptr_null(memmem(file, flen, id, strlen(id)));
    /* The id key is a keyed hash, not the id. */
    ck_assert_ptr_null(memmem(file, flen, "TVP-DA", 6));
    free(file);
}
END_TEST

START_TEST(test_id_key_is_deterministic_per_record_key_and_id)
{
    struct seen_store *s = open_store(1);
    uint8_t a[16], b[16], c[16], d[16];

    seen_store_id_key(s, "REC-1", 5, a);
    seen_store_id_key(s, "REC-1", 5, b);
    seen_store_id_key(s, "REC-2", 5, c);
    ck_assert_mem_eq(a, b, 16);
    ck_assert_mem_ne(a, c, 16);
    seen_store_destroy(&s);

    /* Another node (another record key) files the same id elsewhere. */
    tu_rmrf(tu_fixture.dir);
    randombytes_buf(tu_fixture.record_key, sizeof tu_fixture.record_key);
    s = open_store(1);
    seen_store_id_key(s, "REC-1", 5, d);
    ck_assert_mem_ne(a, d, 16);
    seen_store_destroy(&s);
}
END_TEST

/* Seal ${SECRET} under key "victim" in ${db}, find its bytes in the file,
 * flip one ciphertext byte there.  Returns nothing; asserts on the way. */
static void
tamper_with_sealed_value(enum seen_db db, const char *key, const char *ad)
{
    struct seen_store *s = open_store(1);
    struct seen_txn *t = tu_begin(s, 1);
    uint8_t *sealed, *file, *at, b;
    const void *v;
    size_t vlen, flen;

    ck_assert_int_eq(seen_store_sealed_put(t, db, key, strlen(key), ad,
                         strlen(ad), SECRET, strlen(SECRET)),
        SEEN_OK);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    t = tu_begin(s, 0);
    ck_assert_int_eq(
        seen_store_get(t, db, key, strlen(key), &v, &vlen), SEEN_OK);
    ck_assert_uint_eq(vlen, strlen(SECRET) + 40);
    ck_assert_ptr_nonnull(sealed = malloc(vlen));
    memcpy(sealed, v, vlen);
    seen_store_abort(t);
    seen_store_destroy(&s);

    file = (uint8_t *)tu_slurp(dpath, &flen);
    ck_assert_ptr_nonnull(at = memmem(file, flen, sealed, vlen));
    /* Exactly one copy of the value is in the file. */
    ck_assert_ptr_null(
        memmem(at + 1, flen - (size_t)(at + 1 - file), sealed, vlen));
    b = at[30] ^ 0x04; /* inside the ciphertext, past the 24-byte nonce */
    overwrite(dpath, at + 30 - file, &b, 1);
    free(file);
    free(sealed);
}

START_TEST(test_sealed_value_tampered_in_the_file_does_not_open)
{
    struct seen_store *s;
    struct seen_txn *t;
    uint8_t *out = NULL;
    size_t olen;

    tamper_with_sealed_value(SEEN_DB_RECORDS, "victim", "victim-ad");
    s = open_store(0);
    t = tu_begin(s, 0);
    ck_assert_int_eq(seen_store_sealed_get(t, SEEN_DB_RECORDS, "victim", 6,
                         "victim-ad", 9, &out, &olen),
        SEEN_ECORRUPT);
    ck_assert_ptr_null(out);
    seen_store_abort(t);
    seen_store_destroy(&s);
}
END_TEST

/*
 * store.h: seen_store_check "check[s] that each sealed value opens".  It
 * only checks that sealed values are long enough: the handle map is sealed
 * with the handle (its key) as associated data, so a tampered handle could
 * be found, but is not.
 */
START_TEST(test_check_finds_a_tampered_sealed_handle)
{
    struct seen_store *s;
    int rc;

    tamper_with_sealed_value(
        SEEN_DB_HANDLES, "0123456789abcdef", "0123456789abcdef");
    s = open_store(0);
    rc = seen_store_check(s);
    seen_store_destroy(&s);
    ck_assert_int_eq(rc, SEEN_ECORRUPT);
}
END_TEST

START_TEST(test_check_passes_on_a_good_store_and_fails_on_a_truncated_one)
{
    struct seen_store *s;
    struct seen_txn *t;
    uint8_t k[16];
    char id[32];
    int i;

    make_populated_store(100);
    s = open_store(0);
    t = tu_begin(s, 1);
    for (i = 0; i < 40; i++) {
        snprintf(id, sizeof id, "R-%d", i);
        seen_store_id_key(s, id, strlen(id), k);
        ck_assert_int_eq(seen_store_sealed_put(t, SEEN_DB_RECORDS, k, 16, id,
                             strlen(id), SECRET, strlen(SECRET)),
            SEEN_OK);
        ck_assert_int_eq(
            seen_store_put(t, SEEN_DB_INDEX, "tokentokentokentk", 17, k, 16),
            SEEN_OK);
    }
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    ck_assert_int_eq(seen_store_check(s), SEEN_OK);

    /* The same open store, its file cut short underneath it. */
    ck_assert_int_eq(truncate(dpath, file_size(dpath) / 2), 0);
    ck_assert_int_eq(seen_store_check(s), SEEN_ECORRUPT);
    seen_store_destroy(&s);
}
END_TEST

/* ---- a full map ---- */

START_TEST(test_full_map_is_efull_and_keeps_what_was_committed)
{
    struct seen_store *s = NULL;
    struct seen_txn *t;
    uint8_t val[2000];
    const void *v;
    size_t vlen;
    uint64_t n;
    char key[32];
    int batch, i, rc = 0, committed = 0, full = 0;

    ck_assert_int_eq(store_open(1, 1, &s), SEEN_OK);
    for (batch = 0; batch < 1000 && !full; batch++) {
        t = tu_begin(s, 1);
        for (i = 0; i < 10; i++) {
            snprintf(key, sizeof key, "k%06d", batch * 10 + i);
            memset(val, batch & 0xff, sizeof val);
            if ((rc = seen_store_put(t, SEEN_DB_CURSORS, key, strlen(key), val,
                     sizeof val)) != 0)
                break;
        }
        if (rc != 0) {
            ck_assert_int_eq(rc, SEEN_EFULL);
            seen_store_abort(t);
            full = 1;
        } else if ((rc = seen_store_commit(t)) != 0) {
            ck_assert_int_eq(rc, SEEN_EFULL);
            full = 1;
        } else {
            committed = batch + 1;
        }
    }
    ck_assert_msg(full, "1 MiB map never filled");
    ck_assert_int_gt(committed, 0);

    /* The open store still reads what it committed. */
    t = tu_begin(s, 0);
    ck_assert_int_eq(seen_store_count(t, SEEN_DB_CURSORS, &n), SEEN_OK);
    ck_assert_uint_eq(n, (uint64_t)committed * 10);
    seen_store_abort(t);
    seen_store_destroy(&s);

    /* And so does the store reopened. */
    ck_assert_int_eq(store_open(1, 0, &s), SEEN_OK);
    t = tu_begin(s, 0);
    ck_assert_int_eq(seen_store_count(t, SEEN_DB_CURSORS, &n), SEEN_OK);
    ck_assert_uint_eq(n, (uint64_t)committed * 10);
    for (i = 0; i < committed * 10; i++) {
        snprintf(key, sizeof key, "k%06d", i);
        ck_assert_int_eq(
            seen_store_get(t, SEEN_DB_CURSORS, key, strlen(key), &v, &vlen),
            SEEN_OK);
        ck_assert_uint_eq(vlen, sizeof val);
        ck_assert_uint_eq(((const uint8_t *)v)[0], (unsigned)(i / 10) & 0xff);
    }
    snprintf(key, sizeof key, "k%06d", committed * 10);
    ck_assert_int_eq(
        seen_store_get(t, SEEN_DB_CURSORS, key, strlen(key), &v, &vlen),
        SEEN_ENOTFOUND);
    seen_store_abort(t);
    ck_assert_int_eq(seen_store_check(s), SEEN_OK);
    seen_store_destroy(&s);
}
END_TEST

/* ---- iteration, count, delete ---- */

struct collect {
    char keys[64][32];
    int n;
    int stop_after; /* 0: never */
    int fail_with;  /* returned at the first key when not 0 */
};

static int
collect_fn(
    void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
    struct collect *c = ctx;

    (void)val;
    (void)vlen;
    if (c->fail_with)
        return c->fail_with;
    ck_assert_uint_lt(klen, sizeof c->keys[0]);
    ck_assert_int_lt(c->n, 64);
    memcpy(c->keys[c->n], key, klen);
    c->keys[c->n][klen] = '\0';
    c->n++;
    return c->stop_after && c->n >= c->stop_after ? 1 : 0;
}

static void
put_keys(struct seen_store *s)
{
    static const char *keys[] = {
        "b/3", "a/1", "b/1", "c", "ab", "b/2", "a", "b", "b/10", "bb/1"};
    struct seen_txn *t = tu_begin(s, 1);
    size_t i;

    for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
        put_str(t, SEEN_DB_ALERTS, keys[i], "v");
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
}

START_TEST(test_iter_with_prefix_visits_exactly_those_keys_in_order)
{
    struct seen_store *s = open_store(1);
    struct collect c = {0};
    struct seen_txn *t;

    put_keys(s);
    t = tu_begin(s, 0);
    ck_assert_int_eq(
        seen_store_iter(t, SEEN_DB_ALERTS, "b/", 2, collect_fn, &c), SEEN_OK);
    ck_assert_int_eq(c.n, 4);
    ck_assert_str_eq(c.keys[0], "b/1");
    ck_assert_str_eq(c.keys[1], "b/10");
    ck_assert_str_eq(c.keys[2], "b/2");
    ck_assert_str_eq(c.keys[3], "b/3");

    /* The whole database, in key order. */
    memset(&c, 0, sizeof c);
    ck_assert_int_eq(
        seen_store_iter(t, SEEN_DB_ALERTS, NULL, 0, collect_fn, &c), SEEN_OK);
    ck_assert_int_eq(c.n, 10);
    ck_assert_str_eq(c.keys[0], "a");
    ck_assert_str_eq(c.keys[1], "a/1");
    ck_assert_str_eq(c.keys[2], "ab");
    ck_assert_str_eq(c.keys[3], "b");
    ck_assert_str_eq(c.keys[8], "bb/1");
    ck_assert_str_eq(c.keys[9], "c");

    /* A prefix no key has; a prefix past every key. */
    memset(&c, 0, sizeof c);
    ck_assert_int_eq(
        seen_store_iter(t, SEEN_DB_ALERTS, "a/2", 3, collect_fn, &c), SEEN_OK);
    ck_assert_int_eq(c.n, 0);
    ck_assert_int_eq(
        seen_store_iter(t, SEEN_DB_ALERTS, "zz", 2, collect_fn, &c), SEEN_OK);
    ck_assert_int_eq(c.n, 0);
    seen_store_abort(t);
    seen_store_destroy(&s);
}
END_TEST

START_TEST(test_iter_stops_when_asked_and_passes_back_a_failure)
{
    struct seen_store *s = open_store(1);
    struct collect c = {0};
    struct seen_txn *t;

    put_keys(s);
    t = tu_begin(s, 0);
    c.stop_after = 2;
    ck_assert_int_eq(
        seen_store_iter(t, SEEN_DB_ALERTS, "b", 1, collect_fn, &c), SEEN_OK);
    ck_assert_int_eq(c.n, 2);
    ck_assert_str_eq(c.keys[0], "b");
    ck_assert_str_eq(c.keys[1], "b/1");

    memset(&c, 0, sizeof c);
    c.fail_with = SEEN_ENOMEM;
    ck_assert_int_eq(
        seen_store_iter(t, SEEN_DB_ALERTS, NULL, 0, collect_fn, &c),
        SEEN_ENOMEM);
    ck_assert_int_eq(
        seen_store_iter_after(t, SEEN_DB_ALERTS, "a", 1, collect_fn, &c),
        SEEN_ENOMEM);
    seen_store_abort(t);
    seen_store_destroy(&s);
}
END_TEST

START_TEST(test_iter_after_pages_through_every_key_once_across_transactions)
{
    struct seen_store *s = open_store(1);
    struct seen_txn *t;
    struct collect c;
    char seen[64][32], after[32] = "";
    int n = 0, pages = 0, i;

    put_keys(s);
    for (;;) {
        memset(&c, 0, sizeof c);
        c.stop_after = 3;
        t = tu_begin(s, 0);
        ck_assert_int_eq(seen_store_iter_after(t, SEEN_DB_ALERTS, after,
                             strlen(after), collect_fn, &c),
            SEEN_OK);
        seen_store_abort(t);
        if (c.n == 0)
            break;
        pages++;
        for (i = 0; i < c.n; i++)
            strcpy(seen[n++], c.keys[i]);
        strcpy(after, c.keys[c.n - 1]);
        ck_assert_int_lt(pages, 20);
    }
    ck_assert_int_eq(pages, 4);
    ck_assert_int_eq(n, 10);
    for (i = 1; i < n; i++)
        ck_assert_int_lt(strcmp(seen[i - 1], seen[i]), 0);
    ck_assert_str_eq(seen[0], "a");
    ck_assert_str_eq(seen[9], "c");

    /* Starting after a key that is not there: the next one up. */
    memset(&c, 0, sizeof c);
    t = tu_begin(s, 0);
    ck_assert_int_eq(
        seen_store_iter_after(t, SEEN_DB_ALERTS, "b/11", 4, collect_fn, &c),
        SEEN_OK);
    seen_store_abort(t);
    ck_assert_int_eq(c.n, 4);
    ck_assert_str_eq(c.keys[0], "b/2");
    ck_assert_str_eq(c.keys[3], "c");
    seen_store_destroy(&s);
}
END_TEST

START_TEST(test_reads_are_counted_per_transaction)
{
    struct seen_store *s = open_store(1);
    struct seen_store_reads r;
    struct seen_txn *t, *child;
    struct collect c = {0};
    const void *v;
    size_t vlen;

    put_keys(s);
    t = tu_begin(s, 0);
    seen_store_reads(t, &r);
    ck_assert_uint_eq(r.gets + r.seeks + r.steps, 0);
    /* A lookup counts, found or not. */
    ck_assert_int_eq(seen_store_get(t, SEEN_DB_ALERTS, "a", 1, &v, &vlen),
        SEEN_OK);
    ck_assert_int_eq(seen_store_get(t, SEEN_DB_ALERTS, "zz", 2, &v, &vlen),
        SEEN_ENOTFOUND);
    /* A walk is one seek and a step past each key it visits: b/1, b/10,
     * b/2, b/3; then, after b/3, bb/1 and c (the step past b/3 too). */
    ck_assert_int_eq(
        seen_store_iter(t, SEEN_DB_ALERTS, "b/", 2, collect_fn, &c), SEEN_OK);
    ck_assert_int_eq(seen_store_iter_after(t, SEEN_DB_ALERTS, "b/3", 3,
                         collect_fn, &c),
        SEEN_OK);
    ck_assert_int_eq(c.n, 6);
    seen_store_reads(t, &r);
    ck_assert_uint_eq(r.gets, 2);
    ck_assert_uint_eq(r.seeks, 2);
    ck_assert_uint_eq(r.steps, 7);
    seen_store_abort(t);

    /* Each transaction counts its own, a nested one too; writes do not
     * count. */
    t = tu_begin(s, 1);
    put_str(t, SEEN_DB_ALERTS, "d", "v");
    ck_assert_int_eq(seen_store_begin_nested(t, &child), SEEN_OK);
    ck_assert_int_eq(seen_store_get(child, SEEN_DB_ALERTS, "d", 1, &v, &vlen),
        SEEN_OK);
    seen_store_reads(child, &r);
    ck_assert_uint_eq(r.gets, 1);
    seen_store_abort(child);
    seen_store_reads(t, &r);
    ck_assert_uint_eq(r.gets + r.seeks + r.steps, 0);
    seen_store_abort(t);
    seen_store_destroy(&s);
}
END_TEST

START_TEST(test_count_and_delete_track_items_including_duplicates)
{
    struct seen_store *s = open_store(1);
    struct seen_txn *t = tu_begin(s, 1);
    const char *tok = "TTTTTTTTTTTTTTTTT";
    uint64_t n;
    const void *v;
    size_t vlen;

    ck_assert_int_eq(seen_store_count(t, SEEN_DB_INDEX, &n), SEEN_OK);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(
        seen_store_put(t, SEEN_DB_INDEX, tok, 17, "11111111111111111111", 20),
        SEEN_OK);
    ck_assert_int_eq(
        seen_store_put(t, SEEN_DB_INDEX, tok, 17, "22222222222222222222", 20),
        SEEN_OK);
    /* The same duplicate again is not a second item. */
    ck_assert_int_eq(
        seen_store_put(t, SEEN_DB_INDEX, tok, 17, "22222222222222222222", 20),
        SEEN_OK);
    ck_assert_int_eq(seen_store_count(t, SEEN_DB_INDEX, &n), SEEN_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(
        seen_store_del(t, SEEN_DB_INDEX, tok, 17, "11111111111111111111", 20),
        SEEN_OK);
    ck_assert_int_eq(seen_store_count(t, SEEN_DB_INDEX, &n), SEEN_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(
        seen_store_del(t, SEEN_DB_INDEX, tok, 17, "11111111111111111111", 20),
        SEEN_ENOTFOUND);

    /* A plain database replaces a value under the same key. */
    put_str(t, SEEN_DB_PEERS, "p", "one");
    put_str(t, SEEN_DB_PEERS, "p", "two!");
    ck_assert_int_eq(seen_store_count(t, SEEN_DB_PEERS, &n), SEEN_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(
        seen_store_get(t, SEEN_DB_PEERS, "p", 1, &v, &vlen), SEEN_OK);
    ck_assert_uint_eq(vlen, 4);
    ck_assert_mem_eq(v, "two!", 4);
    ck_assert_int_eq(
        seen_store_del(t, SEEN_DB_PEERS, "p", 1, NULL, 0), SEEN_OK);
    ck_assert_int_eq(
        seen_store_del(t, SEEN_DB_PEERS, "p", 1, NULL, 0), SEEN_ENOTFOUND);
    ck_assert_int_eq(seen_store_count(t, SEEN_DB_PEERS, &n), SEEN_OK);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    seen_store_destroy(&s);
}
END_TEST

/* ---- origins ---- */

START_TEST(test_origins_are_numbered_from_1_and_stable_after_reopen)
{
    struct seen_store *s = open_store(1);
    struct seen_txn *t = tu_begin(s, 1);
    uint8_t a[32], b[32], c[32], pk[32];
    uint32_t ia = 0, ib = 0, i;

    randombytes_buf(a, 32);
    randombytes_buf(b, 32);
    randombytes_buf(c, 32);
    ck_assert_int_eq(seen_store_origin(t, a, 1, &ia), SEEN_OK);
    ck_assert_int_eq(seen_store_origin(t, b, 1, &ib), SEEN_OK);
    ck_assert_uint_eq(ia, 1);
    ck_assert_uint_eq(ib, 2);
    /* Asking again gives the same number, created or not. */
    ck_assert_int_eq(seen_store_origin(t, a, 1, &i), SEEN_OK);
    ck_assert_uint_eq(i, 1);
    ck_assert_int_eq(seen_store_origin(t, b, 0, &i), SEEN_OK);
    ck_assert_uint_eq(i, 2);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    seen_store_destroy(&s);

    s = open_store(0);
    t = tu_begin(s, 0);
    ck_assert_int_eq(seen_store_origin(t, a, 0, &i), SEEN_OK);
    ck_assert_uint_eq(i, 1);
    ck_assert_int_eq(seen_store_origin(t, b, 0, &i), SEEN_OK);
    ck_assert_uint_eq(i, 2);
    ck_assert_int_eq(seen_store_origin(t, c, 0, &i), SEEN_ENOTFOUND);
    ck_assert_int_eq(seen_store_origin_pk(t, 1, pk), SEEN_OK);
    ck_assert_mem_eq(pk, a, 32);
    ck_assert_int_eq(seen_store_origin_pk(t, 2, pk), SEEN_OK);
    ck_assert_mem_eq(pk, b, 32);
    ck_assert_int_eq(seen_store_origin_pk(t, 3, pk), SEEN_ENOTFOUND);
    seen_store_abort(t);

    /* The next origin after a reopen is 3. */
    t = tu_begin(s, 1);
    ck_assert_int_eq(seen_store_origin(t, c, 1, &i), SEEN_OK);
    ck_assert_uint_eq(i, 3);
    ck_assert_int_eq(seen_store_commit(t), SEEN_OK);
    seen_store_destroy(&s);
}
END_TEST

Suite *
storage_suite(void)
{
    Suite *s = suite_create("storage");
    TCase *tc;

    tc = tcase_create("open");
    tcase_add_checked_fixture(tc, setup, tu_fixture_teardown);
    tcase_add_test(tc, test_store_created_then_reopened_finds_committed_data);
    tcase_add_test(tc, test_store_uncommitted_write_is_not_kept);
    tcase_add_test(
        tc, test_store_open_without_create_where_none_exists_is_enotfound);
    tcase_add_test(
        tc, test_store_create_over_existing_store_is_eexist_and_keeps_it);
    tcase_add_test(tc, test_store_reopen_with_another_node_id_is_ewrongnode);
    tcase_add_test(tc, test_store_reopen_with_another_record_key_is_eauth);
    tcase_add_test(tc, test_store_of_another_format_is_eversion);
    suite_add_tcase(s, tc);

    tc = tcase_create("damage");
    tcase_add_checked_fixture(tc, setup, tu_fixture_teardown);
    tcase_add_test(tc, test_store_truncated_to_half_is_ecorrupt);
    tcase_add_test(tc, test_store_truncated_to_nothing_is_ecorrupt);
    tcase_add_test(tc, test_store_truncated_to_one_page_is_ecorrupt);
    tcase_add_test(tc, test_store_truncated_by_a_single_page_is_ecorrupt);
    tcase_add_test(tc, test_store_overwritten_with_random_bytes_is_ecorrupt);
    tcase_add_test(tc, test_store_replaced_by_a_text_file_is_ecorrupt);
    tcase_add_loop_test(
        tc, test_store_with_damaged_meta_pages_is_ecorrupt, 0, 16);
    tcase_add_test(
        tc, test_store_with_garbage_data_pages_is_ecorrupt);
    tcase_add_test(
        tc, test_check_passes_on_a_good_store_and_fails_on_a_truncated_one);
    suite_add_tcase(s, tc);

    tc = tcase_create("sealed");
    tcase_add_checked_fixture(tc, setup, tu_fixture_teardown);
    tcase_add_test(
        tc, test_sealed_value_round_trips_and_needs_its_associated_data);
    tcase_add_test(tc, test_sealed_value_of_zero_bytes_round_trips);
    tcase_add_test(
        tc, test_sealed_plaintext_and_record_id_never_reach_the_file);
    tcase_add_test(tc, test_id_key_is_deterministic_per_record_key_and_id);
    tcase_add_test(tc, test_sealed_value_tampered_in_the_file_does_not_open);
    tcase_add_test(tc, test_check_finds_a_tampered_sealed_handle);
    suite_add_tcase(s, tc);

    tc = tcase_create("data");
    tcase_add_checked_fixture(tc, setup, tu_fixture_teardown);
    tcase_add_test(tc, test_full_map_is_efull_and_keeps_what_was_committed);
    tcase_add_test(
        tc, test_iter_with_prefix_visits_exactly_those_keys_in_order);
    tcase_add_test(tc, test_iter_stops_when_asked_and_passes_back_a_failure);
    tcase_add_test(
        tc, test_iter_after_pages_through_every_key_once_across_transactions);
    tcase_add_test(tc, test_reads_are_counted_per_transaction);
    tcase_add_test(tc, test_count_and_delete_track_items_including_duplicates);
    tcase_add_test(
        tc, test_origins_are_numbered_from_1_and_stable_after_reopen);
    suite_add_tcase(s, tc);

    return s;
}
