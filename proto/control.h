/*
 * control.h: the local control socket between the `seen` CLI and its
 * node's daemon.
 *
 * A ZeroMQ REQ (client) / ROUTER (daemon) pair over ipc://HOME/control.sock;
 * HOME is mode 0700 and the socket 0600, so only the node's owner can
 * connect (in peer mode the socket is 0660 of HOME's group, HOME may be
 * 0710, and the daemon checks each request's Unix uid: docs/operations.md,
 * "Operators who are people").  A request is one JSON object frame
 * ({"cmd": NAME, ...}), optionally followed by one binary frame (import
 * lines).  A reply is one
 * JSON object frame ({"ok": true, ...} or {"ok": false, "error": TEXT}),
 * optionally followed by one binary frame (newline-delimited JSON rows).
 * docs/protocol.md lists every command.
 */
#ifndef SEEN_CONTROL_H
#define SEEN_CONTROL_H

#include <jansson.h>
#include <stddef.h>

#include "common/seen.h"

#define SEEN_CTL_MAX_MSG (64u << 20) /* largest frame accepted */

struct seen_ctl;

/**
 * seen_ctl_open(home, out):
 * Connect to the daemon of node home ${home}.  Returns 0; SEEN_ENOTFOUND
 * when no daemon runs there (not logged: callers say so in their own
 * words); SEEN_ERR.
 */
SEEN_MUST_CHECK int seen_ctl_open(const char *home, struct seen_ctl **out);

/**
 * seen_ctl_call(c, req, data, dlen, timeout_ms, resp, rdata, rdlen):
 * Send ${req} (and ${dlen} bytes of ${data} as a second frame when
 * ${data} is not NULL) and wait up to ${timeout_ms} for the reply.  On
 * success *${resp} is the reply object (caller decrefs) and, when
 * ${rdata} is not NULL, *${rdata} a malloc'd copy of the reply's binary
 * frame (NUL-terminated; NULL if none) of *${rdlen} bytes.  Returns 0
 * (whether or not the reply says "ok"); SEEN_ETIMEDOUT; SEEN_EIO when the
 * daemon stops meanwhile, or another takes its place (one killed and
 * restarted never received the request); SEEN_EINVAL for a reply that
 * is not a JSON object; SEEN_ERR.  After a failure ${c} can only be
 * closed.
 */
SEEN_MUST_CHECK int seen_ctl_call(struct seen_ctl *c, json_t *req,
    const void *data, size_t dlen, int timeout_ms, json_t **resp,
    char **rdata, size_t *rdlen);

/**
 * seen_ctl_destroy(&c):
 * Close the connection.  Sets the caller's pointer to NULL; NULL or a
 * pointer to NULL is a no-op, so it is safe twice.
 */
void seen_ctl_destroy(struct seen_ctl **pp);

/**
 * seen_ctl_endpoint(home, buf, len):
 * Write the control endpoint of ${home} ("ipc://HOME/control.sock") to
 * ${buf}.  Returns ${buf}, or NULL if it does not fit.
 */
char *seen_ctl_endpoint(const char *home, char *buf, size_t len);

/*
 * The daemon's side: building replies and reading requests, for every
 * module that serves control commands.
 */

/**
 * seen_ctl_reply_error(fmt, ...):
 * Return a new reply {"ok": false, "error": TEXT} (caller decrefs), TEXT
 * formatted as printf() would, cut at 511 bytes; NULL when memory runs
 * out.
 */
json_t *seen_ctl_reply_error(const char *fmt, ...) SEEN_PRINTF(1, 2);

/**
 * seen_ctl_reply_ok():
 * Return a new reply {"ok": true} (caller decrefs); NULL when memory runs
 * out.
 */
json_t *seen_ctl_reply_ok(void);

/* A reply's NDJSON rows (the binary frame), built one row at a time. */
struct seen_ctl_rows {
    char *p;          /* malloc'd, NUL-terminated; NULL while empty */
    size_t len, cap;  /* bytes used (no NUL), bytes allocated */
};

/**
 * seen_ctl_rows_add(r, row):
 * Append ${row} (borrowed; NULL fails) to ${r} as one line of compact
 * JSON, keys in their order.  Returns 0 or SEEN_ENOMEM (${r} unchanged).
 * The caller frees r->p.
 */
SEEN_MUST_CHECK int seen_ctl_rows_add(struct seen_ctl_rows *r, json_t *row);

/**
 * seen_ctl_str(req, key):
 * Return the string member ${key} of the request ${req} (borrowed), or
 * NULL when it is absent, not a string, or empty.
 */
const char *seen_ctl_str(json_t *req, const char *key);

#endif /* !SEEN_CONTROL_H */
