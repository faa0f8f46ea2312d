/*
 * seen identity: this node's public identity, for the federation
 * authority to enrol it (`seen federation add AUTHDIR --home DIR`).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/file.h"
#include "common/home.h"
#include "common/passphrase.h"
#include "crypto/keys.h"
#include "crypto/keystore.h"
#include "proto/membership.h"
#include "tools/cli.h"

static const char identity_usage[] =
    "usage: seen --home DIR identity [--json]\n"
    "\n"
    "Print this node's public identity -- name, agency, type, local\n"
    "authority, Ed25519 signing key (sign_pk), Curve25519 key (curve_pk)\n"
    "and endpoint (seen.conf's [network] listen) -- and write it to\n"
    "DIR/identity.json (mode 0644: public keys only), which the federation\n"
    "authority reads with 'seen federation add AUTHDIR --home DIR'.  The\n"
    "keys are read from the keystore, so its passphrase is needed (from\n"
    "$SEEN_PASSPHRASE_FILE or the terminal); the node may be running or\n"
    "stopped.  --json prints the same object on one line:\n"
    "{\"name\", \"agency\", \"type\", \"local_authority\", \"sign_pk\", "
    "\"curve_pk\", \"endpoint\"}.\n";

/* Return ${s} (malloc'd) with "\n" appended, freeing ${s}; NULL on error. */
static char *
append_newline(char *s)
{
    size_t n = strlen(s);
    char *t;

    if ((t = realloc(s, n + 2)) == NULL) {
        free(s);
        return NULL;
    }
    t[n] = '\n';
    t[n + 1] = '\0';
    return t;
}

int
cmd_identity(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct seen_config cfg;
    struct seen_keys *keys = NULL;
    char path[SEEN_PATH_LEN], *pass = NULL, *text = NULL;
    char signhex[65], curvehex[65];
    json_t *id = NULL;
    size_t passlen;
    int c, rc, json = 0, ret = 1;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'j':
            json = 1;
            break;
        case 'h':
            fputs(identity_usage, stdout);
            return 0;
        default:
            return cli_usage(cli, identity_usage, NULL);
        }
    }
    if (optind != argc)
        return cli_usage(cli, identity_usage, "unexpected argument");
    if ((rc = cli_need_home(cli)) != 0)
        return rc;
    if ((rc = seen_config_load(cli->home, &cfg)) != 0) {
        if (rc == SEEN_ENOTFOUND)
            return cli_fail(
                cli, "'%s' is not a node home (no seen.conf)", cli->home);
        return cli_fail(cli, "cannot read '%s/seen.conf'", cli->home);
    }
    if (seen_passphrase_get("Keystore passphrase: ", 0, &pass, &passlen) != 0)
        return cli_fail(cli, "no passphrase");
    if (seen_home_path(cli->home, "keystore", path, sizeof path) == NULL)
        goto done;
    if ((rc = seen_keystore_read(path, pass, passlen, &keys)) != 0) {
        if (rc == SEEN_EAUTH)
            cli_fail(cli, "wrong passphrase for '%s'", path);
        else
            cli_fail(cli, "cannot read the keystore '%s'", path);
        goto done;
    }
    sodium_bin2hex(signhex, sizeof signhex, keys->sign_pk, 32);
    sodium_bin2hex(curvehex, sizeof curvehex, keys->curve_pk, 32);
    id = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "name", cfg.name,
        "agency", cfg.agency, "type", cfg.type, "local_authority",
        cfg.local_authority, "sign_pk", signhex, "curve_pk", curvehex,
        "endpoint", cfg.listen);
    if (id == NULL ||
        (text = json_dumps(id, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) == NULL ||
        (text = append_newline(text)) == NULL) {
        cli_fail(cli, "cannot encode the identity (is seen.conf UTF-8?)");
        goto done;
    }
    if (seen_home_path(cli->home, "identity.json", path, sizeof path) == NULL ||
        seen_file_write_atomic(path, text, strlen(text), 0644, 0) != 0) {
        cli_fail(cli, "cannot write '%s/identity.json': %s", cli->home,
            strerror(errno));
        goto done;
    }
    if (json) {
        cli_print_json(id);
    } else {
        printf("name: %s\nagency: %s\ntype: %s\nlocal authority: %s\n"
               "sign_pk: %s\ncurve_pk: %s\nendpoint: %s\n",
            cfg.name, cfg.agency, cfg.type, cfg.local_authority, signhex,
            curvehex, cfg.listen);
        if (!seen_membership_endpoint_valid(cfg.listen))
            printf("(the endpoint has no fixed port: set [network] listen, "
                   "or give 'seen federation add --endpoint "
                   "tcp://HOST:PORT')\n");
        printf("Written to %s\n", path);
    }
    ret = 0;
done:
    free(text);
    json_decref(id);
    seen_keys_destroy(&keys);
    seen_passphrase_destroy(&pass);
    return ret;
}
