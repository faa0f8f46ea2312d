/*
 * nickname.h: groups of given names that may belong to one person
 * (William, Bill, Will; Mohammed, Muhammad, Mohamed; Siobhan, Shivaun).
 *
 * The groups are the lines of match/data/nicknames.csv and
 * match/data/nicknames-uk.csv, compiled into the library at build time by
 * match/gen_nicknames.cmake: a lookup is a binary search over a static
 * table, with no file I/O, no allocation and no state (thread-safe).
 *
 * A group is one head name and its variants; lines with the same head, in
 * either file, are one group.  A name may be in several groups (AL is in
 * ALAN, ALBERT, ALFRED, ...), and the relation is not transitive: ALAN and
 * ALBERT are not related through AL.  A shared group is evidence, not
 * proof: some pairs in the list are archaic or loose.
 */
#ifndef SEEN_MATCH_NICKNAME_H
#define SEEN_MATCH_NICKNAME_H

#include <stddef.h>

/**
 * seen_nickname_groups(norm_given, heads, max):
 * Look up the normalised given name ${norm_given} (one word of upper-case
 * ASCII, as seen_norm_name writes it; anything else is in no group) and
 * store in ${heads} the head names (upper case) of the groups that hold
 * it, as head or variant: sorted, without duplicates, at most ${max}.
 * The strings are static and live as long as the program.
 * Returns the number stored: 0 if the name is in no group.
 */
size_t seen_nickname_groups(
    const char *norm_given, const char **heads, size_t max);

/**
 * seen_nickname_related(a, b):
 * Return 1 if the normalised given names ${a} and ${b} are equal (and not
 * empty) or share a group, else 0 (also when either is NULL).
 */
int seen_nickname_related(const char *a, const char *b);

#endif /* !SEEN_MATCH_NICKNAME_H */
