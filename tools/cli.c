#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "proto/control.h"
#include "tools/cli.h"

/**
 * cli_fail(cli, fmt, ...):
 * Print "seen: CMD: MESSAGE" to standard error.  Returns 1.
 */
int
cli_fail(const struct cli *cli, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "seen: %s: ", cli->cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

/**
 * cli_usage(cli, usage, reason):
 * Print "seen: CMD: REASON" (when ${reason} is not NULL) and ${usage} to
 * standard error.  Returns 2.
 */
int
cli_usage(const struct cli *cli, const char *usage, const char *reason)
{

    if (reason != NULL)
        fprintf(stderr, "seen: %s: %s\n", cli->cmd, reason);
    fputs(usage, stderr);
    return 2;
}

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
int
cli_getopt(const struct cli *cli, int argc, char **argv, const char *usage,
    const struct cli_opt *opts)
{
    struct option lo[CLI_OPTS_MAX + 2];
    size_t i, n;
    int c;

    for (n = 0; n < CLI_OPTS_MAX && opts[n].name != NULL; n++)
        lo[n] = (struct option){opts[n].name,
            opts[n].arg != NULL ? required_argument : no_argument, NULL,
            256 + (int)n};
    lo[n] = (struct option){"help", no_argument, NULL, 'h'};
    lo[n + 1] = (struct option){NULL, 0, NULL, 0};
    optind = 1;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        if (c == 'h') {
            fputs(usage, stdout);
            return 0;
        }
        if (c < 256 || (i = (size_t)(c - 256)) >= n)
            return cli_usage(cli, usage, NULL);
        if (opts[i].arg != NULL)
            *opts[i].arg = optarg;
        else
            *opts[i].flag = 1;
    }
    return CLI_CONTINUE;
}

/**
 * cli_json_only(cli, argc, argv, usage, json):
 * For a subcommand whose only options are --json (setting *${json} to 1)
 * and --help, that takes no operand and needs a node home.
 * Returns CLI_CONTINUE when it goes on; 0 after --help; 2 on bad usage
 * ("unexpected argument") or when no node home was given (said why).
 */
int
cli_json_only(const struct cli *cli, int argc, char **argv,
    const char *usage, int *json)
{
    const struct cli_opt opts[] = {{"json", NULL, json}, {NULL, NULL, NULL}};
    int rc;

    if ((rc = cli_getopt(cli, argc, argv, usage, opts)) != CLI_CONTINUE)
        return rc;
    if (optind != argc)
        return cli_usage(cli, usage, "unexpected argument");
    if ((rc = cli_need_home(cli)) != 0)
        return rc;
    return CLI_CONTINUE;
}

/**
 * cli_kdf(cli, usage, s, kdf):
 * Parse the value ${s} of --kdf ("moderate" or "interactive") into
 * *${kdf}, which stays as it is when ${s} is NULL.  Returns 0, or prints
 * "--kdf: moderate or interactive" and ${usage} and returns 2.
 */
int
cli_kdf(const struct cli *cli, const char *usage, const char *s,
    enum seen_pwstrength *kdf)
{

    if (s == NULL)
        return 0;
    if (strcmp(s, "moderate") == 0)
        *kdf = SEEN_PW_MODERATE;
    else if (strcmp(s, "interactive") == 0)
        *kdf = SEEN_PW_INTERACTIVE;
    else
        return cli_usage(cli, usage, "--kdf: moderate or interactive");
    return 0;
}

/**
 * cli_need_home(cli):
 * Returns 0 when a node home was given, else prints why and returns 2.
 */
int
cli_need_home(const struct cli *cli)
{

    if (cli->home != NULL && cli->home[0] != '\0')
        return 0;
    fprintf(stderr, "seen: %s: no node home: give --home DIR or set "
                    "SEEN_HOME\n",
        cli->cmd);
    return 2;
}

/**
 * cli_connect(cli, out):
 * Connect to the running node of ${cli}->home.  Returns 0, or prints why
 * not ("no node is running on DIR") and returns 1.
 */
int
cli_connect(const struct cli *cli, struct seen_ctl **out)
{
    int rc;

    if ((rc = seen_ctl_open(cli->home, out)) == SEEN_ENOTFOUND)
        return cli_fail(cli, "no node is running on '%s' (start it with "
                             "'seen node start')",
            cli->home);
    if (rc != 0)
        return cli_fail(cli, "cannot reach the node on '%s'", cli->home);
    return 0;
}

/**
 * cli_call(cli, ctl, req, data, dlen, timeout_ms, resp, rdata, rdlen):
 * Send ${req} (stealing its reference) and wait for a reply that says
 * "ok".  On success *${resp} is the reply (caller decrefs) and, when
 * ${rdata} is not NULL, *${rdata} the reply's data frame (caller frees).
 * Returns 0, or prints the node's error (or the failure to reach it) and
 * returns 1, or 2 when the node's error says the request may be sent
 * again ("retry": true, docs/protocol.md §4).
 */
int
cli_call(const struct cli *cli, struct seen_ctl *ctl, json_t *req,
    const void *data, size_t dlen, int timeout_ms, json_t **resp,
    char **rdata, size_t *rdlen)
{
    const char *err;
    int rc;

    if (req == NULL)
        return cli_fail(cli, "out of memory");
    if (cli->op != NULL)
        json_object_set_new(req, "operator", json_string(cli->op));
    rc = seen_ctl_call(ctl, req, data, dlen, timeout_ms, resp, rdata, rdlen);
    json_decref(req);
    if (rc == SEEN_ETIMEDOUT)
        return cli_fail(cli, "the node on '%s' did not answer in %d s",
            cli->home, timeout_ms / 1000);
    if (rc == SEEN_EIO)
        return cli_fail(cli, "the node on '%s' stopped before answering",
            cli->home);
    if (rc != 0)
        return cli_fail(cli, "the node on '%s' gave no valid answer",
            cli->home);
    if (!json_is_true(json_object_get(*resp, "ok"))) {
        err = json_string_value(json_object_get(*resp, "error"));
        cli_fail(cli, "%s", err ? err : "the node refused");
        rc = json_is_true(json_object_get(*resp, "retry")) ? 2 : 1;
        json_decref(*resp);
        *resp = NULL;
        if (rdata != NULL) {
            free(*rdata);
            *rdata = NULL;
        }
        return rc;
    }
    return 0;
}

/**
 * cli_rpc(cli, req, timeout_ms, resp):
 * Connect, call, and close: cli_call for a command with no data frames.
 */
int
cli_rpc(const struct cli *cli, json_t *req, int timeout_ms, json_t **resp)
{
    struct seen_ctl *ctl;
    int rc;

    if (cli_connect(cli, &ctl) != 0) {
        json_decref(req);
        return 1;
    }
    rc = cli_call(cli, ctl, req, NULL, 0, timeout_ms, resp, NULL, NULL);
    seen_ctl_destroy(&ctl);
    return rc;
}

/**
 * cli_rows(cli, cmd, extra, rows):
 * Ask the node for the NDJSON rows of control command ${cmd} (with the
 * members of ${extra}, which is stolen, when not NULL).  On success
 * *${rows} is the malloc'd text (caller frees).  Returns 0, or prints why
 * not and returns 1.
 */
int
cli_rows(const struct cli *cli, const char *cmd, json_t *extra, char **rows)
{
    struct seen_ctl *ctl;
    json_t *req, *resp;
    size_t len;
    int rc;

    *rows = NULL;
    req = json_pack("{s:s}", "cmd", cmd);
    if (extra != NULL) {
        json_object_update(req, extra);
        json_decref(extra);
    }
    if (cli_connect(cli, &ctl) != 0) {
        json_decref(req);
        return 1;
    }
    rc = cli_call(cli, ctl, req, NULL, 0, 300000, &resp, rows, &len);
    seen_ctl_destroy(&ctl);
    if (rc != 0)
        return 1;
    json_decref(resp);
    if (*rows == NULL && (*rows = calloc(1, 1)) == NULL)
        return cli_fail(cli, "out of memory");
    return 0;
}

/**
 * cli_list(cli, argc, argv, usage, cmd, print):
 * Run a listing subcommand whose only options are --json and --help: ask
 * the node for the NDJSON rows of control command ${cmd} and print them,
 * with --json as they came, else by calling ${print} on each row that
 * parses.  --help prints ${usage} to standard output.
 * Returns the exit status: 0; 1 if the node could not be asked (said
 * why); 2 on bad usage or no node home (said why).
 */
int
cli_list(struct cli *cli, int argc, char **argv, const char *usage,
    const char *cmd, cli_row_fn *print)
{
    json_t *row;
    char *rows, *p, *nl;
    int json = 0, rc;

    if (argc == 2 && strcmp(argv[1], "--json") == 0)
        json = 1;
    else if (argc == 2 && strcmp(argv[1], "--help") == 0) {
        fputs(usage, stdout);
        return 0;
    } else if (argc != 1)
        return cli_usage(cli, usage, "unexpected argument");
    if ((rc = cli_need_home(cli)) != 0)
        return rc;
    if (cli_rows(cli, cmd, NULL, &rows) != 0)
        return 1;
    if (json) {
        fputs(rows, stdout);
    } else {
        for (p = rows; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
            if ((row = json_loadb(p, (size_t)(nl - p), 0, NULL)) == NULL)
                continue;
            print(row);
            json_decref(row);
        }
    }
    free(rows);
    return 0;
}

/**
 * cli_str(o, key):
 * Return the string member ${key} of ${o} (borrowed), or "" when it is
 * absent or not a string.
 */
const char *
cli_str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s ? s : "";
}

/**
 * cli_json_text(j):
 * Return ${j} as indented JSON text, keys in their order, ending in a
 * newline (malloc'd; the caller frees), or NULL when memory runs out.
 */
char *
cli_json_text(json_t *j)
{
    char *text, *t;
    size_t n;

    if ((text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) == NULL)
        return NULL;
    n = strlen(text);
    if ((t = realloc(text, n + 2)) == NULL) {
        free(text);
        return NULL;
    }
    t[n] = '\n';
    t[n + 1] = '\0';
    return t;
}

/**
 * cli_sleep_ms(ms):
 * Sleep for ${ms} milliseconds, resuming after a signal.
 */
void
cli_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/**
 * cli_print_json(j):
 * Print ${j} compactly on one line of standard output.
 */
void
cli_print_json(json_t *j)
{

    json_dumpf(j, stdout, JSON_COMPACT);
    fputc('\n', stdout);
}

/* The search options of a look-up: option and request key alike. */
static const char *const lookup_fields[CLI_NLOOKUP] = {"person", "nhs",
    "upn", "pnc", "given", "family", "dob", "postcode"};

/**
 * cli_lookup_opts(w, opts):
 * Write into ${opts} the CLI_NLOOKUP + 1 options that fill ${w}:
 * --purpose, --person and the criteria of `seen query`.  ${w} must outlive
 * ${opts}.  Returns CLI_NLOOKUP + 1.
 */
size_t
cli_lookup_opts(struct cli_who *w, struct cli_opt *opts)
{
    size_t i;

    opts[0] = (struct cli_opt){"purpose", &w->purpose, NULL};
    for (i = 0; i < CLI_NLOOKUP; i++)
        opts[i + 1] = (struct cli_opt){lookup_fields[i], &w->val[i], NULL};
    return CLI_NLOOKUP + 1;
}

/**
 * cli_lookup_send(cli, usage, w, cmd, resp):
 * Check that ${w} names whom to look up, --person P or criteria (not
 * both), and send it to the node's control command ${cmd}.  On success
 * *${resp} is the reply (the caller decrefs).  Returns 0; 1 when the node
 * could not be asked or refused (said why); 2 on bad usage (said why).
 */
int
cli_lookup_send(const struct cli *cli, const char *usage,
    const struct cli_who *w, const char *cmd, json_t **resp)
{
    json_t *req;
    size_t i, n = 0;
    int rc;

    for (i = 0; i < CLI_NLOOKUP; i++)
        n += w->val[i] != NULL;
    if (n == 0)
        return cli_usage(cli, usage, "nothing to search for");
    if (w->val[0] != NULL && n > 1)
        return cli_usage(cli, usage,
            "give --person or search criteria, not both");
    if ((rc = cli_need_home(cli)) != 0)
        return rc;
    req = json_pack("{s:s}", "cmd", cmd);
    if (req != NULL && w->purpose != NULL)
        json_object_set_new(req, "purpose", json_string(w->purpose));
    for (i = 0; req != NULL && i < CLI_NLOOKUP; i++)
        if (w->val[i] != NULL)
            json_object_set_new(req, lookup_fields[i], json_string(w->val[i]));
    return cli_rpc(cli, req, 60000, resp) != 0;
}

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
int
cli_lookup(struct cli *cli, int argc, char **argv, const char *usage,
    const char *cmd, int *json, json_t **resp)
{
    struct cli_who w = {0};
    struct cli_opt opts[CLI_NLOOKUP + 3];
    size_t n;
    int rc;

    opts[0] = (struct cli_opt){"json", NULL, json};
    n = 1 + cli_lookup_opts(&w, opts + 1);
    opts[n] = (struct cli_opt){NULL, NULL, NULL};
    if ((rc = cli_getopt(cli, argc, argv, usage, opts)) != CLI_CONTINUE)
        return rc;
    if (optind != argc) {
        for (n = 0; n < CLI_NLOOKUP && w.val[n] == NULL; n++)
            ;
        return cli_usage(cli, usage, n < CLI_NLOOKUP
                                         ? "unexpected argument"
                                         : "nothing to search for");
    }
    if ((rc = cli_lookup_send(cli, usage, &w, cmd, resp)) != 0)
        return rc;
    return CLI_CONTINUE;
}
