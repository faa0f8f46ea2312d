#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "common/hex.h"
#include "common/log.h"
#include "crypto/merkle.h"
#include "crypto/sign.h"
#include "proto/checkpoint.h"
#include "proto/envelope.h"
#include "proto/membership.h"
#include "storage/members.h"
#include "storage/store.h"
#include "xlog/audit.h"
#include "xlog/xlog.h"
#include "seen.pb-c.h"

static const char *const file_names[SEEN_AUDIT_NFILES] = {
    "manifest.txt",
    "leaves.bin",
    "checkpoints.bin",
    "cosignatures.bin",
    "peer-checkpoints.bin",
    "evidence.bin",
    "membership.bin",
    "authority.bin",
};

/* The first line of a manifest: the format and its version. */
#define MANIFEST_MAGIC "seen-audit-export 1"

/* The longest frame of checkpoints, cosignatures and evidence. */
#define FRAME_MAX_SMALL (64u << 10)

/* Failures of one check reported one by one before they are summed up. */
#define REPORT_MAX 20

/**
 * seen_audit_file_name(f):
 * Return the file name of ${f} ("leaves.bin"), or NULL for a value that
 * is not a file.  The string is static.
 */
const char *
seen_audit_file_name(enum seen_audit_file f)
{

    if ((int)f < 0 || f >= SEEN_AUDIT_NFILES)
        return NULL;
    return file_names[f];
}

/* ---- writing: sinks that hash what they hold ---- */

struct sink {
    FILE *f; /* NULL: into buf */
    uint8_t *buf;
    size_t len, cap;
    crypto_hash_sha256_state sha;
    uint64_t bytes;
    uint64_t count; /* frames */
    int err;
};

/* What the manifest says of one data file. */
struct fstat_line {
    uint64_t count;
    uint64_t bytes;
    uint8_t sha[32];
};

static void
sink_init(struct sink *s, FILE *f)
{

    memset(s, 0, sizeof *s);
    s->f = f;
    crypto_hash_sha256_init(&s->sha);
}

static void
sink_write(struct sink *s, const void *p, size_t n)
{
    uint8_t *nb;
    size_t cap;

    if (s->err != 0 || n == 0)
        return;
    crypto_hash_sha256_update(&s->sha, p, n);
    s->bytes += n;
    if (s->f != NULL) {
        if (fwrite(p, 1, n, s->f) != n)
            s->err = SEEN_EIO;
        return;
    }
    if (n > s->cap - s->len) {
        cap = s->cap ? s->cap : 4096;
        while (cap - s->len < n) {
            if (cap > SIZE_MAX / 2) {
                s->err = SEEN_ENOMEM;
                return;
            }
            cap *= 2;
        }
        if ((nb = realloc(s->buf, cap)) == NULL) {
            s->err = SEEN_ENOMEM;
            return;
        }
        s->buf = nb;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, p, n);
    s->len += n;
}

static void
sink_frame(struct sink *s, const void *p, size_t n)
{
    uint8_t h[4];

    if (n > UINT32_MAX) {
        s->err = SEEN_ECORRUPT;
        return;
    }
    seen_be32(h, (uint32_t)n);
    sink_write(s, h, 4);
    sink_write(s, p, n);
    s->count++;
}

static void
sink_stat(struct sink *s, struct fstat_line *st, int framed)
{

    crypto_hash_sha256_final(&s->sha, st->sha);
    st->bytes = s->bytes;
    st->count = framed ? s->count : (s->bytes > 0);
}

/* The manifest's text (malloc'd, NUL-terminated) for these values. */
static char *
manifest_text(const uint8_t owner[32], uint64_t n, const uint8_t root[32],
    const struct fstat_line st[SEEN_AUDIT_NFILES], size_t *len)
{
    char ho[65], hr[65], hs[65], *t;
    size_t cap = 1024, off;
    int f, w;

    if ((t = malloc(cap)) == NULL)
        return NULL;
    seen_hex_encode(ho, owner, 32);
    seen_hex_encode(hr, root, 32);
    off = (size_t)snprintf(t, cap, "%s\nowner %s\nsize %llu\nroot %s\n",
        MANIFEST_MAGIC, ho, (unsigned long long)n, hr);
    for (f = SEEN_AUDIT_LEAVES; f < SEEN_AUDIT_NFILES; f++) {
        seen_hex_encode(hs, st[f].sha, 32);
        w = snprintf(t + off, cap - off, "file %s %llu %llu %s\n",
            file_names[f], (unsigned long long)st[f].count,
            (unsigned long long)st[f].bytes, hs);
        if (w < 0 || (size_t)w >= cap - off) {
            free(t);
            return NULL;
        }
        off += (size_t)w;
    }
    *len = off;
    return t;
}

struct leaves_ctx {
    struct sink *s;
    uint64_t next;
};

static int
leaf_out(void *vctx, const void *key, size_t klen, const void *val, size_t vlen)
{
    struct leaves_ctx *c = vctx;

    if (klen != 8 || seen_rd64(key) != c->next) {
        seen_warn("exchange log: leaf %llu is missing from the store",
            (unsigned long long)c->next);
        return SEEN_ECORRUPT;
    }
    sink_frame(c->s, val, vlen);
    c->next++;
    return c->s->err;
}

static int
frame_out(void *ctx, const uint8_t *val, size_t len)
{
    struct sink *s = ctx;

    sink_frame(s, val, len);
    return s->err;
}

/*
 * Write every data file of the export into s[1 .. NFILES - 1] and make
 * the manifest's text.
 */
static int
export_sinks(struct seen_txn *txn, struct sink s[SEEN_AUDIT_NFILES],
    struct seen_audit_summary *sum, char **manifest, size_t *mlen)
{
    struct fstat_line st[SEEN_AUDIT_NFILES];
    struct leaves_ctx lc;
    Seen__Checkpoint *last;
    uint8_t owner[32], root[32], auth[32];
    const uint8_t *cp, *doc;
    const void *v;
    size_t vlen, cplen, dlen;
    uint64_t n;
    int rc, f;

    memset(sum, 0, sizeof *sum);
    memset(st, 0, sizeof st);
    if ((rc = seen_store_get(txn, SEEN_DB_META, "node", 4, &v, &vlen)) != 0 ||
        vlen != 32) {
        seen_warn("exchange log: the store names no node");
        return SEEN_ECORRUPT;
    }
    memcpy(owner, v, 32);
    if ((rc = seen_xlog_size(txn, &n)) != 0 ||
        (rc = seen_xlog_root(txn, n, root)) != 0)
        return rc;
    lc.s = &s[SEEN_AUDIT_LEAVES];
    lc.next = 0;
    if ((rc = seen_store_iter(txn, SEEN_DB_XLOG, NULL, 0, leaf_out, &lc)) != 0)
        return rc;
    if (lc.next != n) {
        seen_warn("exchange log: %llu leaves stored, %llu recorded",
            (unsigned long long)lc.next, (unsigned long long)n);
        return SEEN_ECORRUPT;
    }
    if ((rc = seen_xlog_iter(txn, SEEN_XLOG_OWN_CHECKPOINTS, frame_out,
             &s[SEEN_AUDIT_CHECKPOINTS])) != 0 ||
        (rc = seen_xlog_iter(txn, SEEN_XLOG_COSIGNATURES, frame_out,
             &s[SEEN_AUDIT_COSIGNATURES])) != 0 ||
        (rc = seen_xlog_iter(
             txn, SEEN_XLOG_HELD, frame_out, &s[SEEN_AUDIT_PEERS])) != 0 ||
        (rc = seen_xlog_iter(
             txn, SEEN_XLOG_EVIDENCE, frame_out, &s[SEEN_AUDIT_EVIDENCE])) != 0)
        return rc;
    if (seen_members_current(txn, &doc, &dlen) == 0) {
        sink_write(&s[SEEN_AUDIT_MEMBERSHIP], doc, dlen);
        sum->membership = 1;
    }
    if (seen_members_authority(txn, auth) == 0)
        sink_write(&s[SEEN_AUDIT_AUTHORITY], auth, sizeof auth);
    for (f = SEEN_AUDIT_LEAVES; f < SEEN_AUDIT_NFILES; f++) {
        if (s[f].err != 0)
            return s[f].err;
        sink_stat(&s[f], &st[f],
            f != SEEN_AUDIT_MEMBERSHIP && f != SEEN_AUDIT_AUTHORITY);
    }
    if (seen_xlog_latest(txn, &cp, &cplen) == 0 &&
        seen_checkpoint_decode(cp, cplen, &last) == 0) {
        sum->signed_size = last->size;
        seen_checkpoint_destroy(&last);
    }
    sum->leaves = n;
    sum->checkpoints = st[SEEN_AUDIT_CHECKPOINTS].count;
    sum->cosignatures = st[SEEN_AUDIT_COSIGNATURES].count;
    sum->peers = st[SEEN_AUDIT_PEERS].count;
    sum->evidence = st[SEEN_AUDIT_EVIDENCE].count;
    if ((*manifest = manifest_text(owner, n, root, st, mlen)) == NULL)
        return SEEN_ENOMEM;
    return SEEN_OK;
}

/**
 * seen_audit_export_mem(txn, out, sum):
 * As seen_audit_export(), into memory: out[f] for each file f, malloc'd,
 * released with seen_audit_bufs_release().
 * Returns 0; SEEN_ECORRUPT; SEEN_ENOMEM (${out} is then empty).
 */
int
seen_audit_export_mem(struct seen_txn *txn,
    struct seen_audit_buf out[static SEEN_AUDIT_NFILES],
    struct seen_audit_summary *sum)
{
    struct seen_audit_summary dummy;
    struct sink s[SEEN_AUDIT_NFILES];
    char *man = NULL;
    size_t mlen = 0;
    int f, rc;

    memset(out, 0, SEEN_AUDIT_NFILES * sizeof *out);
    for (f = 0; f < SEEN_AUDIT_NFILES; f++)
        sink_init(&s[f], NULL);
    rc = export_sinks(txn, s, sum ? sum : &dummy, &man, &mlen);
    for (f = SEEN_AUDIT_LEAVES; f < SEEN_AUDIT_NFILES; f++) {
        out[f].data = s[f].buf;
        out[f].len = s[f].len;
        out[f].present = 1;
    }
    out[SEEN_AUDIT_MANIFEST].data = (uint8_t *)man;
    out[SEEN_AUDIT_MANIFEST].len = mlen;
    out[SEEN_AUDIT_MANIFEST].present = 1;
    if (rc != 0)
        seen_audit_bufs_release(out);
    return rc;
}

/* Create ${dir}/${name} for writing: mode 0600, never over a file. */
static FILE *
create_file(const char *dir, const char *name, int *exists)
{
    char path[4096];
    FILE *f;
    int fd;

    *exists = 0;
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
             0600)) == -1) {
        *exists = errno == EEXIST;
        return NULL;
    }
    if ((f = fdopen(fd, "wb")) == NULL)
        close(fd);
    return f;
}

/* Flush, sync and close ${f}; 0 or -1. */
static int
finish_file(FILE *f)
{
    int rc = 0;

    if (fflush(f) != 0 || fsync(fileno(f)) != 0)
        rc = -1;
    if (fclose(f) != 0)
        rc = -1;
    return rc;
}

static void
remove_files(const char *dir, const int made[SEEN_AUDIT_NFILES])
{
    char path[4096];
    int f;

    for (f = 0; f < SEEN_AUDIT_NFILES; f++)
        if (made[f] && snprintf(path, sizeof path, "%s/%s", dir,
                           file_names[f]) < (int)sizeof path)
            (void)unlink(path);
}

/**
 * seen_audit_export(txn, dir, sum):
 * Write the export of the store's exchange log, as ${txn} sees it, to
 * the folder ${dir} (created with mode 0700 if missing; it must not hold
 * any of the export's files), each file mode 0600, the manifest last.
 * ${txn} may be a read transaction: a running node goes on meanwhile.
 * [out] ${sum}: what was exported, if ${sum} is not NULL.
 * Returns 0; SEEN_EEXIST when ${dir} holds an export file already;
 * SEEN_EIO (logged with the path; the files written are removed);
 * SEEN_ECORRUPT when the log in the store is damaged; SEEN_ENOMEM.
 */
int
seen_audit_export(
    struct seen_txn *txn, const char *dir, struct seen_audit_summary *sum)
{
    struct seen_audit_summary dummy;
    struct sink s[SEEN_AUDIT_NFILES];
    FILE *fp[SEEN_AUDIT_NFILES];
    int made[SEEN_AUDIT_NFILES];
    char *man = NULL;
    size_t mlen = 0;
    int f, rc, exists;

    memset(fp, 0, sizeof fp);
    memset(made, 0, sizeof made);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        seen_warnp("cannot create '%s'", dir);
        return SEEN_EIO;
    }
    for (f = 0; f < SEEN_AUDIT_NFILES; f++) {
        if ((fp[f] = create_file(dir, file_names[f], &exists)) == NULL) {
            if (exists) {
                seen_warn("'%s/%s' exists: export into an empty folder", dir,
                    file_names[f]);
                rc = SEEN_EEXIST;
            } else {
                seen_warnp("cannot create '%s/%s'", dir, file_names[f]);
                rc = SEEN_EIO;
            }
            goto fail;
        }
        made[f] = 1;
        sink_init(&s[f], fp[f]);
    }
    if ((rc = export_sinks(txn, s, sum ? sum : &dummy, &man, &mlen)) != 0)
        goto fail;
    if (fwrite(man, 1, mlen, fp[SEEN_AUDIT_MANIFEST]) != mlen) {
        rc = SEEN_EIO;
        goto fail;
    }
    /* The data files first, the manifest last. */
    for (f = SEEN_AUDIT_NFILES - 1; f >= 0; f--) {
        rc = finish_file(fp[f]);
        fp[f] = NULL;
        if (rc != 0) {
            seen_warnp("cannot write '%s/%s'", dir, file_names[f]);
            rc = SEEN_EIO;
            goto fail;
        }
    }
    free(man);
    return SEEN_OK;

fail:
    if (rc == SEEN_EIO && errno != 0)
        seen_warnp("cannot write the export in '%s'", dir);
    for (f = 0; f < SEEN_AUDIT_NFILES; f++)
        if (fp[f] != NULL)
            fclose(fp[f]);
    remove_files(dir, made);
    free(man);
    return rc;
}

/**
 * seen_audit_load(dir, out):
 * Map the files of the export in ${dir} read-only into out[f] (a missing
 * file has present 0; an empty one present 1 and len 0).  Release them
 * with seen_audit_bufs_release(), and do not let the files change
 * meanwhile.
 * Returns 0; SEEN_ENOTFOUND when ${dir} is not a folder; SEEN_EIO
 * (logged with the path).
 */
int
seen_audit_load(
    const char *dir, struct seen_audit_buf out[static SEEN_AUDIT_NFILES])
{
    char path[4096];
    struct stat sb;
    void *p;
    int f, fd;

    memset(out, 0, SEEN_AUDIT_NFILES * sizeof *out);
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        seen_warn("'%s' is not a folder", dir);
        return SEEN_ENOTFOUND;
    }
    for (f = 0; f < SEEN_AUDIT_NFILES; f++) {
        if (snprintf(path, sizeof path, "%s/%s", dir, file_names[f]) >=
            (int)sizeof path)
            goto fail;
        if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
            if (errno == ENOENT)
                continue;
            goto fail;
        }
        if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
            close(fd);
            errno = errno ? errno : EINVAL;
            goto fail;
        }
        out[f].present = 1;
        if (sb.st_size > 0) {
            p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
            if (p == MAP_FAILED) {
                close(fd);
                goto fail;
            }
            out[f].data = p;
            out[f].len = (size_t)sb.st_size;
            out[f].mapped = 1;
        }
        close(fd);
    }
    return SEEN_OK;
fail:
    seen_warnp("cannot read '%s'", path);
    seen_audit_bufs_release(out);
    return SEEN_EIO;
}

/**
 * seen_audit_bufs_release(b):
 * Free or unmap the files in b[0 .. SEEN_AUDIT_NFILES - 1] and empty
 * them.  Safe on empty buffers and twice.
 */
void
seen_audit_bufs_release(struct seen_audit_buf b[static SEEN_AUDIT_NFILES])
{
    int f;

    for (f = 0; f < SEEN_AUDIT_NFILES; f++) {
        if (b[f].mapped)
            munmap(b[f].data, b[f].len);
        else
            free(b[f].data);
        memset(&b[f], 0, sizeof b[f]);
    }
}

/* ---- checking ---- */

/* Where a checkpoint was found. */
enum claim_src {
    SRC_OWN,      /* checkpoints.bin */
    SRC_SENT,     /* the header of a sent envelope */
    SRC_RECEIVED, /* the header of a received envelope */
    SRC_COSIG,    /* cosignatures.bin */
    SRC_PEER,     /* peer-checkpoints.bin */
    SRC_EVIDENCE, /* evidence.bin */
};

static const char *const src_names[] = {
    "checkpoints.bin",
    "a sent envelope",
    "a received envelope",
    "cosignatures.bin",
    "peer-checkpoints.bin",
    "evidence.bin",
};

/* A signed checkpoint of some log, found in an export. */
struct claim {
    uint8_t origin[32];
    uint8_t root[32];
    uint64_t size;
    uint64_t at; /* leaf index or frame number in its file */
    int src;
    int state; /* against the export's own log: see claim_states */
};

/* Claim states against a log. */
#define ST_AGREES 0
#define ST_DIFFERS 1
#define ST_BEYOND 2
#define ST_FOREIGN 3

/* The checks, by name (docs/audit-format.md). */
enum check_id {
    C_MANIFEST,
    C_AUTHORITY,
    C_MEMBERSHIP,
    C_LEAVES,
    C_ENVELOPES,
    C_TREE,
    C_CHECKPOINTS,
    C_COSIGNATURES,
    C_PEERS,
    C_EVIDENCE,
    C_CROSS,
    C_N
};

static const char *const check_names[C_N] = {
    "manifest",
    "authority",
    "membership",
    "leaves",
    "envelopes",
    "tree",
    "checkpoints",
    "cosignatures",
    "peer_checkpoints",
    "evidence",
    "cross",
};

/* An evidence record about the owner's own log: its claims. */
struct own_ev {
    uint64_t at;
    size_t first, second; /* claim indices; second SIZE_MAX for none */
};

struct seen_audit {
    char *label;
    seen_audit_report_fn *fn;
    void *ctx;
    int broken; /* no owner: nothing else checked */
    uint8_t owner[32];
    uint8_t authority[32];
    int has_authority;
    struct seen_membership *m;
    uint64_t n;        /* leaves parsed */
    uint8_t (*lh)[32]; /* their hashes */
    size_t lhcap;
    struct claim *cl;
    size_t ncl, capcl;
    struct own_ev *oev;
    size_t noev, capoev;
    uint64_t *ss; /* pairs: signed_size, first leaf with it */
    size_t nss, capss;
    uint64_t failures, findings;
    uint64_t fails[C_N];
    int nomem;
};

static void report(struct seen_audit *a, int check, int ok, int finding,
    const char *fmt, ...) SEEN_PRINTF(5, 6);

static void
emit(struct seen_audit *a, int check, int ok, int finding, const char *d)
{
    struct seen_audit_check c;

    c.export = a->label;
    c.check = check_names[check];
    c.ok = ok;
    c.finding = finding;
    c.detail = d;
    if (a->fn != NULL)
        a->fn(a->ctx, &c);
}

/* Report one result; a failure counts, and only the first few print. */
static void
report(
    struct seen_audit *a, int check, int ok, int finding, const char *fmt, ...)
{
    char d[768];
    va_list ap;

    if (!ok) {
        a->failures++;
        if (++a->fails[check] > REPORT_MAX)
            return;
    }
    if (finding)
        a->findings++;
    va_start(ap, fmt);
    vsnprintf(d, sizeof d, fmt, ap);
    va_end(ap);
    emit(a, check, ok, finding, d);
}

/* Say how many failures of ${check} were not printed. */
static void
report_more(struct seen_audit *a, int check)
{
    char d[128];

    if (a->fails[check] <= REPORT_MAX)
        return;
    snprintf(d, sizeof d, "and %llu more failures of this check",
        (unsigned long long)(a->fails[check] - REPORT_MAX));
    emit(a, check, 0, 0, d);
}

/* The member name of ${pk}, or its first 16 hex digits. */
static const char *
name_of(const struct seen_audit *a, const uint8_t pk[32], char buf[80])
{
    const Seen__Member *mb;
    char h[65];

    if (a->m != NULL && (mb = seen_membership_by_sign(a->m, pk)) != NULL) {
        snprintf(buf, 80, "'%s'", mb->name);
        return buf;
    }
    seen_hex_encode(h, pk, 32);
    snprintf(buf, 80, "key %.16s...", h);
    return buf;
}

static int
is_member(const struct seen_audit *a, const uint8_t pk[32])
{

    return a->m != NULL && seen_membership_by_sign(a->m, pk) != NULL;
}

static int
add_claim(struct seen_audit *a, const Seen__Checkpoint *c, int src, uint64_t at)
{
    struct claim *nc;
    size_t cap;

    if (a->ncl == a->capcl) {
        cap = a->capcl ? a->capcl * 2 : 64;
        if ((nc = realloc(a->cl, cap * sizeof *nc)) == NULL) {
            a->nomem = 1;
            return SEEN_ENOMEM;
        }
        a->cl = nc;
        a->capcl = cap;
    }
    nc = &a->cl[a->ncl++];
    memcpy(nc->origin, c->origin.data, 32);
    memcpy(nc->root, c->root.data, 32);
    nc->size = c->size;
    nc->at = at;
    nc->src = src;
    nc->state = ST_FOREIGN;
    return SEEN_OK;
}

static int
cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

    return a < b ? -1 : a > b;
}

/* Write the roots of the first sizes[k] leaves of ${a} (sizes sorted
 * ascending, each at most a->n) to roots[k]. */
static void
roots_at(const struct seen_audit *a, const uint64_t *sizes, size_t ns,
    uint8_t (*roots)[32])
{
    struct seen_merkle_frontier f;
    size_t k = 0;
    uint64_t i;

    seen_merkle_frontier_init(&f);
    for (i = 0;; i++) {
        while (k < ns && sizes[k] == i)
            seen_merkle_frontier_root(&f, roots[k++]);
        if (k == ns || i == a->n)
            break;
        seen_merkle_frontier_append(&f, a->lh[i]);
    }
}

/*
 * Set the state of each of the ${n} claims ${cl} whose origin is ${a}'s
 * owner against ${a}'s log: ST_AGREES, ST_DIFFERS or ST_BEYOND; the
 * others are ST_FOREIGN.
 */
static int
claim_states(const struct seen_audit *a, struct claim *cl, size_t n)
{
    uint64_t *sizes, *p;
    uint8_t(*roots)[32];
    size_t i, ns = 0, u = 0;

    if ((sizes = malloc((n ? n : 1) * sizeof *sizes)) == NULL)
        return SEEN_ENOMEM;
    for (i = 0; i < n; i++) {
        cl[i].state = ST_FOREIGN;
        if (memcmp(cl[i].origin, a->owner, 32) != 0)
            continue;
        if (cl[i].size > a->n)
            cl[i].state = ST_BEYOND;
        else
            sizes[ns++] = cl[i].size;
    }
    qsort(sizes, ns, sizeof *sizes, cmp_u64);
    for (i = 0; i < ns; i++)
        if (u == 0 || sizes[u - 1] != sizes[i])
            sizes[u++] = sizes[i];
    if ((roots = malloc((u ? u : 1) * 32)) == NULL) {
        free(sizes);
        return SEEN_ENOMEM;
    }
    roots_at(a, sizes, u, roots);
    for (i = 0; i < n; i++) {
        if (memcmp(cl[i].origin, a->owner, 32) != 0 || cl[i].size > a->n)
            continue;
        p = bsearch(&cl[i].size, sizes, u, sizeof *sizes, cmp_u64);
        cl[i].state = memcmp(roots[p - sizes], cl[i].root, 32) == 0
                          ? ST_AGREES
                          : ST_DIFFERS;
    }
    free(roots);
    free(sizes);
    return SEEN_OK;
}

/* Read the next frame of ${b} at *${off}: 1 and the frame; 0 at the end;
 * -1 when the rest is not a whole frame of at most ${max} bytes. */
static int
next_frame(const struct seen_audit_buf *b, size_t *off, size_t max,
    const uint8_t **fr, size_t *flen)
{
    size_t left = b->len - *off;
    uint32_t n;

    if (left == 0)
        return 0;
    if (left < 4)
        return -1;
    n = seen_rd32(b->data + *off);
    if (n > left - 4 || n > max)
        return -1;
    *fr = b->data + *off + 4;
    *flen = n;
    *off += 4 + (size_t)n;
    return 1;
}

/* Parse the first two lines of the manifest: the format and the owner. */
static const char *
manifest_owner(const struct seen_audit_buf *b, uint8_t owner[32])
{
    static const char magic[] = MANIFEST_MAGIC "\nowner ";
    const char *p = (const char *)b->data;
    size_t i, ml = sizeof magic - 1;

    if (!b->present)
        return "manifest.txt is missing";
    if (b->len < ml + 65 || memcmp(p, magic, ml) != 0)
        return "manifest.txt does not begin with '" MANIFEST_MAGIC
               "' and an owner line";
    for (i = 0; i < 64; i++) {
        char c = p[ml + i];

        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return "manifest.txt: the owner is not 64 lower-case hex digits";
    }
    if (p[ml + 64] != '\n')
        return "manifest.txt: the owner is not 64 lower-case hex digits";
    if (sodium_hex2bin(owner, 32, p + ml, 64, NULL, NULL, NULL) != 0)
        return "manifest.txt: the owner is not 64 lower-case hex digits";
    return NULL;
}

static void
check_authority(struct seen_audit *a, const struct seen_audit_buf *in,
    const struct seen_audit_opts *o)
{
    const struct seen_audit_buf *b = &in[SEEN_AUDIT_AUTHORITY];
    char h[65], w[65];

    if (b->len == 32) {
        memcpy(a->authority, b->data, 32);
        a->has_authority = 1;
    }
    if (b->len != 0 && b->len != 32) {
        report(
            a, C_AUTHORITY, 0, 0, "authority.bin is %zu bytes, not 32", b->len);
        return;
    }
    if (o->authority != NULL) {
        seen_hex_encode(w, o->authority, 32);
        if (!a->has_authority) {
            report(a, C_AUTHORITY, 0, 0,
                "no authority key in the export; %s was required", w);
            return;
        }
        seen_hex_encode(h, a->authority, 32);
        if (sodium_memcmp(a->authority, o->authority, 32) != 0) {
            report(a, C_AUTHORITY, 0, 0,
                "the export's authority is %s, not %s as required", h, w);
            return;
        }
        report(a, C_AUTHORITY, 1, 0, "%s, as required", h);
        return;
    }
    if (a->has_authority) {
        seen_hex_encode(h, a->authority, 32);
        report(a, C_AUTHORITY, 1, 0,
            "%s: compare it with the key you trust (or give --authority)", h);
    } else {
        report(a, C_AUTHORITY, 1, 0, "none (no membership document)");
    }
}

static void
check_membership(struct seen_audit *a, const struct seen_audit_buf *in,
    const struct seen_audit_opts *o)
{
    const struct seen_audit_buf *b = &in[SEEN_AUDIT_MEMBERSHIP];
    const Seen__Member *me;
    char h[65];
    int rc;

    seen_hex_encode(h, a->owner, 32);
    if (b->len == 0) {
        if (o->owner != NULL && sodium_memcmp(o->owner, a->owner, 32) == 0)
            report(a, C_MEMBERSHIP, 1, 0,
                "no membership document: the owner %s is accepted as given", h);
        else
            report(a, C_MEMBERSHIP, 0, 0,
                "no membership document: nothing vouches for the owner's key "
                "%s (give --owner to accept it)",
                h);
        return;
    }
    if (!a->has_authority) {
        report(a, C_MEMBERSHIP, 0, 0,
            "a membership document but no authority key to check it");
        return;
    }
    rc = seen_membership_open(b->data, b->len, a->authority, &a->m);
    if (rc == SEEN_ENOMEM)
        a->nomem = 1;
    if (rc != 0) {
        report(a, C_MEMBERSHIP, 0, 0,
            "the membership document does not verify under the authority key: "
            "%s",
            seen_strerror(rc));
        return;
    }
    if ((me = seen_membership_by_sign(a->m, a->owner)) == NULL) {
        report(a, C_MEMBERSHIP, 0, 0,
            "the owner %s is not a member of '%s' (version %llu)", h,
            seen_membership_federation(a->m),
            (unsigned long long)seen_membership_version(a->m));
        return;
    }
    report(a, C_MEMBERSHIP, 1, 0,
        "version %llu of '%s' signed by the authority; the log's owner is '%s' "
        "(%s, %s), key %s",
        (unsigned long long)seen_membership_version(a->m),
        seen_membership_federation(a->m), me->name, me->agency,
        seen_membership_active(me) ? "active" : "revoked", h);
}

/* Remember that leaves from ${i} on carry signed_size ${s}. */
static void
note_signed_size(struct seen_audit *a, uint64_t s, uint64_t i)
{
    uint64_t *p;
    size_t cap;

    if (s == 0 || (a->nss > 0 && a->ss[2 * (a->nss - 1)] == s))
        return;
    if (a->nss == a->capss) {
        cap = a->capss ? a->capss * 2 : 32;
        if ((p = realloc(a->ss, cap * 2 * sizeof *p)) == NULL) {
            a->nomem = 1;
            return;
        }
        a->ss = p;
        a->capss = cap;
    }
    a->ss[2 * a->nss] = s;
    a->ss[2 * a->nss + 1] = i;
    a->nss++;
}

/* The envelope of leaf ${i}: signature, peer, header checkpoint. */
static void
check_leaf_envelope(
    struct seen_audit *a, uint64_t i, const struct seen_xlog_leafview *v)
{
    const Seen__Header *h = v->part->header;
    const Seen__Checkpoint *c = h->checkpoint;
    int sent = v->leaf->kind == SEEN__XLOG_KIND__XLOG_SENT;
    char nm[80];

    if (seen_verify(v->env->signature.data, SEEN_DOMAIN_ENVELOPE,
            v->env->signed_.data, v->env->signed_.len, h->sender.data) != 0)
        report(a, C_ENVELOPES, 0, 0,
            "leaf %llu: the %s envelope's signature does not verify under its "
            "sender",
            (unsigned long long)i, sent ? "sent" : "received");
    if (!is_member(a, v->leaf->peer.data))
        report(a, C_ENVELOPES, 0, 0, "leaf %llu: the peer %s is not a member",
            (unsigned long long)i, name_of(a, v->leaf->peer.data, nm));
    if (c == NULL)
        return;
    if (seen_checkpoint_verify(c, SEEN_DOMAIN_XLOG_CHECKPOINT) != 0) {
        report(a, C_ENVELOPES, 0, 0,
            "leaf %llu: the checkpoint in the envelope's header is not signed "
            "by its sender",
            (unsigned long long)i);
        return;
    }
    if (sent && c->size > i) {
        report(a, C_ENVELOPES, 0, 0,
            "leaf %llu: the sent envelope carries a checkpoint of size %llu, "
            "beyond its own leaf",
            (unsigned long long)i, (unsigned long long)c->size);
        return;
    }
    (void)add_claim(a, c, sent ? SRC_SENT : SRC_RECEIVED, i);
}

/* Frame and hash the leaves: a->lh, a->n. */
static void
hash_leaves(struct seen_audit *a, const struct seen_audit_buf *b)
{
    uint8_t(*nl)[32];
    const uint8_t *fr;
    size_t off = 0, flen, cap;
    int r;

    while ((r = next_frame(b, &off, SEEN_XLOG_LEAF_MAX, &fr, &flen)) != 0) {
        if (r < 0) {
            report(a, C_LEAVES, 0, 0,
                "leaves.bin: byte %zu does not begin a whole frame (a 4-byte "
                "length and at most %u bytes)",
                off, (unsigned)SEEN_XLOG_LEAF_MAX);
            break;
        }
        if (a->n == a->lhcap) {
            cap = a->lhcap ? a->lhcap * 2 : 256;
            if ((nl = realloc(a->lh, cap * 32)) == NULL) {
                a->nomem = 1;
                break;
            }
            a->lh = nl;
            a->lhcap = cap;
        }
        seen_merkle_leaf_hash(a->lh[a->n++], fr, flen);
    }
}

/* Check the a->n leaves framed by hash_leaves(). */
static void
check_leaves(struct seen_audit *a, const struct seen_audit_buf *b)
{
    struct seen_xlog_leafview v;
    const uint8_t *fr;
    const char *why;
    uint64_t kinds[5] = {0}, prev = 0, i;
    size_t off = 0, flen;
    int r;

    for (i = 0; i < a->n; i++) {
        if (next_frame(b, &off, SEEN_XLOG_LEAF_MAX, &fr, &flen) != 1)
            break;
        if ((r = seen_xlog_leaf_parse(fr, flen, a->owner, i, &v, &why)) != 0) {
            if (r == SEEN_ENOMEM)
                a->nomem = 1;
            else
                report(a, C_LEAVES, 0, 0, "leaf %llu: %s",
                    (unsigned long long)i, why);
            continue;
        }
        if (v.leaf->signed_size < prev)
            report(a, C_LEAVES, 0, 0,
                "leaf %llu: signed_size decreases, from %llu to %llu",
                (unsigned long long)i, (unsigned long long)prev,
                (unsigned long long)v.leaf->signed_size);
        prev = v.leaf->signed_size;
        note_signed_size(a, prev, i);
        kinds[v.leaf->kind]++;
        if (v.env != NULL)
            check_leaf_envelope(a, i, &v);
        seen_xlog_leaf_release(&v);
    }
    if (a->fails[C_LEAVES] == 0)
        report(a, C_LEAVES, 1, 0,
            "%llu leaves decode and keep the leaf rules (sent %llu, received "
            "%llu, queries %llu, decisions %llu); signed_size never decreases",
            (unsigned long long)a->n, (unsigned long long)kinds[1],
            (unsigned long long)kinds[2], (unsigned long long)kinds[3],
            (unsigned long long)kinds[4]);
}

static void
check_own_checkpoints(struct seen_audit *a, const struct seen_audit_buf *b)
{
    Seen__Checkpoint *c;
    const uint8_t *fr;
    size_t off = 0, flen;
    uint64_t k;
    int r;

    for (k = 0;; k++) {
        if ((r = next_frame(b, &off, FRAME_MAX_SMALL, &fr, &flen)) == 0)
            break;
        if (r < 0) {
            report(a, C_CHECKPOINTS, 0, 0,
                "checkpoints.bin: byte %zu does not begin a whole frame", off);
            break;
        }
        if (seen_checkpoint_decode(fr, flen, &c) != 0) {
            report(a, C_CHECKPOINTS, 0, 0,
                "checkpoints.bin frame %llu: not a well-formed checkpoint",
                (unsigned long long)k);
            continue;
        }
        if (memcmp(c->origin.data, a->owner, 32) != 0)
            report(a, C_CHECKPOINTS, 0, 0,
                "checkpoints.bin frame %llu: a checkpoint of another log",
                (unsigned long long)k);
        else if (seen_checkpoint_verify(c, SEEN_DOMAIN_XLOG_CHECKPOINT) != 0)
            report(a, C_CHECKPOINTS, 0, 0,
                "checkpoints.bin frame %llu: the signature does not verify "
                "under the owner's key",
                (unsigned long long)k);
        else
            (void)add_claim(a, c, SRC_OWN, k);
        seen_checkpoint_destroy(&c);
    }
}

static void
check_cosignatures(struct seen_audit *a, const struct seen_audit_buf *b)
{
    Seen__Cosignature *cs;
    Seen__Checkpoint *c;
    const uint8_t *fr;
    size_t off = 0, flen;
    uint64_t k;
    char nm[80];
    int r;

    for (k = 0;; k++) {
        if ((r = next_frame(b, &off, FRAME_MAX_SMALL, &fr, &flen)) == 0)
            break;
        if (r < 0) {
            report(a, C_COSIGNATURES, 0, 0,
                "cosignatures.bin: byte %zu does not begin a whole frame", off);
            break;
        }
        if ((r = seen_xlog_cosignature_open(fr, flen, &cs, &c)) != 0) {
            report(a, C_COSIGNATURES, 0, 0, "cosignatures.bin frame %llu: %s",
                (unsigned long long)k,
                r == SEEN_EAUTH ? "a signature does not verify"
                                : "not a well-formed cosignature");
            continue;
        }
        if (memcmp(c->origin.data, a->owner, 32) != 0)
            report(a, C_COSIGNATURES, 0, 0,
                "cosignatures.bin frame %llu: countersigns a checkpoint of "
                "another log",
                (unsigned long long)k);
        else if (!is_member(a, cs->witness.data))
            report(a, C_COSIGNATURES, 0, 0,
                "cosignatures.bin frame %llu: the witness %s is not a member",
                (unsigned long long)k, name_of(a, cs->witness.data, nm));
        else
            (void)add_claim(a, c, SRC_COSIG, k);
        seen_checkpoint_destroy(&c);
        seen__cosignature__free_unpacked(cs, NULL);
    }
}

static void
check_peer_checkpoints(struct seen_audit *a, const struct seen_audit_buf *b)
{
    Seen__Checkpoint *c;
    const uint8_t *fr;
    size_t off = 0, flen;
    uint64_t k, good = 0;
    char nm[80];
    int r;

    for (k = 0;; k++) {
        if ((r = next_frame(b, &off, FRAME_MAX_SMALL, &fr, &flen)) == 0)
            break;
        if (r < 0) {
            report(a, C_PEERS, 0, 0,
                "peer-checkpoints.bin: byte %zu does not begin a whole frame",
                off);
            break;
        }
        if (seen_checkpoint_decode(fr, flen, &c) != 0) {
            report(a, C_PEERS, 0, 0,
                "peer-checkpoints.bin frame %llu: not a well-formed checkpoint",
                (unsigned long long)k);
            continue;
        }
        if (memcmp(c->origin.data, a->owner, 32) == 0)
            report(a, C_PEERS, 0, 0,
                "peer-checkpoints.bin frame %llu: a checkpoint of the owner's "
                "own log",
                (unsigned long long)k);
        else if (seen_checkpoint_verify(c, SEEN_DOMAIN_XLOG_CHECKPOINT) != 0)
            report(a, C_PEERS, 0, 0,
                "peer-checkpoints.bin frame %llu: the signature does not "
                "verify",
                (unsigned long long)k);
        else if (!is_member(a, c->origin.data))
            report(a, C_PEERS, 0, 0,
                "peer-checkpoints.bin frame %llu: its origin %s is not a "
                "member",
                (unsigned long long)k, name_of(a, c->origin.data, nm));
        else if (add_claim(a, c, SRC_PEER, k) == 0)
            good++;
        seen_checkpoint_destroy(&c);
    }
    if (a->fails[C_PEERS] == 0)
        report(a, C_PEERS, 1, 0,
            "%llu checkpoints of peers' logs, each signed by a member",
            (unsigned long long)good);
}

/* Check one evidence record about a peer's log. */
static void
check_peer_evidence(
    struct seen_audit *a, uint64_t k, const Seen__XLogEvidence *ev)
{
    const Seen__Checkpoint *f = ev->first, *s = ev->second, *sm, *lg;
    uint8_t(*proof)[32] = NULL;
    char nm[80];
    size_t i;
    int r;

    name_of(a, f->origin.data, nm);
    if (f->size == s->size) {
        if (memcmp(f->root.data, s->root.data, 32) == 0) {
            report(a, C_EVIDENCE, 0, 0,
                "evidence.bin frame %llu: does not hold: the two checkpoints "
                "agree",
                (unsigned long long)k);
            return;
        }
        report(a, C_EVIDENCE, 1, 1,
            "evidence.bin frame %llu: %s signed two different roots for size "
            "%llu of its log (equivocation)",
            (unsigned long long)k, nm, (unsigned long long)f->size);
        return;
    }
    sm = f->size < s->size ? f : s;
    lg = f->size < s->size ? s : f;
    if (ev->n_proof > 0 &&
        (proof = malloc(ev->n_proof * sizeof *proof)) == NULL) {
        a->nomem = 1;
        return;
    }
    for (i = 0; i < ev->n_proof; i++)
        memcpy(proof[i], ev->proof[i].data, 32);
    r = sm->size == 0
            ? 0
            : seen_merkle_verify_consistency(sm->size, lg->size, sm->root.data,
                  lg->root.data, (const uint8_t(*)[32])proof, ev->n_proof);
    free(proof);
    if (r == 0) {
        report(a, C_EVIDENCE, 0, 0,
            "evidence.bin frame %llu: does not hold: the proof shows the "
            "checkpoints consistent",
            (unsigned long long)k);
        return;
    }
    report(a, C_EVIDENCE, 1, 1,
        "evidence.bin frame %llu: %s signed checkpoints of sizes %llu and %llu "
        "of its log and the consistency proof it gave does not reconcile them "
        "(equivocation, unless the proof was damaged: compare with its own "
        "export)",
        (unsigned long long)k, nm, (unsigned long long)sm->size,
        (unsigned long long)lg->size);
}

static void
check_evidence(struct seen_audit *a, const struct seen_audit_buf *b)
{
    Seen__XLogEvidence *ev;
    const uint8_t *fr;
    size_t off = 0, flen, i;
    struct own_ev *no;
    uint64_t k;
    int r, bad;

    for (k = 0;; k++) {
        if ((r = next_frame(b, &off, FRAME_MAX_SMALL, &fr, &flen)) == 0)
            break;
        if (r < 0) {
            report(a, C_EVIDENCE, 0, 0,
                "evidence.bin: byte %zu does not begin a whole frame", off);
            break;
        }
        if ((ev = seen__xlog_evidence__unpack(NULL, flen, fr)) == NULL) {
            report(a, C_EVIDENCE, 0, 0,
                "evidence.bin frame %llu: does not decode",
                (unsigned long long)k);
            continue;
        }
        bad =
            ev->first == NULL || ev->n_proof > SEEN_MERKLE_PROOF_MAX ||
            seen_checkpoint_verify(ev->first, SEEN_DOMAIN_XLOG_CHECKPOINT) !=
                0 ||
            (ev->second != NULL && (seen_checkpoint_verify(ev->second,
                                        SEEN_DOMAIN_XLOG_CHECKPOINT) != 0 ||
                                       memcmp(ev->first->origin.data,
                                           ev->second->origin.data, 32) != 0));
        for (i = 0; !bad && i < ev->n_proof; i++)
            bad = ev->proof[i].len != 32;
        if (bad) {
            report(a, C_EVIDENCE, 0, 0,
                "evidence.bin frame %llu: not two validly signed checkpoints "
                "of one log and a proof",
                (unsigned long long)k);
        } else if (memcmp(ev->first->origin.data, a->owner, 32) == 0) {
            /* Against the owner's own log: decided with the tree. */
            if (a->noev == a->capoev) {
                size_t cap = a->capoev ? a->capoev * 2 : 8;

                if ((no = realloc(a->oev, cap * sizeof *no)) == NULL) {
                    a->nomem = 1;
                    seen__xlog_evidence__free_unpacked(ev, NULL);
                    break;
                }
                a->oev = no;
                a->capoev = cap;
            }
            no = &a->oev[a->noev];
            no->at = k;
            no->first = a->ncl;
            no->second = SIZE_MAX;
            if (add_claim(a, ev->first, SRC_EVIDENCE, k) == 0) {
                if (ev->second != NULL &&
                    add_claim(a, ev->second, SRC_EVIDENCE, k) == 0)
                    no->second = a->ncl - 1;
                a->noev++;
            }
        } else if (ev->second == NULL) {
            report(a, C_EVIDENCE, 0, 0,
                "evidence.bin frame %llu: one checkpoint of another node's log "
                "is no evidence",
                (unsigned long long)k);
        } else {
            check_peer_evidence(a, k, ev);
            (void)add_claim(a, ev->first, SRC_EVIDENCE, k);
            (void)add_claim(a, ev->second, SRC_EVIDENCE, k);
        }
        seen__xlog_evidence__free_unpacked(ev, NULL);
    }
}

static int
cmp_claim_origin_size(const void *x, const void *y)
{
    const struct claim *const *a = x, *const *b = y;
    int c = memcmp((*a)->origin, (*b)->origin, 32);

    if (c != 0)
        return c;
    return (*a)->size < (*b)->size ? -1 : (*a)->size > (*b)->size;
}

/* Two checkpoints of one peer, at one size, with different roots, among
 * those in received envelopes and peer-checkpoints.bin. */
static void
check_peer_forks(struct seen_audit *a)
{
    struct claim **v;
    size_t i, j, n = 0;
    char nm[80];

    if ((v = malloc((a->ncl ? a->ncl : 1) * sizeof *v)) == NULL) {
        a->nomem = 1;
        return;
    }
    for (i = 0; i < a->ncl; i++)
        if (a->cl[i].src == SRC_RECEIVED || a->cl[i].src == SRC_PEER)
            v[n++] = &a->cl[i];
    qsort(v, n, sizeof *v, cmp_claim_origin_size);
    for (i = 0; i < n; i = j) {
        for (j = i + 1; j < n && memcmp(v[j]->origin, v[i]->origin, 32) == 0 &&
                        v[j]->size == v[i]->size;
             j++) {
            if (memcmp(v[j]->root, v[i]->root, 32) == 0)
                continue;
            report(a, C_EVIDENCE, 1, 1,
                "%s signed two different roots for size %llu of its log (in %s "
                "%llu and %s %llu): equivocation",
                name_of(a, v[i]->origin, nm), (unsigned long long)v[i]->size,
                src_names[v[i]->src], (unsigned long long)v[i]->at,
                src_names[v[j]->src], (unsigned long long)v[j]->at);
            break;
        }
        while (j < n && memcmp(v[j]->origin, v[i]->origin, 32) == 0 &&
               v[j]->size == v[i]->size)
            j++;
    }
    free(v);
}

/* Every checkpoint of the owner's log found in the export, against it. */
static void
check_against_tree(struct seen_audit *a)
{
    uint64_t *own, nown = 0, best = 0, cos = 0, sent = 0;
    struct claim *c;
    const struct own_ev *e;
    size_t i;
    int st1, st2;

    if (claim_states(a, a->cl, a->ncl) != 0 ||
        (own = malloc((a->ncl ? a->ncl : 1) * sizeof *own)) == NULL) {
        a->nomem = 1;
        return;
    }
    for (i = 0; i < a->ncl; i++) {
        c = &a->cl[i];
        if (c->src == SRC_OWN)
            own[nown++] = c->size;
        if (c->state == ST_FOREIGN || c->src == SRC_EVIDENCE)
            continue;
        if (c->state == ST_AGREES) {
            if (c->src == SRC_OWN && c->size > best)
                best = c->size;
            if (c->src == SRC_COSIG)
                cos++;
            if (c->src == SRC_SENT)
                sent++;
            continue;
        }
        report(a,
            c->src == SRC_OWN     ? C_CHECKPOINTS
            : c->src == SRC_COSIG ? C_COSIGNATURES
                                  : C_ENVELOPES,
            0, 0,
            "%s %llu: a checkpoint of size %llu signed by the owner %s (the "
            "log has %llu leaves): the log is not the history its owner signed",
            src_names[c->src], (unsigned long long)c->at,
            (unsigned long long)c->size,
            c->state == ST_BEYOND ? "is beyond the log"
                                  : "has another root than the log",
            (unsigned long long)a->n);
    }

    /* Every signed_size a leaf records is the size of a checkpoint. */
    qsort(own, nown, sizeof *own, cmp_u64);
    for (i = 0; i < a->nss; i++)
        if (bsearch(&a->ss[2 * i], own, nown, sizeof *own, cmp_u64) == NULL)
            report(a, C_LEAVES, 0, 0,
                "leaf %llu: signed_size %llu is not the size of any checkpoint "
                "in checkpoints.bin",
                (unsigned long long)a->ss[2 * i + 1],
                (unsigned long long)a->ss[2 * i]);

    /* Evidence about the owner's own log. */
    for (i = 0; i < a->noev; i++) {
        e = &a->oev[i];
        st1 = a->cl[e->first].state;
        st2 = e->second == SIZE_MAX ? ST_AGREES : a->cl[e->second].state;
        if (st1 == ST_AGREES && st2 == ST_AGREES)
            report(a, C_EVIDENCE, 0, 0,
                "evidence.bin frame %llu: does not hold: its checkpoints agree "
                "with the log",
                (unsigned long long)e->at);
        else
            report(a, C_EVIDENCE, 0, 0,
                "evidence.bin frame %llu: a peer showed the owner a checkpoint "
                "of its own log (size %llu) that the log contradicts: the log "
                "was restored from a backup or rewritten",
                (unsigned long long)e->at,
                (unsigned long long)a->cl[e->first].size);
    }

    if (a->fails[C_CHECKPOINTS] == 0) {
        if (nown == 0)
            report(a, C_CHECKPOINTS, 1, 0,
                "no signed checkpoint: nothing binds the %llu leaves to their "
                "owner",
                (unsigned long long)a->n);
        else if (best < a->n)
            report(a, C_CHECKPOINTS, 1, 0,
                "%llu checkpoints signed by the owner agree with the log; the "
                "largest covers %llu of its %llu leaves (leaves %llu to %llu "
                "are not yet covered by a signed checkpoint)",
                (unsigned long long)nown, (unsigned long long)best,
                (unsigned long long)a->n, (unsigned long long)best,
                (unsigned long long)(a->n - 1));
        else
            report(a, C_CHECKPOINTS, 1, 0,
                "%llu checkpoints signed by the owner agree with the log; the "
                "largest covers all %llu leaves",
                (unsigned long long)nown, (unsigned long long)a->n);
    }
    if (a->fails[C_COSIGNATURES] == 0)
        report(a, C_COSIGNATURES, 1, 0,
            "%llu cosignatures, each valid, by a member, of a checkpoint that "
            "agrees with the log",
            (unsigned long long)cos);
    if (a->fails[C_ENVELOPES] == 0)
        report(a, C_ENVELOPES, 1, 0,
            "every envelope verifies under its sender, every peer is a member, "
            "and the %llu checkpoints in sent envelopes agree with the log",
            (unsigned long long)sent);
    free(own);
}

static void
check_manifest(struct seen_audit *a, const struct seen_audit_buf *in)
{
    struct fstat_line st[SEEN_AUDIT_NFILES];
    struct seen_audit_buf b;
    struct seen_merkle_frontier f;
    uint8_t root[32];
    const uint8_t *fr;
    size_t off, flen, mlen, max;
    char *t;
    uint64_t i;
    int fi, r;

    memset(st, 0, sizeof st);
    for (fi = SEEN_AUDIT_LEAVES; fi < SEEN_AUDIT_NFILES; fi++) {
        b = in[fi];
        if (!b.present)
            report(a, C_MANIFEST, 0, 0, "%s is missing", file_names[fi]);
        crypto_hash_sha256(
            st[fi].sha, b.data ? b.data : (const uint8_t *)"", b.len);
        st[fi].bytes = b.len;
        if (fi == SEEN_AUDIT_MEMBERSHIP || fi == SEEN_AUDIT_AUTHORITY) {
            st[fi].count = b.len > 0;
            continue;
        }
        max = fi == SEEN_AUDIT_LEAVES ? SEEN_XLOG_LEAF_MAX : FRAME_MAX_SMALL;
        for (off = 0; (r = next_frame(&b, &off, max, &fr, &flen)) == 1;)
            st[fi].count++;
    }
    seen_merkle_frontier_init(&f);
    for (i = 0; i < a->n; i++)
        seen_merkle_frontier_append(&f, a->lh[i]);
    seen_merkle_frontier_root(&f, root);
    if ((t = manifest_text(a->owner, a->n, root, st, &mlen)) == NULL) {
        a->nomem = 1;
        return;
    }
    if (mlen != in[SEEN_AUDIT_MANIFEST].len ||
        memcmp(t, in[SEEN_AUDIT_MANIFEST].data, mlen) != 0)
        report(a, C_MANIFEST, 0, 0,
            "manifest.txt is not the manifest of these files (a file was "
            "changed, or the manifest)");
    else
        report(a, C_MANIFEST, 1, 0,
            "manifest.txt lists these files: their sizes, frame counts and "
            "SHA-256 digests, the log's size and root");
    free(t);
    {
        char hr[65];

        seen_hex_encode(hr, root, 32);
        report(a, C_TREE, 1, 0, "%llu leaves; RFC 9162 root %s",
            (unsigned long long)a->n, hr);
    }
}

/**
 * seen_audit_open(in, label, opts, fn, ctx, out):
 * Parse the export whose files are ${in} (not retained) and check it,
 * reporting every check to ${fn}(${ctx}, ...) under ${label}.  Never
 * crashes on any bytes.
 * [out] ${out}: the parsed export, for seen_audit_cross(), owned by the
 * caller (seen_audit_destroy()), also when checks failed.
 * Returns 0 (see seen_audit_failures() for the verdict); SEEN_ENOMEM.
 */
int
seen_audit_open(const struct seen_audit_buf in[static SEEN_AUDIT_NFILES],
    const char *label, const struct seen_audit_opts *opts,
    seen_audit_report_fn *fn, void *ctx, struct seen_audit **out)
{
    static const struct seen_audit_opts none = {NULL, NULL};
    struct seen_audit *a;
    const char *why;
    int c;

    *out = NULL;
    if (opts == NULL)
        opts = &none;
    if ((a = calloc(1, sizeof *a)) == NULL)
        return SEEN_ENOMEM;
    if ((a->label = strdup(label ? label : "export")) == NULL) {
        free(a);
        return SEEN_ENOMEM;
    }
    a->fn = fn;
    a->ctx = ctx;
    if ((why = manifest_owner(&in[SEEN_AUDIT_MANIFEST], a->owner)) != NULL) {
        a->broken = 1;
        report(a, C_MANIFEST, 0, 0, "%s", why);
        goto done;
    }
    hash_leaves(a, &in[SEEN_AUDIT_LEAVES]);
    check_manifest(a, in);
    check_authority(a, in, opts);
    check_membership(a, in, opts);
    check_leaves(a, &in[SEEN_AUDIT_LEAVES]);
    check_own_checkpoints(a, &in[SEEN_AUDIT_CHECKPOINTS]);
    check_cosignatures(a, &in[SEEN_AUDIT_COSIGNATURES]);
    check_peer_checkpoints(a, &in[SEEN_AUDIT_PEERS]);
    check_evidence(a, &in[SEEN_AUDIT_EVIDENCE]);
    check_peer_forks(a);
    check_against_tree(a);
    if (a->fails[C_EVIDENCE] == 0 && a->findings == 0)
        report(a, C_EVIDENCE, 1, 0, "no evidence of equivocation is held");
    for (c = 0; c < C_N; c++)
        report_more(a, c);
done:
    if (a->nomem) {
        seen_audit_destroy(&a);
        return SEEN_ENOMEM;
    }
    a->fn = NULL;
    a->ctx = NULL;
    *out = a;
    return SEEN_OK;
}

/**
 * seen_audit_failures(a):
 * Return the number of checks of ${a} that failed (0: every one passed).
 */
uint64_t
seen_audit_failures(const struct seen_audit *a)
{

    return a->failures;
}

/**
 * seen_audit_findings(a):
 * Return the number of findings reported for ${a}.
 */
uint64_t
seen_audit_findings(const struct seen_audit *a)
{

    return a->findings;
}

/* Check the checkpoints of ${a}'s log that ${b} holds. */
static int
cross_pair(struct seen_audit *a, const struct seen_audit *b)
{
    struct claim *cl;
    size_t i, n = 0, bad = 0;
    char ha[65], hb[65];

    if (a->has_authority && b->has_authority &&
        memcmp(a->authority, b->authority, 32) != 0) {
        seen_hex_encode(ha, a->authority, 32);
        seen_hex_encode(hb, b->authority, 32);
        report(a, C_CROSS, 0, 0,
            "%s names another federation authority (%s, not %s)", b->label, hb,
            ha);
        return SEEN_OK;
    }
    if ((cl = malloc((b->ncl ? b->ncl : 1) * sizeof *cl)) == NULL)
        return SEEN_ENOMEM;
    for (i = 0; i < b->ncl; i++)
        if (memcmp(b->cl[i].origin, a->owner, 32) == 0)
            cl[n++] = b->cl[i];
    if (claim_states(a, cl, n) != 0) {
        free(cl);
        return SEEN_ENOMEM;
    }
    for (i = 0; i < n; i++) {
        if (cl[i].state == ST_AGREES)
            continue;
        bad++;
        report(a, C_CROSS, 0, 0,
            "%s holds a checkpoint of this log of size %llu (in %s %llu) that "
            "%s: this log is not the history its owner signed",
            b->label, (unsigned long long)cl[i].size, src_names[cl[i].src],
            (unsigned long long)cl[i].at,
            cl[i].state == ST_BEYOND ? "is beyond the log's leaves"
                                     : "has another root than the log");
    }
    if (bad == 0 && n == 0)
        report(
            a, C_CROSS, 1, 0, "%s holds no checkpoint of this log", b->label);
    else if (bad == 0)
        report(a, C_CROSS, 1, 0,
            "%s holds %zu checkpoints of this log; all agree with it", b->label,
            n);
    free(cl);
    return SEEN_OK;
}

/**
 * seen_audit_cross(v, n, fn, ctx):
 * Check the ${n} exports ${v} against each other: every checkpoint of one
 * export's log held by another (a peer's checkpoint, one in a received
 * envelope, one kept as evidence) must agree with the first export's
 * leaves, and all exports must name the same authority.  Each result is
 * reported to ${fn}(${ctx}, ...) under the label of the export whose log
 * is checked, and a failure is counted against it.
 * Returns 0; SEEN_ENOMEM.
 */
int
seen_audit_cross(
    struct seen_audit *const *v, size_t n, seen_audit_report_fn *fn, void *ctx)
{
    size_t i, j;
    int rc = SEEN_OK;

    for (i = 0; i < n && rc == 0; i++) {
        if (v[i]->broken)
            continue;
        v[i]->fn = fn;
        v[i]->ctx = ctx;
        for (j = 0; j < n && rc == 0; j++)
            if (j != i && !v[j]->broken)
                rc = cross_pair(v[i], v[j]);
        report_more(v[i], C_CROSS);
        v[i]->fn = NULL;
        v[i]->ctx = NULL;
    }
    return rc;
}

/**
 * seen_audit_destroy(&a):
 * Free ${a}.  Sets the caller's pointer to NULL; NULL or a pointer to NULL
 * is a no-op, so it is safe twice.
 */
void
seen_audit_destroy(struct seen_audit **pp)
{
    struct seen_audit *a;

    if (pp == NULL || (a = *pp) == NULL)
        return;
    *pp = NULL;
    seen_membership_destroy(&a->m);
    free(a->lh);
    free(a->cl);
    free(a->oev);
    free(a->ss);
    free(a->label);
    free(a);
}
