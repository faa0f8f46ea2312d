/*
 * seen federation custodians AUTHDIR --threshold T NAME[=ENDPOINT]...:
 * a new OPRF epoch (issue 16; docs/protocol.md, "OPRF epochs").  A random
 * OPRF key is split T of N among the members named, each share sealed to
 * its custodian's curve_pk (seen_membership_deal); the whole key is wiped
 * as soon as it is split and never written.  state.json keeps the new
 * epoch and the dealt OprfKey (public: k·G, each share·G, the sealed
 * shares), which the next `sign` writes into the document in place of the
 * match-key grants.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/home.h"
#include "crypto/oprf.h"
#include "proto/membership.h"
#include "tools/cli.h"
#include "tools/federation.h"

#include "seen.pb-c.h"

#define CUSTODIAN_PORT_OFFSET 1000 /* default: the member's port + 1000 */

static const char custodians_usage[] =
    "usage: seen federation custodians AUTHDIR --threshold T "
    "NAME[=ENDPOINT]...\n"
    "\n"
    "Begin a new OPRF epoch: a random OPRF key split T of N among the N\n"
    "active members NAME (its custodians), each share sealed to its\n"
    "member; the whole key is never written.  Each custodian serves\n"
    "evaluations at ENDPOINT (tcp://HOST:PORT; default: the member's\n"
    "endpoint with its port + 1000).  The next 'sign' writes the epoch's\n"
    "key in place of the match key (docs/protocol.md, \"OPRF epochs\").\n";

/*
 * The endpoint of custodian ${arg} ("NAME" or "NAME=ENDPOINT") of ${st}
 * into ${ep}, and its member into ${fm}.  Returns 0, or prints why not: 1.
 */
static int
custodian_arg(const struct cli *cli, const struct fed_state *st,
    const char *arg, struct fed_member *fm, char ep[SEEN_PATH_LEN])
{
    char name[64];
    const char *eq = strchr(arg, '='), *colon;
    size_t nl = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
    json_t *mj;
    long port;

    if (nl == 0 || nl >= sizeof name)
        return cli_fail(cli, "'%s' is not NAME or NAME=ENDPOINT", arg);
    memcpy(name, arg, nl);
    name[nl] = '\0';
    if ((mj = fed_state_member(st, name)) == NULL)
        return cli_fail(cli, "no member is named '%s'", name);
    if (fed_member_from_json(mj, fm) != 0 ||
        fm->mb.status != SEEN__MEMBER_STATUS__ACTIVE)
        return cli_fail(cli, "'%s' is not an active member", name);
    if (eq != NULL) {
        if (!seen_membership_endpoint_valid(eq + 1))
            return cli_fail(cli, "'%s': the endpoint is not tcp://HOST:PORT",
                name);
        snprintf(ep, SEEN_PATH_LEN, "%s", eq + 1);
        return 0;
    }
    colon = strrchr(fm->mb.endpoint, ':');
    port = strtol(colon + 1, NULL, 10) + CUSTODIAN_PORT_OFFSET;
    if (port > 65535)
        return cli_fail(cli,
            "'%s': its port + %d is over 65535: give NAME=ENDPOINT", name,
            CUSTODIAN_PORT_OFFSET);
    snprintf(ep, SEEN_PATH_LEN, "%.*s:%ld", (int)(colon - fm->mb.endpoint),
        fm->mb.endpoint, port);
    return 0;
}

/*
 * Deal the key of ${epoch} among the ${n} custodians ${args} of ${st},
 * ${t} of them needed, into *${hex} (the encoded OprfKey in hex,
 * malloc'd).  Returns 0, or prints why not: 1.
 */
static int
deal(const struct cli *cli, const struct fed_state *st, unsigned int t,
    char **args, size_t n, uint32_t epoch, char **hex)
{
    struct fed_member *fm = calloc(n, sizeof(*fm));
    const Seen__Member **mbs = calloc(n, sizeof(*mbs));
    char (*eps)[SEEN_PATH_LEN] = calloc(n, sizeof(*eps));
    const char **epp = calloc(n, sizeof(*epp));
    uint8_t *enc = NULL;
    size_t i, j, len;
    int ret = 1;

    *hex = NULL;
    if (fm == NULL || mbs == NULL || eps == NULL || epp == NULL) {
        cli_fail(cli, "out of memory");
        goto done;
    }
    for (i = 0; i < n; i++) {
        if (custodian_arg(cli, st, args[i], &fm[i], eps[i]) != 0)
            goto done;
        for (j = 0; j < i; j++)
            if (strcmp(fm[j].mb.name, fm[i].mb.name) == 0) {
                cli_fail(cli, "'%s' is named twice", fm[i].mb.name);
                goto done;
            }
        mbs[i] = &fm[i].mb;
        epp[i] = eps[i];
    }
    if (seen_membership_deal(epoch, t, mbs, epp, n, &enc, &len) != 0) {
        cli_fail(cli, "cannot deal the key");
        goto done;
    }
    if ((*hex = malloc(2 * len + 1)) == NULL) {
        cli_fail(cli, "out of memory");
        goto done;
    }
    sodium_bin2hex(*hex, 2 * len + 1, enc, len);
    ret = 0;
done:
    free(enc);
    free(epp);
    free(eps);
    free(mbs);
    free(fm);
    return ret;
}

int
fed_custodians(struct cli *cli, int argc, char **argv)
{
    const char *targ = NULL, *dir;
    const struct cli_opt opts[] = {
        {"threshold", &targ, NULL}, {NULL, NULL, NULL}};
    struct fed_state st;
    char *hex = NULL, *end;
    size_t n;
    long t;
    int rc, lock, ret = 1;

    if ((rc = cli_getopt(cli, argc, argv, custodians_usage, opts)) !=
        CLI_CONTINUE)
        return rc;
    if (optind + 2 > argc)
        return cli_usage(cli, custodians_usage,
            "give AUTHDIR and at least one custodian");
    if (targ == NULL)
        return cli_usage(cli, custodians_usage, "give --threshold T");
    dir = argv[optind];
    n = (size_t)(argc - optind - 1);
    t = strtol(targ, &end, 10);
    if (*end != '\0' || t < 1 || (size_t)t > n || n > SEEN_OPRF_SHARES_MAX)
        return cli_fail(cli,
            "the threshold must be a number from 1 to the %zu custodians "
            "(at most %d)",
            n, SEEN_OPRF_SHARES_MAX);
    if ((lock = fed_authdir_lock(cli, dir)) == -1)
        return 1;
    if (fed_state_load(cli, dir, &st) != 0) {
        fed_authdir_unlock(lock);
        return 1;
    }
    if (st.epoch >= UINT32_MAX - 1) {
        cli_fail(cli, "no epochs left");
        goto done;
    }
    if (deal(cli, &st, (unsigned int)t, argv + optind + 1, n, st.epoch + 1,
            &hex) != 0)
        goto done;
    st.epoch++;
    if (json_object_set_new(st.root, "oprf", json_string(hex)) != 0 ||
        fed_state_save(cli, dir, &st) != 0)
        goto done;
    printf("OPRF epoch %u: a key split %ld of %zu among the custodians\n"
           "Publish with: seen federation sign %s\n",
        st.epoch, t, n, dir);
    ret = 0;
done:
    free(hex);
    fed_state_free(&st);
    fed_authdir_unlock(lock);
    return ret;
}
