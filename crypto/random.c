#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <string.h>

#include "crypto/random.h"

#define POOL_BYTES 512 /* drawn from the stream at a time */

/* Each thread has a stream of its own (the custodian service, issue 16,
 * seals envelopes in its thread while the main thread seals others). */
static _Thread_local uint8_t rnd_key[crypto_stream_chacha20_KEYBYTES];
static _Thread_local uint64_t rnd_counter; /* 0: no key yet, or renew */
static _Thread_local int rnd_atfork; /* the fork handler is registered */
static _Thread_local uint8_t rnd_pool[POOL_BYTES];
static _Thread_local size_t rnd_left; /* bytes of the pool not handed out */

/* In a child after fork(): never hand out the parent's bytes again. */
static void
rnd_forked(void)
{

    rnd_counter = 0;
    rnd_left = 0;
}

/* Fill ${buf} with the ${len} bytes of the stream at the next nonce. */
static void
rnd_stream(void *buf, size_t len)
{
    uint8_t nonce[crypto_stream_chacha20_NONCEBYTES];
    size_t i;

    for (i = 0; i < sizeof nonce; i++)
        nonce[i] = (uint8_t)(rnd_counter >> (8 * i));
    rnd_counter++;
    crypto_stream_chacha20(buf, len, nonce, rnd_key);
}

/**
 * seen_random_buf(buf, len):
 * Fill ${buf} with ${len} unpredictable bytes.  Needs sodium_init().
 */
void
seen_random_buf(void *buf, size_t len)
{
    uint8_t *p;

    if (!rnd_atfork && pthread_atfork(NULL, NULL, rnd_forked) == 0)
        rnd_atfork = 1;
    if (!rnd_atfork || rnd_counter == 0 || rnd_counter > UINT32_MAX) {
        randombytes_buf(rnd_key, sizeof rnd_key);
        rnd_counter = 1;
        rnd_left = 0;
    }
    if (len > POOL_BYTES / 4) {
        rnd_stream(buf, len);
        return;
    }
    if (len > rnd_left) {
        rnd_stream(rnd_pool, sizeof rnd_pool);
        rnd_left = sizeof rnd_pool;
    }
    /* Each byte is handed out once, and wiped as it is. */
    p = rnd_pool + sizeof rnd_pool - rnd_left;
    memcpy(buf, p, len);
    sodium_memzero(p, len);
    rnd_left -= len;
}
