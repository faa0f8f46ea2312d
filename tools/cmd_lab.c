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
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/home.h"
#include "proto/control.h"
#include "proto/policy.h"
#include "tools/cli.h"
#include "tools/ports.h"

static const char lab_usage[] =
    "usage: seen lab up DIR MANIFEST.json [--ports LO-HI]\n"
    "       seen lab wait DIR [--timeout SECONDS]\n"
    "       seen lab down DIR\n"
    "\n"
    "up creates a federation on loopback from MANIFEST (spec/cli.md): an\n"
    "authority in DIR/authority, a node home per entry in DIR/NAME, a\n"
    "signed membership document naming them all; then starts every node.\n"
    "Each node listens on 127.0.0.1 at a free port of LO-HI (default\n"
    "10000-65535) outside the kernel's ephemeral range and its reserved\n"
    "ports, so that no outgoing connection can take it; a port taken\n"
    "before the node binds it is replaced by another before the document\n"
    "is signed.  Run again on an existing DIR, it restarts the lab on the\n"
    "same data and ports (--ports is then ignored).\n"
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

/*
 * The ports a lab's nodes listen on.  A port that the kernel may hand to
 * an outgoing connection (its ephemeral range) can be taken by any
 * process between the moment it is chosen and the moment the node binds
 * it; so can one that the administrator reserved for a service.  The lab
 * chooses among the others, in ${lo}..${hi}, at random so that two labs
 * made at once seldom try the same one, checks that each is free, and
 * never tries a port twice.
 */
#define LAB_PORTS_LO 10000 /* below: where most services are configured */
#define LAB_PORTS_HI 65535
#define LAB_PORT_TRIES 20 /* ports one node may try before giving up */

struct lab_ports {
    int lo, hi;              /* the range the lab may use */
    int eph_lo, eph_hi;      /* the kernel's ephemeral range */
    uint8_t skip[65536 / 8]; /* reserved, or tried already */
};

static int
port_skipped(const struct lab_ports *lp, int p)
{
    return (lp->skip[p / 8] >> (p % 8)) & 1;
}

static void
port_skip(struct lab_ports *lp, int p)
{
    lp->skip[p / 8] |= (uint8_t)(1u << (p % 8));
}

/* Whether ${p} is a port lab ${lp} may choose, free or not. */
static int
port_usable(const struct lab_ports *lp, int p)
{
    return p >= lp->lo && p <= lp->hi && (p < lp->eph_lo || p > lp->eph_hi) &&
           !port_skipped(lp, p);
}

/*
 * Mark the ports of ${list}, the kernel's ip_local_reserved_ports ("8080,
 * 9000-9100" or empty), as not to be chosen.
 */
static void
ports_reserve(struct lab_ports *lp, const char *list)
{
    const char *s = list;
    char *end;
    long a, b, p;

    while (*s != '\0') {
        a = strtol(s, &end, 10);
        b = a;
        if (end == s)
            break;
        if (*end == '-')
            b = strtol(end + 1, &end, 10);
        for (p = a < 0 ? 0 : a; p <= b && p <= 65535; p++)
            port_skip(lp, (int)p);
        s = end + strspn(end, ", \n");
    }
}

/* The first line of ${path} into ${buf} (${len} bytes), or "". */
static void
read_line(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");

    buf[0] = '\0';
    if (f != NULL && fgets(buf, (int)len, f) == NULL)
        buf[0] = '\0';
    if (f != NULL)
        fclose(f);
}

/*
 * Set up ${lp} for the range ${spec} ("LO-HI", or NULL for the default)
 * and this machine's ephemeral and reserved ports.  Returns 0, or prints
 * why no port can be chosen and returns 1.
 */
static int
ports_init(const struct cli *cli, struct lab_ports *lp, const char *spec)
{
    char buf[4096], *end;
    int p, n = 0;

    memset(lp, 0, sizeof *lp);
    lp->lo = LAB_PORTS_LO;
    lp->hi = LAB_PORTS_HI;
    if (spec != NULL) {
        lp->lo = (int)strtol(spec, &end, 10);
        if (end == spec || *end != '-' ||
            (lp->hi = (int)strtol(end + 1, &end, 10), *end != '\0') ||
            lp->lo < 1024 || lp->hi > 65535 || lp->lo > lp->hi)
            return cli_fail(
                cli, "--ports: LO-HI, from 1024 to 65535, LO at most HI");
    }
    seen_ports_ephemeral(&lp->eph_lo, &lp->eph_hi);
    read_line("/proc/sys/net/ipv4/ip_local_reserved_ports", buf, sizeof buf);
    ports_reserve(lp, buf);
    for (p = lp->lo; p <= lp->hi; p++)
        n += port_usable(lp, p);
    if (n == 0)
        return cli_fail(cli,
            "no port of %d-%d is outside the kernel's ephemeral range "
            "(%d-%d, net.ipv4.ip_local_port_range) and its reserved ports: "
            "give --ports",
            lp->lo, lp->hi, lp->eph_lo, lp->eph_hi);
    return 0;
}

/*
 * A free port of ${lp} that has not been tried, now marked as tried; or
 * -1 when there is none.
 */
static int
port_choose(struct lab_ports *lp)
{
    uint32_t usable = 0, k;
    int p, i;

    for (p = lp->lo; p <= lp->hi; p++)
        usable += (uint32_t)port_usable(lp, p);
    if (usable == 0)
        return -1;
    /* Uniform among the usable ports, the ephemeral range left out. */
    k = randombytes_uniform(usable);
    for (p = lp->lo; k > 0 || !port_usable(lp, p); p++)
        k -= (uint32_t)port_usable(lp, p);
    for (i = 0; i <= lp->hi - lp->lo; i++) {
        if (port_usable(lp, p)) {
            port_skip(lp, p);
            if (seen_port_free(p))
                return p;
        }
        p = p == lp->hi ? lp->lo : p + 1;
    }
    return -1;
}

/* The size of node ${home}'s log, or 0. */
static off_t
log_size(const char *home)
{
    char path[SEEN_PATH_LEN];
    struct stat sb;

    if (seen_home_path(home, "seen-node.log", path, sizeof path) == NULL ||
        stat(path, &sb) != 0)
        return 0;
    return sb.st_size;
}

/*
 * Whether node ${home}, which did not start, failed because ${port} was
 * taken: it is taken now, or what the node logged from offset ${from} on
 * says that it could not listen there.
 */
static int
port_clashed(const char *home, int port, off_t from)
{
    char path[SEEN_PATH_LEN], buf[4096], what[64];
    ssize_t n;
    int fd;

    if (!seen_port_free(port))
        return 1;
    snprintf(what, sizeof what, "cannot listen on 'tcp://127.0.0.1:%d'", port);
    if (seen_home_path(home, "seen-node.log", path, sizeof path) == NULL ||
        (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return 0;
    n = pread(fd, buf, sizeof buf - 1, from);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return strstr(buf, what) != NULL;
}

/* "lab: ${what} ${i}/${n} nodes" on a terminal, the line ended at ${n}. */
static void
progress(const char *what, size_t i, size_t n)
{
    if (isatty(STDERR_FILENO))
        fprintf(stderr, "\rlab: %s %zu/%zu nodes%s", what, i, n,
            i == n ? "\n" : "");
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

/* Start the daemon of node home ${home}.  Returns 0 once it answers. */
static int
start_node(const struct cli *cli, const char *home)
{
    return run_self(cli, NULL, 0,
        (char *const[]){(char *)"seen", (char *)"--home", (char *)home,
            (char *)"node", (char *)"start", NULL});
}

/* The port of the endpoint "tcp://HOST:PORT" ${ep}, or 0. */
static int
endpoint_port(const char *ep)
{
    const char *colon = ep != NULL ? strrchr(ep, ':') : NULL;

    return colon != NULL ? atoi(colon + 1) : 0;
}

/* Hand every node of ${lab} the lab's membership document. */
static void
install_all(const struct cli *cli, const char *dir, json_t *lab)
{
    json_t *nd;
    char home[SEEN_PATH_LEN], doc[SEEN_PATH_LEN];
    const char *auth = json_string_value(json_object_get(lab, "authority"));
    size_t i;

    snprintf(doc, sizeof doc, "%s/authority/membership.pb", dir);
    json_array_foreach(json_object_get(lab, "nodes"), i, nd)
    {
        snprintf(home, sizeof home, "%s/%s", dir,
            json_string_value(json_object_get(nd, "name")));
        /* Already held after a restart: the node says so; not an error. */
        quiet_errors = 1;
        run_self(cli, NULL, 0,
            (char *const[]){(char *)"seen", (char *)"--home", home,
                (char *)"membership", (char *)"install", doc,
                (char *)"--authority", (char *)auth, NULL});
        quiet_errors = 0;
    }
}

/*
 * Start every node of the existing lab ${lab} in ${dir} that is not
 * running, on the port the membership document gives it, and hand each
 * the document.  Returns the exit status.
 */
static int
restart_all(const struct cli *cli, const char *dir, json_t *lab)
{
    json_t *nd;
    char home[SEEN_PATH_LEN];
    const char *name;
    size_t i;
    int bad = 0, port;
    off_t from;

    json_array_foreach(json_object_get(lab, "nodes"), i, nd)
    {
        name = json_string_value(json_object_get(nd, "name"));
        snprintf(home, sizeof home, "%s/%s", dir, name);
        from = log_size(home);
        if (seen_home_running(home, NULL) || start_node(cli, home) == 0)
            continue;
        bad = 1;
        port =
            endpoint_port(json_string_value(json_object_get(nd, "endpoint")));
        /* The port is signed in the document: it cannot move now. */
        if (port > 0 && port_clashed(home, port, from))
            cli_fail(cli,
                "another process holds port %d, where node '%s' listens: "
                "free it and run 'seen lab up %s' again",
                port, name, dir);
        else
            cli_fail(cli, "node '%s' did not start", name);
    }
    if (bad)
        return 1;
    install_all(cli, dir, lab);
    return 0;
}

/* Stop every running node of ${lab} in ${dir}.  Returns 0, or 1 when one
 * would not stop. */
static int
stop_all(const struct cli *cli, const char *dir, json_t *lab)
{
    json_t *nd;
    char home[SEEN_PATH_LEN];
    size_t i;
    int bad = 0;

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
    return bad;
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
 * Make the home of node ${nd} of the manifest in DIR/NAME, with the
 * agreement ${agr} (${agrlen} bytes) when not NULL, and add the node to
 * ${labnodes}.  Returns 0, or prints why not and returns 1.
 */
static int
make_node(const struct cli *cli, const char *dir, json_t *nd, const char *agr,
    size_t agrlen, json_t *labnodes)
{
    const char *name = json_string_value(json_object_get(nd, "name"));
    const char *type = json_string_value(json_object_get(nd, "type"));
    const char *la = json_string_value(json_object_get(nd, "local_authority"));
    const char *agency = json_string_value(json_object_get(nd, "agency"));
    char home[SEEN_PATH_LEN];

    snprintf(home, sizeof home, "%s/%s", dir, name);
    if (run_self(cli, NULL, 0,
            (char *const[]){(char *)"seen", (char *)"--home", home,
                (char *)"init", (char *)"--name", (char *)name,
                (char *)"--type", (char *)type, (char *)"--local-authority",
                (char *)la, (char *)"--agency",
                (char *)(agency ? agency : name), (char *)"--kdf",
                (char *)"interactive", (char *)"--map-size-mb",
                (char *)"1024", NULL}) != 0)
        return cli_fail(cli, "cannot create node '%s'", name);
    if (agr != NULL && write_agreement(cli, home, agr, agrlen) != 0)
        return 1;
    json_array_append_new(labnodes, json_pack("{s:s, s:s, s:s}", "name", name,
                                        "type", type, "local_authority", la));
    return 0;
}

/*
 * Start node ${nd} of the lab in ${dir}, not yet enrolled, listening on a
 * port chosen from ${lp}; when another process takes the port before the
 * node binds it, choose another (the endpoint is signed only once every
 * node holds its port).  Sets the node's "endpoint".  Returns 0, or
 * prints why not and returns 1.
 */
static int
start_new_node(
    const struct cli *cli, const char *dir, json_t *nd, struct lab_ports *lp)
{
    const char *name = json_string_value(json_object_get(nd, "name"));
    char home[SEEN_PATH_LEN], ep[64];
    struct seen_config cfg;
    int port, tries;
    off_t from;

    snprintf(home, sizeof home, "%s/%s", dir, name);
    for (tries = 0; tries < LAB_PORT_TRIES; tries++) {
        if ((port = port_choose(lp)) < 0)
            return cli_fail(cli, "no free port left in %d-%d for node '%s'",
                lp->lo, lp->hi, name);
        snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", port);
        if (seen_config_load(home, &cfg) != 0)
            return 1;
        snprintf(cfg.listen, sizeof cfg.listen, "%s", ep);
        if (seen_config_save(home, &cfg) != 0)
            return 1;
        from = log_size(home);
        if (start_node(cli, home) == 0) {
            json_object_set_new(nd, "endpoint", json_string(ep));
            return 0;
        }
        if (!port_clashed(home, port, from))
            return cli_fail(cli, "node '%s' did not start", name);
        fprintf(stderr,
            "%slab: port %d was taken before '%s' could listen "
            "on it: trying another\n",
            isatty(STDERR_FILENO) ? "\n" : "", port, name);
    }
    return cli_fail(
        cli, "node '%s' found no free port in %d tries", name, LAB_PORT_TRIES);
}

/*
 * Enrol node ${nd}, running at its "endpoint", with the authority in
 * ${authdir}.  Returns 0, or prints why not and returns 1.
 */
static int
enrol_node(
    const struct cli *cli, const char *dir, const char *authdir, json_t *nd)
{
    const char *name = json_string_value(json_object_get(nd, "name"));
    const char *ep = json_string_value(json_object_get(nd, "endpoint"));
    char home[SEEN_PATH_LEN];

    snprintf(home, sizeof home, "%s/%s", dir, name);
    if (ep == NULL ||
        run_self(cli, NULL, 0,
            (char *const[]){(char *)"seen", (char *)"--home", home,
                (char *)"identity", NULL}) != 0 ||
        run_self(cli, NULL, 0,
            (char *const[]){(char *)"seen", (char *)"federation", (char *)"add",
                (char *)authdir, (char *)"--home", home, (char *)"--endpoint",
                (char *)ep, NULL}) != 0)
        return cli_fail(cli, "cannot enrol node '%s'", name);
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

/* Write ${lab} to DIR/lab.json.  Returns 0, or prints why not and 1. */
static int
save_lab(const struct cli *cli, const char *dir, json_t *lab)
{
    char path[SEEN_PATH_LEN];

    snprintf(path, sizeof path, "%s/lab.json", dir);
    if (json_dump_file(lab, path, JSON_INDENT(2)) != 0)
        return cli_fail(cli, "cannot write '%s'", path);
    return 0;
}

/*
 * "custodians": {"threshold": T, "nodes": [NAME, ...]} in the manifest
 * ${m}: deal an OPRF epoch's key T of N among those nodes of the lab in
 * ${authdir}, each serving on a port of ${lp}.  Returns 0 (also with no
 * custodians), or prints why not and returns 1.
 */
static int
deal_custodians(const struct cli *cli, const char *authdir, json_t *m,
    struct lab_ports *lp)
{
    json_t *cu = json_object_get(m, "custodians"), *names, *nm;
    char *argv[6 + 64], args[64][160], thr[16];
    size_t i, n;
    int port;

    if (cu == NULL)
        return 0;
    names = json_object_get(cu, "nodes");
    if (!json_is_integer(json_object_get(cu, "threshold")) ||
        !json_is_array(names) || (n = json_array_size(names)) == 0 ||
        n > 64)
        return cli_fail(cli, "\"custodians\": needs \"threshold\" and 1 to "
                             "64 \"nodes\"");
    snprintf(thr, sizeof thr, "%lld",
        (long long)json_integer_value(json_object_get(cu, "threshold")));
    argv[0] = (char *)"seen";
    argv[1] = (char *)"federation";
    argv[2] = (char *)"custodians";
    argv[3] = (char *)authdir;
    argv[4] = (char *)"--threshold";
    argv[5] = thr;
    json_array_foreach(names, i, nm)
    {
        if (!json_is_string(nm) || (port = port_choose(lp)) < 0)
            return cli_fail(cli, "\"custodians\": a node name each, and a "
                                 "free port for each");
        snprintf(args[i], sizeof args[i], "%s=tcp://127.0.0.1:%d",
            json_string_value(nm), port);
        argv[6 + i] = args[i];
    }
    argv[6 + n] = NULL;
    if (run_self(cli, NULL, 0, argv) != 0)
        return cli_fail(cli, "cannot deal the custodians' key");
    return 0;
}

/*
 * Start every node of the new lab ${lab} in ${dir} on a port of ${lp},
 * enrol each at the port it holds with the authority in ${authdir} and
 * deal the custodians' key of ${m}, if any (deal_custodians), and
 * sign the membership document.  Returns 0, or prints why not and
 * returns 1.
 */
static int
start_and_sign(const struct cli *cli, const char *dir, const char *authdir,
    json_t *lab, json_t *m, struct lab_ports *lp)
{
    json_t *nodes = json_object_get(lab, "nodes"), *nd;
    size_t i;

    /* Every node binds its port before any endpoint is signed: a port
     * taken meanwhile is replaced while nothing names it yet. */
    json_array_foreach(nodes, i, nd)
    {
        if (start_new_node(cli, dir, nd, lp) != 0)
            return 1;
        progress("started", i + 1, json_array_size(nodes));
    }
    json_array_foreach(nodes, i, nd)
    {
        if (enrol_node(cli, dir, authdir, nd) != 0)
            return 1;
    }
    if (deal_custodians(cli, authdir, m, lp) != 0)
        return 1;
    if (run_self(cli, NULL, 0,
            (char *const[]){(char *)"seen", (char *)"federation",
                (char *)"sign", (char *)authdir, NULL}) != 0)
        return cli_fail(cli, "cannot sign the membership document");
    return 0;
}

/*
 * Make the lab of the manifest ${m} in ${dir}, whose agreement is ${agr}
 * (${agrlen} bytes; NULL: none), on ports of ${lp}: its authority, its
 * nodes, started, and the signed membership document, which every node
 * is then given.  Returns the exit status; a lab that fails half-way is
 * stopped.
 */
static int
make_lab(const struct cli *cli, const char *dir, json_t *m, const char *agr,
    size_t agrlen, struct lab_ports *lp)
{
    const char *fed = json_string_value(json_object_get(m, "federation"));
    json_t *nodes = json_object_get(m, "nodes"), *nd, *lab;
    char authdir[SEEN_PATH_LEN], out[8192], auth[65];
    size_t i;
    int rc = 1;

    snprintf(authdir, sizeof authdir, "%s/authority", dir);
    if (run_self(cli, out, sizeof out,
            (char *const[]){(char *)"seen", (char *)"federation",
                (char *)"init", authdir, (char *)"--name", (char *)fed,
                (char *)"--kdf", (char *)"interactive", NULL}) != 0 ||
        find_hex64(out, auth) != 0)
        return cli_fail(cli, "cannot create the federation authority");
    /* "links": N in the manifest: sparse links (docs/protocol.md). */
    if (json_is_integer(json_object_get(m, "links"))) {
        snprintf(out, sizeof out, "%lld",
            (long long)json_integer_value(json_object_get(m, "links")));
        if (run_self(cli, NULL, 0,
                (char *const[]){(char *)"seen", (char *)"federation",
                    (char *)"links", authdir, out, NULL}) != 0)
            return cli_fail(cli, "cannot set the links of the federation");
    }
    lab = json_pack("{s:s, s:s, s:[]}", "federation", fed, "authority",
        auth, "nodes");
    json_array_foreach(nodes, i, nd)
    {
        if (make_node(
                cli, dir, nd, agr, agrlen, json_object_get(lab, "nodes")) != 0)
            goto done;
        progress("created", i + 1, json_array_size(nodes));
    }
    /* Written before any node starts, so that `lab down` finds them. */
    if (save_lab(cli, dir, lab) != 0)
        goto done;
    if (start_and_sign(cli, dir, authdir, lab, m, lp) != 0 ||
        save_lab(cli, dir, lab) != 0) {
        stop_all(cli, dir, lab);
        goto done;
    }
    install_all(cli, dir, lab);
    if ((rc = add_operators(cli, dir, nodes)) == 0)
        printf("Lab '%s' up in %s: %zu nodes; authority %s\n", fed, dir,
            json_array_size(nodes), auth);
done:
    json_decref(lab);
    return rc;
}

/*
 * seen lab up DIR MANIFEST [--ports ${ports}]: a new lab, or the lab in
 * DIR restarted.  Returns the exit status.
 */
static int
lab_up(const struct cli *cli, const char *dir, const char *manifest,
    const char *ports)
{
    char path[SEEN_PATH_LEN];
    struct lab_ports lp;
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
        rc = restart_all(cli, dir, lab);
        if (rc == 0)
            printf("Lab in %s restarted (%zu nodes)\n", dir,
                json_array_size(json_object_get(lab, "nodes")));
        json_decref(lab);
        return rc;
    }
    if (ports_init(cli, &lp, ports) != 0 ||
        load_manifest(cli, manifest, &m) != 0)
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
    rc = make_lab(cli, dir, m, agr, agrlen, &lp);
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
    size_t i, j, n, behind, unmatched;
    int tty = isatty(STDERR_FILENO);

    if ((lab = load_lab(cli, dir)) == NULL)
        return 1;
    nodes = json_object_get(lab, "nodes");
    n = json_array_size(nodes);
    st = calloc(n, sizeof *st);
    for (;;) {
        behind = unmatched = 0;
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
            /* ...and has matched them (an older daemon does not say). */
            unmatched += (size_t)json_integer_value(json_object_get(
                json_object_get(st[i], "matching"), "behind"));
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
            fprintf(stderr, "\rlab: %zu feed copies behind, %zu entries to "
                            "match   ",
                behind, unmatched);
        if (behind == 0 && unmatched == 0)
            break;
        if (time(NULL) >= until) {
            if (tty)
                fputc('\n', stderr);
            for (i = 0; i < n; i++)
                json_decref(st[i]);
            free(st);
            json_decref(lab);
            return cli_fail(cli, "not converged after %d s (%zu feed copies "
                                 "behind, %zu entries to match)",
                timeout, behind, unmatched);
        }
        cli_sleep_ms(500);
    }
    if (tty)
        fputc('\n', stderr);
    printf("Lab converged: %zu nodes each hold all %zu feeds, matched\n", n,
        n);
    for (i = 0; i < n; i++)
        json_decref(st[i]);
    free(st);
    json_decref(lab);
    return 0;
}

static int
lab_down(const struct cli *cli, const char *dir)
{
    json_t *lab;
    int bad;

    if ((lab = load_lab(cli, dir)) == NULL)
        return 1;
    bad = stop_all(cli, dir, lab);
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
    if ((argc == 4 || argc == 6) && strcmp(argv[1], "up") == 0) {
        if (argc == 6 && strcmp(argv[4], "--ports") != 0)
            return cli_usage(cli, lab_usage, "unexpected argument");
        return lab_up(cli, argv[2], argv[3], argc == 6 ? argv[5] : NULL);
    }
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
