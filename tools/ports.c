/*
 * ports.c: whether a TCP port of loopback is free (ports.h).
 */
#include <netinet/in.h>
#include <stdint.h>
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
