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

int
cmd_alerts(struct cli *cli, int argc, char **argv)
{
    json_t *row, *resp, *m;
    char *rows, *p, *nl, when[32];
    time_t t;
    size_t i;
    const char *rule = NULL, *person = NULL, *r;
    json_t *counts, *v;
    int json = 0, all = 0, rc, a, shown = 0;

    if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
        fputs(alerts_usage, stdout);
        return 0;
    }
    if ((rc = cli_need_home(cli)) != 0)
        return rc;
    if (argc >= 2 && strcmp(argv[1], "ack") == 0) {
        if (argc != 3)
            return cli_usage(cli, alerts_usage, "ack which alert?");
        if (cli_rpc(cli, json_pack("{s:s, s:s}", "cmd", "alert_ack", "alert",
                        argv[2]),
                10000, &resp) != 0)
            return 1;
        json_decref(resp);
        printf("Alert %s acknowledged\n", argv[2]);
        return 0;
    }
    if ((counts = json_object()) == NULL)
        return cli_fail(cli, "out of memory");
    for (a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--json") == 0)
            json = 1;
        else if (strcmp(argv[a], "--all") == 0)
            all = 1;
        else if (strcmp(argv[a], "--rule") == 0 && a + 1 < argc)
            rule = argv[++a];
        else if (strcmp(argv[a], "--person") == 0 && a + 1 < argc)
            person = argv[++a];
        else {
            json_decref(counts);
            return cli_usage(cli, alerts_usage, "unexpected argument");
        }
    }
    if (cli_rows(cli, "alerts", NULL, &rows) != 0) {
        json_decref(counts);
        return 1;
    }
    if (!json && rule == NULL && person == NULL) {
        /* A summary first: how many alerts of each rule wait. */
        for (p = rows; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
            if ((row = json_loadb(p, (size_t)(nl - p), 0, NULL)) == NULL)
                continue;
            r = json_string_value(json_object_get(row, "rule"));
            if (r != NULL &&
                (all || json_object_get(row, "acknowledged") == NULL))
                json_object_set_new(counts, r,
                    json_integer(
                        json_integer_value(json_object_get(counts, r)) + 1));
            json_decref(row);
        }
        json_object_foreach(counts, r, v)
        {
            printf("%6lld  %s\n", (long long)json_integer_value(v), r);
        }
        if (json_object_size(counts) > 0)
            printf("\n");
    }
    for (p = rows; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
        if ((row = json_loadb(p, (size_t)(nl - p), 0, NULL)) == NULL)
            continue;
        if ((json_object_get(row, "acknowledged") != NULL && !all && !json) ||
            (rule != NULL &&
                strcmp(json_string_value(json_object_get(row, "rule")),
                    rule) != 0) ||
            (person != NULL &&
                strcmp(json_string_value(json_object_get(row, "person")),
                    person) != 0)) {
            json_decref(row);
            continue;
        }
        if (json) {
            printf("%.*s\n", (int)(nl - p), p);
            json_decref(row);
            shown++;
            continue;
        }
        t = (time_t)json_integer_value(json_object_get(row, "raised"));
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
        shown++;
        json_decref(row);
    }
    if (shown == 0 && !json)
        printf("No alerts%s.\n",
            all ? "" : " waiting (--all shows acknowledged ones)");
    json_decref(counts);
    free(rows);
    return 0;
}
