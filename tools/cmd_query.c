/*
 * seen query: the picture of one person held across the federation.
 */
#include <stdio.h>
#include <string.h>

#include "tools/cli.h"

static const char query_usage[] =
    "usage: seen --home DIR query [--json] [--purpose TEXT]\n"
    "           (--person P | [--nhs N] [--upn U] [--pnc P] [--given NAME]\n"
    "            [--family NAME] [--dob YYYY-MM-DD] [--postcode PC])\n"
    "\n"
    "Find everything the node holds about one person: give an identifier,\n"
    "or a family name with a date of birth, or a given and family name.\n"
    "Names may be misspelt; nicknames, swapped names and day/month swaps\n"
    "are found.  --person P shows the person P as `seen persons` prints it.\n"
    "--json prints one line: {\"person\": P, \"members\": [...]}.\n";

#define js cli_str

static void
print_person_line(json_t *person)
{
    const char *g = js(person, "given_name"), *f = js(person, "family_name");
    const char *dob = js(person, "date_of_birth");
    const char *due = js(person, "expected_due_date");
    const char *nhs = js(person, "nhs_number");

    printf("           %s %s", g[0] ? g : "(no given name)",
        f[0] ? f : "(no family name)");
    if (dob[0])
        printf(", born %s", dob);
    if (due[0])
        printf(", due %s", due);
    if (nhs[0])
        printf(", NHS %s", nhs);
    printf("\n");
}

static void
print_member(json_t *m)
{
    json_t *local, *why, *w;
    size_t j;

    printf("  %-8s %s  %s  %s  %s  %s%s%s%s\n",
        js(m, "band")[0] ? js(m, "band") : "",
        js(m, "node"), js(m, "role"), js(m, "kind"), js(m, "date"),
        js(m, "local_authority"), js(m, "risk")[0] ? "  risk " : "",
        js(m, "risk"),
        json_is_true(json_object_get(m, "child_present")) ? "  child present"
                                                          : "");
    if ((local = json_object_get(m, "local")) == NULL && js(m, "handle")[0])
        printf("           details: seen request --handle %s --node %s\n",
            js(m, "handle"), js(m, "node"));
    if (local != NULL) {
        printf("           record %s, person %s\n", js(local, "record"),
            js(local, "ref"));
        if (json_object_get(local, "person"))
            print_person_line(json_object_get(local, "person"));
    }
    why = json_object_get(m, "why");
    if (json_array_size(why) > 0) {
        printf("           why: ");
        json_array_foreach(why, j, w)
        {
            printf("%s%s", j ? "; " : "", json_string_value(w));
        }
        printf("\n");
    }
}

static void
print_human(json_t *resp)
{
    json_t *persons = json_object_get(resp, "persons"), *p, *m, *a;
    size_t i, j;

    if (json_array_size(persons) == 0) {
        printf("No one found (%lld entries compared).\n",
            (long long)json_integer_value(
                json_object_get(resp, "candidates")));
        return;
    }
    json_array_foreach(persons, i, p)
    {
        printf("%sPerson %s, known to %zu agenc%s:", i ? "\n" : "",
            js(p, "person"), json_array_size(json_object_get(p, "known_to")),
            json_array_size(json_object_get(p, "known_to")) == 1 ? "y" : "ies");
        json_array_foreach(json_object_get(p, "known_to"), j, a)
        {
            printf("%s %s", j ? "," : "", json_string_value(a));
        }
        printf("\n\n");
        json_array_foreach(json_object_get(p, "members"), j, m)
            print_member(m);
        if (json_array_size(json_object_get(p, "linked")) > 0) {
            printf("\n  linked through shared records:\n");
            json_array_foreach(json_object_get(p, "linked"), j, m)
            {
                printf("    %s  %s in a %s at %s\n", js(m, "person"),
                    js(m, "role"), js(m, "in"), js(m, "node"));
            }
        }
    }
}

/* Print the persons line of the best hit, without local details. */
static void
print_json(json_t *resp)
{
    /* The persons-line contract, one line: the person of the best hit;
     * local details (names) stay out of it. */
    json_t *p = json_array_get(json_object_get(resp, "persons"), 0);
    json_t *m, *local;
    size_t i;

    json_array_foreach(json_object_get(p, "members"), i, m)
    {
        if ((local = json_object_get(m, "local")) != NULL) {
            json_object_del(local, "person");
            json_object_del(local, "record_summary");
        }
    }
    if (p != NULL)
        cli_print_json(p);
}

int
cmd_query(struct cli *cli, int argc, char **argv)
{
    json_t *resp;
    int rc, json = 0;

    if ((rc = cli_lookup(cli, argc, argv, query_usage, "query", &json,
             &resp)) != CLI_CONTINUE)
        return rc;
    if (json)
        print_json(resp);
    else
        print_human(resp);
    json_decref(resp);
    return 0;
}
