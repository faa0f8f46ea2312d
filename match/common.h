/*
 * common.h: how common a name is in England and Wales, in three classes.
 *
 * Two people who share a common name and a date of birth are far more
 * often two people than two who share a rare one, so the scorer weighs an
 * agreeing common name less (Fellegi–Sunter: a higher u-probability).  The
 * classes come from fixed lists, not from the data a node happens to hold,
 * so that every node scores every pair the same way.  The lists are the
 * most frequent family names of England and Wales and the most frequent
 * given names of children and of adults born 1965-2000 (ONS), as Seen
 * normalises them.
 */
#ifndef SEEN_COMMON_H
#define SEEN_COMMON_H

/**
 * seen_name_commonness(norm):
 * Return 2 for one of the most common names (${norm} as seen_norm_name
 * writes one word, upper case), 1 for a common one, 0 otherwise.
 */
int seen_name_commonness(const char *norm);

#endif /* !SEEN_COMMON_H */
