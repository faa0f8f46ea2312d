#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "places.h"
#include "rng.h"

/* Postcode districts that lie (mostly) in each area. */
static const char *const herts_out[] = {
    "AL1", "AL2", "AL3", "AL4", "AL5", "AL6", "AL7", "AL8", "AL9", "AL10",
    "SG1", "SG2", "SG3", "SG4", "SG5", "SG6", "SG7", "SG8", "SG9", "SG10",
    "SG11", "SG12", "SG13", "SG14", "WD3", "WD4", "WD5", "WD6", "WD7",
    "WD17", "WD18", "WD19", "WD23", "WD24", "WD25", "HP1", "HP2", "HP3",
    "HP4", "EN6", "EN7", "EN8", "EN10", "EN11", "CM21", "CM23", NULL,
};
static const char *const hillingdon_out[] = {
    "UB3", "UB4", "UB7", "UB8", "UB9", "UB10", "HA4", "HA5", "HA6", NULL,
};
static const char *const norfolk_out[] = {
    "NR1", "NR2", "NR3", "NR4", "NR5", "NR6", "NR7", "NR8", "NR9", "NR10",
    "NR11", "NR12", "NR13", "NR14", "NR15", "NR16", "NR17", "NR18",
    "NR19", "NR20", "NR21", "NR22", "NR23", "NR24", "NR25", "NR26",
    "NR27", "NR28", "NR29", "NR30", "NR31", "PE30", "PE31", "PE32",
    "PE33", "PE34", "PE35", "PE36", "PE37", "PE38", "IP20", "IP21",
    "IP22", "IP24", "IP25", "IP26", NULL,
};
static const char *const nyorks_out[] = {
    "YO7", "YO8", "YO11", "YO12", "YO13", "YO14", "YO17", "YO21", "YO22",
    "YO60", "YO61", "YO62", "HG1", "HG2", "HG3", "HG4", "HG5", "DL6",
    "DL7", "DL8", "DL9", "DL10", "DL11", "BD23", "BD24", "TS9", NULL,
};
static const char *const reading_out[] = {
    "RG1", "RG2", "RG4", "RG6", "RG30", "RG31", NULL,
};
static const char *const redcar_out[] = {
    "TS6", "TS7", "TS8", "TS10", "TS11", "TS12", "TS13", "TS14", NULL,
};

static const char *const herts_st[] = {
    "St Albans Road", "Hatfield Road", "Watford Road", "Hitchin Road",
    "Cassio Road", "Bedford Road", "Ware Road", "Hempstead Road",
    "Stevenage Road", "Hertford Road", NULL,
};
static const char *const hillingdon_st[] = {
    "Uxbridge Road", "Long Lane", "Field End Road", "Yeading Lane",
    "Coldharbour Lane", "Hayes End Road", "Botwell Lane", "Swakeleys Road",
    "Kingshill Avenue", NULL,
};
static const char *const norfolk_st[] = {
    "Dereham Road", "Aylsham Road", "Unthank Road", "Gaywood Road",
    "Norwich Road", "Sprowston Road", "Magdalen Street", "Bowthorpe Road",
    "Lynn Road", NULL,
};
static const char *const nyorks_st[] = {
    "Skipton Road", "Leeds Road", "Ripon Road", "Falsgrave Road",
    "Castle Road", "Thirsk Road", "Selby Road", "Whitby Road",
    "Knaresborough Road", NULL,
};
static const char *const reading_st[] = {
    "Oxford Road", "Basingstoke Road", "Wokingham Road", "London Road",
    "Northumberland Avenue", "Tilehurst Road", "Whitley Wood Road",
    "Southcote Lane", "Caversham Road", "Shinfield Road", NULL,
};
static const char *const redcar_st[] = {
    "Normanby Road", "Redcar Lane", "Coatham Road", "Kirkleatham Lane",
    "Eston Road", "Lord Street", "Stokesley Road", "Guisborough Road",
    "West Dyke Road", NULL,
};

static const char *const generic_st[] = {
    "High Street", "Station Road", "Church Street", "Park Road",
    "Church Road", "Victoria Road", "Green Lane", "Manor Road",
    "Church Lane", "Park Avenue", "The Avenue", "The Crescent",
    "Queens Road", "New Road", "Grange Road", "Kings Road", "Mill Lane",
    "Alexandra Road", "Windsor Road", "Albert Road", "York Road",
    "School Lane", "Springfield Road", "North Street", "Stanley Road",
    "Highfield Road", "Orchard Close", "Chapel Street", "George Street",
    "Richmond Road", "Queen Street", "Elm Grove", "The Green",
    "Cedar Avenue", "Beech Road", "Meadow Way", "Brook Lane",
    "Hawthorn Close", "Willow Drive", "Chestnut Avenue", "Ash Grove",
    "Laburnum Road", "Sycamore Close", "Oak Tree Close", "St John's Road",
    "St Mary's Road", "Cromwell Road", "Nelson Street", "Wellington Road",
    "Marlborough Road", "Cambridge Road", "Mount Pleasant", "Rectory Lane",
    "Vicarage Road", "Coronation Road", "Jubilee Close", "Churchill Way",
    "Shakespeare Road", "Milton Avenue", "Priory Road", "Castle Street",
    "Market Street", "Bridge Street", "Water Lane", "Southfield Road",
    "Westfield Avenue", "Tennyson Road", "Kingsway", "Fairfield Road",
    "Poplar Avenue", "Holly Close", "Lime Grove", "Sandringham Road",
    "Balmoral Close", "Gladstone Street", "Primrose Way", "Foxglove Close",
    "Bluebell Drive", "Heather Close", "Ashfield Road", NULL,
};

static const struct {
    const char *name;
    const char *police, *council, *health, *probation;
    int la_code;
    const char *const *outward, *const *streets;
} known[] = {
    {"Hertfordshire", "HC", "HCC", "ENH", "EoE", 919, herts_out,
        herts_st},
    {"Hillingdon", "MPS", "LBH", "THH", "LDN", 312, hillingdon_out,
        hillingdon_st},
    {"Norfolk", "NC", "NCC", "NNUH", "EoE", 926, norfolk_out, norfolk_st},
    {"North Yorkshire", "NYP", "NYC", "HDFT", "YH", 815, nyorks_out,
        nyorks_st},
    {"Reading", "TVP", "RDG", "RBH", "SC", 870, reading_out, reading_st},
    {"Redcar and Cleveland", "CLE", "RCBC", "STH", "NE", 807, redcar_out,
        redcar_st},
};

/* Postcode areas for local authorities this generator does not know. */
static const char *const fallback_areas[] = {
    "LS", "M", "B", "S", "NE", "BS", "NG", "LE", "CV", "L", "SO", "PL",
};

static const char inward_letters[] = "ABDEFGHJLNPQRSTUWXYZ";

/* Compare LA names without regard to case, spacing or "&" for "and". */
static int
same_la(const char *a, const char *b)
{
    char na[128], nb[128];
    const char *s[2] = {a, b};
    char *d[2] = {na, nb};
    size_t i, o;

    for (i = 0; i < 2; i++) {
        o = 0;
        for (a = s[i]; *a != '\0' && o + 4 < sizeof na; a++) {
            if (*a == '&') {
                memcpy(d[i] + o, "and", 3);
                o += 3;
            } else if (isalnum((unsigned char)*a)) {
                d[i][o++] = (char)tolower((unsigned char)*a);
            }
        }
        d[i][o] = '\0';
    }
    return strcmp(na, nb) == 0;
}

/**
 * synth_place_initials(s, out, outlen):
 * Write up to four upper-case initials of the words of ${s} (or its first
 * three letters when it is one word) to ${out}: "thames-valley-police"
 * gives "TVP".
 */
void
synth_place_initials(const char *s, char *out, size_t outlen)
{
    size_t o = 0, words = 0;
    const char *p;
    int start = 1;

    for (p = s; *p != '\0'; p++) {
        if (isalnum((unsigned char)*p)) {
            if (start)
                words++;
            start = 0;
        } else {
            start = 1;
        }
    }
    start = 1;
    for (p = s; *p != '\0' && o + 1 < outlen && o < 4; p++) {
        if (!isalnum((unsigned char)*p)) {
            start = 1;
            continue;
        }
        if (start || (words == 1 && o < 3))
            out[o++] = (char)toupper((unsigned char)*p);
        start = 0;
    }
    if (o == 0 && outlen > 1)
        out[o++] = 'X';
    out[o] = '\0';
}

/**
 * synth_place_init(p, name):
 * Fill ${p} for the local authority ${name} (matched without regard to
 * case, "&" for "and"), or derive a fallback when it is not known.
 * ${name} must outlive ${p}.
 */
void
synth_place_init(struct synth_place *p, const char *name)
{
    uint64_t h = synth_hash(name);
    size_t i;

    memset(p, 0, sizeof(*p));
    p->name = name;
    for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (!same_la(name, known[i].name))
            continue;
        p->known = 1;
        snprintf(p->police, sizeof p->police, "%s", known[i].police);
        snprintf(p->council, sizeof p->council, "%s", known[i].council);
        snprintf(p->health, sizeof p->health, "%s", known[i].health);
        snprintf(p->probation, sizeof p->probation, "%s",
            known[i].probation);
        p->la_code = known[i].la_code;
        p->outward = known[i].outward;
        p->streets = known[i].streets;
        return;
    }
    synth_place_initials(name, p->council, 5);
    snprintf(p->police, sizeof p->police, "%sP", p->council);
    snprintf(p->health, sizeof p->health, "%sH", p->council);
    snprintf(p->probation, sizeof p->probation, "PS");
    p->la_code = 800 + (int)(h % 190);
    snprintf(p->fallback_area, sizeof p->fallback_area, "%s",
        fallback_areas[(h >> 16) %
        (sizeof(fallback_areas) / sizeof(fallback_areas[0]))]);
}

/**
 * synth_place_postcode(p, r, out):
 * Write a postcode in ${p} ("RG1 5DF") to ${out}.
 */
void
synth_place_postcode(const struct synth_place *p, struct synth_rng *r,
    char out[static SYNTH_POSTCODE_LEN])
{
    char outward[5];
    size_t n;

    if (p->outward != NULL) {
        for (n = 0; p->outward[n] != NULL; n++)
            continue;
        snprintf(outward, sizeof outward, "%s",
            p->outward[synth_rng_below(r, (uint32_t)n)]);
    } else {
        snprintf(outward, sizeof outward, "%.2s%c", p->fallback_area,
            (char)('1' + synth_rng_below(r, 9)));
    }
    snprintf(out, SYNTH_POSTCODE_LEN, "%s %c%c%c", outward,
        (char)('0' + synth_rng_below(r, 10)),
        inward_letters[synth_rng_below(r, 20)],
        inward_letters[synth_rng_below(r, 20)]);
}

/**
 * synth_place_address(p, r, out):
 * Write a street address in ${p} ("12 Oxford Road", "Flat 3, 27 Kings
 * Road") to ${out}.
 */
void
synth_place_address(const struct synth_place *p, struct synth_rng *r,
    char out[static SYNTH_ADDRESS_LEN])
{
    const char *street;
    size_t n;
    int num;

    if (p->streets != NULL && synth_rng_chance(r, 300)) {
        for (n = 0; p->streets[n] != NULL; n++)
            continue;
        street = p->streets[synth_rng_below(r, (uint32_t)n)];
    } else {
        for (n = 0; generic_st[n] != NULL; n++)
            continue;
        street = generic_st[synth_rng_below(r, (uint32_t)n)];
    }
    /* Low house numbers are commoner than high ones. */
    num = 1 + (int)synth_rng_below(r, synth_rng_chance(r, 700) ? 60 : 220);
    switch (synth_rng_below(r, 10)) {
    case 0:
    case 1:
        snprintf(out, SYNTH_ADDRESS_LEN, "Flat %d, %d %s",
            (int)synth_rng_range(r, 1, 24), num, street);
        break;
    case 2:
        snprintf(out, SYNTH_ADDRESS_LEN, "%d%c %s", num,
            synth_rng_chance(r, 800) ? 'a' : 'b', street);
        break;
    default:
        snprintf(out, SYNTH_ADDRESS_LEN, "%d %s", num, street);
        break;
    }
}
