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
#include "crypto/keys.h"
#include "crypto/note.h"
#include "proto/checkpoint.h"
#include "proto/membership.h"
#include "storage/unlock.h"
#include "tools/cli.h"
#include "xlog/witness.h"

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
    "stopped.  It also prints the node's C2SP note verifier keys, which an\n"
    "auditor hands to any C2SP-aware tool (Go's sumdb/note): xlog_vkey\n"
    "signs its exchange-log checkpoints, feed_vkey its feed's, witness_vkey\n"
    "its cosignatures of its peers' (docs/protocol.md, \"Checkpoints\").\n"
    "--json prints the same object on one line:\n"
    "{\"name\", \"agency\", \"type\", \"local_authority\", \"sign_pk\", "
    "\"curve_pk\", \"endpoint\", \"xlog_vkey\", \"feed_vkey\", "
    "\"witness_vkey\"}.\n";

/* Print ${id}, written to ${path}, as --json asks or for people. */
static void
print_identity(json_t *id, const struct seen_config *cfg, int json,
    const char *path)
{

    if (json) {
        cli_print_json(id);
        return;
    }
    printf("name: %s\nagency: %s\ntype: %s\nlocal authority: %s\n"
           "sign_pk: %s\ncurve_pk: %s\nendpoint: %s\n"
           "note verifier keys (C2SP signed notes):\n"
           "  exchange-log checkpoints: %s\n  feed checkpoints: %s\n"
           "  cosignatures: %s\n",
        cfg->name, cfg->agency, cfg->type, cfg->local_authority,
        json_string_value(json_object_get(id, "sign_pk")),
        json_string_value(json_object_get(id, "curve_pk")), cfg->listen,
        json_string_value(json_object_get(id, "xlog_vkey")),
        json_string_value(json_object_get(id, "feed_vkey")),
        json_string_value(json_object_get(id, "witness_vkey")));
    if (!seen_membership_endpoint_valid(cfg->listen))
        printf("(the endpoint has no fixed port: set [network] listen, "
               "or give 'seen federation add --endpoint "
               "tcp://HOST:PORT')\n");
    printf("Written to %s\n", path);
}

/**
 * cli_identity_write(cli, u, json):
 * Write the public identity of the unlocked node home ${u} to
 * ${cli}->home/identity.json and print it (as --json asks when ${json}).
 * Returns 0, or 1 having said why.
 */
int
cli_identity_write(struct cli *cli, const struct seen_unlock *u, int json)
{
    char path[SEEN_PATH_LEN], *text = NULL;
    char signhex[65], curvehex[65], xvk[SEEN_NOTE_VKEY_MAX];
    char fvk[SEEN_NOTE_VKEY_MAX], wvk[SEEN_NOTE_VKEY_MAX];
    struct seen_note_key wkey;
    json_t *id = NULL;
    int ret = 1;

    sodium_bin2hex(signhex, sizeof signhex, u->keys->sign_pk, 32);
    sodium_bin2hex(curvehex, sizeof curvehex, u->keys->curve_pk, 32);
    seen_xlog_witness_key(&wkey, u->keys->sign_pk);
    seen_note_vkey(&wkey, wvk);
    if (seen_checkpoint_vkey(
            xvk, SEEN_DOMAIN_XLOG_CHECKPOINT, u->keys->sign_pk) != 0 ||
        seen_checkpoint_vkey(
            fvk, SEEN_DOMAIN_FEED_CHECKPOINT, u->keys->sign_pk) != 0) {
        cli_fail(cli, "cannot name the note verifier keys");
        goto done;
    }
    id = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
        "name", u->cfg.name, "agency", u->cfg.agency, "type", u->cfg.type,
        "local_authority", u->cfg.local_authority, "sign_pk", signhex,
        "curve_pk", curvehex, "endpoint", u->cfg.listen, "xlog_vkey", xvk,
        "feed_vkey", fvk, "witness_vkey", wvk);
    if (id == NULL || (text = cli_json_text(id)) == NULL) {
        cli_fail(cli, "cannot encode the identity (is seen.conf UTF-8?)");
        goto done;
    }
    if (seen_home_path(cli->home, "identity.json", path, sizeof path) == NULL ||
        seen_file_write_atomic(path, text, strlen(text), 0644, 0) != 0) {
        cli_fail(cli, "cannot write '%s/identity.json': %s", cli->home,
            strerror(errno));
        goto done;
    }
    print_identity(id, &u->cfg, json, path);
    ret = 0;
done:
    free(text);
    json_decref(id);
    return ret;
}

int
cmd_identity(struct cli *cli, int argc, char **argv)
{
    const struct seen_unlock_opts uo = {NULL, 0, 0, NULL, NULL};
    struct seen_unlock u;
    char why[SEEN_PATH_LEN + 64];
    int rc, json = 0;

    if ((rc = cli_json_only(cli, argc, argv, identity_usage, &json)) !=
        CLI_CONTINUE)
        return rc;
    if (seen_unlock_home(cli->home, &uo, &u, why, sizeof why) != 0)
        return why[0] != '\0' ? cli_fail(cli, "%s", why) : 1;
    rc = cli_identity_write(cli, &u, json);
    seen_unlock_release(&u);
    return rc;
}
