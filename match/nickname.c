/*
 * nickname.c: groups of given names, from a table compiled in.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "match/nickname.h"

/*
 * One name of the table: the heads of its groups are
 * nick_head[nick_idx[first]] ... nick_head[nick_idx[first + count - 1]],
 * in ascending order of index, which is alphabetical order.
 */
struct nick_name {
    const char *name;
    uint16_t first;
    uint16_t count;
};

/*
 * The generated table defines, sorted by strcmp:
 *   static const char *const nick_head[];          every head name
 *   static const struct nick_name nick_name[];     every name
 *   static const uint16_t nick_idx[];              heads of each name
 * and NICK_NHEADS, NICK_NNAMES, NICK_NIDX, their lengths.
 */
#include "match/nickname_table.h"

/* The entry for ${name}, or NULL. */
static const struct nick_name *
find(const char *name)
{
    size_t lo = 0, hi = NICK_NNAMES, mid;
    int c;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        c = strcmp(name, nick_name[mid].name);
        if (c == 0)
            return (&nick_name[mid]);
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return (NULL);
}

/**
 * seen_nickname_groups(norm_given, heads, max):
 * Look up the normalised given name ${norm_given} (one word of upper-case
 * ASCII, as seen_norm_name writes it; anything else is in no group) and
 * store in ${heads} the head names (upper case) of the groups that hold
 * it, as head or variant: sorted, without duplicates, at most ${max}.
 * The strings are static and live as long as the program.
 * Returns the number stored: 0 if the name is in no group.
 */
size_t
seen_nickname_groups(const char *norm_given, const char **heads, size_t max)
{
    const struct nick_name *e;
    size_t i;

    if (norm_given == NULL || heads == NULL || (e = find(norm_given)) == NULL)
        return (0);
    for (i = 0; i < e->count && i < max; i++)
        heads[i] = nick_head[nick_idx[e->first + i]];
    return (i);
}

/**
 * seen_nickname_related(a, b):
 * Return 1 if the normalised given names ${a} and ${b} are equal (and not
 * empty) or share a group, else 0 (also when either is NULL).
 */
int
seen_nickname_related(const char *a, const char *b)
{
    const struct nick_name *ea, *eb;
    const uint16_t *pa, *pb, *enda, *endb;

    if (a == NULL || b == NULL || a[0] == '\0' || b[0] == '\0')
        return (0);
    if (strcmp(a, b) == 0)
        return (1);
    if ((ea = find(a)) == NULL || (eb = find(b)) == NULL)
        return (0);

    /* Both lists are sorted: walk them together. */
    pa = &nick_idx[ea->first];
    enda = pa + ea->count;
    pb = &nick_idx[eb->first];
    endb = pb + eb->count;
    while (pa < enda && pb < endb) {
        if (*pa == *pb)
            return (1);
        if (*pa < *pb)
            pa++;
        else
            pb++;
    }
    return (0);
}
