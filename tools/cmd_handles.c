/*
 * seen handles: this node's own index entries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/control.h"
#include "tools/cli.h"

static const char handles_usage[] =
    "usage: seen --home DIR handles [--json]\n"
    "\n"
    "List this node's own index entries, one per person in each record:\n"
    "the opaque handle published in the feed, and the record and person it\n"
    "stands for (which never leave this node).  --json prints\n"
    "{\"handle\": H, \"record\": ID, \"ref\": REF, \"role\": ROLE} lines.\n";

static void
print_rows(const char *rows, int json)
{
    json_t *r;
    const char *p, *nl;

    if (json) {
        fputs(rows, stdout);
        return;
    }
    for (p = rows; *p != '\0'; p = nl + 1) {
        if ((nl = strchr(p, '\n')) == NULL)
            break;
        if ((r = json_loadb(p, (size_t)(nl - p), 0, NULL)) == NULL)
            continue;
        printf("%s  %-13s %-8s %s\n",
            json_string_value(json_object_get(r, "handle")),
            json_string_value(json_object_get(r, "role")),
            json_string_value(json_object_get(r, "ref")),
            json_string_value(json_object_get(r, "record")));
        json_decref(r);
    }
}

int
cmd_handles(struct cli *cli, int argc, char **argv)
{
    struct seen_ctl *ctl;
    json_t *req, *resp;
    char *rows, next[64] = "";
    size_t rlen;
    int rc, json = 0;

    if ((rc = cli_json_only(cli, argc, argv, handles_usage, &json)) !=
        CLI_CONTINUE)
        return rc;
    if (cli_connect(cli, &ctl) != 0)
        return 1;
    do {
        req = json_pack("{s:s}", "cmd", "handles");
        if (next[0] != '\0')
            json_object_set_new(req, "after", json_string(next));
        if (cli_call(cli, ctl, req, NULL, 0, 60000, &resp, &rows, &rlen) !=
            0) {
            seen_ctl_destroy(&ctl);
            return 1;
        }
        if (rows != NULL)
            print_rows(rows, json);
        free(rows);
        snprintf(next, sizeof next, "%s",
            json_string_value(json_object_get(resp, "next"))
                ? json_string_value(json_object_get(resp, "next"))
                : "");
        json_decref(resp);
    } while (next[0] != '\0');
    seen_ctl_destroy(&ctl);
    return 0;
}
