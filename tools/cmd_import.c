/*
 * seen import: send records to the running node (spec/import.md).
 *
 * Each file is checked here first, line by line, so that every problem is
 * reported as FILE:LINE: field: reason before anything is sent; then it
 * is streamed to the node in chunks inside one import session, which the
 * node applies as one transaction: a file is stored whole or not at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/home.h"
#include "proto/control.h"
#include "proto/record.h"
#include "tools/cli.h"

#define CHUNK_BYTES (4u << 20)
#define CHUNK_LINES 20000
#define COMMIT_TIMEOUT_MS 600000
/* Times a file is sent again when the node's store grew while importing
 * it (each time the map at least doubled: a bound, never reached). */
#define IMPORT_RETRIES 16

static const char import_usage[] =
    "usage: seen --home DIR import [--skip-invalid] [--quiet] FILE...\n"
    "\n"
    "Import newline-delimited JSON records (spec/import.md; '-' reads\n"
    "standard input) into the running node.  Problems are reported as\n"
    "FILE:LINE: field: reason.  By default nothing from a file with a\n"
    "rejected line is stored and the command exits 1; with --skip-invalid\n"
    "the valid lines are stored, the rejected ones reported, and the exit\n"
    "status is 0.  An invalid identifier is a warning: it is dropped and\n"
    "the person kept.\n";

struct input {
    const char *name;
    char *data;
    size_t len;
    int mapped;
};

struct check_ctx {
    const char *file;
    unsigned long line;
    unsigned long errors, warnings;
};

static void
on_diag(void *vctx, const char *field, const char *reason, int warning)
{
    struct check_ctx *c = vctx;

    if (warning) {
        c->warnings++;
        fprintf(stderr, "%s:%lu: warning: %s: %s\n", c->file, c->line, field,
            reason);
    } else {
        c->errors++;
        fprintf(stderr, "%s:%lu: %s: %s\n", c->file, c->line, field, reason);
    }
}

static int
read_input(const struct cli *cli, const char *name, struct input *in)
{
    struct stat sb;
    size_t cap = 1 << 20;
    ssize_t n;
    char *p;
    int fd;

    memset(in, 0, sizeof in[0]);
    in->name = strcmp(name, "-") == 0 ? "(stdin)" : name;
    if (strcmp(name, "-") == 0) {
        if ((in->data = malloc(cap)) == NULL)
            return cli_fail(cli, "out of memory");
        while ((n = read(0, in->data + in->len, cap - in->len)) != 0) {
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                cli_fail(cli, "standard input: %s", strerror(errno));
                goto err;
            }
            in->len += (size_t)n;
            if (in->len == cap) {
                if ((p = realloc(in->data, cap * 2)) == NULL) {
                    cli_fail(cli, "out of memory");
                    goto err;
                }
                in->data = p;
                cap *= 2;
            }
        }
        return 0;
    }
    if ((fd = open(name, O_RDONLY)) < 0)
        return cli_fail(cli, "%s: %s", name, strerror(errno));
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return cli_fail(cli, "%s: not a regular file", name);
    }
    in->len = (size_t)sb.st_size;
    if (in->len > 0) {
        in->data = mmap(NULL, in->len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (in->data == MAP_FAILED) {
            close(fd);
            in->data = NULL;
            return cli_fail(cli, "%s: %s", name, strerror(errno));
        }
        in->mapped = 1;
    }
    close(fd);
    return 0;

err:
    free(in->data);
    memset(in, 0, sizeof in[0]);
    return 1;
}

static void
free_input(struct input *in)
{

    if (in->mapped)
        munmap(in->data, in->len);
    else
        free(in->data);
}

/* Pass 1: check every line; returns the number rejected. */
static unsigned long
check_file(const struct input *in, unsigned long *nlines,
    unsigned long *warnings)
{
    struct check_ctx c = {in->name, 0, 0, 0};
    struct seen_record *rec;
    const char *p, *end, *nl;

    for (p = in->data, end = in->data + in->len; p < end; p = nl + 1) {
        if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
            nl = end;
        c.line++;
        if (seen_record_line_blank(p, (size_t)(nl - p)))
            continue;
        if (seen_record_parse(p, (size_t)(nl - p), &rec, on_diag, &c) == 0)
            seen_record_destroy(&rec);
    }
    *nlines = c.line;
    *warnings = c.warnings;
    return c.errors == 0 ? 0 : c.errors; /* problems, not lines */
}

static void
progress(int tty, const char *name, unsigned long done, unsigned long total)
{

    if (tty)
        fprintf(stderr, "\r%s: %lu/%lu lines (%lu%%)", name, done, total,
            total ? done * 100 / total : 100);
}

static void
print_node_diags(const char *file, json_t *diags)
{
    size_t i;
    json_t *d;

    json_array_foreach(diags, i, d)
    {
        /* Warnings were reported by our own check of the file. */
        if (json_is_true(json_object_get(d, "warning")))
            continue;
        fprintf(stderr, "%s:%lld: %s: %s\n", file,
            (long long)json_integer_value(json_object_get(d, "line")),
            json_string_value(json_object_get(d, "field")),
            json_string_value(json_object_get(d, "reason")));
    }
}

/* Pass 2: stream to the node in one session.  Returns 0; 1 (said why);
 * 2 when the node asks for the file again (its store grew); 3 when the
 * node stopped (or was replaced) during the commit, which it may or may
 * not have made. */
static int
send_file(const struct cli *cli, struct seen_ctl *ctl, const struct input *in,
    int skip_invalid, unsigned long nlines, int tty, int quiet)
{
    json_t *resp, *req;
    json_int_t session, per, same;
    const char *p, *end, *chunk, *nl;
    char unchanged[64] = "";
    unsigned long line = 1, first, n;
    long pid, now;
    int rc;

    req = json_pack("{s:s, s:b, s:s}", "cmd", "import_begin", "skip_invalid",
        skip_invalid, "source", in->name);
    if (cli_call(cli, ctl, req, NULL, 0, 30000, &resp, NULL, NULL) != 0)
        return 1;
    session = json_integer_value(json_object_get(resp, "session"));
    /* The node's advice on lines a request (an OPRF epoch's are slow);
     * a node that gives none takes CHUNK_LINES. */
    per = json_integer_value(json_object_get(resp, "chunk_lines"));
    if (per <= 0 || per > CHUNK_LINES)
        per = CHUNK_LINES;
    json_decref(resp);

    for (p = in->data, end = in->data + in->len; p < end;) {
        chunk = p;
        first = line;
        for (n = 0; p < end && n < (unsigned long)per &&
             (size_t)(p - chunk) < CHUNK_BYTES;
             n++, line++) {
            if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
                nl = end - 1;
            p = nl + 1;
        }
        req = json_pack("{s:s, s:I, s:I}", "cmd", "import_lines", "session",
            session, "first_line", (json_int_t)first);
        rc = cli_call(cli, ctl, req, chunk, (size_t)(p - chunk), 300000,
            &resp, NULL, NULL);
        if (rc != 0)
            return rc;
        print_node_diags(in->name, json_object_get(resp, "diags"));
        json_decref(resp);
        progress(tty && !quiet, in->name, line - 1, nlines);
    }
    if (tty && !quiet)
        fputc('\n', stderr);
    req = json_pack("{s:s, s:I}", "cmd", "import_commit", "session", session);
    if (!seen_home_running(cli->home, &pid))
        pid = -1;
    if ((rc = cli_call(cli, ctl, req, NULL, 0, COMMIT_TIMEOUT_MS, &resp, NULL,
             NULL)) != 0)
        return rc == 1 && (!seen_home_running(cli->home, &now) || now != pid)
                   ? 3
                   : rc;
    if (!quiet && json_integer_value(json_object_get(resp, "adopted")) > 0)
        printf("%s: %lld entries taken back after the restore are their "
               "records' again, not published twice\n",
            in->name,
            (long long)json_integer_value(json_object_get(resp, "adopted")));
    same = json_integer_value(json_object_get(resp, "unchanged"));
    if (same > 0)
        snprintf(unchanged, sizeof unchanged,
            "; %lld unchanged, left as they were", (long long)same);
    if (!quiet)
        printf("%s: %lld records imported (%lld replaced, %lld deleted), "
               "%lld entries published, %lld retracted%s%s\n",
            in->name,
            (long long)json_integer_value(json_object_get(resp, "records")),
            (long long)json_integer_value(json_object_get(resp, "replaced")),
            (long long)json_integer_value(json_object_get(resp, "deleted")),
            (long long)json_integer_value(json_object_get(resp, "entries")),
            (long long)json_integer_value(json_object_get(resp, "retracted")),
            unchanged,
            json_integer_value(json_object_get(resp, "rejected"))
                ? "; rejected lines skipped"
                : "");
    json_decref(resp);
    return 0;
}

int
cmd_import(struct cli *cli, int argc, char **argv)
{
    struct seen_ctl *ctl;
    struct input in;
    unsigned long nlines, problems, warnings;
    int i, rc, skip = 0, quiet = 0, failed = 0, tries;
    int tty = isatty(STDERR_FILENO);
    const struct cli_opt opts[] = {
        {"skip-invalid", NULL, &skip},
        {"quiet", NULL, &quiet},
        {NULL, NULL, NULL},
    };

    if ((rc = cli_getopt(cli, argc, argv, import_usage, opts)) !=
        CLI_CONTINUE)
        return rc;
    if (optind >= argc)
        return cli_usage(cli, import_usage, "no file given");
    if ((rc = cli_need_home(cli)) != 0)
        return rc;
    if (cli_connect(cli, &ctl) != 0)
        return 1;
    for (i = optind; i < argc; i++) {
        if (read_input(cli, argv[i], &in) != 0) {
            failed = 1;
            continue;
        }
        problems = check_file(&in, &nlines, &warnings);
        if (problems > 0 && !skip) {
            cli_fail(cli, "%s: nothing stored: %lu problem%s found (fix them, "
                          "or use --skip-invalid to store the valid lines)",
                in.name, problems, problems == 1 ? "" : "s");
            failed = 1;
            free_input(&in);
            continue;
        }
        rc = send_file(cli, ctl, &in, skip, nlines, tty, quiet);
        for (tries = 0; rc == 2 && tries < IMPORT_RETRIES; tries++) {
            fprintf(stderr, "%s: sending it again\n", in.name);
            rc = send_file(cli, ctl, &in, skip, nlines, tty, quiet);
        }
        if (rc == 3)
            cli_fail(cli, "%s: the node stopped while committing it: it is "
                          "stored in full or not at all ('seen handles' "
                          "shows which)",
                in.name);
        else if (rc != 0)
            cli_fail(cli, "%s: nothing stored", in.name);
        if (rc != 0) {
            failed = 1;
            /* The session may be broken: reconnect for the next file. */
            seen_ctl_destroy(&ctl);
            if (cli_connect(cli, &ctl) != 0) {
                free_input(&in);
                return 1;
            }
        }
        free_input(&in);
    }
    seen_ctl_destroy(&ctl);
    return failed ? 1 : 0;
}
