/*
 * collective.h: evidence from the people around a person.
 *
 * Two entries that agree only moderately (a link in the possible band)
 * are far more likely one person when the records they are in hold two
 * other people already linked to each other: the same mother, the same
 * perpetrator.  The rule, exactly:
 *
 *   A link {x, y} of weight w, SEEN_COLLECTIVE_FROM <= w <
 *   SEEN_CLUSTER_MERGE_AT, between entries of two different record groups
 *   X and Y, is supported when some entry x' of X other than x and some
 *   entry y' of Y other than y are the two ends of a link of weight at
 *   least SEEN_CLUSTER_MERGE_AT, and no comparison of x and y counts
 *   against them (struct seen_score's `against`: no identifier, date of
 *   birth, name, place, sex or birth band known to differ; they only
 *   lack the evidence, a date of birth missing on one side, say).  A
 *   supported link gains SEEN_COLLECTIVE_BONUS.
 *
 * Why nothing against: twins of one mother, each in a record of their
 * own beside her, agree on everything but their given names and sit in
 * the possible band; the mother linked across the two records is no
 * evidence that they are one child.  On seen-synth2 (150 households per
 * authority, seed 1) the supported links with something against them
 * were 272 false and 112 true; with nothing against, 5 false and 601
 * true.
 *
 * Support is read from the weights before any bonus, so it depends only
 * on the set of items and links: every node that holds them finds the
 * same supported links, whatever order they arrived in.  The clusterer's
 * hard constraints (two people of one record, two NHS numbers, a
 * contradiction) are applied after, unchanged: twins of one mother are
 * still two children (their given names differ; and two children of one
 * record never merge).
 */
#ifndef SEEN_COLLECTIVE_H
#define SEEN_COLLECTIVE_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"
#include "match/cluster.h"
#include "match/score.h"

#define SEEN_COLLECTIVE_FROM 5.0   /* the possible band of seen_score_pair */
#define SEEN_COLLECTIVE_BONUS 5.0

/**
 * seen_collective_may_lift(a, b, w):
 * Return 1 when a link of weight ${w} between ${a} and ${b} is one that
 * support may lift: in [SEEN_COLLECTIVE_FROM, SEEN_CLUSTER_MERGE_AT), with
 * no comparison of the two counting against them; else 0.
 */
int seen_collective_may_lift(const struct seen_score_side *a,
    const struct seen_score_side *b, double w);

/**
 * seen_collective_support(items, n, links, nlinks, out):
 * Set ${out}[i] (${nlinks} slots) to 1 when link i is supported by the
 * rule above, else 0.  Neither ${items} nor ${links} is modified.
 * Returns 0 or SEEN_ENOMEM (${out} then all 0).
 */
SEEN_MUST_CHECK int seen_collective_support(
    const struct seen_cluster_item *items, size_t n,
    const struct seen_cluster_link *links, size_t nlinks, uint8_t *out);

#endif /* !SEEN_COLLECTIVE_H */
