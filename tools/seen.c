/*
 * seen: the Seen command-line interface.  This file holds only the
 * global options and the dispatch table; each subcommand lives in
 * tools/cmd_<name>.c.
 */
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/version.h"
#include "tools/cli.h"

static const struct {
    const char *name;
    cli_cmd_fn *fn;
    const char *summary;
} commands[] = {
    {"init", cmd_init, "create a node home: keystore, store, configuration"},
    {"node", cmd_node, "start or stop the node's daemon; resolve a halt"},
    {"backup", cmd_backup, "a consistent copy of the node home"},
    {"restore", cmd_restore, "put a backup back, without a second history"},
    {"keys", cmd_keys, "a new keystore passphrase; a new transport key"},
    {"import", cmd_import, "import records (newline-delimited JSON)"},
    {"query", cmd_query, "show what is known of one person"},
    {"chronology", cmd_chronology, "one person's world, in time order"},
    {"handles", cmd_handles, "list this node's own index entries"},
    {"status", cmd_status, "show the node's state"},
    {"persons", cmd_persons, "every person this node can see"},
    {"links", cmd_links, "the scored links behind the persons"},
    {"weights", cmd_weights, "how the matcher's comparisons weigh, learnt "
                             "from this node's data"},
    {"alerts", cmd_alerts, "alerts, and acknowledging them"},
    {"identity", cmd_identity, "print this node's public identity"},
    {"federation", cmd_federation, "the federation authority's tool"},
    {"membership", cmd_membership, "install a signed membership document"},
    {"custodians", cmd_custodians, "check the custodians answer (OPRF)"},
    {"lab", cmd_lab, "a whole federation on loopback: up, wait, down"},
    {"audit", cmd_audit, "export or verify the exchange log for audit"},
    {"operator", cmd_operator, "register, suspend, remove and list operators"},
    {"request", cmd_request, "ask another agency for a record's details"},
    {"inbox", cmd_inbox, "disclosure requests waiting for a decision"},
    {"decide", cmd_decide, "share or withhold what a request asks"},
    {"disclosures", cmd_disclosures, "the requests we sent and answers"},
    {"report", cmd_report, "one person's chronology and network as HTML"},
    {"graph", cmd_graph, "one person's network as Graphviz DOT"},
};

static void
usage(FILE *f)
{
    size_t i;

    fprintf(f, "usage: seen [--home DIR] [--as OPERATOR] <command> "
               "[<args>]\n\ncommands:\n");
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'seen <command> --help' describes a command.  DIR and "
               "OPERATOR may also\ncome from SEEN_HOME and "
               "SEEN_OPERATOR.\n");
}

int
main(int argc, char *argv[])
{
    static char self[PATH_MAX];
    struct cli cli;
    ssize_t n;
    size_t i;
    int a;

    seen_log_init("seen", SEEN_LOG_WARN);
    if (sodium_init() < 0) {
        fprintf(stderr, "%s: cannot initialise libsodium\n", argv[0]);
        return 1;
    }
    memset(&cli, 0, sizeof cli);
    cli.home = getenv("SEEN_HOME");
    cli.op = getenv("SEEN_OPERATOR");
    cli.cmd = "seen";
    if ((n = readlink("/proc/self/exe", self, sizeof self - 1)) > 0) {
        self[n] = '\0';
        cli.self = self;
    }
    for (a = 1; a < argc && argv[a][0] == '-'; a++) {
        if (strcmp(argv[a], "--help") == 0 || strcmp(argv[a], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[a], "--version") == 0) {
            printf("seen %s\n", seen_version());
            return 0;
        } else if (strcmp(argv[a], "--home") == 0 && a + 1 < argc) {
            cli.home = argv[++a];
        } else if (strncmp(argv[a], "--home=", 7) == 0) {
            cli.home = argv[a] + 7;
        } else if (strcmp(argv[a], "--as") == 0 && a + 1 < argc) {
            cli.op = argv[++a];
        } else if (strncmp(argv[a], "--as=", 5) == 0) {
            cli.op = argv[a] + 5;
        } else {
            fprintf(stderr, "seen: unknown option '%s'\n", argv[a]);
            usage(stderr);
            return 2;
        }
    }
    if (a >= argc) {
        fprintf(stderr, "seen: no command given\n");
        usage(stderr);
        return 2;
    }
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(argv[a], commands[i].name) == 0) {
            cli.cmd = commands[i].name;
            return commands[i].fn(&cli, argc - a, argv + a);
        }
    }
    fprintf(stderr, "seen: '%s' is not a command\n", argv[a]);
    usage(stderr);
    return 2;
}
