/*
 * seen init: create a node home.
 */
#include <errno.h>
#include <getopt.h>
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
#include "tools/cli.h"

static const char init_usage[] =
    "usage: seen --home DIR init --name NAME --type TYPE\n"
    "                --local-authority LA [--agency TEXT]\n"
    "                [--kdf moderate|interactive] [--map-size-mb N]\n"
    "\n"
    "Create a node home in DIR (which must not exist, or be empty): a new\n"
    "identity sealed in DIR/keystore under a passphrase (asked twice on the\n"
    "terminal, or read from $SEEN_PASSPHRASE_FILE), an empty store, and\n"
    "DIR/seen.conf.  NAME is 1-63 of a-z, 0-9 and '-'; TYPE is one of\n"
    "social_care, police, health, school, probation, youth_justice, other.\n"
    "--kdf interactive makes unlocking cheaper (for labs and tests only).\n";

static int
dir_empty_or_absent(const char *dir)
{
    struct stat sb;

    if (stat(dir, &sb) != 0)
        return errno == ENOENT;
    return S_ISDIR(sb.st_mode) && rmdir(dir) == 0;
}

int
cmd_init(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"name", required_argument, NULL, 'n'},
        {"type", required_argument, NULL, 't'},
        {"local-authority", required_argument, NULL, 'l'},
        {"agency", required_argument, NULL, 'a'},
        {"kdf", required_argument, NULL, 'k'},
        {"map-size-mb", required_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct seen_config cfg;
    struct seen_keys *keys = NULL;
    struct seen_store *store = NULL;
    enum seen_pwstrength kdf = SEEN_PW_MODERATE;
    char path[SEEN_PATH_LEN], *pass = NULL, pkhex[65];
    size_t passlen;
    long mb;
    int c, rc, ret = 1;

    seen_config_defaults(&cfg);
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (!seen_node_name_valid(optarg))
                return cli_usage(cli, init_usage,
                    "--name: 1-63 of a-z, 0-9 and '-'");
            snprintf(cfg.name, sizeof cfg.name, "%s", optarg);
            break;
        case 't':
            if (!seen_agency_type_valid(optarg))
                return cli_usage(cli, init_usage, "--type: unknown type");
            snprintf(cfg.type, sizeof cfg.type, "%s", optarg);
            break;
        case 'l':
            if (optarg[0] == '\0' || strlen(optarg) >= sizeof cfg.local_authority ||
                strchr(optarg, '\n'))
                return cli_usage(cli, init_usage, "--local-authority: bad");
            snprintf(cfg.local_authority, sizeof cfg.local_authority, "%s",
                optarg);
            break;
        case 'a':
            if (strlen(optarg) >= sizeof cfg.agency || strchr(optarg, '\n'))
                return cli_usage(cli, init_usage, "--agency: too long");
            snprintf(cfg.agency, sizeof cfg.agency, "%s", optarg);
            break;
        case 'k':
            if (strcmp(optarg, "moderate") == 0)
                kdf = SEEN_PW_MODERATE;
            else if (strcmp(optarg, "interactive") == 0)
                kdf = SEEN_PW_INTERACTIVE;
            else
                return cli_usage(cli, init_usage, "--kdf: moderate or "
                                                  "interactive");
            break;
        case 'm':
            mb = strtol(optarg, NULL, 10);
            if (mb < 16 || mb > (1L << 24))
                return cli_usage(cli, init_usage, "--map-size-mb: 16 or more");
            cfg.map_size_mb = (size_t)mb;
            break;
        case 'h':
            fputs(init_usage, stdout);
            return 0;
        default:
            return cli_usage(cli, init_usage, NULL);
        }
    }
    if (optind != argc)
        return cli_usage(cli, init_usage, "unexpected argument");
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

    if (seen_passphrase_get("New keystore passphrase: ", 1, &pass,
            &passlen) != 0) {
        cli_fail(cli, "no passphrase");
        goto fail;
    }
    if ((keys = seen_keys_generate()) == NULL) {
        cli_fail(cli, "cannot generate keys");
        goto fail;
    }
    if (seen_home_path(cli->home, "keystore", path, sizeof path) == NULL ||
        seen_keystore_write(path, keys, pass, passlen, kdf) != 0) {
        cli_fail(cli, "cannot write the keystore");
        goto fail;
    }
    if (seen_home_path(cli->home, "store", path, sizeof path) == NULL ||
        seen_store_open(path, keys->sign_pk, keys->record_key,
            cfg.map_size_mb, 1, &store) != 0) {
        cli_fail(cli, "cannot create the store");
        goto fail;
    }
    {
        struct seen_txn *txn;

        /* The first operator, who can register the others. */
        if (seen_store_begin(store, 1, &txn) != 0 ||
            seen_operator_bootstrap(txn, (uint64_t)time(NULL)) < 0 ||
            seen_store_commit(txn) != 0) {
            seen_store_destroy(&store);
            cli_fail(cli, "cannot register the first operator");
            goto fail;
        }
    }
    seen_store_destroy(&store);
    if (seen_config_save(cli->home, &cfg) != 0) {
        cli_fail(cli, "cannot write seen.conf");
        goto fail;
    }
    sodium_bin2hex(pkhex, sizeof pkhex, keys->sign_pk, 32);
    printf("Initialised node '%s' (%s, %s) in %s\nNode id: %s\n"
           "Start it with: seen --home %s node start\n",
        cfg.name, cfg.type, cfg.local_authority, cli->home, pkhex,
        cli->home);
    ret = 0;
    goto done;
fail:
    /* Leave nothing half-made behind. */
    if (seen_home_path(cli->home, "store/data.mdb", path, sizeof path))
        unlink(path);
    if (seen_home_path(cli->home, "store/lock.mdb", path, sizeof path))
        unlink(path);
    if (seen_home_path(cli->home, "store", path, sizeof path))
        rmdir(path);
    if (seen_home_path(cli->home, "keystore", path, sizeof path))
        unlink(path);
    rmdir(cli->home);
done:
    seen_passphrase_destroy(&pass);
    seen_keys_destroy(&keys);
    return ret;
}
