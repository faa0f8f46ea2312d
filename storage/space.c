#include <errno.h>
#include <lmdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>

#include "common/log.h"
#include "storage/space.h"
#include "storage/store_impl.h"

/* Below this much free, an I/O error of a write is the disk being full. */
#define DISK_FULL_BYTES ((uint64_t)1 << 20)

/* Said once until they clear (store_space.said). */
#define SAID_FULL 1  /* content refused: it reached limit - reserve */
#define SAID_LIMIT 2 /* the map full at the limit itself */
#define SAID_DISK 4  /* the disk full */
#define SAID_LOW 8   /* nearly full */

/* Nearly full is said again only after it fell below this, in percent. */
#define LOW_CLEAR_PERCENT 85

/* A write that finds the map full at the limit less the reserve fills
 * the content when less than this share of that is left (1/32); with
 * more left, it was one transaction too large for what is left. */
#define FULL_LEFT_DIV 32

/*
 * The content tables (store.h's [content]): what grows with the records
 * imported and the entries replicated.  Beyond the limit less the reserve
 * writes to them are refused; every other table (the exchange log, the
 * replay cache, matching, disclosures, operators, membership, the
 * checkpoints held: one per origin) may use the reserve.
 */
static const unsigned char content[SEEN_DB_COUNT] = {
    [SEEN_DB_RECORDS] = 1,
    [SEEN_DB_RECMETA] = 1,
    [SEEN_DB_HANDLES] = 1,
    [SEEN_DB_EXPIRY] = 1,
    [SEEN_DB_FEEDS] = 1,
    [SEEN_DB_FHASH] = 1,
    [SEEN_DB_FEEDMETA] = 1,
    [SEEN_DB_ENTRIES] = 1,
    [SEEN_DB_INDEX] = 1,
    [SEEN_DB_INDEX0] = 1,
    [SEEN_DB_INDEX1] = 1,
    [SEEN_DB_INDEX2] = 1,
    [SEEN_DB_IBLOCK1] = 1,
    [SEEN_DB_IBLOCK2] = 1,
    [SEEN_DB_IBLOCK3] = 1,
};

/* The most the map may take now: the limit less the reserve until the
 * content reached it, then the limit. */
static size_t
cap_of(const struct store_space *sp)
{

    return sp->content_full ? sp->limit : sp->limit - sp->reserve;
}

/* The bytes of the pages LMDB has used (its high-water mark) and its
 * page size, as of the last commit. */
static size_t
high_of(struct seen_store *s, size_t *psize)
{
    MDB_envinfo info;
    MDB_stat st;

    if (mdb_env_info(s->env, &info) != 0 || mdb_env_stat(s->env, &st) != 0)
        return 0;
    if (psize != NULL)
        *psize = st.ms_psize;
    return ((size_t)info.me_last_pgno + 1) * st.ms_psize;
}

/* Bytes free to this user on the disk holding ${s} (UINT64_MAX when the
 * system cannot say). */
static uint64_t
disk_free(const struct seen_store *s)
{
    struct statvfs v;

    if (statvfs(s->dir, &v) != 0)
        return UINT64_MAX;
    return (uint64_t)v.f_bavail * v.f_frsize;
}

/* Bytes of ${s}'s data file (its high-water mark ${high} if the system
 * cannot say): more than the pages used when a write that failed for want
 * of disk extended it, room that the next write takes without the disk. */
static uint64_t
file_size(const struct seen_store *s, uint64_t high)
{
    char path[4096];
    struct stat sb;

    snprintf(path, sizeof path, "%s/data.mdb", s->dir);
    if (stat(path, &sb) != 0 || (uint64_t)sb.st_size < high)
        return high;
    return (uint64_t)sb.st_size;
}

/* With ${freeb} bytes free on its disk, forget that a write of ${s}
 * failed for want of disk once there is room again, and say so. */
static void
disk_recheck(struct seen_store *s, uint64_t freeb)
{

    if (!s->sp.disk_full || freeb < DISK_FULL_BYTES)
        return;
    s->sp.disk_full = 0;
    s->sp.said &= ~SAID_DISK;
    seen_info("store '%s': the disk holding it has room again (%llu KiB "
              "free)",
        s->dir, (unsigned long long)(freeb >> 10));
}

/* Bytes of the pages on LMDB's free list as ${txn} (read-only) sees it:
 * each record holds a count of pages, then their numbers. */
static int
free_bytes(MDB_txn *txn, size_t psize, uint64_t *out)
{
    MDB_cursor *c;
    MDB_val k, v;
    size_t n;
    int rc;

    *out = 0;
    if ((rc = mdb_cursor_open(txn, 0, &c)) != 0)
        return rc;
    while ((rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) == 0) {
        if (v.mv_size < sizeof n)
            continue;
        memcpy(&n, v.mv_data, sizeof n);
        *out += (uint64_t)n * psize;
    }
    mdb_cursor_close(c);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Set the map of ${s} to ${size} bytes (LMDB raises it to the pages in
 * use).  Returns 0 or LMDB's error (logged). */
static int
set_map(struct seen_store *s, size_t size)
{
    MDB_envinfo info;
    int rc;

    if ((rc = mdb_env_set_mapsize(s->env, size)) != 0 ||
        (rc = mdb_env_info(s->env, &info)) != 0) {
        seen_error("store '%s': cannot set its map to %zu MiB: %s", s->dir,
            size >> 20, mdb_strerror(rc));
        return rc;
    }
    s->sp.map = info.me_mapsize;
    return 0;
}

/* Grow the map of ${s}, doubling until a quarter of it is left above the
 * pages in use, up to what it may take; no transaction may be open. */
static void
grow(struct seen_store *s)
{
    struct store_space *sp = &s->sp;
    size_t cap = cap_of(sp), high = high_of(s, NULL), from = sp->map;
    size_t to = from;

    if (from >= cap)
        return;
    do
        to = to > cap / 2 ? cap : to * 2;
    while (to < cap && (to <= high || to - high < to / 4));
    if (set_map(s, to) != 0)
        return;
    sp->grown++;
    seen_info("store '%s': its map grew from %zu MiB to %zu MiB (limit %zu "
              "MiB)",
        s->dir, from >> 20, sp->map >> 20, sp->limit >> 20);
}

/**
 * store_space_init(s):
 * Start the map bookkeeping of the just opened ${s}: its limit is its map
 * (no growth, no reserve) until seen_space_limit() sets one.
 */
void
store_space_init(struct seen_store *s)
{
    MDB_envinfo info;

    memset(&s->sp, 0, sizeof s->sp);
    if (mdb_env_info(s->env, &info) == 0)
        s->sp.map = info.me_mapsize;
    s->sp.limit = s->sp.map;
}

/**
 * seen_space_limit(store, limit_mb):
 * Let the map of ${store} grow up to ${limit_mb} MiB (at least its map
 * now, at most SEEN_SPACE_LIMIT_MAX_MB), keeping its last part as the
 * reserve; the map shrinks to the limit less the reserve if it is
 * larger.  Without it the limit of a store is its map at opening, with no
 * reserve.  No transaction may be open.  Returns 0; SEEN_EINVAL for a
 * limit out of range (logged).
 */
int
seen_space_limit(struct seen_store *store, size_t limit_mb)
{
    struct store_space *sp = &store->sp;
    size_t limit, reserve;

    if (limit_mb == 0 || limit_mb > SEEN_SPACE_LIMIT_MAX_MB ||
        sp->txns > 0) {
        seen_error("store '%s': a limit of %zu MiB is out of range",
            store->dir, limit_mb);
        return SEEN_EINVAL;
    }
    if ((limit_mb << 20) < sp->map) {
        seen_error("store '%s' holds %zu MiB, more than its limit of %zu "
                   "MiB: raise map_limit_mb in seen.conf",
            store->dir, sp->map >> 20, limit_mb);
        return SEEN_EINVAL;
    }
    limit = limit_mb << 20;
    reserve = limit / SEEN_SPACE_RESERVE_DIV;
    if (reserve > SEEN_SPACE_RESERVE_MAX)
        reserve = SEEN_SPACE_RESERVE_MAX;
    sp->limit = limit;
    sp->reserve = reserve;
    if (sp->map > limit - reserve && set_map(store, limit - reserve) != 0)
        return SEEN_ERR;
    return SEEN_OK;
}

/**
 * store_space_fail(s, rc):
 * Account for LMDB's ${rc}, an error of a write: a full map (growth is
 * asked for when the limit allows), a full disk (ENOSPC, or EIO with the
 * disk found full), each logged once until it clears and counted.
 * Returns SEEN_EFULL for those, or 0 when ${rc} is none of them (the
 * caller reports it).
 */
int
store_space_fail(struct seen_store *s, int rc)
{
    struct store_space *sp = &s->sp;

    if (rc == MDB_MAP_FULL) {
        sp->refused++;
        if (sp->map < cap_of(sp))
            sp->grow = 1;   /* as the last transaction ends */
        else if (!sp->content_full && sp->reserve > 0)
            sp->at_cap = 1; /* is the content full?  Then, too */
        else {
            if (!(sp->said & SAID_LIMIT))
                seen_error("store '%s' is full at its limit of %zu MiB: "
                           "writes are refused, queries too (they cannot "
                           "be logged); raise map_limit_mb in seen.conf and "
                           "restart the node",
                    s->dir, sp->limit >> 20);
            sp->said |= SAID_LIMIT;
        }
        return SEEN_EFULL;
    }
    if (rc == ENOSPC || rc == EDQUOT ||
        (rc == EIO && disk_free(s) < DISK_FULL_BYTES)) {
        sp->refused++;
        sp->disk_full = 1;
        if (!(sp->said & SAID_DISK))
            seen_error("store '%s': the disk holding it is full (%llu KiB "
                       "free): the write is refused, nothing committed is "
                       "lost; free space on it",
                s->dir, (unsigned long long)(disk_free(s) >> 10));
        sp->said |= SAID_DISK;
        return SEEN_EFULL;
    }
    return 0;
}

/**
 * store_space_refuse(t, db):
 * Return SEEN_EFULL (counted) when a write to ${db} in ${t} must be
 * refused because the content reached the limit less the reserve (the
 * content tables of store.h), else 0.
 */
int
store_space_refuse(struct seen_txn *t, enum seen_db db)
{
    struct store_space *sp = &t->store->sp;

    if (!sp->content_full || !content[db])
        return 0;
    sp->refused++;
    return SEEN_EFULL;
}

/**
 * store_space_begin(s):
 * Before a top-level transaction begins: when none is open, grow the map
 * when asked to or when less than a quarter of it is left, and adopt a
 * map grown by another process.  Counts the transaction.
 */
void
store_space_begin(struct seen_store *s)
{
    struct store_space *sp = &s->sp;
    size_t high;

    if (sp->txns++ > 0)
        return;
    high = high_of(s, NULL);
    if (sp->grow ||
        (sp->map < cap_of(sp) && (high >= sp->map ||
                                     sp->map - high < sp->map / 4)))
        grow(s);
    sp->grow = 0;
}

/**
 * store_space_adopt(s):
 * When the only transaction being begun found the map grown by another
 * process (MDB_MAP_RESIZED), adopt its size.  Returns 0 to try again, or
 * -1.
 */
int
store_space_adopt(struct seen_store *s)
{

    if (s->sp.txns != 1 || set_map(s, 0) != 0)
        return -1;
    return 0;
}

/*
 * Fill *${out} with the room of ${s}, walking the free list in ${txn} (a
 * read-only LMDB transaction; NULL: count no free page).  Returns 0 or
 * LMDB's error.
 */
static int
measure(struct seen_store *s, MDB_txn *txn, struct seen_space *out)
{
    const struct store_space *sp = &s->sp;
    uint64_t freeb = 0, below, high, cap, disk;
    size_t psize = 4096;
    int rc;

    memset(out, 0, sizeof *out);
    high = high_of(s, &psize);
    if (txn != NULL && (rc = free_bytes(txn, psize, &freeb)) != 0)
        return rc;
    if (freeb > high)
        freeb = high;
    out->file = file_size(s, high);
    out->used = high - freeb;
    out->map = sp->map;
    out->limit = sp->limit;
    out->reserve = sp->reserve;
    out->disk_free = disk_free(s);
    disk_recheck(s, out->disk_free);
    /* New pages take the file's slack first, then the disk. */
    disk = out->disk_free == UINT64_MAX ? UINT64_MAX
                                        : out->disk_free + (out->file - high);
    cap = sp->limit - sp->reserve;
    below = cap > high ? cap - high : 0;
    out->left = sp->content_full ? 0 : freeb + (below < disk ? below : disk);
    below = sp->limit > high ? sp->limit - high : 0;
    out->log_left = freeb + (below < disk ? below : disk);
    out->content_full = sp->content_full;
    out->disk_full = sp->disk_full;
    if (sp->content_full || sp->disk_full || out->left == 0)
        out->state = SEEN_SPACE_FULL;
    else if (sp->tight || out->used * 100 >= (out->used + out->left) *
                                                 SEEN_SPACE_LOW_PERCENT)
        out->state = SEEN_SPACE_LOW;
    out->tight = sp->tight;
    out->grown = sp->grown;
    out->refused = sp->refused;
    memcpy(out->dropped, sp->dropped, sizeof out->dropped);
    return 0;
}

/* Note when ${s} was first found nearly full or full, as ${sp} says. */
static void
note_low(struct seen_store *s, const struct seen_space *sp)
{

    if (sp->state != SEEN_SPACE_OK && s->sp.low_since == 0)
        s->sp.low_since = time(NULL);
}

/* After a write committed, with no transaction open: say once when the
 * store becomes nearly full or has room again. */
static void
after_write(struct seen_store *s)
{
    struct store_space *sp = &s->sp;
    struct seen_space now;
    uint64_t high, below, disk;
    MDB_txn *txn = NULL;
    char why[512];

    /* Cheap first: with room beyond the pages used of at least a ninth of
     * them, less than 90% is used whatever the free list holds. */
    high = high_of(s, NULL);
    disk = disk_free(s);
    disk_recheck(s, disk);
    below = sp->limit - sp->reserve > high ? sp->limit - sp->reserve - high
                                           : 0;
    if (disk < below)
        below = disk;
    if (!sp->content_full && !sp->disk_full && below >= high / 9 &&
        !(sp->said & SAID_LOW))
        return;
    if (mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn) != 0)
        return;
    if (measure(s, txn, &now) != 0) {
        mdb_txn_abort(txn);
        return;
    }
    mdb_txn_abort(txn);
    note_low(s, &now);
    if (now.state != SEEN_SPACE_OK && !(sp->said & SAID_LOW)) {
        sp->said |= SAID_LOW;
        if (now.state == SEEN_SPACE_LOW)
            seen_warn("store '%s' is nearly full: %s", s->dir,
                seen_space_describe(&now, why, sizeof why));
    } else if (now.state == SEEN_SPACE_OK && (sp->said & SAID_LOW) &&
               now.used * 100 < (now.used + now.left) * LOW_CLEAR_PERCENT) {
        sp->said &= ~SAID_LOW;
        sp->low_since = 0;
        seen_info("store '%s' has room again: %s", s->dir,
            seen_space_describe(&now, why, sizeof why));
    }
}

/* A write found the map full at the limit less the reserve, and none is
 * open: when little is left the content is full, and the map grows into
 * the reserve, for the exchange log. */
static void
content_full_or_not(struct seen_store *s)
{
    struct store_space *sp = &s->sp;
    struct seen_space now;
    MDB_txn *txn;
    int rc;

    if (mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn) != 0)
        return;
    rc = measure(s, txn, &now);
    mdb_txn_abort(txn);
    if (rc != 0)
        return;
    if (now.left >= (sp->limit - sp->reserve) / FULL_LEFT_DIV) {
        /* One write too large for what is left: nearly full, at least. */
        if (!sp->tight && !(sp->said & SAID_LOW))
            seen_warn("store '%s' is nearly full: a write needed more than "
                      "the %llu MiB left for records and feeds; raise "
                      "map_limit_mb in seen.conf and restart the node",
                s->dir, (unsigned long long)(now.left >> 20));
        sp->tight = 1;
        sp->said |= SAID_LOW;
        if (sp->low_since == 0)
            sp->low_since = time(NULL);
        return;
    }
    sp->content_full = 1;
    grow(s);
    if (!(sp->said & SAID_FULL))
        seen_warn("store '%s' is full: its content reached its limit of %zu "
                  "MiB less %zu MiB kept for the exchange log; imports and "
                  "replication are refused until map_limit_mb is raised in "
                  "seen.conf and the node restarted",
            s->dir, sp->limit >> 20, sp->reserve >> 20);
    sp->said |= SAID_FULL;
}

/**
 * store_space_end(s, committed):
 * After a top-level transaction of ${s} ended (${committed}: a write
 * transaction that committed; one that wrote nothing is not looked at
 * further): when it was the last open, grow the map if a write found it
 * full, decide whether a write that found it full at the limit less the
 * reserve means the content is full, and say once when the store becomes
 * nearly full or full, or has room again.
 */
void
store_space_end(struct seen_store *s, int committed)
{
    struct store_space *sp = &s->sp;

    if (--sp->txns > 0)
        return;
    if (sp->grow) {
        grow(s);
        sp->grow = 0;
    }
    if (sp->at_cap) {
        content_full_or_not(s);
        sp->at_cap = 0;
    }
    if (committed && sp->wrote)
        after_write(s);
    sp->wrote = 0;
}

/**
 * seen_space_get(txn, out):
 * Write the room of the store of ${txn} to *${out}, counting the free
 * pages seen by ${txn} (a walk of LMDB's free list) and asking the
 * system for the disk's free space.  Returns 0 or SEEN_ECORRUPT.
 */
int
seen_space_get(struct seen_txn *txn, struct seen_space *out)
{
    struct seen_store *s = txn->store;
    int rc;

    /* LMDB walks its free list only in a read-only transaction. */
    if ((rc = measure(s, txn->write ? NULL : txn->txn, out)) != 0) {
        seen_error("store '%s': cannot read its free pages: %s", s->dir,
            mdb_strerror(rc));
        return SEEN_ECORRUPT;
    }
    note_low(s, out);
    out->low_since = (int64_t)s->sp.low_since;
    return SEEN_OK;
}

/**
 * seen_space_full(store):
 * Return 1 when ${store} refuses content now (its content reached the
 * limit less the reserve, or a write found its disk full and it still
 * is: then the disk is asked again), else 0: cheap, no transaction, for
 * a caller that would ask peers for entries it cannot keep.
 */
int
seen_space_full(struct seen_store *store)
{

    if (store->sp.disk_full)
        disk_recheck(store, disk_free(store));
    return store->sp.content_full || store->sp.disk_full;
}

/**
 * seen_space_low(store):
 * Return 1 when ${store} is nearly full or full (SEEN_SPACE_LOW or
 * SEEN_SPACE_FULL as it was last found: after a write committed, or a
 * write found too little room), else 0: cheap, no transaction, for a
 * node that stops serving peers before it stops replicating itself.
 */
int
seen_space_low(struct seen_store *store)
{

    return seen_space_full(store) || store->sp.tight ||
        (store->sp.said & SAID_LOW) != 0;
}

/* Write ${n} bytes to ${buf} as a person would say it. */
static const char *
size_str(char *buf, size_t len, uint64_t n)
{

    if (n >= (uint64_t)1 << 30)
        snprintf(buf, len, "%.1f GiB", (double)n / (1 << 30));
    else if (n >= (uint64_t)1 << 20)
        snprintf(buf, len, "%.1f MiB", (double)n / (1 << 20));
    else
        snprintf(buf, len, "%llu KiB", (unsigned long long)(n >> 10));
    return buf;
}

/**
 * seen_space_describe(sp, buf, len):
 * Write to ${buf} (${len} bytes) one sentence for an operator saying how
 * the store ${sp} stands and, when it is full or nearly, what to do: for
 * example "its content reached its limit of 64.0 GiB less 1.0 GiB kept
 * for the exchange log: imports and replication are refused, queries and
 * feeds are served; raise map_limit_mb in seen.conf and restart the
 * node".  Returns ${buf}.
 */
char *
seen_space_describe(const struct seen_space *sp, char *buf, size_t len)
{
    char u[32], l[32], r[32], d[32], m[32], x[32];
    uint64_t cap = sp->limit - sp->reserve;
    int disk_bound;

    size_str(u, sizeof u, sp->used);
    size_str(l, sizeof l, sp->limit);
    size_str(r, sizeof r, sp->reserve);
    size_str(m, sizeof m, sp->map);
    size_str(x, sizeof x, sp->left);
    if (sp->disk_free == UINT64_MAX)
        snprintf(d, sizeof d, "unknown");
    else
        size_str(d, sizeof d, sp->disk_free);
    /* Is the disk, not the limit, what will stop it? */
    disk_bound = sp->disk_full ||
                 (sp->disk_free != UINT64_MAX &&
                     sp->disk_free < (cap > sp->file ? cap - sp->file : 0));
    if (sp->content_full)
        snprintf(buf, len,
            "its content reached its limit of %s less %s kept for the "
            "exchange log: imports and replication are refused, queries "
            "and feeds are served; raise map_limit_mb in seen.conf and "
            "restart the node",
            l, r);
    else if (sp->state == SEEN_SPACE_FULL)
        snprintf(buf, len,
            "the disk holding it is full (%s free): writes are refused, "
            "nothing committed is lost; free space on it",
            d);
    else
        snprintf(buf, len,
            "%s used, %s left for records and feeds (limit %s, map %s, "
            "disk %s free)%s%s",
            u, x, l, m, d,
            sp->tight ? "; a write needed more than is left" : "",
            sp->state != SEEN_SPACE_LOW ? ""
            : disk_bound ? "; free space on its disk before it is full"
                         : "; raise map_limit_mb in seen.conf and restart "
                           "the node before it is full");
    return buf;
}

/**
 * seen_space_drop(txn, what):
 * Count one item that a bound of the store dropped or refused, in the
 * store of ${txn} (seen_space_get reports the counts).
 */
void
seen_space_drop(struct seen_txn *txn, enum seen_space_drop what)
{

    if ((unsigned)what < SEEN_SPACE_DROPS)
        txn->store->sp.dropped[what]++;
}
