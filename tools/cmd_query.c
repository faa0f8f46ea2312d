/*
 * seen query: the picture of one person held across the federation.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "tools/cli.h"

static const char query_usage[] =
    "usage: seen --home DIR query [--json] [--purpose TEXT]\n"
    "           [--nhs N] [--upn U] [--pnc P] [--given NAME]\n"
    "           [--family NAME] [--dob YYYY-MM-DD] [--postcode PC]\n"
    "\n"
    "Find everything the node holds about one person: give an identifier,\n"
    "or a family name with a date of birth, or a given and family name.\n"
    "Names may be misspelt; nicknames, swapped names and day/month swaps\n"
    "are found.  --json prints one line: {\"person\": P, \"members\": [...]}.\n";

static const char *
js(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));

    return s ? s : "";
}

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

int
cmd_query(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"purpose", required_argument, NULL, 'p'},
        {"nhs", required_argument, NULL, 'n'},
        {"upn", required_argument, NULL, 'u'},
        {"pnc", required_argument, NULL, 'c'},
        {"given", required_argument, NULL, 'g'},
        {"family", required_argument, NULL, 'f'},
        {"dob", required_argument, NULL, 'd'},
        {"postcode", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    json_t *req, *resp, *members, *m;
    size_t i;
    int c, rc, json = 0, fields = 0;

    req = json_pack("{s:s}", "cmd", "query");
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        const char *key = NULL;

        switch (c) {
        case 'j':
            json = 1;
            break;
        case 'p':
            key = "purpose";
            break;
        case 'n':
            key = "nhs";
            break;
        case 'u':
            key = "upn";
            break;
        case 'c':
            key = "pnc";
            break;
        case 'g':
            key = "given";
            break;
        case 'f':
            key = "family";
            break;
        case 'd':
            key = "dob";
            break;
        case 'o':
            key = "postcode";
            break;
        case 'h':
            json_decref(req);
            fputs(query_usage, stdout);
            return 0;
        default:
            json_decref(req);
            return cli_usage(cli, query_usage, NULL);
        }
        if (key != NULL) {
            json_object_set_new(req, key, json_string(optarg));
            if (c != 'p')
                fields++;
        }
    }
    if (optind != argc || fields == 0) {
        json_decref(req);
        return cli_usage(cli, query_usage,
            fields ? "unexpected argument" : "nothing to search for");
    }
    if ((rc = cli_need_home(cli)) != 0) {
        json_decref(req);
        return rc;
    }
    if (cli_rpc(cli, req, 30000, &resp) != 0)
        return 1;
    if (json) {
        /* The persons-line contract, one line: the person of the best
         * hit; local details (names) stay out of it. */
        json_t *p = json_array_get(json_object_get(resp, "persons"), 0);

        members = json_object_get(p, "members");
        json_array_foreach(members, i, m)
        {
            json_t *local = json_object_get(m, "local");

            if (local != NULL) {
                json_object_del(local, "person");
                json_object_del(local, "record_summary");
            }
        }
        if (p != NULL)
            cli_print_json(p);
    } else {
        print_human(resp);
    }
    json_decref(resp);
    return 0;
}
