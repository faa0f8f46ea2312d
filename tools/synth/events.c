/*
 * events.c: the events of one household: what each agency records about
 * it, and when.
 *
 * They follow how agencies in England respond to domestic abuse: a
 * police incident may lead to a MARAC referral, an Operation Encompass
 * notification to the school, an IDVA referral and a referral to
 * children's social care; a pregnancy to a midwifery booking; and so on.
 * The rates are per mille and are listed in docs/synth.md.  Every draw
 * comes from the group's generator in a fixed order: the output of a seed
 * depends on it.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ids.h"
#include "rng.h"
#include "synth.h"

/*
 * A new event of ${g}: ${kind}, recorded by ${agency}, about household
 * ${hh} on ${date}, with nobody in it yet.  NULL when ${date} is outside
 * ${w}'s window or ${g} holds SYNTH_MAX_EVENTS.
 */
static struct synth_event *
ev_new(struct synth_group *g, struct synth_world *w, enum synth_kind kind,
    enum synth_agency agency, int hh, int32_t date)
{
    struct synth_event *e;

    if (g->ne >= SYNTH_MAX_EVENTS || date > w->end || date < w->start)
        return NULL;
    e = &g->e[g->ne];
    memset(e, 0, sizeof(*e));
    e->kind = kind;
    e->agency = agency;
    e->hh = hh;
    e->date = date;
    e->child_present = -1;
    e->seq = g->ne++;
    return e;
}

/* Add person ${who} to ${e} as ${role}, unless ${e} is NULL, ${who} is
 * -1 (nobody), already there, or ${e} is full. */
static void
ev_add(struct synth_event *e, int who, enum synth_role role)
{
    int i;

    if (e == NULL || who < 0 || e->n >= SYNTH_MAX_PEOPLE)
        return;
    for (i = 0; i < e->n; i++)
        if (e->who[i] == who)
            return;
    e->who[e->n] = who;
    e->role[e->n] = role;
    e->n++;
}

/* Add the household's children aged [lo, hi) on the event's date. */
static int
ev_add_children(struct synth_group *g, struct synth_event *e,
    const struct synth_hh *h, int lo, int hi)
{
    int i, age, n = 0;

    if (e == NULL)
        return 0;
    for (i = 0; i < h->nchild; i++) {
        if (g->p[h->child[i]].dob > e->date)
            continue;
        age = synth_age(g->p[h->child[i]].dob, e->date);
        if (age < lo || age >= hi)
            continue;
        ev_add(e, h->child[i], SYNTH_R_CHILD);
        n++;
    }
    return n;
}

/* Whether the pregnancy is known (booked) on ${date}. */
static int
pregnant(const struct synth_group *g, const struct synth_hh *h, int32_t date)
{

    return h->unborn >= 0 && date >= g->p[h->unborn].edd - 280 + 70 &&
        date < g->p[h->unborn].edd;
}

/* The number of household ${h}'s children aged [lo, hi) on ${date}. */
static int
children_of_age(const struct synth_group *g, const struct synth_hh *h,
    int32_t date, int lo, int hi)
{
    int i, age, n = 0;

    for (i = 0; i < h->nchild; i++) {
        if (g->p[h->child[i]].dob > date)
            continue;
        age = synth_age(g->p[h->child[i]].dob, date);
        if (age >= lo && age < hi)
            n++;
    }
    return n;
}

/* Sort the ${n} dates ${d}, earliest first. */
static void
sort_dates(int32_t *d, int n)
{
    int i, j;
    int32_t t;

    for (i = 1; i < n; i++)
        for (j = i; j > 0 && d[j - 1] > d[j]; j--) {
            t = d[j];
            d[j] = d[j - 1];
            d[j - 1] = t;
        }
}

/* What the events of one household so far tell the ones made after. */
struct ev_state {
    struct synth_group *g;
    struct synth_world *w;
    struct synth_rng *r;
    struct synth_hh *h;
    int hi;                     /* the household's index in g->h */
    int second;                 /* the perpetrator's second household */
    int32_t inc[8];             /* the police incidents' dates, sorted */
    int ninc;
    int32_t first_inc;          /* the first incident's date, or 0 */
    int32_t first_high;         /* the first high-risk one's with children */
    int32_t booking;            /* the midwifery booking's date, or 0 */
    int any_med;                /* a child present at medium risk or more */
    int any_high;               /* children at a high-risk incident */
};

/* The dates of the household's domestic abuse incidents, if any. */
static void
ev_incident_dates(struct ev_state *s)
{
    struct synth_rng *r = s->r;
    struct synth_hh *h = s->h;
    int i;

    if (!(synth_rng_chance(r, 850) || h->move != 0))
        return;
    s->ninc = 1;
    while (s->ninc < 6 && synth_rng_chance(r, 450))
        s->ninc++;
    if (h->move != 0 && s->ninc < 2)
        s->ninc = 2;
    for (i = 0; i < s->ninc; i++)
        s->inc[i] = synth_rng_range(r, h->t0, h->t1);
    if (h->move != 0) {
        /* At least one incident at each address. */
        s->inc[0] = synth_rng_range(r, h->t0, h->move - 1);
        s->inc[1] = synth_rng_range(r, h->move, h->t1);
    }
    sort_dates(s->inc, s->ninc);
    s->first_inc = s->inc[0];
}

/*
 * The police record of the incident ${e} on ${d}: who was there, the
 * risk (higher after a high-risk one, ${*prev_high}) and the children's
 * voice.
 */
static void
ev_incident(struct ev_state *s, struct synth_event *e, int32_t d,
    int *prev_high)
{
    static const uint32_t risk_w[] = {550, 300, 150};
    static const uint32_t risk_after_high[] = {300, 300, 400};
    struct synth_group *g = s->g;
    struct synth_rng *r = s->r;
    struct synth_hh *h = s->h;
    int k, kids;

    e->risk = 1 + (int)synth_rng_weighted(r,
        *prev_high ? risk_after_high : risk_w, 3);
    *prev_high = e->risk >= 3;
    ev_add(e, h->victim, SYNTH_R_VICTIM);
    ev_add(e, h->perp, SYNTH_R_PERP);
    kids = ev_add_children(g, e, h, 0, 18);
    if (pregnant(g, h, d) && synth_rng_chance(r, 300))
        ev_add(e, h->unborn, SYNTH_R_UNBORN);
    e->child_present = kids > 0 && synth_rng_chance(r, 600);
    if (e->child_present) {
        k = (int)synth_rng_below(r, 1000);
        if (children_of_age(g, h, d, 4, 18) > 0)
            e->voice = k < 250 ? 1 : (k < 650 ? 2 : 0);
        else
            e->voice = k < 550 ? 2 : 0;
        if (e->risk >= 2)
            s->any_med = 1;
    }
    if (e->risk >= 3 && kids > 0) {
        s->any_high = 1;
        if (s->first_high == 0)
            s->first_high = d;
    }
}

/*
 * What follows the incident ${e} on ${d}: when high risk, a MARAC
 * referral and often an IDVA; when children were present, an Operation
 * Encompass notice to the school before the next day.
 */
static void
ev_incident_follow_up(struct ev_state *s, const struct synth_event *e,
    int32_t d)
{
    struct synth_group *g = s->g;
    struct synth_world *w = s->w;
    struct synth_rng *r = s->r;
    struct synth_hh *h = s->h;
    int hi = s->hi;
    struct synth_event *f;

    if (e->risk >= 3 && synth_rng_chance(r, 850) &&
        (f = ev_new(g, w, SYNTH_K_MARAC, SYNTH_POLICE, hi,
        d + synth_rng_range(r, 3, 21))) != NULL) {
        f->risk = 3;
        ev_add(f, h->victim, SYNTH_R_VICTIM);
        ev_add(f, h->perp, SYNTH_R_PERP);
        (void)ev_add_children(g, f, h, 0, 18);
    }
    if (e->risk >= 3 && synth_rng_chance(r, 500) &&
        (f = ev_new(g, w, SYNTH_K_OTHER, SYNTH_OTHER, hi,
        d + synth_rng_range(r, 1, 10))) != NULL) {
        ev_add(f, h->victim, SYNTH_R_VICTIM);
        if (synth_rng_chance(r, 500))
            (void)ev_add_children(g, f, h, 0, 18);
        if (synth_rng_chance(r, 400))
            ev_add(f, h->perp, SYNTH_R_PERP);
    }
    if (e->child_present && children_of_age(g, h, d + 1, 4, 16) > 0 &&
        synth_rng_chance(r, 750) &&
        (f = ev_new(g, w, SYNTH_K_SCHOOL, SYNTH_SCHOOL, hi, d + 1)) !=
        NULL) {
        f->encompass = 1;
        (void)ev_add_children(g, f, h, 4, 16);
        if (synth_rng_chance(r, 500))
            ev_add(f, h->victim, SYNTH_R_PARENT);
    }
}

/* Police: domestic abuse incidents, and what follows each. */
static void
ev_police(struct ev_state *s)
{
    struct synth_event *e;
    int i, prev_high = 0;

    ev_incident_dates(s);
    for (i = 0; i < s->ninc; i++) {
        if ((e = ev_new(s->g, s->w, SYNTH_K_DA, SYNTH_POLICE, s->hi,
            s->inc[i])) == NULL)
            continue;
        ev_incident(s, e, s->inc[i], &prev_high);
        ev_incident_follow_up(s, e, s->inc[i]);
    }
}

/* Clare's Law: more likely in a new relationship, and not asked about a
 * man she has married. */
static void
ev_dvds(struct ev_state *s)
{
    struct synth_group *g = s->g;
    struct synth_rng *r = s->r;
    struct synth_hh *h = s->h;
    struct synth_event *e;
    int32_t d, lo;

    if (synth_rng_chance(r, s->second ? 450 : 60) &&
        (g->p[h->victim].prev[0] == '\0' ||
        strcmp(g->p[h->victim].family, g->p[h->perp].family) != 0)) {
        lo = h->t0;
        d = synth_rng_range(r, lo, s->first_inc ? s->first_inc : h->t1);
        if ((e = ev_new(g, s->w, SYNTH_K_DVDS, SYNTH_POLICE, s->hi, d)) !=
            NULL) {
            e->dvds = synth_rng_chance(r, 600) ? 1 : 2;
            ev_add(e, h->perp, SYNTH_R_PERP);
            ev_add(e, h->victim, SYNTH_R_VICTIM);
        }
    }
}

/* Health: the pregnancy's booking, and sometimes a safeguarding concern. */
static void
ev_pregnancy(struct ev_state *s)
{
    struct synth_group *g = s->g;
    struct synth_world *w = s->w;
    struct synth_rng *r = s->r;
    struct synth_hh *h = s->h;
    struct synth_event *e;
    int hi = s->hi;

    if (h->unborn < 0)
        return;
    s->booking = g->p[h->unborn].edd - 280 + synth_rng_range(r, 56, 90);
    if ((e = ev_new(g, w, SYNTH_K_MAT, SYNTH_HEALTH, hi, s->booking)) !=
        NULL) {
        ev_add(e, h->victim, synth_rng_chance(r, 600) ?
            SYNTH_R_VICTIM : SYNTH_R_PARENT);
        ev_add(e, h->unborn, SYNTH_R_UNBORN);
        if (synth_rng_chance(r, 550))
            ev_add(e, h->perp, SYNTH_R_PERP);
    }
    if (synth_rng_chance(r, 400) &&
        (e = ev_new(g, w, SYNTH_K_SGC, SYNTH_HEALTH, hi,
        s->booking + synth_rng_range(r, 7, 40))) != NULL) {
        ev_add(e, h->victim, SYNTH_R_VICTIM);
        ev_add(e, h->unborn, SYNTH_R_UNBORN);
        ev_add(e, h->perp, SYNTH_R_PERP);
    }
}

/* Social care's child in need assessment, after the first incident or
 * the booking; dropped when there is nobody to assess yet. */
static void
ev_assessment(struct ev_state *s)
{
    struct synth_group *g = s->g;
    struct synth_rng *r = s->r;
    struct synth_hh *h = s->h;
    struct synth_event *e;
    int32_t d;
    int kids;

    if (s->first_inc != 0)
        d = s->first_inc + synth_rng_range(r, 7, 45);
    else if (s->booking != 0)
        d = s->booking + synth_rng_range(r, 14, 60);
    else
        d = synth_rng_range(r, h->t0, h->t1);
    if ((e = ev_new(g, s->w, SYNTH_K_CIN, SYNTH_SOCIAL_CARE, s->hi, d)) ==
        NULL)
        return;
    kids = ev_add_children(g, e, h, 0, 18);
    if (pregnant(g, h, d))
        ev_add(e, h->unborn, SYNTH_R_UNBORN);
    ev_add(e, h->victim, SYNTH_R_PARENT);
    if (synth_rng_chance(r, 700))
        ev_add(e, h->perp, SYNTH_R_PERP);
    if (e->n == 1 || (kids == 0 && !pregnant(g, h, d))) {
        /* Nobody to assess yet: the child was not yet born. */
        g->ne--;
    } else if (synth_rng_chance(r, 300) &&
        children_of_age(g, h, d, 4, 18) > 0) {
        e->voice = 1;
    }
}

/* After a high-risk incident with children, a strategy meeting, and
 * sometimes a child protection plan. */
static void
ev_strategy(struct ev_state *s)
{
    struct synth_group *g = s->g;
    struct synth_world *w = s->w;
    struct synth_rng *r = s->r;
    struct synth_hh *h = s->h;
    struct synth_event *e, *m;
    int hi = s->hi;
    int32_t d;

    if (s->first_high == 0 || !synth_rng_chance(r, 650) ||
        (m = ev_new(g, w, SYNTH_K_STRATEGY, SYNTH_SOCIAL_CARE, hi,
        s->first_high + synth_rng_range(r, 1, 7))) == NULL)
        return;
    (void)ev_add_children(g, m, h, 0, 18);
    if (pregnant(g, h, m->date))
        ev_add(m, h->unborn, SYNTH_R_UNBORN);
    ev_add(m, h->victim, SYNTH_R_VICTIM);
    ev_add(m, h->perp, SYNTH_R_PERP);
    if (synth_rng_chance(r, 300))
        ev_add(m, h->grand, SYNTH_R_OTHER);
    d = m->date;
    if (synth_rng_chance(r, 450) &&
        (e = ev_new(g, w, SYNTH_K_CPP, SYNTH_SOCIAL_CARE, hi,
        d + synth_rng_range(r, 10, 21))) != NULL) {
        (void)ev_add_children(g, e, h, 0, 18);
        if (pregnant(g, h, e->date))
            ev_add(e, h->unborn, SYNTH_R_UNBORN);
        ev_add(e, h->victim, SYNTH_R_PARENT);
        if (synth_rng_chance(r, 700))
            ev_add(e, h->perp, SYNTH_R_PERP);
        if (e->n < 2)
            g->ne--;
    }
}

/* A safety plan, dropped when there is no child (born or booked). */
static void
ev_safety_plan(struct ev_state *s)
{
    struct synth_group *g = s->g;
    struct synth_rng *r = s->r;
    struct synth_hh *h = s->h;
    struct synth_event *e;
    int kids;

    if (!synth_rng_chance(r, 400) ||
        (e = ev_new(g, s->w, SYNTH_K_SAFETY, SYNTH_SOCIAL_CARE, s->hi,
        synth_rng_range(r, s->first_inc ? s->first_inc : h->t0, h->t1))) ==
        NULL)
        return;
    ev_add(e, h->victim, SYNTH_R_VICTIM);
    kids = ev_add_children(g, e, h, 0, 18);
    if (synth_rng_chance(r, 500))
        ev_add(e, h->perp, SYNTH_R_PERP);
    if (synth_rng_chance(r, 400))
        ev_add(e, h->grand, SYNTH_R_OTHER);
    if (kids == 0 && !pregnant(g, h, e->date))
        g->ne--;
    else if (pregnant(g, h, e->date))
        ev_add(e, h->unborn, SYNTH_R_UNBORN);
}

/* Children's social care: whether the household is known to it (more
 * likely after incidents with children), and its records if so. */
static void
ev_social_care(struct ev_state *s)
{
    struct synth_hh *h = s->h;
    int sc_p;

    if (h->nchild > 0 || h->unborn >= 0) {
        sc_p = s->any_high ? 800 : (s->any_med ? 600 : 250);
        if (h->unborn >= 0 && sc_p < 500)
            sc_p = 500;
        h->sc = synth_rng_chance(s->r, (uint32_t)sc_p);
    }
    if (!h->sc)
        return;
    ev_assessment(s);
    ev_strategy(s);
    ev_safety_plan(s);
}

/* Health visiting for the under-fives. */
static void
ev_health_visiting(struct ev_state *s)
{
    struct synth_group *g = s->g;
    struct synth_rng *r = s->r;
    struct synth_hh *h = s->h;
    struct synth_event *e;
    int32_t d, lo;
    int i, k, n, youngest = -1;

    for (i = 0; i < h->nchild; i++)
        if (youngest < 0 || g->p[h->child[i]].dob > g->p[youngest].dob)
            youngest = h->child[i];
    if (youngest < 0 || !synth_rng_chance(r, 700))
        return;
    lo = g->p[youngest].dob > h->t0 ? g->p[youngest].dob : h->t0;
    d = synth_add_years(g->p[youngest].dob, 5) - 1;
    if (d > h->t1)
        d = h->t1;
    n = 1 + (int)synth_rng_below(r, 3);
    for (k = 0; lo <= d && k < n; k++) {
        if ((e = ev_new(g, s->w, SYNTH_K_HV, SYNTH_HEALTH, s->hi,
            synth_rng_range(r, lo, d))) == NULL)
            continue;
        (void)ev_add_children(g, e, h, 0, 5);
        ev_add(e, h->victim, SYNTH_R_PARENT);
        if (synth_rng_chance(r, 250))
            ev_add(e, h->perp, SYNTH_R_PERP);
    }
}

/* Emergency department: the victim, sometimes a child; and a hospital's
 * safeguarding concern. */
static void
ev_emergency(struct ev_state *s)
{
    struct synth_group *g = s->g;
    struct synth_world *w = s->w;
    struct synth_rng *r = s->r;
    struct synth_hh *h = s->h;
    struct synth_event *e;
    int hi = s->hi, ninc = s->ninc;
    int32_t d, lo;
    int k, n, p;

    if (synth_rng_chance(r, 250)) {
        n = 1 + synth_rng_chance(r, 300);
        for (k = 0; k < n; k++) {
            d = (ninc > 0 && synth_rng_chance(r, 500)) ?
                s->inc[synth_rng_below(r, (uint32_t)ninc)] +
                synth_rng_range(r, 0, 1) : synth_rng_range(r, h->t0, h->t1);
            if ((e = ev_new(g, w, SYNTH_K_ED, SYNTH_HEALTH, hi, d)) != NULL)
                ev_add(e, h->victim, SYNTH_R_VICTIM);
        }
    }
    if (h->nchild > 0 && synth_rng_chance(r, 60)) {
        p = h->child[synth_rng_below(r, (uint32_t)h->nchild)];
        lo = g->p[p].dob > h->t0 ? g->p[p].dob : h->t0;
        if (lo <= h->t1 && (e = ev_new(g, w, SYNTH_K_ED, SYNTH_HEALTH, hi,
            synth_rng_range(r, lo, h->t1))) != NULL) {
            ev_add(e, p, SYNTH_R_CHILD);
            ev_add(e, h->victim, SYNTH_R_PARENT);
        }
    }
    if (synth_rng_chance(r, 120) &&
        (e = ev_new(g, w, SYNTH_K_SGC, SYNTH_HEALTH, hi,
        synth_rng_range(r, h->t0, h->t1))) != NULL) {
        (void)ev_add_children(g, e, h, 0, 18);
        ev_add(e, h->victim, SYNTH_R_VICTIM);
        if (synth_rng_chance(r, 500))
            ev_add(e, h->perp, SYNTH_R_PERP);
    }
}

/* School: a pupil's own disclosure. */
static void
ev_school(struct ev_state *s)
{
    struct synth_group *g = s->g;
    struct synth_rng *r = s->r;
    struct synth_hh *h = s->h;
    struct synth_event *e;
    int32_t d;
    int k, n;

    if (!synth_rng_chance(r, 150))
        return;
    n = 1 + synth_rng_chance(r, 300);
    for (k = 0; k < n; k++) {
        d = synth_rng_range(r, h->t0, h->t1);
        if (children_of_age(g, h, d, 4, 16) == 0)
            continue;
        if ((e = ev_new(g, s->w, SYNTH_K_SCHOOL, SYNTH_SCHOOL, s->hi, d)) ==
            NULL)
            continue;
        (void)ev_add_children(g, e, h, 4, 16);
        if (synth_rng_chance(r, 500))
            ev_add(e, h->victim, SYNTH_R_PARENT);
        if (synth_rng_chance(r, 450))
            e->voice = 1;
    }
}

/* Probation: a perpetrator under supervision (with a PNC id). */
static void
ev_probation(struct ev_state *s)
{
    static const uint32_t sup_risk_w[] = {50, 500, 400, 50};
    struct synth_group *g = s->g;
    struct synth_rng *r = s->r;
    struct synth_hh *h = s->h;
    struct synth_event *e;
    int k, n;

    if (!(g->p[h->perp].pnc[0] != '\0' && !s->second &&
        synth_rng_chance(r, 220)))
        return;
    n = 1 + (int)synth_rng_below(r, 3);
    for (k = 0; k < n; k++) {
        if ((e = ev_new(g, s->w, SYNTH_K_SUP, SYNTH_PROBATION, s->hi,
            synth_rng_range(r, h->t0, h->t1))) == NULL)
            continue;
        e->risk = 1 + (int)synth_rng_weighted(r, sup_risk_w, 4);
        ev_add(e, h->perp, SYNTH_R_PERP);
        if (synth_rng_chance(r, 500))
            ev_add(e, h->victim, SYNTH_R_VICTIM);
        if (synth_rng_chance(r, 350))
            (void)ev_add_children(g, e, h, 0, 18);
    }
}

/* Youth justice: a teenager in the household (the first one whose age
 * allows it and who is drawn). */
static void
ev_youth_justice(struct ev_state *s)
{
    struct synth_group *g = s->g;
    struct synth_rng *r = s->r;
    struct synth_hh *h = s->h;
    struct synth_event *e;
    int32_t d, lo;
    int i, k, n, p;

    for (i = 0; i < h->nchild; i++) {
        p = h->child[i];
        /* Mostly 14 to 17; a few from 12. */
        lo = synth_add_years(g->p[p].dob,
            synth_rng_chance(r, 700) ? 14 : 12);
        if (lo < h->t0)
            lo = h->t0;
        d = synth_add_years(g->p[p].dob, 18) - 1;
        if (d > h->t1)
            d = h->t1;
        if (lo > d || !synth_rng_chance(r, 60))
            continue;
        n = 1 + synth_rng_chance(r, 350);
        for (k = 0; k < n; k++) {
            if ((e = ev_new(g, s->w, SYNTH_K_YJ, SYNTH_YOUTH_JUSTICE, s->hi,
                synth_rng_range(r, lo, d))) == NULL)
                continue;
            ev_add(e, p, SYNTH_R_CHILD);
            ev_add(e, h->victim, SYNTH_R_PARENT);
            if (g->p[p].pnc[0] == '\0' && synth_rng_chance(r, 700))
                synth_ids_pnc(&s->w->ids, g->p[p].pnc,
                    synth_year(e->date));
        }
        break;
    }
}

/**
 * synth_events_make(g, w, r, hi, second):
 * Make the events of household ${hi} of ${g}, in the order agencies
 * would meet it, drawing from ${r}; ${second} when it is the
 * perpetrator's second household.  Events outside ${w}'s window, or past
 * SYNTH_MAX_EVENTS, are not made.
 */
void
synth_events_make(struct synth_group *g, struct synth_world *w,
    struct synth_rng *r, int hi, int second)
{
    struct ev_state s;

    memset(&s, 0, sizeof s);
    s.g = g;
    s.w = w;
    s.r = r;
    s.h = &g->h[hi];
    s.hi = hi;
    s.second = second;
    ev_police(&s);
    ev_dvds(&s);
    ev_pregnancy(&s);
    ev_social_care(&s);
    ev_health_visiting(&s);
    ev_emergency(&s);
    ev_school(&s);
    ev_probation(&s);
    ev_youth_justice(&s);
}
