/*
 * tokens.h: the token rules that turn one person's normalised fields into
 * keyed match tokens, and the hardened Bloom filter of their name.
 *
 * A token is 17 bytes: a rule number, then the 16-byte keyed BLAKE2b
 * (crypto/token.h) of that rule's fields under the rule's own subkey,
 * crypto_kdf_derive_from_key(match_key, rule, "seentokn").  Rules below
 * SEEN_RULE_FIELD_BASE define blocks: they are indexed, and two entries
 * that share one are compared.  Rules from SEEN_RULE_FIELD_BASE up carry
 * one field each, so that the scorer can see agreement and disagreement
 * field by field; they are published but not indexed.  docs/protocol.md
 * lists the exact fields of every rule.
 */
#ifndef SEEN_TOKENS_H
#define SEEN_TOKENS_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"
#include "match/normalise.h"

#define SEEN_TOKEN_ITEM 17          /* rule byte + 16-byte token */
/*
 * Of a token's 16 bytes (a keyed BLAKE2b of 16 bytes), only the first
 * SEEN_TOKEN_MATCH count: seen_tokens_make zeroes the rest, a leaf
 * carries either whole tokens (IndexEntry.tokens, whose last 8 bytes a
 * reader zeroes: seen_index_entry_normalise) or these alone
 * (IndexEntry.short_tokens, SEEN_SHORT_ITEM bytes an item), and both
 * compare equal (docs/protocol.md, "Short tokens").
 */
#define SEEN_TOKEN_MATCH 8
#define SEEN_SHORT_ITEM (1 + SEEN_TOKEN_MATCH) /* rule byte + 8 bytes */
#define SEEN_TOKENS_MAX 48          /* per person */
#define SEEN_BLOOM_BYTES 128        /* 1024-bit name filter */
#define SEEN_BLOOM_K 15             /* positions per bigram */

enum seen_rule {
    /* Blocking rules (indexed). */
    SEEN_RULE_NHS = 1,           /* NHS number */
    SEEN_RULE_PNC = 2,           /* PNC id */
    SEEN_RULE_UPN = 3,           /* unique pupil number */
    SEEN_RULE_NAME_DOB = 4,      /* family, given, date of birth */
    SEEN_RULE_PHON_DOB = 5,      /* Double Metaphone of family, dob */
    SEEN_RULE_NAME_YOB_DIST = 6, /* given, family, year of birth, district */
    SEEN_RULE_NICK_DOB = 7,      /* nickname group of given, family, dob */
    SEEN_RULE_SWAP_DOB = 8,      /* the two names in sorted order, dob */
    SEEN_RULE_DMSWAP = 9,        /* family, given, year, {day, month} */
    SEEN_RULE_FAMILY_MONTH = 10, /* phonetic family, birth or due month */
    SEEN_RULE_PHON_NAMES = 11,   /* phonetic given, phonetic family */
    SEEN_RULE_VARIANT_DOB = 12,  /* a family-name variant or alias, dob */
    SEEN_RULE_GIVEN_DOB = 13,    /* phonetic given, dob, district */
    SEEN_RULE_PHON_NAME_DOB = 14, /* phonetic given or family, dob (one
                                   * subkey for both: swap-proof) */
    SEEN_RULE_FAMILY_WINDOW = 15, /* phonetic family, 32-day window of the
                                   * dob or due date (two offsets) */
    SEEN_RULE_FAMILY_MD = 16,     /* phonetic family, {day, month} */
    SEEN_RULE_FAMILY_WINDOW1 = 17, /* the anchored encoding's second
                                    * window anchor (match/anchored.h) */
    SEEN_RULE_FIELD_BASE = 32,
    /* Field rules (published, not indexed). */
    SEEN_RULE_F_GIVEN = 32,
    SEEN_RULE_F_FAMILY = 33,
    SEEN_RULE_F_DOB = 34,
    SEEN_RULE_F_YOB = 35,
    SEEN_RULE_F_POSTCODE = 36,
    SEEN_RULE_F_DISTRICT = 37,
    SEEN_RULE_F_SEX = 38,
    SEEN_RULE_F_GIVEN_PHON = 39,
    SEEN_RULE_F_FAMILY_PHON = 40,
    SEEN_RULE_F_NICK = 41,
    SEEN_RULE_F_DUE = 42,
    SEEN_RULE_F_MONTHDAY = 43,   /* {day, month} of dob, swap-proof */
    SEEN_RULE_F_NAME = 44,       /* given or family (one subkey for both) */
    SEEN_RULE_F_GIVEN_COMMON = 45,  /* present when the given name is common */
    SEEN_RULE_F_GIVEN_VCOMMON = 46, /* ... one of the most common */
    SEEN_RULE_F_FAMILY_COMMON = 47, /* present when the family name is common */
    SEEN_RULE_F_FAMILY_VCOMMON = 48,
    SEEN_RULE_F_DOB_NEAR = 49,   /* 2-day window of dob (two offsets) */
    SEEN_RULE_F_DOB_DIGITS = 50, /* the digits of YYYYMMDD, sorted */
    SEEN_RULE_F_DOB_YEARS = 51,  /* 732-day window of dob (two offsets) */
    /* OPRF epochs only (SEEN_TOKENS_OPRF): names one edit apart. */
    SEEN_RULE_F_GIVEN_NEAR = 52, /* given, and it less any one letter
                                  * (4 to 12 letters) */
    SEEN_RULE_F_FAMILY_NEAR = 53, /* family, and it less any one letter */
    SEEN_RULE_MAX = 63
};

/* One person's fields, as the indexer or a query has them. */
struct seen_token_input {
    const char *given;        /* raw UTF-8 or NULL */
    const char *family;
    const char *const *other_names;
    size_t n_other_names;
    int has_dob;
    int32_t dob;              /* days since 1970-01-01 */
    int has_due;
    int32_t due;
    char sex;                 /* 'F' 'M' 'X' 'U' or 0 */
    const char *nhs;          /* canonical, or NULL/"" */
    const char *upn;
    const char *pnc;
    const char *postcode;     /* canonical, or NULL/"" */
    const char *district;
    int shielded;             /* no address-bearing token */
};

/*
 * The encodings of a person.  SEEN_TOKENS_KEYED: the rules above up to 51
 * and the Bloom filter of the name, made under the federation's match
 * key (every epoch before issue 16).  SEEN_TOKENS_OPRF: the same rules,
 * the names' neighbourhoods (rules 52, 53) and no Bloom filter, for an
 * epoch whose tokens an OPRF makes: every value is made from a whole
 * name, date, code or identifier, none from a part few enough to
 * enumerate (docs/protocol.md, "Tokens in an OPRF epoch").
 */
enum seen_token_mode {
    SEEN_TOKENS_KEYED = 0,
    SEEN_TOKENS_OPRF = 1,
    SEEN_TOKENS_ANCHORED = 2,
};

/* The rule subkeys, derived once from a match key, and the encoding. */
struct seen_tokenizer;

/**
 * seen_tokenizer_new(match_key, epoch):
 * Derive the subkeys of every rule from ${match_key}, for the encoding
 * SEEN_TOKENS_KEYED.  Returns a new tokenizer in sodium_malloc memory, or
 * NULL (logged).
 */
struct seen_tokenizer *seen_tokenizer_new(const uint8_t match_key[static 32],
    uint32_t epoch);

/**
 * seen_tokenizer_new_mode(match_key, epoch, mode):
 * As seen_tokenizer_new, with the encoding ${mode}; ${match_key} NULL
 * for a tokenizer without a key (an OPRF epoch's, whose PRF the
 * custodians evaluate): it makes PRF inputs (seen_tokens_inputs) but no
 * tokens itself (seen_tokens_make returns 0, seen_tokens_keyed_prf
 * SEEN_EINVAL).  With a key and SEEN_TOKENS_OPRF, the keyed PRF stands in
 * for the OPRF (the benchmarks: matching quality depends only on which
 * inputs are equal).  Returns NULL (logged) on failure or a bad ${mode}.
 */
struct seen_tokenizer *seen_tokenizer_new_mode(const uint8_t *match_key,
    uint32_t epoch, enum seen_token_mode mode);

/**
 * seen_tokenizer_mode(tk):
 * Return the encoding ${tk} makes.
 */
enum seen_token_mode seen_tokenizer_mode(const struct seen_tokenizer *tk);

/**
 * seen_tokenizer_destroy(&tk):
 * Wipe and free ${tk}.  Sets the caller's pointer to NULL; NULL or a pointer
 * to NULL is a no-op, so it is safe twice.
 */
void seen_tokenizer_destroy(struct seen_tokenizer **pp);

/**
 * seen_tokenizer_epoch(tk):
 * Return the match-key epoch ${tk} was made for.
 */
uint32_t seen_tokenizer_epoch(const struct seen_tokenizer *tk);

/**
 * seen_tokens_make(tk, in, out, max):
 * Write the tokens of ${in} to ${out} (${max} items of SEEN_TOKEN_ITEM
 * bytes; at most SEEN_TOKENS_MAX count), sorted and without duplicates:
 * seen_tokens_inputs, seen_tokens_keyed_prf, seen_tokens_finish.
 * Returns the number written (0 when ${in} has nothing to match on, or
 * ${tk} has no key); fields that do not normalise are left out.
 */
size_t seen_tokens_make(const struct seen_tokenizer *tk,
    const struct seen_token_input *in, uint8_t *out, size_t max);

/*
 * A PRF input: a rule and the exact bytes its token is made from, the
 * encoding of the rule's fields of crypto/token.h (each field's length,
 * 2 bytes big-endian, then its bytes).  A token is the rule byte, the
 * first SEEN_TOKEN_MATCH bytes of the PRF's 16-byte output over these
 * bytes (the rule's keyed BLAKE2b in a keyed epoch; in an OPRF epoch the
 * OPRF over seen_token_oprf_input's bytes), and zeros.  An input whose
 * encoding would be longer than SEEN_PRF_INPUT_MAX bytes is left out,
 * as a field that does not normalise is (no input the record parser
 * accepts comes near: the longest is two names of SEEN_NAME_MAX, a year
 * and a district, 142 bytes).
 */
#define SEEN_PRF_INPUT_MAX 192
#define SEEN_PRF_OUTPUT 32 /* bytes of PRF output kept an input: a token
                              is made from the first 8, an anchor's slot
                              key from bytes 16 to 31 (match/anchored.h) */

struct seen_prf_input {
    uint8_t rule;
    uint8_t len;                       /* bytes used of ${bytes} */
    uint8_t bytes[SEEN_PRF_INPUT_MAX];
};

/**
 * seen_tokens_inputs(tk, in, out, max):
 * Write the PRF inputs of ${in} under the encoding of ${tk} to ${out}
 * (${max} inputs, at most SEEN_TOKENS_MAX count), in the order the rules
 * make them: an input may repeat (one person's own inputs are not
 * merged), and when there are more than ${max} the last are left out, as
 * seen_tokens_make leaves them.  Needs no key.  Returns the number
 * written (0 when ${in} has nothing to match on).
 */
size_t seen_tokens_inputs(const struct seen_tokenizer *tk,
    const struct seen_token_input *in, struct seen_prf_input *out,
    size_t max);

/**
 * seen_tokens_keyed_prf(tk, in, n, prf):
 * The keyed PRF of a keyed epoch (or standing in for the OPRF): write to
 * ${prf}[i] the 16-byte keyed BLAKE2b of ${in}[i] under its rule's
 * subkey, for the ${n} inputs ${in}.  Returns 0; SEEN_EINVAL when ${tk}
 * has no key or an input's rule or length is out of range (${prf} is
 * then undefined).
 */
SEEN_MUST_CHECK int seen_tokens_keyed_prf(const struct seen_tokenizer *tk,
    const struct seen_prf_input *in, size_t n,
    uint8_t (*prf)[SEEN_PRF_OUTPUT]);

/**
 * seen_tokens_finish(in, n, prf, out):
 * Write to ${out} (room for ${n} items of SEEN_TOKEN_ITEM bytes) the
 * tokens of the ${n} inputs ${in}, whose PRF outputs are ${prf}[0 ..
 * n-1] (the first SEEN_PRF_OUTPUT bytes of each): each the rule byte,
 * the first SEEN_TOKEN_MATCH bytes of its output and zeros, sorted and
 * without duplicates.  Returns the number of tokens written.
 */
size_t seen_tokens_finish(const struct seen_prf_input *in, size_t n,
    const uint8_t (*prf)[SEEN_PRF_OUTPUT], uint8_t *out);


/*
 * The input of the OPRF (RFC 9497, ristretto255-SHA512, OPRF mode) for
 * one token of an OPRF epoch: "seen-token-v1" (13 bytes) || epoch (4
 * bytes, big-endian) || rule (1 byte) || the PRF input's bytes.  The
 * token's PRF output is the first SEEN_PRF_OUTPUT bytes of the OPRF's
 * 64-byte output.
 */
#define SEEN_TOKEN_OPRF_DOMAIN "seen-token-v1"
#define SEEN_TOKEN_OPRF_PREFIX 18
#define SEEN_TOKEN_OPRF_INPUT_MAX (SEEN_TOKEN_OPRF_PREFIX + SEEN_PRF_INPUT_MAX)

/**
 * seen_token_oprf_input(epoch, rule, bytes, len, buf, cap):
 * Write to ${buf} (${cap} bytes) the OPRF input of the token of ${rule}
 * over the ${len} bytes ${bytes} in ${epoch}, as above.  Returns its
 * length; 0 when ${cap} is too small (${buf} untouched).
 */
size_t seen_token_oprf_input(uint32_t epoch, unsigned int rule,
    const uint8_t *bytes, size_t len, uint8_t *buf, size_t cap);

/**
 * seen_bloom_make(tk, in, out):
 * Write the hardened Bloom filter of ${in}'s given and family names to
 * ${out}: the bigrams of " GIVEN FAMILY " each set SEEN_BLOOM_K bits
 * chosen by SipHash-2-4 under the Bloom subkey.  All zero when there is
 * no name, and always under SEEN_TOKENS_OPRF (an OPRF epoch has no
 * filter).  Returns the number of bits set.
 */
unsigned int seen_bloom_make(const struct seen_tokenizer *tk,
    const struct seen_token_input *in, uint8_t out[static SEEN_BLOOM_BYTES]);

/**
 * seen_bloom_dice(a, b):
 * Return the Dice coefficient 2|a AND b| / (|a| + |b|) of two filters,
 * 0 when both are empty.
 */
double seen_bloom_dice(const uint8_t a[static SEEN_BLOOM_BYTES],
    const uint8_t b[static SEEN_BLOOM_BYTES]);

/**
 * seen_rule_name(rule):
 * Return a short static name for ${rule} ("nhs", "name_dob"...), or
 * "unknown".
 */
const char *seen_rule_name(unsigned int rule);

/**
 * seen_rule_is_block(rule):
 * Return 1 when ${rule} defines a block (is indexed), else 0.
 */
static inline int
seen_rule_is_block(unsigned int rule)
{
    return rule > 0 && rule < SEEN_RULE_FIELD_BASE;
}

#endif /* !SEEN_TOKENS_H */
