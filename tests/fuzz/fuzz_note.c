/*
 * fuzz_note.c: libFuzzer harness for signed notes (crypto/note.[ch]): the
 * input's first byte chooses between opening it as a note (against a
 * signature key and a cosignature key of one fixed key pair) and parsing
 * it as a verifier key.  Beyond "no crash, no leak, no undefined
 * behaviour" it checks that a note that opens has a text that is itself a
 * valid note text, and that a verifier key that parses prints back as
 * itself (modulo the case of its key ID).
 *
 * Seeds: tests/fuzz/corpus/note.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "common/seen.h"
#include "crypto/note.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The seed's key pair: Ed25519 from the seed 32 x 0x5e. */
static struct seen_note_key keys[2];
static int ready;

static void
init(void)
{
    uint8_t seed[32], pk[32], sk[64];

    if (ready)
        return;
    if (sodium_init() < 0)
        abort();
    memset(seed, 0x5e, sizeof seed);
    crypto_sign_seed_keypair(pk, sk, seed);
    if (seen_note_key_init(&keys[0], "seen.example/log", SEEN_NOTE_ED25519,
            pk) != 0 ||
        seen_note_key_init(&keys[1], "seen.example/witness",
            SEEN_NOTE_COSIGNATURE, pk) != 0)
        abort();
    ready = 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct seen_note_found found[2];
    struct seen_note_key k;
    char buf[SEEN_NOTE_VKEY_MAX], *s;
    size_t tlen;
    int rc;

    init();
    if (size == 0)
        return 0;
    if (data[0] & 1) {
        rc = seen_note_open(data + 1, size - 1, keys, 2, found, &tlen);
        if (rc == 0 && (tlen >= size - 1 ||
                           !seen_note_text_valid(data + 1, tlen) ||
                           (!found[0].verified && !found[1].verified)))
            abort();
        if (rc != 0 && rc != SEEN_EINVAL && rc != SEEN_EAUTH)
            abort();
        return 0;
    }
    if ((s = malloc(size)) == NULL)
        return 0;
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    if (seen_note_vkey_parse(s, &k) == 0 &&
        strcasecmp(seen_note_vkey(&k, buf), s) != 0)
        abort();
    free(s);
    return 0;
}
