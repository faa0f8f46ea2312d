/*
 * seen operator: register, suspend, resume, remove and list named
 * operators (admin only).
 *
 * The node owns its store, so every subcommand goes through the control
 * socket: "operator_add", "operator_suspend", "operator_resume",
 * "operator_remove" and "operator_list", served by the daemon's
 * node/control/ctl_operators.c.  The acting operator is the global --as
 * (or $SEEN_OPERATOR), which cli_call() sends as "operator"; in peer
 * mode the daemon takes it from the caller's Unix user and --as may be
 * left out.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "storage/operators.h"
#include "tools/cli.h"

static const char operator_usage[] =
    "usage: seen --home DIR [--as ADMIN] operator add NAME --role ROLE\n"
    "                                         [--user UNIXUSER]\n"
    "       seen --home DIR [--as ADMIN] operator suspend|resume|remove NAME\n"
    "       seen --home DIR [--as ADMIN] operator role NAME --role ROLE\n"
    "       seen --home DIR [--as ADMIN] operator list [--json]\n"
    "\n"
    "Register a named operator on the running node, suspend, resume or\n"
    "remove one, change its role, or list them.  Only an admin may.  NAME\n"
    "is 1-64 of a-z, 0-9, '.', '_' and '-'; ROLE is one of:\n"
    "  lead     queries, requests and decides disclosures; sees alerts\n"
    "  auditor  exports and verifies the exchange log; sees alerts\n"
    "  admin    runs the node (imports, status) and manages operators\n"
    "An operator has one role; give a person who needs two roles two\n"
    "names.  --user binds the operator to a Unix user: once any operator is\n"
    "bound (peer mode) the node serves a request only for the operator\n"
    "bound to the Unix user that sends it, every operator added must be\n"
    "bound, and the first bound must be an admin.  A suspended or removed\n"
    "operator is refused from its next request, and a new role holds from\n"
    "its next request; every change is logged in the exchange log.\n"
    "'list --json' prints one line per operator:\n"
    "  {\"operator\": NAME, \"role\": ROLE, \"added\": \"YYYY-MM-DDTHH:MM:SSZ\",\n"
    "   \"state\": \"active\"|\"suspended\", \"user\": UNIXUSER, \"uid\": UID}\n"
    "(user and uid only when bound).\n";

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

/* Parse the options ${opts} of a subcommand and its one NAME, *${name}.
 * Returns CLI_CONTINUE, or the exit status (said why). */
static int
one_name(struct cli *cli, int argc, char **argv,
    const struct cli_opt *opts, const char **name)
{
    int rc;

    if ((rc = cli_getopt(cli, argc, argv, operator_usage, opts)) !=
        CLI_CONTINUE)
        return rc;
    if (optind == argc)
        return cli_usage(cli, operator_usage, "no NAME given");
    if (optind + 1 != argc)
        return cli_usage(cli, operator_usage, "unexpected argument");
    *name = argv[optind];
    if (!seen_operator_name_valid(*name))
        return cli_usage(cli, operator_usage,
            "NAME is 1-64 of a-z, 0-9, '.', '_' and '-'");
    return CLI_CONTINUE;
}

static int
op_add(struct cli *cli, int argc, char **argv)
{
    enum seen_role_op role;
    const char *rname = NULL, *name, *user = NULL;
    const struct cli_opt opts[] = {{"role", &rname, NULL},
        {"user", &user, NULL}, {NULL, NULL, NULL}};
    char when[32];
    json_t *resp;
    int rc;

    if ((rc = one_name(cli, argc, argv, opts, &name)) != CLI_CONTINUE)
        return rc;
    if (rname == NULL)
        return cli_usage(cli, operator_usage, "add: --role is required");
    if (seen_role_op_parse(rname, &role) != 0)
        return cli_usage(cli, operator_usage,
            "add: --role: one of lead, auditor, admin");
    if (user != NULL && !seen_unix_user_valid(user))
        return cli_usage(cli, operator_usage,
            "add: --user: not a Unix user name");
    if ((rc = cli_need_home(cli)) != 0)
        return rc;
    if (cli_rpc(cli, json_pack("{s:s, s:s, s:s, s:s*}", "cmd",
                    "operator_add", "name", name, "role",
                    seen_role_op_name(role), "user", user),
            CTL_TIMEOUT_MS, &resp) != 0)
        return 1;
    printf("Added operator '%s' (%s", name, seen_role_op_name(role));
    if (user != NULL)
        printf(", Unix user '%s', uid %lld", user,
            (long long)json_integer_value(json_object_get(resp, "uid")));
    printf(") at %s\n",
        iso_time(json_integer_value(json_object_get(resp, "added")), when));
    json_decref(resp);
    return 0;
}

/* suspend, resume or remove: the command ${cmd} of NAME, said ${done}. */
static int
op_change(struct cli *cli, int argc, char **argv, const char *cmd,
    const char *done)
{
    const struct cli_opt opts[] = {{NULL, NULL, NULL}};
    const char *name = NULL; /* (set by one_name; gcc -O3 cannot tell) */
    json_t *resp;
    int rc;

    if ((rc = one_name(cli, argc, argv, opts, &name)) != CLI_CONTINUE)
        return rc;
    if ((rc = cli_need_home(cli)) != 0)
        return rc;
    if (cli_rpc(cli, json_pack("{s:s, s:s}", "cmd", cmd, "name", name),
            CTL_TIMEOUT_MS, &resp) != 0)
        return 1;
    printf("Operator '%s' %s\n", name, done);
    json_decref(resp);
    return 0;
}

/* seen operator role NAME --role ROLE */
static int
op_role(struct cli *cli, int argc, char **argv)
{
    enum seen_role_op role;
    const char *rname = NULL, *name;
    const struct cli_opt opts[] = {{"role", &rname, NULL},
        {NULL, NULL, NULL}};
    json_t *resp;
    int rc;

    if ((rc = one_name(cli, argc, argv, opts, &name)) != CLI_CONTINUE)
        return rc;
    if (rname == NULL)
        return cli_usage(cli, operator_usage, "role: --role is required");
    if (seen_role_op_parse(rname, &role) != 0)
        return cli_usage(cli, operator_usage,
            "role: --role: one of lead, auditor, admin");
    if ((rc = cli_need_home(cli)) != 0)
        return rc;
    if (cli_rpc(cli, json_pack("{s:s, s:s, s:s}", "cmd", "operator_role",
                    "name", name, "role", seen_role_op_name(role)),
            CTL_TIMEOUT_MS, &resp) != 0)
        return 1;
    printf("Operator '%s' is now %s %s\n", name, seen_role_op_article(role),
        seen_role_op_name(role));
    json_decref(resp);
    return 0;
}

/* Print the row ${row} of operator_list, as JSON when ${json}.  Returns
 * 0, or -1 when memory runs out. */
static int
list_one(json_t *row, int json)
{
    const char *name = json_string_value(json_object_get(row, "name"));
    const char *role = json_string_value(json_object_get(row, "role"));
    const char *state = json_string_value(json_object_get(row, "state"));
    const char *user = json_string_value(json_object_get(row, "user"));
    json_t *uid = json_object_get(row, "uid"), *out;
    char when[32], who[64];

    iso_time(json_integer_value(json_object_get(row, "added")), when);
    if (name == NULL || role == NULL)
        return 0;
    if (state == NULL)
        state = "active";
    if (json) {
        out = json_pack("{s:s, s:s, s:s, s:s}", "operator", name, "role",
            role, "added", when, "state", state);
        if (out == NULL)
            return -1;
        if (user != NULL) {
            json_object_set_new(out, "user", json_string(user));
            json_object_set(out, "uid", uid);
        }
        cli_print_json(out);
        json_decref(out);
        return 0;
    }
    if (user != NULL)
        snprintf(who, sizeof who, "%s (uid %lld)", user,
            (long long)json_integer_value(uid));
    else
        snprintf(who, sizeof who, "-");
    printf("%-32s %-8s %-10s %-20s %s\n", name, role, state, when, who);
    return 0;
}

static int
op_list(struct cli *cli, int argc, char **argv)
{
    json_t *resp, *rows, *row;
    size_t i;
    int rc, json = 0;
    const struct cli_opt opts[] = {{"json", NULL, &json}, {NULL, NULL, NULL}};

    if ((rc = cli_getopt(cli, argc, argv, operator_usage, opts)) !=
        CLI_CONTINUE)
        return rc;
    if (optind != argc)
        return cli_usage(cli, operator_usage, "list: unexpected argument");
    if ((rc = cli_need_home(cli)) != 0)
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
        printf("%-32s %-8s %-10s %-20s %s\n", "OPERATOR", "ROLE", "STATE",
            "ADDED", "UNIX USER");
    json_array_foreach(rows, i, row)
    {
        if (list_one(row, json) != 0) {
            json_decref(resp);
            return cli_fail(cli, "out of memory");
        }
    }
    json_decref(resp);
    return 0;
}

int
cmd_operator(struct cli *cli, int argc, char **argv)
{

    if (argc < 2)
        return cli_usage(cli, operator_usage, "no subcommand: add, suspend, "
                                              "resume, remove, role or list");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(operator_usage, stdout);
        return 0;
    }
    if (strcmp(argv[1], "add") == 0)
        return op_add(cli, argc - 1, argv + 1);
    if (strcmp(argv[1], "suspend") == 0)
        return op_change(cli, argc - 1, argv + 1, "operator_suspend",
            "suspended");
    if (strcmp(argv[1], "resume") == 0)
        return op_change(cli, argc - 1, argv + 1, "operator_resume",
            "resumed");
    if (strcmp(argv[1], "remove") == 0)
        return op_change(cli, argc - 1, argv + 1, "operator_remove",
            "removed");
    if (strcmp(argv[1], "role") == 0)
        return op_role(cli, argc - 1, argv + 1);
    if (strcmp(argv[1], "list") == 0)
        return op_list(cli, argc - 1, argv + 1);
    return cli_usage(cli, operator_usage, "unknown subcommand: add, "
                                          "suspend, resume, remove, role or "
                                          "list");
}
