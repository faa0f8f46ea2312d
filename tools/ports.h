/*
 * ports.h: whether a TCP port of loopback is free, for the CLI's lab
 * (cmd_lab.c, which chooses its nodes' ports) and the tests (which
 * choose their listeners' the same way).
 */
#ifndef SEEN_TOOLS_PORTS_H
#define SEEN_TOOLS_PORTS_H

/**
 * seen_port_free(port):
 * Return 1 when nothing holds TCP port ${port} on 127.0.0.1: it can be
 * bound and listened on, with SO_REUSEADDR as ZeroMQ binds (so a
 * connection left in TIME_WAIT does not count); else 0.
 */
int seen_port_free(int port);

#endif /* !SEEN_TOOLS_PORTS_H */
