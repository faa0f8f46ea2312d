/*
 * seen alerts [--json] | seen alerts ack ID: the alerts every node raises
 * the same way, kept until a lead acknowledges them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tools/cli.h"

static const char alerts_usage[] =
    "usage: seen --home DIR alerts [--json] [--all] [--rule RULE] [--person P]\n"
    "       seen --home DIR [--as LEAD] alerts ack ALERT\n"
    "\n"
    "List the alerts this node has raised: a perpetrator linked to children\n"
    "in two or more households or local authorities; a Clare's Law subject\n"
    "linked to a child known to children's social care; a child in a\n"
    "high-risk incident unknown to children's social care; an unborn child\n"
    "linked to a perpetrator.  Acknowledged alerts are shown with --all\n"
    "(always in --json, with \"acknowledged\").  --rule and --person keep\n"
    "only the alerts of one rule or one person; without --json a summary\n"
    "of the alerts by rule comes first.  --json prints {\"alert\",\n"
    "\"rule\", \"raised\", \"person\", \"members\", \"summary\"} lines.\n";

/* How many alerts of each rule wait (or, with ${all}, there are). */
static void
print_summary(const char *rows, int all)
{
    const char *p, *nl, *r;
    json_t *counts, *row, *v;

    if ((counts = json_object()) == NULL)
        return;
    for (p = rows; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
        if ((row = json_loadb(p, (size_t)(nl - p), 0, NULL)) == NULL)
            continue;
        r = json_string_value(json_object_get(row, "rule"));
        if (r != NULL && (all || json_object_get(row, "acknowledged") == NULL))
            json_object_set_new(counts, r,
                json_integer(json_integer_value(json_object_get(counts, r)) +
                    1));
        json_decref(row);
    }
    json_object_foreach(counts, r, v)
    {
        printf("%6lld  %s\n", (long long)json_integer_value(v), r);
    }
    if (json_object_size(counts) > 0)
        printf("\n");
    json_decref(counts);
}

/* One alert for people: the rule, the person and every member. */
static void
print_alert(json_t *row)
{
    char when[32];
    time_t t = (time_t)json_integer_value(json_object_get(row, "raised"));
    json_t *m;
    size_t i;

    strftime(when, sizeof when, "%Y-%m-%d %H:%M", gmtime(&t));
    printf("ALERT %s  %s  raised %s%s\n  person %s: %s\n",
        json_string_value(json_object_get(row, "alert")),
        json_string_value(json_object_get(row, "rule")), when,
        json_object_get(row, "acknowledged") ? "  (acknowledged)" : "",
        json_string_value(json_object_get(row, "person")),
        json_string_value(json_object_get(row, "summary")));
    json_array_foreach(json_object_get(row, "members"), i, m)
    {
        printf("    %-30s %-13s %-26s %s  %s%s%s\n",
            json_string_value(json_object_get(m, "node")),
            json_string_value(json_object_get(m, "role")),
            json_string_value(json_object_get(m, "kind")),
            json_string_value(json_object_get(m, "date")),
            json_string_value(json_object_get(m, "local_authority")),
            json_object_get(m, "risk") ? "  risk " : "",
            json_object_get(m, "risk")
                ? json_string_value(json_object_get(m, "risk"))
                : "");
    }
}

/* What `seen alerts` shows: its options. */
struct filter {
    int json, all;
    const char *rule, *person;
};

/* Does ${f} leave ${row} out? */
static int
left_out(const struct filter *f, json_t *row)
{

    return (json_object_get(row, "acknowledged") != NULL && !f->all &&
               !f->json) ||
        (f->rule != NULL &&
            strcmp(json_string_value(json_object_get(row, "rule")),
                f->rule) != 0) ||
        (f->person != NULL &&
            strcmp(json_string_value(json_object_get(row, "person")),
                f->person) != 0);
}

/* seen alerts ack ID */
static int
alerts_ack(struct cli *cli, int argc, char **argv)
{
    json_t *resp;

    if (argc != 3)
        return cli_usage(cli, alerts_usage, "ack which alert?");
    if (cli_rpc(cli,
            json_pack("{s:s, s:s}", "cmd", "alert_ack", "alert", argv[2]),
            10000, &resp) != 0)
        return 1;
    json_decref(resp);
    printf("Alert %s acknowledged\n", argv[2]);
    return 0;
}

int
cmd_alerts(struct cli *cli, int argc, char **argv)
{
    struct filter f = {0, 0, NULL, NULL};
    json_t *row;
    char *rows, *p, *nl;
    int rc, a, shown = 0;

    if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
        fputs(alerts_usage, stdout);
        return 0;
    }
    if ((rc = cli_need_home(cli)) != 0)
        return rc;
    if (argc >= 2 && strcmp(argv[1], "ack") == 0)
        return alerts_ack(cli, argc, argv);
    for (a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--json") == 0)
            f.json = 1;
        else if (strcmp(argv[a], "--all") == 0)
            f.all = 1;
        else if (strcmp(argv[a], "--rule") == 0 && a + 1 < argc)
            f.rule = argv[++a];
        else if (strcmp(argv[a], "--person") == 0 && a + 1 < argc)
            f.person = argv[++a];
        else
            return cli_usage(cli, alerts_usage, "unexpected argument");
    }
    if (cli_rows(cli, "alerts", NULL, &rows) != 0)
        return 1;
    if (!f.json && f.rule == NULL && f.person == NULL)
        print_summary(rows, f.all);
    for (p = rows; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
        if ((row = json_loadb(p, (size_t)(nl - p), 0, NULL)) == NULL)
            continue;
        if (!left_out(&f, row)) {
            if (f.json)
                printf("%.*s\n", (int)(nl - p), p);
            else
                print_alert(row);
            shown++;
        }
        json_decref(row);
    }
    if (shown == 0 && !f.json)
        printf("No alerts%s.\n",
            f.all ? "" : " waiting (--all shows acknowledged ones)");
    free(rows);
    return 0;
}
