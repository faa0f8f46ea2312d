/*
 * fuzz_audit.c: libFuzzer harness for the audit export reader and
 * checker (xlog/audit.h: audit.c, audit_verify.c, audit_claims.c, and
 * through them xlog/leaf.c's leaf and xlog/witness.c's cosignature
 * parsers).
 *
 * An input is a sequence of parts, each one byte naming a file of the
 * export (its low three bits: enum seen_audit_file), a 4-byte big-endian
 * length and that many bytes; a part for a file given before replaces
 * it, a part cut short by the end of the input is dropped, and a file
 * with no part is missing.  The export is checked as `seen audit verify`
 * checks it, with no authority required and the key
 * FUZZ_AUDIT_OWNER_SEED's accepted as a lone node's owner, then checked
 * against itself with seen_audit_cross().
 *
 * Beyond "no crash, no leak, no undefined behaviour" it checks what
 * callers rely on: seen_audit_open() returns 0 with an export or
 * SEEN_ENOMEM without one; a failed check is counted; and every
 * reported check names a known check with a detail.
 *
 * Seeds: tests/fuzz/corpus/audit (real exports; check_audit.c rewrites
 * them when SEEN_AUDIT_WRITE_SEEDS names a folder, and checks that each
 * verifies); inputs that once broke it: tests/fuzz/regress/audit.  Both
 * folders are replayed by tests/check_audit.c, which includes this file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/seen.h"
#include "xlog/audit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The seed of the owner key accepted with no membership document. */
#define FUZZ_AUDIT_OWNER_SEED 0x0a

struct fuzz_tally {
    uint64_t failed;
    uint64_t reported;
};

/*
 * Split ${data} into the files of an export (pointers into ${data}).
 * Returns the number of parts read.
 */
static size_t
fuzz_audit_split(const uint8_t *data, size_t size,
    struct seen_audit_buf b[SEEN_AUDIT_NFILES])
{
    size_t off = 0, parts = 0;
    uint32_t n;
    int f;

    memset(b, 0, SEEN_AUDIT_NFILES * sizeof *b);
    while (size - off >= 5) {
        f = data[off] & 7;
        n = (uint32_t)data[off + 1] << 24 | (uint32_t)data[off + 2] << 16 |
            (uint32_t)data[off + 3] << 8 | data[off + 4];
        off += 5;
        if (n > size - off)
            break;
        if (f < SEEN_AUDIT_NFILES) {
            b[f].data = n ? (uint8_t *)(uintptr_t)(data + off) : NULL;
            b[f].len = n;
            b[f].present = 1;
        }
        off += n;
        parts++;
    }
    return parts;
}

static void
fuzz_audit_report(void *ctx, const struct seen_audit_check *c)
{
    struct fuzz_tally *t = ctx;

    if (c->check == NULL || c->detail == NULL || c->export == NULL ||
        (c->ok != 0 && c->ok != 1) || (c->finding && !c->ok))
        abort();
    t->reported++;
    if (!c->ok)
        t->failed++;
}

/* The owner key accepted without a membership document. */
static const uint8_t *
fuzz_audit_owner(void)
{
    static uint8_t pk[32];
    static int done;
    uint8_t seed[32], sk[64];

    if (!done) {
        if (sodium_init() < 0)
            abort();
        memset(seed, FUZZ_AUDIT_OWNER_SEED, sizeof seed);
        if (crypto_sign_seed_keypair(pk, sk, seed) != 0)
            abort();
        sodium_memzero(sk, sizeof sk);
        done = 1;
    }
    return pk;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct seen_audit_buf b[SEEN_AUDIT_NFILES];
    struct seen_audit_opts o = {NULL, NULL};
    struct seen_audit *a = NULL, *v[2];
    struct fuzz_tally t = {0, 0};
    int rc;

    o.owner = fuzz_audit_owner();
    (void)fuzz_audit_split(data, size, b);
    rc = seen_audit_open(b, "fuzz", &o, fuzz_audit_report, &t, &a);
    if (rc == SEEN_ENOMEM) {
        if (a != NULL)
            abort();
        return 0;
    }
    if (rc != 0 || a == NULL || t.reported == 0)
        abort();
    /* Failures beyond the first few of a check are counted, not printed. */
    if (seen_audit_failures(a) < t.failed ||
        (t.failed == 0) != (seen_audit_failures(a) == 0))
        abort();
    v[0] = a;
    v[1] = a;
    if (seen_audit_cross(v, 2, fuzz_audit_report, &t) != 0)
        abort();
    seen_audit_destroy(&a);
    return 0;
}
