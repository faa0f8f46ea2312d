/*
 * seen audit export DIR: write this node's exchange log, checkpoints,
 * cosignatures, peers' checkpoints, evidence and membership document to
 * DIR (docs/audit-format.md).
 * seen audit proof INDEX: this node's latest exchange-log checkpoint, a
 * C2SP signed note, with leaf INDEX and its inclusion proof, for any
 * C2SP-aware tool (tests/interop/verify.go).
 * seen audit verify EXPORT...: check exports without a node.
 */
#include <errno.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/home.h"
#include "crypto/merkle.h"
#include "crypto/note.h"
#include "proto/checkpoint.h"
#include "proto/control.h"
#include "storage/operators.h"
#include "storage/store.h"
#include "storage/unlock.h"
#include "tools/cli.h"
#include "xlog/audit.h"
#include "xlog/xlog.h"

static const char audit_usage[] =
    "usage: seen --home DIR --as AUDITOR audit export OUTDIR\n"
    "       seen --home DIR --as AUDITOR audit proof [--json] INDEX\n"
    "       seen audit verify [--json] [--authority HEX] [--owner HEX] "
    "EXPORT...\n"
    "\n"
    "export writes the node's exchange log -- every envelope it sent or\n"
    "accepted, every query and disclosure decision -- with the checkpoints\n"
    "it signed, the cosignatures its peers returned, the checkpoints it\n"
    "holds of its peers' logs, any evidence of equivocation, and the\n"
    "membership document, to OUTDIR (docs/audit-format.md).  A running\n"
    "node exports through itself; a stopped node's store is read\n"
    "read-only, without any key: no passphrase is needed either way.  The\n"
    "export holds no key and nothing in clear that the log does not.\n"
    "\n"
    "proof prints the node's latest exchange-log checkpoint, a C2SP\n"
    "tlog-checkpoint signed note, with the note verifier key it is signed\n"
    "under, leaf INDEX of the log (base64) and its RFC 9162 inclusion\n"
    "proof in that checkpoint (base64 hashes, lowest first): what any\n"
    "C2SP-aware tool needs to check that the node signed the leaf into its\n"
    "log.  --json prints {\"vkey\", \"checkpoint\", \"size\", \"index\",\n"
    "\"leaf\", \"proof\"}.  A stopped node is read like export; a running\n"
    "one with the keystore passphrase.\n"
    "\n"
    "verify checks exports without a node: every leaf, the Merkle tree,\n"
    "every signature against the membership document and every checkpoint\n"
    "against the tree; given several exports (one per node), each is also\n"
    "checked against the checkpoints of its log that the others hold.  It\n"
    "prints the federation authority's key: compare it with the one you\n"
    "trust, or require it with --authority.  --owner accepts the key of a\n"
    "lone node's log that no membership document vouches for.  Exit 0 when\n"
    "every check passes, 1 with what failed.  --json prints one object per\n"
    "check: {\"export\", \"check\", \"ok\", \"finding\", \"detail\"}.\n";

/* The store an auditor reads, and how it was opened. */
struct view {
    struct seen_unlock u;   /* a running node's: with the passphrase */
    struct seen_store *ro;  /* a stopped node's: read-only, no key */
    struct seen_txn *txn;   /* one read transaction */
};

/* Release what auditor_view() opened; an empty view is a no-op. */
static void
view_release(struct view *v)
{

    seen_store_abort(v->txn);
    v->txn = NULL;
    seen_store_destroy(&v->ro);
    seen_unlock_release(&v->u);
}

/*
 * Open the store of the node home ${cli}->home (cli_need_home() was
 * called) for the operator ${cli}->op (in peer mode, the operator bound
 * to the Unix user running this: storage/operators.h), who must be
 * allowed to export (an auditor, cli.md: a lead, whose queries and
 * decisions the log records, is not), and begin one read transaction,
 * into ${v}.  A stopped node's store is opened read-only without any key
 * (seen_store_open_readonly: the exchange log holds nothing sealed), so
 * no passphrase is needed; a running node's is unlocked with the
 * passphrase ($SEEN_PASSPHRASE_FILE or the terminal: `audit proof` of a
 * running node; its export goes through the node).  Returns 0, or 1
 * having said why; view_release() ${v} either way.
 */
static int
auditor_view(struct cli *cli, struct view *v)
{
    const struct seen_unlock_opts uo = {NULL, 0, 1, NULL, NULL};
    char why[SEEN_PATH_LEN + 64], name[SEEN_OPERATOR_NAME_MAX + 1];
    struct seen_store *store;
    int rc;

    memset(v, 0, sizeof *v);
    if (!seen_home_running(cli->home, NULL)) {
        if (seen_home_path(cli->home, "store", why, sizeof why) == NULL ||
            seen_store_open_readonly(why, &v->ro) != 0)
            return cli_fail(cli, "cannot read the store of '%s'", cli->home);
        store = v->ro;
    } else if (seen_unlock_home(cli->home, &uo, &v->u, why, sizeof why) != 0) {
        return why[0] != '\0' ? cli_fail(cli, "%s", why) : 1;
    } else {
        store = v->u.store;
    }
    if ((rc = seen_store_begin(store, 0, &v->txn)) != 0)
        return cli_fail(cli, "cannot read the store: %s", seen_strerror(rc));
    /* In peer mode, the operator bound to the Unix user running this. */
    if (seen_operator_resolve(v->txn, (long)getuid(), cli->op,
            SEEN_ACT_AUDIT_EXPORT, name, why, sizeof why) != 0)
        return cli_fail(cli, "%s", why);
    return 0;
}

/* Say what ${sum} exported to ${dir}. */
static void
export_said(const struct seen_audit_summary *sum, const char *dir)
{

    printf("Exported %llu leaves, %llu checkpoints (the largest of size %llu), "
           "%llu cosignatures, %llu peers' checkpoints and %llu evidence "
           "records to %s\n",
        (unsigned long long)sum->leaves, (unsigned long long)sum->checkpoints,
        (unsigned long long)sum->signed_size,
        (unsigned long long)sum->cosignatures, (unsigned long long)sum->peers,
        (unsigned long long)sum->evidence, dir);
    if (!sum->membership)
        printf("(no membership document: a lone node's export)\n");
    if (sum->signed_size < sum->leaves)
        printf("(leaves %llu to %llu are not covered by a signed checkpoint "
               "yet)\n",
            (unsigned long long)sum->signed_size,
            (unsigned long long)(sum->leaves - 1));
}

/* The files of the reply ${resp} to audit_export, cut from its data
 * frame ${data} (${len} bytes) into ${b}.  Returns 0, or -1 when they do
 * not add up. */
static int
export_files(json_t *resp, uint8_t *data, size_t len,
    struct seen_audit_buf b[SEEN_AUDIT_NFILES])
{
    json_t *fl;
    size_t i, at = 0, n;
    const char *name;
    int f;

    memset(b, 0, sizeof(struct seen_audit_buf) * SEEN_AUDIT_NFILES);
    json_array_foreach(json_object_get(resp, "files"), i, fl)
    {
        name = json_string_value(json_object_get(fl, "name"));
        n = (size_t)json_integer_value(json_object_get(fl, "len"));
        for (f = 0; f < SEEN_AUDIT_NFILES; f++)
            if (name != NULL && strcmp(name, seen_audit_file_name(f)) == 0)
                break;
        if (f == SEEN_AUDIT_NFILES || n > len - at)
            return -1;
        b[f].data = n ? data + at : NULL;
        b[f].len = n;
        b[f].present = 1;
        at += n;
    }
    return at == len ? 0 : -1;
}

/*
 * Export through the running node (control command audit_export): the
 * node checks that the operator may export, and the auditor never needs
 * its passphrase.  Returns the exit code.
 */
static int
export_running(struct cli *cli, const char *dir)
{
    struct seen_audit_buf b[SEEN_AUDIT_NFILES];
    struct seen_audit_summary sum;
    struct seen_ctl *ctl;
    json_t *resp, *s;
    char *data = NULL;
    size_t len = 0;
    int rc;

    if (cli_connect(cli, &ctl) != 0)
        return 1;
    rc = cli_call(cli, ctl, json_pack("{s:s}", "cmd", "audit_export"), NULL,
        0, 600000, &resp, &data, &len);
    seen_ctl_destroy(&ctl);
    if (rc != 0)
        return 1;
    if (export_files(resp, (uint8_t *)data, len, b) != 0) {
        json_decref(resp);
        free(data);
        return cli_fail(cli, "the node's export does not add up");
    }
    if ((rc = seen_audit_write(dir, b)) != 0) {
        json_decref(resp);
        free(data);
        return cli_fail(cli, "cannot export to '%s': %s", dir,
            seen_strerror(rc));
    }
    s = json_object_get(resp, "summary");
    sum.leaves = (uint64_t)json_integer_value(json_object_get(s, "leaves"));
    sum.checkpoints =
        (uint64_t)json_integer_value(json_object_get(s, "checkpoints"));
    sum.signed_size =
        (uint64_t)json_integer_value(json_object_get(s, "signed_size"));
    sum.cosignatures =
        (uint64_t)json_integer_value(json_object_get(s, "cosignatures"));
    sum.peers = (uint64_t)json_integer_value(json_object_get(s, "peers"));
    sum.evidence = (uint64_t)json_integer_value(json_object_get(s, "evidence"));
    sum.membership = json_is_true(json_object_get(s, "membership"));
    export_said(&sum, dir);
    json_decref(resp);
    free(data);
    return 0;
}

static int
audit_export(struct cli *cli, int argc, char **argv)
{
    struct seen_audit_summary sum;
    struct view v;
    long pid;
    int rc, ret = 1;

    if (argc != 2)
        return cli_usage(cli, audit_usage,
            argc < 2 ? "no folder to export to" : "unexpected argument");
    if ((rc = cli_need_home(cli)) != 0)
        return rc;
    if (seen_home_running(cli->home, &pid))
        return export_running(cli, argv[1]);
    if (auditor_view(cli, &v) != 0)
        goto done;
    if ((rc = seen_audit_export(v.txn, argv[1], &sum)) != 0) {
        cli_fail(cli, "cannot export to '%s': %s", argv[1], seen_strerror(rc));
        goto done;
    }
    export_said(&sum, argv[1]);
    ret = 0;
done:
    view_release(&v);
    return ret;
}

/* Base64 (standard, padded) of ${n} bytes at ${p}, as a JSON string;
 * NULL out of memory. */
static json_t *
json_b64(const uint8_t *p, size_t n)
{
    size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    json_t *j;
    char *b;

    if ((b = malloc(cap)) == NULL)
        return NULL;
    sodium_bin2base64(b, cap, p, n, sodium_base64_VARIANT_ORIGINAL);
    j = json_string(b);
    free(b);
    return j;
}

/*
 * The proof of leaf ${index} in the store's latest checkpoint of its own
 * exchange log, as `seen audit proof --json` prints it; NULL with the
 * reason in ${why} (${whylen} bytes).
 */
static json_t *
proof_json(struct seen_txn *txn, uint64_t index, char *why, size_t whylen)
{
    uint8_t proof[SEEN_MERKLE_PROOF_MAX][32];
    char vkey[SEEN_NOTE_VKEY_MAX];
    Seen__Checkpoint *c = NULL;
    const uint8_t *cp, *leaf;
    size_t cplen, llen, plen, i;
    json_t *j = NULL, *pr;

    if (seen_xlog_latest(txn, &cp, &cplen) != 0 ||
        seen_checkpoint_decode(cp, cplen, &c) != 0) {
        snprintf(why, whylen, "the node has signed no checkpoint of its "
                              "exchange log yet");
        return NULL;
    }
    if (c->note.len == 0)
        snprintf(why, whylen, "the latest checkpoint is of the earlier form "
                              "(no signed note): a new one is signed when "
                              "the log grows");
    else if (index >= c->size)
        snprintf(why, whylen,
            "leaf %llu is not in the latest checkpoint (size %llu)",
            (unsigned long long)index, (unsigned long long)c->size);
    else if (seen_xlog_leaf(txn, index, &leaf, &llen) != 0 ||
             seen_xlog_inclusion(txn, index, c->size, proof, &plen) != 0 ||
             seen_checkpoint_vkey(
                 vkey, SEEN_DOMAIN_XLOG_CHECKPOINT, c->origin.data) != 0)
        snprintf(why, whylen, "cannot read leaf %llu or its proof",
            (unsigned long long)index);
    else if ((pr = json_array()) != NULL &&
             (j = json_pack("{s:s, s:s%, s:I, s:I, s:o, s:o}", "vkey", vkey,
                  "checkpoint", (const char *)c->note.data, c->note.len,
                  "size", (json_int_t)c->size, "index", (json_int_t)index,
                  "leaf", json_b64(leaf, llen), "proof", pr)) != NULL) {
        for (i = 0; i < plen; i++)
            json_array_append_new(pr, json_b64(proof[i], 32));
    } else
        snprintf(why, whylen, "out of memory");
    seen_checkpoint_destroy(&c);
    return j;
}

/* Print the proof ${j} (proof_json()) for people. */
static void
print_proof(json_t *j)
{
    size_t i;

    printf("checkpoint (C2SP signed note, verifier key %s):\n%s\n",
        cli_str(j, "vkey"), cli_str(j, "checkpoint"));
    printf("leaf %lld of %lld (base64): %s\n",
        (long long)json_integer_value(json_object_get(j, "index")),
        (long long)json_integer_value(json_object_get(j, "size")),
        cli_str(j, "leaf"));
    printf("inclusion proof (RFC 9162, lowest level first):\n");
    for (i = 0; i < json_array_size(json_object_get(j, "proof")); i++)
        printf("  %s\n", json_string_value(json_array_get(
                              json_object_get(j, "proof"), i)));
}

static int
audit_proof(struct cli *cli, int argc, char **argv)
{
    int json = 0;
    const struct cli_opt opts[] = {{"json", NULL, &json}, {NULL, NULL, NULL}};
    struct view v;
    char why[SEEN_PATH_LEN + 64], *end;
    unsigned long long index;
    json_t *j = NULL;
    int rc, ret = 1;

    if ((rc = cli_getopt(cli, argc, argv, audit_usage, opts)) != CLI_CONTINUE)
        return rc;
    if (argc - optind != 1)
        return cli_usage(cli, audit_usage, "proof takes one leaf index");
    errno = 0;
    index = strtoull(argv[optind], &end, 10);
    if (errno != 0 || *end != '\0' || argv[optind][0] < '0' ||
        argv[optind][0] > '9')
        return cli_usage(cli, audit_usage, "INDEX is a number");
    if ((rc = cli_need_home(cli)) != 0)
        return rc;
    if (auditor_view(cli, &v) != 0)
        goto done;
    if ((j = proof_json(v.txn, index, why, sizeof why)) == NULL) {
        cli_fail(cli, "%s", why);
        goto done;
    }
    if (json)
        cli_print_json(j);
    else
        print_proof(j);
    ret = 0;
done:
    json_decref(j);
    view_release(&v);
    return ret;
}

struct out {
    int json;
};

static void
print_check(void *ctx, const struct seen_audit_check *c)
{
    const struct out *o = ctx;
    json_t *j;

    if (o->json) {
        j = json_pack("{s:s, s:s, s:b, s:b, s:s}", "export", c->export, "check",
            c->check, "ok", c->ok, "finding", c->finding, "detail", c->detail);
        if (j != NULL)
            cli_print_json(j);
        json_decref(j);
        return;
    }
    printf("%-8s %-17s %s: %s\n",
        !c->ok       ? "FAIL"
        : c->finding ? "FINDING"
                     : "ok",
        c->check, c->export, c->detail);
}

/* Parse 64 hex digits into ${out}; 0 or -1. */
static int
parse_key(const char *s, uint8_t out[32])
{
    size_t n;

    if (strlen(s) != 64 ||
        sodium_hex2bin(out, 32, s, 64, NULL, &n, NULL) != 0 || n != 32)
        return -1;
    return 0;
}

static int
audit_verify(struct cli *cli, int argc, char **argv)
{
    struct seen_audit_buf bufs[SEEN_AUDIT_NFILES];
    struct seen_audit_opts ao = {NULL, NULL};
    struct seen_audit **v = NULL;
    struct out o = {0};
    const char *authhex = NULL, *ownerhex = NULL;
    const struct cli_opt opts[] = {
        {"json", NULL, &o.json},
        {"authority", &authhex, NULL},
        {"owner", &ownerhex, NULL},
        {NULL, NULL, NULL},
    };
    uint8_t auth[32], owner[32];
    uint64_t failed = 0, found = 0;
    int i, n, rc, ret = 1;

    if ((rc = cli_getopt(cli, argc, argv, audit_usage, opts)) != CLI_CONTINUE)
        return rc;
    if (authhex != NULL) {
        if (parse_key(authhex, auth) != 0)
            return cli_usage(
                cli, audit_usage, "--authority takes 64 hex digits");
        ao.authority = auth;
    }
    if (ownerhex != NULL) {
        if (parse_key(ownerhex, owner) != 0)
            return cli_usage(cli, audit_usage, "--owner takes 64 hex digits");
        ao.owner = owner;
    }
    if ((n = argc - optind) < 1)
        return cli_usage(cli, audit_usage, "no export to verify");
    if ((v = calloc((size_t)n, sizeof *v)) == NULL)
        return cli_fail(cli, "out of memory");
    for (i = 0; i < n; i++) {
        if ((rc = seen_audit_load(argv[optind + i], bufs)) != 0) {
            cli_fail(cli, "cannot read the export '%s'", argv[optind + i]);
            goto done;
        }
        rc = seen_audit_open(
            bufs, argv[optind + i], &ao, print_check, &o, &v[i]);
        seen_audit_bufs_release(bufs);
        if (rc != 0) {
            cli_fail(cli, "'%s': %s", argv[optind + i], seen_strerror(rc));
            goto done;
        }
    }
    if (n > 1 && seen_audit_cross(v, (size_t)n, print_check, &o) != 0) {
        cli_fail(cli, "out of memory");
        goto done;
    }
    for (i = 0; i < n; i++) {
        failed += seen_audit_failures(v[i]);
        found += seen_audit_findings(v[i]);
    }
    if (!o.json) {
        if (failed == 0)
            printf("verified: every check passed");
        else
            printf(
                "NOT verified: %llu checks failed", (unsigned long long)failed);
        if (found > 0)
            printf(" (%llu findings: read them)", (unsigned long long)found);
        printf("\n");
    }
    ret = failed == 0 ? 0 : 1;
done:
    for (i = 0; v != NULL && i < n; i++)
        seen_audit_destroy(&v[i]);
    free(v);
    return ret;
}

int
cmd_audit(struct cli *cli, int argc, char **argv)
{

    if (argc >= 2 &&
        (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(audit_usage, stdout);
        return 0;
    }
    if (argc < 2)
        return cli_usage(cli, audit_usage, "export, proof or verify?");
    if (strcmp(argv[1], "export") == 0)
        return audit_export(cli, argc - 1, argv + 1);
    if (strcmp(argv[1], "verify") == 0)
        return audit_verify(cli, argc - 1, argv + 1);
    if (strcmp(argv[1], "proof") == 0)
        return audit_proof(cli, argc - 1, argv + 1);
    return cli_usage(cli, audit_usage, "export, proof or verify?");
}
