/*
 * alert.h: the alerts of the custodians' limits (issue 16; docs/spec/
 * cli.md lists them with `seen alerts`): at a custodian, a member (and
 * operator) went over its day's limit (custodian_limit_exceeded); at the
 * asking node, a custodian refused it over its limits
 * (custodian_refused).  Each is raised once a member, operator and UTC
 * day, whatever the number of refusals: its id is a hash of the rule, the
 * member, the operator and the day.
 */
#ifndef SEEN_CUSTODIAN_ALERT_H
#define SEEN_CUSTODIAN_ALERT_H

#include <stdint.h>

#include "common/seen.h"

#define SEEN_CUSTODIAN_ALERT_LIMIT "custodian_limit_exceeded"
#define SEEN_CUSTODIAN_ALERT_REFUSED "custodian_refused"

struct seen_txn;

/**
 * seen_custodian_alert(txn, rule, member, operator, purpose, time):
 * Raise, inside the write transaction ${txn}, the alert of ${rule} (one of
 * the two above) about the member named ${member} (at a custodian: the
 * asker; at the asker: the custodian that refused) and ${operator} (NULL
 * or empty: none), for ${purpose}, at ${time} (Unix seconds), unless it
 * was raised already that UTC day.  Shown by `seen alerts` as
 * {"alert", "rule", "raised", "person": "", "members": [], "summary",
 * "member", "operator", "purpose"}.  Returns 0; an error from the store.
 */
SEEN_MUST_CHECK int seen_custodian_alert(struct seen_txn *txn,
    const char *rule, const char *member, const char *op,
    const char *purpose, uint64_t time);

#endif /* !SEEN_CUSTODIAN_ALERT_H */
