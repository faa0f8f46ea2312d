/*
 * cli.h: what the `seen` subcommands share: the global options, errors in
 * the form spec/cli.md fixes ("seen: <command>: <what failed>", exit 1;
 * bad usage exit 2), and calls to the node's control socket.
 */
#ifndef SEEN_CLI_H
#define SEEN_CLI_H

#include <jansson.h>
#include <stddef.h>

#include "common/seen.h"
#include "crypto/keystore.h"

struct seen_ctl;

struct cli {
    const char *home;      /* --home or $SEEN_HOME; NULL if neither */
    const char *op;        /* --as or $SEEN_OPERATOR; NULL if neither */
    const char *cmd;       /* the subcommand's name, for messages */
    const char *self;      /* path of the running `seen` binary */
};

/* A subcommand: returns the process exit status. */
typedef int cli_cmd_fn(struct cli *cli, int argc, char **argv);

/**
 * cli_fail(cli, fmt, ...):
 * Print "seen: CMD: MESSAGE" to standard error.  Returns 1.
 */
int cli_fail(const struct cli *cli, const char *fmt, ...) SEEN_PRINTF(2, 3);

/**
 * cli_usage(cli, usage, reason):
 * Print "seen: CMD: REASON" (when ${reason} is not NULL) and ${usage} to
 * standard error.  Returns 2.
 */
int cli_usage(const struct cli *cli, const char *usage, const char *reason);

/*
 * One option of a subcommand, for cli_getopt(): --NAME VALUE stores VALUE
 * (borrowed from argv) in *${arg}; with ${arg} NULL, --NAME takes no value
 * and sets *${flag} to 1.
 */
struct cli_opt {
    const char *name;
    const char **arg;
    int *flag;
};

#define CLI_OPTS_MAX 16    /* options of one subcommand, --help aside */
#define CLI_CONTINUE (-1)  /* cli_getopt(): go on with the operands */

/**
 * cli_getopt(cli, argc, argv, usage, opts):
 * Parse the options of a subcommand whose name is ${argv}[0] with
 * getopt_long: ${opts} (at most CLI_OPTS_MAX, ended by a row whose name is
 * NULL), and --help, which prints ${usage} to standard output.  A value
 * given twice keeps the last.
 * Returns CLI_CONTINUE when the subcommand goes on, its operands from
 * ${argv}[optind]; 0 after --help; 2 on an unknown option or a missing
 * value (getopt_long said which; ${usage} follows on standard error).
 */
int cli_getopt(const struct cli *cli, int argc, char **argv,
    const char *usage, const struct cli_opt *opts);

/**
 * cli_json_only(cli, argc, argv, usage, json):
 * For a subcommand whose only options are --json (setting *${json} to 1)
 * and --help, that takes no operand and needs a node home.
 * Returns CLI_CONTINUE when it goes on; 0 after --help; 2 on bad usage
 * ("unexpected argument") or when no node home was given (said why).
 */
int cli_json_only(const struct cli *cli, int argc, char **argv,
    const char *usage, int *json);

/**
 * cli_kdf(cli, usage, s, kdf):
 * Parse the value ${s} of --kdf ("moderate" or "interactive") into
 * *${kdf}, which stays as it is when ${s} is NULL.  Returns 0, or prints
 * "--kdf: moderate or interactive" and ${usage} and returns 2.
 */
int cli_kdf(const struct cli *cli, const char *usage, const char *s,
    enum seen_pwstrength *kdf);

/**
 * cli_need_home(cli):
 * Returns 0 when a node home was given, else prints why and returns 2.
 */
int cli_need_home(const struct cli *cli);

/**
 * cli_connect(cli, out):
 * Connect to the running node of ${cli}->home.  Returns 0, or prints why
 * not ("no node is running on DIR") and returns 1.
 */
int cli_connect(const struct cli *cli, struct seen_ctl **out);

/**
 * cli_call(cli, ctl, req, data, dlen, timeout_ms, resp, rdata, rdlen):
 * Send ${req} (stealing its reference) and wait for a reply that says
 * "ok".  On success *${resp} is the reply (caller decrefs) and, when
 * ${rdata} is not NULL, *${rdata} the reply's data frame (caller frees).
 * Returns 0, or prints the node's error (or the failure to reach it) and
 * returns 1, or 2 when the node's error says the request may be sent
 * again ("retry": true, docs/protocol.md §4).
 */
int cli_call(const struct cli *cli, struct seen_ctl *ctl, json_t *req,
    const void *data, size_t dlen, int timeout_ms, json_t **resp,
    char **rdata, size_t *rdlen);

/**
 * cli_rpc(cli, req, timeout_ms, resp):
 * Connect, call, and close: cli_call for a command with no data frames.
 */
int cli_rpc(const struct cli *cli, json_t *req, int timeout_ms,
    json_t **resp);

/**
 * cli_rows(cli, cmd, extra, rows):
 * Ask the node for the NDJSON rows of control command ${cmd} (with the
 * members of ${extra}, which is stolen, when not NULL).  On success
 * *${rows} is the malloc'd text (caller frees).  Returns 0, or prints why
 * not and returns 1.
 */
int cli_rows(const struct cli *cli, const char *cmd, json_t *extra,
    char **rows);

/* Prints one row of a listing (see cli_list); must not keep ${row}. */
typedef void cli_row_fn(json_t *row);

/**
 * cli_list(cli, argc, argv, usage, cmd, print):
 * Run a listing subcommand whose only options are --json and --help: ask
 * the node for the NDJSON rows of control command ${cmd} and print them,
 * with --json as they came, else by calling ${print} on each row that
 * parses.  --help prints ${usage} to standard output.
 * Returns the exit status: 0; 1 if the node could not be asked (said
 * why); 2 on bad usage or no node home (said why).
 */
int cli_list(struct cli *cli, int argc, char **argv, const char *usage,
    const char *cmd, cli_row_fn *print);

/**
 * cli_str(o, key):
 * Return the string member ${key} of ${o} (borrowed), or "" when it is
 * absent or not a string.
 */
const char *cli_str(json_t *o, const char *key);

/**
 * cli_json_text(j):
 * Return ${j} as indented JSON text, keys in their order, ending in a
 * newline (malloc'd; the caller frees), or NULL when memory runs out.
 */
char *cli_json_text(json_t *j);

/**
 * cli_sleep_ms(ms):
 * Sleep for ${ms} milliseconds, resuming after a signal.
 */
void cli_sleep_ms(long ms);

/**
 * cli_print_json(j):
 * Print ${j} compactly on one line of standard output.
 */
void cli_print_json(json_t *j);

/* Whom a look-up asks for: --person or the criteria, and its purpose. */
#define CLI_NLOOKUP 8  /* --person, --nhs, --upn, --pnc, --given, --family,
                          --dob, --postcode, in that order */
struct cli_who {
    const char *purpose;           /* --purpose TEXT, or NULL */
    const char *val[CLI_NLOOKUP];  /* each option given, or NULL */
};

/**
 * cli_lookup_opts(w, opts):
 * Write into ${opts} the CLI_NLOOKUP + 1 options that fill ${w}:
 * --purpose, --person and the criteria of `seen query`.  ${w} must outlive
 * ${opts}.  Returns CLI_NLOOKUP + 1.
 */
size_t cli_lookup_opts(struct cli_who *w, struct cli_opt *opts);

/**
 * cli_lookup_send(cli, usage, w, cmd, resp):
 * Check that ${w} names whom to look up, --person P or criteria (not
 * both), and send it to the node's control command ${cmd}.  On success
 * *${resp} is the reply (the caller decrefs).  Returns 0; 1 when the node
 * could not be asked or refused (said why); 2 on bad usage (said why).
 */
int cli_lookup_send(const struct cli *cli, const char *usage,
    const struct cli_who *w, const char *cmd, json_t **resp);

/**
 * cli_lookup(cli, argc, argv, usage, cmd, json, resp):
 * Run a look-up subcommand (`seen query`, `seen chronology`): parse
 * --json (setting *${json}), --purpose TEXT and whom to look up, --person
 * P or any of --nhs, --upn, --pnc, --given, --family, --dob, --postcode
 * (not both), and send them to the node's control command ${cmd}.  On
 * success *${resp} is the reply (the caller decrefs).  Returns
 * CLI_CONTINUE on success; 0 after --help; 1 when the node could not be
 * asked or refused (said why); 2 on bad usage (said why).
 */
int cli_lookup(struct cli *cli, int argc, char **argv, const char *usage,
    const char *cmd, int *json, json_t **resp);

/* The subcommands (tools/cmd_<name>.c). */
cli_cmd_fn cmd_init;
cli_cmd_fn cmd_node;
cli_cmd_fn cmd_import;
cli_cmd_fn cmd_query;
cli_cmd_fn cmd_chronology;
cli_cmd_fn cmd_handles;
cli_cmd_fn cmd_status;
cli_cmd_fn cmd_identity;
cli_cmd_fn cmd_federation;
cli_cmd_fn cmd_federation_show; /* seen federation show */
cli_cmd_fn cmd_membership;
cli_cmd_fn cmd_lab;
cli_cmd_fn cmd_request;
cli_cmd_fn cmd_inbox;
cli_cmd_fn cmd_decide;
cli_cmd_fn cmd_disclosures;
cli_cmd_fn cmd_audit;
cli_cmd_fn cmd_persons;
cli_cmd_fn cmd_links;
cli_cmd_fn cmd_weights;
cli_cmd_fn cmd_alerts;
cli_cmd_fn cmd_operator;
cli_cmd_fn cmd_report;
cli_cmd_fn cmd_graph;
cli_cmd_fn cmd_backup;
cli_cmd_fn cmd_restore;
cli_cmd_fn cmd_keys;
cli_cmd_fn cmd_custodians; /* seen custodians check (issue 16) */

struct seen_unlock;

/**
 * cli_identity_write(cli, u, json):
 * Write the public identity of the unlocked node home ${u} to
 * ${cli}->home/identity.json and print it (cmd_identity.c; `seen
 * identity`, and `seen keys transport` with the keys it made).  Returns
 * 0, or 1 having said why.
 */
int cli_identity_write(struct cli *cli, const struct seen_unlock *u, int json);

#endif /* !SEEN_CLI_H */
