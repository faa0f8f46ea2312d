/*
 * seen operator: register and list named operators (admin only).
 *
 * The node owns its store, so both subcommands go through the control
 * socket: "operator_add" and "operator_list", served by the daemon's
 * node/control/ctl_operators.c.  The acting operator is the global --as
 * (or $SEEN_OPERATOR), which cli_call() sends as "operator".
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "storage/operators.h"
#include "tools/cli.h"

static const char operator_usage[] =
    "usage: seen --home DIR --as ADMIN operator add NAME --role ROLE\n"
    "       seen --home DIR --as ADMIN operator list [--json]\n"
    "\n"
    "Register a named operator on the running node, or list them.  Only an\n"
    "admin may do either.  NAME is 1-64 of a-z, 0-9, '.', '_' and '-'; ROLE\n"
    "is one of:\n"
    "  lead     queries, requests and decides disclosures; sees alerts\n"
    "  auditor  exports and verifies the exchange log; sees alerts\n"
    "  admin    runs the node (imports, status) and manages operators\n"
    "An operator has one role; give a person who needs two roles two\n"
    "names.  'list --json' prints one line per operator:\n"
    "  {\"operator\": NAME, \"role\": ROLE, \"added\": \"YYYY-MM-DDTHH:MM:SSZ\"}\n";

#define CTL_TIMEOUT_MS 10000

/* ${t} (Unix seconds) as an ISO 8601 UTC time. */
static const char *
iso_time(json_int_t t, char buf[static 32])
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (t < 0 || gmtime_r(&tt, &tm) == NULL ||
        strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, 32, "unknown");
    return buf;
}

static int
need_operator(const struct cli *cli)
{

    if (cli->op != NULL && cli->op[0] != '\0')
        return 0;
    return cli_usage(cli, operator_usage,
        "no operator: give --as NAME (an admin) or set SEEN_OPERATOR");
}

static int
op_add(struct cli *cli, int argc, char **argv)
{
    enum seen_role_op role;
    const char *rname = NULL, *name;
    const struct cli_opt opts[] = {{"role", &rname, NULL}, {NULL, NULL, NULL}};
    char when[32];
    json_t *resp;
    int rc;

    if ((rc = cli_getopt(cli, argc, argv, operator_usage, opts)) !=
        CLI_CONTINUE)
        return rc;
    if (optind == argc)
        return cli_usage(cli, operator_usage, "add: no NAME given");
    if (optind + 1 != argc)
        return cli_usage(cli, operator_usage, "add: unexpected argument");
    name = argv[optind];
    if (!seen_operator_name_valid(name))
        return cli_usage(cli, operator_usage,
            "add: NAME is 1-64 of a-z, 0-9, '.', '_' and '-'");
    if (rname == NULL)
        return cli_usage(cli, operator_usage, "add: --role is required");
    if (seen_role_op_parse(rname, &role) != 0)
        return cli_usage(cli, operator_usage,
            "add: --role: one of lead, auditor, admin");
    if ((rc = cli_need_home(cli)) != 0 || (rc = need_operator(cli)) != 0)
        return rc;
    if (cli_rpc(cli, json_pack("{s:s, s:s, s:s}", "cmd", "operator_add",
                    "name", name, "role", seen_role_op_name(role)),
            CTL_TIMEOUT_MS, &resp) != 0)
        return 1;
    printf("Added operator '%s' (%s) at %s\n", name, seen_role_op_name(role),
        iso_time(json_integer_value(json_object_get(resp, "added")), when));
    json_decref(resp);
    return 0;
}

static int
op_list(struct cli *cli, int argc, char **argv)
{
    json_t *resp, *rows, *row, *out;
    const char *name, *role;
    char when[32];
    size_t i;
    int rc, json = 0;
    const struct cli_opt opts[] = {{"json", NULL, &json}, {NULL, NULL, NULL}};

    if ((rc = cli_getopt(cli, argc, argv, operator_usage, opts)) !=
        CLI_CONTINUE)
        return rc;
    if (optind != argc)
        return cli_usage(cli, operator_usage, "list: unexpected argument");
    if ((rc = cli_need_home(cli)) != 0 || (rc = need_operator(cli)) != 0)
        return rc;
    if (cli_rpc(cli, json_pack("{s:s}", "cmd", "operator_list"),
            CTL_TIMEOUT_MS, &resp) != 0)
        return 1;
    rows = json_object_get(resp, "operators");
    if (!json_is_array(rows)) {
        json_decref(resp);
        return cli_fail(cli, "the node gave no list of operators");
    }
    if (!json && json_array_size(rows) > 0)
        printf("%-32s %-8s %s\n", "OPERATOR", "ROLE", "ADDED");
    json_array_foreach(rows, i, row)
    {
        name = json_string_value(json_object_get(row, "name"));
        role = json_string_value(json_object_get(row, "role"));
        iso_time(json_integer_value(json_object_get(row, "added")), when);
        if (name == NULL || role == NULL)
            continue;
        if (json) {
            out = json_pack("{s:s, s:s, s:s}", "operator", name, "role",
                role, "added", when);
            if (out == NULL) {
                json_decref(resp);
                return cli_fail(cli, "out of memory");
            }
            cli_print_json(out);
            json_decref(out);
        } else {
            printf("%-32s %-8s %s\n", name, role, when);
        }
    }
    json_decref(resp);
    return 0;
}

int
cmd_operator(struct cli *cli, int argc, char **argv)
{

    if (argc < 2)
        return cli_usage(cli, operator_usage, "no subcommand: add or list");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(operator_usage, stdout);
        return 0;
    }
    if (strcmp(argv[1], "add") == 0)
        return op_add(cli, argc - 1, argv + 1);
    if (strcmp(argv[1], "list") == 0)
        return op_list(cli, argc - 1, argv + 1);
    return cli_usage(cli, operator_usage, "unknown subcommand: add or list");
}
