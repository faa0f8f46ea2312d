/*
 * idset.c: growable sets of entry ids (20 bytes each).
 */
#include <stdlib.h>
#include <string.h>

#include "common/seen.h"
#include "node/matching/matcher_internal.h"

/**
 * idset_add(s, id):
 * Append ${id} to ${s}.  Returns 0 or SEEN_ENOMEM.
 */
int
idset_add(struct idset *s, const uint8_t id[20])
{
    void *p;

    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 32;
        if ((p = realloc(s->v, s->cap * 20)) == NULL)
            return SEEN_ENOMEM;
        s->v = p;
    }
    memcpy(s->v[s->n++], id, 20);
    return 0;
}

/* Entry ids in byte order (for qsort). */
static int
idcmp(const void *a, const void *b)
{

    return memcmp(a, b, 20);
}

/**
 * idset_sort(s):
 * Sort ${s} and drop repeated ids.
 */
void
idset_sort(struct idset *s)
{
    size_t i, k;

    if (s->n > 1)
        qsort(s->v, s->n, 20, idcmp);
    for (i = 0, k = 0; i < s->n; i++)
        if (k == 0 || memcmp(s->v[k - 1], s->v[i], 20) != 0)
            memmove(s->v[k++], s->v[i], 20);
    s->n = k;
}
