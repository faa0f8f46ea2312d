/*
 * seen links: the scored pairwise links behind the persons.
 */
#include <stdio.h>

#include "tools/cli.h"

static const char links_usage[] =
    "usage: seen --home DIR links [--json]\n"
    "\n"
    "List the scored links between index entries that make up the persons,\n"
    "with their band and why.  --json prints {\"a\": {\"node\", \"handle\"},\n"
    "\"b\": {...}, \"weight\": W, \"band\": \"match\"|\"possible\", \"why\": [...]}.\n";

/* "BAND WEIGHT  NODE/HANDLE ~ NODE/HANDLE: WHY; ..." for one row. */
static void
print_link(json_t *row)
{
    json_t *a, *b, *w;
    size_t i;

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
}

int
cmd_links(struct cli *cli, int argc, char **argv)
{

    return cli_list(cli, argc, argv, links_usage, "links", print_link);
}
