/*
 * seen.h: error codes and attributes shared by every Seen module.
 *
 * Functions return 0 on success and a negative SEEN_E* code on failure;
 * constructors return NULL.  seen_strerror() turns a code into text.
 */
#ifndef SEEN_H
#define SEEN_H

#define SEEN_MUST_CHECK __attribute__((warn_unused_result))
#define SEEN_PRINTF(a, b) __attribute__((format(printf, a, b)))

enum seen_err {
    SEEN_OK = 0,
    SEEN_ERR = -1,        /* any other failure (logged where found) */
    SEEN_ENOMEM = -2,     /* out of memory */
    SEEN_EINVAL = -3,     /* bad argument or malformed input */
    SEEN_ENOTFOUND = -4,  /* no such key, record, file */
    SEEN_EFULL = -5,      /* the store is full (its map limit, the disk) */
    SEEN_ECORRUPT = -6,   /* a stored file is corrupt or truncated */
    SEEN_EAUTH = -7,      /* wrong passphrase, bad signature, bad MAC */
    SEEN_EIO = -8,        /* an operating-system I/O call failed */
    SEEN_EEXIST = -9,     /* already exists */
    SEEN_EWRONGNODE = -10, /* a store that belongs to another node */
    SEEN_EVERSION = -11,  /* an unsupported format version */
    SEEN_EAGAIN = -12,    /* try again later (queue full, busy) */
    SEEN_EREPLAY = -13,   /* a message seen before */
    SEEN_EPERM = -14,     /* not allowed (role, membership) */
    SEEN_ETIMEDOUT = -15, /* no answer in time */
};

/**
 * seen_strerror(code):
 * Return a static, lower-case description of ${code}.
 */
const char *seen_strerror(int code);

#endif /* !SEEN_H */
