/*
 * seen federation show FILE --authority HEX: verify a membership document
 * against the authority key and print it (the federation tool's other
 * subcommands are in cmd_federation.c).
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/file.h"
#include "common/hex.h"
#include "proto/enums.h"
#include "proto/membership.h"
#include "tools/cli.h"

#include "seen.pb-c.h"

static const char show_usage[] =
    "usage: seen federation show FILE --authority HEX [--json]\n"
    "\n"
    "Verify the membership document FILE against the authority public key\n"
    "HEX (64 hex digits, as 'seen federation init' printed) and print it:\n"
    "federation, version, issue time, epoch, and each member with its\n"
    "status and whether it holds a grant of the epoch's match key (never\n"
    "the key).  --json prints one line: {\"federation\", \"version\",\n"
    "\"issued\", \"epoch\", \"links\", \"token_bytes\", \"authority\",\n"
    "\"members\": [{\"name\", "
    "\"agency\",\n"
    "\"type\", \"local_authority\", \"sign_pk\", \"curve_pk\", \"endpoint\",\n"
    "\"status\", \"granted\"}, ...]}.  Exit 1 if it does not verify.\n";

/* Add to ${j} "oprf": {"threshold", "custodians": [{"name", "index",
 * "endpoint"}]} when ${m} is an OPRF epoch.  Returns 0 or -1. */
static int
oprf_json(const struct seen_membership *m, json_t *j)
{
    struct seen_membership_custodian c;
    unsigned int t;
    json_t *arr;
    size_t i, n = seen_membership_oprf(m, &t, NULL);

    if (n == 0)
        return 0;
    if ((arr = json_array()) == NULL ||
        json_object_set_new(j, "oprf",
            json_pack("{s:I, s:o}", "threshold", (json_int_t)t,
                "custodians", arr)) != 0)
        return -1;
    for (i = 0; i < n; i++)
        if (seen_membership_custodian(m, i, &c) != 0 ||
            json_array_append_new(arr, json_pack("{s:s, s:I, s:s}", "name",
                c.name, "index", (json_int_t)c.index, "endpoint",
                c.endpoint)) != 0)
            return -1;
    return 0;
}

/* Print the verified document ${m} of authority ${hex} on one line. */
static int
show_json(const struct seen_membership *m, const char *hex)
{
    const Seen__Member *mb;
    char signhex[65], curvehex[65];
    json_t *j, *arr;
    size_t i, n = seen_membership_count(m);
    int rc = -1;

    if ((arr = json_array()) == NULL)
        return -1;
    j = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:s, s:o}", "federation",
        seen_membership_federation(m), "version",
        (json_int_t)seen_membership_version(m), "issued",
        (json_int_t)seen_membership_issued(m), "epoch",
        (json_int_t)seen_membership_epoch(m), "links",
        (json_int_t)seen_membership_links(m), "token_bytes",
        (json_int_t)seen_membership_token_bytes(m), "authority", hex,
        "members",
        arr);
    if (j == NULL)
        return -1;
    for (i = 0; i < n; i++) {
        mb = seen_membership_member(m, i);
        sodium_bin2hex(signhex, sizeof signhex, mb->sign_pk.data, 32);
        sodium_bin2hex(curvehex, sizeof curvehex, mb->curve_pk.data, 32);
        if (json_array_append_new(arr,
                json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b}",
                    "name", mb->name, "agency", mb->agency, "type",
                    seen_membership_type_name(mb->type), "local_authority",
                    mb->local_authority, "sign_pk", signhex, "curve_pk",
                    curvehex, "endpoint", mb->endpoint, "status",
                    seen_membership_active(mb) ? "active" : "revoked",
                    "granted",
                    seen_membership_granted(m, mb->sign_pk.data))) != 0)
            goto done;
    }
    if (oprf_json(m, j) != 0)
        goto done;
    cli_print_json(j);
    rc = 0;
done:
    json_decref(j);
    return rc;
}

/* Print the verified document ${m} of authority ${hex} for people. */
static void
show_text(const struct seen_membership *m, const char *hex)
{
    const Seen__Member *mb;
    char signhex[65], when[32];
    size_t i, n = seen_membership_count(m), nactive = 0, nc;
    struct seen_membership_custodian c;
    unsigned int thr;
    struct tm tm;
    time_t t = (time_t)seen_membership_issued(m);

    for (i = 0; i < n; i++)
        nactive += seen_membership_active(seen_membership_member(m, i));
    if (gmtime_r(&t, &tm) == NULL ||
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(when, sizeof when, "%llu",
            (unsigned long long)seen_membership_issued(m));
    printf("federation: %s\nversion: %llu\nissued: %s\nauthority: %s\n",
        seen_membership_federation(m),
        (unsigned long long)seen_membership_version(m), when, hex);
    if ((nc = seen_membership_oprf(m, &thr, NULL)) > 0)
        printf("OPRF epoch: %u (%u of %zu custodians)\n",
            seen_membership_epoch(m), thr, nc);
    else
        printf("match-key epoch: %u\n", seen_membership_epoch(m));
    printf("members: %zu (%zu active, %zu revoked)\n", n, nactive,
        n - nactive);
    for (i = 0; i < n; i++) {
        mb = seen_membership_member(m, i);
        sodium_bin2hex(signhex, sizeof signhex, mb->sign_pk.data, 32);
        printf("  %-24s %-8s %-13s %-20s %s%s\n      id %s\n", mb->name,
            seen_membership_active(mb) ? "active" : "revoked",
            seen_membership_type_name(mb->type), mb->local_authority,
            mb->endpoint,
            nc > 0 || seen_membership_granted(m, mb->sign_pk.data)
                ? ""
                : " (no key)",
            signhex);
        if (seen_membership_custodian_of(m, mb->sign_pk.data, &c) == 0)
            printf("      custodian %u at %s\n", c.index, c.endpoint);
    }
}

int
cmd_federation_show(struct cli *cli, int argc, char **argv)
{
    const char *hex = NULL, *file;
    int rc, json = 0, ret = 0;
    const struct cli_opt opts[] = {
        {"authority", &hex, NULL},
        {"json", NULL, &json},
        {NULL, NULL, NULL},
    };
    struct seen_membership *m = NULL;
    uint8_t apk[32], *buf = NULL;
    size_t len;

    if ((rc = cli_getopt(cli, argc, argv, show_usage, opts)) != CLI_CONTINUE)
        return rc;
    if (optind + 1 != argc)
        return cli_usage(cli, show_usage, "give one FILE");
    file = argv[optind];
    if (hex == NULL)
        return cli_usage(cli, show_usage, "--authority is required");
    if (strlen(hex) != 64 || seen_hex_decode(apk, 32, hex) != 0)
        return cli_usage(cli, show_usage, "--authority: 64 hex digits");
    if (seen_file_read(file, SEEN_MEMBERSHIP_MAX_BYTES, &buf, &len) != 0)
        return cli_fail(cli, "cannot read '%s': %s", file, strerror(errno));
    rc = seen_membership_open(buf, len, apk, &m);
    free(buf);
    if (rc == SEEN_EAUTH)
        return cli_fail(cli, "'%s' is not signed by authority %s", file, hex);
    if (rc != 0)
        return cli_fail(cli, "'%s' is not a valid membership document", file);
    if (json && show_json(m, hex) != 0)
        ret = cli_fail(cli, "cannot print the document");
    else if (!json)
        show_text(m, hex);
    seen_membership_destroy(&m);
    return ret;
}

