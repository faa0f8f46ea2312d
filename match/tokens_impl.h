/*
 * tokens_impl.h: what the encodings of match/tokens.c and
 * match/anchored.c share; not for other callers.
 */
#ifndef SEEN_MATCH_TOKENS_IMPL_H
#define SEEN_MATCH_TOKENS_IMPL_H

#include <sodium.h>

#include "crypto/token.h"
#include "match/dmetaphone.h"
#include "match/tokens.h"

#define NICK_MAX 6
#define VARIANTS_MAX 8
#define SEEN_TK_NEAR_MAX 13 /* seen_tk_near: a name of 12 letters and 12 */

struct seen_tokenizer {
    struct seen_token_key sub[SEEN_RULE_MAX + 1];
    uint8_t bloom[crypto_shorthash_KEYBYTES];
    uint32_t epoch;
    int keyed;                 /* made from a match key */
    enum seen_token_mode mode;
};

/* The PRF inputs of one person, as the rules make them. */
struct tbuf {
    struct seen_prf_input *out;
    size_t n, max;
};

/*
 * The fields of one person that the rules combine, normalised; an empty
 * string where there is nothing.
 */
struct tfields {
    char given[SEEN_NAME_MAX]; /* first word of the given name */
    char gph[SEEN_DMETAPHONE_MAX + 1], fph[SEEN_DMETAPHONE_MAX + 1];
    const char *heads[NICK_MAX]; /* nickname groups of given (static) */
    size_t nheads;
    char var[VARIANTS_MAX][SEEN_NAME_MAX]; /* variants of a family name */
    size_t nvar;
    const char *fam; /* var[0], or "" */
    char family[SEEN_NAME_MAX]; /* the family name's var[0], kept */
    char dob[11], yob[5], md[6], bmonth[8], due[11];
    char sex[2];
    const char *addr, *pc; /* district and postcode ("" if shielded) */
};

/**
 * seen_tk_tok(b, rule, f, n):
 * Add to ${b} the PRF input of ${rule} over the ${n} fields ${f}, unless
 * one is empty, the encoding is too long, or ${b} is full.
 */
void seen_tk_tok(struct tbuf *b, unsigned int rule, const char *const *f,
    size_t n);

#define TOK(b, rule, ...)                                                     \
    do {                                                                      \
        const char *f_[] = {__VA_ARGS__};                                     \
        seen_tk_tok(b, rule, f_, sizeof f_ / sizeof f_[0]);                   \
    } while (0)

/**
 * seen_tk_fields(in, f):
 * Normalise the fields of ${in} the rules combine into ${f}.
 */
void seen_tk_fields(const struct seen_token_input *in, struct tfields *f);

/**
 * seen_tk_variants(f, in, fn, ctx):
 * Call ${fn}(${ctx}, v) for each variant v of the family name
 * (f->var), then of each of ${in}'s other names that normalises, made in
 * f->var over the family name's (so f->fam, f->var[0], is the last
 * other name's first variant afterwards; f->family keeps the family
 * name's).
 */
void seen_tk_variants(struct tfields *f, const struct seen_token_input *in,
    void (*fn)(void *ctx, const char *v), void *ctx);

/**
 * seen_tk_sort_unique(out, n):
 * Sort the ${n} items of ${out} and drop duplicates; returns how many stay.
 */
size_t seen_tk_sort_unique(uint8_t *out, size_t n);

/**
 * seen_tk_sorted_digits(ymd, out):
 * The digits of ${ymd} ("YYYY-MM-DD") sorted, into ${out}.
 */
void seen_tk_sorted_digits(const char *ymd, char out[static 9]);

/**
 * seen_tk_window(out, days, width, i):
 * The number of the ${width}-day window holding the date ${days},
 * counted from day 0 (${i} 0) or day ${width}/2 (${i} 1), in decimal.
 */
void seen_tk_window(char out[static 16], int32_t days, int32_t width, int i);

/**
 * seen_tk_near(name, out):
 * Write to ${out} (SEEN_TK_NEAR_MAX strings) ${name} and each string it
 * gives less one of its letters (docs/protocol.md, NEAR); none for a
 * name of fewer than 4 or more than 12 letters.  Returns how many.
 */
size_t seen_tk_near(const char *name, char out[][SEEN_NAME_MAX]);

#endif /* !SEEN_MATCH_TOKENS_IMPL_H */
