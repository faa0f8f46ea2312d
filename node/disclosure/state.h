/*
 * state.h: the disclosures database (SEEN_DB_DISCLOSURES), private to
 * node/disclosure/: every value a DisclosureState sealed under the record
 * key with its key as associated data:
 *
 *   'S' request_id(16)                a request this node sent
 *   'R' requester(32) request_id(16)  a request this node received
 *
 * This file is the only one that knows that layout.
 */
#ifndef SEEN_DISCLOSURE_STATE_H
#define SEEN_DISCLOSURE_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "seen.pb-c.h"

struct seen_txn;

#define KEY_SENT 'S'
#define KEY_RECV 'R'
/* Look-up notices (notice.c): sent, not yet acknowledged ('N' id(16));
 * kept ('L' received(8) random(8)); the ids kept ('l' from(32) id(16)). */
#define KEY_NOTICE_PENDING 'N'
#define KEY_NOTICE_KEPT 'L'
#define KEY_NOTICE_SEEN 'l'
#define KEY_MAX (1 + 32 + 16)

/**
 * dis_sent_key(key, id, klen):
 * dis_recv_key(key, from, id, klen):
 * Write the key of the request ${id} sent, or received from ${from}, to
 * ${key} and its length to *${klen}.
 */
void dis_sent_key(uint8_t key[static KEY_MAX], const uint8_t id[16],
    size_t *klen);
void dis_recv_key(uint8_t key[static KEY_MAX], const uint8_t from[32],
    const uint8_t id[16], size_t *klen);

/**
 * dis_state_get(txn, key, klen, out):
 * Read the state under ${key} into *${out} (free it with
 * seen__disclosure_state__free_unpacked).  Returns 0, SEEN_ENOTFOUND,
 * SEEN_ECORRUPT.
 */
int dis_state_get(struct seen_txn *txn, const uint8_t *key, size_t klen,
    Seen__DisclosureState **out);

/**
 * dis_state_put(txn, key, klen, st):
 * Store ${st}, sealed, under ${key}.  Returns 0 or an error of the store.
 */
int dis_state_put(struct seen_txn *txn, const uint8_t *key, size_t klen,
    const Seen__DisclosureState *st);

/**
 * dis_set_str(f, s):
 * Replace the string field *${f} of a decoded state by a copy of ${s}
 * (NULL: empty).  Returns 0 or SEEN_ENOMEM.
 */
int dis_set_str(char **f, const char *s);

/* The keys under one prefix, collected first and read afterwards, since
 * the states are sealed values read through the transaction. */
struct dis_keys {
    uint8_t (*k)[KEY_MAX];
    size_t *kl, n, cap;
};

/**
 * dis_keys_of(txn, which, ks):
 * dis_keys_under(txn, prefix, plen, ks):
 * Collect into ${ks} the keys of the requests sent (${which} KEY_SENT) or
 * received (KEY_RECV), or under ${prefix} (${plen} bytes).  Returns 0 or
 * an error; free ${ks} with dis_keys_free() either way.
 */
int dis_keys_of(struct seen_txn *txn, char which, struct dis_keys *ks);
int dis_keys_under(struct seen_txn *txn, const uint8_t *prefix, size_t plen,
    struct dis_keys *ks);

/**
 * dis_keys_free(ks):
 * Free what ${ks} holds.
 */
void dis_keys_free(struct dis_keys *ks);

#endif /* !SEEN_DISCLOSURE_STATE_H */
