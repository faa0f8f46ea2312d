/*
 * report_graph.h: the network of a chronology (tools/report.h) as a
 * Graphviz graph: the subject, siblings, other children, the adults and
 * the perpetrator; the records (households) that hold them; the agencies
 * that hold the records and the local authorities of both.  Built with
 * libcgraph; laid out by dot and drawn as SVG with libgvc.
 *
 * Each node's kind is in its shape, its first line of text and its SVG
 * class ("person subject", "person perpetrator", "record", "agency",
 * "authority"), never in its colour alone.
 */
#ifndef SEEN_REPORT_GRAPH_H
#define SEEN_REPORT_GRAPH_H

#include <jansson.h>
#include <stddef.h>

/* What a network holds, for text alternatives and tests. */
struct report_graph_counts {
    size_t people, records, agencies, authorities, edges;
};

/**
 * report_graph_dot(doc, out, len, counts):
 * Build the network of the chronology ${doc} (checked by report_check)
 * and write it as DOT, not laid out.  On success *${out} is the text
 * (*${len} bytes and a NUL; the caller frees) and, when ${counts} is not
 * NULL, *${counts} what it holds.
 * Returns 0; SEEN_ENOMEM; SEEN_ERR when Graphviz fails (logged).
 */
int report_graph_dot(
    json_t *doc, char **out, size_t *len, struct report_graph_counts *counts);

/**
 * report_graph_svg(doc, label, out, len, counts):
 * Build the network of ${doc}, lay it out with dot and render it as one
 * SVG element (no XML prolog), with role="img", aria-label ${label} and a
 * <title> (${label}) and <desc> first inside it, for inline use in HTML.
 * On success *${out} is the text (*${len} bytes and a NUL; the caller
 * frees) and, when ${counts} is not NULL, *${counts} what it holds.
 * Returns 0; SEEN_ENOMEM; SEEN_ERR when Graphviz fails (logged).
 */
int report_graph_svg(json_t *doc, const char *label, char **out, size_t *len,
    struct report_graph_counts *counts);

#endif /* !SEEN_REPORT_GRAPH_H */
