/*
 * seen backup DEST: a consistent copy of the node home (storage/backup.h),
 * through the running node or, stopped, read directly;
 * seen restore BACKUP: put a backup's store back in a stopped node's home
 * so that the node never signs a second history (docs/operations.md,
 * "Back up and restore").
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/file.h"
#include "common/hex.h"
#include "common/home.h"
#include "storage/backup.h"
#include "storage/store.h"
#include "tools/cli.h"
#include "xlog/signing.h"

static const char backup_usage[] =
    "usage: seen --home DIR [--as ADMIN] backup DEST\n"
    "\n"
    "Copy the node home to the new folder DEST: a compacted, consistent\n"
    "copy of the store, the keystore (still sealed under its passphrase),\n"
    "seen.conf, and DEST/backup.json saying what and when.  A running\n"
    "node makes the copy itself, as its own Unix user (DEST must be a\n"
    "folder it may create: under the packaged service, below\n"
    "/var/backups/seen), for an admin operator; it exchanges nothing while\n"
    "it copies.  A stopped node's home is read directly (no passphrase).\n";

static const char restore_usage[] =
    "usage: seen --home DIR restore BACKUP --reason TEXT\n"
    "\n"
    "Put the store of BACKUP (made by 'seen backup') back in DIR, whose\n"
    "node must be stopped.  The store it replaces is kept beside it\n"
    "(DIR/store.replaced-TIME).  A home without keystore or seen.conf (or\n"
    "no DIR at all: a new machine) gets the backup's.  At its next start\n"
    "the node signs no checkpoint of its exchange log until an admin\n"
    "resolves it ('seen node resolve', once its peers have shown it what\n"
    "they hold), and takes back from its peers the entries of its own\n"
    "feed published after the backup before it publishes anything\n"
    "(imports wait).  Then import again the records imported after the\n"
    "backup was taken: those unchanged take their entries back.\n";

/* The absolute path of ${path}, whose folder must exist, into ${out}. */
static int
absolute(const char *path, char *out, size_t len)
{
    char dir[PATH_MAX], real[PATH_MAX];
    const char *base, *slash = strrchr(path, '/');
    int n;

    if (slash == NULL) {
        snprintf(dir, sizeof dir, ".");
        base = path;
    } else {
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path + (slash == path)),
            path);
        base = slash + 1;
    }
    if (base[0] == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0 ||
        realpath(dir, real) == NULL)
        return -1;
    n = snprintf(out, len, "%s/%s", strcmp(real, "/") == 0 ? "" : real, base);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int
backup_running(struct cli *cli, const char *dest)
{
    json_t *resp = NULL;
    int rc;

    rc = cli_rpc(cli, json_pack("{s:s, s:s}", "cmd", "backup", "dest", dest),
        3600000, &resp);
    if (rc != 0)
        return 1;
    printf("Backed up the running node to %s\n", dest);
    json_decref(resp);
    return 0;
}

int
cmd_backup(struct cli *cli, int argc, char **argv)
{
    const struct cli_opt opts[] = {{NULL, NULL, NULL}};
    struct seen_config cfg;
    char dest[PATH_MAX], why[SEEN_PATH_LEN + 128];
    int rc;

    if ((rc = cli_getopt(cli, argc, argv, backup_usage, opts)) !=
        CLI_CONTINUE)
        return rc;
    if (argc - optind != 1)
        return cli_usage(cli, backup_usage,
            optind == argc ? "no folder to back up to"
                           : "unexpected argument");
    if ((rc = cli_need_home(cli)) != 0)
        return rc;
    if (absolute(argv[optind], dest, sizeof dest) != 0)
        return cli_fail(cli, "'%s': its folder does not exist", argv[optind]);
    if (seen_home_running(cli->home, NULL))
        return backup_running(cli, dest);
    if (seen_config_load(cli->home, &cfg) != 0)
        return cli_fail(cli, "'%s' is not a node home", cli->home);
    if (seen_backup_make(cli->home, cfg.name, NULL, dest, NULL, why,
            sizeof why) != 0)
        return cli_fail(cli, "%s", why);
    printf("Backed up the stopped node '%s' to %s\n", cfg.name, dest);
    return 0;
}

/* What a backup's manifest says, checked against its store. */
struct manifest {
    char node[64];
    uint8_t id[32];
    uint64_t taken;
};

static int
read_manifest(struct cli *cli, const char *bdir, struct manifest *m)
{
    char path[SEEN_PATH_LEN], sdir[SEEN_PATH_LEN];
    const char *node, *id;
    json_error_t err;
    json_int_t taken;
    uint8_t sid[32];
    uint32_t format;
    json_t *j;
    int v, rc;

    if (seen_home_path(bdir, SEEN_BACKUP_MANIFEST, path, sizeof path) == NULL)
        return 1;
    if ((j = json_load_file(path, 0, &err)) == NULL)
        return cli_fail(cli, "'%s' is not a backup: %s", bdir, err.text);
    rc = json_unpack(j, "{s:i, s:s, s:s, s:I}", "seen_backup", &v, "node",
             &node, "node_id", &id, "taken", &taken) != 0 ||
         v != 1 || strlen(node) >= sizeof m->node ||
         seen_hex_decode(m->id, 32, id) != 0;
    if (!rc) {
        snprintf(m->node, sizeof m->node, "%s", node);
        m->taken = (uint64_t)taken;
    }
    json_decref(j);
    if (rc)
        return cli_fail(cli, "'%s' is not a backup this version reads", path);
    if (seen_home_path(bdir, "store", sdir, sizeof sdir) == NULL)
        return 1;
    if ((rc = seen_backup_store_node(sdir, sid, &format)) != 0)
        return cli_fail(cli, "the store of the backup '%s' cannot be read: %s",
            bdir, seen_strerror(rc));
    if (memcmp(sid, m->id, 32) != 0)
        return cli_fail(cli, "the store of the backup '%s' is not the node's "
                             "its backup.json names",
            bdir);
    if (format > SEEN_STORE_FORMAT)
        return cli_fail(cli, "the backup '%s' has store format %u; this "
                             "version reads formats up to %d",
            bdir, (unsigned)format, SEEN_STORE_FORMAT);
    return 0;
}

/* Copy the file ${from} to ${to} (new, mode 0600), durably. */
static int
copy_file(const char *from, const char *to)
{
    char buf[1 << 16];
    ssize_t n = 0;
    int in, out, rc = -1;

    if ((in = open(from, O_RDONLY | O_CLOEXEC)) < 0)
        return -1;
    if ((out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
        close(in);
        return -1;
    }
    while ((n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)n) != n)
            break;
    if (n == 0 && fsync(out) == 0)
        rc = 0;
    close(in);
    if (close(out) != 0)
        rc = -1;
    return rc;
}

/* Give ${path} the owner of the home ${sb} (when run as root). */
static int
own(const char *path, const struct stat *sb)
{

    if (geteuid() != 0)
        return 0;
    return chown(path, sb->st_uid, sb->st_gid);
}

/* Give the home's files it lacks (keystore, seen.conf) from the backup. */
static int
fill_home(struct cli *cli, const char *bdir, const struct stat *hs,
    const struct manifest *m)
{
    static const char *files[] = {"keystore", "seen.conf"};
    char from[SEEN_PATH_LEN], to[SEEN_PATH_LEN];
    struct seen_config cfg;
    size_t i;

    for (i = 0; i < 2; i++) {
        if (seen_home_path(cli->home, files[i], to, sizeof to) == NULL)
            return 1;
        if (access(to, F_OK) == 0)
            continue;
        if (seen_home_path(bdir, files[i], from, sizeof from) == NULL)
            return 1;
        if (copy_file(from, to) != 0 || own(to, hs) != 0)
            return cli_fail(cli, "cannot copy '%s' to '%s': %s", from, to,
                strerror(errno));
        printf("%s: taken from the backup\n", to);
    }
    if (seen_config_load(cli->home, &cfg) != 0)
        return cli_fail(cli, "'%s/seen.conf' cannot be read", cli->home);
    if (strcmp(cfg.name, m->node) != 0)
        return cli_fail(cli, "the backup is of node '%s', this home of '%s'",
            m->node, cfg.name);
    return 0;
}

/* Write the mark the daemon takes in hand at start (common/home.h). */
static int
write_mark(struct cli *cli, const char *bdir, const struct manifest *m,
    const char *reason, const struct stat *hs)
{
    char path[SEEN_PATH_LEN], by[128], *text;
    struct passwd *pw;
    json_t *j;
    int rc;

    if (cli->op != NULL)
        snprintf(by, sizeof by, "%s", cli->op);
    else if ((pw = getpwuid(getuid())) != NULL)
        snprintf(by, sizeof by, "unix:%s", pw->pw_name);
    else
        snprintf(by, sizeof by, "uid:%ld", (long)getuid());
    j = json_pack("{s:s, s:s, s:I, s:I, s:s}", "by", by, "reason", reason,
        "at", (json_int_t)time(NULL), "taken", (json_int_t)m->taken, "backup",
        bdir);
    text = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (seen_home_path(cli->home, SEEN_HOME_RESTORE, path, sizeof path) == NULL) {
        free(text);
        return 1;
    }
    rc = text == NULL ||
         seen_file_write_atomic(path, text, strlen(text), 0600, 0) != 0 ||
         own(path, hs) != 0;
    free(text);
    return rc ? cli_fail(cli, "cannot write '%s': %s", path, strerror(errno))
              : 0;
}

/* The store of this home, if any, is the backup's node's. */
static int
same_node(struct cli *cli, const struct manifest *m)
{
    char sdir[SEEN_PATH_LEN];
    uint8_t id[32];
    uint32_t format;
    int rc;

    if (seen_home_path(cli->home, "store", sdir, sizeof sdir) == NULL)
        return 1;
    rc = seen_backup_store_node(sdir, id, &format);
    if (rc == SEEN_ENOTFOUND || rc == SEEN_ECORRUPT)
        return 0; /* nothing, or nothing readable: replaced */
    if (rc != 0)
        return cli_fail(cli, "cannot read '%s': %s", sdir, seen_strerror(rc));
    if (memcmp(id, m->id, 32) != 0)
        return cli_fail(cli, "the backup is of another node than the store "
                             "in '%s'",
            sdir);
    return 0;
}

/* Copy the backup's store into DIR/store.restoring and swap it in. */
static int
swap_store(struct cli *cli, const char *bdir, const struct stat *hs,
    const struct manifest *m, const char *reason)
{
    char tmp[SEEN_PATH_LEN], data[SEEN_PATH_LEN], from[SEEN_PATH_LEN],
        store[SEEN_PATH_LEN], old[SEEN_PATH_LEN], stamp[32];
    time_t now = time(NULL);
    struct stat sb;

    if (seen_home_path(cli->home, "store.restoring", tmp, sizeof tmp) == NULL ||
        seen_home_path(tmp, "data.mdb", data, sizeof data) == NULL ||
        seen_home_path(bdir, "store/data.mdb", from, sizeof from) == NULL ||
        seen_home_path(cli->home, "store", store, sizeof store) == NULL)
        return 1;
    if (stat(tmp, &sb) == 0 && seen_file_remove_tree(tmp) != 0)
        return cli_fail(cli, "cannot remove '%s' (a restore cut short)", tmp);
    if (mkdir(tmp, 0700) != 0 || own(tmp, hs) != 0 ||
        copy_file(from, data) != 0 || own(data, hs) != 0) {
        cli_fail(cli, "cannot copy '%s' to '%s': %s", from, data,
            strerror(errno));
        if (seen_file_remove_tree(tmp) != 0)
            fprintf(stderr, "seen: restore: remove '%s' by hand\n", tmp);
        return 1;
    }
    /* The mark before the swap: a restore cut short after it halts the
     * node needlessly (resolved by running this again), never the
     * reverse. */
    if (write_mark(cli, bdir, m, reason, hs) != 0)
        return 1;
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", gmtime(&now));
    if (seen_home_path(cli->home, "store.replaced-", old, sizeof old) == NULL ||
        strlen(old) + strlen(stamp) >= sizeof old)
        return 1;
    strcat(old, stamp);
    if (stat(store, &sb) == 0 && rename(store, old) != 0)
        return cli_fail(cli, "cannot move '%s' aside: %s", store,
            strerror(errno));
    if (rename(tmp, store) != 0)
        return cli_fail(cli, "cannot rename '%s' to '%s': %s", tmp, store,
            strerror(errno));
    if (stat(old, &sb) == 0)
        printf("The store it replaced: %s (remove it once the node runs)\n",
            old);
    return 0;
}

/*
 * The custodian journal of the store restored: the home's, which belongs
 * to the store replaced, moved aside (DIR/custodian.journal.replaced-
 * TIME), and the backup's put in its place when it has one.
 */
static int
swap_journal(struct cli *cli, const char *bdir, const struct stat *hs)
{
    char home_j[SEEN_PATH_LEN], old[SEEN_PATH_LEN], from[SEEN_PATH_LEN],
        stamp[32];
    time_t now = time(NULL);
    struct stat sb;

    if (seen_home_path(cli->home, SEEN_BACKUP_JOURNAL, home_j,
            sizeof home_j) == NULL ||
        seen_home_path(bdir, SEEN_BACKUP_JOURNAL, from, sizeof from) == NULL)
        return 1;
    if (stat(home_j, &sb) == 0) {
        strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", gmtime(&now));
        if ((size_t)snprintf(old, sizeof old, "%s.replaced-%s", home_j,
                stamp) >= sizeof old)
            return 1;
        if (rename(home_j, old) != 0)
            return cli_fail(cli, "cannot move '%s' aside: %s", home_j,
                strerror(errno));
        printf("The custodian journal it replaced: %s\n", old);
    }
    if (stat(from, &sb) != 0)
        return 0;
    if (copy_file(from, home_j) != 0 || own(home_j, hs) != 0)
        return cli_fail(cli, "cannot copy '%s' to '%s': %s", from, home_j,
            strerror(errno));
    return 0;
}

int
cmd_restore(struct cli *cli, int argc, char **argv)
{
    const char *reason = NULL;
    struct manifest m;
    struct stat hs;
    char bdir[PATH_MAX], when[32];
    time_t taken;
    const struct cli_opt opts[] = {
        {"reason", &reason, NULL}, {NULL, NULL, NULL}};
    long pid;
    int rc;

    if ((rc = cli_getopt(cli, argc, argv, restore_usage, opts)) !=
        CLI_CONTINUE)
        return rc;
    if (argc - optind != 1)
        return cli_usage(cli, restore_usage,
            optind == argc ? "no backup to restore" : "unexpected argument");
    if (reason == NULL || reason[0] == '\0' ||
        strlen(reason) > SEEN_XLOG_REASON_MAX)
        return cli_usage(cli, restore_usage,
            "say why: --reason TEXT (at most 1024 bytes)");
    if ((rc = cli_need_home(cli)) != 0)
        return rc;
    if (seen_home_running(cli->home, &pid))
        return cli_fail(cli, "the node on '%s' runs (pid %ld): stop it first",
            cli->home, pid);
    if (realpath(argv[optind], bdir) == NULL)
        return cli_fail(
            cli, "'%s': %s", argv[optind], strerror(errno));
    /* A new machine: the home is made, as `seen init` makes one. */
    if (stat(cli->home, &hs) != 0 && errno == ENOENT &&
        mkdir(cli->home, 0700) == 0)
        printf("%s: made, for the backup's node\n", cli->home);
    if (stat(cli->home, &hs) != 0 || !S_ISDIR(hs.st_mode))
        return cli_fail(cli, "'%s' is not a folder", cli->home);
    if (read_manifest(cli, bdir, &m) != 0 || same_node(cli, &m) != 0 ||
        fill_home(cli, bdir, &hs, &m) != 0 ||
        swap_store(cli, bdir, &hs, &m, reason) != 0 ||
        swap_journal(cli, bdir, &hs) != 0)
        return 1;
    taken = (time_t)m.taken;
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", gmtime(&taken));
    printf("Restored node '%s' from the backup taken %s.\n"
           "At its next start it takes back from its peers what it published "
           "since,\nand signs nothing until an admin resolves it: see "
           "docs/operations.md,\n\"Back up and restore\".  Then import again "
           "the records imported since %s.\n",
        m.node, when, when);
    return 0;
}
