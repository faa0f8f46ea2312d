/*
 * seen-guess: the insider's offline guess (issue 16; docs/threat-model.md).
 *
 *   seen-guess HOME --given NAME --family NAME --dob YYYY-MM-DD [--nhs N]
 *              [--store HOME2]
 *
 * Holding a node's whole home and its passphrase ($SEEN_PASSPHRASE_FILE)
 * and nothing else, with no node running and nothing sent: open the
 * keystore and the store, unseal the match key the held membership
 * document grants the node (or, with none, take the keystore's own),
 * compute the tokens the guessed person would carry under it, and look
 * them up in the store's replicas of every member's feed,
 * scoring what they find as a query would (node/matching/query.h).  With
 * --store, the key is HOME's and the store HOME2's: an insider who kept a
 * copy of the home from before the federation changed epoch, guessing in
 * today's store.
 * Prints "found N" or "not found", with the key's epoch, and exits 0 when
 * it found the person, 1 when it did not, 2 on an error.  In a keyed
 * epoch an insider finds a person this way (test_lookup_notice shows it);
 * in an OPRF epoch the tokens are not computable offline and the guess
 * must fail (test_oprf_lab).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "crypto/keys.h"
#include "match/ident.h"
#include "match/normalise.h"
#include "match/tokens.h"
#include "node/matching/query.h"
#include "proto/membership.h"
#include "storage/members.h"
#include "storage/store.h"
#include "storage/unlock.h"

static int
usage(void)
{

    fprintf(stderr, "usage: seen-guess HOME --given NAME --family NAME "
                    "--dob YYYY-MM-DD [--nhs N] [--store HOME2]\n");
    return 2;
}

int
main(int argc, char **argv)
{
    struct seen_unlock u, u2;
    const char *other = NULL;
    struct seen_unlock_opts o = {NULL, 0, 1, NULL, NULL};
    struct seen_token_input q;
    struct seen_query_result r;
    struct seen_tokenizer *tk;
    struct seen_txn *txn;
    struct seen_membership *m = NULL;
    const uint8_t *doc;
    uint8_t key[32], apk[32];
    char why[512], nhs[11];
    size_t dlen;
    uint32_t epoch;
    int32_t dob;
    int i, rc, t;

    if (argc < 2 || argc % 2 != 0)
        return usage();
    if (sodium_init() < 0)
        return 2;
    memset(&q, 0, sizeof q);
    for (i = 2; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--given") == 0)
            q.given = argv[i + 1];
        else if (strcmp(argv[i], "--family") == 0)
            q.family = argv[i + 1];
        else if (strcmp(argv[i], "--dob") == 0) {
            if (seen_date_parse(argv[i + 1], &dob) != 0)
                return usage();
            q.has_dob = 1;
            q.dob = dob;
        } else if (strcmp(argv[i], "--nhs") == 0) {
            if (seen_nhs_check(argv[i + 1], nhs, &t) != 0)
                return usage();
            q.nhs = nhs;
        } else if (strcmp(argv[i], "--store") == 0)
            other = argv[i + 1];
        else
            return usage();
    }
    if (seen_unlock_home(argv[1], &o, &u, why, sizeof why) != 0) {
        fprintf(stderr, "seen-guess: %s\n", why[0] ? why : "cannot open");
        return 2;
    }
    if (other != NULL &&
        seen_unlock_home(other, &o, &u2, why, sizeof why) != 0) {
        fprintf(stderr, "seen-guess: %s\n", why[0] ? why : "cannot open");
        seen_unlock_release(&u);
        return 2;
    }
    if (seen_store_begin(u.store, 0, &txn) != 0) {
        seen_unlock_release(&u);
        return 2;
    }
    /* The key the membership document grants the node, if any. */
    memcpy(key, u.keys->match_key, sizeof key);
    epoch = u.keys->match_epoch;
    if (seen_members_authority(txn, apk) == 0 &&
        seen_members_current(txn, &doc, &dlen) == 0 &&
        seen_membership_open(doc, dlen, apk, &m) == 0) {
        if (seen_membership_match_key(m, u.keys, key, &epoch) != 0)
            printf("the membership document grants no match key\n");
        seen_membership_destroy(&m);
    }
    if ((tk = seen_tokenizer_new(key, epoch)) == NULL) {
        seen_store_abort(txn);
        seen_unlock_release(&u);
        return 2;
    }
    sodium_memzero(key, sizeof key);
    if (other != NULL) {
        seen_store_abort(txn);
        if (seen_store_begin(u2.store, 0, &txn) != 0) {
            seen_tokenizer_destroy(&tk);
            seen_unlock_release(&u2);
            seen_unlock_release(&u);
            return 2;
        }
    }
    rc = seen_query_run(txn, tk, &q, &r);
    seen_store_abort(txn);
    if (other != NULL)
        seen_unlock_release(&u2);
    if (rc == 0 && r.n > 0)
        printf("found %zu (match key of epoch %u)\n", r.n,
            (unsigned int)epoch);
    else if (rc == 0)
        printf("not found (match key of epoch %u, %zu candidates)\n",
            (unsigned int)epoch, r.candidates);
    else
        fprintf(stderr, "seen-guess: %s\n", seen_strerror(rc));
    i = rc != 0 ? 2 : r.n > 0 ? 0 : 1;
    seen_query_release(&r);
    seen_tokenizer_destroy(&tk);
    seen_unlock_release(&u);
    return i;
}
