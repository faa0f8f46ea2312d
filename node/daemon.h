/*
 * daemon.h: the seen-node daemon: one node's store, keys and control
 * socket, served from a single-threaded zmq_poll loop.
 */
#ifndef SEEN_DAEMON_H
#define SEEN_DAEMON_H

#include <stddef.h>

#include "common/seen.h"

/**
 * seen_daemon_run(home, pass, passlen):
 * Run the node whose home is ${home} until SIGTERM, SIGINT or a "stop"
 * command: unlock its keystore with ${pass}, open its store, bind its
 * control socket, and serve.  ${pass} is not retained.  Returns 0 after a
 * clean stop; SEEN_EAUTH for a wrong passphrase; SEEN_EEXIST when a
 * daemon already runs on ${home}; another code when the node cannot
 * start (each logged).
 */
SEEN_MUST_CHECK int seen_daemon_run(const char *home, const char *pass,
    size_t passlen);

#endif /* !SEEN_DAEMON_H */
