/*
 * fuzz_feed_entry.c: libFuzzer harness for a received feed leaf: the
 * protobuf decoder (seen__feed_entry__unpack) and the receiver's checks
 * (seen_feed_entry_check, proto/feed_entry.[ch]).  Beyond "no crash, no
 * leak, no undefined behaviour" it checks independently that an accepted
 * leaf has the sizes and token order that feedcheck.h promises, which is
 * what the indexer and matcher rely on when they read it, and scores it
 * against itself, as the matcher would: the scorer reads the anchored
 * encoding's slot items (match/anchored.h) from whatever a peer sent.
 *
 * Seeds: tests/fuzz/corpus/feed_entry (an entry with tokens, one without,
 * a retraction); inputs that once broke it: tests/fuzz/regress/feed_entry.
 * Both are replayed by tests/check_checkpoint.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/seen.h"
#include "match/score.h"
#include "match/tokens.h"
#include "proto/feed_entry.h"
#include "seen.pb-c.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t sink;

/* Abort unless the accepted leaf ${fe} is as feedcheck.h promises. */
static void
check_accepted(const Seen__FeedEntry *fe)
{
    const Seen__IndexEntry *e;
    size_t i, n;

    if (fe->origin.len != 32)
        abort();
    if (fe->body_case == SEEN__FEED_ENTRY__BODY_RETRACTION) {
        if (fe->retraction == NULL || fe->retraction->handle.len != 16)
            abort();
        return;
    }
    if (fe->body_case != SEEN__FEED_ENTRY__BODY_ENTRY ||
        (e = fe->entry) == NULL)
        abort();
    if (e->handle.len != 16 || e->group.len != 16 ||
        e->name_bloom.len != SEEN_BLOOM_BYTES ||
        e->tokens.len % SEEN_TOKEN_ITEM != 0)
        abort();
    n = e->tokens.len / SEEN_TOKEN_ITEM;
    if (n > SEEN_TOKENS_MAX)
        abort();
    for (i = 1; i < n; i++) {
        if (memcmp(e->tokens.data + (i - 1) * SEEN_TOKEN_ITEM,
                e->tokens.data + i * SEEN_TOKEN_ITEM, SEEN_TOKEN_ITEM) >= 0)
            abort();
    }
    /* Read every byte the matcher reads (ASan checks the bounds). */
    for (i = 0; i < e->tokens.len; i++)
        sink ^= e->tokens.data[i];
    {
        struct seen_score_side side = {e->tokens.data, n, NULL, 0};
        struct seen_score sc;

        seen_score_pair(&side, &side, &sc);
        if (sc.nwhy > SEEN_WHY_MAX)
            abort();
    }
    for (i = 0; i < SEEN_BLOOM_BYTES; i++)
        sink ^= e->name_bloom.data[i];
    sink ^= e->handle.data[15] ^ e->group.data[15] ^ fe->origin.data[31];
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Seen__FeedEntry *fe;
    int rc;

    if ((fe = seen__feed_entry__unpack(NULL, size, data)) == NULL)
        return 0;
    rc = seen_feed_entry_check(fe);
    if (rc == 0)
        check_accepted(fe);
    else if (rc != SEEN_EINVAL)
        abort();
    seen__feed_entry__free_unpacked(fe, NULL);
    return 0;
}
