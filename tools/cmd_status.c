/*
 * seen status: the node's state.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tools/cli.h"
#include "tools/prometheus.h"

static const char status_usage[] =
    "usage: seen --home DIR status [--json | --prometheus]\n"
    "\n"
    "Show the running node's name, peers, feeds, store counts and how much\n"
    "room its store has left.  --json prints one line: {\"node\": NAME,\n"
    "\"peers\": [...], \"feeds\": {...}, \"store\": {...}, ...}.\n"
    "--prometheus prints the same as Prometheus metrics (seen_...), for\n"
    "node_exporter's textfile collector; when no node answers, seen_up 0\n"
    "(and exit 1).\n";

/* The store's room (docs/protocol.md §4, "store"), in a line or two. */
static void
print_store(json_t *st)
{
    const char *state = json_string_value(json_object_get(st, "state"));
    const char *summary = json_string_value(json_object_get(st, "summary"));

    if (state == NULL || summary == NULL)
        return;
    if (strcmp(state, "ok") == 0)
        printf("Store: %s\n", summary);
    else
        printf("Store %s: %s\n",
            strcmp(state, "full") == 0 ? "FULL" : "NEARLY FULL", summary);
}

int
cmd_status(struct cli *cli, int argc, char **argv)
{
    json_t *resp, *v;
    const char *k;
    int rc, json = 0, prom = 0;
    const struct cli_opt opts[] = {{"json", NULL, &json},
        {"prometheus", NULL, &prom}, {NULL, NULL, NULL}};

    if ((rc = cli_getopt(cli, argc, argv, status_usage, opts)) !=
        CLI_CONTINUE)
        return rc;
    if (optind < argc)
        return cli_usage(cli, status_usage, "unexpected argument");
    if (json && prom)
        return cli_usage(cli, status_usage,
            "--json and --prometheus: one or the other");
    if ((rc = cli_need_home(cli)) != 0)
        return rc;
    if (cli_rpc(cli, json_pack("{s:s}", "cmd", "status"), 10000, &resp) != 0) {
        if (prom)
            prom_write(stdout, NULL);
        return 1;
    }
    json_object_del(resp, "ok");
    if (prom) {
        prom_write(stdout, resp);
    } else if (json) {
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
        print_store(json_object_get(resp, "store"));
        k = json_string_value(json_object_get(resp, "operators"));
        if (k != NULL)
            printf("Operators: %s\n", strcmp(k, "peer") == 0
                                          ? "peer (each checked by its Unix "
                                            "user)"
                                          : "claimed (--as is trusted)");
    }
    json_decref(resp);
    return 0;
}
