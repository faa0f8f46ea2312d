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
    size_t i, n = seen_membership_count(m), nactive = 0;
    struct tm tm;
    time_t t = (time_t)seen_membership_issued(m);

    for (i = 0; i < n; i++)
        nactive += seen_membership_active(seen_membership_member(m, i));
    if (gmtime_r(&t, &tm) == NULL ||
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(when, sizeof when, "%llu",
            (unsigned long long)seen_membership_issued(m));
    printf("federation: %s\nversion: %llu\nissued: %s\nauthority: %s\n"
           "match-key epoch: %u\nmembers: %zu (%zu active, %zu "
           "revoked)\n",
        seen_membership_federation(m),
        (unsigned long long)seen_membership_version(m), when, hex,
        seen_membership_epoch(m), n, nactive, n - nactive);
    for (i = 0; i < n; i++) {
        mb = seen_membership_member(m, i);
        sodium_bin2hex(signhex, sizeof signhex, mb->sign_pk.data, 32);
        printf("  %-24s %-8s %-13s %-20s %s%s\n      id %s\n", mb->name,
            seen_membership_active(mb) ? "active" : "revoked",
            seen_membership_type_name(mb->type), mb->local_authority,
            mb->endpoint,
            seen_membership_granted(m, mb->sign_pk.data) ? "" : " (no key)",
            signhex);
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

