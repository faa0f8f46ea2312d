/*
 * cluster.h: constrained, deterministic clustering of index entries into
 * persons.
 *
 * The candidate links (pairs of entries that share a blocking token,
 * scored with seen_score_pair) are merged greedily, strongest first, into
 * persons, subject to hard constraints that a weight alone cannot carry:
 * two people named in one record are two people, one person has at most
 * one NHS number, and no person may hold two entries that contradict each
 * other outright, however well each matches some entry in between.  Every
 * node that holds the same entries and links computes the same persons,
 * whatever order they arrived in.
 *
 * The algorithm, exactly:
 *
 *  1. Candidates.  A link is considered only if its weight is at least
 *     SEEN_CLUSTER_MERGE_AT (the match band of seen_score_pair); a link
 *     with a == b, an index not below ${n}, or a NaN weight is ignored.
 *     The two ends of a link are unordered ({a, b} and {b, a} are the
 *     same link).
 *  2. Order.  Candidates are sorted by weight, highest first; links of
 *     equal weight by the lower of their two ids, then by the higher (ids
 *     compared as 48 bytes with memcmp).  Since ids are distinct, this is
 *     a total order on distinct pairs, so the order depends only on the
 *     set of links, never on the order of ${items} or ${links}.
 *  3. Merge.  Every entry starts as a person of its own.  Each candidate
 *     in turn whose ends are in two different persons P and Q merges them
 *     unless one of these holds, in which case it is refused and the next
 *     candidate taken:
 *      a. an entry of P and an entry of Q have the same record group;
 *      b. P and Q each hold an NHS token (rule SEEN_RULE_NHS) and the two
 *         differ (an entry's NHS token is the first of its rule-1 tokens);
 *      c. for some entry x of P and y of Q, seen_score_pair(x, y) gives a
 *         weight below SEEN_CLUSTER_CONTRADICTION: two NHS numbers, a
 *         child and an adult, different dates of birth and different
 *         given names...  This is what stops single linkage from chaining
 *         two unrelated people through a weak entry in the middle ("John
 *         Smith" with no date of birth, between a father and a son of that
 *         name).  The pairs are scored on demand, in a fixed order, and
 *         the check stops at the first contradiction.
 *      d. an unborn entry (birth band 1) of P or Q has another candidate
 *         of exactly the same weight to a third person R, and R and the
 *         other of P and Q may not merge (by a, b or c): the unborn child
 *         is as close to two children known to be two (twins, or a
 *         brother born near the due date) and joins neither by this link.
 *     Persons only grow, so a refusal by a, b or c stays right for every
 *     later link between the same two persons; d depends on the persons
 *     formed by the links before it in the order of step 2, so on the
 *     set of links alone.
 *  4. Labels.  Each entry is labelled with the index of the entry of
 *     smallest id in its person.
 *
 * Each step depends only on the set of items (ids, groups, tokens, filters,
 * birth bands) and the set of links, and seen_score_pair is symmetric, so
 * the partition (and the ids of the labels) is the same on every node.
 * Cost: O(L log L) for L links, plus, per merge attempt, up to |P|·|Q|
 * group comparisons and direct scores (and, for d, the same again with
 * each person an unborn entry is tied to).
 */
#ifndef SEEN_CLUSTER_H
#define SEEN_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"

#define SEEN_CLUSTER_ID_BYTES 48      /* origin public key || handle */
#define SEEN_CLUSTER_GROUP_BYTES 16
#define SEEN_CLUSTER_MERGE_AT 10.0    /* the match band of seen_score_pair */
#define SEEN_CLUSTER_CONTRADICTION (-10.0)

/* One index entry, as the clusterer sees it (pointers borrowed). */
struct seen_cluster_item {
    uint8_t id[SEEN_CLUSTER_ID_BYTES]; /* global id: origin public key (32)
                                        * || handle (16); distinct; the order
                                        * of ids breaks every tie */
    uint8_t group[SEEN_CLUSTER_GROUP_BYTES]; /* record group: entries of one
                                              * record are never one person */
    const uint8_t *tokens;   /* sorted 17-byte items (borrowed) */
    size_t ntokens;
    const uint8_t *bloom;    /* SEEN_BLOOM_BYTES, or NULL */
    unsigned int birth_band; /* IndexEntry.birth_band */
};

/* A candidate pair, indices into the items; weight from seen_score_pair. */
struct seen_cluster_link {
    uint32_t a, b;           /* a < b by convention; either order is read */
    double weight;
};

/**
 * seen_cluster_run(items, n, links, nlinks, label):
 * Partition the ${n} entries ${items} into persons given the ${nlinks}
 * candidate ${links} (pairs that share a blocking token, scored with
 * seen_score_pair), by the algorithm described at the top of this header,
 * and write to ${label}[i] (${n} slots) the index of the item with the
 * smallest id in item i's person.  Ids must be distinct.  Neither
 * ${items} nor ${links} is modified or retained.
 * Returns 0; SEEN_EINVAL if ${n} is UINT32_MAX or more (nothing written);
 * SEEN_ENOMEM (nothing written).
 */
SEEN_MUST_CHECK int seen_cluster_run(const struct seen_cluster_item *items,
    size_t n, const struct seen_cluster_link *links, size_t nlinks,
    uint32_t *label);

#endif /* !SEEN_CLUSTER_H */
