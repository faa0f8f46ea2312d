/*
 * prometheus.c: a node's status in the Prometheus text exposition format
 * (prometheus.h).
 */
#include <string.h>

#include "tools/prometheus.h"

/* Write ${s} as a label value: backslash, double quote and newline
 * escaped. */
static void
label(FILE *f, const char *s)
{

    for (; s != NULL && *s != '\0'; s++) {
        if (*s == '\\' || *s == '"')
            fprintf(f, "\\%c", *s);
        else if (*s == '\n')
            fputs("\\n", f);
        else
            fputc(*s, f);
    }
}

/* The # HELP and # TYPE lines of metric ${name}. */
static void
head(FILE *f, const char *name, const char *type, const char *help)
{

    fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One sample: ${name}{${key}="${val}"} ${v}, without labels when ${key}
 * is NULL. */
static void
sample(FILE *f, const char *name, const char *key, const char *val, double v)
{

    fputs(name, f);
    if (key != NULL) {
        fprintf(f, "{%s=\"", key);
        label(f, val);
        fputs("\"}", f);
    }
    fprintf(f, " %.17g\n", v);
}

/* ${o}[${k}] as a number (0 when absent). */
static double
num(json_t *o, const char *k)
{

    return json_number_value(json_object_get(o, k));
}

/* A metric of one sample, from ${o}[${k}]. */
static void
one(FILE *f, const char *name, const char *type, const char *help,
    json_t *o, const char *k)
{

    if (json_object_get(o, k) == NULL)
        return;
    head(f, name, type, help);
    sample(f, name, NULL, NULL, num(o, k));
}

/* A metric with one sample per member of object ${o}, labelled ${key}. */
static void
each(FILE *f, const char *name, const char *type, const char *help,
    json_t *o, const char *key)
{
    const char *k;
    json_t *v;

    if (!json_is_object(o) || json_object_size(o) == 0)
        return;
    head(f, name, type, help);
    json_object_foreach(o, k, v)
    {
        if (json_is_number(v))
            sample(f, name, key, k, json_number_value(v));
    }
}

/* The feeds held, what their origins have signed, and the lag. */
static void
feeds(FILE *f, json_t *st)
{
    json_t *held = json_object_get(st, "feeds");
    json_t *sig = json_object_get(st, "feeds_signed");
    const char *k;
    json_t *v;
    double lag;

    each(f, "seen_feed_entries", "gauge",
        "Leaves of each member's feed this node holds.", held, "feed");
    if (!json_is_object(sig))
        return;
    head(f, "seen_feed_lag_entries", "gauge",
        "Leaves of each feed signed by its origin and not yet held here.");
    json_object_foreach(sig, k, v)
    {
        lag = json_number_value(v) - num(held, k);
        sample(f, "seen_feed_lag_entries", "feed", k, lag > 0 ? lag : 0);
    }
}

/* Per peer: connected, last heard, refusals and drops. */
static void
peers(FILE *f, json_t *st)
{
    static const struct {
        const char *name, *type, *help, *key;
    } m[] = {
        {"seen_peer_up", "gauge", "1 when the peer was heard from lately.",
            "connected"},
        {"seen_peer_last_seen_seconds", "gauge",
            "Seconds since the peer was last heard from.", "last_seen_s"},
        {"seen_peer_refused_total", "counter",
            "Envelopes of the peer refused since the node started.",
            "refused"},
        {"seen_peer_dropped_total", "counter",
            "Envelopes of the peer dropped over its fair share.", "dropped"},
        {"seen_peer_over_budget_total", "counter",
            "Requests of the peer beyond what it may be owed.", "over_budget"},
        {"seen_peer_bad_leaves_total", "counter",
            "ENTRIES of the peer with leaves their origin did not sign.",
            "bad_leaves"},
        {"seen_peer_received_total", "counter",
            "Envelopes of the peer opened since the node started.",
            "received"},
    };
    json_t *ps = json_object_get(st, "peers"), *p, *v;
    size_t i, j;

    if (json_array_size(ps) == 0)
        return;
    for (i = 0; i < sizeof m / sizeof m[0]; i++) {
        head(f, m[i].name, m[i].type, m[i].help);
        json_array_foreach(ps, j, p)
        {
            if ((v = json_object_get(p, m[i].key)) == NULL)
                continue;
            sample(f, m[i].name, "peer",
                json_string_value(json_object_get(p, "node")),
                json_is_boolean(v) ? json_is_true(v) : json_number_value(v));
        }
    }
}

/* Messages sent and received, by type. */
static void
messages(FILE *f, json_t *st)
{
    json_t *ms = json_object_get(st, "messages"), *v;
    const char *k, *dir[2] = {"sent", "received"};
    char name[64];
    int d;

    if (!json_is_object(ms))
        return;
    for (d = 0; d < 2; d++) {
        snprintf(name, sizeof name, "seen_messages_%s_total", dir[d]);
        head(f, name, "counter", d ? "Messages received, by type."
                                   : "Messages sent, by type.");
        json_object_foreach(ms, k, v)
            sample(f, name, "type", k, num(v, dir[d]));
    }
}

/* The transport's counters. */
static void
transport(FILE *f, json_t *st)
{
    json_t *t = json_object_get(st, "transport"), *v;
    const char *k;
    char name[96];

    json_object_foreach(t, k, v)
    {
        if (!json_is_number(v))
            continue;
        if (strcmp(k, "connections") == 0) {
            one(f, "seen_transport_connections", "gauge",
                "Connections open on the federation port.", t, k);
            continue;
        }
        snprintf(name, sizeof name, "seen_transport_%s%s_total", k,
            strstr(k, "bytes") || strcmp(k, "sent") == 0 ||
                    strcmp(k, "received") == 0
                ? (strstr(k, "bytes") ? "" : "_messages")
                : "");
        head(f, name, "counter", "The transport's count since start "
                                 "(docs/spec/cli.md, transport).");
        sample(f, name, NULL, NULL, json_number_value(v));
    }
}

/* The exchange log: leaves, the signed checkpoint, leaves not signed. */
static void
xlog(FILE *f, json_t *st)
{
    json_t *x = json_object_get(st, "exchange_log");
    double n = num(x, "leaves"), cp = num(x, "checkpoint");

    if (!json_is_object(x))
        return;
    one(f, "seen_exchange_log_leaves", "gauge",
        "Leaves of this node's exchange log.", x, "leaves");
    one(f, "seen_exchange_log_checkpoint_leaves", "gauge",
        "Leaves covered by this node's latest signed checkpoint.", x,
        "checkpoint");
    head(f, "seen_exchange_log_unsigned_leaves", "gauge",
        "Leaves of the exchange log not yet covered by a signed "
        "checkpoint.");
    sample(f, "seen_exchange_log_unsigned_leaves", NULL, NULL,
        n > cp ? n - cp : 0);
    head(f, "seen_exchange_log_halted", "gauge",
        "1 when the node refuses to sign checkpoints (docs/operations.md).");
    sample(f, "seen_exchange_log_halted", NULL, NULL,
        json_is_true(json_object_get(x, "halted")));
    head(f, "seen_restore_recovering", "gauge",
        "1 while a node restored from a backup takes its own feed back from "
        "its peers and publishes nothing (docs/operations.md).");
    sample(f, "seen_restore_recovering", NULL, NULL,
        json_is_object(json_object_get(st, "restore")));
    head(f, "seen_operators_peer", "gauge",
        "1 when operators are checked by their Unix user (peer mode), 0 "
        "when --as is a claim.");
    sample(f, "seen_operators_peer", NULL, NULL,
        json_is_string(json_object_get(st, "operators")) &&
            strcmp(json_string_value(json_object_get(st, "operators")),
                "peer") == 0);
}

/* The store's room. */
static void
store(FILE *f, json_t *st)
{
    static const char *const bytes[] = {"used_bytes", "file_bytes",
        "map_bytes", "limit_bytes", "left_bytes", "disk_free_bytes"};
    static const char *const states[] = {"ok", "nearly_full", "full"};
    json_t *s = json_object_get(st, "store");
    const char *state = json_string_value(json_object_get(s, "state"));
    char name[64];
    size_t i;

    if (!json_is_object(s))
        return;
    for (i = 0; i < sizeof bytes / sizeof bytes[0]; i++) {
        snprintf(name, sizeof name, "seen_store_%s", bytes[i]);
        one(f, name, "gauge", "The store's room (docs/spec/cli.md, store).",
            s, bytes[i]);
    }
    one(f, "seen_store_writes_refused_total", "counter",
        "Writes refused because the store was full.", s, "writes_refused");
    head(f, "seen_store_state", "gauge",
        "1 for the store's state: ok, nearly_full or full.");
    for (i = 0; i < sizeof states / sizeof states[0]; i++)
        sample(f, "seen_store_state", "state", states[i],
            state != NULL && strcmp(state, states[i]) == 0);
}

/* Disclosure: waiting for a decision, taken, refused. */
static void
disclosure(FILE *f, json_t *st)
{
    json_t *d = json_object_get(st, "disclosure");

    if (!json_is_object(d))
        return;
    one(f, "seen_disclosure_requests_waiting", "gauge",
        "Requests received that wait for a lead's decision.", d, "waiting");
    one(f, "seen_disclosure_oldest_waiting_seconds", "gauge",
        "Seconds the oldest request waiting for a decision has waited.", d,
        "oldest_waiting_s");
    one(f, "seen_disclosure_requests_taken_total", "counter",
        "Disclosure requests taken since start.", d, "requests_taken");
    each(f, "seen_disclosure_refused_total", "counter",
        "Disclosure requests and answers refused since start, by reason.",
        json_object_get(d, "refused"), "reason");
}

/* A custodian's service (issue 16): what it served and refused. */
static void
custodian(FILE *f, json_t *st)
{
    json_t *c = json_object_get(st, "custodian");

    if (!json_is_object(c) || !json_is_true(json_object_get(c, "serving")))
        return;
    one(f, "seen_custodian_requests_served_total", "counter",
        "OPRF requests this custodian served since start.", c, "served");
    one(f, "seen_custodian_requests_refused_total", "counter",
        "OPRF requests this custodian refused since start.", c, "refused");
    one(f, "seen_custodian_evaluations_total", "counter",
        "Blinded elements this custodian evaluated since start.", c,
        "evaluations");
    one(f, "seen_custodian_evaluations_today", "gauge",
        "Blinded elements evaluated today (UTC), every member.", c, "today");
    one(f, "seen_custodian_journal_pending_bytes", "gauge",
        "Journal bytes not yet folded into the exchange log.", c,
        "journal_pending");
}

/**
 * prom_write(f, status):
 * Write the metrics of the status object ${status} to ${f}: every metric
 * named seen_..., counters ending _total, units in the names (docs/
 * operations.md, "Metrics", lists them).  With ${status} NULL (no node
 * answered) only seen_up 0.
 */
void
prom_write(FILE *f, json_t *st)
{
    json_t *info;

    head(f, "seen_up", "gauge", "1 when the node answered.");
    sample(f, "seen_up", NULL, NULL, st != NULL);
    if (st == NULL)
        return;
    head(f, "seen_node_info", "gauge",
        "The node's name, type, local authority and version.");
    fputs("seen_node_info{node=\"", f);
    label(f, json_string_value(json_object_get(st, "node")));
    fputs("\",type=\"", f);
    label(f, json_string_value(json_object_get(st, "type")));
    fputs("\",local_authority=\"", f);
    label(f, json_string_value(json_object_get(st, "local_authority")));
    fputs("\",version=\"", f);
    label(f, json_string_value(json_object_get(st, "version")));
    fputs("\"} 1\n", f);
    info = st;
    one(f, "seen_uptime_seconds", "gauge", "Seconds since the node started.",
        info, "uptime");
    one(f, "seen_records", "gauge", "This node's own records held.", info,
        "records");
    one(f, "seen_index_entries", "gauge",
        "Live index entries held, of every member.", info, "entries");
    one(f, "seen_entries_replicated_total", "counter",
        "Entries received from peers since start.", info,
        "entries_replicated");
    one(f, "seen_matching_behind_entries", "gauge",
        "Leaves of the feeds held that the matcher has not reached yet.",
        json_object_get(st, "matching"), "behind");
    one(f, "seen_entries_expired_total", "counter",
        "Entries of other nodes dropped past their expiry since start.",
        json_object_get(st, "matching"), "expired");
    one(f, "seen_alerts_open", "gauge",
        "Alerts no lead has acknowledged.", info, "alerts_open");
    feeds(f, st);
    peers(f, st);
    each(f, "seen_refused_total", "counter",
        "Envelopes and requests refused since start, by reason.",
        json_object_get(st, "refused"), "reason");
    messages(f, st);
    transport(f, st);
    xlog(f, st);
    store(f, st);
    disclosure(f, st);
    custodian(f, st);
}
