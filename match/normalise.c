/*
 * normalise.c: names, dates and postcodes as matching compares them.
 *
 * Names are read one code point at a time (ASCII directly, the rest
 * through utf8proc_decompose_char into a stack buffer), so normalising
 * allocates nothing, and a name of any length costs one pass.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <utf8proc.h>

#include "common/seen.h"
#include "match/normalise.h"

/* Letters of a name, without the NUL. */
#define NAME_LEN (SEEN_NAME_MAX - 1)

/* Decomposition options: NFKD, case folded, marks and ignorables gone. */
#define DECOMP_OPTS                                                            \
    ((utf8proc_option_t)(UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT |                \
                         UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK |              \
                         UTF8PROC_IGNORE))

/* Longest decomposition kept (U+FDFA, the longest, gives 18). */
#define DECOMP_MAX 32

/* A particle and its length. */
struct particle {
    const char *s;
    size_t len;
};

/* clang-format off */
#define P(s) { s, sizeof(s) - 1 }

/* Particles fused to the word that follows (seen_norm_name). */
static const struct particle fuse_particles[] = {
    P("AL"), P("DA"), P("DAS"), P("DE"), P("DEL"), P("DELLA"), P("DEN"),
    P("DER"), P("DES"), P("DI"), P("DOS"), P("DU"), P("EL"), P("LA"),
    P("LE"), P("MAC"), P("MC"), P("O"), P("SAINT"), P("ST"), P("TEN"),
    P("TER"), P("VAN"), P("VON"),
};

/* Particles removed from the front of a fused name (seen_name_variants). */
static const struct particle strip_particles[] = {
    P("AL"), P("DA"), P("DE"), P("DEL"), P("DELA"), P("DELAS"), P("DELLA"),
    P("DELOS"), P("DI"), P("DOS"), P("DU"), P("EL"), P("LA"), P("LE"),
    P("TEN"), P("TER"), P("VAN"), P("VANDE"), P("VANDEN"), P("VANDER"),
    P("VON"), P("VONDER"),
};
#undef P
/* clang-format on */

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Longest particle of either list. */
#define PARTICLE_MAX 6

/* Fewest letters left after removing a particle (seen_name_variants). */
#define STRIP_MIN_REST 4

/*
 * The state of one seen_norm_name call: the words written so far (out,
 * olen; done once a word did not fit, after which nothing more is
 * written), the word being read (word, wlen; wlong if it is longer than
 * NAME_LEN), and the particles waiting for the word they fuse to, space
 * separated (pend, plen; plong if they did not all fit).
 */
struct nstate {
    char out[SEEN_NAME_MAX];
    size_t olen;
    int done;
    char word[SEEN_NAME_MAX];
    size_t wlen;
    int wlong;
    char pend[SEEN_NAME_MAX];
    size_t plen;
    int plong;
};

/* 1 if ${w} (${len} letters) is a particle that fuses to the next word. */
static int
is_particle(const char *w, size_t len)
{
    size_t i;

    if (len > PARTICLE_MAX)
        return (0);
    for (i = 0; i < NELEM(fuse_particles); i++) {
        if (fuse_particles[i].len == len &&
            memcmp(fuse_particles[i].s, w, len) == 0)
            return (1);
    }
    return (0);
}

/* Append the word ${w} (${len} letters; ${toolong} if it did not fit). */
static void
emit(struct nstate *st, const char *w, size_t len, int toolong)
{
    size_t need;

    if (st->done)
        return;
    need = len + (st->olen > 0);
    if (toolong || need > NAME_LEN - st->olen) {
        st->done = 1;
        return;
    }
    if (len == 0)
        return;
    if (st->olen > 0)
        st->out[st->olen++] = ' ';
    memcpy(st->out + st->olen, w, len);
    st->olen += len;
}

/* The word in st->word is complete. */
static void
word_end(struct nstate *st)
{
    char fused[SEEN_NAME_MAX];
    size_t flen = 0, i, j;
    int toolong;

    if (st->wlen == 0 && !st->wlong)
        return;

    /* A particle waits for the word after it. */
    if (!st->wlong && is_particle(st->word, st->wlen)) {
        if (st->plong || st->wlen + (st->plen > 0) > NAME_LEN - st->plen) {
            st->plong = 1;
        } else {
            if (st->plen > 0)
                st->pend[st->plen++] = ' ';
            memcpy(st->pend + st->plen, st->word, st->wlen);
            st->plen += st->wlen;
        }
        goto out;
    }

    /* An ordinary word: fuse the waiting particles to it. */
    toolong = st->wlong || st->plong;
    for (i = 0; i < st->plen && !toolong; i = j + 1) {
        for (j = i; j < st->plen && st->pend[j] != ' '; j++)
            continue;
        if (j - i == 5 && memcmp(st->pend + i, "SAINT", 5) == 0) {
            memcpy(fused + flen, "ST", 2);
            flen += 2;
        } else {
            memcpy(fused + flen, st->pend + i, j - i);
            flen += j - i;
        }
    }
    if (!toolong && st->wlen > NAME_LEN - flen)
        toolong = 1;
    if (!toolong) {
        memcpy(fused + flen, st->word, st->wlen);
        flen += st->wlen;
    }
    emit(st, fused, flen, toolong);
    st->plen = 0;
    st->plong = 0;
out:
    st->wlen = 0;
    st->wlong = 0;
}

/* Add the letters ${s} to the current word. */
static void
add_letters(struct nstate *st, const char *s)
{

    for (; *s != '\0'; s++) {
        if (st->wlen >= NAME_LEN)
            st->wlong = 1;
        else
            st->word[st->wlen++] = *s;
    }
}

/* Apostrophes and dots: removed without ending the word. */
static int
is_silent(int32_t c)
{

    switch (c) {
    case 0x0027: /* ' */
    case 0x002E: /* . */
    case 0x0060: /* ` */
    case 0x00B4: /* acute accent, which NFKD turns into a space */
    case 0x00B7: /* middle dot */
    case 0x02B9: /* modifier prime */
    case 0x02BB: /* turned comma (okina) */
    case 0x02BC: /* modifier apostrophe */
    case 0x02BD: /* reversed comma */
    case 0x02BE: /* right half ring (hamza) */
    case 0x02BF: /* left half ring (ayin) */
    case 0x2018: /* left single quotation mark */
    case 0x2019: /* right single quotation mark */
    case 0x201B: /* reversed single quotation mark */
    case 0x2024: /* one dot leader */
    case 0x2032: /* prime */
    case 0xFF07: /* fullwidth apostrophe */
    case 0xFF0E: /* fullwidth full stop */
        return (1);
    default:
        return (0);
    }
}

/* The spelling of a (case-folded) Latin letter that NFKD leaves alone. */
/* clang-format off */
static const char *
latin_extra(int32_t c)
{

    switch (c) {
    case 0x00DF: return ("SS");     /* sharp s */
    case 0x00E6: return ("AE");     /* ae */
    case 0x00F0: return ("D");      /* eth */
    case 0x00F8: return ("O");      /* o with stroke */
    case 0x00FE: return ("TH");     /* thorn */
    case 0x0111: return ("D");      /* d with stroke */
    case 0x0127: return ("H");      /* h with stroke */
    case 0x0131: return ("I");      /* dotless i */
    case 0x0138: return ("K");      /* kra */
    case 0x0142: return ("L");      /* l with stroke */
    case 0x014B: return ("NG");     /* eng */
    case 0x0153: return ("OE");     /* oe */
    case 0x0167: return ("T");      /* t with stroke */
    case 0x0180: return ("B");      /* b with stroke */
    case 0x0188: return ("C");      /* c with hook */
    case 0x018C: return ("D");      /* d with topbar */
    case 0x0192: return ("F");      /* f with hook */
    case 0x0199: return ("K");      /* k with hook */
    case 0x019A: return ("L");      /* l with bar */
    case 0x019E: return ("N");      /* n with long right leg */
    case 0x01A5: return ("P");      /* p with hook */
    case 0x01AB: return ("T");      /* t with palatal hook */
    case 0x01AD: return ("T");      /* t with hook */
    case 0x01B4: return ("Y");      /* y with hook */
    case 0x01B6: return ("Z");      /* z with stroke */
    case 0x01DD: return ("E");      /* turned e */
    case 0x01E5: return ("G");      /* g with stroke */
    case 0x0225: return ("Z");      /* z with hook */
    case 0x023C: return ("C");      /* c with stroke */
    case 0x0247: return ("E");      /* e with stroke */
    case 0x0249: return ("J");      /* j with stroke */
    case 0x024D: return ("R");      /* r with stroke */
    case 0x024F: return ("Y");      /* y with stroke */
    case 0x0250: return ("A");      /* turned a */
    case 0x0251: return ("A");      /* alpha */
    case 0x0253: return ("B");      /* b with hook */
    case 0x0254: return ("O");      /* open o */
    case 0x0256: return ("D");      /* d with tail */
    case 0x0257: return ("D");      /* d with hook */
    case 0x0259: return ("E");      /* schwa */
    case 0x025B: return ("E");      /* open e */
    case 0x0260: return ("G");      /* g with hook */
    case 0x0261: return ("G");      /* script g */
    case 0x0263: return ("G");      /* gamma */
    case 0x0268: return ("I");      /* i with stroke */
    case 0x0269: return ("I");      /* iota */
    case 0x026B: return ("L");      /* l with middle tilde */
    case 0x0272: return ("N");      /* n with left hook */
    case 0x0275: return ("O");      /* barred o */
    case 0x027D: return ("R");      /* r with tail */
    case 0x0280: return ("R");      /* small capital r */
    case 0x0288: return ("T");      /* t with retroflex hook */
    case 0x0289: return ("U");      /* u bar */
    case 0x028B: return ("V");      /* v with hook */
    case 0x0292: return ("Z");      /* ezh */
    default: return (NULL);
    }
}
/* clang-format on */

/* One code point of the decomposed name. */
static void
put_cp(struct nstate *st, int32_t c)
{
    const char *s;
    char one[2];

    if (c >= 'a' && c <= 'z') {
        one[0] = (char)(c - 'a' + 'A');
        one[1] = '\0';
        add_letters(st, one);
        return;
    }
    if (c >= 'A' && c <= 'Z') {
        one[0] = (char)c;
        one[1] = '\0';
        add_letters(st, one);
        return;
    }
    if (is_silent(c))
        return;
    if (c < 0x80) {
        /* Digits vanish; everything else ends the word. */
        if (!(c >= '0' && c <= '9'))
            word_end(st);
        return;
    }
    if ((s = latin_extra(c)) != NULL) {
        add_letters(st, s);
        return;
    }
    switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        /* Letters of other scripts, digits: dropped. */
        return;
    default:
        /* Punctuation, symbols, separators, controls, unassigned. */
        word_end(st);
        return;
    }
}

/**
 * seen_norm_name(utf8, out):
 * Normalise the NUL-terminated UTF-8 name ${utf8} (one name field: a given
 * name, a family name or one alias) and write it to ${out}: upper-case
 * letters A-Z in words separated by single spaces, with no leading or
 * trailing space.  The rules, in order:
 *  - Unicode compatibility decomposition (NFKD) with case folding, marks
 *    (accents) and default-ignorable characters (soft hyphen, zero-width
 *    space) removed, via utf8proc: "José" -> JOSE, "Zoë" -> ZOE,
 *    "Ｊｏｈｎ" -> JOHN, "ß" -> SS.
 *  - Latin letters that do not decompose are spelled out: Æ AE, Ø O, Ł L,
 *    Đ Ð D, Þ TH, Œ OE, ı I, Ħ H, Ŋ NG, Ə Ɛ E, Ɔ O, the hooked letters of
 *    West African alphabets (Ɓ B, Ɗ D, Ƙ K, Ƴ Y) and a few more.
 *  - Apostrophes (' ` ´ ‘ ’ ‛ ʹ ʻ ʼ ʾ ʿ ′) and dots (. · ․) are removed
 *    wherever they are, without splitting the word: O'Brien -> OBRIEN,
 *    "St." -> ST, "J.R." -> JR.
 *  - Every other character that is neither a letter, a digit nor a mark
 *    (spaces, hyphens, commas, slashes, underscores, other punctuation,
 *    symbols, controls) ends a word: "Smith-Jones" -> "SMITH JONES".
 *  - Letters of other scripts and digits are dropped without ending a word.
 *  - A name particle is fused to the word that follows it, and runs of
 *    particles fuse together: "van der Berg" -> VANDERBERG,
 *    "de la Cruz" -> DELACRUZ, "Mc Donald" -> MCDONALD, "O Brien" ->
 *    OBRIEN, "Al-Hassan" -> ALHASSAN, "Saint John" and "St. John" ->
 *    STJOHN (SAINT is written ST when fused).  The particles are
 *    AL, DA, DAS, DE, DEL, DELLA, DEN, DER, DES, DI, DOS, DU, EL, LA, LE,
 *    MAC, MC, O, SAINT, ST, TEN, TER, VAN, VON (not DO or NI, which are
 *    also common Vietnamese and Chinese family names).  Particles with no
 *    ordinary word after them stay as they were ("Al" -> AL).  Because
 *    "Le", "Di" and "Al" are also names in their own right, pass one name
 *    field at a time, not a whole "given family" string.
 * If the result is longer than SEEN_NAME_MAX - 1 bytes it is cut after the
 * last whole word that fits (a fused word counts as one), and 0 is still
 * returned: matching then uses the leading words.
 * Returns 0; SEEN_EINVAL if ${utf8} is NULL or not valid UTF-8, if nothing
 * is left ("", " ", "123", a name in another script), or if the first word
 * alone is longer than SEEN_NAME_MAX - 1 letters.  On error ${out} is "".
 * ${out} may be the same buffer as ${utf8}.
 */
int
seen_norm_name(const char *utf8, char out[static SEEN_NAME_MAX])
{
    struct nstate st;
    utf8proc_int32_t buf[DECOMP_MAX];
    utf8proc_int32_t c;
    utf8proc_ssize_t n, i;
    const utf8proc_uint8_t *p;
    size_t left, j;

    st.olen = st.wlen = st.plen = 0;
    st.done = st.wlong = st.plong = 0;
    if (utf8 == NULL)
        goto bad;
    p = (const utf8proc_uint8_t *)utf8;
    left = strlen(utf8);
    while (left > 0) {
        /* ASCII needs no table. */
        if (*p < 0x80) {
            put_cp(&st, *p);
            p++;
            left--;
            continue;
        }
        n = utf8proc_iterate(p, (utf8proc_ssize_t)(left < 4 ? left : 4), &c);
        if (n < 1)
            goto bad;
        p += n;
        left -= (size_t)n;
        if (is_silent(c))
            continue;
        n = utf8proc_decompose_char(c, buf, DECOMP_MAX, DECOMP_OPTS, NULL);
        if (n < 0 || n > DECOMP_MAX)
            continue; /* no Latin letter decomposes so far */
        for (i = 0; i < n; i++)
            put_cp(&st, buf[i]);
    }
    word_end(&st);

    /* Particles with no word after them stand as they are. */
    for (j = 0; j < st.plen; j++) {
        size_t k;

        for (k = j; k < st.plen && st.pend[k] != ' '; k++)
            continue;
        emit(&st, st.pend + j, k - j, 0);
        j = k;
    }
    if (st.plong)
        emit(&st, "", 0, 1);

    if (st.olen == 0)
        goto bad;
    memcpy(out, st.out, st.olen);
    out[st.olen] = '\0';
    return (0);

bad:
    out[0] = '\0';
    return (SEEN_EINVAL);
}

/* Add ${w} (${len} letters) to the ${n} keys in ${out} unless there. */
static size_t
add_key(
    char out[][SEEN_NAME_MAX], size_t n, size_t max, const char *w, size_t len)
{
    size_t i;

    if (n >= max || len == 0 || len > NAME_LEN)
        return (n);
    for (i = 0; i < n; i++) {
        if (strncmp(out[i], w, len) == 0 && out[i][len] == '\0')
            return (n);
    }
    memcpy(out[n], w, len);
    out[n][len] = '\0';
    return (n + 1);
}

/*
 * Letters of the longest strip particle that starts ${w} (${len} letters),
 * or 0 if there is none or it leaves fewer than STRIP_MIN_REST letters.
 */
static size_t
strip_len(const char *w, size_t len)
{
    size_t i, pl, best = 0;

    for (i = 0; i < NELEM(strip_particles); i++) {
        pl = strip_particles[i].len;
        if (pl > best && len > pl && w[0] == strip_particles[i].s[0] &&
            memcmp(w, strip_particles[i].s, pl) == 0)
            best = pl;
    }
    return (len - best >= STRIP_MIN_REST ? best : 0);
}

/**
 * seen_name_variants(norm, out, max):
 * Write to ${out} the keys under which the normalised family name ${norm}
 * (as seen_norm_name writes it) may also be recorded, deduplicated, at
 * most ${max} of them, in this order:
 *  1. the whole name with the spaces removed: SMITH JONES -> SMITHJONES;
 *  2. when there are several words, each word of two letters or more
 *     alone: SMITH, JONES (single letters are initials, not keys);
 *  3. each of those without the longest particle it starts with, if at
 *     least 4 letters remain: ALHASSAN -> HASSAN, VANDERBERG -> BERG,
 *     DASILVA -> SILVA, DOSSANTOS -> SANTOS, DELACRUZ -> CRUZ, but
 *     DELRIO gives no such key (DEL leaves 3).  The particles removed are
 *     AL, EL, DA, DOS, DE, DEL, DELA, DELLA, DELOS, DELAS, DI, DU, LA,
 *     LE, TER, TEN, VAN, VANDE, VANDEN, VANDER, VON, VONDER (not DAS,
 *     which would turn DASILVA into ILVA).  MC, MAC, O and ST
 *     are never removed: MCDONALD, OBRIEN, ONEIL and STJOHN are surnames
 *     in their own right, and removing O would also turn OLIVER into
 *     LIVER; so O'NEIL gives ONEIL, never NEIL.  The normalised form does
 *     not record where a particle was, so some ordinary names also give
 *     such a key (ALBERT -> BERT, DAVIES -> VIES); these only add
 *     candidate pairs for scoring to weigh.
 * Returns the number of keys written (0 if ${norm} is NULL, not a
 * normalised name, or ${max} is 0).
 */
size_t
seen_name_variants(const char *norm, char out[][SEEN_NAME_MAX], size_t max)
{
    char joined[SEEN_NAME_MAX];
    size_t len, jlen = 0, nwords = 0, n = 0, nbase, k, i, j, s;

    if (norm == NULL || out == NULL || max == 0)
        return (0);

    /* A normalised name: A-Z words, single spaces, at most NAME_LEN. */
    for (len = 0; len <= NAME_LEN && norm[len] != '\0'; len++) {
        if (norm[len] == ' ') {
            if (len == 0 || norm[len - 1] == ' ' || norm[len + 1] == '\0')
                return (0);
            nwords++;
        } else if (norm[len] >= 'A' && norm[len] <= 'Z') {
            joined[jlen++] = norm[len];
        } else {
            return (0);
        }
    }
    if (len == 0 || len > NAME_LEN)
        return (0);
    nwords++;

    /* 1. The whole name, without spaces. */
    n = add_key(out, n, max, joined, jlen);

    /* 2. Each word of two letters or more, when there are several. */
    if (nwords > 1) {
        for (i = 0; i < len; i = j + 1) {
            for (j = i; j < len && norm[j] != ' '; j++)
                continue;
            if (j - i >= 2)
                n = add_key(out, n, max, norm + i, j - i);
        }
    }

    /* 3. Each of those without a leading particle. */
    nbase = n;
    for (k = 0; k < nbase; k++) {
        len = strlen(out[k]);
        if ((s = strip_len(out[k], len)) > 0)
            n = add_key(out, n, max, out[k] + s, len - s);
    }
    return (n);
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; after H. Hinnant). */
static int64_t
days_from_civil(int64_t y, int64_t m, int64_t d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (era * 146097 + doe - 719468);
}

static int
is_leap(int64_t y)
{

    return ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0);
}

static int
month_days(int64_t y, int m)
{
    static const int mdays[12] = {
        31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    return (m == 2 && is_leap(y) ? 29 : mdays[m - 1]);
}

/**
 * seen_date_ymd(days, y, m, d):
 * Write the proleptic Gregorian year, month (1-12) and day (1-31) of the
 * date ${days} days after 1970-01-01 to ${y}, ${m} and ${d}.  Any ${days}
 * is accepted.
 */
void
seen_date_ymd(int32_t days, int *y, int *m, int *d)
{
    int64_t z, era, doe, yoe, doy, mp, yy, mm, dd;

    z = (int64_t)days + 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    yy = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    dd = doy - (153 * mp + 2) / 5 + 1;
    mm = mp < 10 ? mp + 3 : mp - 9;
    yy += mm <= 2;

    /* |days| < 2^31 keeps the year within a few million. */
    *y = (int)yy;
    *m = (int)mm;
    *d = (int)dd;
}

/**
 * seen_date_from_ymd(y, m, d):
 * Return the number of days from 1970-01-01 to the date ${y}-${m}-${d}, or
 * SEEN_DATE_NONE if it is not a real date with a year from 0 to 9999.
 */
int32_t
seen_date_from_ymd(int y, int m, int d)
{

    if (y < 0 || y > 9999 || m < 1 || m > 12 || d < 1 || d > month_days(y, m))
        return (SEEN_DATE_NONE);
    return ((int32_t)days_from_civil(y, m, d));
}

/* The value of the ${n} decimal digits at ${s}, or -1. */
static int
digits(const char *s, int n)
{
    int v = 0, i;

    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return (-1);
        v = v * 10 + (s[i] - '0');
    }
    return (v);
}

/**
 * seen_date_parse(s, days):
 * Parse ${s}, which must be exactly "YYYY-MM-DD" (four, two and two
 * digits, nothing before or after) naming a real date of the Gregorian
 * calendar with a year from SEEN_DATE_YEAR_MIN to SEEN_DATE_YEAR_MAX, and
 * write to ${days} the number of days since 1970-01-01 (negative before).
 * Returns 0; SEEN_EINVAL otherwise, leaving ${days} unchanged.
 */
int
seen_date_parse(const char *s, int32_t *days)
{
    int y, m, d;

    /* Each check stops at the NUL, so a short string is never overread. */
    if (s == NULL || (y = digits(s, 4)) < 0 || s[4] != '-' ||
        (m = digits(s + 5, 2)) < 0 || s[7] != '-' ||
        (d = digits(s + 8, 2)) < 0 || s[10] != '\0')
        return (SEEN_EINVAL);
    if (y < SEEN_DATE_YEAR_MIN || y > SEEN_DATE_YEAR_MAX)
        return (SEEN_EINVAL);
    if (m < 1 || m > 12 || d < 1 || d > month_days(y, m))
        return (SEEN_EINVAL);
    *days = (int32_t)days_from_civil(y, m, d);
    return (0);
}

/* Write ${v} as ${n} decimal digits at ${s}. */
static void
put_digits(char *s, int v, int n)
{

    while (n-- > 0) {
        s[n] = (char)('0' + v % 10);
        v /= 10;
    }
}

/**
 * seen_date_format(days, out):
 * Write the date ${days} days after 1970-01-01 to ${out} as "YYYY-MM-DD".
 * A date outside the years 0000 to 9999 is written "0000-00-00", which
 * seen_date_parse rejects.
 */
void
seen_date_format(int32_t days, char out[static SEEN_DATE_BYTES])
{
    int y, m, d;

    seen_date_ymd(days, &y, &m, &d);
    if (y < 0 || y > 9999)
        y = m = d = 0;
    put_digits(out, y, 4);
    out[4] = '-';
    put_digits(out + 5, m, 2);
    out[7] = '-';
    put_digits(out + 8, d, 2);
    out[10] = '\0';
}

static int
is_alpha(char c)
{

    return (c >= 'A' && c <= 'Z');
}

static int
is_digit(char c)
{

    return (c >= '0' && c <= '9');
}

/**
 * seen_postcode_norm(in, out, district):
 * Normalise the UK postcode ${in}: any case, any whitespace anywhere
 * (spaces, tabs, no-break spaces: "rg15df", " RG1  5DF ").  It must then
 * have one of the shapes A9 9AA, A99 9AA, AA9 9AA, AA99 9AA, A9A 9AA,
 * AA9A 9AA (A a letter, 9 a digit) with inward letters other than C, I, K,
 * M, O and V, or be GIR 0AA.  The letters of the outward code are not
 * checked against Royal Mail's per-position rules (there are real
 * exceptions, such as XM4 5HQ).  Write the canonical form ("RG1 5DF") to
 * ${out} and the outward code, the postcode district ("RG1"), to
 * ${district}.
 * Returns 0; SEEN_EINVAL otherwise, with ${out} and ${district} "".
 */
int
seen_postcode_norm(const char *in, char out[static SEEN_POSTCODE_BYTES],
    char district[static SEEN_DISTRICT_BYTES])
{
    char pc[7];
    const char *o;
    size_t n = 0, olen;
    int ok;

    if (in == NULL)
        goto bad;
    for (; *in != '\0'; in++) {
        char c = *in;

        if (c == ' ' || (c >= '\t' && c <= '\r'))
            continue;
        if ((unsigned char)c == 0xC2 && (unsigned char)in[1] == 0xA0) {
            in++; /* U+00A0 no-break space */
            continue;
        }
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (!is_alpha(c) && !is_digit(c))
            goto bad;
        if (n == sizeof(pc))
            goto bad;
        pc[n++] = c;
    }
    if (n < 5)
        goto bad;

    /* Inward code: a digit and two letters, none of C I K M O V. */
    o = &pc[n - 3];
    if (!is_digit(o[0]) || !is_alpha(o[1]) || !is_alpha(o[2]) ||
        memchr("CIKMOV", o[1], 6) != NULL || memchr("CIKMOV", o[2], 6) != NULL)
        goto bad;

    /* Outward code. */
    olen = n - 3;
    o = pc;
    switch (olen) {
    case 2: /* A9 */
        ok = is_alpha(o[0]) && is_digit(o[1]);
        break;
    case 3: /* A99, AA9, A9A, and GIR */
        ok = is_alpha(o[0]) && ((is_digit(o[1]) && is_digit(o[2])) ||
                                   (is_alpha(o[1]) && is_digit(o[2])) ||
                                   (is_digit(o[1]) && is_alpha(o[2])));
        if (memcmp(o, "GIR", 3) == 0 && memcmp(pc + 3, "0AA", 3) == 0)
            ok = 1;
        break;
    case 4: /* AA99, AA9A */
        ok = is_alpha(o[0]) && is_alpha(o[1]) && is_digit(o[2]) &&
             (is_digit(o[3]) || is_alpha(o[3]));
        break;
    default:
        ok = 0;
        break;
    }
    if (!ok)
        goto bad;

    memcpy(district, pc, olen);
    district[olen] = '\0';
    memcpy(out, pc, olen);
    out[olen] = ' ';
    memcpy(out + olen + 1, pc + olen, 3);
    out[olen + 4] = '\0';
    return (0);

bad:
    out[0] = '\0';
    district[0] = '\0';
    return (SEEN_EINVAL);
}
