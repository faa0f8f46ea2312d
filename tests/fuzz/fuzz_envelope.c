/*
 * fuzz_envelope.c: libFuzzer harness for seen_envelope_open
 * (proto/envelope.[ch]) on arbitrary bytes.  The receiver is the fixed key
 * FUZZ_ME (32 bytes of 0x4d), its clock reads FUZZ_NOW, and every sender
 * counts as a member, so that a well-signed input reaches every check.
 * Each input is opened in its own write transaction of a temporary store
 * (opened once), which is then aborted, so runs do not depend on earlier
 * inputs.  Beyond "no crash, no leak, no undefined behaviour" it checks
 * that the code is one of those envelope.h promises and that an accepted
 * envelope has the sizes and time the view promises.
 *
 * Seeds: tests/fuzz/corpus/envelope (envelopes sealed to FUZZ_ME at
 * FUZZ_NOW with seen_envelope_seal, and one with a hand-built SignedPart);
 * inputs that once broke it: tests/fuzz/regress/envelope.  Both are
 * replayed by tests/check_envelope.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/file.h"
#include "common/seen.h"
#include "proto/envelope.h"
#include "storage/replay.h"
#include "storage/store.h"

#define FUZZ_ME_BYTE 0x4d
#define FUZZ_NOW 1750000000ull

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[256];
static struct seen_store *store;
static struct seen_replay *replay;

static void
cleanup(void)
{

    seen_replay_destroy(&replay);
    seen_store_destroy(&store);
    if (seen_file_remove_tree(dir) != 0)
        perror(dir);
}

/* Open the temporary store once. */
static void
init(void)
{
    char sdir[512];
    uint8_t node[32], rkey[32];
    const char *t = getenv("TMPDIR");

    if (sodium_init() < 0)
        abort();
    snprintf(dir, sizeof dir, "%s/seen-fuzz-env-XXXXXX", t ? t : "/tmp");
    if (mkdtemp(dir) == NULL)
        abort();
    snprintf(sdir, sizeof sdir, "%s/store", dir);
    memset(node, FUZZ_ME_BYTE, sizeof node);
    randombytes_buf(rkey, sizeof rkey);
    if (seen_store_open(sdir, node, rkey, 64, 1, &store) != 0)
        abort();
    if ((replay = seen_replay_new(store, SEEN_ENVELOPE_SKEW)) == NULL)
        abort();
    atexit(cleanup);
}

static int
anyone(void *ctx, const uint8_t pk[static 32])
{

    (void)ctx;
    (void)pk;
    return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct seen_envelope_view v;
    struct seen_txn *txn;
    uint8_t me[32];
    int rc;

    if (store == NULL)
        init();
    memset(me, FUZZ_ME_BYTE, sizeof me);
    if (seen_store_begin(store, 1, &txn) != 0)
        abort();
    rc = seen_replay_open(replay, txn, data, size, me, anyone, NULL, FUZZ_NOW,
        &v);
    switch (rc) {
    case 0:
        if (v.env == NULL || v.part == NULL || v.sender == NULL ||
            v.msg_id == NULL || v.type <= 0 ||
            (v.blen > 0 && v.body == NULL) ||
            v.time + SEEN_ENVELOPE_SKEW < FUZZ_NOW ||
            v.time > FUZZ_NOW + SEEN_ENVELOPE_SKEW ||
            v.part->header == NULL ||
            memcmp(v.part->header->recipient.data, me, 32) != 0 ||
            v.env->signature.len != 64)
            abort();
        /* The same bytes again, in the same transaction, are a replay. */
        {
            struct seen_envelope_view v2;

            if (seen_replay_open(replay, txn, data, size, me, anyone, NULL,
                FUZZ_NOW, &v2) != SEEN_EREPLAY || v2.env != NULL)
                abort();
        }
        break;
    case SEEN_EINVAL:
    case SEEN_EPERM:
    case SEEN_EAUTH:
    case SEEN_EREPLAY:
    case SEEN_ENOMEM:
        if (v.env != NULL || v.part != NULL)
            abort();
        break;
    default:
        abort();
    }
    seen_envelope_release(&v);
    seen_store_abort(txn);
    return 0;
}
