/*
 * backup.c: a consistent copy of a node home (backup.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <lmdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/bytes.h"
#include "common/file.h"
#include "common/hex.h"
#include "common/home.h"
#include "common/log.h"
#include "common/version.h"
#include "storage/backup.h"
#include "storage/store_impl.h"

/* The largest keystore or seen.conf copied: both are a few KiB. */
#define SMALL_FILE_MAX (1 << 20)

/* The SEEN_E* code for errno ${e} of a write. */
static int
write_errno(int e)
{
    return e == ENOSPC || e == EDQUOT ? SEEN_EFULL : SEEN_EIO;
}

/* Copy the file ${home}/${name} of at most ${max} bytes to
 * ${dir}/${name}, mode 0600.  SEEN_ENOTFOUND when there is none. */
static int
copy_small(const char *home, const char *dir, const char *name, size_t max,
    char *why, size_t whylen)
{
    char src[SEEN_PATH_LEN], dst[SEEN_PATH_LEN];
    uint8_t *buf;
    size_t len;
    int rc;

    if (seen_home_path(home, name, src, sizeof src) == NULL ||
        seen_home_path(dir, name, dst, sizeof dst) == NULL) {
        snprintf(why, whylen, "a path is too long");
        return SEEN_EIO;
    }
    if ((rc = seen_file_read(src, max, &buf, &len)) != 0) {
        snprintf(why, whylen, "cannot read '%s': %s", src, strerror(errno));
        return rc == SEEN_ENOTFOUND ? SEEN_ENOTFOUND : SEEN_EIO;
    }
    rc = seen_file_write_atomic(dst, buf, len, 0600, SEEN_FILE_EXCL);
    free(buf);
    if (rc != 0) {
        snprintf(why, whylen, "cannot write '%s': %s", dst, strerror(errno));
        return write_errno(errno);
    }
    return SEEN_OK;
}

/* Read the META value ${key} of ${txn} (database "meta") into ${v}. */
static int
meta_get(MDB_txn *txn, MDB_dbi dbi, const char *key, MDB_val *v)
{
    MDB_val k = {strlen(key), (char *)key};

    return mdb_get(txn, dbi, &k, v);
}

/* Read the node id and format of the open environment ${env}. */
static int
env_node(MDB_env *env, uint8_t node_id[32], uint32_t *format)
{
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_val v;
    int rc = SEEN_ECORRUPT;

    if (mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) != 0)
        return SEEN_EIO;
    if (mdb_dbi_open(txn, "meta", 0, &dbi) == 0 &&
        meta_get(txn, dbi, "node", &v) == 0 && v.mv_size == 32) {
        memcpy(node_id, v.mv_data, 32);
        if (meta_get(txn, dbi, "format", &v) == 0 && v.mv_size == 4) {
            *format = seen_rd32(v.mv_data);
            rc = SEEN_OK;
        }
    }
    mdb_txn_abort(txn);
    return rc;
}

/* Open the store in ${dir} read-only, without its lock file (the node is
 * stopped), into *${env}. */
static int
env_open_ro(const char *dir, MDB_env **env)
{
    char path[SEEN_PATH_LEN];
    struct stat sb;
    int rc;

    *env = NULL;
    if (seen_home_path(dir, "data.mdb", path, sizeof path) == NULL)
        return SEEN_EIO;
    if (stat(path, &sb) != 0)
        return errno == ENOENT ? SEEN_ENOTFOUND : SEEN_EIO;
    if (mdb_env_create(env) != 0)
        return SEEN_EIO;
    if ((rc = mdb_env_set_maxdbs(*env, SEEN_DB_COUNT + 4)) != 0 ||
        (rc = mdb_env_open(*env, dir, MDB_RDONLY | MDB_NOLOCK | MDB_NOTLS,
             0600)) != 0) {
        mdb_env_close(*env);
        *env = NULL;
        return rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH ||
                       rc == EINVAL
                   ? SEEN_ECORRUPT
                   : SEEN_EIO;
    }
    return SEEN_OK;
}

/**
 * seen_backup_store_node(dir, node_id, format):
 * Read, without any key, the node id and format a store in ${dir} says
 * it has (its meta table), opening it read-only.  The node owning ${dir}
 * must be stopped.
 * Returns 0; SEEN_ENOTFOUND when ${dir} holds no store; SEEN_ECORRUPT
 * when it is not a Seen store; SEEN_EIO.
 */
int
seen_backup_store_node(const char *dir, uint8_t node_id[32], uint32_t *format)
{
    MDB_env *env;
    int rc;

    if ((rc = env_open_ro(dir, &env)) != 0)
        return rc;
    rc = env_node(env, node_id, format);
    mdb_env_close(env);
    return rc;
}

/* Write the manifest of ${b} to ${dir}/backup.json. */
static int
write_manifest(const char *dir, const struct seen_backup_info *b, char *why,
    size_t whylen)
{
    char path[SEEN_PATH_LEN], text[512], hex[65];
    int n;

    seen_hex_encode(hex, b->node_id, 32);
    n = snprintf(text, sizeof text,
        "{\"seen_backup\":1,\"node\":\"%s\",\"node_id\":\"%s\","
        "\"taken\":%llu,\"version\":\"%s\",\"store_format\":%u,"
        "\"online\":%s}\n",
        b->node, hex, (unsigned long long)b->taken, SEEN_VERSION,
        (unsigned)b->store_format, b->online ? "true" : "false");
    if (n < 0 || (size_t)n >= sizeof text ||
        seen_home_path(dir, SEEN_BACKUP_MANIFEST, path, sizeof path) == NULL) {
        snprintf(why, whylen, "the manifest does not fit");
        return SEEN_EIO;
    }
    if (seen_file_write_atomic(path, text, (size_t)n, 0600, SEEN_FILE_EXCL)) {
        snprintf(why, whylen, "cannot write '%s': %s", path, strerror(errno));
        return write_errno(errno);
    }
    return SEEN_OK;
}

/* fsync the file or folder ${path}. */
static int
sync_path(const char *path)
{
    int fd, rc;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}

/* Copy the store of ${env} into the new folder ${dir}/store, compacted,
 * and make it durable. */
static int
copy_store(MDB_env *env, const char *dir, char *why, size_t whylen)
{
    char sdir[SEEN_PATH_LEN], data[SEEN_PATH_LEN];
    int rc;

    if (seen_home_path(dir, "store", sdir, sizeof sdir) == NULL ||
        seen_home_path(sdir, "data.mdb", data, sizeof data) == NULL) {
        snprintf(why, whylen, "a path is too long");
        return SEEN_EIO;
    }
    if (mkdir(sdir, 0700) != 0) {
        snprintf(why, whylen, "cannot create '%s': %s", sdir,
            strerror(errno));
        return write_errno(errno);
    }
    if ((rc = mdb_env_copy2(env, sdir, MDB_CP_COMPACT)) != 0) {
        snprintf(why, whylen, "cannot copy the store to '%s': %s", sdir,
            mdb_strerror(rc));
        return write_errno(rc);
    }
    if (chmod(data, 0600) != 0 || sync_path(data) != 0 ||
        sync_path(sdir) != 0) {
        snprintf(why, whylen, "cannot make '%s' durable: %s", data,
            strerror(errno));
        return write_errno(errno);
    }
    return SEEN_OK;
}

/*
 * Fill the folder ${part}: the small files, the store read from ${env},
 * the manifest of ${b} (its node id and format read from ${env}).
 */
static int
fill(const char *home, MDB_env *env, const char *part,
    struct seen_backup_info *b, char *why, size_t whylen)
{
    int rc;

    if ((rc = env_node(env, b->node_id, &b->store_format)) != 0) {
        snprintf(why, whylen, "the store of '%s' has no node id: is it a "
                              "Seen store?", home);
        return rc;
    }
    b->taken = (uint64_t)time(NULL);
    if ((rc = copy_small(home, part, "keystore", SMALL_FILE_MAX, why,
             whylen)) != 0 ||
        (rc = copy_small(home, part, "seen.conf", SMALL_FILE_MAX, why,
             whylen)) != 0 ||
        (rc = copy_store(env, part, why, whylen)) != 0)
        return rc;
    /* After the store: what the service answers meanwhile is in it. */
    rc = copy_small(home, part, SEEN_BACKUP_JOURNAL, SEEN_BACKUP_JOURNAL_MAX,
        why, whylen);
    if (rc == SEEN_ENOTFOUND)
        why[0] = '\0';
    else if (rc != 0)
        return rc;
    return write_manifest(part, b, why, whylen);
}

/**
 * seen_backup_make(home, name, store, dest, out, why, whylen):
 * Back up the node home ${home}, whose node is called ${name}, to the
 * new folder ${dest}.  Returns 0 or a SEEN_E* code with ${why}; see
 * backup.h.
 */
int
seen_backup_make(const char *home, const char *name, struct seen_store *store,
    const char *dest, struct seen_backup_info *out, char *why, size_t whylen)
{
    struct seen_backup_info b;
    char part[SEEN_PATH_LEN], sdir[SEEN_PATH_LEN];
    MDB_env *env = NULL;
    struct stat sb;
    int n, rc;

    why[0] = '\0';
    memset(&b, 0, sizeof b);
    snprintf(b.node, sizeof b.node, "%s", name);
    b.online = store != NULL;
    n = snprintf(part, sizeof part, "%s.partial", dest);
    if (n < 0 || (size_t)n >= sizeof part) {
        snprintf(why, whylen, "the path '%s' is too long", dest);
        return SEEN_EIO;
    }
    if (stat(dest, &sb) == 0 || stat(part, &sb) == 0) {
        snprintf(why, whylen, "'%s' exists: back up to a new folder",
            stat(dest, &sb) == 0 ? dest : part);
        return SEEN_EEXIST;
    }
    if (store == NULL) {
        if (seen_home_path(home, "store", sdir, sizeof sdir) == NULL)
            return SEEN_EIO;
        if ((rc = env_open_ro(sdir, &env)) != 0) {
            snprintf(why, whylen, rc == SEEN_ENOTFOUND
                                      ? "'%s' holds no store"
                                      : "cannot open the store '%s'",
                sdir);
            return rc;
        }
    }
    if (mkdir(part, 0700) != 0) {
        snprintf(why, whylen, "cannot create '%s': %s", part, strerror(errno));
        rc = write_errno(errno);
        goto done;
    }
    rc = fill(home, store != NULL ? store->env : env, part, &b, why, whylen);
    if (rc == 0 && (sync_path(part) != 0 || rename(part, dest) != 0)) {
        snprintf(why, whylen, "cannot rename '%s' to '%s': %s", part, dest,
            strerror(errno));
        rc = SEEN_EIO;
    }
    if (rc != 0) {
        if (seen_file_remove_tree(part) != 0)
            seen_warn("cannot remove '%s': %s", part, strerror(errno));
        goto done;
    }
    if (seen_home_path(dest, "..", sdir, sizeof sdir) != NULL)
        (void)sync_path(sdir);
    if (out != NULL)
        *out = b;
done:
    if (env != NULL)
        mdb_env_close(env);
    return rc;
}
