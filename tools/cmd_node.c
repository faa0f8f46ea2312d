/*
 * seen node start|stop: run the node's daemon in the background;
 * seen node resolve: clear its refusal to sign exchange-log checkpoints.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/home.h"
#include "common/passphrase.h"
#include "proto/control.h"
#include "tools/cli.h"

#define DYING_WAIT_S 60.0 /* for a killed node to let go of its home */

static const char node_usage[] =
    "usage: seen --home DIR node start [--timeout SECONDS]\n"
    "       seen --home DIR node stop [--timeout SECONDS]\n"
    "       seen --home DIR --as ADMIN node resolve --reason TEXT\n"
    "\n"
    "start runs seen-node in the background (log: DIR/seen-node.log) and\n"
    "returns once it answers on its control socket; the passphrase is read\n"
    "from $SEEN_PASSPHRASE_FILE or the terminal and handed to the daemon\n"
    "through a pipe.  stop asks the daemon to stop and waits until it has.\n"
    "resolve, once you have found out why the running node stopped signing\n"
    "checkpoints of its exchange log (status: \"halted\": true; a store\n"
    "restored from a backup, say), records who resolved it, when and why,\n"
    "and lets it sign again: the evidence is kept, and it signs only once\n"
    "its log is longer than any checkpoint of its own it has seen.\n";

/* Print the last lines of the daemon's log, to say why it stopped. */
static void
show_log_tail(const char *home)
{
    char path[SEEN_PATH_LEN], buf[2048];
    long off;
    size_t n;
    FILE *f;

    if (seen_home_path(home, "seen-node.log", path, sizeof path) == NULL ||
        (f = fopen(path, "r")) == NULL)
        return;
    fseek(f, 0, SEEK_END);
    off = ftell(f);
    fseek(f, off > (long)sizeof buf - 1 ? off - (long)sizeof buf + 1 : 0,
        SEEK_SET);
    n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    fprintf(stderr, "--- last lines of %s ---\n%s", path, buf);
}

static int
find_daemon(const struct cli *cli, char *out, size_t len)
{
    char tmp[PATH_MAX];

    if (cli->self != NULL) {
        snprintf(tmp, sizeof tmp, "%s", cli->self);
        snprintf(out, len, "%s/seen-node", dirname(tmp));
        if (access(out, X_OK) == 0)
            return 0;
    }
    snprintf(out, len, "seen-node"); /* from PATH */
    return 0;
}

static int
ping(const struct cli *cli)
{
    struct seen_ctl *ctl;
    json_t *req, *resp = NULL;
    int ok;

    if (seen_ctl_open(cli->home, &ctl) != 0)
        return 0;
    req = json_pack("{s:s}", "cmd", "ping");
    ok = seen_ctl_call(ctl, req, NULL, 0, 1000, &resp, NULL, NULL) == 0 &&
        json_is_true(json_object_get(resp, "ok"));
    json_decref(req);
    json_decref(resp);
    seen_ctl_destroy(&ctl);
    return ok;
}

static int
node_start(struct cli *cli, int timeout)
{
    struct seen_config cfg;
    char daemon[PATH_MAX], logpath[SEEN_PATH_LEN], *pass;
    size_t passlen;
    long pid;
    double until;
    pid_t child;
    int p[2], fd, status;

    if (seen_config_load(cli->home, &cfg) != 0)
        return cli_fail(cli, "'%s' is not a node home", cli->home);
    /* A node killed (kill -9, the OOM killer) while a thread of it waits
     * on the disk keeps its lock until the disk answers: a start waits
     * for it to go, up to a minute, rather than refuse. */
    for (until = seen_clock_mono() + DYING_WAIT_S;
         seen_home_running(cli->home, &pid) && seen_pid_dying(pid) &&
         seen_clock_mono() < until;)
        usleep(10000);
    if (seen_home_running(cli->home, &pid))
        return cli_fail(cli, "a node is already running on '%s' (pid %ld)",
            cli->home, pid);
    if (seen_passphrase_get("Keystore passphrase: ", 0, &pass, &passlen) != 0)
        return cli_fail(cli, "no passphrase");
    find_daemon(cli, daemon, sizeof daemon);
    if (seen_home_path(cli->home, "seen-node.log", logpath,
            sizeof logpath) == NULL || pipe(p) != 0) {
        seen_passphrase_destroy(&pass);
        return cli_fail(cli, "cannot start: %s", strerror(errno));
    }
    fflush(NULL);
    if ((child = fork()) < 0) {
        seen_passphrase_destroy(&pass);
        return cli_fail(cli, "cannot fork: %s", strerror(errno));
    }
    if (child == 0) {
        setsid();
        close(p[1]);
        if ((fd = open("/dev/null", O_RDONLY)) >= 0) {
            dup2(fd, 0);
            close(fd);
        }
        if ((fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0600)) >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        if (p[0] != 3) {
            dup2(p[0], 3);
            close(p[0]);
        }
        execlp(daemon, "seen-node", "--home", cli->home, "--passphrase-fd",
            "3", (char *)NULL);
        fprintf(stderr, "seen: node: cannot run '%s': %s\n", daemon,
            strerror(errno));
        _exit(127);
    }
    close(p[0]);
    if (write(p[1], pass, passlen) != (ssize_t)passlen ||
        write(p[1], "\n", 1) != 1) {
        /* The daemon will report an empty or short passphrase. */
    }
    close(p[1]);
    seen_passphrase_destroy(&pass);

    until = seen_clock_mono() + timeout;
    while (seen_clock_mono() < until) {
        if (waitpid(child, &status, WNOHANG) == child) {
            cli_fail(cli, "the node on '%s' did not start (exit status %d)",
                cli->home, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
            show_log_tail(cli->home);
            return 1;
        }
        if (ping(cli)) {
            printf("Node '%s' started (pid %ld); log: %s\n", cfg.name,
                (long)child, logpath);
            return 0;
        }
        cli_sleep_ms(100);
    }
    cli_fail(cli, "the node on '%s' did not answer within %d s", cli->home,
        timeout);
    show_log_tail(cli->home);
    return 1;
}

static int
node_stop(struct cli *cli, int timeout)
{
    json_t *resp = NULL;
    double until;
    long pid = 0;

    if (!seen_home_running(cli->home, &pid)) {
        fprintf(stderr, "seen: node: no node is running on '%s'\n",
            cli->home);
        return 0;
    }
    if (cli_rpc(cli, json_pack("{s:s}", "cmd", "stop"), 10000, &resp) != 0) {
        if (pid > 0 && kill((pid_t)pid, SIGTERM) != 0)
            return 1;
    }
    json_decref(resp);
    until = seen_clock_mono() + timeout;
    while (seen_clock_mono() < until) {
        if (!seen_home_running(cli->home, NULL)) {
            printf("Node on %s stopped\n", cli->home);
            return 0;
        }
        cli_sleep_ms(50);
    }
    return cli_fail(cli, "the node on '%s' (pid %ld) did not stop within %d s",
        cli->home, pid, timeout);
}

static int
node_resolve(struct cli *cli, const char *reason)
{
    json_t *resp = NULL;
    json_int_t floor, size;

    if (cli_rpc(cli,
            json_pack("{s:s, s:s}", "cmd", "xlog_resolve", "reason", reason),
            10000, &resp) != 0)
        return 1;
    floor = json_integer_value(json_object_get(resp, "signs_above"));
    size = json_integer_value(json_object_get(resp, "leaves"));
    printf("Resolved: the evidence is kept; the node signs checkpoints of "
           "its exchange log again once it holds more than %lld leaves "
           "(now %lld)\n",
        (long long)floor, (long long)size);
    json_decref(resp);
    return 0;
}

int
cmd_node(struct cli *cli, int argc, char **argv)
{
    const char *reason = NULL;
    int timeout = 120, rc, i;
    char *end;

    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
                         strcmp(argv[1], "-h") == 0)) {
        fputs(node_usage, stdout);
        return 0;
    }
    if (argc < 2)
        return cli_usage(cli, node_usage, "start, stop or resolve?");
    for (i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
            timeout = (int)strtol(argv[++i], &end, 10);
            if (*end != '\0' || timeout <= 0)
                return cli_usage(cli, node_usage, "--timeout: seconds");
        } else if (strcmp(argv[i], "--reason") == 0 && i + 1 < argc) {
            reason = argv[++i];
        } else {
            return cli_usage(cli, node_usage, "unexpected argument");
        }
    }
    if (strcmp(argv[1], "resolve") == 0) {
        if (reason == NULL || reason[0] == '\0')
            return cli_usage(cli, node_usage, "resolve needs --reason TEXT");
    } else if (reason != NULL) {
        return cli_usage(cli, node_usage, "--reason is for resolve");
    }
    if ((rc = cli_need_home(cli)) != 0)
        return rc;
    if (strcmp(argv[1], "start") == 0)
        return node_start(cli, timeout);
    if (strcmp(argv[1], "stop") == 0)
        return node_stop(cli, timeout);
    if (strcmp(argv[1], "resolve") == 0)
        return node_resolve(cli, reason);
    return cli_usage(cli, node_usage, "start, stop or resolve?");
}
