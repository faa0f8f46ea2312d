/*
 * fuzz_checkpoint.c: libFuzzer harness for a received checkpoint (a feed's
 * or an exchange log's, as envelopes, ENTRIES and exports carry them):
 * seen_checkpoint_decode, seen_checkpoint_verify under both domains and
 * seen_checkpoint_encode (proto/checkpoint.[ch]).  Beyond "no crash, no
 * leak, no undefined behaviour" it checks that a decoded checkpoint is
 * well formed as checkpoint.h promises, that verification answers only 0,
 * SEEN_EINVAL or SEEN_EAUTH, and that re-encoding gives a checkpoint that
 * decodes to the same fields (the signature covers those, not the bytes).
 *
 * Seeds: tests/fuzz/corpus/checkpoint (two signed checkpoints, one with a
 * broken signature).  Replayed by tests/check_checkpoint.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/seen.h"
#include "proto/checkpoint.h"
#include "seen.pb-c.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort unless ${a} and ${b} hold the same signed fields. */
static void
same_fields(const Seen__Checkpoint *a, const Seen__Checkpoint *b)
{

    if (a->size != b->size || a->time != b->time ||
        memcmp(a->origin.data, b->origin.data, 32) != 0 ||
        memcmp(a->root.data, b->root.data, 32) != 0 ||
        memcmp(a->signature.data, b->signature.data, 64) != 0)
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const domains[] = {SEEN_DOMAIN_FEED_CHECKPOINT,
        SEEN_DOMAIN_XLOG_CHECKPOINT};
    Seen__Checkpoint *c, *again;
    uint8_t *enc;
    size_t elen, i;
    int rc;

    if ((rc = seen_checkpoint_decode(data, size, &c)) != 0) {
        if (rc != SEEN_EINVAL)
            abort();
        return 0;
    }
    if (c->origin.len != 32 || c->root.len != 32 || c->signature.len != 64)
        abort();
    for (i = 0; i < 2; i++) {
        rc = seen_checkpoint_verify(c, domains[i]);
        if (rc != 0 && rc != SEEN_EAUTH)
            abort();
    }
    if (seen_checkpoint_encode(c, &enc, &elen) != 0)
        abort();
    if (seen_checkpoint_decode(enc, elen, &again) != 0)
        abort();
    same_fields(c, again);
    seen_checkpoint_destroy(&again);
    free(enc);
    seen_checkpoint_destroy(&c);
    return 0;
}
