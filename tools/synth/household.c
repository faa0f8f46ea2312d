/*
 * household.c: the people of one household group, and the planted cases
 * that tie households together; their events are events.c's.
 *
 * Every household is one where domestic abuse is known to at least one
 * agency: a mother (the adult victim), 0-4 children, a perpetrator
 * (partner or father), sometimes an unborn child, sometimes a maternal
 * grandparent.  The rates are per mille and are listed in docs/synth.md.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ids.h"
#include "names.h"
#include "places.h"
#include "rng.h"
#include "synth.h"

#define YEARS(n) ((int32_t)(n) * 365)

/* Planted cases, per mille of household groups. */
#define RATE_TWO_HH 50          /* perpetrator with a second household */
#define RATE_TWO_HH_CROSS 650   /* ... of which in another LA */
#define RATE_MOVED 60           /* family moves during the window */
#define RATE_MOVED_CROSS 500    /* ... of which to another LA */
#define RATE_SAME_NAME 15       /* same name and DOB, different person */
#define RATE_SAME_CROSS 700     /* ... of which in another LA */
#define RATE_REFUGE 40          /* victim goes into refuge */

/* Household make-up, per mille. */
#define RATE_UNBORN 120         /* a pregnancy at the end of the window */
#define RATE_GRAND 80           /* a grandparent involved */
#define RATE_TWINS 20           /* per birth */
#define RATE_PERP_PNC 650       /* perpetrator known to police (PNC id) */
#define RATE_MOTHER_PNC 30
#define RATE_ALIAS 120          /* PNC perpetrator with an alias */
#define RATE_APART 350          /* perpetrator lives elsewhere */
#define RATE_VARIANT 300        /* goes by a nickname or variant */
#define RATE_NAMESAKE 60        /* son named after his father */

struct hh_opts {
    int la;
    int32_t t0, t1;
    int perp;                   /* an existing perpetrator, or -1 */
    int min_children;
    int32_t mother_dob, perp_dob, child_dob;    /* 0: free */
};

/* ${x}, but at least ${lo} and at most ${hi}. */
static int32_t
clamp32(int32_t x, int32_t lo, int32_t hi)
{

    return x < lo ? lo : (x > hi ? hi : x);
}

/* A new person of ${kind} and ${sex} in household ${hh} of ${g}, with
 * nothing else known yet.  Returns its index, or -1 when ${g} is full. */
static int
new_person(struct synth_group *g, enum synth_pkind kind, char sex, int hh)
{
    struct synth_person *p;

    if (g->np >= SYNTH_MAX_PERSONS)
        return -1;
    p = &g->p[g->np];
    memset(p, 0, sizeof(*p));
    p->kind = kind;
    p->sex = sex;
    p->hh = hh;
    p->origin = 'e';
    return g->np++;
}

/* Give ${p} the given name ${given}, and now and then a nickname or
 * variant of it. */
static void
set_given(struct synth_person *p, struct synth_rng *r, const char *given)
{
    const char *v;

    synth_copy(p->given, sizeof p->given, given);
    p->alt[0] = '\0';
    if (synth_rng_chance(r, RATE_VARIANT) &&
        (v = synth_names_variant(r, given)) != NULL)
        synth_copy(p->alt, sizeof p->alt, v);
}

/* Names that can take part in a double-barrelled name. */
static int
simple_name(const char *s)
{

    return strpbrk(s, " -'") == NULL;
}

/* The day a child born on ${dob} starts Reception (the September after
 * their fourth birthday). */
static int32_t
school_start(int32_t dob)
{
    int y, m, d;

    synth_civil(dob, &y, &m, &d);
    return synth_days(y + (m >= 9 ? 5 : 4), 9, 3);
}

/* Make person ${pi} a perpetrator of origin ${origin} born on ${dob}:
 * names, often a PNC id (and then sometimes an alias), a probation case
 * reference, and sometimes an address of his own in ${pl}. */
static void
make_perp(struct synth_group *g, struct synth_world *w, struct synth_rng *r,
    int pi, char origin, int32_t dob, const struct synth_place *pl)
{
    struct synth_person *p = &g->p[pi];
    char o = origin, ao;
    int y;

    synth_copy(p->family, sizeof p->family,
        synth_names_for_sex(synth_names_family_like(r, &o), 0));
    p->origin = o;
    set_given(p, r, synth_names_pick(r, SYNTH_NAMES_MAN, o));
    p->dob = dob;
    if (synth_rng_chance(r, RATE_PERP_PNC)) {
        y = synth_year(dob) + (int)synth_rng_range(r, 15, 32);
        if (y > synth_year(w->end))
            y = synth_year(w->end);
        synth_ids_pnc(&w->ids, p->pnc, y);
        if (synth_rng_chance(r, RATE_ALIAS)) {
            ao = o;
            snprintf(p->alias, sizeof p->alias, "%s %s",
                p->alt[0] ? p->alt : p->given,
                synth_names_for_sex(synth_names_family_like(r, &ao), 0));
        }
    }
    snprintf(p->crn, sizeof p->crn, "%c%06u",
        (char)('A' + synth_rng_below(r, 26)),
        (unsigned)synth_rng_below(r, 1000000));
    if (synth_rng_chance(r, RATE_APART)) {
        p->apart = 1;
        synth_place_postcode(pl, r, p->pc);
        synth_place_address(pl, r, p->addr);
    }
}

/* One household being made: what the steps of make_household() share. */
struct hh_build {
    struct synth_group *g;
    struct synth_world *w;
    struct synth_rng *r;
    const struct hh_opts *o;
    const struct synth_place *pl; /* its local authority's place */
    struct synth_hh *h;
    int hi;                       /* its index in g->h */
    int nchild;                   /* how many children to make */
    int32_t mdob, eldest;         /* the mother's and eldest's births */
    int mi;                       /* the mother */
    const char *mfam;             /* her birth family name (static) */
    char mo;                      /* and its origin */
    char kids[160];               /* the children's family name */
    char ko;                      /* and its origin */
};

/*
 * Take the next household of ${b}->g for ${b}: its local authority, time
 * and first address.  Returns 0, or -1 when the group is full.
 */
static int
hh_begin(struct hh_build *b)
{
    struct synth_group *g = b->g;
    const struct hh_opts *o = b->o;
    struct synth_hh *h;

    if (g->nh >= SYNTH_MAX_HH || g->np + 10 > SYNTH_MAX_PERSONS)
        return -1;
    b->hi = g->nh++;
    b->h = h = &g->h[b->hi];
    memset(h, 0, sizeof(*h));
    h->la[0] = h->la[1] = o->la;
    h->t0 = o->t0;
    h->t1 = o->t1;
    h->victim = h->perp = h->grand = h->unborn = -1;
    synth_place_postcode(b->pl, b->r, h->pc[0]);
    synth_place_address(b->pl, b->r, h->addr[0]);
    memcpy(h->pc[1], h->pc[0], sizeof h->pc[0]);
    memcpy(h->addr[1], h->addr[0], sizeof h->addr[0]);
    return 0;
}

/*
 * The mother's date of birth, when no child's is given, for ${b}->nchild
 * children: from the options, the perpetrator's, or free, and at least
 * 17 when the household's time begins.
 */
static int32_t
hh_mother_dob(struct hh_build *b)
{
    const struct hh_opts *o = b->o;
    struct synth_world *w = b->w;
    struct synth_rng *r = b->r;
    int32_t mdob;

    if (o->mother_dob != 0)
        mdob = o->mother_dob;
    else if (o->perp >= 0 || o->perp_dob != 0)
        mdob = (o->perp >= 0 ? b->g->p[o->perp].dob : o->perp_dob) +
            synth_rng_range(r, -YEARS(2), YEARS(9));
    else if (b->nchild > 0)
        mdob = synth_rng_range(r, synth_add_years(w->end, -17),
            o->t1 - 60) - YEARS(synth_rng_range(r, 17, 35)) -
            synth_rng_range(r, 0, 364);
    else
        mdob = synth_rng_range(r, synth_days(1978, 1, 1),
            synth_days(2004, 12, 31));
    if (o->mother_dob == 0 && mdob > synth_add_years(o->t0, -17))
        mdob = synth_add_years(o->t0, -17) - synth_rng_range(r, 0, 2000);
    return mdob;
}

/*
 * The eldest child's date of birth for a mother born on ${b}->mdob, when
 * no child's is given: a child of under 18 at the end, born to a mother
 * of 17 to 44 before the household's time ends; or no children (or a
 * little older a mother) when that cannot be.
 */
static void
hh_eldest(struct hh_build *b)
{
    const struct hh_opts *o = b->o;
    struct synth_rng *r = b->r;
    int32_t lo;

    b->eldest = b->mdob + YEARS(synth_rng_range(r, 17, 35)) +
        synth_rng_range(r, 0, 364);
    lo = synth_add_years(b->w->end, -17) + 1;
    if (b->eldest < lo)
        b->eldest = lo + synth_rng_range(r, 0, 700);
    if (b->eldest > o->t1 - 60) {
        /* The mother is too young for children yet, unless the
         * household must have one: then a little older. */
        if (o->min_children == 0 || o->t1 - 60 <= lo) {
            b->nchild = 0;
        } else {
            b->eldest = synth_rng_range(r, lo, o->t1 - 60);
            if (synth_age(b->mdob, b->eldest) < 17 && o->mother_dob == 0)
                b->mdob = b->eldest - YEARS(synth_rng_range(r, 18, 30)) -
                    synth_rng_range(r, 0, 364);
        }
    }
    if (b->nchild > 0 && synth_age(b->mdob, b->eldest) > 44) {
        if (o->mother_dob == 0)
            b->mdob = b->eldest - YEARS(synth_rng_range(r, 22, 36));
        else if (o->min_children == 0)
            b->nchild = 0;
    }
}

/* The number of children, and the mother's and the eldest's births. */
static void
hh_dates(struct hh_build *b)
{
    static const uint32_t nchild_w[] = {120, 300, 280, 180, 120};
    const struct hh_opts *o = b->o;
    struct synth_rng *r = b->r;

    b->eldest = 0;
    b->nchild = (int)synth_rng_weighted(r, nchild_w, 5);
    if (b->nchild < o->min_children)
        b->nchild = o->min_children;
    if (o->child_dob != 0) {
        b->eldest = o->child_dob;
        b->mdob = b->eldest - YEARS(synth_rng_range(r, 18, 34)) -
            synth_rng_range(r, 0, 364);
    } else {
        b->mdob = hh_mother_dob(b);
        if (b->nchild > 0)
            hh_eldest(b);
    }
    if (b->nchild == 0 && o->min_children > 0)
        b->nchild = o->min_children;
    if (b->nchild > 0 && o->child_dob == 0) {
        /* Born inside the household's time, to a mother of 17 or more. */
        if (b->eldest == 0 || b->eldest > o->t1 - 60)
            b->eldest = o->t1 - 60 - synth_rng_range(r, 0, 365);
        if (o->mother_dob == 0 && synth_age(b->mdob, b->eldest) < 17)
            b->mdob = b->eldest - YEARS(synth_rng_range(r, 18, 30)) -
                synth_rng_range(r, 0, 364);
    }
}

/*
 * The mother, by her birth family name, and the perpetrator (given in the
 * options, or new).  Returns 0, or -1 when the group is full.
 */
static int
hh_parents(struct hh_build *b)
{
    struct synth_group *g = b->g;
    const struct hh_opts *o = b->o;
    struct synth_rng *r = b->r;
    struct synth_hh *h = b->h;
    struct synth_person *m;
    int32_t dob;

    b->mo = 'e';
    if ((b->mi = new_person(g, SYNTH_P_MOTHER, 'F', b->hi)) < 0)
        return -1;
    h->victim = b->mi;
    m = &g->p[b->mi];
    b->mfam = synth_names_family(r, &b->mo);
    m->origin = b->mo;
    m->dob = b->mdob;
    set_given(m, r, synth_names_pick(r, SYNTH_NAMES_WOMAN, b->mo));
    synth_copy(m->family, sizeof m->family, synth_names_for_sex(b->mfam, 1));

    if (o->perp >= 0) {
        h->perp = o->perp;
        return 0;
    }
    if ((h->perp = new_person(g, SYNTH_P_PERP, 'M', b->hi)) < 0)
        return -1;
    dob = o->perp_dob != 0 ? o->perp_dob :
        b->mdob - synth_rng_range(r, -YEARS(3), YEARS(9));
    if (dob > synth_add_years(o->t0, -18))
        dob = synth_add_years(o->t0, -18) - synth_rng_range(r, 0, 1500);
    dob = clamp32(dob, synth_days(1960, 1, 1), dob);
    make_perp(g, b->w, r, h->perp, b->mo, dob, b->pl);
    return 0;
}

/*
 * Marriage: the mother's family names (current and former) and the
 * children's, ${b}->kids and ${b}->ko.
 */
static void
hh_family_names(struct hh_build *b)
{
    struct synth_group *g = b->g;
    struct synth_rng *r = b->r;
    struct synth_person *m = &g->p[b->mi];
    const char *kfam, *pfam, *x;
    char po, xo;
    int j;

    pfam = g->p[b->h->perp].family;
    po = g->p[b->h->perp].origin;
    kfam = m->family;
    b->ko = b->mo;
    b->kids[0] = '\0';
    switch (synth_rng_below(r, 100) / 5) {
    case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7:
    case 8: case 9: case 10: case 11:
        /* Not married: the children take either name, or both. */
        j = (int)synth_rng_below(r, 100);
        if (j >= 55 && j < 85) {
            kfam = pfam;
            b->ko = po;
        } else if (j >= 85 && simple_name(m->family) &&
            simple_name(pfam) && strcmp(m->family, pfam) != 0) {
            if (synth_rng_chance(r, 600))
                snprintf(b->kids, sizeof b->kids, "%s-%s", m->family, pfam);
            else
                snprintf(b->kids, sizeof b->kids, "%s-%s", pfam, m->family);
        }
        break;
    case 12: case 13: case 14: case 15: case 16:
        /* Married to the perpetrator: took his name. */
        synth_copy(m->prev, sizeof m->prev, m->family);
        synth_copy(m->family, sizeof m->family, synth_names_for_sex(pfam, 1));
        if (synth_rng_chance(r, 150) && simple_name(m->prev) &&
            simple_name(pfam) && strcmp(m->prev, pfam) != 0)
            snprintf(b->kids, sizeof b->kids, "%s-%s", m->prev, pfam);
        else {
            kfam = pfam;
            b->ko = po;
        }
        break;
    default:
        /* Remarried to the perpetrator; the children keep the name of
         * her former husband, which she no longer uses. */
        xo = b->mo;
        x = synth_names_family_like(r, &xo);
        synth_copy(m->prev, sizeof m->prev, x);
        synth_copy(m->family, sizeof m->family, synth_names_for_sex(pfam, 1));
        kfam = x;
        b->ko = xo;
        break;
    }
    if (strcmp(m->prev, m->family) == 0)
        m->prev[0] = '\0';
    if (b->kids[0] == '\0')
        synth_copy(b->kids, sizeof b->kids, kfam);
}

/* Children: siblings share the family name and address. */
static void
hh_children(struct hh_build *b)
{
    struct synth_group *g = b->g;
    struct synth_rng *r = b->r;
    struct synth_hh *h = b->h;
    const char *pfam = g->p[h->perp].family;
    struct synth_person *c;
    int32_t dob = b->eldest;
    int i, j, ci, tries;

    for (i = 0; i < b->nchild && i < SYNTH_MAX_CHILDREN - 1; i++) {
        if (i > 0) {
            if (synth_rng_chance(r, RATE_TWINS))
                dob = g->p[h->child[i - 1]].dob;
            else
                dob += synth_rng_range(r, 330, 1900);
            if (dob > b->o->t1 - 30 || synth_age(b->mdob, dob) > 45)
                break;
        }
        if ((ci = new_person(g, SYNTH_P_CHILD,
            synth_rng_chance(r, 512) ? 'M' : 'F', b->hi)) < 0)
            break;
        c = &g->p[ci];
        h->child[h->nchild++] = ci;
        c->dob = dob;
        c->origin = b->ko;
        synth_copy(c->family, sizeof c->family, b->kids);
        c->hyphen = strchr(b->kids, '-') != NULL;
        for (tries = 0; tries < 10; tries++) {
            set_given(c, r, synth_names_pick(r, c->sex == 'M' ?
                SYNTH_NAMES_BOY : SYNTH_NAMES_GIRL, b->ko));
            for (j = 0; j < h->nchild - 1; j++)
                if (strcmp(g->p[h->child[j]].given, c->given) == 0)
                    break;
            if (j == h->nchild - 1)
                break;
        }
        /* A son named after his father, who shares his family name. */
        if (c->sex == 'M' && g->father < 0 && strcmp(b->kids, pfam) == 0 &&
            synth_rng_chance(r, RATE_NAMESAKE)) {
            synth_copy(c->given, sizeof c->given, g->p[h->perp].given);
            c->alt[0] = '\0';
            g->father = h->perp;
            g->son = ci;
        }
        if (school_start(dob) <= b->w->end)
            synth_ids_upn(&b->w->ids, c->upn, b->pl->la_code,
                synth_year(school_start(dob)) % 100);
    }
}

/*
 * A pregnancy still running at the end of the window, and a maternal
 * grandparent, sometimes part of the safety plan.
 */
static void
hh_unborn_and_grand(struct hh_build *b)
{
    struct synth_group *g = b->g;
    struct synth_world *w = b->w;
    struct synth_rng *r = b->r;
    struct synth_hh *h = b->h;
    struct synth_person *c;
    int32_t edd;
    int i, j, ci, kind;

    if (b->o->t1 == w->end && synth_age(b->mdob, w->end) <= 43 &&
        synth_rng_chance(r, RATE_UNBORN)) {
        edd = w->end + synth_rng_range(r, 20, 190);
        for (i = 0, j = 1; i < h->nchild; i++)
            if (g->p[h->child[i]].dob > edd - 280 - 90)
                j = 0;
        if (j && (ci = new_person(g, SYNTH_P_UNBORN, 'U', b->hi)) >= 0) {
            h->unborn = ci;
            c = &g->p[ci];
            c->edd = edd;
            c->origin = b->mo;
            synth_copy(c->family, sizeof c->family, g->p[b->mi].family);
        }
    }

    if (synth_rng_chance(r, RATE_GRAND) &&
        (ci = new_person(g, SYNTH_P_GRAND,
        synth_rng_chance(r, 700) ? 'F' : 'M', b->hi)) >= 0) {
        h->grand = ci;
        c = &g->p[ci];
        c->origin = b->mo;
        kind = c->sex == 'F';
        set_given(c, r, synth_names_pick(r, kind ?
            SYNTH_NAMES_OLDER_WOMAN : SYNTH_NAMES_OLDER_MAN, b->mo));
        synth_copy(c->family, sizeof c->family,
            synth_names_for_sex(b->mfam, kind));
        c->dob = b->mdob - YEARS(synth_rng_range(r, 18, 32)) -
            synth_rng_range(r, 0, 364);
        c->apart = 1;
        synth_place_postcode(b->pl, r, c->pc);
        synth_place_address(b->pl, r, c->addr);
    }
}

/*
 * Make one household in ${o}->la.  Returns its index, or -1 when the group
 * is full.
 */
static int
make_household(struct synth_group *g, struct synth_world *w,
    struct synth_rng *r, const struct hh_opts *o)
{
    struct hh_build b;
    struct synth_person *m;

    memset(&b, 0, sizeof b);
    b.g = g;
    b.w = w;
    b.r = r;
    b.o = o;
    b.pl = &w->las[o->la].place;
    if (hh_begin(&b) != 0)
        return -1;
    hh_dates(&b);
    if (hh_parents(&b) != 0)
        return -1;
    hh_family_names(&b);
    hh_children(&b);
    hh_unborn_and_grand(&b);

    m = &g->p[b.mi];
    if (synth_rng_chance(r, RATE_MOTHER_PNC))
        synth_ids_pnc(&w->ids, m->pnc,
            synth_year(m->dob) + (int)synth_rng_range(r, 15, 25));
    return b.hi;
}

/* Rename ${pi} to a common name of its kind. */
static void
common_name(struct synth_group *g, struct synth_rng *r, int pi)
{
    struct synth_person *p = &g->p[pi];
    enum synth_name_list list;
    char origin = 'e';
    const char *fam;

    fam = synth_names_pick_common(r, SYNTH_NAMES_COMMON_FAMILY, &origin);
    if (p->kind == SYNTH_P_CHILD)
        list = p->sex == 'M' ? SYNTH_NAMES_BOY : SYNTH_NAMES_GIRL;
    else
        list = p->sex == 'M' ? SYNTH_NAMES_MAN : SYNTH_NAMES_WOMAN;
    synth_copy(p->given, sizeof p->given,
        synth_names_pick_common(r, list, &origin));
    synth_copy(p->family, sizeof p->family,
        synth_names_for_sex(fam, p->sex == 'F'));
    p->alt[0] = '\0';
    p->origin = origin;
    p->hyphen = 0;
}

/* Give every child of ${hh} the family name ${fam}. */
static void
rename_children(struct synth_group *g, int hh, const char *fam)
{
    struct synth_hh *h = &g->h[hh];
    int i;

    for (i = 0; i < h->nchild; i++) {
        synth_copy(g->p[h->child[i]].family, sizeof g->p[0].family, fam);
        g->p[h->child[i]].hyphen = 0;
    }
}

/* Make sure no sibling of ${keep} in ${hh} shares its given name. */
static void
unique_given(struct synth_group *g, struct synth_rng *r, int hh, int keep)
{
    struct synth_hh *h = &g->h[hh];
    struct synth_person *c;
    int i;

    for (i = 0; i < h->nchild; i++) {
        c = &g->p[h->child[i]];
        if (h->child[i] == keep)
            continue;
        while (strcmp(c->given, g->p[keep].given) == 0)
            set_given(c, r, synth_names_pick(r, c->sex == 'M' ?
                SYNTH_NAMES_BOY : SYNTH_NAMES_GIRL, c->origin));
    }
}

/* Plant a different person with the same name and date of birth as one
 * of household ${h0}'s, in another household of ${la}. */
static void
plant_same_name(struct synth_group *g, struct synth_world *w,
    struct synth_rng *r, int h0, int la)
{
    struct synth_hh *h = &g->h[h0];
    struct hh_opts o;
    struct synth_person *a, *b;
    char oldfam[64];
    int which, target, hd, other = -1, i;

    which = (int)synth_rng_below(r, 10);
    if (which >= 7 && h->nchild > 0)
        target = h->child[synth_rng_below(r, (uint32_t)h->nchild)];
    else if (which >= 4)
        target = h->perp;
    else
        target = h->victim;
    a = &g->p[target];
    synth_copy(oldfam, sizeof oldfam, a->family);
    common_name(g, r, target);
    if (a->kind == SYNTH_P_CHILD) {
        rename_children(g, h0, a->family);
        unique_given(g, r, h0, target);
    }
    if (a->kind == SYNTH_P_MOTHER && a->prev[0] != '\0' &&
        strcmp(a->prev, a->family) == 0)
        a->prev[0] = '\0';
    if (a->kind == SYNTH_P_PERP) {
        /* Children who carry his name carry the new one. */
        for (i = 0; i < h->nchild; i++)
            if (strcmp(g->p[h->child[i]].family, oldfam) == 0)
                synth_copy(g->p[h->child[i]].family, sizeof a->family,
                    a->family);
        a->alias[0] = '\0';
    }

    memset(&o, 0, sizeof o);
    o.la = la;
    o.t0 = w->start;
    o.t1 = w->end;
    o.perp = -1;
    if (a->kind == SYNTH_P_CHILD) {
        o.child_dob = a->dob;
        o.min_children = 1;
    } else if (a->kind == SYNTH_P_PERP) {
        o.perp_dob = a->dob;
    } else {
        o.mother_dob = a->dob;
    }
    if ((hd = make_household(g, w, r, &o)) < 0)
        return;
    h = &g->h[hd];
    switch (a->kind) {
    case SYNTH_P_CHILD:
        if (h->nchild > 0)
            other = h->child[0];
        break;
    case SYNTH_P_PERP:
        other = h->perp;
        break;
    default:
        other = h->victim;
        break;
    }
    if (other < 0)
        return;
    a = &g->p[target];
    b = &g->p[other];
    b->sex = a->sex;
    b->dob = a->dob;
    synth_copy(b->given, sizeof b->given, a->given);
    synth_copy(b->family, sizeof b->family, a->family);
    b->alt[0] = '\0';
    b->alias[0] = '\0';
    b->hyphen = 0;
    if (b->kind == SYNTH_P_CHILD) {
        rename_children(g, hd, b->family);
        unique_given(g, r, hd, other);
    }
    if (b->kind == SYNTH_P_MOTHER && strcmp(b->prev, b->family) == 0)
        b->prev[0] = '\0';
    if (b->kind == SYNTH_P_MOTHER && h->unborn >= 0)
        synth_copy(g->p[h->unborn].family, sizeof b->family, b->family);
    /* Different places: never the same postcode. */
    while (strcmp(h->pc[0], g->h[h0].pc[0]) == 0)
        synth_place_postcode(&w->las[la].place, r, h->pc[0]);
    memcpy(h->pc[1], h->pc[0], sizeof h->pc[0]);
    g->same_a = target;
    g->same_b = other;
    synth_events_make(g, w, r, hd, 0);
}

/**
 * synth_group_make(g, w, la, index):
 * Build household group ${index} of local authority ${la} into ${g}:
 * its people, households and events, with planted cases.  Identifiers
 * are allocated from ${w}->ids.
 */
void
synth_group_make(struct synth_group *g, struct synth_world *w, int la,
    uint64_t index)
{
    struct synth_rng r;
    struct hh_opts o;
    struct synth_hh *h;
    int32_t span = w->end - w->start, split;
    int other = la, two, moved, same, refuge, h0, h1, i;

    g->np = g->nh = g->ne = 0;
    g->two_hh_perp = g->same_a = g->same_b = g->father = g->son = -1;
    g->seed = synth_rng_mix(synth_rng_mix(w->seed,
        synth_hash(w->las[la].name)), index);
    synth_rng_seed(&r, g->seed);

    if (w->nlas > 1) {
        other = (int)synth_rng_below(&r, (uint32_t)w->nlas - 1);
        if (other >= la)
            other++;
    }
    two = synth_rng_chance(&r, RATE_TWO_HH);
    moved = !two && synth_rng_chance(&r, RATE_MOVED);
    same = synth_rng_chance(&r, RATE_SAME_NAME);
    refuge = synth_rng_chance(&r, RATE_REFUGE);

    memset(&o, 0, sizeof o);
    o.la = la;
    o.t0 = w->start;
    o.t1 = w->end;
    o.perp = -1;
    if (two) {
        split = w->start + (int32_t)((int64_t)span *
            synth_rng_range(&r, 35, 65) / 100);
        o.t1 = split + synth_rng_range(&r, 0, 60);
        o.min_children = 1;
        h0 = make_household(g, w, &r, &o);
        o.la = (other != la && synth_rng_chance(&r, RATE_TWO_HH_CROSS)) ?
            other : la;
        o.t0 = split - synth_rng_range(&r, 0, 60);
        o.t1 = w->end;
        o.perp = g->h[h0].perp;
        if ((h1 = make_household(g, w, &r, &o)) >= 0)
            g->two_hh_perp = g->h[h0].perp;
    } else {
        h0 = make_household(g, w, &r, &o);
        h1 = -1;
    }
    if (h0 < 0)
        return;
    w->households += (uint64_t)g->nh;

    if (moved) {
        h = &g->h[h0];
        h->move = w->start + (int32_t)((int64_t)span *
            synth_rng_range(&r, 30, 70) / 100);
        h->la[1] = (other != la && synth_rng_chance(&r, RATE_MOVED_CROSS)) ?
            other : la;
        do {
            synth_place_postcode(&w->las[h->la[1]].place, &r, h->pc[1]);
        } while (strcmp(h->pc[1], h->pc[0]) == 0);
        synth_place_address(&w->las[h->la[1]].place, &r, h->addr[1]);
    }
    if (refuge) {
        h = &g->h[h0];
        if (h->t1 - h->t0 > 90) {
            h->refuge = synth_rng_range(&r, h->t0 + (h->t1 - h->t0) / 3,
                h->t1 - 30);
            synth_place_postcode(&w->las[h->la[h->move != 0 &&
                h->refuge >= h->move]].place, &r, h->refuge_pc);
        }
    }
    synth_events_make(g, w, &r, h0, 0);
    if (h1 >= 0)
        synth_events_make(g, w, &r, h1, 1);
    if (same) {
        i = g->nh;
        plant_same_name(g, w, &r, h0,
            (other != la && synth_rng_chance(&r, RATE_SAME_CROSS)) ?
            other : la);
        w->households += (uint64_t)(g->nh - i);
    }
}
