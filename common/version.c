#include "common/version.h"

/**
 * seen_version(void):
 * Return the version string of this build.
 */
const char *
seen_version(void)
{

    return SEEN_VERSION;
}
