/*
 * seen membership install: hand a signed membership document to the node.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/file.h"
#include "proto/control.h"
#include "tools/cli.h"

static const char membership_usage[] =
    "usage: seen --home DIR membership install FILE [--authority HEX]\n"
    "\n"
    "Give the running node a signed membership document (as written by\n"
    "'seen federation sign').  The node adopts it if it is signed by the\n"
    "federation authority and newer than the one it holds, connects to\n"
    "the active members, and passes it on to them.  On the first install\n"
    "--authority names the authority's public key, which the node then\n"
    "pins.\n";

/* The largest document read: larger files are refused before sending. */
#define DOC_MAX ((16 << 20) - 1)

int
cmd_membership(struct cli *cli, int argc, char **argv)
{
    struct seen_ctl *ctl;
    const char *file = NULL, *auth = NULL;
    json_t *req, *resp;
    uint8_t *doc;
    size_t len;
    int i, rc;

    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
                         strcmp(argv[1], "-h") == 0)) {
        fputs(membership_usage, stdout);
        return 0;
    }
    if (argc < 2 || strcmp(argv[1], "install") != 0)
        return cli_usage(cli, membership_usage, "install what?");
    for (i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--authority") == 0 && i + 1 < argc)
            auth = argv[++i];
        else if (argv[i][0] != '-' && file == NULL)
            file = argv[i];
        else
            return cli_usage(cli, membership_usage, "unexpected argument");
    }
    if (file == NULL)
        return cli_usage(cli, membership_usage, "no document given");
    if ((rc = cli_need_home(cli)) != 0)
        return rc;
    if (seen_file_read(file, DOC_MAX, &doc, &len) != 0)
        return cli_fail(cli, "cannot read '%s': %s", file, strerror(errno));
    if (len == 0) {
        free(doc);
        return cli_fail(cli, "cannot read '%s': %s", file, strerror(EINVAL));
    }
    if (cli_connect(cli, &ctl) != 0) {
        free(doc);
        return 1;
    }
    req = json_pack("{s:s}", "cmd", "membership");
    if (auth != NULL)
        json_object_set_new(req, "authority", json_string(auth));
    rc = cli_call(cli, ctl, req, doc, len, 30000, &resp, NULL, NULL);
    free(doc);
    seen_ctl_destroy(&ctl);
    if (rc != 0)
        return 1;
    json_decref(resp);
    printf("Membership document installed\n");
    return 0;
}
