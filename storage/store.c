#include <errno.h>
#include <signal.h>
#include <lmdb.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "crypto/seal.h"
#include "storage/index.h"
#include "storage/space.h"
#include "storage/store.h"
#include "storage/store_impl.h"

/* The keys of SEEN_DB_META (this file alone knows them). */
#define META_FORMAT "format" /* SEEN_STORE_FORMAT, 4 bytes */
#define META_NODE "node"     /* the node's Ed25519 key, 32 bytes */
#define META_CHECK "check"   /* a sealed known value: the record key opens it */
#define META_EPOCH "epoch"   /* the own entries' match-key epoch, 4 bytes */

static const char *db_names[SEEN_DB_COUNT] = {
    "meta", "records", "recmeta", "handles", "origins", "feeds", "fhash",
    "feedmeta", "entries", "index", "linked", "persons", "xlog", "xhash",
    "checkpoints", "peers", "cursors", "membership", "operators", "alerts",
    "expiry", "replay", "xstate",
    "grouped", "disclosures",
    "retain", "index0", "index1", "index2",
    "iblock1", "iblock2", "iblock3", "links", "groups",
};

/* 1 when ${db} is a level of the token index kept as LMDB duplicates, the
 * links or the groups (DUPSORT, DUPFIXED). */
static int
store_is_dupfixed(size_t db)
{

    return db == SEEN_DB_INDEX || db == SEEN_DB_INDEX0 ||
           db == SEEN_DB_INDEX1 || db == SEEN_DB_INDEX2 ||
           db == SEEN_DB_LINKS || db == SEEN_DB_GROUPS;
}

/**
 * store_db_name(db):
 * The name of database ${db} in the LMDB file (static).
 */
const char *
store_db_name(enum seen_db db)
{

    return db_names[db];
}

#define CHECK_AD "seen-store-check"
#define CHECK_PLAIN "seen store key check v1"

/* Map an LMDB code to a SEEN code. */
static int
mdb_to_seen(int rc)
{

    switch (rc) {
    case MDB_SUCCESS:
        return SEEN_OK;
    case MDB_NOTFOUND:
        return SEEN_ENOTFOUND;
    case MDB_MAP_FULL:
    case MDB_TXN_FULL:
        return SEEN_EFULL;
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_INVALID:
    case MDB_BAD_TXN:
        return SEEN_ECORRUPT;
    case MDB_VERSION_MISMATCH:
        return SEEN_EVERSION;
    case ENOMEM:
        return SEEN_ENOMEM;
    default:
        return SEEN_ERR;
    }
}

/**
 * store_fail(s, what, rc):
 * Log LMDB's ${rc} for ${what} (unless it is "not found", or a full map
 * or disk, which space.c says once) and return it as a SEEN code.
 */
int
store_fail(struct seen_store *s, const char *what, int rc)
{
    int code;

    if ((code = store_space_fail(s, rc)) != 0)
        return code;
    if ((code = mdb_to_seen(rc)) != SEEN_ENOTFOUND)
        seen_error("store '%s': %s: %s", s->dir, what, mdb_strerror(rc));
    return code;
}

/* The file must hold every page that its meta page says is in use. */
static int
store_check_size(struct seen_store *s)
{
    char path[4096];
    MDB_envinfo info;
    MDB_stat st;
    struct stat sb;

    snprintf(path, sizeof path, "%s/data.mdb", s->dir);
    if (stat(path, &sb) != 0) {
        seen_errorp("store '%s'", path);
        return SEEN_EIO;
    }
    if (mdb_env_info(s->env, &info) || mdb_env_stat(s->env, &st))
        return SEEN_ERR;
    if ((uint64_t)sb.st_size <
        ((uint64_t)info.me_last_pgno + 1) * st.ms_psize) {
        seen_error("store '%s' is truncated: %llu bytes, needs %llu; restore "
                  "it from a backup",
            path, (unsigned long long)sb.st_size,
            ((unsigned long long)info.me_last_pgno + 1) * st.ms_psize);
        return SEEN_ECORRUPT;
    }
    return SEEN_OK;
}

/* Write a new store's format, node id and key check in ${txn}. */
static int
store_init_meta(struct seen_store *s, MDB_txn *txn, const uint8_t node_id[32])
{
    uint8_t sealed[sizeof CHECK_PLAIN + SEEN_SEAL_OVERHEAD];
    uint8_t fmt[4];
    MDB_val k, v;
    int rc;

    seen_be32(fmt, SEEN_STORE_FORMAT);
    if (seen_seal(sealed, (const uint8_t *)CHECK_PLAIN, sizeof CHECK_PLAIN,
            (const uint8_t *)CHECK_AD, strlen(CHECK_AD), s->keys) != 0)
        return SEEN_ERR;
    k = (MDB_val){strlen(META_FORMAT), (char *)META_FORMAT};
    v = (MDB_val){4, fmt};
    if ((rc = mdb_put(txn, s->dbi[SEEN_DB_META], &k, &v, 0)) != 0)
        return store_fail(s, "init", rc);
    k = (MDB_val){strlen(META_NODE), (char *)META_NODE};
    v = (MDB_val){32, (void *)node_id};
    if ((rc = mdb_put(txn, s->dbi[SEEN_DB_META], &k, &v, 0)) != 0)
        return store_fail(s, "init", rc);
    k = (MDB_val){strlen(META_CHECK), (char *)META_CHECK};
    v = (MDB_val){sizeof sealed, sealed};
    if ((rc = mdb_put(txn, s->dbi[SEEN_DB_META], &k, &v, 0)) != 0)
        return store_fail(s, "init", rc);
    return SEEN_OK;
}

/* Check the store's format (writing it to *${format}), node id and key
 * check: 0, or the code seen_store_open returns for each (logged). */
static int
store_check_meta(struct seen_store *s, MDB_txn *txn,
    const uint8_t node_id[32], uint32_t *format)
{
    uint8_t plain[sizeof CHECK_PLAIN];
    MDB_val k, v;
    int rc;

    k = (MDB_val){strlen(META_FORMAT), (char *)META_FORMAT};
    if ((rc = mdb_get(txn, s->dbi[SEEN_DB_META], &k, &v)) != 0) {
        seen_error("store '%s' is empty or not initialised (its data file "
                  "was truncated or replaced?); restore it from a backup",
            s->dir);
        return SEEN_ECORRUPT;
    }
    *format = v.mv_size == 4 ? seen_rd32(v.mv_data) : 0;
    if (*format < SEEN_STORE_FORMAT_OLDEST || *format > SEEN_STORE_FORMAT) {
        seen_error("store '%s' has format %u; this build reads formats %d "
                   "to %d",
            s->dir, *format, SEEN_STORE_FORMAT_OLDEST, SEEN_STORE_FORMAT);
        return SEEN_EVERSION;
    }
    k = (MDB_val){strlen(META_NODE), (char *)META_NODE};
    if ((rc = mdb_get(txn, s->dbi[SEEN_DB_META], &k, &v)) != 0 ||
        v.mv_size != 32) {
        seen_error("store '%s' has no node id", s->dir);
        return SEEN_ECORRUPT;
    }
    if (sodium_memcmp(v.mv_data, node_id, 32) != 0) {
        seen_error("store '%s' belongs to another node", s->dir);
        return SEEN_EWRONGNODE;
    }
    k = (MDB_val){strlen(META_CHECK), (char *)META_CHECK};
    if ((rc = mdb_get(txn, s->dbi[SEEN_DB_META], &k, &v)) != 0 ||
        v.mv_size != sizeof plain + SEEN_SEAL_OVERHEAD) {
        seen_error("store '%s' has no key check", s->dir);
        return SEEN_ECORRUPT;
    }
    if (seen_unseal(plain, v.mv_data, v.mv_size, (const uint8_t *)CHECK_AD,
            strlen(CHECK_AD), s->keys) != 0) {
        seen_error("store '%s' is not sealed under this node's data key",
            s->dir);
        return SEEN_EAUTH;
    }
    return SEEN_OK;
}

/*
 * LMDB trusts its pages: a damaged branch page can make it read wild
 * memory.  Before the store is used, a child process opens it and walks
 * the first and last keys of every database (and, when ${deep}, every
 * page); if the child dies of a signal, the file is damaged, which is
 * reported instead of crashing the caller later.
 */
static void
probe_fault(int sig)
{

    (void)sig;
    _exit(3);
}

/* The probe above: 0, or SEEN_ECORRUPT (logged) when reading ${dir}
 * crashes or fails. */
static int
store_probe(const char *dir, size_t map_mb, int deep)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_cursor *c;
    MDB_val k, v;
    MDB_stat st;
    pid_t pid;
    int i, status, rc;

    fflush(NULL);
    if ((pid = fork()) < 0)
        return SEEN_OK; /* cannot probe: go on without */
    if (pid == 0) {
        /* A fault is the probe's verdict, whatever handler a sanitizer
         * or valgrind would have put there. */
        struct sigaction sa;

        memset(&sa, 0, sizeof sa);
        sa.sa_handler = probe_fault;
        sigaction(SIGSEGV, &sa, NULL);
        sigaction(SIGBUS, &sa, NULL);
        sigaction(SIGILL, &sa, NULL);
        sigaction(SIGFPE, &sa, NULL);
        if (mdb_env_create(&env) || mdb_env_set_maxdbs(env, SEEN_DB_COUNT + 4) ||
            mdb_env_set_mapsize(env, map_mb << 20) ||
            mdb_env_open(env, dir, MDB_NOTLS | MDB_RDONLY, 0600) ||
            mdb_txn_begin(env, NULL, MDB_RDONLY, &txn))
            _exit(0); /* the parent reports open errors itself */
        for (i = 0; i < SEEN_DB_COUNT; i++) {
            if (mdb_dbi_open(txn, db_names[i], 0, &dbi) != 0)
                continue;
            if (mdb_stat(txn, dbi, &st) != 0 ||
                mdb_cursor_open(txn, dbi, &c) != 0)
                _exit(3);
            rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
            while (deep && rc == 0)
                rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
            if (rc != 0 && rc != MDB_NOTFOUND)
                _exit(3);
            if (!deep && (rc = mdb_cursor_get(c, &k, &v, MDB_LAST)) != 0 &&
                rc != MDB_NOTFOUND)
                _exit(3);
            mdb_cursor_close(c);
        }
        /* Release the reader slot: a slot left behind would pin this
         * snapshot and stop the parent from ever reusing a freed page. */
        mdb_txn_abort(txn);
        mdb_env_close(env);
        _exit(0);
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return SEEN_OK;
    /* Only a crash or the probe's own verdict (3) count: a tool such as
     * valgrind may make the child exit with a code of its own. */
    if (WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == 3)) {
        seen_error("store '%s' is damaged: reading it %s; restore it from a "
                  "backup",
            dir, WIFSIGNALED(status) ? "crashes" : "fails");
        return SEEN_ECORRUPT;
    }
    return SEEN_OK;
}

/* 1 when ${dir}/${name} exists. */
static int
file_exists(const char *dir, const char *name)
{
    char path[4096];
    struct stat sb;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &sb) == 0;
}

/**
 * store_put_format(t):
 * Write SEEN_STORE_FORMAT to META in the write transaction ${t}.
 * Returns 0, SEEN_EFULL, SEEN_ERR.
 */
int
store_put_format(struct seen_txn *t)
{
    uint8_t fmt[4];

    seen_be32(fmt, SEEN_STORE_FORMAT);
    return seen_store_put(t, SEEN_DB_META, META_FORMAT, strlen(META_FORMAT),
        fmt, sizeof fmt);
}

/**
 * seen_store_open(dir, node_id, record_key, map_mb, create, out):
 * Open the store in directory ${dir}, which belongs to the node whose
 * Ed25519 public key is ${node_id}, with a map of ${map_mb} MiB.  With
 * ${create} a new store is made (${dir} must hold none); without it the
 * store must exist and be initialised, so that a data file truncated to
 * nothing or replaced is reported rather than silently started afresh.
 * ${record_key} must open the store's key check.
 * Returns 0 and a new store in *${out}; SEEN_ENOTFOUND when there is no
 * store and ${create} is 0; SEEN_EEXIST when ${create} and one exists;
 * SEEN_ECORRUPT when the file is not an LMDB file, is truncated, damaged
 * or empty; SEEN_EVERSION for another store format; SEEN_EWRONGNODE when
 * the store belongs to another node; SEEN_EAUTH when ${record_key} does
 * not open it; SEEN_EIO; SEEN_ENOMEM.  Each error is logged with the
 * path.  ${record_key} is copied into locked memory and wiped on close.
 */
int
seen_store_open(const char *dir, const uint8_t node_id[32],
    const uint8_t record_key[32], size_t map_mb, int create,
    struct seen_store **out)
{
    struct seen_store *s;
    MDB_txn *txn;
    unsigned int flags;
    uint32_t format;
    int rc, i, exists;

    *out = NULL;
    exists = file_exists(dir, "data.mdb");
    if (!create && !exists) {
        seen_error("no store at '%s'", dir);
        return SEEN_ENOTFOUND;
    }
    if (create && exists) {
        seen_error("a store already exists at '%s'", dir);
        return SEEN_EEXIST;
    }
    if (create && mkdir(dir, 0700) != 0 && errno != EEXIST) {
        seen_errorp("cannot create '%s'", dir);
        return SEEN_EIO;
    }
    if ((s = calloc(1, sizeof *s)) == NULL)
        return SEEN_ENOMEM;
    if ((s->dir = strdup(dir)) == NULL ||
        (s->keys = sodium_malloc(64)) == NULL) {
        rc = SEEN_ENOMEM;
        goto err1;
    }
    memcpy(s->keys, record_key, 32);
    crypto_generichash(s->keys + 32, 32, (const uint8_t *)"seen-record-id",
        14, record_key, 32);
    if ((rc = mdb_env_create(&s->env)) != 0) {
        rc = store_fail(s, "create", rc);
        goto err1;
    }
    if ((rc = mdb_env_set_maxdbs(s->env, SEEN_DB_COUNT + 4)) != 0 ||
        (rc = mdb_env_set_mapsize(s->env, map_mb << 20)) != 0 ||
        (rc = mdb_env_set_maxreaders(s->env, 126)) != 0) {
        rc = store_fail(s, "configure", rc);
        goto err2;
    }
    /* NOTLS: readers belong to transactions, not to threads. */
    if ((rc = mdb_env_open(s->env, dir, MDB_NOTLS, 0600)) != 0) {
        if (rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH)
            seen_error("store '%s' is not a Seen store or is damaged: %s",
                dir, mdb_strerror(rc));
        else
            seen_error("cannot open store '%s': %s", dir, mdb_strerror(rc));
        /* EINVAL: the meta pages hold a nonsensical page or map size. */
        rc = (rc == ENOENT || rc == EACCES) ? SEEN_EIO
             : rc == EINVAL                 ? SEEN_ECORRUPT
                                            : mdb_to_seen(rc);
        if (rc == SEEN_ERR)
            rc = SEEN_EIO;
        goto err2;
    }
    if (!create && ((rc = store_check_size(s)) != 0 ||
                       (rc = store_probe(dir, map_mb, 0)) != 0))
        goto err2;
    /* Free the reader slots of processes that died holding one (a killed
     * daemon or probe): a stale slot pins old pages for ever. */
    mdb_reader_check(s->env, &i);
    if ((rc = mdb_txn_begin(s->env, NULL, 0, &txn)) != 0) {
        rc = store_fail(s, "begin", rc);
        goto err2;
    }
    for (i = 0; i < SEEN_DB_COUNT; i++) {
        flags = MDB_CREATE | (store_is_dupfixed(i) ? MDB_DUPSORT | MDB_DUPFIXED : 0);
        if ((rc = mdb_dbi_open(txn, db_names[i], flags, &s->dbi[i])) != 0) {
            rc = store_fail(s, db_names[i], rc);
            goto err3;
        }
    }
    format = SEEN_STORE_FORMAT;
    rc = create ? store_init_meta(s, txn, node_id)
                : store_check_meta(s, txn, node_id, &format);
    if (rc != 0)
        goto err3;
    if ((rc = mdb_txn_commit(txn)) != 0) {
        rc = store_fail(s, "commit", rc);
        goto err2;
    }
    store_space_init(s);
    if (format < SEEN_STORE_FORMAT && (rc = store_migrate(s, format)) != 0)
        goto err2;
    *out = s;
    return SEEN_OK;

err3:
    mdb_txn_abort(txn);
err2:
    mdb_env_close(s->env);
err1:
    sodium_free(s->keys);
    free(s->dir);
    free(s);
    return rc;
}

/* Open every table of ${s} (read-only: they must all exist) and check
 * its format; for seen_store_open_readonly. */
static int
open_tables_ro(struct seen_store *s)
{
    MDB_txn *txn;
    MDB_val k = {strlen(META_FORMAT), (char *)META_FORMAT}, v;
    int i, rc;

    if ((rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn)) != 0)
        return store_fail(s, "begin", rc);
    for (i = 0; i < SEEN_DB_COUNT; i++)
        if ((rc = mdb_dbi_open(txn, db_names[i], 0, &s->dbi[i])) != 0) {
            seen_error("store '%s' has no table %s: start the node on it "
                       "once (it is brought up to date), then try again",
                s->dir, db_names[i]);
            mdb_txn_abort(txn);
            return rc == MDB_NOTFOUND ? SEEN_EVERSION : SEEN_ECORRUPT;
        }
    rc = mdb_get(txn, s->dbi[SEEN_DB_META], &k, &v);
    if (rc != 0 || v.mv_size != 4) {
        seen_error("store '%s' is empty or not initialised", s->dir);
        rc = SEEN_ECORRUPT;
    } else if (seen_rd32(v.mv_data) != SEEN_STORE_FORMAT) {
        seen_error("store '%s' has format %u; this build reads format %d "
                   "without keys: start the node on it once",
            s->dir, (unsigned)seen_rd32(v.mv_data), SEEN_STORE_FORMAT);
        rc = SEEN_EVERSION;
    }
    if (rc != 0) {
        mdb_txn_abort(txn);
        return rc;
    }
    /* Committed, not aborted: the tables' handles outlive it. */
    return mdb_txn_commit(txn) == 0 ? SEEN_OK : SEEN_ERR;
}

/**
 * seen_store_open_readonly(dir, out):
 * Open a stopped node's store to read, with no key; see store.h.
 */
int
seen_store_open_readonly(const char *dir, struct seen_store **out)
{
    struct seen_store *s;
    int rc;

    *out = NULL;
    if (!file_exists(dir, "data.mdb")) {
        seen_error("no store at '%s'", dir);
        return SEEN_ENOTFOUND;
    }
    if ((s = calloc(1, sizeof *s)) == NULL)
        return SEEN_ENOMEM;
    s->keyless = 1;
    if ((s->dir = strdup(dir)) == NULL ||
        (s->keys = sodium_malloc(64)) == NULL) {
        rc = SEEN_ENOMEM;
        goto fail;
    }
    randombytes_buf(s->keys, 64); /* opens nothing that was sealed */
    if ((rc = mdb_env_create(&s->env)) != 0 ||
        (rc = mdb_env_set_maxdbs(s->env, SEEN_DB_COUNT + 4)) != 0 ||
        (rc = mdb_env_open(s->env, dir, MDB_RDONLY | MDB_NOLOCK | MDB_NOTLS,
             0600)) != 0) {
        seen_error("cannot open store '%s' to read: %s", dir,
            mdb_strerror(rc));
        rc = rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH || rc == EINVAL
                 ? SEEN_ECORRUPT
                 : SEEN_EIO;
        goto fail;
    }
    if ((rc = store_check_size(s)) != 0 || (rc = store_probe(dir, 0, 0)) != 0 ||
        (rc = open_tables_ro(s)) != 0)
        goto fail;
    store_space_init(s);
    *out = s;
    return SEEN_OK;
fail:
    seen_store_destroy(&s);
    return rc;
}

/**
 * seen_store_destroy(&store):
 * Close ${store}; no transaction may be open.  Sets the caller's pointer to
 * NULL; NULL or a pointer to NULL is a no-op, so it is safe twice.
 */
void
seen_store_destroy(struct seen_store **pp)
{
    struct seen_store *store;

    if (pp == NULL || (store = *pp) == NULL)
        return;
    *pp = NULL;
    mdb_env_close(store->env);
    sodium_free(store->keys);
    free(store->dir);
    free(store);
}

/**
 * seen_store_node_id(txn, pk):
 * Write the Ed25519 key of the node the store belongs to (as made by
 * seen_store_open with create) to ${pk}.
 * Returns 0; SEEN_ECORRUPT when the store names none; SEEN_ERR.
 */
int
seen_store_node_id(struct seen_txn *txn, uint8_t pk[static 32])
{
    const void *v = NULL;
    size_t vlen = 0;
    int rc;

    rc = seen_store_get(txn, SEEN_DB_META, META_NODE, strlen(META_NODE), &v,
        &vlen);
    if (rc == SEEN_ENOTFOUND || (rc == 0 && vlen != 32))
        return SEEN_ECORRUPT;
    if (rc != 0)
        return rc;
    memcpy(pk, v, 32);
    return SEEN_OK;
}

/**
 * seen_store_epoch(txn, epoch):
 * Write the match-key epoch the node's own entries were last made under
 * (see seen_store_set_epoch) to *${epoch}.
 * Returns 0; SEEN_ENOTFOUND when none was recorded; SEEN_ECORRUPT.
 */
int
seen_store_epoch(struct seen_txn *txn, uint32_t *epoch)
{
    const void *v = NULL;
    size_t vlen = 0;
    int rc;

    if ((rc = seen_store_get(txn, SEEN_DB_META, META_EPOCH,
             strlen(META_EPOCH), &v, &vlen)) != 0)
        return rc;
    if (vlen != 4)
        return SEEN_ECORRUPT;
    *epoch = seen_rd32(v);
    return SEEN_OK;
}

/**
 * seen_store_set_epoch(txn, epoch):
 * Record, inside the write transaction ${txn}, that the node's own entries
 * are made under the match-key epoch ${epoch}.
 * Returns 0; SEEN_EFULL; SEEN_ERR.
 */
int
seen_store_set_epoch(struct seen_txn *txn, uint32_t epoch)
{
    uint8_t e[4];

    seen_be32(e, epoch);
    return seen_store_put(txn, SEEN_DB_META, META_EPOCH, strlen(META_EPOCH),
        e, sizeof e);
}

/**
 * seen_store_path(store):
 * Return the store's directory (borrowed for the store's lifetime).
 */
const char *
seen_store_path(const struct seen_store *store)
{

    return store->dir;
}

/**
 * seen_store_begin(store, write, out):
 * Begin a transaction (a write transaction when ${write}).  Only one write
 * transaction may be open at a time.  Returns 0, SEEN_ECORRUPT, SEEN_ERR.
 */
int
seen_store_begin(struct seen_store *store, int write, struct seen_txn **out)
{
    struct seen_txn *t;
    int rc;

    *out = NULL;
    if ((t = store_txn_new(store)) == NULL)
        return SEEN_ENOMEM;
    /* The map grows here when it may, with no transaction open. */
    store_space_begin(store);
    rc = mdb_txn_begin(store->env, NULL, write ? 0 : MDB_RDONLY, &t->txn);
    if (rc == MDB_MAP_RESIZED && store_space_adopt(store) == 0)
        rc = mdb_txn_begin(store->env, NULL, write ? 0 : MDB_RDONLY, &t->txn);
    if (rc != 0) {
        free(t);
        store_space_end(store, 0);
        return store_fail(store, "begin", rc);
    }
    t->top = 1;
    t->write = write != 0;
    *out = t;
    return SEEN_OK;
}

/**
 * seen_store_begin_nested(parent, out):
 * Begin a transaction nested in write transaction ${parent}: its writes
 * join the parent when it commits and vanish when it aborts, so that one
 * message of a batch can fail without undoing the others.  The parent
 * must not be used until the child ends.  Returns 0 or SEEN_ERR.
 */
int
seen_store_begin_nested(struct seen_txn *parent, struct seen_txn **out)
{
    struct seen_txn *t;
    int rc;

    *out = NULL;
    if ((rc = store_defer_sync(parent, SEEN_DB_COUNT)) != 0)
        return rc;
    if ((t = store_txn_new(parent->store)) == NULL)
        return SEEN_ENOMEM;
    if ((rc = mdb_txn_begin(parent->store->env, parent->txn, 0,
             &t->txn)) != 0) {
        free(t);
        return store_fail(parent->store, "begin nested", rc);
    }
    t->write = 1;
    *out = t;
    return SEEN_OK;
}

/**
 * seen_store_commit(txn):
 * Commit and free ${txn}.  Returns 0; SEEN_EFULL when the map is full
 * (nothing was written); SEEN_EIO.  ${txn} is freed in every case.
 */
int
seen_store_commit(struct seen_txn *txn)
{
    struct seen_store *store = txn->store;
    int rc, top = txn->top, write = txn->write;

    if ((rc = store_defer_sync(txn, SEEN_DB_COUNT)) != 0) {
        seen_store_abort(txn);
        return rc;
    }
    rc = mdb_txn_commit(txn->txn);
    if (rc != 0)
        rc = store_fail(store, "commit", rc);
    if (rc == SEEN_ERR)
        rc = SEEN_EIO;
    store_txn_free(txn);
    if (top)
        store_space_end(store, write && rc == 0);
    if (top && write && rc == 0 && !store->settling) {
        store->settling = 1;
        store_index_settle(store);
        store->settling = 0;
    }
    return rc;
}

/**
 * seen_store_abort(txn):
 * Abandon and free ${txn}.  NULL is a no-op.
 */
void
seen_store_abort(struct seen_txn *txn)
{

    struct seen_store *store;
    int top;

    if (txn == NULL)
        return;
    store = txn->store;
    top = txn->top;
    mdb_txn_abort(txn->txn);
    store_txn_free(txn);
    if (top)
        store_space_end(store, 0);
}

/**
 * seen_store_put(txn, db, key, klen, val, vlen):
 * Store ${val} under ${key} in ${db}, replacing (or, for SEEN_DB_INDEX,
 * adding a duplicate).  Returns 0, SEEN_EFULL, SEEN_ERR.
 */
int
seen_store_put(struct seen_txn *txn, enum seen_db db, const void *key,
    size_t klen, const void *val, size_t vlen)
{
    MDB_val k = {klen, (void *)key}, v = {vlen, (void *)val};
    struct defer *d = store_defer_of(txn, db);
    uint8_t *p;
    int rc;

    if ((rc = store_space_refuse(txn, db)) != 0)
        return rc;
    txn->store->sp.wrote = 1;
    if (d != NULL && klen == store_defer_klen(d) && store_defer_var(d) &&
        vlen <= DEFER_VALUE_MAX) {
        if ((rc = store_defer_reserve(txn, d, key, vlen, &p)) == 0 &&
            vlen > 0)
            memcpy(p, val, vlen);
        return rc;
    }
    if (d != NULL && klen == store_defer_klen(d) && !store_defer_var(d) &&
        vlen == store_defer_vlen(d))
        return store_defer_hold(txn, d, key, val);
    if (d != NULL && (rc = store_defer_flush(txn, d)) != 0)
        return rc;
    if ((rc = mdb_put(txn->txn, txn->store->dbi[db], &k, &v, 0)) != 0 &&
        rc != MDB_KEYEXIST)
        return store_fail(txn->store, db_names[db], rc);
    return SEEN_OK;
}

/**
 * seen_store_get(txn, db, key, klen, val, vlen):
 * Look up ${key}; on success *${val} is borrowed.  Returns 0,
 * SEEN_ENOTFOUND, SEEN_ECORRUPT.
 */
int
seen_store_get(struct seen_txn *txn, enum seen_db db, const void *key,
    size_t klen, const void **val, size_t *vlen)
{
    MDB_val k = {klen, (void *)key}, v;
    int rc;

    if ((rc = store_defer_sync(txn, db)) != 0)
        return rc;
    txn->reads.gets++;
    if ((rc = mdb_get(txn->txn, txn->store->dbi[db], &k, &v)) != 0)
        return store_fail(txn->store, db_names[db], rc);
    *val = v.mv_data;
    *vlen = v.mv_size;
    return SEEN_OK;
}

/**
 * seen_store_del(txn, db, key, klen, val, vlen):
 * Delete ${key} (with ${val} == NULL: every value under it; otherwise the
 * one duplicate).  Returns 0, SEEN_ENOTFOUND, SEEN_ERR.
 */
int
seen_store_del(struct seen_txn *txn, enum seen_db db, const void *key,
    size_t klen, const void *val, size_t vlen)
{
    MDB_val k = {klen, (void *)key}, v = {vlen, (void *)val};
    int rc;

    if ((rc = store_defer_sync(txn, db)) != 0)
        return rc;
    txn->store->sp.wrote = 1;
    if ((rc = mdb_del(txn->txn, txn->store->dbi[db], &k,
             val ? &v : NULL)) != 0)
        return store_fail(txn->store, db_names[db], rc);
    return SEEN_OK;
}

/**
 * seen_store_clear(txn, db):
 * Delete every key of ${db} (a store of an older format rebuilds a table:
 * storage/migrate.c), with what was held back for it.  Returns 0,
 * SEEN_ERR.
 */
int
seen_store_clear(struct seen_txn *txn, enum seen_db db)
{
    struct defer *d = store_defer_of(txn, db);
    int rc;

    if (d != NULL)
        d->n = d->used = 0;
    txn->store->sp.wrote = 1;
    if ((rc = mdb_drop(txn->txn, txn->store->dbi[db], 0)) != 0)
        return store_fail(txn->store, db_names[db], rc);
    return SEEN_OK;
}

/*
 * Call ${fn} as seen_store_iter does for the keys of ${db} from the first
 * at or after the ${flen} bytes ${from} (from the start when ${flen} is
 * 0), passing over a key equal to ${from} when ${after}, while keys start
 * with the first ${plen} bytes of ${from}.
 */
static int
store_walk(struct seen_txn *txn, enum seen_db db, const void *from,
    size_t flen, int after, size_t plen, seen_store_iter_fn *fn, void *ctx)
{
    MDB_cursor *c;
    MDB_val k = {flen, (void *)from}, v;
    int rc, r;

    if ((rc = store_cursor(txn, db, &c)) != 0)
        return rc;
    rc = mdb_cursor_get(c, &k, &v, flen ? MDB_SET_RANGE : MDB_FIRST);
    if (rc == 0 && after && flen && k.mv_size == flen &&
        memcmp(k.mv_data, from, flen) == 0) {
        txn->reads.steps++;
        rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
    }
    while (rc == 0) {
        if (plen && (k.mv_size < plen || memcmp(k.mv_data, from, plen)))
            break;
        if ((r = fn(ctx, k.mv_data, k.mv_size, v.mv_data, v.mv_size)) != 0) {
            mdb_cursor_close(c);
            return r > 0 ? SEEN_OK : r;
        }
        txn->reads.steps++;
        rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(c);
    if (rc != 0 && rc != MDB_NOTFOUND)
        return store_fail(txn->store, db_names[db], rc);
    return SEEN_OK;
}

/**
 * seen_store_iter(txn, db, prefix, plen, fn, ctx):
 * Returns 0 when done or stopped; ${fn}'s negative code; SEEN_ECORRUPT.
 */
int
seen_store_iter(struct seen_txn *txn, enum seen_db db, const void *prefix,
    size_t plen, seen_store_iter_fn *fn, void *ctx)
{

    return store_walk(txn, db, prefix, plen, 0, plen, fn, ctx);
}

/**
 * seen_store_iter_after(txn, db, after, alen, fn, ctx):
 * As seen_store_iter over the whole of ${db}, starting with the first key
 * strictly greater than ${after} (from the start when ${alen} is 0): for
 * paging through a database across transactions.
 */
int
seen_store_iter_after(struct seen_txn *txn, enum seen_db db,
    const void *after, size_t alen, seen_store_iter_fn *fn, void *ctx)
{

    return store_walk(txn, db, after, alen, 1, 0, fn, ctx);
}

/**
 * seen_store_count(txn, db, out):
 * Write the number of items in ${db} to *${out}.  Returns 0 or SEEN_ERR.
 */
int
seen_store_count(struct seen_txn *txn, enum seen_db db, uint64_t *out)
{
    MDB_stat st;
    int rc;

    if ((rc = store_defer_sync(txn, db)) != 0)
        return rc;
    if ((rc = mdb_stat(txn->txn, txn->store->dbi[db], &st)) != 0)
        return store_fail(txn->store, db_names[db], rc);
    *out = st.ms_entries;
    return SEEN_OK;
}

/* The count of seen_store_count_prefix, and its bound. */
struct upto {
    uint64_t n, max;
};

/* Count one key, up to the bound (a seen_store_iter_fn). */
static int
count_upto(void *ctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{
    struct upto *u = ctx;

    (void)key;
    (void)klen;
    (void)val;
    (void)vlen;
    return ++u->n >= u->max ? 1 : 0;
}

/**
 * seen_store_count_prefix(txn, db, prefix, plen, max, out):
 * Write to *${out} the number of keys of ${db} that start with the
 * ${plen} bytes ${prefix}, counting no further than ${max}.  Returns 0;
 * SEEN_ECORRUPT; SEEN_ERR.
 */
int
seen_store_count_prefix(struct seen_txn *txn, enum seen_db db,
    const void *prefix, size_t plen, uint64_t max, uint64_t *out)
{
    struct upto u = {0, max};
    int rc;

    *out = 0;
    if (max > 0 &&
        (rc = seen_store_iter(txn, db, prefix, plen, count_upto, &u)) != 0)
        return rc;
    *out = u.n;
    return SEEN_OK;
}

/**
 * seen_store_reads(txn, out):
 * Write to *${out} the LMDB reads ${txn} has made so far through this
 * file's functions: lookups, cursor seeks and cursor steps (a nested
 * transaction counts its own).  Counting costs one increment a read.
 */
void
seen_store_reads(const struct seen_txn *txn, struct seen_store_reads *out)
{

    *out = txn->reads;
}

/**
 * seen_store_sealed_put(txn, db, key, klen, ad, adlen, val, vlen):
 * As seen_store_put, sealing ${val} under the record key with ${ad} as
 * associated data.  Returns 0, SEEN_EFULL, SEEN_ENOMEM, SEEN_ERR.
 */
int
seen_store_sealed_put(struct seen_txn *txn, enum seen_db db, const void *key,
    size_t klen, const void *ad, size_t adlen, const void *val, size_t vlen)
{
    MDB_val k = {klen, (void *)key}, v = {vlen + SEEN_SEAL_OVERHEAD, NULL};
    struct defer *d = store_defer_of(txn, db);
    uint8_t *p;
    int rc;

    if ((rc = store_space_refuse(txn, db)) != 0)
        return rc;
    txn->store->sp.wrote = 1;
    if (d != NULL && klen == store_defer_klen(d) && store_defer_var(d) &&
        vlen <= DEFER_VALUE_MAX - SEEN_SEAL_OVERHEAD) {
        if ((rc = store_defer_reserve(txn, d, key, v.mv_size, &p)) != 0)
            return rc;
        if (seen_seal(p, val, vlen, ad, adlen, txn->store->keys) != 0) {
            store_defer_unreserve(d);
            return SEEN_ERR;
        }
        return SEEN_OK;
    }
    if (d != NULL && (rc = store_defer_flush(txn, d)) != 0)
        return rc;
    /* Seal straight into the page LMDB reserves for the value. */
    if ((rc = mdb_put(txn->txn, txn->store->dbi[db], &k, &v,
             MDB_RESERVE)) != 0)
        return store_fail(txn->store, db_names[db], rc);
    if (seen_seal(v.mv_data, val, vlen, ad, adlen, txn->store->keys) != 0)
        return SEEN_ERR;
    return SEEN_OK;
}

/**
 * seen_store_sealed_get(txn, db, key, klen, ad, adlen, val, vlen):
 * Look up and open a value stored by seen_store_sealed_put.  On success
 * *${val} is a malloc'd buffer the caller frees (one spare NUL byte
 * follows the ${vlen} bytes).  Returns 0, SEEN_ENOTFOUND, SEEN_ECORRUPT
 * when the value does not open (tampered, or another key), SEEN_ENOMEM.
 */
int
seen_store_sealed_get(struct seen_txn *txn, enum seen_db db, const void *key,
    size_t klen, const void *ad, size_t adlen, uint8_t **val, size_t *vlen)
{
    const void *sv = NULL;
    size_t slen = 0; /* (set by seen_store_get; gcc -O3 cannot tell) */
    uint8_t *buf;
    int rc;

    *val = NULL;
    if ((rc = seen_store_get(txn, db, key, klen, &sv, &slen)) != 0)
        return rc;
    if (txn->store->keyless)
        return SEEN_EPERM; /* seen_store_open_readonly */
    if (slen < SEEN_SEAL_OVERHEAD) {
        seen_error("store '%s': %s: sealed value too short", txn->store->dir,
            db_names[db]);
        return SEEN_ECORRUPT;
    }
    if ((buf = malloc(slen - SEEN_SEAL_OVERHEAD + 1)) == NULL)
        return SEEN_ENOMEM;
    if (seen_unseal(buf, sv, slen, ad, adlen, txn->store->keys) != 0) {
        seen_error("store '%s': %s: a sealed value does not open "
                  "(damaged or tampered with)",
            txn->store->dir, db_names[db]);
        free(buf);
        return SEEN_ECORRUPT;
    }
    buf[slen - SEEN_SEAL_OVERHEAD] = '\0';
    *val = buf;
    *vlen = slen - SEEN_SEAL_OVERHEAD;
    return SEEN_OK;
}

/**
 * seen_store_id_key(store, id, len, out):
 * Write the 16-byte keyed hash under which record ${id} is stored, so
 * that no record id appears in the file.
 */
void
seen_store_id_key(const struct seen_store *store, const char *id, size_t len,
    uint8_t out[static 16])
{

    crypto_generichash(out, 16, (const uint8_t *)id, len, store->keys + 32,
        32);
}

/**
 * seen_store_origin(txn, pk, create, idx):
 * Map the feed origin ${pk} to its small local number in *${idx},
 * allocating the next one when ${create} (write transaction).  Returns 0,
 * SEEN_ENOTFOUND (absent and not created), SEEN_EFULL, SEEN_ERR.
 */
int
seen_store_origin(struct seen_txn *txn, const uint8_t pk[static 32],
    int create, uint32_t *idx)
{
    const void *v = NULL;
    size_t vlen = 0;
    uint8_t n[4];
    uint64_t count = 0;
    int rc;

    if ((rc = seen_store_get(txn, SEEN_DB_ORIGINS, pk, 32, &v, &vlen)) == 0) {
        if (vlen != 4)
            return SEEN_ECORRUPT;
        *idx = seen_rd32(v);
        return SEEN_OK;
    }
    if (rc != SEEN_ENOTFOUND || !create)
        return rc;
    /* Two keys per origin (pk -> idx, idx -> pk); numbers start at 1. */
    if ((rc = seen_store_count(txn, SEEN_DB_ORIGINS, &count)) != 0)
        return rc;
    *idx = (uint32_t)(count / 2) + 1;
    seen_be32(n, *idx);
    if ((rc = seen_store_put(txn, SEEN_DB_ORIGINS, pk, 32, n, 4)) != 0 ||
        (rc = seen_store_put(txn, SEEN_DB_ORIGINS, n, 4, pk, 32)) != 0)
        return rc;
    return SEEN_OK;
}

/**
 * seen_store_origin_pk(txn, idx, pk):
 * Write the origin public key numbered ${idx} to ${pk}.  Returns 0 or
 * SEEN_ENOTFOUND.
 */
int
seen_store_origin_pk(struct seen_txn *txn, uint32_t idx,
    uint8_t pk[static 32])
{
    const void *v = NULL;
    size_t vlen = 0;
    uint8_t n[4];
    int rc;

    seen_be32(n, idx);
    if ((rc = seen_store_get(txn, SEEN_DB_ORIGINS, n, 4, &v, &vlen)) != 0)
        return rc;
    if (vlen != 32)
        return SEEN_ECORRUPT;
    memcpy(pk, v, 32);
    return SEEN_OK;
}

struct check_ctx {
    struct seen_txn *txn;
    enum seen_db db;
    uint64_t n;
    int bad;
};

/* Count one item and, in a sealed database, check that it opens (a
 * seen_store_iter_fn for seen_store_check). */
static int
check_one(void *vctx, const void *key, size_t klen, const void *val,
    size_t vlen)
{
    struct check_ctx *c = vctx;
    uint8_t *buf;

    c->n++;
    if (c->db != SEEN_DB_RECORDS && c->db != SEEN_DB_HANDLES)
        return 0;
    if (vlen < SEEN_SEAL_OVERHEAD) {
        c->bad = 1;
        return 1;
    }
    if ((buf = malloc(vlen)) == NULL)
        return SEEN_ENOMEM;
    if (c->db == SEEN_DB_HANDLES) {
        /* A handle's map is sealed with the handle, its key, as AD. */
        if (seen_unseal(buf, val, vlen, key, klen, c->txn->store->keys) != 0)
            c->bad = 1;
    } else {
        /* A record is sealed with its id as AD, which its key (a hash)
         * cannot give back: touch every byte, so that a page past the
         * end of the file is found.  The records are opened through
         * their handles when `seen check` walks them. */
        memcpy(buf, val, vlen);
    }
    sodium_memzero(buf, vlen);
    free(buf);
    return c->bad ? 1 : 0;
}

/**
 * seen_store_check(store):
 * Walk every database and every page it reaches, and check that each
 * sealed value opens.  Returns 0, or SEEN_ECORRUPT (logged with the
 * database's name).  Reads the whole file: for start-up checks and
 * `seen check`, not the hot path.
 */
int
seen_store_check(struct seen_store *store)
{
    struct check_ctx c;
    struct seen_txn *txn;
    uint64_t count = 0;
    int rc, i;

    if ((rc = store_check_size(store)) != 0)
        return rc;
    if ((rc = seen_store_begin(store, 0, &txn)) != 0)
        return rc;
    for (i = 0; i < SEEN_DB_COUNT; i++) {
        c = (struct check_ctx){txn, i, 0, 0};
        if ((rc = seen_store_iter(txn, i, NULL, 0, check_one, &c)) != 0 ||
            (rc = seen_store_count(txn, i, &count)) != 0)
            goto fail;
        if (c.bad) {
            seen_error("store '%s': %s: a sealed value does not open "
                      "(damaged or tampered with)",
                store->dir, db_names[i]);
            rc = SEEN_ECORRUPT;
            goto fail;
        }
        if (c.n != count) {
            seen_error("store '%s': %s: %llu items found, %llu recorded",
                store->dir, db_names[i], (unsigned long long)c.n,
                (unsigned long long)count);
            rc = SEEN_ECORRUPT;
            goto fail;
        }
    }
    seen_store_abort(txn);
    return SEEN_OK;
fail:
    seen_store_abort(txn);
    return rc == SEEN_ERR ? SEEN_ECORRUPT : rc;
}
