/*
 * seen persons: every person this node can see across the federation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/cli.h"

static const char persons_usage[] =
    "usage: seen --home DIR persons [--json]\n"
    "\n"
    "List every person this node can see across the federation: clusters\n"
    "of index entries, each entry in exactly one person.  --json prints\n"
    "{\"person\": P, \"members\": [{\"node\", \"handle\", \"role\", \"kind\",\n"
    "\"date\", \"local_authority\"}, ...]} lines.\n";

int
cmd_persons(struct cli *cli, int argc, char **argv)
{
    json_t *row, *m;
    char *rows, *p, *nl;
    size_t i;
    int json = 0, rc;

    if (argc == 2 && strcmp(argv[1], "--json") == 0)
        json = 1;
    else if (argc == 2 && strcmp(argv[1], "--help") == 0) {
        fputs(persons_usage, stdout);
        return 0;
    } else if (argc != 1)
        return cli_usage(cli, persons_usage, "unexpected argument");
    if ((rc = cli_need_home(cli)) != 0)
        return rc;
    if (cli_rows(cli, "persons", NULL, &rows) != 0)
        return 1;
    if (json) {
        fputs(rows, stdout);
    } else {
        for (p = rows; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
            if ((row = json_loadb(p, (size_t)(nl - p), 0, NULL)) == NULL)
                continue;
            printf("%s:", json_string_value(json_object_get(row, "person")));
            json_array_foreach(json_object_get(row, "members"), i, m)
            {
                printf(" %s/%s", json_string_value(json_object_get(m, "node")),
                    json_string_value(json_object_get(m, "role")));
            }
            printf("\n");
            json_decref(row);
        }
    }
    free(rows);
    return 0;
}
