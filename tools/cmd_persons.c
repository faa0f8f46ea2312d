/*
 * seen persons: every person this node can see across the federation.
 */
#include <stdio.h>

#include "tools/cli.h"

static const char persons_usage[] =
    "usage: seen --home DIR persons [--json]\n"
    "\n"
    "List every person this node can see across the federation: clusters\n"
    "of index entries, each entry in exactly one person.  --json prints\n"
    "{\"person\": P, \"members\": [{\"node\", \"handle\", \"role\", \"kind\",\n"
    "\"date\", \"local_authority\"}, ...]} lines.\n";

/* "PERSON: NODE/ROLE ..." for one row. */
static void
print_person(json_t *row)
{
    json_t *m;
    size_t i;

    printf("%s:", json_string_value(json_object_get(row, "person")));
    json_array_foreach(json_object_get(row, "members"), i, m)
    {
        printf(" %s/%s", json_string_value(json_object_get(m, "node")),
            json_string_value(json_object_get(m, "role")));
    }
    printf("\n");
}

int
cmd_persons(struct cli *cli, int argc, char **argv)
{

    return cli_list(cli, argc, argv, persons_usage, "persons", print_person);
}
