/*
 * bench_febrl: match quality of Seen's tokens, scorer and clusterer, using
 * only what goes into the index.
 *
 *   bench_febrl [-v] [DATASET4A.csv DATASET4B.csv]
 *   bench_febrl [-v] --synth DIR
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
 * person, and the persons that must never merge (siblings, twins, ...)
 * that did.
 *
 * -v prints more: blocking recall and figures at other thresholds.
 * Prints figures; never passes or fails on them.
 */
#include <dirent.h>
#include <jansson.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "match/cluster.h"
#include "match/normalise.h"
#include "match/score.h"
#include "match/tokens.h"
#include "node/matching/indexer.h"
#include "proto/record.h"
#include "seen.pb-c.h"

#define NFIELDS 11
#define MAX_BLOCK 2000 /* synth: a block larger than this is not paired */
#define POSSIBLE_AT 5.0 /* the possible band of seen_score_pair */

static int verbose;

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    if ((buf = malloc((size_t)n + 1)) == NULL ||
        fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    if (len != NULL)
        *len = (size_t)n;
    return buf;
}

/* ---- an in-memory multimap from blocking token to entries ---- */

struct tmap {
    const uint8_t **key; /* token (17 bytes) of each slot, or NULL */
    uint32_t *head;      /* first posting of each slot */
    uint32_t *next;      /* next posting */
    uint32_t *item;      /* entry of each posting */
    size_t mask, npost, cappost;
};

static uint64_t
thash(const uint8_t *t)
{
    uint64_t h;

    /* Tokens are keyed hashes: their bytes are already uniform. */
    memcpy(&h, t + 1, 8);
    return h ^ (uint64_t)t[0] * 0x9e3779b97f4a7c15ull;
}

static int
tmap_init(struct tmap *m, size_t expect)
{
    size_t n = 16;

    while (n < expect * 2)
        n <<= 1;
    m->mask = n - 1;
    m->npost = 0;
    m->cappost = expect + 1;
    m->key = calloc(n, sizeof *m->key);
    m->head = malloc(n * sizeof *m->head);
    m->next = malloc(m->cappost * sizeof *m->next);
    m->item = malloc(m->cappost * sizeof *m->item);
    return (m->key && m->head && m->next && m->item) ? 0 : -1;
}

static void
tmap_free(struct tmap *m)
{

    free(m->key);
    free(m->head);
    free(m->next);
    free(m->item);
}

/* Slot of token ${t}: its own, or the empty one where it would go. */
static size_t
tmap_slot(const struct tmap *m, const uint8_t *t)
{
    size_t s = (size_t)thash(t) & m->mask;

    while (m->key[s] != NULL && memcmp(m->key[s], t, SEEN_TOKEN_ITEM) != 0)
        s = (s + 1) & m->mask;
    return s;
}

/* Add entry ${item} under token ${t} (t must stay valid). */
static int
tmap_add(struct tmap *m, const uint8_t *t, uint32_t item)
{
    size_t s = tmap_slot(m, t);

    if (m->npost == m->cappost)
        return -1;
    m->item[m->npost] = item;
    if (m->key[s] == NULL) {
        m->key[s] = t;
        m->next[m->npost] = UINT32_MAX;
    } else {
        m->next[m->npost] = m->head[s];
    }
    m->head[s] = (uint32_t)m->npost++;
    return 0;
}

/* First posting under ${t}, or UINT32_MAX. */
static uint32_t
tmap_first(const struct tmap *m, const uint8_t *t)
{
    size_t s = tmap_slot(m, t);

    return m->key[s] == NULL ? UINT32_MAX : m->head[s];
}

/* ---- FEBRL 4 ---- */

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

static int
febrl(const char *path_a, const char *path_b)
{
    struct seen_tokenizer *tk;
    struct tmap map;
    struct frec *a, *b;
    struct fpair *pairs = NULL;
    struct seen_score_side sa, sb;
    struct seen_score s;
    struct prf o, o5;
    uint8_t key[32], *useda, *usedb;
    uint32_t *stamp, post;
    char *da, *db;
    size_t na, nb, i, j, np = 0, capp = 1 << 16, ncand = 0, blockhit = 0;
    size_t truepairs = 0, nposts = 0;
    double t0, tall, ttok, tscore;
    long *truth_in_a;

    if ((da = slurp(path_a, NULL)) == NULL ||
        (db = slurp(path_b, NULL)) == NULL) {
        fprintf(stderr, "bench_febrl: cannot read %s or %s\n", path_a,
            path_b);
        return 1;
    }
    randombytes_buf(key, sizeof key);

    t0 = now();
    if ((tk = seen_tokenizer_new(key, 0)) == NULL)
        return 1;
    sodium_memzero(key, sizeof key);
    if ((a = febrl_parse(da, &na)) == NULL ||
        (b = febrl_parse(db, &nb)) == NULL)
        return 1;
    for (i = 0; i < na; i++) {
        febrl_input(&a[i]);
        a[i].ntok = seen_tokens_make(tk, &a[i].in, a[i].tok, SEEN_TOKENS_MAX);
        seen_bloom_make(tk, &a[i].in, a[i].bloom);
        for (j = 0; j < a[i].ntok; j++)
            nposts += seen_rule_is_block(a[i].tok[j * SEEN_TOKEN_ITEM]);
    }
    for (i = 0; i < nb; i++) {
        febrl_input(&b[i]);
        b[i].ntok = seen_tokens_make(tk, &b[i].in, b[i].tok, SEEN_TOKENS_MAX);
        seen_bloom_make(tk, &b[i].in, b[i].bloom);
    }
    ttok = now() - t0;

    /* Index 4a's blocking tokens. */
    if (tmap_init(&map, nposts) != 0)
        return 1;
    for (i = 0; i < na; i++)
        for (j = 0; j < a[i].ntok; j++)
            if (seen_rule_is_block(a[i].tok[j * SEEN_TOKEN_ITEM]) &&
                tmap_add(&map, a[i].tok + j * SEEN_TOKEN_ITEM,
                    (uint32_t)i) != 0)
                return 1;

    /* Score every 4b record against the 4a records it shares a block
     * with. */
    if ((stamp = calloc(na, sizeof *stamp)) == NULL ||
        (pairs = malloc(capp * sizeof *pairs)) == NULL)
        return 1;
    for (i = 0; i < nb; i++) {
        sb = (struct seen_score_side){b[i].tok, b[i].ntok, b[i].bloom, 0};
        for (j = 0; j < b[i].ntok; j++) {
            if (!seen_rule_is_block(b[i].tok[j * SEEN_TOKEN_ITEM]))
                continue;
            for (post = tmap_first(&map, b[i].tok + j * SEEN_TOKEN_ITEM);
                 post != UINT32_MAX; post = map.next[post]) {
                uint32_t ia = map.item[post];

                if (stamp[ia] == i + 1)
                    continue;
                stamp[ia] = (uint32_t)i + 1;
                ncand++;
                sa = (struct seen_score_side){
                    a[ia].tok, a[ia].ntok, a[ia].bloom, 0};
                seen_score_pair(&sa, &sb, &s);
                if (s.weight < 0)
                    continue;
                if (np == capp &&
                    (pairs = realloc(pairs, (capp *= 2) * sizeof *pairs)) ==
                        NULL)
                    return 1;
                pairs[np++] = (struct fpair){s.weight, ia, (uint32_t)i};
            }
        }
    }
    fsort_a = a;
    fsort_b = b;
    qsort(pairs, np, sizeof *pairs, fpair_cmp);
    if ((useda = malloc(na)) == NULL || (usedb = malloc(nb)) == NULL)
        return 1;
    o = assign(pairs, np, SEEN_CLUSTER_MERGE_AT, a, na, b, nb, useda, usedb);
    tall = now() - t0;
    o5 = assign(pairs, np, POSSIBLE_AT, a, na, b, nb, useda, usedb);
    tscore = tall - ttok;

    /* Ground truth: every 4b record has its original in 4a. */
    {
        long maxn = 0;

        for (i = 0; i < na; i++)
            maxn = a[i].truth > maxn ? a[i].truth : maxn;
        if ((truth_in_a = calloc((size_t)maxn + 1, sizeof *truth_in_a)) ==
            NULL)
            return 1;
        for (i = 0; i < na; i++)
            if (a[i].truth >= 0)
                truth_in_a[a[i].truth] = (long)i + 1;
        for (i = 0; i < nb; i++)
            if (b[i].truth >= 0 && b[i].truth <= maxn &&
                truth_in_a[b[i].truth])
                truepairs++;
        /* Blocking recall: the true pair shares a blocking token. */
        for (i = 0; i < nb; i++) {
            size_t x, y;
            const struct frec *ra;

            if (b[i].truth < 0 || b[i].truth > maxn ||
                !truth_in_a[b[i].truth])
                continue;
            ra = &a[truth_in_a[b[i].truth] - 1];
            for (x = 0; x < b[i].ntok; x++) {
                if (!seen_rule_is_block(b[i].tok[x * SEEN_TOKEN_ITEM]))
                    continue;
                for (y = 0; y < ra->ntok; y++)
                    if (memcmp(b[i].tok + x * SEEN_TOKEN_ITEM,
                            ra->tok + y * SEEN_TOKEN_ITEM,
                            SEEN_TOKEN_ITEM) == 0)
                        break;
                if (y < ra->ntok)
                    break;
            }
            blockhit += x < b[i].ntok;
        }
    }

    printf("FEBRL 4 linkage (%zu x %zu records, only indexed fields; "
           "soc_sec_id in the UPN slot)\n",
        na, nb);
    printf("  %s\n  %s\n", path_a, path_b);
    print_prf("match band (>= 10), 1:1", o, truepairs);
    print_prf("possible band up (>= 5), 1:1", o5, truepairs);
    printf("  time %.3f s (tokens and filters %.3f s, index+score+assign "
           "%.3f s)   target < 1 s\n",
        tall, ttok, tscore);
    printf("  candidate pairs %zu; true pairs sharing a blocking token "
           "%.4f\n",
        ncand, truepairs ? (double)blockhit / truepairs : 0);
    printf("  targets: recall >= 0.98 at precision >= 0.99\n");
    if (verbose) {
        static const double at[] = {0, 2.5, 7.5, 8, 9, 11, 12, 14};

        for (i = 0; i < sizeof at / sizeof at[0]; i++) {
            char label[64];

            snprintf(label, sizeof label, "weight >= %.1f, 1:1", at[i]);
            print_prf(label,
                assign(pairs, np, at[i], a, na, b, nb, useda, usedb),
                truepairs);
        }
        /* The true pairs that were missed, with their best score. */
        o = assign(pairs, np, SEEN_CLUSTER_MERGE_AT, a, na, b, nb, useda,
            usedb);
        for (i = 0; i < nb; i++) {
            const struct frec *ra;

            if (usedb[i] || b[i].truth < 0 || !truth_in_a[b[i].truth])
                continue;
            ra = &a[truth_in_a[b[i].truth] - 1];
            sa = (struct seen_score_side){ra->tok, ra->ntok, ra->bloom, 0};
            sb = (struct seen_score_side){b[i].tok, b[i].ntok, b[i].bloom, 0};
            seen_score_pair(&sa, &sb, &s);
            printf("  missed %-14s %6.2f |%s|%s|%s|%s|%s| vs "
                   "|%s|%s|%s|%s|%s|",
                b[i].f[0], s.weight, ra->f[1], ra->f[2], ra->f[9], ra->f[7],
                ra->f[10], b[i].f[1], b[i].f[2], b[i].f[9], b[i].f[7],
                b[i].f[10]);
            for (j = 0; j < s.nwhy; j++)
                printf("%s %s", j ? ";" : "", s.why[j]);
            printf("\n");
        }
        for (i = 0; i < np && pairs[i].w >= SEEN_CLUSTER_MERGE_AT; i++) {
            const struct frec *ra = &a[pairs[i].a], *rb = &b[pairs[i].b];

            if (ra->truth == rb->truth)
                continue;
            printf("  wrong? %-14s %-14s %6.2f |%s|%s|%s|%s|%s| vs "
                   "|%s|%s|%s|%s|%s|\n",
                ra->f[0], rb->f[0], pairs[i].w, ra->f[1], ra->f[2],
                ra->f[9], ra->f[7], ra->f[10], rb->f[1], rb->f[2], rb->f[9],
                rb->f[7], rb->f[10]);
        }
    }
    printf("reference figures (README, a plain prototype on these files):\n"
           "  exact keyed tokens on name + date of birth     recall ~0.43\n"
           "  five exact token rules                         recall ~0.85 at "
           "precision 0.997\n"
           "  1024-bit Bloom filters, Dice >= 0.8            recall ~0.91 at "
           "precision 0.993\n"
           "  keyed blocking tokens + 1:1 Dice >= 0.75       recall ~0.97 at "
           "precision 1.00\n");

    free(truth_in_a);
    free(useda);
    free(usedb);
    free(stamp);
    free(pairs);
    tmap_free(&map);
    free(a);
    free(b);
    free(da);
    free(db);
    seen_tokenizer_destroy(&tk);
    return 0;
}

/* ---- seen-synth output, clustered ---- */

/* A string -> integer map (truth lines, person ids). */
struct smap {
    char **key;
    long *val;
    size_t mask, n;
};

static uint64_t
shash(const char *s)
{
    uint64_t h = 1469598103934665603ull;

    while (*s)
        h = (h ^ (uint8_t)*s++) * 1099511628211ull;
    return h;
}

static int
smap_init(struct smap *m, size_t expect)
{
    size_t n = 16;

    while (n < expect * 2)
        n <<= 1;
    m->mask = n - 1;
    m->n = 0;
    m->key = calloc(n, sizeof *m->key);
    m->val = calloc(n, sizeof *m->val);
    return m->key && m->val ? 0 : -1;
}

static void
smap_free(struct smap *m)
{
    size_t i;

    for (i = 0; m->key && i <= m->mask; i++)
        free(m->key[i]);
    free(m->key);
    free(m->val);
}

/* The value of ${k}, or -1. */
static long
smap_get(const struct smap *m, const char *k)
{
    size_t s = (size_t)shash(k) & m->mask;

    while (m->key[s] != NULL) {
        if (strcmp(m->key[s], k) == 0)
            return m->val[s];
        s = (s + 1) & m->mask;
    }
    return -1;
}

/* Set ${k} to ${v} unless present; return the value held. */
static long
smap_put(struct smap *m, const char *k, long v)
{
    size_t s = (size_t)shash(k) & m->mask;

    while (m->key[s] != NULL) {
        if (strcmp(m->key[s], k) == 0)
            return m->val[s];
        s = (s + 1) & m->mask;
    }
    if (m->n * 2 > m->mask || (m->key[s] = strdup(k)) == NULL)
        return -2;
    m->val[s] = v;
    m->n++;
    return v;
}

struct sentry {
    struct seen_cluster_item it;
    uint8_t tok[SEEN_TOKENS_MAX * SEEN_TOKEN_ITEM];
    uint8_t bloom[SEEN_BLOOM_BYTES];
    long person;
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

static int
str_cmp(const void *va, const void *vb)
{

    return strcmp(*(char *const *)va, *(char *const *)vb);
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

static int
synth(const char *dir)
{
    static const char *apart[] = {"siblings", "twins", "mother_and_child",
        "father_and_son_same_name", "same_name_same_dob_different_people"};
    size_t apart_pairs[5] = {0}, apart_merged[5] = {0};
    struct seen_tokenizer *tk;
    struct smap truth, persons;
    struct sentry *e = NULL;
    struct seen_cluster_item *items;
    struct seen_cluster_link *links;
    struct bpost *bp;
    struct upair *up;
    struct lp *lp, *pl;
    struct seen_record *rec;
    struct seen_score s;
    struct seen_score_side sa, sb;
    json_t *j;
    DIR *d;
    struct dirent *de;
    char path[4096], key[1024], **files = NULL;
    const char *p, *end, *nl, *node, *sc;
    char *data;
    uint8_t mkey[32], origin[32];
    uint32_t *label;
    size_t nfiles = 0, ne = 0, cape = 1 << 14, nbp = 0, nup = 0, capup;
    size_t i, k, x, y, len, *first, nperp = 0, perp_one = 0, unknown = 0;
    size_t nlinks;
    double t0, ttok, tlink, tclus, tp = 0, predp = 0, truep = 0;
    double pr, rc, f1;
    long nperson = 0, pid;
    int r;

    /* The truth: node, record, ref -> person. */
    snprintf(path, sizeof path, "%s/truth.jsonl", dir);
    if ((data = slurp(path, &len)) == NULL) {
        fprintf(stderr, "bench_febrl: cannot read %s\n", path);
        return 1;
    }
    for (i = 0, k = 0; i < len; i++)
        k += data[i] == '\n';
    if (smap_init(&truth, k + 1) != 0 || smap_init(&persons, k + 1) != 0)
        return 1;
    for (p = data, end = data + len; p < end; p = nl + 1) {
        if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
            nl = end;
        if ((j = json_loadb(p, (size_t)(nl - p), 0, NULL)) == NULL)
            continue;
        snprintf(key, sizeof key, "%s\t%s\t%s",
            json_string_value(json_object_get(j, "node")),
            json_string_value(json_object_get(j, "record")),
            json_string_value(json_object_get(j, "ref")));
        pid = smap_put(&persons,
            json_string_value(json_object_get(j, "person")), nperson);
        if (pid == nperson)
            nperson++;
        if (pid < 0 || smap_put(&truth, key, pid) < 0)
            return 1;
        json_decref(j);
    }
    free(data);

    /* The records, file by file in name order. */
    if ((d = opendir(dir)) == NULL) {
        fprintf(stderr, "bench_febrl: cannot open %s\n", dir);
        return 1;
    }
    while ((de = readdir(d)) != NULL) {
        len = strlen(de->d_name);
        if (len < 7 || strcmp(de->d_name + len - 6, ".jsonl") != 0 ||
            strcmp(de->d_name, "truth.jsonl") == 0 ||
            strcmp(de->d_name, "scenarios.jsonl") == 0)
            continue;
        if ((files = realloc(files, (nfiles + 1) * sizeof *files)) == NULL ||
            (files[nfiles++] = strdup(de->d_name)) == NULL)
            return 1;
    }
    closedir(d);
    qsort(files, nfiles, sizeof *files, str_cmp);

    randombytes_buf(mkey, sizeof mkey);
    if ((tk = seen_tokenizer_new(mkey, 0)) == NULL)
        return 1;
    if ((e = malloc(cape * sizeof *e)) == NULL)
        return 1;
    ttok = 0;
    for (k = 0; k < nfiles; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[k]);
        if ((data = slurp(path, &len)) == NULL)
            return 1;
        files[k][strlen(files[k]) - 6] = '\0';
        node = files[k];
        crypto_generichash(origin, sizeof origin, (const uint8_t *)node,
            strlen(node), NULL, 0);
        for (p = data, end = data + len; p < end; p = nl + 1) {
            if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
                nl = end;
            if (seen_record_line_blank(p, (size_t)(nl - p)) ||
                seen_record_parse(p, (size_t)(nl - p), &rec, NULL, NULL) != 0)
                continue;
            t0 = now();
            for (i = 0; i < rec->npeople; i++) {
                const struct seen_person *pp = &rec->people[i];
                struct seen_token_input in;
                struct sentry *se;

                if (ne == cape &&
                    (e = realloc(e, (cape *= 2) * sizeof *e)) == NULL)
                    return 1;
                se = &e[ne];
                memset(&in, 0, sizeof in);
                in.given = pp->given;
                in.family = pp->family;
                in.other_names = pp->other_names;
                in.n_other_names = pp->n_other_names;
                in.has_dob = pp->has_dob;
                in.dob = pp->dob;
                in.has_due = pp->has_due;
                in.due = pp->due;
                in.sex = pp->sex;
                in.nhs = pp->nhs;
                in.upn = pp->upn;
                in.pnc = pp->pnc;
                in.postcode = pp->postcode;
                in.district = pp->district;
                in.shielded = rec->shielded;
                se->it.ntokens = seen_tokens_make(tk, &in, se->tok,
                    SEEN_TOKENS_MAX);
                seen_bloom_make(tk, &in, se->bloom);
                se->it.birth_band = seen_indexer_birth_band(pp, rec->date);
                memcpy(se->it.id, origin, 32);
                snprintf(key, sizeof key, "%s\t%s", rec->id, pp->ref);
                crypto_generichash(se->it.id + 32, 16, (const uint8_t *)key,
                    strlen(key), origin, sizeof origin);
                crypto_generichash(se->it.group, 16,
                    (const uint8_t *)rec->id, strlen(rec->id), origin,
                    sizeof origin);
                snprintf(key, sizeof key, "%s\t%s\t%s", node, rec->id,
                    pp->ref);
                se->person = smap_get(&truth, key);
                if (verbose) {
                    char dd[SEEN_DATE_BYTES] = "";

                    if (pp->has_dob)
                        seen_date_format(pp->dob, dd);
                    snprintf(se->desc, sizeof se->desc,
                        "%s|%s|%s|%c|%s|%s|%s|%s|b%u %s %s", pp->given ? pp->given : "",
                        pp->family ? pp->family : "", dd, pp->sex ? pp->sex : '-',
                        pp->nhs, pp->upn, pp->pnc, pp->postcode,
                        se->it.birth_band, node, rec->id);
                }
                if (se->person < 0) {
                    unknown++;
                    continue;
                }
                ne++;
            }
            ttok += now() - t0;
            seen_record_destroy(&rec);
        }
        free(data);
    }
    if ((items = malloc((ne + 1) * sizeof *items)) == NULL ||
        (label = malloc((ne + 1) * sizeof *label)) == NULL)
        return 1;

    /* Blocks: entries that share a blocking token; every pair in one
     * (blocks larger than MAX_BLOCK aside) is a candidate. */
    t0 = now();
    for (i = 0; i < ne; i++) {
        e[i].it.tokens = e[i].tok;
        e[i].it.bloom = e[i].bloom;
        items[i] = e[i].it;
        for (k = 0; k < e[i].it.ntokens; k++)
            nbp += seen_rule_is_block(e[i].tok[k * SEEN_TOKEN_ITEM]);
    }
    if ((bp = malloc((nbp + 1) * sizeof *bp)) == NULL)
        return 1;
    for (i = 0, nbp = 0; i < ne; i++)
        for (k = 0; k < e[i].it.ntokens; k++)
            if (seen_rule_is_block(e[i].tok[k * SEEN_TOKEN_ITEM]))
                bp[nbp++] = (struct bpost){
                    e[i].tok + k * SEEN_TOKEN_ITEM, (uint32_t)i};
    qsort(bp, nbp, sizeof *bp, bpost_cmp);
    capup = nbp * 4 + 16;
    if ((up = malloc(capup * sizeof *up)) == NULL)
        return 1;
    for (i = 0; i < nbp; i = k) {
        for (k = i + 1; k < nbp &&
             memcmp(bp[k].t, bp[i].t, SEEN_TOKEN_ITEM) == 0;
             k++)
            ;
        if (k - i > MAX_BLOCK)
            continue;
        for (x = i; x < k; x++)
            for (y = x + 1; y < k; y++) {
                if (nup == capup &&
                    (up = realloc(up, (capup *= 2) * sizeof *up)) == NULL)
                    return 1;
                up[nup++] = (struct upair){bp[x].e, bp[y].e};
            }
    }
    qsort(up, nup, sizeof *up, upair_cmp);
    if ((links = malloc((nup + 1) * sizeof *links)) == NULL)
        return 1;
    for (i = 0, k = 0; i < nup; i++) {
        if (i > 0 && up[i].a == up[i - 1].a && up[i].b == up[i - 1].b)
            continue;
        sa = (struct seen_score_side){items[up[i].a].tokens,
            items[up[i].a].ntokens, items[up[i].a].bloom,
            items[up[i].a].birth_band};
        sb = (struct seen_score_side){items[up[i].b].tokens,
            items[up[i].b].ntokens, items[up[i].b].bloom,
            items[up[i].b].birth_band};
        seen_score_pair(&sa, &sb, &s);
        links[k++] = (struct seen_cluster_link){up[i].a, up[i].b, s.weight};
    }
    nlinks = k;
    tlink = now() - t0;
    t0 = now();
    if ((r = seen_cluster_run(items, ne, links, nlinks, label)) != 0) {
        fprintf(stderr, "bench_febrl: cluster: %s\n", seen_strerror(r));
        return 1;
    }
    tclus = now() - t0;

    /* Pairwise precision and recall over persons. */
    if ((lp = malloc((ne + 1) * sizeof *lp)) == NULL ||
        (pl = malloc((ne + 1) * sizeof *pl)) == NULL ||
        (first = malloc(((size_t)nperson + 1) * sizeof *first)) == NULL)
        return 1;
    for (i = 0; i < ne; i++)
        lp[i] = pl[i] = (struct lp){label[i], e[i].person};
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
    for (i = 0; i < (size_t)nperson; i++)
        first[i] = ne;
    for (i = 0; i < ne; i = x) {
        for (x = i; x < ne && pl[x].person == pl[i].person; x++)
            ;
        truep += choose2(x - i);
        first[pl[i].person] = i;
    }
    pr = predp > 0 ? tp / predp : 0;
    rc = truep > 0 ? tp / truep : 0;
    f1 = pr + rc > 0 ? 2 * pr * rc / (pr + rc) : 0;

    /* Scenarios. */
    snprintf(path, sizeof path, "%s/scenarios.jsonl", dir);
    if ((data = slurp(path, &len)) != NULL) {
        for (p = data, end = data + len; p < end; p = nl + 1) {
            json_t *arr;
            long q[64];
            size_t nq = 0;

            if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
                nl = end;
            if ((j = json_loadb(p, (size_t)(nl - p), 0, NULL)) == NULL)
                continue;
            sc = json_string_value(json_object_get(j, "scenario"));
            if (sc != NULL && strcmp(sc, "perpetrator_two_authorities") == 0) {
                pid = smap_get(&persons,
                    json_string_value(json_object_get(j, "person")));
                if (pid >= 0 && first[pid] < ne) {
                    nperp++;
                    for (x = first[pid];
                         x < ne && pl[x].person == pid &&
                         pl[x].label == pl[first[pid]].label;
                         x++)
                        ;
                    perp_one += x == ne || pl[x].person != pid;
                    if (verbose && x < ne && pl[x].person == pid) {
                        printf("  perpetrator %ld split:\n", pid);
                        for (y = 0; y < ne; y++)
                            if (e[y].person == pid)
                                printf("    %6u %s\n", label[y], e[y].desc);
                    }
                }
            }
            for (k = 0; sc != NULL && k < 5; k++) {
                if (strcmp(sc, apart[k]) != 0)
                    continue;
                if (k == 2) { /* mother_and_child: mother, children */
                    q[nq++] = smap_get(&persons, json_string_value(
                        json_object_get(j, "mother")));
                    arr = json_object_get(j, "children");
                } else if (k == 3) {
                    q[nq++] = smap_get(&persons, json_string_value(
                        json_object_get(j, "father")));
                    q[nq++] = smap_get(&persons, json_string_value(
                        json_object_get(j, "son")));
                    arr = NULL;
                } else {
                    arr = json_object_get(j, "persons");
                }
                for (i = 0; arr != NULL && i < json_array_size(arr) &&
                     nq < 64;
                     i++)
                    q[nq++] = smap_get(&persons,
                        json_string_value(json_array_get(arr, i)));
                for (x = 0; x < nq; x++)
                    for (y = x + 1; y < nq; y++) {
                        if (q[x] < 0 || q[y] < 0 || first[q[x]] == ne ||
                            first[q[y]] == ne)
                            continue;
                        apart_pairs[k]++;
                        apart_merged[k] +=
                            share_label(pl, ne, first, q[x], q[y]);
                    }
            }
            json_decref(j);
        }
        free(data);
    }

    printf("seen-synth clustering (%s): %zu entries, %ld persons, %zu "
           "candidate pairs\n",
        dir, ne, nperson, nlinks);
    if (unknown)
        printf("  (%zu entries not in truth.jsonl left out)\n", unknown);
    printf("  pairwise precision %.4f  recall %.4f  F1 %.4f   target F1 "
           ">= 0.98\n",
        pr, rc, f1);
    printf("  perpetrator_two_authorities found as one person: %zu of %zu "
           "(%.4f)\n",
        perp_one, nperp, nperp ? (double)perp_one / nperp : 0);
    for (k = 0; k < 5; k++)
        printf("  never merge, %-36s %zu of %zu pairs merged\n", apart[k],
            apart_merged[k], apart_pairs[k]);
    printf("  time: tokens %.3f s, blocks+scores %.3f s, clustering %.3f s\n",
        ttok, tlink, tclus);
    if (verbose) {
        /* The worst false merges and splits, by person. */
        size_t shown = 0, full = 0, most = 0;

        for (i = 0; i < ne; i++) {
            full += e[i].it.ntokens == SEEN_TOKENS_MAX;
            most = e[i].it.ntokens > most ? e[i].it.ntokens : most;
        }
        printf("  tokens: at most %zu per entry; %zu entries at the limit "
               "of %d\n",
            most, full, SEEN_TOKENS_MAX);

        for (i = 0; i < ne && shown < 40; i = x) {
            for (x = i; x < ne && lp[x].label == lp[i].label; x++)
                ;
            if (lp[i].person != lp[x - 1].person) {
                printf("  false merge: label %u holds persons", lp[i].label);
                for (y = i; y < x; y++)
                    if (y == i || lp[y].person != lp[y - 1].person)
                        printf(" %ld", lp[y].person);
                printf("\n");
                for (y = 0; y < ne; y++)
                    if (label[y] == lp[i].label)
                        printf("    %6ld %s\n", e[y].person, e[y].desc);
                shown++;
            }
        }
        for (i = 0, shown = 0; i < ne && shown < 40; i = x) {
            for (x = i; x < ne && pl[x].person == pl[i].person; x++)
                ;
            if (pl[i].label != pl[x - 1].label) {
                printf("  split: person %ld in labels", pl[i].person);
                for (y = i; y < x; y++)
                    if (y == i || pl[y].label != pl[y - 1].label)
                        printf(" %u", pl[y].label);
                printf("\n");
                for (y = 0; y < ne; y++)
                    if (e[y].person == pl[i].person)
                        printf("    %6u %s\n", label[y], e[y].desc);
                shown++;
            }
        }
    }

    for (k = 0; k < nfiles; k++)
        free(files[k]);
    free(files);
    free(first);
    free(lp);
    free(pl);
    free(links);
    free(up);
    free(bp);
    free(items);
    free(label);
    free(e);
    smap_free(&truth);
    smap_free(&persons);
    seen_tokenizer_destroy(&tk);
    return 0;
}

static void
usage(void)
{

    fprintf(stderr, "usage: bench_febrl [-v] [DATASET4A.csv DATASET4B.csv]\n"
                    "       bench_febrl [-v] --synth DIR\n");
}

int
main(int argc, char *argv[])
{
    int i = 1;

    if (sodium_init() < 0)
        return 1;
    seen_log_init("bench_febrl", SEEN_LOG_WARN);
    if (i < argc && strcmp(argv[i], "-v") == 0) {
        verbose = 1;
        i++;
    }
    if (i < argc && strcmp(argv[i], "--synth") == 0) {
        if (i + 2 != argc) {
            usage();
            return 2;
        }
        return synth(argv[i + 1]);
    }
    if (i == argc)
        return febrl(SEEN_SOURCE_DIR "/bench/data/febrl/dataset4a.csv",
            SEEN_SOURCE_DIR "/bench/data/febrl/dataset4b.csv");
    if (i + 2 == argc)
        return febrl(argv[i], argv[i + 1]);
    usage();
    return 2;
}
