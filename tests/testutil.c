#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{

    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int
tu_rmrf(const char *path)
{

    return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *
tu_data(const char *rel, char *buf, size_t len)
{

    snprintf(buf, len, "%s/tests/data/%s", SEEN_SOURCE_DIR, rel);
    return buf;
}

void
tu_refused(json_t *rep, const char *want)
{
    const char *e = json_string_value(json_object_get(rep, "error"));

    ck_assert(json_is_false(json_object_get(rep, "ok")));
    ck_assert_ptr_nonnull(e);
    ck_assert_msg(strstr(e, want) != NULL, "error '%s' lacks '%s'", e, want);
    json_decref(rep);
}
