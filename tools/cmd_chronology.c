/*
 * seen chronology: everything this node may see about one person and the
 * people around them, across agencies, in time order (the `chronology`
 * control command; spec/cli.md `seen chronology --json`).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "tools/cli.h"

static const char chronology_usage[] =
    "usage: seen --home DIR [--as LEAD] chronology --purpose TEXT [--json]\n"
    "           (--person P | [--nhs N] [--upn U] [--pnc P] [--given NAME]\n"
    "            [--family NAME] [--dob YYYY-MM-DD] [--postcode PC])\n"
    "\n"
    "The chronology of one person, for a strategy discussion: the people\n"
    "who share a record with them, every record of theirs that this node\n"
    "can see across the federation, in date order with one lane per\n"
    "agency, the risk, whether the child's voice was recorded, Clare's Law\n"
    "disclosures, and what was shared with this node or withheld; then the\n"
    "child's voice by agency, the alerts about these people and what they\n"
    "ask for, and the records not yet asked for, with the `seen request`\n"
    "that would ask.  Names and details appear only from this node's own\n"
    "records and what other agencies shared with it.  P is a person id as\n"
    "`seen persons` or `seen query` print it; or search as `seen query`\n"
    "does (the best match is the subject).  Every look-up is logged with\n"
    "its purpose.  --json prints the whole chronology on one line.\n";

#define js cli_str
#define jget json_object_get

/* The short name of each lane (agency), as its row in ${lanes}. */
struct lane {
    char node[64];
    char tag[8];
};

/* A short name for ${agency} (or ${node}) into ${tag}: the initials of
 * its capitalised words outside brackets, e.g. "TVP". */
static void
short_name(const char *agency, const char *node, char tag[8])
{
    const char *p;
    size_t n = 0;
    int depth = 0, start = 1;

    for (p = agency; *p != '\0' && n < 7; p++) {
        if (*p == '(')
            depth++;
        else if (*p == ')' && depth > 0)
            depth--;
        if (depth == 0 && start && isupper((unsigned char)*p))
            tag[n++] = *p;
        start = isspace((unsigned char)*p) || *p == '-';
    }
    tag[n] = '\0';
    if (n < 2)
        snprintf(tag, 8, "%.7s", node);
}

/* The lanes of the reply ${r}: its agencies, each with a tag of its own. */
static size_t
lanes_of(json_t *r, struct lane *v, size_t max)
{
    json_t *a;
    size_t i, j, n = 0;

    json_array_foreach(jget(r, "agencies"), i, a)
    {
        if (n == max)
            break;
        snprintf(v[n].node, sizeof v[n].node, "%s", js(a, "node"));
        short_name(js(a, "agency"), js(a, "node"), v[n].tag);
        for (j = 0; j < n; j++)
            if (strcmp(v[j].tag, v[n].tag) == 0 && strlen(v[n].tag) < 7) {
                snprintf(v[n].tag + strlen(v[n].tag),
                    sizeof v[n].tag - strlen(v[n].tag), "%zu", n + 1);
                break;
            }
        n++;
    }
    return n;
}

static const char *
tag_of(const struct lane *v, size_t n, const char *node)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(v[i].node, node) == 0)
            return v[i].tag;
    return "?";
}

/* The header: the subject, its people and who knows them. */
static void
print_people(json_t *r)
{
    json_t *p, *k;
    size_t i, j;

    printf("Chronology of %s, for \"%s\"\nat %s%s%s%s, %s\n\nPeople\n",
        js(r, "subject"), js(r, "purpose"), js(r, "node"),
        js(r, "agency")[0] ? " (" : "", js(r, "agency"),
        js(r, "agency")[0] ? ")" : "", js(r, "generated"));
    json_array_foreach(jget(r, "people"), i, p)
    {
        printf("  %s  %-15s %-7s %s%s\n    known to:", js(p, "person"),
            js(p, "relation"), js(p, "birth_band"),
            js(p, "name")[0] ? js(p, "name") : "(name not shared)",
            json_is_true(jget(p, "shielded")) ? "  (shielded)" : "");
        json_array_foreach(jget(p, "known_to"), j, k)
        {
            printf("%s %s", j ? "," : "", json_string_value(k));
        }
        printf("\n");
    }
}

/* What the event says of the child's voice, and its width on a
 * terminal in *${width}. */
static const char *
voice_mark(json_t *ev, int *width)
{
    const char *v = js(ev, "child_voice");

    if (strcmp(v, "recorded") == 0) {
        *width = 7;
        return "voice \xe2\x9c\x93";
    }
    *width = strcmp(v, "not_recorded") == 0 ? 13 : 1;
    return *width == 13 ? "voice missing" : "-";
}

/* One event: a line of its date, lane, kind, risk, voice, DVDS and
 * sharing, then what this node may read of it. */
static void
print_event(json_t *ev, const struct lane *lanes, size_t nl)
{
    json_t *det = jget(ev, "details"), *d, *p;
    const char *mark;
    char share[64];
    size_t i;
    int w;

    if (js(ev, "request")[0])
        snprintf(share, sizeof share, "%s %.8s", js(ev, "shared"),
            js(ev, "request"));
    else
        snprintf(share, sizeof share, "%s", js(ev, "shared"));
    mark = voice_mark(ev, &w);
    printf("  %s  %-7s %-26s %-9s %s%*s %-13s %s\n", js(ev, "date"),
        tag_of(lanes, nl, js(ev, "node")), js(ev, "kind"),
        js(ev, "risk")[0] ? js(ev, "risk") : "-", mark, 14 - w, "",
        js(ev, "dvds")[0] ? js(ev, "dvds") : "-", share);
    if (json_is_object(det)) {
        if (js(det, "summary")[0])
            printf("      %s\n", js(det, "summary"));
        json_array_foreach(jget(det, "people"), i, p)
        {
            if (js(p, "name")[0])
                printf("      %s: %s\n", js(p, "role"), js(p, "name"));
        }
        if (js(det, "child_voice")[0])
            printf("      child's words: \"%s\"\n", js(det, "child_voice"));
    }
    if (js(ev, "withheld_reason")[0])
        printf("      withheld: %s\n", js(ev, "withheld_reason"));
    json_array_foreach(jget(ev, "decisions"), i, d)
    {
        printf("      our decision for %s: %s%s%s\n", js(d, "requester"),
            js(d, "decision"), js(d, "reason")[0] ? ": " : "", js(d, "reason"));
    }
}

/* The events with their lanes, and the legend of the lanes. */
static void
print_events(json_t *r)
{
    struct lane lanes[64];
    size_t nl = lanes_of(r, lanes, 64), i;
    json_t *ev, *a;

    printf("\nEvents (%zu)\n  %-10s  %-7s %-26s %-9s %-14s %-13s %s\n",
        json_array_size(jget(r, "events")), "DATE", "LANE", "KIND", "RISK",
        "VOICE", "DVDS", "SHARING");
    json_array_foreach(jget(r, "events"), i, ev) print_event(ev, lanes, nl);
    printf("\nLanes\n");
    json_array_foreach(jget(r, "agencies"), i, a)
    {
        printf("  %-7s %s: %s (%s, %s)\n", tag_of(lanes, nl, js(a, "node")),
            js(a, "node"), js(a, "agency"), js(a, "type"),
            js(a, "local_authority"));
    }
}

/* The voice by agency, the alerts and the records not yet asked for. */
static void
print_rest(json_t *r)
{
    json_t *v, *q, *a, *u;
    size_t i, j;

    printf("\nThe child's voice\n");
    json_array_foreach(jget(r, "voice"), i, v)
    {
        printf("  %s: %lld recorded, %lld missing\n", js(v, "node"),
            (long long)json_integer_value(jget(v, "recorded")),
            (long long)json_integer_value(jget(v, "not_recorded")));
        json_array_foreach(jget(v, "quotes"), j, q)
            printf("    %s \"%s\"\n", js(q, "date"), js(q, "text"));
    }
    printf("\nAlerts (%zu)\n", json_array_size(jget(r, "alerts")));
    json_array_foreach(jget(r, "alerts"), i, a)
    {
        printf("  %s  %s: %s\n    asks for %s\n", js(a, "person"),
            js(a, "rule"), js(a, "summary"), js(a, "asks"));
    }
    printf("\nNot yet asked for (%zu agenc%s)\n",
        json_array_size(jget(r, "unknown")),
        json_array_size(jget(r, "unknown")) == 1 ? "y" : "ies");
    json_array_foreach(jget(r, "unknown"), i, u)
    {
        printf("  %s (%s): %lld record%s (", js(u, "node"), js(u, "agency"),
            (long long)json_integer_value(jget(u, "records")),
            json_integer_value(jget(u, "records")) == 1 ? "" : "s");
        json_array_foreach(jget(u, "kinds"), j, q)
            printf("%s%s", j ? ", " : "", json_string_value(q));
        printf(")\n    %s\n", js(u, "request"));
    }
}

int
cmd_chronology(struct cli *cli, int argc, char **argv)
{
    json_t *resp;
    int rc, json = 0;

    if ((rc = cli_lookup(cli, argc, argv, chronology_usage, "chronology", &json,
             &resp)) != CLI_CONTINUE)
        return rc;
    if (json) {
        cli_print_json(resp);
    } else {
        print_people(resp);
        print_events(resp);
        print_rest(resp);
    }
    json_decref(resp);
    return 0;
}
