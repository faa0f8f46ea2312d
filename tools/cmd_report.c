/*
 * seen report: one person's chronology, voice, network, alerts and what
 * this node does not know, as one self-contained HTML file.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/file.h"
#include "tools/report.h"
#include "tools/report_html.h"

static const char report_usage[] =
    "usage: seen --home DIR --as OPERATOR report (--person P | [--nhs N]\n"
    "           [--upn U] [--pnc P] [--given NAME] [--family NAME]\n"
    "           [--dob YYYY-MM-DD] [--postcode PC]) --purpose TEXT\n"
    "           --html FILE\n"
    "\n"
    "Write FILE (mode 0600, replaced whole or not at all): one HTML page\n"
    "for a strategy discussion about one person, as this node sees them:\n"
    "every agency's events by date in one lane per agency, the child's\n"
    "voice, the network of the people, records, agencies and authorities,\n"
    "the alerts, and the records this node has not asked for with the\n"
    "`seen request` that would ask.  Names and details appear only from\n"
    "this node's own records and disclosures shared with it.  The page\n"
    "loads nothing (no script, font or image from anywhere), prints on\n"
    "A4 and opens in any browser.  The person is found as `seen query`\n"
    "finds one; the look-up is logged with its purpose as a query is.\n"
    "(--from-json FILE renders a chronology saved by `seen chronology\n"
    "--json` without a node, for tests.)\n";

int
cmd_report(struct cli *cli, int argc, char **argv)
{
    struct report_args a = {0};
    struct cli_opt opts[REPORT_NOPTS + 2];
    const char *html = NULL;
    json_t *doc;
    char *out;
    size_t n, len;
    int rc;

    n = report_opts(&a, opts);
    opts[n++] = (struct cli_opt){"html", &html, NULL};
    opts[n] = (struct cli_opt){NULL, NULL, NULL};
    if ((rc = cli_getopt(cli, argc, argv, report_usage, opts)) != CLI_CONTINUE)
        return rc;
    if (optind != argc)
        return cli_usage(cli, report_usage, "unexpected argument");
    if (html == NULL || html[0] == '\0')
        return cli_usage(cli, report_usage, "where to? give --html FILE");
    if ((rc = report_load(cli, &a, report_usage, &doc)) != 0)
        return rc;
    if (isatty(STDERR_FILENO) &&
        json_array_size(json_object_get(doc, "events")) > 200)
        fprintf(stderr,
            "seen: report: drawing a network of %zu records "
            "(a large one takes a while)\n",
            json_array_size(json_object_get(doc, "events")));
    rc = report_html(doc, &out, &len);
    if (rc != 0) {
        json_decref(doc);
        return cli_fail(cli, "cannot render the report");
    }
    rc = seen_file_write_atomic(html, out, len, 0600, 0);
    free(out);
    if (rc != 0) {
        json_decref(doc);
        return cli_fail(cli, "cannot write '%s': %s", html,
            rc == SEEN_ENOMEM ? "out of memory" : strerror(errno));
    }
    printf("wrote %s: %zu events from %zu agencies (open it in a browser; "
           "it holds personal data)\n",
        html, json_array_size(json_object_get(doc, "events")),
        json_array_size(json_object_get(doc, "agencies")));
    json_decref(doc);
    return 0;
}
