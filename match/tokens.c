#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "crypto/keys.h"
#include "crypto/token.h"
#include "match/common.h"
#include "match/dmetaphone.h"
#include "match/nickname.h"
#include "match/normalise.h"
#include "match/tokens.h"
#include "match/tokens_impl.h"
#include "match/anchored.h"


/**
 * seen_tokenizer_new(match_key, epoch):
 * Derive the subkeys of every rule from ${match_key}, for the encoding
 * SEEN_TOKENS_KEYED.  Returns a new tokenizer in sodium_malloc memory, or
 * NULL (logged).
 */
struct seen_tokenizer *
seen_tokenizer_new(const uint8_t match_key[static 32], uint32_t epoch)
{

    return seen_tokenizer_new_mode(match_key, epoch, SEEN_TOKENS_KEYED);
}

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
struct seen_tokenizer *
seen_tokenizer_new_mode(const uint8_t *match_key, uint32_t epoch,
    enum seen_token_mode mode)
{
    struct seen_tokenizer *tk;
    uint8_t b[32];
    unsigned int r;

    if (mode != SEEN_TOKENS_KEYED && mode != SEEN_TOKENS_OPRF &&
        mode != SEEN_TOKENS_ANCHORED) {
        seen_error("unknown token encoding %d", (int)mode);
        return NULL;
    }
    if ((tk = sodium_malloc(sizeof *tk)) == NULL) {
        seen_error("cannot allocate the tokenizer");
        return NULL;
    }
    sodium_memzero(tk, sizeof *tk);
    tk->epoch = epoch;
    tk->mode = mode;
    if (match_key == NULL)
        return tk;
    tk->keyed = 1;
    for (r = 0; r <= SEEN_RULE_MAX; r++) {
        if (seen_subkey(b, match_key, r, "seentokn") != 0)
            goto err;
        seen_token_key_init(&tk->sub[r], b);
    }
    if (seen_subkey(b, match_key, 1, "seenblom") != 0)
        goto err;
    memcpy(tk->bloom, b, sizeof tk->bloom);
    sodium_memzero(b, sizeof b);
    return tk;
err:
    sodium_memzero(b, sizeof b);
    sodium_free(tk);
    seen_error("cannot derive token subkeys");
    return NULL;
}

/**
 * seen_tokenizer_destroy(&tk):
 * Wipe and free ${tk}.  Sets the caller's pointer to NULL; NULL or a pointer
 * to NULL is a no-op, so it is safe twice.
 */
void
seen_tokenizer_destroy(struct seen_tokenizer **pp)
{
    struct seen_tokenizer *tk;

    if (pp == NULL || (tk = *pp) == NULL)
        return;
    *pp = NULL;

    if (tk != NULL)
        sodium_free(tk);
}

/**
 * seen_tokenizer_epoch(tk):
 * Return the match-key epoch ${tk} was made for.
 */
uint32_t
seen_tokenizer_epoch(const struct seen_tokenizer *tk)
{

    return tk->epoch;
}

/**
 * seen_tokenizer_mode(tk):
 * Return the encoding ${tk} makes.
 */
enum seen_token_mode
seen_tokenizer_mode(const struct seen_tokenizer *tk)
{

    return tk->mode;
}

void
seen_tk_tok(struct tbuf *b, unsigned int rule, const char *const *f, size_t n)
{
    struct seen_prf_input *p;
    size_t i, len;

    for (i = 0; i < n; i++)
        if (f[i] == NULL || f[i][0] == '\0')
            return;
    if (b->n >= b->max)
        return;
    p = &b->out[b->n];
    if ((len = seen_token_encode(p->bytes, sizeof p->bytes, f, n)) == 0)
        return;
    /* Zeros to the end of a block: seen_tokens_keyed_prf compresses it
     * where it is. */
    if (len < SEEN_TOKEN_BLOCK)
        memset(p->bytes + len, 0, SEEN_TOKEN_BLOCK - len);
    p->rule = (uint8_t)rule;
    p->len = (uint8_t)len;
    b->n++;
}

/* Order token items by their bytes (for qsort). */
static int
item_cmp(const void *a, const void *b)
{

    return memcmp(a, b, SEEN_TOKEN_ITEM);
}

/* First word of a normalised name. */
static void
first_word(const char *norm, char out[static SEEN_NAME_MAX])
{
    size_t i;

    for (i = 0; norm[i] != '\0' && norm[i] != ' ' && i < SEEN_NAME_MAX - 1;
         i++)
        out[i] = norm[i];
    out[i] = '\0';
}

/* The primary Double Metaphone code of ${s} into ${out}; "" if none. */
static void
phon(const char *s, char out[static SEEN_DMETAPHONE_MAX + 1])
{
    char alt[SEEN_DMETAPHONE_MAX + 1];

    if (s[0] == '\0' || seen_dmetaphone(s, out, alt) != 0)
        out[0] = '\0';
}

void
seen_tk_fields(const struct seen_token_input *in, struct tfields *f)
{
    char gnorm[SEEN_NAME_MAX], fnorm[SEEN_NAME_MAX];
    int y, m, d;

    f->given[0] = f->gph[0] = f->fph[0] = '\0';
    f->nheads = f->nvar = 0;
    f->fam = "";
    f->family[0] = '\0';
    f->dob[0] = f->yob[0] = f->md[0] = f->bmonth[0] = f->due[0] = '\0';
    f->sex[0] = f->sex[1] = '\0';
    f->addr = in->shielded ? "" : (in->district ? in->district : "");
    f->pc = in->shielded ? "" : (in->postcode ? in->postcode : "");
    if (in->given && seen_norm_name(in->given, gnorm) == 0) {
        first_word(gnorm, f->given);
        phon(f->given, f->gph);
        f->nheads = seen_nickname_groups(f->given, f->heads, NICK_MAX);
    }
    if (in->family && seen_norm_name(in->family, fnorm) == 0) {
        f->nvar = seen_name_variants(fnorm, f->var, VARIANTS_MAX);
        if (f->nvar > 0) {
            f->fam = f->var[0];
            memcpy(f->family, f->var[0], SEEN_NAME_MAX);
            phon(f->fam, f->fph);
        }
    }
    if (in->has_dob) {
        seen_date_format(in->dob, f->dob);
        seen_date_ymd(in->dob, &y, &m, &d);
        snprintf(f->yob, sizeof f->yob, "%04d", y);
        snprintf(
            f->md, sizeof f->md, "%02d-%02d", m < d ? m : d, m < d ? d : m);
        snprintf(f->bmonth, sizeof f->bmonth, "%04d-%02d", y, m);
    }
    if (in->has_due) {
        seen_date_format(in->due, f->due);
        seen_date_ymd(in->due, &y, &m, &d);
        snprintf(f->bmonth, sizeof f->bmonth, "%04d-%02d", y, m);
    }
    if (in->sex == 'F' || in->sex == 'M' || in->sex == 'X')
        f->sex[0] = in->sex;
}

/*
 * Add the blocking tokens of ${in}, whose fields are ${f}, to ${b}.
 * The variants of ${in}'s other names are made in f->var, over the family
 * name's, so afterwards f->fam (f->var[0]) holds the last other name's
 * first variant, and field_tokens() makes the family-name field tokens
 * from that, not from the family name.  That looks unintended, but the
 * tokens stored in every index depend on it: changing it changes the
 * token format, which a refactoring must not.
 */
void
seen_tk_variants(struct tfields *f, const struct seen_token_input *in,
    void (*fn)(void *ctx, const char *v), void *ctx)
{
    char onorm[SEEN_NAME_MAX];
    size_t i, j, nov;

    for (i = 0; i < f->nvar; i++)
        fn(ctx, f->var[i]);
    for (i = 0; i < in->n_other_names; i++) {
        if (in->other_names[i] == NULL ||
            seen_norm_name(in->other_names[i], onorm) != 0)
            continue;
        nov = seen_name_variants(onorm, f->var, VARIANTS_MAX);
        for (j = 0; j < nov; j++)
            fn(ctx, f->var[j]);
    }
}

/* The token of VARIANT_DOB for variant ${v} (a seen_tk_variants fn). */
struct variant_tok {
    struct tbuf *b;
    const char *dob;
};

static void
variant_tok(void *ctx, const char *v)
{
    struct variant_tok *vt = ctx;

    TOK(vt->b, SEEN_RULE_VARIANT_DOB, v, vt->dob);
}

static void
blocking_tokens(
    struct tbuf *b, struct tfields *f, const struct seen_token_input *in)
{
    struct variant_tok vt = {b, f->dob};
    const char *lo, *hi;
    size_t i;

    TOK(b, SEEN_RULE_NHS, in->nhs);
    TOK(b, SEEN_RULE_PNC, in->pnc);
    TOK(b, SEEN_RULE_UPN, in->upn);
    TOK(b, SEEN_RULE_NAME_DOB, f->fam, f->given, f->dob);
    TOK(b, SEEN_RULE_PHON_DOB, f->fph, f->dob);
    TOK(b, SEEN_RULE_NAME_YOB_DIST, f->given, f->fam, f->yob, f->addr);
    for (i = 0; i < f->nheads; i++)
        TOK(b, SEEN_RULE_NICK_DOB, f->heads[i], f->fam, f->dob);
    lo = strcmp(f->given, f->fam) < 0 ? f->given : f->fam;
    hi = lo == f->given ? f->fam : f->given;
    TOK(b, SEEN_RULE_SWAP_DOB, lo, hi, f->dob);
    TOK(b, SEEN_RULE_DMSWAP, f->fam, f->given, f->yob, f->md);
    TOK(b, SEEN_RULE_FAMILY_MONTH, f->fph, f->bmonth);
    TOK(b, SEEN_RULE_PHON_NAMES, f->gph, f->fph);
    seen_tk_variants(f, in, variant_tok, &vt);
    TOK(b, SEEN_RULE_GIVEN_DOB, f->gph, f->dob, f->addr);
    TOK(b, SEEN_RULE_PHON_NAME_DOB, f->gph, f->dob);
    TOK(b, SEEN_RULE_PHON_NAME_DOB, f->fph, f->dob);
}

/* Add the field tokens of the fields ${f} to ${b}. */
static void
field_tokens(struct tbuf *b, const struct tfields *f)
{
    size_t i;

    TOK(b, SEEN_RULE_F_GIVEN, f->given);
    TOK(b, SEEN_RULE_F_FAMILY, f->fam);
    TOK(b, SEEN_RULE_F_DOB, f->dob);
    TOK(b, SEEN_RULE_F_YOB, f->yob);
    TOK(b, SEEN_RULE_F_POSTCODE, f->pc);
    TOK(b, SEEN_RULE_F_DISTRICT, f->addr);
    TOK(b, SEEN_RULE_F_SEX, f->sex);
    TOK(b, SEEN_RULE_F_GIVEN_PHON, f->gph);
    TOK(b, SEEN_RULE_F_FAMILY_PHON, f->fph);
    for (i = 0; i < f->nheads; i++)
        TOK(b, SEEN_RULE_F_NICK, f->heads[i]);
    TOK(b, SEEN_RULE_F_DUE, f->due);
    TOK(b, SEEN_RULE_F_MONTHDAY, f->md);
    TOK(b, SEEN_RULE_F_NAME, f->given);
    TOK(b, SEEN_RULE_F_NAME, f->fam);
    /* How common the names are: a coarse class, the same for everyone
     * with that name (match/common.h). */
    if (seen_name_commonness(f->given) >= 1)
        TOK(b, SEEN_RULE_F_GIVEN_COMMON, "common");
    if (seen_name_commonness(f->given) >= 2)
        TOK(b, SEEN_RULE_F_GIVEN_VCOMMON, "very common");
    if (seen_name_commonness(f->fam) >= 1)
        TOK(b, SEEN_RULE_F_FAMILY_COMMON, "common");
    if (seen_name_commonness(f->fam) >= 2)
        TOK(b, SEEN_RULE_F_FAMILY_VCOMMON, "very common");
}

/* ${x} divided by ${w} (> 0), rounded down (C's '/' rounds towards 0). */
static int32_t
floor_div(int32_t x, int32_t w)
{

    return x >= 0 ? x / w : -(int32_t)((-(int64_t)x + w - 1) / w);
}

/*
 * Add to ${b} the two window tokens of ${rule} for the date ${days}: the
 * window of ${width} days that holds it, counted from day 0 and from day
 * ${width}/2, each with its offset among the fields.  Two dates less than
 * ${width}/2 days apart share at least one token; two ${width} or more
 * apart share none.  ${fam} is a first field (NULL for none).
 */
/* ${v} in decimal, '-' before a negative one, as printf's "%ld" writes
 * it (without printf, whose cost an import noticed). */
static void
decimal(char out[static 16], int32_t v)
{
    char rev[16];
    uint32_t u = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
    size_t n = 0, i = 0;

    do
        rev[n++] = (char)('0' + u % 10);
    while ((u /= 10) > 0);
    if (v < 0)
        out[i++] = '-';
    while (n > 0)
        out[i++] = rev[--n];
    out[i] = '\0';
}

void
seen_tk_window(char out[static 16], int32_t days, int32_t width, int i)
{

    decimal(out, floor_div(days + i * (width / 2), width));
}

static void
window_tokens(struct tbuf *b, unsigned int rule, const char *fam,
    int32_t days, int32_t width)
{
    static const char *const offs[2] = {"0", "1"};
    char k[16];
    int i;

    for (i = 0; i < 2; i++) {
        seen_tk_window(k, days, width, i);
        if (fam != NULL)
            TOK(b, rule, fam, offs[i], k);
        else
            TOK(b, rule, offs[i], k);
    }
}

void
seen_tk_sorted_digits(const char *ymd, char out[static 9])
{
    size_t i, n = 0;
    int c;

    for (c = '0'; c <= '9'; c++)
        for (i = 0; ymd[i] != '\0' && n < 8; i++)
            if (ymd[i] == c)
                out[n++] = (char)c;
    out[n] = '\0';
}

/*
 * Add the tokens of dates written wrong (docs/protocol.md, rules 15, 16,
 * 49, 50, 51): last, so that an entry at the SEEN_TOKENS_MAX limit loses
 * these and never one of the older rules.
 */
static void
date_tokens(
    struct tbuf *b, const struct tfields *f, const struct seen_token_input *in)
{
    char digits[9];

    if (in->has_dob) {
        window_tokens(b, SEEN_RULE_F_DOB_NEAR, NULL, in->dob, 2);
        seen_tk_sorted_digits(f->dob, digits);
        TOK(b, SEEN_RULE_F_DOB_DIGITS, digits);
        TOK(b, SEEN_RULE_FAMILY_MD, f->fph, f->md);
        window_tokens(b, SEEN_RULE_F_DOB_YEARS, NULL, in->dob, 732);
    }
    if (f->fph[0] == '\0')
        return;
    if (in->has_dob)
        window_tokens(b, SEEN_RULE_FAMILY_WINDOW, f->fph, in->dob, 32);
    if (in->has_due)
        window_tokens(b, SEEN_RULE_FAMILY_WINDOW, f->fph, in->due, 32);
}

/* The first 8 bytes of item ${p} as a number that sorts as they do. */
static uint64_t
item_head(const uint8_t *p)
{
    uint64_t h = 0;
    size_t i;

    for (i = 0; i < 8; i++)
        h = h << 8 | p[i];
    return h;
}

/*
 * Sort the ${n} (at most SEEN_TOKENS_MAX) items of ${out} by their bytes,
 * by insertion on their first 8 bytes as a number (memcmp only where
 * those agree): qsort's calls of memcmp cost an import more than the
 * sorting itself.  ${tmp} holds ${n} items.
 */
static void
sort_items(uint8_t *out, size_t n, uint8_t *tmp)
{
    struct {
        uint64_t head;
        size_t at;
    } v[SEEN_TOKENS_MAX], x;
    size_t i, j;

    for (i = 0; i < n; i++) {
        x.head = item_head(out + i * SEEN_TOKEN_ITEM);
        x.at = i;
        for (j = i; j > 0 && (v[j - 1].head > x.head ||
                                 (v[j - 1].head == x.head &&
                                     item_cmp(out + v[j - 1].at *
                                                        SEEN_TOKEN_ITEM,
                                         out + i * SEEN_TOKEN_ITEM) > 0));
             j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
    for (i = 0; i < n; i++)
        memcpy(tmp + i * SEEN_TOKEN_ITEM, out + v[i].at * SEEN_TOKEN_ITEM,
            SEEN_TOKEN_ITEM);
    memcpy(out, tmp, n * SEEN_TOKEN_ITEM);
}

/* Sort the ${n} items of ${out} and drop duplicates; return how many stay. */
size_t
seen_tk_sort_unique(uint8_t *out, size_t n)
{
    uint8_t tmp[SEEN_TOKENS_MAX * SEEN_TOKEN_ITEM];
    size_t i, k;

    if (n <= SEEN_TOKENS_MAX)
        sort_items(out, n, tmp);
    else
        qsort(out, n, SEEN_TOKEN_ITEM, item_cmp);
    sodium_memzero(tmp, sizeof tmp);
    for (i = 0, k = 0; i < n; i++) {
        if (k > 0 && memcmp(out + (k - 1) * SEEN_TOKEN_ITEM,
                         out + i * SEEN_TOKEN_ITEM, SEEN_TOKEN_ITEM) == 0)
            continue;
        if (k != i)
            memmove(out + k * SEEN_TOKEN_ITEM, out + i * SEEN_TOKEN_ITEM,
                SEEN_TOKEN_ITEM);
        k++;
    }
    return k;
}

/*
 * Add to ${b} the inputs of ${rule} for the name ${name}: the name itself
 * and each string it gives less one of its letters, so that two names
 * one substitution, insertion, deletion or transposition of neighbours
 * apart share one (MARY and MARRY share MARY; MARY and MRAY share MRY).
 * Only names of NEAR_MIN to NEAR_MAX letters.  A shorter name would give
 * strings of one or two letters, few enough (26, 676) that asking the
 * OPRF for all of them would be cheaper than guessing names, and would
 * then tell every short name; a string of three letters or more is one
 * of 17,576 or more, more than the names of that length.  A longer name
 * would cost more inputs than it is worth.
 */
#define NEAR_MIN 4
#define NEAR_MAX 12

size_t
seen_tk_near(const char *name, char out[][SEEN_NAME_MAX])
{
    size_t len = strlen(name), i, n = 0;

    if (len < NEAR_MIN || len > NEAR_MAX)
        return 0;
    memcpy(out[n++], name, len + 1);
    for (i = 0; i < len; i++) {
        /* A doubled letter gives the same string twice: once. */
        if (i > 0 && name[i] == name[i - 1])
            continue;
        memcpy(out[n], name, i);
        memcpy(out[n] + i, name + i + 1, len - i);
        n++;
    }
    return n;
}

static void
near_tokens(struct tbuf *b, unsigned int rule, const char *name)
{
    char d[SEEN_TK_NEAR_MAX][SEEN_NAME_MAX];
    size_t n = seen_tk_near(name, d), i;

    for (i = 0; i < n; i++)
        TOK(b, rule, d[i]);
    sodium_memzero(d, sizeof d);
}

/**
 * seen_tokens_inputs(tk, in, out, max):
 * Write the PRF inputs of ${in} under the encoding of ${tk} to ${out}
 * (${max} inputs, at most SEEN_TOKENS_MAX count), in the order the rules
 * make them: an input may repeat (one person's own inputs are not
 * merged), and when there are more than ${max} the last are left out, as
 * seen_tokens_make leaves them.  Needs no key.  Returns the number
 * written (0 when ${in} has nothing to match on).
 */
size_t
seen_tokens_inputs(const struct seen_tokenizer *tk,
    const struct seen_token_input *in, struct seen_prf_input *out,
    size_t max)
{
    struct tbuf b = {out, 0, max};
    struct tfields f;

    if (tk->mode == SEEN_TOKENS_ANCHORED)
        return seen_tokens_anchored_inputs(in, out, max);
    if (b.max > SEEN_TOKENS_MAX)
        b.max = SEEN_TOKENS_MAX;
    seen_tk_fields(in, &f);
    blocking_tokens(&b, &f, in);
    field_tokens(&b, &f);
    date_tokens(&b, &f, in);
    if (tk->mode == SEEN_TOKENS_OPRF) {
        near_tokens(&b, SEEN_RULE_F_GIVEN_NEAR, f.given);
        near_tokens(&b, SEEN_RULE_F_FAMILY_NEAR, f.family);
    }
    return b.n;
}

/*
 * The keyed PRF of the ${n} inputs ${in} into ${prf}; ${padded} when the
 * inputs are tok()'s, zero to the end of a block, so that a one-block
 * input is compressed where it is.
 */
static int
keyed_prf(const struct seen_tokenizer *tk, const struct seen_prf_input *in,
    size_t n, uint8_t (*prf)[SEEN_PRF_OUTPUT], int padded)
{
    const struct seen_token_key *k;
    size_t i;
    int r;

    if (!tk->keyed)
        return SEEN_EINVAL;
    for (i = 0; i < n; i++) {
        if (in[i].rule > SEEN_RULE_MAX || in[i].len > SEEN_PRF_INPUT_MAX)
            return SEEN_EINVAL;
        k = &tk->sub[in[i].rule];
        memset(prf[i], 0, SEEN_PRF_OUTPUT);
        if (tk->mode == SEEN_TOKENS_ANCHORED)
            /* Standing in for the OPRF's output, slot key included. */
            r = crypto_generichash(prf[i], SEEN_PRF_OUTPUT, in[i].bytes,
                    in[i].len, k->key, sizeof k->key) == 0
                    ? 0
                    : SEEN_EINVAL;
        else if (padded && in[i].len > 0 && in[i].len <= SEEN_TOKEN_BLOCK)
            r = seen_token_keyed_block(prf[i], k, in[i].bytes, in[i].len);
        else
            r = seen_token_keyed_bytes(prf[i], k, in[i].bytes, in[i].len);
        if (r != 0)
            return SEEN_EINVAL;
    }
    return 0;
}

/**
 * seen_tokens_keyed_prf(tk, in, n, prf):
 * The keyed PRF of a keyed epoch (or standing in for the OPRF): write to
 * ${prf}[i] the 16-byte keyed BLAKE2b of ${in}[i] under its rule's
 * subkey, and 16 zeros, for the ${n} inputs ${in} (in the anchored
 * encoding, the 32-byte keyed BLAKE2b, so that anchors have slot keys).  Returns 0; SEEN_EINVAL when ${tk}
 * has no key or an input's rule or length is out of range (${prf} is
 * then undefined).
 */
int
seen_tokens_keyed_prf(const struct seen_tokenizer *tk,
    const struct seen_prf_input *in, size_t n,
    uint8_t (*prf)[SEEN_PRF_OUTPUT])
{

    /* The caller's inputs may not be padded. */
    return keyed_prf(tk, in, n, prf, 0);
}

/**
 * seen_tokens_finish(in, n, prf, out):
 * Write to ${out} (room for ${n} items of SEEN_TOKEN_ITEM bytes) the
 * tokens of the ${n} inputs ${in}, whose PRF outputs are ${prf}[0 ..
 * n-1] (the first SEEN_PRF_OUTPUT bytes of each): each the rule byte,
 * the first SEEN_TOKEN_MATCH bytes of its output and zeros, sorted and
 * without duplicates.  Returns the number of tokens written.
 */
size_t
seen_tokens_finish(const struct seen_prf_input *in, size_t n,
    const uint8_t (*prf)[SEEN_PRF_OUTPUT], uint8_t *out)
{
    uint8_t *p;
    size_t i;

    for (i = 0; i < n; i++) {
        p = out + i * SEEN_TOKEN_ITEM;
        p[0] = in[i].rule;
        /* Only the first SEEN_TOKEN_MATCH bytes count (match/tokens.h). */
        memcpy(p + 1, prf[i], SEEN_TOKEN_MATCH);
        memset(p + 1 + SEEN_TOKEN_MATCH, 0,
            SEEN_TOKEN_ITEM - 1 - SEEN_TOKEN_MATCH);
    }
    return seen_tk_sort_unique(out, n);
}

/**
 * seen_tokens_make(tk, in, out, max):
 * Write the tokens of ${in} to ${out} (${max} items of SEEN_TOKEN_ITEM
 * bytes; at most SEEN_TOKENS_MAX count), sorted and without duplicates:
 * seen_tokens_inputs, seen_tokens_keyed_prf, seen_tokens_finish.
 * Returns the number written (0 when ${in} has nothing to match on, or
 * ${tk} has no key); fields that do not normalise are left out.
 */
size_t
seen_tokens_make(const struct seen_tokenizer *tk,
    const struct seen_token_input *in, uint8_t *out, size_t max)
{
    struct seen_prf_input pin[SEEN_TOKENS_MAX];
    uint8_t prf[SEEN_TOKENS_MAX][SEEN_PRF_OUTPUT];
    uint8_t all[SEEN_TOKENS_MAX * SEEN_TOKEN_ITEM];
    size_t n, i, k = 0;

    if (!tk->keyed)
        return 0;
    n = seen_tokens_inputs(tk, in, pin, max);
    if (keyed_prf(tk, pin, n, prf, 1) != 0)
        k = 0;
    else if (tk->mode != SEEN_TOKENS_ANCHORED)
        k = seen_tokens_finish(pin, n, prf, out);
    else {
        k = seen_tokens_anchored_finish(in, pin, n,
            (const uint8_t(*)[SEEN_PRF_OUTPUT])prf, all);
        if (k > max)
            k = max;
        memcpy(out, all, k * SEEN_TOKEN_ITEM);
    }
    /* The inputs hold names and dates. */
    for (i = 0; i < n; i++)
        sodium_memzero(pin[i].bytes, pin[i].len);
    sodium_memzero(prf, n * sizeof prf[0]);
    return k;
}

/**
 * seen_token_oprf_input(epoch, rule, bytes, len, buf, cap):
 * Write to ${buf} (${cap} bytes) the OPRF input of the token of ${rule}
 * over the ${len} bytes ${bytes} in ${epoch}, as above.  Returns its
 * length; 0 when ${cap} is too small (${buf} untouched).
 */
size_t
seen_token_oprf_input(uint32_t epoch, unsigned int rule,
    const uint8_t *bytes, size_t len, uint8_t *buf, size_t cap)
{
    const size_t dl = sizeof SEEN_TOKEN_OPRF_DOMAIN - 1;

    if (rule > 255 || cap < SEEN_TOKEN_OPRF_PREFIX ||
        len > cap - SEEN_TOKEN_OPRF_PREFIX)
        return 0;
    memcpy(buf, SEEN_TOKEN_OPRF_DOMAIN, dl);
    buf[dl] = (uint8_t)(epoch >> 24);
    buf[dl + 1] = (uint8_t)(epoch >> 16);
    buf[dl + 2] = (uint8_t)(epoch >> 8);
    buf[dl + 3] = (uint8_t)epoch;
    buf[dl + 4] = (uint8_t)rule;
    memcpy(buf + SEEN_TOKEN_OPRF_PREFIX, bytes, len);
    return SEEN_TOKEN_OPRF_PREFIX + len;
}

/**
 * seen_bloom_make(tk, in, out):
 * Write the hardened Bloom filter of ${in}'s given and family names to
 * ${out}: the bigrams of " GIVEN FAMILY " each set SEEN_BLOOM_K bits
 * chosen by SipHash-2-4 under the Bloom subkey.  All zero when there is
 * no name, and always under SEEN_TOKENS_OPRF (an OPRF epoch has no
 * filter).  Returns the number of bits set.
 */
unsigned int
seen_bloom_make(const struct seen_tokenizer *tk,
    const struct seen_token_input *in, uint8_t out[static SEEN_BLOOM_BYTES])
{
    char g[SEEN_NAME_MAX], f[SEEN_NAME_MAX], s[2 * SEEN_NAME_MAX + 4];
    uint8_t h[crypto_shorthash_BYTES];
    uint32_t h1, h2, pos;
    unsigned int bits = 0;
    size_t len, i, k;

    memset(out, 0, SEEN_BLOOM_BYTES);
    /* An OPRF epoch has no filter; a tokenizer without a key, no key. */
    if (tk->mode != SEEN_TOKENS_KEYED || !tk->keyed)
        return 0;
    if (in->given == NULL || seen_norm_name(in->given, g) != 0)
        g[0] = '\0';
    if (in->family == NULL || seen_norm_name(in->family, f) != 0)
        f[0] = '\0';
    if (g[0] == '\0' && f[0] == '\0')
        return 0;
    len = (size_t)snprintf(s, sizeof s, " %s%s%s ", g,
        (g[0] && f[0]) ? " " : "", f);
    if (len >= sizeof s)
        len = sizeof s - 1;
    for (i = 0; i + 1 < len; i++) {
        crypto_shorthash(h, (const uint8_t *)s + i, 2, tk->bloom);
        h1 = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 |
            (uint32_t)h[3] << 24;
        h2 = ((uint32_t)h[4] | (uint32_t)h[5] << 8 | (uint32_t)h[6] << 16 |
                 (uint32_t)h[7] << 24) |
            1;
        for (k = 0; k < SEEN_BLOOM_K; k++) {
            pos = (h1 + (uint32_t)k * h2) % (SEEN_BLOOM_BYTES * 8);
            out[pos >> 3] |= (uint8_t)(1u << (pos & 7));
        }
    }
    for (i = 0; i < SEEN_BLOOM_BYTES; i++)
        bits += (unsigned int)__builtin_popcount(out[i]);
    return bits;
}

/*
 * The Dice coefficient of two filters from the popcounts of their AND and
 * their OR (|a| + |b| = |a OR b| + |a AND b|): two popcounts a word, not
 * three.  Integer counts, then one division, so every build and every
 * instruction set below gives the same double.
 */
static inline __attribute__((always_inline)) double
dice_body(const uint8_t *a, const uint8_t *b)
{
    uint64_t x, y;
    unsigned int both = 0, any = 0;
    size_t i;

    for (i = 0; i < SEEN_BLOOM_BYTES; i += 8) {
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        both += (unsigned int)__builtin_popcountll(x & y);
        any += (unsigned int)__builtin_popcountll(x | y);
    }
    if (any == 0)
        return 0.0;
    return 2.0 * both / (any + both);
}

/* Without a popcount instruction (or under valgrind, which hides it). */
static __attribute__((noinline)) double
dice_plain(const uint8_t *a, const uint8_t *b)
{

    return dice_body(a, b);
}

/*
 * The same code built for the CPU's popcount instructions, chosen at run
 * time: the build itself targets the baseline x86-64, which has none, and
 * __builtin_popcountll would otherwise be a call into libgcc.  With
 * AVX-512 VPOPCNTDQ the compiler vectorises the loop (two 512-bit
 * registers a filter).
 */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define DICE_DISPATCH 1
static __attribute__((target("avx512vpopcntdq"), noinline)) double
dice_avx512(const uint8_t *a, const uint8_t *b)
{

    return dice_body(a, b);
}

static __attribute__((target("popcnt"), noinline)) double
dice_popcnt(const uint8_t *a, const uint8_t *b)
{

    return dice_body(a, b);
}
#endif

/**
 * seen_bloom_dice(a, b):
 * Return the Dice coefficient 2|a AND b| / (|a| + |b|) of two filters,
 * 0 when both are empty.
 */
double
seen_bloom_dice(const uint8_t a[static SEEN_BLOOM_BYTES],
    const uint8_t b[static SEEN_BLOOM_BYTES])
{

#ifdef DICE_DISPATCH
    if (__builtin_cpu_supports("avx512vpopcntdq"))
        return dice_avx512(a, b);
    if (__builtin_cpu_supports("popcnt"))
        return dice_popcnt(a, b);
#endif
    return dice_plain(a, b);
}

/**
 * seen_rule_name(rule):
 * Return a short static name for ${rule} ("nhs", "name_dob"...), or
 * "unknown".
 */
const char *
seen_rule_name(unsigned int rule)
{
    static const char *names[SEEN_RULE_MAX + 1] = {
        [SEEN_RULE_NHS] = "nhs",
        [SEEN_RULE_PNC] = "pnc",
        [SEEN_RULE_UPN] = "upn",
        [SEEN_RULE_NAME_DOB] = "name_dob",
        [SEEN_RULE_PHON_DOB] = "phonetic_family_dob",
        [SEEN_RULE_NAME_YOB_DIST] = "name_yob_district",
        [SEEN_RULE_NICK_DOB] = "nickname_dob",
        [SEEN_RULE_SWAP_DOB] = "swapped_names_dob",
        [SEEN_RULE_DMSWAP] = "day_month_swap",
        [SEEN_RULE_FAMILY_MONTH] = "family_birth_month",
        [SEEN_RULE_PHON_NAMES] = "phonetic_names",
        [SEEN_RULE_VARIANT_DOB] = "family_variant_dob",
        [SEEN_RULE_GIVEN_DOB] = "phonetic_given_dob_district",
        [SEEN_RULE_PHON_NAME_DOB] = "phonetic_name_dob",
        [SEEN_RULE_FAMILY_WINDOW] = "family_date_window",
        [SEEN_RULE_FAMILY_MD] = "family_month_day",
        [SEEN_RULE_FAMILY_WINDOW1] = "family_date_window_1",
        [SEEN_RULE_F_GIVEN] = "given",
        [SEEN_RULE_F_FAMILY] = "family",
        [SEEN_RULE_F_DOB] = "dob",
        [SEEN_RULE_F_YOB] = "yob",
        [SEEN_RULE_F_POSTCODE] = "postcode",
        [SEEN_RULE_F_DISTRICT] = "district",
        [SEEN_RULE_F_SEX] = "sex",
        [SEEN_RULE_F_GIVEN_PHON] = "given_phonetic",
        [SEEN_RULE_F_FAMILY_PHON] = "family_phonetic",
        [SEEN_RULE_F_NICK] = "nickname",
        [SEEN_RULE_F_DUE] = "due_date",
        [SEEN_RULE_F_MONTHDAY] = "dob_month_day",
        [SEEN_RULE_F_NAME] = "name",
        [SEEN_RULE_F_GIVEN_COMMON] = "given_common",
        [SEEN_RULE_F_GIVEN_VCOMMON] = "given_very_common",
        [SEEN_RULE_F_FAMILY_COMMON] = "family_common",
        [SEEN_RULE_F_FAMILY_VCOMMON] = "family_very_common",
        [SEEN_RULE_F_DOB_NEAR] = "dob_within_a_day",
        [SEEN_RULE_F_DOB_DIGITS] = "dob_digits",
        [SEEN_RULE_F_DOB_YEARS] = "dob_within_a_year",
        [SEEN_RULE_F_GIVEN_NEAR] = "given_one_edit",
        [SEEN_RULE_F_FAMILY_NEAR] = "family_one_edit",
    };

    if (rule > SEEN_RULE_MAX || names[rule] == NULL)
        return "unknown";
    return names[rule];
}
