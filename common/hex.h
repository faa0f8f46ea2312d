/*
 * hex.h: lower-case hexadecimal text of byte strings, as every log line,
 * control reply and export writes them.
 */
#ifndef SEEN_HEX_H
#define SEEN_HEX_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"

/**
 * seen_hex_encode(out, in, len):
 * Write the ${len} bytes ${in} as 2 * ${len} lower-case hex digits and a
 * NUL to ${out}, which must hold 2 * ${len} + 1 bytes.  Returns ${out}.
 */
char *seen_hex_encode(char *out, const uint8_t *in, size_t len);

/**
 * seen_hex_decode(out, len, s):
 * Parse ${s}, which must be exactly 2 * ${len} hex digits (either case)
 * and nothing else, into the ${len} bytes ${out}.
 * Returns 0; SEEN_EINVAL for NULL, the wrong length or a non-hex
 * character (${out} is then undefined).
 */
SEEN_MUST_CHECK int seen_hex_decode(uint8_t *out, size_t len, const char *s);

#endif /* !SEEN_HEX_H */
