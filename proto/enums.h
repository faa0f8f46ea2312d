/*
 * enums.h: the names of protobuf enum values as the import format, the
 * CLI and the policy write them: lower case, without the KIND_ prefix
 * ("domestic_abuse_incident", "other", "duty_to_share").
 */
#ifndef SEEN_ENUMS_H
#define SEEN_ENUMS_H

#include <protobuf-c/protobuf-c.h>

#define SEEN_ENUM_NAME_MAX 64 /* bytes of a name, with its NUL */

/**
 * seen_enum_name(d, v, buf):
 * Write the lower-case name of value ${v} of the enum ${d} to ${buf},
 * without a leading "KIND_", cut at SEEN_ENUM_NAME_MAX - 1 bytes.
 * Returns ${buf}, or the static string "unknown" when ${v} is not a
 * value of ${d}.
 */
const char *seen_enum_name(const ProtobufCEnumDescriptor *d, int v,
    char buf[static SEEN_ENUM_NAME_MAX]);

#endif /* !SEEN_ENUMS_H */
