/*
 * report_html.h: a chronology (tools/report.h) as one self-contained HTML
 * page for a strategy discussion: the multi-agency chronology with one
 * lane per agency, the child's voice, the network (inline SVG, see
 * report_graph.h), the alerts, what this node does not know, a legend.
 *
 * The page loads nothing: its Content-Security-Policy allows only its own
 * inline style and data: images, and it holds no script.  Every value it
 * shows comes from the chronology, escaped; of the details of a record it
 * shows only the reference, summary, the child's words (or why they were
 * not captured) and the names of the people, never an address, postcode,
 * date of birth or identifier even when the chronology holds one.
 */
#ifndef SEEN_REPORT_HTML_H
#define SEEN_REPORT_HTML_H

#include <jansson.h>
#include <stddef.h>

/**
 * report_html(doc, out, len):
 * Render the chronology ${doc} (checked by report_check) as an HTML page.
 * On success *${out} is the page (*${len} bytes and a NUL; the caller
 * frees).  Returns 0; SEEN_ENOMEM; SEEN_ERR when the network could not
 * be drawn (logged).
 */
int report_html(json_t *doc, char **out, size_t *len);

#endif /* !SEEN_REPORT_HTML_H */
