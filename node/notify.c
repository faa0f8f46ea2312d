#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "node/notify.h"

#ifdef SEEN_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

/**
 * seen_notify(state):
 * Send ${state} (sd_notify(3)'s "READY=1", "STOPPING=1", "STATUS=...",
 * lines separated by '\n') to the service manager named by
 * $NOTIFY_SOCKET.  Returns 1 when it was sent, 0 when there is no
 * service manager to tell (or the build has no libsystemd), -1 when the
 * sending failed (logged as a warning: the node runs on regardless).
 */
int
seen_notify(const char *state)
{
#ifdef SEEN_HAVE_SYSTEMD
    int rc;

    if ((rc = sd_notify(0, state)) < 0) {
        seen_warn("cannot tell systemd '%.*s': %s",
            (int)strcspn(state, "\n"), state, strerror(-rc));
        return -1;
    }
    return rc > 0;
#else
    (void)state;
    return 0;
#endif
}
