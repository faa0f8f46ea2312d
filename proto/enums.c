#include <string.h>

#include "proto/enums.h"

/**
 * seen_enum_name(d, v, buf):
 * Write the lower-case name of value ${v} of the enum ${d} to ${buf},
 * without a leading "KIND_", cut at SEEN_ENUM_NAME_MAX - 1 bytes.
 * Returns ${buf}, or the static string "unknown" when ${v} is not a
 * value of ${d}.
 */
const char *
seen_enum_name(const ProtobufCEnumDescriptor *d, int v,
    char buf[static SEEN_ENUM_NAME_MAX])
{
    const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(d, v);
    const char *s;
    size_t i;

    if (ev == NULL)
        return "unknown";
    s = strncmp(ev->name, "KIND_", 5) == 0 ? ev->name + 5 : ev->name;
    for (i = 0; s[i] != '\0' && i < SEEN_ENUM_NAME_MAX - 1; i++)
        buf[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
    buf[i] = '\0';
    return buf;
}
