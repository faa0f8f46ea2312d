/*
 * random.h: fast unpredictable bytes for handles, group ids and nonces.
 *
 * libsodium's randombytes_buf asks the kernel on every call (a system
 * call per handle and per nonce, a quarter of an import's time).  This
 * module keys a ChaCha20 stream once from randombytes_buf and draws each
 * request from it: as unpredictable as the key, and fast.  Small
 * requests are served from a pool of 512 bytes of the stream drawn at a
 * time, each byte handed out once and wiped as it is; a larger one gets a
 * fresh nonce of its own.  The key is renewed after 2^32 draws of the
 * stream, and in a child after fork() (a pthread_atfork handler: not
 * after a raw clone or vfork; when the handler cannot be registered, the
 * key is renewed on every request).
 * Keys themselves (keystore, match keys) still come from randombytes_buf.
 * Thread-safe: each thread keys a stream of its own (a custodian's
 * service thread seals envelopes beside the main thread, issue 16); in a
 * child after fork() the forking thread's key is renewed.
 */
#ifndef SEEN_RANDOM_H
#define SEEN_RANDOM_H

#include <stddef.h>

/**
 * seen_random_buf(buf, len):
 * Fill ${buf} with ${len} unpredictable bytes.  Needs sodium_init().
 */
void seen_random_buf(void *buf, size_t len);

#endif /* !SEEN_RANDOM_H */
