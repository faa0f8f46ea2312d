/*
 * synthkinds.c: what bench_febrl measures of a generated population by
 * kind of difference, and running a generator for it.
 */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench/benchutil.h"
#include "bench/synthkinds.h"

/* Bit k: kind_names[k]; the last is any name not listed. */
#define NHS_MISSING (1u << 10)
static const char *const kind_names[BENCH_NKINDS] = {"date_slip",
    "date_transposed", "date_swap", "date_year", "date_missing", "typo",
    "nickname", "hyphen", "former_name", "swapped", "nhs_missing",
    "nhs_typo", "unborn", "other"};

/**
 * bench_kinds_mask(noise):
 * Return the bit set of the kinds named in the JSON array ${noise} (bit
 * k: kind k; a name not known sets the last, "other"); 0 when ${noise}
 * is not an array.
 */
unsigned
bench_kinds_mask(const json_t *noise)
{
    const char *s;
    unsigned m = 0;
    size_t i, k;

    for (i = 0; json_is_array(noise) && i < json_array_size(noise); i++) {
        s = json_string_value(json_array_get(noise, i));
        for (k = 0; s != NULL && k + 1 < BENCH_NKINDS; k++)
            if (strcmp(s, kind_names[k]) == 0)
                break;
        m |= 1u << k;
    }
    return m;
}

/* The entries being sorted: by person (then label) or by label. */
static const uint32_t *s_label;
static const long *s_person;

static int
by_person(const void *va, const void *vb)
{
    uint32_t a = *(const uint32_t *)va, b = *(const uint32_t *)vb;

    if (s_person[a] != s_person[b])
        return s_person[a] < s_person[b] ? -1 : 1;
    return (a > b) - (a < b);
}

static int
by_label(const void *va, const void *vb)
{
    uint32_t a = *(const uint32_t *)va, b = *(const uint32_t *)vb;

    if (s_label[a] != s_label[b])
        return s_label[a] < s_label[b] ? -1 : 1;
    return (a > b) - (a < b);
}

/* Count a pair carrying kinds ${m} into *${o}: a true pair (${persons})
 * into truep and found (when ${hit}: linked), and into onlyp/onlyf when
 * it carries one kind alone, nhsp/nhsf when one and nhs_missing; else a
 * linked pair into linkp and right (when ${hit}: true). */
static void
tally(struct bench_kinds *o, unsigned m, int hit, int persons)
{
    double *p = persons ? o->truep : o->linkp;
    double *f = persons ? o->found : o->right;
    size_t k;

    if (m == 0) {
        p[BENCH_NKINDS]++;
        f[BENCH_NKINDS] += hit;
        return;
    }
    for (k = 0; k < BENCH_NKINDS; k++) {
        if (!(m & (1u << k)))
            continue;
        p[k]++;
        f[k] += hit;
        if (persons && m == (1u << k)) {
            o->onlyp[k]++;
            o->onlyf[k] += hit;
        }
        if (persons && (1u << k) != NHS_MISSING &&
            m == ((1u << k) | NHS_MISSING)) {
            o->nhsp[k]++;
            o->nhsf[k] += hit;
        }
    }
}

/* Every pair within each run of equal key in ${ix} (sorted by person when
 * ${persons}, else by label). */
static void
pairs_of(const uint32_t *ix, size_t n, const unsigned *mask, int persons,
    struct bench_kinds *out)
{
    size_t i, x, y, e;
    uint32_t a, b;
    int same;

    for (i = 0; i < n; i = e) {
        for (e = i + 1; e < n && (persons
                 ? s_person[ix[e]] == s_person[ix[i]]
                 : s_label[ix[e]] == s_label[ix[i]]); e++)
            ;
        for (x = i; x < e; x++)
            for (y = x + 1; y < e; y++) {
                a = ix[x];
                b = ix[y];
                same = persons ? s_label[a] == s_label[b]
                               : s_person[a] == s_person[b];
                tally(out, mask[a] | mask[b], same, persons);
            }
    }
}

/**
 * bench_kinds_count(label, person, mask, n, out):
 * Count into *${out} the pairs of the ${n} entries whose cluster labels,
 * truth persons and kind masks are ${label}[i], ${person}[i] and
 * ${mask}[i]: every pair of entries of one person, and every pair of
 * entries of one label, by kind.  Returns 0, or -1 out of memory.
 */
int
bench_kinds_count(const uint32_t *label, const long *person,
    const unsigned *mask, size_t n, struct bench_kinds *out)
{
    uint32_t *ix;
    size_t i;

    memset(out, 0, sizeof *out);
    if ((ix = malloc((n + 1) * sizeof *ix)) == NULL)
        return -1;
    s_label = label;
    s_person = person;
    for (i = 0; i < n; i++)
        ix[i] = (uint32_t)i;
    qsort(ix, n, sizeof *ix, by_person);
    pairs_of(ix, n, mask, 1, out);
    qsort(ix, n, sizeof *ix, by_label);
    pairs_of(ix, n, mask, 0, out);
    free(ix);
    return 0;
}

static double
ratio(double a, double b)
{

    return b > 0 ? a / b : 0;
}

/**
 * bench_kinds_print(k):
 * Print the table of precision and recall by kind of *${k}, with kinds
 * no pair carries left out.
 */
void
bench_kinds_print(const struct bench_kinds *k)
{
    size_t i;

    printf("  %-16s %9s %8s %9s %8s %9s %8s %9s %8s\n", "kind",
        "truepairs", "recall", "just-K", "recall", "K+nhs", "recall",
        "linked", "precis.");
    for (i = 0; i <= BENCH_NKINDS; i++) {
        if (k->truep[i] == 0 && k->linkp[i] == 0)
            continue;
        printf("  %-16s %9.0f %8.4f", i < BENCH_NKINDS ? kind_names[i]
                                                       : "clean",
            k->truep[i], ratio(k->found[i], k->truep[i]));
        if (i < BENCH_NKINDS)
            printf(" %9.0f %8.4f %9.0f %8.4f", k->onlyp[i],
                ratio(k->onlyf[i], k->onlyp[i]), k->nhsp[i],
                ratio(k->nhsf[i], k->nhsp[i]));
        else
            printf(" %9s %8s %9s %8s", "-", "-", "-", "-");
        printf(" %9.0f %8.4f\n", k->linkp[i], ratio(k->right[i],
            k->linkp[i]));
    }
}

/**
 * bench_kinds_define():
 * Print what "by kind" means in bench_kinds_print's table.
 */
void
bench_kinds_define(void)
{

    printf("by kind of difference: each truth line names the kinds of "
           "difference its record's\n"
           "copy of the person carries against the person's true details "
           "(docs/synth2.md).\n"
           "A pair of entries carries kind K when either entry carries "
           "K.\n"
           "  truepairs: pairs of entries of one person carrying K; recall "
           "= those linked\n"
           "             (one cluster) / truepairs;\n"
           "  just-K:    true pairs whose two entries carry K and no other "
           "kind; recall likewise;\n"
           "  K+nhs:     true pairs carrying K and nhs_missing and no other "
           "kind; recall likewise;\n"
           "  linked:    pairs of entries in one cluster carrying K; "
           "precis. = those of one\n"
           "             person / linked;\n"
           "  clean:     pairs where neither entry carries any kind.\n");
}

static int
str_cmp(const void *va, const void *vb)
{

    return strcmp(*(char *const *)va, *(char *const *)vb);
}

/**
 * bench_jsonl_files(dir, files):
 * The record files of ${dir} (every .jsonl but truth.jsonl and
 * scenarios.jsonl), in name order, to *${files} (an array of malloc'd
 * names, the caller's to free).  Returns their number, or -1 (said on
 * standard error).
 */
long
bench_jsonl_files(const char *dir, char ***files)
{
    DIR *d;
    struct dirent *de;
    size_t len, n = 0;

    *files = NULL;
    if ((d = opendir(dir)) == NULL) {
        fprintf(stderr, "bench_febrl: cannot open %s\n", dir);
        return -1;
    }
    while ((de = readdir(d)) != NULL) {
        len = strlen(de->d_name);
        if (len < 7 || strcmp(de->d_name + len - 6, ".jsonl") != 0 ||
            strcmp(de->d_name, "truth.jsonl") == 0 ||
            strcmp(de->d_name, "scenarios.jsonl") == 0)
            continue;
        if ((*files = realloc(*files, (n + 1) * sizeof **files)) == NULL ||
            ((*files)[n++] = strdup(de->d_name)) == NULL) {
            closedir(d);
            return -1;
        }
    }
    closedir(d);
    qsort(*files, n, sizeof **files, str_cmp);
    return (long)n;
}

/**
 * bench_generate(gen, manifest, households, seed, dir, len):
 * Run generator ${gen} (a program beside this one: seen-synth or
 * seen-synth2) on lab ${manifest} with --households ${households} and
 * --seed ${seed} into a new temporary folder, whose path goes to ${dir}
 * (${len} bytes).  Returns 0, or -1 (said on standard error, the folder
 * removed).
 */
int
bench_generate(const char *gen, const char *manifest, long households,
    unsigned long seed, char *dir, size_t len)
{
    const char *tmp = getenv("TMPDIR");
    char bin[2048];

    snprintf(dir, len, "%s/bench_febrl.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        fprintf(stderr, "bench_febrl: mkdtemp %s: %s\n", dir,
            strerror(errno));
        return -1;
    }
    bench_bindir(bin, sizeof bin);
    if (bench_sh("'%s/%s' --manifest '%s' --out '%s' --households %ld "
                 "--seed %lu 2>'%s/generator.err'",
            bin, gen, manifest, dir, households, seed, dir) != 0) {
        fprintf(stderr, "bench_febrl: %s/%s failed:\n", bin, gen);
        (void)bench_sh("cat '%s/generator.err' >&2", dir);
        bench_remove_dir(dir);
        return -1;
    }
    return 0;
}

/**
 * bench_remove_dir(dir):
 * Remove folder ${dir} made by bench_generate and everything in it.
 */
void
bench_remove_dir(const char *dir)
{

    if (strstr(dir, "/bench_febrl.") != NULL)
        (void)bench_sh("rm -rf '%s'", dir);
}

/* The figures of each dataset of this run, for bench_all's summary. */
static struct fig {
    char name[48];
    double pr, rc;
    size_t n[4]; /* generated: perpetrators one, of, never-merge, of */
    int synth;
} figs[12]; /* three encodings (bench_febrl --encoding both) */
static size_t nfigs;

/**
 * bench_fig_add(name, pr, rc, synth):
 * Keep the pairwise precision ${pr} and recall ${rc} of dataset ${name}
 * (copied) for bench_all's summary, with, for a generated one, ${synth}:
 * perpetrators found as one, perpetrators, never-merge pairs merged,
 * never-merge pairs (NULL for FEBRL 4).  At most 4 are kept.
 */
void
bench_fig_add(const char *name, double pr, double rc, const size_t synth[4])
{
    struct fig *f;

    if (nfigs == sizeof figs / sizeof figs[0])
        return;
    f = &figs[nfigs++];
    snprintf(f->name, sizeof f->name, "%s", name);
    f->pr = pr;
    f->rc = rc;
    if ((f->synth = synth != NULL))
        memcpy(f->n, synth, sizeof f->n);
}

/* The summary of the figures kept. */
static void
summary(void)
{
    size_t k;

    printf("\nsummary (targets: F1 >= 0.99 at precision >= 0.995 on both "
           "generators;\n  FEBRL 4 recall >= 0.98 at precision >= 0.99)\n");
    for (k = 0; k < nfigs; k++) {
        printf("  %-21s precision %.4f  recall %.4f  F1 %.4f", figs[k].name,
            figs[k].pr, figs[k].rc,
            figs[k].pr + figs[k].rc > 0 ? 2 * figs[k].pr * figs[k].rc /
                (figs[k].pr + figs[k].rc) : 0);
        if (figs[k].synth)
            printf("\n  %-18s perpetrator_two_authorities as one %zu/%zu, "
                   "never-merge pairs merged %zu/%zu",
                "", figs[k].n[0], figs[k].n[1], figs[k].n[2], figs[k].n[3]);
        printf("\n");
    }
}

/**
 * bench_all(argc, argv, i, febrl4, synth):
 * bench_febrl's --all, from ${argv}[${i}]: [--all] [--manifest LAB.json]
 * [--households N] [--seed S] (defaults scripts/lab-six-areas.json, 150,
 * 1).  Runs ${febrl4}(), then for seen-synth and seen-synth2 generates
 * the lab into a temporary folder, runs ${synth}(folder, generator) and
 * removes the folder; then prints the definition of the table by kind
 * and a summary of the figures kept by bench_fig_add.  Returns 0, 1 on
 * failure, or 2 on bad usage (nothing run).
 */
int
bench_all(int argc, char *argv[], int i, int (*febrl4)(void),
    int (*synth)(const char *dir, const char *gen))
{
    static const char *const gens[] = {"seen-synth", "seen-synth2"};
    const char *manifest = SEEN_SOURCE_DIR "/scripts/lab-six-areas.json";
    unsigned long seed = 1;
    long hh = 150;
    char dir[4096], *end;
    size_t k;
    int r;

    for (; i < argc; i++) {
        end = NULL;
        if (strcmp(argv[i], "--all") == 0)
            continue;
        if (i + 1 >= argc)
            return 2;
        if (strcmp(argv[i], "--manifest") == 0)
            manifest = argv[++i];
        else if (strcmp(argv[i], "--households") == 0)
            hh = strtol(argv[++i], &end, 10);
        else if (strcmp(argv[i], "--seed") == 0)
            seed = strtoul(argv[++i], &end, 10);
        else
            return 2;
        if ((end != NULL && (*end != '\0' || end == argv[i])) || hh < 1)
            return 2;
    }
    if ((r = febrl4()) != 0)
        return r;
    for (k = 0; k < 2; k++) {
        printf("\n%s --manifest %s --households %ld --seed %lu\n", gens[k],
            manifest, hh, seed);
        fflush(stdout);
        if (bench_generate(gens[k], manifest, hh, seed, dir, sizeof dir) !=
            0)
            return 1;
        r = synth(dir, gens[k]);
        bench_remove_dir(dir);
        if (r != 0)
            return r;
    }
    printf("\n");
    bench_kinds_define();
    summary();
    return 0;
}
