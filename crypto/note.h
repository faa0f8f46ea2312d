/*
 * note.h: signed notes (c2sp.org/signed-note) with Ed25519 signatures and
 * timestamped Ed25519 cosignatures (c2sp.org/tlog-cosignature), the open
 * formats of the transparency-log ecosystem.
 *
 * A note is UTF-8 text that ends in a newline and holds no ASCII control
 * character but newline, then a blank line, then one or more signature
 * lines "— NAME BASE64\n" (U+2014, a space, the key name, a space, the
 * standard base64 of a 4-byte key ID and the signature).  A key is named
 * by "NAME+KEYID+BASE64(TYPE || PUBLIC KEY)" (a verifier key, "vkey"),
 * where KEYID is the first 4 bytes of SHA-256(NAME || "\n" || TYPE ||
 * PUBLIC KEY) in hex.  TYPE 0x01 signs the text itself with Ed25519; TYPE
 * 0x04 (a cosignature) signs "cosignature/v1\ntime T\n" followed by the
 * text, T the signing time in Unix seconds, and its signature is the
 * 8-byte big-endian T followed by the 64-byte Ed25519 signature.
 *
 * Opening a note follows the spec and Go's golang.org/x/mod/sumdb/note: a
 * signature line counts only when both its key name and key ID are those
 * of a trusted key; others are ignored; a counted one that does not verify
 * rejects the note; a note with no good signature from a trusted key is
 * rejected; a malformed one is rejected.
 */
#ifndef SEEN_NOTE_H
#define SEEN_NOTE_H

#include <stddef.h>
#include <stdint.h>

#include "common/seen.h"

#define SEEN_NOTE_ED25519 0x01      /* signature type of a signed note */
#define SEEN_NOTE_COSIGNATURE 0x04  /* c2sp.org/tlog-cosignature v1 */
#define SEEN_NOTE_NAME_MAX 255      /* bytes of a key name */
#define SEEN_NOTE_MAX (1u << 20)    /* bytes of a note this code opens */
#define SEEN_NOTE_SIGS_MAX 100      /* signature lines of a note (as Go) */
/* Bytes of a signature line: "— " (4), name, " ", base64 of at most
 * 4 + 8 + 64 bytes (104), "\n", and a NUL. */
#define SEEN_NOTE_LINE_MAX (4 + SEEN_NOTE_NAME_MAX + 1 + 104 + 1 + 1)
/* Bytes of a vkey: name, "+", 8 hex, "+", base64 of 33 bytes (44), NUL. */
#define SEEN_NOTE_VKEY_MAX (SEEN_NOTE_NAME_MAX + 1 + 8 + 1 + 44 + 1)

/* A key that signs or cosigns notes, as a verifier knows it. */
struct seen_note_key {
    char name[SEEN_NOTE_NAME_MAX + 1];
    uint8_t type;       /* SEEN_NOTE_ED25519 or SEEN_NOTE_COSIGNATURE */
    uint8_t pk[32];     /* Ed25519 public key */
    uint32_t id;        /* key ID */
};

/**
 * seen_note_name_valid(name):
 * Return 1 if ${name} may name a key: 1 to SEEN_NOTE_NAME_MAX bytes of
 * UTF-8 with no white space, no control character and no '+'; else 0.
 */
int seen_note_name_valid(const char *name);

/**
 * seen_note_key_init(key, name, type, pk):
 * Fill ${key} with ${name}, ${type} and the Ed25519 public key ${pk}, and
 * compute its key ID.  Returns 0; SEEN_EINVAL for a name that
 * seen_note_name_valid() refuses or a type other than the two above.
 */
SEEN_MUST_CHECK int seen_note_key_init(struct seen_note_key *key,
    const char *name, uint8_t type, const uint8_t pk[static 32]);

/**
 * seen_note_vkey_parse(vkey, key):
 * Parse the verifier key ${vkey} ("NAME+KEYID+BASE64", NUL-terminated)
 * into ${key}.  Returns 0; SEEN_EINVAL when it is malformed, of an unknown
 * type, its key is not 32 bytes, or its key ID does not match.
 */
SEEN_MUST_CHECK int seen_note_vkey_parse(const char *vkey,
    struct seen_note_key *key);

/**
 * seen_note_vkey(key, buf):
 * Write ${key} as a verifier key string to ${buf}.  Returns ${buf}.
 */
char *seen_note_vkey(const struct seen_note_key *key,
    char buf[static SEEN_NOTE_VKEY_MAX]);

/**
 * seen_note_sign(text, len, key, sk, time, line):
 * Sign the note text ${text} (${len} bytes, which must be a valid note
 * text: see seen_note_text_valid()) with the Ed25519 secret key ${sk}
 * (libsodium's 64-byte layout) of ${key}, as a signature (${key}->type
 * SEEN_NOTE_ED25519; ${time} is ignored) or a cosignature at ${time}
 * (SEEN_NOTE_COSIGNATURE), and write the signature line, NUL-terminated,
 * to ${line}.  Append it after the text and a blank line to make the note.
 * Returns 0; SEEN_EINVAL for text that is not a valid note text.
 */
SEEN_MUST_CHECK int seen_note_sign(const uint8_t *text, size_t len,
    const struct seen_note_key *key, const uint8_t sk[static 64],
    uint64_t time, char line[static SEEN_NOTE_LINE_MAX]);

/**
 * seen_note_text_valid(text, len):
 * Return 1 if the ${len} bytes ${text} may be the text of a note: at
 * least one byte, valid UTF-8, ending in a newline, and no ASCII control
 * character but newline; else 0.
 */
int seen_note_text_valid(const uint8_t *text, size_t len);

/* What seen_note_open() found of one trusted key. */
struct seen_note_found {
    int verified;       /* 1 when a signature of this key verified */
    uint64_t time;      /* a cosignature's time (0 for a signature) */
};

/**
 * seen_note_open(note, len, keys, nkeys, found, textlen):
 * Check the signed note ${note} (${len} bytes) against the ${nkeys}
 * trusted ${keys}.  [out] ${found}, when not NULL, an array of ${nkeys}:
 * which keys signed it (and when, for a cosignature); [out] *${textlen}
 * the length of the note's text (which includes its final newline).
 * Returns 0 when at least one trusted key's signature verifies and none
 * fails; SEEN_EINVAL when the note is malformed (or longer than
 * SEEN_NOTE_MAX); SEEN_EAUTH when a signature line of a trusted key does
 * not verify, or no line is of a trusted key; SEEN_ENOMEM.  Does not log.
 */
SEEN_MUST_CHECK int seen_note_open(const uint8_t *note, size_t len,
    const struct seen_note_key *keys, size_t nkeys,
    struct seen_note_found *found, size_t *textlen);

#endif /* !SEEN_NOTE_H */
