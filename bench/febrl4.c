/*
 * febrl4.c: bench_febrl's FEBRL 4 mode (described in bench_febrl.c): the
 * 5,000 originals and 5,000 duplicates of FEBRL 4, tokenised as an index
 * entry would be, blocked, scored and assigned one to one.
 */
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/benchutil.h"
#include "bench/febrl4.h"
#include "bench/prfstats.h"
#include "bench/reasons.h"
#include "bench/synthkinds.h"
#include "common/clock.h"
#include "match/cluster.h"
#include "match/normalise.h"
#include "match/score.h"
#include "match/tokens.h"

#define NFIELDS 11
/* An OPRF epoch's entry has no name filter (prfstats.h). */
#define BLOOM(r) (bench_token_mode == SEEN_TOKENS_KEYED ? (r)->bloom : NULL)
#define POSSIBLE_AT 5.0 /* the possible band of seen_score_pair */
#define RANDOM_PAIRS 200000 /* -v: random pairs scored for u */

static int verbose;
static struct bench_reasons reasons; /* -v: of this linkage */

struct frec {
    char *f[NFIELDS];
    long truth; /* N of rec-N-org / rec-N-dup-0 */
    struct seen_token_input in;
    uint8_t tok[SEEN_TOKENS_MAX * SEEN_TOKEN_ITEM];
    size_t ntok;
    uint8_t bloom[SEEN_BLOOM_BYTES];
};

struct fpair {
    double w;
    uint32_t a, b;
};

static char *
trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

/* Split the CSV text ${data} (header first) into records. */
static struct frec *
febrl_parse(char *data, size_t *nout)
{
    struct frec *r;
    char *line, *next, *p, *comma;
    size_t n = 0, cap = 0, i;
    const char *num;

    for (p = data; *p; p++)
        cap += *p == '\n';
    if ((r = calloc(cap + 1, sizeof *r)) == NULL)
        return NULL;
    line = strchr(data, '\n'); /* skip the header */
    line = line ? line + 1 : data + strlen(data);
    for (; *line; line = next) {
        if ((next = strchr(line, '\n')) != NULL)
            *next++ = '\0';
        else
            next = line + strlen(line);
        if (trim(line)[0] == '\0')
            continue;
        p = line;
        for (i = 0; i < NFIELDS; i++) {
            if ((comma = strchr(p, ',')) != NULL && i + 1 < NFIELDS)
                *comma = '\0';
            r[n].f[i] = trim(p);
            p = comma ? comma + 1 : p + strlen(p);
        }
        num = strchr(r[n].f[0], '-');
        r[n].truth = num ? strtol(num + 1, NULL, 10) : -1;
        n++;
    }
    *nout = n;
    return r;
}

/* The token input of record ${r}: only what the index would hold. */
static void
febrl_input(struct frec *r)
{
    struct seen_token_input *in = &r->in;
    const char *d = r->f[9];
    int32_t days;
    size_t i;

    memset(in, 0, sizeof *in);
    in->given = r->f[1][0] ? r->f[1] : NULL;
    in->family = r->f[2][0] ? r->f[2] : NULL;
    if (strlen(d) == 8) {
        for (i = 0; i < 8 && d[i] >= '0' && d[i] <= '9'; i++)
            ;
        if (i == 8) {
            days = seen_date_from_ymd((d[0] - '0') * 1000 +
                    (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0'),
                (d[4] - '0') * 10 + (d[5] - '0'),
                (d[6] - '0') * 10 + (d[7] - '0'));
            if (days != SEEN_DATE_NONE) {
                in->has_dob = 1;
                in->dob = days;
            }
        }
    }
    in->postcode = r->f[7];
    in->district = r->f[7];
    in->upn = r->f[10];
}

static const struct frec *fsort_a, *fsort_b;

static int
fpair_cmp(const void *va, const void *vb)
{
    const struct fpair *x = va, *y = vb;
    int c;

    if (x->w > y->w)
        return -1;
    if (x->w < y->w)
        return 1;
    if ((c = strcmp(fsort_a[x->a].f[0], fsort_a[y->a].f[0])) != 0)
        return c;
    return strcmp(fsort_b[x->b].f[0], fsort_b[y->b].f[0]);
}

struct prf {
    size_t links, correct;
};

/* Greedy one-to-one assignment of the ${np} sorted pairs at or above
 * ${at}. */
static struct prf
assign(const struct fpair *p, size_t np, double at, const struct frec *a,
    size_t na, const struct frec *b, size_t nb, uint8_t *useda,
    uint8_t *usedb)
{
    struct prf o = {0, 0};
    size_t i;

    memset(useda, 0, na);
    memset(usedb, 0, nb);
    for (i = 0; i < np && p[i].w >= at; i++) {
        if (useda[p[i].a] || usedb[p[i].b])
            continue;
        useda[p[i].a] = usedb[p[i].b] = 1;
        o.links++;
        o.correct += a[p[i].a].truth == b[p[i].b].truth;
    }
    return o;
}

static void
print_prf(const char *label, struct prf o, size_t truepairs)
{
    double pr = o.links ? (double)o.correct / o.links : 0;
    double rc = truepairs ? (double)o.correct / truepairs : 0;
    double f1 = pr + rc > 0 ? 2 * pr * rc / (pr + rc) : 0;

    printf("  %-30s precision %.4f  recall %.4f  F1 %.4f  (%zu links, %zu "
           "right)\n",
        label, pr, rc, f1, o.links, o.correct);
}

/* Tokens and name filters of the ${n} records ${r}, as the index would
 * hold them; the blocking tokens to *${nblock} unless it is NULL. */
static void
febrl_tokens(const struct seen_tokenizer *tk, struct frec *r, size_t n,
    size_t *nblock)
{
    size_t i, j;

    for (i = 0; i < n; i++) {
        febrl_input(&r[i]);
        r[i].ntok = seen_tokens_make(tk, &r[i].in, r[i].tok, SEEN_TOKENS_MAX);
        seen_bloom_make(tk, &r[i].in, r[i].bloom);
        for (j = 0; nblock != NULL && j < r[i].ntok; j++)
            *nblock += seen_rule_is_block(r[i].tok[j * SEEN_TOKEN_ITEM]);
    }
}

/* One FEBRL 4 linkage: both files, the index of 4a, the scored pairs. */

struct febrl {
    struct frec *a, *b;
    size_t na, nb;
    struct bench_tmap map;
    struct fpair *pairs;
    size_t np, ncand;
    uint8_t *useda, *usedb;
    long *truth_in_a;       /* by N: 1 + the index in a of rec-N-org */
    size_t truepairs, blockhit;
};

/* Add the pairs of 4b record ${i} and the 4a records it shares a block
 * with, each once (${stamp}), scored in the match or possible band. */
static int
febrl_score_one(struct febrl *f, size_t i, uint32_t *stamp, size_t *capp)
{
    const struct frec *rb = &f->b[i];
    struct seen_score_side sa, sb;
    struct seen_score s;
    uint32_t post, ia;
    size_t j;

    sb = (struct seen_score_side){rb->tok, rb->ntok, BLOOM(rb), 0};
    for (j = 0; j < rb->ntok; j++) {
        if (!seen_rule_is_block(rb->tok[j * SEEN_TOKEN_ITEM]))
            continue;
        for (post = bench_tmap_first(&f->map, rb->tok + j * SEEN_TOKEN_ITEM);
             post != UINT32_MAX; post = f->map.next[post]) {
            ia = f->map.item[post];
            if (stamp[ia] == i + 1)
                continue;
            stamp[ia] = (uint32_t)i + 1;
            f->ncand++;
            sa = (struct seen_score_side){
                f->a[ia].tok, f->a[ia].ntok, BLOOM(&f->a[ia]), 0};
            seen_score_pair(&sa, &sb, &s);
            if (verbose)
                bench_reasons_add(&reasons, &s,
                    rb->truth >= 0 && f->a[ia].truth == rb->truth
                        ? BENCH_PAIR_TRUE
                        : BENCH_PAIR_FALSE);
            if (s.weight < 0)
                continue;
            if (f->np == *capp &&
                (f->pairs = realloc(f->pairs,
                     (*capp *= 2) * sizeof *f->pairs)) == NULL)
                return -1;
            f->pairs[f->np++] = (struct fpair){s.weight, ia, (uint32_t)i};
        }
    }
    return 0;
}

/* Index 4a's ${nposts} blocking tokens, score every 4b record against the
 * 4a records it shares a block with, and sort the pairs. */
static int
febrl_link(struct febrl *f, size_t nposts)
{
    uint32_t *stamp;
    size_t i, j, capp = 1 << 16;

    if (bench_tmap_init(&f->map, nposts) != 0)
        return -1;
    for (i = 0; i < f->na; i++)
        for (j = 0; j < f->a[i].ntok; j++)
            if (seen_rule_is_block(f->a[i].tok[j * SEEN_TOKEN_ITEM]) &&
                bench_tmap_add(&f->map, f->a[i].tok + j * SEEN_TOKEN_ITEM,
                    (uint32_t)i) != 0)
                return -1;
    if ((stamp = calloc(f->na, sizeof *stamp)) == NULL ||
        (f->pairs = malloc(capp * sizeof *f->pairs)) == NULL)
        return -1;
    for (i = 0; i < f->nb; i++)
        if (febrl_score_one(f, i, stamp, &capp) != 0)
            return -1;
    free(stamp);
    fsort_a = f->a;
    fsort_b = f->b;
    qsort(f->pairs, f->np, sizeof *f->pairs, fpair_cmp);
    if ((f->useda = malloc(f->na)) == NULL ||
        (f->usedb = malloc(f->nb)) == NULL)
        return -1;
    return 0;
}

/* The pairs of ${f} at or above ${at}, assigned one to one. */
static struct prf
febrl_assign(struct febrl *f, double at)
{

    return assign(f->pairs, f->np, at, f->a, f->na, f->b, f->nb, f->useda,
        f->usedb);
}

/* 1 when records ${x} and ${y} share a blocking token. */
static int
share_block(const struct frec *x, const struct frec *y)
{
    size_t i, j;

    for (i = 0; i < x->ntok; i++) {
        if (!seen_rule_is_block(x->tok[i * SEEN_TOKEN_ITEM]))
            continue;
        for (j = 0; j < y->ntok; j++)
            if (memcmp(x->tok + i * SEEN_TOKEN_ITEM,
                    y->tok + j * SEEN_TOKEN_ITEM, SEEN_TOKEN_ITEM) == 0)
                return 1;
    }
    return 0;
}

/* The ground truth: every 4b record has its original in 4a.  Counts the
 * true pairs, and those that share a blocking token (blocking recall). */
static int
febrl_truth(struct febrl *f)
{
    long maxn = 0;
    size_t i;

    for (i = 0; i < f->na; i++)
        maxn = f->a[i].truth > maxn ? f->a[i].truth : maxn;
    if ((f->truth_in_a = calloc((size_t)maxn + 1, sizeof *f->truth_in_a)) ==
        NULL)
        return -1;
    for (i = 0; i < f->na; i++)
        if (f->a[i].truth >= 0)
            f->truth_in_a[f->a[i].truth] = (long)i + 1;
    for (i = 0; i < f->nb; i++) {
        if (f->b[i].truth < 0 || f->b[i].truth > maxn ||
            !f->truth_in_a[f->b[i].truth])
            continue;
        f->truepairs++;
        f->blockhit += share_block(&f->b[i],
            &f->a[f->truth_in_a[f->b[i].truth] - 1]);
    }
    return 0;
}

/* -v: figures at other thresholds, the true pairs missed (with their
 * score), the links made that the truth says are wrong. */
static void
febrl_verbose(struct febrl *f)
{
    static const double at[] = {0, 2.5, 7.5, 8, 9, 11, 12, 14};
    const struct frec *ra, *rb;
    struct seen_score_side sa, sb;
    struct seen_score s;
    char label[64];
    size_t i, j;

    for (i = 0; i < sizeof at / sizeof at[0]; i++) {
        snprintf(label, sizeof label, "weight >= %.1f, 1:1", at[i]);
        print_prf(label, febrl_assign(f, at[i]), f->truepairs);
    }
    (void)febrl_assign(f, SEEN_CLUSTER_MERGE_AT);
    for (i = 0; i < f->nb; i++) {
        rb = &f->b[i];
        if (f->usedb[i] || rb->truth < 0 || !f->truth_in_a[rb->truth])
            continue;
        ra = &f->a[f->truth_in_a[rb->truth] - 1];
        sa = (struct seen_score_side){ra->tok, ra->ntok, BLOOM(ra), 0};
        sb = (struct seen_score_side){rb->tok, rb->ntok, BLOOM(rb), 0};
        seen_score_pair(&sa, &sb, &s);
        printf("  missed %-14s %6.2f |%s|%s|%s|%s|%s| vs "
               "|%s|%s|%s|%s|%s|",
            rb->f[0], s.weight, ra->f[1], ra->f[2], ra->f[9], ra->f[7],
            ra->f[10], rb->f[1], rb->f[2], rb->f[9], rb->f[7], rb->f[10]);
        for (j = 0; j < s.nwhy; j++)
            printf("%s %s", j ? ";" : "", s.why[j]);
        printf("\n");
    }
    for (i = 0; i < f->np && f->pairs[i].w >= SEEN_CLUSTER_MERGE_AT; i++) {
        ra = &f->a[f->pairs[i].a];
        rb = &f->b[f->pairs[i].b];
        if (ra->truth == rb->truth)
            continue;
        printf("  wrong? %-14s %-14s %6.2f |%s|%s|%s|%s|%s| vs "
               "|%s|%s|%s|%s|%s|\n",
            ra->f[0], rb->f[0], f->pairs[i].w, ra->f[1], ra->f[2], ra->f[9],
            ra->f[7], ra->f[10], rb->f[1], rb->f[2], rb->f[9], rb->f[7],
            rb->f[10]);
    }
}

/* 1 when record ${i} of 4a and ${j} of 4b (the febrl ${arg}) are two
 * people. */
static int
febrl_apart(void *arg, size_t i, size_t j)
{
    const struct febrl *f = arg;

    return f->a[i].truth < 0 || f->a[i].truth != f->b[j].truth;
}

/* -v: the reasons of the scorer among the candidate pairs and random
 * pairs of two people. */
static void
febrl_reasons(struct febrl *f)
{
    struct seen_score_side *sa, *sb;
    size_t i;

    sa = malloc((f->na + 1) * sizeof *sa);
    sb = malloc((f->nb + 1) * sizeof *sb);
    for (i = 0; sa != NULL && sb != NULL && i < f->na + f->nb; i++)
        if (i < f->na)
            sa[i] = (struct seen_score_side){
                f->a[i].tok, f->a[i].ntok, BLOOM(&f->a[i]), 0};
        else
            sb[i - f->na] = (struct seen_score_side){f->b[i - f->na].tok,
                f->b[i - f->na].ntok, BLOOM(&f->b[i - f->na]), 0};
    if (sa != NULL && sb != NULL)
        bench_reasons_random(&reasons, sa, f->na, sb, f->nb, febrl_apart, f,
            RANDOM_PAIRS);
    free(sa);
    free(sb);
    bench_reasons_print(&reasons, "reasons among the candidate pairs");
}

/**
 * bench_febrl4(path_a, path_b, verbose):
 * Link FEBRL 4's ${path_a} (originals) and ${path_b} (duplicates) as
 * bench_febrl.c describes and print the figures (more when ${verbose}).
 * Returns 0, or 1 on failure (printed).
 */
/* Print what the encoding of ${tk} costs on both files of ${f} (each
 * record one person; 4a's then 4b's). */
static int
febrl_prfstats(const struct seen_tokenizer *tk, const struct febrl *f)
{
    struct bench_prfstats st;
    size_t i;

    memset(&st, 0, sizeof st);
    for (i = 0; i < f->na + f->nb; i++) {
        const struct frec *r = i < f->na ? &f->a[i] : &f->b[i - f->na];

        if (bench_prfstats_person(&st, tk, &r->in) != 0 ||
            bench_prfstats_record(&st) != 0)
            return -1;
        bench_prfstats_leaf(&st, r->ntok, "", 0);
    }
    bench_prfstats_print(&st, bench_token_mode_name(bench_token_mode));
    return 0;
}

int
bench_febrl4(const char *path_a, const char *path_b, int verbose_)
{
    struct seen_tokenizer *tk;
    struct febrl f;
    struct prf o, o5;
    uint8_t key[32];
    char *da, *db, fig[48];
    size_t nposts = 0;
    double t0, tall, ttok, tscore;

    verbose = verbose_;
    memset(&f, 0, sizeof f);
    memset(&reasons, 0, sizeof reasons);
    if ((da = bench_slurp(path_a, NULL)) == NULL ||
        (db = bench_slurp(path_b, NULL)) == NULL) {
        fprintf(stderr, "bench_febrl: cannot read %s or %s\n", path_a,
            path_b);
        return 1;
    }
    randombytes_buf(key, sizeof key);

    t0 = seen_clock_mono();
    if ((tk = seen_tokenizer_new_mode(key, 0, bench_token_mode)) == NULL)
        return 1;
    sodium_memzero(key, sizeof key);
    if ((f.a = febrl_parse(da, &f.na)) == NULL ||
        (f.b = febrl_parse(db, &f.nb)) == NULL)
        return 1;
    febrl_tokens(tk, f.a, f.na, &nposts);
    febrl_tokens(tk, f.b, f.nb, NULL);
    ttok = seen_clock_mono() - t0;
    if (febrl_link(&f, nposts) != 0)
        return 1;
    o = febrl_assign(&f, SEEN_CLUSTER_MERGE_AT);
    tall = seen_clock_mono() - t0;
    o5 = febrl_assign(&f, POSSIBLE_AT);
    tscore = tall - ttok;
    if (febrl_truth(&f) != 0)
        return 1;

    printf("FEBRL 4 linkage (%zu x %zu records, only indexed fields; "
           "soc_sec_id in the UPN slot)\n",
        f.na, f.nb);
    printf("  %s\n  %s\n", path_a, path_b);
    print_prf("match band (>= 10), 1:1", o, f.truepairs);
    snprintf(fig, sizeof fig, "%s FEBRL 4 >=10",
        bench_token_mode_name(bench_token_mode));
    bench_fig_add(fig, o.links ? (double)o.correct / o.links
        : 0, f.truepairs ? (double)o.correct / f.truepairs : 0, NULL);
    print_prf("possible band up (>= 5), 1:1", o5, f.truepairs);
    snprintf(fig, sizeof fig, "%s FEBRL 4 >=5",
        bench_token_mode_name(bench_token_mode));
    bench_fig_add(fig, o5.links ? (double)o5.correct / o5.links
        : 0, f.truepairs ? (double)o5.correct / f.truepairs : 0, NULL);
    printf("  time %.3f s (tokens and filters %.3f s, index+score+assign "
           "%.3f s)   target < 1 s\n",
        tall, ttok, tscore);
    printf("  candidate pairs %zu; true pairs sharing a blocking token "
           "%.4f\n",
        f.ncand, f.truepairs ? (double)f.blockhit / f.truepairs : 0);
    printf("  targets: recall >= 0.98 at precision >= 0.99\n");
    if (febrl_prfstats(tk, &f) != 0)
        return 1;
    if (verbose) {
        febrl_verbose(&f);
        febrl_reasons(&f);
    }
    printf("reference figures (README, a plain prototype on these files):\n"
           "  exact keyed tokens on name + date of birth     recall ~0.43\n"
           "  five exact token rules                         recall ~0.85 at "
           "precision 0.997\n"
           "  1024-bit Bloom filters, Dice >= 0.8            recall ~0.91 at "
           "precision 0.993\n"
           "  keyed blocking tokens + 1:1 Dice >= 0.75       recall ~0.97 at "
           "precision 1.00\n");

    free(f.truth_in_a);
    free(f.useda);
    free(f.usedb);
    free(f.pairs);
    bench_tmap_free(&f.map);
    free(f.a);
    free(f.b);
    free(da);
    free(db);
    seen_tokenizer_destroy(&tk);
    return 0;
}

