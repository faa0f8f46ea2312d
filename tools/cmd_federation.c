/*
 * seen federation: the federation authority's tool.  It keeps an
 * authority directory (mode 0700), separate from any node home:
 *
 *   AUTHDIR/authority.key        the authority's keys, a keystore
 *                                (crypto/keystore.h) sealed with a
 *                                passphrase: its Ed25519 pair signs
 *                                documents; its match_key and match_epoch
 *                                fields hold the current match key (never
 *                                in clear); its other keys are unused
 *   AUTHDIR/authority.pub        the public key in hex (0644), to pin
 *   AUTHDIR/state.json           federation name, next version, current
 *                                epoch and the members (public; 0600)
 *   AUTHDIR/membership-N.pb      each signed document (0644)
 *   AUTHDIR/membership.pb        the latest one
 *   AUTHDIR/lock                 held while a command changes the above
 *
 * A rotation writes state.json (new epoch) before the keystore (new key),
 * and `sign` refuses while the two epochs differ, so an interrupted
 * rotation can never grant the old key under the new epoch: running
 * `rotate` again completes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/file.h"
#include "common/hex.h"
#include "common/home.h"
#include "common/passphrase.h"
#include "crypto/keys.h"
#include "crypto/keystore.h"
#include "proto/membership.h"
#include "tools/cli.h"
#include "tools/federation.h"

#include "seen.pb-c.h"

#define STATE_FORMAT 1
#define IDENTITY_MAX (64 * 1024)
#define STATE_MAX (64 * 1024 * 1024)

static const char federation_usage[] =
    "usage: seen federation init AUTHDIR --name NAME "
    "[--kdf moderate|interactive]\n"
    "       seen federation add AUTHDIR (--home NODEHOME | --identity FILE)\n"
    "                                   [--endpoint tcp://HOST:PORT]\n"
    "       seen federation revoke AUTHDIR NAME\n"
    "       seen federation rotate AUTHDIR\n"
    "       seen federation links AUTHDIR N\n"
    "       seen federation tokens AUTHDIR 8|16\n"
    "       seen federation custodians AUTHDIR --threshold T "
    "NAME[=ENDPOINT]...\n"
    "       seen federation sign AUTHDIR [--out FILE]\n"
    "       seen federation show FILE --authority HEX [--json]\n"
    "\n"
    "The federation authority's tool.  AUTHDIR (mode 0700, never a node\n"
    "home) holds the authority key and the current match key, sealed in\n"
    "AUTHDIR/authority.key under a passphrase ($SEEN_PASSPHRASE_FILE or the\n"
    "terminal), and the member list in AUTHDIR/state.json.\n"
    "\n"
    "  init    create AUTHDIR: authority key, match key of epoch 1; prints\n"
    "          the authority public key (hex), which every node pins\n"
    "  add     enrol a node from NODEHOME/identity.json (made by 'seen\n"
    "          --home NODEHOME identity') or FILE; the endpoint must be\n"
    "          tcp://HOST:PORT with a fixed port\n"
    "  revoke  mark member NAME revoked and rotate the match key, so that\n"
    "          it gets no key for the new epoch\n"
    "  rotate  new match key, new epoch\n"
    "  links   each member links to N long-range peers each way besides\n"
    "          its ring neighbours (0, the default: every member links to\n"
    "          every other; docs/protocol.md, \"Links\")\n"
    "  tokens  members publish tokens of 8 bytes (a new federation's\n"
    "          default) or 16 (what nodes older than short tokens read;\n"
    "          docs/protocol.md, \"Short tokens\")\n"
    "  custodians  a new OPRF epoch: a key split T of N among the members\n"
    "          NAME (docs/protocol.md, \"OPRF epochs\")\n"
    "  sign    sign the next version: AUTHDIR/membership-VERSION.pb and\n"
    "          AUTHDIR/membership.pb (and FILE with --out)\n"
    "  show    verify a document against the authority key HEX and print\n"
    "          it (--json: one line); never prints a match key\n"
    "\n"
    "Changes take effect for nodes only once signed.\n";

/* Return 1 if ${s} has ${min} to ${max} bytes and no control character. */
static int
text_ok(const char *s, size_t min, size_t max)
{
    size_t i, n;

    if (s == NULL || (n = strlen(s)) < min || n > max)
        return 0;
    for (i = 0; i < n; i++) {
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 0;
    }
    return 1;
}

/* Decode 64 hex digits of ${hex} into ${out}.  Returns 0 or -1. */
static int
hex32(uint8_t out[32], const char *hex)
{
    size_t n;

    if (hex == NULL || strlen(hex) != 64 ||
        sodium_hex2bin(out, 32, hex, 64, NULL, &n, NULL) != 0 || n != 32)
        return -1;
    return 0;
}

/* "${dir}/${name}" into ${buf}, or print why not and return NULL. */
static char *
dpath(const struct cli *cli, const char *dir, const char *name, char *buf,
    size_t len)
{

    if (snprintf(buf, len, "%s/%s", dir, name) >= (int)len) {
        cli_fail(cli, "path too long: '%s/%s'", dir, name);
        return NULL;
    }
    return buf;
}

/*
 * Write ${len} bytes of ${buf} to "${dir}/${name}" atomically with ${mode}.
 * Returns 0, or prints why not and returns 1.
 */
static int
write_file(const struct cli *cli, const char *dir, const char *name,
    const void *buf, size_t len, mode_t mode)
{
    char path[SEEN_PATH_LEN];

    if (dpath(cli, dir, name, path, sizeof path) == NULL)
        return 1;
    if (seen_file_write_atomic(path, buf, len, mode, 0) != 0)
        return cli_fail(cli, "cannot write '%s': %s", path, strerror(errno));
    return 0;
}

/*
 * Check that ${dir} is an authority directory no one else may enter, and
 * take its lock.  Returns the lock's descriptor, or prints why not and
 * returns -1.
 */
int
fed_authdir_lock(const struct cli *cli, const char *dir)
{
    char path[SEEN_PATH_LEN];
    struct stat sb;
    int fd;

    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        cli_fail(cli, "'%s' is not an authority directory", dir);
        return -1;
    }
    if ((sb.st_mode & 077) != 0) {
        cli_fail(cli, "'%s' is open to group or others (chmod 700 it)", dir);
        return -1;
    }
    /* Never leave a lock file in a directory that is not ours. */
    if (dpath(cli, dir, "state.json", path, sizeof path) == NULL)
        return -1;
    if (access(path, F_OK) != 0) {
        cli_fail(
            cli, "'%s' is not an authority directory (no state.json)", dir);
        return -1;
    }
    if (dpath(cli, dir, "lock", path, sizeof path) == NULL)
        return -1;
    if ((fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600)) ==
        -1) {
        cli_fail(cli, "cannot open '%s': %s", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        cli_fail(cli, "another 'seen federation' command is using '%s'", dir);
        close(fd);
        return -1;
    }
    return fd;
}

void
fed_authdir_unlock(int fd)
{

    if (fd != -1)
        close(fd);
}

void
fed_state_free(struct fed_state *st)
{

    json_decref(st->root);
    memset(st, 0, sizeof *st);
}

/* Check the member ${j} (number ${i}) of state.json; decode into ${fm}. */
int
fed_member_from_json(json_t *j, struct fed_member *fm)
{
    const char *type, *status;

    seen__member__init(&fm->mb);
    if (!json_is_object(j))
        return -1;
    fm->mb.name =
        (char *)(uintptr_t)json_string_value(json_object_get(j, "name"));
    fm->mb.agency =
        (char *)(uintptr_t)json_string_value(json_object_get(j, "agency"));
    fm->mb.local_authority = (char *)(uintptr_t)json_string_value(
        json_object_get(j, "local_authority"));
    fm->mb.endpoint =
        (char *)(uintptr_t)json_string_value(json_object_get(j, "endpoint"));
    type = json_string_value(json_object_get(j, "type"));
    status = json_string_value(json_object_get(j, "status"));
    if (fm->mb.name == NULL || !seen_node_name_valid(fm->mb.name) ||
        !text_ok(fm->mb.agency, 0, SEEN_MEMBERSHIP_AGENCY_MAX) ||
        !text_ok(fm->mb.local_authority, 1, SEEN_MEMBERSHIP_LA_MAX) ||
        !seen_membership_endpoint_valid(fm->mb.endpoint) ||
        (fm->mb.type = seen_membership_type_from_name(type)) == 0 ||
        hex32(fm->sign_pk, json_string_value(json_object_get(j, "sign_pk"))) !=
            0 ||
        hex32(fm->curve_pk,
            json_string_value(json_object_get(j, "curve_pk"))) != 0 ||
        status == NULL)
        return -1;
    if (strcmp(status, "active") == 0)
        fm->mb.status = SEEN__MEMBER_STATUS__ACTIVE;
    else if (strcmp(status, "revoked") == 0)
        fm->mb.status = SEEN__MEMBER_STATUS__REVOKED;
    else
        return -1;
    fm->mb.sign_pk.data = fm->sign_pk;
    fm->mb.sign_pk.len = 32;
    fm->mb.curve_pk.data = fm->curve_pk;
    fm->mb.curve_pk.len = 32;
    return 0;
}

/* Load AUTHDIR/state.json into ${st}.  Returns 0, or prints why not: 1. */
int
fed_state_load(const struct cli *cli, const char *dir, struct fed_state *st)
{
    char path[SEEN_PATH_LEN];
    struct fed_member fm;
    json_error_t jerr;
    json_t *v;
    uint8_t *buf;
    size_t len, i;
    json_int_t nv, ep;

    memset(st, 0, sizeof *st);
    if (dpath(cli, dir, "state.json", path, sizeof path) == NULL)
        return 1;
    if (seen_file_read(path, STATE_MAX, &buf, &len) != 0) {
        if (errno == ENOENT)
            return cli_fail(cli,
                "'%s' is not an authority directory (no "
                "state.json)",
                dir);
        return cli_fail(cli, "cannot read '%s': %s", path, strerror(errno));
    }
    st->root =
        json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &jerr);
    free(buf);
    if (st->root == NULL)
        return cli_fail(cli, "'%s':%d: %s", path, jerr.line, jerr.text);
    v = json_object_get(st->root, "format");
    if (!json_is_integer(v) || json_integer_value(v) != STATE_FORMAT)
        goto bad;
    st->federation = json_string_value(json_object_get(st->root, "federation"));
    if (!text_ok(st->federation, 1, SEEN_MEMBERSHIP_FEDERATION_MAX))
        goto bad;
    if (hex32(st->authority_pk,
            json_string_value(json_object_get(st->root, "authority_pk"))) != 0)
        goto bad;
    v = json_object_get(st->root, "next_version");
    if (!json_is_integer(v) || (nv = json_integer_value(v)) < 1)
        goto bad;
    st->next_version = (uint64_t)nv;
    v = json_object_get(st->root, "epoch");
    if (!json_is_integer(v) || (ep = json_integer_value(v)) < 1 ||
        ep >= (json_int_t)UINT32_MAX)
        goto bad;
    st->epoch = (uint32_t)ep;
    v = json_object_get(st->root, "links"); /* absent before it existed */
    if (v != NULL && (!json_is_integer(v) || json_integer_value(v) < 0 ||
                         json_integer_value(v) > SEEN_MEMBERSHIP_LINKS_MAX))
        goto bad;
    st->links = v != NULL ? (uint32_t)json_integer_value(v) : 0;
    v = json_object_get(st->root, "token_bytes"); /* absent: whole, 16 */
    if (v != NULL && (!json_is_integer(v) || (json_integer_value(v) != 8 &&
                                                 json_integer_value(v) != 16)))
        goto bad;
    st->token_bytes = v != NULL ? (uint32_t)json_integer_value(v) : 16;
    v = json_object_get(st->root, "oprf"); /* absent: never dealt */
    if (v != NULL && !json_is_string(v))
        goto bad;
    st->oprf_hex = json_string_value(v);
    st->members = json_object_get(st->root, "members");
    if (!json_is_array(st->members))
        goto bad;
    for (i = 0; i < json_array_size(st->members); i++) {
        if (fed_member_from_json(json_array_get(st->members, i), &fm) != 0) {
            cli_fail(cli, "'%s': member %zu is malformed", path, i);
            fed_state_free(st);
            return 1;
        }
    }
    return 0;
bad:
    cli_fail(cli, "'%s' is malformed", path);
    fed_state_free(st);
    return 1;
}

/* Write ${st} back to AUTHDIR/state.json.  Returns 0, or prints why: 1. */
int
fed_state_save(const struct cli *cli, const char *dir, struct fed_state *st)
{
    char path[SEEN_PATH_LEN], *text;
    int rc = 0;

    if (dpath(cli, dir, "state.json", path, sizeof path) == NULL)
        return 1;
    if (json_object_set_new(st->root, "next_version",
            json_integer((json_int_t)st->next_version)) != 0 ||
        json_object_set_new(
            st->root, "epoch", json_integer((json_int_t)st->epoch)) != 0 ||
        json_object_set_new(
            st->root, "links", json_integer((json_int_t)st->links)) != 0 ||
        json_object_set_new(st->root, "token_bytes",
            json_integer((json_int_t)st->token_bytes)) != 0 ||
        (text = cli_json_text(st->root)) == NULL)
        return cli_fail(cli, "cannot encode state.json");
    if (seen_file_write_atomic(path, text, strlen(text), 0600, 0) != 0)
        rc = cli_fail(cli, "cannot write '%s': %s", path, strerror(errno));
    free(text);
    return rc;
}

/* The member of ${st} named ${name}, or NULL. */
json_t *
fed_state_member(const struct fed_state *st, const char *name)
{
    json_t *mj;
    size_t i;

    json_array_foreach(st->members, i, mj)
    {
        if (strcmp(json_string_value(json_object_get(mj, "name")), name) == 0)
            return mj;
    }
    return NULL;
}

/* Ask for the passphrase and open AUTHDIR/authority.key.  Prints why not. */
static int
authority_keys(const struct cli *cli, const char *dir, char **pass,
    size_t *passlen, struct seen_keys **keys)
{
    char path[SEEN_PATH_LEN];
    int rc;

    *keys = NULL;
    *pass = NULL;
    if (dpath(cli, dir, "authority.key", path, sizeof path) == NULL)
        return 1;
    if (seen_passphrase_get("Authority passphrase: ", 0, pass, passlen) != 0)
        return cli_fail(cli, "no passphrase");
    if ((rc = seen_keystore_read(path, *pass, *passlen, keys)) != 0) {
        seen_passphrase_destroy(pass);
        *pass = NULL;
        if (rc == SEEN_EAUTH)
            return cli_fail(cli, "wrong passphrase for '%s'", path);
        return cli_fail(cli, "cannot read the authority key '%s'", path);
    }
    return 0;
}

static const char init_usage[] =
    "usage: seen federation init AUTHDIR --name NAME "
    "[--kdf moderate|interactive]\n"
    "\n"
    "Create the authority directory AUTHDIR (which must not exist, or be\n"
    "empty): a new authority key and the match key of epoch 1, sealed in\n"
    "AUTHDIR/authority.key under a passphrase (asked twice, or read from\n"
    "$SEEN_PASSPHRASE_FILE), and AUTHDIR/state.json for the federation\n"
    "NAME with no members.  Prints the authority public key (hex), also\n"
    "in AUTHDIR/authority.pub: every node pins it.  --kdf interactive\n"
    "makes unlocking cheaper (for labs and tests only).\n";

/*
 * Make the authority of a new federation in the empty directory ${dir}:
 * its keys, sealed under a new passphrase, ${st} (state.json, to which
 * the key is added) and authority.pub.  Returns 0, or prints why not and
 * returns 1, leaving in ${dir} what it wrote.
 */
static int
init_authority(struct cli *cli, const char *dir, json_t *st,
    enum seen_pwstrength kdf)
{
    struct seen_keys *keys = NULL;
    char path[SEEN_PATH_LEN], *pass = NULL, *text = NULL, pkhex[65];
    char publine[66];
    size_t passlen;
    int ret = 1;

    if (seen_passphrase_get("New authority passphrase: ", 1, &pass, &passlen) !=
        0) {
        cli_fail(cli, "no passphrase");
        goto done;
    }
    if ((keys = seen_keys_generate()) == NULL) {
        cli_fail(cli, "cannot generate keys");
        goto done;
    }
    /* seen_keys_generate made a random match key: it is epoch 1's. */
    keys->match_epoch = 1;
    if (dpath(cli, dir, "authority.key", path, sizeof path) == NULL)
        goto done;
    if (seen_keystore_write(path, keys, pass, passlen, kdf) != 0) {
        cli_fail(cli, "cannot write the authority key");
        goto done;
    }
    sodium_bin2hex(pkhex, sizeof pkhex, keys->sign_pk, 32);
    if (json_object_set_new(st, "authority_pk", json_string(pkhex)) != 0 ||
        json_object_set_new(st, "next_version", json_integer(1)) != 0 ||
        json_object_set_new(st, "epoch", json_integer(1)) != 0 ||
        /* A new federation's members all read short tokens. */
        json_object_set_new(st, "token_bytes", json_integer(8)) != 0 ||
        json_object_set_new(st, "members", json_array()) != 0 ||
        (text = cli_json_text(st)) == NULL) {
        cli_fail(cli, "cannot encode state.json");
        goto done;
    }
    snprintf(publine, sizeof publine, "%s\n", pkhex);
    if (write_file(cli, dir, "state.json", text, strlen(text), 0600) != 0 ||
        write_file(cli, dir, "authority.pub", publine, strlen(publine),
            0644) != 0)
        goto done;
    printf("Initialised federation '%s' in %s (match-key epoch 1)\n"
           "Authority public key: %s\n",
        json_string_value(json_object_get(st, "federation")), dir, pkhex);
    ret = 0;
done:
    free(text);
    seen_keys_destroy(&keys);
    seen_passphrase_destroy(&pass);
    return ret;
}

static int
fed_init(struct cli *cli, int argc, char **argv)
{
    static const char *files[] = {"authority.key", "authority.key.tmp",
        "state.json", "state.json.tmp", "authority.pub",
        "authority.pub.tmp"};
    enum seen_pwstrength kdf = SEEN_PW_MODERATE;
    const char *name = NULL, *kdfname = NULL, *dir;
    const struct cli_opt opts[] = {
        {"name", &name, NULL},
        {"kdf", &kdfname, NULL},
        {NULL, NULL, NULL},
    };
    char path[SEEN_PATH_LEN];
    json_t *st;
    struct stat sb;
    size_t i;
    int rc;

    if ((rc = cli_getopt(cli, argc, argv, init_usage, opts)) != CLI_CONTINUE ||
        (rc = cli_kdf(cli, init_usage, kdfname, &kdf)) != 0)
        return rc;
    if (optind + 1 != argc)
        return cli_usage(cli, init_usage, "give one AUTHDIR");
    dir = argv[optind];
    if (name == NULL)
        return cli_usage(cli, init_usage, "--name is required");
    if (!text_ok(name, 1, SEEN_MEMBERSHIP_FEDERATION_MAX))
        return cli_usage(
            cli, init_usage, "--name: 1-255 bytes, no control characters");
    if ((st = json_pack(
             "{s:i, s:s}", "format", STATE_FORMAT, "federation", name)) == NULL)
        return cli_usage(cli, init_usage, "--name: not UTF-8");

    if (stat(dir, &sb) == 0 && !(S_ISDIR(sb.st_mode) && rmdir(dir) == 0)) {
        json_decref(st);
        return cli_fail(cli, "'%s' exists and is not empty", dir);
    }
    if (mkdir(dir, 0700) != 0) {
        json_decref(st);
        return cli_fail(cli, "cannot create '%s': %s", dir, strerror(errno));
    }
    if ((rc = init_authority(cli, dir, st, kdf)) != 0) {
        /* Leave nothing half-made behind. */
        for (i = 0; i < sizeof files / sizeof files[0]; i++) {
            if (snprintf(path, sizeof path, "%s/%s", dir, files[i]) <
                (int)sizeof path)
                unlink(path);
        }
        rmdir(dir);
    }
    json_decref(st);
    return rc;
}

static const char add_usage[] =
    "usage: seen federation add AUTHDIR (--home NODEHOME | --identity FILE)\n"
    "                           [--endpoint tcp://HOST:PORT]\n"
    "\n"
    "Enrol a node as an active member: its public identity comes from\n"
    "NODEHOME/identity.json (written by 'seen --home NODEHOME identity') or\n"
    "from FILE in the same form.  The endpoint peers connect to is\n"
    "--endpoint, else the identity's; it must be tcp://HOST:PORT with a\n"
    "fixed port.  The name and both keys must be new to the federation\n"
    "(a revoked member keeps its name), except for an active member's\n"
    "new transport key ('seen keys transport'): the same name and signing\n"
    "key with a new curve_pk updates that member's key and endpoint.\n"
    "Takes effect once signed.\n";

/*
 * Read the identity ${idfile} (NODEHOME/identity.json when ${home} is not
 * NULL) into *${id}.  Returns 0, or prints why not and returns 1.
 */
static int
read_identity(const struct cli *cli, const char *idfile, const char *home,
    json_t **id)
{
    json_error_t jerr;
    uint8_t *buf;
    size_t len;

    if (seen_file_read(idfile, IDENTITY_MAX, &buf, &len) != 0) {
        if (errno == ENOENT && home != NULL)
            return cli_fail(cli,
                "no identity.json in '%s': run 'seen --home %s "
                "identity' first",
                home, home);
        return cli_fail(cli, "cannot read '%s': %s", idfile,
            strerror(errno));
    }
    *id = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &jerr);
    free(buf);
    if (!json_is_object(*id))
        return cli_fail(cli, "'%s' is not a JSON identity", idfile);
    return 0;
}

/*
 * The member of state.json for the identity ${id} (read from ${idfile})
 * at endpoint ${ep}, decoded into ${fm}, whose strings point into it.
 * Returns a new reference, or prints why it cannot join ${st} and
 * returns NULL.
 */
static json_t *
new_member(const struct cli *cli, const struct fed_state *st, json_t *id,
    const char *idfile, const char *ep, struct fed_member *fm)
{
    struct fed_member other;
    json_t *m, *mj;
    size_t i;

    if (json_object_get(id, "agency") == NULL &&
        json_object_set_new(id, "agency", json_string("")) != 0)
        return NULL;
    m = json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:s, s:s}", "name",
        json_object_get(id, "name"), "agency", json_object_get(id, "agency"),
        "type", json_object_get(id, "type"), "local_authority",
        json_object_get(id, "local_authority"), "sign_pk",
        json_object_get(id, "sign_pk"), "curve_pk",
        json_object_get(id, "curve_pk"), "endpoint", ep, "status", "active");
    if (m == NULL || fed_member_from_json(m, fm) != 0) {
        cli_fail(cli,
            "'%s' is not a valid identity (name, agency, type, "
            "local_authority, sign_pk and curve_pk)",
            idfile);
        goto refuse;
    }
    if (sodium_memcmp(fm->sign_pk, st->authority_pk, 32) == 0) {
        cli_fail(cli, "that is the authority's own key");
        goto refuse;
    }
    json_array_foreach(st->members, i, mj)
    {
        if (fed_member_from_json(mj, &other) != 0)
            continue;
        if (strcmp(other.mb.name, fm->mb.name) == 0) {
            cli_fail(cli, "'%s' is already a member%s", fm->mb.name,
                other.mb.status == SEEN__MEMBER_STATUS__REVOKED ? " (revoked)"
                                                                : "");
            goto refuse;
        }
        if (memcmp(other.sign_pk, fm->sign_pk, 32) == 0 ||
            memcmp(other.curve_pk, fm->curve_pk, 32) == 0) {
            cli_fail(cli, "'%s' has a key of member '%s'", fm->mb.name,
                other.mb.name);
            goto refuse;
        }
    }
    if (json_array_size(st->members) >= SEEN_MEMBERSHIP_MEMBERS_MAX) {
        cli_fail(cli, "the federation is full (%d members)",
            SEEN_MEMBERSHIP_MEMBERS_MAX);
        goto refuse;
    }
    return m;
refuse:
    json_decref(m);
    return NULL;
}

/*
 * An identity ${id} (from ${idfile}) of an active member already in ${st},
 * with its signing key but a new curve_pk (`seen keys transport`): that
 * member's curve_pk and endpoint become ${id}'s and ${ep}, so that the
 * next signed document names them and grants the match key to the new
 * key.  Returns 1 when updated, 0 when ${id} names no member (a new one),
 * or prints why it cannot and returns -1.
 */
static int
update_member(const struct cli *cli, struct fed_state *st, json_t *id,
    const char *idfile, const char *ep)
{
    const char *name = json_string_value(json_object_get(id, "name"));
    const char *spk = json_string_value(json_object_get(id, "sign_pk"));
    const char *cpk = json_string_value(json_object_get(id, "curve_pk"));
    struct fed_member other, *mine = NULL;
    json_t *mj, *found = NULL;
    uint8_t curve[32];
    size_t i;

    if (name == NULL || spk == NULL || cpk == NULL ||
        seen_hex_decode(curve, 32, cpk) != 0)
        return 0; /* new_member() says what is wrong with it */
    json_array_foreach(st->members, i, mj)
    {
        if (fed_member_from_json(mj, &other) != 0)
            continue;
        if (strcmp(other.mb.name, name) == 0) {
            found = mj;
            mine = &other;
            break;
        }
    }
    if (found == NULL)
        return 0;
    if (strcmp(json_string_value(json_object_get(found, "sign_pk")), spk) !=
            0 ||
        mine->mb.status != SEEN__MEMBER_STATUS__ACTIVE)
        return 0; /* new_member(): already a member */
    if (memcmp(mine->curve_pk, curve, 32) == 0) {
        cli_fail(cli, "'%s' is already a member with that transport key",
            name);
        return -1;
    }
    json_array_foreach(st->members, i, mj)
    {
        if (mj != found && fed_member_from_json(mj, &other) == 0 &&
            memcmp(other.curve_pk, curve, 32) == 0) {
            cli_fail(cli, "'%s' has a key of member '%s'", idfile,
                other.mb.name);
            return -1;
        }
    }
    if (json_object_set_new(found, "curve_pk", json_string(cpk)) != 0 ||
        json_object_set_new(found, "endpoint", json_string(ep)) != 0) {
        cli_fail(cli, "out of memory");
        return -1;
    }
    return 1;
}

static int
fed_add(struct cli *cli, int argc, char **argv)
{
    const char *home = NULL, *idfile = NULL, *endpoint = NULL, *dir, *ep;
    const struct cli_opt opts[] = {
        {"home", &home, NULL},
        {"identity", &idfile, NULL},
        {"endpoint", &endpoint, NULL},
        {NULL, NULL, NULL},
    };
    char path[SEEN_PATH_LEN], apk[65];
    struct fed_state st;
    struct fed_member fm;
    json_t *id = NULL, *m;
    int rc, lock = -1, ret = 1;

    if ((rc = cli_getopt(cli, argc, argv, add_usage, opts)) != CLI_CONTINUE)
        return rc;
    if (endpoint != NULL && !seen_membership_endpoint_valid(endpoint))
        return cli_usage(cli, add_usage,
            "--endpoint: tcp://HOST:PORT with a port from 1 to 65535");
    if (optind + 1 != argc)
        return cli_usage(cli, add_usage, "give one AUTHDIR");
    dir = argv[optind];
    if ((home == NULL) == (idfile == NULL))
        return cli_usage(
            cli, add_usage, "give one of --home NODEHOME and --identity FILE");
    if (home != NULL) {
        if (snprintf(path, sizeof path, "%s/identity.json", home) >=
            (int)sizeof path)
            return cli_fail(cli, "path too long: '%s'", home);
        idfile = path;
    }

    if ((lock = fed_authdir_lock(cli, dir)) == -1)
        return 1;
    if (fed_state_load(cli, dir, &st) != 0) {
        fed_authdir_unlock(lock);
        return 1;
    }
    if (read_identity(cli, idfile, home, &id) != 0)
        goto done;
    ep = endpoint != NULL ? endpoint
                          : json_string_value(json_object_get(id, "endpoint"));
    if (ep == NULL || !seen_membership_endpoint_valid(ep)) {
        cli_fail(cli,
            "the identity's endpoint '%s' is not tcp://HOST:PORT "
            "with a fixed port: give --endpoint",
            ep != NULL ? ep : "");
        goto done;
    }
    if ((rc = update_member(cli, &st, id, idfile, ep)) != 0) {
        if (rc == 1 && fed_state_save(cli, dir, &st) == 0) {
            printf("Updated the transport key of '%s' (and its endpoint, %s)"
                   "\nPublish with: seen federation sign %s\n",
                json_string_value(json_object_get(id, "name")), ep, dir);
            ret = 0;
        }
        goto done;
    }
    if ((m = new_member(cli, &st, id, idfile, ep, &fm)) == NULL)
        goto done;
    /* The strings of fm point into m, which the array now owns. */
    if (json_array_append_new(st.members, m) != 0 ||
        fed_state_save(cli, dir, &st) != 0)
        goto done;
    sodium_bin2hex(apk, sizeof apk, fm.sign_pk, 32);
    printf("Added '%s' (%s, %s) at %s\nNode id: %s\n"
           "Publish with: seen federation sign %s\n",
        fm.mb.name, seen_membership_type_name(fm.mb.type),
        fm.mb.local_authority, fm.mb.endpoint, apk, dir);
    ret = 0;
done:
    json_decref(id);
    fed_state_free(&st);
    fed_authdir_unlock(lock);
    return ret;
}

static int sign_oprf(const struct cli *cli, const struct fed_state *st,
    Seen__OprfKey **out);

/*
 * In an OPRF epoch no member holds a key, and a new match key would give
 * every member the means to guess offline again: a rotation is refused
 * (the key is dealt again with `seen federation custodians`), and a
 * revocation (${name}, its member ${mj} of ${st}) keeps the epoch, unless
 * the member holds a share, which must be dealt away first.  Returns -1
 * when ${st} is not an OPRF epoch (rotate as before), else the exit
 * status (the revocation saved in ${dir}'s state.json, or refused).
 */
static int
rotate_oprf(struct cli *cli, const char *dir, struct fed_state *st,
    json_t *mj, const char *name)
{
    Seen__OprfKey *ok = NULL;
    uint8_t spk[32];
    size_t i;
    int custodian = 0, rc;

    if (sign_oprf(cli, st, &ok) != 0)
        return 1;
    if (ok == NULL)
        return -1;
    if (name != NULL &&
        hex32(spk, json_string_value(json_object_get(mj, "sign_pk"))) == 0)
        for (i = 0; i < ok->n_shares; i++)
            custodian |= ok->shares[i]->sign_pk.len == 32 &&
                         memcmp(ok->shares[i]->sign_pk.data, spk, 32) == 0;
    if (name == NULL)
        rc = cli_fail(cli, "epoch %u is an OPRF epoch, whose tokens only its "
                           "custodians make: deal a new key with 'seen "
                           "federation custodians' (a match key would let "
                           "every member make tokens offline)",
            ok->epoch);
    else if (custodian)
        rc = cli_fail(cli, "'%s' holds a share of OPRF epoch %u's key: deal "
                           "the key again among other custodians ('seen "
                           "federation custodians'), then revoke it",
            name, ok->epoch);
    else if (json_object_set_new(mj, "status", json_string("revoked")) != 0 ||
             fed_state_save(cli, dir, st) != 0)
        rc = 1;
    else {
        printf("Revoked '%s'; the tokens stay OPRF epoch %u's, of whose key "
               "it holds no share (the custodians serve active members "
               "only)\nPublish with: seen federation sign %s\n",
            name, ok->epoch, dir);
        rc = 0;
    }
    seen__oprf_key__free_unpacked(ok, NULL);
    return rc;
}

/*
 * Give AUTHDIR a new match key under a new epoch, after marking ${name}
 * (if not NULL) revoked.  Returns the exit status.
 */
static int
rotate(struct cli *cli, const char *dir, const char *name)
{
    struct fed_state st;
    struct seen_keys *keys = NULL;
    char path[SEEN_PATH_LEN], *pass = NULL;
    uint8_t key[32];
    size_t passlen;
    json_t *mj = NULL;
    uint32_t epoch;
    int lock, ret = 1;

    if ((lock = fed_authdir_lock(cli, dir)) == -1)
        return 1;
    if (fed_state_load(cli, dir, &st) != 0) {
        fed_authdir_unlock(lock);
        return 1;
    }
    if (name != NULL) {
        if ((mj = fed_state_member(&st, name)) == NULL) {
            cli_fail(cli, "no member is named '%s'", name);
            goto done;
        }
        if (strcmp(json_string_value(json_object_get(mj, "status")),
                "revoked") == 0) {
            cli_fail(cli, "'%s' is already revoked", name);
            goto done;
        }
    }
    if ((ret = rotate_oprf(cli, dir, &st, mj, name)) != -1)
        goto done;
    ret = 1;
    if (authority_keys(cli, dir, &pass, &passlen, &keys) != 0)
        goto done;
    epoch = st.epoch > keys->match_epoch ? st.epoch : keys->match_epoch;
    if (epoch >= UINT32_MAX - 1) {
        cli_fail(cli, "no epochs left");
        goto done;
    }
    epoch++;

    /* state.json first: sign refuses until the keystore has caught up. */
    if (mj != NULL &&
        json_object_set_new(mj, "status", json_string("revoked")) != 0)
        goto done;
    st.epoch = epoch;
    if (fed_state_save(cli, dir, &st) != 0)
        goto done;
    randombytes_buf(key, sizeof key);
    if (dpath(cli, dir, "authority.key", path, sizeof path) == NULL)
        goto done;
    if (seen_keystore_set_match_key(path, pass, passlen, key, epoch) != 0) {
        cli_fail(cli,
            "cannot store the new match key (run 'seen "
            "federation rotate %s' again)",
            dir);
        goto done;
    }
    if (name != NULL)
        printf("Revoked '%s'; ", name);
    printf("%s match key of epoch %u\nPublish with: seen federation sign "
           "%s\n",
        name != NULL ? "new" : "New", epoch, dir);
    ret = 0;
done:
    sodium_memzero(key, sizeof key);
    seen_keys_destroy(&keys);
    seen_passphrase_destroy(&pass);
    fed_state_free(&st);
    fed_authdir_unlock(lock);
    return ret;
}

static const char revoke_usage[] =
    "usage: seen federation revoke AUTHDIR NAME\n"
    "\n"
    "Mark member NAME revoked and rotate the match key: the next signed\n"
    "document lists NAME as revoked (peers refuse it) and grants the new\n"
    "epoch's key only to active members.  Needs the authority passphrase.\n"
    "In an OPRF epoch the epoch stays (no member holds its key), and a\n"
    "custodian is revoked only once the key is dealt again without it.\n";

static int
fed_revoke(struct cli *cli, int argc, char **argv)
{
    const struct cli_opt opts[] = {{NULL, NULL, NULL}};
    int rc;

    if ((rc = cli_getopt(cli, argc, argv, revoke_usage, opts)) != CLI_CONTINUE)
        return rc;
    if (optind + 2 != argc)
        return cli_usage(cli, revoke_usage, "give AUTHDIR and NAME");
    if (!seen_node_name_valid(argv[optind + 1]))
        return cli_usage(cli, revoke_usage, "NAME: 1-63 of a-z, 0-9 and '-'");
    return rotate(cli, argv[optind], argv[optind + 1]);
}

static const char rotate_usage[] =
    "usage: seen federation rotate AUTHDIR\n"
    "\n"
    "Make a new match key under a new epoch (and complete a rotation that\n"
    "was interrupted).  Needs the authority passphrase; takes effect once\n"
    "signed.  Refused in an OPRF epoch: deal its key again with 'seen\n"
    "federation custodians'.\n";

static int
fed_rotate(struct cli *cli, int argc, char **argv)
{
    const struct cli_opt opts[] = {{NULL, NULL, NULL}};
    int rc;

    if ((rc = cli_getopt(cli, argc, argv, rotate_usage, opts)) != CLI_CONTINUE)
        return rc;
    if (optind + 1 != argc)
        return cli_usage(cli, rotate_usage, "give one AUTHDIR");
    return rotate(cli, argv[optind], NULL);
}

static const char links_usage[] =
    "usage: seen federation links AUTHDIR N\n"
    "\n"
    "Set the long-range links each way of every member to N (0 to 32; 0:\n"
    "every member links to every other), from the next signed version.\n";

static int
fed_links(struct cli *cli, int argc, char **argv)
{
    const struct cli_opt opts[] = {{NULL, NULL, NULL}};
    struct fed_state st;
    char *end;
    long n;
    int rc;

    if ((rc = cli_getopt(cli, argc, argv, links_usage, opts)) != CLI_CONTINUE)
        return rc;
    if (optind + 2 != argc)
        return cli_usage(cli, links_usage, "give AUTHDIR and N");
    n = strtol(argv[optind + 1], &end, 10);
    if (*end != '\0' || n < 0 || n > SEEN_MEMBERSHIP_LINKS_MAX)
        return cli_fail(cli, "links must be a number from 0 to %d",
            SEEN_MEMBERSHIP_LINKS_MAX);
    if (fed_state_load(cli, argv[optind], &st) != 0)
        return 1;
    st.links = (uint32_t)n;
    rc = fed_state_save(cli, argv[optind], &st);
    fed_state_free(&st);
    if (rc == 0)
        printf("links %ld: signed into the next version\n", n);
    return rc;
}

static const char tokens_usage[] =
    "usage: seen federation tokens AUTHDIR 8|16\n"
    "\n"
    "Members publish tokens of 8 bytes (short: every member must run a\n"
    "version that reads them) or 16, from the next signed version.\n";

static int
fed_tokens(struct cli *cli, int argc, char **argv)
{
    const struct cli_opt opts[] = {{NULL, NULL, NULL}};
    struct fed_state st;
    int rc, n;

    if ((rc = cli_getopt(cli, argc, argv, tokens_usage, opts)) !=
        CLI_CONTINUE)
        return rc;
    if (optind + 2 != argc)
        return cli_usage(cli, tokens_usage, "give AUTHDIR and 8 or 16");
    if (strcmp(argv[optind + 1], "8") != 0 &&
        strcmp(argv[optind + 1], "16") != 0)
        return cli_fail(cli, "tokens must be 8 or 16 bytes");
    n = atoi(argv[optind + 1]);
    if (fed_state_load(cli, argv[optind], &st) != 0)
        return 1;
    st.token_bytes = (uint32_t)n;
    rc = fed_state_save(cli, argv[optind], &st);
    fed_state_free(&st);
    if (rc == 0)
        printf("tokens of %d bytes: signed into the next version\n", n);
    return rc;
}

/*
 * Check that the authority keys ${keys} of ${dir} are those of its state
 * ${st}, with the match key of its epoch.  Returns 0, or prints why not
 * and returns 1.
 */
static int
keys_match_state(const struct cli *cli, const char *dir,
    const struct seen_keys *keys, const struct fed_state *st,
    const Seen__OprfKey *oprf)
{

    if (sodium_memcmp(keys->sign_pk, st->authority_pk, 32) != 0)
        return cli_fail(cli,
            "state.json and authority.key of '%s' belong to "
            "different authorities",
            dir);
    if (oprf == NULL && keys->match_epoch != st->epoch)
        return cli_fail(cli,
            "the match key is of epoch %u, not %u (an interrupted "
            "rotation): run 'seen federation rotate %s'",
            keys->match_epoch, st->epoch, dir);
    return 0;
}

/*
 * The OPRF key of ${st} when it was dealt for the current epoch (an OPRF
 * epoch: the document holds it and no grant): *${out}, decoded, freed by
 * the caller with seen__oprf_key__free_unpacked(); NULL otherwise.
 * Returns 0, or prints why not: 1.
 */
static int
sign_oprf(const struct cli *cli, const struct fed_state *st,
    Seen__OprfKey **out)
{
    uint8_t *bin;
    size_t hl, bl;
    int rc = 0;

    *out = NULL;
    if (st->oprf_hex == NULL)
        return 0;
    hl = strlen(st->oprf_hex);
    if ((bin = malloc(hl / 2 + 1)) == NULL)
        return cli_fail(cli, "out of memory");
    if (sodium_hex2bin(bin, hl / 2 + 1, st->oprf_hex, hl, NULL, &bl, NULL) !=
            0 ||
        (*out = seen__oprf_key__unpack(NULL, bl, bin)) == NULL)
        rc = cli_fail(cli, "state.json: 'oprf' is not an encoded OprfKey");
    else if ((*out)->epoch != st->epoch) {
        seen__oprf_key__free_unpacked(*out, NULL); /* an earlier epoch's */
        *out = NULL;
    }
    free(bin);
    return rc;
}

static const char sign_usage[] =
    "usage: seen federation sign AUTHDIR [--out FILE]\n"
    "\n"
    "Sign the next version of the membership document: every member with\n"
    "its status, the current epoch, and the epoch's match key sealed to\n"
    "each active member.  Writes AUTHDIR/membership-VERSION.pb and\n"
    "AUTHDIR/membership.pb (and FILE with --out), and prints the version\n"
    "and where.  Needs the authority passphrase.\n";

static int
fed_sign(struct cli *cli, int argc, char **argv)
{
    const char *out = NULL, *dir;
    const struct cli_opt opts[] = {{"out", &out, NULL}, {NULL, NULL, NULL}};
    struct fed_state st;
    struct fed_member *fm = NULL;
    const Seen__Member **mbs = NULL;
    struct seen_membership *chk = NULL;
    struct seen_keys *keys = NULL;
    Seen__OprfKey *oprf = NULL;
    char path[SEEN_PATH_LEN], name[64], *pass = NULL;
    uint8_t *doc = NULL;
    size_t passlen, len, n, i, nactive = 0;
    uint64_t version;
    int rc, lock, ret = 1;

    if ((rc = cli_getopt(cli, argc, argv, sign_usage, opts)) != CLI_CONTINUE)
        return rc;
    if (optind + 1 != argc)
        return cli_usage(cli, sign_usage, "give one AUTHDIR");
    dir = argv[optind];
    if ((lock = fed_authdir_lock(cli, dir)) == -1)
        return 1;
    if (fed_state_load(cli, dir, &st) != 0) {
        fed_authdir_unlock(lock);
        return 1;
    }
    n = json_array_size(st.members);
    fm = calloc(n ? n : 1, sizeof(*fm));
    mbs = calloc(n ? n : 1, sizeof(*mbs));
    if (fm == NULL || mbs == NULL) {
        cli_fail(cli, "out of memory");
        goto done;
    }
    for (i = 0; i < n; i++) {
        /* Checked by state_load. */
        (void)fed_member_from_json(json_array_get(st.members, i), &fm[i]);
        mbs[i] = &fm[i].mb;
        nactive += fm[i].mb.status == SEEN__MEMBER_STATUS__ACTIVE;
    }
    if (sign_oprf(cli, &st, &oprf) != 0 ||
        authority_keys(cli, dir, &pass, &passlen, &keys) != 0 ||
        keys_match_state(cli, dir, keys, &st, oprf) != 0)
        goto done;
    version = st.next_version;
    if (seen_membership_build_oprf(st.federation, version,
            (uint64_t)time(NULL), mbs, n, st.epoch, st.links, st.token_bytes,
            keys->match_key, oprf, keys, &doc, &len) != 0) {
        cli_fail(cli, "cannot build the document");
        goto done;
    }
    /* What every node will do with it. */
    if (seen_membership_open(doc, len, keys->sign_pk, &chk) != 0) {
        cli_fail(cli, "the signed document does not verify");
        goto done;
    }

    /* Never reuse a version, even if what follows fails. */
    st.next_version = version + 1;
    if (fed_state_save(cli, dir, &st) != 0)
        goto done;
    snprintf(
        name, sizeof name, "membership-%llu.pb", (unsigned long long)version);
    if (write_file(cli, dir, name, doc, len, 0644) != 0 ||
        write_file(cli, dir, "membership.pb", doc, len, 0644) != 0 ||
        dpath(cli, dir, "membership.pb", path, sizeof path) == NULL)
        goto done;
    if (out != NULL && seen_file_write_atomic(out, doc, len, 0644, 0) != 0) {
        cli_fail(cli, "cannot write '%s': %s", out, strerror(errno));
        goto done;
    }
    printf("Signed membership version %llu of '%s': %zu members (%zu "
           "active), %s epoch %u\nWritten to %s/%s and %s%s%s\n",
        (unsigned long long)version, st.federation, n, nactive,
        oprf != NULL ? "OPRF" : "match-key", st.epoch, dir,
        name, path, out != NULL ? " and " : "", out != NULL ? out : "");
    ret = 0;
done:
    if (oprf != NULL)
        seen__oprf_key__free_unpacked(oprf, NULL);
    seen_membership_destroy(&chk);
    free(doc);
    seen_keys_destroy(&keys);
    seen_passphrase_destroy(&pass);
    free(mbs);
    free(fm);
    fed_state_free(&st);
    fed_authdir_unlock(lock);
    return ret;
}

static const struct {
    const char *name;
    const char *cmd;
    cli_cmd_fn *fn;
} subcommands[] = {
    {"init", "federation init", fed_init},
    {"add", "federation add", fed_add},
    {"revoke", "federation revoke", fed_revoke},
    {"rotate", "federation rotate", fed_rotate},
    {"links", "federation links", fed_links},
    {"tokens", "federation tokens", fed_tokens},
    {"custodians", "federation custodians", fed_custodians},
    {"sign", "federation sign", fed_sign},
    {"show", "federation show", cmd_federation_show},
};

int
cmd_federation(struct cli *cli, int argc, char **argv)
{
    size_t i;

    if (argc < 2)
        return cli_usage(cli, federation_usage, "no subcommand given");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(federation_usage, stdout);
        return 0;
    }
    for (i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++) {
        if (strcmp(argv[1], subcommands[i].name) == 0) {
            cli->cmd = subcommands[i].cmd;
            return subcommands[i].fn(cli, argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "seen: federation: '%s' is not a subcommand\n", argv[1]);
    fputs(federation_usage, stderr);
    return 2;
}
