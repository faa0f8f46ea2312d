/*
 * backup.h: a consistent copy of a node home, and what a copy says of
 * itself (docs/operations.md, "Back up and restore").
 *
 * A backup is a folder, made whole or not at all (built as DEST.partial
 * and renamed):
 *
 *   DEST/store/data.mdb   a compacted copy of the store (mdb_env_copy2
 *                          with MDB_CP_COMPACT: one read transaction, so
 *                          consistent while the node writes)
 *   DEST/keystore         the keystore, still sealed under its passphrase
 *   DEST/seen.conf        the configuration
 *   DEST/custodian.journal a key custodian's requests answered and not
 *                          yet in its exchange log (node/custodian/
 *                          journal.h), copied after the store when the
 *                          home has one: those the copy of the store
 *                          holds already are passed over when a node
 *                          restored from it starts
 *   DEST/backup.json      the manifest, one JSON object:
 *       {"seen_backup": 1, "node": NAME, "node_id": HEX(32 bytes),
 *        "taken": UNIX SECONDS, "version": SEEN_VERSION,
 *        "store_format": N, "online": true|false}
 *
 * Everything is mode 0600 in folders of mode 0700.  Nothing here needs
 * the passphrase: the store's bytes are copied, not read (sealed values
 * stay sealed), so a stopped node can be backed up by whoever may read
 * its home.
 */
#ifndef SEEN_STORAGE_BACKUP_H
#define SEEN_STORAGE_BACKUP_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"

struct seen_store;

/* What a backup says of itself (its backup.json). */
struct seen_backup_info {
    char node[64];       /* the node's name */
    uint8_t node_id[32]; /* its Ed25519 key, from the store's meta */
    uint64_t taken;      /* Unix seconds when the copy was read */
    uint32_t store_format;
    int online;          /* taken from a running node */
};

/* The manifest's file name inside a backup. */
#define SEEN_BACKUP_MANIFEST "backup.json"

/* A custodian's journal, in a home and in a backup of it. */
#define SEEN_BACKUP_JOURNAL "custodian.journal"

/* The largest journal a backup copies (its records are folded into the
 * exchange log as soon as the store is free: it is small). */
#define SEEN_BACKUP_JOURNAL_MAX (256u << 20)

/**
 * seen_backup_make(home, name, store, dest, out, why, whylen):
 * Back up the node home ${home}, whose node is called ${name}, to the
 * new folder ${dest}: its keystore, seen.conf, a compacted copy of its
 * store and its custodian journal if it has one, with the manifest.
 * With ${store} (the running node's open store) the copy is read from
 * it; with NULL, the store in
 * ${home}/store is opened read-only for the copy (the node must be
 * stopped: the caller checks).  ${dest} must not exist; its parent must.
 * [out] ${out}: when not NULL, what the manifest says.
 * Returns 0; SEEN_EEXIST when ${dest} (or ${dest}.partial) exists;
 * SEEN_ENOTFOUND when ${home} has no store; SEEN_ECORRUPT when the store
 * cannot be read as one; SEEN_EFULL when the disk holding ${dest} is
 * full; SEEN_EIO otherwise.  On failure nothing is left at ${dest} and
 * ${why} (${whylen} bytes) says what failed, fit for the user.
 */
SEEN_MUST_CHECK int seen_backup_make(const char *home, const char *name,
    struct seen_store *store, const char *dest,
    struct seen_backup_info *out, char *why, size_t whylen);

/**
 * seen_backup_store_node(dir, node_id, format):
 * Read, without any key, the node id and format a store in ${dir} says
 * it has (its meta table), opening it read-only.  The node owning ${dir}
 * must be stopped.
 * Returns 0; SEEN_ENOTFOUND when ${dir} holds no store; SEEN_ECORRUPT
 * when it is not a Seen store; SEEN_EIO.
 */
SEEN_MUST_CHECK int seen_backup_store_node(
    const char *dir, uint8_t node_id[32], uint32_t *format);

#endif /* !SEEN_STORAGE_BACKUP_H */
