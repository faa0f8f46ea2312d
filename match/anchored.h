/*
 * anchored.h: the anchored encoding of a person (SEEN_TOKENS_ANCHORED,
 * issue 16): a few tokens made by the OPRF, and everything else derived
 * from their outputs, so that no field can be tested alone.
 *
 * Six ANCHORS, each the token of a whole combination of fields with a
 * large domain, are the only PRF inputs of a person besides its
 * identifiers (NHS 1, PNC 2, UPN 3, made as in the other encodings):
 *
 *     slot  rule  fields
 *     F      5    phonetic family, date of birth
 *     G     14    phonetic given, date of birth
 *     N     11    phonetic given, phonetic family
 *     S      8    given and family (exact, in sorted order), date of birth
 *     W0    15    phonetic family, "0", the 32-day window of the date of
 *                 birth (or the due date) counted from day 0
 *     W1    17    phonetic family, "1", the window counted from day 16
 *
 * Each anchor's PRF output gives its token (the first 8 bytes, as in the
 * other encodings) and the anchor's SLOT KEY (bytes 16 to 31), which no
 * one can make without the output.  Under the slot key a person carries:
 *
 *   - derived blocks, with the rule numbers and fields of the other
 *     encodings (NAME_DOB 4, NICK_DOB 7 under F; VARIANT_DOB 12 and
 *     GIVEN_DOB 13 under G; NAME_YOB_DIST 6 and DMSWAP 9 under N): two
 *     entries share one exactly when their fields agree, as before;
 *   - the SLOT VECTOR: 2-byte hashes of the slot's columns (below),
 *     packed four to an item whose rule byte is 64 + 16 slot + chunk.
 *
 * Two entries that share an anchor share its slot key, so their vectors
 * compare column by column; two that share none compare on their shared
 * blocks and identifiers alone.  docs/protocol.md, "The anchored
 * encoding", says it byte by byte.
 */
#ifndef SEEN_MATCH_ANCHORED_H
#define SEEN_MATCH_ANCHORED_H

#include <stddef.h>
#include <stdint.h>

#include "match/tokens.h"

enum seen_slot {
    SEEN_SLOT_F = 0,
    SEEN_SLOT_G = 1,
    SEEN_SLOT_N = 2,
    SEEN_SLOT_S = 3,
    SEEN_SLOT_W0 = 4,
    SEEN_SLOT_W1 = 5,
    SEEN_SLOTS = 6
};

#define SEEN_SLOT_RULE_BASE 64 /* rule byte of slot 0's first chunk */
#define SEEN_SLOT_CHUNKS 16    /* chunk items a slot at most */
#define SEEN_SLOT_PER_ITEM 4   /* 2-byte hashes an item */
#define SEEN_SLOT_VEC (SEEN_SLOT_CHUNKS * SEEN_SLOT_PER_ITEM)
#define SEEN_SLOT_KEY 16       /* bytes of a slot key */
#define SEEN_SLOT_KEY_AT 16    /* where it starts in the PRF output */

/* Kinds of column: one value, two values, or a set ended by a zero. */
enum seen_col_kind { SEEN_COL_SET = 0, SEEN_COL_ONE = 1, SEEN_COL_TWO = 2 };

struct seen_slot_col {
    uint8_t rule; /* the rule of the other encodings it stands for */
    uint8_t kind;
};

/**
 * seen_slot_of_anchor(rule):
 * Returns the slot whose anchor has rule number ${rule}, or SEEN_SLOTS
 * when it is none's.
 */
enum seen_slot seen_slot_of_anchor(unsigned int rule);

/**
 * seen_slot_implied(slot, rule):
 * Returns 1 when two entries that share ${slot}'s anchor agree on
 * ${rule} for certain (the anchor's own fields), else 0.
 */
int seen_slot_implied(enum seen_slot slot, unsigned int rule);

/*
 * One entry's anchors and slot vectors, read from its tokens.
 */
struct seen_slot_view {
    unsigned int present;                   /* bit per slot with an anchor */
    const uint8_t *anchor[SEEN_SLOTS];      /* its item, or NULL */
    uint16_t vec[SEEN_SLOTS][SEEN_SLOT_VEC];
    int any;                                /* any slot item was seen */
    /* Each rule's column in each slot's vector, read once: where its
     * values start and how many (-1: the slot has no such column). */
    uint8_t at[SEEN_SLOTS][SEEN_RULE_MAX + 1];
    int8_t n[SEEN_SLOTS][SEEN_RULE_MAX + 1];
};

/**
 * seen_slot_read(tokens, n, item, v):
 * Read the anchors and slot vectors of the ${n} items ${tokens}, each
 * ${item} bytes, into ${v}.  Returns 1 when the entry carries any slot
 * item (the anchored encoding), else 0.
 */
int seen_slot_read(const uint8_t *tokens, size_t n, size_t item,
    struct seen_slot_view *v);

/**
 * seen_slot_values(v, slot, rule, out):
 * Point *${out} at the values of ${rule}'s column in ${slot}'s vector of
 * ${v} (borrowed from ${v}).  Returns how many (0: none); -1 when the
 * slot has no column for ${rule} or ${v} carries no such anchor.
 */
int seen_slot_values(const struct seen_slot_view *v, enum seen_slot slot,
    unsigned int rule, const uint16_t **out);

/**
 * seen_tokens_anchored_finish(in, pre, n, prf, out):
 * The tokens of ${in} in the anchored encoding, given its ${n} PRF inputs
 * ${pre} (seen_tokens_inputs under a tokenizer whose mode is
 * SEEN_TOKENS_ANCHORED) and their outputs ${prf} (SEEN_PRF_OUTPUT bytes
 * each: the anchors' slot keys are bytes SEEN_SLOT_KEY_AT on).  Writes
 * at most SEEN_TOKENS_MAX items of SEEN_TOKEN_ITEM bytes to ${out},
 * sorted and without duplicates; the items past what fits are left out,
 * slot vectors last.  Returns the number written.
 */
size_t seen_tokens_anchored_finish(const struct seen_token_input *in,
    const struct seen_prf_input *pre, size_t n,
    const uint8_t (*prf)[SEEN_PRF_OUTPUT], uint8_t *out);

/**
 * seen_tokens_anchored_inputs(in, out, max):
 * The PRF inputs of ${in} in the anchored encoding: its identifiers and
 * anchors, at most ${max}.  Returns how many.
 */
size_t seen_tokens_anchored_inputs(const struct seen_token_input *in,
    struct seen_prf_input *out, size_t max);

#endif /* !SEEN_MATCH_ANCHORED_H */
