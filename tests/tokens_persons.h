/*
 * tokens_persons.h: a fixed, varied list of persons for the token tests
 * (check_match_prf.c): person ${i} is drawn by a seeded generator from
 * small lists of names (accents, hyphens, apostrophes, several words,
 * very long ones), with or without each date, identifier, postcode, sex
 * and other name, sometimes shielded.  The same ${i} is always the same
 * person, so that tests/data/tokens-1ae3924/digests.txt (the tokens and
 * filter of each person under a fixed key, as 1ae3924's tokenizer made
 * them) and scores.txt (the scores of pairs of them, as 1ae3924's scorer
 * gave them) can be checked against today's.  Header only: static
 * functions.
 */
#ifndef SEEN_TESTS_TOKENS_PERSONS_H
#define SEEN_TESTS_TOKENS_PERSONS_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "match/tokens.h"

#define TP_PERSONS 800

static const char *const tp_given[] = {"Mary", "MARY", "Jane", "Mary-Jane",
    "Jean Paul", "Zoë", "José", "Siobhán", "Bob", "Robert", "Bill",
    "William", "Elizabeth", "Liz", "Mohammed", "Muhammad", "Ava", "Mia",
    "Mya", "Oliver", "Olivia", "Ian", "Ivan", "Chloe", "Chloë", "Aoife",
    "Nguyen Van", "Li", "Al", "A", "  jack  ", "Jack", "Jak", "Harry",
    "Harriet", "Noah", "Leo", "Isla", "Amelia", "Emilia", "Grace", "Freddie",
    "Kai", "Zainab", "Fatima", "Oluwaseun", "Wojciech", "Łukasz", "Ana",
    "Anna", "Hannah", "Hanna", "Christopher", "Kristopher", "X Æ A-12",
    "Maximilian-Alexander Wolfgang Johann", "", "Theo", "Teo", "Sophie"};
static const char *const tp_family[] = {"Smith", "SMITH", "Smyth", "Jones",
    "O'Brien", "OBrien", "Obrien", "Smith-Jones", "Jones Smith", "Müller",
    "Mueller", "Muller", "Brown", "Browne", "Taylor", "Tailor", "Wilson",
    "Nguyen", "Khan", "Kahn", "Patel", "Singh", "Ó Súilleabháin",
    "Mac Donald", "MacDonald", "McDonald", "de la Cruz", "Van der Berg",
    "Li", "Lee", "Ng", "Wong", "Evans", "Evens", "Thomas", "Roberts",
    "Robertson", "Wright", "Rite", "Walker", "Wolker", "Kowalski",
    "Kowalska", "Abdullahi", "Okafor", "Ferreira", "Pereira",
    "Featherstonehaugh-Cholmondeley-Marjoribanks", "", "Y", "Hall"};
static const char *const tp_postcode[][2] = {{"SW1A 1AA", "SW1A"},
    {"M1 1AE", "M1"}, {"B33 8TH", "B33"}, {"CR2 6XH", "CR2"},
    {"DN55 1PT", "DN55"}, {"LS1 4AP", "LS1"}, {"EH1 1YZ", "EH1"}};

/* One person and the storage its strings point into. */
struct tp_person {
    struct seen_token_input in;
    char given[96], family[96], other[2][96];
    const char *others[2];
    char nhs[16], upn[16], pnc[16];
};

/* splitmix64: the next number of ${s}. */
static uint64_t
tp_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A number below ${n} from ${s}. */
static unsigned int
tp_below(uint64_t *s, unsigned int n)
{

    return (unsigned int)(tp_next(s) % n);
}

/* ${src} into ${dst} (96 bytes), one ASCII letter changed, dropped or
 * doubled in one case out of four. */
static void
tp_name(uint64_t *s, char dst[96], const char *src)
{
    size_t len, at;

    snprintf(dst, 96, "%s", src);
    len = strlen(dst);
    if (len < 2 || tp_below(s, 4) != 0)
        return;
    at = tp_below(s, (unsigned int)len);
    if (!((dst[at] >= 'a' && dst[at] <= 'z') ||
            (dst[at] >= 'A' && dst[at] <= 'Z')))
        return;
    switch (tp_below(s, 3)) {
    case 0:
        dst[at] = (char)('a' + tp_below(s, 26));
        break;
    case 1:
        memmove(dst + at, dst + at + 1, len - at);
        break;
    default:
        if (len + 1 < 96) {
            memmove(dst + at + 1, dst + at, len - at + 1);
        }
        break;
    }
}

/* ${n} decimal digits from ${s} into ${out}. */
static void
tp_digits(uint64_t *s, char *out, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        out[i] = (char)('0' + tp_below(s, 10));
    out[n] = '\0';
}

/* Make person ${i} in ${p}. */
static void
tp_person(unsigned int i, struct tp_person *p)
{
    uint64_t s = 0x5ee4ULL * 1000003ULL + i;
    const char *const *pc;
    size_t k, nother;

    memset(p, 0, sizeof *p);
    tp_name(&s, p->given,
        tp_given[tp_below(&s, sizeof tp_given / sizeof tp_given[0])]);
    tp_name(&s, p->family,
        tp_family[tp_below(&s, sizeof tp_family / sizeof tp_family[0])]);
    p->in.given = tp_below(&s, 20) == 0 ? NULL : p->given;
    p->in.family = tp_below(&s, 20) == 0 ? NULL : p->family;
    nother = tp_below(&s, 4);
    for (k = 0; k < nother && k < 2; k++) {
        tp_name(&s, p->other[k],
            tp_family[tp_below(&s, sizeof tp_family / sizeof tp_family[0])]);
        p->others[k] = p->other[k];
    }
    p->in.other_names = p->others;
    p->in.n_other_names = k;
    if ((p->in.has_dob = tp_below(&s, 10) != 0))
        p->in.dob = (int32_t)tp_below(&s, 35000) - 15000;
    if ((p->in.has_due = tp_below(&s, 12) == 0))
        p->in.due = 19000 + (int32_t)tp_below(&s, 600);
    p->in.sex = "FMXU\0"[tp_below(&s, 5)];
    if (tp_below(&s, 3) == 0) {
        tp_digits(&s, p->nhs, 10);
        p->in.nhs = p->nhs;
    }
    if (tp_below(&s, 4) == 0) {
        p->upn[0] = 'A';
        tp_digits(&s, p->upn + 1, 12);
        p->in.upn = p->upn;
    }
    if (tp_below(&s, 6) == 0) {
        tp_digits(&s, p->pnc, 11);
        p->pnc[4] = '/';
        p->in.pnc = p->pnc;
    }
    if (tp_below(&s, 5) != 0) {
        pc = tp_postcode[tp_below(
            &s, sizeof tp_postcode / sizeof tp_postcode[0])];
        p->in.postcode = pc[0];
        p->in.district = pc[1];
    }
    p->in.shielded = tp_below(&s, 10) == 0;
}

/*
 * The other side of pair ${k} (0, 1 or 2) of person ${i}: person i + 1;
 * person ${i} with person i + 1's family name; person ${i} with person
 * i + 2's given name (so that names differ where the rest agrees).
 */
static void
tp_other(unsigned int i, unsigned int k, struct tp_person *p)
{
    struct tp_person q;

    if (k == 0) {
        tp_person((i + 1) % TP_PERSONS, p);
        return;
    }
    tp_person(i, p);
    tp_person((i + k) % TP_PERSONS, &q);
    if (k == 1) {
        memcpy(p->family, q.family, sizeof p->family);
        p->in.family = q.in.family == NULL ? NULL : p->family;
    } else {
        memcpy(p->given, q.given, sizeof p->given);
        p->in.given = q.in.given == NULL ? NULL : p->given;
    }
}

#endif /* !SEEN_TESTS_TOKENS_PERSONS_H */
