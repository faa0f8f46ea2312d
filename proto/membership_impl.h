/*
 * membership_impl.h: private to proto/membership*.c: the decoded document
 * and the checks of an OPRF epoch (membership_oprf.c) that
 * membership.c's rules call.
 */
#ifndef SEEN_MEMBERSHIP_IMPL_H
#define SEEN_MEMBERSHIP_IMPL_H

#include "seen.pb-c.h"

struct seen_membership {
    Seen__Membership *doc;        /* owns the body bytes as received */
    Seen__MembershipBody *body;   /* decoded from doc->body */
    Seen__Member **by_sign;       /* members sorted by sign_pk */
    Seen__Member **by_curve;      /* members sorted by curve_pk */
    Seen__Member **by_name;       /* members sorted by name */
    Seen__MatchKeyGrant **grants; /* grants sorted by sign_pk */
};

/*
 * membership_check_oprf(m):
 * Check the OPRF key of ${m}'s body, if it has one, against the rules of
 * docs/protocol.md ("OPRF epochs"), with ${m}'s lookup arrays built.
 * Returns 0 or SEEN_EINVAL (logged, saying what).
 */
int membership_check_oprf(const struct seen_membership *m);

#endif /* !SEEN_MEMBERSHIP_IMPL_H */
