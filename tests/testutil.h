/*
 * testutil.h: helpers shared by the Check suites.
 */
#ifndef SEEN_TESTUTIL_H
#define SEEN_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "storage/store.h"

struct seen_indexer;
struct seen_index_stats;
struct seen_score;
struct seen_keys;
struct Seen__Member;

/**
 * tu_tmpdir(buf, len):
 * Create a fresh private directory under $TMPDIR (or /tmp) and write its
 * path to ${buf}.  Returns ${buf}; aborts the test on failure.
 */
char *tu_tmpdir(char *buf, size_t len);

/**
 * tu_says(s, text):
 * Returns 1 when the score ${s} gives the reason ${text}, else 0.
 */
int tu_says(const struct seen_score *s, const char *text);

/**
 * tu_count_rule(tokens, n, rule):
 * Returns how many of the ${n} token items ${tokens} (SEEN_TOKEN_ITEM
 * bytes each) have rule ${rule}.
 */
size_t tu_count_rule(const uint8_t *tokens, size_t n, unsigned int rule);

/**
 * tu_rmrf(path):
 * Remove ${path} and everything below it.  Returns 0 or -1.
 */
int tu_rmrf(const char *path);

/* A store's place in a new temporary directory, and random keys for it:
 * a suite's fixture. */
struct tu_store {
    char base[1024];            /* the temporary directory */
    char dir[2048];             /* the store's directory in it */
    uint8_t node_id[32];
    uint8_t record_key[32];
};

/**
 * tu_store_setup(ts):
 * Make the temporary directory of ${ts} and draw its keys; no store is
 * made yet.  Aborts the test on failure.
 */
void tu_store_setup(struct tu_store *ts);

/**
 * tu_store_open(ts, map_mb, create):
 * Open (with ${create}: make) the store of ${ts} with a map of ${map_mb}
 * MiB; fails the test when it cannot.  The caller destroys it.
 */
struct seen_store *tu_store_open(const struct tu_store *ts, size_t map_mb,
    int create);

/**
 * tu_store_teardown(ts):
 * Remove the temporary directory of ${ts} and all in it.
 */
void tu_store_teardown(struct tu_store *ts);

/* The store place of the fixture below (one test runs at a time). */
extern struct tu_store tu_fixture;

/**
 * tu_fixture_setup(), tu_fixture_teardown():
 * A Check fixture: tu_store_setup and tu_store_teardown of tu_fixture.
 */
void tu_fixture_setup(void);
void tu_fixture_teardown(void);

/**
 * tu_begin(store, write):
 * Begin a transaction of ${store} (a write transaction when ${write});
 * fails the test when it cannot.
 */
struct seen_txn *tu_begin(struct seen_store *store, int write);

/**
 * tu_count(store, db):
 * Return the number of items in table ${db} of ${store}, read in a
 * transaction of its own.
 */
uint64_t tu_count(struct seen_store *store, enum seen_db db);

/**
 * tu_postings(store):
 * Return the postings of the token index of ${store}, every level, read
 * in a transaction of its own.
 */
uint64_t tu_postings(struct seen_store *store);

/**
 * tu_apply(ix, txn, line, now, st):
 * Parse the import line ${line} (which must parse) and apply it with
 * ${ix} in ${txn} at time ${now}, adding to ${st}; return the indexer's
 * code.
 */
int tu_apply(struct seen_indexer *ix, struct seen_txn *txn, const char *line,
    uint64_t now, struct seen_index_stats *st);

/**
 * tu_data(rel, buf, len):
 * Write the path of ${rel} under the repository's tests/data/ folder to
 * ${buf} (${len} bytes); return ${buf}.
 */
char *tu_data(const char *rel, char *buf, size_t len);

/**
 * tu_slurp(path, len):
 * Read the whole file ${path} (the test fails if it cannot): return it in
 * a malloc'd buffer, which the caller frees, with its size in *${len} and
 * a NUL after it (not counted).
 */
char *tu_slurp(const char *path, size_t *len);

/*
 * tu_file_fn(ctx, path, name, buf, len): one file of a directory: its
 * path and name, and its ${len} bytes in ${buf}, a buffer of exactly that
 * size (so that a read past the end is caught), freed after the call.
 */
typedef void tu_file_fn(void *ctx, const char *path, const char *name,
    const uint8_t *buf, size_t len);

/**
 * tu_each_file(dir, fn, ctx):
 * Call ${fn} for each file of ${dir} whose name does not start with a
 * dot, as readdir() lists them (fuzz seeds and regression inputs).
 * Returns the number of files; 0 when ${dir} does not exist.
 */
size_t tu_each_file(const char *dir, tu_file_fn *fn, void *ctx);

/*
 * tu_accept_fn(buf, len): run one input of ${len} bytes (${buf} is NULL
 * when ${len} is 0) through what a fuzzer runs; return 1 if it was
 * accepted, else 0.
 */
typedef int tu_accept_fn(const uint8_t *buf, size_t len);

/**
 * tu_replay_fuzz(name, fn, n):
 * Run the seeds of the fuzzer ${name} (every file of
 * tests/fuzz/corpus/${name}, as tu_each_file() lists them) through ${fn},
 * then the inputs that once broke it (tests/fuzz/regress/${name}, which
 * may be empty or absent: they must only not crash).  Write the number of
 * seeds to *${n} and return the number of them ${fn} accepted.
 */
size_t tu_replay_fuzz(const char *name, tu_accept_fn *fn, size_t *n);

/**
 * tu_quiet(path):
 * Send standard error to the file ${path} (created or truncated), or to
 * /dev/null if ${path} is NULL, until tu_loud(): for the library's log
 * lines where a test expects them.  The test fails if it cannot.
 */
void tu_quiet(const char *path);

/**
 * tu_loud():
 * Send standard error back where it went before tu_quiet().
 */
void tu_loud(void);

/**
 * tu_refused(rep, want):
 * Assert that the control reply ${rep} is a refusal ({"ok": false,
 * "error": TEXT}) whose TEXT contains ${want}; decref ${rep}.
 */
void tu_refused(json_t *rep, const char *want);

/**
 * tu_member(m, name, k, ep):
 * Fill the membership document entry ${m} as an ACTIVE social care member
 * named ${name} in Reading with the keys of ${k} at endpoint ${ep}.
 * ${m} points into ${name}, ${k} and ${ep}, which must outlive it.
 */
void tu_member(struct Seen__Member *m, const char *name,
    const struct seen_keys *k, const char *ep);

#define TU_SKIPPED 77 /* tu_on_tmpfs: no tmpfs can be mounted here */

/**
 * tu_on_tmpfs(dir, mb, child, what):
 * Make the directory ${dir} and run ${child}(${dir}) in a child process
 * that first enters a mount namespace of its own (in a user namespace
 * where needed, so that no privilege is needed where those are allowed)
 * and mounts a tmpfs of ${mb} MiB on ${dir}.  ${child} runs
 * single-threaded, so that it may; it exits 0 when every check held and
 * another code (below TU_SKIPPED) when one failed; returning is exiting
 * 0.  Returns its exit code, or TU_SKIPPED, said on stderr as ${what}
 * skipped, when no tmpfs can be mounted here.
 */
int tu_on_tmpfs(const char *dir, unsigned mb, void (*child)(const char *),
    const char *what);

/**
 * tu_fill_disk(path):
 * Write zeros to the new file ${path} until its file system is full.
 * Returns the bytes written.
 */
size_t tu_fill_disk(const char *path);

/**
 * tu_port():
 * A TCP port of 127.0.0.1 that is free now, outside the kernel's
 * ephemeral range (so that no outgoing connection of another test can
 * take it before the caller binds it) and not returned before by this
 * process.  Fails the test when there is none.
 */
int tu_port(void);

#endif
