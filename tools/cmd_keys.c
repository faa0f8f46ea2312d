/*
 * seen keys passphrase: seal the keystore under a new passphrase;
 * seen keys transport: a new CurveZMQ key pair for the node, which the
 * federation authority then publishes (docs/operations.md, "Rotate the
 * node's keys").
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/file.h"
#include "common/home.h"
#include "common/passphrase.h"
#include "crypto/keys.h"
#include "crypto/keystore.h"
#include "storage/unlock.h"
#include "tools/cli.h"

static const char keys_usage[] =
    "usage: seen --home DIR keys passphrase [--kdf moderate|interactive]\n"
    "       seen --home DIR keys transport [--kdf moderate|interactive]\n"
    "\n"
    "passphrase  seal the keystore under a new passphrase, read from\n"
    "            $SEEN_NEW_PASSPHRASE_FILE or asked twice on the terminal\n"
    "            (the current one: $SEEN_PASSPHRASE_FILE or the terminal).\n"
    "            The running node is not affected; it needs the new one at\n"
    "            its next start (under the packaged service: the root-only\n"
    "            file its LoadCredential= names).\n"
    "transport   a new Curve25519 key pair for CurveZMQ, for a stopped node:\n"
    "            the keystore is sealed again and DIR/identity.json written\n"
    "            with the new curve_pk, for the authority ('seen federation\n"
    "            add AUTHDIR --identity FILE' updates the member, then\n"
    "            'seen federation sign').  Until the document that names the\n"
    "            new key reaches its peers, they refuse the node.\n"
    "\n"
    "The node's signing key is its identity (its feeds, its exchange log)\n"
    "and is not rotated in place: docs/operations.md says what to do when\n"
    "it is compromised.  --kdf sets the new sealing's Argon2id cost\n"
    "(moderate, the default; interactive for labs and tests).\n";

/* The new passphrase: $SEEN_NEW_PASSPHRASE_FILE's first line, else asked
 * twice on the terminal. */
static int
new_passphrase(char **pass, size_t *len)
{
    const char *file = getenv("SEEN_NEW_PASSPHRASE_FILE");
    char *old;
    int fd, rc;

    if (file != NULL) {
        if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0)
            return SEEN_EIO;
        return seen_passphrase_from_fd(fd, pass, len);
    }
    /* From the terminal, not from the current passphrase's file. */
    old = getenv("SEEN_PASSPHRASE_FILE") != NULL
              ? strdup(getenv("SEEN_PASSPHRASE_FILE"))
              : NULL;
    unsetenv("SEEN_PASSPHRASE_FILE");
    rc = seen_passphrase_get("New keystore passphrase: ", 1, pass, len);
    if (old != NULL) {
        setenv("SEEN_PASSPHRASE_FILE", old, 1);
        free(old);
    }
    return rc;
}

/* Seal ${u}'s keys under ${pass} (${passlen} bytes) at ${kdf} into
 * DIR/keystore, atomically. */
static int
reseal(struct cli *cli, struct seen_unlock *u, const char *pass,
    size_t passlen, enum seen_pwstrength kdf)
{
    char path[SEEN_PATH_LEN];

    if (seen_home_path(cli->home, "keystore", path, sizeof path) == NULL ||
        seen_keystore_write(path, u->keys, pass, passlen, kdf) != 0)
        return cli_fail(cli, "cannot write '%s/keystore'", cli->home);
    return 0;
}

static int
keys_passphrase(struct cli *cli, struct seen_unlock *u,
    enum seen_pwstrength kdf)
{
    char *pass = NULL;
    size_t len;
    int ret;

    if (new_passphrase(&pass, &len) != 0)
        return cli_fail(cli, "no new passphrase (empty, not confirmed, or "
                             "$SEEN_NEW_PASSPHRASE_FILE unreadable)");
    ret = reseal(cli, u, pass, len, kdf);
    seen_passphrase_destroy(&pass);
    if (ret == 0)
        printf("The keystore of '%s' is sealed under the new passphrase: "
               "give it to the node at its next start\n",
            u->cfg.name);
    return ret;
}

static int
keys_transport(struct cli *cli, struct seen_unlock *u, const char *pass,
    size_t passlen, enum seen_pwstrength kdf)
{
    char hex[65];
    long pid;
    int ret;

    if (seen_home_running(cli->home, &pid))
        return cli_fail(cli, "the node on '%s' runs (pid %ld): stop it first",
            cli->home, pid);
    crypto_box_keypair(u->keys->curve_pk, u->keys->curve_sk);
    if ((ret = reseal(cli, u, pass, passlen, kdf)) != 0)
        return ret;
    sodium_bin2hex(hex, sizeof hex, u->keys->curve_pk, 32);
    printf("New transport key of '%s': curve_pk %s\n", u->cfg.name, hex);
    /* identity.json, as 'seen identity' writes it. */
    if (cli_identity_write(cli, u, 0) != 0)
        return 1;
    printf("Next: the authority runs 'seen federation add AUTHDIR "
           "--identity %s/identity.json' and 'seen federation sign', and "
           "installs the document at a running member and here; then start "
           "the node.\n",
        cli->home);
    return 0;
}

int
cmd_keys(struct cli *cli, int argc, char **argv)
{
    const char *kdfs = NULL;
    const struct cli_opt opts[] = {{"kdf", &kdfs, NULL}, {NULL, NULL, NULL}};
    struct seen_unlock_opts uo = {NULL, 0, 0, NULL, NULL};
    char *pass = NULL;
    size_t passlen;
    enum seen_pwstrength kdf = SEEN_PW_MODERATE;
    char why[SEEN_PATH_LEN + 64];
    struct seen_unlock u;
    const char *what;
    int rc;

    if ((rc = cli_getopt(cli, argc, argv, keys_usage, opts)) != CLI_CONTINUE)
        return rc;
    if (argc - optind != 1)
        return cli_usage(cli, keys_usage, "passphrase or transport?");
    what = argv[optind];
    if (strcmp(what, "passphrase") != 0 && strcmp(what, "transport") != 0)
        return cli_usage(cli, keys_usage, "passphrase or transport?");
    if ((rc = cli_kdf(cli, keys_usage, kdfs, &kdf)) != 0)
        return rc;
    if ((rc = cli_need_home(cli)) != 0)
        return rc;
    if (seen_passphrase_get("Keystore passphrase: ", 0, &pass, &passlen) != 0)
        return cli_fail(cli, "no passphrase");
    uo.pass = pass;
    uo.passlen = passlen;
    if (seen_unlock_home(cli->home, &uo, &u, why, sizeof why) != 0) {
        seen_passphrase_destroy(&pass);
        return why[0] != '\0' ? cli_fail(cli, "%s", why) : 1;
    }
    rc = strcmp(what, "passphrase") == 0
             ? keys_passphrase(cli, &u, kdf)
             : keys_transport(cli, &u, pass, passlen, kdf);
    seen_passphrase_destroy(&pass);
    seen_unlock_release(&u);
    return rc;
}
