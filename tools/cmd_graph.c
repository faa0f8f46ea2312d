/*
 * seen graph: the network of one person's chronology, as Graphviz DOT.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "tools/report.h"
#include "tools/report_graph.h"

static const char graph_usage[] =
    "usage: seen --home DIR --as OPERATOR graph (--person P | [--nhs N]\n"
    "           [--upn U] [--pnc P] [--given NAME] [--family NAME]\n"
    "           [--dob YYYY-MM-DD] [--postcode PC]) --purpose TEXT\n"
    "           (--dot | --svg)\n"
    "\n"
    "Print the network of one person as the node sees it: the child,\n"
    "siblings, adults and the perpetrator, the records (households) that\n"
    "name them, the agencies that hold those and their local authorities.\n"
    "--dot prints it as Graphviz DOT, not laid out (for `dot -Tsvg` and\n"
    "the like); --svg prints it laid out by dot, as SVG.  The person is\n"
    "found as `seen query` finds one, and the look-up is logged with its\n"
    "purpose as a query is.  (--from-json FILE draws a chronology saved by\n"
    "`seen chronology --json`, for tests.)\n";

int
cmd_graph(struct cli *cli, int argc, char **argv)
{
    struct report_args a = {0};
    struct cli_opt opts[REPORT_NOPTS + 3];
    json_t *doc;
    char *out;
    size_t n, len;
    int rc, dot = 0, svg = 0;

    n = report_opts(&a, opts);
    opts[n++] = (struct cli_opt){"dot", NULL, &dot};
    opts[n++] = (struct cli_opt){"svg", NULL, &svg};
    opts[n] = (struct cli_opt){NULL, NULL, NULL};
    if ((rc = cli_getopt(cli, argc, argv, graph_usage, opts)) != CLI_CONTINUE)
        return rc;
    if (optind != argc)
        return cli_usage(cli, graph_usage, "unexpected argument");
    if (dot + svg != 1)
        return cli_usage(cli, graph_usage, "give one of --dot or --svg");
    if ((rc = report_load(cli, &a, graph_usage, &doc)) != 0)
        return rc;
    rc = dot ? report_graph_dot(doc, &out, &len, NULL)
             : report_graph_svg(doc, "The network", &out, &len, NULL);
    json_decref(doc);
    if (rc != 0)
        return cli_fail(cli, "cannot draw the network");
    fwrite(out, 1, len, stdout);
    free(out);
    return 0;
}
