/*
 * names.h: weighted name lists for England in the 2020s (children's given
 * names from recent ONS top names, adults' from 1965-2004 births, family
 * names by frequency), name variants and nicknames, and the small damages
 * agencies do to names (one-edit typos, stripped accents).
 */
#ifndef SYNTH_NAMES_H
#define SYNTH_NAMES_H

#include <stddef.h>

#include "rng.h"

enum synth_name_list {
    SYNTH_NAMES_BOY,        /* children born 2008 onwards */
    SYNTH_NAMES_GIRL,
    SYNTH_NAMES_MAN,        /* adults born 1965-2004 */
    SYNTH_NAMES_WOMAN,
    SYNTH_NAMES_OLDER_MAN,  /* grandparents, born 1945-1975 */
    SYNTH_NAMES_OLDER_WOMAN,
    SYNTH_NAMES_FAMILY,
    SYNTH_NAMES_COMMON_FAMILY, /* the commonest family names only */
    SYNTH_NAMES_N
};

/**
 * synth_names_init(void):
 * Build the cumulative weight tables.  Call once before the others.
 */
void synth_names_init(void);

/**
 * synth_names_pick(r, list, origin):
 * Return a name drawn from ${list} with its frequency weight (static
 * storage).  For a given-name list, ${origin} (the origin of the family
 * name, from synth_names_family) makes names of the same background
 * likelier; 'e' or 0 for none.
 */
const char *synth_names_pick(struct synth_rng *r, enum synth_name_list list,
    char origin);

/**
 * synth_names_family(r, origin):
 * Return a family name drawn by frequency and store its origin in
 * ${origin} ('e' for none in particular).
 */
const char *synth_names_family(struct synth_rng *r, char *origin);

/**
 * synth_names_family_like(r, origin):
 * Return a family name, most often of the origin ${origin} (as a partner's
 * would be), and store the origin of the name returned in ${origin}.
 */
const char *synth_names_family_like(struct synth_rng *r, char *origin);

/**
 * synth_names_pick_common(r, list, origin):
 * Return one of the ten commonest names of ${list} (of ${origin} when it
 * has any there).  For SYNTH_NAMES_COMMON_FAMILY, store the origin of
 * the name chosen in ${origin} instead when it is not NULL.
 */
const char *synth_names_pick_common(struct synth_rng *r,
    enum synth_name_list list, char *origin);

/**
 * synth_names_for_sex(family, female):
 * Return the family name a person of that sex would carry where the name
 * is sex-specific (Kaur and Singh, Begum and Bibi), else ${family}.
 */
const char *synth_names_for_sex(const char *family, int female);

/**
 * synth_names_variant(r, given):
 * Return a nickname or spelling variant of ${given} (Bill for William,
 * Muhammad for Mohammed, Shivaun for Siobhan...), chosen at random among
 * the known ones, or NULL when there is none.
 */
const char *synth_names_variant(struct synth_rng *r, const char *given);

/**
 * synth_names_typo(r, in, out, outlen):
 * Write ${in} with one edit (substitution of a neighbouring key, deletion,
 * doubling or transposition of ASCII letters, never the first letter) to
 * ${out}.  Returns 0, or -1 when no edit was possible (${out} = ${in}).
 */
int synth_names_typo(struct synth_rng *r, const char *in, char *out,
    size_t outlen);

/**
 * synth_names_ascii(in, out, outlen):
 * Write ${in} with the accents this generator uses stripped (Zoë -> Zoe,
 * Łukasz -> Lukasz) to ${out}.  Returns 1 when anything changed, else 0.
 */
int synth_names_ascii(const char *in, char *out, size_t outlen);

/**
 * synth_names_upper(in, out, outlen):
 * Write ${in} upper-cased (ASCII letters only) to ${out}.
 */
void synth_names_upper(const char *in, char *out, size_t outlen);

#endif /* !SYNTH_NAMES_H */
