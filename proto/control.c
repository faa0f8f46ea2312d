#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "common/home.h"
#include "common/log.h"
#include "proto/control.h"

struct seen_ctl {
    void *ctx;
    void *sock;
    char home[SEEN_PATH_LEN];
    long pid; /* the daemon's when opened: another is not the same one */
};

/**
 * seen_ctl_endpoint(home, buf, len):
 * Write the control endpoint of ${home} ("ipc://HOME/control.sock") to
 * ${buf}.  Returns ${buf}, or NULL if it does not fit.
 */
char *
seen_ctl_endpoint(const char *home, char *buf, size_t len)
{
    int n;

    n = snprintf(buf, len, "ipc://%s/control.sock", home);
    if (n < 0 || (size_t)n >= len || n - 6 >= 107) {
        seen_error("node home path too long for a control socket: '%s'",
            home);
        return NULL;
    }
    return buf;
}

/**
 * seen_ctl_open(home, out):
 * Connect to the daemon of node home ${home}.  Returns 0; SEEN_ENOTFOUND
 * when no daemon runs there (not logged: callers say so in their own
 * words); SEEN_ERR.
 */
int
seen_ctl_open(const char *home, struct seen_ctl **out)
{
    struct seen_ctl *c;
    char ep[SEEN_PATH_LEN];
    int zero = 0;
    /* Replies are not bounded: the client asked its own node, and an
     * audit export is as large as the exchange log.  The daemon's limit on
     * what it receives (SEEN_CTL_MAX_MSG) stays. */
    int64_t maxmsg = -1;
    long pid;

    *out = NULL;
    if (!seen_home_running(home, &pid))
        return SEEN_ENOTFOUND;
    if (seen_ctl_endpoint(home, ep, sizeof ep) == NULL)
        return SEEN_ERR;
    if ((c = calloc(1, sizeof *c)) == NULL)
        return SEEN_ENOMEM;
    snprintf(c->home, sizeof c->home, "%s", home);
    c->pid = pid;
    if ((c->ctx = zmq_ctx_new()) == NULL)
        goto err1;
    if ((c->sock = zmq_socket(c->ctx, ZMQ_REQ)) == NULL)
        goto err2;
    zmq_setsockopt(c->sock, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(c->sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
    if (zmq_connect(c->sock, ep) != 0)
        goto err3;
    *out = c;
    return SEEN_OK;

err3:
    zmq_close(c->sock);
err2:
    zmq_ctx_term(c->ctx);
err1:
    seen_error("cannot connect to the node's control socket: %s",
        zmq_strerror(zmq_errno()));
    free(c);
    return SEEN_ERR;
}

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
int
seen_ctl_call(struct seen_ctl *c, json_t *req, const void *data, size_t dlen,
    int timeout_ms, json_t **resp, char **rdata, size_t *rdlen)
{
    zmq_pollitem_t pi;
    zmq_msg_t m;
    json_error_t jerr;
    char *text;
    int more, rc, waited;
    long pid;

    *resp = NULL;
    if (rdata != NULL) {
        *rdata = NULL;
        *rdlen = 0;
    }
    if ((text = json_dumps(req, JSON_COMPACT)) == NULL)
        return SEEN_ENOMEM;
    rc = zmq_send(c->sock, text, strlen(text), data ? ZMQ_SNDMORE : 0);
    free(text);
    if (rc < 0 || (data && zmq_send(c->sock, data, dlen, 0) < 0)) {
        seen_error("control socket: %s", zmq_strerror(zmq_errno()));
        return SEEN_ERR;
    }
    /* Wait in slices, so that a daemon that dies is noticed at once
     * rather than at the end of a long timeout. */
    pi = (zmq_pollitem_t){c->sock, 0, ZMQ_POLLIN, 0};
    for (waited = 0;; waited += 500) {
        rc = zmq_poll(&pi, 1, timeout_ms - waited < 500 ? timeout_ms - waited
                                                         : 500);
        if (rc < 0 && zmq_errno() == EINTR)
            continue;
        if (rc != 0)
            break;
        if (waited + 500 >= timeout_ms)
            return SEEN_ETIMEDOUT;
        /* A daemon killed and restarted meanwhile is running, but the
         * new one never received the request: waiting would hang.  (A
         * daemon that had not yet written its pid when opened: 0.) */
        if (!seen_home_running(c->home, &pid) ||
            (c->pid > 0 && pid != c->pid))
            return SEEN_EIO;
        if (c->pid <= 0)
            c->pid = pid;
    }
    if (rc < 0)
        return SEEN_ERR;
    zmq_msg_init(&m);
    if (zmq_msg_recv(&m, c->sock, 0) < 0) {
        zmq_msg_close(&m);
        return SEEN_ERR;
    }
    *resp = json_loadb(zmq_msg_data(&m), zmq_msg_size(&m), 0, &jerr);
    more = zmq_msg_more(&m);
    zmq_msg_close(&m);
    while (more) {
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, c->sock, 0) < 0) {
            zmq_msg_close(&m);
            return SEEN_ERR;
        }
        if (rdata != NULL && *rdata == NULL &&
            (*rdata = malloc(zmq_msg_size(&m) + 1)) != NULL) {
            memcpy(*rdata, zmq_msg_data(&m), zmq_msg_size(&m));
            (*rdata)[zmq_msg_size(&m)] = '\0';
            *rdlen = zmq_msg_size(&m);
        }
        more = zmq_msg_more(&m);
        zmq_msg_close(&m);
    }
    if (*resp == NULL || !json_is_object(*resp)) {
        json_decref(*resp);
        *resp = NULL;
        return SEEN_EINVAL;
    }
    return SEEN_OK;
}

/**
 * seen_ctl_destroy(&c):
 * Close the connection.  Sets the caller's pointer to NULL; NULL or a
 * pointer to NULL is a no-op, so it is safe twice.
 */
void
seen_ctl_destroy(struct seen_ctl **pp)
{
    struct seen_ctl *c;

    if (pp == NULL || (c = *pp) == NULL)
        return;
    *pp = NULL;
    zmq_close(c->sock);
    zmq_ctx_term(c->ctx);
    free(c);
}

/**
 * seen_ctl_reply_error(fmt, ...):
 * Return a new reply {"ok": false, "error": TEXT} (caller decrefs), TEXT
 * formatted as printf() would, cut at 511 bytes; NULL when memory runs
 * out.
 */
json_t *
seen_ctl_reply_error(const char *fmt, ...)
{
    char buf[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return json_pack("{s:b, s:s}", "ok", 0, "error", buf);
}

/**
 * seen_ctl_reply_ok():
 * Return a new reply {"ok": true} (caller decrefs); NULL when memory runs
 * out.
 */
json_t *
seen_ctl_reply_ok(void)
{

    return json_pack("{s:b}", "ok", 1);
}

/**
 * seen_ctl_str(req, key):
 * Return the string member ${key} of the request ${req} (borrowed), or
 * NULL when it is absent, not a string, or empty.
 */
const char *
seen_ctl_str(json_t *req, const char *key)
{
    const char *s = json_string_value(json_object_get(req, key));

    return (s != NULL && s[0] != '\0') ? s : NULL;
}

/**
 * seen_ctl_rows_add(r, row):
 * Append ${row} (borrowed; NULL fails) to ${r} as one line of compact
 * JSON, keys in their order.  Returns 0 or SEEN_ENOMEM (${r} unchanged).
 * The caller frees r->p.
 */
int
seen_ctl_rows_add(struct seen_ctl_rows *r, json_t *row)
{
    char *t = row != NULL ? json_dumps(row, JSON_COMPACT | JSON_PRESERVE_ORDER)
                          : NULL;
    size_t n;
    void *p;

    if (t == NULL)
        return SEEN_ENOMEM;
    n = strlen(t);
    if (r->len + n + 2 > r->cap) {
        if ((p = realloc(r->p, (r->len + n + 2) * 2)) == NULL) {
            free(t);
            return SEEN_ENOMEM;
        }
        r->p = p;
        r->cap = (r->len + n + 2) * 2;
    }
    memcpy(r->p + r->len, t, n);
    r->p[r->len + n] = '\n';
    r->len += n + 1;
    r->p[r->len] = '\0';
    free(t);
    return SEEN_OK;
}
