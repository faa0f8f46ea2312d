/*
 * state.c: the disclosures database (state.h).
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/seen.h"
#include "node/disclosure/state.h"
#include "storage/store.h"

void
dis_sent_key(uint8_t key[static KEY_MAX], const uint8_t id[16], size_t *klen)
{

    key[0] = KEY_SENT;
    memcpy(key + 1, id, 16);
    *klen = 17;
}

void
dis_recv_key(uint8_t key[static KEY_MAX], const uint8_t from[32],
    const uint8_t id[16], size_t *klen)
{

    key[0] = KEY_RECV;
    memcpy(key + 1, from, 32);
    memcpy(key + 33, id, 16);
    *klen = 49;
}

/* Read the state under ${key}: 0, SEEN_ENOTFOUND, SEEN_ECORRUPT. */
int
dis_state_get(struct seen_txn *txn, const uint8_t *key, size_t klen,
    Seen__DisclosureState **out)
{
    uint8_t *buf;
    size_t len;
    int rc;

    *out = NULL;
    rc = seen_store_sealed_get(txn, SEEN_DB_DISCLOSURES, key, klen, key,
        klen, &buf, &len);
    if (rc != 0)
        return rc;
    *out = seen__disclosure_state__unpack(NULL, len, buf);
    sodium_memzero(buf, len);
    free(buf);
    if (*out == NULL) {
        seen_error("disclosures: a stored request does not decode");
        return SEEN_ECORRUPT;
    }
    return SEEN_OK;
}

int
dis_state_put(struct seen_txn *txn, const uint8_t *key, size_t klen,
    const Seen__DisclosureState *st)
{
    size_t len = seen__disclosure_state__get_packed_size(st);
    uint8_t *buf;
    int rc;

    if ((buf = malloc(len ? len : 1)) == NULL)
        return SEEN_ENOMEM;
    seen__disclosure_state__pack(st, buf);
    rc = seen_store_sealed_put(txn, SEEN_DB_DISCLOSURES, key, klen, key, klen,
        buf, len);
    sodium_memzero(buf, len);
    free(buf);
    return rc;
}

/* Replace the string field *${f} of a decoded state by a copy of ${s}. */
int
dis_set_str(char **f, const char *s)
{
    char *c;

    if ((c = strdup(s != NULL ? s : "")) == NULL)
        return SEEN_ENOMEM;
    if (*f != NULL && *f != protobuf_c_empty_string)
        free(*f);
    *f = c;
    return SEEN_OK;
}

static int
collect_key(void *ctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{
    struct dis_keys *ks = ctx;
    void *p;

    (void)val;
    (void)vlen;
    if (klen > KEY_MAX)
        return 0;
    if (ks->n == ks->cap) {
        size_t cap = ks->cap ? 2 * ks->cap : 64;

        if ((p = realloc(ks->k, cap * sizeof *ks->k)) == NULL)
            return SEEN_ENOMEM;
        ks->k = p;
        if ((p = realloc(ks->kl, cap * sizeof *ks->kl)) == NULL)
            return SEEN_ENOMEM;
        ks->kl = p;
        ks->cap = cap;
    }
    memcpy(ks->k[ks->n], key, klen);
    ks->kl[ks->n] = klen;
    ks->n++;
    return 0;
}

int
dis_keys_of(struct seen_txn *txn, char which, struct dis_keys *ks)
{

    memset(ks, 0, sizeof *ks);
    return seen_store_iter(txn, SEEN_DB_DISCLOSURES, &which, 1, collect_key,
        ks);
}

/* dis_keys_under(): documented with dis_keys_of() in state.h. */
int
dis_keys_under(struct seen_txn *txn, const uint8_t *prefix, size_t plen,
    struct dis_keys *ks)
{

    memset(ks, 0, sizeof *ks);
    return seen_store_iter(txn, SEEN_DB_DISCLOSURES, prefix, plen,
        collect_key, ks);
}

void
dis_keys_free(struct dis_keys *ks)
{

    free(ks->k);
    free(ks->kl);
}

