/*
 * seen links: the scored pairwise links behind the persons.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/cli.h"

static const char links_usage[] =
    "usage: seen --home DIR links [--json]\n"
    "\n"
    "List the scored links between index entries that make up the persons,\n"
    "with their band and why.  --json prints {\"a\": {\"node\", \"handle\"},\n"
    "\"b\": {...}, \"weight\": W, \"band\": \"match\"|\"possible\", \"why\": [...]}.\n";

int
cmd_links(struct cli *cli, int argc, char **argv)
{
    json_t *row, *w;
    char *rows, *p, *nl;
    size_t i;
    int json = 0, rc;

    if (argc == 2 && strcmp(argv[1], "--json") == 0)
        json = 1;
    else if (argc == 2 && strcmp(argv[1], "--help") == 0) {
        fputs(links_usage, stdout);
        return 0;
    } else if (argc != 1)
        return cli_usage(cli, links_usage, "unexpected argument");
    if ((rc = cli_need_home(cli)) != 0)
        return rc;
    if (cli_rows(cli, "links", NULL, &rows) != 0)
        return 1;
    if (json) {
        fputs(rows, stdout);
    } else {
        for (p = rows; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
            json_t *a, *b;

            if ((row = json_loadb(p, (size_t)(nl - p), 0, NULL)) == NULL)
                continue;
            a = json_object_get(row, "a");
            b = json_object_get(row, "b");
            printf("%-8s %6.1f  %s/%.8s ~ %s/%.8s:",
                json_string_value(json_object_get(row, "band")),
                json_real_value(json_object_get(row, "weight")),
                json_string_value(json_object_get(a, "node")),
                json_string_value(json_object_get(a, "handle")),
                json_string_value(json_object_get(b, "node")),
                json_string_value(json_object_get(b, "handle")));
            json_array_foreach(json_object_get(row, "why"), i, w)
            {
                printf("%s %s", i ? ";" : "", json_string_value(w));
            }
            printf("\n");
            json_decref(row);
        }
    }
    free(rows);
    return 0;
}
