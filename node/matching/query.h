/*
 * query.h: finding the index entries that belong to a person described by
 * a query.
 *
 * The query's fields are tokenised exactly as an imported person's;
 * every entry that shares a blocking token with the query is a
 * candidate, and each candidate is scored field by field (match/score.h).
 * Hits in the match and possible bands are returned, best first.
 */
#ifndef SEEN_QUERY_H
#define SEEN_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"
#include "match/score.h"
#include "match/tokens.h"

struct seen_txn;
struct seen_tokenizer;
struct seen_token_input;

#define SEEN_QUERY_BLOCK_MAX 5000 /* candidates read from one block */

struct seen_query_hit {
    uint32_t oidx;           /* origin number */
    uint8_t handle[16];
    uint64_t seq;            /* leaf of the entry in its feed */
    uint64_t published;      /* FeedEntry.time */
    int role, kind, risk;    /* Seen__Role, Seen__Kind, Seen__Risk */
    uint32_t date;           /* record date, days since 1970-01-01 */
    uint32_t flags;          /* Seen__EntryFlag bits */
    uint8_t group[16];
    char local_authority[128];
    struct seen_score score;
};

struct seen_query_result {
    struct seen_query_hit *hits;
    size_t n;
    size_t candidates;       /* entries compared */
};

/**
 * seen_query_run(txn, tk, q, out):
 * Find the entries that match ${q}, reading through ${txn}.  On success
 * ${out} holds the hits (match and possible bands, highest weight first)
 * and must be released with seen_query_release.  Returns 0 (possibly with
 * no hits); SEEN_EINVAL when ${q} yields no blocking token (too little to
 * search on); SEEN_ENOMEM; SEEN_ECORRUPT.
 */
SEEN_MUST_CHECK int seen_query_run(struct seen_txn *txn,
    const struct seen_tokenizer *tk, const struct seen_token_input *q,
    struct seen_query_result *out);

/* The tokens and name filter of a query's criteria, made beforehand
 * (node/matching/indexer.h, seen_indexer_person_tokens). */
struct seen_query_tokens {
    uint8_t tokens[SEEN_TOKENS_MAX * SEEN_TOKEN_ITEM];
    size_t ntokens;
    uint8_t bloom[SEEN_BLOOM_BYTES];
    int has_bloom;           /* 0: no filter (no name, or an OPRF epoch) */
};

/**
 * seen_query_run_tokens(txn, qt, out):
 * As seen_query_run, with the criteria's tokens and filter ${qt} made
 * beforehand.  Returns as seen_query_run.
 */
SEEN_MUST_CHECK int seen_query_run_tokens(struct seen_txn *txn,
    const struct seen_query_tokens *qt, struct seen_query_result *out);

/**
 * seen_query_release(r):
 * Free what ${r} holds.
 */
void seen_query_release(struct seen_query_result *r);

#endif /* !SEEN_QUERY_H */
