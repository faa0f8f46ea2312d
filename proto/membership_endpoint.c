/*
 * membership_endpoint.c: the syntax of a member's endpoint
 * (proto/membership.h seen_membership_endpoint_valid): an address a peer
 * can reach, tcp://HOST:PORT.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/membership.h"

/* 1 if the IPv6 address ${a} (text, ${n} bytes) is one a peer can
 * reach: not the unspecified address (::), nor 0.0.0.0 mapped. */
static int
ipv6_ok(const char *a, size_t n)
{
    static const uint8_t mapped_any[16] = {[10] = 0xff, [11] = 0xff};
    struct in6_addr in;
    char buf[64];

    if (n == 0 || n >= sizeof buf)
        return 0;
    memcpy(buf, a, n);
    buf[n] = '\0';
    if (inet_pton(AF_INET6, buf, &in) != 1)
        return 0;
    return !IN6_IS_ADDR_UNSPECIFIED(&in) &&
           memcmp(in.s6_addr, mapped_any, 16) != 0;
}

/* 1 if the host name ${h} (${n} bytes of letters, digits, '-' and '.') is
 * not a wildcard: a dotted quad other than 0.0.0.0, or a name that is no
 * IPv4 address in any form inet_aton() reads ("0", "0x0", "127.1"). */
static int
ipv4_ok(const char *h, size_t n)
{
    struct in_addr in4;
    char buf[SEEN_MEMBERSHIP_ENDPOINT_MAX + 1], back[INET_ADDRSTRLEN];

    memcpy(buf, h, n);
    buf[n] = '\0';
    if (inet_aton(buf, &in4) == 0)
        return 1;
    /* A number: only as the dotted quad it prints as, and not the
     * wildcard. */
    return in4.s_addr != htonl(INADDR_ANY) &&
           inet_ntop(AF_INET, &in4, back, sizeof back) != NULL &&
           strcmp(back, buf) == 0;
}

/**
 * seen_membership_endpoint_valid(ep):
 * Return 1 if ${ep} is "tcp://HOST:PORT" with HOST a name of letters,
 * digits, '-' and '.', or an IPv6 address in brackets, and PORT a decimal
 * number from 1 to 65535 without leading zeros; at most
 * SEEN_MEMBERSHIP_ENDPOINT_MAX bytes.  Else 0: wildcards are not
 * endpoints a peer can reach, so a HOST that reads as an IPv4 address
 * must be a dotted quad other than 0.0.0.0 (no "0", "0x0" or "127.1"),
 * and one in brackets an IPv6 address other than :: and ::ffff:0.0.0.0;
 * '*' and port 0 are refused too.
 */
int
seen_membership_endpoint_valid(const char *ep)
{
    const char *host, *colon, *p;
    unsigned long port = 0;

    if (ep == NULL || strlen(ep) > SEEN_MEMBERSHIP_ENDPOINT_MAX ||
        strncmp(ep, "tcp://", 6) != 0)
        return 0;
    host = ep + 6;
    if ((colon = strrchr(host, ':')) == NULL || colon == host)
        return 0;
    if (host[0] == '[') {
        /* [IPv6], closed just before the port. */
        if (colon - host < 3 || colon[-1] != ']' ||
            !ipv6_ok(host + 1, (size_t)(colon - host - 2)))
            return 0;
    } else {
        for (p = host; p < colon; p++) {
            if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
                    (*p >= 'A' && *p <= 'Z') || *p == '-' || *p == '.'))
                return 0;
        }
        if (!ipv4_ok(host, (size_t)(colon - host)))
            return 0;
    }
    p = colon + 1;
    if (*p == '\0' || *p == '0' || strlen(p) > 5)
        return 0;
    for (; *p != '\0'; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        port = port * 10 + (unsigned long)(*p - '0');
    }
    return port >= 1 && port <= 65535;
}
