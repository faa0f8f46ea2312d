/*
 * prometheus.h: a node's status (`seen status --json`) in the Prometheus
 * text exposition format, for node_exporter's textfile collector
 * (`seen status --prometheus`).
 */
#ifndef SEEN_TOOLS_PROMETHEUS_H
#define SEEN_TOOLS_PROMETHEUS_H

#include <jansson.h>
#include <stdio.h>

/**
 * prom_write(f, status):
 * Write the metrics of the status object ${status} to ${f}: every metric
 * named seen_..., counters ending _total, units in the names (docs/
 * operations.md, "Metrics", lists them).  With ${status} NULL (no node
 * answered) only seen_up 0.
 */
void prom_write(FILE *f, json_t *status);

#endif /* !SEEN_TOOLS_PROMETHEUS_H */
