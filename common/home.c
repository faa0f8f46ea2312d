#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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
    c->custodian_member_limit = SEEN_CONFIG_CUSTODIAN_MEMBER_LIMIT;
    /* Unset: the default of the epoch's encoding, at the custodian. */
    c->custodian_operator_limit = 0;
    c->custodian_timeout = SEEN_CONFIG_CUSTODIAN_TIMEOUT;
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

/* The kinds of value a key takes, each with its own check. */
enum conf_kind {
    CONF_TEXT,   /* any text that fits the field */
    CONF_NAME,   /* seen_node_name_valid */
    CONF_TYPE,   /* seen_agency_type_valid */
    CONF_MB,     /* a size_t from min to max */
    CONF_UINT,   /* an unsigned int from min to max */
    CONF_YESNO,  /* yes or no, into an int */
    CONF_LEVEL,  /* error, warning, info or debug, into an int */
    CONF_LISTEN, /* text starting tcp:// */
};

/* Every key of seen.conf: docs/man/seen.conf.5 and docs/operations.md
 * ("Configure") list the same keys, with these defaults and bounds. */
#define CONF_FIELD(f) offsetof(struct seen_config, f), \
    sizeof(((struct seen_config *)0)->f)
static const struct conf_key {
    const char *section;
    const char *key;
    enum conf_kind kind;
    long min, max;
    size_t off, size;
    const char *expect; /* said after "expected" in an error */
} conf_keys[] = {
    {"node", "name", CONF_NAME, 0, 0, CONF_FIELD(name),
        "1 to 63 of a-z, 0-9 and '-', not starting with '-'"},
    {"node", "type", CONF_TYPE, 0, 0, CONF_FIELD(type),
        "one of social_care, police, health, school, probation, "
        "youth_justice, other"},
    {"node", "local_authority", CONF_TEXT, 0, 0,
        CONF_FIELD(local_authority), "text of at most 127 bytes"},
    {"node", "agency", CONF_TEXT, 0, 0, CONF_FIELD(agency),
        "text of at most 255 bytes"},
    {"store", "map_size_mb", CONF_MB, 16, 1L << 24, CONF_FIELD(map_size_mb),
        "a whole number of MiB from 16 to 16777216"},
    {"store", "map_limit_mb", CONF_MB, 16, 1L << 24,
        CONF_FIELD(map_limit_mb), "a whole number of MiB from 16 to "
                                  "16777216"},
    {"store", "check_on_start", CONF_YESNO, 0, 0, CONF_FIELD(check_on_start),
        "yes or no"},
    {"network", "listen", CONF_LISTEN, 0, 0, CONF_FIELD(listen),
        "an endpoint tcp://ADDRESS:PORT of at most 255 bytes"},
    {"network", "peers", CONF_TEXT, 0, 0, CONF_FIELD(peers),
        "node names separated by commas, at most 1023 bytes"},
    {"federation", "heads_every", CONF_UINT, 10, SEEN_CONFIG_EVERY_MAX,
        CONF_FIELD(heads_every), "a whole number of seconds from 10 to "
                                 "86400"},
    {"federation", "checkpoint_every", CONF_UINT, 1, SEEN_CONFIG_EVERY_MAX,
        CONF_FIELD(checkpoint_every), "a whole number of seconds from 1 to "
                                      "86400"},
    {"federation", "witnesses", CONF_UINT, 1, SEEN_CONFIG_WITNESSES_MAX,
        CONF_FIELD(witnesses), "a whole number from 1 to 16"},
    {"federation", "share_messages", CONF_UINT, 1, SEEN_CONFIG_SHARE_MAX,
        CONF_FIELD(share_messages), "a whole number from 1 to 1000000"},
    {"federation", "custodian_member_limit", CONF_UINT, 1,
        SEEN_CONFIG_CUSTODIAN_LIMIT_MAX, CONF_FIELD(custodian_member_limit),
        "a whole number of evaluations from 1 to 4000000000"},
    {"federation", "custodian_operator_limit", CONF_UINT, 1,
        SEEN_CONFIG_CUSTODIAN_LIMIT_MAX,
        CONF_FIELD(custodian_operator_limit),
        "a whole number of evaluations from 1 to 4000000000"},
    {"federation", "custodian_timeout", CONF_UINT, 1, 300,
        CONF_FIELD(custodian_timeout), "a whole number of seconds from 1 to "
                                       "300"},
    {"log", "level", CONF_LEVEL, 0, 0, CONF_FIELD(log_level),
        "one of error, warning, info, debug"},
};
#define CONF_NKEYS (sizeof conf_keys / sizeof conf_keys[0])
#define CONF_SECTIONS "node, store, network, federation, log"

struct load_ctx {
    struct seen_config *c;
    const char *file;              /* named in every error */
    unsigned int line;             /* the line being read, from 1 */
    unsigned int at[CONF_NKEYS];   /* the line each key was given on */
    int bad;
};

/* Log "FILE:LINE: " and the message, and remember that the file is bad. */
static void SEEN_PRINTF(2, 3)
conf_error(struct load_ctx *l, const char *fmt, ...)
{
    char msg[1536];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (l->line > 0)
        seen_error("%s:%u: %s", l->file, l->line, msg);
    else
        seen_error("%s: %s", l->file, msg);
    l->bad = 1;
}

/* Copy ${v} to ${dst} (${len} bytes): 1, or 0 when it does not fit. */
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
parse_long(const char *v, long min, long max, long *out)
{
    char *end;
    long n;

    errno = 0;
    n = strtol(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || n < min || n > max)
        return 0;
    *out = n;
    return 1;
}

/* Check ${v} as key ${k} wants and store it in ${c}: 1 when good. */
static int
conf_value(struct seen_config *c, const struct conf_key *k, const char *v)
{
    static const char *levels[] = {"error", "warning", "info", "debug"};
    char *field = (char *)c + k->off;
    long n;
    int i;

    switch (k->kind) {
    case CONF_NAME:
    case CONF_TYPE:
    case CONF_LISTEN:
    case CONF_TEXT:
        if ((k->kind == CONF_NAME && !seen_node_name_valid(v)) ||
            (k->kind == CONF_TYPE && !seen_agency_type_valid(v)) ||
            (k->kind == CONF_LISTEN && strncmp(v, "tcp://", 6) != 0))
            return 0;
        return copy_val(field, k->size, v);
    case CONF_MB:
        if (!parse_long(v, k->min, k->max, &n))
            return 0;
        *(size_t *)(void *)field = (size_t)n;
        return 1;
    case CONF_UINT:
        if (!parse_long(v, k->min, k->max, &n))
            return 0;
        *(unsigned int *)(void *)field = (unsigned int)n;
        return 1;
    case CONF_YESNO:
        if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)
            return 0;
        *(int *)(void *)field = strcmp(v, "yes") == 0;
        return 1;
    case CONF_LEVEL:
        for (i = 0; i < 4; i++)
            if (strcmp(v, levels[i]) == 0) {
                *(int *)(void *)field = i;
                return 1;
            }
        return 0;
    }
    return 0;
}

/* One "key = value" line of [${section}]. */
static void
conf_key(struct load_ctx *l, const char *section, const char *key,
    const char *val)
{
    const struct conf_key *k;
    size_t i;
    int known_section = 0;

    for (i = 0; i < CONF_NKEYS; i++) {
        k = &conf_keys[i];
        if (strcmp(section, k->section) != 0)
            continue;
        known_section = 1;
        if (strcmp(key, k->key) != 0)
            continue;
        if (l->at[i] != 0) {
            conf_error(l, "[%s] %s: given twice (first on line %u)",
                section, key, l->at[i]);
            return;
        }
        l->at[i] = l->line;
        if (!conf_value(l->c, k, val))
            conf_error(l, "[%s] %s: bad value '%s': expected %s%s", section,
                key, val, k->expect,
                strchr(val, '#') != NULL ? " (a comment after a value "
                                           "starts with ';')"
                                         : "");
        return;
    }
    if (section[0] == '\0')
        conf_error(l, "%s: a key before any [section]", key);
    else if (!known_section)
        conf_error(l, "[%s] %s: unknown section (the sections are "
                      CONF_SECTIONS ")",
            section, key);
    else
        conf_error(l, "[%s] %s: unknown key (see seen.conf(5))", section,
            key);
}

/* ${s} without the blanks at either end (changes ${s}). */
static char *
trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
                        e[-1] == '\n'))
        *--e = '\0';
    return s;
}

/* One line of the file: a comment, a [section] or a key (inih's syntax,
 * which seen.conf was read with up to issue 15: ';' or '#' starts a
 * comment line, "KEY = VALUE" or "KEY: VALUE", and " ;" a comment after
 * a value). */
static void
conf_line(struct load_ctx *l, char *line, char section[static 64])
{
    char *p = trim(line), *sep, *c;

    if (l->line == 1 && strncmp(p, "\xef\xbb\xbf", 3) == 0)
        p = trim(p + 3);
    if (*p == '\0' || *p == ';' || *p == '#')
        return;
    if (*p == '[') {
        if ((c = strchr(p, ']')) == NULL || c - p - 1 >= 64) {
            conf_error(l, "malformed section: '%s' (expected [NAME])", p);
            return;
        }
        *c = '\0';
        strcpy(section, trim(p + 1));
        return;
    }
    for (c = p + 1; *c != '\0'; c++)
        if (*c == ';' && (c[-1] == ' ' || c[-1] == '\t')) {
            *c = '\0';
            break;
        }
    if ((sep = strpbrk(p, "=:")) == NULL) {
        conf_error(l, "malformed line: '%s' (expected KEY = VALUE)", p);
        return;
    }
    *sep = '\0';
    conf_key(l, section, trim(p), trim(sep + 1));
}

/* Read ${f} line by line into ${c} (defaults first), naming ${file} in
 * errors, and check what no one line can.  Returns 0 or SEEN_EINVAL. */
static int
conf_read(FILE *f, const char *file, struct seen_config *c)
{
    struct load_ctx l = {.c = c, .file = file};
    char section[64] = "", *line = NULL;
    size_t cap = 0, lim;
    ssize_t n;

    seen_config_defaults(c);
    while ((n = getline(&line, &cap, f)) >= 0) {
        l.line++;
        if (memchr(line, '\0', (size_t)n) != NULL)
            conf_error(&l, "a NUL byte: seen.conf is text");
        else
            conf_line(&l, line, section);
    }
    free(line);
    l.line = 0;
    if (l.bad)
        return SEEN_EINVAL;
    if (c->name[0] == '\0' || c->type[0] == '\0' ||
        c->local_authority[0] == '\0') {
        conf_error(&l, "[node] needs name, type and local_authority");
        return SEEN_EINVAL;
    }
    for (lim = 0; strcmp(conf_keys[lim].key, "map_limit_mb") != 0; lim++)
        ;
    if (l.at[lim] != 0 && c->map_limit_mb < c->map_size_mb) {
        l.line = l.at[lim];
        conf_error(&l, "[store] map_limit_mb: %zu is below map_size_mb "
                       "(%zu)",
            c->map_limit_mb, c->map_size_mb);
        return SEEN_EINVAL;
    }
    if (l.at[lim] == 0 && c->map_limit_mb < c->map_size_mb)
        c->map_limit_mb = c->map_size_mb;
    return SEEN_OK;
}

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
int
seen_config_load(const char *home, struct seen_config *c)
{
    char path[SEEN_PATH_LEN];
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
    rc = conf_read(f, path, c);
    if (ferror(f)) {
        seen_errorp("cannot read '%s'", path);
        rc = SEEN_EIO;
    }
    fclose(f);
    return rc;
}

/**
 * seen_config_parse_string(text, c):
 * Parse configuration ${text} (the contents of a seen.conf) into ${c},
 * naming it "seen.conf" in errors.  Returns 0 or SEEN_EINVAL, as
 * seen_config_load.
 */
int
seen_config_parse_string(const char *text, struct seen_config *c)
{
    FILE *f;
    int rc;

    seen_config_defaults(c);
    if (text[0] == '\0')
        text = "\n"; /* fmemopen wants a buffer of at least a byte */
    if ((f = fmemopen((void *)(uintptr_t)text, strlen(text), "r")) == NULL) {
        seen_errorp("cannot read the configuration");
        return SEEN_EINVAL;
    }
    rc = conf_read(f, "seen.conf", c);
    fclose(f);
    return rc;
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

/* Whether a SIGKILL waits to be taken by process ${pid} (its main thread
 * caught in the disk, uninterruptible): 1 or 0. */
static int
kill_pending(long pid)
{
    char path[64], line[128];
    unsigned long long mask;
    FILE *f;
    int pending = 0;

    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    if ((f = fopen(path, "re")) == NULL)
        return 0;
    while (!pending && fgets(line, sizeof line, f) != NULL)
        if ((sscanf(line, "ShdPnd: %llx", &mask) == 1 ||
                sscanf(line, "SigPnd: %llx", &mask) == 1) &&
            (mask & (1ULL << (SIGKILL - 1))) != 0)
            pending = 1;
    fclose(f);
    return pending;
}

/**
 * seen_pid_dying(pid):
 * Return 1 when process ${pid} has been killed and is going: its main
 * thread is a zombie (or dead) while another thread, caught waiting on the
 * disk, still holds its files and with them its locks; or a SIGKILL waits
 * for a thread caught so (no test makes one: it takes a disk that does not
 * answer). Return 0 when it runs, is gone, or cannot be read.
 */
int
seen_pid_dying(long pid)
{
    char path[64], buf[256], *paren;
    ssize_t n;
    int fd;

    if (pid <= 0)
        return 0;
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return 0;
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    /* "pid (comm) S ...": a name may hold anything, so the state is the
     * field after the last ')'. */
    if ((paren = strrchr(buf, ')')) != NULL && paren[1] == ' ' &&
        (paren[2] == 'Z' || paren[2] == 'X'))
        return 1;
    return kill_pending(pid);
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
