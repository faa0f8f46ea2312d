/*
 * bytes.h: big-endian integers in byte strings, for composite keys and
 * signed messages.
 */
#ifndef SEEN_BYTES_H
#define SEEN_BYTES_H

#include <stdint.h>

static inline void
seen_be32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}
static inline void
seen_be64(uint8_t *p, uint64_t v)
{
    seen_be32(p, v >> 32);
    seen_be32(p + 4, (uint32_t)v);
}
static inline uint32_t
seen_rd32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
        ((uint32_t)p[2] << 8) | p[3];
}
static inline uint64_t
seen_rd64(const uint8_t *p)
{
    return ((uint64_t)seen_rd32(p) << 32) | seen_rd32(p + 4);
}

#endif /* !SEEN_BYTES_H */
