/*
 * seen init: create a node home.
 */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdlib.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/home.h"
#include "common/passphrase.h"
#include "crypto/keys.h"
#include "crypto/keystore.h"
#include "storage/operators.h"
#include "storage/store.h"
#include "xlog/xlog.h"
#include "tools/cli.h"

static const char init_usage[] =
    "usage: seen --home DIR init --name NAME --type TYPE\n"
    "                --local-authority LA [--agency TEXT]\n"
    "                [--kdf moderate|interactive] [--map-size-mb N]\n"
    "                [--user UNIXUSER]\n"
    "\n"
    "Create a node home in DIR (which must not exist, or be empty): a new\n"
    "identity sealed in DIR/keystore under a passphrase (asked twice on the\n"
    "terminal, or read from $SEEN_PASSPHRASE_FILE), an empty store, and\n"
    "DIR/seen.conf.  NAME is 1-63 of a-z, 0-9 and '-'; TYPE is one of\n"
    "social_care, police, health, school, probation, youth_justice, other.\n"
    "--kdf interactive makes unlocking cheaper (for labs and tests only).\n"
    "--user binds the first operator, admin, to the Unix user UNIXUSER and\n"
    "so turns on peer mode: every control request is checked against the\n"
    "Unix user that sends it (docs/operations.md, \"Operators who are\n"
    "people\").  Without it, operators are claimed (--as), as in a lab.\n";

/* The uid of the Unix user ${user} in *${uid}: 0, or says why and 2. */
static int
unix_uid(const struct cli *cli, const char *user, uint32_t *uid)
{
    struct passwd pw, *res = NULL;
    char buf[2048];

    if (!seen_unix_user_valid(user))
        return cli_usage(cli, init_usage, "--user: not a Unix user name");
    if (getpwnam_r(user, &pw, buf, sizeof buf, &res) != 0 || res == NULL)
        return cli_usage(cli, init_usage, "--user: no such Unix user");
    *uid = (uint32_t)res->pw_uid;
    return 0;
}

static int
dir_empty_or_absent(const char *dir)
{
    struct stat sb;

    if (stat(dir, &sb) != 0)
        return errno == ENOENT;
    return S_ISDIR(sb.st_mode) && rmdir(dir) == 0;
}

/*
 * Check the options of `seen init` into ${cfg} and *${kdf}.  Returns 0, or
 * prints what is wrong and returns 2.
 */
static int
init_options(const struct cli *cli, const char *const v[6],
    struct seen_config *cfg, enum seen_pwstrength *kdf)
{
    const char *name = v[0], *type = v[1], *la = v[2], *agency = v[3];
    long mb;
    int rc;

    if (name != NULL && !seen_node_name_valid(name))
        return cli_usage(cli, init_usage, "--name: 1-63 of a-z, 0-9 and '-'");
    if (type != NULL && !seen_agency_type_valid(type))
        return cli_usage(cli, init_usage, "--type: unknown type");
    if (la != NULL && (la[0] == '\0' ||
                          strlen(la) >= sizeof cfg->local_authority ||
                          strchr(la, '\n')))
        return cli_usage(cli, init_usage, "--local-authority: bad");
    if (agency != NULL &&
        (strlen(agency) >= sizeof cfg->agency || strchr(agency, '\n')))
        return cli_usage(cli, init_usage, "--agency: too long");
    if ((rc = cli_kdf(cli, init_usage, v[4], kdf)) != 0)
        return rc;
    if (v[5] != NULL) {
        mb = strtol(v[5], NULL, 10);
        if (mb < 16 || mb > (1L << 24))
            return cli_usage(cli, init_usage, "--map-size-mb: 16 or more");
        cfg->map_size_mb = (size_t)mb;
        /* A start above the default limit is the limit too. */
        if (cfg->map_limit_mb < cfg->map_size_mb)
            cfg->map_limit_mb = cfg->map_size_mb;
    }
    snprintf(cfg->name, sizeof cfg->name, "%s", name ? name : "");
    snprintf(cfg->type, sizeof cfg->type, "%s", type ? type : "");
    snprintf(cfg->local_authority, sizeof cfg->local_authority, "%s",
        la ? la : "");
    snprintf(cfg->agency, sizeof cfg->agency, "%s", agency ? agency : "");
    return 0;
}

/*
 * Register the first operator, who can register the others: "admin",
 * bound to the Unix user ${user} (uid ${uid}) when ${user} is not NULL,
 * which turns peer mode on; that binding is logged as the exchange log's
 * first leaf (an OperatorRecord made by no operator: by `seen init`).
 * Returns 0 or -1.
 */
static int
first_operator(struct seen_store *store, const struct seen_keys *keys,
    const char *user, uint32_t uid)
{
    Seen__OperatorRecord r = SEEN__OPERATOR_RECORD__INIT;
    uint64_t now = (uint64_t)time(NULL);
    struct seen_txn *txn;
    int rc;

    if (seen_store_begin(store, 1, &txn) != 0)
        return -1;
    if (user == NULL)
        rc = seen_operator_bootstrap(txn, now) < 0 ? -1 : 0;
    else if ((rc = seen_operator_add_bound(txn, SEEN_OPERATOR_FIRST,
                  SEEN_OP_ADMIN, now, uid, user)) == 0) {
        r.operator_ = (char *)"";
        r.name = (char *)SEEN_OPERATOR_FIRST;
        r.change = SEEN__OPERATOR_CHANGE__OPERATOR_ADDED;
        r.role = (char *)seen_role_op_name(SEEN_OP_ADMIN);
        r.bound = 1;
        r.uid = uid;
        r.user = (char *)user;
        r.time = now;
        rc = seen_xlog_operator(txn, keys, &r, NULL);
    }
    if (rc != 0) {
        seen_store_abort(txn);
        return -1;
    }
    return seen_store_commit(txn) != 0 ? -1 : 0;
}

/*
 * Fill the new home ${cli}->home: keys sealed under a new passphrase, a
 * store with its first operator, and ${cfg} as seen.conf.  Returns 0, or
 * prints why not and returns 1, leaving in the home what it wrote.
 */
static int
make_home(const struct cli *cli, const struct seen_config *cfg,
    enum seen_pwstrength kdf, const char *user, uint32_t uid)
{
    struct seen_keys *keys = NULL;
    struct seen_store *store = NULL;
    char path[SEEN_PATH_LEN], *pass = NULL, pkhex[65];
    size_t passlen;
    int ret = 1;

    if (seen_passphrase_get("New keystore passphrase: ", 1, &pass,
            &passlen) != 0) {
        cli_fail(cli, "no passphrase");
        goto done;
    }
    if ((keys = seen_keys_generate()) == NULL) {
        cli_fail(cli, "cannot generate keys");
        goto done;
    }
    if (seen_home_path(cli->home, "keystore", path, sizeof path) == NULL ||
        seen_keystore_write(path, keys, pass, passlen, kdf) != 0) {
        cli_fail(cli, "cannot write the keystore");
        goto done;
    }
    if (seen_home_path(cli->home, "store", path, sizeof path) == NULL ||
        seen_store_open(path, keys->sign_pk, keys->record_key,
            cfg->map_size_mb, 1, &store) != 0) {
        cli_fail(cli, "cannot create the store");
        goto done;
    }
    if (first_operator(store, keys, user, uid) != 0) {
        cli_fail(cli, "cannot register the first operator");
        goto done;
    }
    seen_store_destroy(&store);
    if (seen_config_save(cli->home, cfg) != 0) {
        cli_fail(cli, "cannot write seen.conf");
        goto done;
    }
    sodium_bin2hex(pkhex, sizeof pkhex, keys->sign_pk, 32);
    printf("Initialised node '%s' (%s, %s) in %s\nNode id: %s\n"
           "Start it with: seen --home %s node start\n",
        cfg->name, cfg->type, cfg->local_authority, cli->home, pkhex,
        cli->home);
    ret = 0;
done:
    seen_store_destroy(&store);
    seen_passphrase_destroy(&pass);
    seen_keys_destroy(&keys);
    return ret;
}

int
cmd_init(struct cli *cli, int argc, char **argv)
{
    static const char *made[] = {"store/data.mdb", "store/lock.mdb"};
    const char *v[7] = {NULL};
    const struct cli_opt opts[] = {
        {"name", &v[0], NULL},
        {"type", &v[1], NULL},
        {"local-authority", &v[2], NULL},
        {"agency", &v[3], NULL},
        {"kdf", &v[4], NULL},
        {"map-size-mb", &v[5], NULL},
        {"user", &v[6], NULL},
        {NULL, NULL, NULL},
    };
    struct seen_config cfg;
    enum seen_pwstrength kdf = SEEN_PW_MODERATE;
    char path[SEEN_PATH_LEN];
    uint32_t uid = 0;
    size_t i;
    int rc;

    seen_config_defaults(&cfg);
    if ((rc = cli_getopt(cli, argc, argv, init_usage, opts)) != CLI_CONTINUE ||
        (rc = init_options(cli, v, &cfg, &kdf)) != 0)
        return rc;
    if (optind != argc)
        return cli_usage(cli, init_usage, "unexpected argument");
    if (v[6] != NULL && (rc = unix_uid(cli, v[6], &uid)) != 0)
        return rc;
    if ((rc = cli_need_home(cli)) != 0)
        return rc;
    if (cfg.name[0] == '\0' || cfg.type[0] == '\0' ||
        cfg.local_authority[0] == '\0')
        return cli_usage(cli, init_usage,
            "--name, --type and --local-authority are required");
    if (!dir_empty_or_absent(cli->home))
        return cli_fail(cli, "'%s' exists and is not empty", cli->home);
    if (mkdir(cli->home, 0700) != 0)
        return cli_fail(cli, "cannot create '%s': %s", cli->home,
            strerror(errno));
    if ((rc = make_home(cli, &cfg, kdf, v[6], uid)) == 0)
        return 0;
    /* Leave nothing half-made behind. */
    for (i = 0; i < sizeof made / sizeof made[0]; i++)
        if (seen_home_path(cli->home, made[i], path, sizeof path))
            unlink(path);
    if (seen_home_path(cli->home, "store", path, sizeof path))
        rmdir(path);
    if (seen_home_path(cli->home, "keystore", path, sizeof path))
        unlink(path);
    rmdir(cli->home);
    return rc;
}
