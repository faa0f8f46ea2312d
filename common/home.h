/*
 * home.h: a node's home directory and its configuration.
 *
 *   DIR/seen.conf      configuration (INI, see docs/operations.md)
 *   DIR/keystore       node keys, sealed with the passphrase (0600)
 *   DIR/store/         the LMDB environment
 *   DIR/control.sock   the daemon's control socket (0600, DIR is 0700)
 *   DIR/seen-node.pid  pid of the running daemon, locked while it runs
 *   DIR/seen-node.log  the daemon's log when started in the background
 */
#ifndef SEEN_HOME_H
#define SEEN_HOME_H

#include <stddef.h>

#include "common/seen.h"

#define SEEN_NAME_LEN 128
#define SEEN_PATH_LEN 4096

struct seen_config {
    char name[SEEN_NAME_LEN];            /* node name: [a-z0-9-]{1,63} */
    char type[32];                       /* agency type (cli.md) */
    char local_authority[SEEN_NAME_LEN];
    char agency[256];
    size_t map_size_mb;                  /* LMDB map size to start with */
    size_t map_limit_mb;                 /* the most it may grow to */
    char listen[256];                    /* transport endpoint (federation) */
    char peers[1024];                    /* connect only to these (names) */
    int log_level;                       /* enum seen_log_level */
    int check_on_start;                  /* walk the store at start-up */
    /* [federation]: the cadences of a node at rest (docs/operations.md) */
    unsigned int heads_every;      /* s between liveness HEADS to a peer */
    unsigned int checkpoint_every; /* s between checkpoints of the log */
    unsigned int witnesses;        /* witnesses of each exchange log */
    unsigned int share_messages;   /* envelopes a member may have handled
                                    * a second (its fair share) */
    /* [federation] custodian_*: a custodian's limits (issue 16) */
    unsigned int custodian_member_limit;   /* evaluations a member a day */
    unsigned int custodian_operator_limit; /* a (member, operator) a day,
                                            * every purpose but import;
                                            * 0 (unset): the epoch's
                                            * encoding's default */
    unsigned int custodian_timeout;        /* s a client waits for one */
};

/* The defaults and bounds of the [federation] keys. */
#define SEEN_CONFIG_HEADS_EVERY 300
#define SEEN_CONFIG_CHECKPOINT_EVERY 60
#define SEEN_CONFIG_WITNESSES 3
#define SEEN_CONFIG_EVERY_MAX 86400 /* either cadence, at most a day */
#define SEEN_CONFIG_WITNESSES_MAX 16
#define SEEN_CONFIG_SHARE_MESSAGES 2000 /* node/transport/share.h's */
#define SEEN_CONFIG_SHARE_MAX 1000000
/* The custodians' default limits (docs/protocol.md, "Custodians"): a
 * member's day, for its imports, whatever the encoding (an import of
 * about 100,000 persons of whole values, 600,000 anchored); an
 * operator's, for look-ups, by the OPRF epoch's token encoding (whole
 * values cost about 40 evaluations a person, anchored ones about 6.5). */
#define SEEN_CONFIG_CUSTODIAN_MEMBER_LIMIT 4000000
#define SEEN_CONFIG_CUSTODIAN_OPERATOR_LIMIT 2000         /* ~45 look-ups */
#define SEEN_CONFIG_CUSTODIAN_OPERATOR_LIMIT_ANCHORED 400 /* ~65 */
#define SEEN_CONFIG_CUSTODIAN_TIMEOUT 10
#define SEEN_CONFIG_CUSTODIAN_LIMIT_MAX 4000000000u

/**
 * seen_home_path(home, name, buf, len):
 * Write "${home}/${name}" to ${buf}.  Returns ${buf}, or NULL if it does
 * not fit (logged).
 */
char *seen_home_path(const char *home, const char *name, char *buf,
    size_t len);

/* The default map limit: 64 GiB, or the start size when that is more. */
#define SEEN_MAP_LIMIT_MB 65536

/**
 * seen_config_defaults(c):
 * Fill ${c} with defaults (map 4096 MiB growing up to SEEN_MAP_LIMIT_MB,
 * log level info, the [federation] cadences above).
 */
void seen_config_defaults(struct seen_config *c);

/**
 * seen_config_load(home, c):
 * Read ${home}/seen.conf into ${c}.  Without map_limit_mb the limit is
 * the larger of SEEN_MAP_LIMIT_MB and map_size_mb (a seen.conf written
 * before the key existed still loads); with it, it must be no smaller
 * than map_size_mb.  Returns 0; SEEN_ENOTFOUND when the file is missing;
 * SEEN_EIO when it cannot be read; SEEN_EINVAL for a malformed line, an
 * unknown section or key, a key given twice, a bad value or a missing
 * one, each logged as "PATH:LINE: [SECTION] KEY: ..." (every bad line,
 * not only the first).
 */
SEEN_MUST_CHECK int seen_config_load(const char *home, struct seen_config *c);

/**
 * seen_config_parse_string(text, c):
 * Parse configuration ${text} (the contents of a seen.conf) into ${c},
 * naming it "seen.conf" in errors.  Returns 0 or SEEN_EINVAL, as
 * seen_config_load.
 */
SEEN_MUST_CHECK int seen_config_parse_string(const char *text,
    struct seen_config *c);

/**
 * seen_config_save(home, c):
 * Write ${c} to ${home}/seen.conf atomically (mode 0600).  Returns 0 or
 * SEEN_EIO.
 */
SEEN_MUST_CHECK int seen_config_save(const char *home,
    const struct seen_config *c);

/**
 * seen_agency_type_valid(type):
 * Return 1 when ${type} is one of cli.md's agency types, else 0.
 */
int seen_agency_type_valid(const char *type);

/**
 * seen_node_name_valid(name):
 * Return 1 when ${name} is 1-63 of [a-z0-9-], not starting with '-'.
 */
int seen_node_name_valid(const char *name);

/**
 * seen_pid_dying(pid):
 * Return 1 when process ${pid} has been killed and is going (its main
 * thread a zombie while another, held by the disk, keeps its files and
 * locks; or a SIGKILL pending, not yet taken by a thread held by the
 * disk), 0 when it runs, is gone or cannot be read (Linux's /proc).
 */
int seen_pid_dying(long pid);

/**
 * seen_home_running(home, pid):
 * Return 1 when a daemon holds the lock on ${home}'s pid file (writing
 * its pid to *${pid} if not NULL), 0 when none does.
 */
int seen_home_running(const char *home, long *pid);

/*
 * The mark `seen restore` leaves in a node home whose store it replaced
 * (docs/operations.md, "Back up and restore"), read and removed by the
 * daemon at start (node/restore.c): one JSON object {"by": OPERATOR,
 * "reason": TEXT, "at": UNIX SECONDS, "taken": UNIX SECONDS (of the
 * backup), "backup": PATH}.
 */
#define SEEN_HOME_RESTORE "restore.json"

#endif /* !SEEN_HOME_H */
