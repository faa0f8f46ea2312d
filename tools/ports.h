/*
 * ports.h: whether a TCP port of loopback is free, and the kernel's
 * ephemeral range, for the CLI's lab
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

/**
 * seen_ports_ephemeral(lo, hi):
 * The kernel's ephemeral port range (net.ipv4.ip_local_port_range), from
 * which outgoing connections take their ports, in *${lo} and *${hi}:
 * Linux's default, 32768-60999, when it cannot be read.
 */
void seen_ports_ephemeral(int *lo, int *hi);

#endif /* !SEEN_TOOLS_PORTS_H */
