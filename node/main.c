/*
 * seen-node: the Seen node daemon.  Runs in the foreground (for systemd);
 * `seen node start` runs it in the background.
 */
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/passphrase.h"
#include "common/version.h"
#include "node/daemon.h"

static void
usage(FILE *f)
{

    fprintf(f,
        "usage: seen-node --home DIR [--passphrase-fd N]\n"
        "\n"
        "Run the Seen node whose home is DIR (or $SEEN_HOME) in the\n"
        "foreground until SIGTERM or `seen node stop`.  The keystore\n"
        "passphrase comes from descriptor N, else from the file named by\n"
        "$SEEN_PASSPHRASE_FILE, else from the terminal.\n");
}

int
main(int argc, char *argv[])
{
    static const struct option opts[] = {
        {"home", required_argument, NULL, 'H'},
        {"passphrase-fd", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    const char *home = getenv("SEEN_HOME");
    char *pass = NULL, *end;
    size_t passlen;
    long fd = -1;
    int c, rc;

    seen_log_init("seen-node", SEEN_LOG_INFO);
    if (sodium_init() < 0) {
        fprintf(stderr, "%s: cannot initialise libsodium\n", argv[0]);
        return 1;
    }
    seen_log_set_timestamps(1);
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'H':
            home = optarg;
            break;
        case 'p':
            fd = strtol(optarg, &end, 10);
            if (*end != '\0' || fd < 0 || fd > 1024) {
                fprintf(stderr, "seen-node: --passphrase-fd: not a "
                                "descriptor: '%s'\n",
                    optarg);
                return 2;
            }
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("seen-node %s\n", seen_version());
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc || home == NULL || home[0] == '\0') {
        fprintf(stderr, "seen-node: %s\n",
            optind != argc ? "unexpected argument" : "no --home given");
        usage(stderr);
        return 2;
    }
    rc = fd >= 0 ? seen_passphrase_from_fd((int)fd, &pass, &passlen)
                 : seen_passphrase_get("Keystore passphrase: ", 0, &pass,
                       &passlen);
    if (rc != 0)
        return 1;
    rc = seen_daemon_run(home, pass, passlen);
    seen_passphrase_destroy(&pass);
    return rc == 0 ? 0 : 1;
}
