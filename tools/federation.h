/*
 * federation.h: private to tools/cmd_federation*.c: the authority
 * directory's state.json and its lock (cmd_federation.c), shared with the
 * subcommands kept in files of their own.
 */
#ifndef SEEN_TOOLS_FEDERATION_H
#define SEEN_TOOLS_FEDERATION_H

#include <stdint.h>

#include <jansson.h>

#include "tools/cli.h"

#include "seen.pb-c.h"

/* One member of state.json, decoded for seen_membership_build(). */
struct fed_member {
    Seen__Member mb;
    uint8_t sign_pk[32];
    uint8_t curve_pk[32];
};

/* state.json, loaded. */
struct fed_state {
    json_t *root; /* owns every string below */
    const char *federation;
    uint8_t authority_pk[32];
    uint64_t next_version;
    uint32_t epoch;
    uint32_t links; /* long-range links each way; 0: everyone */
    uint32_t token_bytes; /* of the entries members publish: 8 or 16 */
    /* The OPRF key dealt for an epoch (an encoded OprfKey, borrowed from
     * root: "oprf" in hex), or NULL; it is signed into the document only
     * while its epoch is the current one. */
    const char *oprf_hex;
    json_t *members; /* borrowed from root */
};

/* Take ${dir}'s lock, after checking it is an authority directory no one
 * else may enter.  Returns its descriptor, or prints why not: -1. */
int fed_authdir_lock(const struct cli *cli, const char *dir);

/* Release the lock ${fd} (-1: none). */
void fed_authdir_unlock(int fd);

/* Load AUTHDIR/state.json into ${st}.  Returns 0, or prints why not: 1. */
int fed_state_load(const struct cli *cli, const char *dir,
    struct fed_state *st);

/* Write ${st} back to AUTHDIR/state.json.  Returns 0, or prints why: 1. */
int fed_state_save(const struct cli *cli, const char *dir,
    struct fed_state *st);

/* Free what fed_state_load() loaded into ${st}. */
void fed_state_free(struct fed_state *st);

/* The member of ${st} named ${name} (borrowed from ${st}), or NULL. */
json_t *fed_state_member(const struct fed_state *st, const char *name);

/* Check the member ${j} of state.json and decode it into ${fm} (which
 * borrows ${j}'s strings).  Returns 0 or -1. */
int fed_member_from_json(json_t *j, struct fed_member *fm);

/* seen federation custodians (cmd_federation_custodians.c). */
cli_cmd_fn fed_custodians;

#endif /* !SEEN_TOOLS_FEDERATION_H */
