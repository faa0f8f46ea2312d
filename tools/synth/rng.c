#include <stdint.h>

#include "rng.h"

static uint64_t
splitmix64(uint64_t *x)
{
    uint64_t z;

    z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static inline uint64_t
rotl(uint64_t x, int k)
{

    return (x << k) | (x >> (64 - k));
}

/**
 * synth_rng_mix(a, b):
 * Return a well-mixed 64-bit value derived from ${a} and ${b} (splitmix64
 * finaliser); used to derive independent seeds.
 */
uint64_t
synth_rng_mix(uint64_t a, uint64_t b)
{
    uint64_t x = a ^ rotl(b, 23) ^ UINT64_C(0x5eed5eed5eed5eed);

    (void)splitmix64(&x);
    x ^= b;
    return splitmix64(&x);
}

/**
 * synth_rng_seed(r, seed):
 * Seed ${r} from ${seed} through splitmix64.
 */
void
synth_rng_seed(struct synth_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    int i;

    for (i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

/**
 * synth_rng_next(r):
 * Return the next 64-bit output of ${r}.
 */
uint64_t
synth_rng_next(struct synth_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/**
 * synth_rng_below(r, n):
 * Return a uniform integer in [0, ${n}) (0 when ${n} is 0), without bias.
 */
uint32_t
synth_rng_below(struct synth_rng *r, uint32_t n)
{
    uint64_t m;
    uint32_t lo, t;

    if (n == 0)
        return 0;
    /* Lemire's multiply-and-reject. */
    m = (uint64_t)(uint32_t)(synth_rng_next(r) >> 32) * n;
    lo = (uint32_t)m;
    if (lo < n) {
        t = (uint32_t)(-n) % n;
        while (lo < t) {
            m = (uint64_t)(uint32_t)(synth_rng_next(r) >> 32) * n;
            lo = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

/**
 * synth_rng_range(r, lo, hi):
 * Return a uniform integer in [${lo}, ${hi}] (${lo} when ${hi} < ${lo}).
 */
int32_t
synth_rng_range(struct synth_rng *r, int32_t lo, int32_t hi)
{

    if (hi <= lo)
        return lo;
    return lo + (int32_t)synth_rng_below(r, (uint32_t)(hi - lo) + 1);
}

/**
 * synth_rng_chance(r, permille):
 * Return 1 with probability ${permille}/1000, else 0.
 */
int
synth_rng_chance(struct synth_rng *r, uint32_t permille)
{

    return synth_rng_below(r, 1000) < permille;
}

/**
 * synth_rng_weighted(r, weights, n):
 * Return an index in [0, ${n}) chosen with probability proportional to
 * ${weights}[i]; 0 when every weight is 0.
 */
uint32_t
synth_rng_weighted(struct synth_rng *r, const uint32_t *weights, uint32_t n)
{
    uint64_t total = 0;
    uint32_t i, x;

    for (i = 0; i < n; i++)
        total += weights[i];
    if (total == 0 || total > UINT32_MAX)
        return 0;
    x = synth_rng_below(r, (uint32_t)total);
    for (i = 0; i < n; i++) {
        if (x < weights[i])
            return i;
        x -= weights[i];
    }
    return n - 1;
}

/**
 * synth_hash(s):
 * Return a 64-bit FNV-1a hash of the NUL-terminated string ${s}.
 */
uint64_t
synth_hash(const char *s)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);

    for (; *s != '\0'; s++) {
        h ^= (unsigned char)*s;
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}
