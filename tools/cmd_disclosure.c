/*
 * seen request | inbox | decide | disclosures: asking another agency for
 * the details behind a match, deciding what others ask of us, and reading
 * the answers (spec/cli.md, "Operators, disclosure and audit";
 * docs/protocol.md §10).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tools/cli.h"

static const char request_usage[] =
    "usage: seen --home DIR --as LEAD request --handle H --node NODE\n"
    "           --purpose TEXT --basis BASIS\n"
    "\n"
    "Ask NODE, which published the index entry H (as `seen query` shows),\n"
    "for the details behind it: that record's fields for that person.\n"
    "BASIS is the legal basis: duty_to_share, public_task,\n"
    "safeguarding_children, legal_obligation or consent.  Prints the\n"
    "request id; `seen disclosures` shows the answer when it comes.  The\n"
    "request, with your name, purpose and basis, is logged by both nodes.\n"
    "It names its reason on record: this node's entry that matched H, or\n"
    "your query that showed H (`seen query` first); with neither it is\n"
    "refused.\n";

static const char inbox_usage[] =
    "usage: seen --home DIR --as LEAD inbox [--all] [--json]\n"
    "\n"
    "List the disclosure requests other nodes sent us that the partnership\n"
    "agreement did not share automatically and that wait for a lead's\n"
    "decision (`seen decide`).  --all lists every request received, decided\n"
    "ones too: who asked about our records, why, and what was decided;\n"
    "and every look-up notice: which of our entries a lead at another\n"
    "node saw in a query or chronology, who, why and when (rows with\n"
    "\"notice\": \"lookup\").  --json prints one JSON object a line\n"
    "(docs/protocol.md §10).\n";

static const char decide_usage[] =
    "usage: seen --home DIR --as LEAD decide REQUEST --share\n"
    "       seen --home DIR --as LEAD decide REQUEST --withhold --reason TEXT\n"
    "           [--review YYYY-MM-DD]\n"
    "\n"
    "Decide a request waiting in `seen inbox` (REQUEST: its id, or its first\n"
    "8 or more hex digits).  --share sends that record's fields for that\n"
    "person, sealed so that only the requesting node can read them.\n"
    "--withhold records why sharing would be more harmful to the child,\n"
    "and when to review the decision; the requester is told it was\n"
    "withheld, and why.  Either way the decision is in the exchange log.\n";

static const char disclosures_usage[] =
    "usage: seen --home DIR --as LEAD disclosures [--json] [--request ID]\n"
    "\n"
    "List the disclosure requests this node sent and their answers: the\n"
    "details when shared, the reason and review date when withheld.\n"
    "--json prints one JSON object a line (docs/protocol.md §10).\n";

#define js cli_str

static const char *
when(json_t *o, const char *k, char buf[static 32])
{
    time_t t = (time_t)json_integer_value(json_object_get(o, k));
    struct tm tm;

    if (t <= 0 || gmtime_r(&t, &tm) == NULL ||
        strftime(buf, 32, "%Y-%m-%d %H:%M UTC", &tm) == 0)
        return "-";
    return buf;
}

static int
want_help(int argc, char **argv, const char *usage)
{

    if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
        fputs(usage, stdout);
        return 1;
    }
    return 0;
}

int
cmd_request(struct cli *cli, int argc, char **argv)
{
    const char *handle = NULL, *node = NULL, *purpose = NULL, *basis = NULL;
    json_t *req, *resp;
    int a, rc;

    if (want_help(argc, argv, request_usage))
        return 0;
    for (a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--handle") == 0 && a + 1 < argc)
            handle = argv[++a];
        else if (strcmp(argv[a], "--node") == 0 && a + 1 < argc)
            node = argv[++a];
        else if (strcmp(argv[a], "--purpose") == 0 && a + 1 < argc)
            purpose = argv[++a];
        else if (strcmp(argv[a], "--basis") == 0 && a + 1 < argc)
            basis = argv[++a];
        else
            return cli_usage(cli, request_usage, "unexpected argument");
    }
    if (handle == NULL || node == NULL)
        return cli_usage(cli, request_usage, "--handle and --node are needed");
    if ((rc = cli_need_home(cli)) != 0)
        return rc;
    /* The node checks purpose and basis, so that every refusal reads the
     * same whichever client asks. */
    req = json_pack("{s:s, s:s, s:s}", "cmd", "request", "handle", handle,
        "node", node);
    if (req != NULL && purpose != NULL)
        json_object_set_new(req, "purpose", json_string(purpose));
    if (req != NULL && basis != NULL)
        json_object_set_new(req, "basis", json_string(basis));
    if (cli_rpc(cli, req, 30000, &resp) != 0)
        return 1;
    printf("%s\n", js(resp, "request"));
    json_decref(resp);
    return 0;
}

/* The reason on record of the row ${r}: the match, the query. */
static void
print_reason(json_t *r)
{

    if (js(r, "match")[0])
        printf("  match     their entry %s%s\n", js(r, "match"),
            json_object_get(r, "matched") == NULL ? ""
            : json_is_true(json_object_get(r, "matched"))
            ? ", linked by our matcher"
            : ", NOT linked by our matcher");
    if (js(r, "query_leaf")[0])
        printf("  query     leaf %lld of their exchange log (%.16s...)\n",
            (long long)json_integer_value(json_object_get(r, "query_seq")),
            js(r, "query_leaf"));
}

/* A look-up notice (docs/protocol.md section 10): who looked at which
 * of our entries, and why. */
static void
print_notice_row(json_t *r)
{
    json_t *h = json_object_get(r, "handles"), *v;
    char t[32];
    size_t i;

    printf("LOOKUP  %s by %s\n", when(r, "time", t), js(r, "from"));
    printf("  by        %s, in a %s (their exchange log, leaf %lld)\n",
        js(r, "operator"), js(r, "what"),
        (long long)json_integer_value(json_object_get(r, "query_seq")));
    printf("  purpose   %s\n", js(r, "purpose"));
    printf("  saw       %zu of our entries:", json_array_size(h));
    json_array_foreach(h, i, v) printf(" %s", json_string_value(v));
    printf("\n");
}

static void
print_inbox_row(json_t *r)
{
    char t[32];

    if (json_object_get(r, "notice") != NULL) {
        print_notice_row(r);
        return;
    }
    printf("REQUEST %s  %s\n", js(r, "request"), js(r, "status"));
    printf("  from      %s (%s, %s), lead %s\n", js(r, "from"),
        js(r, "agency"), js(r, "type"), js(r, "operator"));
    printf("  asked     %s, basis %s\n", when(r, "requested", t),
        js(r, "basis"));
    printf("  purpose   %s\n", js(r, "purpose"));
    printf("  about     our %s record of %s, the %s (handle %s)\n",
        js(r, "kind"), js(r, "date"), js(r, "role"), js(r, "handle"));
    print_reason(r);
    if (json_object_get(r, "decided") != NULL)
        printf("  decided   %s by %s%s%s\n", when(r, "decided", t),
            js(r, "decided_by"), js(r, "reason")[0] ? ": " : "",
            js(r, "reason"));
    if (js(r, "review")[0])
        printf("  review    %s\n", js(r, "review"));
}

int
cmd_inbox(struct cli *cli, int argc, char **argv)
{
    json_t *row;
    char *rows, *p, *nl;
    int a, json = 0, all = 0, rc, n = 0;

    if (want_help(argc, argv, inbox_usage))
        return 0;
    for (a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--json") == 0)
            json = 1;
        else if (strcmp(argv[a], "--all") == 0)
            all = 1;
        else
            return cli_usage(cli, inbox_usage, "unexpected argument");
    }
    if ((rc = cli_need_home(cli)) != 0)
        return rc;
    if (cli_rows(cli, "inbox", json_pack("{s:b}", "all", all), &rows) != 0)
        return 1;
    for (p = rows; (nl = strchr(p, '\n')) != NULL; p = nl + 1, n++) {
        if (json) {
            printf("%.*s\n", (int)(nl - p), p);
            continue;
        }
        if ((row = json_loadb(p, (size_t)(nl - p), 0, NULL)) == NULL)
            continue;
        if (n > 0)
            printf("\n");
        print_inbox_row(row);
        json_decref(row);
    }
    if (!json && n == 0)
        printf(all ? "No disclosure requests received.\n"
                   : "No disclosure requests wait for a decision.\n");
    free(rows);
    return 0;
}

int
cmd_decide(struct cli *cli, int argc, char **argv)
{
    const char *id = NULL, *reason = NULL, *review = NULL;
    json_t *req, *resp;
    int a, rc, share = -1;

    if (want_help(argc, argv, decide_usage))
        return 0;
    for (a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--share") == 0 && share != 0)
            share = 1;
        else if (strcmp(argv[a], "--withhold") == 0 && share != 1)
            share = 0;
        else if (strcmp(argv[a], "--reason") == 0 && a + 1 < argc)
            reason = argv[++a];
        else if (strcmp(argv[a], "--review") == 0 && a + 1 < argc)
            review = argv[++a];
        else if (argv[a][0] != '-' && id == NULL)
            id = argv[a];
        else
            return cli_usage(cli, decide_usage,
                share >= 0 && (strcmp(argv[a], "--share") == 0 ||
                                  strcmp(argv[a], "--withhold") == 0)
                    ? "--share or --withhold, not both"
                    : "unexpected argument");
    }
    if (id == NULL)
        return cli_usage(cli, decide_usage, "which request?");
    if (share < 0)
        return cli_usage(cli, decide_usage, "--share or --withhold?");
    if ((rc = cli_need_home(cli)) != 0)
        return rc;
    req = json_pack("{s:s, s:s, s:b}", "cmd", "decide", "request", id,
        "share", share);
    if (req != NULL && reason != NULL)
        json_object_set_new(req, "reason", json_string(reason));
    if (req != NULL && review != NULL)
        json_object_set_new(req, "review", json_string(review));
    if (cli_rpc(cli, req, 30000, &resp) != 0)
        return 1;
    printf("Request %s %s\n", js(resp, "request"), js(resp, "outcome"));
    json_decref(resp);
    return 0;
}

static void
print_details(json_t *det)
{
    json_t *rec = json_object_get(det, "record");
    json_t *per = json_object_get(det, "person"), *h, *v, *o;
    const char *k;
    size_t i;

    if ((h = json_object_get(det, "holder")) != NULL)
        printf("  from      %s (%s)\n", js(h, "agency"), js(h, "node"));
    printf("  record    %s: %s of %s, %s", js(rec, "reference"),
        js(rec, "kind"), js(rec, "date"), js(rec, "local_authority"));
    if (js(rec, "risk")[0])
        printf(", risk %s", js(rec, "risk"));
    printf("\n");
    if (json_is_true(json_object_get(rec, "child_present")))
        printf("  child present\n");
    if (js(rec, "child_voice")[0])
        printf("  CHILD'S VOICE: \"%s\"\n", js(rec, "child_voice"));
    if (js(rec, "child_voice_not_captured")[0])
        printf("  child's voice not captured: %s\n",
            js(rec, "child_voice_not_captured"));
    if (js(rec, "dvds")[0])
        printf("  Clare's Law: %s\n", js(rec, "dvds"));
    if (js(rec, "summary")[0])
        printf("  summary   %s\n", js(rec, "summary"));
    printf("  person   ");
    json_object_foreach(per, k, v)
    {
        if (json_is_string(v))
            printf(" %s: %s;", k, json_string_value(v));
        else if (json_is_array(v)) {
            printf(" %s:", k);
            json_array_foreach(v, i, o) printf(" %s", json_string_value(o));
            printf(";");
        }
    }
    printf("\n");
    if (json_array_size(json_object_get(det, "others_in_record")) > 0) {
        printf("  also in the record (not disclosed):");
        json_array_foreach(json_object_get(det, "others_in_record"), i, o)
            printf(" %s", json_string_value(o));
        printf("\n");
    }
}

int
cmd_disclosures(struct cli *cli, int argc, char **argv)
{
    const char *only = NULL;
    json_t *row;
    char *rows, *p, *nl, t[32];
    int a, json = 0, rc, n = 0;

    if (want_help(argc, argv, disclosures_usage))
        return 0;
    for (a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--json") == 0)
            json = 1;
        else if (strcmp(argv[a], "--request") == 0 && a + 1 < argc)
            only = argv[++a];
        else
            return cli_usage(cli, disclosures_usage, "unexpected argument");
    }
    if ((rc = cli_need_home(cli)) != 0)
        return rc;
    if (cli_rows(cli, "disclosures", NULL, &rows) != 0)
        return 1;
    for (p = rows; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
        if ((row = json_loadb(p, (size_t)(nl - p), 0, NULL)) == NULL)
            continue;
        if (only != NULL &&
            strncmp(js(row, "request"), only, strlen(only)) != 0) {
            json_decref(row);
            continue;
        }
        if (json)
            printf("%.*s\n", (int)(nl - p), p);
        else {
            if (n > 0)
                printf("\n");
            printf("REQUEST %s  %s\n", js(row, "request"), js(row, "status"));
            printf("  to        %s (%s), entry %s\n", js(row, "node"),
                js(row, "agency"), js(row, "handle"));
            printf("  asked     %s by %s, basis %s: %s\n",
                when(row, "requested", t), js(row, "operator"),
                js(row, "basis"), js(row, "purpose"));
            if (json_object_get(row, "decided") != NULL)
                printf("  decided   %s by %s%s%s\n", when(row, "decided", t),
                    js(row, "decided_by"), js(row, "reason")[0] ? ": " : "",
                    js(row, "reason"));
            else if (js(row, "reason")[0])
                printf("  waiting   %s\n", js(row, "reason"));
            if (js(row, "review")[0])
                printf("  review    %s\n", js(row, "review"));
            if (json_object_get(row, "details") != NULL)
                print_details(json_object_get(row, "details"));
        }
        n++;
        json_decref(row);
    }
    if (!json && n == 0)
        printf("No disclosure requests sent%s.\n", only ? " with that id" : "");
    free(rows);
    return 0;
}
