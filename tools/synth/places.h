/*
 * places.h: what the generator knows about a local authority: real
 * postcode districts, street names, the local police force, council and
 * NHS trust (for record ids), and the DfE LA code (for UPNs).  An unknown
 * local authority gets a plausible fallback derived from its name.
 */
#ifndef SYNTH_PLACES_H
#define SYNTH_PLACES_H

#include <stddef.h>

#include "rng.h"

#define SYNTH_POSTCODE_LEN 10   /* "CM23 4AB" and the NUL, with room */
#define SYNTH_ADDRESS_LEN 64

struct synth_place {
    const char *name;           /* as given (not copied) */
    int known;                  /* 1 for one of the built-in areas */
    char police[16];            /* force code: "TVP" */
    char council[8];            /* "RDG" */
    char health[16];            /* acute trust: "RBH" */
    char probation[16];         /* probation region: "SC" */
    int la_code;                /* DfE LA number: 870 */
    const char *const *outward; /* NULL-terminated district list */
    const char *const *streets; /* local street names, NULL-terminated */
    char fallback_area[4];      /* unknown areas: postcode area letters */
};

/**
 * synth_place_init(p, name):
 * Fill ${p} for the local authority ${name} (matched without regard to
 * case, "&" for "and"), or derive a fallback when it is not known.
 * ${name} must outlive ${p}.
 */
void synth_place_init(struct synth_place *p, const char *name);

/**
 * synth_place_postcode(p, r, out):
 * Write a postcode in ${p} ("RG1 5DF") to ${out}.
 */
void synth_place_postcode(const struct synth_place *p, struct synth_rng *r,
    char out[static SYNTH_POSTCODE_LEN]);

/**
 * synth_place_address(p, r, out):
 * Write a street address in ${p} ("12 Oxford Road", "Flat 3, 27 Kings
 * Road") to ${out}.
 */
void synth_place_address(const struct synth_place *p, struct synth_rng *r,
    char out[static SYNTH_ADDRESS_LEN]);

/**
 * synth_place_initials(s, out, outlen):
 * Write up to four upper-case initials of the words of ${s} (or its first
 * three letters when it is one word) to ${out}: "thames-valley-police"
 * gives "TVP".
 */
void synth_place_initials(const char *s, char *out, size_t outlen);

#endif /* !SYNTH_PLACES_H */
