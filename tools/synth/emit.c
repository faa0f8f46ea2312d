/*
 * emit.c: write one household group as the records each node would hold,
 * with the data quality of its agency type, plus the ground truth and
 * the scenarios.
 *
 * How an agency records a person is partly a property of that agency's
 * case record (a profile per person and node, drawn from a generator
 * seeded by both: an agency that misspelt a name misspells it every
 * time) and partly of the one record (a per-record generator).  Rates are
 * per mille and listed in docs/synth.md.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ids.h"
#include "jb.h"
#include "names.h"
#include "rng.h"
#include "synth.h"
#include "text.h"

/* Append the member ${key} (or, if NULL, an element) of the date ${days},
 * "YYYY-MM-DD". */
static void
jb_date(struct jb *j, const char *key, int32_t days)
{
    char d[11];

    synth_date_format(days, d);
    jb_str(j, key, d);
}

/* Append the member ${key} (or, if NULL, an element) of the person id
 * ${pid}, "P000123". */
static void
jb_pid(struct jb *j, const char *key, uint32_t pid)
{
    char p[16];

    snprintf(p, sizeof p, "P%06u", (unsigned)pid);
    jb_str(j, key, p);
}

static const char *const role_names[] = {
    "child", "unborn", "adult_victim", "perpetrator", "parent", "other",
};
static const char role_refs[] = "cuvpao";
static const char *const risk_names[] = {
    NULL, "standard", "medium", "high", "very_high",
};

/* Rates per agency type (social care, police, health, school, probation,
 * youth justice, other). */
static const uint32_t nhs_child[] = {900, 30, 1000, 750, 300, 700, 100};
static const uint32_t nhs_adult[] = {700, 20, 1000, 100, 300, 200, 100};
static const uint32_t upn_rate[] = {350, 0, 0, 1000, 0, 500, 0};
static const uint32_t pnc_rate[] = {50, 900, 0, 0, 1000, 700, 0};
static const uint32_t nodob_adult[] = {10, 40, 0, 20, 5, 5, 60};
static const uint32_t nodob_child[] = {5, 15, 0, 5, 5, 5, 30};
static const uint32_t addr_rate[] = {600, 500, 700, 400, 500, 500, 200};
static const uint32_t pc_rate[] = {920, 900, 980, 950, 900, 920, 700};
static const uint32_t summary_rate[] = {900, 950, 800, 900, 850, 850, 700};
static const uint32_t retain_rate[] = {300, 300, 300, 300, 300, 300, 300};

/* Per person-in-record noise. */
#define RATE_USE_ALT 350        /* an agency records the nickname */
#define RATE_PART_FIRST 170     /* double-barrelled: first part only */
#define RATE_PART_SECOND 150    /* ... second part only */
#define RATE_PREV_OTHER 450     /* former name in other_names */
#define RATE_PREV_STALE 100     /* former name still the family name */
#define RATE_ALIAS_REC 700      /* police/probation record the alias */
#define RATE_DOB_SWAP 12        /* day and month swapped, at that agency */
#define RATE_TYPO_KEPT 10       /* a misspelling in the agency's record */
#define RATE_TYPO_REC 5         /* a one-off misspelling */
#define RATE_SWAP 8             /* given and family name swapped */
#define RATE_BAD_ID 5           /* an identifier mistyped (wrong check) */
#define RATE_NHS_SPACED 350     /* "999 123 4567" */
#define RATE_SEX 900            /* sex recorded */

struct ctx {
    struct synth_group *g;
    struct synth_world *w;
    const struct synth_event *e;
    struct synth_node *node;
    int ni;
    char id[64];
    struct jb rec, truth, scen;
};

/* Begin in ${j} a scenario line of ${s}, and count it. */
static void
scen_begin(struct ctx *c, struct jb *j, enum synth_scenario s)
{

    jb_reset(j);
    jb_open(j, NULL, '{');
    jb_str(j, "scenario", synth_scenario_names[s]);
    c->w->scenario_counts[s]++;
}

/* A scenario line about one person in the current record. */
static void
scen_record(struct ctx *c, enum synth_scenario s, uint32_t pid,
    const char *ref, const char *field)
{
    struct jb *j = &c->scen;

    scen_begin(c, j, s);
    jb_pid(j, "person", pid);
    jb_str(j, "node", c->node->name);
    jb_str(j, "record", c->id);
    jb_str(j, "ref", ref);
    if (field != NULL)
        jb_str(j, "field", field);
    jb_close(j, '}');
    jb_line(j, c->w->scenarios, &c->w->write_error);
}

/* The current record's id into c->id: the node's prefix and serial, in
 * the form its agency type uses (docs/synth.md). */
static void
make_id(struct ctx *c)
{
    const struct synth_event *e = c->e;
    struct synth_node *n = c->node;
    const char *crn = "X000000";
    uint32_t k = n->counter++;
    int y, m, d, i;

    synth_civil(e->date, &y, &m, &d);
    switch (e->kind) {
    case SYNTH_K_DA:
        snprintf(c->id, sizeof c->id, "%s-DA-%04d-%05u", n->prefix, y, k);
        break;
    case SYNTH_K_DVDS:
        snprintf(c->id, sizeof c->id, "%s-DVDS-%04d-%04u", n->prefix, y, k);
        break;
    case SYNTH_K_MARAC:
        snprintf(c->id, sizeof c->id, "%s-MARAC-%04d-%04u", n->prefix, y,
            k);
        break;
    case SYNTH_K_CIN:
        snprintf(c->id, sizeof c->id, "%s-CIN-%06u", n->prefix,
            100000 + k);
        break;
    case SYNTH_K_STRATEGY:
        snprintf(c->id, sizeof c->id, "%s-SM-%06u", n->prefix, 100000 + k);
        break;
    case SYNTH_K_CPP:
        snprintf(c->id, sizeof c->id, "%s-CPP-%06u", n->prefix,
            100000 + k);
        break;
    case SYNTH_K_SAFETY:
        snprintf(c->id, sizeof c->id, "%s-SP-%06u", n->prefix, 100000 + k);
        break;
    case SYNTH_K_MAT:
        snprintf(c->id, sizeof c->id, "%s-MAT-%05u", n->prefix, 10000 + k);
        break;
    case SYNTH_K_HV:
        snprintf(c->id, sizeof c->id, "%s-HV-%06u", n->prefix, 100000 + k);
        break;
    case SYNTH_K_ED:
        snprintf(c->id, sizeof c->id, "%s-ED-%02d-%06u", n->prefix, y % 100,
            k);
        break;
    case SYNTH_K_SGC:
        snprintf(c->id, sizeof c->id, "%s-SG-%05u", n->prefix, 10000 + k);
        break;
    case SYNTH_K_SCHOOL:
        snprintf(c->id, sizeof c->id, "CPOMS-%06d-%05u", n->urn, k);
        break;
    case SYNTH_K_SUP:
        for (i = 0; i < e->n; i++)
            if (c->g->p[e->who[i]].kind == SYNTH_P_PERP)
                crn = c->g->p[e->who[i]].crn;
        snprintf(c->id, sizeof c->id, "%s-%s-%05u", n->prefix, crn, k);
        break;
    case SYNTH_K_YJ:
        snprintf(c->id, sizeof c->id, "%s-YJ-%04d-%04u", n->prefix, y, k);
        break;
    default:
        snprintf(c->id, sizeof c->id, "IDVA-%s-%05u", n->prefix, k);
        break;
    }
}

/* Split "Ward-Holt" and keep part ${which} (0 or 1). */
static void
name_part(const char *in, int which, char *out, size_t outlen)
{
    const char *dash = strchr(in, '-');

    if (dash == NULL)
        snprintf(out, outlen, "%s", in);
    else if (which == 0)
        snprintf(out, outlen, "%.*s", (int)(dash - in), in);
    else
        snprintf(out, outlen, "%s", dash + 1);
}

/* Write an identifier, mistyped now and then with a wrong check. */
static int
put_id(struct jb *j, const char *key, const char *id, struct synth_rng *rr,
    int spaced)
{
    static const char upn_letters[] = "ABCDEFGHJKLMNPQRTUVWXYZ";
    char buf[20];
    size_t len = strlen(id);
    const char *p;
    int bad = 0;

    synth_copy(buf, sizeof buf, id);
    if (synth_rng_chance(rr, RATE_BAD_ID) && len > 0) {
        bad = 1;
        if (strcmp(key, "upn") == 0) {
            p = strchr(upn_letters, buf[0]);
            buf[0] = upn_letters[((p ? p - upn_letters : 0) + 1 +
                synth_rng_below(rr, 22)) % 23];
        } else if (strcmp(key, "pnc_id") == 0) {
            p = strchr(upn_letters, buf[len - 1]);
            buf[len - 1] = upn_letters[((p ? p - upn_letters : 0) + 1 +
                synth_rng_below(rr, 22)) % 23];
        } else {
            buf[len - 1] = (char)('0' + (buf[len - 1] - '0' + 1 +
                (int)synth_rng_below(rr, 9)) % 10);
        }
    }
    if (spaced && len == 10) {
        char sp[16];

        snprintf(sp, sizeof sp, "%.3s %.3s %.4s", buf, buf + 3, buf + 6);
        jb_str(j, key, sp);
    } else {
        jb_str(j, key, buf);
    }
    return bad;
}

/* 1 if someone in ${e} has ${role}, else 0. */
static int
has_role(const struct synth_event *e, enum synth_role role)
{
    int i;

    for (i = 0; i < e->n; i++)
        if (e->role[i] == role)
            return 1;
    return 0;
}

/* The day until which the current record is kept, by its agency's
 * rule. */
static int32_t
retain(const struct ctx *c)
{
    const struct synth_event *e = c->e;
    int32_t youngest = 0;
    int i;

    for (i = 0; i < e->n; i++)
        if (e->role[i] == SYNTH_R_CHILD &&
            c->g->p[e->who[i]].dob > youngest)
            youngest = c->g->p[e->who[i]].dob;
    switch (e->agency) {
    case SYNTH_POLICE:
        return synth_add_years(e->date, 10);
    case SYNTH_PROBATION:
        return synth_add_years(e->date, 7);
    case SYNTH_OTHER:
        return synth_add_years(e->date, 6);
    default:
        /* Children's records: to the youngest child's 25th birthday. */
        if (youngest != 0)
            return synth_add_years(youngest, 25);
        return synth_add_years(e->date, 8);
    }
}

/*
 * How one agency holds one person, and what one record of theirs there
 * writes and did to them.  The profile is drawn from a generator seeded
 * by the person and the node, so an agency that misspelt a name
 * misspells it every time; the rest from the record's generator.
 */
struct held {
    /* The agency's profile of the person. */
    int use_alt;                /* records the nickname or variant */
    int part;                   /* which part of a double-barrelled name */
    int prevm;                  /* what it does with a former name */
    int dob_swap;               /* day and month swapped */
    int typo_f, typo_g;         /* family or given name misspelt */
    int has_nhs, has_upn, has_pnc, spaced, has_sex;
    int alias;                  /* records the alias */

    /* This record. */
    char ref[16];
    char given[96], family[96], prevname[160];
    int typo;                   /* 1: family name misspelt; 2: given */
    int swapped;                /* given and family names swapped */
    int nodob;                  /* no date of birth */
    int bad;                    /* 1, 2, 4: NHS number, UPN, PNC id */
};

/*
 * Draw the profile of ${p}, person ${who} of the group, at the current
 * node into ${hd}, from ${pr}, which is seeded here and left for the
 * profile's later draws.  ${young}: a child or the unborn.
 */
static void
held_profile(struct ctx *c, int who, const struct synth_person *p,
    int young, struct synth_rng *pr, struct held *hd)
{
    enum synth_agency ag = c->e->agency;

    synth_rng_seed(pr, synth_rng_mix(synth_rng_mix(c->g->seed,
        UINT64_C(0x200000) + (uint64_t)who), (uint64_t)c->ni));
    hd->use_alt = p->alt[0] != '\0' && synth_rng_chance(pr, RATE_USE_ALT);
    hd->part = (int)synth_rng_below(pr, 1000);
    hd->prevm = (int)synth_rng_below(pr, 1000);
    hd->dob_swap = synth_rng_chance(pr, RATE_DOB_SWAP);
    hd->typo_f = synth_rng_chance(pr, RATE_TYPO_KEPT);
    hd->typo_g = synth_rng_chance(pr, RATE_TYPO_KEPT);
    hd->has_nhs = synth_rng_chance(pr, young ? nhs_child[ag] :
        nhs_adult[ag]);
    hd->has_upn = synth_rng_chance(pr, upn_rate[ag]);
    hd->has_pnc = synth_rng_chance(pr, pnc_rate[ag]);
    hd->spaced = synth_rng_chance(pr, RATE_NHS_SPACED);
    hd->has_sex = synth_rng_chance(pr, RATE_SEX);
    hd->alias = p->alias[0] != '\0' && (ag == SYNTH_POLICE ||
        ag == SYNTH_PROBATION) && synth_rng_chance(pr, RATE_ALIAS_REC);
}

/*
 * The names of ${p} as this record has them, into ${hd}: the nickname,
 * one part of a double-barrelled name, a former name, the node's accents
 * and capitals, misspellings (the profile's from ${pr}, a one-off from
 * ${rr}) and given and family names swapped.
 */
static void
held_names(struct ctx *c, struct synth_person *p, struct synth_rng *pr,
    struct synth_rng *rr, struct held *hd, int unborn)
{
    char tmp[96];

    synth_copy(hd->given, sizeof hd->given, hd->use_alt ? p->alt : p->given);
    synth_copy(hd->family, sizeof hd->family, p->family);
    if (p->hyphen && hd->part < RATE_PART_FIRST + RATE_PART_SECOND) {
        name_part(p->family, hd->part >= RATE_PART_FIRST, hd->family,
            sizeof hd->family);
        p->seen |= SYNTH_SEEN_PART;
    }
    hd->prevname[0] = '\0';
    if (p->prev[0] != '\0' && hd->prevm < RATE_PREV_OTHER) {
        snprintf(hd->prevname, sizeof hd->prevname, "%s %s", p->given,
            p->prev);
        p->seen |= SYNTH_SEEN_PREV;
    } else if (p->prev[0] != '\0' &&
        hd->prevm < RATE_PREV_OTHER + RATE_PREV_STALE) {
        synth_copy(hd->family, sizeof hd->family, p->prev);
        p->seen |= SYNTH_SEEN_PREV;
    }
    if (hd->use_alt)
        p->seen |= SYNTH_SEEN_ALT;
    if (c->node->ascii) {
        synth_names_ascii(hd->given, tmp, sizeof tmp);
        synth_copy(hd->given, sizeof hd->given, tmp);
        synth_names_ascii(hd->family, tmp, sizeof tmp);
        synth_copy(hd->family, sizeof hd->family, tmp);
    }
    if (!unborn && hd->typo_f && synth_names_typo(pr, hd->family, tmp,
        sizeof tmp) == 0) {
        synth_copy(hd->family, sizeof hd->family, tmp);
        hd->typo |= 1;
    }
    if (!unborn && hd->typo_g && synth_names_typo(pr, hd->given, tmp,
        sizeof tmp) == 0) {
        synth_copy(hd->given, sizeof hd->given, tmp);
        hd->typo |= 2;
    }
    if (!unborn && synth_rng_chance(rr, RATE_TYPO_REC)) {
        if (synth_rng_chance(rr, 500)) {
            if (synth_names_typo(rr, hd->family, tmp, sizeof tmp) == 0) {
                synth_copy(hd->family, sizeof hd->family, tmp);
                hd->typo |= 1;
            }
        } else if (synth_names_typo(rr, hd->given, tmp, sizeof tmp) == 0) {
            synth_copy(hd->given, sizeof hd->given, tmp);
            hd->typo |= 2;
        }
    }
    if (c->node->upper) {
        synth_names_upper(hd->family, tmp, sizeof tmp);
        synth_copy(hd->family, sizeof hd->family, tmp);
    }
    if (!unborn && synth_rng_chance(rr, RATE_SWAP)) {
        synth_copy(tmp, sizeof tmp, hd->given);
        synth_copy(hd->given, sizeof hd->given, hd->family);
        synth_copy(hd->family, sizeof hd->family, tmp);
        hd->swapped = 1;
    }
}

/* Open the person's object in the record: ref, role and names. */
static void
put_names(struct ctx *c, struct synth_person *p, const struct held *hd,
    enum synth_role role, int unborn)
{
    struct jb *j = &c->rec;
    char tmp[96];

    jb_open(j, NULL, '{');
    jb_str(j, "ref", hd->ref);
    jb_str(j, "role", role_names[role]);
    if (unborn)
        jb_lit(j, "given_name", "null");
    else
        jb_str(j, "given_name", hd->given);
    jb_str(j, "family_name", hd->family);
    if (hd->prevname[0] == '\0' && !hd->alias)
        return;
    jb_open(j, "other_names", '[');
    if (hd->prevname[0] != '\0') {
        if (c->node->ascii) {
            synth_names_ascii(hd->prevname, tmp, sizeof tmp);
            jb_str(j, NULL, tmp);
        } else {
            jb_str(j, NULL, hd->prevname);
        }
    }
    if (hd->alias) {
        jb_str(j, NULL, p->alias);
        p->seen |= SYNTH_SEEN_ALIAS;
    }
    jb_close(j, ']');
}

/*
 * The person's dates (expected due date, or date of birth: left out, or
 * day and month swapped where the profile says and the result is a date
 * not in the future) and sex.
 */
static void
put_dates(struct ctx *c, const struct synth_person *p, struct synth_rng *rr,
    struct held *hd, int unborn, int child)
{
    enum synth_agency ag = c->e->agency;
    struct jb *j = &c->rec;
    char d[11];
    int y, m, dd;

    if (unborn) {
        jb_date(j, "expected_due_date", p->edd);
    } else if (synth_rng_chance(rr, child ? nodob_child[ag] :
        nodob_adult[ag])) {
        hd->nodob = 1;
        if (synth_rng_chance(rr, 500))
            jb_lit(j, "date_of_birth", "null");
    } else {
        synth_civil(p->dob, &y, &m, &dd);
        synth_date_format(p->dob, d);
        /* Swapped only where the result is a date, and not a future
         * one. */
        if (hd->dob_swap && dd <= 12 && dd != m &&
            synth_days(y, dd, m) <= c->e->date) {
            d[5] = (char)('0' + dd / 10);
            d[6] = (char)('0' + dd % 10);
            d[8] = (char)('0' + m / 10);
            d[9] = (char)('0' + m % 10);
        } else {
            hd->dob_swap = 0;
        }
        jb_str(j, "date_of_birth", d);
    }
    if (unborn) {
        if (synth_rng_chance(rr, 300))
            jb_str(j, "sex", "U");
    } else if (hd->has_sex) {
        jb_str(j, "sex", p->sex == 'M' ? "M" : "F");
    }
}

/* The person's identifiers the agency holds, each now and then mistyped. */
static void
put_ids(struct ctx *c, struct synth_person *p, struct synth_rng *rr,
    struct held *hd, int unborn, int child)
{
    struct jb *j = &c->rec;

    /* NHS numbers are allocated when first written, so that the 999
     * range lasts. */
    if (hd->has_nhs && !unborn && !p->nhs_done) {
        (void)synth_ids_nhs(&c->w->ids, p->nhs);
        p->nhs_done = 1;
    }
    if (hd->has_nhs && p->nhs[0] != '\0' && put_id(j, "nhs_number", p->nhs,
        rr, hd->spaced))
        hd->bad |= 1;
    if (hd->has_upn && child && p->upn[0] != '\0' && put_id(j, "upn",
        p->upn, rr, 0))
        hd->bad |= 2;
    if (hd->has_pnc && p->pnc[0] != '\0' && put_id(j, "pnc_id", p->pnc, rr,
        0))
        hd->bad |= 4;
}

/*
 * Where the person lives (a refuge's postcode only, while ${refuge}; their
 * own address when apart; else the household's on its ${side} of a
 * move), and close the person's object.
 */
static void
put_home(struct ctx *c, const struct synth_person *p, struct synth_rng *rr,
    int refuge, int side, int unborn)
{
    const struct synth_hh *h = &c->g->h[c->e->hh];
    enum synth_agency ag = c->e->agency;
    struct jb *j = &c->rec;
    const char *pc;
    int in_refuge;

    in_refuge = refuge && (p->kind == SYNTH_P_MOTHER ||
        p->kind == SYNTH_P_CHILD || p->kind == SYNTH_P_UNBORN);
    if (in_refuge)
        pc = h->refuge_pc;
    else if (p->apart)
        pc = p->pc;
    else
        pc = h->pc[side];
    if (pc[0] != '\0' && synth_rng_chance(rr, pc_rate[ag]))
        jb_str(j, "postcode", pc);
    if (!in_refuge && !unborn &&
        synth_rng_chance(rr, addr_rate[ag]))
        jb_str(j, "address", p->apart ? p->addr : h->addr[side]);
    jb_close(j, '}');
}

/*
 * The truth line's "noise": the kinds of difference between this
 * record's copy of ${p} and the person's true details (docs/synth2.md
 * names them; both generators use the same names).  Only reads what was
 * drawn, so the records are the same bytes as without it.
 */
static void
truth_noise(struct ctx *c, const struct synth_person *p,
    const struct held *hd, int unborn)
{
    struct jb *j = &c->truth;

    jb_open(j, "noise", '[');
    if (unborn)
        jb_str(j, NULL, "unborn");
    if (hd->use_alt)
        jb_str(j, NULL, "nickname");
    if (hd->typo)
        jb_str(j, NULL, "typo");
    if (p->hyphen && hd->part < RATE_PART_FIRST + RATE_PART_SECOND)
        jb_str(j, NULL, "hyphen");
    if (p->prev[0] != '\0' && hd->prevm >= RATE_PREV_OTHER &&
        hd->prevm < RATE_PREV_OTHER + RATE_PREV_STALE)
        jb_str(j, NULL, "former_name");
    if (hd->swapped)
        jb_str(j, NULL, "swapped");
    if (hd->nodob)
        jb_str(j, NULL, "date_missing");
    else if (hd->dob_swap && !unborn)
        jb_str(j, NULL, "date_swap");
    if (!unborn && (!hd->has_nhs || p->nhs[0] == '\0'))
        jb_str(j, NULL, "nhs_missing");
    else if (!unborn && (hd->bad & 1))
        jb_str(j, NULL, "nhs_typo");
    jb_close(j, ']');
}

/* The truth line of the person in this record, and a scenario line for
 * each thing done to them here. */
static void
person_truth(struct ctx *c, const struct synth_person *p,
    const struct held *hd, enum synth_role role, int unborn)
{

    jb_open(&c->truth, NULL, '{');
    jb_str(&c->truth, "node", c->node->name);
    jb_str(&c->truth, "record", c->id);
    jb_str(&c->truth, "ref", hd->ref);
    jb_pid(&c->truth, "person", p->pid);
    jb_str(&c->truth, "role", role_names[role]);
    truth_noise(c, p, hd, unborn);
    jb_close(&c->truth, '}');
    jb_raw(&c->truth, "\n", 1);
    c->truth.comma[0] = 0;

    if (hd->swapped)
        scen_record(c, SYNTH_S_SWAPPED, p->pid, hd->ref, NULL);
    if (hd->dob_swap && !hd->nodob && !unborn)
        scen_record(c, SYNTH_S_DOB_SWAP, p->pid, hd->ref, NULL);
    if (hd->typo & 1)
        scen_record(c, SYNTH_S_TYPO, p->pid, hd->ref, "family_name");
    if (hd->typo & 2)
        scen_record(c, SYNTH_S_TYPO, p->pid, hd->ref, "given_name");
    if (hd->nodob)
        scen_record(c, SYNTH_S_NO_DOB, p->pid, hd->ref, NULL);
    if (hd->bad & 1)
        scen_record(c, SYNTH_S_BAD_ID, p->pid, hd->ref, "nhs_number");
    if (hd->bad & 2)
        scen_record(c, SYNTH_S_BAD_ID, p->pid, hd->ref, "upn");
    if (hd->bad & 4)
        scen_record(c, SYNTH_S_BAD_ID, p->pid, hd->ref, "pnc_id");
}

/*
 * Write person ${k} of the current record, drawing what is particular to
 * this record from ${rr}; ${refuge}: the record is shielded; ${side}: of
 * the household's move; ${nref}: refs given so far, by role.
 */
static void
emit_person(struct ctx *c, int k, struct synth_rng *rr, int refuge,
    int side, int *nref)
{
    const struct synth_event *e = c->e;
    struct synth_person *p = &c->g->p[e->who[k]];
    enum synth_role role = e->role[k];
    int unborn = p->kind == SYNTH_P_UNBORN, child = role == SYNTH_R_CHILD;
    struct synth_rng pr;
    struct held hd;

    memset(&hd, 0, sizeof hd);
    held_profile(c, e->who[k], p, child || unborn, &pr, &hd);
    if (p->pid == 0)
        p->pid = ++c->w->next_pid;
    snprintf(hd.ref, sizeof hd.ref, "%c%u", role_refs[role],
        (unsigned)++nref[role] % 100u);
    held_names(c, p, &pr, rr, &hd, unborn);
    put_names(c, p, &hd, role, unborn);
    put_dates(c, p, rr, &hd, unborn, child);
    put_ids(c, p, rr, &hd, unborn, child);
    put_home(c, p, rr, refuge, side, unborn);
    person_truth(c, p, &hd, role, unborn);
}

/* Note that ${p} appears in local authority ${la} (the first four). */
static void
note_la(struct synth_person *p, int la)
{
    int i;

    for (i = 0; i < p->nlas; i++)
        if (p->las[i] == la)
            return;
    if (p->nlas < 4)
        p->las[p->nlas++] = la;
}

/*
 * The node of local authority ${la} of ${w} that holds ${e}: the one of
 * its type, or one chosen for the household where two share the
 * authority.  Returns its index, or -1 when no node of the type is there.
 */
static int
event_node(const struct synth_group *g, const struct synth_world *w,
    const struct synth_event *e, int la)
{
    const struct synth_la *L = &w->las[la];

    if (L->nnodes[e->agency] == 0)
        return -1;
    return L->nodes[e->agency][L->nnodes[e->agency] == 1 ? 0 :
        synth_rng_mix(g->seed, (uint64_t)e->hh * 16 + e->agency) %
        (uint64_t)L->nnodes[e->agency]];
}

/* The summary's flags for the current record (text.h). */
static unsigned
summary_flags(const struct ctx *c, int refuge, int oldest)
{
    const struct synth_event *e = c->e;
    unsigned flags = 0;

    if (oldest >= 0)
        flags |= SYNTH_TEXT_CHILDREN;
    if (c->g->h[e->hh].sc)
        flags |= SYNTH_TEXT_SC;
    if (refuge)
        flags |= SYNTH_TEXT_REFUGE;
    if (has_role(e, SYNTH_R_UNBORN))
        flags |= SYNTH_TEXT_UNBORN;
    if (e->dvds == 1)
        flags |= SYNTH_TEXT_ASK;
    if (e->kind == SYNTH_K_ED && oldest >= 0)
        flags |= SYNTH_TEXT_CHILD_ED;
    if (e->encompass)
        flags |= SYNTH_TEXT_ENCOMPASS;
    return flags;
}

/*
 * Open the current record in ${L} and write its fields before the
 * people, drawing from ${rr}; ${refuge}: shielded.
 */
static void
put_event_fields(struct ctx *c, const struct synth_la *L,
    struct synth_rng *rr, int refuge)
{
    const struct synth_event *e = c->e;
    struct jb *j = &c->rec;
    char text[512];
    int k, age, oldest = -1, young;

    for (k = 0; k < e->n; k++) {
        if (e->role[k] != SYNTH_R_CHILD)
            continue;
        age = synth_age(c->g->p[e->who[k]].dob, e->date);
        if (age > oldest)
            oldest = age;
    }
    young = oldest < 4;

    jb_open(j, NULL, '{');
    jb_str(j, "id", c->id);
    jb_str(j, "kind", synth_kind_names[e->kind]);
    jb_date(j, "date", e->date);
    jb_str(j, "local_authority", L->name);
    if (e->risk > 0)
        jb_str(j, "risk", risk_names[e->risk]);
    if (e->child_present >= 0)
        jb_lit(j, "child_present", e->child_present ? "true" : "false");
    if (e->voice == 1 && oldest >= 4)
        jb_str(j, "child_voice", synth_text_voice(rr, oldest));
    else if (e->voice == 2)
        jb_str(j, "child_voice_not_captured",
            synth_text_not_captured(rr, young));
    if (e->dvds)
        jb_str(j, "dvds", e->dvds == 1 ? "right_to_ask" : "right_to_know");
    if (refuge)
        jb_lit(j, "shielded", "true");
    if (synth_rng_chance(rr, retain_rate[e->agency]))
        jb_date(j, "retain_until", retain(c));
    if (synth_rng_chance(rr, summary_rate[e->agency])) {
        synth_text_summary(rr, e->kind, summary_flags(c, refuge, oldest),
            text, sizeof text);
        jb_str(j, "summary", text);
    }
}

/*
 * Write the current record and its truth lines, and count it (on ${h}'s
 * ${side} of a move).
 */
static void
event_write(struct ctx *c, struct synth_hh *h, int side)
{
    struct synth_world *w = c->w;

    jb_line(&c->rec, c->node->f, &w->write_error);
    if (!c->truth.overflow &&
        fwrite(c->truth.buf, 1, c->truth.len, w->truth) != c->truth.len)
        w->write_error = 1;
    if (c->truth.overflow)
        w->write_error = 1;
    c->node->records++;
    w->records++;
    if (h->move != 0) {
        if (side)
            h->after++;
        else
            h->before++;
    }
}

/*
 * Note what the group-level scenarios need to know of the written ${e},
 * in local authority ${la}: who was named with whom, where, and in what.
 */
static void
event_note(struct synth_group *g, const struct synth_event *e, int la)
{
    struct synth_person *p;
    uint64_t mask = 0;
    int k, i;

    for (k = 0; k < e->n; k++)
        mask |= UINT64_C(1) << e->who[k];
    for (k = 0; k < e->n; k++) {
        p = &g->p[e->who[k]];
        p->cooc |= mask;
        note_la(p, la);
        if (e->agency == SYNTH_SOCIAL_CARE)
            p->seen |= SYNTH_SEEN_SC;
        if (e->agency == SYNTH_POLICE && e->risk >= 3 &&
            e->role[k] == SYNTH_R_CHILD)
            p->seen |= SYNTH_SEEN_HIGH;
        if (e->kind == SYNTH_K_DVDS && e->role[k] == SYNTH_R_PERP)
            p->seen |= SYNTH_SEEN_DVDS;
    }
    for (k = 0; k < e->n; k++) {
        if (e->role[k] != SYNTH_R_PERP)
            continue;
        for (i = 0; i < e->n; i++)
            if (e->role[i] == SYNTH_R_CHILD)
                g->p[e->who[k]].perp_hh |=
                    1u << g->p[e->who[i]].hh;
    }
}

/* Write the record of ${e}, if a node of ${w} holds it, with ${c}. */
static void
emit_event(struct synth_group *g, struct synth_world *w,
    const struct synth_event *e, struct ctx *c)
{
    struct synth_hh *h = &g->h[e->hh];
    struct synth_rng rr;
    struct jb *j = &c->rec;
    int side, la, ni, k, refuge, nref[6] = {0};

    side = h->move != 0 && e->date >= h->move;
    la = h->la[side];
    if ((ni = event_node(g, w, e, la)) < 0)
        return;
    c->e = e;
    c->ni = ni;
    c->node = &w->nodes[ni];
    synth_rng_seed(&rr, synth_rng_mix(g->seed,
        UINT64_C(0x100000) + (uint64_t)e->seq));
    make_id(c);
    refuge = h->refuge != 0 && e->date >= h->refuge &&
        (e->agency == SYNTH_POLICE || e->agency == SYNTH_SOCIAL_CARE ||
        e->agency == SYNTH_OTHER || e->agency == SYNTH_HEALTH);

    jb_reset(j);
    jb_reset(&c->truth);
    put_event_fields(c, &w->las[la], &rr, refuge);
    jb_open(j, "people", '[');
    for (k = 0; k < e->n; k++)
        emit_person(c, k, &rr, refuge, side, nref);
    jb_close(j, ']');
    jb_close(j, '}');
    event_write(c, h, side);
    event_note(g, e, la);
}

/* Scenario helpers over the persons written. */

/* Append the array ${key} of the person ids of the ${n} persons ${who}
 * that were written. */
static void
pid_list(struct jb *j, const char *key, const struct synth_group *g,
    const int *who, int n)
{
    int i;

    jb_open(j, key, '[');
    for (i = 0; i < n; i++)
        if (g->p[who[i]].pid != 0)
            jb_pid(j, NULL, g->p[who[i]].pid);
    jb_close(j, ']');
}

/* Copy to ${out} those of the ${n} persons ${who} that were written (not
 * -1, with a person id); return how many. */
static int
written(const struct synth_group *g, const int *who, int n, int *out)
{
    int i, k = 0;

    for (i = 0; i < n; i++)
        if (who[i] >= 0 && g->p[who[i]].pid != 0)
            out[k++] = who[i];
    return k;
}

/* Append the array ${key} of the names of the ${n} local authorities
 * ${las} of ${w}. */
static void
la_list(struct jb *j, const char *key, const struct synth_world *w,
    const int *las, int n)
{
    int i;

    jb_open(j, key, '[');
    for (i = 0; i < n; i++)
        jb_str(j, NULL, w->las[las[i]].name);
    jb_close(j, ']');
}

/* End the scenario line in ${j} and write it. */
static void
scen_end(struct ctx *c, struct jb *j)
{

    jb_close(j, '}');
    jb_line(j, c->w->scenarios, &c->w->write_error);
}

/*
 * The scenarios of the children of household ${h} written: siblings,
 * twins, mother and child, a double-barrelled name recorded in part.
 */
static void
children_scenarios(struct ctx *c, const struct synth_group *g,
    const struct synth_hh *h)
{
    struct jb *j = &c->scen;
    int kids[SYNTH_MAX_PERSONS], nk, hyph[SYNTH_MAX_PERSONS], nh, i, k;
    int pair[2];

    nk = written(g, h->child, h->nchild, kids);
    if (nk >= 2) {
        scen_begin(c, j, SYNTH_S_SIBLINGS);
        pid_list(j, "persons", g, kids, nk);
        scen_end(c, j);
    }
    for (i = 0; i < nk; i++)
        for (k = i + 1; k < nk; k++)
            if (g->p[kids[i]].dob == g->p[kids[k]].dob) {
                pair[0] = kids[i];
                pair[1] = kids[k];
                scen_begin(c, j, SYNTH_S_TWINS);
                pid_list(j, "persons", g, pair, 2);
                scen_end(c, j);
            }
    if (nk >= 1 && g->p[h->victim].pid != 0) {
        scen_begin(c, j, SYNTH_S_MOTHER_CHILD);
        jb_pid(j, "mother", g->p[h->victim].pid);
        pid_list(j, "children", g, kids, nk);
        scen_end(c, j);
    }
    for (i = 0, nh = 0; i < nk; i++)
        if (g->p[kids[i]].hyphen)
            hyph[nh++] = kids[i];
    for (i = 0; i < nh; i++)
        if (g->p[hyph[i]].seen & SYNTH_SEEN_PART)
            break;
    if (nh > 0 && i < nh) {
        scen_begin(c, j, SYNTH_S_HYPHEN);
        pid_list(j, "persons", g, hyph, nh);
        scen_end(c, j);
    }
}

/*
 * The scenarios of household ${h} of ${g}: its children's, an unborn
 * child written, a move with records on both sides.
 */
static void
household_scenarios(struct ctx *c, const struct synth_group *g,
    const struct synth_world *w, const struct synth_hh *h)
{
    struct jb *j = &c->scen;
    const struct synth_person *p;
    int all[SYNTH_MAX_PERSONS], na, i;

    children_scenarios(c, g, h);
    if (h->unborn >= 0 && g->p[h->unborn].pid != 0) {
        p = &g->p[h->unborn];
        scen_begin(c, j, SYNTH_S_UNBORN);
        jb_pid(j, "person", p->pid);
        if (g->p[h->victim].pid != 0)
            jb_pid(j, "mother", g->p[h->victim].pid);
        if ((p->cooc >> h->perp) & 1)
            jb_pid(j, "perpetrator", g->p[h->perp].pid);
        jb_date(j, "expected_due_date", p->edd);
        scen_end(c, j);
    }
    if (h->move != 0 && h->before > 0 && h->after > 0) {
        na = 0;
        all[na++] = h->victim;
        all[na++] = h->perp;
        for (i = 0; i < h->nchild; i++)
            all[na++] = h->child[i];
        all[na++] = h->unborn;
        na = written(g, all, na, all);
        scen_begin(c, j, SYNTH_S_MOVED);
        pid_list(j, "persons", g, all, na);
        la_list(j, "local_authorities", w, h->la, 2);
        jb_date(j, "date", h->move);
        scen_end(c, j);
    }
}

/*
 * The planted cases of ${g} that were written: the perpetrator with
 * children in two households, the two people of one name and date of
 * birth, the son named after his father.
 */
static void
planted_scenarios(struct ctx *c, const struct synth_group *g,
    const struct synth_world *w)
{
    struct jb *j = &c->scen;
    int all[SYNTH_MAX_PERSONS], na = 0, hi, i, las[2], pair[2];

    if (g->two_hh_perp >= 0 && g->nh >= 2 &&
        (g->p[g->two_hh_perp].perp_hh & 3) == 3) {
        for (hi = 0; hi < 2; hi++)
            for (i = 0; i < g->h[hi].nchild; i++)
                if ((g->p[g->two_hh_perp].cooc >> g->h[hi].child[i]) & 1)
                    all[na++] = g->h[hi].child[i];
        las[0] = g->h[0].la[0];
        las[1] = g->h[1].la[0];
        if (las[0] != las[1]) {
            scen_begin(c, j, SYNTH_S_PERP_TWO_LA);
            jb_pid(j, "person", g->p[g->two_hh_perp].pid);
            la_list(j, "local_authorities", w, las, 2);
        } else {
            scen_begin(c, j, SYNTH_S_PERP_TWO_HH);
            jb_pid(j, "person", g->p[g->two_hh_perp].pid);
            la_list(j, "local_authorities", w, las, 1);
        }
        pid_list(j, "children", g, all, na);
        scen_end(c, j);
    }
    if (g->same_a >= 0 && g->p[g->same_a].pid != 0 &&
        g->p[g->same_b].pid != 0) {
        pair[0] = g->same_a;
        pair[1] = g->same_b;
        las[0] = g->p[g->same_a].las[0];
        las[1] = g->p[g->same_b].las[0];
        scen_begin(c, j, SYNTH_S_SAME_NAME);
        pid_list(j, "persons", g, pair, 2);
        la_list(j, "local_authorities", w, las, 2);
        scen_end(c, j);
    }
    if (g->father >= 0 && g->p[g->father].pid != 0 &&
        g->p[g->son].pid != 0) {
        scen_begin(c, j, SYNTH_S_FATHER_SON);
        jb_pid(j, "father", g->p[g->father].pid);
        jb_pid(j, "son", g->p[g->son].pid);
        scen_end(c, j);
    }
}

/* A scenario line of ${s} naming only the person ${p}. */
static void
person_scenario(struct ctx *c, enum synth_scenario s,
    const struct synth_person *p)
{
    struct jb *j = &c->scen;

    scen_begin(c, j, s);
    jb_pid(j, "person", p->pid);
    scen_end(c, j);
}

/*
 * The scenarios of person ${i} of ${g}, if written: a former name, a
 * nickname or an alias recorded; the subject of a DVDS disclosure with
 * children known to social care; a child at a high-risk incident whom
 * social care never heard of.
 */
static void
person_scenarios(struct ctx *c, const struct synth_group *g,
    const struct synth_world *w, int i)
{
    const struct synth_person *p = &g->p[i];
    struct jb *j = &c->scen;
    int all[SYNTH_MAX_PERSONS], na, k;

    if (p->pid == 0)
        return;
    if (p->prev[0] != '\0' && (p->seen & SYNTH_SEEN_PREV))
        person_scenario(c, SYNTH_S_CHANGED_NAME, p);
    if (p->seen & SYNTH_SEEN_ALT)
        person_scenario(c, SYNTH_S_NICKNAME, p);
    if (p->seen & SYNTH_SEEN_ALIAS)
        person_scenario(c, SYNTH_S_ALIAS, p);
    if (p->seen & SYNTH_SEEN_DVDS) {
        for (k = 0, na = 0; k < g->np; k++)
            if (g->p[k].kind == SYNTH_P_CHILD &&
                (g->p[k].seen & SYNTH_SEEN_SC) &&
                ((p->cooc >> k) & 1))
                all[na++] = k;
        if (na > 0) {
            scen_begin(c, j, SYNTH_S_DVDS_SC);
            jb_pid(j, "person", p->pid);
            pid_list(j, "children", g, all, na);
            scen_end(c, j);
        }
    }
    if (p->kind == SYNTH_P_CHILD && (p->seen & SYNTH_SEEN_HIGH) &&
        !(p->seen & SYNTH_SEEN_SC)) {
        scen_begin(c, j, SYNTH_S_HIGH_NO_SC);
        jb_pid(j, "person", p->pid);
        la_list(j, "local_authorities", w, p->las, p->nlas);
        scen_end(c, j);
    }
}

/* The scenario lines of the written group ${g}: households', planted
 * cases', persons'. */
static void
group_scenarios(struct synth_group *g, struct synth_world *w, struct ctx *c)
{
    int i;

    for (i = 0; i < g->nh; i++)
        household_scenarios(c, g, w, &g->h[i]);
    planted_scenarios(c, g, w);
    for (i = 0; i < g->np; i++)
        person_scenarios(c, g, w, i);
}

/**
 * synth_group_emit(g, w):
 * Write the records of ${g} that the nodes of ${w} hold, the truth lines
 * and the scenario lines.  Sets ${w}->write_error on an output error.
 */
void
synth_group_emit(struct synth_group *g, struct synth_world *w)
{
    static struct ctx c;
    int order[SYNTH_MAX_EVENTS], i, k, t;

    c.g = g;
    c.w = w;
    /* Events in date order, ties in creation order. */
    for (i = 0; i < g->ne; i++)
        order[i] = i;
    for (i = 1; i < g->ne; i++)
        for (k = i; k > 0; k--) {
            const struct synth_event *a = &g->e[order[k - 1]];
            const struct synth_event *b = &g->e[order[k]];

            if (a->date < b->date ||
                (a->date == b->date && a->seq < b->seq))
                break;
            t = order[k];
            order[k] = order[k - 1];
            order[k - 1] = t;
        }
    for (i = 0; i < g->ne; i++)
        emit_event(g, w, &g->e[order[i]], &c);
    group_scenarios(g, w, &c);
}
