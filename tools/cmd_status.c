/*
 * seen status: the node's state.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "tools/cli.h"

static const char status_usage[] =
    "usage: seen --home DIR status [--json]\n"
    "\n"
    "Show the running node's name, peers, feeds and store counts.  --json\n"
    "prints one line: {\"node\": NAME, \"peers\": [...], \"feeds\": {...}, ...}.\n";

int
cmd_status(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    json_t *resp, *v;
    const char *k;
    int c, rc, json = 0;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'j':
            json = 1;
            break;
        case 'h':
            fputs(status_usage, stdout);
            return 0;
        default:
            return cli_usage(cli, status_usage, NULL);
        }
    }
    if (optind != argc)
        return cli_usage(cli, status_usage, "unexpected argument");
    if ((rc = cli_need_home(cli)) != 0)
        return rc;
    if (cli_rpc(cli, json_pack("{s:s}", "cmd", "status"), 10000, &resp) != 0)
        return 1;
    json_object_del(resp, "ok");
    if (json) {
        cli_print_json(resp);
    } else {
        printf("Node %s (%s, %s), version %s, up %lld s\n",
            json_string_value(json_object_get(resp, "node")),
            json_string_value(json_object_get(resp, "type")),
            json_string_value(json_object_get(resp, "local_authority")),
            json_string_value(json_object_get(resp, "version")),
            (long long)json_integer_value(json_object_get(resp, "uptime")));
        printf("Records: %lld; live index entries: %lld\nFeeds:\n",
            (long long)json_integer_value(json_object_get(resp, "records")),
            (long long)json_integer_value(json_object_get(resp, "entries")));
        json_object_foreach(json_object_get(resp, "feeds"), k, v)
        {
            printf("  %-32s %lld entries\n", k,
                (long long)json_integer_value(v));
        }
    }
    json_decref(resp);
    return 0;
}
