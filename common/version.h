#ifndef SEEN_VERSION_H
#define SEEN_VERSION_H

#define SEEN_VERSION "0.1.0"

/**
 * seen_version(void):
 * Return the version string of this build.
 */
const char *seen_version(void);

#endif
