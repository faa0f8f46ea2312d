#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <sodium.h>

#include "common/file.h"
#include "crypto/keys.h"
#include "match/score.h"
#include "match/tokens.h"
#include "node/matching/indexer.h"
#include "storage/index.h"
#include "proto/record.h"
#include "tests/testutil.h"
#include "tools/ports.h"
#include "seen.pb-c.h"

/**
 * tu_tmpdir(buf, len):
 * Create a fresh private directory under $TMPDIR (or /tmp) and write its
 * path to ${buf}.  Returns ${buf}; aborts the test on failure.
 */
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

/**
 * tu_rmrf(path):
 * Remove ${path} and everything below it.  Returns 0 or -1.
 */
int
tu_rmrf(const char *path)
{

    return seen_file_remove_tree(path) == 0 ? 0 : -1;
}

/**
 * tu_store_setup(ts):
 * Make the temporary directory of ${ts} and draw its keys; no store is
 * made yet.  Aborts the test on failure.
 */
void
tu_store_setup(struct tu_store *ts)
{

    tu_tmpdir(ts->base, sizeof ts->base);
    snprintf(ts->dir, sizeof ts->dir, "%s/store", ts->base);
    randombytes_buf(ts->node_id, sizeof ts->node_id);
    randombytes_buf(ts->record_key, sizeof ts->record_key);
}

/**
 * tu_store_open(ts, map_mb, create):
 * Open (with ${create}: make) the store of ${ts} with a map of ${map_mb}
 * MiB; fails the test when it cannot.  The caller destroys it.
 */
struct seen_store *
tu_store_open(const struct tu_store *ts, size_t map_mb, int create)
{
    struct seen_store *s = NULL;

    ck_assert_int_eq(seen_store_open(ts->dir, ts->node_id, ts->record_key,
                         map_mb, create, &s),
        SEEN_OK);
    ck_assert_ptr_nonnull(s);
    return s;
}

/**
 * tu_store_teardown(ts):
 * Remove the temporary directory of ${ts} and all in it.
 */
void
tu_store_teardown(struct tu_store *ts)
{

    tu_rmrf(ts->base);
}

struct tu_store tu_fixture;

/**
 * tu_fixture_setup(), tu_fixture_teardown():
 * A Check fixture: tu_store_setup and tu_store_teardown of tu_fixture.
 */
void
tu_fixture_setup(void)
{

    tu_store_setup(&tu_fixture);
}

void
tu_fixture_teardown(void)
{

    tu_store_teardown(&tu_fixture);
}

/**
 * tu_begin(store, write):
 * Begin a transaction of ${store} (a write transaction when ${write});
 * fails the test when it cannot.
 */
struct seen_txn *
tu_begin(struct seen_store *store, int write)
{
    struct seen_txn *t = NULL;

    ck_assert_int_eq(seen_store_begin(store, write, &t), SEEN_OK);
    ck_assert_ptr_nonnull(t);
    return t;
}

/**
 * tu_count(store, db):
 * Return the number of items in table ${db} of ${store}, read in a
 * transaction of its own.
 */
uint64_t
tu_count(struct seen_store *store, enum seen_db db)
{
    struct seen_txn *t = tu_begin(store, 0);
    uint64_t n;

    ck_assert_int_eq(seen_store_count(t, db, &n), SEEN_OK);
    seen_store_abort(t);
    return n;
}

/**
 * tu_postings(store):
 * Return the postings of the token index of ${store}, every level, read
 * in a transaction of its own.
 */
uint64_t
tu_postings(struct seen_store *store)
{
    struct seen_txn *t = tu_begin(store, 0);
    uint64_t n;

    ck_assert_int_eq(seen_index_count(t, &n), SEEN_OK);
    seen_store_abort(t);
    return n;
}

/**
 * tu_apply(ix, txn, line, now, st):
 * Parse the import line ${line} (which must parse) and apply it with
 * ${ix} in ${txn} at time ${now}, adding to ${st}; return the indexer's
 * code.
 */
int
tu_apply(struct seen_indexer *ix, struct seen_txn *txn, const char *line,
    uint64_t now, struct seen_index_stats *st)
{
    struct seen_record *r = NULL;
    int rc;

    ck_assert_msg(seen_record_parse(line, strlen(line), &r, NULL, NULL) == 0,
        "import line rejected: %s", line);
    rc = seen_indexer_apply(ix, txn, r, now, st);
    seen_record_destroy(&r);
    return rc;
}

/**
 * tu_data(rel, buf, len):
 * Write the path of ${rel} under the repository's tests/data/ folder to
 * ${buf} (${len} bytes); return ${buf}.
 */
char *
tu_data(const char *rel, char *buf, size_t len)
{

    snprintf(buf, len, "%s/tests/data/%s", SEEN_SOURCE_DIR, rel);
    return buf;
}

char *
tu_slurp(const char *path, size_t *len)
{
    FILE *f;
    char *buf;
    long n;

    ck_assert_msg((f = fopen(path, "rb")) != NULL, "cannot open %s", path);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    ck_assert_int_ge(n = ftell(f), 0);
    rewind(f);
    ck_assert_ptr_nonnull(buf = malloc((size_t)n + 1));
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

size_t
tu_each_file(const char *dir, tu_file_fn *fn, void *ctx)
{
    char path[4096], *text;
    struct dirent *de;
    uint8_t *buf;
    size_t n = 0, len;
    DIR *d;

    if ((d = opendir(dir)) == NULL)
        return 0;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        text = tu_slurp(path, &len);
        /* Exactly len bytes, so that an over-read is caught. */
        ck_assert_ptr_nonnull(buf = malloc(len ? len : 1));
        memcpy(buf, text, len);
        free(text);
        fn(ctx, path, de->d_name, buf, len);
        free(buf);
        n++;
    }
    closedir(d);
    return n;
}

/* A runner and the number of files it accepted (tu_replay_fuzz). */
struct tu_count {
    tu_accept_fn *fn;
    size_t ok;
};

static void
tu_count_one(void *ctx, const char *path, const char *name,
    const uint8_t *buf, size_t len)
{
    struct tu_count *c = ctx;

    (void)path;
    (void)name;
    c->ok += (size_t)c->fn(len ? buf : NULL, len);
}

size_t
tu_replay_fuzz(const char *name, tu_accept_fn *fn, size_t *n)
{
    struct tu_count seeds = {fn, 0}, regress = {fn, 0};
    char dir[4096];

    snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/%s", SEEN_SOURCE_DIR,
        name);
    *n = tu_each_file(dir, tu_count_one, &seeds);
    snprintf(dir, sizeof dir, "%s/tests/fuzz/regress/%s", SEEN_SOURCE_DIR,
        name);
    (void)tu_each_file(dir, tu_count_one, &regress);
    return seeds.ok;
}

/* Standard error while tu_quiet() has it elsewhere, or -1. */
static int tu_saved_stderr = -1;

void
tu_quiet(const char *path)
{
    int fd;

    fflush(stderr);
    ck_assert_int_ge(tu_saved_stderr = dup(2), 0);
    ck_assert_int_ge(fd = open(path ? path : "/dev/null",
                         O_WRONLY | O_CREAT | O_TRUNC, 0600),
        0);
    ck_assert_int_eq(dup2(fd, 2), 2);
    close(fd);
}

void
tu_loud(void)
{

    fflush(stderr);
    ck_assert_int_eq(dup2(tu_saved_stderr, 2), 2);
    close(tu_saved_stderr);
    tu_saved_stderr = -1;
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

/**
 * tu_member(m, name, k, ep):
 * Fill the membership document entry ${m} as an ACTIVE social care member
 * named ${name} in Reading with the keys of ${k} at endpoint ${ep}.
 * ${m} points into ${name}, ${k} and ${ep}, which must outlive it.
 */
void
tu_member(struct Seen__Member *m, const char *name, const struct seen_keys *k,
    const char *ep)
{

    seen__member__init(m);
    m->name = (char *)(uintptr_t)name;
    m->agency = (char *)(uintptr_t) "Test agency";
    m->type = SEEN__AGENCY_TYPE__SOCIAL_CARE;
    m->local_authority = (char *)(uintptr_t) "Reading";
    m->sign_pk = (ProtobufCBinaryData){32, (uint8_t *)(uintptr_t)k->sign_pk};
    m->curve_pk = (ProtobufCBinaryData){32, (uint8_t *)(uintptr_t)k->curve_pk};
    m->endpoint = (char *)(uintptr_t)ep;
    m->status = SEEN__MEMBER_STATUS__ACTIVE;
}

/* Write ${text} to the file ${path}.  Returns 0 or -1. */
static int
write_text(const char *path, const char *text)
{
    int fd, ok;

    if ((fd = open(path, O_WRONLY)) < 0)
        return -1;
    ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
    close(fd);
    return ok ? 0 : -1;
}

/* Enter a mount namespace of our own: directly when privileged, else
 * inside a user namespace where we are root.  Returns 0 or -1. */
static int
enter_namespace(void)
{
    char map[64];
    unsigned uid = (unsigned)getuid(), gid = (unsigned)getgid();

    if (unshare(CLONE_NEWNS) == 0)
        return 0;
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0)
        return -1;
    snprintf(map, sizeof map, "0 %u 1\n", uid);
    if (write_text("/proc/self/uid_map", map) != 0)
        return -1;
    snprintf(map, sizeof map, "0 %u 1\n", gid);
    if (write_text("/proc/self/setgroups", "deny") != 0 ||
        write_text("/proc/self/gid_map", map) != 0)
        return -1;
    return 0;
}

/* Mount a tmpfs of ${mb} MiB on the directory ${dir}, in a mount
 * namespace of the calling process's own (entered for good: a
 * single-threaded child).  Returns 0 or -1 when that cannot be done. */
static int
mount_tmpfs(const char *dir, unsigned mb)
{
    char opt[32];

    snprintf(opt, sizeof opt, "size=%um", mb);
    if (enter_namespace() != 0 ||
        mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) != 0 ||
        mount("tmpfs", dir, "tmpfs", 0, opt) != 0)
        return -1;
    return 0;
}

/**
 * tu_on_tmpfs(dir, mb, child, what):
 * Make the directory ${dir}, and run ${child}(${dir}) in a child process
 * that first mounts a tmpfs of ${mb} MiB there; see testutil.h.
 */
int
tu_on_tmpfs(const char *dir, unsigned mb, void (*child)(const char *),
    const char *what)
{
    pid_t pid;
    int status;

    ck_assert_int_eq(mkdir(dir, 0700), 0);
    fflush(NULL);
    ck_assert_int_ge(pid = fork(), 0);
    if (pid == 0) {
        if (mount_tmpfs(dir, mb) != 0)
            _exit(TU_SKIPPED);
        child(dir);
        _exit(0);
    }
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status));
    if (WEXITSTATUS(status) == TU_SKIPPED)
        fprintf(stderr, "skipped %s: cannot mount a tmpfs (no user "
                        "namespaces here)\n",
            what);
    return WEXITSTATUS(status);
}

/**
 * tu_fill_disk(path):
 * Write zeros to the new file ${path} until its file system is full, in
 * ever smaller writes down to 4 KiB.  Returns the bytes written.
 */
size_t
tu_fill_disk(const char *path)
{
    static const char zero[1 << 16];
    size_t chunk = sizeof zero, total = 0;
    ssize_t n;
    int fd;

    if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
        return 0;
    while (chunk >= 4096) {
        if ((n = write(fd, zero, chunk)) > 0)
            total += (size_t)n;
        else
            chunk /= 2;
    }
    close(fd);
    return total;
}

int
tu_port(void)
{
    static uint8_t given[65536 / 8];
    int eph_lo, eph_hi, lo = 10000, hi = 65535, p, i;

    seen_ports_ephemeral(&eph_lo, &eph_hi);
    p = lo + (int)randombytes_uniform((uint32_t)(hi - lo + 1));
    for (i = 0; i <= hi - lo; i++, p = p == hi ? lo : p + 1) {
        if ((p >= eph_lo && p <= eph_hi) || (given[p / 8] >> (p % 8)) & 1)
            continue;
        given[p / 8] |= (uint8_t)(1u << (p % 8));
        if (seen_port_free(p))
            return p;
    }
    ck_abort_msg("no free port of 127.0.0.1 outside %d-%d", eph_lo, eph_hi);
    return -1;
}

int
tu_says(const struct seen_score *s, const char *text)
{
    size_t i;

    for (i = 0; i < s->nwhy; i++)
        if (strcmp(s->why[i], text) == 0)
            return 1;
    return 0;
}

size_t
tu_count_rule(const uint8_t *tokens, size_t n, unsigned int rule)
{
    size_t i, k = 0;

    for (i = 0; i < n; i++)
        k += tokens[i * SEEN_TOKEN_ITEM] == rule;
    return k;
}
