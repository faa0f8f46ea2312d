/*
 * dmetaphone.c: Double Metaphone, ported rule for rule from Apache
 * commons-codec's DoubleMetaphone (Apache License 2.0), itself after
 * Lawrence Philips' original.  The rules, their order and their odd corners
 * (a final J gives a space in the alternate, an 'L' or 'R' or 'S' that goes
 * to one code only, truncation of two-letter appends at the maximum length)
 * are kept exactly, so that codes agree with the reference.
 *
 * The name is read in place: no copy, no allocation.  Letters are upper-cased
 * as they are read, and every look-up outside the trimmed name reads as NUL,
 * which is what the reference's charAt() and contains() amount to.
 */
#include <stddef.h>
#include <string.h>

#include "common/seen.h"
#include "match/dmetaphone.h"

struct dm {
    const char *s; /* first byte of the trimmed name */
    ptrdiff_t n;   /* its length */
    int slavo;     /* contains W, K, CZ or WITZ */
    char *p, *a;   /* the caller's primary and alternate buffers */
    size_t pl, al; /* lengths of p and a */
};

/* The upper-cased letter at ${i}, or NUL outside the name. */
static char
at(const struct dm *d, ptrdiff_t i)
{
    char c;

    if (i < 0 || i >= d->n)
        return '\0';
    c = d->s[i];
    if (c >= 'a' && c <= 'z')
        c = (char)(c - 'a' + 'A');
    return c;
}

static int
isvowel(char c)
{

    switch (c) {
    case 'A':
    case 'E':
    case 'I':
    case 'O':
    case 'U':
    case 'Y':
        return 1;
    default:
        return 0;
    }
}

/*
 * Does the name, from ${start}, hold one of the '|'-separated ${alts}?  All
 * alternatives have the same length; an alternative that would run outside
 * the name never matches (the reference's contains()).
 */
static int
has(const struct dm *d, ptrdiff_t start, const char *alts)
{
    ptrdiff_t len, k;
    const char *e;

    len = (ptrdiff_t)strcspn(alts, "|");
    if (start < 0 || start > d->n - len)
        return 0;
    for (e = alts;; e += len + 1) {
        for (k = 0; k < len; k++)
            if (at(d, start + k) != e[k])
                break;
        if (k == len)
            return 1;
        if (e[len] == '\0')
            return 0;
    }
}

/* Append ${pri} to the primary and ${alt} to the alternate, truncating. */
static void
add2(struct dm *d, const char *pri, const char *alt)
{

    for (; *pri != '\0' && d->pl < SEEN_DMETAPHONE_MAX; pri++)
        d->p[d->pl++] = *pri;
    for (; *alt != '\0' && d->al < SEEN_DMETAPHONE_MAX; alt++)
        d->a[d->al++] = *alt;
}

/* Append ${s} to both codes. */
static void
add(struct dm *d, const char *s)
{

    add2(d, s, s);
}

static int
complete(const struct dm *d)
{

    return d->pl >= SEEN_DMETAPHONE_MAX && d->al >= SEEN_DMETAPHONE_MAX;
}

static int
germanic_start(const struct dm *d)
{

    return has(d, 0, "VAN |VON ") || has(d, 0, "SCH");
}

static int
cond_c0(const struct dm *d, ptrdiff_t i)
{
    char c;

    if (has(d, i, "CHIA"))
        return 1;
    if (i <= 1)
        return 0;
    if (isvowel(at(d, i - 2)))
        return 0;
    if (!has(d, i - 1, "ACH"))
        return 0;
    c = at(d, i + 2);
    return (c != 'I' && c != 'E') || has(d, i - 2, "BACHER|MACHER");
}

static int
cond_ch0(const struct dm *d, ptrdiff_t i)
{

    if (i != 0)
        return 0;
    if (!has(d, i + 1, "HARAC|HARIS") && !has(d, i + 1, "HOR|HYM|HIA|HEM"))
        return 0;
    return !has(d, 0, "CHORE");
}

static int
cond_ch1(const struct dm *d, ptrdiff_t i)
{

    return germanic_start(d) || has(d, i - 2, "ORCHES|ARCHIT|ORCHID") ||
           has(d, i + 2, "T|S") ||
           ((has(d, i - 1, "A|O|U|E") || i == 0) &&
               (has(d, i + 2, "L|R|N|M|B|H|F|V|W| ") || i + 1 == d->n - 1));
}

static int
cond_l0(const struct dm *d, ptrdiff_t i)
{

    if (i == d->n - 3 && has(d, i - 1, "ILLO|ILLA|ALLE"))
        return 1;
    return (has(d, d->n - 2, "AS|OS") || has(d, d->n - 1, "A|O")) &&
           has(d, i - 1, "ALLE");
}

static int
cond_m0(const struct dm *d, ptrdiff_t i)
{

    if (at(d, i + 1) == 'M')
        return 1;
    return has(d, i - 1, "UMB") && (i + 1 == d->n - 1 || has(d, i + 2, "ER"));
}

static ptrdiff_t
do_cc(struct dm *d, ptrdiff_t i)
{

    if (has(d, i + 2, "I|E|H") && !has(d, i + 2, "HU")) {
        /* "bellocchio" but not "bacchus". */
        if ((i == 1 && at(d, i - 1) == 'A') || has(d, i - 1, "UCCEE|UCCES"))
            add(d, "KS"); /* "accident", "accede", "succeed" */
        else
            add(d, "X"); /* "bacci", "bertucci" */
        return i + 3;
    }
    add(d, "K"); /* Pierce's rule */
    return i + 2;
}

static ptrdiff_t
do_ch(struct dm *d, ptrdiff_t i)
{

    if (i > 0 && has(d, i, "CHAE")) {
        add2(d, "K", "X"); /* "Michael" */
        return i + 2;
    }
    if (cond_ch0(d, i) || cond_ch1(d, i)) {
        add(d, "K"); /* Greek roots, Germanic "kh" */
        return i + 2;
    }
    if (i > 0) {
        if (has(d, 0, "MC"))
            add(d, "K");
        else
            add2(d, "X", "K");
    } else
        add(d, "X");
    return i + 2;
}

static ptrdiff_t
do_c(struct dm *d, ptrdiff_t i)
{

    if (cond_c0(d, i)) {
        add(d, "K");
        return i + 2;
    }
    if (i == 0 && has(d, i, "CAESAR")) {
        add(d, "S");
        return i + 2;
    }
    if (has(d, i, "CH"))
        return do_ch(d, i);
    if (has(d, i, "CZ") && !has(d, i - 2, "WICZ")) {
        add2(d, "S", "X"); /* "Czerny" */
        return i + 2;
    }
    if (has(d, i + 1, "CIA")) {
        add(d, "X"); /* "focaccia" */
        return i + 3;
    }
    if (has(d, i, "CC") && !(i == 1 && at(d, 0) == 'M'))
        return do_cc(d, i); /* but not "McClelland" */
    if (has(d, i, "CK|CG|CQ")) {
        add(d, "K");
        return i + 2;
    }
    if (has(d, i, "CI|CE|CY")) {
        if (has(d, i, "CIO|CIE|CIA"))
            add2(d, "S", "X"); /* Italian vs. English */
        else
            add(d, "S");
        return i + 2;
    }
    add(d, "K");
    if (has(d, i + 1, " C| Q| G"))
        return i + 3; /* "Mac Caffrey", "Mac Gregor" */
    if (has(d, i + 1, "C|K|Q") && !has(d, i + 1, "CE|CI"))
        return i + 2;
    return i + 1;
}

static ptrdiff_t
do_d(struct dm *d, ptrdiff_t i)
{

    if (has(d, i, "DG")) {
        if (has(d, i + 2, "I|E|Y")) {
            add(d, "J"); /* "edge" */
            return i + 3;
        }
        add(d, "TK"); /* "Edgar" */
        return i + 2;
    }
    add(d, "T");
    return has(d, i, "DT|DD") ? i + 2 : i + 1;
}

static ptrdiff_t
do_gh(struct dm *d, ptrdiff_t i)
{

    if (i > 0 && !isvowel(at(d, i - 1))) {
        add(d, "K");
        return i + 2;
    }
    if (i == 0) {
        add(d, at(d, i + 2) == 'I' ? "J" : "K");
        return i + 2;
    }
    if ((i > 1 && has(d, i - 2, "B|H|D")) ||
        (i > 2 && has(d, i - 3, "B|H|D")) || (i > 3 && has(d, i - 4, "B|H")))
        return i + 2; /* Parker's rule: "hugh" */
    if (i > 2 && at(d, i - 1) == 'U' && has(d, i - 3, "C|G|L|R|T"))
        add(d, "F"); /* "laugh", "McLaughlin", "cough", "tough" */
    else if (i > 0 && at(d, i - 1) != 'I')
        add(d, "K");
    return i + 2;
}

static ptrdiff_t
do_g(struct dm *d, ptrdiff_t i)
{

    if (at(d, i + 1) == 'H')
        return do_gh(d, i);
    if (at(d, i + 1) == 'N') {
        if (i == 1 && isvowel(at(d, 0)) && !d->slavo)
            add2(d, "KN", "N");
        else if (!has(d, i + 2, "EY") && at(d, i + 1) != 'Y' && !d->slavo)
            add2(d, "N", "KN");
        else
            add(d, "KN");
        return i + 2;
    }
    if (has(d, i + 1, "LI") && !d->slavo) {
        add2(d, "KL", "L");
        return i + 2;
    }
    if (i == 0 && (at(d, i + 1) == 'Y' ||
                      has(d, i + 1, "ES|EP|EB|EL|EY|IB|IL|IN|IE|EI|ER"))) {
        add2(d, "K", "J"); /* -ges-, -gep-, -gel-, -gie- at start */
        return i + 2;
    }
    if ((has(d, i + 1, "ER") || at(d, i + 1) == 'Y') &&
        !has(d, 0, "DANGER|RANGER|MANGER") && !has(d, i - 1, "E|I") &&
        !has(d, i - 1, "RGY|OGY")) {
        add2(d, "K", "J"); /* -ger-, -gy- */
        return i + 2;
    }
    if (has(d, i + 1, "E|I|Y") || has(d, i - 1, "AGGI|OGGI")) {
        if (germanic_start(d) || has(d, i + 1, "ET"))
            add(d, "K");
        else if (has(d, i + 1, "IER"))
            add(d, "J");
        else
            add2(d, "J", "K"); /* Italian "biaggi" */
        return i + 2;
    }
    add(d, "K");
    return at(d, i + 1) == 'G' ? i + 2 : i + 1;
}

static ptrdiff_t
do_h(struct dm *d, ptrdiff_t i)
{

    /* Only kept if first or after a vowel, and before a vowel. */
    if ((i == 0 || isvowel(at(d, i - 1))) && isvowel(at(d, i + 1))) {
        add(d, "H");
        return i + 2;
    }
    return i + 1;
}

static ptrdiff_t
do_j(struct dm *d, ptrdiff_t i)
{

    if (has(d, i, "JOSE") || has(d, 0, "SAN ")) {
        /* Spanish: "Jose", "San Jacinto". */
        if ((i == 0 && at(d, i + 4) == ' ') || d->n == 4 || has(d, 0, "SAN "))
            add(d, "H");
        else
            add2(d, "J", "H");
        return i + 1;
    }
    if (i == 0 && !has(d, i, "JOSE"))
        add2(d, "J", "A");
    else if (isvowel(at(d, i - 1)) && !d->slavo &&
             (at(d, i + 1) == 'A' || at(d, i + 1) == 'O'))
        add2(d, "J", "H");
    else if (i == d->n - 1)
        add2(d, "J", " "); /* sic: a space, as the reference gives */
    else if (!has(d, i + 1, "L|T|K|S|N|M|B|Z") && !has(d, i - 1, "S|K|L"))
        add(d, "J");
    return at(d, i + 1) == 'J' ? i + 2 : i + 1;
}

static ptrdiff_t
do_l(struct dm *d, ptrdiff_t i)
{

    if (at(d, i + 1) == 'L') {
        if (cond_l0(d, i))
            add2(d, "L", ""); /* Spanish "cabrillo", "gallegos" */
        else
            add(d, "L");
        return i + 2;
    }
    add(d, "L");
    return i + 1;
}

static ptrdiff_t
do_p(struct dm *d, ptrdiff_t i)
{

    if (at(d, i + 1) == 'H') {
        add(d, "F");
        return i + 2;
    }
    add(d, "P");
    return has(d, i + 1, "P|B") ? i + 2 : i + 1;
}

static ptrdiff_t
do_r(struct dm *d, ptrdiff_t i)
{

    /* French "rogier", but not "hochmeier". */
    if (i == d->n - 1 && !d->slavo && has(d, i - 2, "IE") &&
        !has(d, i - 4, "ME|MA"))
        add2(d, "", "R");
    else
        add(d, "R");
    return at(d, i + 1) == 'R' ? i + 2 : i + 1;
}

static ptrdiff_t
do_sc(struct dm *d, ptrdiff_t i)
{

    if (at(d, i + 2) == 'H') {
        /* Schlesinger's rule. */
        if (has(d, i + 3, "OO|ER|EN|UY|ED|EM")) {
            /* Dutch: "school", "schooner", "schermerhorn", "schenker". */
            if (has(d, i + 3, "ER|EN"))
                add2(d, "X", "SK");
            else
                add(d, "SK");
        } else if (i == 0 && !isvowel(at(d, 3)) && at(d, 3) != 'W')
            add2(d, "X", "S");
        else
            add(d, "X");
    } else if (has(d, i + 2, "I|E|Y"))
        add(d, "S");
    else
        add(d, "SK");
    return i + 3;
}

static ptrdiff_t
do_s(struct dm *d, ptrdiff_t i)
{

    if (has(d, i - 1, "ISL|YSL"))
        return i + 1; /* "island", "isle", "carlisle" */
    if (i == 0 && has(d, i, "SUGAR")) {
        add2(d, "X", "S");
        return i + 1;
    }
    if (has(d, i, "SH")) {
        if (has(d, i + 1, "HEIM|HOEK|HOLM|HOLZ"))
            add(d, "S"); /* Germanic */
        else
            add(d, "X");
        return i + 2;
    }
    if (has(d, i, "SIO|SIA") || has(d, i, "SIAN")) {
        if (d->slavo) /* Italian and Armenian */
            add(d, "S");
        else
            add2(d, "S", "X");
        return i + 3;
    }
    if ((i == 0 && has(d, i + 1, "M|N|L|W")) || has(d, i + 1, "Z")) {
        /* "smith" and "schmidt", "snider" and "schneider"; Slavic -sz-. */
        add2(d, "S", "X");
        return has(d, i + 1, "Z") ? i + 2 : i + 1;
    }
    if (has(d, i, "SC"))
        return do_sc(d, i);
    if (i == d->n - 1 && has(d, i - 2, "AI|OI"))
        add2(d, "", "S"); /* French "resnais", "artois" */
    else
        add(d, "S");
    return has(d, i + 1, "S|Z") ? i + 2 : i + 1;
}

static ptrdiff_t
do_t(struct dm *d, ptrdiff_t i)
{

    if (has(d, i, "TION") || has(d, i, "TIA|TCH")) {
        add(d, "X");
        return i + 3;
    }
    if (has(d, i, "TH") || has(d, i, "TTH")) {
        if (has(d, i + 2, "OM|AM") || germanic_start(d))
            add(d, "T"); /* "thomas", "thames", Germanic */
        else
            add2(d, "0", "T");
        return i + 2;
    }
    add(d, "T");
    return has(d, i + 1, "T|D") ? i + 2 : i + 1;
}

static ptrdiff_t
do_w(struct dm *d, ptrdiff_t i)
{

    if (has(d, i, "WR")) {
        add(d, "R");
        return i + 2;
    }
    if (i == 0 && (isvowel(at(d, i + 1)) || has(d, i, "WH"))) {
        if (isvowel(at(d, i + 1)))
            add2(d, "A", "F"); /* "Wasserman" and "Vasserman" */
        else
            add(d, "A"); /* "Uomo" and "Womo" */
        return i + 1;
    }
    if ((i == d->n - 1 && isvowel(at(d, i - 1))) ||
        has(d, i - 1, "EWSKI|EWSKY|OWSKI|OWSKY") || has(d, 0, "SCH")) {
        add2(d, "", "F"); /* "Arnow" and "Arnoff" */
        return i + 1;
    }
    if (has(d, i, "WICZ|WITZ")) {
        add2(d, "TS", "FX"); /* Polish "filipowicz" */
        return i + 4;
    }
    return i + 1;
}

static ptrdiff_t
do_x(struct dm *d, ptrdiff_t i)
{

    if (i == 0) {
        add(d, "S");
        return i + 1;
    }
    /* French "breaux". */
    if (!(i == d->n - 1 &&
            (has(d, i - 3, "IAU|EAU") || has(d, i - 2, "AU|OU"))))
        add(d, "KS");
    return has(d, i + 1, "C|X") ? i + 2 : i + 1;
}

static ptrdiff_t
do_z(struct dm *d, ptrdiff_t i)
{

    if (at(d, i + 1) == 'H') {
        add(d, "J"); /* Chinese pinyin "zhao" */
        return i + 2;
    }
    if (has(d, i + 1, "ZO|ZI|ZA") || (d->slavo && i > 0 && at(d, i - 1) != 'T'))
        add2(d, "S", "TS");
    else
        add(d, "S");
    return at(d, i + 1) == 'Z' ? i + 2 : i + 1;
}

/* The same letter doubled is one sound. */
static ptrdiff_t
skip_double(const struct dm *d, ptrdiff_t i, char c)
{

    return at(d, i + 1) == c ? i + 2 : i + 1;
}

/*
 * Letters coded the same whatever their neighbours, a doubled one being one
 * sound: B -> P, F, K, N, Q -> K, V -> F.
 */
static const char *const plain[26] = {
    ['B' - 'A'] = "P",
    ['F' - 'A'] = "F",
    ['K' - 'A'] = "K",
    ['N' - 'A'] = "N",
    ['Q' - 'A'] = "K",
    ['V' - 'A'] = "F",
};

/* Letters with rules of their own (the reference's handleX). */
static ptrdiff_t (*const rules[26])(struct dm *, ptrdiff_t) = {
    ['C' - 'A'] = do_c,
    ['D' - 'A'] = do_d,
    ['G' - 'A'] = do_g,
    ['H' - 'A'] = do_h,
    ['J' - 'A'] = do_j,
    ['L' - 'A'] = do_l,
    ['P' - 'A'] = do_p,
    ['R' - 'A'] = do_r,
    ['S' - 'A'] = do_s,
    ['T' - 'A'] = do_t,
    ['W' - 'A'] = do_w,
    ['X' - 'A'] = do_x,
    ['Z' - 'A'] = do_z,
};

/* Code the letter at ${i}; return where the next one starts. */
static ptrdiff_t
step(struct dm *d, ptrdiff_t i)
{
    char c = at(d, i);

    if (isvowel(c)) {
        if (i == 0)
            add(d, "A");
        return i + 1;
    }
    if (c == 'M') {
        add(d, "M");
        return cond_m0(d, i) ? i + 2 : i + 1;
    }
    if (c < 'A' || c > 'Z')
        return i + 1;
    if (plain[c - 'A'] != NULL) {
        add(d, plain[c - 'A']);
        return skip_double(d, i, c);
    }
    if (rules[c - 'A'] != NULL)
        return rules[c - 'A'](d, i);
    return i + 1;
}

/**
 * seen_dmetaphone(name, primary, alternate):
 * Encode ${name} (ASCII letters, spaces, apostrophes, dots, hyphens; any case)
 * with Double Metaphone.  Write the primary code to ${primary} and the
 * alternate code to ${alternate}, each NUL-terminated, at most
 * SEEN_DMETAPHONE_MAX characters; the alternate repeats the primary when the
 * algorithm gives only one.  Returns 0, or SEEN_EINVAL when ${name} holds a
 * byte outside ASCII (logged nowhere: callers fold accents first), in
 * which case both codes are set to "".  Leading and trailing spaces and
 * control characters are ignored; any other non-letter is skipped but still
 * counts as a neighbour, as in the reference.  ${name} is not retained.
 */
int
seen_dmetaphone(const char *name, char primary[static SEEN_DMETAPHONE_MAX + 1],
    char alternate[static SEEN_DMETAPHONE_MAX + 1])
{
    struct dm d;
    const unsigned char *u;
    ptrdiff_t i, n;

    primary[0] = alternate[0] = '\0';

    /* Reject non-ASCII; find the end. */
    for (u = (const unsigned char *)name; *u != '\0'; u++)
        if (*u >= 0x80)
            return SEEN_EINVAL;
    n = (ptrdiff_t)(u - (const unsigned char *)name);

    /* Trim as Java's String.trim() does: every byte up to ' '. */
    while (n > 0 && (unsigned char)name[n - 1] <= ' ')
        n--;
    while (n > 0 && (unsigned char)name[0] <= ' ') {
        name++;
        n--;
    }

    d.s = name;
    d.n = n;
    d.p = primary;
    d.a = alternate;
    d.pl = d.al = 0;
    d.slavo = 0;
    for (i = 0; i < n; i++) {
        switch (at(&d, i)) {
        case 'W':
        case 'K':
            d.slavo = 1;
            break;
        case 'C':
            /* "WITZ" holds a W, so CZ is the only other test. */
            if (at(&d, i + 1) == 'Z')
                d.slavo = 1;
            break;
        }
        if (d.slavo)
            break;
    }

    /* Silent first letters: GN, KN, PN, WR, PS. */
    i = has(&d, 0, "GN|KN|PN|WR|PS") ? 1 : 0;

    while (!complete(&d) && i < n)
        i = step(&d, i);

    primary[d.pl] = '\0';
    alternate[d.al] = '\0';
    return 0;
}
