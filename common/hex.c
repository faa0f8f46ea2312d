#include <string.h>

#include <sodium.h>

#include "common/hex.h"

/**
 * seen_hex_encode(out, in, len):
 * Write the ${len} bytes ${in} as 2 * ${len} lower-case hex digits and a
 * NUL to ${out}, which must hold 2 * ${len} + 1 bytes.  Returns ${out}.
 */
char *
seen_hex_encode(char *out, const uint8_t *in, size_t len)
{

    return sodium_bin2hex(out, len * 2 + 1, in, len);
}

/**
 * seen_hex_decode(out, len, s):
 * Parse ${s}, which must be exactly 2 * ${len} hex digits (either case)
 * and nothing else, into the ${len} bytes ${out}.
 * Returns 0; SEEN_EINVAL for NULL, the wrong length or a non-hex
 * character (${out} is then undefined).
 */
int
seen_hex_decode(uint8_t *out, size_t len, const char *s)
{
    size_t got;

    if (s == NULL || strlen(s) != 2 * len ||
        sodium_hex2bin(out, len, s, 2 * len, NULL, &got, NULL) != 0 ||
        got != len)
        return SEEN_EINVAL;
    return 0;
}
