/*
 * report_html.c: a chronology as one self-contained, printable,
 * accessible HTML page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tools/report.h"
#include "tools/report_graph.h"
#include "tools/report_html.h"

#define js cli_str
#define E report_esc

/*
 * The page's style.  Colours keep WCAG 2.2 AA contrast (4.5:1 or more for
 * text); every mark that has a colour also says itself in words.
 */
static const char page_css[] =
    ":root{color-scheme:light}\n"
    "body{font:15px/1.45 system-ui,'DejaVu Sans',Arial,sans-serif;"
    "color:#1a1a1a;background:#fff;margin:0 auto;max-width:78rem;"
    "padding:0 1rem 2rem}\n"
    "a{color:#0b4f9c}a:focus-visible,[tabindex]:focus-visible{outline:3px "
    "solid #0b4f9c;outline-offset:2px}\n"
    ".skip{position:absolute;left:-9999px;top:.5rem;background:#fff;"
    "padding:.5rem;border:2px solid #0b4f9c}.skip:focus{left:.5rem}\n"
    "header{border-bottom:3px solid #1a1a1a;padding:1rem 0 .5rem}\n"
    "h1{font-size:1.7rem;margin:.2rem 0}h2{font-size:1.3rem;margin-top:2rem;"
    "border-bottom:1px solid #777}h3{font-size:1.05rem}\n"
    ".scope{background:#fff4cc;border-left:6px solid #5c4400;"
    "padding:.5rem .8rem;color:#3d2d00}\n"
    "dl.meta{display:grid;grid-template-columns:max-content 1fr;"
    "gap:.1rem 1rem;margin:.5rem 0}dl.meta dt{font-weight:bold}"
    "dl.meta dd{margin:0}\n"
    "nav ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;"
    "gap:.3rem 1.2rem}\n"
    ".lanes{overflow-x:auto}\n"
    "table{border-collapse:collapse;width:100%;margin:.5rem 0}\n"
    "th,td{border:1px solid #8a8a8a;padding:.3rem .4rem;vertical-align:top;"
    "text-align:left}thead th{background:#f0f0f0}\n"
    "caption{text-align:left;font-weight:bold;padding:.3rem 0}\n"
    "table.chronology td{min-width:11rem}th.lane span{display:block;"
    "font-weight:normal;font-size:.85rem}\n"
    ".event p{margin:.15rem 0}.event .kind{font-weight:bold}\n"
    ".event ul{margin:.1rem 0;padding-left:1.1rem}\n"
    ".badge{display:inline-block;padding:0 .35rem;border-radius:.2rem;"
    "border:1px solid currentColor;margin:.05rem .2rem .05rem 0;"
    "font-size:.85rem}\n"
    ".risk-standard{background:#e8f1e8;color:#1d4d1d}"
    ".risk-medium{background:#fff1d6;color:#6b4200}"
    ".risk-high{background:#b3261e;color:#fff}"
    ".risk-very_high{background:#6d0f0a;color:#fff}"
    ".risk-other{background:#f1f1f1;color:#1a1a1a}\n"
    ".dvds{background:#e0e7ff;color:#1e3a8a}"
    ".present{background:#f1f1f1;color:#1a1a1a}\n"
    ".voice-recorded{background:#e6f4ea;color:#14532d}"
    ".voice-missing,.voice-flag{background:#fde7e9;color:#8a1020;"
    "font-weight:bold}\n"
    ".share-own{background:#eef0ff;color:#27306b}"
    ".share-shared{background:#e0f2fe;color:#0c4a6e}"
    ".share-withheld{background:#f3e8ff;color:#4a1d7a}"
    ".share-pending{background:#fff4cc;color:#5c4400}"
    ".share-not_requested,.share-other{background:#f1f1f1;color:#333}\n"
    ".kind-safety_plan,.kind-strategy_meeting,.kind-child_protection_plan"
    "{border-left:4px solid #1e3a8a;padding-left:.3rem}\n"
    "blockquote{margin:.3rem 0;padding:.2rem .6rem;border-left:4px solid "
    "#14532d;background:#f4faf5;font-style:italic}\n"
    "code{font-size:.85rem;word-break:break-all;background:#f4f4f4}\n"
    "svg.network{width:100%;height:auto;max-height:60rem;border:1px solid "
    "#8a8a8a}\n"
    ".id{font-family:monospace;font-size:.8rem;word-break:break-all}\n"
    "footer{margin-top:2rem;border-top:1px solid #777;font-size:.85rem}\n"
    "@page{size:A4;margin:12mm}\n"
    "@media print{body{font-size:9.5pt;max-width:none;padding:0}"
    "nav,.skip{display:none}.lanes{overflow:visible}"
    "table.chronology td{min-width:0}.event,tr,blockquote,figure"
    "{break-inside:avoid}h2,h3{break-after:avoid}"
    "svg.network{max-height:24cm;border:0}a{color:#1a1a1a}}\n";

/* Write ${before}, ${s} escaped, and ${after}. */
static void
wrap(FILE *f, const char *before, const char *s, const char *after)
{
    fputs(before, f);
    E(f, s);
    fputs(after, f);
}

/* The person ${pid}: their name when this node was given it, and id. */
static void
person_text(FILE *f, json_t *doc, const char *pid)
{
    json_t *p = report_person(doc, pid);
    const char *name = js(p, "name");

    if (name[0] != '\0') {
        E(f, name);
        fputs(" <span class=\"id\">", f);
        E(f, pid);
        fputs("</span>", f);
    } else {
        fputs("<span class=\"id\">", f);
        E(f, pid);
        fputs("</span> (name not given to this node)", f);
    }
}

/* The agency of ${node} by name, with its node name. */
static void
agency_text(FILE *f, json_t *doc, const char *node)
{
    const char *name = js(report_agency(doc, node), "agency");

    E(f, name[0] ? name : node);
    if (name[0])
        wrap(f, " (", node, ")");
}

/* Write ${s} with its underscores as spaces. */
static void
words(FILE *f, const char *s)
{
    char buf[128];
    size_t i;

    snprintf(buf, sizeof buf, "%s", s);
    for (i = 0; buf[i] != '\0'; i++)
        if (buf[i] == '_')
            buf[i] = ' ';
    E(f, buf);
}

/* 1 when ${s} is one of the NULL-ended ${set}. */
static int
one_of(const char *s, const char *const *set)
{
    for (; *set != NULL; set++)
        if (strcmp(s, *set) == 0)
            return 1;
    return 0;
}

/* The head of the page, up to <body>. */
static void
page_head(FILE *f, json_t *doc)
{
    json_t *subj = report_person(doc, js(doc, "subject"));

    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
          "<meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\""
          "default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n"
          "<meta name=\"referrer\" content=\"no-referrer\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, "
          "initial-scale=1\">\n<title>Chronology and network: ",
        f);
    E(f, js(subj, "name")[0] ? js(subj, "name") : js(doc, "subject"));
    fputs(" (", f);
    E(f, js(doc, "node"));
    fprintf(f, ")</title>\n<style>\n%s</style>\n</head>\n", page_css);
}

/* The header: who, where, why, when, and what this node may see. */
static void
page_header(FILE *f, json_t *doc)
{
    const char *node = js(doc, "node");
    const char *band = js(report_person(doc, js(doc, "subject")), "birth_band");

    fputs("<body>\n<a class=\"skip\" href=\"#main\">Skip to the report</a>\n"
          "<header>\n<h1>",
        f);
    fputs(strcmp(band, "adult") == 0 ? "The world around "
                                     : "The child's world: ",
        f);
    person_text(f, doc, js(doc, "subject"));
    fputs("</h1>\n<dl class=\"meta\">\n<dt>Subject</dt><dd>", f);
    person_text(f, doc, js(doc, "subject"));
    fputs("</dd>\n<dt>Seen from</dt><dd>", f);
    agency_text(f, doc, node);
    if (js(doc, "local_authority")[0])
        wrap(f, ", ", js(doc, "local_authority"), "");
    fputs("</dd>\n<dt>Purpose</dt><dd>", f);
    E(f, js(doc, "purpose"));
    fputs("</dd>\n<dt>Generated</dt><dd>", f);
    E(f, js(doc, "generated"));
    fprintf(f,
        "</dd>\n<dt>Holds</dt><dd>%zu events, %zu people, %zu "
        "agencies, alerts: %zu</dd>\n</dl>\n",
        json_array_size(json_object_get(doc, "events")),
        json_array_size(json_object_get(doc, "people")),
        json_array_size(json_object_get(doc, "agencies")),
        json_array_size(json_object_get(doc, "alerts")));
    fputs("<p class=\"scope\"><strong>Only what this node may see.</strong> "
          "Every agency's index entries (what kind of record, when, who by "
          "role, the risk) are shown; names and details only from ",
        f);
    E(f, node);
    fputs("'s own records and from disclosures shared with it.  Anything "
          "else must be asked for: see <a href=\"#unknown\">what this node "
          "does not know</a>.</p>\n</header>\n"
          "<nav aria-label=\"Sections\"><ul>\n"
          "<li><a href=\"#chronology\">Chronology</a></li>\n"
          "<li><a href=\"#voice\">The child's voice</a></li>\n"
          "<li><a href=\"#network\">Network</a></li>\n"
          "<li><a href=\"#alerts\">Alerts</a></li>\n"
          "<li><a href=\"#unknown\">What this node does not know</a></li>\n"
          "<li><a href=\"#legend\">Legend</a></li>\n</ul></nav>\n"
          "<main id=\"main\" tabindex=\"-1\">\n",
        f);
}

/* Open section ${id} headed ${title}. */
static void
section(FILE *f, const char *id, const char *title)
{
    fprintf(f,
        "<section id=\"%s\" aria-labelledby=\"h-%s\">\n"
        "<h2 id=\"h-%s\">%s</h2>\n",
        id, id, id, title);
}

/* The lanes of the chronology: the agencies, then any other event node. */
static json_t *
lanes_of(json_t *doc)
{
    json_t *lanes = json_array(), *r, *l;
    size_t i, j;
    int have;

    json_array_foreach(json_object_get(doc, "agencies"), i, r)
        json_array_append_new(lanes, json_string(js(r, "node")));
    json_array_foreach(json_object_get(doc, "events"), i, r)
    {
        have = 0;
        json_array_foreach(lanes, j, l)
        {
            have |= strcmp(json_string_value(l), js(r, "node")) == 0;
        }
        if (!have)
            json_array_append_new(lanes, json_string(js(r, "node")));
    }
    return lanes;
}

/* The marks of an event: risk, DVDS, child present, the child's voice. */
static void
event_marks(FILE *f, json_t *e)
{
    static const char *const risks[] = {
        "standard", "medium", "high", "very_high", NULL};
    const char *risk = js(e, "risk"), *voice = js(e, "child_voice");

    fputs("<p>", f);
    if (risk[0]) {
        fprintf(f, "<span class=\"badge risk risk-%s\">Risk: ",
            one_of(risk, risks) ? risk : "other");
        words(f, risk);
        fputs("</span>", f);
    }
    if (js(e, "dvds")[0]) {
        fputs("<span class=\"badge dvds\">DVDS: ", f);
        words(f, js(e, "dvds"));
        fputs("</span>", f);
    }
    if (json_is_true(json_object_get(e, "child_present")))
        fputs("<span class=\"badge present\">Child present</span>", f);
    if (strcmp(voice, "recorded") == 0)
        fputs("<span class=\"badge voice-recorded\">Child's voice "
              "recorded</span>",
            f);
    else if (strcmp(voice, "not_recorded") == 0)
        fputs("<span class=\"badge voice-missing\">Child's voice NOT "
              "recorded</span>",
            f);
    fputs("</p>\n", f);
}

/* The end of a list item of a request: ": STATUS (REASON)</li>". */
static void
status_item(FILE *f, const char *status, const char *reason)
{
    fputs(": ", f);
    words(f, status);
    if (reason[0])
        wrap(f, " (", reason, ")");
    fputs("</li>", f);
}

/* Every request this node sent for the record, when it sent several. */
static void
event_requests(FILE *f, json_t *e)
{
    json_t *rq = json_object_get(e, "requests"), *r;
    size_t i;

    if (json_array_size(rq) < 2)
        return;
    fputs("<p>Our requests for it:</p>\n<ul class=\"requests\">", f);
    json_array_foreach(rq, i, r)
    {
        wrap(f, "<li><span class=\"id\">", js(r, "request"), "</span>");
        status_item(f, js(r, "status"), js(r, "reason"));
    }
    fputs("</ul>\n", f);
}

/* Whether this node has the record's details, and from where. */
static void
event_share(FILE *f, json_t *doc, json_t *e)
{
    static const char *const states[] = {
        "own", "shared", "withheld", "pending", "not_requested", NULL};
    const char *s = js(e, "shared"), *req = js(e, "request");

    fprintf(f, "<p><span class=\"badge share share-%s\">",
        one_of(s, states) ? s : "other");
    if (strcmp(s, "own") == 0)
        fputs("Our own record", f);
    else if (strcmp(s, "shared") == 0 || strcmp(s, "withheld") == 0) {
        fputs(strcmp(s, "shared") == 0 ? "Shared with us by "
                                       : "Withheld from us by ",
            f);
        agency_text(f, doc, js(e, "node"));
    } else if (strcmp(s, "pending") == 0)
        fputs("Asked for; answer pending", f);
    else if (strcmp(s, "not_requested") == 0)
        fputs("Not asked for: index entry only", f);
    else
        E(f, s);
    fputs("</span>", f);
    if (req[0])
        wrap(f, " request <span class=\"id\">", req, "</span>");
    fputs("</p>\n", f);
    event_requests(f, e);
    if (strcmp(s, "withheld") == 0) {
        fputs("<p class=\"reason\">Reason: ", f);
        if (js(e, "withheld_reason")[0])
            E(f, js(e, "withheld_reason"));
        else
            fputs("not given to this node", f);
        fputs("</p>\n", f);
    }
}

/* The details this node has of an event, and its decisions on it. */
static void
event_details(FILE *f, json_t *doc, json_t *e)
{
    json_t *d = json_object_get(e, "details"), *x;
    size_t i;

    if (json_is_object(d)) {
        if (js(d, "child_voice")[0])
            wrap(f, "<blockquote class=\"quote\">", js(d, "child_voice"),
                "</blockquote>\n");
        if (js(d, "child_voice_not_captured")[0])
            wrap(f, "<p>Why the child's voice was not captured: ",
                js(d, "child_voice_not_captured"), "</p>\n");
        if (js(d, "summary")[0])
            wrap(f, "<p class=\"summary\">", js(d, "summary"), "</p>\n");
        if (js(d, "reference")[0])
            wrap(f, "<p>Reference ", js(d, "reference"), "</p>\n");
    }
    if (json_array_size(json_object_get(e, "decisions")) == 0)
        return;
    fputs("<p>Our decisions on requests for it:</p>\n<ul class=\"decisions\">",
        f);
    json_array_foreach(json_object_get(e, "decisions"), i, x)
    {
        fputs("<li>", f);
        agency_text(f, doc, js(x, "requester"));
        status_item(f, js(x, "decision"), js(x, "reason"));
    }
    fputs("</ul>\n", f);
}

/* One event, in its lane's cell, with the id "event-${n}". */
static void
event_cell(FILE *f, json_t *doc, json_t *e, size_t n)
{
    json_t *p;
    size_t i;

    fprintf(f, "<div class=\"event\" id=\"event-%zu\" data-record=\"", n);
    E(f, js(e, "record"));
    fputs("\">\n<p class=\"kind kind-", f);
    E(f, js(e, "kind"));
    fputs("\">", f);
    E(f, report_kind_text(js(e, "kind")));
    fputs("</p>\n", f);
    event_marks(f, e);
    event_share(f, doc, e);
    fputs("<ul class=\"people\">", f);
    json_array_foreach(json_object_get(e, "people"), i, p)
    {
        fputs("<li>", f);
        words(f, js(p, "role"));
        fputs(": ", f);
        person_text(f, doc, js(p, "person"));
        fputs("</li>", f);
    }
    fputs("</ul>\n", f);
    event_details(f, doc, e);
    fputs("<p>", f);
    E(f, js(e, "local_authority"));
    fputs("; record <span class=\"id\">", f);
    E(f, js(e, "record"));
    fputs("</span></p>\n</div>", f);
}

/* The multi-agency chronology: one row per event, one column per lane. */
static void
sec_chronology(FILE *f, json_t *doc)
{
    json_t *lanes = lanes_of(doc), *l, *e, *a;
    size_t i, j;

    section(f, "chronology", "Multi-agency chronology");
    fprintf(f,
        "<div class=\"lanes\" tabindex=\"0\" role=\"region\" "
        "aria-label=\"Chronology table, scrolls sideways\">\n"
        "<table class=\"chronology\">\n<caption>%zu events by date, "
        "one column (lane) for each of %zu agencies</caption>\n"
        "<thead><tr><th scope=\"col\">Date</th>",
        json_array_size(json_object_get(doc, "events")),
        json_array_size(lanes));
    json_array_foreach(lanes, i, l)
    {
        a = report_agency(doc, json_string_value(l));
        fputs("<th scope=\"col\" class=\"lane\">", f);
        E(f, js(a, "agency")[0] ? js(a, "agency") : json_string_value(l));
        fputs("<span>", f);
        E(f, json_string_value(l));
        if (a != NULL) {
            fputs(", ", f);
            words(f, js(a, "type"));
            wrap(f, ", ", js(a, "local_authority"), "");
        }
        fputs("</span></th>", f);
    }
    fputs("</tr></thead>\n<tbody>\n", f);
    json_array_foreach(json_object_get(doc, "events"), i, e)
    {
        fputs("<tr><th scope=\"row\">", f);
        E(f, js(e, "date"));
        fputs("</th>", f);
        json_array_foreach(lanes, j, l)
        {
            fputs("<td>", f);
            if (strcmp(json_string_value(l), js(e, "node")) == 0)
                event_cell(f, doc, e, i);
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    if (json_array_size(json_object_get(doc, "events")) == 0)
        fprintf(f, "<tr><td colspan=\"%zu\">No events.</td></tr>\n",
            json_array_size(lanes) + 1);
    fputs("</tbody>\n</table>\n</div>\n</section>\n", f);
    json_decref(lanes);
}

/* The child's voice: the words that reached this node, and per agency
 * whether its records captured it. */
static void
sec_voice(FILE *f, json_t *doc)
{
    json_t *v, *q;
    size_t i, j, quotes = 0;
    long long missing;

    section(f, "voice", "The child's voice");
    json_array_foreach(json_object_get(doc, "voice"), i, v)
    {
        json_array_foreach(json_object_get(v, "quotes"), j, q)
        {
            if (quotes++ == 0)
                fputs("<h3>In the child's words</h3>\n", f);
            fputs("<figure><blockquote class=\"quote\">", f);
            E(f, js(q, "text"));
            fputs("</blockquote><figcaption>", f);
            agency_text(f, doc, js(v, "node"));
            fputs(", ", f);
            E(f, js(q, "date"));
            fputs("</figcaption></figure>\n", f);
        }
    }
    if (quotes == 0)
        fputs("<p>No words of the child have reached this node: none of "
              "its own records holds them and no disclosure shared with it "
              "does.</p>\n",
            f);
    fputs("<table class=\"voice\">\n<caption>Whether each agency's records "
          "captured the child's voice, where a child was present or named"
          "</caption>\n<thead><tr><th scope=\"col\">Agency</th>"
          "<th scope=\"col\">Voice recorded</th><th scope=\"col\">Not "
          "recorded</th><th scope=\"col\">Flag</th></tr></thead>\n<tbody>\n",
        f);
    json_array_foreach(json_object_get(doc, "voice"), i, v)
    {
        missing = json_integer_value(json_object_get(v, "not_recorded"));
        fputs("<tr><th scope=\"row\">", f);
        agency_text(f, doc, js(v, "node"));
        fprintf(f, "</th><td>%lld</td><td>%lld</td><td>",
            json_integer_value(json_object_get(v, "recorded")), missing);
        if (missing > 0)
            fprintf(f,
                "<span class=\"badge voice-flag\">Not captured in "
                "%lld event%s</span>",
                missing, missing == 1 ? "" : "s");
        else
            fputs("None missing", f);
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody>\n</table>\n</section>\n", f);
}

/* The people of the network as a table. */
static void
people_table(FILE *f, json_t *doc)
{
    json_t *p, *x;
    size_t i, j;

    fputs("<table class=\"people\">\n<caption>People</caption>\n<thead><tr>"
          "<th scope=\"col\">Person</th><th scope=\"col\">Relation to the "
          "subject</th><th scope=\"col\">Roles in records</th>"
          "<th scope=\"col\">Age band</th><th scope=\"col\">Shielded</th>"
          "<th scope=\"col\">Known to</th></tr></thead>\n<tbody>\n",
        f);
    json_array_foreach(json_object_get(doc, "people"), i, p)
    {
        fputs("<tr><th scope=\"row\">", f);
        person_text(f, doc, js(p, "person"));
        fputs("</th><td>", f);
        E(f, report_relation_text(js(p, "relation")));
        fputs("</td><td>", f);
        json_array_foreach(json_object_get(p, "roles"), j, x)
        {
            fputs(j ? ", " : "", f);
            words(f, json_string_value(x));
        }
        fputs("</td><td>", f);
        E(f, js(p, "birth_band"));
        fputs(json_is_true(json_object_get(p, "shielded"))
                  ? "</td><td>Yes: no address is shown</td><td>"
                  : "</td><td>No</td><td>",
            f);
        json_array_foreach(json_object_get(p, "known_to"), j, x)
            wrap(f, j ? ", " : "", json_string_value(x), "");
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody>\n</table>\n", f);
}

/* The records (households) of the network as a table. */
static void
records_table(FILE *f, json_t *doc)
{
    json_t *e, *p;
    size_t i, j;

    fputs("<table class=\"records\">\n<caption>Records (households) and "
          "who is in them</caption>\n<thead><tr><th scope=\"col\">Record"
          "</th><th scope=\"col\">Held by</th><th scope=\"col\">Local "
          "authority</th><th scope=\"col\">People (role)</th></tr></thead>"
          "\n<tbody>\n",
        f);
    json_array_foreach(json_object_get(doc, "events"), i, e)
    {
        fputs("<tr><th scope=\"row\">", f);
        E(f, report_kind_text(js(e, "kind")));
        fputs(", ", f);
        E(f, js(e, "date"));
        fputs(" <span class=\"id\">", f);
        E(f, js(e, "record"));
        fputs("</span></th><td>", f);
        agency_text(f, doc, js(e, "node"));
        fputs("</td><td>", f);
        E(f, js(e, "local_authority"));
        fputs("</td><td>", f);
        json_array_foreach(json_object_get(e, "people"), j, p)
        {
            fputs(j ? "; " : "", f);
            person_text(f, doc, js(p, "person"));
            fputs(" (", f);
            words(f, js(p, "role"));
            fputs(")", f);
        }
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody>\n</table>\n", f);
}

/* The network: the SVG Graphviz drew, and the same as tables. */
static int
sec_network(FILE *f, json_t *doc)
{
    struct report_graph_counts c;
    json_t *subj = report_person(doc, js(doc, "subject"));
    char label[512], *svg;
    size_t len;
    int rc;

    snprintf(label, sizeof label,
        "Network of %s: the people linked by shared records, the records, "
        "the agencies that hold them and their local authorities",
        js(subj, "name")[0] ? js(subj, "name") : js(doc, "subject"));
    if ((rc = report_graph_svg(doc, label, &svg, &len, &c)) != 0)
        return rc;
    section(f, "network", "Network");
    fputs("<figure>\n", f);
    fwrite(svg, 1, len, f);
    free(svg);
    fprintf(f,
        "\n<figcaption>%zu people, %zu records, %zu agencies, %zu "
        "local authorities.  Shapes and first lines say what each "
        "is (see the <a href=\"#legend\">legend</a>); laid out by "
        "Graphviz.</figcaption>\n</figure>\n"
        "<h3>The network as tables</h3>\n",
        c.people, c.records, c.agencies, c.authorities);
    people_table(f, doc);
    records_table(f, doc);
    fputs("</section>\n", f);
    return 0;
}

/* The words for an alert's rule, or the rule itself. */
static const char *
rule_text(const char *rule)
{
    static const char *const rules[][2] = {
        {"perpetrator_multiple_households",
            "A perpetrator linked to children in more than one household"},
        {"dvds_subject_linked_to_child",
            "The subject of a DVDS disclosure linked to a child"},
        {"child_high_risk_unknown_to_social_care",
            "A child at high risk not known to children's social care"},
        {"unborn_linked_to_perpetrator",
            "An unborn child linked to a perpetrator"}};
    size_t i;

    for (i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (strcmp(rule, rules[i][0]) == 0)
            return rules[i][1];
    return rule;
}

/* The index of the event whose people hold entry ${handle}, or -1. */
static long
event_of(json_t *doc, const char *handle)
{
    json_t *e, *p;
    size_t i, j;

    json_array_foreach(json_object_get(doc, "events"), i, e)
    {
        json_array_foreach(json_object_get(e, "people"), j, p)
        {
            if (handle[0] && strcmp(js(p, "handle"), handle) == 0)
                return (long)i;
        }
    }
    return -1;
}

/* The index entries behind an alert, as table rows. */
static void
alert_members(FILE *f, json_t *doc, json_t *members)
{
    json_t *m;
    size_t i;

    fputs("<table class=\"alert-records\">\n<caption>The records behind it"
          "</caption>\n<thead><tr><th scope=\"col\">Agency</th>"
          "<th scope=\"col\">Role</th><th scope=\"col\">Record</th>"
          "<th scope=\"col\">Date</th><th scope=\"col\">Local authority</th>"
          "<th scope=\"col\">Entry</th><th scope=\"col\">In the "
          "chronology</th></tr></thead>\n<tbody>\n",
        f);
    json_array_foreach(members, i, m)
    {
        long ev = event_of(doc, js(m, "handle"));

        fputs("<tr><th scope=\"row\">", f);
        agency_text(f, doc, js(m, "node"));
        fputs("</th><td>", f);
        words(f, js(m, "role"));
        fputs("</td><td>", f);
        E(f, report_kind_text(js(m, "kind")));
        fputs("</td><td>", f);
        E(f, js(m, "date"));
        fputs("</td><td>", f);
        E(f, js(m, "local_authority"));
        fputs("</td><td class=\"id\">", f);
        E(f, js(m, "handle"));
        if (ev >= 0)
            fprintf(
                f, "</td><td><a href=\"#event-%ld\">event %ld</a>", ev, ev + 1);
        else
            fputs("</td><td>not among the events", f);
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody>\n</table>\n", f);
}

/* The alerts about the people of the chronology. */
static void
sec_alerts(FILE *f, json_t *doc)
{
    json_t *a, *raised;
    size_t i;
    char when[32];
    struct tm tm;
    time_t t;

    section(f, "alerts", "Alerts");
    if (json_array_size(json_object_get(doc, "alerts")) == 0)
        fputs("<p>No alert is raised about these people.</p>\n", f);
    json_array_foreach(json_object_get(doc, "alerts"), i, a)
    {
        fputs("<article class=\"alert\" aria-labelledby=\"alert-", f);
        fprintf(f, "%zu\">\n<h3 id=\"alert-%zu\">", i, i);
        E(f, rule_text(js(a, "rule")));
        fputs("</h3>\n<p>", f);
        E(f, js(a, "summary"));
        fputs("</p>\n<p><strong>It asks for: ", f);
        E(f, js(a, "asks")[0] ? js(a, "asks") : "a strategy discussion");
        fputs("</strong></p>\n<p>About ", f);
        person_text(f, doc, js(a, "person"));
        raised = json_object_get(a, "raised");
        if (json_is_integer(raised)) {
            t = (time_t)json_integer_value(raised);
            if (gmtime_r(&t, &tm) != NULL &&
                strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm) > 0)
                fprintf(f, "; raised %s", when);
        }
        fputs("; alert <span class=\"id\">", f);
        E(f, js(a, "alert"));
        fprintf(f, "</span>%s</p>\n",
            json_object_get(a, "acknowledged") ? " (acknowledged)" : "");
        if (json_array_size(json_object_get(a, "households")) > 0)
            fprintf(f, "<p>Households with a child: %zu</p>\n",
                json_array_size(json_object_get(a, "households")));
        alert_members(f, doc, json_object_get(a, "members"));
        fputs("</article>\n", f);
    }
    fputs("</section>\n", f);
}

/* The records this node has not asked about, and how to ask. */
static void
sec_unknown(FILE *f, json_t *doc)
{
    json_t *u, *k;
    size_t i, j;

    section(f, "unknown", "What this node does not know");
    if (json_array_size(json_object_get(doc, "unknown")) == 0) {
        fputs("<p>This node has asked about every record above.</p>\n"
              "</section>\n",
            f);
        return;
    }
    fputs("<p>These agencies hold records about these people that this node "
          "has not asked for.  The command beside each asks for one of them "
          "(run it as a lead, with your purpose).</p>\n"
          "<table class=\"unknown\">\n<caption>Records not asked for"
          "</caption>\n<thead><tr><th scope=\"col\">Agency</th>"
          "<th scope=\"col\">Records</th><th scope=\"col\">Kinds</th>"
          "<th scope=\"col\">To ask</th></tr></thead>\n<tbody>\n",
        f);
    json_array_foreach(json_object_get(doc, "unknown"), i, u)
    {
        fputs("<tr><th scope=\"row\">", f);
        agency_text(f, doc, js(u, "node"));
        fprintf(f, "</th><td>%lld</td><td>",
            json_integer_value(json_object_get(u, "records")));
        json_array_foreach(json_object_get(u, "kinds"), j, k)
            wrap(f, j ? ", " : "", report_kind_text(json_string_value(k)), "");
        fputs("</td><td><code>", f);
        E(f, js(u, "request"));
        fputs("</code></td></tr>\n", f);
    }
    fputs("</tbody>\n</table>\n</section>\n", f);
}

/* What the marks and shapes mean. */
static void
sec_legend(FILE *f)
{
    section(f, "legend", "Legend");
    fputs("<dl class=\"legend\">\n"
          "<dt><span class=\"badge risk risk-high\">Risk: high</span></dt>"
          "<dd>The risk level the agency recorded (standard, medium, high, "
          "very high); darker for higher risk, always in words.</dd>\n"
          "<dt><span class=\"badge dvds\">DVDS: right to know</span></dt>"
          "<dd>A Domestic Violence Disclosure Scheme (Clare's Law) "
          "disclosure: right to ask or right to know.</dd>\n"
          "<dt><span class=\"badge voice-recorded\">Child's voice recorded"
          "</span></dt><dd>The record captured what the child said.</dd>\n"
          "<dt><span class=\"badge voice-missing\">Child's voice NOT "
          "recorded</span></dt><dd>A child was present or named and the "
          "record does not hold their voice.</dd>\n"
          "<dt><span class=\"badge share-own\">Our own record</span> "
          "<span class=\"badge share-shared\">Shared with us</span> "
          "<span class=\"badge share-withheld\">Withheld from us</span> "
          "<span class=\"badge share-pending\">Answer pending</span> "
          "<span class=\"badge share-not_requested\">Not asked for</span>"
          "</dt><dd>Whether this node holds the record's details: its own, "
          "disclosed to it, refused (with the holder's reason where given), "
          "asked for and waiting, or only the index entry.</dd>\n"
          "<dt>Strategy meeting, safety plan, child protection plan</dt>"
          "<dd>Marked by a bar at the left of the event.</dd>\n"
          "<dt>Network shapes</dt><dd>Double octagon: the SUBJECT; "
          "ellipse: a SIBLING or another CHILD (UNBORN when not yet born); "
          "hexagon with a thick line: "
          "a PERPETRATOR; box: a PARENT OR CARER or another ADULT; dashed "
          "outline: SHIELDED (no address is ever shown); folded note: a "
          "RECORD (household); component: an AGENCY; tab: a LOCAL "
          "AUTHORITY.  Each shape's first line says the same in words.</dd>"
          "\n</dl>\n</section>\n",
        f);
}

/**
 * report_html(doc, out, len):
 * Render the chronology ${doc} (checked by report_check) as an HTML page.
 * On success *${out} is the page (*${len} bytes and a NUL; the caller
 * frees).  Returns 0; SEEN_ENOMEM; SEEN_ERR when the network could not
 * be drawn (logged).
 */
int
report_html(json_t *doc, char **out, size_t *len)
{
    FILE *f;
    int rc;

    *out = NULL;
    *len = 0;
    if ((f = open_memstream(out, len)) == NULL)
        return SEEN_ENOMEM;
    page_head(f, doc);
    page_header(f, doc);
    sec_chronology(f, doc);
    sec_voice(f, doc);
    rc = sec_network(f, doc);
    sec_alerts(f, doc);
    sec_unknown(f, doc);
    sec_legend(f);
    fputs("</main>\n<footer><p>Written by <code>seen report</code> from the "
          "chronology ",
        f);
    E(f, js(doc, "node"));
    fputs(" gave at ", f);
    E(f, js(doc, "generated"));
    fputs(".  It holds personal data: keep and share it only as your "
          "partnership agreement says.</p></footer>\n</body>\n</html>\n",
        f);
    if (fclose(f) != 0 && rc == 0)
        rc = SEEN_ENOMEM;
    if (rc != 0) {
        free(*out);
        *out = NULL;
        *len = 0;
    }
    return rc;
}
