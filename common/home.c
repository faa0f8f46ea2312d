#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "common/file.h"
#include "common/home.h"
#include "common/log.h"

/**
 * seen_home_path(home, name, buf, len):
 * Write "${home}/${name}" to ${buf}.  Returns ${buf}, or NULL if it does
 * not fit (logged).
 */
char *
seen_home_path(const char *home, const char *name, char *buf, size_t len)
{
    int n;

    n = snprintf(buf, len, "%s/%s", home, name);
    if (n < 0 || (size_t)n >= len) {
        seen_error("path too long: '%s/%s'", home, name);
        return NULL;
    }
    return buf;
}

/**
 * seen_config_defaults(c):
 * Fill ${c} with defaults (map 4096 MiB growing up to SEEN_MAP_LIMIT_MB,
 * log level info, the [federation] cadences above).
 */
void
seen_config_defaults(struct seen_config *c)
{

    memset(c, 0, sizeof *c);
    c->map_size_mb = 4096;
    c->map_limit_mb = SEEN_MAP_LIMIT_MB;
    c->log_level = SEEN_LOG_INFO;
    snprintf(c->listen, sizeof c->listen, "tcp://127.0.0.1:0");
    c->heads_every = SEEN_CONFIG_HEADS_EVERY;
    c->checkpoint_every = SEEN_CONFIG_CHECKPOINT_EVERY;
    c->witnesses = SEEN_CONFIG_WITNESSES;
    c->share_messages = SEEN_CONFIG_SHARE_MESSAGES;
}

/**
 * seen_agency_type_valid(type):
 * Return 1 when ${type} is one of cli.md's agency types, else 0.
 */
int
seen_agency_type_valid(const char *type)
{
    static const char *types[] = {"social_care", "police", "health",
        "school", "probation", "youth_justice", "other"};
    size_t i;

    for (i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(type, types[i]) == 0)
            return 1;
    return 0;
}

/**
 * seen_node_name_valid(name):
 * Return 1 when ${name} is 1-63 of [a-z0-9-], not starting with '-'.
 */
int
seen_node_name_valid(const char *name)
{
    size_t i;

    if (name[0] == '\0' || name[0] == '-')
        return 0;
    for (i = 0; name[i] != '\0'; i++) {
        if (i >= 63)
            return 0;
        if (!((name[i] >= 'a' && name[i] <= 'z') ||
                (name[i] >= '0' && name[i] <= '9') || name[i] == '-'))
            return 0;
    }
    return 1;
}

struct load_ctx {
    struct seen_config *c;
    size_t limit_mb; /* map_limit_mb as given (0: not given) */
    int bad;
};

static int
copy_val(char *dst, size_t len, const char *v)
{

    if (strlen(v) >= len)
        return 0;
    strcpy(dst, v);
    return 1;
}

/* Parse ${v} as a decimal number from ${min} to ${max} into *${out}.
 * Returns 1, or 0 (and *${out} unchanged) when it is not one. */
static int
parse_uint(const char *v, long min, long max, unsigned int *out)
{
    char *end;
    long n;

    errno = 0;
    n = strtol(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || n < min || n > max)
        return 0;
    *out = (unsigned int)n;
    return 1;
}

/* One key of [federation]: 1 when it is known and its value good. */
static int
on_federation(struct seen_config *c, const char *key, const char *val)
{

    if (strcmp(key, "heads_every") == 0)
        return parse_uint(val, 10, SEEN_CONFIG_EVERY_MAX, &c->heads_every);
    if (strcmp(key, "checkpoint_every") == 0)
        return parse_uint(val, 1, SEEN_CONFIG_EVERY_MAX,
            &c->checkpoint_every);
    if (strcmp(key, "witnesses") == 0)
        return parse_uint(val, 1, SEEN_CONFIG_WITNESSES_MAX, &c->witnesses);
    if (strcmp(key, "share_messages") == 0)
        return parse_uint(val, 1, SEEN_CONFIG_SHARE_MAX, &c->share_messages);
    return 0;
}

static int
on_ini(void *vctx, const char *section, const char *key, const char *val)
{
    struct load_ctx *l = vctx;
    struct seen_config *c = l->c;
    char *end;
    long n;
    int ok = 0;

    if (strcmp(section, "node") == 0) {
        if (strcmp(key, "name") == 0)
            ok = copy_val(c->name, sizeof c->name, val) &&
                seen_node_name_valid(val);
        else if (strcmp(key, "type") == 0)
            ok = copy_val(c->type, sizeof c->type, val) &&
                seen_agency_type_valid(val);
        else if (strcmp(key, "local_authority") == 0)
            ok = copy_val(c->local_authority, sizeof c->local_authority, val);
        else if (strcmp(key, "agency") == 0)
            ok = copy_val(c->agency, sizeof c->agency, val);
    } else if (strcmp(section, "store") == 0) {
        if (strcmp(key, "map_size_mb") == 0 ||
            strcmp(key, "map_limit_mb") == 0) {
            errno = 0;
            n = strtol(val, &end, 10);
            ok = errno == 0 && *end == '\0' && n >= 16 && n <= (1L << 24);
            if (ok && strcmp(key, "map_size_mb") == 0)
                c->map_size_mb = (size_t)n;
            else if (ok)
                l->limit_mb = (size_t)n;
        } else if (strcmp(key, "check_on_start") == 0) {
            ok = strcmp(val, "yes") == 0 || strcmp(val, "no") == 0;
            c->check_on_start = strcmp(val, "yes") == 0;
        }
    } else if (strcmp(section, "network") == 0) {
        if (strcmp(key, "listen") == 0)
            ok = copy_val(c->listen, sizeof c->listen, val) &&
                strncmp(val, "tcp://", 6) == 0;
        else if (strcmp(key, "peers") == 0)
            ok = copy_val(c->peers, sizeof c->peers, val);
    } else if (strcmp(section, "federation") == 0) {
        ok = on_federation(c, key, val);
    } else if (strcmp(section, "log") == 0) {
        if (strcmp(key, "level") == 0) {
            ok = 1;
            if (strcmp(val, "error") == 0)
                c->log_level = SEEN_LOG_ERROR;
            else if (strcmp(val, "warning") == 0)
                c->log_level = SEEN_LOG_WARN;
            else if (strcmp(val, "info") == 0)
                c->log_level = SEEN_LOG_INFO;
            else if (strcmp(val, "debug") == 0)
                c->log_level = SEEN_LOG_DEBUG;
            else
                ok = 0;
        }
    }
    if (!ok) {
        seen_error("seen.conf: [%s] %s: unknown key or bad value: '%s'",
            section, key, val);
        l->bad = 1;
    }
    return 1;
}

static int
config_finish(struct seen_config *c, const struct load_ctx *l, int rc)
{

    if (rc > 0) {
        seen_error("seen.conf:%d: malformed line", rc);
        return SEEN_EINVAL;
    }
    if (rc < 0 || l->bad)
        return SEEN_EINVAL;
    if (c->name[0] == '\0' || c->type[0] == '\0' ||
        c->local_authority[0] == '\0') {
        seen_error("seen.conf: [node] needs name, type and local_authority");
        return SEEN_EINVAL;
    }
    if (l->limit_mb != 0 && l->limit_mb < c->map_size_mb) {
        seen_error("seen.conf: [store] map_limit_mb: %zu is below "
                   "map_size_mb (%zu)",
            l->limit_mb, c->map_size_mb);
        return SEEN_EINVAL;
    }
    if (l->limit_mb != 0)
        c->map_limit_mb = l->limit_mb;
    else if (c->map_limit_mb < c->map_size_mb)
        c->map_limit_mb = c->map_size_mb;
    return SEEN_OK;
}

/**
 * seen_config_load(home, c):
 * Read ${home}/seen.conf into ${c}.  Without map_limit_mb the limit is
 * the larger of SEEN_MAP_LIMIT_MB and map_size_mb (a seen.conf written
 * before the key existed still loads); with it, it must be no smaller
 * than map_size_mb.  Returns 0; SEEN_ENOTFOUND when the file is missing;
 * SEEN_EINVAL for a malformed line, an unknown key or a bad value (logged
 * as "seen.conf: [SECTION] KEY: ..." or, for a line that does not parse,
 * "seen.conf:LINE: malformed line").
 */
int
seen_config_load(const char *home, struct seen_config *c)
{
    char path[SEEN_PATH_LEN];
    struct load_ctx l = {c, 0, 0};
    FILE *f;
    int rc;

    seen_config_defaults(c);
    if (seen_home_path(home, "seen.conf", path, sizeof path) == NULL)
        return SEEN_EINVAL;
    if ((f = fopen(path, "r")) == NULL) {
        if (errno == ENOENT) {
            seen_error("no node at '%s' (no seen.conf): run 'seen init'",
                home);
            return SEEN_ENOTFOUND;
        }
        seen_errorp("cannot read '%s'", path);
        return SEEN_EIO;
    }
    rc = ini_parse_file(f, on_ini, &l);
    fclose(f);
    return config_finish(c, &l, rc);
}

/**
 * seen_config_parse_string(text, c):
 * Parse configuration ${text} (the contents of a seen.conf) into ${c}.
 * Returns 0 or SEEN_EINVAL, as seen_config_load.
 */
int
seen_config_parse_string(const char *text, struct seen_config *c)
{
    struct load_ctx l = {c, 0, 0};

    seen_config_defaults(c);
    return config_finish(c, &l, ini_parse_string(text, on_ini, &l));
}

/**
 * seen_config_save(home, c):
 * Write ${c} to ${home}/seen.conf atomically (mode 0600).  Returns 0 or
 * SEEN_EIO.
 */
int
seen_config_save(const char *home, const struct seen_config *c)
{
    static const char *levels[] = {"error", "warning", "info", "debug"};
    char path[SEEN_PATH_LEN];
    const char *level;
    char *text;
    int n, rc = SEEN_OK;

    if (seen_home_path(home, "seen.conf", path, sizeof path) == NULL)
        return SEEN_EIO;
    level = levels[c->log_level < 0 || c->log_level > 3 ? 2 : c->log_level];
    n = asprintf(&text,
        "# Seen node configuration; see docs/operations.md.\n"
        "[node]\nname = %s\ntype = %s\nlocal_authority = %s\n"
        "agency = %s\n\n"
        "[store]\nmap_size_mb = %zu\nmap_limit_mb = %zu\n"
        "check_on_start = %s\n\n"
        "[network]\nlisten = %s\npeers = %s\n\n"
        "[federation]\nheads_every = %u\ncheckpoint_every = %u\n"
        "witnesses = %u\n\n"
        "[log]\nlevel = %s\n",
        c->name, c->type, c->local_authority, c->agency, c->map_size_mb,
        c->map_limit_mb, c->check_on_start ? "yes" : "no", c->listen,
        c->peers, c->heads_every, c->checkpoint_every, c->witnesses, level);
    if (n < 0) {
        seen_errorp("cannot write '%s'", path);
        return SEEN_EIO;
    }
    if (seen_file_write_atomic(path, text, (size_t)n, 0600, 0) != 0) {
        seen_errorp("cannot write '%s'", path);
        rc = SEEN_EIO;
    }
    free(text);
    return rc;
}

/**
 * seen_home_running(home, pid):
 * Return 1 when a daemon holds the lock on ${home}'s pid file (writing
 * its pid to *${pid} if not NULL), 0 when none does.
 */
int
seen_home_running(const char *home, long *pid)
{
    char path[SEEN_PATH_LEN], buf[32];
    ssize_t n;
    int fd, running;

    if (seen_home_path(home, "seen-node.pid", path, sizeof path) == NULL)
        return 0;
    if ((fd = open(path, O_RDONLY)) < 0)
        return 0;
    running = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    if (running && pid != NULL) {
        n = read(fd, buf, sizeof buf - 1);
        buf[n > 0 ? n : 0] = '\0';
        *pid = strtol(buf, NULL, 10);
    }
    close(fd);
    return running;
}
