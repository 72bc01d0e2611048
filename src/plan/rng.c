/* SPDX-License-Identifier: MIT */
/*
 * rng.c — the simulation's random source: xoshiro256** (Blackman and Vigna), seeded through
 * splitmix64 so that any 64-bit seed, 0 included, gives a good state. Same seed, same stream, on
 * every platform: the simulation is reproducible. Not for secrets (ticket ids use libsodium).
 */
#include <math.h>

#include "hq_plan.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void hq_rng_seed(struct hq_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t hq_rng_next(struct hq_rng *r)
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

double hq_rng_uniform(struct hq_rng *r)
{
    return (double)(hq_rng_next(r) >> 11) * 0x1.0p-53;
}

double hq_rng_exp(struct hq_rng *r, double mean)
{
    /* 1 - U is in (0, 1]: log never sees 0. */
    return -mean * log(1.0 - hq_rng_uniform(r));
}

double hq_rng_normal(struct hq_rng *r)
{
    /* Marsaglia's polar method; the second value is dropped to keep the state simple. */
    double u, v, s;
    do {
        u = 2.0 * hq_rng_uniform(r) - 1.0;
        v = 2.0 * hq_rng_uniform(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    return u * sqrt(-2.0 * log(s) / s);
}

double hq_rng_lognormal(struct hq_rng *r, double mean, double cv)
{
    double s2 = log1p(cv * cv);
    double m = log(mean) - 0.5 * s2;
    return exp(m + sqrt(s2) * hq_rng_normal(r));
}
