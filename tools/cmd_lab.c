/*
 * seen lab up|wait|down: a whole federation on loopback, for trying Seen,
 * for demos and for tests (spec/cli.md).
 *
 * `lab up` drives this same `seen` binary, as an operator would: it
 * creates a federation authority, one node home per manifest entry, enrols
 * every node, signs the membership document, starts every daemon and
 * hands each the document.  A lab's passphrase is generated and kept in
 * DIR/passphrase: never do this in production.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/home.h"
#include "proto/control.h"
#include "proto/policy.h"
#include "tools/cli.h"

static const char lab_usage[] =
    "usage: seen lab up DIR MANIFEST.json\n"
    "       seen lab wait DIR [--timeout SECONDS]\n"
    "       seen lab down DIR\n"
    "\n"
    "up creates a federation on loopback from MANIFEST (spec/cli.md): an\n"
    "authority in DIR/authority, a node home per entry in DIR/NAME, a\n"
    "signed membership document naming them all; then starts every node.\n"
    "Run again on an existing DIR, it restarts the lab on the same data.\n"
    "wait returns 0 once every node holds every node's feed at its latest\n"
    "size, 1 on timeout.  down stops the lab's daemons.\n";

/*
 * Run this binary with ${args} (NULL-terminated); its standard output goes
 * to ${out} (${outlen} bytes, NUL-terminated) when not NULL, else to
 * /dev/null; its errors to ours.  Returns its exit status, or -1.
 */
static int quiet_errors;

static int
run_self(const struct cli *cli, char *out, size_t outlen, char *const args[])
{
    int p[2], status, fd;
    size_t got = 0;
    ssize_t n;
    pid_t pid;

    if (pipe(p) != 0)
        return -1;
    fflush(NULL);
    if ((pid = fork()) < 0)
        return -1;
    if (pid == 0) {
        close(p[0]);
        dup2(p[1], 1);
        close(p[1]);
        if ((fd = open("/dev/null", O_RDWR)) >= 0) {
            dup2(fd, 0);
            if (quiet_errors)
                dup2(fd, 2);
            close(fd);
        }
        execv(cli->self, args);
        _exit(127);
    }
    close(p[1]);
    while ((n = read(p[0], out ? out + got : (char[256]){0},
                out ? outlen - 1 - got : 256)) > 0) {
        if (out != NULL) {
            got += (size_t)n;
            if (got >= outlen - 1)
                break;
        }
    }
    if (out != NULL)
        out[got] = '\0';
    close(p[0]);
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A free TCP port on 127.0.0.1, as the kernel chooses it. */
static int
free_port(void)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    int s, port = -1;

    if ((s = socket(AF_INET, SOCK_STREAM, 0)) < 0)
        return -1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(s, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(s, (struct sockaddr *)&a, &alen) == 0)
        port = ntohs(a.sin_port);
    close(s);
    return port;
}

/* The first run of 64 hex digits in ${s}, copied to ${hex}. */
static int
find_hex64(const char *s, char hex[65])
{
    size_t i, run = 0;

    for (i = 0; s[i] != '\0'; i++) {
        run = isxdigit((unsigned char)s[i]) ? run + 1 : 0;
        if (run == 64 && !isxdigit((unsigned char)s[i + 1])) {
            memcpy(hex, s + i - 63, 64);
            hex[64] = '\0';
            return 0;
        }
    }
    return -1;
}

static int
write_passphrase(const char *path)
{
    unsigned char raw[24];
    char line[64];
    FILE *f;
    int fd, i;

    if ((fd = open("/dev/urandom", O_RDONLY)) < 0 ||
        read(fd, raw, sizeof raw) != (ssize_t)sizeof raw) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    for (i = 0; i < 24; i++)
        snprintf(line + 2 * i, 3, "%02x", raw[i]);
    if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0 ||
        (f = fdopen(fd, "w")) == NULL)
        return -1;
    fprintf(f, "%s\n", line);
    return fclose(f) == 0 ? 0 : -1;
}

static json_t *
load_lab(const struct cli *cli, const char *dir)
{
    char path[SEEN_PATH_LEN];
    json_t *lab;

    snprintf(path, sizeof path, "%s/lab.json", dir);
    if ((lab = json_load_file(path, 0, NULL)) == NULL)
        cli_fail(cli, "'%s' is not a lab (no lab.json)", dir);
    return lab;
}

static void
use_lab_passphrase(const char *dir)
{
    char path[SEEN_PATH_LEN];

    snprintf(path, sizeof path, "%s/passphrase", dir);
    setenv("SEEN_PASSPHRASE_FILE", path, 1);
}

static int
start_all(const struct cli *cli, const char *dir, json_t *lab)
{
    json_t *nodes = json_object_get(lab, "nodes"), *nd;
    char home[SEEN_PATH_LEN], doc[SEEN_PATH_LEN];
    const char *auth = json_string_value(json_object_get(lab, "authority"));
    size_t i;
    int bad = 0;

    snprintf(doc, sizeof doc, "%s/authority/membership.pb", dir);
    json_array_foreach(nodes, i, nd)
    {
        const char *name = json_string_value(json_object_get(nd, "name"));

        snprintf(home, sizeof home, "%s/%s", dir, name);
        if (seen_home_running(home, NULL))
            continue;
        if (run_self(cli, NULL, 0,
                (char *const[]){(char *)"seen", (char *)"--home", home,
                    (char *)"node", (char *)"start", NULL}) != 0) {
            cli_fail(cli, "node '%s' did not start", name);
            bad = 1;
        }
    }
    if (bad)
        return 1;
    json_array_foreach(nodes, i, nd)
    {
        const char *name = json_string_value(json_object_get(nd, "name"));

        snprintf(home, sizeof home, "%s/%s", dir, name);
        /* Already held after a restart: the node says so; not an error. */
        quiet_errors = 1;
        run_self(cli, NULL, 0,
            (char *const[]){(char *)"seen", (char *)"--home", home,
                (char *)"membership", (char *)"install", doc,
                (char *)"--authority", (char *)auth, NULL});
        quiet_errors = 0;
    }
    return 0;
}

/*
 * The manifest's optional "agreement": a partnership agreement file
 * (proto/policy.h), named relative to the manifest, checked here so that
 * a mistake stops `lab up` rather than every node.
 */
static int
read_agreement(const struct cli *cli, const char *manifest, const char *name,
    char **buf, size_t *len)
{
    char path[SEEN_PATH_LEN], err[SEEN_POLICY_ERR_BYTES];
    const char *slash = strrchr(manifest, '/');
    struct seen_policy *p;
    FILE *f;
    long n;

    if (name == NULL || name[0] == '\0')
        return cli_fail(cli, "%s: \"agreement\" must name a file", manifest);
    if (name[0] == '/' || slash == NULL)
        snprintf(path, sizeof path, "%s", name);
    else
        snprintf(path, sizeof path, "%.*s/%s", (int)(slash - manifest),
            manifest, name);
    if ((f = fopen(path, "rb")) == NULL)
        return cli_fail(cli, "cannot read the agreement '%s': %s", path,
            strerror(errno));
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
        n > SEEN_POLICY_FILE_MAX || fseek(f, 0, SEEK_SET) != 0 ||
        (*buf = malloc((size_t)n + 1)) == NULL ||
        fread(*buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(*buf);
        *buf = NULL;
        return cli_fail(cli, "cannot read the agreement '%s'", path);
    }
    fclose(f);
    *len = (size_t)n;
    if (seen_policy_parse(*buf, *len, &p, err) != 0) {
        free(*buf);
        *buf = NULL;
        return cli_fail(cli, "%s: %s", path, err);
    }
    seen_policy_destroy(&p);
    return 0;
}

/* Install the agreement as HOME/agreement.json (docs/operations.md). */
static int
write_agreement(const struct cli *cli, const char *home, const char *buf,
    size_t len)
{
    char path[SEEN_PATH_LEN];
    FILE *f;
    int fd;

    if (seen_home_path(home, "agreement.json", path, sizeof path) == NULL)
        return cli_fail(cli, "'%s': path too long", home);
    if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) <
            0 ||
        (f = fdopen(fd, "wb")) == NULL) {
        if (fd >= 0)
            close(fd);
        return cli_fail(cli, "cannot write '%s': %s", path, strerror(errno));
    }
    if (fwrite(buf, 1, len, f) != len || fclose(f) != 0)
        return cli_fail(cli, "cannot write '%s'", path);
    return 0;
}

/*
 * Load the manifest ${manifest} into *${m}: a "federation" name and
 * "nodes", each with a valid name, type and local_authority.  Returns 0,
 * or prints why not and returns 1.
 */
static int
load_manifest(const struct cli *cli, const char *manifest, json_t **m)
{
    json_error_t jerr;
    json_t *nodes, *nd;
    const char *name, *type, *la;
    size_t i;

    if ((*m = json_load_file(manifest, 0, &jerr)) == NULL)
        return cli_fail(cli, "%s:%d: %s", manifest, jerr.line, jerr.text);
    nodes = json_object_get(*m, "nodes");
    if (json_string_value(json_object_get(*m, "federation")) == NULL ||
        !json_is_array(nodes) || json_array_size(nodes) == 0) {
        json_decref(*m);
        return cli_fail(cli, "%s: needs \"federation\" and \"nodes\"",
            manifest);
    }
    json_array_foreach(nodes, i, nd)
    {
        name = json_string_value(json_object_get(nd, "name"));
        type = json_string_value(json_object_get(nd, "type"));
        la = json_string_value(json_object_get(nd, "local_authority"));
        if (name == NULL || !seen_node_name_valid(name) || type == NULL ||
            !seen_agency_type_valid(type) || la == NULL || la[0] == '\0') {
            json_decref(*m);
            return cli_fail(cli, "%s: node %zu needs a valid name, type and "
                                 "local_authority",
                manifest, i);
        }
    }
    return 0;
}

/*
 * Make the node ${nd} of the manifest in DIR/NAME, listening on a free
 * port, with the agreement ${agr} (${agrlen} bytes) when not NULL, and
 * enrol it with the authority in ${authdir}; add it to ${labnodes}.
 * Returns 0, or prints why not and returns 1.
 */
static int
make_node(const struct cli *cli, const char *dir, const char *authdir,
    json_t *nd, const char *agr, size_t agrlen, json_t *labnodes)
{
    const char *name = json_string_value(json_object_get(nd, "name"));
    const char *type = json_string_value(json_object_get(nd, "type"));
    const char *la = json_string_value(json_object_get(nd, "local_authority"));
    const char *agency = json_string_value(json_object_get(nd, "agency"));
    char home[SEEN_PATH_LEN], ep[64];
    struct seen_config cfg;
    int port;

    snprintf(home, sizeof home, "%s/%s", dir, name);
    if ((port = free_port()) < 0)
        return cli_fail(cli, "no free port on 127.0.0.1");
    snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", port);
    if (run_self(cli, NULL, 0,
            (char *const[]){(char *)"seen", (char *)"--home", home,
                (char *)"init", (char *)"--name", (char *)name,
                (char *)"--type", (char *)type, (char *)"--local-authority",
                (char *)la, (char *)"--agency",
                (char *)(agency ? agency : name), (char *)"--kdf",
                (char *)"interactive", (char *)"--map-size-mb",
                (char *)"1024", NULL}) != 0)
        return cli_fail(cli, "cannot create node '%s'", name);
    if (seen_config_load(home, &cfg) != 0)
        return 1;
    if (agr != NULL && write_agreement(cli, home, agr, agrlen) != 0)
        return 1;
    snprintf(cfg.listen, sizeof cfg.listen, "%s", ep);
    if (seen_config_save(home, &cfg) != 0)
        return 1;
    if (run_self(cli, NULL, 0,
            (char *const[]){(char *)"seen", (char *)"--home", home,
                (char *)"identity", NULL}) != 0 ||
        run_self(cli, NULL, 0,
            (char *const[]){(char *)"seen", (char *)"federation",
                (char *)"add", (char *)authdir, (char *)"--home", home,
                (char *)"--endpoint", ep, NULL}) != 0)
        return cli_fail(cli, "cannot enrol node '%s'", name);
    json_array_append_new(labnodes,
        json_pack("{s:s, s:s, s:s, s:s}", "name", name, "type", type,
            "local_authority", la, "endpoint", ep));
    return 0;
}

/* cli.md: a lab registers admin, lead and auditor everywhere. */
static int
add_operators(const struct cli *cli, const char *dir, json_t *nodes)
{
    static const char *ops[] = {"lead", "auditor"};
    char home[SEEN_PATH_LEN];
    const char *name;
    json_t *nd;
    size_t i, k;

    json_array_foreach(nodes, i, nd)
    {
        name = json_string_value(json_object_get(nd, "name"));
        snprintf(home, sizeof home, "%s/%s", dir, name);
        for (k = 0; k < sizeof ops / sizeof ops[0]; k++)
            if (run_self(cli, NULL, 0,
                    (char *const[]){(char *)"seen", (char *)"--home", home,
                        (char *)"--as", (char *)"admin", (char *)"operator",
                        (char *)"add", (char *)ops[k], (char *)"--role",
                        (char *)ops[k], NULL}) != 0)
                return cli_fail(cli, "cannot register the operators of "
                                     "'%s'",
                    name);
    }
    return 0;
}

/*
 * Make the lab of the manifest ${m} in ${dir}, whose agreement is ${agr}
 * (${agrlen} bytes; NULL: none): its authority, its nodes and the signed
 * membership document; then start it.  Returns the exit status.
 */
static int
make_lab(const struct cli *cli, const char *dir, json_t *m, const char *agr,
    size_t agrlen)
{
    const char *fed = json_string_value(json_object_get(m, "federation"));
    json_t *nodes = json_object_get(m, "nodes"), *nd, *lab;
    char path[SEEN_PATH_LEN], authdir[SEEN_PATH_LEN], out[8192], auth[65];
    size_t i;
    int rc = 1;

    snprintf(authdir, sizeof authdir, "%s/authority", dir);
    if (run_self(cli, out, sizeof out,
            (char *const[]){(char *)"seen", (char *)"federation",
                (char *)"init", authdir, (char *)"--name", (char *)fed,
                (char *)"--kdf", (char *)"interactive", NULL}) != 0 ||
        find_hex64(out, auth) != 0)
        return cli_fail(cli, "cannot create the federation authority");
    lab = json_pack("{s:s, s:s, s:[]}", "federation", fed, "authority",
        auth, "nodes");
    json_array_foreach(nodes, i, nd)
    {
        if (make_node(cli, dir, authdir, nd, agr, agrlen,
                json_object_get(lab, "nodes")) != 0)
            goto done;
        fprintf(stderr, "\rlab: created %zu/%zu nodes", i + 1,
            json_array_size(nodes));
    }
    fprintf(stderr, "\n");
    if (run_self(cli, NULL, 0,
            (char *const[]){(char *)"seen", (char *)"federation",
                (char *)"sign", authdir, NULL}) != 0) {
        cli_fail(cli, "cannot sign the membership document");
        goto done;
    }
    snprintf(path, sizeof path, "%s/lab.json", dir);
    if (json_dump_file(lab, path, JSON_INDENT(2)) != 0) {
        cli_fail(cli, "cannot write '%s'", path);
        goto done;
    }
    if ((rc = start_all(cli, dir, lab)) == 0)
        rc = add_operators(cli, dir, nodes);
    if (rc == 0)
        printf("Lab '%s' up in %s: %zu nodes; authority %s\n", fed, dir,
            json_array_size(nodes), auth);
done:
    json_decref(lab);
    return rc;
}

static int
lab_up(const struct cli *cli, const char *dir, const char *manifest)
{
    char path[SEEN_PATH_LEN];
    json_t *m, *lab;
    struct stat sb;
    char *agr = NULL;
    size_t agrlen = 0;
    int rc = 1;

    snprintf(path, sizeof path, "%s/lab.json", dir);
    if (stat(path, &sb) == 0) {
        /* An existing lab: restart it on the same data. */
        use_lab_passphrase(dir);
        if ((lab = load_lab(cli, dir)) == NULL)
            return 1;
        rc = start_all(cli, dir, lab);
        if (rc == 0)
            printf("Lab in %s restarted (%zu nodes)\n", dir,
                json_array_size(json_object_get(lab, "nodes")));
        json_decref(lab);
        return rc;
    }
    if (load_manifest(cli, manifest, &m) != 0)
        return 1;
    if (json_object_get(m, "agreement") != NULL &&
        read_agreement(cli, manifest,
            json_string_value(json_object_get(m, "agreement")), &agr,
            &agrlen) != 0)
        goto done;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        cli_fail(cli, "cannot create '%s': %s", dir, strerror(errno));
        goto done;
    }
    snprintf(path, sizeof path, "%s/passphrase", dir);
    if (write_passphrase(path) != 0) {
        cli_fail(cli, "cannot write '%s' (a lab there already?)", path);
        goto done;
    }
    use_lab_passphrase(dir);
    rc = make_lab(cli, dir, m, agr, agrlen);
done:
    json_decref(m);
    free(agr);
    return rc;
}

/* Each node's status, or NULL for a node that does not answer. */
static json_t *
node_status(const char *home)
{
    struct seen_ctl *ctl;
    json_t *req, *resp = NULL;

    if (seen_ctl_open(home, &ctl) != 0)
        return NULL;
    req = json_pack("{s:s}", "cmd", "status");
    if (seen_ctl_call(ctl, req, NULL, 0, 5000, &resp, NULL, NULL) != 0 ||
        !json_is_true(json_object_get(resp, "ok"))) {
        json_decref(resp);
        resp = NULL;
    }
    json_decref(req);
    seen_ctl_destroy(&ctl);
    return resp;
}

static int
lab_wait(const struct cli *cli, const char *dir, int timeout)
{
    json_t *lab, *nodes, *nd, **st;
    char home[SEEN_PATH_LEN];
    time_t until = time(NULL) + timeout;
    size_t i, j, n, behind;
    int tty = isatty(STDERR_FILENO);

    if ((lab = load_lab(cli, dir)) == NULL)
        return 1;
    nodes = json_object_get(lab, "nodes");
    n = json_array_size(nodes);
    st = calloc(n, sizeof *st);
    for (;;) {
        behind = 0;
        json_array_foreach(nodes, i, nd)
        {
            snprintf(home, sizeof home, "%s/%s", dir,
                json_string_value(json_object_get(nd, "name")));
            json_decref(st[i]);
            st[i] = node_status(home);
        }
        /* Converged: every node holds every node's feed at its own size. */
        for (i = 0; i < n; i++) {
            const char *oi = json_string_value(
                json_object_get(json_array_get(nodes, i), "name"));
            json_int_t own;

            if (st[i] == NULL) {
                behind += n;
                continue;
            }
            own = json_integer_value(
                json_object_get(json_object_get(st[i], "feeds"), oi));
            for (j = 0; j < n; j++) {
                if (j == i)
                    continue;
                if (st[j] == NULL ||
                    json_integer_value(json_object_get(
                        json_object_get(st[j], "feeds"), oi)) != own)
                    behind++;
            }
        }
        if (tty)
            fprintf(stderr, "\rlab: %zu feed copies behind   ", behind);
        if (behind == 0)
            break;
        if (time(NULL) >= until) {
            if (tty)
                fputc('\n', stderr);
            for (i = 0; i < n; i++)
                json_decref(st[i]);
            free(st);
            json_decref(lab);
            return cli_fail(cli, "not converged after %d s (%zu feed copies "
                                 "behind)",
                timeout, behind);
        }
        cli_sleep_ms(500);
    }
    if (tty)
        fputc('\n', stderr);
    printf("Lab converged: %zu nodes each hold all %zu feeds\n", n, n);
    for (i = 0; i < n; i++)
        json_decref(st[i]);
    free(st);
    json_decref(lab);
    return 0;
}

static int
lab_down(const struct cli *cli, const char *dir)
{
    json_t *lab, *nd;
    char home[SEEN_PATH_LEN];
    size_t i;
    int bad = 0;

    if ((lab = load_lab(cli, dir)) == NULL)
        return 1;
    json_array_foreach(json_object_get(lab, "nodes"), i, nd)
    {
        snprintf(home, sizeof home, "%s/%s", dir,
            json_string_value(json_object_get(nd, "name")));
        if (seen_home_running(home, NULL) &&
            run_self(cli, NULL, 0,
                (char *const[]){(char *)"seen", (char *)"--home", home,
                    (char *)"node", (char *)"stop", NULL}) != 0)
            bad = 1;
    }
    json_decref(lab);
    if (!bad)
        printf("Lab in %s stopped\n", dir);
    return bad;
}

int
cmd_lab(struct cli *cli, int argc, char **argv)
{
    int timeout = 600;
    char *end;

    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
                         strcmp(argv[1], "-h") == 0)) {
        fputs(lab_usage, stdout);
        return 0;
    }
    if (cli->self == NULL)
        return cli_fail(cli, "cannot find the seen binary");
    if (argc == 4 && strcmp(argv[1], "up") == 0)
        return lab_up(cli, argv[2], argv[3]);
    if ((argc == 3 || argc == 5) && strcmp(argv[1], "wait") == 0) {
        if (argc == 5) {
            if (strcmp(argv[3], "--timeout") != 0)
                return cli_usage(cli, lab_usage, "unexpected argument");
            timeout = (int)strtol(argv[4], &end, 10);
            if (*end != '\0' || timeout <= 0)
                return cli_usage(cli, lab_usage, "--timeout: seconds");
        }
        return lab_wait(cli, argv[2], timeout);
    }
    if (argc == 3 && strcmp(argv[1], "down") == 0)
        return lab_down(cli, argv[2]);
    return cli_usage(cli, lab_usage, NULL);
}
