/*
 * notify.h: telling systemd how the daemon is (sd_notify(3)), for a unit
 * of Type=notify.  Built on libsystemd when the build found it; without
 * it, or without $NOTIFY_SOCKET (any start not by systemd), a no-op.
 */
#ifndef SEEN_NODE_NOTIFY_H
#define SEEN_NODE_NOTIFY_H

/**
 * seen_notify(state):
 * Send ${state} (sd_notify(3)'s "READY=1", "STOPPING=1", "STATUS=...",
 * lines separated by '\n') to the service manager named by
 * $NOTIFY_SOCKET.  Returns 1 when it was sent, 0 when there is no
 * service manager to tell (or the build has no libsystemd), -1 when the
 * sending failed (logged as a warning: the node runs on regardless).
 */
int seen_notify(const char *state);

#endif /* !SEEN_NODE_NOTIFY_H */
