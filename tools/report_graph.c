/*
 * report_graph.c: the network of a chronology, with libcgraph and libgvc.
 */
#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "tools/report.h"
#include "tools/report_graph.h"

/* A network being built. */
struct net {
    Agraph_t *g;
    json_t *doc;
    struct report_graph_counts c;
};

#define S(x) ((char *)(x))

/* Above this many people and records, dot is told to try less hard. */
#define REPORT_GRAPH_BIG 200 /* cgraph takes char * for strings it copies */

/* Set attribute ${k} of ${obj} to ${v}. */
static void
set(void *obj, const char *k, const char *v)
{
    agsafeset(obj, S(k), S(v), S(""));
}

/*
 * Write ${s} to ${f} for a Graphviz label: a backslash doubled, so that
 * no text from a record is read as an escape (\N, \G, \l...).
 */
static void
label_text(FILE *f, const char *s)
{
    for (; s != NULL && *s != '\0'; s++) {
        if (*s == '\\')
            fputc('\\', f);
        fputc(*s, f);
    }
}

/*
 * Set the label of ${obj} to the lines ${lines} (NULL ends them; a NULL
 * or empty line is skipped), joined by Graphviz's "\n".  Returns 0 or
 * SEEN_ENOMEM.
 */
static int
set_label(void *obj, const char *const *lines, size_t n)
{
    char *buf = NULL;
    size_t len = 0, i;
    FILE *f;
    int first = 1;

    if ((f = open_memstream(&buf, &len)) == NULL)
        return SEEN_ENOMEM;
    for (i = 0; i < n; i++) {
        if (lines[i] == NULL || lines[i][0] == '\0')
            continue;
        if (!first)
            fputs("\\n", f);
        label_text(f, lines[i]);
        first = 0;
    }
    if (fclose(f) != 0) {
        free(buf);
        return SEEN_ENOMEM;
    }
    set(obj, "label", buf);
    free(buf);
    return 0;
}

/* Give ${v} its ${shape}, SVG ${class} and ${fill}, filled. */
static void
dress(Agnode_t *v, const char *shape, const char *class, const char *fill)
{
    set(v, "shape", shape);
    set(v, "class", class);
    set(v, "style", "filled");
    set(v, "fillcolor", fill);
}

/* Write the underscores of ${s} as spaces ("very_high" -> "very high"). */
static void
spaced(char *s)
{
    for (; *s != '\0'; s++)
        if (*s == '_')
            *s = ' ';
}

/* The node named ${prefix}${id}, made when ${make}; NULL when not. */
static Agnode_t *
node_of(struct net *n, const char *prefix, const char *id, int make, int *made)
{
    char name[512];
    Agnode_t *v;

    snprintf(name, sizeof name, "%s%s", prefix, id);
    *made = 0;
    if ((v = agnode(n->g, name, 0)) != NULL || !make)
        return v;
    *made = 1;
    return agnode(n->g, name, 1);
}

/* The shape, class and fill of a person by relation. */
static void
person_style(Agnode_t *v, const char *rel, int shielded)
{
    /* relation, shape, class, fill */
    static const char *const styles[][4] = {
        {"subject", "doubleoctagon", "person subject", "#cfe3ff"},
        {"sibling", "ellipse", "person sibling", "#e3eeff"},
        {"child", "ellipse", "person child", "#e3eeff"},
        {"perpetrator", "hexagon", "person perpetrator", "#ffd9d9"},
        {"parent_or_carer", "box", "person carer", "#f1f1f1"},
        {"adult", "box", "person adult", "#f1f1f1"}};
    size_t i, k = sizeof styles / sizeof styles[0] - 1;

    for (i = 0; i < sizeof styles / sizeof styles[0]; i++)
        if (strcmp(rel, styles[i][0]) == 0)
            k = i;
    dress(v, styles[k][1], styles[k][2], styles[k][3]);
    if (shielded)
        set(v, "style", "filled,dashed");
    if (strcmp(rel, "perpetrator") == 0)
        set(v, "penwidth", "2.5");
}

/* Add the people of the chronology.  Returns 0 or SEEN_ENOMEM. */
static int
add_people(struct net *n)
{
    json_t *p;
    size_t i;
    int made;

    json_array_foreach(json_object_get(n->doc, "people"), i, p)
    {
        const char *id = cli_str(p, "person"), *rel = cli_str(p, "relation");
        const char *name = cli_str(p, "name"), *band;
        int shielded = json_is_true(json_object_get(p, "shielded"));
        char head[96];
        const char *lines[4];
        Agnode_t *v;

        if (id[0] == '\0' || (v = node_of(n, "", id, 1, &made)) == NULL)
            continue;
        if (!made)
            continue;
        /* The subject's age band, and anyone's when unborn. */
        band = cli_str(p, "birth_band");
        if (strcmp(rel, "subject") != 0 && strcmp(band, "unborn") != 0)
            band = "";
        snprintf(head, sizeof head, "%s%s%s%s", rel[0] ? "" : "PERSON",
            report_relation_text(rel), band[0] ? ": " : "", band);
        for (char *c = head; *c; c++)
            if (*c >= 'a' && *c <= 'z')
                *c = (char)(*c - 'a' + 'A');
        lines[0] = head;
        lines[1] = name[0] ? name : "(name not given to this node)";
        lines[2] = id;
        lines[3] = shielded ? "SHIELDED: no address shown" : NULL;
        if (set_label(v, lines, 4) != 0)
            return SEEN_ENOMEM;
        person_style(v, rel, shielded);
        n->c.people++;
    }
    return 0;
}

/* The node of local authority ${la}, made when new. */
static Agnode_t *
authority_node(struct net *n, const char *la)
{
    const char *lines[2] = {"LOCAL AUTHORITY", la};
    Agnode_t *v;
    int made;

    if ((v = node_of(n, "authority:", la, 1, &made)) == NULL || !made)
        return v;
    if (set_label(v, lines, 2) != 0)
        return NULL;
    dress(v, "tab", "authority", "#ece6ff");
    n->c.authorities++;
    return v;
}

/* Join ${a} and ${b} by an edge labelled ${label}, once. */
static void
join(struct net *n, Agnode_t *a, Agnode_t *b, const char *label)
{
    Agedge_t *e;

    if (a == NULL || b == NULL || agedge(n->g, a, b, NULL, 0) != NULL)
        return;
    if ((e = agedge(n->g, a, b, NULL, 1)) == NULL)
        return;
    set(e, "label", label);
    n->c.edges++;
}

/* The node of agency ${node}, with its authority, made when new. */
static Agnode_t *
agency_node(struct net *n, const char *node)
{
    json_t *a = report_agency(n->doc, node);
    char head[96];
    const char *lines[3], *type = cli_str(a, "type");
    const char *la = cli_str(a, "local_authority");
    Agnode_t *v;
    int made;

    if ((v = node_of(n, "agency:", node, 1, &made)) == NULL || !made)
        return v;
    snprintf(head, sizeof head, "AGENCY%s%s%s", type[0] ? " (" : "", type,
        type[0] ? ")" : "");
    spaced(head);
    lines[0] = head;
    lines[1] = cli_str(a, "agency")[0] ? cli_str(a, "agency") : node;
    lines[2] = node;
    if (set_label(v, lines, 3) != 0)
        return NULL;
    dress(v, "component", "agency", "#e2f4e5");
    n->c.agencies++;
    if (la[0] != '\0')
        join(n, v, authority_node(n, la), "in");
    return v;
}

/* Add one event's record and its links.  Returns 0 or SEEN_ENOMEM. */
static int
add_record(struct net *n, json_t *e)
{
    const char *rec = cli_str(e, "record"), *risk = cli_str(e, "risk");
    const char *la = cli_str(e, "local_authority");
    char head[160], when[96];
    const char *lines[2];
    json_t *a, *pp;
    Agnode_t *v, *ag;
    size_t i;
    int made;

    if (rec[0] == '\0' || (v = node_of(n, "record:", rec, 1, &made)) == NULL)
        return 0;
    if (made) {
        snprintf(head, sizeof head, "RECORD: %s",
            report_kind_text(cli_str(e, "kind")));
        snprintf(when, sizeof when, "%s%s%s", cli_str(e, "date"),
            risk[0] ? ", risk " : "", risk);
        spaced(when);
        lines[0] = head;
        lines[1] = when;
        if (set_label(v, lines, 2) != 0)
            return SEEN_ENOMEM;
        dress(v, "note", "record", "#fff6d6");
        n->c.records++;
    }
    ag = agency_node(n, cli_str(e, "node"));
    join(n, v, ag, "held by");
    a = report_agency(n->doc, cli_str(e, "node"));
    if (la[0] != '\0' && strcmp(la, cli_str(a, "local_authority")) != 0)
        join(n, v, authority_node(n, la), "in");
    json_array_foreach(json_object_get(e, "people"), i, pp)
    {
        Agnode_t *who = node_of(n, "", cli_str(pp, "person"), 0, &made);
        char role[64];

        snprintf(role, sizeof role, "%s", cli_str(pp, "role"));
        spaced(role);
        join(n, who, v, role);
    }
    return 0;
}

/* The network of ${doc} in *${out}.  Returns 0, SEEN_ENOMEM, SEEN_ERR. */
static int
build(json_t *doc, struct net *n)
{
    json_t *e;
    size_t i;

    memset(n, 0, sizeof *n);
    n->doc = doc;
    if ((n->g = agopen(S("network"), Agstrictundirected, NULL)) == NULL) {
        seen_error("graphviz: cannot make a graph");
        return SEEN_ERR;
    }
    set(n->g, "fontname", "Helvetica,Arial,sans-serif");
    set(n->g, "rankdir", "LR");
    set(n->g, "nodesep", "0.25");
    set(n->g, "ranksep", "0.5");
    agattr(n->g, AGNODE, S("fontname"), S("Helvetica,Arial,sans-serif"));
    agattr(n->g, AGNODE, S("fontsize"), S("10"));
    agattr(n->g, AGNODE, S("fontcolor"), S("#111111"));
    agattr(n->g, AGNODE, S("color"), S("#333333"));
    agattr(n->g, AGEDGE, S("fontname"), S("Helvetica,Arial,sans-serif"));
    agattr(n->g, AGEDGE, S("fontsize"), S("8"));
    agattr(n->g, AGEDGE, S("fontcolor"), S("#333333"));
    agattr(n->g, AGEDGE, S("color"), S("#555555"));
    if (add_people(n) != 0)
        goto nomem;
    json_array_foreach(json_object_get(doc, "events"), i, e)
    {
        if (add_record(n, e) != 0)
            goto nomem;
    }
    if (n->c.people + n->c.records > REPORT_GRAPH_BIG) {
        /* dot's crossing minimisation and network simplex cut short: a
         * tangle of 2,500 nodes took 7 minutes, 28 s with these. */
        set(n->g, "mclimit", "0.1");
        set(n->g, "nslimit", "1");
        set(n->g, "nslimit1", "1");
        set(n->g, "searchsize", "10");
        set(n->g, "remincross", "false");
    }
    return 0;
nomem:
    agclose(n->g);
    n->g = NULL;
    return SEEN_ENOMEM;
}

/**
 * report_graph_dot(doc, out, len, counts):
 * Build the network of the chronology ${doc} (checked by report_check)
 * and write it as DOT, not laid out.  On success *${out} is the text
 * (*${len} bytes and a NUL; the caller frees) and, when ${counts} is not
 * NULL, *${counts} what it holds.
 * Returns 0; SEEN_ENOMEM; SEEN_ERR when Graphviz fails (logged).
 */
int
report_graph_dot(
    json_t *doc, char **out, size_t *len, struct report_graph_counts *counts)
{
    struct net n;
    FILE *f;
    int rc;

    *out = NULL;
    *len = 0;
    if ((rc = build(doc, &n)) != 0)
        return rc;
    if ((f = open_memstream(out, len)) == NULL) {
        agclose(n.g);
        return SEEN_ENOMEM;
    }
    rc = agwrite(n.g, f);
    agclose(n.g);
    if (fclose(f) != 0 || rc != 0) {
        free(*out);
        *out = NULL;
        seen_error("graphviz: cannot write the graph as DOT");
        return SEEN_ERR;
    }
    if (counts != NULL)
        *counts = n.c;
    return 0;
}

/*
 * Write the SVG ${svg} (${len} bytes, as gvRenderData gave it) to ${f}
 * from its <svg element on, with role, aria-label, title and desc.
 */
static int
svg_dress(FILE *f, const char *svg, size_t len, const char *label,
    const struct report_graph_counts *c)
{
    const char *start = NULL, *end;
    size_t i;

    for (i = 0; i + 4 <= len; i++)
        if (memcmp(svg + i, "<svg", 4) == 0) {
            start = svg + i;
            break;
        }
    if (start == NULL || (end = memchr(start, '>', len - i)) == NULL)
        return SEEN_ERR;
    fputs("<svg class=\"network\" role=\"img\" aria-label=\"", f);
    report_esc(f, label);
    fputs("\" aria-describedby=\"network-desc\"", f);
    fwrite(start + 4, 1, (size_t)(end - start - 4), f);
    fputs(">\n<title>", f);
    report_esc(f, label);
    fprintf(f,
        "</title>\n<desc id=\"network-desc\">%zu people, %zu records, %zu "
        "agencies and %zu local authorities, joined by %zu links: each "
        "person to the records that name them (labelled with their role), "
        "each record to the agency that holds it, each agency to its local "
        "authority.  The same network is listed as tables after this "
        "picture.</desc>",
        c->people, c->records, c->agencies, c->authorities, c->edges);
    fwrite(end + 1, 1, len - (size_t)(end + 1 - svg), f);
    return 0;
}

/**
 * report_graph_svg(doc, label, out, len, counts):
 * Build the network of ${doc}, lay it out with dot and render it as one
 * SVG element (no XML prolog), with role="img", aria-label ${label} and a
 * <title> (${label}) and <desc> first inside it, for inline use in HTML.
 * On success *${out} is the text (*${len} bytes and a NUL; the caller
 * frees) and, when ${counts} is not NULL, *${counts} what it holds.
 * Returns 0; SEEN_ENOMEM; SEEN_ERR when Graphviz fails (logged).
 */
int
report_graph_svg(json_t *doc, const char *label, char **out, size_t *len,
    struct report_graph_counts *counts)
{
    /*
     * One Graphviz context for the life of the process, never freed:
     * Graphviz 2.42's pango plugin remembers the last font name, a string
     * that the context's font table owns, so a layout in a second context
     * would read the first one's freed memory.
     */
    static GVC_t *gvc;
    struct net n;
    char *svg = NULL;
    unsigned int slen = 0;
    FILE *f;
    int rc;

    *out = NULL;
    *len = 0;
    if ((rc = build(doc, &n)) != 0)
        return rc;
    rc = SEEN_ERR;
    if (gvc == NULL && (gvc = gvContext()) == NULL)
        goto err0;
    if (gvLayout(gvc, n.g, "dot") != 0)
        goto err0;
    if (gvRenderData(gvc, n.g, "svg", &svg, &slen) != 0 || svg == NULL)
        goto err1;
    if ((f = open_memstream(out, len)) == NULL) {
        rc = SEEN_ENOMEM;
        goto err2;
    }
    rc = svg_dress(f, svg, slen, label, &n.c);
    if (fclose(f) != 0 && rc == 0)
        rc = SEEN_ENOMEM;
    if (rc != 0) {
        free(*out);
        *out = NULL;
        *len = 0;
    } else if (counts != NULL) {
        *counts = n.c;
    }
err2:
    gvFreeRenderData(svg);
err1:
    gvFreeLayout(gvc, n.g);
err0:
    agclose(n.g);
    if (rc == SEEN_ERR)
        seen_error("graphviz: cannot lay out or draw the network");
    return rc;
}
