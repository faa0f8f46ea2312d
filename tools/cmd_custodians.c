/*
 * seen custodians check [--json]: evaluate one probe through the
 * custodians of the held OPRF epoch (issue 16; purpose "check") and say,
 * per custodian, whether it answered: agency IT's health check.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "proto/control.h"
#include "tools/cli.h"

static const char custodians_usage[] =
    "usage: seen --home DIR [--as ADMIN] custodians check [--json]\n"
    "\n"
    "Evaluate one probe through the custodians of the OPRF epoch the node\n"
    "holds (purpose \"check\": each custodian counts and logs it), asking\n"
    "every custodian at once, then t of those that answered.  Prints, per\n"
    "custodian, whether it answered and what it said, and the probe's\n"
    "output (the same through any t custodians).  --json prints the\n"
    "node's reply on one line: {\"ok\", \"epoch\", \"threshold\",\n"
    "\"output\", \"custodians\": [{\"name\", \"index\", \"endpoint\",\n"
    "\"asked\", \"answered\", \"status\", \"remaining\"}]}, or {\"ok\":\n"
    "false, \"error\", \"custodians\"}.  Exit 1 when fewer than t answered,\n"
    "their limits refused it, or the epoch is not an OPRF epoch.\n";

/* Print the custodians of ${r} for people. */
static void
print_custodians(json_t *r)
{
    json_t *c;
    size_t i;

    json_array_foreach(json_object_get(r, "custodians"), i, c)
    {
        printf("  %u %-24s %-28s %s%s%s\n",
            (unsigned)json_integer_value(json_object_get(c, "index")),
            cli_str(c, "name"), cli_str(c, "endpoint"),
            !json_is_true(json_object_get(c, "asked"))      ? "not asked"
            : !json_is_true(json_object_get(c, "answered")) ? "no answer"
                                                             : "answered: ",
            json_is_true(json_object_get(c, "answered")) ? cli_str(c, "status")
                                                         : "",
            "");
    }
}

int
cmd_custodians(struct cli *cli, int argc, char **argv)
{
    int json = 0, rc;
    const struct cli_opt opts[] = {{"json", NULL, &json}, {NULL, NULL, NULL}};
    struct seen_ctl *ctl;
    json_t *req, *resp = NULL;

    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
                         strcmp(argv[1], "-h") == 0)) {
        fputs(custodians_usage, stdout);
        return 0;
    }
    if (argc < 2 || strcmp(argv[1], "check") != 0)
        return cli_usage(cli, custodians_usage, "the subcommand is check");
    if ((rc = cli_getopt(cli, argc - 1, argv + 1, custodians_usage, opts)) !=
        CLI_CONTINUE)
        return rc;
    if (optind != argc - 1)
        return cli_usage(cli, custodians_usage, "unexpected argument");
    if ((rc = cli_need_home(cli)) != 0)
        return rc;
    if (cli_connect(cli, &ctl) != 0)
        return 1;
    req = json_pack("{s:s}", "cmd", "custodians_check");
    if (req != NULL && cli->op != NULL)
        json_object_set_new(req, "operator", json_string(cli->op));
    rc = req == NULL ? SEEN_ENOMEM
                     : seen_ctl_call(ctl, req, NULL, 0, 120000, &resp, NULL,
                           NULL);
    json_decref(req);
    seen_ctl_destroy(&ctl);
    if (rc != 0)
        return cli_fail(cli, "the node on '%s' gave no answer", cli->home);
    if (json)
        cli_print_json(resp);
    else if (json_is_true(json_object_get(resp, "ok"))) {
        printf("OPRF epoch %lld, %lld custodians needed: the probe's output "
               "is %s\n",
            (long long)json_integer_value(json_object_get(resp, "epoch")),
            (long long)json_integer_value(json_object_get(resp, "threshold")),
            cli_str(resp, "output"));
        print_custodians(resp);
    } else {
        print_custodians(resp);
    }
    rc = json_is_true(json_object_get(resp, "ok")) ? 0 : 1;
    if (rc != 0)
        cli_fail(cli, "%s", cli_str(resp, "error"));
    json_decref(resp);
    return rc;
}
