/*
 * ring.c: the witness ring of a membership document (ring.h).
 */
#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "node/replication/ring.h"
#include "proto/membership.h"
#include "seen.pb-c.h"

/* One member on the ring: its position key and its Ed25519 key. */
struct slot {
    uint8_t h[32];
    uint8_t pk[32];
};

struct seen_ring {
    struct slot *s;
    size_t n;
};

/* qsort order of the ring: by position key, then by key. */
static int
slot_cmp(const void *a, const void *b)
{
    const struct slot *x = a, *y = b;
    int c = memcmp(x->h, y->h, 32);

    return c != 0 ? c : memcmp(x->pk, y->pk, 32);
}

/* The position key of ${pk} in the ring of document ${version}. */
static void
position(uint8_t h[32], uint64_t version, const uint8_t pk[32])
{
    crypto_hash_sha256_state st;
    uint8_t v[8];

    seen_be64(v, version);
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const uint8_t *)SEEN_RING_DOMAIN,
        sizeof SEEN_RING_DOMAIN); /* with its NUL: the 0x00 separator */
    crypto_hash_sha256_update(&st, v, sizeof v);
    crypto_hash_sha256_update(&st, pk, 32);
    crypto_hash_sha256_final(&st, h);
}

/**
 * seen_ring_new(doc, out):
 * Build the witness ring of the membership document ${doc} (NULL: an
 * empty ring).  ${doc} is not retained.
 * Returns 0 and the ring in *${out} (release it with
 * seen_ring_destroy()); SEEN_ENOMEM.
 */
int
seen_ring_new(const struct seen_membership *doc, struct seen_ring **out)
{
    struct seen_ring *r;
    const Seen__Member *m;
    size_t i, count = doc != NULL ? seen_membership_count(doc) : 0;
    uint64_t version = doc != NULL ? seen_membership_version(doc) : 0;

    *out = NULL;
    if ((r = calloc(1, sizeof *r)) == NULL)
        return SEEN_ENOMEM;
    if ((r->s = calloc(count ? count : 1, sizeof *r->s)) == NULL) {
        free(r);
        return SEEN_ENOMEM;
    }
    for (i = 0; i < count; i++) {
        m = seen_membership_member(doc, i);
        if (!seen_membership_active(m) || m->sign_pk.len != 32)
            continue;
        memcpy(r->s[r->n].pk, m->sign_pk.data, 32);
        position(r->s[r->n].h, version, m->sign_pk.data);
        r->n++;
    }
    qsort(r->s, r->n, sizeof *r->s, slot_cmp);
    *out = r;
    return SEEN_OK;
}

/**
 * seen_ring_destroy(&r):
 * Free ${r}.  Sets the caller's pointer to NULL; NULL or a pointer to
 * NULL is a no-op, so it is safe twice.
 */
void
seen_ring_destroy(struct seen_ring **pp)
{

    if (pp == NULL || *pp == NULL)
        return;
    free((*pp)->s);
    free(*pp);
    *pp = NULL;
}

/**
 * seen_ring_size(r):
 * Return the number of members on the ring (the active members).
 */
size_t
seen_ring_size(const struct seen_ring *r)
{

    return r->n;
}

/* Write to ${out} the min(k, n - 1) members after (${dir} 1) or before
 * (${dir} -1) ${pk} on the ring ${r}, nearest first; return how many. */
static size_t
neighbours(const struct seen_ring *r, const uint8_t pk[32], size_t k,
    int dir, uint8_t out[][32])
{
    size_t i, j, at = r->n;

    for (i = 0; i < r->n; i++)
        if (memcmp(r->s[i].pk, pk, 32) == 0)
            at = i;
    if (at == r->n)
        return 0;
    if (k > SEEN_RING_MAX)
        k = SEEN_RING_MAX;
    if (k > r->n - 1)
        k = r->n - 1;
    for (j = 1; j <= k; j++)
        memcpy(out[j - 1],
            r->s[dir > 0 ? (at + j) % r->n : (at + r->n - j) % r->n].pk, 32);
    return k;
}

/**
 * seen_ring_witnesses(r, pk, k, out):
 * Write to ${out} the Ed25519 keys of the witnesses of ${pk}'s log when
 * each log has ${k} witnesses (at most SEEN_RING_MAX are used): the
 * min(k, n - 1) members after it on the ring, nearest first.
 * Returns their number: 0 when ${pk} is not on the ring.
 */
size_t
seen_ring_witnesses(const struct seen_ring *r, const uint8_t pk[static 32],
    size_t k, uint8_t out[][32])
{

    return neighbours(r, pk, k, 1, out);
}

/**
 * seen_ring_witnessed(r, pk, k, out):
 * Write to ${out} the Ed25519 keys of the members whose logs ${pk}
 * witnesses when each log has ${k} witnesses: the min(k, n - 1) members
 * before it on the ring, nearest first.
 * Returns their number: 0 when ${pk} is not on the ring.
 */
size_t
seen_ring_witnessed(const struct seen_ring *r, const uint8_t pk[static 32],
    size_t k, uint8_t out[][32])
{

    return neighbours(r, pk, k, -1, out);
}

/* Add the member at position ${pos} of ${r} to ${out} (holding *${n} of
 * room ${max}) unless it is there already or is at ${self}. */
static void
link_add(const struct seen_ring *r, size_t pos, size_t self,
    uint8_t out[][32], size_t *n, size_t max)
{
    size_t i;

    if (pos == self || *n >= max)
        return;
    for (i = 0; i < *n; i++)
        if (memcmp(out[i], r->s[pos].pk, 32) == 0)
            return;
    memcpy(out[(*n)++], r->s[pos].pk, 32);
}

/**
 * seen_ring_links(r, pk, near, far, out, max):
 * Write to ${out} (room for ${max}) the Ed25519 keys of the members ${pk}
 * links to: those at ring distance 1 ... ${near} and at the ${far}
 * long-range distances floor(n ^ (j / (${far} + 1))), j = 1 ... ${far},
 * both ways, each once and never ${pk}.  Returns their number: 0 when
 * ${pk} is not on the ring.
 */
size_t
seen_ring_links(const struct seen_ring *r, const uint8_t pk[static 32],
    size_t near, size_t far, uint8_t out[][32], size_t max)
{
    size_t i, at = r->n, n = 0, d;

    for (i = 0; i < r->n; i++)
        if (memcmp(r->s[i].pk, pk, 32) == 0)
            at = i;
    if (at == r->n)
        return 0;
    for (i = 1; i <= near + far; i++) {
        d = i <= near ? i
                      : (size_t)floor(pow((double)r->n,
                            (double)(i - near) / (double)(far + 1)));
        if (d == 0)
            continue;
        d %= r->n;
        link_add(r, (at + d) % r->n, at, out, &n, max);
        link_add(r, (at + r->n - d) % r->n, at, out, &n, max);
    }
    return n;
}
