#include <sodium.h>
#include <stdint.h>
#include <unistd.h>

#include "crypto/random.h"

static uint8_t rnd_key[crypto_stream_chacha20_KEYBYTES];
static uint64_t rnd_counter;
static pid_t rnd_pid;

/**
 * seen_random_buf(buf, len):
 * Fill ${buf} with ${len} unpredictable bytes.  Needs sodium_init().
 */
void
seen_random_buf(void *buf, size_t len)
{
    uint8_t nonce[crypto_stream_chacha20_NONCEBYTES];
    pid_t pid = getpid();
    size_t i;

    if (rnd_pid != pid || rnd_counter == 0 || rnd_counter > UINT32_MAX) {
        randombytes_buf(rnd_key, sizeof rnd_key);
        rnd_counter = 1;
        rnd_pid = pid;
    }
    for (i = 0; i < sizeof nonce; i++)
        nonce[i] = (uint8_t)(rnd_counter >> (8 * i));
    rnd_counter++;
    crypto_stream_chacha20(buf, len, nonce, rnd_key);
}
