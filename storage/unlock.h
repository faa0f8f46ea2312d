/*
 * unlock.h: opening a node home for use: its configuration (seen.conf,
 * common/home.h), the keystore passphrase (common/passphrase.h), its
 * keys (crypto/keystore.h) and, when asked, its store (storage/store.h).
 * One way to do it for the daemon and for the commands that work on a
 * node's files themselves (`seen audit export`, `seen identity`), with
 * one set of messages.
 */
#ifndef SEEN_UNLOCK_H
#define SEEN_UNLOCK_H

#include <stddef.h>

#include "common/home.h"
#include "common/seen.h"

struct seen_keys;
struct seen_store;

/* An unlocked node home; released with seen_unlock_release(). */
struct seen_unlock {
    struct seen_config cfg;
    struct seen_keys *keys;   /* owned; sodium_malloc memory */
    struct seen_store *store; /* owned; NULL unless asked for */
};

/*
 * Called once the configuration is loaded, before the passphrase is asked
 * for and the keystore read (the daemon sets its log level and takes its
 * pid file there).  Returns 0 to go on, or a SEEN_E* code to stop with,
 * having said why itself.
 */
typedef int seen_unlock_hook(void *ctx, const struct seen_config *cfg);

/* How to unlock. */
struct seen_unlock_opts {
    const char *pass; /* the passphrase; NULL: ask (seen_passphrase_get) */
    size_t passlen;   /* its length in bytes */
    int store;        /* also open the store */
    seen_unlock_hook *on_config; /* NULL: none */
    void *ctx;                   /* for ${on_config} */
};

/**
 * seen_unlock_home(home, o, u, why, whylen):
 * Load ${home}'s configuration, call ${o}->on_config, get the passphrase
 * (${o}->pass, or from $SEEN_PASSPHRASE_FILE or the terminal), read the
 * keystore and, with ${o}->store, open the store, into *${u}.  A
 * passphrase asked for here is wiped before returning; ${o}->pass is not
 * retained.
 * Returns 0; SEEN_ENOTFOUND when ${home} has no seen.conf; the code of
 * seen_config_load(), of the hook, of seen_passphrase_get(), of
 * seen_keystore_read() (SEEN_EAUTH: a wrong passphrase), of
 * seen_store_open() or of seen_space_limit() (seen.conf's map_limit_mb).  On failure *${u} holds nothing and ${why} (${whylen}
 * bytes) says what failed, fit for the user: "'DIR' is not a node home
 * (no seen.conf)", "cannot read 'DIR/seen.conf'", "no passphrase",
 * "wrong passphrase for 'DIR/keystore'", "cannot read the keystore
 * 'DIR/keystore'", "cannot open the store 'DIR/store': ERROR"; or it is
 * empty when the failure was logged already (a path too long, the hook).
 */
SEEN_MUST_CHECK int seen_unlock_home(const char *home,
    const struct seen_unlock_opts *o, struct seen_unlock *u, char *why,
    size_t whylen);

/**
 * seen_unlock_release(u):
 * Close the store and wipe and free the keys of ${u}, leaving it empty;
 * an empty one is a no-op, so it is safe twice.
 */
void seen_unlock_release(struct seen_unlock *u);

#endif /* !SEEN_UNLOCK_H */
