/*
 * ports.c: whether a TCP port of loopback is free, and the kernel's
 * ephemeral range (ports.h).
 */
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tools/ports.h"

/**
 * seen_port_free(port):
 * Whether TCP port ${port} of 127.0.0.1 is free; see ports.h.
 */
int
seen_port_free(int port)
{
    struct sockaddr_in a;
    int s, one = 1, ok;

    if ((s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
        return 0;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)port);
    ok = setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0 &&
         bind(s, (struct sockaddr *)&a, sizeof a) == 0 && listen(s, 1) == 0;
    close(s);
    return ok;
}

/**
 * seen_ports_ephemeral(lo, hi):
 * The kernel's ephemeral port range; see ports.h.
 */
void
seen_ports_ephemeral(int *lo, int *hi)
{
    FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");

    if (f == NULL || fscanf(f, "%d %d", lo, hi) != 2) {
        *lo = 32768;
        *hi = 60999;
    }
    if (f != NULL)
        fclose(f);
}
