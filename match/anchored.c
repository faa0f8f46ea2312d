/*
 * anchored.c: the anchored encoding (anchored.h).
 */
#include <sodium.h>
#include <string.h>

#include "crypto/token.h"
#include "match/anchored.h"
#include "match/common.h"
#include "match/normalise.h"
#include "match/tokens.h"
#include "match/tokens_impl.h"

/* The columns of each slot: what two entries sharing its anchor compare
 * that the anchor does not already say. */
static const struct seen_slot_col cols_f[] = {
    {SEEN_RULE_F_GIVEN, SEEN_COL_ONE},
    {SEEN_RULE_F_GIVEN_PHON, SEEN_COL_ONE},
    {SEEN_RULE_F_FAMILY, SEEN_COL_ONE},
    {SEEN_RULE_F_POSTCODE, SEEN_COL_ONE},
    {SEEN_RULE_F_DISTRICT, SEEN_COL_ONE},
    {SEEN_RULE_F_SEX, SEEN_COL_ONE},
    {SEEN_RULE_F_DUE, SEEN_COL_ONE},
    {SEEN_RULE_F_NICK, SEEN_COL_SET},
    {SEEN_RULE_F_GIVEN_NEAR, SEEN_COL_SET},
    {SEEN_RULE_F_FAMILY_NEAR, SEEN_COL_SET},
};
static const struct seen_slot_col cols_g[] = {
    {SEEN_RULE_F_FAMILY, SEEN_COL_ONE},
    {SEEN_RULE_F_FAMILY_PHON, SEEN_COL_ONE},
    {SEEN_RULE_F_GIVEN, SEEN_COL_ONE},
    {SEEN_RULE_F_POSTCODE, SEEN_COL_ONE},
    {SEEN_RULE_F_DISTRICT, SEEN_COL_ONE},
    {SEEN_RULE_F_SEX, SEEN_COL_ONE},
    {SEEN_RULE_F_DUE, SEEN_COL_ONE},
    {SEEN_RULE_F_NICK, SEEN_COL_SET},
    {SEEN_RULE_F_FAMILY_NEAR, SEEN_COL_SET},
};
/* N: the dates, for entries whose dates differ. */
static const struct seen_slot_col cols_n[] = {
    {SEEN_RULE_F_GIVEN, SEEN_COL_ONE},
    {SEEN_RULE_F_FAMILY, SEEN_COL_ONE},
    {SEEN_RULE_F_DOB, SEEN_COL_ONE},
    {SEEN_RULE_F_YOB, SEEN_COL_ONE},
    {SEEN_RULE_F_MONTHDAY, SEEN_COL_ONE},
    {SEEN_RULE_F_DUE, SEEN_COL_ONE},
    {SEEN_RULE_F_DOB_DIGITS, SEEN_COL_ONE},
    {SEEN_RULE_F_POSTCODE, SEEN_COL_ONE},
    {SEEN_RULE_F_DISTRICT, SEEN_COL_ONE},
    {SEEN_RULE_F_SEX, SEEN_COL_ONE},
    {SEEN_RULE_F_NAME, SEEN_COL_TWO},
    {SEEN_RULE_F_DOB_NEAR, SEEN_COL_TWO},
    {SEEN_RULE_F_DOB_YEARS, SEEN_COL_TWO},
    {SEEN_RULE_FAMILY_WINDOW, SEEN_COL_TWO},
    {SEEN_RULE_F_NICK, SEEN_COL_SET},
};
static const struct seen_slot_col cols_s[] = {
    {SEEN_RULE_F_GIVEN, SEEN_COL_ONE},
    {SEEN_RULE_F_FAMILY, SEEN_COL_ONE},
    {SEEN_RULE_F_POSTCODE, SEEN_COL_ONE},
    {SEEN_RULE_F_DISTRICT, SEEN_COL_ONE},
    {SEEN_RULE_F_SEX, SEEN_COL_ONE},
    {SEEN_RULE_F_NAME, SEEN_COL_TWO},
};
/* W0 and W1: the dates and the given name, for a date written wrong, an
 * unborn child and the child born, and a given name that differs. */
static const struct seen_slot_col cols_w[] = {
    {SEEN_RULE_F_GIVEN, SEEN_COL_ONE},
    {SEEN_RULE_F_GIVEN_PHON, SEEN_COL_ONE},
    {SEEN_RULE_F_FAMILY, SEEN_COL_ONE},
    {SEEN_RULE_F_DOB, SEEN_COL_ONE},
    {SEEN_RULE_F_YOB, SEEN_COL_ONE},
    {SEEN_RULE_F_MONTHDAY, SEEN_COL_ONE},
    {SEEN_RULE_F_DUE, SEEN_COL_ONE},
    {SEEN_RULE_F_DOB_DIGITS, SEEN_COL_ONE},
    {SEEN_RULE_F_POSTCODE, SEEN_COL_ONE},
    {SEEN_RULE_F_DISTRICT, SEEN_COL_ONE},
    {SEEN_RULE_F_SEX, SEEN_COL_ONE},
    {SEEN_RULE_F_NAME, SEEN_COL_TWO},
    {SEEN_RULE_F_DOB_NEAR, SEEN_COL_TWO},
    {SEEN_RULE_F_DOB_YEARS, SEEN_COL_TWO},
    {SEEN_RULE_FAMILY_WINDOW, SEEN_COL_TWO},
    {SEEN_RULE_F_NICK, SEEN_COL_SET},
};

static const struct {
    unsigned int anchor;
    const struct seen_slot_col *cols;
    size_t ncols;
} slots[SEEN_SLOTS] = {
    [SEEN_SLOT_F] = {SEEN_RULE_PHON_DOB, cols_f, sizeof cols_f / sizeof cols_f[0]},
    [SEEN_SLOT_G] = {SEEN_RULE_PHON_NAME_DOB, cols_g, sizeof cols_g / sizeof cols_g[0]},
    [SEEN_SLOT_N] = {SEEN_RULE_PHON_NAMES, cols_n, sizeof cols_n / sizeof cols_n[0]},
    [SEEN_SLOT_S] = {SEEN_RULE_SWAP_DOB, cols_s, sizeof cols_s / sizeof cols_s[0]},
    [SEEN_SLOT_W0] = {SEEN_RULE_FAMILY_WINDOW, cols_w,
        sizeof cols_w / sizeof cols_w[0]},
    [SEEN_SLOT_W1] = {SEEN_RULE_FAMILY_WINDOW1, cols_w,
        sizeof cols_w / sizeof cols_w[0]},
};

enum seen_slot
seen_slot_of_anchor(unsigned int rule)
{
    unsigned int s;

    for (s = 0; s < SEEN_SLOTS; s++)
        if (slots[s].anchor == rule)
            return (enum seen_slot)s;
    return SEEN_SLOTS;
}

int
seen_slot_implied(enum seen_slot slot, unsigned int rule)
{
    int dates = rule == SEEN_RULE_F_DOB || rule == SEEN_RULE_F_YOB ||
                rule == SEEN_RULE_F_MONTHDAY || rule == SEEN_RULE_F_DOB_NEAR ||
                rule == SEEN_RULE_F_DOB_DIGITS ||
                rule == SEEN_RULE_F_DOB_YEARS;

    switch (slot) {
    case SEEN_SLOT_F:
        return dates || rule == SEEN_RULE_F_FAMILY_PHON ||
               rule == SEEN_RULE_FAMILY_WINDOW;
    case SEEN_SLOT_G:
        return dates || rule == SEEN_RULE_F_GIVEN_PHON;
    case SEEN_SLOT_N:
        return rule == SEEN_RULE_F_GIVEN_PHON ||
               rule == SEEN_RULE_F_FAMILY_PHON;
    case SEEN_SLOT_S:
        return dates;
    case SEEN_SLOT_W0:
    case SEEN_SLOT_W1:
        return rule == SEEN_RULE_F_FAMILY_PHON;
    default:
        return 0;
    }
}

/* Find where each column of slot ${s}'s vector in ${v} starts, and how
 * many values it has (a column of kind one or two counts its values
 * that are not zero: they are then its first ones). */
static void
columns_of(struct seen_slot_view *v, unsigned int s)
{
    const struct seen_slot_col *cols = slots[s].cols;
    const uint16_t *vec = v->vec[s];
    size_t c, k, at = 0, n;

    for (c = 0; c < slots[s].ncols && at < SEEN_SLOT_VEC; c++) {
        n = 0;
        if (cols[c].kind == SEEN_COL_SET) {
            v->at[s][cols[c].rule] = (uint8_t)at;
            while (at < SEEN_SLOT_VEC && vec[at] != 0) {
                at++;
                n++;
            }
            at++; /* its end */
        } else {
            /* Compacted: a zero (absent) value of a pair is left out. */
            for (k = 0; k < cols[c].kind && at + k < SEEN_SLOT_VEC; k++)
                if (vec[at + k] != 0)
                    v->vec[s][at + n++] = vec[at + k];
            v->at[s][cols[c].rule] = (uint8_t)at;
            at += cols[c].kind;
        }
        v->n[s][cols[c].rule] = (int8_t)n;
    }
}

int
seen_slot_read(const uint8_t *tokens, size_t n, size_t item,
    struct seen_slot_view *v)
{
    const uint8_t *t;
    unsigned int r, s, c, k;
    enum seen_slot a;
    size_t i;

    memset(v, 0, sizeof *v);
    for (i = 0; i < n; i++) {
        t = tokens + i * item;
        r = t[0];
        if ((a = seen_slot_of_anchor(r)) != SEEN_SLOTS) {
            /* One anchor a slot: a second of rule 14 (an entry of the
             * other encodings) is not one. */
            if (v->anchor[a] == NULL) {
                v->anchor[a] = t;
                v->present |= 1u << a;
            }
            continue;
        }
        if (r < SEEN_SLOT_RULE_BASE ||
            r >= SEEN_SLOT_RULE_BASE + SEEN_SLOTS * SEEN_SLOT_CHUNKS)
            continue;
        v->any = 1;
        s = (r - SEEN_SLOT_RULE_BASE) / SEEN_SLOT_CHUNKS;
        c = (r - SEEN_SLOT_RULE_BASE) % SEEN_SLOT_CHUNKS;
        for (k = 0; k < SEEN_SLOT_PER_ITEM; k++)
            v->vec[s][c * SEEN_SLOT_PER_ITEM + k] =
                (uint16_t)(t[1 + 2 * k] << 8 | t[2 + 2 * k]);
    }
    if (!v->any)
        v->present = 0;
    memset(v->n, -1, sizeof v->n);
    for (s = 0; s < SEEN_SLOTS; s++)
        if (v->present >> s & 1u)
            columns_of(v, s);
    return v->any;
}

int
seen_slot_values(const struct seen_slot_view *v, enum seen_slot slot,
    unsigned int rule, const uint16_t **out)
{

    if (slot >= SEEN_SLOTS || rule > SEEN_RULE_MAX ||
        !(v->present >> slot & 1u) || v->n[slot][rule] < 0)
        return -1;
    *out = v->vec[slot] + v->at[slot][rule];
    return v->n[slot][rule];
}


/* ---- Making the encoding ---- */

size_t
seen_tokens_anchored_inputs(const struct seen_token_input *in,
    struct seen_prf_input *out, size_t max)
{
    struct tbuf b = {out, 0, max};
    struct tfields f;
    const char *lo, *hi;
    char k[16];
    int32_t when;

    if (b.max > SEEN_TOKENS_MAX)
        b.max = SEEN_TOKENS_MAX;
    seen_tk_fields(in, &f);
    TOK(&b, SEEN_RULE_NHS, in->nhs);
    TOK(&b, SEEN_RULE_PNC, in->pnc);
    TOK(&b, SEEN_RULE_UPN, in->upn);
    TOK(&b, SEEN_RULE_PHON_DOB, f.fph, f.dob);
    TOK(&b, SEEN_RULE_PHON_NAME_DOB, f.gph, f.dob);
    TOK(&b, SEEN_RULE_PHON_NAMES, f.gph, f.fph);
    lo = strcmp(f.given, f.family) < 0 ? f.given : f.family;
    hi = lo == f.given ? f.family : f.given;
    TOK(&b, SEEN_RULE_SWAP_DOB, lo, hi, f.dob);
    if (in->has_dob || in->has_due) {
        when = in->has_dob ? in->dob : in->due;
        seen_tk_window(k, when, 32, 0);
        TOK(&b, SEEN_RULE_FAMILY_WINDOW, f.fph, "0", k);
        seen_tk_window(k, when, 32, 1);
        TOK(&b, SEEN_RULE_FAMILY_WINDOW1, f.fph, "1", k);
    }
    sodium_memzero(&f, sizeof f);
    return b.n;
}

/* What the items of one person are built in. */
struct abuf {
    uint8_t *out;   /* SEEN_TOKENS_MAX items of SEEN_TOKEN_ITEM bytes */
    size_t n;
    const uint8_t *key[SEEN_SLOTS]; /* each slot's key, or NULL */
    uint16_t vec[SEEN_SLOT_VEC];    /* the slot vector being made */
    size_t nvec;
};

/* The next item of ${b} with rule ${rule} and its 16 bytes zero, or NULL
 * when ${b} holds SEEN_TOKENS_MAX already. */
static uint8_t *
item(struct abuf *b, unsigned int rule)
{
    uint8_t *p;

    if (b->n >= SEEN_TOKENS_MAX)
        return NULL;
    p = b->out + b->n++ * SEEN_TOKEN_ITEM;
    memset(p, 0, SEEN_TOKEN_ITEM);
    p[0] = (uint8_t)rule;
    return p;
}

/* The keyed BLAKE2b-128 under slot key ${key} of rule byte ${rule} and
 * the encoding of the ${n} fields ${f} into ${h}; -1 when a field is
 * empty or the encoding does not fit. */
static int
derive(const uint8_t *key, unsigned int rule, const char *const *f, size_t n,
    uint8_t h[16])
{
    uint8_t buf[1 + SEEN_PRF_INPUT_MAX];
    size_t i, len;

    for (i = 0; i < n; i++)
        if (f[i] == NULL || f[i][0] == '\0')
            return -1;
    buf[0] = (uint8_t)rule;
    if ((len = seen_token_encode(buf + 1, sizeof buf - 1, f, n)) == 0)
        return -1;
    crypto_generichash(h, 16, buf, 1 + len, key, SEEN_SLOT_KEY);
    sodium_memzero(buf, 1 + len);
    return 0;
}

/* Add the derived block of ${rule} over ${f} under slot ${s}'s key. */
static void
block(struct abuf *b, enum seen_slot s, unsigned int rule,
    const char *const *f, size_t n)
{
    uint8_t h[16], *p;

    if (b->key[s] == NULL || b->n >= SEEN_TOKENS_MAX ||
        derive(b->key[s], rule, f, n, h) != 0)
        return;
    p = item(b, rule);
    memcpy(p + 1, h, SEEN_TOKEN_MATCH);
    sodium_memzero(h, sizeof h);
}

#define BLOCK(b, s, rule, ...)                                                \
    do {                                                                      \
        const char *f_[] = {__VA_ARGS__};                                     \
        block(b, s, rule, f_, sizeof f_ / sizeof f_[0]);                      \
    } while (0)

/* Append to the vector of slot ${s} the hash of ${rule}'s value ${f}, or
 * a zero (absent) when it is empty. */
static void
hv(struct abuf *b, enum seen_slot s, unsigned int rule, const char *const *f,
    size_t n)
{
    uint8_t h[16];
    uint16_t v = 0;

    if (b->nvec >= SEEN_SLOT_VEC)
        return;
    if (derive(b->key[s], rule, f, n, h) == 0) {
        v = (uint16_t)(h[0] << 8 | h[1]);
        if (v == 0)
            v = 1; /* 0 means none */
    }
    b->vec[b->nvec++] = v;
}

#define HV(b, s, rule, ...)                                                   \
    do {                                                                      \
        const char *f_[] = {__VA_ARGS__};                                     \
        hv(b, s, rule, f_, sizeof f_ / sizeof f_[0]);                         \
    } while (0)

/* The values of column ${rule} of a person whose fields are ${f}: write
 * the column's hashes under slot ${s} (a set without its end). */
static void
column(struct abuf *b, enum seen_slot s, unsigned int rule,
    const struct tfields *f, const struct seen_token_input *in)
{
    static const char *const offs[2] = {"0", "1"};
    char k[16], digits[9], near[SEEN_TK_NEAR_MAX][SEEN_NAME_MAX];
    size_t i, nn;
    int i2;

    switch (rule) {
    case SEEN_RULE_F_GIVEN: HV(b, s, rule, f->given); break;
    case SEEN_RULE_F_FAMILY: HV(b, s, rule, f->family); break;
    case SEEN_RULE_F_GIVEN_PHON: HV(b, s, rule, f->gph); break;
    case SEEN_RULE_F_FAMILY_PHON: HV(b, s, rule, f->fph); break;
    case SEEN_RULE_F_DOB: HV(b, s, rule, f->dob); break;
    case SEEN_RULE_F_YOB: HV(b, s, rule, f->yob); break;
    case SEEN_RULE_F_MONTHDAY: HV(b, s, rule, f->md); break;
    case SEEN_RULE_F_DUE: HV(b, s, rule, f->due); break;
    case SEEN_RULE_F_POSTCODE: HV(b, s, rule, f->pc); break;
    case SEEN_RULE_F_DISTRICT: HV(b, s, rule, f->addr); break;
    case SEEN_RULE_F_SEX: HV(b, s, rule, f->sex); break;
    case SEEN_RULE_F_DOB_DIGITS:
        if (!in->has_dob) {
            HV(b, s, rule, "");
            break;
        }
        seen_tk_sorted_digits(f->dob, digits);
        HV(b, s, rule, digits);
        break;
    case SEEN_RULE_F_NAME:
        HV(b, s, rule, f->given);
        HV(b, s, rule, f->family);
        break;
    case SEEN_RULE_F_DOB_NEAR:
    case SEEN_RULE_F_DOB_YEARS:
        for (i2 = 0; i2 < 2; i2++) {
            if (!in->has_dob) {
                HV(b, s, rule, "");
                continue;
            }
            seen_tk_window(k, in->dob,
                rule == SEEN_RULE_F_DOB_NEAR ? 2 : 732, i2);
            HV(b, s, rule, offs[i2], k);
        }
        break;
    case SEEN_RULE_FAMILY_WINDOW:
        for (i2 = 0; i2 < 2; i2++) {
            if (!in->has_dob && !in->has_due) {
                HV(b, s, rule, "");
                continue;
            }
            seen_tk_window(k, in->has_dob ? in->dob : in->due, 32, i2);
            HV(b, s, rule, offs[i2], k);
        }
        break;
    case SEEN_RULE_F_NICK:
        for (i = 0; i < f->nheads; i++)
            HV(b, s, rule, f->heads[i]);
        break;
    case SEEN_RULE_F_GIVEN_NEAR:
    case SEEN_RULE_F_FAMILY_NEAR:
        nn = seen_tk_near(
            rule == SEEN_RULE_F_GIVEN_NEAR ? f->given : f->family, near);
        for (i = 0; i < nn; i++)
            HV(b, s, rule, near[i]);
        sodium_memzero(near, sizeof near);
        break;
    default:
        break;
    }
}

/* 1 when chunk ${i} of the vector being made holds only zeros. */
static int
chunk_zero(const struct abuf *b, size_t i)
{
    const uint16_t *h = b->vec + i * SEEN_SLOT_PER_ITEM;

    return (h[0] | h[1] | h[2] | h[3]) == 0;
}

/*
 * Write slot ${s}'s vector as items, leaving out chunks of zeros (a
 * reader takes a missing chunk as zeros).  A vector that does not fit
 * whole is left out whole: a reader then finds its columns empty, never
 * misread.
 */
static void
slot_vector(struct abuf *b, enum seen_slot s, const struct tfields *f,
    const struct seen_token_input *in)
{
    const struct seen_slot_col *c = slots[s].cols;
    size_t i, k, nc = slots[s].ncols, need = 0;
    uint8_t *p;

    if (b->key[s] == NULL)
        return;
    b->nvec = 0;
    memset(b->vec, 0, sizeof b->vec);
    for (i = 0; i < nc; i++) {
        column(b, s, c[i].rule, f, in);
        if (c[i].kind == SEEN_COL_SET && b->nvec < SEEN_SLOT_VEC)
            b->vec[b->nvec++] = 0;
    }
    for (i = 0; i * SEEN_SLOT_PER_ITEM < b->nvec; i++)
        need += !chunk_zero(b, i);
    if (b->n + need > SEEN_TOKENS_MAX)
        return;
    for (i = 0; i * SEEN_SLOT_PER_ITEM < b->nvec; i++) {
        const uint16_t *h = b->vec + i * SEEN_SLOT_PER_ITEM;

        if (chunk_zero(b, i))
            continue;
        p = item(b, SEEN_SLOT_RULE_BASE + s * SEEN_SLOT_CHUNKS + i);
        for (k = 0; k < SEEN_SLOT_PER_ITEM; k++) {
            p[1 + 2 * k] = (uint8_t)(h[k] >> 8);
            p[2 + 2 * k] = (uint8_t)h[k];
        }
    }
}

/* The derived block VARIANT_DOB of variant ${v} (a seen_tk_variants
 * fn): under G's key. */
struct variant_block {
    struct abuf *b;
    const char *dob;
};

static void
variant_block(void *ctx, const char *v)
{
    struct variant_block *vb = ctx;

    BLOCK(vb->b, SEEN_SLOT_G, SEEN_RULE_VARIANT_DOB, v, vb->dob);
}

/* The derived blocks and the name classes of a person. */
static void
blocks_and_classes(struct abuf *b, struct tfields *f,
    const struct seen_token_input *in)
{
    struct variant_block vb = {b, f->dob};
    size_t i;

    BLOCK(b, SEEN_SLOT_F, SEEN_RULE_NAME_DOB, f->family, f->given, f->dob);
    for (i = 0; i < f->nheads; i++)
        BLOCK(b, SEEN_SLOT_F, SEEN_RULE_NICK_DOB, f->heads[i], f->family,
            f->dob);
    BLOCK(b, SEEN_SLOT_N, SEEN_RULE_NAME_YOB_DIST, f->given, f->family,
        f->yob, f->addr);
    BLOCK(b, SEEN_SLOT_N, SEEN_RULE_DMSWAP, f->family, f->given, f->yob,
        f->md);
    BLOCK(b, SEEN_SLOT_G, SEEN_RULE_GIVEN_DOB, f->gph, f->dob, f->addr);
    seen_tk_variants(f, in, variant_block, &vb);
    if (seen_name_commonness(f->given) >= 1)
        (void)item(b, SEEN_RULE_F_GIVEN_COMMON); /* presence only */
    if (seen_name_commonness(f->given) >= 2)
        (void)item(b, SEEN_RULE_F_GIVEN_VCOMMON); /* presence only */
    if (seen_name_commonness(f->family) >= 1)
        (void)item(b, SEEN_RULE_F_FAMILY_COMMON); /* presence only */
    if (seen_name_commonness(f->family) >= 2)
        (void)item(b, SEEN_RULE_F_FAMILY_VCOMMON); /* presence only */
}

size_t
seen_tokens_anchored_finish(const struct seen_token_input *in,
    const struct seen_prf_input *pre, size_t n,
    const uint8_t (*prf)[SEEN_PRF_OUTPUT], uint8_t *out)
{
    static const enum seen_slot order[SEEN_SLOTS] = {SEEN_SLOT_F,
        SEEN_SLOT_G, SEEN_SLOT_N, SEEN_SLOT_W0, SEEN_SLOT_W1, SEEN_SLOT_S};
    struct abuf b;
    struct tfields f;
    enum seen_slot s;
    uint8_t *p;
    size_t i, k;

    memset(&b, 0, sizeof b);
    b.out = out;
    for (i = 0; i < n && (p = item(&b, pre[i].rule)) != NULL; i++) {
        memcpy(p + 1, prf[i], SEEN_TOKEN_MATCH);
        if ((s = seen_slot_of_anchor(pre[i].rule)) != SEEN_SLOTS)
            b.key[s] = prf[i] + SEEN_SLOT_KEY_AT;
    }
    seen_tk_fields(in, &f);
    blocks_and_classes(&b, &f, in);
    for (k = 0; k < SEEN_SLOTS; k++)
        slot_vector(&b, order[k], &f, in);
    sodium_memzero(&f, sizeof f);
    sodium_memzero(b.vec, sizeof b.vec);
    return seen_tk_sort_unique(out, b.n);
}
