#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/file.h"
#include "tests/testutil.h"

char *
tu_tmpdir(char *buf, size_t len)
{
    const char *t = getenv("TMPDIR");

    snprintf(buf, len, "%s/seen-test-XXXXXX", t ? t : "/tmp");
    if (mkdtemp(buf) == NULL) {
        perror("mkdtemp");
        abort();
    }
    return buf;
}

int
tu_rmrf(const char *path)
{

    return seen_file_remove_tree(path) == 0 ? 0 : -1;
}

char *
tu_data(const char *rel, char *buf, size_t len)
{

    snprintf(buf, len, "%s/tests/data/%s", SEEN_SOURCE_DIR, rel);
    return buf;
}
