#include <stdio.h>
#include <string.h>

#include "common/home.h"
#include "common/passphrase.h"
#include "crypto/keys.h"
#include "crypto/keystore.h"
#include "storage/space.h"
#include "storage/store.h"
#include "storage/unlock.h"

/* Read ${home}'s keystore with ${o}'s passphrase, or one asked for. */
static int
unlock_keys(const char *home, const struct seen_unlock_opts *o,
    struct seen_keys **keys, char *why, size_t whylen)
{
    char path[SEEN_PATH_LEN], *asked = NULL;
    const char *pass = o->pass;
    size_t passlen = o->passlen;
    int rc;

    if (seen_home_path(home, "keystore", path, sizeof path) == NULL)
        return SEEN_EINVAL;
    if (pass == NULL) {
        if ((rc = seen_passphrase_get(
                 "Keystore passphrase: ", 0, &asked, &passlen)) != 0) {
            snprintf(why, whylen, "no passphrase");
            return rc;
        }
        pass = asked;
    }
    if ((rc = seen_keystore_read(path, pass, passlen, keys)) != 0) {
        if (rc == SEEN_EAUTH)
            snprintf(why, whylen, "wrong passphrase for '%s'", path);
        else
            snprintf(why, whylen, "cannot read the keystore '%s'", path);
    }
    seen_passphrase_destroy(&asked);
    return rc;
}

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
int
seen_unlock_home(const char *home, const struct seen_unlock_opts *o,
    struct seen_unlock *u, char *why, size_t whylen)
{
    char path[SEEN_PATH_LEN];
    int rc;

    memset(u, 0, sizeof *u);
    if (whylen > 0)
        why[0] = '\0';
    if ((rc = seen_config_load(home, &u->cfg)) != 0) {
        if (rc == SEEN_ENOTFOUND)
            snprintf(
                why, whylen, "'%s' is not a node home (no seen.conf)", home);
        else
            snprintf(why, whylen, "cannot read '%s/seen.conf'", home);
        return rc;
    }
    if (o->on_config != NULL && (rc = o->on_config(o->ctx, &u->cfg)) != 0)
        return rc;
    if ((rc = unlock_keys(home, o, &u->keys, why, whylen)) != 0)
        return rc;
    if (!o->store)
        return SEEN_OK;
    if (seen_home_path(home, "store", path, sizeof path) == NULL) {
        rc = SEEN_EINVAL;
        goto err;
    }
    if ((rc = seen_store_open(path, u->keys->sign_pk, u->keys->record_key,
             u->cfg.map_size_mb, 0, &u->store)) != 0 ||
        (rc = seen_space_limit(u->store, u->cfg.map_limit_mb)) != 0) {
        snprintf(why, whylen, "cannot open the store '%s': %s", path,
            seen_strerror(rc));
        seen_store_destroy(&u->store);
        goto err;
    }
    return SEEN_OK;

err:
    seen_keys_destroy(&u->keys);
    return rc;
}

/**
 * seen_unlock_release(u):
 * Close the store and wipe and free the keys of ${u}, leaving it empty;
 * an empty one is a no-op, so it is safe twice.
 */
void
seen_unlock_release(struct seen_unlock *u)
{

    seen_store_destroy(&u->store);
    seen_keys_destroy(&u->keys);
}
