/*
 * benchutil.h: what the benchmarks share: the CPU clock (the monotonic one
 * is common/clock.h's), reading a file, running seen-synth for their
 * records, and two small hash maps.
 */
#ifndef SEEN_BENCHUTIL_H
#define SEEN_BENCHUTIL_H

#include <stddef.h>
#include <stdint.h>

/**
 * bench_cpu():
 * Return the CPU seconds this process has used (the machine may be
 * shared).
 */
double bench_cpu(void);

/**
 * bench_rng(state):
 * Return the next number of the splitmix64 sequence in *${state}: cheap,
 * seedable pseudo-random numbers for a benchmark's choices (never for
 * keys).
 */
uint64_t bench_rng(uint64_t *state);

/**
 * bench_slurp(path, len):
 * Return the whole of file ${path} (malloc'd, NUL-terminated; its size to
 * *${len} unless ${len} is NULL), or NULL.
 */
char *bench_slurp(const char *path, size_t *len);

/**
 * bench_sh(fmt, ...):
 * Run the shell command made from ${fmt} and what follows; return
 * system()'s status.
 */
int bench_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * bench_bindir(out, len):
 * Write the folder of this program, where the real binaries are, to
 * ${out} (${len} bytes).
 */
void bench_bindir(char *out, size_t len);

/**
 * bench_synth(args, dir):
 * Run the seen-synth beside this binary with ${args} and --out ${dir},
 * its summary not shown.  Returns 0, or -1 (said on stderr).
 */
int bench_synth(const char *args, const char *dir);

/**
 * bench_raw_lmdb_puts(dir, n, vlen):
 * Put ${n} random 16-byte keys with ${vlen}-byte values (at most 4096),
 * 10,000 a transaction, into a new LMDB environment in ${dir}, with plain
 * LMDB: the raw limit a store's writes are measured against.  Returns
 * puts a second, or 0 when the environment cannot be made.
 */
double bench_raw_lmdb_puts(const char *dir, size_t n, size_t vlen);

/* A multimap from token (SEEN_TOKEN_ITEM bytes) to entry numbers: a list
 * of postings under each token, the newest first. */
struct bench_tmap {
    const uint8_t **key; /* token of each slot, or NULL */
    uint32_t *head;      /* first posting of each slot */
    uint32_t *next;      /* next posting, or UINT32_MAX */
    uint32_t *item;      /* entry of each posting */
    size_t mask, npost, cappost;
};

/**
 * bench_tmap_init(m, expect):
 * Make ${m} empty, with room for ${expect} postings.  Returns 0 or -1.
 */
int bench_tmap_init(struct bench_tmap *m, size_t expect);

/**
 * bench_tmap_free(m):
 * Free what ${m} holds.
 */
void bench_tmap_free(struct bench_tmap *m);

/**
 * bench_tmap_add(m, t, item):
 * Add entry ${item} under token ${t}, which must stay valid as long as
 * ${m}.  Returns 0, or -1 when the postings are full.
 */
int bench_tmap_add(struct bench_tmap *m, const uint8_t *t, uint32_t item);

/**
 * bench_tmap_first(m, t):
 * Return the first posting under ${t} (then m->next[p]), or UINT32_MAX.
 */
uint32_t bench_tmap_first(const struct bench_tmap *m, const uint8_t *t);

/* A map from string to number. */
struct bench_smap {
    char **key;
    long *val;
    size_t mask, n;
};

/**
 * bench_smap_init(m, expect):
 * Make ${m} empty, with room for ${expect} keys.  Returns 0 or -1.
 */
int bench_smap_init(struct bench_smap *m, size_t expect);

/**
 * bench_smap_free(m):
 * Free what ${m} holds.
 */
void bench_smap_free(struct bench_smap *m);

/**
 * bench_smap_get(m, k):
 * Return the value of ${k}, or -1.
 */
long bench_smap_get(const struct bench_smap *m, const char *k);

/**
 * bench_smap_put(m, k, v):
 * Set ${k} (copied) to ${v} unless it is there; return the value held,
 * or -2 when ${m} is full or out of memory.
 */
long bench_smap_put(struct bench_smap *m, const char *k, long v);

/**
 * bench_type_police(ctx, pk):
 * A matcher's type_of (node/matching/matcher.h) for a bench's one node:
 * "police" for every origin.
 */
const char *bench_type_police(void *ctx, const uint8_t pk[static 32]);

/**
 * bench_name_bench(ctx, pk, buf, len):
 * A matcher's name_of for a bench's one node: "bench" for every origin.
 */
const char *bench_name_bench(void *ctx, const uint8_t pk[static 32],
    char *buf, size_t len);

/**
 * bench_raw_lmdb_reads(dir, map_mb, n, rng, nkeys):
 * Random mdb_get of existing keys of "entries" in the store at ${dir}
 * (opened read-only with a map of ${map_mb} MiB), ${n} of them drawn with
 * ${rng}: reads a second, and the keys there are to *${nkeys}; 0 when the
 * store cannot be read.
 */
double bench_raw_lmdb_reads(const char *dir, size_t map_mb, size_t n,
    uint64_t *rng, size_t *nkeys);

#endif /* !SEEN_BENCHUTIL_H */
