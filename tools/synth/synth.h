/*
 * synth.h: shared types of seen-synth, the synthetic data generator.
 *
 * The generator works one household group at a time: a group is a
 * household and whatever else a planted case ties to it (the second
 * household of a perpetrator, a different person with the same name and
 * date of birth elsewhere).  synth_group_make() builds the people and the
 * events of one group; synth_group_emit() writes the records that the
 * federation's nodes would hold, the ground truth and the scenarios.
 * Memory is bounded by one group, whatever the number of households.
 */
#ifndef SYNTH_H
#define SYNTH_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ids.h"
#include "places.h"
#include "rng.h"

enum synth_agency {
    SYNTH_SOCIAL_CARE,
    SYNTH_POLICE,
    SYNTH_HEALTH,
    SYNTH_SCHOOL,
    SYNTH_PROBATION,
    SYNTH_YOUTH_JUSTICE,
    SYNTH_OTHER,
    SYNTH_NAGENCIES
};

enum synth_kind {
    SYNTH_K_DA,         /* domestic_abuse_incident (police) */
    SYNTH_K_DVDS,       /* dvds_disclosure (police) */
    SYNTH_K_MARAC,      /* marac_referral (police) */
    SYNTH_K_CIN,        /* child_in_need_assessment (social care) */
    SYNTH_K_STRATEGY,   /* strategy_meeting (social care) */
    SYNTH_K_CPP,        /* child_protection_plan (social care) */
    SYNTH_K_SAFETY,     /* safety_plan (social care) */
    SYNTH_K_MAT,        /* midwifery_booking (health) */
    SYNTH_K_HV,         /* health_visitor_contact (health) */
    SYNTH_K_ED,         /* ed_attendance (health) */
    SYNTH_K_SGC,        /* safeguarding_concern (health) */
    SYNTH_K_SCHOOL,     /* safeguarding_concern (school) */
    SYNTH_K_SUP,        /* supervision (probation) */
    SYNTH_K_YJ,         /* youth_justice (youth justice) */
    SYNTH_K_OTHER,      /* other (an IDVA service, a refuge) */
    SYNTH_NKINDS
};

enum synth_role {
    SYNTH_R_CHILD,
    SYNTH_R_UNBORN,
    SYNTH_R_VICTIM,
    SYNTH_R_PERP,
    SYNTH_R_PARENT,
    SYNTH_R_OTHER,
};

/* What a person is in their household. */
enum synth_pkind {
    SYNTH_P_MOTHER,
    SYNTH_P_PERP,
    SYNTH_P_CHILD,
    SYNTH_P_UNBORN,
    SYNTH_P_GRAND,
};

struct synth_node {
    const char *name;
    const char *agency;
    enum synth_agency type;
    int la;                     /* index into the world's LAs */
    FILE *f;
    uint64_t records;
    uint32_t counter;           /* record id serial */
    int ascii;                  /* its system strips accents */
    int upper;                  /* it records family names in capitals */
    int urn;                    /* school: unique reference number */
    char prefix[24];            /* record id prefix: "TVP", "RDG" */
};

struct synth_la {
    const char *name;
    struct synth_place place;
    int *nodes[SYNTH_NAGENCIES];    /* node indices by agency type */
    int nnodes[SYNTH_NAGENCIES];
};

struct synth_world {
    struct synth_node *nodes;
    int nnodes;
    struct synth_la *las;
    int nlas;
    uint64_t seed;
    int32_t start, end;         /* days since 1970-01-01, inclusive */
    struct synth_ids ids;
    FILE *truth, *scenarios;
    uint32_t next_pid;          /* persons written so far */
    uint64_t households;
    uint64_t records;
    uint64_t scenario_counts[32];
    int write_error;
};

#define SYNTH_MAX_PERSONS 48
#define SYNTH_MAX_HH 4
#define SYNTH_MAX_EVENTS 256
#define SYNTH_MAX_PEOPLE 16     /* per record */
#define SYNTH_MAX_CHILDREN 5

struct synth_person {
    enum synth_pkind kind;
    char sex;                   /* 'F' or 'M'; 'U' for the unborn */
    int hh;                     /* home household */
    int32_t dob;                /* days; 0 for the unborn */
    int32_t edd;                /* the unborn: expected due date */
    char origin;
    char given[48];
    char alt[48];               /* nickname or spelling variant, or "" */
    char family[64];
    char prev[64];              /* former family name, or "" */
    char alias[96];             /* an alias (full name) known to police */
    int hyphen;                 /* family name is double-barrelled */
    char nhs[SYNTH_NHS_LEN];       /* allocated when first written */
    int nhs_done;
    char upn[SYNTH_UPN_LEN];
    char pnc[SYNTH_PNC_LEN];
    char crn[8];                /* probation case reference */
    char pc[SYNTH_POSTCODE_LEN];    /* own address, when apart */
    char addr[SYNTH_ADDRESS_LEN];
    int apart;                  /* lives at pc/addr, not the household's */
    /* Filled in while emitting. */
    uint32_t pid;               /* 0 until written */
    uint64_t cooc;              /* persons named in a record with them */
    int las[4], nlas;           /* local authorities they appear in */
    unsigned seen;              /* SYNTH_SEEN_* */
    uint32_t perp_hh;           /* perpetrator: households' children */
};

#define SYNTH_SEEN_SC 0x01      /* in a social care record */
#define SYNTH_SEEN_HIGH 0x02    /* a child in a high-risk police record */
#define SYNTH_SEEN_DVDS 0x04    /* the subject of a DVDS disclosure */
#define SYNTH_SEEN_ALT 0x08     /* recorded by a nickname somewhere */
#define SYNTH_SEEN_PREV 0x10    /* former name recorded somewhere */
#define SYNTH_SEEN_PART 0x20    /* one part of a double-barrelled name */
#define SYNTH_SEEN_ALIAS 0x40   /* alias recorded somewhere */

struct synth_hh {
    int la[2];                  /* before and after the move */
    int32_t move;               /* 0: never moved */
    char pc[2][SYNTH_POSTCODE_LEN];
    char addr[2][SYNTH_ADDRESS_LEN];
    int32_t t0, t1;             /* when its events happen */
    int victim, perp, grand, unborn;    /* -1 when none */
    int child[SYNTH_MAX_CHILDREN], nchild;
    int32_t refuge;             /* from then on in refuge; 0: never */
    char refuge_pc[SYNTH_POSTCODE_LEN];
    int sc;                     /* known to social care */
    uint32_t before, after;     /* records written before and after move */
};

struct synth_event {
    enum synth_kind kind;
    enum synth_agency agency;
    int hh;
    int32_t date;
    int risk;                   /* 0 none, 1 standard .. 4 very_high */
    int child_present;          /* -1 not recorded, else 0 or 1 */
    int voice;                  /* 0 none, 1 child_voice, 2 not captured */
    int dvds;                   /* 0 none, 1 right_to_ask, 2 right_to_know */
    int encompass;              /* school: Operation Encompass notice */
    int n;
    int who[SYNTH_MAX_PEOPLE];
    enum synth_role role[SYNTH_MAX_PEOPLE];
    int seq;                    /* creation order, for a stable sort */
};

struct synth_group {
    uint64_t seed;
    struct synth_person p[SYNTH_MAX_PERSONS];
    int np;
    struct synth_hh h[SYNTH_MAX_HH];
    int nh;
    struct synth_event e[SYNTH_MAX_EVENTS];
    int ne;
    /* Planted cases (-1 when not planted). */
    int two_hh_perp;            /* perpetrator with two households */
    int same_a, same_b;         /* same name and date of birth */
    int father, son;            /* son named after his father */
};

/* Scenario counters, for the summary and the documentation. */
enum synth_scenario {
    SYNTH_S_PERP_TWO_LA,
    SYNTH_S_PERP_TWO_HH,
    SYNTH_S_SIBLINGS,
    SYNTH_S_TWINS,
    SYNTH_S_MOTHER_CHILD,
    SYNTH_S_SAME_NAME,
    SYNTH_S_UNBORN,
    SYNTH_S_MOVED,
    SYNTH_S_DVDS_SC,
    SYNTH_S_HIGH_NO_SC,
    SYNTH_S_CHANGED_NAME,
    SYNTH_S_HYPHEN,
    SYNTH_S_NICKNAME,
    SYNTH_S_FATHER_SON,
    SYNTH_S_SWAPPED,
    SYNTH_S_DOB_SWAP,
    SYNTH_S_TYPO,
    SYNTH_S_NO_DOB,
    SYNTH_S_BAD_ID,
    SYNTH_S_ALIAS,
    SYNTH_NSCENARIOS
};

extern const char *const synth_scenario_names[SYNTH_NSCENARIOS];
extern const char *const synth_kind_names[SYNTH_NKINDS];
extern const char *const synth_agency_names[SYNTH_NAGENCIES];

/**
 * synth_copy(dst, size, src):
 * Copy the string ${src} into ${dst} (${size} bytes), truncated to fit
 * (on a UTF-8 character boundary) and always terminated.
 */
static inline void
synth_copy(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);

    if (size == 0)
        return;
    if (n >= size) {
        n = size - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
            n--;
    }
    memmove(dst, src, n);
    dst[n] = '\0';
}

/* Dates as days since 1970-01-01 (proleptic Gregorian). */

/**
 * synth_days(y, m, d):
 * Return the day number of ${y}-${m}-${d}.
 */
int32_t synth_days(int y, int m, int d);

/**
 * synth_civil(days, y, m, d):
 * Store the year, month and day of day number ${days}.
 */
void synth_civil(int32_t days, int *y, int *m, int *d);

/**
 * synth_year(days):
 * Return the year of day number ${days}.
 */
int synth_year(int32_t days);

/**
 * synth_date_format(days, out):
 * Write "YYYY-MM-DD" for ${days} to ${out}.
 */
void synth_date_format(int32_t days, char out[static 11]);

/**
 * synth_date_parse(s, days):
 * Parse the valid date "YYYY-MM-DD" ${s} into ${days}.  Returns 0, or -1
 * when ${s} is not a valid date.
 */
int synth_date_parse(const char *s, int32_t *days);

/**
 * synth_age(dob, on):
 * Return the age in whole years on day ${on} of someone born on ${dob}.
 */
int synth_age(int32_t dob, int32_t on);

/**
 * synth_add_years(days, n):
 * Return the same day ${n} years later (29 February becomes 28).
 */
int32_t synth_add_years(int32_t days, int n);

/**
 * synth_group_make(g, w, la, index):
 * Build household group ${index} of local authority ${la} into ${g}:
 * its people, households and events, with planted cases.  Identifiers
 * are allocated from ${w}->ids.
 */
void synth_group_make(struct synth_group *g, struct synth_world *w, int la,
    uint64_t index);

/**
 * synth_events_make(g, w, r, hi, second):
 * Make the events of household ${hi} of ${g}, in the order agencies
 * would meet it, drawing from ${r}; ${second} when it is the
 * perpetrator's second household.  Events outside ${w}'s window, or past
 * SYNTH_MAX_EVENTS, are not made.
 */
void synth_events_make(struct synth_group *g, struct synth_world *w,
    struct synth_rng *r, int hi, int second);

/**
 * synth_group_emit(g, w):
 * Write the records of ${g} that the nodes of ${w} hold, the truth lines
 * and the scenario lines.  Sets ${w}->write_error on an output error.
 */
void synth_group_emit(struct synth_group *g, struct synth_world *w);

#endif /* !SYNTH_H */
