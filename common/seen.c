#include "common/seen.h"

/**
 * seen_strerror(code):
 * Return a static, lower-case description of ${code}.
 */
const char *
seen_strerror(int code)
{

    switch (code) {
    case SEEN_OK:
        return "success";
    case SEEN_ENOMEM:
        return "out of memory";
    case SEEN_EINVAL:
        return "invalid argument or input";
    case SEEN_ENOTFOUND:
        return "not found";
    case SEEN_EFULL:
        return "the store is full (see seen status)";
    case SEEN_ECORRUPT:
        return "file is corrupt or truncated";
    case SEEN_EAUTH:
        return "authentication failed";
    case SEEN_EIO:
        return "input/output error";
    case SEEN_EEXIST:
        return "already exists";
    case SEEN_EWRONGNODE:
        return "store belongs to another node";
    case SEEN_EVERSION:
        return "unsupported format version";
    case SEEN_EAGAIN:
        return "busy, try again";
    case SEEN_EREPLAY:
        return "replayed message";
    case SEEN_EPERM:
        return "not permitted";
    case SEEN_ETIMEDOUT:
        return "timed out";
    default:
        return "error";
    }
}
