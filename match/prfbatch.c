/*
 * prfbatch.c: the distinct PRF inputs of a batch and their outputs
 * (prfbatch.h).  Inputs live in blocks that never move, so that the
 * pointers seen_prfbatch_inputs hands out stay valid while the arrays of
 * items grow; the table maps an input's digest to its item.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "match/prfbatch.h"

#define BLOCK_BYTES 65536
#define DIGEST 16

struct block {
    struct block *next;
    size_t used;
    uint8_t data[BLOCK_BYTES];
};

struct seen_prfbatch {
    struct block *blocks;        /* newest first */
    const uint8_t **ins;         /* item i's input, in a block */
    size_t *lens;
    uint8_t (*digest)[DIGEST];
    uint8_t (*out)[SEEN_PRFBATCH_OUT];
    uint8_t *have;               /* 1 once item i's output is set */
    size_t n, cap;               /* items, and room for them */
    uint32_t *slot;              /* item + 1, or 0 for an empty slot */
    size_t nslot;                /* a power of two, at least 2 * cap */
};

struct seen_prfbatch *
seen_prfbatch_new(void)
{
    struct seen_prfbatch *b;

    if ((b = calloc(1, sizeof *b)) == NULL) {
        seen_error("prfbatch: out of memory");
        return NULL;
    }
    return b;
}

static void
free_blocks(struct seen_prfbatch *b, int keep_first)
{
    struct block *k, *next;

    for (k = b->blocks; k != NULL; k = next) {
        next = k->next;
        if (keep_first && next == NULL) {
            sodium_memzero(k->data, k->used);
            k->used = 0;
            b->blocks = k;
            return;
        }
        sodium_memzero(k->data, k->used);
        free(k);
    }
    b->blocks = NULL;
}

void
seen_prfbatch_clear(struct seen_prfbatch *b)
{

    if (b == NULL)
        return;
    free_blocks(b, 1);
    if (b->out != NULL)
        sodium_memzero(b->out, b->n * sizeof *b->out);
    if (b->have != NULL)
        memset(b->have, 0, b->n);
    if (b->slot != NULL)
        memset(b->slot, 0, b->nslot * sizeof *b->slot);
    b->n = 0;
}

void
seen_prfbatch_destroy(struct seen_prfbatch **pp)
{
    struct seen_prfbatch *b;

    if (pp == NULL || (b = *pp) == NULL)
        return;
    seen_prfbatch_clear(b);
    free_blocks(b, 0);
    free(b->ins);
    free(b->lens);
    free(b->digest);
    free(b->out);
    free(b->have);
    free(b->slot);
    free(b);
    *pp = NULL;
}

size_t
seen_prfbatch_count(const struct seen_prfbatch *b)
{

    return b->n;
}

/* The slot where ${d} is, or the empty slot where it would go. */
static size_t
find(const struct seen_prfbatch *b, const uint8_t d[DIGEST])
{
    uint64_t h;
    size_t i, mask = b->nslot - 1;

    memcpy(&h, d, sizeof h);
    for (i = (size_t)h & mask; b->slot[i] != 0; i = (i + 1) & mask)
        if (memcmp(b->digest[b->slot[i] - 1], d, DIGEST) == 0)
            break;
    return i;
}

/* Make room for one more item (the arrays and, at half full, the table). */
static int
grow(struct seen_prfbatch *b)
{
    size_t cap, i, nslot;
    uint32_t *slot;
    void *p;

    if (b->n < b->cap)
        return 0;
    cap = b->cap == 0 ? 1024 : b->cap * 2;
    if (cap > UINT32_MAX / 4)
        return SEEN_ENOMEM;
#define GROW(field)                                                          \
    do {                                                                     \
        if ((p = realloc(b->field, cap * sizeof *b->field)) == NULL)         \
            return SEEN_ENOMEM;                                              \
        b->field = p;                                                        \
    } while (0)
    GROW(ins);
    GROW(lens);
    GROW(digest);
    GROW(have);
    /* The outputs are wiped before their old memory is given back. */
    if ((p = malloc(cap * sizeof *b->out)) == NULL)
        return SEEN_ENOMEM;
    if (b->out != NULL) {
        memcpy(p, b->out, b->n * sizeof *b->out);
        sodium_memzero(b->out, b->cap * sizeof *b->out);
        free(b->out);
    }
    b->out = p;
#undef GROW
    nslot = cap * 2;
    if ((slot = calloc(nslot, sizeof *slot)) == NULL)
        return SEEN_ENOMEM;
    free(b->slot);
    b->slot = slot;
    b->nslot = nslot;
    b->cap = cap;
    for (i = 0; i < b->n; i++)
        b->slot[find(b, b->digest[i])] = (uint32_t)(i + 1);
    return 0;
}

/* Copy ${len} bytes of ${in} into a block; NULL when out of memory. */
static const uint8_t *
keep(struct seen_prfbatch *b, const uint8_t *in, size_t len)
{
    struct block *k = b->blocks;
    uint8_t *p;

    if (k == NULL || BLOCK_BYTES - k->used < len) {
        if ((k = malloc(sizeof *k)) == NULL)
            return NULL;
        k->used = 0;
        k->next = b->blocks;
        b->blocks = k;
    }
    p = k->data + k->used;
    memcpy(p, in, len);
    k->used += len;
    return p;
}

int
seen_prfbatch_add(struct seen_prfbatch *b, const uint8_t *in, size_t len)
{
    uint8_t d[DIGEST];
    size_t s;

    if (len == 0 || len > SEEN_PRFBATCH_INPUT_MAX)
        return SEEN_EINVAL;
    crypto_generichash(d, sizeof d, in, len, NULL, 0);
    if (b->nslot != 0 && b->slot[find(b, d)] != 0)
        return 0;
    if (grow(b) != 0 || (b->ins[b->n] = keep(b, in, len)) == NULL) {
        seen_error("prfbatch: out of memory at %zu inputs", b->n);
        return SEEN_ENOMEM;
    }
    s = find(b, d);
    b->lens[b->n] = len;
    memcpy(b->digest[b->n], d, DIGEST);
    b->have[b->n] = 0;
    b->slot[s] = (uint32_t)(b->n + 1);
    b->n++;
    return 0;
}

void
seen_prfbatch_inputs(const struct seen_prfbatch *b,
    const uint8_t *const **ins, const size_t **lens)
{

    *ins = b->ins;
    *lens = b->lens;
}

size_t
seen_prfbatch_pending(const struct seen_prfbatch *b)
{
    size_t i = b->n;

    /* Outputs are set in order: the first without one, from the end. */
    while (i > 0 && !b->have[i - 1])
        i--;
    return i;
}

int
seen_prfbatch_set(struct seen_prfbatch *b, size_t i,
    const uint8_t out[SEEN_PRFBATCH_OUT])
{

    if (i >= b->n)
        return SEEN_EINVAL;
    memcpy(b->out[i], out, SEEN_PRFBATCH_OUT);
    b->have[i] = 1;
    return 0;
}

int
seen_prfbatch_get(const struct seen_prfbatch *b, const uint8_t *in,
    size_t len, uint8_t out[SEEN_PRFBATCH_OUT])
{
    uint8_t d[DIGEST];
    uint32_t it;

    if (b->nslot == 0 || len == 0 || len > SEEN_PRFBATCH_INPUT_MAX)
        return SEEN_ENOTFOUND;
    crypto_generichash(d, sizeof d, in, len, NULL, 0);
    if ((it = b->slot[find(b, d)]) == 0 || !b->have[it - 1])
        return SEEN_ENOTFOUND;
    memcpy(out, b->out[it - 1], SEEN_PRFBATCH_OUT);
    return 0;
}
