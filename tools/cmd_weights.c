/*
 * seen weights: the weights report: how the matcher's comparisons weigh,
 * as this node's own candidate pairs show them (learnt by EM, without
 * labels: match/em.h), beside the weights in use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tools/cli.h"

static const char weights_usage[] =
    "usage: seen --home DIR weights [--json] [--sample N]\n"
    "\n"
    "Learn the m and u probabilities of each comparison the matcher makes\n"
    "(identifiers, date of birth, names, place, sex) from about N of this\n"
    "node's index entries (default 2000) and the entries each is compared\n"
    "with, without labels (expectation-maximisation), and show, for each\n"
    "level of each comparison, the pairs, m, u, the weight they give\n"
    "(log2 m/u) and the weight the matcher uses; then, per pair of agency\n"
    "types, how often each comparison could not be made.  The learnt\n"
    "weights are relative to pairs that already share a blocking token (a\n"
    "name or an identifier), so an agreeing name weighs less than in use.\n"
    "Reads only index metadata: no names.  --json prints one object.\n";

/* One comparison's levels, a line each. */
static void
print_cmp(json_t *c)
{
    json_t *l;
    size_t i;

    json_array_foreach(json_object_get(c, "levels"), i, l)
    {
        if (json_integer_value(json_object_get(l, "pairs")) == 0)
            continue;
        printf("  %-14s %-28s %8lld %7.4f %8.5f %7.1f %7.1f\n",
            i ? "" : cli_str(c, "comparison"), cli_str(l, "level"),
            (long long)json_integer_value(json_object_get(l, "pairs")),
            json_real_value(json_object_get(l, "m")),
            json_real_value(json_object_get(l, "u")),
            json_real_value(json_object_get(l, "learnt")),
            json_number_value(json_object_get(l, "in_use")));
    }
}

/* Per pair of agency types: the share of pairs each comparison could
 * not be made in. */
static void
print_agencies(json_t *by)
{
    json_t *a, *c;
    const char *k;
    size_t i;

    if (json_array_size(by) == 0)
        return;
    printf("\nNot compared (one side lacks it), by the agency types of the "
           "pair:\n");
    json_array_foreach(by, i, a)
    {
        printf("  %-28s %6lld pairs:", cli_str(a, "agencies"),
            (long long)json_integer_value(json_object_get(a, "pairs")));
        json_object_foreach(json_object_get(a, "comparisons"), k, c)
        {
            printf(" %s %.0f%%", k,
                100 * json_real_value(json_object_get(c, "not_compared")));
        }
        printf("\n");
    }
}

int
cmd_weights(struct cli *cli, int argc, char **argv)
{
    const char *sample = NULL;
    int json = 0, rc;
    const struct cli_opt opts[] = {{"json", NULL, &json},
        {"sample", &sample, NULL}, {NULL, NULL, NULL}};
    json_t *req, *resp, *c;
    char *end;
    long n = 2000;
    size_t i;

    if ((rc = cli_getopt(cli, argc, argv, weights_usage, opts)) !=
        CLI_CONTINUE)
        return rc;
    if (optind < argc)
        return cli_usage(cli, weights_usage, "unexpected argument");
    if ((rc = cli_need_home(cli)) != 0)
        return rc;
    if (sample != NULL &&
        ((n = strtol(sample, &end, 10)) < 1 || *end != '\0' || n > 100000))
        return cli_usage(cli, weights_usage,
            "--sample: a number of entries, 1 to 100000");
    req = json_pack("{s:s, s:I}", "cmd", "weights", "sample", (json_int_t)n);
    if (cli_rpc(cli, req, 120000, &resp) != 0)
        return 1;
    json_object_del(resp, "ok");
    if (json) {
        cli_print_json(resp);
        json_decref(resp);
        return 0;
    }
    printf("Learnt from %lld candidate pairs of %lld of %lld index entries "
           "(one person in %.1f%% of them; %lld iterations%s)\n\n",
        (long long)json_integer_value(json_object_get(resp, "pairs")),
        (long long)json_integer_value(json_object_get(resp, "sampled")),
        (long long)json_integer_value(json_object_get(resp, "entries")),
        100 * json_real_value(json_object_get(resp, "lambda")),
        (long long)json_integer_value(json_object_get(resp, "iterations")),
        json_is_true(json_object_get(resp, "converged"))
            ? ""
            : ", not converged");
    if (json_integer_value(json_object_get(resp, "pairs")) < 1000)
        printf("(Fewer than 1,000 pairs: too few for these figures to say "
               "much.)\n\n");
    printf("  %-14s %-28s %8s %7s %8s %7s %7s\n", "comparison", "level",
        "pairs", "m", "u", "learnt", "in use");
    json_array_foreach(json_object_get(resp, "comparisons"), i, c)
        print_cmp(c);
    print_agencies(json_object_get(resp, "by_agency"));
    json_decref(resp);
    return 0;
}
