/*
 * probe_disclosure.c: seen-probe's disclosure actions
 * (probe_disclosure.h).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "common/seen.h"
#include "crypto/keys.h"
#include "proto/envelope.h"
#include "tests/probe/probe_disclosure.h"
#include "seen.pb-c.h"

/* Read handle number ${i} (in turn) of the file ${path} into ${h}. */
static int
handle_at(const char *path, unsigned long long i, uint8_t h[16])
{
    char line[128];
    unsigned long long n = 0, want;
    FILE *f;

    if (path == NULL) {
        fputs("seen-probe: this action needs --handles FILE\n", stderr);
        return -1;
    }
    if ((f = fopen(path, "r")) == NULL) {
        fprintf(stderr, "seen-probe: cannot open '%s'\n", path);
        return -1;
    }
    while (fgets(line, sizeof line, f) != NULL)
        n++;
    if (n == 0) {
        fclose(f);
        fprintf(stderr, "seen-probe: no handle in '%s'\n", path);
        return -1;
    }
    want = i % n;
    rewind(f);
    for (n = 0; fgets(line, sizeof line, f) != NULL; n++)
        if (n == want)
            break;
    fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    if (seen_hex_decode(h, 16, line) != 0) {
        fprintf(stderr, "seen-probe: not a handle: '%s'\n", line);
        return -1;
    }
    return 0;
}

/* A sealed DisclosureRequest of ${pd} with its reason chosen by
 * ${action}. */
static int
build_request(const char *action, const struct probe_disclosure *pd,
    uint8_t **buf, size_t *len)
{
    Seen__DisclosureRequest rq = SEEN__DISCLOSURE_REQUEST__INIT;
    uint8_t id[16], h[16], m[16], q[32], body[1024];
    size_t blen;

    if (handle_at(pd->handles, pd->i, h) != 0)
        return -1;
    randombytes_buf(id, sizeof id);
    rq.request_id = (ProtobufCBinaryData){16, id};
    rq.handle = (ProtobufCBinaryData){16, h};
    rq.operator_ = (char *)"lead";
    rq.purpose = (char *)"section 47 enquiry";
    rq.basis = SEEN__BASIS__SAFEGUARDING_CHILDREN;
    rq.time = pd->now;
    if (strcmp(action, "disclosure-unmatched") == 0) {
        randombytes_buf(m, sizeof m);
        rq.match = (ProtobufCBinaryData){16, m};
    } else if (strcmp(action, "disclosure-query") == 0) {
        randombytes_buf(q, sizeof q);
        rq.query_leaf = (ProtobufCBinaryData){32, q};
        rq.query_seq = pd->i;
    } else if (strcmp(action, "disclosure-matched") == 0) {
        if (pd->match == NULL || seen_hex_decode(m, 16, pd->match) != 0) {
            fputs("seen-probe: disclosure-matched needs --match HEX (32 "
                  "hex digits)\n", stderr);
            return -1;
        }
        rq.match = (ProtobufCBinaryData){16, m};
    }
    if ((blen = seen__disclosure_request__get_packed_size(&rq)) > sizeof body)
        return -1;
    seen__disclosure_request__pack(&rq, body);
    return seen_envelope_seal(pd->k, pd->to,
               SEEN__MSG_TYPE__DISCLOSURE_REQUEST, body, blen, NULL, pd->now,
               buf, len) == 0 ? 0 : -1;
}

/* A sealed DisclosureResponse to a request never sent. */
static int
build_answer(const struct probe_disclosure *pd, uint8_t **buf, size_t *len)
{
    Seen__DisclosureResponse r = SEEN__DISCLOSURE_RESPONSE__INIT;
    uint8_t id[16], sealed[96], body[256];
    size_t blen;

    randombytes_buf(id, sizeof id);
    randombytes_buf(sealed, sizeof sealed);
    r.request_id = (ProtobufCBinaryData){16, id};
    r.outcome = SEEN__OUTCOME__SHARED;
    r.decided = pd->now;
    r.sealed = (ProtobufCBinaryData){sizeof sealed, sealed};
    blen = seen__disclosure_response__get_packed_size(&r);
    if (blen > sizeof body)
        return -1;
    seen__disclosure_response__pack(&r, body);
    return seen_envelope_seal(pd->k, pd->to,
               SEEN__MSG_TYPE__DISCLOSURE_RESPONSE, body, blen, NULL,
               pd->now, buf, len) == 0 ? 0 : -1;
}

/**
 * probe_disclosure_build(action, pd, buf, len):
 * Build frame number pd->i of the disclosure ${action}, a sealed
 * envelope, into *${buf} (malloc'd; the caller frees) and *${len}:
 *   disclosure-bare       a DisclosureRequest with no reason on record
 *   disclosure-unmatched  one naming a random entry of the signer
 *   disclosure-query      one naming a made-up query leaf
 *   disclosure-matched    one naming --match, the signer's own entry
 *   disclosure-answer     a DisclosureResponse (SHARED) to a random
 *                         request id: an answer nobody asked for
 * Each request has a new random id and asks for the next handle of
 * --handles (in turn).  Returns 0, or -1 having said why not.
 */
int
probe_disclosure_build(const char *action,
    const struct probe_disclosure *pd, uint8_t **buf, size_t *len)
{

    if (strcmp(action, "disclosure-answer") == 0)
        return build_answer(pd, buf, len);
    return build_request(action, pd, buf, len);
}
