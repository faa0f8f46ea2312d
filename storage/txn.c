/*
 * txn.c: a transaction's own memory (store_impl.h): made and freed with
 * it, with the values made as they are read (seen_txn_scratch).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "storage/store.h"
#include "storage/store_impl.h"

/**
 * store_txn_new(store):
 * A new transaction of ${store} (no LMDB transaction yet), or NULL.
 */
struct seen_txn *
store_txn_new(struct seen_store *store)
{
    struct seen_txn *t;
    size_t i;

    if ((t = malloc(sizeof *t)) == NULL)
        return NULL;
    t->store = store;
    t->txn = NULL;
    t->scratch = NULL;
    t->top = t->write = 0;
    store_defer_init(t);
    memset(&t->reads, 0, sizeof t->reads);
    for (i = 0; i < STORE_MLOG_EDGES; i++)
        t->edge[i].used = 0;
    t->edge_next = 0;
    return t;
}

/**
 * store_txn_free(t):
 * Free ${t} and what it holds (not its LMDB transaction).
 */
void
store_txn_free(struct seen_txn *t)
{
    struct store_scratch *b, *next;

    store_defer_free(t);
    for (b = t->scratch; b != NULL; b = next) {
        next = b->next;
        free(b);
    }
    free(t);
}

/**
 * seen_txn_scratch(txn, n):
 * Return ${n} bytes (aligned for any type) owned by ${txn} and freed when
 * it ends; NULL when out of memory.  See store.h.
 */
void *
seen_txn_scratch(struct seen_txn *txn, size_t n)
{
    struct store_scratch *b;

    if (n > SIZE_MAX - sizeof *b || (b = malloc(sizeof *b + n)) == NULL)
        return NULL;
    b->next = txn->scratch;
    txn->scratch = b;
    return b->data;
}

