/*
 * synthkinds.h: what bench_febrl measures of a generated population by
 * kind of difference (the "noise" of each truth line: docs/synth2.md),
 * and running a generator into a temporary folder for it.
 */
#ifndef SEEN_BENCH_SYNTHKINDS_H
#define SEEN_BENCH_SYNTHKINDS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* The kinds of difference both generators name, and one for any other. */
#define BENCH_NKINDS 14

/* Pair counts by kind; row BENCH_NKINDS is "clean" (no kind at all). */
struct bench_kinds {
    double truep[BENCH_NKINDS + 1];  /* true pairs where either has K */
    double found[BENCH_NKINDS + 1];  /* ... of them linked */
    double onlyp[BENCH_NKINDS + 1];  /* true pairs whose kinds are just K */
    double onlyf[BENCH_NKINDS + 1];  /* ... of them linked */
    double nhsp[BENCH_NKINDS + 1];   /* ... just K and nhs_missing */
    double nhsf[BENCH_NKINDS + 1];   /* ... of them linked */
    double linkp[BENCH_NKINDS + 1];  /* linked pairs where either has K */
    double right[BENCH_NKINDS + 1];  /* ... of them true */
};

/**
 * bench_kinds_mask(noise):
 * Return the bit set of the kinds named in the JSON array ${noise} (bit
 * k: kind k; a name not known sets the last, "other"); 0 when ${noise}
 * is not an array.
 */
unsigned bench_kinds_mask(const json_t *noise);

/**
 * bench_kinds_count(label, person, mask, n, out):
 * Count into *${out} the pairs of the ${n} entries whose cluster labels,
 * truth persons and kind masks are ${label}[i], ${person}[i] and
 * ${mask}[i]: every pair of entries of one person, and every pair of
 * entries of one label, by kind.  Returns 0, or -1 out of memory.
 */
int bench_kinds_count(const uint32_t *label, const long *person,
    const unsigned *mask, size_t n, struct bench_kinds *out);

/**
 * bench_kinds_print(k):
 * Print the table of precision and recall by kind of *${k}, with kinds
 * no pair carries left out.
 */
void bench_kinds_print(const struct bench_kinds *k);

/**
 * bench_kinds_define():
 * Print what "by kind" means in bench_kinds_print's table.
 */
void bench_kinds_define(void);

/**
 * bench_jsonl_files(dir, files):
 * The record files of ${dir} (every .jsonl but truth.jsonl and
 * scenarios.jsonl), in name order, to *${files} (an array of malloc'd
 * names, the caller's to free).  Returns their number, or -1 (said on
 * standard error).
 */
long bench_jsonl_files(const char *dir, char ***files);

/**
 * bench_generate(gen, manifest, households, seed, dir, len):
 * Run generator ${gen} (a program beside this one: seen-synth or
 * seen-synth2) on lab ${manifest} with --households ${households} and
 * --seed ${seed} into a new temporary folder, whose path goes to ${dir}
 * (${len} bytes).  Returns 0, or -1 (said on standard error, the folder
 * removed).
 */
int bench_generate(const char *gen, const char *manifest, long households,
    unsigned long seed, char *dir, size_t len);

/**
 * bench_remove_dir(dir):
 * Remove folder ${dir} made by bench_generate and everything in it.
 */
void bench_remove_dir(const char *dir);

/**
 * bench_fig_add(name, pr, rc, synth):
 * Keep the pairwise precision ${pr} and recall ${rc} of dataset ${name}
 * (copied) for bench_all's summary, with, for a generated one, ${synth}:
 * perpetrators found as one, perpetrators, never-merge pairs merged,
 * never-merge pairs (NULL for FEBRL 4).  At most 4 are kept.
 */
void bench_fig_add(const char *name, double pr, double rc,
    const size_t synth[4]);

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
int bench_all(int argc, char *argv[], int i, int (*febrl4)(void),
    int (*synth)(const char *dir, const char *gen));

#endif /* !SEEN_BENCH_SYNTHKINDS_H */
