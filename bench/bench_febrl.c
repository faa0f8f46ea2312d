/*
 * bench_febrl: match quality of Seen's tokens, scorer and clusterer, using
 * only what goes into the index.
 *
 *   bench_febrl [-v] [--encoding E] [--all] [--manifest LAB]
 *       [--households N] [--seed S]
 *   bench_febrl [-v] [--encoding E] DATASET4A.csv DATASET4B.csv
 *   bench_febrl [-v] [--encoding E] --synth DIR
 *
 * --encoding keyed, oprf, anchored or both (the default: keyed, oprf,
 * then anchored; anchored: match/anchored.h, six anchors a person): the
 * tokens of a keyed epoch (today's rules and the name's Bloom filter) or
 * of an OPRF epoch (match/tokens.h, SEEN_TOKENS_OPRF: the names' one-edit
 * neighbourhoods, no filter) with the keyed PRF standing in for the OPRF
 * (quality depends only on which inputs are equal).  Each run also
 * prints what the encoding costs (prfstats.h): PRF inputs a person,
 * distinct inputs a batch of 1,000 records, leaf bytes an entry.
 *
 * A bare run (--all): FEBRL 4, then seen-synth and seen-synth2 on the
 * six-area lab (150 households per authority, seed 1), each with its
 * table by kind of difference (synthkinds.c), and a summary.
 *
 * FEBRL 4 mode: the 5,000 originals of dataset4a.csv and their 5,000
 * corrupted duplicates in dataset4b.csv (default: bench/data/
 * febrl/).  Each record becomes the struct seen_token_input an index entry
 * would be made from, and nothing else:
 *   - given_name -> given, surname -> family (raw; the tokenizer
 *     normalises them);
 *   - date_of_birth YYYYMMDD -> days since 1970 (absent when it is not a
 *     real date);
 *   - postcode (Australian, four digits) -> both postcode and district, as
 *     written: the four-digit code is the nearest thing to a district;
 *   - soc_sec_id -> the UPN slot, as written (it has no check digit; the
 *     tokenizer hashes what it is given).  Of the three identifier slots
 *     the UPN's weights fit it best: strong when it agrees, a moderate
 *     penalty when it differs, where FEBRL corrupts it in about 9% of the
 *     duplicates.  The NHS slot would make every corrupted number a hard
 *     contradiction (and a clustering constraint), the PNC slot nearly
 *     one;
 *   - no sex, no birth band (no record date), no street address, suburb
 *     or state: the index holds none of them.
 * Tokens and Bloom filters are made under a random match key; 4a's blocking
 * tokens go into an in-memory hash map from token to entries; each 4b
 * record is scored with seen_score_pair against every 4a record it shares
 * a blocking token with; pairs are assigned one to one, greedily by weight
 * (ties by record ids), twice: from the match band only (what Seen links
 * without review), and from the possible band up (each 4b record has at
 * most one original, so a possible link that no stronger one contests is
 * taken).  Precision, recall and F1 are
 * against the ground truth rec-N-org <-> rec-N-dup-0, and the time is that
 * of the whole linkage after the files are read: parsing the lines,
 * tokenising both files, indexing, scoring and assignment.
 *
 * --synth mode: DIR holds seen-synth output (DIR/<node>.jsonl in the
 * import format, DIR/truth.jsonl, DIR/scenarios.jsonl).  Every person of
 * every record becomes an index entry as the indexer makes it (tokens,
 * Bloom filter, birth band, a group per record); entries that share a
 * blocking token are scored, and seen_cluster_run makes persons.  Prints
 * pairwise precision, recall and F1 over persons, the share of the
 * perpetrators of scenario perpetrator_two_authorities found as one
 * person, the persons that must never merge (siblings, twins, ...) that
 * did, and, when the truth names kinds of difference ("noise"), precision
 * and recall by kind.
 *
 * -v prints more: blocking recall and figures at other thresholds.
 * Prints figures; never passes or fails on them.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/benchutil.h"
#include "bench/emtable.h"
#include "bench/febrl4.h"
#include "bench/prfstats.h"
#include "bench/reasons.h"
#include "bench/synthkinds.h"
#include "common/clock.h"
#include "common/log.h"
#include "match/cluster.h"
#include "match/collective.h"
#include "match/normalise.h"
#include "match/score.h"
#include "match/tokens.h"
#include "node/matching/indexer.h"
#include "proto/record.h"
#include "seen.pb-c.h"

#define MAX_BLOCK 2000 /* synth: a block larger than this is not paired */
#define POSSIBLE_AT 5.0 /* the possible band of seen_score_pair */
#define RANDOM_PAIRS 200000 /* -v: random pairs scored for u */

static int verbose;
static struct bench_reasons reasons; /* -v: of the last linkage */

/* ---- seen-synth output, clustered ---- */

struct sentry {
    struct seen_cluster_item it;
    uint8_t tok[SEEN_TOKENS_MAX * SEEN_TOKEN_ITEM];
    uint8_t bloom[SEEN_BLOOM_BYTES];
    long person;
    unsigned noise; /* kinds of difference (synthkinds.h) */
    char desc[200]; /* -v: what the entry was made from */
};

struct bpost {
    const uint8_t *t;
    uint32_t e;
};

struct upair {
    uint32_t a, b;
};

static int
bpost_cmp(const void *va, const void *vb)
{
    const struct bpost *x = va, *y = vb;
    int c = memcmp(x->t, y->t, SEEN_TOKEN_ITEM);

    return c ? c : (x->e > y->e) - (x->e < y->e);
}

static int
upair_cmp(const void *va, const void *vb)
{
    const struct upair *x = va, *y = vb;

    if (x->a != y->a)
        return x->a < y->a ? -1 : 1;
    return (x->b > y->b) - (x->b < y->b);
}

static double
choose2(size_t n)
{

    return (double)n * (double)(n - (n > 0)) / 2;
}

struct lp {
    uint32_t label;
    long person;
};

static int
lp_cmp(const void *va, const void *vb)
{
    const struct lp *x = va, *y = vb;

    if (x->label != y->label)
        return x->label < y->label ? -1 : 1;
    return (x->person > y->person) - (x->person < y->person);
}

static int
pl_cmp(const void *va, const void *vb)
{
    const struct lp *x = va, *y = vb;

    if (x->person != y->person)
        return x->person < y->person ? -1 : 1;
    return (x->label > y->label) - (x->label < y->label);
}

/* Do persons ${p} and ${q} share a label?  ${pl} is sorted by person,
 * ${first}[p] its first row. */
static int
share_label(const struct lp *pl, size_t n, const size_t *first, long p,
    long q)
{
    size_t i, j;

    for (i = first[p]; i < n && pl[i].person == p; i++)
        for (j = first[q]; j < n && pl[j].person == q; j++)
            if (pl[i].label == pl[j].label)
                return 1;
    return 0;
}

/* The scenarios whose persons must never be merged. */
static const char *const apart[] = {"siblings", "twins", "mother_and_child",
    "father_and_son_same_name", "same_name_same_dob_different_people"};

#define NAPART (sizeof apart / sizeof apart[0])

/* One --synth run: the truth, the entries, the clustering and what is
 * measured of it. */
struct synth {
    const char *dir, *gen;
    struct bench_smap truth;      /* node, record, ref -> person number */
    struct bench_smap noise;      /* node, record, ref -> kinds of it */
    int has_noise;                /* the truth names kinds */
    struct bench_smap persons;    /* person id -> person number */
    long nperson;
    struct seen_tokenizer *tk;
    struct sentry *e;
    size_t ne, cape, unknown;
    struct seen_cluster_item *items;
    struct seen_cluster_link *links;
    size_t nlinks;
    uint32_t *label;
    struct lp *lp, *pl;     /* by label, by person */
    size_t *first;          /* by person: its first row in pl */
    double ttok, tlink, tclus, pr, rc, f1;
    size_t nperp, perp_one, apart_pairs[NAPART], apart_merged[NAPART];
    size_t lifted, lifted_right; /* possible links lifted by the people
                                    around them, and of those one person */
    uint8_t (*lv)[SEEN_CMP_COUNT]; /* by link: its comparisons' levels */
    struct bench_prfstats cost;    /* what the encoding costs */
};

/* Read DIR/truth.jsonl: node, record, ref -> person. */
static int
synth_truth(struct synth *sy)
{
    char path[4096], key[1024];
    const char *p, *end, *nl;
    char *data;
    size_t len, i, k;
    json_t *j;
    long pid;

    snprintf(path, sizeof path, "%s/truth.jsonl", sy->dir);
    if ((data = bench_slurp(path, &len)) == NULL) {
        fprintf(stderr, "bench_febrl: cannot read %s\n", path);
        return -1;
    }
    for (i = 0, k = 0; i < len; i++)
        k += data[i] == '\n';
    if (bench_smap_init(&sy->truth, k + 1) != 0 ||
        bench_smap_init(&sy->noise, k + 1) != 0 ||
        bench_smap_init(&sy->persons, k + 1) != 0)
        return -1;
    for (p = data, end = data + len; p < end; p = nl + 1) {
        if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
            nl = end;
        if ((j = json_loadb(p, (size_t)(nl - p), 0, NULL)) == NULL)
            continue;
        snprintf(key, sizeof key, "%s\t%s\t%s",
            json_string_value(json_object_get(j, "node")),
            json_string_value(json_object_get(j, "record")),
            json_string_value(json_object_get(j, "ref")));
        pid = bench_smap_put(&sy->persons,
            json_string_value(json_object_get(j, "person")), sy->nperson);
        if (pid == sy->nperson)
            sy->nperson++;
        sy->has_noise |= json_object_get(j, "noise") != NULL;
        if (pid < 0 || bench_smap_put(&sy->truth, key, pid) < 0 ||
            bench_smap_put(&sy->noise, key,
                bench_kinds_mask(json_object_get(j, "noise"))) < 0)
            return -1;
        json_decref(j);
    }
    free(data);
    return 0;
}

/* Make the entry of person ${pp} of record ${rec} of ${node} (origin key
 * ${origin}) as the indexer makes it; kept if the truth knows it. */
static int
synth_entry(struct synth *sy, const char *node, const uint8_t origin[32],
    const struct seen_record *rec, const struct seen_person *pp)
{
    struct seen_token_input in;
    struct sentry *se;
    char key[1024], dd[SEEN_DATE_BYTES] = "";
    double t0;

    if (sy->ne == sy->cape &&
        (sy->e = realloc(sy->e, (sy->cape *= 2) * sizeof *sy->e)) == NULL)
        return -1;
    se = &sy->e[sy->ne];
    seen_indexer_token_input(rec, pp, &in);
    se->it.ntokens = seen_tokens_make(sy->tk, &in, se->tok, SEEN_TOKENS_MAX);
    seen_bloom_make(sy->tk, &in, se->bloom);
    /* What the encoding costs, outside the time of the tokens. */
    t0 = seen_clock_mono();
    if (bench_prfstats_person(&sy->cost, sy->tk, &in) != 0)
        return -1;
    bench_prfstats_leaf(&sy->cost, se->it.ntokens,
        rec->local_authority ? rec->local_authority : "",
        rec->has_retain ? (unsigned int)rec->retain_until + 1 : 0);
    sy->ttok -= seen_clock_mono() - t0;
    se->it.birth_band = seen_indexer_birth_band(pp, rec->date);
    memcpy(se->it.id, origin, 32);
    snprintf(key, sizeof key, "%s\t%s", rec->id, pp->ref);
    crypto_generichash(se->it.id + 32, 16, (const uint8_t *)key, strlen(key),
        origin, 32);
    crypto_generichash(se->it.group, 16, (const uint8_t *)rec->id,
        strlen(rec->id), origin, 32);
    snprintf(key, sizeof key, "%s\t%s\t%s", node, rec->id, pp->ref);
    se->person = bench_smap_get(&sy->truth, key);
    se->noise = (unsigned)bench_smap_get(&sy->noise, key);
    if (verbose) {
        if (pp->has_dob)
            seen_date_format(pp->dob, dd);
        snprintf(se->desc, sizeof se->desc, "%s|%s|%s|%c|%s|%s|%s|%s|b%u %s %s",
            pp->given ? pp->given : "", pp->family ? pp->family : "", dd,
            pp->sex ? pp->sex : '-', pp->nhs, pp->upn, pp->pnc, pp->postcode,
            se->it.birth_band, node, rec->id);
    }
    if (se->person < 0) {
        sy->unknown++;
        return 0;
    }
    sy->ne++;
    return 0;
}

/* Make the entries of every person of every record of file ${name}.jsonl
 * (${name} is the node). */
static int
synth_file(struct synth *sy, const char *name)
{
    struct seen_record *rec;
    char path[4096], node[1024];
    const char *p, *end, *nl;
    uint8_t origin[32];
    char *data;
    size_t len, i;
    double t0;

    snprintf(path, sizeof path, "%s/%s", sy->dir, name);
    if ((data = bench_slurp(path, &len)) == NULL)
        return -1;
    snprintf(node, sizeof node, "%.*s", (int)(strlen(name) - 6), name);
    crypto_generichash(origin, sizeof origin, (const uint8_t *)node,
        strlen(node), NULL, 0);
    for (p = data, end = data + len; p < end; p = nl + 1) {
        if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
            nl = end;
        if (seen_record_line_blank(p, (size_t)(nl - p)) ||
            seen_record_parse(p, (size_t)(nl - p), &rec, NULL, NULL) != 0)
            continue;
        t0 = seen_clock_mono();
        for (i = 0; i < rec->npeople; i++)
            if (synth_entry(sy, node, origin, rec, &rec->people[i]) != 0)
                return -1;
        sy->ttok += seen_clock_mono() - t0;
        seen_record_destroy(&rec);
        if (bench_prfstats_record(&sy->cost) != 0)
            return -1;
    }
    free(data);
    return 0;
}

/* The candidate pairs: entries that share a blocking token, every pair of
 * a block (blocks larger than MAX_BLOCK aside), sorted, to *${out}. */
static long
synth_pairs(struct synth *sy, struct upair **out)
{
    struct bpost *bp;
    struct upair *up;
    size_t i, k, x, y, nbp = 0, nup = 0, capup;

    for (i = 0; i < sy->ne; i++)
        for (k = 0; k < sy->e[i].it.ntokens; k++)
            nbp += seen_rule_is_block(sy->e[i].tok[k * SEEN_TOKEN_ITEM]);
    if ((bp = malloc((nbp + 1) * sizeof *bp)) == NULL)
        return -1;
    for (i = 0, nbp = 0; i < sy->ne; i++)
        for (k = 0; k < sy->e[i].it.ntokens; k++)
            if (seen_rule_is_block(sy->e[i].tok[k * SEEN_TOKEN_ITEM]))
                bp[nbp++] = (struct bpost){
                    sy->e[i].tok + k * SEEN_TOKEN_ITEM, (uint32_t)i};
    qsort(bp, nbp, sizeof *bp, bpost_cmp);
    capup = nbp * 4 + 16;
    if ((up = malloc(capup * sizeof *up)) == NULL)
        return -1;
    for (i = 0; i < nbp; i = k) {
        for (k = i + 1;
             k < nbp && memcmp(bp[k].t, bp[i].t, SEEN_TOKEN_ITEM) == 0; k++)
            ;
        if (k - i > MAX_BLOCK)
            continue;
        for (x = i; x < k; x++)
            for (y = x + 1; y < k; y++) {
                if (nup == capup &&
                    (up = realloc(up, (capup *= 2) * sizeof *up)) == NULL)
                    return -1;
                up[nup++] = (struct upair){bp[x].e, bp[y].e};
            }
    }
    free(bp);
    qsort(up, nup, sizeof *up, upair_cmp);
    *out = up;
    return (long)nup;
}

/* Score each candidate pair once, as the links to cluster. */
static int
synth_link(struct synth *sy)
{
    const struct seen_cluster_item *x, *y;
    struct seen_score_side sa, sb;
    struct seen_score s;
    struct upair *up;
    long nup;
    size_t i;

    for (i = 0; i < sy->ne; i++) {
        sy->e[i].it.tokens = sy->e[i].tok;
        sy->e[i].it.bloom =
            bench_token_mode == SEEN_TOKENS_KEYED ? sy->e[i].bloom : NULL;
        sy->items[i] = sy->e[i].it;
    }
    if ((nup = synth_pairs(sy, &up)) < 0 ||
        (sy->links = malloc(((size_t)nup + 1) * sizeof *sy->links)) == NULL ||
        (sy->lv = malloc(((size_t)nup + 1) * sizeof *sy->lv)) == NULL)
        return -1;
    for (i = 0; i < (size_t)nup; i++) {
        if (i > 0 && up[i].a == up[i - 1].a && up[i].b == up[i - 1].b)
            continue;
        x = &sy->items[up[i].a];
        y = &sy->items[up[i].b];
        sa = (struct seen_score_side){
            x->tokens, x->ntokens, x->bloom, x->birth_band};
        sb = (struct seen_score_side){
            y->tokens, y->ntokens, y->bloom, y->birth_band};
        seen_score_pair(&sa, &sb, &s);
        if (verbose)
            bench_reasons_add(&reasons, &s,
                sy->e[up[i].a].person == sy->e[up[i].b].person
                    ? BENCH_PAIR_TRUE
                    : BENCH_PAIR_FALSE);
        memcpy(sy->lv[sy->nlinks], s.level, SEEN_CMP_COUNT);
        sy->links[sy->nlinks++] =
            (struct seen_cluster_link){up[i].a, up[i].b, s.weight};
    }
    free(up);
    return 0;
}

/* The weights EM learns from the candidate pairs, beside the truth's. */
static int
synth_em(struct synth *sy)
{
    double *w;
    uint8_t *t;
    size_t i;
    int r = -1;

    w = malloc((sy->nlinks + 1) * sizeof *w);
    t = malloc(sy->nlinks + 1);
    if (w != NULL && t != NULL) {
        for (i = 0; i < sy->nlinks; i++) {
            w[i] = sy->links[i].weight;
            t[i] = sy->e[sy->links[i].a].person == sy->e[sy->links[i].b].person;
        }
        r = bench_em_print(sy->gen, (const uint8_t (*)[SEEN_CMP_COUNT])sy->lv,
            w, t, sy->nlinks);
    }
    free(w);
    free(t);
    return r;
}

/* Lift the possible links that the people around them support
 * (match/collective.h), as every node's matcher does, and say how many
 * were lifted and how many of those the truth has as one person. */
static int
synth_lift(struct synth *sy)
{
    uint8_t *sup;
    size_t i, n = 0, right = 0;

    if ((sup = malloc(sy->nlinks + 1)) == NULL ||
        seen_collective_support(sy->items, sy->ne, sy->links, sy->nlinks,
            sup) != 0) {
        free(sup);
        return -1;
    }
    for (i = 0; i < sy->nlinks; i++) {
        if (!sup[i])
            continue;
        sy->links[i].weight += SEEN_COLLECTIVE_BONUS;
        n++;
        right += sy->e[sy->links[i].a].person == sy->e[sy->links[i].b].person;
    }
    sy->lifted = n;
    sy->lifted_right = right;
    free(sup);
    return 0;
}

/* Pairwise precision and recall over persons. */
static int
synth_pairwise(struct synth *sy)
{
    double tp = 0, predp = 0, truep = 0;
    size_t i, k, x, y, ne = sy->ne;
    struct lp *lp, *pl;

    if ((lp = sy->lp = malloc((ne + 1) * sizeof *lp)) == NULL ||
        (pl = sy->pl = malloc((ne + 1) * sizeof *pl)) == NULL ||
        (sy->first = malloc(((size_t)sy->nperson + 1) * sizeof *sy->first)) ==
            NULL)
        return -1;
    for (i = 0; i < ne; i++)
        lp[i] = pl[i] = (struct lp){sy->label[i], sy->e[i].person};
    qsort(lp, ne, sizeof *lp, lp_cmp);
    qsort(pl, ne, sizeof *pl, pl_cmp);
    for (i = 0; i < ne; i = x) {
        for (x = i; x < ne && lp[x].label == lp[i].label; x++)
            ;
        predp += choose2(x - i);
        for (y = i; y < x; y = k) {
            for (k = y; k < x && lp[k].person == lp[y].person; k++)
                ;
            tp += choose2(k - y);
        }
    }
    for (i = 0; i < (size_t)sy->nperson; i++)
        sy->first[i] = ne;
    for (i = 0; i < ne; i = x) {
        for (x = i; x < ne && pl[x].person == pl[i].person; x++)
            ;
        truep += choose2(x - i);
        sy->first[pl[i].person] = i;
    }
    sy->pr = predp > 0 ? tp / predp : 0;
    sy->rc = truep > 0 ? tp / truep : 0;
    sy->f1 = sy->pr + sy->rc > 0 ? 2 * sy->pr * sy->rc / (sy->pr + sy->rc)
                                 : 0;
    return 0;
}

/* A perpetrator_two_authorities scenario about person ${pid}: found as
 * one person? */
static void
synth_perpetrator(struct synth *sy, long pid)
{
    const struct lp *pl = sy->pl;
    size_t x, y, ne = sy->ne;

    if (pid < 0 || sy->first[pid] >= ne)
        return;
    sy->nperp++;
    for (x = sy->first[pid]; x < ne && pl[x].person == pid &&
         pl[x].label == pl[sy->first[pid]].label;
         x++)
        ;
    sy->perp_one += x == ne || pl[x].person != pid;
    if (verbose && x < ne && pl[x].person == pid) {
        printf("  perpetrator %ld split:\n", pid);
        for (y = 0; y < ne; y++)
            if (sy->e[y].person == pid)
                printf("    %6u %s\n", sy->label[y], sy->e[y].desc);
    }
}

/* A scenario of apart[${k}] (JSON ${j}): which of its pairs of persons
 * were merged. */
static void
synth_apart(struct synth *sy, size_t k, json_t *j)
{
    json_t *arr;
    long q[64];
    size_t nq = 0, i, x, y, ne = sy->ne;

    if (k == 2) { /* mother_and_child: mother, children */
        q[nq++] = bench_smap_get(&sy->persons,
            json_string_value(json_object_get(j, "mother")));
        arr = json_object_get(j, "children");
    } else if (k == 3) {
        q[nq++] = bench_smap_get(&sy->persons,
            json_string_value(json_object_get(j, "father")));
        q[nq++] = bench_smap_get(&sy->persons,
            json_string_value(json_object_get(j, "son")));
        arr = NULL;
    } else {
        arr = json_object_get(j, "persons");
    }
    for (i = 0; arr != NULL && i < json_array_size(arr) && nq < 64; i++)
        q[nq++] = bench_smap_get(&sy->persons,
            json_string_value(json_array_get(arr, i)));
    for (x = 0; x < nq; x++)
        for (y = x + 1; y < nq; y++) {
            if (q[x] < 0 || q[y] < 0 || sy->first[q[x]] == ne ||
                sy->first[q[y]] == ne)
                continue;
            sy->apart_pairs[k]++;
            if (!share_label(sy->pl, ne, sy->first, q[x], q[y]))
                continue;
            sy->apart_merged[k]++;
            if (verbose)
                printf("  never merge, %s: persons %ld and %ld merged\n",
                    apart[k], q[x], q[y]);
        }
}

/* Read DIR/scenarios.jsonl and measure each scenario that says something
 * of the clustering. */
static void
synth_scenarios(struct synth *sy)
{
    char path[4096], *data;
    const char *p, *end, *nl, *sc;
    size_t len, k;
    json_t *j;

    snprintf(path, sizeof path, "%s/scenarios.jsonl", sy->dir);
    if ((data = bench_slurp(path, &len)) == NULL)
        return;
    for (p = data, end = data + len; p < end; p = nl + 1) {
        if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
            nl = end;
        if ((j = json_loadb(p, (size_t)(nl - p), 0, NULL)) == NULL)
            continue;
        sc = json_string_value(json_object_get(j, "scenario"));
        if (sc != NULL && strcmp(sc, "perpetrator_two_authorities") == 0)
            synth_perpetrator(sy, bench_smap_get(&sy->persons,
                json_string_value(json_object_get(j, "person"))));
        for (k = 0; sc != NULL && k < NAPART; k++)
            if (strcmp(sc, apart[k]) == 0)
                synth_apart(sy, k, j);
        json_decref(j);
    }
    free(data);
}

/* A row of struct lp: its label or its person. */
static long
lp_field(const struct lp *r, int label)
{

    return label ? (long)r->label : r->person;
}

/* -v: for the entries of label (or person) ${key}, the score of the
 * first against the first of each other person (or label), up to 8. */
static void
synth_show_why(const struct synth *sy, int by_label, long key)
{
    const struct seen_cluster_item *a, *b;
    struct seen_score_side sa, sb;
    size_t y, first = sy->ne, nseen = 0, k;
    long seen[8], z;
    char label[64];

    for (y = 0; y < sy->ne && nseen < 8; y++) {
        if ((by_label ? (long)sy->label[y] : sy->e[y].person) != key)
            continue;
        z = by_label ? sy->e[y].person : (long)sy->label[y];
        for (k = 0; k < nseen && seen[k] != z; k++)
            ;
        if (k < nseen)
            continue;
        seen[nseen++] = z;
        if (first == sy->ne) {
            first = y;
            continue;
        }
        a = &sy->items[first];
        b = &sy->items[y];
        sa = (struct seen_score_side){
            a->tokens, a->ntokens, a->bloom, a->birth_band};
        sb = (struct seen_score_side){
            b->tokens, b->ntokens, b->bloom, b->birth_band};
        snprintf(label, sizeof label, "      %zu-%zu", first, y);
        bench_score_print(&sa, &sb, label);
    }
}

/*
 * -v: the first 40 false merges (${v} sorted by label: a label holding
 * two persons) or splits (by person: a person under two labels), each
 * with its entries.
 */
static void
synth_show(const struct synth *sy, const struct lp *v, int by_label)
{
    size_t i, x, y, ne = sy->ne, shown = 0;
    long key;

    for (i = 0; i < ne && shown < 40; i = x) {
        key = lp_field(&v[i], by_label);
        for (x = i; x < ne && lp_field(&v[x], by_label) == key; x++)
            ;
        if (lp_field(&v[i], !by_label) == lp_field(&v[x - 1], !by_label))
            continue;
        printf(by_label ? "  false merge: label %ld holds persons"
                        : "  split: person %ld in labels",
            key);
        for (y = i; y < x; y++)
            if (y == i || lp_field(&v[y], !by_label) !=
                              lp_field(&v[y - 1], !by_label))
                printf(" %ld", lp_field(&v[y], !by_label));
        printf("\n");
        for (y = 0; y < ne; y++)
            if ((by_label ? (long)sy->label[y] : sy->e[y].person) == key)
                printf("    %6ld %s\n",
                    by_label ? sy->e[y].person : (long)sy->label[y],
                    sy->e[y].desc);
        synth_show_why(sy, by_label, key);
        shown++;
    }
}

/* 1 when entries ${i} and ${j} of the synth ${arg} are two people. */
static int
synth_apart_entries(void *arg, size_t i, size_t j)
{
    const struct synth *sy = arg;

    return sy->e[i].person != sy->e[j].person;
}

/* -v: the most tokens an entry has, and the worst false merges and
 * splits, by person. */
static void
synth_verbose(const struct synth *sy)
{
    struct seen_score_side *sides;
    size_t i, full = 0, most = 0;

    for (i = 0; i < sy->ne; i++) {
        full += sy->e[i].it.ntokens == SEEN_TOKENS_MAX;
        most = sy->e[i].it.ntokens > most ? sy->e[i].it.ntokens : most;
    }
    printf("  tokens: at most %zu per entry; %zu entries at the limit "
           "of %d\n",
        most, full, SEEN_TOKENS_MAX);
    synth_show(sy, sy->lp, 1);
    synth_show(sy, sy->pl, 0);
    if ((sides = malloc((sy->ne + 1) * sizeof *sides)) == NULL)
        return;
    for (i = 0; i < sy->ne; i++)
        sides[i] = (struct seen_score_side){sy->items[i].tokens,
            sy->items[i].ntokens, sy->items[i].bloom, sy->items[i].birth_band};
    bench_reasons_random(&reasons, sides, sy->ne, sides, sy->ne,
        synth_apart_entries, (void *)sy, RANDOM_PAIRS);
    free(sides);
    bench_reasons_print(&reasons, "reasons among the candidate pairs");
}

static void
synth_print(struct synth *sy)
{
    size_t k;

    printf("%s clustering (%s): %zu entries, %ld persons, %zu "
           "candidate pairs\n",
        sy->gen, sy->dir, sy->ne, sy->nperson, sy->nlinks);
    if (sy->unknown)
        printf("  (%zu entries not in truth.jsonl left out)\n", sy->unknown);
    printf("  pairwise precision %.4f  recall %.4f  F1 %.4f   target F1 "
           ">= 0.99 at precision >= 0.995\n",
        sy->pr, sy->rc, sy->f1);
    printf("  possible links lifted by the people around them: %zu, of "
           "which one person: %zu\n",
        sy->lifted, sy->lifted_right);
    printf("  perpetrator_two_authorities found as one person: %zu of %zu "
           "(%.4f)\n",
        sy->perp_one, sy->nperp,
        sy->nperp ? (double)sy->perp_one / sy->nperp : 0);
    for (k = 0; k < NAPART; k++)
        printf("  never merge, %-36s %zu of %zu pairs merged\n", apart[k],
            sy->apart_merged[k], sy->apart_pairs[k]);
    printf("  time: tokens %.3f s, blocks+scores %.3f s, clustering %.3f s\n",
        sy->ttok, sy->tlink, sy->tclus);
    bench_prfstats_print(&sy->cost, bench_token_mode_name(bench_token_mode));
    if (verbose)
        synth_verbose(sy);
}

static void
synth_release(struct synth *sy)
{

    free(sy->first);
    free(sy->lp);
    free(sy->pl);
    free(sy->links);
    free(sy->lv);
    free(sy->items);
    free(sy->label);
    free(sy->e);
    bench_smap_free(&sy->truth);
    bench_smap_free(&sy->noise);
    bench_smap_free(&sy->persons);
    seen_tokenizer_destroy(&sy->tk);
}

/* The figures of ${sy} for the summary, and its table by kind. */
static int
synth_kinds(const struct synth *sy)
{
    struct bench_kinds kinds;
    size_t i, n[4] = {sy->perp_one, sy->nperp, 0, 0};
    char fig[48];
    unsigned *mask;
    long *person;
    int r;

    for (i = 0; i < NAPART; i++) {
        n[2] += sy->apart_merged[i];
        n[3] += sy->apart_pairs[i];
    }
    snprintf(fig, sizeof fig, "%s %s",
        bench_token_mode_name(bench_token_mode), sy->gen);
    bench_fig_add(fig, sy->pr, sy->rc, n);
    if (!sy->has_noise)
        return 0;
    if ((mask = malloc((sy->ne + 1) * sizeof *mask)) == NULL ||
        (person = malloc((sy->ne + 1) * sizeof *person)) == NULL) {
        free(mask);
        return -1;
    }
    for (i = 0; i < sy->ne; i++) {
        mask[i] = sy->e[i].noise;
        person[i] = sy->e[i].person;
    }
    r = bench_kinds_count(sy->label, person, mask, sy->ne, &kinds);
    if (r == 0) {
        printf("  by kind of difference (definition below):\n");
        bench_kinds_print(&kinds);
    }
    free(mask);
    free(person);
    return r;
}

static int
synth(const char *dir, const char *gen)
{
    struct synth sy;
    char **files;
    uint8_t mkey[32];
    long nfiles, k;
    double t0;
    int r;

    memset(&sy, 0, sizeof sy);
    memset(&reasons, 0, sizeof reasons);
    sy.dir = dir;
    sy.gen = gen;
    if (synth_truth(&sy) != 0 ||
        (nfiles = bench_jsonl_files(dir, &files)) < 0)
        return 1;
    randombytes_buf(mkey, sizeof mkey);
    sy.cape = 1 << 14;
    if ((sy.tk = seen_tokenizer_new_mode(mkey, 0, bench_token_mode)) ==
            NULL ||
        (sy.e = malloc(sy.cape * sizeof *sy.e)) == NULL)
        return 1;
    for (k = 0; k < nfiles; k++)
        if (synth_file(&sy, files[k]) != 0)
            return 1;
    if ((sy.items = malloc((sy.ne + 1) * sizeof *sy.items)) == NULL ||
        (sy.label = malloc((sy.ne + 1) * sizeof *sy.label)) == NULL)
        return 1;
    t0 = seen_clock_mono();
    if (synth_link(&sy) != 0)
        return 1;
    sy.tlink = seen_clock_mono() - t0;
    if (synth_em(&sy) != 0 || synth_lift(&sy) != 0)
        return 1;
    t0 = seen_clock_mono();
    if ((r = seen_cluster_run(sy.items, sy.ne, sy.links, sy.nlinks,
             sy.label)) != 0) {
        fprintf(stderr, "bench_febrl: cluster: %s\n", seen_strerror(r));
        return 1;
    }
    sy.tclus = seen_clock_mono() - t0;
    if (synth_pairwise(&sy) != 0)
        return 1;
    synth_scenarios(&sy);
    synth_print(&sy);
    if (synth_kinds(&sy) != 0)
        return 1;
    for (k = 0; k < nfiles; k++)
        free(files[k]);
    free(files);
    synth_release(&sy);
    return 0;
}

static void
usage(void)
{

    fprintf(stderr, "usage: bench_febrl [-v] [--encoding keyed|oprf|anchored|both] "
                    "[--all] [--manifest LAB.json]\n"
                    "           [--households N] [--seed S]\n"
                    "       bench_febrl [-v] [--encoding E] DATASET4A.csv "
                    "DATASET4B.csv\n"
                    "       bench_febrl [-v] [--encoding E] --synth DIR\n");
}

/* FEBRL 4 from bench/data/febrl. */
static int
febrl4(void)
{

    return bench_febrl4(SEEN_SOURCE_DIR "/bench/data/febrl/dataset4a.csv",
        SEEN_SOURCE_DIR "/bench/data/febrl/dataset4b.csv", verbose);
}

/* One run of everything asked for, under the encoding bench_token_mode. */
static int
run(int argc, char *argv[], int i)
{
    int r;

    printf("==== encoding: %s%s ====\n",
        bench_token_mode_name(bench_token_mode),
        bench_token_mode == SEEN_TOKENS_OPRF
            ? " (OPRF epoch: no Bloom filter; the keyed PRF stands in)"
        : bench_token_mode == SEEN_TOKENS_ANCHORED
            ? " (anchored OPRF epoch: six anchors a person; the keyed PRF "
              "stands in)"
            : " (keyed epoch: today's tokens and Bloom filter)");
    fflush(stdout);
    if (i < argc && strcmp(argv[i], "--synth") == 0) {
        if (i + 2 != argc) {
            usage();
            return 2;
        }
        return synth(argv[i + 1], "seen-synth");
    }
    if (i + 2 == argc && argv[i][0] != '-')
        return bench_febrl4(argv[i], argv[i + 1], verbose);
    if ((r = bench_all(argc, argv, i, febrl4, synth)) == 2)
        usage();
    return r;
}

int
main(int argc, char *argv[])
{
    int i = 1, r, both = 1;

    if (sodium_init() < 0)
        return 1;
    seen_log_init("bench_febrl", SEEN_LOG_WARN);
    if (i < argc && strcmp(argv[i], "-v") == 0) {
        verbose = 1;
        i++;
    }
    if (i + 1 < argc && strcmp(argv[i], "--encoding") == 0) {
        both = 0;
        if (strcmp(argv[i + 1], "keyed") == 0)
            bench_token_mode = SEEN_TOKENS_KEYED;
        else if (strcmp(argv[i + 1], "oprf") == 0)
            bench_token_mode = SEEN_TOKENS_OPRF;
        else if (strcmp(argv[i + 1], "anchored") == 0)
            bench_token_mode = SEEN_TOKENS_ANCHORED;
        else if (strcmp(argv[i + 1], "both") == 0)
            both = 1;
        else {
            usage();
            return 2;
        }
        i += 2;
    }
    if ((r = run(argc, argv, i)) != 0 || !both)
        return r;
    printf("\n");
    bench_token_mode = SEEN_TOKENS_OPRF;
    if ((r = run(argc, argv, i)) != 0)
        return r;
    printf("\n");
    bench_token_mode = SEEN_TOKENS_ANCHORED;
    return run(argc, argv, i);
}
