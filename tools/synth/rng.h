/*
 * rng.h: the generator's own pseudo-random numbers, xoshiro256** seeded
 * through splitmix64.  Integer-only, so that a seed gives the same data on
 * every machine.  Never used for anything secret.
 */
#ifndef SYNTH_RNG_H
#define SYNTH_RNG_H

#include <stdint.h>

struct synth_rng {
    uint64_t s[4];
};

/**
 * synth_rng_mix(a, b):
 * Return a well-mixed 64-bit value derived from ${a} and ${b} (splitmix64
 * finaliser); used to derive independent seeds.
 */
uint64_t synth_rng_mix(uint64_t a, uint64_t b);

/**
 * synth_rng_seed(r, seed):
 * Seed ${r} from ${seed} through splitmix64.
 */
void synth_rng_seed(struct synth_rng *r, uint64_t seed);

/**
 * synth_rng_next(r):
 * Return the next 64-bit output of ${r}.
 */
uint64_t synth_rng_next(struct synth_rng *r);

/**
 * synth_rng_below(r, n):
 * Return a uniform integer in [0, ${n}) (0 when ${n} is 0), without bias.
 */
uint32_t synth_rng_below(struct synth_rng *r, uint32_t n);

/**
 * synth_rng_range(r, lo, hi):
 * Return a uniform integer in [${lo}, ${hi}] (${lo} when ${hi} < ${lo}).
 */
int32_t synth_rng_range(struct synth_rng *r, int32_t lo, int32_t hi);

/**
 * synth_rng_chance(r, permille):
 * Return 1 with probability ${permille}/1000, else 0.
 */
int synth_rng_chance(struct synth_rng *r, uint32_t permille);

/**
 * synth_rng_weighted(r, weights, n):
 * Return an index in [0, ${n}) chosen with probability proportional to
 * ${weights}[i]; 0 when every weight is 0.
 */
uint32_t synth_rng_weighted(struct synth_rng *r, const uint32_t *weights,
    uint32_t n);

/**
 * synth_hash(s):
 * Return a 64-bit FNV-1a hash of the NUL-terminated string ${s}.
 */
uint64_t synth_hash(const char *s);

#endif /* !SYNTH_RNG_H */
